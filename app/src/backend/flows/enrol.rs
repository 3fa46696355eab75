//! Enrolling a strong-authentication factor, verified on the spot: a TOTP secret counts once a
//! code from it is checked, a passkey once its registration is verified. Used at first login
//! (stage `Enrol`) and from the security page of a signed-in user.

use super::sca::{self, TOTP_PURPOSE};
use super::{first_login, sign_in::CHALLENGE_LIFETIME_SECS};
use crate::api::types::TotpEnrolment;
use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::delivery::messages::{self, Factor};
use crate::backend::delivery::{self, Message, MessageChannel};
use crate::backend::guard::{self, Caller};
use crate::backend::security::{crypto, passkey, totp};
use crate::backend::session::Stage as SessionStage;
use crate::backend::store::ceremonies::{self, CeremonyKind};
use crate::backend::store::factors::NewPasskey;
use crate::backend::store::{self, now, Tx};
use model::TotpCode;
use secrecy::SecretString;
use serde_json::json;
use webauthn_rs::prelude::{CreationChallengeResponse, RegisterPublicKeyCredential};

/// How long an enrolment may take between its start and its verification.
const ENROLMENT_LIFETIME_SECS: i64 = 15 * 60;

/// In a signed-in session, a factor is added only right after a strong authentication with an
/// existing one (the sign-in, or « Confirmer mon identité »): a session left open on a shared
/// computer cannot be used to add someone else's factor.
fn require_fresh_sca(caller: &Caller) -> Result<(), ApiError> {
    if caller.session.stage == SessionStage::Full && !caller.session.has_fresh_sca(now()) {
        return Err(ApiError::FreshScaRequired);
    }
    Ok(())
}

/// Queues the e-mail telling the user that a factor was added (inside the enrolment's
/// transaction): if it was not them, they know at once.
async fn tell_user(caller: &Caller, tx: &mut Tx, factor: Factor) -> Result<(), ApiError> {
    let user = store::users::find(&mut **tx, caller.entity_id(), caller.user_id())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let email = messages::factor_added_email(&caller.state.config.bank_name, factor, user.language);
    delivery::enqueue(
        tx,
        &caller.state.secrets,
        Message {
            entity_id: caller.entity_id(),
            channel: MessageChannel::Email,
            recipient: &user.email,
            subject: &email.subject,
            body: &SecretString::from(email.body),
        },
    )
    .await?;
    Ok(())
}

/// A person of a group of entities keeps one login, held by their user row of the entity where
/// they were first a user: factors are added there (the other entities only read them).
fn require_own_login(caller: &Caller) -> Result<(), ApiError> {
    if caller.session.login_user_id != caller.user_id() {
        return Err(ApiError::Conflict(LOGIN_KEPT_ELSEWHERE.into()));
    }
    Ok(())
}

pub const LOGIN_KEPT_ELSEWHERE: &str = "Vos moyens d’authentification se gèrent depuis l’entité où vous avez été créé en premier : passez-y avec « Changer d’entité ».";

fn already_enrolled() -> ApiError {
    ApiError::Conflict(
        "Une application d’authentification est déjà enregistrée pour votre compte.".into(),
    )
}

/// Starts TOTP enrolment: a fresh 160-bit secret, kept sealed in the session until verified.
pub async fn totp_start(caller: Caller) -> Result<TotpEnrolment, ApiError> {
    require_own_login(&caller)?;
    require_fresh_sca(&caller)?;
    if sca::factors(&caller.state, caller.user_id())
        .await?
        .has_totp()
    {
        return Err(already_enrolled());
    }
    let secret = crypto::random_bytes::<{ totp::SECRET_BYTES }>();
    ceremonies::put(
        caller.state.db.pool(),
        caller.session.id,
        CeremonyKind::TotpEnrolment,
        None,
        &caller.state.secrets.seal(TOTP_PURPOSE, &secret)?,
        now(),
    )
    .await?;
    enrolment(&caller, &secret).await
}

