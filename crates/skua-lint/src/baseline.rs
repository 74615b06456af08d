//! Baselines: record the findings a repository has today, then report only new ones, so a
//! lint gate can be switched on without fixing everything first.
//!
//! The file is JSON holding each finding's rule, path and content-based fingerprint
//! (see [`crate::fingerprint`]); no source text, so no secret, is ever written to it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diagnostic::Message;
use crate::fingerprint::{fingerprints, portable_path};

const FORMAT_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read the baseline {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a skua baseline: {message}")]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Entry {
    code: String,
    path: String,
    fingerprint: String,
}

/// The fingerprints of the findings a repository accepted.
#[derive(Debug, Default)]
pub struct Baseline {
    fingerprints: HashSet<String>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let file: BaselineFile =
            serde_json::from_str(&text).map_err(|error| BaselineError::Invalid {
                path: path.to_path_buf(),
                message: error.to_string(),
            })?;
        if file.version != FORMAT_VERSION {
            return Err(BaselineError::Invalid {
                path: path.to_path_buf(),
                message: format!(
                    "format version {} (this skua reads version {FORMAT_VERSION})",
                    file.version
                ),
            });
        }
        Ok(Baseline {
            fingerprints: file
                .findings
                .into_iter()
                .map(|entry| entry.fingerprint)
                .collect(),
        })
    }

    /// The baseline file for `messages`, as pretty JSON sorted by path and rule.
    pub fn render(messages: &[Message]) -> String {
        let mut findings: Vec<Entry> = messages
            .iter()
            .zip(fingerprints(messages))
            .map(|(message, fingerprint)| Entry {
                code: message.rule.code().to_string(),
                path: portable_path(message),
                fingerprint,
            })
            .collect();
        findings.sort_by(|a, b| {
            (&a.path, &a.code, &a.fingerprint).cmp(&(&b.path, &b.code, &b.fingerprint))
        });
        let file = BaselineFile {
            version: FORMAT_VERSION,
            findings,
        };
        // Only strings and numbers: serializing cannot fail, and an empty baseline written
        // on a failure would silently accept every finding, so it is not papered over.
        let mut text = serde_json::to_string_pretty(&file)
            .unwrap_or_else(|error| unreachable!("a baseline serializes: {error}"));
        text.push('\n');
        text
    }

    /// `messages` without the ones the baseline holds, and how many were left out.
    pub fn filter(&self, messages: Vec<Message>) -> (Vec<Message>, usize) {
        let prints = fingerprints(&messages);
        let before = messages.len();
        let kept: Vec<Message> = messages
            .into_iter()
            .zip(prints)
            .filter(|(_, fingerprint)| !self.fingerprints.contains(fingerprint))
            .map(|(message, _)| message)
            .collect();
        let suppressed = before - kept.len();
        (kept, suppressed)
    }
}
