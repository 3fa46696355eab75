//! « Espace conseiller »: advisors' sign-in, portfolio isolation, registering a person who is
//! then offered to the administrator, unblocking a user; each action signed with a code.

use crate::helpers::{fresh_advisor_code, refused, spawn_app, TestApp};
use app::api::advisor::{
    AdvisorEntity, AdvisorJournal, AdvisorLogin, AdvisorNameAdministrator,
    AdvisorNamePersonAdministrator, AdvisorPerson, AdvisorPortfolio, AdvisorResetAccess,
    AdvisorSession, AdvisorUnblock, CorrectPerson, RegisterPerson, WithdrawPerson,
};
use app::api::types::{
    Administration, AdvisorSignInForm, AdvisorUserForm, Candidates, CorrectPersonForm,
    NamePersonAdministratorForm, RegisterPersonForm, UserState, WithdrawPersonForm,
};
use app::api::users::AddUserCandidates;
use app::api::ApiError;
use app::backend::demo::{
    CLAIRE_DUBOIS, DEMO_PASSWORD, JULIEN_BERNARD, KARIM_BENALI, SOPHIE_MARTIN,
};

async fn entity_id(app: &TestApp, siren: &str) -> i64 {
    app.scalar_i64(&format!("SELECT id FROM entities WHERE siren = '{siren}'"))
        .await
}

fn person(entity: i64, code: String) -> RegisterPersonForm {
    RegisterPersonForm {
        entity,
        last_name: "ROCHE".into(),
        first_name: "Inès".into(),
        birth_date: "1992-11-03".into(),
        phone: "06 11 22 33 44".into(),
        email: String::new(),
        code,
    }
}

#[tokio::test]
async fn an_advisor_signs_in_with_password_and_code_and_a_user_session_is_no_advisors() {
    let app = spawn_app().await;
    let mut anyone = app.client();
    let wrong = anyone
        .call(AdvisorLogin {
            form: AdvisorSignInForm {
                login_id: CLAIRE_DUBOIS.login_id.into(),
                password: "pas le bon mot de passe".into(),
                code: fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await,
            },
        })
        .await;
    assert_eq!(refused(wrong, 401).error, Some(ApiError::LoginFailed));
    let wrong_code = anyone
        .call(AdvisorLogin {
            form: AdvisorSignInForm {
                login_id: CLAIRE_DUBOIS.login_id.into(),
                password: DEMO_PASSWORD.into(),
                code: "000000".into(),
            },
        })
        .await;
    assert!(matches!(
        wrong_code.unwrap_err().error,
        Some(ApiError::ScaFailed { remaining: 4 })
    ));
    assert_eq!(anyone.call(AdvisorSession {}).await.unwrap(), None);

    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    let info = claire.call(AdvisorSession {}).await.unwrap().unwrap();
    assert_eq!(info.name, "Mme Claire DUBOIS");
    assert_eq!(
        app.scalar_i64("SELECT failed_sca_count FROM advisors WHERE login_id = 'claire.dubois'")
            .await,
        0,
        "a success restarts the count"
    );
    // The advisor's session opens nothing of a user's, and a user's nothing of an advisor's.
    let users = claire.call(AddUserCandidates {}).await;
    assert_eq!(refused(users, 401).error, Some(ApiError::Unauthenticated));
    let mut julien = app.sign_in(&JULIEN_BERNARD).await;
    let portfolio = julien.call(AdvisorPortfolio {}).await;
    assert_eq!(
        refused(portfolio, 401).error,
        Some(ApiError::Unauthenticated)
    );
}

#[tokio::test]
async fn an_advisor_sees_only_the_entities_of_their_portfolio() {
    let app = spawn_app().await;
    let atelier = entity_id(&app, "812345676").await;
    let jardins = entity_id(&app, "775618432").await;
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    let portfolio = claire.call(AdvisorPortfolio {}).await.unwrap();
    let names: Vec<&str> = portfolio.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Atelier Lumière SAS"]);
    assert_eq!(portfolio[0].administrators, 2);

    let view = claire
        .call(AdvisorEntity { entity_id: atelier })
        .await
        .unwrap();
    assert!(view.users.iter().any(|u| u.name == "Sophie MARTIN"));
    assert_eq!(view.persons.len(), 2);
    // Karim's entity answers exactly like a missing one, for reading and for acting.
    let theirs = refused(claire.call(AdvisorEntity { entity_id: jardins }).await, 404);
    let missing = refused(claire.call(AdvisorEntity { entity_id: 999_999 }).await, 404);
    assert_eq!(theirs.body, missing.body);
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let persons = app.scalar_i64("SELECT COUNT(*) FROM persons").await;
    refused(
        claire
            .call(RegisterPerson {
                form: person(jardins, code),
            })
            .await,
        404,
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM persons").await,
        persons
    );

    let mut karim = app.sign_in_advisor(&KARIM_BENALI).await;
    let theirs = karim.call(AdvisorPortfolio {}).await.unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].id, jardins);
}

