//! The layers every request goes through, outermost first: the request span (with its id),
//! security headers, body size limit, canonical host, the API guard (CSRF defence, JSON only,
//! error statuses) and session resolution.

use app::api::ApiError;
use app::backend::session::{self, Timeouts};
use app::backend::store;
use app::backend::{AppState, RequestFacts};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// The header carrying the request id, in logs and back to the client.
pub const REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// A fresh request id. One sent by the client is replaced: logs hold no client text.
pub fn new_request_id(request: &Request) -> Option<HeaderValue> {
    use tower_http::request_id::{MakeRequestId as _, MakeRequestUuid};
    MakeRequestUuid
        .make_request_id(request)
        .map(|id| id.header_value().clone())
}

/// The span of every request: method, route (never the query string, which could hold a
/// secret), request id, then status and latency once answered.
pub fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|path| path.as_str().to_string())
        .unwrap_or_else(|| request.uri().path().to_string());
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        method = %request.method(),
        route,
        request_id = id,
        status = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
    )
}

pub fn record_response(response: &Response, latency: std::time::Duration, span: &tracing::Span) {
    span.record("status", response.status().as_u16());
    span.record("latency_ms", latency.as_millis() as u64);
    tracing::info!(parent: span, "answered");
}

/// Server function arguments are small: 64 KiB is plenty and bounds memory per request.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The idle-timeout poll: reading it must not count as activity.
const STATUS_PATH: &str = "/api/session/etat";

/// Headers of every response (security.md, « Web hardening »). HTML pages get their CSP, with
/// the page's nonce, from the app's shell; everything else gets a policy that allows nothing.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let cacheable = is_static(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=31536000; includeSubDomains",
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // `same-origin`: this site's own pages tell it where a form came from (a form posted
    // without the wasm goes back there, with its error); nothing leaves for other sites.
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    headers.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        header::HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
    );
    // Answers depend on where the request came from (the same-site check): caches must not
    // serve one site's answer to another.
    if !cacheable {
        headers.append(
            header::VARY,
            HeaderValue::from_static("Origin, Sec-Fetch-Site, Cookie"),
        );
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(
            headers,
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        );
    }
    // Banking pages and answers are never stored by browsers or proxies. Static files keep the
    // policy their service set (a year for hashed names), else are revalidated.
    if !cacheable || !headers.contains_key(header::CACHE_CONTROL) {
        set(
            headers,
            header::CACHE_CONTROL,
            if cacheable { "no-cache" } else { "no-store" },
        );
    }
    response
}

fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/favicon.ico"
}

/// A password (or a one-time code) in an address lands in the history, proxies' and servers'
/// logs: a GET carrying one is refused with a page that says why. Forms post; they never send
/// a secret this way, but a page opened before its form worked (or a crafted link) might.
pub async fn refuse_secrets_in_urls(request: Request, next: Next) -> Response {
    let carries_secret = request.uri().query().is_some_and(|query| {
        url::form_urlencoded::parse(query.as_bytes()).any(|(name, _)| {
            let name = name.to_ascii_lowercase();
            [
                "password",
                "mot_de_passe",
                "mot-de-passe",
                "confirmation",
                "code",
            ]
            .iter()
            .any(|secret| name == *secret || name.ends_with(&format!("[{secret}]")))
        })
    });
    if !carries_secret || !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "a secret in an address refused (not logged)");
    let page = "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
        <title>Adresse refusée · Habilis</title></head><body>\
        <h1>Adresse refusée</h1>\
        <p>Par sécurité, un mot de passe ou un code ne doit jamais figurer dans une adresse \
        de page : il resterait dans l’historique du navigateur. Cette demande n’a pas été traitée.</p>\
        <p>Effacez cette adresse de votre historique, puis <a href=\"/connexion\">revenez à la \
        page de connexion</a> et saisissez vos informations dans le formulaire.</p>\
        <p lang=\"en\">For your security, a password or code must never appear in a page address. \
        This request was not processed: <a href=\"/connexion\">sign in with the form</a>.</p>\
        </body></html>";
    (
        StatusCode::BAD_REQUEST,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        page,
    )
        .into_response()
}

