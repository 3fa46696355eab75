//! The transactional outbox for e-mail and SMS.
//!
//! A message is written in the same transaction as the change it belongs to, so it exists if and
//! only if the change committed. A dispatcher sends due messages after commit: it leases one
//! message at a time (so several server instances never send the same one together), delivers
//! it, then marks it sent and wipes its body. A failed delivery is retried with a growing delay.
//! Bodies are sealed with the server key: a temporary password never lies in clear in the
//! database.

use super::config::{Delivery, SmsConfig, SmtpConfig, SmtpSecurity};
use super::crypto::SecretBox;
use super::db::{now, Db};
use sqlx::{Any, AnyConnection, Row};
use std::sync::Arc;
use std::time::Duration;

const PURPOSE: &str = "outbox";
/// How long a dispatcher may hold a message before another may take it over.
const LEASE_SECS: i64 = 120;
const MAX_BACKOFF_SECS: i64 = 15 * 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

pub struct Message<'a> {
    pub entity_id: i64,
    pub channel: Channel,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// Queues a message inside the caller's transaction.
pub async fn enqueue(
    conn: &mut AnyConnection,
    secrets: &SecretBox,
    message: Message<'_>,
) -> Result<i64, sqlx::Error> {
    let now = now();
    sqlx::query::<Any>(
        "INSERT INTO outbox (entity_id, channel, recipient, subject, body, created_at, \
         next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(message.entity_id)
    .bind(message.channel.code())
    .bind(message.recipient)
    .bind(message.subject)
    .bind(secrets.seal(PURPOSE, message.body.as_bytes()))
    .bind(now)
    .fetch_one(conn)
    .await?
    .try_get("id")
}

/// A message taken from the outbox for delivery.
struct Leased {
    id: i64,
    channel: String,
    recipient: String,
    subject: String,
    body: String,
    attempts: i64,
}

/// Takes the oldest due message, if any, with a lease.
async fn lease_one(db: &Db, secrets: &SecretBox) -> Result<Option<Leased>, sqlx::Error> {
    let now = now();
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(
        "SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 \
         AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY id LIMIT 1",
    )
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let id: i64 = row.try_get("id")?;
    // The conditions again: on PostgreSQL another instance may have taken it meanwhile.
    let leased = sqlx::query(
        "UPDATE outbox SET claimed_until = $1 WHERE id = $2 AND sent_at IS NULL \
         AND (claimed_until IS NULL OR claimed_until < $3) \
         RETURNING id, channel, recipient, subject, body, attempts",
    )
    .bind(now + LEASE_SECS)
    .bind(id)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    let Some(row) = leased else {
        return Ok(None);
    };
    let sealed: Option<String> = row.try_get("body")?;
    let body = sealed
        .and_then(|s| secrets.open_string(PURPOSE, &s).ok())
        .unwrap_or_default();
    Ok(Some(Leased {
        id: row.try_get("id")?,
        channel: row.try_get("channel")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body,
        attempts: row.try_get("attempts")?,
    }))
}

/// The real senders, built once.
pub struct Senders {
    delivery: Delivery,
    smtp: Option<lettre::AsyncSmtpTransport<lettre::Tokio1Executor>>,
    http: reqwest::Client,
}

impl Senders {
    pub fn new(delivery: &Delivery) -> Result<Senders, String> {
        let smtp = match delivery {
            Delivery::Real { smtp, .. } => Some(smtp_transport(smtp)?),
            Delivery::Local => None,
        };
        Ok(Senders {
            delivery: delivery.clone(),
            smtp,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(15))
                .build()
                .map_err(|e| e.to_string())?,
        })
    }
}

fn smtp_transport(
    config: &SmtpConfig,
) -> Result<lettre::AsyncSmtpTransport<lettre::Tokio1Executor>, String> {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::transport::smtp::client::{Tls, TlsParameters};
    use lettre::AsyncSmtpTransport;
    let tls = || TlsParameters::new(config.host.clone()).map_err(|e| e.to_string());
    let builder = match config.security {
        SmtpSecurity::None => {
            AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(&config.host)
        }
        SmtpSecurity::StartTls => {
            AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(&config.host)
                .tls(Tls::Required(tls()?))
        }
        SmtpSecurity::Tls => {
            AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(&config.host)
                .tls(Tls::Wrapper(tls()?))
        }
    }
    .port(config.port)
    .timeout(Some(Duration::from_secs(15)));
    let builder = match (&config.username, &config.password) {
        (Some(user), Some(password)) => {
            builder.credentials(Credentials::new(user.clone(), password.clone()))
        }
        _ => builder,
    };
    Ok(builder.build())
}

/// Delivers one leased message. Errors are generic: never the body, never a secret.
async fn deliver(
    db: &Db,
    senders: &Senders,
    secrets: &SecretBox,
    message: &Leased,
) -> Result<(), String> {
    match &senders.delivery {
        Delivery::Local => deliver_locally(db, secrets, message)
            .await
            .map_err(|e| format!("local delivery: {e}")),
        Delivery::Real { smtp, sms } => match message.channel.as_str() {
            "email" => send_email(senders, smtp, message).await,
            _ => send_sms(senders, sms, message).await,
        },
    }
}

