//! The pubgrub dependency provider: choose versions and read dependencies from the index,
//! prefetching what the solver is likely to ask for next.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use pep440_rs::{Version, VersionSpecifiers};
use pubgrub::{Dependencies, DependencyProvider, PackageResolutionStatistics, PubGrubError};
use skua_index::{DistFile, IndexClient, IndexError, Project};
use skua_platform::Tags;
use skua_requirements::{
    Marker, MarkerEnvironment, MarkerOp, MarkerValue, Requirement, parse_requirement_lenient,
    parse_specifiers_lenient,
};
use skua_types::{ExtraName, PackageName};
use version_ranges::Ranges;

use crate::candidates::{Candidate, candidates, direct_candidate};
use crate::direct::direct_file;
use crate::local::{LocalTree, read_tree, tree_path};
use crate::report::{Hint, NoSolution};
use crate::vcs::{self, GitReference};
use crate::{
    Manifest, PrereleaseMode, Progress, Resolution, ResolveError, ResolvedPackage, ResolverOptions,
    SkippedVersion, Unusable, Via,
};

/// A node of the solver's graph. Extras are separate packages that depend on their base
/// package at the same version, as in uv and poetry.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Pkg {
    Root,
    Name(PackageName),
    Extra(PackageName, ExtraName),
}

impl fmt::Display for Pkg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pkg::Root => f.write_str("your requirements"),
            Pkg::Name(name) => name.fmt(f),
            Pkg::Extra(name, extra) => write!(f, "{name}[{extra}]"),
        }
    }
}

impl Pkg {
    pub(crate) fn name(&self) -> Option<&PackageName> {
        match self {
            Pkg::Root => None,
            Pkg::Name(name) | Pkg::Extra(name, _) => Some(name),
        }
    }
}

type Range = Ranges<Version>;

/// Candidate lists of a universal lock's resolutions, by name and Python: with wheel tags
/// out of the question, the platforms of one Python see the same versions.
pub(crate) type SharedCandidates = Mutex<HashMap<(PackageName, (u16, u16)), Arc<Vec<Candidate>>>>;

/// How a resolution is made: for one target, or as one environment of a universal lock.
#[derive(Clone, Default)]
pub(crate) struct Mode {
    /// Versions need not have a wheel for the target (uv's universal rule).
    pub any_platform: bool,
    /// Fetch ahead of the solver; off when earlier resolutions fetched it all.
    pub prefetch: bool,
    pub shared_candidates: Option<Arc<SharedCandidates>>,
}

impl Mode {
    /// One target: its own wheels, prefetching.
    pub(crate) fn single() -> Mode {
        Mode {
            prefetch: true,
            ..Mode::default()
        }
    }
}

/// Versions of a package the solver has tried after which the metadata of its next
/// versions is fetched ahead, as uv batches once a package's versions are tried one after
/// another. Half as many are fetched ahead as have been tried, up to [`MAX_BATCH`]: a
/// provider of Airflow walks back a few releases, an unsatisfiable boto3 hundreds, and
/// what is fetched ahead when the walk stops is never read. Sized by conflicts instead
/// (pubgrub counts a package in every conflict it is part of), Airflow fetched 32
/// versions of `rich` where the solver tried 2; as many ahead as tried, 1.02x uv's bytes.
const BATCH_AFTER_TRIED: usize = 2;
const MAX_BATCH: usize = 50;

/// What the background prefetch tasks share. They run on the runtime while the solver
/// blocks its own thread and fetch, for each dependency of a version the solver has taken
/// up, the page and the metadata of its likely pick, so that requests overlap instead of
/// waiting on each other one round trip at a time.
///
/// One level, as uv prefetches: walking on from those picks' own dependencies fetched
/// pages of projects no resolution reaches (a backtracking boto3 + kubernetes set read
/// the 7 MB page of `pydantic-core` for a kubernetes release the solver gave up; Airflow
/// read 32 MB of such pages), 1.25x-1.35x uv's bytes, for no gain in time once batches
/// follow the versions tried.
struct Prefetcher {
    client: IndexClient,
    target: skua_platform::Target,
    tags: Tags,
    exclude_newer: Option<skua_types::ExcludeNewer>,
    any_platform: bool,
    /// Names prefetched already, so each is prefetched once.
    requested: Mutex<HashSet<PackageName>>,
    /// Versions whose metadata a batch asked for.
    batched: Mutex<HashSet<(PackageName, Version)>>,
    /// Names waiting for a worker, and how many workers run. A queued name is a name and
    /// a range (about a hundred bytes); a spawned task holds the whole request future
    /// (kilobytes) while it waits on the client's concurrency limit, for every name at once.
    queue: Mutex<(std::collections::VecDeque<(PackageName, Range)>, usize)>,
}

/// Prefetch workers at once: more than the client's requests in flight, so a worker
/// parsing a page does not leave the network idle.
const PREFETCH_WORKERS: usize = 64;

impl Prefetcher {
    /// Queues `name` (its page and likely pick in `range`) for a worker, once per name.
    fn request(
        self: &Arc<Self>,
        runtime: &tokio::runtime::Handle,
        name: PackageName,
        range: Range,
    ) {
        if !lock(&self.requested).insert(name.clone()) {
            return;
        }
        let mut queue = lock(&self.queue);
        queue.0.push_back((name, range));
        if queue.1 >= PREFETCH_WORKERS {
            return;
        }
        queue.1 += 1;
        drop(queue);
        let this = Arc::clone(self);
        runtime.spawn(async move {
            loop {
                let next = {
                    let mut queue = lock(&this.queue);
                    let next = queue.0.pop_front();
                    if next.is_none() {
                        // Under the same lock as the push: no name is left behind.
                        queue.1 -= 1;
                    }
                    next
                };
                let Some((name, range)) = next else {
                    return;
                };
                this.visit(name, range).await;
            }
        });
    }

