//! The signed-in user's home page: who they are, for which entity, and their rights.

use super::sca;
use crate::api::types::{AdvisorCard, EntityCard, Factors, HomeView, PasskeyInfo};
use crate::api::ApiError;
use crate::backend::guard::Caller;
use crate::backend::store::entities::{Advisor, Entity};
use crate::backend::store::{self, users::User};
use crate::backend::{format_day, AppState};
use model::identity::format_phone;
use model::{Origin, Recap};

pub async fn home(caller: Caller) -> Result<HomeView, ApiError> {
    let state = &caller.state;
    let pool = state.db.pool();
    let user = store::users::find(pool, caller.entity_id(), caller.user_id())
        .await?
        .ok_or(ApiError::NotFound)?;
    let entity = store::entities::find(pool, caller.entity_id())
        .await?
        .ok_or(ApiError::NotFound)?;
    let catalog = store::entities::catalog(pool, caller.entity_id()).await?;
    let recap = named_recap(state, caller.entity_id(), caller.user_id(), &catalog).await?;
    let passkeys = store::factors::passkeys(pool, caller.user_id())
        .await?
        .into_iter()
        .map(|key| PasskeyInfo {
            label: key.label,
            created_on: format_day(key.created_at),
        })
        .collect();
    let has_totp = sca::factors(state, caller.user_id()).await?.has_totp();
    Ok(HomeView {
        first_name: user.first_name,
        last_name: user.last_name,
        login_id: user.login_id,
        email: user.email,
        entity: entity_card(entity),
        is_administrator: user.is_administrator,
        recap,
        factors: Factors { passkeys, has_totp },
        sca_fresh: caller.session.has_fresh_sca(store::now()),
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

/// A user's rights as a recap, with copied rights naming the user they were copied from.
pub async fn named_recap(
    state: &AppState,
    entity_id: i64,
    user_id: i64,
    catalog: &model::Catalog,
) -> Result<Recap, ApiError> {
    let stored = store::rights::of_user(state.db.pool(), entity_id, user_id).await?;
    let users = store::users::list(state.db.pool(), entity_id).await?;
    Ok(Recap::new(catalog, &stored.rights, |resource, level| {
        name_origin(stored.origins.get(&(resource, level)), &users)
    }))
}

/// Names the user a right was copied from (an origin stores only their id).
pub fn name_origin(origin: Option<&Origin>, users: &[User]) -> Origin {
    match origin {
        Some(Origin::Copy { from_user, .. }) => Origin::Copy {
            from_user: *from_user,
            name: users
                .iter()
                .find(|u| u.id == *from_user)
                .map(User::full_name)
                .unwrap_or_else(|| "un ancien utilisateur".into()),
        },
        Some(origin) => origin.clone(),
        None => Origin::Custom,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sirens_are_grouped_by_three() {
        assert_eq!(super::format_siren("552100554"), "552 100 554");
    }
}
