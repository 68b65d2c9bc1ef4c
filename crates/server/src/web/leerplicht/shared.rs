//! What the pages of leerplicht, GGD-JGZ, the region and the letters share: names of actors,
//! pupils and organisations for people, the audit rows of a page and of its forms, the task rows
//! and the task form, the Dutch message of a refused form.

use super::*;

// ---------------------------------------------------------------------------------------------
// Helpers shared with the GGD-JGZ pages.

/// A history row's actor (`user:12`, `token:3`, `system`) for people: the user's name.
pub(crate) async fn actor_name(
    state: &AppState,
    cache: &mut HashMap<String, String>,
    actor: &str,
) -> String {
    if let Some(n) = cache.get(actor) {
        return n.clone();
    }
    let name = match actor.split_once(':') {
        Some(("user", id)) => user_name(state, actor, id).await,
        Some(("token", _)) => "systeem (API-token)".to_owned(),
        _ => "systeem".to_owned(),
    };
    cache.insert(actor.to_owned(), name.clone());
    name
}

/// The name of the user of an actor `user:{id}` (`onbekende gebruiker` when there is none; the
/// actor itself when `id` is no number).
pub(crate) async fn user_name(state: &AppState, actor: &str, id: &str) -> String {
    match id.parse::<i64>() {
        Ok(id) => verzuim_service::names::user_name(&state.store, id)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| "onbekende gebruiker".to_owned()),
        Err(_) => actor.to_owned(),
    }
}

/// A pupil's name as the caller may see it (the id when the name is unknown).
pub(crate) async fn pupil_name(
    state: &AppState,
    web: &WebUser,
    cache: &mut HashMap<(String, String), String>,
    school: &str,
    pupil: &str,
) -> String {
    let key = (school.to_owned(), pupil.to_owned());
    if let Some(n) = cache.get(&key) {
        return n.clone();
    }
    let name = visibility::pupil(&state.store, &web.caller(), school, pupil)
        .await
        .ok()
        .and_then(|p| p.data.name)
        .unwrap_or_else(|| format!("leerling {pupil}"));
    cache.insert(key, name.clone());
    name
}

/// An organisation's name (the id when unknown).
pub(crate) async fn org_name(
    state: &AppState,
    cache: &mut HashMap<String, String>,
    id: &str,
) -> String {
    if let Some(n) = cache.get(id) {
        return n.clone();
    }
    let name = verzuim_service::organisations::organisation(&state.store, id)
        .await
        .ok()
        .flatten()
        .map_or_else(|| id.to_owned(), |o| o.name);
    cache.insert(id.to_owned(), name.clone());
    name
}

/// The audit row of a page that showed (or changed) pupil data.
pub(crate) async fn audit_page(
    audit: &Audit,
    web: &WebUser,
    write: bool,
    what: String,
    pupil: Option<(&str, &str)>,
) -> ApiResult<()> {
    page_event(audit, web, write, what, pupil).write().await
}

/// The row [`audit_page`] writes, for a service write that commits it with its change
/// (`web.caller().audited(page_event(…).entry())`).
pub(crate) fn page_event(
    audit: &Audit,
    web: &WebUser,
    write: bool,
    what: String,
    pupil: Option<(&str, &str)>,
) -> crate::audit::AuditEvent {
    let mut event = audit
        .event(
            &web.actor,
            if write {
                action::PUPIL_WRITE
            } else {
                action::PUPIL_READ
            },
        )
        .organisation(web.org_id())
        .object(what);
    if let Some((school, pupil)) = pupil {
        event = event.pupil(school, pupil);
    }
    event
}

/// An open task on a page, with what completing it asks.
pub(crate) struct TaskRow {
    pub id: i64,
    pub text: String,
    pub due: String,
    pub overdue: bool,
    pub needs_parents: bool,
}

/// A status history row.
pub(crate) struct HistoryRow {
    pub at: String,
    pub status: String,
    pub reason: String,
    pub by: String,
}

pub(crate) const HOW: &[(&str, &str)] = &[
    ("gesprek", "in een gesprek"),
    ("telefoon", "telefonisch"),
    ("brief", "per brief"),
    ("email", "per e-mail"),
    ("anders", "anders"),
];

pub(crate) fn how_label(how: InformedHow) -> &'static str {
    HOW.iter()
        .find(|(code, _)| *code == how.as_str())
        .map_or("anders", |(_, l)| l)
}

