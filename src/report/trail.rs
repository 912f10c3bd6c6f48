//! The evidence trail of each source: the reports that moved its score most, each with the official
//! responses and the resolution that judged it; and the calibration of `p_correct` against resolutions.
//! `credence report` and `credence explain` both call [`build`], so the page and the terminal cannot
//! disagree.
//!
//! # What "moved its score most" means
//!
//! The model counts **reports**, not claims: one per (credited outlet, story, stance), so an outlet's own
//! claim and the relays of it by other outlets are one piece of evidence on the originator's record (and,
//! with `--relay-weight w`, a relay is also a piece of weight `w` on the relaying outlet's record). A trail
//! lists reports ([`Entry`]), each with all its claims, relays marked as such.
//!
//! A report's **contribution** to its outlet's score is `weight × (p_correct − m₀)`, where `m₀` is the
//! fitted prior mean (the score of an outlet with no evidence) and `p_correct` is the claim's probability
//! of being correct from `claims.csv`. A report later found right (`p_correct` 1) pulls its outlet up by
//! `1 − m₀`, one found wrong pulls it down by `m₀`, a mixed outcome or a weak official answer by little.
//! A report whose story carried no evidence (unanswered, only "no comment", or answers that cancel out) is
//! written with `p_correct` equal to its credited outlet's own reliability: it did not move anything, and
//! its contribution is 0. Reports are ordered by the contribution's size, largest first, then by the line
//! of their first claim.
//!
//! This is read from the run's outputs alone, so a trail can be shown without re-running the model. It is
//! a ranking, not an exact leave-one-out difference: for a report judged only by official answers,
//! `p_correct` also leans on the outlet's own record, so its contribution is somewhat shrunk towards
//! `reliability − m₀`.
//!
//! # Joining the input files
//!
//! `summary.json` names the input files as they were given to `credence score`, relative to the folder
//! it was run from. When they can be read, each report gets its claims' text, url and time, every response
//! to its story (the standing one per responder marked: the latest, ties going to the later line, as the
//! model decides) and its resolution. When they cannot, the trail is built from `claims.csv` alone and
//! [`Trails::inputs`] says which file could not be read and why. Input rows that `credence score` refused
//! (an unreadable verdict or time) are left out here too.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::corpus::{Outcome, Stance};
use crate::error::{Error, Result, RowProblem};
use crate::model::ClaimVerdict;
use crate::report::rundir::{RunDir, StoryRow, settled};

/// At most this many claims are listed per report (a story relayed by hundreds of outlets would otherwise
/// flood a trail); the rest are counted in [`Entry::more_claims`].
pub const CLAIMS_LISTED: usize = 20;

/// The number of equal-width `p_correct` bins of the calibration.
pub const CALIBRATION_BINS: usize = 10;

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct TrailOptions {
    /// Reports kept per source, largest contribution first; 0 keeps them all.
    pub top: usize,
    /// Only this source's trail (an index into [`RunDir::sources`]); `None` for every source.
    pub only: Option<usize>,
    /// The input files to join; [`InputPaths::of`] takes them from `summary.json`.
    pub inputs: InputPaths,
}

/// The input files to join with the run's outputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputPaths {
    /// The claims files (for the claims' text, url and time).
    pub claims: Vec<PathBuf>,
    /// The responses files.
    pub responses: Vec<PathBuf>,
    /// The resolutions files (also for the calibration).
    pub resolutions: Vec<PathBuf>,
}

impl InputPaths {
    /// The files `summary.json` names, as given to `credence score`.
    pub fn of(run: &RunDir) -> InputPaths {
        let files = |t: &[crate::report::rundir::FileTally]| t.iter().map(|f| PathBuf::from(&f.file)).collect();
        InputPaths {
            claims: files(&run.summary.inputs.claims),
            responses: files(&run.summary.inputs.responses),
            resolutions: files(&run.summary.inputs.resolutions),
        }
    }
}

