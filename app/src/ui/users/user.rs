//! « Fiche utilisateur »: who the user is (as the advisor registered them), their state, their
//! strong-authentication factors (kinds and dates), when they last signed in, who added them,
//! every right with its origin, and what the administrator can do: modify the rights, suspend,
//! reactivate, reset the access, unblock, remove, give or take away the auditor role.

use super::{state_class, state_label};
use crate::api::types::{UserState, UserView};
use crate::api::users::{
    load_user, PrepareAccessReset, PrepareAuditorRemoval, PrepareAuditorRole, PrepareReactivation,
    PrepareRemoval, PrepareSuspension, PrepareUnblock, StartRightsModification,
};
use crate::i18n::*;
use crate::ui::common::{action_error, busy, on_loaded, ErrorNotice, I18n, Loading, PageHeading};
use crate::ui::home::RecapView;
use crate::ui::RequireSignedIn;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn UserPage() -> impl IntoView {
    view! {
        <RequireSignedIn admin=true>
            <UserContent />
        </RequireSignedIn>
    }
}

#[component]
fn UserContent() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("user")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    });
    let user = Resource::new(move || id.get(), load_user);
    let actions = Actions {
        suspend: ServerAction::<PrepareSuspension>::new(),
        reactivate: ServerAction::<PrepareReactivation>::new(),
        reset: ServerAction::<PrepareAccessReset>::new(),
        unblock: ServerAction::<PrepareUnblock>::new(),
        modify: ServerAction::<StartRightsModification>::new(),
        remove: ServerAction::<PrepareRemoval>::new(),
        auditor: ServerAction::<PrepareAuditorRole>::new(),
        not_auditor: ServerAction::<PrepareAuditorRemoval>::new(),
    };
    view! {
        <Title text=move || t_string!(i18n, user.title).to_string() />
        <section class="card">
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(user.await, move |user| user_view(i18n, user, actions))
                })}
            </Transition>
            <p class="back-link"><a href="/utilisateurs">{t!(i18n, user.back)}</a></p>
        </section>
    }
}

/// What an administrator can do to a user's access, each a form posting to its server function.
#[derive(Clone, Copy)]
struct Actions {
    suspend: ServerAction<PrepareSuspension>,
    reactivate: ServerAction<PrepareReactivation>,
    reset: ServerAction<PrepareAccessReset>,
    unblock: ServerAction<PrepareUnblock>,
    modify: ServerAction<StartRightsModification>,
    remove: ServerAction<PrepareRemoval>,
    auditor: ServerAction<PrepareAuditorRole>,
    not_auditor: ServerAction<PrepareAuditorRemoval>,
}

fn user_view(i18n: I18n, user: UserView, actions: Actions) -> impl IntoView {
    let name = format!("{} {}", user.first_name, user.last_name);
    let added_by = user
        .added_by
        .clone()
        .unwrap_or_else(|| t_string!(i18n, user.added_by_bank).to_string());
    let last_sign_in = user
        .last_sign_in
        .clone()
        .unwrap_or_else(|| t_string!(i18n, user.never_signed_in).to_string());
    let (added_on, state) = (user.added_on.clone(), user.state);
    let passkeys = user.factors.passkeys.clone();
    let has_totp = user.factors.has_totp;
    let mut offered = Vec::new();
    if user.state != UserState::Removed {
        offered.push(AccessAction::Modify(actions.modify));
    }
    match (user.state, user.is_self) {
        (_, true) | (UserState::Removed, _) => {}
        (UserState::Active, false) => {
            offered.push(AccessAction::Suspend(actions.suspend));
            offered.push(AccessAction::Reset(actions.reset));
        }
        (UserState::Suspended, false) => offered.push(AccessAction::Reactivate(actions.reactivate)),
        (UserState::Blocked, false) => {
            offered.push(AccessAction::Unblock(actions.unblock));
            offered.push(AccessAction::Reset(actions.reset));
        }
        (UserState::AwaitingFirstLogin, false) => offered.push(AccessAction::Reset(actions.reset)),
    }
    if user.state != UserState::Removed {
        offered.push(if user.is_auditor {
            AccessAction::NotAuditor(actions.not_auditor)
        } else {
            AccessAction::Auditor(actions.auditor)
        });
    }
    if user.state != UserState::Removed && !user.is_self {
        offered.push(AccessAction::Remove(actions.remove));
    }
    let removed_notice = (user.state == UserState::Removed)
        .then(|| view! { <p class="notice notice-info">{t!(i18n, user.removed_notice)}</p> });
    let forms = offered
        .into_iter()
        .map(|action| access_form(i18n, user.id, action))
        .collect_view();
    view! {
        <div class="title-row">
            <PageHeading>{name}</PageHeading>
            <span class=state_class(state)>{state_label(i18n, state)}</span>
        </div>
        <dl class="facts">
            <div><dt>{t!(i18n, user.login_id)}</dt><dd>{user.login_id.clone()}</dd></div>
            <div><dt>{t!(i18n, user.birth_date)}</dt><dd>{user.birth_date.clone()}</dd></div>
            <div><dt>{t!(i18n, user.email)}</dt><dd>{user.email.clone()}</dd></div>
            <div><dt>{t!(i18n, user.phone)}</dt><dd>{user.phone.clone()}</dd></div>
            <div><dt>{t!(i18n, user.added)}</dt><dd>{t!(i18n, user.added_on_by, added_on, added_by)}</dd></div>
            <div><dt>{t!(i18n, user.last_sign_in)}</dt><dd>{last_sign_in}</dd></div>
            <div>
                <dt>{t!(i18n, user.administrator)}</dt>
                <dd>{if user.is_administrator { t_string!(i18n, user.yes) } else { t_string!(i18n, user.no) }}</dd>
            </div>
            <div>
                <dt>{t!(i18n, user.auditor)}</dt>
                <dd data-testid="auditor">{if user.is_auditor { t_string!(i18n, user.yes) } else { t_string!(i18n, user.no) }}</dd>
            </div>
        </dl>
        <h2>{t!(i18n, user.factors)}</h2>
        <ul class="plain-list">
            {passkeys.into_iter().map(|p| {
                let (name, date) = (p.label, p.created_on);
                view! { <li>{t!(i18n, security.passkey_line, name, date)}</li> }
            }).collect_view()}
            {has_totp.then(|| view! { <li>{t!(i18n, user.totp)}</li> })}
            {(!has_totp && user.factors.passkeys.is_empty()).then(|| view! { <li>{t!(i18n, user.no_factor)}</li> })}
        </ul>
        <h2>{t!(i18n, user.rights)}</h2>
        {removed_notice}
        <RecapView recap=user.recap.clone() />
        <p class="tap-link"><a href=format!("/utilisateurs/{}/pourquoi", user.id)>{t!(i18n, why.link)}</a></p>
        {forms}
    }
}

