//! Users' rights: one row per level held on an account or contract, each with where it comes
//! from (its origin), the operation that granted it, when and by whom. The administration right
//! is the user's `is_administrator` flag.

use super::Flag;
use model::{Level, Origin, Origins, ResourceRef, Rights};
use sqlx::{Any, AnyConnection, Executor};

/// A level held, as stored, with the user's administration right (one row per level; one row
/// of NULLs for a user without any).
#[derive(Clone, Debug, sqlx::FromRow)]
struct RightRow {
    #[sqlx(try_from = "Flag")]
    is_administrator: bool,
    account_id: Option<i64>,
    contract_id: Option<i64>,
    level: Option<String>,
    origin: Option<String>,
}

/// A user's rights with the origin of each level, as stored.
#[derive(Clone, Debug, Default)]
pub struct StoredRights {
    pub rights: Rights,
    pub origins: Origins,
}

/// A user's rights, in one statement (empty when the user is not of this entity).
pub async fn of_user<'e, E>(
    executor: E,
    entity_id: i64,
    user_id: i64,
) -> Result<StoredRights, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<RightRow> = sqlx::query_as(
        "SELECT u.is_administrator, r.account_id, r.contract_id, r.level, r.origin          FROM users u LEFT JOIN user_rights r ON r.user_id = u.id          WHERE u.entity_id = $1 AND u.id = $2",
    )
    .bind(entity_id)
    .bind(user_id)
    .fetch_all(executor)
    .await?;
    let mut stored = StoredRights::default();
    let mut levels = Vec::new();
    for row in rows {
        stored.rights.set_administration(row.is_administrator);
        let resource = match (row.account_id, row.contract_id) {
            (Some(id), None) => ResourceRef::Account(id),
            (None, Some(id)) => ResourceRef::Contract(id),
            _ => continue, // the LEFT JOIN's row for a user without rights
        };
        let (Some(level), Some(origin)) = (row.level, row.origin) else {
            continue;
        };
        let level = Level::try_from(level).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        levels.push((resource, level, origin));
    }
    // Consultation first, so that the invariant holds while levels are added.
    levels.sort_by_key(|(_, level, _)| *level);
    for (resource, level, origin) in levels {
        let held = stored.rights.get(resource).with(level, true).0;
        stored.rights.set_levels(resource, held);
        stored
            .origins
            .insert((resource, level), Origin::from_code(&origin));
    }
    Ok(stored)
}

/// Who granted a level, when, with which operation.
pub struct Grant<'a> {
    pub operation_id: Option<&'a str>,
    pub granted_at: i64,
    pub granted_by: Option<i64>,
}

