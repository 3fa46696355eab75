//! Signing in: login id and password, then a strong-authentication factor; signing out; the
//! session's status for the idle-timeout warning.

use super::super::audit::{self, Kind};
use super::super::config::Mode;
use super::super::db::{flag, now};
use super::super::guard::{self, Caller};
use super::super::session::{self, Stage as SessionStage};
use super::super::{password, throttle, AppState, RequestFacts};
use super::sca;
use crate::api::types::{SessionInfo, SessionStatus, Stage};
use crate::api::ApiError;
use model::{LoginId, TotpCode};
use serde_json::json;
use sqlx::Row;
use webauthn_rs::prelude::{PublicKeyCredential, RequestChallengeResponse};

/// What sign-in needs to know about an account.
struct Account {
    id: i64,
    entity_id: i64,
    state: String,
    password_hash: Option<String>,
    temp_password_hash: Option<String>,
    temp_password_expires_at: Option<i64>,
    temp_password_used: bool,
    password_locked_until: Option<i64>,
    is_demo: bool,
}

impl Account {
    /// The hash to check the typed password against, if the account may sign in at all.
    fn hash_to_check(&self, now: i64, mode: Mode) -> Option<String> {
        if self.is_demo && mode == Mode::Production {
            return None;
        }
        if self.password_locked_until.is_some_and(|until| until > now) {
            return None;
        }
        match self.state.as_str() {
            "active" => self.password_hash.clone(),
            // First login: the temporary password until it is used or expires; after the new
            // password is set (and before a factor is enrolled), the new password.
            "awaiting_first_login" => match (&self.password_hash, &self.temp_password_hash) {
                (Some(hash), _) => Some(hash.clone()),
                (None, Some(temp))
                    if !self.temp_password_used
                        && self.temp_password_expires_at.is_some_and(|t| t > now) =>
                {
                    Some(temp.clone())
                }
                _ => None,
            },
            _ => None,
        }
    }
}

