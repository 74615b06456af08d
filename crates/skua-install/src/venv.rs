//! Virtual environments (PEP 405), created natively rather than with `python -m venv`:
//! a `pyvenv.cfg`, interpreter symlinks to the base installation, an empty
//! `site-packages` and activation scripts. No pip is seeded.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::activate;
use crate::error::{InstallError, IoContext};
use crate::interpreter::Interpreter;
use skua_types::PackageName;

use crate::names::{is_project, metadata_name_version, split_dist_info_name};
use crate::paths::join_record_path;
use crate::pyvenv_cfg::PyVenvCfg;
use crate::record::parse_record;

/// How to create a virtual environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenvOptions {
    /// The name activation scripts show in the shell prompt. `None` uses the venv
    /// directory's name; `"."` uses the current directory's name (like `venv --prompt .`).
    pub prompt: Option<String>,
    /// Let the venv see the base interpreter's site-packages.
    pub system_site_packages: bool,
    /// Replace an existing virtual environment at the path, deleting everything in it.
    /// When false, an existing venv is an error. A non-empty directory that is not a venv
    /// is never replaced, even when clearing.
    pub clear: bool,
}

impl Default for VenvOptions {
    /// Never replaces an existing venv: it may hold packages and files of the user's that
    /// nothing can bring back, so deleting it must be asked for.
    fn default() -> Self {
        VenvOptions {
            prompt: None,
            system_site_packages: false,
            clear: false,
        }
    }
}

/// An existing virtual environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venv {
    /// Absolute path of the environment (symlinks in it are kept as given).
    pub root: PathBuf,
    /// The venv's own interpreter: `executable` is `<root>/bin/python`.
    pub interpreter: Interpreter,
    /// `purelib`: where packages and `.dist-info` directories go.
    pub site_packages: PathBuf,
    /// `platlib`; usually the same directory as `site_packages`.
    pub platlib: PathBuf,
    /// `bin`: the interpreter links, activation scripts and installed commands.
    pub scripts: PathBuf,
    /// A base interpreter's own installation ([`Venv::open_system`]) rather than a venv:
    /// `root` is then the directory its scheme's directories share.
    pub system: bool,
}

/// PEP 668's marker of an interpreter whose packages another package manager owns.
pub const EXTERNALLY_MANAGED: &str = "EXTERNALLY-MANAGED";

/// The file [`crate::install_wheel`] keeps in a `.dist-info` directory while it installs:
/// RECORD's format, listing every path the install may create. Present afterwards only if
/// the install was interrupted (killed), and then it tells what to clean up.
pub const INSTALLING_MARKER: &str = "SKUA-INSTALLING";

/// A distribution installed in a venv, found through its `.dist-info` directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledDist {
    pub name: PackageName,
    pub version: String,
    pub dist_info: PathBuf,
    /// The content of `INSTALLER` (`skua`, `pip`, `uv`), if there is one.
    pub installer: Option<String>,
    /// Why the distribution is not completely installed, if it is not: a sync treats it
    /// as not installed, removes what is left of it and installs it again.
    pub incomplete: Option<Incomplete>,
}

/// How a `.dist-info` directory shows that its distribution is not all there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incomplete {
    /// Its install was interrupted: [`INSTALLING_MARKER`] is still there.
    Interrupted,
    /// It has no RECORD (an install interrupted before RECORD was written, by skua
    /// versions without the marker or by another tool), so what it installed is unknown.
    NoRecord,
    /// Its RECORD cannot be parsed.
    BadRecord(String),
    /// RECORD lists a file that does not exist (e.g. an interrupted uninstall). The
    /// path as RECORD spells it.
    MissingFile(String),
}

impl std::fmt::Display for Incomplete {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Incomplete::Interrupted => f.write_str("its installation was interrupted"),
            Incomplete::NoRecord => f.write_str("it has no RECORD"),
            Incomplete::BadRecord(reason) => write!(f, "its RECORD is invalid: {reason}"),
            Incomplete::MissingFile(path) => write!(f, "{path}, listed in its RECORD, is missing"),
        }
    }
}

