//! TEMPORARY compile stub (lead engineer) — the secrets helper replaces this file.
#![allow(dead_code, unused_variables)]
pub struct TokenMatch {
    pub kind: TokenKind,
    pub range: std::ops::Range<usize>,
}
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    AwsAccessKeyId,
}
impl TokenKind {
    pub fn description(self) -> &'static str {
        "AWS access key ID"
    }
}
pub fn find_tokens(value: &str) -> Vec<TokenMatch> {
    match value.find("AKIA") {
        Some(i) if value.len() >= i + 20 => vec![TokenMatch {
            kind: TokenKind::AwsAccessKeyId,
            range: i..i + 20,
        }],
        _ => vec![],
    }
}
pub fn is_secret_name(name: &str, extra: &[String]) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("password") || n.ends_with("token") || n.ends_with("secret")
}
pub fn is_placeholder(value: &str) -> bool {
    value.is_empty() || value == "changeme"
}
pub fn looks_like_secret_value(value: &str) -> bool {
    !is_placeholder(value) && !value.contains(' ') && !value.contains('/')
}
pub fn url_password(value: &str) -> Option<std::ops::Range<usize>> {
    let scheme = value.find("://")? + 3;
    let at = value[scheme..].find('@')? + scheme;
    let colon = value[scheme..at].find(':')? + scheme + 1;
    (colon < at).then_some(colon..at)
}
pub fn auth_header_credential(value: &str) -> Option<std::ops::Range<usize>> {
    let rest = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("Basic "))?;
    (!rest.contains('{') && rest.len() > 8).then(|| value.len() - rest.len()..value.len())
}
pub fn redact(secret: &str) -> String {
    format!(
        "{}****",
        secret
            .chars()
            .take((secret.chars().count() / 4).min(4))
            .collect::<String>()
    )
}
