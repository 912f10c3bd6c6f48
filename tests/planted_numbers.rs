//! em's number model (`--value-kind number`) on a generated corpus with planted truth: numbers near the
//! truth (exact, or off by a few per cent), gross errors anywhere, outlets of known reliability. Checks
//! the chosen values against the plurality vote, the reliability ranking against counting against the
//! hidden truth, and the intervals' coverage of each outlet's planted rate. Prints its figures
//! (`cargo test --test planted_numbers -- --nocapture`).

mod common;

use std::collections::HashMap;

use common::Workdir;
use common::planted::{self, Corpus};
use rand::{RngExt, SeedableRng};

/// Outlets, stories, and the range of reports per story.
const OUTLETS: usize = 60;
const STORIES: usize = 1500;

/// Outlet `i` has a planted rate θᵢ from 0.35 to 0.95. A story's truth is an integer log-uniform on
/// [10³, 10⁶], reported by 3 to 8 distinct outlets. A good report is the truth itself (60%) or a near miss
/// (relative error Normal(0, 2%), rounded to the unit); a gross error is log-uniform on [10², 10⁸].
fn generate(seed: u64) -> Corpus {
    let mut rng = planted::Rng::seed_from_u64(seed);
    let mut corpus = Corpus::spread(OUTLETS, 0.35, 0.6);
    for s in 0..STORIES {
        let x = 10f64.powf(3.0 + 3.0 * rng.random::<f64>()).round() as i64;
        corpus.truth.push(x);
        let k = 3 + (rng.random::<f64>() * 6.0) as usize;
        for o in planted::outlets(&mut rng, k, OUTLETS) {
            let good = rng.random::<f64>() < corpus.theta[o];
            let v = if !good {
                10f64.powf(2.0 + 6.0 * rng.random::<f64>()).round() as i64
            } else if rng.random::<f64>() < 0.6 {
                x
            } else {
                (x as f64 * (1.0 + 0.02 * planted::normal(&mut rng))).round() as i64
            };
            corpus.report(o, s, v, good);
        }
    }
    corpus
}

#[test]
fn em_over_numbers_recovers_planted_truths_and_reliabilities() {
    let corpus = generate(11);
    let wd = Workdir::new("planted_numbers");
    wd.create("claims.csv", &corpus.claims);
    // Per method: share of stories whose value is the truth, share within 1% of it, and the mean
    // relative error of the estimate (em's estimate, vote's median), capped at 1.
    let mut figures: HashMap<&str, (f64, f64, f64)> = HashMap::new();
    for method in ["em", "vote"] {
        let out = wd.output(
            wd.command("score")
                .args(["--claims", "claims.csv", "--value-kind", "number", "--method", method])
                .args(["--out", method]),
        );
        assert!(out.status.success());
        let stories = wd.read_csv_maps(&format!("{method}/stories.csv"));
        assert_eq!(stories.len(), STORIES);
        let (mut exact, mut near, mut error) = (0.0, 0.0, 0.0);
        for r in &stories {
            let x = corpus.truth[r["story_id"][1..].parse::<usize>().unwrap()] as f64;
            if let Ok(v) = r["value"].parse::<f64>() {
                exact += f64::from(u8::from(v == x));
                near += f64::from(u8::from((v - x).abs() <= 0.01 * x));
            }
            let e: f64 = r["estimate"].parse().unwrap();
            error += ((e - x).abs() / x).min(1.0);
        }
        let n = STORIES as f64;
        figures.insert(method, (exact / n, near / n, error / n));
    }
    let sources = wd.read_csv_maps("em/sources.csv");
    assert_eq!(sources.len(), OUTLETS);
    let outlets = corpus.outlets(&sources);
    let coverage = outlets.coverage;
    let (rho, oracle) = outlets.spearmans();
    let (em, vote) = (figures["em"], figures["vote"]);
    println!(
        "planted numbers: value exact em {:.4} vote {:.4}; within 1% em {:.4} vote {:.4}; estimate's mean \
         relative error em {:.4} vote (median) {:.4}; spearman em {rho:.4}, counting against the truth \
         {oracle:.4}; coverage of planted θ {coverage:.3} ({OUTLETS} outlets, {} to {} reports each)",
        em.0,
        vote.0,
        em.1,
        vote.1,
        em.2,
        vote.2,
        corpus.counts.iter().map(|c| c.1).min().unwrap(),
        corpus.counts.iter().map(|c| c.1).max().unwrap(),
    );
    // What the number model is for: a value near the truth where no value has a plurality of exact
    // copies. Exact hits are not asserted against vote: em is level with it here (0.66 each), because
    // the model has no notion of exact agreement beyond the kernel's peak (DESIGN.md, "em over numbers").
    assert!(em.1 > vote.1 + 0.1, "within 1%: {em:?} against {vote:?}");
    assert!(em.0 > vote.0 - 0.02, "exact: {em:?} against {vote:?}");
    // The estimate, a reliability-weighted mean of the near votes, beats the median of all of them.
    assert!(em.2 < vote.2, "estimate: {em:?} against {vote:?}");
    // Issue #5's rank bar: at least 0.95 of counting against the hidden truth.
    assert!(rho >= 0.95 * oracle, "spearman {rho} against {oracle}");
    // The coverage bar is 0.9 for plain stories; numbers reach 0.83–0.98 on such corpora
    // (EVALUATION.md), so this guards against a regression rather than proving the bar.
    assert!(coverage >= 0.8, "coverage {coverage}");
}

