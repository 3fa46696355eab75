//! Real delivery: the e-mail goes through SMTP (to an SMTP server run by the test), the SMS
//! through the HTTP gateway (also run by the test), after commit, retried, delivered once.

use crate::helpers::{spawn_app_with, TestApp};
use crate::journey::{confirm_with_totp, prepare_lucas};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A minimal SMTP server that accepts every message and keeps its raw text.
async fn smtp_server() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (reader, mut writer) = socket.into_split();
                let mut lines = BufReader::new(reader).lines();
                let _ = writer.write_all(b"220 test ESMTP\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let command = line.to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") {
                        b"250-test\r\n250 8BITMIME\r\n"
                    } else if command == "DATA" {
                        let _ = writer.write_all(b"354 go ahead\r\n").await;
                        let mut message = Vec::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            message.push(line);
                        }
                        store.lock().unwrap().push(message.join("\r\n"));
                        b"250 queued\r\n"
                    } else if command == "QUIT" {
                        let _ = writer.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = writer.write_all(reply).await;
                }
            });
        }
    });
    (port, received)
}

#[derive(Default)]
struct Gateway {
    calls: Vec<(HeaderMap, serde_json::Value)>,
    /// The gateway fails the first call, to exercise the retry.
    failed_once: bool,
}

async fn sms_gateway() -> (u16, Arc<Mutex<Gateway>>) {
    let gateway = Arc::new(Mutex::new(Gateway::default()));
    async fn receive(
        State(gateway): State<Arc<Mutex<Gateway>>>,
        headers: HeaderMap,
        Json(body): Json<serde_json::Value>,
    ) -> StatusCode {
        let mut gateway = gateway.lock().unwrap();
        gateway.calls.push((headers, body));
        if gateway.failed_once {
            StatusCode::OK
        } else {
            gateway.failed_once = true;
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
    let router = Router::new()
        .route("/sms", post(receive))
        .with_state(gateway.clone());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (port, gateway)
}

async fn wait_until(app: &TestApp, sql: &str, expected: i64) {
    for _ in 0..150 {
        if app.scalar_i64(sql).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{sql} never reached {expected}");
}

#[tokio::test]
async fn e_mail_goes_through_smtp_and_sms_through_the_gateway_retried_and_sent_once() {
    let (smtp_port, mails) = smtp_server().await;
    let (sms_port, gateway) = sms_gateway().await;
    let smtp_port = smtp_port.to_string();
    let sms_url = format!("http://127.0.0.1:{sms_port}/sms");
    let app = spawn_app_with(&[
        ("HABILIS_DELIVERY", "real"),
        ("HABILIS_SMTP_HOST", "127.0.0.1"),
        ("HABILIS_SMTP_PORT", &smtp_port),
        ("HABILIS_SMTP_SECURITY", "none"),
        (
            "HABILIS_MAIL_FROM",
            "Banque Exemple <no-reply@banque-exemple.fr>",
        ),
        ("HABILIS_SMS_GATEWAY_URL", &sms_url),
        ("HABILIS_SMS_GATEWAY_TOKEN", "jeton-de-test"),
    ])
    .await;
    let mut admin = app.sign_in_admin().await;
    let prepared = prepare_lucas(&app, &mut admin).await;
    let done = confirm_with_totp(&app, &mut admin, &prepared)
        .await
        .unwrap();
    wait_until(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL",
        3,
    )
    .await;

    let login_id: String = sqlx::query_scalar("SELECT login_id FROM users WHERE id = $1")
        .bind(done.user_id)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    // The credentials to Lucas; the other administrator's notice goes its own way.
    let mails: Vec<String> = mails
        .lock()
        .unwrap()
        .iter()
        .filter(|mail| mail.contains("To: lucas.moreau@atelier-lumiere.fr"))
        .cloned()
        .collect();
    assert_eq!(mails.len(), 1, "the e-mail is sent once");
    let mail = &mails[0];
    assert!(
        mail.contains("To: lucas.moreau@atelier-lumiere.fr"),
        "{mail}"
    );
    assert!(mail.contains("Message-ID: <outbox-"), "{mail}");
    assert!(decoded_body(mail).contains(&login_id), "{mail}");

    let calls = gateway.lock().unwrap().calls.clone();
    assert_eq!(calls.len(), 2, "one failure, one retry");
    let (first_headers, first) = &calls[0];
    let (headers, body) = &calls[1];
    assert_eq!(first, body);
    assert_eq!(body["to"], "+33612345604");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("mot de passe provisoire"));
    assert!(!body["message"].as_str().unwrap().contains(&login_id));
    assert_eq!(headers["authorization"], "Bearer jeton-de-test");
    assert_eq!(headers["idempotency-key"], first_headers["idempotency-key"]);
    assert_eq!(
        app.scalar_i64("SELECT attempts FROM outbox WHERE channel = 'sms'")
            .await,
        2
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM outbox WHERE body IS NOT NULL")
            .await,
        0
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM local_deliveries")
            .await,
        0
    );
}

/// The text of a message body, whatever transfer encoding the SMTP client chose.
fn decoded_body(raw: &str) -> String {
    let (headers, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    if headers.contains("Content-Transfer-Encoding: base64") {
        let compact: String = body.split_whitespace().collect();
        String::from_utf8(
            data_encoding::BASE64
                .decode(compact.as_bytes())
                .expect("base64 body"),
        )
        .expect("UTF-8 body")
    } else {
        body.replace("=\r\n", "")
    }
}

/// A queued message whose body cannot be opened (sealed under another key, or altered) is
/// recorded as failed and shown as such on the local outbox page: never sent empty.
#[tokio::test]
async fn a_message_that_cannot_be_opened_is_recorded_as_failed_and_never_sent_empty() {
    let app = crate::helpers::spawn_app().await;
    let entity = app
        .scalar_i64("SELECT entity_id FROM users WHERE login_id = '1000000001'")
        .await;
    app.execute(&format!(
        "INSERT INTO outbox (entity_id, channel, recipient, subject, body, status, created_at, \
         next_attempt_at) VALUES ({entity}, 'sms', '+33612345699', 'Mot de passe provisoire', \
         'v1:c2NlbGzDqSBhaWxsZXVycw==', 'pending', 0, 0)"
    ))
    .await;
    app.state.outbox_wake.notify_one();
    wait_until(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE status = 'failed' AND body IS NULL \
         AND last_error IS NOT NULL",
        1,
    )
    .await;
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM local_deliveries")
            .await,
        0,
        "nothing reached the simulated phone"
    );
    let mut client = app.client();
    let messages = client
        .call(app::api::local_outbox::LocalOutbox {})
        .await
        .unwrap();
    let failed: Vec<_> = messages.iter().filter(|m| m.failed).collect();
    assert_eq!(failed.len(), 1, "{messages:?}");
    assert_eq!(failed[0].recipient, "+33612345699");
    assert!(
        failed[0].body.starts_with("Non envoyé"),
        "{}",
        failed[0].body
    );
}

/// A hanging SMS gateway (it answers after 30 s, the client gives up after 15) does not hold
/// the other deliveries: an e-mail queued while the SMS hangs leaves at once.
#[tokio::test]
async fn a_hanging_sms_gateway_does_not_hold_other_deliveries() {
    let (smtp_port, mails) = smtp_server().await;
    let calls = Arc::new(Mutex::new(0u32));
    let counter = calls.clone();
    let router = Router::new().route(
        "/sms",
        post(move || {
            let counter = counter.clone();
            async move {
                *counter.lock().unwrap() += 1;
                tokio::time::sleep(Duration::from_secs(30)).await;
                StatusCode::OK
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sms_url = format!(
        "http://127.0.0.1:{}/sms",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let smtp_port = smtp_port.to_string();
    let app = spawn_app_with(&[
        ("HABILIS_DELIVERY", "real"),
        ("HABILIS_SMTP_HOST", "127.0.0.1"),
        ("HABILIS_SMTP_PORT", &smtp_port),
        ("HABILIS_SMTP_SECURITY", "none"),
        (
            "HABILIS_MAIL_FROM",
            "Banque Exemple <no-reply@banque-exemple.fr>",
        ),
        ("HABILIS_SMS_GATEWAY_URL", &sms_url),
        ("HABILIS_SMS_GATEWAY_TOKEN", "jeton-de-test"),
    ])
    .await;
    let mut admin = app.sign_in_admin().await;
    let prepared = prepare_lucas(&app, &mut admin).await;
    confirm_with_totp(&app, &mut admin, &prepared)
        .await
        .unwrap();
    // The SMS is stuck at the gateway; the credentials e-mail went.
    for _ in 0..50 {
        if *calls.lock().unwrap() == 1 && mails.lock().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(*calls.lock().unwrap(), 1);
    // The credentials e-mail and the other administrator's notice.
    assert_eq!(mails.lock().unwrap().len(), 2);
    // An e-mail queued now (as any flow does, in its transaction) leaves within seconds, while
    // the SMS still hangs: the gateway's 15-second timeout is far from over.
    let entity = app
        .scalar_i64("SELECT entity_id FROM users WHERE login_id = '1000000001'")
        .await;
    let mut tx = app.db.begin_write().await.unwrap();
    app::backend::delivery::enqueue(
        &mut tx,
        &app.state.secrets,
        app::backend::delivery::Message {
            entity_id: entity,
            channel: app::backend::delivery::MessageChannel::Email,
            recipient: "sophie.martin@atelier-lumiere.fr",
            subject: "Essai",
            body: &secrecy::SecretString::from("Un message pendant que le SMS attend."),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.state.outbox_wake.notify_one();
    let queued = std::time::Instant::now();
    while mails.lock().unwrap().len() < 3 {
        assert!(
            queued.elapsed() < Duration::from_secs(5),
            "the e-mail waited behind the hanging SMS"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM outbox WHERE channel = 'sms' AND sent_at IS NULL")
            .await,
        1,
        "the SMS is still in the hands of the gateway"
    );
}
