//! Administration operations: every change an administrator makes (add a user, modify their
//! rights, suspend, reactivate, remove, reset access, unblock, mark or unmark as auditor, switch
//! the double validation on or off) is one [`Operation`]. Each has a
//! canonical text — what the administrator reads and signs with strong authentication — and its
//! digest, to which the signature is bound. The server keeps the operation between « Confirmer »
//! and the signature, then applies it; see `docs/architecture.md`.
//!
//! - [`assignment`]: the three methods of giving rights and where each right comes from.
//! - [`diff`]: what a change of rights gives and takes away.

pub mod assignment;
pub mod diff;

use crate::identity::Email;
use crate::rights::{Level, Rights};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::fmt::Write as _;

pub use assignment::{
    check_assignment, origin_of, Assignment, AssignmentError, Origin, Origins, RightsMethod,
};
pub use diff::{DiffLine, RightsDiff};

/// The kinds of operation, with their stable codes (storage, audit trail, canonical text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationKind {
    AddUser,
    ModifyRights,
    Suspend,
    Reactivate,
    Remove,
    ResetAccess,
    Unblock,
    SetAuditor,
    SetDualControl,
}

impl OperationKind {
    pub const ALL: [OperationKind; 9] = [
        OperationKind::AddUser,
        OperationKind::ModifyRights,
        OperationKind::Suspend,
        OperationKind::Reactivate,
        OperationKind::Remove,
        OperationKind::ResetAccess,
        OperationKind::Unblock,
        OperationKind::SetAuditor,
        OperationKind::SetDualControl,
    ];

    /// What the operation does, in a sentence's words (« suspension de l’accès »).
    pub fn label_in(self, lang: crate::Lang) -> &'static str {
        match self {
            OperationKind::AddUser => lang.pick("ajout d’un utilisateur", "addition of a user"),
            OperationKind::ModifyRights => lang.pick("modification des droits", "change of rights"),
            OperationKind::Suspend => {
                lang.pick("suspension de l’accès", "suspension of the access")
            }
            OperationKind::Reactivate => {
                lang.pick("réactivation de l’accès", "reactivation of the access")
            }
            OperationKind::Remove => lang.pick("retrait de l’utilisateur", "removal of the user"),
            OperationKind::ResetAccess => {
                lang.pick("réinitialisation de l’accès", "reset of the access")
            }
            OperationKind::Unblock => lang.pick("déblocage de l’accès", "unblocking of the access"),
            OperationKind::SetAuditor => lang.pick(
                "changement du rôle d’auditeur",
                "change of the auditor role",
            ),
            OperationKind::SetDualControl => lang.pick(
                "changement de la double validation",
                "change of the double validation",
            ),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            OperationKind::AddUser => "ajout_utilisateur",
            OperationKind::ModifyRights => "modification_droits",
            OperationKind::Suspend => "suspension",
            OperationKind::Reactivate => "reactivation",
            OperationKind::Remove => "suppression",
            OperationKind::ResetAccess => "reinitialisation_acces",
            OperationKind::Unblock => "deblocage",
            OperationKind::SetAuditor => "role_auditeur",
            OperationKind::SetDualControl => "double_validation",
        }
    }

    pub fn from_code(code: &str) -> Option<OperationKind> {
        OperationKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The operation's name in `lang`.
    pub fn title_in(self, lang: crate::Lang) -> &'static str {
        match lang {
            crate::Lang::Fr => self.title(),
            crate::Lang::En => match self {
                OperationKind::AddUser => "Addition of a user",
                OperationKind::ModifyRights => "Change of rights",
                OperationKind::Suspend => "Suspension of a user",
                OperationKind::Reactivate => "Reactivation of a user",
                OperationKind::Remove => "Removal of a user",
                OperationKind::ResetAccess => "Reset of the access",
                OperationKind::Unblock => "Unblocking of a user",
                OperationKind::SetAuditor => "Auditor role",
                OperationKind::SetDualControl => "Double validation",
            },
        }
    }

    /// The operation's name, as headings and the journal show it.
    pub fn title(self) -> &'static str {
        match self {
            OperationKind::AddUser => "Ajout d’un utilisateur",
            OperationKind::ModifyRights => "Modification des droits",
            OperationKind::Suspend => "Suspension d’un utilisateur",
            OperationKind::Reactivate => "Réactivation d’un utilisateur",
            OperationKind::Remove => "Suppression d’un utilisateur",
            OperationKind::ResetAccess => "Réinitialisation de l’accès",
            OperationKind::Unblock => "Déblocage d’un utilisateur",
            OperationKind::SetAuditor => "Rôle d’auditeur",
            OperationKind::SetDualControl => "Double validation",
        }
    }
}

