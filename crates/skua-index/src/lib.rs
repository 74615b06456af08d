//! Async client for Python package indexes ("simple" repositories).
//!
//! - Project pages: PEP 691 JSON preferred, PEP 503 HTML as fallback, with PEP 592
//!   (yanked), PEP 658/714 (metadata files) and PEP 700 (size, upload time) data.
//! - Core metadata: the PEP 658 `.metadata` file when advertised, else the wheel's
//!   METADATA through HTTP range requests, else a full download (sdists: PKG-INFO).
//! - Downloads verified against the advertised sha256, written atomically.
//! - An on-disk HTTP cache (`simple-v1`, revalidated with ETag / Last-Modified and
//!   honouring `max-age`), immutable caches for metadata (`metadata-v1`) and files
//!   (`files-v1`), offline and refresh modes.
//! - Retries with backoff for transient failures, a cap on requests in flight, and
//!   de-duplication of identical concurrent requests, so callers can prefetch freely.
//! - Credentials from index URLs or `.netrc`, never shown in errors or `Display`.
//!
//! Index priority follows uv's default "first index" strategy: a project is taken from
//! the first index (in the configured order) that has it at all, which stops a public
//! index from shadowing an internal package (dependency confusion).

mod client;
mod error;
mod html;
mod http_cache;
mod metadata;
mod netrc;
mod simple;
mod zipread;

pub use client::{IndexClient, IndexClientBuilder};
pub use error::IndexError;
pub use metadata::CoreMetadata;
pub use simple::{DistFile, DistKind, Project, parse_timestamp};
pub use skua_types::{
    ExcludeNewer, IndexUrl, InvalidIndexUrl, PackageName, SdistFilename, Sha256, WheelFilename,
    redact_url,
};

/// Re-exported so callers can name the types in the public API without depending on
/// matching versions themselves.
pub use jiff::Timestamp;
pub use pep440_rs::Version;
pub use skua_cache::Cache;
pub use url::Url;
