//! « Double validation » (maker-checker), the optional step of the operations pipeline:
//!
//! - [`submit`]: with the entity's double validation on, an operation its author signed waits
//!   (audit event, e-mail to the other administrators) instead of applying.
//! - [`approve`]: a second administrator reads the request and approves it with their own
//!   strong authentication, bound to the request's digest. Everything is checked again inside
//!   the entity's lock (not the author, not older than 72 hours, the user concerned unchanged,
//!   the author still an administrator; `model::approval`), then one atomic statement marks it
//!   applied and the kind's own apply runs in the same transaction, in its author's name: of
//!   concurrent approvals exactly one applies. A void request is marked so, and says why.
//! - [`reject`] with a reason, or [`withdraw`] by its author: nothing is applied.
//! - The setting itself ([`prepare_setting`], [`apply_setting`]) is an operation like the
//!   others: switching it off while it is on needs a second administrator too.

use super::operations;
use crate::api::types::UserState;
use crate::api::types::{
    ApprovalPage, ApprovalSummary, ApprovalsPage, OperationDone, OperationState, PreparedOperation,
    RequestDecision, ScaProof, SettingsPage,
};
use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::delivery::{self, messages, Message, MessageChannel};
use crate::backend::format_time_in;
use crate::backend::guard::{self, Caller};
use crate::backend::security::crypto::constant_time_eq;
use crate::backend::session;
use crate::backend::store::ceremonies::{self, CeremonyKind};
use crate::backend::store::operations::{Decision, OperationStatus, StoredOperation};
use crate::backend::store::{self, now, Tx};
use model::approval::{self, Lapse, Refusal, RejectionReason, RequestFacts};
use model::{Change, Operation};
use serde_json::json;
use webauthn_rs::prelude::RequestChallengeResponse;

const NOT_AWAITING: &str = "Cette demande n’attend plus de validation : elle a déjà été traitée.";
const SINGLE_ADMINISTRATOR: &str = "La double validation demande au moins deux administrateurs actifs : votre entité n’en a qu’un. Donnez d’abord le droit d’administration à un autre utilisateur.";
const ALREADY_ON: &str = "La double validation est déjà activée.";
const ALREADY_OFF: &str = "La double validation est déjà désactivée.";
const BAD_SETTING: &str = "Choisissez d’activer ou de désactiver la double validation.";

/// Inside the confirmation's transaction, the operation just marked `awaiting_approval`: the
/// audit event, and an e-mail to every other active administrator.
pub async fn submit(
    tx: &mut Tx,
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    operation: &Operation,
) -> Result<(), ApiError> {
    let state = &caller.state;
    let entity_id = caller.entity_id();
    audit::append(
        tx,
        &state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        Kind::OperationSubmitted,
        json!({
            "operation": operation_id,
            "empreinte": digest,
            "type": operation.kind().code(),
            "utilisateur": operation.target().map(|user| user.user_id),
            "contenu_signe": operation.canonical_text(),
        }),
    )
    .await?;
    let author = caller.session.first_name.clone() + " " + &caller.session.last_name;
    let about = about(caller, operation);
    let url = format!("{}/validations/{operation_id}", state.public_url);
    let others =
        store::users::administrators_to_notify(&mut **tx, entity_id, caller.user_id()).await?;
    for (email, language) in others {
        let lang = model::Lang::from_code(&language).unwrap_or_default();
        let notice = messages::approval_requested_email(
            &state.config.bank_name,
            operation.kind(),
            &about,
            &author,
            &url,
            lang,
        );
        enqueue_email(tx, caller, &email, notice).await?;
    }
    Ok(())
}

async fn enqueue_email(
    tx: &mut Tx,
    caller: &Caller,
    recipient: &str,
    email: messages::Email,
) -> Result<(), ApiError> {
    delivery::enqueue(
        tx,
        &caller.state.secrets,
        Message {
            entity_id: caller.entity_id(),
            channel: MessageChannel::Email,
            recipient,
            subject: &email.subject,
            body: &secrecy::SecretString::from(email.body),
        },
    )
    .await?;
    Ok(())
}

