//! « Double validation » (maker-checker): switching it on (two administrators needed, a signed
//! operation) and off (approved by a second administrator); with it on, every operation waits
//! for another administrator, who approves it with their own strong authentication or rejects
//! it with a reason. The bypass attempts: self-approval (same session, another session),
//! approval after the user concerned changed, after 72 hours, after the author lost the
//! administration right, and 20 approvals at once.

use crate::helpers::{refused, spawn_app, Client, TestApp};
use crate::journey::{prepare_lucas, sign_with};
use app::api::approval::{
    ApproveRequest, LoadApproval, LoadApprovals, LoadSettings, PrepareDualControl, RejectRequest,
    WithdrawRequest,
};
use app::api::operations::LoadOperation;
use app::api::session::CurrentSession;
use app::api::types::{
    Confirmed, DualControlForm, OperationForm, OperationState, PreparedOperation, RejectionForm,
    ScaProof, UserForm,
};
use app::api::users::{PrepareAuditorRole, PrepareSuspension};
use app::backend::demo::{
    DemoUser, JULIEN_BERNARD, NADIA_PETIT, PAUL_LEFEVRE, SOPHIE_MARTIN, THOMAS_GARNIER,
};
use model::OperationKind;

async fn prepared(client: &mut Client, operation_id: String) -> PreparedOperation {
    client
        .call(LoadOperation { operation_id })
        .await
        .unwrap()
        .operation
}

/// Signs a prepared operation with a fresh TOTP code of `user`.
async fn sign(
    app: &TestApp,
    client: &mut Client,
    user: &DemoUser,
    operation: &PreparedOperation,
) -> Confirmed {
    let code = app.fresh_code(user.totp_secret, user.login_id).await;
    sign_with(
        client,
        &operation.operation_id,
        &operation.digest,
        ScaProof::Totp { code },
    )
    .await
    .unwrap()
}

async fn approve(
    app: &TestApp,
    client: &mut Client,
    user: &DemoUser,
    operation: &PreparedOperation,
) -> Result<Option<app::api::types::OperationDone>, crate::helpers::Failure> {
    let code = app.fresh_code(user.totp_secret, user.login_id).await;
    client
        .call(ApproveRequest {
            operation_id: operation.operation_id.clone(),
            digest: operation.digest.clone(),
            proof: ScaProof::Totp { code },
        })
        .await
}

async fn dual_control_flag(app: &TestApp) -> i64 {
    app.scalar_i64("SELECT dual_control FROM entities WHERE name = 'Atelier Lumière SAS'")
        .await
}

