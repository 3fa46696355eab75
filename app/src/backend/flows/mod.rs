//! The logic behind the server functions, one module per area. Each public function here is
//! called by exactly one server function in `crate::api`, after its authorization check.

pub mod add_user;
pub mod enrol;
pub mod first_login;
pub mod home;
pub mod sca;
pub mod sign_in;

use super::passkey::PasskeyError;
use crate::api::ApiError;

impl From<PasskeyError> for ApiError {
    fn from(error: PasskeyError) -> Self {
        tracing::warn!(%error, "passkey ceremony");
        ApiError::Internal
    }
}
