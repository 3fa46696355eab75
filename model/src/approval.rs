//! « Double validation » (maker-checker): when an entity switches it on, every administration
//! operation one administrator signs waits for a second administrator's approval before it
//! applies. Here: when a request can still be approved, why it cannot, and the reason a
//! rejection must give.

use serde::{Deserialize, Serialize};

/// A request older than this (from its signature) can no longer be approved.
pub const REQUEST_LIFETIME_SECS: i64 = 72 * 60 * 60;

/// The longest reason a rejection may give.
pub const REASON_MAX_CHARS: usize = 500;

/// What is checked again at the moment a second administrator approves a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestFacts {
    pub author_user_id: i64,
    pub approver_user_id: i64,
    /// When the author signed it.
    pub signed_at: i64,
    pub now: i64,
    /// The user concerned: their version when the request was prepared, and now (`None` when
    /// they no longer exist). `None` for a request about no existing user.
    pub target_versions: Option<(i64, Option<i64>)>,
    /// The author still holds the administration right, with an active access.
    pub author_is_administrator: bool,
    /// A switch of the double validation: the value asked for, and the value now.
    pub setting: Option<(bool, bool)>,
}

/// Why a request cannot be approved now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The author may not approve their own request, from any session or device. The request
    /// stays open for another administrator.
    OwnRequest,
    /// The request is void (see [`Lapse`]).
    Lapsed(Lapse),
}

/// Why a request became void: it can never be approved again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lapse {
    /// Older than [`REQUEST_LIFETIME_SECS`].
    TooOld,
    /// The user concerned changed since it was prepared.
    TargetChanged,
    /// Its author lost the administration right (or their access).
    AuthorNoLongerAdministrator,
    /// A switch of the double validation that another switch overtook (applied since, or the
    /// value already the one asked for).
    SettingChanged,
}

impl Lapse {
    pub const ALL: [Lapse; 4] = [
        Lapse::TooOld,
        Lapse::TargetChanged,
        Lapse::AuthorNoLongerAdministrator,
        Lapse::SettingChanged,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Lapse::TooOld => "trop_ancienne",
            Lapse::TargetChanged => "utilisateur_modifie",
            Lapse::AuthorNoLongerAdministrator => "auteur_plus_administrateur",
            Lapse::SettingChanged => "parametre_modifie",
        }
    }

    pub fn from_code(code: &str) -> Option<Lapse> {
        Lapse::ALL.into_iter().find(|lapse| lapse.code() == code)
    }

    pub fn sentence_in(self, lang: crate::Lang) -> &'static str {
        match self {
            Lapse::TooOld => lang.pick(
                "Cette demande a plus de 72 heures : elle est caduque. Son auteur peut la préparer à nouveau.",
                "This request is more than 72 hours old: it is void. Its author may prepare it again.",
            ),
            Lapse::TargetChanged => lang.pick(
                "L’utilisateur concerné a changé depuis la demande : elle est caduque. Son auteur peut la préparer à nouveau.",
                "The user concerned changed since the request: it is void. Its author may prepare it again.",
            ),
            Lapse::AuthorNoLongerAdministrator => lang.pick(
                "L’auteur de la demande n’est plus administrateur : elle est caduque.",
                "The author of the request is no longer an administrator: it is void.",
            ),
            Lapse::SettingChanged => lang.pick(
                "La double validation a changé depuis la demande : elle est caduque.",
                "The double validation changed since the request: it is void.",
            ),
        }
    }
}

impl Refusal {
    pub fn sentence_in(self, lang: crate::Lang) -> &'static str {
        match self {
            Refusal::OwnRequest => lang.pick(
                "Vous ne pouvez pas valider votre propre demande : un autre administrateur doit le faire.",
                "You cannot approve your own request: another administrator must do it.",
            ),
            Refusal::Lapsed(lapse) => lapse.sentence_in(lang),
        }
    }
}

/// Whether the request may be approved now by `approver_user_id`. A void request is void for
/// everyone, its author included, so the lapses are checked first.
pub fn check(facts: &RequestFacts) -> Result<(), Refusal> {
    if facts.now >= facts.signed_at + REQUEST_LIFETIME_SECS {
        return Err(Refusal::Lapsed(Lapse::TooOld));
    }
    if !facts.author_is_administrator {
        return Err(Refusal::Lapsed(Lapse::AuthorNoLongerAdministrator));
    }
    if let Some((then, now)) = facts.target_versions {
        if now != Some(then) {
            return Err(Refusal::Lapsed(Lapse::TargetChanged));
        }
    }
    if let Some((asked, now)) = facts.setting {
        if asked == now {
            return Err(Refusal::Lapsed(Lapse::SettingChanged));
        }
    }
    if facts.author_user_id == facts.approver_user_id {
        return Err(Refusal::OwnRequest);
    }
    Ok(())
}

/// When a request made at `signed_at` lapses.
pub fn lapses_at(signed_at: i64) -> i64 {
    signed_at + REQUEST_LIFETIME_SECS
}

/// Whether the double validation can be switched on with this many active administrators: a
/// second one must be there to approve.
pub fn can_switch_on(active_administrators: i64) -> bool {
    active_administrators >= 2
}

/// Whether an operation leaving `remaining_administrators` active administrators (the one it
/// concerns no longer counted) keeps the entity able to act: one at least, two while the double
/// validation is on (a lone administrator's requests could never be approved).
pub fn keeps_administration(dual_control: bool, remaining_administrators: i64) -> bool {
    remaining_administrators >= if dual_control { 2 } else { 1 }
}

/// The reason given with a rejection: told to the author and kept in the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionReason(String);

