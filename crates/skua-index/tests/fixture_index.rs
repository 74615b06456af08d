//! The client against skua-test-support's fixture index server (real HTTP on loopback).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{builder, file};
use skua_index::{DistKind, IndexError};
use skua_test_support::IndexServer;

fn primary(server: &IndexServer) -> Vec<String> {
    vec![server.simple_url("primary")]
}

#[tokio::test]
async fn json_project_page() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();

    let project = client.project(&pn("SKF_Yanked")).await.unwrap();
    assert_eq!(project.name, "skf-yanked");
    assert_eq!(project.index.to_string(), server.simple_url("primary"));
    assert_eq!(project.files.len(), 4);
    let old = file(&project, "skf_yanked-0.9.0-py3-none-any.whl");
    assert_eq!(old.yanked.as_deref(), Some(""));
    let newest = file(&project, "skf_yanked-1.2.0-py3-none-any.whl");
    assert_eq!(
        newest.yanked.as_deref(),
        Some("broken: imports a module that was not packaged")
    );
    let good = file(&project, "skf_yanked-1.1.0-py3-none-any.whl");
    assert_eq!(good.yanked, None);
    assert_eq!(good.sha256.as_ref().map(|hash| hash.hex().len()), Some(64));
    assert!(matches!(good.core_metadata, Some(Some(_))));
    assert!(good.size.is_some());
    assert!(good.upload_timestamp().is_some());
    assert!(
        good.url
            .as_str()
            .starts_with(&format!("{}/primary/files/", server.url()))
    );

    // PEP 503 normalization in the URL, and JSON asked for first.
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/primary/simple/skf-yanked/");
    assert!(
        requests[0]
            .accept
            .as_deref()
            .is_some_and(|a| a.starts_with("application/vnd.pypi.simple.v1+json"))
    );
}

#[tokio::test]
async fn upload_times_and_requires_python() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();

    let timed = client.project(&pn("skf-timed")).await.unwrap();
    let cutoff = "2026-01-01T00:00:00Z"
        .parse::<skua_index::ExcludeNewer>()
        .unwrap()
        .0;
    let mut before: Vec<String> = timed
        .files
        .iter()
        .filter(|f| f.upload_timestamp().is_some_and(|t| t < cutoff))
        .map(|f| f.version().to_string())
        .collect();
    before.sort();
    assert_eq!(before, ["1.0.0", "1.1.0"]);

    let pyreq = client.project(&pn("skf-pyreq")).await.unwrap();
    let v2 = pyreq
        .files
        .iter()
        .find(|f| f.version().to_string() == "2.0.0")
        .unwrap();
    assert_eq!(v2.requires_python.as_deref(), Some(">=3.13"));
}

#[tokio::test]
async fn metadata_from_pep658_file() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();

    let project = client.project(&pn("skf-web")).await.unwrap();
    let wheel = file(&project, "skf_web-1.0.0-py3-none-any.whl");
    let metadata = client.metadata(wheel).await.unwrap();
    assert_eq!(metadata.version.to_string(), "1.0.0");
    assert!(
        metadata
            .requires_dist
            .iter()
            .any(|r| r.starts_with("skf-certs>=2.0") && r.contains("extra == \"tls\""))
    );
    assert!(metadata.provides_extra.iter().any(|e| e == "tls"));

    let requests = server.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.path.ends_with("skf_web-1.0.0-py3-none-any.whl.metadata"))
    );
    assert!(
        requests
            .iter()
            .all(|r| !r.is_full_download() && r.range.is_none())
    );

    // Immutable: a second client over the same cache asks nothing.
    server.clear_requests();
    let again = builder(cache.path(), &primary(&server)).build().unwrap();
    assert_eq!(*again.metadata(wheel).await.unwrap(), *metadata);
    assert_eq!(server.request_count("/files/"), 0);
}

