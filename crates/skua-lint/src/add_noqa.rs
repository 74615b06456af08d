//! `--add-noqa` (ruff's): append `# noqa: CODE` to every line with a finding, so a gate can
//! be switched on in a repository with existing findings and new ones still fail.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use ruff_python_ast::token::TokenKind;
use ruff_text_size::Ranged;

use crate::diagnostic::Message;
use crate::discovery::{FileKind, classify};
use crate::noqa::{self, Directive};

/// What `--add-noqa` did to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoqaEdit {
    pub path: PathBuf,
    /// The file's new text.
    pub text: String,
    /// Directives added or extended.
    pub added: usize,
    /// Findings no directive could be placed for (inside a multi-line string, say).
    pub unplaceable: usize,
}

/// The edits that suppress `messages` with line directives, per file.
pub fn plan(messages: &[Message]) -> Vec<NoqaEdit> {
    let mut by_file: BTreeMap<PathBuf, Vec<&Message>> = BTreeMap::new();
    for message in messages {
        // Problems with the run itself cannot be suppressed; dotenv values would absorb a
        // trailing comment in some loaders.
        if message.rule.is_always_on()
            || matches!(
                classify(&message.file.path),
                Some(FileKind::Dotenv | FileKind::Config | FileKind::Notebook)
            )
            || message.file.text.is_empty()
        {
            continue;
        }
        by_file
            .entry(message.file.path.clone())
            .or_default()
            .push(message);
    }
    by_file
        .into_iter()
        .filter_map(|(path, messages)| plan_file(path, &messages))
        .collect()
}

/// Notebooks with findings `plan` leaves alone: their text is JSON, which a directive
/// cannot be appended to line by line (the CLI warns about each).
pub fn skipped_notebooks(messages: &[Message]) -> Vec<PathBuf> {
    let paths: BTreeSet<PathBuf> = messages
        .iter()
        .filter(|message| message.file.cells.is_some() && !message.rule.is_always_on())
        .map(|message| message.file.path.clone())
        .collect();
    paths.into_iter().collect()
}

fn plan_file(path: PathBuf, messages: &[&Message]) -> Option<NoqaEdit> {
    let file = &messages.first()?.file;
    let text = file.text.as_str();
    let is_python = matches!(
        classify(&path),
        Some(FileKind::Python | FileKind::ExtensionlessScript) | None
    );
    let strings = if is_python {
        string_spans(text)
    } else {
        Vec::new()
    };
    let mut codes_by_line: BTreeMap<usize, BTreeSet<&'static str>> = BTreeMap::new();
    let mut unplaceable = 0;
    for message in messages {
        let first = file.index.line_of(message.range.start);
        let last = file
            .index
            .line_of(message.range.end.saturating_sub(1).max(message.range.start));
        match placeable_line(text, &file.index, first, &strings).filter(|line| *line <= last) {
            Some(line) => {
                codes_by_line
                    .entry(line)
                    .or_default()
                    .insert(message.rule.code());
            }
            None => unplaceable += 1,
        }
    }
    if codes_by_line.is_empty() {
        return (unplaceable > 0).then(|| NoqaEdit {
            path,
            text: text.to_string(),
            added: 0,
            unplaceable,
        });
    }
    let mut out = String::with_capacity(text.len() + codes_by_line.len() * 20);
    let mut cursor = 0;
    let added = codes_by_line.len();
    for (line, codes) in codes_by_line {
        let range = file.index.line_range(text, line);
        let line_text = &text[range.clone()];
        let content = line_text.trim_end_matches(['\r', '\n']);
        let content_end = range.start + content.len();
        out.push_str(&text[cursor..content_end]);
        match noqa::parse_line(content, range.start) {
            Some(Directive::Codes(existing)) => {
                // Extend `# noqa: A` to `# noqa: A, B` after its last code.
                let known: BTreeSet<String> =
                    existing.iter().map(|(code, _)| code.clone()).collect();
                let missing: Vec<&str> = codes
                    .iter()
                    .copied()
                    .filter(|code| !known.contains(*code))
                    .collect();
                let insert_at = existing.last().map_or(content_end, |(_, span)| span.end);
                out.truncate(out.len() - (content_end - insert_at));
                for code in missing {
                    out.push_str(", ");
                    out.push_str(code);
                }
                out.push_str(&text[insert_at..content_end]);
            }
            _ => {
                let list: Vec<&str> = codes.into_iter().collect();
                let spacing = if content.trim().is_empty() { "" } else { "  " };
                out.push_str(&format!("{spacing}# noqa: {}", list.join(", ")));
            }
        }
        cursor = content_end;
    }
    out.push_str(&text[cursor..]);
    Some(NoqaEdit {
        path,
        text: out,
        added,
        unplaceable,
    })
}

/// The line at or after `line` where a trailing comment can go: not inside a string that
/// spans lines, not after a `\` continuation.
fn placeable_line(
    text: &str,
    index: &crate::source::LineIndex,
    mut line: usize,
    strings: &[std::ops::Range<usize>],
) -> Option<usize> {
    for _ in 0..10_000 {
        let range = index.line_range(text, line);
        let end = range.start + text[range.clone()].trim_end_matches(['\r', '\n']).len();
        if let Some(string) = strings
            .iter()
            .find(|span| span.start < end && end < span.end)
        {
            line = index.line_of(string.end.saturating_sub(1));
            continue;
        }
        if text[range.start..end].ends_with('\\') {
            line += 1;
            continue;
        }
        return Some(line);
    }
    None
}

/// Byte ranges of string literals (f- and t-strings whole), from the token stream.
fn string_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let Ok(parsed) = ruff_python_parser::parse_module(text) else {
        return Vec::new();
    };
    let mut spans = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for token in parsed.tokens().iter() {
        let range = token.range();
        let (start, end) = (range.start().to_usize(), range.end().to_usize());
        match token.kind() {
            TokenKind::String => spans.push(start..end),
            TokenKind::FStringStart | TokenKind::TStringStart => open.push(start),
            TokenKind::FStringEnd | TokenKind::TStringEnd => {
                if let Some(start) = open.pop() {
                    spans.push(start..end);
                }
            }
            _ => {}
        }
    }
    spans
}
