use std::io;
use std::path::{Path, PathBuf};

/// Everything that can go wrong while finding interpreters, creating environments and
/// installing or removing distributions.
///
/// Messages name the file or directory involved, because "permission denied" alone is
/// useless in a sync that touches thousands of paths.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error(
        "no Python interpreter matches `{request}`; tried:\n{}",
        format_tried(tried)
    )]
    InterpreterNotFound { request: String, tried: Vec<String> },

    #[error("cannot query the Python interpreter {}: {reason}", path.display())]
    InterpreterQuery { path: PathBuf, reason: String },

    #[error("{} is Python {major}.{minor}; skua needs Python 3.7 or newer", path.display())]
    UnsupportedPython {
        path: PathBuf,
        major: u16,
        minor: u16,
    },

    #[error(
        "refusing to replace {}: it exists and is not a virtual environment (no pyvenv.cfg)",
        path.display()
    )]
    RefusingToReplace { path: PathBuf },

    #[error("a virtual environment already exists at {}; it is replaced only when clearing", path.display())]
    VenvExists { path: PathBuf },

    #[error("{} is not a virtual environment: {reason}", path.display())]
    NotAVenv { path: PathBuf, reason: String },

    #[error(
        "{} runs in the virtual environment {}; sync that without --system",
        path.display(),
        venv.display()
    )]
    NotASystemInterpreter { path: PathBuf, venv: PathBuf },

    #[error(
        "{} is externally managed (PEP 668: {} exists), so its packages belong to another package manager; \
         pass --break-system-packages to install into it anyway",
        path.display(),
        marker.display()
    )]
    ExternallyManaged { path: PathBuf, marker: PathBuf },

    #[error("the new virtual environment at {} does not work: {reason}", path.display())]
    BrokenVenv { path: PathBuf, reason: String },

    #[error("invalid wheel {wheel}: {reason}")]
    InvalidWheel { wheel: String, reason: String },

    #[error("unsafe path `{path}` in {wheel}: {reason}")]
    UnsafePath {
        wheel: String,
        path: String,
        reason: &'static str,
    },

    #[error(
        "{} is not the wheel it was stored as: its sha256 is {actual}, not {expected}",
        path.display()
    )]
    WheelHashMismatch {
        path: PathBuf,
        expected: String,
        actual: String,
    },

    #[error(
        "{file} in {wheel} does not match its RECORD entry (RECORD: {expected}, content: {actual})"
    )]
    HashMismatch {
        wheel: String,
        file: String,
        expected: String,
        actual: String,
    },

    /// The wheel's filename, `.dist-info` directory, METADATA or the lock disagree about
    /// which distribution it is.
    #[error("refusing to install {wheel}: {reason}")]
    WheelMismatch { wheel: String, reason: String },

    #[error("invalid installed distribution {}: {reason}", path.display())]
    InvalidDistInfo { path: PathBuf, reason: String },

    #[error("{name} is already installed at {}; uninstall it first", dist_info.display())]
    AlreadyInstalled {
        name: skua_types::PackageName,
        dist_info: PathBuf,
    },

    #[error("cannot install {wheel}: {reason}")]
    Conflict { wheel: String, reason: String },

    /// The wheel would overwrite, or take over, a file another distribution owns.
    #[error(
        "cannot install {wheel}: it would overwrite {}, which belongs to {owner}",
        path.display()
    )]
    FileConflict {
        wheel: String,
        path: PathBuf,
        /// The owning distribution (`name version`, and how it comes to be there).
        owner: String,
    },

    #[error("cannot uninstall {}: {reason}", dist_info.display())]
    Uninstall { dist_info: PathBuf, reason: String },

    #[error("bytecode compilation failed (python -m compileall exited with {status}):\n{output}")]
    Bytecode { status: String, output: String },

    #[error("{0} is not supported on this platform")]
    Unsupported(&'static str),
}

fn format_tried(tried: &[String]) -> String {
    if tried.is_empty() {
        return "  (nothing)".to_owned();
    }
    tried
        .iter()
        .map(|line| format!("  - {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Attaches the failed action and the path to an `io::Error`.
pub(crate) trait IoContext<T> {
    fn at(self, action: &'static str, path: &Path) -> Result<T, InstallError>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn at(self, action: &'static str, path: &Path) -> Result<T, InstallError> {
        self.map_err(|source| InstallError::Io {
            action,
            path: path.to_path_buf(),
            source,
        })
    }
}
