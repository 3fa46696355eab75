//! Groups of entities: one person, user of two entities (here Nadia PETIT, of Atelier Lumière,
//! also registered by the bank for Jardins Partagés), signs in with one login id, one password
//! and one factor, chooses the entity, and sees each entity's rights only.

use crate::helpers::{fresh_advisor_code, refused, spawn_app, Client, TestApp};
use crate::journey::{catalog, confirm_with, prepare, wait_for_local_messages};
use app::api::advisor::RegisterPerson;
use app::api::operations::LoadOperation;
use app::api::session::{ConfirmIdentity, CurrentSession, Home, Login, MyEntities, SwitchEntity};
use app::api::types::{
    CodeForm, PreparedOperation, RegisterPersonForm, ScaProof, SignInForm, SwitchEntityForm,
    UserForm,
};
use app::api::users::{PrepareAccessReset, PrepareRemoval, PrepareSuspension};
use app::api::ApiError;
use app::backend::demo::{
    DemoUser, DEMO_PASSWORD, KARIM_BENALI, NADIA_PETIT, PAUL_LEFEVRE, SOPHIE_MARTIN,
};
use model::{Profile, RightsMethod};

struct Group {
    atelier: i64,
    jardins: i64,
    /// Nadia's row in Atelier Lumière: it holds her login.
    nadia: i64,
    /// Nadia's row in Jardins Partagés: it signs in through the other.
    nadia_in_jardins: i64,
}

async fn entity_of(app: &TestApp, login_id: &str) -> i64 {
    app.scalar_i64(&format!(
        "SELECT entity_id FROM users WHERE login_id = '{login_id}' AND login_user_id IS NULL"
    ))
    .await
}

/// Karim, Jardins Partagés' advisor, registers Nadia there (the same identity the bank holds
/// for her at Atelier Lumière); Paul, its administrator, adds her as a comptable.
async fn nadia_joins_jardins(app: &TestApp) -> Group {
    let atelier = entity_of(app, SOPHIE_MARTIN.login_id).await;
    let jardins = entity_of(app, PAUL_LEFEVRE.login_id).await;
    let nadia = app.user_id(NADIA_PETIT.login_id).await;
    let (birth_date, phone): (String, String) = sqlx::query_as(
        "SELECT p.birth_date, p.phone FROM persons p JOIN users u ON u.person_id = p.id \
         WHERE u.id = $1",
    )
    .bind(nadia)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    let mut karim = app.sign_in_advisor(&KARIM_BENALI).await;
    let code = fresh_advisor_code(&app.db, &KARIM_BENALI).await;
    karim
        .call(RegisterPerson {
            form: RegisterPersonForm {
                entity: jardins,
                last_name: "PETIT".into(),
                first_name: "Nadia".into(),
                birth_date,
                phone,
                email: String::new(),
                code,
            },
        })
        .await
        .expect("registered");
    let person = app
        .scalar_i64(&format!(
            "SELECT id FROM persons WHERE last_name = 'PETIT' AND entity_id = {jardins}"
        ))
        .await;

    let mut paul = app.sign_in(&PAUL_LEFEVRE).await;
    let rights = Profile::Comptable.rights(&catalog(&mut paul).await);
    let prepared = prepare(
        &mut paul,
        person,
        "nadia.petit@jardins-partages.org",
        RightsMethod::Profile(Profile::Comptable),
        &rights,
    )
    .await
    .expect("prepared");
    let done = sign(app, &mut paul, &PAUL_LEFEVRE, &prepared).await;
    assert!(done.existing_login, "she keeps her login");
    Group {
        atelier,
        jardins,
        nadia,
        nadia_in_jardins: done.user_id,
    }
}

async fn sign(
    app: &TestApp,
    admin: &mut Client,
    who: &DemoUser,
    prepared: &PreparedOperation,
) -> app::api::types::OperationDone {
    let code = app.fresh_code(who.totp_secret, who.login_id).await;
    confirm_with(
        admin,
        &prepared.operation_id,
        &prepared.digest,
        ScaProof::Totp { code },
    )
    .await
    .expect("applied")
}

/// Loads a prepared operation about a user and signs it.
async fn apply(app: &TestApp, admin: &mut Client, who: &DemoUser, operation_id: String) {
    let prepared = admin
        .call(LoadOperation { operation_id })
        .await
        .unwrap()
        .operation;
    sign(app, admin, who, &prepared).await;
}

/// The keys (`A12`, `C3`) of an entity's accounts and contracts.
async fn resources_of(app: &TestApp, entity: i64) -> Vec<String> {
    let accounts: Vec<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE entity_id = $1")
        .bind(entity)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    let contracts: Vec<i64> = sqlx::query_scalar("SELECT id FROM contracts WHERE entity_id = $1")
        .bind(entity)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    accounts
        .iter()
        .map(|id| format!("A{id}"))
        .chain(contracts.iter().map(|id| format!("C{id}")))
        .collect()
}