/// Every source's trail, the calibration, and what was read to build them.
#[derive(Debug, Clone)]
pub struct Trails {
    /// The fitted prior mean `m₀` that contributions are measured from.
    pub prior_mean: f64,
    /// One per source, in the order of [`RunDir::sources`] (empty trails for sources not asked for).
    pub sources: Vec<SourceTrail>,
    /// `p_correct` against resolutions.
    pub calibration: Calibration,
    /// Each input file and whether it could be read.
    pub inputs: Vec<InputNote>,
    /// Whether the run has a `claims.csv` (a merge given no claims files has none).
    pub has_claims: bool,
}

/// One source's trail.
#[derive(Debug, Clone, Default)]
pub struct SourceTrail {
    /// Reports on its record (credited to it, or relayed by it when relays carry weight).
    pub reports: u64,
    /// Of those, reports whose story carried evidence (a non-zero contribution).
    pub judged: u64,
    /// The reports kept, largest contribution first.
    pub entries: Vec<Entry>,
}

/// One report on a source's record.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The story.
    pub story_id: String,
    /// What the report says about it.
    pub stance: Stance,
    /// The cross-check's finding.
    pub verdict: ClaimVerdict,
    /// The report's probability of being correct.
    pub p_correct: f64,
    /// Its weight on this source's record: 1 for a credited report, the relay weight for a relay.
    pub weight: f64,
    /// `weight × (p_correct − m₀)`, or 0 when its story carried no evidence.
    pub contribution: f64,
    /// Whether its story carried evidence.
    pub judged: bool,
    /// Its claims, in `claims.csv` order (at most [`CLAIMS_LISTED`]).
    pub claims: Vec<TrailClaim>,
    /// Claims of the report not listed.
    pub more_claims: u64,
    /// The story's resolution, when the resolutions file was read and has one.
    pub resolution: Option<ResolutionText>,
    /// The story's official responses, by time, when the responses file was read.
    pub responses: Vec<ResponseText>,
    /// What the run concluded about a story whose claims carry values (its most probable value, from
    /// `stories.csv`); `None` for plain stories, whose verdict and `p_correct` already say it.
    pub story: Option<StoryRow>,
}

/// One claim of a report.
#[derive(Debug, Clone)]
pub struct TrailClaim {
    /// Its id.
    pub claim_id: String,
    /// The outlet that published it, as shown.
    pub source: String,
    /// Whether it relays the credited outlet's report.
    pub relay: bool,
    /// For a relay, the outlet it relays (credited with it).
    pub relays: Option<String>,
    /// Its line in `claims.csv`.
    pub line: u64,
    /// When it was published, from the claims input.
    pub published_at: Option<String>,
    /// Its text, from the claims input.
    pub text: Option<String>,
    /// Its url, from the claims input.
    pub url: Option<String>,
    /// The value it claims, as normalised for scoring (from `claims.csv`), for claims with values.
    pub value: Option<String>,
}

/// A story's resolution, from the resolutions input.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolutionText {
    /// `true`, `false` or `mixed`.
    pub outcome: Outcome,
    /// When, as written.
    pub resolved_at: String,
    /// By whom, as written.
    pub resolver: String,
}

/// One official response, from the responses input.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseText {
    /// Its id.
    pub response_id: String,
    /// The official body.
    pub responder: String,
    /// When, as written.
    pub responded_at: String,
    /// `confirmed`, `denied`, `partial` or `no_comment`.
    pub verdict: crate::corpus::Verdict,
    /// What was said.
    pub text: String,
    /// Whether it is the responder's standing answer (its latest); earlier ones were superseded.
    pub standing: bool,
}

/// One input file and whether it could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputNote {
    /// `claims`, `responses` or `resolutions`.
    pub kind: &'static str,
    /// The file.
    pub file: String,
    /// Why it could not be read; `None` when it was.
    pub problem: Option<String>,
}

