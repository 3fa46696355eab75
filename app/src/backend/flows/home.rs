//! The signed-in user's home page: who they are, for which entity, and their rights.

use crate::api::types::{AdvisorCard, EntityCard, Factors, HomeView, PasskeyInfo};
use crate::api::ApiError;
use crate::backend::guard::Caller;
use crate::backend::store;
use crate::backend::store::entities::{Advisor, Entity};
use crate::backend::{format_day, AppState};
use model::identity::format_phone;
use model::{Origin, Origins, Recap};

/// The home page: what the session does not already hold, in as few statements as it takes (the
/// user and entity card with the review's cadence, the catalog, the rights, the factors).
pub async fn home(caller: Caller) -> Result<HomeView, ApiError> {
    let state = &caller.state;
    let pool = state.db.pool();
    let session = &caller.session;
    let card = store::entities::home_card(pool, caller.entity_id(), caller.user_id())
        .await?
        .ok_or(ApiError::NotFound)?;
    let catalog = store::entities::catalog(pool, caller.entity_id()).await?;
    let recap = named_recap(state, caller.entity_id(), caller.user_id(), &catalog).await?;
    // The login's factors (see `sca`: for a person of a group, kept in another entity).
    let factors = store::unscoped(store::factors::summary(pool, session.login_user_id)).await?;
    let review_due = if session.is_administrator || session.is_auditor {
        super::review::due_after(card.review_cadence)
    } else {
        None
    };
    Ok(HomeView {
        first_name: session.first_name.clone(),
        last_name: session.last_name.clone(),
        login_id: card.login_id,
        email: card.email,
        entity: entity_card(card.entity),
        is_administrator: session.is_administrator,
        is_auditor: session.is_auditor,
        review_due,
        recap,
        factors: Factors {
            passkeys: factors
                .passkeys
                .into_iter()
                .map(|(label, created_at)| PasskeyInfo {
                    label,
                    created_on: format_day(created_at),
                })
                .collect(),
            has_totp: factors.has_totp,
        },
        sca_fresh: session.has_fresh_sca(store::now()),
    })
}

pub fn advisor_card(advisor: Advisor) -> AdvisorCard {
    AdvisorCard {
        name: format!(
            "{} {} {}",
            advisor.civility, advisor.first_name, advisor.last_name
        ),
        agency: advisor.agency,
        phone: format_phone(&advisor.phone),
        email: advisor.email,
    }
}

pub fn entity_card(entity: Entity) -> EntityCard {
    EntityCard {
        name: entity.name,
        kind: entity.kind.label().to_string(),
        siren: format_siren(&entity.siren),
        advisor: advisor_card(entity.advisor),
    }
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

/// A user's rights in plain words, each with where it comes from.
pub async fn named_recap(
    state: &AppState,
    entity_id: i64,
    user_id: i64,
    catalog: &model::Catalog,
) -> Result<Recap, ApiError> {
    let stored = store::rights::of_user(state.db.pool(), entity_id, user_id).await?;
    let origins = name_copies(state, entity_id, stored.origins.clone()).await?;
    Ok(Recap::new(catalog, &stored.rights, |resource, level| {
        origins
            .get(&(resource, level))
            .cloned()
            .unwrap_or(Origin::Custom)
    })
    .with_ends(|resource, level| stored.last_day(resource, level))
    .with_scheduled(
        catalog,
        store::rights::scheduled(state.db.pool(), entity_id, Some(user_id))
            .await?
            .iter()
            .filter_map(store::rights::ScheduledRow::days),
    ))
}

/// Names the users rights were copied from (a stored origin keeps only their id): one read per
/// distinct copied user, never the entity's whole list of users.
pub async fn name_copies(
    state: &AppState,
    entity_id: i64,
    origins: Origins,
) -> Result<Origins, ApiError> {
    let mut names: Vec<(i64, String)> = Vec::new();
    let mut named = Origins::new();
    for (key, origin) in origins {
        let origin = match origin {
            Origin::Copy { from_user, .. } => {
                let known = names.iter().find(|(id, _)| *id == from_user);
                let name = match known {
                    Some((_, name)) => name.clone(),
                    None => {
                        let name = store::users::find(state.db.pool(), entity_id, from_user)
                            .await?
                            .map(|user| user.full_name())
                            .unwrap_or_else(|| "un ancien utilisateur".into());
                        names.push((from_user, name.clone()));
                        name
                    }
                };
                Origin::Copy { from_user, name }
            }
            other => other,
        };
        named.insert(key, origin);
    }
    Ok(named)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sirens_are_grouped_by_three() {
        assert_eq!(super::format_siren("552100554"), "552 100 554");
    }
}
