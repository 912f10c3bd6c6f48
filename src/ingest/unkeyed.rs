//! Reading claims and responses that lack story keys, running the matcher ([`crate::link`]) over their
//! texts, and handing the stories it forms back to the ordinary load.
//!
//! [`super::load`] reads as usual and turns here only when a file has a `text` column and some row an
//! empty or absent `story_id`. Then the claims file is read once more for the matcher: every row the
//! ordinary pass would accept (same checks, the first of two equal `claim_id`s) becomes a
//! [`ClaimDoc`] with its text's features; keyed rows keep their story and are matched against too. The
//! matcher's result is an [`Assignment`]: per claim (by the hash of its id) the story it joins, the
//! outlet it relays when it is an unattributed copy, and its match score; per response row (by line) the
//! stories it answers. The ordinary load then runs again with the assignment, so every row is still
//! accepted or rejected by the one reader, with its original file and line.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::blocks::BlockReader;
use super::{LoadOptions, Row, Spec, claims, fields, open_input, read_table, resolve_columns_lacking};
use crate::corpus::Names;
use crate::error::{Error, Result};
use crate::link::{self, ClaimDoc, Features, LinkParams, Matching, ResponseDoc, ResponseOutcome, StoryRef};

/// The claims columns the matcher reads; the first three must be present.
const CLAIMS: Spec = Spec {
    names: &[
        "claim_id",
        "source",
        "published_at",
        "story_id",
        "stance",
        "attributed_to",
        "text",
    ],
    required: 3,
};

/// The responses columns the matcher reads; the first five must be present (the story may be absent).
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

/// Where one claim goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Assigned {
    /// Its story (an index into [`Assignment::stories`]).
    pub story: u32,
    /// The outlet it relays, when the matcher found it to be an unattributed copy.
    pub relay_of: Option<String>,
    /// The similarity that placed it; `None` for the claim that opened its story.
    pub score: Option<f32>,
}

/// The matcher's answer, in the terms of the input files.
#[derive(Debug, Default)]
pub struct Assignment {
    /// Story names: the input's own keys and `auto-NNNNNN` for the formed ones.
    pub stories: Vec<String>,
    /// Unkeyed claims, by the 128-bit xxh3 hash of their `claim_id`.
    pub claims: FxHashMap<u128, Assigned>,
    /// Unkeyed response rows, by line: the stories they answer, best first, or the best score seen.
    pub responses: FxHashMap<u64, Result<Vec<u32>, f32>>,
    /// The settings used.
    pub params: LinkParams,
    /// The `--as-of` time: rows dated later were not matched (as in files cut then), and are set aside.
    pub as_of: Option<i64>,
}

impl Assignment {
    /// The story name of an unkeyed claim, with the outlet it relays if it is a copy.
    pub(crate) fn claim(&self, id_hash: u128) -> Option<(&str, Option<&str>)> {
        self.claims
            .get(&id_hash)
            .map(|a| (self.stories[a.story as usize].as_str(), a.relay_of.as_deref()))
    }

    /// The match score of a claim, if the matcher placed it by similarity.
    pub fn score(&self, claim_id: &str) -> Option<f32> {
        self.claims
            .get(&xxhash_rust::xxh3::xxh3_128(claim_id.as_bytes()))
            .and_then(|a| a.score)
    }
}

/// One row of `links.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRow {
    /// The response.
    pub response_id: String,
    /// The story it answers.
    pub story: String,
    /// A claim of that story within the window before the response.
    pub claim_id: String,
    /// Their cosine similarity.
    pub score: f32,
    /// The shared normalised words that carried it, `;`-joined, largest contribution first.
    pub words: String,
}

/// What the matcher did, for `summary.json`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LinkStats {
    /// The settings used.
    pub params: Option<LinkParams>,
    /// Claims the matcher read (keyed and unkeyed, with a text).
    pub claims_matched: u64,
    /// Unkeyed claims given a story.
    pub claims_assigned: u64,
    /// Stories formed.
    pub stories_formed: u64,
    /// Unattributed copies made relays of their original.
    pub copies: u64,
    /// Unkeyed responses linked to at least one story.
    pub responses_linked: u64,
    /// Unkeyed responses that matched no story.
    pub responses_unmatched: u64,
    /// Rows of `links.csv`.
    pub links: u64,
}

