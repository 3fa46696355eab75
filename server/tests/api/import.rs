//! The bank's import (`POST /banque/v1/import`, `server import`): service tokens and their
//! scopes, idempotency by the bank's identifiers, all or nothing, account closure.

use crate::helpers::{spawn_app, TestApp};
use crate::journey::catalog;
use app::api::types::Candidates;
use app::api::users::AddUserCandidates;
use app::backend::flows::import::{self, Scope};
use serde_json::{json, Value};

/// Atelier Lumière's SIREN (demo data).
const ATELIER: &str = "812345676";
/// Association Les Jardins Partagés's SIREN (demo data).
const JARDINS: &str = "775618432";

async fn token(app: &TestApp, name: &str, scopes: &[Scope]) -> String {
    import::create_token(&app.db, &app.state.secrets, name, scopes)
        .await
        .unwrap()
        .unwrap()
}

/// Posts a body to the import; the status and the JSON answer.
async fn post(
    app: &TestApp,
    token: Option<&str>,
    query: &str,
    content_type: &str,
    body: String,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("http://{}/banque/v1/import{query}", app.addr))
        .header("content-type", content_type)
        .body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn send(app: &TestApp, token: &str, lines: &[Value]) -> (u16, Value) {
    let body: Vec<String> = lines.iter().map(Value::to_string).collect();
    post(
        app,
        Some(token),
        "",
        "application/x-ndjson",
        body.join("\n"),
    )
    .await
}

