//! « Ajouter un utilisateur »: the journey's server side.
//!
//! `prepare` checks everything the administrator entered and keeps it as a pending operation
//! whose digest covers the canonical text of the change. `confirm` checks the strong
//! authentication, then consumes the pending operation in one atomic statement and, in the same
//! transaction, creates the user, writes the rights with their origins, appends the audit event
//! and queues the e-mail (login id) and the SMS (temporary password). Any failure rolls it all
//! back: nothing is created and nothing is sent.

use super::super::audit::{self, Kind};
use super::super::crypto::{constant_time_eq, random_token};
use super::super::db::now;
use super::super::directory::{self, Candidate};
use super::super::guard::{self, Caller};
use super::super::outbox::{self, Channel, Message};
use super::super::session::{self, Stage as SessionStage};
use super::super::{format_time, password};
use super::{home, sca};
use crate::api::types::{
    AddUserDone, AddUserDraft, Candidates, PreparedOperation, RightsContext, ScaProof, UserRights,
    UserSummary,
};
use crate::api::ApiError;
use model::identity::mask_phone;
use model::operation::check_assignment;
use model::{
    AddUserOperation, Catalog, Email, Levels, LoginId, Recap, Rights, RightsMethod, TotpCode,
};
use rand::Rng as _;
use serde_json::json;
use sqlx::Row;
use webauthn_rs::prelude::RequestChallengeResponse;

/// A pending operation lives 5 minutes.
pub const OPERATION_LIFETIME_SECS: i64 = 5 * 60;

const ALREADY_ADDED: &str =
    "Cette personne est devenue utilisatrice entre-temps : l’opération n’a pas été appliquée.";

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}

/// « Gestion des utilisateurs »
pub async fn users(caller: Caller) -> Result<Vec<UserSummary>, ApiError> {
    Ok(directory::user_summaries(&caller.state.db, caller.entity_id()).await?)
}

/// Step 2: the persons registered by the advisor who are not users yet, and the advisor.
pub async fn candidates(caller: Caller) -> Result<Candidates, ApiError> {
    let persons = directory::persons_without_account(&caller.state.db, caller.entity_id()).await?;
    let advisor = directory::advisor_of(&caller.state.db, caller.entity_id())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Candidates { persons, advisor })
}

/// Step 4: the accounts and contracts, and the users whose rights can be copied.
pub async fn rights_context(caller: Caller) -> Result<RightsContext, ApiError> {
    Ok(RightsContext {
        catalog: directory::catalog(caller.state.db.pool(), caller.entity_id()).await?,
        users: directory::user_summaries(&caller.state.db, caller.entity_id()).await?,
    })
}

