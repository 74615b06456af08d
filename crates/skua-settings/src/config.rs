//! Configuration files: `skua.toml`, `.skua.toml`, or `pyproject.toml` with `[tool.skua]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::Glob;
use serde::{Deserialize, Serialize};

/// The file names that can hold skua's configuration, in the order they are tried in each
/// directory (a `pyproject.toml` without `[tool.skua]` does not count).
pub const CONFIG_FILE_NAMES: &[&str] = &["skua.toml", ".skua.toml", "pyproject.toml"];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("failed to read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    /// The file is not TOML at all, so whether it configures skua is unknown.
    #[error("{path}: invalid TOML: {message}")]
    Syntax { path: PathBuf, message: String },
}

impl ConfigError {
    pub fn invalid(path: &Path, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// The options as written in a configuration file (kebab-case keys). Every key the file
/// format accepts is here, and each is read by the commands it concerns.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Options {
    // Linter.
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub extend_ignore: Option<Vec<String>>,
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Option<Vec<String>>,
    pub cloud_clis: Option<Vec<String>>,
    pub extend_cloud_clis: Option<Vec<String>>,
    pub secret_names: Option<Vec<String>>,
    pub application: Option<bool>,
    pub allowed_unpinned: Option<Vec<String>>,
    pub allow_outside_includes: Option<bool>,
    pub baseline: Option<String>,
    pub test_secrets: Option<String>,
    /// Seconds of the `timeout=` that `--fix --unsafe-fixes` adds to NET001 findings.
    pub fix_timeout: Option<u32>,
    // Lock, sync, run, venv.
    pub index_url: Option<String>,
    pub extra_index_url: Option<Vec<String>>,
    pub exclude_newer: Option<String>,
    pub python_version: Option<String>,
    pub python_platform: Option<String>,
    pub cache_dir: Option<String>,
    pub no_progress: Option<bool>,
}

/// Keys of the linter's part of the file.
pub const LINT_KEYS: &[&str] = &[
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "cloud-clis",
    "extend-cloud-clis",
    "secret-names",
    "application",
    "allowed-unpinned",
    "allow-outside-includes",
    "baseline",
    "test-secrets",
    "fix-timeout",
];

/// Keys of lock, sync, run and venv.
pub const PACKAGE_KEYS: &[&str] = &[
    "index-url",
    "extra-index-url",
    "exclude-newer",
    "python-version",
    "python-platform",
    "cache-dir",
    "no-progress",
];

impl Options {
    /// Parses a `[tool.skua]` table (or a whole `skua.toml`), rejecting unknown keys with a
    /// suggestion.
    pub fn from_table(table: toml::Table, path: &Path) -> Result<Options, ConfigError> {
        for key in table.keys() {
            let known = LINT_KEYS.iter().chain(PACKAGE_KEYS);
            if !known.clone().any(|known| known == key) {
                let suggestion = known
                    .map(|known| (strsim::jaro_winkler(known, key), known))
                    .filter(|(score, _)| *score > 0.75)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, known)| format!("; did you mean `{known}`?"))
                    .unwrap_or_default();
                return Err(ConfigError::invalid(
                    path,
                    format!("unknown option `{key}` in skua configuration{suggestion}"),
                ));
            }
        }
        let options: Options = toml::Value::Table(table)
            .try_into()
            .map_err(|error: toml::de::Error| ConfigError::invalid(path, error.message()))?;
        options.validate(path)?;
        Ok(options)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        for pattern in self.exclude.iter().chain(&self.extend_exclude).flatten() {
            validate_exclude_pattern(pattern)
                .map_err(|error| ConfigError::invalid(path, error.to_string()))?;
        }
        if let Some(value) = &self.test_secrets
            && !matches!(value.as_str(), "tokens" | "all")
        {
            return Err(ConfigError::invalid(
                path,
                format!("`test-secrets` must be \"tokens\" or \"all\", not \"{value}\""),
            ));
        }
        if self.fix_timeout == Some(0) {
            return Err(ConfigError::invalid(
                path,
                "`fix-timeout` must be a number of seconds greater than 0",
            ));
        }
        for name in self.allowed_unpinned.iter().flatten() {
            skua_types::PackageName::new(name).map_err(|error| {
                ConfigError::invalid(path, format!("`allowed-unpinned`: {error}"))
            })?;
        }
        Ok(())
    }

    /// Loads the options of a configuration file; `Ok(None)` for a `pyproject.toml`
    /// without `[tool.skua]`.
    pub fn load(path: &Path) -> Result<Option<Options>, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let document: toml::Table = toml::from_str(&text).map_err(|error| ConfigError::Syntax {
            path: path.to_path_buf(),
            message: error.message().to_string(),
        })?;
        let is_pyproject = path
            .file_name()
            .is_some_and(|name| name == "pyproject.toml");
        let table = if is_pyproject {
            match document.get("tool").and_then(|tool| tool.get("skua")) {
                Some(toml::Value::Table(table)) => table.clone(),
                Some(_) => return Err(ConfigError::invalid(path, "`tool.skua` must be a table")),
                None => return Ok(None),
            }
        } else {
            document
        };
        Options::from_table(table, path).map(Some)
    }

    /// `overrides` (command-line flags) win over `self` (a file); list-extending keys
    /// (`ignore`, `extend-*`, `extra-index-url`, ...) are concatenated.
    pub fn merged_with(&self, overrides: &Options) -> Options {
        fn pick<T: Clone>(over: &Option<T>, base: &Option<T>) -> Option<T> {
            over.clone().or_else(|| base.clone())
        }
        fn concat(a: &Option<Vec<String>>, b: &Option<Vec<String>>) -> Option<Vec<String>> {
            match (a, b) {
                (None, None) => None,
                _ => Some(a.iter().chain(b).flatten().cloned().collect()),
            }
        }
        let per_file_ignores = match (&self.per_file_ignores, &overrides.per_file_ignores) {
            (None, None) => None,
            (base, over) => {
                let mut map = base.clone().unwrap_or_default();
                for (pattern, codes) in over.iter().flatten() {
                    map.entry(pattern.clone())
                        .or_default()
                        .extend(codes.iter().cloned());
                }
                Some(map)
            }
        };
        Options {
            select: pick(&overrides.select, &self.select),
            ignore: concat(&self.ignore, &overrides.ignore),
            extend_select: concat(&self.extend_select, &overrides.extend_select),
            extend_ignore: concat(&self.extend_ignore, &overrides.extend_ignore),
            per_file_ignores,
            exclude: pick(&overrides.exclude, &self.exclude),
            extend_exclude: concat(&self.extend_exclude, &overrides.extend_exclude),
            cloud_clis: pick(&overrides.cloud_clis, &self.cloud_clis),
            extend_cloud_clis: concat(&self.extend_cloud_clis, &overrides.extend_cloud_clis),
            secret_names: concat(&self.secret_names, &overrides.secret_names),
            application: overrides.application.or(self.application),
            allowed_unpinned: concat(&self.allowed_unpinned, &overrides.allowed_unpinned),
            allow_outside_includes: overrides
                .allow_outside_includes
                .or(self.allow_outside_includes),
            baseline: pick(&overrides.baseline, &self.baseline),
            test_secrets: pick(&overrides.test_secrets, &self.test_secrets),
            fix_timeout: overrides.fix_timeout.or(self.fix_timeout),
            index_url: pick(&overrides.index_url, &self.index_url),
            extra_index_url: concat(&self.extra_index_url, &overrides.extra_index_url),
            exclude_newer: pick(&overrides.exclude_newer, &self.exclude_newer),
            python_version: pick(&overrides.python_version, &self.python_version),
            python_platform: pick(&overrides.python_platform, &self.python_platform),
            cache_dir: pick(&overrides.cache_dir, &self.cache_dir),
            no_progress: overrides.no_progress.or(self.no_progress),
        }
    }
}

