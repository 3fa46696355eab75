//! Persons the bank advisor registered for an entity; some become users.

use sqlx::{Any, AnyConnection, Executor};

/// A person as the advisor registered them (the bank owns these data).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    /// `1985-03-14`
    pub birth_date: String,
    /// E.164: `+33612345678`
    pub phone: String,
    pub email: Option<String>,
}

impl Person {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// « NOM Prénom », as the canonical text of an operation names people.
    pub fn registered_name(&self) -> String {
        format!("{} {}", self.last_name, self.first_name)
    }
}

const COLUMNS: &str = "p.id, p.first_name, p.last_name, p.birth_date, p.phone, p.email";

/// Persons registered by the advisor who are not users yet.
pub async fn without_account<'e, E>(executor: E, entity_id: i64) -> Result<Vec<Person>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM persons p \
         WHERE p.entity_id = $1 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id) \
         ORDER BY p.last_name, p.first_name, p.id"
    ))
    .bind(entity_id)
    .fetch_all(executor)
    .await
}

/// A person of the entity, user or not.
pub async fn find<'e, E>(
    executor: E,
    entity_id: i64,
    person_id: i64,
) -> Result<Option<Person>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM persons p WHERE p.entity_id = $1 AND p.id = $2"
    ))
    .bind(entity_id)
    .bind(person_id)
    .fetch_optional(executor)
    .await
}

/// A person of the entity who is not a user yet.
pub async fn candidate<'e, E>(
    executor: E,
    entity_id: i64,
    person_id: i64,
) -> Result<Option<Person>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM persons p WHERE p.entity_id = $1 AND p.id = $2 \
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id)"
    ))
    .bind(entity_id)
    .bind(person_id)
    .fetch_optional(executor)
    .await
}

/// Whether the person of the entity is already a user.
pub async fn is_user<'e, E>(
    executor: E,
    entity_id: i64,
    person_id: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE person_id = $1 AND entity_id = $2")
            .bind(person_id)
            .bind(entity_id)
            .fetch_optional(executor)
            .await?;
    Ok(found.is_some())
}

/// The e-mail the administrator filled in becomes the person's.
pub async fn set_email(
    conn: &mut AnyConnection,
    entity_id: i64,
    person_id: i64,
    email: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE persons SET email = $1 WHERE id = $2 AND entity_id = $3")
        .bind(email)
        .bind(person_id)
        .bind(entity_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Registers a person (demo data; later the advisor's back office and imports).
pub async fn insert(
    conn: &mut AnyConnection,
    entity_id: i64,
    advisor_id: i64,
    person: &Person,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO persons (entity_id, last_name, first_name, birth_date, phone, email, \
         registered_at, registered_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(entity_id)
    .bind(&person.last_name)
    .bind(&person.first_name)
    .bind(&person.birth_date)
    .bind(&person.phone)
    .bind(&person.email)
    .bind(now)
    .bind(advisor_id)
    .fetch_one(conn)
    .await
}

/// A person as the bank's import knows them (by the bank's identifier), and whether they are a
/// user already.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoredPerson {
    pub entity_id: i64,
    #[sqlx(flatten)]
    pub person: Person,
    pub user_id: Option<i64>,
    /// 1 when the contacts are the bank's (see [`contacts_from_bank`]).
    pub contacts_from_bank: i64,
}

pub async fn by_ref(
    conn: &mut AnyConnection,
    bank_ref: &str,
) -> Result<Option<StoredPerson>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT p.entity_id, {COLUMNS}, u.id AS user_id, p.contacts_from_bank FROM persons p \
         LEFT JOIN users u ON u.person_id = p.id WHERE p.bank_ref = $1"
    ))
    .bind(bank_ref)
    .fetch_optional(conn)
    .await
}

/// Registers a person sent by the bank's systems, known from now on by `bank_ref`.
pub async fn insert_imported(
    conn: &mut AnyConnection,
    entity_id: i64,
    advisor_id: i64,
    bank_ref: &str,
    person: &Person,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let id = insert(&mut *conn, entity_id, advisor_id, person, now).await?;
    sqlx::query("UPDATE persons SET bank_ref = $1, contacts_from_bank = 1 WHERE id = $2")
        .bind(bank_ref)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(id)
}

/// Corrects a person's identity and contact (the bank owns these data).
pub async fn update(conn: &mut AnyConnection, person: &Person) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE persons SET last_name = $1, first_name = $2, birth_date = $3, phone = $4, \
         email = $5 WHERE id = $6",
    )
    .bind(&person.last_name)
    .bind(&person.first_name)
    .bind(&person.birth_date)
    .bind(&person.phone)
    .bind(&person.email)
    .bind(person.id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the person's mobile and e-mail are the bank's core systems' (sent by the import,
/// not typed since by an advisor), the e-mail registered by the bank too — a person without
/// one would be reached at an address the advisor types: only then may an advisor send them an
/// administrator's credentials (see the migration `0014`).
pub async fn contacts_from_bank<'e, E>(
    executor: E,
    entity_id: i64,
    person_id: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let from_bank: Option<i64> = sqlx::query_scalar(
        "SELECT contacts_from_bank FROM persons WHERE entity_id = $1 AND id = $2 \
         AND email IS NOT NULL",
    )
    .bind(entity_id)
    .bind(person_id)
    .fetch_optional(executor)
    .await?;
    Ok(from_bank == Some(1))
}

/// The import sent the person's contacts (`true`), or an advisor typed them (`false`).
pub async fn set_contacts_from_bank(
    conn: &mut AnyConnection,
    person_id: i64,
    from_bank: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE persons SET contacts_from_bank = $1 WHERE id = $2")
        .bind(i64::from(from_bank))
        .bind(person_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Withdraws a person of the entity who is not a user (in the same statement): `false` when
/// they became one meanwhile.
pub async fn delete_candidate(
    conn: &mut AnyConnection,
    entity_id: i64,
    person_id: i64,
) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query(
        "DELETE FROM persons WHERE id = $1 AND entity_id = $2 \
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = $1)",
    )
    .bind(person_id)
    .bind(entity_id)
    .execute(conn)
    .await?;
    Ok(deleted.rows_affected() == 1)
}
