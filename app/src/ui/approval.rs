//! « Double validation »: the requests awaiting a second administrator (`/validations`), one
//! request to read and decide (`/validations/{id}`: approve with strong authentication, or
//! reject with a reason; its author may withdraw it), and the entity's settings
//! (`/parametres`) where the double validation is switched on or off. Every action is a form:
//! it works before the wasm arrives (the passkey needs the wasm).

use super::common::{
    action_error, busy, field_error, general_error, on_loaded, outcome, ErrorNotice, I18n, Loading,
    PageHeading, TotpCodeField,
};
use super::home::RecapView;
use super::operations::{DiffView, Warnings};
use super::sign_in::PasskeyFailure;
use super::{webauthn, RequireSignedIn};
use crate::api::approval::{
    approval_passkey_challenge, approve_request, load_approval, load_approvals, load_settings,
    ApproveRequestWithCode, PrepareDualControl, RejectRequest, WithdrawRequest,
};
use crate::api::types::{
    ApprovalPage, ApprovalsPage, OperationDone, OperationState, ScaProof, SettingsPage,
};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ApprovalsListPage() -> impl IntoView {
    let i18n = use_i18n();
    let page = Resource::new(|| (), |_| load_approvals());
    view! {
        <Title text=move || t_string!(i18n, approval.title).to_string() />
        <RequireSignedIn admin=true>
            <section class="card">
                <PageHeading>{t!(i18n, approval.title)}</PageHeading>
                <p>{t!(i18n, approval.intro)}</p>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        on_loaded(page.await, move |page| approvals_view(i18n, page))
                    })}
                </Transition>
            </section>
        </RequireSignedIn>
    }
}

fn approvals_view(i18n: I18n, page: ApprovalsPage) -> AnyView {
    let off = (!page.dual_control).then(|| {
        view! { <p class="notice notice-info">{t!(i18n, approval.off)}</p> }
    });
    let list = if page.requests.is_empty() {
        view! { <p data-testid="no-request">{t!(i18n, approval.none)}</p> }.into_any()
    } else {
        view! {
            <table class="users approvals">
                <caption class="visually-hidden">{t!(i18n, approval.list)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, approval.operation)}</th>
                        <th scope="col">{t!(i18n, approval.about)}</th>
                        <th scope="col">{t!(i18n, approval.author)}</th>
                        <th scope="col">{t!(i18n, approval.signed)}</th>
                        <th scope="col">{t!(i18n, approval.lapses)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page.requests.into_iter().map(|request| {
                        let href = format!("/validations/{}", request.operation_id);
                        let title = request.kind.title_in(super::common::page_lang(i18n));
                        view! {
                            <tr>
                                <th scope="row" data-label=move || t_string!(i18n, approval.operation).to_string()>
                                    <a class="tap-link" href=href>{title}</a>
                                    {request.mine.then(|| view! {
                                        <span class="hint">" — "{t!(i18n, approval.yours)}</span>
                                    })}
                                </th>
                                <td data-label=move || t_string!(i18n, approval.about).to_string()>{request.about.clone()}</td>
                                <td data-label=move || t_string!(i18n, approval.author).to_string()>{request.author.clone()}</td>
                                <td data-label=move || t_string!(i18n, approval.signed).to_string()>{request.signed_on.clone()}</td>
                                <td data-label=move || t_string!(i18n, approval.lapses).to_string()>{request.lapses_on.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        {off}
        {list}
        <p class="tap-link"><a href="/parametres">{t!(i18n, approval.to_settings)}</a></p>
    }
    .into_any()
}

#[component]
pub fn ApprovalRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("operation").unwrap_or_default());
    let approve = ServerAction::<ApproveRequestWithCode>::new();
    let reject = ServerAction::<RejectRequest>::new();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let passkey = Action::new_local(move |(operation_id, digest): &(String, String)| {
        let (operation_id, digest) = (operation_id.clone(), digest.clone());
        async move {
            let challenge = approval_passkey_challenge(operation_id.clone())
                .await
                .map_err(PasskeyFailure::Api)?;
            let credential = webauthn::get(challenge)
                .await
                .map_err(PasskeyFailure::Browser)?;
            approve_request(operation_id, digest, ScaProof::Passkey { credential })
                .await
                .map_err(PasskeyFailure::Api)
        }
    });
    // Read again after each attempt: the page then shows the request decided, or not.
    let versions = (
        approve.version(),
        reject.version(),
        withdraw.version(),
        passkey.version(),
    );
    let page = Resource::new(
        move || {
            (
                id.try_get().unwrap_or_default(),
                versions.0.try_get(),
                versions.1.try_get(),
                versions.2.try_get(),
                versions.3.try_get(),
            )
        },
        |(id, ..)| load_approval(id),
    );
    view! {
        <Title text=move || t_string!(i18n, approval.heading).to_string() />
        <RequireSignedIn admin=true>
            <section class="card journey">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        on_loaded(page.await, move |page| view! {
                            <Request page approve reject withdraw passkey />
                        })
                    })}
                </Transition>
                <p class="back-link tap-link"><a href="/validations">{t!(i18n, approval.back)}</a></p>
            </section>
        </RequireSignedIn>
    }
}

