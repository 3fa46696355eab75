//! Users of the online-banking space: identity (through their person), state, credentials and
//! strong-authentication counters.

use super::Flag;
use crate::api::types::UserState;
use sqlx::{Any, AnyConnection, Executor};

/// A user of an entity, as shown to people.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub entity_id: i64,
    pub person_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub login_id: String,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub state: UserState,
    #[sqlx(try_from = "Flag")]
    pub is_administrator: bool,
    /// Sees the journal, the report and the access reviews, read only.
    #[sqlx(try_from = "Flag")]
    pub is_auditor: bool,
    pub version: i64,
    pub created_at: i64,
    pub created_by: Option<i64>,
    /// E.164, from the person.
    pub phone: String,
    /// The language their messages are written in.
    #[sqlx(try_from = "String")]
    pub language: model::Lang,
    /// For the person's row in a second entity of their group: the row holding their login.
    pub login_user_id: Option<i64>,
}

impl User {
    /// The row whose login (password, factors) this user signs in with.
    pub fn login(&self) -> i64 {
        self.login_user_id.unwrap_or(self.id)
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    /// « NOM Prénom », as the canonical text of an operation names people.
    pub fn registered_name(&self) -> String {
        format!("{} {}", self.last_name, self.first_name)
    }
}

const USER_COLUMNS: &str = "u.id, u.entity_id, u.person_id, p.first_name, p.last_name, \
                            u.login_id, u.email, u.state, u.is_administrator, u.is_auditor, u.version, \
                            u.created_at, u.created_by, p.phone, u.language, u.login_user_id";

pub async fn find<'e, E>(
    executor: E,
    entity_id: i64,
    user_id: i64,
) -> Result<Option<User>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users u JOIN persons p ON p.id = u.person_id \
         WHERE u.entity_id = $1 AND u.id = $2"
    ))
    .bind(entity_id)
    .bind(user_id)
    .fetch_optional(executor)
    .await
}

/// The entity's users, by name.
pub async fn list<'e, E>(executor: E, entity_id: i64) -> Result<Vec<User>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users u JOIN persons p ON p.id = u.person_id \
         WHERE u.entity_id = $1 ORDER BY p.last_name, p.first_name, u.id"
    ))
    .bind(entity_id)
    .fetch_all(executor)
    .await
}

/// One line of « Gestion des utilisateurs », counted by the database.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Summary {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub login_id: String,
    #[sqlx(try_from = "String")]
    pub state: UserState,
    #[sqlx(try_from = "Flag")]
    pub is_administrator: bool,
    #[sqlx(try_from = "Flag")]
    pub is_auditor: bool,
    pub consultation: i64,
    pub gestion: i64,
    pub validation: i64,
}

pub async fn summaries<'e, E>(executor: E, entity_id: i64) -> Result<Vec<Summary>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT u.id, u.login_id, u.state, u.is_administrator, u.is_auditor, p.first_name, p.last_name, \
                COALESCE(SUM(CASE WHEN r.level = 'consultation' THEN 1 ELSE 0 END), 0) AS consultation, \
                COALESCE(SUM(CASE WHEN r.level = 'gestion' THEN 1 ELSE 0 END), 0) AS gestion, \
                COALESCE(SUM(CASE WHEN r.level = 'validation' THEN 1 ELSE 0 END), 0) AS validation \
         FROM users u JOIN persons p ON p.id = u.person_id \
         LEFT JOIN user_rights r ON r.user_id = u.id \
         WHERE u.entity_id = $1 AND u.state <> 'removed' \
         GROUP BY u.id, u.login_id, u.state, u.is_administrator, u.is_auditor, p.first_name, \
                  p.last_name \
         ORDER BY p.last_name, p.first_name, u.id",
    )
    .bind(entity_id)
    .fetch_all(executor)
    .await
}

/// The users page's search: words that must all appear in a user's name, login id or e-mail
/// (case and accents ignored), and a state.
pub struct Search<'a> {
    pub words: &'a [String],
    pub state: Option<UserState>,
    /// Without a state, leave removed users out.
    pub exclude_removed: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The condition of a search, from parameter `$first` on, with its values in order.
