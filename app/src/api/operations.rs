//! Signing an operation prepared by any kind's « Confirmer »: the passkey challenge, the
//! validation with strong authentication (the change applies at once), and « Annuler ».

use super::types::{OperationDone, ScaProof};
use super::{ApiError, StrictJson};
use leptos::server;
use webauthn_rs_proto::RequestChallengeResponse;

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

/// The passkey challenge bound to the prepared operation and to this session.
#[server(prefix = "/api", endpoint = "operations/cle/defi", input = StrictJson)]
pub async fn operation_passkey_challenge(
    operation_id: String,
) -> Result<RequestChallengeResponse, ApiError> {
    let caller = guard::administrator()?;
    flows::operations::passkey_challenge(&caller, &operation_id).await
}

/// The strong authentication that validates the operation: the change applies at once.
#[server(prefix = "/api", endpoint = "operations/validation", input = StrictJson)]
pub async fn confirm_operation(
    operation_id: String,
    digest: String,
    proof: ScaProof,
) -> Result<OperationDone, ApiError> {
    let caller = guard::administrator()?;
    flows::operations::confirm(caller, operation_id, digest, proof).await
}

/// « Annuler »: voids the prepared operation.
#[server(prefix = "/api", endpoint = "operations/annulation", input = StrictJson)]
pub async fn cancel_operation(operation_id: String) -> Result<(), ApiError> {
    let caller = guard::administrator()?;
    flows::operations::cancel(&caller, &operation_id).await
}
