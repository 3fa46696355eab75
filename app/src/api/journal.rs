//! Oversight: « Journal des opérations » and « Rapport des habilitations », for administrators
//! and auditors (who read them and change nothing). Their CSV files are served at
//! `/journal.csv` and `/habilitations.csv` (see the server's routes).

use super::types::{
    CheckpointForm, EntitlementReport, IntegrityReport, JournalPage, JournalSearch, WhyView,
};
use super::{ApiError, StrictJson};
use leptos::server;

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

/// One page of the entity's events matching the search.
#[server(prefix = "/api", endpoint = "journal", input = StrictJson)]
pub async fn load_journal(search: JournalSearch) -> Result<JournalPage, ApiError> {
    let caller = guard::overseer()?;
    flows::journal::page(&caller, &search).await
}

/// « Vérifier l’intégrité »: the audit trail's hash chain recomputed (and checked against a
/// signed checkpoint kept earlier, when one is given).
#[server(prefix = "/api", endpoint = "journal/integrite")]
pub async fn verify_journal(form: CheckpointForm) -> Result<IntegrityReport, ApiError> {
    let caller = guard::overseer()?;
    flows::journal::verify(&caller, &form.checkpoint).await
}

/// « Rapport des habilitations »: who may do what on each account and contract, and every
/// user's rights with their origin (the CSV file is served at `/habilitations.csv`).
#[server(prefix = "/api", endpoint = "habilitations", input = StrictJson)]
pub async fn load_entitlement_report() -> Result<EntitlementReport, ApiError> {
    let caller = guard::overseer()?;
    flows::report::report(&caller).await
}

/// « Pourquoi ? »: why a user of the entity holds each right, or not.
#[server(prefix = "/api", endpoint = "habilitations/pourquoi", input = StrictJson)]
pub async fn load_why(user_id: i64) -> Result<WhyView, ApiError> {
    let caller = guard::overseer()?;
    flows::report::why(&caller, user_id).await
}
