use ruff_python_ast::{Expr, ExprCall};

use crate::checker::Checker;
use crate::checker::eval;
use crate::diagnostic::Diagnostic;
use crate::fix::Fix;
use crate::registry::{Rule, declare_rule};
use crate::rules::edits::remove_argument;

declare_rule! {
    /// ## What it does
    /// Checks for HTTP and AWS clients with certificate verification turned off:
    /// `verify=False` on `requests`, `httpx`, sessions, boto3 clients and Airflow's AWS
    /// operators, sensors, triggers and hooks (`airflow.providers.amazon`: imported, held in
    /// a class attribute, or subclassed in the file), `ssl=False` /
    /// `verify_ssl=False` on `aiohttp`, `session.verify = False`, and the Kubernetes client's
    /// `configuration.verify_ssl = False` (or `verify_ssl=False` on its calls).
    ///
    /// ## Why is this bad?
    /// Without verification anyone on the network path (a compromised CI runner, a hostile
    /// Wi-Fi, a misrouted VPC) can read and change the traffic, including the credentials
    /// your ops scripts send. Fix the trust store instead (`verify="/path/to/ca.pem"`,
    /// `REQUESTS_CA_BUNDLE`, `SSL_CERT_FILE`).
    ///
    /// ## Example
    /// ```python
    /// import requests
    ///
    /// requests.get("https://vault.internal/v1/sys/health", verify=False)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import requests
    ///
    /// requests.get("https://vault.internal/v1/sys/health", verify="/etc/ssl/certs/internal-ca.pem", timeout=10)
    /// ```
    ///
    /// ## Fix
    /// Unsafe (`--fix --unsafe-fixes`): removes a `verify=False` (`ssl=False`,
    /// `verify_ssl=False`) keyword argument, so the call verifies certificates again; it
    /// fails where the server's certificate is not trusted, so the fix changes behaviour.
    /// Assignments (`session.verify = False`) are left for you.
    pub struct VerifyDisabled => ("TLS001", "verify-disabled"), fix = Sometimes, Unsafe;
}

const HTTP_METHODS: &[&str] = &[
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
    "request",
    "send",
    "stream",
    "ws_connect",
];

fn is_http_call(checker: &Checker, call: &ExprCall) -> bool {
    if let Some(qualified) = checker.qualified_name(&call.func) {
        let root = qualified.split('.').next().unwrap_or("");
        if matches!(
            root,
            "requests"
                | "httpx"
                | "aiohttp"
                | "boto3"
                | "botocore"
                | "urllib3"
                | "websocket"
                | "websockets"
                | "kubernetes"
        ) {
            return true;
        }
    }
    if is_airflow_aws(checker, &call.func, 0) {
        return true;
    }
    // Methods on sessions and clients we cannot resolve: `session.get(url, verify=False)`.
    matches!(&*call.func, Expr::Attribute(attribute)
        if HTTP_METHODS.contains(&attribute.attr.id.as_str())
            || matches!(attribute.attr.id.as_str(), "client" | "resource" | "Session" | "Client" | "AsyncClient" | "TCPConnector"))
}

/// Airflow's AWS operators, sensors, triggers and hooks, which hand `verify` to botocore:
/// imported from `airflow.providers.amazon`, held in a class attribute (`SENSOR =
/// S3KeySensor`, called as `self.SENSOR(...)`), or a class of this file derived from one.
fn is_airflow_aws(checker: &Checker, callee: &Expr, depth: usize) -> bool {
    const PREFIX: &str = "airflow.providers.amazon.";
    if depth > 3 {
        return false;
    }
    if checker
        .qualified_name(callee)
        .is_some_and(|qualified| qualified.starts_with(PREFIX))
    {
        return true;
    }
    match callee {
        Expr::Attribute(attribute) if matches!(&*attribute.value, Expr::Name(owner) if matches!(owner.id.as_str(), "self" | "cls")) => {
            checker
                .attribute(attribute.attr.id.as_str())
                .is_some_and(|value| is_airflow_aws(checker, value, depth + 1))
        }
        Expr::Name(name) => checker.class_bases(name.id.as_str()).is_some_and(|bases| {
            bases
                .iter()
                .any(|base| is_airflow_aws(checker, base, depth + 1))
        }),
        _ => false,
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ExprCall) {
    for keyword in &call.arguments.keywords {
        let Some(arg) = &keyword.arg else { continue };
        if matches!(arg.id.as_str(), "verify" | "ssl" | "verify_ssl")
            && eval::is_false_literal(&keyword.value)
            && is_http_call(checker, call)
        {
            let fix = remove_argument(checker.source, &call.arguments, Checker::range_of(keyword))
                .map(|edit| Fix::unsafe_edits(format!("Remove `{}=False`", arg.id), vec![edit]));
            checker.report(
                Diagnostic::new(
                    Rule::VerifyDisabled,
                    format!("`{}=False` disables TLS certificate verification", arg.id),
                    Checker::range_of(keyword),
                )
                .with_fix(fix),
            );
        }
    }
}

/// `session.verify = False`, and the Kubernetes client's `configuration.verify_ssl = False`.
pub(crate) fn check_assign(checker: &mut Checker, target: &Expr, value: &Expr) {
    if let Expr::Attribute(attribute) = target
        && matches!(attribute.attr.id.as_str(), "verify" | "verify_ssl")
        && eval::is_false_literal(value)
    {
        checker.report(Diagnostic::new(
            Rule::VerifyDisabled,
            format!(
                "`{} = False` disables TLS certificate verification for every request made with it",
                attribute.attr.id
            ),
            Checker::range_of(target).start..Checker::range_of(value).end,
        ));
    }
}
