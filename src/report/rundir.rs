//! Reading a scoring run's output folder back into typed values, for `credence report` and
//! `credence explain`.
//!
//! [`RunDir::open`] reads `summary.json`, `sources.csv` (or `sources.json`), `responders.csv` and, when
//! present, `history.csv` (written by `credence history`: one row per period end and source);
//! `claims.csv` is large, so it is streamed on demand by [`RunDir::for_each_claim`]. These files are
//! credence's own outputs, so anything unexpected in them is an error ([`Error::BadOutput`],
//! [`Error::MissingColumn`], [`Error::Csv`]) naming the file, the line and the column, never a guess.
//!
//! Text cells that a spreadsheet would run as formulas are written with a leading `'` (see
//! [`crate::report::cell`]); [`shown_name`] takes it off again for display and lookups.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::corpus::Stance;
use crate::error::{Error, Result, RowProblem};
use crate::model::ClaimVerdict;

/// A scoring run's output folder, read.
#[derive(Debug, Clone)]
pub struct RunDir {
    /// The folder.
    pub dir: PathBuf,
    /// `summary.json`.
    pub summary: Summary,
    /// `sources.csv` (or `sources.json`), best rank first.
    pub sources: Vec<SourceRow>,
    /// `responders.csv`, by name.
    pub responders: Vec<ResponderRow>,
    /// `history.csv` when the folder has one, in file order.
    pub history: Option<Vec<HistoryRow>>,
}

/// The parts of `summary.json` the report shows.
#[derive(Debug, Clone, Deserialize)]
pub struct Summary {
    /// The version of credence that wrote the run.
    pub credence_version: String,
    /// The input files with their tallies.
    pub inputs: InputTallies,
    /// Sources, stories, responders, answered and resolved stories.
    pub counts: BTreeMap<String, u64>,
    /// The fitted population prior.
    pub prior: PriorSummary,
    /// The model's parameters, as written.
    pub parameters: serde_json::Value,
    /// With `--method em`: iterations and convergence, as written.
    #[serde(default)]
    pub em: Option<serde_json::Value>,
    /// The files the run wrote.
    #[serde(default)]
    pub outputs: Vec<String>,
}

/// Rows read, scored and rejected per input file, as `summary.json` lists them.
#[derive(Debug, Clone, Deserialize)]
pub struct InputTallies {
    /// The claims files.
    pub claims: Vec<FileTally>,
    /// The responses files.
    #[serde(default)]
    pub responses: Vec<FileTally>,
    /// The resolutions files.
    #[serde(default)]
    pub resolutions: Vec<FileTally>,
    /// Rows rejected over all files.
    pub rejected: u64,
}

/// One input file's tally. `file` is the name as given to `credence score`, relative to the folder it was
/// run from.
#[derive(Debug, Clone, Deserialize)]
pub struct FileTally {
    /// The file as named on the command line.
    pub file: String,
    /// Data rows read.
    pub read: u64,
    /// Rows scored.
    pub scored: u64,
    /// Rows refused (listed in `rejects.csv`).
    pub rejected: u64,
}

/// The fitted prior of source reliability.
#[derive(Debug, Clone, Deserialize)]
pub struct PriorSummary {
    /// Beta shape α.
    pub alpha: f64,
    /// Beta shape β.
    pub beta: f64,
    /// α / (α + β): the reliability of a source with no evidence.
    pub mean: f64,
    /// α + β.
    pub strength: f64,
    /// How it was obtained (`empirical_bayes`, or a fallback).
    pub method: String,
    /// Sources whose records entered the fit.
    #[serde(default)]
    pub sources_used: Option<u64>,
    /// Whether the fit stopped at a bound of its search.
    #[serde(default)]
    pub at_bound: Option<bool>,
}

impl Summary {
    /// The credibility level of the intervals (`parameters.level`, 0.95 if absent).
    pub fn level(&self) -> f64 {
        self.parameters.get("level").and_then(|v| v.as_f64()).unwrap_or(0.95)
    }

    /// The share of a relay's evidence counted on the relaying outlet (`parameters.relay_weight`).
    pub fn relay_weight(&self) -> f64 {
        self.parameters
            .get("relay_weight")
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    }

    /// How stories were judged (`parameters.method`: `responses`, `em` or `vote`).
    pub fn method(&self) -> &str {
        self.parameters
            .get("method")
            .and_then(|v| v.as_str())
            .unwrap_or("responses")
    }
}

