//! `verzuim users add`: a user with a role in an organisation, from the command line (the first
//! beheerder of a new installation, above all).

use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use verzuim_server::auth::password;
use verzuim_store::{Letterhead, Membership, NewUser, OrgKind, Organisation, Role, Store};

use crate::migrate;

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Voeg een gebruiker toe met een rol in een organisatie (bestaat de gebruiker al, dan
    /// krijgt die de rol erbij). Het wachtwoord komt uit VERZUIM_PASSWORD of wordt gevraagd.
    Add(AddArgs),
}

#[derive(clap::Args)]
pub struct AddArgs {
    /// E-mailadres (de inlognaam).
    #[arg(long)]
    pub email: String,
    /// Naam zoals die in de service getoond wordt.
    #[arg(long)]
    pub name: String,
    /// De organisatie: BRIN van een school, CBS-code van een gemeente (GM0153) of het id van
    /// een GGD-JGZ-organisatie.
    #[arg(long, value_name = "ID")]
    pub organisation: String,
    /// De rol: leerkracht, verzuimcoordinator, leerplichtambtenaar, jgz of beheerder.
    #[arg(long, value_parser = parse_role)]
    pub role: Role,
    /// Naam van de organisatie, om haar aan te maken als ze nog niet bestaat.
    #[arg(long, value_name = "NAAM")]
    pub organisation_name: Option<String>,
    /// Soort organisatie (school, gemeente of ggd_jgz), om haar aan te maken.
    #[arg(long, value_name = "SOORT", value_parser = parse_kind)]
    pub organisation_kind: Option<OrgKind>,
    /// Groepen waarvoor een leerkracht registreert (herhaal: --group 5 --group 6).
    #[arg(long = "group", value_name = "GROEP")]
    pub groups: Vec<String>,
    /// De database (standaard sqlite://verzuim.db; ook via VERZUIM_DATABASE).
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s.trim()).ok_or_else(|| {
        let all: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("onbekende rol; kies uit: {}", all.join(", "))
    })
}

fn parse_kind(s: &str) -> Result<OrgKind, String> {
    OrgKind::parse(s.trim()).ok_or_else(|| "kies uit: school, gemeente, ggd_jgz".to_owned())
}

pub fn run(command: UsersCommand) -> anyhow::Result<ExitCode> {
    match command {
        UsersCommand::Add(args) => run_add(args),
    }
}

fn run_add(args: AddArgs) -> anyhow::Result<ExitCode> {
    check_args(&args)?;
    let url = migrate::database_url(args.database.clone());
    let rt = migrate::runtime()?;
    let store = rt.block_on(migrate::open(&url))?;
    let exists = rt.block_on(store.user_by_email(&args.email))?.is_some();
    let password = if exists { None } else { Some(read_password()?) };
    let outcome = rt.block_on(add(&store, &args, password.as_deref()));
    rt.block_on(store.close());
    println!("{}", outcome?);
    Ok(ExitCode::SUCCESS)
}

fn check_args(args: &AddArgs) -> anyhow::Result<()> {
    let email = args.email.trim();
    if email.chars().count() > 254 || !email.contains('@') || email.contains(char::is_whitespace) {
        bail!(
            "--email moet een e-mailadres zijn (gekregen: {})",
            args.email
        );
    }
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        bail!("--name moet een naam zijn van 1 tot 200 tekens");
    }
    let org = args.organisation.trim();
    if org.is_empty() || org.chars().count() > 64 {
        bail!("--organisation moet een id zijn van 1 tot 64 tekens");
    }
    if let Some(n) = &args.organisation_name
        && (n.trim().is_empty() || n.chars().count() > 200)
    {
        bail!("--organisation-name moet een naam zijn van 1 tot 200 tekens");
    }
    Ok(())
}

/// Which kinds of organisation a role belongs to.
fn role_fits(role: Role, kind: OrgKind) -> bool {
    match role {
        Role::Leerkracht | Role::Verzuimcoordinator | Role::Directeur => kind == OrgKind::School,
        Role::Leerplichtambtenaar => kind == OrgKind::Gemeente,
        Role::Jgz => kind == OrgKind::GgdJgz,
        Role::Beheerder => true,
    }
}