/// Predicted `p_correct` against what resolutions showed, for the claims that were not already judged by
/// a resolution when the run was made (for those, `p_correct` is the outcome itself and proves nothing).
#[derive(Debug, Clone, Default)]
pub struct Calibration {
    /// Whether some resolutions file could be read.
    pub have_resolutions: bool,
    /// Claims compared.
    pub claims: u64,
    /// Claims left out because a resolution had judged them when the run was made.
    pub settled_at_scoring: u64,
    /// [`CALIBRATION_BINS`] equal-width bins of `p_correct`.
    pub bins: Vec<Bin>,
    /// Mean squared error of `p_correct` against correctness (a mixed outcome counts ½), if any claims.
    pub brier: Option<f64>,
}

/// One calibration bin.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bin {
    /// The bin covers `[low, high)` (the last one includes 1).
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Claims in it.
    pub claims: u64,
    /// Sum of their `p_correct`.
    pub predicted_sum: f64,
    /// Sum of their correctness.
    pub correct_sum: f64,
}

impl Bin {
    /// Mean predicted `p_correct`, if the bin holds claims.
    pub fn predicted(&self) -> Option<f64> {
        (self.claims > 0).then(|| self.predicted_sum / self.claims as f64)
    }

    /// Observed share correct, if the bin holds claims.
    pub fn observed(&self) -> Option<f64> {
        (self.claims > 0).then(|| self.correct_sum / self.claims as f64)
    }
}

/// A claim's correctness under an outcome: 1 if it says what happened, 0 if not, ½ for a mixed outcome.
fn correctness(stance: Stance, outcome: Outcome) -> f64 {
    match (stance, outcome) {
        (_, Outcome::Mixed) => 0.5,
        (Stance::Asserts, Outcome::True) | (Stance::Denies, Outcome::False) => 1.0,
        _ => 0.0,
    }
}

/// A report being gathered from `claims.csv`.
struct Unit {
    source: usize,
    story: u32,
    stance: Stance,
    weight: f64,
    p_correct: f64,
    verdict: ClaimVerdict,
    judged: bool,
    first_line: u64,
    /// Claims of the report.
    claims: u64,
}

/// A claim listed under a kept report.
struct ClaimRef {
    line: u64,
    claim_id: String,
    publisher: usize,
    /// The outlet credited with it, if it is a relay.
    relays: Option<usize>,
    value: Option<String>,
}

