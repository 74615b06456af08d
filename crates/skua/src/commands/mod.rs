//! Runs a parsed command and prints its result.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use miette::{IntoDiagnostic, miette};
use skua_lint::Rule;
use skua_lint::fix::FixMode;
use skua_lint::linter::FixedFile;
use skua_lint::report::{self, OutputFormat as ReportFormat};
use skua_lint::settings::{Options, SettingsResolver};

use crate::Outcome;
use crate::args::{Cli, Command, LintArgs, OutputFormat, RuleArgs};

mod env;
mod fix;
mod lock;
mod settings;

pub fn run(cli: Cli) -> miette::Result<Outcome> {
    match cli.command {
        Command::Lint(args) => lint(args),
        Command::Rule(args) => rule(args),
        Command::Lock(args) => lock::run(args),
        Command::Venv(args) => env::venv(args),
        Command::Sync(args) => env::sync(args),
        Command::Run(args) => env::run(args),
        Command::GenerateShellCompletion(args) => {
            let mut command = <crate::args::Cli as clap::CommandFactory>::command();
            let mut stdout = std::io::stdout().lock();
            clap_complete::generate(args.shell, &mut command, "skua", &mut stdout);
            Ok(Outcome::Clean)
        }
    }
}

fn validated(list: &[String], flag: &str) -> miette::Result<()> {
    for entry in list {
        skua_lint::registry::RuleSelector::parse(entry)
            .map_err(|error| miette!("invalid value for `{flag}`: {error}"))?;
    }
    Ok(())
}

/// An exclude pattern that is empty or not a glob would silently exclude nothing.
fn validated_patterns(list: &[String], flag: &str) -> miette::Result<()> {
    for pattern in list {
        skua_settings::config::validate_exclude_pattern(pattern)
            .map_err(|error| miette!("invalid value for `{flag}`: {error}"))?;
    }
    Ok(())
}

