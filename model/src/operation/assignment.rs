//! How rights are given: the three methods of the reference page, where each right comes from,
//! and whether a combination may be given with the chosen method.

use crate::catalog::{Catalog, ResourceRef};
use crate::period::{Day, Period, PeriodError};
use crate::profile::Profile;
use crate::rights::{Level, Rights};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// The three methods of the reference page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RightsMethod {
    /// « Copier les droits à partir d'un autre utilisateur »
    Copy { from_user: i64 },
    /// « Attribuer des droits personnalisés »
    Custom,
    /// The profile approach.
    Profile(Profile),
}

impl RightsMethod {
    /// The right a cell starts from and is compared to: the profile's, or the copied user's.
    pub fn has_baseline(&self) -> bool {
        !matches!(self, RightsMethod::Custom)
    }

    /// Dirigeant and comptable are given as they are: the grid only shows them.
    pub fn is_read_only(&self) -> bool {
        matches!(self, RightsMethod::Profile(p) if !p.is_customisable())
    }

    /// Préparateur and valideur can only be narrowed: their pre-ticked boxes are an upper bound.
    pub fn is_bounded(&self) -> bool {
        matches!(self, RightsMethod::Profile(p) if p.is_customisable())
    }

    /// The stable code of the canonical form: `profil:valideur`, `copie:12`, `personnalise`.
    pub fn code(&self) -> String {
        match self {
            RightsMethod::Copy { from_user } => format!("copie:{from_user}"),
            RightsMethod::Custom => "personnalise".into(),
            RightsMethod::Profile(profile) => format!("profil:{}", profile.code()),
        }
    }

    /// [`RightsMethod::label`] in `lang`.
    pub fn label_in(&self, source_name: &str, lang: crate::Lang) -> String {
        match (lang, self) {
            (crate::Lang::Fr, _) => self.label(source_name),
            (crate::Lang::En, RightsMethod::Copy { .. }) => {
                format!("Copy of {source_name}’s rights")
            }
            (crate::Lang::En, RightsMethod::Custom) => "Custom rights".into(),
            (crate::Lang::En, RightsMethod::Profile(profile)) => {
                format!("{} profile", profile.title_in(lang))
            }
        }
    }

    /// « Copie des droits de Julien BERNARD », « Droits personnalisés », « Profil valideur ».
    pub fn label(&self, source_name: &str) -> String {
        match self {
            RightsMethod::Copy { .. } => format!("Copie des droits de {source_name}"),
            RightsMethod::Custom => "Droits personnalisés".into(),
            RightsMethod::Profile(profile) => profile.title().into(),
        }
    }
}

/// Where one right comes from, as the recap and the stored rights tell it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    Profile(Profile),
    Copy { from_user: i64, name: String },
    Custom,
}

impl Origin {
    /// Plain French, as shown in the recap: « profil valideur », « copié de Julien Bernard ».
    pub fn label(&self) -> String {
        match self {
            Origin::Profile(profile) => profile.label().to_string(),
            Origin::Copy { name, .. } => format!("copié de {name}"),
            Origin::Custom => "personnalisé".to_string(),
        }
    }

    /// The same, in `lang`.
    pub fn label_in(&self, lang: crate::Lang) -> String {
        match (lang, self) {
            (crate::Lang::Fr, _) => self.label(),
            (crate::Lang::En, Origin::Profile(profile)) => {
                format!("{} profile", profile.title_in(lang))
            }
            (crate::Lang::En, Origin::Copy { name, .. }) => format!("copied from {name}"),
            (crate::Lang::En, Origin::Custom) => "custom".to_string(),
        }
    }

    /// A stable code for storage and the canonical form.
    pub fn code(&self) -> String {
        match self {
            Origin::Profile(profile) => format!("profil:{}", profile.code()),
            Origin::Copy { from_user, .. } => format!("copie:{from_user}"),
            Origin::Custom => "personnalise".to_string(),
        }
    }

