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

    // With --min-originals, the sources with that many original claims in the generator's count, and
    // beside their ranking the one counting their original claims (no attribution, not a silent copy;
    // here there are none) against the hidden truth gives: issue 5's bar, computed here from the files.
    let mut eval = wd.command("eval");
    eval.args(["--run", "run", "--truth", "corpus", "--min-originals", "20", "--json"]);
    let bar: serde_json::Value = serde_json::from_slice(&wd.output(&mut eval).stdout).unwrap();
    let originals: std::collections::HashMap<String, u64> = wd
        .read_csv_maps("corpus/truth_sources.csv")
        .into_iter()
        .map(|r| (r["source"].clone(), r["originals"].parse().unwrap()))
        .collect();
    let counted = wd.counted_originals("corpus");
    let (mut t, mut m, mut share) = (vec![], vec![], vec![]);
    for r in wd.read_csv_maps("run/sources.csv") {
        if originals[&r["source"]] >= 20 {
            t.push(truth[&r["source"]]);
            m.push(r["reliability"].parse::<f64>().unwrap());
            let (right, all) = counted[&r["source"]];
            share.push(right / all);
        }
    }
    let (rho, counted_rho) = (spearman(&t, &m).unwrap(), spearman(&t, &share).unwrap());
    println!("bar: {bar}");
    assert!(t.len() >= 40, "{} sources with 20 originals", t.len());
    assert_eq!(bar["sources"], t.len());
    assert_eq!(bar["counted_sources"], t.len());
    assert!((bar["spearman"].as_f64().unwrap() - rho).abs() < 1e-12, "{rho}");
    assert!(
        (bar["counted_spearman"].as_f64().unwrap() - counted_rho).abs() < 1e-12,
        "{counted_rho}"
    );
    assert!(rho >= 0.95 * counted_rho, "spearman {rho} against {counted_rho}");
}

/// Stories with the same claims are decided alike by every method, so `eval`'s paired comparison also
/// counts them as one cluster (Durkalski's clustered McNemar): ten stories on which two workers disagree,
/// gold split 7 to 3. vote decides none (a tie); Dawid–Skene gives all ten one label, so it alone is right
/// on 7 or on 3 of them, which the exact test on stories calls 0.0156 or 0.25, and the clustered one,
/// with a single cluster, 0.3173 (χ²(1) at 1) either way.
#[test]
fn paired_comparison_counts_identical_stories_as_one_cluster() {
    let wd = Workdir::new("eval-clusters");
    let mut claims = String::from("claim_id,source,published_at,story_id,stance,value\n");
    let mut gold = String::from("story_id,value\n");
    for q in 0..10 {
        claims.push_str(&format!("{},w1,2020-01-01,q{q},asserts,a\n", 2 * q));
        claims.push_str(&format!("{},w2,2020-01-01,q{q},asserts,b\n", 2 * q + 1));
        gold.push_str(&format!("q{q},{}\n", if q < 7 { "a" } else { "b" }));
    }
    wd.create("claims.csv", claims);
    wd.create("gold.csv", gold);
    let mut eval = wd.command("eval");
    eval.args(["--claims", "claims.csv", "--gold", "gold.csv", "--value-kind", "label"]);
    eval.args(["--methods", "vote,dawid-skene"]);
    let out = String::from_utf8(wd.output(&mut eval).stdout).unwrap();
    let paired = out.lines().find(|l| l.starts_with("paired:")).expect("a paired line");
    assert!(
        paired.ends_with("clusters of identical input: 1, clustered McNemar p = 0.3173"),
        "{paired}"
    );
    assert!(paired.contains("vote alone right on 0 stories"), "{paired}");
}

