//! Passwords: the policy for new ones, Argon2id hashing, and temporary passwords.
//!
//! Policy (ASVS 4.0.3 V2.1, ASVS 5.0, NIST SP 800-63B): 12 to 128 characters after NFKC
//! normalisation, any Unicode, no composition rules; refused when it is a common password or
//! contains the login id or the bank's name.

use super::crypto::{constant_time_eq, SecretBox};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::rngs::OsRng;
use rand::Rng as _;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashSet;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization as _;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

static COMMON_PASSWORDS: &str = include_str!("../../../data/common-passwords.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON_PASSWORDS.lines().collect())
}

/// Why a new password is refused, in the words shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Le mot de passe doit comporter au moins 12 caractères.")]
    TooShort,
    #[error("Le mot de passe doit comporter au plus 128 caractères.")]
    TooLong,
    #[error("Ce mot de passe est trop courant : choisissez-en un autre.")]
    Common,
    #[error("Le mot de passe ne doit contenir ni votre identifiant ni le nom de la banque.")]
    ContainsIdentifier,
    #[error("Les deux mots de passe saisis sont différents.")]
    Mismatch,
    #[error("Le nouveau mot de passe doit être différent du mot de passe provisoire.")]
    SameAsTemporary,
}

/// A password that passed the policy, normalised (NFKC) as it will be hashed.
pub struct NewPassword(SecretString);

impl NewPassword {
    pub fn parse(
        input: &str,
        login_id: &str,
        bank_name: &str,
    ) -> Result<NewPassword, PasswordError> {
        let normalised = normalise(input);
        let length = normalised.chars().count();
        if length < MIN_LENGTH {
            return Err(PasswordError::TooShort);
        }
        if length > MAX_LENGTH {
            return Err(PasswordError::TooLong);
        }
        let lower = normalised.to_lowercase();
        if common_passwords().contains(lower.as_str()) {
            return Err(PasswordError::Common);
        }
        let squeezed: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        let bank: String = bank_name
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        if lower.contains(login_id)
            || squeezed.contains(login_id)
            || (!bank.is_empty() && squeezed.contains(&bank))
            || squeezed.contains("habilis")
        {
            return Err(PasswordError::ContainsIdentifier);
        }
        Ok(NewPassword(SecretString::from(normalised)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn into_secret(self) -> SecretString {
        self.0
    }
}

/// NFKC, so that the same password typed on two keyboards hashes the same.
pub fn normalise(password: &str) -> String {
    password.nfkc().collect()
}

/// Argon2id with m = 19 MiB, t = 2, p = 1 (the argon2 crate's defaults, the OWASP minimum).
fn argon2() -> Argon2<'static> {
    Argon2::default()
}

/// Why a password could not be hashed or checked: never a reason to let anyone in.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Argon2(String),
    #[error("the stored password hash is unreadable")]
    StoredHash,
    #[error("the hashing thread stopped")]
    Thread,
    /// More hashes waiting than the machine can work through soon: refused at once.
    #[error("too many password hashes in progress")]
    Busy,
}

/// Bounds the memory and CPU that password hashing can take: at most `workers` Argon2id
/// computations (19 MiB each) run at once, at most `queue` more wait, and beyond that a request
/// is refused at once instead of piling up. Shared by every request of a server (in `AppState`).
pub struct Hashing {
    workers: tokio::sync::Semaphore,
    queue: tokio::sync::Semaphore,
    computed: std::sync::atomic::AtomicU64,
}

impl Hashing {
    pub fn new(workers: usize, queue: usize) -> Hashing {
        Hashing {
            workers: tokio::sync::Semaphore::new(workers.max(1)),
            queue: tokio::sync::Semaphore::new(workers.max(1) + queue),
            computed: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Sized to the machine: one hash per core at once, four per core waiting.
    pub fn for_this_machine() -> Hashing {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Hashing::new(cores, 4 * cores)
    }

    /// How many hashes were computed (verifications included) since the server started.
    pub fn computed(&self) -> u64 {
        self.computed.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _place = self.queue.try_acquire().map_err(|_| HashError::Busy)?;
        let _worker = self
            .workers
            .acquire()
            .await
            .map_err(|_| HashError::Thread)?;
        self.computed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|_| HashError::Thread)?
    }

    /// Hashes a password (see [`hash_now`]), within the bounds.
    pub async fn hash(&self, password: SecretString) -> Result<String, HashError> {
        self.run(move || hash_now(password.expose_secret())).await
    }

    /// Verifies a password against its stored form: an Argon2id hash, or a temporary password's
    /// keyed hash ([`temporary_hash`]). A keyed hash is compared only after the same Argon2id
    /// work as any other sign-in (a dummy verification): the answer takes as long whatever the
    /// account's state, and a temporary password is no cheaper to try online.
    pub async fn verify_stored(
        &self,
        secrets: &SecretBox,
        stored_hash: Option<String>,
        password: SecretString,
    ) -> Result<bool, HashError> {
        match stored_hash {
            Some(stored) if stored.starts_with(KEYED_PREFIX) => {
                let expected = temporary_hash(secrets, &password);
                self.run(move || verify_now(None, password.expose_secret()))
                    .await?;
                Ok(constant_time_eq(&expected, &stored))
            }
            other => self.verify(other, password).await,
        }
    }

    /// Verifies a password (see [`verify_now`]), within the bounds.
    pub async fn verify(
        &self,
        stored_hash: Option<String>,
        password: SecretString,
    ) -> Result<bool, HashError> {
        self.run(move || verify_now(stored_hash.as_deref(), password.expose_secret()))
            .await
    }
}

/// How a temporary password's keyed hash begins (an Argon2id hash begins with `$argon2id$`).
const KEYED_PREFIX: &str = "hmac-sha256-v1$";
const TEMPORARY_PURPOSE: &str = "temporary-password-v1";

/// A temporary password as stored: its HMAC-SHA-256 under a key derived from the server's secret
/// key, never the password itself. It is machine-generated (14 characters from a CSPRNG, about
/// 80 bits), single use and short-lived: without the server's key nothing can be tried offline,
/// and online every try costs an Argon2id verification ([`Hashing::verify_stored`]). Argon2id
/// here would only make each addition and reset wait for a hashing slot (measured: 50
/// administrators confirming at once overflowed the bounded queue).
pub fn temporary_hash(secrets: &SecretBox, password: &SecretString) -> String {
    let mac = secrets.keyed_hash(
        TEMPORARY_PURPOSE,
        normalise(password.expose_secret()).as_bytes(),
    );
    format!("{KEYED_PREFIX}{}", data_encoding::HEXLOWER.encode(&mac))
}

/// Hashes on a blocking thread, outside any request (demo data at start-up); requests go
/// through [`Hashing`], which bounds how many run at once.
pub async fn hash(password: SecretString) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_now(password.expose_secret()))
        .await
        .map_err(|_| HashError::Thread)?
}

