//! Cases as a party sees them (case-level visibility).

use super::case_clause;
use crate::workflow::{CASE_SELECT, case_of};
use crate::{Case, CaseId, Page, Result, Scope, Tx};

impl Tx {
    /// Cases visible in `scope` (case-level: a municipality sees only cases with a melding to
    /// it, GGD-JGZ only cases with a referral to it), newest first; optionally of one pupil.
    pub async fn visible_cases(
        &mut self,
        scope: Scope<'_>,
        pupil: Option<(&str, &str)>,
        open_only: bool,
        page: Page,
    ) -> Result<Vec<Case>> {
        let (clause, arg) = case_clause(scope);
        let (school, pupil) = pupil.unzip();
        self.c()
            .fetch_map(
                &format!(
                    "{CASE_SELECT} WHERE {clause} AND (? = FALSE OR c.closed_at IS NULL) \
                     AND (? IS NULL OR (p.school_id = ? AND p.pupil_id = ?)) \
                     ORDER BY c.id DESC LIMIT ? OFFSET ?"
                ),
                vec![
                    arg,
                    open_only.into(),
                    school.into(),
                    school.into(),
                    pupil.into(),
                    page.limit().into(),
                    page.offset().into(),
                ],
                case_of,
            )
            .await
    }

    /// One case, if visible in `scope` (case-level).
    pub async fn visible_case(
        &mut self,
        scope: Scope<'_>,
        case_id: CaseId,
    ) -> Result<Option<Case>> {
        let (clause, arg) = case_clause(scope);
        self.c()
            .fetch_optional(
                &format!("{CASE_SELECT} WHERE c.id = ? AND {clause}"),
                vec![case_id.into(), arg],
            )
            .await?
            .as_ref()
            .map(case_of)
            .transpose()
    }
}
