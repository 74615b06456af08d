//! `skua lock`: map flags to a lock request, show progress, print or write the result.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use miette::{IntoDiagnostic, LabeledSpan, NamedSource, miette};
use skua_platform::Target;
use skua_resolve::inputs::ProjectSelection;
use skua_resolve::lock::{LockError, LockFormat, LockRequest, UniversalLock, is_up_to_date};
use skua_resolve::{
    Hint, NoSolution, PrereleaseMode, Progress, RequirementsTxtStyle, ResolveError, Upgrade,
};
use skua_settings::{PackageFlags, PackageSettings};
use skua_types::PackageName;

use super::settings;
use crate::Outcome;
use crate::args::{LockArgs, LockFormatArg, PrereleaseArg};

pub(crate) fn target(settings: &PackageSettings) -> miette::Result<Target> {
    let local = || Target::from_interpreter("python3").map_err(|error| miette!("{error}"));
    match (
        &settings.python_version.value,
        &settings.python_platform.value,
    ) {
        (Some(version), Some(platform)) => {
            Target::new(version, platform).map_err(|error| miette!("{error}"))
        }
        (None, None) => local(),
        (Some(version), None) => {
            let machine = local()?;
            let (major, minor, patch) =
                skua_platform::parse_python_version(version).map_err(|error| miette!("{error}"))?;
            Ok(Target {
                python: (major, minor),
                python_full: format!("{major}.{minor}.{}", patch.unwrap_or(0)),
                ..machine
            })
        }
        (None, Some(platform)) => {
            let machine = local()?;
            let version = machine.python_version_string();
            Target::new(&version, platform).map_err(|error| miette!("{error}"))
        }
    }
}

/// The Python a universal lock starts from when the inputs name none: `--python-version`,
/// else the local `python3`'s. The platform is every platform, so none may be configured.
fn universal_target(settings: &PackageSettings) -> miette::Result<Target> {
    if let Some(platform) = &settings.python_platform.value {
        return Err(miette!(
            help = "remove it, or lock for that platform without --universal",
            "--universal locks for every platform, but python-platform is set to `{platform}` ({})",
            settings.python_platform.source
        ));
    }
    match &settings.python_version.value {
        Some(version) => Target::new(version, "linux").map_err(|error| miette!("{error}")),
        None => target(settings),
    }
}

/// `--python-version` (flag, environment or config) as a universal lock's floor.
fn universal_floor(settings: &PackageSettings) -> miette::Result<Option<(u16, u16)>> {
    settings
        .python_version
        .value
        .as_deref()
        .map(|version| {
            skua_platform::parse_python_version(version)
                .map(|(major, minor, _)| (major, minor))
                .map_err(|error| miette!("{error}"))
        })
        .transpose()
}

/// The command that regenerates the output, for the file header.
fn command_line() -> String {
    let mut words: Vec<String> = vec!["skua".into(), "lock".into()];
    let skip_next = ["--cache-dir"];
    let mut skipping = false;
    for arg in std::env::args().skip(2) {
        if skipping {
            skipping = false;
            continue;
        }
        if skip_next.contains(&arg.as_str()) {
            skipping = true;
            continue;
        }
        // Credentials in index URLs must not end up in a committed file.
        if arg.contains("://") && arg.contains('@') {
            words.push(skua_index::redact_url(
                &match skua_index::Url::parse(&arg) {
                    Ok(url) => url,
                    Err(_) => continue,
                },
            ));
            continue;
        }
        if matches!(
            arg.as_str(),
            "--check" | "--quiet" | "-q" | "--no-progress" | "--offline" | "--refresh"
        ) || arg.starts_with("--cache-dir=")
        {
            continue;
        }
        words.push(arg);
    }
    words.join(" ")
}

fn default_inputs() -> Vec<PathBuf> {
    ["requirements.in", "pyproject.toml"]
        .iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
        .into_iter()
        .collect()
}

