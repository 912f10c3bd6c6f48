//! Text to matching tokens: case, accents, punctuation and possessives folded away, function words
//! dropped, light suffix stripping, a few news synonyms merged, and names marked.
//!
//! Two texts about one event rarely share their wording ("handed Putin a letter" against "no written
//! message was delivered to President Putin"), but they share names and a handful of content words. The
//! normaliser maps surface variants of those onto one token: `Iran's`, `IRAN`, `Iranian` → `iran`;
//! `Araghchí` → `araghchi`; `letters` → `message`. A token is a *name* when it was written with a capital
//! letter somewhere other than the start of a sentence; names get more weight in matching
//! ([`super::index`]).

/// The weight factor of a token written as a name.
pub const NAME_BOOST: f32 = 1.5;

/// The weight factor of a token that starts with a digit (an amount, a date, a count).
pub const NUMBER_WEIGHT: f32 = 0.5;

/// Calls `f(token, is_name)` for every content token of `text`, in order. `buf` is scratch space reused
/// between calls, so the hot loop does not allocate.
///
/// ```
/// let mut toks = Vec::new();
/// credence::link::normalise::tokens("Iran's foreign minister handed Putin a letter", &mut String::new(), |t, n| {
///     toks.push((t.to_owned(), n))
/// });
/// assert_eq!(toks, [("iran".into(), false), ("foreign".into(), false), ("minister".into(), false),
///     ("deliver".into(), false), ("putin".into(), true), ("message".into(), false)]);
/// ```
pub fn tokens(text: &str, buf: &mut String, mut f: impl FnMut(&str, bool)) {
    let mut chars = text.chars().peekable();
    // Whether the next word starts a sentence (its capital then says nothing about it being a name).
    let mut sentence_start = true;
    while chars.peek().is_some() {
        buf.clear();
        let mut capital = false;
        let mut first = true;
        // Skip to the next word, noting sentence ends on the way.
        while let Some(&c) = chars.peek() {
            if c.is_alphanumeric() {
                break;
            }
            if matches!(c, '.' | '!' | '?' | ':' | '\n' | '"' | '“' | '”') {
                sentence_start = true;
            }
            chars.next();
        }
        while let Some(&c) = chars.peek() {
            if c.is_alphanumeric() {
                if first {
                    capital = c.is_uppercase();
                    first = false;
                }
                fold(c, buf);
                chars.next();
            } else if is_apostrophe(c) {
                chars.next();
                // A possessive `'s` ends the word; any other apostrophe inside a word is dropped
                // (O'Brien → obrien); a trailing one (Reuters') just ends it.
                let mut ahead = chars.clone();
                match (ahead.next(), ahead.next()) {
                    (Some('s' | 'S'), next) if next.is_none_or(|n| !n.is_alphanumeric()) => {
                        chars.next();
                        break;
                    }
                    (Some(n), _) if n.is_alphanumeric() => continue,
                    _ => break,
                }
            } else {
                break;
            }
        }
        if buf.is_empty() {
            continue;
        }
        let was_start = sentence_start;
        sentence_start = false;
        if is_stopword(buf) {
            continue;
        }
        let token = canonical(stem(buf));
        if token.is_empty() || is_stopword(token) {
            continue;
        }
        f(token, capital && !was_start);
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘' | '`')
}

/// Appends `c` lower-cased and without its accent.
fn fold(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for l in c.to_lowercase() {
        let plain = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ğ' | 'ģ' => "g",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
            'ķ' => "k",
            'ł' | 'ľ' | 'ļ' | 'ĺ' => "l",
            'ñ' | 'ń' | 'ň' | 'ņ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'ŕ' | 'ř' => "r",
            'ś' | 'š' | 'ş' | 'ș' => "s",
            'ť' | 'ţ' | 'ț' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ž' | 'ż' => "z",
            'ß' => "ss",
            'æ' => "ae",
            'œ' => "oe",
            'þ' => "th",
            other => {
                out.push(other);
                continue;
            }
        };
        out.push_str(plain);
    }
}

/// Strips the commonest English inflections, so that `letters`/`letter` and `delivered`/`deliver` meet.
/// Deliberately light: names must survive it (`Peskov`, `Araghchi`, `Reuters` → `reuter` on both sides).
fn stem(w: &str) -> &str {
    let n = w.len();
    if !w.is_ascii() || n <= 3 {
        return w;
    }
    if n > 6 && w.ends_with("ing") {
        return &w[..n - 3];
    }
    if n > 5 && w.ends_with("ied") {
        return DENY_LIKE
            .iter()
            .find(|(full, _)| *full == w)
            .map_or(&w[..n - 1], |(_, s)| s);
    }
    if n > 5 && w.ends_with("ed") && !w.ends_with("eed") {
        return &w[..n - 2];
    }
    if n > 4 && w.ends_with("ies") {
        return DENY_LIKE
            .iter()
            .find(|(full, _)| *full == w)
            .map_or(&w[..n - 1], |(_, s)| s);
    }
    if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        return &w[..n - 1];
    }
    w
}

/// `-ied`/`-ies` forms whose stem is not just the word less a letter.
const DENY_LIKE: [(&str, &str); 4] = [
    ("denied", "deny"),
    ("denies", "deny"),
    ("replied", "reply"),
    ("replies", "reply"),
];

/// Merges a few synonyms that news texts and official statements use for the same thing, and demonyms
/// with their country. Kept short on purpose: every entry is a word that decides real matches.
fn canonical(w: &str) -> &str {
    match w {
        "letter" | "note" | "missive" => "message",
        "hand" | "handover" | "pass" | "deliv" | "delivery" => "deliver",
        "denial" | "reject" | "dismiss" | "refute" => "deny",
        "talk" | "negotiation" => "talks",
        "truce" => "ceasefire",
        "russian" => "russia",
        "iranian" => "iran",
        "israeli" => "israel",
        "ukrainian" => "ukraine",
        "chinese" => "china",
        "syrian" => "syria",
        "iraqi" => "iraq",
        "turkish" => "turkey",
        "american" => "america",
        "european" => "eu",
        "saudi" => "saudi",
        _ => w,
    }
}

/// English function words and reporting verbs: they join every pair of texts, so they join none.
fn is_stopword(w: &str) -> bool {
    STOPWORDS.binary_search(&w).is_ok()
}

/// Sorted, for binary search (checked by a test).
const STOPWORDS: [&str; 132] = [
    "a",
    "about",
    "according",
    "after",
    "again",
    "against",
    "ago",
    "all",
    "also",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "claim",
    "could",
    "day",
    "did",
    "do",
    "does",
    "during",
    "each",
    "earlier",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "her",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "last",
    "late",
    "later",
    "made",
    "make",
    "may",
    "me",
    "might",
    "more",
    "most",
    "mr",
    "ms",
    "much",
    "must",
    "new",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "on",
    "one",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "report",
    "reported",
    "reportedly",
    "reports",
    "s",
    "said",
    "say",
    "says",
    "she",
    "should",
    "since",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "told",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokens(text, &mut String::new(), |t, _| out.push(t.to_owned()));
        out
    }

    fn names(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokens(text, &mut String::new(), |t, n| {
            if n {
                out.push(t.to_owned())
            }
        });
        out
    }

    #[test]
    fn stopwords_are_sorted() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    /// One line per case: the surface variants a matcher must fold together.
    #[test]
    fn normalisation_folds_case_accents_punctuation_and_possessives() {
        for (text, want) in [
            ("Iran's", vec!["iran"]),
            ("IRAN’S", vec!["iran"]),
            ("Iranian", vec!["iran"]),
            ("Araghchí", vec!["araghchi"]),
            ("Peskov:", vec!["peskov"]),
            ("Reuters'", vec!["reuter"]),
            ("Reuters", vec!["reuter"]),
            ("O'Brien", vec!["obrien"]),
            ("Iran–Israel", vec!["iran", "israel"]),
            ("letters", vec!["message"]),
            ("handed", vec!["deliver"]),
            ("delivered", vec!["deliver"]),
            ("denied", vec!["deny"]),
            ("Straße", vec!["strasse"]),
            ("30-day", vec!["30"]),
            ("the of and", vec![]),
        ] {
            assert_eq!(toks(text), want, "{text:?}");
        }
    }

    #[test]
    fn the_seed_pair_shares_its_content_words() {
        let claim = toks("Iran's foreign minister Abbas Araghchi handed Putin a letter from Khamenei");
        let answer = toks("No written message was delivered to President Putin");
        for shared in ["putin", "message", "deliver"] {
            assert!(
                claim.contains(&shared.to_owned()) && answer.contains(&shared.to_owned()),
                "{shared}"
            );
        }
    }

    #[test]
    fn capitals_mark_names_except_at_a_sentence_start() {
        assert_eq!(
            names("Officials met Putin. Kremlin aides said Peskov spoke."),
            vec!["putin", "peskov"]
        );
        assert!(names("").is_empty());
    }
}
