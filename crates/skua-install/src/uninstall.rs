//! Removing an installed distribution by its RECORD.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{InstallError, IoContext};
use crate::owners::Owners;
use crate::paths::{join_record_path, normalize_lexically};
use crate::record::parse_record;
use crate::venv::{INSTALLING_MARKER, InstalledDist, Venv, same_dir};

/// Removes `dist` from `venv`: every file its RECORD lists (scripts in `bin` and data
/// files included) and, for an interrupted install, every file its
/// [`INSTALLING_MARKER`] lists; the `__pycache__` entries of its `.py` files, the
/// directories that become empty (up to, never including, site-packages, `bin` or the
/// venv root), and finally the `.dist-info` directory. Files already gone are skipped,
/// so what an interrupted install or uninstall left behind is removed the same way.
///
/// Every RECORD path is checked before anything is removed: a path that leaves the
/// venv, lexically or through a symlinked directory, aborts the whole uninstall. The
/// `.dist-info` goes last, so an interrupted uninstall can simply be run again.
pub fn uninstall(venv: &Venv, dist: &InstalledDist) -> Result<(), InstallError> {
    let fail = |reason: String| InstallError::Uninstall {
        dist_info: dist.dist_info.clone(),
        reason,
    };
    // Work with the venv's spelling of the path, so the lexical "is it inside the venv"
    // checks below hold even if the caller's path went through a symlink.
    let base = dist
        .dist_info
        .parent()
        .and_then(|parent| {
            venv.lib_dirs()
                .into_iter()
                .find(|lib| same_dir(lib, parent))
        })
        .map(Path::to_path_buf)
        .ok_or_else(|| fail(format!("it is not in {}", venv.site_packages.display())))?;
    let dist_info = &base.join(dist.dist_info.file_name().unwrap_or_default());
    let meta = fs::symlink_metadata(dist_info).at("inspect", dist_info)?;
    if !meta.is_dir() {
        return Err(fail("it is not a directory".into()));
    }
    // RECORD lists what a complete install made; an interrupted one's marker lists what it
    // may have made. With neither (an install interrupted before RECORD by another tool
    // or an older skua), only the `.dist-info` itself is known, and files the install may
    // have left are replaced by the next install as leftovers.
    let mut entries = Vec::new();
    let mut planned = Vec::new();
    for (name, into) in [("RECORD", &mut entries), (INSTALLING_MARKER, &mut planned)] {
        let path = dist_info.join(name);
        match fs::read(&path) {
            Ok(bytes) => into.extend(parse_record(&String::from_utf8_lossy(&bytes)).map_err(fail)?),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).at("read", &path),
        }
    }
    // A file another distribution also lists stays: two distributions may ship the same
    // bytes at one path (`mlflow` and `mlflow-skinny`), and a planned file may never have
    // been written, with another distribution installing one at that path since (the
    // interrupted install owned nothing, so nothing stopped it).
    let mut owners = Owners::read(venv, std::slice::from_ref(dist))?;
    let listed: HashSet<String> = entries.iter().map(|e| e.path.clone()).collect();
    entries.extend(
        planned
            .into_iter()
            .filter(|entry| !listed.contains(&entry.path)),
    );
    entries.retain(|entry| {
        owners
            .owner(&normalize_lexically(&join_record_path(&base, &entry.path)))
            .is_none()
    });

    let root = &venv.root;
    let root_canonical = fs::canonicalize(root).at("resolve", root)?;
    let mut files = Vec::new();
    for entry in entries {
        let path = normalize_lexically(&join_record_path(&base, &entry.path));
        if !path.starts_with(root) || path == *root {
            return Err(fail(format!(
                "RECORD entry `{}` is outside the virtual environment",
                entry.path
            )));
        }
        if path.starts_with(dist_info) {
            continue;
        }
        let Some(parent) = path.parent() else {
            continue;
        };
        match fs::canonicalize(parent) {
            Ok(resolved) if !resolved.starts_with(&root_canonical) => {
                return Err(fail(format!(
                    "RECORD entry `{}` resolves to {}, outside the virtual environment",
                    entry.path,
                    resolved
                        .join(path.file_name().unwrap_or_default())
                        .display()
                )));
            }
            Ok(_) => files.push(path),
            // Already gone: nothing to remove there.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).at("resolve", parent),
        }
    }

    let mut touched_dirs = BTreeSet::new();
    for path in &files {
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.is_dir() => {
                // Some tools list directories; they go with the empty-directory sweep.
                touched_dirs.insert(path.clone());
                continue;
            }
            Ok(_) => match fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).at("remove", path),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).at("inspect", path),
        }
        if let Some(parent) = path.parent() {
            touched_dirs.insert(parent.to_path_buf());
            if path.extension().is_some_and(|ext| ext == "py")
                && let Some(pycache) = remove_bytecode(path)?
            {
                touched_dirs.insert(pycache);
            }
        }
    }

    fs::remove_dir_all(dist_info).at("remove", dist_info)?;

    let protected = protected_dirs(venv);
    // Deepest first, so a parent is only tried once its children are gone.
    let mut dirs: Vec<PathBuf> = touched_dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for dir in dirs {
        let mut current = Some(dir.as_path());
        while let Some(dir) = current {
            if protected.iter().any(|p| p == dir) || !dir.starts_with(root) {
                break;
            }
            // Fails (and stops the climb) when the directory is not empty.
            if fs::remove_dir(dir).is_err() {
                break;
            }
            current = dir.parent();
        }
    }
    Ok(())
}

/// Removes `__pycache__/<stem>.<tag>[.opt-N].pyc` for `source`; returns the cache
/// directory if it exists. The exact shape is matched so `a.py` never takes
/// `a.b.cpython-311.pyc` (the cache of `a.b.py`) with it.
fn remove_bytecode(source: &Path) -> Result<Option<PathBuf>, InstallError> {
    let (Some(parent), Some(stem)) = (source.parent(), source.file_stem().and_then(|s| s.to_str()))
    else {
        return Ok(None);
    };
    let pycache = parent.join("__pycache__");
    let entries = match fs::read_dir(&pycache) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).at("read", &pycache),
    };
    for entry in entries {
        let entry = entry.at("read", &pycache)?;
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(stem))
            .and_then(|n| n.strip_prefix('.'))
        else {
            continue;
        };
        let parts: Vec<&str> = rest.split('.').collect();
        let is_cache = match parts.as_slice() {
            [_, "pyc"] => true,
            [_, opt, "pyc"] => opt.starts_with("opt-"),
            _ => false,
        };
        if is_cache {
            let path = entry.path();
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).at("remove", &path),
            }
        }
    }
    Ok(Some(pycache))
}

/// The venv's own directories, which stay even when an uninstall empties them.
fn protected_dirs(venv: &Venv) -> Vec<PathBuf> {
    let mut out = vec![venv.root.clone()];
    for dir in [&venv.site_packages, &venv.platlib, &venv.scripts] {
        for ancestor in dir.ancestors() {
            if !ancestor.starts_with(&venv.root) {
                break;
            }
            out.push(ancestor.to_path_buf());
        }
    }
    out
}
