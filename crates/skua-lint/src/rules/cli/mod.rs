//! Rules for code that shells out to cloud and cluster CLIs instead of using their SDKs.

pub mod aws_cli_subprocess;
pub mod cloud_cli_subprocess;
pub mod command;
pub mod kubectl_subprocess;
pub mod runner;

use ruff_python_ast::{ExprCall, ExprSubscript};

use crate::checker::Checker;
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use command::Command;

/// Reports every configured cloud CLI the call runs.
pub(crate) fn check_call(checker: &mut Checker, call: &ExprCall) {
    let execution = command::executed_commands(checker, call);
    // A project import is judged by its body once every module is checked; what its name
    // suggests is only the fallback.
    if let Some(mut pending) = command::pending_call(checker, call) {
        pending.fallback = execution
            .map(|execution| findings(&checker.settings.cloud_clis, execution.commands))
            .unwrap_or_default();
        checker.pending.push(pending);
        return;
    }
    let Some(execution) = execution else {
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
    for (rule, message) in findings(&checker.settings.cloud_clis, commands) {
        if checker.enabled(rule) {
            checker.report(Diagnostic::new(rule, message, range.clone()));
        }
    }
}

/// The CLI finding (rule and message) for each configured cloud CLI among `commands`.
pub(crate) fn findings(cloud_clis: &[String], commands: Vec<Command>) -> Vec<(Rule, String)> {
    let mut found = Vec::new();
    for command in commands {
        let program = command.program.as_str();
        if !cloud_clis.iter().any(|cli| cli == program) {
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
        found.push((rule, message));
    }
    found
}

/// `aws s3 cp` style display of the program and its first known subcommand words.
pub(crate) fn display(command: &Command, words: &[&str]) -> String {
    std::iter::once(command.program.as_str())
        .chain(words.iter().copied())
        .collect::<Vec<_>>()
        .join(" ")
}