    /// The page and the metadata of the newest version in `range` (the solver's likely
    /// pick); the provider has applied the constraints to `range` already.
    async fn visit(&self, name: PackageName, range: Range) {
        let Ok(project) = self.client.project(&name).await else {
            return;
        };
        let list = candidates(
            &project,
            &self.target,
            &self.tags,
            self.exclude_newer,
            self.any_platform,
        );
        let likely = list.iter().find(|candidate| {
            candidate.python_compatible
                && !candidate.yanked
                && !candidate.version.any_prerelease()
                && range.contains(&candidate.version)
        });
        if let Some(file) = likely.and_then(Candidate::metadata_file) {
            let _ = self.client.metadata(file).await;
        }
    }

    /// Fetches the metadata of `files` (versions of `name`) concurrently.
    fn batch(
        &self,
        runtime: &tokio::runtime::Handle,
        name: &PackageName,
        files: Vec<(Version, skua_index::DistFile)>,
    ) {
        for (version, file) in files {
            if !lock(&self.batched).insert((name.clone(), version)) {
                continue;
            }
            let client = self.client.clone();
            runtime.spawn(async move {
                let _ = client.metadata(&file).await;
            });
        }
    }
}

pub(crate) struct Provider<'a> {
    client: &'a IndexClient,
    runtime: tokio::runtime::Handle,
    options: &'a ResolverOptions,
    /// How this resolution is one of a universal lock's (see [`Mode`]).
    mode: Mode,
    env: MarkerEnvironment,
    /// The target's full Python version, for `Requires-Python` in metadata.
    python: Option<Version>,
    tags: Tags,
    root_dependencies: Vec<(Pkg, Range)>,
    root_sources: HashMap<PackageName, BTreeSet<String>>,
    constraints: HashMap<PackageName, Range>,
    /// `--override` requirements by name: they replace every requirement of that name.
    overrides: HashMap<PackageName, Vec<Override>>,
    /// Names whose requirement mentions a pre-release: pre-releases are fair game for them.
    explicit_prereleases: HashSet<PackageName>,
    /// Direct references at the top (`name @ url`, archive paths): the one file of
    /// their name, wherever the name is asked for.
    direct: HashMap<PackageName, DistFile>,
    /// Project directories at the top (`./pkg`, `-e .`), with the metadata read up front.
    local: HashMap<PackageName, LocalTree>,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
    projects: Mutex<HashMap<PackageName, Arc<Project>>>,
    candidates: Mutex<HashMap<PackageName, Arc<Vec<Candidate>>>>,
    not_found: Mutex<BTreeSet<PackageName>>,
    /// Dependencies read for each (package, version), for `# via` annotations.
    dependency_names: Mutex<HashMap<(Pkg, Version), Vec<PackageName>>>,
    prefetcher: Arc<Prefetcher>,
    /// Distinct versions the solver chose per package, to size batch prefetches.
    chosen: Mutex<HashMap<PackageName, HashSet<Version>>>,
    discovery_order: Mutex<HashMap<Pkg, usize>>,
    /// Versions already reported as skipped (a package and its extras share metadata).
    warned: Mutex<HashSet<(PackageName, Version)>>,
    /// Packages decided before all others but pins, since they kept conflicting.
    early: Mutex<HashSet<PackageName>>,
    /// A package that just reached [`CONFLICT_THRESHOLD`]: the solve starts again.
    restart: Mutex<Option<PackageName>>,
    /// Versions chosen per package in the current attempt.
    tried: Mutex<HashMap<PackageName, u32>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding one of these locks would already have failed the resolution.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The validated name of a named requirement (unnamed URL/path requirements have none).
fn requirement_name(requirement: &Requirement) -> Result<PackageName, ResolveError> {
    requirement
        .package_name
        .clone()
        .ok_or_else(|| ResolveError::Unsupported {
            requirement: requirement.name.clone(),
            message: "a requirement without a valid project name cannot be resolved".into(),
        })
}

/// Extras as the solver names them; a malformed extra is an error, never dropped.
fn requirement_extras(requirement: &Requirement) -> Result<Vec<ExtraName>, ResolveError> {
    requirement
        .extras
        .iter()
        .map(|extra| {
            ExtraName::new(extra).map_err(|error| ResolveError::Unsupported {
                requirement: requirement.name.clone(),
                message: error.to_string(),
            })
        })
        .collect()
}

fn specifier_range(requirement: &Requirement) -> Result<Range, ResolveError> {
    if requirement.specifiers.is_empty() {
        return Ok(Range::full());
    }
    let specifiers = VersionSpecifiers::from_str(&requirement.specifiers).map_err(|error| {
        ResolveError::Unsupported {
            requirement: format!("{}{}", requirement.name, requirement.specifiers),
            message: error.to_string(),
        }
    })?;
    Ok(Range::from(specifiers))
}

fn mentions_prerelease(requirement: &Requirement) -> bool {
    VersionSpecifiers::from_str(&requirement.specifiers)
        .map(|specifiers| {
            specifiers
                .iter()
                .any(|specifier| specifier.version().any_prerelease())
        })
        .unwrap_or(false)
}

/// One line of an overrides file (`--override`), read once.
struct Override {
    requirement: Requirement,
    extras: Vec<ExtraName>,
    range: Range,
}

/// The overrides by name: each replaces every requirement of its name in the graph.
fn read_overrides(
    overrides: &[Requirement],
) -> Result<HashMap<PackageName, Vec<Override>>, ResolveError> {
    let mut by_name: HashMap<PackageName, Vec<Override>> = HashMap::new();
    for requirement in overrides {
        let name = requirement_name(requirement)?;
        if requirement.url.is_some() {
            return Err(ResolveError::Unsupported {
                requirement: requirement.name.clone(),
                message: "a direct URL or path cannot be an override yet".into(),
            });
        }
        by_name.entry(name).or_default().push(Override {
            extras: requirement_extras(requirement)?,
            range: specifier_range(requirement)?,
            requirement: requirement.clone(),
        });
    }
    Ok(by_name)
}

