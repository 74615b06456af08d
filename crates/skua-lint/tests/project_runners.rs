//! Runner helpers defined in one module and called from another: the cross-module step
//! after the parallel pass, with suppressions and settings of the calling file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skua_lint::settings::{Options, SettingsResolver};

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

const SHELL_PY: &str = "\
import shlex
import subprocess


def do_cmd(cmd):
    if isinstance(cmd, str):
        cmd = shlex.split(cmd)
    return subprocess.check_output(cmd, text=True)


def log_cmd(cmd):
    print(cmd)
";

fn findings(root: &Path) -> Vec<(String, usize, String)> {
    let resolver =
        Arc::new(SettingsResolver::new(Options::default(), None, root).expect("settings"));
    let result = skua_lint::lint(&[PathBuf::from("pkg")], &resolver, root).expect("lint runs");
    let mut found: Vec<_> = result
        .messages
        .iter()
        .map(|message| {
            (
                message.file.path.display().to_string(),
                message.location.row,
                message.rule.code().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn calls_of_imported_runners_are_judged_by_the_runner_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "pkg/__init__.py", "");
    write(root, "pkg/util/__init__.py", "");
    write(root, "pkg/util/shell.py", SHELL_PY);
    write(
        root,
        "pkg/jobs/pods.py",
        "\
from pkg.util.shell import do_cmd, log_cmd
from ..util import shell


def main():
    do_cmd('kubectl get pods -n web')
    shell.do_cmd(['helm', 'list'])
    do_cmd('kubectl delete pod web-0')  # noqa: CLI002
    log_cmd('kubectl get pods')
    do_cmd('git status')
",
    );
    let found = findings(root);
    let pods = Path::new("pkg/jobs/pods.py").display().to_string();
    assert_eq!(
        found,
        [
            (pods.clone(), 6, "CLI002".to_string()),
            (pods, 7, "CLI003".to_string()),
        ],
        "the suppressed call counts as a use of its noqa, the logging helper is no runner"
    );
}

#[test]
fn unknown_project_callees_fall_back_to_their_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "pkg/__init__.py", "");
    // `run_cmd` is not defined by the module (a re-export the step cannot see).
    write(root, "pkg/helpers.py", "from external_lib import run_cmd\n");
    write(
        root,
        "pkg/deploy.py",
        "from pkg.helpers import run_cmd\n\nrun_cmd(['kubectl', 'apply', '-f', 'k8s/'])\n",
    );
    let found = findings(root);
    assert_eq!(
        found,
        [(
            Path::new("pkg/deploy.py").display().to_string(),
            3,
            "CLI002".to_string()
        )]
    );
}
