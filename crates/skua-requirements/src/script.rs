//! PEP 723 inline script metadata (`# /// script` ... `# ///`).

use toml_edit::Document;

use crate::Span;
use crate::offsets::{OffsetMap, PhysicalLine, physical_lines};
use crate::pyproject::{Issue, ListedRequirement, TomlCtx, toml_error};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptMetadataError {
    /// PEP 723 forbids more than one `script` block.
    #[error("multiple `# /// script` metadata blocks")]
    MultipleBlocks { first: Span, second: Span },
    #[error("invalid TOML in script metadata: {message}")]
    Toml {
        message: String,
        /// In the original Python source.
        span: Option<Span>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptMetadata {
    /// From the start of `# /// script` to the end of the closing `# ///` (terminator
    /// excluded).
    pub block_span: Span,
    /// The span is the TOML string token including quotes.
    pub requires_python: Option<(String, Span)>,
    pub dependencies: Vec<ListedRequirement>,
    /// Values of the wrong type.
    pub issues: Vec<Issue>,
}

/// A matched block: the opening line, the closing line, and the block type.
struct Block<'a> {
    kind: &'a str,
    open: usize,
    close: usize,
}

fn line_text<'a>(source: &'a str, line: &PhysicalLine) -> &'a str {
    source.get(line.start..line.end).unwrap_or("")
}

fn is_content_line(line: &str) -> bool {
    line == "#" || line.starts_with("# ")
}

/// Finds blocks with the reference regex's semantics,
/// `(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$`: the greedy
/// content runs over every following comment line and backtracks to the last `# ///`
/// among them; matches do not overlap.
fn find_blocks<'a>(source: &'a str, lines: &[PhysicalLine]) -> Vec<Block<'a>> {
    let mut blocks = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let text = line_text(source, line);
        let kind = text.strip_prefix("# /// ").filter(|kind| {
            !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
        // `$\s` after the opening line needs a line terminator.
        if let Some(kind) = kind.filter(|_| line.next > line.end) {
            let mut close = None;
            let mut j = i + 1;
            while let Some(candidate) = lines.get(j) {
                let candidate_text = line_text(source, candidate);
                if !is_content_line(candidate_text) {
                    break;
                }
                // Content lines need a terminator after them; the closing line does not.
                if candidate_text == "# ///" && j >= i + 2 {
                    close = Some(j);
                }
                if candidate.next == candidate.end {
                    break;
                }
                j += 1;
            }
            if let Some(close) = close {
                blocks.push(Block {
                    kind,
                    open: i,
                    close,
                });
                i = close + 1;
                continue;
            }
        }
        i += 1;
    }
    blocks
}

/// Extracts the PEP 723 `script` block of a Python file. `Ok(None)` when there is none
/// (including an unclosed one, which the reference regex does not match).
pub fn parse_script_metadata(
    python_source: &str,
) -> Result<Option<ScriptMetadata>, ScriptMetadataError> {
    let body_start = if python_source.starts_with('\u{feff}') {
        3
    } else {
        0
    };
    let lines = physical_lines(python_source, body_start);
    let blocks = find_blocks(python_source, &lines);
    let block_span = |block: &Block| {
        let open = lines.get(block.open).map_or(0, |line| line.start);
        let close = lines.get(block.close).map_or(open, |line| line.end);
        open..close
    };
    let mut scripts = blocks.iter().filter(|block| block.kind == "script");
    let Some(block) = scripts.next() else {
        return Ok(None);
    };
    if let Some(second) = scripts.next() {
        return Err(ScriptMetadataError::MultipleBlocks {
            first: block_span(block),
            second: block_span(second),
        });
    }

    // Python reads with universal newlines, so every content line ends in `\n` whatever
    // the file uses; the `\n` maps back to the original terminator.
    let mut content = String::new();
    let mut map = OffsetMap::default();
    for line in lines.get(block.open + 1..block.close).unwrap_or(&[]) {
        let text = line_text(python_source, line);
        let prefix = if text.starts_with("# ") { 2 } else { 1 };
        map.push(content.len(), line.start + prefix);
        content.push_str(text.get(prefix..).unwrap_or(""));
        map.push(content.len(), line.end);
        content.push('\n');
    }

    let doc = Document::parse(content.as_str()).map_err(|err| {
        let (message, span) = toml_error(&err, &map);
        ScriptMetadataError::Toml { message, span }
    })?;
    let mut ctx = TomlCtx::new(&content, &map);
    let root = doc.as_table();
    let requires_python = ctx.string(root.get("requires-python"), "requires-python");
    let dependencies = root
        .get("dependencies")
        .map(|deps| ctx.requirement_list(deps, "dependencies", false))
        .unwrap_or_default();
    Ok(Some(ScriptMetadata {
        block_span: block_span(block),
        requires_python,
        dependencies,
        issues: ctx.issues,
    }))
}