/// The `extra == "name"` a marker is conditional on, when it is the marker or one of the
/// clauses of its top-level `and` (uv's `top_level_extra`).
fn top_level_extra(marker: &Marker) -> Option<&str> {
    match marker {
        Marker::And(clauses) => clauses.iter().find_map(extra_equals),
        other => extra_equals(other),
    }
}

/// `extra == "name"` (either way round): the name.
fn extra_equals(marker: &Marker) -> Option<&str> {
    match marker {
        Marker::Compare {
            left: MarkerValue::Variable(variable),
            op: MarkerOp::Equal,
            right: MarkerValue::Literal(extra),
        }
        | Marker::Compare {
            left: MarkerValue::Literal(extra),
            op: MarkerOp::Equal,
            right: MarkerValue::Variable(variable),
        } if variable == "extra" => Some(extra),
        _ => None,
    }
}

/// What an overridden requirement becomes, as uv has it: the overrides whose own markers
/// apply replace it, whatever its marker said, except that a dependency of an extra stays
/// one (it is replaced only while that extra is wanted).
fn apply_overrides<'o>(
    requirement: &Requirement,
    overrides: &'o [Override],
    env: &MarkerEnvironment,
    extras: &[ExtraName],
) -> Vec<&'o Override> {
    let gate_open = match requirement.parsed_marker() {
        None => true,
        Some(Ok(marker)) => top_level_extra(&marker)
            .is_none_or(|extra| ExtraName::new(extra).is_ok_and(|extra| extras.contains(&extra))),
        Some(Err(_)) => false,
    };
    if !gate_open {
        return Vec::new();
    }
    overrides
        .iter()
        .filter(|candidate| marker_applies(&candidate.requirement, env, extras))
        .collect()
}

impl<'a> Provider<'a> {
    fn new(
        manifest: &Manifest,
        options: &'a ResolverOptions,
        client: &'a IndexClient,
        runtime: tokio::runtime::Handle,
        progress: Arc<dyn Fn(Progress) + Send + Sync>,
        mode: Mode,
    ) -> Result<Self, ResolveError> {
        let any_platform = mode.any_platform;
        let env = options.target.marker_environment();
        let mut constraints: HashMap<PackageName, Range> = HashMap::new();
        let mut explicit_prereleases = HashSet::new();
        for constraint in &manifest.constraints {
            if !marker_applies(constraint, &env, &[]) {
                continue;
            }
            let name = requirement_name(constraint)?;
            let range = specifier_range(constraint)?;
            if mentions_prerelease(constraint) {
                explicit_prereleases.insert(name.clone());
            }
            let entry = constraints.entry(name).or_insert_with(Range::full);
            *entry = entry.intersection(&range);
        }
        let overrides = read_overrides(&manifest.overrides)?;
        for (name, list) in &overrides {
            if list
                .iter()
                .any(|candidate| mentions_prerelease(&candidate.requirement))
            {
                explicit_prereleases.insert(name.clone());
            }
        }
        let mut root_dependencies: BTreeMap<Pkg, Range> = BTreeMap::new();
        let mut direct: HashMap<PackageName, DistFile> = HashMap::new();
        let mut local: HashMap<PackageName, LocalTree> = HashMap::new();
        let mut root_sources: HashMap<PackageName, BTreeSet<String>> = HashMap::new();
        for root in &manifest.requirements {
            let requirement = &root.requirement;
            // A directory's name is known only from its metadata.
            let mut tree_name = None;
            let overridden = requirement
                .package_name
                .as_ref()
                .and_then(|name| overrides.get(name));
            let wanted: Vec<(Vec<ExtraName>, Range)> = match overridden {
                Some(list) => apply_overrides(requirement, list, &env, &[])
                    .into_iter()
                    .map(|chosen| (chosen.extras.clone(), chosen.range.clone()))
                    .collect(),
                None => {
                    if !marker_applies(requirement, &env, &[]) {
                        continue;
                    }
                    let range = match &requirement.url {
                        Some(url) if let Some(git) = GitReference::parse(url) => {
                            if root.editable {
                                return Err(ResolveError::Unsupported {
                                    requirement: url.clone(),
                                    message: "a git checkout cannot be editable; clone it and use `-e ./path`".into(),
                                });
                            }
                            let unsupported = |message: String| ResolveError::Unsupported {
                                requirement: skua_types::redact_str(url),
                                message,
                            };
                            let checkout =
                                vcs::checkout(&git, client.cache()).map_err(unsupported)?;
                            let (name, mut tree) = read_tree(
                                requirement,
                                &checkout.project,
                                false,
                                options.sdist_builder.as_ref(),
                            )?;
                            tree.url = skua_types::Url::parse(&git.at_commit(&checkout.commit))
                                .map_err(|error| unsupported(error.to_string()))?;
                            let range = Range::singleton(tree.metadata.version.clone());
                            local.insert(name.clone(), tree);
                            tree_name = Some(name);
                            range
                        }
                        Some(_) if let Some(dir) = tree_path(requirement) => {
                            let (name, tree) = read_tree(
                                requirement,
                                &dir,
                                root.editable,
                                options.sdist_builder.as_ref(),
                            )?;
                            let range = Range::singleton(tree.metadata.version.clone());
                            local.insert(name.clone(), tree);
                            tree_name = Some(name);
                            range
                        }
                        Some(_) if root.editable => {
                            return Err(ResolveError::Unsupported {
                                requirement: requirement.url.clone().unwrap_or_default(),
                                message: "only a local project directory can be editable".into(),
                            });
                        }
                        Some(_) => {
                            let (name, file) = direct_file(requirement)?;
                            let range = Range::singleton(file.version().clone());
                            if let Some(other) = direct.insert(name.clone(), file.clone())
                                && other.url != file.url
                            {
                                return Err(ResolveError::Unsupported {
                                    requirement: requirement.name.clone(),
                                    message: format!(
                                        "{name} is given by two different URLs: {} and {}",
                                        skua_types::redact_str(other.url.as_str()),
                                        skua_types::redact_str(file.url.as_str())
                                    ),
                                });
                            }
                            range
                        }
                        None => specifier_range(requirement)?,
                    };
                    vec![(requirement_extras(requirement)?, range)]
                }
            };
            let name = match tree_name {
                Some(name) => name,
                None => requirement_name(requirement)?,
            };
            if overridden.is_none() && mentions_prerelease(requirement) {
                explicit_prereleases.insert(name.clone());
            }
            for (extras, range) in wanted {
                root_sources
                    .entry(name.clone())
                    .or_default()
                    .insert(root.source.clone());
                for pkg in std::iter::once(Pkg::Name(name.clone())).chain(
                    extras
                        .into_iter()
                        .map(|extra| Pkg::Extra(name.clone(), extra)),
                ) {
                    let entry = root_dependencies.entry(pkg).or_insert_with(Range::full);
                    *entry = entry.intersection(&range);
                }
            }
        }
        let root_dependencies = root_dependencies
            .into_iter()
            .map(|(pkg, range)| {
                let constrained = match pkg.name().and_then(|name| constraints.get(name)) {
                    Some(constraint) => range.intersection(constraint),
                    None => range,
                };
                (pkg, constrained)
            })
            .collect();
        let prefetcher = Arc::new(Prefetcher {
            client: client.clone(),
            target: options.target.clone(),
            tags: options.target.tags(),
            exclude_newer: options.exclude_newer,
            any_platform,
            requested: Mutex::default(),
            batched: Mutex::default(),
            queue: Mutex::default(),
        });
        Ok(Provider {
            client,
            runtime,
            options,
            mode,
            tags: options.target.tags(),
            python: Version::from_str(&options.target.python_full).ok(),
            env,
            root_dependencies,
            root_sources,
            constraints,
            overrides,
            explicit_prereleases,
            direct,
            local,
            progress,
            projects: Mutex::default(),
            candidates: Mutex::default(),
            not_found: Mutex::default(),
            dependency_names: Mutex::default(),
            prefetcher,
            chosen: Mutex::default(),
            discovery_order: Mutex::default(),
            warned: Mutex::default(),
            early: Mutex::default(),
            restart: Mutex::default(),
            tried: Mutex::default(),
        })
    }

