//! `skua lock` end to end: the real binary against the loopback fixture index.

use std::path::Path;

use assert_cmd::Command;
use skua_test_support::IndexServer;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn lock(dir: &Path, server: &IndexServer, args: &[&str]) -> Run {
    let index = server.simple_url("primary");
    let cache = dir.join(".cache");
    let output = Command::cargo_bin("skua")
        .expect("binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SKUA_INDEX_URL")
        .env_remove("PIP_INDEX_URL")
        .args([
            "lock",
            "--index-url",
            &index,
            "--python-version",
            "3.11",
            "--python-platform",
            "linux",
        ])
        .arg("--cache-dir")
        .arg(&cache)
        .args(args)
        .output()
        .expect("skua runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

#[test]
fn writes_a_hashed_lock_and_checks_it() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-chain-a\nskf-web[tls]\n");
    let run = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Resolved 6 packages into requirements.txt"),
        "{}",
        run.stderr
    );
    let text = read(dir.path(), "requirements.txt");
    assert!(
        text.contains("#    skua lock --index-url http://127.0.0.1:"),
        "{text}"
    );
    assert!(
        !text.contains("--cache-dir"),
        "machine-specific flags stay out of the header:\n{text}"
    );
    for pin in [
        "skf-chain-c==1.5.0 \\\n    --hash=sha256:",
        "skf-web[tls]==1.0.0",
        "skf-certs==2.1.0",
    ] {
        assert!(text.contains(pin), "missing {pin}:\n{text}");
    }
    assert!(text.contains("    # via skf-chain-b"), "{text}");

    let check = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "requirements.txt", "--check"],
    );
    assert_eq!(check.code, 0, "{}", check.stderr);
    write(
        dir.path(),
        "requirements.in",
        "skf-chain-a\nskf-web[tls]\nskf-simple<2\n",
    );
    let stale = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "requirements.txt", "--check"],
    );
    assert_eq!(stale.code, 1);
    assert!(
        stale.stderr.contains("requirements.txt is out of date"),
        "{}",
        stale.stderr
    );
    assert_eq!(
        read(dir.path(), "requirements.txt"),
        text,
        "--check never writes"
    );
}

#[test]
fn existing_pins_stay_until_upgraded() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-simple\n");
    write(dir.path(), "requirements.txt", "skf-simple==1.1.0\n");
    let run = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(dir.path(), "requirements.txt").contains("skf-simple==1.1.0"));
    let run = lock(
        dir.path(),
        &server,
        &[
            "requirements.in",
            "-o",
            "requirements.txt",
            "--upgrade-package",
            "skf-simple",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(dir.path(), "requirements.txt").contains("skf-simple==2.0.0"));
}

#[test]
fn unsatisfiable_sets_exit_one_with_an_explanation_and_leave_the_output_alone() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "requirements.in",
        "skf-conflict-x\nskf-conflict-y\n",
    );
    write(dir.path(), "requirements.txt", "# previous lock\n");
    let run = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("No solution found"), "{}", run.stderr);
    assert!(
        run.stderr.contains("skf-pin==1.0.0") && run.stderr.contains("skf-pin==2.0.0"),
        "{}",
        run.stderr
    );
    assert_eq!(read(dir.path(), "requirements.txt"), "# previous lock\n");
    let unknown = lock(dir.path(), &server, &["-"]);
    assert_eq!(
        unknown.code, 2,
        "a missing input file is an error: {}",
        unknown.stderr
    );
    write(dir.path(), "typo.in", "skf-simpel\n");
    let typo = lock(dir.path(), &server, &["typo.in"]);
    assert_eq!(typo.code, 1);
    assert!(
        typo.stderr
            .contains("`skf-simpel` was not found on any configured index"),
        "{}",
        typo.stderr
    );
}

