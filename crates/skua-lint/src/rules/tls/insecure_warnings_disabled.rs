use ruff_python_ast::{Expr, ExprCall};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks for code that silences urllib3's `InsecureRequestWarning`:
    /// `urllib3.disable_warnings()`, `requests.packages.urllib3.disable_warnings()`, and
    /// `warnings.filterwarnings("ignore", category=InsecureRequestWarning)`.
    ///
    /// ## Why is this bad?
    /// The warning is the only signal that requests go out without certificate checks.
    /// Silencing it hides `verify=False` calls — often in a library you import — from
    /// everyone who reads the logs.
    ///
    /// ## Example
    /// ```python
    /// import urllib3
    ///
    /// urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    /// ```
    ///
    /// ## Use instead
    /// Configure the CA bundle and keep verification (and its warnings) on:
    /// ```python
    /// session.verify = "/etc/ssl/certs/internal-ca.pem"
    /// ```
    pub struct InsecureWarningsDisabled => ("TLS003", "insecure-warnings-disabled");
}

fn mentions_insecure_warning(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::Name(name) => name.id.as_str() == "InsecureRequestWarning",
        Expr::Attribute(attribute) => attribute.attr.id.as_str() == "InsecureRequestWarning",
        _ => checker
            .qualified_name(expr)
            .is_some_and(|name| name.ends_with("InsecureRequestWarning")),
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ExprCall) {
    let qualified = checker.qualified_name(&call.func);
    let function_name = match &*call.func {
        Expr::Attribute(attribute) => Some(attribute.attr.id.as_str()),
        Expr::Name(name) => Some(name.id.as_str()),
        _ => None,
    };
    let is_disable = match qualified.as_deref() {
        Some(name) => name.ends_with("urllib3.disable_warnings"),
        // `requests.packages.urllib3` is not an import we track by name.
        None => {
            function_name == Some("disable_warnings")
                && matches!(&*call.func, Expr::Attribute(attribute) if matches!(&*attribute.value, Expr::Attribute(inner) if inner.attr.id.as_str() == "urllib3"))
        }
    };
    if is_disable {
        let category = call.arguments.find_argument_value("category", 0);
        if category.is_none_or(|category| mentions_insecure_warning(checker, category)) {
            checker.report(Diagnostic::new(
                Rule::InsecureWarningsDisabled,
                "`urllib3.disable_warnings()` hides requests made without certificate verification",
                Checker::range_of(call),
            ));
        }
        return;
    }
    if matches!(
        qualified.as_deref(),
        Some("warnings.filterwarnings" | "warnings.simplefilter")
    ) {
        let ignores = call
            .arguments
            .find_argument_value("action", 0)
            .and_then(crate::checker::eval::literal_str)
            == Some("ignore");
        let category = call.arguments.find_argument_value(
            "category",
            if qualified.as_deref() == Some("warnings.simplefilter") {
                1
            } else {
                2
            },
        );
        if ignores && category.is_some_and(|category| mentions_insecure_warning(checker, category))
        {
            checker.report(Diagnostic::new(
                Rule::InsecureWarningsDisabled,
                "Ignoring `InsecureRequestWarning` hides requests made without certificate verification",
                Checker::range_of(call),
            ));
        }
    }
}
