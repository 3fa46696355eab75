//! Parse-don't-validate types for what people type. A value of these types has been checked
//! against an allow-list once, at the edge; everything after works with the checked value.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// An e-mail address that passed a conservative allow-list: the kind a bank can send login ids to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum EmailError {
    #[error("Renseignez l’adresse e-mail : elle est indispensable pour que le nouvel utilisateur reçoive son identifiant.")]
    Missing,
    #[error("Cette adresse e-mail n’est pas valide. Exemple d’adresse valide : prenom.nom@entreprise.fr")]
    Invalid,
}

impl Email {
    /// Trims, lower-cases the domain and checks the address. The local part keeps its case: some
    /// mail servers distinguish it.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(EmailError::Missing);
        }
        if input.len() > 254 {
            return Err(EmailError::Invalid);
        }
        let (local, domain) = input.rsplit_once('@').ok_or(EmailError::Invalid)?;
        let domain = domain.to_ascii_lowercase();
        if !is_valid_local_part(local) || !is_valid_domain(&domain) {
            return Err(EmailError::Invalid);
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = ".!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A login id: ten digits, given by the bank. Spaces typed by the user are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LoginId(String);

#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("L’identifiant est composé de 10 chiffres.")]
pub struct LoginIdError;

impl LoginId {
    pub const LENGTH: usize = 10;

    pub fn parse(input: &str) -> Result<LoginId, LoginIdError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == Self::LENGTH && digits.chars().all(|c| c.is_ascii_digit()) {
            Ok(LoginId(digits))
        } else {
            Err(LoginIdError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LoginId {
    type Error = LoginIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        LoginId::parse(&value)
    }
}

impl From<LoginId> for String {
    fn from(id: LoginId) -> Self {
        id.0
    }
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A six-digit one-time code from an authenticator application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TotpCode(u32);

#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("Le code est composé de 6 chiffres.")]
pub struct TotpCodeError;

impl TotpCode {
    pub fn parse(input: &str) -> Result<TotpCode, TotpCodeError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(TotpCodeError);
        }
        digits.parse().map(TotpCode).map_err(|_| TotpCodeError)
    }

    pub fn value(self) -> u32 {
        self.0
    }
}

impl TryFrom<String> for TotpCode {
    type Error = TotpCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TotpCode::parse(&value)
    }
}

impl From<TotpCode> for String {
    fn from(code: TotpCode) -> Self {
        format!("{:06}", code.0)
    }
}

/// `+33612345678` → `06 12 34 56 78`; other numbers are grouped by two after the country code.
pub fn format_phone(phone: &str) -> String {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    if let Some(national) = digits.strip_prefix("33").filter(|n| n.len() == 9) {
        let national = format!("0{national}");
        return group_by_two(&national);
    }
    phone.to_string()
}

/// Hides all but the last two digits of a phone number, for messages about where an SMS went.
pub fn mask_phone(phone: &str) -> String {
    let formatted = format_phone(phone);
    let visible = 2;
    let total_digits = formatted.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    formatted
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen <= total_digits.saturating_sub(visible) {
                    return '•';
                }
            }
            c
        })
        .collect()
}

fn group_by_two(digits: &str) -> String {
    digits
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `1985-03-14` → `14/03/1985`.
pub fn format_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [year, month, day] => format!("{day}/{month}/{year}"),
        _ => iso.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_addresses_are_accepted_and_the_domain_lower_cased() {
        let email = Email::parse("  Lucas.Moreau+paie@Atelier-Lumiere.FR ").unwrap();
        assert_eq!(email.as_str(), "Lucas.Moreau+paie@atelier-lumiere.fr");
    }

    #[test]
    fn broken_addresses_are_refused_with_a_french_message() {
        for bad in [
            "lucas",
            "lucas@",
            "@example.fr",
            "lucas@example",
            "lu..cas@example.fr",
            ".lucas@example.fr",
            "lucas@-example.fr",
            "lucas@example.f",
            "lu cas@example.fr",
            "lucas@exa_mple.fr",
            "\"lucas\"@example.fr",
            "lucas@exam\nple.fr",
            "<script>@example.fr",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Invalid), "{bad:?}");
        }
        assert_eq!(Email::parse("   "), Err(EmailError::Missing));
        assert!(EmailError::Invalid.to_string().contains("n’est pas valide"));
    }

    #[test]
    fn emails_deserialise_only_when_valid() {
        assert!(serde_json::from_str::<Email>("\"a@b.fr\"").is_ok());
        assert!(serde_json::from_str::<Email>("\"a@b\"").is_err());
    }

    #[test]
    fn login_ids_are_ten_digits_and_spaces_are_ignored() {
        assert_eq!(
            LoginId::parse("12 3456 7890").unwrap().as_str(),
            "1234567890"
        );
        assert!(LoginId::parse("123456789").is_err());
        assert!(LoginId::parse("12345678901").is_err());
        assert!(LoginId::parse("12345abcde").is_err());
    }

    #[test]
    fn totp_codes_are_six_digits() {
        assert_eq!(TotpCode::parse("012 345").unwrap().value(), 12345);
        assert_eq!(String::from(TotpCode::parse("012345").unwrap()), "012345");
        assert!(TotpCode::parse("12345").is_err());
        assert!(
            TotpCode::parse("１２３４５６").is_err(),
            "full-width digits are not ASCII"
        );
    }

    #[test]
    fn phones_and_dates_are_shown_the_french_way() {
        assert_eq!(format_phone("+33612345678"), "06 12 34 56 78");
        assert_eq!(mask_phone("+33612345678"), "•• •• •• •• 78");
        assert_eq!(format_date("1985-03-14"), "14/03/1985");
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_a_parsed_email_parses_to_itself(input in "\\PC{0,80}") {
            if let Ok(email) = Email::parse(&input) {
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
                prop_assert!(email.as_str().is_ascii());
            }
        }
    }
}
