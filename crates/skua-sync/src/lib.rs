//! `skua sync`: make an environment match a lock exactly — download what is missing in
//! parallel (hash-verified), install it, and remove what the lock does not list.
//!
//! Kept out of `skua-install` so the installer itself stays free of network code.

pub mod build;
pub mod run;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use skua_context::Context;
use skua_index::{DistFile, DistKind};
use skua_platform::{Tags, Target};
use skua_requirements::EntryKind;
use skua_types::{PackageName, SdistFilename, Sha256, Url, Version, WheelFilename};

use skua_install::{
    InstallError, InstallPlan, LinkMode, Venv, check_conflicts, compile_bytecode, install_plans,
    lock_environment, uninstall, unpack_wheel, unpack_wheel_with_hash, verify_wheel,
};

/// One pinned distribution of a lock file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedPackage {
    pub name: PackageName,
    pub version: Version,
    /// Allowed digests: whatever is installed must have one of them. Empty only in a
    /// lock without any hashes.
    pub hashes: BTreeSet<Sha256>,
    /// Files a pylock.toml names by url. Hashes without a file here (all of a
    /// requirements.txt lock's) name files the index serves.
    pub files: Vec<LockedFile>,
    /// A project directory, built (as a regular or an editable wheel) at every sync
    /// instead of fetched; it has no hash.
    pub tree: Option<LockedTree>,
    /// Where the entry applies (a universal lock's `; sys_platform == 'win32'`): sync
    /// installs it only into an environment the marker holds for.
    pub marker: Option<skua_requirements::Marker>,
}

/// A local project directory in a lock (`-e file:///…`, `name @ file:///…/dir`, PEP 751
/// `packages.directory`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedTree {
    pub path: PathBuf,
    pub editable: bool,
}