fn refused_lines(answer: &Value) -> Vec<u64> {
    answer["erreurs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|refusal| refusal["ligne"].as_u64().unwrap())
        .collect()
}

/// A new advisor, entity (with two accounts and a contract) and two persons.
fn new_portfolio() -> Vec<Value> {
    vec![
        // Out of order on purpose: the entity names the advisor of a later line.
        json!({"type": "entite", "siren": "552100554", "nom": "Boulangerie Dupain SARL",
               "forme": "entreprise", "conseiller": "CONS-0042"}),
        json!({"type": "conseiller", "reference": "CONS-0042", "civilite": "M.",
               "prenom": "Marc", "nom": "LAURENT", "agence": "Agence Lyon Part-Dieu",
               "telephone": "+33472000202", "email": "marc.laurent@banque.example"}),
        json!({"type": "compte", "entite": "552100554", "iban": "FR76 3000 4000 0312 3456 7890 143",
               "libelle": "Compte courant", "devise": "EUR"}),
        json!({"type": "compte", "entite": "552100554", "iban": "FR7630004000031234567890240",
               "libelle": "Compte épargne", "devise": "EUR"}),
        json!({"type": "contrat", "entite": "552100554", "reference": "VIR-552-01",
               "nature": "virements_sepa", "libelle": "Virements SEPA"}),
        json!({"type": "personne", "reference": "PERS-1", "entite": "552100554",
               "nom": "DUPAIN", "prenom": "Jeanne", "date_naissance": "1979-05-17",
               "telephone": "+33611223344", "email": "jeanne@dupain.example"}),
        json!({"type": "personne", "reference": "PERS-2", "entite": ATELIER,
               "nom": "ROCHE", "prenom": "Inès", "date_naissance": "1992-11-03",
               "telephone": "+33711223344"}),
    ]
}

/// Rows of the tables an import writes, to show a refused file or a replay wrote nothing.
async fn footprint(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in [
        "advisors",
        "entities",
        "accounts",
        "contracts",
        "persons",
        "user_rights",
        "revoked_rights",
        "audit_events",
    ] {
        counts.push(
            app.scalar_i64(&format!("SELECT COUNT(*) FROM {table}"))
                .await,
        );
    }
    counts
}

#[tokio::test]
async fn a_file_applies_whole_and_sending_it_again_changes_nothing() {
    let app = spawn_app().await;
    let token = token(&app, "coeur-bancaire", &Scope::ALL).await;
    let before = footprint(&app).await;

    let (status, answer) = send(&app, &token, &new_portfolio()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["applique"], true);
    assert_eq!(answer["crees"], 7);
    let after = footprint(&app).await;
    assert_eq!(
        after[..5]
            .iter()
            .zip(&before[..5])
            .map(|(a, b)| a - b)
            .collect::<Vec<_>>(),
        [1, 1, 2, 1, 2]
    );
    let entity = app
        .scalar_i64("SELECT id FROM entities WHERE siren = '552100554'")
        .await;
    let advisor = app
        .scalar_i64("SELECT id FROM advisors WHERE bank_ref = 'CONS-0042'")
        .await;
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT advisor_id FROM entities WHERE id = {entity}"
        ))
        .await,
        advisor
    );
    // The IBAN is stored compact; the accounts keep the file's order.
    assert_eq!(
        app.scalar_i64("SELECT position FROM accounts WHERE iban = 'FR7630004000031234567890240'")
            .await,
        1
    );
    // One event for the file, one per person in the entity's journal.
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'import'")
            .await,
        1
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'personne_enregistree'")
            .await,
        2
    );

    // The administrator of Atelier Lumière now finds Inès ROCHE to add.
    let mut sophie = app.sign_in_admin().await;
    let candidates: Candidates = sophie.call(AddUserCandidates {}).await.unwrap();
    let names: Vec<String> = candidates.persons.iter().map(|p| p.full_name()).collect();
    assert_eq!(names, ["Emma GIRARD", "Lucas MOREAU", "Inès ROCHE"]);

    // (Signing in is an audit event of its own.)
    let after = footprint(&app).await;
    let (status, again) = send(&app, &token, &new_portfolio()).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["applique"], false);
    assert_eq!(again["crees"], 0);
    assert_eq!(again["modifies"], 0);
    assert_eq!(again["inchanges"], 7);
    assert_eq!(footprint(&app).await, after, "a replay writes nothing");

    // A correction is one change, audited in the entity's journal.
    let mut corrected = new_portfolio();
    corrected[6]["telephone"] = json!("+33799887766");
    let (status, answer) = send(&app, &token, &corrected).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["modifies"].as_u64(), answer["inchanges"].as_u64()),
        (Some(1), Some(6))
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM persons WHERE phone = '+33799887766'")
            .await,
        1
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'personne_corrigee' \
             AND entity_id = (SELECT id FROM entities WHERE siren = '{ATELIER}')"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn a_file_with_bad_lines_is_refused_whole_with_each_line_and_reason() {
    let app = spawn_app().await;
    let token = token(&app, "coeur-bancaire", &Scope::ALL).await;
    let before = footprint(&app).await;

    // Values wrong in themselves: refused before anything is tried.
    let mut lines = new_portfolio();
    lines[3]["iban"] = json!("FR7630004000031234567890241");
    lines[5]["date_naissance"] = json!("1979-02-30");
    lines[6]["telephone"] = json!("+33112345678");
    let (status, answer) = send(&app, &token, &lines).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(refused_lines(&answer), [4, 6, 7]);
    let reasons = answer["erreurs"].to_string();
    assert!(reasons.contains("IBAN"), "{reasons}");
    assert!(reasons.contains("date_naissance"), "{reasons}");
    assert!(reasons.contains("mobile"), "{reasons}");

    // Good values that do not fit the bank's data: refused when applied, and the good lines
    // before them are rolled back.
    let mut lines = new_portfolio();
    lines.push(
        json!({"type": "personne", "reference": "PERS-3", "entite": "732829320",
                      "nom": "NUL", "prenom": "Part", "date_naissance": "1980-01-01",
                      "telephone": "+33600000000"}),
    );
    lines.push(json!({"type": "compte", "entite": JARDINS,
                      "iban": "FR7610207000450402123456745", "libelle": "Pris", "devise": "EUR"}));
    let (status, answer) = send(&app, &token, &lines).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(refused_lines(&answer), [8, 9]);
    let reasons = answer["erreurs"].to_string();
    assert!(reasons.contains("entité inconnue"), "{reasons}");
    assert!(
        reasons.contains("appartient à une autre entité"),
        "{reasons}"
    );
    assert_eq!(
        footprint(&app).await,
        before,
        "nothing of a refused file is kept"
    );

    // A record twice in one file.
    let mut lines = new_portfolio();
    lines.push(lines[5].clone());
    let (status, answer) = send(&app, &token, &lines).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(refused_lines(&answer), [8]);
    assert_eq!(footprint(&app).await, before);
}

