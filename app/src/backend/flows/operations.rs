//! The one pipeline every administration operation passes through (see
//! `docs/architecture.md`): prepare → sign with strong authentication → apply.
//!
//! - [`keep`]: after « Confirmer », the operation is kept with the digest of its canonical text;
//!   the author's earlier prepared operation is voided (any edit voids a signature).
//! - [`passkey_challenge`]: a passkey challenge bound to the operation and to the session.
//! - [`confirm`]: checks that what is signed is exactly what is kept (digest), unexpired (5
//!   minutes) and unused, verifies the strong authentication, then applies the operation in one
//!   transaction: the atomic « applied » mark, the kind's own change, the audit event and the
//!   messages, or nothing at all. When the entity's double validation is on, the signed
//!   operation waits instead for a second administrator (see `approval`), who applies it with
//!   [`apply_kind`].

use super::{add_user, lifecycle, modify_rights, sca, sign_in::challenge_expired};
use crate::api::types::{
    Confirmed, OperationDone, OperationPage, OperationState, OperationTarget, PreparedOperation,
    ScaProof,
};
use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::delivery::{self, messages, Message, MessageChannel};
use crate::backend::guard::{self, Caller};
use crate::backend::security::crypto::{constant_time_eq, random_token};
use crate::backend::session;
use crate::backend::store::ceremonies::{self, CeremonyKind};
use crate::backend::store::operations::{NewOperation, OperationStatus};
use crate::backend::store::{self, now};
use model::{Change, Operation, TotpCode};
use serde_json::json;
use webauthn_rs::prelude::RequestChallengeResponse;

/// A prepared operation lives 5 minutes.
pub const OPERATION_LIFETIME_SECS: i64 = 5 * 60;

/// What [`keep`] gives back to show with the operation.
pub struct Kept {
    pub operation_id: String,
    pub digest: String,
    pub short_code: String,
    pub has_passkey: bool,
    pub has_totp: bool,
}

/// Keeps an operation the caller is about to sign; `draft_id` is the journey it comes from.
pub async fn keep(
    caller: &Caller,
    operation: &Operation,
    draft_id: Option<&str>,
) -> Result<Kept, ApiError> {
    let id = random_token();
    let digest = operation.digest();
    let payload = serde_json::to_string(operation)?;
    let now = now();
    let target = operation.target();
    let mut tx = caller.state.db.begin_write().await?;
    store::operations::prepare(
        &mut tx,
        NewOperation {
            id: &id,
            entity_id: caller.entity_id(),
            author_user_id: caller.user_id(),
            kind: operation.kind(),
            target_user_id: target.map(|user| user.user_id),
            target_version: target.map(|user| user.version),
            payload: &payload,
            digest: &digest,
            session_id: caller.session.id,
            created_at: now,
            expires_at: now + OPERATION_LIFETIME_SECS,
            draft_id,
        },
    )
    .await?;
    tx.commit().await?;
    let enrolled = sca::factors(&caller.state, caller.session.login_user_id).await?;
    Ok(Kept {
        operation_id: id,
        short_code: operation.short_code(),
        digest,
        has_passkey: enrolled.has_passkey(),
        has_totp: enrolled.has_totp(),
    })
}

/// A prepared operation of the caller, still awaiting its strong authentication.
struct Pending {
    operation: Operation,
    digest: String,
}

/// The operation a stored row holds, if it still matches the digest it was signed with.
pub fn stored_operation(
    stored: &store::operations::StoredOperation,
) -> Result<Operation, ApiError> {
    let operation: Operation = serde_json::from_str(&stored.payload)?;
    if !constant_time_eq(&operation.digest(), &stored.digest)
        || operation.entity_id != stored.entity_id
    {
        tracing::error!(
            operation_id = stored.id,
            "stored operation does not match its digest"
        );
        return Err(ApiError::OperationExpired);
    }
    Ok(operation)
}

