//! Sessions live in the database: the server enforces the idle timeout and the absolute
//! lifetime, and several instances share them.

use crate::helpers::{refused, spawn_app, spawn_on};
use app::api::session::{Home, IdleStatus, KeepAlive, Logout};
use app::api::types::{HomeView, SessionStatus};
use app::api::users::ListUsers;
use app::api::ApiError;

#[tokio::test]
async fn the_idle_timeout_is_enforced_by_the_server() {
    let app = spawn_app().await;
    let mut client = app.sign_in_admin().await;
    // 4 min 50 s of silence: still signed in, and the request counts as activity.
    app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 290")
        .await;
    let _: HomeView = client.call(Home {}).await.unwrap();
    // Just over 5 minutes: the server refuses, deletes the session and clears the cookie.
    app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 301")
        .await;
    let failure = refused(client.call(Home {}).await, 401);
    assert_eq!(failure.error, Some(ApiError::Unauthenticated));
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM sessions").await, 0);
    assert!(client.cookie.is_none());
}

#[tokio::test]
async fn the_idle_poll_does_not_count_as_activity_and_staying_signed_in_does() {
    let app = spawn_app().await;
    let mut client = app.sign_in_admin().await;
    app.execute("UPDATE sessions SET last_seen_at = last_seen_at - 250")
        .await;
    let before = app.scalar_i64("SELECT last_seen_at FROM sessions").await;
    let status: SessionStatus = client.call(IdleStatus {}).await.unwrap();
    assert!(status.signed_in);
    assert!((45..=50).contains(&status.remaining_secs), "{status:?}");
    assert_eq!(
        app.scalar_i64("SELECT last_seen_at FROM sessions").await,
        before
    );
    // « Rester connecté » restarts the count.
    let status: SessionStatus = client.call(KeepAlive {}).await.unwrap();
    assert!(status.remaining_secs >= 299, "{status:?}");
    assert!(app.scalar_i64("SELECT last_seen_at FROM sessions").await > before);
}

#[tokio::test]
async fn a_session_lasts_twelve_hours_at_most() {
    let app = spawn_app().await;
    let mut client = app.sign_in_admin().await;
    app.execute("UPDATE sessions SET created_at = created_at - 43201")
        .await;
    refused(client.call(Home {}).await, 401);
}

#[tokio::test]
async fn a_disabled_user_or_a_revoked_right_takes_effect_at_the_next_request() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    admin.call(ListUsers {}).await.unwrap();
    app.execute("UPDATE users SET is_administrator = 0 WHERE login_id = '1000000001'")
        .await;
    refused(admin.call(ListUsers {}).await, 403);
    app.execute("UPDATE users SET state = 'suspended' WHERE login_id = '1000000001'")
        .await;
    refused(admin.call(Home {}).await, 401);
}

#[tokio::test]
async fn instances_share_sessions_through_the_database() {
    let first = spawn_app().await;
    let second = spawn_on(&first.state.config.database_url, None, &[]).await;
    let mut on_first = first.sign_in_admin().await;
    let _: HomeView = on_first.call(Home {}).await.unwrap();
    let mut on_second = second.client();
    on_second.cookie = on_first.cookie.clone();
    let home: HomeView = on_second.call(Home {}).await.unwrap();
    assert_eq!(home.first_name, "Sophie");
    // Signing out on one ends the session on both.
    let () = on_second.call(Logout {}).await.unwrap();
    refused(on_first.call(Home {}).await, 401);
}

/// Expired sessions do not linger: purged at start-up and every few minutes, while live ones
/// (and their ceremonies) stay.
#[tokio::test]
async fn expired_sessions_are_purged_and_live_ones_kept() {
    let first = spawn_app().await;
    let mut live = first.sign_in_admin().await;
    let _idle = first.sign_in_admin().await;
    let _old = first.sign_in_admin().await;
    let _half_way = first.after_password("1000000001").await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM sessions ORDER BY id")
        .fetch_all(first.db.pool())
        .await
        .unwrap();
    assert_eq!(ids.len(), 4);
    let (idle, old, half_way) = (ids[1], ids[2], ids[3]);
    first
        .execute(&format!(
            "UPDATE sessions SET last_seen_at = last_seen_at - 400 WHERE id = {idle}"
        ))
        .await;
    first
        .execute(&format!(
            "UPDATE sessions SET created_at = created_at - 43300, last_seen_at = last_seen_at - 10 WHERE id = {old}"
        ))
        .await;
    first
        .execute(&format!(
            "UPDATE sessions SET created_at = created_at - 1000, last_seen_at = last_seen_at - 10 WHERE id = {half_way}"
        ))
        .await;
    // A second instance starting on the same database purges at start-up.
    let _second = spawn_on(&first.state.config.database_url, None, &[]).await;
    let mut remaining = 0;
    for _ in 0..50 {
        remaining = first.scalar_i64("SELECT COUNT(*) FROM sessions").await;
        if remaining == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(remaining, 1, "only the live session is left");
    let _: HomeView = live.call(Home {}).await.unwrap();
}
