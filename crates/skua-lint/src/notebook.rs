//! Jupyter notebooks (`.ipynb`): the code cells joined into one source, as ruff lints
//! them, with every offset traced back to its cell.
//!
//! Each code cell's source is copied verbatim, followed by one `\n`; markdown and raw cells
//! are left out. Cells are numbered by their position among all cells (1-based, markdown
//! included), as ruff prints them (`notebook.ipynb:cell 3:2:5`). Python cells are parsed in
//! IPython mode (line magics, `!` shell escapes and `?` help lines are syntax there); a cell
//! whose first line is a shell cell magic (`%%bash`, `%%sh`, `%%script bash`) is a list of
//! shell commands; other cell magics (`%%html`, `%%writefile`, `%%sql`) are neither and are
//! not checked. The text of cell outputs (streams, `text/plain` results, tracebacks) follows
//! the cells, one region per cell, where only known token formats are looked for: a token a
//! cell printed is committed with the notebook.

use std::ops::Range;

use serde_json::Value;

/// Why a file could not be read as a notebook.
#[derive(Debug, thiserror::Error)]
pub enum NotebookError {
    #[error("invalid notebook JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("not a Jupyter notebook: {0}")]
    Shape(&'static str),
}

impl NotebookError {
    /// Byte offset in the JSON text the problem points at, when it points anywhere.
    pub fn offset(&self, json: &str) -> usize {
        let NotebookError::Json(error) = self else {
            return 0;
        };
        let index = crate::source::LineIndex::new(json);
        let line = index.line_range(json, error.line().saturating_sub(1));
        let column = json
            .get(line.clone())
            .and_then(|text| text.char_indices().nth(error.column().saturating_sub(1)))
            .map_or(line.end, |(at, _)| line.start + at);
        column.min(json.len())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// Python with IPython escapes: parsed and checked.
    Python,
    /// A shell cell magic: each non-empty line is a shell command.
    Shell,
    /// Another cell magic, or a notebook in another language: not checked.
    Other,
    /// The text of the cell's outputs: checked for known token formats only.
    Output,
}

/// One code cell's place in the joined text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeCell {
    /// 1-based position among all cells of the notebook.
    pub number: usize,
    pub kind: CellKind,
    /// Byte range of the cell's source in the joined text (without the separating `\n`).
    pub range: Range<usize>,
    /// 0-based line of the joined text the cell starts on.
    pub first_line: usize,
}

/// The code cells of a notebook, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CellMap {
    cells: Vec<CodeCell>,
}

impl CellMap {
    pub fn cells(&self) -> &[CodeCell] {
        &self.cells
    }

    /// The cell holding `offset` of the joined text (a cell's separator belongs to it).
    pub fn cell_at(&self, offset: usize) -> Option<&CodeCell> {
        let after = self
            .cells
            .partition_point(|cell| cell.range.start <= offset);
        after.checked_sub(1).and_then(|index| self.cells.get(index))
    }
}

/// A notebook's code cells as one text.
#[derive(Clone, Debug)]
pub struct NotebookSource {
    pub text: String,
    pub cells: CellMap,
}

/// Cell magics whose body is Python (ruff checks these cells too).
const PYTHON_CELL_MAGICS: &[&str] = &[
    "time", "timeit", "capture", "debug", "prun", "python", "python3",
];

/// Cell magics whose body is run by a POSIX shell.
const SHELL_CELL_MAGICS: &[&str] = &["bash", "sh", "zsh", "system", "!"];

