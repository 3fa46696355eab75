//! The plain-French recap of a set of rights: « Vérifiez l’ensemble de votre sélection ».

use crate::catalog::{Catalog, ResourceRef};
use crate::operation::Origin;
use crate::period::{from_until_phrase, until_phrase, Day};
use crate::rights::{Level, Rights};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecapLine {
    pub resource: ResourceRef,
    pub label: String,
    pub detail: String,
    /// The levels held with where each comes from.
    pub parts: Vec<(Level, Origin)>,
    /// « Consultation, gestion et validation (profil valideur) »
    pub sentence: String,
    /// « Droits temporaires »: the levels that end by themselves, with their last day.
    #[serde(default)]
    pub until: Vec<(Level, Day)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recap {
    pub lines: Vec<RecapLine>,
    /// Accounts and contracts left out of the user's scope, by name.
    pub excluded: Vec<String>,
    pub administration: bool,
    /// « Droits temporaires » given from a day to come: not held yet.
    #[serde(default)]
    pub scheduled: Vec<ScheduledLine>,
}

/// A level given from a day to come, until a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledLine {
    pub resource: ResourceRef,
    pub label: String,
    pub detail: String,
    pub level: Level,
    pub starts_on: Day,
    pub ends_on: Day,
}

impl ScheduledLine {
    /// « Virements SEPA : validation, du 20/12/2026 au 05/01/2027 inclus ».
    pub fn sentence_in(&self, lang: crate::Lang) -> String {
        format!(
            "{} : {}, {}",
            self.label,
            self.level.label_in(lang),
            from_until_phrase(self.starts_on, self.ends_on, lang)
        )
    }
}

impl Recap {
    /// Builds the recap of `rights` over `catalog`; `origin` says where each right comes from.
    pub fn new(
        catalog: &Catalog,
        rights: &Rights,
        origin: impl Fn(ResourceRef, Level) -> Origin,
    ) -> Recap {
        let mut lines = Vec::new();
        let mut excluded = Vec::new();
        for resource in catalog.resources() {
            let label = catalog.label(resource).unwrap_or_default().to_string();
            let levels = rights.get(resource);
            if levels.is_empty() {
                excluded.push(label);
                continue;
            }
            let parts: Vec<(Level, Origin)> = levels
                .iter()
                .map(|level| (level, origin(resource, level)))
                .collect();
            lines.push(RecapLine {
                resource,
                detail: catalog.detail(resource).unwrap_or_default(),
                sentence: sentence(&parts),
                label,
                parts,
                until: Vec::new(),
            });
        }
        Recap {
            lines,
            excluded,
            administration: rights.administration(),
            scheduled: Vec::new(),
        }
    }

    /// Marks the levels that end by themselves (`ends` gives a level's last day, if any), and
    /// says so in each line's sentence.
    pub fn with_ends(mut self, ends: impl Fn(ResourceRef, Level) -> Option<Day>) -> Recap {
        for line in &mut self.lines {
            line.until = line
                .parts
                .iter()
                .filter_map(|(level, _)| ends(line.resource, *level).map(|day| (*level, day)))
                .collect();
            line.sentence = format!(
                "{}{}",
                sentence(&line.parts),
                until_suffix(&line.parts, &line.until, crate::Lang::Fr)
            );
        }
        self
    }

    /// Adds the levels given from a day to come (resource, level, first and last days).
    pub fn with_scheduled(
        mut self,
        catalog: &Catalog,
        scheduled: impl IntoIterator<Item = (ResourceRef, Level, Day, Day)>,
    ) -> Recap {
        self.scheduled = scheduled
            .into_iter()
            .map(|(resource, level, starts_on, ends_on)| ScheduledLine {
                resource,
                label: catalog.label(resource).unwrap_or_default().to_string(),
                detail: catalog.detail(resource).unwrap_or_default(),
                level,
                starts_on,
                ends_on,
            })
            .collect();
        self
    }

    /// Whether any right of the recap ends by itself.
    pub fn has_temporary(&self) -> bool {
        self.lines.iter().any(|line| !line.until.is_empty())
    }

    /// The rights on one line, levels without their origins, as an access review's evidence
    /// keeps them: « Compte courant FR76… : consultation, gestion ; administration : non ».
    pub fn levels_line(&self) -> String {
        let mut parts: Vec<String> = self
            .lines
            .iter()
            .map(|line| {
                let levels: Vec<&str> = line.parts.iter().map(|(level, _)| level.label()).collect();
                format!("{} {} : {}", line.label, line.detail, levels.join(", "))
            })
            .collect();
        parts.push(format!(
            "administration : {}",
            if self.administration { "oui" } else { "non" }
        ));
        parts.join(" ; ")
    }

