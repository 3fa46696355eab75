//! « Espace conseiller »: the bank's advisors sign in (password and the authenticator's code),
//! see their portfolio, and for an entity of it register, correct and withdraw persons, unblock
//! users, name an administrator when none is left and read the journal, each action signed
//! with a new code. Every form posts to its server function: it works before the
//! wasm arrives.

use super::common::{
    action_error, busy, field_error, general_error, on_loaded, ErrorNotice, Field, Loading,
    PageHeading, TotpCodeField,
};
use super::users::{state_class, state_label};
use crate::api::advisor::{
    advisor_entity, advisor_journal, advisor_person, advisor_portfolio, advisor_session,
    AdvisorLogin, AdvisorLogout, AdvisorNameAdministrator, AdvisorNamePersonAdministrator,
    AdvisorResetAccess, AdvisorUnblock, CorrectPerson, RegisterPerson, WithdrawPerson,
};
use crate::api::types::{
    Administration, AdvisorEntityView, AdvisorPersonView, AdvisorUserLine, JournalPage,
    JournalSearch, UserState,
};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Sign-in: login id, password and code in one form.
#[component]
pub fn AdvisorSignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Resource::new(|| (), |_| advisor_session());
    let login = ServerAction::<AdvisorLogin>::new();
    let pending = busy(*login);
    let error = action_error(*login);
    view! {
        <Title text=move || t_string!(i18n, advisor.sign_in_title).to_string() />
        <section class="card narrow">
            <PageHeading>{t!(i18n, advisor.sign_in_heading)}</PageHeading>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    // Already signed in: the portfolio.
                    if let Ok(Some(_)) = session.await {
                        return view! { <Redirect path="/conseiller" /> }.into_any();
                    }
                    ().into_any()
                })}
            </Suspense>
            <p class="hint">{t!(i18n, advisor.sign_in_intro)}</p>
            <ActionForm action=login attr:class="form" attr:novalidate="true">
                <ErrorNotice error=general_error(error, &["login_id", "password", "code"]) />
                <Field
                    id="advisor-login-id"
                    name="form[login_id]"
                    label=move || t!(i18n, advisor.login_id)
                    autocomplete="username"
                    required=true
                    error=field_error(error, "login_id")
                />
                <Field
                    id="advisor-password"
                    name="form[password]"
                    label=move || t!(i18n, advisor.password)
                    kind="password"
                    autocomplete="current-password"
                    required=true
                    error=field_error(error, "password")
                />
                <TotpCodeField
                    id="advisor-code"
                    label=move || t!(i18n, advisor.code)
                    error=field_error(error, "code")
                />
                <button class="button primary" type="submit" disabled=move || pending.get()>
                    {move || if pending.get() {
                        t_string!(i18n, advisor.signing_in).to_string()
                    } else {
                        t_string!(i18n, advisor.sign_in).to_string()
                    }}
                </button>
            </ActionForm>
        </section>
    }
}

/// Who is signed in, and « Se déconnecter »; the sign-in page for anyone else.
#[component]
fn AdvisorBar(name: String) -> impl IntoView {
    let i18n = use_i18n();
    let logout = ServerAction::<AdvisorLogout>::new();
    view! {
        <div class="advisor-bar">
            <p>
                <span class="badge small">{t!(i18n, advisor.space)}</span>
                " "
                {t!(i18n, advisor.signed_in_as, name)}
            </p>
            <ActionForm action=logout>
                <button class="button" type="submit">{t!(i18n, advisor.sign_out)}</button>
            </ActionForm>
        </div>
    }
}

/// The advisor's bar on a page of their space; the sign-in page for anyone else.
#[component]
fn SignedInAdvisor() -> impl IntoView {
    let session = Resource::new(|| (), |_| advisor_session());
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                let Ok(Some(info)) = session.await else {
                    return view! { <Redirect path="/conseiller/connexion" /> }.into_any();
                };
                view! { <AdvisorBar name=info.name /> }.into_any()
            })}
        </Suspense>
    }
}

