//! « Accueil »: who is signed in, for which entity, and with which rights.

use super::common::{on_loaded, page_lang, Loading, PageHeading};
use super::RequireSignedIn;
use crate::api::session::home;
use crate::api::types::HomeView;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use model::Recap;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <RequireSignedIn>
            <HomeContent />
        </RequireSignedIn>
    }
}

#[component]
fn HomeContent() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| home());
    view! {
        <Title text=move || t_string!(i18n, home.title).to_string() />
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move { on_loaded(data.await, home_view) })}
        </Transition>
    }
}

fn home_view(home: HomeView) -> impl IntoView {
    let i18n = use_i18n();
    let entity = home.entity.clone();
    let name = format!("{} {}", home.first_name, home.last_name);
    view! {
        <section class="card">
            <PageHeading>{t!(i18n, home.hello, name)}</PageHeading>
            <dl class="facts">
                <div><dt>{t!(i18n, home.entity)}</dt><dd data-testid="entity-name">{entity.name.clone()}</dd></div>
                <div><dt>{t!(i18n, home.kind)}</dt><dd>{entity.kind.clone()}</dd></div>
                <div><dt>"SIREN"</dt><dd>{entity.siren.clone()}</dd></div>
                <div><dt>{t!(i18n, home.login_id)}</dt><dd>{home.login_id.clone()}</dd></div>
                <div><dt>{t!(i18n, home.email)}</dt><dd>{home.email.clone()}</dd></div>
            </dl>
            {home.is_administrator.then(|| view! {
                <p class="badge">{t!(i18n, home.administrator)}</p>
                <p><a class="button" href="/utilisateurs">{t!(i18n, layout.users)}</a></p>
            })}
            {(home.is_auditor && !home.is_administrator).then(|| view! {
                <p class="badge">{t!(i18n, home.auditor)}</p>
                <p class="actions">
                    <a class="button" href="/journal">{t!(i18n, layout.journal)}</a>
                    <a class="button" href="/habilitations">{t!(i18n, layout.report)}</a>
                    <a class="button" href="/revues">{t!(i18n, layout.reviews)}</a>
                </p>
            })}
            {home.review_due.clone().map(|due| view! {
                {super::review::due_notice(i18n, due)}
                <p class="tap-link"><a href="/revues">{t!(i18n, home.to_reviews)}</a></p>
            })}
        </section>
        <section class="card">
            <h2>{t!(i18n, home.your_rights)}</h2>
            <RecapView recap=home.recap.clone() />
        </section>
        <section class="card">
            <h2>{t!(i18n, home.your_advisor)}</h2>
            <p>{entity.advisor.name.clone()}" — "{entity.advisor.agency.clone()}</p>
            <p>{entity.advisor.phone.clone()}" · "{entity.advisor.email.clone()}</p>
        </section>
    }
}

/// A recap of rights, in plain words of the page's language, with where each comes from.
#[component]
pub fn RecapView(recap: Recap) -> impl IntoView {
    let i18n = use_i18n();
    let administration = {
        let recap = recap.clone();
        move || recap.administration_sentence_in(page_lang(i18n))
    };
    let excluded = recap.excluded.clone();
    view! {
        <div class="recap">
            {if recap.lines.is_empty() {
                view! { <p>{t!(i18n, home.no_right)}</p> }.into_any()
            } else {
                view! {
                    <ul class="recap-lines">
                        {recap.lines.into_iter().map(|line| view! {
                            <li>
                                <span class="recap-resource">{line.label.clone()}</span>
                                <span class="recap-detail">{line.detail.clone()}</span>
                                <span class="recap-rights">{move || line.sentence_in(page_lang(i18n))}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!excluded.is_empty()).then(|| {
                let list = move || model::recap::join(page_lang(i18n), &excluded.iter().map(String::as_str).collect::<Vec<_>>());
                view! { <p class="recap-excluded">{t!(i18n, home.out_of_scope, list)}</p> }
            })}
            {(!recap.scheduled.is_empty()).then(|| {
                let scheduled = recap.scheduled.clone();
                view! {
                    <h3 class="recap-scheduled-title">{t!(i18n, home.scheduled)}</h3>
                    <ul class="recap-scheduled">
                        {scheduled.into_iter().map(|line| view! {
                            <li>{move || line.sentence_in(page_lang(i18n))}</li>
                        }).collect_view()}
                    </ul>
                }
            })}
            <p class="recap-admin">{administration}</p>
        </div>
    }
}
