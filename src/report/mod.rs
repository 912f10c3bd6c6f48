//! Writing results: CSV and JSON files (and Parquet, with the `parquet` feature: `parquet`) with a fixed
//! column order and one float format, placed atomically.
//!
//! Every file of a run is first written under a temporary name in the output folder and renamed into place
//! only when all of them are complete ([`OutputDir`]), so a failed run never leaves half a file and never
//! mixes new files with old ones. Floats are printed with six decimals ([`float`]), so equal results give
//! equal bytes.
//!
//! Reading a run back is here too: [`rundir`] reads an output folder into typed rows, [`trail`] builds
//! each source's evidence trail and the calibration from it, and [`html`] (`credence report`) and
//! [`explain`] (`credence explain`) present the same trails as a page and as terminal text.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::corpus::Corpus;
use crate::error::{Error, Result, RowProblem};
use crate::ingest::{Loaded, Tally};
use crate::model::{ClaimScore, Scores};

pub mod explain;
pub mod html;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod rundir;
pub mod trail;

/// The output format of the tables: the per-source one, and (JSON Lines, Parquet) the per-claim one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `sources.csv`.
    #[default]
    Csv,
    /// `sources.json`: an array of objects.
    Json,
    /// JSON Lines: `sources.jsonl` and `claims.jsonl`, one object per line with the CSV's fields.
    Jsonl,
    /// `sources.parquet` and `claims.parquet` (feature `parquet`).
    #[cfg(feature = "parquet")]
    Parquet,
}

impl Format {
    /// The name of the per-source table in this format.
    pub fn sources_file(self) -> &'static str {
        match self {
            Format::Csv => "sources.csv",
            Format::Json => "sources.json",
            Format::Jsonl => "sources.jsonl",
            #[cfg(feature = "parquet")]
            Format::Parquet => "sources.parquet",
        }
    }

    /// The name of the per-claim table: `claims.jsonl` in JSON Lines, `claims.parquet` in Parquet,
    /// `claims.csv` otherwise.
    pub fn claims_file(self) -> &'static str {
        match self {
            Format::Csv | Format::Json => "claims.csv",
            Format::Jsonl => "claims.jsonl",
            #[cfg(feature = "parquet")]
            Format::Parquet => "claims.parquet",
        }
    }
}

/// Every name a per-source or per-claim table can have, so that a run removes the ones another format wrote
/// before it.
const TABLE_FILES: [&str; 7] = [
    "sources.csv",
    "sources.json",
    "sources.jsonl",
    "sources.parquet",
    "claims.csv",
    "claims.jsonl",
    "claims.parquet",
];

pub use crate::numfmt::float;

static KEEP_FORMULAS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Turns off, for this process, the neutralising of spreadsheet formulas in CSV outputs (see [`cell`]).
pub fn keep_formulas(keep: bool) {
    KEEP_FORMULAS.store(keep, std::sync::atomic::Ordering::Relaxed);
}

