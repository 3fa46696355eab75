//! Rights: three levels per account or contract, and the separate administration right.
//!
//! The invariant of the reference page's rights: gestion (preparing operations) and validation
//! (signing them off) are only meaningful for someone who can see the account or contract, so
//! either implies consultation. [`Levels`] cannot hold a combination that breaks it: it is built
//! only through constructors that check it, including when it is deserialised.

use crate::catalog::{Catalog, ResourceRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// One column of the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Consultation,
    Gestion,
    Validation,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Consultation, Level::Gestion, Level::Validation];

    /// The word of the reference page, as used inside a sentence.
    pub fn label(self) -> &'static str {
        match self {
            Level::Consultation => "consultation",
            Level::Gestion => "gestion",
            Level::Validation => "validation",
        }
    }

    /// The word in a sentence, in `lang`.
    pub fn label_in(self, lang: crate::Lang) -> &'static str {
        match self {
            Level::Consultation => lang.pick("consultation", "view"),
            Level::Gestion => lang.pick("gestion", "manage"),
            Level::Validation => lang.pick("validation", "approve"),
        }
    }

    /// The same word as a column heading.
    pub fn title(self) -> &'static str {
        match self {
            Level::Consultation => "Consultation",
            Level::Gestion => "Gestion",
            Level::Validation => "Validation",
        }
    }

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        self.label()
    }

    pub fn from_code(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|level| level.code() == code)
    }

    /// One letter for the canonical form.
    pub fn letter(self) -> char {
        match self {
            Level::Consultation => 'C',
            Level::Gestion => 'G',
            Level::Validation => 'V',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RightsError {
    #[error("La gestion et la validation nécessitent la consultation.")]
    WithoutConsultation,
    #[error("Un compte ou contrat apparaît deux fois.")]
    Duplicate,
}

/// The levels held on one account or contract. Always satisfies the invariant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawLevels", into = "RawLevels")]
pub struct Levels {
    consultation: bool,
    gestion: bool,
    validation: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevels {
    consultation: bool,
    gestion: bool,
    validation: bool,
}

impl TryFrom<RawLevels> for Levels {
    type Error = RightsError;
    fn try_from(raw: RawLevels) -> Result<Self, Self::Error> {
        Levels::new(raw.consultation, raw.gestion, raw.validation)
    }
}

impl From<Levels> for RawLevels {
    fn from(levels: Levels) -> Self {
        RawLevels {
            consultation: levels.consultation,
            gestion: levels.gestion,
            validation: levels.validation,
        }
    }
}

/// What the invariant did on top of the change that was asked for, so the grid can say why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Implication {
    /// Ticking gestion or validation also ticked consultation.
    ConsultationAdded { because: Level },
    /// Unticking consultation also unticked gestion and/or validation.
    DependentsRemoved { gestion: bool, validation: bool },
}

impl Implication {
    /// A sentence for the grid's live region.
    pub fn explanation(&self) -> String {
        match self {
            Implication::ConsultationAdded { because } => format!(
                "La {} nécessite la consultation : la consultation a été cochée aussi.",
                because.label()
            ),
            Implication::DependentsRemoved {
                gestion,
                validation,
            } => {
                let removed = match (gestion, validation) {
                    (true, true) => "la gestion et la validation ont été décochées",
                    (true, false) => "la gestion a été décochée",
                    _ => "la validation a été décochée",
                };
                format!("Sans consultation, ni gestion ni validation : {removed} aussi.")
            }
        }
    }
}

impl Levels {
    pub const NONE: Levels = Levels {
        consultation: false,
        gestion: false,
        validation: false,
    };
    pub const CONSULTATION: Levels = Levels {
        consultation: true,
        gestion: false,
        validation: false,
    };
    pub const CONSULTATION_GESTION: Levels = Levels {
        consultation: true,
        gestion: true,
        validation: false,
    };
    pub const ALL: Levels = Levels {
        consultation: true,
        gestion: true,
        validation: true,
    };

    /// Builds levels, refusing gestion or validation without consultation.
    pub fn new(consultation: bool, gestion: bool, validation: bool) -> Result<Levels, RightsError> {
        if (gestion || validation) && !consultation {
            return Err(RightsError::WithoutConsultation);
        }
        Ok(Levels {
            consultation,
            gestion,
            validation,
        })
    }

    pub fn has(self, level: Level) -> bool {
        match level {
            Level::Consultation => self.consultation,
            Level::Gestion => self.gestion,
            Level::Validation => self.validation,
        }
    }

    pub fn is_empty(self) -> bool {
        !self.consultation
    }

    /// The levels held, in column order.
    pub fn iter(self) -> impl Iterator<Item = Level> {
        Level::ALL.into_iter().filter(move |level| self.has(*level))
    }

    /// Ticks or unticks one level, applying the invariant, and says what else changed.
    pub fn with(self, level: Level, on: bool) -> (Levels, Option<Implication>) {
        let mut next = self;
        let mut implication = None;
        match (level, on) {
            (Level::Consultation, true) => next.consultation = true,
            (Level::Consultation, false) => {
                if self.gestion || self.validation {
                    implication = Some(Implication::DependentsRemoved {
                        gestion: self.gestion,
                        validation: self.validation,
                    });
                }
                next = Levels::NONE;
            }
            (Level::Gestion | Level::Validation, true) => {
                if !self.consultation {
                    implication = Some(Implication::ConsultationAdded { because: level });
                }
                next.consultation = true;
                if level == Level::Gestion {
                    next.gestion = true;
                } else {
                    next.validation = true;
                }
            }
            (Level::Gestion, false) => next.gestion = false,
            (Level::Validation, false) => next.validation = false,
        }
        (next, implication)
    }

    /// Levels held in both. The invariant survives: a level kept in both comes with
    /// consultation in both.
    pub fn intersect(self, other: Levels) -> Levels {
        Levels {
            consultation: self.consultation && other.consultation,
            gestion: self.gestion && other.gestion,
            validation: self.validation && other.validation,
        }
    }

    pub fn is_subset_of(self, other: Levels) -> bool {
        self.intersect(other) == self
    }

    /// `CGV`, `CG`, `C` or `-`, for the canonical form.
    pub fn letters(self) -> String {
        if self.is_empty() {
            return "-".into();
        }
        self.iter().map(Level::letter).collect()
    }
}

/// A user's rights: levels per account or contract, and the administration right (managing the
/// entity's users), which is separate and never implied by the others.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawRights", into = "RawRights")]
pub struct Rights {
    /// Only non-empty levels are kept, so two equal sets of rights compare equal.
    grants: BTreeMap<ResourceRef, Levels>,
    administration: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRights {
    grants: Vec<Grant>,
    administration: bool,
}

/// One line of [`Rights`] on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub resource: ResourceRef,
    pub levels: Levels,
}

impl TryFrom<RawRights> for Rights {
    type Error = RightsError;
    fn try_from(raw: RawRights) -> Result<Self, Self::Error> {
        let mut rights = Rights {
            grants: BTreeMap::new(),
            administration: raw.administration,
        };
        for grant in raw.grants {
            if rights.grants.contains_key(&grant.resource) {
                return Err(RightsError::Duplicate);
            }
            rights.set_levels(grant.resource, grant.levels);
        }
        Ok(rights)
    }
}

impl From<Rights> for RawRights {
    fn from(rights: Rights) -> Self {
        RawRights {
            grants: rights
                .grants()
                .map(|(resource, levels)| Grant { resource, levels })
                .collect(),
            administration: rights.administration,
        }
    }
}

impl Rights {
    pub fn new() -> Rights {
        Rights::default()
    }

    /// The same levels on every resource of a catalog.
    pub fn uniform(catalog: &Catalog, levels: Levels) -> Rights {
        let mut rights = Rights::new();
        for resource in catalog.resources() {
            rights.set_levels(resource, levels);
        }
        rights
    }

    pub fn get(&self, resource: ResourceRef) -> Levels {
        self.grants.get(&resource).copied().unwrap_or_default()
    }

    pub fn set_levels(&mut self, resource: ResourceRef, levels: Levels) {
        if levels.is_empty() {
            self.grants.remove(&resource);
        } else {
            self.grants.insert(resource, levels);
        }
    }

    /// Ticks or unticks one cell, applying the invariant.
    pub fn set(&mut self, resource: ResourceRef, level: Level, on: bool) -> Option<Implication> {
        let (next, implication) = self.get(resource).with(level, on);
        self.set_levels(resource, next);
        implication
    }

    /// The non-empty grants, in grid order.
    pub fn grants(&self) -> impl Iterator<Item = (ResourceRef, Levels)> + '_ {
        self.grants
            .iter()
            .map(|(resource, levels)| (*resource, *levels))
    }

    pub fn administration(&self) -> bool {
        self.administration
    }

    pub fn set_administration(&mut self, on: bool) {
        self.administration = on;
    }

    /// The same rights without the administration right.
    pub fn without_administration(&self) -> Rights {
        Rights {
            grants: self.grants.clone(),
            administration: false,
        }
    }

    /// How many resources hold a level: the count under each column.
    pub fn count(&self, level: Level) -> usize {
        self.grants
            .values()
            .filter(|levels| levels.has(level))
            .count()
    }

    /// No right on any resource (the administration right aside).
    pub fn has_no_grant(&self) -> bool {
        self.grants.is_empty()
    }

    /// Keeps, on each resource, only what `bound` also holds.
    pub fn intersect(&self, bound: &Rights) -> Rights {
        let mut result = Rights {
            grants: BTreeMap::new(),
            administration: self.administration,
        };
        for (resource, levels) in self.grants() {
            result.set_levels(resource, levels.intersect(bound.get(resource)));
        }
        result
    }

    /// Whether every grant is also held by `bound` (the administration right is not compared).
    pub fn is_within(&self, bound: &Rights) -> bool {
        self.grants()
            .all(|(resource, levels)| levels.is_subset_of(bound.get(resource)))
    }

    /// Resources that are not in the catalog: another entity's, or made up.
    pub fn unknown_resources(&self, catalog: &Catalog) -> Vec<ResourceRef> {
        self.grants
            .keys()
            .copied()
            .filter(|resource| !catalog.contains(*resource))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gestion_or_validation_without_consultation_cannot_be_built() {
        assert_eq!(
            Levels::new(false, true, false),
            Err(RightsError::WithoutConsultation)
        );
        assert_eq!(
            Levels::new(false, false, true),
            Err(RightsError::WithoutConsultation)
        );
        assert!(Levels::new(true, false, true).is_ok());
    }

    #[test]
    fn ticking_gestion_ticks_consultation_and_says_so() {
        let (levels, implication) = Levels::NONE.with(Level::Gestion, true);
        assert_eq!(levels, Levels::CONSULTATION_GESTION);
        assert_eq!(
            implication,
            Some(Implication::ConsultationAdded {
                because: Level::Gestion
            })
        );
        assert!(implication
            .unwrap()
            .explanation()
            .contains("nécessite la consultation"));
    }

    #[test]
    fn unticking_consultation_unticks_the_others_and_says_which() {
        let (levels, implication) = Levels::ALL.with(Level::Consultation, false);
        assert_eq!(levels, Levels::NONE);
        let implication = implication.unwrap();
        assert_eq!(
            implication,
            Implication::DependentsRemoved {
                gestion: true,
                validation: true
            }
        );
        assert!(implication
            .explanation()
            .contains("la gestion et la validation"));
        // Nothing to explain when consultation was alone.
        assert_eq!(
            Levels::CONSULTATION.with(Level::Consultation, false).1,
            None
        );
    }

    #[test]
    fn deserialising_refuses_a_broken_invariant_and_duplicates() {
        let bad = r#"{"consultation":false,"gestion":true,"validation":false}"#;
        assert!(serde_json::from_str::<Levels>(bad).is_err());
        let unknown = r#"{"consultation":true,"gestion":false,"validation":false,"extra":1}"#;
        assert!(serde_json::from_str::<Levels>(unknown).is_err());
        let duplicate = r#"{"grants":[
            {"resource":{"kind":"account","id":1},"levels":{"consultation":true,"gestion":false,"validation":false}},
            {"resource":{"kind":"account","id":1},"levels":{"consultation":true,"gestion":true,"validation":false}}
        ],"administration":false}"#;
        assert!(serde_json::from_str::<Rights>(duplicate).is_err());
    }

    #[test]
    fn empty_levels_are_not_kept_so_equal_rights_compare_equal() {
        let mut a = Rights::new();
        a.set(ResourceRef::Account(1), Level::Consultation, true);
        a.set(ResourceRef::Account(1), Level::Consultation, false);
        assert_eq!(a, Rights::new());
        assert!(a.has_no_grant());
    }

    fn levels_strategy() -> impl Strategy<Value = Levels> {
        (any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(c, g, v)| Levels::new(c || g || v, g, v).unwrap())
    }

    fn level_strategy() -> impl Strategy<Value = Level> {
        prop_oneof![
            Just(Level::Consultation),
            Just(Level::Gestion),
            Just(Level::Validation)
        ]
    }

    proptest! {
        #[test]
        fn any_sequence_of_ticks_keeps_the_invariant(
            ops in proptest::collection::vec((0i64..4, level_strategy(), any::<bool>()), 0..60)
        ) {
            let mut rights = Rights::new();
            for (id, level, on) in ops {
                let resource = if id % 2 == 0 { ResourceRef::Account(id) } else { ResourceRef::Contract(id) };
                rights.set(resource, level, on);
                // The cell asked for always ends up as asked.
                prop_assert_eq!(rights.get(resource).has(level), on);
                for (_, levels) in rights.grants() {
                    prop_assert!(levels.has(Level::Consultation));
                    prop_assert!(Levels::new(levels.has(Level::Consultation), levels.has(Level::Gestion), levels.has(Level::Validation)).is_ok());
                }
            }
        }

        #[test]
        fn intersection_is_within_both_and_keeps_the_invariant(a in levels_strategy(), b in levels_strategy()) {
            let both = a.intersect(b);
            prop_assert!(both.is_subset_of(a));
            prop_assert!(both.is_subset_of(b));
            prop_assert!(Levels::new(both.has(Level::Consultation), both.has(Level::Gestion), both.has(Level::Validation)).is_ok());
        }

        #[test]
        fn rights_survive_a_json_round_trip(
            grants in proptest::collection::btree_map(0i64..20, levels_strategy(), 0..10),
            administration in any::<bool>()
        ) {
            let mut rights = Rights::new();
            for (id, levels) in grants {
                rights.set_levels(ResourceRef::Contract(id), levels);
            }
            rights.set_administration(administration);
            let json = serde_json::to_string(&rights).unwrap();
            prop_assert_eq!(serde_json::from_str::<Rights>(&json).unwrap(), rights);
        }
    }
}
