//! The melding's page for DUO's verzuimregister (issue 11): `GET|POST /meldingen/{id}/duo`, its JSON
//! and CSV downloads; the school fills in what the register asks beyond the melding and records
//! DUO's meldingsnummer (`verzuim_service::duo`).

use super::*;

// ---------------------------------------------------------------------------------------------
// The melding for DUO's verzuimregister.

#[derive(Template)]
#[template(path = "melding_duo.html")]
pub(crate) struct DuoPage {
    pub(crate) meta: PageMeta,
    pub(crate) id: i64,
    pub(crate) rows: Vec<(&'static str, String)>,
    pub(crate) school_view: bool,
    pub(crate) m: DuoMelding,
    pub(crate) kind: String,
    pub(crate) status: &'static str,
    pub(crate) error: Option<String>,
    pub(crate) done: Option<&'static str>,
    pub(crate) today: String,
    pub(crate) langdurig: bool,
    pub(crate) stay_street: String,
    pub(crate) stay_postcode: String,
    pub(crate) stay_city: String,
    pub(crate) phone: String,
    /// `ouder`, `leerling` or empty.
    pub(crate) phone_of: &'static str,
    pub(crate) reasons: Vec<(&'static str, &'static str, bool)>,
    /// DUO's statuses the school recorded: (status, since, DUO's closing reason).
    pub(crate) duo_statuses: Vec<(&'static str, String, Option<&'static str>)>,
    /// The statuses the school may record next: (code, label); empty once final.
    pub(crate) duo_next: Vec<(&'static str, &'static str)>,
    /// DUO's final status differs from the melding's own.
    pub(crate) differs: bool,
}

pub(crate) fn duo_reader(web: &WebUser) -> ApiResult<()> {
    web.require(&[Role::Leerplichtambtenaar], Some(OrgKind::Gemeente))
        .or_else(|_| web.require(&[Role::Verzuimcoordinator], Some(OrgKind::School)))
}

pub(crate) fn duo_page(
    state: &AppState,
    web: &WebUser,
    m: DuoMelding,
    error: Option<String>,
    done: Option<&'static str>,
) -> DuoPage {
    let school_view = web.org.kind == OrgKind::School;
    let status = match (&m.submission, m.status) {
        (None, _) => "nog niet ingediend bij DUO",
        (Some(_), s) => crate::web::leerplicht::melding_status(s),
    };
    let addr = m.stay_address.clone();
    let current = m.duo_status().map(|d| d.status);
    let duo_next = match current {
        Some(c) if !duo::duo_final(c) => DuoStatus::ALL
            .iter()
            .filter(|s| {
                duo::duo_final(**s)
                    || (c == DuoStatus::Geregistreerd && **s == DuoStatus::InBehandeling)
            })
            .map(|s| (s.as_str(), duo::duo_status_label(*s)))
            .collect(),
        _ => Vec::new(),
    };
    DuoPage {
        duo_statuses: m
            .duo_statuses
            .iter()
            .map(|d| {
                (
                    duo::duo_status_label(d.status),
                    d.on.strftime("%d-%m-%Y").to_string(),
                    d.duo_closing_reason.map(duo::closing_label),
                )
            })
            .collect(),
        duo_next,
        differs: m.status_differs(),
        meta: web.meta(format!("Melding {} voor DUO", m.melding_id), "/meldingen"),
        id: m.melding_id,
        rows: duo::rows(&m),
        school_view,
        kind: m.kind.map_or_else(
            || "geen melding voor het verzuimregister".into(),
            |k| k.label().to_owned(),
        ),
        status,
        error,
        done,
        today: today(state).to_string(),
        langdurig: m.kind == Some(DuoKind::LangdurigRelatiefVerzuim),
        stay_street: addr.as_ref().map(|a| a.street.clone()).unwrap_or_default(),
        stay_postcode: addr
            .as_ref()
            .map(|a| a.postcode.clone())
            .unwrap_or_default(),
        stay_city: addr.map(|a| a.city).unwrap_or_default(),
        phone: m.phone.clone().unwrap_or_default(),
        phone_of: m.phone_of.map_or("", |p| p.as_str()),
        reasons: DuoClosingReason::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str(),
                    duo::closing_label(*r),
                    m.duo_closing_reason == Some(*r),
                )
            })
            .collect(),
        m,
    }
}

