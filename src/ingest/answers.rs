//! Official responses and resolutions: read as raw rows that name their story, then linked to the claims'
//! stories.
//!
//! The two steps are apart so that a shard can read its responses without knowing every story: a partial
//! keeps them raw, and the merge links them against the union of all shards' stories, exactly as a single
//! run links them against its own. Linking refuses a response or resolution whose story no claim mentions,
//! a repeated `response_id` and a second resolution of one story; refusals of both steps come out in line
//! order per file.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::unkeyed::Assignment;
use super::{Refusal, Spec, Tally, fields, read_table};
use crate::corpus::{Corpus, Outcome, Resolution, Response, Verdict};
use crate::error::{Result, RowProblem};

/// A response row that passed its own checks, its story still a name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawResponse {
    /// Its line.
    pub line: u64,
    /// `response_id`.
    pub id: String,
    /// `story_id`.
    pub story: String,
    /// `responder`.
    pub responder: String,
    /// `responded_at`, seconds since the epoch.
    pub responded_at: i64,
    /// `verdict`.
    pub verdict: Verdict,
}

/// A resolution row that passed its own checks, its story still a name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawResolution {
    /// Its line.
    pub line: u64,
    /// `story_id`.
    pub story: String,
    /// `outcome`.
    pub outcome: Outcome,
    /// `resolved_at`, seconds since the epoch.
    pub resolved_at: i64,
    /// `resolver`, if given.
    pub resolver: Option<String>,
}

/// One file's raw rows and the rows refused while reading it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawFile<T> {
    /// The file as named by the user.
    pub file: String,
    /// Its absolute path when it was read (absent for standard input, and in partials written before it
    /// was added): a merge counts a file that two shards name differently (`r.csv`, `./r.csv`) once. Kept
    /// before `rows`, so that a merge reading a partial knows the file before its rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Data rows read.
    pub read: u64,
    /// Rows that passed their own checks.
    pub rows: Vec<T>,
    /// Rows refused while reading.
    pub rejects: Vec<RowProblem>,
    /// Valid rows dated after the `as_of` time, set aside ([`RawFile::set_aside_after`]).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub later: u64,
    /// A row without a story, in a file with a `text` column, was met while detecting
    /// ([`ResponseKeys::Detect`]).
    #[serde(skip)]
    pub unkeyed: bool,
}

/// `path` resolved to an absolute path without links, as text; `None` for standard input (`-`) or a path
/// that does not resolve.
pub fn absolute(path: &Path) -> Option<String> {
    (path.as_os_str() != "-")
        .then(|| path.canonicalize().ok())
        .flatten()
        .map(|p| p.display().to_string())
}

/// Whether two files' refusals are the same rows for the same reasons, whatever the names the files
/// were given.
pub fn same_refusals(a: &[RowProblem], b: &[RowProblem]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x.line, &x.column, &x.value, &x.reason) == (y.line, &y.column, &y.value, &y.reason))
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl<T: StoryRow> RawFile<T> {
    /// Sets aside the rows dated after `as_of` (none when it is `None`), counting them in `later`.
    pub fn set_aside_after(&mut self, as_of: Option<i64>) {
        if let Some(t) = as_of {
            let before = self.rows.len();
            self.rows.retain(|r| r.time() <= t);
            self.later += (before - self.rows.len()) as u64;
        }
    }
}

/// How response rows without a `story_id` are read.
#[derive(Debug, Clone, Copy)]
pub enum ResponseKeys<'a> {
    /// Every row needs its story: an empty one is refused. Only shards (`--partial`) read responses this
    /// way, so the reason says that shards need keys (`SHARD_NEEDS_KEY` in `ingest`).
    Required,
    /// As `Required`, but note (in [`RawFile::unkeyed`]) a row without a story in a file with a `text`
    /// column, so that the matcher runs; such a file may also lack the `story_id` column. A row dated after
    /// the `--as-of` time given here is not noted (it would not be in files cut then), and is set aside.
    Detect(Option<i64>),
    /// Rows without a story take the stories the matcher linked them to (one row each).
    Assigned(&'a Assignment),
}

impl ResponseKeys<'_> {
    /// The `--as-of` time the rows without a story are read against: the matcher saw none dated later.
    fn as_of(self) -> Option<i64> {
        match self {
            ResponseKeys::Required => None,
            ResponseKeys::Detect(as_of) => as_of,
            ResponseKeys::Assigned(a) => a.as_of,
        }
    }
}

const RESPONSES: Spec = Spec {
    names: &[
        "response_id",
        "story_id",
        "responder",
        "responded_at",
        "verdict",
        "text",
    ],
    required: 5,
};

const RESOLUTIONS: Spec = Spec {
    names: &["story_id", "outcome", "resolved_at", "resolver"],
    required: 3,
};

