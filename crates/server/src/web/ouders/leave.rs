//! A parent's leave requests: the form (with the employer's statement as a file), one request
//! with its decision letter, and the letters about the child.

use super::*;

#[derive(Debug, Default, Clone, Deserialize)]
pub struct LeaveForm {
    #[serde(default)]
    pub(crate) soort: String,
    #[serde(default)]
    pub(crate) van: String,
    #[serde(default)]
    pub(crate) tot: String,
    #[serde(default)]
    pub(crate) omstandigheid: String,
    #[serde(default)]
    pub(crate) toelichting: String,
    #[serde(default)]
    pub(crate) werkgeversverklaring: String,
}

#[derive(Template)]
#[template(path = "ouders_verlof.html")]
pub(crate) struct LeaveFormPage {
    pub(crate) meta: PageMeta,
    pub(crate) name: String,
    pub(crate) action: String,
    pub(crate) back: String,
    pub(crate) f: LeaveForm,
    pub(crate) circumstances: Vec<(&'static str, &'static str)>,
    pub(crate) error: Option<String>,
    pub(crate) min_date: String,
    pub(crate) max_mb: usize,
}

pub(crate) async fn leave_form_page(
    state: &AppState,
    web: &ParentWeb,
    school_id: &str,
    pupil_id: &str,
    f: LeaveForm,
    error: Option<String>,
) -> ApiResult<Response> {
    let children = parents::children(&state.store, web.user.id)
        .await
        .map_err(service_error)?;
    let c = children
        .into_iter()
        .find(|c| c.school_id == school_id && c.pupil_id == pupil_id)
        .ok_or_else(ApiError::not_found)?;
    let href = child_href(school_id, pupil_id);
    let res = render(&LeaveFormPage {
        meta: web.meta(format!("Verlof aanvragen voor {}", c.name), &href),
        name: c.name,
        action: format!("{href}/verlof"),
        back: href,
        f,
        circumstances: CIRCUMSTANCES.to_vec(),
        error: error.clone(),
        min_date: today(state).to_string(),
        max_mb: parents::MAX_DOCUMENT_BYTES / (1024 * 1024),
    });
    // 200 with the Dutch message on the form (a 4xx would become the error page).
    Ok(res)
}

/// `GET /ouders/{school}/{pupil}/verlof`.
pub async fn leave_form(
    State(state): State<AppState>,
    web: ParentWeb,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
) -> ApiResult<Response> {
    leave_form_page(
        &state,
        &web,
        &school_id,
        &pupil_id,
        LeaveForm::default(),
        None,
    )
    .await
}

/// A date field of a form: `JJJJ-MM-DD`, with a Dutch message naming the field.
pub(crate) fn form_date(value: &str, label: &str) -> Result<Date, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(format!("Vul {label} in."));
    }
    v.parse().map_err(|_| {
        format!(
            "{} is geen datum: gebruik JJJJ-MM-DD.",
            nl::capitalise(label)
        )
    })
}

/// The leave form as sent: `multipart/form-data` (the page, with the employer's statement as a
/// file, part `verklaring`) or `application/x-www-form-urlencoded` (without a file).
pub(crate) async fn leave_form_of(
    headers: &HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<(LeaveForm, Option<parents::Upload>)> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("multipart/form-data") {
        let f = serde_urlencoded::from_bytes::<LeaveForm>(&body).map_err(|_| {
            ApiError::bad_request(
                "ongeldig_formulier",
                "Het formulier is niet goed verstuurd.",
            )
        })?;
        return Ok((f, None));
    }
    let boundary = crate::multipart::boundary(headers)?;
    let mut f = LeaveForm::default();
    let mut upload = None;
    for part in crate::multipart::parts(body, &boundary).await? {
        let text = || String::from_utf8_lossy(&part.bytes).into_owned();
        match part.name.as_str() {
            "soort" => f.soort = text(),
            "van" => f.van = text(),
            "tot" => f.tot = text(),
            "omstandigheid" => f.omstandigheid = text(),
            "toelichting" => f.toelichting = text(),
            "werkgeversverklaring" => f.werkgeversverklaring = text(),
            // A file input left empty sends a part without a name and without bytes.
            "verklaring"
                if !part.bytes.is_empty()
                    || part.file_name.as_deref().is_some_and(|n| !n.is_empty()) =>
            {
                upload = Some(parents::Upload {
                    file_name: part.file_name.clone().unwrap_or_default(),
                    bytes: part.bytes.clone(),
                });
            }
            _ => {}
        }
    }
    Ok((f, upload))
}

