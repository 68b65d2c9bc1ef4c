//! Small builders shared by the stories.

use jiff::civil::Date;
use verzuim_engine::model::{
    Code, Evidence, Party, Period, Pupil, Registration, Signal, SignalAction, SignalKind, Span,
};
use verzuim_store::{Letterhead, NewMelding, OrgKind, Organisation, PupilData, Store};

pub fn d(s: &str) -> Date {
    s.parse().expect("date")
}

pub async fn org(store: &Store, id: &str, kind: OrgKind) {
    store
        .put_organisation(&Organisation {
            id: id.into(),
            kind,
            name: format!("Organisatie {id}"),
            letterhead: Letterhead::default(),
        })
        .await
        .expect("put organisation");
}

pub fn pupil_data(id: &str, municipality: &str) -> PupilData {
    PupilData::new(Pupil {
        id: id.into(),
        birth_date: d("2016-03-01"),
        group: "5".into(),
        municipality: municipality.into(),
        enrolled_from: d("2022-08-22"),
        enrolled_until: None,
        next_school: None,
    })
}

pub async fn pupil(store: &Store, school: &str, id: &str) {
    store
        .insert_pupil(school, &pupil_data(id, "GM0153"))
        .await
        .expect("insert pupil");
}

pub fn days(code: Code, from: &str, until: &str) -> Registration {
    Registration {
        code,
        span: Span::Days {
            from: d(from),
            until: d(until),
        },
        minutes_late: None,
    }
}

pub fn late(date: &str, minutes: u32) -> Registration {
    Registration {
        code: Code::TeLaat,
        span: Span::Times {
            date: d(date),
            from: 8 * 60 + 45,
            until: None,
        },
        minutes_late: Some(minutes),
    }
}

pub fn relatief_signal() -> Signal {
    Signal {
        kind: SignalKind::RelatiefVerzuim,
        date: d("2026-10-08"),
        count: None,
        stage: None,
        minutes: Some(975),
        period: Some(Period {
            from: d("2026-09-21"),
            to: d("2026-10-08"),
        }),
        evidence: vec![Evidence::Registration {
            index: 0,
            minutes: 975,
        }],
        pupil_participates: false,
        actions: [
            SignalAction {
                party: Party::School,
                text: "Meldt bij de leerplichtambtenaar".into(),
                melding: true,
                referral: false,
                due: Some(d("2026-10-15")),
                trigger: None,
            },
            SignalAction {
                party: Party::Leerplicht,
                text: "Neemt de melding in behandeling".into(),
                melding: false,
                referral: false,
                due: None,
                trigger: None,
            },
        ]
        .into(),
    }
}

/// A melding to GM0153 of the relatief verzuim of [`relatief_signal`], in `case_id`.
pub fn relatief_melding(case_id: i64) -> NewMelding {
    NewMelding {
        case_id,
        municipality: "GM0153".into(),
        verzuim_kind: SignalKind::RelatiefVerzuim,
        period: Period {
            from: d("2026-09-21"),
            to: d("2026-10-08"),
        },
        minutes: 975,
        suspected_reason: "r".into(),
        school_actions: "a".into(),
    }
}