/// Builds the trails of `run` and its calibration.
///
/// # Errors
/// `claims.csv` is garbled, or names an outlet that `sources.csv` does not hold. Input files that cannot
/// be read are not errors: they are reported in [`Trails::inputs`].
pub fn build(run: &RunDir, opts: &TrailOptions) -> Result<Trails> {
    let prior_mean = run.summary.prior.mean;
    let relay_weight = run.summary.relay_weight();
    let mut notes = Vec::new();
    // Resolutions settle plain stories; `score` refuses them on claims with values, and here they would
    // mark every claim on a story of many values right.
    if !opts.inputs.resolutions.is_empty() && run.claims_have_values()? {
        return Err(Error::Config(
            "resolutions settle plain stories (true, false or mixed); this run's claims carry values, for which \
             `score` takes no resolutions either"
                .into(),
        ));
    }

    let resolutions = read_resolutions(&opts.inputs.resolutions, &mut notes);
    let mut calibration = Calibration {
        have_resolutions: notes.iter().any(|n| n.kind == "resolutions" && n.problem.is_none()),
        bins: (0..CALIBRATION_BINS)
            .map(|k| Bin {
                low: k as f64 / CALIBRATION_BINS as f64,
                high: (k + 1) as f64 / CALIBRATION_BINS as f64,
                ..Bin::default()
            })
            .collect(),
        ..Calibration::default()
    };

    let by_cell: HashMap<&str, usize> = run
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.cell.as_str(), i))
        .collect();
    let mut stories: HashMap<String, u32> = HashMap::new();
    let mut story_names: Vec<String> = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    let mut unit_at: HashMap<(usize, u32, Stance), usize> = HashMap::new();
    let has_claims = run.claims_path().is_some();
    let mut brier_sum = 0.0;
    if has_claims {
        let claims_file = run.dir.join("claims.csv");
        run.for_each_claim(|c| {
            let lookup = |name: &str, column: &str| {
                by_cell.get(name).copied().ok_or_else(|| {
                    Error::BadOutput(RowProblem {
                        file: claims_file.display().to_string(),
                        line: c.line,
                        column: Some(column.to_owned()),
                        value: Some(name.chars().take(200).collect()),
                        reason: "an outlet that sources.csv does not list".to_owned(),
                    })
                })
            };
            let credited = lookup(c.credited_to, "credited_to")?;
            let publisher = lookup(c.source, "source")?;
            if !settled(c.verdict) {
                if let Some(r) = resolutions.get(c.story_id) {
                    let y = correctness(c.stance, r.outcome);
                    let k = ((c.p_correct * CALIBRATION_BINS as f64) as usize).min(CALIBRATION_BINS - 1);
                    let bin = &mut calibration.bins[k];
                    bin.claims += 1;
                    bin.predicted_sum += c.p_correct;
                    bin.correct_sum += y;
                    calibration.claims += 1;
                    brier_sum += (c.p_correct - y) * (c.p_correct - y);
                }
            } else {
                calibration.settled_at_scoring += 1;
            }
            let story = match stories.get(c.story_id) {
                Some(&s) => s,
                None => {
                    let s = story_names.len() as u32;
                    stories.insert(c.story_id.to_owned(), s);
                    story_names.push(c.story_id.to_owned());
                    s
                }
            };
            // A story that left the claim at its credited outlet's own reliability carried no evidence.
            let judged = settled(c.verdict) || c.p_correct != run.sources[credited].reliability;
            let mut add = |source: usize, weight: f64| {
                let key = (source, story, c.stance);
                let at = *unit_at.entry(key).or_insert_with(|| {
                    units.push(Unit {
                        source,
                        story,
                        stance: c.stance,
                        weight: 0.0,
                        p_correct: c.p_correct,
                        verdict: c.verdict,
                        judged,
                        first_line: c.line,
                        claims: 0,
                    });
                    units.len() - 1
                });
                let u = &mut units[at];
                // A full-weight report and a relay of the same story and stance by the same outlet are one
                // report at full weight (the model keeps the strongest); its scores are the full one's.
                if weight > u.weight {
                    u.weight = weight;
                    u.p_correct = c.p_correct;
                    u.verdict = c.verdict;
                    u.judged = judged;
                }
                u.claims += 1;
            };
            add(credited, 1.0);
            if c.relay && relay_weight > 0.0 && publisher != credited {
                add(publisher, relay_weight);
            }
            Ok(())
        })?;
    }
    calibration.brier = (calibration.claims > 0).then(|| brier_sum / calibration.claims as f64);

    // Per source: its reports, ordered by the size of their contribution.
    let mut per_source: Vec<Vec<(f64, usize)>> = vec![Vec::new(); run.sources.len()];
    let mut trails: Vec<SourceTrail> = vec![SourceTrail::default(); run.sources.len()];
    for (i, u) in units.iter().enumerate() {
        let contribution = if u.judged {
            u.weight * (u.p_correct - prior_mean)
        } else {
            0.0
        };
        let t = &mut trails[u.source];
        t.reports += 1;
        t.judged += u64::from(u.judged);
        if opts.only.is_none_or(|o| o == u.source) {
            per_source[u.source].push((contribution, i));
        }
    }
    let mut kept: HashMap<(usize, u32, Stance), usize> = HashMap::new();
    let mut wanted_stories: HashSet<u32> = HashSet::new();
    for list in &mut per_source {
        list.sort_by(|a, b| {
            b.0.abs()
                .total_cmp(&a.0.abs())
                .then(units[a.1].first_line.cmp(&units[b.1].first_line))
        });
        if opts.top > 0 {
            list.truncate(opts.top);
        }
        for &(_, i) in list.iter() {
            let u = &units[i];
            wanted_stories.insert(u.story);
            kept.insert((u.source, u.story, u.stance), i);
        }
    }
    drop(unit_at);
    // A second pass over claims.csv lists the kept reports' claims, so that the first pass holds no
    // claim ids: one small entry per report, whatever the size of the run.
    let mut listed: HashMap<usize, Vec<ClaimRef>> = HashMap::new();
    if has_claims && !kept.is_empty() {
        run.for_each_claim(|c| {
            let (Some(&story), Some(&credited), Some(&publisher)) = (
                stories.get(c.story_id),
                by_cell.get(c.credited_to),
                by_cell.get(c.source),
            ) else {
                return Ok(());
            };
            let mut list = |source: usize| {
                if let Some(&i) = kept.get(&(source, story, c.stance)) {
                    let claims = listed.entry(i).or_default();
                    if claims.len() < CLAIMS_LISTED {
                        claims.push(ClaimRef {
                            line: c.line,
                            claim_id: c.claim_id.to_owned(),
                            publisher,
                            relays: c.relay.then_some(credited),
                            value: c.value.map(str::to_owned),
                        });
                    }
                }
            };
            list(credited);
            if c.relay && relay_weight > 0.0 && publisher != credited {
                list(publisher);
            }
            Ok(())
        })?;
    }
    let wanted_claims: HashSet<String> = listed.values().flatten().map(|c| c.claim_id.clone()).collect();
    let wanted_story_names: HashSet<&str> = wanted_stories
        .iter()
        .map(|&s| story_names[s as usize].as_str())
        .collect();
    let claim_texts = read_claim_texts(&opts.inputs.claims, &wanted_claims, &mut notes);
    let responses = read_responses(&opts.inputs.responses, &wanted_story_names, &mut notes);
    // The conclusions about stories whose listed claims carry values (plain stories need none).
    let valued_stories: HashSet<&str> = listed
        .iter()
        .filter(|(_, claims)| claims.iter().any(|c| c.value.is_some()))
        .map(|(&i, _)| story_names[units[i].story as usize].as_str())
        .collect();
    let story_rows = run.stories(&valued_stories)?;

    for (s, list) in per_source.into_iter().enumerate() {
        trails[s].entries = list
            .into_iter()
            .map(|(contribution, i)| {
                let u = &units[i];
                let story_id = story_names[u.story as usize].clone();
                let claims = listed.remove(&i).unwrap_or_default();
                Entry {
                    stance: u.stance,
                    verdict: u.verdict,
                    p_correct: u.p_correct,
                    weight: u.weight,
                    contribution,
                    judged: u.judged,
                    more_claims: u.claims - claims.len() as u64,
                    story: story_rows.get(story_id.as_str()).cloned(),
                    claims: claims
                        .into_iter()
                        .map(|c| {
                            let text = claim_texts.get(c.claim_id.as_str());
                            TrailClaim {
                                source: run.sources[c.publisher].name.clone(),
                                relay: c.relays.is_some(),
                                relays: c.relays.map(|r| run.sources[r].name.clone()),
                                line: c.line,
                                published_at: text.map(|t| t.0.clone()),
                                text: text.map(|t| t.1.clone()).filter(|t| !t.is_empty()),
                                url: text.map(|t| t.2.clone()).filter(|t| !t.is_empty()),
                                value: c.value,
                                claim_id: c.claim_id,
                            }
                        })
                        .collect(),
                    resolution: resolutions.get(story_id.as_str()).cloned(),
                    responses: responses.get(story_id.as_str()).cloned().unwrap_or_default(),
                    story_id,
                }
            })
            .collect();
    }
    Ok(Trails {
        prior_mean,
        sources: trails,
        calibration,
        inputs: notes,
        has_claims,
    })
}