/// A text cell from the input as written to a CSV output. A spreadsheet would run a cell that begins with
/// `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula, so such a cell gets a
/// leading `'`, which spreadsheets show as text and hide; [`keep_formulas`] turns this off. A cell that is
/// only a signed number (`-5`, `+1.5e3`: digits, one sign, a point, an exponent) is no formula and is left
/// as it is, so that a number story's negative values read as numbers. JSON outputs are never changed.
pub fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    let number = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
            && s.bytes().any(|b| b.is_ascii_digit())
            && s.parse::<f64>().is_ok()
    };
    let risky = matches!(s.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')) && !number(s);
    if risky && !KEEP_FORMULAS.load(std::sync::atomic::Ordering::Relaxed) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Every temporary file staged and not yet renamed, in this process: what an interrupt removes. Commits
/// hold the lock while they rename, so an interrupt lands before a commit or after it, never inside.
static STAGED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Makes Ctrl-C (SIGINT, and SIGTERM) end the process cleanly: the temporary files of outputs not yet
/// committed are removed, outputs already in place (an earlier run's, or this run's once committed) stay
/// as they are, and the process exits with status 130. Without it a signal still leaves earlier outputs
/// intact (outputs only change by rename), but temporary files would be left behind.
///
/// # Errors
/// A handler is already installed.
pub fn clean_up_on_interrupt() -> Result<()> {
    ctrlc::set_handler(|| {
        let staged = STAGED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for tmp in staged.iter() {
            let _ = fs::remove_file(tmp);
        }
        eprintln!("credence: interrupted; unfinished outputs removed, those already in place left as they are");
        std::process::exit(130);
    })
    .map_err(|e| Error::Config(format!("cannot install the interrupt handler: {e}")))
}

fn staged(tmp: &Path) {
    STAGED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(tmp.to_owned());
}

fn unstaged(done: &[(PathBuf, PathBuf)], list: &mut Vec<PathBuf>) {
    list.retain(|p| !done.iter().any(|(tmp, _)| tmp == p));
}

/// A set of output files written together: staged under temporary names, renamed on [`OutputDir::commit`].
pub struct OutputDir {
    dir: PathBuf,
    staged: Vec<(PathBuf, PathBuf)>,
    stale: Vec<PathBuf>,
}

impl OutputDir {
    /// Prepares `dir`, creating it if needed.
    ///
    /// # Errors
    /// The folder cannot be created.
    pub fn create(dir: &Path) -> Result<OutputDir> {
        // An existing file in the way would only get the system's "File exists" from the creation.
        if dir.exists() && !dir.is_dir() {
            return Err(Error::Io {
                path: dir.to_owned(),
                source: std::io::Error::other(
                    "exists and is not a folder (--out names the folder the outputs go into)",
                ),
            });
        }
        fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        Ok(OutputDir {
            dir: dir.to_owned(),
            staged: Vec::new(),
            stale: Vec::new(),
        })
    }

    /// Streams a temporary file that will become `name`, written by `write`.
    ///
    /// # Errors
    /// The file cannot be created, or `write` fails.
    pub fn stage_with(&mut self, name: &str, write: impl FnOnce(&mut (dyn Write + Send)) -> Result<()>) -> Result<()> {
        let final_path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let io_err = |source| Error::Io {
            path: tmp.clone(),
            source,
        };
        staged(&tmp);
        let file = fs::File::create(&tmp).map_err(io_err)?;
        self.staged.push((tmp.clone(), final_path));
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        write(&mut w)?;
        w.flush().map_err(io_err)
    }

    /// Writes `bytes` to a temporary file that will become `name`.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn stage(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let final_path = self.dir.join(name);
        let tmp = self.dir.join(format!(".{name}.tmp-{}", std::process::id()));
        // No fsync: the rename guarantees that a failed run leaves no half file; surviving a power cut
        // mid-run is not promised, and syncing a large claims.csv costs more than the rest of the run.
        staged(&tmp);
        let write = || -> std::io::Result<()> { fs::File::create(&tmp)?.write_all(bytes) };
        write().map_err(|source| Error::Io {
            path: tmp.clone(),
            source,
        })?;
        self.staged.push((tmp, final_path));
        Ok(())
    }

    /// Marks `name` for removal at commit: a file an earlier run wrote that this run replaces by another
    /// (`sources.csv` when this run writes `sources.json`), so old and new outputs never mix.
    pub fn remove_on_commit(&mut self, name: &str) {
        self.stale.push(self.dir.join(name));
    }

    /// Renames every staged file into place, then removes the stale ones.
    ///
    /// # Errors
    /// A rename fails.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut list = STAGED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        unstaged(&self.staged, &mut list);
        let mut done = Vec::new();
        for (tmp, fin) in std::mem::take(&mut self.staged) {
            fs::rename(&tmp, &fin).map_err(|source| Error::Io {
                path: fin.clone(),
                source,
            })?;
            done.push(fin);
        }
        for path in std::mem::take(&mut self.stale) {
            match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::Io { path, source: e }),
                _ => {}
            }
        }
        Ok(done)
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        let mut list = STAGED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        unstaged(&self.staged, &mut list);
        for (tmp, _) in &self.staged {
            let _ = fs::remove_file(tmp);
        }
    }
}

pub(crate) fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(header).expect("writing to memory cannot fail");
    for r in rows {
        w.write_record(&r).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// The per-source columns, in order.
pub const SOURCE_COLUMNS: [&str; 14] = [
    "source",
    "claims",
    "originals",
    "relays",
    "credited",
    "answered",
    "resolved",
    "support",
    "against",
    "evidence",
    "reliability",
    "ci_low",
    "ci_high",
    "rank",
];

/// The sources table, best rank first.
pub fn sources_csv(corpus: &Corpus, scores: &Scores) -> Vec<u8> {
    // With groups of outlets (`--sources-meta`), a last column names each outlet's group.
    let grouped = !corpus.groups.is_empty();
    let mut header = SOURCE_COLUMNS.to_vec();
    if grouped {
        header.push("group");
    }
    csv_bytes(
        &header,
        by_rank(scores).into_iter().map(|s| {
            let mut row = vec![
                cell(corpus.sources.name(s.id)).into_owned(),
                s.claims.to_string(),
                s.originals.to_string(),
                s.relays.to_string(),
                s.credited.to_string(),
                s.answered.to_string(),
                s.resolved.to_string(),
                float(s.support),
                float(s.against),
                float(s.evidence),
                float(s.reliability),
                float(s.ci_low),
                float(s.ci_high),
                s.rank.to_string(),
            ];
            if grouped {
                row.push(cell(group_name(corpus, s.id)).into_owned());
            }
            row
        }),
    )
}

/// An outlet's group name (empty for none).
fn group_name(corpus: &Corpus, source: u32) -> &str {
    match corpus.source_group.get(source as usize) {
        Some(&g) if g != u32::MAX => corpus.groups.name(g),
        _ => "",
    }
}

pub(crate) fn by_rank(scores: &Scores) -> Vec<&crate::model::SourceScore> {
    let mut v: Vec<_> = scores.sources.iter().collect();
    v.sort_by_key(|s| s.rank);
    v
}

/// One row of `sources.json`, fields in the CSV's column order.
#[derive(Serialize)]
struct SourceRow<'a> {
    source: &'a str,
    claims: u64,
    originals: u64,
    relays: u64,
    credited: u64,
    answered: u64,
    resolved: u64,
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    support: f64,
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    against: f64,
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    evidence: f64,
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    reliability: f64,
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    ci_low: f64,
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    ci_high: f64,
    rank: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
}

impl<'a> SourceRow<'a> {
    fn of(corpus: &'a Corpus, s: &crate::model::SourceScore) -> Self {
        SourceRow {
            source: corpus.sources.name(s.id),
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
            group: (!corpus.groups.is_empty()).then(|| group_name(corpus, s.id)),
        }
    }
}

