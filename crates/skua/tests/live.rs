//! Opt-in live tier: resolves real DevOps sets against the public PyPI.
//! Run with `SKUA_LIVE_TESTS=1 cargo test -p skua --test live`; skipped otherwise, so the
//! default suite stays offline and deterministic.

use assert_cmd::Command;

fn live() -> bool {
    let enabled = std::env::var_os("SKUA_LIVE_TESTS").is_some();
    if !enabled {
        eprintln!("skipped: set SKUA_LIVE_TESTS=1 to run tests against the real PyPI");
    }
    enabled
}

#[test]
fn locks_a_devops_set_from_pypi() {
    if !live() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("requirements.in"),
        "boto3\nkubernetes\nrequests\npyyaml\nansible-core\n",
    )
    .expect("write");
    let output = Command::cargo_bin("skua")
        .expect("binary")
        .current_dir(dir.path())
        .args([
            "lock",
            "requirements.in",
            "-o",
            "requirements.txt",
            "--python-version",
            "3.11",
        ])
        .args([
            "--python-platform",
            "x86_64-manylinux_2_28",
            "--exclude-newer",
            "2026-11-01T00:00:00Z",
        ])
        .arg("--cache-dir")
        .arg(dir.path().join("cache"))
        .output()
        .expect("skua runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lock = std::fs::read_to_string(dir.path().join("requirements.txt")).expect("lock written");
    for name in [
        "boto3==",
        "botocore==",
        "kubernetes==",
        "requests==",
        "pyyaml==",
        "ansible-core==",
        "urllib3==",
    ] {
        assert!(lock.contains(name), "{name} missing from:\n{lock}");
    }
    assert!(lock.matches("--hash=sha256:").count() >= 30, "{lock}");
}
