//! Passkeys (WebAuthn) with webauthn-rs: user verification is required for registration and
//! authentication, and the ceremony state stays on the server (in the session or the pending
//! operation), never in the browser.

use webauthn_rs::prelude::{
    CreationChallengeResponse, CredentialID, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Url, Uuid,
    Webauthn, WebauthnBuilder,
};

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error("webauthn configuration: {0}")]
    Config(String),
    #[error("webauthn ceremony failed: {0}")]
    Ceremony(String),
    #[error("stored passkey state unreadable")]
    State,
}

/// Builds the relying party for the public origin (`http://localhost:3000` locally,
/// `https://banque.example` in production). Passkeys are bound to its host name.
pub fn relying_party(public_url: &str, bank_name: &str) -> Result<Webauthn, PasskeyError> {
    let origin = Url::parse(public_url).map_err(|e| PasskeyError::Config(e.to_string()))?;
    let rp_id = origin
        .domain()
        .ok_or_else(|| {
            PasskeyError::Config(format!(
                "{public_url} has no host name: passkeys need one (use localhost, not 127.0.0.1)"
            ))
        })?
        .to_string();
    WebauthnBuilder::new(&rp_id, &origin)
        .and_then(|builder| builder.rp_name(bank_name).build())
        .map_err(|e| PasskeyError::Config(e.to_string()))
}

/// The opaque user handle a passkey stores: derived from the user id with a keyed hash, so it
/// reveals nothing and is stable.
pub fn user_handle(keyed_hash: [u8; 32]) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&keyed_hash[..16]);
    Uuid::from_bytes(bytes)
}

pub fn start_registration(
    webauthn: &Webauthn,
    handle: Uuid,
    login_id: &str,
    display_name: &str,
    existing: &[Passkey],
) -> Result<(CreationChallengeResponse, String), PasskeyError> {
    let exclude: Vec<CredentialID> = existing.iter().map(|p| p.cred_id().clone()).collect();
    let (challenge, state) = webauthn
        .start_passkey_registration(handle, login_id, display_name, Some(exclude))
        .map_err(|e| PasskeyError::Ceremony(e.to_string()))?;
    let state = serde_json::to_string(&state).map_err(|_| PasskeyError::State)?;
    Ok((challenge, state))
}

pub fn finish_registration(
    webauthn: &Webauthn,
    response: &RegisterPublicKeyCredential,
    state: &str,
) -> Result<Passkey, PasskeyError> {
    let state: PasskeyRegistration =
        serde_json::from_str(state).map_err(|_| PasskeyError::State)?;
    webauthn
        .finish_passkey_registration(response, &state)
        .map_err(|e| PasskeyError::Ceremony(e.to_string()))
}

pub fn start_authentication(
    webauthn: &Webauthn,
    passkeys: &[Passkey],
) -> Result<(RequestChallengeResponse, String), PasskeyError> {
    let (challenge, state) = webauthn
        .start_passkey_authentication(passkeys)
        .map_err(|e| PasskeyError::Ceremony(e.to_string()))?;
    let state = serde_json::to_string(&state).map_err(|_| PasskeyError::State)?;
    Ok((challenge, state))
}

/// Verifies an assertion and returns the id of the credential used, after updating its counter
/// in `passkeys`.
pub fn finish_authentication(
    webauthn: &Webauthn,
    response: &PublicKeyCredential,
    state: &str,
    passkeys: &mut [Passkey],
) -> Result<CredentialID, PasskeyError> {
    let state: PasskeyAuthentication =
        serde_json::from_str(state).map_err(|_| PasskeyError::State)?;
    let result = webauthn
        .finish_passkey_authentication(response, &state)
        .map_err(|e| PasskeyError::Ceremony(e.to_string()))?;
    if !result.user_verified() {
        return Err(PasskeyError::Ceremony("user not verified".into()));
    }
    for passkey in passkeys.iter_mut() {
        passkey.update_credential(&result);
    }
    Ok(result.cred_id().clone())
}

/// The stable text form of a credential id, for the unique column.
pub fn credential_key(id: &CredentialID) -> String {
    data_encoding::BASE64URL_NOPAD.encode(id.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_works_and_an_ip_address_is_refused_with_a_reason() {
        assert!(relying_party("http://localhost:3000", "Banque Exemple").is_ok());
        let error = relying_party("http://127.0.0.1:3000", "Banque Exemple").unwrap_err();
        assert!(error.to_string().contains("localhost"));
    }
}
