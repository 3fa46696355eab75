//! « Droits temporaires »: rights given until a day are signed with their end, shown with it
//! (grid, user's page, report), reminded three days before and removed at the end by the
//! sweep — once, whichever of two instances sweeps, and also when the server was stopped past
//! the end. Bad end dates are refused in French and change nothing.

use crate::helpers::{refused, spawn_app, spawn_on, Client, TestApp};
use crate::journey::{cells, confirm_with_totp, wait_for_local_messages};
use app::api::operations::LoadOperation;
use app::api::types::{DraftForm, MethodForm, PreparedOperation, RightsForm, UserForm};
use app::api::users::{
    ChooseAddUserMethod, ConfirmAddUser, LoadAddUserJourney, SaveAddUserRights,
    StartRightsModification,
};
use app::backend::demo::JULIEN_BERNARD;
use app::backend::flows::temporary_rights::{sweep, Swept};
use app::backend::store;
use model::{Day, Level, ResourceRef, Rights};
use std::time::Duration;

fn today() -> Day {
    Day::in_paris_at(store::now())
}

async fn rights_of(app: &TestApp, user_id: i64) -> store::rights::StoredRights {
    let entity_id = app
        .scalar_i64(&format!("SELECT entity_id FROM users WHERE id = {user_id}"))
        .await;
    store::rights::of_user(app.db.pool(), entity_id, user_id)
        .await
        .unwrap()
}

/// Starts « Modifier les droits » of a user with custom rights; returns the draft.
async fn start(admin: &mut Client, user_id: i64) -> String {
    let draft = admin
        .call(StartRightsModification {
            form: UserForm { user_id },
        })
        .await
        .unwrap();
    admin
        .call(ChooseAddUserMethod {
            form: MethodForm {
                draft: draft.clone(),
                method: "personnalise".into(),
                copy_from: None,
            },
        })
        .await
        .unwrap();
    draft
}

async fn save(
    admin: &mut Client,
    draft: &str,
    rights: &Rights,
    ends_on: &str,
) -> Result<(), crate::helpers::Failure> {
    save_from(admin, draft, rights, "", ends_on).await
}

async fn save_from(
    admin: &mut Client,
    draft: &str,
    rights: &Rights,
    starts_on: &str,
    ends_on: &str,
) -> Result<(), crate::helpers::Failure> {
    admin
        .call(SaveAddUserRights {
            form: RightsForm {
                draft: draft.into(),
                cells: cells(rights),
                administration: rights.administration(),
                starts_on: starts_on.into(),
                ends_on: ends_on.into(),
            },
        })
        .await
}

async fn confirm(admin: &mut Client, draft: &str) -> PreparedOperation {
    let operation_id = admin
        .call(ConfirmAddUser {
            form: DraftForm {
                draft: draft.into(),
            },
        })
        .await
        .unwrap();
    admin
        .call(LoadOperation { operation_id })
        .await
        .unwrap()
        .operation
}

async fn journey(admin: &mut Client, draft: &str) -> app::api::types::AddUserJourney {
    admin
        .call(LoadAddUserJourney {
            draft: draft.into(),
            with_users: false,
        })
        .await
        .unwrap()
}

/// « Modifier les droits » of Julien started, and a resource he does not validate: the draft,
/// the resource, and `before` with validation added on it.
async fn julien_with_validation(
    admin: &mut Client,
    julien_id: i64,
    before: &Rights,
) -> (String, ResourceRef, Rights) {
    let draft = start(admin, julien_id).await;
    let resource = journey(admin, &draft)
        .await
        .catalog
        .resources()
        .find(|r| !before.get(*r).has(Level::Validation))
        .expect("a resource Julien does not validate");
    let mut after = before.clone();
    after.set(resource, Level::Validation, true);
    (draft, resource, after)
}

