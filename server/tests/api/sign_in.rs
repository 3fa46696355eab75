//! Signing in: password then strong authentication, generic failures, throttling, blocking.

use crate::helpers::{refused, spawn_app, spawn_on, TestApp};
use app::api::local_outbox::LocalOutbox;
use app::api::session::{CurrentSession, Home, Login, LoginTotp, Logout};
use app::api::types::{CodeForm, SignInForm};
use app::api::types::{HomeView, SessionInfo, Stage};
use app::api::users::ListUsers;
use app::api::ApiError;
use app::backend::demo::{DEMO_PASSWORD, JULIEN_BERNARD, SOPHIE_MARTIN};
use serde_json::json;

fn credentials(login_id: &str, password: &str) -> Login {
    Login {
        form: SignInForm {
            login_id: login_id.into(),
            password: password.into(),
        },
    }
}

#[tokio::test]
async fn an_administrator_signs_in_with_password_and_totp_and_sees_who_and_what() {
    let app = spawn_app().await;
    let mut client = app.sign_in_admin().await;
    let home: HomeView = client.call(Home {}).await.unwrap();
    assert_eq!(home.first_name, "Sophie");
    assert_eq!(home.entity.name, "Atelier Lumière SAS");
    assert_eq!(home.entity.siren, "812 345 676");
    assert!(home.is_administrator);
    assert_eq!(home.recap.lines.len(), 14, "6 accounts and 8 contracts");
    assert!(home.recap.lines[0].sentence.contains("profil dirigeant"));
    let info: Option<SessionInfo> = client.call(CurrentSession {}).await.unwrap();
    let info = info.unwrap();
    assert_eq!(info.stage, Stage::Full);
    assert!(info.is_administrator);
}

#[tokio::test]
async fn a_non_administrator_has_no_user_management() {
    let app = spawn_app().await;
    let mut client = app.sign_in(&JULIEN_BERNARD).await;
    let info: Option<SessionInfo> = client.call(CurrentSession {}).await.unwrap();
    assert!(!info.unwrap().is_administrator);
    let home: HomeView = client.call(Home {}).await.unwrap();
    assert!(!home.is_administrator);
    assert!(home
        .recap
        .lines
        .iter()
        .all(|l| l.sentence == "Consultation (profil comptable)"));
    let failure = refused(client.call(ListUsers {}).await, 403);
    assert_eq!(failure.error, Some(ApiError::Forbidden));
}

#[tokio::test]
async fn wrong_password_unknown_id_malformed_id_and_blocked_account_get_one_answer() {
    let app = spawn_app().await;
    app.execute("UPDATE users SET state = 'blocked' WHERE login_id = '1000000002'")
        .await;
    let mut client = app.client();
    let mut bodies = Vec::new();
    for (login_id, password) in [
        ("1000000001", "un mauvais mot de passe"),
        ("1234567890", DEMO_PASSWORD),
        ("pas-un-identifiant", DEMO_PASSWORD),
        ("1000000002", DEMO_PASSWORD),
    ] {
        let failure = refused(client.call(credentials(login_id, password)).await, 401);
        assert_eq!(failure.error, Some(ApiError::LoginFailed));
        bodies.push(failure.body);
    }
    assert!(
        bodies.windows(2).all(|pair| pair[0] == pair[1]),
        "{bodies:?}"
    );
    assert!(client.cookie.is_none(), "no session for a failed sign-in");
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn five_wrong_passwords_lock_password_sign_in_with_the_same_answer() {
    let app = spawn_app().await;
    let mut client = app.client();
    for _ in 0..5 {
        refused(
            client
                .call(credentials("1000000001", "pas le bon mot de passe"))
                .await,
            401,
        );
    }
    let locked = refused(
        client.call(credentials("1000000001", DEMO_PASSWORD)).await,
        401,
    );
    assert_eq!(locked.error, Some(ApiError::LoginFailed));
    // The lock lasts 15 minutes; once it is over the right password works again.
    app.execute("UPDATE users SET password_locked_until = 1 WHERE login_id = '1000000001'")
        .await;
    let stage: Stage = client
        .call(credentials("1000000001", DEMO_PASSWORD))
        .await
        .unwrap();
    assert!(matches!(stage, Stage::Sca { .. }));
}

#[tokio::test]
async fn sessions_get_a_new_id_at_sign_in_and_after_strong_authentication() {
    let app = spawn_app().await;
    let mut client = app.after_password("1000000001").await;
    let first = client.cookie.clone().unwrap();
    let _: Stage = client
        .call(credentials("1000000001", DEMO_PASSWORD))
        .await
        .unwrap();
    let second = client.cookie.clone().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM sessions").await,
        1,
        "signing in again ends the browser's previous session"
    );
    let code = app
        .fresh_code(SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id)
        .await;
    let () = client
        .call(LoginTotp {
            form: CodeForm { code: code.clone() },
        })
        .await
        .unwrap();
    let full = client.cookie.clone().unwrap();
    assert_ne!(full, second);
    // The token seen before the strong authentication is worthless after it.
    client.cookie = Some(second);
    let failure = refused(client.call(Home {}).await, 401);
    assert_eq!(failure.error, Some(ApiError::Unauthenticated));
    client.cookie = Some(full);
    let _: HomeView = client.call(Home {}).await.unwrap();
}

