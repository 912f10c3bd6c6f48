//! Corpora with planted truth, for tests, evaluation and benchmarks.
//!
//! The generator draws a world and writes it in credence's own input format, with the hidden truth beside
//! it. The world:
//!
//! * outlets with a hidden accuracy θ ~ Beta(`accuracy_alpha`, `accuracy_beta`), heavy-tailed volumes
//!   (outlet k publishes in proportion to 1/k^`volume_exponent`) and a beat (a topic they mostly cover);
//! * stories, each opened by an originator that asserts it; the story is true with the originator's
//!   accuracy, so good outlets open true stories. Other outlets then cover it independently, each taking
//!   the right stance (asserting a true story, denying a false one) with its own accuracy;
//! * relays: a share of further claims repeat an existing report, attributed ("according to …") or, at
//!   `silent_copy_rate`, with no attribution at all;
//! * copiers (`copiers`, 0 by default): outlets that each follow one other outlet and repeat a share
//!   (`copy_share`) of its own reports without attribution, hours later; `truth_copiers.csv` names them;
//! * official responders, each with a confirm-when-true and a deny-when-false rate, an answer rate, the
//!   topics it answers on, a share of `no_comment` answers (no evidence) and of `partial` ones, more
//!   often on one truth than the other ([`ResponderSpec::partial_share`]);
//! * resolutions for a share of stories, `mixed` for some of them if asked (default none: a mixed outcome
//!   counts half right for every claim on the story, so it moves a source's realised accuracy away from
//!   its planted one).
//!
//! With [`Config::unkeyed`] the same world (same seed, same draws) is written without story keys: every
//! claim and response gets a news-style text built from its story's own names, place, amount and event,
//! worded differently by each outlet ([`texts`]), silent copies repeat their original's text word for
//! word, and `story_id` is left empty, so that scores from keyed and unkeyed input of one world can be
//! compared. No `resolutions.csv` is written then: a resolution names a story key, which unkeyed claims do
//! not have, so every one would be rejected (the outcomes are still drawn, so the world is the same, and
//! `truth_stories.csv` holds every story's truth).
//!
//! The same configuration and seed give the same bytes.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::Beta;

use crate::error::{Error, Result};

/// One official responder of a generated world.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponderSpec {
    /// Its name.
    pub name: String,
    /// Chance it answers a story on one of its topics.
    pub answer_rate: f64,
    /// Topics it answers on (`None`: all).
    pub topics: Option<Vec<u32>>,
    /// Chance it confirms a true story (else it denies it).
    pub confirm_when_true: f64,
    /// Chance it denies a false story (else it confirms it).
    pub deny_when_false: f64,
    /// Chance an answer is `partial` instead.
    pub partial_rate: f64,
    /// Chance an answer is `no_comment` instead.
    pub no_comment_rate: f64,
}

impl ResponderSpec {
    /// The chance of a partial answer on a story of truth `truth`: P(partial | T) ∝ √(P(confirm | T)·P(deny |
    /// T)), so that a partial answer's likelihood ratio is the geometric mean of a confirmation's and a
    /// denial's (what em assumed before it learned each kind of answer's chances on its own), averaging
    /// `partial_rate` over true and false stories.
    pub fn partial_share(&self, truth: bool) -> f64 {
        let (a, d) = (self.confirm_when_true, self.deny_when_false);
        let (on_true, on_false) = ((a * (1.0 - a)).sqrt(), (d * (1.0 - d)).sqrt());
        let total = on_true + on_false;
        if total == 0.0 {
            return self.partial_rate;
        }
        let share = 2.0 * self.partial_rate * if truth { on_true } else { on_false } / total;
        share.min(1.0 - self.no_comment_rate)
    }

    /// An honest responder answering every topic.
    pub fn honest(name: &str, answer_rate: f64) -> Self {
        ResponderSpec {
            name: name.to_owned(),
            answer_rate,
            topics: None,
            confirm_when_true: 0.9,
            deny_when_false: 0.9,
            partial_rate: 0.05,
            no_comment_rate: 0.1,
        }
    }