/// Reads a responses file.
///
/// # Errors
/// The file cannot be read, has no header or lacks a required column.
pub fn read_responses(path: &Path, keys: ResponseKeys<'_>) -> Result<RawFile<RawResponse>> {
    let unkeyed = std::sync::atomic::AtomicBool::new(false);
    let may_lack: &[&str] = match keys {
        ResponseKeys::Required => &[],
        _ => &["story_id"],
    };
    let (tally, rows, mut rejects) = read_table(path, &RESPONSES, may_lack, |row| {
        let id = row.required(0)?;
        let has_text = row.index[5].is_some();
        let at = row.required(3)?;
        let responded_at =
            fields::time(at).ok_or_else(|| Refusal::new("responded_at", at, fields::unparseable_time()))?;
        let later = keys.as_of().is_some_and(|t| responded_at > t);
        let story = match keys {
            // Dated after --as-of: set aside by `set_aside_after` (with an empty story), as if not there.
            ResponseKeys::Detect(_) | ResponseKeys::Assigned(_) if has_text && row.text(1)?.is_empty() && later => "",
            ResponseKeys::Assigned(_) if has_text && row.text(1)?.is_empty() && row.text(5)?.is_empty() => {
                return Err(Refusal::new("story_id", "", super::claims::NO_RESPONSE_TEXT));
            }
            ResponseKeys::Assigned(_) if has_text => row.text(1)?,
            ResponseKeys::Detect(_) if has_text && row.text(1)?.is_empty() => {
                unkeyed.store(true, std::sync::atomic::Ordering::Relaxed);
                row.required(1)?
            }
            ResponseKeys::Required => row.shard_key(1)?,
            _ => row.required(1)?,
        };
        let responder = row.required(2)?;
        let verdict_text = row.required(4)?;
        let verdict = fields::verdict(verdict_text).ok_or_else(|| {
            Refusal::new(
                "verdict",
                verdict_text,
                "unknown verdict (expected confirmed, denied, partial or no_comment)",
            )
        })?;
        Ok(RawResponse {
            line: 0,
            id: id.to_owned(),
            story: story.to_owned(),
            responder: responder.to_owned(),
            responded_at,
            verdict,
        })
    })?;
    let mut expanded = Vec::with_capacity(rows.len());
    for (line, r) in rows {
        let r = RawResponse { line, ..r };
        let ResponseKeys::Assigned(a) = keys else {
            expanded.push(r);
            continue;
        };
        // A row with its own story, or one dated after --as-of (the matcher did not see it; it is set aside).
        if !r.story.is_empty() || a.as_of.is_some_and(|t| r.responded_at > t) {
            expanded.push(r);
            continue;
        }
        // A row the matcher linked becomes one response per story it answers.
        let refusal = match a.responses.get(&line) {
            Some(Ok(stories)) => {
                for &s in stories {
                    expanded.push(RawResponse {
                        story: a.stories[s as usize].clone(),
                        ..r.clone()
                    });
                }
                continue;
            }
            Some(Err(best)) => format!(
                "empty story_id and no story matched its text (best score {best:.3}, below --min-match {}, among \
                 the stories with claims published at most --window {} days before it)",
                a.params.min_match, a.params.window_days
            ),
            None => "empty story_id, and a repeated response_id (only its first row is matched)".to_owned(),
        };
        rejects.push(Refusal::new("story_id", "", refusal).at(&tally.file, line));
    }
    rejects.sort_by_key(|p| p.line);
    Ok(RawFile {
        file: tally.file,
        path: absolute(path),
        read: tally.read,
        rows: expanded,
        rejects,
        later: 0,
        unkeyed: unkeyed.into_inner(),
    })
}

/// Reads a resolutions file.
///
/// # Errors
/// The file cannot be read, has no header or lacks a required column.
pub fn read_resolutions(path: &Path) -> Result<RawFile<RawResolution>> {
    let (tally, rows, rejects) = read_table(path, &RESOLUTIONS, &[], |row| {
        let story = row.required(0)?;
        let outcome_text = row.required(1)?;
        let outcome = fields::outcome(outcome_text).ok_or_else(|| {
            Refusal::new(
                "outcome",
                outcome_text,
                "unknown outcome (expected true, false or mixed)",
            )
        })?;
        let at = row.required(2)?;
        let resolved_at =
            fields::time(at).ok_or_else(|| Refusal::new("resolved_at", at, fields::unparseable_time()))?;
        let resolver = row.optional(3)?.map(str::to_owned);
        Ok(RawResolution {
            line: 0,
            story: story.to_owned(),
            outcome,
            resolved_at,
            resolver,
        })
    })?;
    let rows = rows.into_iter().map(|(line, r)| RawResolution { line, ..r }).collect();
    Ok(RawFile {
        file: tally.file,
        path: absolute(path),
        read: tally.read,
        rows,
        rejects,
        later: 0,
        unkeyed: false,
    })
}

/// Sorts a file's refusals into line order and counts them into its tally.
fn finish(file: &str, read: u64, later: u64, mut problems: Vec<RowProblem>) -> (Tally, Vec<RowProblem>) {
    problems.sort_by_key(|p| p.line);
    let rejected = problems.len() as u64;
    (
        Tally {
            file: file.to_owned(),
            read,
            scored: read - rejected - later,
            rejected,
            later,
        },
        problems,
    )
}

