//! Timestamps and time units of a customer summary.
//!
//! A timestamp is an `i64` count of seconds since `1970-01-01T00:00:00`,
//! *naive*: no time zone is attached, exactly like a pandas `datetime64`
//! column without `tz`. A string with an explicit offset (`Z`, `+02:00`) is
//! read as its **wall time** in that offset (`2024-03-01T23:30+02:00` is
//! 23:30 on March 1st): the offset is checked and dropped, as pandas'
//! `tz_localize(None)` does and as `lifetimes` users get from a
//! timezone-aware column, so that the same file gives the same summary in
//! every runtime. Dates run from the year 0001 to 9999.
//!
//! A [`TimeUnit`] is a [`Period`] (hour, day, ISO week, calendar month) and a
//! multiplier that divides the period counts, as `freq` and `freq_multiplier`
//! of `lifetimes.utils.summary_data_from_transaction_data` (lifetimes 0.11.3).
//! `"7d"` (days, multiplier 7) is what Fader, Hardie & Lee (2005) use for
//! CDNOW: days since the first purchase divided by 7.
//!
//! # Period index
//!
//! Every timestamp maps to the **start** of the period containing it, as
//! pandas' `to_period(freq).to_timestamp()` does; [`TimeUnit::period_index`]
//! numbers those periods:
//!
//! ```text
//! Hour   h = floor(ts / 3600)
//! Day    d = floor(ts / 86400)
//! Week   w = floor((d + 3) / 7)       weeks are Monday..Sunday; 1969-12-29 (a Monday) is week 0
//! Month  m = 12·(year − 1970) + (month − 1)
//! ```
//!
//! A difference of two indices, divided by the multiplier, is a duration in
//! the summary's unit (for `Month`: whole calendar months).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const SECONDS_PER_HOUR: i64 = 3_600;
const SECONDS_PER_DAY: i64 = 86_400;

/// The calendar period a timestamp is truncated to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Period {
    /// Clock hours (`H` in pandas).
    Hour,
    /// Calendar days (`D`).
    Day,
    /// ISO weeks, Monday to Sunday, represented by their Monday (`W` in
    /// `lifetimes`, i.e. pandas `W-SUN` periods).
    Week,
    /// Calendar months (`M`).
    Month,
}

impl Period {
    fn letter(self) -> &'static str {
        match self {
            Period::Hour => "H",
            Period::Day => "D",
            Period::Week => "W",
            Period::Month => "M",
        }
    }
}

/// The time unit of a summary: a [`Period`] and a multiplier dividing the
/// period counts (`lifetimes`' `freq` and `freq_multiplier`).
///
/// Text form ([`TimeUnit::parse`], [`fmt::Display`]): `H`, `D`, `W`, `M`
/// (multiplier 1, case-insensitive), or `<n>` followed by one of those letters
/// for multiplier `n`; `7d` is days counted in weeks of 7 days.
///
/// ```
/// use clv::time::{Period, TimeUnit};
/// let unit: TimeUnit = "7d".parse()?;
/// assert_eq!(unit, TimeUnit::new(Period::Day, 7.0)?);
/// assert_eq!(unit.to_string(), "7d");
/// assert_eq!("w".parse::<TimeUnit>()?.period, Period::Week);
/// # Ok::<(), clv::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeUnit {
    /// The period timestamps are truncated to.
    pub period: Period,
    /// Period counts are divided by this (finite, > 0).
    pub multiplier: f64,
}

impl Default for TimeUnit {
    /// Days, multiplier 1 (the `lifetimes` default `freq="D"`).
    fn default() -> Self {
        TimeUnit {
            period: Period::Day,
            multiplier: 1.0,
        }
    }
}

impl TimeUnit {
    /// A unit of `period` whose counts are divided by `multiplier`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] on field `multiplier` unless it is finite and > 0.
    pub fn new(period: Period, multiplier: f64) -> Result<Self> {
        if multiplier.is_finite() && multiplier > 0.0 {
            Ok(TimeUnit { period, multiplier })
        } else {
            Err(Error::invalid(
                "multiplier",
                multiplier,
                "a finite number > 0",
            ))
        }
    }

