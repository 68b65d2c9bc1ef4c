//! One melding's page: `GET /meldingen/{id}` (its legal content with the persoonsgebonden nummer
//! masked, DUO's status history, leerplicht's actions and open tasks) and `POST /meldingen/{id}`
//! (one of the page's forms).

use super::*;

// ---------------------------------------------------------------------------------------------
// One melding.

#[derive(Template)]
#[template(path = "melding.html")]
pub(crate) struct MeldingPage {
    pub(crate) meta: PageMeta,
    pub(crate) m: MeldingFacts,
    /// The organisation acted for (the API link names it for users with several).
    pub(crate) org: String,
    pub(crate) history: Vec<HistoryRow>,
    /// "Gewijzigd na melding": corrections that touched what the melding reported.
    pub(crate) changes: Vec<HistoryRow>,
    pub(crate) actions: Vec<ActionRow>,
    pub(crate) tasks: Vec<TaskRow>,
    pub(crate) error: Option<String>,
    pub(crate) done: Option<&'static str>,
    pub(crate) today: String,
    pub(crate) reasons: Vec<(&'static str, &'static str)>,
    pub(crate) how: &'static [(&'static str, &'static str)],
    pub(crate) measures: &'static [(&'static str, &'static str, &'static str, &'static str)],
    pub(crate) running: bool,
    pub(crate) new: bool,
    pub(crate) in_behandeling: bool,
    /// The school that made the melding looks at it: read-only, but for withdrawing it.
    pub(crate) school_view: bool,
    /// The oproep letter's default place: the municipality's address.
    pub(crate) place: String,
}

pub(crate) struct MeldingFacts {
    pub(crate) id: i64,
    pub(crate) case_id: i64,
    pub(crate) school_id: String,
    pub(crate) pupil_id: String,
    pub(crate) pupil: String,
    pub(crate) school: String,
    pub(crate) number: String,
    pub(crate) kind: &'static str,
    pub(crate) period: String,
    pub(crate) hours: String,
    pub(crate) suspected_reason: String,
    pub(crate) school_actions: String,
    pub(crate) received: String,
    pub(crate) status: &'static str,
    pub(crate) status_reason: Option<String>,
    pub(crate) afspraken: Option<String>,
}

pub(crate) struct ActionRow {
    pub(crate) date: String,
    pub(crate) what: String,
    pub(crate) summary: String,
    pub(crate) parents: String,
    pub(crate) by: String,
}

/// The persoonsgebonden nummer with all but its last 3 digits hidden.
pub(crate) fn masked(kind: NumberKind, number: &str) -> String {
    let label = match kind {
        NumberKind::Bsn => "BSN",
        NumberKind::Onderwijsnummer => "onderwijsnummer",
    };
    let n = number.chars().count();
    if n == 0 {
        return format!("{label}: onbekend");
    }
    let shown: String = number.chars().skip(n.saturating_sub(3)).collect();
    format!("{label} {}{shown}", "•".repeat(n.saturating_sub(3)))
}

/// The forms of the formal measures: (action, title, date label, hint).
pub(crate) const MEASURES: &[(&str, &str, &str, &str)] = &[
    (
        "officiele_waarschuwing",
        "Officiële waarschuwing",
        "Gegeven op",
        "",
    ),
    (
        "halt",
        "HALT-verwijzing",
        "Verwezen op",
        "Alleen voor een leerling van 12 jaar of ouder op die dag.",
    ),
    ("proces_verbaal", "Proces-verbaal", "Opgemaakt op", ""),
];

