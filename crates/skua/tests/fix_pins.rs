//! DEP001 fixes end to end: the real binary pins a repository's requirements files (with
//! comments, a `-r` include, a hashed file), an application pyproject and a PEP 723
//! script against the loopback fixture index, and the pinned set installs.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use skua_test_support::IndexServer;

use common::{Run, skua_command, write};

fn skua(dir: &Path, args: &[&str]) -> Run {
    let output = skua_command(dir)
        .env("SKUA_CACHE_DIR", dir.join(".cache"))
        .args(args)
        .output()
        .expect("skua runs");
    Run::from(output)
}

const TARGET: &[&str] = &["--python-version", "3.11", "--python-platform", "linux"];

fn lint(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    all.extend_from_slice(TARGET);
    skua(dir, &all)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

/// `name==version` pins of a lock's text.
fn lock_pins(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|line| !line.starts_with([' ', '#']))
        .filter_map(|line| line.split(" \\").next()?.split_once("=="))
        .map(|(name, version)| {
            let name = name.split('[').next().unwrap_or(name);
            (name.to_string(), version.trim().to_string())
        })
        .collect()
}

/// What `skua lock` picks for `input`: the pins a fix must write.
fn locked(dir: &Path, server: &IndexServer, input: &str) -> BTreeMap<String, String> {
    let index = server.simple_url("primary");
    let mut args = vec!["lock", input, "--index-url", &index];
    args.extend_from_slice(TARGET);
    let run = skua(dir, &args);
    assert_eq!(run.code, 0, "lock {input}: {}", run.stderr);
    lock_pins(&run.stdout)
}

