//! What `skua lint --fix`, `--fix-only` and `--diff` print and write; the fixes themselves
//! are computed by `skua_lint`.

use std::path::Path;

use miette::miette;
use skua_lint::fix::{Applicability, FixMode};
use skua_lint::linter::LintResult;
use skua_lint::report::{self, OutputFormat};

use skua_lint::pin::{PinSetup, ResolverPinner};
use skua_settings::PackageFlags;

use super::{settings, write_out};
use crate::Outcome;
use crate::args::{ConfigArgs, LintArgs};

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

/// The resolver set-up DEP001 fixes use, built on first use: the configuration found
/// upward from the first path (as `skua lock` finds it from its input), `--python-version`,
/// `--python-platform` and `--exclude-newer` from the lint command line.
pub(crate) fn pinner(args: &LintArgs, first_dir: &Path) -> ResolverPinner {
    let config_args = ConfigArgs {
        config: args.config.clone(),
        isolated: args.isolated,
    };
    let flags = PackageFlags {
        python_version: args.python_version.clone(),
        python_platform: args.python_platform.clone(),
        exclude_newer: args.exclude_newer.clone(),
        ..PackageFlags::default()
    };
    let start = first_dir.to_path_buf();
    ResolverPinner::new(move || {
        let text = |report: miette::Report| report.to_string();
        let config = settings::config_file(&config_args, &start).map_err(text)?;
        let resolved = settings::resolve(&flags, config.as_ref()).map_err(text)?;
        let target = super::lock::target(&resolved).map_err(text)?;
        let context = settings::context(&resolved, None).map_err(text)?;
        let sdist_builder = Some(skua_sync::build::lazy_sdist_builder(&context));
        Ok(PinSetup {
            context,
            target,
            exclude_newer: resolved.exclude_newer.value,
            sdist_builder,
        })
    })
}
