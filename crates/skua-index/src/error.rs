use std::io;
use std::sync::Arc;

/// Everything that can go wrong talking to a package index.
///
/// URLs in every variant are already redacted (see [`crate::redact_url`]), so an error can
/// be printed or logged as is. The type is `Clone` because one failed fetch is reported
/// to every caller that was waiting on the same de-duplicated request.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IndexError {
    /// No configured index has a page for the project (each answered 404).
    #[error("package `{name}` was not found in {}", index_list(indexes))]
    NotFound { name: String, indexes: Vec<String> },

    /// Offline mode and nothing usable in the cache. `name` is a project or a filename.
    #[error("`{name}` is not in the cache and network access is disabled (offline mode)")]
    Offline { name: String },

    /// The server answered with an unexpected status (after retries, for 5xx and 429).
    #[error("HTTP {} from {url}", status_text(*status))]
    Http { url: String, status: u16 },

    /// Connection, TLS, timeout or body errors, after retries.
    #[error("request to {url} failed: {message}")]
    Network { url: String, message: String },

    /// The server sent something that is not a valid page, archive or metadata file.
    #[error("invalid response from {url}: {message}")]
    Malformed { url: String, message: String },

    /// An index page, metadata file or range response larger than the configured limit;
    /// refused rather than buffered whole.
    #[error(
        "response from {url} is larger than {limit} bytes, the limit for index pages and metadata (set SKUA_HTTP_MAX_PAGE_BYTES to raise it)"
    )]
    TooLarge { url: String, limit: u64 },

    /// A downloaded file (or PEP 658 metadata file) does not have the advertised hash.
    #[error("hash mismatch for {filename}: expected sha256 {expected}, got {actual}")]
    HashMismatch {
        filename: String,
        expected: String,
        actual: String,
    },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: Arc<io::Error>,
    },

    /// The file exists, but its core metadata cannot be obtained from it.
    #[error("cannot read the core metadata of {filename}: {reason}")]
    MetadataUnavailable { filename: String, reason: String },

    /// An index URL given to the builder is not usable.
    #[error(transparent)]
    InvalidUrl(#[from] skua_types::InvalidIndexUrl),
}

impl IndexError {
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> IndexError {
        IndexError::Io {
            context: context.into(),
            source: Arc::new(source),
        }
    }

    /// True for errors worth retrying later (network trouble, server errors), as opposed
    /// to answers that will not change (404, hash mismatch, malformed data).
    pub fn is_transient(&self) -> bool {
        match self {
            IndexError::Network { .. } => true,
            IndexError::Http { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

fn index_list(indexes: &[String]) -> String {
    match indexes {
        [] => "any index (none configured)".to_owned(),
        [one] => format!("the package index {one}"),
        many => format!("any of the package indexes {}", many.join(", ")),
    }
}

fn status_text(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display() {
        let e = IndexError::NotFound {
            name: "foo".into(),
            indexes: vec!["https://a/simple/".into(), "https://b/simple/".into()],
        };
        assert_eq!(
            e.to_string(),
            "package `foo` was not found in any of the package indexes https://a/simple/, https://b/simple/"
        );
        let e = IndexError::Http {
            url: "https://a/simple/foo/".into(),
            status: 503,
        };
        assert_eq!(
            e.to_string(),
            "HTTP 503 Service Unavailable from https://a/simple/foo/"
        );
        assert!(e.is_transient());
    }
}
