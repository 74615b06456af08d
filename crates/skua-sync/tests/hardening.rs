//! Syncs that must refuse, or repair, before they damage an environment: wheels that are
//! not what the lock pins, wheels that would overwrite other packages' files, and the
//! half-installed distributions a killed sync leaves behind.
//!
//! Hostile distributions are built in the test and put in the download cache under their
//! hash, where a sync finds them without asking the index; everything else comes from the
//! loopback fixture index.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use skua_context::{Context, Indexes};
use skua_index::{Cache, IndexUrl, PackageName};
use skua_install::{Interpreter, VenvOptions, create_venv};
use skua_sync::{LockedFile, LockedPackage, SyncError, SyncReport, SyncRequest, sync_packages};
use skua_test_support::IndexServer;

struct Setup {
    server: IndexServer,
    dir: tempfile::TempDir,
    cache: Cache,
    context: Arc<Context>,
    venv: PathBuf,
}

fn setup() -> Setup {
    let server = IndexServer::start_fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = Cache::new(dir.path().join("cache"));
    let indexes = Indexes {
        index_url: Some(IndexUrl::parse(&server.simple_url("primary")).expect("url")),
        ..Indexes::default()
    };
    let context = Arc::new(Context::new(cache.clone(), indexes, None).expect("context"));
    let interpreter = Interpreter::find(skua_test_support::python().to_str(), None)
        .expect("a python interpreter");
    let venv = dir.path().join("venv");
    create_venv(&venv, &interpreter, &VenvOptions::default(), None).expect("venv");
    Setup {
        server,
        dir,
        cache,
        context,
        venv,
    }
}

impl Setup {
    fn sync(&self, packages: &[LockedPackage]) -> Result<SyncReport, SyncError> {
        let request = SyncRequest {
            venv: self.venv.clone(),
            system: false,
            break_system_packages: false,
            link_mode: skua_install::LinkMode::default(),
            inexact: false,
            compile_bytecode: false,
            allow_empty: false,
        };
        sync_packages(packages, &request, &self.context, Arc::new(|_| {}))
    }

    fn python(&self, code: &str) -> std::process::Output {
        Command::new(self.venv.join("bin").join("python"))
            .args(["-c", code])
            .output()
            .expect("venv python runs")
    }

    /// Files and directories under the venv, as a sorted list of relative paths.
    fn tree(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![self.venv.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("readable dir").flatten() {
                let path = entry.path();
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(path.clone());
                }
                let rel = path.strip_prefix(&self.venv).expect("below the venv");
                out.push(rel.display().to_string());
            }
        }
        out.retain(|path| path != ".skua.lock");
        out.sort();
        out
    }

    /// Writes `archive` into the download cache where a sync looks for its hash, and
    /// returns the lock entry that names it.
    fn cached(&self, name: &str, version: &str, archive: &Path) -> LockedPackage {
        let bytes = std::fs::read(archive).expect("archive");
        let hex = sha256_hex(&bytes);
        let filename = archive
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        let dir = self.cache.root().join("files-v1").join(&hex);
        std::fs::create_dir_all(&dir).expect("cache dir");
        std::fs::write(dir.join(&filename), &bytes).expect("cache file");
        let sha256 = skua_index::Sha256::from_hex(&hex).expect("sha256");
        let url = self.server.file_url("primary", &filename);
        LockedPackage {
            marker: None,
            tree: None,
            name: PackageName::new(name).expect("name"),
            version: version.parse().expect("version"),
            hashes: [sha256.clone()].into(),
            files: vec![LockedFile {
                filename,
                url: url.parse().expect("url"),
                sha256,
            }],
        }
    }
}

