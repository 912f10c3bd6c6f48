//! JSON Lines inputs: one JSON object per line, its keys the column names of the CSV form.
//!
//! A JSON Lines file goes through the same pipeline as a CSV file: cut into blocks at line ends, each line
//! turned into the fields of the table's columns (in the order of its `Spec`), then
//! validated, counted and rejected exactly as a CSV row is. A key the table does not read is ignored, as an
//! unknown CSV column is; a missing key or `null` is an empty field. A line that is not a JSON object, an
//! object that gives a key twice (which value is meant is ambiguous), or a field that is an array or an
//! object, is rejected with its line and reason; blank lines are skipped. Line
//! numbers are the file's own (a JSON string cannot hold a raw line break, so every record is one line).

use std::path::Path;

use serde_json::Value;

use super::Refusal;

/// How a table file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// CSV with a header row.
    Csv,
    /// JSON Lines: no header, one object per line.
    Jsonl,
}

impl Layout {
    /// JSON Lines for a name ending in `.jsonl` or `.ndjson` (before any `.gz` or `.zst`), else CSV.
    pub fn of(path: &Path) -> Layout {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let name = ["gz", "zst", "zstd"]
            .iter()
            .find_map(|ext| name.strip_suffix(&format!(".{ext}")))
            .unwrap_or(&name);
        if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            Layout::Jsonl
        } else {
            Layout::Csv
        }
    }
}

impl Layout {
    /// The line breaks in a block, as its records count them (CSV also ends a line at a bare `\r`).
    pub(crate) fn line_breaks(self, bytes: &[u8]) -> u64 {
        match self {
            Layout::Csv => super::blocks::line_breaks(bytes),
            Layout::Jsonl => memchr::memchr_iter(b'\n', bytes).count() as u64,
        }
    }

