//! A letter's content from the case as the caller may see it: the pupil, the parents, the signal,
//! the melding, the referral, the appointment, with the letterhead of the caller's organisation
//! and signed by the logged-in user; its file name; the answer when a letter cannot be made.

use super::*;

/// `uitnodiging-gesprek-lotte-de-vries-2027-07-09.pdf`.
pub fn file_name(kind: LetterKind, pupil: &str, date: Date) -> String {
    let mut slug = String::new();
    for c in pupil.to_lowercase().chars() {
        let c = match c {
            'á' | 'à' | 'ä' | 'â' => 'a',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'ó' | 'ò' | 'ö' | 'ô' => 'o',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    format!("{}-{slug}-{date}.pdf", kind.as_str().replace('_', "-"))
}

/// The signal a letter is about: the given one, else the case's newest active one.
pub(crate) fn case_signal(case: &CaseView, id: Option<i64>) -> Option<&StoredSignal> {
    if let Some(id) = id
        && let Some(s) = case.signals.iter().find(|s| s.id == id)
    {
        return Some(s);
    }
    // The weightiest: active before withdrawn, leerplicht's kinds (hours of verzuim) before a
    // sick report, then the newest.
    case.signals.iter().max_by_key(|s| {
        (
            s.status == verzuim_service::model::SignalStatus::Active,
            s.kind.requires_leerplicht(),
            s.date,
            s.id,
        )
    })
}

/// Why the letter is sent, in whole sentences, without any health detail.
pub fn reason_sentence(first_name: &str, signal: Option<&StoredSignal>) -> String {
    let Some(s) = signal else {
        return format!(
            "Wij willen graag met u spreken over de aanwezigheid van {first_name} op school."
        );
    };
    match s.kind {
        SignalKind::TeLaat => match s.count {
            Some(n) => {
                format!("{first_name} is dit schooljaar {n} keer te laat op school gekomen.")
            }
            None => format!("{first_name} komt regelmatig te laat op school."),
        },
        SignalKind::Ziekmelding
        | SignalKind::ZiekLangerDan2Weken
        | SignalKind::Ziek3eMeldingIn3Maanden
        | SignalKind::ZorgZiekte => format!(
            "{first_name} is de laatste tijd vaak of lang ziek gemeld. Wij willen graag met u \
             bespreken hoe het met {first_name} gaat en hoe wij kunnen helpen."
        ),
        kind => match (s.minutes, s.period) {
            (Some(m), Some(p)) => format!(
                "{first_name} was van {} tot en met {} in totaal {} afwezig zonder geldige reden \
                 ({}).",
                date_nl(p.from),
                date_nl(p.to),
                nl::hours_nl(m),
                verzuim_service::text::kind_label(kind)
            ),
            _ => format!(
                "Het gaat om {} (gesignaleerd op {}).",
                verzuim_service::text::kind_label(kind),
                date_nl(s.date)
            ),
        },
    }
}

pub(crate) fn first_name(full: &str) -> &str {
    full.split_whitespace().next().unwrap_or(full)
}

pub(crate) struct Filled {
    pub(crate) data: LetterData,
    pub(crate) pupil_name: String,
}

/// The letter's data from the case.
pub(crate) async fn fill(
    state: &AppState,
    web: &WebUser,
    case: &CaseView,
    kind: LetterKind,
    q: &LetterForm,
) -> ApiResult<Filled> {
    let caller = web.caller();
    let c = &case.case;
    let pupil: StoredPupil = visibility::pupil(&state.store, &caller, &c.school_id, &c.pupil_id)
        .await
        .map_err(service_error)?;
    let school = verzuim_service::organisations::organisation(&state.store, &c.school_id)
        .await
        .map_err(service_error)?
        .map_or_else(|| c.school_id.clone(), |o| o.name);
    let d = &pupil.data;
    let name = d.name.clone().unwrap_or_else(|| c.pupil_id.clone());
    let first = first_name(&name).to_owned();
    let today = today(state);
    let lh = &web.org.letterhead;
    let sender = Sender {
        name: web.org.name.clone(),
        street: lh.street.clone().unwrap_or_default(),
        postcode: lh.postcode.clone().unwrap_or_default(),
        city: lh.city.clone().unwrap_or_default(),
        phone: lh.phone.clone().unwrap_or_default(),
        email: lh.email.clone().unwrap_or_default(),
        website: None,
        logo: None,
    };
    let recipient = Recipient {
        name: d
            .parent_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("De ouders/verzorgers van {name}")),
        street: d.street.clone().unwrap_or_default(),
        postcode: d.postcode.clone().unwrap_or_default(),
        city: d.city.clone().unwrap_or_default(),
    };
    let signatory = Signatory {
        name: web.user.display_name.clone(),
        function: function(web.role()).to_owned(),
    };
    let melding_id = id_param(q.melding.as_deref(), "De melding")?;
    let referral_id = id_param(q.verwijzing.as_deref(), "De verwijzing")?;
    let mut reference = format!("Zaak {}", c.id);
    let mut copy_to = None;
    let default_place = [
        web.org.name.as_str(),
        sender.street.as_str(),
        sender.city.as_str(),
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join(", ");
    let (subject, body) = match kind {
        LetterKind::UitnodigingGesprek => {
            let (date, start, location) = appointment(q, today, &default_place)?;
            if web.org.kind == OrgKind::School {
                // Issue 11: the school's talk is on a lesson day of the pupil's group, never in
                // a holiday or on a closed day.
                verzuim_service::school::check_lesson_day(
                    &state.store,
                    &c.school_id,
                    &d.pupil.group,
                    date,
                    "De datum van het gesprek",
                )
                .await
                .map_err(service_error)?;
            }
            let signal = case_signal(case, None);
            let invite_pupil = verzuim_engine::evaluation::age_on(d.pupil.birth_date, date) >= 12;
            (
                format!("Uitnodiging voor een gesprek over {name}"),
                LetterBody::UitnodigingGesprek(UitnodigingGesprek {
                    date,
                    start_time: start,
                    end_time: start.checked_add(jiff::Span::new().minutes(45)).ok(),
                    location,
                    with: format!("{}, {}", web.user.display_name, function(web.role())),
                    reason: reason_sentence(&first, signal),
                    invite_pupil,
                }),
            )
        }
        LetterKind::UitnodigingGgdJgz => {
            let r = case_referral(case, referral_id)?;
            reference = format!("Verwijzing {}", r.id);
            let (date, start, location) = appointment(q, today, &default_place)?;
            (
                format!("Uitnodiging voor een gesprek bij de jeugdgezondheidszorg over {name}"),
                LetterBody::UitnodigingGgdJgz(UitnodigingGgdJgz {
                    reason: referral_reason(case),
                    school: school.clone(),
                    referral_date: nl::local_date(r.created_at),
                    date,
                    start_time: start,
                    location,
                    with: format!("{}, {}", web.user.display_name, function(web.role())),
                    invite_pupil: true,
                }),
            )
        }
        LetterKind::OproepLeerplicht => {
            let m = case_melding(case, melding_id)?;
            reference = format!("Melding {}", m.id);
            copy_to = Some(school.clone());
            let (date, start, location) = appointment(q, today, &default_place)?;
            let purpose = match q.doel.as_deref().map(str::trim) {
                None | Some("") | Some("gesprek") => OproepPurpose::Gesprek,
                Some("proces_verbaal") => OproepPurpose::ProcesVerbaal,
                Some(other) => {
                    return Err(bad(format!(
                        "Het doel van de oproep is gesprek of proces_verbaal (gekregen: {other})."
                    )));
                }
            };
            let invite_pupil = verzuim_engine::evaluation::age_on(d.pupil.birth_date, date) >= 12;
            let kind_words = verzuim_service::text::kind_label(m.verzuim_kind).to_owned();
            (
                format!("Oproep: {kind_words} van {name}"),
                LetterBody::OproepLeerplicht(OproepLeerplicht {
                    purpose,
                    verzuim_kind: kind_words,
                    period_start: m.period.from,
                    period_end: m.period.to,
                    date,
                    start_time: start,
                    location,
                    with: format!("{}, {}", web.user.display_name, function(web.role())),
                    invite_pupil,
                }),
            )
        }
        LetterKind::BesluitVerlof => {
            return Err(bad(
                "Een besluit op een verlofaanvraag maakt u bij de verlofaanvraag (/verlof)."
                    .to_owned(),
            ));
        }
        LetterKind::Waarschuwingsbrief | LetterKind::OverzichtMelding => {
            let m = case_melding(case, melding_id)?;
            reference = format!("Melding {}", m.id);
            let view = meldingen::melding(&state.store, &caller, m.id)
                .await
                .map_err(service_error)?;
            let kind_words = verzuim_service::text::kind_label(m.verzuim_kind).to_owned();
            if kind == LetterKind::Waarschuwingsbrief {
                copy_to = Some(school.clone());
                let signal = case_signal(case, view.signal_id);
                (
                    format!("Waarschuwing: {kind_words} van {name}"),
                    LetterBody::Waarschuwingsbrief(Waarschuwingsbrief {
                        verzuim_kind: kind_words,
                        period_start: m.period.from,
                        period_end: m.period.to,
                        minutes: m.minutes,
                        times_late: signal
                            .filter(|s| s.kind == SignalKind::TeLaat)
                            .and_then(|s| s.count),
                        consequence: Waarschuwingsbrief::STANDARD_CONSEQUENCE.to_owned(),
                    }),
                )
            } else {
                let municipality =
                    verzuim_service::organisations::organisation(&state.store, &m.municipality)
                        .await
                        .map_err(service_error)?
                        .map_or_else(|| m.municipality.clone(), |o| o.name);
                // "Via het verzuimregister van DUO" only once the school submitted it.
                let duo_submission =
                    verzuim_service::duo::register_view(&state.store, &caller, m.id)
                        .await
                        .map_err(service_error)?
                        .submission
                        .map(|s| verzuim_letters::DuoSubmitted {
                            on: s.submitted_on,
                            meldingsnummer: s.meldingsnummer,
                        });
                let status_history = view
                    .history
                    .iter()
                    .map(|h| StatusEntry {
                        date: nl::local_date(h.at),
                        status: MeldingStatus::parse(&h.status)
                            .map_or_else(|| h.status.clone(), |s| melding_status_nl(s).to_owned()),
                        note: h
                            .reason
                            .as_deref()
                            .filter(|r| !r.trim().is_empty())
                            .map(crate::web::leerplicht::reason_nl),
                    })
                    .collect();
                (
                    format!("Melding aan leerplicht over {name}"),
                    LetterBody::OverzichtMelding(OverzichtMelding {
                        person_number: view.number.clone(),
                        person_number_kind: match view.number_kind.as_str() {
                            "onderwijsnummer" => PersonNumberKind::Onderwijsnummer,
                            _ => PersonNumberKind::Bsn,
                        },
                        verzuim_kind: kind_words,
                        start_date: m.period.from,
                        end_date: m.period.to,
                        minutes: m.minutes,
                        suspected_reason: m.suspected_reason.clone(),
                        school_actions: m.school_actions.clone(),
                        reported_on: nl::local_date(m.created_at),
                        municipality,
                        status_history,
                        duo_submission,
                    }),
                )
            }
        }
        LetterKind::VerwijzingGgdJgz => {
            let r = case_referral(case, referral_id)?;
            reference = format!("Verwijzing {}", r.id);
            let ggd_name = verzuim_service::organisations::organisation(&state.store, &r.ggd_id)
                .await
                .map_err(service_error)?
                .map_or_else(|| r.ggd_id.clone(), |o| o.name);
            let reason = referral_reason(case);
            // What the school wrote on the aanmeldingsformulier, else its completed tasks.
            let view = verzuim_service::referrals::referral(&state.store, &caller, r.id)
                .await
                .map_err(service_error)?;
            let actions = match &view.form {
                Some(f) => f.school_actions.clone(),
                None => school_actions(case, &first),
            };
            let principles = verzuim_service::principles::case_principles(
                case.signals
                    .iter()
                    .flat_map(|s| s.actions.iter().map(|a| &*a.text)),
            );
            (
                format!("Verwijzing van {name} naar de jeugdgezondheidszorg"),
                LetterBody::VerwijzingGgdJgz(VerwijzingGgdJgz {
                    reason,
                    referral_date: nl::local_date(r.created_at),
                    ggd_name,
                    school_actions: actions,
                    principles,
                    contact: Contact {
                        name: web.user.display_name.clone(),
                        function: function(web.role()).to_owned(),
                        phone: lh.phone.clone(),
                        email: lh.email.clone(),
                    },
                }),
            )
        }
    };
    Ok(Filled {
        data: LetterData {
            place: sender.city.clone(),
            sender,
            recipient,
            copy_to,
            pupil: Pupil {
                name: name.clone(),
                birth_date: d.pupil.birth_date,
                group: format!("groep {}", d.pupil.group),
                school,
            },
            date: today,
            reference,
            subject,
            body,
            signatory,
        },
        pupil_name: name,
    })
}

/// The melding `id` of the case, or its newest.
pub(crate) fn case_melding(
    case: &CaseView,
    id: Option<i64>,
) -> ApiResult<&verzuim_service::model::Melding> {
    let c = &case.case;
    match id {
        Some(id) => case
            .meldingen
            .iter()
            .find(|m| m.id == id)
            .ok_or_else(|| bad(format!("Melding {id} hoort niet bij zaak {}.", c.id))),
        None => case
            .meldingen
            .iter()
            .max_by_key(|m| (m.created_at, m.id))
            .ok_or_else(|| {
                bad(format!(
                    "Bij zaak {} is nog geen melding gedaan; deze brief gaat over een melding.",
                    c.id
                ))
            }),
    }
}

/// The referral `id` of the case, or its newest.
pub(crate) fn case_referral(
    case: &CaseView,
    id: Option<i64>,
) -> ApiResult<&verzuim_service::model::Referral> {
    let c = &case.case;
    match id {
        Some(id) => case
            .referrals
            .iter()
            .find(|r| r.id == id)
            .ok_or_else(|| bad(format!("Verwijzing {id} hoort niet bij zaak {}.", c.id))),
        None => case
            .referrals
            .iter()
            .max_by_key(|r| (r.created_at, r.id))
            .ok_or_else(|| {
                bad(format!(
                    "Bij zaak {} is nog niet verwezen naar de GGD-JGZ; deze brief gaat over een \
                     verwijzing.",
                    c.id
                ))
            }),
    }
}

/// The card's category of a referral (never a diagnosis), from the case's newest sick signal.
pub(crate) fn referral_reason(case: &CaseView) -> ReferralReason {
    // The weightiest sick signal of the case: a referral row of the card before a sick report.
    let rank = |k: SignalKind| match k {
        SignalKind::ZiekLangerDan2Weken => Some((0, ReferralReason::ZiekLangerDan2Weken)),
        SignalKind::Ziek3eMeldingIn3Maanden => Some((1, ReferralReason::Ziek3eMeldingIn3Maanden)),
        SignalKind::ZorgZiekte => Some((2, ReferralReason::ZorgZiekte)),
        SignalKind::Ziekmelding => Some((3, ReferralReason::ZorgZiekte)),
        _ => None,
    };
    case.signals
        .iter()
        .filter_map(|s| rank(s.kind))
        .min_by_key(|(r, _)| *r)
        .map_or(ReferralReason::OverigVerzuim, |(_, reason)| reason)
}

/// The date, time and place of an appointment that the person making the letter chose (issue
/// 11: never fixed by the program): `datum` (jjjj-mm-dd, today or later) and `tijd` (uu:mm) are
/// required, `plaats` defaults to the organisation's address.
pub(crate) fn appointment(
    q: &LetterForm,
    today: Date,
    default_place: &str,
) -> ApiResult<(Date, Time, String)> {
    let date = match q.datum.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => return Err(bad("Kies de datum van het gesprek (jjjj-mm-dd).")),
        Some(s) => s.parse::<Date>().map_err(|_| {
            bad(format!(
                "De datum van het gesprek is geen geldige datum (jjjj-mm-dd): {s}."
            ))
        })?,
    };
    if date < today {
        return Err(bad(format!(
            "De datum van het gesprek ({}) ligt voor vandaag: kies een datum vanaf vandaag.",
            date_nl(date)
        )));
    }
    let start = match q.tijd.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => return Err(bad("Kies de tijd van het gesprek (uu:mm).")),
        Some(s) => {
            let m = nl::parse_hhmm(s).ok_or_else(|| {
                bad(format!(
                    "De tijd van het gesprek is geen geldige tijd (uu:mm): {s}."
                ))
            })?;
            Time::new((m / 60) as i8, (m % 60) as i8, 0, 0).map_err(ApiError::internal)?
        }
    };
    let location = q
        .plaats
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(|| default_place.to_owned(), str::to_owned);
    if location.chars().count() > 200 {
        return Err(bad(
            "De plaats van het gesprek is te lang (hoogstens 200 tekens).",
        ));
    }
    Ok((date, start, location))
}

