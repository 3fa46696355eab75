//! Signing in and out, first login, strong-authentication factors, the home page.
//!
//! Passwords arrive as plain strings (the wire format) and become `SecretString`s at once.

use super::types::{
    CodeForm, Deployment, EntityChoice, HomeView, NewPasswordForm, SessionInfo, SessionStatus,
    SignInForm, Stage, SwitchEntityForm, TotpEnrolment,
};
use super::{ApiError, StrictJson};
use leptos::server;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard, session::Stage as SessionStage};
#[cfg(feature = "ssr")]
use secrecy::SecretString;

/// The bank's name and whether this is a local (demo) deployment.
#[server(prefix = "/api", endpoint = "deploiement", input = StrictJson)]
pub async fn deployment_info() -> Result<Deployment, ApiError> {
    let (state, _) = guard::anyone()?;
    Ok(Deployment {
        bank_name: state.config.bank_name.clone(),
        local_mode: state.config.is_local(),
    })
}

/// Who is signed in, and how far; `None` when nobody is.
#[server(prefix = "/api", endpoint = "session/info", input = StrictJson)]
pub async fn current_session() -> Result<Option<SessionInfo>, ApiError> {
    let (state, facts) = guard::anyone()?;
    flows::sign_in::info(state, facts).await
}

/// Seconds left before the idle timeout. Not counted as activity.
#[server(prefix = "/api", endpoint = "session/etat", input = StrictJson)]
pub async fn idle_status() -> Result<SessionStatus, ApiError> {
    let (state, facts) = guard::anyone()?;
    Ok(flows::sign_in::status(&state, facts.session.as_ref()))
}

/// « Rester connecté »: counted as activity, restarts the idle timeout.
#[server(prefix = "/api", endpoint = "session/prolonger", input = StrictJson)]
pub async fn keep_alive() -> Result<SessionStatus, ApiError> {
    let caller = guard::signed_in()?;
    Ok(flows::sign_in::status(&caller.state, Some(&caller.session)))
}

/// Step 1: login id and password (a form: it works before and without the wasm, and the
/// password never reaches an address). Then to the strong authentication, or the first login.
#[server(prefix = "/api", endpoint = "connexion")]
pub async fn login(form: SignInForm) -> Result<Stage, ApiError> {
    let (state, facts) = guard::anyone()?;
    let stage = flows::sign_in::login(
        state,
        facts,
        form.login_id,
        SecretString::from(form.password),
    )
    .await?;
    guard::redirect(match stage {
        Stage::NewPassword => "/premiere-connexion",
        Stage::Enrol => "/premiere-connexion/authentification",
        Stage::Sca { .. } | Stage::Full => "/connexion/authentification",
    });
    Ok(stage)
}

/// Step 2 with the authenticator application's code.
#[server(prefix = "/api", endpoint = "connexion/code")]
pub async fn login_totp(form: CodeForm) -> Result<(), ApiError> {
    let caller = guard::at_stage(SessionStage::Sca)?;
    let entities = flows::sign_in::totp(caller, form.code).await?;
    guard::redirect(after_sign_in(entities));
    Ok(())
}

/// Where a complete sign-in leads: the home page, or the choice of the entity for a person of
/// a group of entities.
pub fn after_sign_in(entities: i64) -> &'static str {
    if entities > 1 {
        "/entites"
    } else {
        "/accueil"
    }
}

/// The entities where the signed-in person works with their login, for « Changer d’entité ».
/// (Under `/api/connexion`: read across the person's entities, not within one.)
#[server(prefix = "/api", endpoint = "connexion/entites", input = StrictJson)]
pub async fn my_entities() -> Result<Vec<EntityChoice>, ApiError> {
    let caller = guard::signed_in()?;
    flows::sign_in::entities(&caller).await
}

/// « Changer d’entité »: on to the chosen entity's home page, nothing of the other carried.
#[server(prefix = "/api", endpoint = "connexion/entite")]
pub async fn switch_entity(form: SwitchEntityForm) -> Result<(), ApiError> {
    let caller = guard::signed_in()?;
    flows::sign_in::switch_entity(caller, form.entity).await?;
    guard::redirect("/accueil");
    Ok(())
}

/// « Confirmer mon identité »: a strong authentication inside a signed-in session, which
/// adding a factor requires (within five minutes).
#[server(prefix = "/api", endpoint = "securite/confirmer-identite")]
pub async fn confirm_identity(form: CodeForm) -> Result<(), ApiError> {
    let caller = guard::signed_in()?;
    flows::sign_in::step_up_totp(caller, form.code).await?;
    guard::redirect("/securite");
    Ok(())
}

