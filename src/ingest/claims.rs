//! The claims file: parsed in parallel blocks, merged in input order, replayed for per-claim outputs.
//!
//! The claims file is the large one (millions of rows), so it is never held whole. Blocks of whole records
//! ([`super::blocks`]) are parsed in parallel, a batch at a time; each block interns its names locally and
//! hashes its claim ids (xxh3, 128 bits). The batch's blocks are then merged in input order: local names
//! map to global ids in order of first appearance, and every accepted row becomes a [`Mention`]. Once every
//! file is read, [`super::load`] numbers the names by name instead ([`Corpus::number_by_name`]).
//! The results are therefore the same for any thread count and any block size. Ids are checked for
//! duplicates after the pass, from 8 bytes of hash per claim, sorted (`read`); only a file with a
//! duplicate is read again with every hash in a set. What remains per claim after loading is the mention
//! (and, when asked for, a 4-byte time).
//!
//! Per-claim outputs need the claim's own fields again; [`Replay`] reads the file a second time, cut into
//! the same blocks, and pairs the n-th accepted row with the n-th mention. Standard input is spooled to a
//! temporary file during the first pass so that it can be replayed.

use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use rayon::prelude::*;

use super::blocks::BlockReader;
use super::jsonl::Layout;
use super::unkeyed::Assignment;
use super::{
    LoadOptions, Refusal, Row, Spec, Tally, csv_builder, csv_error, fields, open_input, resolve_columns,
    resolve_columns_lacking,
};
use crate::corpus::{Corpus, Mention, Names, Stance};
use crate::error::{Error, Result, RowProblem};
use crate::value::ValueKind;

/// The claims file's columns; the first five are required. With a `value` column every claim needs a
/// value, and its story becomes multi-valued ([`crate::value`]).
pub(crate) const SPEC: Spec = Spec {
    names: &[
        "claim_id",
        "source",
        "published_at",
        "story_id",
        "stance",
        "attributed_to",
        "value",
        "topic",
    ],
    required: 5,
};

/// How rows without a `story_id` are read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Keys<'a> {
    /// Every row needs its story (files without a `text` column): an empty one is refused.
    Required,
    /// As [`Keys::Required`], for a shard (`--partial`): an empty story is refused with a reason that says
    /// shards need keys (`SHARD_NEEDS_KEY` in `ingest`), since a single run would have matched the row.
    Shard,
    /// A first pass: the first row without a story (or a header without the column) ends the pass, so
    /// that the matcher can run. Files without a `text` column are read as [`Keys::Required`].
    Detect,
    /// Rows without a story take the matcher's; those it could not place are refused.
    Assigned(&'a Assignment),
}

/// Why a row without a story and without a text is refused once the matcher has run.
pub(crate) const NO_TEXT: &str = "empty story_id and empty text: nothing to match the claim by";
/// Why a response without a story key or a text is refused.
pub(crate) const NO_RESPONSE_TEXT: &str = "empty story_id and empty text: nothing to match the response by";

/// Blocks parsed together, per worker thread.
const BATCH_PER_THREAD: usize = 2;

/// A hasher for keys that are already uniform hashes: it keeps their low 64 bits.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().take(8) {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u128(&mut self, n: u128) {
        self.0 = n as u64;
    }
}

/// A claim row that passed its own checks, before the duplicate check of the merge.
struct Candidate {
    hash: u128,
    line: u64,
    id: (u32, u32),
    source: u32,
    story: u32,
    attributed: u32,
    stance: Stance,
    time: i64,
    /// The local id of its normalised value, `u32::MAX` without a value column.
    value: u32,
    /// The local id of its topic, `u32::MAX` without one (or when topics are not read).
    topic: u32,
}

/// One parsed block: candidates and refusals with lines local to the block (from 1), local names.
struct Parsed {
    candidates: Vec<Candidate>,
    refused: Vec<(u64, Refusal)>,
    /// Lines of valid rows dated after the `as_of` time.
    later: Vec<u64>,
    ids: String,
    sources: Names,
    stories: Names,
    values: Names,
    topics: Names,
    newlines: u64,
    /// A row without a story was met in a [`Keys::Detect`] pass.
    unkeyed: bool,
}

/// The first position at or after `pos` that is not a line break.
pub(crate) fn skip_breaks(bytes: &[u8], pos: usize) -> usize {
    let mut p = pos.min(bytes.len());
    while p < bytes.len() && matches!(bytes[p], b'\r' | b'\n') {
        p += 1;
    }
    p
}