    /// `freq` with its counts further divided by `multiplier` (lifetimes'
    /// `freq_multiplier`): `"7D"` with 2 is `"14d"`, not `"27D"`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a `freq` that does not parse (field
    /// `freq`) or a multiplier that is not finite and > 0 (field
    /// `freq_multiplier`).
    ///
    /// ```
    /// use clv::time::TimeUnit;
    /// assert_eq!(TimeUnit::with_multiplier("7D", 2.0)?.to_string(), "14d");
    /// assert_eq!(TimeUnit::with_multiplier("W", 1.0)?.to_string(), "W");
    /// # Ok::<(), clv::Error>(())
    /// ```
    pub fn with_multiplier(freq: &str, multiplier: f64) -> Result<Self> {
        let unit = TimeUnit::parse(freq)?;
        if !(multiplier.is_finite() && multiplier > 0.0) {
            return Err(Error::invalid(
                "freq_multiplier",
                multiplier,
                "a finite number > 0",
            ));
        }
        TimeUnit::new(unit.period, unit.multiplier * multiplier)
    }

    /// Parses `H`, `D`, `W`, `M` (case-insensitive; multiplier 1) or `<n>`
    /// followed by one of those letters (multiplier `n`, e.g. `7d`).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] on field `freq` naming the text.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || {
            Error::invalid(
                "freq",
                format!("{text:?}"),
                "H, D, W or M, optionally preceded by a multiplier > 0 (e.g. 7d)",
            )
        };
        let trimmed = text.trim();
        let mut chars = trimmed.chars();
        let last = chars.next_back().ok_or_else(bad)?;
        let period = match last.to_ascii_uppercase() {
            'H' => Period::Hour,
            'D' => Period::Day,
            'W' => Period::Week,
            'M' => Period::Month,
            _ => return Err(bad()),
        };
        let number = chars.as_str();
        let multiplier = if number.is_empty() {
            1.0
        } else {
            // Only plain decimal numbers: no sign, no "inf"/"nan" words.
            if !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return Err(bad());
            }
            number.parse::<f64>().map_err(|_| bad())?
        };
        TimeUnit::new(period, multiplier).map_err(|_| bad())
    }

    /// Index of the period containing `ts` (see the module documentation):
    /// hours or days since 1970-01-01, weeks since Monday 1969-12-29, or
    /// months since January 1970. Negative before those origins.
    ///
    /// ```
    /// use clv::time::{parse_timestamp, Period, TimeUnit};
    /// let week = TimeUnit::new(Period::Week, 1.0)?;
    /// // 1997-01-01 was a Wednesday: it belongs to the week of Monday 1996-12-30.
    /// let wed = parse_timestamp("1997-01-01", None).unwrap();
    /// let mon = parse_timestamp("1996-12-30", None).unwrap();
    /// assert_eq!(week.period_index(wed), week.period_index(mon));
    /// assert_eq!(week.period_start(week.period_index(wed)), mon);
    /// # Ok::<(), clv::Error>(())
    /// ```
    pub fn period_index(&self, ts: i64) -> i64 {
        match self.period {
            Period::Hour => ts.div_euclid(SECONDS_PER_HOUR),
            Period::Day => ts.div_euclid(SECONDS_PER_DAY),
            Period::Week => (ts.div_euclid(SECONDS_PER_DAY) + 3).div_euclid(7),
            Period::Month => {
                let (year, month, _) = civil_from_days(ts.div_euclid(SECONDS_PER_DAY));
                (year - 1970) * 12 + i64::from(month) - 1
            }
        }
    }

    /// The timestamp at which period `index` starts (inverse of
    /// [`TimeUnit::period_index`]; saturates at the ends of `i64`).
    pub fn period_start(&self, index: i64) -> i64 {
        match self.period {
            Period::Hour => index.saturating_mul(SECONDS_PER_HOUR),
            Period::Day => index.saturating_mul(SECONDS_PER_DAY),
            Period::Week => index
                .saturating_mul(7)
                .saturating_sub(3)
                .saturating_mul(SECONDS_PER_DAY),
            Period::Month => {
                let year = 1970 + index.div_euclid(12);
                let month = index.rem_euclid(12) as u32 + 1;
                days_from_civil(year, month, 1).saturating_mul(SECONDS_PER_DAY)
            }
        }
    }
}

