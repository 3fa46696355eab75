//! The new user's first login: temporary password, new password, a factor verified on the
//! spot, then a home page listing exactly the rights given.

use crate::helpers::{refused, spawn_app, Client, TestApp};
use crate::journey::{
    catalog, confirm_with_totp, credentials_from, email_code_from, person_id, prepare,
    wait_for_local_messages,
};
use app::api::session::{
    Home, Login, LoginTotp, SetFirstPassword, TotpEnrolFinish, TotpEnrolStart,
};
use app::api::types::{CodeForm, NewPasswordForm, SignInForm};
use app::api::types::{HomeView, PreparedOperation, Stage, TotpEnrolment};
use app::api::ApiError;
use app::backend::totp;
use model::{Level, Profile, ResourceRef, RightsMethod};

/// Adds Lucas MOREAU as a valideur without validation on the first account; returns the
/// operation, his login id, temporary password and e-mail code, read from the simulated mailbox
/// and phone.
async fn add_lucas(app: &TestApp) -> (PreparedOperation, String, String, String) {
    let mut admin = app.sign_in_admin().await;
    let catalog = catalog(&mut admin).await;
    let mut rights = Profile::Valideur.rights(&catalog);
    rights.set(
        ResourceRef::Account(catalog.accounts[0].id),
        Level::Validation,
        false,
    );
    let prepared = prepare(
        &mut admin,
        person_id(app, "MOREAU").await,
        "lucas.moreau@atelier-lumiere.fr",
        RightsMethod::Profile(Profile::Valideur),
        &rights,
    )
    .await
    .unwrap();
    confirm_with_totp(app, &mut admin, &prepared).await.unwrap();
    // Lucas's e-mail and SMS, and the other administrator's notice.
    let messages = wait_for_local_messages(app, 3).await;
    let (login_id, password) =
        credentials_from(&messages, "lucas.moreau@atelier-lumiere.fr", "+33612345604");
    let code = email_code_from(&messages, "lucas.moreau@atelier-lumiere.fr");
    (prepared, login_id, password, code)
}

async fn login(
    client: &mut Client,
    login_id: &str,
    password: &str,
) -> Result<Stage, crate::helpers::Failure> {
    client
        .call(Login {
            form: SignInForm {
                login_id: login_id.into(),
                password: password.into(),
            },
        })
        .await
}

fn set_password(email_code: &str, password: &str, confirmation: &str) -> SetFirstPassword {
    SetFirstPassword {
        form: NewPasswordForm {
            email_code: email_code.into(),
            password: password.into(),
            confirmation: confirmation.into(),
        },
    }
}

/// Sets a good new password at the first login; returns it.
async fn choose_password(client: &mut Client, email_code: &str) -> &'static str {
    let chosen = "cheval agrafe pile correcte";
    let () = client
        .call(set_password(email_code, chosen, chosen))
        .await
        .unwrap();
    chosen
}

