//! « Gestion des utilisateurs »: the entity's users, searchable, and « Ajouter un utilisateur ».

use super::common::{on_loaded, Loading};
use super::RequireSignedIn;
use crate::api::types::{UserState, UserSummary};
use crate::api::users::list_users;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <RequireSignedIn admin=true>
            <UsersContent />
        </RequireSignedIn>
    }
}

/// Whether a user matches a search: name or login id, ignoring case and accents.
pub fn matches_search(user: &UserSummary, search: &str) -> bool {
    let search = fold(search.trim());
    search.is_empty()
        || fold(&user.full_name()).contains(&search)
        || fold(&format!("{} {}", user.last_name, user.first_name)).contains(&search)
        || user.login_id.contains(&search)
}

fn fold(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

#[component]
fn UsersContent() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users());
    let search = RwSignal::new(String::new());
    view! {
        <Title text="Gestion des utilisateurs · Habilis" />
        <section class="card">
            <div class="title-row">
                <h1>"Gestion des utilisateurs"</h1>
                <a class="button primary" href="/utilisateurs/ajout">"Ajouter un utilisateur"</a>
            </div>
            <div class="field search">
                <label for="user-search">"Rechercher un utilisateur"</label>
                <input id="user-search" type="search" placeholder="Nom, prénom ou identifiant" bind:value=search />
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(users.await, move |users| {
                        let users = StoredValue::new(users);
                        let shown = Memo::new(move |_| {
                            let search = search.get();
                            users.with_value(|all| {
                                all.iter().filter(|u| matches_search(u, &search)).cloned().collect::<Vec<_>>()
                            })
                        });
                        view! {
                            <p class="count" role="status">
                                {move || match shown.get().len() {
                                    0 => "Aucun utilisateur ne correspond à votre recherche.".to_string(),
                                    1 => "1 utilisateur".to_string(),
                                    n => format!("{n} utilisateurs"),
                                }}
                            </p>
                            <table class="users">
                                <thead>
                                    <tr>
                                        <th scope="col">"Nom"</th>
                                        <th scope="col">"Identifiant"</th>
                                        <th scope="col">"État"</th>
                                        <th scope="col">"Droits"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    <For each=move || shown.get() key=|u| u.id let:user>
                                        <tr>
                                            <td data-label="Nom">
                                                {user.full_name()}
                                                {user.is_administrator.then(|| view! { <span class="badge small">"Administrateur"</span> })}
                                            </td>
                                            <td data-label="Identifiant">{user.login_id.clone()}</td>
                                            <td data-label="État">
                                                <span class=move || state_class(user.state)>{user.state.label()}</span>
                                            </td>
                                            <td data-label="Droits">{user.rights_summary.clone()}</td>
                                        </tr>
                                    </For>
                                </tbody>
                            </table>
                        }
                    })
                })}
            </Transition>
        </section>
    }
}

fn state_class(state: UserState) -> &'static str {
    match state {
        UserState::Active => "state state-active",
        UserState::AwaitingFirstLogin => "state state-waiting",
        UserState::Suspended | UserState::Blocked => "state state-blocked",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(first: &str, last: &str, login: &str) -> UserSummary {
        UserSummary {
            id: 1,
            first_name: first.into(),
            last_name: last.into(),
            login_id: login.into(),
            state: UserState::Active,
            is_administrator: false,
            rights_summary: String::new(),
        }
    }

    #[test]
    fn search_matches_names_in_any_order_ignoring_case_and_accents_and_login_ids() {
        let lea = user("Léa", "ROUX", "2000000002");
        assert!(matches_search(&lea, ""));
        assert!(matches_search(&lea, "lea"));
        assert!(matches_search(&lea, "roux léa"));
        assert!(matches_search(&lea, "LÉA ROUX"));
        assert!(matches_search(&lea, "20000"));
        assert!(!matches_search(&lea, "martin"));
    }
}
