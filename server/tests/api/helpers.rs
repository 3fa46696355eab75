//! Test harness: every test starts the real application on port 0 with a fresh database
//! (SQLite file, or a new PostgreSQL database when `HABILIS_TEST_DATABASE=postgres`), seeded
//! with the demo data, and talks to it over HTTP like a browser would.

use app::api::session::{Login, LoginTotp};
use app::api::types::Stage;
use app::api::types::{CodeForm, SignInForm};
use app::api::ApiError;
use app::backend::demo::{self, DemoUser, DEMO_PASSWORD};
use app::backend::store::Db;
use app::backend::totp;
use app::backend::AppState;
use leptos::server_fn::ServerFn;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, COOKIE, ORIGIN, SET_COOKIE};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use server::startup::Application;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

pub struct TestApp {
    /// `http://localhost:{port}`, the public origin.
    pub url: String,
    pub addr: SocketAddr,
    pub db: Db,
    pub state: AppState,
    sqlite_file: Option<PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(path) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

pub fn using_postgres() -> bool {
    std::env::var("HABILIS_TEST_DATABASE").as_deref() == Ok("postgres")
}

pub fn random_name() -> String {
    use rand::Rng as _;
    format!("{:016x}", rand::thread_rng().gen::<u64>())
}

/// A new, empty database; its URL, and the SQLite file to remove afterwards.
pub async fn fresh_database() -> (String, Option<PathBuf>) {
    if using_postgres() {
        use sqlx::Connection as _;
        let base = std::env::var("HABILIS_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let name = format!("habilis_test_{}", random_name());
        let mut conn = sqlx::postgres::PgConnection::connect(&base)
            .await
            .expect("PostgreSQL reachable (HABILIS_TEST_POSTGRES_URL)");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let (head, _) = base.rsplit_once('/').expect("database URL with a path");
        (format!("{head}/{name}"), None)
    } else {
        let path = std::env::temp_dir().join(format!("habilis-test-{}.db", random_name()));
        (format!("sqlite://{}?mode=rwc", path.display()), Some(path))
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the application with extra environment variables.
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let (database_url, sqlite_file) = fresh_database().await;
    spawn_on(&database_url, sqlite_file, vars).await
}

/// Starts an application on an existing database (a second instance, a restart…).
pub async fn spawn_on(
    database_url: &str,
    sqlite_file: Option<PathBuf>,
    vars: &[(&str, &str)],
) -> TestApp {
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url.to_string()),
        ("HABILIS_ADDR".into(), "127.0.0.1:0".into()),
        ("HABILIS_SECRET_KEY".into(), "2a".repeat(32)),
        ("HABILIS_SITE_ROOT".into(), "../target/site".into()),
    ]);
    for (key, value) in vars {
        env.insert((*key).into(), (*value).into());
    }
    let config = app::backend::config::Config::from_lookup(|k| env.get(k).cloned())
        .expect("valid test configuration");
    let application = Application::build(config)
        .await
        .expect("application starts");
    let app = TestApp {
        url: application.public_url().to_string(),
        addr: application.local_addr(),
        db: application.state().db.clone(),
        state: application.state().clone(),
        sqlite_file,
    };
    tokio::spawn(application.run_until_stopped());
    app
}

/// PostgreSQL: another instance on `owner`'s database, connected as a login role of
/// `habilis_app` (which owns no table), as production runs it.
pub async fn spawn_as_application_role(owner: &TestApp) -> TestApp {
    sqlx::query(
        "DO $$ BEGIN CREATE ROLE habilis_test_server LOGIN IN ROLE habilis_app; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
    )
    .execute(owner.db.pool())
    .await
    .expect("the application's login role");
    let url = owner.state.config.database_url.replacen(
        "postgres://postgres@",
        "postgres://habilis_test_server@",
        1,
    );
    assert_ne!(
        url, owner.state.config.database_url,
        "a database URL with the owner's name"
    );
    spawn_on(&url, None, &[]).await
}

impl TestApp {
    /// A browser-like client with its own cookie.
    pub fn client(&self) -> Client {
        Client::new(&self.url, self.addr)
    }

    /// A client that reaches this instance directly but presents `public_url` as its origin
    /// and host, as a browser behind the bank's TLS proxy would.
    pub fn client_behind_proxy(&self, public_url: &str) -> Client {
        let mut client = self.client();
        client.url = format!("http://{}", self.addr);
        client.origin = public_url.to_string();
        client.host = public_url.split_once("://").map(|(_, h)| h.to_string());
        client
    }