/// Adds the user (with `password`, if new) and the role, creating the organisation if asked,
/// in one transaction. Returns the Dutch report.
pub async fn add(store: &Store, args: &AddArgs, password: Option<&str>) -> anyhow::Result<String> {
    let org_id = args.organisation.trim();
    let existing_org = store.organisation(org_id).await?;
    let kind = match (
        &existing_org,
        &args.organisation_name,
        args.organisation_kind,
    ) {
        (Some(o), _, Some(k)) if o.kind != k => bail!(
            "organisatie {org_id} bestaat al als {}, niet als {k}",
            o.kind
        ),
        (Some(o), _, _) => o.kind,
        (None, Some(_), Some(k)) => k,
        (None, _, _) => bail!(
            "organisatie {org_id} bestaat nog niet. Geef --organisation-name en \
             --organisation-kind (school, gemeente of ggd_jgz) om haar aan te maken."
        ),
    };
    if !role_fits(args.role, kind) {
        bail!(
            "de rol {} hoort niet bij een organisatie van de soort {kind}",
            args.role
        );
    }
    let hash = match password {
        Some(p) => {
            password::check_policy(p).map_err(|e| anyhow::anyhow!("{e}"))?;
            Some(password::hash(p).context("kan het wachtwoord niet versleutelen")?)
        }
        None => None,
    };

    let mut tx = store.begin().await?;
    let mut created_org = false;
    if existing_org.is_none() {
        tx.put_organisation(&Organisation {
            id: org_id.to_owned(),
            kind,
            name: args
                .organisation_name
                .as_deref()
                .unwrap_or(org_id)
                .trim()
                .to_owned(),
            letterhead: Letterhead::default(),
        })
        .await?;
        created_org = true;
    }
    let (user_id, new_user) = match tx.user_by_email(&args.email).await? {
        Some(u) => (u.id, false),
        None => {
            let Some(hash) = hash else {
                bail!("een nieuwe gebruiker heeft een wachtwoord nodig");
            };
            let id = tx
                .create_user(&NewUser {
                    email: args.email.trim().to_owned(),
                    display_name: args.name.trim().to_owned(),
                    password_hash: hash,
                })
                .await?;
            // The password came from the command line (or its environment): the user chooses
            // their own at the first login, like a user a beheerder adds.
            tx.set_must_change_password(id, true).await?;
            (id, true)
        }
    };
    tx.add_membership(&Membership {
        user_id,
        organisation_id: org_id.to_owned(),
        role: args.role,
        groups: args.groups.clone(),
    })
    .await?;
    let second_factor = tx.second_factor_required(org_id).await?.unwrap_or(true);
    tx.commit().await?;

    let mut report = String::new();
    if created_org {
        report.push_str(&format!("Organisatie {org_id} ({kind}) aangemaakt.\n"));
    }
    let email = args.email.trim().to_lowercase();
    if new_user {
        report.push_str(&format!(
            "Gebruiker {email} aangemaakt als {} van {org_id}. Bij de eerste keer inloggen kiest \
             {email} een eigen wachtwoord",
            args.role
        ));
        report.push_str(if second_factor {
            " en stelt een tweede factor in (een authenticator-app; verplicht in deze organisatie)."
        } else {
            "."
        });
    } else {
        report.push_str(&format!(
            "Gebruiker {email} bestond al en is nu ook {} van {org_id}.",
            args.role
        ));
    }
    Ok(report)
}