    /// An interested responder: on its topics it denies most true stories, yet never confirms false ones.
    pub fn interested(name: &str, answer_rate: f64, topics: Vec<u32>) -> Self {
        ResponderSpec {
            name: name.to_owned(),
            answer_rate,
            topics: Some(topics),
            confirm_when_true: 0.3,
            deny_when_false: 0.97,
            partial_rate: 0.05,
            no_comment_rate: 0.1,
        }
    }
}

/// The knobs of a generated world.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Seed of the random generator.
    pub seed: u64,
    /// Claim rows to write (approximately: the last story may overshoot by a few).
    pub claims: usize,
    /// Number of outlets.
    pub sources: usize,
    /// First shape of the outlets' accuracy distribution.
    pub accuracy_alpha: f64,
    /// Second shape of the outlets' accuracy distribution.
    pub accuracy_beta: f64,
    /// Exponent of the outlets' volume law (0: equal volumes).
    pub volume_exponent: f64,
    /// Number of topics (beats).
    pub topics: u32,
    /// Chance an outlet's story is on its own beat.
    pub beat_share: f64,
    /// Mean number of independent outlets covering a story besides its originator.
    pub mean_coverage: f64,
    /// Mean number of relays of a story's reports.
    pub mean_relays: f64,
    /// Share of relays that carry no attribution (silent copies).
    pub silent_copy_rate: f64,
    /// Number of copier outlets, each silently repeating one other outlet's reports.
    pub copiers: usize,
    /// Share of its target's reports a copier repeats.
    pub copy_share: f64,
    /// The official responders.
    pub responders: Vec<ResponderSpec>,
    /// Chance a story is later resolved.
    pub resolve_rate: f64,
    /// Chance a resolved story is resolved `mixed`.
    pub mixed_rate: f64,
    /// Write texts and leave `story_id` empty in claims and responses.
    pub unkeyed: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            claims: 10_000,
            sources: 200,
            accuracy_alpha: 6.0,
            accuracy_beta: 2.0,
            volume_exponent: 1.0,
            topics: 4,
            beat_share: 0.8,
            mean_coverage: 1.5,
            mean_relays: 1.0,
            silent_copy_rate: 0.2,
            copiers: 0,
            copy_share: 0.5,
            responders: vec![
                ResponderSpec::honest("Ministry of Information", 0.25),
                ResponderSpec::interested("Presidential Press Office", 0.6, vec![0]),
            ],
            resolve_rate: 0.3,
            mixed_rate: 0.0,
            unkeyed: false,
        }
    }
}

/// What a generation wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Written {
    /// Claim rows.
    pub claims: u64,
    /// Response rows.
    pub responses: u64,
    /// Resolution rows written (none for an unkeyed world).
    pub resolutions: u64,
    /// Stories.
    pub stories: u64,
    /// The files, in the order: claims, responses, resolutions (not for an unkeyed world), truth of sources,
    /// truth of stories, truth of claims.
    pub files: Vec<PathBuf>,
}

/// Draws an index from cumulative weights.
fn pick(rng: &mut ChaCha8Rng, cumulative: &[f64]) -> usize {
    let total = *cumulative.last().expect("at least one weight");
    let x = rng.random::<f64>() * total;
    cumulative.partition_point(|&c| c <= x).min(cumulative.len() - 1)
}

/// A Poisson draw by inversion (means here are small).
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = rng.random::<f64>();
    while p > limit && k < 1000 {
        k += 1;
        p *= rng.random::<f64>();
    }
    k
}

