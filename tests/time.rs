//! Time: `--as-of` reproduces the past exactly, `--half-life` weighs old evidence less, and `history`
//! is `--as-of` at each period's end.

mod common;

use common::Workdir;

/// The input files of a generated corpus, and of the seed dataset.
const FILES: [(&str, &str); 3] = [
    ("claims.csv", "published_at"),
    ("responses.csv", "responded_at"),
    ("resolutions.csv", "resolved_at"),
];

/// Writes `dir/<file>` for each input, keeping only the rows whose date column is at or before `cut`
/// (a time in seconds), parsed by the library's own date reader.
fn cut_files(wd: &Workdir, from: &str, dir: &str, cut: i64) {
    for (file, column) in FILES {
        let mut r = csv::Reader::from_path(wd.path(&format!("{from}/{file}"))).unwrap();
        let headers = r.headers().unwrap().clone();
        let k = headers.iter().position(|h| h == column).unwrap();
        let mut w = csv::Writer::from_path(wd.path(&format!("{dir}/{file}"))).unwrap();
        w.write_record(&headers).unwrap();
        for row in r.records() {
            let row = row.unwrap();
            if credence::ingest::fields::time(&row[k]).unwrap() <= cut {
                w.write_record(&row).unwrap();
            }
        }
    }
}

fn score(wd: &Workdir, dir: &str, out: &str, extra: &[&str]) {
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        &format!("{dir}/claims.csv"),
        "--responses",
        &format!("{dir}/responses.csv"),
        "--resolutions",
        &format!("{dir}/resolutions.csv"),
        "--out",
        out,
        "--quiet",
    ])
    .args(extra);
    wd.output(&mut cmd);
}

fn seed(wd: &Workdir) {
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/seed");
    for (file, _) in FILES {
        wd.create(&format!("seed/{file}"), std::fs::read(seed.join(file)).unwrap());
    }
}

/// The per-row outputs, which must not depend on how the past was cut.
const COMPARED: [&str; 3] = ["sources.csv", "claims.csv", "responders.csv"];

#[test]
fn as_of_equals_scoring_the_files_cut_at_that_time() {
    let wd = Workdir::new("as-of-cut");
    seed(&wd);
    let mut generate = wd.command("gen");
    generate.args(["--out", "gen", "--claims", "3000", "--sources", "40", "--seed", "9"]);
    wd.output(&mut generate);
    // The seed with a later claim and a later response left without a story key (both have texts). Found by
    // fuzzing: the claim was rejected as having no text, and the response made the run form stories from
    // texts (claims.csv gained the matcher's columns), where files cut before them have neither row.
    for (file, _) in FILES {
        let text = String::from_utf8(wd.read(&format!("seed/{file}"))).unwrap();
        let text = text
            .replace(
                "c145,Euro Ledger,2025-09-22,german-port-investment,",
                "c145,Euro Ledger,2025-09-22,,",
            )
            .replace("r033,measles-cases-doubled,", "r033,,");
        wd.create(&format!("late/{file}"), text);
    }
    let t = |s: &str| credence::ingest::fields::time(s).unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        ("late", "2025-06-30T00:00:00Z", &[]),
        ("late", "2025-06-30T00:00:00Z", &["--method", "responses"]),
        ("seed", "2025-05-12T09:00:00Z", &[]),
        ("seed", "2025-06-01T00:00:00Z", &[]),
        ("seed", "2025-06-24T12:30:00Z", &["--method", "em"]),
        ("seed", "2025-07-15T00:00:00Z", &["--relay-weight", "0.5"]),
        ("gen", "2025-03-01T00:00:00Z", &[]),
        ("gen", "2025-08-15T00:00:00Z", &["--method", "em"]),
    ];
    for (k, &(dir, when, extra)) in cases.iter().enumerate() {
        let cut = format!("cut{k}");
        std::fs::create_dir_all(wd.path(&cut)).unwrap();
        cut_files(&wd, dir, &cut, t(when));
        score(&wd, &cut, &format!("{cut}/out"), extra);
        let mut args = vec!["--as-of", when];
        args.extend_from_slice(extra);
        score(&wd, dir, &format!("asof{k}"), &args);
        for f in COMPARED {
            let (a, b) = (wd.read(&format!("{cut}/out/{f}")), wd.read(&format!("asof{k}/{f}")));
            assert!(
                a == b,
                "{f} differs between --as-of {when} and the files cut then ({dir})"
            );
        }
        // Counts reconcile: every row read is scored, rejected or set aside as later.
        let summary = wd.read_json(&format!("asof{k}/summary.json"));
        for kind in ["claims", "responses", "resolutions"] {
            let t = &summary["inputs"][kind][0];
            let n = |f: &str| t[f].as_u64().unwrap_or(0);
            assert_eq!(n("read"), n("scored") + n("rejected") + n("later"), "{kind} at {when}");
        }
        assert_eq!(summary["parameters"]["as_of"], when);
    }
}