/// An exclude pattern is a valid glob and not empty (an empty pattern matches nothing,
/// which would silently check everything it was meant to skip — or, as `--exclude ''`,
/// replace the defaults with nothing).
pub fn validate_exclude_pattern(pattern: &str) -> Result<(), InvalidExcludePattern> {
    if pattern.trim().is_empty() {
        return Err(InvalidExcludePattern::Empty);
    }
    Glob::new(pattern)
        .map(|_| ())
        .map_err(|error| InvalidExcludePattern::Glob {
            pattern: pattern.to_string(),
            source: error,
        })
}

/// An exclude pattern skua could not honour.
#[derive(Debug, thiserror::Error)]
pub enum InvalidExcludePattern {
    #[error("empty exclude pattern: remove it, or name the files to exclude")]
    Empty,
    #[error("invalid exclude pattern `{pattern}`: {}", source.kind())]
    Glob {
        pattern: String,
        source: globset::Error,
    },
}

/// A configuration file and its options.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub options: Options,
}

impl ConfigFile {
    /// The file's directory: relative paths in it are relative to this.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Reads `path`; `Ok(None)` for a `pyproject.toml` without `[tool.skua]`.
    pub fn load(path: &Path) -> Result<Option<ConfigFile>, ConfigError> {
        Ok(Options::load(path)?.map(|options| ConfigFile {
            path: path.to_path_buf(),
            options,
        }))
    }
}

