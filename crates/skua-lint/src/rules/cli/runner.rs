//! The project's own runner helpers: functions whose body runs one of their parameters as
//! the command (`def execute(*args): subprocess.run(list(args))`), whatever their name.
//! A call of such a helper is judged by what it passes, like a direct `subprocess` call.
//!
//! Signatures are found per file before the rules run (`Checker::prescan`); calls of a
//! runner imported from another module of the project are recorded as [`PendingCall`]s
//! and resolved after every file is checked (`crate::project`).

use std::collections::HashMap;

use ruff_python_ast::{self as ast, Expr, ExprCall, Operator};

use super::command::{self, Command};
use crate::checker::Checker;
use crate::checker::eval::{self, PartialString};

/// Where a runner's command comes from among its call's arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunnerSignature {
    /// Known words the runner puts before the command (`sudo`), never the program itself.
    pub prefix: Vec<String>,
    /// Position of the first command parameter, not counting `self`/`cls`.
    pub index: usize,
    /// Its name, for keyword calls.
    pub name: Option<String>,
    /// The command continues with every later positional argument (`*args`).
    pub variadic: bool,
}

/// An argument as seen at the call site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgValue {
    /// A list, tuple or split string: its words (`None` where unknown).
    Words(Vec<Option<String>>),
    /// A string, unknown parts as [`eval::UNKNOWN`].
    Text(String),
    /// `*items` spread into the call.
    Spread(Vec<Option<String>>),
    Unknown,
}

/// The arguments of one call, evaluated where it is written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallArgs {
    pub positional: Vec<ArgValue>,
    pub keywords: Vec<(String, ArgValue)>,
}

/// A call of a name imported from another module of the project, resolved once every
/// module's runners are known.
#[derive(Clone, Debug)]
pub struct PendingCall {
    /// The callee as imported: `ops.util.run_cmd`, or `.util.run_cmd` (relative).
    pub callee: String,
    pub args: CallArgs,
    pub range: std::ops::Range<usize>,
    /// What the callee's name suggests (`run_cmd([...])`), reported when the callee turns
    /// out not to be a function of the project after all.
    pub fallback: Vec<(crate::registry::Rule, String)>,
}

pub fn call_args(checker: &Checker, call: &ExprCall) -> CallArgs {
    CallArgs {
        positional: call
            .arguments
            .args
            .iter()
            .map(|arg| value_of(checker, arg))
            .collect(),
        keywords: call
            .arguments
            .keywords
            .iter()
            .filter_map(|keyword| {
                Some((
                    keyword.arg.as_ref()?.id.to_string(),
                    value_of(checker, &keyword.value),
                ))
            })
            .collect(),
    }
}

fn words_of(value: &ArgValue) -> Vec<Option<String>> {
    match value {
        ArgValue::Words(words) | ArgValue::Spread(words) => words.clone(),
        ArgValue::Text(text) => eval::split_words(text),
        ArgValue::Unknown => vec![None],
    }
}

/// The commands a call of a runner with `signature` runs.
pub fn commands_at_call(signature: &RunnerSignature, args: &CallArgs) -> Vec<Command> {
    let values: Vec<&ArgValue> = if signature.variadic {
        args.positional
            .get(signature.index..)
            .unwrap_or(&[])
            .iter()
            .collect()
    } else {
        let keyword = || {
            let name = signature.name.as_deref()?;
            args.keywords
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value)
        };
        args.positional
            .get(signature.index)
            .or_else(keyword)
            .into_iter()
            .collect()
    };
    if values.is_empty() {
        return Vec::new();
    }
    // A shell line (`"cd /srv && helm list"`, or anything after `bash -c`) may run several
    // programs.
    let shell_line = is_shell_prefix(&signature.prefix)
        || (signature.prefix.is_empty() && matches!(values.as_slice(), [ArgValue::Text(_)]));
    if shell_line {
        let line: Vec<String> = values
            .iter()
            .map(|value| match value {
                ArgValue::Text(text) => text.clone(),
                other => words_of(other)
                    .into_iter()
                    .map(|word| word.unwrap_or_else(|| eval::UNKNOWN.to_string()))
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect();
        return command::commands_in_shell(&line.join(" "));
    }
    let mut items: Vec<Option<String>> = signature.prefix.iter().cloned().map(Some).collect();
    for value in values {
        items.extend(words_of(value));
    }
    command::command_from_argv(&items).into_iter().collect()
}

/// The parameters of a function as a runner sees them.
pub struct Params<'a> {
    /// Positional parameters, `self`/`cls` left out.
    pub positional: Vec<&'a str>,
    pub vararg: Option<&'a str>,
}

