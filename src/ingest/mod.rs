//! Reading the three input files into a validated [`Corpus`], with every refused row kept as a reject.
//!
//! This is the one place that builds CSV readers ([`open_csv`]), so every file is treated alike: columns are
//! found by name in any order, unknown columns are ignored, a UTF-8 byte-order mark and CRLF line ends are
//! accepted, `-` reads standard input. A missing required column stops the run ([`Error::MissingColumn`]);
//! a bad row becomes a [`RowProblem`] and the run goes on, unless [`LoadOptions::strict`] is set. Every data
//! row read is either accepted into the corpus or rejected, so [`Tally`] always reconciles.

pub mod answers;
pub mod blocks;
pub mod claims;
pub mod fields;
pub mod jsonl;
pub mod unkeyed;

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use csv::ByteRecord;

use crate::corpus::Corpus;
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

/// How to read.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Stop at the first bad row instead of rejecting it.
    pub strict: bool,
    /// Bytes per block of the claims file parsed in parallel (any value gives the same results). Each
    /// thread holds a few blocks with their parsed rows (about three times the block in all), so the
    /// default, 1 MiB, keeps that a few MiB; larger blocks are no faster.
    pub block_size: usize,
    /// Keep only what was known at this time (seconds since the epoch, UTC): claims published, responses
    /// given and resolutions established after it are set aside, counted in [`Tally::later`], neither
    /// scored nor rejected. Scoring with an `as_of` therefore equals scoring a copy of the files cut at
    /// that time.
    pub as_of: Option<i64>,
    /// Keep each accepted claim's publication time in [`Corpus::published`]: time-weighted scoring, copy
    /// detection and em's copy model read them (the CLI keeps them for `--method em`); without them em
    /// treats every report as independent. Off by default: 8 bytes a claim.
    pub keep_times: bool,
    /// Read the claims' `topic` column into [`Corpus::mention_topics`] (for per-topic reliabilities).
    pub keep_topics: bool,
    /// How claims' values are normalised, when the claims file has a `value` column.
    pub value_kind: crate::value::ValueKind,
    /// How stories are formed and responses linked when rows lack a `story_id` ([`crate::link`]).
    pub link: crate::link::LinkParams,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            strict: false,
            block_size: 1 << 20,
            as_of: None,
            keep_times: false,
            keep_topics: false,
            value_kind: crate::value::ValueKind::Text,
            link: crate::link::LinkParams::default(),
        }
    }
}

/// Rows read, accepted and rejected in one file: `read == scored + rejected + later` always.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    /// The file as named by the user.
    pub file: String,
    /// Data rows read (the header is not counted).
    pub read: u64,
    /// Rows that passed validation and were scored.
    pub scored: u64,
    /// Rows written to the rejects.
    pub rejected: u64,
    /// Valid rows dated after [`LoadOptions::as_of`], set aside (absent from the JSON when zero).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub later: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The result of loading: the corpus, the rejects in file order, and a tally per file.
#[derive(Debug)]
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
    /// How to read the claims again, for per-claim outputs.
    pub replay: claims::Replay,
    /// What the matcher did, when rows without a `story_id` made it run.
    pub linked: Option<unkeyed::Linked>,
    /// Counts for the outlets' groups file (`--sources-meta`), if one was read.
    pub sources_meta: Option<Tally>,
}

/// The groups file's columns.
const SOURCES_META: Spec = Spec {
    names: &["source", "group"],
    required: 2,
};

/// Reads a groups file (`source,group`: an outlet type, a country) into `loaded.corpus.groups` and
/// `source_group`, so that each group gets its own fitted prior. An outlet named twice is a reject (the
/// first line stands); an outlet the claims do not mention is accepted and unused; an outlet the file does
/// not name is in no group (the overall prior).
///
/// # Errors
/// The file cannot be read, has no header or lacks a column; in strict mode, the first bad row.
pub fn read_sources_meta(path: &Path, loaded: &mut Loaded, strict: bool) -> Result<()> {
    let tally = apply_sources_meta(path, &mut loaded.corpus, &mut loaded.rejects, strict)?;
    loaded.sources_meta = Some(tally);
    Ok(())
}

