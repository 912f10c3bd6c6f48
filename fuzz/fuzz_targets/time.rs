//! The date parser: any text gives a time or `None`, never a panic; where the allocation-free fast path
//! answers (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ`), chrono's own parsers agree.
#![no_main]

use chrono::{DateTime, NaiveDate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let Some(t) = credence::ingest::fields::time(s) else {
        return;
    };
    let b = s.as_bytes();
    if s.len() == 10 {
        let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let want = day
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp());
        assert_eq!(Some(t), want, "{s:?}");
    } else if s.len() == 20 && b[10] == b'T' && b[19] == b'Z' {
        // RFC 3339 also allows a leap second (:60), which the fast path leaves to chrono.
        let want = DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp());
        assert_eq!(Some(t), want, "{s:?}");
    }
});
