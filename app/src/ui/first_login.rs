//! « Première connexion »: after the temporary password, a new password, then a
//! strong-authentication factor enrolled on the spot. The server refuses everything else until
//! both are done.

use super::common::{field_error, general_error, ErrorNotice, Loading};
use super::security::{PasskeyEnrolment, TotpEnrolment};
use super::SessionContext;
use crate::api::session::set_first_password;
use crate::api::types::Stage;
use crate::api::ApiError;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;

#[component]
pub fn FirstLoginPage() -> impl IntoView {
    let session = expect_context::<SessionContext>();
    view! {
        <Title text="Première connexion · Habilis" />
        <section class="card narrow">
            <h1>"Première connexion"</h1>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match session.info.await {
                        Ok(Some(info)) => match info.stage {
                            Stage::NewPassword => view! { <NewPasswordForm /> }.into_any(),
                            Stage::Enrol => view! { <EnrolFactor /> }.into_any(),
                            Stage::Full => view! { <Redirect path="/accueil" /> }.into_any(),
                            Stage::Sca { .. } => view! { <Redirect path="/connexion" /> }.into_any(),
                        },
                        _ => view! { <Redirect path="/connexion" /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn NewPasswordForm() -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            match set_first_password(password.get_untracked(), confirmation.get_untracked()).await {
                Ok(()) => session.refresh(),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <p class="progress">"Étape 1 sur 2 : votre mot de passe"</p>
        <form class="form" on:submit=submit novalidate>
            <ErrorNotice error=Signal::derive(move || general_error(error.get(), &["password", "confirmation"])) />
            <div class="field">
                <label for="new-password">"Nouveau mot de passe"</label>
                <input id="new-password" type="password" autocomplete="new-password" bind:value=password />
                <p class="hint">
                    "De 12 à 128 caractères, lettres, chiffres, espaces et symboles au choix. Une phrase facile à retenir convient très bien. Il ne doit contenir ni votre identifiant ni le nom de la banque."
                </p>
                {move || field_error(error.get(), "password").map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <div class="field">
                <label for="confirm-password">"Confirmez le mot de passe"</label>
                <input id="confirm-password" type="password" autocomplete="new-password" bind:value=confirmation />
                {move || field_error(error.get(), "confirmation").map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <button class="button primary" type="submit" disabled=move || pending.get()>
                "Enregistrer mon mot de passe"
            </button>
        </form>
    }
}

#[component]
fn EnrolFactor() -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let navigate = use_navigate();
    let done = Callback::new(move |_first_login: bool| {
        session.refresh();
        navigate("/accueil", Default::default());
    });
    view! {
        <p class="progress">"Étape 2 sur 2 : votre authentification forte"</p>
        <p>
            "Pour protéger votre accès, enregistrez un moyen d’authentification forte. Il vous sera demandé à chaque connexion et pour valider vos opérations."
        </p>
        <div class="factors">
            <PasskeyEnrolment on_done=done />
            <TotpEnrolment on_done=done />
        </div>
    }
}
