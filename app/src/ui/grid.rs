//! The rights grid: accounts and contracts as rows (grouped), consultation, gestion and
//! validation as columns, whole-row and whole-column toggles, counts per column, a mark on
//! every box that differs from the profile or the copied user, and the separate
//! administration right. One component serves the three methods; the rules are
//! `model::RightsEditor`'s.
//!
//! Each box reads its own memo, so a click re-renders only the boxes whose state changed; rows
//! are keyed by their account or contract. On a phone the table turns into one card per
//! account or contract (see `style/main.css`).

use leptos::prelude::*;
use model::{Catalog, Level, ResourceRef, RightsEditor, RowState};

#[component]
pub fn RightsGrid(
    catalog: Catalog,
    editor: RwSignal<RightsEditor>,
    /// What differences are measured against, e.g. « du profil valideur ».
    #[prop(into)]
    reference: String,
) -> AnyView {
    let rows =
        |resources: Vec<ResourceRef>, catalog: &Catalog| -> Vec<(ResourceRef, String, String)> {
            resources
                .into_iter()
                .map(|r| {
                    (
                        r,
                        catalog.label(r).unwrap_or_default().to_string(),
                        catalog.detail(r).unwrap_or_default(),
                    )
                })
                .collect()
        };
    let accounts = rows(
        catalog
            .resources()
            .filter(ResourceRef::is_account)
            .collect(),
        &catalog,
    );
    let contracts = rows(
        catalog.resources().filter(|r| !r.is_account()).collect(),
        &catalog,
    );
    let total = catalog.len();
    let catalog = StoredValue::new(catalog);
    let notice = Memo::new(move |_| editor.with(|e| e.notice().map(str::to_string)));
    let read_only = Memo::new(move |_| editor.with(RightsEditor::is_read_only));
    let reference = StoredValue::new(reference);

    view! {
        <div class="rights-grid">
            <Show when=move || read_only.get()>
                <p class="notice notice-info">
                    "Ce profil s’attribue tel quel : les droits ci-dessous sont donnés en un seul clic."
                </p>
            </Show>
            <div class="column-toggles" role="group" aria-label="Colonnes entières">
                {Level::ALL.map(|level| view! {
                    <ColumnToggle level editor catalog total />
                }).collect_view()}
            </div>
            <table class="grid">
                <caption class="visually-hidden">
                    "Droits par compte et contrat : consultation, gestion et validation"
                </caption>
                <thead>
                    <tr>
                        <th scope="col">"Compte ou contrat"</th>
                        <th scope="col">"Tous ses droits"</th>
                        {Level::ALL.map(|level| view! {
                            <th scope="col">
                                <ColumnToggle level editor catalog total />
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <GridGroup title="Comptes" rows=accounts editor reference />
                <GridGroup title="Contrats" rows=contracts editor reference />
            </table>
            <p class="grid-notice" role="status" aria-live="polite">
                {move || notice.get().unwrap_or_default()}
            </p>
            <AdministrationRight editor />
        </div>
    }
    .into_any()
}

/// One group of rows (« Comptes », « Contrats ») in its own `<tbody>`, rows keyed by resource.
#[component]
fn GridGroup(
    title: &'static str,
    rows: Vec<(ResourceRef, String, String)>,
    editor: RwSignal<RightsEditor>,
    reference: StoredValue<String>,
) -> AnyView {
    view! {
        <tbody>
            <tr class="group-row">
                <th scope="rowgroup" colspan="5">{title}</th>
            </tr>
            <For
                each=move || rows.clone()
                key=|(r, _, _)| r.key()
                children=move |(resource, label, detail)| {
                    view! { <GridRow resource label detail editor reference /> }
                }
            />
        </tbody>
    }
    .into_any()
}

/// A column's toggle, title and count (« Gestion 5 / 14 »).
#[component]
fn ColumnToggle(
    level: Level,
    editor: RwSignal<RightsEditor>,
    catalog: StoredValue<Catalog>,
    total: usize,
) -> AnyView {
    let state = Memo::new(move |_| {
        editor.with(|e| catalog.with_value(|c| (e.column_state(c, level), e.is_read_only())))
    });
    let count = Memo::new(move |_| editor.with(|e| e.count(level)));
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        editor.update(|e| catalog.with_value(|c| e.set_column(c, level, on)));
    };
    view! {
        <label class="column-toggle">
            <input
                type="checkbox"
                aria-label=format!("Toute la colonne {}", level.title())
                prop:checked=move || state.get().0 == RowState::All
                prop:indeterminate=move || state.get().0 == RowState::Some
                prop:disabled=move || state.get().1
                on:change=toggle
            />
            <span class="column-title">{level.title()}</span>
            <span class="column-count" data-testid=format!("count-{}", level.label())>
                {move || format!("{} / {total}", count.get())}
            </span>
        </label>
    }
    .into_any()
}

#[component]
fn GridRow(
    resource: ResourceRef,
    label: String,
    detail: String,
    editor: RwSignal<RightsEditor>,
    reference: StoredValue<String>,
) -> AnyView {
    let row = Memo::new(move |_| editor.with(|e| (e.row_state(resource), e.is_read_only())));
    let toggle_row = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        editor.update(|e| e.set_row(resource, on));
    };
    let row_label = format!("Tous ses droits — {label}");
    view! {
        <tr data-resource=resource.key()>
            <th scope="row" class="resource">
                <span class="resource-label">{label.clone()}</span>
                <span class="resource-detail">{detail}</span>
            </th>
            <td class="row-toggle" data-label="Tout">
                <input
                    type="checkbox"
                    aria-label=row_label
                    prop:checked=move || row.get().0 == RowState::All
                    prop:indeterminate=move || row.get().0 == RowState::Some
                    prop:disabled=move || row.get().1
                    on:change=toggle_row
                />
            </td>
            {Level::ALL.map(|level| view! {
                <GridCell resource level label=label.clone() editor reference />
            }).collect_view()}
        </tr>
    }
    .into_any()
}

#[component]
fn GridCell(
    resource: ResourceRef,
    level: Level,
    label: String,
    editor: RwSignal<RightsEditor>,
    reference: StoredValue<String>,
) -> AnyView {
    let cell = Memo::new(move |_| editor.with(|e| e.cell(resource, level)));
    let toggle = move |_| editor.update(|e| e.toggle(resource, level));
    view! {
        <td
            data-label=level.title()
            class=move || if cell.get().differs { "cell differs" } else { "cell" }
        >
            <input
                type="checkbox"
                aria-label=format!("{} — {}", level.title(), label)
                prop:checked=move || cell.get().checked
                prop:disabled=move || !cell.get().enabled
                on:change=toggle
            />
            <Show when=move || cell.get().differs>
                <span class="diff-mark" title=move || format!("Diffère {}", reference.get_value())>
                    "≠"
                    <span class="visually-hidden">{move || format!(" (diffère {})", reference.get_value())}</span>
                </span>
            </Show>
        </td>
    }
    .into_any()
}

/// The administration right: separate from the grid and never pre-ticked.
#[component]
fn AdministrationRight(editor: RwSignal<RightsEditor>) -> AnyView {
    let checked = Memo::new(move |_| editor.with(|e| e.rights().administration()));
    view! {
        <fieldset class="administration">
            <legend>"Droit d’administration"</legend>
            <label>
                <input
                    type="checkbox"
                    prop:checked=move || checked.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        editor.update(|e| e.set_administration(on));
                    }
                />
                " Droit d’administration : gérer les utilisateurs de l’entité et leurs droits"
            </label>
            <p class="hint">"Jamais coché par un profil ni copié : à cocher vous-même, si nécessaire."</p>
        </fieldset>
    }
    .into_any()
}
