//! Dependency resolution: pubgrub over a package index, for one target interpreter and
//! platform, producing pinned versions with the hashes of every file of each.

mod candidates;
mod direct;
mod local;
pub mod vcs;
pub use direct::{absolutize as absolute_reference, url_filename};
pub mod inputs;
pub mod lock;
mod lockfile;
mod provider;
mod report;
pub mod universal;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use pep440_rs::Version;
use skua_index::{DistFile, IndexClient, IndexError};
use skua_platform::Target;
use skua_requirements::Requirement;
use skua_types::{ExtraName, IndexUrl, PackageName};

pub use lockfile::{
    LockHeader, RequirementsTxtStyle, read_pins, read_pins_for, render_pylock,
    render_requirements_txt, render_requirements_txt_styled,
};
pub use report::{Hint, NoSolution};

/// When pre-releases may be chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PrereleaseMode {
    /// Only when a requirement names a pre-release, or when nothing else satisfies it.
    #[default]
    IfNecessary,
    Allow,
    Disallow,
}

/// Which existing pins may move.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Upgrade {
    #[default]
    None,
    All,
    Packages(HashSet<PackageName>),
}

impl Upgrade {
    /// Whether `name`'s existing pin may move.
    pub fn allows_moving(&self, name: &PackageName) -> bool {
        match self {
            Upgrade::None => false,
            Upgrade::All => true,
            Upgrade::Packages(names) => names.contains(name),
        }
    }
}

/// Builds the core metadata of a source distribution whose dependencies are dynamic.
///
/// Defined here and implemented by a crate that can run builds (skua-sync, with skua-build),
/// so the resolver needs no build machinery of its own.
pub trait SdistMetadataBuilder: Send + Sync {
    /// `file` has been downloaded (hash-verified) to `sdist`; returns its METADATA bytes.
    /// Called on the solver thread, outside any async context; it may block.
    fn metadata(
        &self,
        file: &DistFile,
        sdist: &std::path::Path,
    ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;

    /// The METADATA bytes of the project directory `dir` (a local or `-e` requirement
    /// whose `pyproject.toml` does not state them statically).
    fn tree_metadata(
        &self,
        dir: &std::path::Path,
    ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;
}

/// A shared [`SdistMetadataBuilder`], so [`ResolverOptions`] stays `Clone` and `Debug`.
#[derive(Clone)]
pub struct SdistBuilder(pub Arc<dyn SdistMetadataBuilder>);

impl std::fmt::Debug for SdistBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SdistBuilder(..)")
    }
}

#[derive(Clone, Debug)]
pub struct ResolverOptions {
    pub target: Target,
    pub prerelease: PrereleaseMode,
    /// Only files uploaded before this instant are considered.
    pub exclude_newer: Option<skua_types::ExcludeNewer>,
    /// Existing pins kept while still valid.
    pub preferences: HashMap<PackageName, Version>,
    pub upgrade: Upgrade,
    /// Builds sdists whose dependencies are dynamic; `None` fails such a resolution with
    /// [`ResolveError::SdistNeedsBuild`].
    pub sdist_builder: Option<SdistBuilder>,
}

/// A top-level requirement and where it was declared (for `# via` annotations).
#[derive(Clone, Debug)]
pub struct RootRequirement {
    pub requirement: Requirement,
    pub source: String,
    /// `-e`: a project directory installed as a PEP 660 editable wheel.
    pub editable: bool,
}

/// What to resolve.
#[derive(Clone, Debug, Default)]
pub struct Manifest {
    pub requirements: Vec<RootRequirement>,
    /// Constraints (`-c`): they restrict versions but do not add packages.
    pub constraints: Vec<Requirement>,
    /// Overrides (`--override`, as in uv): each replaces every requirement of its name,
    /// at the root and in any package's `Requires-Dist`, markers included (its own marker
    /// decides where it applies); they add no packages either.
    pub overrides: Vec<Requirement>,
}

/// One pinned package.
#[derive(Clone, Debug)]
pub struct ResolvedPackage {
    pub name: PackageName,
    pub version: Version,
    /// Every file of this version usable on the target (wheels whose tags match, and
    /// sdists), best first.
    pub files: Vec<DistFile>,
    /// Every file of this version the index lists, usable on the target or not (only
    /// `exclude_newer` leaves files out), by file name: what lock files hash, as uv and
    /// pip-compile do, so a lock made for one platform and Python installs on others.
    pub all_files: Vec<DistFile>,
    /// The index the package came from.
    pub index: Option<IndexUrl>,
    /// The URL of a direct reference (`name @ url`, an archive path as `file://`): the lock
    /// writes it instead of a version pin.
    pub direct: Option<skua_types::Url>,
    /// A project directory installed as a PEP 660 editable (`-e`).
    pub editable: bool,
    /// Who asked for it: parents, or root sources like `-r requirements.in`.
    pub via: BTreeSet<Via>,
    /// Extras requested of it anywhere in the graph.
    pub extras: BTreeSet<ExtraName>,
    /// Where it is needed, in a universal lock: a PEP 508 marker (`sys_platform ==
    /// 'win32'`), `None` for everywhere.
    pub marker: Option<String>,
}

