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

/// Audit (session 23): a key given twice took its last value without a word. Inside a review the review
/// is refused, named by the repeated member's pointer; outside every review (where the value dropped may
/// have held reviews) the file is refused, named by the line of the repeat.
#[test]
fn a_key_given_twice_is_refused() {
    let wd = Workdir::new("import-repeated-key");
    let review = |rating: &str| {
        format!(
            "{{\"@type\": \"ClaimReview\", \"claimReviewed\": \"The port is closed\", \"author\": \"Desk\",\n  \
             \"datePublished\": \"2025-06-25\", \"itemReviewed\": {{\"author\": \"Wire\"}},\n  \
             \"reviewRating\": {rating}}}"
        )
    };
    let twice = review("{\"alternateName\": \"False\", \"alternateName\": \"True\"}");
    wd.create(
        "inside.json",
        format!("[{}, {}]\n", review("{\"alternateName\": \"False\"}"), twice),
    );
    let mut cmd = wd.command("import");
    cmd.args(["claimreview", "inside.json", "--out", "o"]);
    let err = String::from_utf8(wd.output(&mut cmd).stderr).unwrap();
    assert!(err.contains("2 reviews: 1 imported, 1 rejected"), "{err}");
    let rejects = wd.read_csv_maps("o/rejects.csv");
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["column"], "/1/reviewRating/alternateName");
    // The review opens on line 3 (the first one closes there).
    assert_eq!(rejects[0]["line"], "3");
    assert!(rejects[0]["reason"].contains("appears twice"), "{rejects:?}");

    let ok = review("{\"alternateName\": \"False\"}");
    wd.create("outside.json", format!("{{\"@graph\": [{ok}],\n \"@graph\": []}}\n"));
    let err = wd.output_err(
        wd.command("import").args(["claimreview", "outside.json", "--out", "p"]),
        1,
    );
    assert!(
        err.contains("outside.json:4") && err.contains("/@graph") && err.contains("appears twice"),
        "{err}"
    );
    assert!(!wd.path("p").join("resolutions.csv").exists());

    // A plain value given twice in an object no review reads is let be (audit, session 24: a web page's
    // own name given twice refused the file).
    wd.create(
        "page.json",
        format!("{{\"@graph\": [{{\"@type\": \"WebPage\", \"name\": \"a\", \"name\": \"b\"}}, {ok}]}}\n"),
    );
    let mut cmd = wd.command("import");
    cmd.args(["claimreview", "page.json", "--out", "q"]);
    let err = String::from_utf8(wd.output(&mut cmd).stderr).unwrap();
    assert!(err.contains("1 review: 1 imported, 0 rejected; 1 claim\n"), "{err}");

    // A fact-check search result whose claim names its claimant twice: that claim's reviews are refused,
    // named by the claimant's pointer; the other claim's review is imported.
    let search = |claim: &str| {
        format!(
            "{{{claim}, \"text\": \"The port is closed\", \"claimReview\": [{{\"publisher\": {{\"name\": \"Desk\"}}, \
             \"reviewDate\": \"2025-06-25\", \"textualRating\": \"False\"}}]}}"
        )
    };
    wd.create(
        "search.json",
        format!(
            "{{\"claims\": [{}, {}]}}\n",
            search("\"claimant\": \"Wire\", \"claimant\": \"Daily\""),
            search("\"claimant\": \"Post\"")
        ),
    );
    let mut cmd = wd.command("import");
    cmd.args(["claimreview", "search.json", "--out", "s", "--as", "responses"]);
    let err = String::from_utf8(wd.output(&mut cmd).stderr).unwrap();
    assert!(err.contains("2 reviews: 1 imported, 1 rejected"), "{err}");
    let rejects = wd.read_csv_maps("s/rejects.csv");
    assert_eq!(rejects[0]["column"], "/claims/0/claimant", "{rejects:?}");

    // A type given twice outside every review may have made its object one: the file is refused (audit,
    // session 24: `"@type": "ClaimReview", "@type": "WebPage"` lost the review without a word).
    let retyped = format!("{}, \"@type\": \"WebPage\"}}", &ok[..ok.len() - 1]);
    wd.create("typed.json", format!("[{retyped}, {ok}]\n"));
    let err = wd.output_err(
        wd.command("import").args(["claimreview", "typed.json", "--out", "t"]),
        1,
    );
    // Named by the line of the repeat (the review spans three).
    assert!(err.contains("typed.json:3") && err.contains("/0/@type"), "{err}");
    // A byte-order mark before the JSON is not part of it.
    wd.create("bom.json", format!("\u{feff}{ok}\n"));
    let mut cmd = wd.command("import");
    cmd.args(["claimreview", "bom.json", "--out", "b"]);
    let err = String::from_utf8(wd.output(&mut cmd).stderr).unwrap();
    assert!(err.contains("1 review: 1 imported, 0 rejected"), "{err}");
}