pub fn run(args: LockArgs) -> miette::Result<Outcome> {
    let mut request_inputs = if args.inputs.is_empty() && args.script.is_none() {
        default_inputs()
    } else {
        args.inputs.clone()
    };
    let first_input = request_inputs.first().or(args.script.as_ref());
    let config = settings::config_file(
        &args.config,
        settings::search_start(first_input.map(PathBuf::as_path)),
    )?;
    let flags = PackageFlags {
        refresh: args.refresh,
        exclude_newer: args.exclude_newer.clone(),
        python_version: args.python_version.clone(),
        python_platform: args.python_platform.clone(),
        no_progress: args.no_progress,
        ..settings::index_flags(&args.index)
    };
    let resolved = settings::resolve(&flags, config.as_ref())?;
    if args.show_settings {
        let mut stdout = std::io::stdout().lock();
        super::write_out(&mut stdout, &resolved.render())?;
        return Ok(Outcome::Clean);
    }
    // Before resolving: the output is read for its pins (a FIFO would block, a device
    // never end), and a refusal should not come after a long resolution.
    if let Some(path) = &args.output_file {
        skua_cache::replaceable_target(path, &project_root()?)
            .map_err(|error| miette!("{error}"))?;
    }
    let (pyprojects, others): (Vec<PathBuf>, Vec<PathBuf>) =
        request_inputs.drain(..).partition(|path| {
            path.file_name()
                .is_some_and(|name| name == "pyproject.toml")
        });
    // A `.py` input is a PEP 723 script, as `uv pip compile script.py` takes it.
    let (scripts, requirement_files): (Vec<PathBuf>, Vec<PathBuf>) = others
        .into_iter()
        .partition(|path| path.extension().is_some_and(|extension| extension == "py"));
    let upgrade = if args.upgrade {
        Upgrade::All
    } else if args.upgrade_packages.is_empty() {
        Upgrade::None
    } else {
        Upgrade::Packages(
            args.upgrade_packages
                .iter()
                .map(|name| PackageName::new(name))
                .collect::<Result<HashSet<_>, _>>()
                .map_err(|error| miette!("invalid value for `--upgrade-package`: {error}"))?,
        )
    };
    let format = match args.format {
        Some(LockFormatArg::Pylock) => LockFormat::Pylock,
        Some(LockFormatArg::RequirementsTxt) => LockFormat::RequirementsTxt,
        None => LockFormat::for_output(args.output_file.as_deref()),
    };
    let request = LockRequest {
        requirement_files,
        constraint_files: args.constraints.clone(),
        override_files: args.overrides.clone(),
        pyprojects,
        scripts: args.script.iter().cloned().chain(scripts).collect(),
        selection: ProjectSelection {
            extras: args.extras.clone(),
            all_extras: args.all_extras,
            groups: args.groups.clone(),
        },
        output: args.output_file.clone(),
        format,
        style: RequirementsTxtStyle {
            header: !args.no_header,
            annotate: !args.no_annotate,
            strip_extras: args.strip_extras,
        },
        target: if args.universal {
            universal_target(&resolved)?
        } else {
            target(&resolved)?
        },
        prerelease: match args.prerelease {
            PrereleaseArg::Allow => PrereleaseMode::Allow,
            PrereleaseArg::IfNecessary => PrereleaseMode::IfNecessary,
            PrereleaseArg::Disallow => PrereleaseMode::Disallow,
        },
        exclude_newer: resolved.exclude_newer.value,
        upgrade,
        command: command_line(),
        sdist_builder: None,
        universal: args
            .universal
            .then(|| universal_floor(&resolved))
            .transpose()?
            .map(|python_floor| UniversalLock { python_floor }),
    };
    let context = settings::context(&resolved, None)?;
    // Packages published only as sdists with dynamic metadata are built (PEP 517) with the
    // local interpreter, found only if such a package comes up.
    let request = LockRequest {
        sdist_builder: Some(skua_sync::build::lazy_sdist_builder(&context)),
        ..request
    };

    let spinner = progress_spinner(args.quiet || resolved.no_progress.value);
    let reporter = spinner.clone();
    let quiet = args.quiet;
    let progress: Arc<dyn Fn(Progress) + Send + Sync> = Arc::new(move |event| match event {
        Progress::Chose { name, version } => {
            reporter.inc(1);
            reporter.set_message(format!("{name}=={version}"));
        }
        // Printed as it happens (above the spinner): a skipped version explains a pin
        // older than expected, or a failure further down.
        Progress::Warning(skipped) if !quiet => {
            reporter.suspend(|| eprintln!("warning: {skipped}"));
        }
        _ => {}
    });
    let result = skua_resolve::lock::lock(&request, &context, progress);
    spinner.finish_and_clear();
    let locked = match result {
        Ok(locked) => locked,
        Err(LockError::Resolve(ResolveError::NoSolution(no_solution))) => {
            eprintln!("{:?}", no_solution_report(&no_solution));
            return Ok(Outcome::Findings);
        }
        Err(LockError::Input(error)) => return Err(input_report(&error)),
        Err(other) => return Err(other).into_diagnostic(),
    };

    let count = locked.resolution.entries().len();
    match &args.output_file {
        Some(path) if args.check => {
            if is_up_to_date(path, &locked.text) {
                if !args.quiet {
                    eprintln!("{} is up to date ({count} packages).", path.display());
                }
                Ok(Outcome::Clean)
            } else {
                eprintln!(
                    "{} is out of date; run `{}` to update it.",
                    path.display(),
                    request.command
                );
                Ok(Outcome::Findings)
            }
        }
        Some(path) => {
            write_lock(path, &locked.text)?;
            if !args.quiet {
                eprintln!("Resolved {count} packages into {}.", path.display());
            }
            Ok(Outcome::Clean)
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            super::write_out(&mut stdout, &locked.text)?;
            Ok(Outcome::Clean)
        }
    }
}

