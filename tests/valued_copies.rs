//! Stories with values: groups of outlets (`--sources-meta`) in em over free values, and copy detection
//! (`--detect-copies`) on a generated corpus of values with planted copiers.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use common::Workdir;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::Beta;

/// A generated corpus: its claims and gold CSV files.
struct World {
    claims: String,
    gold: String,
}

/// Outlets by name with their true accuracies.
type Outlets = Vec<(String, f64)>;
/// Planted copying: (copier, source, share of the source's stories copied), by outlet index.
type Copies = Vec<(usize, usize, f64)>;

/// A world of text values: `stories` stories, each with a true value and five false ones; every outlet
/// reports each story with probability `coverage`, the truth with its accuracy, else a false value drawn
/// evenly. With `copies` the copier repeats the source's value, a day later, on that share of the source's
/// stories (replacing its own report there). With `timed` false every claim has the same date.
fn world(
    seed: u64,
    thetas: &[(String, f64)],
    stories: usize,
    coverage: f64,
    copies: &[(usize, usize, f64)],
    timed: bool,
) -> World {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut claims = String::from("claim_id,source,published_at,story_id,stance,value\n");
    let mut gold = String::from("story_id,value\n");
    let mut id = 0;
    for s in 0..stories {
        writeln!(gold, "s{s},t{s}").unwrap();
        // Each outlet's report on the story: (day, value), if it reports it.
        let mut reports: Vec<Option<(u32, String)>> = thetas
            .iter()
            .map(|(_, theta)| {
                (rng.random::<f64>() < coverage).then(|| {
                    let value = if rng.random::<f64>() < *theta {
                        format!("t{s}")
                    } else {
                        format!("f{s}x{}", rng.random_range(0..5u32))
                    };
                    (rng.random_range(0..20u32), value)
                })
            })
            .collect();
        for &(copier, source, share) in copies {
            if let Some((day, value)) = reports[source].clone()
                && rng.random::<f64>() < share
            {
                reports[copier] = Some((day + 1, value));
            }
        }
        for (o, r) in reports.iter().enumerate() {
            if let Some((day, value)) = r {
                id += 1;
                let date = if timed {
                    format!("2025-01-{:02}", day + 1)
                } else {
                    "2025-01-01".into()
                };
                writeln!(claims, "c{id},{},{date},s{s},asserts,{value}", thetas[o].0).unwrap();
            }
        }
    }
    World { claims, gold }
}

/// 60 outlets of accuracy ~ Beta(7, 3); two weak outlets (accuracy 0.35) each copied by three others at a
/// share of 0.9.
fn planted(seed: u64) -> (Outlets, Copies) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let accuracy = Beta::new(7.0, 3.0).unwrap();
    let mut thetas: Vec<(String, f64)> = (0..60).map(|k| (format!("o{k:02}"), rng.sample(accuracy))).collect();
    thetas[0].1 = 0.35;
    thetas[1].1 = 0.35;
    let copies = vec![
        (10, 0, 0.9),
        (11, 0, 0.9),
        (12, 0, 0.9),
        (20, 1, 0.9),
        (21, 1, 0.9),
        (22, 1, 0.9),
    ];
    (thetas, copies)
}

fn eval(wd: &Workdir, extra: &[&str]) -> serde_json::Value {
    let mut cmd = wd.command("eval");
    cmd.args([
        "--claims",
        "claims.csv",
        "--gold",
        "gold.csv",
        "--methods",
        "em",
        "--json",
    ])
    .args(extra);
    let rows: serde_json::Value = serde_json::from_slice(&wd.output(&mut cmd).stdout).unwrap();
    rows[0]["figures"].clone()
}

