//! Best-effort static evaluation of the strings and argument lists a call receives,
//! following local variables, concatenation, f-strings and a few well-known helpers.

use ruff_python_ast::{self as ast, Expr, Operator};

use super::Checker;

/// How many variable indirections to follow; enough for `cmd = base + [...]` chains,
/// small enough that self-referencing bindings terminate.
const MAX_HOPS: usize = 8;

/// Stands in for a value we cannot know, inside evaluated text.
pub const UNKNOWN: char = '\u{1}';

/// A string whose unknown parts are replaced by [`UNKNOWN`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartialString {
    pub text: String,
    /// Unknown parts whose every value is shell-quoted (`shlex.quote(x)`).
    pub quoted_unknowns: usize,
    pub unquoted_unknowns: usize,
}

impl PartialString {
    fn known(text: impl Into<String>) -> Self {
        PartialString {
            text: text.into(),
            quoted_unknowns: 0,
            unquoted_unknowns: 0,
        }
    }

    fn unknown(quoted: bool) -> Self {
        PartialString {
            text: UNKNOWN.to_string(),
            quoted_unknowns: usize::from(quoted),
            unquoted_unknowns: usize::from(!quoted),
        }
    }

    fn push(&mut self, other: PartialString) {
        self.text.push_str(&other.text);
        self.quoted_unknowns += other.quoted_unknowns;
        self.unquoted_unknowns += other.unquoted_unknowns;
    }

    pub fn is_fully_known(&self) -> bool {
        self.quoted_unknowns == 0 && self.unquoted_unknowns == 0
    }
}

fn is_quote_call(checker: &Checker, expr: &Expr) -> bool {
    let Expr::Call(call) = expr else { return false };
    matches!(
        checker.qualified_name(&call.func).as_deref(),
        Some("shlex.quote" | "pipes.quote" | "shlex.join")
    )
}

/// Evaluates an expression that should produce a string. `None` when it is not string-like at all.
pub fn string_value(checker: &Checker, expr: &Expr) -> Option<PartialString> {
    string_value_hops(checker, expr, 0)
}

