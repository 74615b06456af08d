//! SARIF 2.1.0, as GitHub code scanning (`github/codeql-action/upload-sarif`) reads it.

use serde_json::{Value, json};

use crate::diagnostic::Message;
use crate::fingerprint::{fingerprints, portable_path};
use crate::registry::Rule;

pub(super) fn render(messages: &[Message]) -> String {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code(),
                "name": rule.name(),
                "shortDescription": { "text": rule.summary() },
                "fullDescription": { "text": rule.summary() },
                "help": { "text": rule.explanation(), "markdown": rule.explanation() },
                "helpUri": rule.url(),
                "defaultConfiguration": { "level": "error" },
                "properties": { "tags": [rule.family()] },
            })
        })
        .collect();
    let results: Vec<Value> = messages
        .iter()
        .zip(fingerprints(messages))
        .map(|(message, fingerprint)| {
            let rule_index = Rule::ALL
                .iter()
                .position(|rule| *rule == message.rule)
                .unwrap_or(0);
            // SARIF regions are 1-based and end columns exclusive, like skua's locations.
            let end_column = if message.end_location == message.location {
                message.location.column + 1
            } else {
                message.end_location.column
            };
            json!({
                "ruleId": message.rule.code(),
                "ruleIndex": rule_index,
                "level": "error",
                "message": { "text": match message.cell {
                    Some(cell) => format!("{} (cell {cell})", message.message),
                    None => message.message.clone(),
                } },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {
                            "uri": portable_path(message),
                            "uriBaseId": "%SRCROOT%",
                        },
                        "region": {
                            "startLine": message.location.row,
                            "startColumn": message.location.column,
                            "endLine": message.end_location.row,
                            "endColumn": end_column,
                        },
                    },
                }],
                "partialFingerprints": { "skua/v1": fingerprint },
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "skua",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/skua-dev/skua",
                    "rules": rules,
                },
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}
