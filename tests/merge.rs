//! `credence merge` and its claims files: claims.csv is written from every shard's claims file or not at
//! all, each file pairs with the partial made from it however it is spelled, and a shard's refused rows
//! (an unkeyed row among them) never reach claims.csv.

mod common;

use common::Workdir;

/// A folder holding the `shards` fixture.
fn shards(name: &str) -> Workdir {
    let wd = Workdir::new(name);
    for f in ["a.csv", "b.csv", "responses.csv", "unkeyed.csv"] {
        wd.copy_fixture("shards", f);
    }
    wd
}

/// `credence score --claims CLAIMS --responses responses.csv --partial PARTIAL`, quietly.
fn partial(wd: &Workdir, claims: &str, partial: &str) {
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        claims,
        "--responses",
        "responses.csv",
        "--partial",
        partial,
        "-q",
    ]);
    wd.output(&mut cmd);
}

/// `credence score --claims CLAIMS --responses RESPONSES --partial PARTIAL`, quietly, run in folder `dir`.
fn score_in(wd: &Workdir, dir: &str, claims: &str, responses: &str, partial: &str) {
    let mut cmd = wd.command("score");
    cmd.current_dir(wd.path(dir))
        .args(["--claims", claims, "--responses", responses, "--partial", partial, "-q"]);
    wd.output(&mut cmd);
}

/// `credence merge PARTIALS... --out OUT [--claims CLAIMS...]`, not yet run.
fn merge(wd: &Workdir, partials: &[&str], out: &str, claims: &[&str]) -> std::process::Command {
    let mut cmd = wd.command("merge");
    cmd.args(partials).args(["--out", out, "-q"]);
    if !claims.is_empty() {
        cmd.arg("--claims").args(claims);
    }
    cmd
}

/// `credence score --claims CLAIMS --responses responses.csv --out OUT`, quietly.
fn score(wd: &Workdir, claims: &str, out: &str) {
    let mut cmd = wd.command("score");
    cmd.args(["--claims", claims, "--responses", "responses.csv", "--out", out, "-q"]);
    wd.output(&mut cmd);
}

/// Audit: `merge a.json b.json --claims a.csv` wrote a claims.csv of a.csv's claims alone, exit 0, while
/// summary.json counted both shards'. Claims files are all or none, and the error names what is missing.
#[test]
fn claims_files_of_some_shards_only_are_refused() {
    let wd = shards("merge-some-claims");
    partial(&wd, "a.csv", "a.json");
    partial(&wd, "b.csv", "b.json");
    let err = wd.output_err(&mut merge(&wd, &["a.json", "b.json"], "some", &["a.csv"]), 1);
    assert!(
        err.contains("claims files of 1 of the 2 partials")
            && err.contains("Missing: b.csv (partial b.json)")
            && err.contains("or none"),
        "{err}"
    );
    assert!(!wd.path("some").exists(), "nothing is written");

    // None: every output but claims.csv.
    wd.output(&mut merge(&wd, &["a.json", "b.json"], "none", &[]));
    assert!(wd.path("none/summary.json").exists() && !wd.path("none/claims.csv").exists());

    // All: one row per claim scored.
    wd.output(&mut merge(&wd, &["b.json", "a.json"], "all", &["a.csv", "b.csv"]));
    let scored: u64 = wd.read_json("all/summary.json")["inputs"]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["scored"].as_u64().unwrap())
        .sum();
    assert_eq!(wd.read_csv("all/claims.csv").1.len() as u64, scored);
    assert_eq!(scored, 6);
}

