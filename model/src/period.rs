//! « Droits temporaires » (holiday cover): the rights an addition or a modification gives may
//! end by themselves. The administrator picks the last day; the rights are removed at the end of
//! that day, Paris time (midnight between it and the next day), by the server's sweep, with a
//! reminder three days before.
//!
//! Days are calendar dates (`2027-01-05`), as a date field sends them; the instant a day ends
//! follows the French civil time (CET, CEST from the last Sunday of March to the last Sunday of
//! October), so « jusqu’au 5 janvier » means until midnight in Paris, whatever the server's zone.

use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;
use time::{Date, Month, OffsetDateTime, Weekday};

/// How far ahead an end date may be: temporary rights are for cover, not a way around reviews.
pub const LONGEST_DAYS: i64 = 366;

/// The reminder is sent this long before the rights end.
pub const REMINDER_BEFORE_SECS: i64 = 3 * 24 * 60 * 60;

const DAY_SECS: i64 = 24 * 60 * 60;

/// A calendar day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(Date);

impl Day {
    /// Reads `AAAA-MM-JJ` (what `<input type="date">` sends); `None` for anything else.
    pub fn parse(text: &str) -> Option<Day> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        if !(2000..=9999).contains(&year) {
            return None;
        }
        let month = Month::try_from(month).ok()?;
        Date::from_calendar_date(year, month, day).ok().map(Day)
    }

    /// The day it is in Paris at `unix` seconds.
    pub fn in_paris_at(unix: i64) -> Day {
        let utc = OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let offset = if summer_time_at(unix, utc.year()) {
            2
        } else {
            1
        };
        let local = utc + time::Duration::hours(offset);
        Day(local.date())
    }

    /// `2027-01-05`: stored, signed and sent back to date fields.
    pub fn iso(self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }

    /// `05/01/2027`, as French pages write dates.
    pub fn french(self) -> String {
        format!(
            "{:02}/{:02}/{:04}",
            self.0.day(),
            u8::from(self.0.month()),
            self.0.year()
        )
    }

    /// In `lang`: `05/01/2027`, or `2027-01-05` in English (unambiguous either side).
    pub fn shown_in(self, lang: crate::Lang) -> String {
        match lang {
            crate::Lang::Fr => self.french(),
            crate::Lang::En => self.iso(),
        }
    }

    pub fn plus_days(self, days: i64) -> Day {
        Day(self.0 + time::Duration::days(days))
    }

    /// Days from `self` to `later`.
    pub fn days_until(self, later: Day) -> i64 {
        (later.0 - self.0).whole_days()
    }

    /// The instant (Unix seconds) this day starts in Paris: midnight after the day before.
    pub fn start_instant(self) -> i64 {
        self.plus_days(-1).end_instant()
    }

    /// The instant (Unix seconds) this day ends in Paris: midnight before the next day.
    pub fn end_instant(self) -> i64 {
        let next = self.0 + time::Duration::days(1);
        let midnight_utc = next.midnight().assume_utc().unix_timestamp();
        // At local midnight summer time never changes (it does at 2 or 3 a.m.): the next day's
        // date says which offset applies.
        let offset = if summer_time_on(next) { 2 } else { 1 };
        midnight_utc - offset * 3600
    }
}

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: Month) -> Date {
    let days = time::util::days_in_month(month, year);
    let mut date = Date::from_calendar_date(year, month, days).unwrap_or(Date::MIN);
    while date.weekday() != Weekday::Sunday {
        date = date.previous_day().unwrap_or(Date::MIN);
    }
    date
}

/// Whether Paris is on summer time at local midnight starting `date`.
fn summer_time_on(date: Date) -> bool {
    let year = date.year();
    date > last_sunday(year, Month::March) && date <= last_sunday(year, Month::October)
}

/// Whether Paris is on summer time at `unix` seconds: from 01:00 UTC on the last Sunday of
/// March to 01:00 UTC on the last Sunday of October.
fn summer_time_at(unix: i64, year: i32) -> bool {
    let starts = last_sunday(year, Month::March)
        .midnight()
        .assume_utc()
        .unix_timestamp()
        + 3600;
    let ends = last_sunday(year, Month::October)
        .midnight()
        .assume_utc()
        .unix_timestamp()
        + 3600;
    (starts..ends).contains(&unix)
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Day, D::Error> {
        let text = String::deserialize(deserializer)?;
        Day::parse(&text).ok_or_else(|| serde::de::Error::custom("date AAAA-MM-JJ attendue"))
    }
}

/// How long the rights an operation adds are held.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// The first day the rights are held, when it is a day to come; `None`: at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<Day>,
    /// The last day the rights are held.
    pub ends_on: Day,
}

impl Period {
    /// Rights held from now until the end of `ends_on`.
    pub fn until(ends_on: Day) -> Period {
        Period {
            starts_on: None,
            ends_on,
        }
    }

    /// The instant the rights are removed.
    pub fn ends_at(self) -> i64 {
        self.ends_on.end_instant()
    }

