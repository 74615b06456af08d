//! What `skua lint --fix`, `--fix-only` and `--diff` print and write; the fixes themselves
//! are computed by `skua_lint`.

use std::path::Path;

use miette::miette;
use skua_lint::fix::{Applicability, FixMode};
use skua_lint::linter::LintResult;
use skua_lint::report::{self, OutputFormat};

use super::write_out;
use crate::Outcome;
use crate::args::LintArgs;

pub(crate) fn problems(count: usize) -> &'static str {
    if count == 1 { "problem" } else { "problems" }
}

/// Exit 1 for findings left (`remaining`), or for anything fixed with
/// `--exit-non-zero-on-fix`, as ruff does.
pub(crate) fn outcome(args: &LintArgs, remaining: bool, fixed: usize) -> Outcome {
    if remaining || (args.exit_non_zero_on_fix && fixed > 0) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// Every changed file replaced atomically (temp file + rename, mode kept).
pub(crate) fn write(result: &LintResult, cwd: &Path) -> miette::Result<()> {
    for file in &result.fixed {
        skua_cache::replace_file(&file.absolute_path, file.fixed.as_bytes(), cwd)
            .map_err(|error| miette!("could not write {}: {error}", file.path.display()))?;
    }
    Ok(())
}

/// `--diff`: the diffs on stdout, nothing written; exit 1 when there is something to fix.
pub(crate) fn diff(args: &LintArgs, result: &LintResult, fixed: usize) -> miette::Result<Outcome> {
    let mut stdout = anstream::stdout().lock();
    for file in &result.fixed {
        write_out(&mut stdout, &file.diff())?;
    }
    if !args.quiet {
        if fixed == 0 {
            eprintln!("No fixes available.");
        } else {
            eprintln!(
                "Would fix {fixed} {} in {} {}.",
                problems(fixed),
                result.fixed.len(),
                if result.fixed.len() == 1 {
                    "file"
                } else {
                    "files"
                }
            );
        }
    }
    Ok(if fixed > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Fixing stdin (an editor's buffer): the fixed text (or its diff) on stdout, what is left
/// on stderr.
pub(crate) fn stdin(
    args: &LintArgs,
    result: &LintResult,
    original: &str,
    fixed: usize,
) -> miette::Result<Outcome> {
    if args.diff {
        return diff(args, result, fixed);
    }
    let text = result
        .fixed
        .first()
        .map_or(original, |file| file.fixed.as_str());
    let mut stdout = anstream::stdout().lock();
    write_out(&mut stdout, text)?;
    if args.fix_only {
        return Ok(outcome(args, false, fixed));
    }
    if !result.messages.is_empty() {
        let rendered = report::render(&result.messages, OutputFormat::Concise);
        eprint!("{}", anstream::adapter::strip_str(&rendered));
    }
    Ok(outcome(
        args,
        !result.messages.is_empty() && !args.exit_zero,
        fixed,
    ))
}

/// `[*] 2 fixable with `--fix`` under the summary, as ruff says it.
pub(crate) fn fixable_hint(messages: &[skua_lint::Message], mode: FixMode) -> String {
    let count = |applicability| {
        messages
            .iter()
            .filter(|message| {
                message
                    .fix
                    .as_ref()
                    .is_some_and(|fix| fix.applicability == applicability)
            })
            .count()
    };
    let (safe, unsafe_count) = (count(Applicability::Safe), count(Applicability::Unsafe));
    let unsafe_on = matches!(mode, FixMode::Apply { unsafe_fixes: true });
    let mut hint = String::new();
    if mode == FixMode::Off && safe > 0 {
        hint.push_str(&format!("[*] {safe} fixable with `skua lint --fix`.\n"));
    }
    if !unsafe_on && unsafe_count > 0 {
        hint.push_str(&format!(
            "{unsafe_count} more fixable with `--fix --unsafe-fixes` (they may change behaviour).\n"
        ));
    }
    hint
}
