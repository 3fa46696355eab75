//! TOTP (RFC 6238) with `totp-rs`: HMAC-SHA1, 6 digits, 30-second steps, at most one step of
//! drift either way. `totp-rs` does not stop a code's reuse, so [`check`] says which step
//! matched and refuses any step at or before the last one accepted (the caller stores it).

use data_encoding::BASE32_NOPAD;
use subtle::ConstantTimeEq as _;
use totp_rs::{Algorithm, TOTP};

pub const STEP_SECONDS: i64 = 30;
/// 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

/// The authenticator of a secret. The issuer and account only name it in the application.
fn authenticator(secret: &[u8], issuer: &str, account: &str) -> TOTP {
    // `new_unchecked`: the secret's length is ours to guarantee (20 bytes), and `:` is taken out
    // of the names, which is all `new` would check.
    TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS as u64,
        secret.to_vec(),
        Some(issuer.replace(':', " ")),
        account.replace(':', " "),
    )
}

pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The 6-digit code of a time step.
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    authenticator(secret, "", "").generate((step.max(0) * STEP_SECONDS) as u64)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpCheck {
    /// Valid for this step, never used before: store it as the last accepted step.
    Accepted {
        step: i64,
    },
    /// Valid, but for a step already used (a replay, or a double submit).
    Replayed,
    Invalid,
}

/// Checks a code at `now` against the current step and one step either side.
pub fn check(secret: &[u8], code: &str, now: i64, last_accepted_step: Option<i64>) -> TotpCheck {
    let current = step_at(now);
    let matching = [current, current - 1, current + 1]
        .into_iter()
        .find(|step| {
            bool::from(
                code_at_step(secret, *step)
                    .as_bytes()
                    .ct_eq(code.as_bytes()),
            )
        });
    match matching {
        None => TotpCheck::Invalid,
        Some(step) if last_accepted_step.is_some_and(|last| step <= last) => TotpCheck::Replayed,
        Some(step) => TotpCheck::Accepted { step },
    }
}

/// RFC 4648 base32 without padding, as authenticator applications expect.
pub fn base32_encode(bytes: &[u8]) -> String {
    BASE32_NOPAD.encode(bytes)
}

/// Reads base32 typed by a person: spaces and case ignored.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    BASE32_NOPAD.decode(compact.as_bytes()).ok()
}

/// The `otpauth://` URI an authenticator application reads from a QR code or a link.
pub fn otpauth_uri(secret: &[u8], account: &str, issuer: &str) -> String {
    authenticator(secret, issuer, account).get_url()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8-digit values truncated to the 6 we use).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, expected) in [
            (59, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
        ] {
            assert_eq!(
                code_at_step(secret, step_at(time)),
                format!("{:06}", expected % 1_000_000)
            );
        }
    }

    #[test]
    fn one_step_of_drift_is_accepted_two_are_not() {
        let secret = b"12345678901234567890";
        let now = 1_700_000_000;
        let step = step_at(now);
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at_step(secret, step + offset);
            let result = check(secret, &code, now, None);
            assert_eq!(
                matches!(result, TotpCheck::Accepted { .. }),
                accepted,
                "offset {offset}"
            );
        }
    }

    #[test]
    fn a_code_is_accepted_once() {
        let secret = b"12345678901234567890";
        let now = 1_700_000_000;
        let code = code_at_step(secret, step_at(now));
        let TotpCheck::Accepted { step } = check(secret, &code, now, None) else {
            panic!("first use must be accepted");
        };
        assert_eq!(check(secret, &code, now, Some(step)), TotpCheck::Replayed);
        assert_eq!(
            check(secret, &code, now + 10, Some(step)),
            TotpCheck::Replayed
        );
        let earlier = code_at_step(secret, step - 1);
        assert_eq!(
            check(secret, &earlier, now, Some(step)),
            TotpCheck::Replayed
        );
        assert_eq!(check(secret, "000000x", now, None), TotpCheck::Invalid);
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        assert_eq!(base32_decode("mzxw 6ytb oi").unwrap(), b"foobar");
        assert!(base32_decode("MZ1W").is_none());
        let secret = [0xA5u8; SECRET_BYTES];
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
        assert_eq!(base32_encode(&secret).len(), 32);
    }

    #[test]
    fn the_otpauth_uri_names_issuer_and_account() {
        let uri = otpauth_uri(&[0xA5u8; SECRET_BYTES], "1000000001", "Banque: Exemple");
        assert!(
            uri.starts_with("otpauth://totp/Banque%20%20Exemple:1000000001?secret="),
            "{uri}"
        );
        assert!(uri.contains(&format!(
            "secret={}",
            base32_encode(&[0xA5u8; SECRET_BYTES])
        )));
        assert!(uri.contains("issuer=Banque%20%20Exemple"), "{uri}");
    }
}
