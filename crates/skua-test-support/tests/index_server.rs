//! End-to-end checks of the fixture index and its server: the script runs, the server
//! listens on a real port, and a real HTTP client talks to it.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};
use skua_test_support::{
    IndexServer, build_fixture_index, fixture_index_dir, fixture_script_path, python,
};
use ureq::config::AutoHeaderValue;
use ureq::http::Response;

const JSON: &str = "application/vnd.pypi.simple.v1+json";
const HTML: &str = "application/vnd.pypi.simple.v1+html";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

fn get(url: &str, headers: &[(&str, &str)]) -> Response<ureq::Body> {
    let mut request = agent().get(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.call().expect("request failed")
}

fn body(response: &mut Response<ureq::Body>) -> Vec<u8> {
    response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .expect("reading the body failed")
}

fn header<'a>(response: &'a Response<ureq::Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .expect("header is not ASCII")
}

fn page(server: &IndexServer, index: &str, project: &str) -> Value {
    let mut response = get(
        &format!("{}{project}/", server.simple_url(index)),
        &[("Accept", JSON)],
    );
    assert_eq!(response.status(), 200, "{project} on {index}");
    serde_json::from_slice(&body(&mut response)).expect("page is not JSON")
}

fn file_entry<'a>(page: &'a Value, filename: &str) -> &'a Value {
    page["files"]
        .as_array()
        .expect("page has no files array")
        .iter()
        .find(|f| f["filename"] == filename)
        .unwrap_or_else(|| panic!("{filename} not on the page"))
}

/// Resolves a page's relative file URL the way a client does, against the page URL.
fn resolve(page_url: &str, relative: &str) -> String {
    let mut base: Vec<&str> = page_url.split('/').collect();
    base.pop(); // the empty segment after the trailing slash
    let mut rest = relative;
    while let Some(stripped) = rest.strip_prefix("../") {
        base.pop();
        rest = stripped;
    }
    format!("{}/{rest}", base.join("/"))
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn wheel_metadata(wheel: &[u8], dist_info: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(wheel)).expect("wheel is not a zip");
    let mut entry = archive
        .by_name(&format!("{dist_info}/METADATA"))
        .expect("wheel has no METADATA");
    let mut out = Vec::new();
    entry.read_to_end(&mut out).expect("METADATA unreadable");
    out
}

