//! Finding Python interpreters and asking them about themselves.

use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::error::InstallError;
use crate::pyvenv_cfg::PyVenvCfg;

/// Run with `python -E -s -c`, so neither `PYTHON*` variables nor the user's site
/// directory change the answer. It stays Python 2 syntax-compatible up to the version
/// check so an old interpreter gets a clear "unsupported" instead of a traceback.
const PROBE: &str = r#"
import sys
# -c puts the working directory first on sys.path; a stray json.py there must not run.
sys.path = [p for p in sys.path if p and p != "."]
import json
if sys.version_info < (3, 7):
    print(json.dumps({"unsupported": list(sys.version_info[:3])}))
    sys.exit(0)
import os, platform, sysconfig
SENTINEL = os.path.join(os.sep, "__skua_prefix__")
names = sysconfig.get_scheme_names()
if "venv" in names:
    scheme = "venv"
elif os.name == "nt":
    scheme = "nt"
else:
    scheme = "posix_prefix"
variables = dict((k, SENTINEL) for k in ("base", "platbase", "installed_base", "installed_platbase"))
paths = sysconfig.get_paths(scheme=scheme, vars=variables)
def relative(path):
    if path == SENTINEL:
        return ""
    if path.startswith(SENTINEL + os.sep):
        return path[len(SENTINEL) + 1:]
    return None
print(json.dumps({
    "executable": sys.executable,
    "base_executable": getattr(sys, "_base_executable", None) or sys.executable,
    "version": list(sys.version_info[:3]),
    "full_version": platform.python_version(),
    "implementation_name": sys.implementation.name,
    "python_implementation": platform.python_implementation(),
    "cache_tag": sys.implementation.cache_tag,
    "prefix": sys.prefix,
    "base_prefix": sys.base_prefix,
    "os_name": os.name,
    "sys_platform": sys.platform,
    "platform": sysconfig.get_platform(),
    "machine": platform.machine(),
    "libc": " ".join(platform.libc_ver()),
    "mac_version": platform.mac_ver()[0],
    "pointer_size": 64 if sys.maxsize > 2 ** 32 else 32,
    "gil_disabled": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
    "layout": dict((k, relative(paths.get(k, ""))) for k in ("purelib", "platlib", "scripts", "include", "data")),
    "install_paths": dict((k, sysconfig.get_paths().get(k)) for k in ("purelib", "platlib", "scripts", "stdlib")),
}))
"#;

/// Where an installation scheme puts each kind of file, relative to the prefix
/// (`sys.prefix` for the interpreter itself, the root for a virtual environment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeLayout {
    /// Pure-Python packages: `lib/python3.X/site-packages`.
    pub purelib: PathBuf,
    /// Extension modules; the same as `purelib` except on distributions with a
    /// `lib64` platlibdir.
    pub platlib: PathBuf,
    /// Executables: `bin`.
    pub scripts: PathBuf,
    /// The interpreter's own C headers (`include/python3.X`).
    pub include: PathBuf,
    /// The `data` scheme: the prefix itself, so this is empty.
    pub data: PathBuf,
}

/// A Python interpreter, as it describes itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    /// `sys.executable`: the path it runs as (a venv's `bin/python` for a venv).
    pub executable: PathBuf,
    /// The interpreter outside any virtual environment: what a new venv links to.
    pub base_executable: PathBuf,
    pub version: (u16, u16, u16),
    /// `platform.python_version()`, which keeps pre-release suffixes (`3.13.0rc1`).
    pub full_version: String,
    /// `sys.implementation.name`: `cpython`, `pypy`, ...
    pub implementation: String,
    /// `platform.python_implementation()`: `CPython`, `PyPy`, ... (what pyvenv.cfg records).
    pub python_implementation: String,
    /// `sys.implementation.cache_tag` (`cpython-311`), the infix of `__pycache__` files.
    pub cache_tag: Option<String>,
    pub sys_prefix: PathBuf,
    pub base_prefix: PathBuf,
    /// Whether this interpreter runs inside a virtual environment.
    pub is_venv: bool,
    /// The layout of a virtual environment for this interpreter (sysconfig's `venv`
    /// scheme where it exists, else `posix_prefix`/`nt`), relative to the prefix.
    pub layout: SchemeLayout,
    pub os_name: String,
    pub sys_platform: String,
    /// `sysconfig.get_platform()`, e.g. `linux-x86_64`, `macosx-11.0-arm64`.
    pub platform: String,
    pub machine: String,
    /// `platform.libc_ver()` joined by a space (`glibc 2.36`), which decides the
    /// manylinux/musllinux tags.
    pub libc: String,
    /// `platform.mac_ver()[0]`, empty off macOS.
    pub mac_version: String,
    pub pointer_size: u8,
    /// Free-threaded build (PEP 703), whose executables carry a `t` suffix.
    pub gil_disabled: bool,
    /// Where this interpreter itself installs (its default `sysconfig` scheme, absolute):
    /// the target of `skua sync --system`.
    pub install_paths: InstallPaths,
}

