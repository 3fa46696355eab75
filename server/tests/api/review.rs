//! « Auditeur » and « Revue des accès »: an auditor reads the oversight pages and nothing else,
//! from the next request after the signed operation that names them; a review lists every user,
//! takes confirmations and the signed operations applied meanwhile as its decisions, closes only
//! once nobody is left, and leaves an evidence file signed by the server and chained into the
//! audit trail; another entity's review answers like a missing one.

use crate::helpers::{refused, spawn_app, Client, TestApp};
use crate::journey::confirm_with_totp;
use app::api::journal::{LoadEntitlementReport, LoadJournal};
use app::api::operations::LoadOperation;
use app::api::review::{
    CloseReview, ConfirmReviewItem, LoadReview, LoadReviews, SetReviewPeriod, StartReview,
};
use app::api::session::{CurrentSession, Home};
use app::api::types::{
    JournalSearch, ReviewForm, ReviewItemForm, ReviewPeriodForm, ReviewView, UserForm, UserSearch,
};
use app::api::users::{
    LoadUser, PrepareAuditorRemoval, PrepareAuditorRole, PrepareSuspension, SearchUsers,
};
use app::api::ApiError;
use app::backend::demo::{JULIEN_BERNARD, NADIA_PETIT, PAUL_LEFEVRE};
use app::backend::flows::review::evidence_is_authentic;
use model::review::Decision;

async fn sign_and_apply(app: &TestApp, admin: &mut Client, operation_id: String) {
    let operation = admin
        .call(LoadOperation { operation_id })
        .await
        .unwrap()
        .operation;
    confirm_with_totp(app, admin, &operation).await.unwrap();
}

async fn make_auditor(app: &TestApp, admin: &mut Client, user_id: i64, auditor: bool) {
    let form = UserForm { user_id };
    let operation_id = if auditor {
        admin.call(PrepareAuditorRole { form }).await.unwrap()
    } else {
        admin.call(PrepareAuditorRemoval { form }).await.unwrap()
    };
    sign_and_apply(app, admin, operation_id).await;
}

fn conflict(failure: crate::helpers::Failure) -> String {
    assert_eq!(failure.status, 409, "{failure:?}");
    match failure.error {
        Some(ApiError::Conflict(message)) => message,
        other => panic!("a conflict expected, not {other:?}"),
    }
}

#[tokio::test]
async fn an_auditor_reads_the_journal_the_report_and_the_reviews_and_nothing_else() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let nadia_id = app.user_id(NADIA_PETIT.login_id).await;
    // Before: Nadia is a plain user.
    let mut nadia = app.sign_in(&NADIA_PETIT).await;
    refused(
        nadia
            .call(LoadJournal {
                search: JournalSearch::default(),
            })
            .await,
        403,
    );

    make_auditor(&app, &mut admin, nadia_id, true).await;
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT is_auditor FROM users WHERE id = {nadia_id}"
        ))
        .await,
        1
    );
    assert_eq!(
        app.scalar_i64("SELECT COUNT(*) FROM audit_events WHERE kind = 'role_auditeur'")
            .await,
        1
    );
    assert_eq!(
        app.scalar_i64(
            "SELECT COUNT(*) FROM outbox WHERE recipient = 'nadia.petit@atelier-lumiere.fr'"
        )
        .await,
        1,
        "Nadia is told by e-mail"
    );
    let again = admin
        .call(PrepareAuditorRole {
            form: UserForm { user_id: nadia_id },
        })
        .await
        .unwrap_err();
    assert_eq!(conflict(again), "Cet utilisateur est déjà auditeur.");

    // Her open session reads the role at its next request.
    let info = nadia.call(CurrentSession {}).await.unwrap().unwrap();
    assert!(info.is_auditor && !info.is_administrator);
    let journal = nadia
        .call(LoadJournal {
            search: JournalSearch::default(),
        })
        .await
        .unwrap();
    assert!(journal.entries.iter().any(|e| e.kind == "Rôle d’auditeur"));
    let report = nadia.call(LoadEntitlementReport {}).await.unwrap();
    assert!(!report.reader_is_administrator);
    let reviews = nadia.call(LoadReviews {}).await.unwrap();
    assert!(!reviews.can_act);
    assert_eq!(nadia.get("/journal.csv").await.status(), 200);
    assert_eq!(nadia.get("/habilitations.csv").await.status(), 200);
    let home = nadia.call(Home {}).await.unwrap();
    assert!(home.is_auditor);
    assert!(home.review_due.is_some(), "never reviewed: a review is due");

    // Nothing else of the administration, and no change at all.
    refused(
        nadia
            .call(SearchUsers {
                search: UserSearch::default(),
            })
            .await,
        403,
    );
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    refused(nadia.call(LoadUser { user_id: julien_id }).await, 403);
    refused(
        nadia
            .call(PrepareSuspension {
                form: UserForm { user_id: julien_id },
            })
            .await,
        403,
    );
    refused(nadia.call(StartReview {}).await, 403);
    refused(
        nadia
            .call(SetReviewPeriod {
                form: ReviewPeriodForm { days: "30".into() },
            })
            .await,
        403,
    );

    // Taken away: refused again at her next request.
    make_auditor(&app, &mut admin, nadia_id, false).await;
    refused(
        nadia
            .call(LoadJournal {
                search: JournalSearch::default(),
            })
            .await,
        403,
    );
    assert_eq!(nadia.get("/habilitations.csv").await.status(), 403);
    let home = nadia.call(Home {}).await.unwrap();
    assert!(!home.is_auditor && home.review_due.is_none());
}