#[test]
fn a_date_alone_means_the_end_of_that_day() {
    let wd = Workdir::new("as-of-day");
    seed(&wd);
    score(&wd, "seed", "day", &["--as-of", "2025-06-23"]);
    score(&wd, "seed", "last-second", &["--as-of", "2025-06-23T23:59:59Z"]);
    assert_eq!(wd.read("day/sources.csv"), wd.read("last-second/sources.csv"));
    let summary = wd.read_json("day/summary.json");
    assert_eq!(summary["parameters"]["as_of"], "2025-06-23T23:59:59Z");
}

#[test]
fn bad_time_options_are_usage_errors() {
    let wd = Workdir::new("as-of-bad");
    seed(&wd);
    let base = [
        "--claims",
        "seed/claims.csv",
        "--responses",
        "seed/responses.csv",
        "--out",
        "o",
    ];
    let err = wd.output_err(wd.command("score").args(base).args(["--as-of", "June"]), 2);
    assert!(
        err.contains("--as-of") && err.contains("is not a time: give YYYY-MM-DD"),
        "{err}"
    );
    let err = wd.output_err(wd.command("score").args(base).args(["--half-life", "0"]), 2);
    assert!(err.contains("--half-life"), "{err}");
    let mut partial = wd.command("score");
    partial.args([
        "--claims",
        "seed/claims.csv",
        "--responses",
        "seed/responses.csv",
        "--partial",
        "p.json",
        "--half-life",
        "30",
    ]);
    let err = wd.output_err(&mut partial, 2);
    assert!(err.contains("--half-life") && err.contains("--partial"), "{err}");
}

#[test]
fn a_very_long_half_life_changes_nothing_and_a_short_one_forgets_the_past() {
    let wd = Workdir::new("half-life");
    wd.create(
        "c.csv",
        "claim_id,source,published_at,story_id,stance\n\
         1,Old Hand,2020-01-01,a,asserts\n2,Old Hand,2020-01-02,b,asserts\n3,Old Hand,2020-01-03,c,asserts\n\
         4,Old Hand,2020-01-04,d,asserts\n5,Old Hand,2025-06-01,e,asserts\n\
         6,Newcomer,2025-06-01,f,asserts\n7,Newcomer,2025-06-02,g,asserts\n",
    );
    wd.create(
        "r.csv",
        "response_id,story_id,responder,responded_at,verdict\n\
         x1,a,Office,2020-02-01,confirmed\nx2,b,Office,2020-02-01,confirmed\nx3,c,Office,2020-02-01,confirmed\n\
         x4,d,Office,2020-02-01,confirmed\nx5,e,Office,2025-06-10,denied\n\
         x6,f,Office,2025-06-10,confirmed\nx7,g,Office,2025-06-10,confirmed\n",
    );
    wd.create(
        "s.csv",
        "story_id,outcome,resolved_at\na,true,2020-03-01\nb,true,2020-03-01\nc,true,2020-03-01\n\
         d,true,2020-03-01\ne,false,2025-06-20\nf,true,2025-06-20\ng,true,2025-06-20\n",
    );
    let run = |out: &str, extra: &[&str]| {
        let mut cmd = wd.command("score");
        cmd.args([
            "--claims",
            "c.csv",
            "--responses",
            "r.csv",
            "--resolutions",
            "s.csv",
            "--out",
            out,
            "-q",
        ])
        .args(extra);
        wd.output(&mut cmd);
        wd.read_csv_maps(&format!("{out}/sources.csv"))
    };
    let plain = run("plain", &[]);
    run("forever", &["--half-life", "1e12"]);
    assert_eq!(wd.read("plain/sources.csv"), wd.read("forever/sources.csv"));
    assert_eq!(wd.read("plain/claims.csv"), wd.read("forever/claims.csv"));

    let short = run("short", &["--half-life", "30"]);
    let get = |rows: &[std::collections::BTreeMap<String, String>], who: &str, col: &str| -> f64 {
        rows.iter().find(|r| r["source"] == who).unwrap()[col].parse().unwrap()
    };
    // Without decay, four old hits outweigh one recent miss; with a 30-day half-life the old hits are
    // worth almost nothing (2^-65 each) and the recent miss dominates.
    assert!(get(&plain, "Old Hand", "reliability") > get(&plain, "Newcomer", "reliability") - 0.1);
    assert!(get(&short, "Old Hand", "reliability") < get(&short, "Newcomer", "reliability") - 0.05);
    assert!(get(&short, "Old Hand", "reliability") < get(&plain, "Old Hand", "reliability") - 0.2);
    assert_eq!(get(&short, "Old Hand", "support"), 0.0);
    // The recent miss (published 2025-06-01, 19 days before the latest time, 2025-06-20) weighs
    // 2^(-19/30) = 0.6444.
    let evidence = get(&short, "Old Hand", "evidence");
    assert!((evidence - 0.5f64.powf(19.0 / 30.0)).abs() < 1e-5, "{evidence}");
    let summary = wd.read_json("short/summary.json");
    assert_eq!(summary["parameters"]["half_life"]["days"], 30.0);
    assert_eq!(summary["parameters"]["half_life"]["reference"], "2025-06-20T00:00:00Z");
}

