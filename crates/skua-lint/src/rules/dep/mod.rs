//! Dependency hygiene: pins, immutable references, the supported Python range, imports
//! the manifests do not declare.

mod import_names;
pub mod missing_requires_python;
pub(crate) mod pin_edits;
mod stdlib;
pub mod undeclared_import;
pub mod unpinned_requirement;
pub mod unpinned_url_requirement;

use std::collections::HashSet;

use skua_requirements::Requirement;

use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::settings::Settings;

/// What the requirements graph says about one requirements file.
#[derive(Debug, Default, Clone)]
pub struct RequirementsContext {
    /// Only ever used as a constraints file: it pins, nothing is installed from it.
    pub is_constraints_file: bool,
    /// A pip-tools input (`x.in`) compiled into a lock beside it (`x.txt`).
    pub is_compiled_input: bool,
    /// Normalized names pinned exactly by a constraints file that applies to this file.
    pub constraint_pins: HashSet<skua_types::PackageName>,
}

/// Pins and URL references of one requirement, wherever it was written.
pub(crate) fn check_requirement(
    requirement: &Requirement,
    range: std::ops::Range<usize>,
    settings: &Settings,
    pinned_elsewhere: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if requirement.url.is_some() {
        if requirement.is_local_path() {
            return;
        }
        if !requirement.has_immutable_ref() && settings.rules.contains(Rule::UnpinnedUrlRequirement)
        {
            diagnostics.push(unpinned_url_requirement::diagnostic(requirement, range));
        }
        return;
    }
    if requirement.is_pinned()
        || pinned_elsewhere
        || requirement
            .package_name
            .as_ref()
            .is_some_and(|name| settings.allowed_unpinned.contains(name))
        || !settings.rules.contains(Rule::UnpinnedRequirement)
    {
        return;
    }
    diagnostics.push(unpinned_requirement::diagnostic(requirement, range));
}

/// Pins of dependencies listed in TOML (a pyproject table or a PEP 723 block); entries
/// that do not parse are left to the tools that read them.
fn check_listed(
    listed: &[skua_requirements::ListedRequirement],
    settings: &Settings,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for item in listed {
        if let Ok(requirement) = &item.parsed {
            check_requirement(requirement, item.span.clone(), settings, false, diagnostics);
        }
    }
}

/// Checks a requirements file (`requirements.txt`, `*.in`, constraints).
pub fn check_requirements_file(
    text: &str,
    settings: &Settings,
    context: &RequirementsContext,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let parsed = skua_requirements::parse_requirements(text);
    for entry in &parsed.entries {
        match &entry.kind {
            skua_requirements::EntryKind::Requirement(requirement) => {
                let skip_pins = context.is_constraints_file || context.is_compiled_input;
                if skip_pins && requirement.url.is_none() {
                    continue;
                }
                let pinned_elsewhere = requirement
                    .package_name
                    .as_ref()
                    .is_some_and(|name| context.constraint_pins.contains(name));
                check_requirement(
                    requirement,
                    requirement.span.clone(),
                    settings,
                    pinned_elsewhere,
                    &mut diagnostics,
                );
            }
            // `--extra-index-url https://ci:token@pypi.internal/simple` in a committed file.
            skua_requirements::EntryKind::IndexUrl(url)
            | skua_requirements::EntryKind::ExtraIndexUrl(url)
                if settings.rules.contains(Rule::CredentialsInUrl) =>
            {
                if let Some(diagnostic) = crate::rules::sec::credentials_in_url::index_option(
                    text,
                    entry.span.clone(),
                    url,
                ) {
                    diagnostics.push(diagnostic);
                }
            }
            skua_requirements::EntryKind::Editable { target, span } => {
                // `-e git+https://…@branch#egg=x` moves like any VCS reference.
                let parsed_line = skua_requirements::parse_requirements(target);
                if let Some(skua_requirements::EntryKind::Requirement(requirement)) =
                    parsed_line.entries.first().map(|entry| &entry.kind)
                    && requirement.url.is_some()
                {
                    check_requirement(requirement, span.clone(), settings, false, &mut diagnostics);
                }
            }
            _ => {}
        }
    }
    diagnostics
}