/// `GET /meldingen/{id}/duo`.
pub async fn duo_show(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Path(id): Path<i64>,
    Query(q): Query<crate::web::leerplicht::DetailQuery>,
) -> ApiResult<Response> {
    duo_reader(&web)?;
    let m = duo::register_view(&state.store, &web.caller(), id)
        .await
        .map_err(service_error)?;
    audit_page(
        &audit,
        &web,
        false,
        AuditObject::Melding(id).detail("duo").to_string(),
        None,
    )
    .await?;
    let done = q.gedaan.as_deref().and_then(|c| match c {
        "gegevens" => Some("De gegevens voor DUO zijn opgeslagen."),
        "ingediend" => Some("De indiening bij DUO is vastgelegd."),
        "wijziging" => Some("De wijziging bij DUO is vastgelegd."),
        "status" => Some("De status bij DUO is vastgelegd; de melding volgt die."),
        _ => None,
    });
    Ok(render(&duo_page(&state, &web, m, None, done)))
}

/// What a download of the melding for DUO's register starts with: the caller may read it, the
/// register's view, and the audit row of the read (`detail`: which download).
async fn duo_download(
    state: &AppState,
    web: &WebUser,
    audit: &Audit,
    id: i64,
    detail: &str,
) -> ApiResult<DuoMelding> {
    duo_reader(web)?;
    let m = duo::register_view(&state.store, &web.caller(), id)
        .await
        .map_err(service_error)?;
    audit_page(
        audit,
        web,
        false,
        AuditObject::Melding(id).detail(detail).to_string(),
        None,
    )
    .await?;
    Ok(m)
}

/// `GET /meldingen/{id}/duo.json`.
pub async fn duo_json(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let m = duo_download(&state, &web, &audit, id, "duo_json").await?;
    let body = serde_json::to_vec_pretty(&duo::json(&m)).map_err(ApiError::internal)?;
    Ok(download(
        body,
        "application/json",
        &format!("duo-verzuimregister-{id}.json"),
    ))
}

/// `GET /meldingen/{id}/duo.csv`: `veld;waarde` rows, as DUO's form names the fields.
pub async fn duo_csv(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let m = duo_download(&state, &web, &audit, id, "duo_csv").await?;
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    w.write_record(["veld", "waarde"])
        .map_err(ApiError::internal)?;
    for (label, value) in duo::rows(&m) {
        w.write_record([label, value.as_str()])
            .map_err(ApiError::internal)?;
    }
    let body = w
        .into_inner()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(download(
        body,
        "text/csv; charset=utf-8",
        &format!("duo-verzuimregister-{id}.csv"),
    ))
}

/// The forms of the DUO page (`actie`: `gegevens`, `ingediend`, `wijziging`).
#[derive(Debug, Default, Deserialize)]
pub struct DuoForm {
    pub(crate) actie: String,
    pub(crate) verblijf_straat: Option<String>,
    pub(crate) verblijf_postcode: Option<String>,
    pub(crate) verblijf_plaats: Option<String>,
    pub(crate) telefoon: Option<String>,
    pub(crate) telefoon_van: Option<String>,
    pub(crate) alle_lessen: Option<String>,
    pub(crate) actie_gewenst: Option<String>,
    pub(crate) reden_geen_actie: Option<String>,
    pub(crate) locatie: Option<String>,
    pub(crate) einddatum: Option<String>,
    pub(crate) reden_duo: Option<String>,
    pub(crate) meldingsnummer: Option<String>,
    pub(crate) datum: Option<String>,
    pub(crate) duo_status: Option<String>,
}

pub(crate) fn form_date(v: Option<&str>, field: &str) -> Result<Option<Date>, String> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<Date>()
            .map(Some)
            .map_err(|_| format!("{field}: \"{s}\" is geen datum (jjjj-mm-dd).")),
    }
}

