//! Token formats: recognising credentials by their shape alone.

#[allow(unused_imports)]
use super::*;

#[derive(Clone, Copy)]
pub(super) enum Trigger {
    AwsKeyId,
    GitHub,
    GitHubPat,
    GitLab,
    Slack,
    SlackWebhook,
    Stripe,
    Google,
    Pem,
    /// `PRIVATE KEY-----` opening a string: the rest of a header split off by
    /// concatenation (`"-----BEGIN OPENSSH " + """PRIVATE KEY-----…"""`).
    PemSplit,
    Jwt,
    AwsSecretContext,
    ServiceAccount,
    Npm,
    PyPi,
}

pub(super) const TRIGGERS: &[(&str, Trigger)] = &[
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
    ("PRIVATE KEY-----", Trigger::PemSplit),
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
    ("npm_", Trigger::Npm),
    // The macaroon header of pypi.org and test.pypi.org tokens.
    ("pypi-AgEIcHlwaS5vcmc", Trigger::PyPi),
    ("pypi-AgENdGVzdC5weXBpLm9yZw", Trigger::PyPi),
];

pub(super) static TRIGGER_SEARCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(TRIGGERS.iter().map(|(pattern, _)| pattern))
        .expect("token prefixes are plain literals")
});

/// Signature of the jwt.io sample token, which is pasted into countless docs.
pub(super) const JWT_IO_EXAMPLE_SIGNATURE: &str = "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

/// Known token formats found in a string value (a Python string literal's
/// value, a .env value, a line).
pub fn find_tokens(value: &str) -> Vec<TokenMatch> {
    let bytes = value.as_bytes();
    let mut found = Vec::new();
    // The service-account key of the whole value, looked for once: every `service_account`
    // trigger would otherwise scan the whole value for `private_key` again.
    let mut service_account_key: Option<Option<Range<usize>>> = None;
    // GitLab and Slack prefixes consist of their own body characters (`glpat-glpat-…`):
    // a body run measured once serves every trigger inside it.
    let mut gitlab_run = RunEnd::default();
    let mut slack_run = RunEnd::default();
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
            Trigger::GitLab => match_gitlab(bytes, start, &mut gitlab_run),
            Trigger::Slack => match_slack(bytes, start, &mut slack_run),
            Trigger::SlackWebhook => match_slack_webhook(bytes, start),
            Trigger::Stripe => match_stripe(bytes, start),
            Trigger::Google => match_google(bytes, start),
            Trigger::Pem => {
                match_private_key(bytes, start).map(|range| (TokenKind::PrivateKey, range))
            }
            Trigger::PemSplit => {
                match_split_private_key(bytes, start).map(|range| (TokenKind::PrivateKey, range))
            }
            Trigger::Jwt => match_jwt(bytes, start),
            Trigger::AwsSecretContext => match_aws_secret(bytes, hit.end()),
            Trigger::ServiceAccount => {
                if is_service_account_type(bytes, start) {
                    service_account_key
                        .get_or_insert_with(|| service_account_private_key(bytes))
                        .clone()
                        .map(|range| (TokenKind::GcpServiceAccountKey, range))
                } else {
                    None
                }
            }
            Trigger::Npm => match_body(bytes, start, 4, 36..=36, u8::is_ascii_alphanumeric)
                .map(|range| (TokenKind::NpmToken, range)),
            Trigger::PyPi => match_body(bytes, start, 5, 60..=400, |c| is_b64url(*c))
                .map(|range| (TokenKind::PyPiToken, range)),
        };
        if let Some((kind, range)) = token {
            found.push(TokenMatch { kind, range });
        }
    }
    if found.len() > 1 {
        found.sort_by_key(|m| (m.range.start, m.kind.priority(), usize::MAX - m.range.end));
        let mut kept: Vec<TokenMatch> = Vec::with_capacity(found.len());
        // Sorted by start, so a match overlaps a kept one exactly when it starts before
        // the furthest end kept so far (one comparison, not one per kept match).
        let mut kept_end = 0;
        for m in found {
            if kept.is_empty() || m.range.start >= kept_end {
                kept_end = kept_end.max(m.range.end);
                kept.push(m);
            }
        }
        kept.sort_by_key(|m| m.range.start);
        return kept;
    }
    found
}

/// A prefix followed by a random body of `lengths` bytes of `class`, not glued to a word.
fn match_body(
    bytes: &[u8],
    start: usize,
    prefix_len: usize,
    lengths: std::ops::RangeInclusive<usize>,
    class: impl Fn(&u8) -> bool,
) -> Option<Range<usize>> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + prefix_len;
    let body_len = run_len(bytes, body_start, |c| class(&c));
    if !lengths.contains(&body_len) {
        return None;
    }
    let end = body_start + body_len;
    (!is_fake_body(&bytes[body_start..end])).then_some(start..end)
}

pub(super) fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

