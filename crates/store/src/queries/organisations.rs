//! Organisations: the GGD-JGZ a school refers to, municipalities by name or CBS code, and an
//! organisation's kind.

use crate::db::args;
use crate::{OrgKind, Organisation, Result, StoreError, Tx};

impl Tx {
    /// The names (`None`: none recorded) of the pupils `keys` (school, pupil id) visible in
    /// `scope`, in one query per 400: a list of meldingen names its pupils at once.
    pub async fn pupil_names(
        &mut self,
        scope: crate::Scope<'_>,
        keys: &[(String, String)],
    ) -> Result<Vec<((String, String), Option<String>)>> {
        let (clause, arg) = scope.pupil_clause();
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(400) {
            let marks = vec!["(?, ?)"; chunk.len()].join(", ");
            let mut args = Vec::with_capacity(chunk.len() * 2 + 1);
            for (school, pupil) in chunk {
                args.push(crate::db::Arg::from(school));
                args.push(crate::db::Arg::from(pupil));
            }
            args.push(arg.clone());
            out.extend(
                self.c()
                    .fetch_map(
                        &format!(
                            "SELECT p.school_id, p.pupil_id, p.name FROM pupils p \
                             JOIN (VALUES {marks}) AS k \
                               ON p.school_id = k.column1 AND p.pupil_id = k.column2 \
                             WHERE {clause}"
                        ),
                        args,
                        |r| {
                            Ok((
                                (r.text("school_id")?, r.text("pupil_id")?),
                                r.opt_text("name")?,
                            ))
                        },
                    )
                    .await?,
            );
        }
        Ok(out)
    }

    /// Names the GGD-JGZ organisation a school refers pupils to.
    pub async fn set_school_ggd(&mut self, school_id: &str, ggd_id: &str) -> Result<()> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "INSERT INTO school_ggd (school_id, ggd_id, updated_at) \
                 SELECT s.id, g.id, ? FROM organisations s, organisations g \
                 WHERE s.id = ? AND s.kind = 'school' AND g.id = ? AND g.kind = 'ggd_jgz' \
                 ON CONFLICT (school_id) DO UPDATE SET ggd_id = excluded.ggd_id, \
                 updated_at = excluded.updated_at",
                args![now, school_id, ggd_id],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The GGD-JGZ organisation a school refers pupils to, if it named one.
    pub async fn school_ggd(&mut self, school_id: &str) -> Result<Option<String>> {
        self.c()
            .fetch_optional(
                "SELECT ggd_id FROM school_ggd WHERE school_id = ?",
                args![school_id],
            )
            .await?
            .map(|r| r.text("ggd_id"))
            .transpose()
    }

    /// A municipality (`gemeente`) by its CBS code (`GM0153`, any case) or its name
    /// ("Enschede", any case, surrounding white space ignored).
    pub async fn find_municipality(&mut self, name_or_code: &str) -> Result<Option<Organisation>> {
        let key = name_or_code.trim();
        if key.is_empty() {
            return Ok(None);
        }
        let id: Option<String> = self
            .c()
            .fetch_optional(
                "SELECT id FROM organisations WHERE kind = 'gemeente' \
                 AND (UPPER(id) = UPPER(?) OR LOWER(name) = LOWER(?)) \
                 ORDER BY CASE WHEN UPPER(id) = UPPER(?) THEN 0 ELSE 1 END, id LIMIT 1",
                args![key, key, key],
            )
            .await?
            .map(|r| r.text("id"))
            .transpose()?;
        match id {
            Some(id) => self.organisation(&id).await,
            None => Ok(None),
        }
    }

    /// The kind of an organisation, if it exists.
    pub async fn organisation_kind(&mut self, id: &str) -> Result<Option<OrgKind>> {
        self.c()
            .fetch_optional("SELECT kind FROM organisations WHERE id = ?", args![id])
            .await?
            .map(|r| r.parsed("kind", OrgKind::parse))
            .transpose()
    }
}