impl Venv {
    /// Opens the venv at `root`, asking its interpreter for its layout.
    /// `probes` caches the interpreter's answers (see [`Interpreter::query_cached`]).
    pub fn open(root: &Path, probes: Option<&skua_cache::Cache>) -> Result<Venv, InstallError> {
        let root = std::path::absolute(root).at("resolve", root)?;
        let not_venv = |reason: String| InstallError::NotAVenv {
            path: root.clone(),
            reason,
        };
        if !root.join("pyvenv.cfg").is_file() {
            return Err(not_venv("it has no pyvenv.cfg".into()));
        }
        let python = root.join(BIN_DIR).join(PYTHON_EXE);
        if !python.exists() {
            return Err(not_venv(format!("{} does not exist", python.display())));
        }
        let interpreter = Interpreter::query_cached(&python, probes)?;
        if !same_dir(&interpreter.sys_prefix, &root) {
            return Err(not_venv(format!(
                "its python reports sys.prefix = {}",
                interpreter.sys_prefix.display()
            )));
        }
        Ok(Venv::from_interpreter(root, interpreter))
    }

    fn from_interpreter(root: PathBuf, interpreter: Interpreter) -> Venv {
        Venv {
            site_packages: root.join(&interpreter.layout.purelib),
            platlib: root.join(&interpreter.layout.platlib),
            scripts: root.join(&interpreter.layout.scripts),
            root,
            interpreter,
            system: false,
        }
    }

    /// The installation of the base interpreter `executable` itself, for installing
    /// into it (`skua sync --system`, for containers): its default `sysconfig` scheme's
    /// purelib, platlib and scripts. A virtual environment is refused (sync it as one),
    /// and so is an interpreter that PEP 668 marks as externally managed (an
    /// `EXTERNALLY-MANAGED` file in its stdlib directory) unless
    /// `break_system_packages`, as pip does.
    pub fn open_system(
        executable: &Path,
        probes: Option<&skua_cache::Cache>,
        break_system_packages: bool,
    ) -> Result<Venv, InstallError> {
        let interpreter = Interpreter::query_cached(executable, probes)?;
        if interpreter.is_venv {
            return Err(InstallError::NotASystemInterpreter {
                path: interpreter.executable.clone(),
                venv: interpreter.sys_prefix.clone(),
            });
        }
        let marker = interpreter.install_paths.stdlib.join(EXTERNALLY_MANAGED);
        if !break_system_packages && marker.exists() {
            return Err(InstallError::ExternallyManaged {
                path: interpreter.executable.clone(),
                marker,
            });
        }
        let paths = &interpreter.install_paths;
        let (site_packages, platlib, scripts) = (
            paths.purelib.clone(),
            paths.platlib.clone(),
            paths.scripts.clone(),
        );
        // Installs and uninstalls stay inside `root`; the narrowest directory holding
        // all three is `sys.prefix` on most installations, `/usr/local` on Debian's.
        let root = [&platlib, &scripts]
            .into_iter()
            .fold(site_packages.clone(), |common, dir| {
                common
                    .ancestors()
                    .find(|ancestor| dir.starts_with(ancestor))
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            });
        if root.as_os_str().is_empty() || root.parent().is_none() {
            return Err(InstallError::InterpreterQuery {
                path: interpreter.executable.clone(),
                reason: format!(
                    "its installation directories ({}, {}, {}) share no directory but /",
                    site_packages.display(),
                    platlib.display(),
                    scripts.display()
                ),
            });
        }
        Ok(Venv {
            root,
            interpreter,
            site_packages,
            platlib,
            scripts,
            system: true,
        })
    }

    /// What to run, and what installed scripts' shebangs name: `<root>/bin/python` in a
    /// venv, the interpreter itself in a system installation.
    pub fn python(&self) -> PathBuf {
        if self.system {
            self.interpreter.executable.clone()
        } else {
            self.scripts.join(PYTHON_EXE)
        }
    }

