//! Fact-checks as input: ClaimReview (schema.org JSON-LD) turned into credence's claims and resolutions or
//! responses.
//!
//! A ClaimReview says that a claimant (an outlet, a politician) made a claim, and that a fact-checker rated
//! it. Each review therefore gives one claim (the claimant asserts the claim's story) and one verdict on that
//! story: a resolution (`outcome` true, false or mixed) or, where fact-checkers are to be judged on their own
//! record like any official body, a response (`verdict` confirmed, denied or partial).
//!
//! Accepted shapes, in a `.json` file, a JSON Lines file (one document per line), or an HTML page whose
//! `<script type="application/ld+json">` blocks hold them:
//!
//! * schema.org ClaimReview objects, alone, in an array, or under `@graph`, at any depth (`@type` may be a
//!   list);
//! * the result of a fact-check search service (`{"claims": [{"text", "claimant", "claimDate",
//!   "claimReview": [{"publisher": {"name"}, "url", "reviewDate", "textualRating"}]}]}`).
//!
//! Textual ratings ("False", "Mostly false", "Pants on Fire", "Half true", ...) map to outcomes through a
//! table (`rating,outcome`, outcome `true`, `false`, `mixed`, or `none` for ratings that judge nothing, such
//! as "Satire"); [`RatingTable::default`] is the shipped `datasets/claimreview/ratings.csv`. Ratings are
//! compared after normalisation: lower case, `-` and `_` as spaces, punctuation at the ends dropped, runs of
//! spaces as one. A rating not in the table falls back on its numeric value where the review gives one
//! (`ratingValue` between `worstRating` and `bestRating`: the top quarter true, the bottom quarter false,
//! between them mixed); otherwise the review is rejected with the rating named.
//!
//! A story is the claim's first appearance (its URL) where the review names one, else its appearance,
//! else the claim's text (normalised, hashed), so that two fact-checkers of one claim meet on one story.
//! Nothing is lost: every review becomes a row or a reject with its place in the file (its line and JSON
//! pointer) and the reason.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::corpus::Outcome;
use crate::error::{Error, Result, RowProblem};

/// The shipped rating table.
const DEFAULT_RATINGS: &str = include_str!("../datasets/claimreview/ratings.csv");

/// What a textual rating means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// An outcome.
    Outcome(Outcome),
    /// No verdict ("Satire", "Unproven"): the review is set aside with this reason.
    Nothing,
}

/// Textual ratings, normalised, and their meanings.
///
/// ```
/// use credence::claimreview::{Meaning, RatingTable};
/// use credence::corpus::Outcome;
/// let shipped = RatingTable::default();
/// assert_eq!(shipped.get("Pants on Fire!"), Some(Meaning::Outcome(Outcome::False)));
/// let mine = RatingTable::parse("mine.csv", "rating,outcome\nDisputed by officials,mixed\n").unwrap();
/// assert_eq!(mine.get("disputed by officials"), Some(Meaning::Outcome(Outcome::Mixed)));
/// ```
#[derive(Debug, Clone)]
pub struct RatingTable {
    map: BTreeMap<String, Meaning>,
}

impl Default for RatingTable {
    fn default() -> Self {
        RatingTable::parse("ratings.csv (built in)", DEFAULT_RATINGS).expect("the shipped table is valid")
    }
}