/// Sophie gives Julien validation on a resource he does not validate, until `last_day`;
/// returns the resource.
async fn give_julien_validation_until(
    app: &TestApp,
    admin: &mut Client,
    last_day: Day,
) -> ResourceRef {
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let before = rights_of(app, julien_id).await.rights;
    let (draft, resource, after) = julien_with_validation(admin, julien_id, &before).await;
    save(admin, &draft, &after, &last_day.iso()).await.unwrap();
    assert_eq!(
        journey(admin, &draft).await.period.map(|p| p.ends_on),
        Some(last_day)
    );
    let operation = confirm(admin, &draft).await;
    let fact = operation
        .facts
        .iter()
        .find(|(name, _)| name == "Droits temporaires")
        .expect("the end is one of the facts signed");
    assert!(fact.1.contains(&last_day.french()), "{fact:?}");
    let line = operation
        .recap
        .as_ref()
        .unwrap()
        .lines
        .iter()
        .find(|line| line.resource == resource)
        .unwrap();
    assert_eq!(line.until, vec![(Level::Validation, last_day)]);
    confirm_with_totp(app, admin, &operation).await.unwrap();
    resource
}

async fn events(app: &TestApp, kind: &str) -> Vec<app::backend::audit::Event> {
    app::backend::audit::events(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .collect()
}

#[tokio::test]
async fn a_temporary_right_is_shown_reminded_and_ends_once_with_two_instances() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let last_day = today().plus_days(5);
    let before = rights_of(&app, julien_id).await;
    let resource = give_julien_validation_until(&app, &mut admin, last_day).await;
    let ends_at = last_day.end_instant();

    // Stored with its end; the levels he held stay permanent.
    let held = rights_of(&app, julien_id).await;
    assert!(held.rights.get(resource).has(Level::Validation));
    assert_eq!(
        held.ends.into_iter().collect::<Vec<_>>(),
        vec![((resource, Level::Validation), ends_at)]
    );
    // Shown on his page, in the report (on screen and in the CSV file).
    let view = admin
        .call(app::api::users::LoadUser { user_id: julien_id })
        .await
        .unwrap();
    let line = view
        .recap
        .lines
        .iter()
        .find(|line| line.resource == resource)
        .unwrap();
    assert!(
        line.sentence
            .contains(&format!("validation jusqu’au {} inclus", last_day.french())),
        "{}",
        line.sentence
    );
    let report = admin
        .call(app::api::journal::LoadEntitlementReport {})
        .await
        .unwrap();
    let holders = report
        .resources
        .iter()
        .find(|holders| holders.resource == resource)
        .unwrap();
    assert!(holders.validation.contains(&format!(
        "Julien BERNARD (jusqu’au {} inclus)",
        last_day.french()
    )));
    let csv = admin.get("/habilitations.csv").await.text().await.unwrap();
    assert!(csv.contains(";Origine;Fin\r\n"), "{csv}");
    assert!(
        csv.contains(&format!("\"validation : {}\"", last_day.french())),
        "{csv}"
    );

    // Nothing is due now; three days before the end, one reminder, once.
    let now = store::now();
    assert_eq!(sweep(&app.state, now).await.unwrap(), Swept::default());
    let reminder_time = ends_at - 2 * 86_400;
    assert_eq!(
        sweep(&app.state, reminder_time).await.unwrap(),
        Swept {
            reminded: 1,
            ..Swept::default()
        }
    );
    assert_eq!(
        sweep(&app.state, reminder_time + 60).await.unwrap(),
        Swept::default()
    );
    let reminders = events(&app, "droits_temporaires_rappel").await;
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].actor_user_id, None, "authored by the system");

    // Two instances sweep past the end at the same moment: it ends once.
    let second = spawn_on(&app.state.config.database_url, None, &[]).await;
    let past = ends_at + 1;
    let (first, other) = tokio::join!(sweep(&app.state, past), sweep(&second.state, past));
    let (first, other) = (first.unwrap(), other.unwrap());
    assert_eq!(first.ended + other.ended, 1, "{first:?} {other:?}");
    let after = rights_of(&app, julien_id).await;
    assert!(!after.rights.get(resource).has(Level::Validation));
    assert_eq!(
        after.rights, before.rights,
        "back to the rights he held before"
    );
    assert!(after.ends.is_empty());
    let ended = events(&app, "droits_temporaires_fin").await;
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].actor_user_id, None);
    assert_eq!(ended[0].details["fin"][0], last_day.iso());
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM revoked_rights WHERE user_id = {julien_id} \
             AND level = 'validation' AND revoked_by IS NULL AND ends_at = {ends_at}"
        ))
        .await,
        1,
        "kept in the history, removed by nobody"
    );
    assert_eq!(
        sweep(&second.state, past + 60).await.unwrap(),
        Swept::default()
    );

    // Julien and the other administrators are told, each once, at the reminder and the end.
    let julien_email: String =
        sqlx::query_scalar(&format!("SELECT email FROM users WHERE id = {julien_id}"))
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let mut told = Vec::new();
    for _ in 0..100 {
        told = wait_for_local_messages(&app, 1)
            .await
            .into_iter()
            .filter(|m| m.recipient == julien_email && m.subject.contains("droits temporaires"))
            .collect::<Vec<_>>();
        if told.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Each once. Two instances deliver side by side: the mailbox's order may not be the order
    // the messages were queued in.
    let mut subjects: Vec<&str> = told.iter().map(|m| m.subject.as_str()).collect();
    subjects.sort_unstable();
    assert_eq!(
        subjects,
        [
            "Vos droits temporaires ont pris fin",
            "Vos droits temporaires prennent fin bientôt"
        ],
        "{told:?}"
    );
    let ended_mail = told
        .iter()
        .find(|m| m.subject.ends_with("ont pris fin"))
        .unwrap();
    assert!(ended_mail.body.contains(&last_day.french()));
    // The administrators' notice leaves the outbox on its own: waited for, as Julien's were.
    let mut to_admins = 0;
    for _ in 0..100 {
        to_admins = app::backend::flows::local_outbox::messages(&app.state)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.subject == "Fin des droits temporaires de Julien BERNARD")
            .count();
        if to_admins >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(to_admins >= 1, "the administrators are told");
}

