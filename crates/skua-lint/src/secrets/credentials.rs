//! Credentials inside URLs, connection strings and Authorization headers.

#[allow(unused_imports)]
use super::*;

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
    url_passwords(value).next()
}

/// Every URL password in `value`, in order (see [`url_password`]). One pass: each URL's
/// user-info is looked for only up to the next `://`, so a long run of URLs without
/// whitespace between them costs time linear in its length, not quadratic.
pub fn url_passwords(value: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let b = value.as_bytes();
    let has_at = memchr::memchr(b'@', b).is_some();
    let mut separators = URL_SCHEME_SEPARATOR
        .find_iter(if has_at { b } else { &[] })
        .filter(|&sep| sep > 0 && b[sep - 1].is_ascii_alphanumeric())
        .peekable();
    std::iter::from_fn(move || {
        while let Some(sep) = separators.next() {
            let limit = separators.peek().copied().unwrap_or(b.len());
            if let Some(range) = userinfo_password(value, sep + 3, limit) {
                return Some(range);
            }
        }
        None
    })
}

pub(super) static URL_SCHEME_SEPARATOR: LazyLock<memmem::Finder<'static>> =
    LazyLock::new(|| memmem::Finder::new(b"://"));

/// The password of the URL whose authority starts at `start`, looking no further than
/// `limit` (where the next URL starts).
pub(super) fn userinfo_password(value: &str, start: usize, limit: usize) -> Option<Range<usize>> {
    let b = value.as_bytes().get(..limit.max(start))?;
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
pub(super) fn lenient_userinfo_end(url: &[u8]) -> Option<usize> {
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

pub(super) fn is_url_placeholder(user: &str, password: &str) -> bool {
    password == user
        || is_placeholder(password)
        || ["pass", "pw", "pwd", "passwd", "password", "secret"]
            .iter()
            .any(|p| p.eq_ignore_ascii_case(password))
        || password.contains(['{', '}', '$'])
        || (user.eq_ignore_ascii_case("scott") && password.eq_ignore_ascii_case("tiger"))
}

/// Keys whose value is a credential in `key=value;…` connection strings.
pub(super) const CONNECTION_STRING_SECRET_KEYS: &[&str] = &[
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
pub(super) fn is_connection_string(value: &str) -> bool {
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

pub(super) const AUTH_SCHEMES: &[&str] = &[
    "bearer", "basic", "token", "bot", "apikey", "api-key", "oauth", "ssws", "splunk",
];

pub(super) fn has_auth_scheme_prefix(value: &str) -> bool {
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

pub(super) static AUTHORIZATION_SEARCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["authorization"])
        .expect("a plain literal pattern")
});

pub(super) fn scheme_credential(
    value: &str,
    scheme_start: usize,
    whole_value: bool,
) -> Option<Range<usize>> {
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

pub(super) fn decode_base64(text: &str) -> Option<Vec<u8>> {
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
