//! The rights grid: accounts and contracts as rows (grouped), consultation, gestion and
//! validation as columns, whole-row and whole-column toggles, counts per column, a mark on
//! every box that differs from the profile or the copied user (and, in a modification, on every
//! box that gives or takes away a right), and the separate administration right. One component
//! serves the three methods; the rules are `model::RightsEditor`'s.
//!
//! The grid sits in a form: each box posts `form[cells][]=A12:gestion` when ticked, so it works
//! before the wasm arrives (a whole cell is the box's label: a tap anywhere in it ticks it).
//! Once hydrated, each box reads its own memo, so a click re-renders only the boxes whose state
//! changed; rows are keyed by their account or contract. On a phone the table turns into one
//! card per account or contract (see `style/main.css`).

use crate::i18n::*;
use crate::ui::common::I18n;
use crate::ui::common::{fill, page_lang};
use leptos::prelude::*;
use model::{Catalog, Level, ResourceRef, RightsEditor, RowState};

/// A level with a day: when it ends, or when it starts.
type Dated = (ResourceRef, Level, model::Day);

/// The value a box posts.
pub fn cell_value(resource: ResourceRef, level: Level) -> String {
    format!("{}:{}", resource.key(), level.code())
}

fn level_title(i18n: I18n, level: Level) -> String {
    match level {
        Level::Consultation => t_string!(i18n, grid.consultation).to_string(),
        Level::Gestion => t_string!(i18n, grid.gestion).to_string(),
        Level::Validation => t_string!(i18n, grid.validation).to_string(),
    }
}

/// Boxes ticked before the wasm arrived: the page was shown by the server and the person
/// clicked; hydration takes over from what the boxes show, not from what the server sent.
///
/// The server's grid is read once, when the first grid is built (before hydration sets the
/// boxes back to what the server sent), and applied by the grid whose table turns out to be
/// the server's: hydration may build a grid, drop it and build another one for the same table.
#[cfg(feature = "hydrate")]
mod before_hydration {
    use std::cell::RefCell;
    use wasm_bindgen::JsCast as _;
    use web_sys::{Element, HtmlInputElement};

    struct ServerGrid {
        table: Element,
        cells: Vec<String>,
        administration: bool,
    }

    thread_local! {
        static READ: RefCell<bool> = const { RefCell::new(false) };
        static SERVER_GRID: RefCell<Option<ServerGrid>> = const { RefCell::new(None) };
    }

    /// Reads the server's grid, the first time only.
    pub fn read() {
        if READ.with(|read| read.replace(true)) {
            return;
        }
        SERVER_GRID.with(|grid| *grid.borrow_mut() = read_grid());
    }

    /// The boxes ticked in `table` before hydration, if it is the server's.
    pub fn ticked(table: &Element) -> Option<(Vec<String>, bool)> {
        SERVER_GRID.with(|grid| {
            grid.borrow()
                .as_ref()
                .filter(|grid| grid.table.is_same_node(Some(table)))
                .map(|grid| (grid.cells.clone(), grid.administration))
        })
    }

    fn read_grid() -> Option<ServerGrid> {
        let document = leptos::prelude::document();
        let table = document.query_selector("table.grid").ok()??;
        let boxes = table
            .query_selector_all("input[type=\"checkbox\"][name=\"form[cells][]\"]")
            .ok()?;
        let cells = (0..boxes.length())
            .filter_map(|i| boxes.item(i))
            .filter_map(|node| node.dyn_into::<HtmlInputElement>().ok())
            .filter(|input| input.checked())
            .map(|input| input.value())
            .collect();
        let administration = document
            .query_selector("input[name=\"form[administration]\"]")
            .ok()
            .flatten()
            .and_then(|node| node.dyn_into::<HtmlInputElement>().ok())
            .is_some_and(|input| input.checked());
        Some(ServerGrid {
            table,
            cells,
            administration,
        })
    }
}

