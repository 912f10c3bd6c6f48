//! Robustness: no input, however broken, makes credence panic or hang, and every data row is either scored or
//! rejected.
//!
//! * Property tests feed [`credence::score_files`] arbitrary bytes as the claims file, and "almost valid"
//!   files (valid rows with fields replaced by garbage) for all three inputs, at several block sizes. Every
//!   run must end, with a result or an error; a scored run must reconcile (`read == scored + rejected` per
//!   file, one `rejects.csv` row per rejected row, one `claims.csv` row per scored claim), write its outputs,
//!   and give the same bytes for every block size.
//! * Each input is also read whole by the csv crate, the reference: the tallies must count its records,
//!   rejects must name lines its records start on, and `claims.csv` must list exactly the claims that a plain
//!   row-by-row validation accepts.
//! * Hostile files (one 20 MB field, a 5 MB line without end, 200 000 rows, NUL bytes, bad UTF-8 in the
//!   header, an unterminated quote...) each give a clear error or rejects in bounded time.
//! * The same broken inputs through the binary: `--strict` exits 1 naming file and line and writes nothing;
//!   without it, exit 0.
//!
//! Inputs that broke the reader are kept at the end as regression tests, each named for what it checks.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::ops::Range;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::{Workdir, parse_csv};
use credence::error::RowProblem;
use credence::ingest::blocks::BlockReader;
use credence::ingest::{Inputs, LoadOptions, Tally, fields};
use credence::model::Params;
use credence::report::{self, Format};
use proptest::prelude::*;

const CLAIMS_HEADER: &[u8] = b"claim_id,source,published_at,story_id,stance,attributed_to\n";
const RESPONSES_HEADER: &[u8] = b"response_id,story_id,responder,responded_at,verdict\n";
const RESOLUTIONS_HEADER: &[u8] = b"story_id,outcome,resolved_at,resolver\n";

/// Small valid responses and resolutions, for tests about the claims file.
const RESPONSES: &[u8] = b"response_id,story_id,responder,responded_at,verdict\n\
r1,s1,Ministry,2025-01-02,confirmed\nr2,s2,Ministry,2025-01-03,denied\nr3,s3,Agency,2025-01-03,partial\n";
const RESOLUTIONS: &[u8] = b"story_id,outcome,resolved_at,resolver\ns1,true,2025-02-01,court\ns2,false,2025-02-02,\n";

/// The claims columns the reader validates, in its order.
const CLAIM_SPEC: [&str; 6] = [
    "claim_id",
    "source",
    "published_at",
    "story_id",
    "stance",
    "attributed_to",
];

/// Every input is read with each: the smallest block the reader allows, a small one, the default.
const BLOCK_SIZES: [usize; 3] = [1024, 4096, 8 << 20];

/// How long one run may take before it counts as a hang (release builds take well under a second).
const LIMIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------------------
// Running with a time limit.

/// Runs `f` on its own thread; panics if it has not returned after `limit`, and passes its panic on.
fn within<T: Send + 'static>(limit: Duration, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(RecvTimeoutError::Timeout) => panic!("{what}: still running after {limit:?} (a hang?)"),
        Err(RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => panic!("{what}: the worker ended without an answer"),
        },
    }
}

/// Runs the binary with empty standard input; kills it and panics if it runs longer than [`LIMIT`].
fn run_bounded(wd: &Workdir, cmd: &mut Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start {cmd:?}: {e}"));
    fn drain(mut pipe: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = pipe.read_to_end(&mut v);
            v
        })
    }
    let stdout = drain(child.stdout.take().expect("piped"));
    let stderr = drain(child.stderr.take().expect("piped"));
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting on the child") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let status = child.wait().expect("waiting on the killed child");
            let out = Output {
                status,
                stdout: Vec::new(),
                stderr: Vec::new(),
            };
            panic!("{}", wd.describe(&format!("still running after {LIMIT:?}"), cmd, &out));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

// ---------------------------------------------------------------------------------------------------------
// One case: three input files, scored at every block size, every output checked.

/// The three input files of one case.
#[derive(Clone)]
struct Files {
    claims: Vec<u8>,
    responses: Vec<u8>,
    resolutions: Vec<u8>,
}

/// Shows the files as byte strings, so a failing case can be pasted into a test.
impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Files")
            .field("claims", &Bytes(self.claims.clone()))
            .field("responses", &Bytes(self.responses.clone()))
            .field("resolutions", &Bytes(self.resolutions.clone()))
            .finish()
    }
}

/// Bytes shown as a byte string literal.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

impl Files {
    /// `claims` with the small valid responses and resolutions.
    fn with_claims(claims: Vec<u8>) -> Files {
        Files {
            claims,
            responses: RESPONSES.to_vec(),
            resolutions: RESOLUTIONS.to_vec(),
        }
    }

    /// Writes the files into `dir` as `claims.csv`, `responses.csv` and `resolutions.csv`.
    fn write(&self, dir: &Path) -> Inputs {
        let p = |n: &str| dir.join(n);
        fs::write(p("claims.csv"), &self.claims).unwrap();
        fs::write(p("responses.csv"), &self.responses).unwrap();
        fs::write(p("resolutions.csv"), &self.resolutions).unwrap();
        Inputs {
            claims: p("claims.csv"),
            responses: Some(p("responses.csv")),
            resolutions: Some(p("resolutions.csv")),
        }
    }
}

/// What a scored run gave: compared across block sizes.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// Claims, responses, resolutions.
    tallies: Vec<Tally>,
    rejects: Vec<RowProblem>,
    sources_csv: Vec<u8>,
    claims_csv: Vec<u8>,
    rejects_csv: Vec<u8>,
    summary_json: Vec<u8>,
}