    /// Where a wheel's `.data/headers` go: `<root>/include/site/python3.X/<name>`, as
    /// pip and uv do, since a venv has no include directory of its own.
    pub fn headers_dir(&self, name: &str) -> PathBuf {
        self.root
            .join("include")
            .join("site")
            .join(format!("python{}", self.interpreter.python_minor_version()))
            .join(name)
    }

    /// Whether `path` is one of the files that make the directory a venv (pyvenv.cfg,
    /// the interpreter links, the activation scripts), which no wheel may replace.
    pub(crate) fn is_own_file(&self, path: &Path) -> bool {
        if path == self.root.join("pyvenv.cfg") {
            return true;
        }
        if path.parent() != Some(self.scripts.as_path()) {
            return false;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return false;
        };
        matches!(
            name,
            "python" | "python3" | "pythonw" | "pypy" | "pypy3" | "activate"
        ) || name.starts_with("activate.")
            || name
                .strip_prefix("python3.")
                .is_some_and(|minor| minor.trim_end_matches('t').parse::<u16>().is_ok())
    }

    /// `site_packages`, then `platlib` when it is a different directory.
    pub(crate) fn lib_dirs(&self) -> Vec<&Path> {
        let mut dirs = vec![self.site_packages.as_path()];
        if !same_dir(&self.platlib, &self.site_packages) {
            dirs.push(self.platlib.as_path());
        }
        dirs
    }

    /// Every distribution with a `.dist-info` directory in the venv, sorted by name,
    /// complete or not ([`InstalledDist::incomplete`]).
    pub fn installed(&self) -> Result<Vec<InstalledDist>, InstallError> {
        let mut found = Vec::new();
        for dir in self.lib_dirs() {
            let entries = match fs::read_dir(dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e).at("read", dir),
            };
            for entry in entries {
                let entry = entry.at("read", dir)?;
                let path = entry.path();
                let is_dist_info = entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| split_dist_info_name(n).is_some());
                if is_dist_info && path.is_dir() {
                    found.push(InstalledDist::read(&path)?);
                }
            }
        }
        found.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.version.cmp(&b.version)));
        Ok(found)
    }

    /// The installed distribution called `name` (any spelling), if any.
    ///
    /// Only `.dist-info` directories whose name matches are read, so this stays cheap in
    /// a venv with hundreds of packages (it runs before every install).
    pub fn find(&self, name: &PackageName) -> Result<Option<InstalledDist>, InstallError> {
        for dir in self.lib_dirs() {
            let entries = match fs::read_dir(dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e).at("read", dir),
            };
            for entry in entries {
                let entry = entry.at("read", dir)?;
                let matches = entry
                    .file_name()
                    .to_str()
                    .and_then(split_dist_info_name)
                    .is_some_and(|(project, _)| is_project(project, name));
                if matches && entry.path().is_dir() {
                    return InstalledDist::read(&entry.path()).map(Some);
                }
            }
        }
        Ok(None)
    }
}

impl InstalledDist {
    /// Reads a `.dist-info` directory. METADATA's `Name` and `Version` win over the
    /// directory name, which older installers did not always escape consistently.
    pub fn read(dist_info: &Path) -> Result<InstalledDist, InstallError> {
        Self::read_with(dist_info, FileCheck::EveryFile)
    }

    pub(crate) fn read_with(
        dist_info: &Path,
        file_check: FileCheck,
    ) -> Result<InstalledDist, InstallError> {
        let dir_name = dist_info
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let (dir_project, dir_version) =
            split_dist_info_name(dir_name).ok_or_else(|| InstallError::InvalidDistInfo {
                path: dist_info.to_path_buf(),
                reason: "not a `{name}-{version}.dist-info` directory".into(),
            })?;
        let mut name = dir_project.to_owned();
        let mut version = dir_version.to_owned();
        let metadata = dist_info.join("METADATA");
        match fs::read(&metadata) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes);
                let (meta_name, meta_version) = metadata_name_version(&text);
                if let Some(value) = meta_name {
                    name = value.to_owned();
                }
                if let Some(value) = meta_version {
                    version = value.to_owned();
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).at("read", &metadata),
        }
        let installer_path = dist_info.join("INSTALLER");
        let installer = match fs::read_to_string(&installer_path) {
            Ok(text) => Some(text.trim().to_owned()).filter(|s| !s.is_empty()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e).at("read", &installer_path),
        };
        let name =
            PackageName::new(name.trim()).map_err(|error| InstallError::InvalidDistInfo {
                path: dist_info.to_path_buf(),
                reason: error.to_string(),
            })?;
        Ok(InstalledDist {
            name,
            version,
            dist_info: dist_info.to_path_buf(),
            installer,
            incomplete: incompleteness(dist_info, file_check)?,
        })
    }
}

