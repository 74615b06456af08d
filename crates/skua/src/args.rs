//! Command-line arguments (flag names follow ruff and uv).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "skua",
    version,
    about = "A fast linter for Python DevOps code: hardcoded secrets, cloud-CLI subprocesses, unpinned dependencies.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colors.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    pub fn as_choice(self) -> Option<anstream::ColorChoice> {
        match self {
            ColorWhen::Auto => None,
            ColorWhen::Always => Some(anstream::ColorChoice::Always),
            ColorWhen::Never => Some(anstream::ColorChoice::Never),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check Python code, requirement files, pyproject.toml and .env files.
    Lint(LintArgs),
    /// Explain a rule, or list every rule.
    Rule(RuleArgs),
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Files or directories to check [default: .]
    pub paths: Vec<PathBuf>,

    /// Rules to enable, replacing the configured selection (codes or prefixes, e.g. `SEC,CLI001`).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Option<Vec<String>>,
    /// Rules to enable on top of the selection.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub extend_select: Vec<String>,
    /// Rules to disable.
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Glob patterns to exclude, replacing the defaults and the configured list.
    #[arg(long, value_delimiter = ',', value_name = "PATTERN")]
    pub exclude: Option<Vec<String>>,
    /// Glob patterns to exclude on top of the defaults and the configured list.
    #[arg(long, value_delimiter = ',', value_name = "PATTERN")]
    pub extend_exclude: Vec<String>,
    /// Use this configuration file (`skua.toml` or `pyproject.toml`) for every path.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,

    /// How to print findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full, env = "SKUA_OUTPUT_FORMAT")]
    pub output_format: OutputFormat,
    /// Print a count of findings per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Exit with 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Print findings only, without the summary line.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OutputFormat {
    /// path:line:col, code, message, and the source with carets.
    Full,
    /// One line per finding.
    Concise,
    /// A JSON list of findings.
    Json,
    /// GitHub Actions annotations.
    Github,
}

#[derive(Args, Debug)]
pub struct RuleArgs {
    /// The rule code, e.g. SEC001.
    #[arg(required_unless_present = "all")]
    pub code: Option<String>,
    /// Print every rule.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
}