    fn project(&self, name: &PackageName) -> Result<Option<Arc<Project>>, ResolveError> {
        if let Some(project) = lock(&self.projects).get(name) {
            return Ok(Some(Arc::clone(project)));
        }
        match self.runtime.block_on(self.client.project(name)) {
            Ok(project) => {
                lock(&self.projects).insert(name.clone(), Arc::clone(&project));
                Ok(Some(project))
            }
            Err(IndexError::NotFound { .. }) => {
                lock(&self.not_found).insert(name.clone());
                Ok(None)
            }
            Err(error) => Err(error.into()),
        }
    }

    fn candidates(&self, name: &PackageName) -> Result<Arc<Vec<Candidate>>, ResolveError> {
        if let Some(found) = lock(&self.candidates).get(name) {
            return Ok(Arc::clone(found));
        }
        if let Some(tree) = self.local.get(name) {
            let list = Arc::new(vec![Candidate {
                version: tree.metadata.version.clone(),
                files: Vec::new(),
                all_files: Vec::new(),
                yanked: false,
                requires_python: tree.metadata.requires_python.clone(),
                python_compatible: true,
                invalid_requires_python: None,
            }]);
            lock(&self.candidates).insert(name.clone(), Arc::clone(&list));
            return Ok(list);
        }
        if let Some(file) = self.direct.get(name) {
            let list = Arc::new(vec![direct_candidate(
                file,
                &self.tags,
                self.mode.any_platform,
            )]);
            lock(&self.candidates).insert(name.clone(), Arc::clone(&list));
            return Ok(list);
        }
        let shared_key = (name.clone(), self.options.target.python);
        if let Some(shared) = &self.mode.shared_candidates
            && let Some(found) = lock(shared).get(&shared_key)
        {
            lock(&self.candidates).insert(name.clone(), Arc::clone(found));
            return Ok(Arc::clone(found));
        }
        let list = match self.project(name)? {
            Some(project) => candidates(
                &project,
                &self.options.target,
                &self.tags,
                self.options.exclude_newer,
                self.mode.any_platform,
            ),
            None => Vec::new(),
        };
        let list = Arc::new(list);
        if let Some(shared) = &self.mode.shared_candidates {
            lock(shared).insert(shared_key, Arc::clone(&list));
        }
        lock(&self.candidates).insert(name.clone(), Arc::clone(&list));
        Ok(list)
    }

    /// Starts fetching `name`'s page and the metadata of its likely pick in `range` in the
    /// background.
    fn prefetch(&self, name: &PackageName, range: &Range) {
        if !self.mode.prefetch
            || self.overrides.contains_key(name)
            || self.direct.contains_key(name)
            || self.local.contains_key(name)
        {
            return;
        }
        self.prefetcher
            .request(&self.runtime, name.clone(), range.clone());
    }

    fn usable(&self, candidate: &Candidate, range: &Range, allow_prerelease: bool) -> bool {
        if !range.contains(&candidate.version) || !candidate.python_compatible {
            return false;
        }
        // Yanked versions are used only when pinned exactly (PEP 592).
        if candidate.yanked && range.as_singleton() != Some(&candidate.version) {
            return false;
        }
        allow_prerelease || !candidate.version.any_prerelease()
    }

