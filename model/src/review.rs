//! « Revue des accès »: an administrator reviews every user's rights, confirming each or
//! changing it (through the usual signed operation), then closes the review with an evidence
//! file. Here: the decisions, when a review can close, and when the next one is due.

use serde::{Deserialize, Serialize};

/// A new review is due this many days after the last one closed, unless the entity says
/// otherwise.
pub const DEFAULT_PERIOD_DAYS: i64 = 90;

const DAY_SECS: i64 = 24 * 60 * 60;

/// What became of one user's rights in a review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Not looked at yet.
    Pending,
    /// Kept as they were, by an administrator.
    Confirmed,
    /// Changed, suspended or removed by a signed operation during the review.
    Changed,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Confirmed => "confirmed",
            Decision::Changed => "changed",
        }
    }

    pub fn from_code(code: &str) -> Option<Decision> {
        [Decision::Pending, Decision::Confirmed, Decision::Changed]
            .into_iter()
            .find(|d| d.code() == code)
    }

    pub fn label_in(self, lang: crate::Lang) -> &'static str {
        match self {
            Decision::Pending => lang.pick("À revoir", "To review"),
            Decision::Confirmed => lang.pick("Confirmés", "Confirmed"),
            Decision::Changed => lang.pick("Modifiés", "Changed"),
        }
    }
}

/// How far a review has got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub pending: u32,
    pub confirmed: u32,
    pub changed: u32,
}

impl Progress {
    pub fn of(decisions: impl IntoIterator<Item = Decision>) -> Progress {
        decisions
            .into_iter()
            .fold(Progress::default(), |mut progress, decision| {
                match decision {
                    Decision::Pending => progress.pending += 1,
                    Decision::Confirmed => progress.confirmed += 1,
                    Decision::Changed => progress.changed += 1,
                }
                progress
            })
    }

    pub fn total(self) -> u32 {
        self.pending + self.confirmed + self.changed
    }

    /// A review closes once every user has been decided on.
    pub fn can_close(self) -> bool {
        self.pending == 0
    }
}

/// Whether the entity should review its accesses: never reviewed, or the last review closed
/// more than `period_days` ago. A review under way is not due again.
pub fn is_due(last_closed_at: Option<i64>, period_days: i64, review_open: bool, now: i64) -> bool {
    if review_open {
        return false;
    }
    match last_closed_at {
        None => true,
        Some(closed) => now - closed > period_days.max(1) * DAY_SECS,
    }
}

/// Whole days from `since` to `now`.
pub fn days_since(since: i64, now: i64) -> i64 {
    (now - since).max(0) / DAY_SECS
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    #[test]
    fn a_review_is_due_when_none_closed_or_the_last_is_older_than_the_period() {
        assert!(is_due(None, 90, false, NOW));
        assert!(!is_due(Some(NOW - 89 * DAY_SECS), 90, false, NOW));
        assert!(!is_due(Some(NOW - 90 * DAY_SECS), 90, false, NOW));
        assert!(is_due(Some(NOW - 90 * DAY_SECS - 1), 90, false, NOW));
        assert!(is_due(Some(NOW - 31 * DAY_SECS), 30, false, NOW));
    }

    #[test]
    fn a_review_under_way_is_not_due_again() {
        assert!(!is_due(None, 90, true, NOW));
        assert!(!is_due(Some(NOW - 400 * DAY_SECS), 90, true, NOW));
    }

    #[test]
    fn a_review_closes_only_once_every_user_is_decided() {
        use Decision::*;
        let progress = Progress::of([Confirmed, Changed, Pending, Confirmed]);
        assert_eq!(
            progress,
            Progress {
                pending: 1,
                confirmed: 2,
                changed: 1
            }
        );
        assert_eq!(progress.total(), 4);
        assert!(!progress.can_close());
        assert!(Progress::of([Confirmed, Changed]).can_close());
    }

    #[test]
    fn decisions_have_stable_codes() {
        for decision in [Decision::Pending, Decision::Confirmed, Decision::Changed] {
            assert_eq!(Decision::from_code(decision.code()), Some(decision));
        }
        assert_eq!(days_since(NOW - 3 * DAY_SECS - 5, NOW), 3);
    }
}
