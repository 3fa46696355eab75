//! The local outbox (local mode only): the simulated mailbox and phone.

use super::types::LocalMessage;
use super::{ApiError, StrictJson};
use leptos::server;

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

#[server(prefix = "/api", endpoint = "boite-locale", input = StrictJson)]
pub async fn local_outbox() -> Result<Vec<LocalMessage>, ApiError> {
    let state = guard::local_mode()?;
    flows::local_outbox::messages(&state).await
}
