use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a Python file that was only partly checked: expressions nested deeper than
    /// the checker's limit (2,000 levels, seen only in generated code) are not visited, so
    /// findings inside them may be missing. Always enabled.
    ///
    /// ## Why is this bad?
    /// A lint gate must not call a file clean when part of it was never looked at: a secret
    /// or a shell call nested inside such an expression would pass unseen.
    ///
    /// ## Example
    /// ```text
    /// gen/tables.py:3:2001: E998 expressions nested deeper than 2000 levels were not checked
    /// ```
    ///
    /// ## Use instead
    /// Flatten the generated expression (build it in steps), or exclude the generated file
    /// with `extend-exclude` if it holds nothing worth checking.
    pub struct IncompleteCheck => ("E998", "incomplete-check");
}