/// A CSV reader over an input file.
type InputReader = csv::Reader<Box<dyn std::io::Read + Send>>;

/// A response with the key that orders a responder's answers: (time, file index, line).
type Keyed = ((i64, usize, u64), ResponseText);

/// Opens an input file as CSV and finds its columns; a problem is returned as text for an [`InputNote`].
fn open_input(
    path: &Path,
    required: &[&str],
    optional: &[&str],
) -> std::result::Result<(InputReader, Vec<Option<usize>>), String> {
    if path.as_os_str() == "-" {
        return Err("it was standard input when the run was made".to_owned());
    }
    let mut reader = crate::ingest::open_csv(path).map_err(|e| e.to_string())?;
    let headers = reader
        .headers()
        .map_err(|e| crate::ingest::csv_error(path, e).to_string())?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').trim() == name)
    };
    let mut index = Vec::new();
    for name in required {
        index.push(Some(find(name).ok_or_else(|| format!("it has no column `{name}`"))?));
    }
    index.extend(optional.iter().map(|n| find(n)));
    Ok((reader, index))
}

/// Reads the records of an input file; a read error mid-file ends it with a note.
fn each_record(
    kind: &'static str,
    path: &Path,
    required: &[&str],
    optional: &[&str],
    notes: &mut Vec<InputNote>,
    mut f: impl for<'a> FnMut(u64, &'a dyn Fn(usize) -> &'a str),
) {
    let file = path.display().to_string();
    let problem = match open_input(path, required, optional) {
        Err(problem) => Some(problem),
        Ok((mut reader, index)) => {
            let mut record = csv::StringRecord::new();
            loop {
                match reader.read_record(&mut record) {
                    Ok(false) => break None,
                    Ok(true) => {
                        let line = record.position().map_or(0, |p| p.line());
                        let get = |k: usize| index[k].and_then(|i| record.get(i)).unwrap_or_default().trim();
                        f(line, &get);
                    }
                    Err(e) => break Some(crate::ingest::csv_error(path, e).to_string()),
                }
            }
        }
    };
    notes.push(InputNote { kind, file, problem });
}

