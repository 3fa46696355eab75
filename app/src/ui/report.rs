//! « Rapport des habilitations »: by account and contract (who may consult, manage and
//! validate it; one card per account on a phone) and by user (every right with its origin);
//! the CSV file; a printable page (A4, dated, with the entity's name: `style/main.css`).

use super::common::{on_loaded, I18n, Loading, PageHeading};
use super::home::RecapView;
use super::RequireSignedIn;
use crate::api::journal::load_entitlement_report;
use crate::api::types::EntitlementReport;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use model::Level;

#[component]
pub fn ReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let report = Resource::new(|| (), |_| load_entitlement_report());
    view! {
        <Title text=move || t_string!(i18n, report.title).to_string() />
        <RequireSignedIn oversight=true>
            <section class="card report">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        on_loaded(report.await, move |report| report_view(i18n, report))
                    })}
                </Transition>
            </section>
        </RequireSignedIn>
    }
}

/// The names holding a level, or « personne ».
fn names(i18n: I18n, names: &[String]) -> String {
    if names.is_empty() {
        t_string!(i18n, report.nobody).to_string()
    } else {
        names.join(", ")
    }
}

fn report_view(i18n: I18n, report: EntitlementReport) -> AnyView {
    let (entity, at) = (report.entity_name.clone(), report.generated_at.clone());
    let reader_is_administrator = report.reader_is_administrator;
    let level_label = move |level: Level| match level {
        Level::Consultation => t_string!(i18n, grid.consultation).to_string(),
        Level::Gestion => t_string!(i18n, grid.gestion).to_string(),
        Level::Validation => t_string!(i18n, grid.validation).to_string(),
    };
    view! {
        <PageHeading>{t!(i18n, report.title)}</PageHeading>
        <p class="report-meta">{t!(i18n, report.meta, entity, at)}</p>
        <div class="actions no-print">
            <a class="button" href="/habilitations.csv" download="rapport-des-habilitations.csv" rel="external">{t!(i18n, report.export)}</a>
            <button class="button js-only" type="button" on:click=move |_| {
                #[cfg(feature = "hydrate")]
                {
                    let _ = window().print();
                }
            }>{t!(i18n, report.print)}</button>
        </div>
        <h2>{t!(i18n, report.by_resource)}</h2>
        <table class="users report-resources">
            <caption class="visually-hidden">{t!(i18n, report.by_resource)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, report.resource)}</th>
                    <th scope="col">{level_label(Level::Consultation)}</th>
                    <th scope="col">{level_label(Level::Gestion)}</th>
                    <th scope="col">{level_label(Level::Validation)}</th>
                </tr>
            </thead>
            <tbody>
                {report.resources.into_iter().map(|holders| {
                    let warning = holders.lacks_validator();
                    view! {
                        <tr>
                            <th scope="row">
                                {holders.label.clone()}
                                <span class="recap-detail">" "{holders.detail.clone()}</span>
                                {warning.then(|| view! { <span class="badge small warning">{t!(i18n, report.no_validator)}</span> })}
                            </th>
                            {Level::ALL.map(|level| view! {
                                <td data-label=level_label(level)>{names(i18n, holders.of(level))}</td>
                            }).collect_view()}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <h2>{t!(i18n, report.by_user)}</h2>
        {report.users.into_iter().map(|user| {
            let state = crate::ui::users::state_label(i18n, user.state);
            // An auditor does not open users' pages: the name leads to « Pourquoi ? ».
            let href = if reader_is_administrator {
                format!("/utilisateurs/{}", user.user_id)
            } else {
                format!("/utilisateurs/{}/pourquoi", user.user_id)
            };
            view! {
                <section class="report-user">
                    <h3>
                        <a href=href>{user.name.clone()}</a>
                        " · "{user.login_id.clone()}" · "{state}
                    </h3>
                    <RecapView recap=user.recap />
                </section>
            }
        }).collect_view()}
    }
    .into_any()
}
