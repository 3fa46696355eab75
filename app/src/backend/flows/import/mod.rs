//! The bank's import: advisors, entities with their accounts and contracts, and persons, sent by
//! the bank's core systems (`POST /banque/v1/import` with a service token, or `server import`).
//!
//! Every record names what it is about by the bank's own identifier (an advisor's or a person's
//! reference, an entity's SIREN, an account's IBAN, a contract's reference), so a file sent
//! twice changes nothing. A file is read and checked whole first; then applied whole, in one
//! transaction, or not at all: every refused line comes back with its number and the reason.
//! Closing an account or a contract takes it out of every user's rights (kept in the history),
//! with an audit event in the entity's journal.

pub mod records;

pub use records::{parse_csv, parse_json_lines, Line, Record, RecordType, Refusal, MAX_LINES};

use crate::backend::audit::{self, Kind};
use crate::backend::delivery::messages;
use crate::backend::security::crypto::{random_token, sha256_hex, SecretBox};
use crate::backend::store::entities::{
    self, Advisor, EntityKind, ResourceTable, StoredEntity, StoredResource,
};
use crate::backend::store::persons::{self, Person};
use crate::backend::store::{self, now, Db};
use serde::Serialize;
use serde_json::json;

/// What a service token may import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Advisors (« conseiller » records).
    Advisors,
    /// Entities, their accounts and contracts, and which advisor has them in portfolio.
    Entities,
    /// Persons registered for an entity.
    Persons,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Advisors, Scope::Entities, Scope::Persons];

    pub fn code(self) -> &'static str {
        match self {
            Scope::Advisors => "conseillers",
            Scope::Entities => "entites",
            Scope::Persons => "personnes",
        }
    }

    /// `conseillers,entites`: at least one scope, each known.
    pub fn parse_list(text: &str) -> Result<Vec<Scope>, String> {
        let mut scopes = Vec::new();
        for code in text.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let scope = Scope::ALL
                .into_iter()
                .find(|scope| scope.code() == code)
                .ok_or_else(|| {
                    format!("portée inconnue « {code} » (conseillers, entites ou personnes)")
                })?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err("au moins une portée : conseillers, entites ou personnes".into());
        }
        scopes.sort();
        Ok(scopes)
    }

    fn join(scopes: &[Scope]) -> String {
        scopes
            .iter()
            .map(|scope| scope.code())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Who sends a file: one of the bank's client systems (its token), or an operator running
/// `server import` on a server host (every scope).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Token { name: String, scopes: Vec<Scope> },
    Operator,
}

impl Source {
    /// How the audit trail names it.
    fn label(&self) -> String {
        match self {
            Source::Token { name, .. } => format!("jeton:{name}"),
            Source::Operator => "commande".into(),
        }
    }

    fn allows(&self, scope: Scope) -> bool {
        match self {
            Source::Token { scopes, .. } => scopes.contains(&scope),
            Source::Operator => true,
        }
    }
}

/// What a file did (or would do, simulated).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Whether it was written (false: a simulation, or nothing to change).
    #[serde(rename = "applique")]
    pub applied: bool,
    #[serde(rename = "crees")]
    pub created: usize,
    #[serde(rename = "modifies")]
    pub updated: usize,
    #[serde(rename = "inchanges")]
    pub unchanged: usize,
    /// Accounts and contracts closed by this file.
    #[serde(rename = "clotures")]
    pub closed: usize,
    /// Users who lost rights because of those closures.
    #[serde(rename = "utilisateurs_concernes")]
    pub users_losing_rights: usize,
}

impl Summary {
    fn changes(&self) -> usize {
        self.created + self.updated
    }
}

/// Why a file was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Lines refused: bad values, unknown references, conflicts with the bank's data.
    #[error("{} ligne(s) refusée(s)", .0.len())]
    Refused(Vec<Refusal>),
    /// Lines of a type the token may not import.
    #[error("{} ligne(s) hors de la portée du jeton", .0.len())]
    Forbidden(Vec<Refusal>),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("outbox: {0}")]
    Delivery(#[from] crate::backend::delivery::DeliveryError),
}

/// Whether the file is written or only tried (then rolled back).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Apply,
    Simulate,
}

