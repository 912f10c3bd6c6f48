//! JSON Lines in and out: the same corpus as JSON Lines scores exactly as its CSV form, bad lines are
//! rejected with their own line numbers, and `--format jsonl` writes the CSV's values.

mod common;

use std::io::Write as _;

use common::Workdir;

/// Writes `to` (JSON Lines) from the CSV `from`, one object per row, empty cells left out.
fn to_jsonl(wd: &Workdir, from: &std::path::Path, to: &str) {
    let mut r = csv::Reader::from_path(from).unwrap();
    let headers = r.headers().unwrap().clone();
    let mut out = String::new();
    for row in r.records() {
        let row = row.unwrap();
        let object: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .zip(row.iter())
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
            .collect();
        out.push_str(&serde_json::to_string(&object).unwrap());
        out.push('\n');
    }
    wd.create(to, out);
}

fn seed_path(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/seed")
        .join(file)
}

fn score(wd: &Workdir, ext: &str, out: &str, extra: &[&str]) {
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        &format!("claims.{ext}"),
        "--responses",
        &format!("responses.{ext}"),
        "--resolutions",
        &format!("resolutions.{ext}"),
        "--out",
        out,
        "-q",
    ])
    .args(extra);
    wd.output(&mut cmd);
}

#[test]
fn json_lines_score_exactly_as_csv() {
    let wd = Workdir::new("jsonl-same");
    for f in ["claims", "responses", "resolutions"] {
        wd.create(
            &format!("{f}.csv"),
            std::fs::read(seed_path(&format!("{f}.csv"))).unwrap(),
        );
        to_jsonl(&wd, &seed_path(&format!("{f}.csv")), &format!("{f}.jsonl"));
    }
    score(&wd, "csv", "from-csv", &[]);
    score(&wd, "jsonl", "from-jsonl", &["--chunk-size", "1024"]);
    for f in ["sources.csv", "claims.csv", "responders.csv", "rejects.csv"] {
        assert!(
            wd.read(&format!("from-csv/{f}")) == wd.read(&format!("from-jsonl/{f}")),
            "{f} differs"
        );
    }
    // Compressed JSON Lines too.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&wd.read("claims.jsonl")).unwrap();
    wd.create("c.jsonl.gz", gz.finish().unwrap());
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        "c.jsonl.gz",
        "--responses",
        "responses.jsonl",
        "--resolutions",
        "resolutions.jsonl",
        "--out",
        "gz",
        "-q",
    ]);
    wd.output(&mut cmd);
    assert_eq!(wd.read("gz/sources.csv"), wd.read("from-csv/sources.csv"));
}

#[test]
fn bad_json_lines_are_rejected_with_their_line() {
    let wd = Workdir::new("jsonl-bad");
    wd.create(
        "claims.jsonl",
        concat!(
            "{\"claim_id\":\"1\",\"source\":\"A\",\"published_at\":\"2025-01-01\",\"story_id\":\"s\",\"stance\":\"asserts\"}\n",
            "not json\n",
            "[1, 2]\n",
            "\n",
            "{\"claim_id\":\"2\",\"source\":[\"x\"],\"published_at\":\"2025-01-01\",\"story_id\":\"s\"}\n",
            "{\"claim_id\":3,\"source\":\"B\",\"published_at\":\"2025-01-01\",\"story_id\":\"s\",\"stance\":\"denies\",\"note\":{\"a\":1}}\n",
            "{\"claim_id\":\"4\",\"source\":\"C\",\"published_at\":\"soon\",\"story_id\":\"s\"}",
        ),
    );
    wd.create(
        "responses.jsonl",
        "{\"response_id\":\"r\",\"story_id\":\"s\",\"responder\":\"Office\",\"responded_at\":\"2025-01-02\",\"verdict\":\"denied\"}\n",
    );
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        "claims.jsonl",
        "--responses",
        "responses.jsonl",
        "--out",
        "o",
        "-q",
    ]);
    wd.output(&mut cmd);
    let rejects = wd.read_csv_maps("o/rejects.csv");
    let got: Vec<(&str, &str, &str)> = rejects
        .iter()
        .map(|r| (r["line"].as_str(), r["column"].as_str(), r["reason"].as_str()))
        .collect();
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!((got[0].0, got[0].1), ("2", ""));
    assert!(got[0].2.starts_with("invalid JSON at column 2"), "{got:?}");
    assert_eq!(got[1], ("3", "", "not a JSON object"));
    assert_eq!(got[2], ("5", "source", "expected a string, number or boolean"));
    // A JSON number is no time: the reason names the forms that are.
    assert_eq!((got[3].0, got[3].1), ("7", "published_at"));
    assert!(
        got[3]
            .2
            .starts_with("unparseable date: give YYYY-MM-DD or an RFC 3339 time such as 2025-03-01T08:00:00Z"),
        "{got:?}"
    );
    let summary = wd.read_json("o/summary.json");
    let t = &summary["inputs"]["claims"][0];
    assert_eq!(
        (t["read"].as_u64(), t["scored"].as_u64(), t["rejected"].as_u64()),
        (Some(6), Some(2), Some(4))
    );
    // A number is a valid id, and a key the table does not read is ignored.
    let claims = wd.read_csv_maps("o/claims.csv");
    assert_eq!(claims[1]["claim_id"], "3");

    let mut strict = wd.command("score");
    strict.args([
        "--claims",
        "claims.jsonl",
        "--responses",
        "responses.jsonl",
        "--out",
        "s",
        "--strict",
    ]);
    let err = wd.output_err(&mut strict, 1);
    assert!(err.contains("claims.jsonl:2") && err.contains("invalid JSON"), "{err}");
}

