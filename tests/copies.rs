//! Copy detection on a generated corpus with known copiers: the pairs found, and what finding them does to
//! the scores.

mod common;

use common::Workdir;

#[test]
fn planted_copiers_are_found_and_discounted() {
    let wd = Workdir::new("copies");
    let mut generate = wd.command("gen");
    generate.args([
        "--out",
        "g",
        "--claims",
        "60000",
        "--sources",
        "120",
        "--seed",
        "8",
        "--copiers",
        "6",
        "--copy-share",
        "0.4",
    ]);
    wd.output(&mut generate);
    let run = |out: &str, extra: &[&str]| {
        let mut cmd = wd.command("score");
        cmd.args([
            "--claims",
            "g/claims.csv",
            "--responses",
            "g/responses.csv",
            "--resolutions",
            "g/resolutions.csv",
            "--out",
            out,
            "--method",
            "em",
            "-q",
        ])
        .args(extra);
        wd.output(&mut cmd);
        let mut eval = wd.command("eval");
        eval.args(["--run", out, "--truth", "g", "--min-evidence", "20", "--json"]);
        serde_json::from_slice::<serde_json::Value>(&wd.output(&mut eval).stdout).unwrap()
    };
    let plain = run("plain", &[]);
    let detected = run("detect", &["--detect-copies"]);
    assert!(!wd.path("plain/copiers.csv").exists());

    let truth: std::collections::BTreeSet<(String, String)> = wd
        .read_csv_maps("g/truth_copiers.csv")
        .into_iter()
        .map(|r| (r["copier"].clone(), r["source"].clone()))
        .collect();
    let found: std::collections::BTreeSet<(String, String)> = wd
        .read_csv_maps("detect/copiers.csv")
        .into_iter()
        .filter(|r| r["detected"] == "true")
        .map(|r| (r["copier"].clone(), r["source"].clone()))
        .collect();
    let hits = found.intersection(&truth).count() as f64;
    let precision = hits / found.len().max(1) as f64;
    let recall = hits / truth.len() as f64;
    let f = |v: &serde_json::Value, k: &str| v[k].as_f64().unwrap();
    eprintln!(
        "copiers: {} planted, {} detected, precision {precision:.3}, recall {recall:.3}; spearman {:.4} -> {:.4}, \
         coverage {:.4} -> {:.4}, brier {:.4} -> {:.4}",
        truth.len(),
        found.len(),
        f(&plain, "spearman"),
        f(&detected, "spearman"),
        f(&plain, "coverage"),
        f(&detected, "coverage"),
        f(&plain, "brier"),
        f(&detected, "brier"),
    );
    assert!(
        precision >= 0.8 && recall >= 0.8,
        "precision {precision}, recall {recall}"
    );
    assert!(f(&detected, "spearman") > f(&plain, "spearman"));
    assert!(f(&detected, "brier") < f(&plain, "brier"));
    // A detected copier's following reports became relays of its source.
    let claims = wd.read_csv_maps("detect/claims.csv");
    let (copier, source) = found.intersection(&truth).next().unwrap().clone();
    let relayed = claims
        .iter()
        .filter(|c| c["source"] == copier && c["role"] == "relay" && c["credited_to"] == source)
        .count();
    assert!(relayed > 0, "{copier} has no claims relayed from {source}");
    // The bar, on this corpus with silent copies and an interested responder: the 95% intervals
    // hold the true accuracy of at least 90% of the sources with 20 or more original claims, and the rank
    // correlation with true accuracy reaches 0.95 of what counting each source's original claims against
    // the hidden truth achieves.
    let truth_sources = wd.read_csv_maps("g/truth_sources.csv");
    let accuracy: std::collections::HashMap<&str, f64> = truth_sources
        .iter()
        .filter(|r| r["originals"].parse::<u64>().unwrap() >= 20)
        .map(|r| (r["source"].as_str(), r["accuracy"].parse().unwrap()))
        .collect();
    let counted = wd.counted_originals("g");
    let (mut t, mut est, mut low, mut high, mut oracle) = (vec![], vec![], vec![], vec![], vec![]);
    for r in wd.read_csv_maps("detect/sources.csv") {
        if let Some(&a) = accuracy.get(r["source"].as_str()) {
            t.push(a);
            est.push(r["reliability"].parse().unwrap());
            low.push(r["ci_low"].parse().unwrap());
            high.push(r["ci_high"].parse().unwrap());
            let (right, all) = counted[&r["source"]];
            oracle.push(right / all);
        }
    }
    let coverage = credence::evaluate::coverage(&t, &low, &high);
    let rho = credence::evaluate::spearman(&t, &est).unwrap();
    let rho_oracle = credence::evaluate::spearman(&t, &oracle).unwrap();
    eprintln!(
        "bar: {} sources with >= 20 originals; coverage {coverage:.4}; spearman {rho:.4}, counting against the \
         hidden truth {rho_oracle:.4} (ratio {:.4})",
        t.len(),
        rho / rho_oracle
    );
    assert!(coverage >= 0.90, "coverage {coverage}");
    assert!(rho >= 0.95 * rho_oracle, "spearman {rho} against {rho_oracle}");
    let summary = wd.read_json("detect/summary.json");
    assert_eq!(summary["parameters"]["detect_copies"], true);
    assert!(
        summary["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o == "copiers.csv")
    );
}
