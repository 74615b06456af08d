//! The skua linter: file discovery, parsing, the AST checker, the rules, suppression and reports.

pub mod baseline;
pub mod checker;
pub mod diagnostic;
pub mod discovery;
pub mod docs;
pub mod fingerprint;
pub mod linter;
pub mod noqa;
pub mod registry;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod settings;
pub mod source;

pub use diagnostic::{Diagnostic, Message};
pub use linter::{LintResult, lint};
pub use registry::Rule;