#[tokio::test]
async fn a_person_registered_by_the_advisor_is_offered_to_the_administrator_and_they_are_told() {
    let app = spawn_app().await;
    let atelier = entity_id(&app, "812345676").await;
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;

    // Bad values: each said on its field, nothing written, no code spent.
    let mut bad = person(atelier, "000000".into());
    bad.birth_date = "1992-02-30".into();
    bad.phone = "01 23 45 67 89".into();
    let failure = refused(claire.call(RegisterPerson { form: bad }).await, 422);
    assert_eq!(
        failure.error.as_ref().and_then(ApiError::field),
        Some("birth_date")
    );
    let mut bad = person(atelier, "000000".into());
    bad.phone = "01 23 45 67 89".into();
    let failure = refused(claire.call(RegisterPerson { form: bad }).await, 422);
    assert_eq!(
        failure.error.as_ref().and_then(ApiError::field),
        Some("phone")
    );
    let mut bad = person(atelier, "000000".into());
    bad.last_name = "RO\u{7}CHE".into();
    let failure = refused(claire.call(RegisterPerson { form: bad }).await, 422);
    assert_eq!(
        failure.error.as_ref().and_then(ApiError::field),
        Some("last_name")
    );
    // A wrong code: refused, nothing written.
    let persons = app.scalar_i64("SELECT COUNT(*) FROM persons").await;
    let wrong = claire
        .call(RegisterPerson {
            form: person(atelier, "000000".into()),
        })
        .await;
    assert!(matches!(
        wrong.unwrap_err().error,
        Some(ApiError::ScaFailed { .. })
    ));
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM persons").await,
        persons
    );

    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire
        .call(RegisterPerson {
            form: person(atelier, code),
        })
        .await
        .unwrap();
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM persons WHERE phone = '+33611223344'")
            .await,
        1,
        "the phone is kept in E.164"
    );
    let mut sophie = app.sign_in_admin().await;
    let candidates: Candidates = sophie.call(AddUserCandidates {}).await.unwrap();
    let names: Vec<String> = candidates.persons.iter().map(|p| p.full_name()).collect();
    assert_eq!(names, ["Emma GIRARD", "Lucas MOREAU", "Inès ROCHE"]);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'personne_enregistree' \
             AND entity_id = {atelier} AND actor_user_id IS NULL \
             AND details LIKE '%Claire DUBOIS%'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar_i64(
            "SELECT COUNT(*) FROM outbox WHERE subject = 'Votre conseiller a enregistré Inès ROCHE'"
        )
        .await,
        2,
        "both active administrators are told"
    );
}

#[tokio::test]
async fn an_advisor_unblocks_a_blocked_user_of_their_portfolio() {
    let app = spawn_app().await;
    let atelier = entity_id(&app, "812345676").await;
    let julien = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let not_blocked = claire
        .call(AdvisorUnblock {
            form: AdvisorUserForm {
                entity: atelier,
                user: julien,
                version: 1,
                code,
            },
        })
        .await;
    refused(not_blocked, 409);

    app.execute(&format!(
        "UPDATE users SET state = 'blocked', failed_sca_count = 5 WHERE id = {julien}"
    ))
    .await;
    let view = claire
        .call(AdvisorEntity { entity_id: atelier })
        .await
        .unwrap();
    let line = view.users.iter().find(|u| u.id == julien).unwrap().clone();
    assert_eq!(line.state, UserState::Blocked);
    let portfolio = claire.call(AdvisorPortfolio {}).await.unwrap();
    assert_eq!(portfolio[0].blocked, 1);

    // Prepared on an older version: someone changed the user meanwhile.
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let stale = claire
        .call(AdvisorUnblock {
            form: AdvisorUserForm {
                entity: atelier,
                user: julien,
                version: line.version - 1,
                code,
            },
        })
        .await;
    refused(stale, 409);
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire
        .call(AdvisorUnblock {
            form: AdvisorUserForm {
                entity: atelier,
                user: julien,
                version: line.version,
                code,
            },
        })
        .await
        .unwrap();
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {julien} AND state = 'active' \
             AND failed_sca_count = 0"
        ))
        .await,
        1
    );
    // Julien signs in again.
    app.sign_in(&JULIEN_BERNARD).await;
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'utilisateur_debloque' \
             AND entity_id = {atelier} AND details LIKE '%\"conseiller\"%'"
        ))
        .await,
        1
    );
}