/// Calls `f(line, fields)` for every record of a block of whole records, `line` counted from 1 at the
/// block's start. A block with no quote and no bare carriage return (most machine exports) is split with
/// `memchr` on commas and line breaks; any other block goes through the csv crate's parser. Both agree on
/// such blocks: records end at `\n` or `\r\n`, empty lines are skipped (tested below).
pub(crate) fn for_each_record(bytes: &[u8], mut f: impl FnMut(u64, Result<&[&[u8]], Refusal>)) {
    let simple = memchr::memchr(b'"', bytes).is_none()
        && memchr::memchr_iter(b'\r', bytes).all(|i| bytes.get(i + 1) == Some(&b'\n'));
    if simple {
        let mut fields: Vec<&[u8]> = Vec::with_capacity(16);
        let mut line = 1u64;
        let mut start = 0;
        while start < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |k| start + k);
            let mut record = &bytes[start..end];
            if let [rest @ .., b'\r'] = record {
                record = rest;
            }
            if !record.is_empty() {
                fields.clear();
                fields.extend(record.split(|&b| b == b','));
                f(line, Ok(&fields));
            }
            line += 1;
            start = end + 1;
        }
        return;
    }
    // The csv crate drops a byte-order mark at the start of what it reads; a block that starts with one
    // (a row beginning with those bytes) gets a blank line in front so that the mark stays data, as it does
    // on the fast path.
    let prefixed;
    let (bytes, mut counted) = if bytes.starts_with(b"\xEF\xBB\xBF") {
        prefixed = [&b"\n"[..], bytes].concat();
        (&prefixed[..], 1usize)
    } else {
        (bytes, 0usize)
    };
    let mut rdr = csv_builder(false).from_reader(bytes);
    let mut record = ByteRecord::new();
    // Lines are counted here from the record's byte offset: the csv crate's own line numbers run one short
    // after a CRLF (it counts the `\n` of `\r\n` as part of the next record).
    let mut line = 1u64;
    // Reading from memory cannot fail; a record the reader cannot make sense of has no other outcome.
    while rdr.read_byte_record(&mut record).unwrap_or(false) {
        let at = skip_breaks(bytes, record.position().map_or(0, |q| q.byte() as usize));
        line += super::blocks::line_breaks(&bytes[counted..at]);
        counted = at;
        let fields: Vec<&[u8]> = record.iter().collect();
        // Only the input's last record can hold a quote that never closes (it swallows the rest).
        let last = rdr.position().byte() as usize >= bytes.len();
        if last && super::blocks::opens_unclosed_quote(&bytes[at..]) {
            f(line, Err(Refusal::unclosed_quote(&fields)));
        } else {
            f(line, Ok(&fields));
        }
    }
}

fn parse_block(
    layout: Layout,
    bytes: &[u8],
    index: &[Option<usize>],
    n_fields: usize,
    as_of: Option<i64>,
    kind: ValueKind,
    keys: Keys<'_>,
) -> Parsed {
    let mut p = Parsed {
        candidates: Vec::with_capacity(bytes.len() / 64),
        refused: Vec::new(),
        later: Vec::new(),
        ids: String::new(),
        sources: Names::default(),
        stories: Names::default(),
        values: Names::default(),
        topics: Names::default(),
        newlines: layout.line_breaks(bytes),
        unkeyed: false,
    };
    let absent = undeclared(layout, index);
    layout.for_each_row(bytes, SPEC.names, |line, fields| {
        let fields = match fields {
            Ok(f) => f,
            Err(r) => return p.refused.push((line, r)),
        };
        if let Some(r) = absent.and_then(|k| given_undeclared(k, fields)) {
            return p.refused.push((line, r));
        }
        let row = Row {
            record: fields,
            index,
            names: SPEC.names,
        };
        match check(&row, n_fields, as_of, kind, keys, &mut p) {
            Ok(Some(c)) => p.candidates.push(Candidate { line, ..c }),
            Ok(None) => p.later.push(line),
            Err(r) => p.refused.push((line, r)),
        }
    });
    p
}

