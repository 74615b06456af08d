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

// ---------------------------------------------------------------------------
// Token formats
// ---------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Trigger {
    AwsKeyId,
    GitHub,
    GitHubPat,
    GitLab,
    Slack,
    SlackWebhook,
    Stripe,
    Google,
    Pem,
    Jwt,
    AwsSecretContext,
    ServiceAccount,
}

const TRIGGERS: &[(&str, Trigger)] = &[
    ("AKIA", Trigger::AwsKeyId),
    ("ASIA", Trigger::AwsKeyId),
    ("ABIA", Trigger::AwsKeyId),
    ("ACCA", Trigger::AwsKeyId),
    ("github_pat_", Trigger::GitHubPat),
    ("ghp_", Trigger::GitHub),
    ("gho_", Trigger::GitHub),
    ("ghu_", Trigger::GitHub),
    ("ghs_", Trigger::GitHub),
    ("ghr_", Trigger::GitHub),
    ("glpat-", Trigger::GitLab),
    ("xoxb-", Trigger::Slack),
    ("xoxa-", Trigger::Slack),
    ("xoxp-", Trigger::Slack),
    ("xoxr-", Trigger::Slack),
    ("xoxs-", Trigger::Slack),
    ("hooks.slack.com/services/", Trigger::SlackWebhook),
    ("sk_live_", Trigger::Stripe),
    ("rk_live_", Trigger::Stripe),
    ("AIza", Trigger::Google),
    ("-----BEGIN ", Trigger::Pem),
    ("eyJ", Trigger::Jwt),
    // Case variants are listed instead of building a case-insensitive
    // automaton: that would also fire on "asia", "acca" etc. in prose.
    ("aws_secret", Trigger::AwsSecretContext),
    ("AWS_SECRET", Trigger::AwsSecretContext),
    ("aws-secret", Trigger::AwsSecretContext),
    ("secret_access_key", Trigger::AwsSecretContext),
    ("SECRET_ACCESS_KEY", Trigger::AwsSecretContext),
    ("SecretAccessKey", Trigger::AwsSecretContext),
    ("secretAccessKey", Trigger::AwsSecretContext),
    ("service_account", Trigger::ServiceAccount),
];

static TRIGGER_SEARCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(TRIGGERS.iter().map(|(pattern, _)| pattern))
        .expect("token prefixes are plain literals")
});

/// Signature of the jwt.io sample token, which is pasted into countless docs.
const JWT_IO_EXAMPLE_SIGNATURE: &str = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

/// Known token formats found in a string value (a Python string literal's
/// value, a .env value, a line).
pub fn find_tokens(value: &str) -> Vec<TokenMatch> {
    let bytes = value.as_bytes();
    let mut found = Vec::new();
    // The shortest format ("xoxb-" plus 10) is 15 bytes; most literals are shorter.
    if bytes.len() < 15 {
        return found;
    }
    for hit in TRIGGER_SEARCHER.find_iter(bytes) {
        let (_, trigger) = TRIGGERS[hit.pattern().as_usize()];
        let start = hit.start();
        let token = match trigger {
            Trigger::AwsKeyId => match_aws_key_id(bytes, start),
            Trigger::GitHub => match_github(bytes, start),
            Trigger::GitHubPat => match_github_pat(bytes, start),
            Trigger::GitLab => match_gitlab(bytes, start),
            Trigger::Slack => match_slack(bytes, start),
            Trigger::SlackWebhook => match_slack_webhook(bytes, start),
            Trigger::Stripe => match_stripe(bytes, start),
            Trigger::Google => match_google(bytes, start),
            Trigger::Pem => {
                match_private_key(bytes, start).map(|range| (TokenKind::PrivateKey, range))
            }
            Trigger::Jwt => match_jwt(bytes, start),
            Trigger::AwsSecretContext => match_aws_secret(bytes, hit.end()),
            Trigger::ServiceAccount => match_service_account(bytes, start),
        };
        if let Some((kind, range)) = token {
            found.push(TokenMatch { kind, range });
        }
    }
    if found.len() > 1 {
        found.sort_by_key(|m| (m.range.start, m.kind.priority(), usize::MAX - m.range.end));
        let mut kept: Vec<TokenMatch> = Vec::with_capacity(found.len());
        for m in found {
            let overlaps = kept
                .iter()
                .any(|k| m.range.start < k.range.end && k.range.start < m.range.end);
            if !overlaps {
                kept.push(m);
            }
        }
        kept.sort_by_key(|m| m.range.start);
        return kept;
    }
    found
}

fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn is_b64(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

fn run_len(bytes: &[u8], start: usize, pred: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(start..)
        .map_or(0, |rest| rest.iter().take_while(|&&c| pred(c)).count())
}

/// A token glued to a preceding letter or digit is part of a longer word
/// (`XAKIA…`, `myghp_…`), not a token.
fn glued_before(bytes: &[u8], start: usize) -> bool {
    start > 0 && bytes[start - 1].is_ascii_alphanumeric()
}

fn distinct_bytes(bytes: &[u8]) -> u32 {
    let mut seen = [0u64; 4];
    for &c in bytes {
        seen[usize::from(c >> 6)] |= 1 << (c & 63);
    }
    seen.iter().map(|w| w.count_ones()).sum()
}

/// Real token bodies are random; `XXXX…`, `0000…`, "your-token-here" and
/// documentation samples are not.
fn is_fake_body(body: &[u8]) -> bool {
    distinct_bytes(body) < 5
        || contains_ci(body, b"example")
        || is_prose_slug(body)
        || std::str::from_utf8(body).is_ok_and(is_placeholder)
}

/// "your-token-goes-here-now", "INSERT_TOKEN_HERE": several plain words
/// joined by separators, which random token bodies practically never are.
fn is_prose_slug(body: &[u8]) -> bool {
    let mut words = 0;
    for part in body.split(|&c| c == b'-' || c == b'_') {
        let lower = part.iter().all(u8::is_ascii_lowercase);
        let upper = part.iter().all(u8::is_ascii_uppercase);
        if part.is_empty() || !(lower || upper) {
            return false;
        }
        words += 1;
    }
    words >= 3
}

fn match_aws_key_id(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + 4;
    let body_len = run_len(bytes, body_start, |c| {
        c.is_ascii_uppercase() || c.is_ascii_digit()
    });
    if body_len < 16 {
        return None;
    }
    let end = body_start + 16;
    // A longer run, or lowercase right after, means this is some other word.
    if bytes.get(end).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::AwsAccessKeyId, start..end))
}

fn match_github(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + 4;
    let body_len = run_len(bytes, body_start, |c| c.is_ascii_alphanumeric());
    if !(36..=255).contains(&body_len) {
        return None;
    }
    let end = body_start + body_len;
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::GitHubToken, start..end))
}

fn match_github_pat(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        return None;
    }
    let body_start = start + "github_pat_".len();
    let body_len = run_len(bytes, body_start, |c| {
        c.is_ascii_alphanumeric() || c == b'_'
    });
    if !(82..=255).contains(&body_len) {
        return None;
    }
    let end = body_start + body_len;
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::GitHubToken, start..end))
}

fn match_gitlab(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + "glpat-".len();
    let body_len = run_len(bytes, body_start, is_b64url);
    if !(20..=255).contains(&body_len) {
        return None;
    }
    let end = body_start + body_len;
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::GitLabToken, start..end))
}

fn match_slack(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + "xoxb-".len();
    let body_len = run_len(bytes, body_start, |c| {
        c.is_ascii_alphanumeric() || c == b'-'
    });
    if body_len < 10 {
        return None;
    }
    let end = body_start + body_len;
    let body = &bytes[body_start..end];
    // Every real Slack token carries numeric workspace/user ids; "xoxb-your-bot-token" does not.
    if body.iter().filter(|c| c.is_ascii_digit()).count() < 4 || is_fake_body(body) {
        return None;
    }
    Some((TokenKind::SlackToken, start..end))
}

fn match_slack_webhook(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    let mut i = start + "hooks.slack.com/services/".len();
    for lead in [b'T', b'B'] {
        if bytes.get(i) != Some(&lead) {
            return None;
        }
        let len = run_len(bytes, i + 1, |c| {
            c.is_ascii_uppercase() || c.is_ascii_digit()
        });
        if len == 0 || bytes.get(i + 1 + len) != Some(&b'/') {
            return None;
        }
        i += len + 2;
    }
    let secret_len = run_len(bytes, i, |c| c.is_ascii_alphanumeric());
    if secret_len < 20 || is_fake_body(&bytes[i..i + secret_len]) {
        return None;
    }
    let end = i + secret_len;
    let url_start = [&b"https://"[..], b"http://"]
        .iter()
        .find(|scheme| bytes[..start].ends_with(scheme))
        .map_or(start, |scheme| start - scheme.len());
    Some((TokenKind::SlackWebhook, url_start..end))
}

fn match_stripe(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + "sk_live_".len();
    let body_len = run_len(bytes, body_start, |c| c.is_ascii_alphanumeric());
    if !(24..=255).contains(&body_len) {
        return None;
    }
    let end = body_start + body_len;
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::StripeLiveKey, start..end))
}

fn match_google(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + 4;
    // Google API keys are exactly 39 characters; a longer run is something else.
    if run_len(bytes, body_start, is_b64url) != 35 {
        return None;
    }
    let end = body_start + 35;
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::GoogleApiKey, start..end))
}

fn match_jwt(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if start > 0 && is_b64url(bytes[start - 1]) {
        return None;
    }
    let header_len = run_len(bytes, start, is_b64url);
    if header_len < 13 || bytes.get(start + header_len) != Some(&b'.') {
        return None;
    }
    let payload_start = start + header_len + 1;
    if !bytes[payload_start..].starts_with(b"eyJ") {
        return None;
    }
    let payload_len = run_len(bytes, payload_start, is_b64url);
    if payload_len < 13 || bytes.get(payload_start + payload_len) != Some(&b'.') {
        return None;
    }
    let sig_start = payload_start + payload_len + 1;
    let sig_len = run_len(bytes, sig_start, is_b64url);
    if sig_len < 10 {
        return None;
    }
    let end = sig_start + sig_len;
    let signature = &bytes[sig_start..end];
    if signature == JWT_IO_EXAMPLE_SIGNATURE.as_bytes() || is_fake_body(signature) {
        return None;
    }
    Some((TokenKind::Jwt, start..end))
}

/// 40 base64 characters only count as an AWS secret key right after an
/// aws-secret-ish key (`aws_secret_access_key = …`, `"SecretAccessKey": "…"`):
/// on their own they are indistinguishable from any other base64 blob.
fn match_aws_secret(bytes: &[u8], after_keyword: usize) -> Option<(TokenKind, Range<usize>)> {
    let mut i = after_keyword + run_len(bytes, after_keyword, is_b64url);
    let sep_len = run_len(bytes, i, |c| {
        matches!(c, b' ' | b'\t' | b'"' | b'\'' | b':' | b'=' | b'>' | b'\\')
    });
    if sep_len == 0 || sep_len > 8 {
        return None;
    }
    i += sep_len;
    let key_len = run_len(bytes, i, is_b64);
    if key_len != 40 || bytes.get(i + 40) == Some(&b'=') {
        return None;
    }
    let key = &bytes[i..i + 40];
    let has_upper = key.iter().any(u8::is_ascii_uppercase);
    let has_lower = key.iter().any(u8::is_ascii_lowercase);
    let has_other = key.iter().any(|c| !c.is_ascii_alphabetic());
    if !(has_upper && has_lower && has_other) || is_fake_body(key) {
        return None;
    }
    Some((TokenKind::AwsSecretAccessKey, i..i + 40))
}