    pub async fn scalar_i64(&self, sql: &str) -> i64 {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(self.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    pub async fn execute(&self, sql: &str) {
        sqlx::query(sql)
            .execute(self.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    pub async fn user_id(&self, login_id: &str) -> i64 {
        self.scalar_i64(&format!(
            "SELECT id FROM users WHERE login_id = '{login_id}' AND login_user_id IS NULL"
        ))
        .await
    }

    /// A TOTP code of `user` that has not been used yet (accepted: current step or the next).
    pub async fn fresh_code(&self, secret_base32: &str, login_id: &str) -> String {
        fresh_code(&self.db, secret_base32, login_id).await
    }

    /// A client past the password step of `login_id` (strong authentication pending).
    pub async fn after_password(&self, login_id: &str) -> Client {
        let mut client = self.client();
        let stage: Stage = client
            .call(Login {
                form: SignInForm {
                    login_id: login_id.into(),
                    password: DEMO_PASSWORD.into(),
                },
            })
            .await
            .expect("password accepted");
        assert!(matches!(stage, Stage::Sca { .. }), "{stage:?}");
        client
    }

    /// Signs a demo user in with password and TOTP; returns the signed-in client.
    pub async fn sign_in(&self, user: &DemoUser) -> Client {
        let mut client = self.after_password(user.login_id).await;
        let code = self.fresh_code(user.totp_secret, user.login_id).await;
        client
            .call(LoginTotp {
                form: CodeForm { code },
            })
            .await
            .expect("code accepted");
        client
    }

    pub async fn sign_in_admin(&self) -> Client {
        self.sign_in(&demo::SOPHIE_MARTIN).await
    }

    /// Signs a demo advisor in to « Espace conseiller » (password and code in one form).
    pub async fn sign_in_advisor(&self, advisor: &demo::DemoAdvisor) -> Client {
        let mut client = self.client();
        let code = fresh_advisor_code(&self.db, advisor).await;
        client
            .call(app::api::advisor::AdvisorLogin {
                form: app::api::types::AdvisorSignInForm {
                    login_id: advisor.login_id.into(),
                    password: DEMO_PASSWORD.into(),
                    code,
                },
            })
            .await
            .expect("advisor signed in");
        assert!(
            client.advisor_cookie.is_some(),
            "the advisor's cookie is set"
        );
        client
    }
}

/// A TOTP code of `login_id` that has not been used yet: the current step, or the next (one
/// step of drift is accepted). When both are spent, a test does not wait 30 seconds: it forgets
/// the last use.
pub async fn fresh_code(db: &Db, secret_base32: &str, login_id: &str) -> String {
    fresh_code_of("users", db, secret_base32, login_id).await
}

/// [`fresh_code`] for a demo advisor of « Espace conseiller ».
pub async fn fresh_advisor_code(db: &Db, advisor: &demo::DemoAdvisor) -> String {
    fresh_code_of("advisors", db, advisor.totp_secret, advisor.login_id).await
}

async fn fresh_code_of(table: &str, db: &Db, secret_base32: &str, login_id: &str) -> String {
    let secret = totp::base32_decode(secret_base32).expect("base32 secret");
    // A user's login: the row holding it, not the person's rows of other entities of a group.
    let login = if table == "users" {
        "login_id = $1 AND login_user_id IS NULL"
    } else {
        "login_id = $1"
    };
    let last: Option<i64> =
        sqlx::query_scalar(&format!("SELECT totp_last_step FROM {table} WHERE {login}"))
            .bind(login_id)
            .fetch_one(db.pool())
            .await
            .expect("user exists");
    let current = totp::step_at(app::backend::store::now());
    let step = match last {
        Some(last) if last > current => {
            sqlx::query(&format!(
                "UPDATE {table} SET totp_last_step = NULL WHERE {login}"
            ))
            .bind(login_id)
            .execute(db.pool())
            .await
            .expect("reset");
            current
        }
        Some(last) if last >= current => current + 1,
        _ => current,
    };
    totp::code_at_step(&secret, step)
}

/// A refused call: the HTTP status, the decoded error and the raw body.
#[derive(Debug)]
pub struct Failure {
    pub status: u16,
    pub error: Option<ApiError>,
    pub body: String,
}

impl Failure {
    /// The error's message (in French: tests send no preferred language), else the body.
    pub fn message(&self) -> String {
        self.error
            .as_ref()
            .map_or_else(|| self.body.clone(), ToString::to_string)
    }

    /// The form field the error is about.
    pub fn field(&self) -> Option<&str> {
        self.error.as_ref().and_then(ApiError::field)
    }
}

pub struct Client {
    http: reqwest::Client,
    pub url: String,
    /// The `Origin` sent with calls.
    pub origin: String,
    /// A `Host` header to send instead of the URL's.
    host: Option<String>,
    /// The session token, as a browser would keep the cookie.
    pub cookie: Option<String>,
    /// The advisor's session token (« Espace conseiller »), kept apart from the user's.
    pub advisor_cookie: Option<String>,
    /// The last `Set-Cookie` header received.
    pub last_set_cookie: Option<String>,
    /// The browser's `Accept-Language`, if any.
    pub accept_language: Option<String>,
}

impl Client {
    /// A client of the instance at `addr`, whose public origin is `url`.
    pub fn new(url: &str, addr: SocketAddr) -> Client {
        Client {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                // `localhost` always means this instance, whatever the resolver prefers.
                .resolve("localhost", addr)
                .build()
                .expect("http client"),
            url: url.to_string(),
            origin: url.to_string(),
            host: None,
            cookie: None,
            advisor_cookie: None,
            last_set_cookie: None,
            accept_language: None,
        }
    }

    /// Calls a server function like the app does, through its generated type (so a renamed
    /// function or field breaks the build): POST to its path, JSON, same origin, with the cookie.
    pub async fn call<F>(&mut self, args: F) -> Result<F::Output, Failure>
    where
        F: ServerFn + Serialize,
        F::Output: DeserializeOwned,
    {
        let endpoint = F::PATH.trim_start_matches("/api/");
        // A form's function takes url-encoded arguments (`form[field]=…`), as the browser posts
        // them; the others take JSON.
        let form = std::any::type_name::<F::Protocol>().contains("PostUrl");
        if form {
            let body = serde_qs::to_string(&args).expect("arguments encode");
            let mut headers = self.same_origin_headers();
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
            let response = self.post(endpoint, body, headers).await;
            return Self::answer(endpoint, response).await;
        }
        let body = serde_json::to_value(&args).expect("arguments serialise");
        self.call_raw(endpoint, body).await
    }

    /// Posts a form to a server function by path, its fields given as JSON (`{"form": {…}}`).
    pub async fn submit_raw<T: DeserializeOwned>(
        &mut self,
        endpoint: &str,
        fields: &Value,
    ) -> Result<T, Failure> {
        let body = serde_qs::to_string(fields).expect("fields encode");
        let mut headers = self.same_origin_headers();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let response = self.post(endpoint, body, headers).await;
        Self::answer(endpoint, response).await
    }

    async fn answer<T: DeserializeOwned>(
        endpoint: &str,
        response: reqwest::Response,
    ) -> Result<T, Failure> {
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        if (200..300).contains(&status) {
            Ok(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{endpoint}: {e}: {text}")))
        } else {
            Err(Failure {
                status,
                error: serde_json::from_str(&text).ok(),
                body: text,
            })
        }
    }

    /// Calls a server function by path with any JSON body: for the authorization matrix and for
    /// bodies the app would never send.
    pub async fn call_raw<T: DeserializeOwned>(
        &mut self,
        endpoint: &str,
        body: Value,
    ) -> Result<T, Failure> {
        let response = self
            .post(endpoint, body.to_string(), self.same_origin_headers())
            .await;
        Self::answer(endpoint, response).await
    }

    pub fn same_origin_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ORIGIN, HeaderValue::from_str(&self.origin).expect("origin"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers
    }

    /// A POST with exactly these headers (plus the cookie).
    pub async fn post(
        &mut self,
        endpoint: &str,
        body: String,
        headers: HeaderMap,
    ) -> reqwest::Response {
        self.try_post(endpoint, body, headers)
            .await
            .expect("request sent")
    }

    /// The same, for a server that may die while answering.
    pub async fn try_post(
        &mut self,
        endpoint: &str,
        body: String,
        headers: HeaderMap,
    ) -> Result<reqwest::Response, reqwest::Error> {
        let mut request = self
            .http
            .post(format!("{}/api/{endpoint}", self.url))
            .headers(headers)
            .body(body);
        if let Some(cookies) = self.cookie_header() {
            request = request.header(COOKIE, cookies);
        }
        if let Some(host) = &self.host {
            request = request.header(reqwest::header::HOST, host);
        }
        if let Some(language) = &self.accept_language {
            request = request.header(reqwest::header::ACCEPT_LANGUAGE, language);
        }
        let response = request.send().await?;
        self.keep_cookie(&response);
        Ok(response)
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.url));
        if let Some(cookies) = self.cookie_header() {
            request = request.header(COOKIE, cookies);
        }
        let response = request.send().await.expect("request sent");
        self.keep_cookie(&response);
        response
    }

    /// The `Cookie` header: the user's session and the advisor's, as a browser sends both.
    fn cookie_header(&self) -> Option<String> {
        let cookies: Vec<String> = [
            self.cookie.as_ref().map(|t| format!("__Host-habilis={t}")),
            self.advisor_cookie
                .as_ref()
                .map(|t| format!("__Host-habilis-conseiller={t}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!cookies.is_empty()).then(|| cookies.join("; "))
    }

    fn keep_cookie(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let value = value.to_str().expect("cookie text").to_string();
            if let Some(rest) = value.strip_prefix("__Host-habilis-conseiller=") {
                let token = rest.split(';').next().unwrap_or_default();
                self.advisor_cookie =
                    (!token.is_empty() && !value.contains("Max-Age=0")).then(|| token.to_string());
            }
            if let Some(rest) = value.strip_prefix("__Host-habilis=") {
                let token = rest.split(';').next().unwrap_or_default();
                self.cookie =
                    (!token.is_empty() && !value.contains("Max-Age=0")).then(|| token.to_string());
                self.last_set_cookie = Some(value);
            }
        }
    }
}

/// Asserts a call was refused with `status`, and returns its error.
pub fn refused<T: std::fmt::Debug>(result: Result<T, Failure>, status: u16) -> Failure {
    match result {
        Ok(value) => panic!("expected a refusal with {status}, got {value:?}"),
        Err(failure) => {
            assert_eq!(failure.status, status, "{failure:?}");
            failure
        }
    }
}
