//! Runs the real `skua` binary the way users and CI do.

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use common::{Run, skua_command, write};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

fn skua(cwd: &Path) -> Command {
    skua_command(cwd)
}

fn run(cwd: &Path, args: &[&str]) -> Run {
    let output = skua(cwd).args(args).output().expect("skua runs");
    Run::from(output)
}

#[test]
fn demo_repository_reports_every_family() {
    let out = run(&repo_root(), &["lint", "fixtures/demo"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    for code in [
        "SEC00", "CLI001", "CLI002", "DEP001", "INJ001", "TLS00", "YML001", "NET001",
    ] {
        assert!(
            out.stdout.contains(code),
            "demo output lacks {code}:\n{}",
            out.stdout
        );
    }
    assert!(
        !out.stdout.contains("build/generated.py"),
        "gitignored file was linted"
    );
    assert!(
        out.stdout.contains(" |"),
        "full format shows source snippets"
    );
    let concise = run(
        &repo_root(),
        &[
            "lint",
            "fixtures/demo",
            "--output-format",
            "concise",
            "--quiet",
        ],
    );
    insta::assert_snapshot!("demo_concise", concise.stdout);
}

#[test]
fn clean_code_exits_zero() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "ok.py",
        "import boto3\n\nboto3.client(\"s3\").list_buckets()\n",
    );
    let out = run(dir.path(), &["lint"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("All checks passed (1 files checked)"),
        "{}",
        out.stdout
    );
}

#[test]
fn exit_zero_statistics_select_and_ignore() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "job.py",
        "import subprocess, requests\nsubprocess.run(['kubectl', 'get', 'pods'])\nrequests.get('https://x')\nrequests.post('https://x')\n",
    );
    let out = run(dir.path(), &["lint", "--exit-zero"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("Found 3 problems"));
    let stats = run(dir.path(), &["lint", "--statistics"]);
    assert_eq!(stats.code, 1);
    assert!(
        stats.stdout.contains("2\tNET001\trequest-without-timeout"),
        "{}",
        stats.stdout
    );
    assert!(
        stats.stdout.contains("1\tCLI002\tkubectl-subprocess"),
        "{}",
        stats.stdout
    );
    let selected = run(
        dir.path(),
        &["lint", "--select", "CLI", "--output-format", "concise"],
    );
    assert!(
        selected.stdout.contains("CLI002") && !selected.stdout.contains("NET001"),
        "{}",
        selected.stdout
    );
    let ignored = run(
        dir.path(),
        &["lint", "--ignore", "NET001", "--output-format", "concise"],
    );
    assert!(
        ignored.stdout.contains("CLI002") && !ignored.stdout.contains("NET001"),
        "{}",
        ignored.stdout
    );
    let bad = run(dir.path(), &["lint", "--select", "NETT"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("did you mean `NET`"), "{}", bad.stderr);
}

#[test]
fn json_output_has_the_documented_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.py", "import yaml\nyaml.load(open('x'))\n");
    let out = run(dir.path(), &["lint", "--output-format", "json"]);
    assert_eq!(out.code, 1);
    let value: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    let first = &value.as_array().expect("list")[0];
    assert_eq!(first["code"], "YML001");
    assert_eq!(first["name"], "unsafe-yaml-load");
    assert_eq!(first["filename"], "./a.py");
    assert_eq!(first["location"]["row"], 2);
    assert_eq!(first["location"]["column"], 1);
    assert_eq!(first["end_location"]["row"], 2);
    // ruff's shape: applicability, message, edits with rows and columns.
    assert_eq!(first["fix"]["applicability"], "safe");
    assert_eq!(first["fix"]["message"], "Replace with `yaml.safe_load()`");
    let edit = &first["fix"]["edits"][0];
    assert_eq!(edit["content"], "safe_load");
    assert_eq!(edit["location"]["row"], 2);
    assert_eq!(edit["location"]["column"], 6);
    assert_eq!(edit["end_location"]["column"], 10);
    assert!(
        first["url"]
            .as_str()
            .expect("url")
            .ends_with("docs/rules/YML001.md")
    );
}