#[tokio::test]
async fn metadata_through_range_requests() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    // One request at a time also proves no permit is held across the nested reads.
    let client = builder(cache.path(), &primary(&server))
        .concurrency(1)
        .build()
        .unwrap();

    let project = client.project(&pn("skf-nometa")).await.unwrap();
    let wheel = file(&project, "skf_nometa-1.0.0-py3-none-any.whl");
    assert_eq!(wheel.core_metadata, None);
    let metadata = client.metadata(wheel).await.unwrap();
    assert_eq!(metadata.name, "skf-nometa");
    assert_eq!(metadata.requires_dist, ["skf-simple>=1.0"]);

    let requests = server.requests();
    let file_requests: Vec<_> = requests
        .iter()
        .filter(|r| r.path.contains("/files/"))
        .collect();
    assert!(!file_requests.is_empty());
    assert!(
        file_requests
            .iter()
            .all(|r| r.range.is_some() && r.status == 206),
        "{file_requests:?}"
    );
    assert!(requests.iter().all(|r| !r.is_full_download()));
    assert!(requests.iter().all(|r| !r.path.ends_with(".metadata")));
    let transferred: u64 = file_requests.iter().map(|r| r.content_length).sum();
    assert!(
        transferred < wheel.size.unwrap() / 2,
        "{transferred} bytes of {:?}",
        wheel.size
    );
}

/// A central directory bigger than the first read of the tail: the rest of it is fetched
/// without asking again for the bytes the tail read already brought, so no byte of the
/// wheel crosses the wire twice.
#[tokio::test]
async fn a_big_central_directory_is_read_without_fetching_any_byte_twice() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();
    let project = client.project(&pn("skf-bigcd")).await.unwrap();
    let wheel = file(&project, "skf_bigcd-1.0.0-py3-none-any.whl");
    let size = wheel.size.expect("size on the page");
    server.clear_requests();
    let metadata = client.metadata(wheel).await.unwrap();
    assert_eq!(metadata.requires_dist, ["skf-simple>=1.0"]);

    // Each request as the byte range of the file it asked for.
    let mut ranges: Vec<(u64, u64)> = server
        .requests()
        .iter()
        .filter(|r| r.path.contains("/files/"))
        .map(|r| {
            let range = r.range.as_deref().expect("only range requests");
            let spec = range.strip_prefix("bytes=").expect("a byte range");
            match spec.split_once('-') {
                Some(("", suffix)) => (size - suffix.parse::<u64>().unwrap(), size),
                Some((start, end)) => (start.parse().unwrap(), end.parse::<u64>().unwrap() + 1),
                None => panic!("{range}"),
            }
        })
        .collect();
    assert!(
        ranges.len() >= 3,
        "tail, the rest of the central directory, METADATA: {ranges:?}"
    );
    ranges.sort_unstable();
    for pair in ranges.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "bytes fetched twice: {ranges:?}");
    }
    let transferred: u64 = ranges.iter().map(|(start, end)| end - start).sum();
    assert!(transferred < size / 2, "{transferred} of {size} bytes");
}

/// Once one wheel of a project has been read, the next releases' first read asks for
/// what that wheel needed and a margin instead of 16 KiB, and still reads METADATA in
/// that one request.
#[tokio::test]
async fn later_releases_of_a_project_read_a_tighter_tail() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();
    let project = client.project(&pn("skf-releases")).await.unwrap();
    let mut first_reads = Vec::new();
    for version in ["3.0.0", "2.0.0", "1.0.0"] {
        let wheel = file(
            &project,
            &format!("skf_releases-{version}-py3-none-any.whl"),
        );
        assert!(wheel.size.expect("size on the page") > 4 * 16384);
        server.clear_requests();
        let metadata = client.metadata(wheel).await.unwrap();
        assert_eq!(metadata.version.to_string(), version);
        let ranges: Vec<String> = server
            .requests()
            .iter()
            .filter(|r| r.path.contains("/files/"))
            .map(|r| r.range.clone().expect("only range requests"))
            .collect();
        let [range] = ranges.as_slice() else {
            panic!("{version}: one request for METADATA, got {ranges:?}");
        };
        let suffix: u64 = range
            .strip_prefix("bytes=-")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a suffix range: {range}"));
        first_reads.push(suffix);
    }
    assert_eq!(first_reads[0], 16384, "{first_reads:?}");
    assert!(
        first_reads[1] < 8192 && first_reads[2] <= first_reads[1],
        "{first_reads:?}"
    );
}

