//! `credence import claimreview` on the shipped samples, on HTML and JSON Lines, and on broken files.

mod common;

use common::Workdir;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("datasets/claimreview")
            .join(name),
    )
    .unwrap()
}

#[test]
fn the_samples_become_claims_and_resolutions_and_score() {
    let wd = Workdir::new("import-sample");
    wd.create("sample.json", sample("sample.json"));
    wd.create("search.json", sample("sample_search.json"));
    let mut cmd = wd.command("import");
    cmd.args(["claimreview", "sample.json", "search.json", "--out", "cr"]);
    let err = String::from_utf8(wd.output(&mut cmd).stderr).unwrap();
    assert!(err.contains("8 reviews: 4 imported, 4 rejected; 4 claims"), "{err}");

    let resolutions = wd.read_csv_maps("cr/resolutions.csv");
    let got: Vec<(&str, &str)> = resolutions
        .iter()
        .map(|r| (r["resolver"].as_str(), r["outcome"].as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("Ceasefire Monitor", "false"),
            ("Health Desk", "false"),
            ("Harbour Facts", "mixed"),
            ("Energy Check", "false")
        ]
    );
    let rejects = wd.read_csv_maps("cr/rejects.csv");
    let reasons: Vec<&str> = rejects.iter().map(|r| r["reason"].as_str()).collect();
    assert_eq!(reasons[0], "the rating gives no verdict (outcome none)");
    assert!(reasons[1].starts_with("rating not in the rating table"), "{reasons:?}");
    // The search result reviews the same claim text as a schema.org review: one story, already resolved.
    assert_eq!(reasons[2], "story already resolved by Harbour Facts");
    assert_eq!(rejects[2]["column"], "/claims/0/claimReview/0");
    // Each review by its own line in the file (where its object opens), not the document's first.
    let lines: Vec<&str> = rejects.iter().map(|r| r["line"].as_str()).collect();
    assert_eq!(lines, ["50", "59", "8", "16"]);

    let claims = wd.read_csv_maps("cr/claims.csv");
    assert_eq!(claims.len(), 4);
    assert_eq!(claims[0]["source"], "The Rumor Mill");
    assert_eq!(claims[0]["published_at"], "2025-05-11T00:00:00Z");

    // As responses, every usable review is a response; the imported files score.
    let mut cmd = wd.command("import");
    cmd.args([
        "claimreview",
        "sample.json",
        "search.json",
        "--out",
        "as-responses",
        "--as",
        "responses",
        "-q",
    ]);
    wd.output(&mut cmd);
    let responses = wd.read_csv_maps("as-responses/responses.csv");
    assert_eq!(responses.len(), 6);
    assert_eq!(responses[0]["verdict"], "denied");
    assert_eq!(responses[2]["verdict"], "partial");
    let mut score = wd.command("score");
    score.args([
        "--claims",
        "as-responses/claims.csv",
        "--responses",
        "as-responses/responses.csv",
        "--out",
        "run",
        "-q",
    ]);
    wd.output(&mut score);
    assert_eq!(wd.read_csv_maps("run/sources.csv").len(), 4);
    assert_eq!(wd.read_csv_maps("run/rejects.csv").len(), 0);
}

#[test]
fn html_pages_json_lines_and_custom_tables() {
    let wd = Workdir::new("import-html");
    let review = r#"{"@context":"https://schema.org","@type":"ClaimReview","datePublished":"2025-06-24",
        "claimReviewed":"A letter was handed over","author":{"name":"Desk"},
        "itemReviewed":{"@type":"Claim","author":{"name":"Wire"}},
        "reviewRating":{"@type":"Rating","alternateName":"Disputed by officials"}}"#;
    wd.create(
        "page.html",
        format!("<!doctype html><html><head>\n<script type=\"application/ld+json\">\n{review}\n</script></head><body>x</body></html>\n"),
    );
    wd.create(
        "lines.jsonl",
        format!("{}\n\n{}\n", review.replace('\n', " "), review.replace('\n', " ")),
    );
    wd.create("ratings.csv", "rating,outcome\nDisputed by officials,mixed\n");
    let mut cmd = wd.command("import");
    cmd.args([
        "claimreview",
        "page.html",
        "lines.jsonl",
        "--out",
        "o",
        "--ratings",
        "ratings.csv",
        "-q",
    ]);
    wd.output(&mut cmd);
    let resolutions = wd.read_csv_maps("o/resolutions.csv");
    assert_eq!(resolutions.len(), 1);
    assert_eq!(resolutions[0]["outcome"], "mixed");
    let rejects = wd.read_csv_maps("o/rejects.csv");
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    assert_eq!(
        (rejects[0]["file"].as_str(), rejects[0]["line"].as_str()),
        ("lines.jsonl", "1")
    );
    assert_eq!(
        (rejects[1]["file"].as_str(), rejects[1]["line"].as_str()),
        ("lines.jsonl", "3")
    );
}

#[test]
fn broken_inputs_are_named_errors() {
    let wd = Workdir::new("import-broken");
    wd.create("bad.json", "{\"@type\": \"ClaimReview\",\n  \"url\": oops}\n");
    let err = wd.output_err(wd.command("import").args(["claimreview", "bad.json", "--out", "o"]), 1);
    assert!(
        err.contains("bad.json:2") && err.contains("not JSON (at column 10)"),
        "{err}"
    );
    // The position is said once, not again in serde_json's words.
    assert!(!err.contains(" at line "), "{err}");
    wd.create("t.csv", "rating,outcome\nFalse,nope\n");
    wd.create("ok.json", "[]");
    let err = wd.output_err(
        wd.command("import")
            .args(["claimreview", "ok.json", "--out", "o", "--ratings", "t.csv"]),
        1,
    );
    assert!(err.contains("t.csv:2") && err.contains("outcome"), "{err}");
    let err = wd.output_err(
        wd.command("import").args(["claimreview", "missing.json", "--out", "o"]),
        1,
    );
    assert!(err.contains("missing.json"), "{err}");
    assert!(!wd.path("o").join("resolutions.csv").exists());
}
