//! The vocabulary every skua crate shares, at the bottom of the crate graph (after uv's
//! `uv-normalize`, `uv-distribution-filename` and `uv-pypi-types`):
//!
//! - [`PackageName`] and [`ExtraName`]: PEP 503 / PEP 685 names, normalized once, here.
//! - [`Sha256`]: a typed file digest (`sha256:<hex>`).
//! - [`WheelFilename`] and [`SdistFilename`]: distribution filenames with their tags.
//! - [`IndexUrl`]: a simple-repository base URL whose credentials are never displayed.
//! - [`ExcludeNewer`]: the upload-time cutoff of a resolution.
//! - [`Version`], [`VersionSpecifiers`]: PEP 440 values, as `pep440_rs` types.
//!
//! Domain values cross crate boundaries as these types, not as bare strings.

mod exclude_newer;
mod filename;
mod hash;
mod index_url;
mod name;

pub use exclude_newer::{ExcludeNewer, InvalidExcludeNewer};
pub use filename::{SdistFilename, WheelFilename};
pub use hash::{InvalidHash, Sha256};
pub use index_url::{
    IndexUrl, InvalidIndexUrl, credentials_of, has_credentials, percent_decode, redact_str,
    redact_url, strip_credentials,
};
pub use name::{ExtraName, GroupName, InvalidName, PackageName};

pub use jiff::Timestamp;
pub use pep440_rs::{Version, VersionSpecifier, VersionSpecifiers};
pub use url::Url;
