//! The one place the CLI turns flags, the environment and the configuration file into
//! settings, and settings into the invocation's context.

use std::path::Path;
use std::sync::Arc;

use miette::{IntoDiagnostic, miette};
use skua_context::{Context, Indexes};
use skua_settings::{ConfigFile, PackageFlags, PackageSettings};

use crate::args::{ConfigArgs, IndexArgs};

/// The configuration file for a package command: `--config`, else the first one found
/// upward from `start` (the input's directory, or the working directory); none with
/// `--isolated`.
pub(crate) fn config_file(args: &ConfigArgs, start: &Path) -> miette::Result<Option<ConfigFile>> {
    if args.isolated {
        return Ok(None);
    }
    match &args.config {
        Some(path) => match ConfigFile::load(path).into_diagnostic()? {
            Some(found) => Ok(Some(found)),
            None => Err(miette!(
                "{} has no [tool.skua] table; pass a skua.toml or a pyproject.toml that configures skua",
                path.display()
            )),
        },
        None => {
            let start = std::path::absolute(start).into_diagnostic()?;
            skua_settings::find_config(&start).into_diagnostic()
        }
    }
}

/// The directory a package command's configuration is searched from: `input`'s own
/// directory when there is an input, else the working directory.
pub(crate) fn search_start(input: Option<&Path>) -> &Path {
    match input.and_then(Path::parent) {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Index flags as the settings layer takes them.
pub(crate) fn index_flags(args: &IndexArgs) -> PackageFlags {
    PackageFlags {
        index_url: args.index_url.clone(),
        extra_index_urls: args.extra_index_url.clone(),
        offline: args.offline,
        cache_dir: args.cache_dir.clone(),
        ..PackageFlags::default()
    }
}

/// Flags > environment > `config` > defaults, resolved once.
pub(crate) fn resolve(
    flags: &PackageFlags,
    config: Option<&ConfigFile>,
) -> miette::Result<PackageSettings> {
    PackageSettings::resolve(flags, &|name| std::env::var(name).ok(), config).into_diagnostic()
}

/// The context every package command runs in; `python` is the `--python` request.
pub(crate) fn context(
    settings: &PackageSettings,
    python: Option<String>,
) -> miette::Result<Arc<Context>> {
    let indexes = Indexes {
        index_url: settings.index_url.value.clone(),
        extra_index_urls: settings.extra_index_urls.value.clone(),
        offline: settings.offline.value,
        refresh: settings.refresh.value,
    };
    let cache = skua_cache::Cache::new(&settings.cache_dir.value);
    let tuning = skua_context::ClientTuning {
        timeout: settings.http.timeout.value,
        deadline: settings.http.deadline.value,
        max_page_bytes: settings.http.max_page_bytes.value,
    };
    Context::new(cache, indexes, python)
        .map(|context| Arc::new(context.with_client_tuning(tuning)))
        .into_diagnostic()
}
