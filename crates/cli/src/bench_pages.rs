//! `verzuim bench pages`: how long every web page takes for a school of N pupils (issue 4,
//! "Every page of a school of 500 pupils renders in under 100 ms server time").
//!
//! In one process: a fresh database (SQLite in a temporary folder, or a new PostgreSQL database
//! on the server `--database` names, dropped afterwards) with the demo region
//! (`verzuim serve --demo`'s organisations and users) plus a generated school of N pupils
//! (`verzuim generate`: a whole school year 2026-2027, imported with the service's import, so its
//! signals, cases and tasks are real); the school's coordinator then makes the meldingen and
//! referrals of up to `--walk` signals, so leerplicht and GGD-JGZ have work. The real server runs
//! on 127.0.0.1:0 with its clock on the demo's date.
//!
//! Then, for a leerkracht, verzuimcoordinator and beheerder of that school and the demo's
//! leerplichtambtenaar (Enschede) and jeugdverpleegkundige (GGD Twente): log in, visit every page
//! reachable from the landing page (one page per route shape, two links deep, as the browser
//! tests do), each `--rounds` times. Printed per page: median, p95 and maximum of the time from
//! sending the request to having read the whole answer, over HTTP on loopback (so an upper bound
//! of the server's time), and the page's size.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use verzuim_exchange::Source;
use verzuim_server::auth::password;
use verzuim_server::demo::{self, DEMO_PASSWORD, DEMO_TODAY, GGD_ID};
use verzuim_server::{AppState, Config, ManualClock};
use verzuim_service::tasks::{Completion, MeldingContent, ParentsInformed};
use verzuim_service::{Caller, ServiceError, Sources};
use verzuim_store::{
    InformedHow, Letterhead, MAX_PAGE_SIZE, Membership, NewUser, OrgKind, Organisation, Page, Role,
    Store, TaskStatus,
};

use crate::bench_api::{BenchServer, TempDir, at_noon, on_bench_database, percentiles};
use crate::generate::{GenerateOptions, generate};
use crate::migrate;

/// The benchmark's school.
const SCHOOL: &str = "00BP00";
const SCHOOL_NAME: &str = "OBS De Meetlat";

