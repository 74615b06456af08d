//! GitLab Code Quality reports (`artifacts:reports:codequality`).

use serde_json::{Value, json};

use crate::diagnostic::Message;
use crate::fingerprint::{fingerprints, portable_path};

pub(super) fn render(messages: &[Message]) -> String {
    let issues: Vec<Value> = messages
        .iter()
        .zip(fingerprints(messages))
        .map(|(message, fingerprint)| {
            json!({
                // Code Quality has no notion of notebook cells: the rows are the cell's.
                "description": match message.cell {
                    Some(cell) => format!("{} {} (cell {cell})", message.rule.code(), message.message),
                    None => format!("{} {}", message.rule.code(), message.message),
                },
                "check_name": message.rule.code(),
                "fingerprint": fingerprint,
                // Every skua finding fails the gate; GitLab ranks `major` above `minor`.
                "severity": "major",
                "location": {
                    "path": portable_path(message),
                    "lines": {
                        "begin": message.location.row,
                        "end": message.end_location.row,
                    },
                },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_default();
    out.push('\n');
    out
}
