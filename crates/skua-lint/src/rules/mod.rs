//! The rules, one file each, grouped by family; this module routes AST nodes to them.

pub mod cli;
pub mod dep;
pub(crate) mod edits;
pub mod inj;
pub mod meta;
pub mod net;
pub mod sec;
pub mod tls;
pub mod yml;

use ruff_python_ast::{self as ast, Expr};

use crate::checker::Checker;
use crate::checker::eval;
use crate::registry::Rule;

pub(crate) fn check_call(checker: &mut Checker, call: &ast::ExprCall) {
    if checker.enabled(Rule::AwsCliSubprocess)
        || checker.enabled(Rule::KubectlSubprocess)
        || checker.enabled(Rule::CloudCliSubprocess)
    {
        cli::check_call(checker, call);
    }
    if checker.enabled(Rule::ShellInjection) {
        inj::shell_injection::check_call(checker, call);
    }
    if checker.enabled(Rule::VerifyDisabled) {
        tls::verify_disabled::check_call(checker, call);
    }
    if checker.enabled(Rule::UnverifiedSslContext) {
        tls::unverified_ssl_context::check_call(checker, call);
    }
    if checker.enabled(Rule::InsecureWarningsDisabled) {
        tls::insecure_warnings_disabled::check_call(checker, call);
    }
    if checker.enabled(Rule::UnsafeYamlLoad) {
        yml::unsafe_yaml_load::check_call(checker, call);
    }
    if checker.enabled(Rule::RequestWithoutTimeout) {
        net::request_without_timeout::check_call(checker, call);
    }
    if checker.enabled(Rule::HardcodedSecretAssignment) {
        check_call_secrets(checker, call);
    }
}

/// Secret-named keyword arguments, fallback values and basic-auth pairs.
fn check_call_secrets(checker: &mut Checker, call: &ast::ExprCall) {
    use sec::hardcoded_secret_assignment::{check_binding, check_password_literal};
    for keyword in &call.arguments.keywords {
        if let Some(arg) = &keyword.arg {
            check_binding(checker, arg.id.as_str(), &keyword.value, keyword);
            if arg.id.as_str() == "auth"
                && let Expr::Tuple(pair) = &keyword.value
                && pair.elts.len() == 2
            {
                check_password_literal(
                    checker,
                    "a basic-auth password",
                    &pair.elts[1],
                    &keyword.value,
                );
            }
        }
    }
    let qualified = checker.qualified_name(&call.func).unwrap_or_default();
    if qualified.ends_with("HTTPBasicAuth")
        || qualified.ends_with("HTTPDigestAuth")
        || qualified.ends_with("BasicAuth")
    {
        if let Some(password) = call.arguments.find_argument_value("password", 1) {
            check_password_literal(checker, "a basic-auth password", password, call);
        }
        return;
    }
    let method = match &*call.func {
        Expr::Attribute(attribute) => attribute.attr.id.as_str(),
        _ => "",
    };
    // smtp.login(user, "…"), ftp.login("deploy", "…"), client.login(username=..., password=...)
    if method == "login" && call.arguments.args.len() >= 2 {
        check_password_literal(
            checker,
            "a `login()` password",
            &call.arguments.args[1],
            call,
        );
        return;
    }
    // Variable.set("slack_token", "…"), parser.set("db", "password", "…")
    if method == "set" {
        let args = &call.arguments.args;
        let (key, value) = match args.len() {
            2 => (&args[0], &args[1]),
            3 => (&args[1], &args[2]),
            _ => return,
        };
        if let Some(key) = eval::literal_str(key) {
            check_binding(checker, key, value, call);
        }
        return;
    }
    // os.getenv("DB_PASSWORD", "fallback"), config.get("token", "fallback"), environ.setdefault(...)
    let is_lookup = qualified == "os.getenv"
        || matches!(&*call.func, Expr::Attribute(attribute) if matches!(attribute.attr.id.as_str(), "get" | "setdefault" | "getenv"));
    if is_lookup
        && call.arguments.args.len() == 2
        && let Some(key) = eval::literal_str(&call.arguments.args[0])
    {
        check_binding(checker, key, &call.arguments.args[1], call);
    }
}

pub(crate) fn check_assign(checker: &mut Checker, targets: &[Expr], value: &Expr) {
    for target in targets {
        if checker.enabled(Rule::HardcodedSecretAssignment) {
            let name = match target {
                Expr::Name(name) => Some(name.id.as_str()),
                Expr::Attribute(attribute) => Some(attribute.attr.id.as_str()),
                Expr::Subscript(subscript) => eval::literal_str(&subscript.slice),
                _ => None,
            };
            if let Some(name) = name {
                let node = ruff_text_size::TextRange::new(
                    ruff_text_size::Ranged::start(target),
                    ruff_text_size::Ranged::end(value),
                );
                sec::hardcoded_secret_assignment::check_binding(checker, name, value, &node);
            }
        }
        if checker.enabled(Rule::HardcodedAuthHeader)
            && let Expr::Subscript(subscript) = target
            && eval::literal_str(&subscript.slice)
                .is_some_and(sec::hardcoded_auth_header::is_auth_header_name)
        {
            sec::hardcoded_auth_header::check_header_value(checker, value);
        }
        if checker.enabled(Rule::VerifyDisabled) {
            tls::verify_disabled::check_assign(checker, target, value);
        }
        if checker.enabled(Rule::UnverifiedSslContext) {
            tls::unverified_ssl_context::check_assign(checker, target, value);
        }
    }
}