/// The directories of an interpreter's own default installation scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallPaths {
    pub purelib: PathBuf,
    pub platlib: PathBuf,
    pub scripts: PathBuf,
    /// The standard library, where PEP 668's `EXTERNALLY-MANAGED` file lives.
    pub stdlib: PathBuf,
}

#[derive(Deserialize)]
struct Probe {
    unsupported: Option<Vec<u16>>,
    executable: Option<String>,
    base_executable: Option<String>,
    version: Option<Vec<u16>>,
    full_version: Option<String>,
    implementation_name: Option<String>,
    python_implementation: Option<String>,
    cache_tag: Option<String>,
    prefix: Option<String>,
    base_prefix: Option<String>,
    os_name: Option<String>,
    sys_platform: Option<String>,
    platform: Option<String>,
    machine: Option<String>,
    libc: Option<String>,
    mac_version: Option<String>,
    pointer_size: Option<u8>,
    gil_disabled: Option<bool>,
    layout: Option<ProbeLayout>,
    install_paths: Option<ProbeInstallPaths>,
}

#[derive(Deserialize)]
struct ProbeInstallPaths {
    purelib: Option<String>,
    platlib: Option<String>,
    scripts: Option<String>,
    stdlib: Option<String>,
}

#[derive(Deserialize)]
struct ProbeLayout {
    purelib: Option<String>,
    platlib: Option<String>,
    scripts: Option<String>,
    include: Option<String>,
    data: Option<String>,
}

impl Interpreter {
    /// Like [`Interpreter::query`], but answers from the skua cache when the same
    /// executable (same path, same file, same `pyvenv.cfg`) was probed before: starting
    /// Python is most of the cost of `skua venv` and `skua sync`.
    ///
    /// `probes` is the cache to use; `None` probes every time and writes nothing.
    pub fn query_cached(
        executable: &Path,
        probes: Option<&skua_cache::Cache>,
    ) -> Result<Interpreter, InstallError> {
        let Some(entry) = probes.and_then(|cache| probe_cache_entry(executable, cache)) else {
            return Self::query(executable);
        };
        if let Ok(line) = std::fs::read_to_string(&entry)
            && let Ok(probe) = serde_json::from_str::<Probe>(&line)
            && let Ok(interpreter) = Self::from_probe(executable, probe)
        {
            return Ok(interpreter);
        }
        let (interpreter, line) = Self::query_with_output(executable)?;
        // A cache that cannot be written only costs the next run a probe.
        let _ = skua_cache::write_atomic(&entry, line.as_bytes());
        Ok(interpreter)
    }

    /// Runs `executable` once with a small probe script and records its answers.
    pub fn query(executable: &Path) -> Result<Interpreter, InstallError> {
        Self::query_with_output(executable).map(|(interpreter, _)| interpreter)
    }

    fn query_with_output(executable: &Path) -> Result<(Interpreter, String), InstallError> {
        let fail = |reason: String| InstallError::InterpreterQuery {
            path: executable.to_path_buf(),
            reason,
        };
        let output = Command::new(executable)
            .args(["-E", "-s", "-c", PROBE])
            .stdin(Stdio::null())
            .output()
            .map_err(|e| fail(format!("cannot run it: {e}")))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(fail(format!(
                "it exited with {}: {}",
                output.status,
                summarize_output(&stderr)
            )));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        // Only the last line: a sitecustomize that prints must not break the probe.
        let line = stdout
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        let probe: Probe = serde_json::from_str(line).map_err(|e| {
            fail(format!(
                "unexpected probe output ({e}): {}",
                summarize_output(&stdout)
            ))
        })?;
        Ok((Self::from_probe(executable, probe)?, line.to_string()))
    }

