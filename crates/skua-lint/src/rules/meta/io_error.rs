use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that could not be checked: it could not be read, is not UTF-8 text,
    /// is binary, or a path given on the command line does not exist. Always enabled.
    ///
    /// ## Why is this bad?
    /// A file skua cannot read is a file nobody checked; a lint gate that silently skips it
    /// would pass code it never saw.
    ///
    /// ## Example
    /// ```text
    /// scripts/deploy.py:1:1: E902 Could not read file: Permission denied (os error 13)
    /// ```
    ///
    /// ## Use instead
    /// Fix the permissions or encoding, or exclude the path with `exclude`/`extend-exclude`.
    pub struct IoError => ("E902", "io-error");
}