fn string_value_hops(checker: &Checker, expr: &Expr, hops: usize) -> Option<PartialString> {
    if hops > MAX_HOPS {
        return None;
    }
    match expr {
        Expr::StringLiteral(string) => Some(PartialString::known(string.value.to_str())),
        Expr::FString(fstring) => {
            let mut result = PartialString::known("");
            for part in fstring.value.iter() {
                match part {
                    ast::FStringPart::Literal(literal) => {
                        result.push(PartialString::known(&*literal.value))
                    }
                    ast::FStringPart::FString(fstring) => {
                        for element in &fstring.elements {
                            match element {
                                ast::InterpolatedStringElement::Literal(literal) => {
                                    result.push(PartialString::known(&*literal.value));
                                }
                                ast::InterpolatedStringElement::Interpolation(interpolation) => {
                                    let value = string_value_hops(
                                        checker,
                                        &interpolation.expression,
                                        hops + 1,
                                    )
                                    .filter(PartialString::is_fully_known)
                                    .unwrap_or_else(|| {
                                        PartialString::unknown(is_quote_call(
                                            checker,
                                            &interpolation.expression,
                                        ))
                                    });
                                    result.push(value);
                                }
                            }
                        }
                    }
                }
            }
            Some(result)
        }
        Expr::BinOp(binop) if matches!(binop.op, Operator::Add) => {
            let left = string_value_hops(checker, &binop.left, hops + 1);
            let right = string_value_hops(checker, &binop.right, hops + 1);
            if left.is_none() && right.is_none() {
                return None;
            }
            let mut result =
                left.unwrap_or_else(|| PartialString::unknown(is_quote_call(checker, &binop.left)));
            result.push(
                right.unwrap_or_else(|| {
                    PartialString::unknown(is_quote_call(checker, &binop.right))
                }),
            );
            Some(result)
        }
        // "aws s3 cp %s %s" % (a, b): the format string tells the program.
        Expr::BinOp(binop) if matches!(binop.op, Operator::Mod) => {
            let template = string_value_hops(checker, &binop.left, hops + 1)?;
            let values: Vec<&Expr> = match &*binop.right {
                Expr::Tuple(tuple) => tuple.elts.iter().collect(),
                other => vec![other],
            };
            let quoted = values
                .iter()
                .filter(|value| is_quote_call(checker, value))
                .count();
            let constant = values
                .iter()
                .filter(|value| {
                    string_value_hops(checker, value, hops + 1).is_some_and(|v| v.is_fully_known())
                })
                .count();
            let mut result =
                PartialString::known(template.text.replace("%s", &UNKNOWN.to_string()));
            result.quoted_unknowns = template.quoted_unknowns + quoted;
            result.unquoted_unknowns =
                template.unquoted_unknowns + values.len().saturating_sub(quoted + constant);
            Some(result)
        }
        Expr::Name(name) => {
            let bound = checker.lookup(name.id.as_str())?;
            string_value_hops(checker, bound, hops + 1)
        }
        // `self.binary = "helm"` in `__init__`, or `binary = "helm"` on the class.
        Expr::Attribute(_) => string_value_hops(checker, self_attribute(checker, expr)?, hops + 1),
        // shutil.which("kubectl") or "kubectl"
        Expr::BoolOp(boolop) if matches!(boolop.op, ast::BoolOp::Or) => boolop
            .values
            .iter()
            .find_map(|value| string_value_hops(checker, value, hops + 1)),
        Expr::Call(call) => {
            let qualified = checker.qualified_name(&call.func);
            match qualified.as_deref() {
                // KUBECTL = os.environ.get("KUBECTL_BIN", "kubectl"): the default is the program.
                Some("os.getenv" | "os.environ.get") if call.arguments.args.len() == 2 => {
                    string_value_hops(checker, &call.arguments.args[1], hops + 1)
                }
                // shutil.which("aws") is the aws program.
                Some("shutil.which") => {
                    string_value_hops(checker, call.arguments.find_positional(0)?, hops + 1)
                }
                Some("os.path.join" | "posixpath.join") => {
                    let mut result = PartialString::known("");
                    for (index, arg) in call.arguments.args.iter().enumerate() {
                        if index > 0 {
                            result.push(PartialString::known("/"));
                        }
                        result.push(
                            string_value_hops(checker, arg, hops + 1)
                                .unwrap_or_else(|| PartialString::unknown(false)),
                        );
                    }
                    Some(result)
                }
                Some("shlex.join") => {
                    let items =
                        list_value_hops(checker, call.arguments.find_positional(0)?, hops + 1)?;
                    let words: Vec<String> = items
                        .iter()
                        .map(|item| item.clone().unwrap_or_else(|| UNKNOWN.to_string()))
                        .collect();
                    let mut result = PartialString::known(words.join(" "));
                    result.quoted_unknowns = items.iter().filter(|item| item.is_none()).count();
                    Some(result)
                }
                _ => {
                    let Expr::Attribute(attribute) = &*call.func else {
                        return None;
                    };
                    match attribute.attr.id.as_str() {
                        // " ".join(["aws", "s3", "ls"])
                        "join" => {
                            let separator = string_value_hops(checker, &attribute.value, hops + 1)?;
                            let items = list_value_hops(
                                checker,
                                call.arguments.find_positional(0)?,
                                hops + 1,
                            )?;
                            let words: Vec<String> = items
                                .iter()
                                .map(|item| item.clone().unwrap_or_else(|| UNKNOWN.to_string()))
                                .collect();
                            let mut result = PartialString::known(words.join(&separator.text));
                            result.unquoted_unknowns =
                                items.iter().filter(|item| item.is_none()).count();
                            Some(result)
                        }
                        // "aws s3 cp {} {}".format(a, b)
                        "format" => {
                            let template = string_value_hops(checker, &attribute.value, hops + 1)?;
                            let mut text = String::new();
                            let mut unknowns = 0;
                            let mut in_field = false;
                            for c in template.text.chars() {
                                match (c, in_field) {
                                    ('{', false) => in_field = true,
                                    ('}', true) => {
                                        in_field = false;
                                        text.push(UNKNOWN);
                                        unknowns += 1;
                                    }
                                    (_, true) => {}
                                    (c, false) => text.push(c),
                                }
                            }
                            let mut result = PartialString::known(text);
                            result.unquoted_unknowns = unknowns + template.unquoted_unknowns;
                            Some(result)
                        }
                        "strip" | "lstrip" | "rstrip" => {
                            string_value_hops(checker, &attribute.value, hops + 1)
                        }
                        _ => None,
                    }
                }
            }
        }
        _ => None,
    }
}

