//! The audit trail: append-only and hash-chained under a key the database does not hold.
//!
//! Each event's hash is an HMAC-SHA-256, under a key derived from the server's secret key, of the
//! previous event's hash and the event's own fields: changing or removing any past event breaks
//! every hash after it, and someone who can write to the database but lacks the key cannot
//! recompute a chain that verifies. The database refuses UPDATE and DELETE on the table
//! (triggers), and [`verify`] recomputes the chain and names the first broken event.

use super::security::crypto::SecretBox;
use super::store::audit::{self as rows, StoredEvent};
use super::store::{now, Db};
use data_encoding::HEXLOWER;
use serde_json::Value;
use sqlx::AnyConnection;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, in the trail's stable vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    SignedIn,
    ScaFailed,
    UserBlocked,
    UserUnblocked,
    FactorEnrolled,
    UserAdded,
    FirstLoginCompleted,
    PasswordChanged,
    /// A sign-in refused at the password step (wrong password, unknown id, locked account…).
    SignInFailed,
    /// Five wrong passwords in a row: password sign-in locked for 15 minutes.
    PasswordLocked,
    /// A signed-in user asked for something their rights do not allow.
    AccessRefused,
    /// A strong-authentication factor removed.
    FactorRemoved,
    /// A confirmation presented again for an operation already applied.
    OperationReplayed,
    UserSuspended,
    UserReactivated,
    AccessReset,
    RightsModified,
    UserRemoved,
    /// The auditor role given or taken away.
    AuditorChanged,
    AccessReviewStarted,
    AccessReviewClosed,
    /// Double validation switched on or off.
    DualControlChanged,
    /// Signed by its author, awaiting a second administrator's approval.
    OperationSubmitted,
    /// Approved by a second administrator (the operation's own event follows, by its author).
    OperationApproved,
    OperationRejected,
    /// Void at its approval: too old, user changed, author no longer administrator.
    OperationLapsed,
    /// Withdrawn by its author before any decision.
    OperationWithdrawn,
    /// « Droits temporaires »: levels given on their first day, by the system.
    TemporaryRightsStarted,
    /// « Droits temporaires »: levels removed at their end, by the system.
    TemporaryRightsEnded,
    /// « Droits temporaires »: the reminder three days before their end, by the system.
    TemporaryRightsReminded,
    /// The bank's systems registered a person for the entity (import).
    PersonRegistered,
    /// The bank's systems corrected a person's identity or contact (import).
    PersonCorrected,
    /// The bank closed an account or a contract: the levels held on it are taken away.
    ResourceClosed,
    /// A file of the bank's systems applied (entity-less: it may touch many).
    ImportApplied,
    /// A service token of the bank's systems created or revoked.
    ServiceTokenChanged,
    /// An advisor's access to « Espace conseiller » created or renewed (`server create-advisor`).
    AdvisorAccessCreated,
    /// Break-glass: the advisor named an administrator, the entity having none left.
    AdministratorNamedByAdvisor,
    /// A registered person withdrawn by the advisor (not a user).
    PersonWithdrawn,
    /// A person of a group of entities came to this entity from another (« Changer d’entité »).
    EntitySwitched,
}

