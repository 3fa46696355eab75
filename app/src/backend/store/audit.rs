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

/// What « Journal des opérations » filters on: a period (Unix seconds, `until` excluded), the
/// event's kind, its author, and the user it concerns (the author or the user named in it).
#[derive(Clone, Debug, Default)]
pub struct JournalFilter {
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub kind: Option<String>,
    pub author: Option<i64>,
    pub concerned: Option<i64>,
}

/// The filter's condition, from parameter `$first` on, with its values in order. The user an
/// event concerns is in its details (`"utilisateur":12`), which the chain's hash covers.
fn journal_condition(filter: &JournalFilter, first: usize) -> (String, Vec<JournalValue>) {
    let mut sql = String::new();
    let mut values = Vec::new();
    let next = |values: &mut Vec<JournalValue>, value: JournalValue| {
        values.push(value);
        format!("${}", first + values.len() - 1)
    };
    if let Some(since) = filter.since {
        let p = next(&mut values, JournalValue::Int(since));
        sql.push_str(&format!(" AND at >= {p}"));
    }
    if let Some(until) = filter.until {
        let p = next(&mut values, JournalValue::Int(until));
        sql.push_str(&format!(" AND at < {p}"));
    }
    if let Some(kind) = &filter.kind {
        let p = next(&mut values, JournalValue::Text(kind.clone()));
        sql.push_str(&format!(" AND kind = {p}"));
    }
    if let Some(author) = filter.author {
        let p = next(&mut values, JournalValue::Int(author));
        sql.push_str(&format!(" AND actor_user_id = {p}"));
    }
    if let Some(user) = filter.concerned {
        let actor = next(&mut values, JournalValue::Int(user));
        let before_comma = next(
            &mut values,
            JournalValue::Text(format!("%\"utilisateur\":{user},%")),
        );
        let at_end = next(
            &mut values,
            JournalValue::Text(format!("%\"utilisateur\":{user}}}%")),
        );
        sql.push_str(&format!(
            " AND ((actor_user_id = {actor} AND details NOT LIKE '%\"utilisateur\":%') \
             OR details LIKE {before_comma} OR details LIKE {at_end})"
        ));
    }
    (sql, values)
}

enum JournalValue {
    Int(i64),
    Text(String),
}

/// One page of an entity's events matching the filter, newest first.
pub async fn journal<'e, E>(
    executor: E,
    entity_id: i64,
    filter: &JournalFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<StoredEvent>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let (condition, values) = journal_condition(filter, 2);
    let next = 2 + values.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_events WHERE entity_id = $1{condition} \
         ORDER BY id DESC LIMIT ${next} OFFSET ${}",
        next + 1
    );
    let mut query = sqlx::query_as(&sql).bind(entity_id);
    for value in values {
        query = match value {
            JournalValue::Int(v) => query.bind(v),
            JournalValue::Text(v) => query.bind(v),
        };
    }
    query.bind(limit).bind(offset).fetch_all(executor).await
}

/// How many of an entity's events match the filter.
pub async fn journal_count<'e, E>(
    executor: E,
    entity_id: i64,
    filter: &JournalFilter,
) -> Result<i64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let (condition, values) = journal_condition(filter, 2);
    let sql = format!("SELECT COUNT(*) FROM audit_events WHERE entity_id = $1{condition}");
    let mut query = sqlx::query_scalar(&sql).bind(entity_id);
    for value in values {
        query = match value {
            JournalValue::Int(v) => query.bind(v),
            JournalValue::Text(v) => query.bind(v),
        };
    }
    query.fetch_one(executor).await
}

/// The entity of one event (none for an event of no entity, or no such event).
pub async fn entity_of<'e, E>(executor: E, id: i64) -> Result<Option<i64>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT entity_id FROM audit_events WHERE id = $1")
            .bind(id)
            .fetch_optional(executor)
            .await?
            .flatten(),
    )
}

/// The hash of one event, if the trail holds it.
pub async fn hash_of<'e, E>(executor: E, id: i64) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar("SELECT hash FROM audit_events WHERE id = $1")
        .bind(id)
        .fetch_optional(executor)
        .await
}