/// A package of the fixture index, any file (the lock has no hashes for it).
fn from_index(name: &str, version: &str) -> LockedPackage {
    LockedPackage {
        marker: None,
        tree: None,
        name: PackageName::new(name).expect("name"),
        version: version.parse().expect("version"),
        hashes: Default::default(),
        files: Vec::new(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    let out = Command::new(skua_test_support::python())
        .args([
            "-c",
            "import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(bytes)?;
            child.wait_with_output()
        })
        .expect("python hashes");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Builds a wheel (`*.whl`, with a correct RECORD) or a `.tar.gz` sdist at argv[1] from the
/// files under the directory argv[2].
const MAKE_ARCHIVE: &str = r#"
import base64, hashlib, os, sys, tarfile, zipfile
path, src = sys.argv[1], sys.argv[2]
files = {}
for root, _, names in os.walk(src):
    for name in names:
        full = os.path.join(root, name)
        with open(full, "rb") as f:
            files[os.path.relpath(full, src).replace(os.sep, "/")] = f.read()
if path.endswith(".whl"):
    dist_info = next(n.split("/")[0] for n in files if n.split("/")[0].endswith(".dist-info"))
    record = []
    for name, data in sorted(files.items()):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in sorted(files.items()):
            z.writestr(name, data)
else:
    with tarfile.open(path, "w:gz") as t:
        for name in sorted(files):
            t.add(os.path.join(src, name), arcname=name)
"#;

/// Writes `files` (archive member name → text) into an archive at `path`.
fn make_archive(path: &Path, files: &[(&str, &str)]) {
    let staging = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let file = staging.path().join(name);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, text).expect("write");
    }
    let status = Command::new(skua_test_support::python())
        .args(["-c", MAKE_ARCHIVE])
        .arg(path)
        .arg(staging.path())
        .status()
        .expect("python runs");
    assert!(status.success(), "building {} failed", path.display());
}

/// A PEP 517 backend (no build requirements) whose wheel is version 2.0.0, whatever the
/// sdist's name says: the build a lock of 1.0.0 must not install.
const LYING_BACKEND: &str = r#"
import base64, hashlib, os, zipfile

NAME = "skf_liar-2.0.0"

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = {
        "skf_liar.py": "VERSION = '2.0.0'\n",
        NAME + ".dist-info/METADATA": "Metadata-Version: 2.1\nName: skf-liar\nVersion: 2.0.0\n",
        NAME + ".dist-info/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    record.append(NAME + ".dist-info/RECORD,,")
    files[NAME + ".dist-info/RECORD"] = "\n".join(record) + "\n"
    filename = NAME + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return filename
"#;

#[test]
fn a_built_wheel_of_another_version_than_the_lock_pins_is_refused() {
    let setup = setup();
    setup
        .sync(&[from_index("skf-tool", "1.0.0")])
        .expect("first sync");
    let before = setup.tree();

    let sdist = setup.dir.path().join("skf_liar-1.0.0.tar.gz");
    make_archive(
        &sdist,
        &[
            (
                "skf_liar-1.0.0/PKG-INFO",
                "Metadata-Version: 2.1\nName: skf-liar\nVersion: 1.0.0\n",
            ),
            (
                "skf_liar-1.0.0/pyproject.toml",
                "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n",
            ),
            ("skf_liar-1.0.0/backend.py", LYING_BACKEND),
        ],
    );
    let liar = setup.cached("skf-liar", "1.0.0", &sdist);
    // skf-tool is not in this lock: a sync that went ahead would remove it.
    let err = setup
        .sync(&[from_index("skf-simple", "2.0.0"), liar])
        .expect_err("the wheel is not the locked version");
    let text = err.to_string();
    assert!(
        text.contains("skf_liar-2.0.0-py3-none-any.whl")
            && text.contains("the lock pins skf-liar==1.0.0, but the wheel is skf-liar 2.0.0"),
        "{text}"
    );
    assert_eq!(setup.tree(), before, "the environment was changed");
    assert!(setup.python("import skf_tool").status.success());
}

/// A wheel shipping skf-tool's module and console script: installed next to skf-tool it
/// would break it, and removing it later would leave skf-tool without its files while
/// the next sync called it up to date.
fn intruder(setup: &Setup) -> LockedPackage {
    let wheel = setup.dir.path().join("skf_intruder-1.0.0-py3-none-any.whl");
    make_archive(
        &wheel,
        &[
            (
                "skf_tool/__init__.py",
                "def main():\n    print('intruder')\n",
            ),
            (
                "skf_intruder-1.0.0.data/scripts/skf-tool",
                "#!/bin/sh\necho intruder\n",
            ),
            (
                "skf_intruder-1.0.0.dist-info/METADATA",
                "Metadata-Version: 2.1\nName: skf-intruder\nVersion: 1.0.0\n",
            ),
            (
                "skf_intruder-1.0.0.dist-info/WHEEL",
                "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            ),
        ],
    );
    setup.cached("skf-intruder", "1.0.0", &wheel)
}

#[test]
fn a_wheel_that_would_overwrite_a_package_that_stays_is_refused() {
    let setup = setup();
    let tool = from_index("skf-tool", "1.0.0");
    setup.sync(std::slice::from_ref(&tool)).expect("first sync");
    let before = setup.tree();

    let intruder = intruder(&setup);
    let err = setup
        .sync(&[tool, intruder.clone(), from_index("skf-simple", "2.0.0")])
        .expect_err("the intruder takes skf-tool's files");
    let text = err.to_string();
    assert!(
        text.contains("skf_intruder-1.0.0-py3-none-any.whl")
            && text.contains("skf-tool 1.0.0")
            && text.contains("skf_tool/__init__.py"),
        "{text}"
    );
    assert_eq!(setup.tree(), before, "the environment was changed");
    let tool_runs = Command::new(setup.venv.join("bin").join("skf-tool"))
        .output()
        .expect("skf-tool runs");
    assert_eq!(
        String::from_utf8_lossy(&tool_runs.stdout).trim(),
        "skf-tool 1.0.0"
    );

    // A lock that drops skf-tool hands its paths over: removed first, then installed.
    setup.sync(&[intruder]).expect("skf-tool is replaced");
    let out = setup.python("import skf_tool; skf_tool.main()");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "intruder");
}