async fn pending(caller: &Caller, operation_id: &str) -> Result<Pending, ApiError> {
    let stored = store::operations::find_by_author(
        caller.state.db.pool(),
        operation_id,
        caller.entity_id(),
        caller.user_id(),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    if stored.status != OperationStatus::Prepared || stored.expires_at <= now() {
        return Err(ApiError::OperationExpired);
    }
    // The stored payload must still be what was signed: a changed row is refused.
    let operation = stored_operation(&stored)?;
    Ok(Pending {
        operation,
        digest: stored.digest,
    })
}

/// The passkey challenge that validates an operation: its state stays on the server, bound to
/// the operation and to the session that asked for it.
pub async fn passkey_challenge(
    caller: &Caller,
    operation_id: &str,
) -> Result<RequestChallengeResponse, ApiError> {
    pending(caller, operation_id).await?;
    bound_passkey_challenge(caller, operation_id).await
}

/// A passkey challenge of the caller, kept on the server bound to `operation_id` and to the
/// session: what [`verify`] takes back (signing or approving).
pub async fn bound_passkey_challenge(
    caller: &Caller,
    operation_id: &str,
) -> Result<RequestChallengeResponse, ApiError> {
    let (challenge, state) =
        sca::passkey_challenge(&caller.state, caller.session.login_user_id).await?;
    ceremonies::put(
        caller.state.db.pool(),
        caller.session.id,
        CeremonyKind::PasskeyOperation,
        Some(operation_id),
        &state,
        now(),
    )
    .await?;
    Ok(challenge)
}

/// Verifies the strong authentication that validates (or approves) `operation_id`.
pub async fn verify(caller: &Caller, operation_id: &str, proof: ScaProof) -> Result<(), ApiError> {
    let state = &caller.state;
    match proof {
        ScaProof::Totp { code } => {
            let code =
                TotpCode::parse(&code).map_err(|e| ApiError::invalid("code", e.to_string()))?;
            sca::check_totp(state, &caller.signer(), code).await
        }
        ScaProof::Passkey { credential } => {
            let ceremony = ceremonies::take(
                state.db.pool(),
                caller.session.id,
                CeremonyKind::PasskeyOperation,
                Some(operation_id),
                now() - OPERATION_LIFETIME_SECS,
            )
            .await?
            .ok_or_else(challenge_expired)?;
            sca::check_passkey(state, &caller.signer(), &credential, &ceremony).await
        }
    }
}

/// What a kind needs prepared before the write lock is taken (work that takes time): new
/// credentials (an addition, a reset of access), or nothing.
pub enum Inputs {
    Credentials(add_user::Inputs),
    Nothing,
}

pub async fn inputs(caller: &Caller, operation: &Operation) -> Result<Inputs, ApiError> {
    match &operation.change {
        Change::AddUser { .. } => Ok(Inputs::Credentials(add_user::inputs(&caller.state).await?)),
        Change::ModifyRights { .. }
        | Change::Suspend { .. }
        | Change::Reactivate { .. }
        | Change::Unblock { .. }
        | Change::Remove { .. }
        | Change::SetAuditor { .. }
        | Change::SetDualControl { .. } => Ok(Inputs::Nothing),
        Change::ResetAccess { .. } => {
            Ok(Inputs::Credentials(add_user::inputs(&caller.state).await?))
        }
    }
}

/// The strong authentication validates exactly the prepared operation, then the change applies
/// at once, in one transaction (or, with the double validation on, awaits a second
/// administrator).
pub async fn confirm(
    caller: Caller,
    operation_id: String,
    digest: String,
    proof: ScaProof,
) -> Result<Confirmed, ApiError> {
    let Pending {
        operation,
        digest: stored_digest,
    } = match pending(&caller, &operation_id).await {
        Err(ApiError::OperationExpired) => {
            record_if_replayed(&caller, &operation_id).await?;
            return Err(ApiError::OperationExpired);
        }
        other => other?,
    };
    // What the administrator saw and signed must be what the server holds.
    if !constant_time_eq(&digest, &stored_digest) {
        return Err(ApiError::OperationExpired);
    }
    // One confirmation at a time in a session: a double click or a retry racing the first
    // submission is answered at once and spends no code (a code presented twice counts as a
    // failure).
    let pool = caller.state.db.pool();
    if !ceremonies::claim(
        pool,
        caller.session.id,
        CeremonyKind::OperationConfirmation,
        &operation_id,
        now(),
        now() - CONFIRMATION_CLAIM_SECS,
    )
    .await?
    {
        return Err(ApiError::OperationExpired);
    }
    let applied = apply_confirmed(&caller, &operation_id, &operation, &stored_digest, proof).await;
    if applied.is_err() {
        ceremonies::clear(pool, caller.session.id, CeremonyKind::OperationConfirmation).await?;
    }
    applied
}

/// A confirmation of an operation already applied is a replay: refused like any stale one, and
/// recorded for the bank.
async fn record_if_replayed(caller: &Caller, operation_id: &str) -> Result<(), ApiError> {
    let stored = store::operations::find_by_author(
        caller.state.db.pool(),
        operation_id,
        caller.entity_id(),
        caller.user_id(),
    )
    .await?;
    if stored.is_some_and(|stored| stored.status == OperationStatus::Applied) {
        let mut tx = caller.state.db.begin_write().await?;
        audit::append(
            &mut tx,
            &caller.state.secrets,
            Some(caller.entity_id()),
            Some(caller.user_id()),
            Kind::OperationReplayed,
            json!({ "operation": operation_id, "adresse": caller.client_ip }),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A claim left by a process that died mid-confirmation lapses after this time.
const CONFIRMATION_CLAIM_SECS: i64 = 60;

/// The confirmation proper, once claimed: strong authentication, then the change.
async fn apply_confirmed(
    caller: &Caller,
    operation_id: &str,
    operation: &Operation,
    stored_digest: &str,
    proof: ScaProof,
) -> Result<Confirmed, ApiError> {
    verify(caller, operation_id, proof).await?;
    let inputs = inputs(caller, operation).await?;

    let state = &caller.state;
    let mut tx = state.db.begin_write().await?;
    let dual_control =
        store::entities::lock_for_administration(&mut tx, caller.entity_id()).await?;
    let confirmed = if dual_control {
        if !store::operations::mark_awaiting_approval(
            &mut tx,
            operation_id,
            caller.entity_id(),
            caller.user_id(),
            stored_digest,
            now(),
        )
        .await?
        {
            return Err(ApiError::OperationExpired);
        }
        super::approval::submit(&mut tx, caller, operation_id, stored_digest, operation).await?;
        Confirmed::AwaitingApproval
    } else {
        if !store::operations::mark_applied(
            &mut tx,
            operation_id,
            caller.entity_id(),
            caller.user_id(),
            stored_digest,
            now(),
        )
        .await?
        {
            return Err(ApiError::OperationExpired);
        }
        let done = apply_kind(
            &mut tx,
            caller,
            operation_id,
            stored_digest,
            operation,
            inputs,
        )
        .await?;
        notify_administrators(&mut tx, caller, operation, done.as_ref()).await?;
        Confirmed::Applied(done)
    };
    // A step-up gives the session a new id too.
    let token = session::rotate_after_sca(&mut tx, &caller.session).await?;
    tx.commit().await?;
    guard::set_cookie(&session::cookie(&token));
    state.outbox_wake.notify_one();
    tracing::info!(
        entity_id = caller.entity_id(),
        author = caller.user_id(),
        kind = operation.kind().code(),
        awaiting_approval = dual_control,
        "operation signed"
    );
    Ok(confirmed)
}

/// Applies an operation of any kind inside the caller's transaction, once it is marked
/// applied: `caller` is its author (an approved request applies in its author's name). What
/// was done about the user concerned, if there is one.
pub async fn apply_kind(
    tx: &mut store::Tx,
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    operation: &Operation,
    inputs: Inputs,
) -> Result<Option<OperationDone>, ApiError> {
    let done = match (&operation.change, inputs) {
        (Change::AddUser { .. }, Inputs::Credentials(inputs)) => {
            add_user::apply(tx, caller, operation_id, digest, operation, inputs).await?
        }
        (Change::ModifyRights { .. }, Inputs::Nothing) => {
            modify_rights::apply(tx, caller, operation_id, digest, operation).await?
        }
        (
            Change::Suspend { .. } | Change::Reactivate { .. } | Change::Unblock { .. },
            Inputs::Nothing,
        ) => lifecycle::apply(tx, caller, operation_id, digest, operation).await?,
        (Change::Remove { .. }, Inputs::Nothing) => {
            lifecycle::apply_removal(tx, caller, operation_id, digest, operation).await?
        }
        (Change::SetAuditor { .. }, Inputs::Nothing) => {
            lifecycle::apply_auditor(tx, caller, operation_id, digest, operation).await?
        }
        (Change::ResetAccess { .. }, Inputs::Credentials(inputs)) => {
            lifecycle::apply_reset(tx, caller, operation_id, digest, operation, inputs).await?
        }
        (Change::SetDualControl { .. }, Inputs::Nothing) => {
            super::approval::apply_setting(tx, caller, operation_id, digest, operation).await?;
            return Ok(None);
        }
        _ => return Err(ApiError::Internal),
    };
    Ok(Some(done))
}

/// Every other active administrator of the entity is told of the operation, in the same
/// transaction (sent after commit, by the outbox). `caller` is the operation's author.
pub async fn notify_administrators(
    tx: &mut store::Tx,
    caller: &Caller,
    operation: &Operation,
    done: Option<&OperationDone>,
) -> Result<(), ApiError> {
    // What the operation was about: its user, or the entity (a setting).
    let about = done.map_or(caller.session.entity_name.as_str(), |done| &done.name);
    let state = &caller.state;
    let author = store::users::find(&mut **tx, caller.entity_id(), caller.user_id())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let others =
        store::users::administrators_to_notify(&mut **tx, caller.entity_id(), caller.user_id())
            .await?;
    for (email, language) in others {
        let lang = model::Lang::from_code(&language).unwrap_or_default();
        let notice = messages::administration_notice(
            &state.config.bank_name,
            operation.kind(),
            about,
            &author.full_name(),
            lang,
        );
        delivery::enqueue(
            tx,
            &state.secrets,
            Message {
                entity_id: caller.entity_id(),
                channel: MessageChannel::Email,
                recipient: &email,
                subject: &notice.subject,
                body: &secrecy::SecretString::from(notice.body),
            },
        )
        .await?;
    }
    Ok(())
}

/// What « Validez votre opération » shows of an operation of any kind.
pub async fn describe(caller: &Caller, operation: &Operation) -> Result<Description, ApiError> {
    match &operation.change {
        Change::AddUser { .. } => add_user::describe(caller, operation).await,
        Change::ModifyRights { .. } => modify_rights::describe(caller, operation).await,
        Change::Suspend { .. }
        | Change::Reactivate { .. }
        | Change::ResetAccess { .. }
        | Change::Unblock { .. }
        | Change::Remove { .. }
        | Change::SetAuditor { .. } => Ok((lifecycle::describe(caller, operation)?, None, None)),
        Change::SetDualControl { .. } => {
            Ok((super::approval::describe(caller, operation)?, None, None))
        }
    }
}

pub type Description = (
    Vec<(String, String)>,
    Option<model::Recap>,
    Option<model::RightsDiff>,
);

/// « Validez votre opération »: one of the caller's operations and where it stands; once
/// applied, what was done.
pub async fn page(caller: &Caller, operation_id: &str) -> Result<OperationPage, ApiError> {
    let stored = store::operations::find_by_author(
        caller.state.db.pool(),
        operation_id,
        caller.entity_id(),
        caller.user_id(),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    let operation: Operation = serde_json::from_str(&stored.payload)?;
    let state = state_of(&stored);
    let (facts, recap, diff) = describe(caller, &operation).await?;
    let warnings = super::report::operation_warnings(caller, &operation).await?;
    let enrolled = sca::factors(&caller.state, caller.session.login_user_id).await?;
    let done = match state {
        OperationState::Applied => done(caller, &operation, stored.result_user_id).await?,
        _ => None,
    };
    let target = match operation.target() {
        Some(target) => {
            store::users::find(caller.state.db.pool(), caller.entity_id(), target.user_id)
                .await?
                .map(|user| OperationTarget {
                    user_id: user.id,
                    state: user.state,
                    changed: user.version != target.version,
                })
        }
        None => None,
    };
    let decision = super::approval::decision_of(caller, &stored).await?;
    Ok(OperationPage {
        state,
        decision,
        back_to: stored
            .draft_id
            .as_deref()
            .map(|draft| back_to(operation.kind(), draft)),
        done,
        target,
        operation: PreparedOperation {
            operation_id: stored.id,
            short_code: operation.short_code(),
            digest: stored.digest,
            kind: operation.kind(),
            facts,
            recap,
            diff,
            warnings,
            expires_in_secs: (stored.expires_at - now()).max(0),
            admin_has_passkey: enrolled.has_passkey(),
            admin_has_totp: enrolled.has_totp(),
        },
    })
}

/// The journey step a « Modifier » link goes back to.
fn back_to(kind: model::OperationKind, draft_id: &str) -> String {
    match kind {
        model::OperationKind::AddUser => {
            crate::api::types::journey_step_url(draft_id, false, "verification")
        }
        model::OperationKind::ModifyRights => {
            crate::api::types::journey_step_url(draft_id, true, "verification")
        }
        _ => "/utilisateurs".into(),
    }
}

/// What an operation did, about the user concerned.
pub fn done_about(kind: model::OperationKind, user: store::users::User) -> OperationDone {
    OperationDone {
        kind,
        user_id: user.id,
        name: user.full_name(),
        phone_masked: model::identity::mask_phone(&user.phone),
        existing_login: user.login_user_id.is_some(),
        email: user.email,
    }
}

/// The audit event's details of an applied operation about an existing user: the operation, its
/// digest, the user and the text that was signed.
pub fn signed_details(
    operation_id: &str,
    digest: &str,
    operation: &Operation,
) -> serde_json::Value {
    json!({
        "operation": operation_id,
        "empreinte": digest,
        "utilisateur": operation.target().map(|user| user.user_id),
        "contenu_signe": operation.canonical_text(),
    })
}

/// E-mails the user an operation was about, in the operation's transaction (sent after commit
/// by the outbox), and says what was done. `email` words the message from the author's name
/// and the user's language.
pub async fn tell_user(
    tx: &mut store::Tx,
    caller: &Caller,
    operation: &Operation,
    email: impl FnOnce(&str, model::Lang) -> messages::Email,
) -> Result<OperationDone, ApiError> {
    let entity_id = caller.entity_id();
    let user_id = operation.target().ok_or(ApiError::Internal)?.user_id;
    let user = store::users::find(&mut **tx, entity_id, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let author = store::users::find(&mut **tx, entity_id, caller.user_id())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let email = email(&author.full_name(), user.language);
    delivery::enqueue(
        tx,
        &caller.state.secrets,
        Message {
            entity_id: caller.entity_id(),
            channel: MessageChannel::Email,
            recipient: &user.email,
            subject: &email.subject,
            body: &secrecy::SecretString::from(email.body),
        },
    )
    .await?;
    Ok(done_about(operation.kind(), user))
}

/// Where a stored operation stands, as its pages say it.
pub fn state_of(stored: &store::operations::StoredOperation) -> OperationState {
    match stored.status {
        OperationStatus::Prepared if stored.expires_at <= now() => OperationState::Expired,
        OperationStatus::Prepared => OperationState::Prepared,
        OperationStatus::AwaitingApproval => OperationState::AwaitingApproval,
        OperationStatus::Applied => OperationState::Applied,
        OperationStatus::Rejected => OperationState::Rejected,
        OperationStatus::Voided => OperationState::Voided,
        OperationStatus::Expired => OperationState::Expired,
    }
}

/// What an applied operation did, about the user concerned (none for an entity setting).
async fn done(
    caller: &Caller,
    operation: &Operation,
    result_user_id: Option<i64>,
) -> Result<Option<OperationDone>, ApiError> {
    let Some(user_id) = result_user_id.or_else(|| operation.target().map(|user| user.user_id))
    else {
        return Ok(None);
    };
    let user = store::users::find(caller.state.db.pool(), caller.entity_id(), user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Some(done_about(operation.kind(), user)))
}

/// « Annuler »: voids the caller's prepared operation. Nothing was applied, nothing is.
pub async fn cancel(caller: &Caller, operation_id: &str) -> Result<(), ApiError> {
    store::operations::void(
        caller.state.db.pool(),
        operation_id,
        caller.entity_id(),
        caller.user_id(),
    )
    .await?;
    Ok(())
}
