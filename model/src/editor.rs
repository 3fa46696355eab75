//! The rights grid's state: what each cell shows, what a click does, and the rules of each
//! method. The grid component only renders [`RightsEditor::cell`] and calls the methods below;
//! all the rules live here, where they are unit-tested without a browser.

use crate::catalog::{Catalog, ResourceRef};
use crate::operation::{check_assignment, AssignmentError, RightsMethod};
use crate::rights::{Implication, Level, Levels, Rights};
use serde::{Deserialize, Serialize};

/// What one checkbox of the grid shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellView {
    pub checked: bool,
    /// False for a fixed profile, and outside a customisable profile's pre-ticked boxes.
    pub enabled: bool,
    /// Differs from the profile or the copied user: the grid marks it.
    pub differs: bool,
    /// In a modification: the box gives (`Some(true)`) or takes away (`Some(false)`) a right the
    /// user holds today.
    pub change: Option<bool>,
}

/// What one row of the grid shows: its whole-row toggle and its three boxes, in
/// [`Level::ALL`]'s order. The grid derives each row from the editor once per change, and each
/// box from its row, so a click re-derives the boxes of the rows it changed only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowView {
    pub state: RowState,
    pub read_only: bool,
    pub cells: [CellView; 3],
}

impl RowView {
    pub fn cell(&self, level: Level) -> CellView {
        match level {
            Level::Consultation => self.cells[0],
            Level::Gestion => self.cells[1],
            Level::Validation => self.cells[2],
        }
    }
}

/// A box of the grid as a form posts it: `A12:gestion`, `C3:consultation`.
pub fn parse_cell(value: &str) -> Option<(ResourceRef, Level)> {
    let (resource, level) = value.split_once(':')?;
    let id: i64 = resource.get(1..)?.parse().ok()?;
    let resource = match resource.chars().next()? {
        'A' => ResourceRef::Account(id),
        'C' => ResourceRef::Contract(id),
        _ => return None,
    };
    Some((resource, Level::from_code(level)?))
}

/// The rights a form's ticked boxes give, the invariant applied (gestion or validation bring
/// consultation). `None` when a box is not of the grid's shape.
pub fn rights_from_cells(cells: &[String], administration: bool) -> Option<Rights> {
    let mut rights = Rights::new();
    let mut parsed = cells
        .iter()
        .map(|cell| parse_cell(cell))
        .collect::<Option<Vec<_>>>()?;
    // Consultation first: unticking is never implied by the order boxes arrive in.
    parsed.sort_by_key(|(_, level)| *level);
    for (resource, level) in parsed {
        rights.set(resource, level, true);
    }
    rights.set_administration(administration);
    Some(rights)
}

/// The state of a whole-row or whole-column toggle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowState {
    All,
    Some,
    None,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsEditor {
    method: RightsMethod,
    /// What the method started from; empty for custom rights.
    baseline: Rights,
    current: Rights,
    /// In a modification, the user's rights today: the grid shows what changes.
    before: Option<Rights>,
    /// Why the last change touched more than the clicked box, for the grid's live region.
    notice: Option<String>,
}

impl RightsEditor {
    /// Starts a grid for a method. `copied` is the copied user's rights (for a copy); the
    /// administration right is never copied nor pre-ticked.
    pub fn new(method: RightsMethod, catalog: &Catalog, copied: Option<&Rights>) -> RightsEditor {
        let baseline = match method {
            RightsMethod::Profile(profile) => profile.rights(catalog),
            RightsMethod::Copy { .. } => {
                let copied = copied.cloned().unwrap_or_default().without_administration();
                // Keep only this catalog's resources: the copy can never widen the scope.
                copied.intersect(&Rights::uniform(catalog, Levels::ALL))
            }
            RightsMethod::Custom => Rights::new(),
        };
        RightsEditor {
            method,
            current: baseline.clone(),
            baseline,
            before: None,
            notice: None,
        }
    }