    /// The administration right's line in `lang`.
    pub fn administration_sentence_in(&self, lang: crate::Lang) -> &'static str {
        match (lang, self.administration) {
            (crate::Lang::Fr, _) => self.administration_sentence(),
            (crate::Lang::En, true) => {
                "Administration right: yes, the user will be able to manage the entity’s users."
            }
            (crate::Lang::En, false) => "Administration right: no.",
        }
    }

    /// One line for the administration right.
    pub fn administration_sentence(&self) -> &'static str {
        if self.administration {
            "Droit d’administration : oui, l’utilisateur pourra gérer les utilisateurs de l’entité."
        } else {
            "Droit d’administration : non."
        }
    }
}

impl RecapLine {
    /// The line's sentence in `lang` (the stored `sentence` is the French one).
    pub fn sentence_in(&self, lang: crate::Lang) -> String {
        match lang {
            crate::Lang::Fr => self.sentence.clone(),
            crate::Lang::En => format!(
                "{}{}",
                sentence_with(
                    &self.parts,
                    |level| level.label_in(lang),
                    |origin| origin.label_in(lang),
                    |items| join(lang, items),
                ),
                until_suffix(&self.parts, &self.until, lang)
            ),
        }
    }
}

/// « , jusqu’au 05/01/2027 inclus » when every level of the line ends that day,
/// « ; validation jusqu’au 05/01/2027 inclus » for each level that ends otherwise.
fn until_suffix(parts: &[(Level, Origin)], until: &[(Level, Day)], lang: crate::Lang) -> String {
    let Some((_, first)) = until.first() else {
        return String::new();
    };
    if until.len() == parts.len() && until.iter().all(|(_, day)| day == first) {
        return format!(", {}", until_phrase(*first, lang));
    }
    until
        .iter()
        .map(|(level, day)| format!(" ; {} {}", level.label_in(lang), until_phrase(*day, lang)))
        .collect()
}

/// « a », « a et b », « a, b et c »; "a, b and c".
pub fn join(lang: crate::Lang, items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), lang.pick("et", "and")),
    }
}

/// « Consultation, gestion et validation (profil valideur) » when every level has the same
/// origin, « Consultation (copié de Julien Bernard) et gestion (personnalisé) » otherwise.
fn sentence(parts: &[(Level, Origin)]) -> String {
    sentence_with(parts, Level::label, Origin::label, join_french)
}

fn sentence_with(
    parts: &[(Level, Origin)],
    level_label: impl Fn(Level) -> &'static str,
    origin_label: impl Fn(&Origin) -> String,
    join_items: impl Fn(&[&str]) -> String,
) -> String {
    let same_origin = parts.windows(2).all(|pair| pair[0].1 == pair[1].1);
    let text = if same_origin {
        let levels: Vec<&str> = parts.iter().map(|(level, _)| level_label(*level)).collect();
        let origin = parts
            .first()
            .map(|(_, o)| origin_label(o))
            .unwrap_or_default();
        format!("{} ({origin})", join_items(&levels))
    } else {
        let items: Vec<String> = parts
            .iter()
            .map(|(level, origin)| format!("{} ({})", level_label(*level), origin_label(origin)))
            .collect();
        join_items(&items.iter().map(String::as_str).collect::<Vec<_>>())
    };
    capitalise(&text)
}

