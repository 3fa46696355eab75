//! The attack findings (issue 13), each replayed against the real server on SQLite and
//! PostgreSQL: what an attacker who read the README would try.

use crate::helpers::{refused, spawn_app, spawn_app_with, Client, TestApp};
use crate::journey::wait_for_local_messages;
use app::api::session::{ConfirmIdentity, Home, PasskeyEnrolStart, TotpEnrolStart};
use app::api::types::{CodeForm, HomeView};
use app::api::users::ListUsers;
use app::api::ApiError;
use app::backend::demo::{DEMO_PASSWORD, JULIEN_BERNARD, SOPHIE_MARTIN};
use app::backend::security::password::{HashError, Hashing};
use app::backend::store::ceremonies::{self, CeremonyKind};
use reqwest::header::HeaderValue;
use secrecy::SecretString;
use serde_json::json;

/// A sign-in form post, with extra headers.
async fn sign_in_with(
    client: &mut Client,
    login_id: &str,
    password: &str,
    headers: &[(&'static str, String)],
) -> u16 {
    let mut all = client.same_origin_headers();
    all.insert(
        reqwest::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    for (name, value) in headers {
        all.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    let body =
        serde_qs::to_string(&json!({ "form": { "login_id": login_id, "password": password } }))
            .unwrap();
    client.post("connexion", body, all).await.status().as_u16()
}

/// Finding 2: a throttled address gets its answer without any password hashing.
#[tokio::test]
async fn a_throttled_address_is_answered_without_hashing() {
    let app = spawn_app().await;
    app.execute(&format!(
        "INSERT INTO ip_throttle (ip, window_start, failures) VALUES ('127.0.0.1', {}, 50)",
        app::backend::store::now()
    ))
    .await;
    let before = app.state.hashing.computed();
    let attempts: Vec<_> = (0..32)
        .map(|_| {
            let mut client = app.client();
            tokio::spawn(async move { sign_in_with(&mut client, "1000000001", "x", &[]).await })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await.unwrap(), 429);
    }
    assert_eq!(app.state.hashing.computed(), before, "no hash was computed");
}

/// Finding 2: hashing is bounded; beyond the queue, requests are refused at once.
#[tokio::test]
async fn password_hashing_is_bounded_and_refuses_beyond_its_queue() {
    let hashing = std::sync::Arc::new(Hashing::new(1, 1));
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let hashing = hashing.clone();
            tokio::spawn(
                async move { hashing.verify(None, SecretString::from("a password")).await },
            )
        })
        .collect();
    let (mut done, mut busy) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => done += 1,
            Err(HashError::Busy) => busy += 1,
            Err(other) => panic!("{other}"),
        }
    }
    assert!(done >= 1, "the first ones are hashed");
    assert!(busy >= 1, "the ones beyond the queue are refused");
    assert_eq!(hashing.computed(), done);
}

/// Finding 6: the password lock lasts from its start, attempts during it (the right password
/// included) change nothing, and the user is told by e-mail when it is applied.
#[tokio::test]
async fn the_password_lock_is_time_boxed_and_its_victim_told() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_eq!(
            sign_in_with(&mut app.client(), "1000000001", "pas le bon", &[]).await,
            401
        );
    }
    let locked_until = app
        .scalar_i64("SELECT password_locked_until FROM users WHERE login_id = '1000000001'")
        .await;
    assert!(locked_until > app::backend::store::now());
    // During the lock: wrong and right passwords alike get the one answer and push nothing.
    for password in ["encore faux", DEMO_PASSWORD, "faux", "faux", "faux", "faux"] {
        assert_eq!(
            sign_in_with(&mut app.client(), "1000000001", password, &[]).await,
            401
        );
    }
    assert_eq!(
        app.scalar_i64("SELECT password_locked_until FROM users WHERE login_id = '1000000001'")
            .await,
        locked_until,
        "the lock was not extended"
    );
    let messages = wait_for_local_messages(&app, 1).await;
    let told: Vec<_> = messages
        .iter()
        .filter(|m| m.subject == "Connexion temporairement verrouillée")
        .collect();
    assert_eq!(told.len(), 1, "told once, when the lock was applied");
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE login_id = '1000000001'")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(told[0].recipient, email);
    // When the lock is over, the right password works again.
    app.execute(&format!(
        "UPDATE users SET password_locked_until = {} WHERE login_id = '1000000001'",
        app::backend::store::now() - 1
    ))
    .await;
    let _ = app.after_password("1000000001").await;
}