/// An administrator locked out of their own access (no other administrator can reset it): the
/// advisor resets it; the credentials go to the user alone, the old ones stop working.
#[tokio::test]
async fn an_advisor_resets_a_users_access_and_only_the_user_receives_the_credentials() {
    let app = spawn_app().await;
    let atelier = entity_id(&app, "812345676").await;
    let sophie_id = app.user_id(SOPHIE_MARTIN.login_id).await;
    let mut sophie = app.sign_in(&SOPHIE_MARTIN).await;
    let version = app
        .scalar_i64(&format!("SELECT version FROM users WHERE id = {sophie_id}"))
        .await;
    let reset = |entity: i64, version: i64, code: String| AdvisorResetAccess {
        form: AdvisorUserForm {
            entity,
            user: sophie_id,
            version,
            code,
        },
    };
    // Karim's portfolio does not hold Atelier Lumière: it answers like a missing one.
    let mut karim = app.sign_in_advisor(&KARIM_BENALI).await;
    let code = fresh_advisor_code(&app.db, &KARIM_BENALI).await;
    refused(karim.call(reset(atelier, version, code)).await, 404);
    // A wrong code changes nothing.
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    refused(
        claire.call(reset(atelier, version, "000000".into())).await,
        401,
    );
    // An older version: someone changed the user meanwhile.
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    refused(claire.call(reset(atelier, version - 1, code)).await, 409);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {sophie_id} AND state = 'active' \
             AND password_hash IS NOT NULL"
        ))
        .await,
        1,
        "nothing changed"
    );

    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire.call(reset(atelier, version, code)).await.unwrap();
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {sophie_id} \
             AND state = 'awaiting_first_login' AND password_hash IS NULL \
             AND totp_secret IS NULL AND is_administrator = 1"
        ))
        .await,
        1,
        "new credentials, still the administrator"
    );
    refused(sophie.call(app::api::session::Home {}).await, 401);

    // Sophie's e-mail (written as from her advisor) and SMS; Thomas, the other administrator,
    // is told.
    let messages = crate::journey::wait_for_local_messages(&app, 3).await;
    let mail = messages
        .iter()
        .find(|m| m.channel == "email" && m.subject.contains("Votre accès"))
        .expect("Sophie's e-mail");
    assert!(mail.body.contains("Mme Claire DUBOIS, votre conseiller"));
    let sms = messages
        .iter()
        .find(|m| m.channel == "sms")
        .expect("an SMS");
    let (login_id, temporary) =
        crate::journey::credentials_from(&messages, &mail.recipient, &sms.recipient);
    assert_eq!(login_id, SOPHIE_MARTIN.login_id);
    assert!(!mail.body.contains(&temporary), "never in the same channel");
    assert!(messages
        .iter()
        .any(|m| m.channel == "email" && m.subject.contains("a réinitialisé l’accès de Sophie")));
    let stage: app::api::types::Stage = app
        .client()
        .call(app::api::session::Login {
            form: app::api::types::SignInForm {
                login_id,
                password: temporary,
            },
        })
        .await
        .unwrap();
    assert_eq!(stage, app::api::types::Stage::NewPassword);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'acces_reinitialise' \
             AND entity_id = {atelier} AND actor_user_id IS NULL \
             AND details LIKE '%Claire DUBOIS%'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn five_wrong_codes_block_the_advisor_and_end_their_sessions() {
    let app = spawn_app().await;
    let atelier = entity_id(&app, "812345676").await;
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    for remaining in (1..=4).rev() {
        let answer = claire
            .call(RegisterPerson {
                form: person(atelier, "000000".into()),
            })
            .await;
        assert_eq!(
            answer.unwrap_err().error,
            Some(ApiError::ScaFailed { remaining })
        );
    }
    let last = claire
        .call(RegisterPerson {
            form: person(atelier, "000000".into()),
        })
        .await;
    assert_eq!(last.unwrap_err().error, Some(ApiError::Blocked));
    assert_eq!(claire.call(AdvisorSession {}).await.unwrap(), None);
    // Even the right code no longer opens the account.
    let mut again = app.client();
    let answer = again
        .call(AdvisorLogin {
            form: AdvisorSignInForm {
                login_id: CLAIRE_DUBOIS.login_id.into(),
                password: DEMO_PASSWORD.into(),
                code: fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await,
            },
        })
        .await;
    assert_eq!(answer.unwrap_err().error, Some(ApiError::Blocked));
}

