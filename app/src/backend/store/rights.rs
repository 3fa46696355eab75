//! Users' rights: one row per level held on an account or contract, each with where it comes
//! from (its origin), the operation that granted it, when and by whom. The administration right
//! is the user's `is_administrator` flag.

use super::Flag;
use model::{Level, Origin, Origins, ResourceRef, Rights};
use sqlx::{Any, AnyConnection, Executor};
use std::collections::BTreeMap;

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
    ends_at: Option<i64>,
}

/// A user's rights with the origin of each level, as stored.
#[derive(Clone, Debug, Default)]
pub struct StoredRights {
    pub rights: Rights,
    pub origins: Origins,
    /// « Droits temporaires »: when each temporary level ends (Unix seconds).
    pub ends: BTreeMap<(ResourceRef, Level), i64>,
}

impl StoredRights {
    /// The temporary levels held, with their last day (a modification signs them).
    pub fn last_days(&self) -> Vec<(ResourceRef, Level, model::Day)> {
        self.ends
            .keys()
            .filter_map(|(r, l)| self.last_day(*r, *l).map(|day| (*r, *l, day)))
            .collect()
    }

    /// Adds a level read from the database (consultation first, for the invariant).
    fn hold(&mut self, resource: ResourceRef, level: Level, origin: &str, ends_at: Option<i64>) {
        let held = self.rights.get(resource).with(level, true).0;
        self.rights.set_levels(resource, held);
        self.origins
            .insert((resource, level), Origin::from_code(origin));
        if let Some(ends_at) = ends_at {
            self.ends.insert((resource, level), ends_at);
        }
    }

    /// The last day a level is held, for a temporary one.
    pub fn last_day(&self, resource: ResourceRef, level: Level) -> Option<model::Day> {
        self.ends
            .get(&(resource, level))
            .map(|ends_at| model::Day::in_paris_at(ends_at - 1))
    }
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
        "SELECT u.is_administrator, r.account_id, r.contract_id, r.level, r.origin, r.ends_at \
         FROM users u LEFT JOIN user_rights r ON r.user_id = u.id          WHERE u.entity_id = $1 AND u.id = $2",
    )
    .bind(entity_id)
    .bind(user_id)
    .fetch_all(executor)
    .await?;
    let mut stored = StoredRights::default();
    let mut levels = Vec::new();
    for row in rows {
        stored.rights.set_administration(row.is_administrator);
        // None: the LEFT JOIN's row for a user without rights.
        let Some(resource) = resource_of(row.account_id, row.contract_id) else {
            continue;
        };
        let (Some(level), Some(origin)) = (row.level, row.origin) else {
            continue;
        };
        let level = Level::try_from(level).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        levels.push((resource, level, origin, row.ends_at));
    }
    // Consultation first, so that the invariant holds while levels are added.
    levels.sort_by_key(|(_, level, _, _)| *level);
    for (resource, level, origin, ends_at) in levels {
        stored.hold(resource, level, &origin, ends_at);
    }
    Ok(stored)
}

/// Who granted a level, when, with which operation.
pub struct Grant<'a> {
    pub operation_id: Option<&'a str>,
    pub granted_at: i64,
    pub granted_by: Option<i64>,
    /// « Droits temporaires »: when the levels end; `None` for permanent ones.
    pub ends_at: Option<i64>,
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
             operation_id, granted_at, granted_by, ends_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
        .bind(grant.ends_at)
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
    insert(
        conn,
        entity_id,
        user_id,
        &with_origins(rights, origin),
        grant,
    )
    .await
}

/// Every level of `rights`, with its origin.
pub fn with_origins(
    rights: &Rights,
    origin: impl Fn(ResourceRef, Level) -> Origin,
) -> Vec<(ResourceRef, Level, Origin)> {
    rights
        .grants()
        .flat_map(|(resource, levels)| {
            levels
                .iter()
                .map(move |level| (resource, level))
                .collect::<Vec<_>>()
        })
        .map(|(resource, level)| (resource, level, origin(resource, level)))
        .collect()
}

/// Gives levels now, or from the period's first day when it is still to come.
pub async fn give(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    levels: &[(ResourceRef, Level, Origin)],
    grant: &Grant<'_>,
    starts_at: Option<i64>,
) -> Result<(), sqlx::Error> {
    match starts_at.filter(|at| *at > grant.granted_at) {
        Some(starts_at) => {
            insert_scheduled(conn, entity_id, user_id, levels, grant, starts_at).await
        }
        None => insert(conn, entity_id, user_id, levels, grant).await,
    }
}

