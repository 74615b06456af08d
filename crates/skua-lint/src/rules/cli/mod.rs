//! Rules for code that shells out to cloud and cluster CLIs instead of using their SDKs.

pub mod aws_cli_subprocess;
pub mod cloud_cli_subprocess;
pub mod command;
pub mod kubectl_subprocess;

use ruff_python_ast::ExprCall;

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use command::Command;

/// Reports every configured cloud CLI the call runs.
pub(crate) fn check_call(checker: &mut Checker, call: &ExprCall) {
    let Some(execution) = command::executed_commands(checker, call) else {
        return;
    };
    for command in execution.commands {
        let program = command.program.as_str();
        if !checker.settings.cloud_clis.iter().any(|cli| cli == program) {
            continue;
        }
        let (rule, message) = match program {
            "aws" => (
                Rule::AwsCliSubprocess,
                aws_cli_subprocess::message(&command),
            ),
            "kubectl" => (
                Rule::KubectlSubprocess,
                kubectl_subprocess::message(&command),
            ),
            _ => (
                Rule::CloudCliSubprocess,
                cloud_cli_subprocess::message(&command),
            ),
        };
        if checker.enabled(rule) {
            checker.report(Diagnostic::new(rule, message, Checker::range_of(call)));
        }
    }
}

/// `aws s3 cp` style display of the program and its first known subcommand words.
pub(crate) fn display(command: &Command, words: &[&str]) -> String {
    std::iter::once(command.program.as_str())
        .chain(words.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}
