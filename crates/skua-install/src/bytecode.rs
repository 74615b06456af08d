//! Optional bytecode compilation of installed files.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::error::{InstallError, IoContext};
use crate::venv::Venv;

/// Keeps each command line far below every platform's argument-size limit.
const MAX_ARGS_BYTES: usize = 64 * 1024;

/// Compiles `paths` (files or directories, which are recursed) with the venv's own
/// interpreter, `python -m compileall -q`, so the `.pyc` files match its version and
/// magic number and land in `__pycache__` where [`crate::uninstall`] finds them.
///
/// A non-zero exit is returned as [`InstallError::Bytecode`] with compileall's output;
/// packages do ship files that do not compile (Python 2 leftovers, templates), so a
/// caller may well treat it as a warning.
pub fn compile_bytecode(venv: &Venv, paths: &[PathBuf]) -> Result<(), InstallError> {
    let python = venv.python();
    let mut failures = Vec::new();
    for chunk in chunks(paths) {
        let output = Command::new(&python)
            .args(["-E", "-s", "-m", "compileall", "-q"])
            .args(chunk)
            .stdin(Stdio::null())
            .output()
            .at("run", &python)?;
        if !output.status.success() {
            let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&output.stderr));
            failures.push((output.status.to_string(), text.trim().to_owned()));
        }
    }
    if failures.is_empty() {
        return Ok(());
    }
    Err(InstallError::Bytecode {
        status: failures
            .iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        output: failures
            .iter()
            .map(|(_, o)| o.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
    })
}

fn chunks(paths: &[PathBuf]) -> Vec<Vec<OsString>> {
    let mut out: Vec<Vec<OsString>> = Vec::new();
    let mut size = 0;
    for path in paths {
        let arg = path.as_os_str().to_owned();
        let len = arg.len() + 1;
        if out.is_empty() || size + len > MAX_ARGS_BYTES {
            out.push(Vec::new());
            size = 0;
        }
        size += len;
        if let Some(last) = out.last_mut() {
            last.push(arg);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_long_argument_lists() {
        let paths: Vec<PathBuf> = (0..5000)
            .map(|i| PathBuf::from(format!("/v/lib/p{i:040}.py")))
            .collect();
        let split = chunks(&paths);
        assert!(split.len() > 1);
        assert_eq!(split.iter().map(Vec::len).sum::<usize>(), 5000);
        assert!(chunks(&[]).is_empty());
    }
}