impl Kind {
    pub const ALL: [Kind; 39] = [
        Kind::UserAdded,
        Kind::RightsModified,
        Kind::UserSuspended,
        Kind::UserReactivated,
        Kind::UserRemoved,
        Kind::AccessReset,
        Kind::UserUnblocked,
        Kind::AuditorChanged,
        Kind::AccessReviewStarted,
        Kind::AccessReviewClosed,
        Kind::DualControlChanged,
        Kind::OperationSubmitted,
        Kind::OperationApproved,
        Kind::OperationRejected,
        Kind::OperationLapsed,
        Kind::OperationWithdrawn,
        Kind::TemporaryRightsStarted,
        Kind::TemporaryRightsEnded,
        Kind::TemporaryRightsReminded,
        Kind::PersonRegistered,
        Kind::PersonCorrected,
        Kind::ResourceClosed,
        Kind::ImportApplied,
        Kind::ServiceTokenChanged,
        Kind::AdvisorAccessCreated,
        Kind::AdministratorNamedByAdvisor,
        Kind::PersonWithdrawn,
        Kind::UserBlocked,
        Kind::SignedIn,
        Kind::EntitySwitched,
        Kind::SignInFailed,
        Kind::PasswordLocked,
        Kind::ScaFailed,
        Kind::FirstLoginCompleted,
        Kind::PasswordChanged,
        Kind::FactorEnrolled,
        Kind::FactorRemoved,
        Kind::AccessRefused,
        Kind::OperationReplayed,
    ];

    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// What happened, as « Journal des opérations » says it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::SignedIn => "Connexion",
            Kind::ScaFailed => "Échec d’authentification forte",
            Kind::UserBlocked => "Blocage après 5 échecs",
            Kind::UserUnblocked => "Déblocage",
            Kind::FactorEnrolled => "Moyen d’authentification ajouté",
            Kind::UserAdded => "Ajout d’un utilisateur",
            Kind::FirstLoginCompleted => "Première connexion terminée",
            Kind::PasswordChanged => "Mot de passe changé",
            Kind::SignInFailed => "Échec de connexion",
            Kind::PasswordLocked => "Mot de passe verrouillé",
            Kind::AccessRefused => "Accès refusé",
            Kind::FactorRemoved => "Moyen d’authentification supprimé",
            Kind::OperationReplayed => "Opération rejouée",
            Kind::UserSuspended => "Suspension",
            Kind::UserReactivated => "Réactivation",
            Kind::AccessReset => "Réinitialisation de l’accès",
            Kind::RightsModified => "Modification des droits",
            Kind::UserRemoved => "Retrait d’un utilisateur",
            Kind::AuditorChanged => "Rôle d’auditeur",
            Kind::AccessReviewStarted => "Revue des accès ouverte",
            Kind::AccessReviewClosed => "Revue des accès clôturée",
            Kind::DualControlChanged => "Double validation",
            Kind::OperationSubmitted => "Opération soumise à validation",
            Kind::OperationApproved => "Opération validée par un second administrateur",
            Kind::OperationRejected => "Opération refusée",
            Kind::OperationLapsed => "Opération caduque",
            Kind::OperationWithdrawn => "Demande retirée par son auteur",
            Kind::TemporaryRightsStarted => "Début de droits temporaires",
            Kind::TemporaryRightsEnded => "Fin de droits temporaires",
            Kind::TemporaryRightsReminded => "Rappel de fin de droits temporaires",
            Kind::PersonRegistered => "Personne enregistrée par la banque",
            Kind::PersonCorrected => "Personne corrigée par la banque",
            Kind::ResourceClosed => "Clôture d’un compte ou d’un contrat",
            Kind::ImportApplied => "Import des systèmes de la banque",
            Kind::ServiceTokenChanged => "Jeton de service créé ou révoqué",
            Kind::AdvisorAccessCreated => "Accès conseiller créé",
            Kind::AdministratorNamedByAdvisor => "Administrateur nommé par le conseiller",
            Kind::PersonWithdrawn => "Personne retirée par le conseiller",
            Kind::EntitySwitched => "Arrivée depuis une autre entité du groupe",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Kind::SignedIn => "connexion",
            Kind::ScaFailed => "echec_authentification_forte",
            Kind::UserBlocked => "utilisateur_bloque",
            Kind::UserUnblocked => "utilisateur_debloque",
            Kind::FactorEnrolled => "facteur_enrole",
            Kind::UserAdded => "utilisateur_ajoute",
            Kind::FirstLoginCompleted => "premiere_connexion_terminee",
            Kind::PasswordChanged => "mot_de_passe_change",
            Kind::SignInFailed => "echec_connexion",
            Kind::PasswordLocked => "mot_de_passe_verrouille",
            Kind::AccessRefused => "acces_refuse",
            Kind::FactorRemoved => "facteur_supprime",
            Kind::OperationReplayed => "operation_rejouee",
            Kind::UserSuspended => "utilisateur_suspendu",
            Kind::UserReactivated => "utilisateur_reactive",
            Kind::AccessReset => "acces_reinitialise",
            Kind::RightsModified => "droits_modifies",
            Kind::UserRemoved => "utilisateur_retire",
            Kind::AuditorChanged => "role_auditeur",
            Kind::AccessReviewStarted => "revue_acces_ouverte",
            Kind::AccessReviewClosed => "revue_acces_cloturee",
            Kind::DualControlChanged => "double_validation",
            Kind::OperationSubmitted => "operation_soumise",
            Kind::OperationApproved => "operation_validee",
            Kind::OperationRejected => "operation_refusee",
            Kind::OperationLapsed => "operation_caduque",
            Kind::OperationWithdrawn => "operation_retiree",
            Kind::TemporaryRightsStarted => "droits_temporaires_debut",
            Kind::TemporaryRightsEnded => "droits_temporaires_fin",
            Kind::TemporaryRightsReminded => "droits_temporaires_rappel",
            Kind::PersonRegistered => "personne_enregistree",
            Kind::PersonCorrected => "personne_corrigee",
            Kind::ResourceClosed => "cloture",
            Kind::ImportApplied => "import",
            Kind::ServiceTokenChanged => "jeton_de_service",
            Kind::AdvisorAccessCreated => "acces_conseiller",
            Kind::AdministratorNamedByAdvisor => "administrateur_nomme_par_le_conseiller",
            Kind::PersonWithdrawn => "personne_retiree",
            Kind::EntitySwitched => "changement_d_entite",
        }
    }
}

