//! Shards that merge: the sufficient statistics of one part of the input, and their union.
//!
//! A [`Partial`] holds everything the model needs from one shard, and of each claim only what it reads:
//!
//! * the shard's outlets and stories, by name, and its claims reduced to counted mentions, one entry per
//!   distinct (story, outlet, outlet relayed, stance, value, topic, time): the per-story sufficient
//!   statistics of attribution and evidence, and what `--detect-copies`, `--half-life` and `--topics`
//!   read;
//! * its responses and resolutions as raw rows that name their story (a shard may hold a response to a
//!   story whose claims all sit in other shards, so story links are made at the merge);
//! * the tallies and refused rows of its files.
//!
//! [`merge`] unions any number of partials, in any order, into one corpus and returns what a single run
//! over all the input would have loaded; the model then gives the same scores, because every sum it takes
//! runs over integer counts or over names in sorted order. A responses or resolutions file given to several
//! shards (same name) is counted once.
//!
//! The file is JSON: `{"format": "credence-partial", "version": 3, ...}`; a reader refuses other formats
//! and versions (version 3 added values, topics and every claim's time). Claim ids are not carried: each shard checks
//! its own for duplicates, and a merge given the claims files checks them across shards
//! ([`Merged::check_claim_ids`]).

mod held;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::corpus::{Corpus, Mention, Stance};
use crate::error::{Error, Result, RowProblem};
use crate::ingest::answers::{self, RawFile, RawResolution, RawResponse};
use crate::ingest::{Inputs, LoadOptions, Tally, claims};
use crate::report::{InputTallies, ShardClaims};

/// The format name written in every partial.
pub const FORMAT: &str = "credence-partial";
/// The version of the partial format this build reads and writes.
pub const VERSION: u32 = 3;

/// One shard's sufficient statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// Always [`FORMAT`].
    pub format: String,
    /// The format version, [`VERSION`].
    pub version: u32,
    /// The credence version that wrote it.
    pub credence_version: String,
    /// The shard's claims file.
    pub claims: Tally,
    /// The claims file's absolute path when it was read (absent for standard input, and in partials
    /// written before it was added), so that a merge run from another folder still pairs the file given to
    /// `--claims` with this shard ([`Merged::claims_tables`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_path: Option<String>,
    /// The `--as-of` time it was scored with (absent when none, and in partials written before it was
    /// added): shards cut at different times merge into no single run, so a merge refuses them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<i64>,
    /// Its refused claim rows.
    pub claim_rejects: Vec<RowProblem>,
    /// Lines of its claim rows set aside as dated after `as_of` (absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claim_later: Vec<u64>,
    /// Outlet names; mentions refer to them by position.
    pub sources: Vec<String>,
    /// Story names; mentions refer to them by position.
    pub stories: Vec<String>,
    /// `[story, source, relayed source or -1, stance (0 asserts, 1 denies), count]`: one entry per distinct
    /// (story, outlet, relayed outlet, stance, value, topic, time) of its claims, sorted.
    pub mentions: Vec<(u32, u32, i64, u8, u64)>,
    /// Each mention entry's `published_at`, parallel to `mentions` (version 3; version 2 kept each group's
    /// earliest only, which em's copy model needs but `--half-life` and `--detect-copies` do not).
    pub times: Vec<i64>,
    /// The claims' values, when its claims file has a `value` column (version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<EntryNames>,
    /// The claims' topics, when it was scored with `--topics` (version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<EntryNames>,
    /// How its values were normalised (`--value-kind`), when it has values: a merge of shards normalised
    /// differently would compare values that no one run compares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_kind: Option<crate::value::ValueKind>,
    /// Its responses file, raw (`None` when read by a merge that already holds a copy of it).
    #[serde(default, deserialize_with = "held::file")]
    pub responses: Option<RawFile<RawResponse>>,
    /// Its resolutions file, raw (as `responses`).
    #[serde(default, deserialize_with = "held::file")]
    pub resolutions: Option<RawFile<RawResolution>>,
}

/// Names attached to mention entries (values or topics): each entry's name by position in `names`; for
/// topics, -1 for none (a claim with no topic). Every claim with values has one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntryNames {
    /// The distinct names, in order of first appearance.
    pub names: Vec<String>,
    /// Each mention entry's name, parallel to [`Partial::mentions`].
    pub entries: Vec<i64>,
}

impl EntryNames {
    /// Entry `k`'s name as the id `ids` gives its position (`u32::MAX` for -1 where `none` is allowed);
    /// `None` when the entry is missing or names no position of the list (a damaged partial).
    fn id(&self, k: usize, ids: &[u32], none: bool) -> Option<u32> {
        match *self.entries.get(k)? {
            -1 if none => Some(u32::MAX),
            at => ids.get(usize::try_from(at).ok()?).copied(),
        }
    }
}

impl Partial {
    /// Rows refused for lacking a `story_id` (claims and responses): `score --partial` says so on its own,
    /// since a single run would have scored them and its tally line alone does not tell why.
    pub fn unkeyed_rejects(&self) -> usize {
        let responses = self.responses.as_ref().map_or(&[][..], |r| &r.rejects);
        self.claim_rejects
            .iter()
            .chain(responses)
            .filter(|r| r.reason == crate::ingest::SHARD_NEEDS_KEY)
            .count()
    }
}

