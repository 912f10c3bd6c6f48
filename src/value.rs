//! Values of multi-valued claims, and how two of them are judged the same.
//!
//! A claim with a `value` says what an attribute of its story is (a book's authors, a city's population, a
//! crowd task's label); two claims agree when their values are equal after [`normalize`], which depends on
//! the [`ValueKind`]:
//!
//! | kind | normalised form |
//! |---|---|
//! | `text` | Unicode lowercase, runs of white space as one space, punctuation trimmed at both ends |
//! | `label` | as `text`; the values form one label set shared by every story (crowd labels) |
//! | `number` | the number rounded to [`SIGNIFICANT_DIGITS`] significant digits; `,`, `_` and spaces inside are dropped |
//! | `time` | the instant in RFC 3339, UTC, to the second, fractions dropped (`2025-06-23T14:05:00Z`; read in the same forms as `published_at`; years 0000 to 9999) |
//! | `list` | the set of name words: HTML entities decoded (`&eacute;`, `&#233;`), UTF-8 misread as Latin-1 repaired, text in parentheses or brackets dropped, lowercased, diacritics folded (`é` → `e`, `ß` → `ss`), apostrophes joined, split at every other character that is not a letter or digit (spaces, `;`, `,`, `.`, `/`, `-`), one-letter words (initials), numbers and the words of `NOT_NAMES` dropped, sorted, deduplicated, joined by `; ` |
//!
//! Rounding, not a tolerance, decides numbers, so that equality stays transitive: 478403 and 478,403 are
//! one value, 478403 and 478400 are two.
//!
//! Lists compare as sets of words, not of items, because author lists are written in every order and
//! layout ("Knuth, Donald E.", "Donald E. Knuth", "Knuth, D. E."): the words of "Knuth, Donald E." and
//! "Donald Knuth" are the same set once initials are dropped. Two authors with the same words in other
//! roles (first and last name swapped between them) would compare equal. What bookstores add around the
//! names is no part of them and goes: roles and affiliations in parentheses ("(Joint Author)", "(Arizona
//! State University, USA)"), role words and connectives outside them ("By (author)", "Edited by", "et al."),
//! life dates; what web pages do to names is undone: HTML entities ("Zo&eacute;"), UTF-8 read as Latin-1
//! ("MarcadÃ©"), diacritics that some stores drop ("Stützle", "Stutzle"), initials run into a name
//! ("W.Richard"). Hyphenated given names split ("Heinz-Gerd" is "heinz; gerd", as "Heinz Gerd" is).
//! Not undone: names run together ("PETERALLEN"), nicknames ("Dan", "Daniel"), two initials written as
//! one word ("James CE Johnson", which reads as a two-letter name). On the book data set this matching lets
//! 97 of the 100 gold author lists be matched by some bookstore's claim, against 96 with the words only
//! split at `;`, `,`, ` and ` and white space and 91 when initials are also kept (counted with the
//! converter's output).

use serde::Serialize;

/// Significant digits a number keeps before comparison.
pub const SIGNIFICANT_DIGITS: i32 = 6;

/// How values are normalised and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// Free text.
    #[default]
    Text,
    /// Class labels from one set shared by every story.
    Label,
    /// Numbers.
    Number,
    /// Times.
    Time,
    /// Sets of items, such as author lists.
    List,
}

impl ValueKind {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Text => "text",
            ValueKind::Label => "label",
            ValueKind::Number => "number",
            ValueKind::Time => "time",
            ValueKind::List => "list",
        }
    }
}

/// Text: lowercase, white space collapsed, punctuation trimmed at the ends.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out.trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_owned()
}