/// The enrolment in progress in the session (a reload shows the same secret).
pub async fn totp_in_progress(caller: Caller) -> Result<Option<TotpEnrolment>, ApiError> {
    let sealed = ceremonies::peek(
        caller.state.db.pool(),
        caller.session.id,
        CeremonyKind::TotpEnrolment,
        now() - ENROLMENT_LIFETIME_SECS,
    )
    .await?;
    match sealed {
        Some(sealed) => {
            let secret = caller.state.secrets.open(TOTP_PURPOSE, &sealed)?;
            Ok(Some(enrolment(&caller, &secret).await?))
        }
        None => Ok(None),
    }
}

/// What the user types or scans: the secret by four characters, its URI and QR code.
async fn enrolment(caller: &Caller, secret: &[u8]) -> Result<TotpEnrolment, ApiError> {
    let user = store::users::find(caller.state.db.pool(), caller.entity_id(), caller.user_id())
        .await?
        .ok_or(ApiError::NotFound)?;
    let encoded = totp::base32_encode(secret);
    let uri = totp::otpauth_uri(secret, &user.login_id, &caller.state.config.bank_name);
    Ok(TotpEnrolment {
        secret: encoded
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
        qr_image: qr_image(&uri)?,
        uri,
    })
}

/// The URI as a QR code: an SVG image as a `data:` URI.
fn qr_image(uri: &str) -> Result<String, ApiError> {
    use qrcode::render::svg;
    let code =
        qrcode::QrCode::with_error_correction_level(uri, qrcode::EcLevel::M).map_err(|e| {
            tracing::error!(%e, "QR code");
            ApiError::Internal
        })?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        data_encoding::BASE64.encode(svg.as_bytes())
    ))
}

/// Finishes TOTP enrolment with a code from the new secret.
pub async fn totp_finish(caller: Caller, code: String) -> Result<bool, ApiError> {
    require_fresh_sca(&caller)?;
    let code = TotpCode::parse(&code).map_err(|e| ApiError::invalid("code", e.to_string()))?;
    let sealed = ceremonies::peek(
        caller.state.db.pool(),
        caller.session.id,
        CeremonyKind::TotpEnrolment,
        now() - ENROLMENT_LIFETIME_SECS,
    )
    .await?
    .ok_or_else(|| ApiError::invalid("code", "L’enregistrement a expiré : recommencez."))?;
    let secret = caller.state.secrets.open(TOTP_PURPOSE, &sealed)?;
    let totp::TotpCheck::Accepted { step } = totp::check(&secret, &String::from(code), now(), None)
    else {
        return Err(ApiError::invalid(
            "code",
            "Ce code ne correspond pas. Vérifiez que l’heure de votre téléphone est exacte et saisissez le code affiché.",
        ));
    };
    let mut tx = caller.state.db.begin_write().await?;
    if !store::users::store_totp_secret(&mut tx, caller.user_id(), &sealed, step).await? {
        return Err(already_enrolled());
    }
    audit::append(
        &mut tx,
        &caller.state.secrets,
        Some(caller.entity_id()),
        Some(caller.user_id()),
        Kind::FactorEnrolled,
        json!({ "facteur": "totp" }),
    )
    .await?;
    tell_user(&caller, &mut tx, Factor::AuthenticatorApp).await?;
    let completes_first_login = caller.session.stage == SessionStage::Enrol;
    let new_token = if completes_first_login {
        Some(first_login::complete(&caller, &mut tx).await?)
    } else {
        ceremonies::clear(&mut *tx, caller.session.id, CeremonyKind::TotpEnrolment).await?;
        None
    };
    tx.commit().await?;
    caller.state.outbox_wake.notify_one();
    if let Some(token) = new_token {
        guard::set_cookie(&crate::backend::session::cookie(&token));
    }
    Ok(completes_first_login)
}

