//! Warnings at grant time, shown before « Confirmer » and on the validation page, never
//! blocking: an account or contract left with nobody able to validate; a user who would both
//! prepare and validate on an account where another validator exists (segregation of duties,
//! for the entities that want it); an administrator without an enrolled strong-authentication
//! factor.

use crate::catalog::{Catalog, ResourceRef};
use crate::lang::Lang;
use crate::rights::{Level, Rights};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum GrantWarning {
    /// Somebody could validate on it before the change, nobody after.
    NoValidatorLeft {
        resource: ResourceRef,
        label: String,
    },
    /// The user would prepare (gestion) and validate on it, while another user validates it.
    PreparesAndValidates {
        resource: ResourceRef,
        label: String,
    },
    /// The user would administer the entity without a factor to sign operations with.
    AdministratorWithoutFactor,
}

impl GrantWarning {
    pub fn sentence_in(&self, lang: Lang) -> String {
        match (self, lang) {
            (GrantWarning::NoValidatorLeft { label, .. }, Lang::Fr) => format!(
                "{label} : plus personne ne pourra valider les opérations préparées sur ce compte ou contrat."
            ),
            (GrantWarning::NoValidatorLeft { label, .. }, Lang::En) => format!(
                "{label}: nobody will be able to approve the operations prepared on this account or contract any more."
            ),
            (GrantWarning::PreparesAndValidates { label, .. }, Lang::Fr) => format!(
                "{label} : cet utilisateur pourra préparer et valider seul, alors qu’un autre valideur existe (séparation des tâches)."
            ),
            (GrantWarning::PreparesAndValidates { label, .. }, Lang::En) => format!(
                "{label}: this user will be able to prepare and approve alone, while another approver exists (segregation of duties)."
            ),
            (GrantWarning::AdministratorWithoutFactor, Lang::Fr) => {
                "Cet utilisateur aura le droit d’administration sans moyen d’authentification forte enregistré : il ne pourra valider aucune opération avant d’en avoir enregistré un.".into()
            }
            (GrantWarning::AdministratorWithoutFactor, Lang::En) => {
                "This user will have the administration right without a strong-authentication factor: they cannot validate any operation until they enrol one.".into()
            }
        }
    }
}

/// The warnings of giving `after` to a user who held `before`, among the entity's `others`
/// (every other user's rights), the user having an enrolled factor or not.
pub fn grant_warnings(
    catalog: &Catalog,
    others: &[Rights],
    before: &Rights,
    after: &Rights,
    has_factor: bool,
) -> Vec<GrantWarning> {
    let others_validate = |resource: ResourceRef| {
        others
            .iter()
            .any(|rights| rights.get(resource).has(Level::Validation))
    };
    let mut warnings = Vec::new();
    for resource in catalog.resources() {
        let label = || catalog.label(resource).unwrap_or_default().to_string();
        let (held, given) = (before.get(resource), after.get(resource));
        if held.has(Level::Validation)
            && !given.has(Level::Validation)
            && !others_validate(resource)
        {
            warnings.push(GrantWarning::NoValidatorLeft {
                resource,
                label: label(),
            });
        }
        if given.has(Level::Gestion) && given.has(Level::Validation) && others_validate(resource) {
            warnings.push(GrantWarning::PreparesAndValidates {
                resource,
                label: label(),
            });
        }
    }
    if after.administration() && !has_factor {
        warnings.push(GrantWarning::AdministratorWithoutFactor);
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::test_catalog;
    use crate::rights::Levels;

    const A1: ResourceRef = ResourceRef::Account(1);
    const A2: ResourceRef = ResourceRef::Account(2);

    fn with(resource: ResourceRef, levels: Levels) -> Rights {
        let mut rights = Rights::new();
        rights.set_levels(resource, levels);
        rights
    }

    #[test]
    fn taking_the_last_validation_away_warns_and_another_validator_does_not() {
        let catalog = test_catalog(&[1, 2], &[]);
        let before = with(A1, Levels::ALL);
        let after = with(A1, Levels::CONSULTATION_GESTION);
        let warnings = grant_warnings(&catalog, &[], &before, &after, true);
        assert!(matches!(
            warnings.as_slice(),
            [GrantWarning::NoValidatorLeft { resource: A1, .. }]
        ));
        assert!(warnings[0].sentence_in(Lang::Fr).contains("plus personne"));
        let other = with(A1, Levels::ALL);
        assert!(grant_warnings(&catalog, &[other], &before, &after, true).is_empty());
    }

    #[test]
    fn preparing_and_validating_alone_is_told_when_another_validator_exists() {
        let catalog = test_catalog(&[1, 2], &[]);
        let after = with(A2, Levels::ALL);
        assert!(grant_warnings(&catalog, &[], &Rights::new(), &after, true).is_empty());
        let other = with(A2, Levels::ALL);
        let warnings = grant_warnings(&catalog, &[other], &Rights::new(), &after, true);
        assert!(matches!(
            warnings.as_slice(),
            [GrantWarning::PreparesAndValidates { resource: A2, .. }]
        ));
    }

    #[test]
    fn an_administrator_without_a_factor_is_told() {
        let catalog = test_catalog(&[1], &[]);
        let mut after = Rights::new();
        after.set_administration(true);
        assert_eq!(
            grant_warnings(&catalog, &[], &Rights::new(), &after, false),
            [GrantWarning::AdministratorWithoutFactor]
        );
        assert!(grant_warnings(&catalog, &[], &Rights::new(), &after, true).is_empty());
    }
}
