//! The user interface: one `App` rendered on the server and hydrated in the browser.
//! Components only wire things together; rules live in the `model` crate and the server.
//!
//! Every form posts to a server function, so it works before the wasm arrives and without it;
//! once hydrated, the same forms go through `ActionForm` without reloading the page.
//!
//! - [`sign_in`]: signing in, first login; [`security`]: factors.
//! - [`home`]: the home page and the recap of rights.
//! - [`users`]: « Gestion des utilisateurs », the add-user journey and the rights grid.
//! - [`operations`]: « Validez votre opération », for every kind of operation.
//! - [`journal`], [`report`], [`why`], [`review`]: oversight, for administrators and auditors.
//! - [`advisor`]: « Espace conseiller », the bank's advisors' back office.
//! - [`common`]: fields, errors, headings, step indicator.

mod advisor;
mod approval;
mod common;
mod entities;
mod home;
mod journal;
mod local_outbox;
mod operations;
mod report;
mod review;
mod security;
mod sign_in;
mod users;
pub mod webauthn;
mod why;

use crate::api::session::{current_session, deployment_info, keep_alive, Logout};
use crate::api::types::{SessionInfo, Stage};
use crate::api::ApiError;
use crate::i18n::*;
use common::Loading;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;
use leptos_router::Lazy;

/// The HTML document around the app, rendered on the server. On the server it also sets the
/// Content-Security-Policy header with this response's nonce. The `lang` of `<html>` is set
/// by the i18n provider, from the language chosen or the browser's.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::backend::guard::set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The signed-in state shared by every page. It is read again at every navigation: every
/// action that changes it (signing in or out, a first login's steps) leads to another page.
/// Who is signed in, as the header shows it: read again at each navigation.
#[derive(Clone, Copy)]
pub struct SessionContext {
    pub info: Resource<Result<Option<SessionInfo>, ApiError>>,
}

impl SessionContext {
    /// Who is signed in with full access, if anyone.
    pub fn signed_in(&self) -> Option<SessionInfo> {
        self.info
            .get()
            .and_then(Result::ok)
            .flatten()
            .filter(|info| info.stage == Stage::Full)
    }
}

/// Who is signed in, read once for the page that asks. A page never depends on the header's
/// copy, which is read again at each navigation: the page being left would otherwise render
/// again, with its own state already disposed.
pub fn page_session() -> Resource<Result<Option<SessionInfo>, ApiError>> {
    Resource::new(|| (), |_| current_session())
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <I18nContextProvider>
            <Router>
                <Layout />
            </Router>
        </I18nContextProvider>
    }
}

