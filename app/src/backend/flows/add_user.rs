//! « Ajouter un utilisateur »: what the journey's steps read, the preparation of the operation
//! from what the administrator entered, and its application once signed: the user created, the
//! rights written with their origins, the audit event, the login id by e-mail and the temporary
//! password by SMS — all in the transaction of `operations::confirm`.
//!
//! « Modifier les droits » shares the journey's draft and its method, grid and check steps: a
//! draft with a target user starts from their rights (see `modify_rights`).

use super::home::advisor_card;
use super::modify_rights::{self, Target};
use super::operations;
use crate::api::types::{
    AddUserDraft, AddUserJourney, Candidates, ModifiedUser, OperationDone, PersonCard,
    PreparedOperation, RightsContext,
};
use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::delivery::{self, messages, Message, MessageChannel};
use crate::backend::guard::Caller;
use crate::backend::security::crypto::random_token;
use crate::backend::security::password;
use crate::backend::store::drafts::{DraftKind, NewDraft};
use crate::backend::store::persons::Person;
use crate::backend::store::rights::{Grant, StoredRights};
use crate::backend::store::users::NewUser;
use crate::backend::store::{self, now, Tx};
use crate::backend::AppState;
use model::identity::EmailError;
use model::identity::{format_date, format_phone, mask_phone};
use model::Profile;
use model::{Assignment, Catalog, Change, Email, Levels, LoginId, Operation, Origins, Recap};
use model::{Day, Period, Rights, RightsMethod};
use rand::Rng as _;
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;

const ALREADY_ADDED: &str =
    "Cette personne est devenue utilisatrice entre-temps : l’opération n’a pas été appliquée.";

pub fn person_card(person: &Person) -> PersonCard {
    PersonCard {
        id: person.id,
        first_name: person.first_name.clone(),
        last_name: person.last_name.clone(),
        birth_date: format_date(&person.birth_date),
        phone: format_phone(&person.phone),
        email: person.email.clone(),
    }
}

/// Step 2: the persons registered by the advisor who are not users yet, and the advisor.
pub async fn candidates(caller: &Caller) -> Result<Candidates, ApiError> {
    let pool = caller.state.db.pool();
    let persons = store::persons::without_account(pool, caller.entity_id()).await?;
    let entity = store::entities::find(pool, caller.entity_id())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Candidates {
        persons: persons.iter().map(person_card).collect(),
        advisor: advisor_card(entity.advisor),
    })
}

/// Step 4: the accounts and contracts, and the users whose rights can be copied.
pub async fn rights_context(caller: &Caller) -> Result<RightsContext, ApiError> {
    Ok(RightsContext {
        catalog: store::entities::catalog(caller.state.db.pool(), caller.entity_id()).await?,
        users: super::users::list(caller).await?,
    })
}

/// What a method starts from: the profile's rights, or the copied user's (without the
/// administration right, within this entity's catalog); nothing for custom rights.
pub async fn baseline(
    caller: &Caller,
    method: &RightsMethod,
    catalog: &Catalog,
) -> Result<(Rights, String), ApiError> {
    match method {
        RightsMethod::Profile(profile) => Ok((profile.rights(catalog), String::new())),
        RightsMethod::Custom => Ok((Rights::new(), String::new())),
        RightsMethod::Copy { from_user } => {
            let pool = caller.state.db.pool();
            let source = store::users::find(pool, caller.entity_id(), *from_user)
                .await?
                .ok_or(ApiError::NotFound)?;
            let copied = store::rights::of_user(pool, caller.entity_id(), source.id)
                .await?
                .rights
                .without_administration()
                .intersect(&Rights::uniform(catalog, Levels::ALL));
            Ok((copied, source.full_name()))
        }
    }
}

/// The person must be of the caller's entity and not a user yet.
async fn find_candidate(caller: &Caller, person_id: i64) -> Result<Person, ApiError> {
    let pool = caller.state.db.pool();
    if let Some(person) = store::persons::candidate(pool, caller.entity_id(), person_id).await? {
        return Ok(person);
    }
    if store::persons::is_user(pool, caller.entity_id(), person_id).await? {
        Err(ApiError::Conflict(
            "Cette personne est déjà utilisatrice de la banque en ligne de votre entité.".into(),
        ))
    } else {
        Err(ApiError::NotFound)
    }
}

