use super::command::Command;
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks for code that runs the AWS CLI (`aws …`) in a subprocess: through
    /// `subprocess`, `os.system`/`os.popen`, `os.exec*`/`os.spawn*`, `asyncio` subprocesses,
    /// `sh`/`plumbum`, or invoke/fabric `c.run()`, whether the command is a list, a shell
    /// string, an f-string, an absolute path, or built in a variable first.
    ///
    /// Calls of the project's own runner helpers count too. A function whose body hands a
    /// parameter to a process sink as the program (`def execute(*args):
    /// subprocess.run(list(args))`, joined, formatted, `shlex.split`, or through another
    /// runner) is a runner whatever its name, in the same file or imported from another
    /// module of the project (`from ops.util import run_cmd`); its calls are judged by what
    /// they pass: `execute("aws", "sts", "get-caller-identity")`, `run_cmd([tool, "s3",
    /// "ls"])` with `tool = "aws"`, `self._exec(self.binary, ...)` with `binary = "aws"`.
    /// Helpers whose body is not visible count when their name says they run something
    /// (`run`, `sh`, `run_cmd`, `execute`, …), and callables passed in as parameters when
    /// the program is their own argument (`runner("aws", "s3", "ls")`). In every case the
    /// command must have the shape of a real invocation (a service and an operation, a
    /// known verb such as `kubectl get` or `helm list`, or a one-word command such as
    /// `gcloud version`), so lists of provider names, log helpers and log messages stay
    /// quiet.
    ///
    /// In Jupyter notebooks, shell escapes (`!aws s3 sync …`, `files = !aws s3 ls`,
    /// `!{cmd}` with `cmd` a known string, `%sx`) and the lines of `%%bash`, `%%sh` and
    /// `%%script bash` cells are shell commands like `subprocess.run(…, shell=True)`.
    ///
    /// ## Why is this bad?
    /// Shelling out to `aws` depends on a CLI binary and its version being installed on every
    /// machine that runs the script, hides errors in exit codes and text on stderr, parses
    /// human-oriented output, and cannot be unit-tested with `botocore.stub.Stubber` or moto.
    /// `boto3` gives typed responses, retries, pagination and proper exceptions.
    ///
    /// The message names the boto3 call that does the same job.
    ///
    /// ## Example
    /// ```python
    /// import subprocess
    ///
    /// subprocess.run(["aws", "s3", "cp", "backup.tar.gz", "s3://backups/db/"], check=True)
    /// identity = subprocess.check_output("aws sts get-caller-identity", shell=True)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// import boto3
    ///
    /// boto3.client("s3").upload_file("backup.tar.gz", "backups", "db/backup.tar.gz")
    /// identity = boto3.client("sts").get_caller_identity()
    /// ```
    ///
    /// ## Options
    /// - `cloud-clis`: the programs reported by the `CLI` rules (remove `aws` to silence this rule).
    pub struct AwsCliSubprocess => ("CLI001", "aws-cli-subprocess");
}

const GLOBAL_OPTIONS_WITH_VALUES: &[&str] = &[
    "--profile",
    "--region",
    "--output",
    "--endpoint-url",
    "--query",
    "--cli-read-timeout",
    "--cli-connect-timeout",
    "--color",
    "--ca-bundle",
    "--cli-binary-format",
];

/// Builds the message, naming the boto3 call for the subcommand.
pub(crate) fn message(command: &Command) -> String {
    let words = command.positional_words(GLOBAL_OPTIONS_WITH_VALUES);
    let shown = super::display(command, &words[..words.len().min(2)]);
    let sdk = match words.as_slice() {
        ["configure", ..] => "a `boto3.Session(profile_name=...)`".to_string(),
        ["s3", op, rest @ ..] => s3_call(op, rest),
        ["s3api", op, ..] => format!("`boto3.client(\"s3\").{}()`", snake_case(op)),
        ["eks", "update-kubeconfig", ..] => {
            "`boto3.client(\"eks\").describe_cluster()` with `kubernetes.config`".to_string()
        }
        ["ecr", "get-login-password" | "get-login", ..] => {
            "`boto3.client(\"ecr\").get_authorization_token()`".to_string()
        }
        ["logs", "tail", ..] => "`boto3.client(\"logs\").filter_log_events()`".to_string(),
        ["cloudformation", "deploy", ..] => {
            "`boto3.client(\"cloudformation\").create_change_set()` and `execute_change_set()`"
                .to_string()
        }
        [service, op, ..] => format!(
            "`boto3.client(\"{}\").{}()`",
            boto3_service(service),
            snake_case(op)
        ),
        [service] => format!("`boto3.client(\"{}\")`", boto3_service(service)),
        [] => "boto3".to_string(),
    };
    format!("`{shown}` runs the AWS CLI in a subprocess; use {sdk} instead")
}

fn s3_call(op: &str, rest: &[&str]) -> String {
    let client = "boto3.client(\"s3\")";
    let remote = |word: &&str| word.starts_with("s3://");
    match op {
        "cp" | "mv" => {
            let from_s3 = rest.first().is_some_and(remote);
            let to_s3 = rest.get(1).is_some_and(remote);
            let method = match (from_s3, to_s3) {
                (true, true) => "copy",
                (true, false) => "download_file",
                _ => "upload_file",
            };
            if op == "mv" {
                format!("`{client}.{method}()` then `delete_object()`")
            } else {
                format!("`{client}.{method}()`")
            }
        }
        "sync" => format!("`{client}.list_objects_v2()` with `upload_file()`/`download_file()`"),
        "ls" if rest.is_empty() => format!("`{client}.list_buckets()`"),
        "ls" => format!("`{client}.list_objects_v2()` (or its paginator)"),
        "rm" => format!("`{client}.delete_object()` (or `delete_objects()`)"),
        "mb" => format!("`{client}.create_bucket()`"),
        "rb" => format!("`{client}.delete_bucket()`"),
        "presign" => format!("`{client}.generate_presigned_url()`"),
        other => format!("`{client}.{}()`", snake_case(other)),
    }
}

/// CLI service names that differ from boto3's.
fn boto3_service(service: &str) -> &str {
    match service {
        "deploy" => "codedeploy",
        "configservice" => "config",
        "s3control" => "s3control",
        other => other,
    }
}

fn snake_case(operation: &str) -> String {
    operation.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cli::command::commands_in_shell;

    fn message_for(line: &str) -> String {
        message(&commands_in_shell(line).remove(0))
    }

    #[test]
    fn names_the_sdk_call() {
        assert!(
            message_for("aws s3 cp out.tgz s3://b/k")
                .contains("boto3.client(\"s3\").upload_file()")
        );
        assert!(message_for("aws s3 cp s3://b/k out.tgz").contains("download_file()"));
        assert!(message_for("aws s3 ls").contains("list_buckets()"));
        assert!(
            message_for("aws --region eu-west-1 ec2 describe-instances --filters x")
                .contains("`boto3.client(\"ec2\").describe_instances()`")
        );
        assert!(message_for("aws sts get-caller-identity").contains("get_caller_identity()"));
        assert!(
            message_for("aws ssm get-parameter --name /x")
                .contains("boto3.client(\"ssm\").get_parameter()")
        );
        assert!(
            message_for("aws secretsmanager get-secret-value --secret-id x")
                .contains("boto3.client(\"secretsmanager\").get_secret_value()")
        );
        assert!(
            message_for("aws s3 sync ./site s3://web")
                .starts_with("`aws s3 sync` runs the AWS CLI")
        );
    }
}
