//! The demo's workflow, walked through the service as the demo users: the school's tasks, meldingen
//! and referrals, leerplicht's actions, GGD-JGZ's invitations, the last week's near-thresholds.

use super::*;

/// The demo users' ids, in the order of [`DEMO_USERS`].
pub(crate) struct People {
    pub(crate) ids: Vec<UserId>,
}

impl People {
    pub(crate) fn caller(&self, organisation: &str, role: Role) -> Result<Caller> {
        DEMO_USERS
            .iter()
            .zip(&self.ids)
            .find(|(u, _)| u.organisation == organisation && u.role == role)
            .map(|(u, id)| Caller::user(*id, u.organisation, u.role))
            .ok_or_else(|| DemoError::Missing(format!("geen {role} bij {organisation}")))
    }
}

/// What completing a signal's school tasks started.
#[derive(Debug, Default)]
pub(crate) struct Started {
    pub(crate) melding: Option<MeldingId>,
    pub(crate) referral: Option<ReferralId>,
}

/// Part of the workflow of one school, walked as the demo users.
pub(crate) struct Walk<'a> {
    pub(crate) store: &'a Store,
    /// The store's clock, a minute on per step.
    pub(crate) clock: &'a ManualClock,
    pub(crate) people: &'a People,
    pub(crate) school: &'a str,
}