/// Found by fuzzing: a round-up page reviewing two claims gave both responses its URL as their id, which
/// `score` then refused as a duplicate; one file given twice did the same to every review; and a review
/// naming no claimant wrote a verdict on a story no claim held, which `score` refused. Now the second id
/// gets `#2`, a repeated review is a reject, and a verdict needs a claim.
#[test]
fn every_imported_verdict_scores() {
    let wd = Workdir::new("import-verdicts-score");
    let review = |claim: &str, claimant: Option<&str>, rating: &str| {
        let author = claimant.map_or(String::new(), |c| format!(r#""author": {{"name": "{c}"}}, "#));
        format!(
            r#"{{"@type": "ClaimReview", "url": "https://fc.example/roundup", "datePublished": "2025-05-20",
            "claimReviewed": "{claim}", "author": {{"name": "FC"}},
            "itemReviewed": {{"@type": "Claim", {author}"datePublished": "2025-05-11"}},
            "reviewRating": {{"alternateName": "{rating}"}}}}"#
        )
    };
    let reviews = [
        review("The port was sold", Some("Daily Courier"), "False"),
        review("The bridge was closed", Some("Morning Signal"), "True"),
        // No claimant, but a story an earlier review's claimant made: it judges that claim.
        review("The port was sold", None, "True"),
        review("The mayor resigned", None, "True"),
    ];
    wd.create("page.json", format!("[{}]", reviews.join(",\n")));
    let mut import = wd.command("import");
    import.args([
        "claimreview",
        "page.json",
        "page.json",
        "--as",
        "responses",
        "--out",
        "imp",
    ]);
    let stderr = String::from_utf8(wd.output(&mut import).stderr).unwrap();
    assert!(
        stderr.contains("8 reviews: 3 imported, 5 rejected; 2 claims"),
        "{stderr}"
    );
    let ids: Vec<String> = wd
        .read_csv_maps("imp/responses.csv")
        .iter()
        .map(|r| r["response_id"].clone())
        .collect();
    assert_eq!(
        ids,
        [
            "https://fc.example/roundup",
            "https://fc.example/roundup#2",
            "https://fc.example/roundup#3"
        ]
    );
    let reasons: Vec<String> = wd
        .read_csv_maps("imp/rejects.csv")
        .iter()
        .map(|r| r["reason"].clone())
        .collect();
    assert_eq!(
        reasons
            .iter()
            .filter(|r| r.starts_with("the same review again"))
            .count(),
        3,
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"the same review again (first at page.json:5)".to_owned()),
        "{reasons:?}"
    );
    assert_eq!(
        reasons.iter().filter(|r| r.starts_with("no claimant named")).count(),
        2,
        "{reasons:?}"
    );
    let mut score = wd.command("score");
    score.args([
        "--claims",
        "imp/claims.csv",
        "--responses",
        "imp/responses.csv",
        "--out",
        "run",
        "-q",
    ]);
    wd.output(&mut score);
    assert!(wd.read_csv_maps("run/rejects.csv").is_empty());
}

/// Audit (session 23): names beginning with @, +, - or = were written with the spreadsheet guard's
/// leading ', so `@elonmusk` from a fact-check was another outlet than `@elonmusk` in the user's own
/// claims. Names and ids are written as they came; free text alone is guarded.
#[test]
fn names_are_written_as_they_came_and_free_text_is_guarded() {
    let wd = Workdir::new("import-names");
    let review = |url: &str, text: &str, checker: &str, claimant: &str, rating: &str| {
        format!(
            "{{\"@type\":\"ClaimReview\",\"url\":\"{url}\",\"claimReviewed\":\"{text}\",\"author\":{{\"name\":\"{checker}\"}},\
             \"itemReviewed\":{{\"@type\":\"Claim\",\"author\":{{\"name\":\"{claimant}\"}},\"datePublished\":\"2025-01-01\"}},\
             \"reviewRating\":{{\"alternateName\":\"{rating}\"}},\"datePublished\":\"2025-02-01\"}}\n"
        )
    };
    wd.create(
        "in.jsonl",
        review("https://a/1", "=1+1 says the bot", "@factbot", "@elonmusk", "False")
            + &review("https://a/2", "plain", "-FC", "+972 Magazine", "True"),
    );
    wd.output(
        wd.command("import")
            .args(["claimreview", "in.jsonl", "--out", "o", "-q"]),
    );
    let claims = wd.read_csv_maps("o/claims.csv");
    let sources: Vec<&str> = claims.iter().map(|r| r["source"].as_str()).collect();
    assert_eq!(sources, ["@elonmusk", "+972 Magazine"]);
    assert_eq!(claims[0]["text"], "'=1+1 says the bot");
    let resolvers: Vec<String> = wd
        .read_csv_maps("o/resolutions.csv")
        .iter()
        .map(|r| r["resolver"].clone())
        .collect();
    assert_eq!(resolvers, ["@factbot", "-FC"]);
}