/// Applies a file's lines, whole or not at all.
pub async fn apply(
    db: &Db,
    secrets: &SecretBox,
    bank: &str,
    source: &Source,
    mut lines: Vec<Line>,
    mode: Mode,
) -> Result<Summary, ImportError> {
    let forbidden: Vec<Refusal> = lines
        .iter()
        .filter(|line| !source.allows(line.record.record_type().scope()))
        .map(|line| Refusal {
            line: line.number,
            reason: format!(
                "ce jeton ne peut pas importer « {} » (portée {})",
                line.record.record_type().code(),
                line.record.record_type().scope().code()
            ),
        })
        .collect();
    if !forbidden.is_empty() {
        return Err(ImportError::Forbidden(forbidden));
    }
    // What a record refers to is applied before it, whatever the lines' order.
    lines.sort_by_key(|line| (line.record.record_type(), line.number));
    let import_id = format!("import-{}", &sha256_hex(random_token().as_bytes())[..16]);
    let mut tx = db.begin_write().await?;
    let mut run = Run {
        conn: &mut tx,
        secrets,
        bank,
        source: source.label(),
        import_id: &import_id,
        now: now(),
        summary: Summary::default(),
        refusals: Vec::new(),
        reindex: false,
    };
    for line in &lines {
        if let Err(reason) = run.line(&line.record).await? {
            run.refusals.push(Refusal {
                line: line.number,
                reason,
            });
        }
    }
    let Run {
        mut summary,
        mut refusals,
        reindex,
        source,
        ..
    } = run;
    if !refusals.is_empty() {
        tx.rollback().await?;
        refusals.sort_by_key(|refusal| refusal.line);
        return Err(ImportError::Refused(refusals));
    }
    if mode == Mode::Simulate || summary.changes() == 0 {
        tx.rollback().await?;
        return Ok(summary);
    }
    audit::append(
        &mut tx,
        secrets,
        None,
        None,
        Kind::ImportApplied,
        json!({
            "import": import_id,
            "par": source,
            "lignes": lines.len(),
            "crees": summary.created,
            "modifies": summary.updated,
            "clotures": summary.closed,
        }),
    )
    .await?;
    tx.commit().await?;
    summary.applied = true;
    if reindex {
        crate::backend::flows::users::index_users(db).await?;
    }
    Ok(summary)
}

/// One file being applied, inside its transaction.
struct Run<'a> {
    conn: &'a mut sqlx::AnyConnection,
    secrets: &'a SecretBox,
    /// The bank's name, which signs the e-mails.
    bank: &'a str,
    source: String,
    import_id: &'a str,
    now: i64,
    summary: Summary,
    refusals: Vec<Refusal>,
    /// A user's person was corrected: their search text is written again after commit.
    reindex: bool,
}

/// A line's outcome: applied, or refused with a reason (the database failing is an error).
type Outcome = Result<Result<(), String>, ImportError>;

