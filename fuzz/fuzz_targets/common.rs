//! What every parser target checks, shared by the targets that `#[path]` it in.
//!
//! The invariant: a file read gives either an error (a missing column, an empty file, a bad row under
//! `strict`) or a load in which every data row is scored, rejected with a reason or set aside as later
//! than `as_of`: `read == scored + rejected + later` for every file, `rejected` equal to the rejects that
//! name the file, one mention per scored claim; the model then scores the corpus, and the second pass over
//! the claims file (claims.csv) gives one row per scored claim. No input may panic or hang.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use credence::ingest::{Inputs, LoadOptions, Loaded, Tally};

/// A folder for this process's input files, made once (a fuzz target runs one input at a time).
pub fn dir() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder"))
}

/// Writes `bytes` to `name` in [`dir`].
pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir().path().join(name);
    std::fs::write(&path, bytes).expect("the temporary folder is writable");
    path
}

/// Reading options picked by one byte of the input: the smallest or the default block size, strict or
/// not, and with or without an `as_of` cut (2025-06-30T23:59:59Z).
pub fn options(b: u8) -> LoadOptions {
    LoadOptions {
        strict: b & 1 != 0,
        block_size: if b & 2 != 0 {
            1024
        } else {
            LoadOptions::default().block_size
        },
        as_of: (b & 4 != 0).then_some(1_751_327_999),
        keep_times: b & 8 != 0,
    }
}

/// A claims file naming stories `s1`..`s3`, for the targets that fuzz the other two files.
pub const CLAIMS: &[u8] = b"claim_id,source,published_at,story_id,stance,attributed_to\n\
c1,Wire,2025-06-01,s1,asserts,\n\
c2,Post,2025-06-02,s1,denies,\n\
c3,Herald,2025-06-03,s2,asserts,Wire\n\
c4,Post,2025-07-04,s3,asserts,\n";

fn check_tally(t: &Tally, loaded: &Loaded) {
    assert_eq!(t.read, t.scored + t.rejected + t.later, "{t:?}");
    let named = loaded.rejects.iter().filter(|r| r.file == t.file).count() as u64;
    assert_eq!(named, t.rejected, "{t:?}");
}

/// Loads `inputs` and checks the invariant (see the module's doc).
pub fn load_and_check(inputs: &Inputs, opts: LoadOptions) {
    let Ok(loaded) = credence::ingest::load(inputs, opts) else {
        return;
    };
    check_tally(&loaded.claims, &loaded);
    for t in loaded.responses.iter().chain(&loaded.resolutions) {
        check_tally(t, &loaded);
    }
    assert_eq!(loaded.corpus.mentions.len() as u64, loaded.claims.scored);
    let Ok(scores) = credence::model::score(&loaded.corpus, &credence::model::Params::default()) else {
        return;
    };
    let mut out = Vec::new();
    credence::report::write_claims_csv(&loaded, &scores, &mut out).expect("writing to memory");
    let rows = csv::Reader::from_reader(&out[..]).records().count() as u64;
    assert_eq!(rows, loaded.claims.scored, "claims.csv rows");
}
