//! Server-side drafts of journeys (« Ajouter un utilisateur », « Modifier les droits »): what
//! the administrator chose so far, so that every step has its own URL and survives a reload.
//! A draft belongs to its author: anyone else's draft is not found.

use sqlx::{Any, Executor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftKind {
    AddUser,
    ModifyRights,
}

crate::stored_codes!(DraftKind {
    DraftKind::AddUser => "add_user",
    DraftKind::ModifyRights => "modify_rights",
});

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredDraft {
    pub id: String,
    #[sqlx(try_from = "String")]
    pub kind: DraftKind,
    /// JSON, the journey's own shape.
    pub data: String,
    pub updated_at: i64,
}

pub struct NewDraft<'a> {
    pub id: &'a str,
    pub entity_id: i64,
    pub author_user_id: i64,
    pub kind: DraftKind,
    pub data: &'a str,
    pub now: i64,
}

pub async fn insert<'e, E>(executor: E, draft: NewDraft<'_>) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO drafts (id, entity_id, author_user_id, kind, data, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(draft.id)
    .bind(draft.entity_id)
    .bind(draft.author_user_id)
    .bind(draft.kind.code())
    .bind(draft.data)
    .bind(draft.now)
    .execute(executor)
    .await?;
    Ok(())
}

/// A draft of the author (of any kind: the caller checks it), updated after `not_before`
/// (drafts go stale).
pub async fn find<'e, E>(
    executor: E,
    id: &str,
    entity_id: i64,
    author_user_id: i64,
    not_before: i64,
) -> Result<Option<StoredDraft>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT id, kind, data, updated_at FROM drafts WHERE id = $1 AND entity_id = $2 \
         AND author_user_id = $3 AND updated_at >= $4",
    )
    .bind(id)
    .bind(entity_id)
    .bind(author_user_id)
    .bind(not_before)
    .fetch_optional(executor)
    .await
}

pub async fn update<'e, E>(
    executor: E,
    id: &str,
    entity_id: i64,
    author_user_id: i64,
    data: &str,
    now: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let updated = sqlx::query(
        "UPDATE drafts SET data = $1, updated_at = $2 WHERE id = $3 AND entity_id = $4 \
         AND author_user_id = $5",
    )
    .bind(data)
    .bind(now)
    .bind(id)
    .bind(entity_id)
    .bind(author_user_id)
    .execute(executor)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Forgets drafts untouched since `before`.
pub async fn purge<'e, E>(executor: E, before: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query("DELETE FROM drafts WHERE updated_at < $1")
        .bind(before)
        .execute(executor)
        .await?
        .rows_affected())
}
