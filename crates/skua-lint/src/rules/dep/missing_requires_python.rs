use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks for a `pyproject.toml` that defines a project (`[project]` or `[tool.poetry]`)
    /// but does not say which Python versions it supports: no `requires-python` (or Poetry's
    /// `python` dependency) and no `.python-version` file beside it.
    ///
    /// Tool-only `pyproject.toml` files (just `[tool.black]`, say) are not projects and are
    /// not reported.
    ///
    /// ## Why is this bad?
    /// Without a declared range, resolvers pick versions for every Python, CI and production
    /// drift to different interpreters, and a dependency that drops a Python version
    /// surfaces as a runtime failure instead of a resolution error.
    ///
    /// ## Example
    /// ```toml
    /// [project]
    /// name = "ops-tools"
    /// dependencies = ["boto3==1.34.69"]
    /// ```
    ///
    /// ## Use instead
    /// ```toml
    /// [project]
    /// name = "ops-tools"
    /// requires-python = ">=3.11"
    /// dependencies = ["boto3==1.34.69"]
    /// ```
    pub struct MissingRequiresPython => ("DEP003", "missing-requires-python");
}

pub(crate) fn diagnostic(
    header: &str,
    range: std::ops::Range<usize>,
) -> crate::diagnostic::Diagnostic {
    let fix = if header == "[project]" {
        "`requires-python = \">=3.11\"`"
    } else {
        "`python = \"^3.11\"` to `[tool.poetry.dependencies]`"
    };
    crate::diagnostic::Diagnostic::new(
        crate::registry::Rule::MissingRequiresPython,
        format!(
            "Project does not declare the Python versions it supports; add {fix} (or a `.python-version` file)"
        ),
        range,
    )
}
