//! The shared settings layer end to end: configuration keys reach every command that
//! concerns them, the cache directory is honoured everywhere, and what skua cannot honour
//! is an error or a warning, never silently ignored.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use skua_test_support::IndexServer;

use common::{Run, write};

/// The binary with a clean environment: no index, cache or venv variables from the
/// machine running the tests, `HOME` pointed at `home`.
fn skua(dir: &Path, home: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("skua")
        .expect("binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("SKUA_HTTP_TIMEOUT", "5")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("SKUA_CACHE_DIR")
        .env_remove("SKUA_INDEX_URL")
        .env_remove("SKUA_EXTRA_INDEX_URL")
        .env_remove("PIP_INDEX_URL")
        .env_remove("PIP_EXTRA_INDEX_URL")
        .env_remove("VIRTUAL_ENV")
        .args(args)
        .output()
        .expect("skua runs");
    Run::from(output)
}

fn ok(run: &Run) {
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// Every path under `dir`, relative to it.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("read_dir").flatten() {
            let path = entry.path();
            found.push(path.strip_prefix(dir).expect("inside").to_path_buf());
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                stack.push(path);
            }
        }
    }
    found
}

const SCRIPT: &str = r#"# /// script
# dependencies = ["skf-simple"]
# ///
import skf_simple
print("ran", skf_simple.__name__)
"#;

#[test]
fn nothing_is_written_under_home_when_a_cache_dir_is_given() {
    let server = IndexServer::start_fixture();
    let work = tempfile::tempdir().expect("tempdir");
    let home = tempfile::tempdir().expect("home");
    let dir = work.path();
    let cache = dir.join("ci-cache");
    let cache_arg = cache.to_str().expect("utf-8 path");
    let index = server.simple_url("primary");
    write(dir, "requirements.in", "skf-simple\n");
    write(dir, "report.py", SCRIPT);

    ok(&skua(
        dir,
        home.path(),
        &["venv", ".venv", "--cache-dir", cache_arg],
    ));
    ok(&skua(
        dir,
        home.path(),
        &[
            "lock",
            "requirements.in",
            "-o",
            "requirements.txt",
            "--index-url",
            &index,
            "--cache-dir",
            cache_arg,
        ],
    ));
    ok(&skua(
        dir,
        home.path(),
        &[
            "sync",
            "requirements.txt",
            "--python",
            ".venv",
            "--index-url",
            &index,
            "--cache-dir",
            cache_arg,
        ],
    ));
    let ran = skua(
        dir,
        home.path(),
        &[
            "run",
            "--index-url",
            &index,
            "--cache-dir",
            cache_arg,
            "report.py",
        ],
    );
    ok(&ran);
    assert!(ran.stdout.contains("ran skf_simple"), "{}", ran.stdout);

    assert_eq!(
        tree(home.path()),
        Vec::<PathBuf>::new(),
        "HOME was written to"
    );
    // What used to land in ~/.cache/skua is in the given cache instead.
    for bucket in [
        "interpreter-v2",
        "venv-check-v1",
        "environments-v1",
        "files-v1",
    ] {
        assert!(
            cache.join(bucket).is_dir(),
            "{bucket} is not in the cache dir"
        );
    }
}