impl NotebookSource {
    pub fn parse(json: &str) -> Result<NotebookSource, NotebookError> {
        let notebook: Value = serde_json::from_str(json)?;
        let Some(object) = notebook.as_object() else {
            return Err(NotebookError::Shape("the top level is not a JSON object"));
        };
        let Some(cells) = object.get("cells").and_then(Value::as_array) else {
            return Err(NotebookError::Shape(
                "no `cells` list (nbformat 4 is required)",
            ));
        };
        let python = is_python(object.get("metadata"));
        let mut text = String::new();
        let mut map = Vec::new();
        let mut line = 0;
        let mut outputs = Vec::new();
        for (position, cell) in cells.iter().enumerate() {
            if cell.get("cell_type").and_then(Value::as_str) != Some("code") {
                continue;
            }
            let source = match cell.get("source") {
                Some(Value::String(source)) => source.clone(),
                Some(Value::Array(lines)) => lines.iter().filter_map(Value::as_str).collect(),
                None | Some(Value::Null) => String::new(),
                Some(_) => {
                    return Err(NotebookError::Shape(
                        "a cell's `source` is neither a string nor a list of strings",
                    ));
                }
            };
            let kind = if python {
                cell_kind(&source)
            } else {
                CellKind::Other
            };
            let start = text.len();
            text.push_str(&source);
            map.push(CodeCell {
                number: position + 1,
                kind,
                range: start..text.len(),
                first_line: line,
            });
            text.push('\n');
            line += memchr::memchr_iter(b'\n', source.as_bytes()).count() + 1;
            outputs.push((position + 1, output_text(cell)));
        }
        // After every code cell, so the cells' ranges stay consecutive for the parser.
        for (number, output) in outputs {
            if output.is_empty() {
                continue;
            }
            let start = text.len();
            text.push_str(&output);
            map.push(CodeCell {
                number,
                kind: CellKind::Output,
                range: start..text.len(),
                first_line: line,
            });
            text.push('\n');
            line += memchr::memchr_iter(b'\n', output.as_bytes()).count() + 1;
        }
        Ok(NotebookSource {
            text,
            cells: CellMap { cells: map },
        })
    }
}

/// The text a code cell's outputs show: streams, `text/plain` results and error tracebacks
/// (images and HTML are left out).
fn output_text(cell: &Value) -> String {
    fn lines(value: Option<&Value>) -> String {
        match value {
            Some(Value::String(text)) => text.clone(),
            Some(Value::Array(parts)) => parts.iter().filter_map(Value::as_str).collect(),
            _ => String::new(),
        }
    }
    let mut text = String::new();
    for output in cell
        .get("outputs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let part = match output.get("output_type").and_then(Value::as_str) {
            Some("stream") => lines(output.get("text")),
            Some("execute_result" | "display_data") => lines(output.pointer("/data/text~1plain")),
            // nbformat's traceback is a list of strings; anything else holds no text to
            // scan (the notebook still parses, and its code cells are still checked).
            Some("error") => output
                .get("traceback")
                .and_then(Value::as_array)
                .map(|frames| {
                    frames
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            _ => String::new(),
        };
        if part.is_empty() {
            continue;
        }
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&part);
    }
    text.truncate(text.trim_end_matches('\n').len());
    text
}

/// A notebook is Python unless its metadata names another language (an R or Julia kernel).
fn is_python(metadata: Option<&Value>) -> bool {
    let Some(metadata) = metadata else {
        return true;
    };
    let language = metadata
        .pointer("/language_info/name")
        .or_else(|| metadata.pointer("/kernelspec/language"))
        .and_then(Value::as_str);
    language.is_none_or(|language| language.eq_ignore_ascii_case("python"))
}

fn cell_kind(source: &str) -> CellKind {
    let first = source.lines().next().unwrap_or("").trim_start();
    let Some(magic) = first.strip_prefix("%%") else {
        return CellKind::Python;
    };
    let mut words = magic.split_whitespace();
    let name = words.next().unwrap_or("");
    if SHELL_CELL_MAGICS.contains(&name)
        || (name == "script"
            && words.next().is_some_and(|shell| {
                SHELL_CELL_MAGICS.contains(&shell.rsplit('/').next().unwrap_or(shell))
            }))
    {
        CellKind::Shell
    } else if PYTHON_CELL_MAGICS.contains(&name) {
        CellKind::Python
    } else {
        CellKind::Other
    }
}

