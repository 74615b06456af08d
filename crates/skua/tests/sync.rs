//! `skua venv` + `skua lock` + `skua sync` end to end: real venvs made from the machine's
//! python3, wheels from the loopback fixture index, real imports and console scripts.

use std::path::Path;
use std::process::Output;

use skua_test_support::IndexServer;

mod common;
use common::skua_command;

fn skua(dir: &Path, args: &[&str]) -> Output {
    skua_command(dir)
        .env("SKUA_CACHE_DIR", dir.join(".cache"))
        .args(args)
        .output()
        .expect("skua runs")
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn python(dir: &Path, code: &str) -> Output {
    std::process::Command::new(dir.join(".venv/bin/python"))
        .args(["-c", code])
        .output()
        .expect("venv python runs")
}

fn site_listing(dir: &Path) -> Vec<String> {
    let out = python(
        dir,
        "import sysconfig, os; p = sysconfig.get_paths()['purelib']; print('\\n'.join(sorted(os.listdir(p))))",
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("__pycache__"))
        .map(str::to_string)
        .collect()
}

fn lock(dir: &Path, server: &IndexServer, input: &str, output: &str) {
    let index = server.simple_url("primary");
    ok(&skua(
        dir,
        &["lock", input, "-o", output, "--index-url", &index],
    ));
}

fn sync(dir: &Path, server: &IndexServer, lock: &str) -> Output {
    sync_with(dir, server, lock, &[])
}

fn sync_with(dir: &Path, server: &IndexServer, lock: &str, extra: &[&str]) -> Output {
    let index = server.simple_url("primary");
    let mut args = vec!["sync", lock, "--python", ".venv", "--index-url", &index];
    args.extend_from_slice(extra);
    skua(dir, &args)
}

#[test]
fn venv_lock_sync_and_exact_removal() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    ok(&skua(dir, &["venv", ".venv"]));
    assert!(dir.join(".venv/pyvenv.cfg").is_file());
    let before = site_listing(dir);

    std::fs::write(
        dir.join("requirements.in"),
        "skf-tool\nskf-web[tls]\nskf-ns-alpha\nskf-ns-beta\n",
    )
    .expect("write");
    lock(dir, &server, "requirements.in", "requirements.txt");
    let out = sync(dir, &server, "requirements.txt");
    ok(&out);
    // Locked here, for this interpreter: nothing to warn about.
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("warning"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("5 installed")
            || String::from_utf8_lossy(&out.stderr).contains("6 installed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let imported = python(
        dir,
        "import skf_tool, skf_web, skf_certs, skf_ns.alpha, skf_ns.beta; print(skf_tool.__version__, skf_ns.alpha.__version__)",
    );
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&imported.stdout).trim(),
        "1.0.0 1.0.0"
    );
    let script = std::process::Command::new(dir.join(".venv/bin/skf-tool"))
        .output()
        .expect("console script runs");
    assert!(
        script.status.success(),
        "{}",
        String::from_utf8_lossy(&script.stderr)
    );
    let helper = std::fs::read_to_string(dir.join(".venv/bin/skf-tool-helper"))
        .expect("data script installed");
    assert!(
        helper.starts_with(&format!("#!{}", dir.join(".venv/bin/python").display()))
            || helper.starts_with("#!/bin/sh"),
        "{helper}"
    );
    assert!(dir.join(".venv/share/skf-tool/README.txt").is_file());

    // A second sync changes nothing and needs no network.
    let again = sync(dir, &server, "requirements.txt");
    ok(&again);
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("0 installed, 0 removed"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // Exact sync: a lock without skf-tool removes it completely.
    std::fs::write(dir.join("small.in"), "skf-simple\n").expect("write");
    lock(dir, &server, "small.in", "small.txt");
    ok(&sync(dir, &server, "small.txt"));
    assert!(
        !dir.join(".venv/bin/skf-tool").exists(),
        "console script left behind"
    );
    assert!(
        !dir.join(".venv/share/skf-tool/README.txt").exists(),
        "data file left behind"
    );
    let mut expected = before.clone();
    let after = site_listing(dir);
    expected.extend(
        after
            .iter()
            .filter(|name| name.starts_with("skf_simple"))
            .cloned(),
    );
    expected.sort();
    assert_eq!(
        after, expected,
        "only skf-simple remains besides the fresh venv's content"
    );
}