/// An existing user's rights, for the copy method's recap (« récapitulatif des droits à
/// copier »).
pub async fn user_rights(caller: Caller, user_id: i64) -> Result<UserRights, ApiError> {
    let user = directory::user(caller.state.db.pool(), caller.entity_id(), user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let catalog = directory::catalog(caller.state.db.pool(), caller.entity_id()).await?;
    let stored = directory::rights(caller.state.db.pool(), caller.entity_id(), user_id).await?;
    let recap = home::named_recap(&caller.state, caller.entity_id(), user_id, &catalog).await?;
    Ok(UserRights {
        user_id,
        name: user.full_name(),
        rights: stored.rights,
        recap,
    })
}

/// What a method starts from: the profile's rights, or the copied user's (without the
/// administration right, within this entity's catalog); nothing for custom rights.
async fn baseline(
    caller: &Caller,
    method: &RightsMethod,
    catalog: &Catalog,
) -> Result<(Rights, String), ApiError> {
    match method {
        RightsMethod::Profile(profile) => Ok((profile.rights(catalog), String::new())),
        RightsMethod::Custom => Ok((Rights::new(), String::new())),
        RightsMethod::Copy { from_user } => {
            let source = directory::user(caller.state.db.pool(), caller.entity_id(), *from_user)
                .await?
                .ok_or(ApiError::NotFound)?;
            let copied = directory::rights(caller.state.db.pool(), caller.entity_id(), source.id)
                .await?
                .rights
                .without_administration()
                .intersect(&Rights::uniform(catalog, Levels::ALL));
            Ok((copied, source.full_name()))
        }
    }
}

/// Steps 5 and 6 done: checks the whole draft and keeps it as a pending operation. A new
/// preparation by the same administrator voids the previous one (any edit voids a signature).
pub async fn prepare(caller: Caller, draft: AddUserDraft) -> Result<PreparedOperation, ApiError> {
    let state = &caller.state;
    let candidate = find_candidate(&caller, draft.person_id).await?;
    let email =
        Email::parse(&draft.email).map_err(|e| ApiError::invalid("email", e.to_string()))?;
    if let Some(registered) = &candidate.card.email {
        if !registered.eq_ignore_ascii_case(email.as_str()) {
            return Err(ApiError::invalid(
                "email",
                "L’adresse e-mail enregistrée par votre conseiller ne se modifie pas ici. Contactez-le pour la corriger.",
            ));
        }
    }
    let catalog = directory::catalog(state.db.pool(), caller.entity_id()).await?;
    let (baseline, source_name) = baseline(&caller, &draft.method, &catalog).await?;
    check_assignment(&draft.method, &draft.rights, &catalog)?;
    let operation = AddUserOperation {
        entity_id: caller.entity_id(),
        person_id: candidate.card.id,
        person_name: format!("{} {}", candidate.card.last_name, candidate.card.first_name),
        email,
        method: draft.method,
        baseline,
        source_name,
        rights: draft.rights,
    };
    let id = random_token();
    let digest = operation.digest();
    let now = now();
    let payload = serde_json::to_string(&operation).map_err(|_| ApiError::Internal)?;
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "UPDATE pending_operations SET status = 'voided' \
         WHERE admin_user_id = $1 AND status = 'awaiting_sca'",
    )
    .bind(caller.user_id())
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO pending_operations (id, entity_id, admin_user_id, kind, payload, digest, \
         status, created_at, expires_at) VALUES ($1, $2, $3, 'ajout_utilisateur', $4, $5, \
         'awaiting_sca', $6, $7)",
    )
    .bind(&id)
    .bind(caller.entity_id())
    .bind(caller.user_id())
    .bind(&payload)
    .bind(&digest)
    .bind(now)
    .bind(now + OPERATION_LIFETIME_SECS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    let (admin_has_passkey, admin_has_totp) = sca::factors(state, caller.user_id()).await?;
    Ok(PreparedOperation {
        operation_id: id,
        short_code: operation.short_code(),
        digest,
        recap: Recap::new(&catalog, &operation.rights, |r, l| operation.origin(r, l)),
        method_label: directory::method_label(&operation.method, &operation.source_name),
        email: operation.email.to_string(),
        person: candidate.card,
        expires_in_secs: OPERATION_LIFETIME_SECS,
        admin_has_passkey,
        admin_has_totp,
    })
}

/// The person must be of the caller's entity and not a user yet.
async fn find_candidate(caller: &Caller, person_id: i64) -> Result<Candidate, ApiError> {
    if let Some(candidate) =
        directory::candidate(caller.state.db.pool(), caller.entity_id(), person_id).await?
    {
        return Ok(candidate);
    }
    let already_user: Option<i64> =
        sqlx::query_scalar("SELECT u.id FROM users u WHERE u.person_id = $1 AND u.entity_id = $2")
            .bind(person_id)
            .bind(caller.entity_id())
            .fetch_optional(caller.state.db.pool())
            .await?;
    match already_user {
        Some(_) => Err(ApiError::Conflict(
            "Cette personne est déjà utilisatrice de la banque en ligne de votre entité.".into(),
        )),
        None => Err(ApiError::NotFound),
    }
}

