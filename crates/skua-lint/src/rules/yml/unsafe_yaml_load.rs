use ruff_python_ast::{Expr, ExprCall};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::fix::{Edit, Fix};
use crate::registry::{Rule, declare_rule};
use crate::rules::edits::remove_argument;

declare_rule! {
    /// ## What it does
    /// Checks for PyYAML loads that can construct arbitrary Python objects:
    /// `yaml.load()` / `yaml.load_all()` without a safe `Loader`, with `Loader`,
    /// `UnsafeLoader` or `FullLoader` (or a loader class of the file derived from one,
    /// also when bound to options with `functools.partial`), and
    /// `yaml.unsafe_load()` / `yaml.full_load()`. A loader class derived from `SafeLoader`
    /// is safe, and a name that holds another library's parser (ruamel's `YAML()`, a
    /// parameter or attribute named `yaml`) is not PyYAML.
    ///
    /// ## Why is this bad?
    /// Ops tooling loads YAML from repositories, CI variables, Helm values and webhooks.
    /// With an unsafe loader a document can run code (`!!python/object/apply:os.system`).
    ///
    /// ## Example
    /// ```python
    /// import yaml
    ///
    /// with open("values.yaml") as f:
    ///     values = yaml.load(f)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import yaml
    ///
    /// with open("values.yaml") as f:
    ///     values = yaml.safe_load(f)
    /// ```
    ///
    /// ## Fix
    /// `yaml.load(f)`, `yaml.load(f, Loader=yaml.Loader)` (any unsafe loader, by keyword or
    /// position), `yaml.unsafe_load(f)` and `yaml.full_load(f)` become `yaml.safe_load(f)`,
    /// and the `_all` variants `yaml.safe_load_all(f)`, when the stream is the only other
    /// argument. Not fixed: calls with other arguments or `*args`, a loader class of the
    /// file (derive it from `SafeLoader` instead), and functions imported by name
    /// (`from yaml import load`), whose replacement would need a new import.
    pub struct UnsafeYamlLoad => ("YML001", "unsafe-yaml-load"), fix = Sometimes, Safe;
}

const SAFE_LOADERS: &[&str] = &["SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"];
const UNSAFE_LOADERS: &[&str] = &[
    "Loader",
    "UnsafeLoader",
    "FullLoader",
    "CLoader",
    "CUnsafeLoader",
    "CFullLoader",
];

#[derive(Debug, PartialEq, Eq)]
enum Safety {
    Safe,
    /// Unsafe, through this PyYAML loader.
    Unsafe(String),
    Unknown,
}

/// A loader by name: PyYAML's own, or a class of this file judged by its bases (a
/// `SafeLoader` subclass with extra constructors is safe; a `FullLoader` one is not).
fn loader_safety(checker: &Checker, name: &str, depth: usize) -> Safety {
    if SAFE_LOADERS.contains(&name) {
        return Safety::Safe;
    }
    if depth > 8 {
        return Safety::Unknown;
    }
    if let Some(bases) = checker.class_bases(name) {
        let mut verdict = Safety::Unknown;
        for base in bases {
            match loader_name(base).map(|base| loader_safety(checker, base, depth + 1)) {
                // Any unsafe base makes the subclass unsafe (mixins cannot undo it).
                Some(Safety::Unsafe(via)) => return Safety::Unsafe(via),
                Some(Safety::Safe) => verdict = Safety::Safe,
                _ => {}
            }
        }
        return verdict;
    }
    if UNSAFE_LOADERS.contains(&name) {
        return Safety::Unsafe(name.to_string());
    }
    Safety::Unknown
}

fn loader_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.id.as_str()),
        _ => None,
    }
}

/// The loader class inside `functools.partial(LocalLoader, search_path=...)`, the way
/// jenkins-job-builder passes options to its loader; any other expression as it is.
fn partial_target<'e>(checker: &Checker, loader: &'e Expr) -> &'e Expr {
    match loader {
        Expr::Call(call)
            if checker.qualified_name(&call.func).as_deref() == Some("functools.partial") =>
        {
            call.arguments.args.first().unwrap_or(loader)
        }
        _ => loader,
    }
}

pub(crate) fn check_call(checker: &mut Checker, call: &ExprCall) {
    let Some(qualified) = checker.qualified_name(&call.func) else {
        return;
    };
    let Some(function) = qualified.strip_prefix("yaml.") else {
        return;
    };
    let message = match function {
        "unsafe_load" | "unsafe_load_all" | "full_load" | "full_load_all" => {
            format!(
                "`yaml.{function}()` can construct arbitrary Python objects; use `yaml.safe_load()`"
            )
        }
        "load" | "load_all" => {
            let loader = call.arguments.find_argument_value("Loader", 1);
            match loader {
                None => format!(
                    "`yaml.{function}()` without a `Loader` is unsafe; use `yaml.safe_load()`"
                ),
                Some(loader) => {
                    let loader = partial_target(checker, loader);
                    match loader_name(loader).map(|name| (name, loader_safety(checker, name, 0))) {
                        // A loader we cannot see (imported from elsewhere, a variable): trust it.
                        None | Some((_, Safety::Safe | Safety::Unknown)) => return,
                        Some((name, Safety::Unsafe(via))) if via == name => format!(
                            "`yaml.{function}()` with `{name}` can construct arbitrary Python objects; use `SafeLoader`"
                        ),
                        Some((name, Safety::Unsafe(via))) => format!(
                            "`yaml.{function}()` with `{name}`, a `{via}` subclass, can construct arbitrary Python objects; derive it from `SafeLoader`"
                        ),
                    }
                }
            }
        }
        _ => return,
    };
    let fix = safe_load_fix(checker, call, function);
    checker.report(
        Diagnostic::new(Rule::UnsafeYamlLoad, message, Checker::range_of(call)).with_fix(fix),
    );
}

/// `yaml.load(f, Loader=yaml.Loader)` → `yaml.safe_load(f)`, when that is all the call says.
fn safe_load_fix(checker: &Checker, call: &ExprCall, function: &str) -> Option<Fix> {
    // `load(f)` from `from yaml import load`: `safe_load` is not imported.
    let Expr::Attribute(attribute) = &*call.func else {
        return None;
    };
    let arguments = &call.arguments;
    if arguments.args.iter().any(Expr::is_starred_expr)
        || arguments.keywords.iter().any(|keyword| {
            !matches!(
                keyword.arg.as_ref().map(|arg| arg.id.as_str()),
                Some("stream" | "Loader")
            )
        })
    {
        return None;
    }
    let replacement = if function.ends_with("_all") {
        "safe_load_all"
    } else {
        "safe_load"
    };
    let mut edits = vec![Edit::replace(
        Checker::range_of(&attribute.attr),
        replacement,
    )];
    let takes_loader = matches!(function, "load" | "load_all");
    match arguments.find_argument("Loader", 1) {
        Some(loader) if takes_loader => {
            // Only a loader PyYAML names itself: a class of this file carries
            // constructors the safe loader lacks.
            let name = loader_name(loader.value())?;
            if checker.class_bases(name).is_some() || !UNSAFE_LOADERS.contains(&name) {
                return None;
            }
            edits.push(remove_argument(
                checker.source,
                arguments,
                Checker::range_of(&loader),
            )?);
        }
        Some(_) => return None,
        None => {}
    }
    if arguments.len() > 2 || (arguments.len() == 2 && edits.len() == 1) {
        return None;
    }
    Some(Fix::safe(
        format!("Replace with `yaml.{replacement}()`"),
        edits,
    ))
}