fn lint(args: LintArgs) -> miette::Result<Outcome> {
    if let Some(select) = &args.select {
        validated(select, "--select")?;
    }
    validated(&args.extend_select, "--extend-select")?;
    validated(&args.ignore, "--ignore")?;
    if let Some(exclude) = &args.exclude {
        validated_patterns(exclude, "--exclude")?;
    }
    validated_patterns(&args.extend_exclude, "--extend-exclude")?;
    let non_empty = |list: &Vec<String>| (!list.is_empty()).then(|| list.clone());
    let overrides = Options {
        select: args.select.clone(),
        extend_select: non_empty(&args.extend_select),
        ignore: non_empty(&args.ignore),
        exclude: args.exclude.clone(),
        extend_exclude: non_empty(&args.extend_exclude),
        ..Options::default()
    };
    let cwd = std::env::current_dir().into_diagnostic()?;
    let resolver = if args.isolated {
        SettingsResolver::isolated(overrides, &cwd)
    } else {
        SettingsResolver::new(overrides, args.config.as_deref(), &cwd)
            .map_err(|error| miette!("{error}"))?
    };
    let resolver = Arc::new(resolver);
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    if args.show_settings {
        let first = std::path::absolute(skua_lint::settings::absolute(&paths[0], &cwd))
            .into_diagnostic()?;
        let dir = if first.is_dir() {
            first.clone()
        } else {
            first
                .parent()
                .map_or_else(|| cwd.clone(), std::path::Path::to_path_buf)
        };
        let shown = resolver.show(&dir).map_err(|error| miette!("{error}"))?;
        let mut stdout = anstream::stdout().lock();
        write_out(
            &mut stdout,
            &format!("# settings for {}\n{shown}", first.display()),
        )?;
        return Ok(Outcome::Clean);
    }
    let fix_mode = if args.fix || args.fix_only || args.diff {
        FixMode::Apply {
            unsafe_fixes: args.unsafe_fixes,
        }
    } else {
        FixMode::Off
    };
    let from_stdin = paths.iter().any(|path| path.as_os_str() == "-");
    let mut stdin_text = None;
    let result = if from_stdin {
        if paths.len() > 1 {
            return Err(miette!("`-` (stdin) cannot be combined with other paths"));
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes).into_diagnostic()?;
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        if fix_mode.is_on() {
            stdin_text = Some(String::from_utf8_lossy(&bytes).into_owned());
        }
        skua_lint::lint_stdin(bytes, &name, &resolver, &cwd, fix_mode)
    } else {
        let options = skua_lint::LintOptions {
            force_exclude: args.force_exclude,
            fix: fix_mode,
            // DEP004 maps import names through the active environment when the project
            // has no `.venv` of its own.
            environment: std::env::var_os("VIRTUAL_ENV")
                .filter(|value| !value.is_empty())
                .map(PathBuf::from),
        };
        let first = skua_lint::settings::absolute(&paths[0], &cwd);
        let start = if first.is_dir() {
            first
        } else {
            first
                .parent()
                .map_or_else(|| cwd.clone(), std::path::Path::to_path_buf)
        };
        let pinner = fix_mode.is_on().then(|| fix::pinner(&args, &start));
        let pinner = pinner
            .as_ref()
            .map(|pinner| pinner as &dyn skua_lint::pin::Pinner);
        skua_lint::linter::lint_and_pin(&paths, &resolver, &cwd, options, pinner)
    }
    .map_err(|error| miette!("{error}"))?;
    if args.verbose {
        for (path, kind) in &result.checked {
            eprintln!("skua: checked {} ({kind:?})", path.display());
        }
        for (path, why) in &result.skipped {
            eprintln!("skua: skipped {}: {why}", path.display());
        }
    } else {
        // Excluded files are skipped on request; a file of an unknown kind is worth a word.
        let unknown = result
            .skipped
            .iter()
            .filter(|(_, why)| *why == skua_lint::discovery::SkipReason::UnknownKind);
        for (path, why) in unknown {
            eprintln!("warning: skipped {}: {why}", path.display());
        }
    }
    for path in resolver.unreadable_configs() {
        eprintln!(
            "warning: {} is not valid TOML; any [tool.skua] settings in it were not applied",
            path.display()
        );
    }
    for unmatched in resolver.unmatched_excludes() {
        let origin = match &unmatched.config {
            Some(path) => format!("in {}", path.display()),
            None => "on the command line".to_string(),
        };
        eprintln!(
            "warning: exclude pattern `{}` ({origin}) matched no file or directory under the paths checked",
            unmatched.pattern
        );
    }

    for warning in &result.fix_warnings {
        eprintln!("warning: {warning}");
    }
    let fixed_total: usize = result.fixed.iter().map(FixedFile::fixed_total).sum();
    if let Some(original) = &stdin_text {
        // Pins resolve files on disk (their -r/-c graph); a buffer has none.
        if result
            .messages
            .iter()
            .any(|m| m.rule == Rule::UnpinnedRequirement)
        {
            eprintln!(
                "warning: DEP001 findings are not pinned when reading stdin; run `skua lint --fix` on the file"
            );
        }
        return fix::stdin(&args, &result, original, fixed_total);
    }
    if args.diff {
        return fix::diff(&args, &result, fixed_total);
    }
    if fix_mode.is_on() {
        fix::write(&result, &cwd)?;
        if args.fix_only {
            if !args.quiet {
                eprintln!("Fixed {fixed_total} {}.", fix::problems(fixed_total));
            }
            return Ok(fix::outcome(&args, false, fixed_total));
        }
    }

    let first_dir = {
        let first = skua_lint::settings::absolute(&paths[0], &cwd);
        if first.is_dir() {
            first
        } else {
            first
                .parent()
                .map_or_else(|| cwd.clone(), std::path::Path::to_path_buf)
        }
    };
    let mut messages = result.messages;
    if args.add_noqa {
        if from_stdin {
            return Err(miette!(
                "--add-noqa edits files; it cannot be used with `-` (stdin)"
            ));
        }
        for notebook in skua_lint::add_noqa::skipped_notebooks(&messages) {
            eprintln!(
                "warning: noqa directives are not added to notebooks: {}",
                notebook.display()
            );
        }
        let edits = skua_lint::add_noqa::plan(&messages);
        let (mut added, mut unplaceable) = (0, 0);
        for edit in &edits {
            if edit.added > 0 {
                let path = skua_lint::settings::absolute(&edit.path, &cwd);
                skua_cache::replace_file(&path, edit.text.as_bytes(), &cwd)
                    .map_err(|error| miette!("{error}"))?;
            }
            added += edit.added;
            unplaceable += edit.unplaceable;
        }
        if !args.quiet {
            eprintln!("Added {added} noqa directives.");
        }
        if unplaceable > 0 {
            eprintln!(
                "warning: {unplaceable} findings are inside multi-line strings or continuations and got no directive"
            );
        }
        return Ok(Outcome::Clean);
    }
    if let Some(path) = &args.write_baseline {
        let text = skua_lint::baseline::Baseline::render(&messages);
        skua_cache::replace_file(path, text.as_bytes(), &cwd)
            .map_err(|error| miette!("{error}"))?;
        if !args.quiet {
            eprintln!(
                "Wrote {} findings to the baseline {}.",
                messages.len(),
                path.display()
            );
        }
        return Ok(Outcome::Clean);
    }
    // `--baseline`, else the `baseline` key of the configuration governing the first path.
    let baseline_path = match &args.baseline {
        Some(path) => Some(path.clone()),
        None => resolver
            .for_dir(&first_dir)
            .map_err(|error| miette!("{error}"))?
            .baseline
            .clone(),
    };
    let mut in_baseline = 0;
    if let Some(path) = &baseline_path {
        let baseline = skua_lint::baseline::Baseline::load(path).into_diagnostic()?;
        (messages, in_baseline) = baseline.filter(messages);
    }

    let format = match args.output_format {
        OutputFormat::Full => ReportFormat::Full,
        OutputFormat::Concise => ReportFormat::Concise,
        OutputFormat::Json => ReportFormat::Json,
        OutputFormat::JsonLines => ReportFormat::JsonLines,
        OutputFormat::Github => ReportFormat::Github,
        OutputFormat::Gitlab => ReportFormat::Gitlab,
        OutputFormat::Junit => ReportFormat::Junit,
        OutputFormat::Sarif => ReportFormat::Sarif,
    };
    let machine = !matches!(format, ReportFormat::Full | ReportFormat::Concise);
    let output = match (args.statistics, format) {
        (true, ReportFormat::Json) => report::statistics_json(&messages),
        (true, _) => report::statistics(&messages),
        (false, format) => report::render(&messages, format),
    };
    let mut stdout = anstream::stdout().lock();
    match &args.output_file {
        // Written whole or not at all; colors never go to a file.
        Some(path) => {
            let plain = anstream::adapter::strip_str(&output).to_string();
            skua_cache::replace_file(path, plain.as_bytes(), &cwd)
                .map_err(|error| miette!("{error}"))?;
        }
        None => write_out(&mut stdout, &output)?,
    }
    let human = !machine || (args.statistics && format != ReportFormat::Json);
    if (human || args.output_file.is_some()) && !args.quiet {
        let count = messages.len();
        let files = result.files_checked;
        let baselined = if in_baseline > 0 {
            format!(", {in_baseline} more in the baseline")
        } else {
            String::new()
        };
        let mut summary = match (count, fixed_total) {
            (0, 0) => format!("All checks passed ({files} files checked{baselined}).\n"),
            (_, 0) => format!(
                "Found {count} {} ({files} files checked{baselined}).\n",
                fix::problems(count)
            ),
            (_, fixed) => format!(
                "Found {} {} ({fixed} fixed, {count} remaining; {files} files checked{baselined}).\n",
                count + fixed,
                fix::problems(count + fixed)
            ),
        };
        summary.push_str(&fix::fixable_hint(&messages, fix_mode));
        write_out(&mut stdout, &summary)?;
    }
    Ok(fix::outcome(
        &args,
        !messages.is_empty() && !args.exit_zero,
        fixed_total,
    ))
}

