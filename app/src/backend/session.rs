//! Server-side sessions. The browser holds a random 256-bit token in a `__Host-` cookie; the
//! database holds its SHA-256, the user, the stage reached and the times that enforce the idle
//! timeout (5 minutes) and the absolute lifetime (12 hours). Every instance reads the same table,
//! so instances keep no state of their own.

use super::security::crypto::{random_token, sha256_hex};
use super::store::{self, now, Db};
use crate::api::types::UserState;
use cookie::{Cookie, SameSite};
use sqlx::{Any, AnyConnection, Executor};

pub use super::store::sessions::Stage;

pub const COOKIE_NAME: &str = "__Host-habilis";

/// The cookie of an advisor's session (« Espace conseiller »), apart from the users'.
pub const ADVISOR_COOKIE_NAME: &str = "__Host-habilis-conseiller";

/// A half-finished sign-in does not linger: 15 minutes at most.
const SIGN_IN_STAGE_LIMIT_SECS: i64 = 15 * 60;

/// The user state a session at this stage requires.
fn required_user_state(stage: Stage) -> UserState {
    match stage {
        Stage::Sca | Stage::Full => UserState::Active,
        Stage::NewPassword | Stage::Enrol => UserState::AwaitingFirstLogin,
    }
}

#[derive(Clone, Debug)]
pub struct Session {
    pub id: i64,
    pub token_hash: String,
    pub user_id: i64,
    pub entity_id: i64,
    pub stage: Stage,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// Read from the user's row at every request: a revoked right applies at the next request.
    pub is_administrator: bool,
    /// Likewise the auditor role.
    pub is_auditor: bool,
    /// When this session last passed a strong authentication.
    pub sca_at: Option<i64>,
    /// Who and for which entity, as the page header shows them (read with the session).
    pub first_name: String,
    pub last_name: String,
    pub entity_name: String,
    /// The user row holding the login signed in with: this user's own, or the person's row in
    /// another entity of their group (groups of entities). Factors and sign-in counters live
    /// there.
    pub login_user_id: i64,
    /// In how many entities that login is an active user.
    pub login_entities: i64,
}

/// A factor may be added only within this time after a strong authentication.
pub const FRESH_SCA_SECS: i64 = 5 * 60;

impl Session {
    /// Whether the session passed a strong authentication within [`FRESH_SCA_SECS`].
    pub fn has_fresh_sca(&self, now: i64) -> bool {
        self.sca_at.is_some_and(|at| now - at <= FRESH_SCA_SECS)
    }
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
    login_user_id: i64,
    stage: Stage,
) -> Result<String, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let token = random_token();
    store::sessions::create(
        executor,
        &sha256_hex(token.as_bytes()),
        user_id,
        entity_id,
        login_user_id,
        stage,
        now(),
    )
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
    let Some(row) = store::sessions::find(db, &token_hash).await? else {
        return Ok(None);
    };
    let now = now();
    let lifetime = match row.stage {
        Stage::Full => timeouts.absolute,
        _ => SIGN_IN_STAGE_LIMIT_SECS,
    };
    let first_login = matches!(row.stage, Stage::NewPassword | Stage::Enrol);
    let valid = now - row.last_seen_at <= timeouts.idle
        && now - row.created_at <= lifetime
        && (!first_login || row.temp_password_expires_at.is_some_and(|t| t > now))
        && row.user_state == required_user_state(row.stage)
        && row.user_entity_id == row.entity_id;
    if !valid {
        store::sessions::delete(db.pool(), row.id).await?;
        return Ok(None);
    }
    if touch && now != row.last_seen_at {
        store::sessions::touch(db.pool(), row.id, now).await?;
    }
    Ok(Some(Session {
        id: row.id,
        token_hash,
        user_id: row.user_id,
        entity_id: row.entity_id,
        stage: row.stage,
        created_at: row.created_at,
        last_seen_at: if touch { now } else { row.last_seen_at },
        is_administrator: row.is_administrator,
        is_auditor: row.is_auditor,
        sca_at: row.sca_at,
        first_name: row.first_name,
        last_name: row.last_name,
        entity_name: row.entity_name,
        login_user_id: row.login_user_id,
        login_entities: row.login_entities,
    }))
}

/// Removes the sessions that can no longer be used: nothing expired stays in the database.
pub async fn purge_expired(db: &Db, timeouts: Timeouts) -> Result<u64, sqlx::Error> {
    let now = now();
    store::sessions::purge_expired(
        db.pool(),
        now - timeouts.idle,
        now - timeouts.absolute,
        now - SIGN_IN_STAGE_LIMIT_SECS,
    )
    .await
}