/// How much of an installed distribution [`InstalledDist::read_with`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileCheck {
    /// That every file RECORD lists exists.
    EveryFile,
    /// Only the marker and RECORD itself: for an install that has just created every
    /// file it lists.
    RecordOnly,
}

/// Whether `dist_info` shows its distribution is not all there. Checking that RECORD's
/// files exist costs one `stat` each, far less than the reinstall it can trigger; bytecode
/// is left out, since deleting `__pycache__` is harmless and common.
fn incompleteness(
    dist_info: &Path,
    file_check: FileCheck,
) -> Result<Option<Incomplete>, InstallError> {
    if fs::symlink_metadata(dist_info.join(INSTALLING_MARKER)).is_ok() {
        return Ok(Some(Incomplete::Interrupted));
    }
    let record = dist_info.join("RECORD");
    let text = match fs::read(&record) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Some(Incomplete::NoRecord)),
        Err(e) => return Err(e).at("read", &record),
    };
    let entries = match parse_record(&text) {
        Ok(entries) => entries,
        Err(reason) => return Ok(Some(Incomplete::BadRecord(reason))),
    };
    if file_check == FileCheck::RecordOnly {
        return Ok(None);
    }
    let base = dist_info.parent().unwrap_or(dist_info);
    for entry in entries {
        // Absolute paths (PEP 376, old installers) may well point outside the
        // environment, whose files are not this distribution's to miss.
        if entry.path.ends_with(".pyc") || Path::new(&entry.path).is_absolute() {
            continue;
        }
        let path = join_record_path(base, &entry.path);
        // Unreadable is not missing; uninstalling would fail on it the same way.
        if let Err(e) = fs::symlink_metadata(&path)
            && e.kind() == io::ErrorKind::NotFound
        {
            return Ok(Some(Incomplete::MissingFile(entry.path)));
        }
    }
    Ok(None)
}

#[cfg(unix)]
const BIN_DIR: &str = "bin";
#[cfg(not(unix))]
const BIN_DIR: &str = "Scripts";
#[cfg(unix)]
const PYTHON_EXE: &str = "python";
#[cfg(not(unix))]
const PYTHON_EXE: &str = "python.exe";

