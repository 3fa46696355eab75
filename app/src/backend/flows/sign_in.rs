//! Signing in: login id and password, then a strong-authentication factor; signing out; the
//! session's status for the idle-timeout warning.

use super::sca;
use crate::api::types::{EntityChoice, SessionInfo, SessionStatus, Stage, UserState};
use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::config::Mode;
use crate::backend::delivery::{self, messages, Message, MessageChannel};
use crate::backend::guard::{self, Caller};
use crate::backend::security::throttle;
use crate::backend::session::{self, Stage as SessionStage};
use crate::backend::store::ceremonies::{self, CeremonyKind};
use crate::backend::store::users::SignInAccount;
use crate::backend::store::{self, now};
use crate::backend::{AppState, RequestFacts};
use model::{LoginId, TotpCode};
use secrecy::SecretString;
use serde_json::json;
use std::sync::Arc;
use webauthn_rs::prelude::{PublicKeyCredential, RequestChallengeResponse};

/// A passkey challenge is answered within this time, or started again.
pub const CHALLENGE_LIFETIME_SECS: i64 = 5 * 60;

/// The hash to check the typed password against, if the account may sign in at all.
fn hash_to_check(account: &SignInAccount, now: i64, mode: Mode) -> Option<String> {
    if account.is_demo && mode == Mode::Production {
        return None;
    }
    if account
        .password_locked_until
        .is_some_and(|until| until > now)
    {
        return None;
    }
    match account.state {
        UserState::Active => account.password_hash.clone(),
        // Suspended or removed in this entity, the person may still be an active user of
        // another entity of their group, which signs in with this login.
        UserState::Suspended | UserState::Removed if account.active_elsewhere > 0 => {
            account.password_hash.clone()
        }
        // First login: the temporary password until it is used or expires; after the new
        // password is set (and before a factor is enrolled), the new password.
        UserState::AwaitingFirstLogin => {
            match (&account.password_hash, &account.temp_password_hash) {
                (Some(hash), _) => Some(hash.clone()),
                (None, Some(temp))
                    if account.temp_password_used_at.is_none()
                        && account.temp_password_expires_at.is_some_and(|t| t > now) =>
                {
                    Some(temp.clone())
                }
                _ => None,
            }
        }
        UserState::Suspended | UserState::Blocked | UserState::Removed => None,
    }
}

/// Checks the login id and password. Unknown id, wrong password, locked or blocked account:
/// the same answer after the same work (one Argon2id verification each). A throttled address
/// is answered at once, without hashing: hashing is what an attacker would exhaust.
pub async fn login(
    state: AppState,
    facts: RequestFacts,
    login_id: String,
    password: SecretString,
) -> Result<Stage, ApiError> {
    if !throttle::ip_allows(&state.db, &facts.client_ip).await? {
        tracing::warn!(client_ip = %facts.client_ip, "sign-in refused: address throttled");
        return Err(ApiError::TooManyAttempts);
    }
    let account = match LoginId::parse(&login_id) {
        Ok(login_id) => store::users::sign_in_account(state.db.pool(), login_id.as_str()).await?,
        Err(_) => None,
    };
    let now = now();
    let hash = account
        .as_ref()
        .and_then(|a| hash_to_check(a, now, state.config.mode));
    let valid = state
        .hashing
        .verify_stored(&state.secrets, hash, password)
        .await?;
    let account = match account {
        Some(account) if valid => account,
        other => {
            refused(&state, &facts, other.as_ref()).await?;
            return Err(ApiError::LoginFailed);
        }
    };
    throttle::reset_password_failures(&state.db, account.id).await?;

    let (stage, next) = if account.state == UserState::AwaitingFirstLogin {
        if account.password_hash.is_some() {
            // The enrolment of a first factor belongs to the session that used the temporary
            // password (and the code sent by e-mail): a password alone never reaches it.
            return Err(ApiError::FirstLoginUnfinished);
        }
        // The temporary password is single use: spent by this successful sign-in (its hash
        // stays until the new password is set, to refuse the same password).
        if !store::users::spend_temporary_password(state.db.pool(), account.id, now).await? {
            return Err(ApiError::LoginFailed);
        }
        (SessionStage::NewPassword, Stage::NewPassword)
    } else {
        let enrolled = sca::factors(&state, account.id).await?;
        (
            SessionStage::Sca,
            Stage::Sca {
                has_passkey: enrolled.has_passkey(),
                has_totp: enrolled.has_totp(),
            },
        )
    };
    // The entity the session starts in: the login's own, unless the person is no longer active
    // there (then the first other entity of their group where they are).
    let (user_id, entity_id) =
        if account.state == UserState::Active || account.state == UserState::AwaitingFirstLogin {
            (account.id, account.entity_id)
        } else {
            store::users::entities_of_login(state.db.pool(), account.id)
                .await?
                .into_iter()
                .find(|entity| entity.state == UserState::Active)
                .map(|entity| (entity.user_id, entity.entity_id))
                .ok_or(ApiError::LoginFailed)?
        };
    // A new session id at every sign-in; an earlier session of this browser ends.
    if let Some(previous) = &facts.session {
        store::sessions::delete(state.db.pool(), previous.id).await?;
    }
    let token = session::create(state.db.pool(), user_id, entity_id, account.id, stage).await?;
    guard::set_cookie(&session::cookie(&token));
    Ok(next)
}

