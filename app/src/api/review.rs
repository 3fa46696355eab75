//! « Revue des accès »: auditors read the reviews; administrators start them, confirm each
//! user's rights (changes go through the usual signed operations), close them with a signed
//! evidence file (served at `/revues/{id}/preuve.csv`) and set the period between them.

use super::types::{ReviewForm, ReviewItemForm, ReviewPeriodForm, ReviewView, ReviewsPage};
use super::{ApiError, StrictJson};
use leptos::server;

#[cfg(feature = "ssr")]
use crate::backend::{flows, guard};

/// The entity's reviews, and whether one is due.
#[server(prefix = "/api", endpoint = "revues", input = StrictJson)]
pub async fn load_reviews() -> Result<ReviewsPage, ApiError> {
    let caller = guard::overseer()?;
    flows::review::list(&caller).await
}

/// One review with every user in it.
#[server(prefix = "/api", endpoint = "revues/revue", input = StrictJson)]
pub async fn load_review(review_id: i64) -> Result<ReviewView, ApiError> {
    let caller = guard::overseer()?;
    flows::review::page(&caller, review_id).await
}

/// « Commencer une revue des accès ».
#[server(prefix = "/api", endpoint = "revues/ouverture")]
pub async fn start_review() -> Result<i64, ApiError> {
    let caller = guard::administrator()?;
    let review_id = flows::review::start(&caller).await?;
    guard::redirect(&format!("/revues/{review_id}"));
    Ok(review_id)
}

/// « Confirmer »: a user's rights stay as shown.
#[server(prefix = "/api", endpoint = "revues/confirmation")]
pub async fn confirm_review_item(form: ReviewItemForm) -> Result<(), ApiError> {
    let caller = guard::administrator()?;
    flows::review::confirm(&caller, form.review_id, form.user_id, form.version).await?;
    guard::redirect(&format!("/revues/{}", form.review_id));
    Ok(())
}

/// « Clôturer la revue »: the signed evidence file is written.
#[server(prefix = "/api", endpoint = "revues/cloture")]
pub async fn close_review(form: ReviewForm) -> Result<(), ApiError> {
    let caller = guard::administrator()?;
    flows::review::close(&caller, form.review_id).await?;
    guard::redirect(&format!("/revues/{}", form.review_id));
    Ok(())
}

/// The entity's period between reviews, in days.
#[server(prefix = "/api", endpoint = "revues/periode")]
pub async fn set_review_period(form: ReviewPeriodForm) -> Result<i64, ApiError> {
    let caller = guard::administrator()?;
    let days = flows::review::set_period(&caller, &form.days).await?;
    guard::redirect("/revues");
    Ok(days)
}
