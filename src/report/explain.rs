//! `credence explain`'s text: one source's scores and its evidence trail ([`crate::report::trail`]), as
//! plain aligned text for a terminal.
//!
//! Text from the input is printed with its control characters escaped (`\u{1b}` for an escape), so a
//! claim's text cannot move the cursor or recolour the terminal.

use std::fmt::Write;

use crate::numfmt::float;
use crate::report::rundir::{RunDir, StoryRow};
use crate::report::trail::{Entry, Trails};

/// Input text made safe for a terminal: control characters (line breaks included) and the controls of
/// bidirectional text (which can make a name read backwards, or move the text after it) are escaped.
pub fn terminal_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || bidi_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `c` controls the direction of bidirectional text (a right-to-left override, an isolate, a mark):
/// shown raw, it can make a name read backwards or move the text after it.
pub fn bidi_control(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Input text for between double quotes in a terminal: as [`terminal_text`], with `"` and `\` escaped so
/// that a value holding a quote cannot seem to end early.
pub fn quoted_text(s: &str) -> String {
    terminal_text(&s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A signed contribution with six decimals: `+0.354841`, `-0.645159`, `0.000000`.
pub fn signed(x: f64) -> String {
    let s = float(x);
    if s.starts_with('-') || s == "0.000000" {
        s
    } else {
        format!("+{s}")
    }
}

/// Columns padded to their widest cell (counted in characters), two spaces apart, trailing spaces cut.
fn aligned(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|k| {
            rows.iter()
                .filter_map(|r| r.get(k))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (k, cell) in r.iter().enumerate() {
            if k > 0 {
                line.push_str("  ");
            }
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', widths[k] - cell.chars().count()));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The text `credence explain` prints for `run.sources[index]`, whose trail is `trails.sources[index]`.
pub fn explain_text(run: &RunDir, trails: &Trails, index: usize) -> String {
    let s = &run.sources[index];
    let t = &trails.sources[index];
    let level = run.summary.level();
    let mut out = String::new();
    let _ = writeln!(out, "{}", terminal_text(&s.name));
    let facts = vec![
        vec!["rank".to_owned(), format!("{} of {}", s.rank, run.sources.len())],
        vec![
            "reliability".to_owned(),
            format!(
                "{}  ({}% interval {} to {})",
                float(s.reliability),
                percent(level),
                float(s.ci_low),
                float(s.ci_high)
            ),
        ],
        vec![
            "claims".to_owned(),
            format!("{}: {} original, {} relays", s.claims, s.originals, s.relays),
        ],
        vec![
            "credited".to_owned(),
            format!("{} reports (its own and those relayed from it)", s.credited),
        ],
        vec![
            "answered".to_owned(),
            format!(
                "{} of its claims on answered stories, {} on resolved ones",
                s.answered, s.resolved
            ),
        ],
        vec![
            "evidence".to_owned(),
            format!(
                "{} judged reports: support {}, against {}",
                float(s.evidence),
                float(s.support),
                float(s.against)
            ),
        ],
        vec![
            "prior mean".to_owned(),
            format!(
                "{} (Beta({}, {}), {})",
                float(run.summary.prior.mean),
                float(run.summary.prior.alpha),
                float(run.summary.prior.beta),
                run.summary.prior.method
            ),
        ],
    ];
    for line in aligned(&facts).lines() {
        let _ = writeln!(out, "  {line}");
    }
    out.push('\n');
    if !trails.has_claims {
        out.push_str("No claims.csv in this run (a merge given no claims files), so no evidence trail.\n");
        return out;
    }
    let _ = writeln!(
        out,
        "Reports that moved its score most ({} on its record, {} judged; contribution = weight × (p_correct − {})):",
        t.reports,
        t.judged,
        float(trails.prior_mean)
    );
    if t.entries.is_empty() {
        out.push_str("  none: no claim in claims.csv is credited to it\n");
    }
    // Weights other than 1 exist only when relays carry weight (`--relay-weight`).
    let weighted = run.summary.relay_weight() > 0.0;
    let mut header = vec!["#", "contribution", "verdict", "p_correct", "stance"];
    if weighted {
        header.push("weight");
    }
    header.push("story");
    let mut rows = vec![header.into_iter().map(str::to_owned).collect::<Vec<_>>()];
    for (k, e) in t.entries.iter().enumerate() {
        let mut row = vec![
            (k + 1).to_string(),
            signed(e.contribution),
            e.verdict.as_str().to_owned(),
            float(e.p_correct),
            e.stance.as_str().to_owned(),
        ];
        if weighted {
            row.push(float(e.weight));
        }
        row.push(terminal_text(&e.story_id));
        rows.push(row);
    }
    let table = aligned(&rows);
    let mut lines = table.lines();
    if let Some(header) = lines.next().filter(|_| !t.entries.is_empty()) {
        let _ = writeln!(out, "  {header}");
    }
    for (line, e) in lines.zip(&t.entries) {
        let _ = writeln!(out, "  {line}");
        for detail in entry_details(e, &s.name) {
            let _ = writeln!(out, "       {detail}");
        }
    }
    for note in &trails.inputs {
        if let Some(problem) = &note.problem {
            let _ = writeln!(
                out,
                "\nnote: the {} file {} could not be read ({}); the trail shows what claims.csv holds",
                note.kind,
                terminal_text(&note.file),
                terminal_text(problem)
            );
        }
    }
    out
}

/// The lines under one report: its claims, its resolution, the responses to its story.
fn entry_details(e: &Entry, owner: &str) -> Vec<String> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (k, c) in e.claims.iter().enumerate() {
        let mut what = format!(
            "{} {}",
            terminal_text(&c.claim_id),
            if c.relay {
                format!("relay by {}", terminal_text(&c.source))
            } else {
                format!("by {}", terminal_text(&c.source))
            }
        );
        // On the relaying outlet's own record (with a relay weight), say whose report it relays.
        if let Some(of) = c.relays.as_deref().filter(|of| *of != owner) {
            let _ = write!(what, " (relaying {})", terminal_text(of));
        }
        if let Some(at) = c.published_at.as_deref().filter(|a| !a.is_empty()) {
            let _ = write!(what, ", {}", terminal_text(at));
        }
        if let Some(value) = &c.value {
            let _ = write!(what, ", value \"{}\"", quoted_text(value));
        }
        if let Some(text) = &c.text {
            let _ = write!(what, ": \"{}\"", terminal_text(text));
        }
        rows.push(vec![if k == 0 { "claims:" } else { "" }.to_owned(), what]);
    }
    if e.more_claims > 0 {
        rows.push(vec![String::new(), format!("and {} more claims", e.more_claims)]);
    }
    if let Some(story) = &e.story {
        rows.push(vec!["story:".to_owned(), story_conclusion(story, quoted_text)]);
    }
    if let Some(r) = &e.resolution {
        let mut what = format!("{}, {}", r.outcome.as_str(), terminal_text(&r.resolved_at));
        if !r.resolver.is_empty() {
            let _ = write!(what, ", by {}", terminal_text(&r.resolver));
        }
        rows.push(vec!["resolution:".to_owned(), what]);
    }
    for (k, r) in e.responses.iter().enumerate() {
        let mut what = format!(
            "{}, {}, {}",
            terminal_text(&r.responder),
            terminal_text(&r.responded_at),
            r.verdict.as_str()
        );
        if !r.text.is_empty() {
            let _ = write!(what, ": \"{}\"", terminal_text(&r.text));
        }
        if !r.standing {
            what.push_str(" (superseded by a later answer)");
        }
        rows.push(vec![if k == 0 { "responses:" } else { "" }.to_owned(), what]);
    }
    // A fixed label width, so that the details of every report line up with each other.
    rows.iter().map(|r| format!("{:<12}{}", r[0], r[1])).collect()
}

/// What a run concluded about a story with values, its text made safe by `safe`: `most probable value
/// "61704", probability 0.912345, claimed by 3 independent sources, estimate 61710.500000`.
pub fn story_conclusion(story: &StoryRow, safe: impl Fn(&str) -> String) -> String {
    let mut what = match story.probability.filter(|_| !story.value.is_empty()) {
        None => "undecided: the method chose no value".to_owned(),
        Some(p) => format!(
            "most probable value \"{}\", probability {}, claimed by {} independent source{}",
            safe(&story.value),
            float(p),
            story.independent_sources,
            if story.independent_sources == 1 { "" } else { "s" }
        ),
    };
    // A number story's estimate stands even where no value was chosen (a tie under vote: its median).
    if let Some(e) = story.estimate {
        let _ = write!(what, ", estimate {}", float(e));
    }
    what
}

/// A level as a percentage without needless decimals: 0.95 → "95", 0.975 → "97.5".
pub fn percent(level: f64) -> String {
    let s = format!("{:.4}", level * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(terminal_text("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\\nc");
        assert_eq!(terminal_text("Agence France-Presse"), "Agence France-Presse");
        // A right-to-left override would show "Reuters\u{202e}sserp" as "Reuters" and "press" reversed.
        assert_eq!(terminal_text("Reuters\u{202e}sserp"), "Reuters\\u{202e}sserp");
        assert_eq!(
            quoted_text("he said \"hi\", ok \\ \u{7}"),
            "he said \\\"hi\\\", ok \\\\ \\u{7}"
        );
    }

    #[test]
    fn formats() {
        assert_eq!(signed(0.25), "+0.250000");
        assert_eq!(signed(-0.25), "-0.250000");
        assert_eq!(signed(0.0), "0.000000");
        assert_eq!(percent(0.95), "95");
        assert_eq!(percent(0.975), "97.5");
        assert_eq!(
            aligned(&[vec!["a".into(), "bb".into()], vec!["ccc".into(), "d".into()]]),
            "a    bb\nccc  d\n"
        );
    }
}
