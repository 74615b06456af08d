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

/// `cell 3:` before the row of a finding in a notebook, as ruff prints it.
pub(crate) fn cell_prefix(message: &Message) -> String {
    message
        .cell
        .map(|cell| format!("cell {cell}:"))
        .unwrap_or_default()
}

fn header(message: &Message) -> String {
    let cell = message
        .cell
        .map(|cell| format!("{}cell {cell}", styled(DIM, ":")))
        .unwrap_or_default();
    format!(
        "{}{cell}{}{}{}{}{} {} {}",
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
        OutputFormat::Full => {
            let mut cache = LineSecrets::default();
            messages
                .iter()
                .map(|message| header(message) + "\n" + &snippet(message, &mut cache) + "\n")
                .collect()
        }
        OutputFormat::Json => json(messages),
        OutputFormat::JsonLines => json_lines(messages),
        OutputFormat::Github => messages.iter().map(github).collect(),
        OutputFormat::Gitlab => gitlab::render(messages),
        OutputFormat::Junit => junit::render(messages),
        OutputFormat::Sarif => sarif::render(messages),
    }
}

/// The secrets of the last line shown, so many findings on one line scan it once.
#[derive(Default)]
struct LineSecrets {
    /// (file, line) the ranges belong to.
    key: Option<(usize, usize)>,
    ranges: Vec<std::ops::Range<usize>>,
}

impl LineSecrets {
    fn of(&mut self, message: &Message, line: usize, line_text: &str) -> &[std::ops::Range<usize>] {
        let key = (std::sync::Arc::as_ptr(&message.file) as usize, line);
        if self.key != Some(key) {
            self.ranges = secrets::secrets_in_text(line_text);
            self.key = Some(key);
        }
        &self.ranges
    }
}

