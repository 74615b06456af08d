//! Building the fixture index with `scripts/make_fixture_index.py`, once per process and
//! at most once per machine for a given spec and script.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

/// Written last into a finished build; a directory without it is never reused.
const COMPLETE_MARKER: &str = ".complete";

fn workspace_root() -> PathBuf {
    // This crate always lives at crates/skua-test-support, and it is only ever used from
    // the workspace, so the compile-time manifest path locates the fixtures reliably even
    // when a test runs with another working directory.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("..")
}

/// `fixtures/index/packages.toml`, the description of every fixture project.
pub fn fixture_spec_path() -> PathBuf {
    workspace_root()
        .join("fixtures")
        .join("index")
        .join("packages.toml")
}

/// `scripts/make_fixture_index.py`.
pub fn fixture_script_path() -> PathBuf {
    workspace_root()
        .join("scripts")
        .join("make_fixture_index.py")
}

/// The Python interpreter used to build the index and to check it with pip:
/// `$SKUA_TEST_PYTHON`; else a Python 3.12+ found on `PATH` or under pyenv, because those
/// bundle both setuptools and wheel wheels, which the sdist-build tests publish on the
/// fixture index; else `python3`.
pub fn python() -> OsString {
    static CHOSEN: std::sync::OnceLock<OsString> = std::sync::OnceLock::new();
    CHOSEN
        .get_or_init(|| {
            if let Some(explicit) = std::env::var_os("SKUA_TEST_PYTHON") {
                return explicit;
            }
            let mut candidates: Vec<OsString> = vec!["python3.13".into(), "python3.12".into()];
            let pyenv = std::env::var_os("PYENV_ROOT")
                .map(std::path::PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME")
                        .map(|home| std::path::PathBuf::from(home).join(".pyenv"))
                });
            if let Some(versions) = pyenv.map(|root| root.join("versions"))
                && let Ok(entries) = std::fs::read_dir(versions)
            {
                let mut found: Vec<_> = entries
                    .filter_map(Result::ok)
                    .map(|entry| entry.path())
                    .filter(|path| {
                        let name = path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        name.starts_with("3.12") || name.starts_with("3.13")
                    })
                    .map(|path| path.join("bin/python3").into_os_string())
                    .collect();
                found.sort();
                found.reverse();
                candidates.extend(found);
            }
            candidates
                .into_iter()
                .find(|candidate| {
                    std::process::Command::new(candidate)
                        .args(["-c", "import ensurepip, tomllib"])
                        .output()
                        .is_ok_and(|output| output.status.success())
                })
                .unwrap_or_else(|| OsString::from("python3"))
        })
        .clone()
}

/// Runs the fixture script into `out`, which must not exist yet (or be a previous output of
/// the script). Panics with the script's output if it fails.
///
/// Most tests want the shared, cached [`fixture_index_dir`]; this is for tests that need a
/// private copy, e.g. to damage it.
pub fn build_fixture_index(out: &Path) {
    if let Err(message) = run_script(out) {
        panic!("{message}");
    }
}

/// The built fixture index: `DIR/{primary,extra}/simple/...` and `DIR/{primary,extra}/files/...`.
///
/// Built once per test process, in a directory keyed by a hash of `packages.toml` and the
/// script, so later test runs (and other test binaries) reuse it until either changes. It
/// lives under `CARGO_TARGET_TMPDIR` when that is set, else `<target>/tmp`, else the system
/// temporary directory. Concurrent test processes are safe: each builds into its own
/// temporary directory and renames it into place, and the loser of that race uses the
/// winner's identical tree.
///
/// # Panics
///
/// If Python 3 is missing or the script fails; the message carries the script's output.
pub fn fixture_index_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        build_or_reuse(&cache_root().join("skua-fixture-index"))
            .unwrap_or_else(|message| panic!("{message}"))
    })
}

fn cache_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_TMPDIR") {
        return PathBuf::from(dir);
    }
    // Cargo sets CARGO_TARGET_TMPDIR only while compiling integration tests, not for a
    // library they depend on, so find the target directory the way cargo marks it: test
    // binaries run from <target>/<profile>/deps and <target> holds CACHEDIR.TAG.
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1) {
            if dir.join("CACHEDIR.TAG").is_file() {
                return dir.join("tmp");
            }
        }
    }
    std::env::temp_dir()
}

fn inputs_key() -> Result<String, String> {
    let mut hasher = Sha256::new();
    for path in [fixture_spec_path(), fixture_script_path()] {
        let bytes = fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        // Length-prefixed so moving bytes between the two files changes the key.
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    // The index also carries wheels copied from the interpreter that runs the script
    // (`[[external]]` in the spec), so a different interpreter is a different index.
    hasher.update(python().as_encoded_bytes());
    Ok(hex(&hasher.finalize())[..16].to_owned())
}

fn build_or_reuse(parent: &Path) -> Result<PathBuf, String> {
    let key = inputs_key()?;
    let dest = parent.join(&key);
    if dest.join(COMPLETE_MARKER).is_file() {
        return Ok(dest);
    }
    fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = parent.join(format!("{key}.tmp-{}-{nanos}", std::process::id()));
    run_script(&tmp)?;
    fs::write(tmp.join(COMPLETE_MARKER), &key)
        .map_err(|e| format!("cannot write to {}: {e}", tmp.display()))?;
    if dest.exists() && !dest.join(COMPLETE_MARKER).is_file() {
        // Left by a process killed mid-way through an older version of this function;
        // nothing else ever creates `dest` without the marker.
        let _ = fs::remove_dir_all(&dest);
    }
    match fs::rename(&tmp, &dest) {
        Ok(()) => Ok(dest),
        Err(_) if dest.join(COMPLETE_MARKER).is_file() => {
            // Another process finished first; its tree is byte-for-byte the same.
            let _ = fs::remove_dir_all(&tmp);
            Ok(dest)
        }
        Err(e) => Err(format!(
            "cannot move the fixture index from {} to {}: {e}",
            tmp.display(),
            dest.display()
        )),
    }
}

fn run_script(out: &Path) -> Result<(), String> {
    let python = python();
    let output = Command::new(&python)
        .arg(fixture_script_path())
        .arg("--out")
        .arg(out)
        .arg("--spec")
        .arg(fixture_spec_path())
        .output()
        .map_err(|e| {
            format!(
                "cannot run {} to build the fixture index ({e}); Python 3.11+ is required \
                 (set SKUA_TEST_PYTHON to use another interpreter)",
                python.to_string_lossy()
            )
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "make_fixture_index.py failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}
