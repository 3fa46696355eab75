//! « Journal des opérations »: administrators only (the auditor role of issue 8 will read it
//! too). The CSV file of the same search is served at `/journal.csv` (see the server's routes).

use super::types::{IntegrityReport, JournalPage, JournalSearch};
use super::{ApiError, StrictJson};
use leptos::server;

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

/// One page of the entity's events matching the search.
#[server(prefix = "/api", endpoint = "journal", input = StrictJson)]
pub async fn load_journal(search: JournalSearch) -> Result<JournalPage, ApiError> {
    let caller = guard::administrator()?;
    flows::journal::page(&caller, &search).await
}

/// « Vérifier l’intégrité »: the audit trail's hash chain recomputed.
#[server(prefix = "/api", endpoint = "journal/integrite")]
pub async fn verify_journal() -> Result<IntegrityReport, ApiError> {
    let caller = guard::administrator()?;
    flows::journal::verify(&caller).await
}
