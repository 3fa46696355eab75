//! The bank's advisors as people who sign in (« Espace conseiller »): credentials, counters of
//! failed attempts, sessions, and their portfolio (the entities whose `advisor_id` is theirs).

use crate::api::types::UserState;
use sqlx::{Any, AnyConnection, Executor};

/// What signing in needs to know about an advisor.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SignInAdvisor {
    pub id: i64,
    pub password_hash: Option<String>,
    /// Sealed (purpose `totp`).
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub password_locked_until: Option<i64>,
    pub failed_sca_count: i64,
}

pub async fn sign_in_advisor<'e, E>(
    executor: E,
    login_id: &str,
) -> Result<Option<SignInAdvisor>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT id, password_hash, totp_secret, totp_last_step, password_locked_until, \
         failed_sca_count FROM advisors WHERE login_id = $1",
    )
    .bind(login_id)
    .fetch_optional(executor)
    .await
}

pub async fn sign_in_advisor_by_id<'e, E>(
    executor: E,
    advisor_id: i64,
) -> Result<Option<SignInAdvisor>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT id, password_hash, totp_secret, totp_last_step, password_locked_until, \
         failed_sca_count FROM advisors WHERE id = $1",
    )
    .bind(advisor_id)
    .fetch_optional(executor)
    .await
}

/// Gives an advisor (found by the bank's reference) a login id, a password and an
/// authenticator secret; `None` when no advisor has this reference.
pub async fn set_credentials(
    conn: &mut AnyConnection,
    bank_ref: &str,
    login_id: &str,
    password_hash: &str,
    sealed_totp_secret: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE advisors SET login_id = $1, password_hash = $2, totp_secret = $3, \
         totp_last_step = NULL, failed_password_count = 0, password_locked_until = NULL, \
         failed_sca_count = 0 WHERE bank_ref = $4 RETURNING id",
    )
    .bind(login_id)
    .bind(password_hash)
    .bind(sealed_totp_secret)
    .bind(bank_ref)
    .fetch_optional(conn)
    .await
}

/// Counts a wrong password; the fifth in a row locks password sign-in until `lock_until`
/// (checked and counted in one statement).
pub async fn record_password_failure<'e, E>(
    executor: E,
    advisor_id: i64,
    lock_until: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE advisors SET failed_password_count = failed_password_count + 1, \
         password_locked_until = CASE WHEN failed_password_count + 1 >= 5 THEN $2 \
         ELSE password_locked_until END WHERE id = $1",
    )
    .bind(advisor_id)
    .bind(lock_until)
    .execute(executor)
    .await?;
    Ok(())
}

/// Counts a strong-authentication attempt before it is evaluated, if fewer than `max` are
/// counted; `None` otherwise (the advisor is blocked).
pub async fn reserve_sca_attempt<'e, E>(
    executor: E,
    advisor_id: i64,
    max: i64,
) -> Result<Option<i64>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "UPDATE advisors SET failed_sca_count = failed_sca_count + 1 \
         WHERE id = $1 AND failed_sca_count < $2 RETURNING failed_sca_count",
    )
    .bind(advisor_id)
    .bind(max)
    .fetch_optional(executor)
    .await
}

/// A code accepted: the step is kept (never accepted again) and the counters restart.
/// `false` when a later or equal step was accepted meanwhile (a replay).
pub async fn accept_totp_step<'e, E>(
    executor: E,
    advisor_id: i64,
    step: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let accepted = sqlx::query(
        "UPDATE advisors SET totp_last_step = $2, failed_sca_count = 0, \
         failed_password_count = 0 \
         WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
    )
    .bind(advisor_id)
    .bind(step)
    .execute(executor)
    .await?;
    Ok(accepted.rows_affected() == 1)
}

/// An advisor's live session, with their name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AdvisorSession {
    pub advisor_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
}

pub async fn insert_session<'e, E>(
    executor: E,
    token_hash: &str,
    advisor_id: i64,
    now: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO advisor_sessions (token_hash, advisor_id, created_at, last_seen_at) \
         VALUES ($1, $2, $3, $3)",
    )
    .bind(token_hash)
    .bind(advisor_id)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

/// The session of a token, if it is live at `now` (idle and absolute limits), marked as seen.
/// A session past a limit is deleted.
pub async fn use_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
    idle_secs: i64,
    absolute_secs: i64,
) -> Result<Option<AdvisorSession>, sqlx::Error> {
    sqlx::query(
        "DELETE FROM advisor_sessions WHERE token_hash = $1 \
         AND (last_seen_at < $2 OR created_at < $3)",
    )
    .bind(token_hash)
    .bind(now - idle_secs)
    .bind(now - absolute_secs)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE advisor_sessions SET last_seen_at = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query_as(
        "SELECT s.advisor_id, s.created_at, s.last_seen_at, a.civility, a.first_name, \
         a.last_name FROM advisor_sessions s JOIN advisors a ON a.id = s.advisor_id \
         WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

pub async fn delete_session<'e, E>(executor: E, token_hash: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM advisor_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(executor)
        .await?;
    Ok(())
}

/// Ends every session of an advisor (their account blocked).
pub async fn delete_sessions_of<'e, E>(executor: E, advisor_id: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM advisor_sessions WHERE advisor_id = $1")
        .bind(advisor_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// One entity of an advisor's portfolio, with its users counted.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PortfolioEntity {
    pub id: i64,
    pub name: String,
    pub siren: String,
    pub users: i64,
    pub administrators: i64,
    pub blocked: i64,
}

/// The entities of the advisor's portfolio, by name (one statement).
pub async fn portfolio<'e, E>(
    executor: E,
    advisor_id: i64,
) -> Result<Vec<PortfolioEntity>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT e.id, e.name, e.siren, \
         COUNT(u.id) AS users, \
         COUNT(CASE WHEN u.is_administrator = 1 AND u.state = $2 THEN 1 END) AS administrators, \
         COUNT(CASE WHEN u.state = $3 THEN 1 END) AS blocked \
         FROM entities e LEFT JOIN users u ON u.entity_id = e.id AND u.state <> $4 \
         WHERE e.advisor_id = $1 GROUP BY e.id, e.name, e.siren ORDER BY e.name, e.id",
    )
    .bind(advisor_id)
    .bind(UserState::Active.code())
    .bind(UserState::Blocked.code())
    .bind(UserState::Removed.code())
    .fetch_all(executor)
    .await
}

/// Whether the entity is in the advisor's portfolio.
pub async fn has_in_portfolio<'e, E>(
    executor: E,
    advisor_id: i64,
    entity_id: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM entities WHERE id = $1 AND advisor_id = $2")
            .bind(entity_id)
            .bind(advisor_id)
            .fetch_optional(executor)
            .await?;
    Ok(found.is_some())
}
