use std::ops::Range;
use std::path::Path;

use super::dotenv_secret::judge_entry;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};
use crate::secrets;
use crate::settings::Settings;

declare_rule! {
    /// ## What it does
    /// Checks the configuration files a DevOps repository commits for secrets: YAML
    /// (`docker-compose*.yml`, CI and Ansible variables, Kubernetes manifests), JSON,
    /// INI/CFG/CONF, TOML (other than `pyproject.toml`), Terraform `*.tfvars`, `.npmrc`,
    /// `pip.conf`/`pip.ini`, `.pypirc`, `.netrc`, and `ENV`/`ARG` lines of Dockerfiles.
    ///
    /// It reports secret-named keys (`password`, `MasterUserPassword`, `api_key`,
    /// `_authToken`, …) whose value looks real, known token formats anywhere in the file
    /// (cloud keys, GitHub/GitLab/Slack/PyPI/npm tokens, private keys), and URLs with a
    /// password. The judgement is the one used for Python code and dotenv files, so
    /// references (`${DB_PASSWORD}`, `{{ vault_db_password }}`, `!Ref DbPassword`,
    /// `!vault`), placeholders (`changeme`, `<token>`) and empty values are fine. In
    /// example files of API documentation (`examples-1.json`, `config.sample.yaml`), as in
    /// test code, only known token formats are reported.
    ///
    /// ## Why is this bad?
    /// A secret in a committed configuration file is shared with everyone who can read the
    /// repository, copied into every clone, image layer and CI cache, and stays in the
    /// history after it is removed.
    ///
    /// ## Example
    /// ```yaml
    /// # docker-compose.yml
    /// services:
    ///   db:
    ///     environment:
    ///       POSTGRES_PASSWORD: Pr0dPassw0rd-2024
    /// ```
    ///
    /// ## Use instead
    /// Reference the value and provide it from the environment or a secret manager:
    /// ```yaml
    /// services:
    ///   db:
    ///     environment:
    ///       POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
    /// ```
    pub struct ConfigFileSecret => ("SEC006", "config-file-secret");
}

/// The configuration formats checked, by how their entries are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigFormat {
    Yaml,
    Json,
    /// INI, CFG, CONF, `.pypirc`, `pip.conf`.
    Ini,
    /// TOML and Terraform variable files (`key = "value"`).
    Toml,
    Npmrc,
    Netrc,
    Dockerfile,
}

impl ConfigFormat {
    /// The format of a file, by its name.
    pub fn of(path: &Path) -> Option<ConfigFormat> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            ".npmrc" | "npmrc" | ".yarnrc" => return Some(ConfigFormat::Npmrc),
            ".netrc" | "_netrc" => return Some(ConfigFormat::Netrc),
            ".pypirc" | "pip.conf" | "pip.ini" => return Some(ConfigFormat::Ini),
            "dockerfile" | "containerfile" => return Some(ConfigFormat::Dockerfile),
            "pyproject.toml" | "package-lock.json" | "composer.json" | "composer.lock" => {
                return None;
            }
            _ => {}
        }
        if lower.starts_with("dockerfile.") || lower.ends_with(".dockerfile") {
            return Some(ConfigFormat::Dockerfile);
        }
        let (stem, extension) = lower.rsplit_once('.')?;
        if stem.is_empty() {
            return None;
        }
        match extension {
            "yml" | "yaml" => Some(ConfigFormat::Yaml),
            "json" if !stem.ends_with(".lock") => Some(ConfigFormat::Json),
            "ini" | "cfg" | "conf" => Some(ConfigFormat::Ini),
            "toml" | "tfvars" => Some(ConfigFormat::Toml),
            _ => None,
        }
    }

    /// The file, with its article, for messages.
    fn describe(self) -> &'static str {
        match self {
            ConfigFormat::Yaml => "a YAML file",
            ConfigFormat::Json => "a JSON file",
            ConfigFormat::Ini => "an INI file",
            ConfigFormat::Toml => "a TOML file",
            ConfigFormat::Npmrc => "an .npmrc file",
            ConfigFormat::Netrc => "a .netrc file",
            ConfigFormat::Dockerfile => "a Dockerfile",
        }
    }
}