/// A service-account JSON is reported once, at its private key, and only when
/// the key has real material (templates ship with an empty or elided key).
fn match_service_account(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    let before = &bytes[..start];
    let key_end = before.iter().rposition(|c| {
        !matches!(
            c,
            b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'\\' | b':'
        )
    })?;
    if !before[..=key_end].ends_with(b"type") {
        return None;
    }
    for pos in memmem::find_iter(bytes, b"private_key") {
        let after = pos + "private_key".len();
        if !matches!(bytes.get(after), Some(b'"' | b'\'' | b'\\')) {
            continue;
        }
        let begin = memmem::find(&bytes[after..], b"-----BEGIN ")? + after;
        // The PEM must be the value of this key, not a later field.
        if begin - after > 16 {
            continue;
        }
        if let Some(range) = match_private_key(bytes, begin) {
            return Some((TokenKind::GcpServiceAccountKey, range));
        }
    }
    None
}

/// `-----BEGIN … PRIVATE KEY-----` followed by real key material. A bare
/// header, or one followed by "..." as in docs, is not a key.
fn match_private_key(bytes: &[u8], start: usize) -> Option<Range<usize>> {
    let label_start = start + "-----BEGIN ".len();
    let label_len = run_len(bytes, label_start, |c| {
        c.is_ascii_uppercase() || c.is_ascii_digit() || c == b' '
    });
    let label = &bytes[label_start..label_start + label_len];
    if !(label.ends_with(b"PRIVATE KEY") || label.ends_with(b"PRIVATE KEY BLOCK")) {
        return None;
    }
    let header_end = label_start + label_len;
    if !bytes[header_end..].starts_with(b"-----") {
        return None;
    }
    let body_start = header_end + 5;
    let (body_end, end) = match memmem::find(&bytes[body_start..], b"-----END ") {
        Some(offset) => {
            let body_end = body_start + offset;
            let footer_start = body_end + "-----END ".len();
            let footer_end = memmem::find(&bytes[footer_start..], b"-----")
                .map_or(footer_start, |o| footer_start + o + 5);
            (body_end, footer_end)
        }
        None => {
            let len = run_len(bytes, body_start, |c| {
                is_b64(c)
                    || c.is_ascii_whitespace()
                    || matches!(c, b'=' | b'\\' | b':' | b',' | b'-')
            });
            (body_start + len, body_start + len)
        }
    };
    let body = &bytes[body_start..body_end];
    if memmem::find(body, b"...").is_some() || memmem::find(body, "…".as_bytes()).is_some() {
        return None;
    }
    let mut material = 0usize;
    let mut i = 0;
    while i < body.len() {
        // Keys pasted into JSON or non-raw strings carry literal "\n" escapes.
        if body[i] == b'\\' {
            i += 2;
            continue;
        }
        if is_b64(body[i]) {
            material += 1;
        }
        i += 1;
    }
    if material < 64 || distinct_bytes(body) < 16 {
        return None;
    }
    Some(start..end)
}

// ---------------------------------------------------------------------------
// Secret names
// ---------------------------------------------------------------------------

/// Final words that name a secret on their own.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "passcode",
    "pwd",
    "secret",
    "credential",
    "credentials",
    "creds",
    "apikey",
    "secretkey",
    "privatekey",
    "accesskey",
    "authtoken",
    "accesstoken",
    "apitoken",
    "clientsecret",
    "webhook",
];

/// Abbreviations that are only trusted with a qualifier (`db_pass`, `smtp_pw`).
const SHORT_SECRET_WORDS: &[&str] = &["pass", "pw", "pswd", "cred"];

/// `<qualifier>_key` names that hold a secret; plain `key`, `s3_key`,
/// `routing_key`, `public_key`, `cache_key` … do not.
const KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "secret",
    "private",
    "signing",
    "sign",
    "encryption",
    "encrypt",
    "enc",
    "crypto",
    "crypt",
    "cipher",
    "aes",
    "fernet",
    "master",
    "auth",
    "hmac",
    "jwt",
    "account",
    "shared",
    "storage",
    "subscription",
    "license",
    "licence",
    "app",
    "application",
    "integration",
    "client",
    "write",
    "token",
    "webhook",
    "session",
    "service",
    // SaaS names whose `<vendor>_key` is an API key.
    "stripe",
    "sendgrid",
    "mailgun",
    "mailchimp",
    "openai",
    "anthropic",
    "twilio",
    "datadog",
    "dd",
    "newrelic",
    "pagerduty",
    "algolia",
    "mapbox",
    "pusher",
    "segment",
    "mixpanel",
    "amplitude",
    "honeycomb",
    "cloudflare",
    "heroku",
    "digitalocean",
    "linode",
    "github",
    "gitlab",
    "slack",
    "google",
    "gcp",
    "azure",
    "firebase",
    "openweather",
];

/// `<qualifier>_token` names that are pagination cursors, idempotency keys,
/// lexer or ML tokenizer tokens, or counters.
const TOKEN_NON_SECRET_QUALIFIERS: &[&str] = &[
    "next",
    "page",
    "pagination",
    "continuation",
    "cursor",
    "sync",
    "csrf",
    "xsrf",
    "idempotency",
    "request",
    "cancel",
    "cancellation",
    "pad",
    "padding",
    "bos",
    "eos",
    "eot",
    "unk",
    "unknown",
    "sep",
    "separator",
    "cls",
    "mask",
    "start",
    "end",
    "stop",
    "special",
    "eof",
    "max",
    "min",
    "num",
    "total",
    "count",
    "first",
    "last",
    "prev",
    "previous",
    "lexer",
    "parser",
    "input",
    "output",
    "word",
    "string",
    "name",
    "delimiter",
    "comment",
];

/// First words that turn the name into a flag, a verb or a setting about the
/// secret (`is_secret`, `has_password`, `rotate_token`).
const NON_SECRET_LEADS: &[&str] = &[
    "is", "has", "have", "use", "uses", "using", "enable", "enabled", "disable", "disabled",
    "require", "requires", "required", "should", "must", "allow", "allows", "allowed", "no",
    "skip", "with", "without", "show", "hide", "need", "needs", "can", "supports", "validate",
    "check", "verify", "rotate", "generate", "gen", "get", "set", "fetch", "read", "load", "save",
    "store", "delete", "remove", "create", "encode", "decode", "encrypt", "decrypt", "hash",
    "mask", "redact", "print", "log", "parse", "ask", "prompt", "send", "fake", "dummy", "example",
    "sample", "mock",
];

/// Words anywhere in the name saying the value is derived from, not equal
/// to, the secret.
const NON_SECRET_MARKERS: &[&str] = &[
    "hashed",
    "encrypted",
    "masked",
    "redacted",
    "obfuscated",
    "salted",
    "crypted",
    "placeholder",
];

/// Trailing words that don't change what the name holds
/// (`DB_PASSWORD_PROD`, `token_value`, `api_key_b64`).
const NEUTRAL_TRAILING_WORDS: &[&str] = &[
    "value",
    "val",
    "str",
    "string",
    "raw",
    "plain",
    "plaintext",
    "text",
    "b64",
    "b",
    "base64",
    "hex",
    "bytes",
    "default",
    "override",
    "fallback",
    "prod",
    "production",
    "dev",
    "development",
    "staging",
    "stage",
    "stg",
    "qa",
    "uat",
    "local",
    "sandbox",
    "primary",
    "secondary",
    "backup",
    "old",
    "new",
    "current",
    "literal",
    "const",
];

/// Lowercase compounds written as one word (`NEXTTOKEN`, `oldpwd`) that are not secrets.
const COMPOUND_NON_SECRETS: &[&str] = &["nexttoken", "pagetoken", "paginationtoken", "oldpwd"];

/// Suffixes recognised inside one-word compounds (`PGPASSWORD`, `dbpassword`).
const COMPOUND_SECRET_SUFFIXES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "secretkey",
    "privatekey",
    "accesskey",
    "passphrase",
];

/// Splits an identifier into lowercase words on non-alphanumerics, camelCase
/// humps (`apiKey`, `HTTPServer`) and letter/digit changes (`password2`).
fn split_name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_alphabetic() != c.is_alphabetic())
                || (prev.is_uppercase() && c.is_uppercase() && next_is_lower);
            if boundary {
                words.push(std::mem::take(&mut current));
            }
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

fn is_numeric_word(word: &str) -> bool {
    word.bytes().all(|c| c.is_ascii_digit())
}

/// Is this identifier (variable, attribute, kwarg, dict key, env key) the
/// name of a secret?
///
/// The judgement rests on the *last* meaningful word: `token_url` names a
/// URL and `secret_name` a name, while `db_password_prod` is still a
/// password. `extra` (config `secret-names`) entries match
/// case-insensitively as whole trailing words.
pub fn is_secret_name(name: &str, extra: &[String]) -> bool {
    let bytes = name.as_bytes();
    // CloudFormation types ("AWS::ApiGateway::ApiKey"), paths and sentences
    // used as dict keys are not variable names.
    if bytes.len() > 80
        || name.contains("::")
        || name.contains(['/', '$', '{', '\n'])
        || bytes.iter().filter(|&&c| c == b' ').count() > 2
    {
        return false;
    }
    let may_be_builtin = [
        "pass", "pw", "pswd", "secret", "token", "key", "cred", "hook",
    ]
    .iter()
    .any(|needle| contains_ci(bytes, needle.as_bytes()));
    if !may_be_builtin && extra.is_empty() {
        return false;
    }
    let words = split_name_words(name);
    let mut core_len = words.len();
    while core_len > 0 {
        let word = words[core_len - 1].as_str();
        if is_numeric_word(word) || NEUTRAL_TRAILING_WORDS.contains(&word) {
            core_len -= 1;
        } else {
            break;
        }
    }
    let core = &words[..core_len];

    for entry in extra {
        let wanted = split_name_words(entry);
        if !wanted.is_empty() && (words.ends_with(&wanted) || core.ends_with(&wanted)) {
            return true;
        }
    }
    if !may_be_builtin || core.is_empty() {
        return false;
    }
    if core.len() > 1 && NON_SECRET_LEADS.contains(&core[0].as_str()) {
        return false;
    }
    if words
        .iter()
        .any(|w| NON_SECRET_MARKERS.contains(&w.as_str()))
    {
        return false;
    }
    let last = core[core.len() - 1].as_str();
    let prev = core.len().checked_sub(2).map(|i| core[i].as_str());
    let prev2 = core.len().checked_sub(3).map(|i| core[i].as_str());

    if SECRET_WORDS.contains(&last) {
        return true;
    }
    if SHORT_SECRET_WORDS.contains(&last) {
        return core.len() > 1;
    }
    match last {
        "token" => return prev.is_none_or(|p| !TOKEN_NON_SECRET_QUALIFIERS.contains(&p)),
        "key" => return prev.is_some_and(|p| KEY_QUALIFIERS.contains(&p)),
        "url" | "uri" => {
            return prev == Some("webhook")
                || (prev == Some("hook")
                    && prev2.is_some_and(|p| {
                        matches!(p, "slack" | "teams" | "discord" | "mattermost")
                    }));
        }
        _ => {}
    }
    if COMPOUND_NON_SECRETS.contains(&last) {
        return false;
    }
    COMPOUND_SECRET_SUFFIXES.iter().any(|suffix| {
        last.len() > suffix.len()
            && last.ends_with(suffix)
            && !(*suffix == "token"
                && TOKEN_NON_SECRET_QUALIFIERS.contains(&&last[..last.len() - suffix.len()]))
    })
}