/// Checks a Python file's PEP 723 `# /// script` block.
pub fn check_script_metadata(source: &str, settings: &Settings) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    if !source.contains("# /// script") {
        return diagnostics;
    }
    let Ok(Some(metadata)) = skua_requirements::parse_script_metadata(source) else {
        return diagnostics;
    };
    check_listed(&metadata.dependencies, settings, &mut diagnostics);
    diagnostics
}

/// Lock files that pin a project's dependencies when they sit beside its `pyproject.toml`.
const LOCK_FILES: &[&str] = &[
    "uv.lock",
    "poetry.lock",
    "pdm.lock",
    "pylock.toml",
    "Pipfile.lock",
    "requirements.txt",
    "requirements.lock",
    "requirements-lock.txt",
    "constraints.txt",
];

/// Checks a `pyproject.toml`: the supported Python range, and pins when it is an application.
pub fn check_pyproject(
    text: &str,
    settings: &Settings,
    absolute_path: &std::path::Path,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let pyproject = match skua_requirements::parse_pyproject(text) {
        Ok(pyproject) => pyproject,
        Err(error) => {
            let span = error.span.clone().unwrap_or(0..0);
            diagnostics.push(Diagnostic::new(
                Rule::SyntaxError,
                format!("Invalid TOML: {error}"),
                span,
            ));
            return diagnostics;
        }
    };
    let dir = absolute_path.parent().unwrap_or(std::path::Path::new("."));
    let is_project = pyproject.has_project_table || pyproject.poetry.is_some();
    if is_project && settings.rules.contains(Rule::MissingRequiresPython) {
        let declared = pyproject.requires_python.is_some()
            || pyproject
                .poetry
                .as_ref()
                .is_some_and(|poetry| poetry.python.is_some())
            || pyproject
                .dynamic
                .iter()
                .any(|field| field == "requires-python")
            || dir.join(".python-version").is_file();
        if !declared {
            let header = if pyproject.has_project_table {
                "[project]"
            } else {
                "[tool.poetry]"
            };
            let range = find_table_header(text, header).unwrap_or(0..0);
            diagnostics.push(missing_requires_python::diagnostic(header, range));
        }
    }
    let has_lock = LOCK_FILES.iter().any(|lock| dir.join(lock).is_file());
    if settings.application && !has_lock {
        check_listed(&pyproject.dependencies, settings, &mut diagnostics);
        if let Some(poetry) = &pyproject.poetry
            && settings.rules.contains(Rule::UnpinnedRequirement)
        {
            for dependency in &poetry.dependencies {
                if dependency.is_vcs_or_path || dependency.name.eq_ignore_ascii_case("python") {
                    continue;
                }
                let pinned = dependency
                    .constraint
                    .as_deref()
                    .is_some_and(is_exact_poetry_constraint);
                let allowed = skua_types::PackageName::new(&dependency.name)
                    .is_ok_and(|name| settings.allowed_unpinned.contains(&name));
                if !pinned && !allowed {
                    diagnostics.push(unpinned_requirement::poetry_diagnostic(dependency));
                }
            }
        }
    }
    diagnostics
}

/// Poetry reads a bare version (`"1.2.3"`) as exact.
fn is_exact_poetry_constraint(constraint: &str) -> bool {
    let constraint = constraint.trim();
    let version = constraint.strip_prefix("==").unwrap_or(constraint).trim();
    !version.is_empty()
        && version.chars().next().is_some_and(|c| c.is_ascii_digit())
        && !version.contains(['*', ',', '<', '>', '^', '~', ' '])
}

fn find_table_header(text: &str, header: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim() == header || line.trim_start().starts_with(&format!("{header} ")) {
            let start = offset + (line.len() - line.trim_start().len());
            return Some(start..start + header.len());
        }
        offset += line.len();
    }
    None
}