/// The purpose bound into the chain's HMAC (see [`SecretBox::keyed_hash`]).
const CHAIN_PURPOSE: &str = "audit-chain-v1";

#[allow(clippy::too_many_arguments)]
fn event_hash(
    key: &SecretBox,
    prev_hash: &str,
    id: i64,
    at: i64,
    entity_id: Option<i64>,
    actor: Option<i64>,
    kind: &str,
    details: &str,
) -> String {
    let text = format!(
        "{prev_hash}|{id}|{at}|{}|{}|{kind}|{details}",
        entity_id.map(|e| e.to_string()).unwrap_or_default(),
        actor.map(|a| a.to_string()).unwrap_or_default(),
    );
    HEXLOWER.encode(&key.keyed_hash(CHAIN_PURPOSE, text.as_bytes()))
}

/// Appends an event inside the caller's transaction, so the event commits (or not) with the
/// change it records. Taking the chain's head locks it: appends form a single chain.
pub async fn append(
    conn: &mut AnyConnection,
    key: &SecretBox,
    entity_id: Option<i64>,
    actor_user_id: Option<i64>,
    kind: Kind,
    details: Value,
) -> Result<i64, sqlx::Error> {
    let head = rows::advance_head(&mut *conn).await?;
    let at = now();
    let details = details.to_string();
    let hash = event_hash(
        key,
        &head.last_hash,
        head.last_id,
        at,
        entity_id,
        actor_user_id,
        kind.code(),
        &details,
    );
    rows::insert(
        conn,
        &StoredEvent {
            id: head.last_id,
            at,
            entity_id,
            actor_user_id,
            kind: kind.code().to_string(),
            details,
            prev_hash: head.last_hash,
            hash,
        },
    )
    .await?;
    Ok(head.last_id)
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub checked: u64,
    /// The first event whose hash, link or number does not match, and why.
    pub first_broken: Option<(i64, String)>,
}

/// Recomputes the whole chain, in order, and reports the first broken event.
pub async fn verify(db: &Db, key: &SecretBox) -> Result<Verification, sqlx::Error> {
    let events = rows::all(db.pool()).await?;
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut expected_id = 1;
    let mut checked = 0;
    for event in events {
        let computed = event_hash(
            key,
            &event.prev_hash,
            event.id,
            event.at,
            event.entity_id,
            event.actor_user_id,
            &event.kind,
            &event.details,
        );
        let problem = if event.id != expected_id {
            Some(format!("event {expected_id} is missing"))
        } else if event.prev_hash != expected_prev {
            Some("its link to the previous event does not match".to_string())
        } else if computed != event.hash {
            Some("its content does not match its hash".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            return Ok(Verification {
                checked,
                first_broken: Some((event.id, problem)),
            });
        }
        expected_prev = event.hash;
        expected_id += 1;
        checked += 1;
    }
    if let Some(head) = rows::head(db.pool()).await? {
        if head.last_id != expected_id - 1 || head.last_hash != expected_prev {
            return Ok(Verification {
                checked,
                first_broken: Some((
                    expected_id,
                    "the latest events are missing from the trail".to_string(),
                )),
            });
        }
    }
    Ok(Verification {
        checked,
        first_broken: None,
    })
}

/// The purpose bound into a checkpoint's signature.
const CHECKPOINT_PURPOSE: &str = "audit-checkpoint-v1";

/// A signed checkpoint of the trail: the head's number and hash, signed with a key derived
/// from the server's secret key. Kept outside the database (printed by `server
/// audit-checkpoint`, shown on « Journal des opérations »), it lets [`verify_against`] notice
/// a trail cut short after it even when the head row was rewritten to match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub sequence: i64,
    pub hash: String,
}