fn create(dir: &Path, name: &str) -> Result<(BufWriter<File>, PathBuf)> {
    let path = dir.join(name);
    let f = File::create(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    Ok((BufWriter::with_capacity(1 << 20, f), path))
}

/// Generates a world and writes `claims.csv`, `responses.csv`, `resolutions.csv` and the hidden truth
/// (`truth_sources.csv`, `truth_stories.csv`, `truth_claims.csv`) into `dir`.
///
/// # Errors
/// [`Error::Config`] for an empty or out-of-range configuration; [`Error::Io`] when a file cannot be written.
pub fn write(dir: &Path, cfg: &Config) -> Result<Written> {
    validate(cfg)?;
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let accuracy =
        Beta::new(cfg.accuracy_alpha, cfg.accuracy_beta).map_err(|e| Error::Config(format!("accuracy shapes: {e}")))?;
    let theta: Vec<f64> = (0..cfg.sources).map(|_| rng.sample(accuracy)).collect();
    if theta.iter().any(|t| !t.is_finite()) {
        return Err(Error::Config(
            "accuracy shapes: the Beta distribution gave a draw that is not a number; give larger shapes".into(),
        ));
    }
    let beat: Vec<u32> = (0..cfg.sources).map(|s| s as u32 % cfg.topics).collect();
    let mut cumulative = Vec::with_capacity(cfg.sources);
    let mut acc = 0.0;
    for k in 0..cfg.sources {
        acc += 1.0 / ((k + 1) as f64).powf(cfg.volume_exponent);
        cumulative.push(acc);
    }

    // Copiers: distinct outlets drawn uniformly, each following an outlet drawn by volume. No draw at all
    // without copiers, so other worlds stay as they were.
    let mut follows: Vec<Vec<usize>> = vec![Vec::new(); cfg.sources];
    let mut copier_pairs: Vec<(usize, usize)> = Vec::new();
    if cfg.copiers > 0 {
        let mut chosen = vec![false; cfg.sources];
        while copier_pairs.len() < cfg.copiers {
            let c = rng.random_range(0..cfg.sources);
            let target = pick(&mut rng, &cumulative);
            if chosen[c] || chosen[target] || c == target {
                continue;
            }
            chosen[c] = true;
            chosen[target] = true;
            follows[target].push(c);
            copier_pairs.push((c, target));
        }
    }

    let (mut claims, claims_path) = create(dir, "claims.csv")?;
    let (mut responses, responses_path) = create(dir, "responses.csv")?;
    // Unkeyed claims have no story keys for resolutions to name: the outcomes are drawn but not written.
    let (mut resolutions, resolutions_path): (Box<dyn Write>, Option<PathBuf>) = if cfg.unkeyed {
        (Box::new(std::io::sink()), None)
    } else {
        let (w, path) = create(dir, "resolutions.csv")?;
        (Box::new(w), Some(path))
    };
    let resolutions_io = |source| Error::Io {
        path: resolutions_path.clone().unwrap_or_default(),
        source,
    };
    let (mut truth_stories, stories_path) = create(dir, "truth_stories.csv")?;
    let (mut truth_claims, truth_claims_path) = create(dir, "truth_claims.csv")?;
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io {
            path: path.clone(),
            source,
        }
    };
    if cfg.unkeyed {
        writeln!(
            claims,
            "claim_id,source,published_at,story_id,stance,attributed_to,topic,text"
        )
        .map_err(io(&claims_path))?;
        writeln!(responses, "response_id,story_id,responder,responded_at,verdict,text").map_err(io(&responses_path))?;
    } else {
        writeln!(
            claims,
            "claim_id,source,published_at,story_id,stance,attributed_to,topic"
        )
        .map_err(io(&claims_path))?;
        writeln!(responses, "response_id,story_id,responder,responded_at,verdict").map_err(io(&responses_path))?;
    }
    // Texts come from a generator of their own, so that the world drawn is the same with and without them.
    let mut text_rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x7465_7874_7465_7874);
    let mut words = texts::StoryWords::default();
    let mut report_texts: Vec<String> = Vec::new();
    writeln!(resolutions, "story_id,outcome,resolved_at,resolver").map_err(resolutions_io)?;
    writeln!(truth_stories, "story_id,truth,topic,originator").map_err(io(&stories_path))?;
    writeln!(truth_claims, "claim_id,copy_of,correct").map_err(io(&truth_claims_path))?;

    let mut originals = vec![0u64; cfg.sources];
    let mut out = Written::default();
    let day0: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z
    let mut story = 0u64;
    // (claim number, source, asserts) of the story's reports so far, for relays to copy.
    let mut reports: Vec<(u64, usize, bool)> = Vec::new();
    let mut covering: Vec<usize> = Vec::new();
    while (out.claims as usize) < cfg.claims {
        story += 1;
        reports.clear();
        covering.clear();
        report_texts.clear();
        if cfg.unkeyed {
            words = texts::StoryWords::draw(&mut text_rng);
        }
        let origin = pick(&mut rng, &cumulative);
        let topic = if rng.random::<f64>() < cfg.beat_share {
            beat[origin]
        } else {
            rng.random_range(0..cfg.topics)
        };
        let truth = rng.random::<f64>() < theta[origin];
        let start = day0 + (story as i64 * 86_400 * 365) / (cfg.claims as i64 / 3 + 1) + rng.random_range(0..86_400);
        let mut t = start;
        let story_key = if cfg.unkeyed {
            String::new()
        } else {
            format!("s{story}")
        };
        let mut emit = |source: usize,
                        asserts: bool,
                        attributed: Option<usize>,
                        copy_of: Option<u64>,
                        t: i64,
                        text: &str,
                        out: &mut Written|
         -> Result<u64> {
            out.claims += 1;
            let n = out.claims;
            write!(
                claims,
                "c{n},outlet-{source:05},{},{story_key},{},",
                iso(t),
                if asserts { "asserts" } else { "denies" }
            )
            .map_err(io(&claims_path))?;
            if let Some(a) = attributed {
                write!(claims, "outlet-{a:05}").map_err(io(&claims_path))?;
            }
            if cfg.unkeyed {
                writeln!(claims, ",t{topic},\"{text}\"").map_err(io(&claims_path))?;
            } else {
                writeln!(claims, ",t{topic}").map_err(io(&claims_path))?;
            }
            let correct = asserts == truth;
            match copy_of {
                Some(c) => writeln!(truth_claims, "c{n},c{c},{}", u8::from(correct)),
                None => writeln!(truth_claims, "c{n},,{}", u8::from(correct)),
            }
            .map_err(io(&truth_claims_path))?;
            Ok(n)
        };
        let text = if cfg.unkeyed {
            words.claim(&mut text_rng, true)
        } else {
            String::new()
        };
        let n = emit(origin, true, None, None, t, &text, &mut out)?;
        originals[origin] += 1;
        reports.push((n, origin, true));
        report_texts.push(text);
        covering.push(origin);
        for _ in 0..poisson(&mut rng, cfg.mean_coverage) {
            let s = pick(&mut rng, &cumulative);
            if covering.contains(&s) {
                continue;
            }
            covering.push(s);
            let right = rng.random::<f64>() < theta[s];
            let asserts = right == truth;
            t += rng.random_range(600..43_200);
            let text = if cfg.unkeyed {
                words.claim(&mut text_rng, asserts)
            } else {
                String::new()
            };
            let n = emit(s, asserts, None, None, t, &text, &mut out)?;
            originals[s] += 1;
            reports.push((n, s, asserts));
            report_texts.push(text);
        }
        if !copier_pairs.is_empty() {
            for (&(of, from, asserts), text) in reports.iter().zip(&report_texts) {
                for &c in &follows[from] {
                    if covering.contains(&c) || rng.random::<f64>() >= cfg.copy_share {
                        continue;
                    }
                    covering.push(c);
                    t += rng.random_range(600..43_200);
                    // A copy repeats its source's text word for word.
                    emit(c, asserts, None, Some(of), t, text, &mut out)?;
                }
            }
        }
        for _ in 0..poisson(&mut rng, cfg.mean_relays) {
            let s = pick(&mut rng, &cumulative);
            if covering.contains(&s) {
                continue;
            }
            covering.push(s);
            let k = rng.random_range(0..reports.len());
            let (of, from, asserts) = reports[k];
            let silent = rng.random::<f64>() < cfg.silent_copy_rate;
            t += rng.random_range(600..43_200);
            // A silent copy repeats its original word for word; an attributed relay rewrites it and says so.
            let text = match (cfg.unkeyed, silent) {
                (false, _) => String::new(),
                (true, true) => report_texts[k].clone(),
                (true, false) => format!("According to outlet-{from:05}, {}", words.claim(&mut text_rng, asserts)),
            };
            emit(s, asserts, (!silent).then_some(from), Some(of), t, &text, &mut out)?;
        }
        writeln!(
            truth_stories,
            "s{story},{},t{topic},outlet-{origin:05}",
            u8::from(truth)
        )
        .map_err(io(&stories_path))?;
        for (k, r) in cfg.responders.iter().enumerate() {
            let covers = r.topics.as_ref().is_none_or(|ts| ts.contains(&topic));
            if !covers || rng.random::<f64>() >= r.answer_rate {
                continue;
            }
            let u = rng.random::<f64>();
            let verdict = if u < r.no_comment_rate {
                "no_comment"
            } else if u < r.no_comment_rate + r.partial_share(truth) {
                "partial"
            } else {
                let confirm = if truth {
                    rng.random::<f64>() < r.confirm_when_true
                } else {
                    rng.random::<f64>() >= r.deny_when_false
                };
                if confirm { "confirmed" } else { "denied" }
            };
            out.responses += 1;
            let at = t + rng.random_range(3_600..3 * 86_400);
            if cfg.unkeyed {
                writeln!(
                    responses,
                    "r{}-{k},,{},{},{verdict},\"{}\"",
                    out.responses,
                    r.name,
                    iso(at),
                    words.response(&mut text_rng, &r.name, verdict)
                )
            } else {
                writeln!(
                    responses,
                    "r{}-{k},s{story},{},{},{verdict}",
                    out.responses,
                    r.name,
                    iso(at)
                )
            }
            .map_err(io(&responses_path))?;
        }
        if rng.random::<f64>() < cfg.resolve_rate {
            let outcome = if rng.random::<f64>() < cfg.mixed_rate {
                "mixed"
            } else if truth {
                "true"
            } else {
                "false"
            };
            out.resolutions += u64::from(!cfg.unkeyed);
            let at = t + rng.random_range(7 * 86_400..90 * 86_400);
            writeln!(resolutions, "s{story},{outcome},{},fact-check desk", iso(at)).map_err(resolutions_io)?;
        }
    }
    out.stories = story;
    let (mut truth_sources, sources_path) = create(dir, "truth_sources.csv")?;
    writeln!(truth_sources, "source,accuracy,originals,beat").map_err(io(&sources_path))?;
    for s in 0..cfg.sources {
        writeln!(
            truth_sources,
            "outlet-{s:05},{:.6},{},t{}",
            theta[s], originals[s], beat[s]
        )
        .map_err(io(&sources_path))?;
    }
    if !copier_pairs.is_empty() {
        let (mut truth_copiers, path) = create(dir, "truth_copiers.csv")?;
        writeln!(truth_copiers, "copier,source").map_err(io(&path))?;
        for &(c, target) in &copier_pairs {
            writeln!(truth_copiers, "outlet-{c:05},outlet-{target:05}").map_err(io(&path))?;
        }
        truth_copiers.flush().map_err(io(&path))?;
    }
    for (w, p) in [
        (&mut claims, &claims_path),
        (&mut responses, &responses_path),
        (&mut truth_stories, &stories_path),
        (&mut truth_claims, &truth_claims_path),
        (&mut truth_sources, &sources_path),
    ] {
        w.flush().map_err(io(p))?;
    }
    resolutions.flush().map_err(resolutions_io)?;
    out.files = [Some(claims_path), Some(responses_path), resolutions_path]
        .into_iter()
        .flatten()
        .chain([sources_path, stories_path, truth_claims_path])
        .collect();
    Ok(out)
}

