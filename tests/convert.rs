//! `credence convert` on hand-made samples of each data set's format: the files it writes are what
//! `score` and `eval --gold` read, and they keep every usable row.

mod common;

use common::Workdir;

fn convert(wd: &Workdir, what: &str, args: &[(&str, &str)]) -> String {
    for (_, file) in args {
        wd.copy_fixture("convert", file);
    }
    let mut cmd = wd.command("convert");
    cmd.arg(what);
    for (flag, file) in args {
        cmd.args([*flag, *file]);
    }
    cmd.args(["--out", what]);
    String::from_utf8(wd.output(&mut cmd).stderr).unwrap()
}

fn eval(wd: &Workdir, what: &str, kind: &str, methods: &str, extra: &[&str]) -> serde_json::Value {
    let mut cmd = wd.command("eval");
    let (claims, gold) = (format!("{what}/claims.csv"), format!("{what}/gold.csv"));
    cmd.args([
        "--claims",
        &claims,
        "--gold",
        &gold,
        "--value-kind",
        kind,
        "--methods",
        methods,
        "--json",
    ]);
    cmd.args(extra);
    serde_json::from_slice(&wd.output(&mut cmd).stdout).unwrap()
}

#[test]
fn crowd_answers_become_labelled_claims_and_gold() {
    let wd = Workdir::new("convert-crowd");
    convert(
        &wd,
        "crowd",
        &[("--answers", "crowd_answer.csv"), ("--truth", "crowd_truth.csv")],
    );
    assert_eq!(
        wd.read_string("crowd/claims.csv").lines().nth(1),
        Some("1,w1,1970-01-01,q1,asserts,1")
    );
    assert_eq!(wd.read_string("crowd/gold.csv"), "story_id,value\nq1,1\nq2,0\nq3,1\n");
    let r = eval(&wd, "crowd", "label", "vote", &[]);
    // Majority vote gets all three questions right (2–1, 3–0, 2–1), worked by hand; w1 and w3 are right
    // on every question, w2 on two of three.
    assert_eq!(r[0]["figures"]["story_accuracy"], 1.0);
    assert_eq!(r[0]["figures"]["claims"], 9);
    assert_eq!(r[0]["figures"]["sources"], 3);
}

#[test]
fn book_author_lists_skip_unavailable_and_match_the_gold_spelling() {
    let wd = Workdir::new("convert-book");
    let err = convert(&wd, "book", &[("--claims", "book.txt"), ("--gold", "book_golden.txt")]);
    assert!(err.contains("skipped 2 rows: no author list"), "{err}");
    // em is left out: on two books and three stores it cannot tell "every store right" from "every store
    // wrong, none of the lists" (see DESIGN.md); the real data set is in EVALUATION.md.
    let r = eval(&wd, "book", "list", "vote,truthfinder", &[]);
    for m in r.as_array().unwrap() {
        // 111: "Smith, John" and "John Smith" are one list; 222: two of three stores give both authors.
        assert_eq!(m["figures"]["story_accuracy"], 1.0, "{m}");
        assert_eq!(m["figures"]["claims"], 5, "{m}");
    }
}

#[test]
fn population_reads_latin1_and_numbers_with_separators() {
    let wd = Workdir::new("convert-population");
    convert(
        &wd,
        "population",
        &[("--claims", "population.txt"), ("--gold", "population-gd.txt")],
    );
    let claims = wd.read_string("population/claims.csv");
    assert!(claims.contains("zürich_2006"), "{claims}");
    assert!(claims.contains("2000-01-01,\"springfield, illinois_2000\""), "{claims}");
    assert_eq!(
        wd.read_string("population/gold.csv"),
        "story_id,value\n\"springfield, illinois_2000\",111454\n"
    );
    let r = eval(&wd, "population", "number", "vote", &[]);
    assert_eq!(r[0]["figures"]["story_accuracy"], 1.0);
    assert_eq!(r[0]["figures"]["value_mae"], 0.0);
}