    fn dependencies_of(
        &self,
        package: &Pkg,
        version: &Version,
    ) -> Result<Dependencies<Pkg, Range, String>, ResolveError> {
        let (name, extra) = match package {
            Pkg::Root => {
                let mut map: BTreeMap<Pkg, Range> = BTreeMap::new();
                for (pkg, range) in &self.root_dependencies {
                    match pkg {
                        Pkg::Name(name) | Pkg::Extra(name, _) => self.prefetch(name, range),
                        Pkg::Root => {}
                    }
                    map.insert(pkg.clone(), range.clone());
                }
                return Ok(Dependencies::Available(map.into_iter().collect()));
            }
            Pkg::Name(name) => (name, None),
            Pkg::Extra(name, extra) => (name, Some(extra)),
        };
        let list = self.candidates(name)?;
        let Some(candidate) = list.iter().find(|candidate| &candidate.version == version) else {
            return Ok(Dependencies::Unavailable(format!(
                "{name}=={version} is not on the index"
            )));
        };
        // A project directory's metadata was read up front.
        let metadata = if let Some(tree) = self.local.get(name) {
            Arc::clone(&tree.metadata)
        } else {
            let Some(file) = candidate.metadata_file() else {
                return Ok(Dependencies::Unavailable(format!(
                    "{name}=={version} has no usable files"
                )));
            };
            if let Some(message) = &candidate.invalid_requires_python {
                return Ok(self.unusable(
                    name,
                    version,
                    Unusable::InvalidRequiresPython {
                        requires_python: candidate.requires_python.clone().unwrap_or_default(),
                        message: message.clone(),
                    },
                ));
            }
            (self.progress)(Progress::Fetching { name: name.clone() });
            let metadata = match self.runtime.block_on(self.client.metadata(file)) {
                Ok(metadata) => metadata,
                Err(IndexError::MetadataUnavailable { reason, .. }) => {
                    return Ok(self.unusable(name, version, Unusable::Metadata { reason }));
                }
                Err(error) => return Err(error.into()),
            };
            if matches!(file.kind, skua_index::DistKind::Sdist { .. })
                && !metadata.static_requires_dist()
            {
                let Some(builder) = &self.options.sdist_builder else {
                    // Stop here rather than let the solver walk every older sdist: the user
                    // needs to know which package forces a build.
                    return Err(ResolveError::SdistNeedsBuild {
                        name: name.clone(),
                        version: version.clone(),
                    });
                };
                let build_error = |source| ResolveError::Build {
                    name: name.clone(),
                    version: version.clone(),
                    source,
                };
                let sdist = self.runtime.block_on(self.client.fetch(file))?;
                // A failed build fails the resolution, like SdistNeedsBuild: silently trying
                // older versions would hide why the newest one was skipped.
                let bytes = builder.0.metadata(file, &sdist).map_err(build_error)?;
                Arc::new(
                    skua_index::CoreMetadata::parse(&bytes)
                        .map_err(|error| build_error(Box::new(error)))?,
                )
            } else {
                metadata
            }
        };
        if let Some(requires_python) = &metadata.requires_python {
            match parse_specifiers_lenient(requires_python) {
                Err(error) => {
                    return Ok(self.unusable(
                        name,
                        version,
                        Unusable::InvalidRequiresPython {
                            requires_python: requires_python.clone(),
                            message: error.to_string(),
                        },
                    ));
                }
                // The index may not publish Requires-Python (or publish another one);
                // the metadata is what installers check.
                Ok(specifiers) => {
                    if let Some(python) = &self.python
                        && !specifiers.value.contains(python)
                    {
                        return Ok(Dependencies::Unavailable(format!(
                            "its metadata requires Python {requires_python}"
                        )));
                    }
                }
            }
        }
        let extras: Vec<ExtraName> = extra.iter().map(|extra| (*extra).clone()).collect();
        let mut map: BTreeMap<Pkg, Range> = BTreeMap::new();
        if let Some(extra) = extra {
            map.insert(Pkg::Name(name.clone()), Range::singleton(version.clone()));
            if !metadata.provides_extra.iter().any(|provided| {
                ExtraName::new(provided.trim()).is_ok_and(|provided| provided == *extra)
            }) {
                // Like pip, an unknown extra is ignored rather than failing the resolution.
                return Ok(Dependencies::Available(map.into_iter().collect()));
            }
        }
        let mut names = Vec::new();
        for line in &metadata.requires_dist {
            // Dropping a line could leave a dependency out of the lock, so a line that
            // cannot be read makes the whole version unusable, whatever its marker says.
            let invalid = |message: String| Unusable::InvalidRequiresDist {
                requirement: line.clone(),
                message,
            };
            let requirement = match parse_requirement_lenient(line) {
                Ok(lenient) => lenient.value,
                Err(error) => {
                    return Ok(self.unusable(name, version, invalid(error.to_string())));
                }
            };
            let parsed = requirement_name(&requirement).and_then(|dependency| {
                Ok((
                    dependency,
                    requirement_extras(&requirement)?,
                    specifier_range(&requirement)?,
                ))
            });
            let (dependency, dependency_extras, range) = match parsed {
                Ok(parsed) => parsed,
                Err(error) => return Ok(self.unusable(name, version, invalid(error.to_string()))),
            };
            let wanted: Vec<(Vec<ExtraName>, Range)> = match self.overrides.get(&dependency) {
                // An override also replaces a direct URL dependency, as in uv.
                Some(list) => apply_overrides(&requirement, list, &self.env, &extras)
                    .into_iter()
                    .map(|chosen| (chosen.extras.clone(), chosen.range.clone()))
                    .collect(),
                None => {
                    if !marker_applies(&requirement, &self.env, &extras) {
                        continue;
                    }
                    if requirement.url.is_some() {
                        return Ok(self.unusable(
                            name,
                            version,
                            Unusable::DirectUrl {
                                requirement: requirement.name.clone(),
                            },
                        ));
                    }
                    vec![(dependency_extras, range)]
                }
            };
            if wanted.is_empty() {
                continue;
            }
            names.push(dependency.clone());
            for (dependency_extras, mut range) in wanted {
                if let Some(constraint) = self.constraints.get(&dependency) {
                    range = range.intersection(constraint);
                }
                self.prefetch(&dependency, &range);
                let targets = std::iter::once(Pkg::Name(dependency.clone())).chain(
                    dependency_extras
                        .into_iter()
                        .map(|extra| Pkg::Extra(dependency.clone(), extra)),
                );
                for pkg in targets {
                    // A package listing itself (`pkg[all]` → `pkg[a]`) must not depend on its own base twice.
                    if pkg == Pkg::Name(name.clone()) {
                        continue;
                    }
                    let entry = map.entry(pkg).or_insert_with(Range::full);
                    *entry = entry.intersection(&range);
                }
            }
        }
        lock(&self.dependency_names).insert((package.clone(), version.clone()), names);
        Ok(Dependencies::Available(map.into_iter().collect()))
    }
}