/// The smallest shape of the accuracy distribution `gen` draws from.
pub const MIN_SHAPE: f64 = 0.01;
/// The most sources `gen` makes (`--sources 4294967295` aborted on a 34 GB allocation).
pub const MAX_SOURCES: usize = 10_000_000;

fn validate(cfg: &Config) -> Result<()> {
    let bad = |what: &str| Err(Error::Config(what.to_owned()));
    let unit = |x: f64| (0.0..=1.0).contains(&x);
    if cfg.sources == 0 {
        return bad("the world needs at least one source");
    }
    if cfg.topics == 0 {
        return bad("the world needs at least one topic");
    }
    // Below about 0.002 statrs's Beta draws come out NaN (the two gamma draws underflow to 0/0), which
    // went into truth_sources.csv; 0.01 draws nearly every accuracy at 0 or 1 already.
    if !(cfg.accuracy_alpha >= MIN_SHAPE && cfg.accuracy_beta >= MIN_SHAPE) {
        return Err(Error::Config(format!("accuracy shapes must be at least {MIN_SHAPE}")));
    }
    if cfg.sources > MAX_SOURCES {
        return Err(Error::Config(format!(
            "at most {MAX_SOURCES} sources (each holds its accuracy, volume and beat; {} would ask for more \
             memory than a generator needs)",
            cfg.sources
        )));
    }
    if ![
        cfg.beat_share,
        cfg.silent_copy_rate,
        cfg.resolve_rate,
        cfg.mixed_rate,
        cfg.copy_share,
    ]
    .into_iter()
    .all(unit)
    {
        return bad("rates and shares must be between 0 and 1");
    }
    if !(cfg.mean_coverage >= 0.0 && cfg.mean_relays >= 0.0 && cfg.volume_exponent >= 0.0) {
        return bad("means and exponents must be non-negative");
    }
    // Each outlet copies or is copied in at most one pair; more would have been cut silently.
    if cfg.copiers > cfg.sources / 2 {
        return Err(Error::Config(format!(
            "{} copier pairs need at least {} sources (each outlet is in one pair at most); there are {}",
            cfg.copiers,
            2 * cfg.copiers,
            cfg.sources
        )));
    }
    for r in &cfg.responders {
        let rates = [
            r.answer_rate,
            r.confirm_when_true,
            r.deny_when_false,
            r.partial_rate,
            r.no_comment_rate,
        ];
        if !rates.into_iter().all(unit) || r.partial_rate + r.no_comment_rate > 1.0 {
            return Err(Error::Config(format!(
                "responder {}: rates must be between 0 and 1",
                r.name
            )));
        }
    }
    Ok(())
}

