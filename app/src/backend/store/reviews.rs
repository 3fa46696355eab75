//! « Revue des accès »: reviews of an entity's accesses and, per review, one item per user with
//! what became of their rights (confirmed as they were, or changed by a signed operation).

use crate::api::types::UserState;
use model::review::Decision;
use sqlx::{Any, AnyConnection, Executor};

/// A review, with how far it has got.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Review {
    pub id: i64,
    pub started_at: i64,
    pub started_by_name: String,
    pub closed_at: Option<i64>,
    pub closed_by_name: Option<String>,
    pub pending: i64,
    pub confirmed: i64,
    pub changed: i64,
}

const REVIEW_COLUMNS: &str = "r.id, r.started_at, r.closed_at, \
     (sp.first_name || ' ' || sp.last_name) AS started_by_name, \
     (cp.first_name || ' ' || cp.last_name) AS closed_by_name, \
     (SELECT COUNT(*) FROM access_review_items i WHERE i.review_id = r.id AND i.decision = 'pending') AS pending, \
     (SELECT COUNT(*) FROM access_review_items i WHERE i.review_id = r.id AND i.decision = 'confirmed') AS confirmed, \
     (SELECT COUNT(*) FROM access_review_items i WHERE i.review_id = r.id AND i.decision = 'changed') AS changed";

const REVIEW_JOINS: &str = "FROM access_reviews r \
     JOIN users su ON su.id = r.started_by JOIN persons sp ON sp.id = su.person_id \
     LEFT JOIN users cu ON cu.id = r.closed_by LEFT JOIN persons cp ON cp.id = cu.person_id";

/// The entity's reviews, newest first.
pub async fn list<'e, E>(executor: E, entity_id: i64) -> Result<Vec<Review>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {REVIEW_COLUMNS} {REVIEW_JOINS} WHERE r.entity_id = $1 ORDER BY r.id DESC"
    ))
    .bind(entity_id)
    .fetch_all(executor)
    .await
}

pub async fn find<'e, E>(
    executor: E,
    entity_id: i64,
    review_id: i64,
) -> Result<Option<Review>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {REVIEW_COLUMNS} {REVIEW_JOINS} WHERE r.entity_id = $1 AND r.id = $2"
    ))
    .bind(entity_id)
    .bind(review_id)
    .fetch_optional(executor)
    .await
}

/// What the home page's reminder needs: whether a review is under way, when the last closed,
/// and the entity's period.
#[derive(Clone, Copy, Debug, sqlx::FromRow)]
pub struct Cadence {
    pub open: i64,
    pub last_closed_at: Option<i64>,
    pub period_days: i64,
}

/// The [`Cadence`] of the entity `e`, as columns (the home page reads them with its card).
pub(super) const CADENCE_COLUMNS: &str = "e.access_review_period_days AS period_days, \
     (SELECT COUNT(*) FROM access_reviews r WHERE r.entity_id = e.id AND r.closed_at IS NULL) AS open, \
     (SELECT MAX(r.closed_at) FROM access_reviews r WHERE r.entity_id = e.id) AS last_closed_at";

pub async fn cadence<'e, E>(executor: E, entity_id: i64) -> Result<Cadence, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {CADENCE_COLUMNS} FROM entities e WHERE e.id = $1"
    ))
    .bind(entity_id)
    .fetch_one(executor)
    .await
}

/// Sets how many days after a review the next one is due.
pub async fn set_period<'e, E>(executor: E, entity_id: i64, days: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE entities SET access_review_period_days = $1 WHERE id = $2")
        .bind(days)
        .bind(entity_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Starts a review with one item per user of the entity who is not removed. `None` when a
/// review is already under way (one open review per entity: a unique index decides).
pub async fn start(
    conn: &mut AnyConnection,
    entity_id: i64,
    started_by: i64,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO access_reviews (entity_id, started_at, started_by) VALUES ($1, $2, $3) \
         ON CONFLICT (entity_id) WHERE closed_at IS NULL DO NOTHING RETURNING id",
    )
    .bind(entity_id)
    .bind(now)
    .bind(started_by)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    sqlx::query(
        "INSERT INTO access_review_items (review_id, entity_id, user_id, decision) \
         SELECT $1, entity_id, id, 'pending' FROM users WHERE entity_id = $2 AND state <> $3",
    )
    .bind(id)
    .bind(entity_id)
    .bind(UserState::Removed.code())
    .execute(&mut *conn)
    .await?;
    Ok(Some(id))
}