fn search_condition(search: &Search<'_>, first: usize) -> (String, Vec<String>) {
    let mut sql = String::new();
    let mut values = Vec::new();
    for word in search.words {
        sql.push_str(&format!(
            " AND u.search_text LIKE ${}",
            first + values.len()
        ));
        values.push(format!("%{word}%"));
    }
    match search.state {
        Some(state) => {
            sql.push_str(&format!(" AND u.state = ${}", first + values.len()));
            values.push(state.code().to_string());
        }
        // Removed users are listed only when asked for.
        None if search.exclude_removed => {
            sql.push_str(&format!(" AND u.state <> ${}", first + values.len()));
            values.push(UserState::Removed.code().to_string());
        }
        None => {}
    }
    (sql, values)
}

/// One page of the users matching a search, with their rights counted. Rights are joined by
/// user only: a right's entity is its user's (the foreign key says so), and a condition on the
/// entity too would lead SQLite to walk the entity's every right for each user of the page.
pub async fn search<'e, E>(
    executor: E,
    entity_id: i64,
    search: &Search<'_>,
) -> Result<Vec<Summary>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let (condition, values) = search_condition(search, 2);
    let next = 2 + values.len();
    // The page of users first (an index walk), then their rights counted.
    let sql = format!(
        "SELECT u.id, u.login_id, u.state, u.is_administrator, u.is_auditor, p.first_name, p.last_name, \
                COALESCE(SUM(CASE WHEN r.level = 'consultation' THEN 1 ELSE 0 END), 0) AS consultation, \
                COALESCE(SUM(CASE WHEN r.level = 'gestion' THEN 1 ELSE 0 END), 0) AS gestion, \
                COALESCE(SUM(CASE WHEN r.level = 'validation' THEN 1 ELSE 0 END), 0) AS validation \
         FROM (SELECT u.id FROM users u JOIN persons p ON p.id = u.person_id \
               WHERE u.entity_id = $1{condition} \
               ORDER BY p.last_name, p.first_name, u.id LIMIT ${next} OFFSET ${}) page \
         JOIN users u ON u.id = page.id JOIN persons p ON p.id = u.person_id \
         LEFT JOIN user_rights r ON r.user_id = u.id \
         GROUP BY u.id, u.login_id, u.state, u.is_administrator, u.is_auditor, p.first_name, \
                  p.last_name \
         ORDER BY p.last_name, p.first_name, u.id",
        next + 1
    );
    let mut query = sqlx::query_as(&sql).bind(entity_id);
    for value in values {
        query = query.bind(value);
    }
    query
        .bind(search.limit)
        .bind(search.offset)
        .fetch_all(executor)
        .await
}

/// How many users match a search's words, per state.
pub async fn count_by_state<'e, E>(
    executor: E,
    entity_id: i64,
    words: &[String],
) -> Result<Vec<(UserState, i64)>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let (condition, values) = search_condition(
        &Search {
            words,
            state: None,
            exclude_removed: false,
            limit: 0,
            offset: 0,
        },
        2,
    );
    let sql = format!(
        "SELECT u.state, COUNT(*) AS users FROM users u WHERE u.entity_id = $1{condition} \
         GROUP BY u.state"
    );
    let mut query = sqlx::query_as::<_, StateCount>(&sql).bind(entity_id);
    for value in values {
        query = query.bind(value);
    }
    Ok(query
        .fetch_all(executor)
        .await?
        .into_iter()
        .map(|row| (row.state, row.users))
        .collect())
}

#[derive(sqlx::FromRow)]
struct StateCount {
    #[sqlx(try_from = "String")]
    state: UserState,
    users: i64,
}

/// The text a user is found by: names, login id and e-mail, folded (see `flows::users::fold`).
pub async fn set_search_text<'e, E>(
    executor: E,
    user_id: i64,
    text: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE users SET search_text = $1 WHERE id = $2")
        .bind(text)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Users whose search text is not written yet (created before it existed).
pub async fn without_search_text<'e, E>(executor: E) -> Result<Vec<User>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users u JOIN persons p ON p.id = u.person_id \
         WHERE u.search_text = ''"
    ))
    .fetch_all(executor)
    .await
}