/// The configuration files that could govern `dir`, nearest first: each directory's
/// [`CONFIG_FILE_NAMES`] that exist, from `dir` up to the root.
pub fn candidates(dir: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    dir.ancestors().flat_map(|ancestor| {
        CONFIG_FILE_NAMES
            .iter()
            .map(move |name| ancestor.join(name))
            .filter(|candidate| candidate.is_file())
    })
}

/// The configuration governing `dir` (absolute): the first candidate holding skua options.
pub fn find_config(dir: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    for candidate in candidates(dir) {
        if let Some(found) = ConfigFile::load(&candidate)? {
            return Ok(Some(found));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let err =
            Options::from_table(table("selekt = [\"SEC\"]"), Path::new("skua.toml")).unwrap_err();
        assert!(err.to_string().contains("did you mean `select`"), "{err}");
        let err =
            Options::from_table(table("index-uri = \"x\""), Path::new("skua.toml")).unwrap_err();
        assert!(
            err.to_string().contains("did you mean `index-url`"),
            "{err}"
        );
    }

    #[test]
    fn empty_and_invalid_exclude_patterns_are_errors() {
        let err =
            Options::from_table(table("exclude = [\"\"]"), Path::new("skua.toml")).unwrap_err();
        assert!(err.to_string().contains("empty exclude pattern"), "{err}");
        let err = Options::from_table(table("extend-exclude = [\"a[\"]"), Path::new("skua.toml"))
            .unwrap_err();
        assert!(
            err.to_string().contains("invalid exclude pattern `a[`"),
            "{err}"
        );
    }

    #[test]
    fn allowed_unpinned_names_must_be_package_names() {
        let err = Options::from_table(table("allowed-unpinned = [\"-x\"]"), Path::new("skua.toml"))
            .unwrap_err();
        assert!(err.to_string().contains("allowed-unpinned"), "{err}");
    }

    #[test]
    fn found_upward_skipping_pyprojects_without_a_table() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("skua.toml"),
            "index-url = \"https://i.example/simple\"\n",
        )
        .unwrap();
        let nested = root.join("a/b");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(nested.join("pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
        let found = find_config(&nested).unwrap().unwrap();
        assert_eq!(found.path, root.join("skua.toml"));
        assert_eq!(found.dir(), root);
        assert_eq!(
            found.options.index_url.as_deref(),
            Some("https://i.example/simple")
        );
    }
}
