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
    /// ## Fix
    /// `skua lint --fix` resolves the flagged requirements of each file together, as
    /// `skua lock` would (a requirements file with its `-r`/`-c` graph — an included
    /// file through the file that includes it — and its own `--index-url` lines, the
    /// project's index settings, `--python-version`, `--python-platform` and
    /// `--exclude-newer`), and pins each to the resolved version: `boto3>=1.28  # aws`
    /// becomes `boto3==1.34.69  # aws`, keeping extras, markers, comments and layout; a
    /// file that already uses `--hash` gets hash lines for the new pins. PEP 723 blocks
    /// and an application's `[project] dependencies` are pinned in place, in the TOML's
    /// own quoting. Existing pins stay. A set that does not resolve changes nothing and
    /// the resolver's explanation is printed; a requirement the resolution does not
    /// contain (a marker false for the target) or a Poetry dependency is named in a
    /// warning and left alone. Only `--fix` and `--diff` reach an index.
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
