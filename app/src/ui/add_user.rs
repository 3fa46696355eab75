//! « Ajouter un utilisateur »: the journey of the reference page, one route per step. The
//! journey's state lives in the parent route, so going back keeps what was entered; nothing
//! changes on the server until the strong authentication of the last step.

use super::common::{general_error, on_loaded, ErrorNotice, Loading};
use super::grid::RightsGrid;
use super::home::RecapView;
use super::{webauthn, RequireSignedIn};
use crate::api::operations::{cancel_operation, confirm_operation, operation_passkey_challenge};
use crate::api::types::{
    AddUserDraft, Candidates, OperationDone, PersonCard, PreparedOperation, RightsContext,
    ScaProof, UserRights,
};
use crate::api::users::{
    add_user_candidates, add_user_rights_context, copyable_rights, prepare_add_user,
};
use crate::api::ApiError;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_navigate;
use model::operation::origin_of;
use model::{Email, Profile, Recap, RightsEditor, RightsMethod};

const BASE: &str = "/utilisateurs/ajout";

/// The journey's state, shared by its steps.
#[derive(Clone, Copy)]
struct Journey {
    candidates: Resource<Result<Candidates, ApiError>>,
    context: Resource<Result<RightsContext, ApiError>>,
    person: RwSignal<Option<PersonCard>>,
    email: RwSignal<String>,
    /// The copied user, for a copy.
    copied: RwSignal<Option<UserRights>>,
    editor: RwSignal<Option<RightsEditor>>,
    prepared: RwSignal<Option<PreparedOperation>>,
    done: RwSignal<Option<OperationDone>>,
}

impl Journey {
    /// « du profil valideur », « des droits de Julien BERNARD »: what the grid's marks compare to.
    fn reference(&self) -> String {
        match self
            .editor
            .with_untracked(|e| e.as_ref().map(RightsEditor::method))
        {
            Some(RightsMethod::Profile(profile)) => format!("du {}", profile.label()),
            Some(RightsMethod::Copy { .. }) => format!(
                "des droits de {}",
                self.copied
                    .with_untracked(|c| c.as_ref().map(|c| c.name.clone()))
                    .unwrap_or_default()
            ),
            _ => String::new(),
        }
    }
}

#[component]
pub fn AddUserJourney() -> impl IntoView {
    let journey = Journey {
        candidates: Resource::new(|| (), |_| add_user_candidates()),
        context: Resource::new(|| (), |_| add_user_rights_context()),
        person: RwSignal::new(None),
        email: RwSignal::new(String::new()),
        copied: RwSignal::new(None),
        editor: RwSignal::new(None),
        prepared: RwSignal::new(None),
        done: RwSignal::new(None),
    };
    provide_context(journey);
    view! {
        <Title text="Ajouter un utilisateur · Habilis" />
        <RequireSignedIn admin=true>
            <section class="card journey">
                <p class="breadcrumb">
                    <A href="/utilisateurs">"Gestion des utilisateurs"</A>
                    " › Ajouter un utilisateur"
                </p>
                <Outlet />
            </section>
        </RequireSignedIn>
    }
}

/// Sends a step reached without its prerequisites back to the start.
fn restart() -> AnyView {
    view! { <Redirect path=BASE /> }.into_any()
}

