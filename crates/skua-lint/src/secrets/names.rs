//! Secret names: is this identifier the name of a secret?

#[allow(unused_imports)]
use super::*;

/// Final words that name a secret on their own.
pub(super) const SECRET_WORDS: &[&str] = &[
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
pub(super) const SHORT_SECRET_WORDS: &[&str] = &["pass", "pw", "pswd", "cred"];

/// `<qualifier>_key` names that hold a secret; plain `key`, `s3_key`,
/// `routing_key`, `public_key`, `cache_key` … do not.
pub(super) const KEY_QUALIFIERS: &[&str] = &[
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

/// Words saying what a key may do, between its qualifier and `key` (`api_read_key`).
pub(super) const KEY_ACCESS_WORDS: &[&str] = &[
    "read",
    "write",
    "readonly",
    "ro",
    "rw",
    "admin",
    "full",
    "ingest",
    "query",
    "search",
    "manage",
    "management",
    "mgmt",
    "live",
    "root",
];

/// `<qualifier>_token` names that are pagination cursors, idempotency keys,
/// lexer or ML tokenizer tokens, or counters.
pub(super) const TOKEN_NON_SECRET_QUALIFIERS: &[&str] = &[
    // AWS concurrency and lifecycle tokens (`ChangeToken`, `update_token`,
    // `LifecycleActionToken`): ids that say which change or action is meant.
    "change",
    "update",
    "action",
    "resumption",
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
pub(super) const NON_SECRET_LEADS: &[&str] = &[
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
pub(super) const NON_SECRET_MARKERS: &[&str] = &[
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
pub(super) const NEUTRAL_TRAILING_WORDS: &[&str] = &[
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
pub(super) const COMPOUND_NON_SECRETS: &[&str] =
    &["nexttoken", "pagetoken", "paginationtoken", "oldpwd"];

/// Suffixes recognised inside one-word compounds (`PGPASSWORD`, `dbpassword`).
pub(super) const COMPOUND_SECRET_SUFFIXES: &[&str] = &[
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
pub(super) fn split_name_words(name: &str) -> Vec<String> {
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

pub(super) fn is_numeric_word(word: &str) -> bool {
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
        // `service_api_read_key`, `app_admin_key`: access words may sit between the
        // qualifier and `key`.
        "key" => {
            return core[..core.len() - 1]
                .iter()
                .rev()
                .find(|word| !KEY_ACCESS_WORDS.contains(&word.as_str()))
                .is_some_and(|word| KEY_QUALIFIERS.contains(&word.as_str()));
        }
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

/// Whether the name's last meaningful word is a password (`DB_PASSWORD`, `smtp_pass`,
/// `MasterUserPassword`), the names a weak literal is still reported for.
pub fn is_password_name(name: &str, extra: &[String]) -> bool {
    if !is_secret_name(name, extra) {
        return false;
    }
    let words = split_name_words(name);
    let core = words
        .iter()
        .rev()
        .find(|word| !is_numeric_word(word) && !NEUTRAL_TRAILING_WORDS.contains(&word.as_str()));
    core.is_some_and(|word| {
        matches!(
            word.as_str(),
            "password" | "passwd" | "passphrase" | "pwd" | "pass" | "pw" | "pswd"
        ) || (word.len() > "password".len() && word.ends_with("password"))
    })
}