/// A story with an official response is a cluster of its own, even when its claims are the same as
/// another's: a method that reads the responses may decide it differently. The same ten plain stories
/// (two outlets, one asserting and one denying), gold true on seven; with a response on every story no
/// two share a cluster, so `eval` prints no clustered test.
#[test]
fn stories_with_responses_are_never_merged() {
    let wd = Workdir::new("eval-clusters-responses");
    let mut claims = String::from("claim_id,source,published_at,story_id,stance\n");
    let mut responses = String::from("response_id,story_id,responder,responded_at,verdict\n");
    let mut gold = String::from("story_id,value\n");
    for q in 0..10 {
        claims.push_str(&format!("{},w1,2020-01-01,q{q},asserts\n", 2 * q));
        claims.push_str(&format!("{},w2,2020-01-01,q{q},denies\n", 2 * q + 1));
        responses.push_str(&format!("r{q},q{q},Office,2020-01-02,no_comment\n"));
        gold.push_str(&format!("q{q},{}\n", q < 7));
    }
    wd.create("claims.csv", claims);
    wd.create("responses.csv", responses);
    wd.create("gold.csv", gold);
    let run = |with_responses: bool| {
        let mut eval = wd.command("eval");
        eval.args([
            "--claims",
            "claims.csv",
            "--gold",
            "gold.csv",
            "--methods",
            "vote,dawid-skene",
        ]);
        if with_responses {
            eval.args(["--responses", "responses.csv"]);
        }
        let out = String::from_utf8(wd.output(&mut eval).stdout).unwrap();
        out.lines()
            .find(|l| l.starts_with("paired:"))
            .expect("a paired line")
            .to_owned()
    };
    let without = run(false);
    assert!(without.contains("clusters of identical input: 1,"), "{without}");
    let with = run(true);
    assert!(!with.contains("clusters of identical input"), "{with}");
    assert!(with.contains("vote alone right on 0 stories"), "{with}");
    // The split is there to be clustered: Dawid–Skene gives all ten one value.
    assert!(
        with.contains("dawid-skene alone on 7") || with.contains("dawid-skene alone on 3"),
        "{with}"
    );
}

/// `eval --gold` on a gold file with one bad row: the evaluation stops (status 1) at that row, naming
/// the file, the line, the column where one is at fault, and the true reason. Before, a story given two
/// values kept the last, an empty story and an extra field passed unremarked, and a one-field row was
/// called a bad value.
#[test]
fn a_bad_gold_row_stops_the_evaluation_where_it_is() {
    let wd = Workdir::new("eval-bad-gold");
    wd.copy_fixture("gold", "claims.csv");
    let cases = [
        (
            "conflicting.csv",
            "conflicting.csv:4: column `value`: story_id \"q1\" was given \"a\" at line 2",
        ),
        (
            "conflicting_rating.csv",
            "conflicting_rating.csv:4: column `rating`: story_id \"q1\" was given \"good\" at line 2",
        ),
        ("empty_story.csv", "empty_story.csv:3: column `story_id`: empty value"),
        (
            "extra_field.csv",
            "extra_field.csv:3: expected 2 fields as in the header, found 3",
        ),
        (
            "one_field.csv",
            "one_field.csv:3: expected 2 fields as in the header, found 1",
        ),
    ];
    for (file, want) in cases {
        wd.copy_fixture("gold", file);
        let stderr = wd.output_err(&mut gold_eval(&wd, file), 1);
        assert!(stderr.contains(want), "{file}: {stderr}");
    }
    // The sources' accuracies are a yardstick too.
    wd.copy_fixture("gold", "repeated.csv");
    wd.copy_fixture("gold", "sources_conflicting.csv");
    let mut eval = gold_eval(&wd, "repeated.csv");
    eval.args(["--gold-sources", "sources_conflicting.csv"]);
    let stderr = wd.output_err(&mut eval, 1);
    let want = "sources_conflicting.csv:4: column `accuracy`: source \"w1\" was given \"0.9\" at line 2";
    assert!(stderr.contains(want), "{stderr}");
}

/// Plain claims (no `value` column) make every story true or false, so a gold value that is neither stops
/// the evaluation at its row. Before, `maybe` or `1` was read as text and scored exactly like `false`.
#[test]
fn a_gold_value_a_plain_story_cannot_take_stops_the_evaluation() {
    let wd = Workdir::new("eval-plain-gold");
    wd.create(
        "claims.csv",
        "claim_id,source,story_id,stance,published_at\nc1,a,s1,asserts,2024-01-01\nc2,b,s1,asserts,2024-01-02\n\
         c3,a,s2,denies,2024-01-03\n",
    );
    wd.create("good.csv", "story_id,value\ns1,TRUE\ns2,false\n");
    wd.create("bad.csv", "story_id,value\ns1,true\ns2,maybe\n");
    let eval = |gold: &str| {
        let mut eval = wd.command("eval");
        eval.args(["--claims", "claims.csv", "--gold", gold, "--methods", "em,vote"]);
        eval
    };
    wd.output(&mut eval("good.csv"));
    let stderr = wd.output_err(&mut eval("bad.csv"), 1);
    assert!(
        stderr.contains("bad.csv:3: column `value`: not true or false"),
        "{stderr}"
    );
}

/// A gold row that repeats an earlier one exactly (after normalisation) is accepted, once: it neither
/// loses nor contradicts anything.
#[test]
fn an_exact_repeat_in_the_gold_counts_once() {
    let wd = Workdir::new("eval-repeated-gold");
    wd.copy_fixture("gold", "claims.csv");
    wd.copy_fixture("gold", "repeated.csv");
    let mut eval = gold_eval(&wd, "repeated.csv");
    eval.arg("--json");
    let report: serde_json::Value = serde_json::from_slice(&wd.output(&mut eval).stdout).unwrap();
    assert_eq!(report[0]["figures"]["stories"], 2, "{report}");
}

