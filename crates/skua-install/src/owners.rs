//! Which installed distribution owns a path: the RECORDs of a whole environment, read
//! once, so an install can refuse to take another distribution's files.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::InstallError;
use crate::paths::{join_record_path, normalize_lexically};
use crate::record::parse_record;
use crate::venv::{InstalledDist, Venv};

pub(crate) struct Owners {
    dists: Vec<InstalledDist>,
    /// Path key (see [`Owners::key`]) → index into `dists`, and the RECORD hash.
    by_path: HashMap<PathBuf, (usize, Option<String>)>,
    /// Resolved directories, since the same few are asked about again and again.
    resolved: HashMap<PathBuf, Option<PathBuf>>,
}

impl Owners {
    /// The files of every distribution installed in `venv` except those in `except`
    /// (matched by `.dist-info` directory). A distribution without a readable RECORD owns
    /// nothing that is known, so it owns nothing here.
    pub(crate) fn read(venv: &Venv, except: &[InstalledDist]) -> Result<Owners, InstallError> {
        let mut owners = Owners {
            dists: Vec::new(),
            by_path: HashMap::new(),
            resolved: HashMap::new(),
        };
        for dist in venv.installed()? {
            if except.iter().any(|e| e.dist_info == dist.dist_info) {
                continue;
            }
            let Some(base) = dist.dist_info.parent().map(Path::to_path_buf) else {
                continue;
            };
            let Ok(bytes) = fs::read(dist.dist_info.join("RECORD")) else {
                continue;
            };
            let Ok(entries) = parse_record(&String::from_utf8_lossy(&bytes)) else {
                continue;
            };
            let index = owners.dists.len();
            for entry in entries {
                let path = normalize_lexically(&join_record_path(&base, &entry.path));
                // Its own metadata is no other wheel's business (and is most of the map).
                if path.starts_with(&dist.dist_info) {
                    continue;
                }
                let key = owners.key(&path);
                owners.by_path.entry(key).or_insert((index, entry.hash));
            }
            owners.dists.push(dist);
        }
        Ok(owners)
    }

    /// The distribution whose RECORD lists `path`, if any, and the hash RECORD gives it.
    pub(crate) fn owner(&mut self, path: &Path) -> Option<(&InstalledDist, Option<&str>)> {
        let key = self.key(path);
        self.by_path
            .get(&key)
            .map(|(index, hash)| (&self.dists[*index], hash.as_deref()))
    }

    /// `path` normalized, with its deepest existing directory resolved through symlinks:
    /// `lib64/…` and `lib/…` are one file when `lib64` links to `lib`, even where the
    /// file itself does not exist (yet).
    pub(crate) fn key(&mut self, path: &Path) -> PathBuf {
        let path = normalize_lexically(path);
        let mut rest = Vec::new();
        let mut dir = path.parent();
        while let Some(current) = dir {
            if let Some(resolved) = self.resolve_dir(current) {
                let mut key = resolved;
                for component in rest.iter().rev() {
                    key.push(component);
                }
                if let Some(name) = path.file_name() {
                    key.push(name);
                }
                return key;
            }
            if let Some(name) = current.file_name() {
                rest.push(name.to_os_string());
            }
            dir = current.parent();
        }
        path
    }

    /// `dir` resolved through symlinks like `fs::canonicalize`, or `None` when it does not
    /// exist. Worked out from its resolved parent, so each directory costs one `lstat`
    /// (and a real resolution only where there is a link) however deep it is.
    fn resolve_dir(&mut self, dir: &Path) -> Option<PathBuf> {
        let mut unresolved = Vec::new();
        let mut current = Some(dir);
        let mut resolved = loop {
            match current {
                Some(path) => match self.resolved.get(path) {
                    Some(known) => break known.clone(),
                    None => {
                        unresolved.push(path.to_path_buf());
                        current = path.parent();
                    }
                },
                // The top of the path (`/`) resolves to itself, if anything.
                None => {
                    break unresolved.pop().and_then(|top| {
                        let resolved = fs::canonicalize(&top).ok();
                        self.resolved.insert(top, resolved.clone());
                        resolved
                    });
                }
            }
        };
        while let Some(path) = unresolved.pop() {
            resolved = resolved.and_then(|parent| match fs::symlink_metadata(&path) {
                Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(&path).ok(),
                Ok(_) => path.file_name().map(|name| parent.join(name)),
                Err(_) => None,
            });
            self.resolved.insert(path, resolved.clone());
        }
        resolved
    }
}
