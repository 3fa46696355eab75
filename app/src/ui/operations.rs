//! « Validez votre opération », for every kind of operation: what is signed (the facts, the
//! rights and their difference, the operation's code), then the strong authentication bound to
//! it. Once applied, the same address says what was done.

use super::common::{
    action_error, busy, field_error, general_error, on_loaded, outcome, page_lang, ErrorNotice,
    Loading, PageHeading, StepIndicator, TotpCodeField,
};
use super::home::RecapView;
use super::sign_in::PasskeyFailure;
use super::{webauthn, RequireSignedIn};
use crate::api::operations::{
    confirm_operation, load_operation, operation_passkey_challenge, CancelOperation,
    ConfirmOperationWithCode,
};
use crate::api::types::{Confirmed, OperationPage as Page, OperationState, ScaProof};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::{OperationKind, RightsDiff};

#[component]
pub fn OperationPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("operation").unwrap_or_default());
    let validate = ServerAction::<ConfirmOperationWithCode>::new();
    let cancel = ServerAction::<CancelOperation>::new();
    let passkey = Action::new_local(move |(operation_id, digest): &(String, String)| {
        let (operation_id, digest) = (operation_id.clone(), digest.clone());
        async move {
            let challenge = operation_passkey_challenge(operation_id.clone())
                .await
                .map_err(PasskeyFailure::Api)?;
            let credential = webauthn::get(challenge)
                .await
                .map_err(PasskeyFailure::Browser)?;
            confirm_operation(operation_id, digest, ScaProof::Passkey { credential })
                .await
                .map_err(PasskeyFailure::Api)
        }
    });
    // Read again after each attempt: the page then shows the operation applied, or not.
    // (`try_get`: when the page is left, these may be gone before the resource is.)
    let versions = (validate.version(), cancel.version(), passkey.version());
    let page = Resource::new(
        move || {
            (
                id.try_get().unwrap_or_default(),
                versions.0.try_get(),
                versions.1.try_get(),
                versions.2.try_get(),
            )
        },
        |(id, ..)| load_operation(id),
    );
    view! {
        <Title text=move || t_string!(i18n, operation.title).to_string() />
        <RequireSignedIn admin=true>
            <section class="card journey">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        on_loaded(page.await, move |page| match page.state {
                            OperationState::Applied => view! { <Done page /> }.into_any(),
                            OperationState::AwaitingApproval => view! { <Awaiting page /> }.into_any(),
                            _ => view! { <Sign page validate cancel passkey /> }.into_any(),
                        })
                    })}
                </Transition>
            </section>
        </RequireSignedIn>
    }
}

/// What is signed: the facts and the operation's code, then the rights given and what
/// changes. On a phone the validation comes between the two (readable without scrolling past
/// the whole recap); everything signed is on the page before it is signed.
#[component]
fn SignedFacts(page: Page) -> impl IntoView {
    let i18n = use_i18n();
    let operation = page.operation;
    view! {
        <div class="signed" aria-label=move || t_string!(i18n, operation.signed_label).to_string()>
            <dl class="facts">
                {operation.facts.iter().map(|(term, value)| view! {
                    <div><dt>{term.clone()}</dt><dd>{value.clone()}</dd></div>
                }).collect_view()}
                <div>
                    <dt>{t!(i18n, operation.code)}</dt>
                    <dd class="operation-code" data-testid="operation-code">{operation.short_code.clone()}</dd>
                </div>
            </dl>
            {operation.diff.clone().map(|diff| view! { <DiffView diff /> })}
            <Warnings warnings=operation.warnings.clone() />
        </div>
    }
}

/// What a grant of rights should make the administrator think twice about: told, never
/// blocking.
#[component]
pub fn Warnings(warnings: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    (!warnings.is_empty()).then(|| {
        view! {
            <div class="notice notice-warning grant-warnings" role="note">
                <strong>{t!(i18n, operation.warnings)}</strong>
                <ul>
                    {warnings.into_iter().map(|warning| view! { <li>{warning}</li> }).collect_view()}
                </ul>
            </div>
        }
    })
}

#[component]
fn SignedRights(page: Page) -> impl IntoView {
    let i18n = use_i18n();
    page.operation.recap.clone().map(|recap| {
        view! {
            <section class="signed-rights" aria-labelledby="signed-rights-title">
                <h2 id="signed-rights-title">{t!(i18n, operation.rights_signed)}</h2>
                <RecapView recap />
            </section>
        }
    })
}