/// Values assembled at run time so no complete token sits in this source file.
fn fake_secrets() -> Vec<String> {
    vec![
        format!("AKIA{}", "Q7X2M4N8B6V3C5Z9"),
        format!("ghp_{}", "1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ"),
        format!("xoxb-{}-{}", "123456789012", "AbCdEfGhIjKlMnOpQrStUvWx"),
        "Vx9#mQ2$pL7wZr4K".to_string(),
        "Pr0dDbPassw0rd".to_string(),
    ]
}

#[test]
fn no_output_format_contains_a_full_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let secrets = fake_secrets();
    let source = format!(
        "AWS_KEY = \"{}\"\nGITHUB = \"{}\"\nclient(token=\"{}\")\ndb_password = \"{}\"\nDSN = \"postgresql://app:{}@db.internal/app\"\n",
        secrets[0], secrets[1], secrets[2], secrets[3], secrets[4]
    );
    write(dir.path(), "settings.py", &source);
    write(
        dir.path(),
        ".env",
        &format!("API_TOKEN={}\nDB_PASSWORD={}\n", secrets[1], secrets[3]),
    );
    for format in ["full", "concise", "json", "github"] {
        let out = run(dir.path(), &["lint", "--output-format", format]);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        assert!(
            out.stdout.matches("SEC0").count() >= 7,
            "{format} reports the secrets:\n{}",
            out.stdout
        );
        for secret in &secrets {
            assert!(
                !out.stdout.contains(secret.as_str()),
                "{format} output leaks {secret}:\n{}",
                out.stdout
            );
            assert!(!out.stderr.contains(secret.as_str()));
        }
    }
}

