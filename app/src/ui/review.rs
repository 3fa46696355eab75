//! « Revue des accès »: the entity's reviews and the reminder when one is due (`/revues`), and
//! one review (`/revues/{id}`): every user as a card with their rights, « Confirmer » or the
//! way to change them (their page, where every change is a signed operation), then « Clôturer
//! la revue »; once closed, the signed evidence file (CSV) and a printable page. Auditors read;
//! administrators act. Every action is a form: it works before the wasm arrives.

use super::common::{action_error, busy, on_loaded, ErrorNotice, I18n, Loading, PageHeading};
use super::home::RecapView;
use super::RequireSignedIn;
use crate::api::review::{
    load_review, load_reviews, CloseReview, ConfirmReviewItem, SetReviewPeriod, StartReview,
};
use crate::api::types::{ReviewDue, ReviewItem, ReviewSummary, ReviewView, ReviewsPage};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::review::Decision;

#[component]
pub fn ReviewsPage() -> impl IntoView {
    let i18n = use_i18n();
    let start = ServerAction::<StartReview>::new();
    let period = ServerAction::<SetReviewPeriod>::new();
    let page = Resource::new(move || period.version().get(), |_| load_reviews());
    view! {
        <Title text=move || t_string!(i18n, review.title).to_string() />
        <RequireSignedIn oversight=true>
            <section class="card">
                <PageHeading>{t!(i18n, review.title)}</PageHeading>
                <p>{t!(i18n, review.intro)}</p>
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        on_loaded(page.await, move |page| reviews_view(i18n, page, start, period))
                    })}
                </Transition>
            </section>
        </RequireSignedIn>
    }
}

/// « Une revue des accès est due »: never done, or older than the entity's period.
pub fn due_notice(i18n: I18n, due: ReviewDue) -> AnyView {
    let period = due.period_days.to_string();
    match due.days_since_last {
        None => view! {
            <p class="notice notice-warning" role="status" data-testid="review-due">
                {t!(i18n, review.due_never)}
            </p>
        }
        .into_any(),
        Some(days) => {
            let days = days.to_string();
            view! {
                <p class="notice notice-warning" role="status" data-testid="review-due">
                    {t!(i18n, review.due_since, days, period)}
                </p>
            }
            .into_any()
        }
    }
}

fn progress_text(i18n: I18n, review: &ReviewSummary) -> String {
    crate::ui::common::fill(
        t_string!(i18n, review.progress),
        &[
            ("total", &review.progress.total().to_string()),
            ("confirmed", &review.progress.confirmed.to_string()),
            ("changed", &review.progress.changed.to_string()),
            ("pending", &review.progress.pending.to_string()),
        ],
    )
}

fn reviews_view(
    i18n: I18n,
    page: ReviewsPage,
    start: ServerAction<StartReview>,
    period: ServerAction<SetReviewPeriod>,
) -> AnyView {
    let start_error = action_error(*start);
    let starting = busy(*start);
    let period_error = action_error(*period);
    let saving = busy(*period);
    let due = page.due.clone().map(|due| due_notice(i18n, due));
    let resume = page.open_review.map(|id| {
        view! { <p><a class="button primary" href=format!("/revues/{id}")>{t!(i18n, review.resume)}</a></p> }
    });
    let start_form = (page.can_act && page.open_review.is_none()).then(|| {
        view! {
            <ActionForm action=start attr:class="form">
                <ErrorNotice error=start_error />
                <button class="button primary" type="submit" disabled=move || starting.get()>
                    {t!(i18n, review.start)}
                </button>
            </ActionForm>
        }
    });
    let period_days = page.period_days.to_string();
    let period_form = page.can_act.then(|| {
        view! {
            <h2>{t!(i18n, review.period_title)}</h2>
            <ActionForm action=period attr:class="form">
                <ErrorNotice error=period_error />
                <div class="field">
                    <label for="review-period">{t!(i18n, review.period)}</label>
                    <input id="review-period" name="form[days]" type="text" inputmode="numeric" value=period_days.clone() />
                    <p class="hint">{t!(i18n, review.period_hint)}</p>
                </div>
                <button class="button" type="submit" disabled=move || saving.get()>{t!(i18n, review.save_period)}</button>
            </ActionForm>
        }
    });
    let read_only = (!page.can_act)
        .then(|| view! { <p class="notice notice-info">{t!(i18n, review.read_only)}</p> });
    let list = if page.reviews.is_empty() {
        view! { <p>{t!(i18n, review.none)}</p> }.into_any()
    } else {
        view! {
            <table class="users reviews">
                <caption class="visually-hidden">{t!(i18n, review.list)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, review.started)}</th>
                        <th scope="col">{t!(i18n, review.closed)}</th>
                        <th scope="col">{t!(i18n, review.users)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page.reviews.into_iter().map(|review| {
                        let progress = progress_text(i18n, &review);
                        let started = format!("{} · {}", review.started_on, review.started_by);
                        let closed = match (&review.closed_on, &review.closed_by) {
                            (Some(on), Some(by)) => format!("{on} · {by}"),
                            _ => t_string!(i18n, review.under_way).to_string(),
                        };
                        view! {
                            <tr>
                                <th scope="row" data-label=move || t_string!(i18n, review.started).to_string()>
                                    <a href=format!("/revues/{}", review.id)>{started}</a>
                                </th>
                                <td data-label=move || t_string!(i18n, review.closed).to_string()>{closed}</td>
                                <td data-label=move || t_string!(i18n, review.users).to_string()>{progress}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        {due}
        {read_only}
        {resume}
        {start_form}
        <h2>{t!(i18n, review.list)}</h2>
        {list}
        {period_form}
    }
    .into_any()
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("review")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or_default()
    });
    let confirm = ServerAction::<ConfirmReviewItem>::new();
    let close = ServerAction::<CloseReview>::new();
    // Read again after each confirmation or closing (the same address, so no navigation).
    let review = Resource::new(
        move || (id.get(), confirm.version().get(), close.version().get()),
        |(review_id, _, _)| load_review(review_id),
    );
    view! {
        <Title text=move || t_string!(i18n, review.title).to_string() />
        <RequireSignedIn oversight=true>
            <section class="card report review">
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        on_loaded(review.await, move |review| review_view(i18n, review, confirm, close))
                    })}
                </Transition>
                <p class="back-link no-print"><a href="/revues">{t!(i18n, review.back)}</a></p>
            </section>
        </RequireSignedIn>
    }
}

