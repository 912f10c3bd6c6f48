//! Criterion benchmarks of credence's pipeline, stage by stage, on generated corpora.
//!
//! At start-up the bench writes one planted corpus per size (`generate::write` with
//! `Config { claims: N, seed: 42, ..Config::default() }`, N = 100 000 and 1 000 000) into a temporary
//! directory, loads and scores it once, and keeps the result, so each benchmark below times one stage on
//! inputs the earlier stages already produced. The directories are removed when the run ends.
//!
//! The benchmarks, as `group/size`:
//!
//! * `parse/N`: [`ingest::load`] of `claims.csv`, `responses.csv` and `resolutions.csv` into a validated
//!   corpus (block-parallel claims parse, name interning, duplicate checks, responses and resolutions).
//!   Throughput in bytes of the three input files, so it reads as MB/s of CSV.
//! * `crosscheck+aggregate+fit/N`: [`model::score`] on the already loaded corpus: cross-check of every
//!   story's answers and resolution, credit of relays, responder rates, the per-source evidence tallies,
//!   the empirical-Bayes prior fit and every source's posterior. Pure computation, no I/O. Throughput in
//!   claims. (Criterion's filter is a regex, so select it with e.g. `-- aggregate`.)
//! * `fit/prior_1000_records`: [`Prior::fit`] alone, on 1000 hand-built [`Record`]s. The model's records
//!   are not reachable through the public API (only the fitted prior is kept in `Scores`), so these are
//!   built deterministically to look like real ones: heavy-tailed volumes of known hits and misses, and
//!   on most sources a few uncertain groups (claims judged only by official responses), which is what
//!   makes the fit numerical rather than closed-form. A corpus of this generator has 200 sources, so this
//!   is five times the fit inside `crosscheck+aggregate+fit`.
//! * `fit/posterior_uncertain` and `fit/posterior_known`: one [`Record::posterior`] (95% interval, with the
//!   record's own uncertain probabilities as probes, as the model asks) on a record with uncertain groups
//!   (the logit-grid quadrature path) and on one with only known counts (the closed-form Beta path).
//!   These tell the cost per source of the last model step.
//! * `write/N`: [`report::write_all`] into a temporary directory: `sources.csv`, `responders.csv`,
//!   `rejects.csv`, `summary.json`, and `claims.csv`, which re-reads the claims file (the second pass) to
//!   write one scored row per claim. Throughput in claims.
//! * `end_to_end/N`: [`credence::score_files`] then [`report::write_all`]: what `credence score` does,
//!   less argument parsing. Throughput in claims (the input size in bytes is printed at start-up).
//!
//! `parse` and `crosscheck+aggregate+fit` leave the freeing of their output out of the timing
//! (`iter_with_large_drop`), as a real run frees nothing before it exits; `write` and `end_to_end` include
//! everything they do.
//!
//! Every sample is a whole run of its stage (`SamplingMode::Flat`, ten samples), since the corpus-sized
//! stages take from tens of milliseconds to seconds each; measurement times are chosen so that the whole
//! bench, both sizes, runs in about three minutes on two cores.
//!
//! Run with `cargo bench --bench stages` (add e.g. `-- parse` to run one group).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

use credence::generate::{self, Config};
use credence::ingest::{self, Inputs, LoadOptions, Loaded};
use credence::model::posterior::Record;
use credence::model::prior::Prior;
use credence::model::{self, Params, Scores};
use credence::report::{self, Format};

/// Claim counts of the generated corpora.
const SIZES: [usize; 2] = [100_000, 1_000_000];

/// One generated corpus with what the earlier stages make of it.
struct Fixture {
    /// Claims requested of the generator (the benchmark's parameter).
    size: usize,
    /// Claim rows actually written (the generator may overshoot by a few to finish a story).
    claims: u64,
    /// Bytes of the three input files together.
    bytes: u64,
    inputs: Inputs,
    loaded: Loaded,
    scores: Scores,
    /// Where `write` and `end_to_end` put their outputs.
    out: tempfile::TempDir,
    /// Holds the inputs; removed on drop.
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new(size: usize) -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let t = Instant::now();
        let written = generate::write(
            dir.path(),
            &Config {
                claims: size,
                seed: 42,
                ..Config::default()
            },
        )
        .expect("the generator writes its corpus");
        let generated = t.elapsed();
        let inputs = Inputs {
            claims: written.files[0].clone(),
            responses: Some(written.files[1].clone()),
            resolutions: Some(written.files[2].clone()),
        };
        let bytes = written.files[..3].iter().map(|p| file_len(p)).sum();
        let t = Instant::now();
        let loaded = ingest::load(&inputs, LoadOptions::default()).expect("the generated corpus loads");
        let parsed = t.elapsed();
        let t = Instant::now();
        let scores = model::score(&loaded.corpus, &responses_only()).expect("the generated corpus scores");
        let scored = t.elapsed();
        eprintln!(
            "stages: corpus {size}: {} claims, {} responses, {} resolutions, {} sources, {:.1} MB of input; \
             generated in {:.2?}, first load {:.2?}, first score {:.2?}",
            written.claims,
            written.responses,
            written.resolutions,
            loaded.corpus.sources.len(),
            bytes as f64 / 1e6,
            generated,
            parsed,
            scored,
        );
        Fixture {
            size,
            claims: written.claims,
            bytes,
            inputs,
            loaded,
            scores,
            out: tempfile::tempdir().expect("a temporary directory"),
            _dir: dir,
        }
    }

    fn id(&self) -> BenchmarkId {
        BenchmarkId::from_parameter(self.size)
    }
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).expect("a generated file").len()
}

