//! Reading the entity's data: the entity and its advisor, its accounts and contracts, the persons
//! the advisor registered, its users and their rights. Every function takes the entity id from
//! the caller's session and filters on it: a row of another entity is simply not found.

use super::db::{flag, Db};
use crate::api::types::{AdvisorCard, EntityCard, PersonCard, UserState, UserSummary};
use model::identity::{format_date, format_phone};
use model::{Account, Catalog, Contract, ContractKind, Level, Levels, Origin, Profile, Rights};
use model::{ResourceRef, RightsMethod};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};
use std::collections::BTreeMap;

pub async fn entity_card(db: &Db, entity_id: i64) -> Result<Option<EntityCard>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT e.name, e.kind, e.siren, a.civility, a.first_name, a.last_name, a.agency, \
                a.phone, a.email \
         FROM entities e JOIN advisors a ON a.id = e.advisor_id WHERE e.id = $1",
    )
    .bind(entity_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| {
        let siren: String = row.try_get("siren")?;
        Ok(EntityCard {
            name: row.try_get("name")?,
            kind: match row.try_get::<String, _>("kind")?.as_str() {
                "association" => "Association",
                "institution" => "Institution",
                _ => "Entreprise",
            }
            .to_string(),
            siren: format_siren(&siren),
            advisor: advisor_card(&row)?,
        })
    })
    .transpose()
}

fn advisor_card(row: &AnyRow) -> Result<AdvisorCard, sqlx::Error> {
    Ok(AdvisorCard {
        name: format!(
            "{} {} {}",
            row.try_get::<String, _>("civility")?,
            row.try_get::<String, _>("first_name")?,
            row.try_get::<String, _>("last_name")?
        ),
        agency: row.try_get("agency")?,
        phone: format_phone(&row.try_get::<String, _>("phone")?),
        email: row.try_get("email")?,
    })
}

pub async fn advisor_of(db: &Db, entity_id: i64) -> Result<Option<AdvisorCard>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT a.civility, a.first_name, a.last_name, a.agency, a.phone, a.email \
         FROM entities e JOIN advisors a ON a.id = e.advisor_id WHERE e.id = $1",
    )
    .bind(entity_id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|row| advisor_card(&row)).transpose()
}

/// « 552 100 554 »
pub fn format_siren(siren: &str) -> String {
    siren
        .as_bytes()
        .chunks(3)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The entity's accounts and contracts, in their display order.
pub async fn catalog<'e, E>(executor: E, entity_id: i64) -> Result<Catalog, sqlx::Error>
where
    E: Executor<'e, Database = Any> + Copy,
{
    let accounts = sqlx::query(
        "SELECT id, label, iban, currency FROM accounts WHERE entity_id = $1 ORDER BY position, id",
    )
    .bind(entity_id)
    .fetch_all(executor)
    .await?
    .into_iter()
    .map(|row| {
        Ok(Account {
            id: row.try_get("id")?,
            label: row.try_get("label")?,
            iban: row.try_get("iban")?,
            currency: row.try_get("currency")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let contracts = sqlx::query(
        "SELECT id, kind, label, reference FROM contracts WHERE entity_id = $1 \
         ORDER BY position, id",
    )
    .bind(entity_id)
    .fetch_all(executor)
    .await?
    .into_iter()
    .map(|row| {
        let kind: String = row.try_get("kind")?;
        Ok(Contract {
            id: row.try_get("id")?,
            kind: ContractKind::from_code(&kind)
                .ok_or_else(|| sqlx::Error::Decode(format!("contract kind {kind}").into()))?,
            label: row.try_get("label")?,
            reference: row.try_get("reference")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Catalog {
        accounts,
        contracts,
    })
}

fn person_card(row: &AnyRow) -> Result<PersonCard, sqlx::Error> {
    Ok(PersonCard {
        id: row.try_get("id")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        birth_date: format_date(&row.try_get::<String, _>("birth_date")?),
        phone: format_phone(&row.try_get::<String, _>("phone")?),
        email: row.try_get("email")?,
    })
}

/// Persons registered by the advisor who are not users yet.
pub async fn persons_without_account(
    db: &Db,
    entity_id: i64,
) -> Result<Vec<PersonCard>, sqlx::Error> {
    sqlx::query(
        "SELECT p.id, p.first_name, p.last_name, p.birth_date, p.phone, p.email FROM persons p \
         WHERE p.entity_id = $1 AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id) \
         ORDER BY p.last_name, p.first_name, p.id",
    )
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(person_card)
    .collect()
}

/// A person of the entity who is not a user yet, with the raw phone for the SMS.
pub struct Candidate {
    pub card: PersonCard,
    pub phone_e164: String,
}

pub async fn candidate<'e, E>(
    executor: E,
    entity_id: i64,
    person_id: i64,
) -> Result<Option<Candidate>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let row = sqlx::query(
        "SELECT p.id, p.first_name, p.last_name, p.birth_date, p.phone, p.email FROM persons p \
         WHERE p.entity_id = $1 AND p.id = $2 \
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id)",
    )
    .bind(entity_id)
    .bind(person_id)
    .fetch_optional(executor)
    .await?;
    row.map(|row| {
        Ok(Candidate {
            card: person_card(&row)?,
            phone_e164: row.try_get("phone")?,
        })
    })
    .transpose()
}

/// A user of the entity, as shown to people.
#[derive(Clone, Debug)]
pub struct UserCard {
    pub id: i64,
    pub entity_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub login_id: String,
    pub email: String,
    pub state: UserState,
    pub is_administrator: bool,
}

impl UserCard {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

const USER_COLUMNS: &str = "u.id, u.entity_id, p.first_name, p.last_name, u.login_id, u.email, \
                            u.state, u.is_administrator";

fn user_card(row: &AnyRow) -> Result<UserCard, sqlx::Error> {
    let state: String = row.try_get("state")?;
    Ok(UserCard {
        id: row.try_get("id")?,
        entity_id: row.try_get("entity_id")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        login_id: row.try_get("login_id")?,
        email: row.try_get("email")?,
        state: UserState::from_code(&state)
            .ok_or_else(|| sqlx::Error::Decode(format!("user state {state}").into()))?,
        is_administrator: flag(row, "is_administrator")?,
    })
}

pub async fn user<'e, E>(
    executor: E,
    entity_id: i64,
    user_id: i64,
) -> Result<Option<UserCard>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users u JOIN persons p ON p.id = u.person_id \
         WHERE u.entity_id = $1 AND u.id = $2"
    ))
    .bind(entity_id)
    .bind(user_id)
    .fetch_optional(executor)
    .await?
    .map(|row| user_card(&row))
    .transpose()
}

pub async fn users(db: &Db, entity_id: i64) -> Result<Vec<UserCard>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users u JOIN persons p ON p.id = u.person_id \
         WHERE u.entity_id = $1 ORDER BY p.last_name, p.first_name, u.id"
    ))
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(user_card)
    .collect()
}

