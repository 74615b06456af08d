use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};
use crate::secrets;

declare_rule! {
    /// ## What it does
    /// Checks for URLs with a literal password in their user-info part:
    /// `postgresql://app:s3cr3t@db:5432/app`, `redis://:pass@cache:6379/0`,
    /// `https://user:token@git.example.com/repo.git`, also inside f-strings, and for passwords
    /// in `key=value` connection strings: libpq (`"host=db user=etl password=…"`), ODBC
    /// (`"Server=…;PWD=…"`), Azure storage (`AccountKey=…`) and `?password=` query strings;
    /// also index URLs with credentials in requirement files (`--index-url`,
    /// `--extra-index-url https://ci:token@pypi.internal/simple`).
    ///
    /// URLs whose password is interpolated (`f"postgresql://{user}:{password}@{host}"`),
    /// a `${VAR}` reference or a placeholder are not reported, nor examples in docstrings.
    ///
    /// ## Why is this bad?
    /// Connection strings get logged, printed in tracebacks and copied between scripts, and
    /// the password in them lives forever in git history.
    ///
    /// ## Example
    /// ```python
    /// engine = create_engine("postgresql://etl:Pr0dPassw0rd@warehouse.internal:5432/dw")
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import os
    ///
    /// engine = create_engine(os.environ["WAREHOUSE_DSN"])
    /// ```
    pub struct CredentialsInUrl => ("SEC003", "credentials-in-url");
}

/// An `--index-url` / `--extra-index-url` line of a requirements file whose URL carries a
/// password; `line` is the entry's span in `text`.
pub(crate) fn index_option(
    text: &str,
    line: std::ops::Range<usize>,
    url: &str,
) -> Option<Diagnostic> {
    let password = secrets::url_password(url)?;
    let secret = url.get(password)?;
    let line_text = text.get(line.clone())?;
    let at = line_text.find(url)?;
    let start = line.start + at + secrets::url_password(url)?.start;
    Some(
        Diagnostic::new(
            Rule::CredentialsInUrl,
            format!(
                "Index URL contains a hardcoded password `{}`; put credentials in `.netrc` or a keyring, or in an environment variable (`${{PIP_INDEX_TOKEN}}`)",
                secrets::redact(secret)
            ),
            line,
        )
        .with_secret(start..start + secret.len()),
    )
}

pub(crate) fn check_text(checker: &mut Checker, node: &impl Ranged, value: &str) {
    let is_url = value.contains("://");
    let password = match (is_url, memchr::memchr(b'=', value.as_bytes()).is_some()) {
        (true, has_pairs) => secrets::url_password(value).or_else(|| {
            has_pairs
                .then(|| secrets::connection_string_password(value))
                .flatten()
        }),
        (false, true) => secrets::connection_string_password(value),
        (false, false) => None,
    };
    let Some(password) = password else {
        return;
    };
    let secret = value.get(password).unwrap_or_default();
    // A token format inside the URL is reported by SEC001 already.
    if !secrets::find_tokens(secret).is_empty() {
        return;
    }
    let what = if is_url { "URL" } else { "Connection string" };
    let secret_range = checker.locate_in(node, secret);
    checker.report(
        Diagnostic::new(
            Rule::CredentialsInUrl,
            format!(
                "{what} contains a hardcoded password `{}`; {}",
                secrets::redact(secret),
                secrets::MOVE_SECRET
            ),
            Checker::range_of(node),
        )
        .with_secret(secret_range),
    );
}
