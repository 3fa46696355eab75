//! How server-side failures become the client's [`ApiError`]: all in one place. A technical
//! failure is logged here with its detail and answered with the generic « erreur technique »;
//! the client never learns more.

use super::delivery::DeliveryError;
use super::security::crypto::CryptoError;
use super::security::passkey::PasskeyError;
use super::security::password::HashError;
use crate::api::ApiError;

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        ApiError::Internal
    }
}

impl From<DeliveryError> for ApiError {
    fn from(error: DeliveryError) -> Self {
        tracing::error!(%error, "message could not be queued");
        ApiError::Internal
    }
}

impl From<CryptoError> for ApiError {
    fn from(error: CryptoError) -> Self {
        tracing::error!(%error, "sealed value");
        ApiError::Internal
    }
}

impl From<HashError> for ApiError {
    fn from(error: HashError) -> Self {
        if let HashError::Busy = error {
            tracing::warn!("password hashing saturated: request refused");
            return ApiError::TooManyAttempts;
        }
        tracing::error!(%error, "password hashing");
        ApiError::Internal
    }
}

impl From<PasskeyError> for ApiError {
    fn from(error: PasskeyError) -> Self {
        tracing::warn!(%error, "passkey ceremony");
        ApiError::Internal
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        tracing::error!(%error, "stored JSON unreadable");
        ApiError::Internal
    }
}