fn number(s: &str) -> Option<String> {
    let cleaned: String = s.chars().filter(|c| !matches!(c, ',' | '_' | ' ')).collect();
    let x: f64 = cleaned.parse().ok()?;
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some("0".to_owned());
    }
    let magnitude = x.abs().log10().floor() as i32;
    let digits = SIGNIFICANT_DIGITS - 1 - magnitude;
    // Scale by a power of ten that is exact in binary (10^k, 0 ≤ k ≤ 22), so that the rounded number
    // comes back exactly: dividing by an inexact 10^-9 wrote 126,118,000,000,000 as 126117999999999.98,
    // and that one number's spurious decimals set the data's resolution (`model::numeric::resolution`).
    // Beyond that no power of ten is exact (and below 1e-303 the scale overflows, which made a tiny number
    // NaN), so the decimal rounding is left to the formatter, which rounds the exact binary value
    // correctly, and read back; such a number is written in scientific notation (`1e-310`, not three
    // hundred zeros).
    if digits.abs() > 22 {
        let decimal = format!("{:.*e}", (SIGNIFICANT_DIGITS - 1) as usize, x);
        let rounded: f64 = decimal.parse().ok()?;
        return Some(format!("{rounded:e}"));
    }
    let rounded = if digits >= 0 {
        let scale = 10f64.powi(digits);
        (x * scale).round() / scale
    } else {
        let unit = 10f64.powi(-digits);
        (x / unit).round() * unit
    };
    Some(format!("{rounded}"))
}

/// The HTML 4 names of U+00A0 to U+00FF, in code point order (stores scrape their lists from web pages).
const LATIN1_ENTITIES: [&str; 96] = [
    "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo", "not", "shy",
    "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil", "sup1", "ordm",
    "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig",
    "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve",
    "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN",
    "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute", "ecirc",
    "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml",
    "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
];

/// The character an HTML entity's name (between `&` and `;`) stands for: `&amp;`, `&quot;`, `&apos;`,
/// `&lt;`, `&gt;`, the Latin-1 names and numeric references (`&#233;`, `&#xE9;`).
fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code);
    }
    match name {
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "lt" => Some('<'),
        "gt" => Some('>'),
        _ => {
            let i = LATIN1_ENTITIES.iter().position(|&n| n == name)?;
            char::from_u32(0xA0 + i as u32)
        }
    }
}

