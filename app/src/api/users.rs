//! « Gestion des utilisateurs » and « Ajouter un utilisateur »: administrators only.
//!
//! The journey keeps what the administrator chose in a server-side draft: each step has its own
//! URL (`/utilisateurs/ajout/{draft}/{step}`), posts a form, and goes on to the next step.

use super::types::{
    AddUserDraft, AddUserJourney, Candidates, DraftForm, EmailForm, MethodForm, PersonChoice,
    PreparedOperation, RightsContext, RightsForm, UserForm, UserRights, UserSearch, UserSummary,
    UserView, UsersPage,
};
use super::{ApiError, StrictJson};
use leptos::server;

#[cfg(feature = "ssr")]
use super::types::journey_step_url;
#[cfg(feature = "ssr")]
use crate::backend::flows::add_user;
#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

/// The entity's users, all of them (the copy method's choice).
#[server(prefix = "/api", endpoint = "utilisateurs", input = StrictJson)]
pub async fn list_users() -> Result<Vec<UserSummary>, ApiError> {
    let caller = guard::administrator()?;
    flows::users::list(&caller).await
}

/// « Gestion des utilisateurs »: a page of the users matching a search.
#[server(prefix = "/api", endpoint = "utilisateurs/recherche", input = StrictJson)]
pub async fn search_users(search: UserSearch) -> Result<UsersPage, ApiError> {
    let caller = guard::administrator()?;
    flows::users::search(&caller, &search).await
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
    add_user::candidates(&caller).await
}

/// The accounts, contracts and users the rights step needs.
#[server(prefix = "/api", endpoint = "ajout/contexte", input = StrictJson)]
pub async fn add_user_rights_context() -> Result<RightsContext, ApiError> {
    let caller = guard::administrator()?;
    add_user::rights_context(&caller).await
}

/// The journey as far as it has gone (any step's page); `with_users` for the method step.
#[server(prefix = "/api", endpoint = "ajout/parcours", input = StrictJson)]
pub async fn load_add_user_journey(
    draft: String,
    with_users: bool,
) -> Result<AddUserJourney, ApiError> {
    let caller = guard::administrator()?;
    add_user::journey(&caller, &draft, with_users).await
}

/// Step 1: the person chosen; a draft starts, on to the personal data.
#[server(prefix = "/api", endpoint = "ajout/personne")]
pub async fn start_add_user(form: PersonChoice) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let draft = add_user::start(&caller, form.person_id).await?;
    guard::redirect(&journey_step_url(&draft, false, "donnees"));
    Ok(draft)
}

/// Step 2: the e-mail; on to the methods.
#[server(prefix = "/api", endpoint = "ajout/donnees")]
pub async fn save_add_user_email(form: EmailForm) -> Result<(), ApiError> {
    let caller = guard::administrator()?;
    add_user::save_email(&caller, &form.draft, &form.email).await?;
    guard::redirect(&journey_step_url(&form.draft, false, "methode"));
    Ok(())
}

/// Step 3: the method; on to the rights grid.
#[server(prefix = "/api", endpoint = "ajout/methode")]
pub async fn choose_add_user_method(form: MethodForm) -> Result<(), ApiError> {
    let caller = guard::administrator()?;
    let method = add_user::parse_method(&form.method, form.copy_from)?;
    add_user::choose_method(&caller, &form.draft, method).await?;
    guard::redirect(&add_user::draft_step_url(&caller, &form.draft, "droits").await?);
    Ok(())
}

/// Step 4: the rights; on to « Vérifiez l’ensemble de votre sélection ».
#[server(prefix = "/api", endpoint = "ajout/droits")]
pub async fn save_add_user_rights(form: RightsForm) -> Result<(), ApiError> {
    let caller = guard::administrator()?;
    let rights = add_user::parse_cells(&form.cells, form.administration)?;
    let period = model::Period::parse(&form.starts_on, &form.ends_on, add_user::today())?;
    add_user::save_rights(&caller, &form.draft, rights, period).await?;
    guard::redirect(&add_user::draft_step_url(&caller, &form.draft, "verification").await?);
    Ok(())
}

/// Step 5, « Confirmer »: the operation to sign is kept; on to « Validez votre opération ».
#[server(prefix = "/api", endpoint = "ajout/confirmation")]
pub async fn confirm_add_user(form: DraftForm) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let operation_id = add_user::confirm(&caller, &form.draft).await?;
    guard::redirect(&format!("/operations/{operation_id}"));
    Ok(operation_id)
}

