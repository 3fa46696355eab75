//! The audit trail: append-only and hash-chained.
//!
//! Each event's hash covers the previous event's hash and the event's own fields, so changing or
//! removing any past event breaks every hash after it. The database refuses UPDATE and DELETE on
//! the table (triggers), and [`verify`] recomputes the chain and names the first broken event.

use super::crypto::sha256_hex;
use super::db::{now, Db};
use serde_json::Value;
use sqlx::{Any, AnyConnection, Row};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, in the trail's stable vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    SignedIn,
    ScaFailed,
    UserBlocked,
    UserUnblocked,
    FactorEnrolled,
    UserAdded,
    FirstLoginCompleted,
    PasswordChanged,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::SignedIn => "connexion",
            Kind::ScaFailed => "echec_authentification_forte",
            Kind::UserBlocked => "utilisateur_bloque",
            Kind::UserUnblocked => "utilisateur_debloque",
            Kind::FactorEnrolled => "facteur_enrole",
            Kind::UserAdded => "utilisateur_ajoute",
            Kind::FirstLoginCompleted => "premiere_connexion_terminee",
            Kind::PasswordChanged => "mot_de_passe_change",
        }
    }
}

fn event_hash(
    prev_hash: &str,
    id: i64,
    at: i64,
    entity_id: Option<i64>,
    actor: Option<i64>,
    kind: &str,
    details: &str,
) -> String {
    let text = format!(
        "{prev_hash}|{id}|{at}|{}|{}|{kind}|{details}",
        entity_id.map(|e| e.to_string()).unwrap_or_default(),
        actor.map(|a| a.to_string()).unwrap_or_default(),
    );
    sha256_hex(text.as_bytes())
}

/// Appends an event inside the caller's transaction, so the event commits (or not) with the
/// change it records. Locking the chain's head row serialises appends into one chain.
pub async fn append(
    conn: &mut AnyConnection,
    entity_id: Option<i64>,
    actor_user_id: Option<i64>,
    kind: Kind,
    details: Value,
) -> Result<i64, sqlx::Error> {
    let head = sqlx::query::<Any>(
        "UPDATE audit_head SET last_id = last_id + 1 WHERE id = 1 RETURNING last_id, last_hash",
    )
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = head.try_get("last_id")?;
    let prev_hash: String = head.try_get("last_hash")?;
    let at = now();
    let details = details.to_string();
    let hash = event_hash(
        &prev_hash,
        id,
        at,
        entity_id,
        actor_user_id,
        kind.code(),
        &details,
    );
    sqlx::query::<Any>(
        "INSERT INTO audit_events (id, at, entity_id, actor_user_id, kind, details, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(at)
    .bind(entity_id)
    .bind(actor_user_id)
    .bind(kind.code())
    .bind(&details)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query::<Any>("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub checked: u64,
    /// The first event whose hash, link or number does not match, and why.
    pub first_broken: Option<(i64, String)>,
}

/// Recomputes the whole chain, in order, and reports the first broken event.
pub async fn verify(db: &Db) -> Result<Verification, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, at, entity_id, actor_user_id, kind, details, prev_hash, hash \
         FROM audit_events ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut expected_id = 1;
    let mut checked = 0;
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let prev_hash: String = row.try_get("prev_hash")?;
        let hash: String = row.try_get("hash")?;
        let computed = event_hash(
            &prev_hash,
            id,
            row.try_get("at")?,
            row.try_get("entity_id")?,
            row.try_get("actor_user_id")?,
            &row.try_get::<String, _>("kind")?,
            &row.try_get::<String, _>("details")?,
        );
        let problem = if id != expected_id {
            Some(format!("event {expected_id} is missing"))
        } else if prev_hash != expected_prev {
            Some("its link to the previous event does not match".to_string())
        } else if computed != hash {
            Some("its content does not match its hash".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Ok(Verification {
                checked,
                first_broken: Some((id, problem)),
            });
        }
        expected_prev = hash;
        expected_id += 1;
        checked += 1;
    }
    let head: Option<(i64, String)> =
        sqlx::query_as("SELECT last_id, last_hash FROM audit_head WHERE id = 1")
            .fetch_optional(db.pool())
            .await?;
    if let Some((last_id, last_hash)) = head {
        if last_id != expected_id - 1 || last_hash != expected_prev {
            return Ok(Verification {
                checked,
                first_broken: Some((
                    expected_id,
                    "the latest events are missing from the trail".to_string(),
                )),
            });
        }
    }
    Ok(Verification {
        checked,
        first_broken: None,
    })
}

/// One event as read back (for the server tests and the verifier's report).
#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub entity_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub kind: String,
    pub details: Value,
}

pub async fn events(db: &Db) -> Result<Vec<Event>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, entity_id, actor_user_id, kind, details FROM audit_events ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Event {
                id: row.try_get("id")?,
                entity_id: row.try_get("entity_id")?,
                actor_user_id: row.try_get("actor_user_id")?,
                kind: row.try_get("kind")?,
                details: serde_json::from_str(&row.try_get::<String, _>("details")?)
                    .unwrap_or(Value::Null),
            })
        })
        .collect()
}
