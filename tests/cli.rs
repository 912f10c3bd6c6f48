//! End-to-end tests of `credence score`: the real binary, run in a fresh folder per test.
//!
//! The fixtures are in `tests/data`: `small/` is a hand-written corpus whose outputs are kept as golden
//! files in `small/expected/` (regenerate them with `CREDENCE_BLESS=1 cargo test --test cli`, then read the
//! diff). Inputs that exercise one problem each are written by the tests themselves, next to the assertions
//! that depend on them.

mod common;

use std::collections::BTreeMap;
use std::fs;

use common::{Workdir, data_dir};
use serde_json::Value;

/// The three input files of the `small` fixture.
const SMALL_INPUTS: [&str; 3] = ["claims.csv", "responses.csv", "resolutions.csv"];

/// What a CSV-format run writes, sorted by name.
const OUTPUTS: [&str; 6] = [
    "claims.csv",
    "rejects.csv",
    "responders.csv",
    "sources.csv",
    "stories.csv",
    "summary.json",
];

/// The header of `sources.csv`, which is all a run with no claims writes into it.
const SOURCES_HEADER: &str = "source,claims,originals,relays,credited,answered,resolved,support,\
against,evidence,reliability,ci_low,ci_high,rank\n";

/// A work folder holding the `small` fixture's inputs under their own names.
fn small_workdir(name: &str) -> Workdir {
    let wd = Workdir::new(name);
    for f in SMALL_INPUTS {
        wd.copy_fixture("small", f);
    }
    wd
}

/// `credence score` on `claims.csv`, `responses.csv` and `resolutions.csv` of the work folder, into `out`.
fn score(wd: &Workdir) -> std::process::Command {
    score_with(wd, &[])
}

/// [`score`] with some flags' values replaced (`--claims`, `--responses`, `--resolutions`, `--out`) or
/// other flags with a value added.
fn score_with(wd: &Workdir, flags: &[(&str, &str)]) -> std::process::Command {
    let mut args = vec![
        ("--claims", "claims.csv"),
        ("--responses", "responses.csv"),
        ("--resolutions", "resolutions.csv"),
        ("--out", "out"),
    ];
    for &(flag, value) in flags {
        match args.iter_mut().find(|a| a.0 == flag) {
            Some(a) => a.1 = value,
            None => args.push((flag, value)),
        }
    }
    let mut cmd = wd.command("score");
    for (flag, value) in args {
        cmd.args([flag, value]);
    }
    cmd
}

fn parse_f64(row: &BTreeMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|e| panic!("{column} = {:?} in {row:?}: {e}", row[column]))
}

fn is_bless() -> bool {
    std::env::var_os("CREDENCE_BLESS").is_some_and(|v| v == "1")
}

// ---------------------------------------------------------------------------------------------------------
// Golden outputs and what they must satisfy.