/// Reads one shard's inputs into a partial.
///
/// # Errors
/// As for [`crate::ingest::load`].
pub fn partial(inputs: &Inputs, opts: LoadOptions) -> Result<Partial> {
    // Every claim's time is carried, whatever the shard's own options: the merge's model may need them.
    let opts = LoadOptions {
        keep_times: true,
        ..opts
    };
    let mut corpus = Corpus::default();
    let mut claim_rejects = Vec::new();
    // Stories are formed from texts only in a single run: a shard needs every row keyed.
    let (tally, replay) = claims::read(
        &inputs.claims,
        opts,
        claims::Keys::Shard,
        &mut corpus,
        &mut claim_rejects,
    )?
    .expect("only a detecting pass stops early");
    let mut rejected: Vec<u64> = claim_rejects.iter().map(|r| r.line).collect();
    rejected.sort_unstable();
    let claim_later: Vec<u64> = replay
        .skipped()
        .iter()
        .copied()
        .filter(|l| rejected.binary_search(l).is_err())
        .collect();
    let strict_check = |raw: &[RowProblem]| match raw.iter().min_by_key(|p| p.line) {
        Some(first) if opts.strict => Err(Error::BadRow(first.clone())),
        _ => Ok(()),
    };
    let mut responses = inputs
        .responses
        .as_deref()
        .map(|p| answers::read_responses(p, answers::ResponseKeys::Required))
        .transpose()?;
    let mut resolutions = inputs
        .resolutions
        .as_deref()
        .map(answers::read_resolutions)
        .transpose()?;
    if let Some(r) = &mut responses {
        r.set_aside_after(opts.as_of);
    }
    if let Some(r) = &mut resolutions {
        r.set_aside_after(opts.as_of);
    }
    strict_check(responses.as_ref().map_or(&[][..], |r| &r.rejects))?;
    strict_check(resolutions.as_ref().map_or(&[][..], |r| &r.rejects))?;
    // One entry per distinct (story, outlet, relayed outlet, stance, value, topic, time): everything the
    // model reads of a claim, so that the merged corpus holds the single run's claims in another order.
    let value = |i: usize| corpus.mention_values.get(i).copied().unwrap_or(u32::MAX);
    let topic = |i: usize| corpus.mention_topics.get(i).copied().unwrap_or(u32::MAX);
    let mut keys: Vec<(u32, u32, u32, u8, u32, u32, i64)> = (0..corpus.mentions.len())
        .map(|i| {
            let m = corpus.mentions.get(i);
            (
                m.story,
                m.source,
                m.attributed_to,
                u8::from(m.stance == Stance::Denies),
                value(i),
                topic(i),
                corpus.published.get(i),
            )
        })
        .collect();
    keys.sort_unstable();
    let entry_id = |id: u32| if id == u32::MAX { -1 } else { i64::from(id) };
    // Values and topics are kept only where the partial carries them (at 10M claims, 80 MB each).
    let (valued, keep_topics) = (replay.has_values(), opts.keep_topics);
    let mut mentions: Vec<(u32, u32, i64, u8, u64)> = Vec::new();
    let (mut times, mut values, mut topics) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for k in keys {
        if last == Some(k) {
            if let Some(m) = mentions.last_mut() {
                m.4 += 1;
            }
            continue;
        }
        last = Some(k);
        let attributed = if k.2 == Mention::ORIGINAL { -1 } else { i64::from(k.2) };
        mentions.push((k.0, k.1, attributed, k.3, 1));
        if valued {
            values.push(entry_id(k.4));
        }
        if keep_topics {
            topics.push(entry_id(k.5));
        }
        times.push(k.6);
    }
    let names = |n: &crate::corpus::Names, entries: Vec<i64>| EntryNames {
        names: n.iter().map(str::to_owned).collect(),
        entries,
    };
    // By the file's columns, not by its accepted rows: a shard whose every row was refused for its value
    // (scored with the wrong --value-kind) still says how it read values, and the merge compares that.
    let values = valued.then(|| names(&corpus.values, values));
    let topics = keep_topics.then(|| names(&corpus.topics, topics));
    Ok(Partial {
        format: FORMAT.to_owned(),
        version: VERSION,
        credence_version: env!("CARGO_PKG_VERSION").to_owned(),
        claims: tally,
        claims_path: answers::absolute(&inputs.claims),
        as_of: opts.as_of,
        claim_rejects,
        claim_later,
        sources: corpus.sources.iter().map(str::to_owned).collect(),
        stories: corpus.stories.iter().map(str::to_owned).collect(),
        mentions,
        times,
        values,
        topics,
        value_kind: valued.then_some(corpus.value_kind),
        responses,
        resolutions,
    })
}

/// Writes a partial to `path` (atomically: a temporary name, then a rename).
///
/// # Errors
/// The file cannot be written.
pub fn write_partial(path: &Path, partial: &Partial) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let io_err = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::create(&tmp).map_err(io_err)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    serde_json::to_writer(&mut w, partial).map_err(|e| io_err(e.into()))?;
    w.write_all(b"\n").map_err(io_err)?;
    w.flush().map_err(io_err)?;
    drop(w);
    std::fs::rename(&tmp, path).map_err(io_err)
}

/// Reads a partial, refusing other formats and versions.
///
/// # Errors
/// The file cannot be read or is not a partial of this version.
pub fn read_partial(path: &Path) -> Result<Partial> {
    let io_err = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let p: Partial = serde_json::from_reader(std::io::BufReader::with_capacity(1 << 20, file))
        .map_err(|e| Error::Config(format!("{}: not a credence partial: {e}", path.display())))?;
    if p.format != FORMAT || p.version != VERSION {
        return Err(Error::Config(format!(
            "{}: a {} version {} file; this credence reads {FORMAT} version {VERSION}",
            path.display(),
            p.format,
            p.version
        )));
    }
    check_counts(&p).map_err(|why| Error::Config(format!("{}: a damaged credence partial: {why}", path.display())))?;
    Ok(p)
}

