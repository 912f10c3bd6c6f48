//! Scores through time: every source's reliability at the end of each period, as `--as-of` would give it.
//!
//! Each period's scores are exactly those of `credence score --as-of END` over the same files: the same
//! loader sets aside what came later, and the same model scores the rest. Nothing is carried from one
//! period to the next, so any row of `history.csv` can be reproduced alone, and a past score never changes
//! when later data arrive. The price is one load and one fit per period; a monthly history of a year reads
//! the files twelve times (plus once to find the time range).

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use crate::error::{Error, Result, RowProblem};
use crate::ingest::{Inputs, LoadOptions};
use crate::model::Params;
use crate::report::InputTallies;

/// The length of a history's periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Every {
    /// Calendar days (UTC).
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
    /// Calendar quarters (January–March, ...).
    Quarter,
    /// Calendar years.
    Year,
}

impl Every {
    /// The first second of the period that holds `t`.
    fn start_of(self, t: i64) -> NaiveDate {
        let day = DateTime::from_timestamp(t, 0).map_or(NaiveDate::MIN, |d| d.date_naive());
        match self {
            Every::Day => day,
            Every::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Every::Month => day.with_day(1).unwrap_or(day),
            Every::Quarter => NaiveDate::from_ymd_opt(day.year(), (day.month0() / 3) * 3 + 1, 1).unwrap_or(day),
            Every::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
        }
    }

    /// The first day of the period after the one starting on `start`.
    fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Every::Day => start.succ_opt(),
            Every::Week => start.checked_add_signed(Duration::days(7)),
            Every::Month => start.checked_add_months(chrono::Months::new(1)),
            Every::Quarter => start.checked_add_months(chrono::Months::new(3)),
            Every::Year => start.checked_add_months(chrono::Months::new(12)),
        }
    }
}

/// The last second of every period from the one holding `first` to the one holding `last`, in order.
///
/// ```
/// use credence::history::{period_ends, Every};
/// use credence::ingest::fields::time;
/// let ends = period_ends(time("2025-01-15").unwrap(), time("2025-02-03").unwrap(), Every::Month);
/// let shown: Vec<String> = ends.into_iter().map(credence::numfmt::time).collect();
/// assert_eq!(shown, ["2025-01-31T23:59:59Z", "2025-02-28T23:59:59Z"]);
/// ```
pub fn period_ends(first: i64, last: i64, every: Every) -> Vec<i64> {
    period_ends_at_most(first, last, every, usize::MAX)
}

/// The most periods a history runs (each a whole scoring run): 27 years of days, 190 of weeks.
pub const MAX_PERIODS: usize = 10_000;

/// [`period_ends`], stopped after `cap` periods.
fn period_ends_at_most(first: i64, last: i64, every: Every, cap: usize) -> Vec<i64> {
    let mut ends = Vec::new();
    let mut start = every.start_of(first);
    while let Some(next) = every.next(start) {
        let end = Utc
            .from_utc_datetime(&next.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .timestamp()
            - 1;
        ends.push(end);
        if end >= last || ends.len() >= cap {
            break;
        }
        start = next;
    }
    ends
}

/// One source at one period's end.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The period's last second (the `--as-of` time).
    pub as_of: i64,
    /// The outlet.
    pub source: String,
    /// Claims it had published by then (0 for an outlet only cited by others).
    pub claims: u64,
    /// Its reliability then, and the interval.
    pub reliability: f64,
    /// Lower end of the interval.
    pub ci_low: f64,
    /// Upper end of the interval.
    pub ci_high: f64,
    /// Its rank among the sources scored then.
    pub rank: u32,
}

/// A history: its points, and what its last period's run read and refused.
#[derive(Debug)]
pub struct History {
    /// Every source at every period's end, periods in order, sources by rank within each.
    pub points: Vec<Point>,
    /// The rows the last period's run refused, as `score --as-of` at its end writes them in
    /// `rejects.csv`.
    pub rejects: Vec<RowProblem>,
    /// The rows an earlier period refused that the last does not (a response to a story no claim had named
    /// by then), each with that period's end, periods in order: with [`History::rejects`], every row some
    /// period left out.
    pub earlier_rejects: Vec<(i64, RowProblem)>,
    /// That run's tallies per file: `read = scored + rejected + later`.
    pub inputs: InputTallies,
}

