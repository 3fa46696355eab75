//! Small cryptographic helpers: random tokens, hashes, and a sealed box for the few secrets that
//! must be stored reversibly (TOTP secrets, queued SMS bodies).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::rngs::OsRng;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

/// `n` random bytes from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A URL-safe random token of 256 bits.
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Authenticated encryption with the server's secret key. Each use names its purpose, bound as
/// associated data, so a value sealed for one purpose cannot be opened as another.
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
    key: [u8; 32],
}

#[derive(Debug, thiserror::Error)]
#[error("sealed value cannot be opened")]
pub struct OpenError;

impl SecretBox {
    pub fn new(key: [u8; 32]) -> SecretBox {
        SecretBox {
            cipher: XChaCha20Poly1305::new(&key.into()),
            key,
        }
    }

    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> String {
        let nonce_bytes = random_bytes::<24>();
        let nonce = XNonce::from_slice(&nonce_bytes);
        let ciphertext = self
            .cipher
            .encrypt(
                nonce,
                Payload {
                    msg: plaintext,
                    aad: purpose.as_bytes(),
                },
            )
            // Encryption only fails for messages of gigabytes.
            .unwrap_or_default();
        let mut sealed = nonce_bytes.to_vec();
        sealed.extend_from_slice(&ciphertext);
        format!("v1:{}", STANDARD.encode(sealed))
    }

    pub fn open(&self, purpose: &str, sealed: &str) -> Result<Vec<u8>, OpenError> {
        let encoded = sealed.strip_prefix("v1:").ok_or(OpenError)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| OpenError)?;
        if bytes.len() < 24 {
            return Err(OpenError);
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
            .map_err(|_| OpenError)
    }

    pub fn open_string(&self, purpose: &str, sealed: &str) -> Result<String, OpenError> {
        String::from_utf8(self.open(purpose, sealed)?).map_err(|_| OpenError)
    }

    /// A keyed hash, for identifiers derived from the key (e.g. passkey user handles).
    pub fn keyed_hash(&self, purpose: &str, data: &[u8]) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.key);
        hasher.update(purpose.as_bytes());
        hasher.update(data);
        hasher.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_the_same_key_and_purpose() {
        let secret_box = SecretBox::new([7; 32]);
        let sealed = secret_box.seal("totp", b"secret");
        assert_eq!(secret_box.open("totp", &sealed).unwrap(), b"secret");
        assert!(secret_box.open("sms", &sealed).is_err());
        assert!(SecretBox::new([8; 32]).open("totp", &sealed).is_err());
        assert_ne!(sealed, secret_box.seal("totp", b"secret"), "nonces differ");
        assert!(!sealed.contains("secret"));
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
