//! Rules for code that shells out to cloud and cluster CLIs instead of using their SDKs.

pub mod aws_cli_subprocess;
pub mod cloud_cli_subprocess;
pub mod command;
pub mod kubectl_subprocess;
pub mod runner;

use ruff_python_ast::{ExprCall, ExprSubscript};

use crate::checker::Checker;
use crate::checker::eval::{self, UNKNOWN};
use crate::diagnostic::Diagnostic;
use crate::registry::Rule;
use crate::settings::Settings;
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

/// A notebook's shell escape (`!aws s3 ls`, `files = !gsutil ls`, `%sx kubectl get pods`):
/// the same findings as `subprocess.run(command, shell=True)`. `{name}` and `$name` are
/// IPython's substitutions of Python variables.
pub(crate) fn check_shell_escape(
    checker: &mut Checker,
    value: &str,
    node: &impl ruff_text_size::Ranged,
) {
    let command = expand_escape(checker, value);
    let range = Checker::range_of(node);
    for (rule, message) in findings(
        &checker.settings.cloud_clis,
        command::commands_in_shell(&command),
    ) {
        if checker.enabled(rule) {
            checker.report(Diagnostic::new(
                rule,
                from_notebook(&message),
                range.clone(),
            ));
        }
    }
    if checker.enabled(Rule::HardcodedToken) {
        crate::rules::sec::hardcoded_token::check_text(checker, node, value);
    }
    if checker.enabled(Rule::HardcodedSecretAssignment) {
        crate::rules::sec::hardcoded_secret_assignment::check_embedded(checker, node, value);
    }
}

/// The message of a finding in a notebook's shell command.
fn from_notebook(message: &str) -> String {
    message.replacen(" in a subprocess", " from a notebook shell command", 1)
}

/// `value` with IPython's variable substitutions made where the variable is a known
/// string (unknown otherwise); `$NAME` that is no Python variable is the shell's own.
fn expand_escape(checker: &Checker, value: &str) -> String {
    let known = |name: &str| {
        checker
            .lookup(name)
            .and_then(|bound| eval::string_value(checker, bound))
            .map(|text| text.text)
    };
    let is_name = |text: &str| {
        !text.is_empty()
            && !text.starts_with(|c: char| c.is_ascii_digit())
            && text.chars().all(|c| c == '_' || c.is_alphanumeric())
    };
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find(['{', '$']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(inner) = tail.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                out.push_str(tail);
                rest = "";
                break;
            };
            let expression = inner[..close].trim();
            match known(expression).filter(|_| is_name(expression)) {
                Some(text) => out.push_str(&text),
                None => out.push(UNKNOWN),
            }
            rest = &inner[close + 1..];
        } else if let Some(after) = tail.strip_prefix("$$") {
            out.push('$');
            rest = after;
        } else {
            let after = &tail[1..];
            let end = after
                .find(|c: char| c != '_' && !c.is_alphanumeric())
                .unwrap_or(after.len());
            let name = &after[..end];
            match known(name).filter(|_| is_name(name)) {
                Some(text) => out.push_str(&text),
                None => out.push_str(&tail[..=end]),
            }
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    out
}

/// The findings of a notebook's shell cell (`%%bash`): each command line (continued by a
/// trailing `\`) judged as a shell string; `range` is the cell in `text`.
pub(crate) fn check_shell_cell(
    text: &str,
    range: std::ops::Range<usize>,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let Some(cell) = text.get(range.clone()) else {
        return diagnostics;
    };
    let mut lines = Vec::new();
    let mut offset = range.start;
    for line in cell.split_inclusive('\n') {
        lines.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    // The first line is the magic itself.
    let mut index = 1;
    while index < lines.len() {
        let (start, first) = lines[index];
        let mut command = String::from(first);
        let mut end = start + first.len();
        while command.ends_with('\\') && index + 1 < lines.len() {
            command.pop();
            index += 1;
            let (next_start, next) = lines[index];
            command.push(' ');
            command.push_str(next);
            end = next_start + next.len();
        }
        index += 1;
        let indent = first.len() - first.trim_start().len();
        let trimmed = command.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        // A trailing comment (`# noqa: CLI002`) is not part of the command.
        let trimmed = trimmed.split(" #").next().unwrap_or(trimmed);
        let span = start + indent..end;
        for (rule, message) in findings(&settings.cloud_clis, command::commands_in_shell(trimmed)) {
            if settings.rules.contains(rule) {
                diagnostics.push(Diagnostic::new(rule, from_notebook(&message), span.clone()));
            }
        }
        for &(at, line) in lines.iter().filter(|(at, _)| (start..end).contains(at)) {
            if settings.rules.contains(Rule::HardcodedToken) {
                diagnostics.extend(crate::rules::sec::hardcoded_token::tokens_in_text(line, at));
            }
            if settings.rules.contains(Rule::HardcodedSecretAssignment) {
                for found in crate::secrets::embedded_secrets(line, &settings.secret_names) {
                    let secret = line.get(found.value.clone()).unwrap_or_default();
                    let range = at + found.value.start..at + found.value.end;
                    diagnostics.push(
                        Diagnostic::new(
                            Rule::HardcodedSecretAssignment,
                            crate::rules::sec::hardcoded_secret_assignment::embedded_message(
                                &found.key, secret,
                            ),
                            span.clone(),
                        )
                        .with_secret(range),
                    );
                }
            }
        }
    }
    diagnostics
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
