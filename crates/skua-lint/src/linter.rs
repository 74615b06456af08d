//! Runs the checks over discovered files in parallel and applies suppressions.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::checker::Checker;
use crate::diagnostic::{Diagnostic, Message, SourceFile};
use crate::discovery::{self, Candidate, FileKind};
use crate::fix::{Fix, FixMode};
use crate::manifests::{FileScope, ManifestIndex};
use crate::noqa::{self, Directive};
use crate::pin::{PinInput, Pinner};
use crate::project::{ProjectModules, RunnerTable};
use crate::registry::Rule;
use crate::rules::cli::runner::{PendingCall, Runners};
use crate::rules::dep::{self, RequirementsContext};
use crate::settings::{ConfigError, Settings, SettingsResolver, absolute};

/// Each worker gets a large stack: the parser and visitor recurse per nesting level,
/// and generated code (5,000 nested brackets, 50,000-term expressions) must not abort the run.
const WORKER_STACK_BYTES: usize = 256 * 1024 * 1024;

pub struct LintResult {
    pub messages: Vec<Message>,
    /// Files whose text the fixes changed (with `fix` on), in path order; nothing is
    /// written here: the caller writes them or prints their diff.
    pub fixed: Vec<FixedFile>,
    /// Things `--fix` could not do, each naming its file (printed as warnings).
    pub fix_warnings: Vec<String>,
    pub files_checked: usize,
    /// What was checked, as what kind of file (for `--verbose`).
    pub checked: Vec<(PathBuf, FileKind)>,
    /// Paths named on the command line that were not checked, and why.
    pub skipped: Vec<(PathBuf, discovery::SkipReason)>,
}

/// How a run treats the paths it is given.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// Apply excludes to paths named explicitly too (pre-commit passes every changed file).
    pub force_exclude: bool,
    /// Which fixes to apply to the text (the messages then describe the fixed text).
    pub fix: FixMode,
    /// The active virtual environment (`VIRTUAL_ENV`, as the CLI found it): DEP004 maps
    /// import names through it for projects without a `.venv` of their own.
    pub environment: Option<PathBuf>,
}

/// A file the fixes changed.
#[derive(Clone, Debug)]
pub struct FixedFile {
    /// As reported (relative to the working directory when it was named so).
    pub path: PathBuf,
    /// Where to write it.
    pub absolute_path: PathBuf,
    pub kind: FileKind,
    pub original: String,
    pub fixed: String,
    /// Findings fixed, per rule.
    pub fixed_counts: BTreeMap<Rule, usize>,
    /// Secrets located in `original` and in `fixed`, masked wherever the text is shown.
    pub original_secrets: Vec<std::ops::Range<usize>>,
    pub fixed_secrets: Vec<std::ops::Range<usize>>,
}

impl FixedFile {
    pub fn fixed_total(&self) -> usize {
        self.fixed_counts.values().sum()
    }

    /// The unified diff of the fixes, secrets masked.
    pub fn diff(&self) -> String {
        let before = crate::secrets::redact_text(&self.original, &self.original_secrets);
        let after = crate::secrets::redact_text(&self.fixed, &self.fixed_secrets);
        // `a/./x.py` reads badly; git's `a/x.py` is what patch tools expect.
        let path = self.path.strip_prefix(".").unwrap_or(&self.path);
        crate::fix::unified_diff(&path.display().to_string(), &before, &after)
    }
}

/// A fix can enable another (removing a noqa code can expose a finding it suppressed on
/// a line a rewrite touched); ruff's bound on the re-lint loop.
const MAX_FIX_PASSES: usize = 10;

/// What linting one file produced.
struct FileOutcome {
    messages: Vec<Message>,
    fixed: Option<FixedFile>,
    warnings: Vec<String>,
    /// Calls of project imports, judged once every module's runners are known.
    pending: Vec<Pending>,
    /// The file's text when `pending` needs it for locations.
    file: Option<Arc<SourceFile>>,
    /// Runners this module exports.
    runners: Runners,
}

/// A pending call and the CLI rules that may still report it (enabled, not suppressed).
#[derive(Debug)]
struct Pending {
    call: PendingCall,
    allowed: Vec<Rule>,
}

/// What checking one file's text produced.
struct Checked {
    diagnostics: Vec<Diagnostic>,
    pending: Vec<Pending>,
    runners: Runners,
}

impl FileOutcome {
    fn messages(messages: Vec<Message>) -> FileOutcome {
        FileOutcome {
            messages,
            fixed: None,
            warnings: Vec::new(),
            pending: Vec::new(),
            file: None,
            runners: Runners::new(),
        }
    }
}

/// Lints `paths` (files or directories).
pub fn lint(
    paths: &[PathBuf],
    resolver: &Arc<SettingsResolver>,
    cwd: &Path,
) -> Result<LintResult, ConfigError> {
    lint_with(paths, resolver, cwd, LintOptions::default())
}

/// [`lint`] with options.
pub fn lint_with(
    paths: &[PathBuf],
    resolver: &Arc<SettingsResolver>,
    cwd: &Path,
    options: LintOptions,
) -> Result<LintResult, ConfigError> {
    lint_and_pin(paths, resolver, cwd, options, None)
}

