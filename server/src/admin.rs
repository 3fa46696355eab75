//! The bank's back-office commands, run on a server host against the same database.

use app::backend::audit::{self, Kind};
use app::backend::security::crypto::SecretBox;
use app::backend::store::{self, Db};
use serde_json::json;

/// Recomputes the audit trail's hash chain. Returns a report, and whether the chain is intact.
pub async fn verify_audit(
    db: &Db,
    secrets: &SecretBox,
    checkpoint: Option<&audit::Checkpoint>,
) -> Result<(String, bool), sqlx::Error> {
    let verification = match checkpoint {
        Some(checkpoint) => audit::verify_against(db, secrets, checkpoint).await?,
        None => audit::verify(db, secrets).await?,
    };
    Ok(match verification.first_broken {
        None => (
            format!(
                "audit trail intact: {} events checked",
                verification.checked
            ),
            true,
        ),
        Some((id, reason)) => (
            format!(
                "audit trail BROKEN at event {id}: {reason} ({} events before it are intact)",
                verification.checked
            ),
            false,
        ),
    })
}

/// Unblocks a user blocked after five failed strong authentications: the documented way to
/// regain access, done by the bank after checking the person's identity. The counter restarts
/// and the event is audited.
pub async fn unblock(
    db: &Db,
    secrets: &SecretBox,
    login_id: &str,
    operator: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let Some((user_id, entity_id)) = store::users::unblock_by_login_id(&mut tx, login_id).await?
    else {
        return Ok(false);
    };
    audit::append(
        &mut tx,
        secrets,
        Some(entity_id),
        None,
        Kind::UserUnblocked,
        json!({ "utilisateur": user_id, "par": operator }),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