/// What a request is about, in a few words: the user, the person to add, or the entity.
fn about(caller: &Caller, operation: &Operation) -> String {
    match &operation.change {
        Change::AddUser { person_name, .. } => person_name.clone(),
        Change::SetDualControl { .. } => caller.session.entity_name.clone(),
        _ => operation
            .target()
            .map(|user| user.name.clone())
            .unwrap_or_default(),
    }
}

/// The full name of one of the entity's users (an author, a decider).
async fn name_of<'e, E>(executor: E, entity_id: i64, user_id: i64) -> Result<String, ApiError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(store::users::find(executor, entity_id, user_id)
        .await?
        .map(|user| user.full_name())
        .unwrap_or_default())
}

/// Requests signed before this moment have lapsed: lists and badges leave them out.
pub fn not_lapsed_after() -> i64 {
    now() - approval::REQUEST_LIFETIME_SECS
}

/// « Opérations à valider »: the entity's requests, oldest first.
pub async fn inbox(caller: &Caller) -> Result<ApprovalsPage, ApiError> {
    let pool = caller.state.db.pool();
    let entity_id = caller.entity_id();
    let dual_control = store::entities::dual_control(pool, entity_id).await?;
    let stored = store::operations::awaiting_approval(pool, entity_id, not_lapsed_after()).await?;
    let mut requests = Vec::with_capacity(stored.len());
    for row in stored {
        let operation = operations::stored_operation(&row)?;
        let signed_at = row.signed_at.unwrap_or(row.created_at);
        requests.push(ApprovalSummary {
            about: about(caller, &operation),
            author: name_of(pool, entity_id, row.author_user_id).await?,
            signed_on: format_time_in(signed_at, caller.lang),
            lapses_on: format_time_in(approval::lapses_at(signed_at), caller.lang),
            mine: row.author_user_id == caller.user_id(),
            kind: row.kind,
            operation_id: row.id,
        });
    }
    Ok(ApprovalsPage {
        dual_control,
        requests,
    })
}

/// What a request's page says of where it stands, for its author's operation page too (none
/// for an operation that never awaited approval).
pub async fn decision_of(
    caller: &Caller,
    stored: &StoredOperation,
) -> Result<Option<RequestDecision>, ApiError> {
    let Some(signed_at) = stored.signed_at else {
        return Ok(None);
    };
    let pool = caller.state.db.pool();
    let entity_id = caller.entity_id();
    let decided_by = match stored.decided_by {
        Some(user_id) => Some(name_of(pool, entity_id, user_id).await?),
        None => None,
    };
    Ok(Some(RequestDecision {
        author: name_of(pool, entity_id, stored.author_user_id).await?,
        signed_on: format_time_in(signed_at, caller.lang),
        lapses_on: (stored.status == OperationStatus::AwaitingApproval)
            .then(|| format_time_in(approval::lapses_at(signed_at), caller.lang)),
        withdrawn: stored.status == OperationStatus::Voided
            && stored.lapse.is_none()
            && stored.decided_by == Some(stored.author_user_id),
        decided_by,
        decided_on: stored.decided_at.map(|at| format_time_in(at, caller.lang)),
        reason: stored.rejection_reason.clone(),
        lapse: stored
            .lapse
            .as_deref()
            .and_then(Lapse::from_code)
            .map(|lapse| lapse.sentence_in(caller.lang).to_string()),
    }))
}

/// A request of the caller's entity, as stored, and the operation it holds.
async fn request(
    caller: &Caller,
    operation_id: &str,
) -> Result<(StoredOperation, Operation), ApiError> {
    let stored =
        store::operations::find_in_entity(caller.state.db.pool(), operation_id, caller.entity_id())
            .await?
            // Only operations that went through the double validation are requests.
            .filter(|stored| stored.signed_at.is_some())
            .ok_or(ApiError::NotFound)?;
    let operation = operations::stored_operation(&stored)?;
    Ok((stored, operation))
}