impl Checkpoint {
    fn signature(&self, key: &SecretBox) -> String {
        HEXLOWER.encode(&key.keyed_hash(
            CHECKPOINT_PURPOSE,
            format!("{}|{}", self.sequence, self.hash).as_bytes(),
        ))
    }

    /// `habilis-point-de-controle:v1:<number>:<hash>:<signature>`
    pub fn signed_text(&self, key: &SecretBox) -> String {
        format!(
            "habilis-point-de-controle:v1:{}:{}:{}",
            self.sequence,
            self.hash,
            self.signature(key)
        )
    }

    /// Reads a signed checkpoint back; `None` when it is malformed or not signed by this server.
    pub fn parse_signed(text: &str, key: &SecretBox) -> Option<Checkpoint> {
        let mut parts = text.trim().split(':');
        let (Some("habilis-point-de-controle"), Some("v1")) = (parts.next(), parts.next()) else {
            return None;
        };
        let sequence = parts.next()?.parse().ok()?;
        let hash = parts.next()?.to_string();
        let signature = parts.next()?;
        if parts.next().is_some() {
            return None;
        }
        let checkpoint = Checkpoint { sequence, hash };
        crate::backend::security::crypto::constant_time_eq(&checkpoint.signature(key), signature)
            .then_some(checkpoint)
    }
}

/// The trail's checkpoint now.
pub async fn checkpoint(db: &Db) -> Result<Checkpoint, sqlx::Error> {
    let head = rows::head(db.pool()).await?;
    Ok(head.map_or(
        Checkpoint {
            sequence: 0,
            hash: GENESIS_HASH.to_string(),
        },
        |head| Checkpoint {
            sequence: head.last_id,
            hash: head.last_hash,
        },
    ))
}

/// [`verify`], and the trail still holds the checkpoint's event unchanged: a trail cut short
/// after the checkpoint (events deleted, head rewritten) is caught.
pub async fn verify_against(
    db: &Db,
    key: &SecretBox,
    checkpoint: &Checkpoint,
) -> Result<Verification, sqlx::Error> {
    let verification = verify(db, key).await?;
    if verification.first_broken.is_some() || checkpoint.sequence == 0 {
        return Ok(verification);
    }
    let held = rows::hash_of(db.pool(), checkpoint.sequence).await?;
    let problem = match held {
        None => Some("the trail ends before the signed checkpoint: its latest events were removed"),
        Some(hash) if hash != checkpoint.hash => {
            Some("the event differs from the signed checkpoint")
        }
        Some(_) => None,
    };
    Ok(match problem {
        Some(problem) => Verification {
            checked: verification.checked,
            first_broken: Some((checkpoint.sequence, problem.to_string())),
        },
        None => verification,
    })
}

/// One event as read back (for the server tests and the verifier's report).
#[derive(Debug, Clone)]
pub struct Event {
    pub id: i64,
    pub entity_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub kind: String,
    pub details: Value,
}

pub async fn events(db: &Db) -> Result<Vec<Event>, sqlx::Error> {
    Ok(rows::all(db.pool())
        .await?
        .into_iter()
        .map(|event| Event {
            id: event.id,
            entity_id: event.entity_id,
            actor_user_id: event.actor_user_id,
            details: serde_json::from_str(&event.details).unwrap_or(Value::Null),
            kind: event.kind,
        })
        .collect())
}
