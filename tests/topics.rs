//! Per-topic reliabilities (`--topics`) on a world where some outlets are good on one topic only.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use common::Workdir;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::Beta;

/// Writes a world of 60 outlets and two topics, `per_cell` resolved claims per (outlet, topic); with
/// `specialists`, every other outlet is sound on economy (0.92) and poor on war (0.35). Returns the true
/// accuracies by (outlet, topic).
fn world(wd: &Workdir, specialists: bool, per_cell: usize) -> BTreeMap<(String, String), f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let accuracy = Beta::new(6.0, 2.0).unwrap();
    let (mut claims, mut resolutions) = (String::new(), String::new());
    claims.push_str("claim_id,source,published_at,story_id,stance,topic\n");
    resolutions.push_str("story_id,outcome,resolved_at\n");
    // True accuracy by (outlet, topic): specialists are sound on economy and poor on war; the others are as
    // good on both.
    let mut truth: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut story = 0;
    for k in 0..60 {
        let name = format!("outlet-{k:02}");
        let base: f64 = rng.sample(accuracy);
        for topic in ["economy", "war"] {
            let theta = match (specialists, k % 2, topic) {
                (true, 0, "economy") => 0.92,
                (true, 0, _) => 0.35,
                _ => base,
            };
            truth.insert((name.clone(), topic.to_owned()), theta);
            for _ in 0..per_cell {
                story += 1;
                let right = rng.random::<f64>() < theta;
                writeln!(claims, "c{story},{name},2025-01-01,s{story},asserts,{topic}").unwrap();
                writeln!(
                    resolutions,
                    "s{story},{},2025-02-01",
                    if right { "true" } else { "false" }
                )
                .unwrap();
            }
        }
    }
    wd.create("claims.csv", claims);
    wd.create("resolutions.csv", resolutions);
    wd.create("responses.csv", "response_id,story_id,responder,responded_at,verdict\n");
    truth
}

/// Scores with `--topics`; returns the per-topic and the overall mean absolute errors, the cells' interval
/// coverage and the pooling strength.
fn score(wd: &Workdir, truth: &BTreeMap<(String, String), f64>) -> (f64, f64, f64, f64) {
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        "claims.csv",
        "--responses",
        "responses.csv",
        "--resolutions",
        "resolutions.csv",
        "--out",
        "out",
        "--topics",
        "-q",
    ]);
    wd.output(&mut cmd);
    let overall: BTreeMap<String, f64> = wd
        .read_csv_maps("out/sources.csv")
        .into_iter()
        .map(|r| (r["source"].clone(), r["reliability"].parse().unwrap()))
        .collect();
    let cells = wd.read_csv_maps("out/source_topics.csv");
    assert_eq!(cells.len(), 120);
    let (topic, whole, coverage) = cell_errors(&cells, &overall, truth);
    let strength = wd.read_json("out/summary.json")["topic_strength"].as_f64().unwrap();
    eprintln!(
        "120 cells: MAE {topic:.4} per topic vs {whole:.4} with the outlet's overall score; \
         coverage {coverage:.3}; pooling strength {strength:.2}",
    );
    (topic, whole, coverage, strength)
}

/// The cells' mean absolute error against their true accuracies, the same using each cell's outlet's
/// overall score, and the share of true accuracies inside the cells' intervals.
fn cell_errors(
    cells: &[BTreeMap<String, String>],
    overall: &BTreeMap<String, f64>,
    truth: &BTreeMap<(String, String), f64>,
) -> (f64, f64, f64) {
    let (mut err_topic, mut err_overall, mut inside) = (0.0, 0.0, 0);
    for c in cells {
        let t = truth[&(c["source"].clone(), c["topic"].clone())];
        let f = |k: &str| c[k].parse::<f64>().unwrap();
        err_topic += (f("reliability") - t).abs();
        err_overall += (overall[&c["source"]] - t).abs();
        inside += usize::from(f("ci_low") <= t && t <= f("ci_high"));
    }
    let n = cells.len() as f64;
    (err_topic / n, err_overall / n, inside as f64 / n)
}

