//! Everything that runs only on the server, compiled only with the `ssr` feature. The wasm
//! build never sees this module, so sqlx and tokio never reach the browser.
//!
//! - [`store`]: the persistence layer, one module per aggregate; the only place with SQL.
//! - [`flows`]: the logic behind each server function; orchestration only (no SQL, no texts).
//! - [`security`]: passwords, TOTP, passkeys, sealing, throttling rules.
//! - [`delivery`]: the outbox dispatcher, SMTP and SMS, and every message's text.
//! - [`audit`], [`session`], [`guard`] (the authorization checks), [`config`], [`demo`],
//!   [`error`] (how failures become the client's `ApiError`).
//!
//! State reaches server functions by context (see [`AppState`]), never through globals.

pub mod audit;
pub mod config;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod flows;
pub mod guard;
pub mod security;
pub mod session;
pub mod store;
pub mod texts;

pub use security::{crypto, passkey, password, throttle, totp};

use config::Config;
use leptos::prelude::LeptosOptions;
use security::crypto::SecretBox;
use std::sync::Arc;
use store::Db;
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
    /// Bounds password hashing (memory and CPU) across every request.
    pub hashing: Arc<password::Hashing>,
}

/// Per-request facts set by the server's middleware before any handler runs.
#[derive(Clone, Debug)]
pub struct RequestFacts {
    /// The valid session of the request's cookie, if any (expired ones are already gone).
    pub session: Option<session::Session>,
    /// The client's address, for per-address throttling.
    pub client_ip: String,
    /// Whether the TCP peer itself is this machine (never taken from a header).
    pub peer_is_loopback: bool,
    /// The language chosen (the switch's cookie), else the browser's preference.
    pub lang: model::Lang,
    /// Who is signed in, as the pages show it, once per request: a page renders the header's
    /// copy and its own, and each would count the requests awaiting approval again.
    pub session_info: Arc<tokio::sync::OnceCell<Option<crate::api::types::SessionInfo>>>,
}

/// Formats Unix seconds as « 27/11/2026 à 14:05 » (UTC).
pub fn format_time(unix_seconds: i64) -> String {
    let format = time::macros::format_description!("[day]/[month]/[year] à [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

/// [`format_time`] in `lang`: « 27/11/2026 à 14:05 », « 27/11/2026 at 14:05 ».
pub fn format_time_in(unix_seconds: i64, lang: model::Lang) -> String {
    match lang {
        model::Lang::Fr => format_time(unix_seconds),
        model::Lang::En => format_time(unix_seconds).replacen(" à ", " at ", 1),
    }
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
        assert_eq!(
            super::format_time_in(1_795_778_700, model::Lang::En),
            "27/11/2026 at 11:25"
        );
        assert_eq!(super::format_day(1_795_778_700), "27/11/2026");
    }
}

#[cfg(test)]
mod fuzz;
