//! The user interface: one `App` rendered on the server and hydrated in the browser.
//! Components only wire things together; rules live in the `model` crate and the server.

mod add_user;
mod common;
mod first_login;
mod grid;
mod home;
mod local_outbox;
mod security;
mod sign_in;
mod users;
pub mod webauthn;

use crate::api::session::{current_session, deployment_info, keep_alive, logout};
use crate::api::types::{SessionInfo, Stage};
use crate::api::ApiError;
use common::Loading;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_navigate;
use leptos_router::path;

/// The HTML document around the app, rendered on the server. On the server it also sets the
/// Content-Security-Policy header with this response's nonce.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::backend::guard::set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="fr">
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

/// The signed-in state shared by every page; `refresh` reloads it after signing in or out.
#[derive(Clone, Copy)]
pub struct SessionContext {
    pub info: Resource<Result<Option<SessionInfo>, ApiError>>,
    version: RwSignal<u32>,
}

impl SessionContext {
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let version = RwSignal::new(0u32);
    let info = Resource::new(move || version.get(), |_| current_session());
    provide_context(SessionContext { info, version });
    let deployment = Resource::new(|| (), |_| deployment_info());

    // A marker end-to-end tests wait for before clicking: effects run only in the browser,
    // once the page is hydrated.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title text="Habilis · Banque en ligne" />
        <Router>
            <Header />
            <main id="contenu">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=|| view! { <Redirect path="/accueil" /> } />
                    <Route path=path!("/connexion") view=sign_in::SignInPage />
                    <Route path=path!("/premiere-connexion") view=first_login::FirstLoginPage />
                    <Route path=path!("/accueil") view=home::HomePage />
                    <Route path=path!("/securite") view=security::SecurityPage />
                    <Route path=path!("/utilisateurs") view=users::UsersPage />
                    <ParentRoute path=path!("/utilisateurs/ajout") view=add_user::AddUserJourney>
                        <Route path=path!("") view=add_user::ChoosePerson />
                        <Route path=path!("donnees") view=add_user::CheckPersonalData />
                        <Route path=path!("methode") view=add_user::ChooseMethod />
                        <Route path=path!("droits") view=add_user::ChooseRights />
                        <Route path=path!("verification") view=add_user::Verify />
                        <Route path=path!("validation") view=add_user::Validate />
                        <Route path=path!("termine") view=add_user::Done />
                    </ParentRoute>
                    <Route path=path!("/boite-locale") view=local_outbox::LocalOutboxPage />
                </Routes>
            </main>
            <footer class="site-footer">
                <Transition fallback=|| ()>
                    {move || {
                        deployment
                            .get()
                            .and_then(Result::ok)
                            .map(|deployment| {
                                view! {
                                    <p>
                                        {format!(
                                            "Habilis — {} — administration de l’espace de banque en ligne de votre entité.",
                                            deployment.bank_name,
                                        )}
                                    </p>
                                    <Show when=move || deployment.local_mode>
                                        <p>
                                            <a href="/boite-locale">"Boîte locale (e-mails et SMS simulés)"</a>
                                        </p>
                                    </Show>
                                }
                            })
                    }}
                </Transition>
            </footer>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Page introuvable"</h1>
            <p><a href="/accueil">"Retour à l’accueil"</a></p>
        </section>
    }
}

/// The banner: the brand, and for a signed-in user the entity, the menu and « Se déconnecter ».
#[component]
fn Header() -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let navigate = use_navigate();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let _ = logout().await;
            session.refresh();
            navigate("/connexion", Default::default());
        });
    };
    let signed_in = move || {
        session
            .info
            .get()
            .and_then(|r| r.ok())
            .flatten()
            .filter(|info| info.stage == Stage::Full)
    };
    view! {
        <header class="site-header">
            <a class="brand" href="/accueil">
                <span class="brand-mark" aria-hidden="true">"H"</span>
                <span>"Habilis"</span>
            </a>
            <Transition fallback=|| ()>
                {move || {
                    signed_in()
                        .map(|info| {
                            let sign_out = sign_out.clone();
                            view! {
                                <nav class="main-nav" aria-label="Menu principal">
                                    <A href="/accueil">"Accueil"</A>
                                    <Show when=move || info.is_administrator>
                                        <A href="/utilisateurs">"Gestion des utilisateurs"</A>
                                    </Show>
                                    <A href="/securite">"Sécurité"</A>
                                </nav>
                                <div class="who">
                                    <span class="who-name">
                                        {format!("{} {}", info.first_name, info.last_name)}
                                    </span>
                                    <span class="who-entity">{info.entity_name.clone()}</span>
                                    <button class="link-button" on:click=sign_out>
                                        "Se déconnecter"
                                    </button>
                                </div>
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
    let stay = move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(status) = keep_alive().await {
                remaining.set(status.remaining_secs);
            }
        });
    };
    view! {
        <Show when=move || { remaining.get() <= warn_below }>
            <div class="idle-warning" role="alertdialog" aria-labelledby="idle-title">
                <p id="idle-title">
                    <strong>"Votre session va expirer"</strong>
                    {move || format!(" dans {} secondes, faute d’activité.", remaining.get())}
                </p>
                <button class="button" on:click=stay>"Rester connecté"</button>
            </div>
        </Show>
    }
}

/// Renders `children` for a signed-in user (an administrator when `admin` is set); sends
/// anyone else to the sign-in page. The server checks again in every function.
#[component]
pub fn RequireSignedIn(children: ChildrenFn, #[prop(optional)] admin: bool) -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match session.info.await {
                    Ok(Some(info)) if info.stage == Stage::Full => {
                        if admin && !info.is_administrator {
                            view! {
                                <section class="card">
                                    <h1>"Accès réservé"</h1>
                                    <p>"Cette rubrique est réservée aux utilisateurs disposant de droits d’administration."</p>
                                </section>
                            }
                                .into_any()
                        } else {
                            children.with_value(|children| children()).into_any()
                        }
                    }
                    Ok(Some(info)) if matches!(info.stage, Stage::NewPassword | Stage::Enrol) => {
                        view! { <Redirect path="/premiere-connexion" /> }.into_any()
                    }
                    _ => view! { <Redirect path="/connexion" /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
