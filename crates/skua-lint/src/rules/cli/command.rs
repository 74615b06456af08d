//! Which programs a call runs: the argument list or shell string handed to
//! `subprocess`, `os`, `asyncio`, `sh`, `plumbum` or invoke/fabric-style runners.

use ruff_python_ast::{Expr, ExprCall};

use super::runner;
use crate::checker::Checker;
use crate::checker::eval::{self, PartialString, UNKNOWN};

/// One program invocation: its basename and its arguments (`None` where unknown).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub program: String,
    pub args: Vec<Option<String>>,
}

impl Command {
    /// The known arguments that are not options, in order; stops at the first unknown one.
    pub fn positional_words(&self, options_with_values: &[&str]) -> Vec<&str> {
        let mut words = Vec::new();
        let mut skip_next = false;
        for arg in &self.args {
            if skip_next {
                skip_next = false;
                continue;
            }
            let Some(arg) = arg.as_deref() else { break };
            if arg.starts_with('-') {
                skip_next = !arg.contains('=') && options_with_values.contains(&arg);
                continue;
            }
            words.push(arg);
        }
        words
    }
}

/// What a call executes and how.
pub struct Execution<'a> {
    pub commands: Vec<Command>,
    /// The command goes through a shell.
    pub shell: bool,
    /// The expression holding the command (for injection checks).
    pub command_expr: &'a Expr,
}

const SUBPROCESS_FUNCTIONS: &[&str] = &["run", "call", "check_call", "check_output", "Popen"];

/// The commands run by `call`, if it is a process-spawning call we understand.
pub fn executed_commands<'a>(checker: &Checker, call: &'a ExprCall) -> Option<Execution<'a>> {
    let arguments = &call.arguments;
    let qualified = checker.qualified_name(&call.func);
    let qualified = qualified.as_deref().unwrap_or("");
    let (module, function) = qualified.rsplit_once('.').unwrap_or(("", qualified));

    match (module, function) {
        ("subprocess", f) if SUBPROCESS_FUNCTIONS.contains(&f) => {
            let command = arguments.find_argument_value("args", 0)?;
            let shell = arguments
                .find_keyword("shell")
                .is_some_and(|keyword| eval::is_truthy_constant(checker, &keyword.value));
            Some(from_argv_or_shell(checker, command, shell))
        }
        ("subprocess", "getoutput" | "getstatusoutput")
        | ("os", "system" | "popen")
        | ("commands", "getoutput" | "getstatusoutput")
        | ("asyncio", "create_subprocess_shell") => {
            let command = arguments
                .find_argument_value("cmd", 0)
                .or_else(|| arguments.find_positional(0))?;
            Some(shell_execution(checker, command))
        }
        ("asyncio", "create_subprocess_exec") => {
            let program = arguments.find_positional(0)?;
            let program_text = eval::string_value(checker, program)?;
            let mut items = vec![
                program_text
                    .is_fully_known()
                    .then(|| program_text.text.clone()),
            ];
            items.extend(
                arguments
                    .args
                    .iter()
                    .skip(1)
                    .map(|arg| known_string(checker, arg)),
            );
            Some(argv_execution(items, program))
        }
        ("os", f) if f.starts_with("exec") || f.starts_with("spawn") => {
            // spawn* take a mode first; exec* start with the program.
            let offset = usize::from(f.starts_with("spawn"));
            let program = arguments.find_positional(offset)?;
            let mut items = vec![known_string(checker, program)];
            if f.contains('v') {
                // execv(path, [argv0, args...]): argv0 repeats the program name.
                if let Some(argv) = arguments.find_positional(offset + 1)
                    && let Some(list) = eval::list_value(checker, argv)
                {
                    items.extend(list.into_iter().skip(1));
                }
            } else {
                items.extend(
                    arguments
                        .args
                        .iter()
                        .skip(offset + 2)
                        .map(|arg| known_string(checker, arg)),
                );
            }
            Some(argv_execution(items, program))
        }
        ("pexpect", "spawn" | "run" | "spawnu") => {
            let command = arguments.find_positional(0)?;
            Some(shell_execution(checker, command))
        }
        // `sh.kubectl("get", "pods")`, `from sh import aws`.
        ("sh", program) if !program.is_empty() && program != "Command" => {
            let mut items = vec![Some(program.replace('_', "-"))];
            items.extend(arguments.args.iter().map(|arg| known_string(checker, arg)));
            Some(argv_execution(items, &call.func))
        }
        ("sh", "Command") => {
            let program = arguments.find_positional(0)?;
            Some(argv_execution(
                vec![known_string(checker, program)],
                program,
            ))
        }
        ("plumbum.cmd", program) => {
            let mut items = vec![Some(program.to_string())];
            items.extend(arguments.args.iter().map(|arg| known_string(checker, arg)));
            Some(argv_execution(items, &call.func))
        }
        _ => runner_execution(checker, call).or_else(|| wrapper_execution(checker, call)),
    }
}