#[tokio::test]
async fn the_create_advisor_command_gives_an_imported_advisor_access() {
    let app = spawn_app().await;
    let run = |args: &[&str]| {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let database_url = app.state.config.database_url.clone();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
                .args(args)
                .env("DATABASE_URL", database_url)
                .env("HABILIS_SECRET_KEY", "2a".repeat(32))
                .output()
                .await
                .unwrap()
        }
    };
    let unknown = run(&["create-advisor", "CONS-9999", "personne.inconnue"]).await;
    assert_eq!(unknown.status.code(), Some(1));
    let created = run(&["create-advisor", KARIM_BENALI.reference, "k.benali"]).await;
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let out = String::from_utf8_lossy(&created.stdout).to_string();
    let value = |prefix: &str| {
        out.lines()
            .find_map(|line| line.strip_prefix(prefix))
            .unwrap()
            .trim()
            .to_string()
    };
    let password = value("mot de passe :");
    let secret = value("clé de l’application d’authentification :");
    let code = app::backend::totp::code_at_step(
        &app::backend::totp::base32_decode(&secret).unwrap(),
        app::backend::totp::step_at(app::backend::store::now()),
    );
    let mut karim = app.client();
    karim
        .call(AdvisorLogin {
            form: AdvisorSignInForm {
                login_id: "k.benali".into(),
                password,
                code,
            },
        })
        .await
        .unwrap();
    assert_eq!(karim.call(AdvisorPortfolio {}).await.unwrap().len(), 1);
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'acces_conseiller'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_advisor_names_an_administrator_only_when_the_entity_has_none_left() {
    let app = spawn_app().await;
    let atelier = entity_id(&app, "812345676").await;
    let julien = app.user_id(JULIEN_BERNARD.login_id).await;
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    let name = |version: i64, code: String| AdvisorNameAdministrator {
        form: AdvisorUserForm {
            entity: atelier,
            user: julien,
            version,
            code,
        },
    };
    let version = app
        .scalar_i64(&format!("SELECT version FROM users WHERE id = {julien}"))
        .await;
    // Sophie and Thomas administer it: not the advisor's call.
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    refused(claire.call(name(version, code)).await, 409);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT is_administrator FROM users WHERE id = {julien}"
        ))
        .await,
        0
    );

    // Both administrators gone (one suspended, one blocked): nobody can administer it.
    app.execute("UPDATE users SET state = 'suspended' WHERE login_id = '1000000001'")
        .await;
    app.execute("UPDATE users SET state = 'blocked' WHERE login_id = '1000000004'")
        .await;
    // Julien's mobile is the one an advisor typed when registering him (the demo's persons):
    // named, his access could be reset to the advisor's phone. Refused.
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let failure = refused(claire.call(name(version, code)).await, 409);
    assert!(failure.message().contains("systèmes de la banque"));
    // Once the bank's import has sent his contacts, he can be named.
    app.execute(&format!(
        "UPDATE persons SET contacts_from_bank = 1 WHERE id = \
         (SELECT person_id FROM users WHERE id = {julien})"
    ))
    .await;
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire.call(name(version, code)).await.unwrap();
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {julien} AND is_administrator = 1 \
             AND version = {}",
            version + 1
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar_i64(
            "SELECT COUNT(*) FROM outbox WHERE subject = 'Vous êtes administrateur de votre entité'"
        )
        .await,
        1,
        "the new administrator is told"
    );
    // So are the administrators on record, suspended and blocked: a naming nobody at the
    // entity asked for does not go unnoticed.
    let told: Vec<String> = sqlx::query_scalar(
        "SELECT u.login_id FROM outbox o JOIN users u ON u.email = o.recipient \
         WHERE o.subject = 'Votre conseiller a nommé Julien BERNARD administrateur' ORDER BY u.login_id",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    assert_eq!(told, ["1000000001", "1000000004"]);
    // Now Julien administers it: a second naming is refused.
    let nadia = app.user_id("1000000003").await;
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let second = claire
        .call(AdvisorNameAdministrator {
            form: AdvisorUserForm {
                entity: atelier,
                user: nadia,
                version: 1,
                code,
            },
        })
        .await;
    refused(second, 409);
    // Julien reaches « Gestion des utilisateurs ».
    let mut julien_client = app.sign_in(&JULIEN_BERNARD).await;
    julien_client.call(AddUserCandidates {}).await.unwrap();

    // The entity's journal, read by its advisor, names her as the author.
    let journal = claire
        .call(AdvisorJournal {
            entity_id: atelier,
            search: Default::default(),
        })
        .await
        .unwrap();
    let named = journal
        .entries
        .iter()
        .find(|e| e.kind == "Administrateur nommé par le conseiller")
        .unwrap();
    assert_eq!(named.author.as_deref(), Some("Mme Claire DUBOIS"));
    assert_eq!(named.concerned.as_deref(), Some("Julien BERNARD"));
    let jardins = entity_id(&app, "775618432").await;
    refused(
        claire
            .call(AdvisorJournal {
                entity_id: jardins,
                search: Default::default(),
            })
            .await,
        404,
    );
}