impl Run<'_> {
    async fn line(&mut self, record: &Record) -> Outcome {
        match record {
            Record::Advisor { reference, advisor } => self.advisor(reference, advisor).await,
            Record::Entity {
                siren,
                name,
                kind,
                advisor,
            } => self.entity(siren, name, *kind, advisor).await,
            Record::Resource {
                table,
                entity,
                code,
                label,
                extra,
                closed,
            } => {
                self.resource(*table, entity, code, label, extra, *closed)
                    .await
            }
            Record::Person {
                reference,
                entity,
                person,
            } => self.person(reference, entity, person).await,
        }
    }

    async fn advisor(&mut self, reference: &str, advisor: &Advisor) -> Outcome {
        match entities::advisor_by_ref(self.conn, reference).await? {
            None => {
                entities::insert_imported_advisor(self.conn, reference, advisor).await?;
                self.summary.created += 1;
            }
            Some(stored) if stored.advisor == *advisor => self.summary.unchanged += 1,
            Some(stored) => {
                entities::update_advisor(self.conn, stored.id, advisor).await?;
                self.summary.updated += 1;
            }
        }
        Ok(Ok(()))
    }

    async fn entity(
        &mut self,
        siren: &str,
        name: &str,
        kind: EntityKind,
        advisor: &str,
    ) -> Outcome {
        let Some(advisor) = entities::advisor_by_ref(self.conn, advisor).await? else {
            return Ok(Err(format!("conseiller inconnu « {advisor} »")));
        };
        let wanted = |id| StoredEntity {
            id,
            name: name.to_string(),
            kind,
            advisor_id: advisor.id,
        };
        match entities::by_siren(self.conn, siren).await? {
            None => {
                entities::insert(self.conn, name, kind, siren, advisor.id, self.now).await?;
                self.summary.created += 1;
            }
            Some(stored) if stored == wanted(stored.id) => self.summary.unchanged += 1,
            Some(stored) => {
                entities::update(self.conn, &wanted(stored.id)).await?;
                self.summary.updated += 1;
            }
        }
        Ok(Ok(()))
    }

    async fn resource(
        &mut self,
        table: ResourceTable,
        siren: &str,
        code: &str,
        label: &str,
        extra: &str,
        closed: bool,
    ) -> Outcome {
        let Some(entity) = entities::by_siren(self.conn, siren).await? else {
            return Ok(Err(format!("entité inconnue (SIREN {siren})")));
        };
        let what = match table {
            ResourceTable::Accounts => "compte",
            ResourceTable::Contracts => "contrat",
        };
        let Some(stored) = entities::resource_by_code(self.conn, table, code).await? else {
            let new = StoredResource {
                id: 0,
                entity_id: entity.id,
                label: label.to_string(),
                extra: extra.to_string(),
                closed_at: closed.then_some(self.now),
            };
            entities::insert_resource(self.conn, table, code, &new).await?;
            self.summary.created += 1;
            return Ok(Ok(()));
        };
        if stored.entity_id != entity.id {
            return Ok(Err(format!(
                "le {what} {code} appartient à une autre entité"
            )));
        }
        let wanted = StoredResource {
            label: label.to_string(),
            extra: extra.to_string(),
            closed_at: if closed {
                stored.closed_at.or(Some(self.now))
            } else {
                None
            },
            ..stored.clone()
        };
        if wanted == stored {
            self.summary.unchanged += 1;
            return Ok(Ok(()));
        }
        if stored.closed_at.is_none() && wanted.closed_at.is_some() {
            // Administration operations of the entity wait: none gives a right on it meanwhile.
            entities::lock_for_administration(self.conn, entity.id).await?;
            let users = store::rights::revoke_on_resource(
                self.conn,
                entity.id,
                table.resource(stored.id),
                self.now,
                self.import_id,
            )
            .await?;
            for user in &users {
                // Operations prepared on the rights before the closure are refused (409).
                store::users::bump_version(self.conn, entity.id, *user).await?;
            }
            audit::append(
                self.conn,
                self.secrets,
                Some(entity.id),
                None,
                Kind::ResourceClosed,
                json!({
                    what: code,
                    "libelle": stored.label,
                    "utilisateurs": users,
                    "import": self.import_id,
                    "par": self.source,
                }),
            )
            .await?;
            let bank = self.bank;
            crate::backend::delivery::email_administrators(
                self.conn,
                self.secrets,
                entity.id,
                |lang| messages::closure_notice(bank, what, &stored.label, users.len(), lang),
            )
            .await?;
            self.summary.closed += 1;
            self.summary.users_losing_rights += users.len();
        }
        entities::update_resource(self.conn, table, &wanted).await?;
        self.summary.updated += 1;
        Ok(Ok(()))
    }

    async fn person(&mut self, reference: &str, siren: &str, person: &Person) -> Outcome {
        let Some(entity) = entities::by_siren(self.conn, siren).await? else {
            return Ok(Err(format!("entité inconnue (SIREN {siren})")));
        };
        let Some(stored) = persons::by_ref(self.conn, reference).await? else {
            let id = persons::insert_imported(
                self.conn,
                entity.id,
                entity.advisor_id,
                reference,
                person,
                self.now,
            )
            .await?;
            audit::append(
                self.conn,
                self.secrets,
                Some(entity.id),
                None,
                Kind::PersonRegistered,
                json!({
                    "personne": id,
                    "nom": person.registered_name(),
                    "import": self.import_id,
                    "par": self.source,
                }),
            )
            .await?;
            self.summary.created += 1;
            return Ok(Ok(()));
        };
        if stored.entity_id != entity.id {
            return Ok(Err(format!(
                "la personne {reference} est enregistrée pour une autre entité"
            )));
        }
        let wanted = Person {
            id: stored.person.id,
            ..person.clone()
        };
        if wanted == stored.person && stored.contacts_from_bank == 1 {
            self.summary.unchanged += 1;
            return Ok(Ok(()));
        }
        persons::update(self.conn, &wanted).await?;
        persons::set_contacts_from_bank(self.conn, wanted.id, true).await?;
        let mut changed: Vec<&str> = [
            ("nom", wanted.last_name != stored.person.last_name),
            ("prenom", wanted.first_name != stored.person.first_name),
            (
                "date_naissance",
                wanted.birth_date != stored.person.birth_date,
            ),
            ("telephone", wanted.phone != stored.person.phone),
            ("email", wanted.email != stored.person.email),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect();
        if changed.is_empty() {
            // The same contacts as an advisor typed (or as before migration 0014): the bank
            // confirms them, and from now on they are its own.
            changed.push("coordonnees_confirmees");
        }
        if let Some(user) = stored.user_id {
            store::users::clear_search_text(self.conn, user).await?;
            self.reindex = true;
        }
        audit::append(
            self.conn,
            self.secrets,
            Some(entity.id),
            None,
            Kind::PersonCorrected,
            json!({
                "personne": wanted.id,
                "utilisateur": stored.user_id,
                "champs": changed,
                "import": self.import_id,
                "par": self.source,
            }),
        )
        .await?;
        self.summary.updated += 1;
        Ok(Ok(()))
    }
}

