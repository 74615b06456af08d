//! Inputs that are not regular files never hang or exhaust memory: FIFOs and devices are
//! refused by name, for lint, lock (also behind `-r`) and sync.

use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;

mod common;

use common::{Run, write};

fn skua(dir: &Path, args: &[&str]) -> Run {
    Command::cargo_bin("skua")
        .expect("binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SKUA_CACHE_DIR", dir.join(".cache"))
        .args(args)
        // Without the fix these block forever; the timeout turns that into a failure.
        .timeout(Duration::from_secs(60))
        .output()
        .expect("skua runs")
        .into()
}

fn mkfifo(path: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|status| status.success())
}

#[test]
fn fifos_and_devices_are_refused_not_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    if !mkfifo(&root.join("pipe.in")) {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    write(root, "requirements.in", "-r pipe.in\nrequests\n");
    let started = Instant::now();
    for args in [
        vec!["lock", "pipe.in", "--offline"],
        vec!["lock", "requirements.in", "--offline"],
        vec!["lock", "/dev/zero", "--offline"],
        vec!["sync", "pipe.in", "--offline"],
    ] {
        let run = skua(root, &args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("not a regular file"),
            "{args:?}: {}",
            run.stderr
        );
    }
    let run = skua(root, &["lint", "pipe.in", "--output-format", "concise"]);
    assert!(
        run.stdout
            .contains("pipe.in:1:1: E902 Could not check file: not a regular file"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}
