//! « Rapport des habilitations »: by account and contract (who may consult, manage, validate
//! it) and by user (every right with its origin), on screen, as a CSV file and printable.
//! Read in three statements whatever the entity's size: users, rights, catalog.

use super::journal::csv_cell;
use crate::api::types::{EntitlementReport, UserEntitlements};
use crate::api::ApiError;
use crate::backend::format_time;
use crate::backend::guard::Caller;
use crate::backend::store::{self, now};
use model::{Level, Origin, Recap};

/// The report as of now.
pub async fn report(caller: &Caller) -> Result<EntitlementReport, ApiError> {
    let pool = caller.state.db.pool();
    let entity_id = caller.entity_id();
    let entity = store::entities::find(pool, entity_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let catalog = store::entities::catalog(pool, entity_id).await?;
    let users = store::users::summaries(pool, entity_id).await?;
    let mut rights = store::rights::of_entity(pool, entity_id).await?;
    let scheduled = store::rights::scheduled(pool, entity_id, None).await?;
    let name_of = |id: i64| {
        users
            .iter()
            .find(|user| user.id == id)
            .map(|user| format!("{} {}", user.first_name, user.last_name))
            .unwrap_or_else(|| "un ancien utilisateur".into())
    };
    let mut entitlements = Vec::with_capacity(users.len());
    let mut named_rights = Vec::with_capacity(users.len());
    for user in &users {
        let stored = rights
            .iter_mut()
            .find(|(id, _)| *id == user.id)
            .map(|(_, stored)| std::mem::take(stored))
            .unwrap_or_default();
        let mut held = stored.rights.clone();
        held.set_administration(user.is_administrator);
        let recap = Recap::new(&catalog, &held, |resource, level| {
            match stored.origins.get(&(resource, level)) {
                Some(Origin::Copy { from_user, .. }) => Origin::Copy {
                    from_user: *from_user,
                    name: name_of(*from_user),
                },
                Some(origin) => origin.clone(),
                None => Origin::Custom,
            }
        })
        .with_ends(|resource, level| stored.last_day(resource, level))
        .with_scheduled(
            &catalog,
            scheduled
                .iter()
                .filter(|row| row.user_id == user.id)
                .filter_map(store::rights::ScheduledRow::days),
        );
        let name = format!("{} {}", user.first_name, user.last_name);
        named_rights.push((name.clone(), held, stored.last_days()));
        entitlements.push(UserEntitlements {
            user_id: user.id,
            name,
            login_id: user.login_id.clone(),
            state: user.state,
            recap,
        });
    }
    Ok(EntitlementReport {
        entity_name: entity.name,
        generated_at: format_time(now()),
        resources: model::report::holders_until(&catalog, &named_rights),
        users: entitlements,
        reader_is_administrator: caller.session.is_administrator,
    })
}

fn yes_no(held: bool) -> &'static str {
    if held {
        "oui"
    } else {
        "non"
    }
}

