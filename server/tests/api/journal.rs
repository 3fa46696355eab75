//! « Journal des opérations »: the entity's events only, filtered and paged by the server, the
//! same search as a CSV file safe for spreadsheets, and the chain's verification.

use crate::helpers::{refused, spawn_app, Client, TestApp};
use crate::journey::confirm_with_totp;
use app::api::journal::{LoadJournal, VerifyJournal};
use app::api::operations::LoadOperation;
use app::api::types::{CheckpointForm, JournalPage, JournalSearch, UserForm};
use app::api::users::PrepareSuspension;
use app::backend::audit::{self, Kind};
use app::backend::demo::{JULIEN_BERNARD, PAUL_LEFEVRE};
use serde_json::json;

async fn journal(admin: &mut Client, search: JournalSearch) -> JournalPage {
    admin.call(LoadJournal { search }).await.unwrap()
}

/// Sophie suspends Julien: an administration event of the entity.
async fn suspend_julien(app: &TestApp, admin: &mut Client) -> i64 {
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let operation_id = admin
        .call(PrepareSuspension {
            form: UserForm { user_id: julien_id },
        })
        .await
        .unwrap();
    let operation = admin
        .call(LoadOperation { operation_id })
        .await
        .unwrap()
        .operation;
    confirm_with_totp(app, admin, &operation).await.unwrap();
    julien_id
}

async fn append(app: &TestApp, entity_id: i64, actor: i64, kind: Kind, details: serde_json::Value) {
    let mut tx = app.db.begin_write().await.unwrap();
    audit::append(
        &mut tx,
        &app.state.secrets,
        Some(entity_id),
        Some(actor),
        kind,
        details,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn the_journal_shows_the_entity_s_events_newest_first_filtered_and_paged() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let sophie_id = app
        .user_id(app::backend::demo::SOPHIE_MARTIN.login_id)
        .await;
    let julien_id = suspend_julien(&app, &mut admin).await;
    let entity = app
        .scalar_i64(&format!(
            "SELECT entity_id FROM users WHERE id = {julien_id}"
        ))
        .await;
    // Another entity's events never show.
    let _paul = app.sign_in(&PAUL_LEFEVRE).await;

    let all = journal(&mut admin, JournalSearch::default()).await;
    let newest = &all.entries[0];
    assert_eq!(newest.kind, "Suspension");
    assert_eq!(newest.concerned.as_deref(), Some("Julien BERNARD"));
    assert_eq!(newest.author.as_deref(), Some("Sophie MARTIN"));
    assert!(
        all.entries.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );
    let paul_events = app
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE entity_id <> {entity}"
        ))
        .await;
    assert!(paul_events > 0);
    assert_eq!(
        all.matching,
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE entity_id = {entity}"
        ))
        .await,
        "exactly the entity's events"
    );

    // Filters: kind, user concerned, author, period.
    let suspensions = journal(
        &mut admin,
        JournalSearch {
            kind: "utilisateur_suspendu".into(),
            ..JournalSearch::default()
        },
    )
    .await;
    assert_eq!(suspensions.matching, 1);
    let about_julien = journal(
        &mut admin,
        JournalSearch {
            user: Some(julien_id),
            ..JournalSearch::default()
        },
    )
    .await;
    assert!(about_julien
        .entries
        .iter()
        .all(|e| e.concerned.as_deref() == Some("Julien BERNARD")));
    assert!(about_julien.entries.iter().any(|e| e.kind == "Suspension"));
    let by_julien = journal(
        &mut admin,
        JournalSearch {
            author: Some(julien_id),
            ..JournalSearch::default()
        },
    )
    .await;
    assert_eq!(by_julien.matching, 0);
    let by_sophie = journal(
        &mut admin,
        JournalSearch {
            author: Some(sophie_id),
            ..JournalSearch::default()
        },
    )
    .await;
    assert!(by_sophie.matching >= 2, "her sign-in and the suspension");
    let future = journal(
        &mut admin,
        JournalSearch {
            from: "2099-01-01".into(),
            ..JournalSearch::default()
        },
    )
    .await;
    assert_eq!(future.matching, 0);
    let bad = refused(
        admin
            .call(LoadJournal {
                search: JournalSearch {
                    from: "31/12/2026".into(),
                    ..JournalSearch::default()
                },
            })
            .await,
        422,
    );
    assert!(bad.error.unwrap().to_string().contains("date valide"));

    // Pages of 50, newest first, none lost between them.
    for n in 0..60 {
        append(
            &app,
            entity,
            julien_id,
            Kind::SignInFailed,
            json!({ "essai": n }),
        )
        .await;
    }
    let first = journal(&mut admin, JournalSearch::default()).await;
    let second = journal(
        &mut admin,
        JournalSearch {
            page: 2,
            ..JournalSearch::default()
        },
    )
    .await;
    assert_eq!(first.entries.len(), 50);
    assert_eq!(first.pages, second.pages);
    assert!(first.entries.last().unwrap().id > second.entries[0].id);
    assert_eq!(
        first.entries.len() as i64 + second.entries.len() as i64,
        first.matching.min(100)
    );
}