/// Local mode: the message lands in the simulated mailbox or phone, and is marked sent in the
/// same transaction, so it is delivered exactly once.
async fn deliver_locally(
    db: &Db,
    secrets: &SecretBox,
    message: &Leased,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "INSERT INTO local_deliveries (outbox_id, channel, recipient, subject, body, delivered_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(message.id)
    .bind(&message.channel)
    .bind(&message.recipient)
    .bind(&message.subject)
    .bind(secrets.seal(PURPOSE, message.body.as_bytes()))
    .bind(now())
    .execute(&mut *tx)
    .await?;
    mark_sent(&mut tx, message.id).await?;
    tx.commit().await
}

async fn send_email(senders: &Senders, smtp: &SmtpConfig, message: &Leased) -> Result<(), String> {
    use lettre::message::header::ContentType;
    use lettre::AsyncTransport;
    let transport = senders.smtp.as_ref().ok_or("SMTP transport missing")?;
    let email = lettre::Message::builder()
        .from(smtp.from.parse().map_err(|_| "invalid sender address")?)
        .to(message
            .recipient
            .parse()
            .map_err(|_| "invalid recipient address")?)
        .subject(&message.subject)
        // A stable id per outbox row: a receiver can drop a duplicate after a crash.
        .message_id(Some(format!("<outbox-{}@habilis>", message.id)))
        .header(ContentType::TEXT_PLAIN)
        .body(message.body.clone())
        .map_err(|_| "message could not be built")?;
    transport.send(email).await.map(|_| ()).map_err(|e| {
        format!(
            "SMTP: {}",
            e.status()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "connection failed".into())
        )
    })
}

async fn send_sms(senders: &Senders, sms: &SmsConfig, message: &Leased) -> Result<(), String> {
    let mut request = senders
        .http
        .post(&sms.gateway_url)
        .header("Idempotency-Key", format!("outbox-{}", message.id))
        .json(&serde_json::json!({ "to": message.recipient, "message": message.body }));
    if let Some(token) = &sms.token {
        request = request.bearer_auth(token);
    }
    let response = request
        .send()
        .await
        .map_err(|_| "SMS gateway unreachable".to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!(
            "SMS gateway answered {}",
            response.status().as_u16()
        ))
    }
}

async fn mark_sent(conn: &mut AnyConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query::<Any>(
        "UPDATE outbox SET sent_at = $1, body = NULL, claimed_until = NULL, \
         attempts = attempts + 1, last_error = NULL WHERE id = $2",
    )
    .bind(now())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

async fn record_failure(db: &Db, message: &Leased, error: &str) -> Result<(), sqlx::Error> {
    let attempts = message.attempts + 1;
    // 2, 4, 8… seconds, at most 15 minutes.
    let backoff = (1i64 << attempts.min(10)).min(MAX_BACKOFF_SECS);
    sqlx::query(
        "UPDATE outbox SET attempts = $1, next_attempt_at = $2, claimed_until = NULL, \
         last_error = $3 WHERE id = $4",
    )
    .bind(attempts)
    .bind(now() + backoff)
    .bind(error)
    .bind(message.id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Sends every due message once; returns how many were delivered.
pub async fn dispatch_due(
    db: &Db,
    senders: &Senders,
    secrets: &SecretBox,
) -> Result<usize, sqlx::Error> {
    let mut delivered = 0;
    while let Some(message) = lease_one(db, secrets).await? {
        match deliver(db, senders, secrets, &message).await {
            Ok(()) => {
                if !matches!(senders.delivery, Delivery::Local) {
                    let mut conn = db.pool().acquire().await?;
                    mark_sent(&mut conn, message.id).await?;
                }
                delivered += 1;
            }
            Err(error) => {
                tracing::warn!(outbox_id = message.id, channel = %message.channel, %error, "delivery failed, will retry");
                record_failure(db, &message, &error).await?;
            }
        }
    }
    Ok(delivered)
}

/// Runs the dispatcher until the process ends: woken right after a commit that queued messages,
/// and every two seconds for retries.
pub fn spawn_dispatcher(
    db: Db,
    senders: Arc<Senders>,
    secrets: Arc<SecretBox>,
    wake: Arc<tokio::sync::Notify>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(error) = dispatch_due(&db, &senders, &secrets).await {
                tracing::error!(%error, "outbox dispatch failed");
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(2)) => {}
            }
        }
    })
}

/// The local outbox page's messages, newest first (local mode only).
pub async fn local_messages(
    db: &Db,
    secrets: &SecretBox,
) -> Result<Vec<crate::api::types::LocalMessage>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, channel, recipient, subject, body, delivered_at FROM local_deliveries \
         ORDER BY id DESC LIMIT 100",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|row| {
            let sealed: String = row.try_get("body")?;
            Ok(crate::api::types::LocalMessage {
                id: row.try_get("id")?,
                channel: row.try_get("channel")?,
                recipient: row.try_get("recipient")?,
                subject: row.try_get("subject")?,
                body: secrets.open_string(PURPOSE, &sealed).unwrap_or_default(),
                delivered_at: super::format_time(row.try_get("delivered_at")?),
            })
        })
        .collect()
}