async fn review(client: &mut Client, review_id: i64) -> ReviewView {
    client.call(LoadReview { review_id }).await.unwrap()
}

async fn confirm(
    client: &mut Client,
    review_id: i64,
    user_id: i64,
    version: i64,
) -> Result<(), crate::helpers::Failure> {
    client
        .call(ConfirmReviewItem {
            form: ReviewItemForm {
                review_id,
                user_id,
                version,
            },
        })
        .await
}

#[tokio::test]
async fn an_access_review_is_decided_user_by_user_and_closes_with_signed_evidence() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    let home = admin.call(Home {}).await.unwrap();
    assert_eq!(
        home.review_due
            .map(|due| (due.days_since_last, due.period_days)),
        Some((None, 90))
    );

    let review_id = admin.call(StartReview {}).await.unwrap();
    assert_eq!(
        conflict(admin.call(StartReview {}).await.unwrap_err()),
        "Une revue des accès est déjà en cours : terminez-la avant d’en commencer une autre."
    );
    assert!(admin.call(Home {}).await.unwrap().review_due.is_none());
    let entity = app
        .scalar_i64("SELECT entity_id FROM users WHERE login_id = '1000000001'")
        .await;
    let users = app
        .scalar_i64(&format!(
            "SELECT COUNT(*) FROM users WHERE entity_id = {entity} AND state <> 'removed'"
        ))
        .await;
    let view = review(&mut admin, review_id).await;
    assert_eq!(view.items.len() as i64, users);
    assert!(view.can_act);
    assert!(view.items.iter().all(|i| i.decision == Decision::Pending));
    assert_eq!(view.summary.progress.pending as i64, users);
    let julien_id = app.user_id(JULIEN_BERNARD.login_id).await;
    let julien = view.items.iter().find(|i| i.user_id == julien_id).unwrap();
    let page = admin.call(LoadUser { user_id: julien_id }).await.unwrap();
    assert_eq!(julien.recap.as_ref(), Some(&page.recap), "the rights now");

    // Not closed while anyone is left.
    let close = admin
        .call(CloseReview {
            form: ReviewForm { review_id },
        })
        .await
        .unwrap_err();
    assert!(conflict(close).starts_with("Des utilisateurs restent à revoir"));

    // A confirmation of rights changed since the page was read is refused.
    assert!(conflict(
        confirm(&mut admin, review_id, julien_id, julien.version + 1)
            .await
            .unwrap_err()
    )
    .starts_with("Les droits de cet utilisateur ont changé"));
    confirm(&mut admin, review_id, julien_id, julien.version)
        .await
        .unwrap();
    assert!(conflict(
        confirm(&mut admin, review_id, julien_id, julien.version)
            .await
            .unwrap_err()
    )
    .contains("déjà été revus"));

    // A suspension signed during the review is Nadia's decision.
    let nadia_id = app.user_id(NADIA_PETIT.login_id).await;
    let operation_id = admin
        .call(PrepareSuspension {
            form: UserForm { user_id: nadia_id },
        })
        .await
        .unwrap();
    sign_and_apply(&app, &mut admin, operation_id.clone()).await;
    let view = review(&mut admin, review_id).await;
    let nadia = view.items.iter().find(|i| i.user_id == nadia_id).unwrap();
    assert_eq!(nadia.decision, Decision::Changed);
    assert!(nadia
        .rights_text
        .as_deref()
        .unwrap()
        .starts_with("accès suspendu ; "));
    assert_eq!(nadia.decided_by.as_deref(), Some("Sophie MARTIN"));

    // Everyone else confirmed, then closed.
    for item in view
        .items
        .iter()
        .filter(|i| i.decision == Decision::Pending)
    {
        confirm(&mut admin, review_id, item.user_id, item.version)
            .await
            .unwrap();
    }
    admin
        .call(CloseReview {
            form: ReviewForm { review_id },
        })
        .await
        .unwrap();
    let closed = review(&mut admin, review_id).await;
    assert_eq!(closed.summary.closed_by.as_deref(), Some("Sophie MARTIN"));
    assert_eq!(closed.summary.progress.changed, 1);
    assert_eq!(closed.summary.progress.pending, 0);
    let signature = closed.signature.clone().expect("signed");
    assert!(admin.call(Home {}).await.unwrap().review_due.is_none());
    assert!(conflict(
        confirm(&mut admin, review_id, julien_id, julien.version)
            .await
            .unwrap_err()
    )
    .contains("clôturée"));

    // The evidence file: who decided what, signed by the server, its digest in the trail.
    let response = admin.get(&format!("/revues/{review_id}/preuve.csv")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let file = response.text().await.unwrap();
    assert!(file.starts_with("\u{feff}\"Revue des accès\";\"Atelier Lumière SAS\"\r\n"));
    assert!(file.contains("Utilisateur;Identifiant;Décision;Droits;Par;Le;Opération\r\n"));
    let line_of = |name: &str| {
        file.lines()
            .find(|l| l.starts_with(&format!("\"{name}\"")))
            .unwrap_or_else(|| panic!("{name} in {file}"))
            .to_string()
    };
    assert!(line_of("Julien BERNARD").contains(";\"Confirmés\";"));
    let nadia_line = line_of("Nadia PETIT");
    assert!(nadia_line.contains(";\"Modifiés\";\"accès suspendu ; "));
    // As a spreadsheet cell: an id that starts with « - » (one in 64) is neutralised with a « ' ».
    assert!(
        nadia_line.ends_with(&app::backend::flows::journal::csv_cell(&operation_id)),
        "{nadia_line}"
    );
    assert!(file.ends_with(&format!("\"{signature}\"\r\n")));
    assert!(evidence_is_authentic(&app.state.secrets, &file));
    assert!(!evidence_is_authentic(
        &app.state.secrets,
        &file.replace("Confirmés", "Modifiés")
    ));
    let digest = app::backend::security::crypto::sha256_hex(
        &file.as_bytes()[..file.rfind("\"Signature du serveur").unwrap()],
    );
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'revue_acces_cloturee' \
             AND details LIKE '%{digest}%'"
        ))
        .await,
        1,
        "the evidence's digest is chained into the audit trail"
    );

    // Another entity's review answers like a missing one; its evidence too.
    let mut paul = app.sign_in(&PAUL_LEFEVRE).await;
    let theirs = paul.call(LoadReview { review_id }).await.unwrap_err();
    let missing = paul
        .call(LoadReview { review_id: 999_999 })
        .await
        .unwrap_err();
    assert_eq!((theirs.status, &theirs.body), (404, &missing.body));
    assert_eq!(
        paul.get(&format!("/revues/{review_id}/preuve.csv"))
            .await
            .status(),
        404
    );
    assert!(paul.call(LoadReviews {}).await.unwrap().reviews.is_empty());
}

