//! Everything that runs only on the server, compiled only with the `ssr` feature: the database,
//! sessions, authentication, the audit trail, the outbox and the logic behind each server
//! function. The wasm build never sees this module, so sqlx and tokio never reach the browser.
//!
//! State reaches server functions by context (see [`AppState`]), never through globals.

pub mod audit;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod directory;
pub mod flows;
pub mod guard;
pub mod outbox;
pub mod passkey;
pub mod password;
pub mod session;
pub mod throttle;
pub mod totp;

use config::Config;
use crypto::SecretBox;
use db::Db;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;
use webauthn_rs::prelude::Webauthn;

/// What every request handler needs, cloned into each request's context.
#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    /// The origin browsers use (`http://localhost:3000`); passkeys and CSRF checks rely on it.
    pub public_url: Arc<str>,
    pub secrets: Arc<SecretBox>,
    pub webauthn: Arc<Webauthn>,
    /// Wakes the outbox dispatcher after a commit that queued messages.
    pub outbox_wake: Arc<tokio::sync::Notify>,
}

/// Per-request facts set by the server's middleware before any handler runs.
#[derive(Clone, Debug)]
pub struct RequestFacts {
    /// The valid session of the request's cookie, if any (expired ones are already gone).
    pub session: Option<session::Session>,
    /// The client's address, for per-address throttling.
    pub client_ip: String,
}

/// Formats Unix seconds as « 27/11/2026 à 14:05 » (UTC).
pub fn format_time(unix_seconds: i64) -> String {
    let format = time::macros::format_description!("[day]/[month]/[year] à [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

/// Formats Unix seconds as « 27/11/2026 » (UTC).
pub fn format_day(unix_seconds: i64) -> String {
    let format = time::macros::format_description!("[day]/[month]/[year]");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_shown_the_french_way() {
        assert_eq!(super::format_time(1_795_778_700), "27/11/2026 à 11:25");
        assert_eq!(super::format_day(1_795_778_700), "27/11/2026");
    }
}