/// A line that gives a key twice is rejected, naming the key, and counted: before, serde_json's map kept
/// the last value, so `"story_id":"s","story_id":"t"` silently put claim 2 on story t. The tallies printed
/// and written still reconcile (read = scored + rejected), and `--strict` stops at the line.
#[test]
fn a_json_line_with_a_repeated_key_is_rejected() {
    let wd = Workdir::new("jsonl-repeated-key");
    let r = &one_of_three_rejected(
        &wd,
        concat!(
            "{\"claim_id\":\"1\",\"source\":\"A\",\"published_at\":\"2025-01-01\",\"story_id\":\"s\",\"stance\":\"asserts\"}\n",
            "{\"claim_id\":\"2\",\"source\":\"B\",\"published_at\":\"2025-01-01\",\"story_id\":\"s\",\"story_id\":\"t\",\"stance\":\"denies\"}\n",
            "{\"claim_id\":\"3\",\"source\":\"C\",\"published_at\":\"2025-01-01\",\"story_id\":\"s\",\"stance\":\"denies\"}\n",
        ),
    );
    assert_eq!(
        (r["file"].as_str(), r["line"].as_str(), r["column"].as_str()),
        ("claims.jsonl", "2", "story_id")
    );
    assert_eq!(
        r["reason"],
        "key \"story_id\" appears twice in the object; which of its values is meant is ambiguous"
    );
    let t = &wd.read_json("o/summary.json")["inputs"]["claims"][0];
    assert_eq!(
        (t["read"].as_u64(), t["scored"].as_u64(), t["rejected"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    let ids: Vec<String> = wd
        .read_csv_maps("o/claims.csv")
        .iter()
        .map(|c| c["claim_id"].clone())
        .collect();
    assert_eq!(ids, ["1", "3"]);

    let mut strict = wd.command("score");
    strict.args(["--claims", "claims.jsonl", "--out", "s", "--strict"]);
    let err = wd.output_err(&mut strict, 1);
    assert!(
        err.contains("claims.jsonl:2") && err.contains("key \"story_id\" appears twice"),
        "{err}"
    );
}

/// The first object decides whether claims carry a `value`. A later object that has one when the first
/// had none used to be scored as a plain claim with its value dropped; now it is a reject naming the key,
/// as an object without one is when the first has it.
#[test]
fn a_json_line_with_a_value_the_first_object_lacks_is_rejected() {
    let wd = Workdir::new("jsonl-undeclared-value");
    let r = &one_of_three_rejected(
        &wd,
        concat!(
            "{\"claim_id\":\"1\",\"source\":\"A\",\"published_at\":\"2025-01-01\",\"story_id\":\"s\",\"stance\":\"asserts\"}\n",
            "{\"claim_id\":\"2\",\"source\":\"B\",\"published_at\":\"2025-01-02\",\"story_id\":\"s\",\"value\":\"x\"}\n",
            "{\"claim_id\":\"3\",\"source\":\"C\",\"published_at\":\"2025-01-02\",\"story_id\":\"s\",\"stance\":\"denies\",\"value\":null}\n",
        ),
    );
    assert_eq!(
        (r["line"].as_str(), r["column"].as_str(), r["value"].as_str()),
        ("2", "value", "x")
    );
    assert!(r["reason"].contains("first object has no \"value\" key"), "{r:?}");
}

#[test]
fn jsonl_output_holds_the_csv_values() {
    let wd = Workdir::new("jsonl-out");
    for f in ["claims", "responses", "resolutions"] {
        wd.create(
            &format!("{f}.csv"),
            std::fs::read(seed_path(&format!("{f}.csv"))).unwrap(),
        );
    }
    score(&wd, "csv", "o", &[]);
    score(&wd, "csv", "o", &["--format", "jsonl"]);
    // The CSV tables of the first run gave way to the JSON Lines ones.
    assert!(!wd.path("o/sources.csv").exists() && !wd.path("o/claims.csv").exists());
    score(&wd, "csv", "csv", &[]);
    for (table, key) in [("sources", "source"), ("claims", "claim_id")] {
        let csv = wd.read_csv_maps(&format!("csv/{table}.csv"));
        let lines = wd.read_string(&format!("o/{table}.jsonl"));
        let objects: Vec<serde_json::Value> = lines.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(csv.len(), objects.len(), "{table}");
        for (row, object) in csv.iter().zip(&objects) {
            assert_eq!(row[key], object[key].as_str().unwrap());
            for (column, value) in row {
                let json = &object[column.as_str()];
                let same = match json {
                    serde_json::Value::String(s) => s == value,
                    serde_json::Value::Number(n) => (n.as_f64().unwrap() - value.parse::<f64>().unwrap()).abs() < 1e-9,
                    _ => false,
                };
                assert!(same, "{table} {column}: {json} vs {value}");
            }
        }
    }
    // The report reads CSV and JSON runs; a JSON Lines run gets a clear error, not a missing-file one.
    let err = wd.output_err(wd.command("report").arg("o"), 1);
    assert!(err.contains("sources.jsonl") && err.contains("--format csv"), "{err}");
    let summary = wd.read_json("o/summary.json");
    assert_eq!(summary["outputs"][0], "sources.jsonl");
    assert_eq!(summary["outputs"][1], "claims.jsonl");
}

#[test]
fn json_lines_with_values_score_exactly_as_csv() {
    let wd = Workdir::new("jsonl-values");
    let csv = common::data_dir().join("values/claims.csv");
    wd.create("claims.csv", std::fs::read(&csv).unwrap());
    to_jsonl(&wd, &csv, "claims.jsonl");
    for (input, out) in [("claims.csv", "a"), ("claims.jsonl", "b")] {
        let mut cmd = wd.command("score");
        cmd.args([
            "--claims",
            input,
            "--value-kind",
            "list",
            "--method",
            "em",
            "--out",
            out,
            "-q",
        ]);
        wd.output(&mut cmd);
    }
    for f in ["sources.csv", "claims.csv", "stories.csv"] {
        assert!(wd.read(&format!("a/{f}")) == wd.read(&format!("b/{f}")), "{f} differs");
    }
    // The same rows are rejected, at the same lines (the files differ by the header line) and for the same
    // reasons.
    let strip = |rows: Vec<std::collections::BTreeMap<String, String>>, shift: u64| -> Vec<(u64, String)> {
        rows.into_iter()
            .map(|r| (r["line"].parse::<u64>().unwrap() - shift, r["reason"].clone()))
            .collect()
    };
    let a = strip(wd.read_csv_maps("a/rejects.csv"), 1);
    assert!(!a.is_empty());
    assert_eq!(a, strip(wd.read_csv_maps("b/rejects.csv"), 0));
}

/// Scores `claims` as `claims.jsonl` into `o`, checks that one of its three lines was rejected (in the
/// printed counts and in `rejects.csv`) and returns that reject.
fn one_of_three_rejected(wd: &Workdir, claims: &str) -> std::collections::BTreeMap<String, String> {
    wd.create("claims.jsonl", claims);
    let mut cmd = wd.command("score");
    cmd.args(["--claims", "claims.jsonl", "--out", "o"]);
    let out = wd.output(&mut cmd);
    let printed = String::from_utf8_lossy(&out.stderr);
    assert!(
        printed.contains("claims.jsonl: 3 rows read, 2 scored, 1 rejected"),
        "{printed}"
    );
    let mut rejects = wd.read_csv_maps("o/rejects.csv");
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    rejects.remove(0)
}
