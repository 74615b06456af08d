//! Local project directories at the top of a lock: `./pkg`, `name @ file:///…/pkg` and
//! editables (`-e .`). Their metadata comes from a static `[project]` table when it states
//! everything a resolver needs, as uv reads it, else from the build backend's hooks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skua_index::CoreMetadata;
use skua_requirements::Requirement;
use skua_types::{PackageName, Url};

use crate::{ResolveError, SdistBuilder};

/// A project directory, resolved to the one version its metadata states.
#[derive(Clone, Debug)]
pub(crate) struct LocalTree {
    pub url: Url,
    pub editable: bool,
    pub metadata: Arc<CoreMetadata>,
}

/// The directory `requirement` refers to, if it refers to one.
pub(crate) fn tree_path(requirement: &Requirement) -> Option<PathBuf> {
    let url = Url::parse(requirement.url.as_deref()?).ok()?;
    if url.scheme() != "file" {
        return None;
    }
    url.to_file_path().ok().filter(|path| path.is_dir())
}

/// Reads the project at `dir` (which `requirement` names).
pub(crate) fn read_tree(
    requirement: &Requirement,
    dir: &Path,
    editable: bool,
    builder: Option<&SdistBuilder>,
) -> Result<(PackageName, LocalTree), ResolveError> {
    let unsupported = |message: String| ResolveError::Unsupported {
        requirement: if requirement.name.is_empty() {
            dir.display().to_string()
        } else {
            requirement.name.clone()
        },
        message,
    };
    let pyproject_path = dir.join("pyproject.toml");
    // A backend would build an empty directory as a project called UNKNOWN.
    if !["pyproject.toml", "setup.py", "setup.cfg"]
        .iter()
        .any(|file| dir.join(file).is_file())
    {
        return Err(unsupported(format!(
            "{} is not a Python project: it has no pyproject.toml, setup.py or setup.cfg",
            dir.display()
        )));
    }
    let static_metadata = match std::fs::read_to_string(&pyproject_path) {
        Ok(text) => static_metadata(&text)
            .map_err(|message| unsupported(format!("{}: {message}", pyproject_path.display())))?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(unsupported(format!(
                "cannot read {}: {error}",
                pyproject_path.display()
            )));
        }
    };
    let metadata = match static_metadata {
        Some(metadata) => metadata,
        None => {
            let builder = builder.ok_or_else(|| {
                unsupported(format!(
                    "{} states its metadata dynamically, and this lock cannot run builds",
                    dir.display()
                ))
            })?;
            let bytes = builder
                .0
                .tree_metadata(dir)
                .map_err(|error| unsupported(format!("building its metadata failed: {error}")))?;
            CoreMetadata::parse(&bytes).map_err(|error| unsupported(error.to_string()))?
        }
    };
    let name = PackageName::new(metadata.name.trim()).map_err(|error| {
        unsupported(format!(
            "its metadata names it `{}`: {error}",
            metadata.name
        ))
    })?;
    if let Some(wanted) = &requirement.package_name
        && wanted != &name
    {
        return Err(unsupported(format!(
            "{} is the project {name}, not {wanted}",
            dir.display()
        )));
    }
    let url = Url::from_directory_path(dir)
        .map_err(|()| unsupported(format!("{} is not an absolute path", dir.display())))?;
    Ok((
        name,
        LocalTree {
            url,
            editable,
            metadata: Arc::new(metadata),
        },
    ))
}

/// The metadata a `[project]` table states outright: `None` when it has no such table or
/// leaves the version, dependencies or Python range to the backend (`dynamic`).
fn static_metadata(text: &str) -> Result<Option<CoreMetadata>, String> {
    let pyproject = skua_requirements::parse_pyproject(text).map_err(|error| error.message)?;
    let decides = [
        "version",
        "dependencies",
        "optional-dependencies",
        "requires-python",
    ];
    if !pyproject.has_project_table
        || pyproject
            .dynamic
            .iter()
            .any(|field| decides.contains(&field.as_str()))
    {
        return Ok(None);
    }
    let (Some(name), Some(version)) = (&pyproject.project_name, &pyproject.project_version) else {
        return Ok(None);
    };
    let version = version
        .parse()
        .map_err(|error| format!("[project].version `{version}`: {error}"))?;
    let mut requires_dist: Vec<String> = pyproject
        .dependencies
        .iter()
        .map(|listed| listed.raw.clone())
        .collect();
    let mut provides_extra = Vec::new();
    for (extra, listed) in &pyproject.optional_dependencies {
        provides_extra.push(extra.clone());
        for requirement in listed {
            // Its own marker, if any, still applies, and only with the extra.
            let line = match requirement.raw.split_once(';') {
                Some((head, marker)) => {
                    format!("{head}; ({}) and extra == \"{extra}\"", marker.trim())
                }
                None => format!("{}; extra == \"{extra}\"", requirement.raw),
            };
            requires_dist.push(line);
        }
    }
    Ok(Some(CoreMetadata {
        name: name.clone(),
        version,
        requires_dist,
        requires_python: pyproject.requires_python.map(|(spec, _)| spec),
        provides_extra,
        dynamic: Vec::new(),
        metadata_version: "2.2".into(),
    }))
}