/// The user an operation is about, as the administrator saw them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRef {
    pub user_id: i64,
    /// « NOM Prénom »
    pub name: String,
    pub login_id: String,
    /// The user's version when the operation was prepared: any change in between voids it.
    pub version: i64,
}

/// What an operation changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    AddUser {
        person_id: i64,
        /// « NOM Prénom », as registered by the advisor.
        person_name: String,
        email: Email,
        assignment: Assignment,
    },
    ModifyRights {
        user: UserRef,
        before: Rights,
        assignment: Assignment,
    },
    Suspend {
        user: UserRef,
    },
    Reactivate {
        user: UserRef,
    },
    Remove {
        user: UserRef,
    },
    ResetAccess {
        user: UserRef,
    },
    Unblock {
        user: UserRef,
    },
    /// Gives (`auditor`) or takes away the auditor role: the journal, the entitlement report
    /// and the access reviews, read only.
    SetAuditor {
        user: UserRef,
        auditor: bool,
    },
    /// Switches the entity's double validation on or off: while on, every operation signed by
    /// one administrator applies only once another has approved it (see [`crate::approval`]).
    SetDualControl {
        enabled: bool,
    },
}

/// One administration operation of an entity, as signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    pub entity_id: i64,
    pub change: Change,
}

impl Operation {
    pub fn kind(&self) -> OperationKind {
        match &self.change {
            Change::AddUser { .. } => OperationKind::AddUser,
            Change::ModifyRights { .. } => OperationKind::ModifyRights,
            Change::Suspend { .. } => OperationKind::Suspend,
            Change::Reactivate { .. } => OperationKind::Reactivate,
            Change::Remove { .. } => OperationKind::Remove,
            Change::ResetAccess { .. } => OperationKind::ResetAccess,
            Change::Unblock { .. } => OperationKind::Unblock,
            Change::SetAuditor { .. } => OperationKind::SetAuditor,
            Change::SetDualControl { .. } => OperationKind::SetDualControl,
        }
    }

    /// The existing user the operation is about (none for an addition).
    pub fn target(&self) -> Option<&UserRef> {
        match &self.change {
            Change::AddUser { .. } | Change::SetDualControl { .. } => None,
            Change::ModifyRights { user, .. }
            | Change::Suspend { user }
            | Change::Reactivate { user }
            | Change::Remove { user }
            | Change::ResetAccess { user }
            | Change::Unblock { user }
            | Change::SetAuditor { user, .. } => Some(user),
        }
    }

    /// The rights given, with where each comes from (addition and modification).
    pub fn assignment(&self) -> Option<&Assignment> {
        match &self.change {
            Change::AddUser { assignment, .. } | Change::ModifyRights { assignment, .. } => {
                Some(assignment)
            }
            _ => None,
        }
    }