/// One shard's file given twice would write its claims twice; a file no partial was made from has no
/// rejects to skip. Both are refused, by name.
#[test]
fn a_claims_file_given_twice_or_of_no_partial_is_refused() {
    let wd = shards("merge-wrong-claims");
    partial(&wd, "a.csv", "a.json");
    partial(&wd, "b.csv", "b.json");
    let err = wd.output_err(&mut merge(&wd, &["a.json", "b.json"], "o", &["a.csv", "./a.csv"]), 1);
    assert!(
        err.contains("a.csv: given twice to --claims (as a.csv and ./a.csv)"),
        "{err}"
    );
    let err = wd.output_err(
        &mut merge(&wd, &["a.json", "b.json"], "o", &["a.csv", "unkeyed.csv"]),
        1,
    );
    assert!(
        err.contains(
            "unkeyed.csv: no partial given to merge was made from this file (they were made from a.csv, b.csv)"
        ),
        "{err}"
    );
    assert!(!wd.path("o").exists());
}

/// Audit (with `unkeyed.csv`): a claims file spelled otherwise than when its partial was made (`./a.csv`
/// then `a.csv`, or a merge run from another folder) was not recognised, so its shard's refused rows were
/// not skipped: a row whose outlet and story were known from other rows went into claims.csv, and one
/// whose names were not made the merge fail with "holds claims that its partial does not".
#[test]
fn a_claims_file_pairs_with_its_partial_however_it_is_spelled() {
    let wd = shards("merge-spelling");
    partial(&wd, "./a.csv", "a.json");
    partial(&wd, "b.csv", "b.json");
    wd.create("ab.csv", {
        let a = wd.read_string("a.csv");
        let b = wd.read_string("b.csv");
        format!("{a}{}", b.split_once('\n').unwrap().1)
    });
    score(&wd, "ab.csv", "single");
    wd.output(&mut merge(&wd, &["a.json", "b.json"], "here", &["a.csv", "b.csv"]));
    let absolute = wd.path("a.csv").display().to_string();
    wd.output(&mut merge(&wd, &["a.json", "b.json"], "abs", &[&absolute, "./b.csv"]));
    std::fs::create_dir(wd.path("sub")).unwrap();
    let mut elsewhere = wd.command("merge");
    elsewhere.current_dir(wd.path("sub")).args([
        "../a.json",
        "../b.json",
        "--out",
        "../sub-out",
        "-q",
        "--claims",
        "../a.csv",
        "../b.csv",
    ]);
    wd.output(&mut elsewhere);
    for out in ["here", "abs", "sub-out"] {
        for f in ["claims.csv", "sources.csv", "responders.csv"] {
            assert!(
                wd.read(&format!("{out}/{f}")) == wd.read(&format!("single/{f}")),
                "{out}/{f} differs"
            );
        }
        let ids: Vec<String> = wd
            .read_csv(&format!("{out}/claims.csv"))
            .1
            .into_iter()
            .map(|r| r[0].clone())
            .collect();
        assert!(
            !ids.contains(&"a3".to_owned()),
            "{out}: the refused row a3 is in claims.csv: {ids:?}"
        );
    }
}