async fn account(state: &AppState, login_id: &LoginId) -> Result<Option<Account>, ApiError> {
    let row = sqlx::query(
        "SELECT id, entity_id, state, password_hash, temp_password_hash, \
         temp_password_expires_at, temp_password_used_at, password_locked_until, is_demo \
         FROM users WHERE login_id = $1",
    )
    .bind(login_id.as_str())
    .fetch_optional(state.db.pool())
    .await?;
    row.map(|row| {
        Ok(Account {
            id: row.try_get("id")?,
            entity_id: row.try_get("entity_id")?,
            state: row.try_get("state")?,
            password_hash: row.try_get("password_hash")?,
            temp_password_hash: row.try_get("temp_password_hash")?,
            temp_password_expires_at: row.try_get("temp_password_expires_at")?,
            temp_password_used: row
                .try_get::<Option<i64>, _>("temp_password_used_at")?
                .is_some(),
            password_locked_until: row.try_get("password_locked_until")?,
            is_demo: flag(&row, "is_demo")?,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| e.into())
}

/// Checks the login id and password. Unknown id, wrong password, locked or blocked account:
/// the same answer after the same work (one Argon2id verification each).
pub async fn login(
    state: AppState,
    facts: RequestFacts,
    login_id: String,
    password: String,
) -> Result<Stage, ApiError> {
    if !throttle::ip_allows(&state.db, &facts.client_ip).await? {
        password::verify(None, password).await;
        return Err(ApiError::TooManyAttempts);
    }
    let account = match LoginId::parse(&login_id) {
        Ok(login_id) => account(&state, &login_id).await?,
        Err(_) => None,
    };
    let now = now();
    let hash = account
        .as_ref()
        .and_then(|a| a.hash_to_check(now, state.config.mode));
    let valid = password::verify(hash, password).await;
    let account = match account {
        Some(account) if valid => account,
        other => {
            throttle::record_ip_failure(&state.db, &facts.client_ip).await?;
            if let Some(account) = other {
                throttle::record_password_failure(&state.db, account.id).await?;
            }
            return Err(ApiError::LoginFailed);
        }
    };
    throttle::reset_password_failures(&state.db, account.id).await?;

    let (stage, next) = if account.state == "awaiting_first_login" {
        if account.password_hash.is_some() {
            (SessionStage::Enrol, Stage::Enrol)
        } else {
            // The temporary password is single use: spent by this successful sign-in (its hash
            // stays until the new password is set, to refuse the same password).
            let spent = sqlx::query(
                "UPDATE users SET temp_password_used_at = $1 \
                 WHERE id = $2 AND temp_password_used_at IS NULL",
            )
            .bind(now)
            .bind(account.id)
            .execute(state.db.pool())
            .await?;
            if spent.rows_affected() != 1 {
                return Err(ApiError::LoginFailed);
            }
            (SessionStage::NewPassword, Stage::NewPassword)
        }
    } else {
        let (has_passkey, has_totp) = sca::factors(&state, account.id).await?;
        (
            SessionStage::Sca,
            Stage::Sca {
                has_passkey,
                has_totp,
            },
        )
    };
    // A new session id at every sign-in; an earlier session of this browser ends.
    if let Some(previous) = &facts.session {
        session::delete(state.db.pool(), &previous.token_hash).await?;
    }
    let token = session::create(state.db.pool(), account.id, account.entity_id, stage).await?;
    guard::set_cookie(&session::cookie(&token));
    Ok(next)
}

/// Second step with a TOTP code.
pub async fn totp(caller: Caller, code: String) -> Result<(), ApiError> {
    let code = TotpCode::parse(&code).map_err(|e| ApiError::invalid("code", e.to_string()))?;
    sca::check_totp(&caller.state, caller.user_id(), caller.entity_id(), code).await?;
    complete(&caller, "totp").await
}

/// Second step with a passkey: the challenge. Its state stays in the session.
pub async fn passkey_start(caller: Caller) -> Result<RequestChallengeResponse, ApiError> {
    let (challenge, state) = sca::passkey_challenge(&caller.state, caller.user_id()).await?;
    session::put_ceremony(
        &caller.state.db,
        &caller.session.token_hash,
        "passkey_login",
        &state,
    )
    .await?;
    Ok(challenge)
}

/// Second step with a passkey: the assertion.
pub async fn passkey_finish(caller: Caller, response: PublicKeyCredential) -> Result<(), ApiError> {
    let state = session::take_ceremony(
        &caller.state.db,
        &caller.session.token_hash,
        "passkey_login",
    )
    .await?
    .ok_or_else(|| {
        ApiError::invalid(
            "factor",
            "La demande d’authentification a expiré : recommencez.",
        )
    })?;
    sca::check_passkey(
        &caller.state,
        caller.user_id(),
        caller.entity_id(),
        &response,
        &state,
    )
    .await?;
    complete(&caller, "cle_d_acces").await
}

/// Both factors passed: a new session id, full access, and an audit event.
async fn complete(caller: &Caller, factor: &str) -> Result<(), ApiError> {
    let mut tx = caller.state.db.begin_write().await?;
    let token = session::rotate(&mut *tx, &caller.session.token_hash, SessionStage::Full).await?;
    audit::append(
        &mut tx,
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

/// Ends the session of this browser, whatever its stage.
pub async fn logout(state: AppState, facts: RequestFacts) -> Result<(), ApiError> {
    if let Some(current) = facts.session {
        session::delete(state.db.pool(), &current.token_hash).await?;
    }
    guard::set_cookie(&session::clear_cookie());
    Ok(())
}

/// Who is signed in and how far, or `None`.
pub async fn info(state: AppState, facts: RequestFacts) -> Result<Option<SessionInfo>, ApiError> {
    let Some(current) = facts.session else {
        return Ok(None);
    };
    let Some(user) =
        super::super::directory::user(state.db.pool(), current.entity_id, current.user_id).await?
    else {
        return Ok(None);
    };
    let entity_name: String = sqlx::query_scalar("SELECT name FROM entities WHERE id = $1")
        .bind(current.entity_id)
        .fetch_one(state.db.pool())
        .await?;
    let stage = match current.stage {
        SessionStage::Sca => {
            let (has_passkey, has_totp) = sca::factors(&state, current.user_id).await?;
            Stage::Sca {
                has_passkey,
                has_totp,
            }
        }
        SessionStage::NewPassword => Stage::NewPassword,
        SessionStage::Enrol => Stage::Enrol,
        SessionStage::Full => Stage::Full,
    };
    Ok(Some(SessionInfo {
        stage,
        first_name: user.first_name,
        last_name: user.last_name,
        entity_name,
        is_administrator: current.is_administrator,
        idle_timeout_secs: state.config.idle_timeout_secs,
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
