use ruff_text_size::Ranged;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};
use crate::secrets;

declare_rule! {
    /// ## What it does
    /// Checks for URLs with a literal password in their user-info part:
    /// `postgresql://app:s3cr3t@db:5432/app`, `redis://:pass@cache:6379/0`,
    /// `https://user:token@git.example.com/repo.git`, also inside f-strings.
    ///
    /// URLs whose password is interpolated (`f"postgresql://{user}:{password}@{host}"`),
    /// a `${VAR}` reference or a placeholder are not reported.
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

pub(crate) fn check_text(checker: &mut Checker, node: &impl Ranged, value: &str) {
    if !value.contains("://") {
        return;
    }
    let Some(password) = secrets::url_password(value) else {
        return;
    };
    let secret = value.get(password).unwrap_or_default();
    // A token format inside the URL is reported by SEC001 already.
    if !secrets::find_tokens(secret).is_empty() {
        return;
    }
    let secret_range = checker.locate_in(node, secret);
    checker.report(
        Diagnostic::new(
            Rule::CredentialsInUrl,
            format!(
                "URL contains a hardcoded password `{}`",
                secrets::redact(secret)
            ),
            Checker::range_of(node),
        )
        .with_secret(secret_range),
    );
}
