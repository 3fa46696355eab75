//! « Modifier les droits » and « Retirer l’utilisateur »: signed like an addition, carrying the
//! user's version (a user changed in between voids them, 409), never leaving the entity without
//! an administrator, and taking effect on the next request of an open session.

use crate::helpers::{refused, spawn_app, Client, TestApp};
use crate::journey::{cells, confirm_with, confirm_with_totp, wait_for_local_messages};
use app::api::operations::LoadOperation;
use app::api::session::Home;
use app::api::types::{
    AddUserJourney, DraftForm, HomeView, MethodForm, PreparedOperation, RightsForm, ScaProof,
    UserForm, UserSearch, UserState,
};
use app::api::users::{
    AddUserCandidates, ConfirmAddUser, ListUsers, LoadAddUserJourney, PrepareRemoval,
    PrepareSuspension, SaveAddUserRights, SearchUsers, StartRightsModification,
};
use app::backend::demo::{DemoUser, JULIEN_BERNARD, NADIA_PETIT, SOPHIE_MARTIN};
use app::backend::store;
use model::{Level, Levels, OperationKind, Rights};

async fn journey(admin: &mut Client, draft: &str) -> AddUserJourney {
    admin
        .call(LoadAddUserJourney {
            draft: draft.into(),
            with_users: false,
        })
        .await
        .unwrap()
}

/// Starts « Modifier les droits » with custom rights; returns the draft.
async fn start_custom(admin: &mut Client, user_id: i64) -> Result<String, crate::helpers::Failure> {
    let draft = admin
        .call(StartRightsModification {
            form: UserForm { user_id },
        })
        .await?;
    admin
        .call(app::api::users::ChooseAddUserMethod {
            form: MethodForm {
                draft: draft.clone(),
                method: "personnalise".into(),
                copy_from: None,
            },
        })
        .await?;
    Ok(draft)
}

/// Saves `rights` in the draft and presses « Confirmer »: the operation to sign.
async fn submit(
    admin: &mut Client,
    draft: &str,
    rights: &Rights,
) -> Result<PreparedOperation, crate::helpers::Failure> {
    admin
        .call(SaveAddUserRights {
            form: RightsForm {
                draft: draft.into(),
                cells: cells(rights),
                administration: rights.administration(),
                starts_on: String::new(),
                ends_on: String::new(),
            },
        })
        .await?;
    let operation_id = admin
        .call(ConfirmAddUser {
            form: DraftForm {
                draft: draft.into(),
            },
        })
        .await?;
    Ok(admin.call(LoadOperation { operation_id }).await?.operation)
}

async fn rights_of(app: &TestApp, user_id: i64) -> Rights {
    let entity_id = app
        .scalar_i64(&format!("SELECT entity_id FROM users WHERE id = {user_id}"))
        .await;
    store::rights::of_user(app.db.pool(), entity_id, user_id)
        .await
        .unwrap()
        .rights
}

async fn make_administrator(app: &TestApp, user: &DemoUser) -> i64 {
    let id = app.user_id(user.login_id).await;
    app.execute(&format!(
        "UPDATE users SET is_administrator = 1 WHERE id = {id}"
    ))
    .await;
    id
}

/// A refusal as status and message.
fn outcome(failure: crate::helpers::Failure) -> (u16, String) {
    (
        failure.status,
        failure.error.map(|e| e.to_string()).unwrap_or(failure.body),
    )
}

async fn code_of(app: &TestApp, user: &DemoUser) -> String {
    app.fresh_code(user.totp_secret, user.login_id).await
}

