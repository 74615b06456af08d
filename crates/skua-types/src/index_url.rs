use std::fmt;
use std::str::FromStr;

use url::Url;

use crate::PackageName;

/// An index URL that cannot be used; `url` is already redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid index URL `{url}`: {reason}")]
pub struct InvalidIndexUrl {
    pub url: String,
    pub reason: String,
}

/// The base URL of a simple repository (PEP 503), e.g. `https://pypi.org/simple/`.
///
/// It always ends with `/`, so project pages are `{index}{normalized-name}/`. Credentials
/// given as userinfo are kept for requests but never shown: `Display` and `Debug` print
/// `https://****@host/simple/`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IndexUrl {
    url: Url,
}

impl IndexUrl {
    pub fn parse(input: &str) -> Result<IndexUrl, InvalidIndexUrl> {
        let invalid = |reason: &str| InvalidIndexUrl {
            url: redact_str(input),
            reason: reason.to_owned(),
        };
        let mut url = Url::parse(input.trim()).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid("only http and https indexes are supported"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(invalid("no host"));
        }
        // Fragments and queries are never part of a simple index base URL; keeping them
        // would break the `{index}{name}/` joins.
        url.set_fragment(None);
        url.set_query(None);
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(IndexUrl { url })
    }

    /// The URL including credentials. Do not print it; use `Display` instead.
    pub fn url_with_credentials(&self) -> &Url {
        &self.url
    }

    /// The URL without credentials (what goes on the wire; auth is sent as a header).
    pub fn url(&self) -> Url {
        strip_credentials(&self.url)
    }

    pub fn has_credentials(&self) -> bool {
        has_credentials(&self.url)
    }

    /// The page URL of a project: `{index}{normalized}/`.
    pub fn project_url(&self, name: &PackageName) -> Url {
        let mut url = self.url();
        let path = format!("{}{}/", url.path(), name);
        url.set_path(&path);
        url
    }

    /// Percent-decoded `(username, password)`; never print them.
    pub fn credentials(&self) -> Option<(String, Option<String>)> {
        credentials_of(&self.url)
    }
}

impl fmt::Display for IndexUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.url))
    }
}

impl fmt::Debug for IndexUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IndexUrl({})", redact_url(&self.url))
    }
}

impl FromStr for IndexUrl {
    type Err = InvalidIndexUrl;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IndexUrl::parse(s)
    }
}

/// The URL as a string with any userinfo replaced by `****`.
pub fn redact_url(url: &Url) -> String {
    if !has_credentials(url) {
        return url.to_string();
    }
    let mut redacted = url.clone();
    // Both setters only fail for URLs that cannot have credentials at all, which we
    // ruled out above.
    let _ = redacted.set_password(None);
    let _ = redacted.set_username("****");
    redacted.to_string()
}

/// Redacts a string that may or may not parse as a URL (for error messages about
/// unusable input, which can still carry a secret).
///
/// A URL with a host is redacted by [`redact_url`]. Anything else that contains `@` —
/// `user:pass@host/simple` (which parses as scheme `user`), `token@host`,
/// `https://user:pa/ss@host` — loses everything before its last `@`, keeping only a
/// leading `scheme://` or `//`. Over-redacting a malformed path is the price of never
/// echoing a password typed without a scheme or with unescaped characters.
pub fn redact_str(input: &str) -> String {
    if let Ok(url) = Url::parse(input)
        && url.has_host()
    {
        return redact_url(&url);
    }
    let Some(at) = input.rfind('@') else {
        return input.to_owned();
    };
    let keep = match input.find("://") {
        Some(end) if end + 3 <= at && is_scheme(&input[..end]) => end + 3,
        _ if input.starts_with("//") => 2,
        _ => 0,
    };
    format!("{}****{}", &input[..keep], &input[at..])
}

/// RFC 3986: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

