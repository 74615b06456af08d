//! The `skua` command line: argument parsing and printing only; the work happens in library crates.

mod args;
mod commands;

use std::process::ExitCode;

use clap::Parser;

/// Exit codes shared by every subcommand.
pub enum Outcome {
    /// 0: nothing found / success.
    Clean,
    /// 1: findings (or a failed resolution).
    Findings,
}

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    install_panic_hook();
    // Long messages carry file paths and suggestions; wrapping them breaks copy-paste and grep.
    let _ = miette::set_hook(Box::new(|_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(false).build())
    }));
    let cli = args::Cli::parse();
    match cli.color.as_choice() {
        Some(choice) => choice.write_global(),
        // FORCE_COLOR (any non-empty value) asks for colors when the output is not a
        // terminal, as CI log viewers that render ANSI want; NO_COLOR still wins.
        None if std::env::var_os("FORCE_COLOR").is_some_and(|value| !value.is_empty())
            && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()) =>
        {
            anstream::ColorChoice::Always.write_global();
        }
        None => {}
    }
    match commands::run(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

/// A bug in skua must read as one line naming the problem, not a Rust backtrace.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("error: skua hit an internal error{location}: {payload}");
        eprintln!("This is a bug; please report it with the file that triggered it.");
    }));
}
