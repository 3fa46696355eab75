//! Habilis's HTTP server around the app crate.
//!
//! - [`startup`]: builds the application from a configuration (database, migrations, demo data,
//!   relying party, outbox dispatcher, router) and binds it; tests drive it on port 0.
//! - [`middleware`]: security headers, CSRF defence, canonical host, session resolution, and the
//!   HTTP status of server function errors.
//! - [`admin`]: the bank's back-office commands (verify the audit trail, unblock a user).
//! - [`bank_api`]: the bank's systems' import API, authenticated by service tokens.

pub mod admin;
pub mod bank_api;
pub mod middleware;
pub mod startup;

/// Logs to stdout, `RUST_LOG` to filter (default: info, quieter sqlx).
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,leptos_axum=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
