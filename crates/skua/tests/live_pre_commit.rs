//! Opt-in live tier: the real `pre-commit`, installed from PyPI, running this repository's
//! hooks (`.pre-commit-hooks.yaml`) at its current commit in a throwaway git repository.
//! pre-commit installs the hooks with `pip install` of this repository, so maturin builds
//! skua from source (minutes, needs crates.io); the lock check resolves against PyPI.
//! Run with `SKUA_LIVE_TESTS=1 cargo test -p skua --test live_pre_commit`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn live() -> bool {
    let enabled = std::env::var_os("SKUA_LIVE_TESTS").is_some();
    if !enabled {
        eprintln!("skipped: set SKUA_LIVE_TESTS=1 to run pre-commit against this repository");
    }
    enabled
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

fn run(command: &mut Command) -> Output {
    command.output().expect("command runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn git(dir: &Path, args: &[&str]) -> Output {
    run(Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=skua",
            "-c",
            "user.email=skua@example.invalid",
        ])
        .args(args))
}

#[test]
fn pre_commit_blocks_secrets_and_stale_locks_with_this_repositorys_hooks() {
    if !live() {
        return;
    }
    let root = repo_root();
    let head = git(&root, &["rev-parse", "HEAD"]);
    assert!(head.status.success(), "{}", text(&head));
    let rev = String::from_utf8_lossy(&head.stdout).trim().to_string();

    let tmp = tempfile::tempdir().expect("tempdir");
    let tools = tmp.path().join("tools");
    let venv = run(Command::new("python3").arg("-m").arg("venv").arg(&tools));
    assert!(venv.status.success(), "{}", text(&venv));
    let install = run(Command::new(tools.join("bin/pip"))
        .args(["install", "-q", "pre-commit"])
        .env_remove("PIP_FIND_LINKS"));
    assert!(install.status.success(), "{}", text(&install));

    let project = tmp.path().join("project");
    std::fs::create_dir(&project).expect("mkdir");
    assert!(git(&project, &["init", "-q"]).status.success());
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: skua-lint\n  - id: skua-lock-check\n",
            root.display()
        ),
    )
    .expect("write");
    std::fs::write(project.join("requirements.in"), "six\n").expect("write");
    let skua = assert_cmd::cargo::cargo_bin("skua");
    let locked = run(Command::new(&skua).current_dir(&project).args([
        "lock",
        "requirements.in",
        "-o",
        "requirements.txt",
        "-q",
    ]));
    assert!(locked.status.success(), "{}", text(&locked));

    let pre_commit = |args: &[&str]| {
        run(Command::new(tools.join("bin/pre-commit"))
            .current_dir(&project)
            .args(args)
            .env("PRE_COMMIT_HOME", tmp.path().join("pre-commit-home"))
            // Reuses the build across runs of this test; maturin honours it.
            .env("CARGO_TARGET_DIR", root.join("target/pre-commit-live"))
            .env_remove("PIP_FIND_LINKS"))
    };
    let hooked = pre_commit(&["install"]);
    assert!(hooked.status.success(), "{}", text(&hooked));
    let commit = |message: &str| {
        assert!(git(&project, &["add", "-A"]).status.success());
        git(&project, &["commit", "-q", "-m", message])
    };
    assert!(commit("lock").status.success(), "the first commit is clean");

    // A fake, format-valid secret access key, built at run time.
    let secret: String = ["Zq3mV8pLr2Tx9KbW4nHc", "7YsJ1dGf6uEa0oRi/kQw"].concat();
    std::fs::write(
        project.join("deploy.py"),
        format!(
            "import boto3\n\nclient = boto3.client(\n    \"s3\",\n    aws_secret_access_key=\"{secret}\",\n)\n"
        ),
    )
    .expect("write");
    let blocked = commit("add deploy");
    let output = text(&blocked);
    assert!(!blocked.status.success(), "{output}");
    assert!(output.contains("SEC"), "{output}");
    assert!(!output.contains(&secret), "the key is redacted:\n{output}");

    std::fs::write(
        project.join("deploy.py"),
        "import os\n\nimport boto3\n\nclient = boto3.client(\n    \"s3\",\n    aws_secret_access_key=os.environ[\"AWS_SECRET_ACCESS_KEY\"],\n)\n",
    )
    .expect("write");
    let fixed = commit("add deploy");
    assert!(fixed.status.success(), "{}", text(&fixed));

    std::fs::write(project.join("requirements.in"), "six\nidna\n").expect("write");
    let stale = commit("add idna");
    let output = text(&stale);
    assert!(!stale.status.success(), "{output}");
    assert!(output.contains("skua lock --check"), "{output}");
}
