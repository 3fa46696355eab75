//! Administration operations, from « Confirmer » to their application: what was signed (the
//! payload and its digest), by whom, about whom, and where it stands.
//!
//! States: `prepared` (awaiting its strong authentication) → `applied`; or `voided` (cancelled,
//! replaced by a new preparation) or `expired` (too late). With the entity's double validation
//! on, a signed operation is `awaiting_approval` until a second administrator approves it
//! (`applied`) or rejects it (`rejected`); it is `voided` when it lapses or is withdrawn.
//! Applying is one atomic statement inside the transaction that makes the change: of concurrent
//! confirmations or approvals, exactly one wins.

use sqlx::{Any, AnyConnection, Executor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperationStatus {
    Prepared,
    AwaitingApproval,
    Applied,
    Rejected,
    Voided,
    Expired,
}

crate::stored_codes!(OperationStatus {
    OperationStatus::Prepared => "prepared",
    OperationStatus::AwaitingApproval => "awaiting_approval",
    OperationStatus::Rejected => "rejected",
    OperationStatus::Applied => "applied",
    OperationStatus::Voided => "voided",
    OperationStatus::Expired => "expired",
});

/// An operation as stored.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredOperation {
    pub id: String,
    pub entity_id: i64,
    pub author_user_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: model::OperationKind,
    pub target_user_id: Option<i64>,
    pub target_version: Option<i64>,
    pub payload: String,
    pub digest: String,
    #[sqlx(try_from = "String")]
    pub status: OperationStatus,
    pub session_id: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
    pub applied_at: Option<i64>,
    pub result_user_id: Option<i64>,
    /// The journey's draft it was prepared from, if any.
    pub draft_id: Option<String>,
    /// When its author signed it (double validation: the request's start).
    pub signed_at: Option<i64>,
    /// Who approved or rejected it, and when.
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub rejection_reason: Option<String>,
    /// Why it lapsed (a [`model::approval::Lapse`] code).
    pub lapse: Option<String>,
}

const COLUMNS: &str = "id, entity_id, author_user_id, kind, target_user_id, target_version, \
                       payload, digest, status, session_id, created_at, expires_at, applied_at, \
                       result_user_id, draft_id, signed_at, decided_by, decided_at, \
                       rejection_reason, lapse";

pub struct NewOperation<'a> {
    pub id: &'a str,
    pub entity_id: i64,
    pub author_user_id: i64,
    pub kind: model::OperationKind,
    pub target_user_id: Option<i64>,
    pub target_version: Option<i64>,
    pub payload: &'a str,
    pub digest: &'a str,
    pub session_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub draft_id: Option<&'a str>,
}

/// Keeps a prepared operation. The author's earlier prepared operations are voided: any new
/// preparation (an edit) voids what was about to be signed.
pub async fn prepare(
    conn: &mut AnyConnection,
    operation: NewOperation<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE operations SET status = $1 WHERE author_user_id = $2 AND status = $3")
        .bind(OperationStatus::Voided.code())
        .bind(operation.author_user_id)
        .bind(OperationStatus::Prepared.code())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO operations (id, entity_id, author_user_id, kind, target_user_id, \
         target_version, payload, digest, status, session_id, created_at, expires_at, draft_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(operation.id)
    .bind(operation.entity_id)
    .bind(operation.author_user_id)
    .bind(operation.kind.code())
    .bind(operation.target_user_id)
    .bind(operation.target_version)
    .bind(operation.payload)
    .bind(operation.digest)
    .bind(OperationStatus::Prepared.code())
    .bind(operation.session_id)
    .bind(operation.created_at)
    .bind(operation.expires_at)
    .bind(operation.draft_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An operation of the author, in their entity; another entity's or author's is not found.
pub async fn find_by_author<'e, E>(
    executor: E,
    operation_id: &str,
    entity_id: i64,
    author_user_id: i64,
) -> Result<Option<StoredOperation>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM operations WHERE id = $1 AND entity_id = $2 AND author_user_id = $3"
    ))
    .bind(operation_id)
    .bind(entity_id)
    .bind(author_user_id)
    .fetch_optional(executor)
    .await
}

/// Marks a prepared operation as applied, if it still is prepared, unexpired and unchanged: one
/// atomic statement, inside the transaction that applies it.
pub async fn mark_applied(
    conn: &mut AnyConnection,
    operation_id: &str,
    entity_id: i64,
    author_user_id: i64,
    digest: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let applied = sqlx::query(
        "UPDATE operations SET status = $1, applied_at = $2 \
         WHERE id = $3 AND entity_id = $4 AND author_user_id = $5 AND status = $6 \
         AND expires_at > $2 AND digest = $7",
    )
    .bind(OperationStatus::Applied.code())
    .bind(now)
    .bind(operation_id)
    .bind(entity_id)
    .bind(author_user_id)
    .bind(OperationStatus::Prepared.code())
    .bind(digest)
    .execute(conn)
    .await?;
    Ok(applied.rows_affected() == 1)
}

/// Records the user an addition created.
pub async fn set_result_user(
    conn: &mut AnyConnection,
    operation_id: &str,
    user_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE operations SET result_user_id = $1 WHERE id = $2")
        .bind(user_id)
        .bind(operation_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// « Annuler »: voids the author's prepared operation.
pub async fn void<'e, E>(
    executor: E,
    operation_id: &str,
    entity_id: i64,
    author_user_id: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE operations SET status = $1 \
         WHERE id = $2 AND entity_id = $3 AND author_user_id = $4 AND status = $5",
    )
    .bind(OperationStatus::Voided.code())
    .bind(operation_id)
    .bind(entity_id)
    .bind(author_user_id)
    .bind(OperationStatus::Prepared.code())
    .execute(executor)
    .await?;
    Ok(())
}

