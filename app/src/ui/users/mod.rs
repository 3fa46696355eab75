//! « Gestion des utilisateurs »: the entity's users, searched and paged by the server, and
//! « Ajouter un utilisateur ».

pub mod add;
pub mod grid;
pub mod user;

use super::common::{on_loaded, Loading, PageHeading};
use super::RequireSignedIn;
use crate::api::types::{UserSearch, UserState, UsersPage};
use crate::api::users::search_users;
use crate::i18n::*;
use crate::ui::common::I18n;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// The state as the page's address names it.
pub fn state_slug(state: UserState) -> &'static str {
    match state {
        UserState::AwaitingFirstLogin => "en-attente",
        UserState::Active => "actif",
        UserState::Suspended => "suspendu",
        UserState::Blocked => "bloque",
        UserState::Removed => "retire",
    }
}

fn state_from_slug(slug: &str) -> Option<UserState> {
    [
        UserState::AwaitingFirstLogin,
        UserState::Active,
        UserState::Suspended,
        UserState::Blocked,
        UserState::Removed,
    ]
    .into_iter()
    .find(|state| state_slug(*state) == slug)
}

pub fn state_label(i18n: I18n, state: UserState) -> String {
    match state {
        UserState::AwaitingFirstLogin => t_string!(i18n, users.state_awaiting).to_string(),
        UserState::Active => t_string!(i18n, users.state_active).to_string(),
        UserState::Suspended => t_string!(i18n, users.state_suspended).to_string(),
        UserState::Blocked => t_string!(i18n, users.state_blocked).to_string(),
        UserState::Removed => t_string!(i18n, users.state_removed).to_string(),
    }
}

pub fn state_class(state: UserState) -> &'static str {
    match state {
        UserState::Active => "state state-active",
        UserState::AwaitingFirstLogin => "state state-waiting",
        UserState::Suspended | UserState::Blocked => "state state-blocked",
        UserState::Removed => "state state-removed",
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <RequireSignedIn admin=true>
            <UsersContent />
        </RequireSignedIn>
    }
}

/// The address of a page of the list, keeping the search.
fn page_url(text: &str, state: Option<UserState>, page: u32) -> String {
    let mut query = vec![];
    if !text.is_empty() {
        query.push(format!("recherche={}", urlencode(text)));
    }
    if let Some(state) = state {
        query.push(format!("etat={}", state_slug(state)));
    }
    if page > 1 {
        query.push(format!("page={page}"));
    }
    if query.is_empty() {
        "/utilisateurs".into()
    } else {
        format!("/utilisateurs?{}", query.join("&"))
    }
}

fn urlencode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[component]
fn UsersContent() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let search = Memo::new(move |_| {
        query.with(|q| UserSearch {
            text: q.get("recherche").unwrap_or_default(),
            state: q.get("etat").as_deref().and_then(state_from_slug),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        })
    });
    let page = Resource::new(move || search.get(), search_users);
    view! {
        <Title text=move || t_string!(i18n, users.title).to_string() />
        <section class="card">
            <div class="title-row">
                <PageHeading>{t!(i18n, users.title)}</PageHeading>
                <a class="button primary" href="/utilisateurs/ajout">{t!(i18n, users.add)}</a>
            </div>
            // A GET form: the search is in the page's address (reload, back, a shared link),
            // and works before the wasm loads.
            <Form method="get" action="/utilisateurs" attr:class="search-form" attr:role="search">
                <div class="field search">
                    <label for="user-search">{t!(i18n, users.search)}</label>
                    <input
                        id="user-search"
                        name="recherche"
                        type="search"
                        value=move || search.with_untracked(|s| s.text.clone())
                        placeholder=move || t_string!(i18n, users.search_placeholder).to_string()
                    />
                </div>
                {move || search.with_untracked(|s| s.state).map(|state| view! {
                    <input type="hidden" name="etat" value=state_slug(state) />
                })}
                <button class="button" type="submit">{t!(i18n, users.search_button)}</button>
            </Form>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(page.await, move |page: UsersPage| users_view(i18n, search.get_untracked(), page))
                })}
            </Transition>
        </section>
    }
}