async fn sign_in_nadia(app: &TestApp) -> Client {
    app.sign_in(&NADIA_PETIT).await
}

#[tokio::test]
async fn a_person_in_two_entities_signs_in_once_and_sees_each_entitys_rights_only() {
    let app = spawn_app().await;
    let group = nadia_joins_jardins(&app).await;
    // One login: her Jardins row carries her login id and no credential of its own.
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {} AND login_id = '{}' \
             AND login_user_id = {} AND state = 'active' AND password_hash IS NULL \
             AND totp_secret IS NULL",
            group.nadia_in_jardins, NADIA_PETIT.login_id, group.nadia
        ))
        .await,
        1
    );
    // She is told by e-mail (after the advisor's notice to Paul); no new password by SMS.
    let messages = wait_for_local_messages(&app, 2).await;
    let mail = messages
        .iter()
        .find(|m| m.recipient == "nadia.petit@jardins-partages.org")
        .expect("an e-mail");
    assert!(mail.subject.starts_with("Nouvel accès"), "{}", mail.subject);
    assert!(mail.body.contains(NADIA_PETIT.login_id));
    assert!(!messages.iter().any(|m| m.channel == "sms"));

    // One sign-in, then the choice of the entity.
    let mut nadia = sign_in_nadia(&app).await;
    let info = nadia.call(CurrentSession {}).await.unwrap().unwrap();
    assert_eq!(info.entities, 2);
    let entities = nadia.call(MyEntities {}).await.unwrap();
    assert_eq!(entities.len(), 2);
    assert!(entities
        .iter()
        .any(|e| e.entity_id == group.atelier && e.is_current));

    let atelier_resources = resources_of(&app, group.atelier).await;
    let jardins_resources = resources_of(&app, group.jardins).await;
    let home = nadia.call(Home {}).await.unwrap();
    assert_eq!(home.entity.name, info.entity_name);
    assert!(!home.recap.lines.is_empty());
    assert!(home
        .recap
        .lines
        .iter()
        .all(|line| atelier_resources.contains(&line.resource.key())));

    nadia
        .call(SwitchEntity {
            form: SwitchEntityForm {
                entity: group.jardins,
            },
        })
        .await
        .expect("switched");
    // A passkey of her login (kept on her Atelier Lumière row): listed in Jardins Partagés too.
    app.execute(&format!(
        "INSERT INTO passkeys (entity_id, user_id, credential_id, passkey, label, created_at) \
         VALUES ({}, {}, 'nadia-key', '{{}}', 'Clé du bureau', 1764547200)",
        group.atelier, group.nadia
    ))
    .await;
    let home = nadia.call(Home {}).await.unwrap();
    assert_eq!(home.login_id, NADIA_PETIT.login_id);
    assert_eq!(home.first_name, "Nadia");
    assert_eq!(home.entity.name, "Association Les Jardins Partagés");
    assert_eq!(
        home.factors
            .passkeys
            .iter()
            .map(|key| (key.label.as_str(), key.created_on.as_str()))
            .collect::<Vec<_>>(),
        [("Clé du bureau", "01/12/2025")]
    );
    assert!(!home.recap.lines.is_empty());
    assert!(
        home.recap
            .lines
            .iter()
            .all(|line| jardins_resources.contains(&line.resource.key())),
        "Jardins Partagés' rights only"
    );
    // Her factor is her login's, read in Jardins Partagés too; a strong authentication there
    // checks it.
    assert!(home.factors.has_totp);
    let code = app
        .fresh_code(NADIA_PETIT.totp_secret, NADIA_PETIT.login_id)
        .await;
    nadia
        .call(ConfirmIdentity {
            form: CodeForm { code },
        })
        .await
        .expect("her code works in her second entity");
    // The entity's journal has her arrival, in Jardins Partagés only.
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'changement_d_entite' \
             AND entity_id = {} AND actor_user_id = {}",
            group.jardins, group.nadia_in_jardins
        ))
        .await,
        1
    );
    // An entity she is not a user of answers like a missing one.
    refused(
        nadia
            .call(SwitchEntity {
                form: SwitchEntityForm { entity: 999_999 },
            })
            .await,
        404,
    );

    // Named administrator there, she counts as one who can act (her factor is her login's).
    let paul_id = app.user_id(PAUL_LEFEVRE.login_id).await;
    let before = app::backend::store::users::other_active_administrators(
        app.db.pool(),
        group.jardins,
        paul_id,
    )
    .await
    .unwrap();
    app.execute(&format!(
        "UPDATE users SET is_administrator = 1 WHERE id = {}",
        group.nadia_in_jardins
    ))
    .await;
    assert_eq!(
        app::backend::store::users::other_active_administrators(
            app.db.pool(),
            group.jardins,
            paul_id
        )
        .await
        .unwrap(),
        before + 1
    );

    // Her access is reset where her login lives, not from her second entity.
    let mut paul = app.sign_in(&PAUL_LEFEVRE).await;
    let failure = refused(
        paul.call(PrepareAccessReset {
            form: UserForm {
                user_id: group.nadia_in_jardins,
            },
        })
        .await,
        409,
    );
    assert!(matches!(failure.error, Some(ApiError::Conflict(_))));
}

