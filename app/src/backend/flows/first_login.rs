//! The first login of a new user: temporary password (checked by `sign_in::login`), then a new
//! password, then a strong-authentication factor enrolled and verified on the spot. Each step is
//! a session stage; nothing else is reachable before the last one, and none can be skipped.

use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::guard::{self, Caller};
use crate::backend::security::crypto::{constant_time_eq, SecretBox};
use crate::backend::security::password::{self, NewPassword, PasswordError};
use crate::backend::session::{self, Stage as SessionStage};
use crate::backend::store::{self, Tx};
use secrecy::SecretString;
use serde_json::json;

/// Wrong entries of the e-mail code before it dies (a new temporary password is then needed).
pub const MAX_EMAIL_CODE_FAILURES: i64 = 5;

/// The e-mail code as stored: keyed by the server's secret, so the database alone cannot
/// reveal it (eight digits would be found at once from a plain hash).
pub fn email_code_hash(secrets: &SecretBox, digits: &str) -> String {
    data_encoding::HEXLOWER.encode(&secrets.keyed_hash("first-login-email-code", digits.as_bytes()))
}

/// Checks the code of the e-mail that carried the login id: the second, independent channel
/// that binds the first factor to this session (the first is the SMS's temporary password).
/// At most five wrong entries are ever evaluated, however many arrive at once.
async fn check_email_code(caller: &Caller, typed: &SecretString) -> Result<(), ApiError> {
    use secrecy::ExposeSecret as _;
    let digits = password::normalise_email_code(typed.expose_secret()).ok_or_else(|| {
        ApiError::invalid(
            "email_code",
            "Saisissez les 8 chiffres du code reçu par e-mail avec votre identifiant.",
        )
    })?;
    let stored = store::users::reserve_email_code_attempt(
        caller.state.db.pool(),
        caller.user_id(),
        MAX_EMAIL_CODE_FAILURES,
    )
    .await?
    .ok_or_else(|| {
        ApiError::invalid(
            "email_code",
            "Ce code n’est plus valable. Demandez à l’administrateur de votre entité de vous renvoyer un mot de passe provisoire.",
        )
    })?;
    if !constant_time_eq(&email_code_hash(&caller.state.secrets, &digits), &stored) {
        return Err(ApiError::invalid(
            "email_code",
            "Code incorrect. Saisissez le code à 8 chiffres de l’e-mail qui vous a donné votre identifiant.",
        ));
    }
    Ok(())
}

/// Step 2: the code received by e-mail and the new password. The temporary password was spent
/// at sign-in and cannot be reused; the password's rules are checked before the code, so that a
/// refused password does not use up one of the code's five tries.
pub async fn set_new_password(
    caller: Caller,
    email_code: SecretString,
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
        && caller
            .state
            .hashing
            .verify_stored(
                &caller.state.secrets,
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
    check_email_code(&caller, &email_code).await?;
    let hash = caller.state.hashing.hash(parsed.into_secret()).await?;
    let mut tx = caller.state.db.begin_write().await?;
    if !store::users::set_first_password(&mut tx, caller.user_id(), &hash).await? {
        return Err(ApiError::Unauthenticated);
    }
    let token = session::rotate(&mut tx, &caller.session, SessionStage::Enrol).await?;
    audit::append(
        &mut tx,
        &caller.state.secrets,
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
    let token = session::rotate_after_sca(tx, &caller.session).await?;
    store::users::set_language(&mut **tx, caller.user_id(), caller.lang).await?;
    audit::append(
        tx,
        &caller.state.secrets,
        Some(caller.entity_id()),
        Some(caller.user_id()),
        Kind::FirstLoginCompleted,
        json!({}),
    )
    .await?;
    Ok(token)
}