/// Scores the inputs with `block_size`, writes the outputs into `dir/out-<block_size>` and checks what holds
/// whatever the input: tallies reconcile, `rejects.csv` lists every reject, `claims.csv` every scored claim.
fn run_once(dir: &Path, inputs: &Inputs, block_size: usize) -> Result<Outcome, String> {
    let load = LoadOptions {
        block_size,
        ..LoadOptions::default()
    };
    let run = credence::score_files(inputs, load, &Params::default()).map_err(|e| e.to_string())?;
    let out = dir.join(format!("out-{block_size}"));
    report::write_all(&out, &run.loaded, &run.scores, Format::Csv)
        .unwrap_or_else(|e| panic!("writing the outputs of a scored run: {e}"));
    let loaded = &run.loaded;
    let tallies = vec![
        loaded.claims.clone(),
        loaded.responses.clone().expect("a responses file was given"),
        loaded.resolutions.clone().expect("a resolutions file was given"),
    ];
    for t in &tallies {
        assert_eq!(t.read, t.scored + t.rejected, "read = scored + rejected: {t:?}");
        let lines: Vec<u64> = loaded
            .rejects
            .iter()
            .filter(|r| r.file == t.file)
            .map(|r| r.line)
            .collect();
        assert_eq!(
            lines.len() as u64,
            t.rejected,
            "one reject per rejected row of {}",
            t.file
        );
        assert!(lines.is_sorted(), "{}: rejects in line order: {lines:?}", t.file);
    }
    let rejected: u64 = tallies.iter().map(|t| t.rejected).sum();
    assert_eq!(loaded.rejects.len() as u64, rejected, "every reject belongs to a file");

    let read = |name: &str| fs::read(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let outcome = Outcome {
        tallies,
        rejects: loaded.rejects.clone(),
        sources_csv: read("sources.csv"),
        claims_csv: read("claims.csv"),
        rejects_csv: read("rejects.csv"),
        summary_json: read("summary.json"),
    };

    let (_, rows) = parse_csv(&outcome.rejects_csv, "rejects.csv");
    assert_eq!(rows.len(), loaded.rejects.len(), "rejects.csv has one row per reject");
    for (row, p) in rows.iter().zip(&loaded.rejects) {
        assert_eq!(
            (&row[0], &row[1]),
            (&p.file, &p.line.to_string()),
            "rejects.csv row {row:?}"
        );
    }
    let (header, rows) = parse_csv(&outcome.claims_csv, "claims.csv");
    assert_eq!(header, report::CLAIM_COLUMNS);
    assert_eq!(
        rows.len() as u64,
        loaded.claims.scored,
        "claims.csv has one row per scored claim"
    );
    assert!(
        rows.iter().all(|r| r.len() == header.len()),
        "claims.csv rows are whole"
    );
    let (header, rows) = parse_csv(&outcome.sources_csv, "sources.csv");
    assert_eq!(header, report::SOURCE_COLUMNS);
    assert_eq!(
        rows.len(),
        run.scores.sources.len(),
        "sources.csv has one row per source"
    );
    let summary: serde_json::Value = serde_json::from_slice(&outcome.summary_json).expect("summary.json is JSON");
    assert_eq!(summary["inputs"]["rejected"], rejected);
    for (k, f) in ["claims", "responses", "resolutions"].into_iter().enumerate() {
        let t = &summary["inputs"][f][0];
        let t = (&t["read"], &t["scored"], &t["rejected"]);
        let want = &outcome.tallies[k];
        assert_eq!(
            t,
            (&want.read.into(), &want.scored.into(), &want.rejected.into()),
            "{f}"
        );
    }
    Ok(outcome)
}

/// Scores `files` at every block size and checks every outcome against the others and against the reference
/// reading; returns the outcome of the first block size.
fn check_case(files: &Files) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().unwrap();
    let inputs = files.write(dir.path());
    let refs = [
        reference(&files.claims),
        reference(&files.responses),
        reference(&files.resolutions),
    ];
    let mut outcomes = Vec::new();
    for bs in BLOCK_SIZES {
        assert_cuts_between_records(&files.claims, &refs[0], bs);
        let (dir, inputs) = (dir.path().to_owned(), inputs.clone());
        let got = within(LIMIT, &format!("scoring with {bs}-byte blocks"), move || {
            run_once(&dir, &inputs, bs)
        });
        if let Ok(o) = &got {
            check_against_reference(files, &refs, o);
        }
        outcomes.push(got);
    }
    for (bs, o) in BLOCK_SIZES.iter().zip(&outcomes).skip(1) {
        assert_same(&outcomes[0], o, BLOCK_SIZES[0], *bs);
    }
    outcomes.into_iter().next().expect("at least one block size")
}

/// Panics, showing the first difference, unless two runs' outcomes are equal.
fn assert_same(a: &Result<Outcome, String>, b: &Result<Outcome, String>, bs_a: usize, bs_b: usize) {
    if a == b {
        return;
    }
    let show = |x: &[u8]| String::from_utf8_lossy(&x[..x.len().min(3000)]).into_owned();
    let what = match (a, b) {
        (Ok(a), Ok(b)) if a.tallies != b.tallies => format!("tallies\n{:?}\n{:?}", a.tallies, b.tallies),
        (Ok(a), Ok(b)) => [
            ("sources.csv", &a.sources_csv, &b.sources_csv),
            ("claims.csv", &a.claims_csv, &b.claims_csv),
            ("rejects.csv", &a.rejects_csv, &b.rejects_csv),
            ("summary.json", &a.summary_json, &b.summary_json),
        ]
        .into_iter()
        .find(|(_, x, y)| x != y)
        .map(|(n, x, y)| format!("{n}\n{}\n---\n{}", show(x), show(y)))
        .unwrap_or_default(),
        _ => format!("{a:?}\n{b:?}"),
    };
    panic!("blocks of {bs_a} and {bs_b} bytes give different results: {what}");
}

// ---------------------------------------------------------------------------------------------------------
// The reference: a file read whole by the csv crate, as the reader's configuration reads it.

/// One record of a file read whole: where it starts and ends, its line, its fields.
struct Record {
    start: usize,
    end: usize,
    line: u64,
    fields: Vec<Vec<u8>>,
}

/// The line breaks of `bytes[range]`: each `\n`, and each `\r` not followed by `\n` (the csv crate ends a
/// record at either, so a line is what a record can start on).
fn line_breaks(bytes: &[u8], range: Range<usize>) -> u64 {
    range
        .filter(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count() as u64
}

/// Every record of `bytes`, the header first, as the csv crate reads the whole file.
fn reference(bytes: &[u8]) -> Vec<Record> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut out = Vec::new();
    let (mut line, mut counted) = (1, 0);
    while rdr.read_byte_record(&mut record).expect("reading from memory") {
        let mut start = record.position().expect("a record read has a position").byte() as usize;
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        line += line_breaks(bytes, counted..start);
        counted = start;
        out.push(Record {
            start,
            end: rdr.position().byte() as usize,
            line,
            fields: record.iter().map(<[u8]>::to_vec).collect(),
        });
    }
    out
}

/// The number of lines of `bytes`: its line breaks, plus a last line without one.
fn total_lines(bytes: &[u8]) -> u64 {
    line_breaks(bytes, 0..bytes.len()) + u64::from(bytes.last().is_some_and(|&b| b != b'\n' && b != b'\r'))
}

/// Where the blocks [`BlockReader`] cuts `bytes` into end, but the last; checks that they put together are
/// the input.
fn block_ends(bytes: &[u8], block_size: usize) -> Vec<usize> {
    let mut reader = BlockReader::new(bytes, block_size);
    let (mut at, mut ends, mut whole) = (0, Vec::new(), Vec::new());
    while let Some(block) = reader.next_block().expect("reading from memory") {
        at += block.len();
        ends.push(at);
        whole.extend_from_slice(&block);
    }
    assert!(
        whole == bytes,
        "blocks of {block_size} bytes put together are not the input"
    );
    ends.pop();
    ends
}

/// Checks that every block of `bytes` ends between two records of the reference.
fn assert_cuts_between_records(bytes: &[u8], records: &[Record], block_size: usize) {
    for c in block_ends(bytes, block_size) {
        let k = records.partition_point(|r| r.start < c);
        assert!(
            k == 0 || records[k - 1].end <= c,
            "a block of {block_size} bytes ends at byte {c}, inside the record at bytes {}..{}",
            records[k - 1].start,
            records[k - 1].end
        );
    }
}

/// The position of each claims column in `header`, as the reader resolves it (BOM and spaces ignored, the
/// first of repeated names).
fn claim_columns(header: &[Vec<u8>]) -> Vec<Option<usize>> {
    let names: Vec<String> = header
        .iter()
        .map(|h| {
            let h = String::from_utf8_lossy(h);
            h.trim_start_matches('\u{feff}').trim().to_owned()
        })
        .collect();
    CLAIM_SPEC.iter().map(|c| names.iter().position(|n| n == c)).collect()
}