/// Finding 11: failed sign-ins and refused authorisations leave security events.
#[tokio::test]
async fn failed_sign_ins_and_refused_authorisations_are_security_events() {
    let app = spawn_app().await;
    sign_in_with(&mut app.client(), "1000000001", "pas le bon", &[]).await;
    sign_in_with(&mut app.client(), "9999999999", "inconnu", &[]).await;
    let events = app::backend::audit::events(&app.db).await.unwrap();
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "echec_connexion")
        .collect();
    assert_eq!(failed.len(), 2);
    let sophie = app.user_id("1000000001").await;
    assert_eq!(failed[0].details["utilisateur"], sophie);
    assert!(failed[0].entity_id.is_some());
    assert_eq!(failed[1].details["utilisateur"], serde_json::Value::Null);
    assert_eq!(
        failed[1].entity_id, None,
        "an unknown id belongs to no entity"
    );
    for event in &failed {
        assert!(
            !event.details.to_string().contains("pas le bon"),
            "never the password"
        );
    }

    let mut julien = app.sign_in(&JULIEN_BERNARD).await;
    refused(julien.call(ListUsers {}).await, 403);
    let refused_events: Vec<_> = app::backend::audit::events(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "acces_refuse")
        .collect();
    assert_eq!(refused_events.len(), 1);
    assert_eq!(
        refused_events[0].actor_user_id,
        Some(app.user_id(JULIEN_BERNARD.login_id).await)
    );
    assert_eq!(refused_events[0].details["demande"], "/api/utilisateurs");
}

/// Finding 4: a ceremony is taken once, even by twenty parallel requests, and nobody gets an
/// error for losing.
#[tokio::test]
async fn a_ceremony_is_taken_exactly_once_by_parallel_requests() {
    let app = spawn_app().await;
    let _client = app.after_password("1000000001").await;
    let session_id = app.scalar_i64("SELECT id FROM sessions").await;
    for _round in 0..5 {
        ceremonies::put(
            app.db.pool(),
            session_id,
            CeremonyKind::PasskeySignIn,
            None,
            "etat",
            app::backend::store::now(),
        )
        .await
        .unwrap();
        let takers: Vec<_> = (0..20)
            .map(|_| {
                let db = app.db.clone();
                tokio::spawn(async move {
                    ceremonies::take(db.pool(), session_id, CeremonyKind::PasskeySignIn, None, 0)
                        .await
                })
            })
            .collect();
        let mut won = 0;
        for taker in takers {
            if taker
                .await
                .unwrap()
                .expect("no error for the losers")
                .is_some()
            {
                won += 1;
            }
        }
        assert_eq!(won, 1);
    }
}

/// Finding 7: an operation's passkey challenge belongs to the session that asked for it.
#[tokio::test]
async fn a_ceremony_of_another_session_is_not_found() {
    let app = spawn_app().await;
    let _first = app.sign_in_admin().await;
    let _second = app.sign_in_admin().await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM sessions ORDER BY id")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    ceremonies::put(
        app.db.pool(),
        ids[0],
        CeremonyKind::PasskeyOperation,
        Some("op-1"),
        "etat",
        app::backend::store::now(),
    )
    .await
    .unwrap();
    let taken = |session: i64, operation: &'static str| {
        let db = app.db.clone();
        async move {
            ceremonies::take(
                db.pool(),
                session,
                CeremonyKind::PasskeyOperation,
                Some(operation),
                0,
            )
            .await
            .unwrap()
        }
    };
    assert_eq!(taken(ids[1], "op-1").await, None, "another session");
    assert_eq!(taken(ids[0], "op-2").await, None, "another operation");
    // An expired challenge is not taken either.
    let later = app::backend::store::now() + 1;
    assert_eq!(
        ceremonies::take(
            app.db.pool(),
            ids[0],
            CeremonyKind::PasskeyOperation,
            Some("op-1"),
            later
        )
        .await
        .unwrap(),
        None,
        "expired"
    );
    assert!(taken(ids[0], "op-1").await.is_some());
}

/// Finding 9: adding a factor in a signed-in session needs a recent strong authentication.
#[tokio::test]
async fn adding_a_factor_needs_a_fresh_strong_authentication() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let home: HomeView = admin.call(Home {}).await.unwrap();
    assert!(home.sca_fresh);
    // Six minutes later, the open session alone no longer adds a factor.
    app.execute("UPDATE sessions SET sca_at = sca_at - 360")
        .await;
    let home: HomeView = admin.call(Home {}).await.unwrap();
    assert!(!home.sca_fresh);
    let failure = refused(admin.call(PasskeyEnrolStart {}).await, 403);
    assert_eq!(failure.error, Some(ApiError::FreshScaRequired));
    refused(admin.call(TotpEnrolStart {}).await, 403);
    // A wrong code does not confirm the identity (and counts as a failure).
    let code = app
        .fresh_code(SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id)
        .await;
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    let failure = refused(
        admin
            .call(ConfirmIdentity {
                form: CodeForm { code: wrong },
            })
            .await,
        401,
    );
    assert_eq!(failure.error, Some(ApiError::ScaFailed { remaining: 4 }));
    refused(admin.call(PasskeyEnrolStart {}).await, 403);
    let () = admin
        .call(ConfirmIdentity {
            form: CodeForm { code },
        })
        .await
        .unwrap();
    let _challenge = admin.call(PasskeyEnrolStart {}).await.unwrap();
    let home: HomeView = admin.call(Home {}).await.unwrap();
    assert!(home.sca_fresh);
}