/// A pending operation of the caller, still awaiting its strong authentication.
struct Pending {
    operation: AddUserOperation,
    digest: String,
}

async fn pending(caller: &Caller, operation_id: &str) -> Result<Pending, ApiError> {
    let row = sqlx::query(
        "SELECT payload, digest, status, expires_at FROM pending_operations \
         WHERE id = $1 AND entity_id = $2 AND admin_user_id = $3",
    )
    .bind(operation_id)
    .bind(caller.entity_id())
    .bind(caller.user_id())
    .fetch_optional(caller.state.db.pool())
    .await?
    .ok_or(ApiError::NotFound)?;
    let status: String = row.try_get("status")?;
    let expires_at: i64 = row.try_get("expires_at")?;
    if status != "awaiting_sca" || expires_at <= now() {
        return Err(ApiError::OperationExpired);
    }
    let payload: String = row.try_get("payload")?;
    let operation: AddUserOperation =
        serde_json::from_str(&payload).map_err(|_| ApiError::Internal)?;
    let digest: String = row.try_get("digest")?;
    // The stored payload must still be what was signed: a changed row is refused.
    if !constant_time_eq(&operation.digest(), &digest) {
        tracing::error!(
            operation_id,
            "pending operation payload does not match its digest"
        );
        return Err(ApiError::OperationExpired);
    }
    Ok(Pending { operation, digest })
}

/// The passkey challenge bound to a pending operation; its state stays on the operation's row.
pub async fn passkey_challenge(
    caller: Caller,
    operation_id: String,
) -> Result<RequestChallengeResponse, ApiError> {
    pending(&caller, &operation_id).await?;
    let (challenge, state) = sca::passkey_challenge(&caller.state, caller.user_id()).await?;
    sqlx::query(
        "UPDATE pending_operations SET ceremony = $1 WHERE id = $2 AND status = 'awaiting_sca'",
    )
    .bind(state)
    .bind(&operation_id)
    .execute(caller.state.db.pool())
    .await?;
    Ok(challenge)
}

