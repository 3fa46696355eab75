//! Server-side sessions: the SHA-256 of the cookie's token, the user, the stage of signing in
//! reached and the times that enforce the idle timeout and the absolute lifetime.

use super::Flag;
use crate::api::types::UserState;
use sqlx::{Any, AnyConnection, Executor};

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

crate::stored_codes!(Stage {
    Stage::Sca => "sca",
    Stage::NewPassword => "new_password",
    Stage::Enrol => "enrol",
    Stage::Full => "full",
});

/// A session with what its user is now (state, administration and auditor rights, read at
/// every request) and the names the page header shows: one statement per request.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub entity_id: i64,
    #[sqlx(try_from = "String")]
    pub stage: Stage,
    pub created_at: i64,
    pub last_seen_at: i64,
    #[sqlx(try_from = "String")]
    pub user_state: UserState,
    #[sqlx(try_from = "Flag")]
    pub is_administrator: bool,
    #[sqlx(try_from = "Flag")]
    pub is_auditor: bool,
    pub user_entity_id: i64,
    /// A first login's stages end with the temporary password's lifetime.
    pub temp_password_expires_at: Option<i64>,
    pub sca_at: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub entity_name: String,
    /// The user row holding the login signed in with (this one, or the person's row in another
    /// entity of their group).
    pub login_user_id: i64,
    /// In how many entities that login is an active user (a switcher when more than one).
    pub login_entities: i64,
}

pub async fn find(db: &super::Db, token_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.user_id, s.entity_id, s.stage, s.created_at, s.last_seen_at, s.sca_at, \
                u.state AS user_state, u.is_administrator, u.is_auditor, \
                u.entity_id AS user_entity_id, \
                u.temp_password_expires_at, p.first_name, p.last_name, e.name AS entity_name, \
                COALESCE(s.login_user_id, s.user_id) AS login_user_id, \
                (SELECT COUNT(*) FROM users l \
                 WHERE (l.id = COALESCE(s.login_user_id, s.user_id) \
                        OR l.login_user_id = COALESCE(s.login_user_id, s.user_id)) \
                   AND l.state = $2) AS login_entities \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN persons p ON p.id = u.person_id \
         JOIN entities e ON e.id = s.entity_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .bind(UserState::Active.code())
    .fetch_optional(db.pool())
    .await
}

pub async fn create<'e, E>(
    executor: E,
    token_hash: &str,
    user_id: i64,
    entity_id: i64,
    login_user_id: i64,
    stage: Stage,
    now: i64,
) -> Result<i64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "INSERT INTO sessions (token_hash, user_id, entity_id, stage, created_at, last_seen_at, \
         login_user_id) VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(entity_id)
    .bind(stage.code())
    .bind(now)
    .bind(login_user_id)
    .fetch_one(executor)
    .await
}

pub async fn touch<'e, E>(executor: E, session_id: i64, now: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(now)
        .bind(session_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Gives the session a new token and stage; the lifetime restarts only when the stage changes.
/// Ceremonies in progress end with it. False if the session is gone.
/// Gives a session a new token and stage; `after_sca` records that it has just passed a strong
/// authentication (the time a factor change checks).
pub async fn rotate(
    conn: &mut AnyConnection,
    session_id: i64,
    new_token_hash: &str,
    stage: Stage,
    now: i64,
    after_sca: bool,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE sessions SET token_hash = $1, stage = $2, last_seen_at = $3, \
         created_at = CASE WHEN stage = $2 THEN created_at ELSE $3 END, \
         sca_at = CASE WHEN $5 = 1 THEN $3 ELSE sca_at END WHERE id = $4",
    )
    .bind(new_token_hash)
    .bind(stage.code())
    .bind(now)
    .bind(session_id)
    .bind(i64::from(after_sca))
    .execute(&mut *conn)
    .await?;
    end_ceremonies(conn, session_id).await?;
    Ok(result.rows_affected() == 1)
}

/// A session's ceremonies in progress end when its token changes (a new step, another entity).
async fn end_ceremonies(conn: &mut AnyConnection, session_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM ceremonies WHERE session_id = $1")
        .bind(session_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete<'e, E>(executor: E, session_id: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Deletes the sessions no request can use any more (idle too long, past their lifetime, or a
/// sign-in left half-way), with their ceremonies. Returns how many.
pub async fn purge_expired<'e, E>(
    executor: E,
    idle_before: i64,
    full_created_before: i64,
    signing_in_created_before: i64,
) -> Result<u64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let deleted = sqlx::query(
        "DELETE FROM sessions WHERE last_seen_at < $1 \
         OR (stage = $2 AND created_at < $3) OR (stage <> $2 AND created_at < $4)",
    )
    .bind(idle_before)
    .bind(Stage::Full.code())
    .bind(full_created_before)
    .bind(signing_in_created_before)
    .execute(executor)
    .await?;
    Ok(deleted.rows_affected())
}

/// Moves a signed-in session to the person's user row in another entity of their group, under a
/// new token: nothing of the entity left behind follows (its ceremonies end with it). Its
/// lifetime and strong authentication stay those of the sign-in. False if the session is gone.
pub async fn switch_entity(
    conn: &mut AnyConnection,
    session_id: i64,
    new_token_hash: &str,
    user_id: i64,
    entity_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query(
        "UPDATE sessions SET token_hash = $1, user_id = $2, entity_id = $3, last_seen_at = $4 \
         WHERE id = $5",
    )
    .bind(new_token_hash)
    .bind(user_id)
    .bind(entity_id)
    .bind(now)
    .bind(session_id)
    .execute(&mut *conn)
    .await?;
    end_ceremonies(conn, session_id).await?;
    Ok(result.rows_affected() == 1)
}

/// Ends every session signed in with a login, in every entity it reaches (blocked, reset).
pub async fn delete_all_for_login<'e, E>(executor: E, login_user_id: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 OR login_user_id = $1")
        .bind(login_user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Ends every session of a user (blocked, suspended, removed).
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
