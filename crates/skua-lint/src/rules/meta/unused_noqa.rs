use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports `# noqa: CODE` comments whose skua codes suppress nothing on their line.
    /// Codes of other tools (`E501`, `S603`) are left alone. Opt-in: enable it with
    /// `extend-select = ["NQA001"]` or `--extend-select NQA001`.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real finding on that line.
    ///
    /// ## Example
    /// ```python
    /// timeout = 10  # noqa: NET001
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// timeout = 10
    /// ```
    pub struct UnusedNoqa => ("NQA001", "unused-noqa"), fix = Always, Safe;
}
