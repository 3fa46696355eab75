//! « Gestion des utilisateurs »: the entity's users and their rights.

use super::home::named_recap;
use crate::api::types::{UserRights, UserSummary};
use crate::api::ApiError;
use crate::backend::guard::Caller;
use crate::backend::store::{self, users::Summary};

/// « 6 comptes et contrats · consultation 6, gestion 5, validation 2 », or « Aucun droit ».
/// Consultation is held on every account or contract in scope, so it counts the scope.
pub fn rights_summary(summary: &Summary) -> String {
    let scope = summary.consultation;
    if scope == 0 {
        return if summary.is_administrator {
            "Administration uniquement".into()
        } else {
            "Aucun droit".into()
        };
    }
    let plural = if scope > 1 {
        "comptes et contrats"
    } else {
        "compte ou contrat"
    };
    format!(
        "{scope} {plural} · consultation {}, gestion {}, validation {}",
        summary.consultation, summary.gestion, summary.validation
    )
}

fn user_summary(summary: Summary) -> UserSummary {
    UserSummary {
        rights_summary: rights_summary(&summary),
        id: summary.id,
        first_name: summary.first_name,
        last_name: summary.last_name,
        login_id: summary.login_id,
        state: summary.state,
        is_administrator: summary.is_administrator,
    }
}

/// « Gestion des utilisateurs »
pub async fn list(caller: &Caller) -> Result<Vec<UserSummary>, ApiError> {
    Ok(
        store::users::summaries(caller.state.db.pool(), caller.entity_id())
            .await?
            .into_iter()
            .map(user_summary)
            .collect(),
    )
}

/// An existing user's rights, for the copy method's recap (« récapitulatif des droits à
/// copier »).
pub async fn rights(caller: &Caller, user_id: i64) -> Result<UserRights, ApiError> {
    let pool = caller.state.db.pool();
    let user = store::users::find(pool, caller.entity_id(), user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let catalog = store::entities::catalog(pool, caller.entity_id()).await?;
    let stored = store::rights::of_user(pool, caller.entity_id(), user_id).await?;
    let recap = named_recap(&caller.state, caller.entity_id(), user_id, &catalog).await?;
    Ok(UserRights {
        user_id,
        name: user.full_name(),
        rights: stored.rights,
        recap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::UserState;

    fn summary(consultation: i64, gestion: i64, validation: i64, admin: bool) -> Summary {
        Summary {
            id: 1,
            first_name: "Léa".into(),
            last_name: "ROUX".into(),
            login_id: "2000000002".into(),
            state: UserState::Active,
            is_administrator: admin,
            consultation,
            gestion,
            validation,
        }
    }

    #[test]
    fn summaries_count_scope_and_levels() {
        assert_eq!(rights_summary(&summary(0, 0, 0, false)), "Aucun droit");
        assert_eq!(
            rights_summary(&summary(0, 0, 0, true)),
            "Administration uniquement"
        );
        assert_eq!(
            rights_summary(&summary(2, 1, 1, false)),
            "2 comptes et contrats · consultation 2, gestion 1, validation 1"
        );
        assert_eq!(
            rights_summary(&summary(1, 0, 0, false)),
            "1 compte ou contrat · consultation 1, gestion 0, validation 0"
        );
    }
}