pub(super) fn is_b64(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

pub(super) fn run_len(bytes: &[u8], start: usize, pred: impl Fn(u8) -> bool) -> usize {
    bytes
        .get(start..)
        .map_or(0, |rest| rest.iter().take_while(|&&c| pred(c)).count())
}

/// [`run_len`] that stops counting past `max` (returns at most `max + 1`). Token bodies
/// have a maximum length, and a trigger can repeat inside a run that matches its body
/// (`glpat-glpat-…`): measuring each run to its end would re-scan the same suffix once
/// per trigger, quadratic in the length of the run.
pub(super) fn run_len_max(
    bytes: &[u8],
    start: usize,
    max: usize,
    pred: impl Fn(u8) -> bool,
) -> usize {
    bytes.get(start..).map_or(0, |rest| {
        rest.iter()
            .take(max.saturating_add(1))
            .take_while(|&&c| pred(c))
            .count()
    })
}

/// The end of the last body run measured for one token format: a later trigger whose body
/// starts inside that run has a body ending at the same place, without scanning again.
#[derive(Default)]
pub(super) struct RunEnd {
    start: usize,
    end: usize,
}

impl RunEnd {
    /// Length of the run of `pred` bytes from `at`, counting each byte once per value.
    fn len_from(&mut self, bytes: &[u8], at: usize, pred: impl Fn(u8) -> bool) -> usize {
        if !(self.start <= at && at < self.end) {
            self.start = at;
            self.end = at + run_len(bytes, at, pred);
        }
        self.end - at
    }
}

/// Longest token body accepted by the formats with an open-ended length.
const MAX_TOKEN_BODY: usize = 255;

/// A token glued to a preceding letter or digit is part of a longer word
/// (`XAKIA…`, `myghp_…`), not a token.
pub(super) fn glued_before(bytes: &[u8], start: usize) -> bool {
    start > 0 && bytes[start - 1].is_ascii_alphanumeric()
}

pub(super) fn distinct_bytes(bytes: &[u8]) -> u32 {
    let mut seen = [0u64; 4];
    for &c in bytes {
        seen[usize::from(c >> 6)] |= 1 << (c & 63);
    }
    seen.iter().map(|w| w.count_ones()).sum()
}

/// Real token bodies are random; `XXXX…`, `0000…`, "your-token-here" and
/// documentation samples are not.
pub(super) fn is_fake_body(body: &[u8]) -> bool {
    distinct_bytes(body) < 5
        || contains_ci(body, b"example")
        || is_prose_slug(body)
        || std::str::from_utf8(body).is_ok_and(is_placeholder)
}

/// "your-token-goes-here-now", "INSERT_TOKEN_HERE": several plain words
/// joined by separators, which random token bodies practically never are.
pub(super) fn is_prose_slug(body: &[u8]) -> bool {
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

pub(super) fn match_aws_key_id(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + 4;
    let body_len = run_len_max(bytes, body_start, 16, |c| {
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

pub(super) fn match_github(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + 4;
    let body_len = run_len_max(bytes, body_start, MAX_TOKEN_BODY, |c| {
        c.is_ascii_alphanumeric()
    });
    if !(36..=MAX_TOKEN_BODY).contains(&body_len) {
        return None;
    }
    let end = body_start + body_len;
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::GitHubToken, start..end))
}

pub(super) fn match_github_pat(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
        return None;
    }
    let body_start = start + "github_pat_".len();
    let body_len = run_len_max(bytes, body_start, MAX_TOKEN_BODY, |c| {
        c.is_ascii_alphanumeric() || c == b'_'
    });
    if !(82..=MAX_TOKEN_BODY).contains(&body_len) {
        return None;
    }
    let end = body_start + body_len;
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::GitHubToken, start..end))
}

pub(super) fn match_gitlab(
    bytes: &[u8],
    start: usize,
    run: &mut RunEnd,
) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + "glpat-".len();
    let body_len = run.len_from(bytes, body_start, is_b64url);
    if !(20..=MAX_TOKEN_BODY).contains(&body_len) {
        return None;
    }
    let end = body_start + body_len;
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::GitLabToken, start..end))
}

pub(super) fn match_slack(
    bytes: &[u8],
    start: usize,
    run: &mut RunEnd,
) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + "xoxb-".len();
    let body_len = run.len_from(bytes, body_start, |c| {
        c.is_ascii_alphanumeric() || c == b'-'
    });
    if !(10..=MAX_TOKEN_BODY).contains(&body_len) {
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

pub(super) fn match_slack_webhook(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
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

pub(super) fn match_stripe(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + "sk_live_".len();
    let body_len = run_len_max(bytes, body_start, MAX_TOKEN_BODY, |c| {
        c.is_ascii_alphanumeric()
    });
    if !(24..=MAX_TOKEN_BODY).contains(&body_len) {
        return None;
    }
    let end = body_start + body_len;
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::StripeLiveKey, start..end))
}