#[tokio::test]
async fn a_modification_shows_gains_and_losses_signs_them_and_applies_them_once() {
    let app = spawn_app().await;
    make_administrator(&app, &NADIA_PETIT).await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let before = rights_of(&app, julien_id).await;
    let version = app
        .scalar_i64(&format!("SELECT version FROM users WHERE id = {julien_id}"))
        .await;
    let mut admin = app.sign_in_admin().await;
    let draft = start_custom(&mut admin, julien_id).await.unwrap();
    let started = journey(&mut admin, &draft).await;
    assert_eq!(
        started.modifying.as_ref().map(|m| &m.before),
        Some(&before),
        "the grid starts from the user's rights"
    );
    assert_eq!(started.rights.as_ref(), Some(&before));

    // One level lost (the first held), one gained (validation where it is not held).
    let (lost_resource, lost_levels) = before.grants().next().expect("Julien has rights");
    let lost_level = lost_levels.iter().last().unwrap();
    let mut after = before.clone();
    after.set(lost_resource, lost_level, false);
    let gained_resource = started
        .catalog
        .resources()
        .find(|r| !before.get(*r).has(Level::Validation) && *r != lost_resource)
        .expect("a resource without validation");
    after.set(gained_resource, Level::Validation, true);
    let operation = submit(&mut admin, &draft, &after).await.unwrap();
    assert_eq!(operation.kind, OperationKind::ModifyRights);
    let diff = operation.diff.clone().expect("the before/after is shown");
    assert_eq!(
        diff,
        model::RightsDiff::between(&started.catalog, &before, &after)
    );
    assert!(diff
        .lines
        .iter()
        .any(|l| l.resource == lost_resource && l.lost.contains(&lost_level)));
    assert!(diff
        .lines
        .iter()
        .any(|l| l.resource == gained_resource && l.gained.contains(&Level::Validation)));
    let check = journey(&mut admin, &draft).await;
    assert_eq!(check.modifying.unwrap().diff, Some(diff.clone()));
    assert_eq!(
        rights_of(&app, julien_id).await,
        before,
        "nothing before the signature"
    );

    let done = confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();
    assert_eq!(done.user_id, julien_id);
    assert_eq!(rights_of(&app, julien_id).await, after);
    assert_eq!(
        app.scalar_i64(&format!("SELECT version FROM users WHERE id = {julien_id}"))
            .await,
        version + 1
    );
    // The lost level is kept in the history, with who took it away.
    let sophie_id = app.user_id(SOPHIE_MARTIN.login_id).await;
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM revoked_rights WHERE user_id = {julien_id} \
             AND level = '{}' AND revoked_by = {sophie_id}",
            lost_level.code()
        ))
        .await,
        1
    );
    let kinds: Vec<String> = app::backend::audit::events(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"droits_modifies".to_string()));
    // Julien reads what he gains and loses; the other administrator gets a notice.
    let messages = wait_for_local_messages(&app, 3).await;
    let to_julien = messages
        .iter()
        .find(|m| m.subject == "Vos droits sur la banque en ligne ont changé")
        .expect("an e-mail to the user");
    assert!(
        to_julien.body.contains("gagne : validation"),
        "{}",
        to_julien.body
    );
    assert!(to_julien.body.contains("perd :"), "{}", to_julien.body);
    let nadia_email: String = sqlx::query_scalar("SELECT email FROM users WHERE login_id = $1")
        .bind(NADIA_PETIT.login_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(messages
        .iter()
        .any(|m| m.recipient == nadia_email && m.body.contains("modification des droits")));
    // Signed once: the same confirmation again changes nothing.
    let replay = refused(confirm_with_totp(&app, &mut admin, &operation).await, 409);
    assert_eq!(replay.error, Some(app::api::ApiError::OperationExpired));
    assert_eq!(rights_of(&app, julien_id).await, after);
}

#[tokio::test]
async fn choosing_nothing_new_is_refused_in_french() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let before = rights_of(&app, julien_id).await;
    let mut admin = app.sign_in_admin().await;
    let draft = start_custom(&mut admin, julien_id).await.unwrap();
    let failure = refused(submit(&mut admin, &draft, &before).await, 422);
    assert!(failure.error.unwrap().to_string().contains("déjà"));
}