// ---------------------------------------------------------------------------
// Placeholders
// ---------------------------------------------------------------------------

/// Words that placeholder values are made of ("your-api-key-here",
/// "CHANGE_ME", "<dummy token>").
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "change",
    "me",
    "replace",
    "replaceme",
    "your",
    "yours",
    "my",
    "here",
    "goes",
    "todo",
    "fixme",
    "tbd",
    "example",
    "examples",
    "sample",
    "dummy",
    "fake",
    "test",
    "testing",
    "mock",
    "placeholder",
    "none",
    "null",
    "nil",
    "undefined",
    "empty",
    "unset",
    "blank",
    "redacted",
    "removed",
    "hidden",
    "masked",
    "secret",
    "secrets",
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "token",
    "key",
    "api",
    "apikey",
    "value",
    "insert",
    "enter",
    "put",
    "fill",
    "foo",
    "bar",
    "baz",
    "qux",
    "default",
    "demo",
    "access",
    "id",
    "client",
    "app",
    "user",
    "username",
    "the",
    "for",
    "with",
    "this",
    "some",
    "string",
    "not",
    "real",
    "own",
    "a",
    "an",
    "to",
    "of",
    "in",
    "it",
    "is",
    "db",
    "auth",
    "bearer",
    "webhook",
    "url",
    "generated",
    "random",
    "private",
    "public",
    "xyz",
    "abc",
    "n",
    "na",
    "tmp",
    "temp",
    "sensitive",
    "confidential",
    "notasecret",
];

/// Subset of `PLACEHOLDER_WORDS` used to split run-together placeholders
/// ("yourapikeyhere", "mysecretpassword"); one- and two-letter fillers
/// like "a" or "to" would make random strings split too easily.
const PLACEHOLDER_PARTS: &[&str] = &[
    "change",
    "me",
    "replace",
    "your",
    "my",
    "here",
    "goes",
    "put",
    "insert",
    "enter",
    "secret",
    "password",
    "passwd",
    "token",
    "api",
    "key",
    "access",
    "client",
    "app",
    "auth",
    "test",
    "testing",
    "dummy",
    "fake",
    "example",
    "sample",
    "mock",
    "placeholder",
    "value",
    "default",
    "demo",
    "foo",
    "bar",
    "baz",
    "the",
    "for",
    "with",
    "this",
    "some",
    "string",
    "not",
    "real",
    "own",
    "todo",
    "user",
    "webhook",
    "private",
];

/// Token prefixes and other words that neither make nor break a placeholder
/// ("sk_live_xxxxxxxx", "ghp_your_token_here").
const NEUTRAL_VALUE_WORDS: &[&str] = &[
    "sk", "rk", "pk", "live", "ghp", "gho", "ghu", "ghs", "ghr", "glpat", "xoxb", "xoxp", "xoxa",
    "xoxr", "xoxs", "akia", "asia", "aiza", "github", "pat", "v", "x",
];

/// Splits a value into words on non-alphanumerics and camelCase humps, but
/// not at digits, so "hunter2" stays one (non-placeholder) word.
fn value_words(value: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut prev: Option<char> = None;
    for (i, c) in value.char_indices() {
        if !c.is_alphanumeric() {
            if let Some(s) = start.take() {
                words.push(&value[s..i]);
            }
            prev = None;
            continue;
        }
        match start {
            None => start = Some(i),
            Some(s) => {
                if prev.is_some_and(|p| p.is_lowercase()) && c.is_uppercase() {
                    words.push(&value[s..i]);
                    start = Some(i);
                }
            }
        }
        prev = Some(c);
    }
    if let Some(s) = start {
        words.push(&value[s..]);
    }
    words
}

fn segments_into_placeholder_parts(word: &str) -> bool {
    const MAX: usize = 48;
    let n = word.len();
    if !(4..=MAX).contains(&n) {
        return false;
    }
    let mut reachable = [false; MAX + 1];
    reachable[0] = true;
    for i in 0..n {
        if !reachable[i] {
            continue;
        }
        for part in PLACEHOLDER_PARTS {
            if word[i..].starts_with(part) {
                reachable[i + part.len()] = true;
            }
        }
    }
    reachable[n]
}

fn is_placeholder_word(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    // "test123", "password1", "demo2024": a dummy word with a counter appended.
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit());
    let lower = if stem.is_empty() {
        lower.as_str()
    } else {
        stem
    };
    lower.bytes().all(|c| c == b'x')
        || PLACEHOLDER_WORDS.contains(&lower)
        || (lower.bytes().all(|c| c.is_ascii_lowercase()) && segments_into_placeholder_parts(lower))
}

fn made_of_placeholder_words(value: &str) -> bool {
    let mut saw_placeholder = false;
    for word in value_words(value) {
        let is_neutral = is_numeric_word(word)
            || NEUTRAL_VALUE_WORDS
                .iter()
                .any(|n| n.eq_ignore_ascii_case(word));
        if is_neutral {
            continue;
        }
        if !is_placeholder_word(word) {
            return false;
        }
        saw_placeholder = true;
    }
    saw_placeholder
}

/// Does the value contain a substitution slot: `${VAR}`, `$VAR`, `{{ var }}`,
/// `{name}`, `%(name)s`, `%s`, `<token>`, `%VAR%`, `@VAR@`, `__VAR__`?
fn is_template(value: &str) -> bool {
    let b = value.as_bytes();
    let Some((&first, &last)) = b.first().zip(b.last()) else {
        return false;
    };
    let has = |needle: &[u8]| memmem::find(b, needle).is_some();
    if has(b"${") || has(b"{{") || has(b"{%") || has(b"#{") || has(b"$(") || has(b"%(") {
        return true;
    }
    if first == b'$'
        && b.get(1)
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
    {
        return true;
    }
    if b.len() > 2
        && ((first == b'<' && last == b'>')
            || (first == b'%' && last == b'%')
            || (first == b'@' && last == b'@'))
    {
        return true;
    }
    if b.len() > 4 && value.starts_with("__") && value.ends_with("__") {
        return true;
    }
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'{' => {
                let inner = run_len(b, i + 1, |c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, b'_' | b'.' | b'[' | b']' | b'\'' | b'"' | b'!')
                });
                if b.get(i + 1 + inner) == Some(&b'}') {
                    return true;
                }
            }
            b'<' => {
                let inner = run_len(b, i + 1, |c| {
                    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b' ' | b'.')
                });
                if inner > 0 && b.get(i + 1 + inner) == Some(&b'>') {
                    return true;
                }
            }
            b'%' => {
                if matches!(b.get(i + 1), Some(b's' | b'd' | b'r')) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Is this literal value obviously not a real secret?
///
/// Empty or shorter than 4 characters, templates/substitutions, masks
/// (`***`, `XXXX-XXXX`), anything containing "example" (this covers the AWS
/// documentation keys), truncated samples ("abc..."), and values made only
/// of placeholder words ("your-api-key-here", "CHANGE_ME", "dummy").
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let mut chars = v.chars();
    let Some(first) = chars.next() else {
        return true;
    };
    if v.chars().nth(3).is_none() {
        return true;
    }
    if chars.all(|c| c == first) {
        return true;
    }
    let b = v.as_bytes();
    if b.iter().all(|c| {
        matches!(
            c,
            b'x' | b'X' | b'*' | b'.' | b'#' | b'-' | b'_' | b'?' | b' ' | b'0' | b'/' | b':'
        )
    }) {
        return true;
    }
    if contains_ci(b, b"example")
        || memmem::find(b, b"...").is_some()
        || memmem::find(b, b"***").is_some()
        || v.contains('…')
        || v.contains(JWT_IO_EXAMPLE_SIGNATURE)
    {
        return true;
    }
    is_template(v) || is_sequential(v) || made_of_placeholder_words(v)
}

// ---------------------------------------------------------------------------
// Secret-looking values
// ---------------------------------------------------------------------------

/// Values that describe a secret's type, mode or source rather than being one
/// (k8s secret types, OAuth grant types, SSM parameter types, …).
const TYPE_VALUES: &[&str] = &[
    "opaque",
    "bearer",
    "basic",
    "digest",
    "token",
    "jwt",
    "oauth",
    "oauth2",
    "client_credentials",
    "password",
    "refresh_token",
    "authorization_code",
    "implicit",
    "device_code",
    "securestring",
    "string",
    "stringlist",
    "plaintext",
    "plain",
    "kms",
    "secretsmanager",
    "ssm",
    "vault",
    "env",
    "environment",
    "file",
    "hmac",
    "base64",
    "hidden",
    "masked",
    "sensitive",
    "secure",
    "insecure",
    "anonymous",
    "public",
    "private",
    "required",
    "optional",
    "header",
    "query",
    "cookie",
    "session",
    "awscurrent",
    "awsprevious",
    "awspending",
    "default",
    "instance",
    "profile",
    "metadata",
    "generic",
    "keyring",
    "keychain",
    "interactive",
    "netrc",
    "dockerconfigjson",
    "dockercfg",
    "authorization",
    "kubernetes",
];

/// `scheme:rest` prefixes of references to a secret stored elsewhere.
const REFERENCE_SCHEMES: &[&str] = &[
    "arn",
    "env",
    "vault",
    "secret",
    "secrets",
    "ssm",
    "sm",
    "file",
    "keyring",
    "kms",
    "awskms",
    "gcpkms",
    "azurekeyvault",
    "op",
    "sops",
    "k8s",
    "ref",
    "secretref",
    "parameter",
    "secretsmanager",
];

/// Extensions that mark a value as a file name (`creds.json`, `server.key`).
const FILE_EXTENSIONS: &[&str] = &[
    "json",
    "yaml",
    "yml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "env",
    "txt",
    "pem",
    "key",
    "crt",
    "cer",
    "der",
    "p12",
    "pfx",
    "jks",
    "keystore",
    "gpg",
    "asc",
    "pub",
    "csv",
    "properties",
    "sh",
    "py",
    "enc",
    "age",
    "kdbx",
];

/// Prefixes of values that are not a usable plaintext secret: public or
/// test-mode keys, password hashes (the hash is not the password), and
/// ciphertext that is decrypted at run time (sops, KMS blobs, Fernet tokens).
const NON_SECRET_PREFIXES: &[&str] = &[
    "pk_live_",
    "pk_test_",
    "sk_test_",
    "rk_test_",
    "ssh-",
    "ecdsa-",
    "$1$",
    "$2a$",
    "$2b$",
    "$2y$",
    "$5$",
    "$6$",
    "$argon2",
    "$pbkdf2",
    "pbkdf2_sha256$",
    "bcrypt$",
    "argon2$",
    "{SSHA}",
    "{SHA}",
    "ENC[",
    "AQICAH",
    "gAAAAA",
];

#[derive(Default)]
struct CharClasses {
    lower: usize,
    upper: usize,
    digit: usize,
    other: usize,
}

fn char_classes(value: &str) -> CharClasses {
    let mut classes = CharClasses::default();
    for c in value.chars() {
        if c.is_ascii_digit() {
            classes.digit += 1;
        } else if c.is_uppercase() {
            classes.upper += 1;
        } else if c.is_alphabetic() {
            classes.lower += 1;
        } else {
            classes.other += 1;
        }
    }
    classes
}

/// CamelCase made of real-looking words ("SecureString", "ProdDatabase"),
/// as opposed to mixed-case noise ("bPxRfiCY").
fn is_camel_words(s: &str) -> bool {
    let words = split_name_words(s);
    !words.is_empty()
        && words.iter().all(|w| w.len() >= 2)
        && words.iter().map(String::len).sum::<usize>() >= 3 * words.len()
}