/// [`lint_with`]; with fixes on and a `pinner`, DEP001 findings are pinned too (after the
/// other fixes, one resolution per file or `-r` tree).
pub fn lint_and_pin(
    paths: &[PathBuf],
    resolver: &Arc<SettingsResolver>,
    cwd: &Path,
    options: LintOptions,
    pinner: Option<&dyn Pinner>,
) -> Result<LintResult, ConfigError> {
    let discovered = discovery::discover(paths, resolver, cwd, options.force_exclude)?;
    let mut candidates = discovered.candidates;
    let skipped = discovered.skipped;
    let mut messages: Vec<Message> = discovered
        .problems
        .into_iter()
        .map(|problem| {
            let file = SourceFile::new(problem.path, String::new());
            Message::from_diagnostic(Diagnostic::new(Rule::IoError, problem.message, 0..0), &file)
        })
        .collect();

    let boundary = ProjectBoundary::new(paths, cwd);
    let graph = RequirementsGraph::build(&mut candidates, cwd, &boundary, resolver)?;
    messages.extend(graph.problems.iter().cloned());

    // Resolve settings up front: it touches the file system and may fail.
    let mut with_settings = Vec::with_capacity(candidates.len());
    for candidate in candidates {
        let absolute_path = absolute(&candidate.path, cwd);
        let settings = settings_for(resolver, &absolute_path, cwd)?;
        with_settings.push((candidate, absolute_path, settings));
    }

    // Cheap, from paths only: which imports name modules of the project.
    let project = ProjectModules::new(
        with_settings
            .iter()
            .filter(|(candidate, _, _)| candidate.kind == FileKind::Python)
            .map(|(candidate, _, _)| candidate.path.as_path()),
    );
    // Which manifests govern each directory of Python files (DEP004), looked up once.
    let manifests = if with_settings
        .iter()
        .any(|(_, _, settings)| settings.rules.contains(Rule::UndeclaredImport))
    {
        let dirs: HashSet<PathBuf> = with_settings
            .iter()
            .filter(|(candidate, _, _)| {
                matches!(
                    candidate.kind,
                    FileKind::Python | FileKind::ExtensionlessScript
                )
            })
            .filter_map(|(_, absolute_path, _)| Some(normalize_lexically(absolute_path.parent()?)))
            .collect();
        ManifestIndex::new(
            dirs.iter().map(PathBuf::as_path),
            &|path| boundary.contains(path),
            &|dir| boundary.is_root(dir),
            options.environment.as_deref(),
        )
    } else {
        ManifestIndex::default()
    };
    let view = ProjectView {
        modules: &project,
        manifests: &manifests,
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK_BYTES)
        .build();
    let run = || {
        with_settings
            .par_iter()
            .filter_map(|(candidate, absolute_path, settings)| {
                let context = graph.contexts.get(&normalize_lexically(&candidate.path));
                lint_candidate(
                    candidate,
                    absolute_path,
                    settings,
                    context,
                    options.fix,
                    Some(view),
                )
                .map(|found| (candidate.path.clone(), candidate.kind, found))
            })
            .collect::<Vec<_>>()
    };
    let results = match pool {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    };
    let files_checked = results.len();
    let mut checked = Vec::with_capacity(files_checked);
    let mut fixed = Vec::new();
    let mut fix_warnings = Vec::new();
    let mut waiting = Vec::new();
    let mut exported = Vec::new();
    for (path, kind, mut outcome) in results {
        messages.extend(outcome.messages);
        fixed.extend(outcome.fixed);
        fix_warnings.extend(outcome.warnings);
        if !outcome.runners.is_empty() {
            exported.push((path.clone(), std::mem::take(&mut outcome.runners)));
        }
        if let Some(file) = outcome.file.filter(|_| !outcome.pending.is_empty()) {
            waiting.push((path.clone(), file, outcome.pending));
        }
        checked.push((path, kind));
    }
    let table = RunnerTable::new(exported);
    messages.extend(resolve_pending(&table, waiting, &with_settings));
    if let Some(pinner) = pinner.filter(|_| options.fix.is_on()) {
        let mut state = PinState {
            messages: &mut messages,
            fixed: &mut fixed,
            warnings: &mut fix_warnings,
        };
        let project_step = ProjectStep {
            view,
            runners: &table,
        };
        pin_flagged(
            &mut state,
            &with_settings,
            &graph,
            pinner,
            cwd,
            &project_step,
        );
    }
    checked.sort_by(|a, b| a.0.cmp(&b.0));
    fixed.sort_by(|a, b| a.path.cmp(&b.path));
    fix_warnings.sort();
    messages.sort_by(|a, b| {
        (a.file.path.as_path(), a.cell, a.location, a.rule).cmp(&(
            b.file.path.as_path(),
            b.cell,
            b.location,
            b.rule,
        ))
    });
    Ok(LintResult {
        messages,
        fixed,
        fix_warnings,
        files_checked,
        checked,
        skipped,
    })
}

/// The cross-module step: calls of runners imported from another file of the project.
fn resolve_pending(
    table: &RunnerTable,
    waiting: Vec<(PathBuf, Arc<SourceFile>, Vec<Pending>)>,
    with_settings: &[(Candidate, PathBuf, Arc<Settings>)],
) -> Vec<Message> {
    if waiting.is_empty() {
        return Vec::new();
    }
    let settings: HashMap<&Path, &Settings> = with_settings
        .iter()
        .map(|(candidate, _, settings)| (candidate.path.as_path(), &**settings))
        .collect();
    let mut messages = Vec::new();
    for (path, file, pending) in waiting {
        let Some(settings) = settings.get(path.as_path()) else {
            continue;
        };
        messages.extend(pending_messages(table, &path, &file, pending, settings));
    }
    messages
}

fn pending_messages(
    table: &RunnerTable,
    path: &Path,
    file: &Arc<SourceFile>,
    pending: Vec<Pending>,
    settings: &Settings,
) -> Vec<Message> {
    let mut messages = Vec::new();
    for Pending { call, allowed } in pending {
        for (rule, message) in table.findings(path, &call, &settings.cloud_clis) {
            if allowed.contains(&rule) {
                let diagnostic = Diagnostic::new(rule, message, call.range.clone());
                messages.push(Message::from_diagnostic(diagnostic, file));
            }
        }
    }
    messages
}

/// Lints one file; `None` when it turned out not to be ours (an extensionless non-Python file).
fn lint_candidate(
    candidate: &Candidate,
    absolute_path: &Path,
    settings: &Settings,
    context: Option<&RequirementsContext>,
    fix: FixMode,
    project: Option<ProjectView<'_>>,
) -> Option<FileOutcome> {
    if candidate.kind == FileKind::ExtensionlessScript
        && !candidate.explicit
        && !has_python_shebang(absolute_path)
    {
        return None;
    }
    let bytes = match std::fs::read(absolute_path) {
        Ok(bytes) => bytes,
        Err(error) => {
            return Some(FileOutcome::messages(io_error(
                candidate,
                format!("Could not read file: {}", discovery::io_message(&error)),
            )));
        }
    };
    Some(lint_bytes(
        candidate,
        bytes,
        absolute_path,
        settings,
        context,
        fix,
        project,
    ))
}

/// A file that could not be checked, as its one E902 message.
fn io_error(candidate: &Candidate, message: String) -> Vec<Message> {
    let file = SourceFile::new(candidate.path.clone(), String::new());
    vec![Message::from_diagnostic(
        Diagnostic::new(Rule::IoError, message, 0..0),
        &file,
    )]
}

/// The settings governing the file at `absolute_path` (its directory's configuration).
fn settings_for(
    resolver: &SettingsResolver,
    absolute_path: &Path,
    cwd: &Path,
) -> Result<Arc<Settings>, ConfigError> {
    let dir = absolute_path.parent().unwrap_or(cwd);
    resolver.for_dir(dir)
}