/// Starts passkey registration (user verification required), excluding keys already enrolled.
pub async fn passkey_start(caller: Caller) -> Result<CreationChallengeResponse, ApiError> {
    require_own_login(&caller)?;
    require_fresh_sca(&caller)?;
    let user = store::users::find(caller.state.db.pool(), caller.entity_id(), caller.user_id())
        .await?
        .ok_or(ApiError::NotFound)?;
    let existing: Vec<_> = sca::passkeys(&caller.state, caller.user_id())
        .await?
        .into_iter()
        .map(|(_, key)| key)
        .collect();
    let handle = passkey::user_handle(
        caller
            .state
            .secrets
            .keyed_hash("passkey-user-handle", &caller.user_id().to_be_bytes()),
    );
    let (challenge, state) = passkey::start_registration(
        &caller.state.webauthn,
        handle,
        &user.login_id,
        &user.full_name(),
        &existing,
    )?;
    ceremonies::put(
        caller.state.db.pool(),
        caller.session.id,
        CeremonyKind::PasskeyEnrolment,
        None,
        &state,
        now(),
    )
    .await?;
    Ok(challenge)
}

/// Finishes passkey registration. Returns whether it completed a first login.
pub async fn passkey_finish(
    caller: Caller,
    response: RegisterPublicKeyCredential,
    label: String,
) -> Result<bool, ApiError> {
    require_fresh_sca(&caller)?;
    let label = parse_label(&label)?;
    let state = ceremonies::take(
        caller.state.db.pool(),
        caller.session.id,
        CeremonyKind::PasskeyEnrolment,
        None,
        now() - CHALLENGE_LIFETIME_SECS,
    )
    .await?
    .ok_or_else(|| ApiError::invalid("factor", "L’enregistrement a expiré : recommencez."))?;
    let key = passkey::finish_registration(&caller.state.webauthn, &response, &state).map_err(|error| {
        tracing::info!(%error, "passkey registration refused");
        ApiError::invalid(
            "factor",
            "La clé d’accès n’a pas pu être vérifiée. Recommencez, en validant avec votre empreinte, votre visage ou votre code.",
        )
    })?;
    let text = serde_json::to_string(&key)?;
    let credential_id = passkey::credential_key(key.cred_id());
    let mut tx = caller.state.db.begin_write().await?;
    if store::factors::credential_exists(&mut tx, &credential_id).await? {
        return Err(ApiError::Conflict(
            "Cette clé d’accès est déjà enregistrée.".into(),
        ));
    }
    store::factors::insert_passkey(
        &mut tx,
        NewPasskey {
            entity_id: caller.entity_id(),
            user_id: caller.user_id(),
            credential_id: &credential_id,
            passkey: &text,
            label: &label,
            created_at: now(),
        },
    )
    .await?;
    audit::append(
        &mut tx,
        &caller.state.secrets,
        Some(caller.entity_id()),
        Some(caller.user_id()),
        Kind::FactorEnrolled,
        json!({ "facteur": "cle_d_acces", "nom": label }),
    )
    .await?;
    tell_user(&caller, &mut tx, Factor::Passkey).await?;
    let completes_first_login = caller.session.stage == SessionStage::Enrol;
    let new_token = if completes_first_login {
        Some(first_login::complete(&caller, &mut tx).await?)
    } else {
        None
    };
    tx.commit().await?;
    caller.state.outbox_wake.notify_one();
    if let Some(token) = new_token {
        guard::set_cookie(&crate::backend::session::cookie(&token));
    }
    Ok(completes_first_login)
}

/// A passkey's name: 1 to 60 printable characters; « Clé d’accès » when left empty.
pub(crate) fn parse_label(label: &str) -> Result<String, ApiError> {
    let label = label.trim();
    if label.is_empty() {
        return Ok("Clé d’accès".into());
    }
    if label.chars().count() > 60 || label.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            "label",
            "Le nom de la clé comporte au plus 60 caractères, sans retour à la ligne.",
        ));
    }
    Ok(label.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_trimmed_bounded_and_defaulted() {
        assert_eq!(super::parse_label("  ").unwrap(), "Clé d’accès");
        assert_eq!(
            super::parse_label(" Mon téléphone ").unwrap(),
            "Mon téléphone"
        );
        assert!(super::parse_label(&"x".repeat(61)).is_err());
        assert!(super::parse_label("a\nb").is_err());
    }
}
