//! A user's life after their addition: suspension and reactivation, each signed with strong
//! authentication, applied in one transaction, and void if the user changed in between.

use crate::helpers::{refused, spawn_app, Client, TestApp};
use crate::journey::confirm_with_totp;
use app::api::operations::LoadOperation;
use app::api::session::Home;
use app::api::types::{HomeView, PreparedOperation, UserForm};
use app::api::users::{PrepareReactivation, PrepareSuspension};
use app::api::ApiError;
use app::backend::demo::JULIEN_BERNARD;
use model::OperationKind;

async fn prepared(admin: &mut Client, operation_id: String) -> PreparedOperation {
    admin
        .call(LoadOperation { operation_id })
        .await
        .unwrap()
        .operation
}

async fn suspend(admin: &mut Client, user_id: i64) -> PreparedOperation {
    let id = admin
        .call(PrepareSuspension {
            form: UserForm { user_id },
        })
        .await
        .unwrap();
    let operation = prepared(admin, id).await;
    assert_eq!(operation.kind, OperationKind::Suspend);
    operation
}

async fn state_of(app: &TestApp, user_id: i64) -> String {
    sqlx::query_scalar("SELECT state FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_suspended_user_is_out_at_once_and_reactivation_restores_the_same_rights() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let rights_before = app
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE user_id = {julien_id}"
        ))
        .await;
    let mut julien = app.sign_in(&JULIEN_BERNARD).await;
    let _: HomeView = julien.call(Home {}).await.unwrap();

    let mut admin = app.sign_in_admin().await;
    let operation = suspend(&mut admin, julien_id).await;
    assert!(operation
        .facts
        .iter()
        .any(|(label, value)| label.starts_with("Suspension") && value == "BERNARD Julien"));
    assert_eq!(
        state_of(&app, julien_id).await,
        "active",
        "nothing before the signature"
    );
    let done = confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();
    assert_eq!(done.user_id, julien_id);
    assert_eq!(state_of(&app, julien_id).await, "suspended");
    // His open session ends at once, and he cannot sign in again.
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
    assert_eq!(failure.error, Some(ApiError::LoginFailed));
    let kinds: Vec<String> = app::backend::audit::events(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"utilisateur_suspendu".to_string()));

    // Suspending again is refused (he is no longer active); reactivating restores him.
    let again = refused(
        admin
            .call(PrepareSuspension {
                form: UserForm { user_id: julien_id },
            })
            .await,
        409,
    );
    assert!(again.error.unwrap().to_string().contains("actif"));
    let id = admin
        .call(PrepareReactivation {
            form: UserForm { user_id: julien_id },
        })
        .await
        .unwrap();
    let operation = prepared(&mut admin, id).await;
    assert_eq!(operation.kind, OperationKind::Reactivate);
    confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();
    assert_eq!(state_of(&app, julien_id).await, "active");
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE user_id = {julien_id}"
        ))
        .await,
        rights_before,
        "the same rights"
    );
    let mut back = app.sign_in(&JULIEN_BERNARD).await;
    let _: HomeView = back.call(Home {}).await.unwrap();
    assert!(app::backend::audit::verify(&app.db, &app.state.secrets)
        .await
        .unwrap()
        .first_broken
        .is_none());
}

/// Prepared on one version of the user, confirmed after someone else changed them: refused
/// with a clear message (409), nothing applied.
#[tokio::test]
async fn a_user_changed_in_between_voids_the_operation() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut admin = app.sign_in_admin().await;
    let operation = suspend(&mut admin, julien_id).await;
    app.execute(&format!(
        "UPDATE users SET version = version + 1 WHERE id = {julien_id}"
    ))
    .await;
    let failure = refused(confirm_with_totp(&app, &mut admin, &operation).await, 409);
    let message = failure.error.unwrap().to_string();
    assert!(message.contains("modifié entre-temps"), "{message}");
    assert_eq!(state_of(&app, julien_id).await, "active");
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'utilisateur_suspendu'")
            .await,
        0
    );
}

#[tokio::test]
async fn an_administrator_cannot_suspend_themselves_nor_reactivate_an_active_user() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let own = app.user_id("1000000001").await;
    let failure = refused(
        admin
            .call(PrepareSuspension {
                form: UserForm { user_id: own },
            })
            .await,
        409,
    );
    assert!(failure.error.unwrap().to_string().contains("propre accès"));
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    refused(
        admin
            .call(PrepareReactivation {
                form: UserForm { user_id: julien_id },
            })
            .await,
        409,
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM operations").await,
        0,
        "nothing prepared"
    );
}

