use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hyper::StatusCode;
use hyper::header::{AUTHORIZATION, HeaderMap};

/// Fault injection for an [`IndexServer`](crate::IndexServer), changeable while it runs.
///
/// Path patterns are plain substrings of the request path (without the query), e.g.
/// `"/files/"`, `".whl.metadata"` or `"/simple/skf-app/"`. Counted faults (`*_next`) are
/// used up one matching request at a time; pass `usize::MAX` for "always".
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<FaultState>,
}

#[derive(Debug, Default)]
struct FaultState {
    failures: Vec<Counted<StatusCode>>,
    truncations: Vec<Counted<()>>,
    delays: Vec<(String, Duration)>,
    malformed: HashSet<String>,
    /// Bodies sent one byte per interval.
    drips: Vec<(String, Duration)>,
    /// Pages replaced by a generated body of this many bytes, sent without a length.
    huge: Vec<(String, u64)>,
    /// Where to send matching requests: an origin (or any prefix) the path is appended to.
    redirects: Vec<Counted<String>>,
    /// `user:password`, as it appears once decoded from the header.
    basic_auth: Option<String>,
}

#[derive(Debug)]
struct Counted<T> {
    pattern: String,
    remaining: usize,
    value: T,
}

fn take<T: Clone>(rules: &mut Vec<Counted<T>>, path: &str) -> Option<T> {
    let rule = rules
        .iter_mut()
        .find(|r| r.remaining > 0 && path.contains(&r.pattern))?;
    rule.remaining -= 1;
    let value = rule.value.clone();
    rules.retain(|r| r.remaining > 0);
    Some(value)
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, FaultState> {
        // A test that panicked while holding the lock leaves valid state behind; the
        // server must keep answering the other tests' requests.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answers the next `times` requests whose path contains `path_contains` with `status`
    /// (e.g. 500, 503, 404) and an empty body. Checked before authentication, like a
    /// failing proxy in front of the index.
    ///
    /// # Panics
    ///
    /// If `status` is not a valid HTTP status code.
    pub fn fail_next(&self, path_contains: &str, times: usize, status: u16) {
        let status = StatusCode::from_u16(status).expect("fail_next needs a valid status code");
        self.lock().failures.push(Counted {
            pattern: path_contains.to_owned(),
            remaining: times,
            value: status,
        });
    }

    /// Delays every response to a path containing `path_contains` by `by`, until
    /// [`clear`](Self::clear). The server stays responsive to other requests meanwhile.
    pub fn delay(&self, path_contains: &str, by: Duration) {
        self.lock().delays.push((path_contains.to_owned(), by));
    }

    /// Sends the body of every successful GET to a path containing `path_contains` one byte
    /// per `interval` (a server that trickles data: never silent long enough for a read
    /// timeout), until [`clear`](Self::clear).
    pub fn drip(&self, path_contains: &str, interval: Duration) {
        self.lock().drips.push((path_contains.to_owned(), interval));
    }

    /// Answers every GET to a path containing `path_contains` with 200 and a generated HTML
    /// body of `bytes` bytes, streamed in chunks without a `Content-Length` (memory use on
    /// the server stays small), until [`clear`](Self::clear).
    pub fn huge_page(&self, path_contains: &str, bytes: u64) {
        self.lock().huge.push((path_contains.to_owned(), bytes));
    }

    pub(crate) fn drip_for(&self, path: &str) -> Option<Duration> {
        self.lock()
            .drips
            .iter()
            .find(|(pattern, _)| path.contains(pattern.as_str()))
            .map(|(_, interval)| *interval)
    }

    pub(crate) fn huge_for(&self, path: &str) -> Option<u64> {
        self.lock()
            .huge
            .iter()
            .find(|(pattern, _)| path.contains(pattern.as_str()))
            .map(|(_, bytes)| *bytes)
    }

    /// Serves a cut-off, unparsable JSON page for `project` (any spelling; it is
    /// normalized) until [`clear`](Self::clear). HTML pages are unaffected.
    pub fn malformed_json(&self, project: &str) {
        let project = skua_types::PackageName::new(project)
            .map_or_else(|_| project.to_owned(), |name| name.to_string());
        self.lock().malformed.insert(project);
    }

    /// For the next `times` successful GETs of a path containing `path_contains`, sends the
    /// full `Content-Length` header but only half the body, then drops the connection.
    pub fn truncate_next(&self, path_contains: &str, times: usize) {
        self.lock().truncations.push(Counted {
            pattern: path_contains.to_owned(),
            remaining: times,
            value: (),
        });
    }

    /// Answers the next `times` requests whose path contains `path_contains` with a 302 to
    /// `to` followed by the request's path and query, e.g. `to` = another server's
    /// [`url`](crate::IndexServer::url) (a CDN) or this server's own (a redirect to
    /// itself). Checked after authentication, like an index that sends downloads elsewhere.
    pub fn redirect_next(&self, path_contains: &str, times: usize, to: &str) {
        self.lock().redirects.push(Counted {
            pattern: path_contains.to_owned(),
            remaining: times,
            value: to.to_owned(),
        });
    }

    /// Requires HTTP basic auth with these credentials on every request; others get 401
    /// with a `WWW-Authenticate: Basic` challenge.
    pub fn require_basic_auth(&self, user: &str, password: &str) {
        self.lock().basic_auth = Some(format!("{user}:{password}"));
    }

    /// Switches every fault off, including authentication.
    pub fn clear(&self) {
        *self.lock() = FaultState::default();
    }

    pub(crate) fn take_failure(&self, path: &str) -> Option<StatusCode> {
        take(&mut self.lock().failures, path)
    }

    pub(crate) fn take_redirect(&self, path: &str) -> Option<String> {
        take(&mut self.lock().redirects, path)
    }

    pub(crate) fn take_truncation(&self, path: &str) -> bool {
        take(&mut self.lock().truncations, path).is_some()
    }

    pub(crate) fn delay_for(&self, path: &str) -> Option<Duration> {
        self.lock()
            .delays
            .iter()
            .filter(|(pattern, _)| path.contains(pattern.as_str()))
            .map(|(_, by)| *by)
            .max()
    }

    pub(crate) fn is_malformed(&self, normalized_project: &str) -> bool {
        self.lock().malformed.contains(normalized_project)
    }

    pub(crate) fn authorized(&self, headers: &HeaderMap) -> bool {
        let state = self.lock();
        let Some(expected) = &state.basic_auth else {
            return true;
        };
        let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        // The scheme name is case-insensitive (RFC 9110).
        let Some((scheme, credentials)) = value.trim().split_once(' ') else {
            return false;
        };
        scheme.eq_ignore_ascii_case("basic")
            && STANDARD
                .decode(credentials.trim())
                .is_ok_and(|decoded| decoded == expected.as_bytes())
    }
}