#[tokio::test]
async fn a_password_alone_reaches_nothing() {
    let app = spawn_app().await;
    let mut client = app.after_password("1000000001").await;
    for endpoint in [
        "accueil",
        "utilisateurs",
        "ajout/personnes",
        "session/prolonger",
    ] {
        let failure = refused(
            client
                .call_raw::<serde_json::Value>(endpoint, json!({}))
                .await,
            401,
        );
        assert_eq!(failure.error, Some(ApiError::Unauthenticated), "{endpoint}");
    }
}

#[tokio::test]
async fn the_session_cookie_is_host_prefixed_secure_http_only_and_strict() {
    let app = spawn_app().await;
    let client = app.after_password("1000000001").await;
    let cookie = client.last_set_cookie.clone().unwrap();
    assert!(cookie.starts_with("__Host-habilis="), "{cookie}");
    for attribute in ["; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Domain="));
    // At least 128 bits: 32 random bytes, base64url.
    assert!(client.cookie.unwrap().len() >= 43);
}

#[tokio::test]
async fn five_wrong_codes_block_the_user_after_a_warning_and_the_bank_can_unblock() {
    let app = spawn_app().await;
    let mut client = app.after_password("1000000001").await;
    let right = app
        .fresh_code(SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id)
        .await;
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    for attempt in 1..=4u32 {
        let failure = refused(
            client
                .call(LoginTotp {
                    form: CodeForm {
                        code: wrong.clone(),
                    },
                })
                .await,
            401,
        );
        assert_eq!(
            failure.error,
            Some(ApiError::ScaFailed {
                remaining: 5 - attempt
            })
        );
        let message = failure.error.unwrap().to_string();
        assert!(
            !message.contains("code"),
            "never says which element: {message}"
        );
        if attempt == 4 {
            assert!(message.contains("au prochain échec, votre accès sera bloqué"));
        }
    }
    let blocked = refused(
        client
            .call(LoginTotp {
                form: CodeForm {
                    code: wrong.clone(),
                },
            })
            .await,
        423,
    );
    assert_eq!(blocked.error, Some(ApiError::Blocked));
    assert_eq!(
        app.scalar_i64(
            "SELECT COUNT(*) FROM users WHERE login_id = '1000000001' AND state = 'blocked'"
        )
        .await,
        1
    );
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM sessions").await, 0);
    // Blocked: even the right password and code do not get in.
    let failure = refused(
        app.client()
            .call(credentials("1000000001", DEMO_PASSWORD))
            .await,
        401,
    );
    assert_eq!(failure.error, Some(ApiError::LoginFailed));
    // The documented way back: the bank unblocks after checking the person's identity.
    assert!(server::admin::unblock(
        &app.db,
        &app.state.secrets,
        "1000000001",
        "conseiller C. Dubois"
    )
    .await
    .unwrap());
    let mut client = app.sign_in_admin().await;
    let _: HomeView = client.call(Home {}).await.unwrap();
    let kinds: Vec<String> = app::backend::audit::events(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert!(kinds.contains(&"utilisateur_bloque".to_string()));
    assert!(kinds.contains(&"utilisateur_debloque".to_string()));
}

#[tokio::test]
async fn a_totp_code_is_accepted_only_once() {
    let app = spawn_app().await;
    let mut first = app.after_password("1000000001").await;
    let code = app
        .fresh_code(SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id)
        .await;
    let () = first
        .call(LoginTotp {
            form: CodeForm { code: code.clone() },
        })
        .await
        .unwrap();
    let mut second = app.after_password("1000000001").await;
    let replay = refused(
        second
            .call(LoginTotp {
                form: CodeForm { code: code.clone() },
            })
            .await,
        401,
    );
    // Answered exactly as a wrong code (the answer never confirms that a guess was right),
    // counted like one, and recorded as a security event.
    let wrong = refused(
        app.after_password("1000000001")
            .await
            .call(LoginTotp {
                form: CodeForm {
                    code: format!(
                        "{:06}",
                        (code.parse::<u32>().unwrap() + 500_000) % 1_000_000
                    ),
                },
            })
            .await,
        401,
    );
    assert_eq!(replay.error, Some(ApiError::ScaFailed { remaining: 4 }));
    assert_eq!(wrong.error, Some(ApiError::ScaFailed { remaining: 3 }));
    assert_eq!(
        replay.body.replace('4', "N"),
        wrong.body.replace('3', "N"),
        "same body but for the count"
    );
    assert_eq!(
        app.scalar_i64("SELECT failed_sca_count FROM users WHERE login_id = '1000000001'")
            .await,
        2
    );
    let replays: Vec<_> = app::backend::audit::events(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.kind == "echec_authentification_forte" && e.details["motif"] == "deja_utilise"
        })
        .collect();
    assert_eq!(replays.len(), 1, "the replay is a security event");
}

