//! An interrupted run (SIGINT) leaves the previous outputs intact and no temporary files behind.
#![cfg(unix)]

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::Workdir;

fn interrupt(pid: u32) {
    let status = Command::new("kill").args(["-INT", &pid.to_string()]).status().unwrap();
    assert!(status.success());
}

fn leftovers(wd: &Workdir, dir: &str) -> Vec<String> {
    wd.list(dir).into_iter().filter(|n| n.contains(".tmp-")).collect()
}

#[test]
fn sigint_while_reading_keeps_the_previous_outputs() {
    let wd = Workdir::new("sigint-read");
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/seed");
    for f in ["claims.csv", "responses.csv"] {
        wd.create(f, std::fs::read(seed.join(f)).unwrap());
    }
    let mut first = wd.command("score");
    first.args([
        "--claims",
        "claims.csv",
        "--responses",
        "responses.csv",
        "--out",
        "out",
        "-q",
    ]);
    wd.output(&mut first);
    let before = wd.snapshot("out");

    // The second run reads its claims from a pipe that stays open: it is surely mid-read when the
    // signal comes.
    let mut second = wd.command("score");
    second
        .args([
            "--claims",
            "-",
            "--responses",
            "responses.csv",
            "--out",
            "out",
            "--relay-weight",
            "1",
            "-q",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = second.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let claims = wd.read("claims.csv");
    stdin.write_all(&claims[..claims.len() / 2]).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    interrupt(child.id());
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert_eq!(wd.snapshot("out"), before, "the previous outputs changed");
    assert!(leftovers(&wd, "out").is_empty());
}

#[test]
fn sigint_while_writing_leaves_whole_files_only() {
    let wd = Workdir::new("sigint-write");
    let mut generate = wd.command("gen");
    generate.args([
        "--out",
        "corpus",
        "--claims",
        "400000",
        "--sources",
        "300",
        "--seed",
        "3",
    ]);
    wd.output(&mut generate);
    let score = |extra: &[&str]| {
        let mut cmd = wd.command("score");
        cmd.args([
            "--claims",
            "corpus/claims.csv",
            "--responses",
            "corpus/responses.csv",
            "--out",
            "out",
            "-q",
            "--threads",
            "1",
        ])
        .args(extra);
        cmd
    };
    wd.output(&mut score(&[]));
    let before = wd.snapshot("out");
    // Interrupt runs at several moments; whatever the moment, the folder holds either the old outputs or
    // the new ones (never a mix, never a partial file), and no temporary file.
    let mut interrupted = 0;
    for delay in [50u64, 150, 300, 500, 800] {
        let mut cmd = score(&["--relay-weight", "1"]);
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let child = cmd.spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        interrupt(child.id());
        let out = child.wait_with_output().unwrap();
        let after = wd.snapshot("out");
        assert!(
            leftovers(&wd, "out").is_empty(),
            "temporary files left after {delay} ms"
        );
        match out.status.code() {
            Some(130) => {
                interrupted += 1;
                let old = after == before;
                let new_sources = after.get("sources.csv") != before.get("sources.csv");
                assert!(old || new_sources, "a mix of old and new outputs after {delay} ms");
            }
            Some(0) => assert_ne!(after.get("sources.csv"), before.get("sources.csv")),
            other => panic!("exit {other:?}: {}", String::from_utf8_lossy(&out.stderr)),
        }
        // Back to the first run's outputs for the next round.
        wd.output(&mut score(&[]));
        assert_eq!(wd.snapshot("out"), before);
    }
    assert!(interrupted > 0, "no run was interrupted before it finished");
}