    /// Starts a grid that modifies a user's rights: custom rights start from what the user holds
    /// (the administration right included); a profile or a copy starts from its own rights, and
    /// keeps the user's administration right until the box is changed.
    pub fn modifying(
        method: RightsMethod,
        catalog: &Catalog,
        copied: Option<&Rights>,
        before: &Rights,
    ) -> RightsEditor {
        let mut editor = RightsEditor::new(method, catalog, copied);
        if method == RightsMethod::Custom {
            editor.current = before.intersect(&Rights::uniform(catalog, Levels::ALL));
        }
        editor.current.set_administration(before.administration());
        editor.before = Some(before.clone());
        editor
    }

    /// Takes the boxes as a page shows them (ticked before the page became interactive).
    pub fn replace_with_cells(&mut self, cells: &[String], administration: bool) {
        if let Some(rights) = rights_from_cells(cells, administration) {
            self.current = rights;
            self.notice = None;
        }
    }

    /// The user's rights before the modification, if this grid modifies a user.
    pub fn before(&self) -> Option<&Rights> {
        self.before.as_ref()
    }

    /// Resumes a grid with rights entered earlier (going back in the journey keeps them).
    pub fn resume(mut self, rights: Rights) -> RightsEditor {
        self.current = rights;
        self
    }

    pub fn method(&self) -> RightsMethod {
        self.method
    }

    pub fn rights(&self) -> &Rights {
        &self.current
    }

