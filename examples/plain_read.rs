//! The plain-read ceiling for `benches/compare.sh`: the fastest straightforward read of credence's input CSV
//! files with the `csv` crate, and nothing else.
//!
//! Usage: `cargo run --release --example plain_read -- CLAIMS.csv RESPONSES.csv RESOLUTIONS.csv` (any number
//! of files). Each file is read with one `csv::Reader` and one reused `ByteRecord` (no UTF-8 validation, no
//! per-row allocation); the records, fields and field bytes are counted and printed so that the parse cannot
//! be optimised away.
//!
//! It is deliberately single-threaded and reads the files one after another: that is the honest plain read,
//! what any program pays just to get the rows in. `credence score` may use several threads, so on a
//! multi-core machine it can in principle be faster than this "ceiling"; the comparison says how much of
//! credence's time is reading at all.

use std::error::Error;
use std::process::ExitCode;

/// Counts of one file (or of all of them).
#[derive(Default, Clone, Copy)]
struct Counts {
    records: u64,
    fields: u64,
    bytes: u64,
}

/// Reads one CSV file (header row skipped) with a single reused `ByteRecord`.
fn read(path: &str) -> Result<Counts, Box<dyn Error>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .buffer_capacity(1 << 20)
        .from_path(path)?;
    let mut record = csv::ByteRecord::new();
    let mut counts = Counts::default();
    while reader.read_byte_record(&mut record)? {
        counts.records += 1;
        counts.fields += record.len() as u64;
        // The record's fields, unescaped and concatenated.
        counts.bytes += record.as_slice().len() as u64;
    }
    Ok(counts)
}

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: plain_read FILE.csv [FILE.csv ...]");
        return ExitCode::from(2);
    }
    let mut total = Counts::default();
    for path in &paths {
        match read(path) {
            Ok(c) => {
                println!(
                    "{path}: {} records, {} fields, {} field bytes",
                    c.records, c.fields, c.bytes
                );
                total.records += c.records;
                total.fields += c.fields;
                total.bytes += c.bytes;
            }
            Err(e) => {
                eprintln!("plain_read: {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!(
        "total: {} records, {} fields, {} field bytes",
        total.records, total.fields, total.bytes
    );
    ExitCode::SUCCESS
}