impl Walk<'_> {
    /// The store, a minute later than the previous step.
    pub(crate) fn step(&self) -> &Store {
        self.clock.advance(SignedDuration::from_mins(1));
        self.store
    }

    /// OBS De Esch: meldingen to all three municipalities, one in behandeling and one closed
    /// with afspraken; two referrals to GGD Twente, one "niet verschenen zonder tegenbericht".
    pub(crate) async fn esch(&self) -> Result<()> {
        // 1026 Lotte: relatief verzuim (Enschede) -> melding, which leerplicht takes up.
        let lotte = self
            .school_tasks(
                "1026",
                SignalKind::RelatiefVerzuim,
                None,
                InformedHow::Gesprek,
                Some(melding(
                    "Ongeoorloofd afwezig zonder bericht; ouders geven aan dat Lotte 's ochtends \
                     moeilijk op gang komt",
                    "Gesprek met ouders en Lotte gevoerd; aanwezigheid wekelijks besproken",
                )),
            )
            .await?;
        let enschede = self.people.caller("GM0153", Role::Leerplichtambtenaar)?;
        let id = need(lotte.melding, "melding 1026")?;
        self.melding_step(&enschede, id, MeldingAction::InBehandeling)
            .await?;
        // Leerplicht talks with Lotte's parents and sends a warning letter.
        self.leerplicht_action(
            &enschede,
            id,
            LeerplichtActionKind::Gesprek,
            7,
            Some(ConversationWith::Ouders),
            Some(
                "Gesprek met moeder en vader op het gemeentehuis. Lotte gaat voortaan om 21.00 \
                 uur naar bed; de ouders brengen haar zelf naar school.",
            ),
        )
        .await?;
        self.leerplicht_action(
            &enschede,
            id,
            LeerplichtActionKind::Waarschuwingsbrief,
            14,
            None,
            None,
        )
        .await?;

        // 1035 Roos: te laat, 5x (a talk) and 10x (melding, closed by leerplicht with afspraken:
        // the school gets the feedback task).
        self.school_tasks(
            "1035",
            SignalKind::TeLaat,
            Some("5x"),
            InformedHow::Gesprek,
            None,
        )
        .await?;
        let roos = self
            .school_tasks(
                "1035",
                SignalKind::TeLaat,
                Some("10x"),
                InformedHow::Brief,
                Some(melding(
                    "Structureel te laat; ouders vertrekken vroeg naar hun werk",
                    "Twee gesprekken met ouders (5x en 10x te laat), afspraken over het \
                     ochtendritme",
                )),
            )
            .await?;
        let id = need(roos.melding, "melding 1035")?;
        self.melding_step(&enschede, id, MeldingAction::InBehandeling)
            .await?;
        self.leerplicht_action(
            &enschede,
            id,
            LeerplichtActionKind::Gesprek,
            5,
            Some(ConversationWith::Leerling),
            Some("Roos vertelt dat zij 's ochtends op haar broertje past."),
        )
        .await?;
        self.melding_step(
            &enschede,
            id,
            MeldingAction::Afgesloten {
                reason: ClosingReason::VerzuimBeeindigd,
                afspraken: "Gesprek met ouders en Roos gevoerd. Roos fietst voortaan samen met \
                            een buurmeisje naar school; de school houdt het te laat komen bij en \
                            meldt opnieuw bij herhaling."
                    .into(),
            },
        )
        .await?;

        // 1030 Jens (Hengelo): thuiszitter, melding as langdurig relatief verzuimer.
        self.school_tasks(
            "1030",
            SignalKind::LangdurigRelatiefVerzuim,
            None,
            InformedHow::Gesprek,
            Some(melding(
                "Langdurig thuis; vermoedelijk schoolangst",
                "Overleg met ouders en het samenwerkingsverband; thuiswerk aangeboden",
            )),
        )
        .await?;

        // 1046 Ilse (Oldenzaal): luxe verzuim after the meivakantie.
        self.school_tasks(
            "1046",
            SignalKind::LuxeVerzuim,
            None,
            InformedHow::Telefoon,
            Some(melding(
                "Vakantie verlengd zonder toestemming van de directeur",
                "Ouders gebeld en op de hoogte gesteld van de melding",
            )),
        )
        .await?;

        // 1044 Floor: absoluut verzuim, melding (geregistreerd).
        self.school_tasks(
            "1044",
            SignalKind::AbsoluutVerzuim,
            None,
            InformedHow::Brief,
            Some(melding(
                "Uitgeschreven zonder bekende nieuwe school",
                "Ouders gebeld en aangeschreven; geen inschrijving elders bekend",
            )),
        )
        .await?;

        // 1038 Stijn: 5x te laat, talked with the parents.
        self.school_tasks(
            "1038",
            SignalKind::TeLaat,
            Some("5x"),
            InformedHow::Gesprek,
            None,
        )
        .await?;

        // 1040 Isa: ziek langer dan 2 weken -> referral; GGD-JGZ reports she did not come without
        // notice, so the school gets the task to judge that.
        let ggd = self.people.caller(GGD_ID, Role::Jgz)?;
        let isa = self
            .school_tasks(
                "1040",
                SignalKind::ZiekLangerDan2Weken,
                None,
                InformedHow::Telefoon,
                None,
            )
            .await?;
        let referral = need(isa.referral, "verwijzing 1040")?;
        // GGD-JGZ invited her (which took the referral up) before she did not come.
        verzuim_service::ggd::record_invitation(
            self.step(),
            &ggd,
            referral,
            DEMO_TODAY - jiff::Span::new().days(17),
            14 * 60 + 30,
        )
        .await?;
        verzuim_service::referrals::add_jgz_note(
            self.step(),
            &ggd,
            referral,
            "Uitnodiging voor het spreekuur verstuurd aan ouders.",
        )
        .await?;
        verzuim_service::referrals::set_referral_status(
            self.step(),
            &ggd,
            referral,
            ReferralStatus::NietVerschenenZonderTegenbericht,
        )
        .await?;

        // 1015 Levi: 3rd sick report in 3 months -> referral, which GGD-JGZ takes up.
        let levi = self
            .school_tasks(
                "1015",
                SignalKind::Ziek3eMeldingIn3Maanden,
                None,
                InformedHow::Gesprek,
                None,
            )
            .await?;
        let referral = need(levi.referral, "verwijzing 1015")?;
        verzuim_service::referrals::set_referral_status(
            self.step(),
            &ggd,
            referral,
            ReferralStatus::InBehandeling,
        )
        .await?;
        verzuim_service::ggd::record_invitation(
            self.step(),
            &ggd,
            referral,
            date(2027, 7, 14),
            10 * 60,
        )
        .await?;

        // The last week: two pupils the coordinator's vroegsignalering shows, close to a
        // threshold but not on it (1039 Lars: 915 of 960 minutes; 1031 Ayoub: 4 of 5 late).
        let juf = self.people.caller(self.school, Role::Leerkracht)?;
        let day = |d: i8, code: Code, late: Option<u32>| Registration {
            code,
            span: Span::Days {
                from: date(2027, 7, d),
                until: date(2027, 7, d),
            },
            minutes_late: late,
        };
        for reg in [
            ("1039", day(5, Code::Ongeoorloofd, None)),
            ("1039", day(6, Code::Ongeoorloofd, None)),
            ("1039", day(7, Code::Ongeoorloofd, None)),
            ("1031", day(7, Code::TeLaat, Some(10))),
            ("1031", day(8, Code::TeLaat, Some(15))),
        ] {
            verzuim_service::records::add_registration(
                self.step(),
                &juf,
                DEMO_TODAY,
                self.school,
                reg.0,
                &reg.1,
                None,
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// CBS De Wegwijzer: a melding to Hengelo, a talk about luxe verzuim, a referral.
    pub(crate) async fn wegwijzer(&self) -> Result<()> {
        self.school_tasks(
            "2001",
            SignalKind::RelatiefVerzuim,
            None,
            InformedHow::Gesprek,
            Some(melding(
                "Ongeoorloofd afwezig; ouders melden Daan niet af",
                "Gesprek met ouders gevoerd en hen op de hoogte gesteld van de melding",
            )),
        )
        .await?;
        // 2002 Fenna: the talk is done; the melding is left for the coordinator to make.
        self.school_tasks_where(
            "2002",
            SignalKind::LuxeVerzuim,
            None,
            InformedHow::Gesprek,
            None,
            |t| !t.melding,
        )
        .await?;
        self.school_tasks(
            "2004",
            SignalKind::ZiekLangerDan2Weken,
            None,
            InformedHow::Telefoon,
            None,
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn school_tasks(
        &self,
        pupil: &str,
        kind: SignalKind,
        stage: Option<&str>,
        how: InformedHow,
        content: Option<MeldingContent>,
    ) -> Result<Started> {
        self.school_tasks_where(pupil, kind, stage, how, content, |_| true)
            .await
    }

    /// Completes the open school tasks (those `which` picks) of the pupil's first active signal
    /// of `kind` (and `stage`), in the card's order, with the parents informed on the signal's
    /// date where the task asks for it.
    pub(crate) async fn school_tasks_where(
        &self,
        pupil: &str,
        kind: SignalKind,
        stage: Option<&str>,
        how: InformedHow,
        content: Option<MeldingContent>,
        which: impl Fn(&Task) -> bool,
    ) -> Result<Started> {
        let coordinator = self.people.caller(self.school, Role::Verzuimcoordinator)?;
        let signal = self
            .store
            .active_signals(Scope::School(self.school), self.school, pupil)
            .await?
            .into_iter()
            .filter(|s| s.kind == kind && (stage.is_none() || s.stage.as_deref() == stage))
            .min_by_key(|s| (s.date, s.id))
            .ok_or_else(|| {
                DemoError::Missing(format!(
                    "leerling {pupil} heeft geen signaal {}",
                    kind.as_str()
                ))
            })?;
        let mut tasks: Vec<Task> = self
            .open_tasks()
            .await?
            .into_iter()
            .filter(|t| t.pupil_id == pupil && t.signal_id == Some(signal.id) && which(t))
            .collect();
        tasks.sort_by_key(|t| t.id);
        if tasks.is_empty() {
            return Err(DemoError::Missing(format!(
                "leerling {pupil}: geen open taken bij het signaal {}",
                kind.as_str()
            )));
        }
        let mut started = Started::default();
        for task in tasks {
            let completion = Completion {
                parents_informed: requires_parents_informed(&task.text).then_some(
                    ParentsInformed {
                        date: signal.date.min(DEMO_TODAY),
                        how,
                    },
                ),
                melding: if task.melding { content.clone() } else { None },
                judgement: None,
                // The digitaal aanmeldingsformulier of a referral (issue 11).
                referral_form: task.referral.then(|| verzuim_service::ReferralFormInput {
                    question: "Wat is er nodig zodat de leerling weer naar school kan?".into(),
                    school_actions: "Gesprek met de ouders over de ziekmeldingen; de ouders \
                                     weten van de verwijzing."
                        .into(),
                    parents_consent: true,
                }),
                // What the school reports with "Meldt bij de Onderwijsinspectie" and "Meldt/gaat
                // in overleg met het samenwerkingsverband" (issue 11).
                school_report: match verzuim_service::tasks::report_kind(&task.text) {
                    Some(verzuim_service::tasks::ReportKind::SwvOverleg) => {
                        Some(verzuim_service::tasks::SchoolReportContent::SwvOverleg {
                            with_whom: "Consulent passend onderwijs, SWV 2301 PO".into(),
                            date: signal.date.min(DEMO_TODAY),
                            outcome: "Thuiswerk aangeboden; overleg met ouders over een \
                                      arrangement op school"
                                .into(),
                        })
                    }
                    Some(verzuim_service::tasks::ReportKind::Inspectie) => {
                        Some(verzuim_service::tasks::SchoolReportContent::Inspectie {
                            decision_date: signal.date.min(DEMO_TODAY),
                            accepting_school: "CBS De Wegwijzer".into(),
                            reason: "Besluit van het bevoegd gezag".into(),
                            report_date: signal.date.min(DEMO_TODAY),
                        })
                    }
                    None => None,
                },
            };
            let outcome = verzuim_service::tasks::complete_task(
                self.step(),
                &coordinator,
                DEMO_TODAY,
                task.id,
                &completion,
            )
            .await?;
            started.melding = started.melding.or(outcome.melding);
            started.referral = started.referral.or(outcome.referral);
        }
        Ok(started)
    }

    /// Every open task of the school.
    pub(crate) async fn open_tasks(&self) -> Result<Vec<Task>> {
        let mut all = Vec::new();
        let mut page = Page::first(MAX_PAGE_SIZE);
        loop {
            let batch = self
                .store
                .list_tasks(self.school, Some(TaskStatus::Open), page)
                .await?;
            let done = batch.len() < page.limit() as usize;
            all.extend(batch);
            if done {
                return Ok(all);
            }
            page = page.next();
        }
    }

    /// Records an action of leerplicht on a melding, `days_after` the end of its period (at the
    /// latest on the demo day); how the parents were informed follows from the action (a
    /// conversation with them, a letter) or is a letter.
    pub(crate) async fn leerplicht_action(
        &self,
        caller: &Caller,
        id: MeldingId,
        kind: LeerplichtActionKind,
        days_after: i64,
        with_whom: Option<ConversationWith>,
        summary: Option<&str>,
    ) -> Result<()> {
        let view = verzuim_service::meldingen::melding(self.store, caller, id).await?;
        let day = view
            .melding
            .period
            .to
            .checked_add(jiff::Span::new().days(days_after))
            .unwrap_or(DEMO_TODAY)
            .min(DEMO_TODAY);
        verzuim_service::leerplicht::record_action(
            self.step(),
            caller,
            DEMO_TODAY,
            id,
            &verzuim_service::leerplicht::ActionInput {
                kind,
                date: day,
                with_whom,
                summary: summary.map(str::to_owned),
                parents_informed: Some(InformedHow::Brief),
                referred_to: None,
            },
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn melding_step(
        &self,
        caller: &Caller,
        id: MeldingId,
        action: MeldingAction,
    ) -> Result<()> {
        verzuim_service::meldingen::melding_action(self.step(), caller, id, &action).await?;
        Ok(())
    }
}

pub(crate) fn melding(reason: &str, actions: &str) -> MeldingContent {
    MeldingContent {
        suspected_reason: reason.to_owned(),
        school_actions: actions.to_owned(),
    }
}

pub(crate) fn need<T>(value: Option<T>, what: &str) -> Result<T> {
    value.ok_or_else(|| DemoError::Missing(format!("{what} is niet gemaakt")))
}