/// Where a request stands, once decided (or void).
fn outcome_notice(i18n: I18n, page: &ApprovalPage) -> Option<AnyView> {
    let decision = page.decision.clone();
    let by = decision.decided_by.clone().unwrap_or_default();
    let on = decision.decided_on.clone().unwrap_or_default();
    match page.state {
        OperationState::Applied => Some(
            view! { <p class="notice notice-success" role="status">{t!(i18n, approval.applied, by, on)}</p> }
                .into_any(),
        ),
        OperationState::Rejected => {
            let reason = decision.reason.clone().unwrap_or_default();
            Some(
                view! { <p class="notice notice-warning" role="status">{t!(i18n, approval.rejected, by, on, reason)}</p> }
                    .into_any(),
            )
        }
        OperationState::Voided if decision.withdrawn => Some(
            view! { <p class="notice notice-info" role="status">{t!(i18n, approval.withdrawn, on)}</p> }
                .into_any(),
        ),
        OperationState::Voided => {
            let why = decision.lapse.clone().unwrap_or_default();
            Some(
                view! { <p class="notice notice-warning" role="status">{t!(i18n, approval.lapsed, why)}</p> }
                    .into_any(),
            )
        }
        _ => None,
    }
}

#[component]
fn Request(
    page: ApprovalPage,
    approve: ServerAction<ApproveRequestWithCode>,
    reject: ServerAction<RejectRequest>,
    withdraw: ServerAction<WithdrawRequest>,
    passkey: Action<(String, String), Result<Option<OperationDone>, PasskeyFailure>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let approve_error = action_error(*approve);
    let reject_error = action_error(*reject);
    let withdraw_error = action_error(*withdraw);
    let approving = busy(*approve);
    let rejecting = busy(*reject);
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
    let awaiting = page.state == OperationState::AwaitingApproval;
    // Another administrator may decide a request that can still be approved.
    let decidable = awaiting && !page.mine && page.refusal.is_none();
    let author = page.decision.author.clone();
    let on = page.decision.signed_on.clone();
    let lapses = page.decision.lapses_on.clone();
    let title = operation.kind.title_in(super::common::page_lang(i18n));
    let refusal = page
        .refusal
        .clone()
        .filter(|_| awaiting)
        .map(|refusal| view! { <p class="notice notice-warning" role="alert">{refusal}</p> });
    let user_link = page.user_id.map(|user| {
        view! { <p class="tap-link"><a href=format!("/utilisateurs/{user}")>{t!(i18n, approval.see_user)}</a></p> }
    });
    let passkey_args = (id.clone(), digest.clone());
    let (approve_id, approve_digest) = (id.clone(), digest.clone());
    let (reject_id, reject_digest) = (id.clone(), digest.clone());
    let withdraw_id = id.clone();
    view! {
        <PageHeading>{t!(i18n, approval.heading)}</PageHeading>
        <p class="request-kind"><strong>{title}</strong></p>
        <p>{t!(i18n, approval.by_on, author, on)}</p>
        {lapses.filter(|_| awaiting).map(|on| view! { <p class="hint">{t!(i18n, approval.lapses_on, on)}</p> })}
        {outcome_notice(i18n, &page)}
        {refusal}
        {(awaiting && page.mine).then(|| view! {
            <p class="notice notice-info">{t!(i18n, approval.yours)}</p>
        })}
        {decidable.then(|| view! { <p>{t!(i18n, approval.read_first)}</p> })}
        <div class="signed">
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
        <ErrorNotice error=general_error(approve_error, &["code"]) />
        <ErrorNotice error=passkey_error />
        {move || passkey_notice().map(|n| view! { <p class="notice notice-info" role="status">{n}</p> })}
        {decidable.then(|| view! {
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
                            {t!(i18n, approval.approve_passkey)}
                        </button>
                    }
                })}
                {operation.admin_has_totp.then(|| view! {
                    <ActionForm action=approve attr:class="form" attr:novalidate="true">
                        <input type="hidden" name="form[operation_id]" value=approve_id.clone() />
                        <input type="hidden" name="form[digest]" value=approve_digest.clone() />
                        <TotpCodeField
                            id="approval-code-input"
                            label=move || t!(i18n, sign_in.totp_code)
                            error=field_error(approve_error, "code")
                        />
                        <button class="button primary" type="submit" disabled=move || approving.get()>
                            {t!(i18n, approval.approve_code)}
                        </button>
                    </ActionForm>
                })}
            </div>
        })}
        {operation.recap.clone().map(|recap| view! {
            <section class="signed-rights" aria-labelledby="request-rights-title">
                <h2 id="request-rights-title">{t!(i18n, operation.rights_signed)}</h2>
                <RecapView recap />
            </section>
        })}
        {(awaiting && !page.mine).then(|| view! {
            <section aria-labelledby="reject-title">
                <h2 id="reject-title">{t!(i18n, approval.reject_title)}</h2>
                <ActionForm action=reject attr:class="form" attr:novalidate="true">
                    <ErrorNotice error=general_error(reject_error, &["reason"]) />
                    <input type="hidden" name="form[operation_id]" value=reject_id.clone() />
                    <input type="hidden" name="form[digest]" value=reject_digest.clone() />
                    <div class="field">
                        <label for="rejection-reason">{t!(i18n, approval.reason)}</label>
                        <textarea
                            id="rejection-reason"
                            name="form[reason]"
                            rows="3"
                            maxlength="500"
                            aria-describedby="rejection-reason-hint rejection-reason-error"
                            aria-invalid=move || field_error(reject_error, "reason").get().is_some().then_some("true")
                        ></textarea>
                        <p class="hint" id="rejection-reason-hint">{t!(i18n, approval.reason_hint)}</p>
                        <p class="field-error" id="rejection-reason-error" role="alert">
                            {move || field_error(reject_error, "reason").get()}
                        </p>
                    </div>
                    <button class="button" type="submit" disabled=move || rejecting.get()>
                        {t!(i18n, approval.reject)}
                    </button>
                </ActionForm>
            </section>
        })}
        {(awaiting && page.mine).then(|| view! {
            <ActionForm action=withdraw attr:class="inline-form">
                <ErrorNotice error=withdraw_error />
                <input type="hidden" name="form[operation_id]" value=withdraw_id.clone() />
                <button class="button" type="submit">{t!(i18n, approval.withdraw)}</button>
            </ActionForm>
        })}
        {user_link}
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let switch = ServerAction::<PrepareDualControl>::new();
    let page = Resource::new(|| (), |_| load_settings());
    view! {
        <Title text=move || t_string!(i18n, approval.settings_title).to_string() />
        <RequireSignedIn admin=true>
            <section class="card">
                <PageHeading>{t!(i18n, approval.settings_title)}</PageHeading>
                <h2>{t!(i18n, approval.dual_title)}</h2>
                <p>{t!(i18n, approval.dual_explained)}</p>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        on_loaded(page.await, move |page| settings_view(i18n, page, switch))
                    })}
                </Transition>
            </section>
        </RequireSignedIn>
    }
}