/// How long an untouched draft lives.
pub const DRAFT_LIFETIME_SECS: i64 = 24 * 60 * 60;

/// What the administrator chose so far, kept on the server between the steps.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftData {
    person_id: i64,
    email: String,
    method: Option<RightsMethod>,
    rights: Option<Rights>,
    /// « Droits temporaires »: the last day the rights added are held.
    #[serde(default)]
    period: Option<Period>,
    /// The operation prepared from the draft (« Confirmer »).
    operation_id: Option<String>,
    /// A modification's draft: the user whose rights change.
    #[serde(default)]
    target: Option<Target>,
}

/// The address of a step of the journey a draft belongs to.
pub async fn draft_step_url(
    caller: &Caller,
    draft_id: &str,
    step: &str,
) -> Result<String, ApiError> {
    let data = load(caller, draft_id).await?;
    Ok(crate::api::types::journey_step_url(
        draft_id,
        data.target.is_some(),
        step,
    ))
}

/// « Modifier les droits »: starts a draft from the user's rights, at their current version.
pub async fn start_modification(caller: &Caller, user_id: i64) -> Result<String, ApiError> {
    let (target, person_id) = modify_rights::target(caller, user_id).await?;
    let id = random_token();
    let data = DraftData {
        person_id,
        target: Some(target),
        ..DraftData::default()
    };
    store::drafts::insert(
        caller.state.db.pool(),
        NewDraft {
            id: &id,
            entity_id: caller.entity_id(),
            author_user_id: caller.user_id(),
            kind: DraftKind::ModifyRights,
            data: &serde_json::to_string(&data)?,
            now: now(),
        },
    )
    .await?;
    Ok(id)
}

/// « Sélectionnez votre nouvel utilisateur »: starts a draft for the person.
pub async fn start(caller: &Caller, person_id: i64) -> Result<String, ApiError> {
    let person = find_candidate(caller, person_id).await?;
    let id = random_token();
    let data = DraftData {
        person_id: person.id,
        email: person.email.clone().unwrap_or_default(),
        ..DraftData::default()
    };
    store::drafts::insert(
        caller.state.db.pool(),
        NewDraft {
            id: &id,
            entity_id: caller.entity_id(),
            author_user_id: caller.user_id(),
            kind: DraftKind::AddUser,
            data: &serde_json::to_string(&data)?,
            now: now(),
        },
    )
    .await?;
    Ok(id)
}

