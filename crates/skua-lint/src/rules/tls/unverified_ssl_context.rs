use ruff_python_ast::{Expr, ExprCall};

use crate::checker::Checker;
use crate::checker::eval;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks for SSL contexts that do not verify certificates or host names:
    /// `ssl._create_unverified_context()`, replacing `ssl._create_default_https_context`,
    /// `ctx.check_hostname = False`, `ctx.verify_mode = ssl.CERT_NONE`, a urllib3
    /// connection's `conn.cert_reqs = "CERT_NONE"`,
    /// `cert_reqs="CERT_NONE"` / `cert_reqs=ssl.CERT_NONE` arguments (urllib3, `ssl.wrap_socket`),
    /// host-name checks turned off (`assert_hostname=False`, the Kubernetes client's
    /// `configuration.assert_hostname = False`), and option dictionaries that carry these
    /// settings to a client later (`sslopt={"cert_reqs": ssl.CERT_NONE}` for websocket-client,
    /// `{"check_hostname": False}`).
    ///
    /// ## Why is this bad?
    /// An unverified context accepts any certificate, so a man-in-the-middle can impersonate
    /// the server — the API endpoint, the artifact store, the database.
    ///
    /// ## Example
    /// ```python
    /// import ssl
    /// import urllib.request
    ///
    /// urllib.request.urlopen(url, context=ssl._create_unverified_context())
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import ssl
    /// import urllib.request
    ///
    /// urllib.request.urlopen(url, context=ssl.create_default_context(cafile="/etc/ssl/internal-ca.pem"))
    /// ```
    pub struct UnverifiedSslContext => ("TLS002", "unverified-ssl-context");
}

fn report(checker: &mut Checker, message: &str, range: std::ops::Range<usize>) {
    checker.report(Diagnostic::new(Rule::UnverifiedSslContext, message, range));
}

fn is_cert_none(checker: &Checker, expr: &Expr) -> bool {
    eval::literal_str(expr) == Some("CERT_NONE")
        || checker.qualified_name(expr).as_deref() == Some("ssl.CERT_NONE")
        || matches!(expr, Expr::Attribute(attribute) if attribute.attr.id.as_str() == "CERT_NONE")
}

pub(crate) fn check_call(checker: &mut Checker, call: &ExprCall) {
    let qualified = checker.qualified_name(&call.func);
    if matches!(
        qualified.as_deref(),
        Some("ssl._create_unverified_context" | "ssl._create_stdlib_context")
    ) {
        report(
            checker,
            "`ssl._create_unverified_context()` accepts any certificate",
            Checker::range_of(call),
        );
        return;
    }
    if let Some(keyword) = call.arguments.find_keyword("cert_reqs")
        && is_cert_none(checker, &keyword.value)
    {
        report(
            checker,
            "`cert_reqs=CERT_NONE` disables certificate verification",
            Checker::range_of(keyword),
        );
    }
    if let Some(keyword) = call.arguments.find_keyword("assert_hostname")
        && eval::is_false_literal(&keyword.value)
    {
        report(
            checker,
            "`assert_hostname=False` accepts certificates issued for any host",
            Checker::range_of(keyword),
        );
    }
}

/// Option dictionaries handed to a client later: `{"cert_reqs": ssl.CERT_NONE}`,
/// `{"check_hostname": False}` (websocket-client's `sslopt`, urllib3 pool arguments).
pub(crate) fn check_dict_entry(checker: &mut Checker, key: &str, key_expr: &Expr, value: &Expr) {
    let range = Checker::range_of(key_expr).start..Checker::range_of(value).end;
    match key {
        "cert_reqs" | "verify_mode" if is_cert_none(checker, value) => report(
            checker,
            "TLS options with `cert_reqs: CERT_NONE` disable certificate verification wherever they are passed",
            range,
        ),
        "check_hostname" | "assert_hostname" if eval::is_false_literal(value) => report(
            checker,
            "TLS options with host-name checks off accept certificates issued for any host",
            range,
        ),
        _ => {}
    }
}

pub(crate) fn check_assign(checker: &mut Checker, target: &Expr, value: &Expr) {
    let range = Checker::range_of(target).start..Checker::range_of(value).end;
    if checker.qualified_name(target).as_deref() == Some("ssl._create_default_https_context") {
        report(
            checker,
            "Replacing `ssl._create_default_https_context` disables verification for the whole process",
            range,
        );
        return;
    }
    let Expr::Attribute(attribute) = target else {
        return;
    };
    match attribute.attr.id.as_str() {
        // `ssl` contexts, and the Kubernetes client's `Configuration`.
        "check_hostname" | "assert_hostname" if eval::is_false_literal(value) => {
            report(
                checker,
                &format!(
                    "`{} = False` accepts certificates issued for any host",
                    attribute.attr.id
                ),
                range,
            );
        }
        "verify_mode" if is_cert_none(checker, value) => {
            report(
                checker,
                "`verify_mode = CERT_NONE` accepts any certificate",
                range,
            );
        }
        // A urllib3 connection's `conn.cert_reqs = "CERT_NONE"`.
        "cert_reqs" if is_cert_none(checker, value) => {
            report(
                checker,
                "`cert_reqs = CERT_NONE` accepts any certificate",
                range,
            );
        }
        _ => {}
    }
}