/// [`read_sources_meta`] on a corpus and its rejects (a merge's, which has no [`Loaded`]): the groups
/// go into `corpus`, the refused rows after `rejects`; returns the file's tally.
///
/// # Errors
/// As for [`read_sources_meta`].
pub fn apply_sources_meta(
    path: &Path,
    corpus: &mut Corpus,
    all_rejects: &mut Vec<RowProblem>,
    strict: bool,
) -> Result<Tally> {
    let (mut tally, rows, mut rejects) = read_table(path, &SOURCES_META, &[], |row| {
        Ok((row.required(0)?.to_owned(), row.required(1)?.to_owned()))
    })?;
    corpus.source_group = vec![u32::MAX; corpus.sources.len()];
    let mut first: rustc_hash::FxHashMap<String, u64> = rustc_hash::FxHashMap::default();
    let file = path.display().to_string();
    for (line, (source, group)) in rows {
        if let Some(&at) = first.get(&source) {
            let why = format!("outlet already given a group at line {at}");
            rejects.push(Refusal::new("source", &source, why).at(&file, line));
            continue;
        }
        first.insert(source.clone(), line);
        let g = corpus.groups.intern(&group);
        if let Some(id) = corpus.sources.get(&source) {
            corpus.source_group[id as usize] = g;
        }
    }
    corpus.number_groups_by_name();
    rejects.sort_by_key(|r| r.line);
    tally.scored -= rejects.len() as u64 - tally.rejected;
    tally.rejected = rejects.len() as u64;
    if strict && let Some(first) = rejects.first() {
        return Err(Error::BadRow(first.clone()));
    }
    all_rejects.append(&mut rejects);
    Ok(tally)
}

/// Reads and validates all inputs. Names are numbered by first appearance while reading, then by name
/// ([`Corpus::number_by_name`]), so that what follows does not depend on the order of the rows.
///
/// Where a file has a `text` column and rows without a `story_id` (or no such column), the matcher
/// ([`unkeyed::link_files`]) forms their stories first, and the files are then read with its assignment.
///
/// # Errors
/// A file that cannot be read, has no header or lacks a required column; in strict mode, the first bad row.
pub fn load(inputs: &Inputs, opts: LoadOptions) -> Result<Loaded> {
    let mut corpus = Corpus::default();
    let mut rejects = Vec::new();
    // The claims are read before the responses: the claims' first pass holds the claim-id table, the
    // largest buffer of a run, and the responses' raw rows (three strings each, about 190 bytes a row)
    // should not be held beside it. The price is paid only by keyed claims with unkeyed responses, whose
    // keyed pass over the claims is thrown away.
    let first = claims::read(&inputs.claims, opts, claims::Keys::Detect, &mut corpus, &mut rejects)?;
    let mut raw_responses = match first {
        Some(_) => inputs
            .responses
            .as_deref()
            .map(|p| answers::read_responses(p, answers::ResponseKeys::Detect(opts.as_of)))
            .transpose()?,
        None => None,
    };
    let unkeyed_responses = raw_responses.as_ref().is_some_and(|r| r.unkeyed);
    let (tally, replay, linked) = match first {
        Some((tally, replay)) if !unkeyed_responses => (tally, replay, None),
        _ => {
            let linked = unkeyed::link_files(&inputs.claims, inputs.responses.as_deref(), opts)?;
            corpus = Corpus::default();
            rejects.clear();
            let keys = claims::Keys::Assigned(&linked.assignment);
            let (tally, replay) = claims::read(&inputs.claims, opts, keys, &mut corpus, &mut rejects)?
                .expect("only a detecting pass stops early");
            raw_responses = inputs
                .responses
                .as_deref()
                .map(|p| answers::read_responses(p, answers::ResponseKeys::Assigned(&linked.assignment)))
                .transpose()?;
            (tally, replay, Some(linked))
        }
    };
    let _stage = crate::progress::Stage::start("responses");
    let mut out = Loaded {
        corpus,
        rejects,
        claims: tally,
        responses: None,
        resolutions: None,
        replay,
        linked,
        sources_meta: None,
    };
    if let Some(mut raw) = raw_responses {
        raw.set_aside_after(opts.as_of);
        let (mut tallies, mut problems) = answers::link_responses(&[raw], &mut out.corpus);
        fail_if_strict(opts, &problems)?;
        out.responses = tallies.pop();
        out.rejects.append(&mut problems);
    }
    if let Some(p) = &inputs.resolutions {
        let mut raw = answers::read_resolutions(p)?;
        raw.set_aside_after(opts.as_of);
        let (mut tallies, mut problems) = answers::link_resolutions(&[raw], &mut out.corpus);
        fail_if_strict(opts, &problems)?;
        out.resolutions = tallies.pop();
        out.rejects.append(&mut problems);
    }
    drop(_stage);
    let _stage = crate::progress::Stage::start("ids by name");
    out.corpus.number_by_name();
    Ok(out)
}