/// What signing in needs to know about an account.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SignInAccount {
    pub id: i64,
    pub entity_id: i64,
    #[sqlx(try_from = "String")]
    pub state: UserState,
    pub password_hash: Option<String>,
    pub temp_password_hash: Option<String>,
    pub temp_password_expires_at: Option<i64>,
    pub temp_password_used_at: Option<i64>,
    pub password_locked_until: Option<i64>,
    #[sqlx(try_from = "Flag")]
    pub is_demo: bool,
    pub email: String,
    #[sqlx(try_from = "String")]
    pub language: model::Lang,
    /// In how many other entities of a group the login's person is an active user.
    pub active_elsewhere: i64,
}

/// The account of a login id: the row holding the login (never the person's row in another
/// entity of their group, which signs in through it).
pub async fn sign_in_account<'e, E>(
    executor: E,
    login_id: &str,
) -> Result<Option<SignInAccount>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT id, entity_id, state, password_hash, temp_password_hash, \
         temp_password_expires_at, temp_password_used_at, password_locked_until, is_demo, \
         email, language, \
         (SELECT COUNT(*) FROM users l WHERE l.login_user_id = users.id AND l.state = $2) \
         AS active_elsewhere \
         FROM users WHERE login_id = $1 AND login_user_id IS NULL",
    )
    .bind(login_id)
    .bind(UserState::Active.code())
    .fetch_optional(executor)
    .await
}

/// Spends a temporary password: of two sign-ins with it, one wins.
pub async fn spend_temporary_password<'e, E>(
    executor: E,
    user_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let spent = sqlx::query(
        "UPDATE users SET temp_password_used_at = $1 \
         WHERE id = $2 AND temp_password_used_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(executor)
    .await?;
    Ok(spent.rows_affected() == 1)
}

/// The login id and the temporary password's hash (still kept until the new password is set, to
/// refuse the same password).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FirstLoginFacts {
    pub login_id: String,
    pub temp_password_hash: Option<String>,
}

pub async fn first_login_facts<'e, E>(
    executor: E,
    user_id: i64,
) -> Result<FirstLoginFacts, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as("SELECT login_id, temp_password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(executor)
        .await
}

/// A user created by an addition, awaiting their first login.
pub struct NewUser<'a> {
    pub entity_id: i64,
    pub person_id: i64,
    pub login_id: &'a str,
    pub email: &'a str,
    pub is_administrator: bool,
    pub temp_password_hash: &'a str,
    /// The keyed hash of the code sent by e-mail with the login id.
    pub email_code_hash: &'a str,
    pub language: model::Lang,
    pub temp_password_expires_at: i64,
    pub created_at: i64,
    pub created_by: Option<i64>,
}

/// Inserts a new user; `None` when a unique rule refused it (the login id is taken, in any
/// entity, or the person is already a user), which the database decides whatever rows this
/// transaction may see.
pub async fn insert(
    conn: &mut AnyConnection,
    user: NewUser<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (entity_id, person_id, login_id, email, state, is_administrator, \
         temp_password_hash, temp_password_expires_at, created_at, created_by, \
         enrolment_code_hash, language) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(user.entity_id)
    .bind(user.person_id)
    .bind(user.login_id)
    .bind(user.email)
    .bind(UserState::AwaitingFirstLogin.code())
    .bind(i64::from(user.is_administrator))
    .bind(user.temp_password_hash)
    .bind(user.temp_password_expires_at)
    .bind(user.created_at)
    .bind(user.created_by)
    .bind(user.email_code_hash)
    .bind(user.language.code())
    .fetch_optional(conn)
    .await
}

/// One entity where a login's person is a user (groups of entities).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LoginEntity {
    pub user_id: i64,
    pub entity_id: i64,
    pub entity_name: String,
    #[sqlx(try_from = "String")]
    pub state: UserState,
    #[sqlx(try_from = "Flag")]
    pub is_administrator: bool,
}