/// Suspended or removed in one entity, the person goes on in the other with the same login;
/// removed from both, the login is forgotten and nobody signs in with it.
#[tokio::test]
async fn each_entity_decides_for_itself_and_the_login_lives_while_one_uses_it() {
    let app = spawn_app().await;
    let group = nadia_joins_jardins(&app).await;
    let mut sophie = app.sign_in(&SOPHIE_MARTIN).await;
    let id = sophie
        .call(PrepareSuspension {
            form: UserForm {
                user_id: group.nadia,
            },
        })
        .await
        .unwrap();
    apply(&app, &mut sophie, &SOPHIE_MARTIN, id).await;

    // Suspended at Atelier Lumière: she signs in, straight into Jardins Partagés.
    let mut nadia = sign_in_nadia(&app).await;
    let info = nadia.call(CurrentSession {}).await.unwrap().unwrap();
    assert_eq!(info.entities, 1);
    let home = nadia.call(Home {}).await.unwrap();
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM entities WHERE id = {} AND name = '{}'",
            group.jardins,
            home.entity.name.replace('\'', "''")
        ))
        .await,
        1
    );
    refused(
        nadia
            .call(SwitchEntity {
                form: SwitchEntityForm {
                    entity: group.atelier,
                },
            })
            .await,
        404,
    );

    // Removed from Atelier Lumière: her login stays, for Jardins Partagés.
    let id = sophie
        .call(PrepareRemoval {
            form: UserForm {
                user_id: group.nadia,
            },
        })
        .await
        .unwrap();
    apply(&app, &mut sophie, &SOPHIE_MARTIN, id).await;
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {} AND state = 'removed' \
             AND password_hash IS NOT NULL",
            group.nadia
        ))
        .await,
        1
    );
    let mut nadia = sign_in_nadia(&app).await;
    nadia
        .call(Home {})
        .await
        .expect("still at Jardins Partagés");

    // Removed from Jardins Partagés too: the housekeeping forgets the login.
    let mut paul = app.sign_in(&PAUL_LEFEVRE).await;
    let id = paul
        .call(PrepareRemoval {
            form: UserForm {
                user_id: group.nadia_in_jardins,
            },
        })
        .await
        .unwrap();
    apply(&app, &mut paul, &PAUL_LEFEVRE, id).await;
    refused(nadia.call(Home {}).await, 401);
    let forgotten = app::backend::session::forget_unused_logins(&app.db)
        .await
        .unwrap();
    assert_eq!(forgotten, 1);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE id = {} AND password_hash IS NULL \
             AND totp_secret IS NULL",
            group.nadia
        ))
        .await,
        1
    );
    let failure = refused(
        app.client()
            .call(Login {
                form: SignInForm {
                    login_id: NADIA_PETIT.login_id.into(),
                    password: DEMO_PASSWORD.into(),
                },
            })
            .await,
        401,
    );
    assert_eq!(failure.error, Some(ApiError::LoginFailed));
}

/// On PostgreSQL as the server's role (row-level security on): in her second entity, her
/// factor (kept on her row of the first) still signs, and nothing else of the first shows.
#[tokio::test]
async fn under_row_level_security_the_login_crosses_entities_and_nothing_else_does() {
    if !crate::helpers::using_postgres() {
        return;
    }
    let owner = spawn_app().await;
    let app = crate::helpers::spawn_as_application_role(&owner).await;
    let group = nadia_joins_jardins(&app).await;
    let mut nadia = sign_in_nadia(&app).await;
    nadia
        .call(SwitchEntity {
            form: SwitchEntityForm {
                entity: group.jardins,
            },
        })
        .await
        .expect("switched");
    let home = nadia.call(Home {}).await.unwrap();
    assert!(home.factors.has_totp, "her factor, read across entities");
    let code = app
        .fresh_code(NADIA_PETIT.totp_secret, NADIA_PETIT.login_id)
        .await;
    nadia
        .call(ConfirmIdentity {
            form: CodeForm { code },
        })
        .await
        .expect("her code checked across entities");
    let jardins_resources = resources_of(&owner, group.jardins).await;
    assert!(home
        .recap
        .lines
        .iter()
        .all(|line| jardins_resources.contains(&line.resource.key())));
}