/// One row of `sources.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    /// The outlet's name as shown ([`shown_name`] of the cell).
    pub name: String,
    /// The cell as written in `sources.csv` and `claims.csv`.
    pub cell: String,
    /// Claims it published.
    pub claims: u64,
    /// Of those, its own reports.
    pub originals: u64,
    /// Of those, relays.
    pub relays: u64,
    /// Reports credited to it.
    pub credited: u64,
    /// Its claims on answered stories.
    pub answered: u64,
    /// Its claims on resolved stories.
    pub resolved: u64,
    /// Expected correct judged reports.
    pub support: f64,
    /// Expected wrong judged reports.
    pub against: f64,
    /// `support + against`.
    pub evidence: f64,
    /// Posterior mean reliability.
    pub reliability: f64,
    /// Lower end of the interval.
    pub ci_low: f64,
    /// Upper end of the interval.
    pub ci_high: f64,
    /// 1 for the best.
    pub rank: u64,
}

/// One row of `responders.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponderRow {
    /// The official body, as shown.
    pub name: String,
    /// Response rows.
    pub responses: u64,
    /// Stories answered.
    pub stories: u64,
    /// Response rows by verdict: confirmed, denied, partial, no comment.
    pub by_verdict: [u64; 4],
    /// Weighted count of resolved-true stories it answered.
    pub resolved_true: f64,
    /// Weighted count of resolved-false stories it answered.
    pub resolved_false: f64,
    /// P(confirm | story true): mean, low, high.
    pub confirm_when_true: [f64; 3],
    /// P(deny | story false): mean, low, high.
    pub deny_when_false: [f64; 3],
}

/// One row of `history.csv`: a source's score as of the end of a period.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryRow {
    /// The period end, as written (an ISO date or time, so text order is time order).
    pub as_of: String,
    /// The outlet, as shown.
    pub source: String,
    /// Claims up to then.
    pub claims: u64,
    /// Reliability as of then.
    pub reliability: f64,
    /// Interval as of then.
    pub ci_low: f64,
    /// Interval as of then.
    pub ci_high: f64,
    /// Rank as of then.
    pub rank: u64,
}

/// One row of `claims.csv`, borrowed from the reader's record.
#[derive(Debug, Clone, Copy)]
pub struct ClaimRow<'a> {
    /// The line of `claims.csv` it is on (the header is line 1).
    pub line: u64,
    /// The claim's id.
    pub claim_id: &'a str,
    /// The publishing outlet, as written.
    pub source: &'a str,
    /// The story.
    pub story_id: &'a str,
    /// Asserts or denies.
    pub stance: Stance,
    /// Whether it relays another outlet's report.
    pub relay: bool,
    /// The outlet credited with it, as written.
    pub credited_to: &'a str,
    /// The cross-check's finding.
    pub verdict: ClaimVerdict,
    /// The probability that it is correct.
    pub p_correct: f64,
    /// The value it claims, as normalised for scoring (runs over claims with values; `None` otherwise).
    pub value: Option<&'a str>,
}

/// One row of `stories.csv`: what the run concluded about a story.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryRow {
    /// Its most probable value (`true` or `false` for a plain story); empty when nothing decides it.
    pub value: String,
    /// That value's probability; `None` when nothing decides it.
    pub probability: Option<f64>,
    /// The outlets credited with its claims.
    pub independent_sources: u64,
    /// A number-valued story's estimate, when the method makes one.
    pub estimate: Option<f64>,
}