/// The claims a plain row-by-row validation of the reference accepts, in order, and the lines of the records
/// it refuses.
fn expected_claims(records: &[Record]) -> (Vec<String>, Vec<u64>) {
    let (header, rows) = records.split_first().expect("a scored file has a header");
    let index = claim_columns(&header.fields);
    let mut seen = HashSet::new();
    let (mut ids, mut lines) = (Vec::new(), Vec::new());
    for r in rows {
        let text = |k: usize| match index[k] {
            Some(i) => std::str::from_utf8(&r.fields[i]).ok().map(str::trim),
            None => Some(""),
        };
        let filled = |k: usize| text(k).filter(|s| !s.is_empty());
        let valid = r.fields.len() == header.fields.len()
            && filled(1).is_some()
            && filled(2).and_then(fields::time).is_some()
            && filled(3).is_some()
            && text(4).and_then(fields::stance).is_some()
            && text(5).is_some();
        match if valid { filled(0) } else { None } {
            // claims.csv neutralises text a spreadsheet would run as a formula.
            Some(id) if seen.insert(id.to_owned()) => ids.push(credence::report::cell(id).into_owned()),
            _ => lines.push(r.line),
        }
    }
    (ids, lines)
}

/// Checks an outcome against the reference readings of its inputs.
fn check_against_reference(files: &Files, refs: &[Vec<Record>; 3], o: &Outcome) {
    let inputs = [&files.claims, &files.responses, &files.resolutions];
    for ((bytes, records), tally) in inputs.iter().zip(refs).zip(&o.tallies) {
        let lines = total_lines(bytes);
        let starts: HashSet<u64> = records.iter().skip(1).map(|r| r.line).collect();
        for r in o.rejects.iter().filter(|r| r.file == tally.file) {
            assert!(r.line >= 1, "lines count from 1: {r}");
            assert!(
                r.line <= lines,
                "{}: a reject at line {} of {lines}: {r}",
                tally.file,
                r.line
            );
            assert!(starts.contains(&r.line), "no data record starts at the line of {r}");
        }
        assert_eq!(
            tally.read,
            records.len() as u64 - 1,
            "{}: rows read = the csv crate's records less the header",
            tally.file
        );
    }
    let (_, claims) = parse_csv(&o.claims_csv, "claims.csv");
    let (want_ids, mut want_lines) = expected_claims(&refs[0]);
    let ids: Vec<&String> = claims.iter().map(|r| &r[0]).collect();
    assert_eq!(
        ids,
        want_ids.iter().collect::<Vec<_>>(),
        "claims.csv lists the accepted claims"
    );
    let mut lines: Vec<u64> = o
        .rejects
        .iter()
        .filter(|r| r.file == o.tallies[0].file)
        .map(|r| r.line)
        .collect();
    lines.sort_unstable();
    want_lines.sort_unstable();
    assert_eq!(lines, want_lines, "the claims rejected are the records refused");
    // Each outlet's claim count in sources.csv is its number of rows in claims.csv.
    let mut per_source: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &claims {
        *per_source.entry(&r[1]).or_default() += 1;
    }
    let (_, sources) = parse_csv(&o.sources_csv, "sources.csv");
    let listed: HashSet<&str> = sources.iter().map(|s| s[0].as_str()).collect();
    for s in &sources {
        let n = per_source.get(s[0].as_str()).copied().unwrap_or(0);
        assert_eq!(s[1], n.to_string(), "claims of {:?}", s[0]);
    }
    assert!(
        per_source.keys().all(|s| listed.contains(s)),
        "every claim's source is listed"
    );
}

// ---------------------------------------------------------------------------------------------------------
// Generators.

/// `cases` cases (or `PROPTEST_CASES`, for a longer search), no regression files (a failure found is kept
/// here as a named test instead).
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    // A fixed seed, so CI runs the same cases every time (set PROPTEST_RNG_SEED to explore others).
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_125);
    ProptestConfig {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        ..ProptestConfig::default()
    }
}

/// Bytes for a claims file: anything at all, or a soup of CSV structure, names, dates and odd bytes.
fn claims_bytes() -> impl Strategy<Value = Bytes> {
    let token = prop_oneof![
        4 => any::<u8>().prop_map(|b| vec![b]),
        3 => Just(b",".to_vec()),
        3 => Just(b"\n".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"\r".to_vec()),
        2 => Just(b"\"".to_vec()),
        1 => Just(b"2025-01-01".to_vec()),
        1 => Just(b"asserts".to_vec()),
        1 => Just(b"denies".to_vec()),
        1 => Just(b"s1".to_vec()),
        1 => Just(b"Wire".to_vec()),
        1 => Just("\u{feff}".as_bytes().to_vec()),
        1 => Just(vec![0]),
        1 => Just(vec![0xff]),
        1 => (0u32..30).prop_map(|n| format!("c{n}").into_bytes()),
        2 => (0u32..30).prop_map(|n| format!("c{n},Wire,2025-01-01,s1,asserts,\n").into_bytes()),
    ];
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..4096),
        prop::collection::vec(token, 0..800).prop_map(|t| t.concat()),
    ]
    .prop_map(Bytes)
}

/// A field value that may spoil a row. The mild ones keep every quote where RFC 4180 puts it; `hostile` adds
/// bare carriage returns, quotes that close a field early or end an unquoted one, unterminated quotes and any
/// bytes at all.
fn garbage(hostile: bool) -> BoxedStrategy<Vec<u8>> {
    let mild = prop_oneof![
        Just(Vec::new()),
        Just(b"   ".to_vec()),
        Just("ünïcødé ☃ 𝄞 نص".as_bytes().to_vec()),
        Just(b"\"quoted, with a comma\"".to_vec()),
        Just(b"\"two\nlines\"".to_vec()),
        Just(b"\"crlf\r\ninside\"".to_vec()),
        Just(b"\"esc\"\"aped\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b"5\" screen".to_vec()),
        Just(vec![0xff, 0xfe, b'a']),
        Just(vec![b'a', 0xc3]),
        Just("mid\u{feff}bom".as_bytes().to_vec()),
        Just(b"nul\0byte".to_vec()),
        Just(b"c0".to_vec()),
        Just(b"2025-02-30".to_vec()),
        (1usize..4000).prop_map(|n| b"L".repeat(n)),
        // Any bytes but quotes and carriage returns (commas and line feeds change the row's shape).
        prop::collection::vec(
            any::<u8>().prop_map(|b| if b == b'"' || b == b'\r' { b'?' } else { b }),
            0..16
        ),
    ];
    if !hostile {
        return mild.boxed();
    }
    prop_oneof![
        4 => mild,
        1 => prop_oneof![
            Just(b"a\rb".to_vec()),
            Just(b"5\"".to_vec()),
            Just(b"x\",".to_vec()),
            Just(b"\"closed\"tail".to_vec()),
            Just(b"\"unterminated".to_vec()),
            Just("\u{feff}bom first".as_bytes().to_vec()),
            prop::collection::vec(any::<u8>(), 0..16),
        ],
    ]
    .boxed()
}

/// A line end: LF, CRLF, or with `hostile`, a bare CR.
fn line_end(hostile: bool) -> BoxedStrategy<&'static [u8]> {
    if hostile {
        prop_oneof![6 => Just(&b"\n"[..]), 2 => Just(&b"\r\n"[..]), 1 => Just(&b"\r"[..])].boxed()
    } else {
        prop_oneof![3 => Just(&b"\n"[..]), 1 => Just(&b"\r\n"[..])].boxed()
    }
}

