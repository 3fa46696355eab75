//! Delivery of e-mail and SMS through the transactional outbox.
//!
//! A message is written in the same transaction as the change it belongs to ([`enqueue`]), so it
//! exists if and only if the change committed. A dispatcher sends due messages after commit: it
//! leases each message (so several server instances never send the same one together), delivers
//! it, then marks it sent and wipes its body. A failed delivery is retried with a growing delay;
//! a message that can never be sent (its body cannot be opened) is recorded as failed, visible
//! to the bank, and never sent empty. Deliveries run side by side, so one slow provider never
//! holds the others. Bodies are sealed with the server key: a temporary password never lies in
//! clear in the database.

pub mod messages;
mod sms;
mod smtp;

use super::config::Delivery;
use super::security::crypto::{CryptoError, SecretBox};
use super::store::outbox::{self as rows, Channel, Leased, LocalDelivery, NewMessage};
use super::store::{now, Db};
use secrecy::{ExposeSecret, SecretString};
use sqlx::AnyConnection;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

const PURPOSE: &str = "outbox";
/// How long a dispatcher may hold a message before another may take it over.
const LEASE_SECS: i64 = 120;
const MAX_BACKOFF_SECS: i64 = 15 * 60;
/// Deliveries in flight at once, per instance.
const MAX_IN_FLIGHT: usize = 8;
/// A provider that does not answer within this time is treated as failed (and retried).
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a message could not be queued or delivered. Never carries the body.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the message body cannot be sealed or opened")]
    Crypto(#[from] CryptoError),
    #[error("SMTP: {0}")]
    Smtp(String),
    #[error("SMS gateway: {0}")]
    Sms(String),
    #[error("the message cannot be built: {0}")]
    Build(String),
}

impl DeliveryError {
    /// Retrying cannot help: the message is recorded as failed.
    fn is_permanent(&self) -> bool {
        matches!(self, DeliveryError::Crypto(_) | DeliveryError::Build(_))
    }
}

pub use rows::Channel as MessageChannel;

/// A message to queue.
pub struct Message<'a> {
    pub entity_id: i64,
    pub channel: Channel,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a SecretString,
}

/// E-mails every active administrator of the entity, each in their language, inside the
/// caller's transaction (what the bank or an advisor did to the entity).
pub async fn email_administrators(
    conn: &mut AnyConnection,
    secrets: &SecretBox,
    entity_id: i64,
    email_in: impl Fn(model::Lang) -> messages::Email,
) -> Result<(), DeliveryError> {
    // No user has id 0: every active administrator is told.
    let recipients =
        super::store::users::administrators_to_notify(&mut *conn, entity_id, 0).await?;
    email_each(conn, secrets, entity_id, recipients, email_in).await
}

/// E-mails every administrator on record of the entity — blocked, suspended or awaiting their
/// first login included — but the user `except` (the one named), inside the caller's transaction: the
/// advisor's break-glass, which nobody at the entity may have asked for.
pub async fn email_administrators_on_record(
    conn: &mut AnyConnection,
    secrets: &SecretBox,
    entity_id: i64,
    except: i64,
    email_in: impl Fn(model::Lang) -> messages::Email,
) -> Result<(), DeliveryError> {
    let recipients =
        super::store::users::administrators_on_record(&mut *conn, entity_id, except).await?;
    email_each(conn, secrets, entity_id, recipients, email_in).await
}

async fn email_each(
    conn: &mut AnyConnection,
    secrets: &SecretBox,
    entity_id: i64,
    recipients: Vec<(String, String)>,
    email_in: impl Fn(model::Lang) -> messages::Email,
) -> Result<(), DeliveryError> {
    for (recipient, language) in recipients {
        let email = email_in(model::Lang::from_code(&language).unwrap_or_default());
        enqueue(
            conn,
            secrets,
            Message {
                entity_id,
                channel: Channel::Email,
                recipient: &recipient,
                subject: &email.subject,
                body: &SecretString::from(email.body),
            },
        )
        .await?;
    }
    Ok(())
}

/// Queues a message inside the caller's transaction.
pub async fn enqueue(
    conn: &mut AnyConnection,
    secrets: &SecretBox,
    message: Message<'_>,
) -> Result<i64, DeliveryError> {
    let sealed = secrets.seal(PURPOSE, message.body.expose_secret().as_bytes())?;
    Ok(rows::insert(
        conn,
        NewMessage {
            entity_id: message.entity_id,
            channel: message.channel,
            recipient: message.recipient,
            subject: message.subject,
            sealed_body: &sealed,
            now: now(),
        },
    )
    .await?)
}

/// The real senders, built once.
pub struct Senders {
    delivery: Delivery,
    smtp: Option<smtp::Transport>,
    http: reqwest::Client,
}

impl Senders {
    pub fn new(delivery: &Delivery) -> Result<Senders, DeliveryError> {
        let smtp = match delivery {
            Delivery::Real { smtp, .. } => Some(smtp::transport(smtp)?),
            Delivery::Local => None,
        };
        Ok(Senders {
            delivery: delivery.clone(),
            smtp,
            http: reqwest::Client::builder()
                .timeout(PROVIDER_TIMEOUT)
                .build()
                .map_err(|e| DeliveryError::Build(e.to_string()))?,
        })
    }
}

