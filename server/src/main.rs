//! `server`: runs Habilis, or one of the bank's back-office commands.
//!
//! ```text
//! server                         serve (configuration from environment variables, see README)
//! server migrate                 apply the database migrations (as the database's owner) and stop
//! server verify-audit [CHECKPOINT]  check the audit trail's hash chain, and against a signed
//!                                checkpoint kept earlier when given (exit code 1 if broken)
//! server audit-checkpoint        print the trail's signed checkpoint, to keep outside
//! server unblock LOGIN_ID NAME   unblock a user blocked after 5 failed strong authentications
//! server import FILE [--type TYPE] [--simulation]  apply a file of the bank's systems (JSON
//!                                lines, or CSV of one TYPE: conseiller, entite, compte, contrat,
//!                                personne), whole or not at all; exit code 1 with the refused
//!                                lines
//! server create-service-token NAME SCOPES  a token for one of the bank's client systems
//!                                (SCOPES: conseillers,entites,personnes), printed once
//! server revoke-service-token NAME  refuse that token from now on
//! server create-advisor REFERENCE LOGIN_ID  give the advisor of that bank reference (imported)
//!                                access to « Espace conseiller »: prints a password and an
//!                                authenticator secret, once (their sessions end)
//! server demo-users COUNT [LOGIN_ID…]  add COUNT generated users (no credentials) to the demo
//!                                entity Atelier Lumière, or to the entity of each administrator
//!                                named, for benchmarks of large entities and many entities
//! server bench-administrators COUNT [ACCOUNTS [CONTRACTS]]  (local mode only) add COUNT
//!                                entities, each with an administrator, a person to add, and
//!                                ACCOUNTS accounts (1) and CONTRACTS contracts (0); prints one JSON line per
//!                                administrator (login id, password, authenticator secret, the
//!                                addition to prepare), for the confirmation and grid benchmarks
//! ```

use app::backend::config::Config;
use app::backend::demo;
use app::backend::flows::import::{self, RecordType};
use app::backend::security::crypto::SecretBox;
use app::backend::store::Db;
use server::startup::Application;
use std::process::ExitCode;

// A page view allocates many small strings and rows (rendering, sqlx's rows): mimalloc serves
// them faster than the system allocator on every thread.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    server::init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            tracing::error!(%error, "cannot start");
            return ExitCode::FAILURE;
        }
    };
    match args.first().map(String::as_str) {
        None | Some("serve") => serve(config).await,
        Some("verify-audit") => verify_audit(&config, args.get(1).map(String::as_str)).await,
        Some("audit-checkpoint") => audit_checkpoint(&config).await,
        Some("migrate") => match connect(&config).await {
            Some(_) => {
                eprintln!("database migrated");
                ExitCode::SUCCESS
            }
            None => ExitCode::FAILURE,
        },
        Some("demo-users") => match args.get(1).and_then(|n| n.parse().ok()) {
            Some(count) => demo_users(&config, count, &args[2..]).await,
            None => usage(),
        },
        Some("bench-administrators") => {
            let number =
                |i: usize, default: usize| args.get(i).map_or(Some(default), |n| n.parse().ok());
            match (
                args.get(1).and_then(|n| n.parse().ok()),
                number(2, 1),
                number(3, 0),
            ) {
                (Some(count), Some(accounts), Some(contracts)) => {
                    bench_administrators(
                        &config,
                        count,
                        demo::CatalogSize {
                            accounts,
                            contracts,
                        },
                    )
                    .await
                }
                _ => usage(),
            }
        }
        Some("import") => match ImportArgs::parse(&args[1..]) {
            Some(import_args) => import(&config, import_args).await,
            None => usage(),
        },
        Some("create-service-token") => match (args.get(1), args.get(2)) {
            (Some(name), Some(scopes)) => create_service_token(&config, name, scopes).await,
            _ => usage(),
        },
        Some("create-advisor") => match (args.get(1), args.get(2)) {
            (Some(reference), Some(login_id)) => create_advisor(&config, reference, login_id).await,
            _ => usage(),
        },
        Some("revoke-service-token") => match args.get(1) {
            Some(name) => revoke_service_token(&config, name).await,
            None => usage(),
        },
        Some("unblock") => match (args.get(1), args.get(2)) {
            (Some(login_id), Some(operator)) => unblock(&config, login_id, operator).await,
            _ => usage(),
        },
        Some(_) => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: server [serve] | migrate | verify-audit [CHECKPOINT] | audit-checkpoint | unblock LOGIN_ID OPERATOR_NAME | import FILE [--type TYPE] [--simulation] | create-service-token NAME SCOPES | revoke-service-token NAME | create-advisor REFERENCE LOGIN_ID | demo-users COUNT [LOGIN_ID…] | bench-administrators COUNT [ACCOUNTS [CONTRACTS]]"
    );
    ExitCode::from(2)
}

