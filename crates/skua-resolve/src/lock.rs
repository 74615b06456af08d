//! `skua lock`: read the inputs, resolve, render the lock file, and write or check it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skua_context::Context;
use skua_index::IndexError;
use skua_platform::Target;

use crate::inputs::{InputError, Inputs, ProjectSelection};
use crate::universal::Grid;
use crate::{
    LockHeader, PrereleaseMode, Progress, RequirementsTxtStyle, Resolution, ResolveError,
    ResolverOptions, Upgrade, read_pins, read_pins_for, render_pylock,
    render_requirements_txt_styled,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockFormat {
    RequirementsTxt,
    Pylock,
}

impl LockFormat {
    /// `pylock.toml` and `pylock.*.toml` outputs are PEP 751 files; anything else is requirements.txt.
    pub fn for_output(path: Option<&Path>) -> LockFormat {
        let name = path
            .and_then(Path::file_name)
            .and_then(|n| n.to_str())
            .unwrap_or("");
        if name.starts_with("pylock.") && name.ends_with(".toml") {
            LockFormat::Pylock
        } else {
            LockFormat::RequirementsTxt
        }
    }
}

#[derive(Clone, Debug)]
pub struct LockRequest {
    pub requirement_files: Vec<PathBuf>,
    /// Constraints files (`-c`): they restrict versions but add no packages.
    pub constraint_files: Vec<PathBuf>,
    /// Overrides files (`--override`): each requirement replaces every requirement of its
    /// name in the graph, as in uv.
    pub override_files: Vec<PathBuf>,
    pub pyprojects: Vec<PathBuf>,
    pub scripts: Vec<PathBuf>,
    pub selection: ProjectSelection,
    /// Where the lock goes; also where existing pins are read from.
    pub output: Option<PathBuf>,
    pub format: LockFormat,
    /// requirements.txt output switches.
    pub style: RequirementsTxtStyle,
    pub target: Target,
    pub prerelease: PrereleaseMode,
    pub exclude_newer: Option<skua_types::ExcludeNewer>,
    pub upgrade: Upgrade,
    /// The command line shown in the header.
    pub command: String,
    /// Builds sdists with dynamic dependencies; `None` fails on them (see
    /// [`crate::ResolverOptions::sdist_builder`]).
    pub sdist_builder: Option<crate::SdistBuilder>,
    /// `--universal`: one lock for every platform; `target` is then used only for its
    /// Python, when nothing else names the floor.
    pub universal: Option<UniversalLock>,
}

/// How a universal lock is made.
#[derive(Clone, Debug, Default)]
pub struct UniversalLock {
    /// The lowest Python it holds for (`--python-version`); `None`: the lower bound of the
    /// inputs' `requires-python`, else the target's Python.
    pub python_floor: Option<(u16, u16)>,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("no inputs: pass a requirements file, a pyproject.toml or `--script`")]
    NoInputs,
    #[error("requires-python `{0}` admits no Python 3 version a universal lock can hold for")]
    NoPythonFloor(String),
    #[error(transparent)]
    Platform(#[from] skua_platform::PlatformError),
}

pub struct Locked {
    pub text: String,
    pub resolution: Resolution,
}

/// Resolves the request's inputs into the text of a lock file, with the context's indexes
/// (a configured `--index-url` replaces one named in the inputs; their extra indexes are
/// added after the configured ones).
pub fn lock(
    request: &LockRequest,
    context: &Context,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<Locked, LockError> {
    let (inputs, resolution, grid) = resolve_inputs(request, context, progress)?;
    let header = LockHeader {
        command: request.command.clone(),
        target: match &grid {
            Some(grid) => grid.description(),
            None => request.target.to_string(),
        },
    };
    let text = match request.format {
        LockFormat::RequirementsTxt => {
            render_requirements_txt_styled(&resolution, &header, request.style)
        }
        LockFormat::Pylock => {
            let floor = match &grid {
                Some(grid) => {
                    let (major, minor) = grid.floor();
                    format!("{major}.{minor}")
                }
                None => request.target.python_version_string(),
            };
            let requires_python = inputs
                .requires_python
                .clone()
                .unwrap_or_else(|| format!(">={floor}"));
            render_pylock(&resolution, &header, &requires_python)
        }
    };
    Ok(Locked { text, resolution })
}

/// The resolution half of [`lock`]: reads the inputs (with their `-r`/`-c` graph and
/// `--index-url` lines) and resolves them on the context's indexes. `skua lint --fix`
/// pins DEP001 findings with it, so a fix pins what `skua lock` would.
pub fn resolve_request(
    request: &LockRequest,
    context: &Context,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<(Inputs, Resolution), LockError> {
    resolve_inputs(request, context, progress).map(|(inputs, resolution, _)| (inputs, resolution))
}

/// [`resolve_request`], with the environments of a universal lock (for its header).
fn resolve_inputs(
    request: &LockRequest,
    context: &Context,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<(Inputs, Resolution, Option<Grid>), LockError> {
    let mut inputs = Inputs::default();
    for path in &request.requirement_files {
        inputs.add_requirements_file(path)?;
    }
    for path in &request.pyprojects {
        inputs.add_pyproject(path, &request.selection)?;
    }
    for path in &request.scripts {
        inputs.add_script(path)?;
    }
    if inputs.files.is_empty() {
        return Err(LockError::NoInputs);
    }
    for path in &request.constraint_files {
        inputs.add_constraints_file(path)?;
    }
    for path in &request.override_files {
        inputs.add_overrides_file(path)?;
    }

    let indexes = context.indexes().with_input_indexes(
        inputs.index.index_url.clone(),
        inputs.index.extra_index_urls.iter().cloned(),
    );
    let client = context.client_for(&indexes)?;

    let existing = match &request.output {
        Some(path)
            if request.upgrade != Upgrade::All && request.format == LockFormat::RequirementsTxt =>
        {
            std::fs::read_to_string(path).ok()
        }
        _ => None,
    };
    let grid = universal_grid(request, &inputs)?;
    // A universal resolution keeps the existing pins per environment (below), by marker.
    let preferences = match (&grid, &existing) {
        (None, Some(text)) => read_pins(text),
        _ => Default::default(),
    };
    let options = ResolverOptions {
        target: request.target.clone(),
        prerelease: request.prerelease,
        exclude_newer: request.exclude_newer,
        preferences,
        upgrade: request.upgrade.clone(),
        sdist_builder: request.sdist_builder.clone(),
    };
    let resolution = match &grid {
        Some(grid) => crate::universal::resolve_universal(
            &inputs.manifest,
            &options,
            grid,
            &|env| {
                existing
                    .as_deref()
                    .map(|text| read_pins_for(text, Some(env)))
                    .unwrap_or_default()
            },
            &client,
            context.runtime(),
            progress,
        )?,
        None => crate::resolve(
            &inputs.manifest,
            &options,
            &client,
            context.runtime(),
            progress,
        )?,
    };
    Ok((inputs, resolution, grid))
}

/// The environments of a universal request: from `--python-version`, else the lowest
/// Python the inputs' `requires-python` admits, else the target's.
fn universal_grid(request: &LockRequest, inputs: &Inputs) -> Result<Option<Grid>, LockError> {
    let Some(universal) = &request.universal else {
        return Ok(None);
    };
    let floor = match (universal.python_floor, &inputs.requires_python) {
        (Some(floor), _) => floor,
        (None, Some(requires_python)) => lowest_python(requires_python)
            .ok_or_else(|| LockError::NoPythonFloor(requires_python.clone()))?,
        (None, None) => request.target.python,
    };
    Ok(Some(Grid::new(floor)?))
}

/// The lowest `3.x` (as `3.x.0`) that `requires_python` admits.
fn lowest_python(requires_python: &str) -> Option<(u16, u16)> {
    let specifiers = skua_requirements::parse_specifiers_lenient(requires_python)
        .ok()?
        .value;
    (0..=crate::universal::NEWEST_PYTHON.1)
        .find(|minor| specifiers.contains(&pep440_rs::Version::new([3, u64::from(*minor)])))
        .map(|minor| (3, minor))
}

/// The lock without its comment header, so `--check` ignores how the file was generated.
fn body(text: &str) -> &str {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if !line.starts_with('#') {
            break;
        }
        offset += line.len();
    }
    &text[offset..]
}

/// Is the existing file at `path` the same lock as `text` (ignoring the header)?
pub fn is_up_to_date(path: &Path, text: &str) -> bool {
    std::fs::read_to_string(path).is_ok_and(|existing| body(&existing) == body(text))
}
