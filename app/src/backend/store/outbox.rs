//! The transactional outbox's rows: messages written with the change they belong to, leased by
//! a dispatcher, marked sent (body wiped) or failed. In local mode, delivered messages land in
//! `local_deliveries`, the simulated mailbox and phone.

use sqlx::{Any, AnyConnection, Executor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

crate::stored_codes!(Channel {
    Channel::Email => "email",
    Channel::Sms => "sms",
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxStatus {
    Pending,
    Sent,
    /// Cannot be sent at all (its body cannot be opened): kept for the bank to see.
    Failed,
}

crate::stored_codes!(OutboxStatus {
    OutboxStatus::Pending => "pending",
    OutboxStatus::Sent => "sent",
    OutboxStatus::Failed => "failed",
});

pub struct NewMessage<'a> {
    pub entity_id: i64,
    pub channel: Channel,
    pub recipient: &'a str,
    pub subject: &'a str,
    /// Sealed with the server key.
    pub sealed_body: &'a str,
    pub now: i64,
}

pub async fn insert(conn: &mut AnyConnection, message: NewMessage<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO outbox (entity_id, channel, recipient, subject, body, status, created_at, \
         next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(message.entity_id)
    .bind(message.channel.code())
    .bind(message.recipient)
    .bind(message.subject)
    .bind(message.sealed_body)
    .bind(OutboxStatus::Pending.code())
    .bind(message.now)
    .fetch_one(conn)
    .await
}

/// A message taken for delivery, its body still sealed.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Leased {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: Option<String>,
    pub attempts: i64,
}

/// Takes the oldest due message with a lease until `lease_until`, if any: a message leased by
/// one dispatcher is not taken by another (on PostgreSQL, `SKIP LOCKED` lets instances take
/// different messages at once).
pub async fn lease_one(
    db: &super::Db,
    now: i64,
    lease_until: i64,
) -> Result<Option<Leased>, sqlx::Error> {
    let skip_locked = match db.backend() {
        super::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        super::Backend::Sqlite => "",
    };
    let mut tx = db.begin_write().await?;
    let id: Option<i64> = sqlx::query_scalar(&format!(
        "SELECT id FROM outbox WHERE status = $1 AND next_attempt_at <= $2 \
         AND (claimed_until IS NULL OR claimed_until < $2) ORDER BY id LIMIT 1{skip_locked}"
    ))
    .bind(OutboxStatus::Pending.code())
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    let leased: Option<Leased> = sqlx::query_as(
        "UPDATE outbox SET claimed_until = $1 WHERE id = $2 AND status = $3 \
         AND (claimed_until IS NULL OR claimed_until < $4) \
         RETURNING id, channel, recipient, subject, body, attempts",
    )
    .bind(lease_until)
    .bind(id)
    .bind(OutboxStatus::Pending.code())
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(leased)
}

/// Delivered: the body (which may hold a temporary password) is wiped.
pub async fn mark_sent<'e, E>(executor: E, id: i64, now: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE outbox SET status = $1, sent_at = $2, body = NULL, claimed_until = NULL, \
         attempts = attempts + 1, last_error = NULL WHERE id = $3",
    )
    .bind(OutboxStatus::Sent.code())
    .bind(now)
    .bind(id)
    .execute(executor)
    .await?;
    Ok(())
}

/// A failed attempt: retried at `next_attempt_at`.
pub async fn record_attempt_failure<'e, E>(
    executor: E,
    id: i64,
    attempts: i64,
    next_attempt_at: i64,
    error: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE outbox SET attempts = $1, next_attempt_at = $2, claimed_until = NULL, \
         last_error = $3 WHERE id = $4",
    )
    .bind(attempts)
    .bind(next_attempt_at)
    .bind(error)
    .bind(id)
    .execute(executor)
    .await?;
    Ok(())
}

/// A message that can never be sent: recorded as failed, with the reason.
pub async fn mark_failed<'e, E>(executor: E, id: i64, error: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE outbox SET status = $1, body = NULL, claimed_until = NULL, last_error = $2 \
         WHERE id = $3",
    )
    .bind(OutboxStatus::Failed.code())
    .bind(error)
    .bind(id)
    .execute(executor)
    .await?;
    Ok(())
}

/// A failed message, for the local outbox page and the bank.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FailedMessage {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub created_at: i64,
    pub last_error: Option<String>,
}

pub async fn failed<'e, E>(executor: E) -> Result<Vec<FailedMessage>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT id, channel, recipient, subject, created_at, last_error FROM outbox \
         WHERE status = $1 ORDER BY id DESC LIMIT 100",
    )
    .bind(OutboxStatus::Failed.code())
    .fetch_all(executor)
    .await
}

/// Local mode: the message lands in the simulated mailbox or phone.
pub async fn insert_local_delivery(
    conn: &mut AnyConnection,
    leased: &Leased,
    sealed_body: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO local_deliveries (outbox_id, channel, recipient, subject, body, delivered_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(leased.id)
    .bind(leased.channel.code())
    .bind(&leased.recipient)
    .bind(&leased.subject)
    .bind(sealed_body)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A message of the simulated mailbox or phone, its body sealed.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LocalDelivery {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub delivered_at: i64,
}

pub async fn local_deliveries<'e, E>(executor: E) -> Result<Vec<LocalDelivery>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT id, channel, recipient, subject, body, delivered_at FROM local_deliveries \
         ORDER BY id DESC LIMIT 100",
    )
    .fetch_all(executor)
    .await
}
