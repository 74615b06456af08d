//! Every fix, before and after: each file in `fixtures/fix/` is fixed (unsafe fixes
//! included) and the result snapshotted as a diff; every fixed file must still parse,
//! re-linting it must find nothing more to fix, and secrets stay byte for byte.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skua_lint::fix::FixMode;
use skua_lint::linter::{FixedFile, LintOptions};
use skua_lint::settings::{Options, SettingsResolver};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repo root")
}

fn options() -> Options {
    Options {
        extend_select: Some(vec!["NQA001".to_string()]),
        ..Options::default()
    }
}

fn lint(root: &Path, relative: &Path, options: Options, fix: FixMode) -> skua_lint::LintResult {
    let resolver = Arc::new(SettingsResolver::new(options, None, root).expect("settings"));
    let lint_options = LintOptions {
        force_exclude: false,
        fix,
        environment: None,
    };
    skua_lint::lint_with(&[relative.to_path_buf()], &resolver, root, lint_options)
        .expect("lint runs")
}

const ALL_FIXES: FixMode = FixMode::Apply { unsafe_fixes: true };

fn fix_fixture(name: &str) -> FixedFile {
    let root = repo_root();
    let relative = Path::new("fixtures/fix").join(name);
    let result = lint(&root, &relative, options(), ALL_FIXES);
    assert!(result.fix_warnings.is_empty(), "{:?}", result.fix_warnings);
    let mut fixed = result.fixed;
    assert_eq!(fixed.len(), 1, "{name} has something to fix");
    fixed.remove(0)
}

fn fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("fixtures/fix"))
        .expect("fixtures/fix exists")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_fix_matches_its_snapshot() {
    for name in fixtures() {
        let fixed = fix_fixture(&name);
        let counts: Vec<String> = fixed
            .fixed_counts
            .iter()
            .map(|(rule, count)| format!("{rule}: {count}"))
            .collect();
        let snapshot = format!("fixed: {}\n\n{}", counts.join(", "), fixed.diff());
        insta::assert_snapshot!(name.replace('.', "_"), snapshot);
    }
}

#[test]
fn fixed_fixtures_still_parse_and_have_nothing_left_to_fix() {
    for name in fixtures() {
        let fixed = fix_fixture(&name);
        if let Err(error) = ruff_python_parser::parse_module(&fixed.fixed) {
            panic!("{name} no longer parses after fixing: {error}");
        }
        // Lint the fixed text again, from a copy: no fix may remain.
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(&name), &fixed.fixed).expect("write");
        let again = lint(dir.path(), Path::new(&name), options(), ALL_FIXES);
        assert!(
            again.fixed.is_empty(),
            "{name}: fixing twice changed it again:\n{}",
            again.fixed.first().map(FixedFile::diff).unwrap_or_default()
        );
        let left: Vec<String> = again
            .messages
            .iter()
            .filter(|message| message.fix.is_some())
            .map(|message| {
                format!(
                    "{}:{} {}",
                    message.rule, message.location.row, message.message
                )
            })
            .collect();
        assert!(left.is_empty(), "{name}: fixable findings left: {left:?}");
    }
}

#[test]
fn secrets_next_to_fixed_sites_are_byte_for_byte_unchanged() {
    let root = repo_root();
    let original =
        std::fs::read_to_string(root.join("fixtures/fix/secrets_nearby.py")).expect("fixture");
    let fixed = fix_fixture("secrets_nearby.py");
    assert!(fixed.fixed_total() >= 3, "{:?}", fixed.fixed_counts);
    for secret in [
        "ghp_R7xKq2LmN8pT4vW9yB3cD6fH1jZ5sA0eG2uQ",
        "pr0d-Xq7!vLm2#Rt9",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "deploy:S3cr3tPassw0rd@",
    ] {
        let line = |text: &str| {
            text.lines()
                .find(|line| line.contains(secret))
                .map(str::to_string)
        };
        assert!(line(&original).is_some(), "fixture lacks {secret}");
        let fixed_line = line(&fixed.fixed).expect("secret line still there");
        // The secret's own line may lose a noqa comment or gain a timeout, never the value.
        assert!(fixed_line.contains(secret), "{fixed_line}");
    }
    // The lines holding only a secret are untouched entirely.
    for line in original
        .lines()
        .filter(|line| line.starts_with("DB_PASSWORD") || line.starts_with("API_URL"))
    {
        assert!(fixed.fixed.lines().any(|fixed| fixed == line), "{line}");
    }
    // The secrets are still reported, and the diff never shows them.
    let diff = fixed.diff();
    for secret in [
        "ghp_R7xKq2LmN8pT4vW9yB3cD6fH1jZ5sA0eG2uQ",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    ] {
        assert!(!diff.contains(secret), "diff leaks a secret:\n{diff}");
    }
}

