//! Reading what to lock: requirements files (with `-r`, `-c` and index options),
//! `pyproject.toml` (dependencies, extras, dependency groups) and PEP 723 scripts.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use skua_requirements::{EntryKind, IncludeKind, Requirement};
use skua_types::{ExtraName, GroupName, IndexUrl, PackageName};

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

/// What the requirements of a file are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Requirements,
    /// `-c`: they restrict versions.
    Constraints,
    /// `--override`: they replace requirements of the same name.
    Overrides,
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
        self.read_requirements(path, Role::Requirements, &mut seen)
    }

    /// Adds a constraints file (`-c FILE` on the command line): everything in it, and in
    /// what it includes, only restricts versions.
    pub fn add_constraints_file(&mut self, path: &Path) -> Result<(), InputError> {
        let mut seen = HashSet::new();
        self.read_requirements(path, Role::Constraints, &mut seen)
    }

    /// Adds an overrides file (`--override FILE`): its requirements, and those of the
    /// files it includes with `-r`, replace every requirement of the same name; a `-c` in
    /// it still names constraints.
    pub fn add_overrides_file(&mut self, path: &Path) -> Result<(), InputError> {
        let mut seen = HashSet::new();
        self.read_requirements(path, Role::Overrides, &mut seen)
    }

    fn read_requirements(
        &mut self,
        path: &Path,
        role: Role,
        seen: &mut HashSet<PathBuf>,
    ) -> Result<(), InputError> {
        if !seen.insert(path.to_path_buf()) {
            return Ok(());
        }
        let text =
            skua_cache::read_user_file(path).map_err(|error| InputError::io(path, &error))?;
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
                EntryKind::Requirement(requirement) => match role {
                    Role::Requirements => self.manifest.requirements.push(RootRequirement {
                        editable: false,
                        requirement: with_absolute_path(requirement, path),
                        source: source.clone(),
                    }),
                    Role::Constraints => self.manifest.constraints.push(requirement),
                    Role::Overrides => self.manifest.overrides.push(requirement),
                },
                EntryKind::Include {
                    kind, path: target, ..
                } => {
                    let base = path.parent().unwrap_or(Path::new(""));
                    let included = base.join(&target);
                    let role = match kind {
                        IncludeKind::Constraints => Role::Constraints,
                        IncludeKind::Requirements => role,
                    };
                    self.read_requirements(&included, role, seen)?;
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
                    let requirement = editable_requirement(&target).ok_or_else(|| InputError {
                        message: format!(
                            "editable requirement `-e {target}` is not a local project directory; only directories can be editable"
                        ),
                        path: path.to_path_buf(),
                        source_text: Some(text.clone()),
                        span: Some(span),
                    })?;
                    self.manifest.requirements.push(RootRequirement {
                        editable: true,
                        requirement: with_absolute_path(requirement, path),
                        source: source.clone(),
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
        let text =
            skua_cache::read_user_file(path).map_err(|error| InputError::io(path, &error))?;
        let pyproject = skua_requirements::parse_pyproject(&text).map_err(|error| InputError {
            message: format!("invalid {}: {}", path.display(), error.message),
            path: path.to_path_buf(),
            source_text: Some(text.clone()),
            span: error.span.clone(),
        })?;
        // A value of the wrong shape (`dependencies = "requests"`) would otherwise lock
        // without it.
        if let Some(issue) = pyproject.issues.first() {
            return Err(InputError {
                message: format!("invalid {}: {}", path.display(), issue.message),
                path: path.to_path_buf(),
                source_text: Some(text.clone()),
                span: Some(issue.span.clone()),
            });
        }
        self.files.push(path.to_path_buf());
        if let Some((requires_python, _)) = &pyproject.requires_python {
            self.requires_python = Some(requires_python.clone());
        }
        let project = ProjectTables::new(&pyproject, path, &text)?;
        let mut wanted_extras: Vec<ExtraName> = if selection.all_extras {
            project
                .extras
                .iter()
                .map(|(name, _)| name.clone())
                .collect()
        } else {
            selection.extras.clone()
        };
        for extra in &wanted_extras {
            if project.extra(extra).is_none() {
                return Err(project.error(format!("has no extra named `{extra}`"), None));
            }
        }
        let mut expansion = Expansion::default();
        for listed in &pyproject.dependencies {
            project.expand(listed, &mut expansion)?;
        }
        for extra in wanted_extras.drain(..) {
            project.expand_extra(&extra, &mut expansion)?;
        }
        for group in &selection.groups {
            project.expand_group(group, &mut expansion, &mut Vec::new())?;
        }
        let source = path.display().to_string();
        for listed in expansion.requirements {
            self.manifest
                .requirements
                .push(root_requirement(listed, path, &text, &source)?);
        }
        Ok(())
    }

    /// Adds the dependencies of a PEP 723 script.
    pub fn add_script(&mut self, path: &Path) -> Result<(), InputError> {
        let text =
            skua_cache::read_user_file(path).map_err(|error| InputError::io(path, &error))?;
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

/// A project's optional dependencies and dependency groups by normalized name, for
/// expanding self-references (`all = ["myproj[aws,gcp]"]`) and `{include-group = ...}`
/// locally: the project's own name must never be looked up on an index, where an
/// unrelated package of that name may exist (dependency confusion).
struct ProjectTables<'a> {
    name: Option<PackageName>,
    extras: Vec<(ExtraName, &'a [skua_requirements::ListedRequirement])>,
    groups: Vec<(GroupName, &'a [skua_requirements::ListedRequirement])>,
    includes: Vec<(GroupName, GroupName, std::ops::Range<usize>)>,
    path: &'a Path,
    text: &'a str,
}

/// What a selection expands to, each requirement and extra once.
#[derive(Default)]
struct Expansion<'a> {
    requirements: Vec<&'a skua_requirements::ListedRequirement>,
    extras_done: HashSet<ExtraName>,
}

impl<'a> ProjectTables<'a> {
    fn new(
        pyproject: &'a skua_requirements::Pyproject,
        path: &'a Path,
        text: &'a str,
    ) -> Result<Self, InputError> {
        let mut tables = ProjectTables {
            name: None,
            extras: Vec::new(),
            groups: Vec::new(),
            includes: Vec::new(),
            path,
            text,
        };
        if let Some(name) = &pyproject.project_name {
            tables.name = Some(
                PackageName::new(name)
                    .map_err(|error| tables.error(format!("[project].name: {error}"), None))?,
            );
        }
        for (extra, listed) in &pyproject.optional_dependencies {
            let name =
                ExtraName::new(extra).map_err(|error| tables.error(error.to_string(), None))?;
            tables.extras.push((name, listed.as_slice()));
        }
        for (group, listed) in &pyproject.dependency_groups {
            let name =
                GroupName::new(group).map_err(|error| tables.error(error.to_string(), None))?;
            tables.groups.push((name, listed.as_slice()));
        }
        for (group, included, span) in &pyproject.group_includes {
            let holder =
                GroupName::new(group).map_err(|error| tables.error(error.to_string(), None))?;
            let target = GroupName::new(included)
                .map_err(|error| tables.error(error.to_string(), Some(span.clone())))?;
            tables.includes.push((holder, target, span.clone()));
        }
        Ok(tables)
    }

    fn error(&self, message: String, span: Option<std::ops::Range<usize>>) -> InputError {
        InputError {
            message: format!("{} {message}", self.path.display()),
            path: self.path.to_path_buf(),
            source_text: span.is_some().then(|| self.text.to_string()),
            span,
        }
    }

    fn extra(&self, name: &ExtraName) -> Option<&'a [skua_requirements::ListedRequirement]> {
        self.extras
            .iter()
            .find(|(extra, _)| extra == name)
            .map(|(_, listed)| *listed)
    }

    fn expand_extra(&self, extra: &ExtraName, out: &mut Expansion<'a>) -> Result<(), InputError> {
        if !out.extras_done.insert(extra.clone()) {
            return Ok(());
        }
        let listed = self
            .extra(extra)
            .ok_or_else(|| self.error(format!("has no extra named `{extra}`"), None))?;
        for item in listed {
            self.expand(item, out)?;
        }
        Ok(())
    }

    /// Adds `listed`, or, when it names the project itself, the extras it asks for.
    fn expand(
        &self,
        listed: &'a skua_requirements::ListedRequirement,
        out: &mut Expansion<'a>,
    ) -> Result<(), InputError> {
        let self_reference = match (&listed.parsed, &self.name) {
            (Ok(requirement), Some(name)) => requirement.package_name.as_ref() == Some(name),
            _ => false,
        };
        if !self_reference {
            out.requirements.push(listed);
            return Ok(());
        }
        let Ok(requirement) = &listed.parsed else {
            return Ok(());
        };
        // A conditional self-reference would need the marker carried onto every expanded
        // requirement; refusing it is better than locking something else.
        if requirement.marker.is_some() || requirement.url.is_some() {
            return Err(self.error(
                format!(
                    "`{}` refers to the project itself with a marker or URL, which skua cannot lock yet; list the extras' requirements instead",
                    listed.raw
                ),
                Some(listed.span.clone()),
            ));
        }
        // The project's own dependencies are always part of the lock, so only its extras
        // add anything.
        for extra in &requirement.extras {
            let extra = ExtraName::new(extra)
                .map_err(|error| self.error(error.to_string(), Some(listed.span.clone())))?;
            if self.extra(&extra).is_none() {
                return Err(self.error(
                    format!(
                        "`{}` asks for an extra the project does not define (`{extra}`)",
                        listed.raw
                    ),
                    Some(listed.span.clone()),
                ));
            }
            self.expand_extra(&extra, out)?;
        }
        Ok(())
    }

    /// Adds a dependency group and the groups it includes; `stack` detects include cycles.
    fn expand_group(
        &self,
        group: &GroupName,
        out: &mut Expansion<'a>,
        stack: &mut Vec<GroupName>,
    ) -> Result<(), InputError> {
        if stack.contains(group) {
            stack.push(group.clone());
            let cycle: Vec<String> = stack.iter().map(ToString::to_string).collect();
            return Err(self.error(
                format!(
                    "has a dependency-group include cycle: {}",
                    cycle.join(" -> ")
                ),
                None,
            ));
        }
        let Some((_, listed)) = self.groups.iter().find(|(name, _)| name == group) else {
            return Err(self.error(format!("has no dependency group named `{group}`"), None));
        };
        stack.push(group.clone());
        for item in *listed {
            self.expand(item, out)?;
        }
        for (_, included, span) in self
            .includes
            .iter()
            .filter(|(holder, _, _)| holder == group)
        {
            if !self.groups.iter().any(|(name, _)| name == included) {
                return Err(self.error(
                    format!("includes a dependency group that does not exist (`{included}`)"),
                    Some(span.clone()),
                ));
            }
            self.expand_group(included, out, stack)?;
        }
        stack.pop();
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
        editable: false,
        requirement: with_absolute_path(requirement, path),
        source: source.to_string(),
    })
}

/// The requirement an `-e` target stands for: a directory path or `file:` URL, with
/// `[extras]` if given. VCS editables are not supported.
fn editable_requirement(target: &str) -> Option<Requirement> {
    let (location, extras) = match target.rsplit_once('[') {
        Some((location, rest)) if rest.ends_with(']') => {
            (location, Some(rest.trim_end_matches(']')))
        }
        _ => (target, None),
    };
    if location.contains("+") && location.contains("://") {
        return None;
    }
    let mut requirement = Requirement {
        name: String::new(),
        package_name: None,
        extras: extras
            .map(|list| list.split(',').map(|e| e.trim().to_owned()).collect())
            .unwrap_or_default(),
        specifiers: String::new(),
        url: Some(location.to_owned()),
        marker: None,
        hashes: Vec::new(),
        span: 0..0,
        name_span: 0..0,
        specifiers_span: 0..0,
        url_span: None,
        marker_span: None,
    };
    requirement.extras.retain(|extra| !extra.is_empty());
    Some(requirement)
}

/// `requirement` with a relative archive path made absolute against the directory of
/// `file`, the file it is written in (as uv reads it), so the lock does not depend on
/// where skua ran.
fn with_absolute_path(mut requirement: Requirement, file: &Path) -> Requirement {
    if let Some(url) = &requirement.url {
        let dir = file.parent().unwrap_or(Path::new("."));
        requirement.url = Some(crate::direct::absolutize(url, dir));
    }
    requirement
}
