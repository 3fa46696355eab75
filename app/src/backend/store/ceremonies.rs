//! Ceremonies in progress, kept on the server and attached to a session: a passkey challenge
//! (sign-in, enrolment, or an operation's validation) or a TOTP secret being enrolled. Taking
//! one is a single `DELETE … RETURNING`: of two concurrent uses, exactly one gets it.

use sqlx::{Any, Executor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CeremonyKind {
    PasskeySignIn,
    PasskeyEnrolment,
    TotpEnrolment,
    /// The passkey challenge that validates an operation (bound to it by `operation_id`).
    PasskeyOperation,
    /// A confirmation of an operation in progress in the session: one at a time.
    OperationConfirmation,
}

crate::stored_codes!(CeremonyKind {
    CeremonyKind::PasskeySignIn => "passkey_sign_in",
    CeremonyKind::PasskeyEnrolment => "passkey_enrolment",
    CeremonyKind::TotpEnrolment => "totp_enrolment",
    CeremonyKind::PasskeyOperation => "passkey_operation",
    CeremonyKind::OperationConfirmation => "operation_confirmation",
});

/// Starts a ceremony, replacing one of the same kind in the session.
pub async fn put<'e, E>(
    executor: E,
    session_id: i64,
    kind: CeremonyKind,
    operation_id: Option<&str>,
    state: &str,
    now: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO ceremonies (session_id, kind, operation_id, state, created_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (session_id, kind) DO UPDATE SET operation_id = $3, state = $4, \
         created_at = $5",
    )
    .bind(session_id)
    .bind(kind.code())
    .bind(operation_id)
    .bind(state)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(())
}

/// Starts a ceremony only if none of this kind is in progress in the session since `stale_before`
/// (an older one, left by a crash, is replaced). Returns whether this call started it.
pub async fn claim<'e, E>(
    executor: E,
    session_id: i64,
    kind: CeremonyKind,
    operation_id: &str,
    now: i64,
    stale_before: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let claimed = sqlx::query(
        "INSERT INTO ceremonies (session_id, kind, operation_id, state, created_at) \
         VALUES ($1, $2, $3, '', $4) \
         ON CONFLICT (session_id, kind) DO UPDATE SET operation_id = $3, created_at = $4 \
         WHERE ceremonies.created_at < $5",
    )
    .bind(session_id)
    .bind(kind.code())
    .bind(operation_id)
    .bind(now)
    .bind(stale_before)
    .execute(executor)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Takes a ceremony started at `not_before` or later, for this operation (or none): usable once.
pub async fn take<'e, E>(
    executor: E,
    session_id: i64,
    kind: CeremonyKind,
    operation_id: Option<&str>,
    not_before: i64,
) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "DELETE FROM ceremonies WHERE session_id = $1 AND kind = $2 \
         AND COALESCE(operation_id, '') = $3 AND created_at >= $4 RETURNING state",
    )
    .bind(session_id)
    .bind(kind.code())
    .bind(operation_id.unwrap_or_default())
    .bind(not_before)
    .fetch_optional(executor)
    .await
}

/// Reads a ceremony without taking it (a TOTP enrolment retried with the same secret).
pub async fn peek<'e, E>(
    executor: E,
    session_id: i64,
    kind: CeremonyKind,
    not_before: i64,
) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT state FROM ceremonies WHERE session_id = $1 AND kind = $2 AND created_at >= $3",
    )
    .bind(session_id)
    .bind(kind.code())
    .bind(not_before)
    .fetch_optional(executor)
    .await
}

/// Ends a ceremony (finished).
pub async fn clear<'e, E>(
    executor: E,
    session_id: i64,
    kind: CeremonyKind,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("DELETE FROM ceremonies WHERE session_id = $1 AND kind = $2")
        .bind(session_id)
        .bind(kind.code())
        .execute(executor)
        .await?;
    Ok(())
}