#[test]
fn a_configured_index_is_used_by_lock_sync_and_run() {
    let server = IndexServer::start_fixture();
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    let home = dir.join("home");
    std::fs::create_dir(&home).expect("mkdir");
    let index = server.simple_url("primary");
    write(
        dir,
        "pyproject.toml",
        &format!(
            "[project]\nname = \"ops\"\nversion = \"1\"\nrequires-python = \">=3.8\"\ndependencies = [\"skf-simple\"]\n\n[tool.skua]\nindex-url = \"{index}\"\ncache-dir = \".skua-cache\"\n"
        ),
    );
    write(dir, "report.py", SCRIPT);

    let shown = skua(dir, &home, &["lock", "--show-settings"]);
    ok(&shown);
    // The client's tuning is a setting like the others: from the environment here, the
    // client's own default when unset.
    assert!(
        shown
            .stdout
            .contains("http-timeout = 5  # $SKUA_HTTP_TIMEOUT"),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains("http-deadline = default  # default"),
        "{}",
        shown.stdout
    );
    let config = dir.join("pyproject.toml");
    assert!(
        shown.stdout.contains(&format!(
            "index-url = \"{index}\"  # `index-url` in {}",
            config.display()
        )),
        "{}",
        shown.stdout
    );
    assert!(
        shown.stdout.contains(&format!(
            "cache-dir = \"{}\"",
            dir.join(".skua-cache").display()
        )),
        "{}",
        shown.stdout
    );

    // No --index-url anywhere below: the configured one is the only index.
    ok(&skua(dir, &home, &["venv", ".venv"]));
    ok(&skua(
        dir,
        &home,
        &["lock", "pyproject.toml", "-o", "requirements.txt"],
    ));
    let lock = std::fs::read_to_string(dir.join("requirements.txt")).expect("lock");
    assert!(lock.contains("skf-simple=="), "{lock}");
    ok(&skua(
        dir,
        &home,
        &["sync", "requirements.txt", "--python", ".venv"],
    ));
    let ran = skua(dir, &home, &["run", "report.py"]);
    ok(&ran);
    assert!(ran.stdout.contains("ran skf_simple"), "{}", ran.stdout);
    let requested: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert!(
        requested
            .iter()
            .any(|path| path.starts_with("/primary/simple/skf-simple")),
        "{requested:?}"
    );
    assert!(dir.join(".skua-cache/files-v1").is_dir());
}