/// The page around every route: skip link, header, content, footer.
#[component]
fn Layout() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let info = Resource::new(move || location.pathname.get(), |_| current_session());
    provide_context(SessionContext { info });

    // A marker end-to-end tests wait for before clicking: effects run only in the browser,
    // once the page is hydrated.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title formatter=move |title: String| format!("{title} · Habilis") />
        <a class="skip-link" href="#contenu">{t!(i18n, layout.skip_link)}</a>
        <Header />
        <main id="contenu" tabindex="-1">
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/") view=|| view! { <Redirect path="/accueil" /> } />
                <Route path=path!("/connexion") view=sign_in::SignInPage />
                <Route path=path!("/connexion/authentification") view=sign_in::StrongAuthenticationPage />
                <Route path=path!("/premiere-connexion") view=sign_in::FirstLoginPage />
                <Route path=path!("/premiere-connexion/authentification") view=sign_in::FirstLoginPage />
                <Route path=path!("/accueil") view={Lazy::<lazy::HomePageRoute>::new()} />
                <Route path=path!("/entites") view={Lazy::<lazy::EntitiesPageRoute>::new()} />
                <Route path=path!("/securite") view={Lazy::<lazy::SecurityPageRoute>::new()} />
                <Route path=path!("/utilisateurs") view={Lazy::<lazy::UsersPageRoute>::new()} />
                <Route path=path!("/utilisateurs/ajout") view={Lazy::<lazy::ChoosePersonRoute>::new()} />
                <Route path=path!("/utilisateurs/:user") view={Lazy::<lazy::UserPageRoute>::new()} />
                <Route path=path!("/utilisateurs/:user/pourquoi") view={Lazy::<lazy::WhyPageRoute>::new()} />
                <Route path=path!("/utilisateurs/ajout/:draft/donnees") view={Lazy::<lazy::PersonalDataRoute>::new()} />
                <Route path=path!("/utilisateurs/ajout/:draft/methode") view={Lazy::<lazy::ChooseMethodRoute>::new()} />
                <Route path=path!("/utilisateurs/ajout/:draft/droits") view={Lazy::<lazy::ChooseRightsRoute>::new()} />
                <Route path=path!("/utilisateurs/ajout/:draft/verification") view={Lazy::<lazy::VerifyRoute>::new()} />
                <Route path=path!("/utilisateurs/modification/:draft/methode") view={Lazy::<lazy::ChooseMethodRoute>::new()} />
                <Route path=path!("/utilisateurs/modification/:draft/droits") view={Lazy::<lazy::ChooseRightsRoute>::new()} />
                <Route path=path!("/utilisateurs/modification/:draft/verification") view={Lazy::<lazy::VerifyRoute>::new()} />
                <Route path=path!("/operations/:operation") view={Lazy::<lazy::OperationPageRoute>::new()} />
                <Route path=path!("/validations") view={Lazy::<lazy::ApprovalsListPageRoute>::new()} />
                <Route path=path!("/validations/:operation") view={Lazy::<lazy::ApprovalRequestPageRoute>::new()} />
                <Route path=path!("/parametres") view={Lazy::<lazy::SettingsPageRoute>::new()} />
                <Route path=path!("/journal") view={Lazy::<lazy::JournalPageRoute>::new()} />
                <Route path=path!("/habilitations") view={Lazy::<lazy::ReportPageRoute>::new()} />
                <Route path=path!("/revues") view={Lazy::<lazy::ReviewsPageRoute>::new()} />
                <Route path=path!("/revues/:review") view={Lazy::<lazy::ReviewPageRoute>::new()} />
                <Route path=path!("/boite-locale") view={Lazy::<lazy::LocalOutboxPageRoute>::new()} />
                <Route path=path!("/conseiller") view={Lazy::<lazy::PortfolioPageRoute>::new()} />
                <Route path=path!("/conseiller/connexion") view={Lazy::<lazy::AdvisorSignInPageRoute>::new()} />
                <Route path=path!("/conseiller/entites/:entity") view={Lazy::<lazy::AdvisorEntityPageRoute>::new()} />
                <Route path=path!("/conseiller/entites/:entity/personnes/:person") view={Lazy::<lazy::AdvisorPersonPageRoute>::new()} />
            </Routes>
        </main>
        <Footer />
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, layout.not_found).to_string() />
        <section class="card">
            <common::PageHeading>{t!(i18n, layout.not_found)}</common::PageHeading>
            <p><a href="/accueil">{t!(i18n, layout.back_home)}</a></p>
        </section>
    }
}

/// The footer: the bank, the language switch, and in local mode the simulated mailbox.
#[component]
fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    let deployment = Resource::new(|| (), |_| deployment_info());
    view! {
        <footer class="site-footer">
            <nav class="languages" aria-label=move || t_string!(i18n, layout.languages).to_string()>
                // Plain links: the server sets the language and comes back (no JavaScript).
                <a href="/langue/fr" rel="external" hreflang="fr" lang="fr">"Français"</a>
                " · "
                <a href="/langue/en" rel="external" hreflang="en" lang="en">"English"</a>
            </nav>
            <Transition fallback=|| ()>
                {move || {
                    deployment
                        .get()
                        .and_then(Result::ok)
                        .map(|deployment| {
                            let bank = deployment.bank_name.clone();
                            view! {
                                <p>{t!(i18n, layout.footer, bank)}</p>
                                <Show when=move || deployment.local_mode>
                                    <p>
                                        <a href="/boite-locale">{t!(i18n, layout.local_outbox)}</a>
                                    </p>
                                </Show>
                            }
                        })
                }}
            </Transition>
        </footer>
    }
}

/// A menu link, marked as the current page for screen readers when it is the page's section.
#[component]
fn MenuLink(href: &'static str, children: Children) -> impl IntoView {
    let location = use_location();
    let current = move || {
        let path = location.pathname.get();
        (path == href || path.starts_with(&format!("{href}/"))).then_some("page")
    };
    view! {
        <a href=href aria-current=current>
            {children()}
        </a>
    }
}

