//! « Ajouter un utilisateur » on the server: listing, checks, the signed operation, the one
//! transaction, and what never happens on failure.

use crate::helpers::{refused, spawn_app, TestApp};
use crate::journey::{
    catalog, confirm_with, confirm_with_totp, person_id, prepare, prepare_lucas, prepare_profile,
    wait_for_local_messages,
};
use app::api::operations::{CancelOperation, OperationPasskeyChallenge};
use app::api::types::OperationForm;
use app::api::types::{Candidates, ScaProof, UserState, UserSummary};
use app::api::users::{AddUserCandidates, CopyableRights, ListUsers};
use app::api::ApiError;
use app::backend::demo::{NADIA_PETIT, PAUL_LEFEVRE, SOPHIE_MARTIN};
use app::backend::store::operations::mark_applied;
use model::{Level, Levels, Profile, ResourceRef, Rights, RightsMethod};

#[tokio::test]
async fn the_users_page_lists_the_entitys_users_and_only_them() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let users: Vec<UserSummary> = admin.call(ListUsers {}).await.unwrap();
    let names: Vec<String> = users.iter().map(|u| u.full_name()).collect();
    assert_eq!(
        names,
        [
            "Julien BERNARD",
            "Thomas GARNIER",
            "Sophie MARTIN",
            "Nadia PETIT"
        ]
    );
    assert!(users.iter().all(|u| u.state == UserState::Active));
    let sophie = users.iter().find(|u| u.first_name == "Sophie").unwrap();
    assert!(sophie.is_administrator);
    assert_eq!(
        sophie.rights_summary,
        "14 comptes et contrats · consultation 14, gestion 14, validation 14"
    );
    let nadia = users.iter().find(|u| u.first_name == "Nadia").unwrap();
    assert_eq!(
        nadia.rights_summary,
        "5 comptes et contrats · consultation 5, gestion 4, validation 0"
    );
    let mut paul = app.sign_in(&PAUL_LEFEVRE).await;
    let theirs: Vec<UserSummary> = paul.call(ListUsers {}).await.unwrap();
    assert_eq!(theirs.len(), 2);
    assert!(theirs.iter().all(|u| u.login_id.starts_with('2')));
}

#[tokio::test]
async fn the_persons_registered_by_the_advisor_are_offered_and_the_advisor_named_when_none() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let candidates: Candidates = admin.call(AddUserCandidates {}).await.unwrap();
    let names: Vec<String> = candidates.persons.iter().map(|p| p.full_name()).collect();
    assert_eq!(names, ["Emma GIRARD", "Lucas MOREAU"]);
    assert_eq!(candidates.persons[0].email, None);
    assert_eq!(candidates.persons[0].birth_date, "30/12/1988");
    assert_eq!(candidates.persons[0].phone, "06 12 34 56 05");
    assert_eq!(candidates.advisor.name, "Mme Claire DUBOIS");
    app.execute("DELETE FROM persons WHERE id NOT IN (SELECT person_id FROM users)")
        .await;
    let candidates: Candidates = admin.call(AddUserCandidates {}).await.unwrap();
    assert!(candidates.persons.is_empty());
    assert_eq!(candidates.advisor.phone, "04 72 00 01 01");
}