/// `text` with every cell that is not Python blanked (spaces, newlines kept): the same
/// offsets, and the parser sees blank lines there.
pub fn python_text(text: &str, cells: &CellMap, blank: &dyn Fn(&CodeCell) -> bool) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for cell in cells.cells() {
        if cell.kind != CellKind::Python || blank(cell) {
            for byte in bytes.get_mut(cell.range.clone()).into_iter().flatten() {
                if !matches!(*byte, b'\n' | b'\r') {
                    *byte = b' ';
                }
            }
        }
    }
    // Only ASCII bytes were written over whole cells (which start and end on character
    // boundaries), so this cannot fail; fall back to the text rather than panic.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notebook(cells: &str) -> String {
        format!(r#"{{"cells": [{cells}], "metadata": {{}}, "nbformat": 4, "nbformat_minor": 5}}"#)
    }

    #[test]
    fn joins_code_cells_and_numbers_them_by_position() {
        let json = notebook(
            r##"{"cell_type": "code", "source": ["import os\n", "x = 1"]},
               {"cell_type": "markdown", "source": "# aws notes"},
               {"cell_type": "code", "source": "%%bash\nkubectl get pods\n"},
               {"cell_type": "code", "source": "%%html\n<b>hi</b>"}"##,
        );
        let source = NotebookSource::parse(&json).unwrap();
        assert_eq!(
            source.text,
            "import os\nx = 1\n%%bash\nkubectl get pods\n\n%%html\n<b>hi</b>\n"
        );
        let cells = source.cells.cells();
        assert_eq!(cells.len(), 3);
        assert_eq!((cells[0].number, cells[0].kind), (1, CellKind::Python));
        assert_eq!((cells[1].number, cells[1].kind), (3, CellKind::Shell));
        assert_eq!((cells[2].number, cells[2].kind), (4, CellKind::Other));
        assert_eq!(cells[1].first_line, 2);
        assert_eq!(cells[2].first_line, 5);
        let kubectl = source.text.find("kubectl").unwrap();
        assert_eq!(source.cells.cell_at(kubectl).unwrap().number, 3);
        let blanked = python_text(&source.text, &source.cells, &|_| false);
        assert_eq!(blanked.len(), source.text.len());
        assert!(blanked.starts_with("import os\nx = 1\n      \n"));
    }

    #[test]
    fn outputs_follow_the_cells() {
        let json = notebook(
            r#"{"cell_type": "code", "source": "print(token)", "outputs": [
                 {"output_type": "stream", "name": "stdout", "text": ["a\n", "b\n"]},
                 {"output_type": "execute_result", "data": {"text/plain": "'c'", "image/png": "iVBOR"}}]},
               {"cell_type": "code", "source": "x = 1", "outputs": []}"#,
        );
        let source = NotebookSource::parse(&json).unwrap();
        assert_eq!(source.text, "print(token)\nx = 1\na\nb\n'c'\n");
        let output = &source.cells.cells()[2];
        assert_eq!(
            (output.number, output.kind, output.first_line),
            (1, CellKind::Output, 2)
        );
        let at = source.text.find("'c'").unwrap();
        assert_eq!(source.cells.cell_at(at).unwrap().kind, CellKind::Output);
    }

    #[test]
    fn shell_cell_magics() {
        assert_eq!(cell_kind("%%script bash\nls"), CellKind::Shell);
        assert_eq!(cell_kind("%%script /bin/sh\nls"), CellKind::Shell);
        assert_eq!(cell_kind("%%script python\nx"), CellKind::Other);
        assert_eq!(cell_kind("%%sh\nls"), CellKind::Shell);
        assert_eq!(cell_kind("%%timeit\nx = 1"), CellKind::Python);
        assert_eq!(cell_kind("%matplotlib inline\nx = 1"), CellKind::Python);
    }

    #[test]
    fn invalid_notebooks_are_errors() {
        let error = NotebookSource::parse("{\"cells\": [\n  {\"cell_type\": }\n]}").unwrap_err();
        assert!(error.to_string().starts_with("invalid notebook JSON: "));
        assert!(NotebookSource::parse("[]").is_err());
        assert!(NotebookSource::parse("{\"nbformat\": 3}").is_err());
        let r_kernel = r#"{"cells": [{"cell_type": "code", "source": "x <- 1"}],
            "metadata": {"language_info": {"name": "R"}}}"#;
        let source = NotebookSource::parse(r_kernel).unwrap();
        assert_eq!(source.cells.cells()[0].kind, CellKind::Other);
    }
}
