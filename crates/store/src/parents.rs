//! The parents' portal (migration `0090_parents`): parent accounts linked to their children,
//! the schools' invitations, the parents' sick reports and leave requests.
//!
//! A parent is a user without a membership. What a parent may read is decided here, in SQL:
//! every read of a child names the parent's user id through `parent_links`.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::db::{Row, args};
use crate::pupils::pupil_of;
use crate::types::names;
use crate::{Actor, RegistrationId, Result, StoredPupil, Tx, UserId};

/// A school's invitation to a pupil's parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParentInvitation {
    pub id: i64,
    pub school_id: String,
    pub pupil_id: String,
    pub email: String,
    pub created_at: Timestamp,
    pub created_by: String,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

fn invitation_of(r: &Row) -> Result<ParentInvitation> {
    Ok(ParentInvitation {
        id: r.i64("id")?,
        school_id: r.text("school_id")?,
        pupil_id: r.text("pupil_id")?,
        email: r.text("email")?,
        created_at: r.ts("created_at")?,
        created_by: r.text("created_by")?,
        expires_at: r.ts("expires_at")?,
        used_at: r.opt_ts("used_at")?,
    })
}

const INVITATION_SELECT: &str = "SELECT i.id, p.school_id, p.pupil_id, i.email, i.created_at, \
     i.created_by, i.expires_at, i.used_at FROM parent_invitations i JOIN pupils p ON p.id = i.pupil";

names! {
    /// Why a sick report ended.
    SickReportEnd { Beter = "beter", Gecorrigeerd = "gecorrigeerd" }
}

/// A parent's ziekmelding "until further notice".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SickReport {
    pub id: i64,
    pub school_id: String,
    pub pupil_id: String,
    /// The `ziek` registration it keeps up to date (none yet when it starts tomorrow).
    pub registration_id: Option<RegistrationId>,
    pub from: Date,
    /// The last day the report's registration covered when the report last wrote it.
    pub covered_until: Option<Date>,
    /// The day the child is back (reported by the parent).
    pub recovered_on: Option<Date>,
    pub closed_reason: Option<SickReportEnd>,
    pub created_at: Timestamp,
    pub created_by: String,
    pub closed_at: Option<Timestamp>,
}

fn sick_report_of(r: &Row) -> Result<SickReport> {
    Ok(SickReport {
        id: r.i64("id")?,
        school_id: r.text("school_id")?,
        pupil_id: r.text("pupil_id")?,
        registration_id: r.opt_i64("registration_id")?,
        from: r.date("date_from")?,
        covered_until: r.opt_date("covered_until")?,
        recovered_on: r.opt_date("recovered_on")?,
        closed_reason: r.opt_parsed("closed_reason", SickReportEnd::parse)?,
        created_at: r.ts("created_at")?,
        created_by: r.text("created_by")?,
        closed_at: r.opt_ts("closed_at")?,
    })
}

const SICK_SELECT: &str = "SELECT s.id, p.school_id, p.pupil_id, s.registration_id, s.date_from, \
     s.covered_until, s.recovered_on, s.closed_reason, s.created_at, s.created_by, s.closed_at \
     FROM sick_reports s JOIN pupils p ON p.id = s.pupil";

names! {
    /// The two kinds of leave a parent asks for (Leerplichtwet 1969): vakantieverlof (art. 13a)
    /// and verlof wegens gewichtige omstandigheden (art. 11 sub g and art. 14).
    LeaveKind {
        Vakantieverlof = "vakantieverlof",
        GewichtigeOmstandigheden = "gewichtige_omstandigheden",
    }
}

names! {
    /// Who decides on a leave request.
    LeaveDecider { Directeur = "directeur", Leerplichtambtenaar = "leerplichtambtenaar" }
}

names! {
    /// A leave request's status.
    LeaveStatus {
        Ingediend = "ingediend",
        AdviesGegeven = "advies_gegeven",
        Toegekend = "toegekend",
        Afgewezen = "afgewezen",
    }
}