pub fn has_credentials(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

pub fn strip_credentials(url: &Url) -> Url {
    let mut url = url.clone();
    if has_credentials(&url) {
        let _ = url.set_password(None);
        let _ = url.set_username("");
    }
    url
}

/// Percent-decoded `(username, password)` from the URL's userinfo.
pub fn credentials_of(url: &Url) -> Option<(String, Option<String>)> {
    if !has_credentials(url) {
        return None;
    }
    Some((
        percent_decode(url.username()),
        url.password().map(percent_decode),
    ))
}

/// Decodes `%XX` escapes (invalid escapes are kept verbatim; invalid UTF-8 is replaced).
pub fn percent_decode(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && hex.iter().all(u8::is_ascii_hexdigit)
            && let Ok(hex) = std::str::from_utf8(hex)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_trailing_slash_and_joins_projects() {
        let i = IndexUrl::parse("https://example.org/simple").unwrap();
        assert_eq!(i.to_string(), "https://example.org/simple/");
        assert_eq!(
            i.project_url(&PackageName::new("Foo_Bar").unwrap())
                .as_str(),
            "https://example.org/simple/foo-bar/"
        );
        assert!(IndexUrl::parse("ftp://example.org/").is_err());
        assert!(IndexUrl::parse("not a url").is_err());
    }

    #[test]
    fn redacts_credentials_everywhere() {
        let i = IndexUrl::parse("https://user:s3cret@example.org:8443/simple/").unwrap();
        assert_eq!(i.to_string(), "https://****@example.org:8443/simple/");
        assert!(!format!("{i:?}").contains("s3cret"));
        assert!(
            !i.project_url(&PackageName::new("x").unwrap())
                .as_str()
                .contains("s3cret")
        );
        assert!(!i.url().as_str().contains("user"));
        assert_eq!(
            i.credentials(),
            Some(("user".to_owned(), Some("s3cret".to_owned())))
        );
        // A token without password is redacted as well.
        let t = IndexUrl::parse("https://tok3n@example.org/simple/").unwrap();
        assert_eq!(t.to_string(), "https://****@example.org/simple/");
        assert_eq!(t.credentials(), Some(("tok3n".to_owned(), None)));
        // Errors about unparsable URLs do not leak either.
        let err = IndexUrl::parse("https://user:s3cret@exa mple.org/").unwrap_err();
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }

    #[test]
    fn redacts_user_info_in_unparsable_and_schemeless_input() {
        let cases = [
            // No scheme: `user:` parses as a scheme, the secret as its path.
            (
                "user:s3cret@host.example/simple",
                "****@host.example/simple",
            ),
            (
                "user:s3cret@host.example:8080/simple/",
                "****@host.example:8080/simple/",
            ),
            // A bare token, which does not parse at all.
            ("s3cret@host.example/simple", "****@host.example/simple"),
            (
                "//user:s3cret@host.example/simple",
                "//****@host.example/simple",
            ),
            // An `@` or `/` inside the password: everything up to the last `@` goes.
            ("user:s3c@ret@host.example", "****@host.example"),
            (
                "https://user:s3c/ret@host.example/",
                "https://****@host.example/",
            ),
            // Schemes the index refuses, with and without an authority.
            (
                "ftp://user:s3cret@host.example/",
                "ftp://****@host.example/",
            ),
            (
                "file://user:s3cret@host.example/",
                "file://****@host.example/",
            ),
            ("mailto:user:s3cret@host.example", "****@host.example"),
            (
                "https://user:s3cret@exa mple.org/",
                "https://****@exa mple.org/",
            ),
            // Something before `://` that is not a scheme is not kept either.
            ("us er:s3cret://x@host.example", "****@host.example"),
        ];
        for (input, expected) in cases {
            let redacted = redact_str(input);
            assert_eq!(redacted, expected, "{input}");
            let err = IndexUrl::parse(input).unwrap_err();
            assert!(!err.to_string().contains("s3c"), "{input}: {err}");
        }
        // Nothing to hide: the input comes back as it was.
        assert_eq!(redact_str("not a url"), "not a url");
        assert_eq!(redact_str("host.example/simple"), "host.example/simple");
        assert_eq!(
            redact_str("https://host.example/simple/"),
            "https://host.example/simple/"
        );
        assert_eq!(
            redact_str("https://user:s3cret@host.example/simple/"),
            "https://****@host.example/simple/"
        );
    }

    #[test]
    fn decodes_percent_encoded_credentials() {
        let i = IndexUrl::parse("https://me%40corp:p%3Ass+w@example.org/simple/").unwrap();
        assert_eq!(
            i.credentials(),
            Some(("me@corp".to_owned(), Some("p:ss+w".to_owned())))
        );
    }
}