#[test]
fn tampered_hashes_are_rejected_and_the_environment_is_unchanged() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    ok(&skua(dir, &["venv", ".venv"]));
    std::fs::write(dir.join("requirements.in"), "skf-simple\n").expect("write");
    lock(dir, &server, "requirements.in", "requirements.txt");
    let text = std::fs::read_to_string(dir.join("requirements.txt")).expect("lock");
    let start = text.find("sha256:").expect("a hash") + "sha256:".len();
    let mut tampered = text.clone();
    tampered.replace_range(start..start + 64, &"0".repeat(64));
    // Both files of the version must be wrong for no candidate to match.
    let tampered = tampered.replace(
        &text[text.rfind("sha256:").expect("hash") + 7..][..64],
        &"1".repeat(64),
    );
    std::fs::write(dir.join("tampered.txt"), tampered).expect("write");
    let before = site_listing(dir);
    let out = sync(dir, &server, "tampered.txt");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("hash"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(site_listing(dir), before);

    std::fs::write(
        dir.join("unhashed.txt"),
        "skf-simple==2.0.0 --hash=sha256:".to_string() + &"a".repeat(64) + "\nskf-chain-c==1.5.0\n",
    )
    .expect("write");
    let out = sync(dir, &server, "unhashed.txt");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("skf-chain-c==1.5.0 has no hash"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn concurrent_syncs_take_turns() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    ok(&skua(&dir, &["venv", ".venv"]));
    std::fs::write(dir.join("requirements.in"), "skf-chain-a\nskf-tool\n").expect("write");
    lock(&dir, &server, "requirements.in", "requirements.txt");
    let index = server.simple_url("primary");
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let dir = dir.clone();
            let index = index.clone();
            std::thread::spawn(move || {
                skua(
                    &dir,
                    &[
                        "sync",
                        "requirements.txt",
                        "--python",
                        ".venv",
                        "--index-url",
                        &index,
                    ],
                )
            })
        })
        .collect();
    for handle in handles {
        ok(&handle.join().expect("thread"));
    }
    let imported = python(&dir, "import skf_chain_a, skf_chain_c, skf_tool");
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
}