/// « Mon portefeuille »: the entities of the advisor's portfolio.
#[component]
pub fn PortfolioPage() -> impl IntoView {
    let i18n = use_i18n();
    let session = Resource::new(|| (), |_| advisor_session());
    let portfolio = Resource::new(|| (), |_| advisor_portfolio());
    view! {
        <Title text=move || t_string!(i18n, advisor.portfolio_title).to_string() />
        <section class="card">
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    let Ok(Some(info)) = session.await else {
                        return view! { <Redirect path="/conseiller/connexion" /> }.into_any();
                    };
                    let entities = portfolio.await;
                    view! {
                        <AdvisorBar name=info.name />
                        <PageHeading>{t!(i18n, advisor.portfolio_title)}</PageHeading>
                        <p class="hint">{t!(i18n, advisor.portfolio_intro)}</p>
                        {on_loaded(entities, move |entities| {
                            if entities.is_empty() {
                                return view! { <p>{t!(i18n, advisor.portfolio_empty)}</p> }.into_any();
                            }
                            view! {
                                <table class="users portfolio">
                                    <caption class="visually-hidden">{t!(i18n, advisor.portfolio_title)}</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">{t!(i18n, advisor.entity)}</th>
                                            <th scope="col">{t!(i18n, advisor.siren)}</th>
                                            <th scope="col">{t!(i18n, advisor.users_count)}</th>
                                            <th scope="col">{t!(i18n, advisor.administrators_count)}</th>
                                            <th scope="col">{t!(i18n, advisor.blocked_count)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {entities.into_iter().map(|entity| view! {
                                            <tr>
                                                <th scope="row" data-label=move || t_string!(i18n, advisor.entity).to_string()>
                                                    <a href=format!("/conseiller/entites/{}", entity.id)>{entity.name.clone()}</a>
                                                </th>
                                                <td data-label=move || t_string!(i18n, advisor.siren).to_string()>{entity.siren.clone()}</td>
                                                <td data-label=move || t_string!(i18n, advisor.users_count).to_string()>{entity.users}</td>
                                                <td data-label=move || t_string!(i18n, advisor.administrators_count).to_string()>{entity.administrators}</td>
                                                <td data-label=move || t_string!(i18n, advisor.blocked_count).to_string()>{entity.blocked}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }
                            .into_any()
                        })}
                    }
                    .into_any()
                })}
            </Suspense>
        </section>
    }
}

/// The advisor's actions on an entity's page, each its own server function.
#[derive(Clone, Copy)]
struct Actions {
    register: ServerAction<RegisterPerson>,
    unblock: ServerAction<AdvisorUnblock>,
    reset: ServerAction<AdvisorResetAccess>,
    name_administrator: ServerAction<AdvisorNameAdministrator>,
}

/// An entity of the portfolio: its users (« Débloquer » for a blocked one), the persons not
/// yet users, and « Enregistrer une personne ».
#[component]
pub fn AdvisorEntityPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let entity_id = Memo::new(move |_| {
        params
            .read()
            .get("entity")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    });
    let actions = Actions {
        register: ServerAction::<RegisterPerson>::new(),
        unblock: ServerAction::<AdvisorUnblock>::new(),
        reset: ServerAction::<AdvisorResetAccess>::new(),
        name_administrator: ServerAction::<AdvisorNameAdministrator>::new(),
    };
    // Read again after each action that succeeded: its answer leads to a new address (the
    // query names what was done). A refused one stays, with what was typed.
    let entity = Resource::new(
        move || (entity_id.get(), query.read().to_query_string()),
        |(id, _)| advisor_entity(id),
    );
    let journal = Resource::new(
        move || (entity_id.get(), query.read().to_query_string()),
        |(id, _)| advisor_journal(id, JournalSearch::default()),
    );
    let done = move || match query.read().get("fait").as_deref() {
        Some("personne") => Some(t_string!(i18n, advisor.done_person).to_string()),
        Some("deblocage") => Some(t_string!(i18n, advisor.done_unblock).to_string()),
        Some("reinitialisation") => Some(t_string!(i18n, advisor.done_reset).to_string()),
        Some("administrateur") => Some(t_string!(i18n, advisor.done_administrator).to_string()),
        Some("premier-administrateur") => {
            Some(t_string!(i18n, advisor.done_first_administrator).to_string())
        }
        Some("premier-administrateur-groupe") => {
            Some(t_string!(i18n, advisor.done_first_administrator_group).to_string())
        }
        Some("correction") => Some(t_string!(i18n, advisor.done_correction).to_string()),
        Some("retrait") => Some(t_string!(i18n, advisor.done_withdrawal).to_string()),
        _ => None,
    };
    view! {
        <Title text=move || t_string!(i18n, advisor.space).to_string() />
        <section class="card">
            <SignedInAdvisor />
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(entity.await, move |entity| entity_view(entity, actions))
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    // The entity's own answer says when it is not found: nothing more here.
                    journal.await.ok().map(journal_view)
                })}
            </Transition>
            {move || done().map(|message| view! { <p class="notice notice-success" role="status">{message}</p> })}
            <p class="back-link"><a href="/conseiller">{t!(i18n, advisor.back_to_portfolio)}</a></p>
        </section>
    }
}

