use ruff_python_ast::{Expr, ExprCall};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks for `requests` calls without a `timeout` (module functions and methods of a
    /// `requests.Session()` bound in the same scope), and `requests`/`httpx` calls with
    /// `timeout=None`. `httpx` applies a 5 second default, so only an explicit `None` is
    /// reported for it.
    ///
    /// ## Why is this bad?
    /// `requests` waits forever by default. One stuck endpoint hangs the cron job, the
    /// Airflow task or the deploy pipeline until something kills it, usually hours later.
    ///
    /// ## Example
    /// ```python
    /// import requests
    ///
    /// requests.post(webhook_url, json=payload)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import requests
    ///
    /// requests.post(webhook_url, json=payload, timeout=10)
    /// ```
    pub struct RequestWithoutTimeout => ("NET001", "request-without-timeout");
}

const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
];

pub(crate) fn check_call(checker: &mut Checker, call: &ExprCall) {
    let Expr::Attribute(attribute) = &*call.func else {
        return;
    };
    let method = attribute.attr.id.as_str();
    if !METHODS.contains(&method) {
        return;
    }
    let library = match checker
        .qualified_name(&call.func)
        .as_deref()
        .and_then(|name| name.rsplit_once('.'))
    {
        Some(("requests", _)) if method != "stream" => "requests",
        Some(("httpx", _)) => "httpx",
        _ => match session_library(checker, &attribute.value) {
            Some(library) => library,
            None => return,
        },
    };
    // `**kwargs` may carry a timeout.
    if call
        .arguments
        .keywords
        .iter()
        .any(|keyword| keyword.arg.is_none())
    {
        return;
    }
    match call.arguments.find_keyword("timeout") {
        Some(keyword) if keyword.value.is_none_literal_expr() => checker.report(Diagnostic::new(
            Rule::RequestWithoutTimeout,
            format!("`{library}` call with `timeout=None` can hang forever"),
            Checker::range_of(keyword),
        )),
        Some(_) => {}
        None if library == "requests" => checker.report(Diagnostic::new(
            Rule::RequestWithoutTimeout,
            format!("`requests.{method}()` without a `timeout` can hang forever"),
            Checker::range_of(call),
        )),
        None => {}
    }
}

/// `s` in `s.get(...)` when `s = requests.Session()` (or `with requests.Session() as s`).
fn session_library(checker: &Checker, receiver: &Expr) -> Option<&'static str> {
    let constructor = match receiver {
        Expr::Name(name) => checker.lookup(name.id.as_str())?,
        Expr::Call(_) => receiver,
        _ => return None,
    };
    let Expr::Call(call) = constructor else {
        return None;
    };
    match checker.qualified_name(&call.func).as_deref() {
        Some("requests.Session" | "requests.session" | "requests.sessions.Session") => {
            Some("requests")
        }
        _ => None,
    }
}
