//! Strong customer authentication, shared by sign-in and by the validation of operations.
//!
//! A failure never says which element was wrong; five failures in a row block the user and end
//! their sessions; the fourth warns that the next one blocks. A TOTP code is accepted once.

use super::super::audit::{self, Kind};
use super::super::db::now;
use super::super::throttle::MAX_SCA_FAILURES;
use super::super::{passkey, session, totp, AppState};
use crate::api::ApiError;
use model::TotpCode;
use serde_json::json;
use sqlx::Row;
use webauthn_rs::prelude::{Passkey, PublicKeyCredential, RequestChallengeResponse};

/// The factors a user has enrolled.
pub async fn factors(state: &AppState, user_id: i64) -> Result<(bool, bool), ApiError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM passkeys WHERE user_id = $1) AS passkeys, \
                (SELECT COUNT(*) FROM users WHERE id = $1 AND totp_secret IS NOT NULL) AS totp",
    )
    .bind(user_id)
    .fetch_one(state.db.pool())
    .await?;
    Ok((
        row.try_get::<i64, _>("passkeys")? > 0,
        row.try_get::<i64, _>("totp")? > 0,
    ))
}

/// Checks a TOTP code for a user.
pub async fn check_totp(
    state: &AppState,
    user_id: i64,
    entity_id: i64,
    code: TotpCode,
) -> Result<(), ApiError> {
    let row = sqlx::query("SELECT totp_secret, totp_last_step FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(state.db.pool())
        .await?;
    let sealed: Option<String> = row.try_get("totp_secret")?;
    let last_step: Option<i64> = row.try_get("totp_last_step")?;
    let secret = sealed
        .and_then(|s| state.secrets.open("totp", &s).ok())
        .ok_or_else(|| {
            // No TOTP enrolled: a failure like any other, without saying why.
            tracing::info!(user_id, "TOTP attempted without an enrolled secret");
        });
    let check = match &secret {
        Ok(secret) => totp::check(secret, code.value(), now(), last_step),
        Err(()) => totp::TotpCheck::Invalid,
    };
    match check {
        totp::TotpCheck::Accepted { step } => {
            // Recording the step is the atomic "use once": of two requests with the same code,
            // only one moves the step forward.
            let result = sqlx::query(
                "UPDATE users SET totp_last_step = $1, failed_sca_count = 0 \
                 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            )
            .bind(step)
            .bind(user_id)
            .execute(state.db.pool())
            .await?;
            if result.rows_affected() == 1 {
                Ok(())
            } else {
                Err(ApiError::CodeAlreadyUsed)
            }
        }
        totp::TotpCheck::Replayed => Err(ApiError::CodeAlreadyUsed),
        totp::TotpCheck::Invalid => Err(failure(state, user_id, entity_id, "totp").await?),
    }
}

/// Loads a user's passkeys.
pub async fn passkeys(state: &AppState, user_id: i64) -> Result<Vec<(i64, Passkey)>, ApiError> {
    let rows = sqlx::query("SELECT id, passkey FROM passkeys WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(state.db.pool())
        .await?;
    rows.into_iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let text: String = row.try_get("passkey")?;
            let passkey = serde_json::from_str(&text).map_err(|_| {
                tracing::error!(passkey_id = id, "stored passkey unreadable");
                ApiError::Internal
            })?;
            Ok((id, passkey))
        })
        .collect()
}

/// Starts a passkey assertion; the returned state must stay on the server.
pub async fn passkey_challenge(
    state: &AppState,
    user_id: i64,
) -> Result<(RequestChallengeResponse, String), ApiError> {
    let stored = passkeys(state, user_id).await?;
    if stored.is_empty() {
        return Err(ApiError::invalid(
            "factor",
            "Aucune clé d’accès n’est enregistrée pour votre compte.",
        ));
    }
    let keys: Vec<Passkey> = stored.into_iter().map(|(_, p)| p).collect();
    Ok(passkey::start_authentication(&state.webauthn, &keys)?)
}

/// Verifies a passkey assertion against the state of its challenge.
pub async fn check_passkey(
    state: &AppState,
    user_id: i64,
    entity_id: i64,
    response: &PublicKeyCredential,
    challenge_state: &str,
) -> Result<(), ApiError> {
    let stored = passkeys(state, user_id).await?;
    let (ids, mut keys): (Vec<i64>, Vec<Passkey>) = stored.into_iter().unzip();
    match passkey::finish_authentication(&state.webauthn, response, challenge_state, &mut keys) {
        Ok(used) => {
            for (id, key) in ids.iter().zip(&keys) {
                if key.cred_id() == &used {
                    let text = serde_json::to_string(key).map_err(|_| ApiError::Internal)?;
                    sqlx::query(
                        "UPDATE passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3",
                    )
                    .bind(text)
                    .bind(now())
                    .bind(id)
                    .execute(state.db.pool())
                    .await?;
                }
            }
            sqlx::query("UPDATE users SET failed_sca_count = 0 WHERE id = $1")
                .bind(user_id)
                .execute(state.db.pool())
                .await?;
            Ok(())
        }
        Err(error) => {
            tracing::info!(user_id, %error, "passkey assertion refused");
            Err(failure(state, user_id, entity_id, "cle_d_acces").await?)
        }
    }
}

/// Counts a failed strong authentication; the fifth in a row blocks the user and ends their
/// sessions. Returns the error to answer.
pub async fn failure(
    state: &AppState,
    user_id: i64,
    entity_id: i64,
    factor: &str,
) -> Result<ApiError, ApiError> {
    let mut tx = state.db.begin_write().await?;
    let failures: i64 = sqlx::query_scalar(
        "UPDATE users SET failed_sca_count = failed_sca_count + 1 WHERE id = $1 \
         RETURNING failed_sca_count",
    )
    .bind(user_id)
    .fetch_one(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        Some(entity_id),
        Some(user_id),
        Kind::ScaFailed,
        json!({ "facteur": factor, "echecs_consecutifs": failures }),
    )
    .await?;
    let answer = if failures >= MAX_SCA_FAILURES {
        sqlx::query("UPDATE users SET state = 'blocked' WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        session::delete_all_for_user(&mut *tx, user_id).await?;
        audit::append(
            &mut tx,
            Some(entity_id),
            Some(user_id),
            Kind::UserBlocked,
            json!({ "raison": "5 échecs consécutifs d'authentification forte" }),
        )
        .await?;
        guard_clear_cookie();
        ApiError::Blocked
    } else {
        ApiError::ScaFailed {
            remaining: (MAX_SCA_FAILURES - failures) as u32,
        }
    };
    tx.commit().await?;
    Ok(answer)
}

fn guard_clear_cookie() {
    super::super::guard::set_cookie(&session::clear_cookie());
}