/// Does this fragment look machine-generated (a key, a hash, a webhook
/// token) rather than a word, an id or a version?
fn is_random_fragment(s: &str, min_len: usize) -> bool {
    if s.len() < min_len
        || !s
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
    {
        return false;
    }
    let classes = char_classes(s);
    let alpha = classes.lower + classes.upper;
    if alpha == 0 {
        return false;
    }
    if classes.digit > 0 {
        let transitions = s
            .as_bytes()
            .windows(2)
            .filter(|w| w[0].is_ascii_digit() != w[1].is_ascii_digit())
            .count();
        return transitions >= 3;
    }
    classes.upper > 0 && classes.lower > 0 && !is_camel_words(s)
}

/// `my-app-secret`, `client_credentials`, `X-API-Key`, `redis-0`,
/// `id_ed25519`: resource names and identifiers, not secrets.
fn is_identifier_words(value: &str) -> bool {
    let parts: Vec<&str> = value.split(['-', '_', '.', ':']).collect();
    if parts.len() < 2 {
        return false;
    }
    parts.iter().all(|part| {
        if part.is_empty() {
            return true;
        }
        if is_numeric_word(part) {
            return part.len() <= 2;
        }
        let letters = part.bytes().take_while(u8::is_ascii_alphabetic).count();
        let letters_part = &part[..letters];
        letters > 0
            && part[letters..].bytes().all(|c| c.is_ascii_digit())
            && (letters_part.bytes().all(|c| c.is_ascii_lowercase())
                || letters_part.bytes().all(|c| c.is_ascii_uppercase())
                || is_camel_words(letters_part))
    })
}

/// Regular expressions bound to `*_token`/`*_secret` names in lexers and validators.
fn is_regex_like(value: &str) -> bool {
    [
        "\\w", "\\d", "\\s", "\\b", "[^", "(?", ".*", ".+", "a-z", "A-Z", "0-9",
    ]
    .iter()
    .any(|p| value.contains(p))
}

/// "123456", "abc123", "abcd1234": keyboard-walk dummies, not secrets.
fn is_sequential(value: &str) -> bool {
    let b = value.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let (alpha, digits) = b.split_at(letters);
    let ascending = |run: &[u8]| {
        run.windows(2)
            .all(|w| w[1] == w[0] + 1 || (w[0] == b'9' && w[1] == b'0'))
    };
    digits.iter().all(u8::is_ascii_digit)
        && ascending(alpha)
        && ascending(digits)
        && alpha.first().is_none_or(|c| c.eq_ignore_ascii_case(&b'a'))
        && digits.first().is_none_or(|&c| c <= b'1')
}

/// `DB_PASSWORD`, `GITHUB_TOKEN`: the name of an environment variable.
fn is_env_var_name(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() >= 2
        && (b[0].is_ascii_uppercase() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
        && (b.contains(&b'_') || !b.iter().any(u8::is_ascii_digit))
}

fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-'))
        && domain.contains('.')
        && domain
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-'))
}

/// Versions, dates, times, IP addresses.
fn is_numeric_shape(value: &str) -> bool {
    let v = value.strip_prefix(['v', 'V']).unwrap_or(value);
    v.bytes().any(|c| c.is_ascii_digit())
        && v.bytes().all(|c| {
            c.is_ascii_digit() || matches!(c, b'.' | b'-' | b':' | b'/' | b'T' | b'Z' | b'+')
        })
        && v.bytes().any(|c| !c.is_ascii_digit())
}

/// Paths, file names, ARNs, `vault:`/`env:` references and Secrets Manager /
/// SSM / Vault ids like "prod/db/password": where a secret lives, not the secret.
fn is_reference(value: &str) -> bool {
    if let Some((scheme, rest)) = value.split_once(':')
        && !rest.is_empty()
        && REFERENCE_SCHEMES
            .iter()
            .any(|s| s.eq_ignore_ascii_case(scheme))
    {
        return true;
    }
    if let Some((stem, ext)) = value.rsplit_once('.')
        && !stem.is_empty()
        && FILE_EXTENSIONS.iter().any(|e| e.eq_ignore_ascii_case(ext))
    {
        return true;
    }
    let b = value.as_bytes();
    if value.starts_with('~') || value.starts_with("./") || value.starts_with("../") {
        return true;
    }
    if b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' {
        return true;
    }
    if !value.contains(['/', '\\']) {
        return false;
    }
    // Base64 keys contain '/' too; their fragments are random, path segments are not.
    value.split(['/', '\\']).all(|segment| {
        segment.bytes().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b':' | b'~' | b'@' | b'#')
        }) && !is_random_fragment(segment, 8)
    })
}

/// A URL only counts as a secret when it embeds a machine-generated path or
/// query component (Discord/Teams/generic webhooks). Credentials in the
/// authority are `url_password`'s job, so they are not counted here.
fn url_has_secret_component(value: &str) -> bool {
    let Some(sep) = value.find("://") else {
        return false;
    };
    if url_password(value).is_some() {
        return false;
    }
    let rest = &value[sep + 3..];
    let path_start = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[path_start..]
        .split(['/', '?', '#', '&', '=', '@'])
        .any(|part| is_random_fragment(part, 16))
}

/// `{"username": "svc", "password": "…"}` and dict reprs: a secret-named key
/// with a secret-looking value anywhere in the object.
fn json_has_secret(value: &str) -> bool {
    let b = value.as_bytes();
    let mut i = 0;
    let mut pending_key: Option<&str> = None;
    while i < b.len() {
        let c = b[i];
        if c == b'"' || c == b'\'' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j] != c {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = j.min(b.len());
            let Some(s) = value.get(start..end) else {
                return false;
            };
            i = end + 1;
            let after = i + run_len(b, i, |c| c.is_ascii_whitespace());
            if b.get(after) == Some(&b':') {
                pending_key = Some(s);
                i = after + 1;
            } else if let Some(key) = pending_key.take()
                && is_secret_name(key, &[])
                && looks_like_secret_value(s)
            {
                return true;
            }
            continue;
        }
        if c == b',' || c == b'{' || c == b'}' {
            pending_key = None;
        }
        i += 1;
    }
    false
}

/// Does a value bound to a secret NAME look like an actual secret (as opposed
/// to a secret's name, id, path, URL, type or a prompt)?
///
/// Thresholds: not a placeholder and at least 6 characters. Values mixing
/// letters with digits or symbols pass once reference shapes (paths, ARNs,
/// `env:`/`vault:` refs, file names), env-var names, identifiers
/// (`my-app-secret`, `client_credentials`), versions, dates, e-mails,
/// regexes, password hashes and ciphertext are ruled out. Letter-only values
/// must look random (mixed case that is not CamelCase words, 8+ chars), so
/// "postgres", "Opaque" or "SecureString" do not pass; digit-only values need
/// three distinct digits and must not be a run like "123456". Whitespace
/// means prose, except for `Bearer …`/`Basic …` header values and JSON
/// objects, which are judged by their parts.
pub fn looks_like_secret_value(value: &str) -> bool {
    let v = value.trim();
    if is_placeholder(v) {
        return false;
    }
    if v.starts_with('{') && v.ends_with('}') {
        return json_has_secret(v);
    }
    if has_auth_scheme_prefix(v) {
        return auth_header_credential(v).is_some();
    }
    if v.contains(char::is_whitespace) {
        return false;
    }
    if v.contains("://") {
        return url_has_secret_component(v);
    }
    if is_reference(v) || is_env_var_name(v) || is_email(v) || is_numeric_shape(v) {
        return false;
    }
    if NON_SECRET_PREFIXES.iter().any(|p| v.starts_with(p)) {
        return false;
    }
    if TYPE_VALUES.iter().any(|t| t.eq_ignore_ascii_case(v))
        || is_identifier_words(v)
        || is_regex_like(v)
    {
        return false;
    }
    if v.chars().count() < 6 {
        return false;
    }
    // A sigil in front of a word ("#bygroup", "@primary", ":memory") is
    // lexer or config syntax; judge the word.
    let word = v.trim_start_matches(['#', '@', '!', ':', '.', '-', '_', '&', '*']);
    let classes = char_classes(word);
    match (
        classes.lower + classes.upper > 0,
        classes.digit > 0,
        classes.other > 0,
    ) {
        // Letter-only words ("postgres", "lambda", "SuperSecret") are far
        // more often keywords, usernames or type names than passwords.
        (true, false, false) => is_random_fragment(word, 8),
        (false, true, false) => distinct_bytes(word.as_bytes()) >= 3,
        _ => true,
    }
}

// ---------------------------------------------------------------------------
// Credentials in URLs, connection strings and headers
// ---------------------------------------------------------------------------

/// Credentials inside a URL: `scheme://user:password@host…` -> byte range of
/// the password.
///
/// An empty user is fine (`redis://:pw@host` is how Redis takes a password).
/// `None` when there is no password, or it is a placeholder (`password`,
/// `changeme`, `****`), a template (`{pw}`, `${DB_PASS}`, `%(pw)s`, `<pw>`),
/// or equal to the user name (`guest:guest`, `postgres:postgres`: stock
/// dev-container defaults). Other fixed passwords are flagged even on
/// localhost, because "local" defaults tend to travel to staging.
pub fn url_password(value: &str) -> Option<Range<usize>> {
    let b = value.as_bytes();
    memchr::memchr(b'@', b)?;
    URL_SCHEME_SEPARATOR
        .find_iter(b)
        .filter(|&sep| sep > 0 && b[sep - 1].is_ascii_alphanumeric())
        .find_map(|sep| userinfo_password(value, sep + 3))
}

static URL_SCHEME_SEPARATOR: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"://"));

fn userinfo_password(value: &str, start: usize) -> Option<Range<usize>> {
    let b = value.as_bytes();
    let len = run_len(b, start, |c| {
        !c.is_ascii_whitespace() && !matches!(c, b'"' | b'\'' | b'`' | b'<' | b'>')
    });
    let url = &b[start..start + len];
    // RFC 3986 forbids unescaped / ? # in userinfo; try that reading first.
    let strict_end = url
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(url.len());
    let at = url[..strict_end]
        .iter()
        .rposition(|&c| c == b'@')
        .or_else(|| lenient_userinfo_end(url))?;
    let colon = url[..at].iter().position(|&c| c == b':')?;
    let user = value.get(start..start + colon)?;
    let range = start + colon + 1..start + at;
    let password = value.get(range.clone())?;
    if password.is_empty() || is_url_placeholder(user, password) {
        return None;
    }
    Some(range)
}

/// People do paste unescaped `#`, `?` or `/` into passwords; accept the last
/// `@` when what follows it is clearly a host and what precedes is not a path.
fn lenient_userinfo_end(url: &[u8]) -> Option<usize> {
    let at = url.iter().rposition(|&c| c == b'@')?;
    let host_len = url[at + 1..]
        .iter()
        .position(|c| matches!(c, b'/' | b'?' | b'#'))
        .unwrap_or(url.len() - at - 1);
    let host = &url[at + 1..at + 1 + host_len];
    let host_like = !host.is_empty()
        && host.iter().all(|&c| {
            c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b':' | b'[' | b']' | b'_')
        });
    if !host_like {
        return None;
    }
    let colon = url[..at].iter().position(|&c| c == b':')?;
    if url[..colon].iter().any(|c| matches!(c, b'/' | b'?' | b'#')) {
        return None;
    }
    let password = &url[colon + 1..at];
    if password.iter().any(|c| matches!(c, b'=' | b'&')) {
        return None;
    }
    let port_digits = password.iter().take_while(|c| c.is_ascii_digit()).count();
    if port_digits > 0 && password.get(port_digits).is_none_or(|&c| c == b'/') {
        return None;
    }
    Some(at)
}

