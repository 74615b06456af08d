//! Diagnostics about the run itself: unreadable files, syntax errors, stale suppressions.

pub mod incomplete_check;
pub mod io_error;
pub mod syntax_error;
pub mod unused_noqa;