    /// The instant the rights are given, for rights that start on a day to come.
    pub fn starts_at(self) -> Option<i64> {
        self.starts_on.map(Day::start_instant)
    }

    /// « jusqu’au 05/01/2027 inclus », « du 20/12/2026 au 05/01/2027 inclus » in `lang`.
    pub fn phrase_in(self, lang: crate::Lang) -> String {
        match self.starts_on {
            None => until_phrase(self.ends_on, lang),
            Some(start) => from_until_phrase(start, self.ends_on, lang),
        }
    }
}

/// « du 20/12/2026 au 05/01/2027 inclus », "from 2026-12-20 to 2027-01-05 inclusive".
pub fn from_until_phrase(start: Day, end: Day, lang: crate::Lang) -> String {
    match lang {
        crate::Lang::Fr => format!("du {} au {} inclus", start.french(), end.french()),
        crate::Lang::En => format!("from {} to {} inclusive", start.iso(), end.iso()),
    }
}

/// « jusqu’au 05/01/2027 inclus », "until 2027-01-05 inclusive".
pub fn until_phrase(day: Day, lang: crate::Lang) -> String {
    match lang {
        crate::Lang::Fr => format!("jusqu’au {} inclus", day.french()),
        crate::Lang::En => format!("until {} inclusive", day.iso()),
    }
}

/// Why an end date cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum PeriodError {
    #[error("La date de fin n’est pas une date valide (jj/mm/aaaa).")]
    NotADate,
    #[error("La date de fin est passée : choisissez aujourd’hui ou un jour à venir.")]
    Past,
    #[error("La date de fin est à plus d’un an : des droits temporaires couvrent une absence, pas davantage.")]
    TooFar,
    #[error("Le premier jour n’est pas une date valide (jj/mm/aaaa).")]
    StartNotADate,
    #[error(
        "Le premier jour est passé : laissez-le vide pour des droits donnés dès la validation."
    )]
    StartPast,
    #[error("Indiquez aussi le dernier jour : des droits qui commencent plus tard ont une fin.")]
    StartWithoutEnd,
    #[error("Le premier jour est après le dernier jour : vérifiez les deux dates.")]
    StartAfterEnd,
    #[error("Des droits temporaires doivent ajouter au moins un droit sur un compte ou un contrat, ou changer la fin de droits temporaires en cours : le droit d’administration ne se donne pas pour une durée.")]
    NothingAdded,
}

impl Period {
    /// Reads the rights step's optional first and last days; no last day means permanent
    /// rights. A first day that is today means at once (nothing to wait for).
    pub fn parse(
        starts_on: &str,
        ends_on: &str,
        today: Day,
    ) -> Result<Option<Period>, PeriodError> {
        let starts_on = match starts_on.trim() {
            "" => None,
            text => Some(Day::parse(text).ok_or(PeriodError::StartNotADate)?),
        };
        if ends_on.trim().is_empty() {
            return match starts_on {
                Some(_) => Err(PeriodError::StartWithoutEnd),
                None => Ok(None),
            };
        }
        let ends_on = Day::parse(ends_on).ok_or(PeriodError::NotADate)?;
        if let Some(start) = starts_on {
            if start < today {
                return Err(PeriodError::StartPast);
            }
            if start > ends_on {
                return Err(PeriodError::StartAfterEnd);
            }
        }
        let period = Period {
            starts_on: starts_on.filter(|start| *start > today),
            ends_on,
        };
        period.check_dates(today)?;
        Ok(Some(period))
    }

    /// Today or later, and within [`LONGEST_DAYS`].
    pub fn check_dates(self, today: Day) -> Result<(), PeriodError> {
        if self.ends_on < today {
            return Err(PeriodError::Past);
        }
        if today.days_until(self.ends_on) > LONGEST_DAYS {
            return Err(PeriodError::TooFar);
        }
        Ok(())
    }

    /// Whether the rights end at or before `unix` seconds.
    pub fn is_over_at(self, unix: i64) -> bool {
        self.ends_at() <= unix
    }
}

/// When the reminder of rights ending at `ends_at` is due.
pub fn reminder_due_at(ends_at: i64) -> i64 {
    ends_at - REMINDER_BEFORE_SECS
}