/// Audit: a shard's unkeyed rows were refused as a bare "empty value", and the merge given the same file
/// failed. The reason now says that shards need keys, and the merge reconciles: every row read is scored
/// or rejected, the rows a single run refuses are refused alike, and the keyed rows score as a single run
/// over them does.
#[test]
fn a_shard_with_unkeyed_rows_merges_and_reconciles() {
    let wd = shards("merge-unkeyed");
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        "unkeyed.csv",
        "--responses",
        "responses.csv",
        "--partial",
        "u.json",
    ]);
    let err = String::from_utf8(wd.output(&mut cmd).stderr).unwrap();
    assert!(
        err.contains("unkeyed.csv: 6 rows read, 3 scored, 3 rejected")
            && err.contains("2 rows rejected for an empty story_id: a shard needs one on every row"),
        "{err}"
    );
    for (k, claims) in ["unkeyed.csv", "./unkeyed.csv"].into_iter().enumerate() {
        let out = format!("m{k}");
        wd.output(&mut merge(&wd, &["u.json"], &out, &[claims]));
        let summary = wd.read_json(&format!("{out}/summary.json"));
        let t = &summary["inputs"]["claims"][0];
        let n = |k: &str| t[k].as_u64().unwrap();
        assert_eq!((n("read"), n("scored"), n("rejected")), (6, 3, 3), "{t}");
        assert_eq!(wd.read_csv(&format!("{out}/claims.csv")).1.len(), 3);
        let rejects = wd.read_csv_maps(&format!("{out}/rejects.csv"));
        let claim_rejects: Vec<_> = rejects.iter().filter(|r| r["file"] == "unkeyed.csv").collect();
        assert_eq!(claim_rejects.len(), 3);
        let unkeyed: Vec<&str> = claim_rejects
            .iter()
            .filter(|r| r["reason"].contains("a shard (--partial) needs a story_id on every row"))
            .map(|r| r["line"].as_str())
            .collect();
        assert_eq!(unkeyed, ["3", "5"]);
    }

    // A single run reads as many rows, and refuses the rows it refuses for the same reasons.
    score(&wd, "unkeyed.csv", "single");
    let single = wd.read_json("single/summary.json");
    assert_eq!(single["inputs"]["claims"][0]["read"], 6);
    let merged = wd.read_csv_maps("m0/rejects.csv");
    for r in wd.read_csv_maps("single/rejects.csv") {
        if r["column"] == "story_id" {
            continue; // u2: no story and no text, refused by both, each with its own reason
        }
        assert!(merged.contains(&r), "{r:?} not in the merge's rejects");
    }

    // The keyed rows alone score as the shard does.
    let text = wd.read_string("unkeyed.csv");
    let keyed: Vec<&str> = text.lines().filter(|l| !l.contains(",,")).collect();
    wd.create("keyed.csv", keyed.join("\n") + "\n");
    score(&wd, "keyed.csv", "keyed");
    for f in ["sources.csv", "responders.csv"] {
        assert!(
            wd.read(&format!("m0/{f}")) == wd.read(&format!("keyed/{f}")),
            "{f} differs"
        );
    }
}

/// A claim id in two shards' files: each shard accepted its own row, so the partials count the claim
/// twice, where one run over the files would refuse the second. With the claims files the merge refuses,
/// naming both rows; a row its own shard refused as a duplicate is not taken for the first. Without the
/// files the merge cannot check and says so.
#[test]
fn a_claim_id_in_two_shards_is_refused_at_the_merge() {
    let wd = shards("merge-shared-id");
    // c.csv: a2 again (line 3, a duplicate in no shard of its own), after its own c1 twice (line 4 refused
    // by c's shard as a duplicate of line 2).
    wd.create(
        "c.csv",
        "claim_id,source,published_at,story_id,stance\n\
         c1,Signal,2025-03-04,budget-leak,asserts\n\
         a2,State Wire,2025-03-05,dam-repair,denies\n\
         c1,Rumor Mill,2025-03-06,budget-leak,asserts\n",
    );
    partial(&wd, "a.csv", "a.json");
    partial(&wd, "b.csv", "b.json");
    partial(&wd, "c.csv", "c.json");
    let err = wd.output_err(
        &mut merge(&wd, &["a.json", "b.json", "c.json"], "o", &["a.csv", "b.csv", "c.csv"]),
        1,
    );
    assert!(
        err.contains("c.csv:3: claim_id \"a2\" is also at a.csv:3, in another shard"),
        "{err}"
    );
    assert!(!wd.path("o").exists());
    // The other order of the files names the rows the other way round.
    let err = wd.output_err(
        &mut merge(&wd, &["a.json", "b.json", "c.json"], "o", &["c.csv", "a.csv", "b.csv"]),
        1,
    );
    assert!(err.contains("a.csv:3: claim_id \"a2\" is also at c.csv:3"), "{err}");
    // Without the claims files nothing can be checked: the merge runs, and says so unless quiet.
    let mut cmd = wd.command("merge");
    cmd.args(["a.json", "b.json", "c.json", "--out", "unchecked"]);
    let out = wd.output(&mut cmd);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("claim ids are not checked across shards"), "{said}");
    // The shards without the shared id merge as before.
    wd.output(&mut merge(&wd, &["a.json", "b.json"], "ok", &["a.csv", "b.csv"]));
}