/// The entities where a login's person is a user, not removed: the login's own row and the
/// rows that sign in through it. Read across entities (the caller is unscoped on purpose).
pub async fn entities_of_login<'e, E>(
    executor: E,
    login_user_id: i64,
) -> Result<Vec<LoginEntity>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT u.id AS user_id, u.entity_id, e.name AS entity_name, u.state, \
         u.is_administrator FROM users u JOIN entities e ON e.id = u.entity_id \
         WHERE (u.id = $1 OR u.login_user_id = $1) AND u.state <> $2 ORDER BY e.name, u.id",
    )
    .bind(login_user_id)
    .bind(UserState::Removed.code())
    .fetch_all(executor)
    .await
}

/// The login a person already has in another entity, found by the identity the bank registered
/// (the same last name, first name, birth date and mobile).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExistingLogin {
    pub user_id: i64,
    pub entity_id: i64,
    pub login_id: String,
    #[sqlx(try_from = "String")]
    pub language: model::Lang,
}

/// The login of the same person as `person_id` (of `entity_id`), user of another entity and
/// not removed there. Read across entities (the caller is unscoped on purpose).
pub async fn login_of_same_person<'e, E>(
    executor: E,
    entity_id: i64,
    person_id: i64,
) -> Result<Option<ExistingLogin>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT h.id AS user_id, h.entity_id, h.login_id, h.language \
         FROM persons np \
         JOIN persons op ON op.entity_id <> np.entity_id AND op.last_name = np.last_name \
              AND op.first_name = np.first_name AND op.birth_date = np.birth_date \
              AND op.phone = np.phone \
         JOIN users ou ON ou.person_id = op.id AND ou.state <> $3 \
         JOIN users h ON h.id = COALESCE(ou.login_user_id, ou.id) \
         WHERE np.id = $1 AND np.entity_id = $2 ORDER BY h.id LIMIT 1",
    )
    .bind(person_id)
    .bind(entity_id)
    .bind(UserState::Removed.code())
    .fetch_optional(executor)
    .await
}

/// The person's user row in a second entity of their group: active at once, signing in with
/// the login of their first entity (no password, no factor of its own). `None` when a unique
/// rule refused it (the person is already a user here).
pub struct LinkedUser<'a> {
    pub entity_id: i64,
    pub person_id: i64,
    pub email: &'a str,
    pub is_administrator: bool,
    pub login: &'a ExistingLogin,
    pub created_at: i64,
    pub created_by: Option<i64>,
}

pub async fn insert_linked(
    conn: &mut AnyConnection,
    user: LinkedUser<'_>,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (entity_id, person_id, login_id, email, state, is_administrator, \
         created_at, created_by, language, login_user_id, login_entity_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(user.entity_id)
    .bind(user.person_id)
    .bind(&user.login.login_id)
    .bind(user.email)
    .bind(UserState::Active.code())
    .bind(i64::from(user.is_administrator))
    .bind(user.created_at)
    .bind(user.created_by)
    .bind(user.login.language.code())
    .bind(user.login.user_id)
    .bind(user.login.entity_id)
    .fetch_optional(conn)
    .await
}

/// A generated user (benchmarks): active, without any credential, so nobody signs in with it.
pub async fn insert_generated(
    conn: &mut AnyConnection,
    entity_id: i64,
    person_id: i64,
    login_id: &str,
    email: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (entity_id, person_id, login_id, email, state, is_demo, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
    )
    .bind(entity_id)
    .bind(person_id)
    .bind(login_id)
    .bind(email)
    .bind(UserState::Active.code())
    .bind(now)
    .fetch_one(conn)
    .await
}

/// How many users an entity has, in every state.
pub async fn count_all<'e, E>(executor: E) -> Result<i64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(executor)
        .await
}

/// A demo user, active with a password and a TOTP secret.
pub struct DemoUser<'a> {
    pub entity_id: i64,
    pub person_id: i64,
    pub login_id: &'a str,
    pub email: &'a str,
    pub is_administrator: bool,
    pub password_hash: &'a str,
    pub sealed_totp_secret: &'a str,
    pub now: i64,
}

