//! The browser side of passkey ceremonies: hands the server's challenge to
//! `navigator.credentials` and returns the authenticator's answer. The conversions between
//! `web-sys` and the webauthn protocol types come from `webauthn-rs-proto`'s `wasm` feature.

use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

/// Why the browser did not produce a credential (cancelled, no authenticator, timeout…).
pub const CANCELLED: &str =
    "La clé d’accès n’a pas été utilisée (opération annulée ou aucune clé disponible). Vous pouvez réessayer.";

#[cfg(feature = "hydrate")]
fn credentials() -> Result<web_sys::CredentialsContainer, String> {
    web_sys::window()
        .map(|w| w.navigator().credentials())
        .ok_or_else(|| CANCELLED.to_string())
}

/// Registers a new passkey.
#[cfg(feature = "hydrate")]
pub async fn create(
    challenge: CreationChallengeResponse,
) -> Result<RegisterPublicKeyCredential, String> {
    use wasm_bindgen_futures::JsFuture;
    let options: web_sys::CredentialCreationOptions = challenge.into();
    let promise = credentials()?
        .create_with_options(&options)
        .map_err(|_| CANCELLED.to_string())?;
    let credential = JsFuture::from(promise)
        .await
        .map_err(|_| CANCELLED.to_string())?;
    Ok(RegisterPublicKeyCredential::from(
        web_sys::PublicKeyCredential::from(credential),
    ))
}

/// Signs a challenge with an existing passkey.
#[cfg(feature = "hydrate")]
pub async fn get(challenge: RequestChallengeResponse) -> Result<PublicKeyCredential, String> {
    use wasm_bindgen_futures::JsFuture;
    let options: web_sys::CredentialRequestOptions = challenge.into();
    let promise = credentials()?
        .get_with_options(&options)
        .map_err(|_| CANCELLED.to_string())?;
    let credential = JsFuture::from(promise)
        .await
        .map_err(|_| CANCELLED.to_string())?;
    Ok(PublicKeyCredential::from(
        web_sys::PublicKeyCredential::from(credential),
    ))
}

// On the server, ceremonies never run: buttons only act once hydrated.
#[cfg(not(feature = "hydrate"))]
pub async fn create(_: CreationChallengeResponse) -> Result<RegisterPublicKeyCredential, String> {
    Err(CANCELLED.to_string())
}

#[cfg(not(feature = "hydrate"))]
pub async fn get(_: RequestChallengeResponse) -> Result<PublicKeyCredential, String> {
    Err(CANCELLED.to_string())
}
