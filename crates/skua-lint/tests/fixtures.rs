//! Every fixture in `fixtures/lint/` marks the lines that must be reported with
//! `# error: CODE`; this test checks the linter reports exactly those (for that code),
//! and snapshots the full report.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use skua_lint::report::{OutputFormat, render};
use skua_lint::settings::{Options, SettingsResolver};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

/// Notebooks exercise several rules each: checked for every marker, not per rule.
const NOTEBOOKS: &str = "notebooks";

fn files_under(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut files = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read fixture dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path)
            } else {
                files.push(path)
            }
        }
    }
    files
}

/// (relative file, 1-based line, code) for every `# error: CODE` marker.
fn expected_markers(root: &Path, fixture: &Path) -> BTreeSet<(String, usize, String)> {
    let mut expected = BTreeSet::new();
    for file in files_under(fixture) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let relative = file
            .strip_prefix(root)
            .expect("inside root")
            .display()
            .to_string();
        if file
            .extension()
            .is_some_and(|extension| extension == "ipynb")
        {
            expected.extend(notebook_markers(&relative, &text));
            continue;
        }
        let is_dotenv = file
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains(".env"));
        for (index, line) in text.lines().enumerate() {
            let Some(position) = line.find("# error:") else {
                continue;
            };
            // In dotenv files a trailing comment would be part of the value: markers sit above.
            let own_line = line.trim_start().starts_with("# error:");
            let row = if is_dotenv && own_line {
                index + 2
            } else {
                index + 1
            };
            for code in line[position + "# error:".len()..].split(',') {
                let code = code.split_whitespace().next().unwrap_or("");
                if !code.is_empty() {
                    expected.insert((relative.clone(), row, code.to_string()));
                }
            }
        }
    }
    expected
}

/// The markers of a notebook's code cells, as (`path:cell N`, row in the cell, code): how
/// findings in notebooks are located. An unreadable notebook has none.
fn notebook_markers(relative: &str, text: &str) -> BTreeSet<(String, usize, String)> {
    let mut expected = BTreeSet::new();
    let Ok(source) = skua_lint::notebook::NotebookSource::parse(text) else {
        return expected;
    };
    for cell in source.cells.cells() {
        // Outputs hold no markers.
        if cell.kind == skua_lint::notebook::CellKind::Output {
            continue;
        }
        for (index, line) in source.text[cell.range.clone()].lines().enumerate() {
            let Some(position) = line.find("# error:") else {
                continue;
            };
            // An own-line marker names the next line (a shell command continued with `\`
            // cannot end its first line with a comment).
            let own_line = line.trim_start().starts_with("# error:");
            for code in line[position + "# error:".len()..].split(',') {
                let code = code.split_whitespace().next().unwrap_or("");
                if !code.is_empty() {
                    expected.insert((
                        format!("{relative}:cell {}", cell.number),
                        index + 1 + usize::from(own_line),
                        code.to_string(),
                    ));
                }
            }
        }
    }
    expected
}

/// Where a message is, as markers name it.
fn shown_path(message: &skua_lint::Message) -> String {
    match message.cell {
        Some(cell) => format!("{}:cell {cell}", message.file.path.display()),
        None => message.file.path.display().to_string(),
    }
}

fn lint(root: &Path, fixture: &Path) -> skua_lint::LintResult {
    let resolver =
        Arc::new(SettingsResolver::new(Options::default(), None, root).expect("settings"));
    let relative = fixture
        .strip_prefix(root)
        .expect("inside root")
        .to_path_buf();
    skua_lint::lint(&[relative], &resolver, root).expect("lint runs")
}

#[test]
fn fixtures_report_exactly_their_markers() {
    let root = repo_root();
    let fixtures_dir = root.join("fixtures/lint");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&fixtures_dir)
        .expect("fixtures/lint exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| !path.ends_with(NOTEBOOKS))
        .collect();
    fixtures.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for fixture in &fixtures {
        let code = fixture
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let expected = expected_markers(&root, fixture);
        let result = lint(&root, fixture);
        let actual: BTreeSet<(String, usize, String)> = result
            .messages
            .iter()
            .filter(|message| message.rule.code() == code)
            .map(|message| (shown_path(message), message.location.row, code.clone()))
            .collect();
        let expected: BTreeSet<_> = expected
            .into_iter()
            .filter(|(_, _, c)| *c == code)
            .collect();
        assert!(
            !expected.is_empty(),
            "{code}: fixture has no `# error: {code}` markers"
        );
        for missing in expected.difference(&actual) {
            failures.push(format!(
                "missed     {}:{} {}",
                missing.0, missing.1, missing.2
            ));
        }
        for extra in actual.difference(&expected) {
            let message = result
                .messages
                .iter()
                .find(|m| shown_path(m) == extra.0 && m.location.row == extra.1)
                .map(|m| m.message.clone())
                .unwrap_or_default();
            failures.push(format!(
                "unexpected {}:{} {} {}",
                extra.0, extra.1, extra.2, message
            ));
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
    assert!(
        checked >= 17,
        "expected a fixture per rule, found {checked}"
    );
}

#[test]
fn fixture_reports_match_snapshots() {
    let root = repo_root();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures/lint"))
        .expect("fixtures/lint exists")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| !path.ends_with(NOTEBOOKS))
        .collect();
    fixtures.sort();
    for fixture in fixtures {
        let code = fixture
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let result = lint(&root, &fixture);
        let own: Vec<_> = result
            .messages
            .into_iter()
            .filter(|m| m.rule.code() == code)
            .collect();
        let text = anstream::adapter::strip_str(&render(&own, OutputFormat::Full)).to_string();
        insta::assert_snapshot!(code, text);
    }
}

#[test]
fn notebooks_report_exactly_their_markers() {
    let root = repo_root();
    let fixture = root.join("fixtures/lint").join(NOTEBOOKS);
    let expected = expected_markers(&root, &fixture);
    let result = lint(&root, &fixture);
    let actual: BTreeSet<(String, usize, String)> = result
        .messages
        .iter()
        .filter(|message| message.rule.code() != "E999")
        .map(|message| {
            (
                shown_path(message),
                message.location.row,
                message.rule.code().to_string(),
            )
        })
        .collect();
    assert_eq!(actual, expected);
    // The invalid notebook is one syntax error naming the problem, never silence.
    let broken: Vec<_> = result
        .messages
        .iter()
        .filter(|message| message.file.path.ends_with("broken.ipynb"))
        .collect();
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].rule.code(), "E999");
    assert!(broken[0].message.contains("invalid notebook JSON"));
    let full =
        anstream::adapter::strip_str(&render(&result.messages, OutputFormat::Full)).to_string();
    assert!(
        !full.contains("ghp_a9U4"),
        "the token is redacted in snippets"
    );
    insta::assert_snapshot!("notebooks_full", full);
    let concise =
        anstream::adapter::strip_str(&render(&result.messages, OutputFormat::Concise)).to_string();
    insta::assert_snapshot!("notebooks_concise", concise);
    let json = render(&result.messages, OutputFormat::Json);
    insta::assert_snapshot!("notebooks_json", json);
}
