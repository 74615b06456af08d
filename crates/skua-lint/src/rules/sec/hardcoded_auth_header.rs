use ruff_python_ast::Expr;
use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};
use crate::secrets;

declare_rule! {
    /// ## What it does
    /// Checks for literal credentials in HTTP `Authorization` headers: dictionary entries
    /// and header assignments such as `{"Authorization": "Bearer eyJ…"}` or
    /// `headers["Authorization"] = "Basic dXNlcjpwYXNz"`, f-strings whose credential part is
    /// literal, and `Authorization: …` header lines inside strings (`curl -H`).
    ///
    /// `f"Bearer {token}"` and `"Bearer " + token` are fine: the credential comes from a
    /// variable. Example headers in docstrings are documentation, not credentials.
    ///
    /// ## Why is this bad?
    /// A bearer token or basic-auth pair in code grants the same access as the account it
    /// belongs to, to anyone who can read the repository.
    ///
    /// ## Example
    /// ```python
    /// headers = {"Authorization": "Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0"}
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import os
    ///
    /// headers = {"Authorization": f"Bearer {os.environ['API_TOKEN']}"}
    /// ```
    pub struct HardcodedAuthHeader => ("SEC004", "hardcoded-auth-header");
}

pub(crate) fn is_auth_header_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("proxy-authorization")
}

/// A header value bound to an `Authorization` key.
pub(crate) fn check_header_value(checker: &mut Checker, value: &Expr) {
    let Some(text) = super::string_text(value) else {
        return;
    };
    report_credential(
        checker,
        value,
        &text,
        secrets::auth_header_credential(&text),
    );
}

/// `Authorization: Basic …` lines embedded in a string (curl commands, raw requests).
pub(crate) fn check_embedded(checker: &mut Checker, node: &impl Ranged, text: &str) {
    let Some(position) = find_ascii_case_insensitive(text, "authorization:") else {
        return;
    };
    let start = position + "authorization:".len();
    let rest = &text[start..];
    let rest = rest.trim_start();
    let offset = text.len() - rest.len();
    let end = rest.find(['"', '\'', '\n', '\r']).unwrap_or(rest.len());
    let Some(credential) = secrets::auth_header_credential(&rest[..end]) else {
        return;
    };
    let credential = credential.start + offset..credential.end + offset;
    report_credential(checker, node, text, Some(credential));
}

fn report_credential(
    checker: &mut Checker,
    node: &impl Ranged,
    text: &str,
    credential: Option<std::ops::Range<usize>>,
) {
    let Some(credential) = credential else { return };
    let secret = text.get(credential).unwrap_or_default();
    // Known token formats are reported by SEC001.
    if secret.is_empty() || !secrets::find_tokens(secret).is_empty() {
        return;
    }
    let secret_range = checker.locate_in(node, secret);
    checker.report(
        Diagnostic::new(
            Rule::HardcodedAuthHeader,
            format!(
                "Hardcoded `Authorization` header credential `{}`; {}",
                secrets::redact(secret),
                secrets::MOVE_SECRET
            ),
            Checker::range_of(node),
        )
        .with_secret(secret_range),
    );
}

fn find_ascii_case_insensitive(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}
