use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a Python file (or `pyproject.toml`) that does not parse. The rest of the run
    /// goes on; other files are still checked. Always enabled.
    ///
    /// ## Why is this bad?
    /// skua cannot check code it cannot parse, and neither can Python run it.
    ///
    /// ## Example
    /// ```python
    /// def deploy(:
    ///     ...
    /// ```
    ///
    /// ## Use instead
    /// Fix the syntax error.
    pub struct SyntaxError => ("E999", "syntax-error");
}
