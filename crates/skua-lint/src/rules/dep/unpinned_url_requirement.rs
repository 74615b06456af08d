use skua_requirements::Requirement;

use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks for VCS and URL requirements that do not name an immutable artifact: a VCS
    /// URL without a full commit hash (`@main`, `@v1.2.0`, no ref at all), or an archive URL
    /// without a `sha256` hash (`#sha256=…` or `--hash=sha256:…`).
    ///
    /// ## Why is this bad?
    /// Branches and tags move, and a URL can serve different bytes tomorrow: the same
    /// requirements file installs different code over time, and a compromised repository or
    /// server slips straight into your deploys.
    ///
    /// ## Example
    /// ```text
    /// git+https://github.com/acme/deploy-tools.git@main#egg=deploy-tools
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// git+https://github.com/acme/deploy-tools.git@3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a#egg=deploy-tools
    /// ```
    pub struct UnpinnedUrlRequirement => ("DEP002", "unpinned-url-requirement");
}

pub(crate) fn diagnostic(requirement: &Requirement, range: std::ops::Range<usize>) -> Diagnostic {
    let message = if requirement.is_vcs() {
        format!(
            "VCS requirement `{}` does not pin a full commit hash; branches and tags move",
            requirement.name
        )
    } else {
        format!(
            "URL requirement `{}` has no `sha256` hash; add `#sha256=…` or `--hash=sha256:…`",
            requirement.name
        )
    };
    Diagnostic::new(Rule::UnpinnedUrlRequirement, message, range)
}
