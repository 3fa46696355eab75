//! « Gestion des utilisateurs » and « Ajouter un utilisateur »: administrators only.

use super::types::{
    AddUserDraft, Candidates, PreparedOperation, RightsContext, UserRights, UserSummary,
};
use super::{ApiError, StrictJson};
use leptos::server;

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

/// The entity's users.
#[server(prefix = "/api", endpoint = "utilisateurs", input = StrictJson)]
pub async fn list_users() -> Result<Vec<UserSummary>, ApiError> {
    let caller = guard::administrator()?;
    flows::users::list(&caller).await
}

/// One user's rights (the copy method's recap).
#[server(prefix = "/api", endpoint = "utilisateurs/droits", input = StrictJson)]
pub async fn copyable_rights(user_id: i64) -> Result<UserRights, ApiError> {
    let caller = guard::administrator()?;
    flows::users::rights(&caller, user_id).await
}

/// Persons registered by the advisor who are not users yet.
#[server(prefix = "/api", endpoint = "ajout/personnes", input = StrictJson)]
pub async fn add_user_candidates() -> Result<Candidates, ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::candidates(&caller).await
}

/// The accounts, contracts and users the rights step needs.
#[server(prefix = "/api", endpoint = "ajout/contexte", input = StrictJson)]
pub async fn add_user_rights_context() -> Result<RightsContext, ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::rights_context(&caller).await
}

/// « Confirmer »: checks the draft and keeps it as the operation to sign.
#[server(prefix = "/api", endpoint = "ajout/preparation", input = StrictJson)]
pub async fn prepare_add_user(draft: AddUserDraft) -> Result<PreparedOperation, ApiError> {
    let caller = guard::administrator()?;
    flows::add_user::prepare(&caller, draft).await
}