    /// Calls `f(line, fields)` for every record of a block (lines from 1 at its start): the fields in the
    /// file's column order for CSV, in `names` order for JSON Lines, or why the line cannot be read.
    pub(crate) fn for_each_row(
        self,
        bytes: &[u8],
        names: &[&'static str],
        f: impl FnMut(u64, Result<&[&[u8]], Refusal>),
    ) {
        match self {
            Layout::Csv => super::claims::for_each_record(bytes, f),
            Layout::Jsonl => for_each_line(bytes, names, f),
        }
    }

    /// A reader of blocks of whole records.
    pub(crate) fn blocks<R: std::io::Read>(self, inner: R, target: usize) -> super::blocks::BlockReader<R> {
        match self {
            Layout::Csv => super::blocks::BlockReader::new(inner, target),
            Layout::Jsonl => super::blocks::BlockReader::lines(inner, target),
        }
    }
}

/// The keys of the first object in `bytes` (none when its first non-blank line is not a JSON object).
pub(crate) fn first_keys(bytes: &[u8]) -> Vec<String> {
    let line = bytes
        .split(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .unwrap_or_default();
    match serde_json::from_slice::<Value>(line) {
        Ok(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Calls `f(line, fields)` for every non-blank line of `bytes` (lines counted from 1 at the block's start),
/// with the values of `names` in that order, or the reason the line cannot be read.
pub(crate) fn for_each_line(bytes: &[u8], names: &[&'static str], mut f: impl FnMut(u64, Result<&[&[u8]], Refusal>)) {
    let mut owned: Vec<Vec<u8>> = Vec::with_capacity(names.len());
    for (k, mut line) in bytes.split(|&b| b == b'\n').enumerate() {
        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line_no = k as u64 + 1;
        match fields(line, names, &mut owned) {
            Ok(()) => {
                let slices: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
                f(line_no, Ok(&slices));
            }
            Err(r) => f(line_no, Err(r)),
        }
    }
}

/// A JSON object with the first key it gives twice, if any. serde_json's own map keeps the last of two
/// equal keys, so `{"story_id":"a","story_id":"b"}` would be read as story `b` with nothing said; the
/// line is ambiguous and is refused instead.
struct Object {
    map: serde_json::Map<String, Value>,
    repeated: Option<String>,
}

impl<'de> serde::Deserialize<'de> for Object {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Reads an object's entries in order, keeping the first value of a repeated key and noting the key.
struct ObjectVisitor;

impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
    type Value = Object;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut entries: A) -> Result<Object, A::Error> {
        let mut object = Object {
            map: serde_json::Map::new(),
            repeated: None,
        };
        // Every entry is read, so that a later syntax error is still reported as one.
        while let Some(key) = entries.next_key::<String>()? {
            let value: Value = entries.next_value()?;
            match object.map.entry(key) {
                serde_json::map::Entry::Vacant(new) => {
                    new.insert(value);
                }
                serde_json::map::Entry::Occupied(seen) => {
                    object.repeated.get_or_insert_with(|| seen.key().clone());
                }
            }
        }
        Ok(object)
    }
}

/// Parses one line into the values of `names`.
fn fields(line: &[u8], names: &[&'static str], out: &mut Vec<Vec<u8>>) -> Result<(), Refusal> {
    let whole_line = |reason: String| Refusal {
        column: None,
        value: Some(String::from_utf8_lossy(line).chars().take(200).collect()),
        reason,
    };
    let invalid = |e: serde_json::Error| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or_default().to_owned();
        whole_line(format!("invalid JSON at column {}: {message}", e.column()))
    };
    // An object is read entry by entry (to see a repeated key); anything else only to say what it is.
    if line.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        serde_json::from_slice::<Value>(line).map_err(invalid)?;
        return Err(whole_line("not a JSON object".into()));
    }
    let Object { map, repeated } = serde_json::from_slice(line).map_err(invalid)?;
    if let Some(key) = repeated {
        return Err(Refusal {
            column: names.iter().copied().find(|name| *name == key),
            ..whole_line(format!(
                "key {key:?} appears twice in the object; which of its values is meant is ambiguous"
            ))
        });
    }
    out.clear();
    for name in names {
        let field = match map.get(*name) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => s.clone().into_bytes(),
            Some(Value::Bool(b)) => b.to_string().into_bytes(),
            Some(Value::Number(n)) => n.to_string().into_bytes(),
            Some(other @ (Value::Array(_) | Value::Object(_))) => {
                return Err(Refusal {
                    column: Some(name),
                    value: Some(other.to_string().chars().take(200).collect()),
                    reason: "expected a string, number or boolean".into(),
                });
            }
        };
        out.push(field);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str, names: &[&'static str]) -> Vec<(u64, Result<Vec<String>, String>)> {
        let mut out = Vec::new();
        for_each_line(text.as_bytes(), names, |line, r| {
            out.push((
                line,
                r.map(|f| f.iter().map(|b| String::from_utf8_lossy(b).into_owned()).collect())
                    .map_err(|e| e.reason),
            ));
        });
        out
    }

    #[test]
    fn keys_become_fields_in_the_tables_order() {
        let got = collect(
            "{\"b\": \"x\", \"a\": 1.5, \"z\": [1]}\n\n{\"a\": true, \"b\": null}\r\n{\"b\": \"line\\nbreak\"}",
            &["a", "b"],
        );
        let ok = |v: &[&str]| Ok(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            got,
            [
                (1, ok(&["1.5", "x"])),
                (3, ok(&["true", ""])),
                (4, ok(&["", "line\nbreak"]))
            ]
        );
    }

    #[test]
    fn bad_lines_are_refused_with_their_reason() {
        let got = collect("[1,2]\n{\"a\": {\"x\": 1}}\n{\"a\": \n\"ok\"", &["a"]);
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].1, Err("not a JSON object".into()));
        assert_eq!(got[1].1, Err("expected a string, number or boolean".into()));
        assert!(
            got[2].1.as_ref().unwrap_err().starts_with("invalid JSON"),
            "{:?}",
            got[2]
        );
        assert_eq!(got[3].0, 4);
    }

    /// serde_json's map keeps the last of two equal keys; before, `{"a":"x","a":"y"}` was read as `y`. Any
    /// repeated key refuses the line, one the table does not read included (the column is then empty); the
    /// same name under another escape is the same key.
    #[test]
    fn a_key_given_twice_is_refused() {
        let text = concat!(
            "{\"a\": \"x\", \"b\": 1, \"a\": \"y\"}\n",
            "{\"a\": \"x\", \"note\": 1, \"note\": 2}\n",
            "{\"a\": \"x\", \"\\u0061\": \"x\"}\n",
            "{\"a\": \"x\", \"a\": \"x\", \"b\": }\n",
            "{\"a\": \"ok\", \"b\": 2}\n",
        );
        let mut got = Vec::new();
        for_each_line(text.as_bytes(), &["a", "b"], |line, r| {
            got.push((line, r.map(|f| f.len()).map_err(|e| (e.column, e.reason))));
        });
        let twice = |column, key: &str| {
            Err((
                column,
                format!("key \"{key}\" appears twice in the object; which of its values is meant is ambiguous"),
            ))
        };
        assert_eq!(got[0], (1, twice(Some("a"), "a")));
        assert_eq!(got[1], (2, twice(None, "note")));
        assert_eq!(got[2], (3, twice(Some("a"), "a")));
        // A syntax error after the repeat is reported as invalid JSON.
        assert!(
            matches!(&got[3], (4, Err((None, r))) if r.starts_with("invalid JSON at column")),
            "{got:?}"
        );
        assert_eq!(got[4], (5, Ok(2)));
        assert_eq!(got.len(), 5);
    }

    #[test]
    fn layouts_follow_the_name() {
        for (name, want) in [
            ("a.jsonl", Layout::Jsonl),
            ("a.NDJSON", Layout::Jsonl),
            ("a.jsonl.gz", Layout::Jsonl),
            ("a.jsonl.zst", Layout::Jsonl),
            ("a.csv", Layout::Csv),
            ("a.json", Layout::Csv),
            ("-", Layout::Csv),
        ] {
            assert_eq!(Layout::of(Path::new(name)), want, "{name}");
        }
    }
}
