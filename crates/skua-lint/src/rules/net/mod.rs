//! Network calls.

pub mod request_without_timeout;