/// Whether two paths name the same directory, through symlinks.
pub(crate) fn same_dir(a: &Path, b: &Path) -> bool {
    a == b
        || match (fs::canonicalize(a), fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

/// What is at the path a venv is to be created at.
enum Existing {
    Nothing,
    EmptyDir,
    Venv,
}

fn inspect_target(target: &Path, clear: bool) -> Result<Existing, InstallError> {
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(e) => return Err(e).at("inspect", target),
    };
    if !meta.is_dir() {
        return Err(InstallError::RefusingToReplace {
            path: target.to_path_buf(),
        });
    }
    let empty = fs::read_dir(target).at("read", target)?.next().is_none();
    if empty {
        Ok(Existing::EmptyDir)
    } else if target.join("pyvenv.cfg").is_file() {
        if clear {
            Ok(Existing::Venv)
        } else {
            Err(InstallError::VenvExists {
                path: target.to_path_buf(),
            })
        }
    } else {
        Err(InstallError::RefusingToReplace {
            path: target.to_path_buf(),
        })
    }
}

/// Creates a virtual environment at `path` for `interpreter` (which may itself run in a
/// venv: the new one links to its base interpreter).
///
/// The venv is built in a temporary directory next to `path`, checked by running its
/// python, and only then renamed into place, so `path` never holds a half-made venv. An
/// existing venv there is replaced only if `options.clear`, an empty directory is
/// reused, and anything else is refused.
pub fn create_venv(
    path: &Path,
    interpreter: &Interpreter,
    options: &VenvOptions,
    probes: Option<&skua_cache::Cache>,
) -> Result<Venv, InstallError> {
    if !cfg!(unix) {
        return Err(InstallError::Unsupported("creating a virtual environment"));
    }
    let requested = std::path::absolute(path).at("resolve", path)?;
    // A symlinked venv directory (`.venv -> /scratch/venv`) is recreated where it points,
    // keeping the link.
    let target = match fs::symlink_metadata(&requested) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(&requested).at("resolve", &requested)?
        }
        _ => requested.clone(),
    };
    let existing = inspect_target(&target, options.clear)?;
    let (parent, dir_name) = match (target.parent(), target.file_name()) {
        (Some(parent), Some(name)) => (parent.to_path_buf(), name.to_string_lossy().into_owned()),
        _ => {
            return Err(InstallError::RefusingToReplace {
                path: target.clone(),
            });
        }
    };
    let root_text = requested.to_str().ok_or(InstallError::Unsupported(
        "a virtual environment path that is not UTF-8",
    ))?;
    fs::create_dir_all(&parent).at("create", &parent)?;

    let prompt = match options.prompt.as_deref() {
        None => dir_name.clone(),
        Some(".") => std::env::current_dir()
            .ok()
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| dir_name.clone()),
        Some(prompt) => prompt.to_owned(),
    };
    let explicit_prompt = options.prompt.is_some().then_some(prompt.as_str());

    // Python finds its standard library from pyvenv.cfg's `home`. That works with the
    // base executable's path as the interpreter reports it (what `python -m venv` uses,
    // and what survives patch upgrades of /usr/bin/python3 -> python3.11); only if the
    // new venv cannot start that way is the fully resolved path tried.
    let mut bases = vec![interpreter.base_executable.clone()];
    if let Ok(resolved) = fs::canonicalize(&interpreter.base_executable)
        && resolved != interpreter.base_executable
    {
        bases.push(resolved);
    }
    let mut failures = Vec::new();
    for base in &bases {
        let staging = tempfile::Builder::new()
            .prefix(&format!(".{dir_name}.tmp-"))
            .tempdir_in(&parent)
            .at("create a temporary directory in", &parent)?;
        let layout = VenvFiles {
            root_text,
            interpreter,
            base,
            prompt: &prompt,
            explicit_prompt,
            system_site_packages: options.system_site_packages,
        };
        layout.write(staging.path())?;
        let checked = match probes.and_then(|cache| known_good_base(base, cache)) {
            // This base interpreter has produced working venvs before: skip starting Python.
            Some(marker) if marker.is_file() => {
                Ok(assumed_venv_interpreter(staging.path(), interpreter))
            }
            marker => check_staged(staging.path(), interpreter).inspect(|_| {
                if let Some(marker) = marker {
                    let _ = skua_cache::write_atomic(&marker, b"ok\n");
                }
            }),
        };
        match checked {
            Ok(staged) => {
                swap_into_place(staging.path(), &target, &existing, &parent, &dir_name)?;
                let _ = staging.keep();
                let venv_interpreter = relocate(staged, &requested);
                return Ok(Venv::from_interpreter(requested, venv_interpreter));
            }
            Err(reason) => failures.push(format!("linked to {}: {reason}", base.display())),
        }
    }
    Err(InstallError::BrokenVenv {
        path: requested,
        reason: failures.join("; "),
    })
}

/// A cache marker recording that venvs linked to `base` start correctly, keyed by the
/// base executable's path and file identity (an upgraded interpreter is checked again).
fn known_good_base(base: &Path, cache: &skua_cache::Cache) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(base).ok()?;
    let parts = [
        base.to_string_lossy().into_owned(),
        meta.len().to_string(),
        meta.mtime().to_string(),
        meta.mtime_nsec().to_string(),
        meta.ino().to_string(),
    ];
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    Some(
        cache
            .bucket("venv-check-v1")
            .join(skua_cache::Cache::key(&refs)),
    )
}

