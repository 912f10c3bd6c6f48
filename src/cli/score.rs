//! `credence score`: read claims, responses and resolutions; write per-source, per-claim and per-responder
//! scores.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use credence::ingest::{Inputs, LoadOptions};
use credence::link::LinkParams;
use credence::model::Params;
use credence::model::numeric::Bounds;
use credence::model::responders::ResponderPrior;
use credence::report::{self, Format};

const INPUT_FORMAT: &str = "\
INPUT FORMAT
  CSV files with a header row; columns are found by name, in any order; other columns are ignored.
  UTF-8, with or without a byte-order mark; LF or CRLF line ends. `-` reads standard input;
  a name ending in .gz or .zst is decompressed on the fly.
  JSON Lines instead of CSV: a file named *.jsonl or *.ndjson (optionally .gz/.zst) holds one object per
  line whose keys are the column names; values are strings, numbers, booleans or null.
  Times: an ISO 8601 date (2025-06-23) or an RFC 3339 time (2025-06-23T14:05:00Z); no offset means UTC.

  claims:      claim_id (unique), source (the outlet), published_at, story_id (the proposition),
               stance (asserts | denies; empty = asserts);
               optional attributed_to (the outlet it relays, \"according to ...\"), topic, text, url;
               optional value: the story is then an attribute with competing values and each claim
               asserts one (normalised per --value-kind); with the column every claim needs a value
  responses:   response_id, story_id, responder (the official body), responded_at,
               verdict (confirmed | denied | partial | no_comment); optional text
  resolutions: story_id, outcome (true | false | mixed), resolved_at; optional resolver
  Stances, verdicts and outcomes are read in any case, with surrounding spaces ignored.

  Without story keys: in a file with a text column, story_id may be empty or absent. Claims whose
  texts describe one event within --window days then form one story (auto-000001, ...), copies of
  an earlier text by another outlet become its relays, and each response is linked to every story
  its text matches at --min-match or more (see links.csv). Resolutions always name a story_id.

OUTPUTS (in --out DIR)
  sources.csv     one row per outlet: claims, originals, relays, credited, answered, resolved,
                  support, against, evidence, reliability, ci_low, ci_high, rank
                  (sources.json with --format json, sources.jsonl with --format jsonl,
                  sources.parquet with --format parquet)
  claims.csv      one row per claim: claim_id, source, story_id, stance, [value,] role, credited_to, verdict,
                  p_correct (claims.jsonl with --format jsonl, claims.parquet with --format parquet);
                  and matched_story, match_score when stories were formed from texts
  links.csv       when stories were formed: response_id, story, claim_id, score, words
  stories.csv     one row per story: story_id, value (most probable; true/false for plain stories),
                  probability, sources, independent_sources; number stories add estimate (em's
                  estimate of the number, vote's median)
  responders.csv  one row per official body: counts and learned confirm/deny rates with intervals
  rejects.csv     every row not scored: file, line, column, value, reason
  summary.json    rows read/scored/rejected (and set aside by --as-of) per file, the fitted prior,
                  parameters, version

EXIT STATUS
  0 success, 1 error (bad file, or a bad row with --strict), 2 usage error, 130 interrupted (Ctrl-C;
  the previous outputs in --out are left as they were)";

/// Score sources from claims, official responses and resolutions.
///
/// Every claim is linked to its story's official responses and resolution. A responder's answer is weighed
/// by its own record (learned from resolved stories), relays are credited to the outlet they cite, and each
/// outlet's reliability is a Beta posterior under a prior fitted across all outlets.
#[derive(Args, Debug)]
#[command(after_long_help = INPUT_FORMAT)]
pub struct ScoreArgs {
    /// The claims CSV file.
    #[arg(long, value_name = "FILE")]
    claims: PathBuf,
    /// The official responses CSV file (the `responses` and `trust-responses` methods need it; em, the default, reads it when given).
    #[arg(long, value_name = "FILE")]
    responses: Option<PathBuf>,
    /// How the claims' values (an optional `value` column) are normalised and compared: `text`, `label`
    /// (one label set shared by every story, as crowd labels), `number`, `time` or `list` (author lists).
    #[arg(long, value_enum, default_value_t = ValueKindArg::Text)]
    value_kind: ValueKindArg,
    /// The resolutions CSV file (what was later established).
    #[arg(long, value_name = "FILE")]
    resolutions: Option<PathBuf>,
    /// The folder to write the outputs into (created if missing).
    #[arg(long, value_name = "DIR", required_unless_present = "partial")]
    out: Option<PathBuf>,
    /// Write this shard's sufficient statistics to FILE instead of the outputs, for `credence merge`.
    #[arg(long, value_name = "FILE", conflicts_with = "out")]
    partial: Option<PathBuf>,
    /// The format of the tables: `csv`; `json` (sources.json, an array; claims stay CSV); `jsonl`
    /// (sources.jsonl and claims.jsonl, one object per line); `parquet` (sources.parquet and claims.parquet;
    /// needs the `parquet` feature). The other outputs are always as listed.
    #[arg(long, value_enum, default_value_t = FormatArg::Csv)]
    pub format: FormatArg,
    #[command(flatten)]
    model: ModelArgs,
    /// Write text cells that begin with =, +, - or @ as they are. By default such a cell gets a leading '
    /// in CSV outputs, so that a spreadsheet shows it as text instead of running it as a formula.
    #[arg(long)]
    keep_formulas: bool,
    /// Score with only what was known at this time: claims published, responses given and resolutions
    /// established after it are set aside (counted as `later` in summary.json). A date alone (2025-06-30)
    /// means the end of that day, UTC. The result equals scoring copies of the files cut at that time.
    #[arg(long, value_name = "TIME", value_parser = as_of_time)]
    as_of: Option<i64>,
    /// Weigh older evidence less: a claim published DAYS before the reference time (--as-of, else the
    /// latest time in the data) counts half as much in its outlet's record, twice DAYS a quarter. Shards
    /// (--partial) carry every claim's time: give it to `credence merge`.
    #[arg(long, value_name = "DAYS", value_parser = positive, conflicts_with = "partial")]
    half_life: Option<f64>,
    /// A CSV of outlets' groups (columns source, group: an outlet type, a country): each group gets its own
    /// fitted prior, so an outlet with little evidence is shrunk towards its own kind; sources.csv gains a
    /// group column. Plain stories with --method responses, em or vote; claims with values with em or vote
    /// (not over --value-kind label, whose em pools confusion rows instead; not dawid-skene or truthfinder).
    /// Shards (--partial) do not take it: give it to `credence merge`.
    #[arg(long, value_name = "FILE", conflicts_with = "partial")]
    sources_meta: Option<PathBuf>,
    /// Score each outlet per topic too (the claims' `topic` column), each topic's reliability pooled towards
    /// the outlet's overall one by a fitted strength; writes source_topics.csv. With --method responses, em
    /// or vote, on plain stories and on values. A shard (--partial) given it carries the topics, for a
    /// `credence merge --topics`.
    #[arg(long)]
    topics: bool,
    /// Detect silent copying (outlets repeating another outlet's reports without attribution, found from
    /// who follows whom and shared errors) and count a detected copier's following reports as relays of
    /// its source; writes copiers.csv. Fits the model twice. With values it needs --method em: a report
    /// follows another with the same value, sharing a value the fit believes wrong (the rarer, the more)
    /// is the strong evidence, and reports at the same time (data without publication order) follow each
    /// other both ways, each pair keeping its more probable direction. Shards (--partial) carry what it
    /// needs: give it to `credence merge`.
    #[arg(long, conflicts_with = "partial")]
    detect_copies: bool,
    /// Stop at the first bad row instead of writing it to rejects.csv.
    #[arg(long)]
    strict: bool,
    /// Bytes of the claims file parsed per parallel block (a smaller value is read as 1024). The output does
    /// not depend on it.
    #[arg(long, default_value_t = LoadOptions::default().block_size, value_name = "BYTES")]
    chunk_size: usize,
    /// Worker threads, at most 1024 (0: RAYON_NUM_THREADS, or one per core). The output does not depend on it.
    #[arg(long, default_value_t = 0, value_parser = super::thread_count)]
    threads: usize,
    #[command(flatten)]
    link: LinkArgs,
    /// Print nothing on success.
    #[arg(long, short)]
    quiet: bool,
}

/// An `--as-of` time: any time the inputs accept; a date alone is the end of that day.
pub(crate) fn as_of_time(s: &str) -> Result<i64, String> {
    let t = credence::ingest::fields::time(s)
        .ok_or_else(|| format!("`{s}` is not a time: give {}", credence::ingest::fields::TIME_FORMS))?;
    Ok(if s.len() == 10 { t + 86_399 } else { t })
}

/// How stories are formed when rows lack a `story_id` (used only then).
#[derive(Args, Debug)]
pub(crate) struct LinkArgs {
    /// Days: a response answers claims published up to this long before it (never after it); a claim
    /// joins a story through a claim at most this much older.
    #[arg(long, default_value_t = LinkParams::default().window_days, value_parser = positive, value_name = "DAYS")]
    window: f64,
    /// Least similarity (cosine of TF-IDF vectors, 0 to 1) for a response to be linked to a story.
    #[arg(long, default_value_t = LinkParams::default().min_match, value_parser = open_closed_unit)]
    min_match: f64,
    /// Least similarity for a claim to join the story of an earlier claim.
    #[arg(long, default_value_t = LinkParams::default().min_story, value_parser = open_closed_unit)]
    min_story: f64,
    /// Least estimated word-shingle overlap (Jaccard) for a text to count as a copy of an earlier one by
    /// another outlet (a relay of it).
    #[arg(long, default_value_t = LinkParams::default().min_copy, value_parser = open_closed_unit)]
    min_copy: f64,
}

impl LinkArgs {
    /// The library's settings.
    pub(crate) fn params(&self) -> LinkParams {
        LinkParams {
            window_days: self.window,
            min_match: self.min_match,
            min_story: self.min_story,
            min_copy: self.min_copy,
        }
    }
}

/// A number above 0 and at most 1.
fn open_closed_unit(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if x > 0.0 && x <= 1.0 {
        Ok(x)
    } else {
        Err(format!("{s} is not above 0 and at most 1"))
    }
}

/// A number strictly between 0 and 1 (a usage error otherwise, exit status 2).
fn open_unit(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if x > 0.0 && x < 1.0 {
        Ok(x)
    } else {
        Err(format!("{s} is not strictly between 0 and 1"))
    }
}

/// A number from 0 to 1.
fn closed_unit(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!("{s} is not between 0 and 1"))
    }
}

