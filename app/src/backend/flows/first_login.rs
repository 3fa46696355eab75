//! The first login of a new user: temporary password (checked by `sign_in::login`), then a new
//! password, then a strong-authentication factor enrolled and verified on the spot. Each step is
//! a session stage; nothing else is reachable before the last one, and none can be skipped.

use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::guard::{self, Caller};
use crate::backend::security::password::{self, NewPassword, PasswordError};
use crate::backend::session::{self, Stage as SessionStage};
use crate::backend::store::{self, Tx};
use secrecy::SecretString;
use serde_json::json;

/// Step 2: the new password. The temporary one was spent at sign-in and cannot be reused.
pub async fn set_new_password(
    caller: Caller,
    new_password: SecretString,
    confirmation: SecretString,
) -> Result<(), ApiError> {
    use secrecy::ExposeSecret as _;
    let facts = store::users::first_login_facts(caller.state.db.pool(), caller.user_id()).await?;
    let parsed = NewPassword::parse(
        new_password.expose_secret(),
        &facts.login_id,
        &caller.state.config.bank_name,
    )
    .map_err(|e| ApiError::invalid("password", e.to_string()))?;
    if parsed.expose() != password::normalise(confirmation.expose_secret()) {
        return Err(ApiError::invalid(
            "confirmation",
            PasswordError::Mismatch.to_string(),
        ));
    }
    if facts.temp_password_hash.is_some()
        && password::verify(
            facts.temp_password_hash,
            SecretString::from(parsed.expose().to_string()),
        )
        .await?
    {
        return Err(ApiError::invalid(
            "password",
            PasswordError::SameAsTemporary.to_string(),
        ));
    }
    let hash = password::hash(parsed.into_secret()).await?;
    let mut tx = caller.state.db.begin_write().await?;
    if !store::users::set_first_password(&mut tx, caller.user_id(), &hash).await? {
        return Err(ApiError::Unauthenticated);
    }
    let token = session::rotate(&mut tx, &caller.session, SessionStage::Enrol).await?;
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
    if !store::users::activate(tx, caller.user_id()).await? {
        return Err(ApiError::Unauthenticated);
    }
    let token = session::rotate(tx, &caller.session, SessionStage::Full).await?;
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