#[tokio::test]
async fn a_server_stopped_past_the_end_removes_the_right_as_it_starts() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let resource = give_julien_validation_until(&app, &mut admin, today()).await;
    // The end passed while no server ran: moved into the past in the database.
    app.execute(&format!(
        "UPDATE user_rights SET ends_at = {} WHERE user_id = {julien_id} AND ends_at IS NOT NULL",
        store::now() - 3600
    ))
    .await;
    // A server starting on the database sweeps at once.
    let restarted = spawn_on(&app.state.config.database_url, None, &[]).await;
    let mut removed = false;
    for _ in 0..100 {
        if !rights_of(&restarted, julien_id)
            .await
            .rights
            .get(resource)
            .has(Level::Validation)
        {
            removed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        removed,
        "the right ended while the server was stopped is removed"
    );
    assert_eq!(events(&restarted, "droits_temporaires_fin").await.len(), 1);
}

#[tokio::test]
async fn a_modification_prepared_before_an_end_is_void_after_it() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let last_day = today().plus_days(2);
    give_julien_validation_until(&app, &mut admin, last_day).await;
    // Another change prepared while he still holds it…
    let draft = start(&mut admin, julien_id).await;
    let mut rights = rights_of(&app, julien_id).await.rights;
    rights.set_administration(true);
    save(&mut admin, &draft, &rights, "").await.unwrap();
    let operation = confirm(&mut admin, &draft).await;
    // …is void once the right ended: it would give it back.
    sweep(&app.state, last_day.end_instant()).await.unwrap();
    let failure = refused(confirm_with_totp(&app, &mut admin, &operation).await, 409);
    assert!(failure.message().contains("modifié"), "{failure:?}");
}

