//! « Revue des accès »: an administrator starts a review of the entity's accesses; every user
//! (removed ones excepted) is listed with their rights to confirm, or to change through the
//! usual signed operation (a modification, suspension or removal applied during the review is
//! recorded as its decision); once nobody is left, the review closes with an evidence file —
//! who confirmed or changed what, when — signed with the server's key and chained into the
//! audit trail by its digest. Auditors read every review; only administrators act.

use super::report;
use crate::api::types::{ReviewDue, ReviewItem, ReviewSummary, ReviewView, ReviewsPage};
use crate::api::ApiError;
use crate::backend::audit::{self, Kind};
use crate::backend::flows::journal::csv_cell;
use crate::backend::format_time;
use crate::backend::guard::Caller;
use crate::backend::security::crypto::{constant_time_eq, sha256_hex, SecretBox};
use crate::backend::store::{self, now, reviews, Tx};
use data_encoding::HEXLOWER;
use model::review::{self as rules, Decision, Progress};
use model::{OperationKind, Recap};
use serde_json::json;

/// The purpose bound into an evidence file's signature.
const EVIDENCE_PURPOSE: &str = "access-review-evidence-v1";

/// The periods an entity may choose between reviews.
const PERIOD_DAYS: std::ops::RangeInclusive<i64> = 7..=730;

const ALREADY_OPEN: &str =
    "Une revue des accès est déjà en cours : terminez-la avant d’en commencer une autre.";
const ALREADY_DECIDED: &str = "Les droits de cet utilisateur ont déjà été revus dans cette revue.";
const CHANGED_SINCE: &str =
    "Les droits de cet utilisateur ont changé depuis l’affichage de la page : vérifiez-les et confirmez à nouveau.";
const ALREADY_CLOSED: &str = "Cette revue est clôturée : elle ne change plus.";
const STILL_PENDING: &str =
    "Des utilisateurs restent à revoir : confirmez ou modifiez leurs droits avant de clôturer la revue.";

/// The reminder of the home page and of « Revue des accès »: a review is due.
pub fn due_after(cadence: reviews::Cadence) -> Option<ReviewDue> {
    let now = now();
    rules::is_due(
        cadence.last_closed_at,
        cadence.period_days,
        cadence.open > 0,
        now,
    )
    .then(|| ReviewDue {
        days_since_last: cadence
            .last_closed_at
            .map(|closed| rules::days_since(closed, now)),
        period_days: cadence.period_days,
    })
}

fn summary(review: reviews::Review) -> ReviewSummary {
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    ReviewSummary {
        id: review.id,
        started_on: format_time(review.started_at),
        started_by: review.started_by_name,
        closed_on: review.closed_at.map(format_time),
        closed_by: review.closed_by_name,
        progress: Progress {
            pending: count(review.pending),
            confirmed: count(review.confirmed),
            changed: count(review.changed),
        },
    }
}

/// « Revue des accès »: the entity's reviews, newest first.
pub async fn list(caller: &Caller) -> Result<ReviewsPage, ApiError> {
    let pool = caller.state.db.pool();
    let entity_id = caller.entity_id();
    let reviews: Vec<ReviewSummary> = reviews::list(pool, entity_id)
        .await?
        .into_iter()
        .map(summary)
        .collect();
    let open_review = reviews
        .iter()
        .find(|review| review.closed_on.is_none())
        .map(|review| review.id);
    let cadence = reviews::cadence(pool, entity_id).await?;
    Ok(ReviewsPage {
        reviews,
        open_review,
        due: due_after(cadence),
        period_days: cadence.period_days,
        can_act: caller.session.is_administrator,
    })
}

