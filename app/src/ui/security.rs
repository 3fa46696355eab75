//! Strong-authentication factors: enrolling a passkey or an authenticator application, verified
//! on the spot. Used by the first login and by the « Sécurité » page.

use super::common::{
    action_error, busy, field_error, general_error, on_loaded, outcome, ErrorNotice, Loading,
    PageHeading, TotpCodeField,
};
use super::sign_in::PasskeyFailure;
use super::{webauthn, RequireSignedIn};
use crate::api::session::{
    home, passkey_enrol_finish, passkey_enrol_start, totp_enrolment_in_progress, ConfirmIdentity,
    TotpEnrolFinish, TotpEnrolStart,
};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

/// Creates a passkey (the browser's ceremony needs the wasm). `on_done` receives whether this
/// completed a first login.
#[component]
pub fn PasskeyEnrolment(#[prop(into)] on_done: Callback<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let label = NodeRef::<leptos::html::Input>::new();
    let create = Action::new_local(move |name: &String| {
        let name = name.clone();
        async move {
            let challenge = passkey_enrol_start().await.map_err(PasskeyFailure::Api)?;
            let credential = webauthn::create(challenge)
                .await
                .map_err(PasskeyFailure::Browser)?;
            passkey_enrol_finish(credential, name)
                .await
                .map_err(PasskeyFailure::Api)
        }
    });
    let create_busy = busy(create);
    let create_outcome = outcome(create);
    Effect::new(move |_| {
        if let Some(Ok(first_login)) = create_outcome.get() {
            on_done.run(first_login);
        }
    });
    let error = Signal::derive(move || match create_outcome.get() {
        Some(Err(PasskeyFailure::Api(e))) => Some(e),
        _ => None,
    });
    let notice = move || match create_outcome.get() {
        Some(Err(PasskeyFailure::Browser(message))) => Some(message),
        Some(Ok(_)) => Some(t_string!(i18n, security.passkey_saved).to_string()),
        _ => None,
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = label.get().map(|input| input.value()).unwrap_or_default();
        create.dispatch(name);
    };
    view! {
        <form class="form factor" method="post" on:submit=submit>
            <h3>{t!(i18n, security.passkey_title)}</h3>
            <p>{t!(i18n, security.passkey_intro)}</p>
            <ErrorNotice error=general_error(error, &["label"]) />
            {move || notice().map(|n| view! { <p class="notice notice-info" role="status">{n}</p> })}
            <div class="field">
                <label for="passkey-label">{t!(i18n, security.passkey_name)}</label>
                <input
                    id="passkey-label"
                    type="text"
                    maxlength="60"
                    node_ref=label
                    aria-describedby="passkey-label-hint"
                />
                <p class="hint" id="passkey-label-hint">{t!(i18n, security.passkey_name_hint)}</p>
                {move || field_error(error, "label").get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            </div>
            <p class="hint js-only">{t!(i18n, security.passkey_needs_js)}</p>
            <button class="button primary" type="submit" disabled=move || create_busy.get()>
                {t!(i18n, security.create_passkey)}
            </button>
        </form>
    }
}

/// Enrols an authenticator application: shows a new secret and its QR code, then checks a
/// first code. Works without the wasm (two forms).
#[component]
pub fn TotpEnrolment(#[prop(into)] on_done: Callback<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<TotpEnrolStart>::new();
    let finish = ServerAction::<TotpEnrolFinish>::new();
    let start_error = action_error(*start);
    let start_busy = busy(*start);
    let finish_busy = busy(*finish);
    let finish_outcome = outcome(*finish);
    let finish_error = action_error(*finish);
    let versions = (start.version(), finish.version());
    let current = Resource::new(
        move || (versions.0.try_get(), versions.1.try_get()),
        |_| totp_enrolment_in_progress(),
    );
    Effect::new(move |_| {
        if let Some(Ok(first_login)) = finish_outcome.get() {
            on_done.run(first_login);
        }
    });
    let done = move || matches!(finish_outcome.get(), Some(Ok(_)));
    view! {
        <div class="form factor">
            <h3>{t!(i18n, security.totp_title)}</h3>
            <ErrorNotice error=start_error />
            <ErrorNotice error=general_error(finish_error, &["code"]) />
            <Show when=done>
                <p class="notice notice-info" role="status">{t!(i18n, security.totp_saved)}</p>
            </Show>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(Some(enrolment)) => view! {
                            <ol class="steps">
                                <li>
                                    {t!(i18n, security.totp_scan)}
                                    <img
                                        class="qr-code"
                                        src=enrolment.qr_image.clone()
                                        alt=move || t_string!(i18n, security.qr_alt).to_string()
                                        width="200"
                                        height="200"
                                    />
                                    {t!(i18n, security.totp_or_type)}
                                    " "
                                    <code class="secret" data-testid="totp-secret">{enrolment.secret.clone()}</code>
                                    " ("
                                    <a href=enrolment.uri.clone()>{t!(i18n, security.open_link)}</a>
                                    ")."
                                </li>
                                <li>{t!(i18n, security.totp_type_code)}</li>
                            </ol>
                            <ActionForm action=finish attr:novalidate="true">
                                <TotpCodeField
                                    id="totp-enrol-code"
                                    label=move || t!(i18n, security.totp_code)
                                    error=field_error(finish_error, "code")
                                />
                                <button class="button primary" type="submit" disabled=move || finish_busy.get()>
                                    {t!(i18n, security.verify_code)}
                                </button>
                            </ActionForm>
                        }
                            .into_any(),
                        _ => view! {
                            <p>{t!(i18n, security.totp_intro)}</p>
                            <ActionForm action=start>
                                <button class="button" type="submit" disabled=move || start_busy.get() || done()>
                                    {t!(i18n, security.configure_totp)}
                                </button>
                            </ActionForm>
                        }
                            .into_any(),
                    }
                })}
            </Transition>
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

