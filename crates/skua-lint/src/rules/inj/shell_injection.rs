use ruff_python_ast::{Expr, ExprCall};

use crate::checker::Checker;
use crate::checker::eval;
use crate::diagnostic::Diagnostic;
use crate::registry::{Rule, declare_rule};
use crate::rules::cli::command;

declare_rule! {
    /// ## What it does
    /// Checks for commands run through a shell (`shell=True`, `os.system`, `os.popen`,
    /// `subprocess.getoutput`, `asyncio.create_subprocess_shell`, `pexpect`) whose command
    /// line is built from values that are not constants: f-strings, `%`/`.format()`
    /// formatting, concatenation, or variables.
    ///
    /// Command lines whose every interpolated value is wrapped in `shlex.quote()` are
    /// accepted, as are values that skua can follow back to string constants.
    ///
    /// ## Why is this bad?
    /// A value containing `;`, `&&`, `$(…)` or a newline runs arbitrary commands. In ops
    /// code the values are branch names, hostnames, bucket keys or ticket titles that often
    /// come from webhooks, CI variables or users.
    ///
    /// ## Example
    /// ```python
    /// import subprocess
    ///
    /// subprocess.run(f"git checkout {branch} && make deploy", shell=True, check=True)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import subprocess
    ///
    /// subprocess.run(["git", "checkout", branch], check=True)
    /// subprocess.run(["make", "deploy"], check=True)
    /// ```
    pub struct ShellInjection => ("INJ001", "shell-injection");
}

pub(crate) fn check_call(checker: &mut Checker, call: &ExprCall) {
    let Some(execution) = command::executed_commands(checker, call) else {
        return;
    };
    if !execution.shell {
        return;
    }
    let expr = execution.command_expr;
    let unquoted = match eval::string_value(checker, expr) {
        Some(value) => value.unquoted_unknowns > 0,
        None => match eval::list_value(checker, expr) {
            // `shell=True` with a list: the shell runs its first element.
            Some(items) => items.first().is_some_and(Option::is_none),
            None => !matches!(expr, Expr::StringLiteral(_)),
        },
    };
    if unquoted {
        let how = match expr {
            Expr::FString(_) => "an f-string",
            Expr::BinOp(_) => "string formatting or concatenation",
            Expr::Call(_) => "a computed string",
            Expr::Name(_) => "a variable",
            _ => "a non-constant value",
        };
        checker.report(Diagnostic::new(
            Rule::ShellInjection,
            format!("Shell command built from {how}; pass an argument list without a shell, or quote every value with `shlex.quote()`"),
            Checker::range_of(call),
        ));
    }
}