/// Checks one file's content; `absolute_path` decides the settings (per-file-ignores).
/// With `fix` on, fixes are applied and the file re-checked until nothing more applies.
fn lint_bytes(
    candidate: &Candidate,
    bytes: Vec<u8>,
    absolute_path: &Path,
    settings: &Settings,
    context: Option<&RequirementsContext>,
    fix: FixMode,
    project: Option<ProjectView<'_>>,
) -> FileOutcome {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let bytes = error.as_bytes();
            let message = if bytes.iter().take(8192).any(|byte| *byte == 0) {
                "Could not check file: it is binary, not text".to_string()
            } else {
                format!(
                    "Could not check file: not valid UTF-8 (invalid byte at offset {})",
                    error.utf8_error().valid_up_to()
                )
            };
            return FileOutcome::messages(io_error(candidate, message));
        }
    };
    if candidate.kind == FileKind::Notebook {
        return lint_notebook_file(candidate, text, absolute_path, settings, fix, project);
    }
    let file_settings = settings.for_file(absolute_path);
    let check = |text: &str| {
        check_text(
            candidate,
            text,
            absolute_path,
            &file_settings,
            context,
            project,
            None,
        )
    };
    let mut checked = check(&text);
    let mut diagnostics = std::mem::take(&mut checked.diagnostics);
    let mut outcome = FileOutcome::messages(Vec::new());
    let mut current = text;
    if fix.is_on() {
        let original_secrets = secret_ranges(&diagnostics);
        let FixLoopOutcome {
            text: fixed_text,
            counts: fixed_counts,
            diagnostics: after,
            latest,
            warning,
        } = fix_loop(candidate.kind, &current, diagnostics, fix, &check);
        diagnostics = after;
        if let Some(latest) = latest {
            checked = latest;
        }
        outcome
            .warnings
            .extend(warning.map(|why| format!("{}: {why}", candidate.path.display())));
        if fixed_text != current {
            let original = std::mem::replace(&mut current, fixed_text);
            outcome.fixed = Some(FixedFile {
                path: candidate.path.clone(),
                absolute_path: absolute_path.to_path_buf(),
                kind: candidate.kind,
                original,
                fixed: current.clone(),
                fixed_counts,
                original_secrets,
                fixed_secrets: secret_ranges(&diagnostics),
            });
        }
    }
    outcome.runners = checked.runners;
    if diagnostics.is_empty() && checked.pending.is_empty() {
        return outcome;
    }
    let file = SourceFile::new(candidate.path.clone(), current);
    outcome.messages = diagnostics
        .into_iter()
        .map(|diagnostic| Message::from_diagnostic(diagnostic, &file))
        .collect();
    outcome.pending = checked.pending;
    outcome.file = Some(file);
    outcome
}

/// Checks a notebook: its code cells as one source, locations per cell. Fixes are not
/// applied (writing them back means re-serializing the JSON); `--fix` says so.
fn lint_notebook_file(
    candidate: &Candidate,
    json: String,
    absolute_path: &Path,
    settings: &Settings,
    fix: FixMode,
    project: Option<ProjectView<'_>>,
) -> FileOutcome {
    // A byte-order mark (some Windows editors write one) is not JSON.
    let bom = if json.starts_with('\u{feff}') { 3 } else { 0 };
    let source = match crate::notebook::NotebookSource::parse(&json[bom..]) {
        Ok(source) => source,
        Err(error) => {
            let offset = bom + error.offset(&json[bom..]);
            let file = SourceFile::new(candidate.path.clone(), json);
            let diagnostic = Diagnostic::new(
                Rule::SyntaxError,
                format!("SyntaxError: {error}"),
                offset..offset,
            );
            return FileOutcome::messages(vec![Message::from_diagnostic(diagnostic, &file)]);
        }
    };
    let file_settings = settings.for_file(absolute_path);
    let checked = check_text(
        candidate,
        &source.text,
        absolute_path,
        &file_settings,
        None,
        project,
        Some(&source.cells),
    );
    let mut outcome = FileOutcome::messages(Vec::new());
    let fixable = checked.diagnostics.iter().any(|diagnostic| {
        diagnostic
            .fix
            .as_ref()
            .is_some_and(|found| fix.applies(found))
    });
    if fix.is_on() && fixable {
        outcome.warnings.push(format!(
            "fixes are not applied to notebooks: {}",
            candidate.path.display()
        ));
    }
    if checked.diagnostics.is_empty() && checked.pending.is_empty() {
        return outcome;
    }
    let file = SourceFile::notebook(candidate.path.clone(), source.text, source.cells);
    outcome.messages = checked
        .diagnostics
        .into_iter()
        // Fixes that are never applied are not offered (no "fixable with --fix" hint).
        .map(|diagnostic| Message::from_diagnostic(diagnostic.with_fix(None), &file))
        .collect();
    outcome.pending = checked.pending;
    outcome.file = Some(file);
    outcome
}

fn secret_ranges(diagnostics: &[Diagnostic]) -> Vec<std::ops::Range<usize>> {
    diagnostics
        .iter()
        .filter_map(|diagnostic| diagnostic.secret.clone())
        .collect()
}

/// What [`fix_loop`] ends with.
struct FixLoopOutcome {
    text: String,
    /// Findings fixed, per rule.
    counts: BTreeMap<Rule, usize>,
    /// The findings of the final text.
    diagnostics: Vec<Diagnostic>,
    /// The rest of the last check (pending calls, runners), if the text was re-checked.
    latest: Option<Checked>,
    /// Why the fixes were discarded, if they were.
    warning: Option<String>,
}

/// Applies the fixes `mode` allows to `text`, re-checking after each pass.
fn fix_loop(
    kind: FileKind,
    text: &str,
    diagnostics: Vec<Diagnostic>,
    mode: FixMode,
    check: &dyn Fn(&str) -> Checked,
) -> FixLoopOutcome {
    let mut current = text.to_string();
    let mut diagnostics = diagnostics;
    let mut latest: Option<Checked> = None;
    let mut counts: BTreeMap<Rule, usize> = BTreeMap::new();
    for _ in 0..MAX_FIX_PASSES {
        let (rules, fixes): (Vec<Rule>, Vec<&Fix>) = diagnostics
            .iter()
            .filter_map(|diagnostic| {
                let fix = diagnostic.fix.as_ref().filter(|fix| mode.applies(fix))?;
                Some((diagnostic.rule, fix))
            })
            .unzip();
        if fixes.is_empty() {
            break;
        }
        let (next, applied) = crate::fix::apply_indexed(&current, &fixes);
        if applied.is_empty() || next == current {
            break;
        }
        if breaks_syntax(kind, &current, &next) {
            let why = "fixes discarded: they would introduce a syntax error (please report this)"
                .to_string();
            let mut original = check(text);
            let diagnostics = std::mem::take(&mut original.diagnostics);
            return FixLoopOutcome {
                text: text.to_string(),
                counts: BTreeMap::new(),
                diagnostics,
                latest: Some(original),
                warning: Some(why),
            };
        }
        for index in applied {
            *counts.entry(rules[index]).or_default() += 1;
        }
        current = next;
        let mut now = check(&current);
        diagnostics = std::mem::take(&mut now.diagnostics);
        latest = Some(now);
    }
    FixLoopOutcome {
        text: current,
        counts,
        diagnostics,
        latest,
        warning: None,
    }
}

/// Whether `after` fails to parse as its kind of file where `before` did not.
pub fn breaks_syntax(kind: FileKind, before: &str, after: &str) -> bool {
    let broken = |text: &str| match kind {
        FileKind::Python | FileKind::ExtensionlessScript => {
            let source = text.strip_prefix('\u{feff}').unwrap_or(text);
            ruff_python_parser::parse_module(source).is_err()
                || (source.contains("# /// script")
                    && skua_requirements::parse_script_metadata(source).is_err())
        }
        FileKind::Requirements => skua_requirements::parse_requirements(text)
            .entries
            .iter()
            .any(|entry| matches!(entry.kind, skua_requirements::EntryKind::Invalid { .. })),
        FileKind::Pyproject => skua_requirements::parse_pyproject(text).is_err(),
        FileKind::Dotenv | FileKind::Config | FileKind::Notebook => false,
    };
    broken(after) && !broken(before)
}