impl TimeUnit {
    /// The unit in words, for reports and plot labels: `"days"`, `"weeks"`
    /// (Monday to Sunday), `"months"`, `"hours"`; a multiple `"periods of 7
    /// days"`.
    ///
    /// ```
    /// use clv::time::TimeUnit;
    /// assert_eq!(TimeUnit::parse("W").unwrap().words(), "weeks");
    /// assert_eq!(TimeUnit::parse("7d").unwrap().words(), "periods of 7 days");
    /// ```
    pub fn words(&self) -> String {
        let plural = match self.period {
            Period::Hour => "hours",
            Period::Day => "days",
            Period::Week => "weeks",
            Period::Month => "months",
        };
        if self.multiplier == 1.0 {
            plural.to_string()
        } else {
            format!("periods of {} {plural}", self.multiplier)
        }
    }
}

impl fmt::Display for TimeUnit {
    /// `H`, `D`, `W`, `M` for multiplier 1; otherwise the multiplier then a
    /// lower-case letter (`7d`, `2w`), which [`TimeUnit::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.multiplier == 1.0 {
            f.write_str(self.period.letter())
        } else {
            write!(
                f,
                "{}{}",
                self.multiplier,
                self.period.letter().to_ascii_lowercase()
            )
        }
    }
}

impl FromStr for TimeUnit {
    type Err = Error;

    /// Same as [`TimeUnit::parse`].
    fn from_str(s: &str) -> Result<Self> {
        TimeUnit::parse(s)
    }
}

/// `text.trim()`, without the scan for Unicode white space when the text
/// starts and ends with a visible ASCII character (a row's date, amount).
pub(crate) fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(a), Some(b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// Days since 1970-01-01 of the proleptic Gregorian date `year-month-day`.
///
/// Hand-written (H. Hinnant's "days_from_civil" arithmetic, public domain
/// algorithm description at <https://howardhinnant.github.io/date_algorithms.html>)
/// because it runs once per input row on the hot path and must be total over
/// `i64` without a fallible chrono round trip.
pub(crate) const fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// `(year, month 1..=12, day 1..=31)` of the day `days` since 1970-01-01
/// (inverse of [`days_from_civil`], same source).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if leap { 29 } else { 28 }
        }
    }
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Fast path for `YYYY-MM-DD` and `YYYYMMDD`: `None` when the text has
/// neither shape, `Some(Err)` for an impossible date such as 1997-02-30.
fn parse_date_only(b: &[u8]) -> Option<std::result::Result<i64, String>> {
    let (y, m, d) = match b.len() {
        10 if b[4] == b'-' && b[7] == b'-' => (&b[0..4], &b[5..7], &b[8..10]),
        8 => (&b[0..4], &b[4..6], &b[6..8]),
        _ => return None,
    };
    let (year, month, day) = (digits(y)?, digits(m)?, digits(d)?);
    let year = i64::from(year);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Some(Err("no such calendar date".to_string()));
    }
    Some(Ok(days_from_civil(year, month, day) * SECONDS_PER_DAY))
}

/// Splits a trailing `Z` or `±HH:MM` / `±HHMM` / `±HH` offset off an ISO
/// date-time; returns the naive part and the offset in seconds east of UTC.
fn split_offset(text: &str) -> std::result::Result<(&str, i64), String> {
    if let Some(rest) = text.strip_suffix(['Z', 'z']) {
        return Ok((rest, 0));
    }
    // An offset sign can only appear after the time of day, i.e. after index 10.
    let Some(pos) = text
        .get(11..)
        .and_then(|time| time.rfind(['+', '-']).map(|p| p + 11))
    else {
        return Ok((text, 0));
    };
    let (naive, offset) = text.split_at(pos);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let hm = offset[1..].replace(':', "");
    let (h, m) = match hm.len() {
        2 => (digits(hm.as_bytes()), Some(0)),
        4 => (digits(&hm.as_bytes()[..2]), digits(&hm.as_bytes()[2..])),
        _ => (None, None),
    };
    match (h, m) {
        (Some(h), Some(m)) if h <= 23 && m <= 59 => {
            Ok((naive, sign * (i64::from(h) * 3600 + i64::from(m) * 60)))
        }
        _ => Err(format!("bad UTC offset {offset:?}")),
    }
}

const DEFAULT_FORMATS_REASON: &str = "expected YYYY-MM-DD, YYYYMMDD, YYYY-MM-DD HH:MM[:SS[.fff]] or YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]";