pub(super) fn match_google(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
    if glued_before(bytes, start) {
        return None;
    }
    let body_start = start + 4;
    // Google API keys are exactly 39 characters; a longer run is something else.
    if run_len_max(bytes, body_start, 35, is_b64url) != 35 {
        return None;
    }
    let end = body_start + 35;
    if is_fake_body(&bytes[body_start..end]) {
        return None;
    }
    Some((TokenKind::GoogleApiKey, start..end))
}

pub(super) fn match_jwt(bytes: &[u8], start: usize) -> Option<(TokenKind, Range<usize>)> {
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
pub(super) fn match_aws_secret(
    bytes: &[u8],
    after_keyword: usize,
) -> Option<(TokenKind, Range<usize>)> {
    // The rest of the key name (`_access_key`); a longer run is no key name.
    let name_len = run_len_max(bytes, after_keyword, 64, is_b64url);
    if name_len > 64 {
        return None;
    }
    let mut i = after_keyword + name_len;
    let sep_len = run_len_max(bytes, i, 8, |c| {
        matches!(c, b' ' | b'\t' | b'"' | b'\'' | b':' | b'=' | b'>' | b'\\')
    });
    if sep_len == 0 || sep_len > 8 {
        return None;
    }
    i += sep_len;
    let key_len = run_len_max(bytes, i, 40, is_b64);
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
/// the key has real material (templates ship with an empty or elided key). This is the
/// `service_account` trigger's half: is it the value of a `type` key?
pub(super) fn is_service_account_type(bytes: &[u8], start: usize) -> bool {
    let before = &bytes[..start];
    // The key is at most a few quotes, colons and spaces back; a longer gap is no JSON
    // key (and would be re-scanned by every trigger after it).
    let window = &before[before.len().saturating_sub(64)..];
    window
        .iter()
        .rposition(|c| {
            !matches!(
                c,
                b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'\\' | b':'
            )
        })
        .is_some_and(|key_end| window[..=key_end].ends_with(b"type"))
}

/// The range of the first `private_key` field holding a real PEM key.
pub(super) fn service_account_private_key(bytes: &[u8]) -> Option<Range<usize>> {
    for pos in memmem::find_iter(bytes, b"private_key") {
        let after = pos + "private_key".len();
        if !matches!(bytes.get(after), Some(b'"' | b'\'' | b'\\')) {
            continue;
        }
        // The PEM must be the value of this key, not a later field.
        let window = &bytes[after..bytes.len().min(after + 16 + "-----BEGIN ".len())];
        let Some(begin) = memmem::find(window, b"-----BEGIN ").map(|at| after + at) else {
            continue;
        };
        if let Some(range) = match_private_key(bytes, begin) {
            return Some(range);
        }
    }
    None
}

/// `-----BEGIN … PRIVATE KEY-----` followed by real key material. A bare
/// header, or one followed by "..." as in docs, is not a key.
pub(super) fn match_private_key(bytes: &[u8], start: usize) -> Option<Range<usize>> {
    let label_start = start + "-----BEGIN ".len();
    // A block ends at the next `-----BEGIN ` at the latest: every search below stays
    // inside its own block, so many (unterminated) headers are scanned once, not once per
    // header to the end of the text.
    let block_end = memmem::find(bytes.get(label_start..)?, b"-----BEGIN ")
        .map_or(bytes.len(), |at| label_start + at);
    let bytes = &bytes[..block_end];
    let label_len = run_len_max(bytes, label_start, 64, |c| {
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
            let footer_end = memmem::find(bytes.get(footer_start..)?, b"-----")
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
    is_key_material(&bytes[body_start..body_end]).then_some(start..end)
}

/// The rest of a private key whose header was split off by string concatenation: the
/// text opens with `PRIVATE KEY-----` and has real key material up to an
/// `-----END … PRIVATE KEY-----` footer.
pub(super) fn match_split_private_key(bytes: &[u8], start: usize) -> Option<Range<usize>> {
    if !bytes[..start].iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let body_start = start + "PRIVATE KEY-----".len();
    let body_end = body_start + memmem::find(bytes.get(body_start..)?, b"-----END ")?;
    let footer_start = body_end + "-----END ".len();
    let footer_len = memmem::find(bytes.get(footer_start..)?, b"-----")?;
    let footer = &bytes[footer_start..footer_start + footer_len];
    if !footer.ends_with(b"PRIVATE KEY") {
        return None;
    }
    is_key_material(&bytes[body_start..body_end]).then_some(start..footer_start + footer_len + 5)
}

/// A PEM body with real key material: base64, long and varied enough, not elided.
fn is_key_material(body: &[u8]) -> bool {
    if memmem::find(body, b"...").is_some() || memmem::find(body, "…".as_bytes()).is_some() {
        return false;
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
    material >= 64 && distinct_bytes(body) >= 16
}