#[tokio::test]
async fn sdist_pkg_info_through_a_download() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();

    // A dynamic Requires-Dist is left out of PKG-INFO (PEP 643); the legacy 2.1 one is
    // there but cannot be trusted.
    for (project, requires, static_deps, dynamic) in [
        ("skf-sdist-static", &["skf-simple>=1.0"][..], true, false),
        ("skf-sdist-dynamic", &[][..], false, true),
        ("skf-sdist-legacy", &["skf-simple>=1.0"][..], false, false),
    ] {
        let page = client.project(&pn(project)).await.unwrap();
        let [sdist] = page.files.as_slice() else {
            panic!("{project}: {:?}", page.files)
        };
        assert!(matches!(sdist.kind, DistKind::Sdist { .. }));
        let metadata = client.metadata(sdist).await.unwrap();
        assert_eq!(metadata.requires_dist, requires, "{project}");
        assert_eq!(metadata.static_requires_dist(), static_deps, "{project}");
        assert_eq!(
            metadata
                .dynamic
                .iter()
                .any(|d| d.eq_ignore_ascii_case("requires-dist")),
            dynamic,
            "{project}"
        );
        assert_eq!(
            server.request_count(&format!("/files/{}", sdist.filename)),
            1
        );
        // The download is kept: installing the sdist later costs nothing.
        server.clear_requests();
        let dest = cache.path().join("out").join(&sdist.filename);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        client.download(sdist, &dest).await.unwrap();
        assert!(dest.is_file());
        assert_eq!(server.request_count(""), 0);
    }
}

#[tokio::test]
async fn pages_are_revalidated_with_etags() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let first = builder(cache.path(), &primary(&server)).build().unwrap();
    let cold = first.project(&pn("skf-simple")).await.unwrap();

    // The fixture server sends max-age=0, so a new client revalidates.
    let second = builder(cache.path(), &primary(&server)).build().unwrap();
    let warm = second.project(&pn("skf-simple")).await.unwrap();
    assert_eq!(cold.files, warm.files);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].status, 200);
    assert!(requests[0].if_none_match.is_none());
    assert_eq!(requests[1].status, 304);
    assert!(requests[1].if_none_match.is_some());

    // Within one client the answer is remembered: no request at all.
    second.project(&pn("skf_simple")).await.unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn offline_uses_only_the_cache() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let online = builder(cache.path(), &primary(&server)).build().unwrap();
    let project = online.project(&pn("skf-chain-a")).await.unwrap();
    let wheel = file(&project, "skf_chain_a-1.0.0-py3-none-any.whl").clone();
    online.metadata(&wheel).await.unwrap();
    let simple = online.project(&pn("skf-simple")).await.unwrap();
    server.clear_requests();

    let offline = builder(cache.path(), &primary(&server))
        .offline(true)
        .build()
        .unwrap();
    let cached = offline.project(&pn("skf-chain-a")).await.unwrap();
    assert_eq!(cached.files, project.files);
    let metadata = offline.metadata(&wheel).await.unwrap();
    assert_eq!(metadata.requires_dist, ["skf-chain-b>=1.0"]);

    let err = offline.project(&pn("skf-chain-b")).await.unwrap_err();
    assert!(
        matches!(&err, IndexError::Offline { name } if name == "skf-chain-b"),
        "{err}"
    );
    assert!(err.to_string().contains("offline"));
    let sdist = file(&simple, "skf_simple-2.0.0.tar.gz");
    let err = offline
        .download(sdist, &cache.path().join("x.tar.gz"))
        .await
        .unwrap_err();
    assert!(matches!(err, IndexError::Offline { .. }), "{err}");
    assert_eq!(server.request_count(""), 0);
}

#[tokio::test]
async fn retries_transient_server_errors() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();

    server.faults().fail_next("/simple/skf-simple/", 2, 500);
    let project = client.project(&pn("skf-simple")).await.unwrap();
    assert!(!project.files.is_empty());
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 500, 200]);

    // Downloads are retried too.
    server.clear_requests();
    server.faults().fail_next("/files/skf_simple-1.0.0", 1, 502);
    let wheel = file(&project, "skf_simple-1.0.0-py3-none-any.whl");
    let dest = cache.path().join("w.whl");
    client.download(wheel, &dest).await.unwrap();
    assert!(dest.is_file());
    assert_eq!(server.request_count("/files/"), 2);
}

