//! « Modifier les droits »: the adding journey's method, grid and check steps, started from the
//! user's current rights (see `add_user` for the draft the steps share), then the operation
//! signed like an addition: it carries the user's rights before and after and the version they
//! were read at, so a user changed by someone else in between voids it (HTTP 409).

use super::{add_user, lifecycle, operations};
use crate::api::types::OperationDone;
use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::delivery::messages;
use crate::backend::guard::Caller;
use crate::backend::store::persons::Person;
use crate::backend::store::rights::{Grant, Revocation, StoredRights};
use crate::backend::store::users::User;
use crate::backend::store::{self, now, Tx};
use model::{
    Assignment, Catalog, Change, Level, Operation, Period, ResourceRef, Rights, RightsDiff,
    RightsEditor, RightsMethod, UserRef,
};
use serde::{Deserialize, Serialize};

/// The user a modification's draft is about, at the version the administrator started from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub user_id: i64,
    pub version: i64,
}

/// The user as they are now, unchanged since the draft started.
pub struct Current {
    pub user: User,
    pub person: Person,
    /// Their rights, copied users named.
    pub before: StoredRights,
}

/// Nothing to sign: the rights chosen are the ones the user holds.
const NO_CHANGE: &str = "Les droits choisis sont ceux que l’utilisateur a déjà : modifiez au moins une case, ou revenez à sa fiche.";

const REMOVED: &str =
    "Cet utilisateur a été retiré de votre entité : ses droits ne se modifient plus.";

