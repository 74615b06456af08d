//! Placeholders: values that are obviously not real secrets.

#[allow(unused_imports)]
use super::*;

/// Words that placeholder values are made of ("your-api-key-here",
/// "CHANGE_ME", "<dummy token>").
pub(super) const PLACEHOLDER_WORDS: &[&str] = &[
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
pub(super) const PLACEHOLDER_PARTS: &[&str] = &[
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
pub(super) const NEUTRAL_VALUE_WORDS: &[&str] = &[
    "sk", "rk", "pk", "live", "ghp", "gho", "ghu", "ghs", "ghr", "glpat", "xoxb", "xoxp", "xoxa",
    "xoxr", "xoxs", "akia", "asia", "aiza", "github", "pat", "v", "x",
];

/// Splits a value into words on non-alphanumerics and camelCase humps, but
/// not at digits, so "hunter2" stays one (non-placeholder) word.
pub(super) fn value_words(value: &str) -> Vec<&str> {
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

pub(super) fn segments_into_placeholder_parts(word: &str) -> bool {
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

pub(super) fn is_placeholder_word(word: &str) -> bool {
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

pub(super) fn made_of_placeholder_words(value: &str) -> bool {
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
pub(super) fn is_template(value: &str) -> bool {
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
/// (`***`, `XXXX-XXXX`, a run of six `X` anywhere), anything containing "example" (this covers the AWS
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
    // A mask inside a longer value: `W0000000?key=XXXXXXXXXXXXXXXXXXXXXXXX`.
    if memmem::find(b, b"XXXXXX").is_some() || memmem::find(b, b"xxxxxx").is_some() {
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