/// The facts checked at approval, as they are in `conn` now.
async fn facts_now(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    stored: &StoredOperation,
    operation: &Operation,
) -> Result<RequestFacts, ApiError> {
    let entity_id = caller.entity_id();
    let author = store::users::find(&mut *conn, entity_id, stored.author_user_id).await?;
    let target_versions = match operation.target() {
        Some(target) => Some((
            target.version,
            store::users::find(&mut *conn, entity_id, target.user_id)
                .await?
                .map(|user| user.version),
        )),
        None => None,
    };
    let setting = match &operation.change {
        Change::SetDualControl { enabled } => Some((
            *enabled,
            store::entities::dual_control(&mut *conn, entity_id).await?,
        )),
        _ => None,
    };
    Ok(RequestFacts {
        setting,
        author_user_id: stored.author_user_id,
        approver_user_id: caller.user_id(),
        signed_at: stored.signed_at.unwrap_or(stored.created_at),
        now: now(),
        target_versions,
        author_is_administrator: author
            .is_some_and(|author| author.is_administrator && author.state == UserState::Active),
    })
}

/// One request, as a second administrator reads it before deciding.
pub async fn page(caller: &Caller, operation_id: &str) -> Result<ApprovalPage, ApiError> {
    let (stored, operation) = request(caller, operation_id).await?;
    let state = operations::state_of(&stored);
    let refusal = if state == OperationState::AwaitingApproval {
        let mut conn = caller.state.db.pool().acquire().await?;
        approval::check(&facts_now(&mut conn, caller, &stored, &operation).await?)
            .err()
            .map(|refusal| refusal.sentence_in(caller.lang).to_string())
    } else {
        None
    };
    let (facts, recap, diff) = operations::describe(caller, &operation).await?;
    let warnings = super::report::operation_warnings(caller, &operation).await?;
    let enrolled = super::sca::factors(&caller.state, caller.session.login_user_id).await?;
    let decision = decision_of(caller, &stored)
        .await?
        .ok_or(ApiError::Internal)?;
    Ok(ApprovalPage {
        state,
        decision,
        mine: stored.author_user_id == caller.user_id(),
        refusal,
        user_id: stored
            .result_user_id
            .or_else(|| operation.target().map(|user| user.user_id)),
        operation: PreparedOperation {
            operation_id: stored.id,
            short_code: operation.short_code(),
            digest: stored.digest,
            kind: operation.kind(),
            facts,
            recap,
            diff,
            warnings,
            expires_in_secs: 0,
            admin_has_passkey: enrolled.has_passkey(),
            admin_has_totp: enrolled.has_totp(),
        },
    })
}

/// Refuses early what can never be approved by this caller (their own request, one already
/// decided, another digest), before a strong authentication is spent on it.
async fn approvable(
    caller: &Caller,
    operation_id: &str,
    digest: &str,
) -> Result<(StoredOperation, Operation), ApiError> {
    let (stored, operation) = request(caller, operation_id).await?;
    if stored.status != OperationStatus::AwaitingApproval {
        return Err(ApiError::Conflict(NOT_AWAITING.into()));
    }
    if !constant_time_eq(digest, &stored.digest) {
        return Err(ApiError::OperationExpired);
    }
    if stored.author_user_id == caller.user_id() {
        refuse_own_request(caller, operation_id).await?;
        return Err(ApiError::Conflict(
            Refusal::OwnRequest.sentence_in(model::Lang::Fr).into(),
        ));
    }
    Ok((stored, operation))
}

