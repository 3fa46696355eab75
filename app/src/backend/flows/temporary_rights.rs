//! « Droits temporaires »: the sweep that gives scheduled levels on their first day, removes
//! temporary levels at their end, and reminds the user and the administrators three days
//! before.
//!
//! Every server instance sweeps (at start-up, then every minute); nothing is coordinated but
//! the database: each user's levels are handled in one transaction under the entity's lock,
//! and read again under it, so a level ends once, with one audit event (authored by nobody: the
//! system) and one set of e-mails, whichever instance gets there first. A server stopped past
//! an end catches up when it starts.

use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::delivery::messages::{self, Moment};
use crate::backend::delivery::{self, Message, MessageChannel};
use crate::backend::store::rights::Ended;
use crate::backend::store::{self};
use crate::backend::AppState;
use model::period::{until_phrase, REMINDER_BEFORE_SECS};
use model::{Catalog, Day, Lang};
use serde_json::json;

/// Users handled per sweep and per kind of work; the next sweep takes the rest.
const BATCH: i64 = 500;

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Users whose scheduled levels started.
    pub started: usize,
    /// Users whose temporary levels ended.
    pub ended: usize,
    /// Users reminded that theirs end soon.
    pub reminded: usize,
}

/// Starts what starts at `now`, ends what has ended, and sends the reminders due. Starts come
/// first: rights whose whole period passed while no server ran are given, then removed, and
/// both are recorded.
pub async fn sweep(state: &AppState, now: i64) -> Result<Swept, ApiError> {
    let mut swept = Swept::default();
    let pool = state.db.pool();
    for moment in [Moment::Started, Moment::Ended, Moment::Reminder] {
        let users = match moment {
            Moment::Started => store::rights::users_with_started(pool, now, BATCH).await?,
            Moment::Ended => store::rights::users_with_ended(pool, now, BATCH).await?,
            Moment::Reminder => {
                store::rights::users_to_remind(pool, now, REMINDER_BEFORE_SECS, BATCH).await?
            }
        };
        for (entity_id, user_id) in users {
            if store::scoped(entity_id, step(state, entity_id, user_id, now, moment)).await? {
                match moment {
                    Moment::Started => swept.started += 1,
                    Moment::Ended => swept.ended += 1,
                    Moment::Reminder => swept.reminded += 1,
                }
            }
        }
    }
    if swept != Swept::default() {
        state.outbox_wake.notify_one();
    }
    Ok(swept)
}

/// One user's levels at `moment`, in one transaction under the entity's lock, read again under
/// it; false when another instance already did it.
async fn step(
    state: &AppState,
    entity_id: i64,
    user_id: i64,
    now: i64,
    moment: Moment,
) -> Result<bool, ApiError> {
    let mut tx = state.db.begin_write().await?;
    store::entities::lock_for_administration(&mut tx, entity_id).await?;
    let levels = match moment {
        Moment::Started => store::rights::start_scheduled(&mut tx, entity_id, user_id, now).await?,
        Moment::Ended => store::rights::remove_ended(&mut tx, entity_id, user_id, now).await?,
        Moment::Reminder => {
            store::rights::mark_reminded(&mut tx, entity_id, user_id, now, REMINDER_BEFORE_SECS)
                .await?
        }
    };
    if levels.is_empty() {
        return Ok(false);
    }
    // The user's rights changed: operations prepared against them as they were are void.
    if moment != Moment::Reminder {
        store::users::bump_version(&mut tx, entity_id, user_id).await?;
    }
    tell(&mut tx, state, entity_id, user_id, &levels, moment).await?;
    tx.commit().await?;
    Ok(true)
}

/// The audit event (by the system) and the e-mails to the user and the other administrators.
async fn tell(
    tx: &mut store::Tx,
    state: &AppState,
    entity_id: i64,
    user_id: i64,
    levels: &[Ended],
    moment: Moment,
) -> Result<(), ApiError> {
    let user = store::users::find(&mut **tx, entity_id, user_id)
        .await?
        .ok_or(ApiError::Internal)?;
    let catalog = store::entities::catalog(&mut **tx, entity_id).await?;
    audit::append(
        tx,
        &state.secrets,
        Some(entity_id),
        None,
        match moment {
            Moment::Started => Kind::TemporaryRightsStarted,
            Moment::Reminder => Kind::TemporaryRightsReminded,
            Moment::Ended => Kind::TemporaryRightsEnded,
        },
        json!({
            "utilisateur": user_id,
            "identifiant": user.login_id,
            "droits": levels.iter().map(|level| format!(
                "{} {}",
                level.resource().map(|r| r.key()).unwrap_or_default(),
                level.level
            )).collect::<Vec<_>>(),
            "fin": levels.iter().map(|level| last_day(level).iso()).collect::<Vec<_>>(),
        }),
    )
    .await?;
    let bank = &state.config.bank_name;
    let mut recipients = vec![(user.email.clone(), user.language, None)];
    for (email, language) in
        store::users::administrators_to_notify(&mut **tx, entity_id, user_id).await?
    {
        let lang = Lang::from_code(&language).unwrap_or_default();
        recipients.push((email, lang, Some(user.full_name())));
    }
    for (recipient, lang, about) in recipients {
        let email = messages::temporary_rights_email(
            bank,
            moment,
            about.as_deref(),
            &lines(&catalog, levels, lang),
            lang,
        );
        delivery::enqueue(
            tx,
            &state.secrets,
            Message {
                entity_id,
                channel: MessageChannel::Email,
                recipient: &recipient,
                subject: &email.subject,
                body: &secrecy::SecretString::from(email.body),
            },
        )
        .await?;
    }
    Ok(())
}

/// The last day a level is held: the day its end instant closes.
fn last_day(level: &Ended) -> Day {
    Day::in_paris_at(level.ends_at - 1)
}

/// « Compte courant (FR76 …) : validation, jusqu’au 05/01/2027 inclus », one per level.
fn lines(catalog: &Catalog, levels: &[Ended], lang: Lang) -> Vec<String> {
    levels
        .iter()
        .filter_map(|ended| {
            let resource = ended.resource()?;
            let level = ended.level()?;
            let label = catalog.label(resource).unwrap_or_default();
            let detail = catalog
                .detail(resource)
                .filter(|d| !d.is_empty())
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            Some(format!(
                "{label}{detail} : {}, {}",
                level.label_in(lang),
                until_phrase(last_day(ended), lang)
            ))
        })
        .collect()
}