#[tokio::test]
async fn gives_up_clearly_on_a_persistent_503() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server))
        .retries(2)
        .build()
        .unwrap();

    server.faults().fail_next("/simple/", usize::MAX, 503);
    let err = client.project(&pn("skf-simple")).await.unwrap_err();
    assert!(matches!(err, IndexError::Http { status: 503, .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("503 Service Unavailable"), "{message}");
    assert!(
        message.contains(&format!("{}skf-simple/", server.simple_url("primary"))),
        "{message}"
    );
    assert_eq!(
        server.request_count("/simple/"),
        3,
        "one try and two retries"
    );

    // The failure is not remembered: once the index recovers, it works.
    server.faults().clear();
    client.project(&pn("skf-simple")).await.unwrap();
}

#[tokio::test]
async fn no_retry_on_client_errors() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();
    server.faults().fail_next("/simple/", 1, 403);
    let err = client.project(&pn("skf-simple")).await.unwrap_err();
    assert!(matches!(err, IndexError::Http { status: 403, .. }), "{err}");
    assert_eq!(server.request_count(""), 1);
}

#[tokio::test]
async fn times_out_on_a_stalled_response() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server))
        .timeout(Duration::from_millis(300))
        .retries(1)
        .build()
        .unwrap();

    server
        .faults()
        .delay("/simple/skf-simple/", Duration::from_secs(3));
    let started = Instant::now();
    let err = client.project(&pn("skf-simple")).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    let IndexError::Network { url, message } = &err else {
        panic!("{err}")
    };
    assert!(url.ends_with("/primary/simple/skf-simple/"), "{url}");
    assert!(message.contains("timed out"), "{message}");
    assert!(message.contains("2 attempts"), "{message}");
}

#[tokio::test]
async fn truncated_download_leaves_nothing() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server))
        .retries(1)
        .build()
        .unwrap();
    let project = client.project(&pn("skf-nometa")).await.unwrap();
    let wheel = file(&project, "skf_nometa-1.0.0-py3-none-any.whl");
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join(&wheel.filename);

    server
        .faults()
        .truncate_next("/files/skf_nometa", usize::MAX);
    let err = client.download(wheel, &dest).await.unwrap_err();
    assert!(matches!(err, IndexError::Network { .. }), "{err}");
    assert!(!dest.exists());
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0);
    let files_bucket = cache.path().join("files-v1");
    let leftovers: Vec<_> = walk(&files_bucket);
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A single cut-off response is retried and the download completes.
    server.faults().clear();
    server.faults().truncate_next("/files/skf_nometa", 1);
    client.download(wheel, &dest).await.unwrap();
    assert_eq!(std::fs::metadata(&dest).unwrap().len(), wheel.size.unwrap());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.expect("readable directory entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn hash_mismatch_is_an_error_and_leaves_nothing() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();
    let project = client.project(&pn("skf-simple")).await.unwrap();
    let mut wheel = file(&project, "skf_simple-1.1.0-py3-none-any.whl").clone();
    let real = wheel
        .sha256
        .replace(skua_index::Sha256::from_hex(&"0".repeat(64)).unwrap())
        .unwrap();

    let dest = cache.path().join("out.whl");
    let err = client.download(&wheel, &dest).await.unwrap_err();
    let IndexError::HashMismatch {
        filename,
        expected,
        actual,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(filename, "skf_simple-1.1.0-py3-none-any.whl");
    assert_eq!(*expected, "0".repeat(64));
    assert_eq!(*actual, real.hex());
    assert!(!dest.exists());
    assert!(walk(&cache.path().join("files-v1")).is_empty());
}

#[tokio::test]
async fn pep658_metadata_hash_is_checked() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();
    let project = client.project(&pn("skf-lib")).await.unwrap();
    let mut wheel = file(&project, "skf_lib-1.0.0-py3-none-any.whl").clone();
    wheel.core_metadata = Some(Some(skua_index::Sha256::from_hex(&"f".repeat(64)).unwrap()));
    let err = client.metadata(&wheel).await.unwrap_err();
    assert!(
        matches!(&err, IndexError::HashMismatch { filename, .. } if filename.ends_with(".whl.metadata")),
        "{err}"
    );
}

