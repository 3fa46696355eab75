//! The rights grid: accounts and contracts as rows (grouped), consultation, gestion and
//! validation as columns, whole-row and whole-column toggles, counts per column, a mark on
//! every box that differs from the profile or the copied user (and, in a modification, on every
//! box that gives or takes away a right), and the separate administration right. One component
//! serves the three methods; the rules are `model::RightsEditor`'s.
//!
//! The grid sits in a form: each box posts `form[cells][]=A12:gestion` when ticked, so it works
//! before the wasm arrives (a whole cell is the box's label: a tap anywhere in it ticks it).
//! Once hydrated, every change goes through [`Grid::change`]: it changes the editor, then the
//! signal of each row whose [`model::RowView`] changed, so a click wakes only the boxes of the
//! rows it changed (a single box: one row; a whole column: every row); rows are keyed by their
//! account or contract. On a phone the table turns into one
//! card per account or contract (see `style/main.css`).

use crate::i18n::*;
use crate::ui::common::I18n;
use crate::ui::common::{fill, page_lang};
use leptos::prelude::*;
use model::{Catalog, Level, ResourceRef, RightsEditor, RowState, RowView};
use std::collections::HashMap;

/// A level with a day: when it ends, or when it starts.
type Dated = (ResourceRef, Level, model::Day);

/// The editor, and each row's view as a signal of its own. Rows are derived from the editor,
/// but not by memos: a memo per row would be re-checked, with every box under it, at each click
/// (a hundred rows took most of a phone's frame); [`Grid::change`] writes the editor, then the
/// rows that changed, in the same handler.
#[derive(Clone, Copy)]
struct Grid {
    editor: RwSignal<RightsEditor>,
    rows: StoredValue<HashMap<ResourceRef, RwSignal<RowView>>>,
}

impl Grid {
    fn new(editor: RwSignal<RightsEditor>, catalog: &Catalog) -> Self {
        let rows = editor.with_untracked(|e| {
            catalog
                .resources()
                .map(|r| (r, RwSignal::new(e.row(r))))
                .collect()
        });
        Self {
            editor,
            rows: StoredValue::new(rows),
        }
    }

    /// Changes the editor, then the rows whose view changed.
    fn change(self, change: impl FnOnce(&mut RightsEditor)) {
        self.editor.update(change);
        self.editor.with_untracked(|e| {
            self.rows.with_value(|rows| {
                for (resource, row) in rows {
                    let view = e.row(*resource);
                    if row.get_untracked() != view {
                        row.set(view);
                    }
                }
            })
        });
    }

    /// The row of one of the catalog's accounts or contracts (the grid shows no other).
    fn row(self, resource: ResourceRef) -> Signal<RowView> {
        let row = self.rows.with_value(|rows| rows.get(&resource).copied());
        row.expect("a row for each of the catalog's resources")
            .into()
    }
}

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
    let grid = Grid::new(editor, &catalog);
    #[cfg(feature = "hydrate")]
    {
        before_hydration::read();
        Effect::new(move |_| {
            let Some(table) = table.get() else { return };
            if let Some((cells, administration)) = before_hydration::ticked(&table) {
                grid.change(|e| e.replace_with_cells(&cells, administration));
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
                    <ColumnToggle level grid catalog total />
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
                                <ColumnToggle level grid catalog total />
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <GridGroup title=accounts_title() rows=accounts grid reference dated />
                <GridGroup title=contracts_title() rows=contracts grid reference dated />
            </table>
            <p class="grid-notice" role="status" aria-live="polite">
                {move || notice.get().unwrap_or_default()}
            </p>
            <AdministrationRight grid />
        </div>
    }
    .into_any()
}

/// One group of rows (« Comptes », « Contrats ») in its own `<tbody>`, rows keyed by resource.
#[component]
fn GridGroup(
    title: String,
    rows: Vec<(ResourceRef, String, String)>,
    grid: Grid,
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
                    view! { <GridRow resource label detail grid reference dated /> }
                }
            />
        </tbody>
    }
    .into_any()
}

