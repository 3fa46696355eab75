//! « Connexion »: login id and password, then strong authentication with a passkey or the code of
//! an authenticator application.

use super::common::{field_error, general_error, ErrorNotice, Loading};
use super::{webauthn, SessionContext};
use crate::api::session::{login, login_passkey_finish, login_passkey_start, login_totp, logout};
use crate::api::types::Stage;
use crate::api::ApiError;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn SignInPage() -> impl IntoView {
    let session = expect_context::<SessionContext>();
    // The step the person is at: from the server's session, or from the last answer here.
    let answered = RwSignal::new(None::<Option<Stage>>);
    let stage = Memo::new(move |_| match answered.get() {
        Some(stage) => stage,
        None => session
            .info
            .get()
            .and_then(|r| r.ok())
            .flatten()
            .map(|info| info.stage),
    });
    let query = use_query_map();
    let reason = move || query.read().get("raison");
    // An error that ends the strong-authentication step (a block) is shown on the first step.
    let error = RwSignal::new(None::<ApiError>);
    view! {
        <Title text="Connexion · Habilis" />
        <section class="card narrow">
            <h1>"Connexion à votre espace"</h1>
            {move || {
                (reason().as_deref() == Some("inactivite"))
                    .then(|| {
                        view! {
                            <p class="notice notice-info" role="status">
                                "Votre session a été fermée après une période d’inactivité. Reconnectez-vous."
                            </p>
                        }
                    })
            }}
            <Suspense fallback=|| view! { <Loading /> }>
                {move || match stage.get() {
                    None => view! { <CredentialsForm answered error /> }.into_any(),
                    Some(Stage::Sca { has_passkey, has_totp }) => {
                        view! { <StrongAuthentication has_passkey has_totp answered error /> }
                            .into_any()
                    }
                    Some(Stage::NewPassword | Stage::Enrol) => {
                        view! { <Redirect path="/premiere-connexion" /> }.into_any()
                    }
                    Some(Stage::Full) => view! { <Redirect path="/accueil" /> }.into_any(),
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn CredentialsForm(
    answered: RwSignal<Option<Option<Stage>>>,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let login_id = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match login(login_id.get_untracked(), password.get_untracked()).await {
                Ok(stage) => {
                    session.refresh();
                    answered.set(Some(Some(stage)));
                }
                Err(e) => error.set(Some(e)),
            }
            password.set(String::new());
            pending.set(false);
        });
    };
    view! {
        <form class="form" on:submit=submit novalidate>
            <ErrorNotice error=Signal::derive(move || general_error(error.get(), &[])) />
            <div class="field">
                <label for="login-id">"Identifiant"</label>
                <input
                    id="login-id"
                    name="username"
                    type="text"
                    inputmode="numeric"
                    autocomplete="username"
                    required
                    bind:value=login_id
                />
                <p class="hint">"Les 10 chiffres reçus par e-mail."</p>
            </div>
            <div class="field">
                <label for="password">"Mot de passe"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    bind:value=password
                />
            </div>
            <button class="button primary" type="submit" disabled=move || pending.get()>
                {move || if pending.get() { "Connexion…" } else { "Se connecter" }}
            </button>
        </form>
    }
}

/// The second factor: a passkey first, the authenticator application's code otherwise.
#[component]
fn StrongAuthentication(
    has_passkey: bool,
    has_totp: bool,
    answered: RwSignal<Option<Option<Stage>>>,
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let navigate = use_navigate();
    let notice = RwSignal::new(None::<String>);
    let code = RwSignal::new(String::new());
    let pending = RwSignal::new(false);

    // After success: the session is full; after a block: back to the first step.
    let finish = {
        let navigate = navigate.clone();
        move |result: Result<(), ApiError>| match result {
            Ok(()) => {
                session.refresh();
                navigate("/accueil", Default::default());
            }
            // Blocked, or the session ended meanwhile: back to the first step, with the reason.
            Err(e @ (ApiError::Blocked | ApiError::Unauthenticated)) => {
                session.refresh();
                answered.set(Some(None));
                error.set(Some(e));
            }
            Err(e) => error.set(Some(e)),
        }
    };

    let with_passkey = {
        let finish = finish.clone();
        move |_| {
            let finish = finish.clone();
            error.set(None);
            notice.set(None);
            pending.set(true);
            spawn_local(async move {
                match login_passkey_start().await {
                    Ok(challenge) => match webauthn::get(challenge).await {
                        Ok(credential) => finish(login_passkey_finish(credential).await),
                        Err(message) => notice.set(Some(message)),
                    },
                    Err(e) => finish(Err(e)),
                }
                pending.set(false);
            });
        }
    };

    let with_code = move |ev: SubmitEvent| {
        ev.prevent_default();
        let finish = finish.clone();
        error.set(None);
        notice.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = login_totp(code.get_untracked()).await;
            code.set(String::new());
            finish(result);
            pending.set(false);
        });
    };

    let cancel = move |_| {
        error.set(None);
        spawn_local(async move {
            let _ = logout().await;
            session.refresh();
            answered.set(Some(None));
        });
    };

    view! {
        <div class="sca">
            <h2>"Authentification forte"</h2>
            <p>"Pour accéder à votre espace, confirmez votre identité."</p>
            <ErrorNotice error=Signal::derive(move || general_error(error.get(), &["code"])) />
            {move || notice.get().map(|n| view! { <p class="notice notice-info" role="status">{n}</p> })}
            <Show when=move || has_passkey>
                <button
                    class="button primary wide"
                    type="button"
                    on:click=with_passkey.clone()
                    disabled=move || pending.get()
                >
                    "Utiliser ma clé d’accès"
                </button>
            </Show>
            <Show when=move || has_totp>
                <form class="form" on:submit=with_code.clone() novalidate>
                    <div class="field">
                        <label for="totp-code">"Code de votre application d’authentification"</label>
                        <input
                            id="totp-code"
                            name="one-time-code"
                            type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            maxlength="7"
                            bind:value=code
                        />
                        {move || field_error(error.get(), "code").map(|m| view! { <p class="field-error">{m}</p> })}
                    </div>
                    <button class="button" type="submit" disabled=move || pending.get()>
                        "Valider le code"
                    </button>
                </form>
            </Show>
            <Show when=move || !has_passkey && !has_totp>
                <p class="notice notice-error" role="alert">
                    "Aucun moyen d’authentification forte n’est enregistré pour votre compte. Contactez le conseiller de votre entité pour en être équipé."
                </p>
            </Show>
            <button class="link-button" type="button" on:click=cancel>"Annuler"</button>
        </div>
    }
}
