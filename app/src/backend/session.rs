//! Server-side sessions. The browser holds a random 256-bit token in a `__Host-` cookie; the
//! database holds its SHA-256, the user, the stage reached and the times that enforce the idle
//! timeout (5 minutes) and the absolute lifetime (12 hours). Every instance reads the same table,
//! so instances keep no state of their own.

use super::crypto::{random_token, sha256_hex};
use super::db::{flag, now, Db};
use sqlx::{Any, Executor, Row};

pub const COOKIE_NAME: &str = "__Host-habilis";

/// How far a signed-in person has got. Only `Full` reaches the application; the first three
/// allow exactly the next step of signing in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Password checked; the strong-authentication factor is next.
    Sca,
    /// First login: temporary password checked; a new password is next.
    NewPassword,
    /// First login: new password set; enrolling a strong-authentication factor is next.
    Enrol,
    Full,
}

impl Stage {
    pub fn code(self) -> &'static str {
        match self {
            Stage::Sca => "sca",
            Stage::NewPassword => "new_password",
            Stage::Enrol => "enrol",
            Stage::Full => "full",
        }
    }

    pub fn from_code(code: &str) -> Option<Stage> {
        [Stage::Sca, Stage::NewPassword, Stage::Enrol, Stage::Full]
            .into_iter()
            .find(|s| s.code() == code)
    }

    /// A half-finished sign-in does not linger: 15 minutes at most.
    fn absolute_limit(self, full: i64) -> i64 {
        match self {
            Stage::Full => full,
            _ => 15 * 60,
        }
    }

    /// The user state a session at this stage requires.
    fn required_user_state(self) -> &'static str {
        match self {
            Stage::Sca | Stage::Full => "active",
            Stage::NewPassword | Stage::Enrol => "awaiting_first_login",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub entity_id: i64,
    pub stage: Stage,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// Read from the user's row at every request: a revoked right applies at the next request.
    pub is_administrator: bool,
}

/// The limits applied when resolving a session.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub idle: i64,
    pub absolute: i64,
}

/// Creates a session and returns the token for the cookie.
pub async fn create<'e, E>(
    executor: E,
    user_id: i64,
    entity_id: i64,
    stage: Stage,
) -> Result<String, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let token = random_token();
    let now = now();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, entity_id, stage, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(user_id)
    .bind(entity_id)
    .bind(stage.code())
    .bind(now)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(token)
}

/// Finds the session of a cookie token. An expired session, or one whose user is no longer in
/// the state its stage requires (blocked, suspended…), is deleted and not returned. `touch`
/// records the request as activity (the idle-timeout poll does not).
pub async fn resolve(
    db: &Db,
    token: &str,
    timeouts: Timeouts,
    touch: bool,
) -> Result<Option<Session>, sqlx::Error> {
    let token_hash = sha256_hex(token.as_bytes());
    let row = sqlx::query(
        "SELECT s.user_id, s.entity_id, s.stage, s.created_at, s.last_seen_at, \
                u.state, u.is_administrator, u.entity_id AS user_entity_id \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1",
    )
    .bind(&token_hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let now = now();
    let stage = Stage::from_code(row.try_get::<String, _>("stage")?.as_str());
    let created_at: i64 = row.try_get("created_at")?;
    let last_seen_at: i64 = row.try_get("last_seen_at")?;
    let user_state: String = row.try_get("state")?;
    let entity_id: i64 = row.try_get("entity_id")?;
    let valid = match stage {
        Some(stage) => {
            now - last_seen_at <= timeouts.idle
                && now - created_at <= stage.absolute_limit(timeouts.absolute)
                && user_state == stage.required_user_state()
                && row.try_get::<i64, _>("user_entity_id")? == entity_id
        }
        None => false,
    };
    let Some(stage) = stage.filter(|_| valid) else {
        delete(db.pool(), &token_hash).await?;
        return Ok(None);
    };
    if touch && now != last_seen_at {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&token_hash)
            .execute(db.pool())
            .await?;
    }
    Ok(Some(Session {
        token_hash,
        user_id: row.try_get("user_id")?,
        entity_id,
        stage,
        created_at,
        last_seen_at: if touch { now } else { last_seen_at },
        is_administrator: flag(&row, "is_administrator")?,
    }))
}