/// Why a rejection reason is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("Indiquez le motif du refus.")]
    Missing,
    #[error("Le motif ne doit pas dépasser 500 caractères.")]
    TooLong,
    #[error("Le motif contient des caractères non autorisés.")]
    ControlCharacters,
}

impl RejectionReason {
    pub fn parse(text: &str) -> Result<RejectionReason, ReasonError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(ReasonError::Missing);
        }
        if text.chars().count() > REASON_MAX_CHARS {
            return Err(ReasonError::TooLong);
        }
        // Line breaks are allowed in a reason; nothing else invisible.
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            return Err(ReasonError::ControlCharacters);
        }
        Ok(RejectionReason(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn facts() -> RequestFacts {
        RequestFacts {
            author_user_id: 1,
            approver_user_id: 2,
            signed_at: 1_000,
            now: 1_000 + 3_600,
            target_versions: Some((4, Some(4))),
            author_is_administrator: true,
            setting: None,
        }
    }

    #[test]
    fn another_administrator_may_approve_a_fresh_request() {
        assert_eq!(check(&facts()), Ok(()));
        let about_nobody = RequestFacts {
            target_versions: None,
            ..facts()
        };
        assert_eq!(check(&about_nobody), Ok(()));
    }

    #[test]
    fn the_author_never_approves_their_own_request() {
        let own = RequestFacts {
            approver_user_id: 1,
            ..facts()
        };
        assert_eq!(check(&own), Err(Refusal::OwnRequest));
    }

    #[test]
    fn a_request_lapses_after_72_hours() {
        let just_before = RequestFacts {
            now: 1_000 + REQUEST_LIFETIME_SECS - 1,
            ..facts()
        };
        assert_eq!(check(&just_before), Ok(()));
        let at_72_hours = RequestFacts {
            now: 1_000 + REQUEST_LIFETIME_SECS,
            ..facts()
        };
        assert_eq!(check(&at_72_hours), Err(Refusal::Lapsed(Lapse::TooOld)));
        assert_eq!(lapses_at(1_000), 1_000 + 72 * 3_600);
    }

    #[test]
    fn a_request_lapses_when_its_user_changed_or_is_gone() {
        let changed = RequestFacts {
            target_versions: Some((4, Some(5))),
            ..facts()
        };
        assert_eq!(check(&changed), Err(Refusal::Lapsed(Lapse::TargetChanged)));
        let gone = RequestFacts {
            target_versions: Some((4, None)),
            ..facts()
        };
        assert_eq!(check(&gone), Err(Refusal::Lapsed(Lapse::TargetChanged)));
    }

    #[test]
    fn a_request_lapses_when_its_author_is_no_longer_administrator() {
        let demoted = RequestFacts {
            author_is_administrator: false,
            ..facts()
        };
        assert_eq!(
            check(&demoted),
            Err(Refusal::Lapsed(Lapse::AuthorNoLongerAdministrator))
        );
    }

    #[test]
    fn a_switch_to_the_value_already_set_is_void() {
        let stale = RequestFacts {
            target_versions: None,
            setting: Some((false, false)),
            ..facts()
        };
        assert_eq!(check(&stale), Err(Refusal::Lapsed(Lapse::SettingChanged)));
        let fresh = RequestFacts {
            target_versions: None,
            setting: Some((false, true)),
            ..facts()
        };
        assert_eq!(check(&fresh), Ok(()));
    }

    #[test]
    fn a_void_request_is_void_for_its_author_too() {
        let own_and_old = RequestFacts {
            approver_user_id: 1,
            now: 1_000 + REQUEST_LIFETIME_SECS,
            ..facts()
        };
        assert_eq!(check(&own_and_old), Err(Refusal::Lapsed(Lapse::TooOld)));
    }

    #[test]
    fn switching_on_needs_two_administrators_and_keeps_them() {
        assert!(!can_switch_on(1));
        assert!(can_switch_on(2));
        assert!(keeps_administration(false, 1));
        assert!(!keeps_administration(false, 0));
        assert!(!keeps_administration(true, 1));
        assert!(keeps_administration(true, 2));
    }

    #[test]
    fn lapse_codes_read_back() {
        for lapse in Lapse::ALL {
            assert_eq!(Lapse::from_code(lapse.code()), Some(lapse));
        }
        assert_eq!(Lapse::from_code("autre"), None);
    }

    #[test]
    fn a_rejection_needs_a_readable_reason() {
        assert_eq!(RejectionReason::parse("  "), Err(ReasonError::Missing));
        assert_eq!(
            RejectionReason::parse(&"a".repeat(501)),
            Err(ReasonError::TooLong)
        );
        assert_eq!(
            RejectionReason::parse("non\u{7}"),
            Err(ReasonError::ControlCharacters)
        );
        let reason = RejectionReason::parse("  Pas de virements pour un stagiaire.\n ").unwrap();
        assert_eq!(reason.as_str(), "Pas de virements pour un stagiaire.");
        assert!(RejectionReason::parse(&"é".repeat(500)).is_ok());
    }

    proptest! {
        #[test]
        fn approval_is_allowed_exactly_when_nothing_forbids_it(
            author in 1i64..4,
            approver in 1i64..4,
            age in 0i64..(2 * REQUEST_LIFETIME_SECS),
            then in 1i64..3,
            now_version in proptest::option::of(1i64..3),
            admin: bool,
        ) {
            let facts = RequestFacts {
                author_user_id: author,
                approver_user_id: approver,
                signed_at: 10_000,
                now: 10_000 + age,
                target_versions: Some((then, now_version)),
                author_is_administrator: admin,
                setting: None,
            };
            let allowed = author != approver
                && age < REQUEST_LIFETIME_SECS
                && admin
                && now_version == Some(then);
            prop_assert_eq!(check(&facts).is_ok(), allowed);
        }
    }
}