/// Evaluates an expression that should produce an argument list; each item is its
/// fully known string value, or `None` when unknown.
pub fn list_value(checker: &Checker, expr: &Expr) -> Option<Vec<Option<String>>> {
    list_value_hops(checker, expr, 0)
}

fn list_value_hops(checker: &Checker, expr: &Expr, hops: usize) -> Option<Vec<Option<String>>> {
    if hops > MAX_HOPS {
        return None;
    }
    let elements: &[Expr] = match expr {
        Expr::List(list) => &list.elts,
        Expr::Tuple(tuple) => &tuple.elts,
        Expr::BinOp(binop) if matches!(binop.op, Operator::Add) => {
            let mut left = list_value_hops(checker, &binop.left, hops + 1)?;
            let right =
                list_value_hops(checker, &binop.right, hops + 1).unwrap_or_else(|| vec![None]);
            left.extend(right);
            return Some(left);
        }
        Expr::Name(name) => {
            let bound = checker.lookup(name.id.as_str())?;
            return list_value_hops(checker, bound, hops + 1);
        }
        Expr::Attribute(_) => {
            return list_value_hops(checker, self_attribute(checker, expr)?, hops + 1);
        }
        Expr::Call(call) => {
            if matches!(
                checker.qualified_name(&call.func).as_deref(),
                Some("shlex.split")
            ) {
                let text =
                    string_value_hops(checker, call.arguments.find_positional(0)?, hops + 1)?;
                return Some(split_words(&text.text));
            }
            // "aws s3 ls".split()
            if let Expr::Attribute(attribute) = &*call.func
                && attribute.attr.id.as_str() == "split"
                && call.arguments.is_empty()
            {
                let text = string_value_hops(checker, &attribute.value, hops + 1)?;
                return Some(
                    text.text
                        .split_whitespace()
                        .map(|word| (!word.contains(UNKNOWN)).then(|| word.to_string()))
                        .collect(),
                );
            }
            return None;
        }
        _ => return None,
    };
    let mut items = Vec::with_capacity(elements.len());
    for element in elements {
        match element {
            Expr::Starred(starred) => match list_value_hops(checker, &starred.value, hops + 1) {
                Some(inner) => items.extend(inner),
                None => items.push(None),
            },
            _ => items.push(
                string_value_hops(checker, element, hops + 1)
                    .filter(PartialString::is_fully_known)
                    .map(|value| value.text),
            ),
        }
    }
    Some(items)
}

/// The value assigned to `self.X` / `cls.X` somewhere in the file.
fn self_attribute<'a>(checker: &Checker<'a>, expr: &Expr) -> Option<&'a Expr> {
    let Expr::Attribute(attribute) = expr else {
        return None;
    };
    let Expr::Name(owner) = &*attribute.value else {
        return None;
    };
    matches!(owner.id.as_str(), "self" | "cls")
        .then(|| checker.attribute(attribute.attr.id.as_str()))
        .flatten()
}

/// Splits shell words; a word holding an unknown part is `None`.
pub fn split_words(text: &str) -> Vec<Option<String>> {
    let words =
        shlex::split(text).unwrap_or_else(|| text.split_whitespace().map(str::to_string).collect());
    words
        .into_iter()
        .map(|word| (!word.contains(UNKNOWN)).then_some(word))
        .collect()
}

/// Is this a literal `True` (or a name bound to it)?
pub fn is_truthy_constant(checker: &Checker, expr: &Expr) -> bool {
    match expr {
        Expr::BooleanLiteral(boolean) => boolean.value,
        Expr::NumberLiteral(number) => !matches!(&number.value, ast::Number::Int(int) if *int == 0),
        Expr::Name(name) => checker.lookup(name.id.as_str()).is_some_and(|bound| {
            !matches!(bound, Expr::Name(_)) && is_truthy_constant(checker, bound)
        }),
        _ => false,
    }
}

pub fn is_false_literal(expr: &Expr) -> bool {
    matches!(expr, Expr::BooleanLiteral(boolean) if !boolean.value)
}

/// The literal string value of an expression, when it is a plain literal.
pub fn literal_str(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::StringLiteral(string) => Some(string.value.to_str()),
        _ => None,
    }
}
