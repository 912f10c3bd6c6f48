//! `credence score --format parquet` (feature `parquet`): the Parquet files hold exactly what the CSV files
//! hold, typed, read back by the parquet crate and, where Python has them, by DuckDB and polars.
//!
//! Run with `cargo test --release --features parquet --test parquet`. The DuckDB and polars checks print
//! "skipped" when `python3` cannot import both, unless `CREDENCE_REQUIRE_PYTHON=1` (as in `.ci/run`), which
//! makes that a failure.

#![cfg(feature = "parquet")]

mod common;

use std::process::Command;

use common::Workdir;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

/// A work folder with the `small` fixture's inputs.
fn small_workdir(name: &str) -> Workdir {
    let wd = Workdir::new(name);
    for f in ["claims.csv", "responses.csv", "resolutions.csv"] {
        wd.copy_fixture("small", f);
    }
    wd
}

/// Runs `credence score` on the work folder's three inputs into `out`, with `flags` added.
fn score(wd: &Workdir, out: &str, flags: &[&str]) {
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
        "--quiet",
    ])
    .args(flags);
    wd.output(&mut cmd);
}

/// A Parquet value as the CSV output prints it, and which type it had.
fn as_text(field: &Field) -> (String, &'static str) {
    match field {
        Field::Str(s) => (s.clone(), "string"),
        Field::ULong(n) => (n.to_string(), "u64"),
        Field::UInt(n) => (n.to_string(), "u32"),
        Field::Double(x) => (format!("{x:.6}"), "f64"),
        other => panic!("unexpected Parquet value {other:?}"),
    }
}

/// The Parquet file `rel` read with the parquet crate: its column names, each column's type, and its rows
/// as the CSV would print them. Also checks that every double is exactly the number its text says.
fn read_parquet(wd: &Workdir, rel: &str) -> (Vec<String>, Vec<&'static str>, Vec<Vec<String>>) {
    let reader = SerializedFileReader::new(std::fs::File::open(wd.path(rel)).unwrap())
        .unwrap_or_else(|e| panic!("{rel}: not a Parquet file: {e}"));
    let names: Vec<String> = reader
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    let mut types = Vec::new();
    let mut rows = Vec::new();
    for row in reader.get_row_iter(None).unwrap() {
        let row = row.unwrap_or_else(|e| panic!("{rel}: bad row: {e}"));
        let mut texts = Vec::new();
        types.clear();
        for (_, field) in row.get_column_iter() {
            let (text, kind) = as_text(field);
            if let Field::Double(x) = field {
                assert_eq!(
                    text.parse::<f64>().unwrap().to_bits(),
                    x.to_bits(),
                    "{rel}: {x} is not {text}"
                );
            }
            texts.push(text);
            types.push(kind);
        }
        rows.push(texts);
    }
    (names, types, rows)
}

/// The types `sources.parquet` must have, in column order.
const SOURCE_TYPES: [&str; 14] = [
    "string", "u64", "u64", "u64", "u64", "u64", "u64", "f64", "f64", "f64", "f64", "f64", "f64", "u32",
];

#[test]
fn parquet_tables_hold_what_the_csv_tables_hold() {
    let wd = small_workdir("parquet-roundtrip");
    score(&wd, "csv", &[]);
    score(&wd, "pq", &["--format", "parquet"]);
    assert_eq!(
        wd.list("pq"),
        [
            "claims.parquet",
            "rejects.csv",
            "responders.csv",
            "sources.parquet",
            "stories.csv",
            "summary.json"
        ]
    );
    for (table, types) in [("sources", Some(&SOURCE_TYPES[..])), ("claims", None)] {
        let (csv_header, csv_rows) = wd.read_csv(&format!("csv/{table}.csv"));
        let (names, got_types, rows) = read_parquet(&wd, &format!("pq/{table}.parquet"));
        assert_eq!(names, csv_header, "{table}: columns");
        assert_eq!(rows, csv_rows, "{table}: values");
        assert!(!rows.is_empty(), "{table}: no rows");
        match types {
            Some(t) => assert_eq!(got_types, t, "{table}: types"),
            None => assert_eq!(got_types[..7], ["string"; 7], "{table}: types"),
        }
    }
    for same in ["responders.csv", "rejects.csv"] {
        assert_eq!(
            wd.read(&format!("csv/{same}")),
            wd.read(&format!("pq/{same}")),
            "{same}"
        );
    }
    let outputs = &wd.read_json("pq/summary.json")["outputs"];
    assert_eq!(outputs[0], "sources.parquet");
    assert_eq!(outputs[1], "claims.parquet");
}