pub(crate) fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "in_behandeling" => "De melding is in behandeling genomen.",
        "gesprek" => "Het gesprek is vastgelegd.",
        "waarschuwingsbrief" => "De waarschuwingsbrief is vastgelegd.",
        "officiele_waarschuwing" => "De officiële waarschuwing is vastgelegd.",
        "halt" => "De HALT-verwijzing is vastgelegd.",
        "proces_verbaal" => "Het proces-verbaal is vastgelegd.",
        "verwijzing_zorg" => "De verwijzing zorg is vastgelegd.",
        "afspraken" => "De afspraken zijn vastgelegd en teruggekoppeld aan de school.",
        "afgesloten" => "De melding is afgesloten; de school krijgt de afspraken als taak.",
        "ter_kennisgeving_aangenomen" => "De melding is ter kennisgeving aangenomen.",
        "ingetrokken" => "De melding is ingetrokken; leerplicht ziet dat in DUO's status.",
        _ => return task_done_message(code),
    })
}

/// The message after a task on a melding's or referral's page (`task_action`'s codes).
pub(crate) fn task_done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "taak_afgerond" => "De taak is afgerond.",
        "taak_niet_nodig" => "De taak is als niet nodig afgesloten.",
        _ => return None,
    })
}

/// `?gedaan=…` on a melding's or referral's page: what the form just did.
#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    pub(crate) gedaan: Option<String>,
}