pub async fn insert_demo(conn: &mut AnyConnection, user: DemoUser<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (entity_id, person_id, login_id, email, state, is_administrator, \
         password_hash, totp_secret, is_demo, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9) RETURNING id",
    )
    .bind(user.entity_id)
    .bind(user.person_id)
    .bind(user.login_id)
    .bind(user.email)
    .bind(UserState::Active.code())
    .bind(i64::from(user.is_administrator))
    .bind(user.password_hash)
    .bind(user.sealed_totp_secret)
    .bind(user.now)
    .fetch_one(conn)
    .await
}

/// First login: the new password replaces the temporary one. False if the user is not at that
/// step any more.
pub async fn set_first_password(
    conn: &mut AnyConnection,
    user_id: i64,
    password_hash: &str,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE users SET password_hash = $1, temp_password_hash = NULL, \
         enrolment_code_hash = NULL, enrolment_code_failures = 0, version = version + 1 \
         WHERE id = $2 AND state = $3 AND password_hash IS NULL",
    )
    .bind(password_hash)
    .bind(user_id)
    .bind(UserState::AwaitingFirstLogin.code())
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Counts one entry of the first-login e-mail code before it is compared, while fewer than
/// `max` are counted: returns the stored keyed hash to compare with, or `None` when the code is
/// used up, spent or absent.
pub async fn reserve_email_code_attempt<'e, E>(
    executor: E,
    user_id: i64,
    max: i64,
) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "UPDATE users SET enrolment_code_failures = enrolment_code_failures + 1 \
         WHERE id = $1 AND enrolment_code_failures < $2 AND enrolment_code_hash IS NOT NULL \
         RETURNING enrolment_code_hash",
    )
    .bind(user_id)
    .bind(max)
    .fetch_optional(executor)
    .await
}

/// Keeps the language a user reads, for the messages they will receive.
pub async fn set_language<'e, E>(
    executor: E,
    user_id: i64,
    language: model::Lang,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE users SET language = $1 WHERE id = $2 AND language <> $1")
        .bind(language.code())
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// First login done: the user becomes active.
pub async fn activate(conn: &mut AnyConnection, user_id: i64) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE users SET state = $1, temp_password_expires_at = NULL, version = version + 1 \
         WHERE id = $2 AND state = $3 AND password_hash IS NOT NULL",
    )
    .bind(UserState::Active.code())
    .bind(user_id)
    .bind(UserState::AwaitingFirstLogin.code())
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// The TOTP secret (sealed) and the last time step accepted.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TotpState {
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
}

pub async fn totp_state<'e, E>(executor: E, user_id: i64) -> Result<TotpState, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as("SELECT totp_secret, totp_last_step FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(executor)
        .await
}

/// Records an accepted TOTP step: the atomic « use once ». Of two requests with the same code,
/// only one moves the step forward.
pub async fn accept_totp_step<'e, E>(
    executor: E,
    user_id: i64,
    step: i64,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let result = sqlx::query(
        "UPDATE users SET totp_last_step = $1, failed_sca_count = 0 \
         WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(user_id)
    .execute(executor)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Stores a TOTP secret verified with a first code. False if one is already there.
pub async fn store_totp_secret(
    conn: &mut AnyConnection,
    user_id: i64,
    sealed_secret: &str,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let stored = sqlx::query(
        "UPDATE users SET totp_secret = $1, totp_last_step = $2 \
         WHERE id = $3 AND totp_secret IS NULL",
    )
    .bind(sealed_secret)
    .bind(step)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(stored.rows_affected() == 1)
}

/// Counts a failed strong authentication; returns the count of failures in a row.
/// Counts one strong-authentication attempt before it is evaluated, if fewer than `max` are
/// counted and the user is active; `None` otherwise. Returns the attempt's number.
pub async fn reserve_sca_attempt<'e, E>(
    executor: E,
    user_id: i64,
    max: i64,
) -> Result<Option<i64>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "UPDATE users SET failed_sca_count = failed_sca_count + 1 \
         WHERE id = $1 AND failed_sca_count < $2 AND state IN ($3, $4, $5) \
         RETURNING failed_sca_count",
    )
    .bind(user_id)
    .bind(max)
    .bind(UserState::Active.code())
    // A login's row suspended or removed in its own entity still signs for the person's other
    // entities of their group (the session's own user is checked active at every request).
    .bind(UserState::Suspended.code())
    .bind(UserState::Removed.code())
    .fetch_optional(executor)
    .await
}

