//! Reading what to lock: requirements files (with `-r`, `-c` and index options),
//! `pyproject.toml` (dependencies, extras, dependency groups) and PEP 723 scripts.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use skua_requirements::{EntryKind, IncludeKind};
use skua_types::{ExtraName, GroupName, IndexUrl};

use crate::{Manifest, RootRequirement};

/// A requirement or input that could not be read, located for a caret diagnostic.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    pub message: String,
    pub path: PathBuf,
    /// The file's text and the byte range of the problem, when there is one to point at.
    pub source_text: Option<String>,
    pub span: Option<std::ops::Range<usize>>,
}

impl InputError {
    fn io(path: &Path, error: &std::io::Error) -> Self {
        InputError {
            message: format!("cannot read {}: {error}", path.display()),
            path: path.to_path_buf(),
            source_text: None,
            span: None,
        }
    }
}

/// Which optional parts of a `pyproject.toml` to include.
#[derive(Clone, Debug, Default)]
pub struct ProjectSelection {
    pub extras: Vec<ExtraName>,
    pub all_extras: bool,
    pub groups: Vec<GroupName>,
}

/// Index options found in requirements files (`--index-url`, `--extra-index-url`).
#[derive(Clone, Debug, Default)]
pub struct IndexOptions {
    pub index_url: Option<IndexUrl>,
    pub extra_index_urls: Vec<IndexUrl>,
}

#[derive(Default)]
pub struct Inputs {
    pub manifest: Manifest,
    pub index: IndexOptions,
    /// Every file read, for `--check` and messages.
    pub files: Vec<PathBuf>,
    /// `requires-python` of a pyproject or script, when declared.
    pub requires_python: Option<String>,
}

impl Inputs {
    /// Adds a requirements file and everything it includes.
    pub fn add_requirements_file(&mut self, path: &Path) -> Result<(), InputError> {
        let mut seen = HashSet::new();
        self.read_requirements(path, false, &mut seen)
    }

    fn read_requirements(
        &mut self,
        path: &Path,
        as_constraints: bool,
        seen: &mut HashSet<PathBuf>,
    ) -> Result<(), InputError> {
        if !seen.insert(path.to_path_buf()) {
            return Ok(());
        }
        let text = std::fs::read_to_string(path).map_err(|error| InputError::io(path, &error))?;
        self.files.push(path.to_path_buf());
        let source = format!("-r {}", path.display());
        let parsed = skua_requirements::parse_requirements(&text);
        for entry in parsed.entries {
            let index_url = |url: &str| {
                IndexUrl::parse(url).map_err(|error| {
                    // The snippet would print the line as written, credentials included.
                    let secret = skua_types::redact_str(url) != url;
                    InputError {
                        message: format!("{} line {}: {error}", path.display(), entry.line),
                        path: path.to_path_buf(),
                        source_text: (!secret).then(|| text.clone()),
                        span: (!secret).then(|| entry.span.clone()),
                    }
                })
            };
            match entry.kind {
                EntryKind::Requirement(requirement) => {
                    if as_constraints {
                        self.manifest.constraints.push(requirement);
                    } else {
                        self.manifest.requirements.push(RootRequirement {
                            requirement,
                            source: source.clone(),
                        });
                    }
                }
                EntryKind::Include {
                    kind, path: target, ..
                } => {
                    let base = path.parent().unwrap_or(Path::new(""));
                    let included = base.join(&target);
                    let constraints = as_constraints || kind == IncludeKind::Constraints;
                    self.read_requirements(&included, constraints, seen)?;
                }
                EntryKind::IndexUrl(ref url) => self.index.index_url = Some(index_url(url)?),
                EntryKind::ExtraIndexUrl(ref url) => {
                    self.index.extra_index_urls.push(index_url(url)?);
                }
                EntryKind::Invalid { message, span } => {
                    return Err(InputError {
                        message: format!("invalid requirement in {}: {message}", path.display()),
                        path: path.to_path_buf(),
                        source_text: Some(text.clone()),
                        span: Some(span),
                    });
                }
                EntryKind::Editable { target, span } => {
                    return Err(InputError {
                        message: format!(
                            "editable requirement `-e {target}` cannot be locked; list it separately"
                        ),
                        path: path.to_path_buf(),
                        source_text: Some(text.clone()),
                        span: Some(span),
                    });
                }
                EntryKind::FindLinks(_) | EntryKind::NoIndex | EntryKind::OtherOption(_) => {}
            }
        }
        Ok(())
    }

