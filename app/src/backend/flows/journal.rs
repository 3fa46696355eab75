//! « Journal des opérations »: an entity's administration and security events, newest first,
//! filtered (period, kind, author, user concerned) and paged by the server; the same filtered
//! set as a CSV file for spreadsheets; and the hash chain's verification.

use crate::api::types::{IntegrityReport, JournalEntry, JournalPage, JournalSearch};
use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::format_time;
use crate::backend::guard::Caller;
use crate::backend::store::audit::{JournalFilter, StoredEvent};
use crate::backend::store::{self};

/// Events per page.
pub const PAGE_SIZE: i64 = 50;

/// The most events one CSV file holds.
pub const CSV_LIMIT: i64 = 100_000;

/// Reads a date field (`2026-12-04`) as the Unix second its day starts (UTC).
fn day_start(text: &str, field: &str) -> Result<Option<i64>, ApiError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(text.trim(), format)
        .map(|date| Some(date.midnight().assume_utc().unix_timestamp()))
        .map_err(|_| ApiError::invalid(field, "Saisissez une date valide (jour, mois, année)."))
}

/// The search as a filter, checked.
pub fn filter(search: &JournalSearch) -> Result<JournalFilter, ApiError> {
    let since = day_start(&search.from, "from")?;
    // « au 4 décembre » includes the whole day.
    let until = day_start(&search.to, "to")?.map(|start| start + 24 * 60 * 60);
    if let (Some(since), Some(until)) = (since, until) {
        if since >= until {
            return Err(ApiError::invalid(
                "to",
                "La date de fin doit suivre la date de début.",
            ));
        }
    }
    let kind = match search.kind.trim() {
        "" => None,
        code => Some(
            Kind::from_code(code)
                .ok_or_else(|| ApiError::invalid("kind", "Ce type d’événement n’existe pas."))?
                .code()
                .to_string(),
        ),
    };
    Ok(JournalFilter {
        since,
        until,
        kind,
        author: search.author,
        concerned: search.user,
    })
}

/// The user an event names in its details (`"utilisateur": 12`).
fn concerned_user(event: &StoredEvent) -> Option<i64> {
    serde_json::from_str::<serde_json::Value>(&event.details)
        .ok()?
        .get("utilisateur")?
        .as_i64()
}

fn kind_label(code: &str) -> String {
    Kind::from_code(code).map_or_else(|| code.to_string(), |kind| kind.label().to_string())
}

/// Who an event without a user as its author says did it: the bank's advisor, its systems'
/// import (`"par": "…"` in its details).
fn named_author(event: &StoredEvent) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(&event.details)
        .ok()?
        .get("par")?
        .as_str()
        .map(str::to_string)
}

/// The events as shown: authors and users concerned named (one statement for all of them).
async fn entries(
    pool: &sqlx::AnyPool,
    entity_id: i64,
    events: &[StoredEvent],
) -> Result<Vec<JournalEntry>, ApiError> {
    let mut ids: Vec<i64> = events
        .iter()
        .flat_map(|e| [e.actor_user_id, concerned_user(e)])
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names = store::users::names(pool, entity_id, &ids).await?;
    let name = |id: Option<i64>| {
        id.and_then(|id| names.iter().find(|(known, _)| *known == id))
            .map(|(_, name)| name.clone())
    };
    Ok(events
        .iter()
        .map(|event| JournalEntry {
            id: event.id,
            at: format_time(event.at),
            kind: kind_label(&event.kind),
            author: name(event.actor_user_id).or_else(|| {
                event
                    .actor_user_id
                    .is_none()
                    .then(|| named_author(event))
                    .flatten()
            }),
            concerned: name(concerned_user(event).or(event.actor_user_id)),
        })
        .collect())
}

/// One page of the journal.
pub async fn page(caller: &Caller, search: &JournalSearch) -> Result<JournalPage, ApiError> {
    page_of_entity(caller.state.db.pool(), caller.entity_id(), search).await
}