/// The findings of one file's text, suppressions applied.
fn check_text(
    candidate: &Candidate,
    text: &str,
    absolute_path: &Path,
    file_settings: &Settings,
    context: Option<&RequirementsContext>,
    project: Option<ProjectView<'_>>,
    cells: Option<&crate::notebook::CellMap>,
) -> Checked {
    let mut pending = Vec::new();
    let mut runners = Runners::new();
    let diagnostics = match candidate.kind {
        // DEP004 is not run on notebooks: their imports come from the kernel's environment,
        // which a project's manifests rarely declare.
        FileKind::Notebook => {
            let module = match cells {
                Some(cells) => lint_notebook(
                    text,
                    cells,
                    file_settings,
                    &candidate.path,
                    project.map(|project| project.modules),
                ),
                None => crate::checker::CheckedModule {
                    diagnostics: Vec::new(),
                    pending: Vec::new(),
                    runners: Runners::new(),
                },
            };
            runners = module.runners;
            pending = cli_pending(module.pending, file_settings);
            module.diagnostics
        }
        FileKind::Python | FileKind::ExtensionlessScript => {
            // An absolute file path always has a parent; the empty path only names no
            // manifest scope (no DEP004), it drops no finding of the other rules.
            let dir = absolute_path
                .parent()
                .map(normalize_lexically)
                .unwrap_or_default();
            let scope = project.and_then(|project| project.manifests.file_scope(&dir));
            let module = lint_python_in(
                text,
                file_settings,
                &candidate.path,
                project.map(|project| project.modules),
                Some((scope.as_ref(), dir.as_path())),
            );
            runners = module.runners;
            pending = cli_pending(module.pending, file_settings);
            module.diagnostics
        }
        FileKind::Requirements => {
            let default_context = RequirementsContext::default();
            dep::check_requirements_file(text, file_settings, context.unwrap_or(&default_context))
        }
        FileKind::Pyproject => dep::check_pyproject(text, file_settings, absolute_path),
        FileKind::Config => {
            if file_settings.rules.contains(Rule::ConfigFileSecret) {
                crate::rules::sec::config_file_secret::check_config(
                    text,
                    &candidate.path,
                    file_settings,
                )
            } else {
                Vec::new()
            }
        }
        FileKind::Dotenv => {
            if file_settings.rules.contains(Rule::DotenvSecret) {
                crate::rules::sec::dotenv_secret::check_dotenv(text, file_settings)
            } else {
                Vec::new()
            }
        }
    };
    // Test code holds fake credentials by design (fixtures, mocked services), and so do the
    // example files of API documentation (`examples-1.json`, `config.sample.yaml`): there,
    // only secrets recognised by their format are findings, unless `test-secrets = "all"`.
    let fake_by_design = file_settings.is_test_code(absolute_path)
        || (candidate.kind == FileKind::Config && is_documentation_example(absolute_path));
    let diagnostics = if !file_settings.all_test_secrets && fake_by_design {
        diagnostics
            .into_iter()
            .filter(|diagnostic| {
                diagnostic.rule.family() != "SEC"
                    || diagnostic.rule == Rule::HardcodedToken
                    || is_known_token(text, diagnostic)
            })
            .collect()
    } else {
        diagnostics
    };
    let diagnostics = apply_noqa(diagnostics, text, file_settings, &mut pending);
    pending.retain(|pending| !pending.allowed.is_empty());
    Checked {
        diagnostics,
        pending,
        runners,
    }
}

/// A configuration file that documents by example (`examples-1.json`,
/// `settings.example.yaml`, `config-sample.ini`), by a word of its name.
fn is_documentation_example(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| {
            name.to_ascii_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|word| matches!(word, "example" | "examples" | "sample" | "samples"))
        })
}

/// Calls of project imports, with the CLI rules that may report them.
fn cli_pending(calls: Vec<PendingCall>, settings: &Settings) -> Vec<Pending> {
    calls
        .into_iter()
        .map(|call| Pending {
            call,
            allowed: CLI_RULES
                .iter()
                .copied()
                .filter(|rule| settings.rules.contains(*rule))
                .collect(),
        })
        .collect()
}

/// Whether the secret a finding masks is a known token format (what test code reports).
fn is_known_token(text: &str, diagnostic: &Diagnostic) -> bool {
    diagnostic
        .secret
        .as_ref()
        .and_then(|secret| text.get(secret.clone()))
        .is_some_and(|secret| !crate::secrets::find_tokens(secret).is_empty())
}

const CLI_RULES: [Rule; 3] = [
    Rule::AwsCliSubprocess,
    Rule::KubectlSubprocess,
    Rule::CloudCliSubprocess,
];

/// Lints `bytes` read from stdin as if they were the file `filename` (`--stdin-filename`:
/// its name picks the kind of file and the settings; nothing is read from disk for it).
pub fn lint_stdin(
    bytes: Vec<u8>,
    filename: &Path,
    resolver: &SettingsResolver,
    cwd: &Path,
    fix: FixMode,
) -> Result<LintResult, ConfigError> {
    let absolute_path = absolute(filename, cwd);
    // As for a file named on the command line: a name of no kind skua checks is skipped
    // and said so, never parsed as Python. Without --stdin-filename the name is `-`, an
    // extensionless script.
    let Some(kind) = discovery::classify(filename) else {
        return Ok(LintResult {
            messages: Vec::new(),
            fixed: Vec::new(),
            fix_warnings: Vec::new(),
            files_checked: 0,
            checked: Vec::new(),
            skipped: vec![(filename.to_path_buf(), discovery::SkipReason::UnknownKind)],
        });
    };
    let settings = settings_for(resolver, &absolute_path, cwd)?;
    let candidate = Candidate {
        path: filename.to_path_buf(),
        kind,
        explicit: true,
    };
    let outcome = lint_bytes(
        &candidate,
        bytes,
        &absolute_path,
        &settings,
        None,
        fix,
        None,
    );
    Ok(LintResult {
        messages: outcome.messages,
        fixed: outcome.fixed.into_iter().collect(),
        fix_warnings: outcome.warnings,
        files_checked: 1,
        checked: vec![(candidate.path, candidate.kind)],
        skipped: Vec::new(),
    })
}

fn has_python_shebang(path: &Path) -> bool {
    let mut head = [0u8; 128];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let read = file.read(&mut head).unwrap_or(0);
    let first_line = head[..read]
        .split(|byte| *byte == b'\n')
        .next()
        .unwrap_or(&[]);
    first_line.starts_with(b"#!") && memchr::memmem::find(first_line, b"python").is_some()
}

/// Parses and checks Python source.
pub fn lint_python(text: &str, settings: &Settings, path: &Path) -> Vec<Diagnostic> {
    lint_python_in(text, settings, path, None, None).diagnostics
}