/// Precision and recall of the detected pairs against the planted ones, as (copier, source) or, with
/// `unordered`, as pairs of outlets whatever the direction.
fn detection(
    wd: &Workdir,
    thetas: &[(String, f64)],
    copies: &[(usize, usize, f64)],
    unordered: bool,
) -> (f64, f64, usize) {
    let key = |a: &str, b: &str| {
        if unordered && a > b {
            (b.to_owned(), a.to_owned())
        } else {
            (a.to_owned(), b.to_owned())
        }
    };
    let truth: BTreeSet<(String, String)> = copies
        .iter()
        .map(|&(c, s, _)| key(&thetas[c].0, &thetas[s].0))
        .collect();
    let found: BTreeSet<(String, String)> = wd
        .read_csv_maps("run/copiers.csv")
        .into_iter()
        .filter(|r| r["detected"] == "true")
        .map(|r| key(&r["copier"], &r["source"]))
        .collect();
    let hits = found.intersection(&truth).count() as f64;
    if hits < found.len() as f64 {
        eprintln!("planted {truth:?}\n{}", wd.read_string("run/copiers.csv"));
    }
    (hits / found.len().max(1) as f64, hits / truth.len() as f64, found.len())
}

fn score(wd: &Workdir, extra: &[&str]) {
    let mut cmd = wd.command("score");
    cmd.args(["--claims", "claims.csv", "--out", "run", "-q", "--detect-copies"])
        .args(extra);
    wd.output(&mut cmd);
}

/// The planted world of 6 copiers (with or without publication times) scored with copy detection:
/// precision and recall of the detected pairs (either direction counts where `either`), and em's story
/// accuracy without and with `--detect-copies`.
fn planted_run(wd: &Workdir, timed: bool) -> (f64, f64, f64, f64) {
    let (thetas, copies) = planted(5);
    let w = world(6, &thetas, 1500, 0.12, &copies, timed);
    wd.create("claims.csv", &w.claims);
    wd.create("gold.csv", &w.gold);
    let acc = |v: serde_json::Value| v["story_accuracy"].as_f64().unwrap();
    let plain = acc(eval(wd, &[]));
    let detected = acc(eval(wd, &["--detect-copies"]));
    score(wd, &[]);
    let (precision, recall, found) = detection(wd, &thetas, &copies, !timed);
    eprintln!(
        "{}: 6 planted copiers, {found} detected, precision {precision:.3}, recall {recall:.3}{}; accuracy \
         {plain:.4} -> {detected:.4}",
        if timed { "timed" } else { "untimed" },
        if timed { "" } else { " (either direction)" },
    );
    (precision, recall, plain, detected)
}

#[test]
fn planted_value_copiers_are_found_and_discounted() {
    let wd = Workdir::new("valued_copies");
    let (precision, recall, plain, detected) = planted_run(&wd, true);
    assert!(precision >= 0.8 && recall >= 0.8, "{precision} {recall}");
    assert!(detected >= plain, "{plain} {detected}");
    let header = wd.read_csv("run/copiers.csv").0;
    assert_eq!(
        header,
        [
            "copier",
            "source",
            "shared_stories",
            "follows",
            "expected_follows",
            "judged",
            "shared_errors",
            "share",
            "probability",
            "detected"
        ]
    );
}

/// Without publication order (every claim on one date, as in the Book and Population data) the pairs are
/// found from shared wrong values alone, and each pair keeps one direction.
#[test]
fn value_copiers_are_found_without_times() {
    let wd = Workdir::new("valued_copies_untimed");
    let (precision, recall, plain, detected) = planted_run(&wd, false);
    assert!(precision >= 0.8 && recall >= 0.8, "{precision} {recall}");
    assert!(detected >= plain, "{plain} {detected}");
    // One direction per pair.
    let pairs: Vec<(String, String)> = wd
        .read_csv_maps("run/copiers.csv")
        .into_iter()
        .map(|r| (r["copier"].clone(), r["source"].clone()))
        .collect();
    let set: BTreeSet<&(String, String)> = pairs.iter().collect();
    assert!(pairs.iter().all(|(a, b)| !set.contains(&(b.clone(), a.clone()))));
}