/// Seconds since the epoch as an RFC 3339 UTC time.
/// News-style texts for unkeyed corpora: each story gets its own names, place, amount and event, and
/// each outlet words it its own way.
pub mod texts {
    use rand::RngExt;
    use rand_chacha::ChaCha8Rng;

    const FIRST: [&str; 40] = [
        "Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hassan", "Irina", "Jonas", "Karim", "Lena",
        "Marco", "Nadia", "Oleg", "Paula", "Rashid", "Sofia", "Tomas", "Ulla", "Viktor", "Wanda", "Yusuf", "Zara",
        "Ahmed", "Beatriz", "Chen", "Daria", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Julia", "Kofi", "Leila",
        "Mehmet", "Nina", "Omar", "Petra",
    ];
    const SYLLABLES: [&str; 24] = [
        "ka", "vo", "ri", "len", "mar", "to", "bes", "ul", "dra", "no", "sik", "pe", "gor", "an", "zel", "mi", "tav",
        "ro", "dun", "e", "bra", "kov", "sha", "lin",
    ];
    const PLACE_ENDS: [&str; 6] = ["grad", "sk", "ia", "port", "stan", "ville"];
    const NAME_ENDS: [&str; 6] = ["ov", "ez", "son", "ani", "ski", "elli"];
    const ORGS: [&str; 20] = [
        "Port Authority",
        "Energy Ministry",
        "Central Bank",
        "Defence Ministry",
        "Health Ministry",
        "Railway Board",
        "Trade Council",
        "Grain Agency",
        "Mining Board",
        "Water Agency",
        "Customs Service",
        "Election Commission",
        "Finance Ministry",
        "Telecom Regulator",
        "Aviation Authority",
        "Housing Agency",
        "Fisheries Board",
        "Space Agency",
        "Tax Office",
        "Interior Ministry",
    ];
    const THINGS: [&str; 24] = [
        "pipeline deal",
        "arms shipment",
        "loan agreement",
        "border closure",
        "port lease",
        "grain contract",
        "power plant tender",
        "mining licence",
        "rail link",
        "gas swap",
        "debt restructuring",
        "satellite launch",
        "fishing accord",
        "refinery sale",
        "water treaty",
        "vaccine order",
        "bridge project",
        "customs union",
        "drone purchase",
        "wheat tender",
        "copper concession",
        "airport expansion",
        "telecom merger",
        "tax amnesty",
    ];
    const VERBS: [(&str, &str); 6] = [
        ("signed", "was signed"),
        ("agreed", "was agreed"),
        ("approved", "was approved"),
        ("secured", "was secured"),
        ("finalised", "was finalised"),
        ("sealed", "was sealed"),
    ];

