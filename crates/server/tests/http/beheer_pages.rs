//! issue 4, item 6: the beheerder's pages under `/beheer/...`: lesson times (re-evaluating every
//! pupil; a bad cell is named and nothing is stored), closed periods and the official school
//! holidays from an uploaded Rijksoverheid file, users and roles, the audit log with filters,
//! the import of formats.md files; and that nobody else gets in.

use reqwest::Method;

use crate::harness::{Env, PASSWORD, TestServer, get_page, post_form};
use crate::region::*;

crate::http_tests!(
    changing_lesson_times_reevaluates_every_pupil,
    a_bad_lesson_time_is_named_in_dutch_and_nothing_is_stored,
    closed_periods_are_added_and_removed,
    the_holiday_file_adds_the_regions_periods_once,
    the_real_holiday_answer_gives_the_official_dates,
    a_school_year_is_chosen_from_a_list_answer,
    what_the_holiday_file_lacks_is_shown_as_a_warning,
    a_broken_holiday_file_is_refused_with_a_dutch_message,
    a_user_added_with_a_role_can_log_in,
    the_last_beheerder_cannot_remove_themselves,
    the_audit_filter_returns_only_matching_rows,
    an_import_with_errors_reports_file_and_line_and_stores_nothing,
    a_good_import_stores_and_reports,
    other_roles_and_organisations_are_kept_out,
    a_group_gets_and_loses_its_own_lesson_times,
    lesson_times_changed_from_today_keep_the_past,
    the_api_changes_lesson_times_from_a_date,
);

/// A list answer: 2026-2027 (Christmas only) and 2027-2028 (illustrative dates), in both
/// timestamp styles.
const HOLIDAYS: &str = include_str!("fixtures/schoolvakanties-2027-2028.json");
/// The real answer for 2023-2024 (a byte-exact copy of shared/data's).
const REAL_2023: &[u8] =
    include_bytes!("../../../exchange/tests/data/schoolvakanties-2023-2024.rijksoverheid.json");