/// The kind and short digest of an entity's operation (what « Pourquoi ? » names).
pub async fn kind_and_digest<'e, E>(
    executor: E,
    operation_id: &str,
    entity_id: i64,
) -> Result<Option<(model::OperationKind, String)>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT kind, digest FROM operations WHERE id = $1 AND entity_id = $2")
            .bind(operation_id)
            .bind(entity_id)
            .fetch_optional(executor)
            .await?;
    row.map(|(kind, digest)| {
        model::OperationKind::try_from(kind)
            .map(|kind| (kind, digest))
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    })
    .transpose()
}

/// Double validation: marks the author's prepared operation as signed and awaiting a second
/// administrator's approval, if it still is prepared, unexpired and unchanged.
pub async fn mark_awaiting_approval(
    conn: &mut AnyConnection,
    operation_id: &str,
    entity_id: i64,
    author_user_id: i64,
    digest: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let marked = sqlx::query(
        "UPDATE operations SET status = $1, signed_at = $2 \
         WHERE id = $3 AND entity_id = $4 AND author_user_id = $5 AND status = $6 \
         AND expires_at > $2 AND digest = $7",
    )
    .bind(OperationStatus::AwaitingApproval.code())
    .bind(now)
    .bind(operation_id)
    .bind(entity_id)
    .bind(author_user_id)
    .bind(OperationStatus::Prepared.code())
    .bind(digest)
    .execute(conn)
    .await?;
    Ok(marked.rows_affected() == 1)
}

/// An operation of the entity, whoever its author (a request another administrator decides).
pub async fn find_in_entity<'e, E>(
    executor: E,
    operation_id: &str,
    entity_id: i64,
) -> Result<Option<StoredOperation>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM operations WHERE id = $1 AND entity_id = $2"
    ))
    .bind(operation_id)
    .bind(entity_id)
    .fetch_optional(executor)
    .await
}

/// The entity's requests awaiting approval and signed after `signed_after` (older ones have
/// lapsed), oldest first.
pub async fn awaiting_approval<'e, E>(
    executor: E,
    entity_id: i64,
    signed_after: i64,
) -> Result<Vec<StoredOperation>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM operations WHERE entity_id = $1 AND status = $2 \
         AND signed_at > $3 ORDER BY signed_at, id"
    ))
    .bind(entity_id)
    .bind(OperationStatus::AwaitingApproval.code())
    .bind(signed_after)
    .fetch_all(executor)
    .await
}

/// The entity's requests of one kind awaiting approval.
pub async fn awaiting_of_kind<'e, E>(
    executor: E,
    entity_id: i64,
    kind: model::OperationKind,
) -> Result<Vec<StoredOperation>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM operations WHERE entity_id = $1 AND status = $2 AND kind = $3"
    ))
    .bind(entity_id)
    .bind(OperationStatus::AwaitingApproval.code())
    .bind(kind.code())
    .fetch_all(executor)
    .await
}

/// How many requests of the entity signed after `signed_after` await the approval of `user_id`
/// (those of others).
pub async fn count_awaiting_for<'e, E>(
    executor: E,
    entity_id: i64,
    user_id: i64,
    signed_after: i64,
) -> Result<i64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM operations WHERE entity_id = $1 AND status = $2 \
         AND author_user_id <> $3 AND signed_at > $4",
    )
    .bind(entity_id)
    .bind(OperationStatus::AwaitingApproval.code())
    .bind(user_id)
    .bind(signed_after)
    .fetch_one(executor)
    .await
}

/// How a request awaiting approval is decided.
pub enum Decision<'a> {
    /// Approved by `decided_by`: applied in the same transaction.
    Approved,
    /// Rejected by `decided_by`, with a reason.
    Rejected { reason: &'a str },
    /// Void: lapsed (the code says why), or withdrawn by its author (no code).
    Voided { lapse: Option<&'a str> },
}

/// Decides a request still awaiting approval with the digest that was shown: one atomic
/// statement, so of concurrent decisions exactly one wins. An approval or a rejection is never
/// by the request's author.
pub async fn decide(
    conn: &mut AnyConnection,
    operation_id: &str,
    entity_id: i64,
    digest: &str,
    decided_by: i64,
    decision: Decision<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let (status, reason, lapse, others_only) = match decision {
        Decision::Approved => (OperationStatus::Applied, None, None, true),
        Decision::Rejected { reason } => (OperationStatus::Rejected, Some(reason), None, true),
        Decision::Voided { lapse } => (OperationStatus::Voided, None, lapse, false),
    };
    let decided = sqlx::query(
        "UPDATE operations SET status = $1, decided_by = $2, decided_at = $3, \
         applied_at = COALESCE($11, applied_at), \
         rejection_reason = $4, lapse = $5 \
         WHERE id = $6 AND entity_id = $7 AND status = $8 AND digest = $9 \
         AND ($10 = 0 OR author_user_id <> $2)",
    )
    .bind(status.code())
    .bind(decided_by)
    .bind(now)
    .bind(reason)
    .bind(lapse)
    .bind(operation_id)
    .bind(entity_id)
    .bind(OperationStatus::AwaitingApproval.code())
    .bind(digest)
    .bind(i64::from(others_only))
    .bind((status == OperationStatus::Applied).then_some(now))
    .execute(conn)
    .await?;
    Ok(decided.rows_affected() == 1)
}