/// Prepared on one version of the user, confirmed after another administrator changed them:
/// refused with a clear message (409), nothing of it applied; the journey says so too.
#[tokio::test]
async fn a_pending_modification_confirmed_after_another_change_is_refused() {
    let app = spawn_app().await;
    make_administrator(&app, &NADIA_PETIT).await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let before = rights_of(&app, julien_id).await;
    let mut sophie = app.sign_in_admin().await;
    let mut nadia = app.sign_in(&NADIA_PETIT).await;

    let draft = start_custom(&mut sophie, julien_id).await.unwrap();
    let mut by_sophie = before.clone();
    by_sophie.set_administration(true);
    let pending = submit(&mut sophie, &draft, &by_sophie).await.unwrap();

    // Nadia suspends Julien meanwhile.
    let id = nadia
        .call(PrepareSuspension {
            form: UserForm { user_id: julien_id },
        })
        .await
        .unwrap();
    let suspension = nadia
        .call(LoadOperation { operation_id: id })
        .await
        .unwrap();
    let code = code_of(&app, &NADIA_PETIT).await;
    confirm_with(
        &mut nadia,
        &suspension.operation.operation_id,
        &suspension.operation.digest,
        ScaProof::Totp { code },
    )
    .await
    .unwrap();

    let failure = refused(confirm_with_totp(&app, &mut sophie, &pending).await, 409);
    assert!(failure
        .error
        .unwrap()
        .to_string()
        .contains("modifié entre-temps"));
    assert_eq!(rights_of(&app, julien_id).await, before);
    // The validation page shows the user's new state.
    let page = sophie
        .call(LoadOperation {
            operation_id: pending.operation_id.clone(),
        })
        .await
        .unwrap();
    let target = page.target.expect("the user concerned");
    assert!(target.changed);
    assert_eq!(target.state, UserState::Suspended);
    let failure = refused(
        sophie
            .call(LoadAddUserJourney {
                draft: draft.clone(),
                with_users: false,
            })
            .await,
        409,
    );
    assert!(failure.error.unwrap().to_string().contains("entre-temps"));
}

/// 50 rounds: two administrators modify the same user at the same moment, each from the same
/// version. Exactly one commits and the other is told (409); the rights are exactly the
/// winner's submission, never a mix.
#[tokio::test]
async fn fifty_rounds_of_two_parallel_modifications_commit_exactly_one_each() {
    let app = spawn_app().await;
    make_administrator(&app, &NADIA_PETIT).await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut sophie = app.sign_in_admin().await;
    let mut nadia = app.sign_in(&NADIA_PETIT).await;
    let first_draft = start_custom(&mut sophie, julien_id).await.unwrap();
    let catalog = journey(&mut sophie, &first_draft).await.catalog;
    let candidates = [
        Rights::uniform(&catalog, Levels::CONSULTATION),
        Rights::uniform(&catalog, Levels::CONSULTATION_GESTION),
        Rights::uniform(&catalog, Levels::ALL),
    ];
    for round in 0..50 {
        let current = rights_of(&app, julien_id).await;
        let mut choices = candidates.iter().filter(|r| **r != current).cloned();
        let (first, second) = (choices.next().unwrap(), choices.next().unwrap());
        let (a, b) = if round % 2 == 0 {
            (first, second)
        } else {
            (second, first)
        };
        let draft_s = start_custom(&mut sophie, julien_id).await.unwrap();
        let draft_n = start_custom(&mut nadia, julien_id).await.unwrap();
        let by_sophie = submit(&mut sophie, &draft_s, &a).await.unwrap();
        let by_nadia = submit(&mut nadia, &draft_n, &b).await.unwrap();
        let (code_s, code_n) = (
            code_of(&app, &SOPHIE_MARTIN).await,
            code_of(&app, &NADIA_PETIT).await,
        );
        let (mut s, mut n) = (sophie, nadia);
        let first_task = tokio::spawn(async move {
            let result = confirm_with(
                &mut s,
                &by_sophie.operation_id,
                &by_sophie.digest,
                ScaProof::Totp { code: code_s },
            )
            .await;
            (s, result.map(|_| ()).map_err(outcome))
        });
        let second_task = tokio::spawn(async move {
            let result = confirm_with(
                &mut n,
                &by_nadia.operation_id,
                &by_nadia.digest,
                ScaProof::Totp { code: code_n },
            )
            .await;
            (n, result.map(|_| ()).map_err(outcome))
        });
        let (s, result_s) = first_task.await.unwrap();
        let (n, result_n) = second_task.await.unwrap();
        (sophie, nadia) = (s, n);
        let outcomes = [&result_s, &result_n];
        assert_eq!(
            outcomes.iter().filter(|r| r.is_ok()).count(),
            1,
            "round {round}: exactly one commit ({result_s:?}, {result_n:?})"
        );
        assert_eq!(
            outcomes
                .iter()
                .filter(|r| matches!(r, Err((409, message)) if message.contains("entre-temps")))
                .count(),
            1,
            "round {round}: exactly one 409 « modifié entre-temps » ({result_s:?}, {result_n:?})"
        );
        let winner = if result_s.is_ok() { &a } else { &b };
        assert_eq!(&rights_of(&app, julien_id).await, winner, "round {round}");
    }
    assert!(app::backend::audit::verify(&app.db, &app.state.secrets)
        .await
        .unwrap()
        .first_broken
        .is_none());
}