/// Parses a timestamp to seconds since 1970-01-01T00:00:00 (naive).
///
/// Without `format` the accepted forms are `YYYY-MM-DD`, `YYYYMMDD`,
/// `YYYY-MM-DD HH:MM[:SS[.fff]]` and `YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]`
/// (an offset is checked and dropped: the wall time in that offset, see the
/// module docs; fractions of a second are truncated).
/// Surrounding whitespace is ignored. The two date-only forms take a
/// hand-written path that does not allocate; the others go through chrono.
///
/// With `format`, the text must match that chrono `strftime` format; a
/// date-only format gives midnight, and a format with `%z` gives the wall
/// time in the parsed offset.
///
/// # Errors
/// [`Error::InvalidValue`] on field `date` with the text and the reason
/// (what was expected), also for a date outside the years 0001 to 9999;
/// [`parse_timestamp_for`] names another field.
///
/// ```
/// use clv::time::parse_timestamp;
/// assert_eq!(parse_timestamp("1970-01-02", None), Ok(86_400));
/// assert_eq!(parse_timestamp("19970101", None), Ok(852_076_800));
/// assert_eq!(parse_timestamp("1970-01-01T01:00:00+01:00", None), Ok(3_600)); // wall time
/// assert!(parse_timestamp("0000-01-01", None).is_err());
/// assert_eq!(parse_timestamp("02/01/1970", Some("%d/%m/%Y")), Ok(86_400));
/// let e = parse_timestamp("1997-02-30", None).unwrap_err();
/// assert_eq!((e.code(), e.field()), ("INVALID_INPUT", Some("date")));
/// ```
pub fn parse_timestamp(text: &str, format: Option<&str>) -> Result<i64> {
    parse_timestamp_for("date", text, format)
}

/// [`parse_timestamp`] whose error names `field` (an argument such as
/// `observation_end`, or a column).
///
/// # Errors
/// [`Error::InvalidValue`] on `field`, its value the quoted text and its
/// `expected` the reason.
///
/// ```
/// use clv::time::parse_timestamp_for;
/// let e = parse_timestamp_for("observation_end", "1997-13-01", None).unwrap_err();
/// assert_eq!(e.field(), Some("observation_end"));
/// assert_eq!(
///     e.to_string(),
///     "invalid observation_end: \"1997-13-01\" (expected a valid date: no such calendar date)"
/// );
/// ```
pub fn parse_timestamp_for(field: &str, text: &str, format: Option<&str>) -> Result<i64> {
    timestamp_or_reason(text, format).map_err(|reason| {
        // the reason reads after "expected" in the message: no second one,
        // and a reason that is not what was expected ("no such calendar
        // date", "bad UTC offset", "does not match format") says so
        let expected = match reason.strip_prefix("expected ") {
            Some(e) => e.to_string(),
            None if reason.starts_with("a date") => reason,
            None => format!("a valid date: {reason}"),
        };
        Error::invalid(field, format!("{text:?}"), expected)
    })
}

/// [`parse_timestamp`] with the reason of a failure as text (the readers add
/// the column and line).
pub(crate) fn timestamp_or_reason(
    text: &str,
    format: Option<&str>,
) -> std::result::Result<i64, String> {
    const FIRST: i64 = days_from_civil(1, 1, 1) * SECONDS_PER_DAY;
    const LAST: i64 = days_from_civil(9999, 12, 31) * SECONDS_PER_DAY + SECONDS_PER_DAY - 1;
    let ts = parse_any_timestamp(text, format)?;
    if (FIRST..=LAST).contains(&ts) {
        Ok(ts)
    } else {
        Err("a date in the years 0001 to 9999".to_string())
    }
}

/// [`parse_timestamp`] before the check of the years.
fn parse_any_timestamp(text: &str, format: Option<&str>) -> std::result::Result<i64, String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let text = trim(text);
    if let Some(format) = format {
        let with_offset =
            DateTime::parse_from_str(text, format).map(|dt| dt.naive_local().and_utc().timestamp());
        let naive = || {
            NaiveDateTime::parse_from_str(text, format)
                .map(|dt| dt.and_utc().timestamp())
                .or_else(|e| match e.kind() {
                    chrono::format::ParseErrorKind::NotEnough => {
                        NaiveDate::parse_from_str(text, format)
                            .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp())
                    }
                    _ => Err(e),
                })
        };
        return with_offset
            .or_else(|_| naive())
            .map_err(|e| format!("does not match format {format:?}: {e}"));
    }
    if let Some(result) = parse_date_only(text.as_bytes()) {
        return result;
    }
    if text.len() < 16 {
        return Err(DEFAULT_FORMATS_REASON.to_string());
    }
    // the offset is checked, and the wall time kept (module docs)
    let (naive, _offset) = split_offset(text)?;
    const FORMATS: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ];
    FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(naive, f).ok())
        .map(|dt| dt.and_utc().timestamp())
        .ok_or_else(|| DEFAULT_FORMATS_REASON.to_string())
}