#[tokio::test]
async fn the_new_user_sets_a_password_enrols_a_factor_and_sees_the_rights_given() {
    let app = spawn_app().await;
    let (prepared, login_id, temporary, code) = add_lucas(&app).await;
    let mut lucas = app.client();
    assert_eq!(
        login(&mut lucas, &login_id, &temporary).await.unwrap(),
        Stage::NewPassword
    );
    // Nothing else is reachable before the last step.
    refused(lucas.call(Home {}).await, 401);
    refused(lucas.call(TotpEnrolStart {}).await, 401);

    let with_login_id = format!("moi-{login_id}-ok");
    for (password, confirmation, field, words) in [
        ("court", "court", "password", "au moins 12 caractères"),
        ("qwerty123456", "qwerty123456", "password", "trop courant"),
        (
            with_login_id.as_str(),
            with_login_id.as_str(),
            "password",
            "ni votre identifiant",
        ),
        (
            "une phrase assez longue",
            "une autre phrase",
            "confirmation",
            "différents",
        ),
        (
            temporary.as_str(),
            temporary.as_str(),
            "password",
            "différent du mot de passe provisoire",
        ),
    ] {
        let failure = refused(
            lucas
                .call(set_password(&code, password, confirmation))
                .await,
            422,
        );
        let error = failure.error.unwrap();
        assert_eq!(error.field(), Some(field), "{error:?}");
        assert!(error.to_string().contains(words), "{error} lacks {words}");
    }
    let chosen = choose_password(&mut lucas, &code).await;
    refused(lucas.call(Home {}).await, 401);

    let enrolment: TotpEnrolment = lucas.call(TotpEnrolStart {}).await.unwrap();
    assert!(enrolment.uri.starts_with("otpauth://totp/"));
    // The QR code of the same URI, drawn on the server as an SVG image.
    let svg = data_encoding::BASE64
        .decode(
            enrolment
                .qr_image
                .strip_prefix("data:image/svg+xml;base64,")
                .expect("an SVG data URI")
                .as_bytes(),
        )
        .unwrap();
    assert!(String::from_utf8(svg).unwrap().contains("<svg"));
    let secret = totp::base32_decode(&enrolment.secret).unwrap();
    assert_eq!(secret.len(), 20, "160 bits");
    let now = app::backend::store::now();
    let right = totp::code_at_step(&secret, totp::step_at(now));
    let wrong = refused(
        lucas
            .call(TotpEnrolFinish {
                form: CodeForm {
                    code: format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000),
                },
            })
            .await,
        422,
    );
    assert!(wrong
        .error
        .unwrap()
        .to_string()
        .contains("ne correspond pas"));
    let completed: bool = lucas
        .call(TotpEnrolFinish {
            form: CodeForm {
                code: right.clone(),
            },
        })
        .await
        .unwrap();
    assert!(completed);
    // The user is told by e-mail that a factor was added to their access.
    // Lucas's e-mail and SMS, the other administrator's notice, then this one.
    let messages = wait_for_local_messages(&app, 4).await;
    assert!(messages
        .iter()
        .any(|m| m.recipient == "lucas.moreau@atelier-lumiere.fr"
            && m.subject == "Moyen d’authentification forte modifié"
            && m.body.contains("application d’authentification")));

    let home: HomeView = lucas.call(Home {}).await.unwrap();
    assert_eq!(home.first_name, "Lucas");
    assert_eq!(home.login_id, login_id);
    assert!(!home.is_administrator);
    assert_eq!(
        home.recap,
        prepared.recap.unwrap(),
        "exactly the rights given, with their origin"
    );
    assert!(home.factors.has_totp);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE login_id = '{login_id}' AND state = 'active'"
        ))
        .await,
        1
    );

    // The temporary password no longer works; the new password and the factor do.
    let failure = refused(login(&mut app.client(), &login_id, &temporary).await, 401);
    assert_eq!(failure.error, Some(ApiError::LoginFailed));
    let mut again = app.client();
    assert!(matches!(
        login(&mut again, &login_id, chosen).await.unwrap(),
        Stage::Sca {
            has_totp: true,
            has_passkey: false
        }
    ));
    let next = totp::code_at_step(&secret, totp::step_at(app::backend::store::now()) + 1);
    let () = again
        .call(LoginTotp {
            form: CodeForm { code: next },
        })
        .await
        .unwrap();
    let _: HomeView = again.call(Home {}).await.unwrap();
}

#[tokio::test]
async fn the_temporary_password_works_once() {
    let app = spawn_app().await;
    let (_, login_id, temporary, _) = add_lucas(&app).await;
    assert_eq!(
        login(&mut app.client(), &login_id, &temporary)
            .await
            .unwrap(),
        Stage::NewPassword
    );
    let failure = refused(login(&mut app.client(), &login_id, &temporary).await, 401);
    assert_eq!(failure.error, Some(ApiError::LoginFailed));
}

#[tokio::test]
async fn an_expired_temporary_password_is_refused_like_any_wrong_password() {
    let app = spawn_app().await;
    let (_, login_id, temporary, _) = add_lucas(&app).await;
    app.execute(&format!(
        "UPDATE users SET temp_password_expires_at = 1 WHERE login_id = '{login_id}'"
    ))
    .await;
    let failure = refused(login(&mut app.client(), &login_id, &temporary).await, 401);
    assert_eq!(failure.error, Some(ApiError::LoginFailed));
}

