//! Jupyter notebooks: cells checked as one IPython source, findings located per cell,
//! noqa per line of a cell, test-code rules, and `--fix` leaving the JSON alone.

use std::path::Path;

use skua_lint::fix::FixMode;
use skua_lint::report::{OutputFormat, render};
use skua_lint::settings::{Options, SettingsResolver};

/// A notebook of code cells (given as sources) with a markdown cell first.
fn notebook(cells: &[&str]) -> Vec<u8> {
    notebook_with_outputs(cells, &[])
}

/// [`notebook`], with the stdout of some cells (by index into `cells`).
fn notebook_with_outputs(cells: &[&str], stdout: &[(usize, &str)]) -> Vec<u8> {
    let mut all = vec![serde_json::json!({
        "cell_type": "markdown", "metadata": {}, "source": ["Run `aws s3 ls` first.\n"]
    })];
    all.extend(cells.iter().enumerate().map(|(index, source)| {
        let outputs: Vec<serde_json::Value> = stdout
            .iter()
            .filter(|(cell, _)| *cell == index)
            .map(|(_, text)| serde_json::json!({"output_type": "stream", "name": "stdout", "text": text}))
            .collect();
        serde_json::json!({
            "cell_type": "code", "execution_count": null, "metadata": {}, "outputs": outputs,
            "source": source,
        })
    }));
    let notebook = serde_json::json!({
        "cells": all,
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    serde_json::to_vec_pretty(&notebook).expect("serializes")
}

fn lint_as(name: &str, bytes: Vec<u8>, fix: FixMode) -> skua_lint::LintResult {
    let root = tempfile::tempdir().expect("tempdir");
    let resolver = SettingsResolver::new(Options::default(), None, root.path()).expect("settings");
    skua_lint::lint_stdin(bytes, Path::new(name), &resolver, root.path(), fix).expect("lint runs")
}

/// (cell, row, column, code) of each finding.
fn found(result: &skua_lint::LintResult) -> Vec<(Option<usize>, usize, usize, &'static str)> {
    result
        .messages
        .iter()
        .map(|m| (m.cell, m.location.row, m.location.column, m.rule.code()))
        .collect()
}

#[test]
fn shell_escapes_report_like_subprocess_calls() {
    let result = lint_as(
        "ops.ipynb",
        notebook(&[
            "import os\n%matplotlib inline\n",
            "x = 1\n!aws s3 ls s3://ops-backups/\n!!kubectl get nodes\n",
            "%sx gcloud compute instances list\nnodes = !kubectl get nodes -o name\n",
            "tool = \"eksctl\"\n!$tool get clusters\n!echo $HOME\n",
        ]),
        FixMode::Off,
    );
    assert_eq!(
        found(&result),
        vec![
            (Some(3), 2, 1, "CLI001"),
            (Some(3), 3, 1, "CLI002"),
            (Some(4), 1, 1, "CLI003"),
            (Some(4), 2, 9, "CLI002"),
            (Some(5), 2, 1, "CLI003"),
        ]
    );
}

#[test]
fn noqa_works_per_line_of_a_cell() {
    let result = lint_as(
        "ops.ipynb",
        notebook(&[
            "!aws s3 ls  # noqa: CLI001\n!aws s3 ls\n",
            "%%bash\nkubectl get pods  # noqa: CLI002\nkubectl get svc\n",
        ]),
        FixMode::Off,
    );
    assert_eq!(
        found(&result),
        vec![(Some(2), 2, 1, "CLI001"), (Some(3), 3, 1, "CLI002")]
    );
}

#[test]
fn a_broken_cell_is_a_syntax_error_and_the_others_are_still_checked() {
    let result = lint_as(
        "ops.ipynb",
        notebook(&[
            "def broken(:\n    pass\n",
            "import subprocess\nsubprocess.run(\"aws s3 ls\", shell=True)\n",
        ]),
        FixMode::Off,
    );
    let codes = found(&result);
    assert_eq!(codes.len(), 2, "{codes:?}");
    assert_eq!((codes[0].0, codes[0].3), (Some(2), "E999"));
    assert_eq!(codes[1], (Some(3), 2, 1, "CLI001"));
}

#[test]
fn test_notebooks_only_report_known_token_formats() {
    let cells = [
        "DB_PASSWORD = \"Xq7#vL2pW9zRk\"\nSLACK = \"xoxb-2648591730-4417623958203-kQ8vY3mN1pR7sT2wX9zB4cD6\"\n",
    ];
    let production = lint_as("ops.ipynb", notebook(&cells), FixMode::Off);
    assert_eq!(found(&production).len(), 2, "{:?}", found(&production));
    let test = lint_as("tests/test_ops.ipynb", notebook(&cells), FixMode::Off);
    assert_eq!(found(&test), vec![(Some(2), 2, 9, "SEC001")]);
}

#[test]
fn fixes_are_not_applied_to_notebooks() {
    let bytes =
        notebook(&["import requests\nrequests.get(\"https://example.com\", verify=False)\n"]);
    let result = lint_as("ops.ipynb", bytes, FixMode::Apply { unsafe_fixes: true });
    assert!(result.fixed.is_empty());
    assert_eq!(
        result.fix_warnings,
        vec!["fixes are not applied to notebooks: ops.ipynb".to_string()]
    );
    assert!(!result.messages.is_empty());
}

#[test]
fn every_format_names_the_cell() {
    let result = lint_as(
        "ops.ipynb",
        notebook(&["x = 1", "!kubectl get pods"]),
        FixMode::Off,
    );
    let plain =
        |format| anstream::adapter::strip_str(&render(&result.messages, format)).to_string();
    assert!(plain(OutputFormat::Concise).starts_with("ops.ipynb:cell 3:1:1: CLI002 "));
    assert!(plain(OutputFormat::Full).contains("ops.ipynb:cell 3:1:1: CLI002 "));
    assert!(plain(OutputFormat::Json).contains("\"cell\": 3"));
    assert!(plain(OutputFormat::JsonLines).contains("\"cell\":3"));
    assert!(plain(OutputFormat::Github).contains("::ops.ipynb:cell 3:1:1: CLI002"));
    assert!(plain(OutputFormat::Gitlab).contains("(cell 3)"));
    assert!(plain(OutputFormat::Junit).contains("ops.ipynb:cell 3:1:1"));
    assert!(plain(OutputFormat::Sarif).contains("(cell 3)"));
    // Other files carry no cell.
    let python = lint_as(
        "ops.py",
        b"import os\nos.system(\"kubectl get pods\")\n".to_vec(),
        FixMode::Off,
    );
    assert!(!render(&python.messages, OutputFormat::Json).contains("\"cell\""));
}

#[test]
fn a_byte_order_mark_is_not_an_error() {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(notebook(&["!kubectl get pods"]));
    let result = lint_as("ops.ipynb", bytes, FixMode::Off);
    assert_eq!(found(&result), vec![(Some(2), 1, 1, "CLI002")]);
}

#[test]
fn invalid_notebooks_are_reported_never_silent() {
    for (bytes, problem) in [
        (b"{\"cells\": [".to_vec(), "invalid notebook JSON"),
        (b"[1, 2]".to_vec(), "not a Jupyter notebook"),
        (b"{\"worksheets\": []}".to_vec(), "no `cells` list"),
    ] {
        let result = lint_as("ops.ipynb", bytes, FixMode::Off);
        assert_eq!(result.messages.len(), 1);
        assert_eq!(result.messages[0].rule.code(), "E999");
        assert!(
            result.messages[0].message.contains(problem),
            "{}",
            result.messages[0].message
        );
    }
}

#[test]
fn secrets_in_shell_commands_are_found_and_redacted() {
    let result = lint_as(
        "ops.ipynb",
        notebook(&[
            "!PGPASSWORD=Lk4mQ8zXv2Rw pg_dump -h db -U etl analytics > dump.sql\n!PGPASSWORD=$PGPASSWORD pg_dump -h db\n",
            "%%bash\nexport GITHUB_TOKEN=ghp_a9U4UqGWlG6g3Ot1OGMmjxWkI9X7H6aMuFbh\nkubectl create secret generic db --from-literal=password=Hb7rT2xKq9Lm\n",
        ]),
        FixMode::Off,
    );
    assert_eq!(
        found(&result),
        vec![
            (Some(2), 1, 1, "SEC002"),
            (Some(3), 2, 21, "SEC001"),
            (Some(3), 3, 1, "CLI002"),
            (Some(3), 3, 1, "SEC002"),
        ]
    );
    let full =
        anstream::adapter::strip_str(&render(&result.messages, OutputFormat::Full)).to_string();
    for secret in ["Lk4mQ8zXv2Rw", "ghp_a9U4UqGWlG6g3Ot1", "Hb7rT2xKq9Lm"] {
        assert!(!full.contains(secret), "{secret} shown in:\n{full}");
    }
}

#[test]
fn tokens_printed_in_outputs_are_reported_on_their_cell() {
    let result = lint_as(
        "ops.ipynb",
        notebook_with_outputs(
            &["!cat ~/.aws/credentials", "print('done')"],
            &[
                (
                    0,
                    "[default]\naws_access_key_id = AKIAZ7Q3R5T2W8Y4N6PL\nregion = eu-west-1\n",
                ),
                (1, "done, password=Xq7#vL2pW9zR\n"),
            ],
        ),
        FixMode::Off,
    );
    // Only known token formats: the output's own rows, on the cell that printed it.
    assert_eq!(found(&result), vec![(Some(2), 2, 21, "SEC001")]);
    assert!(
        result.messages[0]
            .message
            .starts_with("AWS access key ID `AKIA****` printed in the cell's output")
    );
    let full =
        anstream::adapter::strip_str(&render(&result.messages, OutputFormat::Full)).to_string();
    assert!(!full.contains("AKIAZ7Q3"), "{full}");
}

#[test]
fn continued_escapes_and_stable_fingerprints() {
    let cells = [
        "import os",
        "!aws s3 sync ./out \\\n    s3://ops-reports/daily --delete\nx = 1\n",
    ];
    let before = lint_as("ops.ipynb", notebook(&cells), FixMode::Off);
    assert_eq!(found(&before), vec![(Some(3), 1, 1, "CLI001")]);
    // A cell inserted above moves the finding to another cell, not to another identity.
    let after = lint_as(
        "ops.ipynb",
        notebook(&["import json", cells[0], cells[1]]),
        FixMode::Off,
    );
    assert_eq!(found(&after), vec![(Some(4), 1, 1, "CLI001")]);
    assert_eq!(
        skua_lint::fingerprint::fingerprints(&before.messages),
        skua_lint::fingerprint::fingerprints(&after.messages)
    );
}

/// Every format renders for odd cells and for a notebook cut at every byte: no panic, and
/// a cut notebook is never reported clean.
#[test]
fn odd_and_truncated_notebooks_never_panic() {
    let odd = [
        "",
        "!",
        "!!",
        "%%",
        "%%bash",
        "%%bash\n\\",
        "%%script",
        "x = !",
        "!{",
        "!$",
        "!{cmd} $ {x",
        "?",
        "??x",
        "def f(:\n",
        "\r\n\r\n!aws s3 ls\r\n",
        "π = 'ü'\n!echo π\n%%bash",
        "\t!kubectl get pods",
        "if True:\n    !helm list\n",
        "password = '{\"password\": \"Xq7#vL2pW9zR\"'",
    ];
    let formats = [
        OutputFormat::Full,
        OutputFormat::Concise,
        OutputFormat::Json,
        OutputFormat::JsonLines,
        OutputFormat::Github,
        OutputFormat::Gitlab,
        OutputFormat::Junit,
        OutputFormat::Sarif,
    ];
    for cell in odd {
        let result = lint_as("odd.ipynb", notebook(&[cell, cell]), FixMode::Off);
        for format in formats {
            let _ = render(&result.messages, format);
        }
    }
    let whole = notebook(&["import os\n!aws s3 ls\n", "%%bash\nkubectl get pods\n"]);
    for cut in 0..whole.len() {
        let result = lint_as("cut.ipynb", whole[..cut].to_vec(), FixMode::Off);
        assert!(
            result.messages.iter().any(|m| m.rule.code() == "E999"),
            "cut at {cut} reported clean"
        );
        for format in formats {
            let _ = render(&result.messages, format);
        }
    }
}
