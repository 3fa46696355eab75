//! Small cryptographic helpers: random tokens, hashes, keyed hashes, constant-time comparison,
//! and a sealed box for the few secrets that must be stored reversibly (TOTP secrets, queued
//! message bodies).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use data_encoding::{BASE64, BASE64URL_NOPAD, HEXLOWER};
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretSlice};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// `N` random bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A URL-safe random token of 256 bits.
pub fn random_token() -> String {
    BASE64URL_NOPAD.encode(&random_bytes::<32>())
}

pub fn sha256_hex(data: &[u8]) -> String {
    HEXLOWER.encode(&Sha256::digest(data))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Why a sealed value could not be made or opened.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the value could not be sealed")]
    Seal,
    #[error("the sealed value cannot be opened (another key, another purpose, or altered)")]
    Open,
}

/// Authenticated encryption with the server's secret key. Each use names its purpose, bound as
/// associated data, so a value sealed for one purpose cannot be opened as another.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    key: SecretSlice<u8>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox([REDACTED])")
    }
}

impl SecretBox {
    /// A box for a 256-bit key; `None` for a key of another length.
    pub fn new(key: &SecretSlice<u8>) -> Option<SecretBox> {
        let bytes: &[u8; 32] = key.expose_secret().try_into().ok()?;
        Some(SecretBox {
            cipher: XChaCha20Poly1305::new(bytes.into()),
            key: key.clone(),
        })
    }

    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> Result<String, CryptoError> {
        let nonce_bytes = random_bytes::<24>();
        let ciphertext = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce_bytes),
                Payload {
                    msg: plaintext,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Seal)?;
        let mut sealed = nonce_bytes.to_vec();
        sealed.extend_from_slice(&ciphertext);
        Ok(format!("v1:{}", BASE64.encode(&sealed)))
    }

    pub fn open(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>, CryptoError> {
        let encoded = sealed.strip_prefix("v1:").ok_or(CryptoError::Open)?;
        let bytes = BASE64
            .decode(encoded.as_bytes())
            .map_err(|_| CryptoError::Open)?;
        if bytes.len() < 24 {
            return Err(CryptoError::Open);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Open)
    }

    pub fn open_string(&self, purpose: &str, sealed: &str) -> Result<String, CryptoError> {
        String::from_utf8(self.open(purpose, sealed)?).map_err(|_| CryptoError::Open)
    }

    /// HMAC-SHA-256 under the server key, for identifiers derived from it (passkey user
    /// handles). The purpose is bound into the message.
    pub fn keyed_hash(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        hmac_sha256(self.key.expose_secret(), &[purpose.as_bytes(), b"\0", data])
    }
}

/// HMAC-SHA-256 of the concatenated parts.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> SecretSlice<u8> {
        SecretSlice::from(vec![byte; 32])
    }

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_purpose() {
        let secret_box = SecretBox::new(&key(7)).unwrap();
        let sealed = secret_box.seal("totp", b"secret").unwrap();
        assert_eq!(secret_box.open("totp", &sealed).unwrap(), b"secret");
        assert!(secret_box.open("sms", &sealed).is_err());
        assert!(SecretBox::new(&key(8))
            .unwrap()
            .open("totp", &sealed)
            .is_err());
        assert_ne!(
            sealed,
            secret_box.seal("totp", b"secret").unwrap(),
            "nonces differ"
        );
        assert!(!sealed.contains("secret"));
        assert!(secret_box.open("totp", "v1:").is_err());
        assert!(secret_box.open("totp", "garbage").is_err());
        assert_eq!(format!("{secret_box:?}"), "SecretBox([REDACTED])");
    }

    #[test]
    fn keyed_hashes_depend_on_key_purpose_and_data() {
        let a = SecretBox::new(&key(1)).unwrap();
        assert!(SecretBox::new(&SecretSlice::from(vec![0u8; 31])).is_none());
        assert_eq!(a.keyed_hash("x", b"1"), a.keyed_hash("x", b"1"));
        assert_ne!(a.keyed_hash("x", b"1"), a.keyed_hash("y", b"1"));
        assert_ne!(
            a.keyed_hash("x", b"1"),
            SecretBox::new(&key(2)).unwrap().keyed_hash("x", b"1")
        );
        // RFC 4231 test case 2.
        assert_eq!(
            HEXLOWER.encode(&hmac_sha256(
                b"Jefe",
                &[b"what do ya want ", b"for nothing?"]
            )),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = random_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_token());
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