#[tokio::test]
async fn a_lost_administration_right_applies_at_the_next_request_and_the_last_one_is_kept() {
    let app = spawn_app().await;
    // This story is about the last administrator: the demo's second one is not part of it.
    app.execute(&format!(
        "UPDATE users SET is_administrator = 0 WHERE login_id = '{}'",
        app::backend::demo::THOMAS_GARNIER.login_id
    ))
    .await;
    let nadia_id = make_administrator(&app, &NADIA_PETIT).await;
    let sophie_id = app.user_id(SOPHIE_MARTIN.login_id).await;
    let mut nadia = app.sign_in(&NADIA_PETIT).await;
    let _: Vec<_> = nadia.call(ListUsers {}).await.unwrap();

    let mut sophie = app.sign_in_admin().await;
    let draft = start_custom(&mut sophie, nadia_id).await.unwrap();
    let mut after = rights_of(&app, nadia_id).await;
    after.set_administration(false);
    if after.has_no_grant() {
        after = Rights::uniform(
            &journey(&mut sophie, &draft).await.catalog,
            Levels::CONSULTATION,
        );
    }
    let operation = submit(&mut sophie, &draft, &after).await.unwrap();
    assert_eq!(operation.diff.as_ref().unwrap().administration, Some(false));
    confirm_with_totp(&app, &mut sophie, &operation)
        .await
        .unwrap();
    // Nadia's open session: her next request is refused the administration.
    refused(nadia.call(ListUsers {}).await, 403);
    let _: HomeView = nadia.call(Home {}).await.unwrap();

    // Sophie is now the only administrator: she cannot take the right away from herself.
    let draft = start_custom(&mut sophie, sophie_id).await.unwrap();
    let mut without = rights_of(&app, sophie_id).await;
    without.set_administration(false);
    let failure = refused(submit(&mut sophie, &draft, &without).await, 409);
    let message = failure.error.unwrap().to_string();
    assert!(message.contains("au moins un administrateur"), "{message}");
    assert!(
        message.contains("Mme Claire DUBOIS")
            && message.contains("Agence Entreprises Lyon Part-Dieu")
            && message.contains("claire.dubois@banque-exemple.fr"),
        "the advisor is named with their contact: {message}"
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT is_administrator FROM users WHERE id = {sophie_id}"
        ))
        .await,
        1
    );
}

async fn remove(
    admin: &mut Client,
    user_id: i64,
) -> Result<PreparedOperation, crate::helpers::Failure> {
    let operation_id = admin
        .call(PrepareRemoval {
            form: UserForm { user_id },
        })
        .await?;
    Ok(admin.call(LoadOperation { operation_id }).await?.operation)
}