fn entity_view(entity: AdvisorEntityView, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let entity_id = entity.id;
    let users = entity.users;
    let persons = entity.persons;
    let register = actions.register;
    // Nobody left to administer the entity: the advisor may name an administrator.
    let orphaned = entity.administration == Administration::Nobody;
    let awaiting = (entity.administration == Administration::AwaitingFirstLogin).then(|| {
        view! {
            <p class="notice notice-warning" role="status">{t!(i18n, advisor.administrator_awaiting_first_login)}</p>
        }
    });
    view! {
        <PageHeading>{entity.name.clone()}</PageHeading>
        <p class="hint">{t!(i18n, advisor.siren)}" "{entity.siren.clone()}</p>
        <h2>{t!(i18n, advisor.users_heading)}</h2>
        {awaiting}
        {if users.is_empty() {
            view! {
                <p>{t!(i18n, advisor.no_users)}</p>
                {orphaned.then(|| view! {
                    <p class="notice notice-warning" role="status">{t!(i18n, advisor.orphaned_no_users)}</p>
                })}
            }
            .into_any()
        } else {
            view! {
                {orphaned.then(|| view! {
                    <p class="notice notice-warning" role="status">{t!(i18n, advisor.orphaned)}</p>
                })}
                <ErrorNotice error=action_error(*actions.unblock) />
                <ErrorNotice error=action_error(*actions.reset) />
                <ErrorNotice error=action_error(*actions.name_administrator) />
                <table class="users">
                    <caption class="visually-hidden">{t!(i18n, advisor.users_heading)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, advisor.name)}</th>
                            <th scope="col">{t!(i18n, advisor.user_login_id)}</th>
                            <th scope="col">{t!(i18n, advisor.state)}</th>
                            <th scope="col">{t!(i18n, advisor.actions)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {users.into_iter().map(|user| user_row(entity_id, user, orphaned, actions)).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        }}
        <h2>{t!(i18n, advisor.persons_heading)}</h2>
        <p class="hint">{t!(i18n, advisor.persons_intro)}</p>
        {if persons.is_empty() {
            view! { <p>{t!(i18n, advisor.no_persons)}</p> }.into_any()
        } else {
            view! {
                <ul class="persons">
                    {persons.into_iter().map(|person| {
                        let date = person.birth_date.clone();
                        let name = person.full_name();
                        view! {
                            <li>
                                <strong>{person.full_name()}</strong>
                                " — "{t!(i18n, advisor.born, date)}" — "{person.phone.clone()}
                                " "
                                <a class="button" href=format!("/conseiller/entites/{entity_id}/personnes/{}", person.id)>
                                    {if orphaned {
                                        t!(i18n, advisor.name_correct_or_withdraw).into_any()
                                    } else {
                                        t!(i18n, advisor.correct_or_withdraw).into_any()
                                    }}
                                    <span class="visually-hidden">" "{name}</span>
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }
            .into_any()
        }}
        <RegisterPersonForm entity_id register />
    }
}

/// An action on one user, signed with a code: the user and the version the advisor sees. (A
/// macro: each action is a `ServerAction` of its own server function type.)
macro_rules! user_action_form {
    ($i18n:expr, $action:expr, $entity_id:expr, $user_id:expr, $version:expr, $code_id:expr, $label:expr) => {{
        let code_id: String = $code_id;
        view! {
            <ActionForm action=$action attr:class="form inline-form">
                <input type="hidden" name="form[entity]" value=$entity_id.to_string() />
                <input type="hidden" name="form[user]" value=$user_id.to_string() />
                <input type="hidden" name="form[version]" value=$version.to_string() />
                <div class="field">
                    <label for=code_id.clone()>{t!($i18n, advisor.code)}</label>
                    <input id=code_id type="text" name="form[code]" inputmode="numeric" autocomplete="one-time-code" maxlength="7" />
                </div>
                <button class="button primary" type="submit">{$label}</button>
            </ActionForm>
        }
    }};
}

fn user_row(
    entity_id: i64,
    user: AdvisorUserLine,
    orphaned: bool,
    actions: Actions,
) -> impl IntoView {
    let i18n = use_i18n();
    let blocked = user.state == UserState::Blocked;
    let can_be_named = orphaned
        && !user.is_administrator
        && matches!(
            user.state,
            UserState::Active | UserState::AwaitingFirstLogin
        );
    let can_be_reset = matches!(
        user.state,
        UserState::Active | UserState::Blocked | UserState::AwaitingFirstLogin
    );
    let has_action = blocked || can_be_named || can_be_reset;
    let name = user.name.clone();
    let (id, version) = (user.id, user.version);
    view! {
        <tr>
            <th scope="row" data-label=move || t_string!(i18n, advisor.name).to_string()>
                {user.name.clone()}
                {user.is_administrator.then(|| view! { " "<span class="badge small">{t!(i18n, advisor.administrator)}</span> })}
            </th>
            <td data-label=move || t_string!(i18n, advisor.user_login_id).to_string()>{user.login_id.clone()}</td>
            <td data-label=move || t_string!(i18n, advisor.state).to_string()>
                <span class=state_class(user.state)>{state_label(i18n, user.state)}</span>
            </td>
            // On a phone each row is a card: no « Actions » line when there is none.
            <td data-label=move || has_action.then(|| t_string!(i18n, advisor.actions).to_string())>
                {blocked.then(|| {
                    let name = name.clone();
                    user_action_form!(i18n, actions.unblock, entity_id, id, version, format!("unblock-code-{id}"), t!(i18n, advisor.unblock_label, name))
                })}
                {can_be_named.then(|| {
                    let name = name.clone();
                    user_action_form!(i18n, actions.name_administrator, entity_id, id, version, format!("administrator-code-{id}"), t!(i18n, advisor.name_administrator, name))
                })}
                // Folded: a reset is rarer than the row's other actions, and heavier.
                {can_be_reset.then(|| {
                    let name = name.clone();
                    let label = name.clone();
                    view! {
                        <details class="reset-access">
                            <summary>{t!(i18n, advisor.reset_summary, name = label)}</summary>
                            <p class="hint">{t!(i18n, advisor.reset_hint)}</p>
                            {user_action_form!(i18n, actions.reset, entity_id, id, version, format!("reset-code-{id}"), t!(i18n, advisor.reset_label, name))}
                        </details>
                    }
                })}
            </td>
        </tr>
    }
}

/// The entity's latest events.
fn journal_view(page: JournalPage) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h2>{t!(i18n, advisor.journal_heading)}</h2>
        <table class="users journal-table">
            <caption class="visually-hidden">{t!(i18n, advisor.journal_heading)}</caption>
            <thead>
                <tr>
                    <th scope="col">{t!(i18n, advisor.journal_at)}</th>
                    <th scope="col">{t!(i18n, advisor.journal_event)}</th>
                    <th scope="col">{t!(i18n, advisor.journal_author)}</th>
                    <th scope="col">{t!(i18n, advisor.journal_concerned)}</th>
                </tr>
            </thead>
            <tbody>
                {page.entries.into_iter().map(|entry| view! {
                    <tr>
                        <td data-label=move || t_string!(i18n, advisor.journal_at).to_string()>{entry.at.clone()}</td>
                        <th scope="row" data-label=move || t_string!(i18n, advisor.journal_event).to_string()>{entry.kind.clone()}</th>
                        <td data-label=move || t_string!(i18n, advisor.journal_author).to_string()>{entry.author.clone().unwrap_or_else(|| "—".into())}</td>
                        <td data-label=move || t_string!(i18n, advisor.journal_concerned).to_string()>{entry.concerned.clone().unwrap_or_else(|| "—".into())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// « Enregistrer une personne »: the identity the bank owns, signed with a code.
#[component]
fn RegisterPersonForm(entity_id: i64, register: ServerAction<RegisterPerson>) -> impl IntoView {
    let i18n = use_i18n();
    let pending = busy(*register);
    let error = action_error(*register);
    const FIELDS: &[&str] = &[
        "last_name",
        "first_name",
        "birth_date",
        "phone",
        "email",
        "code",
    ];
    view! {
        <h2>{t!(i18n, advisor.register_heading)}</h2>
        <ActionForm action=register attr:class="form" attr:novalidate="true">
            <ErrorNotice error=general_error(error, FIELDS) />
            <input type="hidden" name="form[entity]" value=entity_id.to_string() />
            <Field id="person-last-name" name="form[last_name]" label=move || t!(i18n, advisor.last_name) autocomplete="off" required=true error=field_error(error, "last_name") />
            <Field id="person-first-name" name="form[first_name]" label=move || t!(i18n, advisor.first_name) autocomplete="off" required=true error=field_error(error, "first_name") />
            <Field id="person-birth-date" name="form[birth_date]" kind="date" label=move || t!(i18n, advisor.birth_date) required=true error=field_error(error, "birth_date") />
            <Field id="person-phone" name="form[phone]" kind="tel" label=move || t!(i18n, advisor.phone) autocomplete="off" required=true hint=move || t!(i18n, advisor.phone_hint) error=field_error(error, "phone") />
            <Field id="person-email" name="form[email]" kind="email" label=move || t!(i18n, advisor.email) autocomplete="off" error=field_error(error, "email") />
            <TotpCodeField id="person-code" label=move || t!(i18n, advisor.code) error=field_error(error, "code") />
            <button class="button primary" type="submit" disabled=move || pending.get()>
                {move || if pending.get() {
                    t_string!(i18n, advisor.registering).to_string()
                } else {
                    t_string!(i18n, advisor.register).to_string()
                }}
            </button>
        </ActionForm>
    }
}

/// « Corriger ou retirer » a registered person not yet a user.
#[component]
pub fn AdvisorPersonPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let ids = Memo::new(move |_| {
        let read = |name: &str| {
            params
                .read()
                .get(name)
                .and_then(|id| id.parse::<i64>().ok())
                .unwrap_or_default()
        };
        (read("entity"), read("person"))
    });
    let person = Resource::new(
        move || ids.get(),
        |(entity, person)| advisor_person(entity, person),
    );
    let actions = PersonActions {
        correct: ServerAction::<CorrectPerson>::new(),
        withdraw: ServerAction::<WithdrawPerson>::new(),
        name_administrator: ServerAction::<AdvisorNamePersonAdministrator>::new(),
    };
    view! {
        <Title text=move || t_string!(i18n, advisor.correct_title).to_string() />
        <section class="card">
            <SignedInAdvisor />
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(person.await, move |person| person_forms(person, actions))
                })}
            </Suspense>
            <p class="back-link">
                <a href=move || format!("/conseiller/entites/{}", ids.get().0)>{t!(i18n, advisor.back_to_entity)}</a>
            </p>
        </section>
    }
}

/// The actions on a registered person's page, each its own server function.
#[derive(Clone, Copy)]
struct PersonActions {
    correct: ServerAction<CorrectPerson>,
    withdraw: ServerAction<WithdrawPerson>,
    name_administrator: ServerAction<AdvisorNamePersonAdministrator>,
}

fn person_forms(person: AdvisorPersonView, actions: PersonActions) -> impl IntoView {
    let i18n = use_i18n();
    let PersonActions {
        correct,
        withdraw,
        name_administrator,
    } = actions;
    let correct_error = action_error(*correct);
    let withdraw_error = action_error(*withdraw);
    let correct_pending = busy(*correct);
    let withdraw_pending = busy(*withdraw);
    const FIELDS: &[&str] = &[
        "last_name",
        "first_name",
        "birth_date",
        "phone",
        "email",
        "code",
    ];
    let name = format!("{} {}", person.first_name, person.last_name);
    let heading = name.clone();
    // Each form's fields are its own (the forms' contents are closures that own them).
    let (entity, id) = (person.entity_id.to_string(), person.id.to_string());
    let (withdraw_entity, withdraw_id) = (entity.clone(), id.clone());
    // Nobody can administer the entity: this person can be named its administrator (first),
    // if the bank's systems sent their contacts; the page says why not otherwise.
    let first_administrator = match (person.administration, person.contacts_from_bank) {
        (Administration::Nobody, true) => view! {
            <NamePersonAdministrator
                entity_id=person.entity_id
                person_id=person.id
                email=person.email.clone().unwrap_or_default()
                name=name.clone()
                action=name_administrator
            />
        }
        .into_any(),
        (Administration::Nobody, false) => view! {
            <h2>{t!(i18n, advisor.first_administrator_heading)}</h2>
            <p class="notice notice-warning" role="status">{t!(i18n, advisor.contacts_not_from_bank)}</p>
        }
        .into_any(),
        (Administration::AwaitingFirstLogin, _) => view! {
            <p class="notice notice-warning" role="status">{t!(i18n, advisor.administrator_awaiting_first_login)}</p>
        }
        .into_any(),
        (Administration::Acting, _) => ().into_any(),
    };
    view! {
        <PageHeading>{heading}</PageHeading>
        <p class="hint">{person.entity_name.clone()}</p>
        {first_administrator}
        <h2>{t!(i18n, advisor.correct_heading)}</h2>
        <ActionForm action=correct attr:class="form" attr:novalidate="true">
            <ErrorNotice error=general_error(correct_error, FIELDS) />
            <input type="hidden" name="form[entity]" value=entity />
            <input type="hidden" name="form[person]" value=id />
            <Field id="correct-last-name" name="form[last_name]" value=person.last_name.clone() label=move || t!(i18n, advisor.last_name) autocomplete="off" required=true error=field_error(correct_error, "last_name") />
            <Field id="correct-first-name" name="form[first_name]" value=person.first_name.clone() label=move || t!(i18n, advisor.first_name) autocomplete="off" required=true error=field_error(correct_error, "first_name") />
            <Field id="correct-birth-date" name="form[birth_date]" kind="date" value=person.birth_date.clone() label=move || t!(i18n, advisor.birth_date) required=true error=field_error(correct_error, "birth_date") />
            <Field id="correct-phone" name="form[phone]" kind="tel" value=person.phone.clone() label=move || t!(i18n, advisor.phone) autocomplete="off" required=true hint=move || t!(i18n, advisor.phone_hint) error=field_error(correct_error, "phone") />
            <Field id="correct-email" name="form[email]" kind="email" value=person.email.clone().unwrap_or_default() label=move || t!(i18n, advisor.email) autocomplete="off" error=field_error(correct_error, "email") />
            <TotpCodeField id="correct-code" label=move || t!(i18n, advisor.code) error=field_error(correct_error, "code") />
            <button class="button primary" type="submit" disabled=move || correct_pending.get()>
                {t!(i18n, advisor.correct)}
            </button>
        </ActionForm>
        <h2>{t!(i18n, advisor.withdraw_heading)}</h2>
        <p class="hint">{t!(i18n, advisor.withdraw_intro)}</p>
        <ActionForm action=withdraw attr:class="form" attr:novalidate="true">
            <ErrorNotice error=general_error(withdraw_error, &["code"]) />
            <input type="hidden" name="form[entity]" value=withdraw_entity />
            <input type="hidden" name="form[person]" value=withdraw_id />
            <TotpCodeField id="withdraw-code" label=move || t!(i18n, advisor.code) error=field_error(withdraw_error, "code") />
            <button class="button danger" type="submit" disabled=move || withdraw_pending.get()>
                {t!(i18n, advisor.withdraw, name)}
            </button>
        </ActionForm>
    }
}

/// Break-glass: the entity has no administrator who can act; this registered person becomes
/// it, reached at the e-mail typed here (the registered one, when there is one).
#[component]
fn NamePersonAdministrator(
    entity_id: i64,
    person_id: i64,
    email: String,
    name: String,
    action: ServerAction<AdvisorNamePersonAdministrator>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = action_error(*action);
    let pending = busy(*action);
    view! {
        <h2>{t!(i18n, advisor.first_administrator_heading)}</h2>
        <p class="notice notice-warning">{t!(i18n, advisor.first_administrator_intro)}</p>
        <ActionForm action attr:class="form" attr:novalidate="true">
            <ErrorNotice error=general_error(error, &["email", "code"]) />
            <input type="hidden" name="form[entity]" value=entity_id.to_string() />
            <input type="hidden" name="form[person]" value=person_id.to_string() />
            <Field id="first-administrator-email" name="form[email]" kind="email" value=email label=move || t!(i18n, advisor.first_administrator_email) autocomplete="off" required=true error=field_error(error, "email") />
            <TotpCodeField id="first-administrator-code" label=move || t!(i18n, advisor.code) error=field_error(error, "code") />
            <button class="button primary" type="submit" disabled=move || pending.get()>
                {t!(i18n, advisor.name_administrator, name)}
            </button>
        </ActionForm>
    }
}