/// What a dispatcher needs, shared by its deliveries.
#[derive(Clone)]
pub struct Dispatcher {
    pub db: Db,
    pub senders: Arc<Senders>,
    pub secrets: Arc<SecretBox>,
}

impl Dispatcher {
    /// Delivers one leased message: opens its body, sends it, records the outcome.
    async fn deliver(&self, message: Leased) -> Result<bool, sqlx::Error> {
        let outcome = self.send(&message).await;
        match outcome {
            Ok(()) => Ok(true),
            Err(error) if error.is_permanent() => {
                tracing::error!(outbox_id = message.id, channel = message.channel.code(), %error, "message cannot be sent: recorded as failed");
                rows::mark_failed(self.db.pool(), message.id, &error.to_string()).await?;
                Ok(false)
            }
            Err(error) => {
                tracing::warn!(outbox_id = message.id, channel = message.channel.code(), %error, "delivery failed, will retry");
                let attempts = message.attempts + 1;
                // 2, 4, 8… seconds, at most 15 minutes.
                let backoff = (1i64 << attempts.min(10)).min(MAX_BACKOFF_SECS);
                rows::record_attempt_failure(
                    self.db.pool(),
                    message.id,
                    attempts,
                    now() + backoff,
                    &error.to_string(),
                )
                .await?;
                Ok(false)
            }
        }
    }

    async fn send(&self, message: &Leased) -> Result<(), DeliveryError> {
        let sealed = message
            .body
            .as_deref()
            .ok_or(DeliveryError::Crypto(CryptoError::Open))?;
        let body = SecretString::from(self.secrets.open_string(PURPOSE, sealed)?);
        match &self.senders.delivery {
            Delivery::Local => self.deliver_locally(message, &body).await,
            Delivery::Real { smtp, sms } => {
                match message.channel {
                    Channel::Email => {
                        let transport = self
                            .senders
                            .smtp
                            .as_ref()
                            .ok_or_else(|| DeliveryError::Build("no SMTP transport".into()))?;
                        smtp::send(transport, smtp, message, &body).await?
                    }
                    Channel::Sms => sms::send(&self.senders.http, sms, message, &body).await?,
                }
                rows::mark_sent(self.db.pool(), message.id, now()).await?;
                Ok(())
            }
        }
    }

    /// Local mode: the message lands in the simulated mailbox or phone, and is marked sent in
    /// the same transaction, so it is delivered exactly once.
    async fn deliver_locally(
        &self,
        message: &Leased,
        body: &SecretString,
    ) -> Result<(), DeliveryError> {
        let sealed = self
            .secrets
            .seal(PURPOSE, body.expose_secret().as_bytes())?;
        let mut tx = self.db.begin_write().await?;
        rows::insert_local_delivery(&mut tx, message, &sealed, now()).await?;
        rows::mark_sent(&mut *tx, message.id, now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Leases due messages into `in_flight`, up to its capacity, each delivered by its own task.
    async fn lease_due(
        &self,
        in_flight: &mut JoinSet<Result<bool, sqlx::Error>>,
    ) -> Result<(), sqlx::Error> {
        while in_flight.len() < MAX_IN_FLIGHT {
            let now = now();
            match rows::lease_one(&self.db, now, now + LEASE_SECS).await? {
                Some(message) => {
                    let this = self.clone();
                    in_flight.spawn(async move { this.deliver(message).await });
                }
                None => break,
            }
        }
        Ok(())
    }

    /// Runs until the process ends. Deliveries run side by side: a message queued while a slow
    /// provider holds another is leased at once (woken right after the commit that queued it,
    /// or every two seconds for retries), never behind it.
    pub fn spawn(self, wake: Arc<tokio::sync::Notify>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut in_flight = JoinSet::new();
            loop {
                if let Err(error) = self.lease_due(&mut in_flight).await {
                    tracing::error!(%error, "outbox dispatch failed");
                }
                tokio::select! {
                    Some(finished) = in_flight.join_next(), if !in_flight.is_empty() => {
                        match finished {
                            Ok(Ok(_)) => {}
                            Ok(Err(error)) => tracing::error!(%error, "outbox bookkeeping failed"),
                            Err(error) => tracing::error!(%error, "delivery task failed"),
                        }
                    }
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(2)) => {}
                }
            }
        })
    }
}

/// A message of the local outbox page, opened.
pub struct OpenedLocalMessage {
    pub row: LocalDelivery,
    /// `None` when the body cannot be opened (shown as such, never as an empty message).
    pub body: Option<String>,
}

/// The local outbox page's messages, newest first (local mode only).
pub async fn local_messages(
    db: &Db,
    secrets: &SecretBox,
) -> Result<Vec<OpenedLocalMessage>, sqlx::Error> {
    Ok(rows::local_deliveries(db.pool())
        .await?
        .into_iter()
        .map(|row| {
            let body = secrets.open_string(PURPOSE, &row.body).ok();
            OpenedLocalMessage { row, body }
        })
        .collect())
}
