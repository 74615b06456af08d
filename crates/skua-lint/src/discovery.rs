//! Finding the files to check: a gitignore-aware walk, filtered by each directory's settings.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::settings::{ConfigError, SettingsResolver};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Python,
    /// No extension: Python if its shebang says so.
    ExtensionlessScript,
    Requirements,
    Pyproject,
    Dotenv,
    /// A configuration file checked for secrets (YAML, JSON, INI, TOML, tfvars, .npmrc,
    /// .netrc, Dockerfile).
    Config,
    /// A Jupyter notebook: its code cells, checked as Python.
    Notebook,
}

/// Dotenv files that hold placeholders by convention.
const DOTENV_TEMPLATES: &[&str] = &[
    "example", "sample", "template", "dist", "defaults", "tmpl", "tpl",
];

pub fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if name == "pyproject.toml" {
        return Some(FileKind::Pyproject);
    }
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        let suffix = name.rsplit('.').next().unwrap_or("");
        let is_template = DOTENV_TEMPLATES.contains(&suffix.to_ascii_lowercase().as_str());
        return (!is_template && name != ".envrc").then_some(FileKind::Dotenv);
    }
    if name.ends_with(".ipynb") {
        return Some(FileKind::Notebook);
    }
    if crate::rules::sec::config_file_secret::ConfigFormat::of(path).is_some() {
        return Some(FileKind::Config);
    }
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, Some(extension)),
        _ => (name, None),
    };
    match extension {
        Some("py" | "pyi") => Some(FileKind::Python),
        Some("txt") if is_requirements_name(stem) || in_requirements_dir(path) => {
            Some(FileKind::Requirements)
        }
        // pip-tools inputs; `MANIFEST.in` and templates like `setup.cfg.in` are not.
        Some("in")
            if !stem.contains('.')
                && stem != "MANIFEST"
                && (is_requirements_name(stem)
                    || in_requirements_dir(path)
                    || stem.contains("require")) =>
        {
            Some(FileKind::Requirements)
        }
        None if !name.starts_with('.') => Some(FileKind::ExtensionlessScript),
        _ => None,
    }
}

/// `requirements*.txt`, `*-requirements*.txt` (`test-requirements-py3.txt`),
/// `*_requirements.txt`, `constraints*.txt`, `*-constraints.txt`.
fn is_requirements_name(stem: &str) -> bool {
    let lower = stem.to_ascii_lowercase();
    let word = |word: &str| {
        lower.starts_with(word)
            || lower.ends_with(word)
            || [format!("-{word}"), format!("_{word}"), format!(".{word}")]
                .iter()
                .any(|joined| lower.contains(joined.as_str()))
    };
    word("requirements") || word("constraints")
}

fn in_requirements_dir(path: &Path) -> bool {
    path.parent()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
        .is_some_and(|name| name == "requirements" || name == "reqs")
}

/// A file to check.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub path: PathBuf,
    pub kind: FileKind,
    /// Named on the command line: checked even when it would be excluded or unrecognised.
    pub explicit: bool,
}

/// Something that went wrong while walking, reported against the path.
#[derive(Debug)]
pub struct WalkProblem {
    pub path: PathBuf,
    pub message: String,
}

/// Why a path named on the command line was not checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// An exclude pattern covers it and `--force-exclude` was given.
    ForceExcluded,
    /// Its name is not one of the kinds of file skua checks.
    UnknownKind,
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SkipReason::ForceExcluded => "excluded (--force-exclude)",
            SkipReason::UnknownKind => "not a kind of file skua checks",
        })
    }
}

pub struct Discovered {
    pub candidates: Vec<Candidate>,
    pub problems: Vec<WalkProblem>,
    /// Paths named explicitly but not checked (`--force-exclude`), with the reason.
    pub skipped: Vec<(PathBuf, SkipReason)>,
}

