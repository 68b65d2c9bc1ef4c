//! The demo parent: a child at each demo school, and a leave request at each, decided with its
//! letter (a build without letters leaves them undecided).

use super::*;

/// The demo parent with a child at each demo school (the first pupil without absence on the
/// demo's today), a leave request granted by De Esch's director (gewichtige omstandigheden, a
/// wedding, on the demo's today: a `verlof` registration) and a vakantieverlof refused by De
/// Wegwijzer's director (no employer's statement: Leerplichtwet 1969 art. 13a lid 1), each with
/// its decision letter.
pub(crate) async fn demo_parent(store: &Store, people: &People) -> Result<()> {
    let hash = password::hash_blocking(DEMO_PASSWORD.to_owned()).await?;
    let parent = store
        .create_user(&NewUser {
            email: DEMO_PARENT.to_owned(),
            display_name: DEMO_PARENT_NAME.to_owned(),
            password_hash: hash,
        })
        .await?;
    let letters = std::sync::Arc::new(
        verzuim_letters::Letters::new(None)
            .map_err(|e| DemoError::Missing(format!("brieven: {e}")))?,
    );
    for (school, granted) in [(SCHOOL_ESCH, true), (SCHOOL_WEGWIJZER, false)] {
        let mut child = None;
        for p in store
            .list_pupils(Scope::School(school), Page::first(MAX_PAGE_SIZE))
            .await?
        {
            let record = store.current_record(school, &p.data.pupil.id).await?;
            let free = record.is_some_and(|r| {
                r.record.pupil.enrolled_until.is_none()
                    && r.record.registrations.iter().all(|g| {
                        g.span.first_date() > DEMO_TODAY || g.span.last_date() < DEMO_TODAY
                    })
            });
            if free {
                child = Some(p);
                break;
            }
        }
        let child = need(child, "een leerling zonder afwezigheid op de demodag")?;
        let pupil_id = child.data.pupil.id.clone();
        store
            .link_parent(
                parent,
                school,
                &pupil_id,
                verzuim_service::model::Actor::System,
            )
            .await?;
        let input = if granted {
            verzuim_service::parents::LeaveInput {
                kind: verzuim_service::model::LeaveKind::GewichtigeOmstandigheden,
                from: DEMO_TODAY,
                until: DEMO_TODAY,
                circumstance: "huwelijk".into(),
                explanation: Some("Huwelijk van een oom in Groningen.".into()),
                employer_statement: None,
                employer_document: None,
            }
        } else {
            verzuim_service::parents::LeaveInput {
                kind: verzuim_service::model::LeaveKind::Vakantieverlof,
                from: DEMO_TODAY,
                until: DEMO_TODAY,
                circumstance: String::new(),
                explanation: Some("Goedkopere vlucht voor de zomervakantie.".into()),
                employer_statement: None,
                employer_document: None,
            }
        };
        // The parent's request, audited as a request through the portal would be.
        let row = |id: i64| verzuim_service::model::AuditEntry {
            actor: verzuim_service::model::Actor::User(parent),
            organisation_id: Some(school.to_owned()),
            action: crate::audit::action::PUPIL_WRITE.to_owned(),
            object: crate::audit::AuditObject::Leave(id).to_string(),
            pupil: Some(verzuim_service::model::pupil_ref(school, &pupil_id)),
            address: None,
            outcome: "ok".to_owned(),
        };
        let view = verzuim_service::parents::request_leave(
            store, parent, DEMO_TODAY, school, &pupil_id, &input, &row,
        )
        .await?;
        let director = people.caller(school, Role::Directeur)?;
        let name = DEMO_USERS
            .iter()
            .find(|u| u.organisation == school && u.role == Role::Directeur)
            .map_or("De directeur", |u| u.name);
        let prepared = verzuim_service::parents::prepare_decision(
            store,
            &director,
            view.request.id,
            &verzuim_service::parents::DecisionInput {
                granted,
                motivation: if granted {
                    None
                } else {
                    Some("Een goedkopere vlucht is geen grond voor verlof.".into())
                },
                decider_name: name.to_owned(),
            },
        )
        .await?;
        let org = need(store.organisation(school).await?, "de school")?;
        let data =
            crate::web::verlof::letter_data(&org, org.name.clone(), &child, &prepared, DEMO_TODAY);
        let l = letters.clone();
        let letter = match tokio::task::spawn_blocking(move || l.render_letter(&data))
            .await
            .map_err(|e| DemoError::Missing(format!("brief: {e}")))?
        {
            Ok(letter) => letter,
            // A build without letters (`--no-default-features`): the request stays undecided.
            Err(verzuim_letters::LetterError::NotBuilt) => {
                tracing::info!("demo: gebouwd zonder brieven; het verlof blijft onbeslist");
                continue;
            }
            Err(e) => return Err(DemoError::Missing(format!("brief: {e}"))),
        };
        verzuim_service::parents::decide_leave(
            store,
            &director,
            DEMO_TODAY,
            &prepared,
            letter.pdf,
            letter.text,
        )
        .await?;
    }
    Ok(())
}