/// A cell of a CSV output as the outlet's name: the `'` that neutralises a spreadsheet formula (a cell that
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return) is taken off. A name that really begins with
/// `'` and one of those characters is shown without its quote: the run does not record `--keep-formulas`.
pub fn shown_name(cell: &str) -> &str {
    match cell.as_bytes() {
        [b'\'', b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r', ..] => &cell[1..],
        _ => cell,
    }
}

/// Every claim verdict, for parsing `claims.csv`.
const VERDICTS: [ClaimVerdict; 9] = [
    ClaimVerdict::Upheld,
    ClaimVerdict::Refuted,
    ClaimVerdict::Mixed,
    ClaimVerdict::Confirmed,
    ClaimVerdict::Denied,
    ClaimVerdict::Partial,
    ClaimVerdict::Conflicting,
    ClaimVerdict::NoComment,
    ClaimVerdict::Unanswered,
];

/// A claim verdict from its label in `claims.csv`.
pub fn parse_verdict(s: &str) -> Option<ClaimVerdict> {
    VERDICTS.into_iter().find(|v| v.as_str() == s)
}

/// Whether a verdict comes from a resolution (the claim's correctness was known when the run was made).
pub fn settled(v: ClaimVerdict) -> bool {
    matches!(v, ClaimVerdict::Upheld | ClaimVerdict::Refuted | ClaimVerdict::Mixed)
}

impl RunDir {
    /// Reads the run in `dir`.
    ///
    /// # Errors
    /// The folder or one of its files is missing or unreadable, or a file is garbled; the error names the
    /// file, and the line and column where there is one.
    pub fn open(dir: &Path) -> Result<RunDir> {
        if !dir.is_dir() {
            return Err(Error::Io {
                path: dir.to_owned(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "not a folder; give the --out folder of a `credence score` run",
                ),
            });
        }
        let has = |name: &str| dir.join(name).exists();
        if !has("sources.csv") && !has("sources.json") {
            for other in ["sources.jsonl", "sources.parquet"] {
                if has(other) {
                    return Err(Error::Io {
                        path: dir.join(other),
                        source: std::io::Error::new(
                            std::io::ErrorKind::Unsupported,
                            "report and explain read runs written as CSV or JSON; score again with \
                             --format csv (the default) or --format json",
                        ),
                    });
                }
            }
        }
        if !has("summary.json") {
            return Err(Error::Io {
                path: dir.join("summary.json"),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "not found, so this is not the --out folder of a `credence score` run (or the run did not finish)",
                ),
            });
        }
        let summary = read_summary(&dir.join("summary.json"))?;
        let sources = if dir.join("sources.csv").exists() || !dir.join("sources.json").exists() {
            read_sources_csv(&dir.join("sources.csv"))?
        } else {
            read_sources_json(&dir.join("sources.json"))?
        };
        let responders = read_responders(&dir.join("responders.csv"))?;
        let history_path = dir.join("history.csv");
        let history = if history_path.exists() {
            Some(read_history(&history_path)?)
        } else {
            None
        };
        Ok(RunDir {
            dir: dir.to_owned(),
            summary,
            sources,
            responders,
            history,
        })
    }

    /// `claims.csv`, when the run wrote one (a merge given no claims files does not).
    pub fn claims_path(&self) -> Option<PathBuf> {
        let p = self.dir.join("claims.csv");
        p.exists().then_some(p)
    }

    /// Calls `f` with every row of `claims.csv`, in file order.
    ///
    /// # Errors
    /// The file cannot be read or is garbled, or `f` fails.
    pub fn for_each_claim(&self, mut f: impl FnMut(ClaimRow<'_>) -> Result<()>) -> Result<()> {
        let path = self.dir.join("claims.csv");
        let mut table = Table::open(
            &path,
            &[
                "claim_id",
                "source",
                "story_id",
                "stance",
                "role",
                "credited_to",
                "verdict",
                "p_correct",
            ],
        )?;
        // A run that formed stories from texts: an unkeyed claim's story is the one it was matched to.
        let matched = table.optional("matched_story");
        let value = table.optional("value");
        table.each(|row| {
            let story_id = match (row.text(2), matched) {
                ("", Some(k)) => row.record.get(k).unwrap_or_default(),
                (story, _) => story,
            };
            let stance = match row.text(3) {
                "asserts" => Stance::Asserts,
                "denies" => Stance::Denies,
                _ => return Err(row.bad(3, "not a stance (asserts, denies)")),
            };
            let relay = match row.text(4) {
                "original" => false,
                "relay" => true,
                _ => return Err(row.bad(4, "not a role (original, relay)")),
            };
            let verdict = parse_verdict(row.text(6)).ok_or_else(|| row.bad(6, "not a claim verdict"))?;
            f(ClaimRow {
                line: row.line,
                claim_id: row.text(0),
                source: row.text(1),
                story_id,
                stance,
                relay,
                credited_to: row.text(5),
                verdict,
                p_correct: row.probability(7)?,
                value: value.and_then(|k| row.record.get(k)).filter(|v| !v.is_empty()),
            })
        })
    }

    /// The rows of `stories.csv` whose story is in `wanted`, by story id. Streamed, so a run of millions of
    /// stories holds only those asked for.
    ///
    /// # Errors
    /// The file is missing (every run over claims with values writes it, so the folder is incomplete),
    /// cannot be read or is garbled, or lacks a wanted story.
    pub fn stories(&self, wanted: &HashSet<&str>) -> Result<HashMap<String, StoryRow>> {
        let path = self.dir.join("stories.csv");
        let mut rows = HashMap::new();
        if wanted.is_empty() {
            return Ok(rows);
        }
        if !path.exists() {
            return Err(Error::Io {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "not found, though claims.csv holds claims with values: every run over them writes it, so \
                     this run folder is incomplete",
                ),
            });
        }
        let mut table = Table::open(&path, &crate::report::STORY_COLUMNS)?;
        let estimate = table.optional(crate::report::ESTIMATE_COLUMN);
        table.each(|row| {
            if !wanted.contains(row.text(0)) {
                return Ok(());
            }
            let probability = match row.text(2) {
                "" => None,
                _ => Some(row.probability(2)?),
            };
            let estimate = match estimate.and_then(|k| row.record.get(k)).unwrap_or_default() {
                "" => None,
                e => Some(e.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                    Error::BadOutput(RowProblem {
                        file: path.display().to_string(),
                        line: row.line,
                        column: Some(crate::report::ESTIMATE_COLUMN.to_owned()),
                        value: Some(e.chars().take(200).collect()),
                        reason: "not a number".to_owned(),
                    })
                })?),
            };
            rows.insert(
                row.text(0).to_owned(),
                StoryRow {
                    value: row.text(1).to_owned(),
                    probability,
                    independent_sources: row.count(4)?,
                    estimate,
                },
            );
            Ok(())
        })?;
        let mut missing: Vec<&&str> = wanted.iter().filter(|s| !rows.contains_key(**s)).collect();
        missing.sort();
        if let Some(first) = missing.first() {
            let first: String = first.chars().take(200).collect();
            return Err(Error::Config(format!(
                "{}: no row for story {first:?} of claims.csv{}: the file does not belong to this run",
                path.display(),
                match missing.len() {
                    1 => String::new(),
                    n => format!(" (nor for {} others)", n - 1),
                }
            )));
        }
        Ok(rows)
    }

    /// Whether `claims.csv` has a `value` column (the run's claims carry values); false without the file.
    ///
    /// # Errors
    /// The file cannot be read.
    pub fn claims_have_values(&self) -> Result<bool> {
        let Some(path) = self.claims_path() else {
            return Ok(false);
        };
        Ok(Table::open(&path, &[])?.optional("value").is_some())
    }
}

