use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};
use crate::secrets;

declare_rule! {
    /// ## What it does
    /// Checks for secret-named targets bound to literal values that look like real secrets:
    /// variables, attributes, keyword arguments, dictionary keys, subscript assignments,
    /// default argument values, comparisons (outside `assert` statements, which state a
    /// test's expectations), fallback values of `os.getenv()` /
    /// `dict.get()`, `Variable.set("token", "…")`, basic-auth pairs (`auth=("user", "…")`,
    /// `HTTPBasicAuth`) and `login(user, "…")` calls (smtplib, ftplib, imaplib, docker).
    ///
    /// Unlike name-only checks, the value must look like a secret: secret *names* and ids
    /// (`secret_name = "prod/db/password"`, `SecretId=...`), URLs, file paths, environment
    /// variable names, prompts, template references (`{{ vault_password }}`, `${DB_PASS}`)
    /// and placeholders (`changeme`, `<token>`, `xxx`) are not reported.
    ///
    /// Secret-named keys inside the text of a string count too: JSON or dict-like pairs
    /// (`'--cli-input-json \'{"MasterUserPassword": "…"}\''`, `'{"db": {"password": "…"}}'`)
    /// and `key=value` words of a command line (`"DB_PASSWORD=… psql …"`, `"--conf
    /// spark.hadoop.fs.s3a.secret.key=…"`), judged the same way; templates (`password={pw}`,
    /// `password=$DB_PASSWORD`, `%(password)s`), placeholders, empty values, references
    /// (`os.environ[...]`) and help text (`--password=PASSWORD`) are not. Connection-string
    /// passwords are `SEC003`'s.
    ///
    /// ## Why is this bad?
    /// Passwords and API keys in code end up in every clone, CI log and backup, cannot be
    /// rotated without a deploy, and are shared with everyone who can read the repository.
    ///
    /// ## Example
    /// ```python
    /// conn = psycopg2.connect(host="db.internal", user="etl", password="Tr0ub4dor&3")
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import os
    ///
    /// conn = psycopg2.connect(host="db.internal", user="etl", password=os.environ["ETL_DB_PASSWORD"])
    /// ```
    ///
    /// ## Options
    /// - `secret-names`: extra names (matched as whole words) that hold secrets in your code.
    pub struct HardcodedSecretAssignment => ("SEC002", "hardcoded-secret-assignment");
}

/// Reports `value` when `name` names a secret and `value` is a literal that looks like one.
pub(crate) fn check_binding(checker: &mut Checker, name: &str, value: &Expr, node: &impl Ranged) {
    let Expr::StringLiteral(string) = value else {
        return;
    };
    let text = string.value.to_str();
    let normalized = super::normalized_name(name);
    let extra = &checker.settings.secret_names;
    if !secrets::is_secret_name(&normalized, extra) || names_itself(name, text) {
        return;
    }
    // A hardcoded default password is a finding even when it is a word (`"postgres"`).
    let weak =
        secrets::is_password_name(&normalized, extra) && secrets::looks_like_password_value(text);
    check_value(checker, &format!("`{name}`"), text, value, node, weak);
}

/// An enum member or constant whose value is its own name (`v1Token = "v1Token"`,
/// `API_TOKEN = "api-token"`): a label, not a secret.
fn names_itself(name: &str, value: &str) -> bool {
    let letters = |text: &str| {
        text.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let value = letters(value);
    !value.is_empty() && value == letters(name)
}

/// A literal password passed by position (basic-auth pairs, `login()`), whatever it is called.
pub(crate) fn check_password_literal(
    checker: &mut Checker,
    what: &str,
    value: &Expr,
    node: &impl Ranged,
) {
    if let Expr::StringLiteral(string) = value {
        check_value(checker, what, string.value.to_str(), value, node, false);
    }
}

/// Secret-named keys inside a string's text: JSON handed to a CLI, `key=value` words of a
/// command line (`DB_PASSWORD=… psql`, `--conf …secret.key=…`). Reported at the string,
/// naming the key.
pub(crate) fn check_embedded(checker: &mut Checker, node: &impl Ranged, text: &str) {
    // A `password=` in a connection string is SEC003's.
    let connection = secrets::connection_string_password(text);
    for found in secrets::embedded_secrets(text, &checker.settings.secret_names) {
        if connection
            .as_ref()
            .is_some_and(|range| range.start < found.value.end && found.value.start < range.end)
        {
            continue;
        }
        let secret = text.get(found.value.clone()).unwrap_or_default();
        let secret_range = checker.locate_in(node, secret);
        checker.report(
            Diagnostic::new(
                Rule::HardcodedSecretAssignment,
                embedded_message(&found.key, secret),
                Checker::range_of(node),
            )
            .with_secret(secret_range),
        );
    }
}

/// The message of a secret found inside a string's text.
pub(crate) fn embedded_message(key: &str, secret: &str) -> String {
    format!(
        "Hardcoded secret `{}` for key `{key}` inside a string; {}",
        secrets::redact(secret),
        secrets::MOVE_SECRET
    )
}

fn check_value(
    checker: &mut Checker,
    target: &str,
    text: &str,
    value: &Expr,
    node: &impl Ranged,
    weak_password: bool,
) {
    if !weak_password && !secrets::looks_like_secret_value(text) {
        return;
    }
    // Formats and URL credentials have their own, more specific rules.
    if !secrets::find_tokens(text).is_empty()
        || (text.contains("://") && secrets::url_password(text).is_some())
    {
        return;
    }
    let secret_range = checker.locate_in(value, text);
    checker.report(
        Diagnostic::new(
            Rule::HardcodedSecretAssignment,
            format!(
                "Hardcoded secret `{}` assigned to {target}; {}",
                secrets::redact(text),
                secrets::MOVE_SECRET
            ),
            Checker::range_of(node),
        )
        .with_secret(secret_range),
    );
}
