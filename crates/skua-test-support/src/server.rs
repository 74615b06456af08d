use std::convert::Infallible;
use std::fs;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{
    ACCEPT, ACCEPT_RANGES, ALLOW, AUTHORIZATION, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_RANGE,
    CONTENT_TYPE, ETAG, HeaderName, HeaderValue, IF_NONE_MATCH, LOCATION, RANGE, VARY,
    WWW_AUTHENTICATE,
};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::oneshot;

use crate::body::Body;
use crate::faults::Faults;
use crate::fixture::{fixture_index_dir, sha256_hex};

const JSON_TYPE: &str = "application/vnd.pypi.simple.v1+json";
const HTML_TYPE: &str = "application/vnd.pypi.simple.v1+html";
/// Pages change whenever the fixtures do, so clients must revalidate; the ETag makes that
/// cheap and lets tests check that a warm cache sends If-None-Match.
const PAGE_CACHE_CONTROL: &str = "max-age=0, must-revalidate";
/// Distribution files never change once uploaded, as on PyPI.
const FILE_CACHE_CONTROL: &str = "max-age=365000000, immutable, public";

/// One request the server answered, for assertions such as "no wheel was downloaded whole"
/// or "the second run made no requests".
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestLog {
    /// `GET` or `HEAD` (anything else is logged with status 405).
    pub method: String,
    /// The request path, without the query string.
    pub path: String,
    /// The `Range` header, verbatim.
    pub range: Option<String>,
    /// The `Accept` header, verbatim.
    pub accept: Option<String>,
    /// The `If-None-Match` header, verbatim.
    pub if_none_match: Option<String>,
    /// Whether an `Authorization` header was sent (its value is not kept).
    pub authorization: bool,
    pub status: u16,
    /// The `Content-Length` announced; a truncated response delivered only half of it.
    pub content_length: u64,
    /// The body was cut short by [`Faults::truncate_next`].
    pub truncated: bool,
}

impl RequestLog {
    /// A GET answered with a whole distribution file: 200 and no range.
    pub fn is_full_download(&self) -> bool {
        self.method == "GET"
            && self.status == 200
            && self.range.is_none()
            && self.path.contains("/files/")
            && !self.path.ends_with(".metadata")
    }
}

struct State {
    root: PathBuf,
    faults: Faults,
    log: Mutex<Vec<RequestLog>>,
}