/// Calls of this file's runners (`execute('kubectl', 'get', 'pods')`, `self._exec(cmd)`)
/// and of callables handed in as parameters (`def deploy(run): run('helm', 'list')`).
/// The program is only known at the call, so it is reported there; like other wrapper
/// calls they never count as shell injection.
fn runner_execution<'a>(checker: &Checker, call: &'a ExprCall) -> Option<Execution<'a>> {
    let (name, on_self) = match &*call.func {
        Expr::Name(name) if !checker.is_imported(name.id.as_str()) => (name.id.as_str(), false),
        Expr::Attribute(attribute) if matches!(&*attribute.value, Expr::Name(owner) if matches!(owner.id.as_str(), "self" | "cls")) => {
            (attribute.attr.id.as_str(), true)
        }
        _ => return None,
    };
    if !on_self && checker.is_parameter(name) {
        return injected_execution(checker, call);
    }
    if let Some(signature) = checker.runner(name) {
        let args = runner::call_args(checker, call);
        return Some(Execution {
            commands: runner_commands(signature, &args),
            shell: false,
            command_expr: &call.func,
        });
    }
    // `self._exec = executor` in `__init__`: a callable handed in.
    if on_self
        && let Some(Expr::Name(bound)) = checker.attribute(name)
        && checker.runner(bound.id.as_str()).is_none()
    {
        return injected_execution(checker, call);
    }
    None
}

/// The commands a runner call runs that have the shape of a real invocation (a list
/// holding just `["aws"]` is data).
pub(crate) fn runner_commands(
    signature: &runner::RunnerSignature,
    args: &runner::CallArgs,
) -> Vec<Command> {
    let mut commands = runner::commands_at_call(signature, args);
    commands.retain(looks_like_invocation);
    commands
}

/// An injected callable is unknown: only a call with the unmistakable shape of a CLI
/// invocation counts, the program as its own argument (`runner('kubectl', 'get', 'pods')`);
/// a single list or line needs a name that says it runs it (see [`wrapper_execution`]).
fn injected_execution<'a>(checker: &Checker, call: &'a ExprCall) -> Option<Execution<'a>> {
    let program = call.arguments.args.first()?;
    if call.arguments.args.len() < 2
        || eval::literal_str(program).is_none_or(|word| word.contains(char::is_whitespace))
    {
        return None;
    }
    let args = runner::call_args(checker, call);
    let signature = runner::RunnerSignature {
        prefix: Vec::new(),
        index: 0,
        name: None,
        variadic: true,
    };
    let commands = runner::commands_at_call(&signature, &args);
    let first = commands.first()?;
    let is_cli =
        checker.settings.cloud_clis.contains(&first.program) && looks_like_invocation(first);
    is_cli.then_some(Execution {
        commands,
        shell: false,
        command_expr: &call.func,
    })
}

