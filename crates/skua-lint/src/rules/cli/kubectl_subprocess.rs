use super::command::Command;
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks for code that runs `kubectl` in a subprocess (any of the ways `CLI001` knows,
    /// notebook shell escapes and `%%bash` cells included), and names the Kubernetes Python
    /// client call that does the same job.
    ///
    /// ## Why is this bad?
    /// `kubectl` output is meant for people: scripts that parse it break between versions,
    /// lose error details in exit codes, need the binary and a matching kubeconfig on every
    /// runner, and cannot be tested without a cluster. The `kubernetes` client returns typed
    /// objects, raises `ApiException` with the status, supports watches and retries, and can be
    /// mocked.
    ///
    /// ## Example
    /// ```python
    /// import subprocess
    ///
    /// pods = subprocess.check_output(["kubectl", "-n", "web", "get", "pods", "-o", "json"])
    /// subprocess.run(f"kubectl rollout restart deployment/{name}", shell=True, check=True)
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// from kubernetes import client, config
    ///
    /// config.load_kube_config()
    /// pods = client.CoreV1Api().list_namespaced_pod("web")
    /// client.AppsV1Api().patch_namespaced_deployment(name, "web", restart_patch)
    /// ```
    ///
    /// ## Options
    /// - `cloud-clis`: the programs reported by the `CLI` rules (remove `kubectl` to silence this rule).
    pub struct KubectlSubprocess => ("CLI002", "kubectl-subprocess");
}

const GLOBAL_OPTIONS_WITH_VALUES: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-o",
    "--output",
    "-l",
    "--selector",
    "-f",
    "--filename",
    "-c",
    "--container",
    "--field-selector",
    "-s",
    "--server",
    "--token",
    "--as",
    "--request-timeout",
    "--replicas",
    "--timeout",
    "--for",
    "--since",
    "--tail",
    "-p",
];

/// (API class, snake_case kind, namespaced) for common resource names and short names.
fn resource(word: &str) -> Option<(&'static str, &'static str, bool)> {
    let kind = word
        .split('/')
        .next()
        .unwrap_or(word)
        .split('.')
        .next()
        .unwrap_or(word);
    Some(match kind {
        "pod" | "pods" | "po" => ("CoreV1Api", "pod", true),
        "service" | "services" | "svc" => ("CoreV1Api", "service", true),
        "configmap" | "configmaps" | "cm" => ("CoreV1Api", "config_map", true),
        "secret" | "secrets" => ("CoreV1Api", "secret", true),
        "namespace" | "namespaces" | "ns" => ("CoreV1Api", "namespace", false),
        "node" | "nodes" | "no" => ("CoreV1Api", "node", false),
        "pvc" | "persistentvolumeclaim" | "persistentvolumeclaims" => {
            ("CoreV1Api", "persistent_volume_claim", true)
        }
        "event" | "events" | "ev" => ("CoreV1Api", "event", true),
        "serviceaccount" | "serviceaccounts" | "sa" => ("CoreV1Api", "service_account", true),
        "deployment" | "deployments" | "deploy" => ("AppsV1Api", "deployment", true),
        "statefulset" | "statefulsets" | "sts" => ("AppsV1Api", "stateful_set", true),
        "daemonset" | "daemonsets" | "ds" => ("AppsV1Api", "daemon_set", true),
        "replicaset" | "replicasets" | "rs" => ("AppsV1Api", "replica_set", true),
        "job" | "jobs" => ("BatchV1Api", "job", true),
        "cronjob" | "cronjobs" | "cj" => ("BatchV1Api", "cron_job", true),
        "ingress" | "ingresses" | "ing" => ("NetworkingV1Api", "ingress", true),
        _ => return None,
    })
}

fn api_call(verb: &str, words: &[&str]) -> Option<String> {
    let target = words.first()?;
    let (api, kind, namespaced) = resource(target)?;
    // `get pods` lists; `get pod web-1` or `get pod/web-1` reads one.
    let named = target.contains('/') || words.len() > 1;
    let action = match verb {
        "get" if named => "read",
        "get" => "list",
        "describe" => "read",
        "delete" => "delete",
        "create" => "create",
        "patch" | "label" | "annotate" | "edit" | "set" => "patch",
        _ => return None,
    };
    let scope = if namespaced { "namespaced_" } else { "" };
    Some(format!(
        "`kubernetes.client.{api}().{action}_{scope}{kind}()`"
    ))
}