/// How a row's shape is spoiled.
#[derive(Debug, Clone)]
enum Shape {
    Keep,
    DropLast,
    Extra(Vec<u8>),
    BlankBefore,
}

/// A row: a valid template with up to two fields replaced by garbage and maybe its shape spoiled.
fn row(template: BoxedStrategy<Vec<Vec<u8>>>, hostile: bool) -> impl Strategy<Value = Vec<u8>> {
    let edits = prop_oneof![
        3 => Just(Vec::new()),
        1 => prop::collection::vec((0usize..8, garbage(hostile)), 1..3),
    ];
    let shape = prop_oneof![
        8 => Just(Shape::Keep),
        1 => Just(Shape::DropLast),
        1 => garbage(hostile).prop_map(Shape::Extra),
        1 => Just(Shape::BlankBefore),
    ];
    (template, edits, shape, line_end(hostile)).prop_map(|(mut fields, edits, shape, end)| {
        for (i, g) in edits {
            let n = fields.len();
            fields[i % n] = g;
        }
        let mut out = Vec::new();
        match shape {
            Shape::Keep => {}
            Shape::DropLast => {
                fields.pop();
            }
            Shape::Extra(g) => fields.push(g),
            Shape::BlankBefore => out.extend_from_slice(end),
        }
        out.extend(fields.join(&b","[..]));
        out.extend_from_slice(end);
        out
    })
}

/// A table: `header` (maybe after a BOM, maybe CRLF-ended), then rows, the last maybe without a line end.
fn table(
    header: &'static [u8],
    rows: impl Strategy<Value = Vec<u8>> + 'static,
    n: Range<usize>,
) -> BoxedStrategy<Vec<u8>> {
    (
        prop::collection::vec(rows, n),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(rows, bom, crlf, open_end)| {
            let mut out = Vec::new();
            if bom {
                out.extend_from_slice("\u{feff}".as_bytes());
            }
            out.extend_from_slice(&header[..header.len() - 1]);
            out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
            let body = out.len();
            for r in rows {
                out.extend(r);
            }
            while open_end && out.len() > body && matches!(out.last(), Some(b'\n' | b'\r')) {
                out.pop();
            }
            out
        })
        .boxed()
}

const DATES: &[&str] = &[
    "2025-01-01",
    "2025-06-23T14:05:00Z",
    "2025-06-23T17:05:00+03:00",
    "2025-06-23 14:05:00",
];

fn pick(values: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop::sample::select(values).prop_map(|s| s.as_bytes().to_vec())
}

fn claim_template() -> BoxedStrategy<Vec<Vec<u8>>> {
    (
        (0u32..150).prop_map(|n| format!("c{n}").into_bytes()),
        pick(&["Wire", "Post", "Daily Courier", " Spaced "]),
        pick(DATES),
        pick(&["s1", "s2", "s3", "s4"]),
        pick(&["asserts", "denies", "", "DENIES"]),
        pick(&["", "", "Wire", "Elsewhere"]),
    )
        .prop_map(|(a, b, c, d, e, f)| vec![a, b, c, d, e, f])
        .boxed()
}

fn response_template() -> BoxedStrategy<Vec<Vec<u8>>> {
    (
        (0u32..40).prop_map(|n| format!("r{n}").into_bytes()),
        pick(&["s1", "s2", "s3", "s4", "s9"]),
        pick(&["Ministry", "Agency", "Court"]),
        pick(DATES),
        pick(&["confirmed", "denied", "partial", "no_comment", "No Comment"]),
    )
        .prop_map(|(a, b, c, d, e)| vec![a, b, c, d, e])
        .boxed()
}

fn resolution_template() -> BoxedStrategy<Vec<Vec<u8>>> {
    (
        pick(&["s1", "s2", "s3", "s4", "s5"]),
        pick(&["true", "false", "mixed"]),
        pick(DATES),
        pick(&["", "court", "audit"]),
    )
        .prop_map(|(a, b, c, d)| vec![a, b, c, d])
        .boxed()
}

/// Three almost valid files.
fn almost_valid(hostile: bool) -> impl Strategy<Value = Files> {
    (
        table(CLAIMS_HEADER, row(claim_template(), hostile), 0..80),
        table(RESPONSES_HEADER, row(response_template(), hostile), 0..25),
        table(RESOLUTIONS_HEADER, row(resolution_template(), hostile), 0..10),
    )
        .prop_map(|(claims, responses, resolutions)| Files {
            claims,
            responses,
            resolutions,
        })
}

// ---------------------------------------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(config(64))]

    /// Any bytes as the claims file, after a valid header or not: a result or an error, never a panic; a
    /// scored run reconciles and reads the same at every block size.
    #[test]
    fn arbitrary_claims_bytes_are_scored_or_refused(body in claims_bytes(), with_header in any::<bool>()) {
        let mut claims = if with_header { CLAIMS_HEADER.to_vec() } else { Vec::new() };
        claims.extend(body.0);
        let got = check_case(&Files::with_claims(claims));
        prop_assert!(!with_header || got.is_ok(), "a valid header, yet {got:?}");
    }

    /// Almost valid files, every quote in its place and LF or CRLF line ends: every check, including the
    /// reference's list of accepted claims and the same bytes at every block size.
    #[test]
    fn almost_valid_files_are_scored_or_rejected_row_by_row(files in almost_valid(false)) {
        let got = check_case(&files);
        prop_assert!(got.is_ok(), "valid headers, yet {got:?}");
    }

    /// Almost valid files with bare carriage returns, stray and unterminated quotes and any bytes: never a
    /// panic, always reconciled, every check as above.
    #[test]
    fn hostile_rows_are_scored_or_rejected_and_reconcile(files in almost_valid(true)) {
        let got = check_case(&files);
        prop_assert!(got.is_ok(), "valid headers, yet {got:?}");
    }
}