#[derive(clap::Args)]
pub struct Args {
    /// Een PostgreSQL-server (`postgres://…`): daarop wordt een nieuwe database gemaakt en na
    /// afloop verwijderd. Zonder: SQLite in een tijdelijke map.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// Aantal leerlingen van de school.
    #[arg(long, default_value_t = 500)]
    pupils: usize,
    /// Hoe vaak elke pagina wordt opgevraagd.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Van hoeveel signalen de coördinator de taken afhandelt (meldingen, verwijzingen).
    #[arg(long, default_value_t = 40)]
    walk: usize,
    /// Startwaarde van `verzuim generate`.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// The users whose pages are measured: (e-mail, role, organisation, groups).
fn people() -> Vec<(String, Role, &'static str, Vec<String>)> {
    vec![
        (
            "leerkracht@meetlat.example".to_owned(),
            Role::Leerkracht,
            SCHOOL,
            vec!["5-6".to_owned()],
        ),
        (
            "coordinator@meetlat.example".to_owned(),
            Role::Verzuimcoordinator,
            SCHOOL,
            Vec::new(),
        ),
        (
            "beheer@meetlat.example".to_owned(),
            Role::Beheerder,
            SCHOOL,
            Vec::new(),
        ),
    ]
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.rounds == 0 {
        bail!("--rounds moet minstens 1 zijn");
    }
    let args = &args;
    on_bench_database(args.database.as_deref(), |url, backend| async move {
        bench(args, &url, backend).await
    })
}

async fn bench(args: &Args, url: &str, backend: &str) -> anyhow::Result<()> {
    println!(
        "verzuim bench pages: {backend}, {} leerlingen, elke pagina {} keer",
        args.pupils, args.rounds
    );
    let store = migrate::open(url).await?;
    let start = Instant::now();
    demo::seed(&store).await?;
    let walked = seed_school(&store, args).await?;
    println!(
        "Gevuld: demoregio plus {SCHOOL_NAME} ({SCHOOL}) met {} leerlingen; {} meldingen en {} \
         verwijzingen gemaakt ({:.1} s)",
        args.pupils,
        walked.0,
        walked.1,
        start.elapsed().as_secs_f64()
    );

    let clock = ManualClock::new(at_noon(DEMO_TODAY));
    let state = AppState::new(store.clone(), Config::default()).with_clock(clock.clock());
    let server = BenchServer::start(state).await?;
    let base = server.base.clone();

    let mut logins: Vec<(String, String)> = people()
        .into_iter()
        .map(|(email, ..)| (email, PASSWORD.to_owned()))
        .collect();
    logins.push((
        "leerplicht@enschede.example".to_owned(),
        DEMO_PASSWORD.to_owned(),
    ));
    logins.push((
        "jgz@ggd-twente.example".to_owned(),
        DEMO_PASSWORD.to_owned(),
    ));

    let mut out = String::new();
    let mut slowest: Option<(Duration, String)> = None;
    let mut pages = 0;
    for (email, pass) in &logins {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .timeout(Duration::from_secs(60))
            .build()?;
        let landing = login(&client, &base, email, pass).await?;
        writeln!(out, "\n{email}")?;
        let mut seen = BTreeSet::new();
        let mut frontier = vec![landing];
        for _depth in 0..3 {
            let mut next = Vec::new();
            for path in frontier {
                if skip(&path) || !seen.insert(shape(&path)) {
                    continue;
                }
                let mut times = Vec::with_capacity(args.rounds);
                let mut body = String::new();
                for _ in 0..args.rounds {
                    let t = Instant::now();
                    let res = client.get(format!("{base}{path}")).send().await?;
                    let status = res.status();
                    body = res.text().await?;
                    times.push(t.elapsed());
                    if !status.is_success() {
                        bail!("GET {path} als {email} gaf {status}");
                    }
                }
                times.sort();
                let max = times[times.len() - 1];
                if slowest.as_ref().is_none_or(|(d, _)| max > *d) {
                    slowest = Some((max, format!("{path} ({email})")));
                }
                pages += 1;
                writeln!(
                    out,
                    "  {path:<48} {}  {} kB",
                    percentiles(&times),
                    body.len() / 1024
                )?;
                next.extend(links(&body));
            }
            frontier = next;
        }
    }
    print!("{out}");
    if let Some((max, page)) = slowest {
        println!(
            "\n{pages} pagina's gemeten; langzaamste antwoord: {:.1} ms, {page}",
            max.as_secs_f64() * 1000.0
        );
    }

    server.stop().await?;
    store.close().await;
    Ok(())
}

/// The benchmark users' password (only in the benchmark's own, temporary database).
pub(crate) const PASSWORD: &str = "bench-wachtwoord-2026";

/// Makes the school, its users, imports a generated school year, and walks up to `args.walk`
/// signals' school tasks (meldingen and referrals). Returns (meldingen, referrals) made.
async fn seed_school(store: &Store, args: &Args) -> anyhow::Result<(usize, usize)> {
    store
        .put_organisation(&Organisation {
            id: SCHOOL.to_owned(),
            kind: OrgKind::School,
            name: SCHOOL_NAME.to_owned(),
            letterhead: Letterhead::default(),
        })
        .await?;
    // The benchmark's browsers sign in with a password only (its own, temporary database).
    store.set_second_factor_required(SCHOOL, false).await?;
    let hash = password::hash_blocking(PASSWORD.to_owned()).await?;
    let mut callers = Vec::new();
    for (email, role, org, groups) in people() {
        let id = store
            .create_user(&NewUser {
                email: email.clone(),
                display_name: format!("{} (bench)", role.as_str()),
                password_hash: hash.clone(),
            })
            .await?;
        store
            .add_membership(&Membership {
                user_id: id,
                organisation_id: org.to_owned(),
                role,
                groups,
            })
            .await?;
        callers.push(Caller::user(id, org, role));
    }
    let [_, coordinator, beheer] = &callers[..] else {
        bail!("drie gebruikers verwacht");
    };

    let dir = TempDir::new()?;
    generate(&GenerateOptions {
        pupils: args.pupils,
        seed: args.seed,
        out: dir.0.clone(),
        school_year: 2026,
    })?;
    let read = |name: &str| {
        std::fs::read(dir.0.join(name)).with_context(|| format!("{name} van verzuim generate"))
    };
    let school = String::from_utf8(read("school.toml")?)?;
    let school = retarget_school(&school)?;
    let (pupils, registrations, events) = (
        read("pupils.csv")?,
        read("registrations.csv")?,
        read("events.csv")?,
    );
    let sources = Sources {
        school: Some(Source {
            name: "school.toml",
            bytes: school.as_bytes(),
        }),
        pupils: Source {
            name: "pupils.csv",
            bytes: &pupils,
        },
        registrations: Source {
            name: "registrations.csv",
            bytes: &registrations,
        },
        events: Some(Source {
            name: "events.csv",
            bytes: &events,
        }),
    };
    match verzuim_service::import(store, beheer, DEMO_TODAY, SCHOOL, sources).await {
        Ok(_) => {}
        Err(ServiceError::Input(errors)) => bail!(
            "import van de gegenereerde school mislukt: {}",
            errors.first().map(ToString::to_string).unwrap_or_default()
        ),
        Err(e) => return Err(e.into()),
    }
    verzuim_service::school::set_school_ggd(store, beheer, SCHOOL, GGD_ID).await?;
    walk(store, coordinator, SCHOOL, args.walk).await
}

/// The generated school.toml with the benchmark school's id and name (the top-level `id` and
/// `name` lines, before the first table).
fn retarget_school(toml_text: &str) -> anyhow::Result<String> {
    let mut out = String::with_capacity(toml_text.len());
    let (mut id, mut name, mut top) = (false, false, true);
    for line in toml_text.lines() {
        let key = line.split('=').next().unwrap_or("").trim();
        top &= !line.trim_start().starts_with('[');
        if top && key == "id" {
            id = true;
            out.push_str(&format!("id = \"{SCHOOL}\""));
        } else if top && key == "name" {
            name = true;
            out.push_str(&format!("name = \"{SCHOOL_NAME}\""));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if !(id && name) {
        bail!("school.toml van verzuim generate heeft geen id of name bovenaan");
    }
    Ok(out)
}

/// Completes the school's (`school`) open melding and referral tasks (with the tasks before them of the same
/// signal) of up to `signals` signals, as a coordinator would. A melding that cannot be made (no
/// persoonsgebonden nummer, a municipality outside the demo region) is skipped.
pub(crate) async fn walk(
    store: &Store,
    coordinator: &Caller,
    school: &str,
    signals: usize,
) -> anyhow::Result<(usize, usize)> {
    let mut open = Vec::new();
    let mut page = Page::first(MAX_PAGE_SIZE);
    loop {
        let batch = store
            .list_tasks(school, Some(TaskStatus::Open), page)
            .await?;
        let done = batch.len() < page.limit() as usize;
        open.extend(batch);
        if done {
            break;
        }
        page = page.next();
    }
    open.sort_by_key(|t| t.id);
    let chosen: BTreeSet<_> = open
        .iter()
        .filter(|t| t.melding || t.referral)
        .filter_map(|t| t.signal_id)
        .take(signals)
        .collect();
    let (mut meldingen, mut referrals) = (0, 0);
    for task in open
        .iter()
        .filter(|t| t.signal_id.is_some_and(|s| chosen.contains(&s)))
    {
        let completion = Completion {
            parents_informed: verzuim_service::tasks::requires_parents_informed(&task.text)
                .then_some(ParentsInformed {
                    date: DEMO_TODAY,
                    how: InformedHow::Gesprek,
                }),
            melding: task.melding.then(|| MeldingContent {
                suspected_reason: "Onbekend; ouders reageren niet op de uitnodiging.".to_owned(),
                school_actions: "Gesprek met ouders en een brief.".to_owned(),
            }),
            judgement: None,
            referral_form: task.referral.then(|| verzuim_service::ReferralFormInput {
                question: "Hoe kan de leerling weer naar school?".to_owned(),
                school_actions: "Gesprek met ouders.".to_owned(),
                parents_consent: true,
            }),
            school_report: match verzuim_service::tasks::report_kind(&task.text) {
                Some(verzuim_service::tasks::ReportKind::SwvOverleg) => {
                    Some(verzuim_service::tasks::SchoolReportContent::SwvOverleg {
                        with_whom: "Consulent samenwerkingsverband".to_owned(),
                        date: DEMO_TODAY,
                        outcome: "Arrangement op school".to_owned(),
                    })
                }
                Some(verzuim_service::tasks::ReportKind::Inspectie) => {
                    Some(verzuim_service::tasks::SchoolReportContent::Inspectie {
                        decision_date: DEMO_TODAY,
                        accepting_school: "Een andere school".to_owned(),
                        reason: "Besluit van het bevoegd gezag".to_owned(),
                        report_date: DEMO_TODAY,
                    })
                }
                None => None,
            },
        };
        match verzuim_service::tasks::complete_task(
            store,
            coordinator,
            DEMO_TODAY,
            task.id,
            &completion,
        )
        .await
        {
            Ok(outcome) => {
                meldingen += usize::from(outcome.melding.is_some());
                referrals += usize::from(outcome.referral.is_some());
            }
            Err(ServiceError::Invalid(_) | ServiceError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok((meldingen, referrals))
}

/// Logs in through the web form and returns the landing page's path.
pub(crate) async fn login(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    pass: &str,
) -> anyhow::Result<String> {
    let res = client
        .post(format!("{base}/inloggen"))
        .header("Origin", base)
        .form(&[("email", email), ("wachtwoord", pass)])
        .send()
        .await?;
    let url = res.url().clone();
    if !res.status().is_success() || url.path() == "/inloggen" {
        bail!("inloggen als {email} mislukt ({})", res.status());
    }
    Ok(match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    })
}

/// Paths the crawler does not follow: leaving, files, the API, static assets.
fn skip(path: &str) -> bool {
    path.starts_with("/uitloggen")
        || path.starts_with("/api/")
        || path.starts_with("/static/")
        || path.contains("/brieven/")
        || [".pdf", ".json", ".csv"]
            .iter()
            .any(|ext| path.split('?').next().unwrap_or(path).ends_with(ext))
}

/// A path's route shape: numbers and pupil ids replaced, query keys without values (one page per
/// shape is measured; the browser tests do the same).
fn shape(path: &str) -> String {
    let (p, q) = path.split_once('?').unwrap_or((path, ""));
    let segs: Vec<&str> = p.split('/').collect();
    let mut out: Vec<String> = Vec::with_capacity(segs.len());
    for (i, s) in segs.iter().enumerate() {
        out.push(if segs.get(1) == Some(&"leerlingen") && i >= 2 {
            ":id".to_owned()
        } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            ":n".to_owned()
        } else {
            (*s).to_owned()
        });
    }
    let mut keys: Vec<&str> = q
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split_once('=').map_or(kv, |(k, _)| k))
        .collect();
    keys.sort_unstable();
    let mut s = out.join("/");
    if !keys.is_empty() {
        s.push('?');
        s.push_str(&keys.join(","));
    }
    s
}

/// The same-origin links (`href="/…"`) of a page, HTML entities of the query decoded.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.replace("&amp;", "&").replace("&#38;", "&"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_fold_ids_and_query_values() {
        assert_eq!(shape("/meldingen/12"), "/meldingen/:n");
        assert_eq!(shape("/leerlingen/99XX00/1001"), "/leerlingen/:id/:id");
        assert_eq!(
            shape("/registreren?groep=5-6&datum=2027-07-09"),
            "/registreren?datum,groep"
        );
        assert_eq!(shape("/taken"), "/taken");
    }

    #[test]
    fn links_are_same_origin_paths() {
        let html = r#"<a href="/taken">x</a><a href="https://e.org/">y</a><a href="/r?a=1&amp;b=2">z</a><a href="/s?a=1&#38;b=2">w</a><link href="//cdn">"#;
        assert_eq!(links(html), vec!["/taken", "/r?a=1&b=2", "/s?a=1&b=2"]);
    }

    #[test]
    fn skipped_paths() {
        assert!(skip("/uitloggen"));
        assert!(skip("/zaken/3/brieven/waarschuwingsbrief?melding=1"));
        assert!(skip("/api/meldingen/1/export.json"));
        assert!(!skip("/meldingen/1"));
    }

    #[test]
    fn generated_school_is_retargeted() {
        let s = retarget_school("id = \"00AA00\"\nname = \"X\"\n[lessons]\n").expect("toml");
        assert!(s.contains("id = \"00BP00\""), "{s}");
        assert!(s.contains(SCHOOL_NAME), "{s}");
    }
}
