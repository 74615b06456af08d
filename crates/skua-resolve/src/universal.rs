//! Universal locks (`skua lock --universal`): one lock for the common platforms and each
//! Python of a range, as uv's `--universal` writes them.
//!
//! The requirements are resolved once per environment of a grid — Linux x86_64 and
//! aarch64, macOS x86_64 and arm64, Windows x64, each Python minor version from the floor
//! to [`NEWEST_PYTHON`]. Each Python gets the newest versions that support it (uv forks
//! on `Requires-Python` the same way); on the platforms of one Python the pins of the
//! first are preferred, so versions differ by platform only where markers make them; and
//! a version is usable whatever its wheels' tags (uv's rule: which file fits is the
//! installer's question).
//! Each pinned version is then written with the marker of exactly the environments that
//! need it, checked against every environment of the grid before it is written.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use pep440_rs::Version;
use skua_index::IndexClient;
use skua_platform::{PlatformError, Target};
use skua_requirements::Marker;
use skua_types::PackageName;

use crate::{
    Manifest, Progress, Resolution, ResolveError, ResolvedPackage, ResolverOptions, Upgrade,
};

/// The newest Python minor version a universal lock is resolved for. Newer ones are
/// taken to behave like it: marker ranges that reach it are left open above.
pub const NEWEST_PYTHON: (u16, u16) = (3, 14);

