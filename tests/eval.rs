//! `credence gen`, `score` and `eval` end to end: the figures `eval` prints are the ones the library
//! computes on the same run, and on a corpus drawn from the model itself they are what the model promises.

mod common;

use common::Workdir;
use credence::evaluate::{coverage, spearman};
use credence::ingest::{Inputs, LoadOptions};
use credence::model::Params;

#[test]
fn eval_reports_the_figures_of_the_planted_truth() {
    let wd = Workdir::new("eval");
    let mut generate = wd.command("gen");
    generate.args([
        "--out",
        "corpus",
        "--claims",
        "40000",
        "--sources",
        "150",
        "--seed",
        "4",
        "--silent-copy-rate",
        "0",
    ]);
    wd.output(&mut generate);
    let mut score = wd.command("score");
    score.args([
        "--claims",
        "corpus/claims.csv",
        "--responses",
        "corpus/responses.csv",
        "--resolutions",
        "corpus/resolutions.csv",
        "--out",
        "run",
    ]);
    wd.output(&mut score);
    let mut eval = wd.command("eval");
    eval.args(["--run", "run", "--truth", "corpus", "--min-evidence", "20", "--json"]);
    let out = wd.output(&mut eval);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    // The same figures, computed here from the library's own scores.
    let dir = wd.path("corpus");
    let inputs = Inputs {
        claims: dir.join("claims.csv"),
        responses: Some(dir.join("responses.csv")),
        resolutions: Some(dir.join("resolutions.csv")),
    };
    let run = credence::score_files(&inputs, LoadOptions::default(), &Params::default()).unwrap();
    let truth: std::collections::HashMap<String, f64> = csv::Reader::from_path(dir.join("truth_sources.csv"))
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_owned(), r[1].parse().unwrap())
        })
        .collect();
    let (mut t, mut m, mut lo, mut hi) = (vec![], vec![], vec![], vec![]);
    for s in run.scores.sources.iter().filter(|s| s.evidence >= 20.0) {
        // eval reads the printed six-decimal figures, so compare against those.
        let six = |x: f64| credence::numfmt::float(x).parse::<f64>().unwrap();
        t.push(truth[run.loaded.corpus.sources.name(s.id)]);
        m.push(six(s.reliability));
        lo.push(six(s.ci_low));
        hi.push(six(s.ci_high));
    }
    let rho = spearman(&t, &m).unwrap();
    let cov = coverage(&t, &lo, &hi);
    println!("eval: {report}");
    assert_eq!(report["sources"], t.len());
    assert!((report["spearman"].as_f64().unwrap() - rho).abs() < 1e-12, "{rho}");
    assert!((report["coverage"].as_f64().unwrap() - cov).abs() < 1e-12, "{cov}");
    let bias = m.iter().zip(&t).map(|(e, a)| e - a).sum::<f64>() / t.len() as f64;
    // Within the last printed digit of a score.
    assert!(
        (report["mean_error"].as_f64().unwrap() - bias).abs() < 1e-6,
        "{bias} {}",
        report["mean_error"]
    );
    // Drawn from the model itself, so the model's promises hold.
    assert!(cov >= 0.88, "coverage {cov}");
    assert!(rho >= 0.9, "spearman {rho}");
    assert!(report["claims"].as_u64().unwrap() >= 40_000);
}
