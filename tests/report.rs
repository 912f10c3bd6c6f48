//! End-to-end tests of `credence report` and `credence explain`: the real binary on runs of the `small`
//! fixture (see tests/data/small/README.md for its stories), and of a copy with hostile outlet names.

mod common;

use common::Workdir;

/// A work folder with the `small` fixture's inputs, scored into `out/`.
fn scored(name: &str) -> Workdir {
    let wd = Workdir::new(name);
    for f in ["claims.csv", "responses.csv", "resolutions.csv"] {
        wd.copy_fixture("small", f);
    }
    wd.output(wd.command("score").args([
        "--claims",
        "claims.csv",
        "--responses",
        "responses.csv",
        "--resolutions",
        "resolutions.csv",
        "--out",
        "out",
        "--quiet",
    ]));
    wd
}

/// Outlet names that would run script if a page pasted them in as HTML.
const HOSTILE: [&str; 3] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "</script><script>alert(3)</script>",
];

/// The `small` fixture plus three claims by outlets with hostile names (one relaying another), scored.
fn hostile(name: &str) -> Workdir {
    let wd = Workdir::new(name);
    for f in ["responses.csv", "resolutions.csv"] {
        wd.copy_fixture("small", f);
    }
    let mut claims = String::from_utf8(std::fs::read(common::data_dir().join("small/claims.csv")).unwrap()).unwrap();
    claims.push_str(
        "h1,<script>alert(1)</script>,2025-03-07,port-strike,asserts,\n\
         h2,\"\"\"><img src=x onerror=alert(2)>\",2025-03-07,budget-leak,asserts,\n\
         h3,</script><script>alert(3)</script>,2025-03-08,rate-cut,asserts,<script>alert(1)</script>\n",
    );
    wd.create("claims.csv", claims);
    wd.output(wd.command("score").args([
        "--claims",
        "claims.csv",
        "--responses",
        "responses.csv",
        "--resolutions",
        "resolutions.csv",
        "--out",
        "out",
        "--quiet",
    ]));
    wd
}

fn report(wd: &Workdir, args: &[&str]) -> String {
    let mut cmd = wd.command("report");
    cmd.arg("out").arg("--quiet").args(args);
    wd.output(&mut cmd);
    wd.read_string("out/report.html")
}