/// « Commencer une revue »: every user of the entity (removed ones excepted) to review.
pub async fn start(caller: &Caller) -> Result<i64, ApiError> {
    let mut tx = caller.state.db.begin_write().await?;
    let started = reviews::start(&mut tx, caller.entity_id(), caller.user_id(), now()).await?;
    let Some(review_id) = started else {
        return Err(ApiError::Conflict(ALREADY_OPEN.into()));
    };
    audit::append(
        &mut tx,
        &caller.state.secrets,
        Some(caller.entity_id()),
        Some(caller.user_id()),
        Kind::AccessReviewStarted,
        json!({ "revue": review_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(review_id)
}

/// One review, every user in it with their rights now (still to review) or as decided.
pub async fn page(caller: &Caller, review_id: i64) -> Result<ReviewView, ApiError> {
    let pool = caller.state.db.pool();
    let entity_id = caller.entity_id();
    let review = reviews::find(pool, entity_id, review_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let items = reviews::items(pool, entity_id, review_id).await?;
    // The rights now, for the users still to review: the report's three statements.
    let mut current = if items.iter().any(|item| item.decision == Decision::Pending) {
        report::report(caller).await?.users
    } else {
        Vec::new()
    };
    let signature = match review.closed_at {
        Some(_) => reviews::evidence(pool, entity_id, review_id)
            .await?
            .map(|(_, signature)| signature),
        None => None,
    };
    let items = items
        .into_iter()
        .map(|item| {
            let recap = (item.decision == Decision::Pending).then(|| {
                current
                    .iter_mut()
                    .find(|user| user.user_id == item.user_id)
                    .map(|user| std::mem::take(&mut user.recap))
                    .unwrap_or_default()
            });
            ReviewItem {
                user_id: item.user_id,
                name: format!("{} {}", item.first_name, item.last_name),
                login_id: item.login_id,
                state: item.state,
                version: item.version,
                decision: item.decision,
                recap,
                rights_text: item.rights_text,
                decided_by: item.decided_by_name,
                decided_on: item.decided_at.map(format_time),
            }
        })
        .collect();
    Ok(ReviewView {
        summary: summary(review),
        entity_name: caller.session.entity_name.clone(),
        items,
        can_act: caller.session.is_administrator,
        signature,
    })
}

/// A user's rights now, on one line (the evidence keeps this).
async fn levels_line(tx: &mut Tx, entity_id: i64, user_id: i64) -> Result<String, ApiError> {
    let catalog = store::entities::catalog(&mut **tx, entity_id).await?;
    let stored = store::rights::of_user(&mut **tx, entity_id, user_id).await?;
    Ok(Recap::new(&catalog, &stored.rights, |_, _| model::Origin::Custom).levels_line())
}

/// « Confirmer »: the user's rights stay as the page showed them (at `version`).
pub async fn confirm(
    caller: &Caller,
    review_id: i64,
    user_id: i64,
    version: i64,
) -> Result<(), ApiError> {
    let entity_id = caller.entity_id();
    let mut tx = caller.state.db.begin_write().await?;
    let review = reviews::find(&mut *tx, entity_id, review_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if review.closed_at.is_some() {
        return Err(ApiError::Conflict(ALREADY_CLOSED.into()));
    }
    let user = store::users::find(&mut *tx, entity_id, user_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if user.version != version {
        return Err(ApiError::Conflict(CHANGED_SINCE.into()));
    }
    let rights_text = levels_line(&mut tx, entity_id, user_id).await?;
    let decided = reviews::decide(
        &mut tx,
        entity_id,
        review_id,
        user_id,
        &reviews::Decided {
            decision: Decision::Confirmed,
            rights_text: &rights_text,
            decided_at: now(),
            decided_by: caller.user_id(),
            operation_id: None,
        },
    )
    .await?;
    if !decided {
        return Err(ApiError::Conflict(ALREADY_DECIDED.into()));
    }
    tx.commit().await?;
    Ok(())
}

/// Inside an operation's transaction: a change of a user's rights or access during an open
/// review is that review's decision on them (what they hold after it).
pub async fn record_change(
    tx: &mut Tx,
    caller: &Caller,
    user_id: i64,
    operation_id: &str,
    kind: OperationKind,
) -> Result<(), ApiError> {
    let entity_id = caller.entity_id();
    let Some(review_id) = reviews::pending_in_open_review(&mut **tx, entity_id, user_id).await?
    else {
        return Ok(());
    };
    let rights_text = match kind {
        OperationKind::Remove => "retiré de l’entité : aucun droit".to_string(),
        OperationKind::Suspend => format!(
            "accès suspendu ; {}",
            levels_line(tx, entity_id, user_id).await?
        ),
        _ => levels_line(tx, entity_id, user_id).await?,
    };
    reviews::decide(
        tx,
        entity_id,
        review_id,
        user_id,
        &reviews::Decided {
            decision: Decision::Changed,
            rights_text: &rights_text,
            decided_at: now(),
            decided_by: caller.user_id(),
            operation_id: Some(operation_id),
        },
    )
    .await?;
    Ok(())
}

/// The evidence file's signature: an HMAC-SHA-256 under a key derived from the server's
/// secret key, which the database does not hold.
pub fn evidence_signature(secrets: &SecretBox, evidence: &str) -> String {
    HEXLOWER.encode(&secrets.keyed_hash(EVIDENCE_PURPOSE, evidence.as_bytes()))
}

/// Whether an evidence file (as downloaded: its content, then the signature line) is intact and
/// was signed by this server.
pub fn evidence_is_authentic(secrets: &SecretBox, file: &str) -> bool {
    let Some((content, last)) = file.trim_end_matches("\r\n").rsplit_once("\r\n") else {
        return false;
    };
    let Some(signature) = last
        .strip_prefix(SIGNATURE_LABEL)
        .map(|rest| rest.trim_matches('"'))
    else {
        return false;
    };
    constant_time_eq(
        &evidence_signature(secrets, &format!("{content}\r\n")),
        signature,
    )
}

const SIGNATURE_LABEL: &str = "\"Signature du serveur (HMAC-SHA-256)\";";

/// The evidence of a review whose every user is decided: a CSV file for French spreadsheets.
fn evidence_text(entity: &str, review: &ReviewSummary, items: &[reviews::Item]) -> String {
    let mut out = format!(
        "\u{feff}{};{}\r\n{};{}\r\n{};{}\r\n{};{}\r\n",
        csv_cell("Revue des accès"),
        csv_cell(entity),
        csv_cell("Ouverte le"),
        csv_cell(&format!("{} par {}", review.started_on, review.started_by)),
        csv_cell("Clôturée le"),
        csv_cell(&format!(
            "{} par {}",
            review.closed_on.clone().unwrap_or_default(),
            review.closed_by.clone().unwrap_or_default()
        )),
        csv_cell("Utilisateurs revus"),
        csv_cell(&format!(
            "{} (confirmés {}, modifiés {})",
            review.progress.total(),
            review.progress.confirmed,
            review.progress.changed
        )),
    );
    out.push_str("Utilisateur;Identifiant;Décision;Droits;Par;Le;Opération\r\n");
    for item in items {
        let cells = [
            format!("{} {}", item.first_name, item.last_name),
            item.login_id.clone(),
            item.decision.label_in(model::Lang::Fr).to_string(),
            item.rights_text.clone().unwrap_or_default(),
            item.decided_by_name.clone().unwrap_or_default(),
            item.decided_at.map(format_time).unwrap_or_default(),
            item.operation_id.clone().unwrap_or_default(),
        ];
        let cells: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out
}

/// « Clôturer la revue »: once every user is decided, the evidence file is written, signed,
/// kept with the review and its digest chained into the audit trail.
pub async fn close(caller: &Caller, review_id: i64) -> Result<(), ApiError> {
    let entity_id = caller.entity_id();
    let state = &caller.state;
    let mut tx = state.db.begin_write().await?;
    let review = reviews::find(&mut *tx, entity_id, review_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if review.closed_at.is_some() {
        return Err(ApiError::Conflict(ALREADY_CLOSED.into()));
    }
    if review.pending > 0 {
        return Err(ApiError::Conflict(STILL_PENDING.into()));
    }
    let author = store::users::find(&mut *tx, entity_id, caller.user_id())
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let items = reviews::items(&mut *tx, entity_id, review_id).await?;
    let closed_at = now();
    let mut closed = summary(review);
    closed.closed_on = Some(format_time(closed_at));
    closed.closed_by = Some(author.full_name());
    let evidence = evidence_text(&caller.session.entity_name, &closed, &items);
    let signature = evidence_signature(&state.secrets, &evidence);
    let done = reviews::close(
        &mut tx,
        entity_id,
        review_id,
        caller.user_id(),
        closed_at,
        &evidence,
        &signature,
    )
    .await?;
    if !done {
        // Another administrator closed it in between.
        return Err(ApiError::Conflict(ALREADY_CLOSED.into()));
    }
    audit::append(
        &mut tx,
        &state.secrets,
        Some(entity_id),
        Some(caller.user_id()),
        Kind::AccessReviewClosed,
        json!({
            "revue": review_id,
            "empreinte_preuve": sha256_hex(evidence.as_bytes()),
            "signature": signature,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The evidence file of a closed review, as downloaded: its content, then its signature.
pub async fn evidence(caller: &Caller, review_id: i64) -> Result<String, ApiError> {
    let (evidence, signature) =
        reviews::evidence(caller.state.db.pool(), caller.entity_id(), review_id)
            .await?
            .ok_or(ApiError::NotFound)?;
    Ok(format!(
        "{evidence}{SIGNATURE_LABEL}{}\r\n",
        csv_cell(&signature)
    ))
}

/// Sets the entity's period between reviews.
pub async fn set_period(caller: &Caller, days: &str) -> Result<i64, ApiError> {
    let days = days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|days| PERIOD_DAYS.contains(days))
        .ok_or_else(|| {
            ApiError::invalid(
                "days",
                "Indiquez une période entre 7 et 730 jours, en chiffres.".to_string(),
            )
        })?;
    reviews::set_period(caller.state.db.pool(), caller.entity_id(), days).await?;
    Ok(days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretSlice;

    fn secrets() -> SecretBox {
        SecretBox::new(&SecretSlice::from(vec![7u8; 32])).unwrap()
    }

    #[test]
    fn an_evidence_file_verifies_only_as_signed() {
        let secrets = secrets();
        let content =
            "\u{feff}\"Revue des accès\";\"ACME\"\r\n\"Julien BERNARD\";\"Confirmés\"\r\n";
        let file = format!(
            "{content}{SIGNATURE_LABEL}{}\r\n",
            csv_cell(&evidence_signature(&secrets, content))
        );
        assert!(evidence_is_authentic(&secrets, &file));
        assert!(!evidence_is_authentic(
            &secrets,
            &file.replace("Confirmés", "Modifiés")
        ));
        let other = SecretBox::new(&SecretSlice::from(vec![8u8; 32])).unwrap();
        assert!(!evidence_is_authentic(&other, &file));
        assert!(!evidence_is_authentic(&secrets, content));
    }
}
