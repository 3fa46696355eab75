//! Web hardening: CSRF defence, JSON only, no GET, body size, unknown fields, headers, host.

use crate::helpers::{refused, spawn_app};
use app::api::session::{Home, Login};
use app::api::types::HomeView;
use app::api::ApiError;
use app::backend::demo::DEMO_PASSWORD;
use leptos::server_fn::ServerFn as _;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, ORIGIN};
use serde_json::json;

/// The sign-in form as a browser posts it.
fn login_form() -> String {
    format!("form%5Blogin_id%5D=1000000001&form%5Bpassword%5D={DEMO_PASSWORD}")
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn a_cross_site_post_to_a_server_function_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let mut client = app.client();
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "Fetch Metadata says cross-site",
            vec![
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://evil.example"),
            ],
        ),
        (
            "Fetch Metadata says same-site",
            vec![("sec-fetch-site", "same-site")],
        ),
        ("another Origin", vec![("origin", "https://evil.example")]),
        ("neither header", vec![]),
    ];
    // A form on another site can post url-encoded or plain text; a script, JSON.
    for content_type in [FORM, "text/plain", "application/json"] {
        for (case, headers) in &cases {
            let mut map = HeaderMap::new();
            map.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
            for (name, value) in headers {
                map.insert(
                    reqwest::header::HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                );
            }
            let response = client.post("connexion", login_form(), map).await;
            assert_eq!(response.status().as_u16(), 403, "{case}, {content_type}");
            let error: ApiError = response.json().await.unwrap();
            assert_eq!(error, ApiError::Forbidden, "{case}");
        }
    }
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM sessions").await, 0);
    // The same form from the site itself works.
    let mut map = HeaderMap::new();
    map.insert(CONTENT_TYPE, HeaderValue::from_static(FORM));
    map.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
    let response = client.post("connexion", login_form(), map).await;
    assert_eq!(response.status().as_u16(), 200);
}

/// Forms post url-encoded `form[…]` fields (so they work without the wasm); any other field,
/// a field the form does not have, and any other body type are refused, and change nothing.
#[tokio::test]
async fn a_form_post_carries_its_form_fields_only_and_other_bodies_are_refused() {
    let app = spawn_app().await;
    let mut client = app.client();
    let origin = client.same_origin_headers();
    let post = |content_type: &'static str| {
        let mut headers = origin.clone();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        headers
    };
    for (body, content_type, status) in [
        (
            format!("login_id=1000000001&password={DEMO_PASSWORD}"),
            FORM,
            422,
        ),
        (format!("{}&admin=true", login_form()), FORM, 422),
        (format!("{}&form%5Bentity_id%5D=2", login_form()), FORM, 422),
        (login_form(), "text/plain", 415),
        (login_form(), "multipart/form-data; boundary=x", 415),
    ] {
        let headers = post(content_type);
        let response = client.post("connexion", body.clone(), headers).await;
        assert_eq!(
            response.status().as_u16(),
            status,
            "{body} as {content_type}"
        );
    }
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM sessions").await, 0);
    let response = client.post("connexion", login_form(), post(FORM)).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM sessions").await, 1);
}

/// A password in an address stays in histories and logs: the server refuses such a GET with a
/// page that says why, and never runs it.
#[tokio::test]
async fn a_get_carrying_a_password_is_refused_with_a_clear_page() {
    let app = spawn_app().await;
    let mut client = app.client();
    for path in [
        format!("/connexion?username=1000000001&password={DEMO_PASSWORD}"),
        format!("/connexion?form%5Blogin_id%5D=1000000001&form%5Bpassword%5D={DEMO_PASSWORD}"),
        "/api/connexion?form[password]=x".to_string(),
        "/connexion/authentification?form[code]=123456".to_string(),
    ] {
        let response = client.get(&path).await;
        assert_eq!(response.status().as_u16(), 400, "{path}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("ne doit jamais figurer dans une adresse"),
            "{page}"
        );
        assert!(!page.contains(DEMO_PASSWORD));
    }
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM sessions").await, 0);
    let page = client.get("/connexion?raison=inactivite").await;
    assert_eq!(page.status().as_u16(), 200);
}

#[tokio::test]
async fn server_functions_never_answer_get() {
    let app = spawn_app().await;
    let mut client = app.sign_in_admin().await;
    for path in ["/api/accueil", "/api/deconnexion", "/api/connexion"] {
        let response = client.get(path).await;
        assert_eq!(response.status().as_u16(), 405, "{path}");
    }
    // Still signed in: the GET to « deconnexion » changed nothing.
    let _: HomeView = client.call(Home {}).await.unwrap();
}

