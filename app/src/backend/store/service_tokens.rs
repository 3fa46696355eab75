//! The bank's client systems: each imports with a service token of its own, stored as a
//! SHA-256 (the token itself is shown once, when created), with the scopes it may import.

use sqlx::{Any, AnyConnection, Executor};

/// A token that may be used: not revoked.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ServiceToken {
    pub id: i64,
    pub name: String,
    /// Scope codes separated by commas (see `flows::import::Scope`).
    pub scopes: String,
}

/// Records a new token; `false` when the name is taken.
pub async fn insert(
    conn: &mut AnyConnection,
    name: &str,
    token_hash: &str,
    scopes: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO service_tokens (name, token_hash, scopes, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(token_hash)
    .bind(scopes)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The live token with this hash, marked as used now.
pub async fn use_token(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: i64,
) -> Result<Option<ServiceToken>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE service_tokens SET last_used_at = $1 \
         WHERE token_hash = $2 AND revoked_at IS NULL RETURNING id, name, scopes",
    )
    .bind(now)
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// Revokes a token by name; `false` when no live token has it.
pub async fn revoke<'e, E>(executor: E, name: &str, now: i64) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let revoked = sqlx::query(
        "UPDATE service_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(name)
    .execute(executor)
    .await?;
    Ok(revoked.rows_affected() == 1)
}
