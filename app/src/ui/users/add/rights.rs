//! Step 4: the rights grid, for any method.

use super::method::{profile_description, profile_title};
use super::{use_journey, Step};
use crate::api::types::AddUserJourney;
use crate::api::users::SaveAddUserRights;
use crate::i18n::*;
use crate::ui::common::{action_error, busy, fill, page_lang, ErrorNotice};
use crate::ui::home::RecapView;
use crate::ui::operations::Warnings;
use crate::ui::users::grid::RightsGrid;
use leptos::prelude::*;
use model::{RightsEditor, RightsMethod};

#[component]
pub fn ChooseRights() -> impl IntoView {
    let i18n = use_i18n();
    let (_, journey) = use_journey(false);
    let save = ServerAction::<SaveAddUserRights>::new();
    let save_busy = busy(*save);
    let error = action_error(*save);
    let content = move |journey: AddUserJourney| {
        let draft_1 = journey.draft_id.clone();
        let method_url = journey.step_url("methode");
        let Some(method) = journey.method else {
            return view! {
                <p class="notice notice-info">{t!(i18n, add.choose_method_first)}</p>
                <p><a href=method_url>{t!(i18n, add.method_title)}</a></p>
            }
            .into_any();
        };
        // A modification's grid marks every box that gives or takes away a right.
        let mut editor = match &journey.modifying {
            Some(modified) => RightsEditor::modifying(
                method,
                &journey.catalog,
                journey.baseline.as_ref(),
                &modified.before,
            ),
            None => RightsEditor::new(method, &journey.catalog, journey.baseline.as_ref()),
        };
        if let Some(rights) = journey.rights.clone() {
            editor = editor.resume(rights);
        }
        let editor = RwSignal::new(editor);
        // The grant-time warnings, recomputed by the shared model as boxes are ticked: another
        // user's validation stands for all of them.
        let mut others = model::Rights::new();
        for resource in &journey.validated_by_others {
            others.set_levels(*resource, model::Levels::ALL);
        }
        let before = journey
            .modifying
            .as_ref()
            .map(|m| m.before.clone())
            .unwrap_or_default();
        let (grid_catalog, has_factor) = (journey.catalog.clone(), journey.has_factor);
        let held_until = journey
            .modifying
            .as_ref()
            .map(|m| m.ends.clone())
            .unwrap_or_default();
        let held_from = journey
            .modifying
            .as_ref()
            .map(|m| m.starts.clone())
            .unwrap_or_default();
        let warnings = Memo::new(move |_| {
            editor.with(|e| {
                model::warnings::grant_warnings(
                    &grid_catalog,
                    std::slice::from_ref(&others),
                    &before,
                    e.rights(),
                    has_factor,
                )
                .iter()
                .map(|warning| warning.sentence_in(page_lang(i18n)))
                .collect::<Vec<String>>()
            })
        });
        let reference = match method {
            RightsMethod::Profile(profile) => fill(
                t_string!(i18n, grid.of_profile),
                &[("profile", &profile_title(i18n, profile).to_lowercase())],
            ),
            RightsMethod::Copy { .. } => fill(
                t_string!(i18n, grid.of_user),
                &[(
                    "name",
                    &journey
                        .copied
                        .as_ref()
                        .map(|c| c.name.clone())
                        .unwrap_or_default(),
                )],
            ),
            RightsMethod::Custom => String::new(),
        };
        let intro = match method {
            RightsMethod::Copy { .. } => {
                let copied = journey.copied.clone();
                let name = copied.as_ref().map(|c| c.name.clone()).unwrap_or_default();
                view! {
                    <p>{t!(i18n, add.rights_of, name)}</p>
                    {copied.map(|c| view! { <RecapView recap=c.recap /> })}
                    <p><strong>{t!(i18n, add.check_rights)}</strong>" "{t!(i18n, add.adjust_copy)}</p>
                }
                .into_any()
            }
            RightsMethod::Custom => view! { <p>{t!(i18n, add.custom_intro)}</p> }.into_any(),
            RightsMethod::Profile(profile) => {
                view! { <p>{profile_description(i18n, profile)}</p> }.into_any()
            }
        };
        let heading = match method {
            RightsMethod::Copy { .. } => t_string!(i18n, add.copy_recap).to_string(),
            RightsMethod::Custom => t_string!(i18n, add.custom).to_string(),
            RightsMethod::Profile(profile) => profile_title(i18n, profile),
        };
        view! {
            <h2>{heading}</h2>
            {intro}
            <ActionForm action=save attr:class="rights-form">
                <input type="hidden" name="form[draft]" value=draft_1 />
                <RightsGrid catalog=journey.catalog.clone() editor reference ends=held_until starts=held_from />
                <TemporaryDates
                    starts_on=journey.period.and_then(|p| p.starts_on).map(|d| d.iso()).unwrap_or_default()
                    ends_on=journey.period.map(|p| p.ends_on.iso()).unwrap_or_default()
                />
                <div aria-live="polite">
                    {move || view! { <Warnings warnings=warnings.get() /> }}
                </div>
                <ErrorNotice error />
                <div class="actions">
                    <a href=method_url>{t!(i18n, common.back)}</a>
                    <button class="button primary" type="submit" disabled=move || save_busy.get()>
                        {t!(i18n, common.proceed)}
                    </button>
                </div>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <Step number=4 title=Signal::derive(move || t_string!(i18n, add.rights_title).to_string()) journey content />
    }
}

/// « Droits temporaires »: the optional first and last days of the rights this operation adds.
/// Plain date fields: they work before the wasm arrives, and the server checks them.
#[component]
fn TemporaryDates(starts_on: String, ends_on: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <fieldset class="end-date">
            <legend>{t!(i18n, add.period_legend)}</legend>
            <p class="hint" id="ends-on-hint">{t!(i18n, add.period_help)}</p>
            <label for="starts-on">{t!(i18n, add.period_start)}</label>
            <input
                id="starts-on"
                type="date"
                name="form[starts_on]"
                value=starts_on
                aria-describedby="ends-on-hint"
            />
            <label for="ends-on">{t!(i18n, add.period_end)}</label>
            <input
                id="ends-on"
                type="date"
                name="form[ends_on]"
                value=ends_on
                aria-describedby="ends-on-hint"
            />
        </fieldset>
    }
}