/// Préparateur unticked here and there, validated with TOTP: the whole transaction's effects.
#[tokio::test]
async fn a_confirmed_operation_creates_the_user_rights_audit_event_and_messages_at_once() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let catalog = catalog(&mut admin).await;
    let mut rights = Profile::Preparateur.rights(&catalog);
    let first_account = ResourceRef::Account(catalog.accounts[0].id);
    let titres = ResourceRef::Contract(catalog.contracts[5].id);
    rights.set(first_account, Level::Gestion, false);
    rights.set(titres, Level::Consultation, false);
    let emma = person_id(&app, "GIRARD").await;
    let events_before = app.scalar_i64("SELECT COUNT(*) FROM audit_events").await;
    let prepared = prepare(
        &mut admin,
        emma,
        "emma.girard@atelier-lumiere.fr",
        RightsMethod::Profile(Profile::Preparateur),
        &rights,
    )
    .await
    .unwrap();
    assert_eq!(prepared.recap.as_ref().unwrap().lines.len(), 13);
    assert_eq!(
        prepared.recap.as_ref().unwrap().excluded,
        vec!["Compte-titres".to_string()]
    );
    assert_eq!(
        prepared.recap.as_ref().unwrap().lines[0].sentence,
        "Consultation (profil préparateur)"
    );
    assert_eq!(
        prepared.short_code,
        model::operation::short_code(&prepared.digest)
    );
    assert_eq!(prepared.expires_in_secs, 300);
    // Nothing happens before the strong authentication.
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM users").await, 6);

    let done = confirm_with_totp(&app, &mut admin, &prepared)
        .await
        .unwrap();
    assert_eq!(done.name, "Emma GIRARD");
    assert_eq!(done.phone_masked, "•• •• •• •• 05");
    let user = done.user_id;
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {user} AND state = 'awaiting_first_login' \
             AND is_administrator = 0 AND password_hash IS NULL AND temp_password_hash IS NOT NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE user_id = {user} AND level = 'consultation'"
        ))
        .await,
        13
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE user_id = {user} AND level = 'consultation' \
             AND origin = 'profil:preparateur'"
        ))
        .await,
        13
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE user_id = {user} AND level = 'validation'"
        ))
        .await,
        0
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM persons WHERE id = {emma} AND email = 'emma.girard@atelier-lumiere.fr'"
        ))
        .await,
        1,
        "the e-mail filled in by the administrator is kept"
    );
    let events = app::backend::audit::events(&app.db).await.unwrap();
    assert_eq!(events.len() as i64, events_before + 1);
    let added = events.last().unwrap();
    assert_eq!(added.kind, "utilisateur_ajoute");
    assert_eq!(added.details["empreinte"], prepared.digest.as_str());
    assert!(added.details["contenu_signe"]
        .as_str()
        .unwrap()
        .contains("methode=profil:preparateur"));
    assert!(app::backend::audit::verify(&app.db, &app.state.secrets)
        .await
        .unwrap()
        .first_broken
        .is_none());

    // E-mail and SMS, after commit, each once; the identifier and the password never together.
    // (The third message is the other administrator's notice.)
    let messages: Vec<_> = wait_for_local_messages(&app, 3)
        .await
        .into_iter()
        .filter(|m| m.recipient != "thomas.garnier@atelier-lumiere.fr")
        .collect();
    assert_eq!(messages.len(), 2);
    let (login_id, password) = crate::journey::credentials_from(
        &messages,
        "emma.girard@atelier-lumiere.fr",
        "+33612345605",
    );
    assert_eq!(login_id.len(), 10);
    assert_eq!(password.chars().count(), 14);
    let mail = messages.iter().find(|m| m.channel == "email").unwrap();
    let sms = messages.iter().find(|m| m.channel == "sms").unwrap();
    assert!(!mail.body.contains(&password));
    assert!(!sms.body.contains(&login_id));
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND body IS NULL")
            .await,
        3,
        "sent, and the sealed body wiped"
    );
    // The administrator never sees it, and it is never stored in clear, anywhere.
    assert!(!serde_json::to_string(&done).unwrap().contains(&password));
    assert_no_column_contains(&app, &password).await;
}

async fn is_administrator(app: &TestApp, user_id: i64) -> bool {
    app.scalar_i64(&format!(
        "SELECT is_administrator FROM users WHERE id = {user_id}"
    ))
    .await
        == 1
}

/// Looks for a secret in every text column of every table.
async fn assert_no_column_contains(app: &TestApp, secret: &str) {
    for (table, columns) in [
        (
            "users",
            "COALESCE(temp_password_hash, '') || COALESCE(password_hash, '') || email",
        ),
        ("outbox", "COALESCE(body, '') || subject || recipient"),
        ("local_deliveries", "body || subject"),
        ("audit_events", "details"),
        ("operations", "payload"),
        ("ceremonies", "state"),
    ] {
        let count = app
            .scalar_i64(&format!(
                "SELECT COUNT(*) FROM {table} WHERE {columns} LIKE '%{secret}%'"
            ))
            .await;
        assert_eq!(count, 0, "{table} holds the secret in clear");
    }
}

#[tokio::test]
async fn a_replayed_confirmation_is_refused() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let prepared = prepare_lucas(&app, &mut admin).await;
    confirm_with_totp(&app, &mut admin, &prepared)
        .await
        .unwrap();
    let replay = refused(confirm_with_totp(&app, &mut admin, &prepared).await, 409);
    assert_eq!(replay.error, Some(ApiError::OperationExpired));
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM users").await, 7);
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'operation_rejouee'")
            .await,
        1,
        "the replay is a security event"
    );
}

