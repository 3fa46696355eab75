//! The bank's systems' API: `POST /banque/v1/import`, authenticated by a service token
//! (`Authorization: Bearer habilis_svc_…`, see `server create-service-token`).
//!
//! The body is JSON lines (`application/x-ndjson`: one record per line, each with its `type`)
//! or CSV (`text/csv`, one type of record named by `?type=`). `?simulation=oui` checks and
//! counts without writing. Answers are JSON: 200 with what changed, 422 with every refused line
//! (nothing written), 403 when lines are outside the token's scopes, 401 without a live token.
//! No cookie is read: cross-site forgery has nothing to ride on, so the pages' same-site guard
//! does not apply here.

use app::backend::flows::import::{self, ImportError, Mode, RecordType, Refusal, Source};
use app::backend::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The largest file accepted in one request.
pub const MAX_IMPORT_BYTES: usize = 16 * 1024 * 1024;

pub async fn import(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let source = match bearer(&headers) {
        Some(token) => match import::authenticate(&state.db, token).await {
            Ok(source) => source,
            Err(error) => return unavailable(&error),
        },
        None => None,
    };
    let Some(source) = source else {
        tracing::warn!("bank import refused: no live service token");
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            axum::Json(json!({ "erreur": "Jeton de service absent, inconnu ou révoqué." })),
        )
            .into_response();
    };
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let param = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let mode = match param("simulation") {
        Some("oui" | "true" | "1") => Mode::Simulate,
        _ => Mode::Apply,
    };
    let Ok(text) = std::str::from_utf8(&body) else {
        return invalid("Le fichier n’est pas en UTF-8.");
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let lines = if content_type.starts_with("application/x-ndjson")
        || content_type.starts_with("application/jsonl")
    {
        import::parse_json_lines(text)
    } else if content_type.starts_with("text/csv") {
        match param("type").and_then(RecordType::from_code) {
            Some(record_type) => import::parse_csv(text, record_type),
            None => {
                return invalid(
                    "Un fichier CSV dit son type : ?type=conseiller, entite, compte, contrat ou personne.",
                )
            }
        }
    } else {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            axum::Json(json!({
                "erreur": "Envoyez des lignes JSON (application/x-ndjson) ou du CSV (text/csv)."
            })),
        )
            .into_response();
    };
    let lines = match lines {
        Ok(lines) => lines,
        Err(refusals) => return refused(StatusCode::UNPROCESSABLE_ENTITY, &refusals),
    };
    let token = match &source {
        Source::Token { name, .. } => name.clone(),
        Source::Operator => String::new(),
    };
    let bank = &state.config.bank_name;
    match import::apply(&state.db, &state.secrets, bank, &source, lines, mode).await {
        Ok(summary) => {
            tracing::info!(token, ?summary, "bank import");
            // Closures queued e-mails to administrators: send them now.
            state.outbox_wake.notify_one();
            (StatusCode::OK, axum::Json(summary)).into_response()
        }
        Err(ImportError::Refused(refusals)) => {
            tracing::info!(token, refused = refusals.len(), "bank import refused");
            refused(StatusCode::UNPROCESSABLE_ENTITY, &refusals)
        }
        Err(ImportError::Forbidden(refusals)) => {
            tracing::warn!(
                token,
                refused = refusals.len(),
                "bank import outside its scopes"
            );
            refused(StatusCode::FORBIDDEN, &refusals)
        }
        Err(ImportError::Database(error)) => unavailable(&error),
        Err(ImportError::Delivery(error)) => unavailable(&error),
    }
}

/// The token of `Authorization: Bearer …`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

fn invalid(message: &str) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        axum::Json(json!({ "erreur": message })),
    )
        .into_response()
}

fn refused(status: StatusCode, refusals: &[Refusal]) -> Response {
    (
        status,
        axum::Json(json!({
            "erreur": "Le fichier n’a pas été appliqué : aucune ligne n’a été enregistrée.",
            "erreurs": refusals,
        })),
    )
        .into_response()
}

/// The database failed: nothing was written (the transaction rolled back); the sender retries.
fn unavailable(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "bank import failed");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(json!({ "erreur": "Service momentanément indisponible : rien n’a été enregistré, réessayez." })),
    )
        .into_response()
}
