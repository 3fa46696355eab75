//! Step 5: « Vérifiez l’ensemble de votre sélection », then « Confirmer ».

use super::{use_journey, Step};
use crate::api::types::AddUserJourney;
use crate::api::users::ConfirmAddUser;
use crate::i18n::*;
use crate::ui::common::{action_error, busy, ErrorNotice};
use crate::ui::home::RecapView;
use crate::ui::operations::{DiffView, Warnings};
use leptos::prelude::*;

#[component]
pub fn Verify() -> impl IntoView {
    let i18n = use_i18n();
    let (_, journey) = use_journey(false);
    let confirm = ServerAction::<ConfirmAddUser>::new();
    let confirm_busy = busy(*confirm);
    let error = action_error(*confirm);
    let content = move |journey: AddUserJourney| {
        let draft_1 = journey.draft_id.clone();
        let rights_url = journey.step_url("droits");
        let Some(recap) = journey.recap.clone() else {
            return view! {
                <p class="notice notice-info">{t!(i18n, add.choose_rights_first)}</p>
                <p><a href=rights_url>{t!(i18n, add.rights_title)}</a></p>
            }
            .into_any();
        };
        let method_label = journey.method_label.clone().unwrap_or_default();
        // « Droits temporaires : les droits ajoutés, jusqu’au 05/01/2027 inclus ».
        let period_text = journey.period_text.clone();
        let period_row = move || {
            period_text.clone().map(|text| {
                view! {
                    <div>
                        <dt>{t!(i18n, add.period_title)}</dt>
                        <dd>{text}</dd>
                    </div>
                }
            })
        };
        let selection = match journey.modifying.as_ref().and_then(|m| m.diff.clone()) {
            // A modification: exactly what the user gains and loses, then their rights after.
            Some(diff) => view! {
                <dl class="facts">
                    <div><dt>{t!(i18n, modify.user)}</dt><dd>{journey.person.full_name()}</dd></div>
                    <div><dt>{t!(i18n, add.method)}</dt><dd>{method_label}</dd></div>
                    {period_row()}
                </dl>
                <DiffView diff />
                <h2>{t!(i18n, modify.rights_after)}</h2>
                <RecapView recap />
            }
            .into_any(),
            None => view! {
                <dl class="facts">
                    <div><dt>{t!(i18n, add.new_user)}</dt><dd>{journey.person.full_name()}</dd></div>
                    <div><dt>{t!(i18n, add.email)}</dt><dd>{journey.email.clone()}</dd></div>
                    <div><dt>{t!(i18n, add.method)}</dt><dd>{method_label}</dd></div>
                    {period_row()}
                </dl>
                <h2>{t!(i18n, add.rights_given)}</h2>
                <RecapView recap />
            }
            .into_any(),
        };
        let warnings = journey.warnings.clone();
        view! {
            {selection}
            <Warnings warnings />
            <ErrorNotice error />
            <ActionForm action=confirm>
                <input type="hidden" name="form[draft]" value=draft_1 />
                <div class="actions">
                    <a href=rights_url>{t!(i18n, add.modify_rights)}</a>
                    <button class="button primary" type="submit" disabled=move || confirm_busy.get()>
                        {t!(i18n, add.confirm)}
                    </button>
                </div>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <Step number=5 title=Signal::derive(move || t_string!(i18n, add.verify_title).to_string()) journey content />
    }
}