pub(crate) fn check_parameters(checker: &mut Checker, parameters: &ast::Parameters) {
    if !checker.enabled(Rule::HardcodedSecretAssignment) {
        return;
    }
    for parameter in parameters.iter_non_variadic_params() {
        if let Some(default) = &parameter.default {
            sec::hardcoded_secret_assignment::check_binding(
                checker,
                parameter.parameter.name.id.as_str(),
                default,
                parameter,
            );
        }
    }
}

pub(crate) fn check_string_literal(checker: &mut Checker, string: &ast::ExprStringLiteral) {
    check_string_text(checker, string, string.value.to_str());
    if checker.enabled(Rule::HardcodedSecretAssignment) && !checker.in_docstring {
        // Each part of an implicit concatenation on its own: a command line built over
        // several lines is reported on the line holding the secret.
        if string.value.is_implicit_concatenated() {
            for part in string.value.iter() {
                sec::hardcoded_secret_assignment::check_embedded(checker, part, &part.value);
            }
        } else {
            sec::hardcoded_secret_assignment::check_embedded(
                checker,
                string,
                string.value.to_str(),
            );
        }
    }
}

pub(crate) fn check_fstring(checker: &mut Checker, fstring: &ast::ExprFString) {
    let text = sec::fstring_text(fstring);
    check_string_text(checker, fstring, &text);
    if checker.enabled(Rule::HardcodedSecretAssignment) && !checker.in_docstring {
        sec::hardcoded_secret_assignment::check_embedded(checker, fstring, &text);
    }
}

fn check_string_text(checker: &mut Checker, node: &impl ruff_text_size::Ranged, text: &str) {
    if checker.enabled(Rule::HardcodedToken) {
        sec::hardcoded_token::check_text(checker, node, text);
    }
    // Docstrings show example URLs and headers; a token format in one is still a leak.
    if checker.in_docstring {
        return;
    }
    if checker.enabled(Rule::CredentialsInUrl) {
        sec::credentials_in_url::check_text(checker, node, text);
    }
    if checker.enabled(Rule::HardcodedAuthHeader) && memchr::memchr(b':', text.as_bytes()).is_some()
    {
        sec::hardcoded_auth_header::check_embedded(checker, node, text);
    }
}

pub(crate) fn check_dict(checker: &mut Checker, dict: &ast::ExprDict) {
    for item in &dict.items {
        let Some(key) = item.key.as_ref().and_then(eval::literal_str) else {
            continue;
        };
        if checker.enabled(Rule::UnverifiedSslContext)
            && let Some(key_expr) = &item.key
        {
            tls::unverified_ssl_context::check_dict_entry(checker, key, key_expr, &item.value);
        }
        if checker.enabled(Rule::HardcodedAuthHeader)
            && sec::hardcoded_auth_header::is_auth_header_name(key)
        {
            sec::hardcoded_auth_header::check_header_value(checker, &item.value);
        } else if checker.enabled(Rule::HardcodedSecretAssignment) {
            let node = ruff_text_size::TextRange::new(
                ruff_text_size::Ranged::start(item.key.as_ref().unwrap_or(&item.value)),
                ruff_text_size::Ranged::end(&item.value),
            );
            sec::hardcoded_secret_assignment::check_binding(checker, key, &item.value, &node);
        }
    }
}

pub(crate) fn check_compare(checker: &mut Checker, compare: &ast::ExprCompare) {
    // `assert config.password == "…"` states what a test expects of a fake value.
    if !checker.enabled(Rule::HardcodedSecretAssignment)
        || compare.comparators.len() != 1
        || checker.in_assert
    {
        return;
    }
    if !matches!(
        compare.ops.first(),
        Some(ast::CmpOp::Eq | ast::CmpOp::NotEq)
    ) {
        return;
    }
    let (left, right) = (&*compare.left, &compare.comparators[0]);
    for (name_side, value_side) in [(left, right), (right, left)] {
        let name = match name_side {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attribute) => attribute.attr.id.as_str(),
            _ => continue,
        };
        sec::hardcoded_secret_assignment::check_binding(checker, name, value_side, compare);
    }
}

pub(crate) fn check_subscript(checker: &mut Checker, subscript: &ast::ExprSubscript) {
    if checker.enabled(Rule::AwsCliSubprocess)
        || checker.enabled(Rule::KubectlSubprocess)
        || checker.enabled(Rule::CloudCliSubprocess)
    {
        cli::check_subscript(checker, subscript);
    }
}