    fn from_probe(queried: &Path, probe: Probe) -> Result<Interpreter, InstallError> {
        let missing = |what: &str| InstallError::InterpreterQuery {
            path: queried.to_path_buf(),
            reason: format!("the probe did not report {what}"),
        };
        if let Some(version) = probe.unsupported {
            return Err(InstallError::UnsupportedPython {
                path: queried.to_path_buf(),
                major: version.first().copied().unwrap_or(0),
                minor: version.get(1).copied().unwrap_or(0),
            });
        }
        let version = match probe.version.as_deref() {
            Some([major, minor, micro, ..]) => (*major, *minor, *micro),
            _ => return Err(missing("its version")),
        };
        // An embedded interpreter can report an empty sys.executable; it cannot be
        // linked into a venv or used to run anything, so it is of no use here.
        let executable = probe
            .executable
            .filter(|e| !e.is_empty())
            .map(PathBuf::from)
            .ok_or_else(|| missing("sys.executable"))?;
        let sys_prefix = PathBuf::from(probe.prefix.ok_or_else(|| missing("sys.prefix"))?);
        let base_prefix = PathBuf::from(
            probe
                .base_prefix
                .ok_or_else(|| missing("sys.base_prefix"))?,
        );
        let layout = probe.layout.ok_or_else(|| missing("its sysconfig paths"))?;
        let rel = |value: Option<String>, what: &str| {
            value
                .map(PathBuf::from)
                .ok_or_else(|| missing(&format!("a prefix-relative sysconfig `{what}` path")))
        };
        let layout = SchemeLayout {
            purelib: rel(layout.purelib, "purelib")?,
            platlib: rel(layout.platlib, "platlib")?,
            scripts: rel(layout.scripts, "scripts")?,
            include: rel(layout.include, "include")?,
            data: rel(layout.data, "data")?,
        };
        // Cached probes of older skua versions lack these; a missing key makes
        // `query_cached` probe afresh.
        let paths = probe
            .install_paths
            .ok_or_else(|| missing("its installation paths"))?;
        let absolute = |value: Option<String>, what: &str| {
            value
                .map(PathBuf::from)
                .ok_or_else(|| missing(&format!("the sysconfig `{what}` path")))
        };
        let install_paths = InstallPaths {
            purelib: absolute(paths.purelib, "purelib")?,
            platlib: absolute(paths.platlib, "platlib")?,
            scripts: absolute(paths.scripts, "scripts")?,
            stdlib: absolute(paths.stdlib, "stdlib")?,
        };
        let is_venv = sys_prefix != base_prefix;
        let mut interpreter = Interpreter {
            base_executable: probe
                .base_executable
                .map(PathBuf::from)
                .unwrap_or_else(|| executable.clone()),
            executable,
            version,
            full_version: probe
                .full_version
                .unwrap_or_else(|| format!("{}.{}.{}", version.0, version.1, version.2)),
            implementation: probe
                .implementation_name
                .unwrap_or_else(|| "cpython".into()),
            python_implementation: probe
                .python_implementation
                .unwrap_or_else(|| "CPython".into()),
            cache_tag: probe.cache_tag,
            sys_prefix,
            base_prefix,
            is_venv,
            layout,
            os_name: probe.os_name.unwrap_or_default(),
            sys_platform: probe.sys_platform.unwrap_or_default(),
            platform: probe.platform.unwrap_or_default(),
            machine: probe.machine.unwrap_or_default(),
            // Cached probes of older skua versions lack these: probed afresh.
            libc: probe.libc.ok_or_else(|| missing("its libc"))?,
            mac_version: probe
                .mac_version
                .ok_or_else(|| missing("its macOS version"))?,
            pointer_size: probe.pointer_size.unwrap_or(64),
            gil_disabled: probe.gil_disabled.unwrap_or(false),
            install_paths,
        };
        interpreter.base_executable = interpreter.find_base_executable()?;
        Ok(interpreter)
    }

