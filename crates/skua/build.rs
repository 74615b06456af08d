//! Puts the commit skua was built from into `skua --version` when the source is a git
//! checkout (a build from an sdist or a crate has no commit to name).

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let long = match git(&["rev-parse", "--short=9", "HEAD"]) {
        Some(commit) => {
            let date = git(&["log", "-1", "--format=%cs"]).unwrap_or_default();
            format!("{version} ({commit} {date})").replace(" )", ")")
        }
        None => version.to_string(),
    };
    println!("cargo:rustc-env=SKUA_VERSION_LONG={long}");
    // Rebuild the version string when the checked-out commit changes.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
        if let Some(common) = git(&["rev-parse", "--git-common-dir"]) {
            println!("cargo:rerun-if-changed={common}/refs/heads");
            println!("cargo:rerun-if-changed={common}/packed-refs");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