    /// Reads a code back; a copy keeps the copied user's id, named later by whoever shows it.
    pub fn from_code(code: &str) -> Origin {
        if let Some(profile) = code.strip_prefix("profil:").and_then(Profile::from_code) {
            return Origin::Profile(profile);
        }
        if let Some(id) = code.strip_prefix("copie:").and_then(|id| id.parse().ok()) {
            return Origin::Copy {
                from_user: id,
                name: String::new(),
            };
        }
        Origin::Custom
    }
}

/// The origins of rights already held, kept by a modification for what it does not change.
pub type Origins = BTreeMap<(ResourceRef, Level), Origin>;

/// Computes where a right comes from. `baseline` is what the method started from: the profile's
/// rights, or the copied user's; `source_name` names the copied user; `previous` holds the
/// origins of the rights the user already had (empty for a new user).
pub fn origin_of(
    method: &RightsMethod,
    baseline: &Rights,
    source_name: &str,
    previous: &Origins,
    resource: ResourceRef,
    level: Level,
) -> Origin {
    match method {
        RightsMethod::Profile(profile) => Origin::Profile(*profile),
        RightsMethod::Copy { from_user } if baseline.get(resource).has(level) => Origin::Copy {
            from_user: *from_user,
            name: source_name.to_string(),
        },
        RightsMethod::Copy { .. } | RightsMethod::Custom => previous
            .get(&(resource, level))
            .cloned()
            .unwrap_or(Origin::Custom),
    }
}

/// Why a set of rights cannot be given with the chosen method.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum AssignmentError {
    #[error("Un compte ou contrat sélectionné n’existe pas pour votre entité.")]
    UnknownResource,
    #[error(
        "Sélectionnez au moins un droit sur un compte ou un contrat, ou le droit d’administration."
    )]
    Empty,
    #[error("Le {} s’attribue tel quel : choisissez le profil préparateur ou valideur, ou des droits personnalisés, pour retirer des droits.", .0.label())]
    FixedProfileChanged(Profile),
    #[error("Un droit coché ne fait pas partie du {} : décochez-le ou choisissez des droits personnalisés.", .0.label())]
    BeyondProfile(Profile),
}

/// Checks that `rights` can be given with `method` on this catalog. The browser runs it before
/// letting the administrator confirm; the server runs it again on what it receives.
pub fn check_assignment(
    method: &RightsMethod,
    rights: &Rights,
    catalog: &Catalog,
) -> Result<(), AssignmentError> {
    if !rights.unknown_resources(catalog).is_empty() {
        return Err(AssignmentError::UnknownResource);
    }
    if rights.has_no_grant() && !rights.administration() {
        return Err(AssignmentError::Empty);
    }
    if let RightsMethod::Profile(profile) = method {
        let given = profile.rights(catalog);
        if profile.is_customisable() {
            if !rights.is_within(&given) {
                return Err(AssignmentError::BeyondProfile(*profile));
            }
        } else if rights.without_administration() != given {
            return Err(AssignmentError::FixedProfileChanged(*profile));
        }
    }
    Ok(())
}

/// Rights chosen with a method: what the administrator signs about rights, in an addition or a
/// modification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub method: RightsMethod,
    /// The copied user's rights for a copy, the profile's rights for a profile.
    pub baseline: Rights,
    /// The copied user's name, for the origins.
    pub source_name: String,
    /// The origins of the rights held before (a modification); empty for a new user.
    #[serde(default, with = "origins_as_list")]
    pub previous: Origins,
    pub rights: Rights,
    /// « Droits temporaires »: the last day the rights this assignment adds are held; `None`
    /// for permanent rights. Rights already held keep their own end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
    /// The last days of the temporary levels held before (a modification): kept, they keep
    /// them, unless a period is given, which moves them (extending a holiday cover).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub previous_ends: Vec<(ResourceRef, Level, Day)>,
}

impl Assignment {
    /// Where a right of the assignment comes from.
    pub fn origin(&self, resource: ResourceRef, level: Level) -> Origin {
        origin_of(
            &self.method,
            &self.baseline,
            &self.source_name,
            &self.previous,
            resource,
            level,
        )
    }

    pub fn check(&self, catalog: &Catalog) -> Result<(), AssignmentError> {
        check_assignment(&self.method, &self.rights, catalog)
    }