/// A `multipart/form-data` POST: `(name, file name, contents)`; file name `None` for a plain
/// field.
pub async fn post_multipart(
    s: &TestServer,
    c: &reqwest::Client,
    path: &str,
    parts: &[(&str, Option<&str>, &[u8])],
) -> (u16, String) {
    let boundary = "----verzuimtestgrens7MA4YWxk";
    let mut body = Vec::new();
    for (name, file, data) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let res = c
        .post(s.url(path))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn active_signals(s: &TestServer, kind: &str) -> usize {
    s.raw_texts(&format!(
        "SELECT kind FROM signals WHERE status = 'active' AND kind = '{kind}'"
    ))
    .await
    .len()
}

async fn stored_settings(s: &TestServer) -> (String, String) {
    let t = s
        .raw_texts("SELECT lesson_times FROM school_settings WHERE organisation_id = '99XX00'")
        .await;
    let c = s
        .raw_texts("SELECT closed_json FROM school_settings WHERE organisation_id = '99XX00'")
        .await;
    (t[0].clone(), c[0].clone())
}

/// Monday and Tuesday (345 minutes each) and Wednesday (225) of unauthorized absence: 915
/// minutes, under the 960 of relatief verzuim with the demo school's times.
async fn three_days_absent(s: &TestServer) {
    let ib = s.logged_in(COORDINATOR).await;
    enrol(s, &ib, pupil("4001", ENSCHEDE)).await;
    register(s, &ib, "4001", "ongeoorloofd", "2027-06-21", "2027-06-23").await;
}

async fn changing_lesson_times_reevaluates_every_pupil(env: Env) {
    let s = region(&env).await;
    three_days_absent(&s).await;
    assert_eq!(active_signals(&s, "relatief_verzuim").await, 0);
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (status, body) = get_page(&s, &admin, "/beheer/lestijden").await;
    assert_eq!(status, 200);
    assert!(body.contains("value=\"08:30-12:15\""), "Wednesday shown");
    assert!(body.contains("<label class=\"vh\" for=\"t-s-2\">Hele school, woensdag</label>"));
    assert!(body.contains("Groep 1-2"), "the group's own row");
    // A whole Wednesday: 690 + 345 = 1035 minutes, over 960.
    let (status, body) = post_form(
        &s,
        &admin,
        "/beheer/lestijden",
        &[
            ("standaard|2", "08:30-12:00, 12:45-15:00"),
            ("geldig_vanaf", "2027-06-21"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("Opgeslagen."), "{body}");
    assert!(body.contains("gelden vanaf 21-06-2027"), "{body}");
    assert!(body.contains("1 nieuw signaal"), "{body}");
    assert!(!body.contains("1 nieuwe signalen"), "{body}");
    assert!(body.contains("value=\"08:30-12:00, 12:45-15:00\""));
    assert_eq!(active_signals(&s, "relatief_verzuim").await, 1);
    // Back to the short Wednesday: the signal is withdrawn.
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/lestijden",
        &[
            ("standaard|2", "08:30-12:15"),
            ("geldig_vanaf", "2027-06-21"),
        ],
    )
    .await;
    assert!(body.contains("1 ingetrokken"), "{body}");
    assert_eq!(active_signals(&s, "relatief_verzuim").await, 0);
}

async fn a_bad_lesson_time_is_named_in_dutch_and_nothing_is_stored(env: Env) {
    let s = region(&env).await;
    three_days_absent(&s).await;
    let before = stored_settings(&s).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (status, body) = post_form(
        &s,
        &admin,
        "/beheer/lestijden",
        &[
            ("standaard|2", "08:30-12:00, 12:45-15:00"),
            ("standaard|0", "8.30-12"),
            ("groep:1-2|4", "12:00-08:30"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("Niet opgeslagen"), "{body}");
    assert!(
        body.contains("Hele school, maandag: „8.30-12” bevat geen geldige tijd"),
        "{body}"
    );
    assert!(
        body.contains("Groep 1-2, vrijdag: in „12:00-08:30” ligt de eindtijd niet na de begintijd"),
        "{body}"
    );
    assert!(body.contains("aria-invalid=\"true\""));
    assert!(
        body.contains("value=\"8.30-12\""),
        "the entered value stays"
    );
    assert_eq!(stored_settings(&s).await, before, "nothing stored");
    assert_eq!(active_signals(&s, "relatief_verzuim").await, 0);
}

async fn closed_periods_are_added_and_removed(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (status, body) = get_page(&s, &admin, "/beheer/vrije-dagen").await;
    assert_eq!(status, 200);
    assert!(body.contains("Herfstvakantie") && body.contains("10-10-2026"));
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/vrije-dagen",
        &[
            ("actie", "toevoegen"),
            ("naam", "Studiedag extra"),
            ("soort", "studiedag"),
            ("van", "2027-07-05"),
            ("tot", "2027-07-01"),
        ],
    )
    .await;
    assert!(
        body.contains("Tot en met: deze datum ligt vóór de begindatum."),
        "{body}"
    );
    assert!(!stored_settings(&s).await.1.contains("Studiedag extra"));
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/vrije-dagen",
        &[
            ("actie", "toevoegen"),
            ("naam", "Studiedag extra"),
            ("soort", "studiedag"),
            ("van", "05-07-2027"),
            ("tot", "2027-07-05"),
        ],
    )
    .await;
    assert!(body.contains("Opgeslagen."), "{body}");
    assert!(stored_settings(&s).await.1.contains("Studiedag extra"));
    // Remove it again: the button's hidden fields name it.
    let row = body
        .split("<tr>")
        .find(|r| r.contains("Studiedag extra"))
        .unwrap();
    let index = row
        .split("name=\"index\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/vrije-dagen",
        &[
            ("actie", "verwijderen"),
            ("index", index),
            ("van", "2027-07-05"),
            ("tot", "2027-07-05"),
        ],
    )
    .await;
    assert!(body.contains("Opgeslagen."), "{body}");
    assert!(!stored_settings(&s).await.1.contains("Studiedag extra"));
}

fn hidden_values<'a>(body: &'a str, name: &str) -> Vec<&'a str> {
    body.split(&format!("name=\"{name}\" value=\""))
        .skip(1)
        .map(|r| r.split('"').next().unwrap())
        .collect()
}