/// `s` with its HTML entities decoded; an `&` that starts no known entity stays as it is.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest[1..]
            .find(';')
            .filter(|&end| end <= 8)
            .and_then(|end| Some((entity(&rest[1..=end])?, end + 2)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// UTF-8 that was read as Latin-1 ("MarcadÃ©" for "Marcadé"), read back as UTF-8; any other text as it is.
/// Only text whose characters are all below U+0100 and whose bytes then form valid UTF-8 with at least one
/// multi-byte character is changed, which text genuinely written in Latin-1 letters practically never is.
fn repair_mojibake(s: String) -> String {
    if s.is_ascii() || s.chars().any(|c| c as u32 > 0xFF) {
        return s;
    }
    let bytes: Vec<u8> = s.chars().map(|c| c as u32 as u8).collect();
    match String::from_utf8(bytes) {
        Ok(fixed) => fixed,
        Err(_) => s,
    }
}

/// Lowercase Latin letters with diacritics and what each folds to; apostrophes join ("O'Brien" is one
/// word, "obrien").
const FOLDS: &[(&str, &str)] = &[
    ("àáâãäåāăą", "a"),
    ("æ", "ae"),
    ("çćĉċč", "c"),
    ("ðďđ", "d"),
    ("èéêëēĕėęě", "e"),
    ("ĝğġģ", "g"),
    ("ĥħ", "h"),
    ("ìíîïĩīĭįı", "i"),
    ("ĳ", "ij"),
    ("ĵ", "j"),
    ("ķ", "k"),
    ("ĺļľŀł", "l"),
    ("ñńņň", "n"),
    ("òóôõöøōŏő", "o"),
    ("œ", "oe"),
    ("ŕŗř", "r"),
    ("śŝşš", "s"),
    ("ß", "ss"),
    ("ţťŧ", "t"),
    ("þ", "th"),
    ("ùúûüũūŭůűų", "u"),
    ("ŵ", "w"),
    ("ýÿŷ", "y"),
    ("źżž", "z"),
    ("'’`", ""),
];

/// Words of an author list that name no one: connectives, and the roles and marks of bibliographic
/// records ("By (author)", "Edited by", "edt", the MARC relator code for editor); "et al." goes as a
/// phrase ("Al" alone is a name).
const NOT_NAMES: &[&str] = &[
    "and", "with", "by", "author", "authors", "joint", "edited", "editor", "editors", "edt", "eds", "etc",
];

/// `s` without the text inside parentheses or brackets, nested or not (an unclosed one runs to the end):
/// in author lists these hold roles, affiliations and dates ("(Joint Author)", "(Arizona State
/// University, USA)", "(1835-1910)"), never another author.
fn drop_bracketed(s: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' if depth > 0 => {
                depth -= 1;
                out.push(' ');
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn list(s: &str) -> String {
    let lower = drop_bracketed(&repair_mojibake(decode_entities(s))).to_lowercase();
    let mut folded = String::with_capacity(lower.len());
    for c in lower.chars() {
        match FOLDS.iter().find(|(from, _)| from.contains(c)) {
            Some((_, to)) => folded.push_str(to),
            None => folded.push(c),
        }
    }
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let et_al = |i: usize| match words[i] {
        "et" => words.get(i + 1) == Some(&"al"),
        "al" => i > 0 && words[i - 1] == "et",
        _ => false,
    };
    let mut items: Vec<&str> = (0..words.len())
        .filter(|&i| !et_al(i))
        .map(|i| words[i])
        .filter(|w| w.chars().count() > 1 && !w.chars().all(char::is_numeric) && !NOT_NAMES.contains(w))
        .collect();
    items.sort_unstable();
    items.dedup();
    items.join("; ")
}

/// Why `raw` is not a value of `kind` (what [`normalize`] refused), for a reject's reason: for times, the
/// forms that are read, or the years a time must fall in.
pub fn refusal(kind: ValueKind, raw: &str) -> String {
    match kind {
        ValueKind::Time if crate::ingest::fields::time(raw.trim()).is_some() => {
            "not a time value: in UTC it falls outside the years 0000 to 9999".to_owned()
        }
        ValueKind::Time => format!("not a time value: give {}", crate::ingest::fields::TIME_FORMS),
        _ => format!("not a {} value", kind.as_str()),
    }
}

/// The normalised form of `raw`, or `None` when it is not a value of this kind (an unparseable number or
/// time, or nothing left after normalising).
///
/// ```
/// use credence::value::{normalize, ValueKind};
/// assert_eq!(normalize(ValueKind::Text, "  The  Art, ").as_deref(), Some("the art"));
/// assert_eq!(normalize(ValueKind::Number, "478,403").as_deref(), Some("478403"));
/// assert_eq!(normalize(ValueKind::Number, "1234567.8").as_deref(), Some("1234570"));
/// assert_eq!(normalize(ValueKind::Time, "2025-06-23").as_deref(), Some("2025-06-23T00:00:00Z"));
/// assert_eq!(
///     normalize(ValueKind::List, "Knuth, Donald E.; Graham and Patashnik").as_deref(),
///     Some("donald; graham; knuth; patashnik")
/// );
/// assert_eq!(normalize(ValueKind::Number, "many"), None);
/// ```
pub fn normalize(kind: ValueKind, raw: &str) -> Option<String> {
    let v = match kind {
        ValueKind::Text | ValueKind::Label => text(raw),
        ValueKind::Number => number(raw)?,
        ValueKind::Time => {
            let t = crate::numfmt::time(crate::ingest::fields::time(raw.trim())?);
            // Only years 0000 to 9999 are written in the form that reads back (and sorts by time): 23:59
            // on the last day of 9999 at −01:00 is `+10000-…`, which no reader takes.
            (t.len() == 20 && t.as_bytes()[4] == b'-').then_some(t)?
        }
        ValueKind::List => list(raw),
    };
    (!v.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One line per case: kind, input, normalised form (hand-worked).
    #[test]
    fn normal_forms() {
        let cases: &[(ValueKind, &str, Option<&str>)] = &[
            (ValueKind::Text, "Hello\t World!", Some("hello world")),
            (ValueKind::Text, "ÄRGER", Some("ärger")),
            (ValueKind::Text, "...", None),
            (ValueKind::Label, " 1 ", Some("1")),
            (ValueKind::Number, "1 583", Some("1583")),
            (ValueKind::Number, "1583.0", Some("1583")),
            (ValueKind::Number, "0.000123456789", Some("0.000123457")),
            (ValueKind::Number, "-42", Some("-42")),
            // Large numbers round to whole ones without binary noise (was 126117999999999.98).
            (ValueKind::Number, "126118000000000", Some("126118000000000")),
            (ValueKind::Number, "126,117,812,345,678", Some("126118000000000")),
            (ValueKind::Number, "61704", Some("61704")),
            (ValueKind::Number, "1234567", Some("1234570")),
            (ValueKind::Number, "0", Some("0")),
            (ValueKind::Number, "inf", None),
            (
                ValueKind::Time,
                "2025-06-23T17:05:00+03:00",
                Some("2025-06-23T14:05:00Z"),
            ),
            (ValueKind::Time, "2025-06-23 14:05:00.9", Some("2025-06-23T14:05:00Z")),
            (ValueKind::Time, "0001-01-01", Some("0001-01-01T00:00:00Z")),
            (
                ValueKind::Time,
                "0001-01-01T00:00:00+01:00",
                Some("0000-12-31T23:00:00Z"),
            ),
            (ValueKind::Time, "9999-12-31T23:59:59-01:00", None),
            (ValueKind::Time, "yesterday", None),
            (ValueKind::List, "bo; al ;al", Some("al; bo")),
            (
                ValueKind::List,
                "aiken, peter ;  allen, m. david;",
                Some("aiken; allen; david; peter"),
            ),
            (ValueKind::List, "Not Available", Some("available; not")),
            (ValueKind::List, "J. R.", None),
            // Roles, affiliations, dates and connectives name no one.
            (
                ValueKind::List,
                "Stevens, W. Richard (Author) Wright, Gary R. (Joint Author)",
                Some("gary; richard; stevens; wright"),
            ),
            (
                ValueKind::List,
                "By (author) Pooley, Rob By (author) Wilcox, Pauline",
                Some("pauline; pooley; rob; wilcox"),
            ),
            (
                ValueKind::List,
                "Edited by Jones, Karen Sparck Edited by Willett, Peter",
                Some("jones; karen; peter; sparck; willett"),
            ),
            (
                ValueKind::List,
                "Lacroix, Zoe (Arizona State University, USA)",
                Some("lacroix; zoe"),
            ),
            (ValueKind::List, "Twain, Mark, 1835-1910", Some("mark; twain")),
            (ValueKind::List, "Huston Stephen D. et al", Some("huston; stephen")),
            (ValueKind::List, "Al Gore; Et Al.", Some("al; gore")),
            (ValueKind::List, "Smith, Ann (ed. [2nd", Some("ann; smith")),
            // Entities, misread UTF-8 and diacritics.
            (ValueKind::List, "Marcad&eacute;, Erik", Some("erik; marcade")),
            (ValueKind::List, "Marcad&Atilde;&copy;, Erik", Some("erik; marcade")),
            (ValueKind::List, "St&#252;tzle &amp; Hoos", Some("hoos; stutzle")),
            (ValueKind::List, "Stützle, Thomas", Some("stutzle; thomas")),
            (ValueKind::List, "Weiß; Łukasz", Some("lukasz; weiss")),
            (ValueKind::List, "Tom &unknown; O'Brien", Some("obrien; tom; unknown")),
            // Initials run into a name, slashes, hyphens.
            (
                ValueKind::List,
                "Stevens, W.Richard/ Wright",
                Some("richard; stevens; wright"),
            ),
            (ValueKind::List, "Reddy, J.N.", Some("reddy")),
            (ValueKind::List, "Heinz-Gerd Hegering", Some("gerd; hegering; heinz")),
        ];
        for &(kind, raw, want) in cases {
            assert_eq!(normalize(kind, raw).as_deref(), want, "{kind:?} {raw:?}");
        }
    }

    /// A refused value's reason says what would be read: for a time, its forms, or its years where the form
    /// is right (audit: a well-formed time outside them was blamed on its form).
    #[test]
    fn refusals_say_why() {
        assert_eq!(refusal(ValueKind::Number, "many"), "not a number value");
        assert!(refusal(ValueKind::Time, "soon").starts_with("not a time value: give YYYY-MM-DD or an RFC 3339"));
        for raw in ["9999-12-31T23:59:59-05:00", "0000-01-01T00:00:00+01:00"] {
            assert_eq!(normalize(ValueKind::Time, raw), None, "{raw}");
            assert_eq!(
                refusal(ValueKind::Time, raw),
                "not a time value: in UTC it falls outside the years 0000 to 9999"
            );
        }
    }

    /// A normal form is its own normal form, so a value written to `stories.csv` and given back (as gold to
    /// `eval`, or as a claim of a later run) names the same value.
    #[test]
    fn normal_forms_are_fixed_points() {
        let cases: &[(ValueKind, &str)] = &[
            (ValueKind::Text, " The  Art, "),
            (ValueKind::Number, "126,117,812,345,678"),
            (ValueKind::Number, "1e-310"),
            (ValueKind::Number, "-0.000123456789"),
            (ValueKind::Time, "2025-06-23T17:05:00+03:00"),
            (ValueKind::Time, "0001-01-01"),
            (ValueKind::Time, "9999-12-31 23:59:59"),
            (ValueKind::Time, "0001-01-01T00:00:00+01:00"),
            (ValueKind::Time, "1969-07-20T20:17:40.5"),
            (ValueKind::List, "Knuth, Donald E.; Graham and Patashnik"),
        ];
        for &(kind, raw) in cases {
            let once = normalize(kind, raw).unwrap();
            assert_eq!(
                normalize(kind, &once).as_deref(),
                Some(once.as_str()),
                "{kind:?} {raw:?}"
            );
        }
    }

    /// Numbers far from 1 round to six significant digits too: below 1e-303 the scale by a power of ten
    /// overflowed and turned a finite claim into NaN, and beyond 10^22 no power of ten is exact, so 1e308
    /// came back as 1.00000000000000006e308.
    #[test]
    fn tiny_and_huge_numbers_round_to_six_digits() {
        let number = |raw: &str| normalize(ValueKind::Number, raw).map(|v| v.parse::<f64>().unwrap());
        for (raw, want) in [
            ("1e-310", 1e-310),
            ("5e-324", 5e-324),
            ("-1.23456789e-307", -1.23457e-307),
            ("1.234564999e-20", 1.23456e-20),
            ("1e308", 1e308),
            ("-9.876543e300", -9.87654e300),
            ("1.2345678e25", 1.23457e25),
        ] {
            assert_eq!(number(raw), Some(want), "{raw}");
        }
        assert_eq!(normalize(ValueKind::Number, "1e-400").as_deref(), Some("0"));
        assert_eq!(
            normalize(ValueKind::Number, "0.00000000000000000001").as_deref(),
            Some("1e-20")
        );
        assert_eq!(
            normalize(ValueKind::Number, "-12345678e300").as_deref(),
            Some("-1.23457e307")
        );
        // The usual range is written out as before.
        assert_eq!(
            normalize(ValueKind::Number, "6.6e18").as_deref(),
            Some("6600000000000000000")
        );
        assert_eq!(
            normalize(ValueKind::Number, "0.000123456789").as_deref(),
            Some("0.000123457")
        );
        assert_eq!(normalize(ValueKind::Number, "1e309"), None);
    }

    #[test]
    fn equal_numbers_in_other_formats_agree() {
        assert_eq!(
            normalize(ValueKind::Number, "478403"),
            normalize(ValueKind::Number, "478,403.0")
        );
        assert_ne!(
            normalize(ValueKind::Number, "478403"),
            normalize(ValueKind::Number, "478400")
        );
    }
}
