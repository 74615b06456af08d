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
    InstallError, InstallPlan, LinkMode, Venv, check_conflicts, compile_bytecode, install_plan,
    lock_environment, uninstall, unpack_wheel, verify_wheel,
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
    let text =
        skua_cache::read_user_file(path).map_err(|error| lock_error(path, error.to_string()))?;
    let is_pylock = path
        .extension()
        .is_some_and(|extension| extension == "toml");
    let packages = if is_pylock {
        read_pylock(path, &text)?
    } else {
        read_requirements_lock(path, &text)?
    };
    // `--require-hashes` semantics: once any entry has a hash, all must.
    let hashed = packages
        .iter()
        .filter(|package| !package.hashes.is_empty())
        .count();
    if hashed > 0
        && let Some(unhashed) = packages.iter().find(|package| package.hashes.is_empty())
    {
        return Err(lock_error(
            path,
            format!(
                "{}=={} has no hash, but the lock uses hashes: every entry needs one",
                unhashed.name, unhashed.version
            ),
        ));
    }
    Ok(packages)
}

fn read_requirements_lock(path: &Path, text: &str) -> Result<Vec<LockedPackage>, SyncError> {
    let mut packages = Vec::new();
    for entry in skua_requirements::parse_requirements(text).entries {
        match entry.kind {
            EntryKind::Requirement(requirement) => {
                let at_line =
                    |message: String| lock_error(path, format!("line {}: {message}", entry.line));
                let version = requirement
                    .specifiers
                    .strip_prefix("===")
                    .or_else(|| requirement.specifiers.strip_prefix("=="))
                    .filter(|version| requirement.is_pinned() && !version.contains(','))
                    .ok_or_else(|| {
                        lock_error(
                            path,
                            format!(
                                "line {}: `{}{}` is not pinned with ==",
                                entry.line, requirement.name, requirement.specifiers
                            ),
                        )
                    })?;
                if requirement.url.is_some() {
                    return Err(lock_error(
                        path,
                        format!(
                            "line {}: URL requirements are not supported by sync yet",
                            entry.line
                        ),
                    ));
                }
                // A digest skua cannot check is an error: dropping it would install the
                // package unverified.
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
                packages.push(LockedPackage {
                    name,
                    version,
                    hashes,
                    files: Vec::new(),
                });
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
fn read_pylock(path: &Path, text: &str) -> Result<Vec<LockedPackage>, SyncError> {
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
            toml::Value::Table(package) => read_pylock_package(path, index, package),
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

/// One `[[packages]]` entry; `index` names it in errors until its name is known.
fn read_pylock_package(
    path: &Path,
    index: usize,
    package: &toml::Table,
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
    for source in ["vcs", "directory", "archive"] {
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
    Planned { downloads: usize },
    Downloaded { name: PackageName },
    Installed { name: PackageName },
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
    let packages = read_lock(lock)?;
    sync_packages(&packages, request, context, progress)
}

/// Makes the environment at `request.venv` hold exactly `packages`.
pub fn sync_packages(
    packages: &[LockedPackage],
    request: &SyncRequest,
    context: &Arc<Context>,
    progress: Arc<dyn Fn(SyncProgress) + Send + Sync>,
) -> Result<SyncReport, SyncError> {
    sync_packages_inner(packages, request, context, progress, true)
}

/// [`sync_packages`]; `allow_build: false` (for build environments) refuses sdists, so a
/// build backend is never built with itself.
pub(crate) fn sync_packages_inner(
    packages: &[LockedPackage],
    request: &SyncRequest,
    context: &Arc<Context>,
    progress: Arc<dyn Fn(SyncProgress) + Send + Sync>,
    allow_build: bool,
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
    let downloads: Result<Vec<(LockedPackage, PathBuf, String)>, SyncError> =
        context.runtime().block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for package in &to_install {
                let package = (*package).clone();
                let client = client.clone();
                let tags = tags.clone();
                let target = target.clone();
                let progress = Arc::clone(&progress);
                tasks.spawn(async move {
                    if let Some((path, filename)) = cached_wheel(&client, &package, &tags) {
                        progress(SyncProgress::Downloaded {
                            name: package.name.clone(),
                        });
                        return Ok((package, path, filename));
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
                    Ok::<_, SyncError>((package, path, file.filename.clone()))
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

    // Sdists become wheels here, outside async code: a build blocks, and it resolves and
    // installs its build requirements on the same runtime.
    let mut build_context = None;
    for (package, path, filename) in &mut downloads {
        if WheelFilename::parse(filename).is_some() {
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
            None => {
                let interpreter = skua_install::Interpreter::query(&venv.python())?;
                build_context.insert(build::build_context(&interpreter, context))
            }
        };
        let wheel = skua_build::build_wheel(path, context).map_err(|source| SyncError::Build {
            name: package.name.clone(),
            version: package.version.clone(),
            source: Box::new(source),
        })?;
        *filename = wheel
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        *path = wheel;
    }

    let unpacked_root = context.cache().bucket("wheels-v2");
    // Unpacking only touches the cache (each wheel its own directory, renamed into place),
    // so wheels unpack in parallel; the environment is changed afterwards, in order.
    let workers = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .min(downloads.len().max(1));
    let queue = std::sync::Mutex::new(downloads.into_iter());
    let results = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut queue| queue.next()).unwrap_or(None);
                    let Some((package, path, filename)) = next else {
                        break;
                    };
                    let result =
                        unpack_wheel(&path, &unpacked_root).map(|dir| (package, dir, filename));
                    if let Ok(mut results) = results.lock() {
                        results.push(result);
                    }
                }
            });
        }
    });
    let mut unpacked = Vec::new();
    for result in results.into_inner().unwrap_or_default() {
        unpacked.push(result?);
    }
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
    for ((package, _, _), plan) in unpacked.iter().zip(&plans) {
        install_plan(&venv, plan, request.link_mode)?;
        progress(SyncProgress::Installed {
            name: package.name.clone(),
        });
        report
            .installed
            .push((package.name.clone(), package.version.clone()));
    }
    if request.compile_bytecode && !unpacked.is_empty() {
        compile_bytecode(&venv, std::slice::from_ref(&venv.site_packages))?;
    }
    Ok(report)
}

/// Pins of a resolution, with every file's hash (what a pylock.toml would hold).
pub(crate) fn locked_from_resolution(resolution: &skua_resolve::Resolution) -> Vec<LockedPackage> {
    resolution
        .packages
        .values()
        .map(|package| LockedPackage {
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
) -> Option<(PathBuf, String)> {
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
    let mut best: Option<(usize, PathBuf, String)> = None;
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
                    .is_none_or(|(best_rank, _, _)| rank < *best_rank)
            {
                best = Some((rank, path, filename));
            }
        }
    }
    best.map(|(_, path, filename)| (path, filename))
}

/// Whether `dist` is `package` and all there. An install interrupted by a kill, or an
/// uninstall cut short, is not: it is removed (with what is left of its files) and
/// installed again.
fn up_to_date(package: &LockedPackage, dist: &skua_install::InstalledDist) -> bool {
    dist.incomplete.is_none() && same_version(&package.version, &dist.version)
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