/// The sources table as a JSON array, best rank first, with the same fields, order and float format as the
/// CSV.
pub fn sources_json(corpus: &Corpus, scores: &Scores) -> Vec<u8> {
    let rows: Vec<SourceRow<'_>> = by_rank(scores).into_iter().map(|s| SourceRow::of(corpus, s)).collect();
    let mut out = serde_json::to_vec_pretty(&rows).expect("values serialise");
    out.push(b'\n');
    out
}

/// The sources table as JSON Lines, best rank first: one object per line, the fields of [`sources_json`].
pub fn sources_jsonl(corpus: &Corpus, scores: &Scores) -> Vec<u8> {
    let mut out = Vec::new();
    for s in by_rank(scores) {
        let row = SourceRow::of(corpus, s);
        serde_json::to_writer(&mut out, &row).expect("values serialise");
        out.push(b'\n');
    }
    out
}

/// The per-claim columns, in order.
pub const CLAIM_COLUMNS: [&str; 8] = [
    "claim_id",
    "source",
    "story_id",
    "stance",
    "role",
    "credited_to",
    "verdict",
    "p_correct",
];

/// `copiers.csv`: the pairs of outlets tested for copying with a probability of at least 1%, most probable
/// first: the copier, the outlet it follows, the stories they share, the copier's reports that follow the
/// source (and how many independence would give), the expected shared errors among the judged ones, the
/// copied share and the probability; `detected` is whether its reports were counted as relays.
pub fn copiers_csv(corpus: &Corpus, scores: &Scores) -> Vec<u8> {
    let mut pairs: Vec<&crate::model::copying::CopyPair> =
        scores.copiers.iter().filter(|p| p.probability >= 0.01).collect();
    pairs.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then_with(|| corpus.sources.name(a.copier).cmp(corpus.sources.name(b.copier)))
            .then_with(|| corpus.sources.name(a.source).cmp(corpus.sources.name(b.source)))
    });
    csv_bytes(
        &[
            "copier",
            "source",
            "shared_stories",
            "follows",
            "expected_follows",
            "judged",
            "shared_errors",
            "share",
            "probability",
            "detected",
        ],
        pairs.into_iter().map(|p| {
            vec![
                cell(corpus.sources.name(p.copier)).into_owned(),
                cell(corpus.sources.name(p.source)).into_owned(),
                p.shared.to_string(),
                p.follows.to_string(),
                float(p.expected),
                p.judged.to_string(),
                float(p.shared_errors),
                float(p.share),
                float(p.probability),
                (p.probability >= crate::model::copying::THRESHOLD).to_string(),
            ]
        }),
    )
}

/// `source_topics.csv` (with `--topics`): every (outlet, topic) cell, by outlet name then topic name: the
/// reports in it, the judged evidence, and the topic's reliability with its interval, pooled towards the
/// outlet's overall reliability (summary.json gives the pooling strength).
pub fn source_topics_csv(corpus: &Corpus, fit: &crate::model::topics::TopicFit) -> Vec<u8> {
    let mut cells: Vec<&crate::model::topics::TopicScore> = fit.cells.iter().collect();
    cells.sort_by(|a, b| {
        corpus
            .sources
            .name(a.source)
            .cmp(corpus.sources.name(b.source))
            .then_with(|| corpus.topics.name(a.topic).cmp(corpus.topics.name(b.topic)))
    });
    csv_bytes(
        &[
            "source",
            "topic",
            "reports",
            "evidence",
            "reliability",
            "ci_low",
            "ci_high",
        ],
        cells.into_iter().map(|c| {
            vec![
                cell(corpus.sources.name(c.source)).into_owned(),
                cell(corpus.topics.name(c.topic)).into_owned(),
                c.reports.to_string(),
                float(c.evidence),
                float(c.reliability),
                float(c.ci_low),
                float(c.ci_high),
            ]
        }),
    )
}

/// The per-story columns, in order; number-valued stories add [`ESTIMATE_COLUMN`] after them.
pub const STORY_COLUMNS: [&str; 5] = ["story_id", "value", "probability", "sources", "independent_sources"];
/// The per-story column of number-valued stories' estimates (empty for a method without one).
pub const ESTIMATE_COLUMN: &str = "estimate";

/// Writes the per-story table, in story order (byte order of the ids, [`Corpus::number_by_name`]): each
/// story's most probable value (`true` or `false` for a plain story; empty when nothing decides it), its
/// probability (empty likewise), the
/// outlets that claim it and the outlets credited with those claims; for number-valued stories, the
/// method's estimate of the number.
pub fn write_stories_csv(corpus: &Corpus, scores: &Scores, out: &mut (dyn Write + Send)) -> Result<()> {
    let sink_err = |source| Error::Io {
        path: PathBuf::from("stories.csv"),
        source,
    };
    let estimates = scores.has_estimates(corpus);
    let mut columns = STORY_COLUMNS.to_vec();
    if estimates {
        columns.push(ESTIMATE_COLUMN);
    }
    out.write_all(&csv_bytes(&columns, std::iter::empty()))
        .map_err(sink_err)?;
    use rayon::prelude::*;
    // Millions of stories: rows are formatted in parallel a slice at a time and streamed, never all held.
    const SLICE: usize = 1 << 16;
    let mut result = Ok(());
    scores.each_story_part(corpus, |stories, row| {
        for start in stories.clone().step_by(SLICE) {
            if result.is_err() {
                return;
            }
            let blocks: Vec<Vec<u8>> = (start..(start + SLICE).min(stories.end))
                .into_par_iter()
                .map(|s| {
                    let r = row(s);
                    let mut buf = Vec::with_capacity(64);
                    push_field(&mut buf, corpus.stories.name(r.story));
                    buf.push(b',');
                    push_field(&mut buf, &r.value);
                    buf.push(b',');
                    if !r.probability.is_nan() {
                        crate::numfmt::push_float_bytes(&mut buf, r.probability);
                    }
                    buf.extend_from_slice(format!(",{},{}", r.sources, r.independent_sources).as_bytes());
                    if estimates {
                        buf.push(b',');
                        if !r.estimate.is_nan() {
                            crate::numfmt::push_float_bytes(&mut buf, r.estimate);
                        }
                    }
                    buf.push(b'\n');
                    buf
                })
                .collect();
            result = blocks.iter().try_for_each(|b| out.write_all(b)).map_err(sink_err);
        }
    });
    result
}