fn settings_view(
    i18n: I18n,
    page: SettingsPage,
    switch: ServerAction<PrepareDualControl>,
) -> AnyView {
    let error = action_error(*switch);
    let switching = busy(*switch);
    let single = !page.dual_control && !model::approval::can_switch_on(page.active_administrators);
    let state = if page.dual_control {
        view! { <p class="notice notice-info" data-testid="dual-control-state">{t!(i18n, approval.dual_on)}</p> }.into_any()
    } else {
        view! { <p class="notice notice-info" data-testid="dual-control-state">{t!(i18n, approval.dual_off_state)}</p> }.into_any()
    };
    let count = page.awaiting.to_string();
    let awaiting = (page.awaiting > 0).then(|| {
        view! { <p class="tap-link"><a href="/validations">{t!(i18n, approval.awaiting_count, count)}</a></p> }
    });
    let form = if single {
        view! { <p class="notice notice-warning" role="note">{t!(i18n, approval.single_admin)}</p> }
            .into_any()
    } else {
        let enabled = if page.dual_control { "non" } else { "oui" };
        view! {
            <ActionForm action=switch attr:class="form">
                <ErrorNotice error=error />
                <input type="hidden" name="form[enabled]" value=enabled />
                <button class="button primary" type="submit" disabled=move || switching.get()>
                    {if page.dual_control {
                        t!(i18n, approval.switch_off).into_any()
                    } else {
                        t!(i18n, approval.switch_on).into_any()
                    }}
                </button>
                {page.dual_control.then(|| view! { <p class="hint">{t!(i18n, approval.switch_off_hint)}</p> })}
            </ActionForm>
        }
        .into_any()
    };
    view! { {state} {awaiting} {form} }.into_any()
}