/// A date field of a form (`YYYY-MM-DD`), with a Dutch message naming the field.
pub(crate) fn form_date(value: Option<&str>, field: &str) -> Result<Date, String> {
    let v = value.map(str::trim).unwrap_or_default();
    if v.is_empty() {
        return Err(format!("Vul de {field} in."));
    }
    v.parse()
        .map_err(|_| format!("De {field} is geen geldige datum (jjjj-mm-dd)."))
}

/// The audit row of a page's write, by the code of what was done (`melding:12:afgesloten`): the
/// service call commits it with the write.
pub(crate) type PageRow<'a> = dyn Fn(&str) -> AuditEntry + Send + Sync + 'a;

/// The audit rows of the writes of a page about `object` (`melding:12`) of a pupil.
pub(crate) fn page_rows<'a>(
    audit: &Audit,
    web: &WebUser,
    object: String,
    pupil: (&str, &str),
) -> impl Fn(&str) -> AuditEntry + Send + Sync + 'a {
    let entry = audit
        .event(&web.actor, action::PUPIL_WRITE)
        .organisation(web.org_id())
        .pupil(pupil.0, pupil.1)
        .entry()
        .clone();
    move |code: &str| AuditEntry {
        object: format!("{object}:{code}"),
        ..entry.clone()
    }
}

/// Completes or closes an open task of the caller's organisation from a page's form.
pub(crate) async fn task_form(
    state: &AppState,
    web: &WebUser,
    f: &TaskFields,
    done: bool,
    row: &PageRow<'_>,
) -> Result<&'static str, String> {
    let id: i64 = f
        .taak
        .as_deref()
        .and_then(|t| t.trim().parse().ok())
        .ok_or_else(|| "Kies een taak.".to_owned())?;
    if done {
        let parents_informed = match f.ouders_hoe.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(h) => Some(ParentsInformed {
                date: form_date(
                    f.ouders_datum.as_deref(),
                    "datum waarop de ouders zijn geïnformeerd",
                )?,
                how: InformedHow::parse(h)
                    .ok_or_else(|| "Kies hoe de ouders zijn geïnformeerd.".to_owned())?,
            }),
        };
        tasks::complete_task(
            &state.store,
            &web.caller().audited(&row("taak_afgerond")),
            today(state),
            id,
            &Completion {
                parents_informed,
                ..Completion::default()
            },
        )
        .await
        .map_err(message)?;
        Ok("taak_afgerond")
    } else {
        tasks::task_not_needed(
            &state.store,
            &web.caller().audited(&row("taak_niet_nodig")),
            id,
            f.reden.as_deref().unwrap_or_default(),
        )
        .await
        .map_err(message)?;
        Ok("taak_niet_nodig")
    }
}

/// The fields of a task form.
#[derive(Debug, Default, Deserialize)]
pub struct TaskFields {
    pub taak: Option<String>,
    pub ouders_datum: Option<String>,
    pub ouders_hoe: Option<String>,
    pub reden: Option<String>,
}

/// A refused change as the Dutch message on the page (storage failures as a general one).
pub(crate) fn message(e: verzuim_service::ServiceError) -> String {
    use verzuim_service::ServiceError as E;
    match e {
        E::Invalid(m) | E::Conflict(m) => sentence(&m),
        E::NotFound => "Niet gevonden.".to_owned(),
        E::Forbidden(_) => "Dit mag u niet doen.".to_owned(),
        E::Input(_) => "De invoer is ongeldig.".to_owned(),
        E::Store(_) => "Er ging iets mis bij het opslaan; probeer het opnieuw.".to_owned(),
    }
}

/// The open tasks of the caller's organisation in a case, linked to one melding or referral.
pub(crate) async fn own_open_tasks(
    state: &AppState,
    web: &WebUser,
    case_id: i64,
    party: Party,
    linked: impl Fn(&verzuim_service::model::TaskLink) -> bool,
) -> ApiResult<Vec<TaskRow>> {
    let view = visibility::case(&state.store, &web.caller(), case_id)
        .await
        .map_err(service_error)?;
    let today = today(state);
    Ok(view
        .tasks
        .into_iter()
        .filter(|t| {
            t.task.party == party
                && t.task.organisation_id == web.org_id()
                && t.task.status == TaskStatus::Open
                && t.link.as_ref().is_some_and(&linked)
        })
        .map(|t| TaskRow {
            id: t.task.id,
            needs_parents: requires_parents_informed(&t.task.text),
            due: t.task.due.map_or_else(|| "geen".to_owned(), date_nl),
            overdue: verzuim_service::principles::is_overdue(&t.task.text, t.task.due, today),
            text: t.task.text,
        })
        .collect())
}