/// The whole addition at once (the API for other clients than the journey's pages).
#[server(prefix = "/api", endpoint = "ajout/preparation", input = StrictJson)]
pub async fn prepare_add_user(draft: AddUserDraft) -> Result<PreparedOperation, ApiError> {
    let caller = guard::administrator()?;
    add_user::prepare(&caller, draft, None).await
}

/// « Fiche utilisateur »: a user of the entity, their factors and every right with its origin.
#[server(prefix = "/api", endpoint = "utilisateurs/fiche", input = StrictJson)]
pub async fn load_user(user_id: i64) -> Result<UserView, ApiError> {
    let caller = guard::administrator()?;
    flows::lifecycle::view(&caller, user_id).await
}

/// « Modifier les droits »: a draft starts from the user's rights; on to the methods.
#[server(prefix = "/api", endpoint = "utilisateurs/modification")]
pub async fn start_rights_modification(form: UserForm) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let draft = add_user::start_modification(&caller, form.user_id).await?;
    guard::redirect(&journey_step_url(&draft, true, "methode"));
    Ok(draft)
}

/// « Retirer l’utilisateur »: prepares the removal of a user from the entity.
#[server(prefix = "/api", endpoint = "utilisateurs/retrait")]
pub async fn prepare_removal(form: UserForm) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let operation_id = flows::lifecycle::prepare(
        &caller,
        form.user_id,
        flows::lifecycle::AccessChange::Remove,
    )
    .await?;
    guard::redirect(&format!("/operations/{operation_id}"));
    Ok(operation_id)
}

/// « Suspendre l’accès »: prepares the suspension of a user, to validate on the operation page.
#[server(prefix = "/api", endpoint = "utilisateurs/suspension")]
pub async fn prepare_suspension(form: UserForm) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let operation_id = flows::lifecycle::prepare(
        &caller,
        form.user_id,
        flows::lifecycle::AccessChange::Suspend,
    )
    .await?;
    guard::redirect(&format!("/operations/{operation_id}"));
    Ok(operation_id)
}

/// « Réactiver l’accès »: prepares the reactivation of a suspended user.
#[server(prefix = "/api", endpoint = "utilisateurs/reactivation")]
pub async fn prepare_reactivation(form: UserForm) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let operation_id = flows::lifecycle::prepare(
        &caller,
        form.user_id,
        flows::lifecycle::AccessChange::Reactivate,
    )
    .await?;
    guard::redirect(&format!("/operations/{operation_id}"));
    Ok(operation_id)
}

/// « Réinitialiser l’accès »: prepares a new temporary password and first login for a user who
/// lost their password or factor (or never finished their first login).
#[server(prefix = "/api", endpoint = "utilisateurs/reinitialisation")]
pub async fn prepare_access_reset(form: UserForm) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let operation_id =
        flows::lifecycle::prepare(&caller, form.user_id, flows::lifecycle::AccessChange::Reset)
            .await?;
    guard::redirect(&format!("/operations/{operation_id}"));
    Ok(operation_id)
}

/// « Débloquer l’accès »: prepares the unblocking of a user blocked after five failed strong
/// authentications (until now only the bank could).
#[server(prefix = "/api", endpoint = "utilisateurs/deblocage")]
pub async fn prepare_unblock(form: UserForm) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let operation_id = flows::lifecycle::prepare(
        &caller,
        form.user_id,
        flows::lifecycle::AccessChange::Unblock,
    )
    .await?;
    guard::redirect(&format!("/operations/{operation_id}"));
    Ok(operation_id)
}

/// « Désigner comme auditeur »: prepares giving a user the auditor role (the journal, the
/// entitlement report and the access reviews, read only).
#[server(prefix = "/api", endpoint = "utilisateurs/auditeur")]
pub async fn prepare_auditor_role(form: UserForm) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let operation_id = flows::lifecycle::prepare(
        &caller,
        form.user_id,
        flows::lifecycle::AccessChange::SetAuditor(true),
    )
    .await?;
    guard::redirect(&format!("/operations/{operation_id}"));
    Ok(operation_id)
}

/// « Retirer le rôle d’auditeur »: prepares taking the auditor role away.
#[server(prefix = "/api", endpoint = "utilisateurs/auditeur/retrait")]
pub async fn prepare_auditor_removal(form: UserForm) -> Result<String, ApiError> {
    let caller = guard::administrator()?;
    let operation_id = flows::lifecycle::prepare(
        &caller,
        form.user_id,
        flows::lifecycle::AccessChange::SetAuditor(false),
    )
    .await?;
    guard::redirect(&format!("/operations/{operation_id}"));
    Ok(operation_id)
}
