//! One child's page for a parent (`GET /ouders/{school}/{pupil}`): registrations, sick reports,
//! leave requests, letters, the school's meldingen and referrals as parents may know them.

use super::*;

pub(crate) struct Row2 {
    pub(crate) when: String,
    pub(crate) what: String,
}

pub(crate) struct LetterRow {
    pub(crate) href: String,
    pub(crate) label: String,
    pub(crate) date: String,
}

pub(crate) struct LeaveRow {
    pub(crate) href: String,
    pub(crate) label: String,
    pub(crate) status: String,
}

#[derive(Template)]
#[template(path = "ouders_kind.html")]
pub(crate) struct ChildPage {
    pub(crate) meta: PageMeta,
    pub(crate) name: String,
    pub(crate) school: String,
    pub(crate) group: String,
    pub(crate) href: String,
    pub(crate) sick: Option<String>,
    pub(crate) contact: Vec<String>,
    pub(crate) absence: Vec<Row2>,
    pub(crate) informed: Vec<Row2>,
    pub(crate) letters: Vec<LetterRow>,
    pub(crate) statuses: Vec<Row2>,
    pub(crate) sick_reports: Vec<String>,
    pub(crate) leave: Vec<LeaveRow>,
    pub(crate) done: Option<String>,
}

pub(crate) fn how_label(how: InformedHow) -> &'static str {
    match how {
        InformedHow::Gesprek => "in een gesprek",
        InformedHow::Telefoon => "telefonisch",
        InformedHow::Brief => "per brief",
        InformedHow::Email => "per e-mail",
        InformedHow::Anders => "op een andere manier",
    }
}

pub(crate) fn melding_status_label(s: MeldingStatus) -> &'static str {
    match s {
        MeldingStatus::Geregistreerd => "ontvangen door leerplicht",
        MeldingStatus::InBehandeling => "in behandeling bij leerplicht",
        MeldingStatus::Afgesloten => "afgesloten",
        MeldingStatus::Ingetrokken => "ingetrokken door de school",
        MeldingStatus::TerKennisgevingAangenomen => "ter kennisgeving aangenomen door leerplicht",
    }
}

pub(crate) fn referral_status_label(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Aangemeld => "aangemeld bij de jeugdgezondheidszorg (GGD-JGZ)",
        ReferralStatus::InBehandeling => "in behandeling bij de jeugdgezondheidszorg (GGD-JGZ)",
        ReferralStatus::NietVerschenenZonderTegenbericht => {
            "afspraak bij de jeugdgezondheidszorg niet nagekomen"
        }
        ReferralStatus::Afgerond => "afgerond door de jeugdgezondheidszorg (GGD-JGZ)",
        ReferralStatus::Ingetrokken => "ingetrokken door de school",
    }
}

/// The status of a leave request in words.
pub fn leave_status_label(r: &LeaveRequest) -> &'static str {
    match r.status {
        LeaveStatus::Ingediend => "ingediend, wacht op een besluit",
        LeaveStatus::AdviesGegeven => {
            "advies van de directeur gegeven, wacht op de leerplichtambtenaar"
        }
        LeaveStatus::Toegekend => "toegekend",
        LeaveStatus::Afgewezen => "afgewezen",
    }
}

/// The kind of leave in words.
pub fn leave_kind_label(k: LeaveKind) -> &'static str {
    match k {
        LeaveKind::Vakantieverlof => "vakantieverlof",
        LeaveKind::GewichtigeOmstandigheden => "verlof wegens gewichtige omstandigheden",
    }
}

pub(crate) fn child_page(web: &ParentWeb, v: ChildView, done: Option<String>) -> ChildPage {
    let href = child_href(&v.child.school_id, &v.child.pupil_id);
    let absence = v
        .registrations
        .iter()
        .map(|r| Row2 {
            when: span_nl(&r.registration.span),
            what: r.registration.code.label().to_owned(),
        })
        .collect();
    let informed = v
        .informed
        .iter()
        .map(|i| Row2 {
            when: date_nl(i.info.informed_on),
            what: match &i.action {
                Some(a) => format!("{} ({})", sentence(a), how_label(i.info.how)),
                None => format!("De school heeft u {} geïnformeerd.", how_label(i.info.how)),
            },
        })
        .collect();
    let letters = v
        .letters
        .iter()
        .map(|l| LetterRow {
            href: format!("/ouders/brieven/{}", l.id),
            label: verzuim_letters::LetterKind::ALL
                .into_iter()
                .find(|k| k.as_str() == l.kind)
                .map_or(l.kind.clone(), |k| sentence(k.label())),
            date: date_nl(nl::local_date(l.created_at)),
        })
        .collect();
    let mut statuses: Vec<Row2> = v
        .meldingen
        .iter()
        .map(|m| Row2 {
            when: date_nl(m.reported_on),
            what: format!(
                "Melding aan de leerplichtambtenaar: {}",
                melding_status_label(m.status)
            ),
        })
        .collect();
    statuses.extend(v.referrals.iter().map(|r| Row2 {
        when: date_nl(r.referred_on),
        what: format!("Verwijzing: {}", referral_status_label(r.status)),
    }));
    let contact = v
        .school_will_contact
        .iter()
        .map(|t| match t.due {
            Some(d) => format!(
                "De school neemt contact met u op voor een gesprek (uiterlijk {}).",
                date_long_nl(d)
            ),
            None => "De school neemt contact met u op voor een gesprek.".to_owned(),
        })
        .collect();
    ChildPage {
        meta: web.meta(v.child.name.clone(), &href),
        sick: v.child.sick.as_ref().map(sick_text),
        name: v.child.name,
        school: v.child.school_name,
        group: v.child.group,
        contact,
        absence,
        informed,
        letters,
        statuses,
        sick_reports: v.sick_reports.iter().map(sick_text).collect(),
        leave: v
            .leave_requests
            .iter()
            .map(|r| LeaveRow {
                href: format!("/ouders/verlof/{}", r.id),
                label: format!(
                    "{}: {} tot en met {}",
                    sentence(leave_kind_label(r.kind)),
                    date_nl(r.from),
                    date_nl(r.until)
                ),
                status: leave_status_label(r).to_owned(),
            })
            .collect(),
        href,
        done,
    }
}

pub(crate) fn span_nl(span: &verzuim_engine::model::Span) -> String {
    use verzuim_engine::model::Span;
    match *span {
        Span::Days { from, until } if from == until => date_nl(from),
        Span::Days { from, until } => format!("{} t/m {}", date_nl(from), date_nl(until)),
        Span::Times { date, from, until } => match until {
            Some(u) => format!("{} {}–{}", date_nl(date), nl::hhmm(from), nl::hhmm(u)),
            None => format!("{} vanaf {}", date_nl(date), nl::hhmm(from)),
        },
    }
}

/// `GET /ouders/{school}/{pupil}`.
pub async fn child(
    State(state): State<AppState>,
    web: ParentWeb,
    audit: Audit,
    UrlPath((school_id, pupil_id)): UrlPath<(String, String)>,
    q: axum::extract::Query<DoneQuery>,
) -> ApiResult<Response> {
    let v = parents::child(
        &state.store,
        web.user.id,
        today(&state),
        &school_id,
        &pupil_id,
    )
    .await
    .map_err(service_error)?;
    audit
        .event_by(
            verzuim_service::model::Actor::User(web.user.id),
            action::PUPIL_READ,
        )
        .organisation(&school_id)
        .object(format!("ouder:{}", web.user.id))
        .pupil(&school_id, &pupil_id)
        .write()
        .await?;
    Ok(render(&child_page(&web, v, done_text(&q.gedaan))))
}