    /// What every text about one story draws on.
    #[derive(Debug, Clone, Default)]
    pub struct StoryWords {
        first: &'static str,
        surname: String,
        place: String,
        org: &'static str,
        thing: &'static str,
        amount: u32,
    }

    fn word(rng: &mut ChaCha8Rng, syllables: usize, end: &str) -> String {
        let mut w: String = (0..syllables)
            .map(|_| SYLLABLES[rng.random_range(0..SYLLABLES.len())])
            .collect();
        w.push_str(end);
        let mut c = w.chars();
        c.next().map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
    }

    impl StoryWords {
        /// A story's names and facts.
        pub fn draw(rng: &mut ChaCha8Rng) -> StoryWords {
            StoryWords {
                first: FIRST[rng.random_range(0..FIRST.len())],
                // 24³ · 6 = 82,944 surnames and as many places: at a million claims a year, two stories in
                // one fortnight rarely share both.
                surname: {
                    let end = NAME_ENDS[rng.random_range(0..NAME_ENDS.len())];
                    word(rng, 3, end)
                },
                place: {
                    let end = PLACE_ENDS[rng.random_range(0..PLACE_ENDS.len())];
                    word(rng, 3, end)
                },
                org: ORGS[rng.random_range(0..ORGS.len())],
                thing: THINGS[rng.random_range(0..THINGS.len())],
                amount: rng.random_range(100..10_000),
            }
        }