pub fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(normalise(password).as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| HashError::Argon2(e.to_string()))
}

/// `None` hashes a dummy instead, so an unknown login id takes as long as a wrong password (and
/// answers `false`). Blocking: call through [`Hashing::verify`].
pub fn verify_now(stored_hash: Option<&str>, password: &str) -> Result<bool, HashError> {
    let dummy = dummy_hash()?;
    let (hash, real) = match stored_hash {
        Some(hash) => (hash, true),
        None => (dummy, false),
    };
    let parsed = PasswordHash::new(hash).map_err(|_| HashError::StoredHash)?;
    let matches = argon2()
        .verify_password(normalise(password).as_bytes(), &parsed)
        .is_ok();
    Ok(real && matches)
}

fn dummy_hash() -> Result<&'static str, HashError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let hash = hash_now("dummy password for unknown login ids")?;
    Ok(DUMMY.get_or_init(|| hash))
}

/// Digits in the first-login code sent by e-mail.
pub const EMAIL_CODE_DIGITS: usize = 8;

/// The one-time code sent by e-mail with the login id, shown as « 1234 5678 ».
pub fn generate_email_code() -> SecretString {
    let mut rng = rand::thread_rng();
    let digits: String = (0..EMAIL_CODE_DIGITS)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect();
    SecretString::from(format!("{} {}", &digits[..4], &digits[4..]))
}

