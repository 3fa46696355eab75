//! Entities (companies, associations, institutions), their bank advisor, and their accounts and
//! contracts: the things rights apply to.

use model::{Account, Catalog, Contract, ContractKind};
use sqlx::{Any, AnyConnection, Executor};

/// The kind of entity, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityKind {
    Company,
    Association,
    Institution,
}

crate::stored_codes!(EntityKind {
    EntityKind::Company => "entreprise",
    EntityKind::Association => "association",
    EntityKind::Institution => "institution",
});

impl EntityKind {
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Company => "Entreprise",
            EntityKind::Association => "Association",
            EntityKind::Institution => "Institution",
        }
    }
}

/// The bank advisor of an entity, whom administrators contact.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Advisor {
    pub civility: String,
    pub first_name: String,
    pub last_name: String,
    pub agency: String,
    /// E.164
    pub phone: String,
    pub email: String,
}

/// An entity with its advisor.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Entity {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: EntityKind,
    pub siren: String,
    #[sqlx(flatten)]
    pub advisor: Advisor,
}

const ENTITY_COLUMNS: &str = "e.id, e.name, e.kind, e.siren, a.civility, a.first_name, \
                              a.last_name, a.agency, a.phone, a.email";

pub async fn find<'e, E>(executor: E, entity_id: i64) -> Result<Option<Entity>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {ENTITY_COLUMNS} FROM entities e JOIN advisors a ON a.id = e.advisor_id \
         WHERE e.id = $1"
    ))
    .bind(entity_id)
    .fetch_optional(executor)
    .await
}

/// What the home page shows of a user beyond their session: their login id and e-mail, their
/// entity with its advisor, and when its access review is due (the session already holds their
/// name and roles).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct HomeCard {
    pub login_id: String,
    #[sqlx(rename = "user_email")]
    pub email: String,
    #[sqlx(flatten)]
    pub entity: Entity,
    /// When the entity's access review is due (shown to administrators and auditors).
    #[sqlx(flatten)]
    pub review_cadence: super::reviews::Cadence,
}

/// The home page's card, one statement.
pub async fn home_card<'e, E>(
    executor: E,
    entity_id: i64,
    user_id: i64,
) -> Result<Option<HomeCard>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT u.login_id, u.email AS user_email, {ENTITY_COLUMNS}, {} FROM users u \
         JOIN entities e ON e.id = u.entity_id JOIN advisors a ON a.id = e.advisor_id \
         WHERE u.entity_id = $1 AND u.id = $2",
        super::reviews::CADENCE_COLUMNS
    ))
    .bind(entity_id)
    .bind(user_id)
    .fetch_optional(executor)
    .await
}

/// An account or a contract, read by one query over both tables.
#[derive(sqlx::FromRow)]
struct ResourceRow {
    source: String,
    id: i64,
    label: String,
    /// The IBAN of an account, the reference of a contract.
    code: String,
    /// The currency of an account, the kind of a contract.
    extra: String,
}

/// The entity's open accounts and contracts, in their display order (one statement). A closed
/// one is in no catalog: no screen shows it and no operation can give rights on it.
pub async fn catalog<'e, E>(executor: E, entity_id: i64) -> Result<Catalog, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let rows: Vec<ResourceRow> = sqlx::query_as(
        "SELECT 'account' AS source, id, label, iban AS code, currency AS extra, position \
         FROM accounts WHERE entity_id = $1 AND closed_at IS NULL \
         UNION ALL \
         SELECT 'contract' AS source, id, label, reference AS code, kind AS extra, position \
         FROM contracts WHERE entity_id = $1 AND closed_at IS NULL \
         ORDER BY source, position, id",
    )
    .bind(entity_id)
    .fetch_all(executor)
    .await?;
    let mut catalog = Catalog::default();
    for row in rows {
        if row.source == "account" {
            catalog.accounts.push(Account {
                id: row.id,
                label: row.label,
                iban: row.code,
                currency: row.extra,
            });
        } else {
            catalog.contracts.push(Contract {
                id: row.id,
                kind: ContractKind::try_from(row.extra)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                label: row.label,
                reference: row.code,
            });
        }
    }
    Ok(catalog)
}