/// Each shard scored in a folder of its own, each with its own `responses.csv`: the merge used to count
/// the two files as one (by their name) and lose the second's rows without a word. It now refuses them,
/// naming both shards, and merges at once when the files are named apart.
#[test]
fn two_responses_files_of_one_name_with_other_rows_are_refused() {
    let wd = shards("merge-same-name");
    let responses = wd.read_string("responses.csv");
    let lines: Vec<&str> = responses.lines().collect();
    for (dir, claims, keep) in [("jan", "a.csv", 1), ("feb", "b.csv", 2)] {
        wd.create(&format!("{dir}/{claims}"), wd.read(claims));
        wd.create(
            &format!("{dir}/responses.csv"),
            format!("{}\n{}\n", lines[0], lines[keep]),
        );
        let mut cmd = wd.command("score");
        cmd.current_dir(wd.path(dir)).args([
            "--claims",
            claims,
            "--responses",
            "responses.csv",
            "--partial",
            &format!("../{dir}.json"),
            "-q",
        ]);
        wd.output(&mut cmd);
    }
    let err = wd.output_err(&mut merge(&wd, &["jan.json", "feb.json"], "o", &[]), 1);
    assert!(
        err.contains("the shards of a.csv and b.csv were each scored with a responses file named responses.csv, and their rows differ"),
        "{err}"
    );
    assert!(!wd.path("o").exists(), "nothing written");
    // Named apart, both files count.
    for (dir, claims) in [("jan", "a.csv"), ("feb", "b.csv")] {
        let mut cmd = wd.command("score");
        cmd.args([
            "--claims",
            &format!("{dir}/{claims}"),
            "--responses",
            &format!("{dir}/responses.csv"),
            "--partial",
            &format!("{dir}.json"),
            "-q",
        ]);
        wd.output(&mut cmd);
    }
    wd.output(&mut merge(&wd, &["jan.json", "feb.json"], "o", &[]));
    let summary = wd.read_json("o/summary.json");
    let read: Vec<u64> = summary["inputs"]["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["read"].as_u64().unwrap())
        .collect();
    assert_eq!(read, [1, 1]);
}

/// One responses file named differently by two shards (`responses.csv`, `./responses.csv`, its absolute
/// path) is one file: the merge used to keep both copies, and every row of the second was refused as a
/// repeat of the first (rejects.csv and summary.json counted the file twice). A refused row of the file,
/// named by each copy under its own spelling, is still the same refusal.
#[test]
fn one_responses_file_under_other_names_counts_once() {
    let wd = shards("merge-spellings");
    let absolute = wd.path("responses.csv").canonicalize().unwrap().display().to_string();
    for (claims, spelling, out) in [
        ("a.csv", "responses.csv", "a.json"),
        ("b.csv", "./responses.csv", "b.json"),
    ] {
        let mut cmd = wd.command("score");
        cmd.args(["--claims", claims, "--responses", spelling, "--partial", out, "-q"]);
        wd.output(&mut cmd);
    }
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        "a.csv",
        "--responses",
        &absolute,
        "--partial",
        "c.json",
        "-q",
    ]);
    wd.output(&mut cmd);
    wd.output(&mut merge(&wd, &["a.json", "b.json"], "merged", &[]));
    wd.create(
        "ab.csv",
        format!(
            "{}{}",
            wd.read_string("a.csv"),
            wd.read_string("b.csv").split_once('\n').unwrap().1
        ),
    );
    score(&wd, "ab.csv", "one");
    assert_eq!(wd.read_string("merged/sources.csv"), wd.read_string("one/sources.csv"));
    let files = |dir: &str| wd.read_json(&format!("{dir}/summary.json"))["inputs"]["responses"].clone();
    let merged = files("merged");
    assert_eq!(merged.as_array().unwrap().len(), 1, "{merged}");
    assert_eq!(merged[0]["read"], files("one")[0]["read"]);
    // The fixture's verdict "perhaps" is refused, once.
    assert_eq!(merged[0]["rejected"].as_u64(), Some(1), "{merged}");
    assert_eq!(
        wd.read_csv("merged/rejects.csv").1.len(),
        wd.read_csv("one/rejects.csv").1.len()
    );
    // By its absolute path too.
    wd.output(&mut merge(&wd, &["b.json", "c.json"], "absolute", &[]));
    assert_eq!(files("absolute").as_array().unwrap().len(), 1);
    // Named by the spelling of the shard whose claims file sorts first, whatever the partials' order (audit,
    // session 24: the first partial's spelling was taken, so the bytes of summary.json and rejects.csv
    // depended on the order).
    wd.output(&mut merge(&wd, &["b.json", "a.json"], "reversed", &[]));
    for f in ["summary.json", "rejects.csv", "sources.csv"] {
        assert_eq!(
            wd.read_string(&format!("reversed/{f}")),
            wd.read_string(&format!("merged/{f}")),
            "{f}"
        );
    }
    assert_eq!(files("merged")[0]["file"], "responses.csv");
    // A file that changed between two shards' scorings is named as such.
    let mut changed = wd.read_string("responses.csv");
    changed.push_str("r-late,port-strike,Ministry,2025-03-20,confirmed\n");
    wd.create("responses.csv", &changed);
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        "b.csv",
        "--responses",
        "./responses.csv",
        "--partial",
        "b.json",
        "-q",
    ]);
    wd.output(&mut cmd);
    let err = wd.output_err(&mut merge(&wd, &["a.json", "b.json"], "changed", &[]), 1);
    assert!(
        err.contains("the shards of a.csv and b.csv were scored with the same responses file (")
            && err.contains("the file changed between the two scorings"),
        "{err}"
    );
}