/// Step 1: « Sélectionnez votre nouvel utilisateur dans la liste des noms apparaissant à
/// l’écran. »
#[component]
pub fn ChoosePerson() -> impl IntoView {
    let journey = expect_context::<Journey>();
    let navigate = use_navigate();
    let select = move |person: PersonCard| {
        if journey.person.with_untracked(|p| p.as_ref().map(|p| p.id)) != Some(person.id) {
            journey.email.set(person.email.clone().unwrap_or_default());
            journey.prepared.set(None);
        }
        journey.person.set(Some(person));
        navigate(&format!("{BASE}/donnees"), Default::default());
    };
    view! {
        <h1>"Ajouter un utilisateur"</h1>
        <p class="hint">
            "A noter : votre nouvel utilisateur doit préalablement avoir été enregistré par votre conseiller."
        </p>
        <Transition fallback=|| view! { <Loading /> }>
            {move || {
                let select = select.clone();
                Suspend::new(async move {
                    on_loaded(journey.candidates.await, move |candidates| {
                        if candidates.persons.is_empty() {
                            let advisor = candidates.advisor;
                            return view! {
                                <div class="notice notice-info" role="status">
                                    <p>
                                        <strong>"Aucune personne n’est en attente d’accès."</strong>
                                        " Votre nouvel utilisateur doit préalablement avoir été enregistré par votre conseiller. Prenez contact avec lui pour effectuer cette démarche :"
                                    </p>
                                    <p class="advisor">
                                        {advisor.name}<br />{advisor.agency}<br />
                                        {advisor.phone}" · "
                                        <a href=format!("mailto:{}", advisor.email)>{advisor.email.clone()}</a>
                                    </p>
                                </div>
                            }
                                .into_any();
                        }
                        view! {
                            <h2>"Sélectionnez votre nouvel utilisateur dans la liste des noms apparaissant à l’écran"</h2>
                            <ul class="choices">
                                {candidates.persons.into_iter().map(|person| {
                                    let select = select.clone();
                                    let chosen = person.clone();
                                    view! {
                                        <li>
                                            <button class="choice" type="button" on:click=move |_| select(chosen.clone())>
                                                <span class="choice-title">{person.full_name()}</span>
                                                <span class="choice-detail">{format!("Né(e) le {}", person.birth_date)}</span>
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                            .into_any()
                    })
                })
            }}
        </Transition>
    }
}

/// Step 2: « Vérifiez les données personnelles … et, s’il n’apparaît pas, renseignez l’e-mail. »
#[component]
pub fn CheckPersonalData() -> impl IntoView {
    let journey = expect_context::<Journey>();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    move || {
        let Some(person) = journey.person.get() else {
            return restart();
        };
        let navigate = navigate.clone();
        let registered_email = person.email.clone();
        let submit = move |ev: SubmitEvent| {
            ev.prevent_default();
            match Email::parse(&journey.email.get_untracked()) {
                Ok(email) => {
                    journey.email.set(email.to_string());
                    error.set(None);
                    navigate(&format!("{BASE}/methode"), Default::default());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        };
        view! {
            <h1>"Vérifiez les données personnelles"</h1>
            <p class="hint">"Ces données ont été enregistrées par votre conseiller."</p>
            <dl class="facts">
                <div><dt>"Nom"</dt><dd>{person.last_name.clone()}</dd></div>
                <div><dt>"Prénom"</dt><dd>{person.first_name.clone()}</dd></div>
                <div><dt>"Date de naissance"</dt><dd>{person.birth_date.clone()}</dd></div>
                <div><dt>"Numéro de téléphone"</dt><dd>{person.phone.clone()}</dd></div>
            </dl>
            <form class="form" on:submit=submit novalidate>
                {match registered_email {
                    Some(email) => view! {
                        <dl class="facts"><div><dt>"E-mail"</dt><dd>{email}</dd></div></dl>
                    }.into_any(),
                    None => view! {
                        <div class="field">
                            <label for="email">"E-mail"</label>
                            <input
                                id="email"
                                type="email"
                                autocomplete="off"
                                aria-describedby="email-warning"
                                bind:value=journey.email
                            />
                            <p id="email-warning" class="notice notice-warning">
                                "Attention, une adresse mail valide est indispensable pour que le nouvel utilisateur puisse recevoir ses identifiants de banque à distance."
                            </p>
                            {move || error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                        </div>
                    }.into_any(),
                }}
                <div class="actions">
                    <A href=BASE>"Retour"</A>
                    <button class="button primary" type="submit">"Continuer"</button>
                </div>
            </form>
        }
        .into_any()
    }
}

/// Step 3: one of the three methods of attribution.
#[component]
pub fn ChooseMethod() -> impl IntoView {
    let journey = expect_context::<Journey>();
    let navigate = use_navigate();
    let copying = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);

    // Starts (or resumes, when the method is unchanged) the grid for a method.
    let start = move |method: RightsMethod, copied: Option<UserRights>, navigate: &dyn Fn(&str)| {
        let Some(Ok(context)) = journey.context.get_untracked() else {
            return;
        };
        let unchanged = journey
            .editor
            .with_untracked(|e| e.as_ref().map(RightsEditor::method) == Some(method));
        if !unchanged {
            journey.editor.set(Some(RightsEditor::new(
                method,
                &context.catalog,
                copied.as_ref().map(|c| &c.rights),
            )));
            journey.copied.set(copied);
            journey.prepared.set(None);
        }
        navigate(&format!("{BASE}/droits"));
    };

    move || {
        if journey.person.get().is_none() {
            return restart();
        }
        let navigate = navigate.clone();
        let go = move |path: &str| navigate(path, Default::default());
        let go = StoredValue::new_local(go);
        let choose = move |method: RightsMethod| {
            go.with_value(|go| start(method, None, go));
        };
        let copy_from = move |user_id: i64| {
            error.set(None);
            spawn_local(async move {
                match copyable_rights(user_id).await {
                    Ok(rights) => go.with_value(|go| {
                        start(RightsMethod::Copy { from_user: user_id }, Some(rights), go)
                    }),
                    Err(e) => error.set(Some(e)),
                }
            });
        };
        view! {
            <h1>"Choisissez comment attribuer les droits"</h1>
            <ErrorNotice error=error />
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(journey.context.await, move |context| {
                        view! {
                            <div class="methods">
                                <div class="method">
                                    <h2>"Vous souhaitez copier les droits d’un utilisateur existant"</h2>
                                    <button class="button" type="button" on:click=move |_| copying.set(true)>
                                        "Copier les droits à partir d’un autre utilisateur"
                                    </button>
                                    <Show when=move || copying.get()>
                                        <p>"Choisissez l’utilisateur dont vous souhaitez copier les droits :"</p>
                                        <ul class="choices">
                                            {context.users.clone().into_iter().map(|user| {
                                                let id = user.id;
                                                view! {
                                                    <li>
                                                        <button class="choice" type="button" on:click=move |_| copy_from(id)>
                                                            <span class="choice-title">{user.full_name()}</span>
                                                            <span class="choice-detail">{user.rights_summary.clone()}</span>
                                                        </button>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    </Show>
                                </div>
                                <div class="method">
                                    <h2>"Vous préférez choisir les droits à attribuer"</h2>
                                    <button class="button" type="button" on:click=move |_| choose(RightsMethod::Custom)>
                                        "Attribuer des droits personnalisés"
                                    </button>
                                </div>
                                <div class="method">
                                    <h2>"Vous voulez adopter une approche par profil"</h2>
                                    <p>"4 profils types vous sont proposés :"</p>
                                    <ul class="choices">
                                        {Profile::ALL.map(|profile| view! {
                                            <li>
                                                <button class="choice" type="button" on:click=move |_| choose(RightsMethod::Profile(profile))>
                                                    <span class="choice-title">{profile.title()}</span>
                                                    <span class="choice-detail">{profile.description()}</span>
                                                </button>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                </div>
                            </div>
                        }
                    })
                })}
            </Transition>
            <div class="actions">
                <A href=format!("{BASE}/donnees")>"Retour"</A>
            </div>
        }
        .into_any()
    }
}

/// Step 4: the rights grid, for any method.
#[component]
pub fn ChooseRights() -> impl IntoView {
    let journey = expect_context::<Journey>();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    move || {
        let (Some(editor), Some(Ok(context))) =
            (journey.editor.get_untracked(), journey.context.get())
        else {
            return restart();
        };
        let method = editor.method();
        // The grid edits its own signal; the journey keeps the result when moving on or back.
        let grid = RwSignal::new(editor);
        let catalog = context.catalog.clone();
        let keep = move || journey.editor.set(Some(grid.get_untracked()));
        let navigate = navigate.clone();
        let next = move |_| {
            let checked = grid.with_untracked(|e| e.check(&catalog));
            keep();
            match checked {
                Ok(()) => {
                    error.set(None);
                    journey.prepared.set(None);
                    navigate(&format!("{BASE}/verification"), Default::default());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        };
        let heading = match method {
            RightsMethod::Copy { .. } => "Récapitulatif des droits à copier".to_string(),
            RightsMethod::Custom => "Attribuer des droits personnalisés".to_string(),
            RightsMethod::Profile(profile) => profile.title().to_string(),
        };
        let intro = match method {
            RightsMethod::Copy { .. } => {
                let copied = journey.copied.get_untracked();
                view! {
                    <p>{format!("Droits de {} :", copied.as_ref().map(|c| c.name.clone()).unwrap_or_default())}</p>
                    {copied.map(|c| view! { <RecapView recap=c.recap /> })}
                    <p><strong>"Vérifiez la liste des droits."</strong>" Vous pouvez l’ajuster ci-dessous ; les différences avec l’utilisateur copié sont signalées."</p>
                }
                .into_any()
            }
            RightsMethod::Custom => view! {
                <p>"Sélectionnez les comptes et contrats concernés, puis choisissez les droits de consultation, gestion et/ou validation à attribuer."</p>
            }
            .into_any(),
            RightsMethod::Profile(profile) => view! { <p>{profile.description()}</p> }.into_any(),
        };
        view! {
            <h1>{heading}</h1>
            {intro}
            <RightsGrid catalog=context.catalog editor=grid reference=journey.reference() />
            {move || error.get().map(|m| view! { <p class="notice notice-error" role="alert">{m}</p> })}
            <div class="actions">
                <A href=format!("{BASE}/methode") on:click=move |_| keep()>"Retour"</A>
                <button class="button primary" type="button" on:click=next>"Continuer"</button>
            </div>
        }
        .into_any()
    }
}

/// The recap of the draft with where each right comes from, computed here with the same model
/// the server uses (the server recomputes it when preparing the operation).
fn draft_recap(journey: &Journey, context: &RightsContext) -> Option<Recap> {
    let editor = journey.editor.get()?;
    let source_name = journey
        .copied
        .with(|c| c.as_ref().map(|c| c.name.clone()))
        .unwrap_or_default();
    let method = editor.method();
    Some(Recap::new(&context.catalog, editor.rights(), |r, l| {
        origin_of(
            &method,
            editor.baseline(),
            &source_name,
            &Default::default(),
            r,
            l,
        )
    }))
}

/// Step 5: « Vérifiez l’ensemble de votre sélection », then « Confirmer ».
#[component]
pub fn Verify() -> impl IntoView {
    let journey = expect_context::<Journey>();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    move || {
        let (Some(person), Some(editor), Some(Ok(context))) = (
            journey.person.get(),
            journey.editor.get(),
            journey.context.get(),
        ) else {
            return restart();
        };
        let recap = draft_recap(&journey, &context);
        let navigate = navigate.clone();
        let draft = AddUserDraft {
            person_id: person.id,
            email: journey.email.get(),
            method: editor.method(),
            rights: editor.rights().clone(),
        };
        let confirm = move |_| {
            let draft = draft.clone();
            let navigate = navigate.clone();
            pending.set(true);
            error.set(None);
            spawn_local(async move {
                match prepare_add_user(draft).await {
                    Ok(prepared) => {
                        journey.prepared.set(Some(prepared));
                        navigate(&format!("{BASE}/validation"), Default::default());
                    }
                    Err(e) => error.set(Some(e)),
                }
                pending.set(false);
            });
        };
        let method_label = match editor.method() {
            RightsMethod::Copy { .. } => format!(
                "Copie des droits de {}",
                journey.copied.get().map(|c| c.name).unwrap_or_default()
            ),
            RightsMethod::Custom => "Droits personnalisés".into(),
            RightsMethod::Profile(profile) => profile.title().into(),
        };
        view! {
            <h1>"Vérifiez l’ensemble de votre sélection"</h1>
            <dl class="facts">
                <div><dt>"Nouvel utilisateur"</dt><dd>{person.full_name()}</dd></div>
                <div><dt>"E-mail"</dt><dd>{journey.email.get()}</dd></div>
                <div><dt>"Méthode"</dt><dd>{method_label}</dd></div>
            </dl>
            <h2>"Droits attribués"</h2>
            {recap.map(|recap| view! { <RecapView recap /> })}
            <ErrorNotice error=Signal::derive(move || general_error(error.get(), &[])) />
            <div class="actions">
                <A href=format!("{BASE}/droits")>"Modifier les droits"</A>
                <button class="button primary" type="button" on:click=confirm disabled=move || pending.get()>
                    "Confirmer"
                </button>
            </div>
        }
        .into_any()
    }
}

/// Step 6: strong authentication bound to the pending operation; shows exactly what is signed.
#[component]
pub fn Validate() -> impl IntoView {
    let journey = expect_context::<Journey>();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(None::<String>);
    let code = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    move || {
        let Some(prepared) = journey.prepared.get() else {
            return restart();
        };
        let operation_id = StoredValue::new(prepared.operation_id.clone());
        let digest = StoredValue::new(prepared.digest.clone());
        let navigate = navigate.clone();
        let finish = move |result: Result<OperationDone, ApiError>| match result {
            Ok(done) => {
                // The operation stays in `prepared` (spent): clearing it would send this step
                // back to the start while navigating to the last one.
                journey.done.set(Some(done));
                navigate(&format!("{BASE}/termine"), Default::default());
            }
            Err(e) => error.set(Some(e)),
        };
        let finish = StoredValue::new_local(finish);
        let with_passkey = move |_| {
            error.set(None);
            notice.set(None);
            pending.set(true);
            spawn_local(async move {
                match operation_passkey_challenge(operation_id.get_value()).await {
                    Ok(challenge) => match webauthn::get(challenge).await {
                        Ok(credential) => {
                            let result = confirm_operation(
                                operation_id.get_value(),
                                digest.get_value(),
                                ScaProof::Passkey { credential },
                            )
                            .await;
                            finish.with_value(|f| f(result));
                        }
                        Err(message) => notice.set(Some(message)),
                    },
                    Err(e) => error.set(Some(e)),
                }
                pending.set(false);
            });
        };
        let with_code = move |ev: SubmitEvent| {
            ev.prevent_default();
            error.set(None);
            notice.set(None);
            pending.set(true);
            spawn_local(async move {
                let result = confirm_operation(
                    operation_id.get_value(),
                    digest.get_value(),
                    ScaProof::Totp {
                        code: code.get_untracked(),
                    },
                )
                .await;
                code.set(String::new());
                finish.with_value(|f| f(result));
                pending.set(false);
            });
        };
        let back = move |_| {
            let id = operation_id.get_value();
            journey.prepared.set(None);
            spawn_local(async move {
                let _ = cancel_operation(id).await;
            });
        };
        let expired = move || matches!(error.get(), Some(ApiError::OperationExpired));
        view! {
            <h1>"Validez votre opération"</h1>
            <p>"Vous vous apprêtez à signer l’opération suivante, qui prendra effet immédiatement :"</p>
            <div class="signed" aria-label="Opération à valider">
                <dl class="facts">
                    {prepared.facts.iter().map(|(term, value)| view! {
                        <div><dt>{term.clone()}</dt><dd>{value.clone()}</dd></div>
                    }).collect_view()}
                    <div><dt>"Code de l’opération"</dt><dd class="operation-code" data-testid="operation-code">{prepared.short_code.clone()}</dd></div>
                </dl>
                {prepared.recap.clone().map(|recap| view! { <RecapView recap /> })}
                <p class="hint">
                    {format!("Cette demande de validation expire {} minutes après votre confirmation. Toute modification l’annule.", prepared.expires_in_secs / 60)}
                </p>
            </div>
            <ErrorNotice error=Signal::derive(move || general_error(error.get(), &["code"])) />
            {move || notice.get().map(|n| view! { <p class="notice notice-info" role="status">{n}</p> })}
            <Show when=move || expired()>
                <p><A href=format!("{BASE}/verification") on:click=back>"Vérifier et confirmer à nouveau"</A></p>
            </Show>
            <div class="sca">
                {prepared.admin_has_passkey.then(|| view! {
                    <button class="button primary wide" type="button" on:click=with_passkey disabled=move || pending.get()>
                        "Valider avec ma clé d’accès"
                    </button>
                })}
                {prepared.admin_has_totp.then(|| view! {
                    <form class="form" on:submit=with_code novalidate>
                        <div class="field">
                            <label for="operation-code-input">"Code de votre application d’authentification"</label>
                            <input id="operation-code-input" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="7" bind:value=code />
                            {move || super::common::field_error(error.get(), "code").map(|m| view! { <p class="field-error">{m}</p> })}
                        </div>
                        <button class="button" type="submit" disabled=move || pending.get()>"Valider avec le code"</button>
                    </form>
                })}
            </div>
            <div class="actions">
                <A href=format!("{BASE}/verification") on:click=back>"Modifier"</A>
            </div>
        }
        .into_any()
    }
}

/// Step 7: « Parfait ! Votre nouvel utilisateur est déjà opérationnel. »
#[component]
pub fn Done() -> impl IntoView {
    let journey = expect_context::<Journey>();
    move || {
        let Some(done) = journey.done.get() else {
            return restart();
        };
        view! {
            <h1>"Parfait ! Votre nouvel utilisateur est déjà opérationnel."</h1>
            <p>
                {format!(
                    "{} recevra son identifiant par e-mail ({}) et son mot de passe provisoire par SMS ({}). Il pourra se connecter immédiatement à l’espace de banque en ligne de votre entité.",
                    done.name, done.email, done.phone_masked
                )}
            </p>
            <p class="notice notice-warning">
                <strong>"Attention !"</strong>
                " Lors de sa première connexion, il devra s’authentifier avec une authentification forte (clé d’accès ou application d’authentification), qu’il enregistrera à ce moment-là."
            </p>
            <div class="actions">
                <a class="button" href="/utilisateurs">"Retour à la gestion des utilisateurs"</a>
            </div>
        }
        .into_any()
    }
}