fn read_resolutions(files: &[PathBuf], notes: &mut Vec<InputNote>) -> HashMap<String, ResolutionText> {
    let mut out: HashMap<String, ResolutionText> = HashMap::new();
    for path in files {
        each_record(
            "resolutions",
            path,
            &["story_id", "outcome", "resolved_at"],
            &["resolver"],
            notes,
            |_, get| {
                let (Some(outcome), Some(_)) = (
                    crate::ingest::fields::outcome(get(1)),
                    crate::ingest::fields::time(get(2)),
                ) else {
                    return;
                };
                // The first valid resolution of a story stands, as in the model.
                out.entry(get(0).to_owned()).or_insert_with(|| ResolutionText {
                    outcome,
                    resolved_at: get(2).to_owned(),
                    resolver: get(3).to_owned(),
                });
            },
        );
    }
    out
}

fn read_responses(
    files: &[PathBuf],
    stories: &HashSet<&str>,
    notes: &mut Vec<InputNote>,
) -> HashMap<String, Vec<ResponseText>> {
    // (time, file index, line) orders answers the way the model does: latest wins, ties by position.
    let mut found: HashMap<String, Vec<Keyed>> = HashMap::new();
    // A repeated response_id was refused by the run; its first row stands.
    let mut ids: HashSet<String> = HashSet::new();
    for (k, path) in files.iter().enumerate() {
        each_record(
            "responses",
            path,
            &["response_id", "story_id", "responder", "responded_at", "verdict"],
            &["text"],
            notes,
            |line, get| {
                let (Some(verdict), Some(time)) = (
                    crate::ingest::fields::verdict(get(4)),
                    crate::ingest::fields::time(get(3)),
                ) else {
                    return;
                };
                if get(0).is_empty() || get(1).is_empty() || get(2).is_empty() || !ids.insert(get(0).to_owned()) {
                    return;
                }
                if !stories.contains(get(1)) {
                    return;
                }
                found.entry(get(1).to_owned()).or_default().push((
                    (time, k, line),
                    ResponseText {
                        response_id: get(0).to_owned(),
                        responder: get(2).to_owned(),
                        responded_at: get(3).to_owned(),
                        verdict,
                        text: get(5).to_owned(),
                        standing: false,
                    },
                ));
            },
        );
    }
    found
        .into_iter()
        .map(|(story, mut list)| {
            list.sort_by_key(|a| a.0);
            let mut latest: HashMap<String, usize> = HashMap::new();
            for (i, (_, r)) in list.iter().enumerate() {
                latest.insert(r.responder.clone(), i);
            }
            let answers = list
                .into_iter()
                .enumerate()
                .map(|(i, (_, mut r))| {
                    r.standing = latest.get(&r.responder) == Some(&i);
                    r
                })
                .collect();
            (story, answers)
        })
        .collect()
}

