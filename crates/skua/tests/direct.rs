//! Direct references as real requirement files write them: `name @ https://…whl#sha256=…`
//! and a wheel path next to the file (`./dist/…whl`). `skua lock` pins each to its file
//! (hashed, never looked up on the index) and `skua sync` installs that file.

mod common;

use std::path::Path;

use common::{Run, skua_command};
use skua_test_support::{IndexServer, fixture_index_dir};

fn skua(dir: &Path, server: &IndexServer, args: &[&str]) -> Run {
    let output = skua_command(dir)
        .env("SKUA_CACHE_DIR", dir.join(".cache"))
        .env("SKUA_INDEX_URL", server.simple_url("primary"))
        .args(args)
        .output()
        .expect("skua runs");
    Run::from(output)
}

fn sha256_of(project: &str, filename: &str) -> String {
    let page = std::fs::read_to_string(
        fixture_index_dir().join(format!("primary/simple/{project}/index.json")),
    )
    .expect("fixture page");
    let page: serde_json::Value = serde_json::from_str(&page).expect("json");
    page["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|file| file["filename"] == filename)
        .and_then(|file| file["hashes"]["sha256"].as_str())
        .expect("a hash")
        .to_string()
}

#[test]
fn urls_and_archive_paths_lock_to_their_files_and_install() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let chain = "skf_chain_a-1.0.0-py3-none-any.whl";
    std::fs::create_dir(dir.join("dist")).expect("mkdir");
    std::fs::copy(
        fixture_index_dir().join("primary/files").join(chain),
        dir.join("dist").join(chain),
    )
    .expect("copy");
    let simple = "skf_simple-1.1.0-py3-none-any.whl";
    let simple_hash = sha256_of("skf-simple", simple);
    common::write(
        dir,
        "requirements.in",
        &format!(
            "# a wheel built by CI, next to this file\n./dist/{chain}\nskf-simple @ {}#sha256={simple_hash}\n",
            server.file_url("primary", simple)
        ),
    );
    let run = skua(
        dir,
        &server,
        &["lock", "requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lock = std::fs::read_to_string(dir.join("requirements.txt")).expect("lock");
    let local = skua_types::Url::from_file_path(dir.join("dist").join(chain)).expect("file url");
    assert!(
        lock.contains(&format!(
            "skf-chain-a @ {local} \\\n    --hash=sha256:{}",
            sha256_of("skf-chain-a", chain)
        )),
        "the path becomes its file:// URL, hashed from the file:\n{lock}"
    );
    assert!(
        lock.contains(&format!(
            "skf-simple @ {} \\\n    --hash=sha256:{simple_hash}",
            server.file_url("primary", simple)
        )),
        "{lock}"
    );
    // The wheel's own dependencies come from the index as usual.
    assert!(lock.contains("skf-chain-b==1.0.0"), "{lock}");
    assert!(lock.contains("skf-chain-c==1.5.0"), "{lock}");
    let pages: Vec<String> = server
        .requests()
        .into_iter()
        .map(|request| request.path)
        .filter(|path| path.contains("/simple/"))
        .collect();
    assert!(
        !pages
            .iter()
            .any(|path| path.contains("skf-chain-a") || path.contains("skf-simple")),
        "a direct reference is never looked up on the index: {pages:?}"
    );

    let run = skua(dir, &server, &["venv", ".venv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = skua(dir, &server, &["sync", "requirements.txt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let imported = std::process::Command::new(dir.join(".venv/bin/python"))
        .args([
            "-c",
            "import skf_chain_a, skf_chain_c, skf_simple; print(skf_simple.__version__)",
        ])
        .output()
        .expect("python runs");
    assert_eq!(
        String::from_utf8_lossy(&imported.stdout).trim(),
        "1.1.0",
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
}

#[test]
fn references_skua_cannot_honour_are_errors_naming_them() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::create_dir(dir.join("proj")).expect("mkdir");
    let simple = "skf_simple-1.1.0-py3-none-any.whl";
    for (line, expected) in [
        (
            "myproj @ hg+https://example.invalid/myproj@v1\n",
            "only git VCS references",
        ),
        (
            "myproj @ git+file:///nonexistent/skua-test/repo.git@v1\n",
            "git fetch failed for file:///nonexistent/skua-test/repo.git",
        ),
        ("./proj\n", "is not a Python project"),
        (
            &*format!(
                "skf-simple @ {}#sha256={}\n",
                server.file_url("primary", simple),
                "0".repeat(64)
            ),
            "sha256",
        ),
        (
            &*format!("skf-tool @ {}\n", server.file_url("primary", simple)),
            "not of skf-tool",
        ),
    ] {
        common::write(dir, "requirements.in", line);
        let run = skua(
            dir,
            &server,
            &["lock", "requirements.in", "-o", "requirements.txt"],
        );
        assert_eq!(run.code, 2, "{line}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{line}: {}", run.stderr);
        assert!(
            !dir.join("requirements.txt").exists(),
            "{line}: nothing written"
        );
    }
}

fn backends_available() -> bool {
    let ok = fixture_index_dir()
        .join("primary/simple/setuptools/index.json")
        .is_file();
    if !ok {
        eprintln!("skipped the install: the fixture index has no setuptools (needs Python 3.12+)");
    }
    ok
}

fn local_project(dir: &Path) {
    let project = dir.join("proj");
    std::fs::create_dir_all(project.join("skf_local_app")).expect("mkdir");
    common::write(
        &project,
        "pyproject.toml",
        "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n\n[project]\nname = \"skf-local-app\"\nversion = \"0.1.0\"\ndependencies = [\"skf-simple>=1.0\"]\n\n[project.optional-dependencies]\ncli = [\"skf-tool\"]\n\n[tool.setuptools]\npackages = [\"skf_local_app\"]\n",
    );
    common::write(&project, "skf_local_app/__init__.py", "VALUE = 1\n");
}

/// `-e .`-style editables and plain project directories, as real requirement files list
/// them: metadata from the static `[project]` table (no build to lock), the lock names the
/// directory without a hash, and sync builds it (PEP 660 for `-e`) and installs it.
#[test]
fn project_directories_and_editables_lock_and_install() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    local_project(dir);
    common::write(dir, "requirements.in", "-e ./proj[cli]\n");
    let run = skua(
        dir,
        &server,
        &["lock", "requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lock = std::fs::read_to_string(dir.join("requirements.txt")).expect("lock");
    let project_url = skua_types::Url::from_directory_path(dir.join("proj")).expect("url");
    assert!(lock.contains(&format!("-e {project_url}\n")), "{lock}");
    assert!(
        lock.contains("skf-simple==2.0.0"),
        "its dependency is pinned:\n{lock}"
    );
    assert!(lock.contains("skf-tool==1.0.0"), "and its extra's:\n{lock}");
    let pages: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert!(
        !pages.iter().any(|path| path.contains("skf-local-app")),
        "a local project is never looked up on the index: {pages:?}"
    );

    common::write(dir, "app.in", "./proj\n");
    let run = skua(dir, &server, &["lock", "app.in", "-o", "pylock.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let pylock = std::fs::read_to_string(dir.join("pylock.toml")).expect("pylock");
    assert!(
        pylock.contains(&format!(
            "[packages.directory]\npath = \"{}\"",
            dir.join("proj").display()
        )),
        "{pylock}"
    );

    if !backends_available() {
        return;
    }
    let run = skua(dir, &server, &["venv", ".venv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let python = |code: &str| {
        let out = std::process::Command::new(dir.join(".venv/bin/python"))
            .args(["-c", code])
            .output()
            .expect("python runs");
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let run = skua(dir, &server, &["sync", "requirements.txt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        python("import skf_local_app, skf_simple, skf_tool; print(skf_local_app.VALUE)"),
        "1"
    );
    // Editable: an edit in the tree is what the venv imports, without another sync.
    common::write(
        &dir.join("proj"),
        "skf_local_app/__init__.py",
        "VALUE = 2\n",
    );
    assert_eq!(
        python("import skf_local_app; print(skf_local_app.VALUE)"),
        "2"
    );

    // The plain directory from the pylock: a regular wheel, a copy of the tree.
    let run = skua(dir, &server, &["sync", "pylock.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    common::write(
        &dir.join("proj"),
        "skf_local_app/__init__.py",
        "VALUE = 3\n",
    );
    assert_eq!(
        python("import skf_local_app; print(skf_local_app.VALUE)"),
        "2"
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=skua",
            "-c",
            "user.email=skua@example.invalid",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// `name @ git+file://…@tag`: the tag is resolved to its full commit, which the lock
/// records, and sync checks that commit out and builds it.
#[test]
fn git_references_lock_to_a_commit_and_install() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    local_project(dir);
    let repo = dir.join("proj");
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "first"]);
    git(&repo, &["tag", "v0.1.0"]);
    let commit = git(&repo, &["rev-parse", "HEAD"]);
    // A later commit on the branch: the tag still names the first.
    common::write(&repo, "skf_local_app/__init__.py", "VALUE = 99\n");
    git(&repo, &["commit", "-q", "-am", "second"]);

    let repo_url = skua_types::Url::from_file_path(&repo).expect("url");
    common::write(
        dir,
        "requirements.in",
        &format!("skf-local-app @ git+{repo_url}@v0.1.0\n"),
    );
    let run = skua(
        dir,
        &server,
        &["lock", "requirements.in", "-o", "requirements.txt"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lock = std::fs::read_to_string(dir.join("requirements.txt")).expect("lock");
    assert!(
        lock.contains(&format!("skf-local-app @ git+{repo_url}@{commit}\n")),
        "pinned to the tag's commit:\n{lock}"
    );
    assert!(lock.contains("skf-simple==2.0.0"), "{lock}");

    common::write(
        dir,
        "bad.in",
        &format!("skf-local-app @ git+{repo_url}@no-such-tag\n"),
    );
    let run = skua(dir, &server, &["lock", "bad.in", "-o", "bad.txt"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no branch, tag or commit `no-such-tag`"),
        "{}",
        run.stderr
    );

    if !backends_available() {
        return;
    }
    let run = skua(dir, &server, &["venv", ".venv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = skua(dir, &server, &["sync", "requirements.txt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = std::process::Command::new(dir.join(".venv/bin/python"))
        .args(["-c", "import skf_local_app; print(skf_local_app.VALUE)"])
        .output()
        .expect("python runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1",
        "the tagged commit is installed"
    );
}