fn read_summary(path: &Path) -> Result<Summary> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::BadOutput(RowProblem {
            file: path.display().to_string(),
            line: e.line() as u64,
            column: None,
            value: None,
            reason: format!("not a credence summary: {e}"),
        })
    })
}

const SOURCE_COLUMNS: [&str; 14] = crate::report::SOURCE_COLUMNS;

fn read_sources_csv(path: &Path) -> Result<Vec<SourceRow>> {
    let mut table = Table::open(path, &SOURCE_COLUMNS)?;
    let mut rows = Vec::new();
    table.each(|row| {
        let cell = row.text(0).to_owned();
        rows.push(SourceRow {
            name: shown_name(&cell).to_owned(),
            cell,
            claims: row.count(1)?,
            originals: row.count(2)?,
            relays: row.count(3)?,
            credited: row.count(4)?,
            answered: row.count(5)?,
            resolved: row.count(6)?,
            support: row.number(7)?,
            against: row.number(8)?,
            evidence: row.number(9)?,
            reliability: row.probability(10)?,
            ci_low: row.probability(11)?,
            ci_high: row.probability(12)?,
            rank: row.count(13)?,
        });
        Ok(())
    })?;
    rows.sort_by_key(|r| r.rank);
    Ok(rows)
}

/// One element of `sources.json` (written with `--format json`; names are never neutralised there).
#[derive(Deserialize)]
struct SourceJson {
    source: String,
    claims: u64,
    originals: u64,
    relays: u64,
    credited: u64,
    answered: u64,
    resolved: u64,
    support: f64,
    against: f64,
    evidence: f64,
    reliability: f64,
    ci_low: f64,
    ci_high: f64,
    rank: u64,
}

fn read_sources_json(path: &Path) -> Result<Vec<SourceRow>> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let rows: Vec<SourceJson> = serde_json::from_slice(&bytes).map_err(|e| {
        Error::BadOutput(RowProblem {
            file: path.display().to_string(),
            line: e.line() as u64,
            column: None,
            value: None,
            reason: format!("not a credence sources table: {e}"),
        })
    })?;
    let mut rows: Vec<SourceRow> = rows
        .into_iter()
        .map(|s| SourceRow {
            name: s.source.clone(),
            // claims.csv is CSV even in a JSON run: its cells carry the formula quote.
            cell: crate::report::cell(&s.source).into_owned(),
            claims: s.claims,
            originals: s.originals,
            relays: s.relays,
            credited: s.credited,
            answered: s.answered,
            resolved: s.resolved,
            support: s.support,
            against: s.against,
            evidence: s.evidence,
            reliability: s.reliability,
            ci_low: s.ci_low,
            ci_high: s.ci_high,
            rank: s.rank,
        })
        .collect();
    rows.sort_by_key(|r| r.rank);
    Ok(rows)
}