#[tokio::test]
async fn bad_end_dates_are_refused_in_french_and_change_nothing() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let before = rights_of(&app, julien_id).await.rights;
    let (draft, _, more) = julien_with_validation(&mut admin, julien_id, &before).await;
    let mut admin_only = before.clone();
    admin_only.set_administration(true);
    let cases = [
        (&more, today().plus_days(-1).iso(), "passée"),
        (&more, "31/12/2026".to_string(), "pas une date valide"),
        (&more, "2026-02-30".to_string(), "pas une date valide"),
        (&more, today().plus_days(400).iso(), "plus d’un an"),
        (
            &admin_only,
            today().plus_days(3).iso(),
            "droit d’administration",
        ),
    ];
    for (rights, ends_on, message) in cases {
        let failure = refused(save(&mut admin, &draft, rights, &ends_on).await, 422);
        assert!(
            failure.message().contains(message),
            "{ends_on}: {failure:?}"
        );
        assert_eq!(failure.field(), Some("ends_on"));
    }
    let journey = journey(&mut admin, &draft).await;
    assert_eq!(journey.period, None, "the draft kept nothing");
    assert_eq!(rights_of(&app, julien_id).await.rights, before);
    // The English of each message exists.
    for error in [
        model::PeriodError::NotADate,
        model::PeriodError::Past,
        model::PeriodError::TooFar,
        model::PeriodError::NothingAdded,
        model::PeriodError::StartNotADate,
        model::PeriodError::StartPast,
        model::PeriodError::StartWithoutEnd,
        model::PeriodError::StartAfterEnd,
    ] {
        assert_ne!(
            app::backend::texts::message(&error.to_string(), model::Lang::En),
            error.to_string()
        );
    }
}

#[tokio::test]
async fn a_right_given_from_a_later_day_waits_then_starts_once_and_ends() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let before = rights_of(&app, julien_id).await.rights;
    let (first, last) = (today().plus_days(3), today().plus_days(6));
    let (draft, resource, after) = julien_with_validation(&mut admin, julien_id, &before).await;
    save_from(&mut admin, &draft, &after, &first.iso(), &last.iso())
        .await
        .unwrap();
    let operation = confirm(&mut admin, &draft).await;
    let fact = operation
        .facts
        .iter()
        .find(|(name, _)| name == "Droits temporaires")
        .unwrap();
    assert!(
        fact.1.contains(&format!(
            "du {} au {} inclus",
            first.french(),
            last.french()
        )),
        "{fact:?}"
    );
    confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();

    // Signed and applied, but not held before its first day: listed as scheduled.
    assert_eq!(rights_of(&app, julien_id).await.rights, before);
    let view = admin
        .call(app::api::users::LoadUser { user_id: julien_id })
        .await
        .unwrap();
    assert_eq!(view.recap.scheduled.len(), 1);
    assert_eq!(
        view.recap.scheduled[0].sentence_in(model::Lang::Fr),
        format!(
            "{} : validation, du {} au {} inclus",
            view.recap.scheduled[0].label,
            first.french(),
            last.french()
        )
    );
    let next = start(&mut admin, julien_id).await;
    let next = journey(&mut admin, &next).await;
    assert_eq!(
        next.modifying.unwrap().starts,
        vec![(resource, Level::Validation, first)]
    );
    let csv = admin.get("/habilitations.csv").await.text().await.unwrap();
    assert!(csv.contains("\"prévu\""), "{csv}");
    assert_eq!(
        sweep(&app.state, store::now()).await.unwrap(),
        Swept::default()
    );

    // Its first day: two instances sweep at once, it starts once.
    let version = app
        .scalar_i64(&format!("SELECT version FROM users WHERE id = {julien_id}"))
        .await;
    let second = spawn_on(&app.state.config.database_url, None, &[]).await;
    let at = first.start_instant() + 1;
    let (one, other) = tokio::join!(sweep(&app.state, at), sweep(&second.state, at));
    let (one, other) = (one.unwrap(), other.unwrap());
    assert_eq!(one.started + other.started, 1, "{one:?} {other:?}");
    let held = rights_of(&app, julien_id).await;
    assert!(held.rights.get(resource).has(Level::Validation));
    assert_eq!(held.last_day(resource, Level::Validation), Some(last));
    assert_eq!(events(&app, "droits_temporaires_debut").await.len(), 1);
    assert_eq!(
        app.scalar_i64(&format!("SELECT version FROM users WHERE id = {julien_id}"))
            .await,
        version + 1,
        "what was prepared against him before is void"
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM scheduled_rights")
            .await,
        0
    );

    // And it ends like any temporary right.
    let swept = sweep(&app.state, last.end_instant()).await.unwrap();
    assert_eq!(swept.ended, 1, "{swept:?}");
    assert_eq!(rights_of(&app, julien_id).await.rights, before);
}