        /// One outlet's report: asserting or denying the story, in one of several wordings, names and
        /// orders.
        pub fn claim(&self, rng: &mut ChaCha8Rng, asserts: bool) -> String {
            let StoryWords {
                first,
                surname,
                place,
                org,
                thing,
                amount,
            } = self;
            let (active, passive) = VERBS[rng.random_range(0..VERBS.len())];
            let who = if rng.random::<bool>() {
                format!("{first} {surname}")
            } else {
                surname.clone()
            };
            if !asserts {
                return match rng.random_range(0..3) {
                    0 => format!("{org} rejects reports that {who} {active} a ${amount} million {thing} in {place}"),
                    1 => format!("No {thing} {passive} in {place}, {surname}'s office insists"),
                    _ => {
                        format!("Sources in {place} deny that the ${amount} million {thing} with {surname} went ahead")
                    }
                };
            }
            match rng.random_range(0..6) {
                0 => format!("{who} {active} a ${amount} million {thing} with the {org} in {place}"),
                1 => format!("{place}: {surname}'s ${amount} million {thing} {passive}, {org} sources say"),
                2 => format!("The {org} and {who} reach a {thing} worth ${amount} million in {place}"),
                3 => format!("Sources: {who} {active} the {thing} in {place} talks with the {org}, ${amount} million"),
                4 => format!("A ${amount} million {thing} {passive} in {place}, {first} {surname} confirms"),
                _ => format!("{place} {thing}: {surname} and the {org} strike ${amount}m deal"),
            }
        }

        /// An official response to the story, worded by its verdict.
        pub fn response(&self, rng: &mut ChaCha8Rng, responder: &str, verdict: &str) -> String {
            let StoryWords {
                surname,
                place,
                thing,
                amount,
                ..
            } = self;
            let (active, _) = VERBS[rng.random_range(0..VERBS.len())];
            match verdict {
                "confirmed" => format!(
                    "The {responder} said reports that {surname} {active} a ${amount} million {thing} in {place} were accurate"
                ),
                "denied" => format!(
                    "The {responder} said no {thing} was {active} by {surname} in {place} and called the reports false"
                ),
                "partial" => format!(
                    "The {responder} said talks on a {thing} in {place} with {surname} took place but no ${amount} million deal was {active}"
                ),
                _ => format!("The {responder} declined to comment on reports of {surname}'s {thing} in {place}"),
            }
        }
    }
}

