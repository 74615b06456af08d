//! `[tool.skua]` / `skua.toml` configuration: loading, validation and per-directory resolution.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use skua_types::PackageName;

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
    "bq",
];

pub use skua_settings::{ConfigError, Options};

/// Rule selectors in `options` are codes or prefixes the registry knows.
pub fn validate_rule_selectors(options: &Options, path: &Path) -> Result<(), ConfigError> {
    let selector_lists = [
        &options.select,
        &options.ignore,
        &options.extend_select,
        &options.extend_ignore,
    ];
    let per_file = options.per_file_ignores.iter().flat_map(|map| map.values());
    for list in selector_lists.into_iter().flatten().chain(per_file) {
        for entry in list {
            RuleSelector::parse(entry)
                .map_err(|error| ConfigError::invalid(path, error.to_string()))?;
        }
    }
    Ok(())
}

/// Loads a configuration file's options, checking the linter's part of them.
fn load_options(path: &Path) -> Result<Option<Options>, ConfigError> {
    let options = Options::load(path)?;
    if let Some(options) = &options {
        validate_rule_selectors(options, path)?;
    }
    Ok(options)
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
    exclude: Excludes,
    per_file_ignores: Vec<(GlobSet, Vec<RuleSelector>)>,
    pub cloud_clis: Vec<String>,
    pub secret_names: Vec<String>,
    pub application: bool,
    pub allowed_unpinned: Vec<PackageName>,
    /// Read `-r`/`-c` includes that point outside the project.
    pub allow_outside_includes: bool,
    /// `baseline`, relative to the configuration file.
    pub baseline: Option<PathBuf>,
    /// `test-secrets = "all"`: report every kind of secret in test code, not only tokens.
    pub all_test_secrets: bool,
    /// `fix-timeout`: the seconds NET001's fix adds as `timeout=`.
    pub fix_timeout: u32,
}

/// NET001's fix adds `timeout=30` unless `fix-timeout` says otherwise.
pub const DEFAULT_FIX_TIMEOUT: u32 = 30;

fn selectors(list: &Option<Vec<String>>) -> Vec<RuleSelector> {
    // Entries were validated when the options were loaded or parsed from flags.
    list.iter()
        .flatten()
        .filter_map(|entry| RuleSelector::parse(entry).ok())
        .collect()
}

/// The globs one written pattern stands for. A bare name (`build`) matches that file or
/// directory anywhere, like ruff's exclude; a trailing `/` (`legacy/`) names a directory.
fn pattern_globs(pattern: &str) -> Vec<String> {
    let pattern = pattern.strip_suffix('/').unwrap_or(pattern);
    if pattern.contains('/') {
        vec![pattern.trim_start_matches("./").to_string()]
    } else {
        vec![pattern.to_string(), format!("**/{pattern}")]
    }
}

