use super::command::Command;
use crate::registry::declare_rule;

declare_rule! {
    /// ## What it does
    /// Checks for code that runs other cloud and infrastructure CLIs in a subprocess:
    /// `gcloud`, `gsutil`, `bq`, `az`, `helm`, `terraform`, `eksctl` by default, plus any program
    /// added to `cloud-clis`, in any of the ways `CLI001` knows (notebook shell escapes and
    /// `%%bash` cells included).
    ///
    /// ## Why is this bad?
    /// Like `aws` and `kubectl`, these CLIs print for humans, need the binary (in a compatible
    /// version) and its login state on every machine, and turn API errors into exit codes.
    /// Their SDKs (google-cloud-*, azure-mgmt-*, boto3 for EKS) are testable and typed.
    ///
    /// ## Example
    /// ```python
    /// import os
    ///
    /// os.system(f"gsutil cp {report} gs://reports/")
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// from google.cloud import storage
    ///
    /// storage.Client().bucket("reports").blob(name).upload_from_filename(report)
    /// ```
    ///
    /// ## Options
    /// - `cloud-clis` / `extend-cloud-clis`: the programs reported by the `CLI` rules.
    pub struct CloudCliSubprocess => ("CLI003", "cloud-cli-subprocess");
}

pub(crate) fn message(command: &Command) -> String {
    let words = command.positional_words(&[
        "--project",
        "--format",
        "--subscription",
        "-n",
        "--namespace",
        "--region",
        "-o",
        "--output",
        "--kube-context",
    ]);
    let shown = super::display(command, &words[..words.len().min(2)]);
    let sdk = match (command.program.as_str(), words.first().copied()) {
        ("gsutil", _) | ("gcloud", Some("storage")) => "`google.cloud.storage.Client()`".to_string(),
        ("gcloud", Some("compute")) => "`google.cloud.compute_v1`".to_string(),
        ("gcloud", Some("secrets")) => "`google.cloud.secretmanager.SecretManagerServiceClient()`".to_string(),
        ("gcloud", Some("container")) => "`google.cloud.container_v1.ClusterManagerClient()`".to_string(),
        ("bq", _) => "`google.cloud.bigquery.Client()`".to_string(),
        ("gcloud", _) => "the Google Cloud client libraries (`google-cloud-*`)".to_string(),
        ("az", Some("storage")) => "`azure.storage.blob.BlobServiceClient`".to_string(),
        ("az", Some("keyvault")) => "`azure.keyvault.secrets.SecretClient`".to_string(),
        ("az", _) => "the Azure SDK (`azure-identity` with `azure-mgmt-*`)".to_string(),
        ("eksctl", _) => "`boto3.client(\"eks\")`".to_string(),
        ("helm", _) => "the Kubernetes Python client or a Helm library (e.g. `pyhelm3`), or a declarative deploy".to_string(),
        ("terraform", _) => "a declarative pipeline step (or the CDK for Terraform)".to_string(),
        (program, _) => format!("the SDK behind `{program}`"),
    };
    format!(
        "`{shown}` runs the {} CLI in a subprocess; use {sdk} instead",
        command.program
    )
}