/// [`lint_python`] as one module of `project`: also its runners and its calls of
/// project imports, and (with `manifests`: the file's scope and absolute directory) its
/// undeclared imports.
fn lint_python_in(
    text: &str,
    settings: &Settings,
    path: &Path,
    project: Option<&ProjectModules>,
    manifests: Option<(Option<&FileScope<'_>>, &Path)>,
) -> crate::checker::CheckedModule {
    let source = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - source.len();
    let mut pending = Vec::new();
    let mut runners = Runners::new();
    let mut diagnostics = match ruff_python_parser::parse_module(source) {
        Ok(parsed) => {
            let module = parsed.syntax();
            let checked = Checker::new(source, settings, path)
                .with_tokens(parsed.tokens())
                .with_project(project)
                .check_module_full(module);
            pending = checked.pending;
            runners = checked.runners;
            let mut diagnostics = checked.diagnostics;
            if let Some((scope, dir)) = manifests
                && settings.rules.contains(Rule::UndeclaredImport)
            {
                let name = path
                    .file_name()
                    .and_then(|name| name.to_str())
                    .unwrap_or("");
                diagnostics.extend(crate::rules::dep::undeclared_import::check(
                    &module.body,
                    source,
                    scope,
                    dir,
                    name,
                ));
            }
            diagnostics
        }
        Err(error) => {
            let start = error.location.start().to_usize();
            let end = error.location.end().to_usize().max(start);
            vec![Diagnostic::new(
                Rule::SyntaxError,
                format!("SyntaxError: {}", error.error),
                start..end,
            )]
        }
    };
    diagnostics.extend(dep::check_script_metadata(source, settings));
    if bom > 0 {
        for diagnostic in &mut diagnostics {
            diagnostic.range = diagnostic.range.start + bom..diagnostic.range.end + bom;
            diagnostic.secret = diagnostic
                .secret
                .take()
                .map(|secret| secret.start + bom..secret.end + bom);
            for edit in diagnostic
                .fix
                .iter_mut()
                .flat_map(|fix| fix.edits.iter_mut())
            {
                edit.range = edit.range.start + bom..edit.range.end + bom;
            }
        }
        for call in &mut pending {
            call.range = call.range.start + bom..call.range.end + bom;
        }
    }
    crate::checker::CheckedModule {
        diagnostics,
        pending,
        runners,
    }
}

/// Checks a notebook's joined code cells (`text`): the Python cells parsed in IPython mode,
/// each on its own as ruff does (a cell with a syntax error is reported and left out), the
/// shell cells line by line.
fn lint_notebook(
    text: &str,
    cells: &crate::notebook::CellMap,
    settings: &Settings,
    path: &Path,
    project: Option<&ProjectModules>,
) -> crate::checker::CheckedModule {
    use crate::notebook::{CellKind, python_text};
    use ruff_python_ast::PySourceType;
    use ruff_python_parser::ParseOptions;
    use ruff_text_size::{TextRange, TextSize};

    let options = ParseOptions::from(PySourceType::Ipynb);
    let ranges = || {
        cells
            .cells()
            .iter()
            .filter(|cell| cell.kind != CellKind::Output)
            // Offsets past 4 GiB do not fit a `TextSize`, the offset type of the whole
            // parser: no source of that size can be parsed, notebook or not.
            .filter_map(|cell| {
                let start = TextSize::try_from(cell.range.start).ok()?;
                let end = TextSize::try_from(cell.range.end).ok()?;
                Some(TextRange::new(start, end))
            })
    };
    let mut diagnostics = Vec::new();
    let mut broken = HashSet::new();
    let mut python = python_text(text, cells, &|_| false);
    {
        let parsed = ruff_python_parser::parse_cells_unchecked(&python, ranges(), &options);
        for error in parsed.errors() {
            let start = error.location.start().to_usize();
            let end = error.location.end().to_usize().max(start);
            let Some(cell) = cells.cell_at(start) else {
                continue;
            };
            // The first error of a cell; the rest follow from it.
            if broken.insert(cell.number) {
                diagnostics.push(Diagnostic::new(
                    Rule::SyntaxError,
                    format!("SyntaxError: {}", error.error),
                    start..end,
                ));
            }
        }
    }
    if !broken.is_empty() {
        python = python_text(text, cells, &|cell| broken.contains(&cell.number));
    }
    let parsed = ruff_python_parser::parse_cells_unchecked(&python, ranges(), &options);
    let checked = Checker::new(&python, settings, path)
        .with_tokens(parsed.tokens())
        .with_project(project)
        .check_module_full(parsed.syntax());
    diagnostics.extend(checked.diagnostics);
    for cell in cells.cells() {
        match cell.kind {
            CellKind::Shell => diagnostics.extend(crate::rules::cli::check_shell_cell(
                text,
                cell.range.clone(),
                settings,
            )),
            CellKind::Output if settings.rules.contains(Rule::HardcodedToken) => {
                // The cell index was built from this text: its ranges lie inside it.
                let output = text.get(cell.range.clone()).unwrap_or_default();
                diagnostics.extend(crate::rules::sec::hardcoded_token::tokens_in_output(
                    output,
                    cell.range.start,
                ));
            }
            _ => {}
        }
    }
    crate::checker::CheckedModule {
        diagnostics,
        pending: checked.pending,
        // Nothing imports a notebook.
        runners: Runners::new(),
    }
}

/// Drops suppressed diagnostics and, when enabled, reports suppressions that matched nothing.
/// Pending calls lose the rules a directive suppresses on their lines (which counts as a use
/// of it: whether they report is only known after every file is checked).
fn apply_noqa(
    diagnostics: Vec<Diagnostic>,
    text: &str,
    settings: &Settings,
    pending: &mut [Pending],
) -> Vec<Diagnostic> {
    let report_unused = settings.rules.contains(Rule::UnusedNoqa);
    if diagnostics.is_empty() && pending.is_empty() && !report_unused {
        return diagnostics;
    }
    if let Some(directive) = noqa::file_directive(text) {
        for pending in pending.iter_mut() {
            pending.allowed.retain(|rule| !directive.suppresses(*rule));
        }
    }
    let file_wide = noqa::file_directive(text);
    let diagnostics: Vec<Diagnostic> = match &file_wide {
        Some(directive) => diagnostics
            .into_iter()
            .filter(|diagnostic| {
                diagnostic.rule.is_always_on() || !directive.suppresses(diagnostic.rule)
            })
            .collect(),
        None => diagnostics,
    };
    let index = crate::source::LineIndex::new(text);
    let mut directives: HashMap<usize, Option<Directive>> = HashMap::new();
    let mut directive_at = |line: usize| -> Option<Directive> {
        directives
            .entry(line)
            .or_insert_with(|| {
                let range = index.line_range(text, line);
                noqa::parse_line(&text[range.clone()], range.start)
            })
            .clone()
    };
    let mut used: HashSet<(usize, String)> = HashSet::new();
    for pending in pending.iter_mut() {
        let first = index.line_of(pending.call.range.start);
        let last = index.line_of(
            pending
                .call
                .range
                .end
                .saturating_sub(1)
                .max(pending.call.range.start),
        );
        pending.allowed.retain(|rule| {
            let suppressing = [first, last].into_iter().find(|line| {
                directive_at(*line).is_some_and(|directive| directive.suppresses(*rule))
            });
            if let Some(line) = suppressing {
                used.insert((line, rule.code().to_string()));
            }
            suppressing.is_none()
        });
    }
    let mut kept = Vec::with_capacity(diagnostics.len());
    for diagnostic in diagnostics {
        if diagnostic.rule.is_always_on() {
            kept.push(diagnostic);
            continue;
        }
        let first = index.line_of(diagnostic.range.start);
        let last = index.line_of(
            diagnostic
                .range
                .end
                .saturating_sub(1)
                .max(diagnostic.range.start),
        );
        let suppressing = [first, last].into_iter().find(|line| {
            directive_at(*line).is_some_and(|directive| directive.suppresses(diagnostic.rule))
        });
        match suppressing {
            Some(line) => {
                used.insert((line, diagnostic.rule.code().to_string()));
            }
            None => kept.push(diagnostic),
        }
    }
    if report_unused {
        for (offset, _) in text.match_indices("noqa") {
            let line = index.line_of(offset);
            if let Some(Directive::Codes(codes)) = directive_at(line) {
                let unused = |code: &str| {
                    Rule::from_code(code).is_some() && !used.contains(&(line, code.to_string()))
                };
                // One rewrite of the directive per line, shared by each of its unused
                // codes (identical edits are applied once).
                let fix = noqa::remove_codes(text, &index.line_range(text, line), &codes, |code| {
                    unused(code)
                });
                for (code, range) in &codes {
                    if unused(code) && range.start >= offset {
                        kept.push(
                            Diagnostic::new(
                                Rule::UnusedNoqa,
                                format!("Unused `noqa` directive (unused: `{code}`)"),
                                range.clone(),
                            )
                            .with_fix(fix.clone()),
                        );
                    }
                }
            }
        }
        kept.sort_by_key(|diagnostic| diagnostic.range.start);
        kept.dedup_by(|a, b| a.rule == b.rule && a.range == b.range);
    }
    kept
}

/// What every file's check may consult about the rest of the project.
#[derive(Clone, Copy)]
struct ProjectView<'a> {
    modules: &'a ProjectModules,
    manifests: &'a ManifestIndex,
}

