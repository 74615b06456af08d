use ruff_python_ast::{Expr, ExprCall};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::fix::Fix;
use crate::registry::{Rule, declare_rule};
use crate::rules::edits::add_keyword;

declare_rule! {
    /// ## What it does
    /// Checks for `requests` calls without a `timeout` — module functions (also imported by
    /// name: `from requests import get`) and methods of a `requests.Session()`, whether it
    /// is bound in the same scope, held in an attribute (`self.session`, set in `__init__`
    /// or on the class), returned by a property or a factory function of the file, or
    /// opened with `with` — and `requests`/`httpx` calls and `httpx` clients with
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
    ///
    /// ## Fix
    /// Unsafe (`--fix --unsafe-fixes`): adds `timeout=30` to a `requests` call that has
    /// none. A call that waited forever may now fail after 30 seconds, so the fix changes
    /// behaviour; set the value with `fix-timeout` (seconds) in `[tool.skua]`. An explicit
    /// `timeout=None` is left for you to replace.
    ///
    /// ## Options
    /// - `fix-timeout`: the timeout, in seconds, the fix adds (default 30).
    pub struct RequestWithoutTimeout => ("NET001", "request-without-timeout"), fix = Sometimes, Unsafe;
}

const METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
];

pub(crate) fn check_call(checker: &mut Checker, call: &ExprCall) {
    let qualified = checker.qualified_name(&call.func);
    if let Some("httpx.Client" | "httpx.AsyncClient") = qualified.as_deref() {
        check_client_constructor(checker, call);
        return;
    }
    let (method, receiver) = match &*call.func {
        Expr::Attribute(attribute) => (attribute.attr.id.as_str(), Some(&*attribute.value)),
        // `from requests import get` then `get(url)`.
        Expr::Name(_) => match qualified.as_deref().and_then(|name| name.rsplit_once('.')) {
            Some(("requests", method)) => (method, None),
            _ => return,
        },
        _ => return,
    };
    if !METHODS.contains(&method) {
        return;
    }
    let library = match qualified.as_deref().and_then(|name| name.rsplit_once('.')) {
        Some(("requests", _)) if method != "stream" => "requests",
        Some(("httpx", _)) => "httpx",
        _ => match receiver.and_then(|receiver| session_library(checker, receiver)) {
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
        None if library == "requests" => {
            let timeout = format!("timeout={}", checker.settings.fix_timeout);
            let fix = add_keyword(checker.source, &call.arguments, &timeout)
                .map(|edit| Fix::unsafe_edits(format!("Add `{timeout}`"), vec![edit]));
            checker.report(
                Diagnostic::new(
                    Rule::RequestWithoutTimeout,
                    format!("`requests.{method}()` without a `timeout` can hang forever"),
                    Checker::range_of(call),
                )
                .with_fix(fix),
            );
        }
        None => {}
    }
}

/// `httpx.Client(timeout=None)`: every request of the client may hang.
fn check_client_constructor(checker: &mut Checker, call: &ExprCall) {
    if let Some(keyword) = call.arguments.find_keyword("timeout")
        && keyword.value.is_none_literal_expr()
    {
        checker.report(Diagnostic::new(
            Rule::RequestWithoutTimeout,
            "`httpx` client with `timeout=None`: every request it makes can hang forever",
            Checker::range_of(keyword),
        ));
    }
}

/// The library of the session `receiver` is, if it is one: a name bound to
/// `requests.Session()` (or `with requests.Session() as s`), an attribute holding one,
/// or what a session factory or property of the file returns.
fn session_library(checker: &Checker, receiver: &Expr) -> Option<&'static str> {
    is_session(checker, receiver, 0).then_some("requests")
}

fn is_session(checker: &Checker, expr: &Expr, depth: usize) -> bool {
    // Bindings can refer to each other (`s = self.session`); a few hops are plenty.
    if depth > 4 {
        return false;
    }
    match expr {
        Expr::Name(name) => checker
            .lookup(name.id.as_str())
            .is_some_and(|value| is_session(checker, value, depth + 1)),
        Expr::Call(call) => {
            checker.is_session_constructor(expr)
                || match &*call.func {
                    Expr::Name(function) => checker.is_session_factory(function.id.as_str()),
                    Expr::Attribute(method) => {
                        is_self(&method.value)
                            && checker.is_session_factory(method.attr.id.as_str())
                    }
                    _ => false,
                }
        }
        Expr::Attribute(attribute) if is_self(&attribute.value) => {
            let name = attribute.attr.id.as_str();
            // A property returning a session, or an attribute assigned one.
            checker.is_session_factory(name)
                || checker
                    .attribute(name)
                    .is_some_and(|value| is_session(checker, value, depth + 1))
        }
        _ => false,
    }
}

fn is_self(expr: &Expr) -> bool {
    matches!(expr, Expr::Name(name) if matches!(name.id.as_str(), "self" | "cls"))
}
