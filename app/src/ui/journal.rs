//! « Journal des opérations »: the entity's events, newest first, filtered by a GET form (the
//! search is in the address: reload, back, a shared link, and it works before the wasm), paged
//! by the server; « Exporter (CSV) » downloads the same search; « Vérifier l’intégrité »
//! recomputes the hash chain. A table on a desktop, one card per event on a phone.

use super::common::{action_error, busy, on_loaded, ErrorNotice, I18n, Loading, PageHeading};
use super::RequireSignedIn;
use crate::api::journal::{load_journal, VerifyJournal};
use crate::api::types::{IntegrityReport, JournalPage, JournalSearch};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn JournalPage() -> impl IntoView {
    view! {
        <RequireSignedIn oversight=true>
            <JournalContent />
        </RequireSignedIn>
    }
}

/// The address of a page of the journal, keeping the search.
fn page_url(search: &JournalSearch, page: u32) -> String {
    let mut query = search.to_query();
    if page > 1 {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&format!("page={page}"));
    }
    if query.is_empty() {
        "/journal".into()
    } else {
        format!("/journal?{query}")
    }
}

#[component]
fn JournalContent() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let search = Memo::new(move |_| {
        query.with(|q| {
            let pairs: Vec<(String, String)> =
                ["du", "au", "type", "auteur", "utilisateur", "page"]
                    .into_iter()
                    .filter_map(|name| q.get(name).map(|value| (name.to_string(), value)))
                    .collect();
            JournalSearch::from_query(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        })
    });
    let page = Resource::new(move || search.get(), load_journal);
    let verify = ServerAction::<VerifyJournal>::new();
    view! {
        <Title text=move || t_string!(i18n, journal.title).to_string() />
        <section class="card">
            <div class="title-row">
                <PageHeading>{t!(i18n, journal.title)}</PageHeading>
            </div>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    let current = search.get_untracked();
                    on_loaded(page.await, move |page| journal_view(i18n, current.clone(), page))
                })}
            </Transition>
            <Integrity verify />
        </section>
    }
}

