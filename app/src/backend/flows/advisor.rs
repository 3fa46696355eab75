//! « Espace conseiller »: the bank's advisors sign in with a password and their authenticator
//! application's code, see the entities of their portfolio, register persons for them and
//! unblock their users. Every action is signed with a fresh code (the advisor's own strong
//! authentication), audited with the advisor as its author, and told to the entity's
//! administrators.

use crate::api::types::{
    Administration, AdvisorEntityView, AdvisorPersonView, AdvisorSignInForm, AdvisorUserForm,
    AdvisorUserLine, CorrectPersonForm, JournalPage, JournalSearch, NamePersonAdministratorForm,
    PortfolioLine, RegisterPersonForm, UserState, WithdrawPersonForm,
};
use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::config::Mode;
use crate::backend::delivery::{self, messages, Message, MessageChannel};
use crate::backend::demo;
use crate::backend::flows::add_user::person_card;
use crate::backend::flows::import::records;
use crate::backend::flows::sca::TOTP_PURPOSE;
use crate::backend::guard::{self, AdvisorCaller};
use crate::backend::security::crypto::{random_token, sha256_hex};
use crate::backend::security::{throttle, totp};
use crate::backend::session;
use crate::backend::store::{self, advisors, now, persons::Person};
use crate::backend::{AppState, RequestFacts};
use secrecy::SecretString;
use serde_json::json;

/// Five failed codes in a row block the advisor's account (the bank's security unblocks it).
const MAX_SCA_FAILURES: i64 = 5;
/// Five wrong passwords in a row lock password sign-in for 15 minutes.
const PASSWORD_LOCK_SECS: i64 = 15 * 60;

/// Signing in: password, then the code; one answer for an unknown id, a wrong password and a
/// locked account, after the same work. A new session each time.
pub async fn login(
    state: &AppState,
    facts: &RequestFacts,
    form: AdvisorSignInForm,
) -> Result<(), ApiError> {
    if !throttle::ip_allows(&state.db, &facts.client_ip).await? {
        tracing::warn!(client_ip = %facts.client_ip, "advisor sign-in refused: address throttled");
        return Err(ApiError::TooManyAttempts);
    }
    let login_id = form.login_id.trim();
    // The demo advisors' documented password never opens a production server.
    let demo = [&demo::CLAIRE_DUBOIS, &demo::KARIM_BENALI]
        .iter()
        .any(|advisor| advisor.login_id == login_id);
    let advisor = if login_id.is_empty()
        || login_id.len() > 64
        || (demo && state.config.mode == Mode::Production)
    {
        None
    } else {
        advisors::sign_in_advisor(state.db.pool(), login_id).await?
    };
    let now = now();
    let hash = advisor
        .as_ref()
        .filter(|a| a.password_locked_until.is_none_or(|until| until <= now))
        .and_then(|a| a.password_hash.clone());
    let valid = state
        .hashing
        .verify_stored(&state.secrets, hash, SecretString::from(form.password))
        .await?;
    let advisor = match advisor {
        Some(advisor) if valid => advisor,
        other => {
            throttle::record_ip_failure(&state.db, &facts.client_ip).await?;
            if let Some(advisor) = &other {
                advisors::record_password_failure(
                    state.db.pool(),
                    advisor.id,
                    now + PASSWORD_LOCK_SECS,
                )
                .await?;
            }
            let mut tx = state.db.begin_write().await?;
            audit::append(
                &mut tx,
                &state.secrets,
                None,
                None,
                Kind::SignInFailed,
                json!({ "conseiller": other.map(|a| a.id), "adresse": facts.client_ip }),
            )
            .await?;
            tx.commit().await?;
            return Err(ApiError::LoginFailed);
        }
    };
    check_code(state, advisor.id, &form.code).await?;
    let token = random_token();
    let mut tx = state.db.begin_write().await?;
    advisors::insert_session(&mut *tx, &sha256_hex(token.as_bytes()), advisor.id, now).await?;
    audit::append(
        &mut tx,
        &state.secrets,
        None,
        None,
        Kind::SignedIn,
        json!({ "conseiller": advisor.id, "adresse": facts.client_ip }),
    )
    .await?;
    tx.commit().await?;
    guard::set_cookie(&session::advisor_cookie(&token));
    Ok(())
}