#[test]
fn venv_refuses_to_replace_a_directory_that_is_not_a_venv() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(tmp.path().join("project")).expect("mkdir");
    std::fs::write(tmp.path().join("project/keep.txt"), "data").expect("write");
    let out = skua(tmp.path(), &["venv", "project"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(tmp.path().join("project/keep.txt").is_file());
    let missing = skua(tmp.path(), &["venv", ".venv", "--python", "3.99"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("3.99"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}

#[test]
fn platform_and_abi3_wheels_install_for_this_interpreter() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    ok(&skua(dir, &["venv", ".venv"]));
    std::fs::write(dir.join("requirements.in"), "skf-native\nskf-abi3\n").expect("write");
    lock(dir, &server, "requirements.in", "requirements.txt");
    ok(&sync(dir, &server, "requirements.txt"));
    let wheels: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|request| request.path.ends_with(".whl") && request.is_full_download())
        .map(|request| request.path)
        .collect();
    let on_this_machine = python(dir, "import sysconfig; print(sysconfig.get_platform())");
    if String::from_utf8_lossy(&on_this_machine.stdout).trim() == "linux-x86_64" {
        assert!(
            wheels
                .iter()
                .any(|path| path.contains("skf_native") && path.contains("manylinux")),
            "{wheels:?}"
        );
        assert!(
            wheels
                .iter()
                .any(|path| path.contains("skf_abi3") && path.contains("abi3-manylinux")),
            "{wheels:?}"
        );
    }
    let imported = python(dir, "import skf_native, skf_abi3; print('ok')");
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
}

#[test]
fn a_killed_sync_leaves_a_consistent_environment_that_the_next_sync_completes() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    ok(&skua(dir, &["venv", ".venv"]));
    std::fs::write(
        dir.join("requirements.in"),
        "skf-tool\nskf-nometa\nskf-chain-a\nskf-web[all]\n",
    )
    .expect("write");
    lock(dir, &server, "requirements.in", "requirements.txt");
    std::fs::write(dir.join("empty.txt"), "").expect("write");
    for delay_ms in [5u64, 40, 120] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("skua"))
            .current_dir(dir)
            .env("SKUA_CACHE_DIR", dir.join(format!(".cache-{delay_ms}")))
            .args([
                "sync",
                "requirements.txt",
                "--python",
                ".venv",
                "--index-url",
                &server.simple_url("primary"),
                "-q",
            ])
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Every package the environment reports as installed has all of its files.
        let check = python(
            dir,
            "import importlib.metadata as m, os, sys\nbad = [f'{d.metadata[\"Name\"]}:{f}' for d in m.distributions() for f in (d.files or []) if not os.path.exists(d.locate_file(f))]\nprint(bad); sys.exit(1 if bad else 0)",
        );
        assert!(
            check.status.success(),
            "inconsistent after a kill at {delay_ms} ms: {}",
            String::from_utf8_lossy(&check.stdout)
        );
        ok(&sync(dir, &server, "requirements.txt"));
        assert_complete(
            dir,
            &format!("after the sync that followed a kill at {delay_ms} ms"),
        );
        // Start the next round from an empty environment.
        ok(&sync_with(dir, &server, "empty.txt", &["--allow-empty"]));
        assert!(
            python(dir, "import skf_tool").status.code() != Some(0),
            "the empty lock removed everything"
        );
    }

    // The same, deterministically: what a kill leaves at each moment, built by hand.
    ok(&sync(dir, &server, "requirements.txt"));
    let site = site_packages(dir);
    let dist_info = |prefix: &str| {
        std::fs::read_dir(&site)
            .expect("site-packages")
            .flatten()
            .map(|entry| entry.path())
            .find(|path| {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                name.starts_with(prefix) && name.ends_with(".dist-info")
            })
            .expect("installed")
    };
    let recorded = |dist_info: &Path| -> Vec<std::path::PathBuf> {
        std::fs::read_to_string(dist_info.join("RECORD"))
            .expect("RECORD")
            .lines()
            .filter_map(|line| line.split(',').next())
            .map(|path| site.join(path))
            .filter(|path| !path.starts_with(dist_info))
            .collect()
    };
    // A kill before RECORD by skua without the install marker: a .dist-info without
    // RECORD and without any of the package's files, which looked installed.
    let tool = dist_info("skf_tool-");
    for path in recorded(&tool) {
        std::fs::remove_file(path).expect("remove");
    }
    std::fs::remove_file(tool.join("RECORD")).expect("remove RECORD");
    // A kill half-way through an install: the marker lists what was planned, some of it
    // was written.
    let nometa = dist_info("skf_nometa-");
    let planned: String = std::fs::read_to_string(nometa.join("RECORD"))
        .expect("RECORD")
        .lines()
        .map(|line| format!("{},,\n", line.split(',').next().unwrap_or_default()))
        .collect();
    std::fs::write(nometa.join("SKUA-INSTALLING"), planned).expect("marker");
    std::fs::remove_file(nometa.join("RECORD")).expect("remove RECORD");
    std::fs::remove_file(site.join("skf_nometa/__init__.py")).expect("remove module");
    // A kill half-way through an uninstall: RECORD is there, a file is not.
    let chain = dist_info("skf_chain_a-");
    let first = recorded(&chain).into_iter().next().expect("a file");
    std::fs::remove_file(first).expect("remove");

    let out = sync(dir, &server, "requirements.txt");
    ok(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3 installed"), "{stderr}");
    assert_complete(dir, "after repairing hand-made torn installs");
    ok(&std::process::Command::new(dir.join(".venv/bin/skf-tool"))
        .output()
        .expect("console script runs"));
}

/// Every distribution in the venv has a RECORD, no install marker, and all of its files,
/// and the locked packages import.
fn assert_complete(dir: &Path, when: &str) {
    let check = python(
        dir,
        "import importlib.metadata as m, os, sys\n\
         bad = []\n\
         for d in m.distributions():\n\
         \x20   name = d.metadata['Name']\n\
         \x20   if d.files is None:\n\
         \x20       bad.append(f'{name}: no RECORD')\n\
         \x20   elif d.read_text('SKUA-INSTALLING') is not None:\n\
         \x20       bad.append(f'{name}: interrupted install')\n\
         \x20   else:\n\
         \x20       bad += [f'{name}: {f}' for f in d.files if not os.path.exists(d.locate_file(f))]\n\
         print(bad); sys.exit(1 if bad else 0)",
    );
    assert!(
        check.status.success(),
        "incomplete {when}: {}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let imported = python(
        dir,
        "import skf_tool, skf_nometa, skf_chain_a, skf_web, skf_socks",
    );
    assert!(
        imported.status.success(),
        "{when}: {}",
        String::from_utf8_lossy(&imported.stderr)
    );
}

