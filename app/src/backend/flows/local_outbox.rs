//! « Boîte locale » (local mode only): the simulated mailbox and phone.

use crate::api::types::LocalMessage;
use crate::api::ApiError;
use crate::backend::delivery;
use crate::backend::store::outbox::Channel;
use crate::backend::{format_time, AppState};

pub async fn messages(state: &AppState) -> Result<Vec<LocalMessage>, ApiError> {
    let delivered = delivery::local_messages(&state.db, &state.secrets).await?;
    let failed = crate::backend::store::outbox::failed(state.db.pool()).await?;
    let channel = |c: Channel| c.code().to_string();
    let mut messages: Vec<LocalMessage> = delivered
        .into_iter()
        .map(|message| LocalMessage {
            id: message.row.id,
            channel: channel(message.row.channel),
            recipient: message.row.recipient,
            subject: message.row.subject,
            body: message
                .body
                .unwrap_or_else(|| "(contenu illisible : clé du serveur changée)".into()),
            delivered_at: format_time(message.row.delivered_at),
            failed: false,
        })
        .collect();
    // Messages that could never be sent are shown too, marked as failed.
    messages.extend(failed.into_iter().map(|message| LocalMessage {
        id: -message.id,
        channel: channel(message.channel),
        recipient: message.recipient,
        subject: message.subject,
        body: format!(
            "Non envoyé : {}",
            message.last_error.unwrap_or_else(|| "erreur inconnue".into())
        ),
        delivered_at: format_time(message.created_at),
        failed: true,
    }));
    Ok(messages)
}
