//! What a rule reports.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

pub use crate::fix::Fix;
use crate::registry::Rule;
use crate::source::{LineIndex, Location};

/// A finding inside one file, before it is placed in a report.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: Rule,
    pub message: String,
    /// Byte range in the file's text.
    pub range: Range<usize>,
    /// Byte range of a secret value that output must never show in full.
    pub secret: Option<Range<usize>>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(rule: Rule, message: impl Into<String>, range: Range<usize>) -> Self {
        Diagnostic {
            rule,
            message: message.into(),
            range,
            secret: None,
            fix: None,
        }
    }

    pub fn with_secret(mut self, secret: Range<usize>) -> Self {
        self.secret = Some(secret);
        self
    }

    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
}

/// One file's text, shared by all of its reported diagnostics for snippets.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    pub index: LineIndex,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Arc<Self> {
        let index = LineIndex::new(&text);
        Arc::new(SourceFile { path, text, index })
    }
}

/// A diagnostic placed in a file, ready to report.
#[derive(Clone, Debug)]
pub struct Message {
    pub rule: Rule,
    pub message: String,
    pub file: Arc<SourceFile>,
    pub range: Range<usize>,
    pub secret: Option<Range<usize>>,
    pub location: Location,
    pub end_location: Location,
    pub fix: Option<Fix>,
}

impl Message {
    pub fn from_diagnostic(diagnostic: Diagnostic, file: &Arc<SourceFile>) -> Self {
        let text = &file.text;
        let start = diagnostic.range.start.min(text.len());
        let end = diagnostic.range.end.clamp(start, text.len());
        Message {
            rule: diagnostic.rule,
            message: diagnostic.message,
            location: file.index.location(text, start),
            end_location: file.index.location(text, end),
            range: start..end,
            secret: diagnostic.secret,
            fix: diagnostic.fix,
            file: Arc::clone(file),
        }
    }
}