#[tokio::test]
async fn a_removed_user_loses_access_rights_and_factors_and_the_history_stays() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let held = app
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE user_id = {julien_id}"
        ))
        .await;
    assert!(held > 0);
    let mut julien = app.sign_in(&JULIEN_BERNARD).await;
    let _: HomeView = julien.call(Home {}).await.unwrap();

    let mut admin = app.sign_in_admin().await;
    let operation = remove(&mut admin, julien_id).await.unwrap();
    assert_eq!(operation.kind, OperationKind::Remove);
    assert!(operation
        .facts
        .iter()
        .any(|(label, value)| label.starts_with("Retrait") && value == "BERNARD Julien"));
    confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();

    // Out at once, and for good.
    refused(julien.call(Home {}).await, 401);
    let failure = refused(
        app.client()
            .call(app::api::session::Login {
                form: app::api::types::SignInForm {
                    login_id: JULIEN_BERNARD.login_id.into(),
                    password: app::backend::demo::DEMO_PASSWORD.into(),
                },
            })
            .await,
        401,
    );
    assert_eq!(failure.error, Some(app::api::ApiError::LoginFailed));
    let row = |column: &str| format!("SELECT {column} FROM users WHERE id = {julien_id}");
    assert_eq!(
        sqlx::query_scalar::<_, String>(&row("state"))
            .fetch_one(app.db.pool())
            .await
            .unwrap(),
        "removed"
    );
    for secret in ["password_hash", "totp_secret", "temp_password_hash"] {
        assert!(
            sqlx::query_scalar::<_, Option<String>>(&row(secret))
                .fetch_one(app.db.pool())
                .await
                .unwrap()
                .is_none(),
            "{secret} is gone"
        );
    }
    assert_eq!(app.scalar_i64(&row("is_administrator")).await, 0);
    for (table, expected) in [
        ("user_rights", 0),
        ("passkeys", 0),
        ("sessions", 0),
        ("revoked_rights", held),
    ] {
        assert_eq!(
            app.scalar_i64(&format!(
                "SELECT COUNT(*) FROM {table} WHERE user_id = {julien_id}"
            ))
            .await,
            expected,
            "{table}"
        );
    }
    // The login id stays his: the row is kept, and the unique key keeps it from anyone else.
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE login_id = '{}'",
            JULIEN_BERNARD.login_id
        ))
        .await,
        1
    );
    // His e-mail and the other administrator's notice: waiting for one of them only raced.
    let messages = wait_for_local_messages(&app, 2).await;
    assert!(messages.iter().any(|m| m.subject.contains("fermé")));
    let kinds: Vec<String> = app::backend::audit::events(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"utilisateur_retire".to_string()));

    // Listed only when asked for; nothing more can be done to him; not a candidate again.
    let page = admin
        .call(SearchUsers {
            search: UserSearch::default(),
        })
        .await
        .unwrap();
    assert!(page.users.iter().all(|u| u.id != julien_id));
    assert_eq!(page.counts.removed, 1);
    let removed = admin
        .call(SearchUsers {
            search: UserSearch {
                state: Some(UserState::Removed),
                ..UserSearch::default()
            },
        })
        .await
        .unwrap();
    assert_eq!(removed.users.len(), 1);
    assert!(admin
        .call(ListUsers {})
        .await
        .unwrap()
        .iter()
        .all(|u| u.id != julien_id));
    refused(
        admin
            .call(StartRightsModification {
                form: UserForm { user_id: julien_id },
            })
            .await,
        409,
    );
    refused(remove(&mut admin, julien_id).await, 409);
    let candidates = admin.call(AddUserCandidates {}).await.unwrap();
    assert!(candidates
        .persons
        .iter()
        .all(|p| p.last_name != "BERNARD" && p.last_name != "Bernard"));
    assert!(app::backend::audit::verify(&app.db, &app.state.secrets)
        .await
        .unwrap()
        .first_broken
        .is_none());
}

#[tokio::test]
async fn an_administrator_cannot_remove_themselves() {
    let app = spawn_app().await;
    let sophie_id = app.user_id(SOPHIE_MARTIN.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let failure = refused(remove(&mut admin, sophie_id).await, 409);
    assert!(failure.error.unwrap().to_string().contains("vous-même"));
}

/// Two administrators remove each other at the same moment: at most one succeeds.
#[tokio::test]
async fn two_administrators_removing_each_other_at_once_leave_one_administrator() {
    let app = spawn_app().await;
    let nadia_id = make_administrator(&app, &NADIA_PETIT).await;
    let sophie_id = app.user_id(SOPHIE_MARTIN.login_id).await;
    let mut sophie = app.sign_in_admin().await;
    let mut nadia = app.sign_in(&NADIA_PETIT).await;
    let by_sophie = remove(&mut sophie, nadia_id).await.unwrap();
    let by_nadia = remove(&mut nadia, sophie_id).await.unwrap();
    let (code_s, code_n) = (
        code_of(&app, &SOPHIE_MARTIN).await,
        code_of(&app, &NADIA_PETIT).await,
    );
    let first = tokio::spawn(async move {
        confirm_with(
            &mut sophie,
            &by_sophie.operation_id,
            &by_sophie.digest,
            ScaProof::Totp { code: code_s },
        )
        .await
        .is_ok()
    });
    let second = tokio::spawn(async move {
        confirm_with(
            &mut nadia,
            &by_nadia.operation_id,
            &by_nadia.digest,
            ScaProof::Totp { code: code_n },
        )
        .await
        .is_ok()
    });
    let successes = [first.await.unwrap(), second.await.unwrap()]
        .into_iter()
        .filter(|ok| *ok)
        .count();
    assert_eq!(successes, 1);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id IN ({sophie_id}, {nadia_id}) \
             AND state = 'active' AND is_administrator = 1"
        ))
        .await,
        1
    );
}