/// Scores the inputs as of the end of every period from the first claim to the latest time in the data
/// (claims, responses, resolutions), or over `[from, to]` where given. Each period is scored as
/// [`crate::score_files_with_groups`] scores it, with the outlets' groups from `sources_meta` where given.
///
/// The rejects and tallies returned are the last period's: that run has seen every row dated up to the
/// history's end, and they reconcile as a `score --as-of` run's do (a row dated after the end is counted as
/// `later`). A row can also be refused as of an earlier end only (a response to a story no claim had named
/// by then, an unkeyed response no claim yet matched), missing from that period's rows as from
/// `score --as-of` then: those are [`History::earlier_rejects`], with the period. And a row refused at the
/// end can count in earlier periods (a claim whose id an earlier line, dated later, also uses), as
/// `score --as-of` would. The last period is scored first, so that an earlier period's refusals are kept
/// only where the last does not list them.
///
/// # Errors
/// As for [`crate::score_files`]; [`Error::Config`] when the inputs hold no accepted claim or the range is
/// empty.
pub fn history(
    inputs: &Inputs,
    load: LoadOptions,
    params: &Params,
    sources_meta: Option<(&std::path::Path, bool)>,
    every: Every,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<History> {
    let range = LoadOptions {
        as_of: None,
        keep_times: true,
        ..load
    };
    let all = crate::ingest::load(inputs, range)?;
    let c = &all.corpus;
    let first = c.published.iter().min();
    let last = c
        .published
        .iter()
        .chain(c.responses.iter().map(|r| r.responded_at))
        .chain(c.resolutions.iter().map(|r| r.resolved_at))
        .max();
    let (Some(first), Some(last)) = (first, last) else {
        return Err(Error::Config("history: the claims file has no accepted claim".into()));
    };
    drop(all);
    let (first, last) = (from.unwrap_or(first), to.unwrap_or(last));
    if first > last {
        return Err(Error::Config("history: --from is after --to".into()));
    }
    // Each period is a whole scoring run over the files; one date typed with the wrong year (0001) made a
    // daily history of two claims run for hours.
    let ends = period_ends_at_most(first, last, every, MAX_PERIODS + 1);
    if ends.len() > MAX_PERIODS {
        return Err(Error::Config(format!(
            "history: from {} to {} is more than {MAX_PERIODS} periods, each a whole scoring run; choose a longer \
             --every, or --from and --to (is a date's year mistyped?)",
            crate::numfmt::time(first),
            crate::numfmt::time(last)
        )));
    }
    let mut periods: Vec<(i64, Vec<Point>)> = Vec::with_capacity(ends.len());
    let mut rejects = Vec::new();
    let mut refused_at_end: HashSet<(String, u64)> = HashSet::new();
    let mut earlier_rejects = Vec::new();
    let mut tallies = InputTallies::default();
    for (k, &end) in ends.iter().enumerate().rev() {
        let load = LoadOptions {
            as_of: Some(end),
            keep_times: params.needs_times(),
            ..load
        };
        let mut params = *params;
        params.as_of = Some(end);
        let mut run = crate::score_files_with_groups(inputs, load, &params, sources_meta)?;
        // The tallies count the rejects, so they are taken first.
        if k + 1 == ends.len() {
            tallies = InputTallies::of(&run.loaded);
        }
        let refused = std::mem::take(&mut run.loaded.rejects);
        if k + 1 == ends.len() {
            refused_at_end = refused.iter().map(|r| (r.file.clone(), r.line)).collect();
            rejects = refused;
        } else {
            let mut only = refused
                .into_iter()
                .filter(|r| !refused_at_end.contains(&(r.file.clone(), r.line)))
                .map(|r| (end, r))
                .collect::<Vec<_>>();
            // Periods run last to first; these are put in order below.
            only.reverse();
            earlier_rejects.extend(only);
        }
        let corpus = &run.loaded.corpus;
        let mut scores: Vec<_> = run.scores.sources.iter().collect();
        scores.sort_by_key(|s| s.rank);
        periods.push((
            end,
            scores
                .into_iter()
                .map(|s| Point {
                    as_of: end,
                    source: corpus.sources.name(s.id).to_owned(),
                    claims: s.claims,
                    reliability: s.reliability,
                    ci_low: s.ci_low,
                    ci_high: s.ci_high,
                    rank: s.rank,
                })
                .collect(),
        ));
    }
    periods.reverse();
    earlier_rejects.reverse();
    let points = periods.into_iter().flat_map(|(_, p)| p).collect();
    Ok(History {
        points,
        rejects,
        earlier_rejects,
        inputs: tallies,
    })
}

/// The rows refused as of an earlier period's end only ([`History::earlier_rejects`]): `as_of` and the
/// columns of `rejects.csv`.
pub fn write_earlier_rejects_csv(rejects: &[(i64, RowProblem)]) -> Vec<u8> {
    let mut header = vec!["as_of"];
    header.extend(crate::report::REJECT_COLUMNS);
    crate::report::csv_bytes(
        &header,
        rejects.iter().map(|(end, r)| {
            let mut cells = vec![crate::numfmt::time(*end)];
            cells.extend(crate::report::reject_cells(r));
            cells
        }),
    )
}

/// `history.csv`: `as_of,source,claims,reliability,ci_low,ci_high,rank`, periods in order, sources by
/// rank within each.
pub fn write_csv(points: &[Point]) -> Vec<u8> {
    let header = ["as_of", "source", "claims", "reliability", "ci_low", "ci_high", "rank"];
    crate::report::csv_bytes(
        &header,
        points.iter().map(|p| {
            vec![
                crate::numfmt::time(p.as_of),
                crate::report::cell(&p.source).into_owned(),
                p.claims.to_string(),
                crate::numfmt::float(p.reliability),
                crate::numfmt::float(p.ci_low),
                crate::numfmt::float(p.ci_high),
                p.rank.to_string(),
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> i64 {
        crate::ingest::fields::time(s).unwrap()
    }

    /// Audit: history read past its refused rows without a trace. It returns them, with tallies that
    /// reconcile: rows read = scored + rejected + later (past the last period's end).
    #[test]
    fn a_history_returns_its_rejects_and_tallies_that_reconcile() {
        let dir = tempfile::tempdir().unwrap();
        let claims = dir.path().join("claims.csv");
        let responses = dir.path().join("responses.csv");
        std::fs::write(
            &claims,
            "claim_id,source,published_at,story_id,stance\n\
             c1,A,2025-01-05,s1,asserts\n\
             c2,B,2025-02-30,s1,asserts\n\
             c3,B,2025-03-05,s1,denies\n",
        )
        .unwrap();
        std::fs::write(
            &responses,
            "response_id,story_id,responder,responded_at,verdict\nr1,s1,K,2025-01-10,confirmed\n",
        )
        .unwrap();
        let inputs = Inputs {
            claims,
            responses: Some(responses),
            resolutions: None,
        };
        let run = |to| {
            history(
                &inputs,
                LoadOptions::default(),
                &Params::default(),
                None,
                Every::Month,
                None,
                to,
            )
        };
        let h = run(None).unwrap();
        assert_eq!(h.rejects.len(), 1);
        assert_eq!(
            (h.rejects[0].line, h.rejects[0].column.as_deref()),
            (3, Some("published_at"))
        );
        let c = &h.inputs.claims[0];
        assert_eq!((c.read, c.scored, c.rejected, c.later), (3, 2, 1, 0));
        assert_eq!(h.inputs.rejected, 1);
        // Ending in January: March's claim is set aside, still counted.
        let h = run(Some(t("2025-01-20"))).unwrap();
        let c = &h.inputs.claims[0];
        assert_eq!((c.read, c.scored, c.rejected, c.later), (3, 1, 1, 1));
    }

    #[test]
    fn months_end_on_their_last_second() {
        let ends = period_ends(t("2025-01-15"), t("2025-03-01"), Every::Month);
        let shown: Vec<String> = ends.iter().map(|&e| crate::numfmt::time(e)).collect();
        assert_eq!(
            shown,
            ["2025-01-31T23:59:59Z", "2025-02-28T23:59:59Z", "2025-03-31T23:59:59Z"]
        );
    }

    #[test]
    fn weeks_run_monday_to_sunday_and_quarters_and_years_align() {
        // 2025-06-25 is a Wednesday; its week ends on Sunday 2025-06-29.
        let week = period_ends(t("2025-06-25"), t("2025-06-25"), Every::Week);
        assert_eq!(week, [t("2025-06-29T23:59:59Z")]);
        let quarters = period_ends(t("2024-11-02"), t("2025-01-01"), Every::Quarter);
        assert_eq!(quarters, [t("2024-12-31T23:59:59Z"), t("2025-03-31T23:59:59Z")]);
        let years = period_ends(t("2024-02-29"), t("2024-12-31T23:59:59Z"), Every::Year);
        assert_eq!(years, [t("2024-12-31T23:59:59Z")]);
        let days = period_ends(t("2025-06-30T10:00:00Z"), t("2025-07-01T00:00:00Z"), Every::Day);
        assert_eq!(days, [t("2025-06-30T23:59:59Z"), t("2025-07-01T23:59:59Z")]);
    }
}