/// Who took levels away, when, with which operation.
pub struct Revocation<'a> {
    pub operation_id: &'a str,
    pub revoked_at: i64,
    pub revoked_by: i64,
}

/// A temporary level removed at its end by the sweep (no operation, no person: the system).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Ended {
    pub account_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub level: String,
    pub ends_at: i64,
}

impl Ended {
    pub fn resource(&self) -> Option<ResourceRef> {
        resource_of(self.account_id, self.contract_id)
    }

    pub fn level(&self) -> Option<Level> {
        Level::from_code(&self.level)
    }
}

/// Writes levels given from a later day (« Droits temporaires »): they wait in
/// `scheduled_rights` until [`start_scheduled`] moves them into `user_rights` at `starts_at`.
pub async fn insert_scheduled(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    levels: &[(ResourceRef, Level, Origin)],
    grant: &Grant<'_>,
    starts_at: i64,
) -> Result<(), sqlx::Error> {
    for (resource, level, origin) in levels {
        let (account, contract) = match resource {
            ResourceRef::Account(id) => (Some(*id), None),
            ResourceRef::Contract(id) => (None, Some(*id)),
        };
        sqlx::query::<Any>(
            "INSERT INTO scheduled_rights (entity_id, user_id, account_id, contract_id, level, \
             origin, operation_id, granted_at, granted_by, starts_at, ends_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
        .bind(starts_at)
        .bind(grant.ends_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Moves the end of temporary levels a user keeps (a cover extended); their reminder is due
/// again.
pub async fn move_end(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    levels: &[(ResourceRef, Level)],
    ends_at: i64,
) -> Result<(), sqlx::Error> {
    for (resource, level) in levels {
        let (column, id) = resource_column(*resource);
        sqlx::query::<Any>(&format!(
            "UPDATE user_rights SET ends_at = $1, reminded_at = NULL WHERE entity_id = $2 \
             AND user_id = $3 AND {column} = $4 AND level = $5 AND ends_at IS NOT NULL"
        ))
        .bind(ends_at)
        .bind(entity_id)
        .bind(user_id)
        .bind(id)
        .bind(level.code())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Drops the levels scheduled for a user that an operation gives again (it decides now), or
/// all of them (`None`: the user is removed). The operation that scheduled them stays signed
/// and audited.
pub async fn cancel_scheduled(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    levels: Option<&[(ResourceRef, Level)]>,
) -> Result<(), sqlx::Error> {
    let Some(levels) = levels else {
        sqlx::query::<Any>("DELETE FROM scheduled_rights WHERE entity_id = $1 AND user_id = $2")
            .bind(entity_id)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        return Ok(());
    };
    for (resource, level) in levels {
        let (column, id) = resource_column(*resource);
        sqlx::query::<Any>(&format!(
            "DELETE FROM scheduled_rights WHERE entity_id = $1 AND user_id = $2 \
             AND {column} = $3 AND level = $4"
        ))
        .bind(entity_id)
        .bind(user_id)
        .bind(id)
        .bind(level.code())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A level given from a later day, not held yet.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ScheduledRow {
    pub user_id: i64,
    pub account_id: Option<i64>,
    pub contract_id: Option<i64>,
    pub level: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

impl ScheduledRow {
    /// (resource, level, first day, last day), as a recap lists it.
    pub fn days(&self) -> Option<(ResourceRef, Level, model::Day, model::Day)> {
        Some((
            self.resource()?,
            Level::from_code(&self.level)?,
            model::Day::in_paris_at(self.starts_at),
            model::Day::in_paris_at(self.ends_at - 1),
        ))
    }

    pub fn resource(&self) -> Option<ResourceRef> {
        resource_of(self.account_id, self.contract_id)
    }
}

/// The levels scheduled for an entity's users (`user`: for one of them), soonest first.
pub async fn scheduled<'e, E>(
    executor: E,
    entity_id: i64,
    user: Option<i64>,
) -> Result<Vec<ScheduledRow>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let one_user = if user.is_some() {
        " AND user_id = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT user_id, account_id, contract_id, level, starts_at, ends_at FROM scheduled_rights \
         WHERE entity_id = $1{one_user} ORDER BY starts_at, user_id, account_id, contract_id, level"
    );
    let mut query = sqlx::query_as(&sql).bind(entity_id);
    if let Some(user) = user {
        query = query.bind(user);
    }
    query.fetch_all(executor).await
}

/// The users (entity, user) with a scheduled level whose first day has come at `now`.
pub async fn users_with_started<'e, E>(
    executor: E,
    now: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT entity_id, user_id FROM scheduled_rights WHERE starts_at <= $1 \
         GROUP BY entity_id, user_id ORDER BY MIN(starts_at) LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(executor)
    .await
}

/// Gives a user the scheduled levels whose first day has come (a level they already hold is
/// left as it is); returns them. Run under the entity's lock: a second instance finds none.
pub async fn start_scheduled(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    now: i64,
) -> Result<Vec<Ended>, sqlx::Error> {
    let condition = "entity_id = $1 AND user_id = $2 AND starts_at <= $3";
    let started: Vec<Ended> = sqlx::query_as(&timed_levels("scheduled_rights", condition))
        .bind(entity_id)
        .bind(user_id)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
    if started.is_empty() {
        return Ok(started);
    }
    sqlx::query::<Any>(&format!(
        "INSERT INTO user_rights (entity_id, user_id, account_id, contract_id, level, origin, \
         operation_id, granted_at, granted_by, ends_at) \
         SELECT s.entity_id, s.user_id, s.account_id, s.contract_id, s.level, s.origin, \
         s.operation_id, s.granted_at, s.granted_by, s.ends_at FROM scheduled_rights s \
         WHERE s.{} AND NOT EXISTS (SELECT 1 FROM user_rights r WHERE r.user_id = s.user_id \
         AND r.level = s.level AND (r.account_id = s.account_id OR r.contract_id = s.contract_id))",
        condition.replace(" AND ", " AND s.")
    ))
    .bind(entity_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query::<Any>(&format!("DELETE FROM scheduled_rights WHERE {condition}"))
        .bind(entity_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(started)
}

/// The users (entity, user) holding a temporary level that has ended at `now`, oldest first.
pub async fn users_with_ended<'e, E>(
    executor: E,
    now: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT entity_id, user_id FROM user_rights WHERE ends_at IS NOT NULL AND ends_at <= $1 \
         GROUP BY entity_id, user_id ORDER BY MIN(ends_at) LIMIT $2",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(executor)
    .await
}

/// Removes a user's temporary levels ended at `now`, keeping them in the history as revoked by
/// nobody; returns them. Run under the entity's lock: a second instance sweeping the same user
/// then finds nothing, so each level ends once.
pub async fn remove_ended(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    now: i64,
) -> Result<Vec<Ended>, sqlx::Error> {
    let condition = "entity_id = $1 AND user_id = $2 AND ends_at IS NOT NULL AND ends_at <= $3";
    let ended: Vec<Ended> = sqlx::query_as(&timed_levels("user_rights", condition))
        .bind(entity_id)
        .bind(user_id)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
    if ended.is_empty() {
        return Ok(ended);
    }
    sqlx::query::<Any>(&format!(
        "INSERT INTO revoked_rights ({KEPT_COLUMNS}, revoked_at, revoked_by, \
         revoking_operation_id) SELECT {KEPT_COLUMNS}, $3, NULL, NULL FROM user_rights \
         WHERE {condition}"
    ))
    .bind(entity_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query::<Any>(&format!("DELETE FROM user_rights WHERE {condition}"))
        .bind(entity_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(ended)
}

/// The users (entity, user) holding a temporary level that ends within `before` seconds of
/// `now` and whose reminder has not been queued.
pub async fn users_to_remind<'e, E>(
    executor: E,
    now: i64,
    before: i64,
    limit: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT entity_id, user_id FROM user_rights WHERE ends_at IS NOT NULL \
         AND ends_at > $1 AND ends_at <= $2 AND reminded_at IS NULL \
         GROUP BY entity_id, user_id ORDER BY MIN(ends_at) LIMIT $3",
    )
    .bind(now)
    .bind(now + before)
    .bind(limit)
    .fetch_all(executor)
    .await
}

/// Marks a user's temporary levels ending within `before` seconds as reminded; returns them
/// (none when another instance did it first: run under the entity's lock).
pub async fn mark_reminded(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    now: i64,
    before: i64,
) -> Result<Vec<Ended>, sqlx::Error> {
    let condition = "entity_id = $1 AND user_id = $2 AND ends_at IS NOT NULL AND ends_at > $3 \
                     AND ends_at <= $4 AND reminded_at IS NULL";
    let due: Vec<Ended> = sqlx::query_as(&timed_levels("user_rights", condition))
        .bind(entity_id)
        .bind(user_id)
        .bind(now)
        .bind(now + before)
        .fetch_all(&mut *conn)
        .await?;
    if due.is_empty() {
        return Ok(due);
    }
    sqlx::query::<Any>(&format!(
        "UPDATE user_rights SET reminded_at = $5 WHERE {condition}"
    ))
    .bind(entity_id)
    .bind(user_id)
    .bind(now)
    .bind(now + before)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(due)
}

/// Columns copied from `user_rights` to `revoked_rights` (the revocation's three follow).
const KEPT_COLUMNS: &str = "entity_id, user_id, account_id, contract_id, level, origin, \
                            operation_id, granted_at, granted_by, ends_at";

/// The resource a row names by its two columns (exactly one is set).
fn resource_of(account_id: Option<i64>, contract_id: Option<i64>) -> Option<ResourceRef> {
    match (account_id, contract_id) {
        (Some(id), None) => Some(ResourceRef::Account(id)),
        (None, Some(id)) => Some(ResourceRef::Contract(id)),
        _ => None,
    }
}

/// The levels of `table` matching `condition` (binds `$1` entity, `$2` user, `$3` now), as the
/// sweep handles them.
fn timed_levels(table: &str, condition: &str) -> String {
    format!(
        "SELECT account_id, contract_id, level, ends_at FROM {table} WHERE {condition} \
         ORDER BY account_id, contract_id, level"
    )
}

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
    cancel_scheduled(conn, entity_id, user_id, None).await
}

/// An account or a contract closed by the bank: every level held on it moves to
/// `revoked_rights` (revoked by nobody, by the import `operation_id`) and the levels waiting for
/// a later day are dropped. Returns the users who held or awaited any, each once.
pub async fn revoke_on_resource(
    conn: &mut AnyConnection,
    entity_id: i64,
    resource: ResourceRef,
    revoked_at: i64,
    operation_id: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    let (column, id) = resource_column(resource);
    let mut users: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT user_id FROM user_rights WHERE entity_id = $1 AND {column} = $2 \
         UNION SELECT user_id FROM scheduled_rights WHERE entity_id = $1 AND {column} = $2"
    ))
    .bind(entity_id)
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    users.sort_unstable();
    users.dedup();
    sqlx::query::<Any>(&format!(
        "INSERT INTO revoked_rights ({KEPT_COLUMNS}, revoked_at, revoked_by, \
         revoking_operation_id) SELECT {KEPT_COLUMNS}, $3, NULL, $4 FROM user_rights \
         WHERE entity_id = $1 AND {column} = $2"
    ))
    .bind(entity_id)
    .bind(id)
    .bind(revoked_at)
    .bind(operation_id)
    .execute(&mut *conn)
    .await?;
    for table in ["user_rights", "scheduled_rights"] {
        sqlx::query::<Any>(&format!(
            "DELETE FROM {table} WHERE entity_id = $1 AND {column} = $2"
        ))
        .bind(entity_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(users)
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
    ends_at: Option<i64>,
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
        "SELECT user_id, account_id, contract_id, level, origin, ends_at FROM user_rights \
         WHERE entity_id = $1 ORDER BY user_id",
    )
    .bind(entity_id)
    .fetch_all(executor)
    .await?;
    let mut levels: Vec<(i64, ResourceRef, Level, String, Option<i64>)> =
        Vec::with_capacity(rows.len());
    for row in rows {
        let Some(resource) = resource_of(row.account_id, row.contract_id) else {
            continue;
        };
        let level = Level::try_from(row.level).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        levels.push((row.user_id, resource, level, row.origin, row.ends_at));
    }
    // Consultation first within each user, so that the invariant holds while levels are added.
    levels.sort_by_key(|(user, _, level, _, _)| (*user, *level));
    let mut users: Vec<(i64, StoredRights)> = Vec::new();
    for (user_id, resource, level, origin, ends_at) in levels {
        if users.last().map(|(id, _)| *id) != Some(user_id) {
            users.push((user_id, StoredRights::default()));
        }
        if let Some((_, stored)) = users.last_mut() {
            stored.hold(resource, level, &origin, ends_at);
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
    /// « Droits temporaires »: when the level ends (or ended).
    pub ends_at: Option<i64>,
    /// For a revoked level: when, by whom, by which operation.
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<i64>,
    pub revoking_operation_id: Option<String>,
}

impl GrantRow {
    pub fn resource(&self) -> Option<ResourceRef> {
        resource_of(self.account_id, self.contract_id)
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
         ends_at, CAST(NULL AS BIGINT) AS revoked_at, CAST(NULL AS BIGINT) AS revoked_by, \
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
         ends_at, revoked_at, revoked_by, revoking_operation_id FROM revoked_rights \
         WHERE entity_id = $1 AND user_id = $2 ORDER BY revoked_at DESC, id DESC",
    )
    .bind(entity_id)
    .bind(user_id)
    .fetch_all(executor)
    .await
}