/// « Fiche utilisateur »: identity, state, factors (kinds and dates, no secret), last sign-in,
/// who added them, and every right with its origin.
#[tokio::test]
async fn the_users_page_tells_who_what_and_since_when_without_secrets() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let _julien = app.sign_in(&JULIEN_BERNARD).await;
    let mut admin = app.sign_in_admin().await;
    let view = admin
        .call(app::api::users::LoadUser { user_id: julien_id })
        .await
        .unwrap();
    assert_eq!(view.login_id, JULIEN_BERNARD.login_id);
    assert_eq!(view.first_name, "Julien");
    assert!(view.factors.has_totp);
    assert!(view.last_sign_in.is_some(), "he just signed in");
    assert!(!view.is_self);
    assert!(!view.recap.lines.is_empty());
    let text = serde_json::to_string(&view).unwrap();
    assert!(!text.contains(JULIEN_BERNARD.totp_secret), "never a secret");
    let own = admin
        .call(app::api::users::LoadUser {
            user_id: app.user_id("1000000001").await,
        })
        .await
        .unwrap();
    assert!(own.is_self);
    refused(
        admin
            .call(app::api::users::LoadUser { user_id: i64::MAX })
            .await,
        404,
    );
}

/// « Réinitialiser l’accès »: a new temporary password by SMS and the login id again by e-mail
/// (with a new code); every earlier password and factor stops working; the first login again.
/// It also brings back a new user who left their first login half-way.
#[tokio::test]
async fn a_reset_access_sends_new_credentials_and_voids_every_earlier_one() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut julien = app.sign_in(&JULIEN_BERNARD).await;
    let mut admin = app.sign_in_admin().await;
    let id = admin
        .call(app::api::users::PrepareAccessReset {
            form: UserForm { user_id: julien_id },
        })
        .await
        .unwrap();
    let operation = prepared(&mut admin, id).await;
    assert_eq!(operation.kind, OperationKind::ResetAccess);
    confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();
    assert_eq!(state_of(&app, julien_id).await, "awaiting_first_login");
    refused(julien.call(Home {}).await, 401);

    // Julien's e-mail and SMS, and the other administrator's notice.
    let messages = crate::journey::wait_for_local_messages(&app, 3).await;
    let mail = messages
        .iter()
        .find(|m| m.channel == "email" && m.recipient == "julien.bernard@atelier-lumiere.fr")
        .expect("an e-mail");
    assert!(mail.subject.contains("réinitialisé"));
    assert!(mail.body.contains(JULIEN_BERNARD.login_id));
    let (login_id, temporary) = crate::journey::credentials_from(&messages, &mail.recipient, {
        &messages
            .iter()
            .find(|m| m.channel == "sms")
            .unwrap()
            .recipient
    });
    assert_eq!(login_id, JULIEN_BERNARD.login_id);
    assert!(!mail.body.contains(&temporary), "never in the same channel");

    // The old password no longer works; the temporary one leads to the first login.
    let sign_in = |password: &str| app::api::session::Login {
        form: app::api::types::SignInForm {
            login_id: login_id.clone(),
            password: password.into(),
        },
    };
    let failure = refused(
        app.client()
            .call(sign_in(app::backend::demo::DEMO_PASSWORD))
            .await,
        401,
    );
    assert_eq!(failure.error, Some(ApiError::LoginFailed));
    let stage: app::api::types::Stage = app.client().call(sign_in(&temporary)).await.unwrap();
    assert_eq!(stage, app::api::types::Stage::NewPassword);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {julien_id} AND totp_secret IS NULL \
             AND password_hash IS NULL AND enrolment_code_hash IS NOT NULL"
        ))
        .await,
        1,
        "no factor, no password, a new e-mail code"
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'acces_reinitialise'")
            .await,
        1
    );
    // Nobody resets their own access.
    let own = app.user_id("1000000001").await;
    refused(
        admin
            .call(app::api::users::PrepareAccessReset {
                form: UserForm { user_id: own },
            })
            .await,
        409,
    );
}