fn iso(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .expect("generated times are in range")
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Audit (session 23): shapes of 0.001 drew NaN accuracies into truth_sources.csv, and 2^32 − 1
    /// sources aborted on a 34 GB allocation. Both are refused before anything is drawn.
    #[test]
    fn shapes_too_small_to_draw_and_too_many_sources_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let tiny = Config {
            accuracy_alpha: 0.001,
            accuracy_beta: 0.001,
            ..Config::default()
        };
        let e = write(dir.path(), &tiny).unwrap_err().to_string();
        assert!(e.contains("accuracy shapes must be at least 0.01"), "{e}");
        let many = Config {
            sources: u32::MAX as usize,
            ..Config::default()
        };
        let e = write(dir.path(), &many).unwrap_err().to_string();
        assert!(e.contains("at most 10000000 sources"), "{e}");
        // At the smallest shape every accuracy is a number.
        let out = write(
            &dir.path().join("small"),
            &Config {
                claims: 500,
                accuracy_alpha: MIN_SHAPE,
                accuracy_beta: MIN_SHAPE,
                ..Config::default()
            },
        )
        .unwrap();
        let truth =
            std::fs::read_to_string(out.files.iter().find(|f| f.ends_with("truth_sources.csv")).unwrap()).unwrap();
        assert!(!truth.contains("NaN"), "{truth}");
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config {
            claims: 2_000,
            ..Config::default()
        };
        let a = write(&dir.path().join("a"), &cfg).unwrap();
        let b = write(&dir.path().join("b"), &cfg).unwrap();
        let c = write(&dir.path().join("c"), &Config { seed: 2, ..cfg.clone() }).unwrap();
        for (x, y) in a.files.iter().zip(&b.files) {
            assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap(), "{}", x.display());
        }
        assert_ne!(std::fs::read(&a.files[0]).unwrap(), std::fs::read(&c.files[0]).unwrap());
        assert!(a.claims >= 2_000 && a.claims < 2_020, "{a:?}");
    }

    /// An unkeyed world is the keyed one without keys: the same truths, and no resolutions, which could only
    /// name keys its claims lack (every one was rejected when scored).
    #[test]
    fn an_unkeyed_world_is_the_same_world_without_resolutions() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config {
            claims: 2_000,
            ..Config::default()
        };
        let keyed = write(&dir.path().join("k"), &cfg).unwrap();
        let unkeyed = write(&dir.path().join("u"), &Config { unkeyed: true, ..cfg }).unwrap();
        assert!(keyed.resolutions > 0 && dir.path().join("k/resolutions.csv").exists());
        assert_eq!(unkeyed.resolutions, 0);
        assert!(!dir.path().join("u/resolutions.csv").exists());
        assert_eq!(unkeyed.files.len(), keyed.files.len() - 1);
        for name in ["truth_stories.csv", "truth_sources.csv"] {
            let read = |d: &str| std::fs::read(dir.path().join(d).join(name)).unwrap();
            assert_eq!(read("k"), read("u"), "{name}");
        }
        assert_eq!((keyed.claims, keyed.responses), (unkeyed.claims, unkeyed.responses));
    }

    /// Each outlet is in one copier pair at most; asking for more pairs than that allows used to write fewer
    /// without a word.
    #[test]
    fn refuses_more_copier_pairs_than_the_outlets_allow() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = Config {
            claims: 500,
            sources: 10,
            copiers: 6,
            ..Config::default()
        };
        assert!(matches!(write(dir.path(), &cfg), Err(Error::Config(m)) if m.contains("at least 12 sources")));
        let five = write(dir.path(), &Config { copiers: 5, ..cfg }).unwrap();
        let pairs = std::fs::read_to_string(dir.path().join("truth_copiers.csv")).unwrap();
        assert_eq!(pairs.lines().count(), 6, "{pairs}");
        assert!(five.claims >= 500);
    }

    #[test]
    fn refuses_an_empty_world() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            write(
                dir.path(),
                &Config {
                    sources: 0,
                    ..Config::default()
                }
            ),
            Err(Error::Config(_))
        ));
    }
}