/// In strict mode, the first problem (by line) stops the run.
fn fail_if_strict(opts: LoadOptions, problems: &[RowProblem]) -> Result<()> {
    match problems.iter().min_by_key(|p| p.line) {
        Some(first) if opts.strict => Err(Error::BadRow(first.clone())),
        _ => Ok(()),
    }
}

/// Opens `path` for reading: standard input for `-`, decompressed on the fly for a `.gz` or `.zst`
/// (`.zstd`) name, else the plain file.
///
/// # Errors
/// The file cannot be opened, or a zstd stream cannot be started.
pub fn open_input(path: &Path) -> Result<Box<dyn Read + Send>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(io::stdin()));
    }
    let io_err = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let name = path.to_string_lossy().to_ascii_lowercase();
    Ok(if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::with_capacity(
            1 << 16,
            file,
        )))
    } else if name.ends_with(".zst") || name.ends_with(".zstd") {
        Box::new(zstd::Decoder::new(file).map_err(io_err)?)
    } else {
        Box::new(file)
    })
}

/// Opens `path` (see [`open_input`]) as a CSV reader with a header row.
///
/// Records may have any number of fields: a row whose count differs from the header's is rejected by the
/// table reader with a reason, not by the CSV layer with an error.
///
/// # Errors
/// The file cannot be opened.
pub fn open_csv(path: &Path) -> Result<csv::Reader<Box<dyn Read + Send>>> {
    Ok(csv_builder(true).from_reader(open_input(path)?))
}

/// The one CSV configuration of every reader: comma-separated, any number of fields per record.
pub(crate) fn csv_builder(headers: bool) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.has_headers(headers).flexible(true);
    b
}

/// Why a row without a `story_id` is refused in a shard: stories are formed from texts only in a single
/// run, since shards matched apart would not agree on them.
pub(crate) const SHARD_NEEDS_KEY: &str = "empty story_id: a shard (--partial) needs a story_id on every row; stories are formed from texts only in a single run";

/// The line breaks inside a record's fields, the lines a quoted field swallowed; one that ends the last
/// field is the file's last line ending, not swallowed.
fn inner_breaks(fields: &[&[u8]]) -> usize {
    fields
        .iter()
        .map(|f| memchr::memchr_iter(b'\n', f.strip_suffix(b"\n").unwrap_or(f)).count())
        .sum()
}

/// Why one field or row is refused, before the file and line are attached.
pub(crate) struct Refusal {
    column: Option<&'static str>,
    value: Option<String>,
    reason: String,
}

impl Refusal {
    /// Attaches the file and line.
    pub(crate) fn at(self, file: &str, line: u64) -> RowProblem {
        RowProblem {
            file: file.to_owned(),
            line,
            column: self.column.map(str::to_owned),
            value: self.value,
            reason: self.reason,
        }
    }

    /// A row whose field count differs from the header's. A row with too few fields of which one holds
    /// line breaks is most often a quote opened and never closed: by the CSV rules everything up to the
    /// next quote (to the end of the file, if there is none) is that one field, so the reason says how many
    /// lines the field swallowed, which the count of fields alone hides.
    pub(crate) fn field_count(expected: usize, fields: &[&[u8]]) -> Self {
        let found = fields.len();
        let breaks = inner_breaks(fields);
        // On the file's last line the swallowed text has no line break, but its commas are still inside
        // one field, which only quoting does.
        let commas = fields.iter().any(|f| memchr::memchr(b',', f).is_some());
        let reason = if found < expected && breaks > 0 {
            format!(
                "expected {expected} fields as in the header, found {found}: a quoted field runs over {} lines; \
                 is a closing quote missing?",
                breaks + 1
            )
        } else if found < expected && commas {
            format!(
                "expected {expected} fields as in the header, found {found}: a quoted field holds commas; is a \
                 closing quote missing?"
            )
        } else {
            format!("expected {expected} fields as in the header, found {found}")
        };
        Refusal {
            column: None,
            value: None,
            reason,
        }
    }

