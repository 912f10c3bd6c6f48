//! `credence report`: one self-contained HTML page from a scoring run's outputs.
//!
//! The page needs no network: its style, script and charts are inline, the charts hand-written SVG. It
//! shows the run's summary; a sortable, filterable table of sources; a forest plot of every source's
//! reliability and interval by rank; the calibration of `p_correct` against resolutions; the responders'
//! learned rates; every source's evidence trail ([`crate::report::trail`]); and, when the run folder has
//! a `history.csv`, a trend chart of the sources picked in the table.
//!
//! Everything from the input is escaped: text and attribute values by [`escape`], and the JSON that
//! feeds the script by [`script_json`], which also escapes `<` so that a name holding `</script>` cannot
//! end the script block. The page is a function of the run folder alone (no clock, no paths of the
//! machine it was made on), so the same run gives the same bytes.

use std::borrow::Cow;
use std::fmt::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::numfmt::float;
use crate::report::explain::{bidi_control, percent, signed, story_conclusion};
use crate::report::rundir::RunDir;
use crate::report::trail::{Entry, Trails};

/// Text escaped for HTML text and (quoted) attribute values: `&`, `<`, `>`, `"` and `'`; control
/// characters but tab and line breaks, and the controls of bidirectional text, are shown as escapes
/// (`\u{202e}`), as `credence explain` shows them, so that input cannot reorder what the page shows.
pub fn escape(s: &str) -> Cow<'_, str> {
    let hidden = |c: char| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || bidi_control(c);
    if !s.contains(['&', '<', '>', '"', '\'']) && !s.chars().any(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if hidden(c) => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A JSON value as text safe inside a `<script>` element: `<`, `>` and `&` become `\u003c`, `\u003e` and
/// `\u0026` (so neither `</script>` nor `<!--` can occur), and U+2028 and U+2029 are escaped too. The
/// result parses to the same value.
pub fn script_json(value: &serde_json::Value) -> String {
    let raw = serde_json::to_string(value).expect("a JSON value serialises");
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Writes `html` to `path` atomically, as `score` writes its outputs ([`super::OutputDir`]): a temporary
/// file in the same folder (created if missing), removed on Ctrl-C, renamed into place, with the same
/// permissions as the run's other files.
///
/// # Errors
/// The folder or the file cannot be written, or the path names no file.
pub fn write_report(path: &Path, html: &str) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| Error::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name in UTF-8"),
    })?;
    let mut out = super::OutputDir::create(dir)?;
    out.stage(name, html.as_bytes())?;
    out.commit()?;
    Ok(())
}

/// SVG coordinates: two decimals.
fn px(x: f64) -> String {
    format!("{x:.2}")
}

/// A name cut to `max` characters for a chart label (the full name is in the label's tooltip).
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// The whole page.
pub fn render(run: &RunDir, trails: &Trails) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let s = &run.summary;
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str("<title>credence report</title>\n<style>\n");
    h.push_str(STYLE);
    h.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(
        h,
        "<header><h1>credence report</h1><p>Written from a run of credence {} (method <b>{}</b>): {} sources, {} responders.</p>",
        escape(&s.credence_version),
        escape(s.method()),
        run.sources.len(),
        run.responders.len()
    );
    h.push_str("<nav><a href=\"#summary\">Summary</a> · <a href=\"#sources\">Sources</a> · <a href=\"#forest\">Reliability</a>");
    if run.history.is_some() {
        h.push_str(" · <a href=\"#trend\">Trend</a>");
    }
    h.push_str(" · <a href=\"#calibration\">Calibration</a> · <a href=\"#responders\">Responders</a> · <a href=\"#trails\">Evidence trails</a></nav></header>\n");
    summary_section(&mut h, run, trails);
    sources_section(&mut h, run);
    forest_section(&mut h, run);
    if run.history.is_some() {
        h.push_str("<section id=\"trend\"><h2>Trend</h2>\n<p class=\"hint\">Reliability and interval of the sources selected in the table, at the end of each period of <code>history.csv</code>. Click rows of the table to change the selection.</p>\n<svg id=\"trend-chart\" width=\"760\" height=\"340\" viewBox=\"0 0 760 340\" role=\"img\" aria-label=\"trend chart\"></svg>\n<ul id=\"trend-legend\" class=\"legend\"></ul>\n</section>\n");
    }
    calibration_section(&mut h, run, trails);
    responders_section(&mut h, run);
    trails_section(&mut h, run, trails);
    let data = serde_json::json!({
        "sources": run.sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        "history": run.history.as_ref().map(|rows| rows.iter().map(|r| serde_json::json!({
            "as_of": r.as_of,
            "source": r.source,
            "claims": r.claims,
            "reliability": r.reliability,
            "ci_low": r.ci_low,
            "ci_high": r.ci_high,
            "rank": r.rank,
        })).collect::<Vec<_>>()),
    });
    let _ = writeln!(
        h,
        "<script type=\"application/json\" id=\"credence-data\">{}</script>",
        script_json(&data)
    );
    h.push_str("<script>\n");
    h.push_str(SCRIPT);
    h.push_str("</script>\n</body>\n</html>\n");
    h
}