/// Walks `paths`, honouring `.gitignore`/`.ignore` and each directory's `exclude` settings.
///
/// With `force_exclude`, a path named explicitly that an exclude pattern covers (itself or
/// a directory above it, up to its configuration's root) is skipped too.
pub fn discover(
    paths: &[PathBuf],
    resolver: &Arc<SettingsResolver>,
    cwd: &Path,
    force_exclude: bool,
) -> Result<Discovered, ConfigError> {
    let mut candidates = Vec::new();
    let mut problems = Vec::new();
    let mut skipped = Vec::new();
    let config_error: Arc<std::sync::Mutex<Option<ConfigError>>> = Arc::default();

    for root in paths {
        let absolute_root = crate::settings::absolute(root, cwd);
        let metadata = match std::fs::metadata(&absolute_root) {
            Ok(metadata) => metadata,
            Err(error) => {
                problems.push(WalkProblem {
                    path: root.clone(),
                    message: io_message(&error),
                });
                continue;
            }
        };
        if force_exclude && excluded_explicitly(&absolute_root, resolver)? {
            skipped.push((root.clone(), SkipReason::ForceExcluded));
            continue;
        }
        if !metadata.is_file() && !metadata.is_dir() {
            // Reading a FIFO blocks forever, a device never ends.
            problems.push(WalkProblem {
                path: root.clone(),
                message: "Could not check file: not a regular file (a FIFO, device or socket)"
                    .to_string(),
            });
            continue;
        }
        if metadata.is_file() {
            // A file named explicitly is checked as what its name says; one skua does not
            // check (a README, a dotenv template) is skipped and said so, never parsed as
            // Python.
            let Some(kind) = classify(root) else {
                skipped.push((root.clone(), SkipReason::UnknownKind));
                continue;
            };
            candidates.push(Candidate {
                path: root.clone(),
                kind,
                explicit: true,
            });
            continue;
        }
        let resolver_for_filter = Arc::clone(resolver);
        let error_slot = Arc::clone(&config_error);
        let cwd_for_filter = cwd.to_path_buf();
        let walker = ignore::WalkBuilder::new(&absolute_root)
            .hidden(false)
            .follow_links(true)
            .require_git(false)
            .git_global(false)
            .filter_entry(move |entry| {
                if entry.depth() == 0 {
                    return true;
                }
                let path = crate::settings::absolute(entry.path(), &cwd_for_filter);
                let Some(parent) = path.parent() else {
                    return true;
                };
                match resolver_for_filter.for_dir(parent) {
                    Ok(settings) => !settings.is_excluded(&path),
                    Err(error) => {
                        if let Ok(mut slot) = error_slot.lock() {
                            slot.get_or_insert(error);
                        }
                        false
                    }
                }
            })
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    if !entry.file_type().is_some_and(|kind| kind.is_file()) {
                        continue;
                    }
                    if let Some(kind) = classify(entry.path()) {
                        // Report paths the way the user wrote them, not absolutised.
                        let path = match entry.path().strip_prefix(&absolute_root) {
                            Ok(inner) if inner.as_os_str().is_empty() => root.clone(),
                            Ok(inner) => root.join(inner),
                            Err(_) => entry.into_path(),
                        };
                        candidates.push(Candidate {
                            path,
                            kind,
                            explicit: false,
                        });
                    }
                }
                Err(error) => problems.push(walk_problem(&error, root, &absolute_root)),
            }
        }
    }
    if let Some(error) = config_error.lock().ok().and_then(|mut slot| slot.take()) {
        return Err(error);
    }
    candidates.sort_by(|a, b| a.path.cmp(&b.path));
    candidates.dedup_by(|a, b| a.path == b.path);
    Ok(Discovered {
        candidates,
        problems,
        skipped,
    })
}

/// Whether an exclude pattern covers `path` or a directory above it (below the root of the
/// configuration that governs it).
fn excluded_explicitly(path: &Path, resolver: &SettingsResolver) -> Result<bool, ConfigError> {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let Some(parent) = path.parent() else {
        return Ok(false);
    };
    let settings = resolver.for_dir(parent)?;
    Ok(path
        .ancestors()
        .take_while(|ancestor| ancestor.starts_with(&settings.root) && *ancestor != settings.root)
        .any(|ancestor| settings.is_excluded(ancestor)))
}

fn walk_problem(error: &ignore::Error, root: &Path, absolute_root: &Path) -> WalkProblem {
    fn innermost(error: &ignore::Error) -> (Option<PathBuf>, String) {
        match error {
            ignore::Error::WithPath { path, err } => {
                let (_, message) = innermost(err);
                (Some(path.clone()), message)
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                innermost(err)
            }
            ignore::Error::Loop { child, ancestor } => (
                Some(child.clone()),
                format!("symbolic link loop: points back to {}", ancestor.display()),
            ),
            ignore::Error::Io(io) => (None, io_message(io)),
            other => (None, other.to_string()),
        }
    }
    let (path, message) = innermost(error);
    let path = path.map(|path| match path.strip_prefix(absolute_root) {
        Ok(inner) => root.join(inner),
        Err(_) => path,
    });
    WalkProblem {
        path: path.unwrap_or_else(|| root.to_path_buf()),
        message,
    }
}

pub fn io_message(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "No such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "Permission denied".to_string(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_ops_files() {
        let kind = |name: &str| classify(Path::new(name));
        assert_eq!(kind("a/b.py"), Some(FileKind::Python));
        assert_eq!(kind("requirements-dev.txt"), Some(FileKind::Requirements));
        assert_eq!(kind("requirements/base.txt"), Some(FileKind::Requirements));
        assert_eq!(kind("constraints.txt"), Some(FileKind::Requirements));
        assert_eq!(kind("requirements.in"), Some(FileKind::Requirements));
        assert_eq!(kind("MANIFEST.in"), None);
        assert_eq!(kind("notes.txt"), None);
        assert_eq!(
            kind("test-requirements-py3.txt"),
            Some(FileKind::Requirements)
        );
        assert_eq!(
            kind("ci/dev_requirements_lock.txt"),
            Some(FileKind::Requirements)
        );
        assert_eq!(kind("pip-constraints.txt"), Some(FileKind::Requirements));
        assert_eq!(kind("requirementsfile.txt"), Some(FileKind::Requirements));
        assert_eq!(kind("myrequirementsnotes.txt"), None);
        assert_eq!(kind("pyproject.toml"), Some(FileKind::Pyproject));
        assert_eq!(kind(".env"), Some(FileKind::Dotenv));
        assert_eq!(kind("deploy/docker-compose.yml"), Some(FileKind::Config));
        assert_eq!(kind("Dockerfile"), Some(FileKind::Config));
        assert_eq!(kind(".npmrc"), Some(FileKind::Config));
        assert_eq!(kind("infra/prod.tfvars"), Some(FileKind::Config));
        assert_eq!(kind(".env.production"), Some(FileKind::Dotenv));
        assert_eq!(kind("deploy/prod.env"), Some(FileKind::Dotenv));
        assert_eq!(kind(".env.example"), None);
        assert_eq!(kind(".env.sample"), None);
        assert_eq!(kind(".env.template"), None);
        assert_eq!(kind("bin/healthcheck"), Some(FileKind::ExtensionlessScript));
        assert_eq!(kind(".gitignore"), None);
        assert_eq!(kind("notebooks/etl.ipynb"), Some(FileKind::Notebook));
    }
}