/// Files larger than this are data (exports, fixtures, lock files), not configuration.
const MAX_CONFIG_BYTES: usize = 2 * 1024 * 1024;

/// Checks the text of one configuration file.
pub fn check_config(text: &str, path: &Path, settings: &Settings) -> Vec<Diagnostic> {
    let Some(format) = ConfigFormat::of(path) else {
        return Vec::new();
    };
    if text.len() > MAX_CONFIG_BYTES {
        return Vec::new();
    }
    let mut diagnostics = Vec::new();
    let mut covered: Vec<Range<usize>> = Vec::new();
    let mut report = |message: String, secret: Range<usize>, range: Range<usize>| {
        let shown = secrets::redact(text.get(secret.clone()).unwrap_or_default());
        diagnostics.push(
            Diagnostic::new(
                Rule::ConfigFileSecret,
                format!(
                    "{message} committed in {}: `{shown}`; reference it and load the value from the environment or a secret manager, and rotate it",
                    format.describe()
                ),
                range,
            )
            .with_secret(secret),
        );
    };
    for entry in entries(text, format) {
        let key = text.get(entry.key.clone()).unwrap_or_default();
        // npm's `_auth` holds base64 `user:password`.
        let name = if format == ConfigFormat::Npmrc && key == "_auth" {
            "_password"
        } else {
            key
        };
        if let Some((message, secret)) = judge_entry(text, name, &entry.value, settings) {
            covered.push(entry.value.clone());
            report(message, secret, entry.value);
        }
    }
    // Known token formats wherever they are: block scalars, arrays, command lines.
    for token in secrets::find_tokens(text) {
        if covered
            .iter()
            .any(|range| range.start < token.range.end && token.range.start < range.end)
        {
            continue;
        }
        let message = token.kind.description().to_string();
        report(message, token.range.clone(), token.range);
    }
    diagnostics
}

#[derive(Debug)]
struct Entry {
    key: Range<usize>,
    value: Range<usize>,
}

fn entries(text: &str, format: ConfigFormat) -> Vec<Entry> {
    match format {
        ConfigFormat::Json => json_entries(text),
        ConfigFormat::Netrc => netrc_entries(text),
        _ => {
            let mut entries = Vec::new();
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                let content = line.trim_end_matches(['\n', '\r']);
                match format {
                    ConfigFormat::Yaml => yaml_line(content, offset, &mut entries),
                    ConfigFormat::Dockerfile => dockerfile_line(content, offset, &mut entries),
                    _ => assignment_line(content, offset, format, &mut entries),
                }
                offset += line.len();
            }
            entries
        }
    }
}

/// The range of `part`, a subslice of `line`, in file offsets.
fn span(line: &str, part: &str, offset: usize) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(line.as_ptr() as usize)?;
    (start + part.len() <= line.len()).then(|| start + offset..start + offset + part.len())
}

/// A value with its quotes and, when unquoted, a trailing ` # comment` removed.
fn unquote<'a>(value: &'a str, comment_marks: &[&str]) -> Option<&'a str> {
    let value = value.trim();
    for quote in ['"', '\''] {
        if let Some(rest) = value.strip_prefix(quote) {
            let end = rest.find(quote)?;
            return Some(&rest[..end]);
        }
    }
    let end = comment_marks
        .iter()
        .filter_map(|mark| value.find(mark))
        .min()
        .unwrap_or(value.len());
    Some(value[..end].trim_end())
}

fn push(entries: &mut Vec<Entry>, line: &str, offset: usize, key: &str, value: &str) {
    let key = key.trim().trim_matches(['"', '\'']);
    if key.is_empty() || value.is_empty() || key.contains(char::is_whitespace) {
        return;
    }
    if let (Some(key), Some(value)) = (span(line, key, offset), span(line, value, offset)) {
        entries.push(Entry { key, value });
    }
}