fn is_url_placeholder(user: &str, password: &str) -> bool {
    password == user
        || is_placeholder(password)
        || ["pass", "pw", "pwd", "passwd", "password", "secret"]
            .iter()
            .any(|p| p.eq_ignore_ascii_case(password))
        || password.contains(['{', '}', '$'])
        || (user.eq_ignore_ascii_case("scott") && password.eq_ignore_ascii_case("tiger"))
}

/// Keys whose value is a credential in `key=value;…` connection strings.
const CONNECTION_STRING_SECRET_KEYS: &[&str] = &[
    "password",
    "pwd",
    "passwd",
    "accountkey",
    "sharedaccesskey",
    "sharedsecret",
];

/// Credentials in `key=value` connection strings that are not URLs: libpq
/// (`"host=db user=app password=…"`), ODBC/ADO.NET (`"Server=…;PWD=…"`),
/// Azure storage (`"…;AccountKey=…"`) and URL query strings
/// (`"?user=a&password=…"`). Needs at least two `key=value` pairs, so prose
/// mentioning "password=" alone does not count.
pub fn connection_string_password(value: &str) -> Option<Range<usize>> {
    let b = value.as_bytes();
    if !is_connection_string(value) {
        return None;
    }
    let mut i = 0;
    while i < b.len() {
        let key_start = i;
        let key_len = run_len(b, i, |c| c.is_ascii_alphanumeric() || c == b'_');
        if key_len == 0 {
            i += 1;
            continue;
        }
        let key = &value[key_start..key_start + key_len];
        i += key_len;
        let at_boundary = key_start == 0
            || matches!(
                b[key_start - 1],
                b';' | b'&' | b'?' | b' ' | b'\t' | b'\n' | b','
            );
        let eq = i + run_len(b, i, |c| c == b' ');
        if !at_boundary
            || b.get(eq) != Some(&b'=')
            || !CONNECTION_STRING_SECRET_KEYS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(key))
        {
            continue;
        }
        let mut v_start = eq + 1 + run_len(b, eq + 1, |c| c == b' ');
        let v_end = match b.get(v_start) {
            Some(&q @ (b'\'' | b'"')) => {
                v_start += 1;
                memchr::memchr(q, &b[v_start..]).map_or(b.len(), |o| v_start + o)
            }
            Some(b'{') => {
                v_start += 1;
                memchr::memchr(b'}', &b[v_start..]).map_or(b.len(), |o| v_start + o)
            }
            _ => {
                v_start
                    + run_len(b, v_start, |c| {
                        !c.is_ascii_whitespace() && !matches!(c, b';' | b'&')
                    })
            }
        };
        let secret = &value[v_start..v_end];
        if !secret.is_empty() && !is_placeholder(secret) && !secret.contains(['{', '}', '$']) {
            return Some(v_start..v_end);
        }
        i = v_end;
    }
    None
}

/// Mostly `key=value` pairs on one line, as opposed to prose or docs that
/// mention "password=".
fn is_connection_string(value: &str) -> bool {
    if value.contains('\n') {
        return false;
    }
    let (mut pairs, mut total) = (0usize, 0usize);
    let mut count = |part: &str| {
        if !part.trim().is_empty() {
            total += 1;
            pairs += usize::from(part.contains('='));
        }
    };
    if value.contains(';') {
        value.split(';').for_each(&mut count);
    } else {
        value.split([' ', '\t', '&', '?']).for_each(&mut count);
    }
    pairs >= 2 && pairs * 5 >= total * 3
}

const AUTH_SCHEMES: &[&str] = &[
    "bearer", "basic", "token", "bot", "apikey", "api-key", "oauth", "ssws", "splunk",
];

fn has_auth_scheme_prefix(value: &str) -> bool {
    let b = value.as_bytes();
    let scheme_len = run_len(b, 0, |c| c.is_ascii_alphanumeric() || c == b'-');
    scheme_len > 0
        && matches!(b.get(scheme_len), Some(b' ' | b'\t'))
        && AUTH_SCHEMES
            .iter()
            .any(|s| s.as_bytes().eq_ignore_ascii_case(&b[..scheme_len]))
}

/// Literal Authorization header values: "Bearer <token>", "Basic <base64>",
/// "token <ghp…>" -> byte range of the credential. Also finds
/// "Authorization: …" inside a longer string (curl command lines). `None` for
/// placeholders and templates ("Bearer {token}", "Bearer ", "Bearer ${TOKEN}",
/// "Bearer <token>") and for prose ("Bearer token required").
pub fn auth_header_credential(value: &str) -> Option<Range<usize>> {
    let b = value.as_bytes();
    let lead = run_len(b, 0, |c| c.is_ascii_whitespace());
    if has_auth_scheme_prefix(&value[lead..]) {
        return scheme_credential(value, lead, true);
    }
    for hit in AUTHORIZATION_SEARCHER.find_iter(b) {
        let mut i = hit.end();
        i += run_len(b, i, |c| matches!(c, b' ' | b'"' | b'\''));
        if !matches!(b.get(i), Some(b':' | b'=')) {
            continue;
        }
        i += 1;
        i += run_len(b, i, |c| matches!(c, b' ' | b'"' | b'\''));
        if has_auth_scheme_prefix(&value[i..])
            && let Some(range) = scheme_credential(value, i, false)
        {
            return Some(range);
        }
    }
    None
}

static AUTHORIZATION_SEARCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["authorization"])
        .expect("a plain literal pattern")
});

fn scheme_credential(value: &str, scheme_start: usize, whole_value: bool) -> Option<Range<usize>> {
    let b = value.as_bytes();
    let scheme_len = run_len(b, scheme_start, |c| c.is_ascii_alphanumeric() || c == b'-');
    let scheme = &b[scheme_start..scheme_start + scheme_len];
    let start = scheme_start
        + scheme_len
        + run_len(b, scheme_start + scheme_len, |c| c == b' ' || c == b'\t');
    let len = run_len(b, start, |c| {
        !c.is_ascii_whitespace() && !matches!(c, b'"' | b'\'' | b'`')
    });
    let end = start + len;
    // More words after the credential means prose ("Bearer token required").
    if whole_value && run_len(b, end, |c| c.is_ascii_whitespace()) != b.len() - end {
        return None;
    }
    let credential = &value[start..end];
    let is_basic = scheme.eq_ignore_ascii_case(b"basic");
    let charset_ok = credential.bytes().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, b'+' | b'/' | b'=')
            || (!is_basic && matches!(c, b'.' | b'_' | b'~' | b'-'))
    });
    if credential.len() < 8
        || !charset_ok
        || is_placeholder(credential)
        || is_env_var_name(credential)
        || credential.contains(['{', '}', '$', '<', '>', '%'])
    {
        return None;
    }
    let classes = char_classes(credential);
    if classes.digit == 0 && (classes.upper == 0 || classes.lower == 0) {
        return None;
    }
    if is_basic
        && let Some(decoded) = decode_base64(credential)
        && let Ok(text) = std::str::from_utf8(&decoded)
        && !text.contains(char::is_control)
    {
        // RFC 7617 credentials are "user:password"; readable text without a
        // colon is not a credential at all.
        let (user, password) = text.split_once(':')?;
        if password.is_empty()
            || is_template(password)
            || is_placeholder(password)
            || password == user
        {
            return None;
        }
    }
    Some(start..end)
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

/// Redact for output: at most 4 leading characters, and at most a quarter of
/// the value, followed by "****". Never returns the full value.
pub fn redact(secret: &str) -> String {
    let keep = (secret.chars().count() / 4).min(4);
    let mut out: String = secret.chars().take(keep).collect();
    out.push_str("****");
    out
}

// ---------------------------------------------------------------------------
// Small byte helpers
// ---------------------------------------------------------------------------

fn contains_ci(haystack: &[u8], needle: &[u8]) -> bool {
    find_ci(haystack, needle).is_some()
}

fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Fake, format-valid values assembled from pieces so no literal in this
    // file matches a secret scanner.
    const AWS_KEY_ID: &str = concat!("AKIA", "HBRPOIGF3CBFNOBM");
    const AWS_TEMP_KEY_ID: &str = concat!("ASIA", "2O4RAK3VRJNVGFYG");
    const AWS_SECRET: &str = concat!("TSHf6pWkLUyifDLkDmWJ", "6UuVTAIjvFu7WICPhDeO");
    const AWS_SECRET_SLASHES: &str = concat!("ZIiBOB+Y6sHrFH2ZUCr+", "lgotu2iXW7/boIRoL3u6");
    const GHP: &str = concat!("gh", "p_", "a9U4UqGWlG6g3Ot1OGMmjxWkI9X7H6aMuFbh");
    const GHS: &str = concat!("gh", "s_", "7x41Ztpdp4K8ffUF0eWIXiiQE8JkqH3MB9n7");
    const GITHUB_PAT: &str = concat!(
        "github",
        "_pat_",
        "IWUSmTtzQPxC5HChpoevbL",
        "_",
        "JoLoaeTOdoe5c3veGprQFnIiU74KKEpYEZAmggQBwBAD3UdRPPgdzUvZ3gp"
    );
    const GLPAT: &str = concat!("gl", "pat-", "yy5r2xJ7Fj4mgblEv0-9");
    const SLACK_BOT: &str = concat!(
        "xo",
        "xb-",
        "2837465019-4829105738265-",
        "kT9pQ2wX7mZ4vB8nR3cL6yHd"
    );
    const SLACK_HOOK: &str = concat!(
        "https://hooks.slack.com/services/",
        "T04H7KQ2M/",
        "B05J3R8PL4N/",
        "n3z5dkyayq7YYDsBS9UYJQTF"
    );
    const STRIPE_LIVE: &str = concat!("sk", "_live_", "jmsn9dLVIdVuddLEG62Hkd9G");
    const GOOGLE_KEY: &str = concat!("AI", "za", "H-Ggl2JfaQqHu42bojteVs3qfNUfTAFnT0t");
    const JWT: &str = concat!(
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
        ".",
        "eyJzdWIiOiJkZXBsb3ktYm90IiwiaWF0IjoxNzAwMDAwMDAwfQ",
        ".",
        "Euw0dwQ0FIunWe8Cz6SNDCdyZQJiJSZQdoHwHen3SO3"
    );
    const PEM_BODY: &str = concat!(
        "oXyGf3azU3iQOpMN0PZLqy1WwMZaMKA3P744B8vkKQlENCzsdfF8j61yX/ZFsan2\n",
        "Cw7gFp6r7O425u85HFJ+EJ4jKEIQOkrtDXtBi10Q71hA1XcW9aTMX1C+CI3+dXRZ\n",
        "v7qdYdk2r7xgHWPB6PRWJ1Gk8cgSCifdFzctEq8oB7GVvouNndNWYzjFnMpfS2Vi\n",
    );

    fn pem(label: &str) -> String {
        format!("-----BEGIN {label}-----\n{PEM_BODY}-----END {label}-----\n")
    }

    fn kinds(value: &str) -> Vec<TokenKind> {
        find_tokens(value).into_iter().map(|m| m.kind).collect()
    }

    /// Asserts exactly one token of `kind` whose text is `expected`.
    fn assert_token(value: &str, kind: TokenKind, expected: &str) {
        let found = find_tokens(value);
        assert_eq!(found.len(), 1, "{value:?} -> {found:?}");
        assert_eq!(found[0].kind, kind, "{value:?}");
        assert_eq!(&value[found[0].range.clone()], expected, "{value:?}");
    }

    fn assert_no_token(value: &str) {
        let found = find_tokens(value);
        assert!(found.is_empty(), "{value:?} -> {found:?}");
    }

    #[test]
    fn fake_fixtures_have_the_real_shapes() {
        assert_eq!(AWS_KEY_ID.len(), 20);
        assert_eq!(AWS_SECRET.len(), 40);
        assert_eq!(AWS_SECRET_SLASHES.len(), 40);
        assert_eq!(GHP.len(), 40);
        assert_eq!(GITHUB_PAT.len(), 93);
        assert_eq!(GOOGLE_KEY.len(), 39);
    }

    #[test]
    fn aws_access_key_id() {
        assert_token(AWS_KEY_ID, TokenKind::AwsAccessKeyId, AWS_KEY_ID);
        assert_token(AWS_TEMP_KEY_ID, TokenKind::AwsAccessKeyId, AWS_TEMP_KEY_ID);
        let line = format!("aws_access_key_id={AWS_KEY_ID}\n");
        assert_token(&line, TokenKind::AwsAccessKeyId, AWS_KEY_ID);
        let url = format!("https://b.s3.amazonaws.com/x?AWSAccessKeyId={AWS_KEY_ID}&Expires=1");
        assert_token(&url, TokenKind::AwsAccessKeyId, AWS_KEY_ID);
        assert_token(
            &format!("KEY_{AWS_KEY_ID}"),
            TokenKind::AwsAccessKeyId,
            AWS_KEY_ID,
        );
        // Glued into a longer identifier.
        assert_no_token(&format!("X{AWS_KEY_ID}"));
        assert_no_token(&format!("{AWS_KEY_ID}Q"));
        assert_no_token(&format!("{AWS_KEY_ID}x"));
        // Too short, lowercase, docs and masked values.
        assert_no_token(&AWS_KEY_ID[..19]);
        assert_no_token(&AWS_KEY_ID.to_lowercase());
        assert_no_token(concat!("AKIA", "IOSFODNN7", "EXAMPLE"));
        assert_no_token(concat!("AKIA", "XXXXXXXXXXXXXXXX"));
        assert_no_token(concat!("AKIA", "0000000000000000"));
        // Words that merely start with the prefixes.
        assert_no_token("ASIAN_MARKETS and ACCADEMIA and ABIAL");
        assert_no_token("Asia/Tokyo");
    }

    #[test]
    fn aws_secret_access_key_needs_context() {
        let ini = format!(
            "[default]\naws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}\n"
        );
        let found = find_tokens(&ini);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].kind, TokenKind::AwsAccessKeyId);
        assert_eq!(found[1].kind, TokenKind::AwsSecretAccessKey);
        assert_eq!(&ini[found[1].range.clone()], AWS_SECRET);

        let json = format!(
            r#"{{"AccessKeyId": "{AWS_TEMP_KEY_ID}", "SecretAccessKey": "{AWS_SECRET_SLASHES}"}}"#
        );
        assert_eq!(
            kinds(&json),
            [TokenKind::AwsAccessKeyId, TokenKind::AwsSecretAccessKey]
        );
        let shell = format!("export AWS_SECRET_ACCESS_KEY={AWS_SECRET}");
        assert_token(&shell, TokenKind::AwsSecretAccessKey, AWS_SECRET);
        let kwarg = format!("boto3.client('s3', aws_secret_access_key='{AWS_SECRET}')");
        assert_token(&kwarg, TokenKind::AwsSecretAccessKey, AWS_SECRET);

        // No context, wrong length, docs key, prose.
        assert_no_token(AWS_SECRET);
        assert_no_token(&format!("aws_secret_access_key = {}", &AWS_SECRET[..39]));
        assert_no_token(&format!("aws_secret_access_key = {AWS_SECRET}Z"));
        assert_no_token(concat!(
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY",
            "EXAMPLEKEY"
        ));
        assert_no_token("Set AWS_SECRET_ACCESS_KEY in the environment before running.");
        assert_no_token("aws_secret_access_key = abcdefghijabcdefghijabcdefghijabcdefghij");
    }

    #[test]
    fn github_tokens() {
        assert_token(GHP, TokenKind::GitHubToken, GHP);
        assert_token(GHS, TokenKind::GitHubToken, GHS);
        assert_token(GITHUB_PAT, TokenKind::GitHubToken, GITHUB_PAT);
        let remote = format!("https://x-access-token:{GHP}@github.com/org/repo.git");
        assert_token(&remote, TokenKind::GitHubToken, GHP);
        // Too short, glued, placeholder, truncated fine-grained PAT.
        assert_no_token(&GHP[..39]);
        assert_no_token(&format!("my{GHP}"));
        assert_no_token(concat!("gh", "p_", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"));
        assert_no_token(concat!("gh", "p_", "your_github_token_here"));
        assert_no_token(&GITHUB_PAT[..60]);
        assert_no_token("see the ghp_ prefix docs");
    }

    #[test]
    fn gitlab_tokens() {
        assert_token(GLPAT, TokenKind::GitLabToken, GLPAT);
        assert_token(
            &format!("PRIVATE-TOKEN: {GLPAT}"),
            TokenKind::GitLabToken,
            GLPAT,
        );
        assert_no_token(&GLPAT[..20]);
        assert_no_token(concat!("gl", "pat-", "your-token-goes-here-now"));
        assert_no_token(concat!("gl", "pat-", "xxxxxxxxxxxxxxxxxxxx"));
    }

    #[test]
    fn slack_tokens_and_webhooks() {
        assert_token(SLACK_BOT, TokenKind::SlackToken, SLACK_BOT);
        assert_token(
            &format!("token={SLACK_BOT}&channel=C1"),
            TokenKind::SlackToken,
            SLACK_BOT,
        );
        assert_no_token(concat!("xo", "xb-", "your-bot-token-here"));
        assert_no_token(concat!("xo", "xb-", "xxxxxxxxxxxx-xxxxxxxxxxxx"));
        assert_no_token(concat!("xo", "xb-", "123"));
        assert_no_token(concat!("xo", "xz-", "2837465019-4829105738265"));

        assert_token(SLACK_HOOK, TokenKind::SlackWebhook, SLACK_HOOK);
        let text = format!("curl -X POST {SLACK_HOOK} -d @payload.json");
        assert_token(&text, TokenKind::SlackWebhook, SLACK_HOOK);
        // Slack's own documentation sample and truncated URLs.
        assert_no_token(concat!(
            "https://hooks.slack.com/services/",
            "T00000000/B00000000/",
            "XXXXXXXXXXXXXXXXXXXXXXXX"
        ));
        assert_no_token("https://hooks.slack.com/services/T04H7KQ2M/B05J3R8PL4N/");
        assert_no_token("https://hooks.slack.com/services/");
        assert_no_token("https://api.slack.com/messaging/webhooks");
    }

    #[test]
    fn stripe_live_keys_only() {
        assert_token(STRIPE_LIVE, TokenKind::StripeLiveKey, STRIPE_LIVE);
        let restricted = STRIPE_LIVE.replacen("sk_", "rk_", 1);
        assert_token(&restricted, TokenKind::StripeLiveKey, &restricted);
        assert_no_token(&STRIPE_LIVE.replacen("_live_", "_test_", 1));
        assert_no_token(&STRIPE_LIVE.replacen("sk_", "pk_", 1));
        assert_no_token(&STRIPE_LIVE[..30]);
        assert_no_token(concat!("sk", "_live_", "xxxxxxxxxxxxxxxxxxxxxxxx"));
    }

    #[test]
    fn google_api_keys() {
        assert_token(GOOGLE_KEY, TokenKind::GoogleApiKey, GOOGLE_KEY);
        let url = format!("https://maps.googleapis.com/maps/api/geocode/json?key={GOOGLE_KEY}");
        assert_token(&url, TokenKind::GoogleApiKey, GOOGLE_KEY);
        assert_no_token(&GOOGLE_KEY[..38]);
        assert_no_token(&format!("{GOOGLE_KEY}x"));
        assert_no_token(&format!("x{GOOGLE_KEY}"));
    }

    #[test]
    fn jwt() {
        assert_token(JWT, TokenKind::Jwt, JWT);
        assert_token(&format!("Bearer {JWT}"), TokenKind::Jwt, JWT);
        // jwt.io's sample token is documentation.
        assert_no_token(concat!(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.",
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.",
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
        ));
        // Unsigned, two segments, or glued.
        let unsigned = &JWT[..JWT.rfind('.').unwrap_or(0) + 1];
        assert_no_token(unsigned);
        assert_no_token("eyJhbGciOiJIUzI1NiJ9");
        assert_no_token(&format!("x{JWT}"));
    }

    #[test]
    fn private_keys_need_material() {
        for label in [
            "PRIVATE KEY",
            "RSA PRIVATE KEY",
            "EC PRIVATE KEY",
            "OPENSSH PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
            "PGP PRIVATE KEY BLOCK",
        ] {
            let key = pem(label);
            assert_token(&key, TokenKind::PrivateKey, key.trim_end());
        }
        // Escaped newlines, as in JSON blobs kept in a string.
        let escaped = pem("PRIVATE KEY").replace('\n', "\\n");
        assert_eq!(kinds(&escaped), [TokenKind::PrivateKey]);
        // Headers alone, elided bodies, public keys and certificates.
        assert_no_token("-----BEGIN PRIVATE KEY-----");
        assert_no_token("Paste a PEM that starts with -----BEGIN RSA PRIVATE KEY-----");
        assert_no_token(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----",
        );
        assert_no_token("-----BEGIN PRIVATE KEY-----\n");
        assert_no_token(&pem("PUBLIC KEY"));
        assert_no_token(&pem("CERTIFICATE"));
        let masked = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----",
            "X".repeat(128)
        );
        assert_no_token(&masked);
    }

    #[test]
    fn gcp_service_account_json() {
        let key = pem("PRIVATE KEY").replace('\n', "\\n");
        let json = format!(
            r#"{{"type": "service_account", "project_id": "ops-prod", "private_key_id": "36a3566f893697b5", "private_key": "{key}", "client_email": "ci@ops-prod.iam.gserviceaccount.com"}}"#
        );
        let found = find_tokens(&json);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, TokenKind::GcpServiceAccountKey);
        assert!(json[found[0].range.clone()].starts_with("-----BEGIN PRIVATE KEY-----"));

        let template = r#"{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n"}"#;
        assert_no_token(template);
        assert_no_token(r#"{"type": "service_account", "private_key": ""}"#);
        assert_no_token("kind: service_account");
    }

    #[test]
    fn multiple_tokens_are_ordered_and_disjoint() {
        let text = format!("{GHP} and {STRIPE_LIVE} and {AWS_KEY_ID}");
        assert_eq!(
            kinds(&text),
            [
                TokenKind::GitHubToken,
                TokenKind::StripeLiveKey,
                TokenKind::AwsAccessKeyId
            ]
        );
    }

    #[test]
    fn ordinary_code_strings_have_no_tokens() {
        for s in [
            "",
            "hello world",
            "SELECT * FROM users WHERE id = %s",
            "eyJ",
            "-----BEGIN",
            "https://github.com/org/repo",
            "ACCESS_KEY_ID",
            "The AKIA prefix marks long-term keys",
            "xoxb-",
            "sk_live_",
            "service_account",
        ] {
            assert_no_token(s);
        }
    }

    #[test]
    fn secret_names() {
        let secret = [
            "password",
            "PASSWORD",
            "passwd",
            "pwd",
            "db_pass",
            "smtp_pw",
            "secret",
            "token",
            "api_key",
            "apikey",
            "APIKEY",
            "apiKey",
            "x-api-key",
            "X-Auth-Token",
            "Private-Token",
            "access_key",
            "secret_key",
            "SECRET_KEY",
            "DJANGO_SECRET_KEY",
            "private_key",
            "ssh_private_key",
            "client_secret",
            "clientSecret",
            "auth_token",
            "access_token",
            "refresh_token",
            "id_token",
            "bearer_token",
            "credentials",
            "GOOGLE_APPLICATION_CREDENTIALS",
            "creds",
            "AWS_SECRET_ACCESS_KEY",
            "aws_session_token",
            "SecretAccessKey",
            "SessionToken",
            "DB_PASSWORD",
            "DB_PASSWORD_PROD",
            "MYSQL_ROOT_PASSWORD",
            "PGPASSWORD",
            "password2",
            "new_password",
            "admin_password",
            "slack_webhook",
            "slack_webhook_url",
            "SLACK_WEBHOOK_URL",
            "webhook_url",
            "webhook_secret",
            "AIRFLOW__CORE__FERNET_KEY",
            "encryption_key",
            "signing_key",
            "hmac_key",
            "jwt_secret",
            "JWT_SECRET_KEY",
            "STRIPE_API_KEY",
            "stripe_key",
            "DD_API_KEY",
            "DATADOG_APP_KEY",
            "storage_account_key",
            "AccountKey",
            "github_token",
            "GITHUB_TOKEN",
            "vault_token",
            "VAULT_TOKEN",
            "consumer_secret",
            "passphrase",
            "key_passphrase",
            "TF_VAR_db_password",
            "token_value",
            "api_key_b64",
            "_password",
            "self_password",
        ];
        for name in secret {
            assert!(is_secret_name(name, &[]), "{name} should be a secret name");
        }
        let not_secret = [
            "token_url",
            "TOKEN_URL",
            "token_endpoint",
            "token_uri",
            "secret_name",
            "SecretName",
            "secret_id",
            "SecretId",
            "secret_arn",
            "SecretArn",
            "password_file",
            "password_path",
            "key_name",
            "KeyName",
            "key_id",
            "key",
            "KEY",
            "kms_key_id",
            "KmsKeyId",
            "public_key",
            "token_type",
            "password_field",
            "password_length",
            "min_password_length",
            "max_tokens",
            "num_tokens",
            "token_count",
            "tokenizer",
            "secret_manager",
            "secrets_manager",
            "secretsmanager",
            "passwordless",
            "password_env",
            "token_env_var",
            "password_var",
            "password_param",
            "ssm_param",
            "password_dir",
            "password_prompt",
            "password_label",
            "auth_header",
            "token_header",
            "password_pattern",
            "password_regex",
            "ssh_key_path",
            "is_secret",
            "has_password",
            "password_policy",
            "password_hash",
            "hashed_password",
            "encrypted_password",
            "aws_access_key_id",
            "AccessKeyId",
            "private_key_id",
            "client_id",
            "NextToken",
            "next_token",
            "nextToken",
            "page_token",
            "pagination_token",
            "ClientRequestToken",
            "continuation_token",
            "pad_token",
            "eos_token",
            "csrf_token",
            "s3_key",
            "object_key",
            "routing_key",
            "cache_key",
            "primary_key",
            "partition_key",
            "sort_key",
            "secret_type",
            "secret_version",
            "token_ttl",
            "token_expiry",
            "password_expires_at",
            "credentials_file",
            "credential_source",
            "sentry_dsn",
            "database_url",
            "username",
            "user",
            "host",
            "bypass",
            "passthrough",
            "compass",
            "hook",
            "hook_url",
            "keyboard",
            "monkey",
            "webhook_id",
            "use_token",
            "validate_password",
            "oldpwd",
            "OLDPWD",
            "",
            "_",
        ];
        for name in not_secret {
            assert!(
                !is_secret_name(name, &[]),
                "{name} should not be a secret name"
            );
        }
    }

    #[test]
    fn extra_secret_names() {
        let extra = vec![
            "sig".to_string(),
            "vault_role_id".to_string(),
            "PIN".to_string(),
        ];
        assert!(is_secret_name("webhook_sig", &extra));
        assert!(is_secret_name("SIG", &extra));
        assert!(is_secret_name("WebhookSig", &extra));
        assert!(is_secret_name("my_vault_role_id", &extra));
        assert!(is_secret_name("VAULT_ROLE_ID", &extra));
        assert!(is_secret_name("card_pin", &extra));
        assert!(is_secret_name("card_pin_prod", &extra));
        assert!(!is_secret_name("signal", &extra));
        assert!(!is_secret_name("sig_name", &extra));
        assert!(!is_secret_name("role_id", &extra));
        assert!(!is_secret_name("spin", &extra));
        // Built-ins keep working alongside.
        assert!(is_secret_name("password", &extra));
        assert!(!is_secret_name("token_url", &extra));
    }

    #[test]
    fn placeholders() {
        let placeholders = [
            "",
            "   ",
            "abc",
            "changeme",
            "change-me",
            "CHANGE_ME",
            "ChangeMe",
            "<your-token>",
            "<...>",
            "<TOKEN>",
            "${VAR}",
            "${DB_PASSWORD}",
            "$VAR",
            "$DB_PASSWORD",
            "{{ var }}",
            "{{ vault_password }}",
            "%(x)s",
            "%s",
            "{password}",
            "{}",
            "xxx",
            "XXXXXXXX",
            "xxxx-xxxx-xxxx",
            "***",
            "****",
            "...",
            "TODO",
            "REPLACE_ME",
            "replace-with-your-token",
            "your-api-key-here",
            "YOUR_API_KEY",
            "your_password",
            "yourApiKeyHere",
            "yourapikeyhere",
            "mysecretpassword",
            "example",
            "dummy",
            "fake",
            "test",
            "testing",
            "secret",
            "password",
            "none",
            "None",
            "null",
            "redacted",
            "REDACTED",
            "<redacted>",
            "__DB_PASSWORD__",
            "%DB_PASSWORD%",
            "@DB_PASSWORD@",
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "my-example-key-123",
            "sk_live_xxxxxxxxxxxx",
            "sk_test_your_key_here",
            "ghp_your_token_here",
            "abc123...",
            "dummy-token-1",
            "test123",
            "password1",
            "secret123",
            "Changeme2024",
            "not-a-real-secret",
            "0000",
        ];
        for value in placeholders {
            assert!(is_placeholder(value), "{value:?} should be a placeholder");
        }
        let real = [
            "hunter2",
            "S3cr3tP@ss!",
            "P@ssw0rd123",
            "Tr0ub4dor&3",
            "a8f5f167f44f4964e6c998dee827110c",
            AWS_SECRET,
            GHP,
            "postgres",
            "letmein",
            "correcthorse",
            "Summer2024!",
            "pass",
        ];
        for value in real {
            assert!(
                !is_placeholder(value),
                "{value:?} should not be a placeholder"
            );
        }
    }

    #[test]
    fn secret_looking_values() {
        let secrets = [
            "hunter2",
            "S3cr3tP@ss!",
            "P@ssw0rd123",
            "Tr0ub4dor&3",
            "a8f5f167f44f4964e6c998dee827110c",
            "xgG9oiZ+jgttMkFp1CW54M2NhmABHkuEwjua058LeDKK",
            AWS_SECRET,
            AWS_SECRET_SLASHES,
            GHP,
            STRIPE_LIVE,
            JWT,
            "django-insecure-9k#f2!x@v8$qz^m4wp0&c7e",
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            "Sup3r-S3cret",
            "s3cr3t_p4ss",
            "87654321",
            "kJhGfDsAqWeRtYuI",
            "base64:dGhpcyBpcyBhIHRlc3Qga2V5IGZvciBsYXJhdmVs",
            "  padded-S3cret!  ",
            "https://discord.com/api/webhooks/1187200000000000000/6jDHz2oCtIsjhvNK4p7MZI_4kf3PGdlDcIfw84Jx3-l8S0QPnuQ0_KZe6lOGPoZa70gy",
            "Bearer kT9pQ2wX7mZ4vB8nR3cL6yHd",
            r#"{"username": "svc-deploy", "password": "Pr0d-Db!2024"}"#,
            "{'password': 'Pr0d-Db!2024'}",
        ];
        for value in secrets {
            assert!(
                looks_like_secret_value(value),
                "{value:?} should look like a secret"
            );
        }
        let not_secrets = [
            "",
            "changeme",
            "${DB_PASSWORD}",
            "{{ vault_password }}",
            "prod/db/password",
            "/app/prod/db_password",
            "secret/data/myapp/db",
            "projects/my-proj/secrets/db-pass/versions/latest",
            "projects/123456789012/secrets/db-pass/versions/3",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db_password",
            "vault:secret/data/db#password",
            "env:DB_PASSWORD",
            "https://auth.corp.internal/oauth2/token",
            "https://vault.internal:8200/v1/secret/data/app",
            "https://myvault.vault.azure.net/secrets/db-password",
            "postgresql://app:S3cretPass@db.internal:5432/app",
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "~/.ssh/id_rsa",
            "/etc/secrets/token",
            "/run/secrets/db_password",
            "./secrets/dev.env",
            "creds.json",
            "service-account.json",
            "server.key",
            "C:\\secrets\\token.txt",
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "AWSCURRENT",
            "Enter your password:",
            "Password for the admin user",
            "{password}",
            "%s",
            "%(password)s",
            "my-app-secret",
            "db-credentials",
            "prod.db.password",
            "X-API-Key",
            "X-Vault-Token",
            "id_ed25519",
            "redis-0",
            "Opaque",
            "kubernetes.io/tls",
            "kubernetes.io/dockerconfigjson",
            "bootstrap.kubernetes.io/token",
            "bearer",
            "Bearer",
            "basic",
            "client_credentials",
            "password",
            "refresh_token",
            "SecureString",
            "String",
            "admin",
            "guest",
            "postgres",
            "letmein",
            "SuperSecret",
            "lambda",
            "rbracket",
            "waitForTaskToken",
            "AWSSecretKey",
            "serverlessrepo:applicationId",
            "[^\\W\\d]\\w*",
            "abc123",
            "123456",
            "12345678",
            "test123",
            "#bygroup",
            "@primary",
            "[!#$%&'*+.^_`|~0-9A-Za-z-]",
            "pass",
            "abc12",
            "v1.2.3",
            "2024-01-01",
            "10.0.0.12",
            "ops@corp.example",
            "ops-team@corp.io",
            "pk_live_51Hx8KqL2mNp4Rt7Vw9Yz3Bc6Df",
            "sk_test_51Hx8KqL2mNp4Rt7Vw9Yz3Bc6Df",
            "ssh-ed25519",
            "Bearer {token}",
            "Bearer ",
            r#"{"username": "svc", "password": "{{ db_password }}"}"#,
            "{'secret_name': 'prod/db'}",
            "000000",
            "111111111",
        ];
        for value in not_secrets {
            assert!(
                !looks_like_secret_value(value),
                "{value:?} should not look like a secret"
            );
        }
    }

    #[test]
    fn realistic_assignments() {
        let flagged = [
            ("DB_PASS", "pg_pr0d_2023"),
            ("jenkins_password", "admin123!"),
            ("smtp_password", "mailpass2023"),
            ("secret", "s3cr3t"),
            ("AZURE_CLIENT_SECRET", "Xy8Q~kT9pQ2wX7mZ4vB8nR3cL6yHd"),
            ("FERNET_KEY", "xgG9oiZ+jgttMkFp1CW54M2NhmABHkuEwjua058LeDK="),
            ("datadog_api_key", "36a3566f893697b590481194f309ffea"),
            (
                "sendgrid_api_key",
                "SG.kT9pQ2wX7mZ4vB8nR3cL6y.Hd36a3566f893697b590481194f309ffea",
            ),
            ("ldap_bind_password", "Ldap#2024"),
            (
                "webhook_url",
                "https://outlook.office.com/webhook/3f2504e0-4f89-11d3-9a0c-0305e82c3301@3f2504e0-4f89-11d3-9a0c-0305e82c3301/IncomingWebhook/36a3566f893697b590481194f309ffea/3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            ),
            (
                "SecretString",
                r#"{"username": "admin", "password": "Pr0d-Db!2024"}"#,
            ),
            ("vault_token", "hvs.Ehh2FDEEtfjgVvVqE1SkHbn8"),
        ];
        for (name, value) in flagged {
            assert!(
                is_secret_name(name, &[]) && looks_like_secret_value(value),
                "{name}={value:?} should be flagged"
            );
        }
        let not_flagged = [
            ("password", "******"),
            (
                "password",
                "$2b$12$KIXQJz8uQ1m3W5b6Y7c8d.e9f0g1h2i3j4k5l6m7n8o9p0q1r2s3t",
            ),
            (
                "password",
                "ENC[AES256_GCM,data:Tr3kx,iv:abc=,tag:def=,type:str]",
            ),
            (
                "password",
                "gAAAAABkT9pQ2wX7mZ4vB8nR3cL6yHd36a3566f893697b5",
            ),
            (
                "password",
                "{{resolve:secretsmanager:prod/db:SecretString:password}}",
            ),
            ("password", "secretsmanager:prod/db"),
            ("token", "github_token"),
            ("client_secret", "client-secret-from-vault"),
            ("credentials", "default"),
            ("credentials", "service-account.json"),
            ("RABBITMQ_PASSWORD", "guest"),
            ("token", "lambda"),
            (
                "SecretString",
                r#"{"username": "admin", "password": "${DB_PASSWORD}"}"#,
            ),
            ("webhook_url", "https://ci.corp.io/hooks/deploy"),
            ("AWS_SECRET_ID", "prod/app/db"),
            ("NextToken", "eyJ2IjoxLCJjIjoiYWJjMTIzIn0="),
        ];
        for (name, value) in not_flagged {
            assert!(
                !(is_secret_name(name, &[]) && looks_like_secret_value(value)),
                "{name}={value:?} should not be flagged"
            );
        }
    }

    fn password_of(url: &str) -> Option<&str> {
        url_password(url).map(|r| &url[r])
    }

    #[test]
    fn url_passwords() {
        let cases = [
            (
                "postgresql://app:S3cretPass@db.internal:5432/app",
                Some("S3cretPass"),
            ),
            (
                "postgresql+psycopg2://etl:Etl-2024-pw@warehouse:5432/dw",
                Some("Etl-2024-pw"),
            ),
            (
                "mysql://root:r00tPa55@mysql.prod:3306/shop",
                Some("r00tPa55"),
            ),
            ("redis://:Xy9zPass@cache:6379/0", Some("Xy9zPass")),
            (
                "amqp://svc:Rabb1tMQ!@mq.internal:5672/%2F",
                Some("Rabb1tMQ!"),
            ),
            (
                "mongodb+srv://admin:M0ngoPass@cluster0.ab1cd.mongodb.net/db?retryWrites=true",
                Some("M0ngoPass"),
            ),
            (
                "https://deploy:tok3nValue99@github.com/org/repo.git",
                Some("tok3nValue99"),
            ),
            ("postgres://u:p%40ss-w0rd@db/x", Some("p%40ss-w0rd")),
            (
                "postgres://u:p#ss/w0rd@db.internal:5432/x",
                Some("p#ss/w0rd"),
            ),
            (
                "see DATABASE_URL=postgres://app:Zq8-Lm2!@db:5432/app for details",
                Some("Zq8-Lm2!"),
            ),
            ("postgresql://user:password@localhost/db", None),
            ("postgres://postgres:postgres@localhost:5432/test", None),
            ("amqp://guest:guest@localhost:5672//", None),
            ("postgresql://scott:tiger@localhost/mydatabase", None),
            ("postgresql://{user}:{pw}@{host}:5432/{db}", None),
            ("postgresql://app:${DB_PASSWORD}@db/app", None),
            ("postgresql://app:%(password)s@db/app", None),
            ("postgresql://<user>:<password>@<host>/db", None),
            ("postgresql://app:****@db/app", None),
            ("postgresql://app:@db/app", None),
            ("postgresql://app@db/app", None),
            ("https://user@host", None),
            ("ssh://git@github.com:22/org/repo.git", None),
            ("https://example.com:8443/path", None),
            ("https://host:8080/x?email=a@b.com", None),
            ("https://host:8080/x/@y", None),
            ("http://[::1]:8080/", None),
            ("no url here", None),
            ("://a:b@c", None),
        ];
        for (url, expected) in cases {
            assert_eq!(password_of(url), expected, "{url}");
        }
    }

    #[test]
    fn connection_string_passwords() {
        let cases = [
            (
                "host=db.internal dbname=app user=app password=S3cretPass",
                Some("S3cretPass"),
            ),
            ("host=db user=app password='Sq 9 x!'", Some("Sq 9 x!")),
            (
                "Driver={ODBC Driver 18};Server=sql01;UID=sa;PWD=Str0ng!Pass;",
                Some("Str0ng!Pass"),
            ),
            (
                "Server=sql01;User Id=sa;Password={semi;colon9};",
                Some("semi;colon9"),
            ),
            (
                "DefaultEndpointsProtocol=https;AccountName=ops;AccountKey=xgG9oiZ+jgttMkFp1CW54M2NhmABHkuEwjua058LeDKK;EndpointSuffix=core.windows.net",
                Some("xgG9oiZ+jgttMkFp1CW54M2NhmABHkuEwjua058LeDKK"),
            ),
            ("host=db user=app password=${PGPASSWORD}", None),
            ("host=db user=app password={password}", None),
            ("host=db user=app password=changeme", None),
            ("set password=S3cretPass", None),
            ("host=db user=app", None),
            ("mypassword=abc;x=y", None),
        ];
        for (text, expected) in cases {
            assert_eq!(
                connection_string_password(text).map(|r| &text[r]),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn auth_header_credentials() {
        let basic_user_pass = "Basic dXNlcjpwYXNz";
        let bearer = format!("Bearer {JWT}");
        let cases: Vec<(&str, Option<&str>)> = vec![
            (&bearer, Some(JWT)),
            (basic_user_pass, Some("dXNlcjpwYXNz")),
            ("Basic abc123def456", Some("abc123def456")),
            (
                "bearer kT9pQ2wX7mZ4vB8nR3cL6yHd",
                Some("kT9pQ2wX7mZ4vB8nR3cL6yHd"),
            ),
            (
                concat!("token ", "gh", "p_", "a9U4UqGWlG6g3Ot1OGMmjxWkI9X7H6aMuFbh"),
                Some(GHP),
            ),
            (
                "Bot MTE4NzIwMDAwMDAwMDAwMDA.GhXyZ1.kT9pQ2wX7mZ4vB8nR3cL6yHd",
                Some("MTE4NzIwMDAwMDAwMDAwMDA.GhXyZ1.kT9pQ2wX7mZ4vB8nR3cL6yHd"),
            ),
            (
                "  Bearer kT9pQ2wX7mZ4vB8nR3cL6yHd  ",
                Some("kT9pQ2wX7mZ4vB8nR3cL6yHd"),
            ),
            (
                "curl -H 'Authorization: Bearer kT9pQ2wX7mZ4vB8nR3cL6yHd' https://api",
                Some("kT9pQ2wX7mZ4vB8nR3cL6yHd"),
            ),
            (
                "Authorization: Basic c3ZjOlMzY3JldCE=",
                Some("c3ZjOlMzY3JldCE="),
            ),
            ("Bearer {token}", None),
            ("Bearer ", None),
            ("Bearer", None),
            ("Bearer ${TOKEN}", None),
            ("Bearer $TOKEN", None),
            ("Bearer <token>", None),
            ("Bearer %s", None),
            ("Bearer YOUR_TOKEN", None),
            ("Bearer your-token-here", None),
            ("Bearer token", None),
            ("Bearer abcdefghijk", None),
            ("Bearer token required for this endpoint", None),
            ("Basic authentication is not supported", None),
            // base64("username:password") is documentation.
            ("Basic dXNlcm5hbWU6cGFzc3dvcmQ=", None),
            ("Basic ${CREDS}", None),
            ("Digest realm=x", None),
            ("Authorization", None),
            ("", None),
        ];
        for (value, expected) in cases {
            assert_eq!(
                auth_header_credential(value).map(|r| &value[r]),
                expected,
                "{value:?}"
            );
        }
    }

    #[test]
    fn redaction_never_leaks_the_value() {
        for secret in [
            "",
            "a",
            "abc",
            "hunter2",
            "S3cr3tP@ss!",
            GHP,
            AWS_SECRET,
            JWT,
            "pässwörd-ünïcode",
        ] {
            let shown = redact(secret);
            assert!(shown.ends_with("****"), "{shown}");
            if !secret.is_empty() {
                assert!(!shown.contains(secret), "{secret} -> {shown}");
            }
            let kept = shown.chars().count() - 4;
            assert!(
                kept <= 4 && kept <= secret.chars().count() / 4,
                "{secret} -> {shown}"
            );
        }
        assert_eq!(redact(GHP), "ghp_****");
        assert_eq!(redact("hunter2"), "h****");
        assert_eq!(redact("abc"), "****");
    }

    #[test]
    fn arbitrary_input_never_panics() {
        // Fragments that steer the scanners into their deeper branches,
        // mixed with multi-byte characters to catch slicing off a char boundary.
        const PIECES: &[&str] = &[
            "AKIA",
            "ghp_",
            "github_pat_",
            "glpat-",
            "xoxb-",
            "hooks.slack.com/services/",
            "T1/",
            "B2/",
            "sk_live_",
            "AIza",
            "-----BEGIN ",
            "PRIVATE KEY-----",
            "-----END ",
            "eyJ",
            ".",
            "aws_secret",
            "=",
            ":",
            "\\n",
            "\n",
            "://",
            "@",
            "/",
            "?",
            "#",
            "%",
            "{",
            "}",
            "$",
            "<",
            ">",
            "'",
            "\"",
            "Bearer ",
            "Basic ",
            "authorization: ",
            "password=",
            ";",
            "&",
            " ",
            "service_account",
            "private_key",
            "type",
            "é",
            "日本",
            "🔑",
            "Ab3",
            "xY9/",
            "+",
            "_",
            "-",
            "0",
            "Z",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..5_000 {
            let len = (next() % 40) as usize;
            let mut s = String::new();
            for _ in 0..len {
                s.push_str(PIECES[(next() % PIECES.len() as u64) as usize]);
            }
            for m in find_tokens(&s) {
                assert!(s.get(m.range.clone()).is_some(), "{s:?}");
            }
            for range in [
                url_password(&s),
                auth_header_credential(&s),
                connection_string_password(&s),
            ]
            .into_iter()
            .flatten()
            {
                assert!(s.get(range).is_some(), "{s:?}");
            }
            let _ = looks_like_secret_value(&s);
            let _ = is_secret_name(&s, &["sig".to_string()]);
            let _ = redact(&s);
        }
    }

    #[test]
    fn descriptions() {
        assert_eq!(TokenKind::AwsAccessKeyId.description(), "AWS access key ID");
        assert_eq!(TokenKind::GitHubToken.description(), "GitHub token");
        assert_eq!(TokenKind::PrivateKey.description(), "private key");
    }
}