/// Audit (session 24): whether a merge was refused depended on the order of its partials. Shard 1 was
/// scored with `r.csv` in folder A, shard 2 with B's file by its absolute path, shard 3 with `r.csv` in
/// folder B: in the order 1, 2, 3 the two files named r.csv were refused; in the order 2, 3, 1, shard 3's
/// copy was taken for shard 2's (by path), its name was forgotten, and shard 1's r.csv merged beside it.
/// Every name a file was given now stands for it.
#[test]
fn a_shared_file_refused_in_one_order_is_refused_in_every_order() {
    let wd = shards("merge-spelling-order");
    let responses = wd.read_string("responses.csv");
    let lines: Vec<&str> = responses.lines().collect();
    wd.create("A/r.csv", format!("{}\n{}\n", lines[0], lines[1]));
    wd.create("B/r.csv", format!("{}\n{}\n", lines[0], lines[2]));
    let b_absolute = wd.path("B/r.csv").canonicalize().unwrap().display().to_string();
    wd.create("c.csv", wd.read("a.csv"));
    score_in(&wd, "A", "../a.csv", "r.csv", "../p1.json");
    score_in(&wd, ".", "b.csv", &b_absolute, "p2.json");
    score_in(&wd, "B", "../c.csv", "r.csv", "../p3.json");
    for order in [
        ["p1.json", "p2.json", "p3.json"],
        ["p2.json", "p3.json", "p1.json"],
        ["p3.json", "p1.json", "p2.json"],
    ] {
        let err = wd.output_err(&mut merge(&wd, &order, "o", &[]), 1);
        assert!(err.contains("named r.csv, and their rows differ"), "{order:?}: {err}");
    }
}

