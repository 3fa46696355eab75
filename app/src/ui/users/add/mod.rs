//! « Ajouter un utilisateur »: the journey of the reference page, one address per step
//! (`/utilisateurs/ajout/{draft}/{step}`). What the administrator chose is kept in a draft on
//! the server: reload, back and forward restore it. Each step is a form that posts to the server
//! and goes on to the next step, with or without the wasm. Nothing changes for real until the
//! strong authentication of « Validez votre opération » (`ui::operations`).
//!
//! « Modifier les droits » (`/utilisateurs/modification/{draft}/{step}`) is the same journey's
//! method, rights and check steps, started from the user's current rights.

mod method;
mod person;
mod rights;
mod verify;

pub use method::ChooseMethod;
pub use person::{ChoosePerson, PersonalData};
pub use rights::ChooseRights;
pub use verify::Verify;

use crate::api::types::AddUserJourney;
use crate::api::users::load_add_user_journey;
use crate::api::ApiError;
use crate::i18n::*;
use crate::ui::common::{on_loaded, Loading, PageHeading, StepIndicator};
use crate::ui::RequireSignedIn;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_params_map};

/// The steps before « Validez votre opération », which is the last.
pub const STEPS: u8 = 6;

/// A modification has three steps fewer (the person is known) and one more (none): method,
/// rights, check, validation.
const MODIFICATION_STEPS: u8 = 4;

/// Whether the page belongs to « Modifier les droits » (its address says so).
fn use_modifying() -> Memo<bool> {
    let location = use_location();
    Memo::new(move |_| {
        location
            .pathname
            .read()
            .starts_with("/utilisateurs/modification/")
    })
}

/// The draft of the page's address.
fn use_draft() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("draft").unwrap_or_default())
}

/// The journey of the page's draft, read from the server.
fn use_journey(with_users: bool) -> (Memo<String>, Resource<Result<AddUserJourney, ApiError>>) {
    let draft = use_draft();
    let journey = Resource::new(
        move || draft.get(),
        move |draft| load_add_user_journey(draft, with_users),
    );
    (draft, journey)
}

/// A step's frame: page title, breadcrumb, step indicator and heading, then the step's content
/// once the journey is loaded.
#[component]
fn Step<F>(
    number: u8,
    #[prop(into)] title: Signal<String>,
    journey: Resource<Result<AddUserJourney, ApiError>>,
    content: F,
) -> impl IntoView
where
    F: Fn(AddUserJourney) -> AnyView + Clone + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let content = StoredValue::new(content);
    let modifying = use_modifying().get_untracked();
    // The addition's method, rights and check steps are the modification's first three.
    let (step, total) = if modifying {
        (number - 2, MODIFICATION_STEPS)
    } else {
        (number, STEPS)
    };
    let journey_title = move || {
        if modifying {
            t_string!(i18n, modify.title).to_string()
        } else {
            t_string!(i18n, add.title).to_string()
        }
    };
    view! {
        // `try_get`: the document title may be recomputed once the step is left.
        <Title text=move || format!("{} · {}", title.try_get().unwrap_or_default(), journey_title()) />
        <RequireSignedIn admin=true>
            <section class="card journey">
                <Breadcrumb title=Signal::derive(journey_title) />
                <StepIndicator step total />
                <PageHeading>{move || title.get()}</PageHeading>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || {
                        let content = content.get_value();
                        Suspend::new(async move { on_loaded(journey.await, content) })
                    }}
                </Transition>
            </section>
        </RequireSignedIn>
    }
}

#[component]
fn Breadcrumb(title: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="breadcrumb" aria-label=move || t_string!(i18n, add.breadcrumb).to_string()>
            <a href="/utilisateurs">{t!(i18n, layout.users)}</a>
            " › "
            <span>{move || title.get()}</span>
        </nav>
    }
}