/// `claim_id` → (published_at, text, url) for the wanted claims; the first row of an id stands.
fn read_claim_texts(
    files: &[PathBuf],
    wanted: &HashSet<String>,
    notes: &mut Vec<InputNote>,
) -> HashMap<String, (String, String, String)> {
    let mut out: HashMap<String, (String, String, String)> = HashMap::new();
    if wanted.is_empty() {
        return out;
    }
    for path in files {
        each_record(
            "claims",
            path,
            &["claim_id"],
            &["published_at", "text", "url"],
            notes,
            |_, get| {
                let id = get(0);
                if wanted.contains(id) && !out.contains_key(id) {
                    out.insert(id.to_owned(), (get(1).to_owned(), get(2).to_owned(), get(3).to_owned()));
                }
            },
        );
    }
    out
}

/// The index in [`RunDir::sources`] of the outlet named `name` (as shown, or as written in the CSV).
///
/// # Errors
/// [`Error::UnknownSource`] with up to three close names (by edit distance, ignoring case, or containing
/// what was asked).
pub fn find_source(run: &RunDir, name: &str) -> Result<usize> {
    if let Some(i) = run.sources.iter().position(|s| s.name == name || s.cell == name) {
        return Ok(i);
    }
    let asked = name.to_lowercase();
    let mut scored: Vec<(usize, &str)> = run
        .sources
        .iter()
        .filter_map(|s| {
            let lower = s.name.to_lowercase();
            let d = edit_distance(&asked, &lower);
            let near = d <= (asked.chars().count() / 3).max(2);
            let within = !asked.is_empty() && (lower.contains(&asked) || asked.contains(&lower));
            (near || within).then_some((if within { 0 } else { d }, s.name.as_str()))
        })
        .collect();
    scored.sort();
    Err(Error::UnknownSource {
        run: run.dir.clone(),
        name: name.to_owned(),
        suggestions: scored.into_iter().take(3).map(|(_, n)| n.to_owned()).collect(),
    })
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        // Textbook cases (Levenshtein 1966; "kitten"/"sitting" is Wikipedia's worked example).
        for (a, b, d) in [
            ("", "", 0),
            ("kitten", "sitting", 3),
            ("flaw", "lawn", 2),
            ("reuter", "reuters", 1),
            ("", "abc", 3),
        ] {
            assert_eq!(edit_distance(a, b), d, "{a} {b}");
        }
    }

    #[test]
    fn correctness_follows_stance() {
        assert_eq!(correctness(Stance::Asserts, Outcome::True), 1.0);
        assert_eq!(correctness(Stance::Denies, Outcome::True), 0.0);
        assert_eq!(correctness(Stance::Denies, Outcome::False), 1.0);
        assert_eq!(correctness(Stance::Asserts, Outcome::Mixed), 0.5);
    }
}

#[cfg(test)]
mod build_tests {
    use super::*;
    use crate::ingest::{Inputs, LoadOptions};
    use crate::model::Params;