/// `key: value`, `- key: value`, and compose-style `- KEY=value` list items.
fn yaml_line(line: &str, offset: usize, entries: &mut Vec<Entry>) {
    let body = line.trim_start();
    if body.starts_with('#') || body.is_empty() {
        return;
    }
    let body = body.strip_prefix("- ").map_or(body, str::trim_start);
    // The key ends before any trailing comment (which may hold `: ` itself).
    let head = &body[..body.find(" #").unwrap_or(body.len())];
    let (key, raw) = match head.find(": ") {
        Some(colon) => (&body[..colon], &body[colon + 2..]),
        None => match head.split_once('=') {
            // `- POSTGRES_PASSWORD=secret` under `environment:`.
            Some((key, value))
                if !key.is_empty()
                    && key.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') =>
            {
                (key, value)
            }
            _ => return,
        },
    };
    let trimmed = raw.trim_start();
    // Block scalars, anchors, aliases, tags (`!vault`, `!Ref`) and flow collections.
    if trimmed.is_empty() || trimmed.starts_with(['|', '>', '&', '*', '!', '{', '[']) {
        return;
    }
    if let Some(value) = unquote(trimmed, &[" #"]) {
        push(entries, line, offset, key, value);
    }
}

/// `key = value` (INI, TOML, tfvars, .npmrc), and `key: value` in INI.
fn assignment_line(line: &str, offset: usize, format: ConfigFormat, entries: &mut Vec<Entry>) {
    let body = line.trim_start();
    if body.is_empty() || body.starts_with(['#', ';', '[']) {
        return;
    }
    let separator = match format {
        ConfigFormat::Ini => body.find(['=', ':']),
        _ => body.find('='),
    };
    let Some(separator) = separator else { return };
    let mut key = body[..separator].trim();
    let raw = body[separator + 1..].trim_start();
    match format {
        // `//registry.npmjs.org/:_authToken=…`: the setting is after the scope.
        ConfigFormat::Npmrc => {
            key = key.rsplit(':').next().unwrap_or(key);
        }
        // TOML values that are not strings (numbers, booleans, tables) hold no secret.
        ConfigFormat::Toml if !raw.starts_with(['"', '\'']) || raw.starts_with("\"\"\"") => {
            return;
        }
        // A dotted TOML key names its last part.
        ConfigFormat::Toml => key = key.rsplit('.').next().unwrap_or(key),
        _ => {}
    }
    if let Some(value) = unquote(raw, &[" #", " ;"]) {
        push(entries, line, offset, key, value);
    }
}

/// `ENV KEY=value KEY2="v 2"`, `ENV KEY value`, `ARG KEY=default`.
fn dockerfile_line(line: &str, offset: usize, entries: &mut Vec<Entry>) {
    let body = line.trim_start();
    let Some((instruction, rest)) = body.split_once(char::is_whitespace) else {
        return;
    };
    if !instruction.eq_ignore_ascii_case("env") && !instruction.eq_ignore_ascii_case("arg") {
        return;
    }
    let rest = rest.trim().trim_end_matches('\\').trim_end();
    let first_word = rest.split_whitespace().next().unwrap_or("");
    if !first_word.contains('=') {
        // Legacy `ENV KEY value with spaces`.
        if let Some((key, value)) = rest.split_once(char::is_whitespace)
            && let Some(value) = unquote(value, &[])
        {
            push(entries, line, offset, key, value);
        }
        return;
    }
    let mut remaining = rest;
    while let Some((key, after)) = remaining.split_once('=') {
        let key = key.trim();
        let after_trimmed = after.trim_start();
        let (value, next) = match after_trimmed.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let inner = &after_trimmed[1..];
                let Some(end) = inner.find(quote) else { return };
                (&inner[..end], &inner[end + 1..])
            }
            _ => {
                let end = after_trimmed
                    .find(char::is_whitespace)
                    .unwrap_or(after_trimmed.len());
                (&after_trimmed[..end], &after_trimmed[end..])
            }
        };
        push(entries, line, offset, key, value);
        remaining = next.trim_start();
    }
}