/// `eval` of vote over `tests/data/gold/claims.csv` (as labels) against the gold file `gold`.
fn gold_eval(wd: &Workdir, gold: &str) -> std::process::Command {
    let mut eval = wd.command("eval");
    eval.args([
        "--claims",
        "claims.csv",
        "--gold",
        gold,
        "--value-kind",
        "label",
        "--methods",
        "vote",
    ]);
    eval
}

/// Copies `tests/data/eval_truth`: a generated corpus's truth files and a run over it.
fn copy_truth_fixture(wd: &Workdir) {
    for file in [
        "corpus/truth_sources.csv",
        "corpus/truth_claims.csv",
        "corpus/claims.csv",
        "run/sources.csv",
        "run/claims.csv",
    ] {
        wd.copy_fixture("eval_truth", file);
    }
}

/// `eval --run --truth` with no source compared prints `n/a` for the figures over sources (and `null` in
/// the JSON), as it does for the other figures of nothing; before, coverage and the errors read as 0.
/// With the outlets compared, the figures worked by hand in tests/data/eval_truth/README.md.
#[test]
fn figures_over_no_sources_are_not_available() {
    let wd = Workdir::new("eval-no-sources");
    copy_truth_fixture(&wd);
    let eval = |extra: &[&str]| {
        let mut cmd = wd.command("eval");
        cmd.args(["--run", "run", "--truth", "corpus"]).args(extra);
        String::from_utf8(wd.output(&mut cmd).stdout).unwrap()
    };
    let text = eval(&["--min-evidence", "5"]);
    assert!(text.contains("sources compared     0\n"), "{text}");
    for line in [
        "interval coverage    n/a",
        "mean absolute error  n/a",
        "mean error           n/a",
    ] {
        assert!(text.contains(&format!("{line}\n")), "{line}: {text}");
    }
    let json: serde_json::Value = serde_json::from_str(&eval(&["--min-evidence", "5", "--json"])).unwrap();
    for key in ["coverage", "mean_absolute_error", "mean_error", "spearman"] {
        assert!(json[key].is_null(), "{key}: {json}");
    }
    let json: serde_json::Value = serde_json::from_str(&eval(&["--json"])).unwrap();
    assert_eq!(json["sources"], 2, "{json}");
    assert_eq!(json["coverage"], 1.0, "{json}");
    assert!(
        (json["mean_absolute_error"].as_f64().unwrap() - 0.075).abs() < 1e-12,
        "{json}"
    );
    assert!((json["mean_error"].as_f64().unwrap() + 0.075).abs() < 1e-12, "{json}");
}

/// The generator's truth files are read as strictly as a gold file: a claim given two different truths,
/// or a row with a missing field, stops `eval --run --truth` at its line.
#[test]
fn a_bad_truth_row_stops_the_planted_evaluation() {
    let wd = Workdir::new("eval-bad-truth");
    copy_truth_fixture(&wd);
    let cases = [
        (
            "corpus/truth_claims.csv",
            "claim_id,copy_of,correct\nc1,,1\nc2,,1\nc3,,0\nc1,,0\n",
            "truth_claims.csv:5: column `correct`: claim_id \"c1\" was given \"1\" at line 2",
        ),
        (
            "corpus/truth_sources.csv",
            "source,accuracy,originals,beat\ns1,0.8,2,0\ns2,0.6\n",
            "truth_sources.csv:3: expected 4 fields as in the header, found 2",
        ),
    ];
    for (file, contents, want) in cases {
        let stderr = planted_eval_with(&wd, file, contents);
        assert!(stderr.contains(want), "{file}: {stderr}");
    }
}

