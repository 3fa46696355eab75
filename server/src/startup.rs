//! Building and running the application. `Application::build` does everything up to a bound
//! listener, so tests can start one on port 0 with a fresh database and learn its address.

use crate::{bank_api, middleware};
use app::backend::config::{Config, ConfigError};
use app::backend::delivery::{Dispatcher, Senders};
use app::backend::security::crypto::{random_bytes, SecretBox};
use app::backend::security::password::Hashing;
use app::backend::store::{self, Db};
use app::backend::{demo, passkey, AppState};
use app::{shell, App};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use secrecy::SecretSlice;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::request_id::PropagateRequestIdLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::{SetRequestHeaderLayer, SetResponseHeaderLayer};
use tower_http::trace::TraceLayer;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database: {0}")]
    Database(sqlx::Error),
    #[error("migrations: {0}")]
    Migration(store::MigrateError),
    #[error("network: {0}")]
    Io(std::io::Error),
    #[error("{0}")]
    Other(String),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    dispatcher: tokio::task::JoinHandle<()>,
}

impl Application {
    /// Connects and migrates the database, seeds demo data in local mode, binds the address
    /// (port 0 picks a free one) and builds the router.
    pub async fn build(config: Config) -> Result<Application, StartupError> {
        let db = Db::connect(&config.database_url)
            .await
            .map_err(StartupError::Database)?;
        db.migrate().await.map_err(StartupError::Migration)?;
        let secrets = Arc::new(secrets(&config, &db).await?);
        if config.demo_data
            && demo::seed_if_empty(&db, &secrets)
                .await
                .map_err(|e| StartupError::Other(format!("demo data: {e}")))?
        {
            tracing::info!("demo data created (see README: demo accounts)");
        }
        app::backend::flows::users::index_users(&db)
            .await
            .map_err(StartupError::Database)?;

        let listener = TcpListener::bind(config.bind_addr)
            .await
            .map_err(StartupError::Io)?;
        let addr = listener.local_addr().map_err(StartupError::Io)?;
        if config.is_local() && !addr.ip().is_loopback() {
            tracing::warn!(
                %addr,
                "LOCAL MODE on a network address: demo accounts and the local outbox (with \
                 temporary passwords) are reachable by others; use HABILIS_MODE=production"
            );
        }
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}", addr.port()));
        let webauthn = passkey::relying_party(&public_url, &config.bank_name)
            .map_err(|e| StartupError::Other(e.to_string()))?;