/// A story wider than the merge scans (64 claims) is searched instead: a story of 300 claims, a third of
/// them relays, some of them denials, with values and times, cut into two shards, gives one run's
/// claims.csv with and without --detect-copies (the merge found each claim's credit by a scan of its story,
/// quadratic in its width: 4.6 s against 0.7 for one story of 20,000).
#[test]
fn a_wide_story_merges_to_one_runs_claims() {
    let wd = Workdir::new("merge-wide");
    let mut rows = String::from("claim_id,source,published_at,story_id,stance,attributed_to,value\n");
    for i in 0..300u32 {
        let attributed = if i % 3 == 2 {
            format!("o{}", (i * 7) % i.max(1))
        } else {
            String::new()
        };
        let stance = if i % 11 == 0 { "denies" } else { "asserts" };
        let (day, value) = (1 + i % 9, ["red", "blue", "green"][(i % 5 % 3) as usize]);
        rows.push_str(&format!(
            "c{i},o{},2025-01-{day:02},wide,{stance},{attributed},{value}\n",
            i % 120
        ));
    }
    for i in 0..60u32 {
        rows.push_str(&format!("n{i},o{},2025-02-01,s{},asserts,,red\n", i % 40, i % 20));
    }
    let lines: Vec<&str> = rows.lines().collect();
    let (header, body) = (lines[0], &lines[1..]);
    let half = body.len() / 2;
    wd.create("all.csv", &rows);
    wd.create("a.csv", format!("{header}\n{}\n", body[..half].join("\n")));
    wd.create("b.csv", format!("{header}\n{}\n", body[half..].join("\n")));
    for options in [&[][..], &["--detect-copies"][..]] {
        let run = |args: &[&str]| {
            let mut cmd = wd.command(args[0]);
            cmd.args(&args[1..]).arg("-q");
            if args[0] == "score" {
                cmd.args(["--value-kind", "text"]);
            }
            // Detection is a merge's option, not a shard's.
            if !args.contains(&"--partial") {
                cmd.args(options);
            }
            wd.output(&mut cmd);
        };
        run(&["score", "--claims", "a.csv", "--partial", "a.json"]);
        run(&["score", "--claims", "b.csv", "--partial", "b.json"]);
        run(&[
            "merge", "a.json", "b.json", "--claims", "a.csv", "b.csv", "--out", "merged",
        ]);
        run(&["score", "--claims", "all.csv", "--out", "one"]);
        for f in ["claims.csv", "sources.csv", "stories.csv"] {
            assert_eq!(
                wd.read_string(&format!("merged/{f}")),
                wd.read_string(&format!("one/{f}")),
                "{f} with {options:?}"
            );
        }
        let roles: std::collections::BTreeSet<String> = wd
            .read_csv_maps("one/claims.csv")
            .into_iter()
            .map(|r| r["role"].clone())
            .collect();
        assert!(roles.contains("relay") && roles.contains("original"), "{roles:?}");
    }
}

/// Audit (session 24): one file's rows in d1/r.csv and d2/r.csv, given as `r.csv` from d1, `./r.csv` from
/// d2 and `r.csv` from d2: the third names the first two's file both ways, by name and by path. In two
/// orders of six the merge counted it twice (every row of the second copy refused as a repeat). It is one
/// file in every order, named alike.
#[test]
fn a_file_named_two_ways_by_three_shards_counts_once_in_any_order() {
    let wd = shards("merge-bridge");
    for dir in ["d1", "d2"] {
        wd.create(&format!("{dir}/r.csv"), wd.read("responses.csv"));
    }
    wd.create("c.csv", wd.read("a.csv"));
    score_in(&wd, "d1", "../a.csv", "r.csv", "../pa.json");
    score_in(&wd, "d2", "../b.csv", "./r.csv", "../pb.json");
    score_in(&wd, "d2", "../c.csv", "r.csv", "../pc.json");
    let orders = [
        ["pa.json", "pb.json", "pc.json"],
        ["pa.json", "pc.json", "pb.json"],
        ["pb.json", "pa.json", "pc.json"],
        ["pb.json", "pc.json", "pa.json"],
        ["pc.json", "pa.json", "pb.json"],
        ["pc.json", "pb.json", "pa.json"],
    ];
    for (k, order) in orders.iter().enumerate() {
        wd.output(&mut merge(&wd, order, &format!("o{k}"), &[]));
        let files = wd.read_json(&format!("o{k}/summary.json"))["inputs"]["responses"].clone();
        assert_eq!(files.as_array().unwrap().len(), 1, "{order:?}: {files}");
        for f in ["summary.json", "rejects.csv", "sources.csv", "responders.csv"] {
            assert_eq!(
                wd.read_string(&format!("o{k}/{f}")),
                wd.read_string(&format!("o0/{f}")),
                "{order:?}: {f}"
            );
        }
    }
}