/// Gives the session a new token and moves it to `stage` (after each step of signing in and each
/// step-up), so a token seen before a step is worthless after it. The lifetime restarts only when
/// the stage changes: a step-up inside a full session does not extend its 12 hours. Returns the
/// new token for the cookie.
pub async fn rotate<'e, E>(executor: E, old_hash: &str, stage: Stage) -> Result<String, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let token = random_token();
    let now = now();
    let result = sqlx::query(
        "UPDATE sessions SET token_hash = $1, stage = $2, last_seen_at = $3, \
         created_at = CASE WHEN stage = $2 THEN created_at ELSE $3 END, \
         ceremony_kind = NULL, ceremony = NULL WHERE token_hash = $4",
    )
    .bind(sha256_hex(token.as_bytes()))
    .bind(stage.code())
    .bind(now)
    .bind(old_hash)
    .execute(executor)
    .await?;
    if result.rows_affected() == 1 {
        Ok(token)
    } else {
        Err(sqlx::Error::RowNotFound)
    }
}

pub async fn delete<'e, E>(executor: E, token_hash: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(executor)
        .await?;
    Ok(())
}

/// Ends every session of a user (blocked, disabled).
pub async fn delete_all_for_user<'e, E>(executor: E, user_id: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Keeps the state of a ceremony in progress (passkey challenge, TOTP secret being enrolled).
pub async fn put_ceremony(
    db: &Db,
    token_hash: &str,
    kind: &str,
    state: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET ceremony_kind = $1, ceremony = $2 WHERE token_hash = $3")
        .bind(kind)
        .bind(state)
        .bind(token_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Takes the state of a ceremony out of the session: it can be used once.
pub async fn take_ceremony(
    db: &Db,
    token_hash: &str,
    kind: &str,
) -> Result<Option<String>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let state: Option<String> = sqlx::query_scalar(
        "SELECT ceremony FROM sessions WHERE token_hash = $1 AND ceremony_kind = $2",
    )
    .bind(token_hash)
    .bind(kind)
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    if state.is_some() {
        clear_ceremony(&mut *tx, token_hash).await?;
    }
    tx.commit().await?;
    Ok(state)
}

/// Forgets the ceremony in progress (used, or finished).
pub async fn clear_ceremony<'e, E>(executor: E, token_hash: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE sessions SET ceremony_kind = NULL, ceremony = NULL WHERE token_hash = $1")
        .bind(token_hash)
        .execute(executor)
        .await?;
    Ok(())
}

/// Reads a ceremony's state without consuming it (TOTP enrolment retries with the same secret).
pub async fn peek_ceremony(
    db: &Db,
    token_hash: &str,
    kind: &str,
) -> Result<Option<String>, sqlx::Error> {
    Ok(sqlx::query_scalar(
        "SELECT ceremony FROM sessions WHERE token_hash = $1 AND ceremony_kind = $2",
    )
    .bind(token_hash)
    .bind(kind)
    .fetch_optional(db.pool())
    .await?
    .flatten())
}

/// The `Set-Cookie` value for a session token.
pub fn cookie(token: &str) -> String {
    format!("{COOKIE_NAME}={token}; Path=/; Secure; HttpOnly; SameSite=Strict")
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE_NAME}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// Finds the session token in a `Cookie` header.
pub fn token_from_cookie_header(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_host_prefixed_secure_http_only_and_strict() {
        let cookie = cookie("abc");
        assert!(cookie.starts_with("__Host-habilis=abc;"));
        for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
            assert!(cookie.contains(attribute), "{attribute}");
        }
        assert!(!cookie.contains("Domain"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        assert_eq!(
            token_from_cookie_header("a=1; __Host-habilis=tok; b=2"),
            Some("tok")
        );
        assert_eq!(token_from_cookie_header("__Host-habilis="), None);
        assert_eq!(token_from_cookie_header("habilis=tok"), None);
    }
}
