//! « Espace conseiller »: the bank's advisors sign in with their own accounts and act on the
//! entities of their portfolio. Each function opens with `guard::advisor()` (an advisor's
//! session; a user's session is no advisor's) and the flow checks the entity is in the
//! advisor's portfolio: another advisor's entity answers like a missing one (404).

use super::types::{
    AdvisorEntityView, AdvisorInfo, AdvisorPersonView, AdvisorSignInForm, AdvisorUserForm,
    CorrectPersonForm, JournalPage, JournalSearch, NamePersonAdministratorForm, PortfolioLine,
    RegisterPersonForm, WithdrawPersonForm,
};
use super::{ApiError, StrictJson};
use leptos::server;

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

/// Signing in: login id, password and the authenticator's code (a form: it works before and
/// without the wasm, and the password never reaches an address).
#[server(prefix = "/api", endpoint = "conseiller/connexion")]
pub async fn advisor_login(form: AdvisorSignInForm) -> Result<(), ApiError> {
    let (state, facts) = guard::anyone()?;
    flows::advisor::login(&state, &facts, form).await?;
    guard::redirect("/conseiller");
    Ok(())
}

#[server(prefix = "/api", endpoint = "conseiller/deconnexion")]
pub async fn advisor_logout() -> Result<(), ApiError> {
    let caller = guard::advisor().await?;
    flows::advisor::logout(&caller).await?;
    guard::redirect("/conseiller/connexion");
    Ok(())
}

/// The advisor signed in, if any.
#[server(prefix = "/api", endpoint = "conseiller/session", input = StrictJson)]
pub async fn advisor_session() -> Result<Option<AdvisorInfo>, ApiError> {
    match guard::advisor().await {
        Ok(caller) => Ok(Some(AdvisorInfo { name: caller.name })),
        Err(ApiError::Unauthenticated) => Ok(None),
        Err(error) => Err(error),
    }
}

#[server(prefix = "/api", endpoint = "conseiller/portefeuille", input = StrictJson)]
pub async fn advisor_portfolio() -> Result<Vec<PortfolioLine>, ApiError> {
    let caller = guard::advisor().await?;
    flows::advisor::portfolio(&caller).await
}

#[server(prefix = "/api", endpoint = "conseiller/entite", input = StrictJson)]
pub async fn advisor_entity(entity_id: i64) -> Result<AdvisorEntityView, ApiError> {
    let caller = guard::advisor().await?;
    flows::advisor::entity(&caller, entity_id).await
}

/// « Enregistrer une personne »: then offered in the administrators' « Ajouter un utilisateur ».
#[server(prefix = "/api", endpoint = "conseiller/personne")]
pub async fn register_person(form: RegisterPersonForm) -> Result<(), ApiError> {
    let caller = guard::advisor().await?;
    let entity = form.entity;
    let person = flows::advisor::register_person(&caller, form).await?;
    // The person's id makes each success a new address: the page reads the entity again.
    guard::redirect(&format!(
        "/conseiller/entites/{entity}?fait=personne&personne={person}"
    ));
    Ok(())
}

/// « Débloquer » a user blocked after five failed strong authentications.
#[server(prefix = "/api", endpoint = "conseiller/deblocage")]
pub async fn advisor_unblock(form: AdvisorUserForm) -> Result<(), ApiError> {
    let caller = guard::advisor().await?;
    let (entity, user, version) = (form.entity, form.user, form.version);
    flows::advisor::unblock(&caller, form).await?;
    guard::redirect(&format!(
        "/conseiller/entites/{entity}?fait=deblocage&utilisateur={user}&version={version}"
    ));
    Ok(())
}

/// « Réinitialiser l’accès »: new credentials sent to the user (never to the advisor).
#[server(prefix = "/api", endpoint = "conseiller/reinitialisation")]
pub async fn advisor_reset_access(form: AdvisorUserForm) -> Result<(), ApiError> {
    let caller = guard::advisor().await?;
    let (entity, user, version) = (form.entity, form.user, form.version);
    flows::advisor::reset_access(&caller, form).await?;
    guard::redirect(&format!(
        "/conseiller/entites/{entity}?fait=reinitialisation&utilisateur={user}&version={version}"
    ));
    Ok(())
}

/// Break-glass: names a user the entity's administrator when it has no active administrator
/// left (the last one removed, blocked or gone).
#[server(prefix = "/api", endpoint = "conseiller/administrateur")]
pub async fn advisor_name_administrator(form: AdvisorUserForm) -> Result<(), ApiError> {
    let caller = guard::advisor().await?;
    let (entity, user, version) = (form.entity, form.user, form.version);
    flows::advisor::name_administrator(&caller, form).await?;
    guard::redirect(&format!(
        "/conseiller/entites/{entity}?fait=administrateur&utilisateur={user}&version={version}"
    ));
    Ok(())
}

/// Break-glass for an entity with no administrator (none yet, or none left): a registered
/// person becomes its administrator and gets their credentials.
#[server(prefix = "/api", endpoint = "conseiller/personne/administrateur")]
pub async fn advisor_name_person_administrator(
    form: NamePersonAdministratorForm,
) -> Result<(), ApiError> {
    let caller = guard::advisor().await?;
    let entity = form.entity;
    let named = flows::advisor::name_person_administrator(&caller, form).await?;
    // A person of a group keeps their login: no new credentials, the page says so.
    let done = if named.existing_login {
        "premier-administrateur-groupe"
    } else {
        "premier-administrateur"
    };
    guard::redirect(&format!(
        "/conseiller/entites/{entity}?fait={done}&utilisateur={}",
        named.user_id
    ));
    Ok(())
}

/// The entity's « Journal des opérations », a page at a time.
#[server(prefix = "/api", endpoint = "conseiller/journal", input = StrictJson)]
pub async fn advisor_journal(
    entity_id: i64,
    search: JournalSearch,
) -> Result<JournalPage, ApiError> {
    let caller = guard::advisor().await?;
    flows::advisor::journal(&caller, entity_id, &search).await
}

/// A registered person not yet a user, to correct or withdraw.
#[server(prefix = "/api", endpoint = "conseiller/personne/fiche", input = StrictJson)]
pub async fn advisor_person(entity_id: i64, person_id: i64) -> Result<AdvisorPersonView, ApiError> {
    let caller = guard::advisor().await?;
    flows::advisor::person(&caller, entity_id, person_id).await
}

/// « Corriger » a registered person not yet a user.
#[server(prefix = "/api", endpoint = "conseiller/personne/correction")]
pub async fn correct_person(form: CorrectPersonForm) -> Result<(), ApiError> {
    let caller = guard::advisor().await?;
    let (entity, person) = (form.entity, form.person);
    flows::advisor::correct_person(&caller, form).await?;
    guard::redirect(&format!(
        "/conseiller/entites/{entity}?fait=correction&personne={person}"
    ));
    Ok(())
}

/// « Retirer » a registered person not yet a user: no longer offered to the administrators.
#[server(prefix = "/api", endpoint = "conseiller/personne/retrait")]
pub async fn withdraw_person(form: WithdrawPersonForm) -> Result<(), ApiError> {
    let caller = guard::advisor().await?;
    let (entity, person) = (form.entity, form.person);
    flows::advisor::withdraw_person(&caller, form).await?;
    guard::redirect(&format!(
        "/conseiller/entites/{entity}?fait=retrait&personne={person}"
    ));
    Ok(())
}