/// The source lines of a diagnostic with carets under its range; any secret in them is redacted.
fn snippet(message: &Message, cache: &mut LineSecrets) -> String {
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
    let width = file.shown_line(shown_last).to_string().len();
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", " ".repeat(width), styled(GUTTER, "|"));
    for line in first_line..=shown_last {
        let range = file.index.line_range(text, line);
        let line_text = &text[range.clone()];
        let caret_start = message.range.start.clamp(range.start, range.end) - range.start;
        let caret_end = message.range.end.clamp(range.start, range.end) - range.start;
        let line_secrets = cache.of(message, line, line_text);
        let (display, caret_start, caret_end) = shown_line(
            line_text,
            range.start,
            message.secret.as_ref(),
            text,
            line_secrets,
            caret_start,
            caret_end,
        );
        let display = display.replace('\t', " ");
        let _ = writeln!(
            out,
            "{:>width$} {} {}",
            file.shown_line(line),
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

/// The masks of one line in order: the finding's own secret and the others.
struct MaskStream<'a, I: Iterator<Item = &'a std::ops::Range<usize>>> {
    line: &'a str,
    own: Option<(std::ops::Range<usize>, String)>,
    others: std::iter::Peekable<I>,
}

impl<'a, I: Iterator<Item = &'a std::ops::Range<usize>>> MaskStream<'a, I> {
    fn next_start(&mut self) -> Option<usize> {
        match (&self.own, self.others.peek()) {
            (Some((own, _)), Some(other)) => Some(own.start.min(other.start)),
            (Some((own, _)), None) => Some(own.start),
            (None, Some(other)) => Some(other.start),
            (None, None) => None,
        }
    }

    fn next_raw(&mut self) -> Option<(std::ops::Range<usize>, String)> {
        let take_own = match (&self.own, self.others.peek()) {
            (Some((own, _)), Some(other)) => own.start <= other.start,
            (own, _) => own.is_some(),
        };
        if take_own {
            return self.own.take();
        }
        let range = self.others.next()?.clone();
        let replacement = secrets::redact(self.line.get(range.clone()).unwrap_or(""));
        Some((range, replacement))
    }

    /// The next mask, overlapping ones merged (the first one's replacement kept, widened:
    /// nothing of either secret shows).
    fn next_merged(&mut self) -> Option<(std::ops::Range<usize>, String)> {
        let (mut range, replacement) = self.next_raw()?;
        while self.next_start().is_some_and(|start| start < range.end) {
            if let Some((more, _)) = self.next_raw() {
                range.end = range.end.max(more.end);
            }
        }
        Some((range, replacement))
    }
}

/// The text shown for one source line and the caret bounds in it: the window around the
/// carets (the whole line when short) with every secret masked — the finding's own
/// (`secret`, a range in the whole `text`) and `line_secrets`, every other one skua
/// recognises in the line (sorted, non-overlapping). Redaction belongs to the output
/// layer: whatever finding a line is shown for (a CLI call, a syntax error), no secret on
/// it is printed. Work is proportional to the window, not the line, so many findings on
/// one long line cost linear time.
fn shown_line(
    line: &str,
    line_start: usize,
    secret: Option<&std::ops::Range<usize>>,
    text: &str,
    line_secrets: &[std::ops::Range<usize>],
    caret_start: usize,
    caret_end: usize,
) -> (String, usize, usize) {
    let floor = |mut at: usize| {
        at = at.min(line.len());
        while !line.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let short = line.len() <= MAX_SHOWN_LINE;
    let window_start = if short {
        0
    } else {
        floor(caret_start.saturating_sub(60))
    };
    // The finding's own secret, as a mask in line offsets.
    let own: Option<(std::ops::Range<usize>, String)> = secret.and_then(|secret| {
        let line_end = line_start + line.len();
        let start = secret.start.clamp(line_start, line_end);
        let end = secret.end.clamp(line_start, line_end);
        (start < end).then(|| {
            let replacement = if secret.start >= line_start {
                secrets::redact(text.get(secret.clone()).unwrap_or(""))
            } else {
                "****".to_string()
            };
            (start - line_start..end - line_start, replacement)
        })
    });
    let first = line_secrets.partition_point(|range| range.end <= window_start);
    let mut masks = MaskStream {
        line,
        own,
        others: line_secrets[first..].iter().peekable(),
    };
    let mut next_mask = || masks.next_merged();
    let caret_last = caret_end.max(caret_start);
    let lead = if window_start > 0 { "…" } else { "" };
    let mut display = String::from(lead);
    // Bytes of display (after the lead) allowed; narrowed to 60 past the carets once
    // their end is reached.
    let mut budget = if short { usize::MAX } else { MAX_SHOWN_LINE };
    // (start in the line, end in the line, start in the display, length in the display)
    let mut pieces: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut pos = window_start;
    let mut mask = next_mask();
    while pos < line.len() && display.len() - lead.len() < budget {
        let gap_end = mask
            .as_ref()
            .map_or(line.len(), |(range, _)| range.start.max(pos));
        if pos < gap_end {
            let shown = display.len() - lead.len();
            if (pos..=gap_end).contains(&caret_last) {
                budget = budget.min(shown + (caret_last - pos) + 60);
            }
            let end = floor(gap_end.min(pos.saturating_add(budget.saturating_sub(shown))));
            if end <= pos {
                break;
            }
            pieces.push((pos, end, display.len(), end - pos));
            display.push_str(line.get(pos..end).unwrap_or(""));
            pos = end;
            continue;
        }
        let Some((range, replacement)) = mask.take() else {
            break;
        };
        if range.contains(&caret_last) {
            let shown = display.len() - lead.len();
            budget = budget.min(shown + (caret_last - range.start).min(replacement.len()) + 60);
        }
        pieces.push((range.start, range.end, display.len(), replacement.len()));
        display.push_str(&replacement);
        pos = range.end.max(pos);
        mask = next_mask();
    }
    let window_end = pos.min(line.len());
    let shown_end = display.len();
    if window_end < line.len() {
        display.push('…');
    }
    // Where a line offset lands in the display: inside a mask, at most its length in.
    let shift = |offset: usize| {
        let offset = offset.clamp(window_start, window_end);
        pieces
            .iter()
            .find(|(start, end, _, _)| offset >= *start && offset < *end)
            .map_or(shown_end, |(start, _, at, len)| {
                at + offset.saturating_sub(*start).min(*len)
            })
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
        let (_, location) = file.locate(offset.min(file.text.len()));
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
    /// The notebook cell (ruff's `cell`); absent for other files.
    #[serde(skip_serializing_if = "Option::is_none")]
    cell: Option<usize>,
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
            cell: message.cell,
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
        "::error title=skua ({code}),file={file},line={row},col={col},endLine={end_row},endColumn={end_col}::{file}:{cell}{row}:{col}: {code} {text}\n",
        cell = cell_prefix(message),
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