/// Writes the per-claim table (CSV, or JSON Lines for [`Format::Jsonl`]), in input order, by reading the
/// claims file a second time.
///
/// # Errors
/// The claims input cannot be read again, or `out` cannot be written.
pub fn write_claims(loaded: &Loaded, scores: &Scores, format: Format, out: &mut (dyn Write + Send)) -> Result<()> {
    #[cfg(feature = "parquet")]
    if format == Format::Parquet {
        return parquet::write_claims_parquet(loaded, scores, out);
    }
    let corpus = &loaded.corpus;
    let sink_err = |source| Error::Io {
        path: PathBuf::from(format.claims_file()),
        source,
    };
    let linked = loaded.linked.as_ref().map(|l| &l.assignment);
    if format != Format::Jsonl {
        let mut header = claim_columns(corpus);
        if linked.is_some() {
            header.extend(LINK_CLAIM_COLUMNS);
        }
        out.write_all(&csv_bytes(&header, std::iter::empty()))
            .map_err(sink_err)?;
    }
    // The row's own source and story text is the interned name (both trimmed), and reading it from the row
    // spares a random access into the name tables per claim.
    loaded.replay.for_each_block(
        |buf, m, row| {
            let mention = corpus.mentions.get(m);
            let extra = Extra {
                value: corpus.mention_values.get(m).map(|&v| corpus.values.name(v)),
                // The story the claim was scored under, and the similarity that put it there.
                link: linked.map(|a| {
                    (
                        corpus.stories.name(mention.story),
                        a.score(row.text(0).unwrap_or_default()),
                    )
                }),
            };
            push_claim(format, buf, row, mention, extra, &scores.claim(corpus, m), corpus)
        },
        |bytes| out.write_all(bytes).map_err(sink_err),
    )
}

/// What a claims row may carry beyond the fixed columns: its value (stories with values), and the story
/// the matcher put it in with the similarity that did (stories formed from texts).
#[derive(Default, Clone, Copy)]
struct Extra<'a> {
    value: Option<&'a str>,
    link: Option<(&'a str, Option<f32>)>,
}

/// Appends one row of the per-claim table in `format`.
fn push_claim(
    format: Format,
    buf: &mut Vec<u8>,
    row: &crate::ingest::Row<'_>,
    mention: crate::corpus::Mention,
    extra: Extra<'_>,
    s: &ClaimScore,
    corpus: &Corpus,
) {
    if format != Format::Jsonl {
        push_claim_row(buf, row, mention, extra.value, s, corpus);
        if let Some((story, score)) = extra.link {
            buf.pop();
            buf.push(b',');
            push_field(buf, story);
            buf.push(b',');
            if let Some(score) = score {
                crate::numfmt::push_float_bytes(buf, f64::from(score));
            }
            buf.push(b'\n');
        }
        return;
    }
    let text = |k: usize| row.text(k).unwrap_or_default();
    let record = ClaimRow {
        claim_id: text(0),
        source: text(1),
        story_id: text(3),
        stance: mention.stance.as_str(),
        value: extra.value,
        role: s.role.as_str(),
        credited_to: corpus.sources.name(s.credited_to),
        verdict: s.verdict.as_str(),
        p_correct: s.p_correct,
        matched_story: extra.link.map(|l| l.0),
        match_score: extra.link.and_then(|l| l.1).map(f64::from),
    };
    serde_json::to_writer(&mut *buf, &record).expect("values serialise");
    buf.push(b'\n');
}

/// One line of `claims.jsonl`.
#[derive(Serialize)]
struct ClaimRow<'a> {
    claim_id: &'a str,
    source: &'a str,
    story_id: &'a str,
    stance: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
    role: &'static str,
    credited_to: &'a str,
    verdict: &'static str,
    #[serde(serialize_with = "crate::numfmt::fixed6")]
    p_correct: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    matched_story: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_fixed6")]
    match_score: Option<f64>,
}

fn opt_fixed6<S: serde::Serializer>(x: &Option<f64>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match x {
        Some(x) => crate::numfmt::fixed6(x, s),
        None => s.serialize_none(),
    }
}

/// The columns `claims.csv` gains when stories were formed from texts.
pub const LINK_CLAIM_COLUMNS: [&str; 2] = ["matched_story", "match_score"];

/// The columns of `links.csv`.
pub const LINK_COLUMNS: [&str; 5] = ["response_id", "story", "claim_id", "score", "words"];

