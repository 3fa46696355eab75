//! The authorization checks that open every server function, and the request's context.
//!
//! The entity a caller acts for always comes from their session, never from the request. A
//! function calls exactly one of [`anyone`], [`at_stage`], [`signed_in`], [`administrator`],
//! [`overseer`], [`advisor`] or [`local_mode`] first; the authorization matrix test (`server/tests/api/authorization.rs`)
//! checks that each answers as the matrix says.

use super::session::{Session, Stage};
use super::{AppState, RequestFacts};
use crate::api::ApiError;
use http::request::Parts;
use http::{header, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// A signed-in caller at a given stage.
#[derive(Clone)]
pub struct Caller {
    pub state: AppState,
    pub session: Session,
    pub client_ip: String,
    /// The language the caller reads (their choice, else their browser's preference).
    pub lang: model::Lang,
}

impl Caller {
    pub fn user_id(&self) -> i64 {
        self.session.user_id
    }

    pub fn entity_id(&self) -> i64 {
        self.session.entity_id
    }

    /// Who authenticates: this user, with the login they signed in with (see `flows::sca`).
    pub fn signer(&self) -> crate::backend::flows::sca::Signer {
        crate::backend::flows::sca::Signer {
            user_id: self.session.user_id,
            entity_id: self.session.entity_id,
            login_user_id: self.session.login_user_id,
        }
    }

    /// The author of a request this caller approves (double validation): an approved
    /// operation applies in the name of who prepared and signed it (rights granted by them,
    /// e-mails from them, a new user in their language); the approval is its own audit event,
    /// by the approver. The session stays the approver's.
    pub fn on_behalf_of(&self, author: &crate::backend::store::users::User) -> Caller {
        let mut session = self.session.clone();
        session.user_id = author.id;
        session.login_user_id = author.login();
        session.first_name = author.first_name.clone();
        session.last_name = author.last_name.clone();
        session.is_administrator = author.is_administrator;
        session.is_auditor = author.is_auditor;
        Caller {
            state: self.state.clone(),
            session,
            client_ip: self.client_ip.clone(),
            lang: author.language,
        }
    }
}

fn state() -> Result<AppState, ApiError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the request context");
        ApiError::Internal
    })
}

fn facts() -> RequestFacts {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<RequestFacts>().cloned())
        .unwrap_or(RequestFacts {
            session: None,
            client_ip: "unknown".into(),
            peer_is_loopback: false,
            lang: model::Lang::Fr,
            session_info: Default::default(),
        })
}

/// The language of the request being answered (French outside a request).
pub fn lang() -> model::Lang {
    facts().lang
}

/// Public functions (sign-in, session status): no session required.
pub fn anyone() -> Result<(AppState, RequestFacts), ApiError> {
    Ok((state()?, facts()))
}

/// A session that reached exactly `stage` (a step of signing in).
pub fn at_stage(stage: Stage) -> Result<Caller, ApiError> {
    let state = state()?;
    let facts = facts();
    match facts.session {
        Some(session) if session.stage == stage => Ok(Caller {
            state,
            session,
            client_ip: facts.client_ip,
            lang: facts.lang,
        }),
        _ => Err(ApiError::Unauthenticated),
    }
}

/// A signed-in user (password and strong authentication done).
pub fn signed_in() -> Result<Caller, ApiError> {
    at_stage(Stage::Full)
}

/// A signed-in user holding the administration right of their entity (read from the database
/// at this request).
pub fn administrator() -> Result<Caller, ApiError> {
    administrator_of(state()?, facts())
}

/// [`administrator`] for a plain HTTP handler (a file download), from the request's facts.
pub fn administrator_of(state: AppState, facts: RequestFacts) -> Result<Caller, ApiError> {
    let caller = fully_signed_in(state, facts)?;
    if caller.session.is_administrator {
        Ok(caller)
    } else {
        Err(ApiError::Forbidden)
    }
}

fn fully_signed_in(state: AppState, facts: RequestFacts) -> Result<Caller, ApiError> {
    match facts.session {
        Some(session) if session.stage == Stage::Full => Ok(Caller {
            state,
            session,
            client_ip: facts.client_ip,
            lang: facts.lang,
        }),
        _ => Err(ApiError::Unauthenticated),
    }
}

/// A signed-in user who oversees the entity: an administrator, or an auditor (who reads the
/// journal, the entitlement report and the access reviews, and changes nothing). Read from the
/// database at this request, like the administration right.
pub fn overseer() -> Result<Caller, ApiError> {
    overseer_of(state()?, facts())
}

/// [`overseer`] for a plain HTTP handler (a file download), from the request's facts.
pub fn overseer_of(state: AppState, facts: RequestFacts) -> Result<Caller, ApiError> {
    let caller = fully_signed_in(state, facts)?;
    if caller.session.is_administrator || caller.session.is_auditor {
        Ok(caller)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// A signed-in advisor of the bank (« Espace conseiller »).
#[derive(Clone)]
pub struct AdvisorCaller {
    pub state: AppState,
    pub advisor_id: i64,
    /// « Mme Claire DUBOIS »
    pub name: String,
    /// The SHA-256 of the session's token (signing out deletes it).
    pub token_hash: String,
    pub client_ip: String,
    pub lang: model::Lang,
}

/// An advisor's session, from the advisor's own cookie (a user's session is not one): live
/// within the same idle and absolute limits as the users', marked as seen.
pub async fn advisor() -> Result<AdvisorCaller, ApiError> {
    let state = state()?;
    let facts = facts();
    let token = use_context::<Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .find_map(crate::backend::session::advisor_token_from_cookie_header)
        })
        .ok_or(ApiError::Unauthenticated)?;
    let token_hash = crate::backend::crypto::sha256_hex(token.as_bytes());
    let mut conn = state.db.pool().acquire().await?;
    let session = crate::backend::store::advisors::use_session(
        &mut conn,
        &token_hash,
        crate::backend::store::now(),
        state.config.idle_timeout_secs,
        state.config.absolute_timeout_secs,
    )
    .await?
    .ok_or(ApiError::Unauthenticated)?;
    drop(conn);
    Ok(AdvisorCaller {
        state,
        advisor_id: session.advisor_id,
        name: format!(
            "{} {} {}",
            session.civility, session.first_name, session.last_name
        ),
        token_hash,
        client_ip: facts.client_ip,
        lang: facts.lang,
    })
}

/// Functions of the local mode only (the simulated mailbox and phone, which hold temporary
/// passwords): absent in production, and in local mode answered only to this machine, whatever
/// address the server listens on.
pub fn local_mode() -> Result<AppState, ApiError> {
    let state = state()?;
    if state.config.is_local() && facts().peer_is_loopback {
        Ok(state)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Sends the browser on to `path` once the function answers: a 302 for a form posted without
/// the wasm, a navigation by the client router otherwise.
pub fn redirect(path: &str) {
    leptos_axum::redirect(path);
}

/// Sets the session cookie on the response.
pub fn set_cookie(value: &str) {
    if let (Some(options), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(value),
    ) {
        options.append_header(header::SET_COOKIE, value);
    }
}

/// The Content-Security-Policy of an HTML page: scripts only with this response's nonce (the
/// hydration script, which then loads the wasm), WebAssembly allowed, nothing framed, no plugins.
pub fn set_content_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    );
    if let (Some(options), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&policy),
    ) {
        options.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}
