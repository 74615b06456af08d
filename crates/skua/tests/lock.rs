//! `skua lock` end to end: the real binary against the loopback fixture index.

use std::path::Path;

use assert_cmd::Command;
use skua_test_support::IndexServer;

mod common;
use common::{Run, skua_command, write};

fn lock(dir: &Path, server: &IndexServer, args: &[&str]) -> Run {
    let index = server.simple_url("primary");
    let cache = dir.join(".cache");
    let output = skua_command(dir)
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
    Run::from(output)
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
fn a_project_refers_to_its_own_extras_never_to_the_index() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    // The project shares its name with a package on the index: a self-reference must
    // expand to the project's own extras, not pin that unrelated package.
    write(
        dir.path(),
        "pyproject.toml",
        concat!(
            "[project]\nname = \"SKF_Chain_A\"\nversion = \"1\"\nrequires-python = \">=3.11\"\n",
            "dependencies = []\n",
            "[project.optional-dependencies]\n",
            "tls = [\"skf-web[tls]\"]\n",
            "simple = [\"skf-simple<2\"]\n",
            "all = [\"skf-chain-a[tls,simple]\"]\n",
            "[dependency-groups]\n",
            "test = [\"skf-tool\"]\n",
            "dev = [{include-group = \"test\"}, \"skf-chain-a[simple]\"]\n",
        ),
    );
    let run = lock(dir.path(), &server, &["pyproject.toml", "--extra", "all"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for pin in ["skf-web[tls]==", "skf-certs==", "skf-simple==1.1.0"] {
        assert!(run.stdout.contains(pin), "missing {pin}:\n{}", run.stdout);
    }
    for never in ["skf-chain-a==", "skf-chain-b==", "skf-chain-c=="] {
        assert!(
            !run.stdout.contains(never),
            "{never} came from the index:\n{}",
            run.stdout
        );
    }
    assert_eq!(
        server.request_count("/simple/skf-chain-a/"),
        0,
        "the project's own name was looked up on the index"
    );

    // Groups: includes are followed, self-references expand the same way.
    let run = lock(dir.path(), &server, &["pyproject.toml", "--group", "dev"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("skf-tool=="), "{}", run.stdout);
    assert!(run.stdout.contains("skf-simple==1.1.0"), "{}", run.stdout);
    assert!(!run.stdout.contains("skf-chain-a=="), "{}", run.stdout);

    // What cannot be honoured is an error naming it.
    write(
        dir.path(),
        "pyproject.toml",
        concat!(
            "[project]\nname = \"skf-chain-a\"\nversion = \"1\"\n",
            "[project.optional-dependencies]\nall = [\"skf-chain-a[nope]\"]\n",
            "[dependency-groups]\na = [{include-group = \"b\"}]\nb = [{include-group = \"a\"}]\n",
        ),
    );
    let unknown = lock(dir.path(), &server, &["pyproject.toml", "--extra", "all"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown
            .stderr
            .contains("an extra the project does not define (`nope`)"),
        "{}",
        unknown.stderr
    );
    let shape = dir.path().join("shape");
    std::fs::create_dir(&shape).expect("mkdir");
    write(
        &shape,
        "pyproject.toml",
        "[project]\nname = \"x\"\nversion = \"1\"\ndependencies = \"skf-simple\"\n",
    );
    let wrong_type = lock(&shape, &server, &["pyproject.toml"]);
    assert_eq!(wrong_type.code, 2, "{}", wrong_type.stdout);
    assert!(
        wrong_type
            .stderr
            .contains("[project].dependencies must be an array"),
        "{}",
        wrong_type.stderr
    );
    let cycle = lock(dir.path(), &server, &["pyproject.toml", "--group", "a"]);
    assert_eq!(cycle.code, 2, "{}", cycle.stderr);
    assert!(
        cycle.stderr.contains("include cycle: a -> b -> a"),
        "{}",
        cycle.stderr
    );
}

#[test]
fn pip_compile_flags_constraints_and_script_inputs() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-chain-a\nskf-web[tls]\n");
    write(
        dir.path(),
        "constraints.txt",
        "skf-chain-c<1.5\nskf-tool==1.0.0\n",
    );
    // Flags people already have in Makefiles and CI scripts are accepted.
    let run = lock(
        dir.path(),
        &server,
        &[
            "requirements.in",
            "-c",
            "constraints.txt",
            "--generate-hashes",
            "--allow-unsafe",
            "--no-header",
            "--no-annotate",
            "--strip-extras",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stdout.starts_with('#'),
        "header left in:\n{}",
        run.stdout
    );
    assert!(!run.stdout.contains("# via"), "{}", run.stdout);
    assert!(
        run.stdout.contains("\nskf-web==") || run.stdout.starts_with("skf-web=="),
        "extras not stripped:\n{}",
        run.stdout
    );
    assert!(!run.stdout.contains("skf-web[tls]"), "{}", run.stdout);
    // The constraint moved skf-chain-c below 1.5 without adding skf-tool.
    assert!(!run.stdout.contains("skf-chain-c==1.5.0"), "{}", run.stdout);
    assert!(run.stdout.contains("skf-chain-c=="), "{}", run.stdout);
    assert!(!run.stdout.contains("skf-tool"), "{}", run.stdout);
    assert!(run.stdout.contains("--hash=sha256:"), "{}", run.stdout);

    // A `.py` input is its PEP 723 block.
    write(
        dir.path(),
        "report.py",
        "# /// script\n# dependencies = [\"skf-simple<2\"]\n# ///\nprint('hi')\n",
    );
    let script = lock(dir.path(), &server, &["report.py"]);
    assert_eq!(script.code, 0, "{}", script.stderr);
    assert!(
        script.stdout.contains("skf-simple==1.1.0"),
        "{}",
        script.stdout
    );
}

/// An index URL typed without a scheme (`user:pass@host/simple` parses as scheme `user`)
/// is refused without echoing its password, wherever it was given.
#[test]
fn index_urls_without_a_scheme_never_echo_their_password() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-simple\n");
    let schemeless = "user:s3cret@host.example/simple";
    let skua = |dir: &Path, args: &[&str], env: Option<&str>| {
        let mut command = skua_command(dir);
        command
            .args(["lock", "--offline", "--python-version", "3.11"])
            .args(["--python-platform", "linux", "--cache-dir"])
            .arg(dir.join(".cache"))
            .args(args);
        if let Some(url) = env {
            command.env("SKUA_INDEX_URL", url);
        }
        let output = command.output().expect("skua runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let mut runs = vec![
        (
            "flag",
            skua(
                dir.path(),
                &["requirements.in", "--index-url", schemeless],
                None,
            ),
        ),
        (
            "flag, token only",
            skua(
                dir.path(),
                &[
                    "requirements.in",
                    "--index-url",
                    "s3cret@host.example/simple",
                ],
                None,
            ),
        ),
        (
            "SKUA_INDEX_URL",
            skua(dir.path(), &["requirements.in"], Some(schemeless)),
        ),
    ];
    let project = dir.path().join("project");
    std::fs::create_dir(&project).expect("mkdir");
    write(
        &project,
        "pyproject.toml",
        &format!("[tool.skua]\nindex-url = \"{schemeless}\"\n"),
    );
    write(&project, "requirements.in", "skf-simple\n");
    runs.push(("[tool.skua]", skua(&project, &["requirements.in"], None)));
    let inline = dir.path().join("inline");
    std::fs::create_dir(&inline).expect("mkdir");
    write(
        &inline,
        "requirements.in",
        &format!("--index-url {schemeless}\nskf-simple\n"),
    );
    runs.push((
        "requirements file",
        skua(&inline, &["requirements.in"], None),
    ));
    for (given_as, (code, stderr)) in runs {
        assert_eq!(code, Some(2), "{given_as}: {stderr}");
        assert!(stderr.contains("host.example"), "{given_as}: {stderr}");
        assert!(!stderr.contains("s3cret"), "{given_as} leaked: {stderr}");
    }
}

/// `-o` replaces only a regular file: a FIFO, a directory or a socket is refused before
/// anything is resolved or written, and a symlink is written through only into the
/// project. (Device nodes are covered by skua-cache's unit tests, which only inspect
/// `/dev/null`: as root, a regression here would replace it.)
#[test]
fn output_file_is_only_ever_a_regular_file() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let dir = dir.path();
    write(dir, "requirements.in", "skf-simple\n");
    let kind = |name: &str| {
        std::fs::symlink_metadata(dir.join(name))
            .expect("still there")
            .file_type()
    };

    let made = std::process::Command::new("mkfifo")
        .arg(dir.join("fifo.txt"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    std::fs::create_dir(dir.join("dir.txt")).expect("mkdir");
    let _socket =
        std::os::unix::net::UnixListener::bind(dir.join("socket.txt")).expect("bind a socket");
    for (name, what) in [
        ("fifo.txt", "a FIFO"),
        ("dir.txt", "a directory"),
        ("socket.txt", "a socket"),
    ] {
        // `--upgrade` keeps the skua of before this check from blocking on reading the
        // FIFO for its pins.
        let run = lock(dir, &server, &["requirements.in", "-o", name, "--upgrade"]);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("refusing to replace") && run.stderr.contains(what),
            "{name}: {}",
            run.stderr
        );
    }
    assert!(kind("fifo.txt").is_fifo());
    assert!(kind("dir.txt").is_dir());
    assert!(kind("socket.txt").is_socket());
    assert_eq!(
        std::fs::read_dir(dir.join("dir.txt")).expect("dir").count(),
        0
    );

    // A symlink out of the project is refused; its target is left alone.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let theirs = elsewhere.path().join("theirs.txt");
    std::fs::write(&theirs, "theirs").expect("write");
    symlink(&theirs, dir.join("out.txt")).expect("symlink");
    let run = lock(dir, &server, &["requirements.in", "-o", "out.txt"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("outside"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&theirs).expect("read"), "theirs");
    assert!(kind("out.txt").is_symlink());

    // A symlink into the project is written through; the file keeps its mode.
    std::fs::create_dir(dir.join("locks")).expect("mkdir");
    write(dir, "locks/requirements.txt", "");
    std::fs::set_permissions(
        dir.join("locks/requirements.txt"),
        std::fs::Permissions::from_mode(0o640),
    )
    .expect("chmod");
    symlink("locks/requirements.txt", dir.join("requirements.txt")).expect("symlink");
    let run = lock(dir, &server, &["requirements.in", "-o", "requirements.txt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(kind("requirements.txt").is_symlink());
    assert!(read(dir, "locks/requirements.txt").contains("skf-simple=="));
    let mode = std::fs::metadata(dir.join("locks/requirements.txt"))
        .expect("metadata")
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o640);
}

/// A new lock file gets `0o666` less the umask, like any other program's output.
#[test]
fn new_lock_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-simple\n");
    for (umask, expected) in [("027", 0o640), ("002", 0o664)] {
        let output_file = format!("requirements-{umask}.txt");
        // std cannot set the umask without `unsafe`; a shell can, for the process it execs.
        let output = std::process::Command::new("sh")
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env_remove("SKUA_INDEX_URL")
            .env_remove("PIP_INDEX_URL")
            .args(["-c", &format!("umask {umask} && exec \"$0\" \"$@\"")])
            .arg(assert_cmd::cargo::cargo_bin("skua"))
            .args(["lock", "requirements.in", "-o", &output_file])
            .args(["--index-url", &server.simple_url("primary")])
            .args(["--python-version", "3.11", "--python-platform", "linux"])
            .arg("--cache-dir")
            .arg(dir.path().join(".cache"))
            .output()
            .expect("sh runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let mode = std::fs::metadata(dir.path().join(&output_file))
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o7777, expected, "umask {umask}");
    }
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

/// The sha256 of every file the fixture index lists for `project`.
fn index_hashes(project: &str) -> Vec<(String, String)> {
    let page = std::fs::read_to_string(
        skua_test_support::fixture_index_dir().join(format!("primary/simple/{project}/index.json")),
    )
    .expect("fixture page");
    let page: serde_json::Value = serde_json::from_str(&page).expect("json");
    page["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|file| {
            (
                file["filename"].as_str().expect("filename").to_string(),
                file["hashes"]["sha256"]
                    .as_str()
                    .expect("sha256")
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn a_lock_for_linux_hashes_the_macos_and_windows_wheels_too() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-native\n");
    let run = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = read(dir.path(), "requirements.txt");
    let files = index_hashes("skf-native");
    assert_eq!(files.len(), 5, "{files:?}");
    for (filename, hash) in &files {
        assert!(
            text.contains(&format!("--hash=sha256:{hash}")),
            "{filename} is not hashed:\n{text}"
        );
    }

    let run = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "pylock.toml"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pylock = read(dir.path(), "pylock.toml");
    for (filename, hash) in &files {
        assert!(
            pylock.contains(&format!("name = \"{filename}\"")) && pylock.contains(hash),
            "{filename} is not listed:\n{pylock}"
        );
    }
    assert_eq!(pylock.matches("[[packages.wheels]]").count(), 4, "{pylock}");
}

#[test]
fn override_files_replace_requirements_anywhere_in_the_graph() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-app==2.0.0\n");
    // skf-app 2.0.0 requires skf-lib<2.
    write(dir.path(), "overrides.txt", "skf-lib==2.1.0\n");
    let run = lock(
        dir.path(),
        &server,
        &["requirements.in", "--override", "overrides.txt"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("skf-lib==2.1.0 \\\n") && run.stdout.contains("# via skf-app"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--override overrides.txt"),
        "the header regenerates the lock with the override:\n{}",
        run.stdout
    );
    let missing = lock(
        dir.path(),
        &server,
        &["requirements.in", "--override", "nope.txt"],
    );
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("nope.txt"), "{}", missing.stderr);
}

#[test]
fn conflicts_across_many_releases_are_explained_in_a_few_lines() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    // Each of 60 releases of skf-series-app pins its own skf-series-core.
    write(
        dir.path(),
        "requirements.in",
        "skf-series-app\nskf-series-core>=2\n",
    );
    let run = lock(dir.path(), &server, &["requirements.in"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let lines = run.stderr.lines().count();
    assert!(lines <= 30, "{lines} lines:\n{}", run.stderr);
    for part in [
        "skf-series-app depends on skf-series-core<=1.59.0",
        "you require skf-series-core>=2",
        "relax the conflicting requirements",
    ] {
        assert!(run.stderr.contains(part), "names {part}:\n{}", run.stderr);
    }

    write(dir.path(), "pinned.in", "skf-simple==9.9\n");
    let run = lock(dir.path(), &server, &["pinned.in"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for part in [
        "skf-simple==9.9 does not exist; available: 1.0.0, 1.1.0, 2.0.0",
        "pin one of the available versions",
    ] {
        assert!(run.stderr.contains(part), "names {part}:\n{}", run.stderr);
    }
}

/// The newest skf-plug (decided first) has no skf-plug-aws release yet; each newer
/// plugin pins an older core. Walking the plugin down release by release ends on the
/// ancient 0.1.0 that takes any core, a valid but useless lock; after a few conflicts
/// the plugin is decided first instead, as uv prioritizes it: its newest release, and
/// the core that matches.
#[test]
fn a_package_that_keeps_conflicting_is_decided_first_instead_of_walked_down() {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "requirements.in", "skf-plug\nskf-plug-aws\n");
    let run = lock(
        dir.path(),
        &server,
        &["requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = read(dir.path(), "requirements.txt");
    assert!(text.contains("skf-plug-aws==1.8.0"), "{text}");
    assert!(text.contains("skf-plug==1.8.0"), "{text}");
}