#[tokio::test]
async fn an_expired_operation_is_refused() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let prepared = prepare_lucas(&app, &mut admin).await;
    // Five minutes later.
    app.execute("UPDATE operations SET expires_at = expires_at - 300")
        .await;
    let failure = refused(confirm_with_totp(&app, &mut admin, &prepared).await, 409);
    assert_eq!(failure.error, Some(ApiError::OperationExpired));
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM users").await, 6);
}

#[tokio::test]
async fn an_altered_operation_is_refused() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let catalog = catalog(&mut admin).await;
    let prepared = prepare(
        &mut admin,
        person_id(&app, "MOREAU").await,
        "lucas.moreau@atelier-lumiere.fr",
        RightsMethod::Profile(Profile::Comptable),
        &Profile::Comptable.rights(&catalog),
    )
    .await
    .unwrap();
    // The browser signs something else than what the server holds.
    let code = app
        .fresh_code(SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id)
        .await;
    let other_digest = "0".repeat(64);
    let failure = refused(
        confirm_with(
            &mut admin,
            &prepared.operation_id,
            &other_digest,
            ScaProof::Totp { code },
        )
        .await,
        409,
    );
    assert_eq!(failure.error, Some(ApiError::OperationExpired));
    // The stored operation is changed behind the administrator's back.
    let payload: String = sqlx::query_scalar("SELECT payload FROM operations")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let tampered = payload.replace("\"administration\":false", "\"administration\":true");
    assert_ne!(tampered, payload);
    sqlx::query("UPDATE operations SET payload = $1")
        .bind(tampered)
        .execute(app.db.pool())
        .await
        .unwrap();
    let failure = refused(confirm_with_totp(&app, &mut admin, &prepared).await, 409);
    assert_eq!(failure.error, Some(ApiError::OperationExpired));
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM users").await, 6);
}

#[tokio::test]
async fn preparing_again_voids_the_operation_prepared_before() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let catalog = catalog(&mut admin).await;
    let lucas = person_id(&app, "MOREAU").await;
    let first = prepare(
        &mut admin,
        lucas,
        "lucas.moreau@atelier-lumiere.fr",
        RightsMethod::Profile(Profile::Valideur),
        &Profile::Valideur.rights(&catalog),
    )
    .await
    .unwrap();
    let mut narrower = Profile::Valideur.rights(&catalog);
    narrower.set(
        ResourceRef::Account(catalog.accounts[0].id),
        Level::Validation,
        false,
    );
    let second = prepare(
        &mut admin,
        lucas,
        "lucas.moreau@atelier-lumiere.fr",
        RightsMethod::Profile(Profile::Valideur),
        &narrower,
    )
    .await
    .unwrap();
    assert_ne!(first.digest, second.digest);
    refused(confirm_with_totp(&app, &mut admin, &first).await, 409);
    let done = confirm_with_totp(&app, &mut admin, &second).await.unwrap();
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE user_id = {} AND level = 'validation'",
            done.user_id
        ))
        .await,
        13
    );
}

#[tokio::test]
async fn twenty_parallel_confirmations_create_exactly_one_user() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let prepared = prepare_lucas(&app, &mut admin).await;
    let code = app
        .fresh_code(SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id)
        .await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let mut client = app.client();
        client.cookie = admin.cookie.clone();
        let (id, digest, code) = (
            prepared.operation_id.clone(),
            prepared.digest.clone(),
            code.clone(),
        );
        tasks.push(tokio::spawn(async move {
            confirm_with(&mut client, &id, &digest, ScaProof::Totp { code }).await
        }));
    }
    let mut successes = 0;
    let mut failures = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => successes += 1,
            Err(failure) => failures.push((failure.status, failure.error)),
        }
    }
    assert_eq!(successes, 1, "{failures:?}");
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM users").await, 7);
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'utilisateur_ajoute'")
            .await,
        1
    );
}

/// The statement that consumes an operation, raced by 20 transactions: one wins.
#[tokio::test]
async fn consuming_an_operation_is_one_atomic_statement() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let prepared = prepare_lucas(&app, &mut admin).await;
    let admin_id = app.user_id(SOPHIE_MARTIN.login_id).await;
    let entity = app
        .scalar_i64("SELECT entity_id FROM users WHERE login_id = '1000000001'")
        .await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let db = app.db.clone();
        let (id, digest) = (prepared.operation_id.clone(), prepared.digest.clone());
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin_write().await.unwrap();
            let won = mark_applied(
                &mut tx,
                &id,
                entity,
                admin_id,
                &digest,
                app::backend::store::now(),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            won
        }));
    }
    let mut winners = 0;
    for task in tasks {
        if task.await.unwrap() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
}