#[test]
fn noqa_suppresses_and_unused_noqa_is_reported_on_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "a.py",
        "import requests\nrequests.get('u')  # noqa: NET001\nrequests.get('u')  # noqa\nx = 1  # noqa: NET001, E501\nrequests.get('u')  # nosec\n",
    );
    let out = run(dir.path(), &["lint", "--output-format", "concise"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let out = run(
        dir.path(),
        &[
            "lint",
            "--output-format",
            "concise",
            "--extend-select",
            "NQA001",
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("a.py:4:16: NQA001 Unused `noqa` directive (unused: `NET001`)"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stdout.matches("NQA001").count(),
        1,
        "E501 belongs to another tool:\n{}",
        out.stdout
    );
}

#[test]
fn configuration_is_found_upward_and_validated() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"x\"\nrequires-python = \">=3.11\"\n\n[tool.skua]\nignore = [\"NET\"]\ncloud-clis = [\"aws\"]\n[tool.skua.per-file-ignores]\n\"tests/**\" = [\"CLI\"]\n",
    );
    let code = "import subprocess, requests\nrequests.get('u')\nsubprocess.run(['kubectl', 'get', 'pods'])\nsubprocess.run(['aws', 'sts', 'get-caller-identity'])\n";
    write(dir.path(), "src/job.py", code);
    write(dir.path(), "tests/test_job.py", code);
    let out = run(
        &dir.path().join("src"),
        &["lint", ".", "../tests", "--output-format", "concise"],
    );
    assert_eq!(
        out.stdout.matches("CLI001").count(),
        1,
        "only src is checked for CLI, only aws:\n{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("NET001") && !out.stdout.contains("CLI002"),
        "{}",
        out.stdout
    );

    write(dir.path(), "skua.toml", "selekt = [\"SEC\"]\n");
    let out = run(dir.path(), &["lint"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown option `selekt`")
            && out.stderr.contains("did you mean `select`"),
        "{}",
        out.stderr
    );
    // Flags still win over the broken file only through --isolated.
    let out = run(
        dir.path(),
        &[
            "lint",
            "--isolated",
            "--select",
            "CLI001",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(out.stdout.matches("CLI001").count(), 2, "{}", out.stdout);
}

#[test]
fn bad_inputs_give_diagnostics_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "syntax.py", "def deploy(:\n    pass\n");
    std::fs::write(root.join("latin1.py"), b"name = '\xe9t\xe9'\n").expect("write");
    let mut binary = vec![0u8, 159, 146, 150, 0, 1, 2];
    binary.extend(std::iter::repeat_n(0xffu8, 4096));
    std::fs::write(root.join("blob.py"), binary).expect("write");
    write(root, "empty.py", "");
    write(
        root,
        "nested.py",
        &format!("x = {}{}\n", "[".repeat(5000), "]".repeat(5000)),
    );
    let chain = vec!["1"; 50_000].join(" + ");
    write(
        root,
        "chain.py",
        &format!("x = {chain}\nimport os\nos.system('kubectl get pods')\n"),
    );
    // A 50 MB file: mostly comments, with a finding at the very end.
    let mut large = String::with_capacity(52 * 1024 * 1024);
    let filler = format!("# {}\n", "x".repeat(98));
    while large.len() < 50 * 1024 * 1024 {
        large.push_str(&filler);
    }
    large.push_str("import yaml\nyaml.load(data)\n");
    write(root, "large.py", &large);
    std::fs::create_dir(root.join("loop")).expect("mkdir");
    std::os::unix::fs::symlink("..", root.join("loop/back")).expect("symlink");
    std::os::unix::fs::symlink("/nonexistent/target.py", root.join("dangling.py"))
        .expect("symlink");
    write(root, "locked.py", "x = 1\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        root.join("locked.py"),
        std::fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");
    write(
        root,
        "good.py",
        "import subprocess\nsubprocess.run(['aws', 's3', 'ls'])\n",
    );

    let out = run(
        root,
        &["lint", ".", "missing-dir", "--output-format", "concise"],
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("internal error"),
        "{}",
        out.stderr
    );
    let expect = [
        "syntax.py:1:12: E999 SyntaxError",
        "latin1.py:1:1: E902 Could not check file: not valid UTF-8",
        "blob.py:1:1: E902 Could not check file: it is binary",
        "chain.py:3:1: CLI002",
        "YML001 `yaml.load()` without a `Loader`",
        "loop/back:1:1: E902 symbolic link loop",
        "dangling.py:1:1: E902",
        "missing-dir:1:1: E902 No such file or directory",
        "good.py:2:1: CLI001",
    ];
    for line in expect {
        assert!(
            out.stdout.contains(line),
            "missing `{line}` in:\n{}",
            out.stdout
        );
    }
    // Root reads anything; everyone else must get a clear error naming the file.
    if std::fs::read(root.join("locked.py")).is_err() {
        assert!(
            out.stdout
                .contains("locked.py:1:1: E902 Could not read file: Permission denied"),
            "{}",
            out.stdout
        );
    }
    // Past the checker's nesting limit the file is only partly checked: that is said.
    assert!(
        out.stdout
            .contains("nested.py:1:2005: E998 expressions nested deeper than 2000 levels"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("empty.py"),
        "empty.py should be clean:\n{}",
        out.stdout
    );
}

#[test]
fn rule_command_prints_the_documentation() {
    let out = run(&repo_root(), &["rule", "SEC001"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stdout.starts_with("# hardcoded-token (SEC001)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("## Why is this bad?"));
    let by_name = run(&repo_root(), &["rule", "kubectl-subprocess"]);
    assert!(by_name.stdout.contains("(CLI002)"));
    let all = run(&repo_root(), &["rule", "--all"]);
    assert!(all.stdout.matches("## What it does").count() >= 20);
    let unknown = run(&repo_root(), &["rule", "SEC999"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("unknown rule `SEC999`"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn usage_errors_exit_two() {
    let out = run(&repo_root(), &["lint", "--output-format", "xml"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("invalid value 'xml'"), "{}", out.stderr);
}

#[test]
fn excluded_directory_names_above_the_named_path_do_not_hide_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "venv/lib/site-packages/pkg/job.py",
        "import yaml\nyaml.load(open('x'))\n",
    );
    write(
        dir.path(),
        "venv/lib/site-packages/pkg/.venv/hidden.py",
        "import yaml\nyaml.load(open('x'))\n",
    );
    let out = run(
        dir.path(),
        &[
            "lint",
            "venv/lib/site-packages/pkg",
            "--output-format",
            "concise",
        ],
    );
    assert!(
        out.stdout.contains("pkg/job.py:2:1: YML001"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("hidden.py"),
        "excluded directories inside the named path stay excluded:\n{}",
        out.stdout
    );
    let from_root = run(dir.path(), &["lint", "--output-format", "concise"]);
    assert!(
        !from_root.stdout.contains("job.py"),
        "walking from the root, `venv` is excluded:\n{}",
        from_root.stdout
    );
}

#[test]
fn includes_outside_the_project_are_not_read() {
    let outside = tempfile::tempdir().expect("tempdir");
    // A credentials file the runner has, which a hostile pull request points at.
    let token = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngXYZ12345678";
    write(
        outside.path(),
        "git-credentials",
        &format!("https://ci:{token}@github.com\n"),
    );
    let secret = outside.path().join("git-credentials");
    let project = tempfile::tempdir().expect("tempdir");
    let root = project.path();
    write(root, "pyproject.toml", "[project]\nname = \"ops\"\n");
    write(
        root,
        "requirements.txt",
        &format!("-r {}\nrequests==2.32.3\n", secret.display()),
    );
    std::os::unix::fs::symlink(&secret, root.join("linked.txt")).expect("symlink");
    write(
        root,
        "requirements-dev.txt",
        "-c linked.txt\npytest==8.0.0\n",
    );
    for format in ["full", "concise", "json"] {
        let out = run(root, &["lint", ".", "--output-format", format]);
        assert!(
            !out.stdout.contains(token),
            "{format} leaked the token:\n{}",
            out.stdout
        );
        assert!(!out.stdout.contains("ghp_"), "{format}:\n{}", out.stdout);
        assert_eq!(out.code, 1, "{}", out.stderr);
    }
    let out = run(root, &["lint", ".", "--output-format", "concise"]);
    assert!(
        out.stdout
            .contains("requirements.txt:1:4: E902 Included file")
            && out
                .stdout
                .contains("is outside the project and was not read"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "requirements-dev.txt:1:4: E902 Included file `linked.txt` is outside the project"
        ),
        "a link out of the project is outside too:\n{}",
        out.stdout
    );
    // Opting in reads it (and then the linter reports what it finds, redacted).
    write(
        root,
        "pyproject.toml",
        "[project]\nname = \"ops\"\n\n[tool.skua]\nallow-outside-includes = true\n",
    );
    let out = run(root, &["lint", ".", "--output-format", "concise"]);
    assert!(
        !out.stdout.contains("outside the project"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_file_reached_by_include_is_reported_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "requirements.txt", "-r base.txt\nrequests==2.32.3\n");
    write(root, "base.txt", "boto3\n");
    let out = run(root, &["lint", ".", "--output-format", "concise"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout.matches("DEP001").count(),
        1,
        "base.txt reported twice:\n{}",
        out.stdout
    );
}

#[test]
fn an_unparsable_pyproject_does_not_stop_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "pyproject.toml", "[project\nname = \"broken\"\n");
    write(
        root,
        "src/deploy.py",
        "import subprocess\nsubprocess.run(['aws', 's3', 'ls'])\n",
    );
    let out = run(root, &["lint", ".", "--output-format", "concise"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("src/deploy.py:2:1: CLI001"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("pyproject.toml:1:"), "{}", out.stdout);
    assert!(out.stdout.contains("E999"), "{}", out.stdout);
    assert!(
        out.stderr.contains("pyproject.toml is not valid TOML"),
        "{}",
        out.stderr
    );
}

#[test]
fn long_include_chains_are_walked_without_recursion() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // 30,000 `-c` hops overflowed the stack (SIGABRT, no output at all).
    let depth = 30_000;
    let mut text = String::new();
    for i in 0..depth {
        text.clear();
        text.push_str(&format!("-c c{}.txt\nx{i}==1.0\n", i + 1));
        std::fs::write(root.join(format!("c{i}.txt")), &text).expect("write");
    }
    write(root, &format!("c{depth}.txt"), "last==1.0\n");
    write(root, "requirements.txt", "-c c0.txt\nlast\n");
    let out = run(
        root,
        &["lint", "requirements.txt", "--output-format", "concise"],
    );
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    assert!(
        !out.stdout.contains("requirements.txt:2:1: DEP001"),
        "the pin at the end of the chain applies:\n{}",
        out.stdout
    );
}

#[test]
fn version_names_the_commit_and_completions_exist_for_each_shell() {
    let out = run(&repo_root(), &["--version"]);
    assert_eq!(out.code, 0);
    let version = out.stdout.trim();
    assert!(version.starts_with("skua 0."), "{version}");
    // Built from this checkout: the commit is named.
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=9", "HEAD"])
        .current_dir(repo_root())
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string());
    if let Some(head) = head {
        assert!(
            version.contains(&format!("({head} ")),
            "{version} vs {head}"
        );
    }
    for (shell, marker) in [
        ("bash", "complete -F _skua"),
        ("zsh", "#compdef skua"),
        ("fish", "complete -c skua"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = run(&repo_root(), &["generate-shell-completion", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        assert!(out.stdout.contains(marker), "{shell}:\n{}", out.stdout);
        assert!(out.stdout.contains("lint"), "{shell} completes subcommands");
    }
    let bad = run(&repo_root(), &["generate-shell-completion", "tcsh"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn test_code_reports_only_token_formats_unless_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "pyproject.toml",
        "[project]\nname = \"ops\"\nrequires-python = \">=3.11\"\n",
    );
    let dsn = "postgresql://app:Xk29vLq7Rt4Z@db.internal:5432/app";
    write(
        root,
        "ops/db.py",
        &format!("import os\n\nDATABASE_URL = os.environ.get('DATABASE_URL', '{dsn}')\n"),
    );
    write(
        root,
        "tests/conftest.py",
        &format!("import pytest\n\n\n@pytest.fixture\ndef dsn():\n    return '{dsn}'\n"),
    );
    write(
        root,
        "tests/test_client.py",
        concat!(
            "from ops import db\n\n\n",
            "class TestClient:\n",
            "    password = 'Rq8vXz2Lk9Tp'\n\n",
            "    def test_header(self):\n",
            "        headers = {'Authorization': 'Basic b3BzOlJxOHZYejJMazlUcA=='}\n",
            "        token = 'ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789'\n",
            "        assert headers and token\n",
        ),
    );
    write(
        root,
        "tests/fixtures/settings.py",
        "API_SECRET_KEY = 'Vb7Nq2Wc9Lr4Ty8Zp3Kd'\n",
    );
    let out = run(root, &["lint", ".", "--output-format", "concise"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("ops/db.py:3:"),
        "real code still reports: {}",
        out.stdout
    );
    assert!(
        out.stdout.contains("tests/test_client.py:9:") && out.stdout.contains("SEC001"),
        "a token format is reported in tests too: {}",
        out.stdout
    );
    for quiet in [
        "tests/conftest.py",
        "tests/fixtures/settings.py",
        "tests/test_client.py:5:",
        "tests/test_client.py:8:",
    ] {
        assert!(
            !out.stdout.contains(quiet),
            "{quiet} is a test fake:\n{}",
            out.stdout
        );
    }

    write(
        root,
        "pyproject.toml",
        "[project]\nname = \"ops\"\nrequires-python = \">=3.11\"\n\n[tool.skua]\ntest-secrets = \"all\"\n",
    );
    let out = run(root, &["lint", ".", "--output-format", "concise"]);
    for reported in [
        "tests/conftest.py",
        "tests/fixtures/settings.py",
        "tests/test_client.py:5:",
        "tests/test_client.py:8:",
    ] {
        assert!(
            out.stdout.contains(reported),
            "{reported} with test-secrets = all:\n{}",
            out.stdout
        );
    }
    write(
        root,
        "pyproject.toml",
        "[tool.skua]\ntest-secrets = \"some\"\n",
    );
    let out = run(root, &["lint", "."]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("`test-secrets` must be"),
        "{}",
        out.stderr
    );
}

#[test]
fn credentials_in_requirement_index_options_are_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "requirements.txt",
        concat!(
            "--index-url https://deploy:Zq8vR2pLx7Nw@artifactory.internal/api/pypi/simple\n",
            "--extra-index-url https://${PYPI_USER}:${PYPI_TOKEN}@pypi.internal/simple\n",
            "requests==2.32.3\n",
        ),
    );
    let out = run(root, &["lint", ".", "--output-format", "concise"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "requirements.txt:1:1: SEC003 Index URL contains a hardcoded password `Zq8****`"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stdout.matches("SEC003").count(),
        1,
        "placeholders are not secrets: {}",
        out.stdout
    );
    let full = run(root, &["lint", ".", "--output-format", "full"]);
    assert!(!full.stdout.contains("Zq8vR2pLx7Nw"), "{}", full.stdout);
}

#[test]
fn undeclared_imports_are_reported_once_per_import_and_can_be_suppressed() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"ops-jobs\"\nrequires-python = \">=3.11\"\ndependencies = [\"requests==2.31.0\", \"acme-sdk==1.0\"]\n\n[tool.skua.per-file-ignores]\n\"scripts/**\" = [\"DEP004\"]\n",
    );
    write(dir.path(), "jobs/__init__.py", "");
    write(dir.path(), "jobs/util.py", "def retry():\n    pass\n");
    write(
        dir.path(),
        "jobs/main.py",
        "import json\n\nimport requests\nimport yaml\nimport boto3  # noqa: DEP004\nimport acmesdk\n\nfrom jobs.util import retry\nfrom .util import retry as again\n",
    );
    write(dir.path(), "scripts/adhoc.py", "import click\n");
    let out = run(dir.path(), &["lint", "--output-format", "concise"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains(
            "jobs/main.py:4:8: DEP004 `yaml` is imported but no manifest declares its distribution `pyyaml` (nearest manifest: ../pyproject.toml)"
        ),
        "{}",
        out.stdout
    );
    // `acmesdk` is `acme-sdk` only where an environment says so.
    assert!(
        out.stdout.contains("`acmesdk` is imported"),
        "{}",
        out.stdout
    );
    let venv = tempfile::tempdir().expect("tempdir");
    write(venv.path(), "pyvenv.cfg", "version = 3.12.3\n");
    write(
        venv.path(),
        "lib/python3.12/site-packages/acme_sdk-1.0.dist-info/top_level.txt",
        "acmesdk\n",
    );
    let output = skua(dir.path())
        .args(["lint", "--output-format", "concise"])
        .env("VIRTUAL_ENV", venv.path())
        .output()
        .expect("skua runs");
    let out = Run::from(output);
    assert_eq!(out.stdout.matches("DEP004").count(), 1, "{}", out.stdout);
    let out = run(
        dir.path(),
        &["lint", "--output-format", "concise", "--ignore", "DEP004"],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
}