/// One user of a review, with who they are now and what became of their rights.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Item {
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub login_id: String,
    #[sqlx(try_from = "String")]
    pub state: UserState,
    pub version: i64,
    #[sqlx(try_from = "String")]
    pub decision: Decision,
    /// The rights as confirmed, or after the change, in plain words.
    pub rights_text: Option<String>,
    pub decided_at: Option<i64>,
    pub decided_by_name: Option<String>,
    pub operation_id: Option<String>,
}

pub async fn items<'e, E>(
    executor: E,
    entity_id: i64,
    review_id: i64,
) -> Result<Vec<Item>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT i.user_id, p.first_name, p.last_name, u.login_id, u.state, u.version, \
                i.decision, i.rights_text, i.decided_at, i.operation_id, \
                (dp.first_name || ' ' || dp.last_name) AS decided_by_name \
         FROM access_review_items i JOIN users u ON u.id = i.user_id \
         JOIN persons p ON p.id = u.person_id \
         LEFT JOIN users du ON du.id = i.decided_by LEFT JOIN persons dp ON dp.id = du.person_id \
         WHERE i.entity_id = $1 AND i.review_id = $2 \
         ORDER BY p.last_name, p.first_name, u.id",
    )
    .bind(entity_id)
    .bind(review_id)
    .fetch_all(executor)
    .await
}

/// A decision on one user.
pub struct Decided<'a> {
    pub decision: Decision,
    pub rights_text: &'a str,
    pub decided_at: i64,
    pub decided_by: i64,
    pub operation_id: Option<&'a str>,
}

/// Records the decision on a user still pending in an open review. Returns whether it applied.
pub async fn decide(
    conn: &mut AnyConnection,
    entity_id: i64,
    review_id: i64,
    user_id: i64,
    decided: &Decided<'_>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE access_review_items SET decision = $1, rights_text = $2, decided_at = $3, \
         decided_by = $4, operation_id = $5 \
         WHERE entity_id = $6 AND review_id = $7 AND user_id = $8 AND decision = 'pending' \
         AND review_id IN (SELECT id FROM access_reviews WHERE entity_id = $6 AND closed_at IS NULL)",
    )
    .bind(decided.decision.code())
    .bind(decided.rights_text)
    .bind(decided.decided_at)
    .bind(decided.decided_by)
    .bind(decided.operation_id)
    .bind(entity_id)
    .bind(review_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The open review in which `user_id` is still pending, if any.
pub async fn pending_in_open_review<'e, E>(
    executor: E,
    entity_id: i64,
    user_id: i64,
) -> Result<Option<i64>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT i.review_id FROM access_review_items i \
         JOIN access_reviews r ON r.id = i.review_id AND r.closed_at IS NULL \
         WHERE i.entity_id = $1 AND i.user_id = $2 AND i.decision = 'pending'",
    )
    .bind(entity_id)
    .bind(user_id)
    .fetch_optional(executor)
    .await
}

/// Closes an open review with no pending item, keeping its signed evidence. Returns whether it
/// applied.
pub async fn close(
    conn: &mut AnyConnection,
    entity_id: i64,
    review_id: i64,
    closed_by: i64,
    closed_at: i64,
    evidence: &str,
    signature: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE access_reviews SET closed_at = $1, closed_by = $2, evidence = $3, \
         evidence_signature = $4 \
         WHERE entity_id = $5 AND id = $6 AND closed_at IS NULL AND NOT EXISTS \
         (SELECT 1 FROM access_review_items i WHERE i.review_id = $6 AND i.decision = 'pending')",
    )
    .bind(closed_at)
    .bind(closed_by)
    .bind(evidence)
    .bind(signature)
    .bind(entity_id)
    .bind(review_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The evidence file of a closed review and its signature.
pub async fn evidence<'e, E>(
    executor: E,
    entity_id: i64,
    review_id: i64,
) -> Result<Option<(String, String)>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT evidence, evidence_signature FROM access_reviews \
         WHERE entity_id = $1 AND id = $2 AND evidence IS NOT NULL AND evidence_signature IS NOT NULL",
    )
    .bind(entity_id)
    .bind(review_id)
    .fetch_optional(executor)
    .await
}
