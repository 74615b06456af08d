//! `skua run`: PEP 723 scripts in cached environments, against the loopback index.

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use skua_test_support::IndexServer;

fn run(dir: &Path, server: &IndexServer, args: &[&str], stdin: &str) -> Output {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("skua"))
        .current_dir(dir)
        .env("SKUA_CACHE_DIR", dir.join(".cache"))
        .env_remove("VIRTUAL_ENV")
        .args(["run", "--index-url", &server.simple_url("primary")])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("skua starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("skua finishes")
}

const SCRIPT: &str = r#"# /// script
# requires-python = ">=3.8"
# dependencies = ["skf-chain-a", "skf-tool"]
# ///
import os, sys
import skf_chain_a, skf_chain_c
print("args:", sys.argv[1:])
print("stdin:", sys.stdin.readline().strip())
print("chain-c:", skf_chain_c.__version__)
print("venv:", os.environ.get("VIRTUAL_ENV", "") != "")
sys.exit(3)
"#;

#[test]
fn scripts_run_in_a_cached_environment_with_their_dependencies() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("report.py"), SCRIPT).expect("write");
    let first = run(
        dir,
        &server,
        &["report.py", "--since", "7d", "-v"],
        "hello\n",
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert_eq!(
        first.status.code(),
        Some(3),
        "exit code passes through: {}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(stdout.contains("args: ['--since', '7d', '-v']"), "{stdout}");
    assert!(stdout.contains("stdin: hello"), "{stdout}");
    assert!(stdout.contains("chain-c: 1.5.0"), "{stdout}");
    assert!(stdout.contains("venv: True"), "{stdout}");
    assert!(String::from_utf8_lossy(&first.stderr).contains("Installed the script's dependencies"));

    let requests = server.request_count("");
    let second = run(dir, &server, &["report.py", "again"], "bye\n");
    assert_eq!(second.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&second.stdout).contains("args: ['again']"));
    assert!(
        !String::from_utf8_lossy(&second.stderr).contains("Installed"),
        "the environment is reused"
    );
    assert_eq!(
        server.request_count(""),
        requests,
        "a second run makes no network requests"
    );

    // An environment a killed run left unfinished (no ready marker) is rebuilt in place:
    // `skua run` replaces its own environments, unlike `skua venv`.
    let environments = dir.join(".cache/environments-v1");
    let markers: Vec<_> = std::fs::read_dir(&environments)
        .expect("environments")
        .flatten()
        .map(|entry| entry.path().join(".skua-ready"))
        .filter(|marker| marker.is_file())
        .collect();
    assert_eq!(markers.len(), 1, "{markers:?}");
    std::fs::remove_file(&markers[0]).expect("remove the marker");
    let third = run(dir, &server, &["report.py"], "again\n");
    assert_eq!(
        third.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    assert!(String::from_utf8_lossy(&third.stderr).contains("Installed"));
    assert!(markers[0].is_file());
}

#[test]
fn plain_scripts_and_python_mismatches() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(
        dir.join("plain.py"),
        "import sys\nprint('plain', sys.argv[1])\n",
    )
    .expect("write");
    let plain = run(dir, &server, &["plain.py", "ok"], "");
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&plain.stdout).trim(), "plain ok");
    assert_eq!(server.request_count(""), 0, "no dependencies, no index");

    std::fs::write(
        dir.join("future.py"),
        "# /// script\n# requires-python = \">=3.99\"\n# dependencies = []\n# ///\n",
    )
    .expect("write");
    let future = run(dir, &server, &["future.py"], "");
    assert_eq!(future.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&future.stderr).contains("requires Python >=3.99"),
        "{}",
        String::from_utf8_lossy(&future.stderr)
    );
}