/// Takes the passkey challenge's state off the operation: usable once.
async fn take_operation_ceremony(caller: &Caller, operation_id: &str) -> Result<String, ApiError> {
    let mut tx = caller.state.db.begin_write().await?;
    let state: Option<String> = sqlx::query_scalar(
        "SELECT ceremony FROM pending_operations WHERE id = $1 AND admin_user_id = $2",
    )
    .bind(operation_id)
    .bind(caller.user_id())
    .fetch_optional(&mut *tx)
    .await?
    .flatten();
    let Some(state) = state else {
        return Err(ApiError::invalid(
            "factor",
            "La demande d’authentification a expiré : recommencez.",
        ));
    };
    sqlx::query("UPDATE pending_operations SET ceremony = NULL WHERE id = $1")
        .bind(operation_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(state)
}

/// Step 7: the strong authentication validates exactly the pending operation, then the change
/// applies at once.
pub async fn confirm(
    caller: Caller,
    operation_id: String,
    digest: String,
    proof: ScaProof,
) -> Result<AddUserDone, ApiError> {
    let state = &caller.state;
    let Pending {
        operation,
        digest: stored_digest,
    } = pending(&caller, &operation_id).await?;
    // What the administrator saw and signed must be what the server holds.
    if !constant_time_eq(&digest, &stored_digest) {
        return Err(ApiError::OperationExpired);
    }
    match proof {
        ScaProof::Totp { code } => {
            let code =
                TotpCode::parse(&code).map_err(|e| ApiError::invalid("code", e.to_string()))?;
            sca::check_totp(state, caller.user_id(), caller.entity_id(), code).await?;
        }
        ScaProof::Passkey { credential } => {
            let ceremony = take_operation_ceremony(&caller, &operation_id).await?;
            sca::check_passkey(
                state,
                caller.user_id(),
                caller.entity_id(),
                &credential,
                &ceremony,
            )
            .await?;
        }
    }

    // Work that takes time happens before the write lock is taken.
    let catalog = directory::catalog(state.db.pool(), caller.entity_id()).await?;
    check_assignment(&operation.method, &operation.rights, &catalog)?;
    let temporary_password = password::generate_temporary();
    let temporary_hash = password::hash(temporary_password.clone()).await;
    let admin = directory::user(state.db.pool(), caller.entity_id(), caller.user_id())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let entity = directory::entity_card(&state.db, caller.entity_id())
        .await?
        .ok_or(ApiError::NotFound)?;

    let mut tx = state.db.begin_write().await?;
    let now = now();
    if !consume(
        &mut tx,
        &operation_id,
        caller.entity_id(),
        caller.user_id(),
        &stored_digest,
    )
    .await?
    {
        return Err(ApiError::OperationExpired);
    }
    let candidate = directory::candidate(&mut *tx, caller.entity_id(), operation.person_id)
        .await?
        .ok_or_else(|| ApiError::Conflict(ALREADY_ADDED.into()))?;
    let login_id = unused_login_id(&mut tx).await?;
    let inserted = sqlx::query(
        "INSERT INTO users (entity_id, person_id, login_id, email, state, is_administrator, \
         temp_password_hash, temp_password_expires_at, created_at, created_by) \
         VALUES ($1, $2, $3, $4, 'awaiting_first_login', $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(caller.entity_id())
    .bind(operation.person_id)
    .bind(login_id.as_str())
    .bind(operation.email.as_str())
    .bind(i64::from(operation.rights.administration()))
    .bind(&temporary_hash)
    .bind(now + state.config.temp_password_ttl_secs)
    .bind(now)
    .bind(caller.user_id())
    .fetch_one(&mut *tx)
    .await;
    let user_id: i64 = match inserted {
        Ok(row) => row.try_get("id")?,
        // Another administrator added the same person a moment earlier: the unique person is
        // the referee, and this transaction leaves nothing behind.
        Err(error) if is_unique_violation(&error) => {
            return Err(ApiError::Conflict(ALREADY_ADDED.into()));
        }
        Err(error) => return Err(error.into()),
    };
    directory::insert_rights(
        &mut tx,
        caller.entity_id(),
        user_id,
        &operation.rights,
        |r, l| operation.origin(r, l),
    )
    .await?;
    if let Some(email) = &candidate.card.email {
        debug_assert!(email.eq_ignore_ascii_case(operation.email.as_str()));
    } else {
        // The e-mail the administrator filled in becomes the person's.
        sqlx::query("UPDATE persons SET email = $1 WHERE id = $2 AND entity_id = $3")
            .bind(operation.email.as_str())
            .bind(operation.person_id)
            .bind(caller.entity_id())
            .execute(&mut *tx)
            .await?;
    }
    audit::append(
        &mut tx,
        Some(caller.entity_id()),
        Some(caller.user_id()),
        Kind::UserAdded,
        json!({
            "operation": operation_id,
            "empreinte": stored_digest,
            "utilisateur": user_id,
            "personne": operation.person_id,
            "identifiant": login_id.as_str(),
            "contenu_signe": operation.canonical_text(),
        }),
    )
    .await?;
    let hours = state.config.temp_password_ttl_secs / 3600;
    let bank = &state.config.bank_name;
    let login_url = format!("{}/connexion", state.public_url);
    let email_body = format!(
        "Bonjour {first} {last},\n\n\
         {admin}, administrateur de l’espace de banque en ligne de {entity}, vous a ouvert un accès.\n\n\
         Votre identifiant : {login}\n\n\
         Votre mot de passe provisoire vous est envoyé séparément, par SMS. Il est valable {hours} heures et ne sert qu’une fois.\n\n\
         Lors de votre première connexion ({url}), vous choisirez votre mot de passe, puis vous enregistrerez votre moyen d’authentification forte.\n\n\
         {bank}",
        first = candidate.card.first_name,
        last = candidate.card.last_name,
        admin = admin.full_name(),
        entity = entity.name,
        login = login_id.as_str(),
        url = login_url,
    );
    outbox::enqueue(
        &mut tx,
        &state.secrets,
        Message {
            entity_id: caller.entity_id(),
            channel: Channel::Email,
            recipient: operation.email.as_str(),
            subject: "Votre identifiant de banque en ligne",
            body: &email_body,
        },
    )
    .await?;
    let sms_body = format!(
        "{bank} : votre mot de passe provisoire est {temporary_password} . Valable {hours} h, une seule fois. Ne le communiquez à personne."
    );
    outbox::enqueue(
        &mut tx,
        &state.secrets,
        Message {
            entity_id: caller.entity_id(),
            channel: Channel::Sms,
            recipient: &candidate.phone_e164,
            subject: "Mot de passe provisoire",
            body: &sms_body,
        },
    )
    .await?;
    sqlx::query("UPDATE pending_operations SET result_user_id = $1 WHERE id = $2")
        .bind(user_id)
        .bind(&operation_id)
        .execute(&mut *tx)
        .await?;
    // A step-up gives the session a new id too.
    let token = session::rotate(&mut *tx, &caller.session.token_hash, SessionStage::Full).await?;
    tx.commit().await?;
    guard::set_cookie(&session::cookie(&token));
    state.outbox_wake.notify_one();
    tracing::info!(
        entity_id = caller.entity_id(),
        admin = caller.user_id(),
        user_id,
        at = %format_time(now),
        "user added"
    );
    Ok(AddUserDone {
        user_id,
        name: candidate.card.full_name(),
        email: operation.email.to_string(),
        phone_masked: mask_phone(&candidate.phone_e164),
    })
}

/// Marks a pending operation as used, inside the caller's transaction. One atomic statement:
/// of concurrent confirmations of the same operation, exactly one gets `true`.
pub async fn consume(
    tx: &mut super::super::db::Tx,
    operation_id: &str,
    entity_id: i64,
    admin_user_id: i64,
    digest: &str,
) -> Result<bool, sqlx::Error> {
    let consumed = sqlx::query(
        "UPDATE pending_operations SET status = 'consumed', consumed_at = $1 \
         WHERE id = $2 AND entity_id = $3 AND admin_user_id = $4 AND status = 'awaiting_sca' \
         AND expires_at > $1 AND digest = $5",
    )
    .bind(now())
    .bind(operation_id)
    .bind(entity_id)
    .bind(admin_user_id)
    .bind(digest)
    .execute(&mut **tx)
    .await?;
    Ok(consumed.rows_affected() == 1)
}

/// A fresh random login id (10 digits, not starting with 0).
async fn unused_login_id(tx: &mut super::super::db::Tx) -> Result<LoginId, ApiError> {
    for _ in 0..20 {
        let candidate = format!(
            "{}",
            rand::thread_rng().gen_range(3_000_000_000u64..10_000_000_000)
        );
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE login_id = $1")
            .bind(&candidate)
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_none() {
            return LoginId::parse(&candidate).map_err(|_| ApiError::Internal);
        }
    }
    Err(ApiError::Internal)
}

/// « Annuler »: voids the caller's pending operation. Nothing was applied, nothing is.
pub async fn cancel(caller: Caller, operation_id: String) -> Result<(), ApiError> {
    sqlx::query(
        "UPDATE pending_operations SET status = 'voided' \
         WHERE id = $1 AND entity_id = $2 AND admin_user_id = $3 AND status = 'awaiting_sca'",
    )
    .bind(operation_id)
    .bind(caller.entity_id())
    .bind(caller.user_id())
    .execute(caller.state.db.pool())
    .await?;
    Ok(())
}