async fn break_outbox(app: &TestApp) {
    match app.db.backend() {
        app::backend::store::Backend::Sqlite => {
            app.execute(
                "CREATE TRIGGER simulated_fault BEFORE INSERT ON outbox \
                 BEGIN SELECT RAISE(ABORT, 'panne simulée'); END",
            )
            .await
        }
        app::backend::store::Backend::Postgres => {
            app.execute(
                "CREATE FUNCTION simulated_fault() RETURNS trigger AS $$ \
                 BEGIN RAISE EXCEPTION 'panne simulée'; END; $$ LANGUAGE plpgsql",
            )
            .await;
            app.execute(
                "CREATE TRIGGER simulated_fault BEFORE INSERT ON outbox \
                 FOR EACH ROW EXECUTE FUNCTION simulated_fault()",
            )
            .await
        }
    }
}

async fn repair_outbox(app: &TestApp) {
    match app.db.backend() {
        app::backend::store::Backend::Sqlite => app.execute("DROP TRIGGER simulated_fault").await,
        app::backend::store::Backend::Postgres => {
            app.execute("DROP TRIGGER simulated_fault ON outbox").await
        }
    }
}

#[tokio::test]
async fn a_failure_in_the_middle_of_the_transaction_leaves_nothing_and_sends_nothing() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let prepared = prepare_profile(
        &app,
        &mut admin,
        "GIRARD",
        "emma.girard@atelier-lumiere.fr",
        Profile::Dirigeant,
    )
    .await;
    let events_before = app.scalar_i64("SELECT COUNT(*) FROM audit_events").await;
    // The user, the rights and the audit event are written before the outbox: the fault
    // strikes after them.
    break_outbox(&app).await;
    let failure = refused(confirm_with_totp(&app, &mut admin, &prepared).await, 500);
    assert_eq!(failure.error, Some(ApiError::Internal));
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM users").await, 6);
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM user_rights WHERE user_id > 6")
            .await,
        0
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events").await,
        events_before
    );
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM persons WHERE last_name = 'GIRARD' AND email IS NULL")
            .await,
        1
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM local_deliveries")
            .await,
        0
    );
    // Nothing was applied: the same operation can still be validated once the fault is gone.
    repair_outbox(&app).await;
    confirm_with_totp(&app, &mut admin, &prepared)
        .await
        .unwrap();
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM users").await, 7);
    wait_for_local_messages(&app, 2).await;
}

