use ruff_python_ast::{Expr, ExprCall};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};

declare_rule! {
    /// ## What it does
    /// Checks for PyYAML loads that can construct arbitrary Python objects:
    /// `yaml.load()` / `yaml.load_all()` without a safe `Loader`, with `Loader`,
    /// `UnsafeLoader` or `FullLoader`, and `yaml.unsafe_load()` / `yaml.full_load()`.
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
    pub struct UnsafeYamlLoad => ("YML001", "unsafe-yaml-load");
}

const SAFE_LOADERS: &[&str] = &["SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"];

fn loader_name(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(name) => Some(name.id.as_str()),
        Expr::Attribute(attribute) => Some(attribute.attr.id.as_str()),
        _ => None,
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
                Some(loader) => match loader_name(loader) {
                    Some(name) if SAFE_LOADERS.contains(&name) => return,
                    // A loader class we cannot see (a custom subclass, a variable): trust it.
                    Some(name)
                        if !matches!(
                            name,
                            "Loader"
                                | "UnsafeLoader"
                                | "FullLoader"
                                | "CLoader"
                                | "CUnsafeLoader"
                                | "CFullLoader"
                        ) =>
                    {
                        return;
                    }
                    None => return,
                    Some(name) => format!(
                        "`yaml.{function}()` with `{name}` can construct arbitrary Python objects; use `SafeLoader`"
                    ),
                },
            }
        }
        _ => return,
    };
    checker.report(Diagnostic::new(
        Rule::UnsafeYamlLoad,
        message,
        Checker::range_of(call),
    ));
}
