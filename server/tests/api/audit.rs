//! The audit trail is append-only and hash-chained, and the verifier names the first broken
//! event.

use crate::helpers::{spawn_app, TestApp};
use app::api::session::Logout;
use app::backend::audit;
use app::backend::store::Backend;

/// Signs in and out a few times to put events in the trail.
async fn trail_with_events(app: &TestApp) {
    for _ in 0..3 {
        let mut client = app.sign_in_admin().await;
        client.call(Logout {}).await.unwrap();
    }
}

#[tokio::test]
async fn sign_ins_are_audited_and_the_chain_verifies() {
    let app = spawn_app().await;
    trail_with_events(&app).await;
    let events = audit::events(&app.db).await.unwrap();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e.kind == "connexion"));
    let verification = audit::verify(&app.db).await.unwrap();
    assert_eq!(verification.checked, 3);
    assert_eq!(verification.first_broken, None);
    let (report, intact) = server::admin::verify_audit(&app.db).await.unwrap();
    assert!(intact, "{report}");
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_audit_events() {
    let app = spawn_app().await;
    trail_with_events(&app).await;
    for statement in [
        "UPDATE audit_events SET details = '{}' WHERE id = 2",
        "DELETE FROM audit_events WHERE id = 2",
    ] {
        let result = sqlx::query(statement).execute(app.db.pool()).await;
        let error = result.expect_err(statement).to_string();
        assert!(error.contains("append-only"), "{statement}: {error}");
    }
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM audit_events").await, 3);
}

/// What an attacker with the database owner's rights could do: switch the guard off, then
/// rewrite or remove history. The chain still tells.
async fn disable_guard(app: &TestApp) {
    match app.db.backend() {
        Backend::Sqlite => {
            app.execute("DROP TRIGGER audit_events_append_only_update")
                .await;
            app.execute("DROP TRIGGER audit_events_append_only_delete")
                .await;
        }
        Backend::Postgres => {
            app.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
                .await;
        }
    }
}

#[tokio::test]
async fn the_verifier_names_the_first_rewritten_event() {
    let app = spawn_app().await;
    trail_with_events(&app).await;
    disable_guard(&app).await;
    app.execute("UPDATE audit_events SET details = '{\"facteur\":\"autre\"}' WHERE id = 2")
        .await;
    let verification = audit::verify(&app.db).await.unwrap();
    assert_eq!(verification.checked, 1);
    let (id, reason) = verification.first_broken.unwrap();
    assert_eq!(id, 2);
    assert!(reason.contains("content"), "{reason}");
    let (report, intact) = server::admin::verify_audit(&app.db).await.unwrap();
    assert!(!intact);
    assert!(report.contains("event 2"), "{report}");
}

#[tokio::test]
async fn the_verifier_names_a_removed_event() {
    let app = spawn_app().await;
    trail_with_events(&app).await;
    disable_guard(&app).await;
    app.execute("DELETE FROM audit_events WHERE id = 2").await;
    let verification = audit::verify(&app.db).await.unwrap();
    let (id, reason) = verification.first_broken.unwrap();
    assert_eq!(id, 3);
    assert!(reason.contains("event 2 is missing"), "{reason}");
}

#[tokio::test]
async fn the_verifier_notices_the_latest_events_removed() {
    let app = spawn_app().await;
    trail_with_events(&app).await;
    disable_guard(&app).await;
    app.execute("DELETE FROM audit_events WHERE id = 3").await;
    let verification = audit::verify(&app.db).await.unwrap();
    let (id, reason) = verification.first_broken.unwrap();
    assert_eq!(id, 3);
    assert!(reason.contains("latest events are missing"), "{reason}");
}