/// The platforms of the grid, as `--python-platform` names them. Markers are written in
/// terms of these (`sys_platform == 'linux'` when every Linux machine here needs a
/// package), so other machines of the same system follow them.
const PLATFORMS: &[&str] = &[
    "x86_64-manylinux_2_28",
    "aarch64-manylinux_2_28",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// One environment of the grid: indexes into [`Grid`]'s platforms and Pythons.
type Environment = (usize, usize);

struct GridPlatform {
    name: &'static str,
    sys_platform: String,
    machine: String,
}

/// The environments a universal lock holds for.
pub struct Grid {
    platforms: Vec<GridPlatform>,
    pythons: Vec<(u16, u16)>,
}

impl Grid {
    /// Every platform, each Python from `floor` (the project's `requires-python` lower
    /// bound, or `--python-version`) to [`NEWEST_PYTHON`].
    pub fn new(floor: (u16, u16)) -> Result<Grid, PlatformError> {
        let platforms = PLATFORMS
            .iter()
            .map(|name| {
                let env = Target::new("3.12", name)?.marker_environment();
                Ok(GridPlatform {
                    name,
                    sys_platform: env.sys_platform,
                    machine: env.platform_machine,
                })
            })
            .collect::<Result<_, PlatformError>>()?;
        let newest = NEWEST_PYTHON.1.max(floor.1);
        Ok(Grid {
            platforms,
            pythons: (floor.1..=newest).map(|minor| (floor.0, minor)).collect(),
        })
    }

    pub fn floor(&self) -> (u16, u16) {
        self.pythons[0]
    }

    /// What a lock's header says it was made for; [`Grid::parse_description`] reads it back.
    pub fn description(&self) -> String {
        let (major, minor) = self.floor();
        format!("Python >={major}.{minor} on every platform (universal)")
    }

    /// The Python floor of a [`Grid::description`].
    pub fn parse_description(text: &str) -> Option<(u16, u16)> {
        let version = text
            .trim()
            .strip_prefix("Python >=")?
            .strip_suffix(" on every platform (universal)")?;
        let (major, minor, _) = skua_platform::parse_python_version(version).ok()?;
        Some((major, minor))
    }

    fn environments(&self) -> impl Iterator<Item = Environment> + '_ {
        (0..self.pythons.len())
            .flat_map(move |python| (0..self.platforms.len()).map(move |p| (p, python)))
    }

    fn target(&self, (platform, python): Environment) -> Result<Target, PlatformError> {
        let (major, minor) = self.pythons[python];
        Target::new(&format!("{major}.{minor}"), self.platforms[platform].name)
    }

    /// The marker that holds on exactly the environments in `present`; `None` when that is
    /// all of them.
    fn marker(&self, present: &BTreeSet<Environment>) -> Option<String> {
        if present.len() == self.platforms.len() * self.pythons.len() {
            return None;
        }
        // Platforms grouped by the Pythons they need the package on.
        let mut groups: BTreeMap<BTreeSet<usize>, BTreeSet<usize>> = BTreeMap::new();
        for platform in 0..self.platforms.len() {
            let pythons: BTreeSet<usize> = present
                .iter()
                .filter(|(p, _)| *p == platform)
                .map(|(_, python)| *python)
                .collect();
            if !pythons.is_empty() {
                groups.entry(pythons).or_default().insert(platform);
            }
        }
        let terms: Vec<String> = groups
            .iter()
            .map(|(pythons, platforms)| {
                let parts: Vec<String> =
                    [self.platform_clause(platforms), self.python_clause(pythons)]
                        .into_iter()
                        .flatten()
                        .collect();
                if parts.len() == 1 {
                    return parts.into_iter().collect();
                }
                parts
                    .iter()
                    .map(|part| parenthesized(part))
                    .collect::<Vec<_>>()
                    .join(" and ")
            })
            .collect();
        Some(terms.join(" or "))
    }

    fn platform_clause(&self, platforms: &BTreeSet<usize>) -> Option<String> {
        if platforms.len() == self.platforms.len() {
            return None;
        }
        let mut systems: Vec<&str> = Vec::new();
        for platform in &self.platforms {
            if !systems.contains(&platform.sys_platform.as_str()) {
                systems.push(&platform.sys_platform);
            }
        }
        let (mut whole, mut absent, mut machines) = (Vec::new(), Vec::new(), Vec::new());
        for system in systems {
            let of_system: Vec<usize> = (0..self.platforms.len())
                .filter(|i| self.platforms[*i].sys_platform == system)
                .collect();
            let here: Vec<usize> = of_system
                .iter()
                .copied()
                .filter(|i| platforms.contains(i))
                .collect();
            if here.is_empty() {
                absent.push(system);
            } else if here.len() == of_system.len() {
                whole.push(system);
            } else {
                machines.extend(here.into_iter().map(|i| {
                    format!(
                        "sys_platform == '{system}' and platform_machine == '{}'",
                        self.platforms[i].machine
                    )
                }));
            }
        }
        if machines.is_empty() && absent.len() == 1 && whole.len() > 1 {
            return Some(format!("sys_platform != '{}'", absent[0]));
        }
        let clauses: Vec<String> = whole
            .iter()
            .map(|system| format!("sys_platform == '{system}'"))
            .chain(machines)
            .collect();
        Some(join_or(&clauses))
    }

    fn python_clause(&self, pythons: &BTreeSet<usize>) -> Option<String> {
        if pythons.len() == self.pythons.len() {
            return None;
        }
        let last = self.pythons.len() - 1;
        let mut runs: Vec<(usize, usize)> = Vec::new();
        for &python in pythons {
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == python => *end = python,
                _ => runs.push((python, python)),
            }
        }
        let version = |index: usize| {
            let (major, minor) = self.pythons[index];
            format!("'{major}.{minor}'")
        };
        let clauses: Vec<String> = runs
            .into_iter()
            .map(|(start, end)| {
                if start == end && start > 0 && end < last {
                    let (major, minor) = self.pythons[start];
                    return format!("python_full_version == '{major}.{minor}.*'");
                }
                let mut bounds = Vec::new();
                // The lowest Python of the grid is the lock's floor: no bound needed below it.
                if start > 0 {
                    bounds.push(format!("python_full_version >= {}", version(start)));
                }
                if end < last {
                    bounds.push(format!("python_full_version < {}", version(end + 1)));
                }
                bounds.join(" and ")
            })
            .collect();
        Some(join_or(&clauses))
    }

    /// Whether `marker` holds on exactly `present`: a marker that says more or less than
    /// the resolutions found would install the wrong packages somewhere.
    fn check(&self, marker: Option<&str>, present: &BTreeSet<Environment>) -> Result<(), String> {
        let parsed = marker
            .map(Marker::from_str)
            .transpose()
            .map_err(|error| format!("invalid marker `{}`: {error}", marker.unwrap_or("")))?;
        for environment in self.environments() {
            let env = self
                .target(environment)
                .map_err(|error| error.to_string())?
                .marker_environment();
            let holds = parsed
                .as_ref()
                .is_none_or(|marker| marker.evaluate(&env, &[]));
            if holds != present.contains(&environment) {
                return Err(format!(
                    "marker `{}` is wrong for {}",
                    marker.unwrap_or(""),
                    self.target(environment)
                        .map_err(|error| error.to_string())?
                ));
            }
        }
        Ok(())
    }
}

