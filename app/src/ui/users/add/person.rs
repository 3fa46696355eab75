//! Steps 1 and 2: « Sélectionnez votre nouvel utilisateur dans la liste des noms apparaissant
//! à l’écran », then « Vérifiez les données personnelles » and the e-mail.

use super::{use_journey, Breadcrumb, Step, STEPS};
use crate::api::types::AddUserJourney;
use crate::api::users::{add_user_candidates, SaveAddUserEmail, StartAddUser};
use crate::i18n::*;
use crate::ui::common::{
    action_error, busy, field_error, general_error, on_loaded, ErrorNotice, Field, Loading,
    PageHeading, StepIndicator,
};
use crate::ui::RequireSignedIn;
use leptos::prelude::*;
use leptos_meta::Title;

/// Step 1: the persons the advisor registered; choosing one starts the journey's draft.
#[component]
pub fn ChoosePerson() -> impl IntoView {
    let i18n = use_i18n();
    let candidates = Resource::new(|| (), |_| add_user_candidates());
    let start = ServerAction::<StartAddUser>::new();
    let error = action_error(*start);
    view! {
        <Title text=move || format!("{} · {}", t_string!(i18n, add.choose_title), t_string!(i18n, add.title)) />
        <RequireSignedIn admin=true>
            <section class="card journey">
                <Breadcrumb title=Signal::derive(move || t_string!(i18n, add.title).to_string()) />
                <StepIndicator step=1 total=STEPS />
                <PageHeading>{t!(i18n, add.title)}</PageHeading>
                <p class="hint">{t!(i18n, add.registered_first)}</p>
                <ErrorNotice error />
                <Transition fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        on_loaded(candidates.await, move |candidates| {
                            if candidates.persons.is_empty() {
                                let advisor = candidates.advisor;
                                return view! {
                                    <div class="notice notice-info" role="status">
                                        <p>
                                            <strong>{t!(i18n, add.nobody_waiting)}</strong>
                                            " "
                                            {t!(i18n, add.ask_advisor)}
                                        </p>
                                        <p class="advisor">
                                            {advisor.name}<br />{advisor.agency}<br />
                                            {advisor.phone}" · "
                                            <a href=format!("mailto:{}", advisor.email)>{advisor.email.clone()}</a>
                                        </p>
                                    </div>
                                }
                                    .into_any();
                            }
                            view! {
                                <h2>{t!(i18n, add.choose_title)}</h2>
                                // One form, one button per person: the button posts its person.
                                <ActionForm action=start>
                                    <ul class="choices">
                                        {candidates.persons.into_iter().map(|person| {
                                            let born = person.birth_date.clone();
                                            view! {
                                                <li>
                                                    <button class="choice" type="submit" name="form[person_id]" value=person.id.to_string()>
                                                        <span class="choice-title">{person.full_name()}</span>
                                                        <span class="choice-detail">{t!(i18n, add.born_on, date = born.clone())}</span>
                                                    </button>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </ActionForm>
                            }
                                .into_any()
                        })
                    })}
                </Transition>
            </section>
        </RequireSignedIn>
    }
}

/// Step 2: « Vérifiez les données personnelles … et, s’il n’apparaît pas, renseignez l’e-mail. »
#[component]
pub fn PersonalData() -> impl IntoView {
    let i18n = use_i18n();
    let (_, journey) = use_journey(false);
    let save = ServerAction::<SaveAddUserEmail>::new();
    let save_busy = busy(*save);
    let error = action_error(*save);
    let content = move |journey: AddUserJourney| {
        let person = journey.person.clone();
        let draft = journey.draft_id.clone();
        let draft_1 = draft.clone();
        view! {
            <p class="hint">{t!(i18n, add.data_by_advisor)}</p>
            <dl class="facts">
                <div><dt>{t!(i18n, add.last_name)}</dt><dd>{person.last_name.clone()}</dd></div>
                <div><dt>{t!(i18n, add.first_name)}</dt><dd>{person.first_name.clone()}</dd></div>
                <div><dt>{t!(i18n, add.birth_date)}</dt><dd>{person.birth_date.clone()}</dd></div>
                <div><dt>{t!(i18n, add.phone)}</dt><dd>{person.phone.clone()}</dd></div>
            </dl>
            <ActionForm action=save attr:class="form" attr:novalidate="true">
                <input type="hidden" name="form[draft]" value=draft_1 />
                <ErrorNotice error=general_error(error, &["email"]) />
                {if journey.email_registered {
                    view! {
                        <dl class="facts"><div><dt>{t!(i18n, add.email)}</dt><dd>{journey.email.clone()}</dd></div></dl>
                        <input type="hidden" name="form[email]" value=journey.email.clone() />
                    }.into_any()
                } else {
                    view! {
                        <Field
                            id="email"
                            name="form[email]"
                            kind="email"
                            label=move || t!(i18n, add.email)
                            value=journey.email.clone()
                            autocomplete="off"
                            hint=move || t!(i18n, add.email_warning)
                            error=field_error(error, "email")
                        />
                    }.into_any()
                }}
                <div class="actions">
                    <a href="/utilisateurs/ajout">{t!(i18n, common.back)}</a>
                    <button class="button primary" type="submit" disabled=move || save_busy.get()>
                        {t!(i18n, common.proceed)}
                    </button>
                </div>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <Step number=2 title=Signal::derive(move || t_string!(i18n, add.data_title).to_string()) journey content />
    }
}
