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
    let verification = audit::verify(&app.db, &app.state.secrets).await.unwrap();
    assert_eq!(verification.checked, 3);
    assert_eq!(verification.first_broken, None);
    let (report, intact) = server::admin::verify_audit(&app.db, &app.state.secrets, None)
        .await
        .unwrap();
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
pub async fn disable_guard(app: &TestApp) {
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
    let verification = audit::verify(&app.db, &app.state.secrets).await.unwrap();
    assert_eq!(verification.checked, 1);
    let (id, reason) = verification.first_broken.unwrap();
    assert_eq!(id, 2);
    assert!(reason.contains("content"), "{reason}");
    let (report, intact) = server::admin::verify_audit(&app.db, &app.state.secrets, None)
        .await
        .unwrap();
    assert!(!intact);
    assert!(report.contains("event 2"), "{report}");
}

/// An attacker with write access to the database but not the server's key rewrites an event
/// and recomputes the whole chain (with plain SHA-256, or under a key of their own): the keyed
/// verifier still names the first rewritten event.
#[tokio::test]
async fn a_trail_rewritten_and_re_chained_without_the_key_does_not_verify() {
    use app::backend::security::crypto::{hmac_sha256, sha256_hex};
    use app::backend::store::audit::all;
    for keyed_by_attacker in [false, true] {
        let app = spawn_app().await;
        trail_with_events(&app).await;
        disable_guard(&app).await;
        app.execute("UPDATE audit_events SET details = '{\"facteur\":\"autre\"}' WHERE id = 2")
            .await;
        let mut prev = audit::GENESIS_HASH.to_string();
        for event in all(app.db.pool()).await.unwrap() {
            let text = format!(
                "{prev}|{}|{}|{}|{}|{}|{}",
                event.id,
                event.at,
                event.entity_id.map(|e| e.to_string()).unwrap_or_default(),
                event
                    .actor_user_id
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                event.kind,
                event.details
            );
            let hash = if keyed_by_attacker {
                data_encoding::HEXLOWER.encode(&hmac_sha256(&[7u8; 32], &[text.as_bytes()]))
            } else {
                sha256_hex(text.as_bytes())
            };
            sqlx::query("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE id = $3")
                .bind(&prev)
                .bind(&hash)
                .bind(event.id)
                .execute(app.db.pool())
                .await
                .unwrap();
            prev = hash;
        }
        sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
            .bind(&prev)
            .execute(app.db.pool())
            .await
            .unwrap();
        let verification = audit::verify(&app.db, &app.state.secrets).await.unwrap();
        let (id, reason) = verification
            .first_broken
            .expect("a re-chained trail is caught");
        assert_eq!(id, 1, "every re-chained event is unverifiable ({reason})");
        let (report, intact) = server::admin::verify_audit(&app.db, &app.state.secrets, None)
            .await
            .unwrap();
        assert!(!intact, "{report}");
    }
}

#[tokio::test]
async fn the_verifier_names_a_removed_event() {
    let app = spawn_app().await;
    trail_with_events(&app).await;
    disable_guard(&app).await;
    app.execute("DELETE FROM audit_events WHERE id = 2").await;
    let verification = audit::verify(&app.db, &app.state.secrets).await.unwrap();
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
    let verification = audit::verify(&app.db, &app.state.secrets).await.unwrap();
    let (id, reason) = verification.first_broken.unwrap();
    assert_eq!(id, 3);
    assert!(reason.contains("latest events are missing"), "{reason}");
}

/// The tail cut and the head row rewritten to match: the chain alone still verifies, a signed
/// checkpoint kept outside does not. A forged checkpoint is refused.
#[tokio::test]
async fn a_signed_checkpoint_catches_a_tail_cut_with_the_head_rewritten() {
    let app = spawn_app().await;
    trail_with_events(&app).await;
    let kept = audit::checkpoint(&app.db).await.unwrap();
    assert_eq!(kept.sequence, 3);
    let text = kept.signed_text(&app.state.secrets);
    let read = audit::Checkpoint::parse_signed(&text, &app.state.secrets).unwrap();
    assert_eq!(read, kept);
    assert!(audit::verify_against(&app.db, &app.state.secrets, &read)
        .await
        .unwrap()
        .first_broken
        .is_none());

    disable_guard(&app).await;
    let previous: String = sqlx::query_scalar("SELECT hash FROM audit_events WHERE id = 2")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    app.execute("DELETE FROM audit_events WHERE id = 3").await;
    app.execute(&format!(
        "UPDATE audit_head SET last_id = 2, last_hash = '{previous}' WHERE id = 1"
    ))
    .await;
    assert!(
        audit::verify(&app.db, &app.state.secrets)
            .await
            .unwrap()
            .first_broken
            .is_none(),
        "without the checkpoint, the cut tail goes unnoticed"
    );
    let (id, reason) = audit::verify_against(&app.db, &app.state.secrets, &read)
        .await
        .unwrap()
        .first_broken
        .expect("the checkpoint catches it");
    assert_eq!(id, 3);
    assert!(reason.contains("before the signed checkpoint"), "{reason}");
    let (report, intact) = server::admin::verify_audit(&app.db, &app.state.secrets, Some(&read))
        .await
        .unwrap();
    assert!(!intact, "{report}");

    // A checkpoint moved back by hand is not signed by the server.
    let forged = text.replacen(":v1:3:", ":v1:2:", 1);
    assert!(audit::Checkpoint::parse_signed(&forged, &app.state.secrets).is_none());
    let other_key =
        app::backend::security::crypto::SecretBox::new(&secrecy::SecretSlice::from(vec![7u8; 32]))
            .unwrap();
    assert!(audit::Checkpoint::parse_signed(&text, &other_key).is_none());
}

/// On PostgreSQL the server runs as a role that owns no table: it appends events and moves the
/// head, and can neither rewrite nor remove an event nor switch the guard off. (SQLite has no
/// roles; there the triggers and the keyed chain are the defence, tested above.)
#[tokio::test]
async fn on_postgresql_the_application_role_cannot_touch_the_trail() {
    if app_db_is_sqlite() {
        return;
    }
    let owner = spawn_app().await;
    let app = crate::helpers::spawn_as_application_role(&owner).await;
    trail_with_events(&app).await;
    let verification = audit::verify(&app.db, &app.state.secrets).await.unwrap();
    assert_eq!(
        verification.checked, 3,
        "the server appends events as this role"
    );
    for statement in [
        "UPDATE audit_events SET details = '{}' WHERE id = 2",
        "DELETE FROM audit_events WHERE id = 3",
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
        "DROP TRIGGER audit_events_append_only ON audit_events",
        "DELETE FROM audit_head",
    ] {
        let error = sqlx::query(statement)
            .execute(app.db.pool())
            .await
            .expect_err(statement)
            .to_string();
        assert!(
            error.contains("permission denied") || error.contains("must be owner"),
            "{statement}: {error}"
        );
    }
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM audit_events").await, 3);
}

fn app_db_is_sqlite() -> bool {
    !crate::helpers::using_postgres()
}