/// What the staged venv's python would report, derived from its base interpreter.
fn assumed_venv_interpreter(staging: &Path, base: &Interpreter) -> Interpreter {
    let mut interpreter = base.clone();
    interpreter.executable = staging.join(&base.layout.scripts).join(PYTHON_EXE);
    interpreter.sys_prefix = staging.to_path_buf();
    interpreter.is_venv = true;
    // A venv's default scheme is its own layout; only the standard library is the base's.
    interpreter.install_paths.purelib = staging.join(&base.layout.purelib);
    interpreter.install_paths.platlib = staging.join(&base.layout.platlib);
    interpreter.install_paths.scripts = staging.join(&base.layout.scripts);
    interpreter
}

/// Runs the staged venv's python and checks it sees itself as a venv of `base`.
fn check_staged(staging: &Path, base: &Interpreter) -> Result<Interpreter, String> {
    let python = staging.join(&base.layout.scripts).join(PYTHON_EXE);
    let staged = Interpreter::query(&python).map_err(|e| e.to_string())?;
    if !same_dir(&staged.sys_prefix, staging) {
        return Err(format!(
            "it reports sys.prefix = {} instead of the venv",
            staged.sys_prefix.display()
        ));
    }
    if !same_dir(&staged.base_prefix, &base.base_prefix) {
        return Err(format!(
            "it reports sys.base_prefix = {} instead of {}",
            staged.base_prefix.display(),
            base.base_prefix.display()
        ));
    }
    Ok(staged)
}

/// Rewrites the paths an interpreter reported from the staging directory to the final one.
fn relocate(mut interpreter: Interpreter, to: &Path) -> Interpreter {
    let from = interpreter.sys_prefix.clone();
    let paths = &mut interpreter.install_paths;
    for path in [&mut paths.purelib, &mut paths.platlib, &mut paths.scripts] {
        if let Ok(rest) = path.strip_prefix(&from) {
            *path = to.join(rest);
        }
    }
    interpreter.executable = to.join(&interpreter.layout.scripts).join(PYTHON_EXE);
    interpreter.sys_prefix = to.to_path_buf();
    interpreter
}

fn swap_into_place(
    staging: &Path,
    target: &Path,
    existing: &Existing,
    parent: &Path,
    dir_name: &str,
) -> Result<(), InstallError> {
    match existing {
        Existing::Nothing => fs::rename(staging, target).at("move the new venv to", target),
        Existing::EmptyDir | Existing::Venv => {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let old = parent.join(format!(".{dir_name}.old-{}-{nanos}", std::process::id()));
            fs::rename(target, &old).at("move the old venv out of", target)?;
            if let Err(e) = fs::rename(staging, target) {
                // Put the old venv back: failing to create must not destroy.
                let _ = fs::rename(&old, target);
                return Err(e).at("move the new venv to", target);
            }
            // The new venv is in place; a leftover old copy is only clutter.
            let _ = fs::remove_dir_all(&old);
            Ok(())
        }
    }
}

/// Everything written into a new venv directory.
struct VenvFiles<'a> {
    /// The final location, for activation scripts and pyvenv.cfg.
    root_text: &'a str,
    interpreter: &'a Interpreter,
    base: &'a Path,
    prompt: &'a str,
    explicit_prompt: Option<&'a str>,
    system_site_packages: bool,
}