async fn serve(config: Config) -> ExitCode {
    let application = match Application::build(config).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(%error, "cannot start");
            return ExitCode::FAILURE;
        }
    };
    // Tests and scripts read this line to learn the address.
    tracing::info!(
        "listening on http://{} (open {})",
        application.local_addr(),
        application.public_url()
    );
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server stopped");
            ExitCode::FAILURE
        }
    }
}

/// The database and the server's secret key, for the back-office commands.
async fn connect(config: &Config) -> Option<(Db, SecretBox)> {
    let db = match Db::connect(&config.database_url).await {
        Ok(db) => db,
        Err(error) => {
            eprintln!("database: {error}");
            return None;
        }
    };
    if let Err(error) = db.migrate().await {
        eprintln!("migrations: {error}");
        return None;
    }
    match server::startup::secrets(config, &db).await {
        Ok(secrets) => Some((db, secrets)),
        Err(error) => {
            eprintln!("secret key: {error}");
            None
        }
    }
}

async fn verify_audit(config: &Config, checkpoint: Option<&str>) -> ExitCode {
    let Some((db, secrets)) = connect(config).await else {
        return ExitCode::FAILURE;
    };
    let checkpoint = match checkpoint {
        Some(text) => match app::backend::audit::Checkpoint::parse_signed(text, &secrets) {
            Some(checkpoint) => Some(checkpoint),
            None => {
                eprintln!("the checkpoint is malformed or not signed with this server's key");
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    match server::admin::verify_audit(&db, &secrets, checkpoint.as_ref()).await {
        Ok((report, intact)) => {
            eprintln!("{report}");
            if intact {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("database: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn unblock(config: &Config, login_id: &str, operator: &str) -> ExitCode {
    let Some((db, secrets)) = connect(config).await else {
        return ExitCode::FAILURE;
    };
    match server::admin::unblock(&db, &secrets, login_id, operator).await {
        Ok(true) => {
            eprintln!("user {login_id} unblocked");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("no blocked user with login id {login_id}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("database: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Adds generated users to the demo entity (seeding the demo data first on an empty database).
async fn demo_users(config: &Config, count: usize, administrators: &[String]) -> ExitCode {
    use app::backend::demo;
    let Some((db, secrets)) = connect(config).await else {
        return ExitCode::FAILURE;
    };
    let added = async {
        demo::seed_if_empty(&db, &secrets).await?;
        if administrators.is_empty() {
            return demo::add_generated_users(&db, demo::SOPHIE_MARTIN.login_id, count).await;
        }
        let mut added = 0;
        for login_id in administrators {
            added += demo::add_generated_users(&db, login_id, count).await?;
        }
        Ok(added)
    }
    .await;
    db.close().await;
    match added {
        Ok(added) => {
            eprintln!("{added} users added");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("demo-users: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Adds entities with an administrator each, for the confirmation benchmark; refused outside
/// local mode (their password is the documented demo one).
#[allow(
    clippy::print_stdout,
    reason = "the administrators' credentials are the command's output, for the benchmark"
)]
async fn bench_administrators(config: &Config, count: usize, size: demo::CatalogSize) -> ExitCode {
    if !config.is_local() {
        eprintln!("bench-administrators: local mode only");
        return ExitCode::FAILURE;
    }
    let Some((db, secrets)) = connect(config).await else {
        return ExitCode::FAILURE;
    };
    let added = async {
        demo::seed_if_empty(&db, &secrets).await?;
        demo::add_bench_administrators(&db, &secrets, count, size).await
    }
    .await;
    db.close().await;
    match added {
        Ok(administrators) => {
            for administrator in administrators {
                match serde_json::to_string(&administrator) {
                    Ok(line) => println!("{line}"),
                    Err(error) => {
                        eprintln!("bench-administrators: {error}");
                        return ExitCode::FAILURE;
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bench-administrators: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the trail's signed checkpoint (to keep outside the database).
#[allow(
    clippy::print_stdout,
    reason = "the checkpoint is the command's output, for scripts to keep"
)]
async fn audit_checkpoint(config: &Config) -> ExitCode {
    let Some((db, secrets)) = connect(config).await else {
        return ExitCode::FAILURE;
    };
    match app::backend::audit::checkpoint(&db).await {
        Ok(checkpoint) => {
            println!("{}", checkpoint.signed_text(&secrets));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("database: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `server import FILE [--type TYPE] [--simulation]`.
struct ImportArgs {
    file: String,
    record_type: Option<RecordType>,
    mode: import::Mode,
}

impl ImportArgs {
    fn parse(args: &[String]) -> Option<ImportArgs> {
        let mut file = None;
        let mut record_type = None;
        let mut mode = import::Mode::Apply;
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--type" => record_type = Some(RecordType::from_code(args.next()?)?),
                "--simulation" => mode = import::Mode::Simulate,
                _ if file.is_none() && !arg.starts_with("--") => file = Some(arg.clone()),
                _ => return None,
            }
        }
        Some(ImportArgs {
            file: file?,
            record_type,
            mode,
        })
    }
}

/// Applies a file of the bank's systems; prints what changed, or every refused line.
#[allow(
    clippy::print_stdout,
    reason = "the summary is the command's output, for the bank's scripts"
)]
async fn import(config: &Config, args: ImportArgs) -> ExitCode {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{}: {error}", args.file);
            return ExitCode::FAILURE;
        }
    };
    let csv = args.file.to_ascii_lowercase().ends_with(".csv");
    let lines = match (csv, args.record_type) {
        (true, Some(record_type)) => import::parse_csv(&text, record_type),
        (true, None) => {
            eprintln!("a CSV file holds one type of record: --type conseiller|entite|compte|contrat|personne");
            return ExitCode::from(2);
        }
        (false, _) => import::parse_json_lines(&text),
    };
    let refused = |refusals: &[import::Refusal]| {
        for refusal in refusals {
            eprintln!("ligne {} : {}", refusal.line, refusal.reason);
        }
        eprintln!("fichier refusé : rien n’a été enregistré");
        ExitCode::FAILURE
    };
    let lines = match lines {
        Ok(lines) => lines,
        Err(refusals) => return refused(&refusals),
    };
    let Some((db, secrets)) = connect(config).await else {
        return ExitCode::FAILURE;
    };
    let result = import::apply(
        &db,
        &secrets,
        &config.bank_name,
        &import::Source::Operator,
        lines,
        args.mode,
    )
    .await;
    db.close().await;
    match result {
        Ok(summary) => {
            println!("{}", serde_json::to_string(&summary).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(import::ImportError::Refused(refusals) | import::ImportError::Forbidden(refusals)) => {
            refused(&refusals)
        }
        Err(error @ (import::ImportError::Database(_) | import::ImportError::Delivery(_))) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// Creates a service token and prints it (only its hash is kept: it is shown this once).
#[allow(
    clippy::print_stdout,
    reason = "the token is the command's output, to hand to the client system"
)]
async fn create_service_token(config: &Config, name: &str, scopes: &str) -> ExitCode {
    let scopes = match import::Scope::parse_list(scopes) {
        Ok(scopes) => scopes,
        Err(reason) => {
            eprintln!("{reason}");
            return ExitCode::from(2);
        }
    };
    let Some((db, secrets)) = connect(config).await else {
        return ExitCode::FAILURE;
    };
    let created = import::create_token(&db, &secrets, name, &scopes).await;
    db.close().await;
    match created {
        Ok(Ok(token)) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Ok(Err(reason)) => {
            eprintln!("{reason}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("database: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn revoke_service_token(config: &Config, name: &str) -> ExitCode {
    let Some((db, secrets)) = connect(config).await else {
        return ExitCode::FAILURE;
    };
    let revoked = import::revoke_token(&db, &secrets, name).await;
    db.close().await;
    match revoked {
        Ok(true) => {
            eprintln!("service token {name} revoked");
            ExitCode::SUCCESS
        }
        Ok(false) => {
            eprintln!("no live service token named {name}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("database: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Gives an advisor access to « Espace conseiller » and prints the credentials, once.
#[allow(
    clippy::print_stdout,
    reason = "the credentials are the command's output, to hand to the advisor"
)]
async fn create_advisor(config: &Config, reference: &str, login_id: &str) -> ExitCode {
    use secrecy::ExposeSecret as _;
    let Some((db, secrets)) = connect(config).await else {
        return ExitCode::FAILURE;
    };
    let created =
        app::backend::flows::advisor::create_access(&db, &secrets, reference, login_id).await;
    db.close().await;
    match created {
        Ok(Some(access)) => {
            println!("identifiant : {login_id}");
            println!("mot de passe : {}", access.password.expose_secret());
            println!(
                "clé de l’application d’authentification : {}",
                access.totp_secret
            );
            println!("{}", access.otpauth_uri);
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!("no advisor with the bank reference {reference} (import it first)");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
