//! Reading the three input files into a validated [`Corpus`], with every refused row kept as a reject.
//!
//! This is the one place that builds CSV readers ([`open_csv`]), so every file is treated alike: columns are
//! found by name in any order, unknown columns are ignored, a UTF-8 byte-order mark and CRLF line ends are
//! accepted, `-` reads standard input. A missing required column stops the run ([`Error::MissingColumn`]);
//! a bad row becomes a [`RowProblem`] and the run goes on, unless [`LoadOptions::strict`] is set. Every data
//! row read is either accepted into the corpus or rejected, so [`Tally`] always reconciles.

pub mod fields;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use crate::corpus::{Claim, Corpus, Resolution, Response};
use crate::error::{Error, Result, RowProblem};

/// Where the input files are.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The claims file.
    pub claims: PathBuf,
    /// The official responses file, if any.
    pub responses: Option<PathBuf>,
    /// The resolutions file, if any.
    pub resolutions: Option<PathBuf>,
}

/// How strictly to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Stop at the first bad row instead of rejecting it.
    pub strict: bool,
}

/// Rows read, accepted and rejected in one file: `read == accepted + rejected` always.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// The file as named by the user.
    pub file: String,
    /// Data rows read (the header is not counted).
    pub read: u64,
    /// Rows that passed validation and were scored.
    pub scored: u64,
    /// Rows written to the rejects.
    pub rejected: u64,
}

/// The result of loading: the corpus, the rejects in file order, and a tally per file.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The validated rows.
    pub corpus: Corpus,
    /// Every refused row, claims first, then responses, then resolutions, each in line order.
    pub rejects: Vec<RowProblem>,
    /// Counts for the claims file.
    pub claims: Tally,
    /// Counts for the responses file, if one was given.
    pub responses: Option<Tally>,
    /// Counts for the resolutions file, if one was given.
    pub resolutions: Option<Tally>,
}

/// Reads and validates all inputs.
///
/// # Errors
/// A file that cannot be read, has no header or lacks a required column; in strict mode, the first bad row.
pub fn load(inputs: &Inputs, opts: LoadOptions) -> Result<Loaded> {
    let mut out = Loaded::default();
    out.claims = read_claims(&inputs.claims, opts, &mut out.corpus, &mut out.rejects)?;
    if let Some(p) = &inputs.responses {
        out.responses = Some(read_responses(p, opts, &mut out.corpus, &mut out.rejects)?);
    }
    if let Some(p) = &inputs.resolutions {
        out.resolutions = Some(read_resolutions(p, opts, &mut out.corpus, &mut out.rejects)?);
    }
    Ok(out)
}

/// Opens `path` (or standard input for `-`) as a CSV reader with a header row.
///
/// Records may have any number of fields: a row whose count differs from the header's is rejected by the
/// table reader with a reason, not by the CSV layer with an error.
///
/// # Errors
/// The file cannot be opened.
pub fn open_csv(path: &Path) -> Result<csv::Reader<Box<dyn Read>>> {
    let inner: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?)
    };
    Ok(csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(inner))
}

/// Why one field or row is refused, before the file and line are attached.
struct Refusal {
    column: Option<&'static str>,
    value: Option<String>,
    reason: String,
}

impl Refusal {
    fn new(column: &'static str, value: &str, reason: impl Into<String>) -> Self {
        Refusal {
            column: Some(column),
            value: Some(value.chars().take(200).collect()),
            reason: reason.into(),
        }
    }
}

/// A data row with its columns resolved by name.
struct Row<'a> {
    record: &'a ByteRecord,
    index: &'a [Option<usize>],
    names: &'a [&'static str],
}

impl Row<'_> {
    /// The trimmed text of column `k` of the table's spec; empty when the column is absent.
    fn text(&self, k: usize) -> Result<&str, Refusal> {
        let Some(i) = self.index[k] else {
            return Ok("");
        };
        let bytes = self.record.get(i).unwrap_or_default();
        std::str::from_utf8(bytes).map(str::trim).map_err(|e| Refusal {
            column: Some(self.names[k]),
            value: Some(String::from_utf8_lossy(bytes).chars().take(200).collect()),
            reason: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        })
    }

    /// The text of a column that must not be empty.
    fn required(&self, k: usize) -> Result<&str, Refusal> {
        let s = self.text(k)?;
        if s.is_empty() {
            return Err(Refusal {
                column: Some(self.names[k]),
                value: None,
                reason: "empty value".into(),
            });
        }
        Ok(s)
    }

    /// The text of an optional column, `None` when absent or empty.
    fn optional(&self, k: usize) -> Result<Option<&str>, Refusal> {
        self.text(k).map(|s| (!s.is_empty()).then_some(s))
    }
}