/// The project-level knowledge a re-check needs to keep cross-module findings.
struct ProjectStep<'a> {
    view: ProjectView<'a>,
    runners: &'a RunnerTable,
}

/// Where the pin phase writes its results.
struct PinState<'a> {
    messages: &'a mut Vec<Message>,
    fixed: &'a mut Vec<FixedFile>,
    warnings: &'a mut Vec<String>,
}

/// Pins DEP001 findings: groups the files they are in by what to resolve, resolves each
/// group once, rewrites the files and re-checks them. A group that does not resolve
/// changes nothing and is reported with the resolver's explanation.
fn pin_flagged(
    state: &mut PinState<'_>,
    with_settings: &[(Candidate, PathBuf, Arc<Settings>)],
    graph: &RequirementsGraph,
    pinner: &dyn Pinner,
    cwd: &Path,
    project: &ProjectStep<'_>,
) {
    // Normalized path → (its current text, the DEP001 ranges in it).
    let mut flagged: BTreeMap<PathBuf, (Arc<SourceFile>, Vec<std::ops::Range<usize>>)> =
        BTreeMap::new();
    for message in state.messages.iter() {
        if message.rule == Rule::UnpinnedRequirement {
            flagged
                .entry(normalize_lexically(&message.file.path))
                .or_insert_with(|| (Arc::clone(&message.file), Vec::new()))
                .1
                .push(message.range.clone());
        }
    }
    let mut groups: BTreeMap<PinInput, (PathBuf, Vec<PathBuf>)> = BTreeMap::new();
    for path in flagged.keys() {
        let Some((candidate, absolute_path, _)) = with_settings
            .iter()
            .find(|(candidate, _, _)| normalize_lexically(&candidate.path) == *path)
        else {
            continue;
        };
        let (input, shown) = match candidate.kind {
            FileKind::Requirements => {
                let root = graph.root_of(path);
                (PinInput::Requirements(absolute(&root, cwd)), root)
            }
            FileKind::Pyproject => (PinInput::Pyproject(absolute_path.clone()), path.clone()),
            FileKind::Python | FileKind::ExtensionlessScript => {
                (PinInput::Script(absolute_path.clone()), path.clone())
            }
            FileKind::Dotenv | FileKind::Config | FileKind::Notebook => continue,
        };
        groups
            .entry(input)
            .or_insert_with(|| (shown, Vec::new()))
            .1
            .push(path.clone());
    }
    for (input, (shown, files)) in groups {
        let pins = match pinner.pin(&input) {
            Ok(pins) => pins,
            Err(error) => {
                state.warnings.push(format!(
                    "{}: DEP001 findings not pinned, nothing changed: {error}",
                    shown.display()
                ));
                continue;
            }
        };
        state.warnings.extend(
            pins.warnings
                .iter()
                .map(|warning| format!("{}: {warning}", shown.display())),
        );
        for path in files {
            let Some((file, ranges)) = flagged.get(&path) else {
                continue;
            };
            let Some((candidate, absolute_path, settings)) = with_settings
                .iter()
                .find(|(candidate, _, _)| normalize_lexically(&candidate.path) == path)
            else {
                continue;
            };
            let display = candidate.path.display().to_string();
            let (fixes, warnings) =
                dep::pin_edits::pin_fixes(candidate.kind, &file.text, ranges, &pins, &display);
            state.warnings.extend(warnings);
            let fixes: Vec<&Fix> = fixes.iter().collect();
            let (text, applied) = crate::fix::apply_indexed(&file.text, &fixes);
            if applied.is_empty() {
                continue;
            }
            if breaks_syntax(candidate.kind, &file.text, &text) {
                state.warnings.push(format!(
                    "{display}: DEP001 pins discarded: they would make the file unparsable (please report this)"
                ));
                continue;
            }
            let file_settings = settings.for_file(absolute_path);
            let context = graph.contexts.get(&path);
            let Checked {
                diagnostics,
                pending,
                ..
            } = check_text(
                candidate,
                &text,
                absolute_path,
                &file_settings,
                context,
                Some(project.view),
                None,
            );
            let fixed_secrets = secret_ranges(&diagnostics);
            let original_secrets: Vec<std::ops::Range<usize>> = state
                .messages
                .iter()
                .filter(|message| normalize_lexically(&message.file.path) == path)
                .filter_map(|message| message.secret.clone())
                .collect();
            // Problems of the include graph (E902 at an include line) are not re-derived.
            state.messages.retain(|message| {
                normalize_lexically(&message.file.path) != path || message.rule == Rule::IoError
            });
            let source = SourceFile::new(candidate.path.clone(), text.clone());
            state.messages.extend(
                diagnostics
                    .into_iter()
                    .map(|diagnostic| Message::from_diagnostic(diagnostic, &source)),
            );
            state.messages.extend(pending_messages(
                project.runners,
                &candidate.path,
                &source,
                pending,
                &file_settings,
            ));
            match state
                .fixed
                .iter_mut()
                .find(|fixed| normalize_lexically(&fixed.path) == path)
            {
                Some(fixed) => {
                    fixed.fixed = text;
                    fixed.fixed_secrets = fixed_secrets;
                    *fixed
                        .fixed_counts
                        .entry(Rule::UnpinnedRequirement)
                        .or_default() += applied.len();
                }
                None => state.fixed.push(FixedFile {
                    path: candidate.path.clone(),
                    absolute_path: absolute_path.clone(),
                    kind: candidate.kind,
                    original: file.text.clone(),
                    fixed: text,
                    fixed_counts: BTreeMap::from([(Rule::UnpinnedRequirement, applied.len())]),
                    original_secrets,
                    fixed_secrets,
                }),
            }
        }
    }
}