/// One page of an entity's journal, for whoever may read it (its overseers, its advisor).
pub async fn page_of_entity(
    pool: &sqlx::AnyPool,
    entity_id: i64,
    search: &JournalSearch,
) -> Result<JournalPage, ApiError> {
    let filter = filter(search)?;
    let matching = store::audit::journal_count(pool, entity_id, &filter).await?;
    let pages = ((matching + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = i64::from(search.page.max(1)).min(pages);
    let events =
        store::audit::journal(pool, entity_id, &filter, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
    let users = store::users::summaries(pool, entity_id)
        .await?
        .into_iter()
        .map(|user| (user.id, format!("{} {}", user.first_name, user.last_name)))
        .collect();
    Ok(JournalPage {
        entries: entries(pool, entity_id, &events).await?,
        matching,
        page: page as u32,
        pages: pages as u32,
        kinds: Kind::ALL
            .iter()
            .map(|kind| (kind.code().to_string(), kind.label().to_string()))
            .collect(),
        users,
    })
}

/// A CSV cell: quoted, and a text a spreadsheet would take for a formula (`=`, `+`, `-`, `@`,
/// a tab or a carriage return first) starts with an apostrophe instead.
pub fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The filtered journal as a CSV file for French spreadsheets: UTF-8 with a byte-order mark,
/// `;` between cells, one line per event, newest first.
pub async fn csv(caller: &Caller, search: &JournalSearch) -> Result<String, ApiError> {
    let filter = filter(search)?;
    let events = store::audit::journal(
        caller.state.db.pool(),
        caller.entity_id(),
        &filter,
        CSV_LIMIT,
        0,
    )
    .await?;
    let entries = entries(caller.state.db.pool(), caller.entity_id(), &events).await?;
    let mut out = String::from("\u{feff}N°;Date;Événement;Auteur;Utilisateur concerné;Détails\r\n");
    for (entry, event) in entries.iter().zip(&events) {
        let cells = [
            entry.id.to_string(),
            entry.at.clone(),
            entry.kind.clone(),
            entry.author.clone().unwrap_or_default(),
            entry.concerned.clone().unwrap_or_default(),
            event.details.clone(),
        ];
        let line: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
        out.push_str(&line.join(";"));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// « Vérifier l’intégrité »: recomputes the whole chain (it links every entity's events), and
/// checks it against a signed checkpoint kept earlier when one is given; the report names a
/// broken event only when it is one of the caller's entity.
pub async fn verify(caller: &Caller, checkpoint: &str) -> Result<IntegrityReport, ApiError> {
    let state = &caller.state;
    let kept = match checkpoint.trim() {
        "" => None,
        text => Some(audit::Checkpoint::parse_signed(text, &state.secrets).ok_or_else(|| {
            ApiError::invalid(
                "checkpoint",
                "Ce point de contrôle n’est pas valide : il n’a pas été signé par ce serveur, ou il a été modifié.",
            )
        })?),
    };
    let verification = match &kept {
        Some(kept) => audit::verify_against(&state.db, &state.secrets, kept).await?,
        None => audit::verify(&state.db, &state.secrets).await?,
    };
    let now = audit::checkpoint(&state.db).await?;
    let events = store::audit::journal_count(
        state.db.pool(),
        caller.entity_id(),
        &JournalFilter::default(),
    )
    .await?;
    let first_broken = match verification.first_broken {
        Some((id, _)) => store::audit::entity_of(state.db.pool(), id)
            .await?
            .filter(|entity| *entity == caller.entity_id())
            .map(|_| id),
        None => None,
    };
    Ok(IntegrityReport {
        intact: verification.first_broken.is_none(),
        events,
        first_broken,
        checkpoint: now.signed_text(&state.secrets),
        against_checkpoint: kept.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("Sophie MARTIN"), "\"Sophie MARTIN\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+33 6"), "\"'+33 6\"");
        assert_eq!(csv_cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(csv_cell("a;b"), "\"a;b\"");
    }

    #[test]
    fn dates_bound_the_period_and_bad_input_is_refused_in_french() {
        let search = JournalSearch {
            from: "2026-12-01".into(),
            to: "2026-12-04".into(),
            ..JournalSearch::default()
        };
        let filter = filter(&search).unwrap();
        assert_eq!(filter.since, Some(1_796_083_200));
        assert_eq!(filter.until, Some(1_796_083_200 + 4 * 86_400));
        let bad = JournalSearch {
            from: "2026-13-01".into(),
            ..JournalSearch::default()
        };
        assert!(filter_error(&bad).contains("date valide"));
        let reversed = JournalSearch {
            from: "2026-12-04".into(),
            to: "2026-12-01".into(),
            ..JournalSearch::default()
        };
        assert!(filter_error(&reversed).contains("fin"));
        let unknown = JournalSearch {
            kind: "inconnu".into(),
            ..JournalSearch::default()
        };
        assert!(filter_error(&unknown).contains("type"));
    }

    fn filter_error(search: &JournalSearch) -> String {
        filter(search).unwrap_err().to_string()
    }
}