#[tokio::test]
async fn bad_input_gets_a_clear_french_error_and_creates_no_operation() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let catalog = catalog(&mut admin).await;
    let emma = person_id(&app, "GIRARD").await;
    let lucas = person_id(&app, "MOREAU").await;
    let comptable = Profile::Comptable.rights(&catalog);
    let mut beyond = Profile::Preparateur.rights(&catalog);
    beyond.set(
        ResourceRef::Account(catalog.accounts[0].id),
        Level::Validation,
        true,
    );
    let mut changed_dirigeant = Profile::Dirigeant.rights(&catalog);
    changed_dirigeant.set(
        ResourceRef::Contract(catalog.contracts[0].id),
        Level::Gestion,
        false,
    );
    let mut unknown = Rights::new();
    unknown.set_levels(ResourceRef::Account(987_654), Levels::CONSULTATION);
    let comptable_method = RightsMethod::Profile(Profile::Comptable);
    let cases: Vec<(i64, &str, RightsMethod, Rights, &str, &str)> = vec![
        (
            emma,
            "emma@",
            comptable_method,
            comptable.clone(),
            "email",
            "n’est pas valide",
        ),
        (
            emma,
            "  ",
            comptable_method,
            comptable.clone(),
            "email",
            "Renseignez l’adresse e-mail",
        ),
        (
            lucas,
            "autre.adresse@example.fr",
            comptable_method,
            comptable.clone(),
            "email",
            "ne se modifie pas ici",
        ),
        (
            emma,
            "emma@example.fr",
            RightsMethod::Profile(Profile::Preparateur),
            beyond,
            "rights",
            "ne fait pas partie du profil préparateur",
        ),
        (
            emma,
            "emma@example.fr",
            RightsMethod::Profile(Profile::Dirigeant),
            changed_dirigeant,
            "rights",
            "s’attribue tel quel",
        ),
        (
            emma,
            "emma@example.fr",
            RightsMethod::Custom,
            unknown,
            "rights",
            "n’existe pas pour votre entité",
        ),
        (
            emma,
            "emma@example.fr",
            RightsMethod::Custom,
            Rights::new(),
            "rights",
            "Sélectionnez au moins un droit",
        ),
    ];
    for (person, email, method, rights, field, words) in cases {
        let failure = refused(
            prepare(&mut admin, person, email, method, &rights).await,
            422,
        );
        let error = failure.error.unwrap();
        assert_eq!(error.field(), Some(field), "{error:?}");
        assert!(error.to_string().contains(words), "{error} lacks {words}");
    }
    // Someone who already is a user.
    let nadia = person_id(&app, "PETIT").await;
    let failure = refused(
        prepare(
            &mut admin,
            nadia,
            "nadia.petit@atelier-lumiere.fr",
            comptable_method,
            &comptable,
        )
        .await,
        409,
    );
    assert!(failure
        .error
        .unwrap()
        .to_string()
        .contains("déjà utilisatrice"));
    // A copy from another entity's user answers like a missing one.
    let lea = app.user_id("2000000002").await;
    let theirs = refused(
        prepare(
            &mut admin,
            emma,
            "emma@example.fr",
            RightsMethod::Copy { from_user: lea },
            &comptable,
        )
        .await,
        404,
    );
    let missing = refused(
        prepare(
            &mut admin,
            emma,
            "emma@example.fr",
            RightsMethod::Copy { from_user: 999_999 },
            &comptable,
        )
        .await,
        404,
    );
    assert_eq!(theirs.body, missing.body);
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM operations").await, 0);
}

#[tokio::test]
async fn a_copy_keeps_where_each_right_comes_from_and_never_copies_administration() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let catalog = catalog(&mut admin).await;
    let nadia = app.user_id(NADIA_PETIT.login_id).await;
    let copied: app::api::types::UserRights =
        admin.call(CopyableRights { user_id: nadia }).await.unwrap();
    assert_eq!(copied.name, "Nadia PETIT");
    assert_eq!(copied.recap.lines.len(), 5);
    let mut rights = copied.rights.clone();
    let first = ResourceRef::Account(catalog.accounts[0].id);
    rights.set(first, Level::Validation, true);
    let prepared = prepare(
        &mut admin,
        person_id(&app, "MOREAU").await,
        "lucas.moreau@atelier-lumiere.fr",
        RightsMethod::Copy { from_user: nadia },
        &rights,
    )
    .await
    .unwrap();
    assert_eq!(
        prepared.recap.as_ref().unwrap().lines[0].sentence,
        "Consultation (copié de Nadia PETIT), gestion (copié de Nadia PETIT) et validation (personnalisé)"
    );
    let done = confirm_with_totp(&app, &mut admin, &prepared)
        .await
        .unwrap();
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE user_id = {} AND level = 'consultation' AND origin = 'copie:{nadia}'",
            done.user_id
        ))
        .await,
        5
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE user_id = {} AND level = 'validation' AND origin = 'personnalise'",
            done.user_id
        ))
        .await,
        1
    );

    // Copying the administrator: her rights, not her administration right.
    let sophie = app.user_id(SOPHIE_MARTIN.login_id).await;
    let copied: app::api::types::UserRights = admin
        .call(CopyableRights { user_id: sophie })
        .await
        .unwrap();
    assert!(copied.rights.administration());
    let without = copied.rights.without_administration();
    let prepared = prepare(
        &mut admin,
        person_id(&app, "GIRARD").await,
        "emma.girard@atelier-lumiere.fr",
        RightsMethod::Copy { from_user: sophie },
        &without,
    )
    .await
    .unwrap();
    assert!(!prepared.recap.as_ref().unwrap().administration);
    let done = confirm_with_totp(&app, &mut admin, &prepared)
        .await
        .unwrap();
    assert!(!is_administrator(&app, done.user_id).await);
}