/// This machine's address on its network (not loopback), as other machines would reach it.
fn network_address() -> std::net::IpAddr {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    // No packet is sent: connecting a UDP socket only picks the route and its local address.
    socket.connect("192.0.2.200:9").unwrap();
    let ip = socket.local_addr().unwrap().ip();
    assert!(
        !ip.is_loopback() && !ip.is_unspecified(),
        "this test needs a network interface besides loopback"
    );
    ip
}

/// Finding 12: the local outbox (temporary passwords of every entity) answers only to this
/// machine, even when local mode listens on every address.
#[tokio::test]
async fn the_local_outbox_answers_only_to_this_machine() {
    let app = spawn_app_with(&[("HABILIS_ADDR", "0.0.0.0:0")]).await;
    let from_here: Vec<_> = app
        .client()
        .call(app::api::local_outbox::LocalOutbox {})
        .await
        .unwrap();
    assert!(from_here.is_empty());
    let remote = std::net::SocketAddr::new(network_address(), app.addr.port());
    let mut from_the_network = Client::new(&app.url, remote);
    let failure = refused(
        from_the_network
            .call(app::api::local_outbox::LocalOutbox {})
            .await,
        404,
    );
    assert_eq!(failure.error, Some(ApiError::NotFound));
    // The same client reaches the rest of the application.
    let _ = from_the_network
        .call(app::api::session::CurrentSession {})
        .await
        .unwrap();
}

/// `X-Forwarded-For` is ignored unless the server is told it sits behind a proxy, and behind
/// one only the hop the proxy added counts: rotating the header does not escape the throttle.
#[tokio::test]
async fn rotating_x_forwarded_for_does_not_escape_the_throttle() {
    for behind_proxy in [false, true] {
        let app: TestApp = if behind_proxy {
            spawn_app_with(&[("HABILIS_TRUST_FORWARDED_FOR", "true")]).await
        } else {
            spawn_app().await
        };
        app.execute(&format!(
            "INSERT INTO ip_throttle (ip, window_start, failures) VALUES ('{}', {}, 49)",
            if behind_proxy {
                "203.0.113.9"
            } else {
                "127.0.0.1"
            },
            app::backend::store::now()
        ))
        .await;
        let forwarded = |n: u32| {
            if behind_proxy {
                format!("10.0.{}.{}, 203.0.113.9", n / 250, n % 250)
            } else {
                format!("10.0.{}.{}", n / 250, n % 250)
            }
        };
        assert_eq!(
            sign_in_with(
                &mut app.client(),
                "1000000001",
                "faux",
                &[("x-forwarded-for", forwarded(0))]
            )
            .await,
            401,
            "the fiftieth failure is still evaluated"
        );
        for n in 1..5 {
            assert_eq!(
                sign_in_with(
                    &mut app.client(),
                    "1000000001",
                    DEMO_PASSWORD,
                    &[("x-forwarded-for", forwarded(n))]
                )
                .await,
                429,
                "behind proxy: {behind_proxy}"
            );
        }
    }
}

/// The password step answers every failure kind alike: same status and body, and times from
/// the same distribution. Statistical, not a timed assertion: the kinds' ranges of answer times
/// must overlap pairwise (a kind that skipped the Argon2id verification would stand apart).
#[tokio::test]
async fn every_failure_at_the_password_step_has_the_same_answer_and_time() {
    let app = spawn_app().await;
    app.execute(&format!(
        "UPDATE users SET password_locked_until = {} WHERE login_id = '1000000002'",
        app::backend::store::now() + 3600
    ))
    .await;
    let kinds = [
        ("unknown id", "9999999999", "un mot de passe"),
        ("malformed id", "abc", "un mot de passe"),
        ("wrong password", "1000000001", "pas le bon"),
        ("locked account", "1000000002", DEMO_PASSWORD),
    ];
    let mut times = vec![Vec::new(); kinds.len()];
    let mut bodies = std::collections::HashSet::new();
    for _round in 0..11 {
        for (index, (_, login_id, password)) in kinds.iter().enumerate() {
            let mut client = app.client();
            let started = std::time::Instant::now();
            let failure = refused(
                client
                    .call(app::api::session::Login {
                        form: app::api::types::SignInForm {
                            login_id: (*login_id).into(),
                            password: (*password).into(),
                        },
                    })
                    .await,
                401,
            );
            times[index].push(started.elapsed());
            bodies.insert(failure.body);
        }
    }
    assert_eq!(bodies.len(), 1, "one answer for every kind: {bodies:?}");
    for a in 0..kinds.len() {
        for b in a + 1..kinds.len() {
            let (min_a, max_a) = (
                times[a].iter().min().unwrap(),
                times[a].iter().max().unwrap(),
            );
            let (min_b, max_b) = (
                times[b].iter().min().unwrap(),
                times[b].iter().max().unwrap(),
            );
            assert!(
                min_a <= max_b && min_b <= max_a,
                "{} ({min_a:?}..{max_a:?}) and {} ({min_b:?}..{max_b:?}) stand apart",
                kinds[a].0,
                kinds[b].0
            );
        }
    }
}