/// Thirty wrong codes at once: at most five are ever evaluated, then the user is blocked.
#[tokio::test]
async fn thirty_parallel_wrong_codes_evaluate_at_most_five() {
    let app = spawn_app().await;
    let mut clients = Vec::new();
    for _ in 0..30 {
        clients.push(app.after_password("1000000001").await);
    }
    let code = app
        .fresh_code(SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id)
        .await;
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    let attempts: Vec<_> = clients
        .into_iter()
        .map(|mut client| {
            let wrong = wrong.clone();
            tokio::spawn(async move {
                client
                    .call(LoginTotp {
                        form: CodeForm { code: wrong },
                    })
                    .await
                    .map_err(|f| f.status)
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap().unwrap_err());
    }
    assert!(
        statuses.iter().all(|s| *s == 401 || *s == 423),
        "{statuses:?}"
    );
    let evaluated = app
        .scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'echec_authentification_forte'")
        .await;
    assert_eq!(evaluated, 5, "exactly five wrong codes evaluated");
    assert_eq!(
        app.scalar_i64(
            "SELECT COUNT(*) FROM users WHERE login_id = '1000000001' AND state = 'blocked'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_malformed_code_is_refused_with_a_french_message_and_counts_nothing() {
    let app = spawn_app().await;
    let mut client = app.after_password("1000000001").await;
    let failure = refused(
        client
            .call(LoginTotp {
                form: CodeForm {
                    code: "12ab".into(),
                },
            })
            .await,
        422,
    );
    assert_eq!(
        failure.error,
        Some(ApiError::invalid(
            "code",
            "Le code est composé de 6 chiffres."
        ))
    );
    assert_eq!(
        app.scalar_i64("SELECT failed_sca_count FROM users WHERE login_id = '1000000001'")
            .await,
        0
    );
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let mut client = app.sign_in_admin().await;
    let token = client.cookie.clone().unwrap();
    let () = client.call(Logout {}).await.unwrap();
    assert!(client.cookie.is_none(), "the cookie is cleared");
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM sessions").await, 0);
    client.cookie = Some(token);
    refused(client.call(Home {}).await, 401);
}

#[tokio::test]
async fn demo_accounts_are_refused_in_production() {
    let local = spawn_app().await;
    let url = match local.db.backend() {
        app::backend::store::Backend::Sqlite => sqlite_url_of(&local),
        app::backend::store::Backend::Postgres => postgres_url_of(&local).await,
    };
    let production = spawn_on(
        &url,
        None,
        &[
            ("HABILIS_MODE", "production"),
            ("HABILIS_DELIVERY", "real"),
            ("HABILIS_SMTP_HOST", "127.0.0.1"),
            ("HABILIS_SMS_GATEWAY_URL", "http://127.0.0.1:9/sms"),
            ("HABILIS_PUBLIC_URL", "https://banque.example"),
        ],
    )
    .await;
    let mut client = production.client_behind_proxy("https://banque.example");
    let failure = refused(
        client
            .call(credentials(SOPHIE_MARTIN.login_id, DEMO_PASSWORD))
            .await,
        401,
    );
    assert_eq!(failure.error, Some(ApiError::LoginFailed));
    // The local outbox page does not exist in production.
    let failure = refused(client.call(LocalOutbox {}).await, 404);
    assert_eq!(failure.error, Some(ApiError::NotFound));
}

fn sqlite_url_of(app: &TestApp) -> String {
    app.state.config.database_url.clone()
}

async fn postgres_url_of(app: &TestApp) -> String {
    app.state.config.database_url.clone()
}