    /// The file's last record, whose quoted field never closes: by the CSV rules every line after its
    /// opening quote is part of that field, however many rows they look like, so the record is refused
    /// rather than read with the rest of the file as one value.
    pub(crate) fn unclosed_quote(fields: &[&[u8]]) -> Self {
        let rest = match inner_breaks(fields) {
            0 => "the rest of the line, commas and all,".to_owned(),
            n => format!("the rest of the file ({n} more lines)"),
        };
        Refusal {
            column: None,
            value: None,
            reason: format!(
                "a quoted field opens in this row and never closes, so by the CSV rules {rest} is read as part \
                 of it; close the quote (a quote inside a quoted field is written twice, \"\")"
            ),
        }
    }

    pub(crate) fn new(column: &'static str, value: &str, reason: impl Into<String>) -> Self {
        Refusal {
            column: Some(column),
            value: Some(value.chars().take(200).collect()),
            reason: reason.into(),
        }
    }
}

/// A data row with its columns resolved by name.
pub(crate) struct Row<'a> {
    pub(crate) record: &'a [&'a [u8]],
    pub(crate) index: &'a [Option<usize>],
    pub(crate) names: &'a [&'static str],
}

impl Row<'_> {
    /// The trimmed text of column `k` of the table's spec; empty when the column is absent.
    pub(crate) fn text(&self, k: usize) -> Result<&str, Refusal> {
        let Some(i) = self.index[k] else {
            return Ok("");
        };
        let bytes = self.record.get(i).copied().unwrap_or_default();
        std::str::from_utf8(bytes).map(str::trim).map_err(|e| Refusal {
            column: Some(self.names[k]),
            value: Some(String::from_utf8_lossy(bytes).chars().take(200).collect()),
            reason: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        })
    }

    /// The text of a column that must not be empty.
    pub(crate) fn required(&self, k: usize) -> Result<&str, Refusal> {
        self.nonempty(k, "empty value")
    }

    /// The story key of a row read for a shard (`--partial`): an empty one is refused with
    /// [`SHARD_NEEDS_KEY`], not a bare "empty value", because the same row is fine in a single run (the
    /// matcher places it), so the reason has to say what differs.
    pub(crate) fn shard_key(&self, k: usize) -> Result<&str, Refusal> {
        self.nonempty(k, SHARD_NEEDS_KEY)
    }

    /// The text of column `k`, refused with `reason` when empty.
    fn nonempty(&self, k: usize, reason: &str) -> Result<&str, Refusal> {
        let s = self.text(k)?;
        if s.is_empty() {
            return Err(Refusal {
                column: Some(self.names[k]),
                value: None,
                reason: reason.into(),
            });
        }
        Ok(s)
    }

    /// The text of an optional column, `None` when absent or empty.
    pub(crate) fn optional(&self, k: usize) -> Result<Option<&str>, Refusal> {
        self.text(k).map(|s| (!s.is_empty()).then_some(s))
    }
}

/// The columns one table reads: the first `required` names must be present in the header.
pub(crate) struct Spec {
    pub(crate) names: &'static [&'static str],
    pub(crate) required: usize,
}

/// A table as read: its tally, its parsed rows with their lines, its refused rows.
pub(crate) type Table<T> = (Tally, Vec<(u64, T)>, Vec<RowProblem>);