#[tokio::test]
async fn basic_auth_from_the_index_url() {
    let server = IndexServer::start_fixture();
    server.faults().require_basic_auth("alice", "s3cr3t");
    let cache = tempfile::tempdir().unwrap();
    let with_creds = server
        .simple_url("primary")
        .replacen("http://", "http://alice:s3cr3t@", 1);
    let client = builder(cache.path(), std::slice::from_ref(&with_creds))
        .build()
        .unwrap();
    assert!(!client.indexes()[0].to_string().contains("s3cr3t"));

    let project = client.project(&pn("skf-simple")).await.unwrap();
    assert!(!project.index.to_string().contains("s3cr3t"));
    // File URLs on the same host get the credentials too.
    let wheel = file(&project, "skf_simple-2.0.0-py3-none-any.whl");
    assert!(!wheel.url.as_str().contains("alice"));
    client.metadata(wheel).await.unwrap();
    let dest = cache.path().join("w.whl");
    client.download(wheel, &dest).await.unwrap();
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.authorization && r.status < 400)
    );

    // Wrong credentials: a 401 whose error names the index without the secret.
    let wrong = server
        .simple_url("primary")
        .replacen("http://", "http://alice:wrong-s3cr3t@", 1);
    let other_cache = tempfile::tempdir().unwrap();
    let client = builder(other_cache.path(), &[wrong]).build().unwrap();
    let err = client.project(&pn("skf-simple")).await.unwrap_err();
    assert!(matches!(err, IndexError::Http { status: 401, .. }), "{err}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains("s3cr3t") && !shown.contains("alice"),
        "{shown}"
    );
}

#[tokio::test]
async fn basic_auth_from_netrc() {
    let server = IndexServer::start_fixture();
    server.faults().require_basic_auth("bob", "hunter2");
    let cache = tempfile::tempdir().unwrap();
    let netrc = cache.path().join("netrc");
    std::fs::write(
        &netrc,
        "machine 127.0.0.1\n  login bob\n  password hunter2\n",
    )
    .unwrap();
    let client = builder(cache.path(), &primary(&server))
        .netrc(Some(netrc))
        .build()
        .unwrap();
    let project = client.project(&pn("skf-simple")).await.unwrap();
    client.metadata(&project.files[0]).await.unwrap();
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.authorization && r.status < 400)
    );

    // Without netrc the index refuses.
    let other_cache = tempfile::tempdir().unwrap();
    let client = builder(other_cache.path(), &primary(&server))
        .build()
        .unwrap();
    let err = client.project(&pn("skf-simple")).await.unwrap_err();
    assert!(matches!(err, IndexError::Http { status: 401, .. }), "{err}");
}

/// Index A sends its downloads to B (another port, so another origin), and B redirects
/// to itself before answering: A's credentials must reach A, every time, and B never.
#[tokio::test]
async fn credentials_stay_with_their_origin_across_redirects() {
    let a = IndexServer::start_fixture();
    let b = IndexServer::start_fixture();
    a.faults().require_basic_auth("alice", "s3cr3t");
    a.faults().redirect_next("/files/", usize::MAX, &b.url());
    b.faults().redirect_next("/files/", 1, &b.url());
    // A page request goes A -> B -> B -> A: back on A, the credentials are A's again.
    a.faults().redirect_next("/simple/", 1, &b.url());
    b.faults().redirect_next("/simple/", 1, &b.url());
    b.faults().redirect_next("/simple/", 1, &a.url());
    let cache = tempfile::tempdir().unwrap();
    let with_creds = a
        .simple_url("primary")
        .replacen("http://", "http://alice:s3cr3t@", 1);
    let client = builder(cache.path(), &[with_creds]).build().unwrap();

    let project = client.project(&pn("skf-simple")).await.unwrap();
    let wheel = file(&project, "skf_simple-2.0.0-py3-none-any.whl");
    client
        .download(wheel, &cache.path().join("w.whl"))
        .await
        .unwrap();

    let on_b = b.requests();
    assert!(on_b.iter().any(|r| r.path.contains("/files/")), "{on_b:?}");
    assert_eq!(
        on_b.iter().filter(|r| r.path.contains("/simple/")).count(),
        2
    );
    assert!(on_b.iter().all(|r| !r.authorization), "{on_b:?}");
    let on_a = a.requests();
    assert_eq!(
        on_a.iter().filter(|r| r.path.contains("/simple/")).count(),
        2
    );
    assert!(
        on_a.iter().all(|r| r.authorization && r.status < 400),
        "{on_a:?}"
    );
}

