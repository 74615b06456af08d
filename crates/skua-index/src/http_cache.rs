//! The on-disk HTTP cache for project pages: the body plus what is needed to decide
//! freshness (`Cache-Control: max-age`, `Age`) and to revalidate (`ETag`,
//! `Last-Modified`).
//!
//! One file per page: a line of JSON with the headers, then the raw body. A single file
//! keeps the write atomic (headers and body can never disagree).

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::header::{AGE, CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderMap, LAST_MODIFIED};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PageMeta {
    /// The final URL after redirects (no credentials): file URLs are relative to it.
    pub url: String,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Unix seconds when the response was received (or last revalidated).
    pub fetched_at: u64,
    /// Seconds the response stays fresh after `fetched_at`; `None` means revalidate
    /// every time.
    pub max_age: Option<u64>,
}

pub(crate) struct CachedPage {
    pub meta: PageMeta,
    pub body: Vec<u8>,
}

pub(crate) fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl CachedPage {
    pub(crate) fn encode(&self) -> Vec<u8> {
        // Serializing a struct of strings and integers cannot fail.
        let mut out = serde_json::to_vec(&self.meta).unwrap_or_default();
        out.push(b'\n');
        out.extend_from_slice(&self.body);
        out
    }

    /// `None` for anything unreadable (an older format, a foreign file): the caller then
    /// simply fetches again.
    pub(crate) fn decode(bytes: &[u8]) -> Option<CachedPage> {
        let newline = bytes.iter().position(|&b| b == b'\n')?;
        let meta = serde_json::from_slice(&bytes[..newline]).ok()?;
        Some(CachedPage {
            meta,
            body: bytes[newline + 1..].to_vec(),
        })
    }

    pub(crate) fn is_fresh(&self, now: u64) -> bool {
        self.meta
            .max_age
            .is_some_and(|max_age| now < self.meta.fetched_at.saturating_add(max_age))
    }
}

/// What a response allows us to do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    pub store: bool,
    pub max_age: Option<u64>,
}

pub(crate) fn policy(headers: &HeaderMap) -> Policy {
    let mut store = true;
    let mut max_age = None;
    let mut no_cache = false;
    for value in headers.get_all(CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',') {
            let directive = directive.trim();
            let (name, arg) = match directive.split_once('=') {
                Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
                None => (directive, None),
            };
            if name.eq_ignore_ascii_case("no-store") {
                store = false;
            } else if name.eq_ignore_ascii_case("no-cache") {
                no_cache = true;
            } else if name.eq_ignore_ascii_case("max-age") {
                max_age = arg.and_then(|a| a.parse::<u64>().ok());
            }
        }
    }
    if no_cache {
        max_age = None;
    }
    // A response that already sat in a shared cache for `Age` seconds has that much less
    // freshness left.
    let age = headers
        .get(AGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    Policy {
        store,
        max_age: max_age.map(|m| m.saturating_sub(age)).filter(|&m| m > 0),
    }
}

pub(crate) fn meta_from_response(url: &str, headers: &HeaderMap, now: u64) -> PageMeta {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    PageMeta {
        url: url.to_owned(),
        content_type: header(CONTENT_TYPE),
        etag: header(ETAG),
        last_modified: header(LAST_MODIFIED),
        fetched_at: now,
        max_age: policy(headers).max_age,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cache_control() {
        let p = policy(&headers(&[("cache-control", "max-age=600, public")]));
        assert_eq!(
            p,
            Policy {
                store: true,
                max_age: Some(600)
            }
        );
        let p = policy(&headers(&[
            ("cache-control", "max-age=600"),
            ("age", "100"),
        ]));
        assert_eq!(p.max_age, Some(500));
        let p = policy(&headers(&[("cache-control", "max-age=0, must-revalidate")]));
        assert_eq!(p.max_age, None);
        let p = policy(&headers(&[("cache-control", "no-cache, max-age=60")]));
        assert_eq!(p.max_age, None);
        assert!(!policy(&headers(&[("cache-control", "no-store")])).store);
        assert_eq!(
            policy(&headers(&[])),
            Policy {
                store: true,
                max_age: None
            }
        );
        assert_eq!(
            policy(&headers(&[("cache-control", "max-age=x")])).max_age,
            None
        );
    }

    #[test]
    fn roundtrip_and_freshness() {
        let page = CachedPage {
            meta: meta_from_response(
                "https://x/simple/a/",
                &headers(&[
                    ("cache-control", "max-age=10"),
                    ("etag", "\"abc\""),
                    ("content-type", "text/html"),
                ]),
                1000,
            ),
            body: b"<html>\n</html>".to_vec(),
        };
        let back = CachedPage::decode(&page.encode()).unwrap();
        assert_eq!(back.meta, page.meta);
        assert_eq!(back.body, page.body);
        assert_eq!(back.meta.etag.as_deref(), Some("\"abc\""));
        assert!(back.is_fresh(1009));
        assert!(!back.is_fresh(1010));
        assert!(CachedPage::decode(b"garbage").is_none());
    }
}
