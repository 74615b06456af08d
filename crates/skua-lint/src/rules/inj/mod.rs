//! Shell injection.

pub mod shell_injection;
