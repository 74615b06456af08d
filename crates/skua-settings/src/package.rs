//! Settings of lock, sync, run and venv: flags > environment > configuration file > defaults.
//!
//! pip's own variables (`PIP_INDEX_URL`, `PIP_EXTRA_INDEX_URL`) are machine-wide settings
//! for pip; they are read only when neither a flag, a `SKUA_*` variable nor the project's
//! configuration names an index, so a project that configured a private index never
//! silently goes elsewhere.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use skua_types::{ExcludeNewer, IndexUrl};

use crate::config::ConfigFile;
use crate::{Source, Sourced};

/// What the command line said; `None`/`false`/empty means "not given".
#[derive(Clone, Debug, Default)]
pub struct PackageFlags {
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub offline: bool,
    pub refresh: bool,
    pub cache_dir: Option<PathBuf>,
    pub exclude_newer: Option<String>,
    pub python_version: Option<String>,
    pub python_platform: Option<String>,
    pub no_progress: bool,
}

/// A setting that could not be honoured: always names the value's source.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("invalid {key} from {origin}: {message}")]
    Invalid {
        key: &'static str,
        origin: Source,
        message: String,
    },
    #[error(
        "cannot find a cache directory: pass --cache-dir, or set SKUA_CACHE_DIR, XDG_CACHE_HOME or HOME"
    )]
    NoCacheDir,
}

/// The resolved settings; each value knows where it came from.
#[derive(Clone, Debug)]
pub struct PackageSettings {
    /// The configuration file that was read, if any.
    pub config_file: Option<PathBuf>,
    /// `None`: PyPI.
    pub index_url: Sourced<Option<IndexUrl>>,
    pub extra_index_urls: Sourced<Vec<IndexUrl>>,
    pub offline: Sourced<bool>,
    pub refresh: Sourced<bool>,
    pub cache_dir: Sourced<PathBuf>,
    pub exclude_newer: Sourced<Option<ExcludeNewer>>,
    pub python_version: Sourced<Option<String>>,
    pub python_platform: Sourced<Option<String>>,
    pub no_progress: Sourced<bool>,
    /// The index client's tuning (environment only): `None` keeps the client's default.
    pub http: HttpTuning,
}

/// `SKUA_HTTP_TIMEOUT`, `SKUA_HTTP_DEADLINE` (seconds) and `SKUA_HTTP_MAX_PAGE_BYTES`.
#[derive(Clone, Debug)]
pub struct HttpTuning {
    /// Connect timeout, and the longest a response may go without sending data.
    pub timeout: Sourced<Option<std::time::Duration>>,
    /// Longest one request may take in all.
    pub deadline: Sourced<Option<std::time::Duration>>,
    /// Largest index page, metadata file or range response accepted.
    pub max_page_bytes: Sourced<Option<u64>>,
}

/// A tuning variable's value; one that cannot be used is an error naming it, never the
/// default without a word.
fn tuning_var<T>(
    env: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    parse: fn(&str) -> Option<T>,
    expected: &str,
) -> Result<Sourced<Option<T>>, SettingsError> {
    let Some(value) = env(name).filter(|value| !value.trim().is_empty()) else {
        return Ok(Sourced::default_value(None));
    };
    match parse(value.trim()) {
        Some(parsed) => Ok(Sourced::new(Some(parsed), Source::Env(name))),
        None => Err(SettingsError::Invalid {
            key: name,
            origin: Source::Env(name),
            message: format!("{name}={value:?} is not {expected}"),
        }),
    }
}

fn positive_seconds(text: &str) -> Option<std::time::Duration> {
    let seconds = text.parse::<f64>().ok()?;
    if !seconds.is_finite() || seconds <= 0.0 {
        return None;
    }
    std::time::Duration::try_from_secs_f64(seconds).ok()
}

fn positive_bytes(text: &str) -> Option<u64> {
    text.parse::<u64>().ok().filter(|bytes| *bytes > 0)
}