/// A column's toggle, title and count (« Gestion 5 / 14 »). The toggle needs the wasm; the
/// title and count show without it.
#[component]
fn ColumnToggle(level: Level, grid: Grid, catalog: StoredValue<Catalog>, total: usize) -> AnyView {
    let i18n = use_i18n();
    let editor = grid.editor;
    let state = Memo::new(move |_| {
        editor.with(|e| catalog.with_value(|c| (e.column_state(c, level), e.is_read_only())))
    });
    let count = Memo::new(move |_| editor.with(|e| e.count(level)));
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        grid.change(|e| catalog.with_value(|c| e.set_column(c, level, on)));
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
    grid: Grid,
    reference: StoredValue<String>,
    dated: StoredValue<(Vec<Dated>, Vec<Dated>)>,
) -> AnyView {
    let i18n = use_i18n();
    let row = grid.row(resource);
    let toggle_row = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        grid.change(|e| e.set_row(resource, on));
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
                        prop:checked=move || row.get().state == RowState::All
                        prop:indeterminate=move || row.get().state == RowState::Some
                        prop:disabled=move || row.get().read_only
                        on:change=toggle_row
                    />
                </label>
            </td>
            {Level::ALL.map(|level| view! {
                <GridCell resource level label=label.clone() row grid reference dated />
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
    row: Signal<RowView>,
    grid: Grid,
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
    let cell = Memo::new(move |_| row.get().cell(level));
    let initial = cell.get_untracked();
    let toggle = move |_| grid.change(|e| e.toggle(resource, level));
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
fn AdministrationRight(grid: Grid) -> AnyView {
    let i18n = use_i18n();
    let editor = grid.editor;
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
                        grid.change(|e| e.set_administration(on));
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

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Account, Contract, ContractKind, RightsMethod};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn catalog(accounts: i64, contracts: i64) -> Catalog {
        Catalog {
            accounts: (1..=accounts)
                .map(|id| Account {
                    id,
                    label: format!("Compte {id}"),
                    iban: format!("FR76{id:023}"),
                    currency: "EUR".into(),
                })
                .collect(),
            contracts: (1..=contracts)
                .map(|id| Contract {
                    id,
                    kind: ContractKind::VirementsSepa,
                    label: format!("Contrat {id}"),
                    reference: format!("CT-{id}"),
                })
                .collect(),
        }
    }

    /// How many times each row's view is read again after changes: a memo per row that counts
    /// its runs (memos run when read, so no executor is needed).
    fn watch_rows(
        grid: Grid,
        catalog: &Catalog,
    ) -> Vec<(ResourceRef, Memo<RowView>, Arc<AtomicUsize>)> {
        catalog
            .resources()
            .map(|resource| {
                let runs = Arc::new(AtomicUsize::new(0));
                let row = grid.row(resource);
                let counted = Arc::clone(&runs);
                let memo = Memo::new(move |_| {
                    counted.fetch_add(1, Ordering::Relaxed);
                    row.get()
                });
                memo.get_untracked();
                (resource, memo, runs)
            })
            .collect()
    }

    #[test]
    fn a_click_wakes_the_rows_it_changed_and_no_other() {
        let owner = Owner::new();
        owner.with(|| {
            let catalog = catalog(50, 50);
            let editor = RwSignal::new(RightsEditor::new(RightsMethod::Custom, &catalog, None));
            let grid = Grid::new(editor, &catalog);
            let rows = watch_rows(grid, &catalog);
            let one = ResourceRef::Contract(7);
            grid.change(|e| e.toggle(one, Level::Gestion));
            for (resource, memo, runs) in &rows {
                let view = memo.get_untracked();
                assert_eq!(view, editor.with_untracked(|e| e.row(*resource)));
                let expected = if *resource == one { 2 } else { 1 };
                assert_eq!(runs.load(Ordering::Relaxed), expected, "{resource:?}");
            }
            grid.change(|e| e.set_column(&catalog, Level::Validation, true));
            for (resource, memo, runs) in &rows {
                assert!(memo.get_untracked().cell(Level::Validation).checked);
                let expected = if *resource == one { 3 } else { 2 };
                assert_eq!(
                    runs.load(Ordering::Relaxed),
                    expected,
                    "a whole column changes every row once"
                );
            }
        });
    }
}