fn site_packages(dir: &Path) -> std::path::PathBuf {
    let out = python(
        dir,
        "import sysconfig; print(sysconfig.get_paths()['purelib'])",
    );
    std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

#[test]
fn sdist_only_packages_are_built_and_missing_platform_wheels_are_named() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    ok(&skua(dir, &["venv", ".venv"]));

    let page = std::fs::read_to_string(
        skua_test_support::fixture_index_dir().join("primary/simple/skf-musl-only/index.json"),
    )
    .expect("fixture page");
    let page: serde_json::Value = serde_json::from_str(&page).expect("json");
    let hash = page["files"][0]["hashes"]["sha256"]
        .as_str()
        .expect("hash")
        .to_string();
    std::fs::write(
        dir.join("musl.txt"),
        format!("skf-musl-only==1.0.0 --hash=sha256:{hash}\n"),
    )
    .expect("write");
    let before = site_listing(dir);
    let out = sync(dir, &server, "musl.txt");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot install skf-musl-only==1.0.0") && stderr.contains("no wheel"),
        "{stderr}"
    );
    assert_eq!(site_listing(dir), before, "nothing was installed");

    if !skua_test_support::fixture_index_dir()
        .join("primary/simple/setuptools")
        .exists()
    {
        eprintln!(
            "skipped the sdist build: the fixture index has no setuptools (needs Python 3.12+)"
        );
        return;
    }
    std::fs::write(dir.join("requirements.in"), "skf-sdist-dynamic\n").expect("write");
    lock(dir, &server, "requirements.in", "requirements.txt");
    ok(&sync(dir, &server, "requirements.txt"));
    let imported = python(dir, "import skf_sdist_dynamic, skf_simple; print('ok')");
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
}

#[test]
fn unwritable_or_missing_targets_are_clear_errors() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // /proc refuses new entries even for root.
    let out = skua(dir, &["venv", "/proc/skua-test-venv"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("skua-test-venv") && !stderr.contains("panicked"),
        "{stderr}"
    );

    std::fs::write(dir.join("requirements.txt"), "").expect("write");
    let out = sync_with(dir, &server, "requirements.txt", &["--allow-empty"]);
    assert_eq!(out.status.code(), Some(2), "no .venv to sync into");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(".venv"), "{stderr}");
    let out = sync(dir, &server, "missing-lock.txt");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("missing-lock.txt"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn empty_or_invalid_locks_leave_the_environment_alone() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    ok(&skua(dir, &["venv", ".venv"]));
    std::fs::write(dir.join("requirements.in"), "skf-simple\n").expect("write");
    lock(dir, &server, "requirements.in", "requirements.txt");
    ok(&sync(dir, &server, "requirements.txt"));
    let installed = site_listing(dir);
    assert!(
        installed.iter().any(|name| name.starts_with("skf_simple")),
        "{installed:?}"
    );

    let refusals = [
        ("pylock.toml", "", "no `lock-version`"),
        (
            "pylock.toml",
            "lock-version = \"2.0\"\n",
            "is not supported",
        ),
        (
            "pylock.toml",
            "lock-version = \"1.0\"\npackages = \"skf-simple\"\n",
            "`packages` must be an array of tables",
        ),
        (
            "pylock.toml",
            "lock-version = \"1.0\"\ncreated-by = \"skua\"\n",
            "pylock.toml lists no packages",
        ),
        ("empty.txt", "", "empty.txt lists no packages"),
        ("empty.txt", "# only a comment\n", "--allow-empty"),
    ];
    for (name, text, expected) in refusals {
        std::fs::write(dir.join(name), text).expect("write");
        let out = sync(dir, &server, name);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text:?}: {stderr}");
        assert!(stderr.contains(expected), "{text:?}: {stderr}");
        assert_eq!(
            site_listing(dir),
            installed,
            "{text:?} changed the environment"
        );
    }
    // Emptying the environment on purpose.
    let out = sync_with(dir, &server, "empty.txt", &["--allow-empty"]);
    ok(&out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("- skf-simple=="),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !site_listing(dir)
            .iter()
            .any(|name| name.starts_with("skf_simple"))
    );
}

