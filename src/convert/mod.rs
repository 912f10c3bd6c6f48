//! Converters from public truth-discovery data sets to credence's input files (`credence convert`).
//!
//! Each converter reads a data set in its published format and writes, into one folder:
//!
//! * `claims.csv`: `claim_id,source,published_at,story_id,stance,value` (LIAR: no `value`);
//! * `gold.csv`: `story_id,value`, the published truth, for `credence eval --gold`;
//! * LIAR only: `resolutions.csv`, the verdicts of the training split, and `speakers.csv`, each speaker's
//!   party (`source,group`); its `resolutions.csv` and `gold.csv` carry the six-way label as `rating`.
//!
//! None of these data sets dates its claims; `published_at` (a required column) is then the fixed
//! [`NO_DATE`] (population: the 1st of January of the claim's year). Rows a converter cannot use are
//! counted by reason in the returned [`Converted`], never dropped silently; a line that cannot be split
//! into its fields stops the conversion with its file and line, and so does a story the gold file gives
//! two different truths (crowd, book, population), which `credence eval --gold` would refuse anyway.
//!
//! | data set | source | story | value | gold |
//! |---|---|---|---|---|
//! | crowd (Zheng et al. 2017) | worker | question | answer (`--value-kind label`; `number` for Emotion) | truth.csv |
//! | book (Yin et al. 2007) | bookstore | ISBN | author string (`--value-kind list`) | book_golden.txt |
//! | population (Pasternack & Roth 2010) | editor | `city, state_YEAR` | population (`--value-kind number`) | population-gd.txt |
//! | LIAR (Wang 2017) | speaker | statement id | none: the speaker asserts the statement | test labels, collapsed to true/false |

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The `published_at` of claims whose data set gives no date.
pub const NO_DATE: &str = "1970-01-01";

/// What a conversion wrote and what it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Converted {
    /// Claims written.
    pub claims: u64,
    /// Gold rows written.
    pub gold: u64,
    /// Resolutions written (LIAR).
    pub resolutions: u64,
    /// Rows left out, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Rows converted with a field of theirs left out (LIAR: a party `speakers.csv` does not keep), by
    /// reason: not skipped rows, so that rows in = rows out + skipped.
    pub dropped_fields: BTreeMap<String, u64>,
    /// The files written.
    pub files: Vec<PathBuf>,
}

impl Converted {
    fn skip(&mut self, why: &str) {
        *self.skipped.entry(why.to_owned()).or_default() += 1;
    }

    fn drop_field(&mut self, why: &str) {
        *self.dropped_fields.entry(why.to_owned()).or_default() += 1;
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_owned(),
        source,
    }
}

/// The text of a file, line by line: UTF-8 where a line is, else each of its bytes as Latin-1 (the
/// population files are Latin-1). Decided per line, not per file: one Latin-1 byte in a UTF-8 file read
/// every other line's names as Latin-1 too (`José` as `JosÃ©`; audit, session 23).
fn read_text(path: &Path) -> Result<String> {
    let mut bytes = Vec::new();
    crate::ingest::open_input(path)?
        .read_to_end(&mut bytes)
        .map_err(io_err(path))?;
    if let Ok(s) = std::str::from_utf8(&bytes) {
        return Ok(s.to_owned());
    }
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 8);
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(s) => text.push_str(s),
            Err(_) => text.extend(line.iter().map(|&b| b as char)),
        }
    }
    Ok(text)
}

/// Lines without their line ends (LF or CRLF), skipping empty ones, with their line numbers from 1.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
}

struct Out {
    dir: PathBuf,
    done: Vec<PathBuf>,
}

impl Out {
    fn new(dir: &Path) -> Result<Out> {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
        Ok(Out {
            dir: dir.to_owned(),
            done: Vec::new(),
        })
    }

