//! The skua linter: file discovery, parsing, the AST checker, the rules, suppression and reports.

pub mod add_noqa;
pub mod baseline;
pub mod checker;
pub mod diagnostic;
pub mod discovery;
pub mod docs;
pub mod fingerprint;
pub mod fix;
pub mod linter;
pub mod manifests;
pub mod noqa;
pub mod notebook;
pub mod pin;
pub mod project;
pub mod registry;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod settings;
pub mod source;

pub use diagnostic::{Diagnostic, Message};
pub use linter::{LintOptions, LintResult, lint, lint_stdin, lint_with};
pub use registry::Rule;