#[tokio::test]
async fn the_administration_right_is_given_only_when_ticked() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let mut rights = Profile::Comptable.rights(&catalog(&mut admin).await);
    rights.set_administration(true);
    let prepared = prepare(
        &mut admin,
        person_id(&app, "MOREAU").await,
        "lucas.moreau@atelier-lumiere.fr",
        RightsMethod::Profile(Profile::Comptable),
        &rights,
    )
    .await
    .unwrap();
    assert!(prepared.recap.as_ref().unwrap().administration);
    let done = confirm_with_totp(&app, &mut admin, &prepared)
        .await
        .unwrap();
    assert!(is_administrator(&app, done.user_id).await);
}

#[tokio::test]
async fn another_entitys_administrator_cannot_see_or_validate_an_operation() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let prepared = prepare_lucas(&app, &mut admin).await;
    let mut paul = app.sign_in(&PAUL_LEFEVRE).await;
    let code = app
        .fresh_code(PAUL_LEFEVRE.totp_secret, PAUL_LEFEVRE.login_id)
        .await;
    let theirs = refused(
        confirm_with(
            &mut paul,
            &prepared.operation_id,
            &prepared.digest,
            ScaProof::Totp { code: code.clone() },
        )
        .await,
        404,
    );
    let missing = refused(
        confirm_with(
            &mut paul,
            "inconnue",
            &prepared.digest,
            ScaProof::Totp { code },
        )
        .await,
        404,
    );
    assert_eq!(theirs.body, missing.body);
    let challenge = refused(
        paul.call(OperationPasskeyChallenge {
            operation_id: prepared.operation_id.clone(),
        })
        .await,
        404,
    );
    assert_eq!(challenge.body, missing.body);
    // Their cancel does nothing to it either.
    let () = paul
        .call(CancelOperation {
            form: OperationForm {
                operation_id: prepared.operation_id.clone(),
            },
        })
        .await
        .unwrap();
    confirm_with_totp(&app, &mut admin, &prepared)
        .await
        .unwrap();
}

#[tokio::test]
async fn cancelling_voids_the_operation() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let prepared = prepare_lucas(&app, &mut admin).await;
    let () = admin
        .call(CancelOperation {
            form: OperationForm {
                operation_id: prepared.operation_id.clone(),
            },
        })
        .await
        .unwrap();
    refused(confirm_with_totp(&app, &mut admin, &prepared).await, 409);
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM users").await, 6);
}

#[tokio::test]
async fn two_administrators_adding_the_same_person_at_once_get_one_user_and_one_clear_conflict() {
    let app = spawn_app().await;
    app.execute("UPDATE users SET is_administrator = 1 WHERE login_id = '1000000002'")
        .await;
    let mut sophie = app.sign_in_admin().await;
    let mut julien = app.sign_in(&app::backend::demo::JULIEN_BERNARD).await;
    let first = prepare_lucas(&app, &mut sophie).await;
    let second = prepare_profile(
        &app,
        &mut julien,
        "MOREAU",
        "lucas.moreau@atelier-lumiere.fr",
        Profile::Dirigeant,
    )
    .await;
    let sophie_code = app
        .fresh_code(SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id)
        .await;
    let julien_code = app
        .fresh_code(
            app::backend::demo::JULIEN_BERNARD.totp_secret,
            app::backend::demo::JULIEN_BERNARD.login_id,
        )
        .await;
    let (a, b) = tokio::join!(
        confirm_with(
            &mut sophie,
            &first.operation_id,
            &first.digest,
            ScaProof::Totp { code: sophie_code }
        ),
        confirm_with(
            &mut julien,
            &second.operation_id,
            &second.digest,
            ScaProof::Totp { code: julien_code }
        ),
    );
    let (winner, loser) = match (a, b) {
        (Ok(done), Err(failure)) | (Err(failure), Ok(done)) => (done, failure),
        other => panic!("expected one success and one conflict: {other:?}"),
    };
    assert_eq!(loser.status, 409);
    assert!(loser
        .error
        .unwrap()
        .to_string()
        .contains("devenue utilisatrice entre-temps"));
    assert_eq!(app.scalar_i64("SELECT COUNT(*) FROM users").await, 7);
    // The winner's rights only, never a mix of both.
    let rights = app
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights WHERE user_id = {} AND level = 'gestion'",
            winner.user_id
        ))
        .await;
    assert!(rights == 0 || rights == 14, "{rights}");
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'utilisateur_ajoute'")
            .await,
        1
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM outbox WHERE subject NOT LIKE 'Administration%'")
            .await,
        2,
        "the new user's credentials, once"
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM outbox WHERE subject LIKE 'Administration%'")
            .await,
        2,
        "the two other administrators are told of the addition, once"
    );
}