/// A user's rights with the origin of each level, as stored.
#[derive(Clone, Debug, Default)]
pub struct StoredRights {
    pub rights: Rights,
    pub origins: BTreeMap<(ResourceRef, Level), Origin>,
}

pub async fn rights<'e, E>(
    executor: E,
    entity_id: i64,
    user_id: i64,
) -> Result<StoredRights, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let rows = sqlx::query(
        "SELECT r.account_id, r.contract_id, r.consultation_origin, r.gestion_origin, \
                r.validation_origin, u.is_administrator \
         FROM users u LEFT JOIN user_rights r ON r.user_id = u.id AND r.entity_id = u.entity_id \
         WHERE u.entity_id = $1 AND u.id = $2",
    )
    .bind(entity_id)
    .bind(user_id)
    .fetch_all(executor)
    .await?;
    let mut stored = StoredRights::default();
    let mut sources: Vec<(ResourceRef, Level, String)> = Vec::new();
    for row in rows {
        stored
            .rights
            .set_administration(flag(&row, "is_administrator")?);
        let account: Option<i64> = row.try_get("account_id")?;
        let contract: Option<i64> = row.try_get("contract_id")?;
        let resource = match (account, contract) {
            (Some(id), None) => ResourceRef::Account(id),
            (None, Some(id)) => ResourceRef::Contract(id),
            _ => continue, // the LEFT JOIN's row for a user without rights
        };
        let consultation: String = row.try_get("consultation_origin")?;
        let gestion: Option<String> = row.try_get("gestion_origin")?;
        let validation: Option<String> = row.try_get("validation_origin")?;
        let levels = Levels::new(true, gestion.is_some(), validation.is_some())
            .map_err(|e| sqlx::Error::Decode(e.to_string().into()))?;
        stored.rights.set_levels(resource, levels);
        sources.push((resource, Level::Consultation, consultation));
        if let Some(origin) = gestion {
            sources.push((resource, Level::Gestion, origin));
        }
        if let Some(origin) = validation {
            sources.push((resource, Level::Validation, origin));
        }
    }
    for (resource, level, code) in sources {
        stored
            .origins
            .insert((resource, level), parse_origin(&code));
    }
    Ok(stored)
}

/// Reads an origin code back; a copy keeps the copied user's id, named when shown.
pub fn parse_origin(code: &str) -> Origin {
    if let Some(profile) = code.strip_prefix("profil:").and_then(Profile::from_code) {
        return Origin::Profile(profile);
    }
    if let Some(id) = code.strip_prefix("copie:").and_then(|id| id.parse().ok()) {
        return Origin::Copy {
            from_user: id,
            name: String::new(),
        };
    }
    Origin::Custom
}