/// A call of a function imported from another module of the project, to be judged once
/// that module's runners are known.
pub fn pending_call(checker: &Checker, call: &ExprCall) -> Option<runner::PendingCall> {
    if call.arguments.args.is_empty() && call.arguments.keywords.is_empty() {
        return None;
    }
    // A helper of this file handing its arguments to a project import.
    let local = match &*call.func {
        Expr::Name(name) if !checker.is_imported(name.id.as_str()) => Some(name.id.as_str()),
        Expr::Attribute(attribute) if matches!(&*attribute.value, Expr::Name(owner) if matches!(owner.id.as_str(), "self" | "cls")) => {
            Some(attribute.attr.id.as_str())
        }
        _ => None,
    };
    let cloud_clis = &checker.settings.cloud_clis;
    let forward = local.and_then(|name| checker.forward(name));
    if let Some(forward) = forward {
        if !checker.mentions_cli() {
            return None;
        }
        let args = runner::call_args(checker, call);
        return runner::mentions_cli(&args, cloud_clis).then(|| runner::PendingCall {
            callee: forward.callee.clone(),
            args: forward.map(&args),
            range: Checker::range_of(call),
            fallback: Vec::new(),
        });
    }
    if local.is_some() {
        return None;
    }
    let qualified = checker.qualified_name(&call.func)?;
    if !checker.is_project_callee(&qualified) || !checker.mentions_cli() {
        return None;
    }
    let args = runner::call_args(checker, call);
    runner::mentions_cli(&args, cloud_clis).then(|| runner::PendingCall {
        callee: qualified,
        args,
        range: Checker::range_of(call),
        fallback: Vec::new(),
    })
}

/// Words in a function name that say it runs a command: `run`, `sh`, `run_cmd`, `_exec`,
/// `check_output`, invoke/fabric's `c.run`/`c.sudo`.
const EXEC_NAME_WORDS: &[&str] = &[
    "run",
    "exec",
    "execute",
    "sh",
    "shell",
    "cmd",
    "command",
    "call",
    "invoke",
    "output",
    "spawn",
    "popen",
    "system",
    "sudo",
    "local",
    "kubectl",
    "aws",
    "helm",
    "terraform",
];

pub(crate) fn name_says_it_runs(name: &str) -> bool {
    name.to_ascii_lowercase()
        .split('_')
        .any(|word| EXEC_NAME_WORDS.contains(&word))
}

/// Whether a call in a function body could run a process: a sink, a runner, or a callee
/// whose name says it runs something (`c.run`, `self._exec`).
pub(crate) fn may_run_something(checker: &Checker, call: &ExprCall) -> bool {
    let name = match &*call.func {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.id.as_str(),
        _ => return true,
    };
    if name_says_it_runs(name) || checker.runner(name).is_some() || checker.forward(name).is_some()
    {
        return true;
    }
    let qualified = checker.qualified_name(&call.func).unwrap_or_default();
    let module = qualified.rsplit_once('.').map_or("", |(module, _)| module);
    matches!(
        module,
        "subprocess" | "os" | "asyncio" | "pexpect" | "sh" | "plumbum" | "plumbum.cmd" | "commands"
    ) || checker.is_project_callee(&qualified)
}

/// Calls of project-local helpers (`run(["kubectl", "get", "pods"])`, `sh("aws s3 ls")`,
/// invoke's `c.run(...)`). The callee is unknown, so both its name and the command must
/// look unmistakably like running a CLI; such calls never count as shell injection.
fn wrapper_execution<'a>(checker: &Checker, call: &'a ExprCall) -> Option<Execution<'a>> {
    let name = match &*call.func {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attribute) => attribute.attr.id.as_str(),
        _ => return None,
    };
    if !name_says_it_runs(name) || is_mock_expectation(checker, call, name) {
        return None;
    }
    // A function of this file whose body runs nothing is no runner, whatever its name.
    let local = match &*call.func {
        Expr::Name(_) => !checker.is_imported(name),
        Expr::Attribute(attribute) => {
            matches!(&*attribute.value, Expr::Name(owner) if matches!(owner.id.as_str(), "self" | "cls"))
        }
        _ => false,
    };
    if local && checker.is_plain(name) {
        return None;
    }
    let command = call.arguments.find_positional(0).or_else(|| {
        ["cmd", "command", "args"]
            .iter()
            .find_map(|key| call.arguments.find_keyword(key).map(|k| &k.value))
    })?;
    // `run_cmd("kubectl", "get", "pods")`: the program as its own argument.
    let variadic = call.arguments.args.len() > 1
        && eval::literal_str(command).is_some_and(|word| !word.contains(char::is_whitespace));
    let mut execution = if variadic {
        let signature = runner::RunnerSignature {
            prefix: Vec::new(),
            index: 0,
            name: None,
            variadic: true,
        };
        Execution {
            commands: runner::commands_at_call(&signature, &runner::call_args(checker, call)),
            shell: false,
            command_expr: command,
        }
    } else {
        match eval::list_value(checker, command) {
            Some(items) => argv_execution(items, command),
            None => shell_execution(checker, command),
        }
    };
    execution.shell = false;
    let first = execution.commands.first()?;
    let is_cli =
        checker.settings.cloud_clis.contains(&first.program) && looks_like_invocation(first);
    is_cli.then_some(execution)
}