fn glob_set(patterns: impl IntoIterator<Item = String>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        for glob in pattern_globs(&pattern) {
            // Patterns were validated when the options were loaded or parsed from flags.
            if let Ok(glob) = Glob::new(&glob) {
                builder.add(glob);
            }
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Exclude patterns, remembering which ones the user wrote and whether each ever matched,
/// so a pattern that excludes nothing is reported instead of silently doing nothing.
#[derive(Debug, Clone)]
struct Excludes {
    globs: GlobSet,
    /// For each glob in `globs`, the index of the user pattern it came from (`None`: a default).
    owner: Vec<Option<usize>>,
    user: Arc<Vec<UserPattern>>,
    /// Whether the walk consulted these settings at all.
    consulted: Arc<std::sync::atomic::AtomicBool>,
}

#[derive(Debug)]
struct UserPattern {
    pattern: String,
    matched: std::sync::atomic::AtomicBool,
}

impl Excludes {
    fn new(defaults: &[String], user: &[String]) -> Excludes {
        let mut builder = GlobSetBuilder::new();
        let mut owner = Vec::new();
        let written = defaults.iter().map(|pattern| (pattern, None)).chain(
            user.iter()
                .enumerate()
                .map(|(i, pattern)| (pattern, Some(i))),
        );
        for (pattern, source) in written {
            for glob in pattern_globs(pattern) {
                if let Ok(glob) = Glob::new(&glob) {
                    builder.add(glob);
                    owner.push(source);
                }
            }
        }
        Excludes {
            globs: builder.build().unwrap_or_else(|_| GlobSet::empty()),
            owner,
            user: Arc::new(
                user.iter()
                    .map(|pattern| UserPattern {
                        pattern: pattern.clone(),
                        matched: Default::default(),
                    })
                    .collect(),
            ),
            consulted: Default::default(),
        }
    }

    fn is_match(&self, path: &Path) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        self.consulted.store(true, Relaxed);
        let matches = self.globs.matches(path);
        for index in &matches {
            if let Some(Some(user)) = self.owner.get(*index)
                && let Some(pattern) = self.user.get(*user)
            {
                pattern.matched.store(true, Relaxed);
            }
        }
        !matches.is_empty()
    }
}

/// A user-written exclude pattern that matched no file or directory in the walk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnmatchedExclude {
    pub pattern: String,
    /// The configuration file that holds it; `None` for `--exclude`/`--extend-exclude`.
    pub config: Option<PathBuf>,
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

        let defaults: Vec<String> = match &options.exclude {
            Some(_) => Vec::new(),
            None => DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect(),
        };
        let user: Vec<String> = options
            .exclude
            .iter()
            .flatten()
            .chain(options.extend_exclude.iter().flatten())
            .cloned()
            .collect();
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
            exclude: Excludes::new(&defaults, &user),
            per_file_ignores,
            cloud_clis,
            secret_names: options.secret_names.clone().unwrap_or_default(),
            application: options.application.unwrap_or(false),
            // Names were validated when the file was loaded.
            allow_outside_includes: options.allow_outside_includes.unwrap_or(false),
            baseline: options.baseline.as_ref().map(|path| root.join(path)),
            all_test_secrets: options.test_secrets.as_deref() == Some("all"),
            fix_timeout: options.fix_timeout.unwrap_or(DEFAULT_FIX_TIMEOUT),
            allowed_unpinned: options
                .allowed_unpinned
                .iter()
                .flatten()
                .filter_map(|name| PackageName::new(name).ok())
                .collect(),
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

    /// User-written exclude patterns that matched nothing, when the walk consulted these
    /// settings at all.
    fn unmatched_excludes(&self) -> impl Iterator<Item = &str> {
        use std::sync::atomic::Ordering::Relaxed;
        let consulted = self.exclude.consulted.load(Relaxed);
        self.exclude
            .user
            .iter()
            .filter(move |pattern| consulted && !pattern.matched.load(Relaxed))
            .map(|pattern| pattern.pattern.as_str())
    }

    /// Test code by its path below the configuration's root: anything in a `tests`, `test`,
    /// `testing`, `__tests__`, `integration`, `integration_tests` or `e2e` directory (their
    /// `fixtures/` included), `test_*.py`,
    /// `*_test.py` or `conftest.py`. A top-level `fixtures/` alone is not enough: it is as
    /// often deployment data as test data.
    pub fn is_test_code(&self, path: &Path) -> bool {
        let relative = self.relative(path);
        let in_test_dir = relative.parent().is_some_and(|dir| {
            dir.components().any(|component| {
                matches!(
                    component.as_os_str().to_str(),
                    Some(
                        "tests"
                            | "test"
                            | "testing"
                            | "__tests__"
                            | "integration"
                            | "integration_tests"
                            | "e2e"
                    )
                )
            })
        });
        let name = relative
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        in_test_dir
            || name == "conftest.py"
            || (name.starts_with("test_") && name.ends_with(".py"))
            || name.ends_with("_test.py")
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
    /// `pyproject.toml` files passed over because they are not valid TOML.
    unreadable: Mutex<Vec<PathBuf>>,
}

impl SettingsResolver {
    pub fn new(
        overrides: Options,
        config_file: Option<&Path>,
        cwd: &Path,
    ) -> Result<Self, ConfigError> {
        let fixed = match config_file {
            Some(path) => {
                let options = load_options(path)?.unwrap_or_default();
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
            unreadable: Mutex::new(Vec::new()),
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
            unreadable: Mutex::new(Vec::new()),
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
        for candidate in skua_settings::config::candidates(dir) {
            if let Some(found) = self.load_config(&candidate)? {
                settings = Some(found);
                break;
            }
        }
        let settings = settings.unwrap_or_else(|| Arc::clone(&self.fallback));
        if let Ok(mut cache) = self.by_dir.lock() {
            cache.insert(dir.to_path_buf(), Arc::clone(&settings));
        }
        Ok(settings)
    }

    /// `pyproject.toml` files whose configuration could not be read (not valid TOML).
    pub fn unreadable_configs(&self) -> Vec<PathBuf> {
        self.unreadable
            .lock()
            .map(|unreadable| unreadable.clone())
            .unwrap_or_default()
    }

    /// Exclude patterns the user wrote (flags or a configuration file the walk used) that
    /// matched nothing. A pattern given as a flag counts as matched when it matched under
    /// any configuration.
    pub fn unmatched_excludes(&self) -> Vec<UnmatchedExclude> {
        use std::sync::atomic::Ordering::Relaxed;
        let mut in_use: Vec<Arc<Settings>> = self.fixed.iter().cloned().collect();
        in_use.push(Arc::clone(&self.fallback));
        if let Ok(by_config) = self.by_config.lock() {
            in_use.extend(by_config.values().cloned());
        }
        in_use.retain(|settings| settings.exclude.consulted.load(Relaxed));
        let from_flags = |pattern: &str| {
            self.overrides
                .exclude
                .iter()
                .chain(&self.overrides.extend_exclude)
                .flatten()
                .any(|flag| flag == pattern)
        };
        let matched_anywhere = |pattern: &str| {
            in_use.iter().any(|settings| {
                settings
                    .exclude
                    .user
                    .iter()
                    .any(|user| user.pattern == pattern && user.matched.load(Relaxed))
            })
        };
        let mut unmatched: Vec<UnmatchedExclude> = in_use
            .iter()
            .flat_map(|settings| {
                settings.unmatched_excludes().map(|pattern| {
                    let config = if from_flags(pattern) {
                        None
                    } else {
                        settings.config_path.clone()
                    };
                    UnmatchedExclude {
                        pattern: pattern.to_string(),
                        config,
                    }
                })
            })
            .filter(|unmatched| unmatched.config.is_some() || !matched_anywhere(&unmatched.pattern))
            .collect();
        unmatched.sort();
        unmatched.dedup();
        unmatched
    }

    /// The settings governing `dir` as `key = value  # source` lines (`--show-settings`):
    /// each linter key with where its value came from, then the resolved rule set.
    pub fn show(&self, dir: &Path) -> Result<String, ConfigError> {
        let settings = self.for_dir(dir)?;
        let file = match &settings.config_path {
            Some(path) => Options::load(path)?.unwrap_or_default(),
            None => Options::default(),
        };
        let merged = file.merged_with(&self.overrides);
        let table = |options: &Options| match toml::Value::try_from(options) {
            Ok(toml::Value::Table(table)) => table,
            _ => toml::Table::new(),
        };
        let (file, flags, merged) = (table(&file), table(&self.overrides), table(&merged));
        let strings = |list: &[&str]| {
            toml::Value::Array(list.iter().map(|s| toml::Value::from(*s)).collect())
        };
        let mut out = format!(
            "# configuration file: {}\n",
            settings
                .config_path
                .as_ref()
                .map_or_else(|| "none".to_string(), |path| path.display().to_string())
        );
        for key in skua_settings::config::LINT_KEYS {
            let (value, source) = match merged.get(*key) {
                Some(value) => {
                    let config = settings.config_path.as_deref().map(Path::display);
                    let source = match (flags.contains_key(*key), config) {
                        (true, Some(config)) if file.contains_key(*key) => {
                            format!("command line and {config}")
                        }
                        (false, Some(config)) => config.to_string(),
                        _ => "command line".to_string(),
                    };
                    (value.clone(), source)
                }
                None => {
                    let value = match *key {
                        "select" => strings(&["ALL"]),
                        "exclude" => strings(DEFAULT_EXCLUDE),
                        "cloud-clis" => strings(DEFAULT_CLOUD_CLIS),
                        "application" | "allow-outside-includes" => toml::Value::Boolean(false),
                        "per-file-ignores" => toml::Value::Table(toml::Table::new()),
                        "baseline" => toml::Value::from("none"),
                        "test-secrets" => toml::Value::from("tokens"),
                        "fix-timeout" => toml::Value::Integer(i64::from(DEFAULT_FIX_TIMEOUT)),
                        _ => toml::Value::Array(Vec::new()),
                    };
                    (value, "default".to_string())
                }
            };
            out.push_str(&format!("{key} = {value}  # {source}\n"));
        }
        let rules: Vec<&str> = settings.rules.iter().map(Rule::code).collect();
        out.push_str(&format!(
            "# resolved: {} rules enabled\nrules = {}\n",
            rules.len(),
            strings(&rules)
        ));
        Ok(out)
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
        // A pyproject.toml that is not TOML is one of the files being checked (E999), not a
        // reason to check nothing: it is passed over, and the CLI says so.
        let loaded = match load_options(path) {
            Err(ConfigError::Syntax { .. })
                if path
                    .file_name()
                    .is_some_and(|name| name == "pyproject.toml") =>
            {
                if let Ok(mut unreadable) = self.unreadable.lock()
                    && !unreadable.iter().any(|known| known == path)
                {
                    unreadable.push(path.to_path_buf());
                }
                return Ok(None);
            }
            other => other?,
        };
        let Some(options) = loaded else {
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
    fn unknown_selector_is_an_error() {
        let options =
            Options::from_table(table("ignore = [\"XYZ\"]"), Path::new("skua.toml")).unwrap();
        let err = validate_rule_selectors(&options, Path::new("skua.toml")).unwrap_err();
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