/// The cookie the i18n provider reads the chosen language from.
const LANGUAGE_COOKIE: &str = "i18n_pref_locale";

/// The language of a request: the one chosen with the switch, else the browser's preference, as
/// the pages decide it.
pub fn request_lang(headers: &HeaderMap) -> model::Lang {
    let chosen = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == LANGUAGE_COOKIE)
        .and_then(|c| model::Lang::from_code(c.value()));
    chosen.unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(model::Lang::from_accept_language)
            .unwrap_or_default()
    })
}

/// `/langue/fr`, `/langue/en`: keeps the language chosen (a cookie, read by every page) and goes
/// back to the page the link was on. A plain link: it needs no JavaScript.
pub async fn choose_language(
    State(state): State<AppState>,
    axum::extract::Path(code): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(language) = ["fr", "en"].into_iter().find(|l| *l == code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Back to the page of this site the link was on; anywhere else is not followed.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|referer| url::Url::parse(referer).ok())
        .filter(|referer| public_authority(referer.as_str()) == public_authority(&state.public_url))
        .map(|referer| match referer.query() {
            Some(query) => format!("{}?{query}", referer.path()),
            None => referer.path().to_string(),
        })
        .unwrap_or_else(|| "/accueil".to_string());
    let cookie = cookie::Cookie::build((LANGUAGE_COOKIE, language))
        .path("/")
        .secure(true)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::days(365))
        .build()
        .to_string();
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let (Ok(location), Ok(cookie)) =
        (HeaderValue::from_str(&back), HeaderValue::from_str(&cookie))
    {
        response.headers_mut().insert(header::LOCATION, location);
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// Requests must use the public host name: pages reached through another (say 127.0.0.1
/// instead of localhost) are redirected, since passkeys are bound to the host name; other
/// requests are refused.
pub async fn canonical_host(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let expected = public_authority(&state.public_url);
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    if host.is_some_and(|h| h.eq_ignore_ascii_case(&expected)) {
        return next.run(request).await;
    }
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        let path = request
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let location = format!("{}{path}", state.public_url);
        return match HeaderValue::from_str(&location) {
            Ok(location) => (
                StatusCode::PERMANENT_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response(),
            Err(_) => StatusCode::BAD_REQUEST.into_response(),
        };
    }
    StatusCode::MISDIRECTED_REQUEST.into_response()
}

/// `https://banque.example` → `banque.example`; `http://localhost:3000` → `localhost:3000`.
fn public_authority(public_url: &str) -> String {
    match url::Url::parse(public_url) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_string(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

/// The server functions' gate. Server functions have no CSRF protection of their own, so a
/// state-changing request must come from this site: Fetch Metadata, or the Origin header when a
/// client sends no Fetch Metadata; neither means refused (a browser always sends one of them on
/// a POST). Its body is JSON (the app's calls) or a url-encoded form (the forms, which work
/// without the wasm): a form's fields must all be `form[…]`, the one argument of every form
/// function, whose type refuses unknown fields. Errors answered by a function get the HTTP
/// status of their variant (404 for « introuvable », 401, 403, 409…).
pub async fn api_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/") || request.method() != Method::POST {
        return next.run(request).await;
    }
    if !is_same_site(request.headers(), &state.public_url) {
        tracing::warn!(path = %request.uri().path(), "cross-site request to a server function refused");
        return api_error_response(StatusCode::FORBIDDEN, &ApiError::Forbidden);
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let request = if content_type.starts_with("application/json") {
        request
    } else if content_type.starts_with("application/x-www-form-urlencoded") {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
            return api_error_response(StatusCode::PAYLOAD_TOO_LARGE, &invalid_request());
        };
        if !only_form_fields(&bytes) {
            return api_error_response(StatusCode::UNPROCESSABLE_ENTITY, &invalid_request());
        }
        Request::from_parts(parts, Body::from(bytes))
    } else {
        return api_error_response(StatusCode::UNSUPPORTED_MEDIA_TYPE, &invalid_request());
    };
    // The error's status is set inside, by `resolve_session` (which needs it to spot refusals).
    next.run(request).await
}

fn invalid_request() -> ApiError {
    ApiError::Invalid {
        field: None,
        message: "La requête est invalide.".into(),
    }
}

/// Every field of a url-encoded body is `form[…]` (an empty body too: a form without fields).
fn only_form_fields(body: &[u8]) -> bool {
    url::form_urlencoded::parse(body).all(|(name, _)| name.starts_with("form["))
}

/// Fetch Metadata first; the Origin header when the client sends no Fetch Metadata.
pub fn is_same_site(headers: &HeaderMap, public_url: &str) -> bool {
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin",
        None => headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|origin| origin.eq_ignore_ascii_case(public_url)),
    }
}