/// An author trying to approve their own request is a security event, kept for the bank.
async fn refuse_own_request(caller: &Caller, operation_id: &str) -> Result<(), ApiError> {
    let mut tx = caller.state.db.begin_write().await?;
    audit::append(
        &mut tx,
        &caller.state.secrets,
        Some(caller.entity_id()),
        Some(caller.user_id()),
        Kind::AccessRefused,
        json!({
            "operation": operation_id,
            "motif": "validation de sa propre demande",
            "adresse": caller.client_ip,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The passkey challenge that approves a request: bound to it and to the approver's session.
pub async fn passkey_challenge(
    caller: &Caller,
    operation_id: &str,
) -> Result<RequestChallengeResponse, ApiError> {
    let (stored, _) = request(caller, operation_id).await?;
    approvable(caller, operation_id, &stored.digest).await?;
    operations::bound_passkey_challenge(caller, operation_id).await
}

/// A claim left by a process that died mid-approval lapses after this time.
const APPROVAL_CLAIM_SECS: i64 = 60;

/// « Valider »: the second administrator's strong authentication approves exactly the request
/// shown (`digest`), which then applies in one transaction. What was done about the user
/// concerned, if there is one.
pub async fn approve(
    caller: Caller,
    operation_id: String,
    digest: String,
    proof: ScaProof,
) -> Result<Option<OperationDone>, ApiError> {
    approvable(&caller, &operation_id, &digest).await?;
    // One approval at a time in a session (a double click spends no code).
    let pool = caller.state.db.pool();
    if !ceremonies::claim(
        pool,
        caller.session.id,
        CeremonyKind::OperationConfirmation,
        &operation_id,
        now(),
        now() - APPROVAL_CLAIM_SECS,
    )
    .await?
    {
        return Err(ApiError::Conflict(NOT_AWAITING.into()));
    }
    let approved = approve_claimed(&caller, &operation_id, &digest, proof).await;
    if approved.is_err() {
        ceremonies::clear(pool, caller.session.id, CeremonyKind::OperationConfirmation).await?;
    }
    approved
}

async fn approve_claimed(
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    proof: ScaProof,
) -> Result<Option<OperationDone>, ApiError> {
    operations::verify(caller, operation_id, proof).await?;
    let (_, operation) = request(caller, operation_id).await?;
    let inputs = operations::inputs(caller, &operation).await?;

    let state = &caller.state;
    let entity_id = caller.entity_id();
    let mut tx = state.db.begin_write().await?;
    store::entities::lock_for_administration(&mut tx, entity_id).await?;
    // Read again under the lock: what an approval decides is what stands now, the approver's
    // own right included (a concurrent operation may have taken it away meanwhile).
    let approver = store::users::find(&mut *tx, entity_id, caller.user_id()).await?;
    if !approver.is_some_and(|user| user.is_administrator && user.state == UserState::Active) {
        return Err(ApiError::Forbidden);
    }
    let stored = store::operations::find_in_entity(&mut *tx, operation_id, entity_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if stored.status != OperationStatus::AwaitingApproval || stored.digest != digest {
        return Err(ApiError::Conflict(NOT_AWAITING.into()));
    }
    match approval::check(&facts_now(&mut tx, caller, &stored, &operation).await?) {
        Ok(()) => {}
        Err(Refusal::Lapsed(lapse)) => {
            store::operations::decide(
                &mut tx,
                operation_id,
                entity_id,
                digest,
                caller.user_id(),
                Decision::Voided {
                    lapse: Some(lapse.code()),
                },
                now(),
            )
            .await?;
            audit::append(
                &mut tx,
                &state.secrets,
                Some(entity_id),
                Some(caller.user_id()),
                Kind::OperationLapsed,
                json!({ "operation": operation_id, "empreinte": digest, "motif": lapse.code() }),
            )
            .await?;
            tx.commit().await?;
            return Err(ApiError::Conflict(
                lapse.sentence_in(model::Lang::Fr).into(),
            ));
        }
        Err(refusal @ Refusal::OwnRequest) => {
            return Err(ApiError::Conflict(
                refusal.sentence_in(model::Lang::Fr).into(),
            ))
        }
    }
    if !store::operations::decide(
        &mut tx,
        operation_id,
        entity_id,
        digest,
        caller.user_id(),
        Decision::Approved,
        now(),
    )
    .await?
    {
        return Err(ApiError::Conflict(NOT_AWAITING.into()));
    }
    audit::append(
        &mut tx,
        &state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        Kind::OperationApproved,
        json!({
            "operation": operation_id,
            "empreinte": digest,
            "type": operation.kind().code(),
            "auteur": stored.author_user_id,
        }),
    )
    .await?;
    let author = store::users::find(&mut *tx, entity_id, stored.author_user_id)
        .await?
        .ok_or(ApiError::Internal)?;
    let maker = caller.on_behalf_of(&author);
    let done =
        operations::apply_kind(&mut tx, &maker, operation_id, digest, &operation, inputs).await?;
    operations::notify_administrators(&mut tx, &maker, &operation, done.as_ref()).await?;
    let email = messages::approval_decided_email(
        &state.config.bank_name,
        operation.kind(),
        &about(caller, &operation),
        &format!("{} {}", caller.session.first_name, caller.session.last_name),
        None,
        author.language,
    );
    enqueue_email(&mut tx, caller, &author.email, email).await?;
    let token = session::rotate_after_sca(&mut tx, &caller.session).await?;
    tx.commit().await?;
    guard::set_cookie(&session::cookie(&token));
    state.outbox_wake.notify_one();
    tracing::info!(
        entity_id,
        author = stored.author_user_id,
        approver = caller.user_id(),
        kind = operation.kind().code(),
        "request approved and applied"
    );
    Ok(done)
}

/// « Refuser »: a second administrator rejects the request shown, with a reason; nothing is
/// applied, the author is told why.
pub async fn reject(
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    reason: &str,
) -> Result<(), ApiError> {
    let reason =
        RejectionReason::parse(reason).map_err(|e| ApiError::invalid("reason", e.to_string()))?;
    let (stored, operation) = approvable(caller, operation_id, digest).await?;
    let state = &caller.state;
    let entity_id = caller.entity_id();
    let mut tx = state.db.begin_write().await?;
    if !store::operations::decide(
        &mut tx,
        operation_id,
        entity_id,
        digest,
        caller.user_id(),
        Decision::Rejected {
            reason: reason.as_str(),
        },
        now(),
    )
    .await?
    {
        return Err(ApiError::Conflict(NOT_AWAITING.into()));
    }
    audit::append(
        &mut tx,
        &state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        Kind::OperationRejected,
        json!({
            "operation": operation_id,
            "empreinte": digest,
            "type": operation.kind().code(),
            "auteur": stored.author_user_id,
            "motif": reason.as_str(),
        }),
    )
    .await?;
    if let Some(author) = store::users::find(&mut *tx, entity_id, stored.author_user_id).await? {
        let email = messages::approval_decided_email(
            &state.config.bank_name,
            operation.kind(),
            &about(caller, &operation),
            &format!("{} {}", caller.session.first_name, caller.session.last_name),
            Some(reason.as_str()),
            author.language,
        );
        enqueue_email(&mut tx, caller, &author.email, email).await?;
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// « Retirer ma demande »: its author withdraws a request no one decided yet.
pub async fn withdraw(caller: &Caller, operation_id: &str) -> Result<(), ApiError> {
    let (stored, _) = request(caller, operation_id).await?;
    if stored.author_user_id != caller.user_id() {
        return Err(ApiError::NotFound);
    }
    let state = &caller.state;
    let mut tx = state.db.begin_write().await?;
    if !store::operations::decide(
        &mut tx,
        operation_id,
        caller.entity_id(),
        &stored.digest,
        caller.user_id(),
        Decision::Voided { lapse: None },
        now(),
    )
    .await?
    {
        return Err(ApiError::Conflict(NOT_AWAITING.into()));
    }
    audit::append(
        &mut tx,
        &state.secrets,
        Some(caller.entity_id()),
        Some(caller.user_id()),
        Kind::OperationWithdrawn,
        json!({ "operation": operation_id, "empreinte": stored.digest }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// « Paramètres »: the double validation and what it needs.
pub async fn settings(caller: &Caller) -> Result<SettingsPage, ApiError> {
    let pool = caller.state.db.pool();
    let entity_id = caller.entity_id();
    Ok(SettingsPage {
        dual_control: store::entities::dual_control(pool, entity_id).await?,
        active_administrators: store::users::other_active_administrators(pool, entity_id, 0)
            .await?,
        awaiting: store::operations::awaiting_approval(pool, entity_id, not_lapsed_after())
            .await?
            .len() as i64,
    })
}

/// Checks the switch asked for (`oui`, `non`) and keeps it as the operation to sign.
pub async fn prepare_setting(caller: &Caller, enabled: &str) -> Result<String, ApiError> {
    let enabled = match enabled.trim() {
        "oui" => true,
        "non" => false,
        _ => return Err(ApiError::invalid("enabled", BAD_SETTING)),
    };
    let pool = caller.state.db.pool();
    let entity_id = caller.entity_id();
    let now_on = store::entities::dual_control(pool, entity_id).await?;
    if now_on == enabled {
        return Err(ApiError::Conflict(
            if enabled { ALREADY_ON } else { ALREADY_OFF }.into(),
        ));
    }
    if enabled
        && !approval::can_switch_on(
            store::users::other_active_administrators(pool, entity_id, 0).await?,
        )
    {
        return Err(ApiError::Conflict(SINGLE_ADMINISTRATOR.into()));
    }
    let operation = Operation {
        entity_id,
        change: Change::SetDualControl { enabled },
    };
    Ok(operations::keep(caller, &operation, None)
        .await?
        .operation_id)
}

/// Applies a signed (and, when it was on, approved) switch of the double validation.
pub async fn apply_setting(
    tx: &mut Tx,
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    operation: &Operation,
) -> Result<(), ApiError> {
    let Change::SetDualControl { enabled } = &operation.change else {
        return Err(ApiError::Internal);
    };
    let entity_id = caller.entity_id();
    if *enabled
        && !approval::can_switch_on(
            store::users::other_active_administrators(&mut **tx, entity_id, 0).await?,
        )
    {
        return Err(ApiError::Conflict(SINGLE_ADMINISTRATOR.into()));
    }
    store::entities::set_dual_control(tx, entity_id, *enabled).await?;
    // Any other switch still waiting was asked of a setting that no longer stands: void.
    let others = store::operations::awaiting_of_kind(
        &mut **tx,
        entity_id,
        model::OperationKind::SetDualControl,
    )
    .await?;
    for other in others.iter().filter(|other| other.id != operation_id) {
        store::operations::decide(
            tx,
            &other.id,
            entity_id,
            &other.digest,
            caller.user_id(),
            Decision::Voided {
                lapse: Some(Lapse::SettingChanged.code()),
            },
            now(),
        )
        .await?;
        audit::append(
            tx,
            &caller.state.secrets,
            Some(entity_id),
            None,
            Kind::OperationLapsed,
            json!({ "operation": other.id, "empreinte": other.digest, "motif": Lapse::SettingChanged.code() }),
        )
        .await?;
    }
    let mut details = operations::signed_details(operation_id, digest, operation);
    details["double_validation"] = json!(enabled);
    audit::append(
        tx,
        &caller.state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        Kind::DualControlChanged,
        details,
    )
    .await?;
    Ok(())
}

/// What « Validez votre opération » shows of a switch of the double validation.
pub fn describe(caller: &Caller, operation: &Operation) -> Result<Vec<(String, String)>, ApiError> {
    let Change::SetDualControl { enabled } = &operation.change else {
        return Err(ApiError::Internal);
    };
    let lang = caller.lang;
    Ok(vec![
        (
            lang.pick("Double validation", "Double validation").to_string(),
            if *enabled {
                lang.pick(
                    "Activée : chaque opération d’administration devra être validée par un second administrateur",
                    "On: every administration operation will need a second administrator's approval",
                )
            } else {
                lang.pick(
                    "Désactivée : chaque opération s’appliquera dès sa validation par son auteur",
                    "Off: every operation will apply as soon as its author validates it",
                )
            }
            .to_string(),
        ),
        (
            lang.pick("Entité", "Entity").to_string(),
            caller.session.entity_name.clone(),
        ),
    ])
}

/// Whether an operation that leaves `remaining` active administrators (the one it concerns no
/// longer counted) keeps the entity able to act; the error says why not.
pub async fn keeps_administration(
    conn: &mut sqlx::AnyConnection,
    entity_id: i64,
    leaving_user_id: i64,
) -> Result<(), ApiError> {
    let remaining =
        store::users::other_active_administrators(&mut *conn, entity_id, leaving_user_id).await?;
    if remaining == 0 {
        return Err(super::lifecycle::last_administrator(conn, entity_id).await);
    }
    let dual_control = store::entities::dual_control(&mut *conn, entity_id).await?;
    if !approval::keeps_administration(dual_control, remaining) {
        return Err(ApiError::Conflict(DUAL_CONTROL_NEEDS_TWO.into()));
    }
    Ok(())
}

const DUAL_CONTROL_NEEDS_TWO: &str = "La double validation est activée : l’entité doit garder au moins deux administrateurs actifs. Désactivez-la d’abord, ou nommez un autre administrateur.";
