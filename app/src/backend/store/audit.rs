//! The audit trail's rows: append-only (the database refuses UPDATE and DELETE) and
//! hash-chained; the chain itself is computed and checked in `backend::audit`.

use sqlx::{Any, AnyConnection, Executor};

/// An event as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredEvent {
    pub id: i64,
    pub at: i64,
    pub entity_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub kind: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The chain's head: the last event's number and hash.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Head {
    pub last_id: i64,
    pub last_hash: String,
}

/// Takes the next event number, locking the head row until the transaction ends: appends form a
/// single chain. Returns the new number and the previous event's hash.
pub async fn advance_head(conn: &mut AnyConnection) -> Result<Head, sqlx::Error> {
    sqlx::query_as(
        "UPDATE audit_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id, last_hash",
    )
    .fetch_one(conn)
    .await
}

pub async fn insert(conn: &mut AnyConnection, event: &StoredEvent) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, entity_id, actor_user_id, kind, details, prev_hash, \
         hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(event.id)
    .bind(event.at)
    .bind(event.entity_id)
    .bind(event.actor_user_id)
    .bind(&event.kind)
    .bind(&event.details)
    .bind(&event.prev_hash)
    .bind(&event.hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&event.hash)
        .execute(conn)
        .await?;
    Ok(())
}

const COLUMNS: &str = "id, at, entity_id, actor_user_id, kind, details, prev_hash, hash";

/// Every event, in order.
pub async fn all<'e, E>(executor: E) -> Result<Vec<StoredEvent>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit_events ORDER BY id"))
        .fetch_all(executor)
        .await
}

pub async fn head<'e, E>(executor: E) -> Result<Option<Head>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
        .fetch_optional(executor)
        .await
}

/// When a user last signed in (their latest `connexion` event).
pub async fn last_sign_in<'e, E>(executor: E, user_id: i64) -> Result<Option<i64>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT MAX(at) FROM audit_events WHERE actor_user_id = $1 AND kind = 'connexion'",
    )
    .bind(user_id)
    .fetch_one(executor)
    .await
}