/// A leave request to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLeaveRequest {
    pub kind: LeaveKind,
    pub from: Date,
    pub until: Date,
    pub lesson_days: u32,
    pub circumstance: String,
    pub explanation: Option<String>,
    pub employer_statement: Option<String>,
    pub decider: LeaveDecider,
    pub municipality: String,
}

/// A stored leave request (without its letter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaveRequest {
    pub id: i64,
    pub school_id: String,
    pub pupil_id: String,
    pub kind: LeaveKind,
    pub from: Date,
    pub until: Date,
    pub lesson_days: u32,
    pub circumstance: String,
    pub explanation: Option<String>,
    pub employer_statement: Option<String>,
    pub decider: LeaveDecider,
    pub municipality: String,
    pub status: LeaveStatus,
    pub advice: Option<String>,
    pub advice_by: Option<String>,
    pub decision_ground: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<String>,
    pub decider_name: Option<String>,
    pub has_letter: bool,
    /// The employer's statement as a file (its content type), when the parent uploaded one.
    pub document_type: Option<String>,
    pub registration_id: Option<RegistrationId>,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// A file stored with a leave request (the employer's statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveDocument {
    pub file_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png` (checked from the contents).
    pub content_type: String,
    pub bytes: Vec<u8>,
}

fn leave_of(r: &Row) -> Result<LeaveRequest> {
    Ok(LeaveRequest {
        id: r.i64("id")?,
        school_id: r.text("school_id")?,
        pupil_id: r.text("pupil_id")?,
        kind: r.parsed("kind", LeaveKind::parse)?,
        from: r.date("date_from")?,
        until: r.date("date_until")?,
        lesson_days: r.u32("lesson_days")?,
        circumstance: r.text("circumstance")?,
        explanation: r.opt_text("explanation")?,
        employer_statement: r.opt_text("employer_statement")?,
        decider: r.parsed("decider", LeaveDecider::parse)?,
        municipality: r.text("municipality")?,
        status: r.parsed("status", LeaveStatus::parse)?,
        advice: r.opt_text("advice")?,
        advice_by: r.opt_text("advice_by")?,
        decision_ground: r.opt_text("decision_ground")?,
        decided_at: r.opt_ts("decided_at")?,
        decided_by: r.opt_text("decided_by")?,
        decider_name: r.opt_text("decider_name")?,
        has_letter: r.bool("has_letter")?,
        document_type: r.opt_text("document_type")?,
        registration_id: r.opt_i64("registration_id")?,
        created_at: r.ts("created_at")?,
        created_by: r.text("created_by")?,
    })
}

const LEAVE_SELECT: &str = "SELECT l.id, p.school_id, p.pupil_id, l.kind, l.date_from, \
     l.date_until, l.lesson_days, l.circumstance, l.explanation, l.employer_statement, l.decider, \
     l.municipality, l.status, l.advice, l.advice_by, l.decision_ground, l.decided_at, \
     l.decided_by, l.decider_name, (l.letter_pdf IS NOT NULL) AS has_letter, l.registration_id, \
     l.created_at, l.created_by, d.content_type AS document_type FROM leave_requests l \
     JOIN pupils p ON p.id = l.pupil \
     LEFT JOIN leave_documents d ON d.leave_request_id = l.id";

/// The decision on a leave request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveDecision {
    pub granted: bool,
    /// The legal ground and motivation, in Dutch.
    pub ground: String,
    /// Who signs the letter.
    pub decider_name: String,
    pub letter_pdf: Vec<u8>,
    pub letter_text: String,
    /// The `verlof` registration of granted leave.
    pub registration_id: Option<RegistrationId>,
}

impl Tx {
    /// Stores an invitation (the token's SHA-256) for the parent of a pupil of `school_id`.
    pub async fn create_parent_invitation(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        email: &str,
        token_hash: &str,
        expires_at: Timestamp,
        by: Actor,
    ) -> Result<i64> {
        let key = self.pupil_key(school_id, pupil_id).await?;
        let now = self.now();
        self.c()
            .fetch_one(
                "INSERT INTO parent_invitations (token_hash, pupil, email, created_at, \
                 created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                args![
                    token_hash,
                    key,
                    email.trim().to_lowercase(),
                    now,
                    by.to_string(),
                    expires_at
                ],
            )
            .await?
            .i64("id")
    }

    /// The invitation of a token (by its SHA-256), used or not, expired or not.
    pub async fn parent_invitation(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<ParentInvitation>> {
        self.c()
            .fetch_optional(
                &format!("{INVITATION_SELECT} WHERE i.token_hash = ?"),
                args![token_hash],
            )
            .await?
            .as_ref()
            .map(invitation_of)
            .transpose()
    }

    /// The invitations of a pupil of `school_id`, newest first.
    pub async fn pupil_invitations(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<ParentInvitation>> {
        self.c()
            .fetch_map(
                &format!(
                    "{INVITATION_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? \
                     ORDER BY i.id DESC"
                ),
                args![school_id, pupil_id],
                invitation_of,
            )
            .await
    }

    /// Marks an invitation used by `user`; false when it was already used (once only).
    pub async fn use_parent_invitation(&mut self, id: i64, user: UserId) -> Result<bool> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE parent_invitations SET used_at = ?, used_by = ? \
                 WHERE id = ? AND used_at IS NULL",
                args![now, user, id],
            )
            .await?;
        Ok(n == 1)
    }

    /// Links a parent to a child (again: nothing changes).
    pub async fn link_parent(
        &mut self,
        user: UserId,
        school_id: &str,
        pupil_id: &str,
        by: Actor,
    ) -> Result<()> {
        let key = self.pupil_key(school_id, pupil_id).await?;
        let now = self.now();
        self.c()
            .execute(
                "INSERT INTO parent_links (user_id, pupil, created_at, created_by) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (user_id, pupil) DO NOTHING",
                args![user, key, now, by.to_string()],
            )
            .await?;
        Ok(())
    }

    /// Removes a parent's link to a child of `school_id`; false when there was none.
    pub async fn unlink_parent(
        &mut self,
        user: UserId,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<bool> {
        let n = self
            .c()
            .execute(
                "DELETE FROM parent_links WHERE user_id = ? AND pupil IN \
                 (SELECT id FROM pupils WHERE school_id = ? AND pupil_id = ?)",
                args![user, school_id, pupil_id],
            )
            .await?;
        Ok(n > 0)
    }

    /// A parent's children, at any school, by school and pupil id.
    pub async fn parent_children(&mut self, user: UserId) -> Result<Vec<StoredPupil>> {
        self.c()
            .fetch_map(
                "SELECT p.* FROM pupils p JOIN parent_links l ON l.pupil = p.id \
                 WHERE l.user_id = ? ORDER BY p.school_id, p.pupil_id",
                args![user],
                pupil_of,
            )
            .await
    }

    /// One child of a parent, or `None` when it is not theirs (or does not exist).
    pub async fn parent_child(
        &mut self,
        user: UserId,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Option<StoredPupil>> {
        self.c()
            .fetch_optional(
                "SELECT p.* FROM pupils p JOIN parent_links l ON l.pupil = p.id \
                 WHERE l.user_id = ? AND p.school_id = ? AND p.pupil_id = ?",
                args![user, school_id, pupil_id],
            )
            .await?
            .as_ref()
            .map(pupil_of)
            .transpose()
    }

    /// Whether the user is a parent of any child (a parent account).
    pub async fn is_parent(&mut self, user: UserId) -> Result<bool> {
        Ok(self
            .c()
            .fetch_optional(
                "SELECT 1 AS one FROM parent_links WHERE user_id = ? LIMIT 1",
                args![user],
            )
            .await?
            .is_some())
    }

    /// The parent accounts linked to a pupil of `school_id`: `(user id, e-mail, name)`.
    pub async fn pupil_parents(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<(UserId, String, String)>> {
        self.c()
            .fetch_map(
                "SELECT u.id, u.email, u.display_name FROM users u \
                 JOIN parent_links l ON l.user_id = u.id JOIN pupils p ON p.id = l.pupil \
                 WHERE p.school_id = ? AND p.pupil_id = ? ORDER BY u.email",
                args![school_id, pupil_id],
                |r| Ok((r.i64("id")?, r.text("email")?, r.text("display_name")?)),
            )
            .await
    }

    /// The open sick report of a pupil of `school_id`.
    pub async fn open_sick_report(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Option<SickReport>> {
        self.c()
            .fetch_optional(
                &format!(
                    "{SICK_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? \
                     AND s.closed_at IS NULL"
                ),
                args![school_id, pupil_id],
            )
            .await?
            .as_ref()
            .map(sick_report_of)
            .transpose()
    }

    /// A pupil's sick reports, newest first.
    pub async fn sick_reports(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<SickReport>> {
        self.c()
            .fetch_map(
                &format!(
                    "{SICK_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? ORDER BY s.id DESC"
                ),
                args![school_id, pupil_id],
                sick_report_of,
            )
            .await
    }

    /// Every open sick report (the daily job keeps their registrations up to date).
    pub async fn open_sick_reports(&mut self) -> Result<Vec<SickReport>> {
        self.c()
            .fetch_map(
                &format!("{SICK_SELECT} WHERE s.closed_at IS NULL ORDER BY s.id"),
                args![],
                sick_report_of,
            )
            .await
    }

    /// Starts a sick report.
    pub async fn add_sick_report(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        from: Date,
        by: Actor,
    ) -> Result<i64> {
        let key = self.pupil_key(school_id, pupil_id).await?;
        let now = self.now();
        self.c()
            .fetch_one(
                "INSERT INTO sick_reports (pupil, date_from, created_at, created_by) \
                 VALUES (?, ?, ?, ?) RETURNING id",
                args![key, from, now, by.to_string()],
            )
            .await?
            .i64("id")
    }

    /// Records the registration a sick report wrote and the last day it covers.
    pub async fn set_sick_report_coverage(
        &mut self,
        id: i64,
        registration_id: RegistrationId,
        covered_until: Date,
    ) -> Result<()> {
        self.c()
            .execute(
                "UPDATE sick_reports SET registration_id = ?, covered_until = ? WHERE id = ?",
                args![registration_id, covered_until, id],
            )
            .await?;
        Ok(())
    }

    /// Ends a sick report.
    pub async fn close_sick_report(
        &mut self,
        id: i64,
        reason: SickReportEnd,
        recovered_on: Option<Date>,
    ) -> Result<bool> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE sick_reports SET closed_reason = ?, recovered_on = ?, closed_at = ? \
                 WHERE id = ? AND closed_at IS NULL",
                args![reason.as_str(), recovered_on, now, id],
            )
            .await?;
        Ok(n == 1)
    }

    /// Stores a leave request for a pupil of `school_id`.
    pub async fn add_leave_request(
        &mut self,
        school_id: &str,
        pupil_id: &str,
        r: &NewLeaveRequest,
        by: Actor,
    ) -> Result<i64> {
        let key = self.pupil_key(school_id, pupil_id).await?;
        let now = self.now();
        self.c()
            .fetch_one(
                "INSERT INTO leave_requests (pupil, kind, date_from, date_until, lesson_days, \
                 circumstance, explanation, employer_statement, decider, municipality, status, \
                 created_at, created_by, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ingediend', ?, ?, ?) RETURNING id",
                args![
                    key,
                    r.kind.as_str(),
                    r.from,
                    r.until,
                    r.lesson_days,
                    &r.circumstance,
                    &r.explanation,
                    &r.employer_statement,
                    r.decider.as_str(),
                    &r.municipality,
                    now,
                    by.to_string(),
                    now
                ],
            )
            .await?
            .i64("id")
    }

    /// One leave request by id (the service checks who may read it).
    pub async fn leave_request(&mut self, id: i64) -> Result<Option<LeaveRequest>> {
        self.c()
            .fetch_optional(&format!("{LEAVE_SELECT} WHERE l.id = ?"), args![id])
            .await?
            .as_ref()
            .map(leave_of)
            .transpose()
    }

    /// A pupil's leave requests, newest first.
    pub async fn pupil_leave_requests(
        &mut self,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<LeaveRequest>> {
        self.c()
            .fetch_map(
                &format!(
                    "{LEAVE_SELECT} WHERE p.school_id = ? AND p.pupil_id = ? ORDER BY l.id DESC"
                ),
                args![school_id, pupil_id],
                leave_of,
            )
            .await
    }

    /// A school's leave requests, newest first.
    pub async fn school_leave_requests(&mut self, school_id: &str) -> Result<Vec<LeaveRequest>> {
        self.c()
            .fetch_map(
                &format!("{LEAVE_SELECT} WHERE p.school_id = ? ORDER BY l.id DESC"),
                args![school_id],
                leave_of,
            )
            .await
    }

    /// The leave requests a municipality's leerplichtambtenaar decides, newest first.
    pub async fn municipality_leave_requests(
        &mut self,
        municipality: &str,
    ) -> Result<Vec<LeaveRequest>> {
        self.c()
            .fetch_map(
                &format!(
                    "{LEAVE_SELECT} WHERE l.municipality = ? AND l.decider = 'leerplichtambtenaar' \
                     ORDER BY l.id DESC"
                ),
                args![municipality],
                leave_of,
            )
            .await
    }

    /// The director's advice on a request leerplicht decides.
    pub async fn set_leave_advice(&mut self, id: i64, advice: &str, by: Actor) -> Result<bool> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE leave_requests SET advice = ?, advice_by = ?, status = 'advies_gegeven', \
                 updated_at = ? WHERE id = ? AND status IN ('ingediend', 'advies_gegeven')",
                args![advice, by.to_string(), now, id],
            )
            .await?;
        Ok(n == 1)
    }

    /// Records the decision and its letter; false when the request was already decided.
    pub async fn decide_leave(&mut self, id: i64, d: &LeaveDecision, by: Actor) -> Result<bool> {
        let now = self.now();
        let n = self
            .c()
            .execute(
                "UPDATE leave_requests SET status = ?, decision_ground = ?, decided_at = ?, \
                 decided_by = ?, decider_name = ?, letter_pdf = ?, letter_text = ?, \
                 registration_id = ?, updated_at = ? \
                 WHERE id = ? AND status IN ('ingediend', 'advies_gegeven')",
                args![
                    if d.granted { "toegekend" } else { "afgewezen" },
                    &d.ground,
                    now,
                    by.to_string(),
                    &d.decider_name,
                    d.letter_pdf.as_slice(),
                    &d.letter_text,
                    d.registration_id,
                    now,
                    id
                ],
            )
            .await?;
        Ok(n == 1)
    }

    /// Stores the employer's statement file of a leave request (in the request's transaction).
    pub async fn add_leave_document(
        &mut self,
        id: i64,
        document: &LeaveDocument,
        by: Actor,
    ) -> Result<()> {
        let now = self.now();
        self.c()
            .execute(
                "INSERT INTO leave_documents (leave_request_id, file_name, content_type, bytes, \
                 size, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                args![
                    id,
                    &document.file_name,
                    &document.content_type,
                    document.bytes.as_slice(),
                    i64::try_from(document.bytes.len()).unwrap_or(i64::MAX),
                    now,
                    by.to_string()
                ],
            )
            .await?;
        Ok(())
    }

    /// The employer's statement file of a leave request (the service checks who may read it).
    pub async fn leave_document(&mut self, id: i64) -> Result<Option<LeaveDocument>> {
        let Some(r) = self
            .c()
            .fetch_optional(
                "SELECT file_name, content_type, bytes FROM leave_documents \
                 WHERE leave_request_id = ?",
                args![id],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some(LeaveDocument {
            file_name: r.text("file_name")?,
            content_type: r.text("content_type")?,
            bytes: r.bytes("bytes")?,
        }))
    }

    /// The decision letter of a leave request: the PDF and its text.
    pub async fn leave_letter(&mut self, id: i64) -> Result<Option<(Vec<u8>, String)>> {
        let Some(r) = self
            .c()
            .fetch_optional(
                "SELECT letter_pdf, letter_text FROM leave_requests \
                 WHERE id = ? AND letter_pdf IS NOT NULL",
                args![id],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((r.bytes("letter_pdf")?, r.text("letter_text")?)))
    }
}

impl Tx {
    /// Every letter made for the cases of a parent's child (by any organisation: each is
    /// addressed to the parents), oldest first. Empty when the child is not the parent's.
    pub async fn parent_letters(
        &mut self,
        user: UserId,
        school_id: &str,
        pupil_id: &str,
    ) -> Result<Vec<crate::letters::StoredLetter>> {
        self.c()
            .fetch_map(
                "SELECT cl.id, cl.case_id, cl.organisation_id, cl.kind, cl.reference, \
                 cl.file_name, cl.created_at, cl.created_by FROM case_letters cl \
                 JOIN cases c ON c.id = cl.case_id JOIN pupils p ON p.id = c.pupil \
                 JOIN parent_links l ON l.pupil = p.id \
                 WHERE l.user_id = ? AND p.school_id = ? AND p.pupil_id = ? ORDER BY cl.id",
                args![user, school_id, pupil_id],
                |r| {
                    Ok(crate::letters::StoredLetter {
                        id: r.i64("id")?,
                        case_id: r.i64("case_id")?,
                        organisation_id: r.text("organisation_id")?,
                        kind: r.text("kind")?,
                        reference: r.text("reference")?,
                        file_name: r.text("file_name")?,
                        created_at: r.ts("created_at")?,
                        created_by: r.text("created_by")?,
                    })
                },
            )
            .await
    }

    /// One letter of a parent's child, with its PDF: `(file name, pdf)`.
    pub async fn parent_letter_file(
        &mut self,
        user: UserId,
        letter_id: i64,
    ) -> Result<Option<(String, Vec<u8>)>> {
        let Some(r) = self
            .c()
            .fetch_optional(
                "SELECT cl.file_name, cl.pdf FROM case_letters cl \
                 JOIN cases c ON c.id = cl.case_id JOIN parent_links l ON l.pupil = c.pupil \
                 WHERE l.user_id = ? AND cl.id = ?",
                args![user, letter_id],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((r.text("file_name")?, r.bytes("pdf")?)))
    }
}

impl Tx {
    /// Granted leave whose days have begun and whose registration may need writing: granted,
    /// first day on or before `today`, last day not long past (a week back, for a missed run).
    pub async fn granted_leave_to_write(&mut self, today: Date) -> Result<Vec<LeaveRequest>> {
        let week_ago = today
            .checked_sub(jiff::Span::new().days(7))
            .unwrap_or(today);
        self.c()
            .fetch_map(
                &format!(
                    "{LEAVE_SELECT} WHERE l.status = 'toegekend' AND l.date_from <= ? \
                     AND l.date_until >= ? ORDER BY l.id"
                ),
                args![today, week_ago],
                leave_of,
            )
            .await
    }

    /// Records the `verlof` registration that granted leave wrote.
    pub async fn set_leave_registration(
        &mut self,
        id: i64,
        registration_id: RegistrationId,
    ) -> Result<()> {
        self.c()
            .execute(
                "UPDATE leave_requests SET registration_id = ? WHERE id = ?",
                args![registration_id, id],
            )
            .await?;
        Ok(())
    }
}