    /// The interpreter a venv made from this one must link to.
    ///
    /// `sys._base_executable` is right on CPython 3.11+, but before that POSIX builds
    /// report the venv's own `bin/python` there, and linking a new venv to another
    /// venv's python breaks both when the first is deleted. So inside a venv, anything
    /// under `sys.prefix` is replaced by the interpreter that pyvenv.cfg's `home` names.
    fn find_base_executable(&self) -> Result<PathBuf, InstallError> {
        let reported = &self.base_executable;
        if !self.is_venv || (!reported.starts_with(&self.sys_prefix) && reported.is_file()) {
            return Ok(reported.clone());
        }
        let (major, minor, _) = self.version;
        let mut names: Vec<OsString> = Vec::new();
        if let Some(name) = self.executable.file_name() {
            names.push(name.to_os_string());
        }
        for name in [
            format!("python{major}.{minor}"),
            format!("python{major}"),
            "python".to_owned(),
        ] {
            names.push(name.into());
        }
        let mut dirs = Vec::new();
        if let Ok(cfg) = PyVenvCfg::read(&self.sys_prefix.join("pyvenv.cfg"))
            && let Some(home) = cfg.get("home")
        {
            dirs.push(PathBuf::from(home));
        }
        dirs.push(self.base_prefix.join("bin"));
        for dir in &dirs {
            for name in &names {
                let candidate = dir.join(name);
                if candidate.is_file() && !candidate.starts_with(&self.sys_prefix) {
                    return Ok(candidate);
                }
            }
        }
        Err(InstallError::InterpreterQuery {
            path: self.executable.clone(),
            reason: format!(
                "it runs in the virtual environment {} but its base interpreter was not found \
                 (looked in {})",
                self.sys_prefix.display(),
                dirs.iter()
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }

    /// `major.minor`, e.g. `3.11`.
    pub fn python_minor_version(&self) -> String {
        format!("{}.{}", self.version.0, self.version.1)
    }

    /// Finds an interpreter for `request`:
    ///
    /// - `None`: `python3`, then `python`, on `PATH`;
    /// - a version (`3`, `3.12`, `3.12.1`): `python3.12` on `PATH`, then pyenv-style
    ///   installs (`$PYENV_ROOT/versions/3.12.*`, `~/.pyenv/versions/3.12.*`, newest
    ///   first), then `python3` and `python` on `PATH` if their version matches;
    /// - a path (anything with a `/`, or an existing file): that interpreter; a
    ///   directory means its `bin/python3` (a venv or an installation prefix);
    /// - any other word: an executable of that name on `PATH` (`pypy3`, `python3.13t`).
    ///
    /// The error lists every candidate tried and why it was rejected.
    ///
    /// `probes` caches the interpreters' answers (see [`Interpreter::query_cached`]).
    pub fn find(
        request: Option<&str>,
        probes: Option<&skua_cache::Cache>,
    ) -> Result<Interpreter, InstallError> {
        let path_var = std::env::var_os("PATH").unwrap_or_default();
        let roots = pyenv_roots(
            std::env::var_os("PYENV_ROOT").map(PathBuf::from),
            std::env::home_dir(),
        );
        find_with(request, &path_var, &roots, probes)
    }
}

/// The gist of a failed run's output on one line: the first line says what went wrong
/// for launchers (`pyenv: python3.12: command not found`), the last one for a Python
/// traceback (`ModuleNotFoundError: ...`).
fn summarize_output(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines.as_slice() {
        [] => "(no output)".to_owned(),
        [only] => (*only).to_owned(),
        [first, .., last] => format!("{first} ... {last}"),
    }
}

/// A parsed version request: one to three numeric parts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct VersionRequest(Vec<u16>);

impl VersionRequest {
    fn parse(text: &str) -> Option<VersionRequest> {
        let parts: Vec<u16> = text
            .split('.')
            .map(|p| {
                if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                    None
                } else {
                    p.parse().ok()
                }
            })
            .collect::<Option<_>>()?;
        (1..=3)
            .contains(&parts.len())
            .then_some(VersionRequest(parts))
    }

    fn matches(&self, version: (u16, u16, u16)) -> bool {
        let have = [version.0, version.1, version.2];
        self.0.iter().zip(have).all(|(want, have)| *want == have)
    }

    /// `python3.12` for `3.12` and `3.12.1`, `python3` for `3`.
    fn executable_name(&self) -> String {
        let shown: Vec<String> = self.0.iter().take(2).map(u16::to_string).collect();
        format!("python{}", shown.join("."))
    }
}

fn pyenv_roots(pyenv_root: Option<PathBuf>, home: Option<PathBuf>) -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Some(root) = pyenv_root.filter(|r| !r.as_os_str().is_empty()) {
        roots.push(root);
    }
    if let Some(home) = home.filter(|h| !h.as_os_str().is_empty()) {
        let default = home.join(".pyenv");
        if !roots.contains(&default) {
            roots.push(default);
        }
    }
    roots
}

/// The first executable file called `name` in the `PATH`-style list `path_var`.
pub(crate) fn which(name: &str, path_var: &OsString) -> Option<PathBuf> {
    std::env::split_paths(path_var)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable_file(candidate))
}

