//! Reports for CI: machine formats with fingerprints, output files, and baselines that
//! survive code moving around.

mod common;

use std::path::Path;

use assert_cmd::Command;

use common::{Run, skua_command, write};

fn lint(dir: &Path, args: &[&str]) -> Run {
    let output = skua_command(dir)
        .arg("lint")
        .args(args)
        .output()
        .expect("skua runs");
    Run::from(output)
}

const AWS_KEY: &str = "AKIAQ3EGTRVX5SHPNA2X";

/// A small repository: helpers in one module used from another, a requirements file.
fn repository(dir: &Path) {
    write(
        dir,
        "ops/aws.py",
        &format!(
            "import subprocess\n\nACCESS_KEY = \"{AWS_KEY}\"\n\n\ndef buckets():\n    return subprocess.run(['aws', 's3', 'ls'], capture_output=True)\n"
        ),
    );
    write(
        dir,
        "ops/deploy.py",
        "import requests\nimport yaml\n\nfrom ops.aws import buckets\n\n\nclass Deployer:\n    def __init__(self):\n        self.session = requests.Session()\n\n    def manifest(self, path):\n        with open(path) as f:\n            return yaml.load(f)\n\n    def notify(self):\n        return requests.post('https://hooks.example.com/deploy')\n",
    );
    write(dir, "requirements.txt", "requests\nPyYAML==6.0.1\n");
}