impl State {
    fn log(&self) -> MutexGuard<'_, Vec<RequestLog>> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A real HTTP/1.1 server on `127.0.0.1:<random port>` serving a built fixture index.
///
/// It runs on its own thread with its own single-threaded tokio runtime, so it works the
/// same from synchronous tests and from `#[tokio::test]`s, and it stops when dropped.
///
/// Routes, for each index directory `{index}` under the root:
///
/// - `/{index}/simple/` and `/{index}/simple/{project}/`: PEP 691 content negotiation
///   between the JSON and HTML pages (JSON when the client states no preference, 406 when
///   it accepts neither); the project name is normalized, and the slash-less forms
///   redirect (301) so relative file URLs resolve correctly. Pages carry an ETag and
///   `Cache-Control: max-age=0, must-revalidate`, and answer `If-None-Match` with 304.
/// - `/{index}/files/{file}`: bytes with `Content-Length`, `Accept-Ranges: bytes`, a
///   sha256 ETag, single `Range: bytes=a-b` / `bytes=a-` / `bytes=-n` requests (206, or
///   416 when unsatisfiable) and `If-None-Match` (304).
///
/// `HEAD` works everywhere `GET` does; other methods get 405, unknown paths 404.
pub struct IndexServer {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl IndexServer {
    /// Serves `root`, a directory built by `scripts/make_fixture_index.py`.
    ///
    /// # Panics
    ///
    /// If `root` is not a directory or no local port can be bound.
    pub fn start(root: &Path) -> IndexServer {
        assert!(
            root.is_dir(),
            "IndexServer root {} is not a directory",
            root.display()
        );
        // Bound here rather than on the server thread so the port is known, and accepting,
        // before start() returns.
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("cannot bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("cannot make the listener non-blocking");
        let addr = listener
            .local_addr()
            .expect("listener has no local address");
        let state = Arc::new(State {
            root: root.to_owned(),
            faults: Faults::default(),
            log: Mutex::new(Vec::new()),
        });
        let (shutdown, shutdown_rx) = oneshot::channel();
        let thread_state = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name(format!("index-server-{}", addr.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("cannot build the index server's tokio runtime");
                runtime.block_on(serve(listener, thread_state, shutdown_rx));
                // Dropping the runtime here cancels the connection tasks, closing any
                // keep-alive connections clients still hold.
            })
            .expect("cannot spawn the index server thread");
        IndexServer {
            addr,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// Serves the shared fixture index from [`fixture_index_dir`].
    pub fn start_fixture() -> IndexServer {
        IndexServer::start(fixture_index_dir())
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/{index}/simple/`, the URL to give a client as its index.
    pub fn simple_url(&self, index: &str) -> String {
        format!("{}/{index}/simple/", self.url())
    }

    /// `http://127.0.0.1:PORT/{index}/files/{filename}`, where a page's relative URLs lead.
    pub fn file_url(&self, index: &str, filename: &str) -> String {
        format!("{}/{index}/files/{filename}", self.url())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// Every request answered so far, oldest first.
    pub fn requests(&self) -> Vec<RequestLog> {
        self.state.log().clone()
    }

    /// How many requests answered so far had a path containing `path_contains`
    /// (`""` counts them all).
    pub fn request_count(&self, path_contains: &str) -> usize {
        self.state
            .log()
            .iter()
            .filter(|r| r.path.contains(path_contains))
            .count()
    }

    /// Forgets the logged requests, e.g. between a cold and a warm run.
    pub fn clear_requests(&self) {
        self.state.log().clear();
    }
}

impl Drop for IndexServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic on the server thread has already been printed; raising another one
            // from drop would only abort the test binary.
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for IndexServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexServer")
            .field("addr", &self.addr)
            .field("root", &self.state.root)
            .finish_non_exhaustive()
    }
}

async fn serve(listener: TcpListener, state: Arc<State>, mut shutdown: oneshot::Receiver<()>) {
    let listener = tokio::net::TcpListener::from_std(listener)
        .expect("cannot register the listener with tokio");
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = Arc::clone(&state);
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(handle(&state, req).await) }
                    });
                    // Errors here are clients going away or injected truncations.
                    let _ = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

fn header(req: &Request<Incoming>, name: HeaderName) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn handle(state: &State, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let faults = &state.faults;
    if let Some(by) = faults.delay_for(&path) {
        tokio::time::sleep(by).await;
    }
    let mut response = if let Some(status) = faults.take_failure(&path) {
        status_only(status)
    } else if !faults.authorized(req.headers()) {
        let mut response = status_only(StatusCode::UNAUTHORIZED);
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"skua-test-index\""),
        );
        response
    } else if let Some(to) = faults.take_redirect(&path) {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map_or(path.as_str(), |p| p.as_str());
        let mut response = status_only(StatusCode::FOUND);
        if let Ok(location) = HeaderValue::from_str(&format!("{to}{path_and_query}")) {
            response.headers_mut().insert(LOCATION, location);
        }
        response
    } else if let Some(bytes) = faults
        .huge_for(&path)
        .filter(|_| req.method() == Method::GET)
    {
        let mut response = Response::new(Body::generated(bytes));
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            HeaderValue::from_static("text/html"),
        );
        response
    } else {
        route(state, &req, &path)
    };