/// Forgets the logins kept for a group of entities once no entity uses them any more (see
/// `store::users::remove`). Returns how many.
pub async fn forget_unused_logins(db: &Db) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let forgotten = store::users::forget_unused_logins(&mut tx).await?;
    tx.commit().await?;
    Ok(forgotten)
}

/// Gives the session a new token and moves it to `stage` (after each step of signing in and each
/// step-up), so a token seen before a step is worthless after it. The lifetime restarts only when
/// the stage changes: a step-up inside a full session does not extend its 12 hours. Returns the
/// new token for the cookie.
pub async fn rotate(
    conn: &mut AnyConnection,
    session: &Session,
    stage: Stage,
) -> Result<String, sqlx::Error> {
    rotate_with(conn, session, stage, false).await
}

/// [`rotate`] after a strong authentication passed in this request (sign-in, step-up, an
/// operation's validation, a factor verified on the spot): also records its time.
pub async fn rotate_after_sca(
    conn: &mut AnyConnection,
    session: &Session,
) -> Result<String, sqlx::Error> {
    rotate_with(conn, session, Stage::Full, true).await
}

async fn rotate_with(
    conn: &mut AnyConnection,
    session: &Session,
    stage: Stage,
    after_sca: bool,
) -> Result<String, sqlx::Error> {
    let token = random_token();
    if store::sessions::rotate(
        conn,
        session.id,
        &sha256_hex(token.as_bytes()),
        stage,
        now(),
        after_sca,
    )
    .await?
    {
        Ok(token)
    } else {
        Err(sqlx::Error::RowNotFound)
    }
}

/// Moves a signed-in session to the person's user row in another entity of their group, under a
/// new token (returned for the cookie).
pub async fn switch_entity(
    conn: &mut AnyConnection,
    session: &Session,
    user_id: i64,
    entity_id: i64,
) -> Result<String, sqlx::Error> {
    let token = random_token();
    if store::sessions::switch_entity(
        conn,
        session.id,
        &sha256_hex(token.as_bytes()),
        user_id,
        entity_id,
        now(),
    )
    .await?
    {
        Ok(token)
    } else {
        Err(sqlx::Error::RowNotFound)
    }
}

/// The `Set-Cookie` value for a session token.
pub fn cookie(token: &str) -> String {
    cookie_named(COOKIE_NAME, token)
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie() -> String {
    clear_cookie_named(COOKIE_NAME)
}

/// Finds the session token in a `Cookie` header.
pub fn token_from_cookie_header(header: &str) -> Option<String> {
    token_named(header, COOKIE_NAME)
}

/// The `Set-Cookie` value for an advisor's session token.
pub fn advisor_cookie(token: &str) -> String {
    cookie_named(ADVISOR_COOKIE_NAME, token)
}

pub fn clear_advisor_cookie() -> String {
    clear_cookie_named(ADVISOR_COOKIE_NAME)
}

pub fn advisor_token_from_cookie_header(header: &str) -> Option<String> {
    token_named(header, ADVISOR_COOKIE_NAME)
}

fn cookie_named(name: &'static str, token: &str) -> String {
    Cookie::build((name, token))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .build()
        .to_string()
}

fn clear_cookie_named(name: &'static str) -> String {
    Cookie::build((name, ""))
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .removal()
        .build()
        .to_string()
}

fn token_named(header: &str, name: &str) -> Option<String> {
    Cookie::split_parse(header)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_host_prefixed_secure_http_only_and_strict() {
        let cookie = cookie("abc");
        assert!(cookie.starts_with("__Host-habilis=abc;"), "{cookie}");
        for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
            assert!(cookie.contains(attribute), "{attribute}");
        }
        assert!(!cookie.contains("Domain"));
        assert!(clear_cookie().contains("Max-Age=0"));
    }

    #[test]
    fn the_token_is_found_among_other_cookies() {
        assert_eq!(
            token_from_cookie_header("a=1; __Host-habilis=tok; b=2").as_deref(),
            Some("tok")
        );
        assert_eq!(token_from_cookie_header("__Host-habilis="), None);
        assert_eq!(token_from_cookie_header("habilis=tok"), None);
        // An advisor's cookie is not a user's, nor the other way round.
        assert_eq!(
            token_from_cookie_header("__Host-habilis-conseiller=tok"),
            None
        );
        assert_eq!(
            advisor_token_from_cookie_header("__Host-habilis=a; __Host-habilis-conseiller=b")
                .as_deref(),
            Some("b")
        );
    }
}
