//! Groups of outlets (`--sources-meta`): each group's own prior, on a world where the groups differ.

mod common;

use std::fmt::Write as _;

use common::Workdir;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::Beta;

/// Writes a world of two kinds of outlet (wires, accuracy ~ Beta(18, 2); tabloids, ~ Beta(3, 7)), each
/// outlet with a few resolved claims; returns the true accuracies by outlet.
fn world(wd: &Workdir) -> std::collections::BTreeMap<String, f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut claims, mut resolutions, mut meta) = (String::new(), String::new(), String::new());
    claims.push_str("claim_id,source,published_at,story_id,stance\n");
    resolutions.push_str("story_id,outcome,resolved_at\n");
    meta.push_str("source,group\n");
    let mut truth = std::collections::BTreeMap::new();
    let mut story = 0;
    for (group, a, b) in [("wire", 18.0, 2.0), ("tabloid", 3.0, 7.0)] {
        let accuracy = Beta::new(a, b).unwrap();
        for k in 0..80 {
            let name = format!("{group}-{k:02}");
            let theta: f64 = rng.sample(accuracy);
            truth.insert(name.clone(), theta);
            writeln!(meta, "{name},{group}").unwrap();
            // Most outlets have 3 resolved claims: too few to judge alone.
            for _ in 0..3 {
                story += 1;
                let right = rng.random::<f64>() < theta;
                writeln!(claims, "c{story},{name},2025-01-01,s{story},asserts").unwrap();
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
    wd.create("meta.csv", format!("{meta}wire-00,tabloid\nghost,wire\n"));
    wd.create("responses.csv", "response_id,story_id,responder,responded_at,verdict\n");
    truth
}

#[test]
fn each_group_gets_its_own_prior() {
    let wd = Workdir::new("groups");
    let truth = world(&wd);
    let run = |out: &str, extra: &[&str]| {
        let mut cmd = wd.command("score");
        cmd.args([
            "--claims",
            "claims.csv",
            "--responses",
            "responses.csv",
            "--resolutions",
            "resolutions.csv",
            "--out",
            out,
            "-q",
        ])
        .args(extra);
        wd.output(&mut cmd);
        wd.read_csv_maps(&format!("{out}/sources.csv"))
    };
    let measure = |rows: &[std::collections::BTreeMap<String, String>]| {
        let (mut err, mut inside) = (0.0, 0);
        for r in rows {
            let t = truth[&r["source"]];
            let f = |c: &str| r[c].parse::<f64>().unwrap();
            err += (f("reliability") - t).abs();
            inside += usize::from(f("ci_low") <= t && t <= f("ci_high"));
        }
        (err / rows.len() as f64, inside as f64 / rows.len() as f64)
    };
    let one = run("one", &[]);
    let grouped = run("grouped", &["--sources-meta", "meta.csv"]);
    let (mae_one, cover_one) = measure(&one);
    let (mae_grouped, cover_grouped) = measure(&grouped);
    eprintln!(
        "160 outlets, 3 resolved claims each: MAE {mae_one:.4} -> {mae_grouped:.4}, 95% coverage {cover_one:.3} -> \
         {cover_grouped:.3}"
    );
    assert!(mae_grouped < 0.75 * mae_one, "{mae_one} {mae_grouped}");
    // The group priors are plug-in estimates: their own uncertainty is not in the intervals, which shows
    // when three claims per outlet leave the posterior mostly prior (0.887 here; README says so).
    assert!(cover_grouped >= 0.85, "{cover_grouped}");
    assert_eq!(grouped[0].keys().filter(|k| *k == "group").count(), 1);
    assert!(!one[0].contains_key("group"));

    let (wire, tabloid) = (
        wd.group_prior_mean("grouped", "wire"),
        wd.group_prior_mean("grouped", "tabloid"),
    );
    assert!(wire > 0.8 && tabloid < 0.45, "{wire} {tabloid}");
    // The repeated outlet is a reject naming the first line; the outlet no claim mentions is accepted.
    let rejects = wd.read_csv_maps("grouped/rejects.csv");
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["file"], "meta.csv");
    assert_eq!(rejects[0]["reason"], "outlet already given a group at line 2");
    let summary = wd.read_json("grouped/summary.json");
    let t = &summary["inputs"]["sources_meta"][0];
    assert_eq!(
        (t["read"].as_u64(), t["scored"].as_u64(), t["rejected"].as_u64()),
        (Some(162), Some(161), Some(1))
    );
}
