//! A user's life after their addition: their page, suspension, reactivation, reset of access,
//! unblocking, removal, and the auditor role.
//! Each change is an operation of the one pipeline (prepared here, signed with strong
//! authentication, applied in one transaction with its audit event and messages), carrying the
//! user's version: a user changed in between voids it.

use super::{add_user, operations};
use crate::api::types::{Factors, OperationDone, PasskeyInfo, UserState, UserView};
use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::delivery::messages;
use crate::backend::guard::Caller;
use crate::backend::store::{self, Tx};
use crate::backend::{format_day, format_time};
use model::{Change, Operation, UserRef};
use serde_json::json;

/// « Fiche utilisateur »: everything about a user of the caller's entity, secrets excepted.
pub async fn view(caller: &Caller, user_id: i64) -> Result<UserView, ApiError> {
    let state = &caller.state;
    let pool = state.db.pool();
    let user = store::users::find(pool, caller.entity_id(), user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let person = store::persons::find(pool, caller.entity_id(), user.person_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let added_by = match user.created_by {
        Some(author) => store::users::find(pool, caller.entity_id(), author)
            .await?
            .map(|author| author.full_name()),
        None => None,
    };
    let catalog = store::entities::catalog(pool, caller.entity_id()).await?;
    let recap = super::home::named_recap(state, caller.entity_id(), user.id, &catalog).await?;
    // The login's factors (see `sca`: for a person of a group, kept in another entity).
    let passkeys = store::unscoped(store::factors::passkeys(pool, user.id))
        .await?
        .into_iter()
        .map(|key| PasskeyInfo {
            label: key.label,
            created_on: format_day(key.created_at),
        })
        .collect();
    let has_totp = super::sca::factors(state, user.id).await?.has_totp();
    let last_sign_in = store::audit::last_sign_in(pool, user.id).await?;
    let card = add_user::person_card(&person);
    Ok(UserView {
        id: user.id,
        is_self: user.id == caller.user_id(),
        first_name: user.first_name,
        last_name: user.last_name,
        birth_date: card.birth_date,
        phone: card.phone,
        email: user.email,
        login_id: user.login_id,
        state: user.state,
        is_administrator: user.is_administrator,
        is_auditor: user.is_auditor,
        added_on: format_time(user.created_at),
        added_by,
        last_sign_in: last_sign_in.map(format_time),
        factors: Factors { passkeys, has_totp },
        recap,
    })
}

/// What an administrator can do to a user's access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessChange {
    Suspend,
    Reactivate,
    /// A new temporary password (SMS) and e-mail code; every earlier credential and factor
    /// stops working; the user goes through the first login again.
    Reset,
    /// A user blocked after five failed strong authentications, active again.
    Unblock,
    /// Out of the entity for good: access, rights, factors and sessions gone, history kept, the
    /// login id never given again.
    Remove,
    /// The auditor role given (`true`) or taken away.
    SetAuditor(bool),
}

/// Someone changed the user since the operation was prepared (HTTP 409, nothing applied).
pub const CHANGED_MEANWHILE: &str =
    "Cet utilisateur a été modifié entre-temps : l’opération n’a pas été appliquée. Vérifiez son état et recommencez.";

/// The refusal of an operation that would leave the entity without an active administrator
/// with a factor: what to do, and the advisor to call, named as the adding page names them.
pub async fn last_administrator(conn: &mut sqlx::AnyConnection, entity_id: i64) -> ApiError {
    let advisor = match store::entities::find(conn, entity_id).await {
        Ok(Some(entity)) => {
            let card = super::home::advisor_card(entity.advisor);
            format!(
                "{}, {}, {}, {}",
                card.name, card.agency, card.phone, card.email
            )
        }
        _ => String::new(),
    };
    ApiError::LastAdministrator { advisor }
}

/// Checks the change and keeps it as the operation to sign; returns its id.
pub async fn prepare(
    caller: &Caller,
    user_id: i64,
    change: AccessChange,
) -> Result<String, ApiError> {
    let pool = caller.state.db.pool();
    let user = store::users::find(pool, caller.entity_id(), user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if user.state == UserState::Removed {
        return Err(ApiError::Conflict(
            "Cet utilisateur a été retiré de votre entité : son accès ne se modifie plus.".into(),
        ));
    }
    match change {
        AccessChange::Remove => {
            if user.id == caller.user_id() {
                return Err(ApiError::Conflict(
                    "Vous ne pouvez pas vous retirer vous-même : demandez-le à un autre administrateur.".into(),
                ));
            }
        }
        AccessChange::Suspend => {
            if user.id == caller.user_id() {
                return Err(ApiError::Conflict(
                    "Vous ne pouvez pas suspendre votre propre accès.".into(),
                ));
            }
            if user.state != UserState::Active {
                return Err(ApiError::Conflict(
                    "Seul l’accès d’un utilisateur actif peut être suspendu.".into(),
                ));
            }
        }
        AccessChange::Reactivate => {
            if user.state != UserState::Suspended {
                return Err(ApiError::Conflict(
                    "Seul l’accès d’un utilisateur suspendu peut être réactivé.".into(),
                ));
            }
        }
        AccessChange::Unblock => {
            if user.state != UserState::Blocked {
                return Err(ApiError::Conflict(
                    "Seul l’accès d’un utilisateur bloqué peut être débloqué.".into(),
                ));
            }
        }
        AccessChange::SetAuditor(auditor) => {
            if user.is_auditor == auditor {
                return Err(ApiError::Conflict(if auditor {
                    "Cet utilisateur est déjà auditeur.".into()
                } else {
                    "Cet utilisateur n’est pas auditeur.".into()
                }));
            }
        }
        AccessChange::Reset => {
            if user.id == caller.user_id() {
                return Err(ApiError::Conflict(
                    "Vous ne pouvez pas réinitialiser votre propre accès : demandez-le à un autre administrateur ou à votre conseiller.".into(),
                ));
            }
            if user.state == UserState::Suspended {
                return Err(ApiError::Conflict(
                    "Réactivez d’abord l’accès de cet utilisateur.".into(),
                ));
            }
            if user.login_user_id.is_some() {
                return Err(ApiError::Conflict(LOGIN_OF_ANOTHER_ENTITY.into()));
            }
        }
    }
    let target = UserRef {
        user_id: user.id,
        name: user.registered_name(),
        login_id: user.login_id.clone(),
        version: user.version,
    };
    let operation = Operation {
        entity_id: caller.entity_id(),
        change: match change {
            AccessChange::Suspend => Change::Suspend { user: target },
            AccessChange::Reactivate => Change::Reactivate { user: target },
            AccessChange::Reset => Change::ResetAccess { user: target },
            AccessChange::Unblock => Change::Unblock { user: target },
            AccessChange::Remove => Change::Remove { user: target },
            AccessChange::SetAuditor(auditor) => Change::SetAuditor {
                user: target,
                auditor,
            },
        },
    };
    Ok(operations::keep(caller, &operation, None)
        .await?
        .operation_id)
}

/// A person of a group of entities signs in, here too, with the login of the entity where they
/// were first a user: it is reset there.
pub const LOGIN_OF_ANOTHER_ENTITY: &str = "Cet utilisateur se connecte avec l’identifiant de l’entité où il a été créé en premier (même groupe) : son accès se réinitialise depuis cette entité, par son administrateur ou son conseiller.";

/// What « Validez votre opération » shows of a suspension or a reactivation.
pub fn describe(caller: &Caller, operation: &Operation) -> Result<Vec<(String, String)>, ApiError> {
    let lang = caller.lang;
    let (what, user) = match &operation.change {
        Change::Suspend { user } => (
            lang.pick("Suspension de l’accès de", "Suspending the access of"),
            user,
        ),
        Change::Reactivate { user } => (
            lang.pick("Réactivation de l’accès de", "Reactivating the access of"),
            user,
        ),
        Change::ResetAccess { user } => (
            lang.pick("Réinitialisation de l’accès de", "Resetting the access of"),
            user,
        ),
        Change::Unblock { user } => (
            lang.pick("Déblocage de l’accès de", "Unblocking the access of"),
            user,
        ),
        Change::Remove { user } => (
            lang.pick(
                "Retrait de l’entité (accès, droits et moyens d’authentification supprimés) de",
                "Removal from the entity (access, rights and factors deleted) of",
            ),
            user,
        ),
        Change::SetAuditor {
            user,
            auditor: true,
        } => (
            lang.pick(
                "Rôle d’auditeur (journal, rapport des habilitations et revues des accès, en lecture seule) donné à",
                "Auditor role (journal, entitlement report and access reviews, read only) given to",
            ),
            user,
        ),
        Change::SetAuditor {
            user,
            auditor: false,
        } => (
            lang.pick("Rôle d’auditeur retiré à", "Auditor role taken away from"),
            user,
        ),
        _ => return Err(ApiError::Internal),
    };
    Ok(vec![
        (what.to_string(), user.name.clone()),
        (
            lang.pick("Identifiant", "Login id").to_string(),
            user.login_id.clone(),
        ),
    ])
}

/// Applies a signed reset of access inside the transaction of `operations::confirm`: new
/// credentials, factors and sessions gone, the login id again by e-mail with a new code, the
/// temporary password by SMS (in the user's language). The administrator never sees either.
pub async fn apply_reset(
    tx: &mut Tx,
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    operation: &Operation,
    inputs: add_user::Inputs,
) -> Result<OperationDone, ApiError> {
    let Change::ResetAccess { user: target } = &operation.change else {
        return Err(ApiError::Internal);
    };
    let state = &caller.state;
    let entity_id = caller.entity_id();
    super::approval::keeps_administration(tx, entity_id, target.user_id).await?;
    let administrator = store::users::find(&mut **tx, entity_id, caller.user_id())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let user = reset_credentials(
        tx,
        state,
        entity_id,
        (target.user_id, target.version),
        inputs,
        ResetBy {
            name: &administrator.full_name(),
            advisor: false,
        },
    )
    .await?;
    audit::append(
        tx,
        &state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        Kind::AccessReset,
        operations::signed_details(operation_id, digest, operation),
    )
    .await?;
    Ok(operations::done_about(operation.kind(), user))
}

/// Who resets an access, as the user's e-mail names them.
pub struct ResetBy<'a> {
    pub name: &'a str,
    /// The entity's advisor at the bank (else one of its administrators).
    pub advisor: bool,
}

/// The reset itself, for an administrator's signed operation and for the advisor: on the
/// version seen (else the 409 of a change meanwhile), new credentials, the old password,
/// factors and the login's sessions in every entity gone, the login id and code by e-mail and the
/// temporary password by SMS to the user alone. Returns the user as they are now.
pub async fn reset_credentials(
    tx: &mut Tx,
    state: &crate::backend::AppState,
    entity_id: i64,
    (user_id, version): (i64, i64),
    inputs: add_user::Inputs,
    by: ResetBy<'_>,
) -> Result<store::users::User, ApiError> {
    use secrecy::ExposeSecret as _;
    let reset = store::users::reset_access(
        tx,
        entity_id,
        user_id,
        version,
        store::users::ResetCredentials {
            temp_password_hash: &inputs.temporary_hash,
            temp_password_expires_at: store::now() + state.config.temp_password_ttl_secs,
            email_code_hash: &inputs.email_code_hash,
        },
    )
    .await?;
    if !reset {
        return Err(ApiError::Conflict(CHANGED_MEANWHILE.into()));
    }
    store::factors::delete_passkeys(&mut **tx, user_id).await?;
    // Signed in elsewhere in their group with this login: those sessions end too.
    store::sessions::delete_all_for_login(&mut **tx, user_id).await?;
    let user = store::users::find(&mut **tx, entity_id, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let entity = store::entities::find(&mut **tx, entity_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let email = messages::access_reset_email(
        &messages::Credentials {
            first_name: &user.first_name,
            last_name: &user.last_name,
            administrator: by.name,
            by_advisor: by.advisor,
            entity: &entity.name,
            login_id: &user.login_id,
            hours: state.config.temp_password_ttl_secs / 3600,
            sign_in_url: &format!("{}/connexion", state.public_url),
            bank: &state.config.bank_name,
            email_code: inputs.email_code.expose_secret(),
        },
        user.language,
    );
    add_user::enqueue_credentials(
        tx,
        state,
        entity_id,
        add_user::Contact {
            email: &user.email,
            phone: &user.phone,
        },
        email,
        &inputs.temporary_password,
        user.language,
    )
    .await?;
    Ok(user)
}

/// Applies a signed suspension or reactivation inside the transaction of `operations::confirm`.
pub async fn apply(
    tx: &mut Tx,
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    operation: &Operation,
) -> Result<OperationDone, ApiError> {
    let entity_id = caller.entity_id();
    let (user, from, to, kind) = match &operation.change {
        Change::Suspend { user } => (
            user,
            UserState::Active,
            UserState::Suspended,
            Kind::UserSuspended,
        ),
        Change::Reactivate { user } => (
            user,
            UserState::Suspended,
            UserState::Active,
            Kind::UserReactivated,
        ),
        Change::Unblock { user } => (
            user,
            UserState::Blocked,
            UserState::Active,
            Kind::UserUnblocked,
        ),
        _ => return Err(ApiError::Internal),
    };
    // The entity keeps an administrator able to act (the entity's operations are serialised by
    // `operations::confirm`, so two administrators suspending each other cannot both succeed).
    if to == UserState::Suspended {
        super::approval::keeps_administration(tx, entity_id, user.user_id).await?;
    }
    let changed = if from == UserState::Blocked {
        store::users::unblock(tx, entity_id, user.user_id, user.version).await?
    } else {
        store::users::change_state(tx, entity_id, user.user_id, user.version, from, to).await?
    };
    if !changed {
        return Err(ApiError::Conflict(CHANGED_MEANWHILE.into()));
    }
    if to == UserState::Suspended {
        // Their open sessions end at once.
        store::sessions::delete_all_for_user(&mut **tx, user.user_id).await?;
        super::review::record_change(tx, caller, user.user_id, operation_id, operation.kind())
            .await?;
    }
    audit::append(
        tx,
        &caller.state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        kind,
        operations::signed_details(operation_id, digest, operation),
    )
    .await?;
    let bank = &caller.state.config.bank_name;
    operations::tell_user(tx, caller, operation, |author, lang| {
        messages::access_changed_email(bank, operation.kind(), author, lang)
    })
    .await
}

/// Applies a signed removal inside the transaction of `operations::confirm`: the user can no
/// longer sign in (credentials, factors and sessions gone), their rights move to the history,
/// their row and login id stay (the audit trail names them; the id is never given again).
pub async fn apply_removal(
    tx: &mut Tx,
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    operation: &Operation,
) -> Result<OperationDone, ApiError> {
    let Change::Remove { user: target } = &operation.change else {
        return Err(ApiError::Internal);
    };
    let state = &caller.state;
    let entity_id = caller.entity_id();
    super::approval::keeps_administration(tx, entity_id, target.user_id).await?;
    let now = store::now();
    // The person's login stays while another entity of their group still uses it (they go on
    // signing in there); the housekeeping forgets it once none does.
    let keeps_login = still_used_elsewhere(state, entity_id, target.user_id).await?;
    if !store::users::remove(
        tx,
        entity_id,
        target.user_id,
        target.version,
        now,
        keeps_login,
    )
    .await?
    {
        return Err(ApiError::Conflict(CHANGED_MEANWHILE.into()));
    }
    store::rights::revoke_all(
        tx,
        entity_id,
        target.user_id,
        &store::rights::Revocation {
            operation_id,
            revoked_at: now,
            revoked_by: caller.user_id(),
        },
    )
    .await?;
    if !keeps_login {
        store::factors::delete_passkeys(&mut **tx, target.user_id).await?;
    }
    store::sessions::delete_all_for_user(&mut **tx, target.user_id).await?;
    super::review::record_change(tx, caller, target.user_id, operation_id, operation.kind())
        .await?;
    audit::append(
        tx,
        &state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        Kind::UserRemoved,
        operations::signed_details(operation_id, digest, operation),
    )
    .await?;
    let bank = &state.config.bank_name;
    operations::tell_user(tx, caller, operation, |author, lang| {
        messages::access_changed_email(bank, operation.kind(), author, lang)
    })
    .await
}

/// Whether `user_id` holds a login that the person's rows in other entities of their group sign
/// in with (not removed there). Read across entities, on purpose: those rows are not this
/// entity's, and only their existence is read.
async fn still_used_elsewhere(
    state: &crate::backend::AppState,
    entity_id: i64,
    user_id: i64,
) -> Result<bool, ApiError> {
    let entities =
        store::unscoped(store::users::entities_of_login(state.db.pool(), user_id)).await?;
    Ok(entities.iter().any(|other| other.entity_id != entity_id))
}

/// Applies a signed change of the auditor role inside the transaction of
/// `operations::confirm`: effective at the user's next request (the session reads it each time).
pub async fn apply_auditor(
    tx: &mut Tx,
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    operation: &Operation,
) -> Result<OperationDone, ApiError> {
    let Change::SetAuditor {
        user: target,
        auditor,
    } = &operation.change
    else {
        return Err(ApiError::Internal);
    };
    let entity_id = caller.entity_id();
    if !store::users::set_auditor(tx, entity_id, target.user_id, target.version, *auditor).await? {
        return Err(ApiError::Conflict(CHANGED_MEANWHILE.into()));
    }
    let mut details = operations::signed_details(operation_id, digest, operation);
    details["auditeur"] = json!(auditor);
    audit::append(
        tx,
        &caller.state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        Kind::AuditorChanged,
        details,
    )
    .await?;
    let bank = &caller.state.config.bank_name;
    operations::tell_user(tx, caller, operation, |author, lang| {
        messages::auditor_role_email(bank, *auditor, author, lang)
    })
    .await
}
