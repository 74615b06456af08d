//! Helpers shared by the integration tests: the test interpreter, running programs,
//! snapshots of directory trees, and wheels built on the fly.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use skua_install::{Interpreter, Venv, VenvOptions, create_venv};
use zip::write::SimpleFileOptions;

/// `$SKUA_TEST_PYTHON`, or `python3` from `PATH` (what the fixture index is built with).
pub fn interpreter() -> Interpreter {
    let python = skua_test_support::python();
    Interpreter::find(python.to_str(), None).expect("a Python 3 interpreter for the tests")
}

pub fn new_venv(parent: &Path) -> Venv {
    create_venv(
        &parent.join(".venv"),
        &interpreter(),
        &VenvOptions::default(),
        None,
    )
    .expect("create a venv")
}

pub fn run(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .output()
        .expect("run a program")
}

/// Runs and asserts success; returns trimmed stdout.
pub fn run_ok(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> String {
    let program = program.as_ref().to_owned();
    let output = run(&program, args);
    assert!(
        output.status.success(),
        "{} {args:?} failed ({}):\n{}{}",
        program.to_string_lossy(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

pub fn python(venv: &Venv, code: &str) -> String {
    run_ok(venv.python(), &["-c", code])
}

/// Every entry under `dir`: relative path → kind and content hash (files), target
/// (symlinks) or `dir`. Two snapshots are equal iff the trees are.
pub fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = fs::read_dir(&current) else {
            continue;
        };
        for entry in entries {
            let entry = entry.expect("readable directory entry");
            let path = entry.path();
            let rel = path
                .strip_prefix(dir)
                .expect("entry below the walked dir")
                .display()
                .to_string();
            let meta = fs::symlink_metadata(&path).expect("entry metadata");
            let kind = if meta.file_type().is_symlink() {
                format!(
                    "link:{}",
                    fs::read_link(&path).expect("symlink target").display()
                )
            } else if meta.is_dir() {
                stack.push(path.clone());
                "dir".to_owned()
            } else {
                format!(
                    "file:{}",
                    sha256_hex(&fs::read(&path).expect("readable file"))
                )
            };
            out.insert(rel, kind);
        }
    }
    out
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn record_hash(bytes: &[u8]) -> String {
    format!("sha256={}", URL_SAFE_NO_PAD.encode(Sha256::digest(bytes)))
}

/// A fixture wheel from the shared fixture index (built once per machine).
pub fn fixture_wheel(filename: &str) -> PathBuf {
    let path = skua_test_support::fixture_index_dir()
        .join("primary")
        .join("files")
        .join(filename);
    assert!(
        path.is_file(),
        "fixture wheel {} is missing",
        path.display()
    );
    path
}

/// One member of a hand-made wheel.
pub struct Member {
    pub name: String,
    pub content: Vec<u8>,
    pub mode: u32,
}

pub fn member(name: &str, content: &str) -> Member {
    Member {
        name: name.to_owned(),
        content: content.as_bytes().to_vec(),
        mode: 0o644,
    }
}

/// The standard metadata members plus a correct RECORD for `members`.
pub fn with_metadata(
    dist: &str,
    version: &str,
    purelib: bool,
    members: Vec<Member>,
) -> Vec<Member> {
    let metadata = format!("Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n");
    with_metadata_text(dist, version, &metadata, purelib, members)
}

/// [`with_metadata`] with METADATA given verbatim, for wheels that contradict themselves.
pub fn with_metadata_text(
    dist: &str,
    version: &str,
    metadata: &str,
    purelib: bool,
    mut members: Vec<Member>,
) -> Vec<Member> {
    let dist_info = format!("{dist}-{version}.dist-info");
    members.push(member(&format!("{dist_info}/METADATA"), metadata));
    members.push(member(
        &format!("{dist_info}/WHEEL"),
        &format!(
            "Wheel-Version: 1.0\nGenerator: skua-tests\nRoot-Is-Purelib: {purelib}\nTag: py3-none-any\n"
        ),
    ));
    let mut record = String::new();
    for m in &members {
        record.push_str(&format!(
            "{},{},{}\n",
            m.name,
            record_hash(&m.content),
            m.content.len()
        ));
    }
    record.push_str(&format!("{dist_info}/RECORD,,\n"));
    members.push(member(&format!("{dist_info}/RECORD"), &record));
    members
}

/// Writes exactly `members` into a zip at `dir/filename`.
pub fn write_wheel(dir: &Path, filename: &str, members: &[Member]) -> PathBuf {
    let path = dir.join(filename);
    let file = fs::File::create(&path).expect("create the wheel file");
    let mut zip = zip::ZipWriter::new(file);
    for m in members {
        let options = SimpleFileOptions::default().unix_permissions(m.mode);
        zip.start_file(m.name.as_str(), options)
            .expect("start a zip member");
        zip.write_all(&m.content).expect("write a zip member");
    }
    zip.finish().expect("finish the zip");
    path
}