struct Repo {
    _tmp: tempfile::TempDir,
    files: Vec<(&'static str, String)>,
}

impl Repo {
    fn dir(&self) -> &Path {
        self._tmp.path()
    }
}

fn repo(server: &IndexServer) -> Repo {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let index = server.simple_url("primary");
    // The hashed file starts as a real lock of one package, so its hashes are the index's.
    write(dir, "certs.in", "skf-certs==2.0.0\n");
    let mut args = vec![
        "lock",
        "certs.in",
        "--no-header",
        "--no-annotate",
        "--index-url",
        &index,
    ];
    args.extend_from_slice(TARGET);
    let certs = skua(dir, &args);
    assert_eq!(certs.code, 0, "{}", certs.stderr);
    std::fs::remove_file(dir.join("certs.in")).expect("rm");
    assert!(certs.stdout.contains("--hash=sha256:"), "{}", certs.stdout);
    let files = vec![
        (".git/HEAD", "ref: refs/heads/main\n".to_string()),
        ("skua.toml", format!("index-url = \"{index}\"\n")),
        (
            "requirements.txt",
            format!(
                "--index-url {index}\n\n# Runtime dependencies\nskf-simple<2  # the core library\nskf-chain-a\nskf-certs==2.0.0\n-r requirements-web.txt\n"
            ),
        ),
        (
            "requirements-web.txt",
            "# The web stack\nskf-web[tls] ; python_version >= \"3.8\"   # with TLS\n".to_string(),
        ),
        (
            "requirements-hashed.txt",
            format!("{}skf-socks  # proxies\n", certs.stdout),
        ),
        (
            "app/pyproject.toml",
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.9\"\ndependencies = [\n    # the library, any 1.x from 1.5\n    \"skf-lib>=1.5,<2\",\n    'skf-markers',\n]\n\n[tool.skua]\napplication = true\n".to_string(),
        ),
        (
            "scripts/job.py",
            "# /// script\n# requires-python = \">=3.9\"\n# dependencies = [\n#     \"skf-app>=1.0\",\n# ]\n# ///\nimport skf_app\n\nprint(skf_app)\n".to_string(),
        ),
    ];
    for (name, text) in &files {
        write(dir, name, text);
    }
    Repo { _tmp: tmp, files }
}

#[test]
fn diff_writes_nothing_and_fix_pins_every_site_as_lock_would() {
    let server = IndexServer::start_fixture();
    let repo = repo(&server);
    let dir = repo.dir();
    let before = lint(dir, &["."]);
    assert_eq!(before.code, 1);
    assert_eq!(
        before.stdout.matches(": DEP001 ").count(),
        7,
        "{}",
        before.stdout
    );

    let diff = lint(dir, &["--diff", "."]);
    assert_eq!(diff.code, 1, "{}", diff.stderr);
    for name in [
        "requirements.txt",
        "requirements-web.txt",
        "requirements-hashed.txt",
        "app/pyproject.toml",
        "scripts/job.py",
    ] {
        assert!(
            diff.stdout.contains(&format!("+++ b/{name}")),
            "{name}:\n{}",
            diff.stdout
        );
    }
    for (name, text) in &repo.files {
        assert_eq!(&read(dir, name), text, "--diff wrote {name}");
    }

    // The versions `skua lock` picks for each input.
    let requirements = locked(dir, &server, "requirements.txt");
    let hashed = locked(dir, &server, "requirements-hashed.txt");
    let app = locked(dir, &server, "app/pyproject.toml");
    let script = locked(dir, &server, "scripts/job.py");

    let fix = lint(dir, &["--fix", "."]);
    assert_eq!(fix.code, 0, "{}\n{}", fix.stdout, fix.stderr);
    assert!(!fix.stderr.contains("warning"), "{}", fix.stderr);
    assert!(
        fix.stdout.contains("(7 fixed, 0 remaining"),
        "{}",
        fix.stdout
    );

    let index = server.simple_url("primary");
    assert_eq!(
        read(dir, "requirements.txt"),
        format!(
            "--index-url {index}\n\n# Runtime dependencies\nskf-simple=={}  # the core library\nskf-chain-a=={}\nskf-certs==2.0.0\n-r requirements-web.txt\n",
            requirements["skf-simple"], requirements["skf-chain-a"]
        ),
        "comments, layout and the existing pin kept"
    );
    assert_eq!(
        requirements["skf-simple"], "1.1.0",
        "a range becomes a pin inside it"
    );
    assert_eq!(
        read(dir, "requirements-web.txt"),
        format!(
            "# The web stack\nskf-web[tls]=={} ; python_version >= \"3.8\"   # with TLS\n",
            requirements["skf-web"]
        ),
        "the -r include is pinned from the including file's resolution"
    );
    let hashed_text = read(dir, "requirements-hashed.txt");
    let socks = hashed_text
        .split_once("skf-socks==")
        .map(|(_, rest)| rest)
        .expect("skf-socks pinned");
    assert!(
        socks.starts_with(&format!("{} \\\n    --hash=sha256:", hashed["skf-socks"])),
        "{hashed_text}"
    );
    assert!(socks.trim_end().ends_with("# proxies"), "{hashed_text}");
    assert_eq!(
        read(dir, "app/pyproject.toml"),
        format!(
            "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.9\"\ndependencies = [\n    # the library, any 1.x from 1.5\n    \"skf-lib=={}\",\n    'skf-markers=={}',\n]\n\n[tool.skua]\napplication = true\n",
            app["skf-lib"], app["skf-markers"]
        )
    );
    assert!(read(dir, "scripts/job.py").starts_with(&format!(
        "# /// script\n# requires-python = \">=3.9\"\n# dependencies = [\n#     \"skf-app=={}\",\n# ]\n# ///\n",
        script["skf-app"]
    )));

    let again = lint(dir, &["."]);
    assert!(!again.stdout.contains("DEP001"), "{}", again.stdout);
    assert_eq!(again.code, 0, "{}", again.stdout);

    // The pinned, hashed set installs.
    let venv = skua(dir, &["venv", ".venv"]);
    assert_eq!(venv.code, 0, "{}", venv.stderr);
    let sync = skua(
        dir,
        &[
            "sync",
            "requirements-hashed.txt",
            "--python",
            ".venv",
            "--index-url",
            &index,
        ],
    );
    assert_eq!(sync.code, 0, "{}", sync.stderr);
    let imported = std::process::Command::new(dir.join(".venv/bin/python"))
        .args(["-c", "import skf_certs, skf_socks"])
        .output()
        .expect("python runs");
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
}

#[test]
fn an_unresolvable_set_changes_nothing_and_says_why() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let index = server.simple_url("primary");
    let text = format!("--index-url {index}\nskf-conflict-x\nskf-conflict-y\n");
    write(dir, "requirements.txt", &text);
    let run = lint(dir, &["--fix", "requirements.txt"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(read(dir, "requirements.txt"), text);
    assert!(
        run.stderr.contains("warning: requirements.txt: DEP001 findings not pinned, nothing changed: no solution found"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("skf-pin"),
        "the resolver's explanation: {}",
        run.stderr
    );
    assert_eq!(run.stdout.matches(": DEP001 ").count(), 2, "{}", run.stdout);
}

#[test]
fn a_requirement_the_target_does_not_need_is_named() {
    let server = IndexServer::start_fixture();
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let index = server.simple_url("primary");
    write(
        dir,
        "requirements.txt",
        &format!("--index-url {index}\nskf-simple\nskf-wincolor ; sys_platform == \"win32\"\n"),
    );
    let run = lint(dir, &["--fix", "requirements.txt"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let text = read(dir, "requirements.txt");
    assert!(text.contains("skf-simple==2.0.0\n"), "{text}");
    assert!(text.contains("skf-wincolor ; sys_platform"), "{text}");
    assert!(
        run.stderr.contains("requirements.txt:3: `skf-wincolor` not pinned: the resolution for this target has no version of it"),
        "{}",
        run.stderr
    );
    // --exclude-newer reaches the resolver: nothing was uploaded before 2020.
    write(
        dir,
        "requirements-late.txt",
        &format!("--index-url {index}\nskf-simple\n"),
    );
    let run = lint(
        dir,
        &[
            "--fix",
            "requirements-late.txt",
            "--exclude-newer",
            "2020-01-01",
        ],
    );
    assert_eq!(
        read(dir, "requirements-late.txt"),
        format!("--index-url {index}\nskf-simple\n")
    );
    assert!(
        run.stderr.contains("DEP001 findings not pinned"),
        "{}",
        run.stderr
    );
}
