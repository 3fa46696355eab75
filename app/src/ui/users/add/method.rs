//! Step 3: one of the three methods of attribution of the reference page.

use super::{use_journey, Step};
use crate::api::types::AddUserJourney;
use crate::api::users::ChooseAddUserMethod;
use crate::i18n::*;
use crate::ui::common::I18n;
use crate::ui::common::{action_error, ErrorNotice};
use leptos::prelude::*;
use model::Profile;

pub fn profile_description(i18n: I18n, profile: Profile) -> String {
    match profile {
        Profile::Dirigeant => t_string!(i18n, add.dirigeant_description).to_string(),
        Profile::Comptable => t_string!(i18n, add.comptable_description).to_string(),
        Profile::Preparateur => t_string!(i18n, add.preparateur_description).to_string(),
        Profile::Valideur => t_string!(i18n, add.valideur_description).to_string(),
    }
}

pub fn profile_title(i18n: I18n, profile: Profile) -> String {
    match profile {
        Profile::Dirigeant => t_string!(i18n, add.dirigeant).to_string(),
        Profile::Comptable => t_string!(i18n, add.comptable).to_string(),
        Profile::Preparateur => t_string!(i18n, add.preparateur).to_string(),
        Profile::Valideur => t_string!(i18n, add.valideur).to_string(),
    }
}

#[component]
pub fn ChooseMethod() -> impl IntoView {
    let i18n = use_i18n();
    let (_, journey) = use_journey(true);
    let choose = ServerAction::<ChooseAddUserMethod>::new();
    let error = action_error(*choose);
    let content = move |journey: AddUserJourney| {
        let draft = journey.draft_id.clone();
        let draft_1 = draft.clone();
        let draft_2 = draft.clone();
        // Back: to the personal data of an addition, to the user's page of a modification.
        let back = match &journey.modifying {
            Some(modified) => format!("/utilisateurs/{}", modified.user_id),
            None => journey.step_url("donnees"),
        };
        let intro = journey.modifying.as_ref().map(|_| {
            let name = journey.person.full_name();
            view! { <p>{t!(i18n, modify.method_intro, name)}</p> }
        });
        view! {
            <ErrorNotice error />
            {intro}
            <div class="methods">
                <div class="method">
                    <h2>{t!(i18n, add.copy_heading)}</h2>
                    // A disclosure: the list of users opens without JavaScript too.
                    <details class="copy-choice">
                        <summary class="button">{t!(i18n, add.copy)}</summary>
                        <p>{t!(i18n, add.copy_choose)}</p>
                        <ActionForm action=choose>
                            <input type="hidden" name="form[draft]" value=draft_1 />
                            <input type="hidden" name="form[method]" value="copie" />
                            <ul class="choices">
                                {journey.users.clone().into_iter().map(|user| view! {
                                    <li>
                                        <button class="choice" type="submit" name="form[copy_from]" value=user.id.to_string()>
                                            <span class="choice-title">{user.full_name()}</span>
                                            <span class="choice-detail">{user.rights_summary.clone()}</span>
                                        </button>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </ActionForm>
                    </details>
                </div>
                <ActionForm action=choose attr:class="method-forms">
                    <input type="hidden" name="form[draft]" value=draft_2 />
                    <div class="method">
                        <h2>{t!(i18n, add.custom_heading)}</h2>
                        <button class="button" type="submit" name="form[method]" value="personnalise">
                            {t!(i18n, add.custom)}
                        </button>
                    </div>
                    <div class="method">
                        <h2>{t!(i18n, add.profile_heading)}</h2>
                        <p>{t!(i18n, add.four_profiles)}</p>
                        <ul class="choices">
                            {Profile::ALL.map(|profile| view! {
                                <li>
                                    <button class="choice" type="submit" name="form[method]" value=format!("profil:{}", profile.code())>
                                        <span class="choice-title">{profile_title(i18n, profile)}</span>
                                        <span class="choice-detail">{profile_description(i18n, profile)}</span>
                                    </button>
                                </li>
                            }).collect_view()}
                        </ul>
                    </div>
                </ActionForm>
            </div>
            <div class="actions">
                <a href=back>{t!(i18n, common.back)}</a>
            </div>
        }
        .into_any()
    };
    view! {
        <Step number=3 title=Signal::derive(move || t_string!(i18n, add.method_title).to_string()) journey content />
    }
}