fn journal_view(i18n: I18n, search: JournalSearch, page: JournalPage) -> AnyView {
    let csv = match search.to_query() {
        query if query.is_empty() => "/journal.csv".to_string(),
        query => format!("/journal.csv?{query}"),
    };
    let selected = |value: &str, current: &str| value == current;
    let kind_options = page
        .kinds
        .iter()
        .map(|(code, label)| {
            let is = selected(code, &search.kind);
            view! { <option value=code.clone() selected=is>{label.clone()}</option> }
        })
        .collect_view();
    let user_options = |current: Option<i64>| {
        page.users
            .iter()
            .map(|(id, name)| {
                let is = current == Some(*id);
                view! { <option value=id.to_string() selected=is>{name.clone()}</option> }
            })
            .collect_view()
    };
    let (authors, concerned) = (user_options(search.author), user_options(search.user));
    let count = page.matching;
    let (from, to) = (search.from.clone(), search.to.clone());
    let pagination = (page.pages > 1).then(|| {
        let (current, pages) = (page.page, page.pages);
        let previous = (current > 1).then(|| page_url(&search, current - 1));
        let next = (current < pages).then(|| page_url(&search, current + 1));
        view! {
            <nav class="pagination" aria-label=move || t_string!(i18n, users.pages).to_string()>
                {previous.map(|href| view! { <a href=href rel="prev">{t!(i18n, users.previous)}</a> })}
                <span>{t!(i18n, users.page_of, current, pages)}</span>
                {next.map(|href| view! { <a href=href rel="next">{t!(i18n, users.next)}</a> })}
            </nav>
        }
    });
    view! {
        <Form method="get" action="/journal" attr:class="journal-filters" attr:role="search">
            <div class="field">
                <label for="journal-from">{t!(i18n, journal.from)}</label>
                <input id="journal-from" name="du" type="date" value=from />
            </div>
            <div class="field">
                <label for="journal-to">{t!(i18n, journal.to)}</label>
                <input id="journal-to" name="au" type="date" value=to />
            </div>
            <div class="field">
                <label for="journal-kind">{t!(i18n, journal.kind)}</label>
                <select id="journal-kind" name="type">
                    <option value="">{t!(i18n, journal.all_kinds)}</option>
                    {kind_options}
                </select>
            </div>
            <div class="field">
                <label for="journal-user">{t!(i18n, journal.concerned)}</label>
                <select id="journal-user" name="utilisateur">
                    <option value="">{t!(i18n, journal.everyone)}</option>
                    {concerned}
                </select>
            </div>
            <div class="field">
                <label for="journal-author">{t!(i18n, journal.author)}</label>
                <select id="journal-author" name="auteur">
                    <option value="">{t!(i18n, journal.everyone)}</option>
                    {authors}
                </select>
            </div>
            <div class="actions">
                <button class="button" type="submit">{t!(i18n, journal.filter)}</button>
                <a class="button" href=csv download="journal-des-operations.csv" rel="external">{t!(i18n, journal.export)}</a>
            </div>
        </Form>
        <p class="count" role="status">
            {match count {
                0 => t_string!(i18n, journal.none).to_string(),
                1 => t_string!(i18n, journal.one).to_string(),
                n => crate::ui::common::fill(t_string!(i18n, journal.many), &[("n", &n.to_string())]),
            }}
        </p>
        <table class="users journal">
            <caption class="visually-hidden">{t!(i18n, journal.title)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, journal.date)}</th>
                    <th scope="col">{t!(i18n, journal.event)}</th>
                    <th scope="col">{t!(i18n, journal.concerned)}</th>
                    <th scope="col">{t!(i18n, journal.author)}</th>
                </tr>
            </thead>
            <tbody>
                <For each=move || page.entries.clone() key=|e| e.id let:entry>
                    <tr>
                        <td data-label=move || t_string!(i18n, journal.date).to_string()>{entry.at.clone()}</td>
                        <th scope="row" data-label=move || t_string!(i18n, journal.event).to_string()>{entry.kind.clone()}</th>
                        <td data-label=move || t_string!(i18n, journal.concerned).to_string()>{entry.concerned.clone().unwrap_or_default()}</td>
                        <td data-label=move || t_string!(i18n, journal.author).to_string()>{entry.author.clone().unwrap_or_else(|| t_string!(i18n, journal.system).to_string())}</td>
                    </tr>
                </For>
            </tbody>
        </table>
        {pagination}
    }
    .into_any()
}

/// « Vérifier l’intégrité »: a form (it works before the wasm), then the result.
#[component]
fn Integrity(verify: ServerAction<VerifyJournal>) -> impl IntoView {
    let i18n = use_i18n();
    let pending = busy(*verify);
    let error = action_error(*verify);
    let report = move || verify.value().get().and_then(Result::ok);
    view! {
        <h2>{t!(i18n, journal.integrity)}</h2>
        <p>{t!(i18n, journal.integrity_intro)}</p>
        <ActionForm action=verify attr:class="form">
            <div class="field">
                <label for="journal-checkpoint">{t!(i18n, journal.checkpoint_kept)}</label>
                <input id="journal-checkpoint" name="form[checkpoint]" type="text" autocomplete="off" spellcheck="false" />
                <p class="hint">{t!(i18n, journal.checkpoint_hint)}</p>
            </div>
            <button class="button" type="submit" disabled=move || pending.get()>{t!(i18n, journal.verify)}</button>
        </ActionForm>
        <ErrorNotice error />
        {move || report().map(|report: IntegrityReport| {
            let events = report.events.to_string();
            let checkpoint = report.checkpoint.clone();
            if report.intact {
                view! {
                    <p class="notice notice-success" role="status">
                        {t!(i18n, journal.intact, events)}
                        {report.against_checkpoint.then(|| view! { " "{t!(i18n, journal.checkpoint_ok)} })}
                    </p>
                    <p>{t!(i18n, journal.checkpoint_now)}</p>
                    <p><code class="checkpoint" data-testid="checkpoint">{checkpoint}</code></p>
                }.into_any()
            } else {
                let at = report
                    .first_broken
                    .map(|id| format!(" (n° {id})"))
                    .unwrap_or_default();
                view! { <p class="notice notice-warning" role="alert">{t!(i18n, journal.broken, at)}</p> }.into_any()
            }
        })}
    }
}