/// The code as typed, without spaces; `None` unless exactly eight digits.
pub fn normalise_email_code(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == EMAIL_CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// A temporary password: 14 characters from an alphabet without look-alikes (no 0/O, 1/l/I),
/// about 80 bits of entropy, easy to type from an SMS.
pub fn generate_temporary() -> SecretString {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = OsRng;
    let password: String = (0..14)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    SecretString::from(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_codes_are_eight_digits_typed_with_or_without_spaces() {
        let code = generate_email_code();
        let shown = code.expose_secret();
        assert_eq!(shown.len(), 9, "{shown}");
        let digits = normalise_email_code(shown).unwrap();
        assert_eq!(digits.len(), 8);
        assert_eq!(
            normalise_email_code(" 1234 5678 ").as_deref(),
            Some("12345678")
        );
        for bad in ["", "1234567", "123456789", "1234 567a", "１２３４５６７８"] {
            assert_eq!(normalise_email_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_policy_refuses_short_long_common_and_identifying_passwords() {
        let ok = |p: &str| NewPassword::parse(p, "1000000001", "Banque Exemple");
        assert_eq!(ok("court").err(), Some(PasswordError::TooShort));
        assert_eq!(ok(&"a".repeat(129)).err(), Some(PasswordError::TooLong));
        assert!(ok(&"é".repeat(128)).is_ok(), "length counts characters");
        assert_eq!(ok("1qaz2wsx3edc").err(), Some(PasswordError::Common));
        assert_eq!(ok("QWERTY123456").err(), Some(PasswordError::Common));
        assert_eq!(
            ok("mon-1000000001-secret").err(),
            Some(PasswordError::ContainsIdentifier)
        );
        assert_eq!(
            ok("J'aime la Banque Exemple !").err(),
            Some(PasswordError::ContainsIdentifier)
        );
        assert!(
            ok("cheval agrafe pile correcte").is_ok(),
            "no composition rules"
        );
        assert!(
            ok("日本語のとても長いパスワードです").is_ok(),
            "any Unicode"
        );
    }

    #[test]
    fn the_common_list_holds_at_least_ten_thousand_passwords() {
        assert!(common_passwords().len() >= 10_000);
        assert!(common_passwords().contains("password"));
    }

    #[test]
    fn nfkc_makes_equivalent_inputs_equal() {
        let hash = hash_now("ﬁne password ①②③").unwrap();
        assert!(verify_now(Some(&hash), "fine password 123").unwrap());
    }

    #[test]
    fn hashes_are_argon2id_with_the_owasp_parameters() {
        let hash = hash_now("a long enough password").unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_now(Some(&hash), "a long enough password").unwrap());
        assert!(!verify_now(Some(&hash), "another password!").unwrap());
        assert!(!verify_now(None, "dummy password for unknown login ids").unwrap());
        assert!(
            verify_now(Some("not a hash"), "x").is_err(),
            "an unreadable hash is an error, not a yes or a no"
        );
    }

    #[tokio::test]
    async fn a_temporary_password_is_kept_as_a_keyed_hash_and_checked_after_the_same_work() {
        use secrecy::SecretSlice;
        let secrets = SecretBox::new(&SecretSlice::from(vec![3u8; 32])).unwrap();
        let other_key = SecretBox::new(&SecretSlice::from(vec![4u8; 32])).unwrap();
        let password = generate_temporary();
        let stored = temporary_hash(&secrets, &password);
        assert!(stored.starts_with(KEYED_PREFIX));
        assert!(!stored.contains(password.expose_secret()), "never in clear");
        assert_ne!(stored, temporary_hash(&other_key, &password), "keyed");
        let hashing = Hashing::new(1, 1);
        let check = |stored: &str, typed: &str| {
            hashing.verify_stored(
                &secrets,
                Some(stored.to_string()),
                SecretString::from(typed.to_string()),
            )
        };
        assert!(check(&stored, password.expose_secret()).await.unwrap());
        assert!(!check(&stored, "Pas-le-bon-mot-2026").await.unwrap());
        assert!(!check(
            &temporary_hash(&other_key, &password),
            password.expose_secret()
        )
        .await
        .unwrap());
        // Each check costs an Argon2id verification, like any other sign-in.
        assert_eq!(hashing.computed(), 3);
        // Argon2id hashes (new passwords, earlier temporary ones) still verify.
        let argon = hash_now("Un-mot-de-passe-2026").unwrap();
        assert!(check(&argon, "Un-mot-de-passe-2026").await.unwrap());
    }

    #[test]
    fn temporary_passwords_are_long_random_and_unambiguous() {
        let a = generate_temporary();
        let a = a.expose_secret();
        assert_eq!(a.chars().count(), 14);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() && !"0O1lI".contains(c)));
        assert_ne!(a, generate_temporary().expose_secret());
    }
}