/// The matcher's results as the run reports them.
#[derive(Debug, Default)]
pub struct Linked {
    /// Where each unkeyed row went.
    pub assignment: Assignment,
    /// The rows of `links.csv`.
    pub links: Vec<LinkRow>,
    /// Counts.
    pub stats: LinkStats,
}

/// A claim row as the matcher reads it.
struct ClaimRow {
    hash: u128,
    id: String,
    source: String,
    story: Option<String>,
    attributed: bool,
    time: i64,
    features: Option<Features>,
}

/// Reads the claims file for the matcher: the rows the ordinary pass accepts, in input order.
fn read_claims(path: &Path, opts: LoadOptions, ignore_keys: bool) -> Result<Vec<ClaimRow>> {
    let io_err = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let mut blocks = BlockReader::new(open_input(path)?, opts.block_size);
    let mut first = blocks.next_block().map_err(io_err)?.unwrap_or_default();
    let (headers, header_end, _) = claims::header(path, &first, &CLAIMS)?;
    first.drain(..header_end);
    let index = resolve_columns_lacking(path, &headers, &CLAIMS, &[])?;
    let n_fields = headers.len();
    let mut rows = Vec::new();
    let mut seen: FxHashSet<u128> = FxHashSet::default();
    let batch = 2 * rayon::current_num_threads().max(1);
    let mut pending = vec![first];
    loop {
        while pending.len() < batch {
            match blocks.next_block().map_err(io_err)? {
                Some(b) => pending.push(b),
                None => break,
            }
        }
        if pending.is_empty() {
            return Ok(rows);
        }
        let parsed: Vec<Vec<ClaimRow>> = pending
            .par_iter()
            .map(|bytes| {
                let mut out = Vec::new();
                claims::for_each_record(bytes, |_, fields| {
                    // A row the main pass refuses (an unclosed quote) matches nothing.
                    let Ok(fields) = fields else { return };
                    let row = Row {
                        record: fields,
                        index: &index,
                        names: CLAIMS.names,
                    };
                    if fields.len() == n_fields
                        && let Some(mut r) = claim_row(&row)
                    {
                        if ignore_keys {
                            r.story = None;
                        }
                        out.push(r);
                    }
                });
                out
            })
            .collect();
        pending.clear();
        for r in parsed.into_iter().flatten() {
            if seen.insert(r.hash) {
                rows.push(r);
            }
        }
    }
}

/// A row the ordinary pass would accept (bar duplicates), with its text's features; `None` otherwise.
fn claim_row(row: &Row<'_>) -> Option<ClaimRow> {
    let id = row.required(0).ok()?;
    let source = row.required(1).ok()?;
    let time = fields::time(row.required(2).ok()?)?;
    let story = row.optional(3).ok()?;
    fields::stance(row.text(4).ok()?)?;
    let attributed = row.optional(5).ok()?.is_some_and(|a| a != source);
    let text = row.text(6).ok()?;
    let features = Features::of(text, None);
    Some(ClaimRow {
        hash: xxhash_rust::xxh3::xxh3_128(id.as_bytes()),
        id: id.to_owned(),
        source: source.to_owned(),
        story: story.map(str::to_owned),
        attributed,
        time,
        features: (!features.is_empty()).then_some(features),
    })
}

/// A response row as the matcher reads it.
struct ResponseRow {
    id: String,
    keyed: bool,
    time: i64,
    text: String,
}

/// Whether the file's header has a `text` column.
pub(crate) fn has_text_column(path: &Path) -> Result<bool> {
    let mut first = Vec::new();
    open_input(path)?
        .take(1 << 20)
        .read_to_end(&mut first)
        .map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
    let (headers, _, _) = claims::header(path, &first, &CLAIMS)?;
    Ok(headers
        .iter()
        .any(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim() == "text"))
}

/// Reads the inputs, runs the matcher and returns where every unkeyed row goes.
///
/// # Errors
/// A file cannot be read or lacks a required column; standard input (it would have to be read twice).
pub fn link_files(claims_path: &Path, responses: Option<&Path>, opts: LoadOptions) -> Result<Linked> {
    link_files_with(claims_path, responses, opts, false)
}