/// A closed pipe (`skua lint | head`) ends output quietly instead of failing.
pub(crate) fn write_out(out: &mut impl Write, text: &str) -> miette::Result<()> {
    match out.write_all(text.as_bytes()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other.into_diagnostic(),
    }
}

fn rule(args: RuleArgs) -> miette::Result<Outcome> {
    let mut stdout = anstream::stdout().lock();
    if args.all {
        for rule in Rule::ALL {
            write_out(
                &mut stdout,
                &format!(
                    "# {} ({})\n\n{}\n\n{}\n",
                    rule.name(),
                    rule.code(),
                    rule.fix().describe(),
                    rule.explanation()
                ),
            )?;
        }
        return Ok(Outcome::Clean);
    }
    let code = args.code.unwrap_or_default();
    let rule = Rule::from_code(&code)
        .or_else(|| Rule::ALL.iter().copied().find(|rule| rule.name() == code))
        .ok_or_else(|| {
            let hint = skua_lint::registry::RuleSelector::parse(&code)
                .err()
                .and_then(|error| error.suggestion)
                .map(|code| format!(" (did you mean `{code}`?)"))
                .unwrap_or_default();
            miette!("unknown rule `{code}`{hint}; run `skua rule --all` to list every rule")
        })?;
    write_out(
        &mut stdout,
        &format!(
            "# {} ({})\n\n{}\n\n{}",
            rule.name(),
            rule.code(),
            rule.fix().describe(),
            rule.explanation()
        ),
    )?;
    Ok(Outcome::Clean)
}