#[test]
fn small_fixture_matches_golden_outputs() {
    let wd = small_workdir("golden");
    wd.output(&mut score(&wd));
    assert_eq!(wd.list("out"), OUTPUTS, "the output folder holds exactly the outputs");

    let expected_dir = data_dir().join("small").join("expected");
    if is_bless() {
        fs::create_dir_all(&expected_dir).unwrap();
        for name in OUTPUTS {
            fs::write(expected_dir.join(name), wd.read(&format!("out/{name}"))).unwrap();
        }
        eprintln!("blessed {}", expected_dir.display());
        return;
    }
    let mut mismatches = Vec::new();
    for name in OUTPUTS {
        let path = expected_dir.join(name);
        let want = fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run `CREDENCE_BLESS=1 cargo test --test cli` to write it)",
                path.display()
            )
        });
        let got = wd.read(&format!("out/{name}"));
        if got != want {
            mismatches.push(format!(
                "=== {name} differs\n--- expected ({})\n{}\n--- got\n{}",
                path.display(),
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(&got)
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{}\nIf the change is intended, run `CREDENCE_BLESS=1 cargo test --test cli` and review the diff.",
        mismatches.join("\n")
    );
}

/// Invariants of the small fixture's outputs that hold whatever the exact numbers: relays credited to the
/// outlet they cite, a cited-only outlet listed, probabilities in [0, 1], every interval around its mean,
/// ranks ordered by the interval's lower end, and the summary agreeing with the tables.
#[test]
fn small_fixture_scores_are_coherent() {
    let wd = small_workdir("coherent");
    wd.output(&mut score(&wd));

    let claims = wd.read_csv_maps("out/claims.csv");
    assert_eq!(claims.len(), 15);
    let claim = |id: &str| {
        claims
            .iter()
            .find(|c| c["claim_id"] == id)
            .unwrap_or_else(|| panic!("claim {id} missing"))
    };
    // c02 relays Daily Courier, c06 relays The Rumor Mill, c12 cites an outlet with no claims of its own.
    for (id, to) in [
        ("c02", "Daily Courier"),
        ("c06", "The Rumor Mill"),
        ("c12", "Harbour Gazette"),
    ] {
        assert_eq!(claim(id)["role"], "relay", "{id}");
        assert_eq!(claim(id)["credited_to"], to, "{id}");
    }
    assert_eq!(claim("c01")["role"], "original");
    assert_eq!(claim("c01")["credited_to"], "Daily Courier");
    // An empty stance means asserts.
    assert_eq!(claim("c14")["stance"], "asserts");
    // Resolved stories settle the claims on them; a mixed one leaves each side half right.
    assert_eq!(claim("c01")["verdict"], "upheld");
    assert_eq!(claim("c04")["verdict"], "refuted");
    assert_eq!(claim("c01")["p_correct"], "1.000000");
    assert_eq!(claim("c04")["p_correct"], "0.000000");
    assert_eq!(claim("c09")["verdict"], "mixed");
    assert_eq!(claim("c09")["p_correct"], "0.500000");
    assert_eq!(claim("c13")["verdict"], "unanswered");
    assert_eq!(claim("c14")["verdict"], "conflicting");
    assert_eq!(claim("c15")["verdict"], "no_comment");
    for c in &claims {
        let p = parse_f64(c, "p_correct");
        assert!((0.0..=1.0).contains(&p), "p_correct out of [0, 1]: {c:?}");
    }

    let sources = wd.read_csv_maps("out/sources.csv");
    let names: Vec<&str> = sources.iter().map(|s| s["source"].as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "Daily Courier",
            "Harbour Gazette",
            "Morning Signal",
            "State Wire",
            "The Rumor Mill"
        ]
    );
    let source = |n: &str| sources.iter().find(|s| s["source"] == n).unwrap();
    // The cited-only outlet: no claims of its own, one report credited to it.
    assert_eq!(source("Harbour Gazette")["claims"], "0");
    assert_eq!(source("Harbour Gazette")["credited"], "1");
    // The pure relayer carries none of the evidence (relay weight 0).
    let signal = source("Morning Signal");
    assert_eq!((&*signal["relays"], &*signal["credited"]), ("3", "0"));
    assert_eq!(signal["evidence"], "0.000000");
    let mut last_low = f64::INFINITY;
    for (k, s) in sources.iter().enumerate() {
        let (low, mean, high) = (
            parse_f64(s, "ci_low"),
            parse_f64(s, "reliability"),
            parse_f64(s, "ci_high"),
        );
        assert!(
            0.0 <= low && low <= mean && mean <= high && high <= 1.0,
            "interval: {s:?}"
        );
        let evidence = parse_f64(s, "evidence");
        let sum = parse_f64(s, "support") + parse_f64(s, "against");
        assert!((evidence - sum).abs() < 2e-6, "evidence = support + against: {s:?}");
        let claims_n: u64 = s["claims"].parse().unwrap();
        let parts: u64 = s["originals"].parse::<u64>().unwrap() + s["relays"].parse::<u64>().unwrap();
        assert_eq!(claims_n, parts, "claims = originals + relays: {s:?}");
        assert_eq!(s["rank"], (k + 1).to_string(), "rows are in rank order");
        assert!(low <= last_low, "ranked by ci_low, descending: {s:?}");
        last_low = low;
    }
    // The outlet right on both of its resolved stories ranks above the one wrong on both.
    let rank = |n: &str| source(n)["rank"].parse::<u32>().unwrap();
    assert!(rank("Daily Courier") < rank("State Wire"));

    let summary = wd.read_json("out/summary.json");
    assert_eq!(summary["counts"]["sources"], 5);
    assert_eq!(summary["counts"]["stories"], 8);
    assert_eq!(summary["counts"]["responders"], 2);
    assert_eq!(summary["counts"]["stories_resolved"], 3);
    let prior = &summary["prior"];
    let (a, b) = (prior["alpha"].as_f64().unwrap(), prior["beta"].as_f64().unwrap());
    assert!(a > 0.0 && b > 0.0, "{prior}");
    assert!((prior["mean"].as_f64().unwrap() - a / (a + b)).abs() < 2e-6);

    let responders = wd.read_csv_maps("out/responders.csv");
    let names: Vec<&str> = responders.iter().map(|r| r["responder"].as_str()).collect();
    assert_eq!(names, ["Central Bank", "Transport Ministry"]);
    for r in &responders {
        for (low, mean, high) in [
            ("confirm_ci_low", "confirm_when_true", "confirm_ci_high"),
            ("deny_ci_low", "deny_when_false", "deny_ci_high"),
        ] {
            let (l, m, h) = (parse_f64(r, low), parse_f64(r, mean), parse_f64(r, high));
            assert!(0.0 <= l && l <= m && m <= h && h <= 1.0, "{mean}: {r:?}");
        }
    }
}