/// The first of these variables that is set to something other than whitespace.
fn first_var(
    env: &dyn Fn(&str) -> Option<String>,
    names: &[&'static str],
) -> Option<(String, &'static str)> {
    names.iter().find_map(|name| {
        env(name)
            .filter(|value| !value.trim().is_empty())
            .map(|value| (value, *name))
    })
}

/// `1`, `true`, `yes`, `on` (any case) are true; `0`, `false`, `no`, `off` and empty are false.
fn env_flag(
    env: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Option<bool>, SettingsError> {
    let Some(value) = env(name) else {
        return Ok(None);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(Some(true)),
        "" | "0" | "false" | "no" | "off" => Ok(Some(false)),
        _ => Err(SettingsError::Invalid {
            key: name,
            origin: Source::Env(name),
            message: format!("`{value}` is not a boolean (use 1 or 0)"),
        }),
    }
}

fn config_source(config: Option<&ConfigFile>, key: &'static str) -> Source {
    Source::Config {
        path: config.map(|c| c.path.clone()).unwrap_or_default(),
        key,
    }
}

fn parse_index(text: &str, key: &'static str, source: &Source) -> Result<IndexUrl, SettingsError> {
    IndexUrl::parse(text).map_err(|error| SettingsError::Invalid {
        key,
        origin: source.clone(),
        message: error.to_string(),
    })
}

impl PackageSettings {
    /// Resolves the settings once: `flags`, then `env` (a variable lookup, `std::env::var`
    /// in the CLI), then `config`, then the defaults.
    pub fn resolve(
        flags: &PackageFlags,
        env: &dyn Fn(&str) -> Option<String>,
        config: Option<&ConfigFile>,
    ) -> Result<PackageSettings, SettingsError> {
        let options = config.map(|config| &config.options);

        // Indexes.
        let index_text: Option<(String, Source)> = flags
            .index_url
            .clone()
            .map(|url| (url, Source::Flag("--index-url")))
            .or_else(|| first_var(env, &["SKUA_INDEX_URL"]).map(|(v, n)| (v, Source::Env(n))))
            .or_else(|| {
                options
                    .and_then(|o| o.index_url.clone())
                    .map(|url| (url, config_source(config, "index-url")))
            })
            .or_else(|| first_var(env, &["PIP_INDEX_URL"]).map(|(v, n)| (v, Source::Env(n))));
        let index_url = match index_text {
            Some((text, source)) => {
                Sourced::new(Some(parse_index(&text, "index URL", &source)?), source)
            }
            None => Sourced::default_value(None),
        };
        let split = |value: String| -> Vec<String> {
            // `PIP_EXTRA_INDEX_URL` holds several URLs separated by whitespace.
            value.split_whitespace().map(str::to_owned).collect()
        };
        let extra_texts: Option<(Vec<String>, Source)> = if !flags.extra_index_urls.is_empty() {
            Some((
                flags.extra_index_urls.clone(),
                Source::Flag("--extra-index-url"),
            ))
        } else if let Some((value, name)) = first_var(env, &["SKUA_EXTRA_INDEX_URL"]) {
            Some((split(value), Source::Env(name)))
        } else if let Some(urls) = options.and_then(|o| o.extra_index_url.clone()) {
            Some((urls, config_source(config, "extra-index-url")))
        } else {
            first_var(env, &["PIP_EXTRA_INDEX_URL"])
                .map(|(value, name)| (split(value), Source::Env(name)))
        };
        let extra_index_urls = match extra_texts {
            Some((texts, source)) => {
                let urls = texts
                    .iter()
                    .map(|text| parse_index(text, "extra index URL", &source))
                    .collect::<Result<Vec<_>, _>>()?;
                Sourced::new(urls, source)
            }
            None => Sourced::default_value(Vec::new()),
        };

        // Cache.
        let cache_dir = if let Some(dir) = &flags.cache_dir {
            Sourced::new(dir.clone(), Source::Flag("--cache-dir"))
        } else if let Some((dir, name)) = first_var(env, &["SKUA_CACHE_DIR"]) {
            Sourced::new(PathBuf::from(dir), Source::Env(name))
        } else if let (Some(config), Some(dir)) =
            (config, options.and_then(|o| o.cache_dir.as_deref()))
        {
            Sourced::new(
                config.dir().join(dir),
                config_source(Some(config), "cache-dir"),
            )
        } else if let Some((dir, name)) = first_var(env, &["XDG_CACHE_HOME"])
            // The XDG spec says relative paths are invalid and must be ignored.
            .filter(|(dir, _)| Path::new(dir).is_absolute())
        {
            Sourced::new(PathBuf::from(dir).join("skua"), Source::Env(name))
        } else if let Some((home, _)) = first_var(env, &["HOME"]) {
            Sourced::default_value(PathBuf::from(home).join(".cache").join("skua"))
        } else {
            return Err(SettingsError::NoCacheDir);
        };

        // Resolution.
        let exclude_text: Option<(String, Source)> = flags
            .exclude_newer
            .clone()
            .map(|value| (value, Source::Flag("--exclude-newer")))
            .or_else(|| first_var(env, &["SKUA_EXCLUDE_NEWER"]).map(|(v, n)| (v, Source::Env(n))))
            .or_else(|| {
                options
                    .and_then(|o| o.exclude_newer.clone())
                    .map(|value| (value, config_source(config, "exclude-newer")))
            });
        let exclude_newer = match exclude_text {
            Some((text, source)) => {
                let cutoff =
                    text.parse::<ExcludeNewer>()
                        .map_err(|error| SettingsError::Invalid {
                            key: "exclude-newer",
                            origin: source.clone(),
                            message: error.to_string(),
                        })?;
                Sourced::new(Some(cutoff), source)
            }
            None => Sourced::default_value(None),
        };
        let text_setting = |flag: &Option<String>,
                            flag_name: &'static str,
                            from_file: Option<String>,
                            key: &'static str|
         -> Sourced<Option<String>> {
            match (flag, from_file) {
                (Some(value), _) => Sourced::new(Some(value.clone()), Source::Flag(flag_name)),
                (None, Some(value)) => Sourced::new(Some(value), config_source(config, key)),
                (None, None) => Sourced::default_value(None),
            }
        };
        let python_version = text_setting(
            &flags.python_version,
            "--python-version",
            options.and_then(|o| o.python_version.clone()),
            "python-version",
        );
        let python_platform = text_setting(
            &flags.python_platform,
            "--python-platform",
            options.and_then(|o| o.python_platform.clone()),
            "python-platform",
        );

        // Behaviour.
        let flag_setting = |given: bool,
                            flag_name: &'static str,
                            var: &'static str,
                            from_file: Option<bool>,
                            key: &'static str|
         -> Result<Sourced<bool>, SettingsError> {
            if given {
                return Ok(Sourced::new(true, Source::Flag(flag_name)));
            }
            if let Some(value) = env_flag(env, var)? {
                return Ok(Sourced::new(value, Source::Env(var)));
            }
            Ok(match from_file {
                Some(value) => Sourced::new(value, config_source(config, key)),
                None => Sourced::default_value(false),
            })
        };
        let no_progress = flag_setting(
            flags.no_progress,
            "--no-progress",
            "SKUA_NO_PROGRESS",
            options.and_then(|o| o.no_progress),
            "no-progress",
        )?;
        let offline = flag_setting(flags.offline, "--offline", "SKUA_OFFLINE", None, "offline")?;
        let refresh = if flags.refresh {
            Sourced::new(true, Source::Flag("--refresh"))
        } else {
            Sourced::default_value(false)
        };

        Ok(PackageSettings {
            config_file: config.map(|config| config.path.clone()),
            index_url,
            extra_index_urls,
            offline,
            refresh,
            cache_dir,
            exclude_newer,
            python_version,
            python_platform,
            no_progress,
            http: HttpTuning {
                timeout: tuning_var(
                    env,
                    "SKUA_HTTP_TIMEOUT",
                    positive_seconds,
                    "a positive number of seconds",
                )?,
                deadline: tuning_var(
                    env,
                    "SKUA_HTTP_DEADLINE",
                    positive_seconds,
                    "a positive number of seconds",
                )?,
                max_page_bytes: tuning_var(
                    env,
                    "SKUA_HTTP_MAX_PAGE_BYTES",
                    positive_bytes,
                    "a positive number of bytes",
                )?,
            },
        })
    }

    /// The settings as `--show-settings` prints them: one `key = value` line each, with
    /// where the value came from. Index credentials are redacted.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# configuration file: {}",
            self.config_file
                .as_ref()
                .map_or_else(|| "none".to_string(), |path| path.display().to_string())
        );
        let mut line = |key: &str, value: String, source: &Source| {
            let _ = writeln!(out, "{key} = {value}  # {source}");
        };
        let quoted =
            |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
        line(
            "index-url",
            self.index_url.value.as_ref().map_or_else(
                || format!("{}  (PyPI)", quoted("https://pypi.org/simple/")),
                |url| quoted(&url.to_string()),
            ),
            &self.index_url.source,
        );
        line(
            "extra-index-url",
            format!(
                "[{}]",
                self.extra_index_urls
                    .value
                    .iter()
                    .map(|url| quoted(&url.to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &self.extra_index_urls.source,
        );
        line(
            "cache-dir",
            quoted(&self.cache_dir.value.display().to_string()),
            &self.cache_dir.source,
        );
        let optional =
            |value: &Option<String>| value.as_deref().map_or_else(|| "none".to_string(), &quoted);
        line(
            "exclude-newer",
            optional(&self.exclude_newer.value.map(|cutoff| cutoff.to_string())),
            &self.exclude_newer.source,
        );
        line(
            "python-version",
            optional(&self.python_version.value),
            &self.python_version.source,
        );
        line(
            "python-platform",
            optional(&self.python_platform.value),
            &self.python_platform.source,
        );
        line(
            "offline",
            self.offline.value.to_string(),
            &self.offline.source,
        );
        line(
            "refresh",
            self.refresh.value.to_string(),
            &self.refresh.source,
        );
        line(
            "no-progress",
            self.no_progress.value.to_string(),
            &self.no_progress.source,
        );
        // Unset, the index client keeps its own defaults (30 s, 300 s, 64 MiB).
        let seconds = |value: &Option<std::time::Duration>| {
            value.map_or_else(
                || "default".to_string(),
                |duration| duration.as_secs_f64().to_string(),
            )
        };
        line(
            "http-timeout",
            seconds(&self.http.timeout.value),
            &self.http.timeout.source,
        );
        line(
            "http-deadline",
            seconds(&self.http.deadline.value),
            &self.http.deadline.source,
        );
        line(
            "http-max-page-bytes",
            self.http
                .max_page_bytes
                .value
                .map_or_else(|| "default".to_string(), |bytes| bytes.to_string()),
            &self.http.max_page_bytes.source,
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Options;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    fn config(text: &str) -> ConfigFile {
        let table: toml::Table = toml::from_str(text).unwrap();
        let path = PathBuf::from("/project/skua.toml");
        ConfigFile {
            options: Options::from_table(table, &path).unwrap(),
            path,
        }
    }

    #[test]
    fn flags_beat_environment_beat_the_file() {
        let file = config("index-url = \"https://file.example/simple\"\ncache-dir = \".cache\"\n");
        let env = vars(&[
            ("SKUA_INDEX_URL", "https://env.example/simple"),
            ("HOME", "/home/u"),
        ]);
        let flags = PackageFlags {
            index_url: Some("https://flag.example/simple".into()),
            ..PackageFlags::default()
        };
        let settings = PackageSettings::resolve(&flags, &env, Some(&file)).unwrap();
        assert_eq!(
            settings.index_url.value.unwrap().to_string(),
            "https://flag.example/simple/"
        );
        assert_eq!(settings.index_url.source, Source::Flag("--index-url"));

        let settings =
            PackageSettings::resolve(&PackageFlags::default(), &env, Some(&file)).unwrap();
        assert_eq!(settings.index_url.source, Source::Env("SKUA_INDEX_URL"));
        // A relative cache-dir is relative to the file that says it.
        assert_eq!(settings.cache_dir.value, PathBuf::from("/project/.cache"));

        let settings = PackageSettings::resolve(
            &PackageFlags::default(),
            &vars(&[("HOME", "/h")]),
            Some(&file),
        )
        .unwrap();
        assert_eq!(
            settings.index_url.value.as_ref().unwrap().to_string(),
            "https://file.example/simple/"
        );
        assert!(
            settings
                .render()
                .contains("`index-url` in /project/skua.toml")
        );
    }

    #[test]
    fn pip_variables_never_override_a_configured_index() {
        let file = config("index-url = \"https://internal.example/simple\"\n");
        let env = vars(&[
            ("PIP_INDEX_URL", "https://mirror.example/simple"),
            (
                "PIP_EXTRA_INDEX_URL",
                "https://a.example/simple https://b.example/simple",
            ),
            ("HOME", "/h"),
        ]);
        let settings =
            PackageSettings::resolve(&PackageFlags::default(), &env, Some(&file)).unwrap();
        assert_eq!(
            settings.index_url.value.unwrap().to_string(),
            "https://internal.example/simple/"
        );
        assert_eq!(settings.extra_index_urls.value.len(), 2);
        let settings = PackageSettings::resolve(&PackageFlags::default(), &env, None).unwrap();
        assert_eq!(settings.index_url.source, Source::Env("PIP_INDEX_URL"));
    }

    #[test]
    fn cache_dir_precedence() {
        let home = ("HOME", "/home/u");
        let resolve = |pairs: &[(&str, &str)]| {
            PackageSettings::resolve(&PackageFlags::default(), &vars(pairs), None)
                .map(|settings| settings.cache_dir.value)
        };
        assert_eq!(
            resolve(&[("SKUA_CACHE_DIR", "/c"), ("XDG_CACHE_HOME", "/x"), home]).unwrap(),
            PathBuf::from("/c")
        );
        assert_eq!(
            resolve(&[("XDG_CACHE_HOME", "/x"), home]).unwrap(),
            PathBuf::from("/x/skua")
        );
        // Relative XDG paths are invalid per the spec; empty values count as unset.
        assert_eq!(
            resolve(&[("XDG_CACHE_HOME", "rel"), ("SKUA_CACHE_DIR", ""), home]).unwrap(),
            PathBuf::from("/home/u/.cache/skua")
        );
        assert!(matches!(resolve(&[]), Err(SettingsError::NoCacheDir)));
    }

    #[test]
    fn bad_values_name_their_source() {
        let file = config("exclude-newer = \"last tuesday\"\n");
        let error = PackageSettings::resolve(
            &PackageFlags::default(),
            &vars(&[("HOME", "/h")]),
            Some(&file),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("`exclude-newer` in /project/skua.toml"),
            "{error}"
        );
        let error = PackageSettings::resolve(
            &PackageFlags::default(),
            &vars(&[("HOME", "/h"), ("SKUA_INDEX_URL", "ftp://user:s3cret@x/")]),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("$SKUA_INDEX_URL"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
        let error = PackageSettings::resolve(
            &PackageFlags::default(),
            &vars(&[("HOME", "/h"), ("SKUA_NO_PROGRESS", "maybe")]),
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("not a boolean"), "{error}");
    }
}