#[test]
fn negotiates_json_and_html() {
    let server = IndexServer::start_fixture();
    let url = format!("{}skf-simple/", server.simple_url("primary"));

    let mut json = get(&url, &[("Accept", JSON)]);
    assert_eq!(json.status(), 200);
    assert_eq!(header(&json, "content-type"), JSON);
    assert_eq!(header(&json, "vary"), "Accept");
    let page: Value = serde_json::from_slice(&body(&mut json)).unwrap();
    assert_eq!(page["meta"]["api-version"], "1.1");
    assert_eq!(page["name"], "skf-simple");
    assert_eq!(
        page["versions"],
        serde_json::json!(["1.0.0", "1.1.0", "2.0.0"])
    );

    for (accept, content_type) in [
        ("text/html", "text/html"),
        (HTML, HTML),
        (
            "application/vnd.pypi.simple.v1+json;q=0.1, text/html",
            "text/html",
        ),
    ] {
        let mut html = get(&url, &[("Accept", accept)]);
        assert_eq!(html.status(), 200, "{accept}");
        assert_eq!(header(&html, "content-type"), content_type, "{accept}");
        let text = String::from_utf8(body(&mut html)).unwrap();
        assert!(
            text.contains("href=\"../../files/skf_simple-1.0.0-py3-none-any.whl#sha256="),
            "{text}"
        );
    }

    // pip's header prefers JSON; a client that states no preference gets JSON too.
    let pip = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01";
    assert_eq!(header(&get(&url, &[("Accept", pip)]), "content-type"), JSON);
    let bare: ureq::Agent = ureq::Agent::config_builder()
        .accept(AutoHeaderValue::None)
        .build()
        .into();
    let response = bare.get(&url).call().unwrap();
    assert_eq!(header(&response, "content-type"), JSON);

    assert_eq!(get(&url, &[("Accept", "application/xml")]).status(), 406);

    // The project list, in both formats.
    let mut list = get(&server.simple_url("primary"), &[("Accept", JSON)]);
    let list: Value = serde_json::from_slice(&body(&mut list)).unwrap();
    let names: Vec<&str> = list["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"skf-simple") && names.contains(&"skf-mixed-case"));
    let mut list_html = get(&server.simple_url("primary"), &[("Accept", "text/html")]);
    let list_html = String::from_utf8(body(&mut list_html)).unwrap();
    assert!(list_html.contains("<a href=\"skf-simple/\">skf-simple</a>"));
}

#[test]
fn normalizes_names_and_redirects_to_the_slash_form() {
    let server = IndexServer::start_fixture();
    let page = page(&server, "primary", "Skf_Mixed.Case");
    assert_eq!(page["name"], "skf-mixed-case");

    let response = get(&format!("{}/primary/simple/skf-simple", server.url()), &[]);
    assert_eq!(response.status(), 301);
    assert_eq!(header(&response, "location"), "/primary/simple/skf-simple/");
    let response = get(&format!("{}/primary/simple", server.url()), &[]);
    assert_eq!(header(&response, "location"), "/primary/simple/");

    assert_eq!(
        get(
            &format!("{}skf-no-such-project/", server.simple_url("primary")),
            &[]
        )
        .status(),
        404
    );
    assert_eq!(get(&server.simple_url("no-such-index"), &[]).status(), 404);
    assert_eq!(
        get(
            &format!("{}/primary/files/../simple/index.json", server.url()),
            &[]
        )
        .status(),
        404
    );
    let post = agent()
        .post(&server.simple_url("primary"))
        .send_empty()
        .unwrap();
    assert_eq!(post.status(), 405);
}

#[test]
fn file_hashes_and_sizes_match_the_page() {
    let server = IndexServer::start_fixture();
    for project in ["skf-simple", "skf-native", "skf-tool", "skf-sdist-static"] {
        let page_url = format!("{}{project}/", server.simple_url("primary"));
        let page = page(&server, "primary", project);
        for file in page["files"].as_array().unwrap() {
            let url = resolve(&page_url, file["url"].as_str().unwrap());
            let mut response = get(&url, &[]);
            assert_eq!(response.status(), 200, "{url}");
            assert_eq!(header(&response, "accept-ranges"), "bytes");
            let bytes = body(&mut response);
            assert_eq!(sha256(&bytes), file["hashes"]["sha256"], "{url}");
            assert_eq!(bytes.len() as u64, file["size"].as_u64().unwrap(), "{url}");
        }
    }
}

#[test]
fn range_requests_read_metadata_from_the_wheel_tail() {
    let server = IndexServer::start_fixture();
    let filename = "skf_nometa-1.0.0-py3-none-any.whl";
    let url = server.file_url("primary", filename);
    let on_disk = std::fs::read(fixture_index_dir().join("primary/files").join(filename)).unwrap();
    let size = on_disk.len();
    assert!(size > 256 * 1024, "the padding makes a download expensive");

    let head = agent().head(&url).call().unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(header(&head, "content-length"), size.to_string());

    // What a resolver does without a PEP 658 file: fetch the tail, which holds the central
    // directory and (dist-info being last) the METADATA entry, then read it from a sparse
    // copy of the archive.
    let tail_len = 16 * 1024;
    let mut tail = get(&url, &[("Range", &format!("bytes=-{tail_len}"))]);
    assert_eq!(tail.status(), 206);
    assert_eq!(
        header(&tail, "content-range"),
        format!("bytes {}-{}/{size}", size - tail_len, size - 1)
    );
    let tail = body(&mut tail);
    assert_eq!(tail, on_disk[size - tail_len..]);
    let mut sparse = vec![0; size];
    sparse[size - tail_len..].copy_from_slice(&tail);
    let metadata =
        String::from_utf8(wheel_metadata(&sparse, "skf_nometa-1.0.0.dist-info")).unwrap();
    assert!(
        metadata.contains("Requires-Dist: skf-simple>=1.0"),
        "{metadata}"
    );

    let mut first = get(&url, &[("Range", "bytes=0-99")]);
    assert_eq!(first.status(), 206);
    assert_eq!(
        header(&first, "content-range"),
        format!("bytes 0-99/{size}")
    );
    assert_eq!(body(&mut first), on_disk[..100]);
    let mut open_ended = get(&url, &[("Range", &format!("bytes={}-", size - 10))]);
    assert_eq!(body(&mut open_ended), on_disk[size - 10..]);

    let beyond = get(&url, &[("Range", &format!("bytes={size}-"))]);
    assert_eq!(beyond.status(), 416);
    assert_eq!(header(&beyond, "content-range"), format!("bytes */{size}"));

    assert!(
        server.requests().iter().all(|r| !r.is_full_download()),
        "{:#?}",
        server.requests()
    );
}

#[test]
fn metadata_files_match_the_wheels() {
    let server = IndexServer::start_fixture();
    let page = page(&server, "primary", "skf-web");
    let filename = "skf_web-1.0.0-py3-none-any.whl";
    let entry = file_entry(&page, filename);
    let files = format!("{}/primary/files", server.url());

    let mut metadata = get(&format!("{files}/{filename}.metadata"), &[]);
    assert_eq!(metadata.status(), 200);
    let metadata = body(&mut metadata);
    assert_eq!(entry["core-metadata"]["sha256"], sha256(&metadata));
    assert_eq!(entry["data-dist-info-metadata"], entry["core-metadata"]);
    let wheel = body(&mut get(&format!("{files}/{filename}"), &[]));
    assert_eq!(wheel_metadata(&wheel, "skf_web-1.0.0.dist-info"), metadata);
    let text = String::from_utf8(metadata).unwrap();
    assert!(text.contains("Requires-Dist: skf-certs>=2.0; extra == \"tls\""));
    assert!(text.contains("Provides-Extra: tls"));

    // The switch that makes clients fall back to range requests or a download.
    let nometa = page_of_switched_off(&server);
    assert_eq!(nometa["core-metadata"], false);
    assert_eq!(
        get(
            &format!("{files}/skf_nometa-1.0.0-py3-none-any.whl.metadata"),
            &[]
        )
        .status(),
        404
    );
}

fn page_of_switched_off(server: &IndexServer) -> Value {
    let page = page(server, "primary", "skf-nometa");
    file_entry(&page, "skf_nometa-1.0.0-py3-none-any.whl").clone()
}

#[test]
fn pages_carry_yanked_upload_time_and_requires_python() {
    let server = IndexServer::start_fixture();

    let yanked = page(&server, "primary", "skf-yanked");
    let by_file: BTreeMap<&str, &Value> = yanked["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["filename"].as_str().unwrap(), &f["yanked"]))
        .collect();
    assert_eq!(
        by_file["skf_yanked-0.9.0-py3-none-any.whl"],
        &Value::Bool(true)
    );
    assert_eq!(
        by_file["skf_yanked-1.1.0-py3-none-any.whl"],
        &Value::Bool(false)
    );
    assert_eq!(
        by_file["skf_yanked-1.2.0-py3-none-any.whl"],
        "broken: imports a module that was not packaged"
    );

    let timed = page(&server, "primary", "skf-timed");
    let times: Vec<&str> = timed["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["upload-time"].as_str().unwrap())
        .collect();
    assert_eq!(
        times,
        [
            "2025-06-01T00:00:00Z",
            "2025-12-31T23:59:59Z",
            "2026-01-01T00:00:00Z",
            "2026-02-15T12:30:00.123456Z"
        ]
    );

    let pyreq = page(&server, "primary", "skf-pyreq");
    assert_eq!(
        file_entry(&pyreq, "skf_pyreq-2.0.0-py3-none-any.whl")["requires-python"],
        ">=3.13"
    );
    assert_eq!(
        file_entry(
            &page(&server, "primary", "skf-simple"),
            "skf_simple-1.0.0-py3-none-any.whl"
        )["requires-python"],
        Value::Null
    );

    let mut html = get(
        &format!("{}skf-pyreq/", server.simple_url("primary")),
        &[("Accept", "text/html")],
    );
    let html = String::from_utf8(body(&mut html)).unwrap();
    assert!(
        html.contains("data-requires-python=\"&gt;=3.8,&lt;4\""),
        "{html}"
    );
    let mut html = get(
        &format!("{}skf-yanked/", server.simple_url("primary")),
        &[("Accept", "text/html")],
    );
    let html = String::from_utf8(body(&mut html)).unwrap();
    assert!(html.contains("data-yanked=\"\""), "{html}");
    assert!(html.contains("data-yanked=\"broken: imports a module that was not packaged\""));
    assert!(html.contains("data-core-metadata=\"sha256="));
    assert!(html.contains("data-dist-info-metadata=\"sha256="));
}

#[test]
fn two_indexes_serve_the_same_name_with_different_versions() {
    let server = IndexServer::start_fixture();
    assert_eq!(
        page(&server, "primary", "skf-internal")["versions"],
        serde_json::json!(["1.0.0"])
    );
    let extra = page(&server, "extra", "skf-internal");
    assert_eq!(extra["versions"], serde_json::json!(["99.0.0"]));
    let url = resolve(
        &format!("{}skf-internal/", server.simple_url("extra")),
        extra["files"][0]["url"].as_str().unwrap(),
    );
    assert!(url.ends_with("/extra/files/skf_internal-99.0.0-py3-none-any.whl"));
    assert_eq!(get(&url, &[]).status(), 200);
    assert_eq!(
        get(
            &format!("{}skf-extra-only/", server.simple_url("primary")),
            &[]
        )
        .status(),
        404
    );
}

#[test]
fn conditional_requests_and_head() {
    let server = IndexServer::start_fixture();
    let url = format!("{}skf-simple/", server.simple_url("primary"));
    let first = get(&url, &[("Accept", JSON)]);
    let etag = header(&first, "etag").to_owned();
    assert_eq!(
        header(&first, "cache-control"),
        "max-age=0, must-revalidate"
    );
    let again = get(&url, &[("Accept", JSON), ("If-None-Match", &etag)]);
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "etag"), etag);
    // The HTML page is another representation with its own validator.
    assert_eq!(
        get(&url, &[("Accept", "text/html"), ("If-None-Match", &etag)]).status(),
        200
    );

    let filename = "skf_simple-1.0.0-py3-none-any.whl";
    let digest =
        sha256(&std::fs::read(fixture_index_dir().join("primary/files").join(filename)).unwrap());
    let file_url = format!("{}/primary/files/{filename}", server.url());
    let file = get(&file_url, &[]);
    assert_eq!(header(&file, "etag"), format!("\"{digest}\""));
    let weak = format!("W/\"{digest}\"");
    assert_eq!(get(&file_url, &[("If-None-Match", &weak)]).status(), 304);
    assert_eq!(
        get(&file_url, &[("If-None-Match", "\"stale\"")]).status(),
        200
    );

    let mut head = agent().head(&file_url).call().unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(
        header(&head, "content-length"),
        file.headers()["content-length"].to_str().unwrap()
    );
    assert!(body(&mut head).is_empty());
    let head_page = agent().head(&url).call().unwrap();
    assert_eq!(header(&head_page, "content-type"), JSON);
}

#[test]
fn fault_fail_next() {
    let server = IndexServer::start_fixture();
    let url = format!("{}skf-simple/", server.simple_url("primary"));
    server.faults().fail_next("/simple/skf-simple/", 2, 503);
    server.faults().fail_next("/simple/skf-app/", 1, 404);
    assert_eq!(get(&url, &[]).status(), 503);
    assert_eq!(
        get(
            &format!("{}skf-chain-a/", server.simple_url("primary")),
            &[]
        )
        .status(),
        200,
        "other paths are unaffected"
    );
    assert_eq!(get(&url, &[]).status(), 503);
    assert_eq!(get(&url, &[]).status(), 200);
    assert_eq!(
        get(&format!("{}skf-app/", server.simple_url("primary")), &[]).status(),
        404
    );
    assert_eq!(server.request_count("/simple/skf-simple/"), 3);
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 200, 503, 200, 404]);
}