fn read_responders(path: &Path) -> Result<Vec<ResponderRow>> {
    let mut table = Table::open(path, &crate::report::RESPONDER_COLUMNS)?;
    let mut rows = Vec::new();
    table.each(|row| {
        rows.push(ResponderRow {
            name: shown_name(row.text(0)).to_owned(),
            responses: row.count(1)?,
            stories: row.count(2)?,
            by_verdict: [row.count(3)?, row.count(4)?, row.count(5)?, row.count(6)?],
            resolved_true: row.number(7)?,
            resolved_false: row.number(8)?,
            confirm_when_true: [row.probability(9)?, row.probability(10)?, row.probability(11)?],
            deny_when_false: [row.probability(12)?, row.probability(13)?, row.probability(14)?],
        });
        Ok(())
    })?;
    Ok(rows)
}

fn read_history(path: &Path) -> Result<Vec<HistoryRow>> {
    let mut table = Table::open(
        path,
        &["as_of", "source", "claims", "reliability", "ci_low", "ci_high", "rank"],
    )?;
    let mut rows = Vec::new();
    table.each(|row| {
        rows.push(HistoryRow {
            as_of: row.text(0).to_owned(),
            source: shown_name(row.text(1)).to_owned(),
            claims: row.count(2)?,
            reliability: row.probability(3)?,
            ci_low: row.probability(4)?,
            ci_high: row.probability(5)?,
            rank: row.count(6)?,
        });
        Ok(())
    })?;
    Ok(rows)
}

/// A CSV output with named columns, read row by row with typed accessors whose errors name the file,
/// line and column.
struct Table {
    path: PathBuf,
    reader: csv::Reader<Box<dyn std::io::Read + Send>>,
    names: Vec<&'static str>,
    index: Vec<usize>,
    headers: csv::StringRecord,
}

impl Table {
    fn open(path: &Path, names: &[&'static str]) -> Result<Table> {
        let mut reader = crate::ingest::open_csv(path)?;
        let headers = reader.headers().map_err(|e| crate::ingest::csv_error(path, e))?.clone();
        let mut index = Vec::with_capacity(names.len());
        for name in names {
            let at = headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}') == *name)
                .ok_or_else(|| Error::MissingColumn {
                    path: path.to_owned(),
                    column: (*name).to_owned(),
                    found: headers.iter().collect::<Vec<_>>().join(","),
                })?;
            index.push(at);
        }
        Ok(Table {
            path: path.to_owned(),
            reader,
            names: names.to_vec(),
            index,
            headers,
        })
    }

    /// The position of an optional column, if the header has it.
    fn optional(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    }

    fn each(&mut self, mut f: impl FnMut(&Cells<'_>) -> Result<()>) -> Result<()> {
        // Every column read must be present; credence writes whole rows, so a short one is garbled.
        let needed = self.index.iter().max().map_or(0, |m| m + 1);
        let mut record = csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(e) => return Err(crate::ingest::csv_error(&self.path, e)),
            }
            let line = record.position().map_or(0, |p| p.line());
            if record.len() < needed {
                return Err(Error::BadOutput(RowProblem {
                    file: self.path.display().to_string(),
                    line,
                    column: None,
                    value: None,
                    reason: format!("expected at least {needed} fields, found {}", record.len()),
                }));
            }
            f(&Cells {
                table: self,
                record: &record,
                line,
            })?;
        }
    }
}

/// One row of a [`Table`].
struct Cells<'a> {
    table: &'a Table,
    record: &'a csv::StringRecord,
    line: u64,
}