#[test]
fn history_is_as_of_at_each_period_end() {
    let wd = Workdir::new("history");
    seed(&wd);
    let mut cmd = wd.command("history");
    cmd.args([
        "--claims",
        "seed/claims.csv",
        "--responses",
        "seed/responses.csv",
        "--resolutions",
        "seed/resolutions.csv",
        "--out",
        "h",
        "--every",
        "month",
        "-q",
    ]);
    wd.output(&mut cmd);
    let rows = wd.read_csv_maps("h/history.csv");
    let ends: std::collections::BTreeSet<&str> = rows.iter().map(|r| r["as_of"].as_str()).collect();
    assert_eq!(
        ends.into_iter().collect::<Vec<_>>(),
        [
            "2025-05-31T23:59:59Z",
            "2025-06-30T23:59:59Z",
            "2025-07-31T23:59:59Z",
            "2025-08-31T23:59:59Z",
            "2025-09-30T23:59:59Z"
        ]
    );
    for end in ["2025-05-31T23:59:59Z", "2025-06-30T23:59:59Z", "2025-09-30T23:59:59Z"] {
        let out = format!("at-{}", &end[..10]);
        score(&wd, "seed", &out, &["--as-of", end]);
        let sources = wd.read_csv_maps(&format!("{out}/sources.csv"));
        let period: Vec<_> = rows.iter().filter(|r| r["as_of"] == end).collect();
        assert_eq!(period.len(), sources.len(), "{end}");
        for (h, s) in period.iter().zip(&sources) {
            for col in ["source", "claims", "reliability", "ci_low", "ci_high", "rank"] {
                assert_eq!(h[col], s[col], "{end} {col}");
            }
        }
    }
}

/// Like `score`, `history` under em (the default) needs no official answers; the methods that score
/// from them alone refuse to start without them.
#[test]
fn history_needs_responses_only_where_score_does() {
    let wd = Workdir::new("history-claims-only");
    seed(&wd);
    let mut em = wd.command("history");
    em.args(["--claims", "seed/claims.csv", "--out", "h", "--every", "month", "-q"]);
    wd.output(&mut em);
    let rows = wd.read_csv_maps("h/history.csv");
    let last: Vec<_> = rows.iter().filter(|r| r["as_of"] == "2025-09-30T23:59:59Z").collect();
    let mut score = wd.command("score");
    score.args([
        "--claims",
        "seed/claims.csv",
        "--out",
        "s",
        "--as-of",
        "2025-09-30T23:59:59Z",
        "-q",
    ]);
    wd.output(&mut score);
    let sources = wd.read_csv_maps("s/sources.csv");
    assert_eq!(last.len(), sources.len());
    for (h, s) in last.iter().zip(&sources) {
        assert_eq!((&h["source"], &h["reliability"]), (&s["source"], &s["reliability"]));
    }
    let mut responses = wd.command("history");
    responses.args([
        "--claims",
        "seed/claims.csv",
        "--out",
        "r",
        "--every",
        "month",
        "--method",
        "responses",
    ]);
    let stderr = wd.output_err(&mut responses, 2);
    assert!(stderr.contains("--responses is required"), "{stderr}");
}

