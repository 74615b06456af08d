//! pip requirements files (`requirements.txt`, `requirements.in`, `constraints.txt`).

use crate::Span;
use crate::offsets::{OffsetMap, physical_lines};
use crate::requirement::{
    ParseError, Requirement, is_pip_url_or_path, parse_pep508, parse_pip_url_or_path, skip_ws,
};

/// A parsed requirements file; comments and blank lines produce no entries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequirementsFile {
    pub entries: Vec<Entry>,
}

impl RequirementsFile {
    /// The requirement entries, in file order.
    pub fn requirements(&self) -> impl Iterator<Item = (&Entry, &Requirement)> {
        self.entries.iter().filter_map(|entry| match &entry.kind {
            EntryKind::Requirement(requirement) => Some((entry, requirement)),
            _ => None,
        })
    }
}

/// One item of a logical line. A line holding several options (`--pre --no-index`) yields
/// one entry per option, all sharing the line's `span` and `line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntryKind,
    /// The whole logical line including continuation lines, from its first to its last
    /// non-blank byte, excluding a trailing comment and the line terminator.
    pub span: Span,
    /// 1-based line number where the logical line starts.
    pub line: usize,
}

// Requirements are by far the most common entry, so boxing them would cost an allocation
// per line to shrink the rare variants.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    Requirement(Requirement),
    /// `-e target` / `--editable target`; `span` is the target's.
    Editable {
        target: String,
        span: Span,
    },
    /// `-r path` / `-c path` in any spelling; `span` is the path's (inside quotes when
    /// quoted).
    Include {
        kind: IncludeKind,
        path: String,
        span: Span,
    },
    IndexUrl(String),
    ExtraIndexUrl(String),
    FindLinks(String),
    NoIndex,
    /// Any other option, verbatim from the option to the end of its value, e.g.
    /// `--trusted-host example.com`.
    OtherOption(String),
    /// A line pip would reject.
    Invalid {
        message: String,
        span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IncludeKind {
    /// `-r` / `--requirement`
    Requirements,
    /// `-c` / `--constraint`
    Constraints,
}

/// Parses a requirements file. Never fails: lines pip would reject become
/// [`EntryKind::Invalid`].
pub fn parse_requirements(text: &str) -> RequirementsFile {
    // pip decodes with BOM detection, so a UTF-8 BOM is not part of the first line.
    let body_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let lines = physical_lines(text, body_start);
    let mut entries = Vec::new();
    let mut idx = 0;
    while idx < lines.len() {
        let first = idx;
        let mut logical = LogicalLine::default();
        // Mirrors pip's `join_lines`: a trailing `\` continues the line, except on comment
        // lines, which always end the logical line.
        while let Some(line) = lines.get(idx) {
            idx += 1;
            let content = text.get(line.start..line.end).unwrap_or("");
            let is_comment = content.trim_start().starts_with('#');
            if is_comment {
                // pip appends the comment with a leading space and then strips it again, so
                // leaving it out is equivalent.
                break;
            }
            if !content.ends_with('\\') {
                logical.push(content, line.start);
                break;
            }
            // pip uses `line.strip("\\")`, which also drops leading backslashes.
            let without_leading = content.trim_start_matches('\\');
            let lead = content.len() - without_leading.len();
            logical.push(without_leading.trim_end_matches('\\'), line.start + lead);
        }
        parse_logical_line(&logical, first + 1, &mut entries);
    }
    RequirementsFile { entries }
}

#[derive(Default)]
struct LogicalLine {
    text: String,
    map: OffsetMap,
}

impl LogicalLine {
    fn push(&mut self, piece: &str, original_start: usize) {
        self.map.push(self.text.len(), original_start);
        self.text.push_str(piece);
    }
}

/// pip's `COMMENT_RE = (^|\s+)#.*$`: a `#` starts a comment only at the start of the line
/// or after whitespace, so URL fragments (`#egg=`, `#sha256=`) survive.
fn comment_start(line: &str) -> usize {
    let mut whitespace_run = None;
    for (i, c) in line.char_indices() {
        if c == '#' {
            if i == 0 {
                return 0;
            }
            if let Some(run) = whitespace_run {
                return run;
            }
        }
        if c.is_whitespace() {
            whitespace_run.get_or_insert(i);
        } else {
            whitespace_run = None;
        }
    }
    line.len()
}

fn whitespace_tokens(line: &str, from: usize, to: usize) -> Vec<Span> {
    let mut tokens = Vec::new();
    let mut start = None;
    for (i, c) in line.get(from..to).unwrap_or("").char_indices() {
        let i = from + i;
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                tokens.push(s..i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        tokens.push(s..to);
    }
    tokens
}

fn parse_logical_line(logical: &LogicalLine, line: usize, entries: &mut Vec<Entry>) {
    let text = logical.text.as_str();
    let map = &logical.map;
    let cut = comment_start(text);
    let start = skip_ws(text, 0);
    let end = text.get(..cut).map_or(0, |head| head.trim_end().len());
    if start >= end {
        return;
    }
    let span = map.span(&(start..end));
    let push = |entries: &mut Vec<Entry>, kind| {
        entries.push(Entry {
            kind,
            span: span.clone(),
            line,
        });
    };

    // pip's `break_args_options`: everything before the first token starting with `-` is
    // the requirement, the rest are options.
    let tokens = whitespace_tokens(text, start, end);
    let first_option = tokens
        .iter()
        .position(|token| text.get(token.clone()).is_some_and(|t| t.starts_with('-')));
    let options_start = first_option
        .and_then(|i| tokens.get(i))
        .map_or(end, |token| token.start);
    let options = match shell_split(text, options_start, end) {
        Ok(tokens) => tokens,
        Err(quote) => {
            push(
                entries,
                EntryKind::Invalid {
                    message: "unclosed quote in options".to_string(),
                    span: map.span(&quote),
                },
            );
            return;
        }
    };
    let options = parse_options(text, &options);

    if first_option != Some(0) {
        let args_end = first_option
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| tokens.get(i))
            .map_or(end, |token| token.end);
        let args = text.get(start..args_end).unwrap_or("");
        let parsed = if is_pip_url_or_path(args) {
            parse_pip_url_or_path(args)
        } else {
            parse_pep508(args)
        };
        let shift = |s: &Span| map.span(&(s.start + start..s.end + start));
        let kind = match parsed {
            Ok(mut requirement) => {
                requirement.map_spans(shift);
                // Other options on a requirement line are per-requirement build settings
                // that do not affect what is installed.
                for option in options {
                    if let Ok(ParsedOption {
                        kind: OptionKind::Hash,
                        value: Some((value, _)),
                        ..
                    }) = option
                    {
                        requirement.hashes.push(value);
                    }
                }
                EntryKind::Requirement(requirement)
            }
            Err(ParseError { message, span }) => EntryKind::Invalid {
                message,
                span: shift(&span),
            },
        };
        push(entries, kind);
        return;
    }

    let before = entries.len();
    for option in options {
        let kind = match option {
            Err(failure) => EntryKind::Invalid {
                message: failure.message,
                span: map.span(&failure.span),
            },
            Ok(option) => option_entry(text, map, option),
        };
        push(entries, kind);
    }
    if entries.len() == before {
        push(
            entries,
            EntryKind::Invalid {
                message: "expected a requirement or an option".to_string(),
                span: span.clone(),
            },
        );
    }
}

fn option_entry(text: &str, map: &OffsetMap, option: ParsedOption) -> EntryKind {
    let verbatim = || {
        text.get(option.span.clone())
            .unwrap_or_default()
            .to_string()
    };
    match (option.kind, option.value.clone()) {
        (OptionKind::Requirement, Some((path, span))) => EntryKind::Include {
            kind: IncludeKind::Requirements,
            path,
            span: map.span(&span),
        },
        (OptionKind::Constraint, Some((path, span))) => EntryKind::Include {
            kind: IncludeKind::Constraints,
            path,
            span: map.span(&span),
        },
        (OptionKind::Editable, Some((target, span))) => EntryKind::Editable {
            target,
            span: map.span(&span),
        },
        (OptionKind::IndexUrl, Some((url, _))) => EntryKind::IndexUrl(url),
        (OptionKind::ExtraIndexUrl, Some((url, _))) => EntryKind::ExtraIndexUrl(url),
        (OptionKind::FindLinks, Some((url, _))) => EntryKind::FindLinks(url),
        (OptionKind::NoIndex, _) => EntryKind::NoIndex,
        _ => EntryKind::OtherOption(verbatim()),
    }
}

/// A shell word (pip splits options with `shlex.split`).
#[derive(Debug)]
struct Word {
    /// With quotes removed.
    value: String,
    /// The raw word.
    span: Span,
}

/// Like `shlex.split`, but backslashes are kept literally: Windows paths in `-r` lines are
/// far more common than shell escapes. `Err` carries the span of an unclosed quote.
fn shell_split(text: &str, from: usize, to: usize) -> Result<Vec<Word>, Span> {
    let mut words = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let mut quote: Option<(char, usize)> = None;
    for (i, c) in text.get(from..to).unwrap_or("").char_indices() {
        let i = from + i;
        if let Some((open, _)) = quote {
            if c == open {
                quote = None;
            } else if let Some((_, value)) = &mut current {
                value.push(c);
            }
            continue;
        }
        if c.is_whitespace() {
            if let Some((start, value)) = current.take() {
                words.push(Word {
                    value,
                    span: start..i,
                });
            }
            continue;
        }
        let (_, value) = current.get_or_insert_with(|| (i, String::new()));
        if c == '"' || c == '\'' {
            quote = Some((c, i));
        } else {
            value.push(c);
        }
    }
    if let Some((_, at)) = quote {
        return Err(at..at + 1);
    }
    if let Some((start, value)) = current {
        words.push(Word {
            value,
            span: start..to,
        });
    }
    Ok(words)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OptionKind {
    Requirement,
    Constraint,
    Editable,
    IndexUrl,
    ExtraIndexUrl,
    FindLinks,
    NoIndex,
    Hash,
    Other,
}

/// pip's requirement-file options: `(long name, kind, takes a value)`.
const LONG_OPTIONS: &[(&str, OptionKind, bool)] = &[
    ("requirement", OptionKind::Requirement, true),
    ("constraint", OptionKind::Constraint, true),
    ("editable", OptionKind::Editable, true),
    ("index-url", OptionKind::IndexUrl, true),
    ("extra-index-url", OptionKind::ExtraIndexUrl, true),
    ("find-links", OptionKind::FindLinks, true),
    ("no-index", OptionKind::NoIndex, false),
    ("hash", OptionKind::Hash, true),
    ("pre", OptionKind::Other, false),
    ("prefer-binary", OptionKind::Other, false),
    ("require-hashes", OptionKind::Other, false),
    ("trusted-host", OptionKind::Other, true),
    ("only-binary", OptionKind::Other, true),
    ("no-binary", OptionKind::Other, true),
    ("use-feature", OptionKind::Other, true),
    ("config-settings", OptionKind::Other, true),
    ("global-option", OptionKind::Other, true),
    ("install-option", OptionKind::Other, true),
];

const SHORT_OPTIONS: &[(char, OptionKind)] = &[
    ('r', OptionKind::Requirement),
    ('c', OptionKind::Constraint),
    ('e', OptionKind::Editable),
    ('i', OptionKind::IndexUrl),
    ('f', OptionKind::FindLinks),
];

/// Exact match, or (like optparse) an unambiguous prefix of one long option.
fn lookup_long(name: &str) -> Option<(OptionKind, bool, &'static str)> {
    if let Some(&(long, kind, takes_value)) = LONG_OPTIONS.iter().find(|(long, ..)| *long == name) {
        return Some((kind, takes_value, long));
    }
    let mut matches = LONG_OPTIONS
        .iter()
        .filter(|(long, ..)| !name.is_empty() && long.starts_with(name));
    match (matches.next(), matches.next()) {
        (Some(&(long, kind, takes_value)), None) => Some((kind, takes_value, long)),
        _ => None,
    }
}

#[derive(Debug)]
struct ParsedOption {
    kind: OptionKind,
    /// Value and its span (inside quotes when the value was quoted).
    value: Option<(String, Span)>,
    /// From the option to the end of its value.
    span: Span,
}

/// The span of an option value that is the tail of `raw_span`, without enclosing quotes.
fn value_span(text: &str, raw_span: Span) -> Span {
    let raw = text.get(raw_span.clone()).unwrap_or("");
    for quote in ['"', '\''] {
        if raw.len() >= 2
            && raw.starts_with(quote)
            && raw.ends_with(quote)
            && raw.matches(quote).count() == 2
        {
            return raw_span.start + 1..raw_span.end - 1;
        }
    }
    raw_span
}

fn parse_options(text: &str, words: &[Word]) -> Vec<Result<ParsedOption, ParseError>> {
    let mut parsed = Vec::new();
    let mut i = 0;
    while let Some(word) = words.get(i) {
        i += 1;
        let raw = text.get(word.span.clone()).unwrap_or("");
        if word.value == "--" {
            // optparse: everything after `--` is positional, and pip ignores positionals.
            break;
        }
        if !word.value.starts_with('-') || word.value == "-" {
            continue;
        }
        // The attached value (`--opt=value`, `-rvalue`) and its offset within `raw`.
        let (spec, display, attached) = if let Some(long) = word.value.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            let attached = inline.map(|value| {
                let offset = raw.find('=').map_or(raw.len(), |eq| eq + 1);
                (value.to_string(), offset)
            });
            match lookup_long(name) {
                Some((kind, takes_value, long)) => {
                    (Some((kind, takes_value)), format!("--{long}"), attached)
                }
                None => (None, format!("--{name}"), attached),
            }
        } else {
            let mut chars = word.value.chars().skip(1);
            let letter = chars.next().unwrap_or('-');
            let rest: String = chars.collect();
            let attached = (!rest.is_empty()).then(|| (rest, 1 + letter.len_utf8()));
            let spec = SHORT_OPTIONS
                .iter()
                .find(|(short, _)| *short == letter)
                .map(|&(_, kind)| (kind, true));
            (spec, format!("-{letter}"), attached)
        };
        let (kind, takes_value) = spec.unwrap_or((OptionKind::Other, false));

        let mut end = word.span.end;
        let value = match attached {
            Some((value, offset)) => {
                let start = (word.span.start + offset).min(word.span.end);
                Some((value, value_span(text, start..word.span.end)))
            }
            None => match words.get(i) {
                // An unknown option may take a value; a following non-option word is
                // assumed to be it so the option stays verbatim in one piece.
                Some(next) if takes_value || (spec.is_none() && !next.value.starts_with('-')) => {
                    i += 1;
                    end = next.span.end;
                    Some((next.value.clone(), value_span(text, next.span.clone())))
                }
                _ => None,
            },
        };
        if takes_value && value.is_none() {
            parsed.push(Err(ParseError {
                message: format!("option {display} requires a value"),
                span: word.span.clone(),
            }));
            continue;
        }
        parsed.push(Ok(ParsedOption {
            kind,
            value,
            span: word.span.start..end,
        }));
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_rules() {
        assert_eq!(comment_start("# x"), 0);
        assert_eq!(comment_start("a  # x"), 1);
        assert_eq!(comment_start("a#egg=b"), 7);
        assert_eq!(comment_start("a#egg=b\t#c"), 7);
    }

    #[test]
    fn long_option_prefixes() {
        assert_eq!(
            lookup_long("requirem").map(|(kind, ..)| kind),
            Some(OptionKind::Requirement)
        );
        // ambiguous prefixes: --no-index/--no-binary, --requirement/--require-hashes
        assert!(lookup_long("no").is_none());
        assert!(lookup_long("req").is_none());
        assert!(lookup_long("bogus").is_none());
    }
}