/// The columns one table reads: the first `required` names must be present in the header.
struct Spec {
    names: &'static [&'static str],
    required: usize,
}

/// Reads every record of `path`, handing each well-formed row to `accept`; refusals become rejects.
fn read_table(
    path: &Path,
    spec: &Spec,
    opts: LoadOptions,
    rejects: &mut Vec<RowProblem>,
    mut accept: impl FnMut(&Row<'_>, u64) -> Result<(), Refusal>,
) -> Result<Tally> {
    let file = path.display().to_string();
    let mut rdr = open_csv(path)?;
    let headers = rdr.byte_headers().map_err(|source| csv_error(path, source))?.clone();
    if headers.is_empty() || (headers.len() == 1 && headers[0].is_empty()) {
        return Err(Error::EmptyFile {
            path: path.to_owned(),
            expected: spec.names[..spec.required].join(","),
        });
    }
    let index = resolve_columns(path, &headers, spec)?;
    let mut tally = Tally {
        file: file.clone(),
        ..Tally::default()
    };
    let mut record = ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(source) => return Err(csv_error(path, source)),
        }
        tally.read += 1;
        let line = record.position().map_or(0, |p| p.line());
        let outcome = if record.len() != headers.len() {
            Err(Refusal {
                column: None,
                value: None,
                reason: format!(
                    "expected {} fields as in the header, found {}",
                    headers.len(),
                    record.len()
                ),
            })
        } else {
            accept(
                &Row {
                    record: &record,
                    index: &index,
                    names: spec.names,
                },
                line,
            )
        };
        match outcome {
            Ok(()) => tally.scored += 1,
            Err(r) => {
                let problem = RowProblem {
                    file: file.clone(),
                    line,
                    column: r.column.map(str::to_owned),
                    value: r.value,
                    reason: r.reason,
                };
                if opts.strict {
                    return Err(Error::BadRow(problem));
                }
                tally.rejected += 1;
                rejects.push(problem);
            }
        }
    }
    Ok(tally)
}

fn csv_error(path: &Path, source: csv::Error) -> Error {
    let line = source.position().map(|p| p.line());
    Error::Csv {
        path: path.to_owned(),
        line,
        source,
    }
}

/// Maps each name of `spec` to its position in the header; a BOM and surrounding spaces are ignored.
fn resolve_columns(path: &Path, headers: &ByteRecord, spec: &Spec) -> Result<Vec<Option<usize>>> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut found = Vec::new();
    for (i, raw) in headers.iter().enumerate() {
        let name = String::from_utf8_lossy(raw);
        let name = name.trim_start_matches('\u{feff}').trim().to_owned();
        if let Some(&first) = seen.get(&name) {
            if spec.names.contains(&name.as_str()) {
                return Err(Error::DuplicateColumn {
                    path: path.to_owned(),
                    column: name,
                    first: first + 1,
                    second: i + 1,
                });
            }
            continue;
        }
        seen.insert(name.clone(), i);
        found.push(name);
    }
    let mut index = Vec::with_capacity(spec.names.len());
    for (k, name) in spec.names.iter().enumerate() {
        let at = seen.get(*name).copied();
        if at.is_none() && k < spec.required {
            return Err(Error::MissingColumn {
                path: path.to_owned(),
                column: (*name).to_owned(),
                found: found.join(","),
            });
        }
        index.push(at);
    }
    Ok(index)
}

const CLAIMS: Spec = Spec {
    names: &[
        "claim_id",
        "source",
        "published_at",
        "story_id",
        "stance",
        "attributed_to",
    ],
    required: 5,
};

