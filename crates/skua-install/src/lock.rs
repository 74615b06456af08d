//! Serializing work on one environment across threads and processes.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use crate::error::{InstallError, IoContext};
use crate::venv::Venv;

/// The lock file's name inside the venv root.
pub const LOCK_FILE_NAME: &str = ".skua.lock";

/// An exclusive lock on an environment, released when dropped (or when the process
/// exits, however it exits: the operating system drops the lock with the file).
#[derive(Debug)]
pub struct EnvironmentLock {
    // Only held for its lock.
    _file: File,
    path: PathBuf,
}

impl EnvironmentLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Blocks until this caller holds the exclusive lock on `<venv>/.skua.lock`.
///
/// The lock belongs to the open file, not the process, so two threads of one process
/// exclude each other as two processes do.
pub fn lock_environment(venv: &Venv) -> Result<EnvironmentLock, InstallError> {
    let (file, path) = open_lock_file(venv)?;
    file.lock().at("lock", &path)?;
    Ok(EnvironmentLock { _file: file, path })
}

/// Takes the lock if it is free; `None` if someone else holds it (so a caller can say
/// "waiting for another skua process" before blocking in [`lock_environment`]).
pub fn try_lock_environment(venv: &Venv) -> Result<Option<EnvironmentLock>, InstallError> {
    let (file, path) = open_lock_file(venv)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(EnvironmentLock { _file: file, path })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(e).at("lock", &path),
    }
}

fn open_lock_file(venv: &Venv) -> Result<(File, PathBuf), InstallError> {
    let path = venv.root.join(LOCK_FILE_NAME);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .at("open", &path)?;
    Ok((file, path))
}
