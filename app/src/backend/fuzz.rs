//! Property-based fuzzing of what an attacker controls first: the request decoders and the
//! validators behind the server functions. Each property holds for any input: no panic, a
//! refusal rather than a default, and what is accepted meets the rule.
//!
//! `./scripts/test` runs the default number of cases; `./scripts/fuzz` runs many more
//! (`PROPTEST_CASES`).

use super::flows::{add_user, enrol};
use super::security::crypto::SecretBox;
use super::security::{password, totp};
use super::session;
use crate::api::codec::decode_strict;
use crate::api::types::{CodeForm, NewPasswordForm, SignInForm};
use proptest::prelude::*;
use secrecy::SecretSlice;

fn secrets() -> SecretBox {
    SecretBox::new(&SecretSlice::from(vec![7u8; 32])).expect("256-bit key")
}

/// Bytes that look like JSON often enough to reach deep into the decoder.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        "[{}\\[\\]\":,a-z0-9 ]{0,120}".prop_map(String::into_bytes),
        (any::<String>(), any::<String>()).prop_map(|(a, b)| {
            format!(r#"{{"form":{{"login_id":{a:?},"password":{b:?}}}}}"#).into_bytes()
        }),
    ]
}

proptest! {
    #[test]
    fn the_strict_json_decoder_never_panics_and_never_lets_an_unknown_field_through(
        bytes in jsonish(),
        extra in "[a-z_]{1,12}",
    ) {
        let _ = decode_strict::<SignInForm>(&bytes);
        let _ = decode_strict::<CodeForm>(&bytes);
        let with_extra = format!(r#"{{"login_id":"1","password":"p","{extra}":1}}"#);
        let known = ["login_id", "password"].contains(&extra.as_str());
        prop_assert_eq!(decode_strict::<SignInForm>(with_extra.as_bytes()).is_ok(), known);
    }

    #[test]
    fn the_form_decoder_never_panics(body in "[a-z_\\[\\]=&%0-9A-F]{0,160}") {
        let _ = serde_qs::from_str::<serde_json::Value>(&body);
        let _ = serde_qs::from_str::<NewPasswordForm>(&body);
    }

    #[test]
    fn a_new_password_is_accepted_only_within_the_policy(typed in any::<String>()) {
        if let Ok(accepted) = password::NewPassword::parse(&typed, "1000000001", "Banque Exemple") {
            let length = accepted.expose().chars().count();
            prop_assert!((password::MIN_LENGTH..=password::MAX_LENGTH).contains(&length));
            prop_assert!(!accepted.expose().contains("1000000001"));
        }
    }

    #[test]
    fn an_e_mail_code_is_eight_ascii_digits_or_nothing(typed in any::<String>()) {
        if let Some(digits) = password::normalise_email_code(&typed) {
            prop_assert_eq!(digits.len(), 8);
            prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn a_totp_check_never_panics_and_accepts_only_six_digits(
        code in any::<String>(),
        now in 0i64..4_000_000_000,
        last in proptest::option::of(0i64..200_000_000),
    ) {
        if let totp::TotpCheck::Accepted { step } = totp::check(&[1u8; 20], &code, now, last) {
            prop_assert_eq!(code.len(), 6);
            prop_assert!(last.is_none_or(|last| step > last));
        }
    }

    #[test]
    fn a_forged_sealed_value_never_opens(sealed in any::<String>()) {
        prop_assert!(secrets().open("totp", &sealed).is_err());
    }

    #[test]
    fn a_cookie_header_yields_a_token_only_from_the_session_cookie(header in any::<String>()) {
        if let Some(token) = session::token_from_cookie_header(&header) {
            prop_assert!(!token.is_empty());
            prop_assert!(header.contains(session::COOKIE_NAME));
        }
    }

    #[test]
    fn rights_cells_and_methods_are_refused_rather_than_guessed(
        cells in proptest::collection::vec(any::<String>(), 0..8),
        method in any::<String>(),
        copy_from in proptest::option::of(any::<i64>()),
    ) {
        if let Ok(rights) = add_user::parse_cells(&cells, false) {
            prop_assert!(!rights.administration());
        }
        match add_user::parse_method(&method, copy_from) {
            Ok(model::RightsMethod::Custom) => prop_assert_eq!(method.as_str(), "personnalise"),
            Ok(model::RightsMethod::Copy { from_user }) => {
                prop_assert_eq!(method.as_str(), "copie");
                prop_assert_eq!(Some(from_user), copy_from);
            }
            Ok(model::RightsMethod::Profile(profile)) => {
                prop_assert_eq!(method, format!("profil:{}", profile.code()));
            }
            Err(_) => {}
        }
    }

    #[test]
    fn a_passkey_name_is_printable_and_short(label in any::<String>()) {
        if let Ok(name) = enrol::parse_label(&label) {
            prop_assert!(!name.is_empty() && name.chars().count() <= 60);
            prop_assert!(!name.chars().any(char::is_control));
        }
    }
}
