//! Command-line arguments (flag names follow ruff and uv).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "skua",
    version = env!("SKUA_VERSION_LONG"),
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
    /// Resolve requirements into a pinned, hashed lock file (requirements.txt or pylock.toml).
    Lock(LockArgs),
    /// Create a virtual environment.
    Venv(VenvArgs),
    /// Make a virtual environment match a lock file exactly (install, upgrade, remove).
    Sync(SyncArgs),
    /// Run a Python script in a cached environment with its PEP 723 dependencies.
    Run(RunArgs),
    /// Print a completion script for a shell (e.g. `skua generate-shell-completion bash > ~/.local/share/bash-completion/completions/skua`).
    GenerateShellCompletion(CompletionArgs),
}

#[derive(Args, Debug)]
pub struct CompletionArgs {
    /// The shell to complete in.
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct LintArgs {
    /// Files or directories to check; `-` reads one file from stdin [default: .]
    pub paths: Vec<PathBuf>,
    /// The name of the file read from stdin (`-`): it picks the file kind and the settings.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Apply excludes to paths named on the command line too (what pre-commit needs).
    #[arg(long)]
    pub force_exclude: bool,
    /// Say what was checked and what was skipped, and why (on stderr).
    #[arg(short, long)]
    pub verbose: bool,

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
    /// Print the settings that govern the first path (and where each came from), then exit.
    #[arg(long)]
    pub show_settings: bool,
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Report only findings that are not in this baseline file [config: baseline].
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Append `# noqa: CODE` to every line with a finding, and exit 0.
    #[arg(long, conflicts_with_all = ["write_baseline", "baseline", "fix", "fix_only", "diff"])]
    pub add_noqa: bool,

    /// Apply fixes (safe ones; unsafe ones too with `--unsafe-fixes`), then report what is left.
    #[arg(long)]
    pub fix: bool,
    /// Apply unsafe fixes too (they may change behaviour: NET001 timeouts, TLS001 `verify=False`).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Apply fixes like `--fix` but report nothing that is left; exit 0 unless `--exit-non-zero-on-fix`.
    #[arg(long)]
    pub fix_only: bool,
    /// Print a unified diff of the fixes and change nothing; exit 1 if there is something to fix.
    #[arg(long, conflicts_with_all = ["fix", "fix_only", "write_baseline"])]
    pub diff: bool,
    /// With `--fix` or `--fix-only`: exit 1 when something was fixed, even if nothing is left.
    #[arg(long)]
    pub exit_non_zero_on_fix: bool,
    /// The Python version DEP001 fixes resolve for (e.g. 3.11) [config: python-version] [default: the `python3` on PATH]
    #[arg(long, value_name = "X.Y")]
    pub python_version: Option<String>,
    /// The platform DEP001 fixes resolve for: linux, macos, windows, or a target like x86_64-manylinux_2_28 [config: python-platform] [default: this machine]
    #[arg(long, value_name = "PLATFORM")]
    pub python_platform: Option<String>,
    /// DEP001 fixes ignore files uploaded at or after this time (RFC 3339 timestamp or YYYY-MM-DD) [env: SKUA_EXCLUDE_NEWER] [config: exclude-newer]
    #[arg(long, value_name = "TIMESTAMP")]
    pub exclude_newer: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OutputFormat {
    /// path:line:col, code, message, and the source with carets.
    Full,
    /// One line per finding.
    Concise,
    /// A JSON list of findings.
    Json,
    /// One JSON object per finding per line.
    JsonLines,
    /// GitHub Actions annotations.
    Github,
    /// GitLab Code Quality report.
    Gitlab,
    /// JUnit XML, one test case per finding.
    Junit,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
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

#[derive(Args, Debug)]
pub struct LockArgs {
    /// Requirements files (`requirements.in`, `*.txt`), `pyproject.toml` files and PEP 723 scripts (`*.py`) to lock [default: requirements.in, else pyproject.toml]
    pub inputs: Vec<PathBuf>,
    /// Constrain versions with this requirements file (repeatable); it adds no packages.
    #[arg(short = 'c', long = "constraint", value_name = "FILE")]
    pub constraints: Vec<PathBuf>,
    /// Override versions with this requirements file (repeatable, as uv's `--override`): each requirement in it replaces every requirement of the same name, at the top and in any package's dependencies, whatever they allow; its marker decides where it applies. It adds no packages.
    #[arg(long = "override", visible_alias = "overrides", value_name = "FILE")]
    pub overrides: Vec<PathBuf>,

    /// Lock the dependencies of a PEP 723 script.
    #[arg(long, value_name = "SCRIPT")]
    pub script: Option<PathBuf>,
    /// Write the lock here (atomically) instead of stdout; existing pins in it are kept while still valid. Only a regular file is replaced, keeping its mode; a symlink is written through only when it points inside the working directory.
    #[arg(short, long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// `requirements-txt` (pip-compile style) or `pylock` (PEP 751) [default: from the output file name]
    #[arg(long, value_enum)]
    pub format: Option<LockFormatArg>,
    /// Exit 1 if the output file is not up to date, without writing it.
    #[arg(long, requires = "output_file")]
    pub check: bool,
    /// Leave out the comment header of a requirements.txt lock.
    #[arg(long)]
    pub no_header: bool,
    /// Leave out the `# via` annotations of a requirements.txt lock.
    #[arg(long)]
    pub no_annotate: bool,
    /// Write `name==version` without the extras requested of it.
    #[arg(long)]
    pub strip_extras: bool,
    /// Accepted for pip-compile compatibility: skua always writes hashes.
    #[arg(long, hide = true)]
    pub generate_hashes: bool,
    /// Accepted for pip-compile compatibility: skua always pins pip, setuptools and wheel when they are needed.
    #[arg(long, hide = true)]
    pub allow_unsafe: bool,

    /// Include this optional-dependency group of a pyproject.toml (repeatable).
    #[arg(long = "extra", value_name = "EXTRA")]
    pub extras: Vec<skua_types::ExtraName>,
    /// Include every optional-dependency group.
    #[arg(long, conflicts_with = "extras")]
    pub all_extras: bool,
    /// Include this `[dependency-groups]` group (repeatable).
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<skua_types::GroupName>,

    /// The Python version to resolve for (e.g. 3.11) [default: the `python3` on PATH]
    #[arg(long, value_name = "X.Y")]
    pub python_version: Option<String>,
    /// The platform to resolve for: linux, macos, windows, or a target like x86_64-manylinux_2_28 [default: this machine]
    #[arg(long, value_name = "PLATFORM")]
    pub python_platform: Option<String>,
    /// Lock for every platform (Linux, macOS, Windows; x86_64 and arm64) and every Python from the `requires-python` lower bound (or `--python-version`) up, with markers on the entries that differ, as `uv pip compile --universal` does.
    #[arg(long, conflicts_with = "python_platform")]
    pub universal: bool,
    /// When to choose pre-releases.
    #[arg(long, value_enum, default_value_t = PrereleaseArg::IfNecessary)]
    pub prerelease: PrereleaseArg,
    /// Ignore files uploaded at or after this time (RFC 3339 timestamp or YYYY-MM-DD) [env: SKUA_EXCLUDE_NEWER]
    #[arg(long, value_name = "TIMESTAMP")]
    pub exclude_newer: Option<String>,
    /// Ignore existing pins in the output file.
    #[arg(short = 'U', long)]
    pub upgrade: bool,
    /// Let this package move from its existing pin (repeatable).
    #[arg(short = 'P', long = "upgrade-package", value_name = "NAME")]
    pub upgrade_packages: Vec<String>,

    #[command(flatten)]
    pub index: IndexArgs,
    /// Revalidate every cached index page.
    #[arg(long)]
    pub refresh: bool,
    #[command(flatten)]
    pub config: ConfigArgs,

    /// Hide the progress spinner [env: SKUA_NO_PROGRESS]
    #[arg(long)]
    pub no_progress: bool,
    /// Print only errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the resolved settings (and where each came from), then exit.
    #[arg(long)]
    pub show_settings: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LockFormatArg {
    RequirementsTxt,
    Pylock,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PrereleaseArg {
    Allow,
    IfNecessary,
    Disallow,
}

#[derive(Args, Debug)]
pub struct VenvArgs {
    /// Where to create it: a new path or an empty directory (an existing venv only with --clear).
    #[arg(default_value = ".venv")]
    pub path: PathBuf,
    /// Replace an existing virtual environment at the path, deleting everything in it (a directory that is not a venv is never replaced).
    #[arg(long)]
    pub clear: bool,
    /// The interpreter: a version (3.12) or a path [default: python3 on PATH]
    #[arg(short, long, value_name = "VERSION|PATH")]
    pub python: Option<String>,
    /// The prompt shown by the activation scripts [default: the directory name]
    #[arg(long)]
    pub prompt: Option<String>,
    /// Give the environment access to the interpreter's site-packages.
    #[arg(long)]
    pub system_site_packages: bool,
    /// The cache directory (interpreter probes) [env: SKUA_CACHE_DIR] [default: ~/.cache/skua]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Print only errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// The lock: a requirements.txt with hashes, or a pylock.toml.
    pub lock: PathBuf,
    /// The environment to sync: a venv directory or its python; with --system, the interpreter: a version (3.12) or a path [default: $VIRTUAL_ENV, else .venv; with --system, python3 on PATH]
    #[arg(short, long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Install into a base interpreter that is not a virtual environment (e.g. in a Dockerfile), into the directories of its own sysconfig scheme. Implies --inexact: packages the lock does not list are never uninstalled.
    #[arg(long)]
    pub system: bool,
    /// With --system: install even into an interpreter marked as externally managed (PEP 668), whose packages another package manager owns.
    #[arg(long, requires = "system")]
    pub break_system_packages: bool,
    /// Keep installed packages that the lock does not list.
    #[arg(long)]
    pub inexact: bool,
    /// How files get from skua's cache into the environment: `hardlink` shares them with the cache (falling back to copies across filesystems; a cached tree found modified is unpacked again), `copy` gives the environment files of its own.
    #[arg(long, value_enum, default_value = "hardlink")]
    pub link_mode: LinkModeArg,
    /// Accept a lock that lists no packages (an exact sync to it uninstalls everything); without it, such a lock is an error.
    #[arg(long)]
    pub allow_empty: bool,
    /// Compile installed Python files to bytecode.
    #[arg(long)]
    pub compile_bytecode: bool,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Hide progress bars [env: SKUA_NO_PROGRESS]
    #[arg(long)]
    pub no_progress: bool,
    /// Print only errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LinkModeArg {
    Hardlink,
    Copy,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// The interpreter: a version (3.12) or a path [default: python3 on PATH]
    #[arg(short, long, value_name = "VERSION|PATH")]
    pub python: Option<String>,
    #[command(flatten)]
    pub index: IndexArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Install only files uploaded before this time (RFC 3339 timestamp or YYYY-MM-DD) [env: SKUA_EXCLUDE_NEWER]
    #[arg(long, value_name = "TIMESTAMP")]
    pub exclude_newer: Option<String>,
    /// Print only errors (and the script's own output).
    #[arg(short, long)]
    pub quiet: bool,
    /// The script to run.
    pub script: PathBuf,
    /// Arguments passed to the script.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// Where packages come from; shared by `lock`, `sync` and `run`. Each falls back to its
/// environment variable, then to `[tool.skua]`/`skua.toml`; pip's variables come last.
#[derive(Args, Debug)]
pub struct IndexArgs {
    /// The package index (PEP 691/503 simple API) [env: SKUA_INDEX_URL] [config: index-url] [then: PIP_INDEX_URL] [default: PyPI]
    #[arg(short = 'i', long, value_name = "URL")]
    pub index_url: Option<String>,
    /// Extra indexes, consulted after the index for projects it does not have [env: SKUA_EXTRA_INDEX_URL] [config: extra-index-url] [then: PIP_EXTRA_INDEX_URL]
    #[arg(long, value_name = "URL")]
    pub extra_index_url: Vec<String>,
    /// Use only the cache: no network [env: SKUA_OFFLINE]
    #[arg(long)]
    pub offline: bool,
    /// The cache directory [env: SKUA_CACHE_DIR] [config: cache-dir] [default: ~/.cache/skua]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// Which configuration file package commands read (lint finds one per directory).
#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// Use this configuration file (`skua.toml` or `pyproject.toml`) [default: found upward from the input, else the working directory]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore all configuration files.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
}