/// Whether any entity exists (demo data goes only into an empty database).
pub async fn any_exists(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    Ok(count(conn).await? > 0)
}

/// How many entities there are.
pub async fn count(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM entities")
        .fetch_one(conn)
        .await
}

pub async fn insert_advisor(
    conn: &mut AnyConnection,
    advisor: &Advisor,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO advisors (civility, first_name, last_name, agency, phone, email) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&advisor.civility)
    .bind(&advisor.first_name)
    .bind(&advisor.last_name)
    .bind(&advisor.agency)
    .bind(&advisor.phone)
    .bind(&advisor.email)
    .fetch_one(conn)
    .await
}

pub async fn insert(
    conn: &mut AnyConnection,
    name: &str,
    kind: EntityKind,
    siren: &str,
    advisor_id: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO entities (name, kind, siren, advisor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(name)
    .bind(kind.code())
    .bind(siren)
    .bind(advisor_id)
    .bind(now)
    .fetch_one(conn)
    .await
}

pub async fn insert_account(
    conn: &mut AnyConnection,
    entity_id: i64,
    account: &Account,
    position: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO accounts (entity_id, label, iban, currency, position) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(entity_id)
    .bind(&account.label)
    .bind(&account.iban)
    .bind(&account.currency)
    .bind(position)
    .fetch_one(conn)
    .await
}

pub async fn insert_contract(
    conn: &mut AnyConnection,
    entity_id: i64,
    contract: &Contract,
    position: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO contracts (entity_id, kind, label, reference, position) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(entity_id)
    .bind(contract.kind.code())
    .bind(&contract.label)
    .bind(&contract.reference)
    .bind(position)
    .fetch_one(conn)
    .await
}

/// Serialises the administration operations of one entity: the row of the entity is written
/// (unchanged) inside the transaction, so on PostgreSQL a second operation of the same entity
/// waits for the first to commit and then sees its result (SQLite's write lock already does
/// this). Rules such as « the entity keeps an active administrator » hold under concurrency.
///
/// Returns whether the entity's double validation is on, as of this locked moment.
pub async fn lock_for_administration(
    conn: &mut AnyConnection,
    entity_id: i64,
) -> Result<bool, sqlx::Error> {
    let dual_control: i64 =
        sqlx::query_scalar("UPDATE entities SET id = id WHERE id = $1 RETURNING dual_control")
            .bind(entity_id)
            .fetch_one(conn)
            .await?;
    Ok(dual_control == 1)
}

/// Whether the entity's double validation is on.
pub async fn dual_control<'e, E>(executor: E, entity_id: i64) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let on: i64 = sqlx::query_scalar("SELECT dual_control FROM entities WHERE id = $1")
        .bind(entity_id)
        .fetch_one(executor)
        .await?;
    Ok(on == 1)
}

/// Switches the entity's double validation on or off.
pub async fn set_dual_control(
    conn: &mut AnyConnection,
    entity_id: i64,
    on: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE entities SET dual_control = $1 WHERE id = $2")
        .bind(i64::from(on))
        .bind(entity_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The id of the entity's advisor.
pub async fn advisor_id<'e, E>(executor: E, entity_id: i64) -> Result<i64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar("SELECT advisor_id FROM entities WHERE id = $1")
        .bind(entity_id)
        .fetch_one(executor)
        .await
}

// The bank's import: each row is found by the bank's own identifier.

/// An advisor as the bank's import knows them.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredAdvisor {
    pub id: i64,
    #[sqlx(flatten)]
    pub advisor: Advisor,
}

pub async fn advisor_by_ref(
    conn: &mut AnyConnection,
    bank_ref: &str,
) -> Result<Option<StoredAdvisor>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, civility, first_name, last_name, agency, phone, email FROM advisors \
         WHERE bank_ref = $1",
    )
    .bind(bank_ref)
    .fetch_optional(conn)
    .await
}

pub async fn insert_imported_advisor(
    conn: &mut AnyConnection,
    bank_ref: &str,
    advisor: &Advisor,
) -> Result<i64, sqlx::Error> {
    let id = insert_advisor(&mut *conn, advisor).await?;
    sqlx::query("UPDATE advisors SET bank_ref = $1 WHERE id = $2")
        .bind(bank_ref)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(id)
}