async fn status_of(app: &TestApp, operation_id: &str) -> String {
    sqlx::query_scalar("SELECT status FROM operations WHERE id = $1")
        .bind(operation_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

async fn audit_count(app: &TestApp, kind: &str) -> i64 {
    app.scalar_i64(&format!(
        "SELECT COUNT(*) FROM audit_events WHERE kind = '{kind}'"
    ))
    .await
}

/// Sophie switches the double validation on (it applies at once: it was off).
async fn switch_on(app: &TestApp, sophie: &mut Client) {
    let id = sophie
        .call(PrepareDualControl {
            form: DualControlForm {
                enabled: "oui".into(),
            },
        })
        .await
        .unwrap();
    let operation = prepared(sophie, id).await;
    assert_eq!(operation.kind, OperationKind::SetDualControl);
    assert_eq!(
        sign(app, sophie, &SOPHIE_MARTIN, &operation).await,
        Confirmed::Applied(None)
    );
    assert_eq!(dual_control_flag(app).await, 1);
}

async fn suspension(client: &mut Client, user_id: i64) -> PreparedOperation {
    let id = client
        .call(PrepareSuspension {
            form: UserForm { user_id },
        })
        .await
        .unwrap();
    prepared(client, id).await
}

#[tokio::test]
async fn switching_on_is_a_signed_operation_that_needs_two_administrators() {
    let app = spawn_app().await;
    // Les Jardins Partagés has one administrator: refused, explained, nothing kept.
    let mut paul = app.sign_in(&PAUL_LEFEVRE).await;
    let single = refused(
        paul.call(PrepareDualControl {
            form: DualControlForm {
                enabled: "oui".into(),
            },
        })
        .await,
        409,
    );
    assert!(
        single.message().contains("au moins deux administrateurs"),
        "{single:?}"
    );
    let settings = paul.call(LoadSettings {}).await.unwrap();
    assert!(!settings.dual_control);
    assert_eq!(settings.active_administrators, 1);

    let mut sophie = app.sign_in_admin().await;
    let bad = refused(
        sophie
            .call(PrepareDualControl {
                form: DualControlForm {
                    enabled: "peut-être".into(),
                },
            })
            .await,
        422,
    );
    assert_eq!(bad.field(), Some("enabled"));
    assert_eq!(dual_control_flag(&app).await, 0);

    switch_on(&app, &mut sophie).await;
    assert_eq!(audit_count(&app, "double_validation").await, 1);
    let again = refused(
        sophie
            .call(PrepareDualControl {
                form: DualControlForm {
                    enabled: "oui".into(),
                },
            })
            .await,
        409,
    );
    assert!(again.message().contains("déjà activée"), "{again:?}");
    // Only administrators read or change the setting.
    let mut julien = app.sign_in(&JULIEN_BERNARD).await;
    refused(julien.call(LoadSettings {}).await, 403);
}

#[tokio::test]
async fn an_addition_waits_for_another_administrator_who_applies_it_in_its_authors_name() {
    let app = spawn_app().await;
    let mut sophie = app.sign_in_admin().await;
    let mut thomas = app.sign_in(&THOMAS_GARNIER).await;
    switch_on(&app, &mut sophie).await;
    let users_before = app.scalar_i64("SELECT COUNT(*) FROM users").await;
    let thomas_mail =
        "SELECT COUNT(*) FROM outbox WHERE recipient = 'thomas.garnier@atelier-lumiere.fr'";
    let mail_before = app.scalar_i64(thomas_mail).await;

    let lucas = prepare_lucas(&app, &mut sophie).await;
    assert_eq!(
        sign(&app, &mut sophie, &SOPHIE_MARTIN, &lucas).await,
        Confirmed::AwaitingApproval
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM users").await,
        users_before,
        "nothing applied yet"
    );
    assert_eq!(
        status_of(&app, &lucas.operation_id).await,
        "awaiting_approval"
    );
    assert_eq!(audit_count(&app, "operation_soumise").await, 1);
    let page = sophie
        .call(LoadOperation {
            operation_id: lucas.operation_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(page.state, OperationState::AwaitingApproval);
    assert!(page.decision.unwrap().lapses_on.is_some());

    // Thomas is told, sees the badge and the request; Sophie sees hers as hers.
    assert_eq!(
        app.scalar_i64(thomas_mail).await,
        mail_before + 1,
        "one e-mail asks Thomas to decide"
    );
    let info = thomas.call(CurrentSession {}).await.unwrap().unwrap();
    assert_eq!(info.awaiting_approval, 1);
    let sophie_info = sophie.call(CurrentSession {}).await.unwrap().unwrap();
    assert_eq!(
        sophie_info.awaiting_approval, 0,
        "her own request is not hers to decide"
    );
    let inbox = thomas.call(LoadApprovals {}).await.unwrap();
    assert!(inbox.dual_control);
    assert_eq!(inbox.requests.len(), 1);
    assert!(!inbox.requests[0].mine);
    assert_eq!(inbox.requests[0].about, "MOREAU Lucas");
    assert!(sophie.call(LoadApprovals {}).await.unwrap().requests[0].mine);
    let request = thomas
        .call(LoadApproval {
            operation_id: lucas.operation_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(request.operation.digest, lucas.digest);
    assert_eq!(request.refusal, None);
    assert!(request.operation.recap.is_some(), "the rights are shown");

    // Sophie cannot approve her own request, from this session or another.
    let own = refused(
        approve(&app, &mut sophie, &SOPHIE_MARTIN, &lucas).await,
        409,
    );
    assert!(own.message().contains("votre propre demande"), "{own:?}");
    let mut sophie_elsewhere = app.sign_in_admin().await;
    refused(
        approve(&app, &mut sophie_elsewhere, &SOPHIE_MARTIN, &lucas).await,
        409,
    );
    assert_eq!(
        status_of(&app, &lucas.operation_id).await,
        "awaiting_approval"
    );
    assert!(audit_count(&app, "acces_refuse").await >= 2);

    // A wrong digest approves nothing.
    let mut tampered = lucas.clone();
    tampered.digest = "0".repeat(64);
    refused(
        approve(&app, &mut thomas, &THOMAS_GARNIER, &tampered).await,
        409,
    );

    let done = approve(&app, &mut thomas, &THOMAS_GARNIER, &lucas)
        .await
        .unwrap()
        .expect("about a user");
    assert_eq!(done.name, "Lucas MOREAU");
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM users").await,
        users_before + 1
    );
    assert_eq!(status_of(&app, &lucas.operation_id).await, "applied");
    let thomas_id = app.user_id(THOMAS_GARNIER.login_id).await;
    let sophie_id = app.user_id(SOPHIE_MARTIN.login_id).await;
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT decided_by FROM operations WHERE id = '{}'",
            lucas.operation_id
        ))
        .await,
        thomas_id
    );
    // The approval is Thomas's event; the addition stays Sophie's.
    assert_eq!(
        app.scalar_i64("SELECT actor_user_id FROM audit_events WHERE kind = 'operation_validee'")
            .await,
        thomas_id
    );
    assert_eq!(
        app.scalar_i64("SELECT actor_user_id FROM audit_events WHERE kind = 'utilisateur_ajoute'")
            .await,
        sophie_id
    );
    assert_eq!(
        app.scalar_i64(
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'sophie.martin@atelier-lumiere.fr'"
        )
        .await,
        1,
        "Sophie is told her request was approved"
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM outbox WHERE recipient = '+33612345604'")
            .await,
        1,
        "Lucas's temporary password by SMS"
    );
    // Done is done.
    refused(
        approve(&app, &mut thomas, &THOMAS_GARNIER, &lucas).await,
        409,
    );
    let page = sophie
        .call(LoadOperation {
            operation_id: lucas.operation_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(page.state, OperationState::Applied);
    assert_eq!(
        page.decision.unwrap().decided_by.as_deref(),
        Some("Thomas GARNIER")
    );
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_applies_nothing() {
    let app = spawn_app().await;
    let mut sophie = app.sign_in_admin().await;
    let mut thomas = app.sign_in(&THOMAS_GARNIER).await;
    switch_on(&app, &mut sophie).await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let operation = suspension(&mut sophie, julien_id).await;
    assert_eq!(
        sign(&app, &mut sophie, &SOPHIE_MARTIN, &operation).await,
        Confirmed::AwaitingApproval
    );

    let reject = |reason: &str| RejectRequest {
        form: RejectionForm {
            operation_id: operation.operation_id.clone(),
            digest: operation.digest.clone(),
            reason: reason.into(),
        },
    };
    let empty = refused(thomas.call(reject("   ")).await, 422);
    assert_eq!(empty.field(), Some("reason"));
    assert!(empty.message().contains("motif"), "{empty:?}");
    assert_eq!(
        status_of(&app, &operation.operation_id).await,
        "awaiting_approval"
    );
    // The author rejects nothing either: she may only withdraw.
    refused(sophie.call(reject("Je change d’avis.")).await, 409);

    thomas
        .call(reject("Julien doit encore valider la paie de décembre."))
        .await
        .unwrap();
    assert_eq!(status_of(&app, &operation.operation_id).await, "rejected");
    assert_eq!(
        sqlx::query_scalar::<_, String>("SELECT state FROM users WHERE id = $1")
            .bind(julien_id)
            .fetch_one(app.db.pool())
            .await
            .unwrap(),
        "active"
    );
    assert_eq!(audit_count(&app, "operation_refusee").await, 1);
    let page = sophie
        .call(LoadOperation {
            operation_id: operation.operation_id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(page.state, OperationState::Rejected);
    assert_eq!(
        page.decision.unwrap().reason.as_deref(),
        Some("Julien doit encore valider la paie de décembre.")
    );
    // Rejected is final.
    refused(
        approve(&app, &mut thomas, &THOMAS_GARNIER, &operation).await,
        409,
    );

    // A request its author withdraws is void too.
    let nadia_id = app.user_id(NADIA_PETIT.login_id).await;
    let second = suspension(&mut sophie, nadia_id).await;
    sign(&app, &mut sophie, &SOPHIE_MARTIN, &second).await;
    refused(
        thomas
            .call(WithdrawRequest {
                form: OperationForm {
                    operation_id: second.operation_id.clone(),
                },
            })
            .await,
        404,
    );
    sophie
        .call(WithdrawRequest {
            form: OperationForm {
                operation_id: second.operation_id.clone(),
            },
        })
        .await
        .unwrap();
    assert_eq!(status_of(&app, &second.operation_id).await, "voided");
    refused(
        approve(&app, &mut thomas, &THOMAS_GARNIER, &second).await,
        409,
    );
}

#[tokio::test]
async fn a_request_is_void_after_its_user_changed_after_72_hours_or_once_its_author_lost_the_right()
{
    let app = spawn_app().await;
    let mut sophie = app.sign_in_admin().await;
    let mut thomas = app.sign_in(&THOMAS_GARNIER).await;
    switch_on(&app, &mut sophie).await;
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let nadia_id = app.user_id(NADIA_PETIT.login_id).await;

    // Sophie asks to suspend Julien; meanwhile Thomas makes him an auditor, which Sophie
    // approves: Julien changed, her request is void.
    let suspend_julien = suspension(&mut sophie, julien_id).await;
    sign(&app, &mut sophie, &SOPHIE_MARTIN, &suspend_julien).await;
    let auditor_id = thomas
        .call(PrepareAuditorRole {
            form: UserForm { user_id: julien_id },
        })
        .await
        .unwrap();
    let auditor = prepared(&mut thomas, auditor_id).await;
    assert_eq!(
        sign(&app, &mut thomas, &THOMAS_GARNIER, &auditor).await,
        Confirmed::AwaitingApproval
    );
    approve(&app, &mut sophie, &SOPHIE_MARTIN, &auditor)
        .await
        .unwrap();
    let page = thomas
        .call(LoadApproval {
            operation_id: suspend_julien.operation_id.clone(),
        })
        .await
        .unwrap();
    assert!(
        page.refusal.unwrap().contains("a changé"),
        "told before trying"
    );
    let changed = refused(
        approve(&app, &mut thomas, &THOMAS_GARNIER, &suspend_julien).await,
        409,
    );
    assert!(changed.message().contains("a changé"), "{changed:?}");
    assert_eq!(
        status_of(&app, &suspend_julien.operation_id).await,
        "voided"
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM operations WHERE id = '{}' AND lapse = 'utilisateur_modifie'",
            suspend_julien.operation_id
        ))
        .await,
        1
    );
    assert_eq!(
        sqlx::query_scalar::<_, String>("SELECT state FROM users WHERE id = $1")
            .bind(julien_id)
            .fetch_one(app.db.pool())
            .await
            .unwrap(),
        "active"
    );

    // Older than 72 hours (its signature moved back in time): void.
    let suspend_nadia = suspension(&mut sophie, nadia_id).await;
    sign(&app, &mut sophie, &SOPHIE_MARTIN, &suspend_nadia).await;
    app.execute(&format!(
        "UPDATE operations SET signed_at = signed_at - {} WHERE id = '{}'",
        72 * 3600 + 60,
        suspend_nadia.operation_id
    ))
    .await;
    let old = refused(
        approve(&app, &mut thomas, &THOMAS_GARNIER, &suspend_nadia).await,
        409,
    );
    assert!(old.message().contains("72 heures"), "{old:?}");
    assert_eq!(status_of(&app, &suspend_nadia.operation_id).await, "voided");

    // Its author no longer an administrator (the bank took the right away; the rules keep two
    // administrators while the double validation is on, so no operation here could): void.
    let again = suspension(&mut sophie, nadia_id).await;
    sign(&app, &mut sophie, &SOPHIE_MARTIN, &again).await;
    app.execute(&format!(
        "UPDATE users SET is_administrator = 0 WHERE login_id = '{}'",
        SOPHIE_MARTIN.login_id
    ))
    .await;
    let demoted = refused(
        approve(&app, &mut thomas, &THOMAS_GARNIER, &again).await,
        409,
    );
    assert!(
        demoted.message().contains("n’est plus administrateur"),
        "{demoted:?}"
    );
    assert_eq!(status_of(&app, &again.operation_id).await, "voided");
    assert_eq!(
        sqlx::query_scalar::<_, String>("SELECT state FROM users WHERE id = $1")
            .bind(nadia_id)
            .fetch_one(app.db.pool())
            .await
            .unwrap(),
        "active"
    );
    assert_eq!(audit_count(&app, "operation_caduque").await, 3);
}

#[tokio::test]
async fn twenty_approvals_at_once_apply_the_request_exactly_once() {
    let app = spawn_app().await;
    let mut sophie = app.sign_in_admin().await;
    switch_on(&app, &mut sophie).await;
    let lucas = prepare_lucas(&app, &mut sophie).await;
    sign(&app, &mut sophie, &SOPHIE_MARTIN, &lucas).await;
    let users_before = app.scalar_i64("SELECT COUNT(*) FROM users").await;

    // Two sessions of Thomas, ten approvals each, all at the same moment, with one code.
    let first = app.sign_in(&THOMAS_GARNIER).await;
    let second = app.sign_in(&THOMAS_GARNIER).await;
    let code = app
        .fresh_code(THOMAS_GARNIER.totp_secret, THOMAS_GARNIER.login_id)
        .await;
    let mut attempts = Vec::new();
    for n in 0..20 {
        let mut client = app.client();
        client.cookie = if n % 2 == 0 {
            first.cookie.clone()
        } else {
            second.cookie.clone()
        };
        let call = ApproveRequest {
            operation_id: lucas.operation_id.clone(),
            digest: lucas.digest.clone(),
            proof: ScaProof::Totp { code: code.clone() },
        };
        attempts.push(tokio::spawn(async move { client.call(call).await }));
    }
    let mut applied = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => applied += 1,
            Err(failure) => assert!(
                [409, 401, 403].contains(&failure.status),
                "refused, never failed: {failure:?}"
            ),
        }
    }
    assert_eq!(applied, 1, "exactly one approval applies");
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM users").await,
        users_before + 1
    );
    assert_eq!(audit_count(&app, "operation_validee").await, 1);
    assert_eq!(audit_count(&app, "utilisateur_ajoute").await, 1);
    assert_eq!(status_of(&app, &lucas.operation_id).await, "applied");
}

#[tokio::test]
async fn switching_off_needs_a_second_administrator_and_two_administrators_stay_meanwhile() {
    let app = spawn_app().await;
    let mut sophie = app.sign_in_admin().await;
    let mut thomas = app.sign_in(&THOMAS_GARNIER).await;
    switch_on(&app, &mut sophie).await;

    // While on, the entity keeps two administrators: Thomas cannot approve his own suspension
    // (it would leave Sophie alone, whose requests no one could approve).
    let thomas_id = app.user_id(THOMAS_GARNIER.login_id).await;
    let suspend_thomas = suspension(&mut sophie, thomas_id).await;
    sign(&app, &mut sophie, &SOPHIE_MARTIN, &suspend_thomas).await;
    let alone = refused(
        approve(&app, &mut thomas, &THOMAS_GARNIER, &suspend_thomas).await,
        409,
    );
    assert!(
        alone.message().contains("deux administrateurs"),
        "{alone:?}"
    );
    assert_eq!(
        status_of(&app, &suspend_thomas.operation_id).await,
        "awaiting_approval",
        "refused, not decided: it may still be rejected"
    );

    let id = sophie
        .call(PrepareDualControl {
            form: DualControlForm {
                enabled: "non".into(),
            },
        })
        .await
        .unwrap();
    let off = prepared(&mut sophie, id).await;
    assert_eq!(
        sign(&app, &mut sophie, &SOPHIE_MARTIN, &off).await,
        Confirmed::AwaitingApproval
    );
    assert_eq!(dual_control_flag(&app).await, 1, "still on until approved");
    assert_eq!(
        approve(&app, &mut thomas, &THOMAS_GARNIER, &off)
            .await
            .unwrap(),
        None
    );
    assert_eq!(dual_control_flag(&app).await, 0);
    assert_eq!(audit_count(&app, "double_validation").await, 2);

    // Off again: an operation applies at once.
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let operation = suspension(&mut sophie, julien_id).await;
    assert!(matches!(
        sign(&app, &mut sophie, &SOPHIE_MARTIN, &operation).await,
        Confirmed::Applied(Some(_))
    ));
}

#[tokio::test]
async fn another_entitys_request_answers_like_a_missing_one() {
    let app = spawn_app().await;
    let mut sophie = app.sign_in_admin().await;
    switch_on(&app, &mut sophie).await;
    let lucas = prepare_lucas(&app, &mut sophie).await;
    sign(&app, &mut sophie, &SOPHIE_MARTIN, &lucas).await;

    let mut paul = app.sign_in(&PAUL_LEFEVRE).await;
    assert!(paul
        .call(LoadApprovals {})
        .await
        .unwrap()
        .requests
        .is_empty());
    let missing = refused(
        paul.call(LoadApproval {
            operation_id: "inconnue".into(),
        })
        .await,
        404,
    );
    let theirs = refused(
        paul.call(LoadApproval {
            operation_id: lucas.operation_id.clone(),
        })
        .await,
        404,
    );
    assert_eq!(
        theirs.body, missing.body,
        "the same answer as a missing request"
    );
    refused(approve(&app, &mut paul, &PAUL_LEFEVRE, &lucas).await, 404);
    refused(
        paul.call(RejectRequest {
            form: RejectionForm {
                operation_id: lucas.operation_id.clone(),
                digest: lucas.digest.clone(),
                reason: "Non.".into(),
            },
        })
        .await,
        404,
    );
    refused(
        paul.call(WithdrawRequest {
            form: OperationForm {
                operation_id: lucas.operation_id.clone(),
            },
        })
        .await,
        404,
    );
    assert_eq!(
        status_of(&app, &lucas.operation_id).await,
        "awaiting_approval"
    );
}

#[tokio::test]
async fn a_switch_overtaken_by_another_is_void() {
    let app = spawn_app().await;
    let mut sophie = app.sign_in_admin().await;
    let mut thomas = app.sign_in(&THOMAS_GARNIER).await;
    switch_on(&app, &mut sophie).await;
    let off = DualControlForm {
        enabled: "non".into(),
    };
    let sophie_off = sophie
        .call(PrepareDualControl { form: off.clone() })
        .await
        .unwrap();
    let sophie_off = prepared(&mut sophie, sophie_off).await;
    sign(&app, &mut sophie, &SOPHIE_MARTIN, &sophie_off).await;
    let thomas_off = thomas.call(PrepareDualControl { form: off }).await.unwrap();
    let thomas_off = prepared(&mut thomas, thomas_off).await;
    sign(&app, &mut thomas, &THOMAS_GARNIER, &thomas_off).await;

    approve(&app, &mut sophie, &SOPHIE_MARTIN, &thomas_off)
        .await
        .unwrap();
    assert_eq!(dual_control_flag(&app).await, 0);
    // Sophie's request, asked of a setting that no longer stands, can never flip it later.
    assert_eq!(status_of(&app, &sophie_off.operation_id).await, "voided");
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM operations WHERE id = '{}' AND lapse = 'parametre_modifie'",
            sophie_off.operation_id
        ))
        .await,
        1
    );
    refused(
        approve(&app, &mut thomas, &THOMAS_GARNIER, &sophie_off).await,
        409,
    );
}