/// Which requirement files include or constrain which, so a file reached by `-r` is checked,
/// a constraints file pins what it constrains, and a broken include is reported.
struct RequirementsGraph {
    contexts: HashMap<PathBuf, RequirementsContext>,
    problems: Vec<Message>,
    /// For each file reached by `-r`, the files that include it that way.
    includers: HashMap<PathBuf, Vec<PathBuf>>,
}

impl RequirementsGraph {
    /// The file at the top of the `-r` chain above `path` (`path` itself when nothing
    /// includes it): DEP001 fixes resolve it whole, so pins agree across the tree.
    fn root_of(&self, path: &Path) -> PathBuf {
        let mut current = path.to_path_buf();
        let mut seen = HashSet::new();
        seen.insert(current.clone());
        while let Some(parent) = self
            .includers
            .get(&current)
            .and_then(|parents| parents.iter().min())
        {
            if !seen.insert(parent.clone()) {
                break;
            }
            current = parent.clone();
        }
        current
    }
}

struct RequirementsNode {
    includes: Vec<(skua_requirements::IncludeKind, PathBuf)>,
    pins: HashSet<skua_types::PackageName>,
    /// Names required without a pin: the only ones a constraints file can excuse.
    unpinned: Vec<skua_types::PackageName>,
}

/// Where requirement includes may point: inside the project of one of the paths being
/// linted (the nearest directory at or above it holding `.git` or `pyproject.toml`, else
/// the path itself). A hostile `-r /home/runner/.git-credentials` in a pull request must
/// not make a CI lint read and print files outside the checkout.
struct ProjectBoundary {
    roots: Vec<PathBuf>,
}

impl ProjectBoundary {
    fn new(paths: &[PathBuf], cwd: &Path) -> ProjectBoundary {
        let roots = paths
            .iter()
            // A path that does not exist (reported as E902 by the walk) has no includes.
            .filter_map(|path| {
                let path = std::fs::canonicalize(absolute(path, cwd)).ok()?;
                let start = if path.is_dir() {
                    path
                } else {
                    path.parent()?.to_path_buf()
                };
                let root = start
                    .ancestors()
                    .find(|dir| dir.join(".git").exists() || dir.join("pyproject.toml").is_file())
                    .unwrap_or(&start)
                    .to_path_buf();
                Some(root)
            })
            .collect();
        ProjectBoundary { roots }
    }

    /// Whether `dir` is one of the roots: manifests above it are not the project's.
    fn is_root(&self, dir: &Path) -> bool {
        std::fs::canonicalize(dir).is_ok_and(|real| self.roots.contains(&real))
    }

    /// Whether `target` (symbolic links resolved) is inside the project.
    fn contains(&self, target: &Path) -> bool {
        std::fs::canonicalize(target)
            .is_ok_and(|real| self.roots.iter().any(|root| real.starts_with(root)))
    }
}

impl RequirementsGraph {
    fn build(
        candidates: &mut Vec<Candidate>,
        cwd: &Path,
        boundary: &ProjectBoundary,
        resolver: &SettingsResolver,
    ) -> Result<RequirementsGraph, ConfigError> {
        use skua_requirements::{EntryKind, IncludeKind};
        let mut nodes: HashMap<PathBuf, RequirementsNode> = HashMap::new();
        let mut problems = Vec::new();
        let mut queue: Vec<PathBuf> = candidates
            .iter()
            .filter(|candidate| candidate.kind == FileKind::Requirements)
            .map(|candidate| candidate.path.clone())
            .collect();
        // Paths are compared in lexically normalized form (`./x.txt` is `x.txt`), so a file
        // found by the walk and reached by `-r` is one file, checked and reported once.
        let mut known: HashSet<PathBuf> = candidates
            .iter()
            .map(|candidate| normalize_lexically(&candidate.path))
            .collect();
        // How the walk spelled each path, for messages.
        let shown: HashMap<PathBuf, PathBuf> = candidates
            .iter()
            .map(|candidate| (normalize_lexically(&candidate.path), candidate.path.clone()))
            .collect();
        let mut included_by_requirement: HashSet<PathBuf> = HashSet::new();
        let mut included_by_constraint: HashSet<PathBuf> = HashSet::new();

        while let Some(path) = queue.pop() {
            let path = normalize_lexically(&path);
            if nodes.contains_key(&path) {
                continue;
            }
            let Ok(text) = skua_cache::read_user_file(&absolute(&path, cwd)) else {
                nodes.insert(
                    path,
                    RequirementsNode {
                        includes: Vec::new(),
                        pins: HashSet::new(),
                        unpinned: Vec::new(),
                    },
                );
                continue;
            };
            let parsed = skua_requirements::parse_requirements(&text);
            let mut node = RequirementsNode {
                includes: Vec::new(),
                pins: HashSet::new(),
                unpinned: Vec::new(),
            };
            let mut file: Option<Arc<SourceFile>> = None;
            for entry in &parsed.entries {
                match &entry.kind {
                    EntryKind::Requirement(requirement) if requirement.is_pinned() => {
                        node.pins.extend(requirement.package_name.clone());
                    }
                    EntryKind::Requirement(requirement) => {
                        node.unpinned.extend(requirement.package_name.clone());
                    }
                    EntryKind::Include {
                        kind,
                        path: target,
                        span,
                    } => {
                        if target.contains("://") {
                            continue;
                        }
                        let base = path.parent().unwrap_or(Path::new(""));
                        let target_path = normalize_lexically(&base.join(target));
                        let absolute_target = absolute(&target_path, cwd);
                        let outside = absolute_target.is_file()
                            && !boundary.contains(&absolute_target)
                            && !resolver
                                .for_dir(absolute(base, cwd).as_path())?
                                .allow_outside_includes;
                        let problem = if outside {
                            Some(format!(
                                "Included file `{target}` is outside the project and was not read (set `allow-outside-includes = true` to read it)"
                            ))
                        } else if !absolute_target.is_file() {
                            Some(format!("Included file `{target}` does not exist"))
                        } else {
                            None
                        };
                        if let Some(message) = problem {
                            let file = file.get_or_insert_with(|| {
                                let display = shown.get(&path).unwrap_or(&path);
                                SourceFile::new(display.clone(), text.clone())
                            });
                            problems.push(Message::from_diagnostic(
                                Diagnostic::new(Rule::IoError, message, span.clone()),
                                file,
                            ));
                            continue;
                        }
                        match kind {
                            IncludeKind::Requirements => {
                                included_by_requirement.insert(target_path.clone())
                            }
                            IncludeKind::Constraints => {
                                included_by_constraint.insert(target_path.clone())
                            }
                        };
                        if known.insert(target_path.clone()) {
                            candidates.push(Candidate {
                                path: target_path.clone(),
                                kind: FileKind::Requirements,
                                explicit: false,
                            });
                        }
                        queue.push(target_path.clone());
                        node.includes.push((*kind, target_path));
                    }
                    _ => {}
                }
            }
            nodes.insert(path, node);
        }

        // Which files are asked to pin: constraints files and compiled inputs are not.
        let mut flags: HashMap<&PathBuf, (bool, bool)> = HashMap::new();
        for path in nodes.keys() {
            let name = path
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or("");
            let named_constraints = name.to_ascii_lowercase().starts_with("constraints");
            let is_constraints_file = !included_by_requirement.contains(path)
                && (included_by_constraint.contains(path) || named_constraints);
            let is_compiled_input = path.extension().is_some_and(|extension| extension == "in")
                && absolute(&path.with_extension("txt"), cwd).is_file();
            flags.insert(path, (is_constraints_file, is_compiled_input));
        }
        let asked = |path: &PathBuf| flags.get(path).is_some_and(|(c, i)| !c && !i);
        let excused = constraint_pins(&nodes, &asked);
        let mut contexts = HashMap::new();
        for path in nodes.keys() {
            let (is_constraints_file, is_compiled_input) =
                flags.get(path).copied().unwrap_or_default();
            contexts.insert(
                path.clone(),
                RequirementsContext {
                    is_constraints_file,
                    is_compiled_input,
                    constraint_pins: excused.get(path).cloned().unwrap_or_default(),
                },
            );
        }
        let mut includers: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
        for (path, node) in &nodes {
            for (kind, target) in &node.includes {
                if *kind == IncludeKind::Requirements {
                    includers
                        .entry(target.clone())
                        .or_default()
                        .push(path.clone());
                }
            }
        }
        Ok(RequirementsGraph {
            contexts,
            problems,
            includers,
        })
    }
}