#[test]
fn topic_reliabilities_recover_specialists_and_pool_the_rest() {
    let wd = Workdir::new("topics");
    let truth = world(&wd, true, 25);
    let (topic, overall, coverage, strength) = score(&wd, &truth);
    assert!(topic < 0.6 * overall, "{topic} {overall}");
    assert!(coverage >= 0.9, "{coverage}");
    // Where outlets are as good on every topic, the fit pools hard: cells stay with their outlet.
    let wd = Workdir::new("topics-even");
    let truth = world(&wd, false, 5);
    let (topic_even, overall_even, coverage_even, strength_even) = score(&wd, &truth);
    assert!(strength_even > 5.0 * strength, "{strength_even} vs {strength}");
    assert!(topic_even <= overall_even * 1.1, "{topic_even} {overall_even}");
    // 60 outlets' accuracies, each counted in two cells: the coverage estimate is coarse (0.892 here).
    assert!(coverage_even >= 0.85, "{coverage_even}");
}

/// Writes a world of stories with competing text values: 60 outlets, two topics, 360 stories per topic,
/// each reported by 5 outlets drawn at random (about 30 reports per (outlet, topic)), no resolutions.
/// Every other outlet is sound on economy (0.92) and poor on war (0.35); a wrong report names one of four
/// wrong values. Returns the true accuracies by (outlet, topic).
fn valued_world(wd: &Workdir) -> BTreeMap<(String, String), f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let accuracy = Beta::new(6.0, 2.0).unwrap();
    let mut truth: BTreeMap<(String, String), f64> = BTreeMap::new();
    let names: Vec<String> = (0..60).map(|k| format!("outlet-{k:02}")).collect();
    for (k, name) in names.iter().enumerate() {
        let base: f64 = rng.sample(accuracy);
        for topic in ["economy", "war"] {
            let theta = match (k % 2, topic) {
                (0, "economy") => 0.92,
                (0, _) => 0.35,
                _ => base,
            };
            truth.insert((name.clone(), topic.to_owned()), theta);
        }
    }
    let mut claims = String::from("claim_id,source,published_at,story_id,stance,value,topic\n");
    let mut n = 0;
    for topic in ["economy", "war"] {
        for story in 0..360 {
            let mut picked: Vec<usize> = Vec::new();
            while picked.len() < 5 {
                let k = rng.random_range(0..60);
                if !picked.contains(&k) {
                    picked.push(k);
                }
            }
            for k in picked {
                n += 1;
                let right = rng.random::<f64>() < truth[&(names[k].clone(), topic.to_owned())];
                let value = if right {
                    "the truth".to_owned()
                } else {
                    format!("wrong {}", rng.random_range(0..4))
                };
                writeln!(
                    claims,
                    "c{n},{},2025-01-01,{topic}-{story},asserts,{value},{topic}",
                    names[k]
                )
                .unwrap();
            }
        }
    }
    wd.create("claims.csv", claims);
    truth
}

/// `score --claims claims.csv --topics --out OUT -q` with `extra` arguments.
fn score_topics(wd: &Workdir, out: &str, extra: &[&str]) -> std::process::Command {
    let mut cmd = wd.command("score");
    cmd.args(["--claims", "claims.csv", "--topics", "--out", out, "-q"]);
    cmd.args(extra);
    cmd
}