/// The store's decision is one atomic statement: of 20 concurrent approvals of the same request
/// (each in its own transaction, past every earlier check), exactly one wins.
#[tokio::test]
async fn twenty_concurrent_decisions_in_the_store_leave_exactly_one_approval() {
    let app = spawn_app().await;
    let mut sophie = app.sign_in_admin().await;
    switch_on(&app, &mut sophie).await;
    let lucas = prepare_lucas(&app, &mut sophie).await;
    sign(&app, &mut sophie, &SOPHIE_MARTIN, &lucas).await;
    let thomas_id = app.user_id(THOMAS_GARNIER.login_id).await;
    let entity_id = app
        .scalar_i64(&format!(
            "SELECT entity_id FROM users WHERE id = {thomas_id}"
        ))
        .await;
    let mut attempts = Vec::new();
    for _ in 0..20 {
        let db = app.db.clone();
        let (id, digest) = (lucas.operation_id.clone(), lucas.digest.clone());
        attempts.push(tokio::spawn(async move {
            let mut tx = db.begin_write().await.unwrap();
            let won = app::backend::store::operations::decide(
                &mut tx,
                &id,
                entity_id,
                &digest,
                thomas_id,
                app::backend::store::operations::Decision::Approved,
                app::backend::store::now(),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            won
        }));
    }
    let mut won = 0;
    for attempt in attempts {
        won += i32::from(attempt.await.unwrap());
    }
    assert_eq!(won, 1);
    // The author can never be the one who approves, even at the store.
    let emma = crate::journey::prepare_profile(
        &app,
        &mut sophie,
        "GIRARD",
        "emma.girard@atelier-lumiere.fr",
        model::Profile::Comptable,
    )
    .await;
    sign(&app, &mut sophie, &SOPHIE_MARTIN, &emma).await;
    let sophie_id = app.user_id(SOPHIE_MARTIN.login_id).await;
    let mut tx = app.db.begin_write().await.unwrap();
    let own = app::backend::store::operations::decide(
        &mut tx,
        &emma.operation_id,
        entity_id,
        &emma.digest,
        sophie_id,
        app::backend::store::operations::Decision::Approved,
        app::backend::store::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert!(!own);
    assert_eq!(
        status_of(&app, &emma.operation_id).await,
        "awaiting_approval"
    );
}
