//! Secret-looking values: does a value bound to a secret name look real?

#[allow(unused_imports)]
use super::*;

/// Values that describe a secret's type, mode or source rather than being one
/// (k8s secret types, OAuth grant types, SSM parameter types, …).
pub(super) const TYPE_VALUES: &[&str] = &[
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
pub(super) const REFERENCE_SCHEMES: &[&str] = &[
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
pub(super) const FILE_EXTENSIONS: &[&str] = &[
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
pub(super) const NON_SECRET_PREFIXES: &[&str] = &[
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
pub(super) struct CharClasses {
    pub(super) lower: usize,
    pub(super) upper: usize,
    pub(super) digit: usize,
    pub(super) other: usize,
}

pub(super) fn char_classes(value: &str) -> CharClasses {
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
pub(super) fn is_camel_words(s: &str) -> bool {
    // Digits are version or index markers in identifiers (`V1SecretVolumeSource`), not
    // entropy; one single-letter word (`V`, `I`) is common in class names too.
    let letters: String = s.chars().filter(|c| !c.is_ascii_digit()).collect();
    let words = split_name_words(&letters);
    !words.is_empty()
        && words.iter().filter(|w| w.len() < 2).count() <= usize::from(words.len() >= 3)
        && words.iter().map(String::len).sum::<usize>() >= 3 * words.len()
}

/// Does this fragment look machine-generated (a key, a hash, a webhook
/// token) rather than a word, an id or a version?
pub(super) fn is_random_fragment(s: &str, min_len: usize) -> bool {
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
pub(super) fn is_identifier_words(value: &str) -> bool {
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
pub(super) fn is_regex_like(value: &str) -> bool {
    [
        "\\w", "\\d", "\\s", "\\b", "[^", "(?", ".*", ".+", "a-z", "A-Z", "0-9",
    ]
    .iter()
    .any(|p| value.contains(p))
}

/// "123456", "abc123", "abcd1234": keyboard-walk dummies, not secrets.
pub(super) fn is_sequential(value: &str) -> bool {
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
pub(super) fn is_env_var_name(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() >= 2
        && (b[0].is_ascii_uppercase() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
        && (b.contains(&b'_') || !b.iter().any(u8::is_ascii_digit))
}

pub(super) fn is_email(value: &str) -> bool {
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
pub(super) fn is_numeric_shape(value: &str) -> bool {
    let v = value.strip_prefix(['v', 'V']).unwrap_or(value);
    v.bytes().any(|c| c.is_ascii_digit())
        && v.bytes().all(|c| {
            c.is_ascii_digit() || matches!(c, b'.' | b'-' | b':' | b'/' | b'T' | b'Z' | b'+')
        })
        && v.bytes().any(|c| !c.is_ascii_digit())
}

/// Paths, file names, ARNs, `vault:`/`env:` references and Secrets Manager /
/// SSM / Vault ids like "prod/db/password": where a secret lives, not the secret.
pub(super) fn is_reference(value: &str) -> bool {
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
pub(super) fn url_has_secret_component(value: &str) -> bool {
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
pub(super) fn json_has_secret(value: &str) -> bool {
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
        // Versioned class and type names (`V1SecretVolumeSource`): several capitalised
        // words around a digit, unlike passwords with one capital and digits swapped in.
        (true, true, false) => !(classes.upper >= 3 && is_camel_words(word)),
        _ => true,
    }
}

/// Configuration words that a password-named setting holds instead of a password.
const PASSWORD_SETTING_WORDS: &[&str] = &[
    "true",
    "false",
    "yes",
    "no",
    "on",
    "off",
    "null",
    "none",
    "nil",
    "required",
    "optional",
    "prompt",
    "ask",
    "env",
    "environ",
    "environment",
    "file",
    "stdin",
    "keyring",
    "vault",
    "secret",
    "secrets",
    "password",
    "passwd",
    "auto",
    "default",
    "empty",
    "unset",
    "disabled",
    "enabled",
    "hidden",
    "masked",
    "string",
    "str",
    "text",
    "input",
    "plain",
    "plaintext",
    "md5",
    "sha256",
    "scram-sha-256",
    "trust",
    "peer",
    "ident",
    "basic",
    "digest",
    "bcrypt",
    "argon2",
    "pbkdf2",
];

/// The weaker judgement for values bound to a *password*-named key in non-test code: a
/// hardcoded default password is a finding even when it is a word (`postgres`, `admin`),
/// as long as it is a single literal word and not a placeholder, reference, setting or name.
pub fn looks_like_password_value(value: &str) -> bool {
    let v = value.trim();
    if looks_like_secret_value(v) {
        return true;
    }
    if is_placeholder(v)
        || v.chars().count() < 4
        || v.contains(char::is_whitespace)
        || v.contains("://")
        || is_reference(v)
        || is_env_var_name(v)
        || is_email(v)
        || is_numeric_shape(v)
        || PASSWORD_SETTING_WORDS
            .iter()
            .any(|word| word.eq_ignore_ascii_case(v))
    {
        return false;
    }
    // `db_password`, `auth.password`: the name of another setting.
    !(v.contains(['_', '.', ':']) && is_identifier_words(v))
}