enum AccessAction {
    Suspend(ServerAction<PrepareSuspension>),
    Reactivate(ServerAction<PrepareReactivation>),
    Reset(ServerAction<PrepareAccessReset>),
    Unblock(ServerAction<PrepareUnblock>),
    Modify(ServerAction<StartRightsModification>),
    Remove(ServerAction<PrepareRemoval>),
    Auditor(ServerAction<PrepareAuditorRole>),
    NotAuditor(ServerAction<PrepareAuditorRemoval>),
}

/// « Suspendre », « Réactiver », « Réinitialiser », « Débloquer »: each prepares its operation,
/// then the validation page asks for the strong authentication. A form: it works before the
/// wasm arrives. (A macro: each action is a `ServerAction` of its own server function type.)
macro_rules! access_form {
    ($i18n:expr, $user_id:expr, $action:expr, $intro:ident, $label:ident, $class:literal) => {{
        let (i18n, action) = ($i18n, $action);
        let pending = busy(*action);
        let error = action_error(*action);
        view! {
            <ActionForm action=action attr:class="form access-form">
                <ErrorNotice error=error />
                <p>{t!(i18n, user.$intro)}</p>
                <input type="hidden" name="form[user_id]" value=$user_id.to_string() />
                <button class=$class type="submit" disabled=move || pending.get()>
                    {t!(i18n, user.$label)}
                </button>
            </ActionForm>
        }
        .into_any()
    }};
}

fn access_form(i18n: I18n, user_id: i64, action: AccessAction) -> AnyView {
    match action {
        AccessAction::Modify(action) => {
            access_form!(
                i18n,
                user_id,
                action,
                modify_intro,
                modify,
                "button primary"
            )
        }
        AccessAction::Remove(action) => {
            access_form!(i18n, user_id, action, remove_intro, remove, "button danger")
        }
        AccessAction::Auditor(action) => {
            access_form!(i18n, user_id, action, auditor_intro, make_auditor, "button")
        }
        AccessAction::NotAuditor(action) => {
            access_form!(
                i18n,
                user_id,
                action,
                not_auditor_intro,
                remove_auditor,
                "button"
            )
        }
        AccessAction::Suspend(action) => {
            access_form!(
                i18n,
                user_id,
                action,
                suspend_intro,
                suspend,
                "button danger"
            )
        }
        AccessAction::Reset(action) => {
            access_form!(i18n, user_id, action, reset_intro, reset, "button")
        }
        AccessAction::Unblock(action) => {
            access_form!(
                i18n,
                user_id,
                action,
                unblock_intro,
                unblock,
                "button primary"
            )
        }
        AccessAction::Reactivate(action) => {
            access_form!(
                i18n,
                user_id,
                action,
                reactivate_intro,
                reactivate,
                "button primary"
            )
        }
    }
}