#[test]
fn json_format_writes_sources_json_instead_of_csv() {
    let wd = small_workdir("json");
    wd.output(&mut score(&wd));
    wd.output(&mut score_with(&wd, &[("--out", "json"), ("--format", "json")]));

    assert_eq!(
        wd.list("json"),
        [
            "claims.csv",
            "rejects.csv",
            "responders.csv",
            "sources.json",
            "stories.csv",
            "summary.json"
        ]
    );
    let csv_rows = wd.read_csv_maps("out/sources.csv");
    let json = wd.read_json("json/sources.json");
    let rows = json.as_array().expect("sources.json is an array");
    assert_eq!(rows.len(), csv_rows.len());
    for (j, c) in rows.iter().zip(&csv_rows) {
        let obj = j.as_object().expect("each source is an object");
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut columns: Vec<&str> = c.keys().map(String::as_str).collect();
        columns.sort_unstable();
        assert_eq!(keys, columns, "the JSON carries the CSV's fields");
        assert_eq!(obj["source"], c["source"].as_str(), "same order as the CSV");
        for (k, v) in c {
            if k == "source" {
                continue;
            }
            let want: f64 = v.parse().unwrap();
            let got = obj[k.as_str()].as_f64().unwrap_or_else(|| panic!("{k}: {j}"));
            assert_eq!(got, want, "{k} of {}", c["source"]);
        }
    }
    // The other tables do not depend on the format.
    for f in ["claims.csv", "responders.csv", "rejects.csv"] {
        assert_eq!(wd.read(&format!("out/{f}")), wd.read(&format!("json/{f}")), "{f}");
    }
    let outputs = &wd.read_json("json/summary.json")["outputs"];
    assert!(
        outputs.as_array().unwrap().contains(&Value::from("sources.json")),
        "{outputs}"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Bad rows.

/// Claims with one bad row of each kind, and good rows around them. Line 2 holds a quoted field that runs
/// onto line 3, so every later row's line number is one more than its record number.
const BAD_CLAIMS_HEAD: &[u8] = b"claim_id,source,published_at,story_id,stance,attributed_to,text
c1,Alpha,2025-01-01,s1,asserts,,\"a note that runs
onto a second line\"
c2,Beta,01/02/2025,s1,asserts,,
c3,Beta,2025-01-02,s3,maybe,,
c1,Gamma,2025-01-02,s2,asserts,,
c4,,2025-01-02,s2,asserts,,
c5,Beta,2025-01-03,s2
";

/// Line 9: the source field holds a byte that is not UTF-8; then two good rows.
const BAD_CLAIMS_TAIL: &[u8] = b"c6,B\xffeta,2025-01-03,s2,asserts,,
c7,Beta,2025-01-03,s2,denies,,
c8,Gamma,2025-01-04,s1,,Alpha,
";

/// Line 3 answers `s3`, whose only claim (line 5 of the claims) was rejected, so the story is unknown.
const BAD_RESPONSES: &str = "response_id,story_id,responder,responded_at,verdict
r1,s1,Ministry,2025-01-05,confirmed
r2,s3,Ministry,2025-01-05,denied
r3,s2,Ministry,2025-01-05,maybe
r1,s2,Ministry,2025-01-06,denied
r4,s2,Ministry,2025-01-06,denied
";

/// Line 5 resolves `s2` again after the rejected line 3, and is accepted: a rejected row claims nothing.
const BAD_RESOLUTIONS: &str = "story_id,outcome,resolved_at
s1,true,2025-02-01
s2,unknown,2025-02-01
s1,false,2025-02-02
s2,false,2025-02-03
";

fn write_bad_inputs(wd: &Workdir) {
    wd.create("claims.csv", [BAD_CLAIMS_HEAD, BAD_CLAIMS_TAIL].concat());
    wd.create("responses.csv", BAD_RESPONSES);
    wd.create("resolutions.csv", BAD_RESOLUTIONS);
}

#[test]
fn bad_rows_are_rejected_with_where_and_why_and_tallies_reconcile() {
    let wd = Workdir::new("rejects");
    write_bad_inputs(&wd);
    wd.output(&mut score(&wd));

    // (file, line, column, value, words the reason must contain)
    let expected: &[(&str, u64, &str, Option<&str>, &str)] = &[
        ("claims.csv", 4, "published_at", Some("01/02/2025"), "date"),
        ("claims.csv", 5, "stance", Some("maybe"), "stance"),
        ("claims.csv", 6, "claim_id", Some("c1"), "duplicate claim_id"),
        ("claims.csv", 7, "source", Some(""), "empty"),
        ("claims.csv", 8, "", Some(""), "fields"),
        ("claims.csv", 9, "source", None, "UTF-8"),
        ("responses.csv", 3, "story_id", Some("s3"), "unknown story"),
        ("responses.csv", 4, "verdict", Some("maybe"), "verdict"),
        ("responses.csv", 5, "response_id", Some("r1"), "duplicate"),
        ("resolutions.csv", 3, "outcome", Some("unknown"), "outcome"),
        ("resolutions.csv", 4, "story_id", Some("s1"), "already resolved"),
    ];
    let rejects = wd.read_csv_maps("out/rejects.csv");
    let got: Vec<(String, String)> = rejects.iter().map(|r| (r["file"].clone(), r["line"].clone())).collect();
    let want: Vec<(String, String)> = expected.iter().map(|e| (e.0.to_owned(), e.1.to_string())).collect();
    assert_eq!(got, want, "rejects.csv rows (file, line):\n{rejects:#?}");
    for (r, &(file, line, column, value, reason)) in rejects.iter().zip(expected) {
        let at = format!("{file}:{line}");
        assert_eq!(r["column"], column, "{at}: {r:?}");
        match value {
            Some(v) => assert_eq!(r["value"], v, "{at}: {r:?}"),
            // The bad byte shows as a replacement character; the rest of the value is kept.
            None => assert!(
                r["value"].starts_with('B') && r["value"].ends_with("eta"),
                "{at}: {r:?}"
            ),
        }
        assert!(
            r["reason"].to_lowercase().contains(&reason.to_lowercase()),
            "{at}: the reason should mention {reason:?}: {r:?}"
        );
    }
    assert!(
        rejects[2]["reason"].contains("line 2"),
        "a duplicate names the first line: {:?}",
        rejects[2]
    );

    let summary = wd.read_json("out/summary.json");
    let inputs = &summary["inputs"];
    for (file, read, scored, rejected) in [("claims", 9, 3, 6), ("responses", 5, 2, 3), ("resolutions", 4, 2, 2)] {
        let t = &inputs[file][0];
        assert_eq!(t["file"], format!("{file}.csv"), "{t}");
        let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{file}.{k}: {t}"));
        assert_eq!(n("read"), n("scored") + n("rejected"), "{file}: {t}");
        assert_eq!(
            (n("read"), n("scored"), n("rejected")),
            (read, scored, rejected),
            "{file}: {t}"
        );
        let listed = rejects.iter().filter(|r| r["file"] == format!("{file}.csv")).count() as u64;
        assert_eq!(listed, rejected, "{file}: rejects.csv and summary agree");
    }
    assert_eq!(inputs["rejected"], rejects.len() as u64);

    let ids: Vec<String> = wd
        .read_csv_maps("out/claims.csv")
        .into_iter()
        .map(|c| c["claim_id"].clone())
        .collect();
    assert_eq!(ids, ["c1", "c7", "c8"], "claims.csv holds the scored claims");
    assert_eq!(summary["counts"]["stories_resolved"], 2, "s1 and s2");
}

#[test]
fn strict_stops_at_the_first_bad_row_and_writes_nothing() {
    // (which input is bad, file:line and column the message must name)
    let cases = [
        ("claims", "claims.csv:4:", "`published_at`"),
        ("resolutions", "resolutions.csv:3:", "`outcome`"),
    ];
    for (bad, at, column) in cases {
        let wd = small_workdir(&format!("strict-{bad}"));
        if bad == "claims" {
            wd.create("claims.csv", [BAD_CLAIMS_HEAD, BAD_CLAIMS_TAIL].concat());
        } else {
            wd.create(
                "resolutions.csv",
                "story_id,outcome,resolved_at\nport-strike,true,2025-03-10\nbudget-leak,maybe,2025-03-12\n",
            );
        }
        let mut cmd = score(&wd);
        cmd.arg("--strict");
        let stderr = wd.output_err(&mut cmd, 1);
        assert!(stderr.starts_with("credence: error: "), "{stderr}");
        assert!(stderr.contains(at), "stderr should name {at}: {stderr}");
        assert!(stderr.contains(column), "stderr should name {column}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one error, nothing else: {stderr}");
        assert!(wd.list("out").is_empty(), "nothing written: {:?}", wd.list("out"));
        let stray: Vec<String> = wd.list("").into_iter().filter(|n| n.starts_with('.')).collect();
        assert!(stray.is_empty(), "no temporary files: {stray:?}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Headers and whole-file problems.

#[test]
fn missing_required_column_names_the_file_and_column() {
    let cases = [
        (
            "claims.csv",
            "claim_id,source,published_at,stance\nc1,A,2025-01-01,asserts\n",
            "story_id",
        ),
        (
            "responses.csv",
            "response_id,story_id,responder,responded_at\nr01,port-strike,X,2025-03-01\n",
            "verdict",
        ),
        (
            "resolutions.csv",
            "story_id,resolved_at\nport-strike,2025-03-10\n",
            "outcome",
        ),
    ];
    for (file, text, column) in cases {
        let wd = small_workdir(&format!("missing-{column}"));
        wd.create(file, text);
        let stderr = wd.output_err(&mut score(&wd), 1);
        assert!(stderr.starts_with("credence: error: "), "{stderr}");
        assert!(stderr.contains(file), "names {file}: {stderr}");
        assert!(
            stderr.contains(&format!("missing required column `{column}`")),
            "names `{column}`: {stderr}"
        );
        assert!(wd.list("out").is_empty());
    }
}

/// A file exported with semicolons or tabs between its columns (a spreadsheet's regional CSV, a TSV) has a
/// header of one field: the error says which separator it found, not merely that `claim_id` is missing.
/// A one-field header that holds no required name keeps the plain error.
#[test]
fn a_file_separated_by_semicolons_or_tabs_is_named_as_such() {
    for (name, sep, said) in [("semicolons", ";", "';'"), ("tabs", "\t", "tabs"), ("bars", "|", "'|'")] {
        let wd = small_workdir(&format!("delimiter-{name}"));
        let rows = [
            "claim_id,source,published_at,story_id,stance",
            "c1,A,2025-01-01,s,asserts",
        ];
        let text: String = rows.iter().map(|r| format!("{}\n", r.replace(',', sep))).collect();
        wd.create("claims.csv", text);
        let stderr = wd.output_err(&mut score(&wd), 1);
        assert!(
            stderr.contains("claims.csv:1: the header `claim_id")
                && stderr.contains(&format!(
                    "separates its columns with {said}, but credence reads comma-separated"
                )),
            "{name}: {stderr}"
        );
        assert!(wd.list("out").is_empty());
    }
    let wd = small_workdir("delimiter-none");
    wd.create("claims.csv", "foo;bar\n1;2\n");
    let stderr = wd.output_err(&mut score(&wd), 1);
    assert!(
        stderr.contains("missing required column `claim_id` (found: foo;bar)"),
        "{stderr}"
    );
}

#[test]
fn duplicate_header_column_is_an_error() {
    let wd = small_workdir("duplicate-column");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance,source\nc1,A,2025-01-01,s,asserts,B\n",
    );
    let stderr = wd.output_err(&mut score(&wd), 1);
    assert!(stderr.contains("claims.csv"), "{stderr}");
    assert!(stderr.contains("`source`"), "{stderr}");
    assert!(stderr.contains("twice"), "{stderr}");
    assert!(wd.list("out").is_empty());
}

#[test]
fn a_repeated_column_that_is_not_read_is_ignored() {
    let wd = small_workdir("duplicate-unread-column");
    let plain = wd.read_string("claims.csv");
    let mut lines = plain.lines();
    let mut text = format!("{},note,note\n", lines.next().unwrap());
    for l in lines {
        text.push_str(&format!("{l},x,y\n"));
    }
    wd.create("claims.csv", text);
    wd.output(&mut score(&wd));
    assert_eq!(wd.read_csv("out/claims.csv").1.len(), 15);
}

#[test]
fn empty_input_file_is_an_error() {
    for file in SMALL_INPUTS {
        let wd = small_workdir(&format!("empty-{}", file.trim_end_matches(".csv")));
        wd.create(file, "");
        let stderr = wd.output_err(&mut score(&wd), 1);
        assert!(stderr.starts_with("credence: error: "), "{stderr}");
        assert!(stderr.contains(file), "names {file}: {stderr}");
        assert!(stderr.contains("empty"), "{stderr}");
        assert!(wd.list("out").is_empty());
    }
}

#[test]
fn header_only_claims_file_scores_nothing() {
    let wd = Workdir::new("header-only");
    wd.create("claims.csv", "claim_id,source,published_at,story_id,stance\n");
    wd.create("responses.csv", "response_id,story_id,responder,responded_at,verdict\n");
    wd.create("resolutions.csv", "story_id,outcome,resolved_at\n");
    wd.output(&mut score(&wd));
    assert_eq!(wd.list("out"), OUTPUTS);
    assert_eq!(wd.read_string("out/sources.csv"), SOURCES_HEADER);
    assert_eq!(wd.read_csv("out/claims.csv").1.len(), 0);
    assert_eq!(wd.read_csv("out/rejects.csv").1.len(), 0);
    let summary = wd.read_json("out/summary.json");
    for f in ["claims", "responses", "resolutions"] {
        assert_eq!(summary["inputs"][f][0]["read"], 0, "{f}");
    }
    assert_eq!(summary["counts"]["sources"], 0);
    assert_eq!(summary["prior"]["method"], "default");
}

/// The same table with its columns reversed, an unread column in the middle, a byte-order mark and CRLF
/// line ends.
fn reshape(plain: &[u8]) -> Vec<u8> {
    let mut rdr = csv::Reader::from_reader(plain);
    let mut header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_owned).collect();
    header.reverse();
    let mid = header.len() / 2;
    header.insert(mid, "note".to_owned());
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(&header).unwrap();
    for (i, r) in rdr.records().enumerate() {
        let mut row: Vec<String> = r.unwrap().iter().map(str::to_owned).collect();
        row.reverse();
        row.insert(mid, format!("row {i}, ignored"));
        w.write_record(&row).unwrap();
    }
    out.extend(w.into_inner().unwrap());
    out
}

#[test]
fn bom_crlf_and_reordered_columns_score_like_the_plain_files() {
    let plain = small_workdir("plain");
    plain.output(&mut score(&plain));

    let shaped = small_workdir("reshaped");
    for f in SMALL_INPUTS {
        let text = reshape(&shaped.read(f));
        assert!(text.starts_with(b"\xEF\xBB\xBF") && text.ends_with(b"\r\n"));
        shaped.create(f, text);
    }
    shaped.output(&mut score(&shaped));

    assert_eq!(shaped.read_csv("out/rejects.csv").1.len(), 0, "nothing rejected");
    for f in OUTPUTS {
        let path = format!("out/{f}");
        assert!(
            plain.read(&path) == shaped.read(&path),
            "{f} differs:\n--- plain\n{}\n--- reshaped\n{}",
            plain.read_string(&path),
            shaped.read_string(&path)
        );
    }
}

// ---------------------------------------------------------------------------------------------------------
// Usage errors.

#[test]
fn missing_claims_flag_is_a_usage_error() {
    let wd = small_workdir("no-claims");
    let mut cmd = wd.command("score");
    cmd.args(["--responses", "responses.csv", "--out", "out"]);
    let stderr = wd.output_err(&mut cmd, 2);
    assert!(stderr.contains("--claims"), "{stderr}");
    assert!(wd.list("out").is_empty());
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let wd = small_workdir("unknown-flag");
    let mut cmd = score(&wd);
    cmd.arg("--bogus");
    let stderr = wd.output_err(&mut cmd, 2);
    assert!(stderr.contains("--bogus"), "{stderr}");
    assert!(wd.list("out").is_empty());
}

#[test]
fn unknown_format_is_a_usage_error() {
    let wd = small_workdir("unknown-format");
    let mut cmd = score_with(&wd, &[("--format", "xml")]);
    let stderr = wd.output_err(&mut cmd, 2);
    assert!(stderr.contains("xml"), "{stderr}");
}

/// Out-of-range option values are refused while the arguments are parsed: usage errors, exit status 2,
/// naming the option, before any file is read or written.
#[test]
fn out_of_range_level_is_a_usage_error_naming_level() {
    for level in ["1.5", "0", "1", "-0.1", "NaN", "ninety"] {
        let wd = small_workdir("bad-level");
        let mut cmd = score(&wd);
        cmd.arg(format!("--level={level}"));
        let stderr = wd.output_err(&mut cmd, 2);
        assert!(stderr.contains("--level"), "{level}: {stderr}");
        assert!(wd.list("out").is_empty());
    }
}

/// Each thread reserves its stack before any work, so a mistyped count used to exhaust memory or hang.
#[test]
fn too_many_threads_is_a_usage_error() {
    for threads in ["100000", "18446744073709551615", "-1", "two"] {
        let wd = small_workdir("bad-threads");
        let mut cmd = score(&wd);
        cmd.arg(format!("--threads={threads}"));
        let stderr = wd.output_err(&mut cmd, 2);
        assert!(stderr.contains("--threads"), "{threads}: {stderr}");
        assert!(wd.list("out").is_empty());
    }
    let wd = small_workdir("max-threads");
    wd.output(&mut score_with(&wd, &[("--threads", "64")]));
}

#[test]
fn out_of_range_relay_weight_is_a_usage_error_naming_it() {
    for weight in ["1.5", "-0.1", "NaN"] {
        let wd = small_workdir("bad-relay-weight");
        let mut cmd = score(&wd);
        cmd.arg(format!("--relay-weight={weight}"));
        let stderr = wd.output_err(&mut cmd, 2);
        assert!(stderr.contains("--relay-weight"), "{weight}: {stderr}");
    }
    // A negative number given as the next argument is the option's value, refused by its range check,
    // not an unknown flag `-1`.
    let wd = small_workdir("negative-relay-weight");
    let mut cmd = score(&wd);
    cmd.args(["--relay-weight", "-1"]);
    let stderr = wd.output_err(&mut cmd, 2);
    assert!(stderr.contains("-1 is not between 0 and 1"), "{stderr}");
}

#[test]
fn nonexistent_input_file_is_an_error_naming_the_path() {
    for flag in ["--claims", "--responses", "--resolutions"] {
        let wd = small_workdir("nonexistent");
        let mut cmd = score_with(&wd, &[(flag, "no/such/input.csv")]);
        let stderr = wd.output_err(&mut cmd, 1);
        assert!(stderr.starts_with("credence: error: "), "{stderr}");
        assert!(stderr.contains("no/such/input.csv"), "{flag}: {stderr}");
        assert!(wd.list("out").is_empty());
    }
}

// ---------------------------------------------------------------------------------------------------------
// Standard input, determinism, and what a failed run leaves behind.

#[test]
fn claims_from_stdin_score_like_the_file() {
    let wd = small_workdir("stdin");
    wd.output(&mut score(&wd));

    let mut cmd = score_with(&wd, &[("--claims", "-"), ("--out", "piped")]);
    let out = wd.run_with_stdin(&mut cmd, &wd.read("claims.csv"));
    wd.expect_exit(&cmd, &out, 0);

    for f in ["sources.csv", "claims.csv", "responders.csv", "rejects.csv"] {
        assert_eq!(
            wd.read_string(&format!("out/{f}")),
            wd.read_string(&format!("piped/{f}")),
            "{f}"
        );
    }
    // The summary is the same but for the name of the claims file.
    let mut from_file = wd.read_json("out/summary.json");
    let from_stdin = wd.read_json("piped/summary.json");
    assert_eq!(from_stdin["inputs"]["claims"][0]["file"], "-");
    from_file["inputs"]["claims"][0]["file"] = Value::from("-");
    assert_eq!(from_file, from_stdin);
}

/// A deterministic pseudo-random sequence (Knuth's MMIX LCG), so the generated corpus is the same on
/// every run without a dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Writes a corpus of 3000 claims by 60 outlets (plus a few cited-only ones) on 400 stories, answered by
/// 3 responders of different habits, with about a quarter of the stories resolved.
fn write_generated_corpus(wd: &Workdir) {
    let mut rng = Lcg(20_250_623);
    let stories = 400;
    let truth: Vec<bool> = (0..stories).map(|_| rng.chance(60)).collect();
    let reliability: Vec<u64> = (0..60).map(|_| 30 + rng.below(65)).collect();
    let day = |d: u64| format!("2025-{:02}-{:02}", 1 + d / 28 % 12, 1 + d % 28);

    let mut claims = String::from("claim_id,source,published_at,story_id,stance,attributed_to\n");
    let mut used = vec![false; stories];
    for i in 0..3000 {
        let s = rng.below(60) as usize;
        let story = rng.below(stories as u64) as usize;
        used[story] = true;
        let correct = rng.below(100) < reliability[s];
        let stance = match (truth[story] == correct, rng.chance(10)) {
            (true, true) => "",
            (true, false) => "asserts",
            (false, _) => "denies",
        };
        let attributed = if rng.chance(15) {
            if rng.chance(10) {
                format!("cited-{}", rng.below(5))
            } else {
                format!("outlet-{:02}", rng.below(60))
            }
        } else {
            String::new()
        };
        claims.push_str(&format!(
            "g{i:04},outlet-{s:02},{}T{:02}:00:00Z,story-{story:03},{stance},{attributed}\n",
            day(story as u64),
            rng.below(24)
        ));
    }

    // Responder habits: (name, answers %, confirms a true story %, denies a false story %).
    let habits = [("Ministry", 70, 85, 90), ("Palace", 60, 30, 95), ("Agency", 40, 70, 60)];
    let mut responses = String::from("response_id,story_id,responder,responded_at,verdict\n");
    let mut resolutions = String::from("story_id,outcome,resolved_at,resolver\n");
    let mut n = 0;
    for story in (0..stories).filter(|&s| used[s]) {
        for &(name, answers, confirm, deny) in &habits {
            let times = if rng.chance(answers) {
                1 + u64::from(rng.chance(15))
            } else {
                0
            };
            for t in 0..times {
                let says_true = if truth[story] {
                    rng.chance(confirm)
                } else {
                    !rng.chance(deny)
                };
                let verdict = match rng.below(100) {
                    x if x < 8 => "no_comment",
                    x if x < 16 => "partial",
                    _ if says_true => "confirmed",
                    _ => "denied",
                };
                n += 1;
                responses.push_str(&format!(
                    "q{n:05},story-{story:03},{name},{}T{:02}:30:00Z,{verdict}\n",
                    day(story as u64 + 1),
                    10 + t
                ));
            }
        }
        if rng.chance(25) {
            let outcome = match (rng.chance(10), truth[story]) {
                (true, _) => "mixed",
                (false, true) => "true",
                (false, false) => "false",
            };
            resolutions.push_str(&format!(
                "story-{story:03},{outcome},{},checker\n",
                day(story as u64 + 20)
            ));
        }
    }
    wd.create("claims.csv", claims);
    wd.create("responses.csv", responses);
    wd.create("resolutions.csv", resolutions);
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let wd = Workdir::new("threads");
    write_generated_corpus(&wd);
    let runs: [(&str, Option<&str>, &[&str]); 4] = [
        ("env1", Some("1"), &[]),
        ("env2", Some("2"), &[]),
        ("flag1", None, &["--threads", "1"]),
        ("flag2", None, &["--threads", "2"]),
    ];
    let mut first: Option<(&str, BTreeMap<String, Vec<u8>>)> = None;
    for (out, env, args) in runs {
        let mut cmd = score_with(&wd, &[("--out", out)]);
        cmd.arg("--quiet").args(args);
        if let Some(n) = env {
            cmd.env("RAYON_NUM_THREADS", n);
        }
        wd.output(&mut cmd);
        let files = wd.snapshot(out);
        match &first {
            None => {
                assert_eq!(files.keys().collect::<Vec<_>>(), OUTPUTS.iter().collect::<Vec<_>>());
                let summary = wd.read_json(&format!("{out}/summary.json"));
                assert_eq!(summary["inputs"]["claims"][0]["scored"], 3000, "{summary}");
                assert_eq!(summary["counts"]["sources"], 65, "{summary}");
                assert!(summary["counts"]["stories_resolved"].as_u64().unwrap() > 50);
                first = Some((out, files));
            }
            Some((base, want)) => {
                for (name, bytes) in want {
                    assert!(
                        files.get(name) == Some(bytes),
                        "{out}/{name} differs from {base}/{name}"
                    );
                }
            }
        }
    }
}

#[test]
fn failed_run_leaves_previous_outputs_untouched() {
    let wd = small_workdir("no-clobber");
    wd.output(&mut score(&wd));
    let before = wd.snapshot("out");
    assert_eq!(before.len(), OUTPUTS.len());

    write_bad_inputs(&wd);
    let mut cmd = score(&wd);
    cmd.arg("--strict");
    wd.output_err(&mut cmd, 1);
    assert!(wd.snapshot("out") == before, "out/ changed: {:?}", wd.list("out"));
}

#[test]
fn quiet_prints_nothing_on_success() {
    let wd = small_workdir("quiet");
    let mut cmd = score(&wd);
    cmd.arg("--quiet");
    let out = wd.output(&mut cmd);
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        wd.describe("quiet", &cmd, &out)
    );
}

#[test]
fn out_folder_that_is_a_file_is_an_error_naming_it() {
    let wd = small_workdir("out-is-a-file");
    wd.create("taken", "not a folder");
    let stderr = wd.output_err(&mut score_with(&wd, &[("--out", "taken")]), 1);
    assert!(stderr.starts_with("credence: error: "), "{stderr}");
    assert!(stderr.contains("taken"), "{stderr}");
    assert_eq!(wd.read_string("taken"), "not a folder");
}

// ---------------------------------------------------------------------------------------------------------
// Known bugs: each test shows one, and is ignored until it is fixed.

/// Two outlets with one correct, resolved claim each. The empirical-Bayes prior fitted to them runs to the
/// edge of its search box (mean 1 − 6e-6: Beta(70.8, 0.0004)), and each outlet gets reliability 0.999994
/// with the interval [1.000000, 1.000000]: an interval of zero width that does not hold the mean, from one
/// claim each.
#[test]
fn two_sources_with_one_correct_claim_each_get_honest_intervals() {
    let wd = Workdir::new("one-claim-each");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance\na1,Alpha,2025-01-01,s1,asserts\nb1,Beta,2025-01-01,s2,asserts\n",
    );
    wd.create("responses.csv", "response_id,story_id,responder,responded_at,verdict\n");
    wd.create(
        "resolutions.csv",
        "story_id,outcome,resolved_at\ns1,true,2025-01-02\ns2,true,2025-01-02\n",
    );
    wd.output(&mut score(&wd));
    for s in wd.read_csv_maps("out/sources.csv") {
        let (low, mean, high) = (
            parse_f64(&s, "ci_low"),
            parse_f64(&s, "reliability"),
            parse_f64(&s, "ci_high"),
        );
        assert!(low <= mean && mean <= high, "interval excludes the mean: {s:?}");
        assert!(high - low > 0.1, "one claim cannot pin reliability down: {s:?}");
    }
}

/// Four outlets each right once and wrong once: they look identical, so the marginal likelihood alone
/// rises without limit in the prior's strength (total shrinkage, intervals of ±0.001). Regression test:
/// the hyperprior on the strength keeps it finite and the intervals honest.
#[test]
fn identical_sources_keep_honest_intervals() {
    let wd = Workdir::new("identical-sources");
    let mut claims = String::from("claim_id,source,published_at,story_id,stance\n");
    let mut resolutions = String::from("story_id,outcome,resolved_at\n");
    for (i, source) in ["A", "B", "C", "D"].iter().enumerate() {
        for (k, outcome) in ["true", "false"].iter().enumerate() {
            claims.push_str(&format!("{source}{k},{source},2025-01-01,s{i}{k},asserts\n"));
            resolutions.push_str(&format!("s{i}{k},{outcome},2025-01-02\n"));
        }
    }
    wd.create("claims.csv", claims);
    wd.create("responses.csv", "response_id,story_id,responder,responded_at,verdict\n");
    wd.create("resolutions.csv", resolutions);
    wd.output(&mut score(&wd));
    let prior = &wd.read_json("out/summary.json")["prior"];
    assert!(prior["strength"].as_f64().unwrap() < 1e3, "{prior}");
    assert_eq!(prior["at_bound"], false, "{prior}");
    for s in wd.read_csv_maps("out/sources.csv") {
        let width = parse_f64(&s, "ci_high") - parse_f64(&s, "ci_low");
        assert!(width > 0.1, "two claims cannot pin reliability down: {s:?}");
    }
}

/// A JSON run into a folder that holds an earlier CSV run's outputs replaces every file but `sources.csv`,
/// which stays behind, stale, next to the new `sources.json` (the summary lists only the latter).
#[test]
fn json_run_leaves_no_stale_sources_csv_behind() {
    let wd = small_workdir("stale-sources");
    wd.output(&mut score(&wd));
    wd.output(&mut score_with(&wd, &[("--format", "json")]));
    assert_eq!(
        wd.list("out"),
        [
            "claims.csv",
            "rejects.csv",
            "responders.csv",
            "sources.json",
            "stories.csv",
            "summary.json"
        ]
    );
}

/// `report`'s promise is one float format, six decimals, "so equal results give equal bytes"; the
/// summary's prior is printed at full precision instead, so a change in the 16th digit of the fit (a
/// reordered sum) changes `summary.json` while every CSV stays the same.
#[test]
fn summary_json_floats_use_the_six_decimal_format() {
    fn long_floats(v: &Value, path: &str, found: &mut Vec<String>) {
        match v {
            Value::Number(n) => {
                let text = n.to_string();
                if text.split_once('.').is_some_and(|(_, frac)| frac.len() > 6) {
                    found.push(format!("{path} = {text}"));
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    long_floats(item, &format!("{path}[{i}]"), found);
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    long_floats(item, &format!("{path}.{k}"), found);
                }
            }
            _ => {}
        }
    }
    let wd = small_workdir("summary-floats");
    wd.output(&mut score(&wd));
    let mut found = Vec::new();
    long_floats(&wd.read_json("out/summary.json"), "summary", &mut found);
    assert!(
        found.is_empty(),
        "floats with more than six decimals:\n{}",
        found.join("\n")
    );
}

/// Regression: the csv crate numbers lines one short after a CRLF; rejects must name the real line in
/// CRLF files, in quote-free files (split by hand) and in files with quoted fields (parsed by the crate),
/// for claims and for responses alike.
#[test]
fn rejects_name_the_right_line_in_crlf_files() {
    for quoted in [false, true] {
        let wd = Workdir::new(if quoted { "crlf-quoted" } else { "crlf-plain" });
        let text = if quoted { "\"a, quoted text\"" } else { "plain text" };
        let claims = format!(
            "claim_id,source,published_at,story_id,stance,text\r\n\
             c1,A,2025-01-01,s1,asserts,{text}\r\n\
             \r\n\
             c2,B,not-a-date,s1,asserts,{text}\r\n\
             c3,B,2025-01-02,s1,asserts,{text}\r\n"
        );
        wd.create("claims.csv", claims);
        wd.create(
            "responses.csv",
            format!(
                "response_id,story_id,responder,responded_at,verdict,text\r\n\
                 r1,s1,Office,2025-01-03,confirmed,{text}\r\n\
                 r2,s1,Office,2025-01-03,maybe,{text}\r\n"
            ),
        );
        wd.create("resolutions.csv", "story_id,outcome,resolved_at\r\n");
        wd.output(&mut score(&wd));
        let (_, rows) = wd.read_csv("out/rejects.csv");
        let at: Vec<(&str, &str)> = rows.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
        assert_eq!(at, [("claims.csv", "4"), ("responses.csv", "3")], "quoted: {quoted}");
    }
}

/// A quote opened and never closed makes the rest of the file one field (the CSV rules); the row is
/// rejected at the line where the quote opened, and the reason says how many lines the field runs over,
/// so the rows it swallowed are not lost without a word.
#[test]
fn an_unclosed_quote_is_named_with_the_lines_it_swallows() {
    let wd = Workdir::new("unclosed-quote");
    let mut claims = String::from("claim_id,source,published_at,story_id,stance\n");
    for i in 1..=3 {
        claims.push_str(&format!("c{i},A,2025-01-01,s{i},asserts\n"));
    }
    claims.push_str("c4,\"B,2025-01-01,s4,asserts\n");
    for i in 5..=9 {
        claims.push_str(&format!("c{i},A,2025-01-01,s{i},asserts\n"));
    }
    wd.create("claims.csv", claims);
    wd.create("responses.csv", "response_id,story_id,responder,responded_at,verdict\n");
    wd.create("resolutions.csv", "story_id,outcome,resolved_at\n");
    wd.output(&mut score(&wd));
    let (_, rows) = wd.read_csv("out/rejects.csv");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0][0].as_str(), rows[0][1].as_str()), ("claims.csv", "5"));
    let reason = rows[0].last().unwrap();
    assert!(
        reason.contains("never closes") && reason.contains("(5 more lines)") && reason.contains("close the quote"),
        "{reason}"
    );
    // On the last line the field swallows no line break, but its commas still tell.
    let wd = Workdir::new("unclosed-quote-last");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance\nc1,A,2025-01-01,s1,asserts\nc2,\"B,2025-01-01,s2,asserts\n",
    );
    wd.create("responses.csv", "response_id,story_id,responder,responded_at,verdict\n");
    wd.create("resolutions.csv", "story_id,outcome,resolved_at\n");
    wd.output(&mut score(&wd));
    let (_, rows) = wd.read_csv("out/rejects.csv");
    assert_eq!((rows.len(), rows[0][1].as_str()), (1, "3"), "{rows:?}");
    let reason = rows[0].last().unwrap();
    assert!(
        reason.contains("never closes") && reason.contains("the rest of the line, commas and all"),
        "{reason}"
    );
}