impl RatingTable {
    /// Reads a `rating,outcome` table from a file.
    ///
    /// # Errors
    /// The file cannot be read, or a row is bad (named by line).
    pub fn from_path(path: &Path) -> Result<RatingTable> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        RatingTable::parse(&path.display().to_string(), &text)
    }

    /// Parses a `rating,outcome` table; `name` names it in errors.
    ///
    /// # Errors
    /// A missing column, an unknown outcome, or one rating given two meanings.
    pub fn parse(name: &str, text: &str) -> Result<RatingTable> {
        let bad = |line: u64, column: &str, value: &str, reason: &str| {
            Error::BadRow(RowProblem {
                file: name.to_owned(),
                line,
                column: Some(column.to_owned()),
                value: Some(value.to_owned()),
                reason: reason.to_owned(),
            })
        };
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| bad(1, "", "", &format!("unreadable header: {e}")))?
            .clone();
        let col = |n: &str| headers.iter().position(|h| h.trim() == n);
        let (Some(r), Some(o)) = (col("rating"), col("outcome")) else {
            let missing = ["rating", "outcome"].into_iter().filter(|n| col(n).is_none());
            return Err(Error::MissingColumn {
                path: name.into(),
                column: missing.collect::<Vec<_>>().join("` and `"),
                found: headers.iter().collect::<Vec<_>>().join(","),
            });
        };
        let mut map = BTreeMap::new();
        for (k, row) in rdr.records().enumerate() {
            let line = k as u64 + 2;
            let row = row.map_err(|e| bad(line, "", "", &format!("unreadable row: {e}")))?;
            let rating = normalise(row.get(r).unwrap_or_default());
            let outcome = row.get(o).unwrap_or_default().trim();
            let meaning = match outcome.to_ascii_lowercase().as_str() {
                "true" => Meaning::Outcome(Outcome::True),
                "false" => Meaning::Outcome(Outcome::False),
                "mixed" => Meaning::Outcome(Outcome::Mixed),
                "none" => Meaning::Nothing,
                _ => return Err(bad(line, "outcome", outcome, "expected true, false, mixed or none")),
            };
            if rating.is_empty() {
                return Err(bad(line, "rating", "", "empty rating"));
            }
            if let Some(old) = map.insert(rating.clone(), meaning)
                && old != meaning
            {
                return Err(bad(
                    line,
                    "rating",
                    &rating,
                    "this rating is already given another outcome",
                ));
            }
        }
        Ok(RatingTable { map })
    }

    /// The meaning of a textual rating, if the table knows it.
    pub fn get(&self, rating: &str) -> Option<Meaning> {
        self.map.get(&normalise(rating)).copied()
    }
}

/// A rating as compared: lower case, `-`/`_` as spaces, end punctuation dropped, spaces collapsed.
pub fn normalise(rating: &str) -> String {
    let lower = rating.to_lowercase().replace(['-', '_'], " ");
    let trimmed = lower.trim_matches(|c: char| !c.is_alphanumeric());
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How the reviews are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Fact-checks settle stories (`resolutions.csv`); a second review of one story is set aside.
    Resolutions,
    /// Fact-checkers are judged like official bodies (`responses.csv`), each review a response.
    Responses,
}

/// One review, read.
#[derive(Debug, Clone, PartialEq)]
struct Review {
    /// Where it sits in its file: the line its object opens on ([`containers`]) and its JSON pointer.
    line: u64,
    pointer: String,
    reviewer: Option<String>,
    reviewed_at: Option<String>,
    review_url: Option<String>,
    rating: Option<String>,
    rating_value: Option<(f64, f64, f64)>,
    claim_text: Option<String>,
    /// Everyone the review says made the claim (schema.org's `author` may list several); each gives a claim.
    claimants: Vec<String>,
    claim_date: Option<String>,
    claim_url: Option<String>,
    /// The first member that the review reads (its JSON pointer) whose key its object gives twice.
    repeated: Option<String>,
    /// The JSON pointer of an entry of its list of claimants that names no one.
    unnamed: Option<String>,
}

/// The result of an import.
#[derive(Debug, Default)]
pub struct Imported {
    /// `claims.csv` rows: claim_id, source, published_at, story_id, stance, text.
    pub claims: Vec<[String; 6]>,
    /// `resolutions.csv` rows (story_id, outcome, resolved_at, resolver, url) or `responses.csv` rows
    /// (response_id, story_id, responder, responded_at, verdict, text).
    pub verdicts: Vec<Vec<String>>,
    /// Reviews found.
    pub reviews: u64,
    /// Reviews set aside, with the reason.
    pub rejects: Vec<RowProblem>,
}