/// The password: `VERZUIM_PASSWORD`, else asked twice on the terminal without echo, else one
/// line of standard input. Never printed.
fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("VERZUIM_PASSWORD")
        && !p.is_empty()
    {
        return Ok(p);
    }
    if io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!(
            "Wachtwoord (minstens {} tekens): ",
            password::MIN_LENGTH
        ))
        .context("kan het wachtwoord niet lezen")?;
        password::check_policy(&first).map_err(|e| anyhow::anyhow!("{e}"))?;
        let second =
            rpassword::prompt_password("Nogmaals: ").context("kan het wachtwoord niet lezen")?;
        if first != second {
            bail!("de twee wachtwoorden verschillen");
        }
        return Ok(first);
    }
    let mut line = String::new();
    io::stdin()
        .lock()
        .read_line(&mut line)
        .context("kan het wachtwoord niet van de invoer lezen")?;
    let _ = io::stderr().flush();
    let p = line.trim_end_matches(['\r', '\n']).to_owned();
    if p.is_empty() {
        bail!("geen wachtwoord: zet VERZUIM_PASSWORD of geef het op de invoer");
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(email: &str, org: &str, role: Role) -> AddArgs {
        AddArgs {
            email: email.into(),
            name: "Anna de Vries".into(),
            organisation: org.into(),
            role,
            organisation_name: None,
            organisation_kind: None,
            groups: vec![],
            database: None,
        }
    }

    #[test]
    fn the_first_beheerder_with_a_new_organisation() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("v.db").display());
        migrate::runtime().unwrap().block_on(async {
            let store = migrate::open(&url).await.unwrap();
            let mut a = args("Beheer@School.nl", "99XX00", Role::Beheerder);

            let err = add(&store, &a, Some("paard-batterij-nietje"))
                .await
                .unwrap_err();
            assert!(err.to_string().contains("bestaat nog niet"), "{err}");

            a.organisation_name = Some("OBS De Esch".into());
            a.organisation_kind = Some(OrgKind::School);
            let err = add(&store, &a, Some("kort")).await.unwrap_err();
            assert!(err.to_string().contains("minstens 12"), "{err}");
            let err = add(&store, &a, Some("Password1234")).await.unwrap_err();
            assert!(err.to_string().contains("te bekend"), "{err}");
            assert_eq!(store.count_users().await.unwrap(), 0);

            let report = add(&store, &a, Some("paard-batterij-nietje"))
                .await
                .unwrap();
            assert!(
                report.contains("Organisatie 99XX00 (school) aangemaakt"),
                "{report}"
            );
            assert!(
                report.contains("beheer@school.nl aangemaakt als beheerder"),
                "{report}"
            );
            // The password came from the command line: an own one at the first login, and a
            // second factor, which a new organisation requires.
            assert!(
                report.contains("kiest beheer@school.nl een eigen wachtwoord")
                    && report.contains("stelt een tweede factor in"),
                "{report}"
            );
            let user = store
                .user_by_email("beheer@school.nl")
                .await
                .unwrap()
                .unwrap();
            let session = "sessie-van-de-test";
            let login = store.login_state(user.id, session).await.unwrap();
            assert!(login.must_change_password && login.second_factor_required);
            assert!(user.password_hash.starts_with("$argon2id$"));
            assert!(password::verify(
                "paard-batterij-nietje",
                &user.password_hash
            ));
            let org = store.organisation("99XX00").await.unwrap().unwrap();
            assert_eq!(org.name, "OBS De Esch");

            // Again, another role: no password needed, the organisation exists.
            let mut b = args("beheer@school.nl", "99XX00", Role::Verzuimcoordinator);
            b.organisation_kind = Some(OrgKind::School);
            let report = add(&store, &b, None).await.unwrap();
            assert!(report.contains("bestond al"), "{report}");
            assert_eq!(store.memberships_of_user(user.id).await.unwrap().len(), 2);

            // A role that does not fit the kind of organisation.
            let c = args("lpa@school.nl", "99XX00", Role::Leerplichtambtenaar);
            let err = add(&store, &c, Some("paard-batterij-nietje"))
                .await
                .unwrap_err();
            assert!(err.to_string().contains("hoort niet bij"), "{err}");
        });
    }

    #[test]
    fn arguments_are_checked() {
        assert!(check_args(&args("geen-adres", "99XX00", Role::Beheerder)).is_err());
        assert!(check_args(&args("a@b.nl", "", Role::Beheerder)).is_err());
        assert!(check_args(&args("a@b.nl", "99XX00", Role::Beheerder)).is_ok());
        assert!(parse_role("rector").is_err());
        assert_eq!(parse_role("directeur"), Ok(Role::Directeur));
        assert_eq!(parse_role("jgz"), Ok(Role::Jgz));
    }
}