#[test]
fn safe_fixes_only_without_unsafe_fixes_and_fix_timeout_is_honoured() {
    let root = repo_root();
    let relative = Path::new("fixtures/fix/NET001.py");
    let safe_only = lint(
        &root,
        relative,
        options(),
        FixMode::Apply {
            unsafe_fixes: false,
        },
    );
    assert!(safe_only.fixed.is_empty(), "NET001 fixes are unsafe");
    let configured = Options {
        fix_timeout: Some(7),
        ..options()
    };
    let result = lint(&root, relative, configured, ALL_FIXES);
    let text = &result.fixed.first().expect("fixed").fixed;
    assert!(text.contains("requests.get(url, timeout=7)"), "{text}");
    assert!(!text.contains(", timeout=30"), "{text}");
}

#[test]
fn a_fix_that_breaks_syntax_is_discarded_with_a_warning() {
    // A removal that leaves `f(,)` is caught by the re-parse, whatever rule produced it.
    assert!(skua_lint::linter::breaks_syntax(
        skua_lint::discovery::FileKind::Python,
        "f(a)\n",
        "f(,)\n"
    ));
    assert!(!skua_lint::linter::breaks_syntax(
        skua_lint::discovery::FileKind::Python,
        "f(\n",
        "f(,\n"
    ));
}

/// Resolves every name to 1.0.0 (`skf-old` to 0.9.1, `skf-lib` to 1.5.3, `skf-certs` to 2.1.0) with two fake hashes, and leaves
/// `skf-nowhere` out, as a resolution does for a requirement whose marker is false.
struct FakePinner {
    inputs: std::sync::Mutex<Vec<String>>,
}

impl skua_lint::pin::Pinner for FakePinner {
    fn pin(
        &self,
        input: &skua_lint::pin::PinInput,
    ) -> Result<skua_lint::pin::Pins, skua_lint::pin::PinError> {
        let root = repo_root();
        let shown = input
            .path()
            .strip_prefix(&root)
            .unwrap_or(input.path())
            .display()
            .to_string();
        self.inputs.lock().expect("lock").push(shown);
        let names = [
            "skf-simple",
            "skf-web",
            "skf-pinned",
            "skf-old",
            "skf-socks",
            "skf-certs",
            "skf-lib",
            "skf-markers",
            "skf-app",
        ];
        let versions = names
            .iter()
            .map(|name| {
                let version = match *name {
                    "skf-old" => "0.9.1",
                    "skf-lib" => "1.5.3",
                    "skf-certs" => "2.1.0",
                    "skf-pinned" => "2.0.0",
                    _ => "1.0.0",
                };
                let pin = skua_lint::pin::Pin {
                    version: version.to_string(),
                    hashes: vec!["ab".repeat(32), "cd".repeat(32)],
                };
                (skua_types::PackageName::new(name).expect("name"), pin)
            })
            .collect();
        Ok(skua_lint::pin::Pins {
            versions,
            warnings: Vec::new(),
        })
    }
}

#[test]
fn dep001_pins_match_their_snapshots_and_still_parse() {
    let root = repo_root();
    let resolver =
        Arc::new(SettingsResolver::new(Options::default(), None, &root).expect("settings"));
    let pinner = FakePinner {
        inputs: std::sync::Mutex::new(Vec::new()),
    };
    let lint_options = LintOptions {
        force_exclude: false,
        fix: FixMode::Apply {
            unsafe_fixes: false,
        },
        environment: None,
    };
    let result = skua_lint::linter::lint_and_pin(
        &[PathBuf::from("fixtures/fix-dep")],
        &resolver,
        &root,
        lint_options,
        Some(&pinner),
    )
    .expect("lint runs");
    // One resolution per input; the -r include goes with the file that includes it.
    let mut inputs = pinner.inputs.lock().expect("lock").clone();
    inputs.sort();
    assert_eq!(
        inputs,
        [
            "fixtures/fix-dep/app/pyproject.toml",
            "fixtures/fix-dep/requirements-hashed.txt",
            "fixtures/fix-dep/requirements.txt",
            "fixtures/fix-dep/scripts/job.py",
        ]
    );
    assert_eq!(
        result.fix_warnings,
        [
            "fixtures/fix-dep/requirements.txt:8: `skf-nowhere` not pinned: the resolution for this target has no version of it (its marker `sys_platform == \"win32\"` is false here; pass --python-version/--python-platform for the target it is meant for)"
        ]
    );
    let mut snapshot = String::new();
    for fixed in &result.fixed {
        assert!(
            !skua_lint::linter::breaks_syntax(fixed.kind, &fixed.original, &fixed.fixed),
            "{}",
            fixed.path.display()
        );
        snapshot.push_str(&fixed.diff());
    }
    insta::assert_snapshot!("DEP001_pins", snapshot);
    // What is left: only the requirement the resolution did not contain.
    let left: Vec<String> = result
        .messages
        .iter()
        .filter(|message| message.rule.code() == "DEP001")
        .map(|message| format!("{}:{}", message.file.path.display(), message.location.row))
        .collect();
    assert_eq!(left, ["fixtures/fix-dep/requirements.txt:8"]);
}