        let leptos_options = LeptosOptions::builder()
            .output_name("habilis")
            .site_root(config.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .env(Env::PROD)
            .site_addr(addr)
            .hash_files(hashed_file_names())
            .build();
        let senders =
            Senders::new(&config.delivery).map_err(|e| StartupError::Other(e.to_string()))?;
        let outbox_wake = Arc::new(tokio::sync::Notify::new());
        let state = AppState {
            leptos_options,
            db: db.clone(),
            config: Arc::new(config),
            public_url: public_url.into(),
            secrets: secrets.clone(),
            webauthn: Arc::new(webauthn),
            outbox_wake: outbox_wake.clone(),
            hashing: Arc::new(Hashing::for_this_machine()),
        };
        spawn_housekeeping(state.clone());
        spawn_rights_sweep(state.clone());
        let dispatcher = Dispatcher {
            db,
            senders: Arc::new(senders),
            secrets,
        }
        .spawn(outbox_wake);
        Ok(Application {
            listener,
            router: router(state.clone()),
            state,
            dispatcher,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| self.state.config.bind_addr)
    }

    pub fn public_url(&self) -> &str {
        &self.state.public_url
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the process receives Ctrl-C or SIGTERM (or the future is dropped).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        // Answers leave at once: without TCP_NODELAY small responses wait for the client's
        // delayed acknowledgement (measured: 900 requests/s instead of thousands).
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let result = axum::serve(listener, service)
            .with_graceful_shutdown(shutdown_signal())
            .await;
        self.dispatcher.abort();
        self.state.db.close().await;
        result
    }
}

/// cargo-leptos writes `hash.txt` next to the server it builds when file names carry their
/// content's hash; a server built otherwise (tests) serves the plain names.
fn hashed_file_names() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .is_some_and(|file| file.exists())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

/// Every few minutes (and at start-up): expired sessions are deleted, so that nothing a cookie
/// could no longer reach lingers in the database; so are the credentials of a group's login no
/// entity uses any more.
fn spawn_housekeeping(state: AppState) {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(5 * 60);
    let timeouts = app::backend::session::Timeouts {
        idle: state.config.idle_timeout_secs,
        absolute: state.config.absolute_timeout_secs,
    };
    tokio::spawn(async move {
        loop {
            match app::backend::session::purge_expired(&state.db, timeouts).await {
                Ok(0) => {}
                Ok(purged) => tracing::info!(purged, "expired sessions deleted"),
                Err(error) => tracing::warn!(%error, "expired sessions not purged"),
            }
            match app::backend::session::forget_unused_logins(&state.db).await {
                Ok(0) => {}
                Ok(forgotten) => tracing::info!(forgotten, "unused logins forgotten"),
                Err(error) => tracing::warn!(%error, "unused logins not forgotten"),
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

/// « Droits temporaires »: at start-up (catching up on ends passed while the server was
/// stopped), then every minute, temporary rights that have ended are removed and reminders
/// sent. Every instance does it; the database makes each end happen once.
fn spawn_rights_sweep(state: AppState) {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(60);
    tokio::spawn(async move {
        loop {
            let now = store::now();
            match app::backend::flows::temporary_rights::sweep(&state, now).await {
                Ok(swept) if swept.started + swept.ended + swept.reminded > 0 => tracing::info!(
                    started = swept.started,
                    ended = swept.ended,
                    reminded = swept.reminded,
                    "temporary rights swept"
                ),
                Ok(_) => {}
                Err(error) => tracing::warn!(?error, "temporary rights not swept"),
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}

/// The server's secret key: `HABILIS_SECRET_KEY`, or in local mode a key kept in the database.
/// It seals secrets at rest and keys the audit chain; the back-office commands need it too.
pub async fn secrets(config: &Config, db: &Db) -> Result<SecretBox, StartupError> {
    let key = match &config.secret_key {
        Some(key) => key.clone(),
        None => local_secret_key(db).await?,
    };
    SecretBox::new(&key).ok_or_else(|| StartupError::Other("the secret key is not 256 bits".into()))
}

/// Local mode without `HABILIS_SECRET_KEY`: a random key kept in the database, so sealed values
/// survive restarts. Production refuses to start without a configured key.
async fn local_secret_key(db: &Db) -> Result<SecretSlice<u8>, StartupError> {
    const KEY: &str = "local_secret_key";
    let decode = |text: String| {
        data_encoding::HEXLOWER
            .decode(text.as_bytes())
            .ok()
            .filter(|bytes| bytes.len() == 32)
            .map(SecretSlice::from)
    };
    let stored = store::settings::get(db.pool(), KEY)
        .await
        .map_err(StartupError::Database)?;
    if let Some(key) = stored.and_then(decode) {
        return Ok(key);
    }
    store::settings::put_if_absent(
        db.pool(),
        KEY,
        &data_encoding::HEXLOWER.encode(&random_bytes::<32>()),
    )
    .await
    .map_err(StartupError::Database)?;
    // Another instance may have won the race: read back the stored key.
    store::settings::get(db.pool(), KEY)
        .await
        .map_err(StartupError::Database)?
        .and_then(decode)
        .ok_or_else(|| StartupError::Other("stored local key unreadable".into()))
}

/// The router: server functions under `/api`, pages rendered by Leptos, static files, and the
/// middleware around all of them.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let site_root = state.leptos_options.site_root.to_string();
    // Hashed names never change content: browsers keep them a year. Plain names are revalidated.
    let pkg_cache = if state.leptos_options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let pkg = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(pkg_cache),
        ))
        .service(
            ServeDir::new(format!("{site_root}/pkg"))
                .precompressed_gzip()
                .precompressed_br(),
        );
    let assets = ServeDir::new(&site_root);
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    let pages = Router::new()
        .route("/api/{*path}", post(server_function).get(api_get))
        .route("/langue/{code}", get(middleware::choose_language))
        .route("/journal.csv", get(journal_csv))
        .route("/habilitations.csv", get(report_csv))
        .route("/revues/{review}/preuve.csv", get(review_evidence_csv))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .nest_service("/pkg", pkg)
        .fallback_service(assets)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::resolve_session,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::api_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::canonical_host,
        ))
        .layer(axum::middleware::from_fn(
            middleware::refuse_secrets_in_urls,
        ))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            middleware::MAX_BODY_BYTES,
        ));
    // The bank's systems' API: no page, no cookie, larger bodies (see `bank_api`).
    let bank_systems = Router::new()
        .route("/banque/v1/import", post(bank_api::import))
        .layer(axum::extract::DefaultBodyLimit::max(
            bank_api::MAX_IMPORT_BYTES,
        ));
    pages
        .merge(bank_systems)
        // Around the body limits: their 413 carries the headers too, like every answer.
        .layer(axum::middleware::from_fn(middleware::security_headers))
        // Outermost: every answer, refusals included, is traced with its request id.
        .layer(
            tower::ServiceBuilder::new()
                .layer(SetRequestHeaderLayer::overriding(
                    middleware::REQUEST_ID,
                    middleware::new_request_id,
                ))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(middleware::request_span)
                        .on_request(())
                        .on_response(middleware::record_response),
                )
                .layer(PropagateRequestIdLayer::new(middleware::REQUEST_ID)),
        )
        .with_state(state)
}

async fn server_function(
    State(state): State<AppState>,
    request: Request<Body>,
) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), request).await
}