/// `links.csv`: every claim–response link the matcher made, with the words that carried it.
pub fn links_csv(links: &[crate::ingest::unkeyed::LinkRow]) -> Vec<u8> {
    let mut buf = csv_bytes(&LINK_COLUMNS, std::iter::empty());
    for l in links {
        push_field(&mut buf, &l.response_id);
        buf.push(b',');
        push_field(&mut buf, &l.story);
        buf.push(b',');
        push_field(&mut buf, &l.claim_id);
        buf.push(b',');
        crate::numfmt::push_float_bytes(&mut buf, f64::from(l.score));
        buf.push(b',');
        push_field(&mut buf, &l.words);
        buf.push(b'\n');
    }
    buf
}

/// Appends one claims.csv row: the claim's own id, source and story text, then its scores.
fn push_claim_row(
    buf: &mut Vec<u8>,
    row: &crate::ingest::Row<'_>,
    mention: crate::corpus::Mention,
    value: Option<&str>,
    s: &ClaimScore,
    corpus: &Corpus,
) {
    push_field(buf, row.text(0).unwrap_or_default());
    buf.push(b',');
    push_field(buf, row.text(1).unwrap_or_default());
    buf.push(b',');
    push_field(buf, row.text(3).unwrap_or_default());
    buf.push(b',');
    buf.extend_from_slice(mention.stance.as_str().as_bytes());
    buf.push(b',');
    if let Some(v) = value {
        push_field(buf, v);
        buf.push(b',');
    }
    buf.extend_from_slice(s.role.as_str().as_bytes());
    buf.push(b',');
    push_field(buf, corpus.sources.name(s.credited_to));
    buf.push(b',');
    buf.extend_from_slice(s.verdict.as_str().as_bytes());
    buf.push(b',');
    crate::numfmt::push_float_bytes(buf, s.p_correct);
    buf.push(b'\n');
}

/// The columns of `claims.csv` before any of [`LINK_CLAIM_COLUMNS`]: with values, the claim's value
/// (normalised) after its stance.
fn claim_columns(corpus: &Corpus) -> Vec<&'static str> {
    let mut header = CLAIM_COLUMNS.to_vec();
    if corpus.valued() {
        header.insert(4, "value");
    }
    header
}

/// One shard's claims file, to replay for a merge's claims table ([`write_claims_from_files`]); made by
/// [`crate::shard::Merged::claims_tables`], which pairs it with its partial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardClaims {
    /// The file.
    pub path: PathBuf,
    /// Lines its shard refused or set aside, sorted: skipped.
    pub skip: Vec<u64>,
    /// Claims its shard scored: the rows left must be exactly these, or the file is not the one the partial
    /// was made from.
    pub scored: u64,
}

/// Writes the per-claim table of a merge, in the layout of `format` ([`Format::claims_file`]), from the
/// shards' claims files in the order given; each file's rows that its shard refused or set aside
/// (`skip`) are skipped. Concatenating the shards of one file in order gives that file's single-run table.
///
/// # Errors
/// A file cannot be read, or holds other rows than its partial scored (it changed since, or is another
/// file).
pub fn write_claims_from_files(
    corpus: &Corpus,
    scores: &Scores,
    files: &[ShardClaims],
    block_size: usize,
    format: Format,
    out: &mut (dyn Write + Send),
) -> Result<()> {
    let sink_err = |source| Error::Io {
        path: PathBuf::from(format.claims_file()),
        source,
    };
    match format {
        Format::Csv | Format::Json => {
            out.write_all(&csv_bytes(&claim_columns(corpus), std::iter::empty()))
                .map_err(sink_err)?;
            claims_from_files(corpus, scores, files, block_size, push_claim_row, |bytes| {
                out.write_all(bytes).map_err(sink_err)
            })
        }
        Format::Jsonl => claims_from_files(corpus, scores, files, block_size, push_jsonl_claim, |bytes| {
            out.write_all(bytes).map_err(sink_err)
        }),
        #[cfg(feature = "parquet")]
        Format::Parquet => {
            let mut w = parquet::ClaimsParquet::new(out)?;
            // claims.parquet has no value column (as a single run's).
            let push: PushClaim =
                |buf, row, mention, _, s, corpus| parquet::push_claim_record(buf, row, mention, s, corpus);
            claims_from_files(corpus, scores, files, block_size, push, |bytes| w.push_block(bytes))?;
            w.finish()
        }
    }
}

/// A merged run's claims.jsonl line.
fn push_jsonl_claim(
    buf: &mut Vec<u8>,
    row: &crate::ingest::Row<'_>,
    mention: crate::corpus::Mention,
    value: Option<&str>,
    s: &ClaimScore,
    corpus: &Corpus,
) {
    let extra = Extra { value, link: None };
    push_claim(Format::Jsonl, buf, row, mention, extra, s, corpus);
}