proptest! {
    #![proptest_config(config(24))]

    /// Through the binary: without `--strict`, exit 0 with reconciled tallies; with it, exit 1 at the first
    /// reject (file and line named, nothing written), or the same outputs when nothing was rejected.
    #[test]
    fn strict_stops_at_the_first_reject_of_a_lenient_run(files in almost_valid(true)) {
        let wd = Workdir::new("robust-strict");
        wd.create("claims.csv", &files.claims);
        wd.create("responses.csv", &files.responses);
        wd.create("resolutions.csv", &files.resolutions);
        let mut cmd = score_cmd(&wd, "out", false);
        let lenient = run_bounded(&wd, &mut cmd);
        wd.expect_exit(&cmd, &lenient, 0);
        let summary = wd.read_json("out/summary.json");
        for f in ["claims", "responses", "resolutions"] {
            let t = &summary["inputs"][f][0];
            let n = |k: &str| t[k].as_u64().unwrap();
            prop_assert_eq!(n("read"), n("scored") + n("rejected"), "{}: {}", f, t);
        }
        let rejects = wd.read_csv_maps("out/rejects.csv");
        prop_assert_eq!(summary["inputs"]["rejected"].as_u64(), Some(rejects.len() as u64));

        let mut cmd = score_cmd(&wd, "strict-out", true);
        let strict = run_bounded(&wd, &mut cmd);
        match rejects.first() {
            Some(first) => {
                wd.expect_exit(&cmd, &strict, 1);
                let stderr = String::from_utf8_lossy(&strict.stderr);
                let at = format!("credence: error: {}:{}:", first["file"], first["line"]);
                prop_assert!(stderr.starts_with(&at), "stderr should start with {}: {}", at, stderr);
                prop_assert!(wd.list("strict-out").is_empty(), "nothing written: {:?}", wd.list("strict-out"));
            }
            None => {
                wd.expect_exit(&cmd, &strict, 0);
                prop_assert!(wd.snapshot("strict-out") == wd.snapshot("out"), "strict and lenient runs differ");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Hostile inputs, one at a time.

/// `rows` under the claims header, each ended by a line feed.
fn claims_file(rows: &[&str]) -> Vec<u8> {
    let mut out = CLAIMS_HEADER.to_vec();
    for r in rows {
        out.extend_from_slice(r.as_bytes());
        out.push(b'\n');
    }
    out
}

/// Runs `check_case` in full and returns the scored outcome, panicking on an error.
fn scored(files: &Files) -> Outcome {
    check_case(files).unwrap_or_else(|e| panic!("expected a scored run, got: {e}"))
}

/// Runs `check_case` and returns the error, panicking if the run scored.
fn refused(files: &Files) -> String {
    match check_case(files) {
        Ok(o) => panic!("expected an error, got a run with tallies {:?}", o.tallies),
        Err(e) => e,
    }
}

/// The rejects of a file as (line, reason).
fn rejects_of<'a>(o: &'a Outcome, file: &str) -> Vec<(u64, &'a str)> {
    o.rejects
        .iter()
        .filter(|r| Path::new(&r.file).file_name().is_some_and(|n| n == file))
        .map(|r| (r.line, r.reason.as_str()))
        .collect()
}

fn counts(t: &Tally) -> (u64, u64, u64) {
    (t.read, t.scored, t.rejected)
}

/// A claims file whose second row holds one quoted field of `size` bytes of text lines, followed by a valid
/// row and a row with no source; returns it with the line of that last row.
fn giant_quoted_field(size: usize) -> (Vec<u8>, u64) {
    let line = "a line of quoted text, with a comma and a \"\"quote\"\"\n";
    let lines = size / line.len();
    let mut out = b"claim_id,source,published_at,story_id,stance,text\nc1,Wire,2025-01-01,s1,asserts,\"".to_vec();
    out.extend_from_slice(line.repeat(lines).as_bytes());
    out.extend_from_slice(b"\"\nc2,Post,2025-01-02,s2,denies,short\nc3,,2025-01-02,s2,denies,no source\n");
    (out, 2 + lines as u64 + 2)
}

/// A claims file whose last line is `size` bytes long and has no line feed: a valid row (`valid`) or one
/// field of letters.
fn endless_line(size: usize, valid: bool) -> Vec<u8> {
    let mut out = claims_file(&["c1,Wire,2025-01-01,s1,asserts,"]);
    if valid {
        out.extend_from_slice(b"c2,Post,2025-01-01,s1,denies,");
    }
    out.extend(std::iter::repeat_n(b'x', size));
    out
}

/// `n` valid claims, all by one outlet.
fn one_source_rows(n: usize) -> Vec<u8> {
    let mut out = CLAIMS_HEADER.to_vec();
    for i in 0..n {
        let stance = if i % 3 == 0 { "denies" } else { "asserts" };
        out.extend_from_slice(format!("c{i},Wire,2025-01-01,s{},{stance},\n", i % 50).as_bytes());
    }
    out
}

/// A claims file with NUL bytes in a source (valid text), in a date, as a whole line, and in an unread
/// column's name; the date is on line 4.
fn nul_bytes() -> Vec<u8> {
    b"claim_id,source,published_at,story_id,stance,no\0te\n\
c1,Wire,2025-01-01,s1,asserts,\0\n\
c2,Wi\0re,2025-01-01,s1,asserts,x\n\
c3,Post,2025-\0-01,s1,asserts,x\n\
\0\0\0\0\n\
c4,Post,2025-01-01,s\0,denies,x\n"
        .to_vec()
}

/// A valid row, then a row whose quote is never closed: it runs to the end of the file, taking the next row
/// with it.
fn unterminated_quote() -> Vec<u8> {
    claims_file(&[
        "c1,Wire,2025-01-01,s1,asserts,",
        "c2,\"Wire,2025-01-01,s1,asserts,",
        "c3,Post,2025-01-01,s1,denies,",
    ])
}

#[test]
fn a_header_alone_scores_nothing() {
    for header in [
        CLAIMS_HEADER,
        &CLAIMS_HEADER[..CLAIMS_HEADER.len() - 1],
        &b"\xef\xbb\xbfclaim_id,source,published_at,story_id,stance\r\n\r\n\n"[..],
    ] {
        let o = scored(&Files::with_claims(header.to_vec()));
        assert_eq!(counts(&o.tallies[0]), (0, 0, 0));
        assert_eq!(parse_csv(&o.sources_csv, "sources.csv").1.len(), 0);
        assert_eq!(parse_csv(&o.claims_csv, "claims.csv").1.len(), 0);
        // Responses and resolutions name stories no claim has: all rejected, none lost.
        assert_eq!(counts(&o.tallies[1]), (3, 0, 3));
    }
}

#[test]
fn empty_and_blank_files_are_errors() {
    for claims in [&b""[..], b"\n\n\r\n", b"\xef\xbb\xbf"] {
        let e = refused(&Files::with_claims(claims.to_vec()));
        assert!(
            e.contains("claims.csv") && (e.contains("empty") || e.contains("missing")),
            "{claims:?}: {e}"
        );
    }
    let mut files = Files::with_claims(claims_file(&["c1,Wire,2025-01-01,s1,asserts,"]));
    files.resolutions = b"\r\n".to_vec();
    let e = refused(&files);
    assert!(e.contains("resolutions.csv") && e.contains("empty"), "{e}");
}

#[test]
fn a_repeated_required_column_is_an_error_naming_it() {
    let files = Files::with_claims(
        b"claim_id,source,published_at,story_id,stance,source\nc1,A,2025-01-01,s,asserts,B\n".to_vec(),
    );
    let e = refused(&files);
    assert!(
        e.contains("claims.csv:1:") && e.contains("`source`") && e.contains("twice"),
        "{e}"
    );
    let mut files = Files::with_claims(claims_file(&["c1,Wire,2025-01-01,s1,asserts,"]));
    files.responses = b"response_id,story_id,responder,responded_at,verdict,verdict\n".to_vec();
    let e = refused(&files);
    assert!(e.contains("responses.csv:1:") && e.contains("`verdict`"), "{e}");
}

#[test]
fn a_20_mb_quoted_field_with_line_breaks_is_read_as_one_field() {
    let (claims, last) = giant_quoted_field(20 << 20);
    let started = Instant::now();
    let o = scored(&Files::with_claims(claims));
    assert_eq!(counts(&o.tallies[0]), (3, 2, 1));
    assert_eq!(
        rejects_of(&o, "claims.csv"),
        [(last, "empty value")],
        "the row after the field"
    );
    let ids: Vec<String> = parse_csv(&o.claims_csv, "claims.csv")
        .1
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(ids, ["c1", "c2"]);
    eprintln!("20 MB field, three block sizes: {:?}", started.elapsed());
}

#[test]
fn a_5_mb_line_without_a_line_feed_is_one_row() {
    let o = scored(&Files::with_claims(endless_line(5 << 20, true)));
    assert_eq!(counts(&o.tallies[0]), (2, 2, 0));
    let o = scored(&Files::with_claims(endless_line(5 << 20, false)));
    assert_eq!(counts(&o.tallies[0]), (2, 1, 1));
    let rejects = rejects_of(&o, "claims.csv");
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].0, 3);
    assert!(rejects[0].1.contains("fields"), "{rejects:?}");
}

#[test]
fn invalid_utf8_in_a_header() {
    // In a required column's name: that column is missing.
    let e = refused(&Files::with_claims(
        b"claim_id,sou\xffrce,published_at,story_id,stance\nc1,W,2025-01-01,s,asserts\n".to_vec(),
    ));
    assert!(
        e.contains("claims.csv:1:") && e.contains("missing required column `source`"),
        "{e}"
    );
    // In an unread column's name: ignored.
    let o = scored(&Files::with_claims(
        b"claim_id,source,published_at,story_id,stance,\xff\xfe\nc1,W,2025-01-01,s1,asserts,x\n".to_vec(),
    ));
    assert_eq!(counts(&o.tallies[0]), (1, 1, 0));
    // The same in the responses header.
    let mut files = Files::with_claims(claims_file(&["c1,Wire,2025-01-01,s1,asserts,"]));
    files.responses = b"response_id,story_id,responder,responded_at,verd\xc3\n".to_vec();
    let e = refused(&files);
    assert!(e.contains("responses.csv:1:") && e.contains("`verdict`"), "{e}");
}

#[test]
fn two_hundred_thousand_rows_of_one_source_score() {
    let started = Instant::now();
    let o = scored(&Files::with_claims(one_source_rows(200_000)));
    assert_eq!(counts(&o.tallies[0]), (200_000, 200_000, 0));
    let (_, sources) = parse_csv(&o.sources_csv, "sources.csv");
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert_eq!((sources[0][0].as_str(), sources[0][1].as_str()), ("Wire", "200000"));
    eprintln!("200 000 rows, three block sizes: {:?}", started.elapsed());
}

#[test]
fn an_unterminated_quote_at_the_end_of_the_file() {
    let o = scored(&Files::with_claims(unterminated_quote()));
    // c2's quoted field takes c3's line: two fields, rejected at c2's line; c3 is not a row of its own.
    assert_eq!(counts(&o.tallies[0]), (2, 1, 1));
    let rejects = rejects_of(&o, "claims.csv");
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].0, 3);
    assert!(
        rejects[0].1.contains("never closes") && rejects[0].1.contains("(1 more lines)"),
        "{rejects:?}"
    );
    // A quote opened in the last field and never closed: the field runs to the end and the row is whole.
    let o = scored(&Files::with_claims(claims_file(&[
        "c1,Wire,2025-01-01,s1,\"asserts,\"\"x",
    ])));
    assert_eq!(counts(&o.tallies[0]), (1, 0, 1));
    // A quote opened in a padded file, so the block reader must grow the last block to the end.
    let mut claims = one_source_rows(300);
    claims.extend_from_slice(b"c9999,\"Wire,2025-01-01,s1,asserts,\n");
    claims.extend(one_source_rows(300).into_iter().skip(CLAIMS_HEADER.len()));
    let o = scored(&Files::with_claims(claims));
    assert_eq!(counts(&o.tallies[0]), (301, 300, 1));
}