/// « a », « a et b », « a, b et c ».
pub fn join_french(items: &[&str]) -> String {
    join(crate::Lang::Fr, items)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Account, Contract, ContractKind};
    use crate::operation::{Assignment, Origins, RightsMethod};
    use crate::profile::Profile;
    use crate::rights::Levels;

    fn catalog() -> Catalog {
        Catalog {
            accounts: vec![Account {
                id: 1,
                label: "Compte courant".into(),
                iban: "FR7630006000011234567890189".into(),
                currency: "EUR".into(),
            }],
            contracts: vec![
                Contract {
                    id: 5,
                    kind: ContractKind::VirementsSepa,
                    label: "Virements SEPA".into(),
                    reference: "VS-1".into(),
                },
                Contract {
                    id: 6,
                    kind: ContractKind::Titres,
                    label: "Compte-titres".into(),
                    reference: "T-1".into(),
                },
            ],
        }
    }

    #[test]
    fn the_levels_line_lists_each_resource_s_levels_and_the_administration_right() {
        let catalog = catalog();
        let mut rights = Profile::Valideur.rights(&catalog);
        rights.set_levels(ResourceRef::Contract(6), Levels::NONE);
        rights.set_administration(true);
        let recap = Recap::new(&catalog, &rights, |_, _| Origin::Custom);
        let line = recap.levels_line();
        assert!(line.starts_with("Compte courant "), "{line}");
        assert!(
            line.contains(" : consultation, gestion, validation ; "),
            "{line}"
        );
        assert!(!line.contains("Compte-titres"), "{line}");
        assert!(line.ends_with("administration : oui"), "{line}");
        let none = Recap::new(&catalog, &model_rights_none(), |_, _| Origin::Custom);
        assert_eq!(none.levels_line(), "administration : non");
    }

    fn model_rights_none() -> Rights {
        Rights::new()
    }

    #[test]
    fn a_profile_recap_names_the_profile_and_the_excluded_resources() {
        let catalog = catalog();
        let mut rights = Profile::Valideur.rights(&catalog);
        rights.set_levels(ResourceRef::Contract(6), Levels::NONE);
        rights.set(ResourceRef::Contract(5), Level::Validation, false);
        let recap = Recap::new(&catalog, &rights, |_, _| Origin::Profile(Profile::Valideur));
        assert_eq!(recap.lines.len(), 2);
        assert_eq!(
            recap.lines[0].sentence,
            "Consultation, gestion et validation (profil valideur)"
        );
        assert_eq!(
            recap.lines[1].sentence,
            "Consultation et gestion (profil valideur)"
        );
        assert_eq!(recap.excluded, vec!["Compte-titres".to_string()]);
        assert_eq!(
            recap.administration_sentence(),
            "Droit d’administration : non."
        );
    }

    #[test]
    fn a_copy_recap_tells_copied_rights_from_added_ones() {
        let catalog = catalog();
        let mut copied = Rights::new();
        copied.set_levels(ResourceRef::Account(1), Levels::CONSULTATION);
        let mut rights = copied.clone();
        rights.set(ResourceRef::Account(1), Level::Gestion, true);
        rights.set_administration(true);
        let op = Assignment {
            method: RightsMethod::Copy { from_user: 3 },
            baseline: copied,
            source_name: "Julien Bernard".into(),
            previous: Origins::new(),
            rights: rights.clone(),
            period: None,
            previous_ends: Vec::new(),
        };
        let recap = Recap::new(&catalog, &rights, |r, l| op.origin(r, l));
        assert_eq!(
            recap.lines[0].sentence,
            "Consultation (copié de Julien Bernard) et gestion (personnalisé)"
        );
        assert!(recap.administration_sentence().contains("oui"));
        assert_eq!(
            recap.lines[0].sentence_in(crate::Lang::En),
            "View (copied from Julien Bernard) and manage (custom)"
        );
        assert_eq!(
            recap.lines[0].sentence_in(crate::Lang::Fr),
            recap.lines[0].sentence
        );
        assert!(recap
            .administration_sentence_in(crate::Lang::En)
            .starts_with("Administration right: yes"));
    }

    #[test]
    fn temporary_levels_say_until_when() {
        let catalog = catalog();
        let rights = Profile::Valideur.rights(&catalog);
        let last = Day::parse("2027-01-05").unwrap();
        let all = Recap::new(&catalog, &rights, |_, _| Origin::Custom)
            .with_ends(|r, _| (r == ResourceRef::Account(1)).then_some(last));
        assert_eq!(
            all.lines[0].sentence,
            "Consultation, gestion et validation (personnalisé), jusqu’au 05/01/2027 inclus"
        );
        assert_eq!(all.lines[1].until, vec![]);
        assert!(all.has_temporary());
        let one = Recap::new(&catalog, &rights, |_, _| Origin::Custom)
            .with_ends(|_, l| (l == Level::Validation).then_some(last));
        assert_eq!(
            one.lines[0].sentence_in(crate::Lang::En),
            "View, manage and approve (custom) ; approve until 2027-01-05 inclusive"
        );
        assert!(one.lines[0]
            .sentence
            .ends_with("(personnalisé) ; validation jusqu’au 05/01/2027 inclus"));
        assert!(!Recap::new(&catalog, &rights, |_, _| Origin::Custom).has_temporary());
        let later = Recap::new(&catalog, &Rights::new(), |_, _| Origin::Custom).with_scheduled(
            &catalog,
            [(
                ResourceRef::Contract(5),
                Level::Validation,
                Day::parse("2026-12-20").unwrap(),
                last,
            )],
        );
        assert_eq!(
            later.scheduled[0].sentence_in(crate::Lang::Fr),
            "Virements SEPA : validation, du 20/12/2026 au 05/01/2027 inclus"
        );
    }

    #[test]
    fn french_lists_use_et_before_the_last_item() {
        assert_eq!(join_french(&[]), "");
        assert_eq!(join_french(&["a"]), "a");
        assert_eq!(join_french(&["a", "b"]), "a et b");
        assert_eq!(join_french(&["a", "b", "c"]), "a, b et c");
    }
}
