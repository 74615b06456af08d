//! String-level judgement for the SEC rules.
//!
//! The AST checker decides *where* a string matters (an assignment to a
//! secret-named target, a header dict, a `.env` line); this module decides
//! *whether* the string is a secret. It is deliberately self-contained so it
//! can be tested on plain strings and shared by the Python and dotenv rules.
//!
//! `find_tokens` runs on every string literal of every file, so it starts with
//! a single Aho-Corasick pass over fixed token prefixes and allocates nothing
//! unless a prefix is present. Everything else runs only on strings the checker
//! has already singled out.

use std::ops::Range;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use memchr::memmem;

/// A secret recognised by its format alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenMatch {
    pub kind: TokenKind,
    /// Byte range of the secret inside the input string.
    pub range: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    AwsAccessKeyId,
    AwsSecretAccessKey,
    GitHubToken,
    GitLabToken,
    SlackToken,
    SlackWebhook,
    StripeLiveKey,
    GoogleApiKey,
    GcpServiceAccountKey,
    PrivateKey,
    Jwt,
    NpmToken,
    PyPiToken,
}

impl TokenKind {
    pub fn description(self) -> &'static str {
        match self {
            TokenKind::AwsAccessKeyId => "AWS access key ID",
            TokenKind::AwsSecretAccessKey => "AWS secret access key",
            TokenKind::GitHubToken => "GitHub token",
            TokenKind::GitLabToken => "GitLab personal access token",
            TokenKind::SlackToken => "Slack token",
            TokenKind::SlackWebhook => "Slack webhook URL",
            TokenKind::StripeLiveKey => "Stripe live secret key",
            TokenKind::GoogleApiKey => "Google API key",
            TokenKind::GcpServiceAccountKey => "GCP service account key",
            TokenKind::PrivateKey => "private key",
            TokenKind::Jwt => "JSON Web Token",
            TokenKind::NpmToken => "npm access token",
            TokenKind::PyPiToken => "PyPI API token",
        }
    }

    /// When two matches overlap the more specific one wins: a service-account
    /// JSON is reported once, not once more for the PEM block inside it.
    fn priority(self) -> u8 {
        match self {
            TokenKind::GcpServiceAccountKey => 0,
            _ => 1,
        }
    }
}

mod bytes;
mod credentials;
mod embedded;
mod names;
mod placeholders;
mod tokens;
mod values;

#[cfg(test)]
mod tests;

#[allow(unused_imports)]
use self::{
    bytes::*, credentials::*, embedded::*, names::*, placeholders::*, tokens::*, values::*,
};

pub use self::credentials::{
    auth_header_credential, connection_string_password, url_password, url_passwords,
};
pub use self::embedded::{EmbeddedSecret, embedded_secrets};
pub use self::names::{is_password_name, is_secret_name};
pub use self::placeholders::is_placeholder;
pub use self::tokens::find_tokens;
pub use self::values::{looks_like_password_value, looks_like_secret_value};

/// Every secret skua recognises in a piece of shown text (a snippet line), as sorted,
/// non-overlapping byte ranges: known token formats (a PEM block to its end marker or the
/// end of the text, so a one-line `\n`-escaped key is hidden whole), passwords in URLs
/// (every URL, not just the first), connection-string passwords, Authorization
/// credentials and secret-named keys with secret values (`password=…`, `"token": "…"`). The output layer masks them all, whichever finding the text belongs to.
pub fn secrets_in_text(text: &str) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for token in find_tokens(text) {
        let mut range = token.range;
        if token.kind == TokenKind::PrivateKey {
            // To its end marker, else to the next header or the end of the text; never
            // past the next header, so many keys on one line are each scanned once.
            let bytes = text.as_bytes();
            let block_end = memmem::find(&bytes[range.start + 1..], b"-----BEGIN ")
                .map_or(text.len(), |at| range.start + 1 + at);
            let block = &bytes[..block_end];
            let end_marker =
                memmem::find(&block[range.start..], b"-----END").map(|at| range.start + at);
            range.end = match end_marker {
                Some(at) => memmem::find(&block[at + 8..], b"-----")
                    .map_or(block_end, |close| at + 8 + close + 5),
                None => block_end,
            };
        }
        ranges.push(range);
    }
    // Every URL with user-info, not just the first.
    ranges.extend(url_passwords(text));
    ranges.extend(connection_string_password(text));
    ranges.extend(auth_header_credential(text));
    // Secret-named keys in JSON or `key=value` text (a command line a CLI finding shows).
    ranges.extend(
        embedded_secrets(text, &[])
            .into_iter()
            .map(|found| found.value),
    );
    // Scanners run on raw source here, not on a literal's value: a closing quote is code.
    for range in &mut ranges {
        while range.end > range.start
            && matches!(
                text.as_bytes().get(range.end - 1),
                Some(b'"' | b'\'' | b'`')
            )
        {
            range.end -= 1;
        }
    }
    ranges.retain(|range| range.start < range.end && range.end <= text.len());
    ranges.sort_by_key(|range| (range.start, std::cmp::Reverse(range.end)));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Redact for output: at most 4 leading characters, and at most a quarter of
/// the value, followed by "****". Never returns the full value.
pub fn redact(secret: &str) -> String {
    let keep = (secret.chars().count() / 4).min(4);
    let mut out: String = secret.chars().take(keep).collect();
    out.push_str("****");
    out
}

/// Where a secret found in code should live instead; `--fix` never rewrites a secret (the
/// value is already in the history, and only its owner can move and rotate it).
pub const MOVE_SECRET: &str =
    "move it to an environment variable or a secret manager, and rotate it";

/// `text` with every secret masked, for output that shows whole files (`--diff`): the
/// ranges findings located (`known`) and whatever [`secrets_in_text`] recognises on each
/// line. Line breaks inside a masked secret are kept, so line numbers still match.
pub fn redact_text(text: &str, known: &[Range<usize>]) -> String {
    let mut known: Vec<&Range<usize>> = known
        .iter()
        .filter(|range| range.start < range.end && text.get((*range).clone()).is_some())
        .collect();
    known.sort_by_key(|range| range.start);
    let mut masked = String::with_capacity(text.len());
    let mut cursor = 0;
    for range in known {
        if range.start < cursor {
            continue;
        }
        masked.push_str(&text[cursor..range.start]);
        let secret = &text[range.clone()];
        masked.push_str(&redact(secret));
        masked.extend(std::iter::repeat_n('\n', secret.matches('\n').count()));
        cursor = range.end;
    }
    masked.push_str(&text[cursor..]);
    let mut out = String::with_capacity(masked.len());
    for line in masked.split_inclusive('\n') {
        let mut cursor = 0;
        for range in secrets_in_text(line) {
            if range.start < cursor {
                continue;
            }
            out.push_str(line.get(cursor..range.start).unwrap_or(""));
            out.push_str(&redact(line.get(range.clone()).unwrap_or("")));
            cursor = range.end;
        }
        out.push_str(line.get(cursor..).unwrap_or(""));
    }
    out
}
