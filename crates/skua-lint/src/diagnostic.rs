//! What a rule reports.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

pub use crate::fix::Fix;
use crate::notebook::CellMap;
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
    /// A notebook's code cells (`text` is their joined source): locations are per cell.
    pub cells: Option<CellMap>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Arc<Self> {
        let index = LineIndex::new(&text);
        Arc::new(SourceFile {
            path,
            text,
            index,
            cells: None,
        })
    }

    /// A notebook's joined code cells.
    pub fn notebook(path: PathBuf, text: String, cells: CellMap) -> Arc<Self> {
        let index = LineIndex::new(&text);
        Arc::new(SourceFile {
            path,
            text,
            index,
            cells: Some(cells),
        })
    }

    /// The cell (in a notebook) and the location in it of byte `offset`.
    pub fn locate(&self, offset: usize) -> (Option<usize>, Location) {
        let location = self.index.location(&self.text, offset);
        match self.cells.as_ref().and_then(|cells| cells.cell_at(offset)) {
            Some(cell) => (
                Some(cell.number),
                Location {
                    row: location.row.saturating_sub(cell.first_line).max(1),
                    column: location.column,
                },
            ),
            None => (None, location),
        }
    }

    /// The 1-based line number shown for 0-based `line` of the text (per cell in a notebook).
    pub fn shown_line(&self, line: usize) -> usize {
        let start = self.index.line_range(&self.text, line).start;
        let first = self
            .cells
            .as_ref()
            .and_then(|cells| cells.cell_at(start))
            .map_or(0, |cell| cell.first_line);
        line.saturating_sub(first) + 1
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
    /// The notebook cell the finding is in (1-based position among all cells); `location`
    /// and `end_location` are then rows of that cell.
    pub cell: Option<usize>,
    pub location: Location,
    pub end_location: Location,
    pub fix: Option<Fix>,
}

impl Message {
    pub fn from_diagnostic(diagnostic: Diagnostic, file: &Arc<SourceFile>) -> Self {
        let text = &file.text;
        let start = diagnostic.range.start.min(text.len());
        let end = diagnostic.range.end.clamp(start, text.len());
        let (cell, location) = file.locate(start);
        let (end_cell, mut end_location) = file.locate(end);
        if end_cell != cell {
            // A range running past its cell's end (a syntax error at the separator).
            end_location = location;
        }
        Message {
            rule: diagnostic.rule,
            message: diagnostic.message,
            cell,
            location,
            end_location,
            range: start..end,
            secret: diagnostic.secret,
            fix: diagnostic.fix,
            file: Arc::clone(file),
        }
    }
}
