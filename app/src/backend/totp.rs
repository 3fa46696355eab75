//! TOTP (RFC 6238): HMAC-SHA1, 6 digits, 30-second steps, at most one step of drift either way,
//! and each step accepted once (the caller stores the last accepted step).

use hmac::{Hmac, Mac};
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
pub const SECRET_BYTES: usize = 20; // 160 bits (RFC 4226 recommends at least that)

pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The 6-digit code of a time step (RFC 4226 dynamic truncation).
pub fn code_at_step(secret: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return u32::MAX; // unreachable: HMAC takes keys of any length
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    binary % 1_000_000
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
pub fn check(secret: &[u8], code: u32, now: i64, last_accepted_step: Option<i64>) -> TotpCheck {
    let current = step_at(now);
    let matching = [current, current - 1, current + 1]
        .into_iter()
        .find(|step| code_at_step(secret, *step) == code);
    match matching {
        None => TotpCheck::Invalid,
        Some(step) if last_accepted_step.is_some_and(|last| step <= last) => TotpCheck::Replayed,
        Some(step) => TotpCheck::Accepted { step },
    }
}

/// RFC 4648 base32 without padding, as authenticator applications expect.
pub fn base32_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut output = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            output.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        output.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    output
}

pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut output = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            output.push(((buffer >> (bits - 8)) & 0xff) as u8);
            bits -= 8;
        }
    }
    Some(output)
}

/// The `otpauth://` URI an authenticator application reads from a QR code or a link.
pub fn otpauth_uri(secret: &[u8], account: &str, issuer: &str) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        encode(issuer),
        encode(account),
        base32_encode(secret),
        encode(issuer)
    )
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
            assert_eq!(code_at_step(secret, step_at(time)), expected % 1_000_000);
        }
    }

    #[test]
    fn one_step_of_drift_is_accepted_two_are_not() {
        let secret = b"12345678901234567890";
        let now = 1_700_000_000;
        let step = step_at(now);
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at_step(secret, step + offset);
            let result = check(secret, code, now, None);
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
        let TotpCheck::Accepted { step } = check(secret, code, now, None) else {
            panic!("first use must be accepted");
        };
        assert_eq!(check(secret, code, now, Some(step)), TotpCheck::Replayed);
        assert_eq!(
            check(secret, code, now + 10, Some(step)),
            TotpCheck::Replayed
        );
        let earlier = code_at_step(secret, step - 1);
        assert_eq!(check(secret, earlier, now, Some(step)), TotpCheck::Replayed);
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
        let uri = otpauth_uri(b"foobar", "1000000001", "Banque Exemple");
        assert_eq!(
            uri,
            "otpauth://totp/Banque%20Exemple:1000000001?secret=MZXW6YTBOI&issuer=Banque%20Exemple&algorithm=SHA1&digits=6&period=30"
        );
    }
}
