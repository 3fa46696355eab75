//! The signed-in user's home page: who they are, for which entity, and their rights.

use super::super::guard::Caller;
use super::super::{directory, format_day, AppState};
use crate::api::types::{Factors, HomeView, PasskeyInfo};
use crate::api::ApiError;
use model::{Origin, Recap};
use sqlx::Row;

pub async fn home(caller: Caller) -> Result<HomeView, ApiError> {
    let state = &caller.state;
    let pool = state.db.pool();
    let user = directory::user(pool, caller.entity_id(), caller.user_id())
        .await?
        .ok_or(ApiError::NotFound)?;
    let entity = directory::entity_card(&state.db, caller.entity_id())
        .await?
        .ok_or(ApiError::NotFound)?;
    let catalog = directory::catalog(pool, caller.entity_id()).await?;
    let recap = named_recap(state, caller.entity_id(), caller.user_id(), &catalog).await?;
    let passkeys =
        sqlx::query("SELECT label, created_at FROM passkeys WHERE user_id = $1 ORDER BY id")
            .bind(caller.user_id())
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| {
                Ok(PasskeyInfo {
                    label: row.try_get("label")?,
                    created_on: format_day(row.try_get("created_at")?),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let has_totp = super::sca::factors(state, caller.user_id()).await?.1;
    Ok(HomeView {
        first_name: user.first_name,
        last_name: user.last_name,
        login_id: user.login_id,
        email: user.email,
        entity,
        is_administrator: user.is_administrator,
        recap,
        factors: Factors { passkeys, has_totp },
    })
}

/// A user's rights as a recap, with copied rights naming the user they were copied from.
pub async fn named_recap(
    state: &AppState,
    entity_id: i64,
    user_id: i64,
    catalog: &model::Catalog,
) -> Result<Recap, ApiError> {
    let stored = directory::rights(state.db.pool(), entity_id, user_id).await?;
    let users = directory::users(&state.db, entity_id).await?;
    let name_of = |id: i64| {
        users
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.full_name())
            .unwrap_or_else(|| "un ancien utilisateur".into())
    };
    Ok(Recap::new(
        catalog,
        &stored.rights,
        |resource, level| match stored.origins.get(&(resource, level)) {
            Some(Origin::Copy { from_user, .. }) => Origin::Copy {
                from_user: *from_user,
                name: name_of(*from_user),
            },
            Some(origin) => origin.clone(),
            None => Origin::Custom,
        },
    ))
}