/// Writes levels a user gains, with their origins.
pub async fn insert(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    levels: &[(ResourceRef, Level, Origin)],
    grant: &Grant<'_>,
) -> Result<(), sqlx::Error> {
    for (resource, level, origin) in levels {
        let (account, contract) = match resource {
            ResourceRef::Account(id) => (Some(*id), None),
            ResourceRef::Contract(id) => (None, Some(*id)),
        };
        sqlx::query::<Any>(
            "INSERT INTO user_rights (entity_id, user_id, account_id, contract_id, level, origin, \
             operation_id, granted_at, granted_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entity_id)
        .bind(user_id)
        .bind(account)
        .bind(contract)
        .bind(level.code())
        .bind(origin.code())
        .bind(grant.operation_id)
        .bind(grant.granted_at)
        .bind(grant.granted_by)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Sets the administration right.
pub async fn set_administration(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    on: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET is_administrator = $1 WHERE entity_id = $2 AND id = $3")
        .bind(i64::from(on))
        .bind(entity_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes a user's whole rights with the given origins (a new user, demo data).
pub async fn insert_all(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    rights: &Rights,
    origin: impl Fn(ResourceRef, Level) -> Origin,
    grant: &Grant<'_>,
) -> Result<(), sqlx::Error> {
    let levels: Vec<(ResourceRef, Level, Origin)> = rights
        .grants()
        .flat_map(|(resource, levels)| {
            levels
                .iter()
                .map(move |level| (resource, level))
                .collect::<Vec<_>>()
        })
        .map(|(resource, level)| (resource, level, origin(resource, level)))
        .collect();
    insert(conn, entity_id, user_id, &levels, grant).await
}

/// Who took levels away, when, with which operation.
pub struct Revocation<'a> {
    pub operation_id: &'a str,
    pub revoked_at: i64,
    pub revoked_by: i64,
}

/// Columns copied from `user_rights` to `revoked_rights` (the revocation's three follow).
const KEPT_COLUMNS: &str = "entity_id, user_id, account_id, contract_id, level, origin, \
                            operation_id, granted_at, granted_by";

/// The column naming a resource's id.
fn resource_column(resource: ResourceRef) -> (&'static str, i64) {
    match resource {
        ResourceRef::Account(id) => ("account_id", id),
        ResourceRef::Contract(id) => ("contract_id", id),
    }
}

/// Takes levels away from a user: each row moves to `revoked_rights` with the revocation, so
/// that who held which right when stays answerable.
pub async fn revoke(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    levels: &[(ResourceRef, Level)],
    revocation: &Revocation<'_>,
) -> Result<(), sqlx::Error> {
    for (resource, level) in levels {
        let (column, id) = resource_column(*resource);
        let condition = format!("entity_id = $1 AND user_id = $2 AND {column} = $3 AND level = $4");
        sqlx::query::<Any>(&format!(
            "INSERT INTO revoked_rights ({KEPT_COLUMNS}, revoked_at, revoked_by, \
             revoking_operation_id) SELECT {KEPT_COLUMNS}, $5, $6, $7 FROM user_rights \
             WHERE {condition}"
        ))
        .bind(entity_id)
        .bind(user_id)
        .bind(id)
        .bind(level.code())
        .bind(revocation.revoked_at)
        .bind(revocation.revoked_by)
        .bind(revocation.operation_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query::<Any>(&format!("DELETE FROM user_rights WHERE {condition}"))
            .bind(entity_id)
            .bind(user_id)
            .bind(id)
            .bind(level.code())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Takes every level away from a user (a removal), keeping the history.
pub async fn revoke_all(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    revocation: &Revocation<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query::<Any>(&format!(
        "INSERT INTO revoked_rights ({KEPT_COLUMNS}, revoked_at, revoked_by, \
         revoking_operation_id) SELECT {KEPT_COLUMNS}, $3, $4, $5 FROM user_rights \
         WHERE entity_id = $1 AND user_id = $2"
    ))
    .bind(entity_id)
    .bind(user_id)
    .bind(revocation.revoked_at)
    .bind(revocation.revoked_by)
    .bind(revocation.operation_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query::<Any>("DELETE FROM user_rights WHERE entity_id = $1 AND user_id = $2")
        .bind(entity_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A level kept whose origin changes (a profile applied to a right already held): it is given
/// again by this operation.
pub async fn regrant(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    (resource, level, origin): (ResourceRef, Level, &Origin),
    grant: &Grant<'_>,
) -> Result<(), sqlx::Error> {
    let (column, id) = resource_column(resource);
    sqlx::query::<Any>(&format!(
        "UPDATE user_rights SET origin = $1, operation_id = $2, granted_at = $3, granted_by = $4 \
         WHERE entity_id = $5 AND user_id = $6 AND {column} = $7 AND level = $8"
    ))
    .bind(origin.code())
    .bind(grant.operation_id)
    .bind(grant.granted_at)
    .bind(grant.granted_by)
    .bind(entity_id)
    .bind(user_id)
    .bind(id)
    .bind(level.code())
    .execute(conn)
    .await?;
    Ok(())
}

/// How many levels a user once held and no longer does (history kept by [`revoke`]).
pub async fn revoked_count<'e, E>(
    executor: E,
    entity_id: i64,
    user_id: i64,
) -> Result<i64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar("SELECT COUNT(*) FROM revoked_rights WHERE entity_id = $1 AND user_id = $2")
        .bind(entity_id)
        .bind(user_id)
        .fetch_one(executor)
        .await
}

/// A level held by a user of the entity, for the entitlement report.
#[derive(Clone, Debug, sqlx::FromRow)]
struct EntityRightRow {
    user_id: i64,
    account_id: Option<i64>,
    contract_id: Option<i64>,
    level: String,
    origin: String,
}

/// Every right of an entity's users (removed users hold none), by user, in one statement.
pub async fn of_entity<'e, E>(
    executor: E,
    entity_id: i64,
) -> Result<Vec<(i64, StoredRights)>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<EntityRightRow> = sqlx::query_as(
        "SELECT user_id, account_id, contract_id, level, origin FROM user_rights \
         WHERE entity_id = $1 ORDER BY user_id",
    )
    .bind(entity_id)
    .fetch_all(executor)
    .await?;
    let mut levels: Vec<(i64, ResourceRef, Level, String)> = Vec::with_capacity(rows.len());
    for row in rows {
        let resource = match (row.account_id, row.contract_id) {
            (Some(id), None) => ResourceRef::Account(id),
            (None, Some(id)) => ResourceRef::Contract(id),
            _ => continue,
        };
        let level = Level::try_from(row.level).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        levels.push((row.user_id, resource, level, row.origin));
    }
    // Consultation first within each user, so that the invariant holds while levels are added.
    levels.sort_by_key(|(user, _, level, _)| (*user, *level));
    let mut users: Vec<(i64, StoredRights)> = Vec::new();
    for (user_id, resource, level, origin) in levels {
        if users.last().map(|(id, _)| *id) != Some(user_id) {
            users.push((user_id, StoredRights::default()));
        }
        if let Some((_, stored)) = users.last_mut() {
            let held = stored.rights.get(resource).with(level, true).0;
            stored.rights.set_levels(resource, held);
            stored
                .origins
                .insert((resource, level), Origin::from_code(&origin));
        }
    }
    Ok(users)
}

/// A level as granted or revoked, with who, when and by which operation (« Pourquoi ? »).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct GrantRow {
    pub account_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub level: String,
    pub origin: String,
    pub operation_id: Option<String>,
    pub granted_at: i64,
    pub granted_by: Option<i64>,
    /// For a revoked level: when, by whom, by which operation.
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<i64>,
    pub revoking_operation_id: Option<String>,
}

impl GrantRow {
    pub fn resource(&self) -> Option<ResourceRef> {
        match (self.account_id, self.contract_id) {
            (Some(id), None) => Some(ResourceRef::Account(id)),
            (None, Some(id)) => Some(ResourceRef::Contract(id)),
            _ => None,
        }
    }
}

/// A user's levels held now, with their grant.
pub async fn grants_of<'e, E>(
    executor: E,
    entity_id: i64,
    user_id: i64,
) -> Result<Vec<GrantRow>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT account_id, contract_id, level, origin, operation_id, granted_at, granted_by, \
         CAST(NULL AS BIGINT) AS revoked_at, CAST(NULL AS BIGINT) AS revoked_by, \
         CAST(NULL AS TEXT) AS revoking_operation_id FROM user_rights \
         WHERE entity_id = $1 AND user_id = $2",
    )
    .bind(entity_id)
    .bind(user_id)
    .fetch_all(executor)
    .await
}

/// The levels a user once held and lost, latest first.
pub async fn revocations_of<'e, E>(
    executor: E,
    entity_id: i64,
    user_id: i64,
) -> Result<Vec<GrantRow>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT account_id, contract_id, level, origin, operation_id, granted_at, granted_by, \
         revoked_at, revoked_by, revoking_operation_id FROM revoked_rights \
         WHERE entity_id = $1 AND user_id = $2 ORDER BY revoked_at DESC, id DESC",
    )
    .bind(entity_id)
    .bind(user_id)
    .fetch_all(executor)
    .await
}
