//! A crash at any point (kill -9) leaves no partial change and loses no committed one.
//!
//! The real server binary runs as a child process; an administrator confirms an add-user
//! operation and the process is killed with SIGKILL a little later each round, so the kill
//! lands before, inside and after the transaction. After each kill the database must hold
//! either the whole change or nothing of it, and every change the server acknowledged.

use crate::helpers::{fresh_code, fresh_database, Client};
use crate::journey::draft;
use app::api::operations::ConfirmOperation;
use app::api::session::{Login, LoginTotp};
use app::api::types::{CodeForm, SignInForm};
use app::api::types::{Confirmed, PreparedOperation, RightsContext, ScaProof, Stage};
use app::api::users::AddUserRightsContext;
use app::backend::demo::{DEMO_PASSWORD, SOPHIE_MARTIN};
use app::backend::store::Db;
use leptos::server_fn::ServerFn as _;
use model::{Profile, RightsMethod};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// When to kill, after sending the confirmation: from before the transaction to after it.
const KILL_AFTER_MS: [u64; 8] = [0, 10, 20, 40, 60, 90, 130, 200];

/// Starts the server binary on the database; returns it with its public URL and address.
async fn start(database_url: &str) -> (Child, String, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", database_url)
        .env("HABILIS_ADDR", "127.0.0.1:0")
        .env("HABILIS_SECRET_KEY", "2a".repeat(32))
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info,sqlx=warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("server binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    loop {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("server announces its address")
            .expect("readable output")
            .expect("server still running");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr: SocketAddr = rest.split_whitespace().next().unwrap().parse().unwrap();
            let url = format!("http://localhost:{}", addr.port());
            // Keep reading the output so the server never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return (child, url, addr);
        }
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

/// Whole changes only: each consumed operation has its user, rights, audit event and two
/// messages, and nothing exists without its operation.
async fn assert_consistent(db: &Db) -> i64 {
    let consumed = count(
        db,
        "SELECT COUNT(*) FROM operations WHERE status = 'applied'",
    )
    .await;
    let added = count(
        db,
        "SELECT COUNT(*) FROM users WHERE created_by IS NOT NULL",
    )
    .await;
    let events = count(
        db,
        "SELECT COUNT(*) FROM audit_events WHERE kind = 'utilisateur_ajoute'",
    )
    .await;
    let messages = count(db, "SELECT COUNT(*) FROM outbox").await;
    let without_rights = count(
        db,
        "SELECT COUNT(*) FROM users u WHERE created_by IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM user_rights r WHERE r.user_id = u.id)",
    )
    .await;
    assert_eq!(consumed, added, "operations consumed vs users added");
    assert_eq!(events, added, "audit events vs users added");
    // E-mail and SMS to the new user, a notice to the other administrator.
    assert_eq!(messages, 3 * added, "messages vs users added");
    assert_eq!(without_rights, 0);
    let key = data_encoding::HEXLOWER
        .decode("2a".repeat(32).as_bytes())
        .unwrap();
    let secrets =
        app::backend::security::crypto::SecretBox::new(&secrecy::SecretSlice::from(key)).unwrap();
    let chain = app::backend::audit::verify(db, &secrets).await.unwrap();
    assert_eq!(chain.first_broken, None);
    added
}

#[tokio::test]
async fn a_kill_9_at_any_point_leaves_whole_changes_only_and_loses_none_acknowledged() {
    let (database_url, sqlite_file) = fresh_database().await;
    let mut acknowledged = Vec::new();
    let mut added_total = 0;
    for (round, delay) in KILL_AFTER_MS.into_iter().enumerate() {
        let (mut server, url, addr) = start(&database_url).await;
        let db = Db::connect(&database_url).await.unwrap();
        // A new person registered by the advisor for this round.
        sqlx::query(
            "INSERT INTO persons (entity_id, last_name, first_name, birth_date, phone, email, \
             registered_at, registered_by) \
             SELECT id, $1, 'Test', '1990-01-01', $2, $3, 0, advisor_id FROM entities WHERE siren = '812345676'",
        )
        .bind(format!("PANNE{round}"))
        .bind(format!("+336000000{round:02}"))
        .bind(format!("panne{round}@atelier-lumiere.fr"))
        .execute(db.pool())
        .await
        .unwrap();
        let person: i64 = sqlx::query_scalar("SELECT id FROM persons WHERE last_name = $1")
            .bind(format!("PANNE{round}"))
            .fetch_one(db.pool())
            .await
            .unwrap();

        let mut admin = Client::new(&url, addr);
        let _: Stage = admin
            .call(Login {
                form: SignInForm {
                    login_id: SOPHIE_MARTIN.login_id.into(),
                    password: DEMO_PASSWORD.into(),
                },
            })
            .await
            .unwrap();
        let code = fresh_code(&db, SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id).await;
        let () = admin
            .call(LoginTotp {
                form: CodeForm { code },
            })
            .await
            .unwrap();
        let context: RightsContext = admin.call(AddUserRightsContext {}).await.unwrap();
        let rights = Profile::Comptable.rights(&context.catalog);
        let prepared: PreparedOperation = admin
            .call(draft(
                person,
                &format!("panne{round}@atelier-lumiere.fr"),
                RightsMethod::Profile(Profile::Comptable),
                &rights,
            ))
            .await
            .unwrap();
        let code = fresh_code(&db, SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id).await;

        let confirmation = tokio::spawn(async move {
            let body = serde_json::to_string(&ConfirmOperation {
                operation_id: prepared.operation_id,
                digest: prepared.digest,
                proof: ScaProof::Totp { code },
            })
            .unwrap();
            let headers = admin.same_origin_headers();
            // The server may die before it answers: that is the point.
            let response = admin
                .try_post(
                    ConfirmOperation::PATH.trim_start_matches("/api/"),
                    body,
                    headers,
                )
                .await
                .ok()?;
            if !response.status().is_success() {
                return None;
            }
            match response.json::<Confirmed>().await.ok()? {
                Confirmed::Applied(done) => done,
                Confirmed::AwaitingApproval => None,
            }
        });
        tokio::time::sleep(Duration::from_millis(delay)).await;
        server.start_kill().unwrap();
        server.wait().await.unwrap();
        if let Ok(Some(done)) = confirmation.await {
            acknowledged.push(done.user_id);
        }
        db.close().await;

        // After the crash: a fresh connection, as the restarted server would open it.
        let db = Db::connect(&database_url).await.unwrap();
        added_total = assert_consistent(&db).await;
        for user in &acknowledged {
            let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
                .bind(user)
                .fetch_one(db.pool())
                .await
                .unwrap();
            assert_eq!(found, 1, "an acknowledged user was lost");
        }
        db.close().await;
    }
    // The server starts again on the database the crashes left.
    let (mut server, _, _) = start(&database_url).await;
    server.start_kill().unwrap();
    server.wait().await.unwrap();
    eprintln!(
        "{} kills: {added_total} operations applied whole, {} acknowledged",
        KILL_AFTER_MS.len(),
        acknowledged.len()
    );
    if let Some(path) = sqlite_file {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}
