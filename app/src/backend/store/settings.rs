//! Settings kept in the database (local mode's generated secret key).

use sqlx::{Any, Executor};

pub async fn get<'e, E>(executor: E, key: &str) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(executor)
        .await
}

/// Stores a value unless one is there already (another instance may have won the race).
pub async fn put_if_absent<'e, E>(executor: E, key: &str, value: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
        .bind(key)
        .bind(value)
        .execute(executor)
        .await?;
    Ok(())
}