/// Reads every record of `path` with `parse`, in parallel chunks of whole records; returns the tally, the
/// parsed rows with their lines, in line order, and the refused rows in line order.
///
/// Columns named in `may_lack` may be absent from the header when it has a `text` column (the matcher
/// then supplies what they would have said).
pub(crate) fn read_table<T: Send>(
    path: &Path,
    spec: &Spec,
    may_lack: &[&str],
    parse: impl Fn(&Row<'_>) -> Result<T, Refusal> + Sync,
) -> Result<Table<T>> {
    use rayon::prelude::*;
    // Responses and resolutions are small beside the claims: read whole, then cut like the claims file.
    let file = path.display().to_string();
    let mut bytes = Vec::new();
    open_input(path)?.read_to_end(&mut bytes).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let layout = jsonl::Layout::of(path);
    let (headers, header_end, first_line) = claims::header_of(layout, path, &bytes, spec)?;
    let has_text = headers
        .iter()
        .any(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim() == "text");
    let index = resolve_columns_lacking(path, &headers, spec, if has_text { may_lack } else { &[] })?;
    let body = &bytes[header_end..];
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let end = (start + (1 << 20)).min(body.len());
        let cut = if end == body.len() {
            end
        } else if layout == jsonl::Layout::Jsonl {
            memchr::memrchr(b'\n', &body[start..end]).map_or(body.len(), |c| start + c + 1)
        } else {
            blocks::last_record_end(&body[start..end]).map_or(body.len(), |c| start + c)
        };
        chunks.push(&body[start..cut]);
        start = cut;
    }
    type Chunk<T> = (u64, Vec<(u64, T)>, Vec<(u64, Refusal)>);
    let parsed: Vec<Chunk<T>> = chunks
        .par_iter()
        .map(|chunk| {
            let (mut rows, mut refused) = (Vec::new(), Vec::new());
            layout.for_each_row(chunk, spec.names, |local, fields| {
                let outcome = match fields {
                    Err(r) => Err(r),
                    Ok(fields) if fields.len() != headers.len() => Err(Refusal::field_count(headers.len(), fields)),
                    Ok(fields) => parse(&Row {
                        record: fields,
                        index: &index,
                        names: spec.names,
                    }),
                };
                match outcome {
                    Ok(t) => rows.push((local, t)),
                    Err(r) => refused.push((local, r)),
                }
            });
            (layout.line_breaks(chunk), rows, refused)
        })
        .collect();
    let mut tally = Tally {
        file: file.clone(),
        ..Tally::default()
    };
    let (mut rows, mut rejects) = (Vec::new(), Vec::new());
    let mut line = first_line;
    for (newlines, chunk_rows, refused) in parsed {
        tally.read += (chunk_rows.len() + refused.len()) as u64;
        tally.scored += chunk_rows.len() as u64;
        tally.rejected += refused.len() as u64;
        rows.extend(chunk_rows.into_iter().map(|(l, t)| (line + l - 1, t)));
        rejects.extend(refused.into_iter().map(|(l, r)| r.at(&file, line + l - 1)));
        line += newlines;
    }
    Ok((tally, rows, rejects))
}

/// A CSV reader's error as the crate's, with the file and line.
pub fn csv_error(path: &Path, source: csv::Error) -> Error {
    let line = source.position().map(|p| p.line());
    Error::Csv {
        path: path.to_owned(),
        line,
        source,
    }
}

/// Maps each name of `spec` to its position in the header; a BOM and surrounding spaces are ignored.
pub(crate) fn resolve_columns(path: &Path, headers: &ByteRecord, spec: &Spec) -> Result<Vec<Option<usize>>> {
    resolve_columns_lacking(path, headers, spec, &[])
}

/// [`Error::OtherDelimiter`] when the header is a single field that, split on a semicolon, a tab or a
/// bar, holds the missing column `name`: a file exported with another separator.
fn other_delimiter(path: &Path, headers: &ByteRecord, name: &str) -> Option<Error> {
    let [field] = headers.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let field = String::from_utf8_lossy(field);
    let field = field.trim_start_matches('\u{feff}');
    [(';', "';'"), ('\t', "tabs"), ('|', "'|'")]
        .iter()
        .find_map(|&(c, named)| {
            let parts: Vec<&str> = field.split(c).map(str::trim).collect();
            (parts.len() > 1 && parts.contains(&name)).then(|| {
                let mut header: String = field.escape_debug().take(60).collect();
                if field.chars().count() > 60 {
                    header.push('…');
                }
                Error::OtherDelimiter {
                    path: path.to_owned(),
                    delimiter: named.to_owned(),
                    header,
                }
            })
        })
}

/// As [`resolve_columns`], except that the required columns named in `may_lack` may be absent.
pub(crate) fn resolve_columns_lacking(
    path: &Path,
    headers: &ByteRecord,
    spec: &Spec,
    may_lack: &[&str],
) -> Result<Vec<Option<usize>>> {
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
        // Names go into an error message: escaped and cut short, so a binary file gives a short error.
        if found.len() < 20 {
            let shown: String = name.escape_debug().take(40).collect();
            found.push(shown);
        } else if found.len() == 20 {
            found.push("…".to_owned());
        }
    }
    let mut index = Vec::with_capacity(spec.names.len());
    for (k, name) in spec.names.iter().enumerate() {
        let at = seen.get(*name).copied();
        if at.is_none() && k < spec.required && !may_lack.contains(name) {
            if let Some(e) = other_delimiter(path, headers, name) {
                return Err(e);
            }
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