/// Reads the ClaimReviews in `files` and turns them into rows.
///
/// # Errors
/// A file cannot be read or is not JSON (named with its line and column).
pub fn import(files: &[&Path], ratings: &RatingTable, role: Role) -> Result<Imported> {
    let mut reviews = Vec::new();
    for path in files {
        let file = path.display().to_string();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut crate::ingest::open_input(path)?, &mut text).map_err(|source| {
            Error::Io {
                path: path.to_path_buf(),
                source,
            }
        })?;
        // A byte-order mark (editors on Windows write one) is not part of the JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        for (line, source, doc) in documents(path, text)? {
            let mut found = Vec::new();
            collect(&doc, String::new(), line, &mut found);
            let scan = containers(source, line);
            // Each review's own line, where a document spans several.
            for r in &mut found {
                r.line = scan.lines.get(r.pointer.as_str()).copied().unwrap_or(r.line);
            }
            // A key given twice: serde_json kept the last value. Inside a review the review is refused
            // (which value is meant is ambiguous), and so are the reviews of a fact-check search result
            // whose claim gives its text, claimant or date twice. Elsewhere, a repeated object or array
            // may have held reviews, and a repeated `@type` may have made its object one, so the file is
            // refused; a repeated plain value credence does not read is let be.
            for (at, repeat_line) in &scan.repeated {
                let within = |r: &Review| r.pointer.is_empty() || at.starts_with(&format!("{}/", r.pointer));
                if let Some(r) = found.iter_mut().filter(|r| within(r)).max_by_key(|r| r.pointer.len()) {
                    r.repeated.get_or_insert_with(|| at.clone());
                    continue;
                }
                let (claim, key) = at.rsplit_once('/').unwrap_or_default();
                if scan.lines.contains_key(at) || key == "@type" {
                    return Err(Error::BadRow(RowProblem {
                        file: file.clone(),
                        line: *repeat_line,
                        column: Some(at.clone()),
                        value: None,
                        reason: "this key appears twice in its object, and which of its values is meant is \
                                 ambiguous: the other may hold reviews, or (a type) make its object one"
                            .into(),
                    }));
                }
                if ["text", "claimant", "claimDate"].contains(&key) {
                    let of_claim = format!("{claim}/claimReview/");
                    for r in found.iter_mut().filter(|r| r.pointer.starts_with(&of_claim)) {
                        r.repeated.get_or_insert_with(|| at.clone());
                    }
                }
            }
            reviews.extend(found.into_iter().map(|r| (file.clone(), r)));
        }
    }
    Ok(rows(reviews, ratings, role))
}

/// The JSON documents of a file, with the line each starts on and its text.
fn documents<'a>(path: &Path, text: &'a str) -> Result<Vec<(u64, &'a str, Value)>> {
    let bad = |line: u64, column: usize, e: &dyn std::fmt::Display| {
        // serde_json's message ends with its own "at line L column C", which the line and column here
        // already give (the line counted in the whole file).
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or_default().to_owned();
        Error::BadRow(RowProblem {
            file: path.display().to_string(),
            line,
            column: None,
            value: None,
            reason: format!("not JSON (at column {column}): {message}"),
        })
    };
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        // An HTML page: its JSON-LD script blocks.
        let mut docs = Vec::new();
        let lower = text.to_ascii_lowercase();
        let mut at = 0;
        while let Some(k) = lower[at..].find("application/ld+json") {
            let open = at + k;
            let Some(start) = lower[open..].find('>').map(|g| open + g + 1) else {
                break;
            };
            let Some(end) = lower[start..].find("</script").map(|e| start + e) else {
                break;
            };
            let line = 1 + text[..start].matches('\n').count() as u64;
            let doc: Value =
                serde_json::from_str(&text[start..end]).map_err(|e| bad(line + e.line() as u64 - 1, e.column(), &e))?;
            docs.push((line, &text[start..end], doc));
            at = end;
        }
        return Ok(docs);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(doc) => Ok(vec![(1, text, doc)]),
        Err(whole) => {
            // JSON Lines: one document per non-blank line.
            let mut docs = Vec::new();
            for (k, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(line) {
                    Ok(doc) => docs.push((k as u64 + 1, line, doc)),
                    Err(_) if docs.is_empty() && k == 0 => {
                        return Err(bad(whole.line() as u64, whole.column(), &whole));
                    }
                    Err(e) => return Err(bad(k as u64 + 1, e.column(), &e)),
                }
            }
            Ok(docs)
        }
    }
}

/// Where the containers of one JSON document sit ([`containers`]).
struct Containers {
    /// The line on which each object and array starts, by its JSON pointer.
    lines: std::collections::HashMap<String, u64>,
    /// Each member whose key its object gives again, by the member's pointer, with the line of the repeat.
    repeated: Vec<(String, u64)>,
}