/// For each file asked to pin, which of its unpinned names a constraints file applying to
/// it pins: the constraints files it names with `-c` and those of every file including it
/// through `-r`, transitively, each with everything it includes. Computed with bit sets
/// over the names asked about, propagated in topological order: a chain where every file
/// includes the next with both `-r` and `-c` costs files × asked names / 64 word
/// operations (it was cubic: each file's constraints copied again per depth). Iterative
/// throughout, so a chain of any length cannot overflow the stack.
fn constraint_pins(
    nodes: &HashMap<PathBuf, RequirementsNode>,
    asked: &dyn Fn(&PathBuf) -> bool,
) -> HashMap<PathBuf, HashSet<skua_types::PackageName>> {
    use skua_requirements::IncludeKind;
    let mut names: HashMap<&skua_types::PackageName, usize> = HashMap::new();
    for (path, node) in nodes {
        if asked(path) {
            for name in &node.unpinned {
                let next = names.len();
                names.entry(name).or_insert(next);
            }
        }
    }
    if names.is_empty() {
        return HashMap::new();
    }
    let words = names.len().div_ceil(64);
    let mut paths: Vec<&PathBuf> = nodes.keys().collect();
    paths.sort();
    let id: HashMap<&PathBuf, usize> = paths.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let edges: Vec<Vec<(IncludeKind, usize)>> = paths
        .iter()
        .map(|path| {
            nodes[*path]
                .includes
                .iter()
                .filter_map(|(kind, target)| id.get(target).map(|&t| (*kind, t)))
                .collect()
        })
        .collect();
    // Post-order (includes before their includers), by an explicit stack.
    let mut order = Vec::with_capacity(paths.len());
    let mut visited = vec![false; paths.len()];
    for root in 0..paths.len() {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        let mut stack = vec![(root, 0usize)];
        while let Some((node, next)) = stack.last_mut() {
            if let Some(&(_, child)) = edges[*node].get(*next) {
                *next += 1;
                if !visited[child] {
                    visited[child] = true;
                    stack.push((child, 0));
                }
            } else {
                order.push(*node);
                stack.pop();
            }
        }
    }
    let or_into = |sets: &mut [u64], into: usize, from: usize| -> bool {
        let mut changed = false;
        for w in 0..words {
            let bits = sets[from * words + w];
            let slot = &mut sets[into * words + w];
            if *slot | bits != *slot {
                *slot |= bits;
                changed = true;
            }
        }
        changed
    };
    // The asked names each file pins or includes a pin of. One pass in post-order is
    // exact without cycles; passes repeat until nothing changes (include cycles).
    let mut closure = vec![0u64; paths.len() * words];
    for (i, path) in paths.iter().enumerate() {
        for pin in &nodes[*path].pins {
            if let Some(&bit) = names.get(pin) {
                closure[i * words + bit / 64] |= 1 << (bit % 64);
            }
        }
    }
    loop {
        let mut changed = false;
        for &node in &order {
            for &(_, child) in &edges[node] {
                changed |= or_into(&mut closure, node, child);
            }
        }
        if !changed {
            break;
        }
    }
    // The asked names pinned by the constraints applying to each file: includers first.
    let mut applying = vec![0u64; paths.len() * words];
    loop {
        let mut changed = false;
        for &node in order.iter().rev() {
            // Its own `-c` targets first, so what it passes down is complete.
            for &(kind, child) in &edges[node] {
                if kind == IncludeKind::Constraints {
                    for w in 0..words {
                        let bits = closure[child * words + w];
                        let slot = &mut applying[node * words + w];
                        if *slot | bits != *slot {
                            *slot |= bits;
                            changed = true;
                        }
                    }
                }
            }
            for &(kind, child) in &edges[node] {
                if kind == IncludeKind::Requirements {
                    changed |= or_into(&mut applying, child, node);
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut excused = HashMap::new();
    for (i, path) in paths.iter().enumerate() {
        if !asked(path) {
            continue;
        }
        let set: HashSet<skua_types::PackageName> = nodes[*path]
            .unpinned
            .iter()
            .filter(|name| {
                names
                    .get(name)
                    .is_some_and(|&bit| applying[i * words + bit / 64] & (1 << (bit % 64)) != 0)
            })
            .cloned()
            .collect();
        if !set.is_empty() {
            excused.insert((*path).clone(), set);
        }
    }
    excused
}

/// `a/b/../c` → `a/c` without touching the file system (keeps paths as the user wrote them).
pub(crate) fn normalize_lexically(path: &Path) -> PathBuf {
    let mut normalized = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !normalized.pop() {
                    normalized.push("..");
                }
            }
            other => normalized.push(other),
        }
    }
    normalized
}