#[tokio::test]
async fn closing_an_account_takes_it_out_of_every_users_rights_and_keeps_the_history() {
    let app = spawn_app().await;
    let token = token(&app, "coeur-bancaire", &[Scope::Entities]).await;
    let mut sophie = app.sign_in_admin().await;
    let account = catalog(&mut sophie).await.accounts[0].clone();
    let holders = app
        .scalar_i64(&format!(
            "SELECT COUNT(DISTINCT user_id) FROM user_rights WHERE account_id = {}",
            account.id
        ))
        .await;
    let levels = app
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE account_id = {}",
            account.id
        ))
        .await;
    assert!(holders >= 2, "demo users hold rights on it");
    let versions = app
        .scalar_i64("SELECT CAST(SUM(version) AS BIGINT) FROM users WHERE entity_id = (SELECT id FROM entities WHERE siren = '812345676')")
        .await;

    let closure = json!({"type": "compte", "entite": ATELIER, "iban": account.iban,
                         "libelle": account.label, "devise": account.currency, "cloture": true});
    let (status, answer) = send(&app, &token, std::slice::from_ref(&closure)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["clotures"], 1);
    assert_eq!(answer["utilisateurs_concernes"], holders);

    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE account_id = {}",
            account.id
        ))
        .await,
        0
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM revoked_rights WHERE account_id = {} \
             AND revoked_by IS NULL AND revoking_operation_id LIKE 'import-%'",
            account.id
        ))
        .await,
        levels,
        "every level is kept in the history"
    );
    // Operations prepared on the rights before the closure no longer match (409).
    assert_eq!(
        app.scalar_i64("SELECT CAST(SUM(version) AS BIGINT) FROM users WHERE entity_id = (SELECT id FROM entities WHERE siren = '812345676')")
            .await,
        versions + holders
    );
    assert_eq!(
        app.scalar_i64(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'cloture' AND entity_id = \
             (SELECT id FROM entities WHERE siren = '812345676')"
        )
        .await,
        1
    );
    // Every active administrator is told.
    let administrators = app
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE is_administrator = 1 AND state = 'active' \
             AND entity_id = (SELECT id FROM entities WHERE siren = '{ATELIER}')"
        ))
        .await;
    assert!(administrators >= 2);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM outbox WHERE subject = 'Le compte « {} » a été clôturé'",
            account.label
        ))
        .await,
        administrators
    );
    // Gone from the administrator's screens; the other accounts stay.
    let after = catalog(&mut sophie).await;
    assert!(after.accounts.iter().all(|a| a.id != account.id));
    assert!(!after.accounts.is_empty());

    // Sent again: nothing more happens.
    let events = app.scalar_i64("SELECT COUNT(*) FROM audit_events").await;
    let (status, answer) = send(&app, &token, &[closure]).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["inchanges"].as_u64(), answer["clotures"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events").await,
        events
    );
}

