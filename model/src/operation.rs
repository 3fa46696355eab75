//! The add-user operation: how the rights were chosen, where each right comes from, whether the
//! combination is allowed, and the canonical text the administrator signs with strong
//! authentication.

use crate::catalog::{Catalog, ResourceRef};
use crate::identity::Email;
use crate::profile::Profile;
use crate::rights::{Level, Rights};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;
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

    /// A stable code for storage and the canonical form.
    pub fn code(&self) -> String {
        match self {
            Origin::Profile(profile) => format!("profil:{}", profile.code()),
            Origin::Copy { from_user, .. } => format!("copie:{from_user}"),
            Origin::Custom => "personnalise".to_string(),
        }
    }
}

/// Computes where a right held in the final rights comes from. `baseline` is what the method
/// started from: the profile's rights, or the copied user's; `source_name` names the copied user.
pub fn origin_of(
    method: &RightsMethod,
    baseline: &Rights,
    source_name: &str,
    resource: ResourceRef,
    level: Level,
) -> Origin {
    match method {
        RightsMethod::Profile(profile) => Origin::Profile(*profile),
        RightsMethod::Copy { from_user } if baseline.get(resource).has(level) => Origin::Copy {
            from_user: *from_user,
            name: source_name.to_string(),
        },
        RightsMethod::Copy { .. } | RightsMethod::Custom => Origin::Custom,
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

/// Everything an administrator signs when adding a user. The server keeps it in the pending
/// operation; the strong authentication is bound to its digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddUserOperation {
    pub entity_id: i64,
    pub person_id: i64,
    /// « NOM Prénom », as registered by the advisor.
    pub person_name: String,
    pub email: Email,
    pub method: RightsMethod,
    /// The copied user's rights when the method is a copy, the profile's rights for a profile.
    pub baseline: Rights,
    /// The copied user's name, for the origins.
    pub source_name: String,
    pub rights: Rights,
}

impl AddUserOperation {
    /// Where a right of the operation comes from.
    pub fn origin(&self, resource: ResourceRef, level: Level) -> Origin {
        origin_of(
            &self.method,
            &self.baseline,
            &self.source_name,
            resource,
            level,
        )
    }

    /// The canonical text: one fact per line, in a fixed order, so that the same operation always
    /// gives the same text and any change gives another.
    pub fn canonical_text(&self) -> String {
        let mut text = String::from("habilis/ajout-utilisateur/v1\n");
        let method = match self.method {
            RightsMethod::Copy { from_user } => format!("copie:{from_user}"),
            RightsMethod::Custom => "personnalise".into(),
            RightsMethod::Profile(profile) => format!("profil:{}", profile.code()),
        };
        // `writeln!` into a String cannot fail.
        let _ = writeln!(text, "entite={}", self.entity_id);
        let _ = writeln!(text, "personne={}", self.person_id);
        let _ = writeln!(text, "nom={}", one_line(&self.person_name));
        let _ = writeln!(text, "e-mail={}", self.email.as_str());
        let _ = writeln!(text, "methode={method}");
        let _ = writeln!(text, "source={}", one_line(&self.source_name));
        let admin = if self.rights.administration() {
            "oui"
        } else {
            "non"
        };
        let _ = writeln!(text, "administration={admin}");
        for (resource, levels) in self.rights.grants() {
            let cells: Vec<String> = levels
                .iter()
                .map(|level| format!("{}={}", level.letter(), self.origin(resource, level).code()))
                .collect();
            let _ = writeln!(text, "droit {}: {}", resource.key(), cells.join(" "));
        }
        text
    }

    /// SHA-256 of the canonical text, in lower-case hex.
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(self.canonical_text().as_bytes()))
    }

    /// The first 32 bits of the digest, shown to the administrator next to the recap and in the
    /// strong-authentication prompt (« Code de l’opération : 3F2A-9C1B »).
    pub fn short_code(&self) -> String {
        short_code(&self.digest())
    }
}

/// Formats the first eight hex digits of a digest as `XXXX-XXXX`.
pub fn short_code(digest: &str) -> String {
    let head: String = digest.chars().take(8).collect::<String>().to_uppercase();
    if head.len() < 8 {
        return head;
    }
    format!("{}-{}", &head[..4], &head[4..])
}