/// A raw row that names its story and is dated.
pub trait StoryRow: Sync {
    /// The story it names.
    fn story(&self) -> &str;
    /// Its line in its file.
    fn line(&self) -> u64;
    /// When it was given, seconds since the epoch.
    fn time(&self) -> i64;
}

impl StoryRow for RawResponse {
    fn story(&self) -> &str {
        &self.story
    }
    fn line(&self) -> u64 {
        self.line
    }
    fn time(&self) -> i64 {
        self.responded_at
    }
}

impl StoryRow for RawResolution {
    fn story(&self) -> &str {
        &self.story
    }
    fn line(&self) -> u64 {
        self.line
    }
    fn time(&self) -> i64 {
        self.resolved_at
    }
}

/// Where a key was first seen, as the reason of a later duplicate names it.
fn first_at(files: &[impl AsRef<str>], here: usize, (file, line): (usize, u64)) -> String {
    if file == here {
        format!("line {line}")
    } else {
        format!("{}:{line}", files[file].as_ref())
    }
}

/// Links the rows of raw files (in the given order, rows in line order) to the corpus's stories: a row whose
/// story no claim mentions is refused with `unknown`; the others go to `accept(row, story, file index)`,
/// which adds them or refuses them. Returns a tally per file and the refusals, file by file in line order.
fn link<T: StoryRow>(
    files: &[RawFile<T>],
    corpus: &mut Corpus,
    unknown: &str,
    mut accept: impl FnMut(&T, u32, usize, &mut Corpus) -> Result<(), Refusal>,
) -> (Vec<Tally>, Vec<RowProblem>) {
    let mut tallies = Vec::new();
    let mut all = Vec::new();
    for (k, f) in files.iter().enumerate() {
        let mut problems = f.rejects.clone();
        // Story look-ups only read the name table: done in parallel, the rest in order.
        let stories: Vec<Option<u32>> = {
            use rayon::prelude::*;
            let names = &corpus.stories;
            f.rows.par_iter().map(|r| names.get(r.story())).collect()
        };
        for (r, story) in f.rows.iter().zip(stories) {
            let outcome = match story {
                None => Err(Refusal::new("story_id", r.story(), unknown)),
                Some(story) => accept(r, story, k, corpus),
            };
            if let Err(refusal) = outcome {
                problems.push(refusal.at(&f.file, r.line()));
            }
        }
        let (tally, mut problems) = finish(&f.file, f.read, f.later, problems);
        tallies.push(tally);
        all.append(&mut problems);
    }
    (tallies, all)
}

/// Links raw responses (files in the given order, rows in line order) to the corpus's stories; a repeated
/// `response_id` is refused.
///
/// Returns a tally per file and the refusals of both steps, file by file in line order.
pub fn link_responses(files: &[RawFile<RawResponse>], corpus: &mut Corpus) -> (Vec<Tally>, Vec<RowProblem>) {
    let names: Vec<&str> = files.iter().map(|f| f.file.as_str()).collect();
    let mut first: rustc_hash::FxHashMap<u128, (usize, u64)> = rustc_hash::FxHashMap::default();
    let unknown = "response for an unknown story (no claim has this story_id)";
    link(files, corpus, unknown, |r, story, k, corpus| {
        let hash = xxhash_rust::xxh3::xxh3_128(r.id.as_bytes());
        // A row the matcher linked to several stories comes as several responses of one line.
        if let Some(&seen) = first.get(&hash)
            && seen != (k, r.line)
        {
            let why = format!("duplicate response_id (first at {})", first_at(&names, k, seen));
            return Err(Refusal::new("response_id", &r.id, why));
        }
        first.insert(hash, (k, r.line));
        corpus.responses.push(Response {
            story,
            responder: corpus.responders.intern(&r.responder),
            responded_at: r.responded_at,
            verdict: r.verdict,
            file: k as u32,
            line: r.line,
        });
        Ok(())
    })
}

/// Links raw resolutions (files in the given order, rows in line order) to the corpus's stories; a story
/// keeps its first resolution.
pub fn link_resolutions(files: &[RawFile<RawResolution>], corpus: &mut Corpus) -> (Vec<Tally>, Vec<RowProblem>) {
    let names: Vec<&str> = files.iter().map(|f| f.file.as_str()).collect();
    let mut first: rustc_hash::FxHashMap<u32, (usize, u64)> = rustc_hash::FxHashMap::default();
    let unknown = "resolution for an unknown story (no claim has this story_id)";
    link(files, corpus, unknown, |r, story, k, corpus| {
        if let Some(&seen) = first.get(&story) {
            let why = format!("story already resolved at {}", first_at(&names, k, seen));
            return Err(Refusal::new("story_id", &r.story, why));
        }
        first.insert(story, (k, r.line));
        let resolver = r.resolver.as_deref().map(|x| corpus.resolvers.intern(x));
        corpus.resolutions.push(Resolution {
            story,
            outcome: r.outcome,
            resolved_at: r.resolved_at,
            resolver,
            line: r.line,
        });
        Ok(())
    })
}