/// An advisor's first access (`server create-advisor`): the advisor (imported from the bank's
/// systems) gets a login id, a random password and an authenticator secret, printed once.
/// `Ok(None)` when no advisor has this reference.
pub async fn create_access(
    db: &store::Db,
    secrets: &crate::backend::crypto::SecretBox,
    reference: &str,
    login_id: &str,
) -> Result<Option<NewAccess>, ApiError> {
    let valid_login = (3..=64).contains(&login_id.len())
        && login_id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if !valid_login {
        return Err(ApiError::invalid(
            "login_id",
            "Un identifiant de conseiller compte 3 à 64 minuscules, chiffres, « . », « - » ou « _ ».",
        ));
    }
    let password = crate::backend::password::generate_temporary();
    let hash = crate::backend::password::hash(password.clone()).await?;
    let secret = crate::backend::crypto::random_bytes::<20>();
    let sealed = secrets.seal(TOTP_PURPOSE, &secret)?;
    let mut tx = db.begin_write().await?;
    let Some(advisor_id) =
        advisors::set_credentials(&mut tx, reference, login_id, &hash, &sealed).await?
    else {
        return Ok(None);
    };
    advisors::delete_sessions_of(&mut *tx, advisor_id).await?;
    audit::append(
        &mut tx,
        secrets,
        None,
        None,
        Kind::AdvisorAccessCreated,
        json!({ "conseiller": advisor_id, "identifiant": login_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(NewAccess {
        password,
        totp_secret: totp::base32_encode(&secret),
        otpauth_uri: totp::otpauth_uri(&secret, login_id, "Habilis (conseiller)"),
    }))
}

/// What `server create-advisor` prints, once.
pub struct NewAccess {
    pub password: SecretString,
    pub totp_secret: String,
    pub otpauth_uri: String,
}

pub async fn logout(caller: &AdvisorCaller) -> Result<(), ApiError> {
    advisors::delete_session(caller.state.db.pool(), &caller.token_hash).await?;
    guard::set_cookie(&session::clear_advisor_cookie());
    Ok(())
}

/// The advisor's strong authentication: a code of their authenticator application, accepted
/// once. Each attempt is counted before it is evaluated; the fifth failure in a row blocks the
/// account and ends its sessions.
async fn check_code(state: &AppState, advisor_id: i64, code: &str) -> Result<(), ApiError> {
    let attempt =
        advisors::reserve_sca_attempt(state.db.pool(), advisor_id, MAX_SCA_FAILURES).await?;
    let Some(attempt) = attempt else {
        return Err(ApiError::Blocked);
    };
    let stored = advisors::sign_in_advisor_by_id(state.db.pool(), advisor_id).await?;
    let accepted = match stored {
        Some(advisors::SignInAdvisor {
            totp_secret: Some(sealed),
            totp_last_step,
            ..
        }) => {
            let secret = state.secrets.open(TOTP_PURPOSE, &sealed)?;
            match totp::check(&secret, code.trim(), now(), totp_last_step) {
                totp::TotpCheck::Accepted { step } => {
                    advisors::accept_totp_step(state.db.pool(), advisor_id, step).await?
                }
                _ => false,
            }
        }
        _ => false,
    };
    if accepted {
        return Ok(());
    }
    let mut tx = state.db.begin_write().await?;
    audit::append(
        &mut tx,
        &state.secrets,
        None,
        None,
        Kind::ScaFailed,
        json!({ "conseiller": advisor_id, "tentative": attempt }),
    )
    .await?;
    let answer = if attempt >= MAX_SCA_FAILURES {
        advisors::delete_sessions_of(&mut *tx, advisor_id).await?;
        guard::set_cookie(&session::clear_advisor_cookie());
        ApiError::Blocked
    } else {
        ApiError::ScaFailed {
            remaining: (MAX_SCA_FAILURES - attempt) as u32,
        }
    };
    tx.commit().await?;
    Err(answer)
}

pub async fn portfolio(caller: &AdvisorCaller) -> Result<Vec<PortfolioLine>, ApiError> {
    Ok(
        advisors::portfolio(caller.state.db.pool(), caller.advisor_id)
            .await?
            .into_iter()
            .map(|e| PortfolioLine {
                id: e.id,
                name: e.name,
                siren: e.siren,
                users: e.users,
                administrators: e.administrators,
                blocked: e.blocked,
            })
            .collect(),
    )
}

/// An entity of the portfolio; another advisor's answers like a missing one.
async fn in_portfolio(caller: &AdvisorCaller, entity_id: i64) -> Result<(), ApiError> {
    if advisors::has_in_portfolio(caller.state.db.pool(), caller.advisor_id, entity_id).await? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

pub async fn entity(caller: &AdvisorCaller, entity_id: i64) -> Result<AdvisorEntityView, ApiError> {
    in_portfolio(caller, entity_id).await?;
    let pool = caller.state.db.pool();
    let entity = store::entities::find(pool, entity_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let users = store::users::list(pool, entity_id)
        .await?
        .into_iter()
        .filter(|user| user.state != UserState::Removed)
        .map(|user| AdvisorUserLine {
            id: user.id,
            name: user.full_name(),
            login_id: user.login_id.clone(),
            state: user.state,
            is_administrator: user.is_administrator,
            version: user.version,
        })
        .collect();
    let persons = store::persons::without_account(pool, entity_id)
        .await?
        .iter()
        .map(person_card)
        .collect();
    Ok(AdvisorEntityView {
        id: entity.id,
        name: entity.name,
        siren: entity.siren,
        administration: administration(pool, entity_id).await?,
        users,
        persons,
    })
}

/// A French mobile number as people type it (`06 12 34 56 78`) in E.164; anything else as typed.
fn international(phone: &str) -> String {
    let compact: String = phone
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-'))
        .collect();
    match compact.strip_prefix('0') {
        Some(national) if national.len() == 9 => format!("+33{national}"),
        _ => compact,
    }
}

/// A person's fields as typed in the advisor's forms.
struct TypedPerson<'a> {
    last_name: &'a str,
    first_name: &'a str,
    birth_date: &'a str,
    phone: &'a str,
    email: &'a str,
}

impl<'a> From<&'a RegisterPersonForm> for TypedPerson<'a> {
    fn from(form: &'a RegisterPersonForm) -> Self {
        TypedPerson {
            last_name: &form.last_name,
            first_name: &form.first_name,
            birth_date: &form.birth_date,
            phone: &form.phone,
            email: &form.email,
        }
    }
}

impl<'a> From<&'a CorrectPersonForm> for TypedPerson<'a> {
    fn from(form: &'a CorrectPersonForm) -> Self {
        TypedPerson {
            last_name: &form.last_name,
            first_name: &form.first_name,
            birth_date: &form.birth_date,
            phone: &form.phone,
            email: &form.email,
        }
    }
}

/// The person as typed, checked field by field (the same rules as the bank's import).
fn person_of(form: TypedPerson<'_>) -> Result<Person, ApiError> {
    let today = model::Day::in_paris_at(now());
    let email = form.email.trim();
    Ok(Person {
        id: 0,
        last_name: records::text("nom", form.last_name, 100).map_err(|_| {
            ApiError::invalid(
                "last_name",
                "Indiquez le nom, en 100 caractères au plus, sans caractère de contrôle.",
            )
        })?,
        first_name: records::text("prenom", form.first_name, 100).map_err(|_| {
            ApiError::invalid(
                "first_name",
                "Indiquez le prénom, en 100 caractères au plus, sans caractère de contrôle.",
            )
        })?,
        birth_date: records::birth_date("date", form.birth_date, today).map_err(|_| {
            ApiError::invalid(
                "birth_date",
                "Indiquez une date de naissance réelle, entre 1900 et aujourd’hui.",
            )
        })?,
        phone: records::mobile("telephone", &international(form.phone)).map_err(|_| {
            ApiError::invalid(
                "phone",
                "Indiquez un numéro de mobile : 06 ou 07 suivi de 8 chiffres, ou au format international (+…).",
            )
        })?,
        email: if email.is_empty() {
            None
        } else {
            Some(records::email("email", email).map_err(|_| {
                ApiError::invalid("email", "Cette adresse e-mail n’est pas valide.")
            })?)
        },
    })
}

/// « Enregistrer une personne »: the person is offered at once in the administrators'
/// « Ajouter un utilisateur ». Returns the person's id.
pub async fn register_person(
    caller: &AdvisorCaller,
    form: RegisterPersonForm,
) -> Result<i64, ApiError> {
    in_portfolio(caller, form.entity).await?;
    let person = person_of((&form).into())?;
    check_code(&caller.state, caller.advisor_id, &form.code).await?;
    let state = &caller.state;
    let mut tx = state.db.begin_write().await?;
    let id =
        store::persons::insert(&mut tx, form.entity, caller.advisor_id, &person, now()).await?;
    let action = messages::AdvisorAction::PersonRegistered(person.full_name());
    record_and_tell(
        caller,
        tx,
        form.entity,
        Kind::PersonRegistered,
        json!({
            "personne": id,
            "nom": person.registered_name(),
        }),
        &action,
    )
    .await?;
    Ok(id)
}

/// A registered person not yet a user, as the correction form shows them.
pub async fn person(
    caller: &AdvisorCaller,
    entity_id: i64,
    person_id: i64,
) -> Result<AdvisorPersonView, ApiError> {
    in_portfolio(caller, entity_id).await?;
    let pool = caller.state.db.pool();
    let person = store::persons::candidate(pool, entity_id, person_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let entity = store::entities::find(pool, entity_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(AdvisorPersonView {
        entity_id,
        entity_name: entity.name,
        administration: administration(pool, entity_id).await?,
        contacts_from_bank: store::persons::contacts_from_bank(pool, entity_id, person_id).await?,
        id: person.id,
        last_name: person.last_name,
        first_name: person.first_name,
        birth_date: person.birth_date,
        phone: person.phone,
        email: person.email,
    })
}

/// « Corriger »: a registered person's identity and contact, before they become a user.
pub async fn correct_person(
    caller: &AdvisorCaller,
    form: CorrectPersonForm,
) -> Result<(), ApiError> {
    in_portfolio(caller, form.entity).await?;
    let state = &caller.state;
    let stored = store::persons::candidate(state.db.pool(), form.entity, form.person)
        .await?
        .ok_or(ApiError::NotFound)?;
    let person = Person {
        id: stored.id,
        ..person_of((&form).into())?
    };
    if person == stored {
        return Err(ApiError::Conflict(NOTHING_TO_CORRECT.into()));
    }
    check_code(state, caller.advisor_id, &form.code).await?;
    let mut tx = state.db.begin_write().await?;
    store::entities::lock_for_administration(&mut tx, form.entity).await?;
    // Added as a user meanwhile: the administrator's operation signed the person as they were.
    let Some(current) = store::persons::candidate(&mut *tx, form.entity, form.person).await? else {
        return Err(ApiError::Conflict(BECAME_USER.into()));
    };
    store::persons::update(&mut tx, &person).await?;
    // Compared with the person as they are now (an import may have changed them meanwhile).
    if person.phone != current.phone || person.email != current.email {
        // Contacts an advisor typed: no longer the bank's own (see `name_person_administrator`).
        store::persons::set_contacts_from_bank(&mut tx, person.id, false).await?;
    }
    let action = messages::AdvisorAction::PersonCorrected(person.full_name());
    record_and_tell(
        caller,
        tx,
        form.entity,
        Kind::PersonCorrected,
        json!({
            "personne": person.id,
            "nom": person.registered_name(),
        }),
        &action,
    )
    .await?;
    Ok(())
}

/// « Retirer »: a registered person is no longer offered to the administrators.
pub async fn withdraw_person(
    caller: &AdvisorCaller,
    form: WithdrawPersonForm,
) -> Result<(), ApiError> {
    in_portfolio(caller, form.entity).await?;
    let state = &caller.state;
    let person = store::persons::candidate(state.db.pool(), form.entity, form.person)
        .await?
        .ok_or(ApiError::NotFound)?;
    check_code(state, caller.advisor_id, &form.code).await?;
    let mut tx = state.db.begin_write().await?;
    store::entities::lock_for_administration(&mut tx, form.entity).await?;
    if !store::persons::delete_candidate(&mut tx, form.entity, form.person).await? {
        return Err(ApiError::Conflict(BECAME_USER.into()));
    }
    let action = messages::AdvisorAction::PersonWithdrawn(person.full_name());
    record_and_tell(
        caller,
        tx,
        form.entity,
        Kind::PersonWithdrawn,
        json!({
            "personne": person.id,
            "nom": person.registered_name(),
        }),
        &action,
    )
    .await?;
    Ok(())
}

const NOTHING_TO_CORRECT: &str = "Rien n’a changé : modifiez au moins un champ.";
const BECAME_USER: &str =
    "Cette personne est devenue utilisatrice entre-temps : elle ne peut plus être corrigée ni retirée ici.";

/// « Débloquer »: a user blocked after five failed strong authentications is active again.
pub async fn unblock(caller: &AdvisorCaller, form: AdvisorUserForm) -> Result<(), ApiError> {
    in_portfolio(caller, form.entity).await?;
    let state = &caller.state;
    let user = store::users::find(state.db.pool(), form.entity, form.user)
        .await?
        .ok_or(ApiError::NotFound)?;
    if user.state != UserState::Blocked {
        return Err(ApiError::Conflict(
            "Cet utilisateur n’est pas bloqué.".into(),
        ));
    }
    check_code(state, caller.advisor_id, &form.code).await?;
    let mut tx = state.db.begin_write().await?;
    store::entities::lock_for_administration(&mut tx, form.entity).await?;
    if !store::users::unblock(&mut tx, form.entity, form.user, form.version).await? {
        return Err(ApiError::Conflict(
            super::lifecycle::CHANGED_MEANWHILE.into(),
        ));
    }
    let action = messages::AdvisorAction::UserUnblocked(user.full_name());
    record_and_tell(
        caller,
        tx,
        form.entity,
        Kind::UserUnblocked,
        json!({
            "utilisateur": user.id,
        }),
        &action,
    )
    .await?;
    Ok(())
}

/// « Réinitialiser l’accès » of a user who lost their password or factor: new credentials (the
/// login id and a first-login code by e-mail, a temporary password by SMS, never to the
/// advisor), the old password, factors and sessions gone: the same change an administrator
/// signs, for an entity whose administrators cannot (or for an administrator locked out).
pub async fn reset_access(caller: &AdvisorCaller, form: AdvisorUserForm) -> Result<(), ApiError> {
    in_portfolio(caller, form.entity).await?;
    let state = &caller.state;
    let user = store::users::find(state.db.pool(), form.entity, form.user)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !matches!(
        user.state,
        UserState::Active | UserState::Blocked | UserState::AwaitingFirstLogin
    ) {
        return Err(ApiError::Conflict(CANNOT_RESET.into()));
    }
    if user.login_user_id.is_some() {
        return Err(ApiError::Conflict(
            super::lifecycle::LOGIN_OF_ANOTHER_ENTITY.into(),
        ));
    }
    check_code(state, caller.advisor_id, &form.code).await?;
    // The password's hash costs tens of milliseconds: made before the entity's lock.
    let inputs = super::add_user::inputs(state).await?;
    let mut tx = state.db.begin_write().await?;
    store::entities::lock_for_administration(&mut tx, form.entity).await?;
    super::lifecycle::reset_credentials(
        &mut tx,
        state,
        form.entity,
        (form.user, form.version),
        inputs,
        super::lifecycle::ResetBy {
            name: &caller.name,
            advisor: true,
        },
    )
    .await?;
    let action = messages::AdvisorAction::AccessReset(user.full_name());
    record_and_tell(
        caller,
        tx,
        form.entity,
        Kind::AccessReset,
        json!({
            "utilisateur": user.id,
            "nom": user.full_name(),
        }),
        &action,
    )
    .await?;
    Ok(())
}

const CANNOT_RESET: &str = "Seul l’accès d’un utilisateur actif, bloqué ou en attente de première connexion peut être réinitialisé (réactivez d’abord un accès suspendu).";

/// Who can administer the entity, as the break-glass sees it.
async fn administration<'e, E>(executor: E, entity_id: i64) -> Result<Administration, ApiError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let standing = store::users::administrators_standing(executor, entity_id).await?;
    Ok(if standing.acting > 0 {
        Administration::Acting
    } else if standing.awaiting_first_login > 0 {
        Administration::AwaitingFirstLogin
    } else {
        Administration::Nobody
    })
}

/// The break-glass is for an entity nobody administers, and names one administrator at a
/// time: while a named one has not made their first login, their access is what to reset.
fn nobody_administers(administration: Administration, still: &str) -> Result<(), ApiError> {
    match administration {
        Administration::Acting => Err(ApiError::Conflict(still.into())),
        Administration::AwaitingFirstLogin => Err(ApiError::Conflict(AWAITING_FIRST_LOGIN.into())),
        Administration::Nobody => Ok(()),
    }
}

/// Break-glass: the entity has no active administrator left (with a factor), so nobody there
/// can administer it; the advisor names one of its users. Checked again under the entity's
/// lock: two advisors' clicks name one administrator, not two. The new administrator and every
/// administrator on record (blocked or suspended ones included) are told.
pub async fn name_administrator(
    caller: &AdvisorCaller,
    form: AdvisorUserForm,
) -> Result<(), ApiError> {
    in_portfolio(caller, form.entity).await?;
    let state = &caller.state;
    let user = store::users::find(state.db.pool(), form.entity, form.user)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !matches!(
        user.state,
        UserState::Active | UserState::AwaitingFirstLogin
    ) || user.is_administrator
    {
        return Err(ApiError::Conflict(CANNOT_NAME.into()));
    }
    nobody_administers(
        administration(state.db.pool(), form.entity).await?,
        STILL_ADMINISTERED,
    )?;
    // Their access can then be reset by the advisor: to contacts the bank sent, never to ones
    // an advisor typed when registering them.
    if !store::persons::contacts_from_bank(state.db.pool(), form.entity, user.person_id).await? {
        return Err(ApiError::Conflict(CONTACTS_NOT_FROM_BANK.into()));
    }
    check_code(state, caller.advisor_id, &form.code).await?;
    let mut tx = state.db.begin_write().await?;
    store::entities::lock_for_administration(&mut tx, form.entity).await?;
    nobody_administers(
        administration(&mut *tx, form.entity).await?,
        STILL_ADMINISTERED,
    )?;
    if !store::users::modify_rights(&mut tx, form.entity, form.user, form.version, true).await? {
        return Err(ApiError::Conflict(
            super::lifecycle::CHANGED_MEANWHILE.into(),
        ));
    }
    audit::append(
        &mut tx,
        &state.secrets,
        Some(form.entity),
        None,
        Kind::AdministratorNamedByAdvisor,
        json!({
            "utilisateur": user.id,
            "conseiller": caller.advisor_id,
            "par": caller.name,
        }),
    )
    .await?;
    // The new administrator is told, in their language.
    let email = messages::advisor_action_notice(
        &state.config.bank_name,
        &caller.name,
        &messages::AdvisorAction::AdministratorNamed(user.full_name()),
        user.language,
    );
    delivery::enqueue(
        &mut tx,
        &state.secrets,
        Message {
            entity_id: form.entity,
            channel: MessageChannel::Email,
            recipient: &user.email,
            subject: &email.subject,
            body: &SecretString::from(email.body),
        },
    )
    .await?;
    tell_administrators_on_record(caller, &mut tx, form.entity, user.id, user.full_name()).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// What [`name_person_administrator`] did: the new user, and whether they kept the login of
/// their group (no new credentials, no SMS).
pub struct NamedPerson {
    pub user_id: i64,
    pub existing_login: bool,
}

/// Break-glass for an entity with no administrator who can act — a new entity with no user
/// yet, or one whose users are all gone: the advisor names a person the bank registered as its
/// administrator. The person becomes a user with the administration right and no account
/// right (the administrator gives rights, themselves included, through the signed operations);
/// they get their credentials as any new user does (or keep the login of their group), from
/// « votre conseiller ». The credentials go to contacts the bank's systems sent, never to ones
/// an advisor typed: the advisor who names cannot route them to themselves. Checked again
/// under the entity's lock: two clicks name one, and the administrators on record are told.
pub async fn name_person_administrator(
    caller: &AdvisorCaller,
    form: NamePersonAdministratorForm,
) -> Result<NamedPerson, ApiError> {
    in_portfolio(caller, form.entity).await?;
    let state = &caller.state;
    let pool = state.db.pool();
    let Some(person) = store::persons::candidate(pool, form.entity, form.person).await? else {
        // A second click, once the first made her a user: said, not a bare « not found ».
        return Err(
            if store::persons::is_user(pool, form.entity, form.person).await? {
                ApiError::Conflict(ALREADY_A_USER.into())
            } else {
                ApiError::NotFound
            },
        );
    };
    let email = model::Email::parse(&form.email)
        .map_err(|error| ApiError::invalid("email", error.to_string()))?;
    registered_email_is(&person, &email)?;
    nobody_administers(
        administration(pool, form.entity).await?,
        STILL_ADMINISTERED_ADD,
    )?;
    if !store::persons::contacts_from_bank(pool, form.entity, form.person).await? {
        return Err(ApiError::Conflict(CONTACTS_NOT_FROM_BANK.into()));
    }
    check_code(state, caller.advisor_id, &form.code).await?;
    // The password's hash costs tens of milliseconds: made before the entity's lock.
    let inputs = super::add_user::inputs(state).await?;
    let mut tx = state.db.begin_write().await?;
    store::entities::lock_for_administration(&mut tx, form.entity).await?;
    nobody_administers(
        administration(&mut *tx, form.entity).await?,
        STILL_ADMINISTERED_ADD,
    )?;
    // Read again under the lock: a correction or a user made meanwhile is seen.
    let person = store::persons::candidate(&mut *tx, form.entity, form.person)
        .await?
        .ok_or_else(|| ApiError::Conflict(BECAME_USER_BEFORE_NAMING.into()))?;
    registered_email_is(&person, &email)?;
    if !store::persons::contacts_from_bank(&mut *tx, form.entity, form.person).await? {
        return Err(ApiError::Conflict(CONTACTS_NOT_FROM_BANK.into()));
    }
    let opened = super::add_user::open_access(
        &mut tx,
        state,
        super::add_user::Opening {
            entity_id: form.entity,
            person: &person,
            email: &email,
            is_administrator: true,
            // The person's own language is not known yet: the entity's, French.
            lang: model::Lang::default(),
            by: super::add_user::OpenedBy {
                name: &caller.name,
                advisor: true,
                user_id: None,
            },
        },
        &inputs,
    )
    .await?;
    audit::append(
        &mut tx,
        &state.secrets,
        Some(form.entity),
        None,
        Kind::AdministratorNamedByAdvisor,
        json!({
            "utilisateur": opened.user_id,
            "personne": person.id,
            "nom": person.full_name(),
            "identifiant": opened.login_id.as_str(),
            "identifiant_existant": opened.existing_login,
            "conseiller": caller.advisor_id,
            "par": caller.name,
        }),
    )
    .await?;
    tell_administrators_on_record(
        caller,
        &mut tx,
        form.entity,
        opened.user_id,
        person.full_name(),
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(NamedPerson {
        user_id: opened.user_id,
        existing_login: opened.existing_login,
    })
}

/// The e-mail the person is reached at must be the one the bank registered, when it did.
fn registered_email_is(person: &Person, email: &model::Email) -> Result<(), ApiError> {
    if person
        .email
        .as_ref()
        .is_some_and(|registered| !registered.eq_ignore_ascii_case(email.as_str()))
    {
        return Err(ApiError::invalid("email", OTHER_EMAIL_THAN_REGISTERED));
    }
    Ok(())
}

/// Every other administrator on record hears of the naming, whatever their state.
async fn tell_administrators_on_record(
    caller: &AdvisorCaller,
    tx: &mut store::Tx,
    entity_id: i64,
    named_user: i64,
    named: String,
) -> Result<(), ApiError> {
    let action = messages::AdvisorAction::NewAdministratorNamed(named);
    delivery::email_administrators_on_record(
        tx,
        &caller.state.secrets,
        entity_id,
        named_user,
        |lang| {
            messages::advisor_action_notice(
                &caller.state.config.bank_name,
                &caller.name,
                &action,
                lang,
            )
        },
    )
    .await?;
    Ok(())
}

const OTHER_EMAIL_THAN_REGISTERED: &str = "Ce n’est pas l’adresse e-mail enregistrée pour cette personne : corrigez-la d’abord (« Corriger ses données »).";
const STILL_ADMINISTERED_ADD: &str =
    "L’entité a encore un administrateur actif : c’est à lui d’ajouter cette personne.";
const BECAME_USER_BEFORE_NAMING: &str = "Cette personne est devenue utilisatrice entre-temps : nommez-la administrateur depuis la liste des utilisateurs.";
const ALREADY_A_USER: &str = "Cette personne est déjà utilisatrice de l’entité.";
const CONTACTS_NOT_FROM_BANK: &str = "Le mobile et l’e-mail de cette personne n’ont pas été transmis par les systèmes de la banque (ou un conseiller les a modifiés) : pour qu’un conseiller ne puisse pas recevoir ses identifiants, seule une personne dont les coordonnées viennent de l’import de la banque peut être nommée administrateur.";
const AWAITING_FIRST_LOGIN: &str = "Un administrateur de l’entité a été nommé et n’a pas encore fait sa première connexion : s’il n’a pas reçu ses identifiants, réinitialisez son accès plutôt que d’en nommer un autre.";

const CANNOT_NAME: &str = "Seul un utilisateur actif ou en attente de première connexion, qui n’est pas déjà administrateur, peut être nommé administrateur.";
const STILL_ADMINISTERED: &str =
    "L’entité a encore un administrateur actif : c’est à lui de donner le droit d’administration.";

/// The entity's journal, for its advisor.
pub async fn journal(
    caller: &AdvisorCaller,
    entity_id: i64,
    search: &JournalSearch,
) -> Result<JournalPage, ApiError> {
    in_portfolio(caller, entity_id).await?;
    super::journal::page_of_entity(caller.state.db.pool(), entity_id, search).await
}

/// The end of every advisor action on an entity: the audit event (the advisor named as its
/// author), the e-mails to the entity's administrators, the commit, and the outbox woken.
async fn record_and_tell(
    caller: &AdvisorCaller,
    mut tx: store::Tx,
    entity_id: i64,
    kind: Kind,
    mut details: serde_json::Value,
    action: &messages::AdvisorAction,
) -> Result<(), ApiError> {
    if let Some(details) = details.as_object_mut() {
        details.insert("conseiller".into(), json!(caller.advisor_id));
        details.insert("par".into(), json!(caller.name));
    }
    audit::append(
        &mut tx,
        &caller.state.secrets,
        Some(entity_id),
        None,
        kind,
        details,
    )
    .await?;
    delivery::email_administrators(&mut tx, &caller.state.secrets, entity_id, |lang| {
        messages::advisor_action_notice(&caller.state.config.bank_name, &caller.name, action, lang)
    })
    .await?;
    tx.commit().await?;
    caller.state.outbox_wake.notify_one();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_french_mobile_typed_as_people_do_becomes_international() {
        assert_eq!(international("06 12 34 56 78"), "+33612345678");
        assert_eq!(international("07.12.34.56.78"), "+33712345678");
        assert_eq!(international("+33 6 12 34 56 78"), "+33612345678");
        assert_eq!(international("+44 7700 900123"), "+447700900123");
        assert_eq!(international("0612"), "0612");
    }
}