/// netrc credentials belong to their machine: a redirect to another host does not carry
/// them, not even on that host's redirects to itself.
#[tokio::test]
async fn netrc_credentials_stay_with_their_host_across_redirects() {
    let a = IndexServer::start_fixture();
    let b = IndexServer::start_fixture();
    a.faults().require_basic_auth("bob", "hunter2");
    let b_by_name = format!("http://localhost:{}", b.addr().port());
    a.faults().redirect_next("/files/", usize::MAX, &b_by_name);
    b.faults().redirect_next("/files/", 1, &b_by_name);
    let cache = tempfile::tempdir().unwrap();
    let netrc = cache.path().join("netrc");
    std::fs::write(&netrc, "machine 127.0.0.1 login bob password hunter2\n").unwrap();
    let client = builder(cache.path(), &primary(&a))
        .netrc(Some(netrc))
        .build()
        .unwrap();

    let project = client.project(&pn("skf-simple")).await.unwrap();
    let wheel = file(&project, "skf_simple-2.0.0-py3-none-any.whl");
    client
        .download(wheel, &cache.path().join("w.whl"))
        .await
        .unwrap();

    let on_b = b.requests();
    assert_eq!(on_b.len(), 2, "{on_b:?}");
    assert!(on_b.iter().all(|r| !r.authorization), "{on_b:?}");
    assert!(
        a.requests()
            .iter()
            .all(|r| r.authorization && r.status < 400)
    );
}

/// A redirect loop ends with an error naming the URL, not with a hang.
#[tokio::test]
async fn redirect_loops_are_cut_short() {
    let server = IndexServer::start_fixture();
    server
        .faults()
        .redirect_next("/simple/", usize::MAX, &server.url());
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();
    let err = client.project(&pn("skf-simple")).await.unwrap_err();
    assert!(err.to_string().contains("redirect"), "{err}");
    assert!(server.request_count("/simple/") <= 11);
}

#[tokio::test]
async fn first_index_with_the_project_wins() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let indexes = vec![server.simple_url("primary"), server.simple_url("extra")];
    let client = builder(cache.path(), &indexes).build().unwrap();

    // On both: the primary's copy, and the extra index is not even asked.
    let internal = client.project(&pn("skf-internal")).await.unwrap();
    assert_eq!(internal.index.to_string(), indexes[0]);
    let versions: Vec<String> = internal
        .files
        .iter()
        .map(|f| f.version().to_string())
        .collect();
    assert_eq!(versions, ["1.0.0"]);
    assert_eq!(server.request_count("/extra/"), 0);

    // Only on the extra index: found there after the primary's 404.
    let extra_only = client.project(&pn("skf-extra-only")).await.unwrap();
    assert_eq!(extra_only.index.to_string(), indexes[1]);
    assert_eq!(server.request_count("/primary/simple/skf-extra-only/"), 1);

    let err = client.project(&pn("skf-nowhere")).await.unwrap_err();
    let IndexError::NotFound {
        name,
        indexes: searched,
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(name, "skf-nowhere");
    assert_eq!(*searched, indexes);
    assert!(err.to_string().contains(&indexes[1]));
}

