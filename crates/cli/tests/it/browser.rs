//! The browser tests: `verzuim serve --demo` on a fresh database, and `tests/browser/run.mjs`
//! driving Debian's Chromium through it with playwright-core (every page of every role checked
//! with axe-core, keyboard-only registering, the 16-hour chain from teacher to leerplicht and
//! back, a GGD-JGZ referral with "niet verschenen", a missing BSN added from a blocked melding's
//! link and a case closed (refused while its melding runs) and reopened (issue 10.5, 10.6), a
//! second factor set up, used with a code and a recovery code, reset and required by the
//! beheerder; issue 11: each party's new actions of the card — the referral's form, contact data,
//! GGD-JGZ's letter and afspraken; leerplicht's verwijzing zorg, joint conversation and oproep;
//! the school's invitation on a lesson day, its consultation with the samenwerkingsverband, the
//! printed dossier, the melding's page for DUO's verzuimregister with the meldingsnummer and DUO's
//! later status).
//!
//! Needs Node.js, `/usr/bin/chromium` (Debian's `chromium`) and the script's packages
//! (`npm ci --prefix tests/browser`); `.ci/run` installs them on a fresh machine. Without them
//! this test fails and says what to install.
//!
//! With `UPDATE_SCREENSHOTS=1` the main page of each role, the second factor's pages and the pages
//! of issue 10 (`taken`, `leerlingen`, `leerling-gegevens`, `dossier-sluiten-geweigerd`,
//! `dossier-heropend`, `auditlog`) and of issue 11 (`prikactie`, `jaarcijfers`: leerplicht's
//! prikactie around the herfstvakantie and year in figures, GGD-JGZ's referral page
//! `verwijzing-ggd-jgz` and the melding's DUO page `melding-duo`) and of issue 10.9 (the import's
//! found signals and the review page: `import-gevonden`, `import-beoordelen`) are written to
//! `docs/screenshots/`; otherwise the screenshots go to a temporary directory.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::workspace_root;

/// Kills the server when the test ends, also when it panics.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// True once `GET /health` answers 200.
fn healthy(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

fn require(what: &str, ok: bool, fix: &str) {
    assert!(ok, "de browsertests missen {what}: {fix}");
}

#[test]
fn browser_suite_in_chromium() {
    let root = workspace_root();
    let browser_dir = root.join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    require(
        "Chromium",
        Path::new(&chromium).exists(),
        "installeer Debian's chromium (apt-get install chromium) of zet CHROMIUM",
    );
    require(
        "Node.js",
        Command::new("node").arg("--version").output().is_ok(),
        "installeer Node.js",
    );
    require(
        "playwright-core en axe-core",
        browser_dir.join("node_modules/playwright-core").exists()
            && browser_dir.join("node_modules/axe-core").exists(),
        "voer `npm ci --prefix tests/browser` uit",
    );

    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("server.log")).expect("log file");
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_verzuim"))
            .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
            .arg("--database")
            .arg(format!("sqlite://{}", dir.path().join("demo.db").display()))
            .env_remove("VERZUIM_DATABASE")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start verzuim serve --demo"),
    );
    let started = Instant::now();
    while !healthy(port) {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "verzuim serve --demo answered no /health within 120 s; log:\n{}",
            std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let shots = if std::env::var("UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
        root.join("docs/screenshots")
    } else {
        dir.path().join("screenshots")
    };
    let out = Command::new("node")
        .arg(browser_dir.join("run.mjs"))
        .env("VERZUIM_URL", format!("http://127.0.0.1:{port}"))
        .env("CHROMIUM", &chromium)
        .env("VERZUIM_SCREENSHOTS", &shots)
        .output()
        .expect("run node tests/browser/run.mjs");
    drop(server);
    assert!(
        out.status.success(),
        "browser tests failed ({})\n--- stdout ---\n{}\n--- stderr ---\n{}\n--- server log ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(dir.path().join("server.log"))
            .map(|l| l.lines().rev().take(60).collect::<Vec<_>>().join("\n"))
            .unwrap_or_default()
    );
    for role in [
        "leerkracht",
        "verzuimcoordinator",
        "leerplichtambtenaar",
        "jgz",
        "beheerder",
        "directeur",
        "ouder",
    ] {
        assert!(
            shots.join(format!("{role}.png")).exists(),
            "no screenshot of {role}'s main page in {}",
            shots.display()
        );
    }
    for page in [
        "leerling-gegevens",
        "dossier-sluiten-geweigerd",
        "dossier-heropend",
        "taken",
        "leerlingen",
        "auditlog",
        "prikactie",
        "jaarcijfers",
        "verwijzing-ggd-jgz",
        "ouders-uitnodiging",
        "ouders-ziek-gemeld",
        "ouders-kind",
        "ouders-verlof-aanvragen",
        "ouders-besluit",
        "ouders-kinderen",
        "import-gevonden",
        "import-beoordelen",
        "melding-duo",
    ] {
        assert!(
            shots.join(format!("{page}.png")).exists(),
            "no screenshot of the page {page} in {}",
            shots.display()
        );
    }
}