/// A finite number above 0.
pub(crate) fn positive(s: &str) -> Result<f64, String> {
    let x: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if x > 0.0 && x.is_finite() {
        Ok(x)
    } else {
        Err(format!("{s} is not a positive number"))
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ValueKindArg {
    Text,
    Label,
    Number,
    Time,
    List,
}

impl From<ValueKindArg> for credence::value::ValueKind {
    fn from(k: ValueKindArg) -> Self {
        use credence::value::ValueKind;
        match k {
            ValueKindArg::Text => ValueKind::Text,
            ValueKindArg::Label => ValueKind::Label,
            ValueKindArg::Number => ValueKind::Number,
            ValueKindArg::Time => ValueKind::Time,
            ValueKindArg::List => ValueKind::List,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum FormatArg {
    Csv,
    Json,
    Jsonl,
    // sources.parquet and claims.parquet; offered in builds with the `parquet` feature only.
    #[cfg_attr(not(feature = "parquet"), value(hide = true))]
    Parquet,
}

impl FormatArg {
    /// The library's format; `parquet` in a build without the feature is a usage error that says how to get it.
    pub fn format(self) -> credence::Result<Format> {
        match self {
            FormatArg::Csv => Ok(Format::Csv),
            FormatArg::Json => Ok(Format::Json),
            FormatArg::Jsonl => Ok(Format::Jsonl),
            #[cfg(feature = "parquet")]
            FormatArg::Parquet => Ok(Format::Parquet),
            #[cfg(not(feature = "parquet"))]
            FormatArg::Parquet => Err(credence::Error::Usage(
                "--format parquet: this credence was built without the `parquet` feature; \
                 build it with `cargo build --release --features parquet`"
                    .into(),
            )),
        }
    }
}

/// The model's options, shared by `score` and `merge`.
#[derive(Args, Debug)]
pub struct ModelArgs {
    /// Credibility level of the intervals, strictly between 0 and 1.
    #[arg(long, default_value_t = 0.95, value_parser = open_unit)]
    level: f64,
    /// Share of a relayed claim's evidence that also counts on the relaying outlet's own record
    /// (the originator always gets it in full, once).
    #[arg(long, default_value_t = 0.0, value_parser = closed_unit)]
    relay_weight: f64,
    /// Take official responses as plain truth (the naive baseline, for comparison); the same as
    /// `--method trust-responses`.
    #[arg(long)]
    trust_responses: bool,
    /// Rate at which a responder with no resolved record is assumed to confirm true stories and deny false
    /// ones (the pooled record of all responders moves it).
    #[arg(long, default_value_t = ResponderPrior::default().mean, value_parser = open_unit)]
    responder_prior_mean: f64,
    /// Weight of that prior, in resolved stories' worth.
    #[arg(long, default_value_t = ResponderPrior::default().strength, value_parser = positive)]
    responder_prior_strength: f64,
    /// How stories' truth is judged: `responses` (official responses and resolutions, each weighed by its
    /// responder's record), `trust-responses` (the same, official responses taken as plain truth), `em`
    /// (truth discovery: also agreement between outlets, learned together with their reliabilities; an
    /// outlet alone on a story learns nothing from it), `vote` (the majority-vote baseline: what most
    /// outlets say; responses unused, resolutions settle), `dawid-skene` (a confusion matrix per outlet over
    /// a shared label set) or `truthfinder` (Yin, Han & Yu's iterative trust). Stories with values need em,
    /// vote, dawid-skene or truthfinder.
    #[arg(long, value_enum, default_value_t = MethodArg::Em, conflicts_with = "trust_responses")]
    method: MethodArg,
    #[command(flatten)]
    scale: ScaleArgs,
}

/// The scale number values are read off, shared by `score` (and the commands that take its model options)
/// and `eval`.
#[derive(Args, Debug, Clone, Copy)]
pub struct ScaleArgs {
    /// Number values (`--value-kind number`) read off a bounded scale, such as a 0–100 slider or 1–5 stars:
    /// `LO:HI`, `LO:` or `:HI`. em takes a report at an end as censored, the reading of any value at or
    /// beyond it, when it chooses each story's value and judges the reports (its estimate still averages
    /// the reports as written); an end holds on a story only where none of the story's numbers lies beyond
    /// it. The other methods ignore it.
    #[arg(long, value_name = "LO:HI", allow_hyphen_values = true)]
    pub value_bounds: Option<Bounds>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodArg {
    Responses,
    TrustResponses,
    Em,
    Vote,
    DawidSkene,
    Truthfinder,
}

impl MethodArg {
    /// The name on the command line.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }

    /// The default parameters with this method.
    pub fn params(self) -> Params {
        let mut p = Params {
            trust_responses: self == MethodArg::TrustResponses,
            ..Params::default()
        };
        p.method = self.method();
        p
    }

    fn method(self) -> credence::model::Method {
        match self {
            MethodArg::Responses | MethodArg::TrustResponses => credence::model::Method::Responses,
            MethodArg::Em => credence::model::Method::Em,
            MethodArg::Vote => credence::model::Method::Vote,
            MethodArg::DawidSkene => credence::model::Method::DawidSkene,
            MethodArg::Truthfinder => credence::model::Method::TruthFinder,
        }
    }
}

impl ModelArgs {
    /// The library's parameters.
    pub fn params(&self) -> Params {
        Params {
            level: self.level,
            relay_weight: self.relay_weight,
            trust_responses: self.trust_responses || self.method == MethodArg::TrustResponses,
            responder_prior: ResponderPrior {
                mean: self.responder_prior_mean,
                strength: self.responder_prior_strength,
            },
            fractional_uncertain: false,
            as_of: None,
            half_life: None,
            detect_copies: false,
            topics: false,
            value_bounds: self.scale.value_bounds,
            // --trust-responses is the responses method with responses taken as truth, whatever the default.
            method: if self.trust_responses {
                credence::model::Method::Responses
            } else {
                self.method.method()
            },
        }
    }
}

pub fn run(args: ScoreArgs) -> credence::Result<()> {
    let stdin = [Some(&args.claims), args.responses.as_ref(), args.resolutions.as_ref()]
        .into_iter()
        .flatten()
        .filter(|p| p.as_os_str() == "-")
        .count();
    if stdin > 1 {
        return Err(credence::Error::Usage(
            "only one input can be read from standard input (`-`)".into(),
        ));
    }
    let format = args.format.format()?;
    super::set_threads(args.threads)?;
    credence::report::keep_formulas(args.keep_formulas);
    credence::progress::enable_bar(!args.quiet);
    credence::progress::enable_notices(!args.quiet);
    let mut params = args.model.params();
    params.as_of = args.as_of;
    params.half_life = args
        .half_life
        .map(|days| credence::model::HalfLife { days, reference: None });
    params.detect_copies = args.detect_copies;
    params.topics = args.topics;
    super::require_responses(args.responses.as_deref(), params.method)?;
    let inputs = Inputs {
        claims: args.claims,
        responses: args.responses,
        resolutions: args.resolutions,
    };
    let load = LoadOptions {
        strict: args.strict,
        block_size: args.chunk_size,
        as_of: args.as_of,
        keep_times: params.needs_times(),
        keep_topics: args.topics,
        value_kind: args.value_kind.into(),
        link: args.link.params(),
    };
    if let Some(path) = &args.partial {
        let p = credence::shard::partial(&inputs, load)?;
        credence::shard::write_partial(path, &p)?;
        if !args.quiet {
            let t = &p.claims;
            eprintln!(
                "{}: {} read, {} scored, {} rejected",
                t.file,
                super::count(t.read, "row"),
                t.scored,
                t.rejected
            );
            let unkeyed = p.unkeyed_rejects();
            if unkeyed > 0 {
                eprintln!(
                    "{unkeyed} rows rejected for an empty story_id: a shard needs one on every row (score the \
                     files whole, without --partial, to form stories from texts)"
                );
            }
            let stories = match p.stories.len() {
                1 => "1 story".to_owned(),
                n => format!("{n} stories"),
            };
            eprintln!("partial with {stories} written to {}", path.display());
        }
        return Ok(());
    }
    let out = args.out.as_deref().expect("clap requires --out without --partial");
    let mut run = credence::score_files_with_groups(
        &inputs,
        load,
        &params,
        args.sources_meta.as_deref().map(|m| (m, args.strict)),
    )?;
    // The outputs read no claim's time (claims.csv copies it from the input): 4 bytes a claim less while
    // they are written.
    run.loaded.corpus.published = Default::default();
    let written = report::write_all(out, &run.loaded, &run.scores, format)?;
    if !args.quiet {
        report_run(&report::InputTallies::of(&run.loaded), &run.scores, &written);
    }
    Ok(())
}

/// Prints what a run read and wrote to standard error.
pub fn report_run(inputs: &report::InputTallies, scores: &credence::model::Scores, written: &[PathBuf]) {
    report_tallies(inputs, "--as-of");
    let p = &scores.prior;
    eprintln!(
        "{} scored; prior Beta({:.3}, {:.3}), mean {:.3} ({})",
        super::count(scores.sources.len() as u64, "source"),
        p.alpha,
        p.beta,
        p.mean,
        p.method
    );
    if let Some((iterations, false, last_change)) = scores.em {
        // summary.json says so too; a run that stopped short should not look like one that converged.
        eprintln!(
            "{} stopped after {} without reaching its tolerance (last change {last_change:.1e}; summary.json's `em`)",
            scores.params.method.name(),
            super::count(iterations as u64, "iteration")
        );
    }
    for w in written {
        eprintln!("wrote {}", w.display());
    }
}

/// Prints each input file's line, `FILE: N rows read, N scored, N rejected[, N set aside ...]`, the counts
/// that reconcile (`score`, `merge` and `history` print the same); `cut` names the option that set rows
/// aside as later (`--as-of`, or the end of history's last period).
pub fn report_tallies(inputs: &report::InputTallies, cut: &str) {
    for t in inputs
        .claims
        .iter()
        .chain(&inputs.responses)
        .chain(&inputs.resolutions)
        .chain(&inputs.sources_meta)
    {
        let later = if t.later > 0 {
            format!(", {} set aside as later than {cut}", t.later)
        } else {
            String::new()
        };
        eprintln!(
            "{}: {} read, {} scored, {} rejected{later}",
            t.file,
            super::count(t.read, "row"),
            t.scored,
            t.rejected
        );
    }
}