#[test]
fn a_configured_index_that_is_down_fails_the_lock_naming_it() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    write(
        dir,
        "skua.toml",
        &format!("index-url = \"http://127.0.0.1:{port}/internal/simple/\"\n"),
    );
    write(dir, "requirements.in", "skf-simple\n");
    let run = skua(
        dir,
        dir,
        &[
            "lock",
            "requirements.in",
            "-o",
            "requirements.txt",
            "--python-version",
            "3.11",
            "--python-platform",
            "linux",
            "--cache-dir",
            ".cache",
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains(&format!("127.0.0.1:{port}/internal/simple/")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("pypi.org"), "{}", run.stderr);
    assert!(!dir.join("requirements.txt").exists());
}

#[test]
fn configuration_errors_name_the_key_and_its_source() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    write(dir, "requirements.in", "skf-simple\n");
    write(dir, "skua.toml", "exclude-newer = \"last week\"\n");
    let run = skua(dir, dir, &["lock", "requirements.in"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("`exclude-newer` in"), "{}", run.stderr);

    // `baseline` is read: a missing baseline file is an error naming it, never ignored.
    write(dir, "skua.toml", "baseline = \"findings.json\"\n");
    let run = skua(dir, dir, &["lint", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot read the baseline") && run.stderr.contains("findings.json"),
        "{}",
        run.stderr
    );

    // Flags win over the file, and say so.
    write(dir, "skua.toml", "exclude-newer = \"2026-01-01\"\n");
    let run = skua(
        dir,
        dir,
        &["lock", "--show-settings", "--exclude-newer", "2026-06-01"],
    );
    ok(&run);
    assert!(
        run.stdout
            .contains("exclude-newer = \"2026-06-01T00:00:00Z\"  # --exclude-newer"),
        "{}",
        run.stdout
    );
    // --isolated ignores the file.
    let run = skua(dir, dir, &["lock", "--show-settings", "--isolated"]);
    ok(&run);
    assert!(
        run.stdout.contains("exclude-newer = none  # default"),
        "{}",
        run.stdout
    );
}

#[test]
fn exclude_patterns_that_cannot_work_are_errors_or_warnings() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    write(
        dir,
        "legacy/old.py",
        "import subprocess\nsubprocess.run(['aws', 's3', 'ls'])\n",
    );
    write(
        dir,
        "app/deploy.py",
        "import subprocess\nsubprocess.run(['kubectl', 'get', 'pods'])\n",
    );

    for (flag, pattern, expected) in [
        ("--exclude", "", "empty exclude pattern"),
        ("--extend-exclude", "", "empty exclude pattern"),
        (
            "--extend-exclude",
            "legacy/[",
            "invalid exclude pattern `legacy/[`",
        ),
    ] {
        let run = skua(dir, dir, &["lint", ".", flag, pattern]);
        assert_eq!(run.code, 2, "{flag} {pattern:?}: {}", run.stdout);
        assert!(run.stderr.contains(expected), "{}", run.stderr);
        assert!(!run.stdout.contains("All checks passed"), "{}", run.stdout);
    }

    write(dir, "skua.toml", "extend-exclude = [\"legacy[\"]\n");
    let run = skua(dir, dir, &["lint", "."]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("invalid exclude pattern"),
        "{}",
        run.stderr
    );

    // The README's form, with a trailing slash, excludes the directory; a pattern that
    // matches nothing is named.
    write(
        dir,
        "skua.toml",
        "extend-exclude = [\"legacy/\", \"generated\"]\n",
    );
    let run = skua(
        dir,
        dir,
        &[
            "lint",
            ".",
            "--output-format",
            "concise",
            "--extend-exclude",
            "vendor",
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("app/deploy.py"), "{}", run.stdout);
    assert!(!run.stdout.contains("legacy/old.py"), "{}", run.stdout);
    assert!(
        run.stderr.contains(&format!(
            "warning: exclude pattern `generated` (in {}) matched no file or directory",
            dir.join("skua.toml").display()
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("warning: exclude pattern `vendor` (on the command line) matched no file"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("`legacy/`"), "{}", run.stderr);
}

#[test]
fn lint_show_settings_names_each_source() {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    write(
        dir,
        "pyproject.toml",
        "[tool.skua]\nignore = [\"NET001\"]\ncloud-clis = [\"aws\"]\n",
    );
    write(dir, "src/app.py", "x = 1\n");
    let run = skua(
        dir,
        dir,
        &[
            "lint",
            "src",
            "--show-settings",
            "--extend-select",
            "NQA001",
        ],
    );
    ok(&run);
    let config = dir.join("pyproject.toml");
    for line in [
        format!("ignore = [\"NET001\"]  # {}", config.display()),
        format!("cloud-clis = [\"aws\"]  # {}", config.display()),
        "extend-select = [\"NQA001\"]  # command line".to_string(),
        "select = [\"ALL\"]  # default".to_string(),
    ] {
        assert!(
            run.stdout.contains(&line),
            "missing `{line}`:\n{}",
            run.stdout
        );
    }
    let rules = run
        .stdout
        .lines()
        .find(|line| line.starts_with("rules = "))
        .expect("a rules line");
    assert!(rules.contains("\"NQA001\""), "{rules}");
    assert!(!rules.contains("\"NET001\""), "{rules}");
}

/// The client's tuning variables are honoured or refused by name: a value skua cannot use
/// is never replaced by the default without a word.
#[test]
fn unusable_http_variables_are_errors_naming_them() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(dir, "requirements.in", "skf-simple\n");
    for (name, value) in [
        ("SKUA_HTTP_TIMEOUT", "soon"),
        ("SKUA_HTTP_DEADLINE", "0"),
        ("SKUA_HTTP_MAX_PAGE_BYTES", "-5"),
    ] {
        let output = Command::cargo_bin("skua")
            .expect("binary")
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env_remove("SKUA_INDEX_URL")
            .env_remove("PIP_INDEX_URL")
            .env("SKUA_CACHE_DIR", dir.join("cache"))
            .env(name, value)
            .args(["lock", "requirements.in", "--index-url"])
            .arg(server.simple_url("primary"))
            .output()
            .expect("skua runs");
        let run = Run::from(output);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("{name}=\"{value}\" is not a positive number")),
            "{name}: {}",
            run.stderr
        );
    }
}
