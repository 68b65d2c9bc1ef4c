//! A school's settings (lesson times, closed periods, card), its GGD-JGZ organisation, and
//! municipalities by name or CBS code.

use jiff::civil::Date;
use verzuim_engine::model::{ClosedKind, School};
use verzuim_store::card_history::EarlierCard;
use verzuim_store::{Actor, AuditEntry, Organisation, Page, SchoolSettings, Scope, Store, Tx};

use crate::caller::{ADMIN_ROLES, Caller};
use crate::cards;
use crate::error::Result;
use crate::sync::{SyncReport, sync_pupil};

/// Stores a school's settings and re-evaluates every pupil of the school with them (closed days
/// and lesson times change what counts), in one transaction.
///
/// A change of card (`settings.card_id` other than the stored one) applies from `times_from`
/// (without it: today by the store's clock), but not before the new card's own `valid_from`:
/// the days before keep the card that applied then (`verzuim_store::card_history`,
/// [`cards::CardHistory`]; issue 10.2: "a school's card has a valid-from date").
///
/// `times_from`: the day from which the lesson times of `settings` apply (issue 10.2: lesson
/// times have a history; past evidence keeps the minutes of the times that applied then). The
/// stored history is kept and the new times replace those of that day on. `None`: the settings
/// are stored as given, history included (a page that loaded and edited them, the import, a
/// school's first settings).
pub async fn put_school_settings(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    settings: &SchoolSettings,
    times_from: Option<Date>,
) -> Result<SyncReport> {
    replace_settings(store, caller, school_id, settings, times_from, None, None).await
}

