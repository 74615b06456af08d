//! `[tool.skua]` / `skua.toml` configuration: loading, validation and per-directory resolution.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::registry::{Rule, RuleSelector};

/// Directories never worth linting; the same defaults as ruff's `exclude`.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// Programs reported by the CLI rules unless configured otherwise.
pub const DEFAULT_CLOUD_CLIS: &[&str] = &[
    "aws",
    "kubectl",
    "gcloud",
    "gsutil",
    "az",
    "helm",
    "terraform",
    "eksctl",
];

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("failed to read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The options as written in a configuration file (kebab-case keys).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Options {
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
    pub baseline: Option<String>,
    pub index_url: Option<String>,
    pub extra_index_url: Option<Vec<String>>,
}

const KNOWN_KEYS: &[&str] = &[
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
    "baseline",
    "index-url",
    "extra-index-url",
];

impl Options {
    /// Parses a `[tool.skua]` table (or a whole `skua.toml`), rejecting unknown keys with a suggestion.
    pub fn from_table(table: toml::Table, path: &Path) -> Result<Options, ConfigError> {
        for key in table.keys() {
            if !KNOWN_KEYS.contains(&key.as_str()) {
                let suggestion = KNOWN_KEYS
                    .iter()
                    .map(|known| (strsim::jaro_winkler(known, key), known))
                    .filter(|(score, _)| *score > 0.75)
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, known)| format!("; did you mean `{known}`?"))
                    .unwrap_or_default();
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: format!("unknown option `{key}` in skua configuration{suggestion}"),
                });
            }
        }
        let options: Options =
            toml::Value::Table(table)
                .try_into()
                .map_err(|error: toml::de::Error| ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message: error.message().to_string(),
                })?;
        options.validate(path)?;
        Ok(options)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let selector_lists = [
            &self.select,
            &self.ignore,
            &self.extend_select,
            &self.extend_ignore,
        ];
        let per_file = self.per_file_ignores.iter().flat_map(|map| map.values());
        for list in selector_lists.into_iter().flatten().chain(per_file) {
            for entry in list {
                RuleSelector::parse(entry).map_err(|message| ConfigError::Invalid {
                    path: path.to_path_buf(),
                    message,
                })?;
            }
        }
        for pattern in self.exclude.iter().chain(&self.extend_exclude).flatten() {
            Glob::new(pattern).map_err(|error| ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!("invalid exclude pattern `{pattern}`: {error}"),
            })?;
        }
        Ok(())
    }

    /// Loads the options of a configuration file; `Ok(None)` for a `pyproject.toml` without `[tool.skua]`.
    pub fn load(path: &Path) -> Result<Option<Options>, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let document: toml::Table =
            toml::from_str(&text).map_err(|error| ConfigError::Invalid {
                path: path.to_path_buf(),
                message: format!("invalid TOML: {}", error.message()),
            })?;
        let is_pyproject = path
            .file_name()
            .is_some_and(|name| name == "pyproject.toml");
        let table = if is_pyproject {
            match document.get("tool").and_then(|tool| tool.get("skua")) {
                Some(toml::Value::Table(table)) => table.clone(),
                Some(_) => {
                    return Err(ConfigError::Invalid {
                        path: path.to_path_buf(),
                        message: "`tool.skua` must be a table".into(),
                    });
                }
                None => return Ok(None),
            }
        } else {
            document
        };
        Options::from_table(table, path).map(Some)
    }

    /// `overrides` (command-line flags) win over `self` (a file).
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
            baseline: pick(&overrides.baseline, &self.baseline),
            index_url: pick(&overrides.index_url, &self.index_url),
            extra_index_url: concat(&self.extra_index_url, &overrides.extra_index_url),
        }
    }
}

/// A set of enabled rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleSet(Vec<bool>);

impl RuleSet {
    pub fn contains(&self, rule: Rule) -> bool {
        self.0.get(rule as usize).copied().unwrap_or(false)
    }