/// One absurd number (a vandal's 10³⁰⁰ on a story of its own) must not move anyone else's score. Gross
/// errors are spread over the range of the data's bulk, within Tukey's far-out fences; spread over every
/// number's range, as before session 12, this one claim made `g` some fifty times smaller, every near miss
/// looked good, and every outlet's reliability moved. Nor may one outlet's extra decimals (1500.25) narrow
/// every report's rounding bin: the resolution is the finest step two outlets write.
#[test]
fn one_absurd_number_moves_no_other_score() {
    let corpus = generate(11);
    let wd = Workdir::new("planted_numbers_absurd");
    wd.create("claims.csv", &corpus.claims);
    let vandal = format!(
        "{}vandal,outlet_vandal,2020-01-01,s_vandal,asserts,1e300\n\
         precise,outlet_precise,2020-01-01,s_precise,asserts,1500.25\n",
        corpus.claims
    );
    wd.create("vandal.csv", &vandal);
    for (file, out) in [("claims.csv", "plain"), ("vandal.csv", "vandal")] {
        let run = wd.output(
            wd.command("score")
                .args(["--claims", file, "--value-kind", "number", "--method", "em"])
                .args(["--out", out]),
        );
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    }
    let reliability = |out: &str| -> HashMap<String, f64> {
        wd.read_csv_maps(&format!("{out}/sources.csv"))
            .iter()
            .map(|r| (r["source"].clone(), r["reliability"].parse().unwrap()))
            .collect()
    };
    let (plain, vandal) = (reliability("plain"), reliability("vandal"));
    assert_eq!(vandal.len(), OUTLETS + 2);
    let moved = plain.iter().map(|(s, r)| (vandal[s] - r).abs()).fold(0.0, f64::max);
    let values = |out: &str| -> HashMap<String, String> {
        wd.read_csv_maps(&format!("{out}/stories.csv"))
            .iter()
            .map(|r| (r["story_id"].clone(), r["value"].clone()))
            .collect()
    };
    let (before, after) = (values("plain"), values("vandal"));
    let changed = before.iter().filter(|(s, v)| after[*s] != **v).count();
    println!("one absurd number: largest change of another outlet's reliability {moved:.2e}; {changed} values changed");
    // The transform's scale (the median magnitude) shifts by half a rank with the new number, so scores
    // move in the last digits, not more.
    assert!(moved < 1e-3, "an outlet's reliability moved by {moved}");
    assert_eq!(changed, 0);
    // summary.json says where gross errors are spread and what was left out of that range.
    let (a, b) = (wd.read_json("plain/summary.json"), wd.read_json("vandal/summary.json"));
    let (a, b) = (&a["numbers"], &b["numbers"]);
    assert_eq!(a["beyond_fences"], 0, "{a}");
    assert_eq!(b["beyond_fences"], 1, "{b}");
    assert_eq!(b["numbers"].as_u64().unwrap(), a["numbers"].as_u64().unwrap() + 2);
    assert_eq!(a["gross_low"], b["gross_low"]);
    assert_eq!(a["gross_high"], b["gross_high"]);
    assert_eq!(a["resolution"], 1.0);
    assert_eq!(b["resolution"], 1.0);
    let kernel = a["kernel_scale"].as_f64().unwrap();
    assert!(kernel > 0.0 && kernel < 1.0, "{a}");
}
