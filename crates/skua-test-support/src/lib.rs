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
