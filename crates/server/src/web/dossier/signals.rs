//! A case's signals on the dossier page: each with its evidence (the registrations and events
//! that caused it, as the caller may see them), the card's actions per party, and beside luxe
//! verzuim the pupil's refused leave requests of the same period. Pure.

use std::collections::HashMap;
use std::fmt::Write as _;

use verzuim_engine::model::{Code, Party, SignalKind, Span};
use verzuim_service::dossier_view::Dossier;
use verzuim_service::model::{LeaveRequest, LeaveStatus};
use verzuim_service::model::{SignalStatus, StoredEvent, StoredEvidence, StoredRegistration};
use verzuim_service::visibility::CaseView;

use super::view::{EvidenceRow, PartyActions, SignalBlock};
use crate::nl::{self, date_nl};
use crate::web::kind_label;
use crate::web::ouders::leave_kind_label;

/// The case's signals, newest first, with their evidence and the card's actions per party.
pub(super) fn signal_blocks(d: &Dossier, view: &CaseView, mine_school: bool) -> Vec<SignalBlock> {
    // The school's refused leave requests of the pupil (docs/parents.md), for luxe verzuim.
    let refused: Vec<&LeaveRequest> = if mine_school {
        d.leave_requests
            .iter()
            .filter(|r| r.status == LeaveStatus::Afgewezen)
            .collect()
    } else {
        Vec::new()
    };
    let registrations: HashMap<i64, &StoredRegistration> =
        d.registrations.iter().map(|r| (r.id, r)).collect();
    let events: HashMap<i64, &StoredEvent> = d.events.iter().map(|e| (e.id, e)).collect();
    let mut signals = Vec::new();
    for s in &view.signals {
        let evidence = s
            .evidence
            .iter()
            .map(|e| match e {
                StoredEvidence::Registration {
                    id,
                    version,
                    minutes,
                } => match registrations.get(id) {
                    Some(r) => {
                        let reg = &r.registration;
                        let date = match reg.span {
                            Span::Days { from, until } if from == until => date_nl(from),
                            Span::Days { from, until } => {
                                format!("{} t/m {}", date_nl(from), date_nl(until))
                            }
                            Span::Times { date, from, until } => format!(
                                "{} {}{}",
                                date_nl(date),
                                nl::hhmm(from),
                                until
                                    .map(|u| format!("-{}", nl::hhmm(u)))
                                    .unwrap_or_default()
                            ),
                        };
                        let mut what = nl::capitalise(reg.code.label());
                        if r.version != *version {
                            let _ = write!(what, " (gecorrigeerd, telde in versie {version})");
                        }
                        EvidenceRow {
                            date,
                            what,
                            minutes: if reg.code == Code::TeLaat {
                                format!("{} min. te laat", reg.minutes_late.unwrap_or(*minutes))
                            } else {
                                nl::hours_nl(*minutes)
                            },
                        }
                    }
                    None => EvidenceRow {
                        date: "–".into(),
                        what: format!("Registratie {id} (niet zichtbaar voor u)"),
                        minutes: nl::hours_nl(*minutes),
                    },
                },
                StoredEvidence::Event { id, version } => match events.get(id) {
                    Some(e) => {
                        let mut what = e.event.kind.label().to_owned();
                        if e.version != *version {
                            let _ = write!(what, " (gecorrigeerd, telde in versie {version})");
                        }
                        EvidenceRow {
                            date: date_nl(e.event.date),
                            what,
                            minutes: String::new(),
                        }
                    }
                    None => EvidenceRow {
                        date: "–".into(),
                        what: format!("Gebeurtenis {id} (niet zichtbaar voor u)"),
                        minutes: String::new(),
                    },
                },
                StoredEvidence::Deregistration { enrolled_until } => EvidenceRow {
                    date: date_nl(*enrolled_until),
                    what: "Uitgeschreven".into(),
                    minutes: String::new(),
                },
            })
            .collect();
        let mut actions: Vec<PartyActions> = Vec::new();
        for party in Party::ALL {
            let items: Vec<String> = s
                .actions
                .iter()
                .filter(|a| a.party == party)
                .map(|a| {
                    // A principle of the card is shown as one, never as an action (issue 11).
                    if verzuim_service::principles::is_principle(&a.text) {
                        return format!("Uitgangspunt (geen actie): {}", a.text);
                    }
                    let mut t = a.text.to_string();
                    if let Some(d) = a.due {
                        let _ = write!(t, " (uiterlijk {})", date_nl(d));
                    }
                    if a.trigger.is_some() {
                        t.push_str(" (alleen als de leerling zonder goede reden niet verschijnt)");
                    }
                    t
                })
                .collect();
            if !items.is_empty() {
                actions.push(PartyActions {
                    party: party.label(),
                    items,
                });
            }
        }
        let summary = match (s.minutes, s.period, s.count) {
            (_, _, Some(n)) if s.kind == SignalKind::TeLaat => format!("{n} keer te laat"),
            (Some(m), Some(p), _) => format!(
                "{} van {} t/m {}",
                nl::hours_nl(m),
                date_nl(p.from),
                date_nl(p.to)
            ),
            (Some(m), None, _) => nl::hours_nl(m),
            (None, Some(p), _) => format!("{} t/m {}", date_nl(p.from), date_nl(p.to)),
            (None, None, Some(n)) => format!("{n} keer"),
            _ => String::new(),
        };
        signals.push(SignalBlock {
            id: s.id,
            kind: kind_label(s.kind),
            date: date_nl(s.date),
            active: s.status == SignalStatus::Active,
            withdrawn: s.withdrawn_reason.clone(),
            summary,
            evidence,
            actions,
            refused_leave: if matches!(
                s.kind,
                SignalKind::LuxeVerzuim | SignalKind::MogelijkLuxeVerzuim
            ) {
                let (from, to) = s
                    .period
                    .map_or((s.date, s.date), |p| (p.from.min(s.date), p.to.max(s.date)));
                refused
                    .iter()
                    .filter(|r| {
                        let margin = jiff::Span::new().days(14);
                        r.from <= to.saturating_add(margin)
                            && r.until.saturating_add(margin) >= from
                    })
                    .map(|r| {
                        (
                            format!(
                                "Verlof afgewezen: {} van {} tot en met {}",
                                leave_kind_label(r.kind),
                                date_nl(r.from),
                                date_nl(r.until)
                            ),
                            format!("/verlof/{}", r.id),
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            },
        });
    }

    // Newest first (only the newest is unfolded on the page).
    signals.sort_by_key(|s| std::cmp::Reverse(s.id));
    signals
}