/// The row of a merged run's claim: `push(buf, row, mention, value, score, corpus)` appends it to its
/// block's output, which goes to `sink` in input order.
type PushClaim = fn(&mut Vec<u8>, &crate::ingest::Row<'_>, crate::corpus::Mention, Option<&str>, &ClaimScore, &Corpus);

/// Calls `push` for every accepted row of the shards' claims files, in order (see
/// [`write_claims_from_files`]).
fn claims_from_files(
    corpus: &Corpus,
    scores: &Scores,
    files: &[ShardClaims],
    block_size: usize,
    push: PushClaim,
    mut sink: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    for file in files {
        let path = &file.path;
        let mismatch = std::sync::atomic::AtomicBool::new(false);
        // A row its shard refused whose names other rows made known would pass the look-ups below; the
        // count of rows written must then differ from the shard's.
        let written = std::sync::atomic::AtomicU64::new(0);
        crate::ingest::claims::for_each_accepted_row(
            path,
            block_size,
            &file.skip,
            |buf, _, row| {
                written.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let text = |k: usize| row.text(k).unwrap_or_default();
                let source = corpus.sources.get(text(1));
                let story = corpus.stories.get(text(3));
                let stance = crate::ingest::fields::stance(text(4));
                let attributed = row.optional(5).ok().flatten();
                let (Some(source), Some(story), Some(stance)) = (source, story, stance) else {
                    mismatch.store(true, std::sync::atomic::Ordering::Relaxed);
                    return;
                };
                let attributed_to = match attributed.and_then(|a| corpus.sources.get(a)) {
                    Some(a) if a != source => a,
                    _ => crate::corpus::Mention::ORIGINAL,
                };
                let mention = crate::corpus::Mention {
                    story,
                    source,
                    attributed_to,
                    stance,
                };
                // The value as the shard normalised it, and the time, which copy detection marks claims by.
                let value = if corpus.valued() {
                    let id = crate::value::normalize(corpus.value_kind, text(6)).and_then(|v| corpus.values.get(&v));
                    let Some(id) = id else {
                        mismatch.store(true, std::sync::atomic::Ordering::Relaxed);
                        return;
                    };
                    id
                } else {
                    u32::MAX
                };
                let time = || crate::ingest::fields::time(text(2));
                let Some(score) = scores.claim_for(corpus, mention, value, time) else {
                    mismatch.store(true, std::sync::atomic::Ordering::Relaxed);
                    return;
                };
                let value = (value != u32::MAX).then(|| corpus.values.name(value));
                push(buf, row, mention, value, &score, corpus);
            },
            &mut sink,
        )?;
        let written = written.into_inner();
        if mismatch.into_inner() || written != file.scored {
            return Err(Error::Config(format!(
                "{}: holds claims that its partial does not ({written} rows to write, {} scored in the \
                 partial); give the same files the partials were made from",
                path.display(),
                file.scored
            )));
        }
    }
    Ok(())
}

/// Appends one CSV field, quoted exactly when the csv crate's writer would quote it (it holds a comma, a
/// quote or a line break), so hand-written and crate-written rows agree byte for byte.
fn push_field(buf: &mut Vec<u8>, s: &str) {
    let s = cell(s);
    let b = s.as_bytes();
    if b.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r')) {
        buf.push(b'"');
        for &c in b {
            if c == b'"' {
                buf.push(b'"');
            }
            buf.push(c);
        }
        buf.push(b'"');
    } else {
        buf.extend_from_slice(b);
    }
}

/// The per-responder columns `credence report` reads, in order (a run written before the partial columns
/// below existed still reads).
pub const RESPONDER_COLUMNS: [&str; 15] = [
    "responder",
    "responses",
    "stories",
    "confirmed",
    "denied",
    "partial",
    "no_comment",
    "resolved_true",
    "resolved_false",
    "confirm_when_true",
    "confirm_ci_low",
    "confirm_ci_high",
    "deny_when_false",
    "deny_ci_low",
    "deny_ci_high",
];

/// Columns after [`RESPONDER_COLUMNS`]: the chance of a partial answer given the story true and given it
/// false (among its informative answers). A partial answer weighs ln(`partial_when_true` /
/// `partial_when_false`), its own ratio, not half a confirmation and half a denial.
pub const RESPONDER_PARTIAL_COLUMNS: [&str; 2] = ["partial_when_true", "partial_when_false"];

/// The per-responder table, by name.
pub fn responders_csv(corpus: &Corpus, scores: &Scores) -> Vec<u8> {
    let mut ids: Vec<usize> = (0..scores.responders.len()).collect();
    ids.sort_by(|&a, &b| corpus.responders.name(a as u32).cmp(corpus.responders.name(b as u32)));
    let header: Vec<&str> = RESPONDER_COLUMNS
        .iter()
        .chain(&RESPONDER_PARTIAL_COLUMNS)
        .copied()
        .collect();
    csv_bytes(
        &header,
        ids.into_iter().map(|i| {
            let r = &scores.responders[i];
            let t = &r.tallies;
            vec![
                cell(corpus.responders.name(i as u32)).into_owned(),
                t.by_verdict.iter().sum::<u64>().to_string(),
                t.stories.to_string(),
                t.by_verdict[0].to_string(),
                t.by_verdict[1].to_string(),
                t.by_verdict[2].to_string(),
                t.by_verdict[3].to_string(),
                float(t.on_true()),
                float(t.on_false()),
                float(r.confirm_when_true.mean),
                float(r.confirm_when_true.low),
                float(r.confirm_when_true.high),
                float(r.deny_when_false.mean),
                float(r.deny_when_false.low),
                float(r.deny_when_false.high),
                float(r.answer_chances[1][1]),
                float(r.answer_chances[0][1]),
            ]
        }),
    )
}

/// Every refused row: file, line, column, value, reason.
pub fn rejects_csv(rejects: &[RowProblem]) -> Vec<u8> {
    csv_bytes(&REJECT_COLUMNS, rejects.iter().map(reject_cells))
}

/// The columns of `rejects.csv`.
pub const REJECT_COLUMNS: [&str; 5] = ["file", "line", "column", "value", "reason"];

/// One refused row's cells, in [`REJECT_COLUMNS`] order.
pub fn reject_cells(r: &RowProblem) -> Vec<String> {
    vec![
        cell(&r.file).into_owned(),
        r.line.to_string(),
        r.column.clone().unwrap_or_default(),
        cell(r.value.as_deref().unwrap_or_default()).into_owned(),
        r.reason.clone(),
    ]
}