/// pylock.toml entries without a `url` (PEP 751 allows `path` or index-relative files)
/// keep their hashes: the file the index serves must match one of them.
#[test]
fn pylock_hashes_without_urls_verify_what_the_index_serves() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    ok(&skua(dir, &["venv", ".venv"]));
    std::fs::write(dir.join("requirements.in"), "skf-simple\n").expect("write");
    lock(dir, &server, "requirements.in", "pylock.toml");
    let locked = std::fs::read_to_string(dir.join("pylock.toml")).expect("lock");
    let without_urls: String = locked
        .lines()
        .filter(|line| !line.starts_with("url = "))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(
        without_urls.contains("hashes = { sha256 = ") && !without_urls.contains("url = "),
        "{without_urls}"
    );
    // Every digest wrong: nothing the index serves may be installed.
    let mut tampered = String::new();
    for line in without_urls.lines() {
        match line.strip_prefix("hashes = { sha256 = \"") {
            Some(_) => {
                tampered.push_str(&format!("hashes = {{ sha256 = \"{}\" }}\n", "0".repeat(64)))
            }
            None => tampered.push_str(&format!("{line}\n")),
        }
    }
    std::fs::create_dir(dir.join("tampered")).expect("mkdir");
    std::fs::write(dir.join("tampered/pylock.toml"), tampered).expect("write");
    let before = site_listing(dir);
    let out = sync(dir, &server, "tampered/pylock.toml");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot install skf-simple==") && stderr.contains("hash"),
        "{stderr}"
    );
    assert_eq!(site_listing(dir), before, "nothing was installed");

    // The right digests: the index's file matches and is installed.
    std::fs::write(dir.join("pylock.toml"), without_urls).expect("write");
    ok(&sync(dir, &server, "pylock.toml"));
    let imported = python(dir, "import skf_simple");
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
}

#[test]
fn venv_keeps_an_existing_venv_unless_cleared() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    ok(&skua(dir, &["venv", ".venv"]));
    let mine = dir.join(".venv/notes.txt");
    std::fs::write(&mine, "mine").expect("write");

    let out = skua(dir, &["venv", ".venv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(".venv") && stderr.contains("--clear"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&mine).expect("kept"), "mine");
    assert!(python(dir, "import sys").status.success(), "still a venv");

    ok(&skua(dir, &["venv", ".venv", "--clear"]));
    assert!(!mine.exists(), "--clear replaces the venv");
    assert!(python(dir, "import sys").status.success());

    // A directory that is not a venv is not deleted, not even with --clear.
    std::fs::create_dir(dir.join("project")).expect("mkdir");
    std::fs::write(dir.join("project/keep.txt"), "data").expect("write");
    let out = skua(dir, &["venv", "project", "--clear"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("project") && stderr.contains("--clear"),
        "{stderr}"
    );
    assert!(dir.join("project/keep.txt").is_file());
}

/// A lock lists every file of each pinned version, so one made for Windows installs here
/// from the wheel for this machine (in either format).
#[test]
fn a_lock_made_for_another_platform_syncs_here() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    ok(&skua(dir, &["venv", ".venv"]));
    std::fs::write(dir.join("requirements.in"), "skf-everywhere\n").expect("write");
    std::fs::write(dir.join("empty.txt"), "").expect("write");
    let index = server.simple_url("primary");
    for output in ["requirements.txt", "pylock.toml"] {
        ok(&skua(
            dir,
            &[
                "lock",
                "requirements.in",
                "-o",
                output,
                "--index-url",
                &index,
                "--python-version",
                "3.11",
                "--python-platform",
                "windows",
            ],
        ));
        let locked = std::fs::read_to_string(dir.join(output)).expect("lock");
        assert!(locked.contains("windows"), "made for Windows:\n{locked}");
        let out = sync(dir, &server, output);
        ok(&out);
        // Markers were evaluated for Windows: the user hears that, naming both targets.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("warning: the lock was made for Python 3.11 on amd64-windows, but this environment is Python 3."),
            "{stderr}"
        );
        assert!(!stderr.contains("building from source"), "{stderr}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("1 installed"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let imported = python(
            dir,
            "import skf_everywhere; print(skf_everywhere.__version__)",
        );
        assert_eq!(
            String::from_utf8_lossy(&imported.stdout).trim(),
            "1.0.0",
            "{}",
            String::from_utf8_lossy(&imported.stderr)
        );
        ok(&sync_with(dir, &server, "empty.txt", &["--allow-empty"]));
    }
    let wheels: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|request| request.path.ends_with(".whl") && request.is_full_download())
        .map(|request| request.path)
        .collect();
    assert!(
        !wheels.is_empty() && wheels.iter().all(|path| !path.contains("win_amd64")),
        "{wheels:?}"
    );
}

