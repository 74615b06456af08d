//! Python environments for skua: finding interpreters, creating virtual environments,
//! and installing and removing wheels in them.
//!
//! The pieces of a sync, in order:
//!
//! ```no_run
//! # fn main() -> Result<(), skua_install::InstallError> {
//! use std::path::Path;
//! use skua_install::*;
//!
//! let interpreter = Interpreter::find(Some("3.11"), None)?;
//! let venv = create_venv(Path::new(".venv"), &interpreter, &VenvOptions::default(), None)?;
//! let _lock = lock_environment(&venv)?;
//! let unpacked = unpack_wheel(Path::new("dl/pkg-1.0-py3-none-any.whl"), Path::new("cache/wheels-v2"))?;
//! let dist = install_wheel(&venv, &unpacked, "pkg-1.0-py3-none-any.whl", None)?;
//! uninstall(&venv, &dist)?;
//! # Ok(())
//! # }
//! ```
//!
//! Nothing here runs pip or `python -m venv`; the interpreter is only asked about itself
//! (once per [`Interpreter::query`]) and, optionally, to compile bytecode.

mod activate;
mod bytecode;
mod entry_points;
mod error;
mod install;
mod interpreter;
mod lock;
mod names;
mod owners;
mod paths;
mod pyvenv_cfg;
mod record;
mod uninstall;
mod unpack;
mod venv;

pub use bytecode::compile_bytecode;
pub use error::InstallError;
pub use install::{
    InstallPlan, LinkMode, check_conflicts, install_plan, install_plans, install_wheel,
    install_wheel_with, verify_wheel,
};
pub use interpreter::{InstallPaths, Interpreter, SchemeLayout};
pub use lock::{EnvironmentLock, LOCK_FILE_NAME, lock_environment, try_lock_environment};
pub use uninstall::uninstall;
pub use unpack::{unpack_wheel, unpack_wheel_with_hash};
pub use venv::{
    EXTERNALLY_MANAGED, INSTALLING_MARKER, Incomplete, InstalledDist, Venv, VenvOptions,
    create_venv,
};