/// `POST /ouders/{school}/{pupil}/verlof` (a multipart form with the employer's statement as a
/// file, or a plain form).
pub async fn leave_submit(
    State(state): State<AppState>,
    web: ParentWeb,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<Response> {
    let (f, upload) = leave_form_of(&headers, body).await?;
    check_len("toelichting", &f.toelichting, max_len::LONG_TEXT)?;
    check_len(
        "werkgeversverklaring",
        &f.werkgeversverklaring,
        max_len::LONG_TEXT,
    )?;
    check_len("omstandigheid", &f.omstandigheid, max_len::IDENTIFIER)?;
    let parsed = (|| {
        let kind =
            LeaveKind::parse(f.soort.trim()).ok_or_else(|| "Kies de soort verlof.".to_owned())?;
        let from = form_date(&f.van, "de eerste dag")?;
        let until = form_date(&f.tot, "de laatste dag")?;
        Ok::<_, String>((kind, from, until))
    })();
    let (kind, from, until) = match parsed {
        Ok(p) => p,
        Err(e) => return leave_form_page(&state, &web, &school_id, &pupil_id, f, Some(e)).await,
    };
    let input = LeaveInput {
        kind,
        from,
        until,
        circumstance: f.omstandigheid.trim().to_owned(),
        explanation: Some(f.toelichting.clone()),
        employer_statement: Some(f.werkgeversverklaring.clone()),
        employer_document: upload,
    };
    let event = parent_write(&audit, &web, &school_id, &pupil_id);
    let row = |id: i64| AuditEntry {
        object: AuditObject::Leave(id).to_string(),
        ..event.entry().clone()
    };
    match parents::request_leave(
        &state.store,
        web.user.id,
        today(&state),
        &school_id,
        &pupil_id,
        &input,
        &row,
    )
    .await
    {
        Ok(v) => Ok(
            Redirect::to(&format!("/ouders/verlof/{}?gedaan=verlof", v.request.id)).into_response(),
        ),
        Err(verzuim_service::ServiceError::Invalid(m)) => {
            leave_form_page(&state, &web, &school_id, &pupil_id, f, Some(sentence(&m))).await
        }
        Err(e) => Err(service_error(e)),
    }
}

#[derive(Template)]
#[template(path = "ouders_verlof_detail.html")]
pub(crate) struct LeavePage {
    pub(crate) meta: PageMeta,
    pub(crate) back: String,
    pub(crate) title: String,
    pub(crate) facts: Vec<(String, String)>,
    pub(crate) checks: Vec<(String, String, bool)>,
    pub(crate) status: String,
    pub(crate) decided: bool,
    pub(crate) ground: Option<String>,
    pub(crate) letter: Option<String>,
    /// The employer's statement file, when one was sent.
    pub(crate) document: Option<String>,
    pub(crate) done: Option<String>,
}

/// `GET /ouders/verlof/{id}`.
pub async fn leave_detail(
    State(state): State<AppState>,
    web: ParentWeb,
    UrlPath(id): UrlPath<i64>,
    q: axum::extract::Query<DoneQuery>,
) -> ApiResult<Response> {
    let v = parents::leave_for_parent(&state.store, web.user.id, id)
        .await
        .map_err(service_error)?;
    let r = &v.request;
    let back = child_href(&r.school_id, &r.pupil_id);
    let decider = match r.decider {
        verzuim_service::model::LeaveDecider::Directeur => "de directeur van de school",
        verzuim_service::model::LeaveDecider::Leerplichtambtenaar => {
            "de leerplichtambtenaar van uw gemeente, na advies van de directeur"
        }
    };
    let mut facts = vec![
        ("Soort".to_owned(), sentence(leave_kind_label(r.kind))),
        (
            "Periode".to_owned(),
            format!(
                "{} tot en met {}",
                date_long_nl(r.from),
                date_long_nl(r.until)
            ),
        ),
        ("Lesdagen".to_owned(), r.lesson_days.to_string()),
        (
            "Wie beslist".to_owned(),
            format!("{} ({})", sentence(decider), v.decider_article),
        ),
    ];
    if r.kind == LeaveKind::GewichtigeOmstandigheden {
        facts.push((
            "Omstandigheid".to_owned(),
            circumstance_label(&r.circumstance).to_owned(),
        ));
    }
    Ok(render(&LeavePage {
        meta: web.meta("Verlofaanvraag", &back),
        back,
        title: format!("Verlofaanvraag {}", r.id),
        facts,
        checks: v
            .checks
            .iter()
            .map(|c| (c.article.to_owned(), c.rule.to_owned(), c.passed))
            .collect(),
        status: leave_status_label(r).to_owned(),
        decided: matches!(r.status, LeaveStatus::Toegekend | LeaveStatus::Afgewezen),
        ground: r.decision_ground.clone(),
        letter: r
            .has_letter
            .then(|| format!("/ouders/verlof/{}/besluit.pdf", r.id)),
        document: r
            .document_type
            .is_some()
            .then(|| format!("/ouders/verlof/{}/werkgeversverklaring", r.id)),
        done: done_text(&q.gedaan),
    }))
}

/// A PDF answer.
pub fn pdf(file_name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "inline; filename=\"{}\"",
        file_name.replace(['"', '\\', '\r', '\n'], "_")
    );
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /ouders/verlof/{id}/besluit.pdf`.
pub async fn leave_letter(
    State(state): State<AppState>,
    web: ParentWeb,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Response> {
    let bytes = parents::leave_letter_for_parent(&state.store, web.user.id, id)
        .await
        .map_err(service_error)?;
    Ok(pdf(&format!("besluit-verlof-{id}.pdf"), bytes))
}

/// `GET /ouders/brieven/{id}`: a letter about the parent's child.
pub async fn letter(
    State(state): State<AppState>,
    web: ParentWeb,
    UrlPath(id): UrlPath<i64>,
) -> ApiResult<Response> {
    let (name, bytes) = parents::letter(&state.store, web.user.id, id)
        .await
        .map_err(service_error)?;
    Ok(pdf(&name, bytes))
}