    fn write(&mut self, name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
        let path = self.dir.join(name);
        let mut w = csv::Writer::from_path(&path).map_err(|e| Error::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        let csv_err = |e: csv::Error| Error::Io {
            path: path.clone(),
            source: std::io::Error::other(e),
        };
        w.write_record(header).map_err(csv_err)?;
        for r in rows {
            w.write_record(r).map_err(csv_err)?;
        }
        w.flush().map_err(io_err(&path))?;
        self.done.push(path);
        Ok(())
    }
}

const CLAIM_HEADER: [&str; 6] = ["claim_id", "source", "published_at", "story_id", "stance", "value"];

fn claim(id: usize, source: &str, at: &str, story: &str, value: &str) -> Vec<String> {
    vec![
        id.to_string(),
        source.to_owned(),
        at.to_owned(),
        story.to_owned(),
        "asserts".to_owned(),
        value.to_owned(),
    ]
}

fn bad_row(path: &Path, line: usize, reason: &str, value: &str) -> Error {
    Error::BadRow(crate::error::RowProblem {
        file: path.display().to_string(),
        line: line as u64,
        column: None,
        value: Some(value.chars().take(200).collect()),
        reason: reason.to_owned(),
    })
}

/// Gold rows, one per story, in the order first met.
///
/// `credence eval --gold` refuses a story given two different values, so a converter does too, at the
/// line of the data set that says so rather than at a line of the `gold.csv` it would write. A row that
/// repeats an earlier one exactly is left out and counted: it adds nothing.
#[derive(Default)]
struct GoldRows {
    rows: Vec<Vec<String>>,
    /// Story → the line that first gave it and its row's index in `rows`.
    first: std::collections::HashMap<String, (u64, usize)>,
}

impl GoldRows {
    /// Adds `row` (story first), read at `line` of `path`; `what` names the story in the data set's terms
    /// and `column` the column holding its truth, where the file has named columns.
    ///
    /// # Errors
    /// The story already has a different row.
    fn push(
        &mut self,
        c: &mut Converted,
        (path, line): (&Path, u64),
        (what, column): (&str, Option<&str>),
        row: Vec<String>,
    ) -> Result<()> {
        let Some(&(at, i)) = self.first.get(&row[0]) else {
            self.first.insert(row[0].clone(), (line, self.rows.len()));
            self.rows.push(row);
            return Ok(());
        };
        if self.rows[i] == row {
            c.skip("a gold row repeating an earlier one");
            return Ok(());
        }
        Err(Error::BadRow(crate::error::RowProblem {
            file: path.display().to_string(),
            line,
            column: column.map(str::to_owned),
            value: Some(row[1..].join(",").chars().take(200).collect()),
            reason: format!(
                "{what} {:?} was given {:?} at line {at}; a data set's truth cannot disagree with itself",
                row[0],
                self.rows[i][1..].join(",")
            ),
        }))
    }
}

/// The columns of Zheng et al.'s `answer.csv`.
const CROWD_ANSWERS: crate::ingest::Spec = crate::ingest::Spec {
    names: &["question", "worker", "answer"],
    required: 3,
};

/// The columns of Zheng et al.'s `truth.csv`.
const CROWD_TRUTH: crate::ingest::Spec = crate::ingest::Spec {
    names: &["question", "truth"],
    required: 2,
};

/// The rows of the CSV file `path` with the columns of `spec`, trimmed, each with its line; a row that
/// cannot be split into the header's fields (or is not UTF-8) stops the conversion, as a line with too few
/// fields does in the other converters: what it was meant to say is unknown, so it can be neither
/// converted nor counted as an empty field.
fn csv_rows<const N: usize>(path: &Path, spec: &crate::ingest::Spec) -> Result<Vec<(u64, [String; N])>> {
    let (_, rows, rejects) = crate::ingest::read_table(path, spec, &[], |row| {
        let mut out: [String; N] = std::array::from_fn(|_| String::new());
        for (k, slot) in out.iter_mut().enumerate() {
            row.text(k)?.clone_into(slot);
        }
        Ok(out)
    })?;
    match rejects.into_iter().next() {
        Some(first) => Err(Error::BadRow(first)),
        None => Ok(rows),
    }
}

/// The crowd-sourcing benchmark of Zheng et al. (PVLDB 2017): `answer.csv` (`question,worker,answer`)
/// and `truth.csv` (`question,truth`). Answers or truths with an empty field are skipped and counted, as is
/// a worker's second answer to a question (its first is kept); a row with more or fewer fields than the
/// header stops the conversion, as does a question given two different truths (an exact repeat is written
/// once).
///
/// # Errors
/// A file cannot be read or written, or lacks a column; a row has the wrong number of fields; a question
/// has two different truths.
pub fn crowd(answers: &Path, truth: &Path, out: &Path) -> Result<Converted> {
    let mut c = Converted::default();
    let mut o = Out::new(out)?;
    let mut rows = Vec::new();
    // A worker's second answer to a question is no new evidence: the same label again would count twice
    // in `vote`'s tally, and another label would make the worker a voter on both sides. The first stands.
    let mut answered = std::collections::HashSet::new();
    for (_, [q, w, a]) in csv_rows(answers, &CROWD_ANSWERS)? {
        if q.is_empty() || w.is_empty() || a.is_empty() {
            c.skip("an empty question, worker or answer");
            continue;
        }
        if !answered.insert((q.clone(), w.clone())) {
            c.skip("the worker answered the question before (its first answer is kept)");
            continue;
        }
        rows.push(claim(rows.len() + 1, &w, NO_DATE, &q, &a));
    }
    let mut gold = GoldRows::default();
    for (line, [q, t]) in csv_rows(truth, &CROWD_TRUTH)? {
        if q.is_empty() || t.is_empty() {
            c.skip("an empty question or truth (truth.csv)");
            continue;
        }
        gold.push(&mut c, (truth, line), ("question", Some("truth")), vec![q, t])?;
    }
    // Both files are read before either is written, so a refused file leaves no half-converted set.
    c.claims = rows.len() as u64;
    o.write("claims.csv", &CLAIM_HEADER, &rows)?;
    c.gold = gold.rows.len() as u64;
    o.write("gold.csv", &["story_id", "value"], &gold.rows)?;
    c.files = o.done;
    Ok(c)
}

/// The AbeBooks author data set (Yin, Han & Yu, KDD 2007): `book.txt` (TAB-separated `store, ISBN,
/// title, authors`) and `book_golden.txt` (`ISBN, authors`). Rows with no author list (empty or `Not
/// Available`) are skipped: they claim nothing about the authors.
///
/// A book given two different author lists in the golden file is refused (an exact repeat is written once).
///
/// # Errors
/// A file cannot be read or written; a line has other than 4 fields; an ISBN has two different golden lists.
pub fn book(claims: &Path, golden: &Path, out: &Path) -> Result<Converted> {
    let mut c = Converted::default();
    let mut o = Out::new(out)?;
    let text = read_text(claims)?;
    let mut rows = Vec::new();
    for (line, l) in lines(&text) {
        let f: Vec<&str> = l.split('\t').collect();
        // More fields than four is a TAB inside one (an author list cut in two), not a row to read.
        if f.len() != 4 {
            return Err(bad_row(
                claims,
                line,
                &format!("expected 4 TAB-separated fields, found {}", f.len()),
                l,
            ));
        }
        let (store, isbn, authors) = (f[0].trim(), f[1].trim(), f[3].trim());
        if authors.is_empty() || authors.eq_ignore_ascii_case("not available") {
            c.skip("no author list (empty or Not Available)");
            continue;
        }
        if store.is_empty() || isbn.is_empty() {
            c.skip("an empty store or ISBN");
            continue;
        }
        // `0`, `N/A`, `EDS`: what `score --value-kind list` would reject as no list of names.
        if crate::value::normalize(crate::value::ValueKind::List, authors).is_none() {
            c.skip("no author list (not a list of names, such as 0 or N/A)");
            continue;
        }
        rows.push(claim(line, store, NO_DATE, isbn, authors));
    }
    c.claims = rows.len() as u64;
    // Both files are read before either is written, so that a refused golden file leaves no new
    // claims.csv beside an old gold.csv.
    let text = read_text(golden)?;
    let mut gold = GoldRows::default();
    for (line, l) in lines(&text) {
        let Some((isbn, authors)) = l.split_once('\t') else {
            return Err(bad_row(golden, line, "expected ISBN TAB authors", l));
        };
        let row = vec![isbn.trim().to_owned(), authors.trim().to_owned()];
        gold.push(&mut c, (golden, line as u64), ("ISBN", None), row)?;
    }
    c.gold = gold.rows.len() as u64;
    o.write("claims.csv", &CLAIM_HEADER, &rows)?;
    o.write("gold.csv", &["story_id", "value"], &gold.rows)?;
    c.files = o.done;
    Ok(c)
}

/// The Wikipedia city-population data set (Pasternack & Roth, COLING 2010), as preprocessed in
/// `population-new.txt` (TAB-separated `city, state_YEAR`, editor, population, year) and
/// `population-gd.txt` (`city, state, YEAR, population`); both Latin-1.
///
/// A city-year given two different populations in the golden file is refused (an exact repeat is written
/// once).
///
/// # Errors
/// A file cannot be read or written; a line has other than 4 fields; a city-year has two different golden
/// populations.
pub fn population(claims: &Path, golden: &Path, out: &Path) -> Result<Converted> {
    let mut c = Converted::default();
    let mut o = Out::new(out)?;
    let text = read_text(claims)?;
    let mut rows = Vec::new();
    for (line, l) in lines(&text) {
        let f: Vec<&str> = l.split('\t').collect();
        if f.len() != 4 {
            return Err(bad_row(
                claims,
                line,
                &format!("expected 4 TAB-separated fields, found {}", f.len()),
                l,
            ));
        }
        let (object, editor, value, year) = (f[0].trim(), f[1].trim(), f[2].trim(), f[3].trim());
        if object.is_empty() || editor.is_empty() || value.is_empty() {
            c.skip("an empty object, editor or value");
            continue;
        }
        // What `score --value-kind number` would reject (none in the published set).
        if crate::value::normalize(crate::value::ValueKind::Number, value).is_none() {
            c.skip("a population that is not a number");
            continue;
        }
        // The census year dates the claim; every row of the published set has one.
        let at = match year.parse::<u32>() {
            Ok(y) if (1000..=9999).contains(&y) => format!("{y}-01-01"),
            _ => {
                c.skip("no year (four digits) in the fourth field");
                continue;
            }
        };
        rows.push(claim(line, editor, &at, object, value));
    }
    c.claims = rows.len() as u64;
    // Both files are read before either is written (as for `book`).
    let text = read_text(golden)?;
    let mut gold = GoldRows::default();
    for (line, l) in lines(&text) {
        let parts: Vec<&str> = l.split(',').map(str::trim).collect();
        if parts.len() < 3 {
            return Err(bad_row(golden, line, "expected city, ..., YEAR, population", l));
        }
        let n = parts.len();
        // A missing comma ("melrose, massachusetts, 2000 27134") would make a key no claim has and a value
        // no number is: the gold row lost without a word.
        if !parts[n - 2].parse::<u32>().is_ok_and(|y| (1000..=9999).contains(&y)) {
            return Err(bad_row(
                golden,
                line,
                "expected city, ..., YEAR, population: no year (a population written with thousands separators \
                 splits at them; write it without)",
                l,
            ));
        }
        if crate::value::normalize(crate::value::ValueKind::Number, parts[n - 1]).is_none() {
            return Err(bad_row(
                golden,
                line,
                "expected city, ..., YEAR, population: no population",
                l,
            ));
        }
        let key = format!("{}_{}", parts[..n - 2].join(", "), parts[n - 2]);
        let row = vec![key, parts[n - 1].to_owned()];
        gold.push(&mut c, (golden, line as u64), ("city-year", None), row)?;
    }
    c.gold = gold.rows.len() as u64;
    o.write("claims.csv", &CLAIM_HEADER, &rows)?;
    o.write("gold.csv", &["story_id", "value"], &gold.rows)?;
    c.files = o.done;
    Ok(c)
}

/// PolitiFact's six ratings collapsed to whether the statement holds: `true`, `mostly-true` and
/// `half-true` are true; `barely-true`, `false` and `pants-fire` false (the usual binary collapse).
pub fn liar_truth(label: &str) -> Option<bool> {
    match label {
        "true" | "mostly-true" | "half-true" => Some(true),
        "barely-true" | "false" | "pants-fire" => Some(false),
        _ => None,
    }
}

/// LIAR (Wang, ACL 2017) for the predictive protocol: every statement of the training and test splits is
/// a story asserted by its speaker; the training verdicts become resolutions (so speakers are scored on
/// them alone), the test verdicts the gold (`gold.csv`, true/false). Both files also keep the six-way
/// PolitiFact label in a `rating` column, for `credence eval`'s rating prediction
/// ([`crate::model::ratings`]); the `outcome` stays the binary collapse ([`liar_truth`]) rather than
/// mapping half-true onto `mixed`, because the scale has six steps and outcomes three, and the binary
/// collapse is what the published binary figures use. `speakers.csv` (`source,group`) gives each
/// speaker's party, the first one named, for `--sources-meta` (metadata, not a verdict). To evaluate
/// on the validation split, pass `valid.tsv` as `test`. The credit-history columns (9–13) are not read:
/// they count the row's own verdict.
///
/// # Errors
/// A file cannot be read or written; a line has other than 14 fields or an unknown label; a statement is
/// given again with another label or speaker (an exact repeat is skipped and counted).
pub fn liar(train: &Path, test: &Path, out: &Path) -> Result<Converted> {
    let mut c = Converted::default();
    let mut o = Out::new(out)?;
    let (mut claims, mut resolutions, mut gold) = (Vec::new(), Vec::new(), Vec::new());
    let mut party: BTreeMap<String, String> = BTreeMap::new();
    // Each statement once: where it was first read, with its label and speaker.
    let mut seen: BTreeMap<String, (String, usize, String, String)> = BTreeMap::new();
    for (path, is_train) in [(train, true), (test, false)] {
        let text = read_text(path)?;
        for (line, l) in lines(&text) {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() != 14 {
                return Err(bad_row(
                    path,
                    line,
                    &format!("expected 14 TAB-separated fields, found {}", f.len()),
                    l,
                ));
            }
            let (id, label, speaker) = (f[0].trim(), f[1].trim(), f[4].trim());
            let truth = liar_truth(label).ok_or_else(|| bad_row(path, line, "unknown label", label))?;
            if speaker.is_empty() {
                c.skip("no speaker");
                continue;
            }
            match seen.get(id) {
                Some((_, _, l, s)) if l == label && s == speaker => {
                    c.skip("a statement repeated (the first kept)");
                    continue;
                }
                Some((file, first, l, s)) => {
                    let why = format!(
                        "statement {id:?} was given {l:?} by {s:?} at {file}:{first}; a data set's truth cannot \
                         disagree with itself"
                    );
                    return Err(bad_row(path, line, &why, label));
                }
                None => {
                    seen.insert(
                        id.to_owned(),
                        (path.display().to_string(), line, label.to_owned(), speaker.to_owned()),
                    );
                }
            }
            let mut row = claim(0, speaker, NO_DATE, id, "");
            row[0] = id.to_owned();
            row.pop();
            claims.push(row);
            let t = if truth { "true" } else { "false" };
            if is_train {
                resolutions.push(vec![id.to_owned(), t.to_owned(), NO_DATE.to_owned(), label.to_owned()]);
            } else {
                gold.push(vec![id.to_owned(), t.to_owned(), label.to_owned()]);
            }
            let p = f[7].trim();
            match party.get(speaker) {
                _ if p.is_empty() => c.drop_field("no party, so none in speakers.csv"),
                None => {
                    party.insert(speaker.to_owned(), p.to_owned());
                }
                Some(first) if first != p => c.drop_field("a speaker's second party (the first kept in speakers.csv)"),
                Some(_) => {}
            }
        }
    }
    c.claims = claims.len() as u64;
    c.resolutions = resolutions.len() as u64;
    c.gold = gold.len() as u64;
    o.write("claims.csv", &CLAIM_HEADER[..5], &claims)?;
    o.write(
        "resolutions.csv",
        &["story_id", "outcome", "resolved_at", "rating"],
        &resolutions,
    )?;
    o.write("gold.csv", &["story_id", "value", "rating"], &gold)?;
    let speakers: Vec<Vec<String>> = party.into_iter().map(|(s, p)| vec![s, p]).collect();
    o.write("speakers.csv", &["source", "group"], &speakers)?;
    c.files = o.done;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// UTF-8 and Latin-1 lines in one file each read as what they are.
    #[test]
    fn each_line_is_utf8_or_latin1() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mixed.txt");
        std::fs::write(&path, b"Jos\xc3\xa9\tutf-8\nJos\xe9\tlatin-1\r\nplain\n").unwrap();
        assert_eq!(read_text(&path).unwrap(), "José\tutf-8\nJosé\tlatin-1\r\nplain\n");
        std::fs::write(&path, "José\n").unwrap();
        assert_eq!(read_text(&path).unwrap(), "José\n");
    }

