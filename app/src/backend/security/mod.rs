//! Security primitives: password hashing and policy, TOTP, passkeys, sealing secrets, and the
//! sign-in throttling rules.

pub mod crypto;
pub mod passkey;
pub mod password;
pub mod throttle;
pub mod totp;
