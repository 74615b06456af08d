use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};
use crate::secrets;
use crate::settings::Settings;

declare_rule! {
    /// ## What it does
    /// Checks committed dotenv files (`.env`, `.env.production`, `app.env`, …) for secrets:
    /// secret-named keys (`DB_PASSWORD`, `API_TOKEN`, …) with values that look real, known
    /// token formats, and URLs with passwords. Template files (`.env.example`, `.env.sample`,
    /// `.env.template`, `.env.dist`) are not checked.
    ///
    /// Empty values, `${OTHER_VAR}` references and placeholders (`changeme`, `<token>`) are fine.
    ///
    /// ## Why is this bad?
    /// `.env` files are meant to stay on one machine. Once committed, every secret in them
    /// is shared with everyone who can read the repository and stays in its history.
    ///
    /// ## Example
    /// ```shell
    /// # .env
    /// DATABASE_PASSWORD=Pr0dPassw0rd!
    /// ```
    ///
    /// ## Use instead
    /// Commit a `.env.example` with placeholders, add `.env` to `.gitignore`, and load real
    /// values from the environment or a secrets manager:
    /// ```shell
    /// # .env.example
    /// DATABASE_PASSWORD=changeme
    /// ```
    pub struct DotenvSecret => ("SEC005", "dotenv-secret");
}

/// Checks the text of one dotenv file.
pub fn check_dotenv(text: &str, settings: &Settings) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for entry in entries(text) {
        let key = text.get(entry.key.clone()).unwrap_or_default();
        let Some((message, secret)) = judge_entry(text, key, &entry.value, settings) else {
            continue;
        };
        let shown = secrets::redact(text.get(secret.clone()).unwrap_or_default());
        diagnostics.push(
            Diagnostic::new(
                Rule::DotenvSecret,
                format!(
                    "{message} committed in a dotenv file: `{shown}`; keep the file out of version control and load the value from a secret manager, and rotate it"
                ),
                entry.value.clone(),
            )
            .with_secret(secret),
        );
    }
    diagnostics
}

/// The judgement of one `key = value` entry of a configuration file: a known token format
/// in the value, a URL with a password, or a secret-named key with a value that looks real.
/// Returns what was found and the byte range of the secret.
pub(crate) fn judge_entry(
    text: &str,
    key_text: &str,
    value: &std::ops::Range<usize>,
    settings: &Settings,
) -> Option<(String, std::ops::Range<usize>)> {
    let value_text = text.get(value.clone())?;
    if let Some(token) = secrets::find_tokens(value_text).into_iter().next() {
        let secret = token.range.start + value.start..token.range.end + value.start;
        return Some((
            format!("{} in `{key_text}`", token.kind.description()),
            secret,
        ));
    }
    if value_text.contains("://")
        && let Some(password) = secrets::url_password(value_text)
    {
        let secret = password.start + value.start..password.end + value.start;
        return Some((format!("URL with a password in `{key_text}`"), secret));
    }
    let extra = &settings.secret_names;
    let real = secrets::is_secret_name(key_text, extra)
        && (secrets::looks_like_secret_value(value_text)
            || (secrets::is_password_name(key_text, extra)
                && secrets::looks_like_password_value(value_text)));
    real.then(|| (format!("Secret value for `{key_text}`"), value.clone()))
}

struct Entry {
    key: std::ops::Range<usize>,
    value: std::ops::Range<usize>,
}

/// `KEY=value` entries with byte ranges; quoted values may span lines (PEM keys).
fn entries(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let bytes = text.as_bytes();
    let mut line_start = 0;
    while line_start < text.len() {
        let line_end =
            memchr::memchr(b'\n', &bytes[line_start..]).map_or(text.len(), |i| line_start + i);
        let mut next_line = line_end + 1;
        let line = &text[line_start..line_end];
        let trimmed = line.trim_start();
        let mut offset = line_start + (line.len() - trimmed.len());
        let mut body = trimmed;
        if let Some(rest) = body.strip_prefix("export ") {
            let rest_trimmed = rest.trim_start();
            offset += body.len() - rest_trimmed.len();
            body = rest_trimmed;
        }
        if body.starts_with('#') || body.is_empty() {
            line_start = next_line;
            continue;
        }
        let Some(equals) = body.find('=') else {
            line_start = next_line;
            continue;
        };
        let key = body[..equals].trim_end();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        {
            line_start = next_line;
            continue;
        }
        let key_range = offset..offset + key.len();
        let value_start = offset + equals + 1;
        let raw = &text[value_start..line_end];
        let leading = raw.len() - raw.trim_start().len();
        let value_start = value_start + leading;
        let value_range = match bytes.get(value_start) {
            Some(&quote @ (b'"' | b'\'')) => {
                // The closing quote may be on a later line.
                let search_from = value_start + 1;
                let close = bytes[search_from..]
                    .iter()
                    .enumerate()
                    .find(|(i, b)| {
                        **b == quote
                            && (quote == b'\'' || bytes[search_from + i - 1] != b'\\' || *i == 0)
                    })
                    .map(|(i, _)| search_from + i);
                match close {
                    Some(close) => {
                        if close > line_end {
                            next_line = memchr::memchr(b'\n', &bytes[close..])
                                .map_or(text.len(), |i| close + i)
                                + 1;
                        }
                        search_from..close
                    }
                    None => search_from..line_end,
                }
            }
            _ => {
                let value = &text[value_start..line_end];
                let end = value.find(" #").unwrap_or(value.len());
                value_start..value_start + value[..end].trim_end().len()
            }
        };
        if !value_range.is_empty() {
            entries.push(Entry {
                key: key_range,
                value: value_range,
            });
        }
        line_start = next_line;
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quotes_exports_and_comments() {
        let text =
            "# c\nexport A=1 # trailing\nB=\"two words\"\nC='x'\nD=\nE=\"multi\nline\"\nF=after\n";
        let parsed: Vec<(&str, &str)> = entries(text)
            .iter()
            .map(|e| (&text[e.key.clone()], &text[e.value.clone()]))
            .collect();
        assert_eq!(
            parsed,
            [
                ("A", "1"),
                ("B", "two words"),
                ("C", "x"),
                ("E", "multi\nline"),
                ("F", "after")
            ]
        );
    }
}
