//! « Rapport des habilitations »: who may consult, manage and validate each account and
//! contract of the entity, from every user's rights. Pure: the server reads the rights, the
//! page and the CSV file show this.

use crate::catalog::{Catalog, ResourceRef};
use crate::period::{until_phrase, Day};
use crate::rights::{Level, Rights};
use serde::{Deserialize, Serialize};

/// The holders of one account or contract, per level, by name (in the users' order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holders {
    pub resource: ResourceRef,
    pub label: String,
    pub detail: String,
    pub consultation: Vec<String>,
    pub gestion: Vec<String>,
    pub validation: Vec<String>,
}

impl Holders {
    pub fn of(&self, level: Level) -> &[String] {
        match level {
            Level::Consultation => &self.consultation,
            Level::Gestion => &self.gestion,
            Level::Validation => &self.validation,
        }
    }

    /// Nobody may validate what is prepared on it.
    pub fn lacks_validator(&self) -> bool {
        self.validation.is_empty() && !self.gestion.is_empty()
    }
}

/// Every account and contract of `catalog` in grid order, with who holds each level, from
/// `users` (a name and that user's rights).
pub fn holders(catalog: &Catalog, users: &[(String, Rights)]) -> Vec<Holders> {
    let users: Vec<(String, Rights, Vec<Until>)> = users
        .iter()
        .map(|(name, rights)| (name.clone(), rights.clone(), Vec::new()))
        .collect();
    holders_until(catalog, &users)
}

/// A level held until a day (« Droits temporaires »).
pub type Until = (ResourceRef, Level, Day);

/// [`holders`], a temporary holder's name followed by their last day: « Julien BERNARD
/// (jusqu’au 05/01/2027 inclus) ».
pub fn holders_until(catalog: &Catalog, users: &[(String, Rights, Vec<Until>)]) -> Vec<Holders> {
    catalog
        .resources()
        .map(|resource| {
            let with = |level: Level| -> Vec<String> {
                users
                    .iter()
                    .filter(|(_, rights, _)| rights.get(resource).has(level))
                    .map(|(name, _, until)| {
                        match until.iter().find(|(r, l, _)| *r == resource && *l == level) {
                            Some((_, _, day)) => {
                                format!("{name} ({})", until_phrase(*day, crate::Lang::Fr))
                            }
                            None => name.clone(),
                        }
                    })
                    .collect()
            };
            Holders {
                resource,
                label: catalog.label(resource).unwrap_or_default().to_string(),
                detail: catalog.detail(resource).unwrap_or_default(),
                consultation: with(Level::Consultation),
                gestion: with(Level::Gestion),
                validation: with(Level::Validation),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::test_catalog;
    use crate::rights::Levels;

    #[test]
    fn a_temporary_holder_is_named_with_their_last_day() {
        let catalog = test_catalog(&[1], &[]);
        let mut lea = Rights::new();
        lea.set_levels(ResourceRef::Account(1), Levels::ALL);
        let last = Day::parse("2027-01-05").unwrap();
        let report = holders_until(
            &catalog,
            &[(
                "Léa".into(),
                lea,
                vec![(ResourceRef::Account(1), Level::Validation, last)],
            )],
        );
        assert_eq!(report[0].consultation, ["Léa"]);
        assert_eq!(report[0].validation, ["Léa (jusqu’au 05/01/2027 inclus)"]);
    }

    #[test]
    fn each_account_lists_its_holders_per_level() {
        let catalog = test_catalog(&[1, 2], &[5]);
        let mut lea = Rights::new();
        lea.set_levels(ResourceRef::Account(1), Levels::ALL);
        let mut hugo = Rights::new();
        hugo.set_levels(ResourceRef::Account(1), Levels::CONSULTATION_GESTION);
        hugo.set_levels(ResourceRef::Contract(5), Levels::CONSULTATION_GESTION);
        let report = holders(&catalog, &[("Léa".into(), lea), ("Hugo".into(), hugo)]);
        assert_eq!(report.len(), 3, "every account and contract, held or not");
        let a1 = &report[0];
        assert_eq!(a1.resource, ResourceRef::Account(1));
        assert_eq!(a1.consultation, ["Léa", "Hugo"]);
        assert_eq!(a1.gestion, ["Léa", "Hugo"]);
        assert_eq!(a1.validation, ["Léa"]);
        assert!(!a1.lacks_validator());
        let a2 = &report[1];
        assert!(a2.consultation.is_empty() && !a2.lacks_validator());
        let c5 = &report[2];
        assert_eq!(c5.of(Level::Gestion), ["Hugo"]);
        assert!(c5.lacks_validator(), "prepared there, validated by nobody");
    }
}
