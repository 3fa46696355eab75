//! Sign-in throttling counters, kept in the database so that every server instance sees the same
//! counts: failures per address, and wrong passwords per account.

use sqlx::{Any, Executor};

/// Failures counted for an address in its current window.
#[derive(Clone, Copy, Debug, sqlx::FromRow)]
pub struct IpWindow {
    pub window_start: i64,
    pub failures: i64,
}

pub async fn ip_window<'e, E>(executor: E, ip: &str) -> Result<Option<IpWindow>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as("SELECT window_start, failures FROM ip_throttle WHERE ip = $1")
        .bind(ip)
        .fetch_optional(executor)
        .await
}

/// Counts a failed sign-in from an address, starting a new window when the last one began
/// before `window_floor`.
pub async fn record_ip_failure<'e, E>(
    executor: E,
    ip: &str,
    now: i64,
    window_floor: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO ip_throttle (ip, window_start, failures) VALUES ($1, $2, 1) \
         ON CONFLICT (ip) DO UPDATE SET \
           failures = CASE WHEN ip_throttle.window_start < $3 THEN 1 ELSE ip_throttle.failures + 1 END, \
           window_start = CASE WHEN ip_throttle.window_start < $3 THEN $2 ELSE ip_throttle.window_start END",
    )
    .bind(ip)
    .bind(now)
    .bind(window_floor)
    .execute(executor)
    .await?;
    Ok(())
}

/// Counts a wrong password for an account that is not locked; the `max`-th in a row locks it
/// until `lock_until` and restarts the count. Attempts during a lock count nothing, so a lock
/// lasts from its start, whatever happens during it. Returns whether this failure applied it.
pub async fn record_password_failure<'e, E>(
    executor: E,
    user_id: i64,
    max: i64,
    lock_until: i64,
    now: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let locked_until: Option<Option<i64>> = sqlx::query_scalar(
        "UPDATE users SET \
           password_locked_until = CASE WHEN failed_password_count + 1 >= $1 THEN $2 ELSE password_locked_until END, \
           failed_password_count = CASE WHEN failed_password_count + 1 >= $1 THEN 0 ELSE failed_password_count + 1 END \
         WHERE id = $3 AND (password_locked_until IS NULL OR password_locked_until <= $4) \
         RETURNING password_locked_until",
    )
    .bind(max)
    .bind(lock_until)
    .bind(user_id)
    .bind(now)
    .fetch_optional(executor)
    .await?;
    Ok(locked_until == Some(Some(lock_until)))
}

pub async fn reset_password_failures<'e, E>(executor: E, user_id: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE users SET failed_password_count = 0, password_locked_until = NULL WHERE id = $1",
    )
    .bind(user_id)
    .execute(executor)
    .await?;
    Ok(())
}