/// Before « Confirmer » and on the validation page, what the administrator should think twice
/// about: preparing and validating alone while another validator exists, the last validator
/// of an account taken away. Told, never blocking.
#[tokio::test]
async fn grant_warnings_are_shown_before_confirming_and_never_block() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let draft = start_custom(&mut admin, julien_id).await.unwrap();
    let catalog = journey(&mut admin, &draft).await.catalog;
    // Sophie (profil dirigeant) validates every account: Julien would prepare and validate alone.
    let first = catalog.resources().next().unwrap();
    let mut after = rights_of(&app, julien_id).await;
    after.set_levels(first, Levels::ALL);
    let operation = submit(&mut admin, &draft, &after).await.unwrap();
    let check = journey(&mut admin, &draft).await;
    assert_eq!(check.warnings.len(), 1, "{:?}", check.warnings);
    assert!(check.warnings[0].contains("séparation des tâches"));
    assert_eq!(operation.warnings, check.warnings);
    confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();

    // Sophie's own validation taken away where Julien now validates: no warning; taken away
    // everywhere else: nobody left to validate there.
    let sophie_id = app.user_id(SOPHIE_MARTIN.login_id).await;
    let draft = start_custom(&mut admin, sophie_id).await.unwrap();
    let mut without = rights_of(&app, sophie_id).await;
    for resource in catalog.resources() {
        without.set(resource, Level::Validation, false);
    }
    without.set_administration(true);
    let operation = submit(&mut admin, &draft, &without).await.unwrap();
    let left = operation
        .warnings
        .iter()
        .filter(|w| w.contains("plus personne ne pourra valider"))
        .count();
    assert_eq!(left, catalog.len() - 1, "{:?}", operation.warnings);
    confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();
}

/// « Pourquoi ? »: a right held says which operation gave it, how, by whom and when; a right
/// taken away says by whom and when; a right never given says so.
#[tokio::test]
async fn why_a_user_holds_a_right_or_not() {
    use app::api::journal::LoadWhy;
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let draft = start_custom(&mut admin, julien_id).await.unwrap();
    let catalog = journey(&mut admin, &draft).await.catalog;
    let mut resources = catalog.resources();
    let (lost, gained) = (resources.next().unwrap(), resources.next().unwrap());
    let mut after = rights_of(&app, julien_id).await;
    after.set(lost, Level::Consultation, false);
    after.set(gained, Level::Gestion, true);
    let operation = submit(&mut admin, &draft, &after).await.unwrap();
    confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();

    let why = admin.call(LoadWhy { user_id: julien_id }).await.unwrap();
    assert_eq!(why.lines.len(), catalog.len() * 3);
    let line = |resource, level: Level| {
        let label = catalog.label(resource).unwrap();
        why.lines
            .iter()
            .find(|l| l.label == label && l.level == level)
            .unwrap()
            .clone()
    };
    let given = line(gained, Level::Gestion);
    assert!(given.held);
    assert!(given.reason.starts_with("Accordé le "), "{}", given.reason);
    assert!(given.reason.contains("par Sophie MARTIN (personnalisé"));
    assert!(given.reason.contains(&format!(
        "modification des droits, opération {}",
        operation.short_code
    )));
    let kept = line(gained, Level::Consultation);
    assert!(
        kept.held
            && kept.reason.contains("profil comptable")
            && kept.reason.contains("par votre conseiller")
    );
    let removed = line(lost, Level::Consultation);
    assert!(!removed.held);
    assert!(
        removed.reason.starts_with("Retiré le "),
        "{}",
        removed.reason
    );
    assert!(removed.reason.contains("par Sophie MARTIN"));
    assert!(removed.reason.contains(&operation.short_code));
    let never = line(lost, Level::Validation);
    assert!(!never.held);
    assert_eq!(never.reason, "Jamais accordé.");
    // Another entity's user answers like a missing one.
    let paul = app.user_id(app::backend::demo::PAUL_LEFEVRE.login_id).await;
    refused(admin.call(LoadWhy { user_id: paul }).await, 404);
}