    pub fn baseline(&self) -> &Rights {
        &self.baseline
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    pub fn is_read_only(&self) -> bool {
        self.method.is_read_only()
    }

    /// The most a row may hold: the profile's levels for a customisable profile, everything
    /// otherwise.
    fn row_bound(&self, resource: ResourceRef) -> Levels {
        if self.method.is_bounded() {
            self.baseline.get(resource)
        } else {
            Levels::ALL
        }
    }

    fn is_enabled(&self, resource: ResourceRef, level: Level) -> bool {
        !self.is_read_only() && self.row_bound(resource).has(level)
    }

    pub fn cell(&self, resource: ResourceRef, level: Level) -> CellView {
        let checked = self.current.get(resource).has(level);
        CellView {
            checked,
            enabled: self.is_enabled(resource, level),
            differs: self.method.has_baseline()
                && checked != self.baseline.get(resource).has(level),
            change: self
                .before
                .as_ref()
                .map(|before| before.get(resource).has(level))
                .filter(|held| *held != checked)
                .map(|_| checked),
        }
    }

    /// A whole row, as [`RowView`] shows it.
    pub fn row(&self, resource: ResourceRef) -> RowView {
        RowView {
            state: self.row_state(resource),
            read_only: self.is_read_only(),
            cells: Level::ALL.map(|level| self.cell(resource, level)),
        }
    }

    /// Clicks one box. Does nothing on a disabled box.
    pub fn toggle(&mut self, resource: ResourceRef, level: Level) {
        if !self.is_enabled(resource, level) {
            return;
        }
        let on = !self.current.get(resource).has(level);
        let implication = self.current.set(resource, level, on);
        self.notice = implication.map(|i| i.explanation());
    }

    pub fn row_state(&self, resource: ResourceRef) -> RowState {
        let held = self.current.get(resource);
        let bound = self.row_bound(resource);
        if held.is_empty() {
            RowState::None
        } else if held == bound {
            RowState::All
        } else {
            RowState::Some
        }
    }

    /// Ticks every box of a row (within the profile), or unticks them all.
    pub fn set_row(&mut self, resource: ResourceRef, on: bool) {
        if self.is_read_only() {
            return;
        }
        let levels = if on {
            self.row_bound(resource)
        } else {
            Levels::NONE
        };
        self.current.set_levels(resource, levels);
        self.notice = None;
    }

    pub fn column_state(&self, catalog: &Catalog, level: Level) -> RowState {
        let enabled: Vec<ResourceRef> = catalog
            .resources()
            .filter(|r| self.row_bound(*r).has(level))
            .collect();
        let held = enabled
            .iter()
            .filter(|r| self.current.get(**r).has(level))
            .count();
        match held {
            0 => RowState::None,
            n if n == enabled.len() => RowState::All,
            _ => RowState::Some,
        }
    }

    /// Ticks or unticks a whole column, applying the invariant on each row.
    pub fn set_column(&mut self, catalog: &Catalog, level: Level, on: bool) {
        let mut notice = None;
        for resource in catalog.resources() {
            if self.is_enabled(resource, level) {
                let implication = self.current.set(resource, level, on);
                if notice.is_none() {
                    notice = implication.map(|i: Implication| i.explanation());
                }
            }
        }
        self.notice = notice;
    }

    /// The count under a column.
    pub fn count(&self, level: Level) -> usize {
        self.current.count(level)
    }

    /// How many boxes differ from the profile or the copied user.
    pub fn differences(&self, catalog: &Catalog) -> usize {
        catalog
            .resources()
            .flat_map(|r| Level::ALL.map(|level| self.cell(r, level)))
            .filter(|cell| cell.differs)
            .count()
    }

    /// The separate administration right, always ticked by hand.
    pub fn set_administration(&mut self, on: bool) {
        self.current.set_administration(on);
    }

    /// The same check the server runs.
    pub fn check(&self, catalog: &Catalog) -> Result<(), AssignmentError> {
        check_assignment(&self.method, &self.current, catalog)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;
    use proptest::prelude::*;

    fn catalog() -> Catalog {
        crate::catalog::test_catalog(&[1, 2, 3], &[10, 11])
    }

    const A1: ResourceRef = ResourceRef::Account(1);
    const C10: ResourceRef = ResourceRef::Contract(10);

    #[test]
    fn preparateur_pre_ticks_consultation_and_gestion_and_validation_stays_out_of_reach() {
        let catalog = catalog();
        let mut editor =
            RightsEditor::new(RightsMethod::Profile(Profile::Preparateur), &catalog, None);
        assert_eq!(editor.count(Level::Consultation), 5);
        assert_eq!(editor.count(Level::Gestion), 5);
        assert_eq!(editor.count(Level::Validation), 0);
        let validation = editor.cell(A1, Level::Validation);
        assert!(!validation.enabled && !validation.checked);
        editor.toggle(A1, Level::Validation);
        assert_eq!(
            editor.count(Level::Validation),
            0,
            "a disabled box does not tick"
        );
    }

    #[test]
    fn a_row_view_holds_the_row_state_and_its_three_boxes_in_column_order() {
        let catalog = catalog();
        let mut editor =
            RightsEditor::new(RightsMethod::Profile(Profile::Valideur), &catalog, None);
        editor.toggle(C10, Level::Validation);
        let row = editor.row(C10);
        assert_eq!(row.state, editor.row_state(C10));
        assert_eq!(row.read_only, editor.is_read_only());
        for level in Level::ALL {
            assert_eq!(row.cell(level), editor.cell(C10, level), "{level:?}");
        }
        assert_ne!(
            row,
            editor.row(ResourceRef::Contract(11)),
            "the unticked box differs"
        );
    }

    #[test]
    fn unticking_a_valideur_box_marks_the_difference_and_can_be_undone() {
        let catalog = catalog();
        let mut editor =
            RightsEditor::new(RightsMethod::Profile(Profile::Valideur), &catalog, None);
        editor.toggle(C10, Level::Validation);
        let cell = editor.cell(C10, Level::Validation);
        assert!(!cell.checked && cell.differs && cell.enabled);
        assert_eq!(editor.differences(&catalog), 1);
        assert_eq!(editor.row_state(C10), RowState::Some);
        editor.toggle(C10, Level::Validation);
        assert_eq!(editor.differences(&catalog), 0);
        assert_eq!(editor.check(&catalog), Ok(()));
    }

    #[test]
    fn unticking_consultation_on_a_profile_removes_the_row_and_explains_why() {
        let catalog = catalog();
        let mut editor =
            RightsEditor::new(RightsMethod::Profile(Profile::Valideur), &catalog, None);
        editor.toggle(A1, Level::Consultation);
        assert_eq!(editor.row_state(A1), RowState::None);
        assert!(editor.notice().unwrap().contains("Sans consultation"));
        assert_eq!(editor.differences(&catalog), 3);
        // Ticking gestion back brings consultation with it, within the profile.
        editor.toggle(A1, Level::Gestion);
        assert!(editor.cell(A1, Level::Consultation).checked);
        assert!(editor
            .notice()
            .unwrap()
            .contains("nécessite la consultation"));
    }

    #[test]
    fn fixed_profiles_cannot_be_edited_but_take_the_administration_right() {
        let catalog = catalog();
        for profile in [Profile::Dirigeant, Profile::Comptable] {
            let mut editor = RightsEditor::new(RightsMethod::Profile(profile), &catalog, None);
            let before = editor.rights().clone();
            editor.toggle(A1, Level::Consultation);
            editor.set_row(C10, false);
            editor.set_column(&catalog, Level::Consultation, false);
            assert_eq!(editor.rights(), &before);
            assert!(!editor.cell(A1, Level::Consultation).enabled);
            editor.set_administration(true);
            assert!(editor.rights().administration());
            assert_eq!(editor.check(&catalog), Ok(()));
        }
    }

    #[test]
    fn whole_rows_and_columns_respect_the_profile_and_the_invariant() {
        let catalog = catalog();
        let mut editor =
            RightsEditor::new(RightsMethod::Profile(Profile::Preparateur), &catalog, None);
        editor.set_column(&catalog, Level::Consultation, false);
        assert_eq!(editor.count(Level::Gestion), 0);
        assert_eq!(
            editor.column_state(&catalog, Level::Consultation),
            RowState::None
        );
        editor.set_row(A1, true);
        assert_eq!(editor.rights().get(A1), Levels::CONSULTATION_GESTION);
        assert_eq!(editor.row_state(A1), RowState::All);
        editor.set_column(&catalog, Level::Gestion, true);
        assert_eq!(editor.count(Level::Consultation), 5);
        assert_eq!(editor.count(Level::Validation), 0);
        assert_eq!(editor.column_state(&catalog, Level::Gestion), RowState::All);
    }

    #[test]
    fn custom_rights_start_empty_and_have_nothing_to_differ_from() {
        let catalog = catalog();
        let mut editor = RightsEditor::new(RightsMethod::Custom, &catalog, None);
        assert!(editor.check(&catalog).is_err());
        editor.set_row(C10, true);
        assert_eq!(editor.rights().get(C10), Levels::ALL);
        assert_eq!(editor.differences(&catalog), 0);
        assert_eq!(editor.check(&catalog), Ok(()));
    }

    #[test]
    fn a_copy_starts_from_the_copied_rights_without_administration_and_out_of_scope_resources() {
        let catalog = catalog();
        let mut copied = Rights::new();
        copied.set_levels(A1, Levels::CONSULTATION_GESTION);
        copied.set_levels(ResourceRef::Account(99), Levels::ALL);
        copied.set_administration(true);
        let mut editor =
            RightsEditor::new(RightsMethod::Copy { from_user: 7 }, &catalog, Some(&copied));
        assert_eq!(editor.rights().get(A1), Levels::CONSULTATION_GESTION);
        assert!(editor.rights().get(ResourceRef::Account(99)).is_empty());
        assert!(!editor.rights().administration());
        editor.toggle(C10, Level::Consultation);
        assert!(editor.cell(C10, Level::Consultation).differs);
        assert!(
            editor.cell(A1, Level::Validation).enabled,
            "a copy can be adjusted"
        );
    }

    #[test]
    fn a_modification_starts_from_the_users_rights_and_marks_gains_and_losses() {
        let catalog = catalog();
        let mut before = Rights::new();
        before.set_levels(A1, Levels::CONSULTATION_GESTION);
        before.set_administration(true);
        let mut editor = RightsEditor::modifying(RightsMethod::Custom, &catalog, None, &before);
        assert_eq!(editor.rights(), &before);
        assert_eq!(editor.cell(A1, Level::Gestion).change, None);
        editor.toggle(A1, Level::Gestion);
        editor.toggle(C10, Level::Consultation);
        assert_eq!(editor.cell(A1, Level::Gestion).change, Some(false));
        assert_eq!(editor.cell(C10, Level::Consultation).change, Some(true));
        assert_eq!(editor.before(), Some(&before));
        // A profile starts from its own rights but keeps the administration right as it is.
        let profile = RightsEditor::modifying(
            RightsMethod::Profile(Profile::Comptable),
            &catalog,
            None,
            &before,
        );
        assert!(profile.rights().administration());
        assert_eq!(profile.count(Level::Consultation), 5);
        assert_eq!(profile.cell(A1, Level::Gestion).change, Some(false));
    }

    #[test]
    fn boxes_posted_by_a_form_read_back_as_rights() {
        assert_eq!(
            parse_cell("A12:gestion"),
            Some((ResourceRef::Account(12), Level::Gestion))
        );
        assert_eq!(
            parse_cell("C3:consultation"),
            Some((ResourceRef::Contract(3), Level::Consultation))
        );
        for bad in [
            "A12",
            "X1:gestion",
            "A:gestion",
            "A1:admin",
            "A1x:gestion",
            "",
        ] {
            assert_eq!(parse_cell(bad), None, "{bad}");
        }
        let rights =
            rights_from_cells(&["A1:validation".into(), "C10:consultation".into()], true).unwrap();
        assert_eq!(
            rights.get(A1),
            Levels::new(true, false, true).unwrap(),
            "validation brings consultation"
        );
        assert_eq!(rights.get(C10), Levels::CONSULTATION);
        assert!(rights.administration());
        assert!(rights_from_cells(&["nope".into()], false).is_none());
        let mut editor = RightsEditor::new(RightsMethod::Custom, &catalog(), None);
        editor.replace_with_cells(&["A1:gestion".into()], false);
        assert_eq!(editor.rights().get(A1), Levels::CONSULTATION_GESTION);
    }

    #[test]
    fn going_back_resumes_the_rights_entered() {
        let catalog = catalog();
        let mut editor =
            RightsEditor::new(RightsMethod::Profile(Profile::Valideur), &catalog, None);
        editor.toggle(A1, Level::Validation);
        let entered = editor.rights().clone();
        let resumed = RightsEditor::new(RightsMethod::Profile(Profile::Valideur), &catalog, None)
            .resume(entered.clone());
        assert_eq!(resumed.rights(), &entered);
        assert!(resumed.cell(A1, Level::Validation).differs);
    }

    fn action_strategy() -> impl Strategy<Value = (u8, usize, usize, bool)> {
        (0u8..4, 0usize..5, 0usize..3, any::<bool>())
    }

    proptest! {
        /// Whatever the administrator clicks on a customisable profile, the result stays within
        /// the profile, keeps the invariant and passes the server's check unless empty.
        #[test]
        fn any_clicks_on_a_profile_stay_within_it(
            profile in prop_oneof![Just(Profile::Preparateur), Just(Profile::Valideur)],
            actions in proptest::collection::vec(action_strategy(), 0..40),
        ) {
            let catalog = catalog();
            let resources: Vec<_> = catalog.resources().collect();
            let mut editor = RightsEditor::new(RightsMethod::Profile(profile), &catalog, None);
            for (kind, row, column, on) in actions {
                let resource = resources[row];
                let level = Level::ALL[column];
                match kind {
                    0 => editor.toggle(resource, level),
                    1 => editor.set_row(resource, on),
                    2 => editor.set_column(&catalog, level, on),
                    _ => editor.set_administration(on),
                }
                prop_assert!(editor.rights().is_within(&profile.rights(&catalog)));
                for (_, levels) in editor.rights().grants() {
                    prop_assert!(levels.has(Level::Consultation));
                }
                let empty = editor.rights().has_no_grant() && !editor.rights().administration();
                prop_assert_eq!(editor.check(&catalog).is_ok(), !empty);
                // The counts under the columns are the ticked boxes.
                for level in Level::ALL {
                    let ticked = resources.iter().filter(|r| editor.cell(**r, level).checked).count();
                    prop_assert_eq!(editor.count(level), ticked);
                }
            }
        }
    }
}
