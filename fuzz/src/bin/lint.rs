//! The lint engine on arbitrary bytes: the first byte picks the kind of file (Python,
//! dotenv, pyproject TOML, requirements), every rule is on, and every output format is
//! rendered (the redaction layer included).
use std::path::Path;
use std::sync::{Arc, OnceLock};

use skua_lint::report::{OutputFormat, render};
use skua_lint::settings::{Options, SettingsResolver};

fn resolver() -> &'static (Arc<SettingsResolver>, std::path::PathBuf) {
    static RESOLVER: OnceLock<(Arc<SettingsResolver>, std::path::PathBuf)> = OnceLock::new();
    RESOLVER.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("skua-fuzz-lint-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let options = Options {
            select: Some(vec!["ALL".to_string()]),
            ..Options::default()
        };
        (Arc::new(SettingsResolver::isolated(options, &dir)), dir)
    })
}

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Some((&kind, rest)) = data.split_first() else {
            return;
        };
        let name = match kind % 5 {
            0 => "fuzzed.py",
            1 => ".env",
            2 => "pyproject.toml",
            3 => "fuzzed.ipynb",
            _ => "requirements.txt",
        };
        // The high bit also runs the fix engine (unsafe fixes included) on the input.
        let fix = if kind & 0x80 != 0 {
            skua_lint::fix::FixMode::Apply { unsafe_fixes: true }
        } else {
            skua_lint::fix::FixMode::Off
        };
        let (resolver, cwd) = resolver();
        let Ok(result) = skua_lint::lint_stdin(rest.to_vec(), Path::new(name), resolver, cwd, fix)
        else {
            return;
        };
        for format in [
            OutputFormat::Full,
            OutputFormat::Concise,
            OutputFormat::Json,
            OutputFormat::JsonLines,
            OutputFormat::Github,
            OutputFormat::Gitlab,
            OutputFormat::Junit,
            OutputFormat::Sarif,
        ] {
            let _ = render(&result.messages, format);
        }
    });
}