/// A test's expectation about calls, not a call that runs anything: `mock.call([...])`,
/// `call([...])` from `unittest.mock`, `mocker.call(...)`, `m.assert_any_call([...])`.
fn is_mock_expectation(checker: &Checker, call: &ExprCall, name: &str) -> bool {
    if name.starts_with("assert_") {
        return true;
    }
    if name != "call" {
        return false;
    }
    let qualified = checker.qualified_name(&call.func).unwrap_or_default();
    if qualified == "unittest.mock.call" || qualified == "mock.call" {
        return true;
    }
    matches!(&*call.func, Expr::Attribute(attribute)
        if matches!(&*attribute.value, Expr::Name(owner) if matches!(owner.id.as_str(), "mock" | "mocker")))
}

/// Does the command have the shape of a real invocation of that CLI (a known verb, or a
/// service and an operation), rather than a list that merely starts with the word?
pub(crate) fn looks_like_invocation(command: &Command) -> bool {
    let words = command.positional_words(&[
        "-n",
        "--namespace",
        "--context",
        "--profile",
        "--region",
        "--project",
        "-o",
        "--output",
    ]);
    let first = words.first().copied().unwrap_or("");
    match command.program.as_str() {
        "kubectl" => matches!(
            first,
            "get"
                | "apply"
                | "delete"
                | "logs"
                | "log"
                | "exec"
                | "rollout"
                | "scale"
                | "describe"
                | "create"
                | "patch"
                | "label"
                | "annotate"
                | "port-forward"
                | "config"
                | "wait"
                | "top"
                | "cp"
                | "drain"
                | "cordon"
                | "uncordon"
                | "set"
                | "edit"
                | "run"
                | "expose"
                | "auth"
                | "replace"
                | "autoscale"
                | "debug"
                | "diff"
                | "kustomize"
                | "taint"
                | "certificate"
                | "cluster-info"
                | "version"
                | "api-resources"
                | "explain"
                | "proxy"
                | "attach"
        ),
        "helm" => matches!(
            first,
            "install"
                | "upgrade"
                | "uninstall"
                | "delete"
                | "template"
                | "repo"
                | "list"
                | "ls"
                | "status"
                | "rollback"
                | "dependency"
                | "dep"
                | "package"
                | "push"
                | "pull"
                | "get"
                | "history"
                | "lint"
                | "search"
                | "show"
                | "test"
                | "registry"
                | "version"
                | "env"
                | "plugin"
        ),
        "terraform" => matches!(
            first,
            "init"
                | "plan"
                | "apply"
                | "destroy"
                | "output"
                | "workspace"
                | "fmt"
                | "validate"
                | "import"
                | "state"
                | "refresh"
                | "show"
                | "taint"
                | "untaint"
                | "providers"
                | "graph"
                | "force-unlock"
                | "login"
                | "get"
                | "version"
                | "console"
        ),
        "eksctl" => matches!(
            first,
            "create"
                | "delete"
                | "get"
                | "utils"
                | "upgrade"
                | "scale"
                | "drain"
                | "set"
                | "unset"
                | "enable"
        ),
        // The BigQuery CLI of the Cloud SDK.
        "bq" => matches!(
            first,
            "query"
                | "ls"
                | "mk"
                | "rm"
                | "show"
                | "load"
                | "extract"
                | "cp"
                | "head"
                | "insert"
                | "update"
                | "wait"
                | "cancel"
                | "partition"
                | "add-iam-policy-binding"
                | "get-iam-policy"
                | "set-iam-policy"
        ),
        "gsutil" => matches!(
            first,
            "cp" | "ls"
                | "rm"
                | "rsync"
                | "mb"
                | "rb"
                | "cat"
                | "mv"
                | "du"
                | "acl"
                | "iam"
                | "signurl"
                | "stat"
        ),
        // A list of provider names (`["aws", "gcp", "azure"]`) is data, not a command.
        "aws" | "gcloud" | "az" => {
            const PROVIDERS: &[&str] = &[
                "aws",
                "gcp",
                "gce",
                "azure",
                "gcloud",
                "az",
                "k8s",
                "kubernetes",
                "onprem",
                "local",
                "digitalocean",
                "openstack",
            ];
            // One-word commands: `gcloud version`, `az login`.
            let single = matches!(
                words.as_slice(),
                ["version" | "info" | "login" | "logout" | "init" | "upgrade"]
            );
            single
                || (words.len() >= 2 && !words.iter().take(2).any(|word| PROVIDERS.contains(word)))
        }
        _ => !words.is_empty(),
    }
}