/// Copy detection on values is em's: the baselines do not judge which values are wrong.
#[test]
fn value_copies_need_em() {
    let wd = Workdir::new("valued_copies_vote");
    let (thetas, copies) = planted(5);
    let w = world(6, &thetas, 50, 0.12, &copies, true);
    wd.create("claims.csv", &w.claims);
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        "claims.csv",
        "--out",
        "run",
        "-q",
        "--detect-copies",
        "--method",
        "vote",
    ]);
    let err = wd.output_err(&mut cmd, 1);
    assert!(
        err.contains("--detect-copies on claims with values needs --method em"),
        "{err}"
    );
}

/// Groups of outlets in em over values: wires (accuracy ~ Beta(18, 2)) and tabloids (~ Beta(3, 7)), each
/// outlet with a dozen claims; each group's prior is fitted over its own outlets.
#[test]
fn groups_shape_em_over_values() {
    let wd = Workdir::new("valued_groups");
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let mut thetas = Vec::new();
    let mut meta = String::from("source,group\n");
    for (group, a, b) in [("wire", 18.0, 2.0), ("tabloid", 3.0, 7.0)] {
        let accuracy = Beta::new(a, b).unwrap();
        for k in 0..60 {
            let name = format!("{group}-{k:02}");
            thetas.push((name.clone(), rng.sample(accuracy)));
            writeln!(meta, "{name},{group}").unwrap();
        }
    }
    let w = world(22, &thetas, 200, 0.06, &[], true);
    wd.create("claims.csv", &w.claims);
    wd.create("meta.csv", &meta);
    let truth: BTreeMap<String, f64> = thetas.iter().cloned().collect();
    let run = |out: &str, extra: &[&str]| {
        let mut cmd = wd.command("score");
        cmd.args(["--claims", "claims.csv", "--out", out, "-q"]).args(extra);
        wd.output(&mut cmd);
        wd.read_csv_maps(&format!("{out}/sources.csv"))
    };
    let mae = |rows: &[BTreeMap<String, String>]| {
        rows.iter()
            .map(|r| (r["reliability"].parse::<f64>().unwrap() - truth[&r["source"]]).abs())
            .sum::<f64>()
            / rows.len() as f64
    };
    let one = run("one", &[]);
    let grouped = run("grouped", &["--sources-meta", "meta.csv"]);
    let (mae_one, mae_grouped) = (mae(&one), mae(&grouped));
    eprintln!("120 outlets, values: MAE {mae_one:.4} -> {mae_grouped:.4} with groups");
    assert!(mae_grouped < 0.85 * mae_one, "{mae_one} {mae_grouped}");
    let (wire, tabloid) = (
        wd.group_prior_mean("grouped", "wire"),
        wd.group_prior_mean("grouped", "tabloid"),
    );
    assert!(wire > tabloid + 0.2, "{wire} {tabloid}");

    // Every outlet in one group: that group's prior is fitted over the same records as the overall one, so
    // the scores are those of the run without groups.
    let all: String = thetas.iter().fold(String::from("source,group\n"), |mut s, (n, _)| {
        writeln!(s, "{n},all").unwrap();
        s
    });
    wd.create("all.csv", all);
    let same = run("same", &["--sources-meta", "all.csv"]);
    for (a, b) in one.iter().zip(&same) {
        assert_eq!(
            (&a["source"], &a["reliability"], &a["ci_low"]),
            (&b["source"], &b["reliability"], &b["ci_low"])
        );
    }

    // The methods whose scores do not come from the Beta prior refuse groups, with a clear reason.
    for method in ["truthfinder", "dawid-skene"] {
        let mut cmd = wd.command("score");
        cmd.args([
            "--claims",
            "claims.csv",
            "--out",
            "tf",
            "-q",
            "--sources-meta",
            "meta.csv",
            "--method",
            method,
        ]);
        let err = wd.output_err(&mut cmd, 1);
        assert!(err.contains("do not take groups"), "{err}");
    }
}
