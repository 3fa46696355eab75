//! « Pourquoi ? » (`/utilisateurs/{id}/pourquoi`): for each account or contract and level, why
//! the user holds it (which operation and method, by whom, when) or not (never given; or taken
//! away by whom and when). A table on a desktop, cards on a phone.

use super::common::{on_loaded, Loading, PageHeading};
use super::RequireSignedIn;
use crate::api::journal::load_why;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::Level;

#[component]
pub fn WhyPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("user")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    });
    let why = Resource::new(move || id.get(), load_why);
    let level_label = move |level: Level| match level {
        Level::Consultation => t_string!(i18n, grid.consultation).to_string(),
        Level::Gestion => t_string!(i18n, grid.gestion).to_string(),
        Level::Validation => t_string!(i18n, grid.validation).to_string(),
    };
    view! {
        <Title text=move || t_string!(i18n, why.title).to_string() />
        <RequireSignedIn oversight=true>
            <section class="card">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        on_loaded(why.await, move |why| {
                            let to_report = !why.reader_is_administrator;
                            let back = if why.reader_is_administrator {
                                format!("/utilisateurs/{}", why.user_id)
                            } else {
                                "/habilitations".to_string()
                            };
                            let name = why.name.clone();
                            view! {
                                <PageHeading>{t!(i18n, why.heading, name)}</PageHeading>
                                <table class="users why">
                                    <caption class="visually-hidden">{t!(i18n, why.title)}</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, report.resource)}</th>
                                            <th scope="col">{t!(i18n, why.right)}</th>
                                            <th scope="col">{t!(i18n, why.held)}</th>
                                            <th scope="col">{t!(i18n, why.reason)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {why.lines.into_iter().map(|line| view! {
                                            <tr>
                                                <th scope="row">{line.label.clone()}</th>
                                                <td data-label=move || t_string!(i18n, why.right).to_string()>{level_label(line.level)}</td>
                                                <td data-label=move || t_string!(i18n, why.held).to_string()>
                                                    {if line.held { t_string!(i18n, user.yes) } else { t_string!(i18n, user.no) }}
                                                </td>
                                                <td data-label=move || t_string!(i18n, why.reason).to_string()>{line.reason.clone()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <p class="back-link">
                                    <a href=back>
                                        {if to_report { t!(i18n, why.back_report).into_any() } else { t!(i18n, why.back).into_any() }}
                                    </a>
                                </p>
                            }
                        })
                    })}
                </Transition>
            </section>
        </RequireSignedIn>
    }
}