// Service tokens: one per client system of the bank.

/// A token's name: 1 to 64 lowercase letters, digits, `-`, `_`, `.`.
fn token_name(name: &str) -> Result<&str, String> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
    {
        return Err(
            "le nom d’un jeton compte 1 à 64 minuscules, chiffres, « - », « _ » ou « . »".into(),
        );
    }
    Ok(name)
}

/// The prefix of every service token: a secret scanner can spot one that leaked.
const TOKEN_PREFIX: &str = "habilis_svc_";

/// Creates a token for a client system; returns it (shown once: only its hash is kept).
pub async fn create_token(
    db: &Db,
    secrets: &SecretBox,
    name: &str,
    scopes: &[Scope],
) -> Result<Result<String, String>, sqlx::Error> {
    let name = match token_name(name) {
        Ok(name) => name,
        Err(reason) => return Ok(Err(reason)),
    };
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let mut tx = db.begin_write().await?;
    if !store::service_tokens::insert(
        &mut tx,
        name,
        &sha256_hex(token.as_bytes()),
        &Scope::join(scopes),
        now(),
    )
    .await?
    {
        return Ok(Err(format!("un jeton nommé « {name} » existe déjà")));
    }
    audit::append(
        &mut tx,
        secrets,
        None,
        None,
        Kind::ServiceTokenChanged,
        json!({ "jeton": name, "portees": Scope::join(scopes), "action": "cree" }),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(token))
}

/// Revokes a token: from its next request, it is refused. `false` when none is live by that name.
pub async fn revoke_token(db: &Db, secrets: &SecretBox, name: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    if !store::service_tokens::revoke(&mut *tx, name, now()).await? {
        return Ok(false);
    }
    audit::append(
        &mut tx,
        secrets,
        None,
        None,
        Kind::ServiceTokenChanged,
        json!({ "jeton": name, "action": "revoque" }),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The client system a presented token belongs to, if it is a live token.
pub async fn authenticate(db: &Db, token: &str) -> Result<Option<Source>, sqlx::Error> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let mut conn = db.pool().acquire().await?;
    let Some(found) =
        store::service_tokens::use_token(&mut conn, &sha256_hex(token.as_bytes()), now()).await?
    else {
        return Ok(None);
    };
    Ok(Some(Source::Token {
        scopes: Scope::parse_list(&found.scopes).unwrap_or_default(),
        name: found.name,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_read_from_their_codes() {
        assert_eq!(
            Scope::parse_list("personnes, entites").unwrap(),
            [Scope::Entities, Scope::Persons]
        );
        assert!(Scope::parse_list("").is_err());
        assert!(Scope::parse_list("tout").is_err());
        assert!(Source::Operator.allows(Scope::Advisors));
    }
}