#[test]
fn fault_delay_times_out_a_client_but_not_other_requests() {
    let server = IndexServer::start_fixture();
    let slow = format!("{}skf-simple/", server.simple_url("primary"));
    let fast = format!("{}skf-app/", server.simple_url("primary"));
    server
        .faults()
        .delay("/skf-simple/", Duration::from_millis(1500));

    let impatient: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_millis(300)))
        .build()
        .into();
    let started = Instant::now();
    let err = impatient.get(&slow).call().unwrap_err();
    assert!(matches!(err, ureq::Error::Timeout(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(1400));

    // The server answers other requests while one is being delayed.
    std::thread::scope(|scope| {
        let waiting = scope.spawn(|| {
            let started = Instant::now();
            assert_eq!(get(&slow, &[]).status(), 200);
            started.elapsed()
        });
        std::thread::sleep(Duration::from_millis(100));
        let started = Instant::now();
        assert_eq!(get(&fast, &[]).status(), 200);
        assert!(started.elapsed() < Duration::from_millis(1000));
        assert!(waiting.join().unwrap() >= Duration::from_millis(1400));
    });

    server.faults().clear();
    let started = Instant::now();
    assert_eq!(get(&slow, &[]).status(), 200);
    assert!(started.elapsed() < Duration::from_millis(1000));
}

#[test]
fn fault_malformed_json() {
    let server = IndexServer::start_fixture();
    let url = format!("{}skf-app/", server.simple_url("primary"));
    server.faults().malformed_json("SKF_App");
    let mut response = get(&url, &[("Accept", JSON)]);
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), JSON);
    assert!(serde_json::from_slice::<Value>(&body(&mut response)).is_err());
    let mut html = get(&url, &[("Accept", "text/html")]);
    assert!(
        String::from_utf8(body(&mut html))
            .unwrap()
            .ends_with("</html>\n")
    );
    server.faults().clear();
    page(&server, "primary", "skf-app");
}

