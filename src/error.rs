//! The one error type of the crate.
//!
//! Data errors carry what went wrong and where: the file, the line (from 1, counting the header as line 1),
//! the column and the offending value. Usage errors (bad option values) are [`Error::Config`]. The binary
//! maps every variant to exit status 1; clap's own usage errors exit with 2 before any of this runs.

use std::fmt;
use std::path::PathBuf;

/// Everything that can stop a run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The CSV reader failed in a way that is not about one row (an I/O error mid-file).
    #[error("{path}:{}: {source}", line.map(|l| l.to_string()).unwrap_or_else(|| "?".into()))]
    Csv {
        /// The file.
        path: PathBuf,
        /// The line, where the reader knew it.
        line: Option<u64>,
        /// The reader's error.
        source: csv::Error,
    },
    /// A file has no header row at all.
    #[error("{path}: the file is empty; expected a header row with the columns {expected}")]
    EmptyFile {
        /// The file.
        path: PathBuf,
        /// The required columns, comma-separated.
        expected: String,
    },
    /// A required column is missing from a header.
    #[error("{path}:1: missing required column `{column}` (found: {found})")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: String,
        /// The columns the header does have, comma-separated.
        found: String,
    },
    /// A header that is one field holding the required columns separated by another character (a
    /// semicolon, a tab, a bar): the file is not comma-separated, and naming the missing column alone would
    /// not say why.
    #[error(
        "{path}:1: the header `{header}` separates its columns with {delimiter}, but credence reads \
         comma-separated files (RFC 4180); save or export the file as CSV with commas"
    )]
    OtherDelimiter {
        /// The file.
        path: PathBuf,
        /// The delimiter found, named (`';'`, `tabs`, `'|'`).
        delimiter: String,
        /// The header as read, escaped and cut short.
        header: String,
    },
    /// A header names the same column twice, so which one to read is ambiguous.
    #[error("{path}:1: column `{column}` appears twice in the header (columns {first} and {second})")]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        column: String,
        /// Its first position, from 1.
        first: usize,
        /// Its second position, from 1.
        second: usize,
    },
    /// A bad row met in `--strict` mode; outside strict mode it would have been a reject.
    #[error("{0}")]
    BadRow(RowProblem),
    /// A file of a scoring run's output folder (read back by `credence report` and `credence explain`) is
    /// garbled: a value credence would not have written, a missing column, bad JSON.
    #[error("{0}")]
    BadOutput(RowProblem),
    /// `credence explain` was asked about a source that the run does not hold.
    #[error("{run}: no source named {name:?}{}", did_you_mean(suggestions))]
    UnknownSource {
        /// The run folder.
        run: PathBuf,
        /// The name asked for.
        name: String,
        /// The run's closest names, best first (may be empty).
        suggestions: Vec<String>,
    },
    /// `credence merge --claims` names a file that no partial given to the merge was made from.
    #[error(
        "{path}: no partial given to merge was made from this file (they were made from {known}); give each \
         shard's claims file by the name it was scored under, or the same file by another path"
    )]
    UnpairedClaims {
        /// The file as given to `--claims`.
        path: PathBuf,
        /// The claims files the partials were made from, comma-separated.
        known: String,
    },
    /// `credence merge --claims` names one shard's claims file twice, which would write its claims twice.
    #[error("{path}: given twice to --claims (as {first} and {second})")]
    DuplicateClaims {
        /// The claims file as its partial names it.
        path: String,
        /// The first and second spellings given.
        first: PathBuf,
        /// See `first`.
        second: PathBuf,
    },
    /// `credence merge --claims` gives the claims files of some shards but not all: `claims.csv` would miss
    /// the others' claims while `summary.json` counts them.
    #[error(
        "--claims gives the claims files of {given} of the {partials} partials; claims.csv needs every \
         shard's claims file (or none: the other outputs are then written without it). Missing: {missing}"
    )]
    MissingClaims {
        /// Files given.
        given: usize,
        /// Partials merged.
        partials: usize,
        /// The missing claims files, each with the partial made from it, comma-separated.
        missing: String,
    },
    /// `credence merge --claims`: two shards' claims files hold the same claim id. Each shard's run
    /// accepted its own row, so the partials count both claims; one run over all the files would refuse
    /// the second as a duplicate.
    #[error(
        "{second}:{second_line}: claim_id {id:?} is also at {first}:{first_line}, in another shard; each \
         shard accepted its own row, so the partials count the claim twice, where one run over all the files \
         would refuse the second as a duplicate. Remove one of the two rows and score its shard again"
    )]
    SharedClaimId {
        /// The id.
        id: String,
        /// The file of its first row, as given to `--claims`, and the row's line.
        first: PathBuf,
        /// See `first`.
        first_line: u64,
        /// The file of its second row and the row's line.
        second: PathBuf,
        /// See `second`.
        second_line: u64,
    },
    /// An option value out of its range.
    #[error("{0}")]
    Config(String),
    /// Options that do not fit together: a usage error, exit status 2.
    #[error("{0}")]
    Usage(String),
}

/// The tail of an unknown-name message: "; did you mean ...?" or nothing.
fn did_you_mean(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("; did you mean {one:?}?"),
        more => {
            let quoted: Vec<String> = more.iter().map(|n| format!("{n:?}")).collect();
            format!("; did you mean one of {}?", quoted.join(", "))
        }
    }
}

/// One row that cannot be scored: where it is and why.
///
/// The same value is written to `rejects.csv` or, in strict mode, raised as [`Error::BadRow`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowProblem {
    /// The file, as the user named it.
    pub file: String,
    /// The line the row starts on, from 1 (the header is line 1).
    pub line: u64,
    /// The column at fault, where one is.
    pub column: Option<String>,
    /// The offending value, where one is (cut to 200 characters).
    pub value: Option<String>,
    /// Why the row was not scored.
    pub reason: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:", self.file, self.line)?;
        if let Some(c) = &self.column {
            write!(f, " column `{c}`:")?;
        }
        write!(f, " {}", self.reason)?;
        if let Some(v) = &self.value {
            write!(f, " (value: {v:?})")?;
        }
        Ok(())
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
