//! Strong customer authentication, shared by sign-in and by the validation of operations.
//!
//! A failure never says which element was wrong; five failures in a row block the user and end
//! their sessions; the fourth warns that the next one blocks. A TOTP code is accepted once.
//!
//! Factors and counters belong to the login, which for a person of a group of entities lives on
//! their user row of another entity: they are read and written across entities on purpose
//! ([`store::unscoped`]), by the login's row id only.

use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::guard;
use crate::backend::security::throttle::MAX_SCA_FAILURES;
use crate::backend::security::{passkey, totp};
use crate::backend::store::{self, factors::Enrolled, now};
use crate::backend::{session, AppState};
use model::TotpCode;
use serde_json::json;
use webauthn_rs::prelude::{Passkey, PublicKeyCredential, RequestChallengeResponse};

pub const TOTP_PURPOSE: &str = "totp";

/// Who authenticates: their user row in the entity they work in, and the row holding the login
/// they signed in with (the same row, or theirs in another entity of their group).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signer {
    pub user_id: i64,
    pub entity_id: i64,
    pub login_user_id: i64,
}

/// The factors a login has enrolled (`login_user_id`: the row holding it).
pub async fn factors(state: &AppState, login_user_id: i64) -> Result<Enrolled, ApiError> {
    Ok(store::unscoped(store::factors::enrolled(state.db.pool(), login_user_id)).await?)
}

/// Checks a TOTP code. A wrong code, a code already used and a code without an enrolled secret
/// get the same answer and count the same: the answer never confirms a guess.
pub async fn check_totp(state: &AppState, signer: &Signer, code: TotpCode) -> Result<(), ApiError> {
    store::unscoped(check_totp_of_login(state, signer, code)).await
}

async fn check_totp_of_login(
    state: &AppState,
    signer: &Signer,
    code: TotpCode,
) -> Result<(), ApiError> {
    let user_id = signer.login_user_id;
    let attempt = reserve_attempt(state, user_id).await?;
    let stored = store::users::totp_state(state.db.pool(), user_id).await?;
    let check = match stored.totp_secret {
        Some(sealed) => {
            let secret = state.secrets.open(TOTP_PURPOSE, &sealed)?;
            totp::check(&secret, &String::from(code), now(), stored.totp_last_step)
        }
        None => {
            tracing::info!(user_id, "TOTP attempted without an enrolled secret");
            totp::TotpCheck::Invalid
        }
    };
    let reason = match check {
        totp::TotpCheck::Accepted { step } => {
            // Accepting the step restarts the count of failures, in the same statement.
            if store::users::accept_totp_step(state.db.pool(), user_id, step).await? {
                return Ok(());
            }
            // Another request accepted the same code a moment earlier.
            Failure::Replayed
        }
        totp::TotpCheck::Replayed => Failure::Replayed,
        totp::TotpCheck::Invalid => Failure::Wrong,
    };
    Err(failure(state, signer, "totp", attempt, reason).await?)
}

/// Loads a login's passkeys, with their row ids.
pub async fn passkeys(
    state: &AppState,
    login_user_id: i64,
) -> Result<Vec<(i64, Passkey)>, ApiError> {
    store::unscoped(store::factors::passkeys(state.db.pool(), login_user_id))
        .await?
        .into_iter()
        .map(|stored| {
            let passkey = serde_json::from_str(&stored.passkey).map_err(|_| {
                tracing::error!(passkey_id = stored.id, "stored passkey unreadable");
                ApiError::Internal
            })?;
            Ok((stored.id, passkey))
        })
        .collect()
}

/// Starts a passkey assertion; the returned state must stay on the server.
pub async fn passkey_challenge(
    state: &AppState,
    user_id: i64,
) -> Result<(RequestChallengeResponse, String), ApiError> {
    let keys: Vec<Passkey> = passkeys(state, user_id)
        .await?
        .into_iter()
        .map(|(_, key)| key)
        .collect();
    if keys.is_empty() {
        return Err(ApiError::invalid(
            "factor",
            "Aucune clé d’accès n’est enregistrée pour votre compte.",
        ));
    }
    Ok(passkey::start_authentication(&state.webauthn, &keys)?)
}