/// Training verdicts become resolutions and test verdicts the gold; the credit-history columns are not
/// read (the test rows' counts would otherwise leak their own labels).
#[test]
fn liar_splits_into_resolutions_and_gold() {
    let wd = Workdir::new("convert-liar");
    convert(
        &wd,
        "liar",
        &[("--train", "liar_train.tsv"), ("--test", "liar_test.tsv")],
    );
    assert_eq!(
        wd.read_string("liar/resolutions.csv"),
        "story_id,outcome,resolved_at,rating\n1.json,true,1970-01-01,true\n2.json,false,1970-01-01,false\n\
         3.json,false,1970-01-01,pants-fire\n"
    );
    assert_eq!(
        wd.read_string("liar/gold.csv"),
        "story_id,value,rating\n4.json,true,mostly-true\n5.json,false,barely-true\n"
    );
    assert_eq!(
        wd.read_string("liar/speakers.csv"),
        "source,group\nalice,democrat\nbob,republican\n"
    );
    let r = eval(
        &wd,
        "liar",
        "text",
        "responses",
        &["--resolutions", "liar/resolutions.csv"],
    );
    let f = &r[0]["figures"];
    assert_eq!(f["claims"], 2);
    // alice is 1 for 2 on train, bob 0 for 1: bob's test statement gets the lower p_correct, so the
    // one false statement is predicted false and alice's (1 for 2, prior towards the pooled mean) true
    // only if her posterior mean is at least ½.
    assert!(f["log_loss"].as_f64().unwrap() > 0.0);
}

/// Six-way ratings, worked by hand. Training: alice true, true, mostly-true (democrat); bob false, false,
/// false, pants-fire (republican). Test: alice true, bob false, and two speakers with no training
/// statements, dave (republican) false and erin (democrat) true. Pooled shares: false 3/7, true 2/7,
/// mostly-true and pants-fire 1/7, so the most common training rating (false) is right for bob and dave:
/// 0.5. Alone, alice's and bob's own majorities win at any strength (true 2 and false 3 of their
/// ratings against at most 3/7 of the mean) and the two newcomers get the pooled "false": 3 of 4. With
/// the parties, the democrats' mean is (g·pooled + (0, 1, 0, 2))/(g + 3), which puts true above false
/// when 2g/7 + 2 > 3g/7, i.e. g < 14; the maximum marginal likelihood over the two parties is g ≈ 7.7158
/// (Python's `math.lgamma` on a grid of step 1e-4), so erin gets "true": 4 of 4.
#[test]
fn liar_ratings_lean_on_the_speaker_then_the_party() {
    let wd = Workdir::new("convert-liar-ratings");
    convert(
        &wd,
        "liar",
        &[
            ("--train", "liar_ratings_train.tsv"),
            ("--test", "liar_ratings_test.tsv"),
        ],
    );
    let alone = eval(
        &wd,
        "liar",
        "text",
        "responses",
        &["--resolutions", "liar/resolutions.csv"],
    );
    let r = &alone[0]["ratings"];
    assert_eq!(r["claims"], 4, "{r}");
    assert_eq!(r["with_history"], 2, "{r}");
    assert_eq!(r["trained"], 7, "{r}");
    assert_eq!(r["accuracy"], 0.75, "{r}");
    assert_eq!(r["base_accuracy"], 0.5, "{r}");
    assert_eq!(
        r["fit"]["labels"],
        serde_json::json!(["false", "mostly-true", "pants-fire", "true"])
    );
    let grouped = eval(
        &wd,
        "liar",
        "text",
        "responses",
        &[
            "--resolutions",
            "liar/resolutions.csv",
            "--sources-meta",
            "liar/speakers.csv",
        ],
    );
    let r = &grouped[0]["ratings"];
    assert_eq!(r["accuracy"], 1.0, "{r}");
    let g = r["fit"]["group_strength"].as_f64().unwrap();
    assert!((g - 7.7158).abs() < 1e-3, "{r}");
}

/// Without a rating column in the resolutions (the other converters, or hand-made files) there is no
/// rating report, and the predictive coverage is there for every gold evaluation.
#[test]
fn no_ratings_without_a_rating_column() {
    let wd = Workdir::new("convert-crowd-no-ratings");
    convert(
        &wd,
        "crowd",
        &[("--answers", "crowd_answer.csv"), ("--truth", "crowd_truth.csv")],
    );
    let r = eval(&wd, "crowd", "label", "vote", &[]);
    assert!(r[0]["ratings"].is_null(), "{r}");
    // Three workers with three gold answers each: w1 and w3 right on all three, w2 on two. Under vote's
    // posterior the 95% predictive interval of three new answers is wide enough for all three records.
    assert_eq!(r[0]["figures"]["predictive_coverage"], 1.0, "{r}");
}