/// `--out` naming an existing file stops with that said, not the system's "File exists".
#[test]
fn out_naming_a_file_is_refused_plainly() {
    let wd = Workdir::new("out-is-a-file");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance\nc1,A,2025-01-01,s1,asserts\n",
    );
    wd.create("taken", "not a folder\n");
    let err = wd.output_err(
        wd.command("score").args(["--claims", "claims.csv", "--out", "taken"]),
        1,
    );
    assert!(err.contains("taken: exists and is not a folder"), "{err}");
    assert_eq!(wd.read_string("taken"), "not a folder\n");
}

/// Shell completions and the man page come from the command definition: every subcommand and its options
/// are in them.
#[test]
fn completions_and_man_page_cover_every_subcommand() {
    let wd = Workdir::new("docs");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let mut cmd = wd.command("completions");
        cmd.arg(shell);
        let out = String::from_utf8(wd.output(&mut cmd).stdout).unwrap();
        for sub in ["score", "gen", "merge", "eval"] {
            assert!(out.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let out = String::from_utf8(wd.output(&mut wd.command("man")).stdout).unwrap();
    assert!(
        out.starts_with(".ie") || out.contains(".TH credence 1"),
        "not roff: {}",
        &out[..out.len().min(200)]
    );
    for heading in [
        "credence\\-score",
        "credence\\-gen",
        "credence\\-merge",
        "credence\\-eval",
    ] {
        assert!(out.contains(heading), "man page lacks {heading}");
    }
    for option in [
        "\\-\\-chunk\\-size",
        "\\-\\-relay\\-weight",
        "\\-\\-min\\-evidence",
        "\\-\\-partial",
    ] {
        assert!(out.contains(option), "man page lacks {option}");
    }
}

/// Text that a spreadsheet would run as a formula is written with a leading `'` in every CSV output;
/// `--keep-formulas` writes it as it came; `sources.json` is never changed.
#[test]
fn formulas_in_input_text_are_neutralised_in_csv_outputs() {
    let wd = Workdir::new("formulas");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance\n=HYPERLINK(\"x\"),@evil,2025-01-01,+s1,asserts\nc2,-Post,bad date,+s1,denies\n",
    );
    wd.create(
        "responses.csv",
        "response_id,story_id,responder,responded_at,verdict\nr1,+s1,=cmd|calc,2025-01-02,denied\n",
    );
    wd.create("resolutions.csv", "story_id,outcome,resolved_at\n");
    wd.output(&mut score(&wd));
    let (_, claims) = wd.read_csv("out/claims.csv");
    assert_eq!(&claims[0][..3], ["'=HYPERLINK(\"x\")", "'@evil", "'+s1"]);
    let (_, responders) = wd.read_csv("out/responders.csv");
    assert_eq!(responders[0][0], "'=cmd|calc");
    let (_, rejects) = wd.read_csv("out/rejects.csv");
    assert_eq!(rejects[0][3], "bad date");
    wd.output(&mut score_with(&wd, &[("--format", "json")]));
    let json = wd.read_json("out/sources.json");
    assert_eq!(json[0]["source"], "@evil");
    let mut raw = score(&wd);
    raw.arg("--keep-formulas");
    wd.output(&mut raw);
    let (_, claims) = wd.read_csv("out/claims.csv");
    assert_eq!(&claims[0][..3], ["=HYPERLINK(\"x\")", "@evil", "+s1"]);
}

/// In a build without the `parquet` feature, `--format parquet` is not listed in the help, and asking for
/// it is a usage error (exit status 2) that names the feature, before anything is read or written.
#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_is_a_usage_error_naming_it() {
    let wd = small_workdir("no-parquet");
    let stderr = wd.output_err(&mut score_with(&wd, &[("--format", "parquet")]), 2);
    assert!(stderr.contains("built without the `parquet` feature") && stderr.contains("--features parquet"));
    assert!(wd.list("out").is_empty(), "{:?}", wd.list("out"));
    let help = wd.output(wd.command("score").arg("--help"));
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[possible values: csv, json, jsonl]"), "{help}");
}