/// The installed `skf_tool/__init__.py` of the venv at `dir/name`.
fn tool_module(dir: &Path, name: &str) -> std::path::PathBuf {
    let out = std::process::Command::new(dir.join(name).join("bin/python"))
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ])
        .output()
        .expect("venv python runs");
    std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        .join("skf_tool/__init__.py")
}

#[test]
fn an_installed_file_edited_in_place_does_not_reach_the_next_venv() {
    use std::io::Write;
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("requirements.in"), "skf-tool\n").expect("write");
    lock(dir, &server, "requirements.in", "requirements.txt");
    ok(&skua(dir, &["venv", ".venv"]));
    ok(&sync(dir, &server, "requirements.txt"));
    let first = tool_module(dir, ".venv");
    let original = std::fs::read(&first).expect("installed module");

    // In place, as an editor that keeps the inode does: with hard links this is the
    // cache's file too.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&first)
        .expect("open the installed module");
    file.write_all(b"raise SystemExit('edited')\n")
        .expect("edit");
    drop(file);

    ok(&skua(dir, &["venv", "second"]));
    let index = server.simple_url("primary");
    ok(&skua(
        dir,
        &[
            "sync",
            "requirements.txt",
            "--python",
            "second",
            "--index-url",
            &index,
        ],
    ));
    assert_eq!(
        std::fs::read(tool_module(dir, "second")).expect("second venv's module"),
        original,
        "the edit in the first venv leaked through the cache"
    );
}

#[test]
fn link_mode_copy_gives_the_venv_its_own_files() {
    use std::os::unix::fs::MetadataExt;
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("requirements.in"), "skf-tool\n").expect("write");
    lock(dir, &server, "requirements.in", "requirements.txt");
    ok(&skua(dir, &["venv", ".venv"]));
    ok(&sync(dir, &server, "requirements.txt"));
    let linked = std::fs::metadata(tool_module(dir, ".venv")).expect("installed");
    assert!(linked.nlink() > 1, "hardlink is the default");

    ok(&skua(dir, &["venv", "copied"]));
    let index = server.simple_url("primary");
    ok(&skua(
        dir,
        &[
            "sync",
            "requirements.txt",
            "--python",
            "copied",
            "--link-mode",
            "copy",
            "--index-url",
            &index,
        ],
    ));
    let copied = std::fs::metadata(tool_module(dir, "copied")).expect("installed");
    assert_eq!(copied.nlink(), 1, "--link-mode copy must not link");

    let help = skua(dir, &["sync", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("--link-mode"), "{help}");
    assert!(help.contains("Implies --inexact"), "{help}");
}