/// Audit (session 23): a worker's repeated answer to one question was converted as a second claim, so
/// that `vote` counted the same label twice. The first answer is kept, the others skipped and counted.
#[test]
fn crowd_keeps_a_workers_first_answer_to_a_question() {
    let wd = Workdir::new("convert-crowd-repeats");
    wd.create(
        "answer.csv",
        "question,worker,answer\nq1,w1,1\nq1,w2,0\nq1,w1,1\nq1,w3,0\nq1,w1,0\nq2,w1,1\n",
    );
    wd.create("truth.csv", "question,truth\nq1,0\nq2,1\n");
    let mut cmd = wd.command("convert");
    cmd.args([
        "crowd",
        "--answers",
        "answer.csv",
        "--truth",
        "truth.csv",
        "--out",
        "crowd",
    ]);
    let stderr = String::from_utf8(wd.output(&mut cmd).stderr).unwrap();
    let claims = wd.read_csv_maps("crowd/claims.csv");
    let got: Vec<(&str, &str, &str)> = claims
        .iter()
        .map(|r| (r["story_id"].as_str(), r["source"].as_str(), r["value"].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("q1", "w1", "1"),
            ("q1", "w2", "0"),
            ("q1", "w3", "0"),
            ("q2", "w1", "1")
        ]
    );
    assert!(
        stderr.contains("2") && stderr.contains("the worker answered the question before"),
        "{stderr}"
    );
}

/// `convert crowd` stops at an answer row with more or fewer fields than the header, naming the file,
/// the line and the count (before, a 4-field row was converted and a 2-field one counted as "an empty
/// question, worker or answer"), and at a question given two different truths (before, both went into
/// gold.csv).
#[test]
fn crowd_refuses_wrong_field_counts_and_conflicting_truths() {
    let wd = Workdir::new("convert-crowd-bad");
    let cases = [
        (
            "crowd_answer_extra.csv",
            "crowd_truth.csv",
            "crowd_answer_extra.csv:3: expected 3 fields as in the header, found 4",
        ),
        (
            "crowd_answer_short.csv",
            "crowd_truth.csv",
            "crowd_answer_short.csv:3: expected 3 fields as in the header, found 2",
        ),
        (
            "crowd_answer.csv",
            "crowd_truth_conflict.csv",
            "crowd_truth_conflict.csv:3: column `truth`: question \"q1\" was given \"1\" at line 2",
        ),
    ];
    for (answers, truth, want) in cases {
        wd.copy_fixture("convert", answers);
        wd.copy_fixture("convert", truth);
        let mut cmd = wd.command("convert");
        cmd.args(["crowd", "--answers", answers, "--truth", truth, "--out", "out"]);
        let stderr = wd.output_err(&mut cmd, 1);
        assert!(stderr.contains(want), "{answers} {truth}: {stderr}");
        // Nothing is written from a refused set.
        assert!(wd.list("out").is_empty(), "{:?}", wd.list("out"));
    }
}

/// A truth row that repeats an earlier one exactly is written once, and counted.
#[test]
fn crowd_writes_a_repeated_truth_once() {
    let wd = Workdir::new("convert-crowd-repeat");
    let stderr = convert(
        &wd,
        "crowd",
        &[("--answers", "crowd_answer.csv"), ("--truth", "crowd_truth_repeat.csv")],
    );
    assert_eq!(wd.read_string("crowd/gold.csv"), "story_id,value\nq1,1\nq2,0\nq3,1\n");
    assert!(
        stderr.contains("skipped 1 row: a gold row repeating an earlier one"),
        "{stderr}"
    );
}