/// Why a package is in a resolution: one `# via` annotation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Via {
    /// A top-level requirement from this source (`-r requirements.in`, a pyproject, a script).
    Source(String),
    /// A dependency of this package.
    Package(PackageName),
}

impl Via {
    pub fn as_str(&self) -> &str {
        match self {
            Via::Source(source) => source,
            Via::Package(name) => name.as_str(),
        }
    }
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Annotations sort by their text, as pip-compile writes them.
impl Ord for Via {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Via {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Consistent with `Ord`: a set of annotations can be searched by text.
impl std::borrow::Borrow<str> for Via {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Via {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[derive(Clone, Debug, Default)]
pub struct Resolution {
    pub packages: BTreeMap<PackageName, ResolvedPackage>,
    /// A universal lock's further versions of names in `packages`, each where its marker
    /// says (a package that dropped an old Python, say); empty for one target.
    pub other_versions: Vec<ResolvedPackage>,
}

impl Resolution {
    /// Every pinned entry, by name, then version.
    pub fn entries(&self) -> Vec<&ResolvedPackage> {
        let mut entries: Vec<&ResolvedPackage> = self
            .packages
            .values()
            .chain(self.other_versions.iter())
            .collect();
        entries.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.version.cmp(&b.version)));
        entries
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// No set of versions satisfies the requirements.
    #[error("no solution found when resolving dependencies:\n{0}")]
    NoSolution(Box<NoSolution>),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("`{requirement}`: {message}")]
    Unsupported {
        requirement: String,
        message: String,
    },
    #[error(
        "{name}=={version} is only published as a source distribution whose dependencies are known only after building it, and skua cannot build sdists yet; pin a version of {name} that has wheels, or lock it with a tool that builds (e.g. uv)"
    )]
    SdistNeedsBuild { name: PackageName, version: Version },
    #[error("cannot build {name}=={version} to read its dependencies")]
    Build {
        name: PackageName,
        version: Version,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("resolution failed: {0}")]
    Internal(String),
}

/// Progress events, for a spinner or a bar, and warnings to show the user.
#[derive(Clone, Debug)]
pub enum Progress {
    /// A package version was chosen.
    Chose { name: PackageName, version: Version },
    /// The metadata of a distribution is being fetched.
    Fetching { name: PackageName },
    /// A version was left out; the resolution goes on without it. Sent once per version.
    Warning(SkippedVersion),
}

/// A version on the index that cannot be used, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedVersion {
    pub name: PackageName,
    pub version: Version,
    pub reason: Unusable,
}

impl std::fmt::Display for SkippedVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "skipping {}=={}: {}",
            self.name, self.version, self.reason
        )
    }
}

/// Why a version cannot be used, although it is on the index and fits the target.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    /// A `Requires-Dist` line that is invalid even after the usual fix-ups: resolving
    /// without it could produce an environment that lacks a dependency.
    #[error("its metadata has an invalid requirement `{requirement}` ({message})")]
    InvalidRequiresDist {
        requirement: String,
        message: String,
    },
    /// A `Requires-Python` (from the index or the metadata) that is invalid even after
    /// the usual fix-ups: whether the version supports the target is unknown.
    #[error("its Requires-Python `{requires_python}` is invalid ({message})")]
    InvalidRequiresPython {
        requires_python: String,
        message: String,
    },
    /// The core metadata could not be read.
    #[error("its metadata cannot be read: {reason}")]
    Metadata { reason: String },
    /// A dependency is a direct URL, which skua does not lock yet.
    #[error("it depends on a direct URL ({requirement}), which skua does not lock yet")]
    DirectUrl { requirement: String },
}

/// Resolves `manifest` for `options.target` with packages from `client`.
///
/// Must be called outside of an async context: the solver runs on this thread and
/// blocks on `runtime` for index requests, while prefetches run concurrently on it.
pub fn resolve(
    manifest: &Manifest,
    options: &ResolverOptions,
    client: &IndexClient,
    runtime: &tokio::runtime::Handle,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<Resolution, ResolveError> {
    let mut resolution = provider::solve(
        manifest,
        options,
        client,
        runtime,
        progress,
        provider::Mode::single(),
    )?;
    hash_direct_files(&mut resolution, client, runtime)?;
    Ok(resolution)
}

/// A lock hashes every file; a direct reference is downloaded (once, then in the cache
/// for the sync) to check the `#sha256=` it was given, or to compute one: metadata read
/// by range requests says nothing about the file's hash.
pub(crate) fn hash_direct_files(
    resolution: &mut Resolution,
    client: &IndexClient,
    runtime: &tokio::runtime::Handle,
) -> Result<(), ResolveError> {
    for package in resolution
        .packages
        .values_mut()
        .chain(resolution.other_versions.iter_mut())
    {
        if package.direct.is_none() || package.all_files.is_empty() {
            continue;
        }
        for file in package.files.iter_mut().chain(package.all_files.iter_mut()) {
            runtime.block_on(client.fetch(file))?;
            if file.sha256.is_none() {
                file.sha256 = Some(runtime.block_on(client.sha256_of(file))?);
            }
        }
    }
    Ok(())
}