/// A base (non-venv) installation the test may write to: the machine's python3 binary
/// copied into `root/bin`, its stdlib entries symlinked into `root/lib/python3.X`, and
/// an empty site-packages of its own. Python finds its prefix from the copied binary's
/// location (`lib/python3.X/os.py`), so this is a system interpreter at `root`, made
/// in milliseconds instead of copying hundreds of megabytes.
fn fake_system_python(root: &Path) -> std::path::PathBuf {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys, sysconfig, os; print(os.path.realpath(sys._base_executable if hasattr(sys, '_base_executable') else sys.executable)); print(sysconfig.get_path('stdlib', vars={'base': sys.base_prefix, 'installed_base': sys.base_prefix})); print(sys.base_prefix)",
        ])
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    let [executable, stdlib, base_prefix] = lines.as_slice() else {
        panic!("unexpected python3 output: {text}");
    };
    let stdlib = Path::new(stdlib);
    let relative = stdlib
        .strip_prefix(base_prefix)
        .expect("stdlib inside the prefix");
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let python = bin.join("python3");
    std::fs::copy(executable, &python).expect("copy python3");
    let fake_stdlib = root.join(relative);
    std::fs::create_dir_all(fake_stdlib.join("site-packages")).expect("site-packages");
    for entry in std::fs::read_dir(stdlib).expect("read stdlib") {
        let entry = entry.expect("stdlib entry");
        if entry.file_name() != "site-packages" {
            std::os::unix::fs::symlink(entry.path(), fake_stdlib.join(entry.file_name()))
                .expect("symlink");
        }
    }
    let check = std::process::Command::new(&python)
        .args(["-c", "import sys; print(sys.prefix == sys.base_prefix)"])
        .output()
        .expect("fake python runs");
    assert_eq!(
        String::from_utf8_lossy(&check.stdout).trim(),
        "True",
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    python
}

#[test]
fn system_sync_installs_into_a_base_interpreter_and_respects_pep_668() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let python = fake_system_python(&dir.join("prefix"));
    let python_arg = python.to_string_lossy().into_owned();
    let index = server.simple_url("primary");
    let system_sync = |lock: &str, extra: &[&str]| {
        let mut args = vec![
            "sync",
            lock,
            "--system",
            "--python",
            &python_arg,
            "--index-url",
            &index,
        ];
        args.extend_from_slice(extra);
        skua(dir, &args)
    };
    let run = |code: &str| {
        std::process::Command::new(&python)
            .args(["-c", code])
            .output()
            .expect("fake python runs")
    };

    std::fs::write(dir.join("tool.in"), "skf-tool\n").expect("write");
    lock(dir, &server, "tool.in", "tool.txt");
    ok(&system_sync("tool.txt", &[]));
    let imported = run("import skf_tool, sys; print(skf_tool.__file__.startswith(sys.prefix))");
    assert_eq!(
        String::from_utf8_lossy(&imported.stdout).trim(),
        "True",
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(dir.join("prefix/bin/skf-tool").is_file(), "console script");
    assert!(dir.join("prefix/.skua.lock").is_file(), "environment lock");

    // PEP 668: refused by name, allowed on request; and never exact.
    let stdlib = String::from_utf8_lossy(
        &run("import sysconfig; print(sysconfig.get_path('stdlib'))").stdout,
    )
    .trim()
    .to_owned();
    let marker = Path::new(&stdlib).join("EXTERNALLY-MANAGED");
    std::fs::write(&marker, "[externally-managed]\nError=use apt\n").expect("marker");
    std::fs::write(dir.join("ns.in"), "skf-ns-alpha\n").expect("write");
    lock(dir, &server, "ns.in", "ns.txt");
    let refused = system_sync("ns.txt", &[]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("EXTERNALLY-MANAGED"), "{stderr}");
    assert!(stderr.contains("--break-system-packages"), "{stderr}");
    assert!(
        !run("import skf_ns.alpha").status.success(),
        "nothing installed"
    );

    ok(&system_sync("ns.txt", &["--break-system-packages"]));
    std::fs::remove_file(&marker).expect("remove marker");

    // A venv is not a system interpreter.
    ok(&skua(dir, &["venv", ".venv"]));
    let venv_python = dir.join(".venv/bin/python").to_string_lossy().into_owned();
    let refused = skua(
        dir,
        &[
            "sync",
            "tool.txt",
            "--system",
            "--python",
            &venv_python,
            "--index-url",
            &index,
        ],
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("without --system"), "{stderr}");
    let both = run("import skf_ns.alpha, skf_tool");
    assert!(
        both.status.success(),
        "a system sync keeps what the lock does not list: {}",
        String::from_utf8_lossy(&both.stderr)
    );
}