/// The line on which each object and array in `text` (one JSON document, already parsed, whose first line
/// is `first_line`) starts, by its JSON pointer (`""` for the whole, `/3/claimReview/0` deeper), so that a
/// review in a file of many lines is named by its own line, not the document's first; and the keys an
/// object gives twice, whose first value serde_json drops without a word.
fn containers(text: &str, first_line: u64) -> Containers {
    /// An open container: its pointer, and for an array the next element's index, for an object the
    /// pointer of the member whose value comes next and the keys given so far.
    enum Open {
        Array(String, usize),
        Object(String, Option<String>, std::collections::HashSet<String>),
    }
    let bytes = text.as_bytes();
    let mut lines = std::collections::HashMap::new();
    let mut repeated = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let (mut i, mut line) = (0, first_line);
    // The end of the string that opens at `i` (its closing quote's index).
    let string_end = |i: usize| {
        let mut j = i + 1;
        while j < bytes.len() && bytes[j] != b'"' {
            j += if bytes[j] == b'\\' { 2 } else { 1 };
        }
        j
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => line += 1,
            b'"' => {
                let end = string_end(i);
                // A key: an object waiting for one, the string followed by a colon.
                if let Some(Open::Object(pointer, next @ None, keys)) = stack.last_mut() {
                    let key: String = serde_json::from_str(&text[i..=end.min(bytes.len() - 1)]).unwrap_or_default();
                    let at = member(pointer, &key);
                    if !keys.insert(key) {
                        repeated.push((at.clone(), line));
                    }
                    *next = Some(at);
                } else if let Some(Open::Array(_, k)) = stack.last_mut() {
                    *k += 1;
                }
                line += text[i..end.min(bytes.len())].matches('\n').count() as u64;
                i = end;
            }
            b'{' | b'[' => {
                let pointer = match stack.last_mut() {
                    None => String::new(),
                    Some(Open::Array(p, k)) => {
                        *k += 1;
                        format!("{p}/{}", *k - 1)
                    }
                    Some(Open::Object(_, next, _)) => next.take().unwrap_or_default(),
                };
                lines.insert(pointer.clone(), line);
                stack.push(if b == b'{' {
                    Open::Object(pointer, None, std::collections::HashSet::new())
                } else {
                    Open::Array(pointer, 0)
                });
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Open::Object(_, next, _)) = stack.last_mut() {
                    *next = None;
                }
            }
            // A number, true, false or null in an array counts as an element.
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                if let Some(Open::Array(_, k)) = stack.last_mut() {
                    *k += 1;
                }
                while i + 1 < bytes.len() && !matches!(bytes[i + 1], b',' | b']' | b'}' | b'\n' | b' ' | b'\t' | b'\r')
                {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    Containers { lines, repeated }
}

/// The JSON pointer of the member `key` of the object at `pointer` (RFC 6901: `~` and `/` escaped), as
/// [`collect`] names reviews and [`containers`] finds their lines.
fn member(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn str_at<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for k in keys {
        cur = match cur {
            Value::Array(a) => a.first()?.get(k)?,
            _ => cur.get(k)?,
        };
    }
    match cur {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim()),
        Value::Array(a) => a
            .first()
            .and_then(|x| x.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// A name given as a string or as an object with `name`.
fn name_at(v: &Value, key: &str) -> Option<String> {
    let x = v.get(key)?;
    let x = if let Value::Array(a) = x { a.first()? } else { x };
    match x {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Object(_) => str_at(x, &["name"]).map(str::to_owned),
        _ => None,
    }
}

/// Every name at `key`: a string or an object's `name`, or each of a list of them, in order, each once;
/// or, in a list, the place of the first entry that names no one (a number, an empty string, an object
/// without a name), which would otherwise be dropped without a word.
fn names_at(v: &Value, key: &str) -> Result<Vec<String>, usize> {
    let one = |x: &Value| match x {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Object(_) => str_at(x, &["name"]).map(str::to_owned),
        _ => None,
    };
    let mut names: Vec<String> = Vec::new();
    match v.get(key) {
        Some(Value::Array(all)) => {
            for (k, x) in all.iter().enumerate() {
                let name = one(x).ok_or(k)?;
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        Some(x) => names.extend(one(x)),
        None => {}
    }
    Ok(names)
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn is_claim_review(v: &Value) -> bool {
    match v.get("@type") {
        Some(Value::String(t)) => t == "ClaimReview",
        Some(Value::Array(ts)) => ts.iter().any(|t| t.as_str() == Some("ClaimReview")),
        _ => false,
    }
}

/// Finds every review under `v` (depth first, in document order).
fn collect(v: &Value, pointer: String, line: u64, out: &mut Vec<Review>) {
    match v {
        Value::Array(items) => {
            for (k, item) in items.iter().enumerate() {
                collect(item, format!("{pointer}/{k}"), line, out);
            }
        }
        Value::Object(map) => {
            if is_claim_review(v) {
                out.push(schema_org(v, pointer, line));
                return;
            }
            if let (Some(Value::Array(reviews)), Some(_)) = (map.get("claimReview"), map.get("text")) {
                for (k, r) in reviews.iter().enumerate() {
                    out.push(search_result(v, r, format!("{pointer}/claimReview/{k}"), line));
                }
                return;
            }
            for (key, child) in map {
                collect(child, member(&pointer, key), line, out);
            }
        }
        _ => {}
    }
}

/// A schema.org ClaimReview.
fn schema_org(v: &Value, pointer: String, line: u64) -> Review {
    let item = v.get("itemReviewed").unwrap_or(&Value::Null);
    let (claimants, unnamed) = match names_at(item, "author") {
        Ok(names) => (names, None),
        Err(k) => (Vec::new(), Some(format!("{pointer}/itemReviewed/author/{k}"))),
    };
    let rating = v.get("reviewRating").unwrap_or(&Value::Null);
    let rating = if let Value::Array(a) = rating {
        a.first().unwrap_or(&Value::Null)
    } else {
        rating
    };
    let appearance = |key: &str| match item.get(key) {
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(x) => str_at(x, &["url"]).map(str::to_owned),
        None => None,
    };
    Review {
        line,
        pointer,
        reviewer: name_at(v, "author").or_else(|| name_at(v, "publisher")),
        reviewed_at: str_at(v, &["datePublished"]).map(str::to_owned),
        review_url: str_at(v, &["url"]).map(str::to_owned),
        rating: str_at(rating, &["alternateName"])
            .or_else(|| str_at(rating, &["name"]))
            .map(str::to_owned),
        rating_value: number(rating.get("ratingValue")).map(|x| {
            (
                x,
                number(rating.get("bestRating")).unwrap_or(5.0),
                number(rating.get("worstRating")).unwrap_or(1.0),
            )
        }),
        claim_text: str_at(v, &["claimReviewed"]).map(str::to_owned),
        claimants,
        claim_date: str_at(item, &["datePublished"]).map(str::to_owned),
        claim_url: appearance("firstAppearance").or_else(|| appearance("appearance")),
        repeated: None,
        unnamed,
    }
}

/// One review of a fact-check search result.
fn search_result(claim: &Value, r: &Value, pointer: String, line: u64) -> Review {
    Review {
        line,
        pointer,
        reviewer: name_at(r, "publisher").or_else(|| str_at(r, &["publisher", "site"]).map(str::to_owned)),
        reviewed_at: str_at(r, &["reviewDate"]).map(str::to_owned),
        review_url: str_at(r, &["url"]).map(str::to_owned),
        rating: str_at(r, &["textualRating"]).map(str::to_owned),
        rating_value: None,
        claim_text: str_at(claim, &["text"]).map(str::to_owned),
        claimants: str_at(claim, &["claimant"]).map(str::to_owned).into_iter().collect(),
        claim_date: str_at(claim, &["claimDate"]).map(str::to_owned),
        claim_url: None,
        repeated: None,
        unnamed: None,
    }
}

/// A claim's story: its URL, or its normalised text hashed.
fn story_of(r: &Review) -> Option<String> {
    if let Some(u) = &r.claim_url {
        return Some(u.clone());
    }
    let text = r.claim_text.as_deref()?;
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    Some(format!(
        "claim:{:016x}",
        xxhash_rust::xxh3::xxh3_64(words.join(" ").as_bytes())
    ))
}

/// The outcome a review gives, or why it gives none.
fn outcome_of(r: &Review, ratings: &RatingTable) -> std::result::Result<Outcome, (String, String)> {
    let text = r.rating.clone().unwrap_or_default();
    match ratings.get(&text) {
        Some(Meaning::Outcome(o)) => return Ok(o),
        Some(Meaning::Nothing) => return Err((text, "the rating gives no verdict (outcome none)".into())),
        None => {}
    }
    if let Some((x, best, worst)) = r.rating_value
        && best != worst
    {
        let share = (x - worst) / (best - worst);
        if (0.0..=1.0).contains(&share) {
            return Ok(if share >= 0.75 {
                Outcome::True
            } else if share <= 0.25 {
                Outcome::False
            } else {
                Outcome::Mixed
            });
        }
    }
    if text.is_empty() {
        Err((text, "no rating".into()))
    } else {
        Err((text, "rating not in the rating table (add it with --ratings)".into()))
    }
}

/// Turns reviews into rows, in file order; a review that cannot be a row is rejected.
fn rows(reviews: Vec<(String, Review)>, ratings: &RatingTable, role: Role) -> Imported {
    let mut out = Imported {
        reviews: reviews.len() as u64,
        ..Imported::default()
    };
    let mut claims_seen = std::collections::HashSet::new();
    let mut stories_claimed = std::collections::HashSet::new();
    let mut resolved: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    // As responses: each review's (story, fact-checker, date, verdict), where first read, and how often
    // each response id (the review's URL) has been given.
    let mut answered: std::collections::HashMap<[String; 4], (String, u64)> = std::collections::HashMap::new();
    let mut ids_given: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    for (file, r) in reviews {
        let reject = |column: &str, value: String, reason: String| RowProblem {
            file: file.clone(),
            line: r.line,
            column: Some(format!("{}{column}", r.pointer)),
            value: (!value.is_empty()).then_some(value),
            reason,
        };
        if let Some(at) = &r.repeated {
            out.rejects.push(RowProblem {
                column: Some(at.clone()),
                ..reject(
                    "",
                    String::new(),
                    "this key appears twice in its object; which of its values is meant is ambiguous".into(),
                )
            });
            continue;
        }
        if let Some(at) = &r.unnamed {
            out.rejects.push(RowProblem {
                column: Some(at.clone()),
                ..reject(
                    "",
                    String::new(),
                    "an author of the claim names no one (give a name, or an object with a name)".into(),
                )
            });
            continue;
        }
        let Some(story) = story_of(&r) else {
            out.rejects
                .push(reject("", String::new(), "no claim text or claim URL".into()));
            continue;
        };
        let Some(reviewer) = r.reviewer.clone() else {
            out.rejects
                .push(reject("/author", String::new(), "no fact-checker named".into()));
            continue;
        };
        let when = match r.reviewed_at.as_deref().map(|d| (d, crate::ingest::fields::time(d))) {
            Some((_, Some(t))) => crate::numfmt::time(t),
            Some((d, None)) => {
                out.rejects.push(reject(
                    "/datePublished",
                    d.to_owned(),
                    crate::ingest::fields::unparseable_time(),
                ));
                continue;
            }
            None => {
                out.rejects
                    .push(reject("/datePublished", String::new(), "no review date".into()));
                continue;
            }
        };
        let outcome = match outcome_of(&r, ratings) {
            Ok(o) => o,
            Err((value, reason)) => {
                out.rejects.push(reject("/reviewRating", value, reason));
                continue;
            }
        };
        // A verdict must judge a claim: without a claimant, only a story an earlier review's claimant made.
        if r.claimants.is_empty() && !stories_claimed.contains(&story) {
            out.rejects.push(reject(
                "/itemReviewed/author",
                String::new(),
                "no claimant named, and no earlier review of this story names one: its verdict would judge no claim"
                    .into(),
            ));
            continue;
        }
        if role == Role::Resolutions {
            if let Some(first) = resolved.get(&story) {
                out.rejects
                    .push(reject("", story.clone(), format!("story already resolved by {first}")));
                continue;
            }
            resolved.insert(story.clone(), reviewer.clone());
        }
        // The claims: each claimant asserts the story, when it was made (else when it was reviewed).
        for claimant in &r.claimants {
            let published = r
                .claim_date
                .as_deref()
                .and_then(crate::ingest::fields::time)
                .map_or_else(|| when.clone(), crate::numfmt::time);
            let id = format!("{story}#{claimant}");
            stories_claimed.insert(story.clone());
            if claims_seen.insert(id.clone()) {
                out.claims.push([
                    id,
                    claimant.clone(),
                    published,
                    story.clone(),
                    "asserts".into(),
                    r.claim_text.clone().unwrap_or_default(),
                ]);
            }
        }
        let url = r.review_url.clone().unwrap_or_default();
        out.verdicts.push(match role {
            Role::Resolutions => vec![story, outcome.as_str().into(), when, reviewer, url],
            Role::Responses => {
                let verdict = match outcome {
                    Outcome::True => "confirmed",
                    Outcome::False => "denied",
                    Outcome::Mixed => "partial",
                };
                let key = [story.clone(), reviewer.clone(), when.clone(), verdict.to_owned()];
                if let Some((f, l)) = answered.get(&key) {
                    out.rejects.push(reject(
                        "",
                        story.clone(),
                        format!("the same review again (first at {f}:{l})"),
                    ));
                    continue;
                }
                answered.insert(key, (file.clone(), r.line));
                // A page that reviews several claims gives each review its URL: the second and later get
                // `#2`, `#3`, … so that every response id is unique, as `score` requires.
                let base = if url.is_empty() {
                    format!("{story}@{reviewer}")
                } else {
                    url.clone()
                };
                let given = ids_given.entry(base.clone()).or_insert(0);
                *given += 1;
                let id = if *given == 1 { base } else { format!("{base}#{given}") };
                vec![
                    id,
                    story,
                    reviewer,
                    when,
                    verdict.into(),
                    r.rating.clone().unwrap_or_default(),
                ]
            }
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_normalise_and_map() {
        let t = RatingTable::default();
        assert_eq!(t.get("Pants on Fire!"), Some(Meaning::Outcome(Outcome::False)));
        assert_eq!(t.get("  HALF-TRUE "), Some(Meaning::Outcome(Outcome::Mixed)));
        assert_eq!(t.get("Mostly_true"), Some(Meaning::Outcome(Outcome::True)));
        assert_eq!(t.get("Satire"), Some(Meaning::Nothing));
        assert_eq!(t.get("Lizard people"), None);
        assert_eq!(normalise("  Four   Pinocchios. "), "four pinocchios");
    }

    #[test]
    fn a_table_with_a_contradiction_is_refused() {
        let err = RatingTable::parse("t.csv", "rating,outcome\nFalse,false\nfalse!,true\n").unwrap_err();
        assert!(err.to_string().contains("t.csv:3"), "{err}");
        let err = RatingTable::parse("t.csv", "rating,outcome\nx,maybe\n").unwrap_err();
        assert!(err.to_string().contains("expected true, false, mixed or none"), "{err}");
    }

    fn review(json: &str) -> Vec<Review> {
        let mut out = Vec::new();
        collect(&serde_json::from_str(json).unwrap(), String::new(), 1, &mut out);
        out
    }

    #[test]
    fn every_container_is_found_on_its_own_line() {
        let text = "{\"claims\": [\n  {\"text\": \"a [b] {c}\", \"n\": [1, -2.5e3, true, null],\n   \"claimReview\": [\n    \
                    {\"url\": \"x\"},\n    {\"a/b~c\": {}}]},\n  \"skip\", 7,\n  {\"claimReview\": [{}]}]}";
        let scan = containers(text, 10);
        let at = |p: &str| scan.lines.get(p).copied();
        assert_eq!(at(""), Some(10));
        assert_eq!(at("/claims"), Some(10));
        assert_eq!(at("/claims/0"), Some(11));
        assert_eq!(at("/claims/0/n"), Some(11));
        assert_eq!(at("/claims/0/claimReview"), Some(12));
        assert_eq!(at("/claims/0/claimReview/0"), Some(13));
        assert_eq!(at("/claims/0/claimReview/1"), Some(14));
        assert_eq!(at("/claims/0/claimReview/1/a~1b~0c"), Some(14));
        // A string and a number between them still count as elements.
        assert_eq!(at("/claims/3"), Some(16));
        assert_eq!(at("/claims/3/claimReview/0"), Some(16));
        assert_eq!(at("/claims/1"), None);
    }

    #[test]
    fn schema_org_reviews_are_read_at_any_depth() {
        let found = review(
            r#"{"@graph": [{"@type": ["ClaimReview"], "datePublished": "2025-06-25",
                "url": "https://fc.example/1", "claimReviewed": "A letter was handed over",
                "author": {"@type": "Organization", "name": "FactCheck Desk"},
                "itemReviewed": {"@type": "Claim", "author": {"name": "Wire"}, "datePublished": "2025-06-23",
                    "firstAppearance": {"@type": "CreativeWork", "url": "https://wire.example/letter"}},
                "reviewRating": {"@type": "Rating", "ratingValue": "2", "bestRating": "5", "worstRating": "1",
                    "alternateName": "Mostly false"}}]}"#,
        );
        assert_eq!(found.len(), 1);
        let r = &found[0];
        assert_eq!(r.pointer, "/@graph/0");
        assert_eq!(r.reviewer.as_deref(), Some("FactCheck Desk"));
        assert_eq!(r.claimants, ["Wire"]);
        assert_eq!(r.claim_url.as_deref(), Some("https://wire.example/letter"));
        assert_eq!(r.rating.as_deref(), Some("Mostly false"));
        assert_eq!(r.rating_value, Some((2.0, 5.0, 1.0)));
    }

    /// A claim of several authors is a claim of each (audit, session 23: only the first was kept).
    #[test]
    fn every_author_of_a_claim_makes_it() {
        let found = review(
            r#"{"@type": "ClaimReview", "claimReviewed": "The port is closed", "author": "FactCheck Desk",
                "datePublished": "2025-06-25", "reviewRating": {"alternateName": "False"},
                "itemReviewed": {"author": [{"name": "Wire"}, "Daily", {"name": "Wire"}]}}"#,
        );
        assert_eq!(found[0].claimants, ["Wire", "Daily"]);
        assert_eq!(found[0].unnamed, None);
        let out = rows(
            found.into_iter().map(|r| ("f.json".to_owned(), r)).collect(),
            &RatingTable::default(),
            Role::Resolutions,
        );
        let sources: Vec<&str> = out.claims.iter().map(|c| c[1].as_str()).collect();
        assert_eq!(sources, ["Wire", "Daily"]);
        assert_eq!(out.claims[0][3], out.claims[1][3], "one story");
        assert_eq!((out.verdicts.len(), out.rejects.len()), (1, 0));
        // An entry that names no one refuses the review (it was dropped without a word, audit of session
        // 24), named by its pointer.
        let found = review(
            r#"{"@type": "ClaimReview", "claimReviewed": "x", "author": "Desk", "datePublished": "2025-06-25",
                "reviewRating": {"alternateName": "False"}, "itemReviewed": {"author": ["Wire", 7]}}"#,
        );
        let out = rows(
            found.into_iter().map(|r| ("f.json".to_owned(), r)).collect(),
            &RatingTable::default(),
            Role::Resolutions,
        );
        assert_eq!((out.claims.len(), out.verdicts.len(), out.rejects.len()), (0, 0, 1));
        assert_eq!(out.rejects[0].column.as_deref(), Some("/itemReviewed/author/1"));
    }

    #[test]
    fn numeric_ratings_stand_in_for_unknown_words() {
        let t = RatingTable::default();
        let base = review(
            r#"{"@type": "ClaimReview", "claimReviewed": "x", "author": "A", "datePublished": "2025-01-01",
                "reviewRating": {"ratingValue": 5, "bestRating": 5, "worstRating": 1, "alternateName": "Spot on"}}"#,
        )
        .remove(0);
        assert_eq!(outcome_of(&base, &t), Ok(Outcome::True));
        let low = Review {
            rating_value: Some((1.5, 5.0, 1.0)),
            ..base.clone()
        };
        assert_eq!(outcome_of(&low, &t), Ok(Outcome::False));
        let mid = Review {
            rating_value: Some((3.0, 5.0, 1.0)),
            ..base.clone()
        };
        assert_eq!(outcome_of(&mid, &t), Ok(Outcome::Mixed));
        let none = Review {
            rating_value: None,
            ..base
        };
        assert!(outcome_of(&none, &t).unwrap_err().1.contains("not in the rating table"));
    }
}
