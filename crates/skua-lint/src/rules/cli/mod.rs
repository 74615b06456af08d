//! Rules for code that shells out to cloud and cluster CLIs instead of using their SDKs.

pub mod aws_cli_subprocess;
pub mod cloud_cli_subprocess;
pub mod command;
pub mod kubectl_subprocess;

use ruff_python_ast::{ExprCall, ExprSubscript};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use command::Command;

/// Reports every configured cloud CLI the call runs.
pub(crate) fn check_call(checker: &mut Checker, call: &ExprCall) {
    let Some(execution) = command::executed_commands(checker, call) else {
        return;
    };
    report_commands(checker, execution.commands, Checker::range_of(call));
}

/// plumbum: `local["kubectl"]["get", "pods"]` builds a command bound to that program.
pub(crate) fn check_subscript(checker: &mut Checker, subscript: &ExprSubscript) {
    if checker.qualified_name(&subscript.value).as_deref() != Some("plumbum.local") {
        return;
    }
    let Some(program) = crate::checker::eval::literal_str(&subscript.slice) else {
        return;
    };
    let Some(command) = command::command_from_argv(&[Some(program.to_string())]) else {
        return;
    };
    report_commands(checker, vec![command], Checker::range_of(subscript));
}

fn report_commands(checker: &mut Checker, commands: Vec<Command>, range: std::ops::Range<usize>) {
    for command in commands {
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
            checker.report(Diagnostic::new(rule, message, range.clone()));
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