/// [`put_school_settings`], and with `ggd` also [`set_school_ggd`], with the change's audit row,
/// all in one transaction.
pub async fn replace_settings(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    settings: &SchoolSettings,
    times_from: Option<Date>,
    ggd: Option<&str>,
    audit: Option<&AuditEntry>,
) -> Result<SyncReport> {
    caller.require_school(school_id, ADMIN_ROLES, "de schoolinstellingen wijzigen")?;
    let card = cards::card(&settings.card_id)?;
    let mut tx = store.begin().await?;
    let mut settings = settings.clone();
    let stored = tx.school_settings(school_id).await?;
    // A change of card applies from a date on (issue 10.2): the request's (`times_from`, by
    // default today), and never before the new card's own `valid_from`; the days before keep
    // the card that applied then.
    let card_change = stored
        .as_ref()
        .filter(|s| s.card_id != settings.card_id)
        .map(|s| {
            let from = times_from.unwrap_or_else(|| {
                store
                    .now()
                    .to_zoned(
                        jiff::tz::TimeZone::get("Europe/Amsterdam")
                            .unwrap_or(jiff::tz::TimeZone::UTC),
                    )
                    .date()
            });
            (s.card_id.clone(), card.valid_from.max(from))
        });
    if let Some(from) = times_from
        && let Some(stored) = stored
    {
        let school = &mut settings.school;
        let new_times = std::mem::replace(&mut school.lesson_times, stored.school.lesson_times);
        let new_groups = std::mem::replace(&mut school.groups, stored.school.groups);
        school.earlier_times = stored.school.earlier_times;
        school.set_times_from(from, new_times, new_groups);
    }
    tx.put_school_settings(school_id, &settings).await?;
    if let Some((previous, from)) = card_change {
        let earlier = tx.earlier_cards(school_id).await?;
        tx.set_earlier_cards(school_id, &cards_until(earlier, previous, from))
            .await?;
    }
    let report = resync_school(&mut tx, caller.actor(), school_id).await?;
    if let Some(ggd) = ggd {
        tx.set_school_ggd(school_id, ggd).await?;
    }
    if let Some(row) = audit {
        tx.audit(row).await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// The card history when a new card applies from `from`: the cards as they applied before
/// `from` (the stored history and `current`, the card until now, cut at `from`); a card that
/// would have applied only from `from` on (a change not yet in force) is dropped.
fn cards_until(earlier: Vec<EarlierCard>, current: String, from: Date) -> Vec<EarlierCard> {
    let mut out = Vec::new();
    let mut start: Option<Date> = None;
    let timeline = earlier.into_iter().chain(std::iter::once(EarlierCard {
        until: Date::MAX,
        card_id: current,
    }));
    for e in timeline {
        if e.until < from {
            start = Some(e.until);
            out.push(e);
            continue;
        }
        if start.is_none_or(|s| s < from) {
            out.push(EarlierCard {
                until: from,
                card_id: e.card_id,
            });
        }
        break;
    }
    out
}

/// Names the GGD-JGZ organisation the school refers pupils to (the card's "digitaal
/// aanmeldingsformulier" goes there).
pub async fn set_school_ggd(
    store: &Store,
    caller: &Caller,
    school_id: &str,
    ggd_id: &str,
) -> Result<()> {
    caller.require_school(school_id, ADMIN_ROLES, "de GGD-JGZ van de school instellen")?;
    let mut tx = store.begin().await?;
    tx.set_school_ggd(school_id, ggd_id).await?;
    tx.commit().await?;
    Ok(())
}

/// A municipality by CBS code (`GM0153`) or name ("Enschede"), case-insensitive.
pub async fn find_municipality(store: &Store, name_or_code: &str) -> Result<Option<Organisation>> {
    let mut tx = store.connection().await?;
    Ok(tx.find_municipality(name_or_code).await?)
}

/// Re-evaluates every pupil of a school in `tx`.
pub(crate) async fn resync_school(tx: &mut Tx, by: Actor, school_id: &str) -> Result<SyncReport> {
    let mut ids = Vec::new();
    let mut page = Page::first(verzuim_store::MAX_PAGE_SIZE);
    loop {
        let batch = tx.list_pupils(Scope::School(school_id), page).await?;
        let done = batch.len() < page.limit() as usize;
        ids.extend(batch.into_iter().map(|p| p.data.pupil.id));
        if done {
            break;
        }
        page = page.next();
    }
    let mut report = SyncReport::default();
    for id in ids {
        report.absorb(sync_pupil(tx, by, school_id, &id).await?);
    }
    Ok(report)
}

/// A school as formats.md's `school.toml` (for parsing import files against the stored settings).
pub(crate) fn school_toml(school: &School) -> String {
    use std::fmt::Write as _;
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let q = |s: &str| toml::Value::String(s.to_owned()).to_string();
    let times = |list: &[verzuim_engine::model::TimeRange]| {
        let items: Vec<String> = list.iter().map(|t| q(&t.to_string())).collect();
        format!("[{}]", items.join(", "))
    };
    let mut out = String::new();
    let _ = writeln!(out, "id = {}", q(&school.id));
    let _ = writeln!(out, "name = {}", q(&school.name));
    if let Some(region) = &school.holiday_region {
        let _ = writeln!(out, "holiday_region = {}", q(region));
    }
    let _ = writeln!(out, "\n[lesson_times]");
    for (day, list) in DAYS.iter().zip(&school.lesson_times.0) {
        if !list.is_empty() {
            let _ = writeln!(out, "{day} = {}", times(list));
        }
    }
    for (group, own) in &school.groups {
        let _ = writeln!(out, "\n[lesson_times.groups.{}]", q(group));
        for (day, list) in DAYS.iter().zip(&own.0) {
            if let Some(list) = list {
                let _ = writeln!(out, "{day} = {}", times(list));
            }
        }
    }
    for c in &school.closed {
        let kind = match c.kind {
            ClosedKind::Vakantie => "vakantie",
            ClosedKind::VrijeDag => "vrije_dag",
            ClosedKind::Studiedag => "studiedag",
        };
        let _ = writeln!(
            out,
            "\n[[closed]]\nname = {}\nkind = \"{kind}\"\nfrom = {}\nuntil = {}",
            q(&c.name),
            c.from,
            c.until
        );
    }
    out
}

/// Checks that `date` is a lesson day of the pupil's group at the school: the day a school
/// invites the parents for a talk (kaart Twente PO: "Gaat in gesprek met ouders"; issue 11: never
/// in a holiday or on a day the school is closed). Errors are Dutch and name the date and why:
/// the closed period by its name, or the weekday without lessons. A school without settings
/// has no calendar to check against: that is an error too.
pub async fn check_lesson_day(
    store: &Store,
    school_id: &str,
    group: &str,
    date: jiff::civil::Date,
    what: &str,
) -> Result<()> {
    let mut tx = store.connection().await?;
    let settings = tx.school_settings(school_id).await?.ok_or_else(|| {
        crate::error::ServiceError::invalid(format!(
            "{what} kan niet worden gecontroleerd: de school heeft nog geen lestijden en \
             vakanties ingesteld (beheer)"
        ))
    })?;
    let on = crate::text::date_nl(date);
    if let Some(p) = settings
        .school
        .closed
        .iter()
        .find(|p| p.from <= date && date <= p.until)
    {
        let kind = match p.kind {
            ClosedKind::Vakantie => "vakantie",
            ClosedKind::VrijeDag => "vrije dag",
            ClosedKind::Studiedag => "studiedag",
        };
        return Err(crate::error::ServiceError::invalid(format!(
            "{what} ({on}) valt in {} ({kind}, {} t/m {}): kies een lesdag van de school",
            p.name,
            crate::text::date_nl(p.from),
            crate::text::date_nl(p.until)
        )));
    }
    let week = settings.school.week_times(group);
    let weekday = date.weekday().to_monday_zero_offset() as usize;
    if week.0[weekday].iter().all(|t| t.minutes() == 0) {
        return Err(crate::error::ServiceError::invalid(format!(
            "{what} ({on}) valt op een {} en dat is geen lesdag van groep {group}: kies een \
             lesdag van de school",
            crate::text::DAYS[weekday]
        )));
    }
    Ok(())
}

#[cfg(test)]
mod card_history_tests {
    use super::*;

    fn e(until: &str, card: &str) -> EarlierCard {
        EarlierCard {
            until: until.parse().unwrap(),
            card_id: card.into(),
        }
    }

    /// A change keeps what applied before its date: the current card until then; a second
    /// change on the same day replaces the first (that card never applied); a change before a
    /// scheduled one drops the scheduled one.
    #[test]
    fn a_card_change_keeps_what_applied_before() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            cards_until(Vec::new(), "a".into(), d("2026-11-02")),
            [e("2026-11-02", "a")]
        );
        assert_eq!(
            cards_until(vec![e("2026-11-02", "a")], "b".into(), d("2026-11-02")),
            [e("2026-11-02", "a")]
        );
        assert_eq!(
            cards_until(vec![e("2026-11-02", "a")], "b".into(), d("2027-01-04")),
            [e("2026-11-02", "a"), e("2027-01-04", "b")]
        );
        // b was scheduled from 2027-08-01; c from 2026-12-01 on: a applied until then.
        assert_eq!(
            cards_until(vec![e("2027-08-01", "a")], "b".into(), d("2026-12-01")),
            [e("2026-12-01", "a")]
        );
    }
}