/// Validates one row and interns its names locally; `None` for a valid row dated after `as_of`, which is
/// set aside before its names are interned (so an outlet seen only later does not appear at all).
fn check(
    row: &Row<'_>,
    n_fields: usize,
    as_of: Option<i64>,
    kind: ValueKind,
    keys: Keys<'_>,
    p: &mut Parsed,
) -> Result<Option<Candidate>, Refusal> {
    if row.record.len() != n_fields {
        return Err(Refusal::field_count(n_fields, row.record));
    }
    let id = row.required(0)?;
    let source = row.required(1)?;
    let published = row.required(2)?;
    let time =
        fields::time(published).ok_or_else(|| Refusal::new("published_at", published, fields::unparseable_time()))?;
    // Dated after --as-of: validated, then set aside below, as files cut then would not hold it.
    let later = as_of.is_some_and(|t| time > t);
    let hash = xxhash_rust::xxh3::xxh3_128(id.as_bytes());
    let (story, relay) = match keys {
        Keys::Required => (row.required(3)?, None),
        Keys::Shard => (row.shard_key(3)?, None),
        Keys::Detect => {
            let story = row.text(3)?;
            // A later row does not make the stories be formed from texts.
            if story.is_empty() && later {
                ("", None)
            } else {
                if story.is_empty() {
                    p.unkeyed = true;
                }
                (row.required(3)?, None)
            }
        }
        Keys::Assigned(a) => match (row.optional(3)?, a.claim(hash)) {
            (Some(story), _) => (story, None),
            (None, Some(assigned)) => assigned,
            // The matcher saw only what was published by `as_of`: a later row has no story from it.
            (None, None) if later => ("", None),
            (None, None) => return Err(Refusal::new("story_id", "", NO_TEXT)),
        },
    };
    let stance_text = row.text(4)?;
    let stance = fields::stance(stance_text)
        .ok_or_else(|| Refusal::new("stance", stance_text, "unknown stance (expected asserts or denies)"))?;
    // An unattributed copy found by the matcher relays its original's outlet.
    let attributed = row.optional(5)?.or(relay);
    let value = match row.index[6] {
        None => None,
        Some(_) => {
            let raw = row.required(6)?;
            if stance == Stance::Denies {
                return Err(Refusal::new(
                    "stance",
                    stance_text,
                    "a claim with a value asserts it (denies is for plain stories)",
                ));
            }
            let v = crate::value::normalize(kind, raw)
                .ok_or_else(|| Refusal::new("value", raw, crate::value::refusal(kind, raw)))?;
            Some(v)
        }
    };
    if later {
        return Ok(None);
    }
    let value = value.map_or(u32::MAX, |v| p.values.intern(&v));
    // The topic is read only when asked for (the loader leaves the column out of `index` otherwise).
    let topic = match row.index.get(7).copied().flatten() {
        Some(_) => row.optional(7)?.map_or(u32::MAX, |t| p.topics.intern(t)),
        None => u32::MAX,
    };
    let start = p.ids.len() as u32;
    p.ids.push_str(id);
    let source_id = p.sources.intern(source);
    let attributed = match attributed {
        Some(a) if a != source => p.sources.intern(a),
        _ => Mention::ORIGINAL,
    };
    Ok(Some(Candidate {
        hash,
        line: 0,
        id: (start, id.len() as u32),
        source: source_id,
        story: p.stories.intern(story),
        attributed,
        stance,
        time,
        value,
        topic,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(bytes: &[u8], force_csv: bool) -> Vec<(u64, Vec<String>)> {
        let mut out = vec![];
        let mut text = bytes.to_vec();
        if force_csv {
            // A quoted field of a final record sends the block down the csv crate's path.
            text.extend_from_slice(b"\"q\"\n");
        }
        for_each_record(&text, |l, f| {
            let f = f.unwrap_or_default();
            out.push((l, f.iter().map(|x| String::from_utf8_lossy(x).into_owned()).collect()))
        });
        if force_csv {
            out.pop();
        }
        out
    }

    /// The fast path and the csv crate read quote-free blocks alike: fields, lines, CRLF, empty lines,
    /// empty fields, a final record without a line break.
    #[test]
    fn fast_split_agrees_with_the_csv_crate() {
        for text in [
            &b"a,b,c\n1,,3\n"[..],
            b"a,b\r\nc,d\r\n",
            b"x\n\n\ny,z",
            b",\n,,\n",
            b"one\n",
            b"\r\n\r\na\r\n",
        ] {
            let mut t = text.to_vec();
            if !t.ends_with(b"\n") {
                t.push(b'\n');
            }
            assert_eq!(
                records(&t, false),
                records(&t, true),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let crlf = records(b"a,b\r\n\r\nc,d\r\n", false);
        assert_eq!(crlf[1].0, 3);
        assert_eq!(crlf, records(b"a,b\r\n\r\nc,d\r\n", true));
    }
}

/// Reads blocks into `into` until it holds `batch` of them or the input ends.
fn fill_batch<R: Read>(blocks: &mut BlockReader<R>, into: &mut Vec<Vec<u8>>, batch: usize) -> io::Result<()> {
    while into.len() < batch {
        match blocks.next_block()? {
            Some(b) => into.push(b),
            None => break,
        }
    }
    Ok(())
}

/// Where a block of the claims file starts.
#[derive(Debug, Clone, Copy)]
struct BlockStart {
    line: u64,
    mention: u64,
}

/// Enough to read the claims file again, block for block as the first pass did.
#[derive(Debug)]
pub struct Replay {
    path: PathBuf,
    spool: Option<tempfile::NamedTempFile>,
    block_size: usize,
    header_end: usize,
    index: Vec<Option<usize>>,
    layout: Layout,
    value_kind: ValueKind,
    starts: Vec<BlockStart>,
    /// Lines not accepted (rejected, or set aside by `as_of`), sorted: the replay skips them.
    skipped: Vec<u64>,
    as_of: Option<i64>,
}

/// Copies what it reads to a spool file, so standard input can be read twice.
struct Tee<R> {
    inner: R,
    spool: File,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.spool.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// Optional columns whose presence changes what every row must hold (with a `value` column, every claim
/// needs a value). In JSON Lines, such a column is present when the first object has the key; every other
/// column is always present, empty where a line lacks the key.
const DECLARED: [&str; 1] = ["value"];

/// In JSON Lines, the position among the spec's columns of a [`DECLARED`] column the file's first object
/// lacks, if any: the column does not exist for this file.
fn undeclared(layout: Layout, index: &[Option<usize>]) -> Option<usize> {
    (layout == Layout::Jsonl)
        .then(|| (0..SPEC.names.len()).find(|&k| DECLARED.contains(&SPEC.names[k]) && index[k].is_none()))
        .flatten()
}

/// An object that gives the [`undeclared`] column `k` a value anyway. That value would be dropped without a
/// word (and a story of values read as a plain one), so the object is refused, as an object without the key
/// is when the first has it.
fn given_undeclared(k: usize, fields: &[&[u8]]) -> Option<Refusal> {
    let name = SPEC.names[k];
    let given = fields.get(k).filter(|f| !f.is_empty())?;
    Some(Refusal::new(
        name,
        &String::from_utf8_lossy(given),
        format!(
            "the file's first object has no \"{name}\" key, and the first object decides whether claims carry one; \
             give every object a \"{name}\", or none"
        ),
    ))
}

/// The header of a file in `layout`: for CSV, [`header`]. JSON Lines has none: its records carry the
/// spec's columns in order ([`super::jsonl`]); [`DECLARED`] columns count only when the first object has
/// them.
pub(crate) fn header_of(layout: Layout, path: &Path, first: &[u8], spec: &Spec) -> Result<(ByteRecord, usize, u64)> {
    match layout {
        Layout::Csv => header(path, first, spec),
        Layout::Jsonl => {
            let keys = super::jsonl::first_keys(first);
            let names: Vec<String> = spec
                .names
                .iter()
                .enumerate()
                .map(|(k, n)| {
                    if k < spec.required || !DECLARED.contains(n) || keys.iter().any(|key| key == n) {
                        (*n).to_owned()
                    } else {
                        format!("(absent: {n})")
                    }
                })
                .collect();
            Ok((ByteRecord::from(names), 0, 1))
        }
    }
}

/// Splits off the header of the first block: its fields and the byte and line where data starts.
pub(crate) fn header(path: &Path, first: &[u8], spec: &Spec) -> Result<(ByteRecord, usize, u64)> {
    let mut rdr = csv_builder(false).from_reader(first);
    let mut headers = ByteRecord::new();
    let got = rdr.read_byte_record(&mut headers).map_err(|e| csv_error(path, e))?;
    let empty = !got || headers.is_empty() || (headers.len() == 1 && headers[0].is_empty());
    if empty {
        return Err(Error::EmptyFile {
            path: path.to_owned(),
            expected: spec.names[..spec.required].join(","),
        });
    }
    let end = skip_breaks(first, rdr.position().byte() as usize);
    Ok((headers, end, 1 + super::blocks::line_breaks(&first[..end])))
}

/// Reads the claims file into `corpus.mentions`, refused rows into `rejects`. In a [`Keys::Detect`] pass,
/// returns `None` as soon as a row without a story shows (the matcher must run first).
///
/// Claim ids are checked for duplicates after the pass where that can be done ([`Ids::Deferred`]): a plain
/// file, read leniently. Should two accepted ids then share the low 64 bits of their hash (a duplicate id,
/// or a one-in-10^12 collision at 10 million claims), the pass is thrown away and the file read again with
/// every hash in a set ([`Ids::Exact`]), which finds the duplicates in input order as a strict run does.
pub(crate) fn read(
    path: &Path,
    opts: LoadOptions,
    keys: Keys<'_>,
    corpus: &mut Corpus,
    rejects: &mut Vec<RowProblem>,
) -> Result<Option<(Tally, Replay)>> {
    let deferred = !opts.strict && path.as_os_str() != "-";
    if deferred {
        let (corpus_before, rejects_before) = (corpus.clone(), rejects.len());
        match read_pass(path, opts, keys, corpus, rejects, Dedup::Deferred)? {
            Pass::Done(done) => return Ok(done),
            Pass::Duplicates => {
                *corpus = corpus_before;
                rejects.truncate(rejects_before);
            }
        }
    }
    match read_pass(path, opts, keys, corpus, rejects, Dedup::Exact)? {
        Pass::Done(done) => Ok(done),
        Pass::Duplicates => unreachable!("an exact pass finds its duplicates itself"),
    }
}

/// How a pass checks claim ids for duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dedup {
    /// Every id's 128-bit hash in a set, checked as each row is merged.
    Exact,
    /// The low 64 bits of each accepted id's hash in a vector, sorted and checked once the pass is over.
    Deferred,
}

/// The claim-id hashes of a pass, as its [`Dedup`] keeps them.
enum Ids {
    /// The set of 128-bit hashes: about 36 bytes a claim (a table sized to a power of two, at most 7/8
    /// full).
    Exact(IdSet),
    /// The low 64 bits, 7 bytes a claim: in [`LOW_BUCKETS`] buckets by their top 8 bits, each keeping the
    /// other 56 (9.5 MiB less than 8 bytes at 10M claims, when the pass is at its peak).
    Deferred(Vec<Vec<[u8; 7]>>),
}

/// The buckets of [`Ids::Deferred`].
const LOW_BUCKETS: usize = 256;

impl Ids {
    /// Records an accepted row's id hash; `false` when an exact set already holds it.
    fn insert(&mut self, hash: u128) -> bool {
        match self {
            Ids::Exact(set) => set.insert(hash),
            Ids::Deferred(buckets) => {
                let low = (hash as u64).to_le_bytes();
                let rest: [u8; 7] = low[..7].try_into().expect("7 of 8 bytes");
                buckets[usize::from(low[7])].push(rest);
                true
            }
        }
    }
}

/// How a pass ended.
#[allow(clippy::large_enum_variant)] // one value a pass, moved once
enum Pass {
    /// As [`read`] returns.
    Done(Option<(Tally, Replay)>),
    /// A deferred check found two ids alike: the pass must be made again with an exact set.
    Duplicates,
}

/// One pass of [`read`].
fn read_pass(
    path: &Path,
    opts: LoadOptions,
    keys: Keys<'_>,
    corpus: &mut Corpus,
    rejects: &mut Vec<RowProblem>,
    dedup: Dedup,
) -> Result<Pass> {
    let file = path.display().to_string();
    let stage = crate::progress::Stage::start("claims");
    let io_err = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let (reader, spool): (Box<dyn Read + Send>, _) = if path.as_os_str() == "-" {
        let spool = tempfile::NamedTempFile::new().map_err(io_err)?;
        let copy = spool.reopen().map_err(io_err)?;
        (
            Box::new(Tee {
                inner: io::stdin(),
                spool: copy,
            }),
            Some(spool),
        )
    } else {
        (open_input(path)?, None)
    };
    let layout = Layout::of(path);
    let mut blocks = layout.blocks(reader, opts.block_size);
    let mut first = blocks.next_block().map_err(io_err)?.unwrap_or_default();
    let (headers, header_end, mut line) = header_of(layout, path, &first, &SPEC)?;
    first.drain(..header_end);
    let has_text = headers
        .iter()
        .any(|h| String::from_utf8_lossy(h).trim_start_matches('\u{feff}').trim() == "text");
    let keys = match keys {
        Keys::Detect if !has_text => Keys::Required,
        k => k,
    };
    let mut index = match keys {
        Keys::Required | Keys::Shard => resolve_columns(path, &headers, &SPEC)?,
        _ => resolve_columns_lacking(path, &headers, &SPEC, &["story_id"])?,
    };
    if !opts.keep_topics {
        index[7] = None;
    } else if index[7].is_none() {
        // `--topics` scores each outlet per topic: without the column it would write an empty table.
        let found: Vec<String> = headers
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
        return Err(Error::MissingColumn {
            path: path.to_owned(),
            column: "topic".to_owned(),
            found: found.join(","),
        });
    }
    if matches!(keys, Keys::Detect) && index[3].is_none() {
        return Ok(Pass::Done(None));
    }
    let n_fields = headers.len();
    corpus.value_kind = opts.value_kind;

    let mut tally = Tally {
        file: file.clone(),
        ..Tally::default()
    };
    // Size the id table from the first block's rows per byte and the file's size, where it is known, to
    // spare the rehashing of a table grown one doubling at a time.
    let file_size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64;
    let rows_per_byte = memchr::memchr_iter(b'\n', &first).count() as f64 / first.len().max(1) as f64;
    let expected = if path.as_os_str() == "-" || path.extension().is_some_and(|e| e == "gz" || e == "zst") {
        0
    } else {
        (file_size * rows_per_byte * 1.05) as usize
    };
    let mut seen = match dedup {
        Dedup::Exact => Ids::Exact(IdSet::with_capacity_and_hasher(expected, Default::default())),
        Dedup::Deferred => Ids::Deferred(
            (0..LOW_BUCKETS)
                .map(|_| Vec::with_capacity(expected.div_ceil(LOW_BUCKETS) * 9 / 8))
                .collect(),
        ),
    };
    let mut replay = Replay {
        path: path.to_owned(),
        spool,
        block_size: opts.block_size,
        header_end,
        index,
        layout,
        value_kind: opts.value_kind,
        starts: Vec::new(),
        skipped: Vec::new(),
        as_of: opts.as_of,
    };
    // Duplicates found, as (index in `rejects`, id hash): their first lines are looked up afterwards.
    let mut duplicates: Vec<(usize, u128)> = Vec::new();
    corpus.mentions.reserve(expected);
    if opts.keep_times {
        corpus.published.reserve(expected);
    }
    let batch = BATCH_PER_THREAD * rayon::current_num_threads().max(1);
    let read_batch = |blocks: &mut BlockReader<Box<dyn Read + Send>>, into: &mut Vec<Vec<u8>>| {
        fill_batch(blocks, into, batch).map_err(io_err)
    };
    // A pipeline of two stages on rayon's pool: while one batch of blocks is parsed in parallel, the batch
    // parsed before it is merged in order (the merge is sequential) and the next batch is read.
    let index = replay.index.clone();
    let mut current = vec![first];
    read_batch(&mut blocks, &mut current)?;
    let mut previous: Vec<Parsed> = Vec::new();
    let mut unkeyed = false;
    // Mentions and stories after the batch before, for the stories' rate.
    let mut before = (0usize, 0usize);
    while !current.is_empty() || !previous.is_empty() {
        let done = std::mem::take(&mut previous);
        let (parsed, next) = rayon::join(
            || {
                current
                    .par_iter()
                    .map(|b| parse_block(layout, b, &index, n_fields, opts.as_of, opts.value_kind, keys))
                    .collect::<Vec<Parsed>>()
            },
            || -> Result<Vec<Vec<u8>>> {
                for p in done {
                    if p.unkeyed {
                        unkeyed = true;
                        return Ok(Vec::new());
                    }
                    replay.starts.push(BlockStart {
                        line,
                        mention: corpus.mentions.len() as u64,
                    });
                    let newlines = p.newlines;
                    stage.add((p.candidates.len() + p.refused.len()) as u64);
                    let (mut problems, later) = merge(p, line, &file, opts, corpus, &mut seen, &mut tally);
                    problems.sort_by_key(|q| q.0.line);
                    if opts.strict
                        && let Some((first, dup)) = problems.first()
                    {
                        let mut first = first.clone();
                        if let Some(hash) = dup {
                            let lines = replay.first_lines(&[*hash], n_fields, keys)?;
                            first.reason = duplicate_reason(lines.get(hash).copied());
                        }
                        return Err(Error::BadRow(first));
                    }
                    let skipped_from = replay.skipped.len();
                    replay.skipped.extend(later);
                    for (q, dup) in problems {
                        replay.skipped.push(q.line);
                        if let Some(hash) = dup {
                            duplicates.push((rejects.len(), hash));
                        }
                        rejects.push(q);
                    }
                    replay.skipped[skipped_from..].sort_unstable();
                    line += newlines;
                }
                // The stories' lookup table grows ahead of need where new stories come at a steady rate
                // (the last batch's at least 0.9 of the rate so far, as in a file grouped by story) and
                // that rate says the rest of the file will fill it: its rehash, which holds the old and
                // the new slots at once, then comes while less is loaded, not near the end of the pass
                // (10M benchmark votes with times: the pass's peak 293 -> 284 MiB). Where stories recur,
                // their rate falls and the table grows only when it fills, so that it does not double for
                // nothing. Only the table's size changes, never an id.
                let (m, s) = (corpus.mentions.len(), corpus.stories.len());
                if expected > 0 && m > before.0 {
                    let rate = (s - before.1) as f64 / (m - before.0) as f64;
                    let left = (expected as f64 / 1.05 - m as f64).max(0.0);
                    if rate >= 0.9 * s as f64 / m as f64 {
                        corpus.stories.reserve_for(s + (rate * left) as usize);
                    }
                }
                before = (m, s);
                let mut next = Vec::new();
                read_batch(&mut blocks, &mut next)?;
                Ok(next)
            },
        );
        previous = parsed;
        current = next?;
        if unkeyed {
            return Ok(Pass::Done(None));
        }
    }
    if let Ids::Deferred(mut buckets) = seen {
        // Two equal low halves share a bucket; any order of a bucket puts equal ones next to each other.
        let repeated = buckets.par_iter_mut().any(|b| {
            b.sort_unstable();
            b.windows(2).any(|w| w[0] == w[1])
        });
        if repeated {
            return Ok(Pass::Duplicates);
        }
    }
    if !duplicates.is_empty() {
        let hashes: Vec<u128> = duplicates.iter().map(|d| d.1).collect();
        let lines = replay.first_lines(&hashes, n_fields, keys)?;
        for (k, hash) in duplicates {
            rejects[k].reason = duplicate_reason(lines.get(&hash).copied());
        }
    }
    Ok(Pass::Done(Some((tally, replay))))
}

/// The set of claim-id hashes seen so far.
type IdSet = hashbrown::HashSet<u128, BuildHasherDefault<Prehashed>>;

fn duplicate_reason(first: Option<u64>) -> String {
    match first {
        Some(l) => format!("duplicate claim_id (first at line {l})"),
        None => "duplicate claim_id".to_owned(),
    }
}

/// Merges one parsed block, whose first line is `first_line`, into the corpus; returns its problems, each
/// with the id hash where it is a duplicate, and the lines set aside as later than `as_of`.
fn merge(
    p: Parsed,
    first_line: u64,
    file: &str,
    opts: LoadOptions,
    corpus: &mut Corpus,
    seen: &mut Ids,
    tally: &mut Tally,
) -> (Vec<(RowProblem, Option<u128>)>, Vec<u64>) {
    let global = |local: u64| first_line + local - 1;
    let (n_candidates, n_refused) = (p.candidates.len(), p.refused.len());
    let later: Vec<u64> = p.later.iter().map(|&l| global(l)).collect();
    let mut problems: Vec<(RowProblem, Option<u128>)> = p
        .refused
        .into_iter()
        .map(|(l, r)| (r.at(file, global(l)), None))
        .collect();
    let mut sources = vec![u32::MAX; p.sources.len()];
    let mut stories = vec![u32::MAX; p.stories.len()];
    let mut values = vec![u32::MAX; p.values.len()];
    let mut topics = vec![u32::MAX; p.topics.len()];
    let mut source_id = |corpus: &mut Corpus, local: u32| {
        let slot = &mut sources[local as usize];
        if *slot == u32::MAX {
            *slot = corpus.sources.intern(p.sources.name(local));
        }
        *slot
    };
    for c in &p.candidates {
        let line = global(c.line);
        if !seen.insert(c.hash) {
            let id = &p.ids[c.id.0 as usize..(c.id.0 + c.id.1) as usize];
            problems.push((
                Refusal::new("claim_id", id, duplicate_reason(None)).at(file, line),
                Some(c.hash),
            ));
            continue;
        }
        let source = source_id(corpus, c.source);
        let attributed = if c.attributed == Mention::ORIGINAL {
            c.attributed
        } else {
            source_id(corpus, c.attributed)
        };
        let slot = &mut stories[c.story as usize];
        if *slot == u32::MAX {
            *slot = corpus.stories.intern(p.stories.name(c.story));
        }
        corpus.mentions.push(Mention {
            story: *slot,
            source,
            attributed_to: attributed,
            stance: c.stance,
        });
        if opts.keep_times {
            corpus.published.push(c.time);
        }
        if opts.keep_topics {
            let topic = if c.topic == u32::MAX {
                u32::MAX
            } else {
                let slot = &mut topics[c.topic as usize];
                if *slot == u32::MAX {
                    *slot = corpus.topics.intern(p.topics.name(c.topic));
                }
                *slot
            };
            corpus.mention_topics.push(topic);
        }
        if c.value != u32::MAX {
            let slot = &mut values[c.value as usize];
            if *slot == u32::MAX {
                *slot = corpus.values.intern(p.values.name(c.value));
            }
            corpus.mention_values.push(*slot);
        }
    }
    tally.read += (n_candidates + n_refused + later.len()) as u64;
    tally.rejected += problems.len() as u64;
    tally.later += later.len() as u64;
    tally.scored += (n_candidates + n_refused - problems.len()) as u64;
    (problems, later)
}

impl Replay {
    /// Whether the file has a `value` column (in JSON Lines, whether its first object has the key), so that
    /// its stories take values, whether or not any row was accepted.
    pub fn has_values(&self) -> bool {
        self.index[6].is_some()
    }

    /// The lines of the claims file that were not accepted (rejected or set aside), sorted.
    pub(crate) fn skipped(&self) -> &[u64] {
        &self.skipped
    }

    /// The line where each of `hashes` was first accepted, by parsing the blocks read so far again; only
    /// called when duplicates were found.
    fn first_lines(
        &self,
        hashes: &[u128],
        n_fields: usize,
        keys: Keys<'_>,
    ) -> Result<rustc_hash::FxHashMap<u128, u64>> {
        let wanted: rustc_hash::FxHashSet<u128> = hashes.iter().copied().collect();
        let mut found = rustc_hash::FxHashMap::default();
        let io_err = |source| Error::Io {
            path: self.path.clone(),
            source,
        };
        let mut blocks = self.blocks()?;
        for (k, start) in self.starts.iter().enumerate() {
            let Some(mut bytes) = blocks.next_block().map_err(io_err)? else {
                break;
            };
            if k == 0 {
                bytes.drain(..self.header_end.min(bytes.len()));
            }
            for c in parse_block(
                self.layout,
                &bytes,
                &self.index,
                n_fields,
                self.as_of,
                self.value_kind,
                keys,
            )
            .candidates
            {
                if wanted.contains(&c.hash) {
                    found.entry(c.hash).or_insert(start.line + c.line - 1);
                }
            }
            if found.len() == wanted.len() {
                break;
            }
        }
        Ok(found)
    }

    /// Opens the claims input again, cut into the same blocks as the first pass.
    fn blocks(&self) -> Result<BlockReader<Box<dyn Read + Send>>> {
        let reader: Box<dyn Read + Send> = match &self.spool {
            Some(spool) => Box::new(spool.reopen().map_err(|source| Error::Io {
                path: spool.path().to_owned(),
                source,
            })?),
            None => open_input(&self.path)?,
        };
        Ok(self.layout.blocks(reader, self.block_size))
    }

    /// Calls `format(out, mention, row)` for every accepted row of the claims file, where `mention` is
    /// the row's index in [`Corpus::mentions`]; blocks run in parallel, and each block's output is handed
    /// to `sink` in input order.
    ///
    /// # Errors
    /// Reading the input again fails, or `sink` fails.
    pub(crate) fn for_each_block(
        &self,
        format: impl Fn(&mut Vec<u8>, usize, &Row<'_>) + Sync,
        mut sink: impl FnMut(&[u8]) -> Result<()> + Send,
    ) -> Result<()> {
        let io_err = |source| Error::Io {
            path: self.path.clone(),
            source,
        };
        let stage = crate::progress::Stage::start("claims.csv");
        let mut blocks = self.blocks()?;
        let mut first = blocks.next_block().map_err(io_err)?.unwrap_or_default();
        first.drain(..self.header_end.min(first.len()));
        let batch = BATCH_PER_THREAD * rayon::current_num_threads().max(1);
        let read_batch = |blocks: &mut BlockReader<Box<dyn Read + Send>>, into: &mut Vec<Vec<u8>>| {
            fill_batch(blocks, into, batch).map_err(io_err)
        };
        let format_block = |bytes: &Vec<u8>, start: &BlockStart| {
            let mut out = Vec::with_capacity(bytes.len());
            let mut mention = start.mention as usize;
            let mut skip = self.skipped.partition_point(|&l| l < start.line);
            self.layout.for_each_row(bytes, SPEC.names, |local, fields| {
                let line = start.line + local - 1;
                if self.skipped.get(skip) == Some(&line) {
                    skip += 1;
                    return;
                }
                // Every line that was not accepted is skipped above.
                let Ok(fields) = fields else { return };
                format(
                    &mut out,
                    mention,
                    &Row {
                        record: fields,
                        index: &self.index,
                        names: SPEC.names,
                    },
                );
                mention += 1;
            });
            out
        };
        // As in the first pass, a pipeline: one batch is formatted in parallel while the batch before it is
        // written out in order and the next one is read.
        let mut current = vec![first];
        read_batch(&mut blocks, &mut current)?;
        let mut written: Vec<Vec<u8>> = Vec::new();
        let mut k = 0;
        while !current.is_empty() || !written.is_empty() {
            let starts = self.starts.get(k..k + current.len()).ok_or_else(|| Error::Io {
                path: self.path.clone(),
                source: io::Error::other("the claims input changed between the two passes"),
            })?;
            let done = std::mem::take(&mut written);
            let (outputs, next) = rayon::join(
                || {
                    current
                        .par_iter()
                        .zip(starts)
                        .map(|(b, s)| format_block(b, s))
                        .collect::<Vec<Vec<u8>>>()
                },
                || -> Result<Vec<Vec<u8>>> {
                    for o in &done {
                        sink(o)?;
                    }
                    let mut next = Vec::new();
                    read_batch(&mut blocks, &mut next)?;
                    Ok(next)
                },
            );
            k += current.len();
            stage.add(starts.windows(2).map(|w| w[1].mention - w[0].mention).sum());
            written = outputs;
            current = next?;
        }
        Ok(())
    }
}

/// Calls `format(out, line, row)` for every row of the claims file at `path` whose line is not in
/// `rejected` (sorted), blocks in parallel, handing each block's output to `sink` in order. For a merge
/// that writes `claims.csv` from the shards' files (the rows are matched to the model by their names, not
/// by position), and that checks their claim ids first.
///
/// # Errors
/// The file cannot be read, has no header or lacks a required column; `sink` fails.
pub(crate) fn for_each_accepted_row(
    path: &Path,
    block_size: usize,
    rejected: &[u64],
    format: impl Fn(&mut Vec<u8>, u64, &Row<'_>) + Sync,
    mut sink: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    let io_err = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let layout = Layout::of(path);
    let mut blocks = layout.blocks(open_input(path)?, block_size);
    let mut first = blocks.next_block().map_err(io_err)?.unwrap_or_default();
    let (headers, header_end, mut line) = header_of(layout, path, &first, &SPEC)?;
    first.drain(..header_end);
    let index = resolve_columns(path, &headers, &SPEC)?;
    let batch = BATCH_PER_THREAD * rayon::current_num_threads().max(1);
    let mut pending = vec![first];
    loop {
        fill_batch(&mut blocks, &mut pending, batch).map_err(io_err)?;
        if pending.is_empty() {
            return Ok(());
        }
        let mut starts = Vec::with_capacity(pending.len());
        for b in &pending {
            starts.push(line);
            line += layout.line_breaks(b);
        }
        let outputs: Vec<Vec<u8>> = pending
            .par_iter()
            .zip(&starts)
            .map(|(bytes, &start)| {
                let mut out = Vec::with_capacity(bytes.len());
                let mut skip = rejected.partition_point(|&l| l < start);
                layout.for_each_row(bytes, SPEC.names, |local, fields| {
                    let at = start + local - 1;
                    if rejected.get(skip) == Some(&at) {
                        skip += 1;
                        return;
                    }
                    let Ok(fields) = fields else { return };
                    format(
                        &mut out,
                        at,
                        &Row {
                            record: fields,
                            index: &index,
                            names: SPEC.names,
                        },
                    );
                });
                out
            })
            .collect();
        pending.clear();
        for o in &outputs {
            sink(o)?;
        }
    }
}

/// A claim id that two shards' claims files both hold: where it is, in the order the files were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedId {
    /// The id.
    pub id: String,
    /// The file (its index in the list given) and line of the first row that holds it.
    pub first: (usize, u64),
    /// The same for the second.
    pub second: (usize, u64),
}

/// The first claim id that two of `files` (each with its shard's refused or set-aside lines, sorted) both
/// hold among their accepted rows, or `None`. Each shard's run refused the later of two equal ids within
/// its own file; across shards no run saw both, so the shards' partials count both claims, where one run
/// over all the files would refuse the second. Ids are compared by the low 64 bits of their xxh3 hash
/// (8 bytes a claim), and the rows whose hashes meet are read again to compare the ids themselves, so a
/// collision of hashes is not taken for a shared id.
///
/// # Errors
/// A file cannot be read, has no header or lacks a required column.
pub(crate) fn shared_id(files: &[(&Path, &[u64])], block_size: usize) -> Result<Option<SharedId>> {
    fn id<'r>(row: &'r Row<'_>) -> &'r str {
        row.required(0).unwrap_or_default()
    }
    let low = |id: &str| xxhash_rust::xxh3::xxh3_128(id.as_bytes()) as u64;
    let mut all: Vec<(u64, u32)> = Vec::new();
    for (k, (path, skip)) in files.iter().enumerate() {
        for_each_accepted_row(
            path,
            block_size,
            skip,
            |out, _, row| out.extend_from_slice(&low(id(row)).to_le_bytes()),
            |bytes| {
                all.extend(
                    bytes
                        .chunks_exact(8)
                        .map(|b| (u64::from_le_bytes(b.try_into().expect("8 bytes")), k as u32)),
                );
                Ok(())
            },
        )?;
    }
    all.par_sort_unstable();
    let mut met: Vec<u64> = all
        .windows(2)
        .filter(|w| w[0].0 == w[1].0 && w[0].1 != w[1].1)
        .map(|w| w[0].0)
        .collect();
    drop(all);
    if met.is_empty() {
        return Ok(None);
    }
    met.dedup();
    // The rows whose hashes met, in file and line order, with their ids.
    let mut rows: Vec<(String, usize, u64)> = Vec::new();
    for (k, (path, skip)) in files.iter().enumerate() {
        for_each_accepted_row(
            path,
            block_size,
            skip,
            |out, line, row| {
                let id = id(row);
                if met.binary_search(&low(id)).is_ok() {
                    out.extend_from_slice(&line.to_le_bytes());
                    out.extend_from_slice(&(id.len() as u64).to_le_bytes());
                    out.extend_from_slice(id.as_bytes());
                }
            },
            |mut bytes| {
                while bytes.len() >= 16 {
                    let line = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
                    let n = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes")) as usize;
                    rows.push((String::from_utf8_lossy(&bytes[16..16 + n]).into_owned(), k, line));
                    bytes = &bytes[16 + n..];
                }
                Ok(())
            },
        )?;
    }
    let mut first_seen: rustc_hash::FxHashMap<&str, (usize, u64)> = rustc_hash::FxHashMap::default();
    for (id, k, line) in &rows {
        match first_seen.get(id.as_str()) {
            Some(&first) if first.0 != *k => {
                return Ok(Some(SharedId {
                    id: id.clone(),
                    first,
                    second: (*k, *line),
                }));
            }
            Some(_) => {}
            None => {
                first_seen.insert(id, (*k, *line));
            }
        }
    }
    Ok(None)
}
