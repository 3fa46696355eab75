//! The four profiles of the reference page.

use crate::catalog::Catalog;
use crate::rights::{Levels, Rights};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Dirigeant,
    Comptable,
    Preparateur,
    Valideur,
}

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Dirigeant,
        Profile::Comptable,
        Profile::Preparateur,
        Profile::Valideur,
    ];

    /// The button text of the reference page.
    pub fn title(self) -> &'static str {
        match self {
            Profile::Dirigeant => "Profil dirigeant",
            Profile::Comptable => "Profil comptable",
            Profile::Preparateur => "Profil préparateur",
            Profile::Valideur => "Profil valideur",
        }
    }

    /// Lower-case name used inside a sentence ("profil valideur").
    pub fn label(self) -> &'static str {
        match self {
            Profile::Dirigeant => "profil dirigeant",
            Profile::Comptable => "profil comptable",
            Profile::Preparateur => "profil préparateur",
            Profile::Valideur => "profil valideur",
        }
    }

    /// The profile's name in `lang` (« Préparateur », "Preparer").
    pub fn title_in(self, lang: crate::Lang) -> &'static str {
        match self {
            Profile::Dirigeant => lang.pick("Dirigeant", "Director"),
            Profile::Comptable => lang.pick("Comptable", "Accountant"),
            Profile::Preparateur => lang.pick("Préparateur", "Preparer"),
            Profile::Valideur => lang.pick("Valideur", "Approver"),
        }
    }

    /// The reference page's description of the profile.
    pub fn description(self) -> &'static str {
        match self {
            Profile::Dirigeant => "Tous les droits de consultation, de gestion et de validation, attribués en un seul clic.",
            Profile::Comptable => "Des droits de consultation uniquement.",
            Profile::Preparateur => "Tous les droits de consultation et de gestion (hors validation) sont pré-cochés. À vous de décocher, au cas par cas, les droits et les comptes et contrats que vous ne désirez pas confier à l’utilisateur.",
            Profile::Valideur => "Tous les droits de consultation, de gestion et de validation sont pré-cochés. À vous de décocher les droits et les comptes et contrats que vous souhaitez voir sortir du périmètre de l’utilisateur.",
        }
    }

    /// The stable code used in URLs, storage and the canonical form.
    pub fn code(self) -> &'static str {
        match self {
            Profile::Dirigeant => "dirigeant",
            Profile::Comptable => "comptable",
            Profile::Preparateur => "preparateur",
            Profile::Valideur => "valideur",
        }
    }

    pub fn from_code(code: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.code() == code)
    }

    /// The levels the profile gives (or pre-ticks) on every account and contract.
    pub fn levels(self) -> Levels {
        match self {
            Profile::Dirigeant | Profile::Valideur => Levels::ALL,
            Profile::Comptable => Levels::CONSULTATION,
            Profile::Preparateur => Levels::CONSULTATION_GESTION,
        }
    }

    /// Préparateur and valideur pre-tick boxes that the administrator then unticks; dirigeant and
    /// comptable are given as they are, in one click.
    pub fn is_customisable(self) -> bool {
        matches!(self, Profile::Preparateur | Profile::Valideur)
    }

    /// What the profile gives on a catalog. Never the administration right: that one is always
    /// ticked by hand.
    pub fn rights(self, catalog: &Catalog) -> Rights {
        Rights::uniform(catalog, self.levels())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rights::Level;

    fn catalog() -> Catalog {
        crate::catalog::test_catalog(&[1, 2, 3], &[7])
    }

    #[test]
    fn each_profile_pre_ticks_what_the_reference_page_says() {
        let catalog = catalog();
        let expected = [
            (Profile::Dirigeant, [4, 4, 4]),
            (Profile::Comptable, [4, 0, 0]),
            (Profile::Preparateur, [4, 4, 0]),
            (Profile::Valideur, [4, 4, 4]),
        ];
        for (profile, counts) in expected {
            let rights = profile.rights(&catalog);
            for (level, count) in Level::ALL.into_iter().zip(counts) {
                assert_eq!(rights.count(level), count, "{profile:?} {level:?}");
            }
            assert!(
                !rights.administration(),
                "{profile:?} never ticks administration"
            );
        }
    }

    #[test]
    fn only_preparateur_and_valideur_are_customisable() {
        let customisable: Vec<_> = Profile::ALL
            .into_iter()
            .filter(|p| p.is_customisable())
            .collect();
        assert_eq!(customisable, vec![Profile::Preparateur, Profile::Valideur]);
    }

    #[test]
    fn codes_round_trip() {
        for profile in Profile::ALL {
            assert_eq!(Profile::from_code(profile.code()), Some(profile));
        }
    }
}