    pub fn iter(&self) -> impl Iterator<Item = Rule> + '_ {
        Rule::ALL
            .iter()
            .copied()
            .filter(|rule| self.contains(*rule))
    }

    fn from_selection(
        select: &[RuleSelector],
        extend_select: &[RuleSelector],
        ignore: &[RuleSelector],
    ) -> Self {
        let mut enabled = vec![false; Rule::ALL.len()];
        for rule in Rule::ALL {
            let chosen = select
                .iter()
                .chain(extend_select)
                .filter(|selector| selector.matches(*rule))
                // `ALL` and families pick up opt-in rules only when named specifically.
                .filter(|selector| rule.is_default() || selector.specificity() == rule.code().len())
                .map(RuleSelector::specificity)
                .max();
            let ignored = ignore
                .iter()
                .filter(|s| s.matches(*rule))
                .map(RuleSelector::specificity)
                .max();
            enabled[*rule as usize] = rule.is_always_on()
                || match (chosen, ignored) {
                    (Some(chosen), Some(ignored)) => chosen > ignored,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
        }
        RuleSet(enabled)
    }
}

/// Resolved settings for the files governed by one configuration file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The directory of the configuration file (or the working directory); patterns are relative to it.
    pub root: PathBuf,
    /// The configuration file these settings came from, if any.
    pub config_path: Option<PathBuf>,
    pub rules: RuleSet,
    pub exclude: GlobSet,
    per_file_ignores: Vec<(GlobSet, Vec<RuleSelector>)>,
    pub cloud_clis: Vec<String>,
    pub secret_names: Vec<String>,
    pub application: bool,
    pub allowed_unpinned: Vec<String>,
    pub baseline: Option<PathBuf>,
}

fn selectors(list: &Option<Vec<String>>) -> Vec<RuleSelector> {
    // Entries were validated when the options were loaded or parsed from flags.
    list.iter()
        .flatten()
        .filter_map(|entry| RuleSelector::parse(entry).ok())
        .collect()
}

fn glob_set(patterns: impl IntoIterator<Item = String>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        // A bare name (`build`) matches that file or directory anywhere, like ruff's exclude.
        let patterns = if pattern.contains('/') {
            vec![pattern.trim_start_matches("./").to_string()]
        } else {
            vec![pattern.clone(), format!("**/{pattern}")]
        };
        for pattern in patterns {
            if let Ok(glob) = Glob::new(&pattern) {
                builder.add(glob);
            }
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

impl Settings {
    pub fn from_options(
        options: &Options,
        root: PathBuf,
        config_path: Option<PathBuf>,
    ) -> Settings {
        let default_select: Vec<RuleSelector> = vec![
            RuleSelector::parse("ALL").unwrap_or_else(|_| unreachable!("ALL is always valid")),
        ];
        let select = match &options.select {
            Some(_) => selectors(&options.select),
            None => default_select,
        };
        let mut ignore = selectors(&options.ignore);
        ignore.extend(selectors(&options.extend_ignore));
        let rules = RuleSet::from_selection(&select, &selectors(&options.extend_select), &ignore);

        let exclude_patterns = options
            .exclude
            .clone()
            .unwrap_or_else(|| DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect())
            .into_iter()
            .chain(options.extend_exclude.iter().flatten().cloned());
        let per_file_ignores = options
            .per_file_ignores
            .iter()
            .flatten()
            .map(|(pattern, codes)| (glob_set([pattern.clone()]), selectors(&Some(codes.clone()))))
            .collect();
        let cloud_clis = options
            .cloud_clis
            .clone()
            .unwrap_or_else(|| DEFAULT_CLOUD_CLIS.iter().map(|s| s.to_string()).collect())
            .into_iter()
            .chain(options.extend_cloud_clis.iter().flatten().cloned())
            .collect();
        Settings {
            exclude: glob_set(exclude_patterns),
            per_file_ignores,
            cloud_clis,
            secret_names: options.secret_names.clone().unwrap_or_default(),
            application: options.application.unwrap_or(false),
            allowed_unpinned: options
                .allowed_unpinned
                .iter()
                .flatten()
                .map(|name| skua_requirements::normalize_name(name))
                .collect(),
            baseline: options.baseline.as_ref().map(|path| root.join(path)),
            rules,
            root,
            config_path,
        }
    }

    fn relative<'p>(&self, path: &'p Path) -> &'p Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }

    /// Is `path` itself excluded? The walk prunes excluded directories as it descends,
    /// so only the entry at hand needs checking; directories above the paths the user
    /// named (a checkout under `site-packages`, say) never exclude what was asked for.
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.exclude.is_match(self.relative(path))
    }

    /// The settings for one file: `per-file-ignores` applied to the rule set.
    pub fn for_file(&self, path: &Path) -> std::borrow::Cow<'_, Settings> {
        if self.per_file_ignores.is_empty() {
            return std::borrow::Cow::Borrowed(self);
        }
        let enabled: Vec<bool> = Rule::ALL
            .iter()
            .map(|rule| self.is_enabled_for(*rule, path))
            .collect();
        if enabled
            .iter()
            .zip(Rule::ALL)
            .all(|(on, rule)| *on == self.rules.contains(*rule))
        {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut settings = self.clone();
        settings.rules = RuleSet(enabled);
        std::borrow::Cow::Owned(settings)
    }

    /// Is `rule` enabled for `path` once `per-file-ignores` are applied?
    pub fn is_enabled_for(&self, rule: Rule, path: &Path) -> bool {
        if !self.rules.contains(rule) {
            return false;
        }
        if rule.is_always_on() {
            return true;
        }
        let relative = self.relative(path);
        !self.per_file_ignores.iter().any(|(globs, codes)| {
            globs.is_match(relative) && codes.iter().any(|code| code.matches(rule))
        })
    }
}

