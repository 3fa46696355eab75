//! Sign-in throttling rules; the counters are kept in the database (`store::throttle`) so that
//! every server instance sees the same counts.
//!
//! - Per account: 5 wrong passwords in a row lock password sign-in for 15 minutes from the fifth;
//!   attempts during the lock (the right password included) neither count nor extend it.
//! - Per address: 50 failed sign-ins within 15 minutes refuse further attempts from it until the
//!   window ends.
//! - Strong authentication: 5 failures in a row block the user (see `flows::sca`).

use crate::backend::store::{self, now, Db};

pub const MAX_PASSWORD_FAILURES: i64 = 5;
pub const PASSWORD_LOCK_SECS: i64 = 15 * 60;
pub const MAX_IP_FAILURES: i64 = 50;
pub const IP_WINDOW_SECS: i64 = 15 * 60;
pub const MAX_SCA_FAILURES: i64 = 5;

/// Whether an address may try to sign in now.
pub async fn ip_allows(db: &Db, ip: &str) -> Result<bool, sqlx::Error> {
    Ok(match store::throttle::ip_window(db.pool(), ip).await? {
        None => true,
        Some(window) => {
            now() - window.window_start > IP_WINDOW_SECS || window.failures < MAX_IP_FAILURES
        }
    })
}

/// Counts a failed sign-in from an address, starting a new window when the last one is over.
pub async fn record_ip_failure(db: &Db, ip: &str) -> Result<(), sqlx::Error> {
    let now = now();
    store::throttle::record_ip_failure(db.pool(), ip, now, now - IP_WINDOW_SECS).await
}

/// Counts a wrong password for an account; the fifth in a row locks it for 15 minutes. Returns
/// whether this failure applied the lock (the user is then told).
pub async fn record_password_failure(db: &Db, user_id: i64) -> Result<bool, sqlx::Error> {
    let now = now();
    store::throttle::record_password_failure(
        db.pool(),
        user_id,
        MAX_PASSWORD_FAILURES,
        now + PASSWORD_LOCK_SECS,
        now,
    )
    .await
}

pub async fn reset_password_failures(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    store::throttle::reset_password_failures(db.pool(), user_id).await
}