/// The banner: the brand, and for a signed-in user the menu (folded on a phone), who they
/// are and « Se déconnecter ».
#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let session = expect_context::<SessionContext>();
    let logout = ServerAction::<Logout>::new();
    // The menu is open as the server sends it (usable before the wasm arrives); on a phone the
    // browser folds it behind « Menu », and folds it again after each navigation.
    let menu = NodeRef::<leptos::html::Details>::new();
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        #[cfg(feature = "hydrate")]
        if let Some(menu) = menu.get() {
            let narrow = window()
                .match_media("(max-width: 699px)")
                .ok()
                .flatten()
                .is_some_and(|query| query.matches());
            if narrow {
                menu.set_open(false);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = menu;
    });
    view! {
        <header class="site-header">
            <a class="brand" href="/accueil">
                <span class="brand-mark" aria-hidden="true">"H"</span>
                <span>"Habilis"</span>
            </a>
            <Transition fallback=|| ()>
                {move || {
                    session
                        .signed_in()
                        .map(|info| {
                            let name = format!("{} {}", info.first_name, info.last_name);
                            let awaiting = info.awaiting_approval;
                            view! {
                                // A disclosure that works without JavaScript (style/main.css).
                                <details class="menu" open node_ref=menu>
                                    <summary>
                                        <span class="menu-icon" aria-hidden="true">"☰"</span>
                                        <span class="menu-label">{t!(i18n, layout.menu)}</span>
                                        // Folded on a phone, the menu still shows that requests wait.
                                        {(awaiting > 0).then(|| view! {
                                            <span class="badge small" aria-hidden="true">{awaiting}</span>
                                        })}
                                    </summary>
                                    <nav class="main-nav" aria-label=move || t_string!(i18n, layout.main_menu).to_string()>
                                        <MenuLink href="/accueil">{t!(i18n, layout.home)}</MenuLink>
                                        <Show when=move || info.is_administrator>
                                            <MenuLink href="/utilisateurs">{t!(i18n, layout.users)}</MenuLink>
                                            <MenuLink href="/validations">
                                                {t!(i18n, layout.approvals)}
                                                {(awaiting > 0).then(|| {
                                                    let count = awaiting.to_string();
                                                    view! {
                                                        " "
                                                        <span class="badge" data-testid="approvals-badge">
                                                            <span aria-hidden="true">{count.clone()}</span>
                                                            <span class="visually-hidden">{t!(i18n, layout.approvals_waiting, count)}</span>
                                                        </span>
                                                    }
                                                })}
                                            </MenuLink>
                                        </Show>
                                        <Show when=move || info.is_administrator || info.is_auditor>
                                            <MenuLink href="/habilitations">{t!(i18n, layout.report)}</MenuLink>
                                            <MenuLink href="/journal">{t!(i18n, layout.journal)}</MenuLink>
                                            <MenuLink href="/revues">{t!(i18n, layout.reviews)}</MenuLink>
                                        </Show>
                                        <Show when=move || info.is_administrator>
                                            <MenuLink href="/parametres">{t!(i18n, layout.settings)}</MenuLink>
                                        </Show>
                                        <MenuLink href="/securite">{t!(i18n, layout.security)}</MenuLink>
                                    </nav>
                                    <div class="who">
                                        <span class="who-name">{name}</span>
                                        <span class="who-entity">{info.entity_name.clone()}</span>
                                        // A person of a group of entities works in one at a time.
                                        {(info.entities > 1).then(|| view! {
                                            <a class="switch-entity" href="/entites">{t!(i18n, layout.switch_entity)}</a>
                                        })}
                                        <ActionForm action=logout attr:class="inline-form">
                                            <button class="link-button" type="submit">
                                                {t!(i18n, layout.sign_out)}
                                            </button>
                                        </ActionForm>
                                    </div>
                                </details>
                                <IdleWarning timeout_secs=info.idle_timeout_secs />
                            }
                        })
                }}
            </Transition>
        </header>
    }
}

/// Warns before the idle timeout. The server enforces the timeout; this only reads the time it
/// has left (a read that does not count as activity) and counts down between reads.
#[component]
fn IdleWarning(timeout_secs: i64) -> impl IntoView {
    let i18n = use_i18n();
    // Seconds left, as the server last said, counted down each second in between.
    let remaining = RwSignal::new(timeout_secs);
    let warn_below = (timeout_secs / 2).min(60);
    let timers = StoredValue::new(Vec::<IntervalHandle>::new());
    on_cleanup(move || {
        timers.try_with_value(|timers| timers.iter().for_each(|t| t.clear()));
    });
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            use std::time::Duration;
            let poll = move || {
                leptos::task::spawn_local(async move {
                    match crate::api::session::idle_status().await {
                        Ok(status) if status.signed_in => remaining.set(status.remaining_secs),
                        // The server ended the session: a full reload starts the app afresh.
                        Ok(_) => {
                            if let Some(location) = web_sys::window().map(|w| w.location()) {
                                let _ = location.assign("/connexion?raison=inactivite");
                            }
                        }
                        Err(_) => {}
                    }
                });
            };
            poll();
            let handles = [
                set_interval_with_handle(poll, Duration::from_secs(5)),
                set_interval_with_handle(
                    move || remaining.update(|r| *r = (*r - 1).max(0)),
                    Duration::from_secs(1),
                ),
            ];
            timers.update_value(|timers| timers.extend(handles.into_iter().flatten()));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = timers;
    });
    let stay = Action::new(move |_: &()| async move {
        if let Ok(status) = keep_alive().await {
            remaining.set(status.remaining_secs);
        }
    });
    view! {
        <Show when=move || { remaining.get() <= warn_below }>
            <div class="idle-warning" role="alertdialog" aria-labelledby="idle-title">
                <p id="idle-title">
                    <strong>{t!(i18n, layout.idle_title)}</strong>
                    " "
                    {move || t!(i18n, layout.idle_in, seconds = remaining.get())}
                </p>
                <button class="button" type="button" on:click=move |_| { stay.dispatch(()); }>
                    {t!(i18n, layout.stay_signed_in)}
                </button>
            </div>
        </Show>
    }
}

