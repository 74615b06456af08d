//! Report formats. Text comes back with ANSI styles; the caller strips them when the
//! output is not a terminal. Machine formats carry each finding's fingerprint.

mod gitlab;
mod junit;
mod sarif;

use std::collections::BTreeMap;
use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::diagnostic::Message;
use crate::registry::Rule;
use crate::secrets;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Full,
    Concise,
    Json,
    JsonLines,
    Github,
    Gitlab,
    Junit,
    Sarif,
}

const PATH: Style = Style::new().bold();
const CODE: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const CARET: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const GUTTER: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Blue)));
const DIM: Style = Style::new().dimmed();

fn styled(style: Style, text: impl std::fmt::Display) -> String {
    format!("{}{text}{}", style.render(), style.render_reset())
}

fn header(message: &Message) -> String {
    format!(
        "{}{}{}{}{}{} {} {}",
        styled(PATH, message.file.path.display()),
        styled(DIM, ":"),
        message.location.row,
        styled(DIM, ":"),
        message.location.column,
        styled(DIM, ":"),
        styled(CODE, message.rule.code()),
        message.message
    )
}

pub fn render(messages: &[Message], format: OutputFormat) -> String {
    match format {
        OutputFormat::Concise => messages
            .iter()
            .map(|message| header(message) + "\n")
            .collect(),
        OutputFormat::Full => messages
            .iter()
            .map(|message| header(message) + "\n" + &snippet(message) + "\n")
            .collect(),
        OutputFormat::Json => json(messages),
        OutputFormat::JsonLines => json_lines(messages),
        OutputFormat::Github => messages.iter().map(github).collect(),
        OutputFormat::Gitlab => gitlab::render(messages),
        OutputFormat::Junit => junit::render(messages),
        OutputFormat::Sarif => sarif::render(messages),
    }
}

/// The source lines of a diagnostic with carets under its range; any secret in them is redacted.
fn snippet(message: &Message) -> String {
    let file = &message.file;
    let text = &file.text;
    if text.is_empty() {
        return String::new();
    }
    let first_line = file.index.line_of(message.range.start);
    let last_line = file
        .index
        .line_of(message.range.end.saturating_sub(1).max(message.range.start));
    // The first line locates the finding; a whole multi-line call underlined adds noise.
    const MAX_LINES: usize = 1;
    let shown_last = last_line.min(first_line + MAX_LINES - 1);
    let width = (shown_last + 1).to_string().len();
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", " ".repeat(width), styled(GUTTER, "|"));
    for line in first_line..=shown_last {
        let range = file.index.line_range(text, line);
        let line_text = &text[range.clone()];
        let caret_start = message.range.start.clamp(range.start, range.end) - range.start;
        let caret_end = message.range.end.clamp(range.start, range.end) - range.start;
        let (display, caret_start, caret_end) = redact_line(
            line_text,
            range.start,
            message.secret.as_ref(),
            text,
            caret_start,
            caret_end,
        );
        let (display, caret_start, caret_end) = clip_long_line(&display, caret_start, caret_end);
        let display = display.replace('\t', " ");
        let _ = writeln!(
            out,
            "{:>width$} {} {}",
            line + 1,
            styled(GUTTER, "|"),
            display
        );
        let pad = display
            .get(..caret_start)
            .map_or(caret_start, |prefix| prefix.chars().count());
        let carets = display
            .get(caret_start..caret_end)
            .map_or(1, |marked| marked.chars().count())
            .max(1);
        let code = if line == shown_last {
            format!(" {}", message.rule.code())
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{} {} {}{}",
            " ".repeat(width),
            styled(GUTTER, "|"),
            " ".repeat(pad),
            styled(CARET, format!("{}{code}", "^".repeat(carets)))
        );
    }
    if shown_last < last_line {
        let _ = writeln!(out, "{} {} ...", " ".repeat(width), styled(GUTTER, "|"));
    }
    let _ = write!(out, "{} {}", " ".repeat(width), styled(GUTTER, "|"));
    out.push('\n');
    out
}