fn parenthesized(clause: &str) -> String {
    if clause.contains(" or ") {
        format!("({clause})")
    } else {
        clause.to_string()
    }
}

fn join_or(clauses: &[String]) -> String {
    if clauses.len() == 1 {
        return clauses[0].clone();
    }
    clauses
        .iter()
        .map(|clause| {
            if clause.contains(" and ") {
                format!("({clause})")
            } else {
                clause.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A pinned version and the environments that need it.
struct Merged {
    package: ResolvedPackage,
    present: BTreeSet<Environment>,
}

/// Resolves `manifest` for every environment of `grid` and merges the results into one
/// resolution whose entries carry markers. `options.target` and `options.preferences`
/// are not used: `existing_pins` gives the pins to keep for each environment (those of an
/// existing universal lock whose markers hold there).
///
/// Each Python gets the newest versions that support it, as uv's universal resolution
/// forks on `Requires-Python`: a lock from 3.9 up pins numpy 2.0.2 below 3.10 and a newer
/// one above.
///
/// Must be called outside of an async context, like [`crate::resolve`].
pub fn resolve_universal(
    manifest: &Manifest,
    options: &ResolverOptions,
    grid: &Grid,
    existing_pins: &dyn Fn(&skua_requirements::MarkerEnvironment) -> HashMap<PackageName, Version>,
    client: &IndexClient,
    runtime: &tokio::runtime::Handle,
    progress: Arc<dyn Fn(Progress) + Send + Sync>,
) -> Result<Resolution, ResolveError> {
    // Each resolution repeats the warnings and choices of the others: the user hears of
    // a skipped version once, and the spinner counts the first resolution only.
    let warned: Arc<Mutex<HashSet<(PackageName, Version)>>> = Arc::default();
    let mut merged: BTreeMap<(PackageName, Version), Merged> = BTreeMap::new();
    // The picks of the first platform of each Python, kept on its other platforms.
    let mut picked: HashMap<PackageName, Version> = HashMap::new();
    let shared_candidates: Arc<crate::provider::SharedCandidates> = Arc::default();
    for (position, environment) in grid.environments().enumerate() {
        let target = grid
            .target(environment)
            .map_err(|error| ResolveError::Internal(error.to_string()))?;
        let first = position == 0;
        let first_of_python = environment.0 == 0;
        let mut env_options = ResolverOptions {
            target: target.clone(),
            preferences: existing_pins(&target.marker_environment()),
            ..options.clone()
        };
        if first_of_python {
            picked.clear();
        } else {
            // One version per package on every platform of a Python (as uv forks: by
            // markers, never by wheel tags), unless a platform needs another.
            env_options
                .preferences
                .retain(|name, _| !options.upgrade.allows_moving(name));
            env_options.preferences.extend(
                picked
                    .iter()
                    .map(|(name, version)| (name.clone(), version.clone())),
            );
            env_options.upgrade = Upgrade::None;
        }
        let outer = Arc::clone(&progress);
        let warned = Arc::clone(&warned);
        let env_progress: Arc<dyn Fn(Progress) + Send + Sync> =
            Arc::new(move |event| match event {
                Progress::Warning(skipped) => {
                    let fresh = warned
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert((skipped.name.clone(), skipped.version.clone()));
                    if fresh {
                        outer(Progress::Warning(skipped));
                    }
                }
                Progress::Chose { .. } if !first => {}
                event => outer(event),
            });
        let mode = crate::provider::Mode {
            any_platform: true,
            // The first platform of a Python fetched what the others need, but for their
            // platform-only dependencies.
            prefetch: first_of_python,
            shared_candidates: Some(Arc::clone(&shared_candidates)),
        };
        let resolution =
            crate::provider::solve(manifest, &env_options, client, runtime, env_progress, mode)
                .map_err(|error| match error {
                    ResolveError::NoSolution(no_solution) => ResolveError::NoSolution(Box::new(
                        no_solution.in_environment(target.to_string()),
                    )),
                    other => other,
                })?;
        for (name, package) in resolution.packages {
            if first_of_python {
                picked.insert(name.clone(), package.version.clone());
            }
            let entry = merged
                .entry((name, package.version.clone()))
                .or_insert_with(|| Merged {
                    package: ResolvedPackage {
                        via: BTreeSet::new(),
                        extras: BTreeSet::new(),
                        ..package.clone()
                    },
                    present: BTreeSet::new(),
                });
            entry.package.via.extend(package.via);
            entry.package.extras.extend(package.extras);
            entry.present.insert(environment);
        }
    }

    let mut by_name: BTreeMap<PackageName, Vec<(usize, ResolvedPackage)>> = BTreeMap::new();
    for (
        (name, version),
        Merged {
            mut package,
            present,
        },
    ) in merged
    {
        let marker = grid.marker(&present);
        grid.check(marker.as_deref(), &present)
            .map_err(|message| ResolveError::Internal(format!("{name}=={version}: {message}")))?;
        package.marker = marker;
        by_name
            .entry(name)
            .or_default()
            .push((present.len(), package));
    }
    let mut result = Resolution::default();
    for (name, mut versions) in by_name {
        // The version needed in the most environments stands for the name.
        versions.sort_by_key(|version| std::cmp::Reverse(version.0));
        let mut versions = versions.into_iter().map(|(_, package)| package);
        if let Some(main) = versions.next() {
            result.packages.insert(name, main);
        }
        result.other_versions.extend(versions);
    }
    crate::hash_direct_files(&mut result, client, runtime)?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Grid {
        Grid::new((3, 11)).expect("grid")
    }

    /// Every environment whose platform and Python pass the filters.
    fn where_(
        grid: &Grid,
        platform: impl Fn(&str) -> bool,
        python: impl Fn(u16) -> bool,
    ) -> BTreeSet<Environment> {
        grid.environments()
            .filter(|(p, y)| platform(grid.platforms[*p].name) && python(grid.pythons[*y].1))
            .collect()
    }

    fn marker(present: &BTreeSet<Environment>) -> Option<String> {
        let grid = grid();
        let marker = grid.marker(present);
        grid.check(marker.as_deref(), present)
            .expect("marker holds exactly where present");
        marker
    }

    #[test]
    fn everywhere_has_no_marker() {
        let grid = grid();
        assert_eq!(marker(&where_(&grid, |_| true, |_| true)), None);
    }

    #[test]
    fn one_system() {
        let grid = grid();
        assert_eq!(
            marker(&where_(&grid, |name| name.contains("windows"), |_| true)).as_deref(),
            Some("sys_platform == 'win32'")
        );
        assert_eq!(
            marker(&where_(&grid, |name| !name.contains("windows"), |_| true)).as_deref(),
            Some("sys_platform != 'win32'")
        );
    }

    #[test]
    fn one_machine_and_a_python_range() {
        let grid = grid();
        assert_eq!(
            marker(&where_(
                &grid,
                |name| name == "aarch64-apple-darwin",
                |_| true
            ))
            .as_deref(),
            Some("sys_platform == 'darwin' and platform_machine == 'arm64'")
        );
        assert_eq!(
            marker(&where_(&grid, |_| true, |minor| minor < 12)).as_deref(),
            Some("python_full_version < '3.12'")
        );
        assert_eq!(
            marker(&where_(
                &grid,
                |name| name.contains("linux"),
                |minor| minor >= 13
            ))
            .as_deref(),
            Some("sys_platform == 'linux' and python_full_version >= '3.13'")
        );
    }

    #[test]
    fn irregular_sets_still_hold_exactly() {
        let grid = grid();
        let mut present = where_(&grid, |name| name.contains("linux"), |minor| minor != 12);
        present.extend(where_(
            &grid,
            |name| name == "x86_64-apple-darwin",
            |minor| minor == 12,
        ));
        let text = marker(&present).expect("a marker");
        assert!(text.contains(" or "), "{text}");
    }

    #[test]
    fn description_round_trips() {
        let grid = grid();
        assert_eq!(Grid::parse_description(&grid.description()), Some((3, 11)));
    }
}