/// `"key": "value"` pairs anywhere in the text (minified JSON too).
fn json_entries(text: &str) -> Vec<Entry> {
    let bytes = text.as_bytes();
    let mut strings: Vec<Range<usize>> = Vec::new();
    let mut entries = Vec::new();
    let mut index = 0;
    while let Some(found) = memchr::memchr(b'"', &bytes[index..]) {
        let start = index + found + 1;
        let mut end = start;
        while end < bytes.len() && bytes[end] != b'"' {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        if end >= bytes.len() {
            break;
        }
        // A string right after `"key":` is that key's value.
        if let Some(previous) = strings.last() {
            let between = text.get(previous.end + 1..start - 1).unwrap_or("");
            if between.trim() == ":" {
                entries.push(Entry {
                    key: previous.clone(),
                    value: start..end,
                });
            }
        }
        strings.push(start..end);
        index = end + 1;
    }
    entries.retain(|entry| !entry.value.is_empty());
    entries
}

/// `machine host login user password secret`, over any number of lines.
fn netrc_entries(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut words = text
        .split_ascii_whitespace()
        .filter_map(|word| span(text, word, 0));
    while let Some(word) = words.next() {
        if &text[word.clone()] == "password"
            && let Some(value) = words.next()
        {
            entries.push(Entry { key: word, value });
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str, format: ConfigFormat) -> Vec<(&str, &str)> {
        entries(text, format)
            .into_iter()
            .map(|entry| (&text[entry.key], &text[entry.value]))
            .collect()
    }

    #[test]
    fn reads_each_format() {
        assert_eq!(
            pairs(
                "a:\n  password: \"x y\"  # c\n  - TOKEN=abc\n  key: |\n  ref: !Ref Db\n",
                ConfigFormat::Yaml
            ),
            [("password", "x y"), ("TOKEN", "abc")]
        );
        assert_eq!(
            pairs(
                r#"{"user": "u", "pass\"word": "p\"q", "n": 1, "k": "v"}"#,
                ConfigFormat::Json
            ),
            [("user", "u"), ("pass\\\"word", "p\\\"q"), ("k", "v")]
        );
        assert_eq!(
            pairs("[pypi]\npassword = abc ; c\nuser: me\n", ConfigFormat::Ini),
            [("password", "abc"), ("user", "me")]
        );
        assert_eq!(
            pairs("db.password = \"s3\"\nport = 5432\n", ConfigFormat::Toml),
            [("password", "s3")]
        );
        assert_eq!(
            pairs(
                "//registry.npmjs.org/:_authToken=npm_x\n_auth=abc\n",
                ConfigFormat::Npmrc
            ),
            [("_authToken", "npm_x"), ("_auth", "abc")]
        );
        assert_eq!(
            pairs(
                "machine h login u\n  password hunter22\n",
                ConfigFormat::Netrc
            ),
            [("password", "hunter22")]
        );
        assert_eq!(
            pairs(
                "ENV A=1 DB_PASSWORD=\"p w\"\nARG TOKEN\nENV LEGACY_KEY some value\n",
                ConfigFormat::Dockerfile
            ),
            [
                ("A", "1"),
                ("DB_PASSWORD", "p w"),
                ("LEGACY_KEY", "some value")
            ]
        );
    }

    #[test]
    fn formats_by_name() {
        let of = |name: &str| ConfigFormat::of(Path::new(name));
        assert_eq!(of("docker-compose.prod.yml"), Some(ConfigFormat::Yaml));
        assert_eq!(of("prod.tfvars"), Some(ConfigFormat::Toml));
        assert_eq!(of("Dockerfile.worker"), Some(ConfigFormat::Dockerfile));
        assert_eq!(of(".pypirc"), Some(ConfigFormat::Ini));
        assert_eq!(of("pyproject.toml"), None);
        assert_eq!(of("package-lock.json"), None);
        assert_eq!(of("notes.md"), None);
    }
}