    /// Adds a project's dependencies (plus selected extras and dependency groups).
    pub fn add_pyproject(
        &mut self,
        path: &Path,
        selection: &ProjectSelection,
    ) -> Result<(), InputError> {
        let text = std::fs::read_to_string(path).map_err(|error| InputError::io(path, &error))?;
        let pyproject = skua_requirements::parse_pyproject(&text).map_err(|error| InputError {
            message: format!("invalid {}: {}", path.display(), error.message),
            path: path.to_path_buf(),
            source_text: Some(text.clone()),
            span: error.span.clone(),
        })?;
        self.files.push(path.to_path_buf());
        if let Some((requires_python, _)) = &pyproject.requires_python {
            self.requires_python = Some(requires_python.clone());
        }
        let source = path.display().to_string();
        let add = |listed: &skua_requirements::ListedRequirement,
                   inputs: &mut Inputs|
         -> Result<(), InputError> {
            inputs
                .manifest
                .requirements
                .push(root_requirement(listed, path, &text, &source)?);
            Ok(())
        };
        for listed in &pyproject.dependencies {
            add(listed, self)?;
        }
        let invalid = |error: skua_types::InvalidName| InputError {
            message: format!("{}: {error}", path.display()),
            path: path.to_path_buf(),
            source_text: None,
            span: None,
        };
        let wanted: HashSet<&ExtraName> = selection.extras.iter().collect();
        let mut found_extras = HashSet::new();
        for (extra, listed) in &pyproject.optional_dependencies {
            let name = ExtraName::new(extra).map_err(invalid)?;
            if selection.all_extras || wanted.contains(&name) {
                found_extras.insert(name);
                for item in listed {
                    add(item, self)?;
                }
            }
        }
        if let Some(missing) = wanted.iter().find(|extra| !found_extras.contains(**extra)) {
            return Err(InputError {
                message: format!("{} has no extra named `{missing}`", path.display()),
                path: path.to_path_buf(),
                source_text: None,
                span: None,
            });
        }
        for group in &selection.groups {
            let Some((_, listed)) = pyproject
                .dependency_groups
                .iter()
                .find(|(g, _)| GroupName::new(g).is_ok_and(|g| &g == group))
            else {
                return Err(InputError {
                    message: format!("{} has no dependency group named `{group}`", path.display()),
                    path: path.to_path_buf(),
                    source_text: None,
                    span: None,
                });
            };
            for item in listed {
                add(item, self)?;
            }
        }
        Ok(())
    }

    /// Adds the dependencies of a PEP 723 script.
    pub fn add_script(&mut self, path: &Path) -> Result<(), InputError> {
        let text = std::fs::read_to_string(path).map_err(|error| InputError::io(path, &error))?;
        let metadata = skua_requirements::parse_script_metadata(&text)
            .map_err(|error| InputError {
                message: format!("invalid script metadata in {}: {error}", path.display()),
                path: path.to_path_buf(),
                source_text: None,
                span: None,
            })?
            .ok_or_else(|| InputError {
                message: format!("{} has no `# /// script` metadata block", path.display()),
                path: path.to_path_buf(),
                source_text: None,
                span: None,
            })?;
        self.files.push(path.to_path_buf());
        if let Some((requires_python, _)) = &metadata.requires_python {
            self.requires_python = Some(requires_python.clone());
        }
        let source = path.display().to_string();
        for listed in &metadata.dependencies {
            self.manifest
                .requirements
                .push(root_requirement(listed, path, &text, &source)?);
        }
        Ok(())
    }
}

/// A listed requirement (pyproject or script) as a root requirement, or an error pointing at it.
fn root_requirement(
    listed: &skua_requirements::ListedRequirement,
    path: &Path,
    text: &str,
    source: &str,
) -> Result<RootRequirement, InputError> {
    let requirement = listed.parsed.clone().map_err(|message| InputError {
        message: format!(
            "invalid requirement `{}` in {}: {message}",
            listed.raw,
            path.display()
        ),
        path: path.to_path_buf(),
        source_text: Some(text.to_string()),
        span: Some(listed.span.clone()),
    })?;
    Ok(RootRequirement {
        requirement,
        source: source.to_string(),
    })
}
