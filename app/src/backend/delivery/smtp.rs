//! E-mail through a real SMTP client (lettre): STARTTLS, implicit TLS, or plain for a relay on
//! the same host.

use super::{DeliveryError, Leased, PROVIDER_TIMEOUT};
use crate::backend::config::{SmtpConfig, SmtpSecurity};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

pub type Transport = AsyncSmtpTransport<Tokio1Executor>;

pub fn transport(config: &SmtpConfig) -> Result<Transport, DeliveryError> {
    let tls =
        || TlsParameters::new(config.host.clone()).map_err(|e| DeliveryError::Build(e.to_string()));
    let builder = Transport::builder_dangerous(&config.host);
    let builder = match config.security {
        SmtpSecurity::None => builder,
        SmtpSecurity::StartTls => builder.tls(Tls::Required(tls()?)),
        SmtpSecurity::Tls => builder.tls(Tls::Wrapper(tls()?)),
    }
    .port(config.port)
    .timeout(Some(PROVIDER_TIMEOUT));
    let builder = match (&config.username, &config.password) {
        (Some(user), Some(password)) => builder.credentials(Credentials::new(
            user.clone(),
            password.expose_secret().to_string(),
        )),
        _ => builder,
    };
    Ok(builder.build())
}

/// Sends one message. Errors are generic: never the body.
pub async fn send(
    transport: &Transport,
    config: &SmtpConfig,
    message: &Leased,
    body: &SecretString,
) -> Result<(), DeliveryError> {
    let email = lettre::Message::builder()
        .from(
            config
                .from
                .parse()
                .map_err(|_| DeliveryError::Build("invalid sender address".into()))?,
        )
        .to(message
            .recipient
            .parse()
            .map_err(|_| DeliveryError::Build("invalid recipient address".into()))?)
        .subject(&message.subject)
        // A stable id per outbox row: a receiver can drop a duplicate after a crash.
        .message_id(Some(format!("<outbox-{}@habilis>", message.id)))
        .header(ContentType::TEXT_PLAIN)
        .body(body.expose_secret().to_string())
        .map_err(|_| DeliveryError::Build("message could not be built".into()))?;
    transport.send(email).await.map(|_| ()).map_err(|e| {
        DeliveryError::Smtp(
            e.status()
                .map(|c| c.to_string())
                .unwrap_or_else(|| "connection failed".into()),
        )
    })
}