fn known_string(checker: &Checker, expr: &Expr) -> Option<String> {
    eval::string_value(checker, expr)
        .filter(PartialString::is_fully_known)
        .map(|value| value.text)
}

fn argv_execution(items: Vec<Option<String>>, command_expr: &Expr) -> Execution<'_> {
    Execution {
        commands: command_from_argv(&items).into_iter().collect(),
        shell: false,
        command_expr,
    }
}

/// The elements of a list or tuple literal written at the call.
fn literal_elements(expr: &Expr) -> Option<&[Expr]> {
    match expr {
        Expr::List(list) => Some(&list.elts),
        Expr::Tuple(tuple) => Some(&tuple.elts),
        _ => None,
    }
}

/// `["/bin/sh", "-c", script]`, `("bash", "-lc", script)`: argv that hands its third
/// element to a shell, which is a shell sink exactly like `shell=True`.
fn explicit_shell_script<'a>(checker: &Checker, command: &'a Expr) -> Option<&'a Expr> {
    let elements = literal_elements(command)?;
    let [program, flag, script, ..] = elements else {
        return None;
    };
    let program = eval::string_value(checker, program)?;
    let flag = eval::string_value(checker, flag)?;
    if program.unquoted_unknowns > 0 || flag.unquoted_unknowns > 0 {
        return None;
    }
    let is_shell = matches!(
        basename(&program.text),
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash"
    );
    let is_command_flag =
        flag.text.starts_with('-') && !flag.text.starts_with("--") && flag.text.contains('c');
    (is_shell && is_command_flag).then_some(script)
}

fn shell_execution<'a>(checker: &Checker, command: &'a Expr) -> Execution<'a> {
    // `shell=True` with a list: the shell runs its first element, often a built string.
    if let Some([first, ..]) = literal_elements(command)
        && let Some(text) = eval::string_value(checker, first)
    {
        return Execution {
            commands: commands_in_shell(&text.text),
            shell: true,
            command_expr: first,
        };
    }
    let commands = match eval::string_value(checker, command) {
        Some(text) => commands_in_shell(&text.text),
        // `os.system(" ".join(cmd))` and friends evaluate to strings; a list here means
        // the shell runs its first element.
        None => eval::list_value(checker, command)
            .map(|items| {
                let words: Vec<String> = items
                    .iter()
                    .map(|item| item.clone().unwrap_or_else(|| UNKNOWN.to_string()))
                    .collect();
                commands_in_shell(&words.join(" "))
            })
            .unwrap_or_default(),
    };
    Execution {
        commands,
        shell: true,
        command_expr: command,
    }
}

fn from_argv_or_shell<'a>(checker: &Checker, command: &'a Expr, shell: bool) -> Execution<'a> {
    if shell {
        return shell_execution(checker, command);
    }
    if let Some(script) = explicit_shell_script(checker, command) {
        return shell_execution(checker, script);
    }
    if let Some(items) = eval::list_value(checker, command) {
        return argv_execution(items, command);
    }
    // A lone string without a shell is still a command line to the reader (and works
    // when it has no arguments); judge it by its words.
    let mut execution = shell_execution(checker, command);
    execution.shell = false;
    execution
}

