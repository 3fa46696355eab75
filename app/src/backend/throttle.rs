//! Sign-in throttling, kept in the database so that every server instance sees the same counts.
//!
//! - Per account: 5 wrong passwords in a row lock password sign-in for 15 minutes.
//! - Per address: 50 failed sign-ins within 15 minutes refuse further attempts from it until the
//!   window ends.
//! - Strong authentication: 5 failures in a row block the user (see `flows::sca`).

use super::db::{now, Db};
use sqlx::Row;

pub const MAX_PASSWORD_FAILURES: i64 = 5;
pub const PASSWORD_LOCK_SECS: i64 = 15 * 60;
pub const MAX_IP_FAILURES: i64 = 50;
pub const IP_WINDOW_SECS: i64 = 15 * 60;
pub const MAX_SCA_FAILURES: i64 = 5;

/// Whether an address may try to sign in now.
pub async fn ip_allows(db: &Db, ip: &str) -> Result<bool, sqlx::Error> {
    let row = sqlx::query("SELECT window_start, failures FROM ip_throttle WHERE ip = $1")
        .bind(ip)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        None => true,
        Some(row) => {
            let window_start: i64 = row.try_get("window_start")?;
            let failures: i64 = row.try_get("failures")?;
            now() - window_start > IP_WINDOW_SECS || failures < MAX_IP_FAILURES
        }
    })
}

/// Counts a failed sign-in from an address, starting a new window when the last one is over.
pub async fn record_ip_failure(db: &Db, ip: &str) -> Result<(), sqlx::Error> {
    let now = now();
    sqlx::query(
        "INSERT INTO ip_throttle (ip, window_start, failures) VALUES ($1, $2, 1) \
         ON CONFLICT (ip) DO UPDATE SET \
           failures = CASE WHEN ip_throttle.window_start < $3 THEN 1 ELSE ip_throttle.failures + 1 END, \
           window_start = CASE WHEN ip_throttle.window_start < $3 THEN $2 ELSE ip_throttle.window_start END",
    )
    .bind(ip)
    .bind(now)
    .bind(now - IP_WINDOW_SECS)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Counts a wrong password for an account; the fifth in a row locks it for 15 minutes.
pub async fn record_password_failure(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    let now = now();
    sqlx::query(
        "UPDATE users SET \
           password_locked_until = CASE WHEN failed_password_count + 1 >= $1 THEN $2 ELSE password_locked_until END, \
           failed_password_count = CASE WHEN failed_password_count + 1 >= $1 THEN 0 ELSE failed_password_count + 1 END \
         WHERE id = $3",
    )
    .bind(MAX_PASSWORD_FAILURES)
    .bind(now + PASSWORD_LOCK_SECS)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn reset_password_failures(db: &Db, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET failed_password_count = 0, password_locked_until = NULL WHERE id = $1",
    )
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(())
}