#[test]
fn parquet_bytes_do_not_depend_on_threads_or_block_size() {
    let wd = small_workdir("parquet-deterministic");
    score(&wd, "one", &["--format", "parquet", "--threads", "1"]);
    score(
        &wd,
        "two",
        &["--format", "parquet", "--threads", "2", "--chunk-size", "1024"],
    );
    for f in ["sources.parquet", "claims.parquet"] {
        assert_eq!(wd.read(&format!("one/{f}")), wd.read(&format!("two/{f}")), "{f}");
    }
}

#[test]
fn a_csv_run_replaces_the_parquet_files_of_an_earlier_run() {
    let wd = small_workdir("parquet-replaced");
    score(&wd, "out", &["--format", "parquet"]);
    score(&wd, "out", &[]);
    assert_eq!(
        wd.list("out"),
        [
            "claims.csv",
            "rejects.csv",
            "responders.csv",
            "sources.csv",
            "stories.csv",
            "summary.json"
        ]
    );
}

#[test]
fn text_that_looks_like_a_formula_is_written_as_it_came() {
    let wd = Workdir::new("parquet-formula");
    wd.create(
        "claims.csv",
        "claim_id,source,published_at,story_id,stance\n=1+1,@Wire,2025-06-23,-s,asserts\n",
    );
    wd.create("responses.csv", "response_id,story_id,responder,responded_at,verdict\n");
    wd.create("resolutions.csv", "story_id,outcome,resolved_at\n");
    score(&wd, "out", &["--format", "parquet"]);
    let (_, _, claims) = read_parquet(&wd, "out/claims.parquet");
    assert_eq!(claims[0][..3], ["=1+1", "@Wire", "-s"]);
    let (_, _, sources) = read_parquet(&wd, "out/sources.parquet");
    assert_eq!(sources[0][0], "@Wire");
}

/// Whether `python3` can import DuckDB and polars; when it cannot, a failure under
/// `CREDENCE_REQUIRE_PYTHON=1`, else `false` with "skipped" printed.
fn python_readers_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import duckdb, polars"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        let required = std::env::var_os("CREDENCE_REQUIRE_PYTHON").is_some_and(|v| v == "1");
        assert!(
            !required,
            "CREDENCE_REQUIRE_PYTHON=1 but `python3 -c 'import duckdb, polars'` fails (pip install duckdb polars)"
        );
        println!("skipped: python3 cannot import duckdb and polars");
    }
    ok
}

#[test]
fn duckdb_and_polars_read_the_same_values_with_their_types() {
    if !python_readers_available() {
        return;
    }
    let wd = small_workdir("parquet-python");
    score(&wd, "csv", &[]);
    score(&wd, "pq", &["--format", "parquet"]);
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parquet_read.py");
    // Each reader's names for text, unsigned 64-bit, double and unsigned 32-bit columns.
    let readers = [
        ("duckdb", ["VARCHAR", "UBIGINT", "DOUBLE", "UINTEGER"]),
        ("polars", ["String", "UInt64", "Float64", "UInt32"]),
    ];
    let mut expected_types = Vec::new();
    for (reader, [text, count, double, small]) in readers {
        let mut sources = vec![text];
        sources.extend([count; 6]);
        sources.extend([double; 6]);
        sources.push(small);
        let mut claims = vec![text; 7];
        claims.push(double);
        expected_types.push((reader, "sources", sources));
        expected_types.push((reader, "claims", claims));
    }
    for (reader, table, types) in expected_types {
        let back = format!("{reader}-{table}.csv");
        let mut cmd = Command::new("python3");
        cmd.current_dir(wd.path(""))
            .arg(&script)
            .args([reader, &format!("pq/{table}.parquet"), &back]);
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{reader} {table}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got_types: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .trim()
            .split(',')
            .map(str::to_owned)
            .collect();
        assert_eq!(got_types, types, "{reader} {table}: types");
        assert_eq!(
            wd.read_csv(&back),
            wd.read_csv(&format!("csv/{table}.csv")),
            "{reader} {table}: values"
        );
    }
}

#[test]
fn a_merge_writes_the_parquet_files_of_a_single_run() {
    let wd = small_workdir("parquet-merge");
    score(&wd, "single", &["--format", "parquet"]);
    let mut partial = wd.command("score");
    partial.args([
        "--claims",
        "claims.csv",
        "--responses",
        "responses.csv",
        "--resolutions",
        "resolutions.csv",
        "--partial",
        "p.json",
        "--quiet",
    ]);
    wd.output(&mut partial);
    let mut merge = wd.command("merge");
    merge.args([
        "p.json",
        "--claims",
        "claims.csv",
        "--out",
        "merged",
        "--format",
        "parquet",
        "--quiet",
    ]);
    wd.output(&mut merge);
    for f in ["sources.parquet", "claims.parquet"] {
        assert_eq!(wd.read(&format!("single/{f}")), wd.read(&format!("merged/{f}")), "{f}");
    }
}