    /// The canonical text: one fact per line, in a fixed order, so that the same operation always
    /// gives the same text and any change gives another.
    pub fn canonical_text(&self) -> String {
        let mut text = format!("habilis/{}/v1\n", self.kind().code());
        // `writeln!` into a String cannot fail.
        let _ = writeln!(text, "entite={}", self.entity_id);
        match &self.change {
            Change::AddUser {
                person_id,
                person_name,
                email,
                assignment,
            } => {
                let _ = writeln!(text, "personne={person_id}");
                let _ = writeln!(text, "nom={}", one_line(person_name));
                let _ = writeln!(text, "e-mail={}", email.as_str());
                write_assignment(&mut text, assignment);
            }
            Change::ModifyRights {
                user,
                before,
                assignment,
            } => {
                write_user(&mut text, user);
                let _ = writeln!(
                    text,
                    "administration_avant={}",
                    yes_no(before.administration())
                );
                for (resource, levels) in before.grants() {
                    let _ = writeln!(text, "avant {}: {}", resource.key(), levels.letters());
                }
                write_assignment(&mut text, assignment);
            }
            Change::Suspend { user }
            | Change::Reactivate { user }
            | Change::Remove { user }
            | Change::ResetAccess { user }
            | Change::Unblock { user } => write_user(&mut text, user),
            Change::SetAuditor { user, auditor } => {
                write_user(&mut text, user);
                let _ = writeln!(text, "auditeur={}", yes_no(*auditor));
            }
            Change::SetDualControl { enabled } => {
                let _ = writeln!(text, "double_validation={}", yes_no(*enabled));
            }
        }
        text
    }

    /// SHA-256 of the canonical text, in lower-case hex.
    pub fn digest(&self) -> String {
        data_encoding::HEXLOWER.encode(&Sha256::digest(self.canonical_text().as_bytes()))
    }

    /// The first 32 bits of the digest, shown to the administrator next to the recap and in the
    /// strong-authentication prompt (« Code de l’opération : 3F2A-9C1B »).
    pub fn short_code(&self) -> String {
        short_code(&self.digest())
    }
}

fn yes_no(on: bool) -> &'static str {
    if on {
        "oui"
    } else {
        "non"
    }
}

fn write_user(text: &mut String, user: &UserRef) {
    let _ = writeln!(text, "utilisateur={}", user.user_id);
    let _ = writeln!(text, "nom={}", one_line(&user.name));
    let _ = writeln!(text, "identifiant={}", one_line(&user.login_id));
    let _ = writeln!(text, "version={}", user.version);
}

