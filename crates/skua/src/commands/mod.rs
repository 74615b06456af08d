//! Runs a parsed command and prints its result.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use miette::{IntoDiagnostic, miette};
use skua_lint::Rule;
use skua_lint::report::{self, OutputFormat as ReportFormat};
use skua_lint::settings::{Options, SettingsResolver};

use crate::Outcome;
use crate::args::{Cli, Command, LintArgs, OutputFormat, RuleArgs};

mod env;
mod lock;

pub fn run(cli: Cli) -> miette::Result<Outcome> {
    match cli.command {
        Command::Lint(args) => lint(args),
        Command::Rule(args) => rule(args),
        Command::Lock(args) => lock::run(args),
        Command::Venv(args) => env::venv(args),
        Command::Sync(args) => env::sync(args),
        Command::Run(args) => env::run(args),
    }
}

fn validated(list: &[String], flag: &str) -> miette::Result<()> {
    for entry in list {
        skua_lint::registry::RuleSelector::parse(entry)
            .map_err(|message| miette!("invalid value for `{flag}`: {message}"))?;
    }
    Ok(())
}

fn lint(args: LintArgs) -> miette::Result<Outcome> {
    if let Some(select) = &args.select {
        validated(select, "--select")?;
    }
    validated(&args.extend_select, "--extend-select")?;
    validated(&args.ignore, "--ignore")?;
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
    let result = skua_lint::lint(&paths, &resolver, &cwd).map_err(|error| miette!("{error}"))?;

    let mut stdout = anstream::stdout().lock();
    let output = if args.statistics {
        report::statistics(&result.messages)
    } else {
        let format = match args.output_format {
            OutputFormat::Full => ReportFormat::Full,
            OutputFormat::Concise => ReportFormat::Concise,
            OutputFormat::Json => ReportFormat::Json,
            OutputFormat::Github => ReportFormat::Github,
        };
        report::render(&result.messages, format)
    };
    write_out(&mut stdout, &output)?;
    let human = !matches!(
        args.output_format,
        OutputFormat::Json | OutputFormat::Github
    ) || args.statistics;
    if human && !args.quiet {
        let count = result.messages.len();
        let files = result.files_checked;
        let summary = match count {
            0 => format!("All checks passed ({files} files checked).\n"),
            1 => format!("Found 1 problem ({files} files checked).\n"),
            _ => format!("Found {count} problems ({files} files checked).\n"),
        };
        write_out(&mut stdout, &summary)?;
    }
    if result.messages.is_empty() || args.exit_zero {
        Ok(Outcome::Clean)
    } else {
        Ok(Outcome::Findings)
    }
}

/// Index settings from flags, falling back to the environment variables pip and uv users set.
pub(crate) struct Indexes {
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub offline: bool,
    pub cache: skua_index::Cache,
}

pub(crate) fn indexes(args: &crate::args::IndexArgs) -> miette::Result<Indexes> {
    let cache = match &args.cache_dir {
        Some(dir) => skua_index::Cache::new(dir),
        None => skua_index::Cache::from_env().map_err(|error| miette!("{error}"))?,
    };
    let extra_index_urls = if args.extra_index_url.is_empty() {
        env_list(&["SKUA_EXTRA_INDEX_URL", "PIP_EXTRA_INDEX_URL"])
    } else {
        args.extra_index_url.clone()
    };
    Ok(Indexes {
        index_url: args.index_url.clone().or_else(|| {
            env_list(&["SKUA_INDEX_URL", "PIP_INDEX_URL"])
                .into_iter()
                .next()
        }),
        extra_index_urls,
        offline: args.offline,
        cache,
    })
}

/// The first of these environment variables that is set, split on whitespace
/// (`PIP_EXTRA_INDEX_URL` holds several URLs).
pub(crate) fn env_list(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        })
        .map(|value| value.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
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
                    "# {} ({})\n\n{}\n",
                    rule.name(),
                    rule.code(),
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
                .and_then(|message| message.split_once('(').map(|(_, hint)| format!(" ({hint}")))
                .unwrap_or_default();
            miette!("unknown rule `{code}`{hint}; run `skua rule --all` to list every rule")
        })?;
    write_out(
        &mut stdout,
        &format!(
            "# {} ({})\n\n{}",
            rule.name(),
            rule.code(),
            rule.explanation()
        ),
    )?;
    Ok(Outcome::Clean)
}