#[test]
fn nul_bytes_are_text_or_rejects() {
    let o = scored(&Files::with_claims(nul_bytes()));
    assert_eq!(counts(&o.tallies[0]), (5, 3, 2));
    let lines: Vec<u64> = rejects_of(&o, "claims.csv").iter().map(|r| r.0).collect();
    assert_eq!(lines, [4, 5]);
    // A file of NUL bytes only has no usable header.
    let e = refused(&Files::with_claims(vec![0; 64 << 10]));
    assert!(
        e.contains("claims.csv:1:") && e.contains("missing required column"),
        "{e}"
    );
}

#[test]
fn invalid_utf8_and_garbage_lines_in_every_file_are_rejects() {
    let files = Files {
        claims: claims_file(&[
            "c1,Wire,2025-01-01,s1,asserts,",
            "c2,\u{1F600}\u{fffd},2025-01-01,s2,denies,",
        ])
        .into_iter()
        .chain(*b"c3,\xff\xfe,2025-01-01,s1,asserts,\n\xc3\x28\n")
        .collect(),
        responses: [RESPONSES, b"r4,s1,\xe2\x82,2025-01-02,confirmed\n,,,,\n\n\n\xff\n"].concat(),
        resolutions: [RESOLUTIONS, b"s3,true,2025-02-03,\xff\nmixed\n"].concat(),
    };
    let o = scored(&files);
    assert_eq!(counts(&o.tallies[0]), (4, 2, 2));
    // r3's story s3 has no claim: rejected too.
    assert_eq!(counts(&o.tallies[1]), (6, 2, 4));
    assert_eq!(counts(&o.tallies[2]), (4, 2, 2));
    assert_eq!(
        rejects_of(&o, "responses.csv").iter().map(|r| r.0).collect::<Vec<_>>(),
        [4, 5, 6, 9]
    );
}

#[test]
fn corrupt_compressed_inputs_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let valid = claims_file(&["c1,Wire,2025-01-01,s1,asserts,", "c2,Post,2025-01-01,s1,denies,"]);
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut e, &valid.repeat(50)).unwrap();
        e.finish().unwrap()
    };
    let zst = zstd::encode_all(&valid.repeat(50)[..], 3).unwrap();
    let cases: [(&str, Vec<u8>); 4] = [
        ("garbage.csv.gz", b"not gzip at all\n".to_vec()),
        ("truncated.csv.gz", gz[..gz.len() / 2].to_vec()),
        ("garbage.csv.zst", b"not zstd at all\n".to_vec()),
        ("truncated.csv.zst", zst[..zst.len() / 2].to_vec()),
    ];
    for (name, bytes) in cases {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let inputs = Inputs {
            claims: path,
            responses: None,
            resolutions: None,
        };
        let got = within(LIMIT, name, move || {
            credence::score_files(&inputs, LoadOptions::default(), &Params::default()).map(|_| ())
        });
        let e = got.expect_err(name).to_string();
        assert!(e.contains(name), "{name}: {e}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// The same broken inputs through the binary.

/// `credence score` on the work folder's three files into `out`, quietly, maybe `--strict`.
fn score_cmd(wd: &Workdir, out: &str, strict: bool) -> Command {
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
    ]);
    if strict {
        cmd.arg("--strict");
    }
    cmd
}

