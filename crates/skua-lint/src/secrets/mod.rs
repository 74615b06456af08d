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
mod names;
mod placeholders;
mod tokens;
mod values;

#[cfg(test)]
mod tests;

#[allow(unused_imports)]
use self::{bytes::*, credentials::*, names::*, placeholders::*, tokens::*, values::*};

pub use self::credentials::{auth_header_credential, connection_string_password, url_password};
pub use self::names::is_secret_name;
pub use self::placeholders::is_placeholder;
pub use self::tokens::find_tokens;
pub use self::values::looks_like_secret_value;

/// Redact for output: at most 4 leading characters, and at most a quarter of
/// the value, followed by "****". Never returns the full value.
pub fn redact(secret: &str) -> String {
    let keep = (secret.chars().count() / 4).min(4);
    let mut out: String = secret.chars().take(keep).collect();
    out.push_str("****");
    out
}
