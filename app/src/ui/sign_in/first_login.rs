//! « Première connexion »: after the temporary password, a new password, then a
//! strong-authentication factor enrolled on the spot. The server refuses everything else until
//! both are done.

use super::page_of;
use crate::api::session::SetFirstPassword;
use crate::api::types::Stage;
use crate::i18n::*;
use crate::ui::common::{
    action_error, busy, field_error, general_error, ErrorNotice, Field, Loading, PageHeading,
    StepIndicator,
};
use crate::ui::page_session;
use crate::ui::security::{PasskeyEnrolment, TotpEnrolment};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;

#[component]
pub fn FirstLoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = page_session();
    view! {
        <Title text=move || t_string!(i18n, first_login.title).to_string() />
        <section class="card narrow">
            <PageHeading>{t!(i18n, first_login.heading)}</PageHeading>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(Some(info)) => match info.stage {
                            Stage::NewPassword => view! { <NewPasswordForm /> }.into_any(),
                            Stage::Enrol => view! { <EnrolFactor /> }.into_any(),
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
fn NewPasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SetFirstPassword>::new();
    let save_busy = busy(*save);
    let error = action_error(*save);
    view! {
        <StepIndicator step=1 total=2 />
        <h2>{t!(i18n, first_login.password_step)}</h2>
        <ActionForm action=save attr:class="form" attr:novalidate="true">
            <ErrorNotice error=general_error(error, &["email_code", "password", "confirmation"]) />
            <Field
                id="email-code"
                name="form[email_code]"
                label=move || t!(i18n, first_login.email_code)
                autocomplete="one-time-code"
                inputmode="numeric"
                maxlength=12
                hint=move || t!(i18n, first_login.email_code_hint)
                error=field_error(error, "email_code")
            />
            <Field
                id="new-password"
                name="form[password]"
                label=move || t!(i18n, first_login.new_password)
                kind="password"
                autocomplete="new-password"
                hint=move || t!(i18n, first_login.password_hint)
                error=field_error(error, "password")
            />
            <Field
                id="confirm-password"
                name="form[confirmation]"
                label=move || t!(i18n, first_login.confirm_password)
                kind="password"
                autocomplete="new-password"
                error=field_error(error, "confirmation")
            />
            <button class="button primary" type="submit" disabled=move || save_busy.get()>
                {t!(i18n, first_login.save_password)}
            </button>
        </ActionForm>
    }
}

#[component]
fn EnrolFactor() -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let done = Callback::new(move |_first_login: bool| {
        navigate("/accueil", Default::default());
    });
    view! {
        <StepIndicator step=2 total=2 />
        <h2>{t!(i18n, first_login.factor_step)}</h2>
        <p>{t!(i18n, first_login.factor_intro)}</p>
        <div class="factors">
            <PasskeyEnrolment on_done=done />
            <TotpEnrolment on_done=done />
        </div>
    }
}
