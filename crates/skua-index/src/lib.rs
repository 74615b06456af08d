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

/// Entry points for the fuzz targets under `fuzz/` (not a stable API).
#[doc(hidden)]
pub mod fuzzing {
    /// The core metadata of an in-memory wheel named `name`-`version`, read the way the
    /// client reads a downloaded or ranged archive, then parsed.
    pub async fn wheel_metadata(
        bytes: &[u8],
        name: &skua_types::PackageName,
        version: &pep440_rs::Version,
    ) -> Result<crate::CoreMetadata, String> {
        let raw = crate::zipread::read_entry(&mut crate::zipread::MemorySource(bytes), |e| {
            crate::zipread::pick_wheel_metadata(e, name, version)
        })
        .await
        .map_err(|error| format!("{error:?}"))?;
        crate::CoreMetadata::parse(&raw).map_err(|error| error.to_string())
    }

    /// A simple-API project page (JSON when `json`, else HTML) as the client parses it.
    pub fn project_page(body: &[u8], json: bool) -> Result<crate::Project, String> {
        let index =
            crate::IndexUrl::parse("https://index.invalid/simple/").map_err(|e| e.to_string())?;
        let name = skua_types::PackageName::new("fuzzed").map_err(|e| e.to_string())?;
        let page_url =
            url::Url::parse("https://index.invalid/simple/fuzzed/").map_err(|e| e.to_string())?;
        let content_type = if json {
            "application/vnd.pypi.simple.v1+json"
        } else {
            "text/html"
        };
        crate::simple::parse_project_page(&index, &name, &page_url, Some(content_type), body)
            .map_err(|e| e.to_string())
    }
}
