//! « Boîte locale »: in local mode, e-mail and SMS land here instead of going out, so the journey
//! can be followed by hand and by tests. The server answers « introuvable » in production.

use super::common::{on_loaded, Loading, PageHeading};
use crate::api::local_outbox::local_outbox;
use crate::api::types::LocalMessage;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LocalOutboxPage() -> impl IntoView {
    let i18n = use_i18n();
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
        <Title text=move || t_string!(i18n, outbox.title).to_string() />
        <section class="card">
            <PageHeading>{t!(i18n, outbox.title)}</PageHeading>
            <p class="hint">{t!(i18n, outbox.intro)}</p>
            <a class="button" href="/boite-locale" rel="external">{t!(i18n, outbox.refresh)}</a>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    on_loaded(messages.await, move |messages: Vec<LocalMessage>| {
                        if messages.is_empty() {
                            return view! { <p>{t!(i18n, outbox.empty)}</p> }.into_any();
                        }
                        view! {
                            <ul class="messages">
                                {messages.into_iter().map(|m| {
                                    let kind = if m.channel == "sms" { "SMS" } else { "E-mail" };
                                    let (recipient, when) = (m.recipient.clone(), m.delivered_at.clone());
                                    view! {
                                        <li class="message" class:message-failed=m.failed data-channel=m.channel.clone() data-recipient=m.recipient.clone()>
                                            <p class="message-head">
                                                <span class="badge small">{kind}</span>
                                                " "
                                                {t!(i18n, outbox.to, recipient, when)}
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
