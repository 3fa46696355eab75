//! « Connexion »: login id and password, then strong authentication with a passkey or the code
//! of an authenticator application; and a new user's first login.
//!
//! The forms post to their server functions: they work before the wasm loads and without it,
//! and the password never travels in an address.

mod first_login;

pub use first_login::FirstLoginPage;

use super::common::{
    action_error, busy, field_error, general_error, outcome, ErrorNotice, Field, Loading,
    PageHeading, TotpCodeField,
};
use super::{page_session, webauthn};
use crate::api::session::{login_passkey_finish, login_passkey_start, Login, LoginTotp, Logout};
use crate::api::types::Stage;
use crate::api::ApiError;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Where a session at `stage` belongs.
fn page_of(stage: &Stage) -> &'static str {
    match stage {
        Stage::Sca { .. } => "/connexion/authentification",
        Stage::NewPassword => "/premiere-connexion",
        Stage::Enrol => "/premiere-connexion/authentification",
        Stage::Full => "/accueil",
    }
}

/// Step 1: login id and password.
#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = page_session();
    let login = ServerAction::<Login>::new();
    let login_busy = busy(*login);
    let error = action_error(*login);
    let query = use_query_map();
    let idle = move || query.read().get("raison").as_deref() == Some("inactivite");
    view! {
        <Title text=move || t_string!(i18n, sign_in.title).to_string() />
        <section class="card narrow">
            <PageHeading>{t!(i18n, sign_in.heading)}</PageHeading>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    // Already further: the page of that step.
                    if let Ok(Some(info)) = session.await {
                        return view! { <Redirect path=page_of(&info.stage) /> }.into_any();
                    }
                    ().into_any()
                })}
            </Suspense>
            <Show when=idle>
                <p class="notice notice-info" role="status">{t!(i18n, sign_in.idle_closed)}</p>
            </Show>
            <ActionForm action=login attr:class="form" attr:novalidate="true">
                <ErrorNotice error=general_error(error, &["login_id", "password"]) />
                <Field
                    id="login-id"
                    name="form[login_id]"
                    label=move || t!(i18n, sign_in.login_id)
                    inputmode="numeric"
                    autocomplete="username"
                    required=true
                    hint=move || t!(i18n, sign_in.login_id_hint)
                    error=field_error(error, "login_id")
                />
                <Field
                    id="password"
                    name="form[password]"
                    label=move || t!(i18n, sign_in.password)
                    kind="password"
                    autocomplete="current-password"
                    required=true
                    error=field_error(error, "password")
                />
                <button class="button primary" type="submit" disabled=move || login_busy.get()>
                    {move || if login_busy.get() {
                        t_string!(i18n, sign_in.signing_in).to_string()
                    } else {
                        t_string!(i18n, sign_in.sign_in).to_string()
                    }}
                </button>
            </ActionForm>
        </section>
    }
}

/// Step 2: a passkey first, the authenticator application's code otherwise.
#[component]
pub fn StrongAuthenticationPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = page_session();
    view! {
        <Title text=move || t_string!(i18n, sign_in.sca_title).to_string() />
        <section class="card narrow">
            <PageHeading>{t!(i18n, sign_in.sca_heading)}</PageHeading>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(Some(info)) => match info.stage {
                            Stage::Sca { has_passkey, has_totp } => {
                                view! { <StrongAuthentication has_passkey has_totp /> }.into_any()
                            }
                            other => view! { <Redirect path=page_of(&other) /> }.into_any(),
                        },
                        _ => view! { <Redirect path="/connexion" /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn StrongAuthentication(has_passkey: bool, has_totp: bool) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let totp = ServerAction::<LoginTotp>::new();
    let totp_busy = busy(*totp);
    let cancel = ServerAction::<Logout>::new();
    let totp_error = action_error(*totp);
    // The passkey ceremony runs in the browser: an action of its own.
    let passkey = Action::new_local(move |_: &()| async move {
        let challenge = login_passkey_start().await.map_err(PasskeyFailure::Api)?;
        let credential = webauthn::get(challenge)
            .await
            .map_err(PasskeyFailure::Browser)?;
        login_passkey_finish(credential)
            .await
            .map_err(PasskeyFailure::Api)
    });
    let passkey_busy = busy(passkey);
    let passkey_outcome = outcome(passkey);
    Effect::new(move |_| {
        if let Some(Ok(next)) = passkey_outcome.get() {
            navigate(&next, Default::default());
        }
    });
    let passkey_error = Signal::derive(move || match passkey_outcome.get() {
        Some(Err(PasskeyFailure::Api(e))) => Some(e),
        _ => None,
    });
    let passkey_notice = move || match passkey_outcome.get() {
        Some(Err(PasskeyFailure::Browser(message))) => Some(message),
        _ => None,
    };
    // A block ends the session: back to the first step, with the reason.
    let blocked = move || {
        matches!(
            totp_error.get(),
            Some(ApiError::Blocked | ApiError::Unauthenticated)
        ) || matches!(
            passkey_error.get(),
            Some(ApiError::Blocked | ApiError::Unauthenticated)
        )
    };
    view! {
        <p>{t!(i18n, sign_in.sca_intro)}</p>
        <ErrorNotice error=general_error(totp_error, &["code"]) />
        <ErrorNotice error=passkey_error />
        {move || passkey_notice().map(|n| view! { <p class="notice notice-info" role="status">{n}</p> })}
        <Show when=blocked>
            <p><a href="/connexion">{t!(i18n, sign_in.back_to_sign_in)}</a></p>
        </Show>
        <Show when=move || has_passkey>
            <button
                class="button primary wide"
                type="button"
                on:click=move |_| { passkey.dispatch(()); }
                disabled=move || passkey_busy.get()
            >
                {t!(i18n, sign_in.use_passkey)}
            </button>
        </Show>
        <Show when=move || has_totp>
            <ActionForm action=totp attr:class="form" attr:novalidate="true">
                <TotpCodeField
                    id="totp-code"
                    label=move || t!(i18n, sign_in.totp_code)
                    error=field_error(totp_error, "code")
                />
                // One submission per code: a second one would be refused like a wrong code.
                <button class="button" type="submit" disabled=move || totp_busy.get()>
                    {t!(i18n, sign_in.validate_code)}
                </button>
            </ActionForm>
        </Show>
        <Show when=move || !has_passkey && !has_totp>
            <p class="notice notice-error" role="alert">{t!(i18n, sign_in.no_factor)}</p>
        </Show>
        <ActionForm action=cancel attr:class="inline-form">
            <button class="link-button" type="submit">{t!(i18n, common.cancel)}</button>
        </ActionForm>
    }
}

/// Why a passkey ceremony did not complete.
#[derive(Clone, Debug)]
pub enum PasskeyFailure {
    /// The server refused (or could not be reached).
    Api(ApiError),
    /// The browser produced no credential (cancelled, no authenticator…).
    Browser(String),
}
