//! « Gestion des utilisateurs » and « Ajouter un utilisateur »: administrators only.

use super::types::{
    AddUserDone, AddUserDraft, Candidates, LocalMessage, PreparedOperation, RightsContext,
    ScaProof, UserRights, UserSummary,
};
use super::{ApiError, StrictJson};
use leptos::server;
use webauthn_rs_proto::RequestChallengeResponse;

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

/// The entity's users.
#[server(prefix = "/api", endpoint = "utilisateurs", input = StrictJson)]
pub async fn list_users() -> Result<Vec<UserSummary>, ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::users(caller).await
}

/// One user's rights (the copy method's recap).
#[server(prefix = "/api", endpoint = "utilisateurs/droits", input = StrictJson)]
pub async fn copyable_rights(user_id: i64) -> Result<UserRights, ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::user_rights(caller, user_id).await
}

/// Persons registered by the advisor who are not users yet.
#[server(prefix = "/api", endpoint = "ajout/personnes", input = StrictJson)]
pub async fn add_user_candidates() -> Result<Candidates, ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::candidates(caller).await
}

/// The accounts, contracts and users the rights step needs.
#[server(prefix = "/api", endpoint = "ajout/contexte", input = StrictJson)]
pub async fn add_user_rights_context() -> Result<RightsContext, ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::rights_context(caller).await
}

/// « Confirmer »: checks the draft and keeps it as the operation to sign.
#[server(prefix = "/api", endpoint = "ajout/preparation", input = StrictJson)]
pub async fn prepare_add_user(draft: AddUserDraft) -> Result<PreparedOperation, ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::prepare(caller, draft).await
}

/// The passkey challenge bound to the pending operation.
#[server(prefix = "/api", endpoint = "ajout/cle/defi", input = StrictJson)]
pub async fn add_user_passkey_challenge(
    operation_id: String,
) -> Result<RequestChallengeResponse, ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::passkey_challenge(caller, operation_id).await
}

/// The strong authentication that validates the operation: the change applies at once.
#[server(prefix = "/api", endpoint = "ajout/validation", input = StrictJson)]
pub async fn confirm_add_user(
    operation_id: String,
    digest: String,
    proof: ScaProof,
) -> Result<AddUserDone, ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::confirm(caller, operation_id, digest, proof).await
}

/// « Annuler »: voids the pending operation.
#[server(prefix = "/api", endpoint = "ajout/annulation", input = StrictJson)]
pub async fn cancel_add_user(operation_id: String) -> Result<(), ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::cancel(caller, operation_id).await
}

/// The local outbox (local mode only): the simulated mailbox and phone.
#[server(prefix = "/api", endpoint = "boite-locale", input = StrictJson)]
pub async fn local_outbox() -> Result<Vec<LocalMessage>, ApiError> {
    let state = guard::local_mode()?;
    Ok(crate::backend::outbox::local_messages(&state.db, &state.secrets).await?)
}