/// A file a pylock.toml names for a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedFile {
    pub filename: String,
    pub url: Url,
    pub sha256: Sha256,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("cannot read {path}: {message}")]
    Lock { path: PathBuf, message: String },
    #[error(transparent)]
    Install(#[from] InstallError),
    #[error(transparent)]
    Index(#[from] skua_index::IndexError),
    #[error(transparent)]
    Platform(#[from] skua_platform::PlatformError),
    #[error(transparent)]
    Context(#[from] skua_context::ContextError),
    #[error(transparent)]
    Interpreter(#[from] Arc<InstallError>),
    #[error(transparent)]
    Resolve(#[from] skua_resolve::ResolveError),
    #[error("cannot build {name}=={version}")]
    Build {
        name: PackageName,
        version: Version,
        #[source]
        source: Box<skua_build::BuildError>,
    },
    #[error("the lock lists no packages: an exact sync to it would uninstall everything")]
    EmptyLock,
    #[error("{0}")]
    Other(String),
}

fn lock_error(path: &Path, message: impl Into<String>) -> SyncError {
    SyncError::Lock {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Reads a requirements.txt lock (`name==version --hash=…`) or a PEP 751 `pylock.toml`.
pub fn read_lock(path: &Path) -> Result<Vec<LockedPackage>, SyncError> {
    read_lock_file(path, None).map(|lock| lock.packages)
}

/// A lock file as sync reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    pub packages: Vec<LockedPackage>,
    /// What the lock was resolved for, when its header says.
    pub made_for: Option<MadeFor>,
}

/// The target a lock's header names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MadeFor {
    /// skua's header (`for Python 3.11 on x86_64-manylinux_2_28`), or uv's command line
    /// with `--python-version` and `--python-platform`.
    Target(Target),
    /// pip-compile's header (`with Python 3.11`), or uv's command line with only
    /// `--python-version`: the platform is not recorded.
    Python(u16, u16),
    /// A universal lock (`skua lock --universal`, `uv pip compile --universal`): every
    /// platform, from this Python up; its markers pick the entries of each environment.
    Universal(u16, u16),
}

impl MadeFor {
    /// Whether what was resolved for this target holds on `venv`.
    pub fn serves(&self, venv: &Target) -> bool {
        match self {
            MadeFor::Target(target) => target.serves(venv),
            MadeFor::Python(major, minor) => venv.python == (*major, *minor),
            MadeFor::Universal(major, minor) => venv.python >= (*major, *minor),
        }
    }

    /// Read from the comment lines a lock starts with.
    fn from_header(text: &str) -> Option<MadeFor> {
        for line in text.lines() {
            let Some(comment) = line.trim().strip_prefix('#') else {
                break;
            };
            let comment = comment.trim();
            if let Some(rest) = comment.strip_prefix("This file is autogenerated by skua for ") {
                return Target::parse_description(rest)
                    .map(MadeFor::Target)
                    .or_else(|| {
                        skua_resolve::universal::Grid::parse_description(rest)
                            .map(|(major, minor)| MadeFor::Universal(major, minor))
                    });
            }
            if let Some(rest) =
                comment.strip_prefix("This file is autogenerated by pip-compile with Python ")
            {
                let (major, minor, _) = skua_platform::parse_python_version(rest).ok()?;
                return Some(MadeFor::Python(major, minor));
            }
            if comment.starts_with("uv pip compile ") {
                let words: Vec<&str> = comment.split_whitespace().collect();
                let flag = |name: &str| {
                    words.iter().enumerate().find_map(|(i, word)| {
                        word.strip_prefix(&format!("{name}=")).or_else(|| {
                            (*word == name).then(|| words.get(i + 1).copied()).flatten()
                        })
                    })
                };
                if words.contains(&"--universal") {
                    let floor = flag("--python-version")
                        .and_then(|version| skua_platform::parse_python_version(version).ok())
                        .map_or((3, 0), |(major, minor, _)| (major, minor));
                    return Some(MadeFor::Universal(floor.0, floor.1));
                }
                let version = flag("--python-version")?;
                return match flag("--python-platform") {
                    Some(platform) => Target::new(version, platform).ok().map(MadeFor::Target),
                    None => {
                        let (major, minor, _) =
                            skua_platform::parse_python_version(version).ok()?;
                        Some(MadeFor::Python(major, minor))
                    }
                };
            }
        }
        None
    }
}

impl std::fmt::Display for MadeFor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MadeFor::Target(target) => target.fmt(f),
            MadeFor::Python(major, minor) => write!(f, "Python {major}.{minor}"),
            MadeFor::Universal(major, minor) => {
                write!(f, "Python >={major}.{minor} on every platform (universal)")
            }
        }
    }
}

/// Reads the lock at `path` (pylock.toml or requirements.txt) and what its header says
/// it was made for. Git entries are checked out into `cache` (needed to read their
/// project's name and version); without one they are an error.
pub fn read_lock_file(path: &Path, cache: Option<&skua_cache::Cache>) -> Result<Lock, SyncError> {
    let text =
        skua_cache::read_user_file(path).map_err(|error| lock_error(path, error.to_string()))?;
    let made_for = MadeFor::from_header(&text);
    let is_pylock = path
        .extension()
        .is_some_and(|extension| extension == "toml");
    let packages = if is_pylock {
        read_pylock(path, &text, cache)?
    } else {
        read_requirements_lock(path, &text, cache)?
    };
    // `--require-hashes` semantics: once any entry has a hash, all must.
    let hashed = packages
        .iter()
        .filter(|package| !package.hashes.is_empty())
        .count();
    if hashed > 0
        && let Some(unhashed) = packages
            .iter()
            .find(|package| package.hashes.is_empty() && package.tree.is_none())
    {
        return Err(lock_error(
            path,
            format!(
                "{}=={} has no hash, but the lock uses hashes: every entry needs one",
                unhashed.name, unhashed.version
            ),
        ));
    }
    Ok(Lock { packages, made_for })
}

/// The checkout of a git entry's commit, in `cache`.
fn git_checkout(
    git: &skua_resolve::vcs::GitReference,
    cache: Option<&skua_cache::Cache>,
) -> Result<PathBuf, String> {
    let cache = cache.ok_or_else(|| {
        format!(
            "{} is a git source, which only a sync (with its cache) can check out",
            skua_types::redact_str(&git.repository)
        )
    })?;
    skua_resolve::vcs::checkout(git, cache).map(|checkout| checkout.project)
}

/// The directory a `file:` URL names, if it names one.
fn local_dir(url: &str) -> Option<PathBuf> {
    let url = Url::parse(url).ok()?;
    (url.scheme() == "file")
        .then(|| url.to_file_path().ok())
        .flatten()
        .filter(|path| path.is_dir())
}

/// A project directory of a requirements.txt lock, which names neither its project nor
/// its version: both come from its `[project]` table, which must state them.
fn tree_locked_package(
    dir: &Path,
    editable: bool,
    named: Option<&PackageName>,
) -> Result<LockedPackage, String> {
    let pyproject = dir.join("pyproject.toml");
    let text = std::fs::read_to_string(&pyproject)
        .map_err(|error| format!("cannot read {}: {error}", pyproject.display()))?;
    let parsed = skua_requirements::parse_pyproject(&text).map_err(|error| error.message)?;
    let (Some(name), Some(version)) = (parsed.project_name, parsed.project_version) else {
        return Err(format!(
            "{} does not state its [project] name and version; lock it to a pylock.toml, which records them",
            pyproject.display()
        ));
    };
    let name = PackageName::new(&name).map_err(|error| error.to_string())?;
    if let Some(named) = named
        && named != &name
    {
        return Err(format!(
            "{} is the project {name}, not {named}",
            dir.display()
        ));
    }
    let version = Version::from_str(&version)
        .map_err(|error| format!("invalid [project].version `{version}`: {error}"))?;
    Ok(LockedPackage {
        marker: None,
        name,
        version,
        hashes: BTreeSet::new(),
        files: Vec::new(),
        tree: Some(LockedTree {
            path: dir.to_path_buf(),
            editable,
        }),
    })
}

/// A `name @ url --hash=…` lock line: the archive at the URL (or at a path relative to
/// the lock) is the one file of the package, and its version is the file name's.
fn direct_locked_package(
    lock: &Path,
    requirement: &skua_requirements::Requirement,
    reference: &str,
) -> Result<LockedPackage, String> {
    if reference.contains('+') && !reference.starts_with("http") && !reference.starts_with("file") {
        return Err(format!(
            "`{reference}`: VCS requirements are not supported by sync yet"
        ));
    }
    let dir = lock.parent().unwrap_or(Path::new("."));
    let absolute = skua_resolve::absolute_reference(reference, dir);
    let mut url = Url::parse(&absolute)
        .map_err(|error| format!("`{reference}` is not a valid URL: {error}"))?;
    url.set_fragment(None);
    let filename = skua_resolve::url_filename(&url);
    let name = requirement
        .package_name
        .clone()
        .ok_or_else(|| format!("`{reference}` has no package name (write `name @ url`)"))?;
    let version = match (
        WheelFilename::parse(&filename),
        SdistFilename::parse(&filename, Some(&name)),
    ) {
        (Some(wheel), _) if wheel.name == name => wheel.version,
        (None, Some(sdist)) => sdist.version,
        _ => {
            return Err(format!("`{filename}` is not a wheel or sdist of {name}"));
        }
    };
    let mut hashes = BTreeSet::new();
    for hash in &requirement.hashes {
        hashes.insert(hash.parse::<Sha256>().map_err(|error| error.to_string())?);
    }
    // The lock's hash pins the one file at the URL: without one there is nothing to
    // verify it by, and a second could only be of another file.
    let sha256 = match hashes.iter().collect::<Vec<_>>().as_slice() {
        [only] => (*only).clone(),
        [] => {
            return Err(format!(
                "`{name} @ {reference}` has no --hash; lock it with `skua lock`"
            ));
        }
        _ => {
            return Err(format!(
                "`{name} @ {reference}` has several hashes, but a URL names one file"
            ));
        }
    };
    Ok(LockedPackage {
        marker: None,
        tree: None,
        name,
        version,
        files: vec![LockedFile {
            filename,
            url,
            sha256,
        }],
        hashes,
    })
}

fn read_requirements_lock(
    path: &Path,
    text: &str,
    cache: Option<&skua_cache::Cache>,
) -> Result<Vec<LockedPackage>, SyncError> {
    let mut packages = Vec::new();
    for entry in skua_requirements::parse_requirements(text).entries {
        match entry.kind {
            EntryKind::Requirement(requirement) => {
                let at_line =
                    |message: String| lock_error(path, format!("line {}: {message}", entry.line));
                // A marker sync cannot read would install the entry everywhere or nowhere.
                let marker = requirement
                    .parsed_marker()
                    .transpose()
                    .map_err(|error| at_line(format!("invalid marker: {error}")))?;
                let package = requirements_lock_entry(path, &requirement, cache, at_line)?;
                packages.push(LockedPackage { marker, ..package });
            }
            EntryKind::Editable { target, .. } => {
                let at_line =
                    |message: String| lock_error(path, format!("line {}: {message}", entry.line));
                let dir = path.parent().unwrap_or(Path::new("."));
                let absolute = skua_resolve::absolute_reference(&target, dir);
                let tree = local_dir(&absolute).ok_or_else(|| {
                    at_line(format!("`-e {target}` is not a local project directory"))
                })?;
                packages.push(tree_locked_package(&tree, true, None).map_err(at_line)?);
            }
            EntryKind::Invalid { message, .. } => {
                return Err(lock_error(path, format!("line {}: {message}", entry.line)));
            }
            _ => {}
        }
    }
    Ok(packages)
}

/// The PEP 751 major version skua reads; minor versions only add optional keys.
const PYLOCK_MAJOR: u64 = 1;

/// Reads a PEP 751 lock, refusing anything that is not one: a missing or unsupported
/// `lock-version` (an empty file included) and fields of the wrong type are errors
/// naming the field and the package, never an empty lock.
fn read_pylock(
    path: &Path,
    text: &str,
    cache: Option<&skua_cache::Cache>,
) -> Result<Vec<LockedPackage>, SyncError> {
    let document: toml::Table =
        toml::from_str(text).map_err(|error| lock_error(path, error.message().to_string()))?;
    match document.get("lock-version") {
        None => {
            return Err(lock_error(
                path,
                "no `lock-version`: this is not a PEP 751 lock",
            ));
        }
        Some(toml::Value::String(version)) => {
            let (major, minor) = version.split_once('.').unwrap_or((version, "0"));
            let number = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
            if !(number(major) && number(minor)) || major.parse::<u64>() != Ok(PYLOCK_MAJOR) {
                return Err(lock_error(
                    path,
                    format!(
                        "`lock-version` {version:?} is not supported: skua reads version {PYLOCK_MAJOR}.x locks"
                    ),
                ));
            }
        }
        Some(other) => {
            return Err(lock_error(
                path,
                format!("`lock-version` must be a string, not {}", other.type_str()),
            ));
        }
    }
    // skua writes no `packages` key for a lock of nothing; an empty lock is refused
    // (or allowed) by the sync itself.
    let packages: &[toml::Value] = match document.get("packages") {
        None => &[],
        Some(toml::Value::Array(packages)) => packages,
        Some(other) => {
            return Err(lock_error(
                path,
                format!(
                    "`packages` must be an array of tables, not {}",
                    other.type_str()
                ),
            ));
        }
    };
    packages
        .iter()
        .enumerate()
        .map(|(index, package)| match package {
            toml::Value::Table(package) => {
                let marker = pylock_marker(path, index, package)?;
                let locked = read_pylock_package(path, index, package, cache)?;
                Ok(LockedPackage { marker, ..locked })
            }
            other => Err(lock_error(
                path,
                format!(
                    "`packages[{index}]` must be a table, not {}",
                    other.type_str()
                ),
            )),
        })
        .collect()
}

/// The `marker` of `packages[index]` (PEP 751: where the entry applies).
fn pylock_marker(
    path: &Path,
    index: usize,
    package: &toml::Table,
) -> Result<Option<skua_requirements::Marker>, SyncError> {
    match package.get("marker") {
        None => Ok(None),
        Some(toml::Value::String(marker)) => marker.parse().map(Some).map_err(|error| {
            lock_error(
                path,
                format!("`packages[{index}].marker` `{marker}` is invalid: {error}"),
            )
        }),
        Some(other) => Err(lock_error(
            path,
            format!(
                "`packages[{index}].marker` must be a string, not {}",
                other.type_str()
            ),
        )),
    }
}

/// One `[[packages]]` entry; `index` names it in errors until its name is known.
fn read_pylock_package(
    path: &Path,
    index: usize,
    package: &toml::Table,
    cache: Option<&skua_cache::Cache>,
) -> Result<LockedPackage, SyncError> {
    let name = match package.get("name") {
        Some(toml::Value::String(name)) => PackageName::new(name)
            .map_err(|error| lock_error(path, format!("`packages[{index}].name`: {error}")))?,
        None => {
            return Err(lock_error(
                path,
                format!("`packages[{index}]` has no `name`"),
            ));
        }
        Some(other) => {
            return Err(lock_error(
                path,
                format!(
                    "`packages[{index}].name` must be a string, not {}",
                    other.type_str()
                ),
            ));
        }
    };
    let wrong_type = |field: &str, expected: &str, found: &toml::Value| {
        lock_error(
            path,
            format!(
                "{name}: `{field}` must be {expected}, not {}",
                found.type_str()
            ),
        )
    };
    let version = match package.get("version") {
        Some(toml::Value::String(version)) => Version::from_str(version).map_err(|error| {
            lock_error(
                path,
                format!("{name}: invalid `version` `{version}`: {error}"),
            )
        })?,
        None => return Err(lock_error(path, format!("{name} has no `version`"))),
        Some(other) => return Err(wrong_type("version", "a string", other)),
    };
    // Installing these from the index by name would install something else than the
    // lock names.
    if let Some(directory) = package.get("directory") {
        let table = directory
            .as_table()
            .ok_or_else(|| wrong_type("directory", "a table", directory))?;
        let dir_path = match table.get("path") {
            Some(toml::Value::String(dir)) => dir,
            None => {
                return Err(lock_error(
                    path,
                    format!("{name}: `directory` has no `path`"),
                ));
            }
            Some(other) => return Err(wrong_type("directory.path", "a string", other)),
        };
        let editable = match table.get("editable") {
            None => false,
            Some(toml::Value::Boolean(editable)) => *editable,
            Some(other) => return Err(wrong_type("directory.editable", "a boolean", other)),
        };
        let base = path.parent().unwrap_or(Path::new("."));
        return Ok(LockedPackage {
            marker: None,
            name,
            version,
            hashes: BTreeSet::new(),
            files: Vec::new(),
            tree: Some(LockedTree {
                path: base.join(dir_path),
                editable,
            }),
        });
    }
    if let Some(vcs) = package.get("vcs") {
        let table = vcs
            .as_table()
            .ok_or_else(|| wrong_type("vcs", "a table", vcs))?;
        let text = |key: &str| match table.get(key) {
            Some(toml::Value::String(value)) => Ok(Some(value.clone())),
            None => Ok(None),
            Some(other) => Err(wrong_type(&format!("vcs.{key}"), "a string", other)),
        };
        if text("type")?.as_deref() != Some("git") {
            return Err(lock_error(
                path,
                format!("{name}: only git `vcs` sources are supported"),
            ));
        }
        let (Some(repository), Some(commit)) = (text("url")?, text("commit-id")?) else {
            return Err(lock_error(
                path,
                format!("{name}: `vcs` needs `url` and `commit-id`"),
            ));
        };
        let git = skua_resolve::vcs::GitReference {
            repository,
            reference: Some(commit),
            subdirectory: text("subdirectory")?,
        };
        let checkout = git_checkout(&git, cache)
            .map_err(|message| lock_error(path, format!("{name}: {message}")))?;
        return Ok(LockedPackage {
            marker: None,
            name,
            version,
            hashes: BTreeSet::new(),
            files: Vec::new(),
            tree: Some(LockedTree {
                path: checkout,
                editable: false,
            }),
        });
    }
    for source in ["archive"] {
        if package.contains_key(source) {
            return Err(lock_error(
                path,
                format!("{name}: `{source}` sources are not supported by sync yet"),
            ));
        }
    }
    let mut entries: Vec<(String, &toml::Table)> = Vec::new();
    match package.get("wheels") {
        None => {}
        Some(toml::Value::Array(wheels)) => {
            for (i, wheel) in wheels.iter().enumerate() {
                match wheel {
                    toml::Value::Table(wheel) => entries.push((format!("wheels[{i}]"), wheel)),
                    other => return Err(wrong_type(&format!("wheels[{i}]"), "a table", other)),
                }
            }
        }
        Some(other) => return Err(wrong_type("wheels", "an array of tables", other)),
    }
    match package.get("sdist") {
        None => {}
        Some(toml::Value::Table(sdist)) => entries.push(("sdist".to_owned(), sdist)),
        Some(other) => return Err(wrong_type("sdist", "a table", other)),
    }
    let mut files = Vec::new();
    let mut hashes = BTreeSet::new();
    for (field, entry) in entries {
        let string = |key: &str| match entry.get(key) {
            None => Ok(None),
            Some(toml::Value::String(value)) => Ok(Some(value.as_str())),
            Some(other) => Err(wrong_type(&format!("{field}.{key}"), "a string", other)),
        };
        let filename = string("name")?;
        let url = string("url")?;
        string("path")?;
        let sha256 = match entry.get("hashes") {
            None => None,
            Some(toml::Value::Table(hashes)) => pylock_sha256(path, &name, &field, hashes)?,
            Some(other) => return Err(wrong_type(&format!("{field}.hashes"), "a table", other)),
        };
        let url = url.map(Url::parse).transpose().map_err(|error| {
            lock_error(path, format!("{name}: `{field}.url` is invalid: {error}"))
        })?;
        // An entry without a digest cannot be verified, so it is never installed as such.
        let Some(sha256) = sha256 else {
            continue;
        };
        // Every digest constrains the package, including those of entries without a url
        // (a `path`, or a file of the index): whatever the index serves must match one.
        hashes.insert(sha256.clone());
        let Some(url) = url else {
            continue;
        };
        // PEP 751 leaves `name` out when the url ends in the file name.
        let filename = match filename {
            Some(filename) => filename.to_owned(),
            None => url
                .path_segments()
                .and_then(|mut segments| segments.next_back())
                .filter(|segment| !segment.is_empty())
                .map(skua_types::percent_decode)
                .ok_or_else(|| {
                    lock_error(
                        path,
                        format!("{name}: `{field}` has no `name` and its url names no file"),
                    )
                })?,
        };
        files.push(LockedFile {
            filename,
            url,
            sha256,
        });
    }
    Ok(LockedPackage {
        marker: None,
        tree: None,
        name,
        version,
        hashes,
        files,
    })
}

/// The sha256 of a file entry's `hashes` table. Digests skua cannot check are an error
/// when no sha256 accompanies them: ignoring them would install the file unverified.
fn pylock_sha256(
    path: &Path,
    name: &PackageName,
    field: &str,
    hashes: &toml::Table,
) -> Result<Option<Sha256>, SyncError> {
    for (algorithm, digest) in hashes {
        if !digest.is_str() {
            return Err(lock_error(
                path,
                format!(
                    "{name}: `{field}.hashes.{algorithm}` must be a string, not {}",
                    digest.type_str()
                ),
            ));
        }
    }
    match hashes.get("sha256").and_then(toml::Value::as_str) {
        Some(hex) => Sha256::from_hex(hex)
            .map(Some)
            .map_err(|error| lock_error(path, format!("{name}: `{field}.hashes`: {error}"))),
        None if hashes.is_empty() => Ok(None),
        None => Err(lock_error(
            path,
            format!(
                "{name}: `{field}.hashes` has no sha256 digest, the only kind skua verifies (it has {})",
                hashes
                    .keys()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// What a sync is asked to do.
#[derive(Clone, Debug)]
pub struct SyncRequest {
    /// The venv; with `system`, the interpreter executable instead.
    pub venv: PathBuf,
    /// Install into the base interpreter `venv` names rather than into a virtual
    /// environment ([`Venv::open_system`]). Such a sync is always inexact: what the lock
    /// does not list belongs to the image or the system, not to the lock.
    pub system: bool,
    /// With `system`: install even when the interpreter is externally managed (PEP 668).
    pub break_system_packages: bool,
    /// How files get from the unpacked cache into the environment.
    pub link_mode: LinkMode,
    /// Keep installed packages the lock does not list.
    pub inexact: bool,
    pub compile_bytecode: bool,
    /// Accept a lock without packages. An exact sync to one uninstalls everything, which
    /// is what an empty or truncated lock file asks for by accident far more often than
    /// on purpose, so without this it is an error and the environment is left alone.
    pub allow_empty: bool,
}

/// What a sync changed.
#[derive(Clone, Debug, Default)]
pub struct SyncReport {
    pub installed: Vec<(PackageName, Version)>,
    /// Versions as the removed distributions' METADATA gave them.
    pub removed: Vec<(PackageName, String)>,
    pub unchanged: usize,
}

/// Progress events for a bar.
#[derive(Clone, Debug)]
pub enum SyncProgress {
    Planned {
        downloads: usize,
    },
    Downloaded {
        name: PackageName,
    },
    Installed {
        name: PackageName,
    },
    /// Something the user must hear about before the sync goes on.
    Warning(SyncWarning),
}

/// What a sync warns about while it goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncWarning {
    /// The lock's header names a target this environment is not: markers may have
    /// chosen other packages, and locked wheels may not fit.
    OtherTarget { lock: String, environment: String },
    /// Packages about to be built from source because no wheel the lock allows fits this
    /// environment (sent after [`SyncWarning::OtherTarget`], before the first build).
    Builds {
        packages: Vec<(PackageName, Version)>,
    },
}

impl std::fmt::Display for SyncWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncWarning::OtherTarget { lock, environment } => write!(
                f,
                "the lock was made for {lock}, but this environment is {environment}: lock again for it (`skua lock --python-version` / `--python-platform`) to install what it needs"
            ),
            SyncWarning::Builds { packages } => {
                let list: Vec<String> = packages
                    .iter()
                    .map(|(name, version)| format!("{name}=={version}"))
                    .collect();
                write!(
                    f,
                    "no wheel in the lock fits this environment for {}; building from source",
                    list.join(", ")
                )
            }
        }
    }
}

/// Picks the best wheel of `package` for `tags` among `candidates` whose sha256 the lock
/// allows, else its sdist (which the caller builds).
fn best_file(
    package: &LockedPackage,
    candidates: Vec<DistFile>,
    tags: &Tags,
    target: &Target,
) -> Result<DistFile, SyncError> {
    let allowed = |file: &DistFile| {
        package.hashes.is_empty()
            || file
                .sha256
                .as_ref()
                .is_some_and(|hash| package.hashes.contains(hash))
    };
    let mut hashed_out = 0;
    let mut best: Option<(usize, DistFile)> = None;
    let mut sdist: Option<DistFile> = None;
    for file in candidates {
        if file.version() != &package.version {
            continue;
        }
        if !allowed(&file) {
            hashed_out += 1;
            continue;
        }
        match &file.kind {
            DistKind::Wheel(wheel) => {
                if let Some(rank) =
                    tags.rank(&wheel.python_tags, &wheel.abi_tags, &wheel.platform_tags)
                    && best.as_ref().is_none_or(|(best_rank, _)| rank < *best_rank)
                {
                    best = Some((rank, file));
                }
            }
            DistKind::Sdist { .. } => sdist = Some(file),
        }
    }
    // A wheel always wins: building is slow and runs the package's own code.
    best.map(|(_, file)| file).or(sdist).ok_or_else(|| {
        let why = if hashed_out > 0 {
            "no wheel for this platform has a hash listed in the lock"
        } else {
            "no wheel of that version exists for this platform"
        };
        SyncError::Other(format!(
            "cannot install {}=={} on {target}: {why}",
            package.name, package.version
        ))
    })
}

/// Makes the environment at `request.venv` match the lock file at `lock`.
pub fn sync(
    lock: &Path,
    request: &SyncRequest,
    context: &Arc<Context>,
    progress: Arc<dyn Fn(SyncProgress) + Send + Sync>,
) -> Result<SyncReport, SyncError> {
    let lock = read_lock_file(lock, Some(context.cache()))?;
    sync_packages_inner(
        &lock.packages,
        request,
        context,
        progress,
        true,
        lock.made_for.as_ref(),
    )
}

/// Makes the environment at `request.venv` hold exactly `packages`.
pub fn sync_packages(
    packages: &[LockedPackage],
    request: &SyncRequest,
    context: &Arc<Context>,
    progress: Arc<dyn Fn(SyncProgress) + Send + Sync>,
) -> Result<SyncReport, SyncError> {
    sync_packages_inner(packages, request, context, progress, true, None)
}

/// [`sync_packages`]; `allow_build: false` (for build environments) refuses sdists, so a
/// build backend is never built with itself.
pub(crate) fn sync_packages_inner(
    packages: &[LockedPackage],
    request: &SyncRequest,
    context: &Arc<Context>,
    progress: Arc<dyn Fn(SyncProgress) + Send + Sync>,
    allow_build: bool,
    made_for: Option<&MadeFor>,
) -> Result<SyncReport, SyncError> {
    if packages.is_empty() && !request.allow_empty {
        return Err(SyncError::EmptyLock);
    }
    let venv = if request.system {
        Venv::open_system(
            &request.venv,
            Some(context.cache()),
            request.break_system_packages,
        )?
    } else {
        Venv::open(&request.venv, Some(context.cache()))?
    };
    let inexact = request.inexact || venv.system;
    let _guard = lock_environment(&venv)?;
    let target = target_of(&venv.interpreter)?;
    let tags = target.tags();
    let other_target = made_for.filter(|made_for| !made_for.serves(&target));
    if let Some(made_for) = other_target {
        progress(SyncProgress::Warning(SyncWarning::OtherTarget {
            lock: made_for.to_string(),
            environment: target.to_string(),
        }));
    }
    let applicable = for_environment(packages, &target.marker_environment())?;
    let packages = applicable.as_slice();

    let installed: BTreeMap<PackageName, skua_install::InstalledDist> = venv
        .installed()?
        .into_iter()
        .map(|dist| (dist.name.clone(), dist))
        .collect();
    let wanted: BTreeMap<&PackageName, &LockedPackage> = packages
        .iter()
        .map(|package| (&package.name, package))
        .collect();
    let mut report = SyncReport::default();
    let to_install: Vec<&LockedPackage> = packages
        .iter()
        .filter(|package| {
            installed
                .get(&package.name)
                .is_none_or(|dist| !up_to_date(package, dist))
        })
        .collect();
    report.unchanged = packages.len() - to_install.len();
    progress(SyncProgress::Planned {
        downloads: to_install.len(),
    });

    let client = context.client()?;

    // Download (and verify) everything before touching the environment.
    let downloads: Result<Vec<Fetched>, SyncError> = context.runtime().block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for package in &to_install {
            let package = (*package).clone();
            let client = client.clone();
            let tags = tags.clone();
            let target = target.clone();
            let progress = Arc::clone(&progress);
            tasks.spawn(async move {
                // Built below, after every download.
                if let Some(tree) = &package.tree {
                    let dir = tree.path.clone();
                    return Ok((package, dir, String::new(), None));
                }
                if let Some((path, filename, hash)) = cached_wheel(&client, &package, &tags) {
                    progress(SyncProgress::Downloaded {
                        name: package.name.clone(),
                    });
                    return Ok((package, path, filename, Some(hash)));
                }
                let mut candidates = pylock_files(&package)?;
                if needs_index(&package) {
                    candidates.extend(client.project(&package.name).await?.files.clone());
                }
                let file = best_file(&package, candidates, &tags, &target)?;
                let path = client.fetch(&file).await?;
                progress(SyncProgress::Downloaded {
                    name: package.name.clone(),
                });
                Ok::<_, SyncError>((package, path, file.filename.clone(), file.sha256.clone()))
            });
        }
        let mut done = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let result = joined
                .map_err(|error| SyncError::Other(format!("download task failed: {error}")))?;
            done.push(result?);
        }
        done.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok::<_, SyncError>(done)
    });
    let mut downloads = downloads?;
    let builds: Vec<(PackageName, Version)> = downloads
        .iter()
        .filter(|(package, _, filename, _)| {
            package.tree.is_none() && WheelFilename::parse(filename).is_none()
        })
        .map(|(package, _, _, _)| (package.name.clone(), package.version.clone()))
        .collect();
    if other_target.is_some() && !builds.is_empty() {
        progress(SyncProgress::Warning(SyncWarning::Builds {
            packages: builds,
        }));
    }

    // Sdists become wheels here, outside async code: a build blocks, and it resolves and
    // installs its build requirements on the same runtime.
    let mut build_context = None;
    // Wheels built from project directories, kept until they are installed; made only
    // when there is one.
    let mut tree_wheels: Option<tempfile::TempDir> = None;
    for (package, path, filename, hash) in &mut downloads {
        if package.tree.is_none() && WheelFilename::parse(filename).is_some() {
            continue;
        }
        if !allow_build {
            return Err(SyncError::Other(format!(
                "cannot install {}=={} into a build environment: only a source distribution matches",
                package.name, package.version
            )));
        }
        let context = match &build_context {
            Some(context) => context,
            None => build_context.insert(build::build_context(&venv.interpreter, context)),
        };
        let built = match &package.tree {
            Some(tree) => {
                let kind = if tree.editable {
                    skua_build::WheelKind::Editable
                } else {
                    skua_build::WheelKind::Regular
                };
                let out = match &tree_wheels {
                    Some(dir) => dir.path().to_path_buf(),
                    None => {
                        let scratch = context.cache.bucket("build-scratch-v1");
                        let dir = std::fs::create_dir_all(&scratch)
                            .and_then(|()| {
                                tempfile::Builder::new()
                                    .prefix("tree-wheels-")
                                    .tempdir_in(&scratch)
                            })
                            .map_err(|error| {
                                SyncError::Other(format!(
                                    "cannot create a build directory: {error}"
                                ))
                            })?;
                        tree_wheels.insert(dir).path().to_path_buf()
                    }
                };
                skua_build::build_tree_wheel(&tree.path, kind, &out, context)
            }
            None => skua_build::build_wheel(path, context),
        };
        let wheel = built.map_err(|source| SyncError::Build {
            name: package.name.clone(),
            version: package.version.clone(),
            source: Box::new(source),
        })?;
        *filename = wheel
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        *path = wheel;
        // A wheel built here has no hash of the lock's.
        *hash = None;
    }

    let unpacked_root = context.cache().bucket("wheels-v2");
    // Unpacking only touches the cache (each wheel its own directory, renamed into place),
    // so wheels unpack in parallel; the environment is changed afterwards.
    let mut unpacked = {
        use rayon::prelude::*;
        downloads
            .into_par_iter()
            .map(|(package, path, filename, hash)| {
                match &hash {
                    Some(hash) => unpack_wheel_with_hash(&path, hash, &unpacked_root),
                    None => unpack_wheel(&path, &unpacked_root),
                }
                .map(|dir| (package, dir, filename))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    unpacked.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    // A wheel that is not the locked distribution (a build that produced another
    // version, a file whose metadata contradicts its name) is refused while the
    // environment is still untouched.
    for (package, dir, filename) in &unpacked {
        verify_wheel(dir, filename, Some((&package.name, &package.version)))?;
    }

    // What goes: outdated or incomplete installs of locked packages, and (exact syncs)
    // what the lock does not list.
    let mut replaced = Vec::new();
    let mut removed = Vec::new();
    for (name, dist) in &installed {
        let outdated = wanted
            .get(name)
            .is_some_and(|package| !up_to_date(package, dist));
        let unlisted = !wanted.contains_key(name) && !inexact && !is_tooling(name);
        if outdated || unlisted {
            replaced.push(dist.clone());
            if unlisted {
                removed.push((name.clone(), dist.version.clone()));
            }
        }
    }
    // A wheel must not take files from a package that stays, checked for all of them
    // while nothing has been removed yet.
    let plans = unpacked
        .iter()
        .map(|(_, dir, filename)| InstallPlan::new(&venv, dir, filename))
        .collect::<Result<Vec<_>, _>>()?;
    check_conflicts(&venv, &plans, &replaced)?;

    for dist in &replaced {
        uninstall(&venv, dist)?;
    }
    report.removed = removed;
    install_plans(&venv, &plans, request.link_mode, &|index| {
        progress(SyncProgress::Installed {
            name: unpacked[index].0.name.clone(),
        });
    })?;
    report.installed = unpacked
        .iter()
        .map(|(package, _, _)| (package.name.clone(), package.version.clone()))
        .collect();
    if request.compile_bytecode && !unpacked.is_empty() {
        compile_bytecode(&venv, std::slice::from_ref(&venv.site_packages))?;
    }
    Ok(report)
}

/// A package's file as the download phase leaves it: path, filename, and the sha256 it
/// was found or downloaded by (checked on download; none for what is built here).
type Fetched = (LockedPackage, PathBuf, String, Option<Sha256>);

/// Pins of a resolution, with every file's hash (what a pylock.toml would hold).
pub(crate) fn locked_from_resolution(resolution: &skua_resolve::Resolution) -> Vec<LockedPackage> {
    resolution
        .packages
        .values()
        .map(|package| LockedPackage {
            marker: None,
            tree: None,
            name: package.name.clone(),
            version: package.version.clone(),
            hashes: package
                .all_files
                .iter()
                .filter_map(|file| file.sha256.clone())
                .collect(),
            files: package
                .all_files
                .iter()
                .filter_map(|file| {
                    file.sha256.clone().map(|sha256| LockedFile {
                        filename: file.filename.clone(),
                        url: file.url.clone(),
                        sha256,
                    })
                })
                .collect(),
        })
        .collect()
}

/// The best already-downloaded wheel whose hash the lock allows, found by hash alone.
fn cached_wheel(
    client: &skua_index::IndexClient,
    package: &LockedPackage,
    tags: &Tags,
) -> Option<(PathBuf, String, Sha256)> {
    let rank = |filename: &str| {
        let wheel = WheelFilename::parse(filename)?;
        if wheel.version != package.version {
            return None;
        }
        tags.rank(&wheel.python_tags, &wheel.abi_tags, &wheel.platform_tags)
    };
    // A lock with every file's name (pylock, or skua's own) says which hashes can only
    // be sdists or other platforms' wheels: no need to look for them on disk.
    let named: HashMap<&Sha256, &str> = package
        .files
        .iter()
        .map(|file| (&file.sha256, file.filename.as_str()))
        .collect();
    let mut best: Option<(usize, PathBuf, String, Sha256)> = None;
    for hash in &package.hashes {
        if named
            .get(hash)
            .is_some_and(|filename| rank(filename).is_none())
        {
            continue;
        }
        for path in client.cached_files(hash) {
            let Some(filename) = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
            else {
                continue;
            };
            if let Some(rank) = rank(&filename)
                && best
                    .as_ref()
                    .is_none_or(|(best_rank, _, _, _)| rank < *best_rank)
            {
                best = Some((rank, path, filename, hash.clone()));
            }
        }
    }
    best.map(|(_, path, filename, hash)| (path, filename, hash))
}

/// Whether `dist` is `package` and all there. An install interrupted by a kill, or an
/// uninstall cut short, is not: it is removed (with what is left of its files) and
/// installed again.
fn up_to_date(package: &LockedPackage, dist: &skua_install::InstalledDist) -> bool {
    // A project directory changes without a new version: it is built and installed anew.
    package.tree.is_none()
        && dist.incomplete.is_none()
        && same_version(&package.version, &dist.version)
}

/// PEP 440 equality (`1.0` is `1.0.0`) with an installed distribution's version; one that
/// does not parse never equals a lock's version, so it is reinstalled.
fn same_version(locked: &Version, installed: &str) -> bool {
    Version::from_str(installed.trim()).is_ok_and(|installed| &installed == locked)
}

/// Build tooling a fresh `python -m venv` ships with; exact syncs leave it alone, as uv does
/// for environments it did not create.
fn is_tooling(name: &PackageName) -> bool {
    matches!(name.as_str(), "pip" | "setuptools" | "wheel")
}

/// Whether the index must be asked for files: a requirements.txt lock names none, and a
/// pylock.toml's hashes of entries without a url name files only the index has.
fn needs_index(package: &LockedPackage) -> bool {
    package.files.is_empty()
        || package
            .hashes
            .iter()
            .any(|hash| !package.files.iter().any(|file| &file.sha256 == hash))
}

fn pylock_files(package: &LockedPackage) -> Result<Vec<DistFile>, SyncError> {
    package
        .files
        .iter()
        .map(|file| {
            let filename = &file.filename;
            let kind = match WheelFilename::parse(filename) {
                Some(wheel) => DistKind::Wheel(wheel),
                None => {
                    let SdistFilename { name, version } =
                        SdistFilename::parse(filename, Some(&package.name)).ok_or_else(|| {
                            SyncError::Other(format!("unrecognised file name {filename}"))
                        })?;
                    DistKind::Sdist { name, version }
                }
            };
            Ok(DistFile {
                filename: filename.clone(),
                url: file.url.clone(),
                kind,
                sha256: Some(file.sha256.clone()),
                requires_python: None,
                yanked: None,
                upload_time: None,
                size: None,
                core_metadata: None,
            })
        })
        .collect()
}

/// The target an interpreter skua has already probed runs on: no second Python start.
pub(crate) fn target_of(
    interpreter: &skua_install::Interpreter,
) -> Result<Target, skua_platform::PlatformError> {
    Target::from_reported(
        &interpreter.executable.to_string_lossy(),
        &skua_platform::ReportedPlatform {
            python_version: &interpreter.full_version,
            sysconfig_platform: &interpreter.platform,
            libc: &interpreter.libc,
            mac_version: &interpreter.mac_version,
        },
    )
}

/// One `name==version` (or `name @ url`, git) line of a requirements.txt lock, its marker
/// aside.
fn requirements_lock_entry(
    path: &Path,
    requirement: &skua_requirements::Requirement,
    cache: Option<&skua_cache::Cache>,
    at_line: impl Fn(String) -> SyncError,
) -> Result<LockedPackage, SyncError> {
    if let Some(reference) = &requirement.url
        && let Some(git) = skua_resolve::vcs::GitReference::parse(reference)
    {
        let checkout = git_checkout(&git, cache).map_err(&at_line)?;
        return tree_locked_package(&checkout, false, requirement.package_name.as_ref())
            .map_err(at_line);
    }
    if let Some(reference) = &requirement.url {
        let dir = path.parent().unwrap_or(Path::new("."));
        let absolute = skua_resolve::absolute_reference(reference, dir);
        let package = match local_dir(&absolute) {
            Some(tree) => tree_locked_package(&tree, false, requirement.package_name.as_ref()),
            None => direct_locked_package(path, requirement, reference),
        };
        return package.map_err(at_line);
    }
    let version = requirement
        .specifiers
        .strip_prefix("===")
        .or_else(|| requirement.specifiers.strip_prefix("=="))
        .filter(|version| requirement.is_pinned() && !version.contains(','))
        .ok_or_else(|| {
            at_line(format!(
                "`{}{}` is not pinned with ==",
                requirement.name, requirement.specifiers
            ))
        })?;
    // A digest skua cannot check is an error: dropping it would install the package
    // unverified.
    let hashes = requirement
        .hashes
        .iter()
        .map(|hash| {
            hash.parse::<Sha256>()
                .map_err(|error| at_line(error.to_string()))
        })
        .collect::<Result<_, _>>()?;
    let name = requirement.package_name.clone().ok_or_else(|| {
        at_line(format!(
            "`{}` is not a valid package name",
            requirement.name
        ))
    })?;
    let version = Version::from_str(version)
        .map_err(|error| at_line(format!("invalid version `{version}`: {error}")))?;
    Ok(LockedPackage {
        marker: None,
        tree: None,
        name,
        version,
        hashes,
        files: Vec::new(),
    })
}

/// The entries of `packages` whose markers hold for `env`: what a sync installs. Two
/// entries of one name that both hold are an error (the lock is ambiguous there).
pub fn for_environment(
    packages: &[LockedPackage],
    env: &skua_requirements::MarkerEnvironment,
) -> Result<Vec<LockedPackage>, SyncError> {
    let mut chosen: BTreeMap<&PackageName, &LockedPackage> = BTreeMap::new();
    for package in packages {
        if package
            .marker
            .as_ref()
            .is_some_and(|marker| !marker.evaluate(env, &[]))
        {
            continue;
        }
        if let Some(other) = chosen.insert(&package.name, package)
            && other.version != package.version
        {
            return Err(SyncError::Other(format!(
                "the lock has {name}=={} and {name}=={} for this environment (Python {} on {}): their markers overlap",
                other.version,
                package.version,
                env.python_full_version,
                env.sys_platform,
                name = package.name,
            )));
        }
    }
    Ok(chosen.into_values().cloned().collect())
}
