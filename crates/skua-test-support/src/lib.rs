//! Test infrastructure for skua's resolver and installer: an offline package index.
//!
//! [`fixture_index_dir`] builds the fixture index described by `fixtures/index/packages.toml`
//! (wheels, sdists, PEP 658 metadata files, PEP 691 JSON and PEP 503 HTML pages) once per
//! test process, and [`IndexServer`] serves it over real HTTP on 127.0.0.1 with content
//! negotiation, range requests, ETags and runtime fault injection ([`Faults`]).
//!
//! ```no_run
//! use skua_test_support::IndexServer;
//!
//! let server = IndexServer::start_fixture();
//! let primary = server.simple_url("primary"); // http://127.0.0.1:PORT/primary/simple/
//! server.faults().fail_next("/files/", 1, 503);
//! // ... run the resolver against `primary` ...
//! assert!(server.requests().iter().all(|r| !r.is_full_download()));
//! ```
//!
//! The scenarios (which project exercises what) are documented in `packages.toml` itself.

mod body;
mod faults;
mod fixture;
mod server;

pub use faults::Faults;
pub use fixture::{
    build_fixture_index, fixture_index_dir, fixture_script_path, fixture_spec_path, python,
};
pub use server::{IndexServer, RequestLog};

/// PEP 503 normalization, the form project names take in URLs and in the JSON pages.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize_name;

    #[test]
    fn normalizes_like_pep_503() {
        assert_eq!(normalize_name("Skf_Mixed.Case"), "skf-mixed-case");
        assert_eq!(normalize_name("SKF--._x"), "skf-x");
        assert_eq!(normalize_name("skf-simple"), "skf-simple");
    }
}