#[tokio::test]
async fn oversized_bodies_and_unknown_fields_are_refused() {
    let app = spawn_app().await;
    let mut client = app.client();
    let huge = json!({ "login_id": "1000000001", "password": "x".repeat(100_000) }).to_string();
    let response = client
        .post("connexion", huge, client.same_origin_headers())
        .await;
    assert_eq!(response.status().as_u16(), 413);
    let failure = refused(
        client
            .call_raw::<serde_json::Value>(
                Login::PATH.trim_start_matches("/api/"),
                json!({ "login_id": "1000000001", "password": DEMO_PASSWORD, "entity_id": 2 }),
            )
            .await,
        422,
    );
    assert_eq!(
        failure.error,
        Some(ApiError::Invalid {
            field: None,
            message: "La requête est invalide.".into()
        })
    );
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM sessions").await, 0);
}

#[tokio::test]
async fn pages_carry_a_nonce_based_csp_and_the_hardening_headers() {
    let app = spawn_app().await;
    let mut client = app.client();
    let response = client.get("/connexion").await;
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    let html = response.text().await.unwrap();
    let csp = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP");
    assert!(nonce.len() >= 16);
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script carries it"
    );
    for directive in [
        "'wasm-unsafe-eval'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{csp} lacks {directive}");
    }
    assert!(!csp.contains("unsafe-inline"));
    let hsts = headers["strict-transport-security"].to_str().unwrap();
    let max_age: u64 = hsts
        .trim_start_matches("max-age=")
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(max_age >= 31_536_000);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(
        html.contains("lang=\"fr\""),
        "the page is French by default"
    );
    // A second page gets another nonce.
    let again = client.get("/connexion").await;
    assert_ne!(
        again.headers()["content-security-policy"],
        headers["content-security-policy"]
    );
}

#[tokio::test]
async fn api_answers_allow_nothing_to_run_and_are_not_cached() {
    let app = spawn_app().await;
    let mut client = app.client();
    let response = client
        .post("session/info", "{}".into(), client.same_origin_headers())
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.starts_with("default-src 'none'"));
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn another_host_name_is_redirected_to_the_public_one() {
    let app = spawn_app().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http
        .get(format!("http://{}/connexion?raison=x", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 308);
    assert_eq!(
        response.headers()["location"],
        format!("{}/connexion?raison=x", app.url).as_str()
    );
    let response = http
        .post(format!("http://{}/api/connexion", app.addr))
        .header(ORIGIN, &app.url)
        .header(CONTENT_TYPE, FORM)
        .body(login_form())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 421);
}

/// Every route's answer, refusals and errors included, carries the hardening headers; answers
/// that depend on where a request came from say so to caches (`Vary`).
#[tokio::test]
async fn every_answer_carries_the_hardening_headers_errors_included() {
    let app = spawn_app().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = |path: &str| format!("{}{path}", app.url);
    let same_origin = app.client().same_origin_headers();
    let requests = vec![
        ("page", http.get(url("/connexion"))),
        ("redirect", http.get(url("/accueil"))),
        ("missing page", http.get(url("/nulle-part"))),
        ("missing file", http.get(url("/pkg/absent.wasm"))),
        ("password in a GET", http.get(url("/connexion?password=x"))),
        ("language switch", http.get(url("/langue/en"))),
        ("server function by GET", http.get(url("/api/accueil"))),
        (
            "no session",
            http.post(url("/api/accueil"))
                .headers(same_origin.clone())
                .body("{}"),
        ),
        (
            "cross-site",
            http.post(url("/api/connexion"))
                .header("sec-fetch-site", "cross-site")
                .header(CONTENT_TYPE, FORM)
                .body(login_form()),
        ),
        (
            "too large",
            http.post(url("/api/connexion"))
                .headers(same_origin.clone())
                .body("x".repeat(200 * 1024)),
        ),
        (
            "unknown function",
            http.post(url("/api/inconnue"))
                .headers(same_origin.clone())
                .body("{}"),
        ),
    ];
    for (what, request) in requests {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers();
        for name in [
            "strict-transport-security",
            "x-content-type-options",
            "x-frame-options",
            "referrer-policy",
            "content-security-policy",
            "cross-origin-opener-policy",
            "cache-control",
        ] {
            assert!(headers.contains_key(name), "{what} ({status}) lacks {name}");
        }
        let vary: Vec<String> = headers
            .get_all("vary")
            .iter()
            .map(|v| v.to_str().unwrap().to_lowercase())
            .collect();
        if what != "missing file" {
            let vary = vary.join(", ");
            assert!(
                vary.contains("origin") && vary.contains("sec-fetch-site"),
                "{what} ({status}): vary = {vary}"
            );
        }
    }
}
