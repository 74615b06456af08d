//! `skua venv` and `skua sync`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{IntoDiagnostic, miette};
use skua_install::{InstallError, LinkMode, VenvOptions, create_venv};
use skua_settings::PackageFlags;
use skua_sync::{SyncProgress, SyncRequest};

use super::settings;
use crate::Outcome;
use crate::args::{LinkModeArg, RunArgs, SyncArgs, VenvArgs};

pub fn venv(args: VenvArgs) -> miette::Result<Outcome> {
    let config = settings::config_file(&args.config, Path::new("."))?;
    let flags = PackageFlags {
        cache_dir: args.cache_dir.clone(),
        ..PackageFlags::default()
    };
    let resolved = settings::resolve(&flags, config.as_ref())?;
    let context = settings::context(&resolved, args.python.clone())?;
    let interpreter = context.interpreter().into_diagnostic()?;
    let options = VenvOptions {
        prompt: args.prompt.clone(),
        system_site_packages: args.system_site_packages,
        clear: args.clear,
    };
    let venv = match create_venv(&args.path, interpreter, &options, Some(context.cache())) {
        Ok(venv) => venv,
        Err(InstallError::VenvExists { path }) => {
            return Err(miette!(
                help =
                    "--clear deletes everything in it: installed packages and any files of yours",
                "a virtual environment already exists at {}; pass --clear to replace it",
                path.display()
            ));
        }
        Err(error @ InstallError::RefusingToReplace { .. }) => {
            return Err(miette!(
                help = "choose another path: skua never deletes a directory that is not a virtual environment, not even with --clear",
                "{error}"
            ));
        }
        Err(error) => return Err(error).into_diagnostic(),
    };
    if !args.quiet {
        eprintln!(
            "Created a virtual environment at {} with Python {} ({})\nActivate it with: source {}/bin/activate",
            args.path.display(),
            interpreter.python_minor_version(),
            interpreter.executable.display(),
            venv.root.display()
        );
    }
    Ok(Outcome::Clean)
}

/// `--python` may name the venv directory or its interpreter; without it, the active
/// `VIRTUAL_ENV`, else `./.venv`.
fn venv_root(python: Option<&Path>) -> PathBuf {
    match python {
        Some(path) if path.is_file() => path
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| path.to_path_buf()),
        Some(path) => path.to_path_buf(),
        None => std::env::var_os("VIRTUAL_ENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".venv")),
    }
}

pub fn sync(args: SyncArgs) -> miette::Result<Outcome> {
    let config = settings::config_file(&args.config, settings::search_start(Some(&args.lock)))?;
    let flags = PackageFlags {
        no_progress: args.no_progress,
        ..settings::index_flags(&args.index)
    };
    let resolved = settings::resolve(&flags, config.as_ref())?;
    let python = args
        .system
        .then(|| {
            args.python
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned())
        })
        .flatten();
    let context = settings::context(&resolved, python)?;
    let venv = if args.system {
        context.interpreter().into_diagnostic()?.executable.clone()
    } else {
        venv_root(args.python.as_deref())
    };
    let request = SyncRequest {
        venv,
        system: args.system,
        break_system_packages: args.break_system_packages,
        link_mode: match args.link_mode {
            LinkModeArg::Hardlink => LinkMode::Hardlink,
            LinkModeArg::Copy => LinkMode::Copy,
        },
        inexact: args.inexact,
        compile_bytecode: args.compile_bytecode,
        allow_empty: args.allow_empty,
    };
    let hidden = args.quiet || resolved.no_progress.value || !std::io::stderr().is_terminal();
    let bar = if hidden {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let reporter = bar.clone();
    let progress: Arc<dyn Fn(SyncProgress) + Send + Sync> = Arc::new(move |event| match event {
        SyncProgress::Planned { downloads } => reporter.set_length(downloads as u64),
        SyncProgress::Downloaded { name } => {
            reporter.inc(1);
            reporter.set_message(format!("downloaded {name}"));
        }
        SyncProgress::Installed { name } => reporter.set_message(format!("installed {name}")),
        SyncProgress::Warning(warning) => reporter.suspend(|| eprintln!("warning: {warning}")),
    });
    let result = skua_sync::sync(&args.lock, &request, &context, progress);
    bar.finish_and_clear();
    let report = match result {
        Ok(report) => report,
        Err(skua_sync::SyncError::EmptyLock) => {
            return Err(miette!(
                help = "pass --allow-empty to remove every package on purpose",
                "{} lists no packages; {} was left as it is",
                args.lock.display(),
                request.venv.display()
            ));
        }
        Err(error) => return Err(error).into_diagnostic(),
    };
    if !args.quiet {
        for (name, version) in &report.installed {
            eprintln!(" + {name}=={version}");
        }
        for (name, version) in &report.removed {
            eprintln!(" - {name}=={version}");
        }
        eprintln!(
            "{} installed, {} removed, {} already up to date in {}",
            report.installed.len(),
            report.removed.len(),
            report.unchanged,
            request.venv.display()
        );
    }
    Ok(Outcome::Clean)
}

pub fn run(args: RunArgs) -> miette::Result<Outcome> {
    let config = settings::config_file(&args.config, settings::search_start(Some(&args.script)))?;
    let flags = PackageFlags {
        exclude_newer: args.exclude_newer.clone(),
        ..settings::index_flags(&args.index)
    };
    let resolved = settings::resolve(&flags, config.as_ref())?;
    let context = settings::context(&resolved, args.python.clone())?;
    let request = skua_sync::run::RunRequest {
        script: args.script.clone(),
        exclude_newer: resolved.exclude_newer.value,
    };
    let prepared =
        skua_sync::run::prepare(&request, &context, Arc::new(|_| {})).into_diagnostic()?;
    if prepared.created
        && !args.quiet
        && let Some(environment) = &prepared.environment
    {
        eprintln!(
            "Installed the script's dependencies into {}",
            environment.display()
        );
    }
    let mut command = std::process::Command::new(&prepared.python);
    command.arg(&args.script).args(&args.args);
    if let Some(environment) = &prepared.environment {
        let bin = environment.join("bin");
        let path = std::env::var_os("PATH").unwrap_or_default();
        let joined = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&path)))
            .map_err(|error| miette!("cannot build PATH: {error}"))?;
        command.env("VIRTUAL_ENV", environment).env("PATH", joined);
    }
    // Replace this process: the script gets the terminal, stdin, signals and the exit code directly.
    use std::os::unix::process::CommandExt;
    let error = command.exec();
    Err(miette!("cannot run {}: {error}", prepared.python.display()))
}