impl Provider<'_> {
    /// Leaves `name==version` out of the resolution, telling the user why (once).
    fn unusable(
        &self,
        name: &PackageName,
        version: &Version,
        reason: Unusable,
    ) -> Dependencies<Pkg, Range, String> {
        let message = reason.to_string();
        if lock(&self.warned).insert((name.clone(), version.clone())) {
            (self.progress)(Progress::Warning(SkippedVersion {
                name: name.clone(),
                version: version.clone(),
                reason,
            }));
        }
        Dependencies::Unavailable(message)
    }
}

fn marker_applies(
    requirement: &Requirement,
    env: &MarkerEnvironment,
    extras: &[ExtraName],
) -> bool {
    match requirement.parsed_marker() {
        None => true,
        Some(Ok(marker)) => marker.evaluate(env, extras),
        // A marker we cannot read is treated as not applying, as pip does for invalid ones.
        Some(Err(_)) => false,
    }
}

impl DependencyProvider for Provider<'_> {
    type P = Pkg;
    type V = Version;
    type VS = Range;
    type M = String;
    type Priority = (u32, Reverse<usize>);
    type Err = Solve;

    fn prioritize(
        &self,
        package: &Pkg,
        range: &Range,
        statistics: &PackageResolutionStatistics,
    ) -> Self::Priority {
        let mut order = lock(&self.discovery_order);
        let next = order.len();
        let discovered = *order.entry(package.clone()).or_insert(next);
        drop(order);
        // Exact pins first (they cannot backtrack), then packages that kept conflicting in
        // an earlier attempt, then packages that conflicted the most.
        let pinned = u32::from(range.as_singleton().is_some());
        let early = package
            .name()
            .is_some_and(|name| lock(&self.early).contains(name));

        (
            pinned * 1_000_000 + u32::from(early) * 500_000 + statistics.conflict_count(),
            Reverse(discovered),
        )
    }

    fn choose_version(&self, package: &Pkg, range: &Range) -> Result<Option<Version>, Solve> {
        let Some(name) = package.name() else {
            return Ok(Some(Version::new([0])));
        };
        // pubgrub keeps a package's priority while its versions fail one by one against
        // a decision made earlier, so the count of versions tried is what shows it.
        let tried = {
            let mut tried = lock(&self.tried);
            let count = tried.entry(name.clone()).or_default();
            *count += 1;
            *count
        };
        if tried > CONFLICT_THRESHOLD
            && !lock(&self.early).contains(name)
            && lock(&self.early).len() < MAX_RESTARTS
        {
            *lock(&self.restart) = Some(name.clone());
            return Err(Solve::Restart);
        }
        let list = self.candidates(name)?;
        let explicit = self.explicit_prereleases.contains(name);
        let allow_prerelease = match self.options.prerelease {
            PrereleaseMode::Allow => true,
            PrereleaseMode::Disallow => false,
            PrereleaseMode::IfNecessary => explicit,
        };
        if !self.options.upgrade.allows_moving(name)
            && let Some(preferred) = self.options.preferences.get(name)
            && let Some(candidate) = list
                .iter()
                .find(|candidate| &candidate.version == preferred)
            && self.usable(candidate, range, true)
        {
            return Ok(Some(candidate.version.clone()));
        }
        let mut chosen = list
            .iter()
            .find(|candidate| self.usable(candidate, range, allow_prerelease));
        if chosen.is_none() && self.options.prerelease == PrereleaseMode::IfNecessary {
            // Only pre-releases satisfy the range: take one rather than fail.
            chosen = list
                .iter()
                .find(|candidate| self.usable(candidate, range, true));
        }
        let version = chosen.map(|candidate| candidate.version.clone());
        // A solver walking this package's versions one by one waits for each one's
        // metadata: fetch the next ones together instead, as uv does.
        let tried_versions = version.as_ref().map_or(0, |version| {
            let mut chosen = lock(&self.chosen);
            let versions = chosen.entry(name.clone()).or_default();
            versions.insert(version.clone());
            versions.len()
        });
        if let Some(version) = &version
            && tried_versions >= BATCH_AFTER_TRIED
        {
            let batch = (tried_versions / 2).clamp(1, MAX_BATCH);
            let files = list
                .iter()
                .filter(|candidate| {
                    &candidate.version < version && self.usable(candidate, range, allow_prerelease)
                })
                .take(batch)
                .filter_map(|candidate| {
                    Some((
                        candidate.version.clone(),
                        candidate.metadata_file()?.clone(),
                    ))
                })
                .collect();
            self.prefetcher.batch(&self.runtime, name, files);
        }
        if let Some(version) = &version
            && matches!(package, Pkg::Name(_))
        {
            (self.progress)(Progress::Chose {
                name: name.clone(),
                version: version.clone(),
            });
        }
        Ok(version)
    }

    fn get_dependencies(
        &self,
        package: &Pkg,
        version: &Version,
    ) -> Result<Dependencies<Pkg, Range, String>, Solve> {
        Ok(self.dependencies_of(package, version)?)
    }
}