pub async fn update_advisor(
    conn: &mut AnyConnection,
    id: i64,
    advisor: &Advisor,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE advisors SET civility = $1, first_name = $2, last_name = $3, agency = $4, \
         phone = $5, email = $6 WHERE id = $7",
    )
    .bind(&advisor.civility)
    .bind(&advisor.first_name)
    .bind(&advisor.last_name)
    .bind(&advisor.agency)
    .bind(&advisor.phone)
    .bind(&advisor.email)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// An entity as the bank's import knows it: its SIREN identifies it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredEntity {
    pub id: i64,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: EntityKind,
    pub advisor_id: i64,
}

pub async fn by_siren(
    conn: &mut AnyConnection,
    siren: &str,
) -> Result<Option<StoredEntity>, sqlx::Error> {
    sqlx::query_as("SELECT id, name, kind, advisor_id FROM entities WHERE siren = $1")
        .bind(siren)
        .fetch_optional(conn)
        .await
}

/// Its name, kind and advisor (moving it to another advisor's portfolio).
pub async fn update(conn: &mut AnyConnection, entity: &StoredEntity) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE entities SET name = $1, kind = $2, advisor_id = $3 WHERE id = $4")
        .bind(&entity.name)
        .bind(entity.kind.code())
        .bind(entity.advisor_id)
        .bind(entity.id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Accounts or contracts: the two tables rights apply to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceTable {
    Accounts,
    Contracts,
}

impl ResourceTable {
    /// The table, its identifying column and its second column (currency or kind).
    fn columns(self) -> (&'static str, &'static str, &'static str) {
        match self {
            ResourceTable::Accounts => ("accounts", "iban", "currency"),
            ResourceTable::Contracts => ("contracts", "reference", "kind"),
        }
    }

    pub fn resource(self, id: i64) -> model::ResourceRef {
        match self {
            ResourceTable::Accounts => model::ResourceRef::Account(id),
            ResourceTable::Contracts => model::ResourceRef::Contract(id),
        }
    }
}

/// An account (identified by its IBAN) or a contract (by its reference), closed or not.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredResource {
    pub id: i64,
    pub entity_id: i64,
    pub label: String,
    /// The currency of an account, the kind's code of a contract.
    pub extra: String,
    pub closed_at: Option<i64>,
}

pub async fn resource_by_code(
    conn: &mut AnyConnection,
    table: ResourceTable,
    code: &str,
) -> Result<Option<StoredResource>, sqlx::Error> {
    let (table, code_column, extra) = table.columns();
    sqlx::query_as(&format!(
        "SELECT id, entity_id, label, {extra} AS extra, closed_at FROM {table} \
         WHERE {code_column} = $1"
    ))
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// Adds an account or a contract after the entity's others.
pub async fn insert_resource(
    conn: &mut AnyConnection,
    table: ResourceTable,
    code: &str,
    resource: &StoredResource,
) -> Result<i64, sqlx::Error> {
    let (table, code_column, extra) = table.columns();
    sqlx::query_scalar(&format!(
        "INSERT INTO {table} (entity_id, label, {code_column}, {extra}, closed_at, position) \
         SELECT $1, $2, $3, $4, $5, COALESCE(MAX(position) + 1, 0) FROM {table} \
         WHERE entity_id = $1 RETURNING id"
    ))
    .bind(resource.entity_id)
    .bind(&resource.label)
    .bind(code)
    .bind(&resource.extra)
    .bind(resource.closed_at)
    .fetch_one(conn)
    .await
}

/// Its label, currency or kind, and whether (since when) it is closed.
pub async fn update_resource(
    conn: &mut AnyConnection,
    table: ResourceTable,
    resource: &StoredResource,
) -> Result<(), sqlx::Error> {
    let (table, _, extra) = table.columns();
    sqlx::query(&format!(
        "UPDATE {table} SET label = $1, {extra} = $2, closed_at = $3 WHERE id = $4"
    ))
    .bind(&resource.label)
    .bind(&resource.extra)
    .bind(resource.closed_at)
    .bind(resource.id)
    .execute(conn)
    .await?;
    Ok(())
}