/// Writes a new user's rights with their origins.
pub async fn insert_rights(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
    user_id: i64,
    rights: &Rights,
    origin: impl Fn(ResourceRef, Level) -> Origin,
) -> Result<(), sqlx::Error> {
    for (resource, levels) in rights.grants() {
        let (account, contract) = match resource {
            ResourceRef::Account(id) => (Some(id), None),
            ResourceRef::Contract(id) => (None, Some(id)),
        };
        let code = |level: Level| levels.has(level).then(|| origin(resource, level).code());
        sqlx::query::<Any>(
            "INSERT INTO user_rights (entity_id, user_id, account_id, contract_id, \
             consultation_origin, gestion_origin, validation_origin) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(entity_id)
        .bind(user_id)
        .bind(account)
        .bind(contract)
        .bind(code(Level::Consultation).unwrap_or_default())
        .bind(code(Level::Gestion))
        .bind(code(Level::Validation))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// How many accounts and contracts a user holds each level on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RightsCounts {
    pub consultation: i64,
    pub gestion: i64,
    pub validation: i64,
    pub administration: bool,
}

impl RightsCounts {
    /// The counts of a set of rights (the list counts them in SQL; tests compare with this).
    #[cfg(test)]
    pub fn of(rights: &Rights) -> RightsCounts {
        let count = |level| rights.count(level) as i64;
        RightsCounts {
            consultation: count(Level::Consultation),
            gestion: count(Level::Gestion),
            validation: count(Level::Validation),
            administration: rights.administration(),
        }
    }

    /// « 6 comptes et contrats · consultation 6, gestion 5, validation 2 », or « Aucun droit ».
    /// Consultation is held on every account or contract in scope, so it counts the scope.
    pub fn summary(&self) -> String {
        let scope = self.consultation;
        if scope == 0 {
            return if self.administration {
                "Administration uniquement".into()
            } else {
                "Aucun droit".into()
            };
        }
        let plural = if scope > 1 {
            "comptes et contrats"
        } else {
            "compte ou contrat"
        };
        format!(
            "{scope} {plural} · consultation {}, gestion {}, validation {}",
            self.consultation, self.gestion, self.validation
        )
    }
}

/// The summaries of « Gestion des utilisateurs », counted by the database in one query.
pub async fn user_summaries(db: &Db, entity_id: i64) -> Result<Vec<UserSummary>, sqlx::Error> {
    sqlx::query(
        "SELECT u.id, u.login_id, u.state, u.is_administrator, p.first_name, p.last_name, \
                COUNT(r.id) AS consultation, \
                SUM(CASE WHEN r.gestion_origin IS NULL THEN 0 ELSE 1 END) AS gestion, \
                SUM(CASE WHEN r.validation_origin IS NULL THEN 0 ELSE 1 END) AS validation \
         FROM users u JOIN persons p ON p.id = u.person_id \
         LEFT JOIN user_rights r ON r.user_id = u.id AND r.entity_id = u.entity_id \
         WHERE u.entity_id = $1 \
         GROUP BY u.id, u.login_id, u.state, u.is_administrator, p.first_name, p.last_name \
         ORDER BY p.last_name, p.first_name, u.id",
    )
    .bind(entity_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|row| {
        let state: String = row.try_get("state")?;
        let is_administrator = flag(&row, "is_administrator")?;
        let counts = RightsCounts {
            consultation: row.try_get("consultation")?,
            gestion: row.try_get::<Option<i64>, _>("gestion")?.unwrap_or(0),
            validation: row.try_get::<Option<i64>, _>("validation")?.unwrap_or(0),
            administration: is_administrator,
        };
        Ok(UserSummary {
            id: row.try_get("id")?,
            first_name: row.try_get("first_name")?,
            last_name: row.try_get("last_name")?,
            login_id: row.try_get("login_id")?,
            state: UserState::from_code(&state)
                .ok_or_else(|| sqlx::Error::Decode(format!("user state {state}").into()))?,
            is_administrator,
            rights_summary: counts.summary(),
        })
    })
    .collect()
}

/// The method stored with a right, for a copy's origins.
pub fn method_label(method: &RightsMethod, source_name: &str) -> String {
    match method {
        RightsMethod::Copy { .. } => format!("Copie des droits de {source_name}"),
        RightsMethod::Custom => "Droits personnalisés".into(),
        RightsMethod::Profile(profile) => profile.title().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_read_back_as_written() {
        for origin in [Origin::Profile(Profile::Valideur), Origin::Custom] {
            assert_eq!(parse_origin(&origin.code()), origin);
        }
        assert!(matches!(
            parse_origin("copie:12"),
            Origin::Copy { from_user: 12, .. }
        ));
    }

    #[test]
    fn summaries_count_scope_and_levels() {
        let mut rights = Rights::new();
        assert_eq!(RightsCounts::of(&rights).summary(), "Aucun droit");
        rights.set_administration(true);
        assert_eq!(
            RightsCounts::of(&rights).summary(),
            "Administration uniquement"
        );
        rights.set_levels(ResourceRef::Account(1), Levels::ALL);
        rights.set_levels(ResourceRef::Contract(2), Levels::CONSULTATION);
        assert_eq!(
            RightsCounts::of(&rights).summary(),
            "2 comptes et contrats · consultation 2, gestion 1, validation 1"
        );
        assert_eq!(format_siren("552100554"), "552 100 554");
    }
}