/// Topics on stories with values, under em and vote: the cells recover the specialists from agreement
/// alone, and every report is counted in exactly one cell.
#[test]
fn topic_reliabilities_on_valued_stories() {
    let wd = Workdir::new("topics-valued");
    let truth = valued_world(&wd);
    for method in ["em", "vote"] {
        let out = format!("out-{method}");
        wd.output(&mut score_topics(&wd, &out, &["--method", method]));
        let sources = wd.read_csv_maps(&format!("{out}/sources.csv"));
        let overall: BTreeMap<String, f64> = sources
            .iter()
            .map(|r| (r["source"].clone(), r["reliability"].parse().unwrap()))
            .collect();
        let cells = wd.read_csv_maps(&format!("{out}/source_topics.csv"));
        assert_eq!(cells.len(), 120, "{method}");
        // The cells' judged evidence adds up to their outlet's: no report lost or counted twice.
        for s in &sources {
            let evidence: f64 = cells
                .iter()
                .filter(|c| c["source"] == s["source"])
                .map(|c| c["evidence"].parse::<f64>().unwrap())
                .sum();
            let whole: f64 = s["evidence"].parse().unwrap();
            assert!(
                (evidence - whole).abs() < 1e-4,
                "{method} {}: {evidence} vs {whole}",
                s["source"]
            );
        }
        let (topic, whole, coverage) = cell_errors(&cells, &overall, &truth);
        eprintln!("{method}: 120 cells, MAE {topic:.4} per topic vs {whole:.4} overall; coverage {coverage:.3}");
        assert!(topic < 0.6 * whole, "{method}: {topic} {whole}");
        if method == "em" {
            assert!(coverage >= 0.85, "{coverage}");
        }
    }
    // The same bytes for one thread as for two (em over values fills the cells in its parallel pass).
    for threads in ["1", "2"] {
        wd.output(&mut score_topics(&wd, threads, &["--threads", threads]));
    }
    assert_eq!(wd.snapshot("1"), wd.snapshot("2"));
    // Dawid–Skene and TruthFinder report their own scores, not a Beta posterior to pool toward.
    for method in ["dawid-skene", "truthfinder"] {
        let mut cmd = score_topics(&wd, "refused", &["--method", method, "--value-kind", "label"]);
        let stderr = wd.output_err(&mut cmd, 1);
        assert!(stderr.contains("do not take topics"), "{stderr}");
    }
}

/// `--topics` on claims without a `topic` column stops with the file and the column named, rather than
/// writing an empty `source_topics.csv`.
#[test]
fn topics_without_a_topic_column_is_an_error() {
    let wd = Workdir::new("topics-no-column");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance\nc1,A,2025-01-01,s1,asserts\nc2,B,2025-01-01,s1,asserts\n",
    );
    let err = wd.output_err(
        wd.command("score")
            .args(["--claims", "claims.csv", "--topics", "--out", "out"]),
        1,
    );
    assert!(err.contains("claims.csv:1: missing required column `topic`"), "{err}");
    assert!(!wd.path("out/source_topics.csv").exists());
}

/// A topic strength fitted below ½ (one outlet whose topics disagree, found by a randomised campaign) is
/// scored, not a panic: each cell's prior strength is capped by the fitted one.
#[test]
fn a_topic_strength_below_a_half_is_scored() {
    let wd = Workdir::new("topics-weak-strength");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance,topic,attributed_to
c0008,S00,2025-01-07T12:22:00Z,st006,asserts,war,
c0011,S00,2025-01-10T20:11:00Z,st006,denies,war,
c0015,S00,2025-01-01T13:25:00Z,st008,asserts,war,
c0032,S00,2025-01-09T11:18:00Z,st002,denies,,
c0034,S00,2025-01-14,st007,asserts,econ,
c0037,S00,2025-01-09,st008,denies,econ,
c0041,S00,2025-01-13,st014,,war,
c0053,S00,2025-01-08T16:38:00Z,st007,denies,econ,S00
c0070,S00,2025-01-03T19:55:00Z,st002,asserts,,Outsider
",
    );
    wd.output(wd.command("score").args([
        "--claims",
        "claims.csv",
        "--topics",
        "--threads",
        "1",
        "--out",
        "out",
        "-q",
    ]));
    let topics = wd.read_string("out/source_topics.csv");
    assert!(topics.lines().count() >= 3, "{topics}");
    assert!(!topics.contains("NaN"), "{topics}");
}