/// A server function's error leaves with status 500; give it its variant's status.
async fn with_error_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES * 16).await else {
        return api_error_response(StatusCode::INTERNAL_SERVER_ERROR, &ApiError::Internal);
    };
    if let Ok(error) = serde_json::from_slice::<ApiError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A server function's error answer in `lang` (the flows write French; see `backend::texts`).
async fn in_language(response: Response, lang: model::Lang) -> Response {
    if lang == model::Lang::Fr
        || response.status().is_success()
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES * 16).await else {
        return api_error_response(StatusCode::INTERNAL_SERVER_ERROR, &ApiError::Internal);
    };
    let bytes = match serde_json::from_slice::<ApiError>(&bytes) {
        Ok(error) => serde_json::to_vec(&app::backend::texts::localise(error, lang))
            .map(axum::body::Bytes::from)
            .unwrap_or(bytes),
        Err(_) => bytes,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// An error answer the browser's server function client decodes like any other.
pub fn api_error_response(status: StatusCode, error: &ApiError) -> Response {
    let body = serde_json::to_vec(error).unwrap_or_default();
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::HeaderName::from_static("serverfnerror"),
                HeaderValue::from_static("api"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Finds the session of the request's cookie (expired ones are deleted on the way) and records
/// it, with the client's address, for the handlers. A stale cookie is cleared.
pub async fn resolve_session(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    if is_static(&path) {
        return next.run(request).await;
    }
    let client_ip = client_ip(&request, state.config.trust_forwarded_for);
    let token = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(session::token_from_cookie_header);
    let timeouts = Timeouts {
        idle: state.config.idle_timeout_secs,
        absolute: state.config.absolute_timeout_secs,
    };
    let session = match &token {
        Some(token) => {
            match session::resolve(&state.db, token, timeouts, path != STATUS_PATH).await {
                Ok(session) => session,
                Err(error) => {
                    tracing::error!(%error, "session lookup failed");
                    return api_error_response(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &ApiError::Internal,
                    );
                }
            }
        }
        None => None,
    };
    let stale_cookie = token.is_some() && session.is_none();
    let signed_in = session.clone();
    let facts = RequestFacts {
        session,
        client_ip,
        peer_is_loopback: peer_is_loopback(&request),
        lang: request_lang(request.headers()),
        session_info: Default::default(),
    };
    let refused_ip = facts.client_ip.clone();
    let lang = facts.lang;
    request.extensions_mut().insert(facts);
    // A server function's error gets its real status here already, to be recognised below,
    // and its words in the reader's language.
    // A signed-in person's request sees only their entity's rows, down to the database (on
    // PostgreSQL). Signing in starts afresh: another person may sign in from this browser.
    let scope = signed_in
        .as_ref()
        .filter(|_| !path.starts_with("/api/connexion"))
        .map(|session| session.entity_id);
    let answer = match scope {
        Some(entity_id) => store::scoped(entity_id, next.run(request)).await,
        None => next.run(request).await,
    };
    let mut response = in_language(with_error_status(answer).await, lang).await;
    if response.status() == StatusCode::FORBIDDEN {
        if let Some(session) = signed_in {
            record_refusal(&state, &session, &path, &refused_ip).await;
        }
    }
    if stale_cookie && !response.headers().contains_key(header::SET_COOKIE) {
        if let Ok(value) = HeaderValue::from_str(&session::clear_cookie()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A signed-in user refused by an authorisation check: a security event for the bank (who asked
/// for what, from where), not only a log line.
async fn record_refusal(state: &AppState, session: &session::Session, path: &str, ip: &str) {
    use app::backend::audit::{self, Kind};
    let recorded = async {
        let mut tx = state.db.begin_write().await?;
        audit::append(
            &mut tx,
            &state.secrets,
            Some(session.entity_id),
            Some(session.user_id),
            Kind::AccessRefused,
            serde_json::json!({ "demande": path, "adresse": ip }),
        )
        .await?;
        tx.commit().await
    };
    if let Err(error) = recorded.await {
        tracing::error!(%error, "refused access not recorded");
    }
}

/// Whether the connection comes from this machine: the TCP peer, never a forwarded header.
fn peer_is_loopback(request: &Request) -> bool {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|info| info.0.ip().is_loopback())
}

/// The client's address: the connection's peer, or the last hop of `X-Forwarded-For` when the
/// server is configured to sit behind a trusted proxy.
fn client_ip(request: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for {
        if let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
        {
            return forwarded.trim().to_string();
        }
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_loopback_peer_is_local_whatever_the_headers_say() {
        let request = |peer: &str| {
            let mut request = Request::builder()
                .uri("/api/boite-locale")
                .header("x-forwarded-for", "127.0.0.1")
                .body(Body::empty())
                .unwrap();
            request
                .extensions_mut()
                .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
            request
        };
        assert!(peer_is_loopback(&request("127.0.0.1:4000")));
        assert!(peer_is_loopback(&request("[::1]:4000")));
        assert!(!peer_is_loopback(&request("10.1.2.3:4000")));
        assert!(!peer_is_loopback(&request("192.168.1.20:4000")));
        let without_peer = Request::builder().body(Body::empty()).unwrap();
        assert!(!peer_is_loopback(&without_peer));
    }

    #[test]
    fn same_site_uses_fetch_metadata_then_origin_and_refuses_neither() {
        let url = "http://localhost:3000";
        let mut headers = HeaderMap::new();
        assert!(!is_same_site(&headers, url), "neither header: refused");
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://localhost:3000"),
        );
        assert!(is_same_site(&headers, url));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!is_same_site(&headers, url));
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!is_same_site(&headers, url));
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-site"));
        assert!(
            !is_same_site(&headers, url),
            "a sibling subdomain is not this site"
        );
        headers.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(is_same_site(&headers, url));
    }

    #[test]
    fn the_public_authority_of_a_page_address_ignores_its_path() {
        assert_eq!(
            public_authority("http://localhost:3000/utilisateurs?x=1"),
            "localhost:3000"
        );
    }

    #[test]
    fn a_forms_fields_are_all_form_fields() {
        assert!(only_form_fields(b"form%5Blogin_id%5D=1&form[password]=x"));
        assert!(only_form_fields(b""));
        assert!(!only_form_fields(b"form[login_id]=1&admin=true"));
        assert!(!only_form_fields(b"login_id=1"));
    }

    #[test]
    fn the_public_authority_is_host_and_port() {
        assert_eq!(public_authority("http://localhost:3000"), "localhost:3000");
        assert_eq!(
            public_authority("https://banque.example/"),
            "banque.example"
        );
    }
}