/// What a change of rights gives and takes away.
#[component]
pub fn DiffView(diff: RightsDiff) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="diff">
            <h3>{t!(i18n, operation.changes)}</h3>
            {if diff.is_empty() {
                view! { <p>{t!(i18n, operation.no_change)}</p> }.into_any()
            } else {
                view! {
                    <ul class="diff-lines">
                        {diff.lines.iter().map(|line| {
                            let line = line.clone();
                            view! {
                            <li>
                                <span class="recap-resource">{line.label.clone()}</span>
                                <span class="diff-sentence">{move || line.sentence_in(page_lang(i18n))}</span>
                            </li>
                        }}).collect_view()}
                        {diff.administration.map(|given| view! {
                            <li>
                                {if given {
                                    t_string!(i18n, operation.admin_given).to_string()
                                } else {
                                    t_string!(i18n, operation.admin_removed).to_string()
                                }}
                            </li>
                        })}
                    </ul>
                }.into_any()
            }}
        </div>
    }
}

#[component]
fn Sign(
    page: Page,
    validate: ServerAction<ConfirmOperationWithCode>,
    cancel: ServerAction<CancelOperation>,
    passkey: Action<(String, String), Result<Confirmed, PasskeyFailure>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = action_error(*validate);
    let validate_busy = busy(*validate);
    let passkey_busy = busy(passkey);
    let passkey_outcome = outcome(passkey);
    let passkey_error = Signal::derive(move || match passkey_outcome.get() {
        Some(Err(PasskeyFailure::Api(e))) => Some(e),
        _ => None,
    });
    let passkey_notice = move || match passkey_outcome.get() {
        Some(Err(PasskeyFailure::Browser(message))) => Some(message),
        _ => None,
    };
    let operation = page.operation.clone();
    let (id, digest) = (operation.operation_id.clone(), operation.digest.clone());
    let back_to = page.back_to.clone();
    let decision = page.decision.clone().unwrap_or_default();
    let state_notice = match page.state {
        OperationState::Voided if decision.lapse.is_some() => decision.lapse.clone(),
        OperationState::Voided if decision.withdrawn => {
            Some(t_string!(i18n, operation.withdrawn).to_string())
        }
        OperationState::Voided => Some(t_string!(i18n, operation.voided).to_string()),
        OperationState::Expired => Some(t_string!(i18n, operation.expired).to_string()),
        _ => None,
    };
    // Rejected by a second administrator: who, when and why.
    let rejected_notice = (page.state == OperationState::Rejected).then(|| {
        let (by, on, reason) = (
            decision.decided_by.clone().unwrap_or_default(),
            decision.decided_on.clone().unwrap_or_default(),
            decision.reason.clone().unwrap_or_default(),
        );
        view! {
            <p class="notice notice-warning" role="alert">{t!(i18n, operation.rejected, by, on, reason)}</p>
        }
    });
    let open = page.state == OperationState::Prepared;
    // The user concerned changed since « Confirmer »: the operation cannot apply; their state now.
    let changed_notice = page.target.clone().filter(|t| open && t.changed).map(|target| {
        let state = crate::ui::users::state_label(i18n, target.state);
        view! {
            <p class="notice notice-warning" role="alert">{t!(i18n, operation.changed_meanwhile, state)}</p>
        }
    });
    let user_link = page.target.as_ref().map(|target| {
        let href = format!("/utilisateurs/{}", target.user_id);
        view! { <a href=href>{t!(i18n, operation.see_user)}</a> }
    });
    // An addition's journey has six steps, a modification's four; the validation is the last.
    let steps = match operation.kind {
        OperationKind::ModifyRights => 4,
        _ => 6,
    };
    let minutes = (operation.expires_in_secs + 59) / 60;
    let passkey_args = (id.clone(), digest.clone());
    let validate_id = id.clone();
    view! {
        {back_to.is_some().then(|| view! { <StepIndicator step=steps total=steps /> })}
        <PageHeading>{t!(i18n, operation.heading)}</PageHeading>
        {state_notice.map(|notice| view! {
            <p class="notice notice-warning" role="alert">{notice}</p>
        })}
        {rejected_notice}
        {changed_notice}
        <p>{t!(i18n, operation.about_to_sign)}</p>
        <SignedFacts page=page.clone() />
        {open.then(|| view! {
            <p class="hint">{t!(i18n, operation.expires_in, minutes)}</p>
        })}
        <ErrorNotice error=general_error(error, &["code"]) />
        <ErrorNotice error=passkey_error />
        {move || passkey_notice().map(|n| view! { <p class="notice notice-info" role="status">{n}</p> })}
        {open.then(|| view! {
            <div class="sca">
                {operation.admin_has_passkey.then(|| {
                    let args = passkey_args.clone();
                    view! {
                        <button
                            class="button primary wide js-only"
                            type="button"
                            on:click=move |_| { passkey.dispatch(args.clone()); }
                            disabled=move || passkey_busy.get()
                        >
                            {t!(i18n, operation.with_passkey)}
                        </button>
                    }
                })}
                {operation.admin_has_totp.then(|| view! {
                    <ActionForm action=validate attr:class="form" attr:novalidate="true">
                        <input type="hidden" name="form[operation_id]" value=validate_id.clone() />
                        <input type="hidden" name="form[digest]" value=digest.clone() />
                        <TotpCodeField
                            id="operation-code-input"
                            label=move || t!(i18n, sign_in.totp_code)
                            error=field_error(error, "code")
                        />
                        // One submission per code: a second one would be refused like a wrong one.
                        <button class="button" type="submit" disabled=move || validate_busy.get()>
                            {t!(i18n, operation.with_code)}
                        </button>
                    </ActionForm>
                })}
            </div>
        })}
        <SignedRights page=page.clone() />
        <div class="actions">
            {back_to.map(|href| view! { <a href=href>{t!(i18n, operation.modify)}</a> })}
            {user_link}
            {open.then(|| view! {
                <ActionForm action=cancel attr:class="inline-form">
                    <input type="hidden" name="form[operation_id]" value=id.clone() />
                    <button class="link-button" type="submit">{t!(i18n, common.cancel)}</button>
                </ActionForm>
            })}
        </div>
    }
}

