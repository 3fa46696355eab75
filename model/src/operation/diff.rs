//! What a change of rights gives and takes away: per account or contract and per level, and
//! for the administration right. Shown before « Confirmer », signed with the operation, and
//! summarised in the e-mail to the user concerned.

use crate::catalog::{Catalog, ResourceRef};
use crate::recap::join_french;
use crate::rights::{Level, Rights};
use serde::{Deserialize, Serialize};

/// One account or contract whose levels change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub resource: ResourceRef,
    pub label: String,
    pub detail: String,
    pub gained: Vec<Level>,
    pub lost: Vec<Level>,
    /// Levels held before and after.
    pub kept: Vec<Level>,
}

impl DiffLine {
    /// The line's sentence in `lang`.
    pub fn sentence_in(&self, lang: crate::Lang) -> String {
        if lang == crate::Lang::Fr {
            return self.sentence();
        }
        let names = |levels: &[Level]| {
            crate::recap::join(
                lang,
                &levels.iter().map(|l| l.label_in(lang)).collect::<Vec<_>>(),
            )
        };
        let mut parts = Vec::new();
        if !self.gained.is_empty() {
            parts.push(format!("gains: {}", names(&self.gained)));
        }
        if !self.lost.is_empty() {
            parts.push(format!("loses: {}", names(&self.lost)));
        }
        parts.join("; ")
    }

    /// « gagne la validation ; perd la gestion »
    pub fn sentence(&self) -> String {
        let names =
            |levels: &[Level]| join_french(&levels.iter().map(|l| l.label()).collect::<Vec<_>>());
        let mut parts = Vec::new();
        if !self.gained.is_empty() {
            parts.push(format!("gagne : {}", names(&self.gained)));
        }
        if !self.lost.is_empty() {
            parts.push(format!("perd : {}", names(&self.lost)));
        }
        parts.join(" ; ")
    }
}

/// The exact difference between two sets of rights.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsDiff {
    /// Only the accounts and contracts that change, in grid order.
    pub lines: Vec<DiffLine>,
    /// `Some(true)`: the administration right is given; `Some(false)`: taken away.
    pub administration: Option<bool>,
}

impl RightsDiff {
    /// Compares `before` and `after`. Resources outside the catalog (a closed account) are named
    /// by their key.
    pub fn between(catalog: &Catalog, before: &Rights, after: &Rights) -> RightsDiff {
        let mut resources: Vec<ResourceRef> = catalog.resources().collect();
        for (resource, _) in before.grants().chain(after.grants()) {
            if !resources.contains(&resource) {
                resources.push(resource);
            }
        }
        let lines = resources
            .into_iter()
            .filter_map(|resource| {
                let (old, new) = (before.get(resource), after.get(resource));
                if old == new {
                    return None;
                }
                let pick = |keep: fn(bool, bool) -> bool| -> Vec<Level> {
                    Level::ALL
                        .into_iter()
                        .filter(|level| keep(old.has(*level), new.has(*level)))
                        .collect()
                };
                Some(DiffLine {
                    resource,
                    label: catalog
                        .label(resource)
                        .map(str::to_string)
                        .unwrap_or_else(|| resource.key()),
                    detail: catalog.detail(resource).unwrap_or_default(),
                    gained: pick(|old, new| !old && new),
                    lost: pick(|old, new| old && !new),
                    kept: pick(|old, new| old && new),
                })
            })
            .collect();
        let administration =
            (before.administration() != after.administration()).then_some(after.administration());
        RightsDiff {
            lines,
            administration,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.administration.is_none()
    }

    /// Applies the difference to `before`: gives `after` back exactly (tests rely on it).
    pub fn apply(&self, before: &Rights) -> Rights {
        let mut rights = before.clone();
        for line in &self.lines {
            // Losses first: unticking consultation would take away a gained level otherwise.
            for level in line.lost.iter().rev() {
                rights.set(line.resource, *level, false);
            }
            for level in &line.gained {
                rights.set(line.resource, *level, true);
            }
        }
        if let Some(on) = self.administration {
            rights.set_administration(on);
        }
        rights
    }

    /// Plain-text lines for the e-mail to the user concerned.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .lines
            .iter()
            .map(|line| format!("- {} : {}", line.label, line.sentence()))
            .collect();
        match self.administration {
            Some(true) => lines.push("- Droit d’administration : accordé".into()),
            Some(false) => lines.push("- Droit d’administration : retiré".into()),
            None => {}
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rights::Levels;
    use proptest::prelude::*;

    fn catalog() -> Catalog {
        crate::catalog::test_catalog(&[1, 2], &[5])
    }

    #[test]
    fn gains_and_losses_are_listed_per_resource_and_level() {
        let catalog = catalog();
        let mut before = Rights::new();
        before.set_levels(ResourceRef::Account(1), Levels::CONSULTATION_GESTION);
        before.set_levels(ResourceRef::Contract(5), Levels::CONSULTATION);
        let mut after = before.clone();
        after.set(ResourceRef::Account(1), Level::Gestion, false);
        after.set(ResourceRef::Account(1), Level::Validation, true);
        after.set_levels(ResourceRef::Contract(5), Levels::NONE);
        after.set_administration(true);
        let diff = RightsDiff::between(&catalog, &before, &after);
        assert_eq!(diff.lines.len(), 2);
        assert_eq!(diff.lines[0].gained, vec![Level::Validation]);
        assert_eq!(diff.lines[0].lost, vec![Level::Gestion]);
        assert_eq!(diff.lines[0].kept, vec![Level::Consultation]);
        assert_eq!(
            diff.lines[0].sentence(),
            "gagne : validation ; perd : gestion"
        );
        assert_eq!(diff.lines[1].lost, vec![Level::Consultation]);
        assert_eq!(diff.administration, Some(true));
        assert_eq!(
            diff.summary_lines(),
            vec![
                "- Compte 1 : gagne : validation ; perd : gestion".to_string(),
                "- Contrat 5 : perd : consultation".to_string(),
                "- Droit d’administration : accordé".to_string(),
            ]
        );
        assert!(RightsDiff::between(&catalog, &before, &before).is_empty());
    }

    fn rights_strategy() -> impl Strategy<Value = Rights> {
        let levels = (any::<bool>(), any::<bool>(), any::<bool>())
            .prop_map(|(c, g, v)| Levels::new(c || g || v, g, v).unwrap());
        (proptest::collection::vec(levels, 4), any::<bool>()).prop_map(
            |(levels, administration)| {
                let resources = [
                    ResourceRef::Account(1),
                    ResourceRef::Account(2),
                    ResourceRef::Contract(5),
                    ResourceRef::Contract(9),
                ];
                let mut rights = Rights::new();
                for (resource, levels) in resources.into_iter().zip(levels) {
                    rights.set_levels(resource, levels);
                }
                rights.set_administration(administration);
                rights
            },
        )
    }

    proptest! {
        /// The diff of a before/after pair is exact: applied to `before` it gives `after`, and it
        /// lists nothing that does not change.
        #[test]
        fn the_diff_is_exact(before in rights_strategy(), after in rights_strategy()) {
            let diff = RightsDiff::between(&catalog(), &before, &after);
            prop_assert_eq!(diff.apply(&before), after.clone());
            prop_assert_eq!(diff.is_empty(), before == after);
            for line in &diff.lines {
                prop_assert!(!line.gained.is_empty() || !line.lost.is_empty());
                for level in &line.gained {
                    prop_assert!(!before.get(line.resource).has(*level) && after.get(line.resource).has(*level));
                }
            }
        }
    }
}
