//! Strong-authentication factors: passkeys (one row each) and whether a TOTP secret is enrolled
//! (kept on the user's row, see `users`).

use sqlx::{Any, AnyConnection, Executor};

/// A passkey as stored: webauthn-rs's serialised credential (its public key and counter).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredPasskey {
    pub id: i64,
    pub passkey: String,
    pub label: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The row holding the login of user `$1`: its own id, or its login's row in another entity of
/// the person's group. Factors are the login's.
const LOGIN_OF_USER: &str = "COALESCE((SELECT login_user_id FROM users WHERE id = $1), $1)";

/// The passkeys of a user's login.
pub async fn passkeys<'e, E>(executor: E, user_id: i64) -> Result<Vec<StoredPasskey>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT id, passkey, label, created_at, last_used_at FROM passkeys \
         WHERE user_id = {LOGIN_OF_USER} ORDER BY id"
    ))
    .bind(user_id)
    .fetch_all(executor)
    .await
}

/// What the home page shows of a login's factors: its passkeys (label and day) and whether a
/// TOTP secret is enrolled.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactorsSummary {
    pub passkeys: Vec<(String, i64)>,
    pub has_totp: bool,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    #[sqlx(try_from = "super::Flag")]
    has_totp: bool,
    label: Option<String>,
    created_at: Option<i64>,
}

/// The factors of the login row `login_user_id` (a session's own), one statement: one row per
/// passkey, or a single row without one.
pub async fn summary<'e, E>(executor: E, login_user_id: i64) -> Result<FactorsSummary, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT CASE WHEN u.totp_secret IS NULL THEN 0 ELSE 1 END AS has_totp, k.label, \
                k.created_at \
         FROM users u LEFT JOIN passkeys k ON k.user_id = u.id WHERE u.id = $1 ORDER BY k.id",
    )
    .bind(login_user_id)
    .fetch_all(executor)
    .await?;
    let mut summary = FactorsSummary::default();
    for row in rows {
        summary.has_totp = row.has_totp;
        if let (Some(label), Some(created_at)) = (row.label, row.created_at) {
            summary.passkeys.push((label, created_at));
        }
    }
    Ok(summary)
}

/// Which factors a user has enrolled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, sqlx::FromRow)]
pub struct Enrolled {
    pub passkeys: i64,
    pub totp: i64,
}

impl Enrolled {
    pub fn has_passkey(&self) -> bool {
        self.passkeys > 0
    }

    pub fn has_totp(&self) -> bool {
        self.totp > 0
    }

    pub fn any(&self) -> bool {
        self.has_passkey() || self.has_totp()
    }
}

/// Which factors a user's login has enrolled.
pub async fn enrolled<'e, E>(executor: E, user_id: i64) -> Result<Enrolled, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT (SELECT COUNT(*) FROM passkeys WHERE user_id = {LOGIN_OF_USER}) AS passkeys, \
                (SELECT COUNT(*) FROM users WHERE id = {LOGIN_OF_USER} \
                 AND totp_secret IS NOT NULL) AS totp"
    ))
    .bind(user_id)
    .fetch_one(executor)
    .await
}

pub async fn credential_exists(
    conn: &mut AnyConnection,
    credential_id: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM passkeys WHERE credential_id = $1")
        .bind(credential_id)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

pub struct NewPasskey<'a> {
    pub entity_id: i64,
    pub user_id: i64,
    pub credential_id: &'a str,
    pub passkey: &'a str,
    pub label: &'a str,
    pub created_at: i64,
}

pub async fn insert_passkey(
    conn: &mut AnyConnection,
    key: NewPasskey<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO passkeys (entity_id, user_id, credential_id, passkey, label, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(key.entity_id)
    .bind(key.user_id)
    .bind(key.credential_id)
    .bind(key.passkey)
    .bind(key.label)
    .bind(key.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// After an assertion: the credential's new counter, and when it was last used.
pub async fn record_use<'e, E>(
    executor: E,
    passkey_id: i64,
    passkey: &str,
    now: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3")
        .bind(passkey)
        .bind(now)
        .bind(passkey_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Removes every passkey of a user (their access is reset: they enrol again).
pub async fn delete_passkeys<'e, E>(executor: E, user_id: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query("DELETE FROM passkeys WHERE user_id = $1")
        .bind(user_id)
        .execute(executor)
        .await?
        .rows_affected())
}
