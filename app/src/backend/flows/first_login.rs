//! The first login of a new user: temporary password (checked by `sign_in::login`), then a new
//! password, then a strong-authentication factor enrolled and verified on the spot. Each step is
//! a session stage; nothing else is reachable before the last one, and none can be skipped.

use super::super::audit::{self, Kind};
use super::super::db::Tx;
use super::super::guard::{self, Caller};
use super::super::password::{self, NewPassword, PasswordError};
use super::super::session::{self, Stage as SessionStage};
use crate::api::ApiError;
use serde_json::json;

/// Step 2: the new password. The temporary one was spent at sign-in and cannot be reused.
pub async fn set_new_password(
    caller: Caller,
    new_password: String,
    confirmation: String,
) -> Result<(), ApiError> {
    let login_id: String = sqlx::query_scalar("SELECT login_id FROM users WHERE id = $1")
        .bind(caller.user_id())
        .fetch_one(caller.state.db.pool())
        .await?;
    let parsed = NewPassword::parse(&new_password, &login_id, &caller.state.config.bank_name)
        .map_err(|e| ApiError::invalid("password", e.to_string()))?;
    if password::normalise(&new_password) != password::normalise(&confirmation) {
        return Err(ApiError::invalid(
            "confirmation",
            PasswordError::Mismatch.to_string(),
        ));
    }
    let temporary_hash: Option<String> =
        sqlx::query_scalar("SELECT temp_password_hash FROM users WHERE id = $1")
            .bind(caller.user_id())
            .fetch_one(caller.state.db.pool())
            .await?;
    if temporary_hash.is_some()
        && password::verify(temporary_hash, parsed.as_str().to_string()).await
    {
        return Err(ApiError::invalid(
            "password",
            PasswordError::SameAsTemporary.to_string(),
        ));
    }
    let hash = password::hash(parsed.as_str().to_string()).await;
    let mut tx = caller.state.db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE users SET password_hash = $1, temp_password_hash = NULL, \
         temp_password_expires_at = NULL, version = version + 1 WHERE id = $2 AND state = 'awaiting_first_login' \
         AND password_hash IS NULL",
    )
    .bind(hash)
    .bind(caller.user_id())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Err(ApiError::Unauthenticated);
    }
    let token = session::rotate(&mut *tx, &caller.session.token_hash, SessionStage::Enrol).await?;
    audit::append(
        &mut tx,
        Some(caller.entity_id()),
        Some(caller.user_id()),
        Kind::PasswordChanged,
        json!({ "contexte": "premiere_connexion" }),
    )
    .await?;
    tx.commit().await?;
    guard::set_cookie(&session::cookie(&token));
    Ok(())
}

/// Step 3 done (inside the enrolment's transaction): the user becomes active and the session
/// full, under a new id. Returns the new session token.
pub async fn complete(caller: &Caller, tx: &mut Tx) -> Result<String, ApiError> {
    let activated = sqlx::query(
        "UPDATE users SET state = 'active', version = version + 1 \
         WHERE id = $1 AND state = 'awaiting_first_login' AND password_hash IS NOT NULL",
    )
    .bind(caller.user_id())
    .execute(&mut **tx)
    .await?;
    if activated.rows_affected() != 1 {
        return Err(ApiError::Unauthenticated);
    }
    let token = session::rotate(&mut **tx, &caller.session.token_hash, SessionStage::Full).await?;
    audit::append(
        tx,
        Some(caller.entity_id()),
        Some(caller.user_id()),
        Kind::FirstLoginCompleted,
        json!({}),
    )
    .await?;
    Ok(token)
}