async fn the_holiday_file_adds_the_regions_periods_once(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let before = stored_settings(&s).await.1;
    let (status, body) = post_multipart(
        &s,
        &admin,
        "/beheer/vakanties",
        &[
            ("regio", None, b"noord"),
            ("bestand", Some("vakanties.json"), HOLIDAYS.as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("alle schooljaren in het bestand (2026-2027, 2027-2028)"),
        "{body}"
    );
    assert!(body.contains("Worden toegevoegd (2)"), "{body}");
    // What the file says per region, noord's marked; zuid's autumn holiday is shown, not added.
    assert!(body.contains("Regio noord (uw regio)"), "{body}");
    assert!(
        body.contains(
            "<td><strong>16-10-2027 t/m 24-10-2027</strong></td><td>16-10-2027 t/m 24-10-2027</td>\
             <td>09-10-2027 t/m 17-10-2027</td>"
        ),
        "{body}"
    );
    assert!(body.contains("Staan er al in (1)"), "{body}");
    assert_eq!(
        stored_settings(&s).await.1,
        before,
        "a preview stores nothing"
    );
    let names = hidden_values(&body, "naam");
    let froms = hidden_values(&body, "van");
    let untils = hidden_values(&body, "tot");
    assert_eq!(names, ["Herfstvakantie 2027", "Kerstvakantie 2027"]);
    assert_eq!(froms, ["2027-10-16", "2027-12-25"]);
    assert_eq!(untils, ["2027-10-24", "2028-01-09"]);
    let mut form = vec![("regio", "noord")];
    for i in 0..2 {
        form.extend([("naam", names[i]), ("van", froms[i]), ("tot", untils[i])]);
    }
    let (_, body) = post_form(&s, &admin, "/beheer/vakanties/toevoegen", &form).await;
    assert!(body.contains("2 vakantie(s) toegevoegd."), "{body}");
    let after = stored_settings(&s).await.1;
    assert!(after.contains("2027-10-16") && after.contains("2028-01-09"));
    assert!(!after.contains("2027-10-09"));
    // Sending it again adds nothing (no duplicates).
    let (_, again) = post_form(&s, &admin, "/beheer/vakanties/toevoegen", &form).await;
    assert!(again.contains("0 vakantie(s) toegevoegd."), "{again}");
    assert_eq!(stored_settings(&s).await.1, after);
    let (_, body) = post_multipart(
        &s,
        &admin,
        "/beheer/vakanties",
        &[("bestand", Some("vakanties.json"), HOLIDAYS.as_bytes())],
    )
    .await;
    assert!(
        body.contains("Alle vakanties uit dit bestand staan er al in"),
        "{body}"
    );
}

/// The real answer for 2023-2024 (shared/data, kept in the exchange crate's tests): the
/// preview adds exactly the official dates of each region (shared/data/README.md).
async fn the_real_holiday_answer_gives_the_official_dates(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    // Region names in any case; a byte-order mark before the JSON is accepted.
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(REAL_2023);
    for (region, herfst, voorjaar, zomer) in [
        (
            "Noord",
            ("2023-10-21", "2023-10-29"),
            ("2024-02-17", "2024-02-25"),
            ("2024-07-20", "2024-09-01"),
        ),
        (
            "midden",
            ("2023-10-14", "2023-10-22"),
            ("2024-02-17", "2024-02-25"),
            ("2024-07-13", "2024-08-25"),
        ),
        (
            "ZUID",
            ("2023-10-14", "2023-10-22"),
            ("2024-02-10", "2024-02-18"),
            ("2024-07-06", "2024-08-18"),
        ),
    ] {
        let (status, body) = post_multipart(
            &s,
            &admin,
            "/beheer/vakanties",
            &[
                ("regio", None, region.as_bytes()),
                ("schooljaar", None, b"2023-2024"),
                ("bestand", Some("schoolvakanties.json"), file.as_slice()),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body.contains("schooljaar <strong>2023-2024</strong>"),
            "{body}"
        );
        assert!(
            !body.contains("Overgeslagen") && !body.contains("Let op"),
            "{body}"
        );
        assert_eq!(
            hidden_values(&body, "naam"),
            [
                "Herfstvakantie 2023",
                "Kerstvakantie 2023",
                "Voorjaarsvakantie 2024",
                "Meivakantie 2024",
                "Zomervakantie 2024"
            ],
            "{region}"
        );
        assert_eq!(
            hidden_values(&body, "van"),
            [herfst.0, "2023-12-23", voorjaar.0, "2024-04-27", zomer.0],
            "{region}"
        );
        assert_eq!(
            hidden_values(&body, "tot"),
            [herfst.1, "2024-01-07", voorjaar.1, "2024-05-05", zomer.1],
            "{region}"
        );
        assert_eq!(hidden_values(&body, "regio"), [region.to_lowercase()]);
    }
}

async fn a_school_year_is_chosen_from_a_list_answer(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (_, page) = get_page(&s, &admin, "/beheer/vrije-dagen").await;
    // The clock is in June 2027: this school year and the next two.
    assert!(
        page.contains(
            "<option value=\"\">Alle schooljaren in het bestand</option>\n      \
             <option value=\"2026-2027\">2026-2027</option><option value=\"2027-2028\">2027-2028</option>\
             <option value=\"2028-2029\">2028-2029</option>"
        ),
        "{page}"
    );
    let preview = async |year: &str| {
        post_multipart(
            &s,
            &admin,
            "/beheer/vakanties",
            &[
                ("regio", None, b"zuid"),
                ("schooljaar", None, year.as_bytes()),
                ("bestand", Some("vakanties.json"), HOLIDAYS.as_bytes()),
            ],
        )
        .await
    };
    let (_, body) = preview("2027-2028").await;
    assert_eq!(
        hidden_values(&body, "naam"),
        ["Herfstvakantie 2027", "Kerstvakantie 2027"]
    );
    assert_eq!(hidden_values(&body, "van"), ["2027-10-09", "2027-12-25"]);
    assert!(
        !body.contains("<td>2026-2027</td>"),
        "only 2027-2028 is shown: {body}"
    );
    let (_, body) = preview("2028-2029").await;
    assert!(
        body.contains(
            "vakanties.json: schooljaar 2028-2029 staat niet in het bestand; het bevat \
             schooljaar 2026-2027, 2027-2028."
        ),
        "{body}"
    );
    let (_, body) = preview("2027").await;
    assert!(
        body.contains("Schooljaar: „2027” is geen schooljaar; schrijf het als 2026-2027"),
        "{body}"
    );
}

/// What the file lacks is shown with its JSON path, next to what was read; a holiday that
/// does not end on a Sunday is shown as read, with a warning.
async fn what_the_holiday_file_lacks_is_shown_as_a_warning(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let before = stored_settings(&s).await.1;
    let broken = HOLIDAYS
        .replace(
            r#"{"region": "zuid", "startdate": "2027-10-09T22:00:00.000Z", "enddate": "2027-10-17T21:59:00.000Z"}"#,
            r#"{"startdate": "2027-10-09T22:00:00.000Z", "enddate": "2027-10-17T21:59:00.000Z"}"#,
        )
        .replace("\"type\": \"Kerstvakantie\",", "\"type\": \"\",")
        .replace("2027-10-24T21:59:00.000Z\"}", "2027-10-25T21:59:00.000Z\"}");
    let (status, body) = post_multipart(
        &s,
        &admin,
        "/beheer/vakanties",
        &[
            ("regio", None, b"noord"),
            ("bestand", Some("vakanties.json"), broken.as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Overgeslagen (3)"), "{body}");
    for warning in [
        "vakanties.json: $[1].content[0].vacations[0].regions[2].region: ontbreekt; verwacht de \
         regio: noord, midden, zuid of heel Nederland",
        "vakanties.json: $[1].content[0].vacations[0].regions: Herfstvakantie 2027-2028 heeft \
         geen data voor regio zuid; scholen daar krijgen deze vakantie niet",
        "vakanties.json: $[1].content[0].vacations[1].type: is leeg; verwacht de naam van de \
         vakantie, zoals Herfstvakantie",
        "vakanties.json: $[1].content[0].vacations[0].regions[0].enddate: de vakantie eindigt \
         op maandag 2027-10-25; schoolvakanties lopen van zaterdag tot en met zondag: controleer \
         deze datum",
    ] {
        assert!(
            body.contains(&warning.replace('"', "&quot;")),
            "{warning}\n{body}"
        );
    }
    assert!(
        body.contains("Let op (2)"),
        "noord and midden end on a Monday: {body}"
    );
    // What could be read is still offered, as read: noord's autumn holiday.
    assert_eq!(hidden_values(&body, "naam"), ["Herfstvakantie 2027"]);
    assert_eq!(hidden_values(&body, "tot"), ["2027-10-25"]);
    assert_eq!(stored_settings(&s).await.1, before);
}

async fn a_broken_holiday_file_is_refused_with_a_dutch_message(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let before = stored_settings(&s).await.1;
    let refused = async |file: &[u8]| {
        post_multipart(
            &s,
            &admin,
            "/beheer/vakanties",
            &[
                ("regio", None, b"noord"),
                ("bestand", Some("kapot.json"), file),
            ],
        )
        .await
    };
    let (status, body) = refused(b"[{\"content\": [ {\"vacations\": [").await;
    assert_eq!(status, 200);
    assert!(body.contains("Niet opgeslagen"), "{body}");
    assert!(
        body.contains(
            "kapot.json:1:30: geen geldige JSON: het bestand houdt op midden in een lijst \
             (een [ zonder ]); is het bestand volledig gedownload?</li>"
        ),
        "file, line and column: {body}"
    );
    let (_, body) = refused(b"<?xml version=\"1.0\"?>\n<schoolvakanties/>").await;
    assert!(
        body.contains("kapot.json:1:1: dit lijkt XML; gebruik het JSON-antwoord"),
        "{body}"
    );
    let (_, body) = refused(b"{\"content\": []}").await;
    assert!(
        body.contains("kapot.json bevat geen schoolvakanties die te lezen zijn")
            && body.contains("kapot.json: $.content: is een lege lijst"),
        "{body}"
    );
    let bad_date = HOLIDAYS.replace("2027-10-16T22:00:00.000Z", "vijftien oktober");
    let (_, body) = post_multipart(
        &s,
        &admin,
        "/beheer/vakanties",
        &[
            ("regio", None, b"noord"),
            ("bestand", Some("vakanties.json"), bad_date.as_bytes()),
        ],
    )
    .await;
    // An unreadable date is left out, with a warning; the rest is offered.
    assert!(body.contains("Overgeslagen (2)"), "{body}");
    assert!(
        body.contains(
            "vakanties.json: $[1].content[0].vacations[0].regions[0].startdate: \
             &#34;vijftien oktober&#34; is geen tijdstip zoals 2026-10-10T00:00:00.000Z"
        ),
        "{body}"
    );
    assert_eq!(hidden_values(&body, "naam"), ["Kerstvakantie 2027"]);
    let (_, body) = post_multipart(
        &s,
        &admin,
        "/beheer/vakanties",
        &[
            ("regio", None, b"west"),
            ("bestand", Some("vakanties.json"), HOLIDAYS.as_bytes()),
        ],
    )
    .await;
    assert!(
        body.contains("Regio: kies noord, midden of zuid."),
        "{body}"
    );
    assert_eq!(stored_settings(&s).await.1, before);
}

async fn a_user_added_with_a_role_can_log_in(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (status, body) = get_page(&s, &admin, "/beheer/gebruikers").await;
    assert_eq!(status, 200);
    assert!(body.contains("ib@esch.nl") && !body.contains("ib@wilg.nl"));
    // A password against the policy: refused, nobody made.
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/gebruikers",
        &[
            ("email", "nieuw@esch.nl"),
            ("naam", "Nieuwe Juf"),
            ("wachtwoord", "kort"),
            ("rol", "leerkracht"),
            ("groepen", "5, 6"),
        ],
    )
    .await;
    assert!(
        body.contains("Eerste wachtwoord: Het wachtwoord moet minstens 12 tekens"),
        "{body}"
    );
    assert_eq!(
        s.login(&s.bare(), "nieuw@esch.nl", "kort").await.status(),
        401
    );
    let password = "zeven-groene-kikkers-springen";
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/gebruikers",
        &[
            ("email", "Nieuw@esch.nl"),
            ("naam", "Nieuwe Juf"),
            ("wachtwoord", password),
            ("rol", "leerkracht"),
            ("groepen", "5, 6"),
        ],
    )
    .await;
    assert!(
        body.contains("Gebruiker nieuw@esch.nl aangemaakt met de rol Leerkracht."),
        "{body}"
    );
    assert!(!body.contains(password), "the password is not echoed");
    let res = s.login(&s.bare(), "nieuw@esch.nl", password).await;
    assert_eq!(res.status(), 200);
    let me = s.browser();
    s.login(&me, "nieuw@esch.nl", password).await;
    let (status, body) = get_page(&s, &me, "/registreren").await;
    assert_eq!(status, 200, "{body}");
    // A role for an existing user (no password needed); a role twice is refused.
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/gebruikers",
        &[("email", COORDINATOR), ("rol", "beheerder")],
    )
    .await;
    assert!(
        body.contains("heeft de rol Beheerder erbij gekregen"),
        "{body}"
    );
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/gebruikers",
        &[("email", COORDINATOR), ("rol", "beheerder")],
    )
    .await;
    assert!(body.contains("heeft de rol beheerder al"), "{body}");
    let roles = s
        .raw_texts(
            "SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id \
             WHERE u.email = 'ib@esch.nl' ORDER BY m.role",
        )
        .await;
    assert_eq!(roles, ["beheerder", "verzuimcoordinator"]);
    // A role that does not fit a school.
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/gebruikers",
        &[
            ("email", "x@esch.nl"),
            ("naam", "X"),
            ("wachtwoord", password),
            ("rol", "jgz"),
        ],
    )
    .await;
    assert!(body.contains("Rol: kies een rol uit de lijst."), "{body}");
    // The audit log has the change.
    let actions = s
        .raw_texts("SELECT action FROM audit_log WHERE action = 'membership_add'")
        .await;
    assert_eq!(actions.len(), 2);
}

async fn the_last_beheerder_cannot_remove_themselves(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let me = s
        .raw_texts("SELECT CAST(id AS TEXT) FROM users WHERE email = 'beheer@esch.nl'")
        .await;
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/gebruikers/intrekken",
        &[("gebruiker", &me[0]), ("rol", "beheerder")],
    )
    .await;
    assert!(body.contains("U bent de laatste beheerder"), "{body}");
    let teacher = s
        .raw_texts("SELECT CAST(id AS TEXT) FROM users WHERE email = 'leerkracht@esch.nl'")
        .await;
    let (_, body) = post_form(
        &s,
        &admin,
        "/beheer/gebruikers/intrekken",
        &[("gebruiker", &teacher[0]), ("rol", "leerkracht")],
    )
    .await;
    assert!(body.contains("De rol Leerkracht is ingetrokken."), "{body}");
    assert!(
        s.raw_texts(&format!(
            "SELECT role FROM memberships WHERE user_id = {}",
            teacher[0]
        ))
        .await
        .is_empty()
    );
}