/// What the binary must do with a broken input.
enum Expect {
    /// Nothing rejected: exit 0 with or without `--strict`, the same outputs.
    Clean,
    /// Rows rejected: exit 0; with `--strict`, exit 1 with a message starting with this `file:line:`.
    BadRow(String),
    /// The file refused as a whole: exit 1 either way, with a message holding this.
    FileError(&'static str),
}

#[test]
fn broken_inputs_through_the_binary() {
    let (giant, giant_line) = giant_quoted_field(20 << 20);
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        ("header-only", CLAIMS_HEADER.to_vec(), Expect::Clean),
        (
            "duplicate-column",
            b"claim_id,source,published_at,story_id,stance,stance\n".to_vec(),
            Expect::FileError("claims.csv:1: column `stance` appears twice"),
        ),
        (
            "giant-field",
            giant,
            Expect::BadRow(format!("claims.csv:{giant_line}:")),
        ),
        ("endless-valid-line", endless_line(5 << 20, true), Expect::Clean),
        (
            "endless-garbage-line",
            endless_line(5 << 20, false),
            Expect::BadRow("claims.csv:3:".into()),
        ),
        (
            "bad-utf8-header",
            b"claim_id,sou\xffrce,published_at,story_id,stance\n".to_vec(),
            Expect::FileError("claims.csv:1: missing required column `source`"),
        ),
        ("many-rows", one_source_rows(200_000), Expect::Clean),
        (
            "unterminated-quote",
            unterminated_quote(),
            Expect::BadRow("claims.csv:3:".into()),
        ),
        ("nul-bytes", nul_bytes(), Expect::BadRow("claims.csv:4:".into())),
        (
            "nul-only",
            vec![0; 4096],
            Expect::FileError("claims.csv:1: missing required column"),
        ),
        ("empty", Vec::new(), Expect::FileError("claims.csv: the file is empty")),
    ];
    for (name, claims, expect) in cases {
        let wd = Workdir::new(&format!("robust-{name}"));
        wd.create("claims.csv", claims);
        // Headers only, so that nothing but the claims can be rejected.
        wd.create("responses.csv", RESPONSES_HEADER);
        wd.create("resolutions.csv", RESOLUTIONS_HEADER);
        let mut lenient = score_cmd(&wd, "out", false);
        let got = run_bounded(&wd, &mut lenient);
        let mut strict = score_cmd(&wd, "strict-out", true);
        let got_strict = run_bounded(&wd, &mut strict);
        let stderr = String::from_utf8_lossy(&got_strict.stderr).into_owned();
        match expect {
            Expect::Clean => {
                wd.expect_exit(&lenient, &got, 0);
                wd.expect_exit(&strict, &got_strict, 0);
                assert!(
                    wd.snapshot("out") == wd.snapshot("strict-out"),
                    "{name}: strict and lenient differ"
                );
                assert_eq!(wd.read_csv("out/rejects.csv").1.len(), 0, "{name}");
            }
            Expect::BadRow(at) => {
                wd.expect_exit(&lenient, &got, 0);
                assert!(!wd.read_csv("out/rejects.csv").1.is_empty(), "{name}: rejects written");
                wd.expect_exit(&strict, &got_strict, 1);
                assert!(
                    stderr.starts_with(&format!("credence: error: {at}")),
                    "{name}: {stderr}"
                );
                assert_eq!(stderr.lines().count(), 1, "{name}: one line: {stderr}");
                assert!(wd.list("strict-out").is_empty(), "{name}: nothing written");
            }
            Expect::FileError(what) => {
                wd.expect_exit(&lenient, &got, 1);
                wd.expect_exit(&strict, &got_strict, 1);
                for (run, out) in [(&got, "out"), (&got_strict, "strict-out")] {
                    let stderr = String::from_utf8_lossy(&run.stderr);
                    assert!(stderr.contains(what), "{name}: should say {what:?}: {stderr}");
                    assert!(wd.list(out).is_empty(), "{name}: nothing written to {out}");
                }
            }
        }
        let stray: Vec<String> = wd.list("").into_iter().filter(|n| n.starts_with('.')).collect();
        assert!(stray.is_empty(), "{name}: temporary files left: {stray:?}");
    }
}