fn summary_section(h: &mut String, run: &RunDir, trails: &Trails) {
    let s = &run.summary;
    h.push_str("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cols\">\n");
    h.push_str("<div><h3>Input rows</h3><table class=\"num\"><thead><tr><th class=\"text\">input</th><th class=\"text\">file</th><th>read</th><th>scored</th><th>rejected</th></tr></thead><tbody>\n");
    for (kind, files) in [
        ("claims", &s.inputs.claims),
        ("responses", &s.inputs.responses),
        ("resolutions", &s.inputs.resolutions),
    ] {
        for f in files {
            let _ = writeln!(
                h,
                "<tr><td class=\"text\">{kind}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&f.file),
                f.read,
                f.scored,
                f.rejected
            );
        }
    }
    let _ = writeln!(
        h,
        "</tbody></table><p>{} rows rejected in all (listed with their reasons in <code>rejects.csv</code>).</p></div>",
        s.inputs.rejected
    );
    h.push_str("<div><h3>Counts</h3><table class=\"kv\"><tbody>\n");
    for (k, v) in &s.counts {
        let _ = writeln!(h, "<tr><th>{}</th><td>{v}</td></tr>", escape(&k.replace('_', " ")));
    }
    h.push_str("</tbody></table></div>\n");
    let p = &s.prior;
    let _ = write!(
        h,
        "<div><h3>Fitted prior</h3><table class=\"kv\"><tbody><tr><th>Beta(α, β)</th><td>Beta({}, {})</td></tr><tr><th>mean</th><td>{}</td></tr><tr><th>strength α + β</th><td>{}</td></tr><tr><th>method</th><td>{}</td></tr>",
        float(p.alpha),
        float(p.beta),
        float(p.mean),
        float(p.strength),
        escape(&p.method)
    );
    if let Some(n) = p.sources_used {
        let _ = write!(h, "<tr><th>sources used</th><td>{n}</td></tr>");
    }
    if let Some(b) = p.at_bound {
        let _ = write!(h, "<tr><th>at a bound</th><td>{b}</td></tr>");
    }
    h.push_str("</tbody></table></div>\n");
    h.push_str("<div><h3>Parameters</h3><table class=\"kv\"><tbody>\n");
    let mut params = Vec::new();
    flatten("", &s.parameters, &mut params);
    if let Some(em) = &s.em {
        flatten("em.", em, &mut params);
    }
    for (k, v) in params {
        let _ = writeln!(h, "<tr><th>{}</th><td>{}</td></tr>", escape(&k), escape(&v));
    }
    h.push_str("</tbody></table></div>\n</div>\n");
    inputs_notes(h, trails);
    h.push_str("</section>\n");
}

/// A JSON object's leaves as `(dotted.key, value)`, in key order.
fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{prefix}{k}."), v, out);
            }
        }
        serde_json::Value::String(s) => out.push((prefix.trim_end_matches('.').to_owned(), s.clone())),
        other => out.push((prefix.trim_end_matches('.').to_owned(), other.to_string())),
    }
}

fn inputs_notes(h: &mut String, trails: &Trails) {
    let problems: Vec<_> = trails.inputs.iter().filter(|n| n.problem.is_some()).collect();
    if problems.is_empty() {
        return;
    }
    h.push_str("<div class=\"note\"><p>Some input files named in <code>summary.json</code> could not be read, so the evidence trails show what <code>claims.csv</code> holds without them:</p><ul>\n");
    for n in problems {
        let _ = writeln!(
            h,
            "<li>{} file <code>{}</code>: {}</li>",
            n.kind,
            escape(&n.file),
            escape(n.problem.as_deref().unwrap_or_default())
        );
    }
    h.push_str("</ul></div>\n");
}