#[component]
pub fn RightsGrid(
    catalog: Catalog,
    editor: RwSignal<RightsEditor>,
    /// What differences are measured against, e.g. « du profil valideur ».
    #[prop(into)]
    reference: String,
    /// « Droits temporaires »: the levels the user holds until a day (a modification).
    #[prop(optional)]
    ends: Vec<(ResourceRef, Level, model::Day)>,
    /// The levels given to the user from a day to come (not held yet).
    #[prop(optional)]
    starts: Vec<(ResourceRef, Level, model::Day)>,
) -> AnyView {
    let i18n = use_i18n();
    let dated = StoredValue::new((ends, starts));
    // Applied once the grid is in the page: applied before, the grid would render other
    // marks than the server's HTML it hydrates.
    let table = NodeRef::<leptos::html::Table>::new();
    #[cfg(feature = "hydrate")]
    {
        before_hydration::read();
        Effect::new(move |_| {
            let Some(table) = table.get() else { return };
            if let Some((cells, administration)) = before_hydration::ticked(&table) {
                editor.update(|e| e.replace_with_cells(&cells, administration));
            }
        });
    }
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
    let accounts_title = move || t_string!(i18n, grid.accounts).to_string();
    let contracts_title = move || t_string!(i18n, grid.contracts).to_string();

    view! {
        <div class="rights-grid">
            <Show when=move || read_only.get()>
                <p class="notice notice-info">{t!(i18n, grid.fixed_profile)}</p>
            </Show>
            <div class="column-toggles js-only" role="group" aria-label=move || t_string!(i18n, grid.whole_columns).to_string()>
                {Level::ALL.map(|level| view! {
                    <ColumnToggle level editor catalog total />
                }).collect_view()}
            </div>
            <table class="grid" node_ref=table>
                <caption class="visually-hidden">{t!(i18n, grid.caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, grid.resource)}</th>
                        <th scope="col" class="js-only">{t!(i18n, grid.whole_row)}</th>
                        {Level::ALL.map(|level| view! {
                            <th scope="col">
                                <ColumnToggle level editor catalog total />
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <GridGroup title=accounts_title() rows=accounts editor reference dated />
                <GridGroup title=contracts_title() rows=contracts editor reference dated />
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
    title: String,
    rows: Vec<(ResourceRef, String, String)>,
    editor: RwSignal<RightsEditor>,
    reference: StoredValue<String>,
    dated: StoredValue<(Vec<Dated>, Vec<Dated>)>,
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
                    view! { <GridRow resource label detail editor reference dated /> }
                }
            />
        </tbody>
    }
    .into_any()
}

/// A column's toggle, title and count (« Gestion 5 / 14 »). The toggle needs the wasm; the
/// title and count show without it.
#[component]
fn ColumnToggle(
    level: Level,
    editor: RwSignal<RightsEditor>,
    catalog: StoredValue<Catalog>,
    total: usize,
) -> AnyView {
    let i18n = use_i18n();
    let state = Memo::new(move |_| {
        editor.with(|e| catalog.with_value(|c| (e.column_state(c, level), e.is_read_only())))
    });
    let count = Memo::new(move |_| editor.with(|e| e.count(level)));
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        editor.update(|e| catalog.with_value(|c| e.set_column(c, level, on)));
    };
    let title = level_title(i18n, level);
    view! {
        <label class="column-toggle">
            <input
                class="js-only"
                type="checkbox"
                aria-label=move || fill(t_string!(i18n, grid.whole_column), &[("column", &level_title(i18n, level))])
                prop:checked=move || state.get().0 == RowState::All
                prop:indeterminate=move || state.get().0 == RowState::Some
                prop:disabled=move || state.get().1
                on:change=toggle
            />
            <span class="column-title">{title}</span>
            <span class="column-count" data-testid=format!("count-{}", level.code())>
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
    dated: StoredValue<(Vec<Dated>, Vec<Dated>)>,
) -> AnyView {
    let i18n = use_i18n();
    let row = Memo::new(move |_| editor.with(|e| (e.row_state(resource), e.is_read_only())));
    let toggle_row = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        editor.update(|e| e.set_row(resource, on));
    };
    let row_label = {
        let label = label.clone();
        move || fill(t_string!(i18n, grid.whole_row_of), &[("resource", &label)])
    };
    view! {
        <tr data-resource=resource.key()>
            <th scope="row" class="resource">
                <span class="resource-label">{label.clone()}</span>
                <span class="resource-detail">{detail}</span>
            </th>
            <td class="row-toggle js-only" data-label=move || t_string!(i18n, grid.all).to_string()>
                <label class="cell-target">
                    <input
                        type="checkbox"
                        aria-label=row_label
                        prop:checked=move || row.get().0 == RowState::All
                        prop:indeterminate=move || row.get().0 == RowState::Some
                        prop:disabled=move || row.get().1
                        on:change=toggle_row
                    />
                </label>
            </td>
            {Level::ALL.map(|level| view! {
                <GridCell resource level label=label.clone() editor reference dated />
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
    dated: StoredValue<(Vec<Dated>, Vec<Dated>)>,
) -> AnyView {
    let i18n = use_i18n();
    // Held until a day: said under the box for as long as it stays ticked.
    let find = |dated: &[Dated]| {
        dated
            .iter()
            .find(|(r, l, _)| *r == resource && *l == level)
            .map(|(_, _, day)| *day)
    };
    let until = dated.with_value(|(ends, _)| find(ends));
    let from = dated.with_value(|(_, starts)| find(starts));
    let cell = Memo::new(move |_| editor.with(|e| e.cell(resource, level)));
    let initial = cell.get_untracked();
    let toggle = move |_| editor.update(|e| e.toggle(resource, level));
    let class = move || {
        let cell = cell.get();
        let mut class = String::from("cell");
        if cell.differs {
            class.push_str(" differs");
        }
        match cell.change {
            Some(true) => class.push_str(" gained"),
            Some(false) => class.push_str(" lost"),
            None => {}
        }
        class
    };
    let title = level_title(i18n, level);
    let value = cell_value(resource, level);
    // A disabled box is not posted: a hidden field carries what it holds (a fixed profile).
    let held_but_disabled = {
        let value = value.clone();
        move || {
            let cell = cell.get();
            (cell.checked && !cell.enabled)
                .then(|| view! { <input type="hidden" name="form[cells][]" value=value.clone() /> })
        }
    };
    view! {
        <td data-label=title.clone() class=class>
            {held_but_disabled}
            // The whole cell is the box's label: a tap anywhere in it ticks the box.
            <label class="cell-target">
                <input
                    type="checkbox"
                    name="form[cells][]"
                    value=value
                    aria-label=format!("{title} — {label}")
                    checked=initial.checked
                    disabled=!initial.enabled
                    prop:checked=move || cell.get().checked
                    prop:disabled=move || !cell.get().enabled
                    on:change=toggle
                />
                <Show when=move || cell.get().differs>
                    <span class="diff-mark" title=move || fill(t_string!(i18n, grid.differs), &[("reference", &reference.get_value())])>
                        "≠"
                        <span class="visually-hidden">{move || format!(" ({})", fill(t_string!(i18n, grid.differs), &[("reference", &reference.get_value())]))}</span>
                    </span>
                </Show>
                {from.map(|day| view! {
                    <span class="until-mark">{fill(t_string!(i18n, grid.from), &[("day", &day.shown_in(page_lang(i18n)))])}</span>
                })}
                {move || until.filter(|_| cell.get().checked).map(|day| view! {
                    <span class="until-mark">{fill(t_string!(i18n, grid.until), &[("day", &day.shown_in(page_lang(i18n)))])}</span>
                })}
                {move || cell.get().change.map(|gained| view! {
                    <span class="change-mark" aria-hidden="true">{if gained { "+" } else { "−" }}</span>
                    <span class="visually-hidden">
                        {if gained { t_string!(i18n, grid.gained).to_string() } else { t_string!(i18n, grid.lost).to_string() }}
                    </span>
                })}
            </label>
        </td>
    }
    .into_any()
}

/// The administration right: separate from the grid and never pre-ticked.
#[component]
fn AdministrationRight(editor: RwSignal<RightsEditor>) -> AnyView {
    let i18n = use_i18n();
    let checked = Memo::new(move |_| editor.with(|e| e.rights().administration()));
    let initial = checked.get_untracked();
    view! {
        <fieldset class="administration">
            <legend>{t!(i18n, grid.administration_legend)}</legend>
            <label class="cell-target">
                <input
                    type="checkbox"
                    name="form[administration]"
                    value="true"
                    checked=initial
                    prop:checked=move || checked.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        editor.update(|e| e.set_administration(on));
                    }
                />
                " "
                {t!(i18n, grid.administration)}
            </label>
            <p class="hint">{t!(i18n, grid.administration_hint)}</p>
        </fieldset>
    }
    .into_any()
}