#[tokio::test]
async fn removing_a_user_cancels_their_scheduled_rights() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let before = rights_of(&app, julien_id).await.rights;
    let (draft, _, after) = julien_with_validation(&mut admin, julien_id, &before).await;
    let (first, last) = (today().plus_days(2), today().plus_days(4));
    save_from(&mut admin, &draft, &after, &first.iso(), &last.iso())
        .await
        .unwrap();
    let operation = confirm(&mut admin, &draft).await;
    confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM scheduled_rights")
            .await,
        1
    );
    let removal = admin
        .call(app::api::users::PrepareRemoval {
            form: UserForm { user_id: julien_id },
        })
        .await
        .unwrap();
    let removal = admin
        .call(LoadOperation {
            operation_id: removal,
        })
        .await
        .unwrap()
        .operation;
    confirm_with_totp(&app, &mut admin, &removal).await.unwrap();
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM scheduled_rights")
            .await,
        0
    );
    let swept = sweep(&app.state, first.start_instant() + 1).await.unwrap();
    assert_eq!(swept, Swept::default(), "nothing starts for a removed user");
}

#[tokio::test]
async fn a_new_last_day_extends_a_cover_and_its_reminder_is_due_again() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let (old_end, new_end) = (today().plus_days(2), today().plus_days(9));
    let resource = give_julien_validation_until(&app, &mut admin, old_end).await;
    // Reminded already (the end is two days away).
    let reminded = sweep(&app.state, store::now()).await.unwrap();
    assert_eq!(reminded.reminded, 1, "{reminded:?}");

    // The same boxes, a new last day: the change is the end moved, signed and said.
    let held = rights_of(&app, julien_id).await.rights;
    let draft = start(&mut admin, julien_id).await;
    save(&mut admin, &draft, &held, &new_end.iso())
        .await
        .unwrap();
    let operation = confirm(&mut admin, &draft).await;
    let fact = operation
        .facts
        .iter()
        .find(|(name, _)| name == "Droits temporaires")
        .unwrap();
    assert_eq!(
        fact.1,
        format!(
            "les droits temporaires en cours, jusqu’au {} inclus",
            new_end.french()
        )
    );
    assert!(operation.diff.as_ref().unwrap().is_empty());
    confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();
    let after = rights_of(&app, julien_id).await;
    assert_eq!(after.rights, held, "no box changed");
    assert_eq!(after.last_day(resource, Level::Validation), Some(new_end));

    // Nothing ends at the old last day; the reminder comes again before the new one.
    assert_eq!(
        sweep(&app.state, old_end.end_instant() + 1).await.unwrap(),
        Swept::default()
    );
    let again = sweep(&app.state, new_end.end_instant() - 86_400)
        .await
        .unwrap();
    assert_eq!(again.reminded, 1, "{again:?}");
    let ended = sweep(&app.state, new_end.end_instant()).await.unwrap();
    assert_eq!(ended.ended, 1, "{ended:?}");
    // Without a new day, the same boxes are still no change.
    let draft = start(&mut admin, julien_id).await;
    let now_held = rights_of(&app, julien_id).await.rights;
    save(&mut admin, &draft, &now_held, "").await.unwrap();
    let failure = refused(
        admin
            .call(ConfirmAddUser {
                form: DraftForm {
                    draft: draft.clone(),
                },
            })
            .await,
        422,
    );
    assert!(failure.message().contains("déjà"), "{failure:?}");
}