#[test]
fn system_sync_keeps_other_distributions_files_and_repairs_interrupted_installs() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let python = fake_system_python(&dir.join("prefix"));
    let python_arg = python.to_string_lossy().into_owned();
    let index = server.simple_url("primary");
    let site = std::path::PathBuf::from(
        String::from_utf8_lossy(
            &std::process::Command::new(&python)
                .args([
                    "-c",
                    "import sysconfig; print(sysconfig.get_path('purelib'))",
                ])
                .output()
                .expect("fake python runs")
                .stdout,
        )
        .trim(),
    );
    // A distribution another installer put there owns bin/skf-tool.
    let script = dir.join("prefix/bin/skf-tool");
    std::fs::write(&script, "#!/bin/sh\necho other\n").expect("script");
    let dist_info = site.join("other-2.0.dist-info");
    std::fs::create_dir_all(&dist_info).expect("dist-info");
    std::fs::write(
        dist_info.join("METADATA"),
        "Metadata-Version: 2.1\nName: other\nVersion: 2.0\n",
    )
    .expect("METADATA");
    std::fs::write(
        dist_info.join("RECORD"),
        "../../../bin/skf-tool,,\nother-2.0.dist-info/METADATA,,\nother-2.0.dist-info/RECORD,,\n",
    )
    .expect("RECORD");

    std::fs::write(dir.join("tool.in"), "skf-tool\n").expect("write");
    lock(dir, &server, "tool.in", "tool.txt");
    let refused = skua(
        dir,
        &[
            "sync",
            "tool.txt",
            "--system",
            "--python",
            &python_arg,
            "--index-url",
            &index,
        ],
    );
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("other 2.0"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&script).expect("script"),
        "#!/bin/sh\necho other\n",
        "the other distribution's file is untouched"
    );
    assert!(dist_info.is_dir(), "and the other distribution kept");

    // Without the conflict it installs; an install marked as interrupted is repaired.
    std::fs::remove_dir_all(&dist_info).expect("remove other");
    std::fs::remove_file(&script).expect("remove script");
    let system_sync = || {
        skua(
            dir,
            &[
                "sync",
                "tool.txt",
                "--system",
                "--python",
                &python_arg,
                "--index-url",
                &index,
            ],
        )
    };
    ok(&system_sync());
    let marker = site.join("skf_tool-1.0.0.dist-info/SKUA-INSTALLING");
    std::fs::write(&marker, "").expect("marker");
    let repaired = system_sync();
    ok(&repaired);
    let stderr = String::from_utf8_lossy(&repaired.stderr);
    assert!(stderr.contains("1 installed"), "{stderr}");
    assert!(!marker.exists(), "{stderr}");
}

/// A lock made elsewhere whose wheels do not fit here says so before the first build, so
/// a build that fails (or takes minutes) is not the first sign of the mismatch.
#[test]
fn a_lock_for_another_target_names_the_builds_it_causes_before_they_start() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    ok(&skua(dir, &["venv", ".venv"]));
    let page = std::fs::read_to_string(
        skua_test_support::fixture_index_dir().join("primary/simple/skf-native/index.json"),
    )
    .expect("fixture page");
    let page: serde_json::Value = serde_json::from_str(&page).expect("json");
    let files = page["files"].as_array().expect("files");
    let hash_of = |suffix: &str| {
        files
            .iter()
            .find(|file| {
                file["filename"]
                    .as_str()
                    .is_some_and(|name| name.ends_with(suffix))
            })
            .and_then(|file| file["hashes"]["sha256"].as_str())
            .unwrap_or_else(|| panic!("a file ending in {suffix}"))
            .to_string()
    };
    std::fs::write(
        dir.join("requirements.txt"),
        format!(
            "#\n# This file is autogenerated by skua for Python 3.11 on amd64-windows\n# by the following command:\n#\n#    skua lock requirements.in --python-platform windows\n#\nskf-native==1.0.0 \\\n    --hash=sha256:{} \\\n    --hash=sha256:{}\n",
            hash_of("win_amd64.whl"),
            hash_of(".tar.gz"),
        ),
    )
    .expect("write");
    let out = sync(dir, &server, "requirements.txt");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mismatch = stderr
        .find("warning: the lock was made for Python 3.11 on amd64-windows")
        .unwrap_or_else(|| panic!("{stderr}"));
    let builds = stderr
        .find("warning: no wheel in the lock fits this environment for skf-native==1.0.0; building from source")
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(mismatch < builds, "{stderr}");
}