/// Formats a timestamp as `YYYY-MM-DD` when it is midnight, else as
/// `YYYY-MM-DDTHH:MM:SS`.
///
/// ```
/// use clv::time::format_timestamp;
/// assert_eq!(format_timestamp(875_577_600), "1997-09-30");
/// assert_eq!(format_timestamp(-1), "1969-12-31T23:59:59");
/// ```
pub fn format_timestamp(ts: i64) -> String {
    let days = ts.div_euclid(SECONDS_PER_DAY);
    let secs = ts.rem_euclid(SECONDS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    if secs == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    fn ts(text: &str) -> i64 {
        parse_timestamp(text, None).unwrap()
    }

    #[test]
    fn civil_round_trip_matches_chrono() {
        // Every day from 1600-01-01 to 2400-12-31 against chrono's calendar.
        let start = NaiveDate::from_ymd_opt(1600, 1, 1).unwrap();
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let mut date = start;
        while date.year() <= 2400 {
            let days = (date - epoch).num_days();
            assert_eq!(
                days_from_civil(date.year() as i64, date.month(), date.day()),
                days
            );
            assert_eq!(
                civil_from_days(days),
                (date.year() as i64, date.month(), date.day())
            );
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn week_starts_on_monday() {
        let w = TimeUnit::new(Period::Week, 1.0).unwrap();
        // 1997-01-01 was a Wednesday; its week runs Mon 1996-12-30 .. Sun 1997-01-05.
        let idx = w.period_index(ts("1997-01-01"));
        assert_eq!(w.period_start(idx), ts("1996-12-30"));
        assert_eq!(w.period_index(ts("1997-01-05 23:59:59")), idx);
        assert_eq!(w.period_index(ts("1997-01-06")), idx + 1);
        assert_eq!(w.period_index(ts("1996-12-29")), idx - 1);
        // 1970-01-01 was a Thursday, in week 0 that starts Monday 1969-12-29.
        assert_eq!(w.period_index(0), 0);
        assert_eq!(w.period_start(0), ts("1969-12-29"));
        assert_eq!(w.period_index(ts("1969-12-28")), -1);
    }

    #[test]
    fn month_and_hour_and_day() {
        let m = TimeUnit::new(Period::Month, 1.0).unwrap();
        // (1997 − 1970)·12 + (9 − 1) = 332
        assert_eq!(m.period_index(ts("1997-09-30T23:59:59")), 332);
        assert_eq!(m.period_index(ts("1997-09-01")), 332);
        assert_eq!(m.period_index(ts("1997-10-01")), 333);
        assert_eq!(m.period_index(ts("1969-12-31")), -1);
        assert_eq!(m.period_start(332), ts("1997-09-01"));
        assert_eq!(m.period_start(-1), ts("1969-12-01"));
        let h = TimeUnit::new(Period::Hour, 1.0).unwrap();
        // 1997-01-01 is day 9862; 9862·24 + 13 = 236701
        assert_eq!(h.period_index(ts("1997-01-01 13:59:59")), 236_701);
        assert_eq!(h.period_index(-1), -1);
        let d = TimeUnit::default();
        assert_eq!(d.period_index(ts("1997-01-01 23:00")), 9862);
        assert_eq!(d.period_index(-1), -1);
        // Extremes do not overflow.
        for unit in [h, d, m, TimeUnit::new(Period::Week, 1.0).unwrap()] {
            let _ = unit.period_index(i64::MAX);
            let _ = unit.period_index(i64::MIN);
        }
    }

    #[test]
    fn parse_time_units() {
        assert_eq!(
            TimeUnit::parse("7d").unwrap(),
            TimeUnit::new(Period::Day, 7.0).unwrap()
        );
        assert_eq!(TimeUnit::parse("7D").unwrap().multiplier, 7.0);
        assert_eq!(TimeUnit::parse("h").unwrap().period, Period::Hour);
        assert_eq!(TimeUnit::parse(" M ").unwrap().period, Period::Month);
        assert_eq!(TimeUnit::parse("W").unwrap().multiplier, 1.0);
        for unit in ["7d", "D", "W", "M", "H", "0.5d", "2w"] {
            assert_eq!(TimeUnit::parse(unit).unwrap().to_string(), unit);
        }
        for bad in ["", "x", "7", "0d", "-1d", "infd", "d7", "1e3d"] {
            let e = TimeUnit::parse(bad).unwrap_err();
            assert_eq!(e.field(), Some("freq"), "{bad}");
        }
        let e = TimeUnit::new(Period::Day, f64::NAN).unwrap_err();
        assert_eq!(e.field(), Some("multiplier"));
        assert!(TimeUnit::new(Period::Day, 0.0).is_err());
        assert!(TimeUnit::new(Period::Day, f64::INFINITY).is_err());
    }

    #[test]
    fn a_bad_date_says_expected_once() {
        let e = parse_timestamp_for("observation_end", "nope", None).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("(expected YYYY-MM-DD, YYYYMMDD"), "{text}");
        assert!(!text.contains("expected expected"), "{text}");
    }

    #[test]
    fn parse_timestamps() {
        // 1997-01-01 is 9862 days after 1970-01-01: 27 years·365 + 7 leap days (72..96) − 0 = 9862.
        assert_eq!(ts("1997-01-01"), 9862 * 86_400);
        assert_eq!(ts("19970101"), 9862 * 86_400);
        assert_eq!(ts("  1997-01-01\r"), 9862 * 86_400);
        assert_eq!(ts("1997-01-01 10:30"), 9862 * 86_400 + 37_800);
        assert_eq!(ts("1997-01-01 10:30:15"), 9862 * 86_400 + 37_815);
        assert_eq!(ts("1997-01-01T10:30:15.999"), 9862 * 86_400 + 37_815);
        assert_eq!(ts("1997-01-01T10:30:15Z"), 9862 * 86_400 + 37_815);
        // wall time in the given offset (issue 17 #8: the CLI and JS turned
        // it into UTC while Python kept it)
        assert_eq!(ts("1997-01-01T10:30+02:00"), 9862 * 86_400 + 37_800);
        assert_eq!(ts("1997-01-01T10:30:00-0130"), 9862 * 86_400 + 37_800);
        assert_eq!(
            parse_timestamp("01/01/1997 10:30 +0200", Some("%d/%m/%Y %H:%M %z")),
            Ok(9862 * 86_400 + 37_800)
        );
        // years 0001..=9999 only (issue 17 #17: 0000 and +12345 were read)
        assert!(parse_timestamp("0000-01-01", None).is_err());
        assert!(parse_timestamp("+12345-01-01", Some("%Y-%m-%d")).is_err());
        assert!(parse_timestamp("2666666666666", Some("%s")).is_err());
        assert_eq!(ts("0001-01-01"), days_from_civil(1, 1, 1) * 86_400);
        assert!(parse_timestamp("9999-12-31T23:59:59", None).is_ok());
        assert_eq!(ts("2000-02-29"), 11_016 * 86_400);
        assert_eq!(ts("1969-12-31"), -86_400);
        for bad in [
            "",
            "1997-13-01",
            "1900-02-29",
            "1997-02-30",
            "19970230",
            "1997/01/01",
            "hello",
            "1997-01-01T25:00",
            "1997-01-01T10:30+25:00",
            "1997-01-0",
        ] {
            assert!(parse_timestamp(bad, None).is_err(), "{bad}");
        }
        assert_eq!(
            parse_timestamp("01/02/1997 13:00", Some("%d/%m/%Y %H:%M")),
            Ok(ts("1997-02-01 13:00"))
        );
        assert_eq!(
            parse_timestamp("1997-01-01 10:00 +0100", Some("%Y-%m-%d %H:%M %z")),
            Ok(ts("1997-01-01 10:00"))
        );
        let e = parse_timestamp("1997-01-01", Some("%d/%m/%Y")).unwrap_err();
        assert!(e.to_string().contains("%d/%m/%Y"), "{e}");
        assert_eq!(e.field(), Some("date"));
    }

    #[test]
    fn format_timestamps() {
        assert_eq!(format_timestamp(0), "1970-01-01");
        assert_eq!(format_timestamp(ts("1997-09-30")), "1997-09-30");
        assert_eq!(
            format_timestamp(ts("1997-09-30 01:02:03")),
            "1997-09-30T01:02:03"
        );
        assert_eq!(format_timestamp(-86_400), "1969-12-31");
    }
}
