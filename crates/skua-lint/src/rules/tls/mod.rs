//! TLS verification.

pub mod insecure_warnings_disabled;
pub mod unverified_ssl_context;
pub mod verify_disabled;