    let mut truncated = false;
    if req.method() == Method::GET
        && matches!(
            response.status(),
            StatusCode::OK | StatusCode::PARTIAL_CONTENT
        )
        && faults.take_truncation(&path)
        && let Body::Full(Some(bytes)) = response.body()
    {
        let half = bytes.slice(..bytes.len() / 2);
        *response.body_mut() = Body::truncated(half);
        truncated = true;
    }

    if req.method() == Method::GET
        && response.status() == StatusCode::OK
        && let Some(interval) = faults.drip_for(&path)
        && let Body::Full(Some(bytes)) = response.body()
    {
        let bytes = bytes.clone();
        *response.body_mut() = Body::drip(bytes, interval);
    }

    let content_length = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    state.log().push(RequestLog {
        method: req.method().to_string(),
        path,
        range: header(&req, RANGE),
        accept: header(&req, ACCEPT),
        if_none_match: header(&req, IF_NONE_MATCH),
        authorization: req.headers().contains_key(AUTHORIZATION),
        status: response.status().as_u16(),
        content_length,
        truncated,
    });
    response
}

fn status_only(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    response
}

fn redirect(location: String) -> Response<Body> {
    let mut response = status_only(StatusCode::MOVED_PERMANENTLY);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// One path segment that can only name something inside the served directory.
fn plain_segment(segment: &str) -> bool {
    !segment.is_empty() && segment != "." && segment != ".." && !segment.contains(['\\', '\0', '%'])
}

fn route(state: &State, req: &Request<Incoming>, path: &str) -> Response<Body> {
    let head = match *req.method() {
        Method::GET => false,
        Method::HEAD => true,
        _ => {
            let mut response = status_only(StatusCode::METHOD_NOT_ALLOWED);
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (index, rest) = match segments.split_first() {
        Some((index, rest)) if plain_segment(index) => (*index, rest),
        _ => return status_only(StatusCode::NOT_FOUND),
    };
    let index_dir = state.root.join(index);
    if !index_dir.join("simple").is_dir() {
        return status_only(StatusCode::NOT_FOUND);
    }
    match rest {
        ["simple"] => redirect(format!("/{index}/simple/")),
        ["simple", ""] => page(req, head, &index_dir.join("simple"), false),
        ["simple", name] if plain_segment(name) => redirect(format!("/{index}/simple/{name}/")),
        ["simple", name, ""] if plain_segment(name) => {
            let Ok(project) = skua_types::PackageName::new(name) else {
                return status_only(StatusCode::NOT_FOUND);
            };
            let project = project.to_string();
            let malformed = state.faults.is_malformed(&project);
            page(
                req,
                head,
                &index_dir.join("simple").join(&project),
                malformed,
            )
        }
        ["files", file] if plain_segment(file) => distribution_file(req, head, &index_dir, file),
        _ => status_only(StatusCode::NOT_FOUND),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Json,
    /// HTML, answered with the content type the client asked for.
    Html(&'static str),
}

/// Picks the page format from an `Accept` header (PEP 691). Equal q-values prefer JSON,
/// the richer format; no header at all means JSON; `None` means 406.
fn negotiate(accept: Option<&str>) -> Option<Variant> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(Variant::Json);
    };
    let mut best: Option<(f32, Variant)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let variant = match media.as_str() {
            JSON_TYPE | "application/vnd.pypi.simple.latest+json" | "*/*" | "application/*" => {
                Variant::Json
            }
            HTML_TYPE | "application/vnd.pypi.simple.latest+html" => Variant::Html(HTML_TYPE),
            "text/html" | "text/*" => Variant::Html("text/html"),
            _ => continue,
        };
        if q <= 0.0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((best_q, best_variant)) => {
                q > best_q || (q == best_q && variant == Variant::Json && best_variant != variant)
            }
        };
        if better {
            best = Some((q, variant));
        }
    }
    best.map(|(_, variant)| variant)
}

fn page(req: &Request<Incoming>, head: bool, dir: &Path, malformed: bool) -> Response<Body> {
    let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok());
    let Some(variant) = negotiate(accept) else {
        let mut response = status_only(StatusCode::NOT_ACCEPTABLE);
        response
            .headers_mut()
            .insert(VARY, HeaderValue::from_static("Accept"));
        return response;
    };
    let (file, content_type) = match variant {
        Variant::Json => ("index.json", JSON_TYPE),
        Variant::Html(content_type) => ("index.html", content_type),
    };
    let Ok(mut bytes) = fs::read(dir.join(file)) else {
        return status_only(StatusCode::NOT_FOUND);
    };
    if malformed && variant == Variant::Json {
        // Half a JSON document never parses, and it is what a proxy cutting a response
        // short would hand the client.
        bytes.truncate(bytes.len() / 2);
    }
    let etag = format!("\"{}\"", sha256_hex(&bytes));
    let mut response = respond(req, head, Bytes::from(bytes), &etag, None);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(PAGE_CACHE_CONTROL));
    headers.insert(VARY, HeaderValue::from_static("Accept"));
    response
}

