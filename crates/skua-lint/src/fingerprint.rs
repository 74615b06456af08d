//! Stable, content-based identities of findings, for baselines and for code-scanning
//! services (SARIF `partialFingerprints`, GitLab Code Quality `fingerprint`).
//!
//! A fingerprint hashes the rule, the file's path, the flagged source text with whitespace
//! collapsed, and which occurrence of that text in the file the finding is — not the line
//! number, so inserting or moving code elsewhere in the file keeps every fingerprint.
//! Only hashes leave skua: a secret inside a flagged construct is never written out.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::diagnostic::Message;

/// One fingerprint per message, in order: 16 lower-case hex digits.
pub fn fingerprints(messages: &[Message]) -> Vec<String> {
    let mut seen: HashMap<(String, &str, String), usize> = HashMap::new();
    messages
        .iter()
        .map(|message| {
            let path = portable_path(message);
            let source = flagged_source(message);
            let occurrence = seen
                .entry((path.clone(), message.rule.code(), source.clone()))
                .or_insert(0);
            let fingerprint =
                digest(&[message.rule.code(), &path, &source, &occurrence.to_string()]);
            *occurrence += 1;
            fingerprint
        })
        .collect()
}

/// The path as written, with `/` separators and no leading `./`, so a fingerprint made on
/// one machine matches on another.
pub fn portable_path(message: &Message) -> String {
    let path = message.file.path.to_string_lossy().replace('\\', "/");
    let mut trimmed = path.as_str();
    while let Some(rest) = trimmed.strip_prefix("./") {
        trimmed = rest;
    }
    trimmed.to_string()
}

/// The flagged text with whitespace runs collapsed; for a zero-width finding (a file-level
/// problem, a position), the line it points at.
fn flagged_source(message: &Message) -> String {
    let text = &message.file.text;
    let range = if message.range.is_empty() {
        let line = message.file.index.line_of(message.range.start);
        message.file.index.line_range(text, line)
    } else {
        message.range.clone()
    };
    let flagged = text.get(range).unwrap_or("");
    flagged.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Diagnostic, SourceFile};
    use crate::registry::Rule;

    fn message(path: &str, text: &str, needle: &str, nth: usize) -> Message {
        let file = SourceFile::new(path.into(), text.to_string());
        let start = text.match_indices(needle).nth(nth).map(|(i, _)| i).unwrap();
        Message::from_diagnostic(
            Diagnostic::new(Rule::UnsafeYamlLoad, "m", start..start + needle.len()),
            &file,
        )
    }

    #[test]
    fn moving_code_keeps_fingerprints_and_occurrences_differ() {
        let before = "import yaml\nyaml.load(a)\nyaml.load(a)\n";
        let after = format!("{}{before}", "# padding\n".repeat(20));
        let first = fingerprints(&[
            message("./x.py", before, "yaml.load(a)", 0),
            message("./x.py", before, "yaml.load(a)", 1),
        ]);
        let moved = fingerprints(&[
            message("x.py", &after, "yaml.load(a)", 0),
            message("x.py", &after, "yaml.load(a)", 1),
        ]);
        assert_eq!(first, moved);
        assert_ne!(first[0], first[1]);
        assert_eq!(first[0].len(), 16);
        let reformatted =
            fingerprints(&[message("x.py", "yaml.load(  a )\n", "yaml.load(  a )", 0)]);
        assert_ne!(
            reformatted[0], first[0],
            "different text, different finding"
        );
        let other_file = fingerprints(&[message("y.py", before, "yaml.load(a)", 0)]);
        assert_ne!(other_file[0], first[0]);
    }
}