/// Signed, with the double validation on: another administrator must approve it.
#[component]
fn Awaiting(page: Page) -> impl IntoView {
    let i18n = use_i18n();
    let until = page
        .decision
        .as_ref()
        .and_then(|decision| decision.lapses_on.clone())
        .unwrap_or_default();
    let href = format!("/validations/{}", page.operation.operation_id);
    view! {
        <PageHeading>{t!(i18n, operation.awaiting_heading)}</PageHeading>
        <p class="notice notice-info" role="status" data-testid="awaiting-approval">{t!(i18n, operation.awaiting, until)}</p>
        <SignedFacts page=page.clone() />
        <div class="actions">
            <a class="button" href=href>{t!(i18n, operation.see_request)}</a>
            <a href="/utilisateurs">{t!(i18n, operation.back_to_users)}</a>
        </div>
    }
}

/// The operation applied: « Parfait ! … » for an addition.
#[component]
fn Done(page: Page) -> impl IntoView {
    let i18n = use_i18n();
    // Applied after a second administrator's approval: who, and when.
    let approved = page.decision.clone().and_then(|decision| {
        let (by, on) = (decision.decided_by?, decision.decided_on?);
        Some(view! { <p class="notice notice-info">{t!(i18n, operation.approved_by, by, on)}</p> })
    });
    let Some(done) = page.done else {
        return view! {
            <PageHeading>{t!(i18n, operation.applied)}</PageHeading>
            {approved}
            <div class="actions">
                <a class="button" href="/accueil">{t!(i18n, layout.back_home)}</a>
            </div>
        }
        .into_any();
    };
    match done.kind {
        OperationKind::AddUser => {
            let (name, email, phone) = (
                done.name.clone(),
                done.email.clone(),
                done.phone_masked.clone(),
            );
            if done.existing_login {
                return view! {
                    <PageHeading>{t!(i18n, operation.user_added)}</PageHeading>
                    {approved}
                    <p data-testid="existing-login">{t!(i18n, operation.user_joined_details, name, email)}</p>
                    <div class="actions">
                        <a class="button" href="/utilisateurs">{t!(i18n, operation.back_to_users)}</a>
                    </div>
                }
                .into_any();
            }
            view! {
                <PageHeading>{t!(i18n, operation.user_added)}</PageHeading>
                {approved}
                <p>{t!(i18n, operation.user_added_details, name, email, phone)}</p>
                <p class="notice notice-warning">
                    <strong>{t!(i18n, operation.warning)}</strong>
                    " "
                    {t!(i18n, operation.first_login_warning)}
                </p>
                <div class="actions">
                    <a class="button" href="/utilisateurs">{t!(i18n, operation.back_to_users)}</a>
                </div>
            }
            .into_any()
        }
        _ => view! {
            <PageHeading>{t!(i18n, operation.applied)}</PageHeading>
            {approved}
            <div class="actions">
                <a class="button" href="/utilisateurs">{t!(i18n, operation.back_to_users)}</a>
            </div>
        }
        .into_any(),
    }
}
