//! `credence report` in a real browser: Debian's chromium, headless, driven by playwright-core from
//! `tests/browser/check_report.mjs` (no browser is downloaded). The page must load with no console error,
//! no script dialog and no network request, have one table row per source, sort when a header is
//! clicked, filter, show hostile names as text and redraw its trend chart when rows are selected. A
//! screenshot is saved as `target/report.png`.
//!
//! Needs `/usr/bin/chromium` (or `CREDENCE_CHROMIUM`), `node`, and `npm ci --prefix tests/browser`. When
//! one is missing the test fails if `CREDENCE_REQUIRE_BROWSER=1` (as `.ci/run` sets) and otherwise prints
//! why it was skipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Workdir, parse_csv};

/// What is missing to run the browser, if anything.
fn missing() -> Option<String> {
    let chromium = chromium();
    if !chromium.is_file() {
        return Some(format!(
            "no chromium at {} (apt-get install -y chromium, or set CREDENCE_CHROMIUM)",
            chromium.display()
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        return Some("no node on PATH".to_owned());
    }
    if !browser_dir()
        .join("node_modules/playwright-core/package.json")
        .is_file()
    {
        return Some("playwright-core is not installed (npm ci --prefix tests/browser)".to_owned());
    }
    None
}

fn chromium() -> PathBuf {
    std::env::var_os("CREDENCE_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("browser")
}

/// Outlet names that would run script if the page pasted them in as HTML.
const HOSTILE: [&str; 2] = ["<script>alert(1)</script>", "</script><script>alert(3)</script>"];

#[test]
fn report_works_in_headless_chromium() {
    if let Some(what) = missing() {
        if std::env::var_os("CREDENCE_REQUIRE_BROWSER").is_some_and(|v| v == "1") {
            panic!("CREDENCE_REQUIRE_BROWSER=1 but {what}");
        }
        eprintln!("skipped: no chromium or its driver: {what}");
        return;
    }
    // The small fixture plus two outlets with hostile names, and a history of three periods.
    let wd = Workdir::new("report-browser");
    for f in ["responses.csv", "resolutions.csv"] {
        wd.copy_fixture("small", f);
    }
    let mut claims = String::from_utf8(std::fs::read(common::data_dir().join("small/claims.csv")).unwrap()).unwrap();
    claims.push_str(
        "h1,<script>alert(1)</script>,2025-03-07,port-strike,asserts,\n\
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
    let (_, sources) = parse_csv(&wd.read("out/sources.csv"), "sources.csv");
    let mut history = String::from("as_of,source,claims,reliability,ci_low,ci_high,rank\n");
    for (k, day) in ["2025-03-02", "2025-03-05", "2025-03-08"].into_iter().enumerate() {
        for row in &sources {
            let share = (k + 1) as f64 / 3.0;
            let mean: f64 = 0.5 + (row[10].parse::<f64>().unwrap() - 0.5) * share;
            let half = 0.45 / (k + 1) as f64;
            history.push_str(&format!(
                "{day},\"{}\",{},{mean:.6},{:.6},{:.6},{}\n",
                row[0].replace('"', "\"\""),
                k + 1,
                (mean - half).max(0.0),
                (mean + half).min(1.0),
                row[13]
            ));
        }
    }
    wd.create("out/history.csv", history);
    wd.output(wd.command("report").args(["out", "--quiet"]));

    let screenshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("report.png");
    let out = Command::new("node")
        .arg(browser_dir().join("check_report.mjs"))
        .arg(wd.path("out/report.html"))
        .arg(&screenshot)
        .arg(sources.len().to_string())
        .args(HOSTILE)
        .env("CREDENCE_CHROMIUM", chromium())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    eprintln!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the browser check failed:\n{stdout}");
    assert!(stdout.contains(&format!("ok   table has one row per source ({})", sources.len())));
    assert!(stdout.contains("ok   clicking the source header sorts by name"));
    assert!(stdout.contains("ok   no console errors"));
    assert!(
        std::fs::metadata(&screenshot).is_ok_and(|m| m.len() > 10_000),
        "no screenshot"
    );
}
