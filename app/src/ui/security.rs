//! Strong-authentication factors: enrolling a passkey or an authenticator application, verified
//! on the spot. Used by the first login and by the « Sécurité » page.

use super::common::{field_error, general_error, on_loaded, ErrorNotice, Loading};
use super::{webauthn, RequireSignedIn};
use crate::api::session::{
    home, passkey_enrol_finish, passkey_enrol_start, totp_enrol_finish, totp_enrol_start,
};
use crate::api::types::TotpEnrolment as Enrolment;
use crate::api::ApiError;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

/// Creates a passkey. `on_done` receives whether this completed a first login.
#[component]
pub fn PasskeyEnrolment(#[prop(into)] on_done: Callback<bool>) -> impl IntoView {
    let label = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let create = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        notice.set(None);
        pending.set(true);
        spawn_local(async move {
            match passkey_enrol_start().await {
                Ok(challenge) => match webauthn::create(challenge).await {
                    Ok(credential) => {
                        match passkey_enrol_finish(credential, label.get_untracked()).await {
                            Ok(first_login) => {
                                notice.set(Some("Votre clé d’accès est enregistrée.".into()));
                                on_done.run(first_login);
                            }
                            Err(e) => error.set(Some(e)),
                        }
                    }
                    Err(message) => notice.set(Some(message)),
                },
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    view! {
        <form class="form factor" on:submit=create>
            <h3>"Clé d’accès (recommandé)"</h3>
            <p>
                "Votre téléphone ou votre ordinateur garde une clé d’accès, que vous débloquez avec votre empreinte, votre visage ou votre code."
            </p>
            <ErrorNotice error=Signal::derive(move || general_error(error.get(), &["label"])) />
            {move || notice.get().map(|n| view! { <p class="notice notice-info" role="status">{n}</p> })}
            <div class="field">
                <label for="passkey-label">"Nom de la clé (facultatif)"</label>
                <input id="passkey-label" type="text" maxlength="60" placeholder="Ex. : Ordinateur du bureau" bind:value=label />
                {move || field_error(error.get(), "label").map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <button class="button primary" type="submit" disabled=move || pending.get()>
                "Créer ma clé d’accès"
            </button>
        </form>
    }
}

/// Enrols an authenticator application: shows a new secret, then checks a first code.
#[component]
pub fn TotpEnrolment(#[prop(into)] on_done: Callback<bool>) -> impl IntoView {
    let enrolment = RwSignal::new(None::<Enrolment>);
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let done = RwSignal::new(false);
    let start = move |_| {
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            match totp_enrol_start().await {
                Ok(value) => enrolment.set(Some(value)),
                Err(e) => error.set(Some(e)),
            }
            pending.set(false);
        });
    };
    let verify = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        pending.set(true);
        spawn_local(async move {
            match totp_enrol_finish(code.get_untracked()).await {
                Ok(first_login) => {
                    done.set(true);
                    enrolment.set(None);
                    on_done.run(first_login);
                }
                Err(e) => error.set(Some(e)),
            }
            code.set(String::new());
            pending.set(false);
        });
    };
    view! {
        <div class="form factor">
            <h3>"Application d’authentification"</h3>
            <ErrorNotice error=Signal::derive(move || general_error(error.get(), &["code"])) />
            <Show when=move || done.get()>
                <p class="notice notice-info" role="status">"Votre application d’authentification est enregistrée."</p>
            </Show>
            {move || match enrolment.get() {
                None => {
                    view! {
                        <p>"Une application comme Google Authenticator, Microsoft Authenticator ou FreeOTP affiche un code qui change toutes les 30 secondes."</p>
                        <button class="button" type="button" on:click=start disabled=move || pending.get() || done.get()>
                            "Configurer une application d’authentification"
                        </button>
                    }
                        .into_any()
                }
                Some(enrolment) => {
                    view! {
                        <ol class="steps">
                            <li>
                                "Dans votre application, ajoutez un compte avec cette clé : "
                                <code class="secret" data-testid="totp-secret">{enrolment.secret.clone()}</code>
                                " (ou "
                                <a href=enrolment.uri.clone()>"ouvrez ce lien sur votre téléphone"</a>
                                ")."
                            </li>
                            <li>"Saisissez le code à 6 chiffres qu’elle affiche."</li>
                        </ol>
                        <form on:submit=verify novalidate>
                            <div class="field">
                                <label for="totp-enrol-code">"Code affiché par l’application"</label>
                                <input id="totp-enrol-code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="7" bind:value=code />
                                {move || field_error(error.get(), "code").map(|m| view! { <p class="field-error">{m}</p> })}
                            </div>
                            <button class="button primary" type="submit" disabled=move || pending.get()>
                                "Vérifier le code"
                            </button>
                        </form>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

/// « Sécurité »: the user's factors, and adding one.
#[component]
pub fn SecurityPage() -> impl IntoView {
    view! {
        <RequireSignedIn>
            <SecurityContent />
        </RequireSignedIn>
    }
}

#[component]
fn SecurityContent() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let view_data = Resource::new(move || version.get(), |_| home());
    let reload = Callback::new(move |_: bool| version.update(|v| *v += 1));
    view! {
        <Title text="Sécurité · Habilis" />
        <section class="card">
            <h1>"Sécurité"</h1>
            <p>"Vos moyens d’authentification forte servent à vous connecter et à valider vos opérations."</p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(view_data.await, move |home| {
                        let has_totp = home.factors.has_totp;
                        view! {
                            <h2>"Clés d’accès"</h2>
                            {if home.factors.passkeys.is_empty() {
                                view! { <p>"Aucune clé d’accès enregistrée."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list">
                                        {home.factors.passkeys.into_iter().map(|p| view! {
                                            <li>{p.label}" — enregistrée le "{p.created_on}</li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <h2>"Application d’authentification"</h2>
                            <p>{if has_totp { "Configurée." } else { "Non configurée." }}</p>
                        }
                    })
                })}
            </Transition>
            <div class="factors">
                <PasskeyEnrolment on_done=reload />
                <TotpEnrolment on_done=reload />
            </div>
        </section>
    }
}