/// Groups apply to the merged outlets: `merge --sources-meta` scores as one run over the shards' files
/// with the same groups file does (the same sources.csv with its group column, stories and responders),
/// and the groups file's refused rows and counts are reported alike.
#[test]
fn a_merge_takes_the_outlets_groups() {
    let wd = shards("merge-groups");
    wd.create(
        "meta.csv",
        "source,group\nDaily Courier,paper\nSignal,paper\nRumor Mill,blog\nSignal,wire\nState Wire,wire\n",
    );
    partial(&wd, "a.csv", "a.json");
    partial(&wd, "b.csv", "b.json");
    let mut cmd = merge(&wd, &["b.json", "a.json"], "m", &["a.csv", "b.csv"]);
    cmd.args(["--sources-meta", "meta.csv"]);
    wd.output(&mut cmd);
    let b = wd.read_string("b.csv");
    wd.create("ab.csv", wd.read_string("a.csv") + b.split_once('\n').unwrap().1);
    let mut single = wd.command("score");
    single.args([
        "--claims",
        "ab.csv",
        "--responses",
        "responses.csv",
        "--sources-meta",
        "meta.csv",
        "--out",
        "single",
        "-q",
    ]);
    wd.output(&mut single);
    let sources = wd.read_csv_maps("m/sources.csv");
    assert_eq!(sources.iter().filter(|r| r["group"] == "paper").count(), 2);
    for f in ["sources.csv", "stories.csv", "responders.csv"] {
        assert!(
            wd.read(&format!("m/{f}")) == wd.read(&format!("single/{f}")),
            "{f} differs"
        );
    }
    let meta_rejects = |dir: &str| -> Vec<_> {
        wd.read_csv_maps(&format!("{dir}/rejects.csv"))
            .into_iter()
            .filter(|r| r["file"] == "meta.csv")
            .collect()
    };
    assert_eq!(meta_rejects("m"), meta_rejects("single"));
    assert_eq!(meta_rejects("m").len(), 1);
    let summary = wd.read_json("m/summary.json");
    assert_eq!(
        summary["inputs"]["sources_meta"],
        wd.read_json("single/summary.json")["inputs"]["sources_meta"]
    );
}

/// Claims with values, topics and times: 60 stories of five outlets each, one outlet wrong now and then by
/// a near figure, and one (o9) repeating o2's figures an hour later.
fn valued_claims() -> String {
    let mut s = String::from("claim_id,source,published_at,story_id,stance,value,topic\n");
    let mut id = 0;
    for story in 0..60 {
        let truth = 1000 + story * 17;
        for k in 0..5 {
            let outlet = (story * 3 + k * 7) % 9;
            let wrong = (story * 7 + outlet * 3) % 5 == 0;
            let value = if wrong { truth + 1 + outlet % 3 } else { truth };
            let day = 1 + (story + k) % 27;
            id += 1;
            s.push_str(&format!(
                "v{id},o{outlet},2025-03-{day:02}T{:02}:00:00Z,s{story},asserts,\"{value}\",t{}\n",
                k + 1,
                story % 3
            ));
            if outlet == 2 {
                id += 1;
                s.push_str(&format!(
                    "v{id},o9,2025-03-{day:02}T{:02}:00:00Z,s{story},asserts,\"{value}\",t{}\n",
                    k + 2,
                    story % 3
                ));
            }
        }
    }
    s
}