/// Renders `children` for a signed-in user (an administrator when `admin` is set; an
/// administrator or an auditor when `oversight` is); sends anyone else to the sign-in page.
/// The server checks again in every function.
#[component]
pub fn RequireSignedIn(
    children: ChildrenFn,
    #[prop(optional)] admin: bool,
    #[prop(optional)] oversight: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = page_session();
    // A bare `Suspend`, not a closure: server-side rendering calls a closure child once to find
    // its resources and again to render, and each call would build the page, and so start its
    // resources, again (the users page ran its query three times). The page's session is read
    // once and never again, so there is nothing to react to.
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {Suspend::new(async move {
                match session.await {
                    Ok(Some(info)) if info.stage == Stage::Full => {
                        let overseer = info.is_administrator || info.is_auditor;
                        if (admin && !info.is_administrator) || (oversight && !overseer) {
                            view! {
                                <section class="card">
                                    <common::PageHeading>{t!(i18n, layout.restricted_title)}</common::PageHeading>
                                    <p>{t!(i18n, layout.restricted)}</p>
                                </section>
                            }
                                .into_any()
                        } else {
                            children().into_any()
                        }
                    }
                    Ok(Some(info)) if info.stage == Stage::NewPassword => {
                        view! { <Redirect path="/premiere-connexion" /> }.into_any()
                    }
                    Ok(Some(info)) if info.stage == Stage::Enrol => {
                        view! { <Redirect path="/premiere-connexion/authentification" /> }.into_any()
                    }
                    Ok(Some(_)) => view! { <Redirect path="/connexion/authentification" /> }.into_any(),
                    _ => view! { <Redirect path="/connexion" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The pages other than signing in, each compiled into its own WebAssembly chunk (`cargo leptos
/// build --split`): the browser fetches a page's code the first time it shows it, so the first
/// page downloads only the shell and the sign-in pages.
mod lazy {
    use super::*;
    use leptos_router::{lazy_route, LazyRoute};

    /// For each `Route => page`: a route type whose view is that page (`#[lazy_route]` names
    /// each chunk after the type).
    macro_rules! lazy_pages {
        ($($route:ident => $($page:ident)::+;)*) => {$(
            pub struct $route;

            #[lazy_route]
            impl LazyRoute for $route {
                fn data() -> Self {
                    Self
                }
                fn view(_this: Self) -> AnyView {
                    view! { <$($page)::+ /> }.into_any()
                }
            }
        )*};
    }

    lazy_pages! {
        HomePageRoute => home::HomePage;
        EntitiesPageRoute => entities::EntitiesPage;
        SecurityPageRoute => security::SecurityPage;
        UsersPageRoute => users::UsersPage;
        ChoosePersonRoute => users::add::ChoosePerson;
        UserPageRoute => users::user::UserPage;
        WhyPageRoute => why::WhyPage;
        PersonalDataRoute => users::add::PersonalData;
        ChooseMethodRoute => users::add::ChooseMethod;
        ChooseRightsRoute => users::add::ChooseRights;
        VerifyRoute => users::add::Verify;
        OperationPageRoute => operations::OperationPage;
        ApprovalsListPageRoute => approval::ApprovalsListPage;
        ApprovalRequestPageRoute => approval::ApprovalRequestPage;
        SettingsPageRoute => approval::SettingsPage;
        JournalPageRoute => journal::JournalPage;
        ReportPageRoute => report::ReportPage;
        ReviewsPageRoute => review::ReviewsPage;
        ReviewPageRoute => review::ReviewPage;
        LocalOutboxPageRoute => local_outbox::LocalOutboxPage;
        PortfolioPageRoute => advisor::PortfolioPage;
        AdvisorSignInPageRoute => advisor::AdvisorSignInPage;
        AdvisorEntityPageRoute => advisor::AdvisorEntityPage;
        AdvisorPersonPageRoute => advisor::AdvisorPersonPage;
    }
}