#[test]
fn malformed_requirements_point_at_the_line() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "requirements.in",
        "skf-simple\nskf-web[tls >= 1\n",
    );
    let run = lock(dir.path(), &server, &["requirements.in"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("requirements.in:2:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("skf-web[tls >= 1"),
        "the source line is shown: {}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn unreachable_index_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-simple\n");
    // Bind and drop a listener so the port is closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let output = Command::cargo_bin("skua")
        .expect("binary")
        .current_dir(dir.path())
        .env("SKUA_HTTP_TIMEOUT", "2")
        .args([
            "lock",
            "requirements.in",
            "-o",
            "out.txt",
            "--python-version",
            "3.11",
            "--python-platform",
            "linux",
        ])
        .arg("--index-url")
        .arg(format!("http://user:s3cr3tpw@127.0.0.1:{port}/simple/"))
        .arg("--cache-dir")
        .arg(dir.path().join(".cache"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(!stderr.contains("s3cr3tpw"), "credentials leaked: {stderr}");
    assert!(!dir.path().join("out.txt").exists());
}

#[test]
fn pyproject_extras_groups_scripts_and_pylock() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"ops\"\nversion = \"1\"\nrequires-python = \">=3.11\"\ndependencies = [\"skf-chain-a\"]\n[project.optional-dependencies]\ntls = [\"skf-web[tls]\"]\n[dependency-groups]\ndev = [\"skf-simple<2\"]\n",
    );
    let run = lock(
        dir.path(),
        &server,
        &["pyproject.toml", "--extra", "tls", "--group", "dev"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("skf-certs==2.1.0") && run.stdout.contains("skf-simple==1.1.0"),
        "{}",
        run.stdout
    );
    let missing = lock(dir.path(), &server, &["pyproject.toml", "--extra", "nope"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no extra named `nope`"),
        "{}",
        missing.stderr
    );

    write(
        dir.path(),
        "report.py",
        "# /// script\n# requires-python = \">=3.11\"\n# dependencies = [\"skf-yanked\"]\n# ///\nprint('hi')\n",
    );
    let script = lock(
        dir.path(),
        &server,
        &["--script", "report.py", "-o", "pylock.toml"],
    );
    assert_eq!(script.code, 0, "{}", script.stderr);
    let pylock = read(dir.path(), "pylock.toml");
    assert!(pylock.contains("lock-version = \"1.0\""), "{pylock}");
    assert!(
        pylock.contains("name = \"skf-yanked\"\nversion = \"1.1.0\""),
        "{pylock}"
    );
    assert!(
        pylock.contains("[[packages.wheels]]") && pylock.contains("hashes = { sha256 = "),
        "{pylock}"
    );
}

#[test]
fn offline_runs_use_the_cache() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-chain-a\n");
    assert_eq!(lock(dir.path(), &server, &["requirements.in"]).code, 0);
    let before = server.request_count("");
    let offline = lock(dir.path(), &server, &["requirements.in", "--offline"]);
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert!(offline.stdout.contains("skf-chain-c==1.5.0"));
    assert_eq!(server.request_count(""), before);
    write(dir.path(), "other.in", "skf-app\n");
    let cold = lock(dir.path(), &server, &["other.in", "--offline"]);
    assert_eq!(cold.code, 2);
    assert!(cold.stderr.contains("offline"), "{}", cold.stderr);
}

#[test]
fn dynamic_sdists_are_built_to_read_their_dependencies() {
    if !skua_test_support::fixture_index_dir()
        .join("primary/simple/setuptools")
        .exists()
    {
        eprintln!(
            "skipped: the fixture index has no setuptools (build it with Python 3.12+, see skua-test-support)"
        );
        return;
    }
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-sdist-dynamic\n");
    let run = lock(dir.path(), &server, &["requirements.in"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("skf-sdist-dynamic==1.0.0"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("skf-simple==2.0.0 \\")
            && run.stdout.contains("    # via skf-sdist-dynamic"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_malformed_requires_dist_line_still_constrains_the_lock() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    // skf-stray-quote's only dependency is `skf-stray-quote-dep>=1.3.0,<1.4.0',`.
    write(
        dir.path(),
        "requirements.in",
        "skf-stray-quote\nskf-stray-quote-dep>=1.5\n",
    );
    let run = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("No solution found"), "{}", run.stderr);
    assert!(!dir.path().join("requirements.txt").exists());
}

#[test]
fn a_license_folded_over_blank_looking_lines_keeps_every_dependency() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-folded-license\n");
    let run = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Resolved 86 packages into requirements.txt"),
        "{}",
        run.stderr
    );
    let text = read(dir.path(), "requirements.txt");
    for n in 1..=85 {
        let pin = format!("skf-fold-dep-{n:02}==1.0.0");
        assert!(text.contains(&pin), "missing {pin}:\n{text}");
    }
}

#[test]
fn a_version_with_an_unreadable_requirement_is_skipped_with_a_warning() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-unreadable-dep\n");
    let run = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let warning = "warning: skipping skf-unreadable-dep==2.0.0: its metadata has an invalid requirement `skf-simple>=1.0.x`";
    assert_eq!(run.stderr.matches(warning).count(), 1, "{}", run.stderr);
    let text = read(dir.path(), "requirements.txt");
    assert!(text.contains("skf-unreadable-dep==1.0.0"), "{text}");
    assert!(text.contains("skf-simple==2.0.0"), "{text}");
    // --quiet prints only errors (a fresh output file: existing pins would keep the
    // solver from looking at 2.0.0 at all).
    let quiet = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "quiet.txt", "-q"],
    );
    assert!(read(dir.path(), "quiet.txt").contains("skf-unreadable-dep==1.0.0"));
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert!(!quiet.stderr.contains("warning:"), "{}", quiet.stderr);
}