/// `GET /meldingen/{id}`.
pub async fn melding(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> ApiResult<Response> {
    require_melding_reader(&web)?;
    let view = meldingen::melding(&state.store, &web.caller(), id)
        .await
        .map_err(service_error)?;
    let done = q.gedaan.as_deref().and_then(done_message);
    let page = melding_page(&state, &web, view, None, done).await?;
    audit_page(
        &audit,
        &web,
        false,
        AuditObject::Melding(id).to_string(),
        Some((&page.m.school_id, &page.m.pupil_id)),
    )
    .await?;
    Ok(render(&page))
}

/// Leerplicht of the melding's municipality, or the coordinator of the school that made it (the
/// service scopes which meldingen each sees).
pub(crate) fn require_melding_reader(web: &WebUser) -> ApiResult<()> {
    web.require(&[Role::Leerplichtambtenaar], Some(OrgKind::Gemeente))
        .or_else(|_| web.require(&[Role::Verzuimcoordinator], Some(OrgKind::School)))
}

pub(crate) fn is_school(web: &WebUser) -> bool {
    web.org.kind == OrgKind::School
}

pub(crate) async fn melding_page(
    state: &AppState,
    web: &WebUser,
    view: MeldingView,
    error: Option<String>,
    done: Option<&'static str>,
) -> ApiResult<MeldingPage> {
    let m = &view.melding;
    let (mut names, mut orgs, mut actors) = (HashMap::new(), HashMap::new(), HashMap::new());
    let pupil = pupil_name(state, web, &mut names, &m.school_id, &m.pupil_id).await;
    let school = org_name(state, &mut orgs, &m.school_id).await;
    let mut history = Vec::new();
    for h in &view.history {
        history.push(history_row(state, &mut actors, h).await);
    }
    let mut changes = Vec::new();
    for c in &view.changes {
        changes.push(HistoryRow {
            at: nl::date_time_nl(c.at),
            status: c.what.clone(),
            reason: c.reason.clone().unwrap_or_default(),
            by: actor_name(state, &mut actors, &c.actor).await,
        });
    }
    let school_view = is_school(web);
    let mut actions = Vec::new();
    let recorded = if school_view {
        // The school sees leerplicht's actions on the case timeline (without the summaries).
        Vec::new()
    } else {
        leerplicht::actions(&state.store, &web.caller(), m.id)
            .await
            .map_err(service_error)?
    };
    for a in recorded {
        let what = match (a.kind, a.with_whom) {
            (LeerplichtActionKind::Gesprek, Some(w)) => {
                format!("Gesprek met {}", leerplicht::with_label(w))
            }
            (LeerplichtActionKind::VerwijzingZorg, _) => format!(
                "Verwijzing zorg naar {}",
                a.referred_to.as_deref().unwrap_or("?")
            ),
            (kind, _) => nl::capitalise(leerplicht::kind_label(kind)),
        };
        actions.push(ActionRow {
            date: date_nl(a.date),
            what,
            summary: a.summary.unwrap_or_default(),
            parents: a
                .parents_how
                .map_or_else(|| "niet".to_owned(), |h| how_label(h).to_owned()),
            by: actor_name(state, &mut actors, &a.created_by).await,
        });
    }
    let melding_id = m.id;
    let tasks = if school_view {
        Vec::new()
    } else {
        own_open_tasks(state, web, m.case_id, Party::Leerplicht, |l| {
            l.melding_id == Some(melding_id)
        })
        .await?
    };
    let running = matches!(
        m.status,
        MeldingStatus::Geregistreerd | MeldingStatus::InBehandeling
    );
    let lh = &web.org.letterhead;
    let place = [
        Some(web.org.name.clone()),
        lh.street.clone(),
        lh.city.clone(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    Ok(MeldingPage {
        place,
        meta: web.meta(
            format!("Melding van {pupil}"),
            if school_view {
                "/leerlingen"
            } else {
                "/meldingen"
            },
        ),
        m: MeldingFacts {
            id: m.id,
            case_id: m.case_id,
            school_id: m.school_id.clone(),
            pupil_id: m.pupil_id.clone(),
            pupil,
            school,
            number: masked(view.number_kind, &view.number),
            kind: kind_label(m.verzuim_kind),
            period: format!("{} t/m {}", date_nl(m.period.from), date_nl(m.period.to)),
            hours: hours_or_nvt(m.minutes),
            suspected_reason: m.suspected_reason.clone(),
            school_actions: m.school_actions.clone(),
            received: date_nl(nl::local_date(m.created_at)),
            status: melding_status(m.status),
            status_reason: m.status_reason.as_deref().map(reason_nl),
            afspraken: view.afspraken.clone(),
        },
        org: web.org_id().to_owned(),
        history,
        changes,
        actions,
        tasks,
        error,
        done,
        today: today(state).to_string(),
        reasons: ClosingReason::ALL
            .iter()
            .map(|r| (r.as_str(), r.label()))
            .collect(),
        how: HOW,
        measures: MEASURES,
        running,
        new: m.status == MeldingStatus::Geregistreerd,
        in_behandeling: m.status == MeldingStatus::InBehandeling,
        school_view,
    })
}

pub(crate) async fn history_row(
    state: &AppState,
    actors: &mut HashMap<String, String>,
    h: &HistoryEntry,
) -> HistoryRow {
    let status = h.status.replace('_', " ");
    HistoryRow {
        at: nl::date_time_nl(h.at),
        reason: h.reason.as_deref().map(reason_nl).unwrap_or_default(),
        status,
        by: actor_name(state, actors, &h.actor).await,
    }
}

/// The fields of every form on the melding page (`actie` says which).
#[derive(Debug, Default, Deserialize)]
pub struct MeldingForm {
    pub(crate) actie: String,
    pub(crate) datum: Option<String>,
    pub(crate) met: Option<String>,
    pub(crate) samenvatting: Option<String>,
    pub(crate) ouders: Option<String>,
    pub(crate) afspraken: Option<String>,
    /// A verwijzing zorg: the organisation referred to.
    pub(crate) organisatie: Option<String>,
    /// `taak`, `ouders_datum`, `ouders_hoe` and `reden` (also the reason of `intrekken` and
    /// `afsluiten`).
    #[serde(flatten)]
    pub(crate) task: TaskFields,
}

/// `POST /meldingen/{id}`: one of the page's forms.
pub async fn melding_post(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Path(id): Path<i64>,
    Form(f): Form<MeldingForm>,
) -> ApiResult<Response> {
    require_melding_reader(&web)?;
    if is_school(&web) && f.actie != "intrekken" {
        return Err(crate::error::ApiError::forbidden());
    }
    let caller = web.caller();
    let view = meldingen::melding(&state.store, &caller, id)
        .await
        .map_err(service_error)?;
    // Each write commits its audit row (`melding:{id}:{code}`) with it.
    let row = page_rows(
        &audit,
        &web,
        AuditObject::Melding(id).to_string(),
        (&view.melding.school_id, &view.melding.pupil_id),
    );
    let outcome = apply(&state, &web, id, &f, &row).await;
    match outcome {
        Ok(code) => Ok(Redirect::to(&format!("/meldingen/{id}?gedaan={code}")).into_response()),
        Err(msg) => {
            let view = meldingen::melding(&state.store, &caller, id)
                .await
                .map_err(service_error)?;
            let page = melding_page(&state, &web, view, Some(msg), None).await?;
            audit_page(
                &audit,
                &web,
                false,
                AuditObject::Melding(id).to_string(),
                Some((&page.m.school_id, &page.m.pupil_id)),
            )
            .await?;
            Ok(render(&page))
        }
    }
}

pub(crate) async fn apply(
    state: &AppState,
    web: &WebUser,
    id: i64,
    f: &MeldingForm,
    row: &PageRow<'_>,
) -> Result<&'static str, String> {
    let caller = web.caller();
    let status = |action: MeldingAction, code: &'static str| async move {
        meldingen::melding_action(&state.store, &web.caller().audited(&row(code)), id, &action)
            .await
            .map(|_| code)
            .map_err(message)
    };
    match f.actie.as_str() {
        "in_behandeling" => status(MeldingAction::InBehandeling, "in_behandeling").await,
        "intrekken" => {
            let reason = f.task.reden.as_deref().map(str::trim).unwrap_or_default();
            if reason.is_empty() {
                return Err("Vul de reden van het intrekken in.".to_owned());
            }
            status(
                MeldingAction::Ingetrokken {
                    reason: reason.to_owned(),
                },
                "ingetrokken",
            )
            .await
        }
        "ter_kennisgeving" => {
            status(
                MeldingAction::TerKennisgevingAangenomen {
                    afspraken: f.afspraken.clone(),
                },
                "ter_kennisgeving_aangenomen",
            )
            .await
        }
        "afsluiten" => {
            let reason = f
                .task
                .reden
                .as_deref()
                .map(str::trim)
                .and_then(ClosingReason::parse)
                .ok_or_else(|| "Kies de reden van afsluiten.".to_owned())?;
            status(
                MeldingAction::Afgesloten {
                    reason,
                    afspraken: f.afspraken.clone().unwrap_or_default(),
                },
                "afgesloten",
            )
            .await
        }
        "afspraken" => meldingen::record_afspraken(
            &state.store,
            &caller.audited(&row("afspraken")),
            id,
            f.afspraken.as_deref().unwrap_or_default(),
        )
        .await
        .map(|_| "afspraken")
        .map_err(message),
        "taak_afronden" | "taak_niet_nodig" => {
            task_form(state, web, &f.task, f.actie == "taak_afronden", row).await
        }
        other => {
            let kind =
                LeerplichtActionKind::parse(other).ok_or_else(|| "Onbekende actie.".to_owned())?;
            let date = form_date(f.datum.as_deref(), "datum")?;
            let with_whom = match f.met.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(w) => Some(
                    ConversationWith::parse(w)
                        .ok_or_else(|| "Kies met wie het gesprek was.".to_owned())?,
                ),
            };
            let parents_informed = match f.ouders.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(h) => Some(
                    InformedHow::parse(h)
                        .ok_or_else(|| "Kies hoe de ouders zijn geïnformeerd.".to_owned())?,
                ),
            };
            leerplicht::record_action(
                &state.store,
                &caller.audited(&row(kind.as_str())),
                today(state),
                id,
                &ActionInput {
                    kind,
                    date,
                    with_whom,
                    summary: f.samenvatting.clone(),
                    parents_informed,
                    referred_to: f.organisatie.clone(),
                },
            )
            .await
            .map_err(message)?;
            Ok(kind.as_str())
        }
    }
}
