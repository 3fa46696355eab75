//! Server functions are a public API: `server/authorization-matrix.json` says who may call each
//! one. This test fails when a registered function is missing from the matrix (or the matrix
//! names one that does not exist), and checks every cell by calling the function as each role.

use crate::helpers::{spawn_app, Client, Failure, TestApp};
use app::api::session::Login;
use app::api::types::SignInForm;
use app::api::types::Stage;
use app::api::ApiError;
use app::backend::demo::{JULIEN_BERNARD, NADIA_PETIT, SOPHIE_MARTIN};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const ROLES: [&str; 7] = [
    "anonyme",
    "mot_de_passe_seul",
    "premiere_connexion",
    "utilisateur",
    "auditeur",
    "administrateur",
    "conseiller",
];

fn matrix() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/authorization-matrix.json"
    ))
    .expect("authorization matrix");
    serde_json::from_str(&text).expect("matrix is JSON")
}

#[test]
fn every_server_function_is_in_the_matrix_and_nothing_else() {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| {
            assert_eq!(method, http::Method::POST, "{path} must be a POST");
            path.to_string()
        })
        .collect();
    let matrix = matrix();
    let listed: BTreeSet<String> = matrix["functions"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let missing: Vec<_> = registered.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "not in the authorization matrix: {missing:?}"
    );
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "in the matrix but not registered: {stale:?}"
    );
    for (path, entry) in matrix["functions"].as_object().unwrap() {
        for role in ROLES {
            let cell = entry[role].as_str();
            assert!(
                matches!(cell, Some("allow" | "deny")),
                "{path}: {role} must be allow or deny"
            );
        }
        assert!(path.starts_with("/api/"));
    }
}

/// Replaces `$user:LOGIN_ID` and `$person:LAST_NAME` with ids.
async fn resolve(app: &TestApp, value: &Value) -> Value {
    match value {
        Value::String(text) if text.starts_with("$user:") => {
            json!(app.user_id(&text["$user:".len()..]).await)
        }
        Value::String(text) if text.starts_with("$person:") => json!(
            app.scalar_i64(&format!(
                "SELECT id FROM persons WHERE last_name = '{}'",
                &text["$person:".len()..]
            ))
            .await
        ),
        Value::Object(map) => {
            let mut resolved = serde_json::Map::new();
            for (key, value) in map {
                resolved.insert(key.clone(), Box::pin(resolve(app, value)).await);
            }
            Value::Object(resolved)
        }
        other => other.clone(),
    }
}

/// A user awaiting their first login, with a known temporary password.
async fn new_user(app: &TestApp) -> (&'static str, &'static str) {
    let (login_id, password) = ("5000000001", "Provisoire-2026-xyz");
    let hash = app::backend::password::hash_now(password).unwrap();
    let person = app
        .scalar_i64("SELECT id FROM persons WHERE last_name = 'MOREAU'")
        .await;
    sqlx::query(
        "INSERT INTO users (entity_id, person_id, login_id, email, state, temp_password_hash, \
         temp_password_expires_at, created_at) \
         SELECT entity_id, id, $1, email, 'awaiting_first_login', $2, $3, $4 FROM persons WHERE id = $5",
    )
    .bind(login_id)
    .bind(hash)
    .bind(app::backend::store::now() + 3600)
    .bind(app::backend::store::now())
    .bind(person)
    .execute(app.db.pool())
    .await
    .unwrap();
    (login_id, password)
}

async fn client_as(app: &TestApp, role: &str) -> Client {
    match role {
        "anonyme" => app.client(),
        "mot_de_passe_seul" => {
            let mut client = app.client();
            let _: Stage = client
                .call(Login {
                    form: SignInForm {
                        login_id: SOPHIE_MARTIN.login_id.into(),
                        password: (app::backend::demo::DEMO_PASSWORD).into(),
                    },
                })
                .await
                .unwrap();
            client
        }
        "premiere_connexion" => {
            // A new user's temporary password works once: each call gets a fresh one.
            app.execute("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE login_id = '5000000001')").await;
            app.execute(
                "UPDATE users SET temp_password_used_at = NULL WHERE login_id = '5000000001'",
            )
            .await;
            let mut client = app.client();
            let stage: Stage = client
                .call(Login {
                    form: SignInForm {
                        login_id: "5000000001".into(),
                        password: "Provisoire-2026-xyz".into(),
                    },
                })
                .await
                .unwrap();
            assert_eq!(stage, Stage::NewPassword);
            client
        }
        "utilisateur" => app.sign_in(&JULIEN_BERNARD).await,
        "auditeur" => {
            app.execute(&format!(
                "UPDATE users SET is_auditor = 1 WHERE login_id = '{}'",
                NADIA_PETIT.login_id
            ))
            .await;
            app.sign_in(&NADIA_PETIT).await
        }
        "administrateur" => app.sign_in(&SOPHIE_MARTIN).await,
        "conseiller" => {
            app.sign_in_advisor(&app::backend::demo::CLAIRE_DUBOIS)
                .await
        }
        other => panic!("unknown role {other}"),
    }
}

fn is_denial(result: &Result<Value, Failure>) -> bool {
    matches!(
        result,
        Err(Failure {
            error: Some(ApiError::Unauthenticated | ApiError::Forbidden),
            ..
        })
    )
}

#[tokio::test]
async fn every_function_answers_each_role_as_the_matrix_says() {
    let app = spawn_app().await;
    new_user(&app).await;
    let matrix = matrix();
    let mut mismatches = Vec::new();
    for (path, entry) in matrix["functions"].as_object().unwrap() {
        let endpoint = path.trim_start_matches("/api/");
        let body = resolve(&app, &entry["body"]).await;
        for role in ROLES {
            let mut client = client_as(&app, role).await;
            let result: Result<Value, Failure> = if entry["form"] == true {
                client.submit_raw(endpoint, &body).await
            } else {
                client.call_raw(endpoint, body.clone()).await
            };
            let expected_denial = entry[role] == "deny";
            if is_denial(&result) != expected_denial {
                mismatches.push(format!("{path} as {role}: {result:?}"));
            }
            // Keep the strong-authentication counters clean between calls.
            app.execute("UPDATE users SET failed_sca_count = 0").await;
            app.execute("UPDATE advisors SET failed_sca_count = 0")
                .await;
        }
        if let Some(other) = entry.get("autre_entite") {
            let mut admin = client_as(&app, "administrateur").await;
            let (theirs, missing) = (
                resolve(&app, &other["body"]).await,
                resolve(&app, &other["comme"]).await,
            );
            let (theirs, missing): (Result<Value, Failure>, Result<Value, Failure>) =
                if entry["form"] == true {
                    (
                        admin.submit_raw(endpoint, &theirs).await,
                        admin.submit_raw(endpoint, &missing).await,
                    )
                } else {
                    (
                        admin.call_raw(endpoint, theirs).await,
                        admin.call_raw(endpoint, missing).await,
                    )
                };
            match (theirs, missing) {
                (Err(theirs), Err(missing)) => {
                    assert_eq!(theirs.status, 404, "{path}: {theirs:?}");
                    assert_eq!(missing.status, 404, "{path}: {missing:?}");
                    assert_eq!(theirs.body, missing.body, "{path}: same answer as missing");
                }
                other => mismatches.push(format!("{path} about entity B: {other:?}")),
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