/// Rows read, scored and rejected, per input file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct InputTallies {
    /// The claims files (one for a run; one per shard for a merge).
    pub claims: Vec<Tally>,
    /// The responses files.
    pub responses: Vec<Tally>,
    /// The resolutions files.
    pub resolutions: Vec<Tally>,
    /// The outlets' groups file, if one was read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources_meta: Vec<Tally>,
    /// Rows rejected over all files.
    pub rejected: u64,
}

impl InputTallies {
    /// The tallies of a single run.
    pub fn of(loaded: &Loaded) -> InputTallies {
        InputTallies {
            claims: vec![loaded.claims.clone()],
            responses: loaded.responses.iter().cloned().collect(),
            resolutions: loaded.resolutions.iter().cloned().collect(),
            sources_meta: loaded.sources_meta.iter().cloned().collect(),
            rejected: loaded.rejects.len() as u64,
        }
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    credence_version: &'static str,
    inputs: &'a InputTallies,
    counts: Counts,
    prior: &'a crate::model::prior::Prior,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    group_priors: Vec<GroupPrior<'a>>,
    /// With `--topics`: the prior strength of every topic cell around its outlet's reliability.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_fixed6")]
    topic_strength: Option<f64>,
    parameters: &'a crate::model::Params,
    /// How the claims' values were compared (`--value-kind`), when they carry values: after a merge it
    /// comes from the shards' partials, and the summary is where it can be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    value_kind: Option<crate::value::ValueKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    em: Option<EmSummary>,
    /// em over numbers: the transform, the kernel and the range gross errors are spread over.
    #[serde(skip_serializing_if = "Option::is_none")]
    numbers: Option<&'a crate::model::numeric::NumberModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    linking: Option<&'a crate::ingest::unkeyed::LinkStats>,
    outputs: Vec<&'a str>,
}

/// One group's prior in `summary.json`: its own fit, or `null` where it falls back on the overall one.
#[derive(Serialize)]
struct GroupPrior<'a> {
    group: &'a str,
    sources: usize,
    prior: Option<&'a crate::model::prior::Prior>,
}

#[derive(Serialize)]
struct EmSummary {
    iterations: usize,
    converged: bool,
    tolerance: f64,
    #[serde(serialize_with = "crate::numfmt::sig3")]
    last_change: f64,
    /// The fitted share of silent copies among later reports (em on timed claims).
    #[serde(skip_serializing_if = "Option::is_none")]
    copy_rate: Option<f64>,
    /// The copy rates by position in a story's run: a report with 1, 2, 3, 4, 5, then 6 or more earlier
    /// reports and a later one, then the same six for a story's last report.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    copy_rates: Vec<f64>,
    /// em over free values other than numbers: the fitted chance that a wrong report names one given
    /// value, the share of pairs of wrong reports on a story that agree.
    #[serde(skip_serializing_if = "Option::is_none")]
    coincidence: Option<f64>,
    /// em over lists: the fitted share of omissions (a list that leaves out some of the truth's names)
    /// among wrong reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    omission_share: Option<f64>,
}

#[derive(Serialize)]
struct Counts {
    sources: usize,
    stories: usize,
    responders: usize,
    stories_answered: u64,
    stories_resolved: u64,
}

/// The run's summary: rows read, scored and rejected per file, the fitted prior, parameters, version, and
/// what the matcher did when it ran.
pub fn summary_json(
    corpus: &Corpus,
    inputs: &InputTallies,
    scores: &Scores,
    linking: Option<&crate::ingest::unkeyed::LinkStats>,
    outputs: &[&str],
) -> Vec<u8> {
    let summary = Summary {
        credence_version: env!("CARGO_PKG_VERSION"),
        inputs,
        counts: Counts {
            sources: corpus.sources.len(),
            stories: corpus.stories.len(),
            responders: corpus.responders.len(),
            stories_answered: scores.stories_answered,
            stories_resolved: scores.stories_resolved,
        },
        prior: &scores.prior,
        topic_strength: scores.topics.as_ref().map(|t| t.strength),
        group_priors: corpus
            .groups
            .iter()
            .enumerate()
            .map(|(g, name)| GroupPrior {
                group: name,
                sources: corpus.source_group.iter().filter(|&&k| k == g as u32).count(),
                prior: scores.group_priors.get(g).and_then(Option::as_ref),
            })
            .collect(),
        parameters: &scores.params,
        value_kind: corpus.valued().then_some(corpus.value_kind),
        em: scores.em.map(|(iterations, converged, last_change)| {
            let (coincidence, omission_share) = scores.wrong_values();
            EmSummary {
                iterations,
                converged,
                // TruthFinder's stopping rule is on the cosine of successive trust vectors.
                tolerance: if scores.params.method == crate::model::Method::TruthFinder {
                    crate::model::categorical::TF_DELTA
                } else {
                    crate::model::em::TOLERANCE
                },
                last_change,
                copy_rate: scores.copy_rate.map(crate::numfmt::round6),
                copy_rates: scores.copy_rates.iter().copied().map(crate::numfmt::round6).collect(),
                coincidence: coincidence.map(crate::numfmt::round6),
                omission_share: omission_share.map(crate::numfmt::round6),
            }
        }),
        numbers: scores.numbers.as_ref(),
        linking,
        outputs: outputs.to_vec(),
    };
    let mut out = serde_json::to_vec_pretty(&summary).expect("values serialise");
    out.push(b'\n');
    out
}

