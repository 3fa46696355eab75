//! Shared steps of the add-user journey, as the browser performs them.

use crate::helpers::{Client, Failure, TestApp};
use app::api::operations::ConfirmOperation;
use app::api::types::{AddUserDraft, Confirmed, OperationDone, PreparedOperation, ScaProof};
use app::api::users::{AddUserRightsContext, PrepareAddUser};
use app::backend::demo::SOPHIE_MARTIN;
use model::{Catalog, Rights, RightsMethod};
use std::time::Duration;

pub async fn person_id(app: &TestApp, last_name: &str) -> i64 {
    app.scalar_i64(&format!(
        "SELECT id FROM persons WHERE last_name = '{last_name}'"
    ))
    .await
}

pub async fn catalog(client: &mut Client) -> Catalog {
    client.call(AddUserRightsContext {}).await.unwrap().catalog
}

pub fn draft(person_id: i64, email: &str, method: RightsMethod, rights: &Rights) -> PrepareAddUser {
    PrepareAddUser {
        draft: AddUserDraft {
            person_id,
            email: email.to_string(),
            method,
            rights: rights.clone(),
            period: None,
        },
    }
}

pub async fn prepare(
    client: &mut Client,
    person_id: i64,
    email: &str,
    method: RightsMethod,
    rights: &Rights,
) -> Result<PreparedOperation, Failure> {
    client.call(draft(person_id, email, method, rights)).await
}

/// Prepares the addition of a person with a profile as it is.
pub async fn prepare_profile(
    app: &TestApp,
    client: &mut Client,
    last_name: &str,
    email: &str,
    profile: model::Profile,
) -> PreparedOperation {
    let person = person_id(app, last_name).await;
    let rights = profile.rights(&catalog(client).await);
    prepare(
        client,
        person,
        email,
        RightsMethod::Profile(profile),
        &rights,
    )
    .await
    .expect("operation prepared")
}

/// The most common preparation of these tests: Lucas MOREAU as a comptable.
pub async fn prepare_lucas(app: &TestApp, client: &mut Client) -> PreparedOperation {
    prepare_profile(
        app,
        client,
        "MOREAU",
        "lucas.moreau@atelier-lumiere.fr",
        model::Profile::Comptable,
    )
    .await
}

/// The boxes a grid posts for `rights` (`A12:gestion`…).
pub fn cells(rights: &Rights) -> Vec<String> {
    rights
        .grants()
        .flat_map(|(resource, levels)| {
            levels
                .iter()
                .map(|level| format!("{}:{}", resource.key(), level.code()))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Validates a prepared operation with a fresh TOTP code of the demo administrator.
pub async fn confirm_with_totp(
    app: &TestApp,
    client: &mut Client,
    prepared: &PreparedOperation,
) -> Result<OperationDone, Failure> {
    let code = app
        .fresh_code(SOPHIE_MARTIN.totp_secret, SOPHIE_MARTIN.login_id)
        .await;
    confirm_with(
        client,
        &prepared.operation_id,
        &prepared.digest,
        ScaProof::Totp { code },
    )
    .await
}

/// Signs an operation that applies at once (the entity's double validation is off), about a
/// user.
pub async fn confirm_with(
    client: &mut Client,
    operation_id: &str,
    digest: &str,
    proof: ScaProof,
) -> Result<OperationDone, Failure> {
    match sign_with(client, operation_id, digest, proof).await? {
        Confirmed::Applied(Some(done)) => Ok(done),
        other => panic!("the operation should have applied about a user: {other:?}"),
    }
}

/// Signs an operation, whatever follows: applied, or awaiting a second administrator.
pub async fn sign_with(
    client: &mut Client,
    operation_id: &str,
    digest: &str,
    proof: ScaProof,
) -> Result<Confirmed, Failure> {
    client
        .call(ConfirmOperation {
            operation_id: operation_id.into(),
            digest: digest.into(),
            proof,
        })
        .await
}

/// The messages that reached the simulated mailbox and phone, waiting for the dispatcher.
pub async fn wait_for_local_messages(
    app: &TestApp,
    count: usize,
) -> Vec<app::api::types::LocalMessage> {
    for _ in 0..100 {
        let messages = app::backend::flows::local_outbox::messages(&app.state)
            .await
            .unwrap();
        if messages.len() >= count {
            return messages;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the outbox did not deliver {count} messages");
}

/// Login id from the e-mail, temporary password from the SMS.
pub fn credentials_from(
    messages: &[app::api::types::LocalMessage],
    email: &str,
    phone: &str,
) -> (String, String) {
    let mail = messages
        .iter()
        .find(|m| m.channel == "email" && m.recipient == email)
        .expect("an e-mail to the new user");
    let login_id = mail
        .body
        .split("Votre identifiant : ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("login id in the e-mail")
        .to_string();
    let sms = messages
        .iter()
        .find(|m| m.channel == "sms" && m.recipient == phone)
        .expect("an SMS to the new user");
    let password = sms
        .body
        .split("mot de passe provisoire est ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("temporary password in the SMS")
        .to_string();
    (login_id, password)
}

/// The first-login code of the e-mail sent to `email` (« 1234 5678 »).
pub fn email_code_from(messages: &[app::api::types::LocalMessage], email: &str) -> String {
    let mail = messages
        .iter()
        .find(|m| m.channel == "email" && m.recipient == email)
        .expect("an e-mail to the new user");
    let rest = mail
        .body
        .split("Votre code de première connexion : ")
        .nth(1)
        .expect("first-login code in the e-mail");
    rest.split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}