/// The report as a CSV file for French spreadsheets: one line per user and account or
/// contract they hold a right on, with each level and its origin.
pub async fn csv(caller: &Caller) -> Result<String, ApiError> {
    let report = report(caller).await?;
    let mut out = format!(
        "\u{feff}{};{}\r\nCompte ou contrat;Détail;Utilisateur;Identifiant;État;Consultation;Gestion;Validation;Origine;Fin\r\n",
        csv_cell(&format!("Rapport des habilitations — {}", report.entity_name)),
        csv_cell(&report.generated_at),
    );
    for user in &report.users {
        for line in &user.recap.lines {
            let has = |level: Level| line.parts.iter().any(|(held, _)| *held == level);
            let origins: Vec<String> = line
                .parts
                .iter()
                .map(|(level, origin)| format!("{} : {}", level.label(), origin.label()))
                .collect();
            let cells = [
                line.label.clone(),
                line.detail.clone(),
                user.name.clone(),
                user.login_id.clone(),
                user.state.label().to_string(),
                yes_no(has(Level::Consultation)).to_string(),
                yes_no(has(Level::Gestion)).to_string(),
                yes_no(has(Level::Validation)).to_string(),
                origins.join(", "),
                // « Droits temporaires »: « validation : 05/01/2027 » for each level that ends.
                line.until
                    .iter()
                    .map(|(level, day)| format!("{} : {}", level.label(), day.french()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ];
            let cells: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
            out.push_str(&cells.join(";"));
            out.push_str("\r\n");
        }
        // Given from a day to come: « prévu » in its level's column, and the two days.
        for line in &user.recap.scheduled {
            let planned = |level: Level| if line.level == level { "prévu" } else { "non" };
            let cells = [
                line.label.clone(),
                line.detail.clone(),
                user.name.clone(),
                user.login_id.clone(),
                user.state.label().to_string(),
                planned(Level::Consultation).to_string(),
                planned(Level::Gestion).to_string(),
                planned(Level::Validation).to_string(),
                String::new(),
                model::period::from_until_phrase(line.starts_on, line.ends_on, model::Lang::Fr),
            ];
            let cells: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
            out.push_str(&cells.join(";"));
            out.push_str("\r\n");
        }
    }
    Ok(out)
}

/// What grant-time warnings are computed from: every other user's rights, and whether the user
/// concerned has a factor (`None`: the user being added, who has none yet).
pub async fn grant_context(
    caller: &Caller,
    user: Option<i64>,
) -> Result<(Vec<model::Rights>, bool), ApiError> {
    let pool = caller.state.db.pool();
    let others: Vec<model::Rights> = store::rights::of_entity(pool, caller.entity_id())
        .await?
        .into_iter()
        .filter(|(id, _)| Some(*id) != user)
        .map(|(_, stored)| stored.rights)
        .collect();
    let has_factor = match user {
        Some(id) => {
            let factors = super::sca::factors(&caller.state, id).await?;
            factors.has_passkey() || factors.has_totp()
        }
        None => false,
    };
    Ok((others, has_factor))
}

/// The warnings of giving `after` to a user (`None`: the user being added, who holds nothing
/// and has no factor yet), in the caller's language. Never blocking.
pub async fn grant_warnings(
    caller: &Caller,
    user: Option<i64>,
    before: &model::Rights,
    after: &model::Rights,
) -> Result<Vec<String>, ApiError> {
    let catalog = store::entities::catalog(caller.state.db.pool(), caller.entity_id()).await?;
    let (others, has_factor) = grant_context(caller, user).await?;
    Ok(
        model::warnings::grant_warnings(&catalog, &others, before, after, has_factor)
            .iter()
            .map(|warning| warning.sentence_in(caller.lang))
            .collect(),
    )
}

/// The warnings of an operation that gives rights (an addition, a modification).
pub async fn operation_warnings(
    caller: &Caller,
    operation: &model::Operation,
) -> Result<Vec<String>, ApiError> {
    match &operation.change {
        model::Change::AddUser { assignment, .. } => {
            grant_warnings(caller, None, &model::Rights::new(), &assignment.rights).await
        }
        model::Change::ModifyRights {
            user,
            before,
            assignment,
        } => grant_warnings(caller, Some(user.user_id), before, &assignment.rights).await,
        _ => Ok(Vec::new()),
    }
}

/// « Pourquoi ? »: for each account or contract and level, why the user holds it (which
/// operation and method, by whom, when) or not (never given; or taken away by whom, when).
pub async fn why(caller: &Caller, user_id: i64) -> Result<crate::api::types::WhyView, ApiError> {
    use crate::api::types::{WhyLine, WhyView};
    use crate::backend::store::rights::GrantRow;
    let pool = caller.state.db.pool();
    let entity_id = caller.entity_id();
    let user = store::users::find(pool, entity_id, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let catalog = store::entities::catalog(pool, entity_id).await?;
    let grants = store::rights::grants_of(pool, entity_id, user_id).await?;
    let revocations = store::rights::revocations_of(pool, entity_id, user_id).await?;
    let mut ids: Vec<i64> = grants
        .iter()
        .chain(&revocations)
        .flat_map(|row| {
            let copied = match Origin::from_code(&row.origin) {
                Origin::Copy { from_user, .. } => Some(from_user),
                _ => None,
            };
            [row.granted_by, row.revoked_by, copied]
        })
        .flatten()
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names = store::users::names(pool, entity_id, &ids).await?;
    // In the reader's language: the sentences, the dates and the origins.
    let lang = caller.lang;
    let at = |time: i64| crate::backend::format_time_in(time, lang);
    let name = |id: Option<i64>| match id {
        Some(id) => names
            .iter()
            .find(|(known, _)| *known == id)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| lang.pick("un ancien utilisateur", "a former user").into()),
        None => lang.pick("votre conseiller", "your advisor").into(),
    };
    let origin_label = |code: &str| match Origin::from_code(code) {
        Origin::Copy { from_user, .. } => Origin::Copy {
            from_user,
            name: name(Some(from_user)),
        }
        .label_in(lang),
        origin => origin.label_in(lang),
    };
    let mut operations: Vec<(String, String)> = Vec::new();
    let mut operation_ids: Vec<String> = Vec::new();
    for row in grants.iter().chain(&revocations) {
        operation_ids.extend(row.operation_id.clone());
        operation_ids.extend(row.revoking_operation_id.clone());
    }
    for id in &operation_ids {
        if operations.iter().all(|(known, _)| known != id) {
            let text = match store::operations::kind_and_digest(pool, id, entity_id).await? {
                Some((kind, digest)) => format!(
                    "{}, {} {}",
                    kind.label_in(lang),
                    lang.pick("opération", "operation"),
                    model::operation::short_code(&digest)
                ),
                None => String::new(),
            };
            operations.push((id.clone(), text));
        }
    }
    let operation = |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| operations.iter().find(|(known, _)| known == id))
            .filter(|(_, text)| !text.is_empty())
            .map(|(_, text)| format!(" — {text}"))
            .unwrap_or_default()
    };
    let matches = |row: &GrantRow, resource: model::ResourceRef, level: Level| {
        row.resource() == Some(resource) && row.level == level.code()
    };
    let mut lines = Vec::new();
    for resource in catalog.resources() {
        let label = catalog.label(resource).unwrap_or_default().to_string();
        for level in Level::ALL {
            let (held, reason) =
                if let Some(row) = grants.iter().find(|r| matches(r, resource, level)) {
                    (
                        true,
                        format!(
                            "{} {} {} {} ({}{}).",
                            lang.pick("Accordé le", "Granted on"),
                            at(row.granted_at),
                            lang.pick("par", "by"),
                            name(row.granted_by),
                            origin_label(&row.origin),
                            operation(&row.operation_id)
                        ),
                    )
                } else if let Some(row) = revocations.iter().find(|r| matches(r, resource, level)) {
                    (
                        false,
                        format!(
                            "{} {} {} {}{}{} {} ({}).",
                            lang.pick("Retiré le", "Taken away on"),
                            row.revoked_at.map(at).unwrap_or_default(),
                            lang.pick("par", "by"),
                            name(row.revoked_by),
                            operation(&row.revoking_operation_id),
                            lang.pick(" ; accordé le", "; granted on"),
                            at(row.granted_at),
                            origin_label(&row.origin),
                        ),
                    )
                } else {
                    (
                        false,
                        lang.pick("Jamais accordé.", "Never granted.").to_string(),
                    )
                };
            lines.push(WhyLine {
                label: label.clone(),
                level,
                held,
                reason,
            });
        }
    }
    Ok(WhyView {
        user_id,
        name: user.full_name(),
        lines,
        reader_is_administrator: caller.session.is_administrator,
    })
}