async fn load(caller: &Caller, draft_id: &str) -> Result<DraftData, ApiError> {
    let stored = store::drafts::find(
        caller.state.db.pool(),
        draft_id,
        caller.entity_id(),
        caller.user_id(),
        now() - DRAFT_LIFETIME_SECS,
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    let data: DraftData = serde_json::from_str(&stored.data)?;
    let kind = if data.target.is_some() {
        DraftKind::ModifyRights
    } else {
        DraftKind::AddUser
    };
    if kind != stored.kind {
        return Err(ApiError::NotFound);
    }
    Ok(data)
}

/// Saves the draft. Any change voids the operation prepared from it: what was about to be
/// signed is no longer what the administrator chose.
async fn save(caller: &Caller, draft_id: &str, mut data: DraftData) -> Result<(), ApiError> {
    if let Some(operation_id) = data.operation_id.take() {
        operations::cancel(caller, &operation_id).await?;
    }
    store::drafts::update(
        caller.state.db.pool(),
        draft_id,
        caller.entity_id(),
        caller.user_id(),
        &serde_json::to_string(&data)?,
        now(),
    )
    .await?;
    Ok(())
}

/// The journey as far as it has gone, for any step's page. `with_users` adds the users whose
/// rights can be copied (the method step).
pub async fn journey(
    caller: &Caller,
    draft_id: &str,
    with_users: bool,
) -> Result<AddUserJourney, ApiError> {
    let data = load(caller, draft_id).await?;
    let pool = caller.state.db.pool();
    // An addition: the person may have become a user meanwhile (another administrator): then
    // the draft is over, and says so. A modification: the user must be as they were.
    let (person, current) = match data.target {
        None => (find_candidate(caller, data.person_id).await?, None),
        Some(target) => {
            let current = modify_rights::current(caller, target).await?;
            (current.person.clone(), Some(current))
        }
    };
    let catalog = store::entities::catalog(pool, caller.entity_id()).await?;
    let (baseline, source_name, copied) = match &data.method {
        Some(method) => {
            let (baseline, source_name) = baseline(caller, method, &catalog).await?;
            let copied = match method {
                RightsMethod::Copy { from_user } => {
                    Some(super::users::rights(caller, *from_user).await?)
                }
                _ => None,
            };
            (Some(baseline), source_name, copied)
        }
        None => (None, String::new(), None),
    };
    let mut period_text = None;
    let recap = match (&data.method, &data.rights, &baseline) {
        (Some(method), Some(rights), Some(baseline)) => {
            let assignment = Assignment {
                method: *method,
                baseline: baseline.clone(),
                source_name: source_name.clone(),
                previous: current
                    .as_ref()
                    .map(|c| c.before.origins.clone())
                    .unwrap_or_default(),
                rights: rights.clone(),
                period: data.period,
                previous_ends: current
                    .as_ref()
                    .map(|c| c.before.last_days())
                    .unwrap_or_default(),
            };
            let before = current
                .as_ref()
                .map(|c| c.before.rights.clone())
                .unwrap_or_default();
            period_text = period_fact(&assignment, &before, caller.lang).map(|(_, text)| text);
            Some(
                Recap::new(&catalog, rights, |r, l| assignment.origin(r, l))
                    .with_ends(|r, l| assignment.last_day(&before, r, l)),
            )
        }
        _ => None,
    };
    let scheduled = match &current {
        Some(current) => store::rights::scheduled(pool, caller.entity_id(), Some(current.user.id))
            .await?
            .iter()
            .filter_map(store::rights::ScheduledRow::days)
            .map(|(resource, level, first, _)| (resource, level, first))
            .collect(),
        None => Vec::new(),
    };
    let modifying = current.as_ref().map(|current| ModifiedUser {
        starts: scheduled,
        user_id: current.user.id,
        ends: current.before.last_days(),
        before: current.before.rights.clone(),
        diff: data
            .rights
            .as_ref()
            .map(|rights| model::RightsDiff::between(&catalog, &current.before.rights, rights)),
    });
    let (others, has_factor) =
        super::report::grant_context(caller, data.target.map(|t| t.user_id)).await?;
    let before = current
        .as_ref()
        .map(|c| c.before.rights.clone())
        .unwrap_or_default();
    let warnings = match &data.rights {
        Some(rights) => {
            model::warnings::grant_warnings(&catalog, &others, &before, rights, has_factor)
                .iter()
                .map(|warning| warning.sentence_in(caller.lang))
                .collect()
        }
        None => Vec::new(),
    };
    let validated_by_others = catalog
        .resources()
        .filter(|resource| {
            others
                .iter()
                .any(|rights| rights.get(*resource).has(model::Level::Validation))
        })
        .collect();
    let users = if with_users {
        let mut users = super::users::list(caller).await?;
        users.retain(|user| Some(user.id) != data.target.map(|t| t.user_id));
        users
    } else {
        Vec::new()
    };
    Ok(AddUserJourney {
        draft_id: draft_id.to_string(),
        email_registered: person.email.is_some(),
        person: person_card(&person),
        email: match &current {
            Some(current) => current.user.email.clone(),
            None => data.email,
        },
        method_label: data.method.map(|m| m.label(&source_name)),
        method: data.method,
        baseline,
        copied,
        rights: data.rights,
        period: data.period,
        period_text,
        catalog,
        recap,
        users,
        operation_id: data.operation_id,
        modifying,
        warnings,
        validated_by_others,
        has_factor,
    })
}

/// Step 2: the e-mail, mandatory and valid; the one the advisor registered cannot change here.
pub async fn save_email(caller: &Caller, draft_id: &str, email: &str) -> Result<(), ApiError> {
    let mut data = load(caller, draft_id).await?;
    let person = find_candidate(caller, data.person_id).await?;
    let email = checked_email(&person, email)?;
    data.email = email.to_string();
    save(caller, draft_id, data).await
}

fn checked_email(person: &Person, email: &str) -> Result<Email, ApiError> {
    let email = Email::parse(email).map_err(|e| ApiError::invalid("email", e.to_string()))?;
    match &person.email {
        Some(registered) if !registered.eq_ignore_ascii_case(email.as_str()) => Err(ApiError::invalid(
            "email",
            "L’adresse e-mail enregistrée par votre conseiller ne se modifie pas ici. Contactez-le pour la corriger.",
        )),
        _ => Ok(email),
    }
}

/// Reads a method as the form sends it: `personnalise`, `profil:valideur`, `copie` (with the
/// user to copy).
pub fn parse_method(code: &str, copy_from: Option<i64>) -> Result<RightsMethod, ApiError> {
    let invalid =
        || ApiError::invalid("method", "Choisissez une méthode d’attribution des droits.");
    match code {
        "personnalise" => Ok(RightsMethod::Custom),
        "copie" => copy_from
            .map(|from_user| RightsMethod::Copy { from_user })
            .ok_or_else(|| {
                ApiError::invalid(
                    "copy_from",
                    "Choisissez l’utilisateur dont vous souhaitez copier les droits.",
                )
            }),
        other => other
            .strip_prefix("profil:")
            .and_then(Profile::from_code)
            .map(RightsMethod::Profile)
            .ok_or_else(invalid),
    }
}

/// Step 3: the method. Choosing another method starts its grid afresh (the profile's or the
/// copied user's rights); the same method keeps the rights already entered.
pub async fn choose_method(
    caller: &Caller,
    draft_id: &str,
    method: RightsMethod,
) -> Result<(), ApiError> {
    let mut data = load(caller, draft_id).await?;
    if data.email.is_empty() && data.target.is_none() {
        return Err(ApiError::invalid("email", EmailError::Missing.to_string()));
    }
    if data.method != Some(method) || data.rights.is_none() {
        let catalog = store::entities::catalog(caller.state.db.pool(), caller.entity_id()).await?;
        let (baseline, _) = baseline(caller, &method, &catalog).await?;
        let rights = match data.target {
            // A modification starts as the grid does: from the user's rights.
            Some(target) => {
                let current = modify_rights::current(caller, target).await?;
                let copied = method.has_baseline().then_some(&baseline);
                modify_rights::starting_rights(method, &catalog, copied, &current.before.rights)
            }
            None => baseline,
        };
        data.method = Some(method);
        data.rights = Some(rights);
    }
    save(caller, draft_id, data).await
}

/// Reads the grid's ticked boxes (`A12:gestion`, `C3:consultation`…) into rights, applying the
/// invariant (gestion or validation bring consultation).
pub fn parse_cells(cells: &[String], administration: bool) -> Result<Rights, ApiError> {
    model::rights_from_cells(cells, administration)
        .ok_or_else(|| ApiError::invalid("rights", "La sélection de droits est invalide."))
}

/// Today in Paris, the day end dates are compared to.
pub fn today() -> Day {
    Day::in_paris_at(now())
}

/// Step 4: the rights, checked with the method's rules (the same the grid applies), and the
/// optional end date of the rights added.
pub async fn save_rights(
    caller: &Caller,
    draft_id: &str,
    rights: Rights,
    period: Option<Period>,
) -> Result<(), ApiError> {
    let mut data = load(caller, draft_id).await?;
    let method = data.method.ok_or_else(|| {
        ApiError::invalid(
            "method",
            "Choisissez d’abord une méthode d’attribution des droits.",
        )
    })?;
    let catalog = store::entities::catalog(caller.state.db.pool(), caller.entity_id()).await?;
    model::operation::check_assignment(&method, &rights, &catalog)?;
    if period.is_some() {
        let before = match data.target {
            Some(target) => modify_rights::current(caller, target).await?.before,
            None => StoredRights::default(),
        };
        let assignment = Assignment {
            method,
            baseline: Rights::new(),
            source_name: String::new(),
            previous: Origins::new(),
            rights: rights.clone(),
            period,
            previous_ends: before.last_days(),
        };
        assignment.check_period(&before.rights, today())?;
    }
    data.rights = Some(rights);
    data.period = period;
    save(caller, draft_id, data).await
}

/// Step 5, « Confirmer »: checks the whole draft and keeps it as the operation to sign.
pub async fn confirm(caller: &Caller, draft_id: &str) -> Result<String, ApiError> {
    let mut data = load(caller, draft_id).await?;
    let (Some(method), Some(rights)) = (data.method, data.rights.clone()) else {
        return Err(ApiError::invalid(
            "rights",
            "Choisissez d’abord les droits à attribuer.",
        ));
    };
    if let Some(target) = data.target {
        let operation_id =
            modify_rights::prepare(caller, target, method, rights, data.period, Some(draft_id))
                .await?;
        data.operation_id = Some(operation_id.clone());
        store::drafts::update(
            caller.state.db.pool(),
            draft_id,
            caller.entity_id(),
            caller.user_id(),
            &serde_json::to_string(&data)?,
            now(),
        )
        .await?;
        return Ok(operation_id);
    }
    let prepared = prepare(
        caller,
        AddUserDraft {
            person_id: data.person_id,
            email: data.email.clone(),
            method,
            rights,
            period: data.period,
        },
        Some(draft_id),
    )
    .await?;
    data.operation_id = Some(prepared.operation_id.clone());
    store::drafts::update(
        caller.state.db.pool(),
        draft_id,
        caller.entity_id(),
        caller.user_id(),
        &serde_json::to_string(&data)?,
        now(),
    )
    .await?;
    Ok(prepared.operation_id)
}

/// Checks a whole addition and keeps it as the operation to sign.
pub async fn prepare(
    caller: &Caller,
    draft: AddUserDraft,
    draft_id: Option<&str>,
) -> Result<PreparedOperation, ApiError> {
    let person = find_candidate(caller, draft.person_id).await?;
    let email = checked_email(&person, &draft.email)?;
    let catalog = store::entities::catalog(caller.state.db.pool(), caller.entity_id()).await?;
    let (baseline, source_name) = baseline(caller, &draft.method, &catalog).await?;
    let assignment = Assignment {
        method: draft.method,
        baseline,
        source_name,
        previous: Origins::new(),
        rights: draft.rights,
        period: draft.period,
        previous_ends: Vec::new(),
    };
    assignment.check(&catalog)?;
    assignment.check_period(&Rights::new(), today())?;
    let operation = Operation {
        entity_id: caller.entity_id(),
        change: Change::AddUser {
            person_id: person.id,
            person_name: person.registered_name(),
            email,
            assignment,
        },
    };
    let kept = operations::keep(caller, &operation, draft_id).await?;
    let (facts, recap, diff) = describe(caller, &operation).await?;
    let warnings = super::report::operation_warnings(caller, &operation).await?;
    Ok(PreparedOperation {
        operation_id: kept.operation_id,
        digest: kept.digest,
        short_code: kept.short_code,
        kind: operation.kind(),
        facts,
        recap,
        diff,
        warnings,
        expires_in_secs: operations::OPERATION_LIFETIME_SECS,
        admin_has_passkey: kept.has_passkey,
        admin_has_totp: kept.has_totp,
    })
}

/// What « Validez votre opération » shows of an addition.
pub async fn describe(
    caller: &Caller,
    operation: &Operation,
) -> Result<
    (
        Vec<(String, String)>,
        Option<Recap>,
        Option<model::RightsDiff>,
    ),
    ApiError,
> {
    let Change::AddUser {
        person_id,
        person_name,
        email,
        assignment,
    } = &operation.change
    else {
        return Err(ApiError::Internal);
    };
    let pool = caller.state.db.pool();
    let person = store::persons::find(pool, caller.entity_id(), *person_id).await?;
    let catalog = store::entities::catalog(pool, caller.entity_id()).await?;
    let lang = caller.lang;
    let mut facts = vec![(
        lang.pick("Ajout de l’utilisateur", "Adding the user")
            .to_string(),
        person
            .as_ref()
            .map(Person::full_name)
            .unwrap_or_else(|| person_name.clone()),
    )];
    if let Some(person) = &person {
        let card = person_card(person);
        facts.push((lang.pick("Né(e) le", "Born on").into(), card.birth_date));
        facts.push(("E-mail".into(), email.to_string()));
        facts.push((lang.pick("Téléphone", "Phone").into(), card.phone));
    } else {
        facts.push(("E-mail".into(), email.to_string()));
    }
    facts.push((
        lang.pick("Méthode", "Method").into(),
        assignment.method.label_in(&assignment.source_name, lang),
    ));
    if let Some(fact) = period_fact(assignment, &Rights::new(), lang) {
        facts.push(fact);
    }
    let recap = Recap::new(&catalog, &assignment.rights, |r, l| assignment.origin(r, l))
        .with_ends(|r, l| assignment.last_day(&Rights::new(), r, l));
    Ok((facts, Some(recap), None))
}

/// « Droits temporaires : les droits ajoutés, jusqu’au 05/01/2027 inclus », when they are;
/// which rights the period applies to: the ones added to `before`, the temporary ones kept.
pub fn period_fact(
    assignment: &Assignment,
    before: &Rights,
    lang: model::Lang,
) -> Option<(String, String)> {
    let added = !assignment.added_levels(before).is_empty();
    let moved = !assignment.redated_levels().is_empty();
    assignment.period.map(|period| {
        let which = match (added, moved) {
            (true, true) => lang.pick(
                "les droits ajoutés et les droits temporaires en cours,",
                "the rights added and the current temporary rights,",
            ),
            (false, true) => lang.pick(
                "les droits temporaires en cours,",
                "the current temporary rights,",
            ),
            _ => lang.pick("les droits ajoutés,", "the rights added,"),
        };
        (
            lang.pick("Droits temporaires", "Temporary rights").into(),
            format!("{which} {}", period.phrase_in(lang)),
        )
    })
}

/// Where a user's credentials go: the login id (and code) by e-mail, the password by SMS.
pub struct Contact<'a> {
    pub email: &'a str,
    pub phone: &'a str,
}