/// Refuses a partial whose counts do not add up (edited by hand, or damaged): merged, it would give tallies
/// that do not reconcile, and rows counted that are not there.
fn check_counts(p: &Partial) -> std::result::Result<(), String> {
    let t = &p.claims;
    let sum = |parts: &[u64]| parts.iter().try_fold(0u64, |a, &b| a.checked_add(b));
    if sum(&[t.scored, t.rejected, t.later]) != Some(t.read) {
        return Err(format!(
            "{}: {} rows read is not {} scored + {} rejected + {} later",
            t.file, t.read, t.scored, t.rejected, t.later
        ));
    }
    let parallel = |what: &str, n: usize| {
        if n == p.mentions.len() {
            Ok(())
        } else {
            Err(format!(
                "{}: {} mention entries but {n} {what}",
                t.file,
                p.mentions.len()
            ))
        }
    };
    parallel("times", p.times.len())?;
    if let Some(v) = &p.values {
        parallel("values", v.entries.len())?;
    }
    if let Some(v) = &p.topics {
        parallel("topics", v.entries.len())?;
    }
    if p.values.is_some() != p.value_kind.is_some() {
        return Err(format!(
            "{}: values without their kind, or a kind without values",
            t.file
        ));
    }
    // The number model reads each value as the number it names; a shard wrote only finite ones.
    if let (Some(v), Some(crate::value::ValueKind::Number)) = (&p.values, p.value_kind)
        && let Some(bad) = v.names.iter().find(|n| !n.parse::<f64>().is_ok_and(f64::is_finite))
    {
        return Err(format!("{}: the number value {bad:?} is not a finite number", t.file));
    }
    if p.claim_rejects.len() as u64 != t.rejected || p.claim_later.len() as u64 != t.later {
        return Err(format!(
            "{}: {} rejected and {} later, but {} refused rows and {} later lines listed",
            t.file,
            t.rejected,
            t.later,
            p.claim_rejects.len(),
            p.claim_later.len()
        ));
    }
    let counted = p.mentions.iter().try_fold(0u64, |a, m| a.checked_add(m.4));
    if counted != Some(t.scored) {
        return Err(format!(
            "{}: {} claims scored, but the mentions count otherwise",
            t.file, t.scored
        ));
    }
    let raw = |file: &str, read: u64, parts: [usize; 2], later: u64| {
        if sum(&[parts[0] as u64, parts[1] as u64, later]) == Some(read) {
            Ok(())
        } else {
            Err(format!(
                "{file}: {read} rows read is not {} kept + {} refused + {later} later",
                parts[0], parts[1]
            ))
        }
    };
    // Every refused row belongs to the file whose count it is in: merged, one naming another file would be
    // listed under a name whose tally does not count it.
    let own = |file: &str, rejects: &[RowProblem]| match rejects.iter().find(|x| x.file != file) {
        Some(x) => Err(format!("{file}: a refused row of it names another file, {}", x.file)),
        None => Ok(()),
    };
    own(&t.file, &p.claim_rejects)?;
    if let Some(r) = &p.responses {
        raw(&r.file, r.read, [r.rows.len(), r.rejects.len()], r.later)?;
        own(&r.file, &r.rejects)?;
    }
    if let Some(r) = &p.resolutions {
        raw(&r.file, r.read, [r.rows.len(), r.rejects.len()], r.later)?;
        own(&r.file, &r.rejects)?;
    }
    Ok(())
}

/// What a merge loaded: the union corpus, every refused row, and the tallies of every file.
#[derive(Debug)]
pub struct Merged {
    /// The union of the shards.
    pub corpus: Corpus,
    /// Refused rows: claims (shards by file name), then responses, then resolutions.
    pub rejects: Vec<RowProblem>,
    /// The tallies of every input file.
    pub inputs: InputTallies,
    /// The shards, by the claims file each partial was made from (sorted by that name).
    pub shards: Vec<Shard>,
    /// The `--as-of` time every shard was scored with, if any.
    pub as_of: Option<i64>,
}

impl Merged {
    /// Refuses `--topics` where a shard was scored without it, naming the shard: its partial carries no
    /// topics, so the merge has none.
    ///
    /// # Errors
    /// [`Error::Config`] naming the first such shard and how many there are.
    pub fn require_topics(&self) -> Result<()> {
        let without: Vec<&Shard> = self.shards.iter().filter(|s| !s.topics).collect();
        let Some(first) = without.first() else {
            return Ok(());
        };
        let partial = first
            .partial
            .as_ref()
            .map_or_else(String::new, |p| format!(" (partial {})", p.display()));
        Err(Error::Config(format!(
            "--topics: the shard of {}{partial}{} was scored without --topics, so its partial carries no \
             topics; score it again with --topics",
            first.claims_file,
            match without.len() {
                1 => String::new(),
                n => format!(" and {} other shards", n - 1),
            }
        )))
    }
}

/// One shard of a merge: what the claims table needs to replay its claims file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shard {
    /// The claims file, as named when its partial was made.
    pub claims_file: String,
    /// Its absolute path when the partial was made, where known.
    pub claims_path: Option<String>,
    /// The partial it came from, where known ([`merge_files`]), to name it in errors.
    pub partial: Option<PathBuf>,
    /// Claims it scored.
    pub scored: u64,
    /// Lines of its claims file that it refused or set aside as later than `as_of`, sorted.
    pub skip: Vec<u64>,
    /// Whether it was scored with `--topics` (its partial carries the claims' topics).
    pub topics: bool,
}

/// Reads the partials at `paths` and merges them ([`merge`]), remembering which partial each shard came
/// from so that errors about its claims file can name it.
///
/// # Errors
/// As for [`read_partial`] and [`merge`].
pub fn merge_files(paths: &[PathBuf]) -> Result<Merged> {
    // One at a time, each partial's copies of the files an earlier one carried compared as they are parsed
    // and not kept (`held`), so that a merge of many shards scored with one responses file holds that
    // file's rows once, not once per shard, nor twice while the next copy is parsed; and each partial
    // unpacked as soon as it is read and dropped (session 24: all four partials of a 10M-claim corpus held
    // at once were 929 MiB).
    let _clear = held::Clear;
    let mut merger = Merger::default();
    let mut names: Vec<String> = Vec::with_capacity(paths.len());
    let reading = crate::progress::Stage::start("partials");
    for path in paths {
        held::with(|h| h.reading = names.len());
        let mut p = read_partial(path)?;
        if let Some(differs) = held::with(|h| h.differs.take()) {
            // Shards told apart by nothing are the first thing to say (their files may differ too).
            merger.check(&p)?;
            return Err(different_rows(&differs, &names[differs.by], &p.claims.file));
        }
        held::with(|h| h.hold(names.len(), &mut p));
        names.push(p.claims.file.clone());
        merger.add(p)?;
    }
    (merger.responses, merger.resolutions) = held::with(held::Held::take_files);
    drop(reading);
    let mut merged = merger.finish()?;
    for s in &mut merged.shards {
        s.partial = names.iter().position(|n| *n == s.claims_file).map(|k| paths[k].clone());
    }
    Ok(merged)
}

/// The shared files, each under the spelling of the shard whose claims file's name sorts first among
/// those that gave it (so that a merge names it alike whatever the order of its partials), its refusals
/// renamed to match, in the order of those names.
fn named<T>(files: Vec<held::Shared<T>>, shards: &[String]) -> Vec<RawFile<T>> {
    let mut files: Vec<RawFile<T>> = files
        .into_iter()
        .map(|shared| {
            let name = shared
                .spellings
                .iter()
                .min_by(|a, b| shards[a.by].cmp(&shards[b.by]).then(a.name.cmp(&b.name)))
                .map(|s| s.name.clone())
                .unwrap_or_default();
            let mut file = shared.file;
            if file.file != name {
                for r in &mut file.rejects {
                    r.file.clone_from(&name);
                }
                file.file = name;
            }
            file
        })
        .collect();
    files.sort_by(|a, b| a.file.cmp(&b.file));
    files
}