#[test]
fn broken_responses_and_resolutions_through_the_binary() {
    let claims = claims_file(&[
        "c1,Wire,2025-01-01,s1,asserts,",
        "c2,Post,2025-01-01,s2,denies,",
        "c3,Post,2025-01-01,s3,denies,",
    ]);
    let cases: [(&str, &str, Vec<u8>, &str); 3] = [
        (
            "responses",
            "responses.csv",
            [RESPONSES, b"r4,s1,X,2025-01-02,maybe\n"].concat(),
            "responses.csv:5:",
        ),
        (
            "resolutions",
            "resolutions.csv",
            [RESOLUTIONS, b"s1,\"true\n"].concat(),
            "resolutions.csv:4:",
        ),
        (
            "nul-resolutions",
            "resolutions.csv",
            [RESOLUTIONS, b"\0\0\0\n"].concat(),
            "resolutions.csv:4:",
        ),
    ];
    for (name, file, bytes, at) in cases {
        let wd = Workdir::new(&format!("robust-{name}"));
        wd.create("claims.csv", &claims);
        wd.create("responses.csv", RESPONSES);
        wd.create("resolutions.csv", RESOLUTIONS);
        wd.create(file, bytes);
        let mut lenient = score_cmd(&wd, "out", false);
        let got = run_bounded(&wd, &mut lenient);
        wd.expect_exit(&lenient, &got, 0);
        let mut strict = score_cmd(&wd, "strict-out", true);
        let got = run_bounded(&wd, &mut strict);
        wd.expect_exit(&strict, &got, 1);
        let stderr = String::from_utf8_lossy(&got.stderr);
        assert!(
            stderr.starts_with(&format!("credence: error: {at}")),
            "{name}: {stderr}"
        );
        assert!(wd.list("strict-out").is_empty(), "{name}: nothing written");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Regressions: inputs that broke the reader before d366466; then the bugs still open, each with a minimal
// input (they fail today: remove the `ignore` once fixed).

/// Scores `files` with `block_size` into `dir`.
fn score_in(dir: &Path, files: &Files, block_size: usize) -> Outcome {
    let inputs = files.write(dir);
    run_once(dir, &inputs, block_size).unwrap_or_else(|e| panic!("{e}"))
}

/// A claims file in which a quote ends an unquoted field (`5"`, "five inches") and a later quoted field
/// holds a line break that falls in the first 1024 bytes. A cutter that counted quotes took the stray quote
/// for an opening one, took that line break for a record's end and cut the record in two.
fn stray_quote_file() -> Vec<u8> {
    let mut claims = b"claim_id,source,published_at,story_id,stance,text\nc0,Wire,2025-01-01,s1,asserts,5\"\n".to_vec();
    let mut i = 1;
    while claims.len() < 900 {
        claims.extend_from_slice(format!("c{i},Wire,2025-01-01,s1,asserts,x\n").as_bytes());
        i += 1;
    }
    let open = b"cq,Post,2025-01-01,s1,denies,\"";
    let pad = 1024 - claims.len() - open.len() - 5;
    claims.extend_from_slice(open);
    claims.extend(std::iter::repeat_n(b'a', pad));
    claims.extend_from_slice(b"\nbbbb\nc_in,Post,2025-01-01,s1,denies,\"\ncz,Daily,2025-01-01,s2,asserts,x\n");
    claims
}

#[test]
fn a_stray_quote_at_a_field_end_reads_the_same_at_every_block_size() {
    let claims = stray_quote_file();
    assert_cuts_between_records(&claims, &reference(&claims), 1024);
    let dir = tempfile::tempdir().unwrap();
    let files = Files::with_claims(claims);
    let small = score_in(dir.path(), &files, 1024);
    let whole = score_in(dir.path(), &files, 8 << 20);
    assert_same(&Ok(small), &Ok(whole), 1024, 8 << 20);
    scored(&files);
}

#[test]
fn block_cuts_after_stray_quotes_fall_between_records() {
    // `a,5"`, then a quoted field whose first line break is the last one in the first 1024 bytes.
    let mut bytes = b"a,5\"\n\"".to_vec();
    bytes.extend(std::iter::repeat_n(b'b', 1000));
    bytes.extend_from_slice(b"\nbbb\"\n");
    bytes.extend(std::iter::repeat_n(b'c', 100));
    assert_cuts_between_records(&bytes, &reference(&bytes), 1024);
    // `"closed"tail`: the csv crate reads `closedtail`; its second quote closes the field.
    let mut bytes = b"\"closed\"tail,x\n\"".to_vec();
    bytes.extend(std::iter::repeat_n(b'b', 1000));
    bytes.extend_from_slice(b"\nbbb\"\n");
    bytes.extend(std::iter::repeat_n(b'c', 100));
    assert_cuts_between_records(&bytes, &reference(&bytes), 1024);
}

/// Rows ended by a bare CR: CR-only line ends (old Mac files), and one bare CR in an LF file.
const BARE_CR_CLAIMS: [&[u8]; 2] = [
    b"claim_id,source,published_at,story_id,stance\rc1,Wire,2025-01-01,s1,asserts\r\
c2,Post,not a date,s1,asserts\rc3,Daily,2025-01-01,s1,denies\r",
    b"claim_id,source,published_at,story_id,stance\nc1,Wire,2025-01-01,s1,asserts\rc2,Post,not a date,s1,asserts\n\
c3,Daily,2025-01-01,s1,denies\n",
];

/// The second pass told rows apart by line, and a bare CR did not count as one: `claims.csv` listed the
/// rejected c2 in place of c1.
#[test]
fn rows_ended_by_a_bare_cr_keep_their_own_rows_in_claims_csv() {
    for claims in BARE_CR_CLAIMS {
        let dir = tempfile::tempdir().unwrap();
        let o = score_in(dir.path(), &Files::with_claims(claims.to_vec()), 8 << 20);
        assert_eq!(counts(&o.tallies[0]), (3, 2, 1));
        let (_, rows) = parse_csv(&o.claims_csv, "claims.csv");
        let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(
            ids,
            ["c1", "c3"],
            "claims.csv:\n{}",
            String::from_utf8_lossy(&o.claims_csv)
        );
        scored(&Files::with_claims(claims.to_vec()));
    }
}

/// Every reject of a CR-only file was reported at line 1, the header's.
#[test]
fn a_bare_cr_counts_as_a_line_break_in_reject_lines() {
    for claims in BARE_CR_CLAIMS {
        let dir = tempfile::tempdir().unwrap();
        let o = score_in(dir.path(), &Files::with_claims(claims.to_vec()), 8 << 20);
        assert_eq!(
            rejects_of(&o, "claims.csv"),
            [(3, credence::ingest::fields::unparseable_time().as_str())]
        );
    }
}

#[test]
fn regression_a_bom_at_the_start_of_a_block_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    // The BOM line is line 2, a 1-field row; the quote on line 3 sends the block to the csv crate.
    let claims = b"claim_id,source,published_at,story_id,stance\n\xef\xbb\xbf\nc1,Wire,2025-01-01,s1,\"asserts\"\n";
    let o = score_in(dir.path(), &Files::with_claims(claims.to_vec()), 8 << 20);
    assert_eq!(
        counts(&o.tallies[0]),
        (2, 1, 1),
        "the BOM line is a row (it is without the quote)"
    );
    // A row that starts with a BOM keeps it (it does where it falls inside a block).
    let claims = "claim_id,source,published_at,story_id,stance\n\u{feff}c1,Wire,2025-01-01,s1,\"asserts\"\n";
    let o = score_in(dir.path(), &Files::with_claims(claims.into()), 8 << 20);
    let (_, rows) = parse_csv(&o.claims_csv, "claims.csv");
    assert_eq!(rows[0][0], "\u{feff}c1");
}

/// A claims file with quotes (so blocks are cut by the csv parser) whose byte 1024 is the CR of a CRLF, then
/// a row without a source; returns it with that row's line.
fn crlf_across_a_cut() -> (Vec<u8>, u64) {
    let mut claims = b"claim_id,source,published_at,story_id,stance\r\n".to_vec();
    let mut i = 0;
    while claims.len() < 980 {
        claims.extend_from_slice(format!("c{i},Wire,2025-01-01,s1,\"asserts\"\r\n").as_bytes());
        i += 1;
    }
    let pad = 1023 - claims.len() - "c,W,2025-01-01,s1,asserts,".len();
    claims.extend_from_slice(format!("c,W,2025-01-01,s1,asserts{}\r\n", " ".repeat(pad + 1)).as_bytes());
    assert_eq!(&claims[1023..1025], b"\r\n");
    let line = i as u64 + 3;
    claims.extend_from_slice(b"bad,,2025-01-01,s1,asserts\r\n");
    (claims, line)
}

/// Regression: a block could end after the CR of a CRLF whose LF had not been read yet, and the line break
/// was then counted twice. Blocks now never end there.
#[test]
fn regression_a_block_never_ends_between_the_cr_and_lf_of_a_crlf() {
    let (claims, line) = crlf_across_a_cut();
    assert!(!block_ends(&claims, 1024).contains(&1024), "a block ends after the CR");
    let dir = tempfile::tempdir().unwrap();
    let files = Files::with_claims(claims);
    for bs in [8 << 20, 1024] {
        let o = score_in(dir.path(), &files, bs);
        assert_eq!(
            rejects_of(&o, "claims.csv"),
            [(line, "empty value")],
            "blocks of {bs} bytes"
        );
    }
}

#[test]
fn regression_a_binary_file_gives_a_short_error_message() {
    let mut claims: Vec<u8> = (0..1u32 << 20).map(|i| b"x\x1b\x07\xff"[i as usize % 4]).collect();
    claims.extend_from_slice(b"\n");
    let e = refused(&Files::with_claims(claims));
    assert!(e.contains("missing required column `claim_id`"), "{}", &e[..200]);
    assert!(e.len() < 4096, "a {}-byte message", e.len());
    assert!(!e.chars().any(char::is_control), "control characters in the message");
}

#[test]
fn hostile_rows_pass_every_check() {
    proptest!(config(256), |(files in almost_valid(true))| {
        let got = check_case(&files);
        prop_assert!(got.is_ok(), "valid headers, yet {got:?}");
    });
}

/// Audit (session 23): a quote that never closes in the last column read every later line into that one
/// field, and the file's remaining rows were lost with no reject (4 claims in, "1 row read, 1 scored").
/// By the CSV rules they are one record; it is now refused, saying how many lines the field swallowed.
#[test]
fn an_unclosed_quote_in_the_last_column_is_refused_not_read_as_the_rest_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let claims = b"claim_id,source,published_at,story_id,stance,text\n\
        c1,A,2020-01-01,s0,asserts,\"x\nc2,B,2020-01-01,s0,asserts,x\nc3,C,2020-01-01,s1,asserts,y\n\
        c4,D,2020-01-01,s1,asserts,y\n";
    let o = score_in(dir.path(), &Files::with_claims(claims.to_vec()), 8 << 20);
    let rejects = rejects_of(&o, "claims.csv");
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!(rejects[0].0, 2);
    assert!(
        rejects[0]
            .1
            .starts_with("a quoted field opens in this row and never closes")
            && rejects[0].1.contains("(3 more lines)"),
        "{rejects:?}"
    );
    // Closed, the same quote spans the lines of one value, which is read.
    let closed = b"claim_id,source,published_at,story_id,stance,text\nc1,A,2020-01-01,s0,asserts,\"x\ny\"\n";
    let o = score_in(dir.path(), &Files::with_claims(closed.to_vec()), 8 << 20);
    assert!(rejects_of(&o, "claims.csv").is_empty());
}