#[tokio::test]
async fn concurrent_identical_requests_are_shared() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();
    // Slow responses make sure the calls really overlap.
    server
        .faults()
        .delay("/simple/skf-chain-c/", Duration::from_millis(200));

    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let client = client.clone();
            let name = if i % 2 == 0 {
                "skf-chain-c"
            } else {
                "SKF_Chain.C"
            };
            tokio::spawn(async move { client.project(&pn(name)).await })
        })
        .collect();
    let mut projects = Vec::new();
    for task in tasks {
        projects.push(task.await.unwrap().unwrap());
    }
    assert!(projects.iter().all(|p| Arc::ptr_eq(p, &projects[0])));
    assert_eq!(server.request_count("/simple/skf-chain-c/"), 1);

    server
        .faults()
        .delay(".metadata", Duration::from_millis(200));
    let wheel = projects[0].files[0].clone();
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            let wheel = wheel.clone();
            tokio::spawn(async move { client.metadata(&wheel).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.request_count(".metadata"), 1);
}

#[tokio::test]
async fn concurrency_limit_is_respected() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server))
        .concurrency(2)
        .build()
        .unwrap();
    server
        .faults()
        .delay("/simple/", Duration::from_millis(150));
    let started = Instant::now();
    let names: [&'static str; 4] = ["skf-app", "skf-lib", "skf-pin", "skf-pre"];
    let tasks: Vec<_> = names
        .into_iter()
        .map(|name| {
            let client = client.clone();
            tokio::spawn(async move { client.project(&pn(name)).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    // Four 150 ms requests, two at a time: at least two rounds.
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn malformed_page_is_reported() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();
    server.faults().malformed_json("skf-simple");
    let err = client.project(&pn("skf-simple")).await.unwrap_err();
    assert!(matches!(err, IndexError::Malformed { .. }), "{err}");
    assert!(
        err.to_string().contains("/primary/simple/skf-simple/"),
        "{err}"
    );
}

#[tokio::test]
async fn download_verifies_and_writes_atomically() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server)).build().unwrap();
    let project = client.project(&pn("skf-tool")).await.unwrap();
    let wheel = file(&project, "skf_tool-1.0.0-py3-none-any.whl");
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("tool.whl");
    client.download(wheel, &dest).await.unwrap();
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(bytes.len() as u64, wheel.size.unwrap());
    // Only the destination: no temporary files left next to it.
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
    // The second download comes from the cache.
    server.clear_requests();
    client
        .download(wheel, &out.path().join("again.whl"))
        .await
        .unwrap();
    assert_eq!(server.request_count(""), 0);
}

/// A package name for the tests.
fn pn(name: &str) -> skua_index::PackageName {
    skua_index::PackageName::new(name).expect("a valid name")
}

#[tokio::test]
async fn an_index_trickling_one_byte_at_a_time_hits_the_overall_deadline() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    // The read timeout (5 s) never fires: a byte arrives every 0.5 s. Only the overall
    // deadline ends the request.
    let client = builder(cache.path(), &primary(&server))
        .timeout(Duration::from_secs(5))
        .deadline(Duration::from_secs(2))
        .retries(0)
        .build()
        .unwrap();
    server.faults().drip("/simple/", Duration::from_millis(500));
    let err = client.project(&pn("skf-simple")).await.unwrap_err();
    assert!(matches!(err, IndexError::Network { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains(&format!("{}skf-simple/", server.simple_url("primary"))),
        "{message}"
    );
    assert!(message.contains("deadline"), "{message}");
    // Once the index behaves, the same client works.
    server.faults().clear();
    client.project(&pn("skf-simple")).await.unwrap();
}

#[tokio::test]
async fn an_index_page_past_the_size_cap_is_refused_while_streaming() {
    let server = IndexServer::start_fixture();
    let cache = tempfile::tempdir().unwrap();
    let client = builder(cache.path(), &primary(&server))
        .max_page_bytes(1024 * 1024)
        .retries(0)
        .build()
        .unwrap();
    // 1 GiB without a Content-Length: only counting while reading can refuse it (it was
    // buffered whole, 2.1 GB of memory).
    server.faults().huge_page("/simple/", 1 << 30);
    let err = client.project(&pn("skf-simple")).await.unwrap_err();
    assert!(matches!(err, IndexError::TooLarge { .. }), "{err}");
    let message = err.to_string();
    assert!(
        message.contains(&format!("{}skf-simple/", server.simple_url("primary"))),
        "{message}"
    );
    assert!(message.contains("1048576 bytes"), "{message}");
}