/// Refuses two shards scored with different `--as-of` times (or one with and one without): their union is
/// no single run's input. Each shard is its claims file's name and its time; they are named in the order
/// of those names, whatever the order they were read in.
fn same_as_of(a: (&str, Option<i64>), b: (&str, Option<i64>)) -> Result<()> {
    if a.1 == b.1 {
        return Ok(());
    }
    let (a, b) = if a.0 <= b.0 { (a, b) } else { (b, a) };
    let when = |t: Option<i64>| {
        t.map_or_else(
            || "with no --as-of".to_owned(),
            |t| format!("as of {}", crate::numfmt::time(t)),
        )
    };
    Err(Error::Config(format!(
        "the shards of {} and {} were scored at different times ({} and {}); score every shard with the same \
         --as-of",
        a.0,
        b.0,
        when(a.1),
        when(b.1)
    )))
}

/// The error for two partials whose claims files have one name, `file` (recorded at the absolute paths
/// `x` and `y` where known, in the order the partials were given): the same file twice, or two files in
/// different folders, which a merge cannot tell apart.
fn same_claims_name(file: &str, x: Option<&String>, y: Option<&String>) -> Error {
    Error::Config(match (x, y) {
        (Some(x), Some(y)) if x != y => format!(
            "two partials name their claims file {file} ({x} and {y}); a merge tells shards apart by that name, \
             so score each under a name of its own (for example from the folder above)"
        ),
        _ => format!("two partials come from the same claims file {file}"),
    })
}

/// The error for a shard's copy of a responses or resolutions file whose rows differ from those another
/// shard (`other`) carried under a spelling that matches: two files of one name, or one file (the same
/// absolute path) that changed between the two scorings.
fn different_rows(d: &held::Differs, other: &str, shard: &str) -> Error {
    let (what, name) = (d.what, &d.name);
    Error::Config(match &d.same_path {
        Some(path) => format!(
            "the shards of {other} and {shard} were scored with the same {what} file ({path}), and its rows \
             differ between them: the file changed between the two scorings; score both shards again with \
             the file as it is now"
        ),
        None => format!(
            "the shards of {other} and {shard} were each scored with a {what} file named {name}, and their \
             rows differ; a merge counts a {what} file given to several shards once, by its name, so score \
             each shard with its file under a name of its own (for example with its folder: --{what} \
             jan/{name})"
        ),
    })
}

/// How many names an error lists before it says how many more there are.
const LISTED: usize = 10;