/// Builds a command from argv items, looking through wrappers like `sudo` and `bash -c`.
pub fn command_from_argv(items: &[Option<String>]) -> Option<Command> {
    let mut index = 0;
    while let Some(Some(word)) = items.get(index) {
        let name = basename(word);
        match name {
            "sudo" | "env" | "exec" | "nohup" | "time" | "nice" | "doas" | "command" => {
                index += 1;
                // Skip wrapper options and `VAR=value` assignments.
                while let Some(Some(next)) = items.get(index) {
                    if next.starts_with('-') || is_assignment(next) {
                        index += 1;
                        if matches!(next.as_str(), "-u" | "-g" | "-n") {
                            index += 1;
                        }
                    } else {
                        break;
                    }
                }
            }
            "timeout" => index += 2,
            "bash" | "sh" | "zsh" | "dash" => {
                // `bash -c "aws s3 ls"` runs its script string.
                let script = items
                    .iter()
                    .skip(index + 1)
                    .position(|item| item.as_deref() == Some("-c"));
                let script =
                    script.and_then(|position| items.get(index + position + 2).cloned().flatten());
                return script
                    .and_then(|text| commands_in_shell(&text).into_iter().next())
                    .or_else(|| {
                        Some(Command {
                            program: name.to_string(),
                            args: items[index + 1..].to_vec(),
                        })
                    });
            }
            _ if is_assignment(word) => index += 1,
            _ => {
                return Some(Command {
                    program: name.to_string(),
                    args: items[index + 1..].to_vec(),
                });
            }
        }
    }
    None
}

/// Every simple command in a shell command line (`a && b | c; d`).
pub fn commands_in_shell(text: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    for segment in split_shell_segments(text) {
        let segment = segment.trim().trim_start_matches(['(', '{', '!']).trim();
        if segment.is_empty() {
            continue;
        }
        let words = eval::split_words(segment);
        if let Some(command) = command_from_argv(&words) {
            commands.push(command);
        }
    }
    commands
}

fn split_shell_segments(text: &str) -> Vec<&str> {
    let mut segments = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut index = 0;
    let mut quote: Option<u8> = None;
    while index < bytes.len() {
        let byte = bytes[index];
        match quote {
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None => match byte {
                b'\'' | b'"' => quote = Some(byte),
                b';' | b'|' | b'&' | b'\n' | b'`' => {
                    segments.push(&text[start..index]);
                    start = index + 1;
                }
                b'$' if bytes.get(index + 1) == Some(&b'(') => {
                    segments.push(&text[start..index]);
                    start = index + 2;
                    index += 1;
                }
                b')' => {
                    segments.push(&text[start..index]);
                    start = index + 1;
                }
                _ => {}
            },
        }
        index += 1;
    }
    segments.push(&text[start.min(text.len())..]);
    segments
}

fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !name.starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    }
}

fn basename(word: &str) -> &str {
    let name = word.rsplit(['/', '\\']).next().unwrap_or(word);
    name.strip_suffix(".exe").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(text: &str) -> Vec<String> {
        commands_in_shell(text)
            .into_iter()
            .map(|command| command.program)
            .collect()
    }

    #[test]
    fn shell_lines_yield_every_program() {
        assert_eq!(
            programs("cd /tmp && aws s3 sync . s3://b | tee log; kubectl get pods"),
            ["cd", "aws", "tee", "kubectl"]
        );
        assert_eq!(
            programs("AWS_PROFILE=prod sudo -E /usr/local/bin/aws s3 ls"),
            ["aws"]
        );
        assert_eq!(programs("echo 'aws s3 ls; kubectl'"), ["echo"]);
        assert_eq!(programs("bash -c 'kubectl apply -f x.yaml'"), ["kubectl"]);
        assert_eq!(programs("timeout 30 helm upgrade app ."), ["helm"]);
        assert_eq!(programs("x=$(kubectl get ns -o name)"), ["kubectl"]);
    }

    #[test]
    fn positional_words_skip_options() {
        let command =
            commands_in_shell("kubectl --context prod -n web rollout restart deploy/api").remove(0);
        assert_eq!(
            command.positional_words(&["--context", "-n"]),
            ["rollout", "restart", "deploy/api"]
        );
    }
}
