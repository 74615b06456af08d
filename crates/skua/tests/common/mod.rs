//! What the CLI test files share: a finished run of the binary and writing files.

#![allow(dead_code)] // each test file uses a part of it

use std::path::Path;

use assert_cmd::Command;

/// The built `skua`, run in `dir`, with plain output and none of the settings a
/// developer's shell may carry (output format, index, cutoff, active venv).
pub fn skua_command(dir: &Path) -> Command {
    let mut command = Command::cargo_bin("skua").expect("binary built");
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SKUA_OUTPUT_FORMAT")
        .env_remove("SKUA_INDEX_URL")
        .env_remove("PIP_INDEX_URL")
        .env_remove("SKUA_EXCLUDE_NEWER")
        .env_remove("VIRTUAL_ENV");
    command
}

/// A finished `skua` process.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<std::process::Output> for Run {
    fn from(output: std::process::Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Writes `text` to `dir/name`, creating directories on the way.
pub fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}