/// « Débloquer l’accès »: an administrator, with strong authentication, unblocks a user blocked
/// after five failed strong authentications; the user and the other administrators are told.
#[tokio::test]
async fn an_administrator_unblocks_a_blocked_user_and_everyone_concerned_is_told() {
    let app = spawn_app().await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    app.execute(&format!(
        "UPDATE users SET state = 'blocked', failed_sca_count = 5 WHERE id = {julien_id}"
    ))
    .await;
    // Another administrator, to receive the notice.
    app.execute(&format!(
        "UPDATE users SET is_administrator = 1 WHERE entity_id = \
         (SELECT entity_id FROM users WHERE id = {julien_id}) AND login_id = '1000000003'"
    ))
    .await;
    let mut admin = app.sign_in_admin().await;
    let id = admin
        .call(app::api::users::PrepareUnblock {
            form: UserForm { user_id: julien_id },
        })
        .await
        .unwrap();
    let operation = prepared(&mut admin, id).await;
    assert_eq!(operation.kind, OperationKind::Unblock);
    confirm_with_totp(&app, &mut admin, &operation)
        .await
        .unwrap();
    assert_eq!(state_of(&app, julien_id).await, "active");
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT failed_sca_count FROM users WHERE id = {julien_id}"
        ))
        .await,
        0
    );
    let _back: HomeView = app
        .sign_in(&JULIEN_BERNARD)
        .await
        .call(Home {})
        .await
        .unwrap();
    let messages = crate::journey::wait_for_local_messages(&app, 3).await;
    let julien_email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(julien_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(messages
        .iter()
        .any(|m| m.recipient == julien_email && m.subject.contains("débloqué")));
    let other_admin: String =
        sqlx::query_scalar("SELECT email FROM users WHERE login_id = '1000000003'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(messages
        .iter()
        .any(|m| m.recipient == other_admin && m.body.contains("déblocage de l’accès")));
    // Only a blocked user is unblocked.
    refused(
        admin
            .call(app::api::users::PrepareUnblock {
                form: UserForm { user_id: julien_id },
            })
            .await,
        409,
    );
}

/// Two administrators suspend each other at the same moment: at most one succeeds, and the
/// entity always keeps an active administrator able to act.
#[tokio::test]
async fn two_administrators_suspending_each_other_at_once_leave_one_administrator() {
    use app::backend::demo::{NADIA_PETIT, SOPHIE_MARTIN};
    let app = spawn_app().await;
    let (sophie_id, nadia_id) = (
        app.user_id(SOPHIE_MARTIN.login_id).await,
        app.user_id(NADIA_PETIT.login_id).await,
    );
    app.execute(&format!(
        "UPDATE users SET is_administrator = 1 WHERE id = {nadia_id}"
    ))
    .await;
    let mut sophie = app.sign_in(&SOPHIE_MARTIN).await;
    let mut nadia = app.sign_in(&NADIA_PETIT).await;
    let by_sophie = suspend(&mut sophie, nadia_id).await;
    let by_nadia = suspend(&mut nadia, sophie_id).await;
    let (code_sophie, code_nadia) = (
        app.fresh_code(SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id)
            .await,
        app.fresh_code(NADIA_PETIT.totp_secret, NADIA_PETIT.login_id)
            .await,
    );
    let first = tokio::spawn(async move {
        crate::journey::confirm_with(
            &mut sophie,
            &by_sophie.operation_id,
            &by_sophie.digest,
            app::api::types::ScaProof::Totp { code: code_sophie },
        )
        .await
        .is_ok()
    });
    let second = tokio::spawn(async move {
        crate::journey::confirm_with(
            &mut nadia,
            &by_nadia.operation_id,
            &by_nadia.digest,
            app::api::types::ScaProof::Totp { code: code_nadia },
        )
        .await
        .is_ok()
    });
    let successes = [first.await.unwrap(), second.await.unwrap()]
        .into_iter()
        .filter(|ok| *ok)
        .count();
    assert_eq!(successes, 1, "exactly one of the two suspensions applies");
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id IN ({sophie_id}, {nadia_id}) AND state = 'active'"
        ))
        .await,
        1
    );
}

/// What makes the race above safe: an administration operation of an entity waits for the one
/// in progress to commit (on PostgreSQL by the entity's row, on SQLite by the write lock).
#[tokio::test]
async fn administration_operations_of_one_entity_are_serialised() {
    let app = spawn_app().await;
    let entity = app
        .scalar_i64("SELECT entity_id FROM users WHERE login_id = '1000000001'")
        .await;
    let mut first = app.db.begin_write().await.unwrap();
    app::backend::store::entities::lock_for_administration(&mut first, entity)
        .await
        .unwrap();
    let acquired = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (db, flag) = (app.db.clone(), acquired.clone());
    let second = tokio::spawn(async move {
        let mut tx = db.begin_write().await.unwrap();
        app::backend::store::entities::lock_for_administration(&mut tx, entity)
            .await
            .unwrap();
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        tx.commit().await.unwrap();
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !acquired.load(std::sync::atomic::Ordering::SeqCst),
        "the second operation waits"
    );
    first.commit().await.unwrap();
    second.await.unwrap();
    assert!(acquired.load(std::sync::atomic::Ordering::SeqCst));
}
