//! HTTP behaviour the fixture server does not exercise: an HTML-only index, freshness
//! from `Cache-Control: max-age`, `Last-Modified` revalidation, `Retry-After`.

mod common;

use std::time::{Duration, Instant};

use common::{MiniServer, Reply, builder};
use skua_index::IndexError;

const SHA: &str = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

fn html_page() -> String {
    format!(
        r#"<!DOCTYPE html><html><body>
<a href="/files/demo_pkg-1.0-py3-none-any.whl#sha256={SHA}" data-requires-python="&gt;=3.9" data-core-metadata="true">demo_pkg-1.0-py3-none-any.whl</a>
<a href="/files/demo-pkg-0.9.tar.gz" data-yanked="use 1.0">demo-pkg-0.9.tar.gz</a>
</body></html>"#
    )
}

#[tokio::test]
async fn html_only_index() {
    let server = MiniServer::start(|req, _| {
        if req.path == "/simple/demo-pkg/" {
            Reply::new(200, html_page()).header("Content-Type", "text/html; charset=utf-8")
        } else {
            Reply::new(404, "")
        }
    })
    .await;
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &[format!("{}/simple/", server.url)])
        .build()
        .unwrap();
    let project = client.project(&pn("Demo.Pkg")).await.unwrap();
    assert_eq!(project.files.len(), 2);
    let wheel = &project.files[0];
    assert_eq!(
        wheel.url.as_str(),
        format!("{}/files/demo_pkg-1.0-py3-none-any.whl", server.url)
    );
    assert_eq!(wheel.sha256.as_ref().map(|hash| hash.hex()), Some(SHA));
    assert_eq!(wheel.requires_python.as_deref(), Some(">=3.9"));
    assert_eq!(wheel.core_metadata, Some(None));
    let sdist = &project.files[1];
    assert_eq!(sdist.version().to_string(), "0.9");
    assert_eq!(sdist.yanked.as_deref(), Some("use 1.0"));
    let accept = &server.requests()[0].headers["accept"];
    assert!(accept.contains("text/html;q=0.01"), "{accept}");
}

#[tokio::test]
async fn fresh_pages_are_not_requested_again_unless_refreshing() {
    let server = MiniServer::start(|_, _| {
        Reply::new(200, html_page())
            .header("Content-Type", "text/html")
            .header("Cache-Control", "max-age=600, public")
            .header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")
    })
    .await;
    let cache = tempfile::tempdir().unwrap();
    let index = vec![format!("{}/simple/", server.url)];
    builder(cache.path(), &index)
        .build()
        .unwrap()
        .project(&pn("demo-pkg"))
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 1);

    // Another process within max-age: straight from the cache.
    let warm = builder(cache.path(), &index).build().unwrap();
    assert_eq!(warm.project(&pn("demo-pkg")).await.unwrap().files.len(), 2);
    assert_eq!(server.requests().len(), 1);

    // --refresh revalidates, with the validator we have.
    let refreshing = builder(cache.path(), &index).refresh(true).build().unwrap();
    refreshing.project(&pn("demo-pkg")).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[1]
            .headers
            .get("if-modified-since")
            .map(String::as_str),
        Some("Wed, 21 Oct 2015 07:28:00 GMT")
    );
}

#[tokio::test]
async fn not_modified_reuses_the_cached_body() {
    let server = MiniServer::start(|req, _| {
        if req.headers.get("if-none-match").map(String::as_str) == Some("\"v1\"") {
            Reply::new(304, "").header("ETag", "\"v1\"")
        } else {
            Reply::new(200, html_page())
                .header("Content-Type", "text/html")
                .header("ETag", "\"v1\"")
        }
    })
    .await;
    let cache = tempfile::tempdir().unwrap();
    let index = vec![format!("{}/simple/", server.url)];
    let cold = builder(cache.path(), &index).build().unwrap();
    let first = cold.project(&pn("demo-pkg")).await.unwrap();
    let warm = builder(cache.path(), &index).build().unwrap();
    let second = warm.project(&pn("demo-pkg")).await.unwrap();
    assert_eq!(first.files, second.files);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = MiniServer::start(|_, n| {
        if n == 0 {
            Reply::new(429, "slow down").header("Retry-After", "0")
        } else {
            Reply::new(200, html_page()).header("Content-Type", "text/html")
        }
    })
    .await;
    let cache = tempfile::tempdir().unwrap();
    // A backoff this long would blow the time limit below: only Retry-After: 0 keeps it
    // short.
    let client = builder(cache.path(), &[format!("{}/simple/", server.url)])
        .retry_backoff(Duration::from_secs(30))
        .build()
        .unwrap();
    let started = Instant::now();
    client.project(&pn("demo-pkg")).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn connection_refused_is_a_clear_network_error() {
    // Bind and drop to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(
        cache.path(),
        &[format!("http://user:t0ps3cret@127.0.0.1:{port}/simple/")],
    )
    .retries(1)
    .build()
    .unwrap();
    let err = client.project(&pn("demo")).await.unwrap_err();
    let IndexError::Network { url, message } = &err else {
        panic!("{err}")
    };
    assert_eq!(url, &format!("http://127.0.0.1:{port}/simple/demo/"));
    assert!(message.contains("gave up after 2 attempts"), "{message}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("t0ps3cret"), "{shown}");
}

/// A package name for the tests.
fn pn(name: &str) -> skua_index::PackageName {
    skua_index::PackageName::new(name).expect("a valid name")
}