/// As [`link_files`], matching every row from its text as if no `story_id` were given: for measuring
/// the matcher on a labelled set whose files also carry the true keys.
///
/// # Errors
/// As for [`link_files`].
pub fn link_files_ignoring_keys(claims_path: &Path, responses: &Path, opts: LoadOptions) -> Result<Linked> {
    link_files_with(claims_path, Some(responses), opts, true)
}

fn link_files_with(
    claims_path: &Path,
    responses: Option<&Path>,
    opts: LoadOptions,
    ignore_keys: bool,
) -> Result<Linked> {
    opts.link.validate()?;
    for p in std::iter::once(claims_path).chain(responses) {
        if p.as_os_str() == "-" {
            return Err(Error::Config(format!(
                "{}: stories are formed from the texts in a second reading, which standard input does not \
                 allow; give the file by name",
                "-"
            )));
        }
    }
    let _stage = crate::progress::Stage::start("link");
    let reading = crate::progress::Stage::start("link: read");
    let has_text = has_text_column(claims_path)?;
    let mut claim_rows = if has_text {
        read_claims(claims_path, opts, ignore_keys)?
    } else {
        Vec::new()
    };
    let response_rows = match responses {
        Some(p) => {
            let (_, rows, _) = read_table(p, &RESPONSES, &["story_id"], |row| {
                let id = row.required(0).map_err(drop_refusal)?;
                let story = row.text(1).map_err(drop_refusal)?;
                let time = fields::time(row.required(3).map_err(drop_refusal)?).ok_or_else(quiet)?;
                row.required(2).map_err(drop_refusal)?;
                fields::verdict(row.required(4).map_err(drop_refusal)?).ok_or_else(quiet)?;
                Ok(ResponseRow {
                    id: id.to_owned(),
                    keyed: !story.is_empty() && !ignore_keys,
                    time,
                    text: row.text(5).map_err(drop_refusal)?.to_owned(),
                })
            })?;
            rows
        }
        None => Vec::new(),
    };
    // With --as-of, what came later is not there to match, as in files cut at that time.
    let mut response_rows = response_rows;
    if let Some(t) = opts.as_of {
        claim_rows.retain(|r| r.time <= t);
        response_rows.retain(|r| r.1.time <= t);
    }
    // The matcher sees claims with a text; keyed story names get dense ids.
    let mut keyed = Names::default();
    let mut sources = Names::default();
    // Moved, not copied: the features are the largest part of what the matcher holds.
    let mut taken: Vec<(usize, Features)> = claim_rows
        .iter_mut()
        .enumerate()
        .filter_map(|(k, r)| r.features.take().map(|f| (k, f)))
        .collect();
    // The matcher breaks ties of time by its input order and numbers the stories it forms in that
    // order: handing it the claims by time, then id, makes both independent of the rows' order.
    taken.sort_by(|a, b| {
        let (a, b) = (&claim_rows[a.0], &claim_rows[b.0]);
        a.time.cmp(&b.time).then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
    });
    let doc_rows: Vec<usize> = taken.iter().map(|e| e.0).collect();
    let docs: Vec<ClaimDoc> = taken
        .into_iter()
        .map(|(k, features)| {
            let r = &claim_rows[k];
            ClaimDoc {
                time: r.time,
                source: sources.intern(&r.source),
                story: r.story.as_deref().map(|s| keyed.intern(s)),
                attributed: r.attributed,
                features,
            }
        })
        .collect();
    let mut words: FxHashMap<u64, String> = FxHashMap::default();
    let mut seen_ids: FxHashSet<&str> = FxHashSet::default();
    let mut response_lines = Vec::new();
    let mut response_docs = Vec::new();
    for (line, r) in &response_rows {
        if !seen_ids.insert(r.id.as_str()) {
            continue;
        }
        response_docs.push(ResponseDoc {
            time: r.time,
            keyed: r.keyed,
            features: Features::of(&r.text, Some(&mut words)),
        });
        response_lines.push((*line, r));
    }
    drop(reading);
    let matching = {
        let _stage = crate::progress::Stage::start("link: match");
        link::link(&docs, &response_docs, &opts.link)
    };
    drop(docs);
    let _stage = crate::progress::Stage::start("link: assemble");
    let mut linked = assemble(
        &claim_rows,
        &doc_rows,
        &keyed,
        &response_lines,
        &matching,
        &words,
        opts.link,
    );
    linked.assignment.as_of = opts.as_of;
    Ok(linked)
}