    /// The levels this assignment adds to `before` (everything, for a new user): the ones its
    /// period applies to.
    pub fn added_levels(&self, before: &Rights) -> Vec<(ResourceRef, Level)> {
        self.rights
            .grants()
            .flat_map(|(resource, levels)| {
                levels
                    .iter()
                    .filter(move |level| !before.get(resource).has(*level))
                    .map(move |level| (resource, level))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The temporary levels held before and kept whose last day the period moves.
    pub fn redated_levels(&self) -> Vec<(ResourceRef, Level)> {
        let Some(period) = self.period else {
            return Vec::new();
        };
        self.previous_ends
            .iter()
            .filter(|(resource, level, day)| {
                self.rights.get(*resource).has(*level) && *day != period.ends_on
            })
            .map(|(resource, level, _)| (*resource, *level))
            .collect()
    }

    /// The last day of a level this assignment leaves the user with: the period's for a level
    /// it adds or a temporary level it moves, the one held before otherwise.
    pub fn last_day(&self, before: &Rights, resource: ResourceRef, level: Level) -> Option<Day> {
        let held = self
            .previous_ends
            .iter()
            .find(|(r, l, _)| *r == resource && *l == level)
            .map(|(_, _, day)| *day);
        match (before.get(resource).has(level), held) {
            (false, _) => self.period.map(|period| period.ends_on),
            (true, Some(day)) => Some(self.period.map_or(day, |period| period.ends_on)),
            (true, None) => None,
        }
    }

    /// A period's dates must be usable `today`, and it must apply to at least one level added
    /// on an account or contract, or move the end of a temporary one (the administration right
    /// is never temporary).
    pub fn check_period(&self, before: &Rights, today: Day) -> Result<(), PeriodError> {
        let Some(period) = self.period else {
            return Ok(());
        };
        period.check_dates(today)?;
        if self.added_levels(before).is_empty() && self.redated_levels().is_empty() {
            return Err(PeriodError::NothingAdded);
        }
        Ok(())
    }

    pub fn method_label(&self) -> String {
        self.method.label(&self.source_name)
    }
}

/// JSON object keys must be strings: origins travel as a list of triples.
mod origins_as_list {
    use super::{Level, Origin, Origins, ResourceRef};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(origins: &Origins, serializer: S) -> Result<S::Ok, S::Error> {
        origins
            .iter()
            .map(|((resource, level), origin)| (*resource, *level, origin))
            .collect::<Vec<_>>()
            .serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Origins, D::Error> {
        let list: Vec<(ResourceRef, Level, Origin)> = Vec::deserialize(deserializer)?;
        Ok(list
            .into_iter()
            .map(|(resource, level, origin)| ((resource, level), origin))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rights::Levels;

    fn catalog() -> Catalog {
        crate::catalog::test_catalog(&[1, 2], &[5])
    }

    #[test]
    fn a_fixed_profile_cannot_be_changed_but_can_carry_the_administration_right() {
        let catalog = catalog();
        let method = RightsMethod::Profile(Profile::Dirigeant);
        let mut rights = Profile::Dirigeant.rights(&catalog);
        assert_eq!(check_assignment(&method, &rights, &catalog), Ok(()));
        rights.set_administration(true);
        assert_eq!(check_assignment(&method, &rights, &catalog), Ok(()));
        rights.set(ResourceRef::Account(1), Level::Validation, false);
        assert_eq!(
            check_assignment(&method, &rights, &catalog),
            Err(AssignmentError::FixedProfileChanged(Profile::Dirigeant))
        );
    }

    #[test]
    fn a_customisable_profile_can_be_narrowed_but_not_widened() {
        let catalog = catalog();
        let method = RightsMethod::Profile(Profile::Preparateur);
        let mut rights = Profile::Preparateur.rights(&catalog);
        rights.set(ResourceRef::Account(2), Level::Consultation, false);
        rights.set(ResourceRef::Contract(5), Level::Gestion, false);
        assert_eq!(check_assignment(&method, &rights, &catalog), Ok(()));
        rights.set(ResourceRef::Account(1), Level::Validation, true);
        assert_eq!(
            check_assignment(&method, &rights, &catalog),
            Err(AssignmentError::BeyondProfile(Profile::Preparateur))
        );
    }

    #[test]
    fn unknown_resources_and_empty_rights_are_refused() {
        let catalog = catalog();
        let mut rights = Rights::new();
        assert_eq!(
            check_assignment(&RightsMethod::Custom, &rights, &catalog),
            Err(AssignmentError::Empty)
        );
        rights.set(ResourceRef::Contract(99), Level::Consultation, true);
        assert_eq!(
            check_assignment(&RightsMethod::Custom, &rights, &catalog),
            Err(AssignmentError::UnknownResource)
        );
        let mut admin_only = Rights::new();
        admin_only.set_administration(true);
        assert_eq!(
            check_assignment(&RightsMethod::Custom, &admin_only, &catalog),
            Ok(())
        );
    }

    fn copy_assignment(previous: Origins) -> Assignment {
        let mut copied = Rights::new();
        copied.set_levels(ResourceRef::Account(1), Levels::CONSULTATION);
        let mut rights = copied.clone();
        rights.set(ResourceRef::Account(1), Level::Gestion, true);
        rights.set(ResourceRef::Account(2), Level::Consultation, true);
        Assignment {
            method: RightsMethod::Copy { from_user: 3 },
            baseline: copied,
            source_name: "Julien Bernard".into(),
            previous,
            rights,
            period: None,
            previous_ends: Vec::new(),
        }
    }

    #[test]
    fn copied_rights_keep_their_source_and_additions_are_custom() {
        let assignment = copy_assignment(Origins::new());
        assert_eq!(
            assignment.origin(ResourceRef::Account(1), Level::Consultation),
            Origin::Copy {
                from_user: 3,
                name: "Julien Bernard".into()
            }
        );
        assert_eq!(
            assignment.origin(ResourceRef::Account(1), Level::Gestion),
            Origin::Custom
        );
    }

    #[test]
    fn a_modification_keeps_the_origin_of_what_it_does_not_change() {
        let previous = Origins::from([(
            (ResourceRef::Account(2), Level::Consultation),
            Origin::Profile(Profile::Comptable),
        )]);
        let assignment = copy_assignment(previous.clone());
        assert_eq!(
            assignment.origin(ResourceRef::Account(2), Level::Consultation),
            Origin::Profile(Profile::Comptable)
        );
        // A profile gives everything its own origin.
        let mut by_profile = assignment.clone();
        by_profile.method = RightsMethod::Profile(Profile::Valideur);
        assert_eq!(
            by_profile.origin(ResourceRef::Account(2), Level::Consultation),
            Origin::Profile(Profile::Valideur)
        );
        // The previous origins survive a JSON round trip.
        let json = serde_json::to_string(&assignment).unwrap();
        assert_eq!(
            serde_json::from_str::<Assignment>(&json).unwrap().previous,
            previous
        );
    }

    #[test]
    fn origins_and_methods_have_stable_codes() {
        for origin in [Origin::Profile(Profile::Valideur), Origin::Custom] {
            assert_eq!(Origin::from_code(&origin.code()), origin);
        }
        assert!(matches!(
            Origin::from_code("copie:12"),
            Origin::Copy { from_user: 12, .. }
        ));
        assert_eq!(RightsMethod::Copy { from_user: 3 }.code(), "copie:3");
        assert_eq!(
            RightsMethod::Profile(Profile::Valideur).label(""),
            "Profil valideur"
        );
    }

    #[test]
    fn the_method_serialises_as_a_small_stable_shape() {
        assert_eq!(
            serde_json::to_string(&RightsMethod::Profile(Profile::Valideur)).unwrap(),
            r#"{"profile":"valideur"}"#
        );
        assert_eq!(
            serde_json::to_string(&RightsMethod::Copy { from_user: 3 }).unwrap(),
            r#"{"copy":{"from_user":3}}"#
        );
        assert!(serde_json::from_str::<RightsMethod>(r#"{"copy":{"from_user":3,"x":1}}"#).is_err());
    }
}