#[tokio::test]
async fn the_period_between_reviews_is_the_entity_s_and_the_reminder_follows_it() {
    let app = spawn_app().await;
    let mut admin = app.sign_in_admin().await;
    for bad in ["3", "731", "trente", ""] {
        let failure = admin
            .call(SetReviewPeriod {
                form: ReviewPeriodForm { days: bad.into() },
            })
            .await
            .unwrap_err();
        assert_eq!(failure.status, 422, "{bad}");
        assert_eq!(
            failure.error.unwrap().to_string(),
            "Indiquez une période entre 7 et 730 jours, en chiffres."
        );
    }
    assert_eq!(
        app.scalar_i64("SELECT MIN(access_review_period_days) FROM entities")
            .await,
        90,
        "nothing changed"
    );
    admin
        .call(SetReviewPeriod {
            form: ReviewPeriodForm {
                days: " 30 ".into(),
            },
        })
        .await
        .unwrap();
    assert_eq!(admin.call(LoadReviews {}).await.unwrap().period_days, 30);

    // A review closed 31 days ago (every user confirmed) is older than the period.
    let review_id = admin.call(StartReview {}).await.unwrap();
    for item in review(&mut admin, review_id).await.items {
        confirm(&mut admin, review_id, item.user_id, item.version)
            .await
            .unwrap();
    }
    admin
        .call(CloseReview {
            form: ReviewForm { review_id },
        })
        .await
        .unwrap();
    assert!(admin.call(Home {}).await.unwrap().review_due.is_none());
    app.execute(&format!(
        "UPDATE access_reviews SET closed_at = closed_at - 31 * 86400 WHERE id = {review_id}"
    ))
    .await;
    let due = admin.call(Home {}).await.unwrap().review_due.unwrap();
    assert_eq!((due.days_since_last, due.period_days), (Some(31), 30));
    let page = admin.call(LoadReviews {}).await.unwrap();
    assert_eq!(page.reviews.len(), 1);
    assert!(page.due.is_some() && page.open_review.is_none());
}
