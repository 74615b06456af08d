//! Hardcoded secrets.

pub mod config_file_secret;
pub mod credentials_in_url;
pub mod dotenv_secret;
pub mod hardcoded_auth_header;
pub mod hardcoded_secret_assignment;
pub mod hardcoded_token;

use ruff_python_ast::{self as ast, Expr};

/// The text of an f-string with each interpolation replaced by `{}`, so the secret
/// helpers see a template and never mistake a placeholder for a value.
pub(crate) fn fstring_text(fstring: &ast::ExprFString) -> String {
    let mut text = String::new();
    for part in fstring.value.iter() {
        match part {
            ast::FStringPart::Literal(literal) => text.push_str(&literal.value),
            ast::FStringPart::FString(fstring) => {
                for element in &fstring.elements {
                    match element {
                        ast::InterpolatedStringElement::Literal(literal) => {
                            text.push_str(&literal.value)
                        }
                        ast::InterpolatedStringElement::Interpolation(_) => text.push_str("{}"),
                    }
                }
            }
        }
    }
    text
}

/// The value of a string literal or f-string (with `{}` for interpolations).
pub(crate) fn string_text(expr: &Expr) -> Option<std::borrow::Cow<'_, str>> {
    match expr {
        Expr::StringLiteral(string) => Some(std::borrow::Cow::Borrowed(string.value.to_str())),
        Expr::FString(fstring) => Some(std::borrow::Cow::Owned(fstring_text(fstring))),
        _ => None,
    }
}

/// Names compared case-insensitively, with `-` treated as `_` (`X-Api-Key`).
pub(crate) fn normalized_name(name: &str) -> String {
    name.replace('-', "_")
}
