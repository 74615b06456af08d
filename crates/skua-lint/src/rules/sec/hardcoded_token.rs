use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};
use crate::secrets;

declare_rule! {
    /// ## What it does
    /// Checks string literals (including f-string text and docstrings) for credentials
    /// recognisable by their format: AWS access key IDs and secret keys, GitHub and GitLab
    /// tokens, Slack tokens and webhook URLs, Stripe live keys, Google API keys, GCP
    /// service-account keys, PEM private keys and JWTs.
    ///
    /// Documentation examples (such as AWS's `AKIAIOSFODNN7EXAMPLE`) and placeholders are
    /// ignored. Output shows only a short prefix of the value.
    ///
    /// In Jupyter notebooks, shell commands (`!…`, `%%bash` cells) and the text of cell
    /// outputs (a token a cell printed is committed with the notebook) are checked too.
    ///
    /// ## Why is this bad?
    /// A token in source control is a leaked token: every clone, fork, CI log and backup has
    /// it, and git history keeps it after the line is deleted. Rotate it, then load it at
    /// run time.
    ///
    /// ## Example
    /// ```python
    /// slack = WebClient(token="xoxb-1234567890-abcdefghijklmnop")
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import os
    ///
    /// slack = WebClient(token=os.environ["SLACK_BOT_TOKEN"])
    /// ```
    pub struct HardcodedToken => ("SEC001", "hardcoded-token");
}

/// Reports every known token in a string value found at `node`.
pub(crate) fn check_text(checker: &mut Checker, node: &impl Ranged, value: &str) {
    for found in secrets::find_tokens(value) {
        let secret = value.get(found.range.clone()).unwrap_or_default();
        let secret_range = checker.locate_in(node, secret.lines().next().unwrap_or(secret));
        let message = message(found.kind, secret);
        checker.report(
            Diagnostic::new(Rule::HardcodedToken, message, Checker::range_of(node))
                .with_secret(secret_range),
        );
    }
}

/// The finding's message: the kind of token and the token redacted.
pub(crate) fn message(kind: secrets::TokenKind, secret: &str) -> String {
    format!(
        "Hardcoded {} `{}`; {}",
        kind.description(),
        secrets::redact(secret),
        secrets::MOVE_SECRET
    )
}

/// Known tokens in text that is not a Python string (a notebook's shell command):
/// `text` sits at `offset` of the file.
pub(crate) fn tokens_in_text(text: &str, offset: usize) -> Vec<Diagnostic> {
    secrets::find_tokens(text)
        .into_iter()
        .map(|found| {
            let secret = text.get(found.range.clone()).unwrap_or_default();
            let range = offset + found.range.start..offset + found.range.end;
            Diagnostic::new(
                Rule::HardcodedToken,
                message(found.kind, secret),
                range.clone(),
            )
            .with_secret(range)
        })
        .collect()
}

/// Known tokens in a notebook cell's output (`text` at `offset` of the joined text): a
/// token the cell printed, committed with the notebook.
pub(crate) fn tokens_in_output(text: &str, offset: usize) -> Vec<Diagnostic> {
    secrets::find_tokens(text)
        .into_iter()
        .map(|found| {
            let secret = text.get(found.range.clone()).unwrap_or_default();
            let range = offset + found.range.start..offset + found.range.end;
            let description = found.kind.description();
            let mut chars = description.chars();
            let capitalized: String = chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            let message = format!(
                "{capitalized} `{}` printed in the cell's output; clear the output before committing, and rotate it",
                secrets::redact(secret)
            );
            Diagnostic::new(Rule::HardcodedToken, message, range.clone()).with_secret(range)
        })
        .collect()
}