impl Cells<'_> {
    fn text(&self, k: usize) -> &str {
        self.record.get(self.table.index[k]).unwrap_or_default()
    }

    fn bad(&self, k: usize, reason: &str) -> Error {
        let value: String = self.text(k).chars().take(200).collect();
        Error::BadOutput(RowProblem {
            file: self.table.path.display().to_string(),
            line: self.line,
            column: Some(self.table.names[k].to_owned()),
            value: Some(value),
            reason: reason.to_owned(),
        })
    }

    fn number(&self, k: usize) -> Result<f64> {
        match self.text(k).parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(self.bad(k, "not a number")),
        }
    }

    fn probability(&self, k: usize) -> Result<f64> {
        let x = self.number(k)?;
        if (0.0..=1.0).contains(&x) {
            Ok(x)
        } else {
            Err(self.bad(k, "not a probability (between 0 and 1)"))
        }
    }

    fn count(&self, k: usize) -> Result<u64> {
        self.text(k).parse().map_err(|_| self.bad(k, "not a whole number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_quotes_come_off() {
        for (cell, shown) in [
            ("'=1+1", "=1+1"),
            ("'@x", "@x"),
            ("'plain", "'plain"),
            ("a", "a"),
            ("", ""),
        ] {
            assert_eq!(shown_name(cell), shown);
        }
    }

    #[test]
    fn every_verdict_parses_back() {
        for v in VERDICTS {
            assert_eq!(parse_verdict(v.as_str()), Some(v));
        }
        assert_eq!(parse_verdict("Upheld"), None);
    }

    #[test]
    fn a_garbled_value_names_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("responders.csv");
        let header = "responder,responses,stories,confirmed,denied,partial,no_comment,resolved_true,\
                      resolved_false,confirm_when_true,confirm_ci_low,confirm_ci_high,deny_when_false,\
                      deny_ci_low,deny_ci_high\n";
        std::fs::write(
            &path,
            format!("{header}Kremlin,1,1,1,0,0,0,0,0,0.5,0.1,oops,0.5,0.1,0.9\n"),
        )
        .unwrap();
        let e = read_responders(&path).unwrap_err().to_string();
        assert!(e.contains("responders.csv:2: column `confirm_ci_high`"), "{e}");
        assert!(e.contains("\"oops\""), "{e}");
        std::fs::write(&path, "responder,responses\n").unwrap();
        let e = read_responders(&path).unwrap_err().to_string();
        assert!(e.contains("missing required column `stories`"), "{e}");
    }

    #[test]
    fn stories_reads_only_the_wanted_rows_and_names_a_garbled_cell() {
        let dir = tempfile::tempdir().unwrap();
        let run = RunDir {
            dir: dir.path().to_owned(),
            summary: serde_json::from_value(serde_json::json!({
                "credence_version": "test",
                "inputs": {"claims": [], "responses": [], "resolutions": [], "rejected": 0},
                "counts": {},
                "prior": {"alpha": 1.0, "beta": 1.0, "mean": 0.5, "strength": 2.0, "method": "fixed"},
                "parameters": {},
                "outputs": []
            }))
            .unwrap(),
            sources: Vec::new(),
            responders: Vec::new(),
            history: None,
        };
        let wanted: HashSet<&str> = ["a", "b"].into_iter().collect();
        // Nothing wanted, nothing read; wanted from a folder without the file, an error naming it.
        assert!(run.stories(&HashSet::new()).unwrap().is_empty());
        let e = run.stories(&wanted).unwrap_err().to_string();
        assert!(
            e.contains("stories.csv") && e.contains("run folder is incomplete"),
            "{e}"
        );
        let path = dir.path().join("stories.csv");
        std::fs::write(
            &path,
            "story_id,value,probability,sources,independent_sources,estimate\n\
             a,61704,0.912345,3,2,61710.5\nb,,,0,0,\nc,7,0.5,1,1,7\n",
        )
        .unwrap();
        let rows = run.stories(&wanted).unwrap();
        assert_eq!(rows.len(), 2);
        let other: HashSet<&str> = ["a", "zz"].into_iter().collect();
        let e = run.stories(&other).unwrap_err().to_string();
        assert!(e.contains("no row for story \"zz\" of claims.csv: the file"), "{e}");
        assert_eq!(
            rows["a"],
            StoryRow {
                value: "61704".to_owned(),
                probability: Some(0.912345),
                independent_sources: 2,
                estimate: Some(61710.5),
            }
        );
        assert_eq!((rows["b"].probability, rows["b"].estimate), (None, None));
        std::fs::write(
            &path,
            "story_id,value,probability,sources,independent_sources,estimate\na,1,0.5,1,1,lots\n",
        )
        .unwrap();
        let e = run.stories(&wanted).unwrap_err().to_string();
        assert!(
            e.contains("stories.csv:2: column `estimate`") && e.contains("\"lots\""),
            "{e}"
        );
    }
}