fn is_executable_file(path: &Path) -> bool {
    let Ok(meta) = path.metadata() else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Interpreters under `<root>/versions/<version>/bin/` matching `request`, newest first.
/// Directories that are not plain versions (`3.12-dev`, `miniconda3-latest`) are skipped:
/// a request for `3.12` should not land on a development snapshot by accident.
fn pyenv_candidates(roots: &[PathBuf], request: &VersionRequest) -> Vec<PathBuf> {
    let mut found: Vec<(Vec<u16>, PathBuf)> = Vec::new();
    for root in roots {
        let Ok(entries) = std::fs::read_dir(root.join("versions")) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(version) = name.to_str().and_then(VersionRequest::parse) else {
                continue;
            };
            if version.0.len() != 3 || !request.0.iter().zip(&version.0).all(|(a, b)| a == b) {
                continue;
            }
            let bin = entry.path().join("bin");
            let exe = [
                format!("python{}.{}", version.0[0], version.0[1]),
                format!("python{}", version.0[0]),
                "python".to_owned(),
            ]
            .into_iter()
            .map(|n| bin.join(n))
            .find(|p| is_executable_file(p));
            if let Some(exe) = exe {
                found.push((version.0, exe));
            }
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0));
    found.into_iter().map(|(_, exe)| exe).collect()
}

fn find_with(
    request: Option<&str>,
    path_var: &OsString,
    pyenv_roots: &[PathBuf],
    probes: Option<&skua_cache::Cache>,
) -> Result<Interpreter, InstallError> {
    let shown_request = request.unwrap_or("python3").to_owned();
    let mut tried: Vec<String> = Vec::new();
    let not_found = |tried: Vec<String>| InstallError::InterpreterNotFound {
        request: shown_request.clone(),
        tried,
    };

    // A path is taken literally: falling back to something else would silently run a
    // different interpreter than the one the user pointed at.
    if let Some(text) = request {
        let path = Path::new(text);
        if text.contains(std::path::MAIN_SEPARATOR) || text.contains('/') || path.is_file() {
            let executable = if path.is_dir() {
                ["bin/python3", "bin/python"]
                    .iter()
                    .map(|rel| path.join(rel))
                    .find(|p| is_executable_file(p))
                    .ok_or_else(|| {
                        not_found(vec![format!(
                            "{}: a directory without bin/python3 or bin/python",
                            path.display()
                        )])
                    })?
            } else if path.exists() {
                path.to_path_buf()
            } else {
                return Err(not_found(vec![format!(
                    "{}: does not exist",
                    path.display()
                )]));
            };
            return Interpreter::query_cached(&executable, probes);
        }
    }

    let version = request.and_then(VersionRequest::parse);
    // (candidate, whether it came from PATH by this name) in order of preference.
    let mut candidates: Vec<(PathBuf, String)> = Vec::new();
    let push_path =
        |name: &str, tried: &mut Vec<String>, out: &mut Vec<(PathBuf, String)>| match which(
            name, path_var,
        ) {
            Some(found) => out.push((found, format!("{name} on PATH"))),
            None => tried.push(format!("{name}: not found on PATH")),
        };
    match (&version, request) {
        (Some(version), _) => {
            let name = version.executable_name();
            if version.0.len() >= 2 {
                push_path(&name, &mut tried, &mut candidates);
                let pyenv = pyenv_candidates(pyenv_roots, version);
                if pyenv.is_empty() {
                    for root in pyenv_roots {
                        tried.push(format!(
                            "{}: no matching version",
                            root.join("versions").display()
                        ));
                    }
                }
                candidates.extend(pyenv.into_iter().map(|p| (p, "pyenv install".to_owned())));
                push_path("python3", &mut tried, &mut candidates);
            } else {
                push_path(&name, &mut tried, &mut candidates);
            }
            push_path("python", &mut tried, &mut candidates);
        }
        (None, None) => {
            push_path("python3", &mut tried, &mut candidates);
            push_path("python", &mut tried, &mut candidates);
        }
        (None, Some(name)) => push_path(name, &mut tried, &mut candidates),
    }

    let mut seen = HashSet::new();
    for (candidate, origin) in candidates {
        // pyenv shims and distro symlinks make the same interpreter appear under
        // several names; asking it twice only slows the search down.
        let key = std::fs::canonicalize(&candidate).unwrap_or_else(|_| candidate.clone());
        if !seen.insert(key) {
            continue;
        }
        match Interpreter::query_cached(&candidate, probes) {
            Ok(found) => match &version {
                Some(version) if !version.matches(found.version) => tried.push(format!(
                    "{} ({origin}): Python {}",
                    candidate.display(),
                    found.full_version
                )),
                _ => return Ok(found),
            },
            Err(e) => tried.push(format!("{} ({origin}): {e}", candidate.display())),
        }
    }
    Err(not_found(tried))
}

