//! Building source distributions (PEP 517): metadata and wheels from an sdist, with the
//! backend its `pyproject.toml` names, in a fresh virtual environment that holds only the
//! build requirements.
//!
//! Installing those requirements needs a resolver and an index client, which live above
//! this crate; callers supply them as a [`BuildEnvironmentInstaller`] so that `skua-build`
//! does not depend on the crates that in turn depend on it.

mod sdist;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use skua_cache::Cache;
use skua_install::{Interpreter, VenvOptions, create_venv};
use skua_requirements::Requirement;

/// Installs build requirements into a build environment.
pub trait BuildEnvironmentInstaller: Send + Sync {
    /// Resolves `requirements` (PEP 508 strings) and installs them into the virtual
    /// environment at `venv`, keeping whatever it already holds.
    fn install(
        &self,
        venv: &Path,
        requirements: &[Requirement],
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>>;
}

/// What every build needs.
#[derive(Clone)]
pub struct BuildContext {
    /// The interpreter build environments are created from.
    pub interpreter: Interpreter,
    pub cache: Cache,
    pub installer: Arc<dyn BuildEnvironmentInstaller>,
}

impl std::fmt::Debug for BuildContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildContext")
            .field("interpreter", &self.interpreter.executable)
            .field("cache", &self.cache.root())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot unpack {}: {message}", sdist.display())]
    Unpack { sdist: PathBuf, message: String },
    #[error("{package}: invalid pyproject.toml: {message}")]
    Pyproject { package: String, message: String },
    #[error("{package}: cannot install the build requirements {requirements:?}")]
    Requirements {
        package: String,
        requirements: Vec<String>,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("{package}: build backend hook `{hook}` failed ({status})\n{output}")]
    Hook {
        package: String,
        hook: String,
        status: String,
        /// The tail of what the backend printed.
        output: String,
    },
    #[error("{package}: {message}")]
    Output { package: String, message: String },
    #[error(transparent)]
    Install(#[from] skua_install::InstallError),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
    move |source| BuildError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a tree without `[build-system]` needs (PEP 517's default).
fn legacy_requirement() -> Requirement {
    Requirement::from_str("setuptools>=40.8.0")
        .unwrap_or_else(|_| unreachable!("a valid requirement literal"))
}

/// `[build-system]` of a source tree, with PEP 517's defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildSystem {
    pub requires: Vec<Requirement>,
    pub backend: String,
    /// Directories (relative to the source tree) to put first on `sys.path`: in-tree backends.
    pub backend_path: Vec<String>,
}

impl BuildSystem {
    /// What PEP 517 says a tree without `[build-system]` means: setuptools' legacy backend,
    /// which runs `setup.py`.
    fn legacy() -> BuildSystem {
        BuildSystem {
            requires: vec![legacy_requirement()],
            backend: "setuptools.build_meta:__legacy__".into(),
            backend_path: Vec::new(),
        }
    }

    /// Reads `pyproject.toml` text (`None`: the tree has none).
    pub fn parse(pyproject: Option<&str>, package: &str) -> Result<BuildSystem, BuildError> {
        let Some(text) = pyproject else {
            return Ok(BuildSystem::legacy());
        };
        let invalid = |message: String| BuildError::Pyproject {
            package: package.to_string(),
            message,
        };
        let document: toml::Table =
            toml::from_str(text).map_err(|error| invalid(error.message().to_string()))?;
        let Some(table) = document.get("build-system") else {
            return Ok(BuildSystem::legacy());
        };
        let strings = |key: &str| -> Result<Option<Vec<String>>, BuildError> {
            match table.get(key) {
                None => Ok(None),
                Some(toml::Value::Array(values)) => values
                    .iter()
                    .map(|value| {
                        value.as_str().map(str::to_string).ok_or_else(|| {
                            invalid(format!("build-system.{key} must be a list of strings"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Some),
                Some(_) => Err(invalid(format!(
                    "build-system.{key} must be a list of strings"
                ))),
            }
        };
        let requires = strings("requires")?
            .ok_or_else(|| invalid("[build-system] has no `requires`".into()))?
            .iter()
            .map(|text| {
                text.parse::<Requirement>().map_err(|error| {
                    invalid(format!(
                        "invalid build requirement `{text}` in build-system.requires: {error}"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let backend_path = strings("backend-path")?.unwrap_or_default();
        for path in &backend_path {
            // PEP 517: backend-path entries must stay inside the source tree.
            if Path::new(path).is_absolute() || path.split(['/', '\\']).any(|part| part == "..") {
                return Err(invalid(format!(
                    "backend-path entry `{path}` points outside the source tree"
                )));
            }
        }
        let backend = match table.get("build-backend") {
            None => {
                // PEP 518 without a backend: pip and uv fall back to the legacy backend
                // with the listed requirements.
                return Ok(BuildSystem {
                    requires,
                    backend: BuildSystem::legacy().backend,
                    backend_path,
                });
            }
            Some(value) => value
                .as_str()
                .ok_or_else(|| invalid("build-system.build-backend must be a string".into()))?
                .to_string(),
        };
        Ok(BuildSystem {
            requires,
            backend,
            backend_path,
        })
    }
}

/// Calls one PEP 517 hook. Arguments: hook, output directory, backend, backend-path as
/// JSON, and a file for the JSON-encoded result. The result goes to a file because
/// backends print freely on stdout.
const SHIM: &str = r#"
import importlib, json, os, sys
hook, outdir, backend_spec, backend_path, result_file = sys.argv[1:6]
for entry in reversed(json.loads(backend_path)):
    sys.path.insert(0, os.path.abspath(entry))
module_name, _, attrs = backend_spec.partition(":")
backend = importlib.import_module(module_name)
for attr in filter(None, attrs.split(".")):
    backend = getattr(backend, attr)
function = getattr(backend, hook, None)
if hook in ("get_requires_for_build_wheel", "get_requires_for_build_editable"):
    result = list(function(None)) if function else []
elif hook in ("prepare_metadata_for_build_wheel", "prepare_metadata_for_build_editable"):
    result = function(outdir, None) if function else None
elif hook in ("build_wheel", "build_editable"):
    if function is None:
        raise SystemExit("the build backend has no " + hook + " hook (PEP 660)")
    result = function(outdir, None, None)
else:
    raise SystemExit("unknown hook " + hook)
with open(result_file, "w") as f:
    json.dump(result, f)
"#;

/// Lines of backend output kept in an error: enough for a traceback.
const OUTPUT_TAIL_LINES: usize = 40;

fn tail(output: &[u8]) -> String {
    let text = String::from_utf8_lossy(output);
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(OUTPUT_TAIL_LINES)..].join("\n")
}

/// An unpacked sdist with its build environment ready.
struct Prepared {
    /// Owns the scratch space; everything below lives in it.
    _scratch: tempfile::TempDir,
    scratch: PathBuf,
    source: PathBuf,
    python: PathBuf,
    /// The build environment's scripts directory: first on the hooks' `PATH`, as pip and
    /// uv put it, since backends run their own console scripts (maturin, cmake, ninja).
    scripts: PathBuf,
    system: BuildSystem,
    package: String,
}

/// What a build starts from.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// An sdist archive, unpacked into the scratch space.
    Sdist(&'a Path),
    /// A project directory, built in place as pip (since 21.3) and uv build local projects.
    Tree(&'a Path),
}

/// Which PEP 517/660 wheel a build makes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum WheelKind {
    Regular,
    /// PEP 660: a wheel that points at the source tree (`-e`).
    Editable,
}

impl WheelKind {
    fn hook(self, regular: &'static str, editable: &'static str) -> &'static str {
        match self {
            WheelKind::Regular => regular,
            WheelKind::Editable => editable,
        }
    }
}

impl Prepared {
    fn new(
        source: Source<'_>,
        kind: WheelKind,
        ctx: &BuildContext,
    ) -> Result<Prepared, BuildError> {
        let origin = match source {
            Source::Sdist(path) | Source::Tree(path) => path,
        };
        let package = origin.file_name().map_or_else(
            || origin.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        );
        let scratch_root = ctx.cache.bucket("build-scratch-v1");
        fs::create_dir_all(&scratch_root).map_err(io_error(&scratch_root))?;
        // Under the cache rather than /tmp: same filesystem as the built-wheel bucket, so
        // the final rename is atomic.
        let scratch_dir = tempfile::Builder::new()
            .prefix("build-")
            .tempdir_in(&scratch_root)
            .map_err(io_error(&scratch_root))?;
        let scratch = scratch_dir.path().to_path_buf();
        let source = match source {
            Source::Sdist(sdist) => {
                let unpacked = scratch.join("src");
                fs::create_dir_all(&unpacked).map_err(io_error(&unpacked))?;
                sdist::unpack(sdist, &unpacked)?
            }
            Source::Tree(dir) => dir.to_path_buf(),
        };
        let pyproject_path = source.join("pyproject.toml");
        let pyproject = match fs::read_to_string(&pyproject_path) {
            Ok(text) => Some(text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(io_error(&pyproject_path)(error)),
        };
        let system = BuildSystem::parse(pyproject.as_deref(), &package)?;
        let venv_root = scratch.join("env");
        let venv = create_venv(
            &venv_root,
            &ctx.interpreter,
            &VenvOptions::default(),
            Some(&ctx.cache),
        )?;
        let prepared = Prepared {
            _scratch: scratch_dir,
            scratch,
            source,
            python: venv.python(),
            scripts: venv.scripts.clone(),
            system,
            package,
        };
        prepared.install(ctx, &venv_root, &prepared.system.requires)?;
        let requires_hook = kind.hook(
            "get_requires_for_build_wheel",
            "get_requires_for_build_editable",
        );
        let extra = prepared.hook_json(requires_hook, &prepared.scratch)?;
        let extra: Vec<String> = serde_json::from_value(extra).map_err(|error| {
            prepared.output_error(format!(
                "{requires_hook} returned something other than strings: {error}"
            ))
        })?;
        let mut missing: Vec<Requirement> = Vec::new();
        for text in extra {
            let requirement = text.parse::<Requirement>().map_err(|error| {
                prepared.output_error(format!(
                    "{requires_hook} returned an invalid requirement `{text}`: {error}"
                ))
            })?;
            if !prepared.system.requires.contains(&requirement) {
                missing.push(requirement);
            }
        }
        if !missing.is_empty() {
            // Installed together with the first batch so the resolver sees one consistent
            // set (an inexact install keeps what is already there).
            let all: Vec<Requirement> = prepared
                .system
                .requires
                .iter()
                .cloned()
                .chain(missing)
                .collect();
            prepared.install(ctx, &venv_root, &all)?;
        }
        Ok(prepared)
    }

    fn install(
        &self,
        ctx: &BuildContext,
        venv: &Path,
        requirements: &[Requirement],
    ) -> Result<(), BuildError> {
        if requirements.is_empty() {
            return Ok(());
        }
        ctx.installer
            .install(venv, requirements)
            .map_err(|source| BuildError::Requirements {
                package: self.package.clone(),
                requirements: requirements.iter().map(ToString::to_string).collect(),
                source,
            })
    }

    fn output_error(&self, message: String) -> BuildError {
        BuildError::Output {
            package: self.package.clone(),
            message,
        }
    }

    /// Runs `hook` in the source tree and returns its JSON result.
    fn hook_json(&self, hook: &str, outdir: &Path) -> Result<serde_json::Value, BuildError> {
        let result_file = self.scratch.join(format!("{hook}.json"));
        let backend_path = serde_json::to_string(&self.system.backend_path)
            .map_err(|error| self.output_error(error.to_string()))?;
        let path = std::env::join_paths(
            std::iter::once(self.scripts.clone()).chain(
                std::env::var_os("PATH")
                    .iter()
                    .flat_map(std::env::split_paths),
            ),
        )
        .map_err(|error| self.output_error(format!("cannot build PATH: {error}")))?;
        let output = Command::new(&self.python)
            .arg("-c")
            .arg(SHIM)
            .arg(hook)
            .arg(outdir)
            .arg(&self.system.backend)
            .arg(&backend_path)
            .arg(&result_file)
            .current_dir(&self.source)
            // The build must see only its own environment, not the caller's.
            .env_remove("PYTHONPATH")
            .env_remove("PYTHONHOME")
            .env_remove("PYTHONSTARTUP")
            .env_remove("VIRTUAL_ENV")
            .env_remove("PIP_REQUIRE_VIRTUALENV")
            .env("PYTHONNOUSERSITE", "1")
            .env("PATH", path)
            .output()
            .map_err(io_error(&self.python))?;
        if !output.status.success() {
            let mut combined = output.stdout.clone();
            combined.extend_from_slice(&output.stderr);
            return Err(BuildError::Hook {
                package: self.package.clone(),
                hook: hook.to_string(),
                status: output.status.to_string(),
                // stderr last: tracebacks are what explains a failure.
                output: format!("{}\n{}", tail(&output.stdout), tail(&output.stderr))
                    .trim()
                    .to_string(),
            });
        }
        let text = fs::read_to_string(&result_file).map_err(io_error(&result_file))?;
        serde_json::from_str(&text).map_err(|error| {
            self.output_error(format!("{hook} wrote an unreadable result: {error}"))
        })
    }

    /// Runs `prepare_metadata_for_build_wheel`; the METADATA file it wrote, or `None` when
    /// the backend has no such hook (PEP 517: build the wheel instead).
    fn prepare_metadata(&self) -> Result<Option<PathBuf>, BuildError> {
        let outdir = self.scratch.join("metadata");
        fs::create_dir_all(&outdir).map_err(io_error(&outdir))?;
        let result = self.hook_json("prepare_metadata_for_build_wheel", &outdir)?;
        let Some(dist_info) = result.as_str() else {
            return Ok(None);
        };
        if !safe_file_name(dist_info) {
            return Err(self.output_error(format!(
                "prepare_metadata_for_build_wheel returned `{dist_info}`, not a directory name"
            )));
        }
        Ok(Some(outdir.join(dist_info).join("METADATA")))
    }

    /// Runs `build_wheel` (or `build_editable`) into the scratch space; returns the
    /// wheel's path.
    fn build_wheel(&self, kind: WheelKind) -> Result<PathBuf, BuildError> {
        let hook = kind.hook("build_wheel", "build_editable");
        let outdir = self.scratch.join("wheel");
        fs::create_dir_all(&outdir).map_err(io_error(&outdir))?;
        let result = self.hook_json(hook, &outdir)?;
        let name = result
            .as_str()
            .filter(|name| safe_file_name(name))
            .ok_or_else(|| {
                self.output_error(format!("{hook} returned {result}, not a wheel name"))
            })?;
        let wheel = outdir.join(name);
        if !wheel.is_file() || !name.ends_with(".whl") {
            return Err(self.output_error(format!("{hook} did not write {name}")));
        }
        Ok(wheel)
    }
}

/// A bare file name a hook may return: nothing that points elsewhere.
fn safe_file_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != ".."
}

fn sha256_file(path: &Path) -> Result<String, BuildError> {
    let mut file = fs::File::open(path).map_err(io_error(path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let read = file.read(&mut buffer).map_err(io_error(path))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(skua_cache::hex(&hasher.finalize()))
}

/// `built-wheels-v1/<sha256 of the sdist>`: built outputs are keyed by the sdist's content,
/// so a rebuilt sdist under the same name never reuses a stale wheel.
fn cache_dir(sdist: &Path, ctx: &BuildContext) -> Result<PathBuf, BuildError> {
    Ok(ctx
        .cache
        .bucket("built-wheels-v1")
        .join(sha256_file(sdist)?))
}

fn cached_wheel(dir: &Path) -> Option<PathBuf> {
    let entries = fs::read_dir(dir).ok()?;
    entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|ext| ext == "whl") && path.is_file())
}

/// Moves `from` to `dir/name` atomically: the cache never shows a half-written file.
fn publish(from: &Path, dir: &Path, name: &str) -> Result<PathBuf, BuildError> {
    fs::create_dir_all(dir).map_err(io_error(dir))?;
    let dest = dir.join(name);
    // Copy next to the destination first: `from` may be on another filesystem, and a
    // rename within `dir` is atomic.
    let staging = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .map_err(io_error(dir))?;
    fs::copy(from, staging.path()).map_err(io_error(from))?;
    staging
        .persist(&dest)
        .map_err(|error| io_error(&dest)(error.error))?;
    Ok(dest)
}

/// The METADATA of a wheel file.
fn wheel_metadata(wheel: &Path, package: &str) -> Result<Vec<u8>, BuildError> {
    let invalid = |message: String| BuildError::Output {
        package: package.to_string(),
        message: format!("{}: {message}", wheel.display()),
    };
    let file = fs::File::open(wheel).map_err(io_error(wheel))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|error| invalid(error.to_string()))?;
    let name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|name| name.ends_with(".dist-info/METADATA") && name.matches('/').count() == 1)
        .map(|name| name.into_owned())
        .ok_or_else(|| invalid("no .dist-info/METADATA".into()))?;
    let mut entry = archive
        .by_name(&name)
        .map_err(|error| invalid(error.to_string()))?;
    let mut bytes = Vec::new();
    entry
        .read_to_end(&mut bytes)
        .map_err(|error| invalid(error.to_string()))?;
    Ok(bytes)
}

/// Builds (or finds in the cache) the wheel of `sdist`.
pub fn build_wheel(sdist: &Path, ctx: &BuildContext) -> Result<PathBuf, BuildError> {
    let dir = cache_dir(sdist, ctx)?;
    if let Some(wheel) = cached_wheel(&dir) {
        return Ok(wheel);
    }
    let prepared = Prepared::new(Source::Sdist(sdist), WheelKind::Regular, ctx)?;
    let built = prepared.build_wheel(WheelKind::Regular)?;
    let name = built
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| prepared.output_error("the built wheel has no file name".into()))?;
    publish(&built, &dir, &name)
}

/// Builds (or finds in the cache) the core metadata (`METADATA` bytes) of `sdist`: with
/// `prepare_metadata_for_build_wheel` when the backend has it, else from a built wheel.
pub fn build_metadata(sdist: &Path, ctx: &BuildContext) -> Result<Vec<u8>, BuildError> {
    let dir = cache_dir(sdist, ctx)?;
    let cached = dir.join("METADATA");
    if let Ok(bytes) = fs::read(&cached) {
        return Ok(bytes);
    }
    if let Some(wheel) = cached_wheel(&dir) {
        return wheel_metadata(&wheel, &sdist.display().to_string());
    }
    let prepared = Prepared::new(Source::Sdist(sdist), WheelKind::Regular, ctx)?;
    if let Some(metadata) = prepared.prepare_metadata()? {
        publish(&metadata, &dir, "METADATA")?;
        return fs::read(&metadata).map_err(io_error(&metadata));
    }
    // No metadata hook: PEP 517 says build the wheel and read it from there; keep the
    // wheel, since whoever wanted the metadata usually installs it next.
    let built = prepared.build_wheel(WheelKind::Regular)?;
    let name = built
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| prepared.output_error("the built wheel has no file name".into()))?;
    let wheel = publish(&built, &dir, &name)?;
    wheel_metadata(&wheel, &prepared.package)
}

/// Builds a wheel of the project directory `dir`, in place (a regular or a PEP 660
/// editable one). Never cached: the tree is the user's and changes under them. The wheel
/// lives in `out`, which the caller owns.
pub fn build_tree_wheel(
    dir: &Path,
    kind: WheelKind,
    out: &Path,
    ctx: &BuildContext,
) -> Result<PathBuf, BuildError> {
    let prepared = Prepared::new(Source::Tree(dir), kind, ctx)?;
    let built = prepared.build_wheel(kind)?;
    let name = built
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| prepared.output_error("the built wheel has no file name".into()))?;
    publish(&built, out, &name)
}

/// The core metadata of the project directory `dir`, from the backend's
/// `prepare_metadata_for_build_wheel`, else from a wheel built in place.
pub fn build_tree_metadata(dir: &Path, ctx: &BuildContext) -> Result<Vec<u8>, BuildError> {
    let prepared = Prepared::new(Source::Tree(dir), WheelKind::Regular, ctx)?;
    if let Some(metadata) = prepared.prepare_metadata()? {
        return fs::read(&metadata).map_err(io_error(&metadata));
    }
    let built = prepared.build_wheel(WheelKind::Regular)?;
    wheel_metadata(&built, &prepared.package)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_system_defaults() {
        let legacy = BuildSystem::parse(None, "p").ok();
        assert_eq!(
            legacy.as_ref().map(|s| s.backend.as_str()),
            Some("setuptools.build_meta:__legacy__")
        );
        let no_table = BuildSystem::parse(Some("[project]\nname = 'x'\n"), "p").ok();
        assert_eq!(no_table, legacy);
        let declared = BuildSystem::parse(
            Some("[build-system]\nrequires = ['flit_core']\nbuild-backend = 'flit_core.buildapi'\nbackend-path = ['.']\n"),
            "p",
        )
        .ok();
        assert_eq!(
            declared,
            Some(BuildSystem {
                requires: vec!["flit_core".parse().unwrap()],
                backend: "flit_core.buildapi".into(),
                backend_path: vec![".".into()],
            })
        );
    }

    #[test]
    fn build_system_rejects_bad_input() {
        for text in [
            "[build-system]\nbuild-backend = 'x'\n",
            "[build-system]\nrequires = 'x'\n",
            "[build-system]\nrequires = []\nbackend-path = ['../up']\n",
            "not toml =",
        ] {
            assert!(BuildSystem::parse(Some(text), "p").is_err(), "{text}");
        }
    }
}