#[test]
fn fault_truncated_body() {
    let server = IndexServer::start_fixture();
    let url = format!(
        "{}/primary/files/skf_nometa-1.0.0-py3-none-any.whl",
        server.url()
    );
    server.faults().truncate_next("skf_nometa", 1);
    let mut response = get(&url, &[]);
    assert_eq!(response.status(), 200);
    let announced: usize = header(&response, "content-length").parse().unwrap();
    let mut received = Vec::new();
    let err = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .reader()
        .read_to_end(&mut received)
        .unwrap_err();
    assert!(received.len() < announced, "{err}");
    let log = server.requests();
    assert!(log[0].truncated && log[0].content_length == announced as u64);

    let mut whole = get(&url, &[]);
    assert_eq!(body(&mut whole).len(), announced);
}

#[test]
fn fault_basic_auth() {
    let server = IndexServer::start_fixture();
    let url = format!("{}skf-simple/", server.simple_url("primary"));
    server.faults().require_basic_auth("alice", "s3cret");

    let denied = get(&url, &[]);
    assert_eq!(denied.status(), 401);
    assert!(header(&denied, "www-authenticate").starts_with("Basic "));
    let good = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("alice:s3cret")
    );
    let bad = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("alice:wrong")
    );
    assert_eq!(get(&url, &[("Authorization", &bad)]).status(), 401);
    assert_eq!(get(&url, &[("Authorization", &good)]).status(), 200);
    let file = format!(
        "{}/primary/files/skf_simple-1.0.0-py3-none-any.whl",
        server.url()
    );
    assert_eq!(get(&file, &[]).status(), 401);
    assert_eq!(get(&file, &[("Authorization", &good)]).status(), 200);

    let sent: Vec<bool> = server.requests().iter().map(|r| r.authorization).collect();
    assert_eq!(sent, [false, true, true, false, true]);
    server.clear_requests();
    assert_eq!(server.request_count(""), 0);
}

