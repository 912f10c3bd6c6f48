// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

//! A per-test working folder and a runner for the real `credence` binary, after xsv's `tests/workdir.rs`.
//!
//! Each test gets its own [`Workdir`] (a fresh temporary folder, removed when the test ends), writes its
//! inputs there and runs the binary with that folder as its current directory, so file names in outputs
//! and messages are the short relative names the test chose. Every runner that expects an outcome
//! (success, a given exit status) panics with the command, the exit status, stdout and stderr when the
//! outcome differs, so a failing test says what was run and what the program said.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub mod planted;

/// The folder of checked-in fixtures, `tests/data`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("data")
}

/// A temporary folder for one test.
pub struct Workdir {
    name: String,
    dir: tempfile::TempDir,
}

impl Workdir {
    /// A fresh, empty folder; `name` (the test's name) prefixes it, so a kept or listed folder is findable.
    pub fn new(name: &str) -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix(&format!("credence-{name}-"))
            .tempdir()
            .expect("a temporary folder can be created");
        Workdir {
            name: name.to_owned(),
            dir,
        }
    }

    /// The absolute path of `rel` inside the folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes `contents` to `rel`, creating parent folders.
    pub fn create(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// Copies `tests/data/<fixture>/<file>` to `<file>` in the folder.
    pub fn copy_fixture(&self, fixture: &str, file: &str) {
        let from = data_dir().join(fixture).join(file);
        let bytes = fs::read(&from).unwrap_or_else(|e| panic!("reading {}: {e}", from.display()));
        self.create(file, bytes);
    }

    /// The bytes of `rel`.
    pub fn read(&self, rel: &str) -> Vec<u8> {
        let path = self.path(rel);
        fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "[{}] reading {}: {e}\nfiles there: {:?}",
                self.name,
                path.display(),
                self.list(Path::new(rel).parent().and_then(Path::to_str).unwrap_or(""))
            )
        })
    }

    /// The text of `rel`.
    pub fn read_string(&self, rel: &str) -> String {
        String::from_utf8(self.read(rel)).unwrap_or_else(|e| panic!("{rel} is not UTF-8: {e}"))
    }

    /// `rel` parsed as JSON.
    pub fn read_json(&self, rel: &str) -> serde_json::Value {
        let text = self.read_string(rel);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}\n{text}"))
    }

    /// The fitted prior mean of group `group` in the run `run`'s `summary.json`.
    pub fn group_prior_mean(&self, run: &str, group: &str) -> f64 {
        let summary = self.read_json(&format!("{run}/summary.json"));
        let groups = summary["group_priors"].as_array().unwrap();
        let found = groups.iter().find(|g| g["group"] == group);
        found.unwrap_or_else(|| panic!("no group {group} in {groups:?}"))["prior"]["mean"]
            .as_f64()
            .unwrap()
    }

    /// `rel` parsed as CSV: its header and its rows, all as text.
    pub fn read_csv(&self, rel: &str) -> (Vec<String>, Vec<Vec<String>>) {
        parse_csv(&self.read(rel), rel)
    }

    /// Each source's original claims in the `credence gen` folder `dir` (no attribution, not a silent
    /// copy), counted against the hidden truth: (correct, all).
    pub fn counted_originals(&self, dir: &str) -> std::collections::HashMap<String, (f64, f64)> {
        let mut counted: std::collections::HashMap<String, (f64, f64)> = std::collections::HashMap::new();
        for (c, t) in self
            .read_csv_maps(&format!("{dir}/claims.csv"))
            .into_iter()
            .zip(self.read_csv_maps(&format!("{dir}/truth_claims.csv")))
        {
            assert_eq!(c["claim_id"], t["claim_id"]);
            if c["attributed_to"].is_empty() && t["copy_of"].is_empty() {
                let e = counted.entry(c["source"].clone()).or_default();
                e.0 += t["correct"].parse::<f64>().unwrap();
                e.1 += 1.0;
            }
        }
        counted
    }

    /// `rel` parsed as CSV, each row as a map from column name to value.
    pub fn read_csv_maps(&self, rel: &str) -> Vec<BTreeMap<String, String>> {
        let (header, rows) = self.read_csv(rel);
        rows.into_iter()
            .map(|r| header.iter().cloned().zip(r).collect())
            .collect()
    }

    /// The names of the entries of the folder `rel` (`""` for the work folder itself), sorted; empty if
    /// it does not exist.
    pub fn list(&self, rel: &str) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.path(rel)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Every file of the folder `rel`, by name, with its bytes.
    pub fn snapshot(&self, rel: &str) -> BTreeMap<String, Vec<u8>> {
        self.list(rel)
            .into_iter()
            .map(|n| {
                let bytes = self.read(&Path::new(rel).join(&n).to_string_lossy());
                (n, bytes)
            })
            .collect()
    }

    /// `credence <subcommand>`, run in this folder, with `RAYON_NUM_THREADS` cleared so the caller's shell
    /// does not leak in.
    pub fn command(&self, subcommand: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_credence"));
        cmd.current_dir(self.dir.path())
            .env_remove("RAYON_NUM_THREADS")
            .arg(subcommand);
        cmd
    }

    /// Runs `cmd` with empty standard input and returns whatever happened.
    pub fn run(&self, cmd: &mut Command) -> Output {
        self.run_with_stdin(cmd, b"")
    }

    /// Runs `cmd` with `stdin` as its standard input and returns whatever happened.
    pub fn run_with_stdin(&self, cmd: &mut Command, stdin: &[u8]) -> Output {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("[{}] could not start {cmd:?}: {e}", self.name));
        {
            let mut pipe = child.stdin.take().expect("stdin was piped");
            // The program may exit before reading everything (an error); a broken pipe is its answer, not ours.
            let _ = pipe.write_all(stdin);
        }
        child.wait_with_output().unwrap()
    }

    /// Runs `cmd` and panics, showing everything, unless it exits with status 0.
    pub fn output(&self, cmd: &mut Command) -> Output {
        let out = self.run(cmd);
        if !out.status.success() {
            panic!("{}", self.describe("expected success", cmd, &out));
        }
        out
    }

    /// Runs `cmd` and panics, showing everything, unless it exits with status `code`. Returns its stderr.
    pub fn output_err(&self, cmd: &mut Command, code: i32) -> String {
        let out = self.run(cmd);
        self.expect_exit(cmd, &out, code);
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// Panics, showing everything, unless `out` exited with status `code`.
    pub fn expect_exit(&self, cmd: &Command, out: &Output, code: i32) {
        if out.status.code() != Some(code) {
            panic!("{}", self.describe(&format!("expected exit status {code}"), cmd, out));
        }
    }

    /// A report of a run for a failure message: the test, the command with its folder and environment
    /// changes, the exit status, stdout and stderr.
    pub fn describe(&self, what: &str, cmd: &Command, out: &Output) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "\n[{}] {what}", self.name);
        let _ = writeln!(s, "folder:  {}", self.dir.path().display());
        let envs: Vec<String> = cmd
            .get_envs()
            .map(|(k, v)| match v {
                Some(v) => format!("{}={}", k.to_string_lossy(), v.to_string_lossy()),
                None => format!("-u {}", k.to_string_lossy()),
            })
            .collect();
        let args: Vec<String> = cmd.get_args().map(|a| shell_word(&a.to_string_lossy())).collect();
        let env = if envs.is_empty() {
            String::new()
        } else {
            format!("env {} ", envs.join(" "))
        };
        let _ = writeln!(s, "command: {env}credence {}", args.join(" "));
        let _ = writeln!(s, "status:  {}", out.status);
        let _ = writeln!(s, "--- stdout ---\n{}", String::from_utf8_lossy(&out.stdout));
        let _ = writeln!(s, "--- stderr ---\n{}", String::from_utf8_lossy(&out.stderr));
        s
    }
}

/// `word` quoted for a shell when it needs to be, so a printed command can be pasted.
fn shell_word(word: &str) -> String {
    if !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,".contains(c)) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// CSV bytes parsed: the header and the rows, all as text (rows may differ in length); panics naming
/// `name` if they are not valid CSV.
pub fn parse_csv(bytes: &[u8], name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header = rdr
        .headers()
        .unwrap_or_else(|e| panic!("{name}: bad header: {e}"))
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = rdr
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{name}: bad row: {e}"))
                .iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    (header, rows)
}