#[tokio::test]
async fn the_advisor_corrects_then_withdraws_a_person_not_yet_a_user() {
    let app = spawn_app().await;
    let atelier = entity_id(&app, "812345676").await;
    let lucas = crate::journey::person_id(&app, "MOREAU").await;
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    let shown = claire
        .call(AdvisorPerson {
            entity_id: atelier,
            person_id: lucas,
        })
        .await
        .unwrap();
    assert_eq!(shown.birth_date, "1992-07-08");
    let correction = |phone: &str, code: String| CorrectPerson {
        form: CorrectPersonForm {
            entity: atelier,
            person: lucas,
            last_name: shown.last_name.clone(),
            first_name: shown.first_name.clone(),
            birth_date: shown.birth_date.clone(),
            phone: phone.into(),
            email: shown.email.clone().unwrap_or_default(),
            code,
        },
    };
    // Nothing changed: said, no code spent.
    refused(
        claire.call(correction(&shown.phone, "000000".into())).await,
        409,
    );
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire
        .call(correction("07 99 88 77 66", code))
        .await
        .unwrap();
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM persons WHERE id = {lucas} AND phone = '+33799887766'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar_i64(
            "SELECT COUNT(*) FROM outbox WHERE subject = 'Votre conseiller a corrigé les données de Lucas MOREAU'"
        )
        .await,
        2
    );

    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire
        .call(WithdrawPerson {
            form: WithdrawPersonForm {
                entity: atelier,
                person: lucas,
                code,
            },
        })
        .await
        .unwrap();
    let mut sophie = app.sign_in_admin().await;
    let candidates: Candidates = sophie.call(AddUserCandidates {}).await.unwrap();
    let names: Vec<String> = candidates.persons.iter().map(|p| p.full_name()).collect();
    assert_eq!(names, ["Emma GIRARD"]);
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'personne_retiree'")
            .await,
        1
    );
    // A user's person is neither corrected nor withdrawn here: like a missing one.
    let sophie_person = app
        .scalar_i64("SELECT person_id FROM users WHERE login_id = '1000000001'")
        .await;
    refused(
        claire
            .call(AdvisorPerson {
                entity_id: atelier,
                person_id: sophie_person,
            })
            .await,
        404,
    );
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    refused(
        claire
            .call(WithdrawPerson {
                form: WithdrawPersonForm {
                    entity: atelier,
                    person: sophie_person,
                    code,
                },
            })
            .await,
        404,
    );
    // Another advisor's person: like a missing one.
    let faure = crate::journey::person_id(&app, "FAURE").await;
    refused(
        claire
            .call(AdvisorPerson {
                entity_id: entity_id(&app, "775618432").await,
                person_id: faure,
            })
            .await,
        404,
    );
}

/// The lines of a new entity of Claire's portfolio, as the bank's import sends it: one account,
/// two persons, no user at all.
fn dupain_lines() -> Vec<serde_json::Value> {
    vec![
        serde_json::json!({"type": "entite", "siren": "552100554", "nom": "Boulangerie Dupain SARL",
               "forme": "entreprise", "conseiller": CLAIRE_DUBOIS.reference}),
        serde_json::json!({"type": "compte", "entite": "552100554",
               "iban": "FR7630004000031234567890143", "libelle": "Compte courant", "devise": "EUR"}),
        serde_json::json!({"type": "personne", "reference": "PERS-1", "entite": "552100554",
               "nom": "DUPAIN", "prenom": "Jeanne", "date_naissance": "1979-05-17",
               "telephone": "+33611223344", "email": "jeanne@dupain.example"}),
        serde_json::json!({"type": "personne", "reference": "PERS-2", "entite": "552100554",
               "nom": "DUPAIN", "prenom": "Marc", "date_naissance": "1981-02-11",
               "telephone": "+33611223355", "email": "marc@dupain.example"}),
    ]
}