#[test]
fn stops_on_drop_even_inside_an_async_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let url = runtime.block_on(async {
        let server = IndexServer::start_fixture();
        let url = server.simple_url("primary");
        drop(server);
        url
    });
    let err = agent().get(&url).call().unwrap_err();
    assert!(
        matches!(err, ureq::Error::Io(_) | ureq::Error::ConnectionFailed),
        "{err:?}"
    );
}

#[test]
fn script_check_mode_and_reproducible_builds() {
    let index = fixture_index_dir();
    let output = Command::new(python())
        .arg(fixture_script_path())
        .arg("--check")
        .arg(index)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let scratch = tempfile::tempdir().unwrap();
    let again = scratch.path().join("index");
    build_fixture_index(&again);
    let mut compared = 0;
    for (path, bytes) in files_under(index) {
        if path.ends_with(".complete") {
            continue;
        }
        let rebuilt = std::fs::read(again.join(&path))
            .unwrap_or_else(|e| panic!("{path} missing from the rebuild: {e}"));
        assert!(rebuilt == bytes, "{path} differs between two builds");
        compared += 1;
    }
    assert!(compared > 100);
}

fn files_under(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).expect("readable directory") {
            let path = entry.expect("readable directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(root)
                    .expect("walked from root")
                    .to_string_lossy()
                    .into_owned();
                out.push((relative, std::fs::read(&path).expect("readable file")));
            }
        }
    }
    out
}