/// A refused sign-in: counted against the address and the account, recorded for the bank as a
/// security event, and the user told by e-mail when it locks their password sign-in.
async fn refused(
    state: &AppState,
    facts: &RequestFacts,
    account: Option<&SignInAccount>,
) -> Result<(), ApiError> {
    throttle::record_ip_failure(&state.db, &facts.client_ip).await?;
    let locked_now = match account {
        Some(account) => throttle::record_password_failure(&state.db, account.id).await?,
        None => false,
    };
    let mut tx = state.db.begin_write().await?;
    audit::append(
        &mut tx,
        &state.secrets,
        account.map(|a| a.entity_id),
        None,
        Kind::SignInFailed,
        json!({
            "utilisateur": account.map(|a| a.id),
            "adresse": facts.client_ip,
        }),
    )
    .await?;
    if let Some(account) = account.filter(|_| locked_now) {
        audit::append(
            &mut tx,
            &state.secrets,
            Some(account.entity_id),
            None,
            Kind::PasswordLocked,
            json!({ "utilisateur": account.id, "minutes": throttle::PASSWORD_LOCK_SECS / 60 }),
        )
        .await?;
        let email = messages::password_locked_email(
            &state.config.bank_name,
            throttle::PASSWORD_LOCK_SECS / 60,
            account.language,
        );
        delivery::enqueue(
            &mut tx,
            &state.secrets,
            Message {
                entity_id: account.entity_id,
                channel: MessageChannel::Email,
                recipient: &account.email,
                subject: &email.subject,
                body: &SecretString::from(email.body),
            },
        )
        .await?;
    }
    tx.commit().await?;
    if locked_now {
        state.outbox_wake.notify_one();
    }
    Ok(())
}

/// Second step with a TOTP code. Returns in how many entities the person may now work (more
/// than one: they choose).
pub async fn totp(caller: Caller, code: String) -> Result<i64, ApiError> {
    let code = TotpCode::parse(&code).map_err(|e| ApiError::invalid("code", e.to_string()))?;
    sca::check_totp(&caller.state, &caller.signer(), code).await?;
    complete(&caller, "totp").await?;
    Ok(caller.session.login_entities)
}

/// A strong authentication inside a signed-in session (before adding a factor): the session
/// records it and gets a new id.
pub async fn step_up_totp(caller: Caller, code: String) -> Result<(), ApiError> {
    let code = TotpCode::parse(&code).map_err(|e| ApiError::invalid("code", e.to_string()))?;
    sca::check_totp(&caller.state, &caller.signer(), code).await?;
    let mut tx = caller.state.db.begin_write().await?;
    let token = session::rotate_after_sca(&mut tx, &caller.session).await?;
    tx.commit().await?;
    guard::set_cookie(&session::cookie(&token));
    Ok(())
}

/// Second step with a passkey: the challenge. Its state stays on the server, in the session.
pub async fn passkey_start(caller: Caller) -> Result<RequestChallengeResponse, ApiError> {
    let (challenge, state) =
        sca::passkey_challenge(&caller.state, caller.session.login_user_id).await?;
    ceremonies::put(
        caller.state.db.pool(),
        caller.session.id,
        CeremonyKind::PasskeySignIn,
        None,
        &state,
        now(),
    )
    .await?;
    Ok(challenge)
}

/// Second step with a passkey: the assertion. Returns in how many entities the person may now
/// work.
pub async fn passkey_finish(
    caller: Caller,
    response: PublicKeyCredential,
) -> Result<i64, ApiError> {
    let state = ceremonies::take(
        caller.state.db.pool(),
        caller.session.id,
        CeremonyKind::PasskeySignIn,
        None,
        now() - CHALLENGE_LIFETIME_SECS,
    )
    .await?
    .ok_or_else(challenge_expired)?;
    sca::check_passkey(&caller.state, &caller.signer(), &response, &state).await?;
    complete(&caller, "cle_d_acces").await?;
    Ok(caller.session.login_entities)
}

pub fn challenge_expired() -> ApiError {
    ApiError::invalid(
        "factor",
        "La demande d’authentification a expiré : recommencez.",
    )
}