/// Queues new credentials inside the operation's transaction: the e-mail already worded (login
/// id and code) and the SMS with the temporary password, never in the same channel.
pub async fn enqueue_credentials(
    tx: &mut Tx,
    state: &AppState,
    entity_id: i64,
    to: Contact<'_>,
    email: messages::Email,
    temporary_password: &SecretString,
    lang: model::Lang,
) -> Result<(), ApiError> {
    let hours = state.config.temp_password_ttl_secs / 3600;
    delivery::enqueue(
        tx,
        &state.secrets,
        Message {
            entity_id,
            channel: MessageChannel::Email,
            recipient: to.email,
            subject: &email.subject,
            body: &SecretString::from(email.body),
        },
    )
    .await?;
    delivery::enqueue(
        tx,
        &state.secrets,
        Message {
            entity_id,
            channel: MessageChannel::Sms,
            recipient: to.phone,
            subject: messages::temporary_password_subject(lang),
            body: &messages::temporary_password_sms(
                &state.config.bank_name,
                temporary_password,
                hours,
                lang,
            ),
        },
    )
    .await?;
    Ok(())
}

/// Prepared before the write lock: the temporary password and its hash (tens of milliseconds).
pub struct Inputs {
    pub temporary_password: SecretString,
    pub temporary_hash: String,
    /// The first-login code for the e-mail (with spaces, as shown) and its keyed hash.
    pub email_code: SecretString,
    pub email_code_hash: String,
}

