//! Precision and recall per rule family on `fixtures/eval/`, a realistic DevOps repository
//! labelled independently of the implementation (`expected.tsv`: path, line, family).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use skua_lint::settings::{Options, SettingsResolver};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

type Finding = (String, usize, String);

fn expected(root: &Path) -> BTreeSet<Finding> {
    let text =
        std::fs::read_to_string(root.join("fixtures/eval/expected.tsv")).expect("expected.tsv");
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            let mut fields = line.split('\t');
            let path = fields.next().expect("path").to_string();
            let row = fields
                .next()
                .expect("line")
                .trim()
                .parse()
                .expect("line number");
            let family = fields.next().expect("family").trim().to_string();
            (path, row, family)
        })
        .collect()
}

fn actual(root: &Path) -> BTreeSet<Finding> {
    let resolver =
        Arc::new(SettingsResolver::new(Options::default(), None, root).expect("settings"));
    let corpus = PathBuf::from("fixtures/eval/repo");
    let result =
        skua_lint::lint(std::slice::from_ref(&corpus), &resolver, root).expect("lint runs");
    result
        .messages
        .iter()
        .filter(|message| !matches!(message.rule.family(), "E" | "NQA"))
        .map(|message| {
            let mut path = message
                .file
                .path
                .strip_prefix(&corpus)
                .expect("inside corpus")
                .display()
                .to_string();
            // Notebook findings are labelled as reported: `nb.ipynb:cell 3`, row in the cell.
            if let Some(cell) = message.cell {
                path = format!("{path}:cell {cell}");
            }
            (
                path,
                message.location.row,
                message.rule.family().to_string(),
            )
        })
        .collect()
}

#[test]
fn precision_and_recall_per_family() {
    let root = repo_root();
    let expected = expected(&root);
    let actual = actual(&root);
    let mut report = String::from("family  tp  fp  fn  precision  recall\n");
    let mut failures = Vec::new();
    let families: BTreeSet<&str> = expected
        .iter()
        .chain(&actual)
        .map(|(_, _, family)| family.as_str())
        .collect();
    let mut misses: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for family in families {
        let want: BTreeSet<_> = expected.iter().filter(|f| f.2 == family).collect();
        let got: BTreeSet<_> = actual.iter().filter(|f| f.2 == family).collect();
        let tp = want.intersection(&got).count();
        let false_positives: Vec<_> = got.difference(&want).collect();
        let false_negatives: Vec<_> = want.difference(&got).collect();
        let precision = if got.is_empty() {
            1.0
        } else {
            tp as f64 / got.len() as f64
        };
        let recall = if want.is_empty() {
            1.0
        } else {
            tp as f64 / want.len() as f64
        };
        report.push_str(&format!(
            "{family:<6} {tp:>3} {:>3} {:>3}  {precision:>9.3}  {recall:>6.3}\n",
            false_positives.len(),
            false_negatives.len()
        ));
        for (path, row, _) in &false_positives {
            misses
                .entry(family)
                .or_default()
                .push(format!("  false positive {path}:{row}"));
        }
        for (path, row, _) in &false_negatives {
            misses
                .entry(family)
                .or_default()
                .push(format!("  missed         {path}:{row}"));
        }
        // The acceptance bar: 0.9 for the families skua exists for, 0.8 for the classic foot-guns.
        let bar = if matches!(family, "SEC" | "CLI" | "DEP") {
            0.9
        } else {
            0.8
        };
        if precision < bar || recall < bar {
            failures.push(format!(
                "{family}: precision {precision:.3}, recall {recall:.3} (bar {bar})"
            ));
        }
    }
    println!("{report}");
    for (family, lines) in &misses {
        println!("{family}:\n{}", lines.join("\n"));
    }
    assert!(failures.is_empty(), "{}\n{report}", failures.join("\n"));
}