/// Conflicts of one package (with versions decided before it) after which the solve
/// starts again with that package decided early, as uv prioritizes such a package: the
/// solver then picks its newest version and fits the others to it, instead of walking it
/// down hundreds of releases to an ancient one that happens not to conflict.
const CONFLICT_THRESHOLD: u32 = 5;
/// At most this many packages are moved up (one restart each).
const MAX_RESTARTS: usize = 8;

/// Why the solver stopped early: a failure, or a restart with a new priority.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Solve {
    #[error(transparent)]
    Failed(#[from] ResolveError),
    #[error("restart with a package moved up")]
    Restart,
}

pub(crate) fn solve(
    manifest: &Manifest,
    options: &ResolverOptions,
    client: &IndexClient,
    runtime: &tokio::runtime::Handle,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
    mode: Mode,
) -> Result<Resolution, ResolveError> {
    let provider = Provider::new(manifest, options, client, runtime.clone(), progress, mode)?;
    let outcome = loop {
        let outcome = pubgrub::resolve(&provider, Pkg::Root, Version::new([0]));
        let restart = lock(&provider.restart).take();
        lock(&provider.tried).clear();
        match (outcome, restart) {
            (
                Err(PubGrubError::ErrorChoosingVersion {
                    source: Solve::Restart,
                    ..
                }),
                Some(name),
            )
            | (
                Err(PubGrubError::ErrorRetrievingDependencies {
                    source: Solve::Restart,
                    ..
                }),
                Some(name),
            ) => {
                lock(&provider.early).insert(name);
            }
            (outcome, _) => break outcome,
        }
    };
    let selected = match outcome {
        Ok(selected) => selected,
        Err(PubGrubError::NoSolution(tree)) => {
            let mut empty = Vec::new();
            crate::report::empty_ranges(&tree, &mut empty);
            let mut hints: Vec<Hint> = Vec::new();
            for (package, range) in empty {
                if let Some(hint) = package
                    .name()
                    .and_then(|name| provider.why_empty(name, &range))
                    && !hints.contains(&hint)
                {
                    hints.push(hint);
                }
            }
            // Ranges are stated against the versions that exist, also of packages the
            // solver never had to list (a pin elsewhere ruled them out); failing to list
            // them only leaves their ranges as they are.
            let mut names: Vec<PackageName> = tree
                .packages()
                .into_iter()
                .filter_map(Pkg::name)
                .cloned()
                .collect();
            names.sort();
            names.dedup();
            for name in &names {
                let _ = provider.candidates(name);
            }
            let available: crate::report::Available = lock(&provider.candidates)
                .iter()
                .map(|(name, list)| {
                    let mut versions: Vec<Version> = list
                        .iter()
                        .map(|candidate| candidate.version.clone())
                        .collect();
                    versions.sort();
                    (name.clone(), versions)
                })
                .collect();
            return Err(ResolveError::NoSolution(Box::new(NoSolution::new(
                tree, hints, &available,
            ))));
        }
        Err(PubGrubError::ErrorRetrievingDependencies {
            source: Solve::Failed(source),
            ..
        })
        | Err(PubGrubError::ErrorChoosingVersion {
            source: Solve::Failed(source),
            ..
        }) => return Err(source),
        Err(other) => return Err(ResolveError::Internal(other.to_string())),
    };

    let mut resolution = Resolution::default();
    let mut extras: HashMap<PackageName, BTreeSet<ExtraName>> = HashMap::new();
    for (pkg, version) in selected.iter() {
        match pkg {
            Pkg::Name(name) => {
                let list = provider.candidates(name)?;
                let (files, all_files) = list
                    .iter()
                    .find(|candidate| &candidate.version == version)
                    .map(|candidate| (candidate.files.clone(), candidate.all_files.clone()))
                    .unwrap_or_default();
                let index = lock(&provider.projects)
                    .get(name)
                    .map(|project| project.index.clone());
                resolution.packages.insert(
                    name.clone(),
                    ResolvedPackage {
                        name: name.clone(),
                        version: version.clone(),
                        files,
                        all_files,
                        index: index.filter(|_| {
                            !provider.direct.contains_key(name)
                                && !provider.local.contains_key(name)
                        }),
                        direct: provider
                            .direct
                            .get(name)
                            .map(|file| file.url.clone())
                            .or_else(|| provider.local.get(name).map(|tree| tree.url.clone())),
                        editable: provider.local.get(name).is_some_and(|tree| tree.editable),
                        via: provider
                            .root_sources
                            .get(name)
                            .into_iter()
                            .flatten()
                            .map(|source| Via::Source(source.clone()))
                            .collect(),
                        extras: BTreeSet::new(),
                        marker: None,
                    },
                );
            }
            Pkg::Extra(name, extra) => {
                extras
                    .entry(name.clone())
                    .or_default()
                    .insert(extra.clone());
            }
            Pkg::Root => {}
        }
    }
    let dependency_names = lock(&provider.dependency_names);
    for (pkg, version) in selected.iter() {
        let Some(parent) = pkg.name() else { continue };
        for dependency in dependency_names
            .get(&(pkg.clone(), version.clone()))
            .into_iter()
            .flatten()
        {
            if dependency != parent
                && let Some(child) = resolution.packages.get_mut(dependency)
            {
                child.via.insert(Via::Package(parent.clone()));
            }
        }
    }
    for (name, set) in extras {
        if let Some(package) = resolution.packages.get_mut(&name) {
            package.extras = set;
        }
    }
    Ok(resolution)
}

/// How many versions a "does not exist" hint offers instead.
const NEAREST_VERSIONS: usize = 5;

