//! « Gestion des utilisateurs »: the entity's users and their rights.

use super::home::named_recap;
use crate::api::types::{StateCounts, UserRights, UserSearch, UserState, UserSummary, UsersPage};
use crate::api::ApiError;
use crate::backend::guard::Caller;
use crate::backend::store::{self, users::Summary, users::User};

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
        is_auditor: summary.is_auditor,
    }
}

/// Lower case without accents, for searching: « Léa » and « LEA » are both « lea ».
pub fn fold(text: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization as _;
    text.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of a search, folded; characters that mean something to `LIKE` are dropped.
pub fn search_words(text: &str) -> Vec<String> {
    fold(text)
        .split_whitespace()
        .map(|word| {
            word.chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, '@' | '.' | '-' | '\''))
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .take(6)
        .collect()
}

/// The text a user is found by.
pub fn search_text(user: &User) -> String {
    fold(&format!(
        "{} {} {} {}",
        user.first_name, user.last_name, user.login_id, user.email
    ))
}

/// Writes the search text of users created before it existed (at start-up).
pub async fn index_users(db: &store::Db) -> Result<usize, sqlx::Error> {
    let users = store::users::without_search_text(db.pool()).await?;
    for user in &users {
        store::users::set_search_text(db.pool(), user.id, &search_text(user)).await?;
    }
    Ok(users.len())
}

/// Users per page of « Gestion des utilisateurs ».
pub const PAGE_SIZE: i64 = 50;

/// « Gestion des utilisateurs »: one page of the users matching the search, and how many match
/// in each state.
pub async fn search(caller: &Caller, search: &UserSearch) -> Result<UsersPage, ApiError> {
    let pool = caller.state.db.pool();
    let words = search_words(&search.text);
    let counts = store::users::count_by_state(pool, caller.entity_id(), &words).await?;
    let count_of = |state: UserState| {
        counts
            .iter()
            .filter(|(s, _)| *s == state)
            .map(|(_, n)| *n)
            .sum::<i64>()
    };
    let counts = StateCounts {
        all: counts
            .iter()
            .filter(|(state, _)| *state != UserState::Removed)
            .map(|(_, n)| n)
            .sum(),
        awaiting_first_login: count_of(UserState::AwaitingFirstLogin),
        active: count_of(UserState::Active),
        suspended: count_of(UserState::Suspended),
        blocked: count_of(UserState::Blocked),
        removed: count_of(UserState::Removed),
    };
    let matching = search.state.map_or(counts.all, count_of);
    let pages = ((matching + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page = i64::from(search.page.max(1)).min(pages);
    let users = store::users::search(
        pool,
        caller.entity_id(),
        &store::users::Search {
            words: &words,
            state: search.state,
            exclude_removed: true,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        },
    )
    .await?;
    Ok(UsersPage {
        users: users.into_iter().map(user_summary).collect(),
        matching,
        counts,
        page: page as u32,
        pages: pages as u32,
    })
}

/// Every user of the entity (the copy method's choice).
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

    #[test]
    fn searching_ignores_case_accents_and_like_wildcards() {
        assert_eq!(fold("Léa LEFÈVRE Çà"), "lea lefevre ca");
        assert_eq!(search_words("  Roux   léa  "), vec!["roux", "lea"]);
        assert_eq!(search_words("50% _x"), vec!["50", "x"]);
    }

    fn summary(consultation: i64, gestion: i64, validation: i64, admin: bool) -> Summary {
        Summary {
            id: 1,
            first_name: "Léa".into(),
            last_name: "ROUX".into(),
            login_id: "2000000002".into(),
            state: UserState::Active,
            is_administrator: admin,
            is_auditor: false,
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