/// Sends lines to the bank's import API with a new service token of that name.
async fn post_import(app: &TestApp, token_name: &str, lines: &[serde_json::Value]) {
    let token = app::backend::flows::import::create_token(
        &app.db,
        &app.state.secrets,
        token_name,
        &app::backend::flows::import::Scope::ALL,
    )
    .await
    .unwrap()
    .unwrap();
    let body: Vec<String> = lines.iter().map(ToString::to_string).collect();
    let response = reqwest::Client::new()
        .post(format!("http://{}/banque/v1/import", app.addr))
        .header("content-type", "application/x-ndjson")
        .bearer_auth(token)
        .body(body.join("\n"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

/// A new entity of Claire's portfolio, from the bank's import: one account, two persons, no
/// user at all.
async fn import_entity_without_users(app: &TestApp) -> i64 {
    post_import(app, "coeur-bancaire", &dupain_lines()).await;
    entity_id(app, "552100554").await
}

/// A registered person's id, by first name, in an entity.
async fn person_named(app: &TestApp, entity: i64, first_name: &str) -> i64 {
    app.scalar_i64(&format!(
        "SELECT id FROM persons WHERE entity_id = {entity} AND first_name = '{first_name}'"
    ))
    .await
}

fn name_person(
    entity: i64,
    person: i64,
    email: &str,
    code: String,
) -> AdvisorNamePersonAdministrator {
    AdvisorNamePersonAdministrator {
        form: NamePersonAdministratorForm {
            entity,
            person,
            email: email.into(),
            code,
        },
    }
}

#[tokio::test]
async fn the_advisor_names_the_first_administrator_of_an_entity_without_users() {
    let app = spawn_app().await;
    let dupain = import_entity_without_users(&app).await;
    let jeanne = app
        .scalar_i64(&format!(
            "SELECT id FROM persons WHERE entity_id = {dupain} AND first_name = 'Jeanne'"
        ))
        .await;
    let marc = app
        .scalar_i64(&format!(
            "SELECT id FROM persons WHERE entity_id = {dupain} AND first_name = 'Marc'"
        ))
        .await;
    let name = |person: i64, email: &str, code: String| AdvisorNamePersonAdministrator {
        form: NamePersonAdministratorForm {
            entity: dupain,
            person,
            email: email.into(),
            code,
        },
    };
    let users_of_dupain = format!("SELECT COUNT(*) FROM users WHERE entity_id = {dupain}");

    // Karim's portfolio does not hold it: like a missing entity.
    let mut karim = app.sign_in_advisor(&KARIM_BENALI).await;
    let code = fresh_advisor_code(&app.db, &KARIM_BENALI).await;
    refused(
        karim
            .call(name(jeanne, "jeanne@dupain.example", code))
            .await,
        404,
    );
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    // The person's page offers the naming: nobody administers the entity.
    let page = claire
        .call(AdvisorPerson {
            entity_id: dupain,
            person_id: jeanne,
        })
        .await
        .unwrap();
    assert_eq!(page.administration, Administration::Nobody);
    assert!(page.contacts_from_bank, "the bank's import sent them");
    // Bad input, in French, changes nothing: no e-mail, a wrong code, another e-mail than the
    // one the bank registered.
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let failure = refused(claire.call(name(jeanne, "", code)).await, 422);
    assert_eq!(failure.field(), Some("email"));
    refused(
        claire
            .call(name(jeanne, "jeanne@dupain.example", "000000".into()))
            .await,
        401,
    );
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let failure = refused(
        claire.call(name(marc, "autre@dupain.example", code)).await,
        422,
    );
    assert!(
        failure.message().contains("Corriger"),
        "{}",
        failure.message()
    );
    assert_eq!(app.scalar_i64(&users_of_dupain).await, 0, "nothing changed");

    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire
        .call(name(jeanne, "jeanne@dupain.example", code))
        .await
        .unwrap();
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE entity_id = {dupain} AND person_id = {jeanne} \
             AND is_administrator = 1 AND state = 'awaiting_first_login' AND created_by IS NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM user_rights r JOIN users u ON u.id = r.user_id \
             WHERE u.entity_id = {dupain}"
        ))
        .await,
        0,
        "the administration right only: she gives the rights"
    );
    // The same person twice (a second click): she is a user already, and the answer says so.
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let failure = refused(
        claire
            .call(name(jeanne, "jeanne@dupain.example", code))
            .await,
        409,
    );
    assert!(failure.message().contains("déjà utilisatrice"));
    // Nobody else is named while she has not made her first login: her access is what the
    // advisor resets if her credentials went astray.
    let view = claire
        .call(AdvisorEntity { entity_id: dupain })
        .await
        .unwrap();
    assert_eq!(view.administration, Administration::AwaitingFirstLogin);
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let failure = refused(
        claire.call(name(marc, "marc@dupain.example", code)).await,
        409,
    );
    assert!(
        failure.message().contains("première connexion"),
        "{}",
        failure.message()
    );
    assert_eq!(app.scalar_i64(&users_of_dupain).await, 1);

    // Her credentials: the login id by e-mail, from her advisor, and the password by SMS.
    let messages = crate::journey::wait_for_local_messages(&app, 2).await;
    let mail = messages
        .iter()
        .find(|m| m.channel == "email" && m.recipient == "jeanne@dupain.example")
        .expect("Jeanne's e-mail");
    assert!(mail.body.contains(
        "Mme Claire DUBOIS, votre conseiller pour l’espace de banque en ligne de Boulangerie Dupain SARL, vous a ouvert un accès. Vous en êtes l’administrateur"
    ));
    let (login_id, temporary) =
        crate::journey::credentials_from(&messages, "jeanne@dupain.example", "+33611223344");
    assert!(!mail.body.contains(&temporary), "never in the same channel");
    let stage: app::api::types::Stage = app
        .client()
        .call(app::api::session::Login {
            form: app::api::types::SignInForm {
                login_id,
                password: temporary,
            },
        })
        .await
        .unwrap();
    assert_eq!(stage, app::api::types::Stage::NewPassword);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM persons WHERE id = {jeanne} AND email = 'jeanne@dupain.example'"
        ))
        .await,
        1,
        "the e-mail she is reached at is kept"
    );

    // The journal names the advisor as the author and Jeanne as the one concerned.
    let journal = claire
        .call(AdvisorJournal {
            entity_id: dupain,
            search: Default::default(),
        })
        .await
        .unwrap();
    let named = journal
        .entries
        .iter()
        .find(|e| e.kind == "Administrateur nommé par le conseiller")
        .expect("the naming in the journal");
    assert_eq!(named.author.as_deref(), Some("Mme Claire DUBOIS"));
    assert_eq!(named.concerned.as_deref(), Some("Jeanne DUPAIN"));
}