/// Finds the configuration governing each directory, walking upward, and caches the result.
pub struct SettingsResolver {
    overrides: Options,
    /// A `--config` file used for every path instead of discovery.
    fixed: Option<Arc<Settings>>,
    fallback: Arc<Settings>,
    by_dir: Mutex<HashMap<PathBuf, Arc<Settings>>>,
    by_config: Mutex<HashMap<PathBuf, Arc<Settings>>>,
}

impl SettingsResolver {
    pub fn new(
        overrides: Options,
        config_file: Option<&Path>,
        cwd: &Path,
    ) -> Result<Self, ConfigError> {
        let fixed = match config_file {
            Some(path) => {
                let options = Options::load(path)?.unwrap_or_default();
                let root = path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| cwd.to_path_buf());
                Some(Arc::new(Settings::from_options(
                    &options.merged_with(&overrides),
                    absolute(&root, cwd),
                    Some(path.to_path_buf()),
                )))
            }
            None => None,
        };
        let fallback = Arc::new(Settings::from_options(
            &Options::default().merged_with(&overrides),
            cwd.to_path_buf(),
            None,
        ));
        Ok(SettingsResolver {
            overrides,
            fixed,
            fallback,
            by_dir: Mutex::new(HashMap::new()),
            by_config: Mutex::new(HashMap::new()),
        })
    }

    /// Settings from the flags alone, ignoring every configuration file.
    pub fn isolated(overrides: Options, cwd: &Path) -> Self {
        let settings = Arc::new(Settings::from_options(
            &Options::default().merged_with(&overrides),
            cwd.to_path_buf(),
            None,
        ));
        SettingsResolver {
            overrides,
            fixed: Some(Arc::clone(&settings)),
            fallback: settings,
            by_dir: Mutex::new(HashMap::new()),
            by_config: Mutex::new(HashMap::new()),
        }
    }

    /// Settings for files in `dir` (an absolute directory).
    pub fn for_dir(&self, dir: &Path) -> Result<Arc<Settings>, ConfigError> {
        if let Some(fixed) = &self.fixed {
            return Ok(Arc::clone(fixed));
        }
        if let Some(found) = self
            .by_dir
            .lock()
            .ok()
            .and_then(|cache| cache.get(dir).cloned())
        {
            return Ok(found);
        }
        let mut settings = None;
        for ancestor in dir.ancestors() {
            for name in ["skua.toml", ".skua.toml", "pyproject.toml"] {
                let candidate = ancestor.join(name);
                if !candidate.is_file() {
                    continue;
                }
                if let Some(found) = self.load_config(&candidate)? {
                    settings = Some(found);
                    break;
                }
            }
            if settings.is_some() {
                break;
            }
        }
        let settings = settings.unwrap_or_else(|| Arc::clone(&self.fallback));
        if let Ok(mut cache) = self.by_dir.lock() {
            cache.insert(dir.to_path_buf(), Arc::clone(&settings));
        }
        Ok(settings)
    }

    fn load_config(&self, path: &Path) -> Result<Option<Arc<Settings>>, ConfigError> {
        if let Some(found) = self
            .by_config
            .lock()
            .ok()
            .and_then(|cache| cache.get(path).cloned())
        {
            return Ok(Some(found));
        }
        let Some(options) = Options::load(path)? else {
            return Ok(None);
        };
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let settings = Arc::new(Settings::from_options(
            &options.merged_with(&self.overrides),
            root,
            Some(path.to_path_buf()),
        ));
        if let Ok(mut cache) = self.by_config.lock() {
            cache.insert(path.to_path_buf(), Arc::clone(&settings));
        }
        Ok(Some(settings))
    }
}

pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
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
    }

    #[test]
    fn unknown_selector_is_an_error() {
        let err =
            Options::from_table(table("ignore = [\"XYZ\"]"), Path::new("skua.toml")).unwrap_err();
        assert!(
            err.to_string().contains("unknown rule selector `XYZ`"),
            "{err}"
        );
    }

    #[test]
    fn more_specific_selection_wins() {
        let options = Options::from_table(
            table("select = [\"SEC001\", \"CLI\"]\nignore = [\"SEC\", \"CLI002\"]"),
            Path::new("skua.toml"),
        )
        .unwrap();
        let settings = Settings::from_options(&options, PathBuf::from("/r"), None);
        assert!(settings.rules.contains(Rule::HardcodedToken));
        assert!(!settings.rules.contains(Rule::HardcodedSecretAssignment));
        assert!(settings.rules.contains(Rule::AwsCliSubprocess));
        assert!(!settings.rules.contains(Rule::KubectlSubprocess));
        assert!(!settings.rules.contains(Rule::UnsafeYamlLoad));
        assert!(settings.rules.contains(Rule::SyntaxError), "always on");
    }

    #[test]
    fn opt_in_rules_need_their_code() {
        let defaults = Settings::from_options(&Options::default(), PathBuf::from("/r"), None);
        assert!(!defaults.rules.contains(Rule::UnusedNoqa));
        let options = Options {
            extend_select: Some(vec!["NQA001".into()]),
            ..Options::default()
        };
        let settings = Settings::from_options(&options, PathBuf::from("/r"), None);
        assert!(settings.rules.contains(Rule::UnusedNoqa));
    }

    #[test]
    fn per_file_ignores_and_excludes_are_relative_to_the_root() {
        let options = Options::from_table(
            table("extend-exclude = [\"legacy\"]\n[per-file-ignores]\n\"tests/**\" = [\"SEC\"]"),
            Path::new("skua.toml"),
        )
        .unwrap();
        let settings = Settings::from_options(&options, PathBuf::from("/repo"), None);
        assert!(!settings.is_enabled_for(
            Rule::HardcodedToken,
            Path::new("/repo/tests/unit/test_x.py")
        ));
        assert!(settings.is_enabled_for(Rule::HardcodedToken, Path::new("/repo/src/x.py")));
        assert!(settings.is_excluded(Path::new("/repo/legacy")));
        assert!(settings.is_excluded(Path::new("/repo/a/.venv")));
        assert!(
            !settings.is_excluded(Path::new("/elsewhere/site-packages/pkg/x.py")),
            "only the entry itself counts"
        );
        assert!(!settings.is_excluded(Path::new("/repo/src/x.py")));
    }
}