pub async fn reset_sca_failures<'e, E>(executor: E, user_id: i64) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE users SET failed_sca_count = 0 WHERE id = $1")
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Blocks a user (five failed strong authentications).
/// Moves a user of `entity_id` from state `from` to `to`, if their version is still `version`
/// (nobody changed them since the operation was prepared). Returns whether it did.
pub async fn change_state(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    version: i64,
    from: UserState,
    to: UserState,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(
        "UPDATE users SET state = $1, version = version + 1 \
         WHERE id = $2 AND entity_id = $3 AND version = $4 AND state = $5",
    )
    .bind(to.code())
    .bind(user_id)
    .bind(entity_id)
    .bind(version)
    .bind(from.code())
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// New credentials for a first login again: every earlier password, temporary password, e-mail
/// code and TOTP secret stops working, counters restart, and the user awaits their first login.
/// Only at `version`, from an active, blocked or awaiting user. Returns whether it applied.
pub struct ResetCredentials<'a> {
    pub temp_password_hash: &'a str,
    pub temp_password_expires_at: i64,
    pub email_code_hash: &'a str,
}

pub async fn reset_access(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    version: i64,
    credentials: ResetCredentials<'_>,
) -> Result<bool, sqlx::Error> {
    let reset = sqlx::query(
        "UPDATE users SET state = $1, password_hash = NULL, temp_password_hash = $2, \
         temp_password_expires_at = $3, temp_password_used_at = NULL, enrolment_code_hash = $4, \
         enrolment_code_failures = 0, totp_secret = NULL, totp_last_step = NULL, \
         failed_sca_count = 0, failed_password_count = 0, password_locked_until = NULL, \
         version = version + 1 \
         WHERE id = $5 AND entity_id = $6 AND version = $7 AND state IN ($8, $9, $1)",
    )
    .bind(UserState::AwaitingFirstLogin.code())
    .bind(credentials.temp_password_hash)
    .bind(credentials.temp_password_expires_at)
    .bind(credentials.email_code_hash)
    .bind(user_id)
    .bind(entity_id)
    .bind(version)
    .bind(UserState::Active.code())
    .bind(UserState::Blocked.code())
    .execute(conn)
    .await?;
    Ok(reset.rows_affected() == 1)
}

/// Unblocks a blocked user of `entity_id` at `version`: active again, the failure count
/// restarted. Returns whether it applied.
pub async fn unblock(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    version: i64,
) -> Result<bool, sqlx::Error> {
    let unblocked = sqlx::query(
        "UPDATE users SET state = $1, failed_sca_count = 0, version = version + 1 \
         WHERE id = $2 AND entity_id = $3 AND version = $4 AND state = $5",
    )
    .bind(UserState::Active.code())
    .bind(user_id)
    .bind(entity_id)
    .bind(version)
    .bind(UserState::Blocked.code())
    .execute(conn)
    .await?;
    Ok(unblocked.rows_affected() == 1)
}

/// A modification of rights: the user's version moves on (and their administration right is
/// set), only at `version` and for a user not removed. Returns whether it applied.
pub async fn modify_rights(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    version: i64,
    is_administrator: bool,
) -> Result<bool, sqlx::Error> {
    set_role(
        conn,
        "is_administrator",
        entity_id,
        user_id,
        version,
        is_administrator,
    )
    .await
}