#[tokio::test]
async fn an_entity_with_an_administrator_is_not_the_advisors_to_staff() {
    let app = spawn_app().await;
    let atelier = entity_id(&app, "812345676").await;
    let person = crate::journey::person_id(&app, "MOREAU").await;
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    let page = claire
        .call(AdvisorPerson {
            entity_id: atelier,
            person_id: person,
        })
        .await
        .unwrap();
    assert_eq!(page.administration, Administration::Acting);
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let failure = refused(
        claire
            .call(AdvisorNamePersonAdministrator {
                form: NamePersonAdministratorForm {
                    entity: atelier,
                    person,
                    email: "lucas.moreau@atelier-lumiere.fr".into(),
                    code,
                },
            })
            .await,
        409,
    );
    assert!(failure.message().contains("c’est à lui d’ajouter"));
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE person_id = {person}"
        ))
        .await,
        0
    );
}

#[tokio::test]
async fn only_a_person_whose_contacts_the_bank_sent_can_be_named_administrator() {
    let app = spawn_app().await;
    let dupain = import_entity_without_users(&app).await;
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    let users_of_dupain = format!("SELECT COUNT(*) FROM users WHERE entity_id = {dupain}");

    // A person the advisor registers herself: her mobile is the advisor's word.
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire
        .call(RegisterPerson {
            form: person(dupain, code),
        })
        .await
        .unwrap();
    let ines = person_named(&app, dupain, "Inès").await;
    let page = claire
        .call(AdvisorPerson {
            entity_id: dupain,
            person_id: ines,
        })
        .await
        .unwrap();
    assert!(!page.contacts_from_bank);
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    let failure = refused(
        claire
            .call(name_person(dupain, ines, "ines@dupain.example", code))
            .await,
        409,
    );
    assert!(
        failure.message().contains("systèmes de la banque"),
        "{}",
        failure.message()
    );

    // An imported person whose mobile an advisor corrected: no longer the bank's.
    let marc = person_named(&app, dupain, "Marc").await;
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire
        .call(CorrectPerson {
            form: CorrectPersonForm {
                entity: dupain,
                person: marc,
                last_name: "DUPAIN".into(),
                first_name: "Marc".into(),
                birth_date: "1981-02-11".into(),
                phone: "07 00 00 00 01".into(),
                email: "marc@dupain.example".into(),
                code,
            },
        })
        .await
        .unwrap();
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    refused(
        claire
            .call(name_person(dupain, marc, "marc@dupain.example", code))
            .await,
        409,
    );
    assert_eq!(app.scalar_i64(&users_of_dupain).await, 0, "nothing changed");

    // A person the bank sent without an e-mail: the advisor would type the address where the
    // login id goes. Refused.
    post_import(
        &app,
        "coeur-bancaire-sans-email",
        &[
            serde_json::json!({"type": "personne", "reference": "PERS-4", "entite": "552100554",
            "nom": "DUPAIN", "prenom": "Luc", "date_naissance": "1985-09-01",
            "telephone": "+33611223366"}),
        ],
    )
    .await;
    let luc = person_named(&app, dupain, "Luc").await;
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    refused(
        claire
            .call(name_person(dupain, luc, "luc@advisor.example", code))
            .await,
        409,
    );

    // The bank's next import sends his own mobile again: his contacts are the bank's. A person
    // whose mark was cleared (registered before migration 0014) is confirmed by the same
    // file, unchanged otherwise.
    let jeanne = person_named(&app, dupain, "Jeanne").await;
    app.execute(&format!(
        "UPDATE persons SET contacts_from_bank = 0 WHERE id = {jeanne}"
    ))
    .await;
    post_import(&app, "coeur-bancaire-2", &dupain_lines()).await;
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT contacts_from_bank FROM persons WHERE id = {jeanne}"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT contacts_from_bank FROM persons WHERE id = {marc} AND phone = '+33611223355'"
        ))
        .await,
        1
    );
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire
        .call(name_person(dupain, marc, "marc@dupain.example", code))
        .await
        .unwrap();
    let messages = crate::journey::wait_for_local_messages(&app, 2).await;
    assert!(
        messages
            .iter()
            .any(|m| m.channel == "sms" && m.recipient == "+33611223355"),
        "the temporary password goes to the bank's mobile"
    );
    assert!(!messages.iter().any(|m| m.recipient == "+33700000001"));
}

