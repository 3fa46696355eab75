//! « Boîte locale »: in local mode, e-mail and SMS land here instead of going out, so the journey
//! can be followed by hand and by tests. The server answers « introuvable » in production.

use super::common::{on_loaded, Loading};
use crate::api::local_outbox::local_outbox;
use crate::api::types::LocalMessage;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LocalOutboxPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let messages = Resource::new(move || version.get(), |_| local_outbox());
    // Refreshes every few seconds while the page is open (messages are sent after commit).
    let timer = StoredValue::new(None::<IntervalHandle>);
    on_cleanup(move || {
        timer.try_with_value(|t| t.iter().for_each(|t| t.clear()));
    });
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Ok(handle) = set_interval_with_handle(
            move || version.update(|v| *v += 1),
            std::time::Duration::from_secs(2),
        ) {
            timer.set_value(Some(handle));
        }
    });
    view! {
        <Title text="Boîte locale · Habilis" />
        <section class="card">
            <h1>"Boîte locale"</h1>
            <p class="hint">
                "Mode local : les e-mails et SMS envoyés par Habilis arrivent ici (messagerie et téléphone simulés). Les plus récents d’abord."
            </p>
            <button class="button" type="button" on:click=move |_| version.update(|v| *v += 1)>"Actualiser"</button>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(messages.await, |messages: Vec<LocalMessage>| {
                        if messages.is_empty() {
                            return view! { <p>"Aucun message pour le moment."</p> }.into_any();
                        }
                        view! {
                            <ul class="messages">
                                {messages.into_iter().map(|m| {
                                    let kind = if m.channel == "sms" { "SMS" } else { "E-mail" };
                                    view! {
                                        <li class="message" data-channel=m.channel.clone() data-recipient=m.recipient.clone()>
                                            <p class="message-head">
                                                <span class="badge small">{kind}</span>
                                                " à "<strong>{m.recipient.clone()}</strong>" — "{m.delivered_at.clone()}
                                            </p>
                                            <p class="message-subject">{m.subject.clone()}</p>
                                            <pre class="message-body">{m.body.clone()}</pre>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    })
                })}
            </Transition>
        </section>
    }
}