/// pip is the reference installer: if it installs the wheels, they are valid.
#[test]
fn pip_installs_the_fixture_wheels() {
    let has_pip = Command::new(python())
        .args(["-m", "pip", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_pip {
        eprintln!("skipping: `python3 -m pip` is not available");
        return;
    }
    let target = tempfile::tempdir().unwrap();
    let output = Command::new(python())
        .args([
            "-m",
            "pip",
            "install",
            "--no-index",
            "--no-cache-dir",
            "--quiet",
        ])
        .arg("--find-links")
        .arg(fixture_index_dir().join("primary").join("files"))
        .arg("--target")
        .arg(target.path())
        .args([
            "skf-app",
            "skf-web[all]",
            "skf-tool",
            "skf-ns-alpha",
            "skf-ns-beta",
            "skf-pyreq",
            "skf-normalize-user",
            "skf-markers",
        ])
        // The machine's pip configuration must not add other sources or options.
        .env_remove("PIP_FIND_LINKS")
        .env_remove("PIP_INDEX_URL")
        .env_remove("PIP_EXTRA_INDEX_URL")
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_ROOT_USER_ACTION", "ignore")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "pip failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    let bin = target.path().join("bin");
    for script in ["skf-tool", "skf-tool-helper"] {
        assert!(bin.join(script).is_file(), "{script} was not installed");
    }
    let helper = std::fs::read_to_string(bin.join("skf-tool-helper")).unwrap();
    assert!(
        !helper.starts_with("#!python\n"),
        "pip rewrites the #!python shebang"
    );
    assert!(target.path().join("share/skf-tool/README.txt").is_file());

    let check = "import sys, skf_app, skf_lib, skf_ns.alpha, skf_ns.beta, skf_pyreq, skf_certs, skf_mixed_case\n\
                 assert skf_app.__version__ == '2.0.0' and skf_lib.__version__ == '1.5.0'\n\
                 assert skf_pyreq.__version__ == ('2.0.0' if sys.version_info >= (3, 13) else '1.1.0')\n\
                 assert skf_ns.alpha.__version__ == skf_ns.beta.__version__ == '1.0.0'\n\
                 assert skf_ns.__file__ is None  # a PEP 420 namespace\n";
    let output = Command::new(python())
        .args(["-c", check])
        .env("PYTHONPATH", target.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