/// Moves a user's version on without any other change (their rights changed by the system),
/// so that operations prepared against the user as they were are void.
pub async fn bump_version(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET version = version + 1 WHERE id = $1 AND entity_id = $2")
        .bind(user_id)
        .bind(entity_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives or takes away the auditor role, at `version` and for a user not removed. Returns
/// whether it applied.
pub async fn set_auditor(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    version: i64,
    is_auditor: bool,
) -> Result<bool, sqlx::Error> {
    set_role(conn, "is_auditor", entity_id, user_id, version, is_auditor).await
}

/// Sets one of the user's role flags (`column`, a constant of this module) and moves their
/// version on, only at `version` and for a user not removed.
async fn set_role(
    conn: &mut AnyConnection,
    column: &'static str,
    entity_id: i64,
    user_id: i64,
    version: i64,
    on: bool,
) -> Result<bool, sqlx::Error> {
    let changed = sqlx::query(&format!(
        "UPDATE users SET {column} = $1, version = version + 1 \
         WHERE id = $2 AND entity_id = $3 AND version = $4 AND state <> $5"
    ))
    .bind(i64::from(on))
    .bind(user_id)
    .bind(entity_id)
    .bind(version)
    .bind(UserState::Removed.code())
    .execute(conn)
    .await?;
    Ok(changed.rows_affected() == 1)
}

/// Removes a user from the entity at `version`: no administration right and, unless the row
/// holds a login still used in another entity of the person's group (`keeps_login`), no
/// credential nor factor secret left; the row stays for the history and keeps its login id
/// forever.
pub async fn remove(
    conn: &mut AnyConnection,
    entity_id: i64,
    user_id: i64,
    version: i64,
    removed_at: i64,
    keeps_login: bool,
) -> Result<bool, sqlx::Error> {
    let credentials = if keeps_login {
        ""
    } else {
        "password_hash = NULL, temp_password_hash = NULL, temp_password_expires_at = NULL, \
         enrolment_code_hash = NULL, totp_secret = NULL, totp_last_step = NULL, "
    };
    let removed = sqlx::query(&format!(
        "UPDATE users SET state = $1, is_administrator = 0, is_auditor = 0, {credentials}\
         removed_at = $2, version = version + 1 \
         WHERE id = $3 AND entity_id = $4 AND version = $5 AND state <> $1"
    ))
    .bind(UserState::Removed.code())
    .bind(removed_at)
    .bind(user_id)
    .bind(entity_id)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(removed.rows_affected() == 1)
}

/// Forgets the logins kept for a group (see [`remove`]) once no entity uses them any more:
/// removed rows whose rows elsewhere are all removed too lose their credentials and factors.
/// Run by the housekeeping, across entities. Returns how many logins were forgotten.
pub async fn forget_unused_logins(conn: &mut AnyConnection) -> Result<u64, sqlx::Error> {
    const UNUSED: &str = "SELECT h.id FROM users h WHERE h.state = $1 AND h.login_user_id IS NULL \
         AND (h.password_hash IS NOT NULL OR h.totp_secret IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM users l WHERE l.login_user_id = h.id AND l.state <> $1)";
    sqlx::query(&format!("DELETE FROM passkeys WHERE user_id IN ({UNUSED})"))
        .bind(UserState::Removed.code())
        .execute(&mut *conn)
        .await?;
    let forgotten = sqlx::query(&format!(
        "UPDATE users SET password_hash = NULL, temp_password_hash = NULL, \
         temp_password_expires_at = NULL, enrolment_code_hash = NULL, totp_secret = NULL, \
         totp_last_step = NULL WHERE id IN ({UNUSED})"
    ))
    .bind(UserState::Removed.code())
    .execute(&mut *conn)
    .await?;
    Ok(forgotten.rows_affected())
}

/// The e-mail addresses and languages of an entity's active administrators, `except` one.
pub async fn administrators_to_notify<'e, E>(
    executor: E,
    entity_id: i64,
    except: i64,
) -> Result<Vec<(String, String)>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT email, language FROM users WHERE entity_id = $1 AND id <> $2 AND state = $3 \
         AND is_administrator = 1 ORDER BY id",
    )
    .bind(entity_id)
    .bind(except)
    .bind(UserState::Active.code())
    .fetch_all(executor)
    .await
}

/// Active administrators of an entity with an enrolled factor (who can act), `except` one. A
/// person of a group signs with the login held in another entity (its factors are not visible
/// from this entity under row-level security): their row counts, its login having been through
/// a first login.
pub async fn other_active_administrators<'e, E>(
    executor: E,
    entity_id: i64,
    except: i64,
) -> Result<i64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u WHERE u.entity_id = $1 AND u.id <> $2 AND u.state = $3 \
         AND u.is_administrator = 1 AND (u.totp_secret IS NOT NULL \
         OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id) \
         OR u.login_user_id IS NOT NULL)",
    )
    .bind(entity_id)
    .bind(except)
    .bind(UserState::Active.code())
    .fetch_one(executor)
    .await
}