/// Longest line shown whole in a snippet; longer ones (minified or generated code) show a
/// window around the carets, so many findings on one huge line cannot multiply the output.
const MAX_SHOWN_LINE: usize = 240;

fn clip_long_line(line: &str, caret_start: usize, caret_end: usize) -> (String, usize, usize) {
    if line.len() <= MAX_SHOWN_LINE {
        return (line.to_string(), caret_start, caret_end);
    }
    let floor = |mut at: usize| {
        at = at.min(line.len());
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let start = floor(caret_start.saturating_sub(60));
    let end = floor((caret_end.max(caret_start) + 60).min(start + MAX_SHOWN_LINE));
    let lead = if start > 0 { "…" } else { "" };
    let tail = if end < line.len() { "…" } else { "" };
    let shown = format!("{lead}{}{tail}", &line[start..end]);
    let shift = |offset: usize| (offset.clamp(start, end) - start) + lead.len();
    (shown, shift(caret_start), shift(caret_end))
}

/// Masks every secret on this line — the finding's own (`secret`, a range in the whole
/// text) and any other skua recognises in the line — and moves the caret bounds to match.
/// Redaction belongs to the output layer: whatever finding a line is shown for (a CLI
/// call, a syntax error), no secret on it is printed.
fn redact_line(
    line: &str,
    line_start: usize,
    secret: Option<&std::ops::Range<usize>>,
    text: &str,
    caret_start: usize,
    caret_end: usize,
) -> (String, usize, usize) {
    let line_end = line_start + line.len();
    // (range in the line, replacement)
    let mut masks: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    if let Some(secret) = secret {
        let start = secret.start.clamp(line_start, line_end);
        let end = secret.end.clamp(line_start, line_end);
        if start < end {
            let whole_secret = text.get(secret.clone()).unwrap_or("");
            let replacement = if secret.start >= line_start {
                secrets::redact(whole_secret)
            } else {
                "****".to_string()
            };
            masks.push((start - line_start..end - line_start, replacement));
        }
    }
    for range in secrets::secrets_in_text(line) {
        let replacement = secrets::redact(line.get(range.clone()).unwrap_or(""));
        masks.push((range, replacement));
    }
    masks.sort_by_key(|(range, _)| range.start);
    let mut merged: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (range, replacement) in masks {
        match merged.last_mut() {
            // Overlaps keep the first mask, widened: nothing of either secret shows.
            Some((last, _)) if range.start < last.end => last.end = last.end.max(range.end),
            _ => merged.push((range, replacement)),
        }
    }
    if merged.is_empty() {
        return (line.to_string(), caret_start, caret_end);
    }
    let mut display = String::with_capacity(line.len());
    let mut cursor = 0;
    for (range, replacement) in &merged {
        let (start, end) = (range.start.max(cursor), range.end);
        display.push_str(line.get(cursor..start).unwrap_or(""));
        display.push_str(replacement);
        cursor = end;
    }
    display.push_str(line.get(cursor..).unwrap_or(""));
    let shift = |offset: usize| {
        let mut moved = offset as isize;
        for (range, replacement) in &merged {
            if offset >= range.end {
                moved += replacement.len() as isize - (range.end - range.start) as isize;
            } else if offset > range.start {
                moved -= (offset - range.start) as isize;
                moved += (offset - range.start).min(replacement.len()) as isize;
            }
        }
        moved.max(0) as usize
    };
    (display, shift(caret_start), shift(caret_end))
}

#[derive(serde::Serialize)]
struct JsonLocation {
    row: usize,
    column: usize,
}

/// ruff's JSON shape of a fix: rows and columns of each edit in the reported file's text.
#[derive(serde::Serialize)]
struct JsonFix<'a> {
    applicability: crate::fix::Applicability,
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(serde::Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    location: JsonLocation,
    end_location: JsonLocation,
}

fn json_fix<'a>(message: &'a Message) -> Option<JsonFix<'a>> {
    let fix = message.fix.as_ref()?;
    let file = &message.file;
    let at = |offset: usize| {
        let location = file.index.location(&file.text, offset.min(file.text.len()));
        JsonLocation {
            row: location.row,
            column: location.column,
        }
    };
    Some(JsonFix {
        applicability: fix.applicability,
        message: &fix.message,
        edits: fix
            .edits
            .iter()
            .map(|edit| JsonEdit {
                content: &edit.content,
                location: at(edit.range.start),
                end_location: at(edit.range.end),
            })
            .collect(),
    })
}