#[tokio::test]
async fn the_csv_export_is_for_french_spreadsheets_and_never_runs_a_formula() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let julien_id = suspend_julien(&app, &mut admin).await;
    // A name that a spreadsheet would run as a formula.
    app.execute(&format!(
        "UPDATE persons SET first_name = '=HYPERLINK(\"http://x\")' \
         WHERE id = (SELECT person_id FROM users WHERE id = {julien_id})"
    ))
    .await;
    let response = admin.get("/journal.csv?type=utilisateur_suspendu").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = response.text().await.unwrap();
    assert!(body.starts_with('\u{feff}'), "UTF-8 with a byte-order mark");
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "N°;Date;Événement;Auteur;Utilisateur concerné;Détails"
    );
    assert_eq!(lines.len(), 2, "the filtered set only: {body}");
    assert!(lines[1].contains("\"Suspension\";\"Sophie MARTIN\";"));
    assert!(
        lines[1].contains("\"'=HYPERLINK(\"\"http://x\"\") BERNARD\""),
        "{}",
        lines[1]
    );

    // Administrators only; signed out, nothing.
    let mut julien_like = app.sign_in(&app::backend::demo::NADIA_PETIT).await;
    assert_eq!(julien_like.get("/journal.csv").await.status(), 403);
    assert_eq!(app.client().get("/journal.csv").await.status(), 401);
}

#[tokio::test]
async fn verifying_the_integrity_names_the_first_altered_event_of_the_entity() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    suspend_julien(&app, &mut admin).await;
    let report = admin
        .call(VerifyJournal {
            form: CheckpointForm::default(),
        })
        .await
        .unwrap();
    assert!(report.intact);
    assert!(report.first_broken.is_none());
    assert!(report.events > 0);
    // The signed checkpoint it gives verifies later; a changed one is refused in French.
    let kept = admin
        .call(VerifyJournal {
            form: CheckpointForm {
                checkpoint: report.checkpoint.clone(),
            },
        })
        .await
        .unwrap();
    assert!(kept.intact && kept.against_checkpoint);
    let forged = refused(
        admin
            .call(VerifyJournal {
                form: CheckpointForm {
                    checkpoint: report.checkpoint.replace(":v1:", ":v1:1"),
                },
            })
            .await,
        422,
    );
    assert!(forged
        .error
        .unwrap()
        .to_string()
        .contains("point de contrôle"));

    let event = app
        .scalar_i64("SELECT MAX(id) FROM audit_events WHERE kind = 'utilisateur_suspendu'")
        .await;
    crate::audit::disable_guard(&app).await;
    app.execute(&format!(
        "UPDATE audit_events SET details = '{{}}' WHERE id = {event}"
    ))
    .await;
    let report = admin
        .call(VerifyJournal {
            form: CheckpointForm::default(),
        })
        .await
        .unwrap();
    assert!(!report.intact);
    assert_eq!(report.first_broken, Some(event));
}

#[tokio::test]
async fn the_entitlement_report_says_who_may_do_what_on_each_account_and_why() {
    use app::api::journal::LoadEntitlementReport;
    use model::Level;
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let report = admin.call(LoadEntitlementReport {}).await.unwrap();
    assert_eq!(report.entity_name, "Atelier Lumière SAS");
    // Every user of the entity (and only of it), with the same rights as their own page.
    let users = app
        .scalar_i64(
            "SELECT COUNT(*) FROM users WHERE entity_id = \
             (SELECT entity_id FROM users WHERE login_id = '1000000001')",
        )
        .await;
    assert_eq!(report.users.len() as i64, users);
    assert!(report.users.iter().all(|u| u.name != "Paul LEFÈVRE"));
    let julien = report
        .users
        .iter()
        .find(|u| u.name == "Julien BERNARD")
        .expect("Julien");
    let page = admin
        .call(app::api::users::LoadUser {
            user_id: julien.user_id,
        })
        .await
        .unwrap();
    assert_eq!(julien.recap, page.recap);
    // By account: Julien (profil comptable) consults every account and contract.
    for holders in &report.resources {
        assert!(holders
            .of(Level::Consultation)
            .contains(&"Julien BERNARD".to_string()));
        assert!(!holders
            .of(Level::Gestion)
            .contains(&"Julien BERNARD".to_string()));
    }

    let response = admin.get("/habilitations.csv").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = response.text().await.unwrap();
    assert!(body.starts_with("\u{feff}\"Rapport des habilitations — Atelier Lumière SAS\";"));
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[1],
        "Compte ou contrat;Détail;Utilisateur;Identifiant;État;Consultation;Gestion;Validation;Origine;Fin"
    );
    let julien_lines: Vec<&&str> = lines
        .iter()
        .filter(|l| l.contains("\"Julien BERNARD\""))
        .collect();
    assert_eq!(julien_lines.len(), report.resources.len());
    assert!(
        julien_lines
            .iter()
            .all(|l| l.contains("\"oui\";\"non\";\"non\";\"consultation : profil comptable\"")),
        "{julien_lines:?}"
    );
    let mut nadia = app.sign_in(&app::backend::demo::NADIA_PETIT).await;
    assert_eq!(nadia.get("/habilitations.csv").await.status(), 403);
    refused(nadia.call(LoadEntitlementReport {}).await, 403);
}