fn decision_label(i18n: I18n, decision: Decision) -> String {
    match decision {
        Decision::Pending => t_string!(i18n, review.pending).to_string(),
        Decision::Confirmed => t_string!(i18n, review.confirmed).to_string(),
        Decision::Changed => t_string!(i18n, review.changed).to_string(),
    }
}

fn review_view(
    i18n: I18n,
    review: ReviewView,
    confirm: ServerAction<ConfirmReviewItem>,
    close: ServerAction<CloseReview>,
) -> AnyView {
    let summary = review.summary.clone();
    let (started_on, started_by) = (summary.started_on.clone(), summary.started_by.clone());
    let entity = review.entity_name.clone();
    let progress = progress_text(i18n, &summary);
    let is_open = summary.closed_on.is_none();
    let can_act = review.can_act && is_open;
    let confirm_error = action_error(*confirm);
    let close_error = action_error(*close);
    let closing = busy(*close);
    let state = match (&summary.closed_on, &summary.closed_by) {
        (Some(on), Some(by)) => {
            let (on, by) = (on.clone(), by.clone());
            view! { <p class="notice notice-success" role="status">{t!(i18n, review.closed_on, on, by)}</p> }.into_any()
        }
        _ => view! { <p class="notice notice-info">{t!(i18n, review.open_intro)}</p> }.into_any(),
    };
    let review_id = summary.id;
    let evidence = review.signature.clone().map(|signature| {
        view! {
            <div class="actions no-print">
                <a class="button" href=format!("/revues/{review_id}/preuve.csv") download="revue-des-acces.csv" rel="external">{t!(i18n, review.evidence)}</a>
                <button class="button js-only" type="button" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    {
                        let _ = window().print();
                    }
                }>{t!(i18n, report.print)}</button>
            </div>
            <p>{t!(i18n, review.signature)}" "<code class="checkpoint" data-testid="evidence-signature">{signature}</code></p>
        }
    });
    let close_form = can_act.then(|| {
        view! {
            <ActionForm action=close attr:class="form no-print">
                <ErrorNotice error=close_error />
                <input type="hidden" name="form[review_id]" value=review_id.to_string() />
                <button class="button primary" type="submit" disabled=move || closing.get()>
                    {t!(i18n, review.close)}
                </button>
            </ActionForm>
        }
    });
    let items = review
        .items
        .into_iter()
        .map(|item| item_view(i18n, review_id, item, can_act, confirm))
        .collect_view();
    view! {
        <PageHeading>{t!(i18n, review.heading, started_on)}</PageHeading>
        <p class="report-meta">{t!(i18n, review.meta, entity, started_by)}</p>
        {state}
        <p role="status" data-testid="review-progress">{progress}</p>
        {evidence}
        <ErrorNotice error=confirm_error />
        <ul class="review-items plain-list">{items}</ul>
        {close_form}
    }
    .into_any()
}

fn item_view(
    i18n: I18n,
    review_id: i64,
    item: ReviewItem,
    can_act: bool,
    confirm: ServerAction<ConfirmReviewItem>,
) -> impl IntoView {
    let pending = busy(*confirm);
    let decision = item.decision;
    let badge = match decision {
        Decision::Pending => "badge small warning",
        Decision::Confirmed | Decision::Changed => "badge small",
    };
    let state = crate::ui::users::state_label(i18n, item.state);
    let decided = match (&item.decided_by, &item.decided_on) {
        (Some(by), Some(on)) => {
            let (by, on) = (by.clone(), on.clone());
            Some(view! { <p class="recap-detail">{t!(i18n, review.decided, by, on)}</p> })
        }
        _ => None,
    };
    let rights = match (item.recap.clone(), item.rights_text.clone()) {
        (Some(recap), _) => view! { <RecapView recap=recap /> }.into_any(),
        (None, Some(text)) => view! { <p class="review-rights">{text}</p> }.into_any(),
        (None, None) => ().into_any(),
    };
    let actions = (can_act && decision == Decision::Pending).then(|| {
        let user_id = item.user_id;
        view! {
            <div class="actions">
                <ActionForm action=confirm attr:class="inline-form">
                    <input type="hidden" name="form[review_id]" value=review_id.to_string() />
                    <input type="hidden" name="form[user_id]" value=user_id.to_string() />
                    <input type="hidden" name="form[version]" value=item.version.to_string() />
                    <button class="button primary" type="submit" disabled=move || pending.get()>
                        {t!(i18n, review.confirm)}
                    </button>
                </ActionForm>
                <a class="button" href=format!("/utilisateurs/{user_id}")>{t!(i18n, review.change)}</a>
            </div>
        }
    });
    view! {
        <li class="review-item" data-testid="review-item">
            <h2>
                {item.name.clone()}" · "{item.login_id.clone()}" · "{state}
                " "<span class=badge>{decision_label(i18n, decision)}</span>
            </h2>
            {rights}
            {decided}
            {actions}
        </li>
    }
}