/// The caller of a file download: an administrator or an auditor, from the request's facts.
fn overseer(
    state: AppState,
    request: &Request<Body>,
) -> Result<app::backend::guard::Caller, app::api::ApiError> {
    let facts = request
        .extensions()
        .get::<app::backend::RequestFacts>()
        .cloned()
        .ok_or(app::api::ApiError::Unauthenticated)?;
    app::backend::guard::overseer_of(state, facts)
}

/// « Exporter (CSV) » of « Journal des opérations »: the same search as the page's address, as
/// a file (never cached: it is the entity's audit trail).
async fn journal_csv(
    State(state): State<AppState>,
    request: Request<Body>,
) -> axum::response::Response {
    let query = request.uri().query().unwrap_or_default();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let search = app::api::types::JournalSearch::from_query(
        pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    );
    let answer = match overseer(state, &request) {
        Ok(caller) => app::backend::flows::journal::csv(&caller, &search).await,
        Err(error) => Err(error),
    };
    csv_file(answer, "journal-des-operations.csv")
}

/// « Exporter (CSV) » of « Rapport des habilitations ».
async fn report_csv(
    State(state): State<AppState>,
    request: Request<Body>,
) -> axum::response::Response {
    let answer = match overseer(state, &request) {
        Ok(caller) => app::backend::flows::report::csv(&caller).await,
        Err(error) => Err(error),
    };
    csv_file(answer, "rapport-des-habilitations.csv")
}

/// The signed evidence file of a closed « Revue des accès ».
async fn review_evidence_csv(
    State(state): State<AppState>,
    axum::extract::Path(review): axum::extract::Path<String>,
    request: Request<Body>,
) -> axum::response::Response {
    let answer = match (overseer(state, &request), review.parse::<i64>()) {
        (Ok(caller), Ok(review)) => app::backend::flows::review::evidence(&caller, review).await,
        (Ok(_), Err(_)) => Err(app::api::ApiError::NotFound),
        (Err(error), _) => Err(error),
    };
    csv_file(answer, "revue-des-acces.csv")
}

/// A CSV file download, or the error's answer.
fn csv_file(answer: Result<String, app::api::ApiError>, name: &str) -> axum::response::Response {
    match answer {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            csv,
        )
            .into_response(),
        Err(error) => middleware::api_error_response(
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &error,
        ),
    }
}

/// Server functions never run on GET: reading or changing state needs a POST.
async fn api_get() -> impl IntoResponse {
    middleware::api_error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &app::api::ApiError::Forbidden,
    )
}