fn explain(wd: &Workdir, source: &str) -> String {
    let out = wd.output(wd.command("explain").args([source, "--run", "out"]));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn report_of_the_small_run_shows_every_part() {
    let wd = scored("report-small");
    let html = report(&wd, &[]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    // One table row per source, in rank order.
    let rows: Vec<&str> = html
        .split("<tr data-name=\"")
        .skip(1)
        .map(|r| &r[..r.find('"').unwrap()])
        .collect();
    assert_eq!(
        rows,
        [
            "Daily Courier",
            "The Rumor Mill",
            "Morning Signal",
            "Harbour Gazette",
            "State Wire"
        ]
    );
    // The values of sources.csv, as written there.
    assert!(html.contains("<td data-v=\"0.740738\">0.740738</td><td data-v=\"0.339629\">0.339629</td>"));
    for part in [
        "id=\"summary\"",
        "id=\"forest\"",
        "id=\"calibration\"",
        "id=\"responders\"",
        "id=\"trails\"",
        "Beta(1.117134, 1.407978)",
        "Transport Ministry",
    ] {
        assert!(html.contains(part), "missing {part}");
    }
    // The forest plot has a dot per source; no history.csv, no trend chart.
    let forest = &html[html.find("id=\"forest\"").unwrap()..html.find("id=\"calibration\"").unwrap()];
    assert_eq!(forest.matches("<circle class=\"mean\"").count(), 5);
    assert!(!html.contains("id=\"trend-chart\""));
    // Every resolution was an input, so nothing is left to calibrate, and the page says so.
    assert!(html.contains("No resolutions for these claims"));
    // Self-contained: nothing is fetched.
    for fetch in ["<link", " src=", "url(", "@import"] {
        assert!(!html.contains(fetch), "the page fetches something: {fetch}");
    }
    // Daily Courier's trail starts with port-strike (upheld: 1 − 0.468989), the relay by Morning Signal
    // marked, and the ministry's confirmation beside it.
    let trail = &html[html.find("id=\"trail-1\"").unwrap()..html.find("id=\"trail-2\"").unwrap()];
    let first = &trail[trail.find("<tr><td>1</td>").unwrap()..trail.find("<tr><td>2</td>").unwrap()];
    for part in [
        "+0.557590",
        "port-strike",
        "<code>c01</code> by Daily Courier",
        "<span class=\"tag relay\">relay</span> <code>c02</code> by Morning Signal",
        "true, 2025-03-10, by union statement",
        "Transport Ministry, 2025-03-01T15:00:00Z",
    ] {
        assert!(first.contains(part), "missing {part} in\n{first}");
    }
}

#[test]
fn the_same_run_gives_the_same_bytes() {
    let wd = scored("report-deterministic");
    let first = report(&wd, &[]);
    wd.output(wd.command("report").args(["out", "-o", "again.html", "--quiet"]));
    assert_eq!(first, wd.read_string("again.html"));
}

#[test]
fn hostile_names_are_escaped_in_text_attributes_and_script() {
    let wd = hostile("report-hostile");
    let html = report(&wd, &[]);
    for name in HOSTILE {
        assert!(!html.contains(name), "{name} is in the page unescaped");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("data-name=\"&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\""));
    assert!(!html.contains("<img"));
    // Two script elements: the data and the code; the data's names have `<` as \u003c.
    assert_eq!(html.matches("<script").count(), 2);
    assert_eq!(html.matches("</script>").count(), 2);
    assert!(html.contains(r"\u003c/script\u003e\u003cscript\u003ealert(3)\u003c/script\u003e"));
    // explain prints the name as it is, on a terminal.
    let text = explain(&wd, HOSTILE[0]);
    assert!(text.starts_with("<script>alert(1)</script>\n"), "{text}");
    assert!(
        text.contains("h3 relay by </script><script>alert(3)</script>"),
        "{text}"
    );
}

#[test]
fn explain_prints_one_sources_trail() {
    let wd = scored("explain-courier");
    let text = explain(&wd, "Daily Courier");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Daily Courier");
    for want in [
        "  rank         1 of 5",
        "  reliability  0.740738  (95% interval 0.339629 to 0.979341)",
        "  claims       4: 4 original, 0 relays",
        "  evidence     3.000000 judged reports: support 2.947380, against 0.052620",
        "  prior mean   0.442410 (Beta(1.117134, 1.407978), empirical_bayes)",
        "Reports that moved its score most (4 on its record, 3 judged; contribution = weight × (p_correct − 0.442410)):",
        "  #  contribution  verdict     p_correct  stance   story",
        "  1  +0.557590     upheld      1.000000   asserts  port-strike",
        "       claims:     c01 by Daily Courier, 2025-03-01T08:00:00Z",
        "                   c02 relay by Morning Signal, 2025-03-01T10:30:00Z",
        "       resolution: true, 2025-03-10, by union statement",
        "       responses:  Transport Ministry, 2025-03-01T15:00:00Z, confirmed",
        "  2  +0.557590     upheld      1.000000   denies   budget-leak",
        "       responses:  Transport Ministry, 2025-03-02T11:00:00Z, partial (superseded by a later answer)",
        "                   Transport Ministry, 2025-03-02T17:00:00Z, denied",
        "  3  +0.538562     confirmed   0.980972   asserts  rate-cut",
        // No comment is no evidence: the claim sits at the outlet's own reliability and moved nothing.
        "  4  0.000000      no_comment  0.740738   asserts  tax-rebate",
    ] {
        assert!(lines.contains(&want), "missing line {want:?} in\n{text}");
    }
    // A relay's evidence counts for the outlet it cites: Harbour Gazette's one report is Morning Signal's.
    let gazette = explain(&wd, "Harbour Gazette");
    assert!(gazette.contains("c12 relay by Morning Signal"), "{gazette}");
    assert!(gazette.contains("-0.348172     denied   0.094238"), "{gazette}");
    let signal = explain(&wd, "Morning Signal");
    assert!(signal.contains("(0 on its record, 0 judged;"), "{signal}");
}

#[test]
fn explain_an_unknown_source_suggests_close_names() {
    let wd = scored("explain-unknown");
    let err = wd.output_err(wd.command("explain").args(["Daily Currier", "--run", "out"]), 1);
    assert!(
        err.contains("out: no source named \"Daily Currier\"; did you mean \"Daily Courier\"?"),
        "{err}"
    );
    let err = wd.output_err(wd.command("explain").args(["rumor", "--run", "out"]), 1);
    assert!(err.contains("did you mean \"The Rumor Mill\"?"), "{err}");
    let err = wd.output_err(wd.command("explain").args(["Zzyzx Quarterly", "--run", "out"]), 1);
    assert!(
        err.contains("no source named \"Zzyzx Quarterly\"") && !err.contains("did you mean"),
        "{err}"
    );
}

#[test]
fn a_missing_run_dir_is_an_error_naming_it() {
    let wd = Workdir::new("report-missing");
    let err = wd.output_err(wd.command("report").arg("no-such-run"), 1);
    assert!(err.contains("no-such-run: not a folder"), "{err}");
    let err = wd.output_err(wd.command("explain").args(["X", "--run", "no-such-run"]), 1);
    assert!(err.contains("no-such-run: not a folder"), "{err}");
    // A folder that is not a run: the missing file is named.
    wd.create("empty/readme.txt", "");
    let err = wd.output_err(wd.command("report").arg("empty"), 1);
    assert!(err.contains("summary.json"), "{err}");
}

#[test]
fn a_garbled_output_file_is_an_error_naming_file_line_and_column() {
    let wd = scored("report-garbled");
    let sources = wd.read_string("out/sources.csv").replacen("0.740738", "high", 1);
    wd.create("out/sources.csv", sources);
    let err = wd.output_err(wd.command("report").arg("out"), 1);
    assert!(
        err.contains("sources.csv:2: column `reliability`: not a number (value: \"high\")"),
        "{err}"
    );
}

#[test]
fn unreadable_inputs_leave_the_trail_from_claims_csv_and_say_so() {
    let wd = scored("report-no-inputs");
    std::fs::remove_file(wd.path("responses.csv")).unwrap();
    let html = report(&wd, &[]);
    assert!(html.contains("could not be read"), "no note on the page");
    assert!(html.contains("responses file <code>responses.csv</code>"));
    // The trail is still there, from claims.csv.
    assert!(html.contains("<code>c01</code> by Daily Courier"));
    let text = explain(&wd, "Daily Courier");
    assert!(
        text.contains("note: the responses file responses.csv could not be read"),
        "{text}"
    );
    assert!(text.contains("  1  +0.557590"), "{text}");
    assert!(!text.contains("responses:"), "{text}");
}

#[test]
fn calibration_compares_p_correct_with_later_resolutions() {
    let wd = Workdir::new("report-calibration");
    for f in ["claims.csv", "responses.csv", "resolutions.csv"] {
        wd.copy_fixture("small", f);
    }
    // Scored before anything was resolved; the resolutions come later.
    wd.output(wd.command("score").args([
        "--claims",
        "claims.csv",
        "--responses",
        "responses.csv",
        "--out",
        "out",
        "--quiet",
    ]));
    let html = report(&wd, &[]);
    assert!(html.contains("No resolutions: the run names no readable resolutions file"));
    let html = report(&wd, &["--resolutions", "resolutions.csv"]);
    // The claims on port-strike, budget-leak and minister-resigns (c01 to c09).
    assert!(html.contains("<p>9 claims compared; Brier score"), "{html}");
    let bins = &html[html.find("<th>p_correct bin</th>").unwrap()..];
    let bins = &bins[..bins.find("</tbody></table>").unwrap()];
    let total: u64 = bins
        .split("<tr><td>")
        .skip(1)
        .map(|row| row.split("</td><td>").nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 9);
}

#[test]
fn history_adds_a_trend_chart_with_its_data() {
    let wd = scored("report-history");
    wd.create(
        "out/history.csv",
        "as_of,source,claims,reliability,ci_low,ci_high,rank\n\
         2025-03-02,Daily Courier,2,0.600000,0.200000,0.900000,1\n\
         2025-03-06,Daily Courier,4,0.661692,0.296158,0.934776,1\n",
    );
    let html = report(&wd, &[]);
    assert!(html.contains("id=\"trend-chart\""));
    assert!(html.contains(r#"{"as_of":"2025-03-02","ci_high":0.9,"ci_low":0.2,"claims":2,"rank":1,"reliability":0.6,"source":"Daily Courier"}"#));
    wd.create("out/history.csv", "as_of,source\n2025-03-02,Daily Courier\n");
    let err = wd.output_err(wd.command("report").arg("out"), 1);
    assert!(err.contains("history.csv:1: missing required column `claims`"), "{err}");
}

#[test]
fn with_relay_weight_relays_are_reports_of_the_relaying_outlet() {
    let wd = Workdir::new("explain-relay-weight");
    for f in ["claims.csv", "responses.csv", "resolutions.csv"] {
        wd.copy_fixture("small", f);
    }
    wd.output(wd.command("score").args([
        "--claims",
        "claims.csv",
        "--responses",
        "responses.csv",
        "--resolutions",
        "resolutions.csv",
        "--out",
        "out",
        "--relay-weight",
        "0.5",
        "--quiet",
    ]));
    // Morning Signal only relays (c02, c06, c12): three reports of weight ½ on its own record.
    let text = explain(&wd, "Morning Signal");
    assert!(text.contains("(3 on its record, 3 judged;"), "{text}");
    assert!(
        text.contains("  #  contribution  verdict  p_correct  stance   weight    story"),
        "{text}"
    );
    assert_eq!(text.matches("0.500000  ").count(), 3, "{text}");
    assert!(
        text.contains("c06 relay by Morning Signal (relaying The Rumor Mill), 2025-03-02T09:00:00Z"),
        "{text}"
    );
    // The originator still has the relay in its trail, at full weight.
    let courier = explain(&wd, "Daily Courier");
    assert!(
        courier.contains("c02 relay by Morning Signal, 2025-03-01T10:30:00Z"),
        "{courier}"
    );
}

#[test]
fn a_json_format_run_reports_too() {
    let wd = Workdir::new("report-json");
    for f in ["claims.csv", "responses.csv", "resolutions.csv"] {
        wd.copy_fixture("small", f);
    }
    wd.output(wd.command("score").args([
        "--claims",
        "claims.csv",
        "--responses",
        "responses.csv",
        "--resolutions",
        "resolutions.csv",
        "--out",
        "out",
        "--format",
        "json",
        "--quiet",
    ]));
    let html = report(&wd, &[]);
    assert_eq!(html.matches("<tr data-name=").count(), 5);
    assert!(explain(&wd, "State Wire").contains("  rank         5 of 5"));
}

/// A run over claims with values: each listed claim shows the value it claims (as normalised for
/// scoring) and each report its story's conclusion, in `explain` and in the page; plain runs show neither.
#[test]
fn explain_and_report_show_claimed_values_and_the_storys_conclusion() {
    let wd = Workdir::new("explain-values");
    wd.copy_fixture("values", "claims.csv");
    wd.output(wd.command("score").args([
        "--claims",
        "claims.csv",
        "--value-kind",
        "list",
        "--out",
        "out",
        "--quiet",
    ]));
    let text = explain(&wd, "C");
    let lines: Vec<&str> = text.lines().collect();
    for want in [
        // C names a second author; the story goes to the two outlets that name Knuth alone.
        "       claims:     3 by C, 2020-01-01, value \"donald; graham; knuth; ronald\"",
        "       story:      most probable value \"donald; knuth\", probability 0.983054, claimed by 2 independent sources",
        "       claims:     6 by C, 2020-01-01, value \"aho\"",
        "       story:      most probable value \"aho; ullman\", probability 0.999847, claimed by 3 independent sources",
    ] {
        assert!(lines.contains(&want), "missing line {want:?} in\n{text}");
    }
    let page = report(&wd, &[]);
    assert!(
        page.contains("value <code>donald; graham; knuth; ronald</code>"),
        "{page}"
    );
    assert!(
        page.contains("<span class=\"tag story\">story</span> most probable value \"aho; ullman\""),
        "{page}"
    );
    // Resolutions settle plain stories: given to a run over values, they are refused (score refuses them
    // too), where the calibration counted every claim on a resolved story right, whatever its value.
    wd.create(
        "resolutions.csv",
        "story_id,outcome,resolved_at\nbook1,true,2020-02-01\n",
    );
    for cmd in [
        wd.command("explain")
            .args(["C", "--run", "out", "--resolutions", "resolutions.csv"]),
        wd.command("report")
            .args(["out", "-q", "--resolutions", "resolutions.csv"]),
    ] {
        let err = wd.output_err(cmd, 1);
        assert!(err.contains("this run's claims carry values"), "{err}");
    }
    // A run folder without the stories.csv its claims need is incomplete, and said to be.
    std::fs::remove_file(wd.path("out/stories.csv")).unwrap();
    let err = wd.output_err(wd.command("explain").args(["C", "--run", "out"]), 1);
    assert!(
        err.contains("stories.csv") && err.contains("run folder is incomplete"),
        "{err}"
    );
    // Plain stories: the verdict and p_correct say it all, so no values and no story line.
    let plain = scored("explain-plain-no-values");
    let text = explain(&plain, "Daily Courier");
    assert!(!text.contains("story:") && !text.contains("value \""), "{text}");
    assert!(!report(&plain, &[]).contains("tag story\">"));
}