/// The usable versions closest to `wanted` in version order, ascending: a few below it and
/// a few above.
fn nearest_versions(list: &[Candidate], wanted: &Version) -> Vec<Version> {
    let mut versions: Vec<&Version> = list
        .iter()
        .filter(|candidate| candidate.python_compatible)
        .map(|candidate| &candidate.version)
        .collect();
    versions.sort();
    let window = versions.len().min(NEAREST_VERSIONS);
    let position = versions.partition_point(|version| *version < wanted);
    let start = position
        .saturating_sub(NEAREST_VERSIONS.div_ceil(2))
        .min(versions.len() - window);
    versions[start..start + window]
        .iter()
        .map(|version| (*version).clone())
        .collect()
}

/// Distribution names that differ from the import or common name people type.
const ALIASES: &[(&str, &str)] = &[
    ("yaml", "pyyaml"),
    ("dateutil", "python-dateutil"),
    ("dotenv", "python-dotenv"),
    ("jwt", "pyjwt"),
    ("sklearn", "scikit-learn"),
    ("cv2", "opencv-python"),
    ("bs4", "beautifulsoup4"),
    ("pil", "pillow"),
    ("kafka", "kafka-python"),
    ("magic", "python-magic"),
    ("ldap", "python-ldap"),
    ("crypto", "pycryptodome"),
    ("docker-py", "docker"),
    ("slack", "slack-sdk"),
    ("hvac-client", "hvac"),
    ("kubernetes-client", "kubernetes"),
    ("k8s", "kubernetes"),
    ("aws", "boto3"),
    ("awscli2", "awscli"),
    ("google-cloud", "google-cloud-storage"),
    ("psycopg", "psycopg2-binary"),
    ("mysqldb", "mysqlclient"),
    ("git", "gitpython"),
    ("attr", "attrs"),
];

/// Likely intended names for a misspelled one: swapped and doubled letters, separators,
/// `python-`/`py` prefixes, and well-known aliases.
fn name_variants(name: &PackageName) -> Vec<PackageName> {
    let name = name.as_str();
    let mut variants: Vec<String> = Vec::new();
    if let Some((_, real)) = ALIASES.iter().find(|(alias, _)| *alias == name) {
        variants.push((*real).to_string());
    }
    let chars: Vec<char> = name.chars().collect();
    for i in 0..chars.len().saturating_sub(1) {
        let mut swapped = chars.clone();
        swapped.swap(i, i + 1);
        variants.push(swapped.into_iter().collect());
    }
    if chars.len() <= 24 {
        for i in 0..chars.len() {
            let mut shorter = chars.clone();
            shorter.remove(i);
            variants.push(shorter.into_iter().collect());
        }
    }
    variants.push(name.replace('-', ""));
    for prefix in ["python-", "py"] {
        match name.strip_prefix(prefix) {
            Some(rest) => variants.push(rest.to_string()),
            None => variants.push(format!("{prefix}{name}")),
        }
    }
    let mut seen = HashSet::new();
    variants
        .iter()
        .filter_map(|variant| PackageName::new(variant).ok())
        .filter(|variant| variant != name && seen.insert(variant.clone()))
        .collect()
}

impl Provider<'_> {
    /// A project that exists on the index under a name close to `name`.
    fn suggest(&self, name: &PackageName) -> Option<PackageName> {
        if self.client.is_offline() {
            return None;
        }
        let variants = name_variants(name);
        let client = self.client.clone();
        self.runtime.block_on(async move {
            let mut lookups = tokio::task::JoinSet::new();
            for (rank, variant) in variants.into_iter().enumerate() {
                let client = client.clone();
                lookups.spawn(async move {
                    client
                        .project(&variant)
                        .await
                        .ok()
                        .map(|project| (rank, project.name.clone()))
                });
            }
            let mut best: Option<(usize, PackageName)> = None;
            while let Some(joined) = lookups.join_next().await {
                if let Ok(Some((rank, found))) = joined
                    && best.as_ref().is_none_or(|(best_rank, _)| rank < *best_rank)
                {
                    best = Some((rank, found));
                }
            }
            best.map(|(_, found)| found)
        })
    }

    /// Why `name` has no usable version in `range`, when there is more to say than "none exists".
    fn why_empty(&self, name: &PackageName, range: &Range) -> Option<Hint> {
        if lock(&self.not_found).contains(name) {
            return Some(Hint::NotFound {
                name: name.clone(),
                suggestion: self.suggest(name),
            });
        }
        let list = lock(&self.candidates).get(name).cloned()?;
        let has_files = lock(&self.projects)
            .get(name)
            .is_some_and(|project| !project.files.is_empty());
        let target = &self.options.target;
        if list.is_empty() && has_files {
            return Some(Hint::NoCompatibleFiles {
                name: name.clone(),
                target: target.clone(),
            });
        }
        if let Some(pinned) = range.as_singleton()
            && lock(&self.projects)
                .get(name)
                .is_some_and(|project| project.files.iter().all(|file| file.version() != pinned))
        {
            return Some(Hint::VersionNotFound {
                name: name.clone(),
                version: pinned.clone(),
                nearest: nearest_versions(&list, pinned),
            });
        }
        let in_range: Vec<&Candidate> = list
            .iter()
            .filter(|candidate| range.contains(&candidate.version))
            .collect();
        if in_range.is_empty() {
            return None;
        }
        let range_text = crate::report::range_text(range);
        if in_range
            .iter()
            .all(|candidate| !candidate.python_compatible)
        {
            let requires = in_range
                .first()
                .and_then(|c| c.requires_python.clone())
                .unwrap_or_default();
            return Some(Hint::RequiresPython {
                name: name.clone(),
                range: range_text,
                requires_python: requires,
                target: target.clone(),
            });
        }
        if in_range.iter().all(|candidate| candidate.yanked) {
            return Some(Hint::AllYanked {
                name: name.clone(),
                range: range_text,
            });
        }
        if in_range
            .iter()
            .all(|candidate| candidate.version.any_prerelease())
        {
            return Some(Hint::OnlyPrereleases {
                name: name.clone(),
                range: range_text,
            });
        }
        None
    }
}