/// Measurement time for a stage whose single run on the larger corpus takes about `per_run_1m`: ten runs
/// at 1M, and the same (proportionally more runs) at 100k, with a floor of two seconds.
fn budget(f: &Fixture, per_run_1m: Duration) -> Duration {
    let scaled = per_run_1m.mul_f64(10.0 * f.size as f64 / 1e6);
    scaled.max(Duration::from_secs(2))
}

/// 1000 records shaped like the model's: heavy-tailed volumes (outlet k holds about 3000/k judged
/// claims), three in four claims known through resolutions, and on four sources in five some uncertain
/// groups at probabilities such as two responders' verdicts produce. Deterministic.
fn records() -> Vec<Record> {
    // Probabilities of correctness from official answers alone: a few distinct values, as in a corpus
    // with two responders.
    const CS: [f64; 6] = [0.08, 0.23, 0.41, 0.64, 0.86, 0.97];
    (0..1000u32)
        .map(|k| {
            let volume = 3000.0 / f64::from(k + 1) + 4.0;
            // A spread of accuracies between about 0.45 and 0.95, scrambled over the volumes.
            let accuracy = 0.45 + 0.5 * f64::from((k * 37) % 101) / 100.0;
            let known = (0.75 * volume).round();
            let mut r = Record::default();
            r.push_known(1.0, (known * accuracy).round());
            r.push_known(0.0, known - (known * accuracy).round());
            if k % 5 != 0 {
                let uncertain = volume - known;
                let groups = 1 + (k as usize % CS.len());
                for (g, &c) in CS.iter().cycle().skip(k as usize % 3).take(groups).enumerate() {
                    r.push_uncertain(c, (uncertain / groups as f64).ceil() + g as f64);
                }
            }
            r.finish();
            r
        })
        .collect()
}

fn stages(c: &mut Criterion) {
    let fixtures: Vec<Fixture> = SIZES.into_iter().map(Fixture::new).collect();
    let params = responses_only();

    let mut g = c.benchmark_group("parse");
    g.sampling_mode(SamplingMode::Flat);
    for f in &fixtures {
        g.throughput(Throughput::Bytes(f.bytes));
        g.measurement_time(budget(f, Duration::from_millis(700)));
        g.bench_with_input(f.id(), &f.inputs, |b, inputs| {
            b.iter_with_large_drop(|| ingest::load(black_box(inputs), LoadOptions::default()).expect("loads"))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("crosscheck+aggregate+fit");
    g.sampling_mode(SamplingMode::Flat);
    for f in &fixtures {
        g.throughput(Throughput::Elements(f.claims));
        g.measurement_time(budget(f, Duration::from_millis(500)));
        g.bench_with_input(f.id(), &f.loaded.corpus, |b, corpus| {
            b.iter_with_large_drop(|| model::score(black_box(corpus), &params).expect("scores"))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("fit");
    g.measurement_time(Duration::from_secs(5));
    let records = records();
    let refs: Vec<&Record> = records.iter().collect();
    g.bench_function("prior_1000_records", |b| b.iter(|| Prior::fit(black_box(&refs))));
    // The prior these records fit, so the posteriors below are computed where the model would.
    let prior = Prior::fit(&refs);
    for (name, r) in [
        ("posterior_uncertain", records.iter().find(|r| r.uncertain.len() >= 3)),
        ("posterior_known", records.iter().find(|r| r.uncertain.is_empty())),
    ] {
        let r = r.expect("records() makes both kinds");
        let probes: Vec<f64> = r.uncertain.iter().map(|g| g.0).collect();
        g.bench_function(name, |b| {
            b.iter(|| black_box(r).posterior(prior.alpha, prior.beta, params.level, black_box(&probes)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("write");
    g.sampling_mode(SamplingMode::Flat);
    for f in &fixtures {
        g.throughput(Throughput::Elements(f.claims));
        g.measurement_time(budget(f, Duration::from_millis(700)));
        g.bench_with_input(f.id(), f, |b, f| {
            b.iter(|| report::write_all(f.out.path(), black_box(&f.loaded), &f.scores, Format::Csv).expect("writes"))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("end_to_end");
    g.sampling_mode(SamplingMode::Flat);
    for f in &fixtures {
        g.throughput(Throughput::Elements(f.claims));
        g.measurement_time(budget(f, Duration::from_millis(1800)));
        g.bench_with_input(f.id(), f, |b, f| {
            b.iter(|| {
                let run = credence::score_files(black_box(&f.inputs), LoadOptions::default(), &params).expect("runs");
                report::write_all(f.out.path(), &run.loaded, &run.scores, Format::Csv).expect("writes")
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1));
    targets = stages
}
criterion_main!(benches);

/// The response-only model, which BENCHMARKS.md's stage figures measure (the default, em, iterates over the
/// same stages and is timed on its own there).
fn responses_only() -> Params {
    Params {
        method: model::Method::Responses,
        ..Params::default()
    }
}