pub async fn inputs(state: &AppState) -> Result<Inputs, ApiError> {
    let temporary_password = password::generate_temporary();
    let temporary_hash = password::temporary_hash(&state.secrets, &temporary_password);
    let email_code = password::generate_email_code();
    let digits =
        password::normalise_email_code(email_code.expose_secret()).ok_or(ApiError::Internal)?;
    Ok(Inputs {
        temporary_password,
        temporary_hash,
        email_code_hash: super::first_login::email_code_hash(&state.secrets, &digits),
        email_code,
    })
}

/// A random login id: 10 digits, not starting with 0 (nor with 1 or 2, kept for the demo).
fn random_login_id() -> Result<LoginId, ApiError> {
    let candidate = rand::thread_rng()
        .gen_range(3_000_000_000u64..10_000_000_000)
        .to_string();
    LoginId::parse(&candidate).map_err(|_| ApiError::Internal)
}

/// Applies a signed addition inside the transaction of `operations::confirm`.
pub async fn apply(
    tx: &mut Tx,
    caller: &Caller,
    operation_id: &str,
    digest: &str,
    operation: &Operation,
    inputs: Inputs,
) -> Result<OperationDone, ApiError> {
    let Change::AddUser {
        person_id,
        email,
        assignment,
        ..
    } = &operation.change
    else {
        return Err(ApiError::Internal);
    };
    let state = &caller.state;
    let entity_id = caller.entity_id();
    let now = now();
    // The catalog may have changed since « Confirmer »: the rights must still be within it.
    let catalog = store::entities::catalog(&mut **tx, entity_id).await?;
    assignment.check(&catalog)?;
    // Approved late (double validation), rights ending before today are not given at all.
    assignment.check_period(&Rights::new(), Day::in_paris_at(now))?;
    let person = store::persons::candidate(&mut **tx, entity_id, *person_id)
        .await?
        .ok_or_else(|| ApiError::Conflict(ALREADY_ADDED.into()))?;
    let administrator = store::users::find(&mut **tx, entity_id, caller.user_id())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let opened = open_access(
        tx,
        state,
        Opening {
            entity_id,
            person: &person,
            email,
            is_administrator: assignment.rights.administration(),
            lang: caller.lang,
            by: OpenedBy {
                name: &administrator.full_name(),
                advisor: false,
                user_id: Some(caller.user_id()),
            },
        },
        &inputs,
    )
    .await?;
    let user_id = opened.user_id;
    store::rights::give(
        tx,
        entity_id,
        user_id,
        &store::rights::with_origins(&assignment.rights, |r, l| assignment.origin(r, l)),
        &Grant {
            operation_id: Some(operation_id),
            granted_at: now,
            granted_by: Some(caller.user_id()),
            ends_at: assignment.period.map(Period::ends_at),
        },
        assignment.period.and_then(Period::starts_at),
    )
    .await?;
    store::operations::set_result_user(tx, operation_id, user_id).await?;
    audit::append(
        tx,
        &state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        Kind::UserAdded,
        json!({
            "operation": operation_id,
            "empreinte": digest,
            "utilisateur": user_id,
            "personne": person_id,
            "identifiant": opened.login_id.as_str(),
            "identifiant_existant": opened.existing_login,
            "contenu_signe": operation.canonical_text(),
        }),
    )
    .await?;
    Ok(OperationDone {
        kind: operation.kind(),
        user_id,
        name: person.full_name(),
        email: email.to_string(),
        phone_masked: mask_phone(&person.phone),
        existing_login: opened.existing_login,
    })
}