fn read_claims(path: &Path, opts: LoadOptions, corpus: &mut Corpus, rejects: &mut Vec<RowProblem>) -> Result<Tally> {
    let mut first_line: HashMap<String, u64> = HashMap::new();
    read_table(path, &CLAIMS, opts, rejects, |row, line| {
        let id = row.required(0)?;
        let source = row.required(1)?;
        let published = row.required(2)?;
        let published_at =
            fields::time(published).ok_or_else(|| Refusal::new("published_at", published, "unparseable date"))?;
        let story = row.required(3)?;
        let stance_text = row.text(4)?;
        let stance = fields::stance(stance_text)
            .ok_or_else(|| Refusal::new("stance", stance_text, "unknown stance (expected asserts or denies)"))?;
        let attributed = row.optional(5)?;
        if let Some(&first) = first_line.get(id) {
            return Err(Refusal::new(
                "claim_id",
                id,
                format!("duplicate claim_id (first at line {first})"),
            ));
        }
        first_line.insert(id.to_owned(), line);
        let source = corpus.sources.intern(source);
        let attributed_to = attributed.map(|a| corpus.sources.intern(a)).filter(|&a| a != source);
        corpus.claims.push(Claim {
            id: id.to_owned(),
            source,
            story: corpus.stories.intern(story),
            stance,
            attributed_to,
            published_at,
            line,
        });
        Ok(())
    })
}

const RESPONSES: Spec = Spec {
    names: &["response_id", "story_id", "responder", "responded_at", "verdict"],
    required: 5,
};

fn read_responses(path: &Path, opts: LoadOptions, corpus: &mut Corpus, rejects: &mut Vec<RowProblem>) -> Result<Tally> {
    let mut first_line: HashMap<String, u64> = HashMap::new();
    read_table(path, &RESPONSES, opts, rejects, |row, line| {
        let id = row.required(0)?;
        let story_text = row.required(1)?;
        let responder = row.required(2)?;
        let at = row.required(3)?;
        let responded_at = fields::time(at).ok_or_else(|| Refusal::new("responded_at", at, "unparseable date"))?;
        let verdict_text = row.required(4)?;
        let verdict = fields::verdict(verdict_text).ok_or_else(|| {
            Refusal::new(
                "verdict",
                verdict_text,
                "unknown verdict (expected confirmed, denied, partial or no_comment)",
            )
        })?;
        let story = corpus.stories.get(story_text).ok_or_else(|| {
            Refusal::new(
                "story_id",
                story_text,
                "response for an unknown story (no claim has this story_id)",
            )
        })?;
        if let Some(&first) = first_line.get(id) {
            return Err(Refusal::new(
                "response_id",
                id,
                format!("duplicate response_id (first at line {first})"),
            ));
        }
        first_line.insert(id.to_owned(), line);
        corpus.responses.push(Response {
            id: id.to_owned(),
            story,
            responder: corpus.responders.intern(responder),
            responded_at,
            verdict,
            line,
        });
        Ok(())
    })
}

const RESOLUTIONS: Spec = Spec {
    names: &["story_id", "outcome", "resolved_at", "resolver"],
    required: 3,
};

fn read_resolutions(
    path: &Path,
    opts: LoadOptions,
    corpus: &mut Corpus,
    rejects: &mut Vec<RowProblem>,
) -> Result<Tally> {
    let mut first_line: HashMap<u32, u64> = HashMap::new();
    read_table(path, &RESOLUTIONS, opts, rejects, |row, line| {
        let story_text = row.required(0)?;
        let outcome_text = row.required(1)?;
        let outcome = fields::outcome(outcome_text).ok_or_else(|| {
            Refusal::new(
                "outcome",
                outcome_text,
                "unknown outcome (expected true, false or mixed)",
            )
        })?;
        let at = row.required(2)?;
        let resolved_at = fields::time(at).ok_or_else(|| Refusal::new("resolved_at", at, "unparseable date"))?;
        let resolver = row.optional(3)?;
        let story = corpus.stories.get(story_text).ok_or_else(|| {
            Refusal::new(
                "story_id",
                story_text,
                "resolution for an unknown story (no claim has this story_id)",
            )
        })?;
        if let Some(&first) = first_line.get(&story) {
            return Err(Refusal::new(
                "story_id",
                story_text,
                format!("story already resolved at line {first}"),
            ));
        }
        first_line.insert(story, line);
        let resolver = resolver.map(|r| corpus.resolvers.intern(r));
        corpus.resolutions.push(Resolution {
            story,
            outcome,
            resolved_at,
            resolver,
            line,
        });
        Ok(())
    })
}
