//! Resolving what DEP001 flags, for `--fix`: one resolution per requirements file (with
//! its `-r`/`-c` graph and `--index-url` lines), pyproject or script, through the same
//! pipeline as `skua lock`, so a pin is what `skua lock` would choose.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use skua_context::Context;
use skua_platform::Target;
use skua_resolve::inputs::ProjectSelection;
use skua_resolve::lock::{LockError, LockFormat, LockRequest, resolve_request};
use skua_resolve::{
    PrereleaseMode, Progress, RequirementsTxtStyle, ResolveError, SdistBuilder, Upgrade,
};
use skua_types::PackageName;

/// What to resolve: a file DEP001 findings were in (or the file that includes it).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PinInput {
    /// A requirements file, with everything it includes.
    Requirements(PathBuf),
    /// An application's `pyproject.toml` (`[project] dependencies`).
    Pyproject(PathBuf),
    /// A PEP 723 script.
    Script(PathBuf),
}

impl PinInput {
    pub fn path(&self) -> &Path {
        match self {
            PinInput::Requirements(path) | PinInput::Pyproject(path) | PinInput::Script(path) => {
                path
            }
        }
    }
}

/// The version chosen for one package, with the sha256 of every file of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    pub version: String,
    /// Hex digests, sorted.
    pub hashes: Vec<String>,
}

/// A resolution as DEP001 fixes use it.
#[derive(Clone, Debug, Default)]
pub struct Pins {
    pub versions: HashMap<PackageName, Pin>,
    /// Versions the resolver skipped, and why (shown as warnings).
    pub warnings: Vec<String>,
}

/// Why an input could not be pinned; nothing is changed then.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    /// The requirements conflict: the resolver's explanation.
    #[error("no solution found when resolving dependencies:\n{0}")]
    NoSolution(String),
    #[error("{0}")]
    Other(String),
}

/// Resolves inputs into pins; implemented with the resolver by [`ResolverPinner`], and
/// by fakes in tests.
pub trait Pinner: Sync {
    fn pin(&self, input: &PinInput) -> Result<Pins, PinError>;
}

/// What resolving needs, made only when a DEP001 fix asks for it: linting without `--fix`
/// (or with nothing to pin) never builds a client, probes an interpreter or reaches an index.
pub struct PinSetup {
    pub context: Arc<Context>,
    pub target: Target,
    pub exclude_newer: Option<skua_types::ExcludeNewer>,
    pub sdist_builder: Option<SdistBuilder>,
}

type SetupFactory = Box<dyn Fn() -> Result<PinSetup, String> + Send + Sync>;

/// [`Pinner`] over `skua_resolve`'s lock pipeline.
pub struct ResolverPinner {
    factory: SetupFactory,
    setup: OnceLock<Result<PinSetup, String>>,
}

impl ResolverPinner {
    pub fn new(factory: impl Fn() -> Result<PinSetup, String> + Send + Sync + 'static) -> Self {
        ResolverPinner {
            factory: Box::new(factory),
            setup: OnceLock::new(),
        }
    }
}

impl Pinner for ResolverPinner {
    fn pin(&self, input: &PinInput) -> Result<Pins, PinError> {
        let setup = self
            .setup
            .get_or_init(|| (self.factory)())
            .as_ref()
            .map_err(|error| PinError::Other(error.clone()))?;
        let path = input.path().to_path_buf();
        let (requirement_files, pyprojects, scripts) = match input {
            PinInput::Requirements(_) => (vec![path], Vec::new(), Vec::new()),
            PinInput::Pyproject(_) => (Vec::new(), vec![path], Vec::new()),
            PinInput::Script(_) => (Vec::new(), Vec::new(), vec![path]),
        };
        let request = LockRequest {
            requirement_files,
            constraint_files: Vec::new(),
            override_files: Vec::new(),
            pyprojects,
            scripts,
            selection: ProjectSelection::default(),
            output: None,
            format: LockFormat::RequirementsTxt,
            style: RequirementsTxtStyle {
                header: false,
                annotate: false,
                strip_extras: false,
            },
            target: setup.target.clone(),
            prerelease: PrereleaseMode::IfNecessary,
            exclude_newer: setup.exclude_newer,
            upgrade: Upgrade::None,
            command: String::new(),
            sdist_builder: setup.sdist_builder.clone(),
            universal: None,
        };
        let warnings = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&warnings);
        let progress: Arc<dyn Fn(Progress) + Send + Sync> = Arc::new(move |event| {
            if let Progress::Warning(skipped) = event
                && let Ok(mut warnings) = sink.lock()
            {
                warnings.push(format!("skipping {skipped}"));
            }
        });
        let (_, resolution) =
            resolve_request(&request, &setup.context, progress).map_err(|error| match error {
                LockError::Resolve(ResolveError::NoSolution(no_solution)) => {
                    PinError::NoSolution(no_solution.to_string())
                }
                other => PinError::Other(error_chain(&other)),
            })?;
        let versions = resolution
            .packages
            .into_values()
            .map(|package| {
                let mut hashes: Vec<String> = package
                    .all_files
                    .iter()
                    .filter_map(|file| file.sha256.as_ref().map(|hash| hash.hex().to_string()))
                    .collect();
                hashes.sort_unstable();
                hashes.dedup();
                let pin = Pin {
                    version: package.version.to_string(),
                    hashes,
                };
                (package.name, pin)
            })
            .collect();
        // A resolver thread that panicked must not take the warnings already given with it.
        let warnings = std::mem::take(
            &mut *warnings
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        Ok(Pins { versions, warnings })
    }
}

/// An error with its causes, as one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