fn sources_section(h: &mut String, run: &RunDir) {
    let level = percent(run.summary.level());
    h.push_str("<section id=\"sources\"><h2>Sources</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"hint\">Click a column header to sort, a row to select it{}, a name to read its evidence trail. Reliability is the posterior mean; the interval is {level}%; rank 1 has the highest lower bound.</p>",
        if run.history.is_some() {
            " for the trend chart"
        } else {
            ""
        }
    );
    h.push_str("<p><label>Filter: <input id=\"filter\" type=\"search\" placeholder=\"part of a name\" autocomplete=\"off\"></label> <span id=\"shown\"></span></p>\n");
    h.push_str("<table id=\"sources-table\" class=\"num\"><thead><tr>");
    let columns: [(&str, &str); 14] = [
        ("rank", "num"),
        ("source", "text"),
        ("reliability", "num"),
        ("ci_low", "num"),
        ("ci_high", "num"),
        ("claims", "num"),
        ("originals", "num"),
        ("relays", "num"),
        ("credited", "num"),
        ("answered", "num"),
        ("resolved", "num"),
        ("support", "num"),
        ("against", "num"),
        ("evidence", "num"),
    ];
    for (name, kind) in columns {
        let _ = write!(
            h,
            "<th data-type=\"{kind}\"{} tabindex=\"0\" aria-sort=\"{}\">{name}</th>",
            if kind == "text" { " class=\"text\"" } else { "" },
            if name == "rank" { "ascending" } else { "none" }
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for s in &run.sources {
        let name = escape(&s.name);
        let _ = write!(
            h,
            "<tr data-name=\"{name}\"><td data-v=\"{}\">{}</td><td class=\"text\" data-v=\"{name}\"><a href=\"#trail-{}\">{name}</a></td>",
            s.rank, s.rank, s.rank
        );
        for x in [s.reliability, s.ci_low, s.ci_high] {
            let v = float(x);
            let _ = write!(h, "<td data-v=\"{v}\">{v}</td>");
        }
        for n in [s.claims, s.originals, s.relays, s.credited, s.answered, s.resolved] {
            let _ = write!(h, "<td data-v=\"{n}\">{n}</td>");
        }
        for x in [s.support, s.against, s.evidence] {
            let v = float(x);
            let _ = write!(h, "<td data-v=\"{v}\">{v}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n</section>\n");
}

/// Plot geometry shared by the interval charts: `[0, 1]` mapped onto `[left, right]`.
struct Axis {
    left: f64,
    right: f64,
}

impl Axis {
    fn x(&self, p: f64) -> f64 {
        self.left + p.clamp(0.0, 1.0) * (self.right - self.left)
    }
}

fn forest_section(h: &mut String, run: &RunDir) {
    let row = 18.0;
    let top = 28.0;
    let axis = Axis {
        left: 220.0,
        right: 740.0,
    };
    let n = run.sources.len();
    let height = top + row * n as f64 + 30.0;
    let level = percent(run.summary.level());
    h.push_str("<section id=\"forest\"><h2>Reliability by rank</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"hint\">Each source's posterior mean (dot) and {level}% interval (line), best rank at the top. The dashed line is the fitted prior mean {}, where a source with no evidence sits.</p>",
        float(run.summary.prior.mean)
    );
    let _ = writeln!(
        h,
        "<svg class=\"chart\" width=\"760\" height=\"{}\" viewBox=\"0 0 760 {}\" role=\"img\" aria-label=\"forest plot of reliability\">",
        px(height),
        px(height)
    );
    for k in 0..=4 {
        let p = k as f64 / 4.0;
        let x = px(axis.x(p));
        let _ = writeln!(
            h,
            "<line class=\"grid\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/><text class=\"tick\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{p:.2}</text>",
            px(top - 6.0),
            px(top + row * n as f64),
            px(top + row * n as f64 + 16.0)
        );
    }
    let m = px(axis.x(run.summary.prior.mean));
    let _ = writeln!(
        h,
        "<line class=\"prior\" x1=\"{m}\" y1=\"{}\" x2=\"{m}\" y2=\"{}\"/><text class=\"tick\" x=\"{m}\" y=\"{}\" text-anchor=\"middle\">prior mean</text>",
        px(top - 6.0),
        px(top + row * n as f64),
        px(top - 10.0)
    );
    for (i, s) in run.sources.iter().enumerate() {
        let y = px(top + row * i as f64 + row / 2.0);
        let _ = writeln!(
            h,
            "<g><title>{} (rank {}): {} [{}, {}]</title><text class=\"label\" x=\"{}\" y=\"{y}\" dy=\"0.35em\" text-anchor=\"end\">{}. {}</text><line class=\"ci\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\"/><circle class=\"mean\" cx=\"{}\" cy=\"{y}\" r=\"4\"/></g>",
            escape(&s.name),
            s.rank,
            float(s.reliability),
            float(s.ci_low),
            float(s.ci_high),
            px(axis.left - 10.0),
            s.rank,
            escape(&short(&s.name, 28)),
            px(axis.x(s.ci_low)),
            px(axis.x(s.ci_high)),
            px(axis.x(s.reliability))
        );
    }
    h.push_str("</svg>\n</section>\n");
}

fn calibration_section(h: &mut String, run: &RunDir, trails: &Trails) {
    let c = &trails.calibration;
    h.push_str("<section id=\"calibration\"><h2>Calibration</h2>\n");
    let files: Vec<String> = trails
        .inputs
        .iter()
        .filter(|n| n.kind == "resolutions" && n.problem.is_none())
        .map(|n| format!("<code>{}</code>", escape(&n.file)))
        .collect();
    if !trails.has_claims {
        h.push_str("<p class=\"note\">This run has no <code>claims.csv</code>, so there is nothing to calibrate.</p>\n</section>\n");
        return;
    }
    if !c.have_resolutions {
        h.push_str("<p class=\"note\">No resolutions: the run names no readable resolutions file, so the predicted <code>p_correct</code> of claims cannot be compared with what was later established.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<p class=\"hint\">Claims' predicted <code>p_correct</code> against what the resolutions in {} show (a mixed outcome counts as half correct), in {} bins. Only claims that no resolution had judged when the run was made are compared: {} claims were left out because their <code>p_correct</code> already is their outcome.</p>",
        files.join(", "),
        c.bins.len(),
        c.settled_at_scoring
    );
    if c.claims == 0 {
        h.push_str("<p class=\"note\">No resolutions for these claims: none of the claims judged without a resolution has one in the resolutions file. Score with fewer resolutions (or report with a later resolutions file, <code>--resolutions</code>) to see how well <code>p_correct</code> predicted them.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<p>{} claims compared; Brier score {}.</p>",
        c.claims,
        float(c.brier.unwrap_or(f64::NAN))
    );
    // Square plot: predicted on x, observed on y, both [0, 1].
    let (left, top, size) = (50.0, 16.0, 300.0);
    let x = |p: f64| left + p * size;
    let y = |p: f64| top + (1.0 - p) * size;
    let _ = writeln!(
        h,
        "<div class=\"cols\"><svg class=\"chart\" width=\"380\" height=\"370\" viewBox=\"0 0 380 370\" role=\"img\" aria-label=\"calibration plot\">"
    );
    for k in 0..=4 {
        let p = k as f64 / 4.0;
        let _ = writeln!(
            h,
            "<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/><line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/><text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{p:.2}</text><text class=\"tick\" x=\"{}\" y=\"{}\" dy=\"0.35em\" text-anchor=\"end\">{p:.2}</text>",
            px(x(p)),
            px(y(0.0)),
            px(x(p)),
            px(y(1.0)),
            px(x(0.0)),
            px(y(p)),
            px(x(1.0)),
            px(y(p)),
            px(x(p)),
            px(y(0.0) + 16.0),
            px(x(0.0) - 6.0),
            px(y(p))
        );
    }
    let _ = writeln!(
        h,
        "<line class=\"prior\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        px(x(0.0)),
        px(y(0.0)),
        px(x(1.0)),
        px(y(1.0))
    );
    let _ = writeln!(
        h,
        "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">predicted p_correct</text><text class=\"tick\" transform=\"translate(14 {}) rotate(-90)\" text-anchor=\"middle\">observed share correct</text>",
        px(x(0.5)),
        px(y(0.0) + 34.0),
        px(y(0.5))
    );
    let most = c.bins.iter().map(|b| b.claims).max().unwrap_or(1).max(1) as f64;
    let mut points = Vec::new();
    for b in &c.bins {
        let (Some(pred), Some(obs)) = (b.predicted(), b.observed()) else {
            continue;
        };
        points.push(format!("{},{}", px(x(pred)), px(y(obs))));
        let r = 3.0 + 7.0 * (b.claims as f64 / most).sqrt();
        let _ = writeln!(
            h,
            "<g><title>p_correct in [{:.1}, {:.1}]: {} claims, predicted {}, observed {}</title><circle class=\"mean\" cx=\"{}\" cy=\"{}\" r=\"{}\"/><text class=\"count\" x=\"{}\" y=\"{}\">{}</text></g>",
            b.low,
            b.high,
            b.claims,
            float(pred),
            float(obs),
            px(x(pred)),
            px(y(obs)),
            px(r),
            px(x(pred) + r + 2.0),
            px(y(obs) - r),
            b.claims
        );
    }
    let _ = writeln!(h, "<polyline class=\"calib\" points=\"{}\"/>", points.join(" "));
    h.push_str("</svg>\n<table class=\"num\"><thead><tr><th>p_correct bin</th><th>claims</th><th>mean predicted</th><th>observed</th></tr></thead><tbody>\n");
    for b in &c.bins {
        let _ = writeln!(
            h,
            "<tr><td>{:.1} – {:.1}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            b.low,
            b.high,
            b.claims,
            b.predicted().map_or_else(|| "–".to_owned(), float),
            b.observed().map_or_else(|| "–".to_owned(), float)
        );
    }
    h.push_str("</tbody></table></div>\n");
    let _ = run;
    h.push_str("</section>\n");
}

/// A small interval chart: `[low, high]` as a line on `[0, 1]`, the mean as a dot.
fn mini_interval(mean: f64, low: f64, high: f64) -> String {
    let axis = Axis {
        left: 4.0,
        right: 116.0,
    };
    format!(
        "<svg class=\"mini\" width=\"120\" height=\"14\" viewBox=\"0 0 120 14\" aria-hidden=\"true\"><line class=\"grid\" x1=\"4\" y1=\"7\" x2=\"116\" y2=\"7\"/><line class=\"ci\" x1=\"{}\" y1=\"7\" x2=\"{}\" y2=\"7\"/><circle class=\"mean\" cx=\"{}\" cy=\"7\" r=\"3.5\"/></svg>",
        px(axis.x(low)),
        px(axis.x(high)),
        px(axis.x(mean))
    )
}

fn responders_section(h: &mut String, run: &RunDir) {
    let level = percent(run.summary.level());
    h.push_str("<section id=\"responders\"><h2>Responders</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"hint\">Each official body's learned record, from the resolved stories it answered: how often it confirms a story that is true and denies one that is false, with {level}% intervals (the charts run from 0 to 1). A partial answer counts half.</p>"
    );
    if run.responders.is_empty() {
        h.push_str("<p class=\"note\">No responders in this run.</p>\n</section>\n");
        return;
    }
    h.push_str("<table class=\"num\"><thead><tr><th class=\"text\">responder</th><th>responses</th><th>stories</th><th>confirmed</th><th>denied</th><th>partial</th><th>no comment</th><th>resolved true</th><th>resolved false</th><th>confirm when true</th><th>deny when false</th></tr></thead><tbody>\n");
    for r in &run.responders {
        let _ = writeln!(
            h,
            "<tr><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"ival\">{} [{}, {}] {}</td><td class=\"ival\">{} [{}, {}] {}</td></tr>",
            escape(&r.name),
            r.responses,
            r.stories,
            r.by_verdict[0],
            r.by_verdict[1],
            r.by_verdict[2],
            r.by_verdict[3],
            float(r.resolved_true),
            float(r.resolved_false),
            float(r.confirm_when_true[0]),
            float(r.confirm_when_true[1]),
            float(r.confirm_when_true[2]),
            mini_interval(r.confirm_when_true[0], r.confirm_when_true[1], r.confirm_when_true[2]),
            float(r.deny_when_false[0]),
            float(r.deny_when_false[1]),
            float(r.deny_when_false[2]),
            mini_interval(r.deny_when_false[0], r.deny_when_false[1], r.deny_when_false[2]),
        );
    }
    h.push_str("</tbody></table>\n</section>\n");
}

fn trails_section(h: &mut String, run: &RunDir, trails: &Trails) {
    h.push_str("<section id=\"trails\"><h2>Evidence trails</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"hint\">For each source, the reports that moved its score most. A report is one story and stance credited to the source (its own claim and the relays of it by other outlets, marked). Its contribution is its weight × (<code>p_correct</code> − {}, the prior mean): positive when it raised the score, negative when it lowered it, 0 when its story carried no evidence. Largest first; <code>credence explain SOURCE</code> prints the same trail.</p>",
        float(trails.prior_mean)
    );
    if !trails.has_claims {
        h.push_str("<p class=\"note\">This run has no <code>claims.csv</code> (a merge given no claims files), so there are no trails.</p>\n</section>\n");
        return;
    }
    inputs_notes(h, trails);
    for (s, t) in run.sources.iter().zip(&trails.sources) {
        let _ = writeln!(
            h,
            "<details id=\"trail-{}\"{}><summary><b>{}. {}</b> reliability {} [{}, {}]; {} reports on its record, {} judged{}</summary>",
            s.rank,
            if s.rank <= 3 { " open" } else { "" },
            s.rank,
            escape(&s.name),
            float(s.reliability),
            float(s.ci_low),
            float(s.ci_high),
            t.reports,
            t.judged,
            if (t.entries.len() as u64) < t.reports {
                format!("; the {} largest shown", t.entries.len())
            } else {
                String::new()
            }
        );
        if t.entries.is_empty() {
            h.push_str("<p>No claim in <code>claims.csv</code> is credited to it.</p>\n</details>\n");
            continue;
        }
        h.push_str("<table class=\"trail\"><thead><tr><th>#</th><th>contribution</th><th>verdict</th><th>p_correct</th><th>story</th><th>claims, resolution and responses</th></tr></thead><tbody>\n");
        for (k, e) in t.entries.iter().enumerate() {
            trail_row(h, k + 1, e, &s.name);
        }
        h.push_str("</tbody></table>\n</details>\n");
    }
    h.push_str("</section>\n");
}

fn trail_row(h: &mut String, k: usize, e: &Entry, owner: &str) {
    let width = (e.contribution.abs() * 60.0).min(60.0);
    let class = if e.contribution > 0.0 {
        "up"
    } else if e.contribution < 0.0 {
        "down"
    } else {
        "none"
    };
    let _ = write!(
        h,
        "<tr><td>{k}</td><td class=\"num\"><span class=\"bar {class}\" style=\"width:{}px\"></span> {}</td><td>{}</td><td class=\"num\">{}</td><td class=\"text\">{} <span class=\"muted\">({}{})</span></td><td class=\"text\"><ul>",
        px(width),
        signed(e.contribution),
        e.verdict.as_str(),
        float(e.p_correct),
        escape(&e.story_id),
        e.stance.as_str(),
        if e.weight == 1.0 {
            String::new()
        } else {
            format!(", weight {}", float(e.weight))
        }
    );
    for c in &e.claims {
        let _ = write!(
            h,
            "<li><span class=\"tag {}\">{}</span> <code>{}</code> by {}",
            if c.relay { "relay" } else { "original" },
            if c.relay { "relay" } else { "original" },
            escape(&c.claim_id),
            escape(&c.source)
        );
        // On the relaying outlet's own record (with a relay weight), say whose report it relays.
        if let Some(of) = c.relays.as_deref().filter(|of| *of != owner) {
            let _ = write!(h, " (relaying {})", escape(of));
        }
        if let Some(at) = c.published_at.as_deref().filter(|a| !a.is_empty()) {
            let _ = write!(h, ", {}", escape(at));
        }
        if let Some(value) = &c.value {
            let _ = write!(h, ", value <code>{}</code>", escape(value));
        }
        if let Some(text) = &c.text {
            let _ = write!(h, ": “{}”", escape(text));
        }
        if let Some(url) = &c.url {
            // Only web links become links; anything else (a javascript: url) stays text.
            let lower = url.to_ascii_lowercase();
            if lower.starts_with("https://") || lower.starts_with("http://") {
                let _ = write!(h, " <a href=\"{}\" rel=\"noopener noreferrer\">link</a>", escape(url));
            } else {
                let _ = write!(h, " <span class=\"muted\">{}</span>", escape(url));
            }
        }
        h.push_str("</li>");
    }
    if e.more_claims > 0 {
        let _ = write!(h, "<li class=\"muted\">and {} more claims</li>", e.more_claims);
    }
    if let Some(story) = &e.story {
        let _ = write!(
            h,
            "<li><span class=\"tag story\">story</span> {}</li>",
            story_conclusion(story, |t| escape(t).into_owned())
        );
    }
    if let Some(r) = &e.resolution {
        let _ = write!(
            h,
            "<li><span class=\"tag resolution\">resolution</span> {}, {}",
            r.outcome.as_str(),
            escape(&r.resolved_at)
        );
        if !r.resolver.is_empty() {
            let _ = write!(h, ", by {}", escape(&r.resolver));
        }
        h.push_str("</li>");
    }
    for r in &e.responses {
        let _ = write!(
            h,
            "<li{}><span class=\"tag response\">{}</span> {}, {}",
            if r.standing { "" } else { " class=\"muted\"" },
            r.verdict.as_str(),
            escape(&r.responder),
            escape(&r.responded_at)
        );
        if !r.text.is_empty() {
            let _ = write!(h, ": “{}”", escape(&r.text));
        }
        if !r.standing {
            h.push_str(" (superseded by a later answer)");
        }
        h.push_str("</li>");
    }
    h.push_str("</ul></td></tr>\n");
}

const STYLE: &str = r#"body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#fff;margin:0 auto;max-width:1320px;padding:0 20px 40px}
h1{font-size:24px;margin:18px 0 4px}h2{font-size:19px;margin:28px 0 6px;border-bottom:1px solid #d8dde6;padding-bottom:4px}h3{font-size:15px;margin:10px 0 4px}
nav a{color:#1f5fae}a{color:#1f5fae}
section{overflow-x:auto}.cols{display:flex;flex-wrap:wrap;gap:8px 36px;align-items:flex-start}
table{border-collapse:collapse;margin:6px 0;font-size:13px}th,td{padding:3px 6px;border-bottom:1px solid #e6e9ef;vertical-align:top}
thead th{background:#f3f5f8;text-align:right;white-space:nowrap}table.num td{text-align:right;font-variant-numeric:tabular-nums}
table td.text,th.text{text-align:left}#sources-table td.text,#responders td.text,td.ival{white-space:nowrap}table.kv th{text-align:left;font-weight:600;background:none}
#sources-table thead th{cursor:pointer;user-select:none}#sources-table thead th[aria-sort=ascending]::after{content:" ▲"}#sources-table thead th[aria-sort=descending]::after{content:" ▼"}
#sources-table tbody tr{cursor:pointer}#sources-table tbody tr:hover{background:#f6f8fb}#sources-table tbody tr.selected{background:#fff3c4}
.hint{color:#4a5568}.note{background:#fff6e5;border-left:3px solid #e0a100;padding:6px 10px}.muted{color:#6b7480}
svg.chart text{font-size:11px;fill:#1d2430}.grid{stroke:#e3e7ee;stroke-width:1}.prior{stroke:#8a94a6;stroke-dasharray:4 3;stroke-width:1}
.ci{stroke:#1f5fae;stroke-width:2}.mean{fill:#1f5fae}.calib{fill:none;stroke:#1f5fae;stroke-width:1.5}.tick{fill:#4a5568}.label{fill:#1d2430}
svg.mini{vertical-align:middle}table.trail td{font-size:13px}table.trail td:nth-child(-n+4){white-space:nowrap}table.trail ul{margin:0;padding-left:16px}
.bar{display:inline-block;height:9px;vertical-align:middle}.bar.up{background:#2f9e44}.bar.down{background:#d9480f}
.tag{display:inline-block;font-size:11px;border-radius:3px;padding:0 4px;background:#e9edf3}.tag.relay{background:#fde2c8}.tag.resolution{background:#d3f0dc}.tag.story{background:#efe3f7}.tag.response{background:#dde7f7}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px}.legend span{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
details{margin:6px 0}summary{cursor:pointer}
"#;

const SCRIPT: &str = r##"(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("credence-data").textContent);
  var table = document.getElementById("sources-table");
  var body = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  function key(row, col, type) {
    var v = row.cells[col].getAttribute("data-v");
    return type === "num" ? parseFloat(v) : v.toLowerCase();
  }
  function sortBy(col) {
    var th = headers[col];
    var type = th.getAttribute("data-type");
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, col, type), y = key(b, col, type);
      if (x < y) return -dir;
      if (x > y) return dir;
      return parseInt(a.cells[0].getAttribute("data-v"), 10) - parseInt(b.cells[0].getAttribute("data-v"), 10);
    });
    for (var i = 0; i < headers.length; i++) headers[i].setAttribute("aria-sort", "none");
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(headers, function (th, col) {
    th.addEventListener("click", function () { sortBy(col); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(col); } });
  });
  var filter = document.getElementById("filter");
  var shown = document.getElementById("shown");
  function applyFilter() {
    var q = filter.value.trim().toLowerCase();
    var n = 0;
    Array.prototype.forEach.call(body.rows, function (r) {
      var hit = r.getAttribute("data-name").toLowerCase().indexOf(q) !== -1;
      r.hidden = !hit;
      if (hit) n++;
    });
    shown.textContent = q ? n + " of " + body.rows.length + " shown" : "";
  }
  filter.addEventListener("input", applyFilter);

  var chart = document.getElementById("trend-chart");
  var history = data.history || [];
  var palette = ["#1f5fae", "#d9480f", "#2f9e44", "#ae3ec9", "#e8590c", "#0c8599", "#c2255c", "#5c940d"];
  var selected = [];
  function select(name) {
    var at = selected.indexOf(name);
    if (at === -1) selected.push(name); else selected.splice(at, 1);
    Array.prototype.forEach.call(body.rows, function (r) {
      r.classList.toggle("selected", selected.indexOf(r.getAttribute("data-name")) !== -1);
    });
    drawTrend();
  }
  Array.prototype.forEach.call(body.rows, function (r) {
    r.addEventListener("click", function (e) {
      if (e.target.closest("a")) return;
      select(r.getAttribute("data-name"));
    });
  });
  var NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function drawTrend() {
    if (!chart) return;
    while (chart.firstChild) chart.removeChild(chart.firstChild);
    var legend = document.getElementById("trend-legend");
    while (legend.firstChild) legend.removeChild(legend.firstChild);
    var periods = [];
    history.forEach(function (h) { if (periods.indexOf(h.as_of) === -1) periods.push(h.as_of); });
    periods.sort();
    var L = 50, R = 740, T = 12, B = 300;
    function x(i) { return periods.length < 2 ? (L + R) / 2 : L + i * (R - L) / (periods.length - 1); }
    function y(p) { return T + (1 - p) * (B - T); }
    for (var k = 0; k <= 4; k++) {
      var p = k / 4;
      chart.appendChild(el("line", {x1: L, x2: R, y1: y(p), y2: y(p), "class": "grid"}));
      chart.appendChild(el("text", {x: L - 6, y: y(p), dy: "0.35em", "text-anchor": "end", "class": "tick"}, p.toFixed(2)));
    }
    var step = Math.max(1, Math.ceil(periods.length / 8));
    periods.forEach(function (as_of, i) {
      var anchor = periods.length < 2 ? "middle" : i === 0 ? "start" : i === periods.length - 1 ? "end" : "middle";
      if (i % step === 0 || i === periods.length - 1)
        chart.appendChild(el("text", {x: x(i), y: B + 18, "text-anchor": anchor, "class": "tick"}, as_of));
    });
    if (selected.length === 0) {
      chart.appendChild(el("text", {x: (L + R) / 2, y: (T + B) / 2, "text-anchor": "middle", "class": "tick"}, "Click rows of the sources table to plot them."));
      return;
    }
    selected.forEach(function (name, n) {
      var color = palette[n % palette.length];
      var points = history.filter(function (h) { return h.source === name; })
        .map(function (h) { return {i: periods.indexOf(h.as_of), h: h}; })
        .sort(function (a, b) { return a.i - b.i; });
      var item = document.createElement("li");
      var swatch = document.createElement("span");
      swatch.style.background = color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(name + (points.length ? "" : " (no history)")));
      legend.appendChild(item);
      if (!points.length) return;
      var band = points.map(function (q) { return x(q.i) + "," + y(q.h.ci_high); })
        .concat(points.slice().reverse().map(function (q) { return x(q.i) + "," + y(q.h.ci_low); }));
      chart.appendChild(el("polygon", {points: band.join(" "), fill: color, "fill-opacity": "0.13", stroke: "none"}));
      chart.appendChild(el("polyline", {points: points.map(function (q) { return x(q.i) + "," + y(q.h.reliability); }).join(" "), fill: "none", stroke: color, "stroke-width": "2"}));
      points.forEach(function (q) {
        var dot = el("circle", {cx: x(q.i), cy: y(q.h.reliability), r: 3, fill: color});
        dot.appendChild(el("title", {}, name + ", " + q.h.as_of + ": " + q.h.reliability.toFixed(3) + " [" + q.h.ci_low.toFixed(3) + ", " + q.h.ci_high.toFixed(3) + "], rank " + q.h.rank));
        chart.appendChild(dot);
      });
    });
  }
  if (chart) {
    data.sources.slice(0, 3).forEach(function (name) { select(name); });
  }
  // A link to a source's trail opens it.
  function openTrail() {
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") target.open = true;
  }
  window.addEventListener("hashchange", openTrail);
  openTrail();
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escape("\" onmouseover='x' &"), "&quot; onmouseover=&#39;x&#39; &amp;");
        assert!(matches!(escape("Reuters"), Cow::Borrowed(_)));
        // Controls show as escapes (a bell, an escape, a right-to-left override); line breaks stay.
        assert_eq!(
            escape("a\u{7}\u{1b}[31m\u{202e}b\nc"),
            "a\\u{7}\\u{1b}[31m\\u{202e}b\nc"
        );
    }

    #[test]
    fn script_json_cannot_close_its_script_and_parses_back() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script><!-- & \u{2028}"});
        let text = script_json(&v);
        assert!(
            !text.contains('<') && !text.contains('>') && !text.contains('&'),
            "{text}"
        );
        assert!(!text.contains('\u{2028}'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