/// « Modifier les droits » on a user's page: the user must be of the caller's entity and not
/// removed. Returns the draft's target.
pub async fn target(caller: &Caller, user_id: i64) -> Result<(Target, i64), ApiError> {
    let user = store::users::find(caller.state.db.pool(), caller.entity_id(), user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if user.state == crate::api::types::UserState::Removed {
        return Err(ApiError::Conflict(REMOVED.into()));
    }
    Ok((
        Target {
            user_id: user.id,
            version: user.version,
        },
        user.person_id,
    ))
}

/// The target as it is now; refused if anyone changed them since the draft started.
pub async fn current(caller: &Caller, target: Target) -> Result<Current, ApiError> {
    let pool = caller.state.db.pool();
    let user = store::users::find(pool, caller.entity_id(), target.user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if user.state == crate::api::types::UserState::Removed {
        return Err(ApiError::Conflict(REMOVED.into()));
    }
    if user.version != target.version {
        return Err(ApiError::Conflict(lifecycle::CHANGED_MEANWHILE.into()));
    }
    let person = store::persons::find(pool, caller.entity_id(), user.person_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut before = store::rights::of_user(pool, caller.entity_id(), user.id).await?;
    before.origins =
        super::home::name_copies(&caller.state, caller.entity_id(), before.origins).await?;
    Ok(Current {
        user,
        person,
        before,
    })
}

/// What a method starts from in a modification: the grid's own rule (custom rights start from
/// what the user holds; a profile or a copy from its rights, the administration right kept).
pub fn starting_rights(
    method: RightsMethod,
    catalog: &Catalog,
    copied: Option<&Rights>,
    before: &Rights,
) -> Rights {
    RightsEditor::modifying(method, catalog, copied, before)
        .rights()
        .clone()
}

/// The assignment of a modification: kept rights keep their origin unless the method gives
/// them another (a profile).
pub fn assignment(
    method: RightsMethod,
    baseline: Rights,
    source_name: String,
    before: &StoredRights,
    rights: Rights,
    period: Option<Period>,
) -> Assignment {
    Assignment {
        method,
        baseline,
        source_name,
        previous: before.origins.clone(),
        rights,
        period,
        previous_ends: before.last_days(),
    }
}

/// « Confirmer »: checks the modification and keeps it as the operation to sign.
pub async fn prepare(
    caller: &Caller,
    target: Target,
    method: RightsMethod,
    rights: Rights,
    period: Option<Period>,
    draft_id: Option<&str>,
) -> Result<String, ApiError> {
    let current = current(caller, target).await?;
    let catalog = store::entities::catalog(caller.state.db.pool(), caller.entity_id()).await?;
    let (baseline, source_name) = add_user::baseline(caller, &method, &catalog).await?;
    let assignment = assignment(
        method,
        baseline,
        source_name,
        &current.before,
        rights,
        period,
    );
    assignment.check(&catalog)?;
    let before = current.before.rights.clone();
    // Extending a cover changes no box: the end moved is the change.
    if RightsDiff::between(&catalog, &before, &assignment.rights).is_empty()
        && assignment.redated_levels().is_empty()
    {
        return Err(ApiError::invalid("rights", NO_CHANGE));
    }
    assignment.check_period(&before, add_user::today())?;
    if before.administration() && !assignment.rights.administration() {
        let mut conn = caller.state.db.pool().acquire().await?;
        super::approval::keeps_administration(&mut conn, caller.entity_id(), current.user.id)
            .await?;
    }
    let operation = Operation {
        entity_id: caller.entity_id(),
        change: Change::ModifyRights {
            user: UserRef {
                user_id: current.user.id,
                name: current.user.registered_name(),
                login_id: current.user.login_id.clone(),
                version: target.version,
            },
            before,
            assignment,
        },
    };
    Ok(operations::keep(caller, &operation, draft_id)
        .await?
        .operation_id)
}

/// What « Validez votre opération » shows of a modification: who, the method, the rights after
/// with their origins, and exactly what changes.
pub async fn describe(
    caller: &Caller,
    operation: &Operation,
) -> Result<
    (
        Vec<(String, String)>,
        Option<model::Recap>,
        Option<RightsDiff>,
    ),
    ApiError,
> {
    let Change::ModifyRights {
        user,
        before,
        assignment,
    } = &operation.change
    else {
        return Err(ApiError::Internal);
    };
    let catalog = store::entities::catalog(caller.state.db.pool(), caller.entity_id()).await?;
    let lang = caller.lang;
    let mut facts = vec![
        (
            lang.pick("Modification des droits de", "Changing the rights of")
                .to_string(),
            user.name.clone(),
        ),
        (
            lang.pick("Identifiant", "Login id").to_string(),
            user.login_id.clone(),
        ),
        (
            lang.pick("Méthode", "Method").to_string(),
            assignment.method.label_in(&assignment.source_name, lang),
        ),
    ];
    facts.extend(add_user::period_fact(assignment, before, lang));
    let recap = model::Recap::new(&catalog, &assignment.rights, |r, l| assignment.origin(r, l))
        .with_ends(|r, l| assignment.last_day(before, r, l));
    let diff = RightsDiff::between(&catalog, before, &assignment.rights);
    Ok((facts, Some(recap), Some(diff)))
}

/// Every level of `rights`, one by one.
fn levels(rights: &Rights) -> Vec<(ResourceRef, Level)> {
    rights
        .grants()
        .flat_map(|(resource, levels)| {
            levels
                .iter()
                .map(move |level| (resource, level))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Applies a signed modification inside the transaction of `operations::confirm`: levels lost
/// move to the history, levels gained are written with their origin, the user's version moves
/// on; the user is e-mailed what they gain and lose.
pub async fn apply(
    tx: &mut Tx,
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    operation: &Operation,
) -> Result<OperationDone, ApiError> {
    let Change::ModifyRights {
        user: target,
        before,
        assignment,
    } = &operation.change
    else {
        return Err(ApiError::Internal);
    };
    let state = &caller.state;
    let entity_id = caller.entity_id();
    let catalog = store::entities::catalog(&mut **tx, entity_id).await?;
    assignment.check(&catalog)?;
    // Approved late (double validation), rights ending before today are not given at all.
    assignment.check_period(before, model::Day::in_paris_at(now()))?;
    let after = &assignment.rights;
    if before.administration() && !after.administration() {
        super::approval::keeps_administration(tx, entity_id, target.user_id).await?;
    }
    if !store::users::modify_rights(
        tx,
        entity_id,
        target.user_id,
        target.version,
        after.administration(),
    )
    .await?
    {
        return Err(ApiError::Conflict(lifecycle::CHANGED_MEANWHILE.into()));
    }
    // At this version the stored rights are `before`: the version moved on with every change.
    let stored = store::rights::of_user(&mut **tx, entity_id, target.user_id).await?;
    let now = now();
    let lost: Vec<(ResourceRef, Level)> = levels(&stored.rights)
        .into_iter()
        .filter(|(resource, level)| !after.get(*resource).has(*level))
        .collect();
    store::rights::revoke(
        tx,
        entity_id,
        target.user_id,
        &lost,
        &Revocation {
            operation_id,
            revoked_at: now,
            revoked_by: caller.user_id(),
        },
    )
    .await?;
    let grant = Grant {
        operation_id: Some(operation_id),
        granted_at: now,
        granted_by: Some(caller.user_id()),
        // Only the levels gained take it: a level kept keeps its own end.
        ends_at: assignment.period.map(Period::ends_at),
    };
    let mut gained = Vec::new();
    for (resource, level) in levels(after) {
        let origin = assignment.origin(resource, level);
        match stored.origins.get(&(resource, level)) {
            None => gained.push((resource, level, origin)),
            Some(held) if held.code() != origin.code() => {
                store::rights::regrant(
                    tx,
                    entity_id,
                    target.user_id,
                    (resource, level, &origin),
                    &grant,
                )
                .await?;
            }
            Some(_) => {}
        }
    }
    // A cover extended: the temporary levels kept end on the new last day.
    if let Some(period) = assignment.period {
        let moved = assignment.redated_levels();
        store::rights::move_end(tx, entity_id, target.user_id, &moved, period.ends_at()).await?;
    }
    // A level scheduled earlier and given again here: this operation decides.
    let given: Vec<(ResourceRef, Level)> = gained.iter().map(|(r, l, _)| (*r, *l)).collect();
    store::rights::cancel_scheduled(tx, entity_id, target.user_id, Some(&given)).await?;
    store::rights::give(
        tx,
        entity_id,
        target.user_id,
        &gained,
        &grant,
        assignment.period.and_then(Period::starts_at),
    )
    .await?;
    super::review::record_change(tx, caller, target.user_id, operation_id, operation.kind())
        .await?;
    audit::append(
        tx,
        &state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        Kind::RightsModified,
        operations::signed_details(operation_id, digest, operation),
    )
    .await?;
    let diff = RightsDiff::between(&catalog, before, after);
    let bank = &state.config.bank_name;
    operations::tell_user(tx, caller, operation, |author, lang| {
        messages::rights_changed_email(bank, author, &diff, assignment.period, lang)
    })
    .await
}