/// The run's own `sources.csv` and `claims.csv` are read as strictly as the truth files: before, a
/// reliability that was not a number, a short claim row, a claim given two probabilities or a file without
/// `ci_low` gave figures with nothing said. Each now stops `eval --run --truth` with exit status 1 at its
/// file, line and column, and a file that lacks a column eval reads is refused by name.
#[test]
fn a_bad_run_row_stops_the_planted_evaluation() {
    let wd = Workdir::new("eval-bad-run");
    copy_truth_fixture(&wd);
    let cases = [
        (
            "run/sources.csv",
            "source,evidence,reliability,ci_low,ci_high\ns1,2,0.7,0.5,0.9\ns2,1,high,0.2,0.9\n",
            "run/sources.csv:3: column `reliability`: not a number from 0 to 1 (value: \"high\")",
        ),
        (
            "run/sources.csv",
            "source,evidence,reliability,ci_low,ci_high\ns1,2,0.7,0.5,0.9\ns1,2,0.6,0.5,0.9\n",
            "run/sources.csv:3: column `reliability`: source \"s1\" was given 0.7 at line 2; a repeated row must agree (value: \"0.6\")",
        ),
        (
            "run/sources.csv",
            "source,evidence,reliability,ci_high\ns1,2,0.7,0.9\n",
            "run/sources.csv:1: missing required column `ci_low` (found: source,evidence,reliability,ci_high)",
        ),
        (
            "run/claims.csv",
            "claim_id,p_correct\nc1,0.9\nc2\nc3,0.3\n",
            "run/claims.csv:3: expected 2 fields as in the header, found 1",
        ),
        (
            "run/claims.csv",
            "claim_id,p_correct\nc1,0.9\nc2,0.8\nc1,0.2\n",
            "run/claims.csv:4: column `p_correct`: claim_id \"c1\" was given 0.9 at line 2; a repeated row must agree (value: \"0.2\")",
        ),
        (
            "run/claims.csv",
            "claim_id,p_correct\nc1,0.9\n,0.8\n",
            "run/claims.csv:3: column `claim_id`: empty value",
        ),
    ];
    for (file, contents, want) in cases {
        let stderr = planted_eval_with(&wd, file, contents);
        assert_eq!(stderr.trim_end(), format!("credence: error: {want}"), "{file}");
    }
}

/// `eval --run run --truth corpus` with `file` holding `contents` (its good contents put back after):
/// the run's stderr, the run expected to exit 1.
fn planted_eval_with(wd: &Workdir, file: &str, contents: &str) -> String {
    let good = wd.read(file);
    wd.create(file, contents);
    let mut eval = wd.command("eval");
    eval.args(["--run", "run", "--truth", "corpus"]);
    let stderr = wd.output_err(&mut eval, 1);
    wd.create(file, good);
    stderr
}

/// Audit (session 23): a gold value `true` or `false` was read as a plain story's truth under
/// `--value-kind number` and `time`, where no claim can say it: the story always counted wrong and fell
/// out of the value error. It is refused there, as any other word is.
#[test]
fn a_gold_truth_word_is_no_number_or_time() {
    let wd = Workdir::new("eval-gold-words");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance,value\n1,A,2020-01-01,p1,asserts,5\n2,B,2020-01-01,p2,asserts,7\n",
    );
    for (kind, first) in [("number", "5"), ("time", "2020-01-01")] {
        wd.create("gold.csv", format!("story_id,value\np1,{first}\np2,true\n"));
        let mut cmd = wd.command("eval");
        cmd.args([
            "--claims",
            "claims.csv",
            "--gold",
            "gold.csv",
            "--value-kind",
            kind,
            "--methods",
            "vote",
        ]);
        let err = wd.output_err(&mut cmd, 1);
        assert!(
            err.contains("gold.csv:3") && err.contains("(value: \"true\")"),
            "{kind}: {err}"
        );
    }
}

/// Audit (session 23): a gold file whose ids match no story printed a table of n/a with exit 0.
#[test]
fn a_gold_file_of_other_stories_is_an_error() {
    let wd = Workdir::new("eval-gold-other");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance\n1,A,2020-01-01,s1,asserts\n",
    );
    wd.create("gold.csv", "story_id,value\nzz,true\nyy,false\n");
    let mut cmd = wd.command("eval");
    cmd.args(["--claims", "claims.csv", "--gold", "gold.csv", "--methods", "vote"]);
    let err = wd.output_err(&mut cmd, 1);
    assert!(
        err.contains("gold.csv: none of its 2 stories is a story of claims.csv"),
        "{err}"
    );
}

/// Audit (session 23): `--min-evidence` did nothing with `--gold`, nor `--min-gold-claims` with `--run`,
/// without a word. Each is now a usage error outside its mode.
#[test]
fn a_filter_of_the_other_mode_is_a_usage_error() {
    let wd = Workdir::new("eval-filters");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance\n1,A,2020-01-01,s1,asserts\n",
    );
    wd.create("gold.csv", "story_id,value\ns1,true\n");
    let mut cmd = wd.command("eval");
    cmd.args(["--claims", "claims.csv", "--gold", "gold.csv", "--min-evidence", "5"]);
    let err = wd.output_err(&mut cmd, 2);
    assert!(err.contains("--min-evidence") && err.contains("--run"), "{err}");
    let mut cmd = wd.command("eval");
    cmd.args(["--run", "r", "--truth", "t", "--min-gold-claims", "5"]);
    let err = wd.output_err(&mut cmd, 2);
    assert!(err.contains("--min-gold-claims") && err.contains("--gold"), "{err}");
}
