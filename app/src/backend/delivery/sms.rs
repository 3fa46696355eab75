//! SMS through the bank's HTTP gateway: `POST {"to": "+33…", "message": "…"}` with a bearer
//! token and an `Idempotency-Key`, so the gateway can drop a duplicate after a crash.

use super::{DeliveryError, Leased};
use crate::backend::config::SmsConfig;
use secrecy::{ExposeSecret, SecretString};

pub async fn send(
    http: &reqwest::Client,
    config: &SmsConfig,
    message: &Leased,
    body: &SecretString,
) -> Result<(), DeliveryError> {
    let mut request = http
        .post(&config.gateway_url)
        .header("Idempotency-Key", format!("outbox-{}", message.id))
        .json(&serde_json::json!({ "to": message.recipient, "message": body.expose_secret() }));
    if let Some(token) = &config.token {
        request = request.bearer_auth(token.expose_secret());
    }
    let response = request.send().await.map_err(|e| {
        DeliveryError::Sms(
            if e.is_timeout() {
                "timed out"
            } else {
                "unreachable"
            }
            .into(),
        )
    })?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(DeliveryError::Sms(format!(
            "answered {}",
            response.status().as_u16()
        )))
    }
}
