//! Signing an operation prepared by any kind's « Confirmer »: its page, the passkey challenge,
//! the validation with strong authentication (the change applies at once), and « Annuler ».

use super::types::{Confirmed, OperationForm, OperationPage, ScaProof, ValidationForm};
use super::{ApiError, StrictJson};
use leptos::server;
use webauthn_rs_proto::RequestChallengeResponse;

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

/// « Validez votre opération »: the operation and where it stands.
#[server(prefix = "/api", endpoint = "operations/page", input = StrictJson)]
pub async fn load_operation(operation_id: String) -> Result<OperationPage, ApiError> {
    let caller = guard::administrator()?;
    flows::operations::page(&caller, &operation_id).await
}

/// The passkey challenge bound to the prepared operation and to this session.
#[server(prefix = "/api", endpoint = "operations/cle/defi", input = StrictJson)]
pub async fn operation_passkey_challenge(
    operation_id: String,
) -> Result<RequestChallengeResponse, ApiError> {
    let caller = guard::administrator()?;
    flows::operations::passkey_challenge(&caller, &operation_id).await
}

/// The strong authentication that validates the operation: the change applies at once (or
/// awaits a second administrator, with the double validation on).
#[server(prefix = "/api", endpoint = "operations/validation", input = StrictJson)]
pub async fn confirm_operation(
    operation_id: String,
    digest: String,
    proof: ScaProof,
) -> Result<Confirmed, ApiError> {
    let caller = guard::administrator()?;
    flows::operations::confirm(caller, operation_id, digest, proof).await
}

/// « Valider avec le code » (a form: it works before and without the wasm).
#[server(prefix = "/api", endpoint = "operations/validation-code")]
pub async fn confirm_operation_with_code(form: ValidationForm) -> Result<Confirmed, ApiError> {
    let caller = guard::administrator()?;
    let id = form.operation_id.clone();
    let done = flows::operations::confirm(
        caller,
        form.operation_id,
        form.digest,
        ScaProof::Totp { code: form.code },
    )
    .await?;
    guard::redirect(&format!("/operations/{id}"));
    Ok(done)
}

/// « Annuler »: voids the prepared operation.
#[server(prefix = "/api", endpoint = "operations/annulation")]
pub async fn cancel_operation(form: OperationForm) -> Result<(), ApiError> {
    let caller = guard::administrator()?;
    flows::operations::cancel(&caller, &form.operation_id).await?;
    guard::redirect(&format!("/operations/{}", form.operation_id));
    Ok(())
}