/// Where the probe answer for `executable` is cached: keyed by the path as given (a venv's
/// `bin/python` answers differently from its base), the file it resolves to (size, mtime,
/// inode: an upgraded interpreter is a new file) and the content of the venv's
/// `pyvenv.cfg`. Content, not mtime: a venv deleted and created again at the same path
/// from the same interpreter (what CI jobs do) answers the same, so it needs no probe.
fn probe_cache_entry(executable: &Path, cache: &skua_cache::Cache) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let absolute = std::path::absolute(executable).ok()?;
    let target = std::fs::metadata(&absolute).ok()?;
    let mut parts = vec![
        absolute.to_string_lossy().into_owned(),
        target.len().to_string(),
        target.mtime().to_string(),
        target.mtime_nsec().to_string(),
        target.ino().to_string(),
    ];
    if let Some(cfg) = absolute
        .parent()
        .and_then(Path::parent)
        .map(|root| root.join("pyvenv.cfg"))
        && let Ok(content) = std::fs::read(&cfg)
    {
        parts.push(String::from_utf8_lossy(&content).into_owned());
    }
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    Some(
        cache
            .bucket("interpreter-v2")
            .join(format!("{}.json", skua_cache::Cache::key(&refs))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_version_requests() {
        assert_eq!(
            VersionRequest::parse("3.12"),
            Some(VersionRequest(vec![3, 12]))
        );
        assert_eq!(VersionRequest::parse("3"), Some(VersionRequest(vec![3])));
        assert_eq!(
            VersionRequest::parse("3.12.1"),
            Some(VersionRequest(vec![3, 12, 1]))
        );
        assert_eq!(VersionRequest::parse("3.12.1.4"), None);
        assert_eq!(VersionRequest::parse("3.x"), None);
        assert_eq!(VersionRequest::parse("python3"), None);
        assert_eq!(VersionRequest::parse(""), None);
        assert!(VersionRequest(vec![3, 11]).matches((3, 11, 7)));
        assert!(!VersionRequest(vec![3, 11, 2]).matches((3, 11, 7)));
        assert_eq!(
            VersionRequest(vec![3, 11, 2]).executable_name(),
            "python3.11"
        );
    }

    #[test]
    fn pyenv_candidates_are_newest_first_and_skip_snapshots() {
        let dir = tempfile::tempdir().unwrap();
        for version in ["3.12.1", "3.12.4", "3.12-dev", "3.11.2"] {
            let bin = dir.path().join("versions").join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            let exe = bin.join(if version == "3.12.4" {
                "python3"
            } else {
                "python3.12"
            });
            std::fs::write(&exe, "").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        let found = pyenv_candidates(&[dir.path().to_path_buf()], &VersionRequest(vec![3, 12]));
        let shown: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(
            shown,
            [
                "versions/3.12.4/bin/python3",
                "versions/3.12.1/bin/python3.12"
            ]
        );
    }

    #[test]
    fn not_found_lists_what_was_tried() {
        let empty = tempfile::tempdir().unwrap();
        let path_var = empty.path().as_os_str().to_owned();
        let err =
            find_with(Some("3.99"), &path_var, &[empty.path().to_path_buf()], None).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("`3.99`"), "{message}");
        assert!(
            message.contains("python3.99: not found on PATH"),
            "{message}"
        );
        assert!(message.contains("no matching version"), "{message}");
        assert!(message.contains("python3: not found on PATH"), "{message}");

        let err = find_with(Some("./no/such/python"), &path_var, &[], None).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
}