/// `names` joined with commas, the first [`LISTED`] of them, and how many more.
fn listed(names: Vec<String>) -> String {
    let more = names.len().saturating_sub(LISTED);
    let mut s = names.into_iter().take(LISTED).collect::<Vec<_>>().join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

/// Whether two names reach the same file: the same spelling, or the same path once resolved (`./a.csv`
/// and `a.csv`, a relative and an absolute name).
fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

impl Merged {
    /// Reads a groups file into the merged outlets, as a single run does
    /// ([`crate::ingest::read_sources_meta`]): its refused rows join the rejects and its tally the inputs'.
    ///
    /// # Errors
    /// As for [`crate::ingest::read_sources_meta`].
    pub fn read_sources_meta(&mut self, path: &Path) -> Result<()> {
        let tally = crate::ingest::apply_sources_meta(path, &mut self.corpus, &mut self.rejects, false)?;
        self.inputs.sources_meta.push(tally);
        self.inputs.rejected = self.rejects.len() as u64;
        Ok(())
    }

    /// Pairs the claims files given to a merge, in the order given, with the shards made from them, for
    /// `claims.csv`.
    ///
    /// A file pairs with the shard whose partial names it in the same spelling, else with the one whose
    /// file, by the absolute path recorded when it was read or by its name from this folder, is the same
    /// file on disk. Each file's rows are skipped by the lines its own shard refused, so pairing by the
    /// spelling alone (as before) let a refused row through into `claims.csv` when its names were known
    /// from other rows, and refused the right file when they were not (an unkeyed row's empty story is
    /// never known).
    ///
    /// # Errors
    /// A file pairs with no shard ([`Error::UnpairedClaims`]), two with one shard
    /// ([`Error::DuplicateClaims`]), or some shards have no file while others do
    /// ([`Error::MissingClaims`]): `claims.csv` would then hold fewer claims than `summary.json` counts. No
    /// files at all is no error: the merge then writes every output but `claims.csv`.
    pub fn claims_tables(&self, given: &[PathBuf]) -> Result<Vec<ShardClaims>> {
        let mut taken: Vec<Option<&PathBuf>> = vec![None; self.shards.len()];
        let mut tables = Vec::with_capacity(given.len());
        for path in given {
            let name = path.display().to_string();
            let k = self
                .shards
                .iter()
                .position(|s| s.claims_file == name)
                .or_else(|| {
                    self.shards.iter().position(|s| {
                        s.claims_path.as_ref().is_some_and(|a| same_file(Path::new(a), path))
                            || same_file(Path::new(&s.claims_file), path)
                    })
                })
                .ok_or_else(|| Error::UnpairedClaims {
                    path: path.clone(),
                    known: listed(self.shards.iter().map(|s| s.claims_file.clone()).collect()),
                })?;
            let shard = &self.shards[k];
            if let Some(first) = taken[k] {
                return Err(Error::DuplicateClaims {
                    path: shard.claims_file.clone(),
                    first: first.clone(),
                    second: path.clone(),
                });
            }
            taken[k] = Some(path);
            tables.push(ShardClaims {
                path: path.clone(),
                skip: shard.skip.clone(),
                scored: shard.scored,
            });
        }
        if !given.is_empty() && given.len() < self.shards.len() {
            let missing = self
                .shards
                .iter()
                .zip(&taken)
                .filter(|(_, t)| t.is_none())
                .map(|(s, _)| match &s.partial {
                    Some(p) => format!("{} (partial {})", s.claims_file, p.display()),
                    None => s.claims_file.clone(),
                })
                .collect();
            return Err(Error::MissingClaims {
                given: given.len(),
                partials: self.shards.len(),
                missing: listed(missing),
            });
        }
        Ok(tables)
    }

    /// Checks that no claim id is accepted in two shards' claims files ([`Merged::claims_tables`]' list,
    /// in the order given); a merge without the claims files cannot check it.
    ///
    /// # Errors
    /// [`Error::SharedClaimId`] for the first id found in two files; a file cannot be read.
    pub fn check_claim_ids(tables: &[ShardClaims], block_size: usize) -> Result<()> {
        let _stage = crate::progress::Stage::start("claim ids");
        let files: Vec<(&Path, &[u64])> = tables.iter().map(|t| (t.path.as_path(), t.skip.as_slice())).collect();
        match claims::shared_id(&files, block_size)? {
            None => Ok(()),
            Some(shared) => Err(Error::SharedClaimId {
                id: shared.id,
                first: tables[shared.first.0].path.clone(),
                first_line: shared.first.1,
                second: tables[shared.second.0].path.clone(),
                second_line: shared.second.1,
            }),
        }
    }
}

/// Unions partials into one corpus, as a single run over all their input would load it.
///
/// # Errors
/// Two partials name the same claims file (a shard given twice), or a partial's counts do not add up.
pub fn merge(partials: Vec<Partial>) -> Result<Merged> {
    let mut merger = Merger::default();
    for p in partials {
        merger.add(p)?;
    }
    merger.finish()
}

/// A merge under way: each partial is checked against those before it, unpacked into a chunk of the
/// union's claims (compact columns, 13 bytes or so a claim, every name interned in the union's tables)
/// and dropped, so that a merge holds the union and one partial, not every partial at once. The chunks
/// are joined in the order of their claims files' names when the last is in, so the union does not
/// depend on the order the partials were given in.
#[derive(Default)]
struct Merger {
    /// The union's names (its claims are joined into it by [`Merger::finish`]).
    corpus: Corpus,
    /// One chunk a partial, in the order added.
    chunks: Vec<Chunk>,
    /// The first partial's claims file, `--as-of` time and value kind, which every other must match.
    first: Option<(String, Option<i64>, Option<crate::value::ValueKind>)>,
    /// Whether every partial so far carries topics.
    topics: bool,
    /// Responses and resolutions files, each once, with every spelling the shards gave it.
    responses: Vec<held::Shared<RawResponse>>,
    resolutions: Vec<held::Shared<RawResolution>>,
}

/// One partial, unpacked.
struct Chunk {
    shard: Shard,
    tally: Tally,
    rejects: Vec<RowProblem>,
    mentions: crate::corpus::Mentions,
    published: crate::corpus::Times,
    values: Vec<u32>,
    topics: Vec<u32>,
}

impl Merger {
    /// Refuses `p` where it cannot join the partials before it: a damaged partial, a claims file of a
    /// name already merged, another `--as-of` time, other columns or another value kind.
    fn check(&self, p: &Partial) -> Result<()> {
        check_counts(p).map_err(|why| Error::Config(format!("a damaged credence partial: {why}")))?;
        if let Some(other) = self.chunks.iter().find(|c| c.shard.claims_file == p.claims.file) {
            return Err(same_claims_name(
                &p.claims.file,
                other.shard.claims_path.as_ref(),
                p.claims_path.as_ref(),
            ));
        }
        let Some((file, as_of, kind)) = &self.first else {
            return Ok(());
        };
        same_as_of((file, *as_of), (&p.claims.file, p.as_of))?;
        if *kind != p.value_kind {
            let describe = |k: Option<crate::value::ValueKind>| {
                k.map_or_else(
                    || "plain claims, no value column".to_owned(),
                    |k| format!("values compared as {}", k.as_str()),
                )
            };
            let (mut a, mut b) = ((file.as_str(), *kind), (p.claims.file.as_str(), p.value_kind));
            if b.0 < a.0 {
                std::mem::swap(&mut a, &mut b);
            }
            return Err(Error::Config(format!(
                "the shards of {} ({}) and {} ({}) do not merge: a single run reads one set of columns and \
                 compares values one way (give every shard the same columns, and score each with one \
                 --value-kind; a JSON Lines file takes its columns from its first object)",
                a.0,
                describe(a.1),
                b.0,
                describe(b.1)
            )));
        }
        Ok(())
    }

    /// Checks `p` ([`Merger::check`]), keeps its responses and resolutions unless a partial before it
    /// carried the same file, and unpacks its claims.
    fn add(&mut self, mut p: Partial) -> Result<()> {
        self.check(&p)?;
        if self.first.is_none() {
            self.first = Some((p.claims.file.clone(), p.as_of, p.value_kind));
            self.topics = true;
            if let Some(kind) = p.value_kind {
                self.corpus.value_kind = kind;
            }
        }
        // Each file once (a merge of files read already held them apart: `held`).
        let by = self.chunks.len();
        let mut joined = Ok(());
        if let Some(f) = p.responses.take() {
            joined = held::join("responses", &mut self.responses, f, by);
        }
        if let (Ok(()), Some(f)) = (&joined, p.resolutions.take()) {
            joined = held::join("resolutions", &mut self.resolutions, f, by);
        }
        if let Err(d) = joined {
            return Err(different_rows(&d, &self.chunks[d.by].shard.claims_file, &p.claims.file));
        }
        // Topics only when every partial has them (shards scored with --topics): otherwise the merge has
        // none, and `--topics` says so.
        if p.topics.is_none() && self.topics {
            self.topics = false;
            self.corpus.topics = Default::default();
            for c in &mut self.chunks {
                c.topics = Vec::new();
            }
        }
        let chunk = self.unpack(&p)?;
        self.chunks.push(chunk);
        Ok(())
    }

    /// `p`'s claims, its names interned in the union's tables.
    fn unpack(&mut self, p: &Partial) -> Result<Chunk> {
        let corpus = &mut self.corpus;
        let sources: Vec<u32> = p.sources.iter().map(|n| corpus.sources.intern(n)).collect();
        let stories: Vec<u32> = p.stories.iter().map(|n| corpus.stories.intern(n)).collect();
        let value_ids: Vec<u32> = p
            .values
            .iter()
            .flat_map(|v| &v.names)
            .map(|n| corpus.values.intern(n))
            .collect();
        let topics = self.topics;
        let topic_ids: Vec<u32> = p
            .topics
            .iter()
            .flat_map(|v| &v.names)
            .filter(|_| topics)
            .map(|n| corpus.topics.intern(n))
            .collect();
        let bad = || {
            Error::Config(format!(
                "partial of {}: a mention refers past its name lists",
                p.claims.file
            ))
        };
        let scored = p.claims.scored as usize;
        let mut chunk = Chunk {
            shard: Shard {
                claims_file: p.claims.file.clone(),
                claims_path: p.claims_path.clone(),
                partial: None,
                scored: p.claims.scored,
                skip: Vec::new(),
                topics: p.topics.is_some(),
            },
            tally: p.claims.clone(),
            rejects: p.claim_rejects.clone(),
            mentions: crate::corpus::Mentions::default(),
            published: crate::corpus::Times::default(),
            values: Vec::with_capacity(if p.values.is_some() { scored } else { 0 }),
            topics: Vec::with_capacity(if topics && p.topics.is_some() { scored } else { 0 }),
        };
        chunk.mentions.reserve(scored);
        chunk.published.reserve(scored);
        for (k, &(story, source, attributed, stance, count)) in p.mentions.iter().enumerate() {
            let story = *stories.get(story as usize).ok_or_else(bad)?;
            let source = *sources.get(source as usize).ok_or_else(bad)?;
            let attributed_to = match usize::try_from(attributed) {
                Ok(a) => *sources.get(a).ok_or_else(bad)?,
                Err(_) => Mention::ORIGINAL,
            };
            let stance = if stance == 1 { Stance::Denies } else { Stance::Asserts };
            let m = Mention {
                story,
                source,
                attributed_to,
                stance,
            };
            let count = count as usize;
            for _ in 0..count {
                chunk.mentions.push(m);
                chunk.published.push(p.times[k]);
            }
            if let Some(v) = &p.values {
                let id = v.id(k, &value_ids, false).ok_or_else(bad)?;
                chunk.values.extend(std::iter::repeat_n(id, count));
            }
            if let Some(t) = p.topics.as_ref().filter(|_| topics) {
                let id = t.id(k, &topic_ids, true).ok_or_else(bad)?;
                chunk.topics.extend(std::iter::repeat_n(id, count));
            }
        }
        let mut skip: Vec<u64> = p
            .claim_rejects
            .iter()
            .map(|r| r.line)
            .chain(p.claim_later.iter().copied())
            .collect();
        skip.sort_unstable();
        chunk.shard.skip = skip;
        Ok(chunk)
    }

    /// The union: the chunks joined in the order of their claims files' names, then the responses and
    /// resolutions linked to its stories.
    fn finish(self) -> Result<Merged> {
        let Merger {
            mut corpus,
            mut chunks,
            first,
            topics,
            responses,
            resolutions,
        } = self;
        let _unpacking = crate::progress::Stage::start("unpack");
        // The shards' names in the order they were added, which the files' spellings refer to.
        let shard_names: Vec<String> = chunks.iter().map(|c| c.shard.claims_file.clone()).collect();
        chunks.sort_by(|a, b| a.shard.claims_file.cmp(&b.shard.claims_file));
        let total: usize = chunks.iter().map(|c| c.mentions.len()).sum();
        corpus.mentions.reserve(total);
        corpus.published.reserve(total);
        let mut rejects = Vec::new();
        let mut inputs = InputTallies::default();
        let mut shards = Vec::with_capacity(chunks.len());
        for c in chunks {
            for i in 0..c.mentions.len() {
                corpus.mentions.push(c.mentions.get(i));
            }
            for t in c.published.iter() {
                corpus.published.push(t);
            }
            corpus.mention_values.extend_from_slice(&c.values);
            if topics {
                corpus.mention_topics.extend_from_slice(&c.topics);
            }
            inputs.claims.push(c.tally);
            rejects.extend(c.rejects);
            shards.push(c.shard);
        }
        drop(_unpacking);
        let _linking = crate::progress::Stage::start("answers");
        let responses = named(responses, &shard_names);
        let (tallies, mut problems) = answers::link_responses(&responses, &mut corpus);
        drop(responses);
        inputs.responses = tallies;
        rejects.append(&mut problems);
        let resolutions = named(resolutions, &shard_names);
        let (tallies, mut problems) = answers::link_resolutions(&resolutions, &mut corpus);
        inputs.resolutions = tallies;
        rejects.append(&mut problems);
        inputs.rejected = rejects.len() as u64;
        corpus.number_by_name();
        Ok(Merged {
            corpus,
            rejects,
            inputs,
            shards,
            as_of: first.and_then(|f| f.1),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::ValueKind;

    /// A partial of one claims file with `read` rows, `scored` of them in one mention of `count` claims,
    /// and a responses file of `responses_read` rows with one kept, a response to `story`.
    fn partial_json(read: u64, scored: u64, count: u64, responses_read: u64, story: &str) -> String {
        format!(
            r#"{{"format":"credence-partial","version":3,"credence_version":"0.1.0",
            "claims":{{"file":"claims.csv","read":{read},"scored":{scored},"rejected":0}},"claim_rejects":[],
            "sources":["Wire"],"stories":["s1"],"mentions":[[0,0,-1,0,{count}]],"times":[0],
            "responses":{{"file":"responses.csv","read":{responses_read},"rejects":[],"rows":[
            {{"line":2,"id":"r1","story":"{story}","responder":"K","responded_at":0,"verdict":"Denied"}}]}},
            "resolutions":null}}"#
        )
    }

    fn read(json: &str) -> Result<Partial> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.json");
        std::fs::write(&path, json).unwrap();
        read_partial(&path)
    }

    /// A partial of `partial_json`'s shape made from the claims file `file`, at `path` when given.
    fn shard_of(file: &str, path: Option<&Path>) -> Partial {
        let mut p: Partial = serde_json::from_str(&partial_json(2, 2, 2, 1, "s1")).unwrap();
        p.claims.file = file.to_owned();
        p.claims_path = path.map(|p| p.display().to_string());
        p
    }

    /// Audit: a merge given the claims files of some shards wrote a claims.csv of those alone while its
    /// summary counted every shard's claims; one shard's file given twice wrote its claims twice.
    #[test]
    fn claims_files_pair_one_to_one_with_the_shards_all_or_none() {
        let merged = merge(vec![shard_of("b.csv", None), shard_of("a.csv", None)]).unwrap();
        let files = |names: &[&str]| names.iter().map(PathBuf::from).collect::<Vec<_>>();
        assert!(merged.claims_tables(&[]).unwrap().is_empty());
        let both = merged.claims_tables(&files(&["b.csv", "a.csv"])).unwrap();
        let paths: Vec<&Path> = both.iter().map(|t| t.path.as_path()).collect();
        assert_eq!(paths, [Path::new("b.csv"), Path::new("a.csv")], "in the order given");
        assert_eq!(both[0].scored, 2);
        let err = merged.claims_tables(&files(&["a.csv"])).unwrap_err();
        assert!(
            matches!(&err, Error::MissingClaims { given: 1, partials: 2, missing } if missing == "b.csv"),
            "{err}"
        );
        let err = merged.claims_tables(&files(&["a.csv", "a.csv"])).unwrap_err();
        assert!(matches!(err, Error::DuplicateClaims { .. }), "{err}");
        let err = merged.claims_tables(&files(&["a.csv", "c.csv"])).unwrap_err();
        assert!(
            matches!(&err, Error::UnpairedClaims { known, .. } if known == "a.csv, b.csv"),
            "{err}"
        );
    }

    /// Shards scored with one responses file each carry it; the merge counts it once, and keeps one copy
    /// as it reads. Two files of one name whose rows differ (each shard scored in its own folder) used to
    /// be merged as one, losing the second's rows without a word; that is refused, naming both shards.
    #[test]
    fn a_responses_file_counts_once_and_two_of_one_name_must_agree() {
        let merged = merge(vec![shard_of("b.csv", None), shard_of("a.csv", None)]).unwrap();
        assert_eq!(merged.inputs.responses.len(), 1);
        assert_eq!(merged.inputs.responses[0].read, 1);
        assert_eq!(merged.corpus.responses.len(), 1);

        let mut other = shard_of("b.csv", None);
        other.responses.as_mut().unwrap().rows[0].id = "r2".to_owned();
        let err = merge(vec![shard_of("a.csv", None), other]).unwrap_err().to_string();
        assert!(
            err.contains("the shards of a.csv and b.csv were each scored with a responses file named responses.csv"),
            "{err}"
        );

        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = ["a.csv", "b.csv"]
            .iter()
            .map(|f| {
                let path = dir.path().join(format!("{f}.json"));
                write_partial(&path, &shard_of(f, None)).unwrap();
                path
            })
            .collect();
        let merged = merge_files(&paths).unwrap();
        assert_eq!(merged.corpus.responses.len(), 1);
    }

    /// A merge compares a partial's copy of a file it holds row by row as it parses it: the same rows are
    /// dropped, other rows are refused naming both shards (also when a hand-edited partial lists its rows
    /// before the file's name, and the copy is parsed whole), and nothing stays held after the merge.
    #[test]
    fn merge_files_compares_a_held_file_as_it_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, json: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, json).unwrap();
            path
        };
        let shard = |file: &str, story: &str| partial_json(2, 2, 2, 1, story).replace("claims.csv", file);
        let a = write("a.json", shard("a.csv", "s1"));
        let b = write("b.json", shard("b.csv", "s1"));
        let other = write("c.json", shard("c.csv", "s2"));
        let reordered = shard("d.csv", "s2").replace(
            r#"{"file":"responses.csv","read":1,"rejects":[],"rows":["#,
            r#"{"read":1,"rejects":[],"rows":["#,
        );
        let reordered = write("d.json", reordered.replace(r#"}]},"#, r#"}],"file":"responses.csv"},"#));
        assert!(
            read_partial(&reordered).unwrap().responses.is_some(),
            "the fixture names its file last"
        );

        let merged = merge_files(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(merged.inputs.responses.len(), 1);
        assert_eq!(merged.corpus.responses.len(), 1);
        for late in [&other, &reordered] {
            let err = merge_files(&[a.clone(), b.clone(), late.clone()])
                .unwrap_err()
                .to_string();
            assert!(err.contains("the shards of a.csv and "), "{err}");
            assert!(
                err.contains("responses file named responses.csv, and their rows differ"),
                "{err}"
            );
        }
        // Two shards scored in folders of their own, with other responses: the names are the problem.
        let jan = shard_of("claims.csv", Some(Path::new("/x/jan/claims.csv")));
        let mut feb = shard_of("claims.csv", Some(Path::new("/x/feb/claims.csv")));
        feb.responses.as_mut().unwrap().rows[0].story = "s2".to_owned();
        let (jan_path, feb_path) = (dir.path().join("jan.json"), dir.path().join("feb.json"));
        write_partial(&jan_path, &jan).unwrap();
        write_partial(&feb_path, &feb).unwrap();
        let err = merge_files(&[jan_path, feb_path]).unwrap_err().to_string();
        assert!(err.contains("(/x/jan/claims.csv and /x/feb/claims.csv)"), "{err}");
        // Nothing is held once a merge is over, failed or not: a partial read alone keeps its file.
        assert!(read_partial(&b).unwrap().responses.is_some());
    }

    /// Two shards whose claims files have one name but lie in different folders are told apart only by
    /// that name, and the error says so.
    #[test]
    fn two_claims_files_of_one_name_are_refused_saying_where_they_are() {
        let err = merge(vec![
            shard_of("claims.csv", Some(Path::new("/x/jan/claims.csv"))),
            shard_of("claims.csv", Some(Path::new("/x/feb/claims.csv"))),
        ])
        .unwrap_err()
        .to_string();
        assert!(err.contains("(/x/jan/claims.csv and /x/feb/claims.csv)"), "{err}");
    }

    /// Audit: a file spelled otherwise than when its partial was made was not paired with it, so its
    /// shard's refused rows (unkeyed ones among them) were not skipped.
    #[test]
    fn a_claims_file_pairs_with_its_shard_by_the_file_it_names() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        std::fs::write(&a, "claim_id\n").unwrap();
        // Made elsewhere: the name does not resolve from here, the recorded absolute path does.
        let merged = merge(vec![shard_of("elsewhere/a.csv", Some(&a)), shard_of("b.csv", None)]).unwrap();
        let spelled = dir.path().join(".").join("a.csv");
        let tables = merged
            .claims_tables(&[spelled.clone(), PathBuf::from("b.csv")])
            .unwrap();
        assert_eq!(tables[0].path, spelled);
        let err = merged
            .claims_tables(&[a.clone(), spelled, PathBuf::from("b.csv")])
            .unwrap_err();
        assert!(matches!(err, Error::DuplicateClaims { .. }), "{err}");
    }

    /// Audit: a shard refused a row without a story as "empty value", which did not say that a single run
    /// would have matched it; the reason now does, and `unkeyed_rejects` counts such rows.
    #[test]
    fn a_shard_refuses_an_unkeyed_row_saying_why() {
        let dir = tempfile::tempdir().unwrap();
        let claims = dir.path().join("c.csv");
        std::fs::write(
            &claims,
            "claim_id,source,published_at,story_id,stance,text\n\
             c1,A,2025-01-01,,asserts,a text\n\
             c2,B,2025-01-01,s1,asserts,\n\
             c3,C,2025-01-01,s1,maybe,\n",
        )
        .unwrap();
        let inputs = Inputs {
            claims,
            responses: None,
            resolutions: None,
        };
        let p = partial(&inputs, LoadOptions::default()).unwrap();
        let reasons: Vec<(u64, &str)> = p.claim_rejects.iter().map(|r| (r.line, r.reason.as_str())).collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert_eq!(reasons[0], (2, crate::ingest::SHARD_NEEDS_KEY));
        assert_eq!(p.unkeyed_rejects(), 1);
        let merged = merge(vec![p]).unwrap();
        assert_eq!(merged.shards[0].skip, [2, 4]);
    }

    #[test]
    fn a_partial_whose_counts_add_up_is_read_and_merges() {
        let p = read(&partial_json(2, 2, 2, 1, "s1")).unwrap();
        let merged = merge(vec![p]).unwrap();
        assert_eq!(merged.corpus.mentions.len(), 2);
        assert_eq!(merged.inputs.responses[0].scored, 1);
    }

    /// Values and topics: the entries' names reach the corpus; shards of two kinds do not merge, nor a shard
    /// of plain claims with one of claims with values, even one that scored no claim (audit: a shard scored
    /// with the wrong --value-kind refused every row, and a rule that let claimless shards in merged it).
    #[test]
    fn values_and_topics_merge_and_kinds_must_agree() {
        let valued = |file: &str, kind: crate::value::ValueKind| {
            let mut p = shard_of(file, None);
            p.values = Some(EntryNames {
                names: vec!["42".to_owned()],
                entries: vec![0],
            });
            p.topics = Some(EntryNames {
                names: vec!["war".to_owned()],
                entries: vec![-1],
            });
            p.value_kind = Some(kind);
            p
        };
        let merged = merge(vec![valued("a.csv", ValueKind::Number)]).unwrap();
        let c = &merged.corpus;
        assert_eq!(c.value_kind, ValueKind::Number);
        assert_eq!(c.mention_values.len(), 2);
        assert_eq!(c.values.name(c.mention_values[0]), "42");
        // The topics list holds no topic of a claim: entries of -1 are none.
        assert_eq!(c.mention_topics, [u32::MAX, u32::MAX]);
        assert_eq!(c.published.len(), 2);
        let e = merge(vec![
            valued("a.csv", ValueKind::Number),
            valued("b.csv", ValueKind::Text),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("a.csv (values compared as number) and b.csv (values compared as text)"),
            "{e}"
        );
        let e = merge(vec![valued("a.csv", ValueKind::Number), shard_of("b.csv", None)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.csv (plain claims, no value column)"), "{e}");
        // A shard that scored no claim says how it read values all the same.
        let mut refused = valued("b.csv", ValueKind::Text);
        (refused.claims.scored, refused.claims.rejected) = (0, 2);
        refused.claim_rejects = (2..4)
            .map(|line| RowProblem {
                file: "b.csv".to_owned(),
                line,
                column: Some("value".to_owned()),
                value: None,
                reason: "not a number value".to_owned(),
            })
            .collect();
        (refused.mentions, refused.times) = (Vec::new(), Vec::new());
        refused.values = Some(EntryNames::default());
        refused.topics = Some(EntryNames::default());
        let e = merge(vec![valued("a.csv", ValueKind::Number), refused])
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.csv (values compared as text)"), "{e}");
        // A damaged list: an entry past the names, or a list of the wrong length.
        // A number value that is no finite number (the model would read it as one).
        for bad in ["", "NaN", "inf", "many"] {
            let mut p = valued("a.csv", ValueKind::Number);
            p.values.as_mut().unwrap().names = vec![bad.to_owned()];
            let e = merge(vec![p]).unwrap_err().to_string();
            assert!(e.contains("is not a finite number"), "{e}");
        }
        // A claim with values always has one: -1 is damage there, where a topic's -1 is none.
        for bad in [3, -1, -2] {
            let mut p = valued("a.csv", ValueKind::Number);
            p.values.as_mut().unwrap().entries = vec![bad];
            let e = merge(vec![p]).unwrap_err().to_string();
            assert!(e.contains("refers past its name lists"), "{e}");
        }
        let mut p = valued("a.csv", ValueKind::Number);
        p.topics.as_mut().unwrap().entries = vec![0, 0];
        assert!(
            merge(vec![p])
                .unwrap_err()
                .to_string()
                .contains("1 mention entries but 2 topics")
        );
    }

    /// Met while writing the `partial` fuzz target, whose invariant is that every tally reconciles: a
    /// merge trusted a partial's counts, so a responses file of 0 rows read holding a response to an
    /// unknown story made its tally subtract past zero (a panic with overflow checks, a wrapped count
    /// without), and a mention count of 2^60 asked for memory without bound.
    #[test]
    fn a_partial_whose_counts_do_not_add_up_is_refused() {
        for (json, why) in [
            (
                partial_json(2, 2, 2, 0, "s9"),
                "responses.csv: 0 rows read is not 1 kept",
            ),
            (
                partial_json(2, 2, 2, 0, "s1"),
                "responses.csv: 0 rows read is not 1 kept",
            ),
            (
                partial_json(3, 2, 2, 1, "s1"),
                "claims.csv: 3 rows read is not 2 scored",
            ),
            (
                partial_json(2, 2, 1 << 60, 1, "s1"),
                "claims.csv: 2 claims scored, but the mentions count otherwise",
            ),
            // Found by fuzzing the CLI: a refused row filed under another name than its file's, which the
            // merge listed under a name whose tally did not count it.
            (
                partial_json(2, 2, 2, 2, "s1").replace(
                    r#""rejects":[]"#,
                    r#""rejects":[{"file":"other.csv","line":3,"column":null,"value":null,"reason":"x"}]"#,
                ),
                "responses.csv: a refused row of it names another file, other.csv",
            ),
        ] {
            let err = read(&json).unwrap_err().to_string();
            assert!(err.contains("a damaged credence partial") && err.contains(why), "{err}");
            let p: Partial = serde_json::from_str(&json).unwrap();
            assert!(merge(vec![p]).is_err());
        }
    }
}