/// Verifies a passkey assertion against the state of its challenge.
pub async fn check_passkey(
    state: &AppState,
    signer: &Signer,
    response: &PublicKeyCredential,
    challenge_state: &str,
) -> Result<(), ApiError> {
    store::unscoped(check_passkey_of_login(
        state,
        signer,
        response,
        challenge_state,
    ))
    .await
}

async fn check_passkey_of_login(
    state: &AppState,
    signer: &Signer,
    response: &PublicKeyCredential,
    challenge_state: &str,
) -> Result<(), ApiError> {
    let user_id = signer.login_user_id;
    let attempt = reserve_attempt(state, user_id).await?;
    let (ids, mut keys): (Vec<i64>, Vec<Passkey>) =
        passkeys(state, user_id).await?.into_iter().unzip();
    match passkey::finish_authentication(&state.webauthn, response, challenge_state, &mut keys) {
        Ok(used) => {
            for (id, key) in ids.iter().zip(&keys) {
                if key.cred_id() == &used {
                    let text = serde_json::to_string(key)?;
                    store::factors::record_use(state.db.pool(), *id, &text, now()).await?;
                }
            }
            store::users::reset_sca_failures(state.db.pool(), user_id).await?;
            Ok(())
        }
        Err(error) => {
            tracing::info!(user_id, %error, "passkey assertion refused");
            Err(failure(state, signer, "cle_d_acces", attempt, Failure::Wrong).await?)
        }
    }
}

/// Why a strong authentication failed (recorded in the trail, never told to the client).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Wrong,
    /// A code (or assertion) already accepted once, presented again.
    Replayed,
}

/// Takes one of the five attempts before a factor is evaluated, in one statement: however many
/// attempts arrive at once, at most five are ever evaluated before the block. Returns the
/// attempt's number (1 to 5); beyond that, the answer of a last failure, without evaluating.
async fn reserve_attempt(state: &AppState, user_id: i64) -> Result<i64, ApiError> {
    store::users::reserve_sca_attempt(state.db.pool(), user_id, MAX_SCA_FAILURES)
        .await?
        .ok_or(ApiError::ScaFailed { remaining: 0 })
}

/// Records a failed strong authentication (its attempt was counted by [`reserve_attempt`]); when
/// the count in a row reaches five (a success in between resets it), the login is blocked and
/// its sessions end, in every entity it reaches. Returns the error to answer.
async fn failure(
    state: &AppState,
    signer: &Signer,
    factor: &str,
    attempt: i64,
    reason: Failure,
) -> Result<ApiError, ApiError> {
    let (user_id, entity_id) = (signer.user_id, signer.entity_id);
    let mut tx = state.db.begin_write().await?;
    let failures = store::users::sca_failures(&mut tx, signer.login_user_id).await?;
    audit::append(
        &mut tx,
        &state.secrets,
        Some(entity_id),
        Some(user_id),
        Kind::ScaFailed,
        json!({
            "facteur": factor,
            "tentative": attempt,
            "echecs_consecutifs": failures,
            "motif": match reason {
                Failure::Wrong => "incorrect",
                Failure::Replayed => "deja_utilise",
            },
        }),
    )
    .await?;
    let answer = if failures >= MAX_SCA_FAILURES {
        if store::users::block(&mut tx, signer.login_user_id).await? {
            store::sessions::delete_all_for_login(&mut *tx, signer.login_user_id).await?;
            audit::append(
                &mut tx,
                &state.secrets,
                Some(entity_id),
                Some(user_id),
                Kind::UserBlocked,
                json!({ "raison": "5 échecs consécutifs d'authentification forte" }),
            )
            .await?;
        }
        guard::set_cookie(&session::clear_cookie());
        ApiError::Blocked
    } else {
        ApiError::ScaFailed {
            remaining: (MAX_SCA_FAILURES - failures).max(1) as u32,
        }
    };
    tx.commit().await?;
    Ok(answer)
}