/// Whole days left before `ends_at`, rounded up (« dans 3 jours »).
pub fn days_left(now: i64, ends_at: i64) -> i64 {
    ((ends_at - now).max(0) + DAY_SECS - 1) / DAY_SECS
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    #[test]
    fn days_read_the_date_field_format_only() {
        assert_eq!(day("2027-01-05").french(), "05/01/2027");
        assert_eq!(day("2027-01-05").iso(), "2027-01-05");
        for bad in [
            "",
            "05/01/2027",
            "2027-02-30",
            "2027-13-01",
            "1999-01-01",
            "2027-1",
            "x",
        ] {
            assert_eq!(Day::parse(bad), None, "{bad}");
        }
        assert_eq!(
            serde_json::to_string(&day("2027-01-05")).unwrap(),
            "\"2027-01-05\""
        );
        assert!(serde_json::from_str::<Day>("\"2027-02-30\"").is_err());
    }

    #[test]
    fn a_day_ends_at_midnight_in_paris_winter_and_summer() {
        // 5 January 2027 ends at 6 January 00:00 CET = 5 January 23:00 UTC.
        assert_eq!(day("2027-01-05").end_instant(), 1_799_190_000);
        // 15 July 2027 ends at 16 July 00:00 CEST = 15 July 22:00 UTC.
        assert_eq!(day("2027-07-15").end_instant(), 1_815_688_800);
        // The night summer time starts (28 March 2027) and ends (31 October 2027).
        assert_eq!(day("2027-03-27").end_instant(), 1_806_188_400);
        assert_eq!(day("2027-03-28").end_instant(), 1_806_271_200);
        assert_eq!(day("2027-10-30").end_instant(), 1_824_933_600);
        assert_eq!(day("2027-10-31").end_instant(), 1_825_023_600);
    }

    #[test]
    fn the_paris_day_of_an_instant_follows_summer_time() {
        // 5 January 2027 22:59:59 UTC is still the 5th in Paris; 23:00 UTC is the 6th.
        assert_eq!(Day::in_paris_at(1_799_189_999), day("2027-01-05"));
        assert_eq!(Day::in_paris_at(1_799_190_000), day("2027-01-06"));
        assert_eq!(Day::in_paris_at(1_815_688_799), day("2027-07-15"));
        assert_eq!(Day::in_paris_at(1_815_688_800), day("2027-07-16"));
    }

    #[test]
    fn an_end_date_is_today_or_later_and_within_a_year() {
        let today = day("2026-12-04");
        assert_eq!(Period::parse("", "  ", today), Ok(None));
        assert_eq!(
            Period::parse("", "2026-12-04", today),
            Ok(Some(Period::until(day("2026-12-04"))))
        );
        assert_eq!(
            Period::parse("", "2026-12-03", today),
            Err(PeriodError::Past)
        );
        assert_eq!(
            Period::parse("", "2027-12-05", today),
            Ok(Some(Period::until(day("2027-12-05"))))
        );
        assert_eq!(
            Period::parse("", "2027-12-06", today),
            Err(PeriodError::TooFar)
        );
        assert_eq!(
            Period::parse("", "31/12/2026", today),
            Err(PeriodError::NotADate)
        );
        assert!(PeriodError::Past.to_string().contains("passée"));
    }

    #[test]
    fn a_first_day_is_to_come_before_the_last_and_needs_one() {
        let today = day("2026-12-04");
        let cover = Period::parse("2026-12-20", "2027-01-05", today)
            .unwrap()
            .unwrap();
        assert_eq!(cover.starts_on, Some(day("2026-12-20")));
        assert_eq!(cover.starts_at(), Some(day("2026-12-19").end_instant()));
        assert_eq!(
            cover.phrase_in(crate::Lang::Fr),
            "du 20/12/2026 au 05/01/2027 inclus"
        );
        // Today is at once.
        assert_eq!(
            Period::parse("2026-12-04", "2027-01-05", today),
            Ok(Some(Period::until(day("2027-01-05"))))
        );
        let refused = [
            ("2026-12-20", "", PeriodError::StartWithoutEnd),
            ("2026-12-03", "2027-01-05", PeriodError::StartPast),
            ("2027-01-06", "2027-01-05", PeriodError::StartAfterEnd),
            ("20/12/2026", "2027-01-05", PeriodError::StartNotADate),
        ];
        for (start, end, error) in refused {
            assert_eq!(
                Period::parse(start, end, today),
                Err(error),
                "{start} {end}"
            );
        }
        // A single day: from its start to its end.
        let one = Period::parse("2026-12-20", "2026-12-20", today)
            .unwrap()
            .unwrap();
        assert_eq!(one.ends_at() - one.starts_at().unwrap(), 86_400);
    }

    #[test]
    fn reminders_and_days_left() {
        let ends = day("2027-01-05").end_instant();
        assert_eq!(reminder_due_at(ends), ends - 3 * 86_400);
        assert_eq!(days_left(ends - 3 * 86_400, ends), 3);
        assert_eq!(days_left(ends - 3 * 86_400 + 1, ends), 3);
        assert_eq!(days_left(ends + 5, ends), 0);
        assert_eq!(
            until_phrase(day("2027-01-05"), crate::Lang::Fr),
            "jusqu’au 05/01/2027 inclus"
        );
    }

    proptest! {
        /// Every instant of a Paris day maps back to that day, and its end is the next day's
        /// first instant.
        #[test]
        fn a_day_s_end_is_the_next_day_s_start(offset in 0i64..4000) {
            let start = day("2026-01-01").plus_days(offset);
            let end = start.end_instant();
            prop_assert_eq!(Day::in_paris_at(end - 1), start);
            prop_assert_eq!(Day::in_paris_at(end), start.plus_days(1));
            let length = start.plus_days(1).end_instant() - end;
            prop_assert!(length == 86_400 || length == 82_800 || length == 90_000);
        }
    }
}