/// « Confirmer mon identité »: a code from the application already enrolled, before adding a
/// factor (the server asks for one within five minutes of a strong authentication).
#[component]
fn ConfirmIdentity(action: ServerAction<ConfirmIdentity>) -> impl IntoView {
    let i18n = use_i18n();
    let confirm_busy = busy(*action);
    let error = action_error(*action);
    view! {
        <div class="notice notice-info">
            <p>{t!(i18n, security.confirm_identity_intro)}</p>
            <ActionForm action=action attr:class="form" attr:novalidate="true">
                <ErrorNotice error=general_error(error, &["code"]) />
                <TotpCodeField
                    id="confirm-identity-code"
                    label=move || t!(i18n, security.totp_code)
                    error=field_error(error, "code")
                />
                <button class="button primary" type="submit" disabled=move || confirm_busy.get()>
                    {t!(i18n, security.confirm_identity)}
                </button>
            </ActionForm>
        </div>
    }
}

#[component]
fn SecurityContent() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let confirm = ServerAction::<ConfirmIdentity>::new();
    let confirmed = confirm.version();
    let data = Resource::new(move || (version.get(), confirmed.try_get()), |_| home());
    let reload = Callback::new(move |_: bool| version.update(|v| *v += 1));
    view! {
        <Title text=move || t_string!(i18n, security.title).to_string() />
        <section class="card">
            <PageHeading>{t!(i18n, security.title)}</PageHeading>
            <p>{t!(i18n, security.intro)}</p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(data.await, move |home| {
                        let has_totp = home.factors.has_totp;
                        let stale = !home.sca_fresh;
                        view! {
                            {stale.then(|| if has_totp {
                                view! { <ConfirmIdentity action=confirm /> }.into_any()
                            } else {
                                view! { <p class="notice notice-info">{t!(i18n, security.sign_in_again)}</p> }.into_any()
                            })}
                            <h2>{t!(i18n, security.passkeys)}</h2>
                            {if home.factors.passkeys.is_empty() {
                                view! { <p>{t!(i18n, security.no_passkey)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list">
                                        {home.factors.passkeys.into_iter().map(|p| {
                                            let (name, date) = (p.label, p.created_on);
                                            view! { <li>{t!(i18n, security.passkey_line, name, date)}</li> }
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                            <h2>{t!(i18n, security.totp_app)}</h2>
                            <p>
                                {move || if has_totp {
                                    t_string!(i18n, security.totp_enrolled).to_string()
                                } else {
                                    t_string!(i18n, security.totp_not_enrolled).to_string()
                                }}
                            </p>
                        }
                    })
                })}
            </Transition>
            // Outside the list's transition: reading the list again after an enrolment must
            // not build the form again (its « enregistrée » notice would go with it).
            <div class="factors">
                <PasskeyEnrolment on_done=reload />
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        data.await
                            .ok()
                            .filter(|home| !home.factors.has_totp)
                            .map(|_| view! { <TotpEnrolment on_done=reload /> })
                    })}
                </Transition>
            </div>
        </section>
    }
}