/// Keeps a free-text field on one line of the canonical text.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rights::Levels;
    use proptest::prelude::*;

    fn catalog() -> Catalog {
        crate::catalog::test_catalog(&[1, 2], &[5])
    }

    fn operation(rights: Rights, method: RightsMethod, baseline: Rights) -> AddUserOperation {
        AddUserOperation {
            entity_id: 1,
            person_id: 4,
            person_name: "MOREAU Lucas".into(),
            email: Email::parse("lucas.moreau@example.fr").unwrap(),
            method,
            baseline,
            source_name: "Julien Bernard".into(),
            rights,
        }
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

    #[test]
    fn copied_rights_keep_their_source_and_additions_are_custom() {
        let mut copied = Rights::new();
        copied.set_levels(ResourceRef::Account(1), Levels::CONSULTATION);
        let mut rights = copied.clone();
        rights.set(ResourceRef::Account(1), Level::Gestion, true);
        let op = operation(rights, RightsMethod::Copy { from_user: 3 }, copied);
        assert_eq!(
            op.origin(ResourceRef::Account(1), Level::Consultation),
            Origin::Copy {
                from_user: 3,
                name: "Julien Bernard".into()
            }
        );
        assert_eq!(
            op.origin(ResourceRef::Account(1), Level::Gestion),
            Origin::Custom
        );
        assert!(op
            .canonical_text()
            .contains("droit A1: C=copie:3 G=personnalise\n"));
    }

    #[test]
    fn the_canonical_text_lists_every_fact_in_a_fixed_order() {
        let catalog = catalog();
        let rights = Profile::Comptable.rights(&catalog);
        let op = operation(
            rights.clone(),
            RightsMethod::Profile(Profile::Comptable),
            rights,
        );
        assert_eq!(
            op.canonical_text(),
            "habilis/ajout-utilisateur/v1\nentite=1\npersonne=4\nnom=MOREAU Lucas\n\
             e-mail=lucas.moreau@example.fr\nmethode=profil:comptable\nsource=Julien Bernard\n\
             administration=non\ndroit A1: C=profil:comptable\ndroit A2: C=profil:comptable\n\
             droit C5: C=profil:comptable\n"
        );
        assert_eq!(op.digest().len(), 64);
        assert_eq!(op.short_code().len(), 9);
        assert_eq!(op.short_code(), short_code(&op.digest()));
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

    proptest! {
        /// Any change to what is signed changes the digest: a single cell, the e-mail, the
        /// administration right or the method.
        #[test]
        fn any_change_changes_the_digest(
            id in prop_oneof![Just(ResourceRef::Account(1)), Just(ResourceRef::Account(2)), Just(ResourceRef::Contract(5))],
            level in prop_oneof![Just(Level::Consultation), Just(Level::Gestion), Just(Level::Validation)],
        ) {
            let catalog = catalog();
            let base = Profile::Valideur.rights(&catalog);
            let original = operation(base.clone(), RightsMethod::Profile(Profile::Valideur), base.clone());
            let mut edited_rights = base.clone();
            edited_rights.set(id, level, false);
            let edited = operation(edited_rights, RightsMethod::Profile(Profile::Valideur), base);
            prop_assert_ne!(original.digest(), edited.digest());

            let mut admin = original.clone();
            admin.rights.set_administration(true);
            prop_assert_ne!(original.digest(), admin.digest());

            let mut other_mail = original.clone();
            other_mail.email = Email::parse("autre@example.fr").unwrap();
            prop_assert_ne!(original.digest(), other_mail.digest());

            let mut other_method = original.clone();
            other_method.method = RightsMethod::Custom;
            prop_assert_ne!(original.digest(), other_method.digest());

            let rebuilt = operation(
                Profile::Valideur.rights(&catalog),
                RightsMethod::Profile(Profile::Valideur),
                Profile::Valideur.rights(&catalog),
            );
            prop_assert_eq!(original.digest(), rebuilt.digest());
        }
    }
}
