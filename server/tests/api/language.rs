//! English: the server answers forms in the reader's language, and writes each user's e-mails
//! and SMS in the language they read (the adding administrator's, then their own).

use crate::helpers::{refused, spawn_app};
use crate::journey::{confirm_with_totp, prepare_lucas, wait_for_local_messages};
use app::api::session::ConfirmIdentity;
use app::api::types::CodeForm;

#[tokio::test]
async fn form_errors_come_in_the_readers_language() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let bad_code = || ConfirmIdentity {
        form: CodeForm {
            code: "12ab".into(),
        },
    };
    let french = refused(admin.call(bad_code()).await, 422);
    assert_eq!(
        french.error.unwrap().to_string(),
        "Le code est composé de 6 chiffres."
    );
    admin.accept_language = Some("en-GB,en;q=0.9,fr;q=0.5".into());
    let english = refused(admin.call(bad_code()).await, 422);
    let error = english.error.unwrap();
    assert_eq!(error.to_string(), "The code has 6 digits.");
    assert_eq!(error.field(), Some("code"), "the field stays");
}

#[tokio::test]
async fn a_user_added_by_an_english_reading_administrator_gets_english_messages() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    admin.accept_language = Some("en".into());
    let prepared = prepare_lucas(&app, &mut admin).await;
    let method = prepared
        .facts
        .iter()
        .find(|(label, _)| label == "Method")
        .map(|(_, value)| value.clone());
    assert_eq!(method.as_deref(), Some("Accountant profile"));
    confirm_with_totp(&app, &mut admin, &prepared)
        .await
        .unwrap();
    let messages = wait_for_local_messages(&app, 3).await;
    let mail = messages
        .iter()
        .find(|m| m.channel == "email" && m.recipient == "lucas.moreau@atelier-lumiere.fr")
        .unwrap();
    assert_eq!(mail.subject, "Your online banking login id");
    assert!(mail.body.contains("Your login id: "), "{}", mail.body);
    let sms = messages.iter().find(|m| m.channel == "sms").unwrap();
    assert!(
        sms.body.contains("your temporary password is"),
        "{}",
        sms.body
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM users WHERE language = 'en'")
            .await,
        1,
        "the new user reads English; the administrator signed in in French"
    );
}

#[tokio::test]
async fn why_a_right_is_held_or_not_is_said_in_the_readers_language() {
    use app::api::journal::LoadWhy;
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let user_id = app
        .user_id(app::backend::demo::JULIEN_BERNARD.login_id)
        .await;
    let french = admin.call(LoadWhy { user_id }).await.unwrap();
    admin.accept_language = Some("en".into());
    let english = admin.call(LoadWhy { user_id }).await.unwrap();
    assert_eq!(french.lines.len(), english.lines.len());
    for (fr, en) in french.lines.iter().zip(&english.lines) {
        assert_eq!((fr.held, fr.level), (en.held, en.level));
        if fr.held {
            assert!(fr.reason.starts_with("Accordé le "), "{}", fr.reason);
            assert!(en.reason.starts_with("Granted on "), "{}", en.reason);
            assert!(
                en.reason.contains(" at ")
                    && en.reason.contains(" by your advisor (Accountant profile)."),
                "{}",
                en.reason
            );
        } else {
            assert_eq!(fr.reason, "Jamais accordé.");
            assert_eq!(en.reason, "Never granted.");
        }
    }
    assert!(english.lines.iter().any(|line| line.held));
    assert!(english.lines.iter().any(|line| !line.held));
}