/// Who opens an access, as the new user's e-mail names them.
pub struct OpenedBy<'a> {
    pub name: &'a str,
    /// The entity's advisor at the bank (the first administrator, named by the bank).
    pub advisor: bool,
    /// The administrator who opens it (none for the advisor).
    pub user_id: Option<i64>,
}

/// A registered person about to become a user of their entity.
pub struct Opening<'a> {
    pub entity_id: i64,
    pub person: &'a Person,
    pub email: &'a Email,
    pub is_administrator: bool,
    /// The language of the new user's first messages: the one of who opens the access.
    pub lang: model::Lang,
    pub by: OpenedBy<'a>,
}

pub struct Opened {
    pub user_id: i64,
    pub login_id: LoginId,
    /// The person already had a login in another entity of their group, and keeps it.
    pub existing_login: bool,
}

/// Makes a registered person a user, inside the caller's transaction (rights apart): they join
/// the login they already hold in another entity of their group (an e-mail tells them), or get
/// a login of their own (login id and code by e-mail, temporary password by SMS); the e-mail
/// they are reached at is kept on the person, and the user's search text written.
pub async fn open_access(
    tx: &mut Tx,
    state: &AppState,
    opening: Opening<'_>,
    inputs: &Inputs,
) -> Result<Opened, ApiError> {
    let (entity_id, person, email, by) = (
        opening.entity_id,
        opening.person,
        opening.email,
        &opening.by,
    );
    let now = now();
    // The same person, already a user of another entity of their group (the bank registered
    // the same identity there): they keep their login. Read across entities on purpose: only
    // that login's row id, entity, id and language.
    let existing = store::unscoped(store::users::login_of_same_person(
        state.db.pool(),
        entity_id,
        person.id,
    ))
    .await?;
    let (user_id, login_id) = match &existing {
        Some(login) => {
            let inserted = store::users::insert_linked(
                tx,
                store::users::LinkedUser {
                    entity_id,
                    person_id: person.id,
                    email: email.as_str(),
                    is_administrator: opening.is_administrator,
                    login,
                    created_at: now,
                    created_by: by.user_id,
                },
            )
            .await?
            .ok_or_else(|| ApiError::Conflict(ALREADY_ADDED.into()))?;
            let login_id = LoginId::parse(&login.login_id).map_err(|_| ApiError::Internal)?;
            (inserted, login_id)
        }
        None => insert_with_new_login(tx, state, &opening, inputs).await?,
    };
    if person.email.is_none() {
        store::persons::set_email(tx, entity_id, person.id, email.as_str()).await?;
    }
    let search_text = super::users::fold(&format!(
        "{} {} {} {}",
        person.first_name,
        person.last_name,
        login_id.as_str(),
        email.as_str()
    ));
    store::users::set_search_text(&mut **tx, user_id, &search_text).await?;

    let entity = store::entities::find(&mut **tx, entity_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let sign_in_url = format!("{}/connexion", state.public_url);
    // A person of a group reads the language they sign in with.
    let lang = existing
        .as_ref()
        .map_or(opening.lang, |login| login.language);
    let facts = messages::Credentials {
        first_name: &person.first_name,
        last_name: &person.last_name,
        administrator: by.name,
        by_advisor: by.advisor,
        entity: &entity.name,
        login_id: login_id.as_str(),
        hours: state.config.temp_password_ttl_secs / 3600,
        sign_in_url: &sign_in_url,
        bank: &state.config.bank_name,
        email_code: inputs.email_code.expose_secret(),
    };
    if existing.is_some() {
        let joined = messages::entity_joined_email(&facts, lang);
        delivery::enqueue(
            tx,
            &state.secrets,
            Message {
                entity_id,
                channel: MessageChannel::Email,
                recipient: email.as_str(),
                subject: &joined.subject,
                body: &SecretString::from(joined.body),
            },
        )
        .await?;
    } else {
        enqueue_credentials(
            tx,
            state,
            entity_id,
            Contact {
                email: email.as_str(),
                phone: &person.phone,
            },
            messages::credentials_email(&facts, lang),
            &inputs.temporary_password,
            lang,
        )
        .await?;
    }
    Ok(Opened {
        user_id,
        login_id,
        existing_login: existing.is_some(),
    })
}

/// A new user with a login of their own: a random login id (drawn again if taken), the
/// temporary password and the first-login code prepared before the lock.
async fn insert_with_new_login(
    tx: &mut Tx,
    state: &AppState,
    opening: &Opening<'_>,
    inputs: &Inputs,
) -> Result<(i64, LoginId), ApiError> {
    let (entity_id, person_id) = (opening.entity_id, opening.person.id);
    let now = now();
    // A login id is unique across every entity, and under row-level security this transaction
    // sees only its own entity's users: the database is the referee. A login id taken elsewhere
    // inserts nothing and another is drawn; the same person added a moment earlier by another
    // administrator inserts nothing either, and the operation stops there, leaving nothing.
    for _ in 0..20 {
        let login_id = random_login_id()?;
        let inserted = store::users::insert(
            tx,
            NewUser {
                entity_id,
                person_id,
                login_id: login_id.as_str(),
                email: opening.email.as_str(),
                is_administrator: opening.is_administrator,
                temp_password_hash: &inputs.temporary_hash,
                email_code_hash: &inputs.email_code_hash,
                language: opening.lang,
                temp_password_expires_at: now + state.config.temp_password_ttl_secs,
                created_at: now,
                created_by: opening.by.user_id,
            },
        )
        .await?;
        if let Some(id) = inserted {
            return Ok((id, login_id));
        }
        if store::persons::is_user(&mut **tx, entity_id, person_id).await? {
            return Err(ApiError::Conflict(ALREADY_ADDED.into()));
        }
    }
    tracing::error!("no free login id after 20 draws");
    Err(ApiError::Internal)
}