/// What the school already did, from its completed tasks of the case (the card's own texts, no
/// health details).
pub fn school_actions(case: &CaseView, first: &str) -> String {
    let done: Vec<String> = case
        .tasks
        .iter()
        .map(|t| &t.task)
        .filter(|t| {
            t.party == verzuim_engine::model::Party::School
                && t.status == TaskStatus::Done
                && !t.melding
                && !t.referral
                // A principle of the card is never something the school did (issue 11).
                && !verzuim_service::principles::is_principle(&t.text)
        })
        .map(|t| {
            format!(
                "{} (afgerond op {})",
                t.text.trim_end_matches('.'),
                date_nl(nl::local_date(t.updated_at))
            )
        })
        .collect();
    if done.is_empty() {
        format!("De school heeft de afwezigheid van {first} bijgehouden en met u besproken.")
    } else {
        format!(
            "De school heeft al het volgende gedaan: {}.",
            done.join("; ")
        )
    }
}

/// Whether a case is the school's to act on (its own kind of organisation).
pub fn is_school(web: &WebUser) -> bool {
    web.org.kind == OrgKind::School
}

/// A melding's status for people.
pub fn melding_status_nl(s: MeldingStatus) -> &'static str {
    match s {
        MeldingStatus::Geregistreerd => "geregistreerd",
        MeldingStatus::InBehandeling => "in behandeling bij leerplicht",
        MeldingStatus::Afgesloten => "afgesloten",
        MeldingStatus::Ingetrokken => "ingetrokken",
        MeldingStatus::TerKennisgevingAangenomen => "ter kennisgeving aangenomen",
    }
}

/// A letter that could not be made: 501 `brieven_niet_gebouwd` in a build without letters
/// (`--no-default-features`: no typst), else 500 `brief_mislukt` with the template's problem
/// after `what` (a Dutch sentence).
pub(crate) fn letter_failed(e: &LetterError, what: &str) -> ApiError {
    if matches!(e, LetterError::NotBuilt) {
        return ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "brieven_niet_gebouwd",
            e.to_string(),
        );
    }
    tracing::warn!(error = %e, "letter failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "brief_mislukt",
        format!("{what} {e}"),
    )
}