#[derive(serde::Serialize)]
struct JsonMessage<'a> {
    code: &'a str,
    name: &'a str,
    message: &'a str,
    filename: String,
    location: JsonLocation,
    end_location: JsonLocation,
    fix: Option<JsonFix<'a>>,
    url: String,
    fingerprint: String,
}

fn json_messages(messages: &[Message]) -> Vec<JsonMessage<'_>> {
    messages
        .iter()
        .zip(crate::fingerprint::fingerprints(messages))
        .map(|(message, fingerprint)| JsonMessage {
            code: message.rule.code(),
            name: message.rule.name(),
            message: &message.message,
            filename: message.file.path.display().to_string(),
            location: JsonLocation {
                row: message.location.row,
                column: message.location.column,
            },
            end_location: JsonLocation {
                row: message.end_location.row,
                column: message.end_location.column,
            },
            fix: json_fix(message),
            url: message.rule.url(),
            fingerprint,
        })
        .collect()
}

fn json(messages: &[Message]) -> String {
    let items = json_messages(messages);
    let mut out = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}

/// One JSON object per line, for streaming consumers.
fn json_lines(messages: &[Message]) -> String {
    json_messages(messages)
        .iter()
        .filter_map(|item| serde_json::to_string(item).ok())
        .map(|line| line + "\n")
        .collect()
}

/// GitHub Actions workflow commands: findings show up as annotations on the pull request.
fn github(message: &Message) -> String {
    let escape = |text: &str| {
        text.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    format!(
        "::error title=skua ({code}),file={file},line={row},col={col},endLine={end_row},endColumn={end_col}::{file}:{row}:{col}: {code} {text}\n",
        code = message.rule.code(),
        file = escape(&message.file.path.display().to_string())
            .replace(',', "%2C")
            .replace(':', "%3A"),
        row = message.location.row,
        col = message.location.column,
        end_row = message.end_location.row,
        end_col = message.end_location.column,
        text = escape(&message.message),
    )
}

#[derive(serde::Serialize)]
struct JsonStatistic {
    code: &'static str,
    name: &'static str,
    count: usize,
}

/// `--statistics --output-format json`: one object per rule, most frequent first.
pub fn statistics_json(messages: &[Message]) -> String {
    let rows: Vec<JsonStatistic> = statistic_rows(messages)
        .into_iter()
        .map(|(rule, count)| JsonStatistic {
            code: rule.code(),
            name: rule.name(),
            count,
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}

fn statistic_rows(messages: &[Message]) -> Vec<(Rule, usize)> {
    let mut counts: BTreeMap<Rule, usize> = BTreeMap::new();
    for message in messages {
        *counts.entry(message.rule).or_default() += 1;
    }
    let mut rows: Vec<(Rule, usize)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    rows
}

/// One line per rule, most frequent first.
pub fn statistics(messages: &[Message]) -> String {
    let rows = statistic_rows(messages);
    let width = rows
        .iter()
        .map(|(_, count)| count.to_string().len())
        .max()
        .unwrap_or(1);
    rows.iter()
        .map(|(rule, count)| {
            format!(
                "{count:>width$}\t{}\t{}\n",
                styled(CODE, rule.code()),
                rule.name()
            )
        })
        .collect()
}