pub(crate) async fn duo_apply(
    state: &AppState,
    web: &WebUser,
    audit: &Audit,
    id: i64,
    f: &DuoForm,
) -> Result<&'static str, String> {
    // The audit row (`melding:{id}:duo_{code}`) commits with the change.
    let code = f.actie.as_str();
    let caller = web.caller().audited(
        page_event(
            audit,
            web,
            true,
            AuditObject::Melding(id)
                .detail(format!("duo_{code}"))
                .to_string(),
            None,
        )
        .entry(),
    );
    let today = today(state);
    match f.actie.as_str() {
        "gegevens" => {
            let phone_of = match f.telefoon_van.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(v) => Some(
                    PhoneOf::parse(v)
                        .ok_or_else(|| "Kies van wie het telefoonnummer is.".to_owned())?,
                ),
            };
            let action_wanted = match f.actie_gewenst.as_deref() {
                Some("ja") => true,
                Some("nee") => false,
                _ => return Err("Kies of actie door de gemeente gewenst is.".into()),
            };
            let reden = match f.reden_duo.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(v) => Some(
                    DuoClosingReason::parse(v)
                        .ok_or_else(|| "Kies een reden van afsluiten uit de lijst.".to_owned())?,
                ),
            };
            let details = DuoDetails {
                stay_street: f.verblijf_straat.clone(),
                stay_postcode: f.verblijf_postcode.clone(),
                stay_city: f.verblijf_plaats.clone(),
                phone: f.telefoon.clone(),
                phone_of,
                all_lessons_missed: f.alle_lessen.as_deref() == Some("ja"),
                action_wanted,
                no_action_reason: f.reden_geen_actie.clone(),
                location: f.locatie.clone(),
                end_date: form_date(f.einddatum.as_deref(), "Einddatum")?,
                duo_closing_reason: reden,
            };
            duo::save_details(&state.store, &caller, today, id, &details)
                .await
                .map(|_| "gegevens")
                .map_err(message)
        }
        "ingediend" => {
            let on = form_date(f.datum.as_deref(), "Ingediend op")?
                .ok_or_else(|| "Vul de datum van indienen in.".to_owned())?;
            duo::record_submission(
                &state.store,
                &caller,
                today,
                id,
                f.meldingsnummer.as_deref().unwrap_or_default(),
                on,
            )
            .await
            .map(|_| "ingediend")
            .map_err(message)
        }
        "wijziging" => {
            let on = form_date(f.datum.as_deref(), "Wijziging ingediend op")?
                .ok_or_else(|| "Vul de datum van de wijziging in.".to_owned())?;
            duo::record_update(&state.store, &caller, today, id, on)
                .await
                .map(|_| "wijziging")
                .map_err(message)
        }
        "status" => {
            let status = f
                .duo_status
                .as_deref()
                .map(str::trim)
                .and_then(DuoStatus::parse)
                .ok_or_else(|| "Kies een status van DUO uit de lijst.".to_owned())?;
            let on = form_date(f.datum.as_deref(), "Sinds")?
                .ok_or_else(|| "Vul de datum van de status bij DUO in.".to_owned())?;
            let reden = match f.reden_duo.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(v) => Some(
                    DuoClosingReason::parse(v)
                        .ok_or_else(|| "Kies een reden van afsluiten uit de lijst.".to_owned())?,
                ),
            };
            duo::record_duo_status(&state.store, &caller, today, id, status, on, reden)
                .await
                .map(|_| "status")
                .map_err(message)
        }
        _ => Err("Onbekende actie.".into()),
    }
}

/// `POST /meldingen/{id}/duo` (the school that made the melding).
pub async fn duo_post(
    State(state): State<AppState>,
    web: WebUser,
    audit: Audit,
    Path(id): Path<i64>,
    Form(f): Form<DuoForm>,
) -> ApiResult<Response> {
    let caller = web.caller();
    let before = duo::register_view(&state.store, &caller, id)
        .await
        .map_err(service_error)?;
    match duo_apply(&state, &web, &audit, id, &f).await {
        Ok(code) => Ok(Redirect::to(&format!("/meldingen/{id}/duo?gedaan={code}")).into_response()),
        Err(msg) => {
            let _ = before;
            let m = duo::register_view(&state.store, &caller, id)
                .await
                .map_err(service_error)?;
            Ok(render(&duo_page(&state, &web, m, Some(msg), None)))
        }
    }
}