/// Writes the per-claim table into a sink, for [`write_outputs`].
pub type ClaimsWriter<'a> = &'a (dyn Fn(&mut (dyn Write + Send)) -> Result<()> + Sync);

/// Writes every output of a run into `dir`, atomically; returns the paths written. `claims` writes the
/// per-claim table ([`Format::claims_file`]), in the format's own layout ([`write_claims`],
/// [`write_claims_from_files`]); without it (a merge given no claims files) that file is not written.
///
/// # Errors
/// A file cannot be written or renamed.
pub fn write_outputs(
    dir: &Path,
    corpus: &Corpus,
    scores: &Scores,
    rejects: &[RowProblem],
    inputs: &InputTallies,
    format: Format,
    claims: Option<ClaimsWriter<'_>>,
) -> Result<Vec<PathBuf>> {
    write_outputs_linked(dir, corpus, scores, rejects, inputs, format, claims, None)
}

/// As [`write_outputs`], with `links.csv` and the matcher's counts when stories were formed from texts.
///
/// # Errors
/// A file cannot be written or renamed.
// Each argument is one output's content; bundling them would only move the list into a struct.
#[allow(clippy::too_many_arguments)]
pub fn write_outputs_linked(
    dir: &Path,
    corpus: &Corpus,
    scores: &Scores,
    rejects: &[RowProblem],
    inputs: &InputTallies,
    format: Format,
    claims: Option<ClaimsWriter<'_>>,
    linked: Option<&crate::ingest::unkeyed::Linked>,
) -> Result<Vec<PathBuf>> {
    let _stage = crate::progress::Stage::start("write");
    let sources_name = format.sources_file();
    let claims_name = format.claims_file();
    let mut names = vec![sources_name];
    if claims.is_some() {
        names.push(claims_name);
    }
    names.extend(["stories.csv", "responders.csv", "rejects.csv", "summary.json"]);
    if scores.params.detect_copies {
        names.push("copiers.csv");
    }
    if scores.topics.is_some() {
        names.push("source_topics.csv");
    }
    if linked.is_some() {
        names.push("links.csv");
    }
    let mut out = OutputDir::create(dir)?;
    match format {
        Format::Csv => out.stage(sources_name, &sources_csv(corpus, scores))?,
        Format::Json => out.stage(sources_name, &sources_json(corpus, scores))?,
        Format::Jsonl => out.stage(sources_name, &sources_jsonl(corpus, scores))?,
        #[cfg(feature = "parquet")]
        Format::Parquet => out.stage(sources_name, &parquet::sources_parquet(corpus, scores)?)?,
    }
    if let Some(write) = claims {
        out.stage_with(claims_name, write)?;
    }
    out.stage_with("stories.csv", |w| write_stories_csv(corpus, scores, w))?;
    if scores.params.detect_copies {
        out.stage("copiers.csv", &copiers_csv(corpus, scores))?;
    } else {
        out.remove_on_commit("copiers.csv");
    }
    match &scores.topics {
        Some(fit) => out.stage("source_topics.csv", &source_topics_csv(corpus, fit))?,
        None => out.remove_on_commit("source_topics.csv"),
    }
    match linked {
        Some(l) => out.stage("links.csv", &links_csv(&l.links))?,
        None => out.remove_on_commit("links.csv"),
    }
    // Tables of another format from an earlier run into this folder go, so old and new never mix.
    for stale in TABLE_FILES {
        if !names.contains(&stale) {
            out.remove_on_commit(stale);
        }
    }
    out.stage("responders.csv", &responders_csv(corpus, scores))?;
    out.stage("rejects.csv", &rejects_csv(rejects))?;
    let stats = linked.map(|l| &l.stats);
    out.stage("summary.json", &summary_json(corpus, inputs, scores, stats, &names))?;
    out.commit()
}

/// Writes every output of a single run into `dir`, atomically; returns the paths written.
///
/// # Errors
/// A file cannot be written or renamed, or the claims input cannot be read again.
pub fn write_all(dir: &Path, loaded: &Loaded, scores: &Scores, format: Format) -> Result<Vec<PathBuf>> {
    let claims = |w: &mut (dyn Write + Send)| write_claims(loaded, scores, format, w);
    write_outputs_linked(
        dir,
        &loaded.corpus,
        scores,
        &loaded.rejects,
        &InputTallies::of(loaded),
        format,
        Some(&claims),
        loaded.linked.as_ref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for (input, want) in [
            ("=1+1", "'=1+1"),
            ("+x", "'+x"),
            ("-5", "-5"),
            ("+1.5e3", "+1.5e3"),
            ("-2+3", "'-2+3"),
            ("-1e3-cmd", "'-1e3-cmd"),
            ("-", "'-"),
            ("-inf", "'-inf"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(cell(input), want);
        }
    }

    #[test]
    fn hand_written_fields_match_the_csv_crate() {
        for field in [
            "plain",
            "",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            "cr\r",
            " spaced ",
            "#hash",
        ] {
            let mut mine = Vec::new();
            push_field(&mut mine, field);
            mine.extend_from_slice(b",x\n");
            let theirs = csv_bytes(&[field, "x"], std::iter::empty());
            assert_eq!(
                String::from_utf8(mine).unwrap(),
                String::from_utf8(theirs).unwrap(),
                "{field:?}"
            );
        }
    }

    #[test]
    fn a_dropped_output_dir_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut out = OutputDir::create(dir.path()).unwrap();
            out.stage("a.csv", b"x").unwrap();
        }
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