impl VenvFiles<'_> {
    fn write(&self, dir: &Path) -> Result<(), InstallError> {
        let interp = self.interpreter;
        let layout = &interp.layout;
        let bin = dir.join(&layout.scripts);
        fs::create_dir_all(&bin).at("create", &bin)?;
        self.link_interpreters(&bin)?;

        let purelib = dir.join(&layout.purelib);
        fs::create_dir_all(&purelib).at("create", &purelib)?;
        // 64-bit Linux tools expect lib64 as well; the link must exist before platlib is
        // created, or a lib64 platlib would become a second, separate directory.
        #[cfg(unix)]
        if interp.pointer_size == 64
            && interp.os_name == "posix"
            && interp.sys_platform != "darwin"
            && layout.purelib.starts_with("lib")
        {
            let lib64 = dir.join("lib64");
            std::os::unix::fs::symlink("lib", &lib64).at("create", &lib64)?;
        }
        let platlib = dir.join(&layout.platlib);
        fs::create_dir_all(&platlib).at("create", &platlib)?;

        let cfg_path = dir.join("pyvenv.cfg");
        fs::write(&cfg_path, self.pyvenv_cfg()?.render()).at("write", &cfg_path)?;

        let bin_name = layout.scripts.to_string_lossy();
        for (name, text) in activate::scripts(self.root_text, self.prompt, &bin_name) {
            let path = bin.join(name);
            fs::write(&path, text).at("write", &path)?;
        }

        // Like uv: version control ignores the venv without anyone editing .gitignore,
        // and backup tools that honour cache tags skip it.
        let gitignore = dir.join(".gitignore");
        fs::write(&gitignore, "*\n").at("write", &gitignore)?;
        let tag = dir.join("CACHEDIR.TAG");
        fs::write(
            &tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n\
             # This file is a cache directory tag created by skua.\n\
             # For information about cache directory tags see https://bford.info/cachedir/\n",
        )
        .at("write", &tag)?;
        Ok(())
    }

    /// `python`, `python3` and `python3.X` (plus implementation-specific names) all link
    /// straight to the base interpreter, never to another venv's python.
    fn link_interpreters(&self, bin: &Path) -> Result<(), InstallError> {
        let interp = self.interpreter;
        let (major, minor, _) = interp.version;
        let mut names = vec![
            PYTHON_EXE.to_owned(),
            format!("python{major}"),
            format!("python{major}.{minor}"),
        ];
        if interp.gil_disabled {
            names.push(format!("python{major}.{minor}t"));
        }
        if interp.implementation == "pypy" {
            names.push("pypy".to_owned());
            names.push(format!("pypy{major}"));
        }
        for name in names {
            let link = bin.join(name);
            #[cfg(unix)]
            std::os::unix::fs::symlink(self.base, &link).at("create", &link)?;
            #[cfg(not(unix))]
            return Err(InstallError::Unsupported("creating a virtual environment"));
        }
        Ok(())
    }

    fn pyvenv_cfg(&self) -> Result<PyVenvCfg, InstallError> {
        let interp = self.interpreter;
        let home = self
            .base
            .parent()
            .ok_or_else(|| InstallError::InterpreterQuery {
                path: self.base.to_path_buf(),
                reason: "its path has no parent directory".into(),
            })?;
        let (major, minor, micro) = interp.version;
        let mut cfg = PyVenvCfg::default();
        // `home` is the only key CPython itself needs; the others are read by tools
        // (`version` by venv-aware tools, `version_info` by uv and virtualenv).
        cfg.push("home", home.display().to_string());
        cfg.push("implementation", interp.python_implementation.clone());
        cfg.push("version", format!("{major}.{minor}.{micro}"));
        cfg.push("version_info", interp.full_version.clone());
        cfg.push(
            "include-system-site-packages",
            if self.system_site_packages {
                "true"
            } else {
                "false"
            },
        );
        cfg.push("executable", self.base.display().to_string());
        // What `python -m venv` records: the equivalent command to recreate the venv
        // with the standard library alone.
        let mut command = vec![
            activate::quote_posix(&self.base.display().to_string()),
            "-m".into(),
            "venv".into(),
            "--without-pip".into(),
        ];
        if self.system_site_packages {
            command.push("--system-site-packages".into());
        }
        if let Some(prompt) = self.explicit_prompt {
            command.push("--prompt".into());
            command.push(activate::quote_posix(prompt));
        }
        command.push(activate::quote_posix(self.root_text));
        cfg.push("command", command.join(" "));
        cfg.push("skua", env!("CARGO_PKG_VERSION"));
        if let Some(prompt) = self.explicit_prompt {
            cfg.push("prompt", prompt);
        }
        Ok(cfg)
    }
}
