//! « Accueil »: who is signed in, for which entity, and with which rights.

use super::common::{on_loaded, Loading};
use super::RequireSignedIn;
use crate::api::session::home;
use crate::api::types::HomeView;
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
    let data = Resource::new(|| (), |_| home());
    view! {
        <Title text="Accueil · Habilis" />
        <Transition fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move { on_loaded(data.await, home_view) })}
        </Transition>
    }
}

fn home_view(home: HomeView) -> impl IntoView {
    let entity = home.entity.clone();
    view! {
        <section class="card">
            <h1>{format!("Bonjour {} {}", home.first_name, home.last_name)}</h1>
            <dl class="facts">
                <div><dt>"Entité"</dt><dd data-testid="entity-name">{entity.name.clone()}</dd></div>
                <div><dt>"Type"</dt><dd>{entity.kind.clone()}</dd></div>
                <div><dt>"SIREN"</dt><dd>{entity.siren.clone()}</dd></div>
                <div><dt>"Identifiant"</dt><dd>{home.login_id.clone()}</dd></div>
                <div><dt>"E-mail"</dt><dd>{home.email.clone()}</dd></div>
            </dl>
            {home.is_administrator.then(|| view! {
                <p class="badge">"Droits d’administration de l’entité"</p>
                <p><a class="button" href="/utilisateurs">"Gestion des utilisateurs"</a></p>
            })}
        </section>
        <section class="card">
            <h2>"Vos droits"</h2>
            <RecapView recap=home.recap.clone() />
        </section>
        <section class="card">
            <h2>"Votre conseiller"</h2>
            <p>{entity.advisor.name.clone()}" — "{entity.advisor.agency.clone()}</p>
            <p>{entity.advisor.phone.clone()}" · "{entity.advisor.email.clone()}</p>
        </section>
    }
}

/// A recap of rights, in plain French, with where each comes from.
#[component]
pub fn RecapView(recap: Recap) -> impl IntoView {
    let administration = recap.administration_sentence();
    let excluded = recap.excluded.clone();
    view! {
        <div class="recap">
            {if recap.lines.is_empty() {
                view! { <p>"Aucun droit sur les comptes et contrats."</p> }.into_any()
            } else {
                view! {
                    <ul class="recap-lines">
                        {recap.lines.into_iter().map(|line| view! {
                            <li>
                                <span class="recap-resource">{line.label}</span>
                                <span class="recap-detail">{line.detail}</span>
                                <span class="recap-rights">{line.sentence}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!excluded.is_empty()).then(|| view! {
                <p class="recap-excluded">
                    "Hors du périmètre : "{model::recap::join_french(&excluded.iter().map(String::as_str).collect::<Vec<_>>())}"."
                </p>
            })}
            <p class="recap-admin">{administration}</p>
        </div>
    }
}
