//! « Double validation »: the requests awaiting a second administrator (list, page, passkey
//! challenge, approval with strong authentication, rejection with a reason, withdrawal by the
//! author), and the entity's settings page where it is switched on or off (a signed
//! operation like the others).

use super::types::{
    ApprovalForm, ApprovalPage, ApprovalsPage, DualControlForm, OperationDone, OperationForm,
    RejectionForm, ScaProof, SettingsPage,
};
use super::{ApiError, StrictJson};
use leptos::server;
use webauthn_rs_proto::RequestChallengeResponse;

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

/// « Opérations à valider »: the entity's requests awaiting approval.
#[server(prefix = "/api", endpoint = "validations", input = StrictJson)]
pub async fn load_approvals() -> Result<ApprovalsPage, ApiError> {
    let caller = guard::administrator()?;
    flows::approval::inbox(&caller).await
}

/// One request, as a second administrator reads it before deciding.
#[server(prefix = "/api", endpoint = "validations/demande", input = StrictJson)]
pub async fn load_approval(operation_id: String) -> Result<ApprovalPage, ApiError> {
    let caller = guard::administrator()?;
    flows::approval::page(&caller, &operation_id).await
}

/// The passkey challenge that approves a request, bound to it and to this session.
#[server(prefix = "/api", endpoint = "validations/cle/defi", input = StrictJson)]
pub async fn approval_passkey_challenge(
    operation_id: String,
) -> Result<RequestChallengeResponse, ApiError> {
    let caller = guard::administrator()?;
    flows::approval::passkey_challenge(&caller, &operation_id).await
}

/// The second administrator's strong authentication approves the request: it applies at once.
#[server(prefix = "/api", endpoint = "validations/approbation", input = StrictJson)]
pub async fn approve_request(
    operation_id: String,
    digest: String,
    proof: ScaProof,
) -> Result<Option<OperationDone>, ApiError> {
    let caller = guard::administrator()?;
    flows::approval::approve(caller, operation_id, digest, proof).await
}

/// « Valider avec le code » (a form: it works before and without the wasm).
#[server(prefix = "/api", endpoint = "validations/approbation-code")]
pub async fn approve_request_with_code(
    form: ApprovalForm,
) -> Result<Option<OperationDone>, ApiError> {
    let caller = guard::administrator()?;
    let id = form.operation_id.clone();
    let done = flows::approval::approve(
        caller,
        form.operation_id,
        form.digest,
        ScaProof::Totp { code: form.code },
    )
    .await?;
    guard::redirect(&format!("/validations/{id}"));
    Ok(done)
}

/// « Refuser »: nothing is applied; the author is told the reason.
#[server(prefix = "/api", endpoint = "validations/refus")]
pub async fn reject_request(form: RejectionForm) -> Result<(), ApiError> {
    let caller = guard::administrator()?;
    flows::approval::reject(&caller, &form.operation_id, &form.digest, &form.reason).await?;
    guard::redirect(&format!("/validations/{}", form.operation_id));
    Ok(())
}

/// « Retirer ma demande »: the author withdraws a request no one decided yet.
#[server(prefix = "/api", endpoint = "validations/retrait")]
pub async fn withdraw_request(form: OperationForm) -> Result<(), ApiError> {
    let caller = guard::administrator()?;
    flows::approval::withdraw(&caller, &form.operation_id).await?;
    guard::redirect(&format!("/validations/{}", form.operation_id));
    Ok(())
}

/// « Paramètres »: the double validation and what it needs.
#[server(prefix = "/api", endpoint = "parametres", input = StrictJson)]
pub async fn load_settings() -> Result<SettingsPage, ApiError> {
    let caller = guard::administrator()?;
    flows::approval::settings(&caller).await
}

/// Switches the double validation on or off: prepared here, then signed (and approved by a
/// second administrator while it is on) like every operation.
#[server(prefix = "/api", endpoint = "parametres/double-validation")]
pub async fn prepare_dual_control(form: DualControlForm) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let operation_id = flows::approval::prepare_setting(&caller, &form.enabled).await?;
    guard::redirect(&format!("/operations/{operation_id}"));
    Ok(operation_id)
}