fn drop_refusal(_: super::Refusal) -> super::Refusal {
    quiet()
}

/// A refusal whose reason is never shown: the ordinary pass gives the real one.
fn quiet() -> super::Refusal {
    super::Refusal {
        column: None,
        value: None,
        reason: String::new(),
    }
}

/// Turns the matcher's result into names, ids and `links.csv` rows.
fn assemble(
    claim_rows: &[ClaimRow],
    doc_rows: &[usize],
    keyed: &Names,
    responses: &[(u64, &ResponseRow)],
    m: &Matching,
    words: &FxHashMap<u64, String>,
    params: LinkParams,
) -> Linked {
    let mut out = Linked::default();
    let a = &mut out.assignment;
    a.params = params;
    a.stories = keyed.iter().map(str::to_owned).collect();
    let n_keyed = a.stories.len() as u32;
    for n in 1..=m.auto_stories {
        let mut name = format!("auto-{n:06}");
        while keyed.get(&name).is_some() {
            name.push('~');
        }
        a.stories.push(name);
    }
    let story_index = |s: StoryRef| match s {
        StoryRef::Keyed(k) => k,
        StoryRef::Auto(n) => n_keyed + n - 1,
    };
    let stats = &mut out.stats;
    stats.params = Some(params);
    stats.claims_matched = doc_rows.len() as u64;
    stats.stories_formed = u64::from(m.auto_stories);
    for (d, cm) in m.claims.iter().enumerate() {
        let row = &claim_rows[doc_rows[d]];
        if row.story.is_some() {
            continue;
        }
        let relay_of = cm.copy_of.map(|o| claim_rows[doc_rows[o as usize]].source.clone());
        stats.claims_assigned += 1;
        stats.copies += u64::from(relay_of.is_some());
        a.claims.insert(
            row.hash,
            Assigned {
                story: story_index(cm.story),
                relay_of,
                score: cm.score,
            },
        );
    }
    for ((line, r), outcome) in responses.iter().zip(&m.responses) {
        match *outcome {
            ResponseOutcome::Keyed => {}
            ResponseOutcome::Unmatched(best) => {
                stats.responses_unmatched += 1;
                a.responses.insert(*line, Err(best));
            }
            ResponseOutcome::Linked(_) => {
                stats.responses_linked += 1;
                let _ = r;
            }
        }
    }
    for l in &m.links {
        let (line, r) = responses[l.response as usize];
        let story = story_index(l.story);
        let entry = a.responses.entry(line).or_insert_with(|| Ok(Vec::new()));
        if let Ok(list) = entry
            && !list.contains(&story)
        {
            list.push(story);
        }
        out.links.push(LinkRow {
            response_id: r.id.clone(),
            story: a.stories[story as usize].clone(),
            claim_id: claim_rows[doc_rows[l.claim as usize]].id.clone(),
            score: l.score,
            words: l
                .words
                .iter()
                .filter_map(|h| words.get(h).map(String::as_str))
                .collect::<Vec<_>>()
                .join(";"),
        });
    }
    stats.links = out.links.len() as u64;
    out
}

/// One row of a gold file of claim–response links.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldRow {
    /// The response.
    pub response_id: String,
    /// A claim it truly answers; `None` for a labelled response that answers none.
    pub claim_id: Option<String>,
    /// The part of the set the response belongs to (`dev`, `test`), if given.
    pub split: Option<String>,
}

const GOLD: Spec = Spec {
    names: &["response_id", "claim_id", "split"],
    required: 2,
};

/// Reads a gold file: `response_id,claim_id[,split]`, one row per true pair, and a row with an empty
/// `claim_id` for a response that answers nothing.
///
/// # Errors
/// The file cannot be read or lacks a column; a row without a `response_id` (file and line named).
pub fn read_gold(path: &Path) -> Result<Vec<GoldRow>> {
    let (_, rows, rejects) = read_table(path, &GOLD, &[], |row| {
        Ok(GoldRow {
            response_id: row.required(0)?.to_owned(),
            claim_id: row.optional(1)?.map(str::to_owned),
            split: row.optional(2)?.map(str::to_owned),
        })
    })?;
    if let Some(first) = rejects.into_iter().next() {
        return Err(Error::BadRow(first));
    }
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}
