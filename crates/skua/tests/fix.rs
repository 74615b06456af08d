//! `skua lint --fix`, `--diff`, `--fix-only`, `--unsafe-fixes`, `--exit-non-zero-on-fix`:
//! the real binary on files in a temporary directory.

mod common;

use std::path::Path;

use assert_cmd::Command;

use common::{Run, skua_command, write};

fn lint(dir: &Path, args: &[&str]) -> Run {
    let output = skua_command(dir)
        .arg("lint")
        .args(args)
        .output()
        .expect("skua runs");
    Run::from(output)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

const OPS: &str = "import requests\nimport yaml\n\nvalues = yaml.load(open('v.yaml'))\nrequests.get('https://example.com', verify=False)\n";

#[test]
fn diff_prints_the_fixes_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "ops.py", OPS);
    let run = lint(dir.path(), &["--diff", "ops.py"]);
    assert_eq!(run.code, 1, "something to fix: exit 1\n{}", run.stderr);
    assert!(
        run.stdout.starts_with("--- a/ops.py\n+++ b/ops.py\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "-values = yaml.load(open('v.yaml'))\n+values = yaml.safe_load(open('v.yaml'))\n"
        ),
        "{}",
        run.stdout
    );
    // Unsafe fixes only when asked.
    assert!(!run.stdout.contains("timeout=30"), "{}", run.stdout);
    assert!(
        run.stderr.contains("Would fix 1 problem in 1 file."),
        "{}",
        run.stderr
    );
    assert_eq!(read(dir.path(), "ops.py"), OPS, "--diff never writes");

    let with_unsafe = lint(dir.path(), &["--diff", "--unsafe-fixes", "ops.py"]);
    assert_eq!(with_unsafe.code, 1);
    assert!(
        with_unsafe
            .stdout
            .contains("+requests.get('https://example.com', timeout=30)\n"),
        "{}",
        with_unsafe.stdout
    );
    assert_eq!(read(dir.path(), "ops.py"), OPS);

    write(
        dir.path(),
        "clean.py",
        "import yaml\nyaml.safe_load('a: 1')\n",
    );
    let nothing = lint(dir.path(), &["--diff", "clean.py"]);
    assert_eq!(nothing.code, 0, "{}", nothing.stderr);
    assert!(nothing.stdout.is_empty());
}

#[test]
fn fix_writes_and_reports_what_is_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "ops.py", OPS);
    let run = lint(dir.path(), &["--fix", "ops.py"]);
    assert_eq!(run.code, 1, "TLS001 and NET001 remain\n{}", run.stdout);
    let text = read(dir.path(), "ops.py");
    assert!(
        text.contains("values = yaml.safe_load(open('v.yaml'))"),
        "{text}"
    );
    assert!(
        text.contains("verify=False"),
        "unsafe fixes need --unsafe-fixes: {text}"
    );
    assert!(
        run.stdout
            .contains("Found 3 problems (1 fixed, 2 remaining; 1 files checked)."),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("2 more fixable with `--fix --unsafe-fixes`"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("YML001"), "{}", run.stdout);

    let run = lint(dir.path(), &["--fix", "--unsafe-fixes", "ops.py"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        read(dir.path(), "ops.py"),
        "import requests\nimport yaml\n\nvalues = yaml.safe_load(open('v.yaml'))\nrequests.get('https://example.com', timeout=30)\n"
    );
    assert!(
        run.stdout.contains("(2 fixed, 0 remaining"),
        "{}",
        run.stdout
    );
    // Nothing left to fix: a second run changes nothing.
    let again = lint(dir.path(), &["--fix", "--unsafe-fixes", "ops.py"]);
    assert_eq!(again.code, 0);
    assert!(
        again.stdout.contains("All checks passed"),
        "{}",
        again.stdout
    );
}

#[test]
fn fix_only_and_exit_non_zero_on_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "ops.py", OPS);
    let run = lint(dir.path(), &["--fix-only", "ops.py"]);
    assert_eq!(
        run.code, 0,
        "--fix-only exits 0 with findings left\n{}",
        run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "--fix-only reports nothing: {}",
        run.stdout
    );
    assert!(run.stderr.contains("Fixed 1 problem."), "{}", run.stderr);
    assert!(read(dir.path(), "ops.py").contains("yaml.safe_load"));

    write(dir.path(), "ops.py", OPS);
    let run = lint(
        dir.path(),
        &["--fix-only", "--exit-non-zero-on-fix", "ops.py"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let run = lint(
        dir.path(),
        &["--fix-only", "--exit-non-zero-on-fix", "ops.py"],
    );
    assert_eq!(run.code, 0, "nothing more fixed: {}", run.stderr);

    write(
        dir.path(),
        "ok.py",
        "import yaml\nyaml.load(open('v.yaml'))\n",
    );
    let run = lint(dir.path(), &["--fix", "--exit-non-zero-on-fix", "ok.py"]);
    assert_eq!(
        run.code, 1,
        "fixed, nothing left, but asked to fail on fixes"
    );
    assert!(read(dir.path(), "ok.py").contains("safe_load"));
}

#[test]
fn fix_timeout_comes_from_the_configuration() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "skua.toml", "fix-timeout = 12\n");
    write(
        dir.path(),
        "ops.py",
        "import requests\nrequests.get('https://example.com')\n",
    );
    let run = lint(dir.path(), &["--fix", "--unsafe-fixes", "ops.py"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        read(dir.path(), "ops.py"),
        "import requests\nrequests.get('https://example.com', timeout=12)\n"
    );
    let settings = lint(dir.path(), &["--show-settings", "ops.py"]);
    assert!(
        settings.stdout.contains("fix-timeout = 12"),
        "{}",
        settings.stdout
    );
    write(dir.path(), "skua.toml", "fix-timeout = 0\n");
    let bad = lint(dir.path(), &["ops.py"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("fix-timeout"), "{}", bad.stderr);
}

#[test]
fn stdin_gets_the_fixed_text_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = Command::cargo_bin("skua")
        .expect("binary built")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["lint", "--fix", "--stdin-filename", "ops.py", "-"])
        .write_stdin(OPS)
        .output()
        .expect("skua runs");
    let run = Run::from(output);
    assert_eq!(run.code, 1, "findings remain: {}", run.stderr);
    assert!(
        run.stdout
            .contains("values = yaml.safe_load(open('v.yaml'))"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("TLS001"), "{}", run.stderr);
}

#[test]
fn rule_shows_its_fix() {
    let output = Command::cargo_bin("skua")
        .expect("binary built")
        .args(["rule", "NET001"])
        .output()
        .expect("skua runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("Fix: sometimes available (unsafe"), "{text}");
    let output = Command::cargo_bin("skua")
        .expect("binary built")
        .args(["rule", "SEC001"])
        .output()
        .expect("skua runs");
    assert!(String::from_utf8_lossy(&output.stdout).contains("Fix: none"));
}

#[test]
fn stdin_says_that_it_does_not_pin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = Command::cargo_bin("skua")
        .expect("binary built")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["lint", "--fix", "--stdin-filename", "requirements.txt", "-"])
        .write_stdin("boto3>=1.28\n")
        .output()
        .expect("skua runs");
    let run = Run::from(output);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout, "boto3>=1.28\n");
    assert!(
        run.stderr
            .contains("DEP001 findings are not pinned when reading stdin"),
        "{}",
        run.stderr
    );
}