#[tokio::test]
async fn a_person_of_a_group_named_administrator_keeps_their_login() {
    let app = spawn_app().await;
    // Sophie, administrator of Atelier Lumière, is also the bank's person for Dupain.
    let mut lines = dupain_lines();
    lines.push(
        serde_json::json!({"type": "personne", "reference": "PERS-3",
        "entite": "552100554", "nom": "MARTIN", "prenom": "Sophie",
        "date_naissance": "1978-05-21", "telephone": "+33612345601",
        "email": "sophie.martin@atelier-lumiere.fr"}),
    );
    post_import(&app, "coeur-bancaire", &lines).await;
    let dupain = entity_id(&app, "552100554").await;
    let sophie_person = person_named(&app, dupain, "Sophie").await;
    let mut claire = app.sign_in_advisor(&CLAIRE_DUBOIS).await;
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    claire
        .call(name_person(
            dupain,
            sophie_person,
            "sophie.martin@atelier-lumiere.fr",
            code,
        ))
        .await
        .unwrap();
    let sophie = app.user_id(SOPHIE_MARTIN.login_id).await;
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE entity_id = {dupain} AND login_user_id = {sophie} \
             AND is_administrator = 1 AND state = 'active'"
        ))
        .await,
        1,
        "her row of Dupain signs in with her login"
    );
    // No new credentials: an e-mail tells her, no SMS, no temporary password.
    let messages = crate::journey::wait_for_local_messages(&app, 1).await;
    assert!(messages.iter().any(|m| m.channel == "email"
        && m.recipient == "sophie.martin@atelier-lumiere.fr"
        && m.subject.contains("Nouvel accès")));
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM outbox WHERE entity_id = {dupain} AND channel = 'sms'"
        ))
        .await,
        0
    );
    // She can act at once: the entity is administered, nobody else is named.
    let view = claire
        .call(AdvisorEntity { entity_id: dupain })
        .await
        .unwrap();
    assert_eq!(view.administration, Administration::Acting);
    let jeanne = person_named(&app, dupain, "Jeanne").await;
    let code = fresh_advisor_code(&app.db, &CLAIRE_DUBOIS).await;
    refused(
        claire
            .call(name_person(dupain, jeanne, "jeanne@dupain.example", code))
            .await,
        409,
    );
}