/// An entity's administrators as the advisor's break-glass counts them: those who can act
/// (counted as [`other_active_administrators`] does) and those named who have not made their
/// first login yet while their temporary password still works (one who let it expire, or left,
/// does not hold the break-glass back).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AdministratorsStanding {
    pub acting: i64,
    pub awaiting_first_login: i64,
}

pub async fn administrators_standing<'e, E>(
    executor: E,
    entity_id: i64,
) -> Result<AdministratorsStanding, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT COUNT(CASE WHEN u.state = $2 AND (u.totp_secret IS NOT NULL \
         OR EXISTS (SELECT 1 FROM passkeys p WHERE p.user_id = u.id) \
         OR u.login_user_id IS NOT NULL) THEN 1 END) AS acting, \
         COUNT(CASE WHEN u.state = $3 AND u.temp_password_expires_at > $4 THEN 1 END) \
         AS awaiting_first_login \
         FROM users u WHERE u.entity_id = $1 AND u.is_administrator = 1",
    )
    .bind(entity_id)
    .bind(UserState::Active.code())
    .bind(UserState::AwaitingFirstLogin.code())
    .bind(super::now())
    .fetch_one(executor)
    .await
}

/// The e-mail addresses and languages of every administrator on record of an entity, whatever
/// their state but removed (blocked, suspended or awaiting their first login included): the
/// advisor's break-glass tells all of them, not only those who can act — `except` one.
pub async fn administrators_on_record<'e, E>(
    executor: E,
    entity_id: i64,
    except: i64,
) -> Result<Vec<(String, String)>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "SELECT email, language FROM users WHERE entity_id = $1 AND id <> $2 AND state <> $3 \
         AND is_administrator = 1 ORDER BY id",
    )
    .bind(entity_id)
    .bind(except)
    .bind(UserState::Removed.code())
    .fetch_all(executor)
    .await
}

/// Returns whether this call blocked them (an active user).
pub async fn block(conn: &mut AnyConnection, user_id: i64) -> Result<bool, sqlx::Error> {
    let blocked = sqlx::query(
        "UPDATE users SET state = $1, version = version + 1 WHERE id = $2 AND state = $3",
    )
    .bind(UserState::Blocked.code())
    .bind(user_id)
    .bind(UserState::Active.code())
    .execute(conn)
    .await?;
    Ok(blocked.rows_affected() == 1)
}

/// The failed strong authentications counted in a row (attempts in progress included).
pub async fn sca_failures(conn: &mut AnyConnection, user_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT failed_sca_count FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

/// Unblocks a blocked user by login id; returns the user and entity ids if there was one.
pub async fn unblock_by_login_id(
    conn: &mut AnyConnection,
    login_id: &str,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "UPDATE users SET state = $1, failed_sca_count = 0, version = version + 1 \
         WHERE login_id = $2 AND login_user_id IS NULL AND state = $3 RETURNING id, entity_id",
    )
    .bind(UserState::Active.code())
    .bind(login_id)
    .bind(UserState::Blocked.code())
    .fetch_optional(conn)
    .await
}

/// The names (« Prénom NOM ») of some users of an entity, in one statement.
pub async fn names<'e, E>(
    executor: E,
    entity_id: i64,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT u.id, p.first_name, p.last_name FROM users u JOIN persons p ON p.id = u.person_id \
         WHERE u.entity_id = $1 AND u.id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64, String, String)>(&sql).bind(entity_id);
    for id in ids {
        query = query.bind(*id);
    }
    Ok(query
        .fetch_all(executor)
        .await?
        .into_iter()
        .map(|(id, first, last)| (id, format!("{first} {last}")))
        .collect())
}

/// Forgets a user's search text (their person's name changed); `flows::users::index_users`
/// writes it again.
pub async fn clear_search_text(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET search_text = '' WHERE id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}