    /// Scores a tiny corpus into a temporary folder and reads it back.
    fn run(dir: &Path) -> RunDir {
        let p = |n: &str| dir.join(n);
        // Wire: right on `a` (resolved true), wrong on `b` (resolved false), and `c` has no answer.
        // Echo relays Wire on `a`.
        std::fs::write(
            p("claims.csv"),
            "claim_id,source,published_at,story_id,stance,attributed_to,text\n\
             1,Wire,2025-01-01,a,asserts,,A happened\n\
             2,Wire,2025-01-02,b,asserts,,B happened\n\
             3,Wire,2025-01-03,c,asserts,,C happened\n\
             4,Echo,2025-01-04,a,asserts,Wire,Wire says A happened\n\
             5,Post,2025-01-04,b,denies,,B did not happen\n",
        )
        .unwrap();
        std::fs::write(
            p("responses.csv"),
            "response_id,story_id,responder,responded_at,verdict,text\nr1,a,Office,2025-01-02,denied,No.\n",
        )
        .unwrap();
        std::fs::write(
            p("resolutions.csv"),
            "story_id,outcome,resolved_at\na,true,2025-02-01\nb,false,2025-02-01\n",
        )
        .unwrap();
        let inputs = Inputs {
            claims: p("claims.csv"),
            responses: Some(p("responses.csv")),
            resolutions: Some(p("resolutions.csv")),
        };
        let scored = crate::score_files(&inputs, LoadOptions::default(), &Params::default()).unwrap();
        crate::report::write_all(&p("out"), &scored.loaded, &scored.scores, crate::report::Format::Csv).unwrap();
        RunDir::open(&p("out")).unwrap()
    }

    #[test]
    fn contributions_are_signed_distances_from_the_prior_mean() {
        let dir = tempfile::tempdir().unwrap();
        let run = run(dir.path());
        let opts = TrailOptions {
            top: 0,
            only: None,
            inputs: InputPaths::of(&run),
        };
        let trails = build(&run, &opts).unwrap();
        let m0 = run.summary.prior.mean;
        let wire = run.sources.iter().position(|s| s.name == "Wire").unwrap();
        let t = &trails.sources[wire];
        assert_eq!((t.reports, t.judged), (3, 2));
        let got: Vec<(&str, f64, bool)> = t
            .entries
            .iter()
            .map(|e| (e.story_id.as_str(), e.contribution, e.judged))
            .collect();
        // |1 − m₀| and |0 − m₀| decide the order of a and b; c carried no evidence and comes last.
        let (a, b) = (("a", 1.0 - m0, true), ("b", -m0, true));
        let want = if (1.0 - m0) >= m0 { [a, b] } else { [b, a] };
        assert_eq!(&got[..2], &want);
        assert_eq!(got[2], ("c", 0.0, false));
        // The relay is in Wire's trail, marked, with the input's text; Echo has no report of its own.
        let a = t.entries.iter().find(|e| e.story_id == "a").unwrap();
        let claims: Vec<(&str, &str, bool)> = a
            .claims
            .iter()
            .map(|c| (c.claim_id.as_str(), c.source.as_str(), c.relay))
            .collect();
        assert_eq!(claims, [("1", "Wire", false), ("4", "Echo", true)]);
        assert_eq!(a.claims[1].text.as_deref(), Some("Wire says A happened"));
        assert_eq!(a.responses.len(), 1);
        assert!(a.responses[0].standing);
        assert_eq!(a.resolution.as_ref().map(|r| r.outcome), Some(Outcome::True));
        let echo = run.sources.iter().position(|s| s.name == "Echo").unwrap();
        assert_eq!(trails.sources[echo].reports, 0);
        // Every resolution was an input: nothing left to calibrate.
        assert_eq!(trails.calibration.claims, 0);
        assert_eq!(trails.calibration.settled_at_scoring, 4);
    }

    #[test]
    fn top_keeps_the_largest_and_only_keeps_one_source() {
        let dir = tempfile::tempdir().unwrap();
        let run = run(dir.path());
        let wire = run.sources.iter().position(|s| s.name == "Wire").unwrap();
        let opts = TrailOptions {
            top: 1,
            only: Some(wire),
            inputs: InputPaths::default(),
        };
        let trails = build(&run, &opts).unwrap();
        assert_eq!(trails.sources[wire].entries.len(), 1);
        assert_eq!(trails.sources[wire].reports, 3);
        assert!(
            trails
                .sources
                .iter()
                .enumerate()
                .all(|(i, t)| i == wire || t.entries.is_empty())
        );
        // No input files given: no texts, no responses, and nothing to note.
        let e = &trails.sources[wire].entries[0];
        assert!(e.responses.is_empty() && e.resolution.is_none() && e.claims[0].text.is_none());
        assert!(trails.inputs.is_empty());
    }
}