async fn the_audit_filter_returns_only_matching_rows(env: Env) {
    let s = region(&env).await;
    // Rows of several actions and users: logins, and pupil data written by the coordinator.
    let ib = s.logged_in(COORDINATOR).await;
    enrol(&s, &ib, pupil("4001", ENSCHEDE)).await;
    enrol(&s, &ib, pupil("4002", ENSCHEDE)).await;
    let _ = s.logged_in(TEACHER).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let count = |body: &str| body.matches("class=\"audit-row\"").count();
    let (status, all) = get_page(&s, &admin, "/beheer/auditlog").await;
    assert_eq!(status, 200);
    let logins = s
        .raw_texts(
            "SELECT action FROM audit_log WHERE organisation_id = '99XX00' AND action = 'login'",
        )
        .await
        .len();
    assert!(logins >= 3);
    let (_, body) = get_page(&s, &admin, "/beheer/auditlog?actie=login").await;
    assert_eq!(count(&body), logins, "{body}");
    assert!(count(&all) > logins);
    let ib_id = s
        .raw_texts("SELECT CAST(id AS TEXT) FROM users WHERE email = 'ib@esch.nl'")
        .await;
    let (_, body) = get_page(
        &s,
        &admin,
        &format!("/beheer/auditlog?actie=login&gebruiker={}", ib_id[0]),
    )
    .await;
    let ib_logins = s
        .raw_texts(&format!(
            "SELECT action FROM audit_log WHERE organisation_id = '99XX00' AND action = 'login' \
             AND user_id = {}",
            ib_id[0]
        ))
        .await
        .len();
    assert!(ib_logins >= 1);
    assert_eq!(count(&body), ib_logins, "{body}");
    assert!(
        body.contains("Gebruiker ib@esch.nl")
            && !body.contains(">Gebruiker leerkracht@esch.nl</td>")
    );
    // The pupil filter: only rows about pupil 4002.
    let (_, body) = get_page(&s, &admin, "/beheer/auditlog?leerling=4002").await;
    let rows_4002 = s
        .raw_texts("SELECT action FROM audit_log WHERE pupil = '99XX00/4002'")
        .await
        .len();
    assert!(rows_4002 >= 1);
    assert_eq!(count(&body), rows_4002, "{body}");
    assert!(!body.contains("99XX00/4001"));
    // A date range before the rows: nothing; around the day of the rows: all of them; a bad
    // date: a Dutch message.
    let day = s
        .raw_texts("SELECT at FROM audit_log WHERE action = 'login' ORDER BY id LIMIT 1")
        .await[0][..10]
        .to_owned();
    let (_, body) = get_page(&s, &admin, "/beheer/auditlog?tot=2000-01-01").await;
    assert_eq!(count(&body), 0);
    let (_, body) = get_page(
        &s,
        &admin,
        &format!("/beheer/auditlog?van={day}&tot={day}&actie=login"),
    )
    .await;
    assert_eq!(count(&body), logins, "{day}: {body}");
    let (_, body) = get_page(&s, &admin, "/beheer/auditlog?van=30-13-2027").await;
    assert!(body.contains("is geen datum"), "{body}");
    // CSV with the same filter.
    let res = admin
        .get(s.url("/beheer/auditlog.csv?actie=login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    assert_eq!(csv.lines().count(), logins + 1, "{csv}");
    assert!(csv.lines().skip(1).all(|l| l.contains("\"login\"")));
}

const PUPILS: &str = "pupil_id;name;birth_date;group;municipality;enrolled_from;bsn\n\
                      2001;Sara Bakker;2016-05-04;5;Enschede;2022-08-22;400276872\n\
                      2002;Daan Smit;12-01-2017;4;GM0173;2023-08-21;\n";

async fn an_import_with_errors_reports_file_and_line_and_stores_nothing(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (status, body) = get_page(&s, &admin, "/beheer/importeren").await;
    assert_eq!(status, 200);
    assert!(body.contains("<label for=\"pupils\">"));
    let bad = "pupil_id,code,start,end,minutes,note\n\
               2001,ongeoorloofd,2026-09-21,2026-09-24,,\n\
               2001,ziekk,2026-09-25,,,\n\
               9999,ziek,2026-09-25,,,\n";
    let (status, body) = post_multipart(
        &s,
        &admin,
        "/beheer/importeren",
        &[
            ("pupils", Some("pupils.csv"), PUPILS.as_bytes()),
            ("registrations", Some("registrations.csv"), bad.as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("fouten; er is niets opgeslagen."), "{body}");
    let rows: Vec<&str> = body.split("<tr class=\"import-error\">").skip(1).collect();
    assert!(rows.len() >= 2, "{body}");
    assert!(
        rows.iter().any(
            |r| r.starts_with("<td>registrations.csv</td><td>3</td><td>2</td>")
                && r.contains("ziekk")
        ),
        "{body}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("<td>registrations.csv</td><td>4</td>") && r.contains("9999")),
        "{body}"
    );
    assert!(
        s.raw_texts("SELECT pupil_id FROM pupils WHERE school_id = '99XX00'")
            .await
            .is_empty()
    );
    // Without registrations.csv: a Dutch message.
    let (_, body) = post_multipart(
        &s,
        &admin,
        "/beheer/importeren",
        &[("pupils", Some("pupils.csv"), PUPILS.as_bytes())],
    )
    .await;
    assert!(
        body.contains("Kies registrations.csv: dit bestand is verplicht."),
        "{body}"
    );
}

async fn a_good_import_stores_and_reports(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let regs = "pupil_id,code,start,end,minutes,note\n\
                2001,ongeoorloofd,2026-09-21,2026-09-24,,\n\
                2002,te_laat,2026-09-22T08:45,,15,\n";
    let (_, body) = post_multipart(
        &s,
        &admin,
        "/beheer/importeren",
        &[
            ("pupils", Some("pupils.csv"), PUPILS.as_bytes()),
            ("registrations", Some("registrations.csv"), regs.as_bytes()),
            ("events", Some("events.csv"), b""),
        ],
    )
    .await;
    assert!(body.contains("Geïmporteerd"), "{body}");
    assert!(body.contains("2 nieuwe leerlingen, 0 bijgewerkt"), "{body}");
    assert!(body.contains("2 registraties, 0 gebeurtenissen"), "{body}");
    let mut pupils = s
        .raw_texts("SELECT pupil_id FROM pupils WHERE school_id = '99XX00'")
        .await;
    pupils.sort();
    assert_eq!(pupils, ["2001", "2002"]);
    // 4 days of unauthorized absence (1260 minutes): relatief verzuim.
    assert_eq!(active_signals(&s, "relatief_verzuim").await, 1);
    let (_, groups) = get_page(&s, &admin, "/beheer/groepen").await;
    assert!(
        groups.contains("<th scope=\"row\">5</th><td>1</td>"),
        "{groups}"
    );
    assert!(
        groups.contains("<th scope=\"row\">4</th><td>1</td>"),
        "{groups}"
    );
}

async fn other_roles_and_organisations_are_kept_out(env: Env) {
    let s = region(&env).await;
    let teacher = s.logged_in(TEACHER).await;
    let ib = s.logged_in(COORDINATOR).await;
    let jgz = s.logged_in(JGZ).await;
    let gemeente_admin = s.logged_in(MUNICIPALITY_ADMIN).await;
    for path in [
        "/beheer/lestijden",
        "/beheer/vrije-dagen",
        "/beheer/groepen",
        "/beheer/gebruikers",
        "/beheer/auditlog",
        "/beheer/importeren",
    ] {
        for c in [&teacher, &ib, &jgz] {
            assert_eq!(get_page(&s, c, path).await.0, 403, "{path}");
        }
    }
    // A municipality's beheerder has users and the audit log, but no school settings.
    assert_eq!(
        get_page(&s, &gemeente_admin, "/beheer/lestijden").await.0,
        403
    );
    let (status, body) = get_page(&s, &gemeente_admin, "/beheer/gebruikers").await;
    assert_eq!(status, 200);
    assert!(body.contains("lpa@enschede.nl") && !body.contains("ib@esch.nl"));
    let (status, _) = post_form(&s, &teacher, "/beheer/lestijden", &[("standaard|0", "")]).await;
    assert_eq!(status, 403);
    // The other school's beheerder cannot take a role of this school's user.
    let other = s.logged_in("beheer@wilg.nl").await;
    let ib_id = s
        .raw_texts("SELECT CAST(id AS TEXT) FROM users WHERE email = 'ib@esch.nl'")
        .await;
    let (_, body) = post_form(
        &s,
        &other,
        "/beheer/gebruikers/intrekken",
        &[("gebruiker", &ib_id[0]), ("rol", "verzuimcoordinator")],
    )
    .await;
    assert!(body.contains("heeft die rol hier niet"), "{body}");
    assert_eq!(
        s.raw_texts(&format!(
            "SELECT role FROM memberships WHERE user_id = {}",
            ib_id[0]
        ))
        .await,
        ["verzuimcoordinator"]
    );
    // Its audit log has none of this school's rows.
    let (_, body) = get_page(&s, &other, "/beheer/auditlog?actie=login").await;
    assert!(!body.contains("Gebruiker ib@esch.nl"), "{body}");
    // Logged out: to the login page.
    let res = s
        .browser()
        .get(s.url("/beheer/lestijden"))
        .send()
        .await
        .unwrap();
    assert!(res.url().path().starts_with("/inloggen"));
    let _ = PASSWORD;
    let _ = Method::GET;
}

async fn a_group_gets_and_loses_its_own_lesson_times(env: Env) {
    let s = region(&env).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let row = "<th scope=\"row\">9x</th>";
    let (status, body) = post_form(&s, &admin, "/beheer/groepen", &[("naam", "9x")]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Groep 9x toegevoegd"), "{body}");
    assert!(body.contains(row), "{body}");
    // A leerkracht cannot take it away.
    let teacher = s.logged_in(TEACHER).await;
    let (status, _) = post_form(&s, &teacher, "/beheer/groepen/opheffen", &[("naam", "9x")]).await;
    assert_eq!(status, 403);
    let (status, body) = post_form(&s, &admin, "/beheer/groepen/opheffen", &[("naam", "9x")]).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("eigen lestijden van groep 9x zijn opgeheven"),
        "{body}"
    );
    // Without pupils and own times, the group is gone.
    assert!(!body.contains(row), "{body}");
    let (_, body) = post_form(&s, &admin, "/beheer/groepen/opheffen", &[("naam", "9x")]).await;
    assert!(body.contains("niets op te heffen"), "{body}");
}

/// Issue 10.2: a change of lesson times applies from its date on (the page's default: today);
/// the absence before it keeps the minutes of the times that applied then, and the page shows
/// the earlier times. A bad date is named and nothing is stored.
async fn lesson_times_changed_from_today_keep_the_past(env: Env) {
    let s = region(&env).await;
    three_days_absent(&s).await; // 21-23 June 2027; the clock is at 30 June
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let (_, body) = get_page(&s, &admin, "/beheer/lestijden").await;
    assert!(
        body.contains("name=\"geldig_vanaf\" value=\"2027-06-30\""),
        "{body}"
    );
    assert!(!body.contains("Eerdere lestijden"));
    let before = stored_settings(&s).await;
    let (status, body) = post_form(
        &s,
        &admin,
        "/beheer/lestijden",
        &[
            ("standaard|2", "08:30-12:00, 12:45-15:00"),
            ("geldig_vanaf", "30 juni"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Geldig vanaf: „30 juni” is geen datum (JJJJ-MM-DD)."),
        "{body}"
    );
    assert_eq!(stored_settings(&s).await, before, "nothing stored");
    let (status, body) = post_form(
        &s,
        &admin,
        "/beheer/lestijden",
        &[("standaard|2", "08:30-12:00, 12:45-15:00")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.contains("gelden vanaf 30-06-2027"), "{body}");
    assert!(body.contains("Eerdere lestijden"), "{body}");
    assert!(body.contains("t/m 29-06-2027"), "{body}");
    assert!(body.contains("woensdag 08:30-12:15"), "{body}");
    // The Wednesday of the absence keeps its 225 minutes: 915 < 960, no signal.
    assert_eq!(active_signals(&s, "relatief_verzuim").await, 0);
    let stored = s
        .raw_texts(
            "SELECT earlier_times_json FROM school_settings WHERE organisation_id = '99XX00'",
        )
        .await;
    assert!(stored[0].contains("\"until\":\"2027-06-30\""), "{stored:?}");
    // The teacher's register shows each day's own times.
    let ib = s.logged_in(COORDINATOR).await;
    let (_, register) = get_page(&s, &ib, "/registreren?groep=5&datum=2027-06-23").await;
    assert!(
        register.contains("Lestijden: <strong>08:30–12:15</strong>"),
        "the old Wednesday: {register}"
    );
    let (_, register) = get_page(&s, &ib, "/registreren?groep=5&datum=2027-06-30").await;
    assert!(
        !register.contains("Lestijden: <strong>08:30–12:15</strong>"),
        "the new one"
    );
}

/// The API: `lesson_times_valid_from` says from when; the answer lists the earlier times; a
/// later correction from an earlier date changes the past on purpose.
async fn the_api_changes_lesson_times_from_a_date(env: Env) {
    let s = region(&env).await;
    three_days_absent(&s).await;
    let admin = s.logged_in(SCHOOL_ADMIN).await;
    let mut body = demo_settings();
    body["lesson_times"]["wednesday"] = serde_json::json!(["08:30-12:00", "12:45-15:00"]);
    let answer = ok(
        &s,
        &admin,
        Method::PUT,
        "/api/schools/99XX00/settings",
        Some(body.clone()),
        200,
    )
    .await;
    assert_eq!(
        answer["settings"]["earlier_lesson_times"][0]["until"],
        "2027-06-30"
    );
    assert_eq!(
        answer["settings"]["earlier_lesson_times"][0]["lesson_times"]["wednesday"],
        serde_json::json!(["08:30-12:15"])
    );
    assert_eq!(active_signals(&s, "relatief_verzuim").await, 0);
    body["lesson_times_valid_from"] = serde_json::json!("2027-06-01");
    let answer = ok(
        &s,
        &admin,
        Method::PUT,
        "/api/schools/99XX00/settings",
        Some(body),
        200,
    )
    .await;
    assert_eq!(
        answer["settings"]["earlier_lesson_times"][0]["until"],
        "2027-06-01"
    );
    assert_eq!(active_signals(&s, "relatief_verzuim").await, 1);
    let got = ok(
        &s,
        &admin,
        Method::GET,
        "/api/schools/99XX00/settings",
        None,
        200,
    )
    .await;
    assert_eq!(got["earlier_lesson_times"][0]["until"], "2027-06-01");
    assert!(got.get("lesson_times_valid_from").is_none());
}