/// The finding: a password alone reached the enrolment, so anyone who learnt it could bind
/// their own factor. Now the enrolment belongs to the session that used the temporary password
/// and the e-mail code; a second client with the new password gets nowhere.
#[tokio::test]
async fn a_password_alone_never_reaches_the_enrolment_of_a_first_factor() {
    let app = spawn_app().await;
    let (_, login_id, temporary, code) = add_lucas(&app).await;
    let mut lucas = app.client();
    login(&mut lucas, &login_id, &temporary).await.unwrap();
    let chosen = choose_password(&mut lucas, &code).await;
    let mut intruder = app.client();
    let failure = refused(login(&mut intruder, &login_id, chosen).await, 401);
    assert_eq!(failure.error, Some(ApiError::FirstLoginUnfinished));
    refused(intruder.call(TotpEnrolStart {}).await, 401);
    // The real user's session carries on.
    let enrolment: TotpEnrolment = lucas.call(TotpEnrolStart {}).await.unwrap();
    assert!(enrolment.uri.starts_with("otpauth://totp/"));
}

#[tokio::test]
async fn the_enrolment_ends_with_the_temporary_passwords_lifetime() {
    let app = spawn_app().await;
    let (_, login_id, temporary, code) = add_lucas(&app).await;
    let mut lucas = app.client();
    login(&mut lucas, &login_id, &temporary).await.unwrap();
    choose_password(&mut lucas, &code).await;
    app.execute(&format!(
        "UPDATE users SET temp_password_expires_at = 1 WHERE login_id = '{login_id}'"
    ))
    .await;
    refused(lucas.call(TotpEnrolStart {}).await, 401);
}

/// The e-mail code: required, compared in constant time, five wrong entries at most (a malformed
/// one or a refused password counts nothing), then dead, and single use.
#[tokio::test]
async fn the_e_mail_code_is_required_and_dies_after_five_wrong_entries() {
    let app = spawn_app().await;
    let (_, login_id, temporary, code) = add_lucas(&app).await;
    let mut lucas = app.client();
    login(&mut lucas, &login_id, &temporary).await.unwrap();
    let good = "cheval agrafe pile correcte";
    let field_of = |failure: crate::helpers::Failure| {
        let error = failure.error.unwrap();
        (error.field().map(str::to_string), error.to_string())
    };
    let (field, message) = field_of(refused(
        lucas.call(set_password("12ab", good, good)).await,
        422,
    ));
    assert_eq!(field.as_deref(), Some("email_code"));
    assert!(message.contains("8 chiffres"), "{message}");
    // A refused password does not use up a try.
    refused(
        lucas
            .call(set_password("0000 0000", "court", "court"))
            .await,
        422,
    );
    let digits: u32 = code.replace(' ', "").parse().unwrap();
    for n in 1..=5 {
        let wrong = format!("{:08}", (digits + n) % 100_000_000);
        let (field, message) = field_of(refused(
            lucas.call(set_password(&wrong, good, good)).await,
            422,
        ));
        assert_eq!(field.as_deref(), Some("email_code"));
        assert!(message.contains("Code incorrect"), "{message}");
    }
    let (_, message) = field_of(refused(
        lucas.call(set_password(&code, good, good)).await,
        422,
    ));
    assert!(message.contains("plus valable"), "{message}");
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE login_id = '{login_id}' AND password_hash IS NULL"
        ))
        .await,
        1,
        "no password was set"
    );
}

#[tokio::test]
async fn the_e_mail_code_works_once_and_is_stored_keyed() {
    let app = spawn_app().await;
    let (_, login_id, temporary, code) = add_lucas(&app).await;
    let digits = code.replace(' ', "");
    let stored: String = sqlx::query_scalar(&format!(
        "SELECT enrolment_code_hash FROM users WHERE login_id = '{login_id}'"
    ))
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_ne!(
        stored,
        app::backend::security::crypto::sha256_hex(digits.as_bytes())
    );
    assert!(!stored.contains(&digits));
    let mut lucas = app.client();
    login(&mut lucas, &login_id, &temporary).await.unwrap();
    choose_password(&mut lucas, &code).await;
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE login_id = '{login_id}' AND enrolment_code_hash IS NULL"
        ))
        .await,
        1,
        "spent"
    );
}