fn distribution_file(
    req: &Request<Incoming>,
    head: bool,
    index_dir: &Path,
    file: &str,
) -> Response<Body> {
    let Ok(bytes) = fs::read(index_dir.join("files").join(file)) else {
        return status_only(StatusCode::NOT_FOUND);
    };
    let etag = format!("\"{}\"", sha256_hex(&bytes));
    // RFC 9110 defines range handling for GET only.
    let range = if head {
        None
    } else {
        req.headers().get(RANGE).and_then(|v| v.to_str().ok())
    };
    let mut response = respond(req, head, Bytes::from(bytes), &etag, range);
    let content_type = if file.ends_with(".metadata") {
        "text/plain; charset=utf-8"
    } else if file.ends_with(".tar.gz") {
        "application/gzip"
    } else if file.ends_with(".whl") || file.ends_with(".zip") {
        "application/zip"
    } else {
        "application/octet-stream"
    };
    let satisfied = response.status() != StatusCode::RANGE_NOT_SATISFIABLE;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if satisfied {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(FILE_CACHE_CONTROL));
    }
    response
}

/// The shared part of answering with a resource: conditional requests, ranges, HEAD.
fn respond(
    req: &Request<Incoming>,
    head: bool,
    bytes: Bytes,
    etag: &str,
    range: Option<&str>,
) -> Response<Body> {
    let etag_value = HeaderValue::from_str(etag).expect("a quoted hex digest is a valid header");
    let if_none_match = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    if if_none_match.is_some_and(|header| etag_matches(header, etag)) {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response.headers_mut().insert(ETAG, etag_value);
        return response;
    }
    let total = bytes.len() as u64;
    let (status, body, content_range) = match range.map(|r| parse_range(r, total)) {
        None | Some(RangeRequest::Whole) => (StatusCode::OK, bytes, None),
        Some(RangeRequest::Part(start, end)) => {
            let body = bytes.slice(
                usize::try_from(start).expect("offset fits in memory")
                    ..=usize::try_from(end).expect("offset fits in memory"),
            );
            (
                StatusCode::PARTIAL_CONTENT,
                body,
                Some(format!("bytes {start}-{end}/{total}")),
            )
        }
        Some(RangeRequest::Unsatisfiable) => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            Bytes::new(),
            Some(format!("bytes */{total}")),
        ),
    };
    let length = body.len();
    let mut response = Response::new(if head {
        Body::empty()
    } else {
        Body::full(body)
    });
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    if status != StatusCode::RANGE_NOT_SATISFIABLE {
        headers.insert(ETAG, etag_value);
    }
    if let Some(content_range) = content_range {
        headers.insert(
            CONTENT_RANGE,
            HeaderValue::from_str(&content_range).expect("a byte range is a valid header"),
        );
    }
    response
}

