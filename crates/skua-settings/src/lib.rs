//! skua's one settings layer, shared by every command.
//!
//! - [`config`]: `skua.toml`, `.skua.toml` or `pyproject.toml` `[tool.skua]`, found upward
//!   from a directory; every key is known here, and an unknown key is an error.
//! - [`package`]: the settings of lock, sync, run and venv, resolved once as flags >
//!   environment > configuration file > defaults, each value with its [`Source`].
//!
//! The linter's keys are read here too; their meaning (rule selectors, per-directory
//! configuration) is the linter's.

pub mod config;
pub mod package;

use std::fmt;
use std::path::PathBuf;

pub use config::{ConfigError, ConfigFile, Options, find_config};
pub use package::{HttpTuning, PackageFlags, PackageSettings, SettingsError};

/// Where a setting's value came from, for `--show-settings` and for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag, e.g. `--index-url`.
    Flag(&'static str),
    /// An environment variable, e.g. `SKUA_INDEX_URL`.
    Env(&'static str),
    /// A key of a configuration file.
    Config { path: PathBuf, key: &'static str },
    /// Built in.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "{flag}"),
            Source::Env(name) => write!(f, "${name}"),
            Source::Config { path, key } => write!(f, "`{key}` in {}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Sourced<T> {
    pub fn new(value: T, source: Source) -> Sourced<T> {
        Sourced { value, source }
    }

    pub fn default_value(value: T) -> Sourced<T> {
        Sourced {
            value,
            source: Source::Default,
        }
    }
}
