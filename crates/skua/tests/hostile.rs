//! Hostile inputs for the lint scanners, generated at test time at sizes where the old
//! quadratic (or worse) scans took minutes to hours: each must finish and still find what
//! it should. No timings are asserted; a scan that re-scans suffixes again would run far
//! past any test timeout at these sizes, while a linear one takes well under a second.

mod common;

use std::path::Path;

use common::{Run, skua_command, write};

fn run(cwd: &Path, args: &[&str]) -> Run {
    let output = skua_command(cwd).args(args).output().expect("skua runs");
    Run::from(output)
}

/// A project directory (a `.git` marks its root).
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    dir
}

fn lint(root: &Path, args: &[&str]) -> Run {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    let out = run(root, &all);
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    out
}

/// A random-looking alphanumeric body (deterministic), so planted values pass the
/// scanners' "not a fake" checks without any real secret in the repository.
fn body(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ALPHABET[(state >> 33) as usize % ALPHABET.len()] as char
        })
        .collect()
}

#[test]
fn a_two_megabyte_string_of_urls_with_credentials_is_scanned_once() {
    let dir = project();
    let root = dir.path();
    // Placeholder passwords (`u:p`) make the scanner try every URL: each attempt measured
    // the rest of the string (75 s at 2 MB).
    let mut urls = String::new();
    let mut i = 0;
    while urls.len() < 2_000_000 {
        urls.push_str(&format!("https://u:p@h{i},"));
        i += 1;
    }
    let secret = body(1, 16);
    write(
        root,
        "urls.py",
        &format!("X = \"{urls}https://deploy:{secret}@last.example\"\n"),
    );
    write(root, ".env", &format!("URLS={urls}\n"));
    let out = lint(root, &["urls.py", ".env", "--output-format", "full"]);
    assert!(out.stdout.contains("urls.py:1:5: SEC003"), "{}", out.stdout);
    assert!(!out.stdout.contains(&secret), "secret printed");
}

#[test]
fn unterminated_pem_headers_are_scanned_once() {
    let dir = project();
    let root = dir.path();
    // 1.6 MB of headers without an end marker took more than two minutes: every header
    // searched the rest of the text for `-----END` and measured the body to its end.
    let header = "-----BEGIN RSA PRIVATE KEY-----";
    let bare = header.repeat(1_600_000 / header.len());
    // Headers followed by key material (valid unterminated keys), many on one line.
    let material: String = (0..20_000)
        .map(|i| format!("{header}\\n{}\\n", body(i, 70)))
        .collect();
    write(
        root,
        "pem.py",
        &format!("A = \"{bare}\"\nB = \"{material}\"\n"),
    );
    let out = lint(root, &["pem.py", "--output-format", "full"]);
    assert!(out.stdout.contains("pem.py:2:5: SEC001"), "{}", out.stdout);
    assert!(!out.stdout.contains(&body(7, 70)), "key material printed");
}

#[test]
fn every_token_prefix_repeated_is_scanned_once() {
    let dir = project();
    let root = dir.path();
    // Runs that match a token body contain the trigger again (`glpat-glpat-…`,
    // `aws_secretaws_secret…`): measuring each run to its end was quadratic.
    let triggers = [
        "AKIA",
        "ghp_",
        "github_pat_",
        "glpat-",
        "xoxb-",
        "sk_live_",
        "AIza",
        "AIza-",
        "-----BEGIN ",
        "eyJ",
        "eyJ.",
        "aws_secret",
        "aws_secret ",
        "service_account",
        "hooks.slack.com/services/",
        "Authorization: Bearer ",
        "password=x;",
    ];
    let mut text = String::new();
    for (i, trigger) in triggers.iter().enumerate() {
        let repeated = trigger.repeat(400_000 / trigger.len());
        text.push_str(&format!("V{i} = \"{repeated}\"\n"));
    }
    // `"type": "service_account"` many times, each once looking for a private key.
    let account = "\"type\": \"service_account\", \"private_key\": \"\", ".repeat(8_000);
    text.push_str(&format!("SA = '{{{account}}}'\n"));
    write(root, "tokens.py", &text);
    write(root, "tokens.env", &text.replace(" = ", "="));
    let out = lint(
        root,
        &["tokens.py", "tokens.env", "--output-format", "full"],
    );
    assert!(!out.stdout.contains("panicked"), "{}", out.stdout);
}

#[test]
fn many_findings_on_one_long_line_print_bounded_windows() {
    let dir = project();
    let root = dir.path();
    // 50,000 suppressions of a skua code on one line, each unused: 50,000 findings on a
    // 400 KB line. Every finding redacted the whole line again (2,000 took 3.6 s).
    let codes = vec!["SEC001"; 50_000].join(", ");
    // And 200,000 codes of other tools on another line.
    let others: Vec<String> = (0..200_000).map(|i| format!("E{i}")).collect();
    write(
        root,
        "noqa.py",
        &format!(
            "x = 1  # noqa: {codes}\ny = 2  # noqa: {}\n",
            others.join(", ")
        ),
    );
    let out = lint(
        root,
        &[
            "noqa.py",
            "--extend-select",
            "NQA001",
            "--output-format",
            "full",
        ],
    );
    let findings = out
        .stdout
        .lines()
        .filter(|line| line.starts_with("noqa.py:1:") && line.contains(" NQA001 "))
        .count();
    assert_eq!(findings, 50_000);
    // Each finding shows a window of the line, not the line.
    assert!(
        out.stdout.len() < findings * 1_000,
        "{} bytes of output",
        out.stdout.len()
    );
}

#[test]
fn requirement_and_constraint_chains_are_walked_in_linear_time() {
    let dir = project();
    let root = dir.path();
    // Every file includes the next both as requirements and as constraints: the
    // constraints applying to a file grew with its depth and each was copied again
    // (400 files: 5 s, ×8 per doubling).
    let depth = 8_000;
    for i in 0..depth {
        write(
            root,
            &format!("requirements-{i}.txt"),
            &format!(
                "-r requirements-{next}.txt\n-c requirements-{next}.txt\npkg{i}==1.0\nfree{i}\n",
                next = i + 1
            ),
        );
    }
    write(
        root,
        &format!("requirements-{depth}.txt"),
        "free0==2.0\nlast==1.0\n",
    );
    let out = lint(root, &[".", "--output-format", "concise"]);
    // `free0` is pinned by a constraints file reached from requirements-0.txt.
    assert!(
        !out.stdout.contains("requirements-0.txt:4:1: DEP001"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("files checked"), "{}", out.stdout);
}

#[test]
fn a_secret_nested_deeper_than_the_checker_goes_is_still_found() {
    let dir = project();
    let root = dir.path();
    // Built at run time: a format-valid fake GitHub token, nowhere in the repository.
    let token = format!("ghp_{}", body(42, 36));
    let nested = format!(
        "TOKENS = {}{{'deploy': \"{token}\", 'other': f\"x{{1}}{token}\"}}{}\n",
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    write(root, "nested.py", &nested);
    let out = lint(root, &["nested.py", "--output-format", "full"]);
    assert!(out.stdout.contains("E998"), "{}", out.stdout);
    let found = out
        .stdout
        .lines()
        .filter(|line| {
            line.starts_with("nested.py:1:") && line.contains(" SEC001 Hardcoded GitHub token")
        })
        .count();
    assert_eq!(found, 2, "{}", out.stdout);
    assert!(
        !out.stdout.contains(&token),
        "token printed:\n{}",
        out.stdout
    );
}