/// Both factors passed: a new session id, full access, and an audit event.
async fn complete(caller: &Caller, factor: &str) -> Result<(), ApiError> {
    let mut tx = caller.state.db.begin_write().await?;
    let token = session::rotate_after_sca(&mut tx, &caller.session).await?;
    // The language the user signs in with is the one their messages will be written in.
    store::users::set_language(&mut *tx, caller.user_id(), caller.lang).await?;
    audit::append(
        &mut tx,
        &caller.state.secrets,
        Some(caller.entity_id()),
        Some(caller.user_id()),
        Kind::SignedIn,
        json!({ "facteur": factor }),
    )
    .await?;
    tx.commit().await?;
    guard::set_cookie(&session::cookie(&token));
    Ok(())
}

/// The entities where the signed-in person works with this login (more than one: a group of
/// entities), the current one marked. Read across entities: the person's own rows only.
pub async fn entities(caller: &Caller) -> Result<Vec<EntityChoice>, ApiError> {
    Ok(
        store::users::entities_of_login(caller.state.db.pool(), caller.session.login_user_id)
            .await?
            .into_iter()
            .filter(|entity| entity.state == UserState::Active)
            .map(|entity| EntityChoice {
                entity_id: entity.entity_id,
                name: entity.entity_name,
                is_administrator: entity.is_administrator,
                is_current: entity.entity_id == caller.entity_id(),
            })
            .collect(),
    )
}

/// « Changer d’entité »: the session moves to the person's user row in another entity of their
/// group, under a new token; the next page is read afresh, in that entity only.
pub async fn switch_entity(caller: Caller, entity_id: i64) -> Result<(), ApiError> {
    let target =
        store::users::entities_of_login(caller.state.db.pool(), caller.session.login_user_id)
            .await?
            .into_iter()
            .find(|entity| entity.entity_id == entity_id && entity.state == UserState::Active)
            // Another entity, or one where the person is not active: like a missing one.
            .ok_or(ApiError::NotFound)?;
    if target.entity_id == caller.entity_id() {
        return Ok(());
    }
    let mut tx = caller.state.db.begin_write().await?;
    let token =
        session::switch_entity(&mut tx, &caller.session, target.user_id, target.entity_id).await?;
    audit::append(
        &mut tx,
        &caller.state.secrets,
        Some(target.entity_id),
        Some(target.user_id),
        Kind::EntitySwitched,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    guard::set_cookie(&session::cookie(&token));
    Ok(())
}

/// Ends the session of this browser, whatever its stage.
pub async fn logout(state: AppState, facts: RequestFacts) -> Result<(), ApiError> {
    if let Some(current) = facts.session {
        store::sessions::delete(state.db.pool(), current.id).await?;
    }
    guard::set_cookie(&session::clear_cookie());
    Ok(())
}

/// Who is signed in and how far, or `None`: read with the session itself (no statement of its
/// own, except the factors of a sign-in waiting for its strong authentication).
pub async fn info(state: AppState, facts: RequestFacts) -> Result<Option<SessionInfo>, ApiError> {
    let once = Arc::clone(&facts.session_info);
    once.get_or_try_init(|| read_info(state, facts))
        .await
        .cloned()
}

async fn read_info(state: AppState, facts: RequestFacts) -> Result<Option<SessionInfo>, ApiError> {
    let Some(current) = facts.session else {
        return Ok(None);
    };
    let stage = match current.stage {
        SessionStage::Sca => {
            let enrolled = sca::factors(&state, current.login_user_id).await?;
            Stage::Sca {
                has_passkey: enrolled.has_passkey(),
                has_totp: enrolled.has_totp(),
            }
        }
        SessionStage::NewPassword => Stage::NewPassword,
        SessionStage::Enrol => Stage::Enrol,
        SessionStage::Full => Stage::Full,
    };
    // The menu's badge: only an administrator decides requests.
    let awaiting_approval = if current.is_administrator && stage == Stage::Full {
        store::operations::count_awaiting_for(
            state.db.pool(),
            current.entity_id,
            current.user_id,
            super::approval::not_lapsed_after(),
        )
        .await?
    } else {
        0
    };
    Ok(Some(SessionInfo {
        awaiting_approval,
        stage,
        first_name: current.first_name,
        last_name: current.last_name,
        entity_name: current.entity_name,
        is_administrator: current.is_administrator,
        is_auditor: current.is_auditor,
        idle_timeout_secs: state.config.idle_timeout_secs,
        entities: current.login_entities,
    }))
}

/// Seconds before the idle timeout. The middleware does not count this call as activity.
pub fn status(state: &AppState, session: Option<&session::Session>) -> SessionStatus {
    match session {
        Some(current) if current.stage == SessionStage::Full => SessionStatus {
            signed_in: true,
            remaining_secs: (state.config.idle_timeout_secs - (now() - current.last_seen_at))
                .max(0),
        },
        _ => SessionStatus {
            signed_in: false,
            remaining_secs: 0,
        },
    }
}