    /// A story given again: with the same row it is skipped and counted, with another truth refused at
    /// its line, naming the first.
    #[test]
    fn gold_rows_repeat_but_never_disagree() {
        let mut c = Converted::default();
        let mut gold = GoldRows::default();
        let at = |line| (Path::new("truth.csv"), line);
        let row = |q: &str, t: &str| vec![q.to_owned(), t.to_owned()];
        let what = ("question", Some("truth"));
        gold.push(&mut c, at(2), what, row("q1", "1")).unwrap();
        gold.push(&mut c, at(3), what, row("q2", "0")).unwrap();
        gold.push(&mut c, at(4), what, row("q1", "1")).unwrap();
        assert_eq!(gold.rows, vec![row("q1", "1"), row("q2", "0")]);
        assert_eq!(c.skipped.values().sum::<u64>(), 1);
        let Err(Error::BadRow(p)) = gold.push(&mut c, at(5), what, row("q2", "1")) else {
            panic!("a second truth was accepted");
        };
        assert_eq!(
            p.to_string(),
            "truth.csv:5: column `truth`: question \"q2\" was given \"0\" at line 3; a data set's truth \
             cannot disagree with itself (value: \"1\")"
        );
        assert_eq!(gold.rows.len(), 2);
    }

    #[test]
    fn liar_collapse() {
        for (label, want) in [
            ("true", Some(true)),
            ("mostly-true", Some(true)),
            ("half-true", Some(true)),
            ("barely-true", Some(false)),
            ("false", Some(false)),
            ("pants-fire", Some(false)),
            ("unknown", None),
        ] {
            assert_eq!(liar_truth(label), want, "{label}");
        }
    }
}