#[tokio::test]
async fn service_tokens_are_required_scoped_stored_hashed_and_revocable() {
    let app = spawn_app().await;
    let persons_only = token(&app, "agences", &[Scope::Persons]).await;
    let before = footprint(&app).await;
    let lines: Vec<String> = new_portfolio().iter().map(Value::to_string).collect();
    let body = lines.join("\n");

    for presented in [None, Some("habilis_svc_inconnu"), Some("n’importe quoi")] {
        let (status, answer) =
            post(&app, presented, "", "application/x-ndjson", body.clone()).await;
        assert_eq!(status, 401, "{answer}");
    }
    let (status, answer) = post(
        &app,
        Some(&persons_only),
        "",
        "application/x-ndjson",
        body.clone(),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(refused_lines(&answer), [1, 2, 3, 4, 5]);
    assert_eq!(footprint(&app).await, before);

    // Within its scope it works: a person of an existing entity.
    let (status, answer) = send(&app, &persons_only, &new_portfolio()[6..]).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["crees"], 1);

    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM service_tokens WHERE token_hash = '{persons_only}'"
        ))
        .await,
        0,
        "only a hash is stored"
    );
    assert!(import::revoke_token(&app.db, &app.state.secrets, "agences")
        .await
        .unwrap());
    let (status, _) = send(&app, &persons_only, &new_portfolio()[6..]).await;
    assert_eq!(status, 401, "a revoked token is refused at once");
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'jeton_de_service'")
            .await,
        2
    );
    // Names are unique.
    assert!(
        import::create_token(&app.db, &app.state.secrets, "agences", &[Scope::Persons])
            .await
            .unwrap()
            .is_err()
    );
}

#[tokio::test]
async fn a_csv_file_of_persons_can_be_simulated_then_applied() {
    let app = spawn_app().await;
    let token = token(&app, "agences", &[Scope::Persons]).await;
    let csv = format!(
        "reference;entite;nom;prenom;date_naissance;telephone;email\n\
         PERS-10;{ATELIER};BLANC;Louis;1970-06-01;+33655443322;\n\
         PERS-11;{JARDINS};NOIR;Alice;1988-09-09;+33655443311;alice@example.org\n"
    );
    let persons = app.scalar_i64("SELECT COUNT(*) FROM persons").await;
    let (status, answer) = post(
        &app,
        Some(&token),
        "?type=personne&simulation=oui",
        "text/csv",
        csv.clone(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        (answer["applique"].as_bool(), answer["crees"].as_u64()),
        (Some(false), Some(2))
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM persons").await,
        persons
    );

    let (status, answer) = post(&app, Some(&token), "", "text/csv", csv.clone()).await;
    assert_eq!(status, 422, "a CSV file names its type: {answer}");
    let (status, answer) = post(&app, Some(&token), "?type=personne", "text/csv", csv).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["crees"], 2);
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM persons").await,
        persons + 2
    );
}

#[tokio::test]
async fn the_import_command_applies_a_file_once_and_refuses_a_bad_one() {
    let app = spawn_app().await;
    let dir =
        std::env::temp_dir().join(format!("habilis-import-{}", crate::helpers::random_name()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("personnes.csv");
    std::fs::write(
        &good,
        format!(
            "reference,entite,nom,prenom,date_naissance,telephone,email\n\
             PERS-20,{ATELIER},VERT,Chloé,1995-03-21,+33677889900,\n"
        ),
    )
    .unwrap();
    let bad = dir.join("mauvais.jsonl");
    std::fs::write(&bad, "{\"type\":\"personne\",\"reference\":\"X\"}\n").unwrap();
    let run = |args: Vec<String>| {
        let database_url = app.state.config.database_url.clone();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
                .args(args)
                .env("DATABASE_URL", database_url)
                .env("HABILIS_SECRET_KEY", "2a".repeat(32))
                .env("HABILIS_DEMO_DATA", "false")
                .output()
                .await
                .unwrap()
        }
    };
    let path = |p: &std::path::Path| p.display().to_string();

    let first = run(vec![
        "import".into(),
        path(&good),
        "--type".into(),
        "personne".into(),
    ])
    .await;
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let summary: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(summary["crees"], 1);
    let again = run(vec![
        "import".into(),
        path(&good),
        "--type".into(),
        "personne".into(),
    ])
    .await;
    let summary: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        (summary["crees"].as_u64(), summary["inchanges"].as_u64()),
        (Some(0), Some(1))
    );

    let refused = run(vec!["import".into(), path(&bad)]).await;
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("ligne 1 : le champ « entite » manque"),
        "{stderr}"
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM persons WHERE bank_ref IS NOT NULL")
            .await,
        1
    );
    let _ = std::fs::remove_dir_all(dir);
}