/// Each period is a whole scoring run, so one year typed as 0001 made a daily history of two claims run
/// for hours; more than 10,000 periods are refused at once, with the range named.
#[test]
fn a_history_of_too_many_periods_is_refused() {
    let wd = Workdir::new("history-too-long");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance\nc1,A,0001-01-01,s1,asserts\nc2,B,2025-01-01,s1,asserts\n",
    );
    let mut day = wd.command("history");
    day.args(["--claims", "claims.csv", "--out", "h", "--every", "day", "-q"]);
    let stderr = wd.output_err(&mut day, 1);
    assert!(
        stderr.contains("from 0001-01-01T00:00:00Z to 2025-01-01T00:00:00Z is more than 10000 periods"),
        "{stderr}"
    );
    let mut recent = wd.command("history");
    recent.args([
        "--claims",
        "claims.csv",
        "--out",
        "h",
        "--every",
        "day",
        "-q",
        "--from",
        "2024-12-25",
    ]);
    wd.output(&mut recent);
    // Eight days, A in each and B on the last, when it first published.
    assert_eq!(wd.read_csv_maps("h/history.csv").len(), 8 + 1);
}

#[test]
fn shards_cut_as_of_merge_to_the_single_run() {
    let wd = Workdir::new("as-of-shards");
    seed(&wd);
    let text = String::from_utf8(wd.read("seed/claims.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let (a, b) = rows.split_at(rows.len() / 2);
    wd.create("a.csv", format!("{header}\n{}\n", a.join("\n")));
    wd.create("b.csv", format!("{header}\n{}\n", b.join("\n")));
    let when = "2025-06-24T12:00:00Z";
    for shard in ["a", "b"] {
        let mut cmd = wd.command("score");
        cmd.args([
            "--claims",
            &format!("{shard}.csv"),
            "--responses",
            "seed/responses.csv",
            "--resolutions",
            "seed/resolutions.csv",
            "--partial",
            &format!("{shard}.json"),
            "--as-of",
            when,
            "-q",
        ]);
        wd.output(&mut cmd);
    }
    let mut merge = wd.command("merge");
    merge.args([
        "b.json", "a.json", "--out", "merged", "--claims", "a.csv", "b.csv", "-q",
    ]);
    wd.output(&mut merge);
    score(&wd, "seed", "single", &["--as-of", when]);
    for f in COMPARED {
        assert!(
            wd.read(&format!("merged/{f}")) == wd.read(&format!("single/{f}")),
            "{f} differs"
        );
    }
    // Audit: the merged summary lost the time, and shards cut at different times (or one not cut) merged
    // into no single run's scores without a word.
    let summary = |dir: &str| wd.read_json(&format!("{dir}/summary.json"))["parameters"]["as_of"].clone();
    assert_eq!(summary("merged"), summary("single"));
    let mut uncut = wd.command("score");
    uncut.args([
        "--claims",
        "b.csv",
        "--responses",
        "seed/responses.csv",
        "--partial",
        "b.json",
        "-q",
    ]);
    wd.output(&mut uncut);
    let mut merge = wd.command("merge");
    merge.args(["a.json", "b.json", "--out", "mixed", "-q"]);
    let err = wd.output_err(&mut merge, 1);
    assert!(
        err.contains("the shards of a.csv and b.csv were scored at different times (as of 2025-06-24T12:00:00Z and with no --as-of)"),
        "{err}"
    );
}

/// Audit: history dropped the rows it could not read without a word. It now writes them to
/// history_rejects.csv (score's rejects.csv, row for row, on the same files), prints each file's counts as
/// score does, and leaves a score run's own rejects.csv in the same folder alone.
#[test]
fn history_reports_its_rejected_rows() {
    let wd = Workdir::new("history-rejects");
    for f in ["a.csv", "responses.csv"] {
        wd.copy_fixture("shards", f);
    }
    // The same inputs and folder for both commands.
    let inputs = ["--claims", "a.csv", "--responses", "responses.csv", "--out", "run"];
    let mut run = wd.command("score");
    run.args(inputs).arg("-q");
    wd.output(&mut run);
    wd.create("run/rejects.csv", "kept as it was\n");
    let history = |quiet: bool| {
        let mut cmd = wd.command("history");
        cmd.args(inputs).args(["--every", "month"]);
        if quiet {
            cmd.arg("-q");
        }
        String::from_utf8(wd.output(&mut cmd).stderr).unwrap()
    };
    let err = history(false);
    assert!(
        err.contains("a.csv: 4 rows read, 3 scored, 1 rejected")
            && err.contains("responses.csv: 3 rows read, 1 scored, 2 rejected")
            && err.contains("wrote run/history_rejects.csv"),
        "{err}"
    );
    let rejects = wd.read_csv_maps("run/history_rejects.csv");
    let lines: Vec<(&str, &str)> = rejects
        .iter()
        .map(|r| (r["file"].as_str(), r["line"].as_str()))
        .collect();
    // responses.csv line 3 answers a story of b.csv.
    assert_eq!(lines, [("a.csv", "4"), ("responses.csv", "3"), ("responses.csv", "4")]);
    assert_eq!(wd.read_string("run/rejects.csv"), "kept as it was\n");
    let mut again = wd.command("score");
    again.args([
        "--claims",
        "a.csv",
        "--responses",
        "responses.csv",
        "--out",
        "single",
        "-q",
    ]);
    wd.output(&mut again);
    assert!(wd.read("run/history_rejects.csv") == wd.read("single/rejects.csv"));
    assert_eq!(history(true), "");
}

/// `history` reads its files as `score` does: the value kind, the outlets' groups, copy detection and
/// the reading of unkeyed rows are options of both, and each period's rows are `score --as-of`'s with the
/// same options. Before, `history` had no `--value-kind` (times given in two forms were two values, so
/// the outlets that agree looked as if they disagreed), nor `--sources-meta` or `--detect-copies`.
#[test]
fn history_takes_the_reading_options_of_score() {
    let wd = Workdir::new("history-options");
    let mut claims = String::from("claim_id,source,published_at,story_id,stance,value\n");
    let outlets = ["a", "b", "c", "d", "e"];
    for story in 0..24 {
        let day = format!("2025-{:02}-{:02}", 5 + story / 12, 1 + story % 12);
        for (k, o) in outlets.iter().enumerate() {
            // a, b and c give the departure in two forms of one instant; d is wrong on a third of the
            // stories; e copies d an hour later.
            let right = if k % 2 == 0 {
                format!("{day}T1{}:00:00Z", story % 10)
            } else {
                format!("{day} 1{}:00:00", story % 10)
            };
            let value = match *o {
                "d" | "e" if story % 3 == 0 => format!("{day}T0{}:30:00Z", story % 10),
                _ => right,
            };
            let at = if *o == "e" {
                format!("{day}T01:00:00Z")
            } else {
                day.clone()
            };
            claims.push_str(&format!("{o}{story},{o},{at},f{story},asserts,{value}\n"));
        }
    }
    wd.create("claims.csv", claims);
    wd.create("meta.csv", "source,group\na,wire\nb,wire\nc,paper\nd,paper\ne,blog\n");
    let options: [&[&str]; 3] = [
        &["--value-kind", "time"],
        &["--value-kind", "time", "--sources-meta", "meta.csv"],
        &["--value-kind", "time", "--detect-copies"],
    ];
    for (i, extra) in options.iter().enumerate() {
        let h = format!("h{i}");
        let mut cmd = wd.command("history");
        cmd.args(["--claims", "claims.csv", "--out", &h, "--every", "month", "-q"]);
        cmd.args(*extra);
        wd.output(&mut cmd);
        let rows = wd.read_csv_maps(&format!("{h}/history.csv"));
        for end in ["2025-05-31T23:59:59Z", "2025-06-30T23:59:59Z"] {
            let out = format!("s{i}-{}", &end[..7]);
            let mut cmd = wd.command("score");
            cmd.args(["--claims", "claims.csv", "--out", &out, "--as-of", end, "-q"]);
            cmd.args(*extra);
            wd.output(&mut cmd);
            let sources = wd.read_csv_maps(&format!("{out}/sources.csv"));
            let period: Vec<_> = rows.iter().filter(|r| r["as_of"] == end).collect();
            assert_eq!(period.len(), sources.len(), "{extra:?} {end}");
            for (h, s) in period.iter().zip(&sources) {
                for col in ["source", "claims", "reliability", "ci_low", "ci_high", "rank"] {
                    assert_eq!(h[col], s[col], "{extra:?} {end} {col}");
                }
            }
        }
    }
    // The two forms of one instant agree: a is not scored as if it disagreed with b.
    let first = wd.read_csv_maps("h0/history.csv");
    let a = first.iter().find(|r| r["source"] == "a").unwrap();
    let d = first.iter().find(|r| r["source"] == "d").unwrap();
    let rel = |r: &std::collections::BTreeMap<String, String>| r["reliability"].parse::<f64>().unwrap();
    assert!(rel(a) > rel(d) + 0.1, "a {} d {}", rel(a), rel(d));
}

/// `history` reads every input once per period, so none can be standard input: the groups file was not
/// checked, and its second period found standard input empty and said the file had no header (audit).
#[test]
fn history_refuses_standard_input_for_every_file() {
    let wd = Workdir::new("history-stdin");
    seed(&wd);
    let cases: [&[&str]; 2] = [
        &["--claims", "-"],
        &["--claims", "seed/claims.csv", "--sources-meta", "-"],
    ];
    for args in cases {
        let mut cmd = wd.command("history");
        cmd.args(args).args(["--out", "h", "-q"]);
        let out = wd.run_with_stdin(&mut cmd, b"source,group\nReuters,wire\n");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("give files, not standard input"), "{args:?}: {err}");
    }
}

/// A row refused as of an earlier period's end only (a response to a story no claim had named by then) is
/// listed in history_earlier_rejects.csv with that end, as `score --as-of` at that end lists it; rows the
/// last period refuses are in history_rejects.csv alone. Before, the earlier refusals were not written.
#[test]
fn history_lists_the_rows_only_an_earlier_period_refused() {
    let wd = Workdir::new("history-earlier-rejects");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance\n\
         c1,Wire,2025-01-10,s1,asserts\nc2,Post,2025-01-12,s1,asserts\n\
         c3,Wire,2025-03-05,s2,asserts\nc4,Post,2025-03-06,s2,denies\nc5,Wire,2025-03-07,s3,asserts\n",
    );
    // r2 answers s2 in February, before any claim names it (March); r3's date is unreadable.
    wd.create(
        "responses.csv",
        "response_id,story_id,responder,responded_at,verdict\n\
         r1,s1,Ministry,2025-01-15,confirmed\nr2,s2,Ministry,2025-02-10,denied\nr3,s3,Ministry,someday,denied\n",
    );
    let mut cmd = wd.command("history");
    cmd.args([
        "--claims",
        "claims.csv",
        "--responses",
        "responses.csv",
        "--every",
        "month",
        "--out",
        "h",
        "-q",
    ]);
    wd.output(&mut cmd);
    let earlier = wd.read_csv_maps("h/history_earlier_rejects.csv");
    let got: Vec<(&str, &str, &str)> = earlier
        .iter()
        .map(|r| (r["as_of"].as_str(), r["file"].as_str(), r["line"].as_str()))
        .collect();
    // Refused as of the end of February (s2 unclaimed), accepted as of March's; the bad date is refused
    // at every end, so it is the last period's reject alone.
    assert_eq!(got, [("2025-02-28T23:59:59Z", "responses.csv", "3")]);
    let last: Vec<String> = wd
        .read_csv_maps("h/history_rejects.csv")
        .iter()
        .map(|r| r["line"].clone())
        .collect();
    assert_eq!(last, ["4"]);
    // The same reason `score --as-of` at that end gives.
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        "claims.csv",
        "--responses",
        "responses.csv",
        "--as-of",
        "2025-02-28",
        "--out",
        "feb",
        "-q",
    ]);
    wd.output(&mut cmd);
    let feb = wd.read_csv_maps("feb/rejects.csv");
    let reason = |rows: &[std::collections::BTreeMap<String, String>], line: &str| {
        rows.iter().find(|r| r["line"] == line).map(|r| r["reason"].clone())
    };
    assert_eq!(reason(&earlier, "3"), reason(&feb, "3"));
    assert!(reason(&feb, "3").is_some());
}