pub(crate) fn message(command: &Command) -> String {
    let words = command.positional_words(GLOBAL_OPTIONS_WITH_VALUES);
    let shown_words = match words.first() {
        Some(&"rollout") | Some(&"config") => &words[..words.len().min(2)],
        _ => &words[..words.len().min(1)],
    };
    let shown = super::display(command, shown_words);
    let sdk = match words.as_slice() {
        [verb @ ("get" | "describe" | "delete" | "create" | "patch" | "label" | "annotate" | "edit"), rest @ ..] => {
            api_call(verb, rest).unwrap_or_else(|| {
                "the matching `kubernetes.client` API (or `kubernetes.dynamic.DynamicClient` for custom resources)".to_string()
            })
        }
        ["apply", ..] => {
            "`kubernetes.utils.create_from_yaml()` or `DynamicClient(...).resources.get(...).server_side_apply()`".to_string()
        }
        ["logs" | "log", ..] => "`kubernetes.client.CoreV1Api().read_namespaced_pod_log()`".to_string(),
        ["exec", ..] => {
            "`kubernetes.stream.stream(CoreV1Api().connect_get_namespaced_pod_exec, ...)`".to_string()
        }
        ["rollout", "restart", ..] => {
            "`kubernetes.client.AppsV1Api().patch_namespaced_deployment()` (set the `kubectl.kubernetes.io/restartedAt` annotation)".to_string()
        }
        ["rollout", "status", ..] => {
            "`kubernetes.client.AppsV1Api().read_namespaced_deployment_status()` (or a `kubernetes.watch.Watch`)".to_string()
        }
        ["rollout", "undo", ..] => {
            "`kubernetes.client.AppsV1Api().patch_namespaced_deployment()` with the previous ReplicaSet's template".to_string()
        }
        ["scale", ..] => "`kubernetes.client.AppsV1Api().patch_namespaced_deployment_scale()`".to_string(),
        ["port-forward", ..] => "`kubernetes.stream.portforward()`".to_string(),
        ["config", ..] => "`kubernetes.config.load_kube_config(context=...)`".to_string(),
        ["wait", ..] => "a `kubernetes.watch.Watch()` on the resource".to_string(),
        ["top", ..] => "`kubernetes.client.CustomObjectsApi()` on `metrics.k8s.io`".to_string(),
        ["cp", ..] => "`kubernetes.stream.stream()` with a tar exec".to_string(),
        _ => "the Kubernetes Python client (`kubernetes.client`)".to_string(),
    };
    format!("`{shown}` runs kubectl in a subprocess; use {sdk} instead")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cli::command::commands_in_shell;

    fn message_for(line: &str) -> String {
        message(&commands_in_shell(line).remove(0))
    }

    #[test]
    fn names_the_client_call() {
        assert!(
            message_for("kubectl -n web get pods -o json")
                .contains("CoreV1Api().list_namespaced_pod()")
        );
        assert!(message_for("kubectl get pod/web-1").contains("read_namespaced_pod()"));
        assert!(message_for("kubectl get nodes").contains("CoreV1Api().list_node()"));
        assert!(message_for("kubectl --context prod apply -f x.yaml").contains("create_from_yaml"));
        assert!(
            message_for("kubectl delete deploy api")
                .contains("AppsV1Api().delete_namespaced_deployment()")
        );
        assert!(message_for("kubectl logs -f web-1").contains("read_namespaced_pod_log"));
        assert!(
            message_for("kubectl exec -it web-1 -- sh").contains("connect_get_namespaced_pod_exec")
        );
        assert!(
            message_for("kubectl rollout restart deployment/api")
                .starts_with("`kubectl rollout restart`")
        );
        assert!(
            message_for("kubectl scale deploy/api --replicas 3")
                .contains("patch_namespaced_deployment_scale")
        );
    }
}