/// Found by fuzzing: LIAR's converter wrote a statement given two labels both ways (so `eval` failed on
/// the converted gold, not at the split's line), and the population converter read a gold line missing a
/// comma as a city without a year, which then matched no story. Both now stop at the line; an exact repeat
/// of a statement is written once and counted.
#[test]
fn liar_and_population_refuse_what_they_would_misread() {
    let wd = Workdir::new("convert-misread");
    let train = String::from_utf8(std::fs::read(common::data_dir().join("convert/liar_train.tsv")).unwrap()).unwrap();
    let first = train.lines().next().unwrap();
    let relabelled = first.replacen("\ttrue\t", "\tfalse\t", 1);
    wd.create("train_repeat.tsv", format!("{train}{first}\n"));
    wd.create("train_conflict.tsv", format!("{train}{relabelled}\n"));
    wd.copy_fixture("convert", "liar_test.tsv");
    let liar = |train: &str| {
        let mut cmd = wd.command("convert");
        cmd.args([
            "liar",
            "--train",
            train,
            "--test",
            "liar_test.tsv",
            "--out",
            &format!("out-{train}"),
        ]);
        cmd
    };
    let repeated = String::from_utf8(wd.output(&mut liar("train_repeat.tsv")).stderr).unwrap();
    assert!(
        repeated.contains("skipped 1 row: a statement repeated (the first kept)"),
        "{repeated}"
    );
    let lines = train.lines().count() + 1;
    let stderr = wd.output_err(&mut liar("train_conflict.tsv"), 1);
    let want = format!(
        "train_conflict.tsv:{lines}: statement \"1.json\" was given \"true\" by \"alice\" at train_conflict.tsv:1"
    );
    assert!(stderr.contains(&want), "{stderr}");

    wd.copy_fixture("convert", "population.txt");
    wd.create(
        "gold.txt",
        "Melrose, Massachusetts, 2000, 27134\nmelrose, massachusetts, 2000 27134\n",
    );
    let mut population = wd.command("convert");
    population.args([
        "population",
        "--claims",
        "population.txt",
        "--gold",
        "gold.txt",
        "--out",
        "pop",
    ]);
    let stderr = wd.output_err(&mut population, 1);
    assert!(
        stderr.contains("gold.txt:2: expected city, ..., YEAR, population: no year"),
        "{stderr}"
    );
    // A claimed population that is no number (`score --value-kind number` would reject it) is skipped and
    // counted.
    let mut claims = std::fs::read(common::data_dir().join("convert/population.txt")).unwrap();
    claims.extend_from_slice(b"springfield, illinois_2000\tcontributor #9: typo\t11l454\t2000\n");
    wd.create("population_typo.txt", claims);
    wd.create("good_gold.txt", "Springfield, Illinois, 2000, 111454\n");
    let mut typo = wd.command("convert");
    typo.args([
        "population",
        "--claims",
        "population_typo.txt",
        "--gold",
        "good_gold.txt",
        "--out",
        "typo",
    ]);
    let said = String::from_utf8(wd.output(&mut typo).stderr).unwrap();
    assert!(
        said.contains("skipped 1 row: a population that is not a number"),
        "{said}"
    );
}

/// Audit (session 23): a row with a TAB inside a field (an author list cut in two) was read as its first
/// four fields, and a refused golden file left the new claims.csv beside the last run's gold.csv. A row of
/// other than four fields is refused now, and neither file is written until both have been read.
#[test]
fn a_row_of_too_many_fields_is_refused_and_a_refused_gold_writes_nothing() {
    let wd = Workdir::new("convert-strict");
    wd.create("book.txt", "storeA\t0201\tTAOCP\tKnuth, Donald\tGraham, Ronald\n");
    wd.create("golden.txt", "0201\tDonald Knuth\n");
    let mut cmd = wd.command("convert");
    cmd.args(["book", "--claims", "book.txt", "--gold", "golden.txt", "--out", "b"]);
    let err = wd.output_err(&mut cmd, 1);
    assert!(
        err.contains("book.txt:1") && err.contains("expected 4 TAB-separated fields, found 5"),
        "{err}"
    );
    assert!(!wd.path("b/claims.csv").exists());
    // A good claims file with a refused golden file: no claims.csv either.
    wd.create("book.txt", "storeA\t0201\tTAOCP\tKnuth, Donald\n");
    wd.create("golden.txt", "0201 Donald Knuth\n");
    let mut cmd = wd.command("convert");
    cmd.args(["book", "--claims", "book.txt", "--gold", "golden.txt", "--out", "b"]);
    let err = wd.output_err(&mut cmd, 1);
    assert!(err.contains("golden.txt:1"), "{err}");
    assert!(!wd.path("b/claims.csv").exists() && !wd.path("b/gold.csv").exists());
}