/// Temp file + rename: a crash or a full disk never leaves a half-written lock behind.
/// Only a regular file is replaced, keeping its mode; a symlink only when it points into
/// the project (the working directory).
fn write_lock(path: &Path, text: &str) -> miette::Result<()> {
    skua_cache::replace_file(path, text.as_bytes(), &project_root()?)
        .map_err(|error| miette!("{error}"))
}

fn project_root() -> miette::Result<PathBuf> {
    std::env::current_dir().map_err(|error| miette!("cannot read the working directory: {error}"))
}

fn progress_spinner(hidden: bool) -> indicatif::ProgressBar {
    if hidden || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} Resolving dependencies: {pos} packages {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    spinner.enable_steady_tick(Duration::from_millis(100));
    spinner
}

/// The explanation, one `note:` per hint, and help chosen by what the hints say.
fn no_solution_report(no_solution: &NoSolution) -> miette::Report {
    let missing_version = no_solution
        .hints()
        .iter()
        .any(|hint| matches!(hint, Hint::VersionNotFound { .. }));
    let help = if no_solution.has_unknown_package() {
        "check the package name, or add the index that hosts it with --extra-index-url"
    } else if missing_version {
        "pin one of the available versions above"
    } else {
        "relax the conflicting requirements above"
    };
    miette!(
        help = help,
        "No solution found when resolving dependencies:\n{no_solution}"
    )
}

/// A malformed requirement, pointed at with a caret in its file.
fn input_report(error: &skua_resolve::inputs::InputError) -> miette::Report {
    match (&error.source_text, &error.span) {
        (Some(text), Some(span)) => {
            let report = miette!(
                labels = vec![LabeledSpan::at(span.clone(), "here")],
                "{}",
                error.message
            );
            report.with_source_code(NamedSource::new(
                error.path.display().to_string(),
                text.clone(),
            ))
        }
        _ => miette!("{}", error.message),
    }
}
