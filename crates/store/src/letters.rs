//! The letters made for a case (migration `0021_case_letters`): the PDF and its text as they
//! were made, so that reading one again shows the same letter and writes nothing. Each letter
//! belongs to the organisation that made it; every read names that organisation.

use jiff::Timestamp;
use serde::Serialize;

use crate::db::{Row, args};
use crate::{Actor, CaseId, Result, Tx};

/// A letter to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLetter {
    pub case_id: CaseId,
    /// The organisation that made it (its letterhead, its reader).
    pub organisation_id: String,
    /// `uitnodiging_gesprek`, `waarschuwingsbrief`, `verwijzing_ggd_jgz`, `overzicht_melding`.
    pub kind: String,
    /// "Zaak 12", "Melding 3".
    pub reference: String,
    pub file_name: String,
    pub pdf: Vec<u8>,
    pub text: String,
}

/// A stored letter, without its contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLetter {
    pub id: i64,
    pub case_id: CaseId,
    pub organisation_id: String,
    pub kind: String,
    pub reference: String,
    pub file_name: String,
    pub created_at: Timestamp,
    pub created_by: String,
}

const COLUMNS: &str =
    "id, case_id, organisation_id, kind, reference, file_name, created_at, created_by";

fn letter_of(r: &Row) -> Result<StoredLetter> {
    Ok(StoredLetter {
        id: r.i64("id")?,
        case_id: r.i64("case_id")?,
        organisation_id: r.text("organisation_id")?,
        kind: r.text("kind")?,
        reference: r.text("reference")?,
        file_name: r.text("file_name")?,
        created_at: r.ts("created_at")?,
        created_by: r.text("created_by")?,
    })
}

impl Tx {
    /// Stores a letter made for a case; returns its id.
    pub async fn add_letter(&mut self, letter: &NewLetter, by: Actor) -> Result<i64> {
        let now = self.now();
        self.c()
            .fetch_one(
                "INSERT INTO case_letters (case_id, organisation_id, kind, reference, file_name, \
                 pdf, text, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 RETURNING id",
                args![
                    letter.case_id,
                    &letter.organisation_id,
                    &letter.kind,
                    &letter.reference,
                    &letter.file_name,
                    letter.pdf.as_slice(),
                    &letter.text,
                    now,
                    by.to_string()
                ],
            )
            .await?
            .i64("id")
    }

    /// The letters an organisation made for a case, oldest first.
    pub async fn case_letters(
        &mut self,
        organisation_id: &str,
        case_id: CaseId,
    ) -> Result<Vec<StoredLetter>> {
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {COLUMNS} FROM case_letters \
                     WHERE organisation_id = ? AND case_id = ? ORDER BY id"
                ),
                args![organisation_id, case_id],
                letter_of,
            )
            .await
    }

    /// The letters an organisation made for any of `cases`, by case, oldest first:
    /// [`Tx::case_letters`] for several cases in one query.
    pub async fn cases_letters(
        &mut self,
        organisation_id: &str,
        cases: &[CaseId],
    ) -> Result<Vec<StoredLetter>> {
        let mut a = args![organisation_id];
        a.extend(crate::queries::id_args(cases));
        self.c()
            .fetch_map(
                &format!(
                    "SELECT {COLUMNS} FROM case_letters \
                     WHERE organisation_id = ? AND case_id IN ({}) ORDER BY case_id, id",
                    crate::queries::marks(cases.len())
                ),
                a,
                letter_of,
            )
            .await
    }

    /// One letter of the organisation, with its PDF and text.
    pub async fn letter_file(
        &mut self,
        organisation_id: &str,
        id: i64,
    ) -> Result<Option<(StoredLetter, Vec<u8>, String)>> {
        let Some(r) = self
            .c()
            .fetch_optional(
                &format!(
                    "SELECT {COLUMNS}, pdf, text FROM case_letters \
                     WHERE organisation_id = ? AND id = ?"
                ),
                args![organisation_id, id],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((letter_of(&r)?, r.bytes("pdf")?, r.text("text")?)))
    }
}