/// Step 2 with a passkey: the challenge.
#[server(prefix = "/api", endpoint = "connexion/cle/defi", input = StrictJson)]
pub async fn login_passkey_start() -> Result<RequestChallengeResponse, ApiError> {
    let caller = guard::at_stage(SessionStage::Sca)?;
    flows::sign_in::passkey_start(caller).await
}

/// Step 2 with a passkey: the signed challenge. Answers where to go next.
#[server(prefix = "/api", endpoint = "connexion/cle/verification", input = StrictJson)]
pub async fn login_passkey_finish(credential: PublicKeyCredential) -> Result<String, ApiError> {
    let caller = guard::at_stage(SessionStage::Sca)?;
    let entities = flows::sign_in::passkey_finish(caller, credential).await?;
    Ok(after_sign_in(entities).to_string())
}

/// « Se déconnecter »
#[server(prefix = "/api", endpoint = "deconnexion")]
pub async fn logout() -> Result<(), ApiError> {
    let (state, facts) = guard::anyone()?;
    flows::sign_in::logout(state, facts).await?;
    guard::redirect("/connexion");
    Ok(())
}

/// First login: the new password.
#[server(prefix = "/api", endpoint = "premiere-connexion/mot-de-passe")]
pub async fn set_first_password(form: NewPasswordForm) -> Result<(), ApiError> {
    let caller = guard::at_stage(SessionStage::NewPassword)?;
    flows::first_login::set_new_password(
        caller,
        SecretString::from(form.email_code),
        SecretString::from(form.password),
        SecretString::from(form.confirmation),
    )
    .await?;
    guard::redirect("/premiere-connexion/authentification");
    Ok(())
}

/// The caller for factor enrolment: a first login's last step, or a signed-in user.
#[cfg(feature = "ssr")]
fn enrolling_caller() -> Result<guard::Caller, ApiError> {
    guard::at_stage(SessionStage::Enrol).or_else(|_| guard::signed_in())
}

/// TOTP enrolment: a new secret to put in the authenticator application (shown by
/// [`totp_enrolment`] on the page the form came from).
#[server(prefix = "/api", endpoint = "facteurs/code/debut")]
pub async fn totp_enrol_start() -> Result<TotpEnrolment, ApiError> {
    let caller = enrolling_caller()?;
    flows::enrol::totp_start(caller).await
}

/// The TOTP enrolment in progress in this session, if any.
#[server(prefix = "/api", endpoint = "facteurs/code/en-cours", input = StrictJson)]
pub async fn totp_enrolment_in_progress() -> Result<Option<TotpEnrolment>, ApiError> {
    let caller = enrolling_caller()?;
    flows::enrol::totp_in_progress(caller).await
}

/// TOTP enrolment, verified with a first code. `true` when it completed a first login (then
/// on to the home page).
#[server(prefix = "/api", endpoint = "facteurs/code/fin")]
pub async fn totp_enrol_finish(form: CodeForm) -> Result<bool, ApiError> {
    let caller = enrolling_caller()?;
    let first_login = flows::enrol::totp_finish(caller, form.code).await?;
    if first_login {
        guard::redirect("/accueil");
    }
    Ok(first_login)
}

/// Passkey enrolment: the registration challenge.
#[server(prefix = "/api", endpoint = "facteurs/cle/debut", input = StrictJson)]
pub async fn passkey_enrol_start() -> Result<CreationChallengeResponse, ApiError> {
    let caller = enrolling_caller()?;
    flows::enrol::passkey_start(caller).await
}

/// Passkey enrolment, verified. `true` when it completed a first login.
#[server(prefix = "/api", endpoint = "facteurs/cle/fin", input = StrictJson)]
pub async fn passkey_enrol_finish(
    credential: RegisterPublicKeyCredential,
    label: String,
) -> Result<bool, ApiError> {
    let caller = enrolling_caller()?;
    flows::enrol::passkey_finish(caller, credential, label).await
}

/// The home page: who, which entity, which rights.
#[server(prefix = "/api", endpoint = "accueil", input = StrictJson)]
pub async fn home() -> Result<HomeView, ApiError> {
    let caller = guard::signed_in()?;
    flows::home::home(caller).await
}