/// `If-None-Match` uses weak comparison (RFC 9110 13.1.2), so `W/"x"` matches `"x"`.
fn etag_matches(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

#[derive(Debug, PartialEq, Eq)]
enum RangeRequest {
    /// No usable range: serve everything with 200, as RFC 9110 allows for ranges a server
    /// does not support (several ranges, other units) or cannot parse.
    Whole,
    /// Inclusive byte offsets.
    Part(u64, u64),
    Unsatisfiable,
}

fn parse_range(header: &str, total: u64) -> RangeRequest {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return RangeRequest::Whole;
    };
    if spec.contains(',') {
        return RangeRequest::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return RangeRequest::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        return match last.parse::<u64>() {
            Ok(0) => RangeRequest::Unsatisfiable,
            Ok(_) if total == 0 => RangeRequest::Unsatisfiable,
            Ok(suffix) => RangeRequest::Part(total.saturating_sub(suffix), total - 1),
            Err(_) => RangeRequest::Whole,
        };
    }
    let Ok(start) = first.parse::<u64>() else {
        return RangeRequest::Whole;
    };
    let end = if last.is_empty() {
        u64::MAX
    } else {
        match last.parse::<u64>() {
            Ok(end) if end >= start => end,
            _ => return RangeRequest::Whole,
        }
    };
    if start >= total {
        RangeRequest::Unsatisfiable
    } else {
        RangeRequest::Part(start, end.min(total - 1))
    }
}

#[cfg(test)]
mod tests {
    use super::{RangeRequest, Variant, etag_matches, negotiate, parse_range};

    #[test]
    fn negotiation_follows_pep_691() {
        assert_eq!(negotiate(None), Some(Variant::Json));
        assert_eq!(negotiate(Some("*/*")), Some(Variant::Json));
        assert_eq!(
            negotiate(Some("text/html")),
            Some(Variant::Html("text/html"))
        );
        // pip's header.
        assert_eq!(
            negotiate(Some(
                "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
            )),
            Some(Variant::Json)
        );
        assert_eq!(
            negotiate(Some(
                "application/vnd.pypi.simple.v1+json; q=0.2, application/vnd.pypi.simple.v1+html"
            )),
            Some(Variant::Html("application/vnd.pypi.simple.v1+html"))
        );
        assert_eq!(
            negotiate(Some("text/html, */*;q=0.5")),
            Some(Variant::Html("text/html"))
        );
        assert_eq!(
            negotiate(Some(
                "text/html;q=0.5, application/vnd.pypi.simple.latest+json;q=0.5"
            )),
            Some(Variant::Json)
        );
        assert_eq!(negotiate(Some("application/xml")), None);
        assert_eq!(negotiate(Some("text/html;q=0")), None);
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), RangeRequest::Part(0, 9));
        assert_eq!(parse_range("bytes=90-", 100), RangeRequest::Part(90, 99));
        assert_eq!(parse_range("bytes=90-500", 100), RangeRequest::Part(90, 99));
        assert_eq!(parse_range("bytes=-10", 100), RangeRequest::Part(90, 99));
        assert_eq!(parse_range("bytes=-500", 100), RangeRequest::Part(0, 99));
        assert_eq!(parse_range("bytes=100-", 100), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), RangeRequest::Unsatisfiable);
        assert_eq!(parse_range("bytes=5-1", 100), RangeRequest::Whole);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), RangeRequest::Whole);
        assert_eq!(parse_range("items=0-1", 100), RangeRequest::Whole);
    }

    #[test]
    fn etags_compare_weakly() {
        assert!(etag_matches("\"abc\"", "\"abc\""));
        assert!(etag_matches("W/\"abc\"", "\"abc\""));
        assert!(etag_matches("\"x\", \"abc\"", "\"abc\""));
        assert!(etag_matches("*", "\"abc\""));
        assert!(!etag_matches("\"abd\"", "\"abc\""));
    }
}