#[test]
fn machine_formats_carry_fingerprints_and_no_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    repository(dir.path());
    let mut fingerprints_by_format = Vec::new();
    for format in ["json", "json-lines", "sarif", "gitlab", "junit", "github"] {
        let run = lint(dir.path(), &[".", "--output-format", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(!run.stdout.contains(AWS_KEY), "{format} leaked the key");
        assert!(
            !run.stdout.contains("Found "),
            "{format} is for machines: no summary in it"
        );
        // The whole document, so a change to any field is a reviewed change. The tool
        // version is the only value that moves between builds.
        if matches!(format, "gitlab" | "junit" | "json-lines") {
            let stable = run.stdout.replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
            insta::assert_snapshot!(format!("report_{format}"), stable);
        }
        if format == "json" {
            let items: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
            let prints: Vec<String> = items
                .as_array()
                .expect("a list")
                .iter()
                .map(|item| {
                    item["fingerprint"]
                        .as_str()
                        .expect("fingerprint")
                        .to_string()
                })
                .collect();
            assert_eq!(prints.len(), 5, "{}", run.stdout);
            fingerprints_by_format.push(prints);
        }
        if format == "json-lines" {
            let prints: Vec<String> = run
                .stdout
                .lines()
                .map(|line| {
                    let item: serde_json::Value = serde_json::from_str(line).expect("a line");
                    item["fingerprint"]
                        .as_str()
                        .expect("fingerprint")
                        .to_string()
                })
                .collect();
            fingerprints_by_format.push(prints);
        }
        if format == "sarif" {
            let log: serde_json::Value = serde_json::from_str(&run.stdout).expect("sarif");
            assert_eq!(log["version"], "2.1.0");
            let run0 = &log["runs"][0];
            let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
            assert!(rules.iter().any(|rule| {
                rule["id"] == "SEC001"
                    && rule["shortDescription"]["text"]
                        .as_str()
                        .is_some_and(|t| !t.is_empty())
                    && rule["helpUri"]
                        .as_str()
                        .is_some_and(|u| u.ends_with("SEC001.md"))
            }));
            let results = run0["results"].as_array().expect("results");
            assert_eq!(results.len(), 5);
            for result in results {
                let index = result["ruleIndex"].as_u64().expect("index") as usize;
                assert_eq!(rules[index]["id"], result["ruleId"]);
                let region = &result["locations"][0]["physicalLocation"]["region"];
                assert!(region["startLine"].as_u64().is_some_and(|line| line >= 1));
                assert!(result["partialFingerprints"]["skua/v1"].is_string());
            }
            let prints: Vec<String> = results
                .iter()
                .map(|r| {
                    r["partialFingerprints"]["skua/v1"]
                        .as_str()
                        .unwrap_or("")
                        .to_string()
                })
                .collect();
            fingerprints_by_format.push(prints);
        }
        if format == "gitlab" {
            let issues: serde_json::Value = serde_json::from_str(&run.stdout).expect("gitlab");
            for issue in issues.as_array().expect("list") {
                assert!(issue["check_name"].is_string() && issue["fingerprint"].is_string());
                assert!(issue["location"]["lines"]["begin"].as_u64().is_some());
                assert!(
                    issue["location"]["path"]
                        .as_str()
                        .is_some_and(|path| !path.starts_with("./"))
                );
            }
        }
        if format == "junit" {
            assert!(run.stdout.starts_with("<?xml"), "{}", run.stdout);
            assert_eq!(run.stdout.matches("<failure ").count(), 5, "{}", run.stdout);
            assert!(
                run.stdout.contains("<testsuite name=\"ops/aws.py\""),
                "{}",
                run.stdout
            );
        }
    }
    // The same findings have the same fingerprints in every format.
    assert!(
        fingerprints_by_format
            .windows(2)
            .all(|pair| pair[0] == pair[1])
    );

    // --output-file writes the report there, the summary still goes to the terminal.
    let run = lint(
        dir.path(),
        &[
            ".",
            "--output-format",
            "sarif",
            "--output-file",
            "skua.sarif",
        ],
    );
    assert_eq!(run.code, 1);
    let written = std::fs::read_to_string(dir.path().join("skua.sarif")).expect("written");
    assert!(written.contains("\"2.1.0\""));
    assert!(run.stdout.contains("Found 5 problems"), "{}", run.stdout);

    // --statistics honours --output-format json.
    let run = lint(
        dir.path(),
        &[".", "--statistics", "--output-format", "json"],
    );
    let stats: serde_json::Value = serde_json::from_str(&run.stdout).expect("json statistics");
    let total: u64 = stats
        .as_array()
        .expect("list")
        .iter()
        .map(|row| row["count"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total, 5, "{}", run.stdout);
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    // The eval corpus is a realistic DevOps repository with every family of finding.
    let eval = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/eval");
    let run = lint(&eval, &[".", "--output-format", "sarif", "--exit-zero"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let log: serde_json::Value = serde_json::from_str(&run.stdout).expect("sarif is json");
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .is_some_and(|results| results.len() > 50),
        "the corpus has many findings"
    );
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).expect("schema")).expect("json");
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .take(10)
        .map(|error| format!("{} at {}", error, error.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

#[test]
fn a_baseline_survives_inserted_lines_and_reports_only_new_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    repository(root);
    let run = lint(root, &[".", "--write-baseline", ".skua-baseline.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let baseline = std::fs::read_to_string(root.join(".skua-baseline.json")).expect("baseline");
    assert!(
        !baseline.contains(AWS_KEY),
        "secrets are stored only as hashes"
    );
    assert!(!baseline.contains("AKIA"), "{baseline}");

    // Twenty lines inserted at the top of every file: nothing old comes back.
    for name in ["ops/aws.py", "ops/deploy.py", "requirements.txt"] {
        let path = root.join(name);
        let text = std::fs::read_to_string(&path).expect("read");
        let padding = "# inserted line\n".repeat(20);
        std::fs::write(&path, format!("{padding}{text}")).expect("write");
    }
    let run = lint(
        root,
        &[
            ".",
            "--baseline",
            ".skua-baseline.json",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("All checks passed") && run.stdout.contains("5 more in the baseline"),
        "{}",
        run.stdout
    );

    // A new finding is reported, and only it; the config key works like the flag.
    let path = root.join("ops/deploy.py");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        format!("{text}\n\ndef status():\n    return requests.get('https://status.example.com')\n"),
    )
    .expect("write");
    write(root, "skua.toml", "baseline = \".skua-baseline.json\"\n");
    let run = lint(root, &[".", "--output-format", "concise"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.stdout.matches("NET001").count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("Found 1 problem"), "{}", run.stdout);

    // Fixing a finding and rewriting the baseline drops it.
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("yaml.load(f)", "yaml.safe_load(f)")).expect("write");
    let run = lint(root, &[".", "--write-baseline", ".skua-baseline.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rewritten = std::fs::read_to_string(root.join(".skua-baseline.json")).expect("baseline");
    assert!(!rewritten.contains("YML001"), "{rewritten}");
    assert!(rewritten.contains("NET001"), "{rewritten}");
}

fn lint_with_stdin(dir: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
    let mut command = Command::cargo_bin("skua").expect("binary");
    command
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .arg("lint")
        .args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.write_stdin(stdin).output().expect("skua runs");
    Run::from(output)
}

#[test]
fn adoption_aids_for_editors_and_pre_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    repository(root);
    write(root, "skua.toml", "extend-exclude = [\"legacy/\"]\n");
    write(
        root,
        "legacy/old_deploy.py",
        "import subprocess\nsubprocess.run(['kubectl', 'apply', '-f', 'x.yaml'])\n",
    );

    // pre-commit passes changed files by name: --force-exclude keeps excluded ones out.
    let named = lint(
        root,
        &["legacy/old_deploy.py", "--output-format", "concise"],
    );
    assert_eq!(
        named.code, 1,
        "without --force-exclude a named file is checked"
    );
    let run = lint(
        root,
        &[
            "legacy/old_deploy.py",
            "ops/aws.py",
            "--force-exclude",
            "--output-format",
            "concise",
            "--verbose",
        ],
    );
    assert!(
        !run.stdout.contains("legacy/old_deploy.py"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("ops/aws.py"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("skua: skipped legacy/old_deploy.py: excluded (--force-exclude)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("skua: checked ops/aws.py (Python)"),
        "{}",
        run.stderr
    );

    // Named files of other kinds are not parsed as Python: skipped, and said so.
    write(root, "README.md", "Run `aws s3 ls` (not Python).\n");
    write(root, ".env.example", "API_TOKEN=changeme\n");
    let run = lint(
        root,
        &["README.md", ".env.example", "--output-format", "concise"],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(!run.stdout.contains("E999"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("warning: skipped README.md: not a kind of file skua checks"),
        "{}",
        run.stderr
    );

    // A file-level `# skua: noqa: CODE` exempts the whole file from those rules.
    let path = root.join("ops/aws.py");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("# skua: noqa: CLI001\n{text}")).expect("write");
    let run = lint(root, &["ops/aws.py", "--output-format", "concise"]);
    assert!(!run.stdout.contains("CLI001"), "{}", run.stdout);
    assert!(
        run.stdout.contains("SEC001"),
        "only the named rule: {}",
        run.stdout
    );
    std::fs::write(&path, format!("# skua: noqa\n{text}")).expect("write");
    let run = lint(root, &["ops/aws.py", "--output-format", "concise"]);
    assert_eq!(run.code, 0, "{}", run.stdout);

    // Editors pipe the buffer: `-` with --stdin-filename, which picks kind and settings.
    let run = lint_with_stdin(
        root,
        &[
            "-",
            "--stdin-filename",
            "ops/new.py",
            "--output-format",
            "concise",
        ],
        "import yaml\nyaml.load(open('x'))\n",
        &[("NO_COLOR", "1")],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("ops/new.py:2:1: YML001"),
        "{}",
        run.stdout
    );
    let run = lint_with_stdin(
        root,
        &[
            "-",
            "--stdin-filename",
            "requirements-dev.txt",
            "--output-format",
            "concise",
        ],
        "pytest\n",
        &[("NO_COLOR", "1")],
    );
    assert!(
        run.stdout.contains("requirements-dev.txt:1:1: DEP001"),
        "{}",
        run.stdout
    );

    // FORCE_COLOR colors output that is not a terminal; NO_COLOR wins over it.
    let forced = lint_with_stdin(
        root,
        &[
            "-",
            "--stdin-filename",
            "x.py",
            "--output-format",
            "concise",
        ],
        "import yaml\nyaml.load(open('x'))\n",
        &[("FORCE_COLOR", "1")],
    );
    assert!(forced.stdout.contains("\u{1b}["), "{:?}", forced.stdout);
    let plain = lint_with_stdin(
        root,
        &[
            "-",
            "--stdin-filename",
            "x.py",
            "--output-format",
            "concise",
        ],
        "import yaml\nyaml.load(open('x'))\n",
        &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")],
    );
    assert!(!plain.stdout.contains("\u{1b}["), "{:?}", plain.stdout);
}

#[test]
fn add_noqa_suppresses_every_finding_and_keeps_code_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    repository(root);
    write(
        root,
        "ops/shell.py",
        concat!(
            "import os, subprocess\n",
            "subprocess.run(['kubectl', 'get', 'pods'])  # noqa: NET001\n",
            "os.system(\n",
            "    f'''aws s3 cp {os.environ[\"SRC\"]}\n",
            "    s3://bucket/'''\n",
            ")\n",
            "x = 1 + \\\n",
            "    len(subprocess.check_output(['helm', 'list']))\n",
        ),
    );
    let before = lint(root, &[".", "--output-format", "concise"]);
    assert_eq!(before.code, 1);
    let run = lint(root, &[".", "--add-noqa"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("Added "), "{}", run.stderr);
    let after = lint(root, &[".", "--output-format", "concise"]);
    assert_eq!(after.code, 0, "left after --add-noqa:\n{}", after.stdout);
    let shell = std::fs::read_to_string(root.join("ops/shell.py")).expect("read");
    assert!(
        shell.contains("subprocess.run(['kubectl', 'get', 'pods'])  # noqa: NET001, CLI002\n"),
        "an existing directive is extended:\n{shell}"
    );
    assert!(
        shell.contains("os.system(  # noqa: CLI001, INJ001\n"),
        "the directive goes on the line the finding starts on:\n{shell}"
    );
    assert!(
        shell.contains("['helm', 'list']))  # noqa: CLI003\n"),
        "never after a backslash continuation:\n{shell}"
    );
    // Every file still parses as Python.
    for name in ["ops/shell.py", "ops/aws.py", "ops/deploy.py"] {
        let text = std::fs::read_to_string(root.join(name)).expect("read");
        let status = std::process::Command::new("python3")
            .args(["-c", "import ast, sys; ast.parse(sys.stdin.read())"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .expect("stdin")
                    .write_all(text.as_bytes())?;
                child.wait()
            })
            .expect("python3 runs");
        assert!(status.success(), "{name} no longer parses:\n{text}");
    }
    let requirements = std::fs::read_to_string(root.join("requirements.txt")).expect("read");
    assert!(
        requirements.contains("requests  # noqa: DEP001"),
        "{requirements}"
    );
    // A finding on a multi-line string gets its directive where the string ends.
    write(
        root,
        "ops/docs.py",
        &format!("HELP = '''\nkey: {AWS_KEY}\n'''\n"),
    );
    let run = lint(root, &[".", "--add-noqa"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs = std::fs::read_to_string(root.join("ops/docs.py")).expect("read");
    assert!(docs.ends_with("\n'''  # noqa: SEC001\n"), "{docs}");
    assert_eq!(lint(root, &[".", "--output-format", "concise"]).code, 0);
}

#[test]
fn no_format_prints_a_secret_skua_recognises() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    // Fake, format-valid values.
    let github = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
    let slack = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";
    let aws_secret = "q8Jz2Lr5Tn0Vx7Wb3Yc9Md1Pf4Hk6Sg2Ae8Ru5Qh";
    let pem_body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0";
    let url_password = "Zq8vR2pLx7Nw";
    let conn_password = "Tq3mV9sLk2Px";
    let bearer = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHMtYm90In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
    write(
        root,
        "ops/secrets_everywhere.py",
        &format!(
            concat!(
                "import os, subprocess, requests, boto3\n",
                // Two secrets in one dict on one line: only one is the finding's own.
                "TOKENS = {{'github': '{github}', 'slack': '{slack}'}}\n",
                // A CLI finding on a line that also holds a credential.
                "subprocess.run(['aws', 's3', 'ls', '--profile', 'x']); key = boto3.client('s3', aws_access_key_id='AKIAQ3EGTRVX5SHPNA2X', aws_secret_access_key='{aws_secret}')\n",
                // A NET finding on a line with a URL password.
                "requests.get('https://deploy:{url_password}@artifacts.example.com/v1/release')\n",
                "DSN = 'host=db user=etl password={conn_password} dbname=prod'\n",
                "HEADERS = {{'Authorization': 'Bearer {bearer}'}}\n",
                "KEY = '-----BEGIN RSA PRIVATE KEY-----\\\\n{pem_body}\\\\n-----END RSA PRIVATE KEY-----'\n",
            ),
            github = github,
            slack = slack,
            aws_secret = aws_secret,
            url_password = url_password,
            conn_password = conn_password,
            bearer = bearer,
            pem_body = pem_body,
        ),
    );
    // A syntax error on a line holding a token: E999 shows that line.
    write(
        root,
        "ops/broken.py",
        &format!("def deploy(:\n    token = '{github}' ; x = (\n"),
    );
    write(
        root,
        "requirements.txt",
        &format!(
            "--extra-index-url https://ci:{url_password}@pypi.internal.example/simple\nrequests\n"
        ),
    );
    write(
        root,
        ".env",
        &format!("GITHUB_TOKEN={github}\nDB_URL=postgresql://app:{url_password}@db/app\n"),
    );
    let planted = [
        github,
        slack,
        aws_secret,
        pem_body,
        url_password,
        conn_password,
        bearer,
    ];
    for format in [
        "full",
        "concise",
        "json",
        "json-lines",
        "github",
        "gitlab",
        "junit",
        "sarif",
    ] {
        // The default rules, and every rule (opt-in ones such as NQA001 included).
        for (verbose, every_rule) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut args = vec![".", "--output-format", format];
            if verbose {
                args.push("-v");
            }
            if every_rule {
                args.extend(["--select", "ALL"]);
            }
            let run = lint(root, &args);
            assert_eq!(run.code, 1, "{format}: {}", run.stderr);
            for secret in planted {
                for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                    assert!(
                        !text.contains(secret),
                        "{format} (verbose {verbose}, every rule {every_rule}) printed `{secret}` on {stream}:\n{text}"
                    );
                }
            }
        }
    }
    let full = lint(root, &[".", "--output-format", "full"]);
    assert!(full.stdout.contains("E999"), "{}", full.stdout);
    assert!(full.stdout.contains("CLI001"), "{}", full.stdout);
}

#[test]
fn findings_on_one_huge_line_do_not_multiply_the_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 300 calls on one 60 KB line (minified or generated code).
    let call = "requests.get('https://example.com/health');";
    let line = format!(
        "import requests; {}",
        call.repeat(300) + &"x".repeat(45_000)
    );
    write(dir.path(), "gen.py", &format!("{line}\n"));
    let run = lint(dir.path(), &["gen.py", "--output-format", "full"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout.matches("NET001").count(),
        600,
        "message + caret per finding"
    );
    // Each snippet shows a window of the line, not the whole 60 KB of it.
    assert!(
        run.stdout.len() < 300 * 1_000,
        "{} bytes of output for a {} byte file",
        run.stdout.len(),
        line.len()
    );
    assert!(run.stdout.contains('…'));
}

/// A notebook with an escape that runs aws, a fixable finding and a printed secret.
const NOTEBOOK: &str = r#"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["Sync with `aws s3 sync`.\n"]},
  {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
   "source": ["import requests\n", "requests.get(\"https://status.internal\", verify=False)\n", "!aws s3 sync ./out s3://ops-reports/"]}
 ],
 "metadata": {"language_info": {"name": "python"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"#;

#[test]
fn notebooks_are_reported_per_cell_and_never_edited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(root, "reports.ipynb", NOTEBOOK);
    let run = lint(root, &["reports.ipynb", "--output-format", "concise"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("reports.ipynb:cell 2:2:41: TLS001"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("reports.ipynb:cell 2:3:1: CLI001"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("fixable"), "{}", run.stdout);
    let fixed = lint(root, &["reports.ipynb", "--fix", "--unsafe-fixes"]);
    assert!(
        fixed
            .stderr
            .contains("warning: fixes are not applied to notebooks: reports.ipynb"),
        "{}",
        fixed.stderr
    );
    let noqa = lint(root, &["reports.ipynb", "--add-noqa"]);
    assert!(
        noqa.stderr
            .contains("noqa directives are not added to notebooks: reports.ipynb"),
        "{}",
        noqa.stderr
    );
    let text = std::fs::read_to_string(root.join("reports.ipynb")).expect("read");
    assert_eq!(text, NOTEBOOK, "the notebook is byte for byte unchanged");
    write(root, "broken.ipynb", "{\"cells\": [");
    let broken = lint(root, &["broken.ipynb"]);
    assert_eq!(broken.code, 1, "{}", broken.stdout);
    assert!(
        broken
            .stdout
            .contains("E999 SyntaxError: invalid notebook JSON"),
        "{}",
        broken.stdout
    );
}