fn users_view(i18n: I18n, search: UserSearch, page: UsersPage) -> impl IntoView {
    let counts = page.counts;
    let filters = [
        (None, counts.all),
        (Some(UserState::Active), counts.active),
        (
            Some(UserState::AwaitingFirstLogin),
            counts.awaiting_first_login,
        ),
        (Some(UserState::Suspended), counts.suspended),
        (Some(UserState::Blocked), counts.blocked),
        (Some(UserState::Removed), counts.removed),
    ];
    let text = search.text.clone();
    let count = page.matching;
    view! {
        <nav class="state-filters" aria-label=move || t_string!(i18n, users.filter_by_state).to_string()>
            {filters.into_iter().map(|(state, n)| {
                let label = match state {
                    Some(state) => state_label(i18n, state),
                    None => t_string!(i18n, users.all_states).to_string(),
                };
                let current = (search.state == state).then_some("page");
                view! {
                    <a class="filter" href=page_url(&text, state, 1) aria-current=current>
                        {label}" "<span class="filter-count">{n}</span>
                    </a>
                }
            }).collect_view()}
        </nav>
        <p class="count" role="status">
            {move || match count {
                0 => t_string!(i18n, users.none_found).to_string(),
                1 => t_string!(i18n, users.one).to_string(),
                n => crate::ui::common::fill(t_string!(i18n, users.many), &[("n", &n.to_string())]),
            }}
        </p>
        <table class="users">
            <caption class="visually-hidden">{t!(i18n, users.title)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, users.name)}</th>
                    <th scope="col">{t!(i18n, users.login_id)}</th>
                    <th scope="col">{t!(i18n, users.state)}</th>
                    <th scope="col">{t!(i18n, users.rights)}</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || page.users.clone() key=|u| u.id let:user>
                    <tr>
                        <th scope="row" data-label=move || t_string!(i18n, users.name).to_string()>
                            <a href=format!("/utilisateurs/{}", user.id)>{user.full_name()}</a>
                            {user.is_administrator.then(|| view! { <span class="badge small">{t!(i18n, users.administrator)}</span> })}
                            {user.is_auditor.then(|| view! { <span class="badge small">{t!(i18n, users.auditor)}</span> })}
                        </th>
                        <td data-label=move || t_string!(i18n, users.login_id).to_string()>{user.login_id.clone()}</td>
                        <td data-label=move || t_string!(i18n, users.state).to_string()>
                            <span class=state_class(user.state)>{state_label(i18n, user.state)}</span>
                        </td>
                        <td data-label=move || t_string!(i18n, users.rights).to_string()>{user.rights_summary.clone()}</td>
                    </tr>
                </For>
            </tbody>
        </table>
        {(page.pages > 1).then(|| {
            let (current, pages) = (page.page, page.pages);
            let previous = (current > 1).then(|| page_url(&search.text, search.state, current - 1));
            let next = (current < pages).then(|| page_url(&search.text, search.state, current + 1));
            view! {
                <nav class="pagination" aria-label=move || t_string!(i18n, users.pages).to_string()>
                    {previous.map(|href| view! { <a href=href rel="prev">{t!(i18n, users.previous)}</a> })}
                    <span>{t!(i18n, users.page_of, current, pages)}</span>
                    {next.map(|href| view! { <a href=href rel="next">{t!(i18n, users.next)}</a> })}
                </nav>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_addresses_keep_the_search_and_the_state() {
        assert_eq!(page_url("", None, 1), "/utilisateurs");
        assert_eq!(
            page_url("léa roux", Some(UserState::Active), 2),
            "/utilisateurs?recherche=l%C3%A9a%20roux&etat=actif&page=2"
        );
        for state in [
            UserState::Active,
            UserState::Blocked,
            UserState::Suspended,
            UserState::AwaitingFirstLogin,
            UserState::Removed,
        ] {
            assert_eq!(state_from_slug(state_slug(state)), Some(state));
        }
    }
}