/// Shards of claims with values, scored with `--topics`, merge into the bytes of one run: two value kinds
/// that read these figures, em and vote, and the options that read each claim's topic and time
/// (`--topics`, `--detect-copies`) given to the merge. (`--half-life` is for plain stories; `shards.rs`
/// merges with it.)
#[test]
fn shards_of_claims_with_values_topics_and_times_merge_into_one_run() {
    let wd = Workdir::new("merge-values");
    let all = valued_claims();
    let lines: Vec<&str> = all.lines().collect();
    let (header, body) = (lines[0], &lines[1..]);
    let third = body.len() / 3;
    let parts = [&body[..third], &body[third..2 * third], &body[2 * third..]];
    let names = ["a.csv", "b.csv", "c.csv"];
    for (name, part) in names.iter().zip(parts) {
        wd.create(name, format!("{header}\n{}\n", part.join("\n")));
    }
    wd.create("all.csv", &all);
    for kind in ["number", "text"] {
        for (k, name) in names.iter().enumerate() {
            let mut cmd = wd.command("score");
            cmd.args(["--claims", name, "--value-kind", kind, "--topics", "--partial"])
                .arg(format!("{kind}{k}.json"))
                .arg("-q");
            wd.output(&mut cmd);
        }
        let runs: [&[&str]; 5] = [
            &["--method", "em"],
            &["--method", "vote"],
            &["--method", "em", "--topics"],
            &["--method", "em", "--detect-copies"],
            &["--method", "vote", "--topics"],
        ];
        for (r, opts) in runs.iter().enumerate() {
            let single = format!("single-{kind}-{r}");
            let mut cmd = wd.command("score");
            cmd.args(["--claims", "all.csv", "--value-kind", kind, "--out", &single, "-q"])
                .args(*opts);
            wd.output(&mut cmd);
            let merged = format!("merged-{kind}-{r}");
            let partials = [2, 0, 1].map(|k| format!("{kind}{k}.json"));
            let mut cmd = wd.command("merge");
            cmd.args(&partials)
                .args(["--claims", "a.csv", "b.csv", "c.csv", "--out", &merged, "-q"])
                .args(*opts);
            wd.output(&mut cmd);
            let mut tables = vec!["sources.csv", "stories.csv", "claims.csv", "rejects.csv"];
            if opts.contains(&"--topics") {
                tables.push("source_topics.csv");
            }
            if opts.contains(&"--detect-copies") {
                tables.push("copiers.csv");
                // The copier is found, so claims.csv's credit follows detection, not the rows' attribution.
                assert!(wd.read_string(&format!("{merged}/copiers.csv")).contains("o9"));
            }
            // The summary says how values were compared, after a merge as after one run.
            let summary = wd.read_json(&format!("{merged}/summary.json"));
            assert_eq!(summary["value_kind"], kind, "{kind} {opts:?}");
            assert_eq!(wd.read_json(&format!("{single}/summary.json"))["value_kind"], kind);
            for t in tables {
                assert_eq!(
                    wd.read_string(&format!("{single}/{t}")),
                    wd.read_string(&format!("{merged}/{t}")),
                    "{t} of {kind} {opts:?}"
                );
            }
        }
    }
    // Shards whose values were compared otherwise do not merge, and the error names both.
    let err = wd.output_err(&mut merge(&wd, &["number0.json", "text1.json"], "mixed", &[]), 1);
    assert!(
        err.contains("a.csv (values compared as number)") && err.contains("b.csv (values compared as text)"),
        "{err}"
    );
    // --topics on shards scored without it: the merge says what to do.
    let mut cmd = wd.command("score");
    cmd.args([
        "--claims",
        "a.csv",
        "--value-kind",
        "number",
        "--partial",
        "plain.json",
        "-q",
    ]);
    wd.output(&mut cmd);
    let mut cmd = merge(&wd, &["plain.json", "number1.json"], "no-topics", &[]);
    cmd.arg("--topics");
    let err = wd.output_err(&mut cmd, 1);
    assert!(
        err.contains("the shard of a.csv (partial plain.json) was scored without --topics")
            && err.contains("score it again with --topics"),
        "{err}"
    );
    // The response-only methods need official answers, which these shards were scored without.
    let mut cmd = merge(&wd, &["number0.json", "number1.json"], "no-answers", &[]);
    cmd.args(["--method", "responses"]);
    let err = wd.output_err(&mut cmd, 2);
    assert!(err.contains("a merge needs shards scored with --responses"), "{err}");
}
