//! « Choisissez l’entité »: a person of a group of entities (a group's accountant, a holding's
//! director) signs in once and works in one entity at a time; this page, after signing in and
//! from « Changer d’entité » in the header, moves them to another.

use super::common::{action_error, on_loaded, ErrorNotice, Loading, PageHeading};
use super::RequireSignedIn;
use crate::api::session::{my_entities, SwitchEntity};
use crate::api::types::EntityChoice;
use crate::i18n::*;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn EntitiesPage() -> impl IntoView {
    view! {
        <RequireSignedIn>
            <EntitiesContent />
        </RequireSignedIn>
    }
}

#[component]
fn EntitiesContent() -> impl IntoView {
    let i18n = use_i18n();
    let entities = Resource::new(|| (), |_| my_entities());
    let switch = ServerAction::<SwitchEntity>::new();
    view! {
        <Title text=move || t_string!(i18n, entities.title).to_string() />
        <section class="card">
            <PageHeading>{t!(i18n, entities.title)}</PageHeading>
            <p>{t!(i18n, entities.intro)}</p>
            <ErrorNotice error=action_error(*switch) />
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(entities.await, move |entities| entity_list(entities, switch))
                })}
            </Transition>
        </section>
    }
}

fn entity_list(entities: Vec<EntityChoice>, switch: ServerAction<SwitchEntity>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="entity-choices">
            {entities
                .into_iter()
                .map(|entity| {
                    let name = entity.name.clone();
                    let role = entity
                        .is_administrator
                        .then(|| view! { " "<span class="badge small">{t!(i18n, entities.administrator)}</span> });
                    let action = if entity.is_current {
                        view! {
                            <span class="hint">{t!(i18n, entities.current)}</span>
                            <a class="button" href="/accueil">{t!(i18n, entities.stay, name = name.clone())}</a>
                        }
                        .into_any()
                    } else {
                        // A form: the choice works before (and without) the wasm.
                        view! {
                            <ActionForm action=switch attr:class="inline-form">
                                <input type="hidden" name="form[entity]" value=entity.entity_id.to_string() />
                                <button class="button primary" type="submit">
                                    {t!(i18n, entities.go, name = name.clone())}
                                </button>
                            </ActionForm>
                        }
                        .into_any()
                    };
                    view! {
                        <li class="entity-choice" data-current=entity.is_current.to_string()>
                            <span class="entity-name">{entity.name.clone()}{role}</span>
                            {action}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
