//! Parsing of single field values: stances, verdicts, outcomes and times.
//!
//! Each parser accepts what a person would type (any letter case, surrounding spaces) and nothing looser;
//! what it refuses becomes a reject with the column and value named.

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::corpus::{Outcome, Stance, Verdict};

/// A stance; empty means `asserts`.
pub fn stance(s: &str) -> Option<Stance> {
    let is = |w: &str| s.eq_ignore_ascii_case(w);
    if s.is_empty() || is("asserts") || is("assert") {
        Some(Stance::Asserts)
    } else if is("denies") || is("deny") {
        Some(Stance::Denies)
    } else {
        None
    }
}

/// A verdict: `confirmed`, `denied`, `partial` or `no_comment` (also `no comment`, `no-comment`).
pub fn verdict(s: &str) -> Option<Verdict> {
    let is = |w: &str| s.eq_ignore_ascii_case(w);
    if is("confirmed") {
        Some(Verdict::Confirmed)
    } else if is("denied") {
        Some(Verdict::Denied)
    } else if is("partial") {
        Some(Verdict::Partial)
    } else if is("no_comment") || is("no comment") || is("no-comment") {
        Some(Verdict::NoComment)
    } else {
        None
    }
}

/// An outcome: `true`, `false` or `mixed`.
pub fn outcome(s: &str) -> Option<Outcome> {
    let is = |w: &str| s.eq_ignore_ascii_case(w);
    if is("true") {
        Some(Outcome::True)
    } else if is("false") {
        Some(Outcome::False)
    } else if is("mixed") {
        Some(Outcome::Mixed)
    } else {
        None
    }
}

/// The forms [`time`] reads, for the reason given when it cannot read one: a file of Unix seconds or
/// `03/01/2025` is told what to write instead.
pub const TIME_FORMS: &str =
    "YYYY-MM-DD or an RFC 3339 time such as 2025-03-01T08:00:00Z or 2025-03-01T10:00:00+02:00 (no offset: UTC)";

/// Why a time that [`time`] cannot read is refused.
pub fn unparseable_time() -> String {
    format!("unparseable date: give {TIME_FORMS}")
}

/// A time as seconds since the Unix epoch, UTC.
///
/// Accepts an ISO 8601 calendar date (`2025-06-23`, taken as midnight UTC), an RFC 3339 time
/// (`2025-06-23T14:05:00Z`, `2025-06-23T17:05:00+03:00`, fractional seconds allowed) and a date-time with
/// no offset (`2025-06-23T14:05:00` or with a space instead of `T`), taken as UTC.
pub fn time(s: &str) -> Option<i64> {
    if let Some(t) = fast_time(s.as_bytes()) {
        return Some(t);
    }
    if s.len() == 10 {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp());
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(t.and_utc().timestamp());
        }
    }
    None
}

/// The two forms that make up nearly every file, `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM:SSZ`, parsed without
/// allocating; `None` sends anything else (or anything odd) to chrono.
fn fast_time(b: &[u8]) -> Option<i64> {
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let date_ok = b.len() >= 10 && b[4] == b'-' && b[7] == b'-';
    if !date_ok || !(b.len() == 10 || (b.len() == 20 && b[10] == b'T' && b[19] == b'Z')) {
        return None;
    }
    let day = NaiveDate::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
    let (h, m, sec) = if b.len() == 20 {
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        (digits(11..13)?, digits(14..16)?, digits(17..19)?)
    } else {
        (0, 0, 0)
    };
    Some(day.and_hms_opt(h, m, sec)?.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_accepted_form() {
        // 2025-06-23T00:00:00Z is 1750636800 s after the epoch (date -u -d 2025-06-23 +%s).
        let day = 1_750_636_800;
        let cases: &[(&str, Option<i64>)] = &[
            ("2025-06-23", Some(day)),
            ("2025-06-23T14:05:00Z", Some(day + 14 * 3600 + 5 * 60)),
            ("2025-06-23T17:05:00+03:00", Some(day + 14 * 3600 + 5 * 60)),
            ("2025-06-23T14:05:00.250Z", Some(day + 14 * 3600 + 5 * 60)),
            ("2025-06-23T14:05:00", Some(day + 14 * 3600 + 5 * 60)),
            ("2025-06-23 14:05:00", Some(day + 14 * 3600 + 5 * 60)),
            ("2025-02-30", None),
            ("23/06/2025", None),
            ("yesterday", None),
            ("", None),
            ("2025-06-23T25:00:00Z", None),
        ];
        for (text, want) in cases {
            assert_eq!(time(text), *want, "{text:?}");
        }
    }

    #[test]
    fn labels_ignore_case_and_refuse_the_unknown() {
        assert_eq!(stance(""), Some(Stance::Asserts));
        assert_eq!(stance("DENIES"), Some(Stance::Denies));
        assert_eq!(stance("maybe"), None);
        assert_eq!(verdict("No Comment"), Some(Verdict::NoComment));
        assert_eq!(verdict("Partial"), Some(Verdict::Partial));
        assert_eq!(verdict("confirm?"), None);
        assert_eq!(outcome("MIXED"), Some(Outcome::Mixed));
        assert_eq!(outcome("1"), None);
    }
}