fn write_assignment(text: &mut String, assignment: &Assignment) {
    let _ = writeln!(text, "methode={}", assignment.method.code());
    let _ = writeln!(text, "source={}", one_line(&assignment.source_name));
    let _ = writeln!(
        text,
        "administration={}",
        yes_no(assignment.rights.administration())
    );
    // Absent for permanent rights, so that their texts (and digests) stay what they were.
    if let Some(period) = assignment.period {
        if let Some(start) = period.starts_on {
            let _ = writeln!(text, "debut_droits_ajoutes={}", start.iso());
        }
        let _ = writeln!(text, "fin_droits_ajoutes={}", period.ends_on.iso());
    }
    // The temporary levels held before (absent when none, as before they existed).
    for (resource, level, day) in &assignment.previous_ends {
        let _ = writeln!(
            text,
            "fin_avant {} {}={}",
            resource.key(),
            level.letter(),
            day.iso()
        );
    }
    for (resource, levels) in assignment.rights.grants() {
        let cells: Vec<String> = levels
            .iter()
            .map(|level: Level| {
                format!(
                    "{}={}",
                    level.letter(),
                    assignment.origin(resource, level).code()
                )
            })
            .collect();
        let _ = writeln!(text, "droit {}: {}", resource.key(), cells.join(" "));
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
    use crate::catalog::{Catalog, ResourceRef};
    use crate::profile::Profile;
    use proptest::prelude::*;

    fn catalog() -> Catalog {
        crate::catalog::test_catalog(&[1, 2], &[5])
    }

    fn assignment(rights: Rights, method: RightsMethod, baseline: Rights) -> Assignment {
        Assignment {
            method,
            baseline,
            source_name: "Julien Bernard".into(),
            previous: Origins::new(),
            rights,
            period: None,
            previous_ends: Vec::new(),
        }
    }

    fn add_user(rights: Rights, method: RightsMethod, baseline: Rights) -> Operation {
        Operation {
            entity_id: 1,
            change: Change::AddUser {
                person_id: 4,
                person_name: "MOREAU Lucas".into(),
                email: Email::parse("lucas.moreau@example.fr").unwrap(),
                assignment: assignment(rights, method, baseline),
            },
        }
    }

    fn lucas() -> UserRef {
        UserRef {
            user_id: 12,
            name: "MOREAU Lucas".into(),
            login_id: "3000000012".into(),
            version: 3,
        }
    }

    #[test]
    fn the_canonical_text_of_an_addition_lists_every_fact_in_a_fixed_order() {
        let catalog = catalog();
        let rights = Profile::Comptable.rights(&catalog);
        let op = add_user(
            rights.clone(),
            RightsMethod::Profile(Profile::Comptable),
            rights,
        );
        assert_eq!(
            op.canonical_text(),
            "habilis/ajout_utilisateur/v1\nentite=1\npersonne=4\nnom=MOREAU Lucas\n\
             e-mail=lucas.moreau@example.fr\nmethode=profil:comptable\nsource=Julien Bernard\n\
             administration=non\ndroit A1: C=profil:comptable\ndroit A2: C=profil:comptable\n\
             droit C5: C=profil:comptable\n"
        );
        assert_eq!(op.digest().len(), 64);
        assert_eq!(op.short_code(), short_code(&op.digest()));
        assert_eq!(op.kind(), OperationKind::AddUser);
        assert!(op.target().is_none());
    }

    #[test]
    fn a_modification_signs_the_user_its_version_and_the_rights_before_and_after() {
        let catalog = catalog();
        let before = Profile::Comptable.rights(&catalog);
        let mut after = before.clone();
        after.set(ResourceRef::Account(1), Level::Gestion, true);
        let op = Operation {
            entity_id: 1,
            change: Change::ModifyRights {
                user: lucas(),
                before: before.clone(),
                assignment: Assignment {
                    previous: before
                        .grants()
                        .map(|(r, _)| {
                            (
                                (r, Level::Consultation),
                                Origin::Profile(Profile::Comptable),
                            )
                        })
                        .collect(),
                    ..assignment(after, RightsMethod::Custom, Rights::new())
                },
            },
        };
        let text = op.canonical_text();
        assert!(text.starts_with(
            "habilis/modification_droits/v1\nentite=1\nutilisateur=12\nnom=MOREAU Lucas\n\
             identifiant=3000000012\nversion=3\nadministration_avant=non\navant A1: C\n"
        ));
        assert!(text.contains("droit A1: C=profil:comptable G=personnalise\n"));
        assert_eq!(op.target().map(|u| u.version), Some(3));
        let mut newer = op.clone();
        if let Change::ModifyRights { user, .. } = &mut newer.change {
            user.version = 4;
        }
        assert_ne!(op.digest(), newer.digest(), "the version is signed");
    }

    #[test]
    fn state_changes_sign_the_user_and_differ_by_kind() {
        let kinds = [
            Change::Suspend { user: lucas() },
            Change::Reactivate { user: lucas() },
            Change::Remove { user: lucas() },
            Change::ResetAccess { user: lucas() },
            Change::Unblock { user: lucas() },
            Change::SetAuditor {
                user: lucas(),
                auditor: true,
            },
            Change::SetAuditor {
                user: lucas(),
                auditor: false,
            },
        ];
        let digests: std::collections::BTreeSet<String> = kinds
            .into_iter()
            .map(|change| {
                let op = Operation {
                    entity_id: 1,
                    change,
                };
                assert!(op.canonical_text().contains("utilisateur=12\n"));
                assert_eq!(op.target().map(|u| u.user_id), Some(12));
                op.digest()
            })
            .collect();
        assert_eq!(
            digests.len(),
            7,
            "giving and taking the auditor role differ too"
        );
    }

    #[test]
    fn switching_the_double_validation_signs_the_entity_and_the_direction() {
        let on = Operation {
            entity_id: 3,
            change: Change::SetDualControl { enabled: true },
        };
        let off = Operation {
            entity_id: 3,
            change: Change::SetDualControl { enabled: false },
        };
        assert_eq!(
            on.canonical_text(),
            "habilis/double_validation/v1\nentite=3\ndouble_validation=oui\n"
        );
        assert!(off.canonical_text().ends_with("double_validation=non\n"));
        assert_ne!(on.digest(), off.digest());
        assert_eq!(on.target(), None);
        assert_eq!(on.kind(), OperationKind::SetDualControl);
        assert_eq!(
            OperationKind::from_code("double_validation"),
            Some(OperationKind::SetDualControl)
        );
    }

    #[test]
    fn a_period_is_signed_and_applies_only_to_the_levels_added() {
        let catalog = catalog();
        let before = Profile::Comptable.rights(&catalog);
        let mut after = before.clone();
        after.set(ResourceRef::Account(1), Level::Validation, true);
        let permanent = assignment(after.clone(), RightsMethod::Custom, Rights::new());
        let mut temporary = permanent.clone();
        temporary.period = Some(crate::Period::until(
            crate::Day::parse("2027-01-05").unwrap(),
        ));
        let op = |assignment: Assignment| Operation {
            entity_id: 1,
            change: Change::ModifyRights {
                user: lucas(),
                before: before.clone(),
                assignment,
            },
        };
        let text = op(temporary.clone()).canonical_text();
        assert!(
            text.contains("administration=non\nfin_droits_ajoutes=2027-01-05\n"),
            "{text}"
        );
        assert!(!op(permanent.clone())
            .canonical_text()
            .contains("fin_droits"));
        assert_ne!(op(permanent).digest(), op(temporary.clone()).digest());
        let mut later = temporary.clone();
        later.period = Some(crate::Period {
            starts_on: crate::Day::parse("2026-12-20"),
            ends_on: crate::Day::parse("2027-01-05").unwrap(),
        });
        assert!(op(later.clone())
            .canonical_text()
            .contains("debut_droits_ajoutes=2026-12-20\nfin_droits_ajoutes=2027-01-05\n"));
        assert_ne!(op(later).digest(), op(temporary.clone()).digest());
        assert_eq!(
            temporary.added_levels(&before),
            vec![(ResourceRef::Account(1), Level::Validation)]
        );
        let today = crate::Day::parse("2026-12-04").unwrap();
        assert_eq!(temporary.check_period(&before, today), Ok(()));
        // Nothing added on an account or contract: nothing for the period to end.
        assert_eq!(
            temporary.check_period(&after, today),
            Err(crate::PeriodError::NothingAdded)
        );
        let late = crate::Day::parse("2027-01-06").unwrap();
        assert_eq!(
            temporary.check_period(&before, late),
            Err(crate::PeriodError::Past)
        );
        // The JSON of a permanent assignment has no period, as before periods existed.
        let json =
            serde_json::to_string(&assignment(after, RightsMethod::Custom, Rights::new())).unwrap();
        assert!(!json.contains("period"), "{json}");
        let round = serde_json::to_string(&temporary).unwrap();
        assert_eq!(
            serde_json::from_str::<Assignment>(&round).unwrap(),
            temporary
        );
    }

    #[test]
    fn a_period_moves_the_end_of_the_temporary_levels_kept() {
        let catalog = catalog();
        let mut before = Profile::Comptable.rights(&catalog);
        before.set(ResourceRef::Account(1), Level::Validation, true);
        let old_end = crate::Day::parse("2027-01-05").unwrap();
        let new_end = crate::Day::parse("2027-01-12").unwrap();
        let mut kept = assignment(before.clone(), RightsMethod::Custom, Rights::new());
        kept.previous_ends = vec![(ResourceRef::Account(1), Level::Validation, old_end)];
        // Without a period the level keeps its end; nothing moves.
        assert_eq!(kept.redated_levels(), vec![]);
        assert_eq!(
            kept.last_day(&before, ResourceRef::Account(1), Level::Validation),
            Some(old_end)
        );
        assert_eq!(
            kept.last_day(&before, ResourceRef::Account(1), Level::Consultation),
            None
        );
        let mut extended = kept.clone();
        extended.period = Some(crate::Period::until(new_end));
        assert_eq!(
            extended.redated_levels(),
            vec![(ResourceRef::Account(1), Level::Validation)]
        );
        assert_eq!(
            extended.last_day(&before, ResourceRef::Account(1), Level::Validation),
            Some(new_end)
        );
        let today = crate::Day::parse("2026-12-04").unwrap();
        assert_eq!(extended.check_period(&before, today), Ok(()));
        // The same day again moves nothing: there is nothing for the period to do.
        let mut same = kept.clone();
        same.period = Some(crate::Period::until(old_end));
        assert_eq!(
            same.check_period(&before, today),
            Err(crate::PeriodError::NothingAdded)
        );
        // What was held until when is signed.
        let op = |assignment: Assignment| Operation {
            entity_id: 1,
            change: Change::ModifyRights {
                user: lucas(),
                before: before.clone(),
                assignment,
            },
        };
        assert!(op(extended.clone())
            .canonical_text()
            .contains("fin_droits_ajoutes=2027-01-12\nfin_avant A1 V=2027-01-05\n"));
        assert_ne!(op(kept).digest(), op(extended).digest());
    }

    #[test]
    fn kinds_have_stable_codes() {
        for kind in OperationKind::ALL {
            assert_eq!(OperationKind::from_code(kind.code()), Some(kind));
        }
    }

    #[test]
    fn operations_refuse_unknown_fields() {
        let op = add_user(Rights::new(), RightsMethod::Custom, Rights::new());
        let mut json: serde_json::Value = serde_json::to_value(&op).unwrap();
        json["extra"] = serde_json::json!(1);
        assert!(serde_json::from_value::<Operation>(json).is_err());
        let round = serde_json::to_string(&op).unwrap();
        assert_eq!(serde_json::from_str::<Operation>(&round).unwrap(), op);
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
            let original = add_user(base.clone(), RightsMethod::Profile(Profile::Valideur), base.clone());
            let mut edited_rights = base.clone();
            edited_rights.set(id, level, false);
            let edited = add_user(edited_rights, RightsMethod::Profile(Profile::Valideur), base.clone());
            prop_assert_ne!(original.digest(), edited.digest());

            let with = |f: &dyn Fn(&mut Operation)| { let mut op = original.clone(); f(&mut op); op };
            let admin = with(&|op| if let Change::AddUser { assignment, .. } = &mut op.change {
                assignment.rights.set_administration(true);
            });
            prop_assert_ne!(original.digest(), admin.digest());
            let other_mail = with(&|op| if let Change::AddUser { email, .. } = &mut op.change {
                *email = Email::parse("autre@example.fr").unwrap();
            });
            prop_assert_ne!(original.digest(), other_mail.digest());
            let other_method = with(&|op| if let Change::AddUser { assignment, .. } = &mut op.change {
                assignment.method = RightsMethod::Custom;
            });
            prop_assert_ne!(original.digest(), other_method.digest());
            let other_entity = with(&|op| op.entity_id = 2);
            prop_assert_ne!(original.digest(), other_entity.digest());

            let rebuilt = add_user(
                Profile::Valideur.rights(&catalog),
                RightsMethod::Profile(Profile::Valideur),
                Profile::Valideur.rights(&catalog),
            );
            prop_assert_eq!(original.digest(), rebuilt.digest());
        }

        /// Before-rights are signed too: the same after with another before is another text.
        #[test]
        fn a_modification_digest_covers_the_rights_before(level in prop_oneof![Just(Level::Gestion), Just(Level::Validation)]) {
            let catalog = catalog();
            let after = Profile::Comptable.rights(&catalog);
            let make = |before: Rights| Operation {
                entity_id: 1,
                change: Change::ModifyRights {
                    user: lucas(),
                    before,
                    assignment: assignment(after.clone(), RightsMethod::Profile(Profile::Comptable), after.clone()),
                },
            };
            let mut other_before = after.clone();
            other_before.set(ResourceRef::Account(2), level, true);
            prop_assert_ne!(make(after.clone()).digest(), make(other_before).digest());
        }
    }
}
