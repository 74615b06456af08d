use skua_requirements::Requirement;

use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks for requirements without an exact pin (`==` or `===`) in requirements files
    /// (following `-r` includes), PEP 723 `# /// script` blocks, and the
    /// `[project.dependencies]` of an application's `pyproject.toml` that has no lock file
    /// beside it.
    ///
    /// Not reported: requirements pinned by a `-c` constraints file that applies, entries of
    /// constraints files, pip-tools inputs (`requirements.in`) compiled into a lock beside
    /// them, local paths, libraries' `pyproject.toml` (their ranges are meant to be loose;
    /// mark applications with `[tool.skua] application = true`), and names listed in
    /// `allowed-unpinned`.
    ///
    /// ## Why is this bad?
    /// An unpinned dependency resolves to whatever is newest on the day of the install: CI,
    /// the laptop and production run different code, and a bad release breaks a deploy
    /// nobody changed.
    ///
    /// ## Example
    /// ```text
    /// boto3>=1.28
    /// kubernetes
    /// ```
    ///
    /// ## Use instead
    /// Keep the loose ranges in `requirements.in` and lock them (`skua lock requirements.in -o requirements.txt`):
    /// ```text
    /// boto3==1.34.69
    /// kubernetes==29.0.0
    /// ```
    ///
    /// ## Options
    /// - `allowed-unpinned`: package names that may stay unpinned.
    /// - `application`: treat this `pyproject.toml` as an application whose dependencies must be pinned.
    pub struct UnpinnedRequirement => ("DEP001", "unpinned-requirement"), fix = Sometimes, Safe;
}

pub(crate) fn diagnostic(requirement: &Requirement, range: std::ops::Range<usize>) -> Diagnostic {
    let spec = if requirement.specifiers.is_empty() {
        format!("`{}` has no version constraint", requirement.name)
    } else {
        format!(
            "`{}{}` is not pinned to an exact version",
            requirement.name, requirement.specifiers
        )
    };
    Diagnostic::new(
        Rule::UnpinnedRequirement,
        format!("{spec}; pin it with `==` (or lock it with `skua lock`)"),
        range,
    )
}

pub(crate) fn poetry_diagnostic(dependency: &skua_requirements::PoetryDependency) -> Diagnostic {
    let constraint = dependency.constraint.as_deref().unwrap_or("*");
    Diagnostic::new(
        Rule::UnpinnedRequirement,
        format!(
            "`{} = \"{constraint}\"` is not pinned to an exact version; pin it or commit `poetry.lock`",
            dependency.name
        ),
        dependency.span.clone(),
    )
}