impl<'a> Params<'a> {
    pub fn of(parameters: &'a ast::Parameters) -> Self {
        let positional = parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .map(|parameter| parameter.parameter.name.id.as_str())
            .enumerate()
            .filter(|(index, name)| !(*index == 0 && matches!(*name, "self" | "cls")))
            .map(|(_, name)| name)
            .collect();
        Params {
            positional,
            vararg: parameters
                .vararg
                .as_ref()
                .map(|vararg| vararg.name.id.as_str()),
        }
    }

    fn signature_for(&self, name: &str, prefix: Vec<String>) -> Option<RunnerSignature> {
        if Some(name) == self.vararg {
            return Some(RunnerSignature {
                prefix,
                index: self.positional.len(),
                name: None,
                variadic: true,
            });
        }
        let index = self.positional.iter().position(|param| *param == name)?;
        Some(RunnerSignature {
            prefix,
            index,
            name: Some(name.to_string()),
            // `def run(program, *args): subprocess.run([program, *args])`.
            variadic: false,
        })
    }
}

const MAX_HOPS: usize = 8;

/// Whether `expr`, evaluated in the runner's body, is a command whose program is one of the
/// parameters: the signature of the runner it makes.
pub fn lead(
    checker: &Checker,
    params: &Params,
    expr: &Expr,
    hops: usize,
) -> Option<RunnerSignature> {
    if hops > MAX_HOPS {
        return None;
    }
    let next = |expr: &Expr| lead(checker, params, expr, hops + 1);
    match expr {
        Expr::Name(name) => {
            let id = name.id.as_str();
            if params.positional.contains(&id) || params.vararg == Some(id) {
                return params.signature_for(id, Vec::new());
            }
            next(checker.lookup(id)?)
        }
        Expr::Starred(starred) => next(&starred.value),
        Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) => {
            sequence_lead(checker, params, elts, hops)
        }
        Expr::BinOp(binop) if matches!(binop.op, Operator::Add) => {
            if let Some(signature) = next(&binop.left) {
                return Some(signature);
            }
            let prefix = known_prefix(checker, &binop.left)?;
            let signature = next(&binop.right)?;
            with_prefix(prefix, signature)
        }
        Expr::BinOp(binop) if matches!(binop.op, Operator::Mod) => {
            let template = eval::literal_str(&binop.left)?;
            let (before, _) = template.split_once("%s")?;
            let first = match &*binop.right {
                Expr::Tuple(tuple) => tuple.elts.first()?,
                other => other,
            };
            with_prefix(words(before), next(first)?)
        }
        Expr::FString(fstring) => {
            let mut before = String::new();
            for part in fstring.value.iter() {
                match part {
                    ast::FStringPart::Literal(literal) => before.push_str(&literal.value),
                    ast::FStringPart::FString(fstring) => {
                        for element in &fstring.elements {
                            match element {
                                ast::InterpolatedStringElement::Literal(literal) => {
                                    before.push_str(&literal.value);
                                }
                                ast::InterpolatedStringElement::Interpolation(interpolation) => {
                                    let signature = next(&interpolation.expression)?;
                                    return with_prefix(words(last_segment(&before)), signature);
                                }
                            }
                        }
                    }
                }
            }
            None
        }
        Expr::Call(call) => {
            let first = call.arguments.find_positional(0);
            let qualified = checker.qualified_name(&call.func);
            match (qualified.as_deref(), &*call.func) {
                (Some("shlex.split" | "shlex.join"), _) => next(first?),
                (_, Expr::Name(name)) if matches!(name.id.as_str(), "list" | "tuple" | "str") => {
                    next(first?)
                }
                (_, Expr::Attribute(attribute)) => match attribute.attr.id.as_str() {
                    "split" | "strip" => next(&attribute.value),
                    "join" => next(first?),
                    "format" => {
                        let template = eval::literal_str(&attribute.value)?;
                        let (before, _) = template.split_once('{')?;
                        with_prefix(words(before), next(first?)?)
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// The elements of an argv (or of a variadic call's arguments) up to the parameter that
/// supplies the program.
pub fn sequence_lead(
    checker: &Checker,
    params: &Params,
    elements: &[Expr],
    hops: usize,
) -> Option<RunnerSignature> {
    let mut prefix = Vec::new();
    for element in elements {
        if let Some(signature) = lead(checker, params, element, hops + 1) {
            let mut signature = with_prefix(prefix, signature)?;
            // `[program, *args]`: the later arguments follow the program.
            signature.variadic |= params.vararg.is_some()
                && elements.iter().any(|element| {
                    matches!(element, Expr::Starred(starred)
                        if matches!(&*starred.value, Expr::Name(name) if Some(name.id.as_str()) == params.vararg))
                });
            return Some(signature);
        }
        let word = eval::string_value(checker, element).filter(PartialString::is_fully_known)?;
        prefix.push(word.text);
    }
    None
}

fn known_prefix(checker: &Checker, expr: &Expr) -> Option<Vec<String>> {
    if let Some(items) = eval::list_value(checker, expr) {
        return items.into_iter().collect();
    }
    let text = eval::string_value(checker, expr).filter(PartialString::is_fully_known)?;
    Some(words(&text.text))
}

/// The words after the last shell separator: `set -e; ` leaves nothing before the program.
fn last_segment(text: &str) -> &str {
    text.rsplit([';', '&', '|', '\n']).next().unwrap_or(text)
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

/// Puts `prefix` before the signature's own prefix, unless the prefix already names a
/// program: then the body runs that program and is reported where it runs it.
fn with_prefix(prefix: Vec<String>, mut signature: RunnerSignature) -> Option<RunnerSignature> {
    let mut all = prefix;
    all.append(&mut signature.prefix);
    let items: Vec<Option<String>> = all.iter().cloned().map(Some).collect();
    if !is_shell_prefix(&all) && command::command_from_argv(&items).is_some() {
        return None;
    }
    signature.prefix = all;
    Some(signature)
}

/// The helpers a module exports (its module-level functions), by name.
pub type Runners = HashMap<String, Helper>;

/// The signature `call`, written in a runner's body, gives that runner: the call is a
/// process sink (or a call of another runner) whose program comes from a parameter.
pub fn signature_of_call(
    checker: &Checker,
    params: &Params,
    call: &ExprCall,
) -> Option<RunnerSignature> {
    let arguments = &call.arguments;
    // Most calls are neither a sink nor a runner: decide by the callee's last name first.
    let last = match &*call.func {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.id.as_str(),
        _ => return None,
    };
    const SINKS: &[&str] = &[
        "run",
        "call",
        "check_call",
        "check_output",
        "Popen",
        "getoutput",
        "getstatusoutput",
        "system",
        "popen",
        "create_subprocess_shell",
        "create_subprocess_exec",
        "spawn",
    ];
    if !SINKS.contains(&last) && checker.runner(last).is_none() {
        return None;
    }
    let qualified = checker.qualified_name(&call.func);
    let qualified = qualified.as_deref().unwrap_or("");
    let (module, function) = qualified.rsplit_once('.').unwrap_or(("", qualified));
    match (module, function) {
        ("subprocess", "run" | "call" | "check_call" | "check_output" | "Popen") => lead(
            checker,
            params,
            arguments.find_argument_value("args", 0)?,
            0,
        ),
        ("subprocess", "getoutput" | "getstatusoutput")
        | ("os", "system" | "popen")
        | ("asyncio", "create_subprocess_shell")
        | ("pexpect", "spawn" | "run") => {
            let command = arguments
                .find_argument_value("cmd", 0)
                .or_else(|| arguments.find_positional(0))?;
            lead(checker, params, command, 0)
        }
        ("asyncio", "create_subprocess_exec") => sequence_lead(checker, params, &arguments.args, 0),
        _ => {
            // A call of another runner of this file.
            let callee = match &*call.func {
                Expr::Name(name) if !checker.is_imported(name.id.as_str()) => name.id.as_str(),
                Expr::Attribute(attribute) if matches!(&*attribute.value, Expr::Name(owner) if matches!(owner.id.as_str(), "self" | "cls")) => {
                    attribute.attr.id.as_str()
                }
                _ => return None,
            };
            let inner = checker.runner(callee)?;
            let found = if inner.variadic {
                sequence_lead(checker, params, arguments.args.get(inner.index..)?, 0)?
            } else {
                let value = arguments.args.get(inner.index).or_else(|| {
                    let name = inner.name.as_deref()?;
                    arguments.find_keyword(name).map(|keyword| &keyword.value)
                })?;
                lead(checker, params, value, 0)?
            };
            with_prefix(inner.prefix.clone(), found)
        }
    }
}

/// A shell and its command flag (`bash -c`, `/bin/sh -lc`): what follows is a shell line.
fn is_shell_prefix(prefix: &[String]) -> bool {
    let [.., shell, flag] = prefix else {
        return false;
    };
    let shell = shell.rsplit('/').next().unwrap_or(shell);
    matches!(shell, "sh" | "bash" | "zsh" | "dash" | "ksh")
        && flag.starts_with('-')
        && !flag.starts_with("--")
        && flag.contains('c')
}

/// A helper that hands its parameters on to a function imported from another module of
/// the project (`def _exec(self, *args): return execute(*args)`): whether it runs them
/// is known once that module's runners are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forward {
    /// The callee as imported in the helper's module.
    pub callee: String,
    pub positional: Vec<ForwardArg>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForwardArg {
    /// The helper's positional parameter at this index.
    Param(usize),
    /// The helper's positional arguments from this index on (`*args`).
    Rest(usize),
    Value(ArgValue),
}

impl Forward {
    /// The arguments the callee receives when the helper is called with `args`.
    pub fn map(&self, args: &CallArgs) -> CallArgs {
        let mut positional = Vec::new();
        for arg in &self.positional {
            match arg {
                ForwardArg::Param(index) => positional.push(
                    args.positional
                        .get(*index)
                        .cloned()
                        .unwrap_or(ArgValue::Unknown),
                ),
                ForwardArg::Rest(index) => {
                    positional.extend(args.positional.get(*index..).unwrap_or(&[]).iter().cloned());
                }
                ForwardArg::Value(value) => positional.push(value.clone()),
            }
        }
        CallArgs {
            positional,
            keywords: Vec::new(),
        }
    }
}

/// The forward `call` makes, when it passes the helper's parameters to a project import.
pub fn forward_of_call(checker: &Checker, params: &Params, call: &ExprCall) -> Option<Forward> {
    let passes_param = call.arguments.args.iter().any(|arg| {
        let arg = match arg {
            Expr::Starred(starred) => &*starred.value,
            other => other,
        };
        matches!(arg, Expr::Name(name)
            if params.positional.contains(&name.id.as_str()) || params.vararg == Some(name.id.as_str()))
    });
    if !passes_param {
        return None;
    }
    let callee = checker.qualified_name(&call.func)?;
    if !checker.is_project_callee(&callee) {
        return None;
    }
    let mut forwards_param = false;
    let mut positional = Vec::new();
    for arg in &call.arguments.args {
        let param = |expr: &Expr| match expr {
            Expr::Name(name) => params
                .positional
                .iter()
                .position(|p| *p == name.id.as_str()),
            _ => None,
        };
        let mapped = match arg {
            Expr::Starred(starred) if matches!(&*starred.value, Expr::Name(name) if Some(name.id.as_str()) == params.vararg) => {
                ForwardArg::Rest(params.positional.len())
            }
            other => match param(other) {
                Some(index) => ForwardArg::Param(index),
                None => {
                    positional.push(ForwardArg::Value(value_of(checker, other)));
                    continue;
                }
            },
        };
        forwards_param = true;
        positional.push(mapped);
    }
    forwards_param.then_some(Forward { callee, positional })
}

fn value_of(checker: &Checker, expr: &Expr) -> ArgValue {
    match expr {
        Expr::Starred(starred) => {
            eval::list_value(checker, &starred.value).map_or(ArgValue::Unknown, ArgValue::Spread)
        }
        _ => match eval::list_value(checker, expr) {
            Some(words) => ArgValue::Words(words),
            None => eval::string_value(checker, expr)
                .map_or(ArgValue::Unknown, |text| ArgValue::Text(text.text)),
        },
    }
}

/// A function of the project that runs commands, directly or through another module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Helper {
    Runner(RunnerSignature),
    Forward(Forward),
    /// Runs nothing: its name is no reason to think it does (`log_command(cmd)`).
    Plain,
}

/// Whether any known word among the arguments is one of the configured CLI programs: a
/// runner's program always comes from its call.
pub fn mentions_cli(args: &CallArgs, cloud_clis: &[String]) -> bool {
    args.positional
        .iter()
        .chain(args.keywords.iter().map(|(_, value)| value))
        .flat_map(words_of)
        .flatten()
        .any(|word| {
            let program = word.rsplit('/').next().unwrap_or(&word);
            cloud_clis.iter().any(|cli| cli == program)
        })
}
