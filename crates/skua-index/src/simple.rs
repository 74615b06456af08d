//! Project pages of the simple repository API: PEP 691 JSON and PEP 503 HTML, with the
//! additions of PEP 592 (yanked), 658/714 (core metadata files) and 700 (size, upload
//! time).

use std::collections::HashMap;
use std::str::FromStr;

use pep440_rs::Version;
use serde::Deserialize;
use url::Url;

use crate::html::{self, Element};
use skua_types::{PackageName, SdistFilename, Sha256, WheelFilename, percent_decode, redact_url};

use crate::{IndexError, IndexUrl};

/// A project's files on one index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub name: PackageName,
    /// The index the page came from.
    pub index: IndexUrl,
    /// In page order. Files whose names are not a wheel or sdist of this project are
    /// left out.
    pub files: Vec<DistFile>,
}

/// What kind of distribution a file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistKind {
    Wheel(WheelFilename),
    /// A `.tar.gz` or `.zip` source distribution.
    Sdist {
        name: PackageName,
        version: Version,
    },
}

/// One file of a project page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistFile {
    pub filename: String,
    /// Absolute, resolved against the page URL, without fragment or credentials.
    pub url: Url,
    pub kind: DistKind,
    pub sha256: Option<Sha256>,
    pub requires_python: Option<String>,
    /// `Some(reason)` when yanked (PEP 592); the reason is `""` when none was given.
    pub yanked: Option<String>,
    /// RFC 3339, as the index gave it (PEP 700; JSON pages only).
    pub upload_time: Option<jiff::Timestamp>,
    pub size: Option<u64>,
    /// `Some(sha256)` when the index serves a PEP 658 metadata file at `{url}.metadata`
    /// (the inner `None`: no sha256 advertised for it).
    pub core_metadata: Option<Option<Sha256>>,
}

impl DistFile {
    pub fn version(&self) -> &Version {
        match &self.kind {
            DistKind::Wheel(w) => &w.version,
            DistKind::Sdist { version, .. } => version,
        }
    }

    pub fn is_wheel(&self) -> bool {
        matches!(self.kind, DistKind::Wheel(_))
    }

    pub fn wheel(&self) -> Option<&WheelFilename> {
        match &self.kind {
            DistKind::Wheel(w) => Some(w),
            DistKind::Sdist { .. } => None,
        }
    }

    pub fn is_yanked(&self) -> bool {
        self.yanked.is_some()
    }

    /// The upload time, parsed, for comparisons with `--exclude-newer`. `None` when the
    /// index did not say or said something that is not RFC 3339.
    pub fn upload_timestamp(&self) -> Option<jiff::Timestamp> {
        self.upload_time
    }

    /// URL of the PEP 658 metadata file (whether or not the index advertises one).
    pub fn metadata_url(&self) -> Url {
        let mut url = self.url.clone();
        let path = format!("{}.metadata", url.path());
        url.set_path(&path);
        url
    }
}

/// Parses an RFC 3339 timestamp (`2025-06-01T00:00:00Z`, fractional seconds and offsets
/// allowed).
pub fn parse_timestamp(s: &str) -> Option<jiff::Timestamp> {
    jiff::Timestamp::from_str(s.trim()).ok()
}

pub(crate) enum PageFormat {
    Json,
    Html,
}

impl PageFormat {
    pub(crate) fn detect(content_type: Option<&str>, body: &[u8]) -> PageFormat {
        let ct = content_type.unwrap_or("").to_ascii_lowercase();
        if ct.contains("json") {
            PageFormat::Json
        } else if ct.contains("html") {
            PageFormat::Html
        } else if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            PageFormat::Json
        } else {
            PageFormat::Html
        }
    }
}

/// Parses a project page fetched from `page_url` (the final URL, after redirects: file
/// URLs are relative to it).
pub(crate) fn parse_project_page(
    index: &IndexUrl,
    name: &PackageName,
    page_url: &Url,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Project, IndexError> {
    let malformed = |message: String| IndexError::Malformed {
        url: redact_url(page_url),
        message,
    };
    let files = match PageFormat::detect(content_type, body) {
        PageFormat::Json => parse_json(name, page_url, body),
        PageFormat::Html => parse_html(name, page_url, &String::from_utf8_lossy(body)),
    }
    .map_err(malformed)?;
    Ok(Project {
        name: name.clone(),
        index: index.clone(),
        files,
    })
}

#[derive(Deserialize)]
struct JsonPage {
    #[serde(default)]
    meta: Option<JsonMeta>,
    files: Vec<JsonFile>,
}

#[derive(Deserialize)]
struct JsonMeta {
    #[serde(rename = "api-version")]
    api_version: Option<String>,
}

#[derive(Deserialize)]
struct JsonFile {
    filename: String,
    url: String,
    #[serde(default)]
    hashes: HashMap<String, String>,
    #[serde(rename = "requires-python", default)]
    requires_python: Option<String>,
    #[serde(rename = "core-metadata", default)]
    core_metadata: Option<BoolOrHashes>,
    // The PEP 691 name, superseded by PEP 714 but still served by older indexes.
    #[serde(rename = "dist-info-metadata", default)]
    dist_info_metadata: Option<BoolOrHashes>,
    // What PyPI briefly served before PEP 714 fixed the name.
    #[serde(rename = "data-dist-info-metadata", default)]
    data_dist_info_metadata: Option<BoolOrHashes>,
    #[serde(default)]
    yanked: Option<BoolOrString>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(rename = "upload-time", default)]
    upload_time: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrHashes {
    Bool(bool),
    Hashes(HashMap<String, String>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrString {
    Bool(bool),
    Reason(String),
}

fn check_api_version(version: Option<&str>) -> Result<(), String> {
    let Some(version) = version else {
        return Ok(());
    };
    // PEP 629: a major version we don't know means the format may have changed in
    // incompatible ways; a newer minor version is fine.
    match version.trim().split('.').next().map(str::parse::<u32>) {
        Some(Ok(1)) => Ok(()),
        _ => Err(format!("unsupported repository API version {version}")),
    }
}

fn parse_json(name: &PackageName, page_url: &Url, body: &[u8]) -> Result<Vec<DistFile>, String> {
    let page: JsonPage =
        serde_json::from_slice(body).map_err(|e| format!("invalid PEP 691 JSON: {e}"))?;
    check_api_version(page.meta.as_ref().and_then(|m| m.api_version.as_deref()))?;
    let mut files = Vec::with_capacity(page.files.len());
    for f in page.files {
        let Ok(url) = page_url.join(&f.url) else {
            continue;
        };
        let Some(kind) = dist_kind(name, &f.filename) else {
            continue;
        };
        let core_metadata = f
            .core_metadata
            .or(f.dist_info_metadata)
            .or(f.data_dist_info_metadata)
            .and_then(|m| match m {
                BoolOrHashes::Bool(false) => None,
                BoolOrHashes::Bool(true) => Some(None),
                BoolOrHashes::Hashes(h) => Some(sha256_of(&h)),
            });
        let yanked = match f.yanked {
            None | Some(BoolOrString::Bool(false)) => None,
            Some(BoolOrString::Bool(true)) => Some(String::new()),
            Some(BoolOrString::Reason(r)) => Some(r),
        };
        files.push(DistFile {
            filename: f.filename,
            url: clean_url(url),
            kind,
            sha256: sha256_of(&f.hashes),
            requires_python: f.requires_python.filter(|s| !s.trim().is_empty()),
            yanked,
            // An unreadable time is no time: such a file never passes an exclude-newer cutoff.
            upload_time: f.upload_time.as_deref().and_then(parse_timestamp),
            size: f.size,
            core_metadata,
        });
    }
    Ok(files)
}

/// The advertised sha256, when it is one. A malformed value counts as none: such a file
/// gets no `--hash` in a lock, so a lock that uses hashes cannot install it unverified.
fn sha256_of(hashes: &HashMap<String, String>) -> Option<Sha256> {
    hashes
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("sha256"))
        .and_then(|(_, v)| Sha256::from_hex(v.trim()).ok())
}

/// `sha256=<hex>` (a URL fragment or a `data-core-metadata` value).
fn sha256_assignment(text: &str) -> Option<Sha256> {
    let (algorithm, hex) = text.split_once('=')?;
    if !algorithm.trim().eq_ignore_ascii_case("sha256") {
        return None;
    }
    Sha256::from_hex(hex.trim()).ok()
}

fn parse_html(
    name: &PackageName,
    page_url: &Url,
    html_text: &str,
) -> Result<Vec<DistFile>, String> {
    let elements = html::parse_elements(html_text);
    let mut base = page_url.clone();
    let mut files = Vec::new();
    for element in elements {
        match element {
            Element::Base { href: Some(href) } => {
                if let Ok(b) = page_url.join(&href) {
                    base = b;
                }
            }
            Element::Base { href: None } => {}
            Element::Meta { attrs } => {
                if html::attr(&attrs, "name") == Some("pypi:repository-version") {
                    check_api_version(html::attr(&attrs, "content"))?;
                }
            }
            Element::Anchor { attrs, text } => {
                let Some(href) = html::attr(&attrs, "href") else {
                    continue;
                };
                let Ok(url) = base.join(href) else {
                    continue;
                };
                // PEP 503 says the text must be the filename; the URL's last segment is
                // what pip and uv go by, so prefer it and fall back to the text.
                let from_url = url
                    .path_segments()
                    .and_then(|mut s| s.next_back())
                    .map(percent_decode)
                    .unwrap_or_default();
                let (filename, kind) = match dist_kind(name, &from_url) {
                    Some(kind) => (from_url, kind),
                    None => match dist_kind(name, &text) {
                        Some(kind) => (text, kind),
                        None => continue,
                    },
                };
                let sha256 = url.fragment().and_then(sha256_assignment);
                let core_metadata = html::attr(&attrs, "data-core-metadata")
                    .or_else(|| html::attr(&attrs, "data-dist-info-metadata"))
                    .and_then(|value| {
                        let value = value.trim();
                        if value.eq_ignore_ascii_case("false") {
                            return None;
                        }
                        Some(sha256_assignment(value))
                    });
                files.push(DistFile {
                    filename,
                    url: clean_url(url),
                    kind,
                    sha256,
                    requires_python: html::attr(&attrs, "data-requires-python")
                        .map(str::to_owned)
                        .filter(|s| !s.trim().is_empty()),
                    yanked: html::attr(&attrs, "data-yanked").map(str::to_owned),
                    upload_time: None,
                    size: None,
                    core_metadata,
                });
            }
        }
    }
    Ok(files)
}

fn dist_kind(project: &PackageName, filename: &str) -> Option<DistKind> {
    if let Some(wheel) = WheelFilename::parse(filename) {
        return (&wheel.name == project).then_some(DistKind::Wheel(wheel));
    }
    let SdistFilename { name, version } = SdistFilename::parse(filename, Some(project))?;
    Some(DistKind::Sdist { name, version })
}

fn clean_url(mut url: Url) -> Url {
    url.set_fragment(None);
    skua_types::strip_credentials(&url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H1: &str = "a3f1a4d1b2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9";
    const H2: &str = "0000000000000000000000000000000000000000000000000000000000000001";

    fn index() -> IndexUrl {
        IndexUrl::parse("https://example.org/simple/").unwrap()
    }

    fn page_url() -> Url {
        Url::parse("https://example.org/simple/skf-web/").unwrap()
    }

    #[test]
    fn json_page() {
        let body = format!(
            r#"{{
  "meta": {{"api-version": "1.1", "_last-serial": 3}},
  "name": "skf-web",
  "versions": ["1.0.0", "1.1.0"],
  "files": [
    {{"filename": "skf_web-1.0.0-py3-none-any.whl", "url": "../../files/skf_web-1.0.0-py3-none-any.whl",
      "hashes": {{"sha256": "{H1_UPPER}", "md5": "x"}}, "requires-python": ">=3.8",
      "core-metadata": {{"sha256": "{H2}"}}, "size": 1234,
      "upload-time": "2025-06-01T00:00:00.123456Z", "yanked": false}},
    {{"filename": "skf_web-1.1.0.tar.gz", "url": "https://files.example.org/skf_web-1.1.0.tar.gz",
      "hashes": {{}}, "dist-info-metadata": true, "yanked": "broken build"}},
    {{"filename": "skf_web-1.1.0-py3-none-any.whl", "url": "x.whl", "hashes": {{}},
      "data-dist-info-metadata": false, "yanked": true, "requires-python": null}},
    {{"filename": "skf_web-1.0.0.exe", "url": "x.exe", "hashes": {{}}}},
    {{"filename": "other-1.0.0-py3-none-any.whl", "url": "o.whl", "hashes": {{}}}}
  ]
}}"#,
            H1_UPPER = H1.to_ascii_uppercase()
        );
        let p = parse_project_page(
            &index(),
            &PackageName::new("Skf_Web").unwrap(),
            &page_url(),
            Some("application/vnd.pypi.simple.v1+json"),
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(p.name, "skf-web");
        assert_eq!(
            p.files.len(),
            3,
            "the .exe and the other project's wheel are skipped"
        );
        let f = &p.files[0];
        assert_eq!(
            f.url.as_str(),
            "https://example.org/files/skf_web-1.0.0-py3-none-any.whl"
        );
        assert_eq!(f.sha256.as_ref().map(Sha256::hex), Some(H1));
        assert_eq!(f.requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(f.core_metadata, Some(Some(Sha256::from_hex(H2).unwrap())));
        assert_eq!(f.size, Some(1234));
        assert_eq!(f.yanked, None);
        assert!(f.is_wheel());
        assert_eq!(
            f.upload_timestamp().unwrap(),
            parse_timestamp("2025-06-01T00:00:00.123456Z").unwrap()
        );
        assert_eq!(
            f.metadata_url().as_str(),
            "https://example.org/files/skf_web-1.0.0-py3-none-any.whl.metadata"
        );
        let sdist = &p.files[1];
        assert!(matches!(&sdist.kind, DistKind::Sdist { name, .. } if name == "skf-web"));
        assert_eq!(sdist.core_metadata, Some(None));
        assert_eq!(sdist.yanked.as_deref(), Some("broken build"));
        assert_eq!(sdist.sha256, None);
        let yanked = &p.files[2];
        assert_eq!(yanked.yanked.as_deref(), Some(""));
        assert_eq!(yanked.core_metadata, None);
        assert_eq!(yanked.requires_python, None);
    }

    #[test]
    fn json_rejects_unknown_major_version_and_garbage() {
        let body = br#"{"meta": {"api-version": "2.0"}, "name": "x", "files": []}"#;
        let e = parse_project_page(
            &index(),
            &PackageName::new("x").unwrap(),
            &page_url(),
            Some("application/json"),
            body,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("unsupported repository API version"),
            "{e}"
        );
        let e = parse_project_page(
            &index(),
            &PackageName::new("x").unwrap(),
            &page_url(),
            Some("application/json"),
            b"{",
        )
        .unwrap_err();
        assert!(matches!(e, IndexError::Malformed { .. }), "{e}");
    }

    #[test]
    fn html_page() {
        let body = format!(
            r#"<!DOCTYPE html>
<html><head><meta name="pypi:repository-version" content="1.0"></head><body>
<h1>Links for skf-web</h1>
<a href="../../files/skf_web-1.0.0-py3-none-any.whl#sha256={H1}" data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256={H2}">skf_web-1.0.0-py3-none-any.whl</a><br/>
<a href="https://files.example.org/a/b/skf_web-1.1.0.tar.gz#md5=abc" data-dist-info-metadata="true" data-yanked="">skf_web-1.1.0.tar.gz</a>
<a href="/dl/12345?x=1" data-yanked="reason &amp; more">skf-web-2.0.tar.gz</a>
<a href="skf_web-0.1-py3-none-any.whl">skf_web-0.1-py3-none-any.whl</a>
<a href="notes.txt">notes.txt</a>
<a name="anchor-without-href">x</a>
</body></html>"#
        );
        let p = parse_project_page(
            &index(),
            &PackageName::new("skf-web").unwrap(),
            &page_url(),
            Some("text/html"),
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(p.files.len(), 4);
        let f = &p.files[0];
        assert_eq!(f.filename, "skf_web-1.0.0-py3-none-any.whl");
        assert_eq!(
            f.url.as_str(),
            "https://example.org/files/skf_web-1.0.0-py3-none-any.whl"
        );
        assert_eq!(f.sha256.as_ref().map(Sha256::hex), Some(H1));
        assert_eq!(f.requires_python.as_deref(), Some(">=3.8,<4"));
        assert_eq!(f.core_metadata, Some(Some(Sha256::from_hex(H2).unwrap())));
        assert_eq!(f.yanked, None);
        assert_eq!(f.upload_time, None);
        let s = &p.files[1];
        assert_eq!(s.sha256, None, "only sha256 fragments count");
        assert_eq!(s.core_metadata, Some(None));
        assert_eq!(s.yanked.as_deref(), Some(""));
        assert_eq!(
            s.url.as_str(),
            "https://files.example.org/a/b/skf_web-1.1.0.tar.gz"
        );
        // The URL has no filename; the anchor text supplies it.
        let t = &p.files[2];
        assert_eq!(t.filename, "skf-web-2.0.tar.gz");
        assert_eq!(t.url.as_str(), "https://example.org/dl/12345?x=1");
        assert_eq!(t.yanked.as_deref(), Some("reason & more"));
        assert_eq!(
            p.files[3].url.as_str(),
            "https://example.org/simple/skf-web/skf_web-0.1-py3-none-any.whl"
        );
    }

    #[test]
    fn html_base_href() {
        let body = r#"<html><head><base href="https://mirror.example.net/pkgs/"></head>
<body><a href="skf_web-1.0.0.tar.gz">skf_web-1.0.0.tar.gz</a></body></html>"#;
        let p = parse_project_page(
            &index(),
            &PackageName::new("skf-web").unwrap(),
            &page_url(),
            None,
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(
            p.files[0].url.as_str(),
            "https://mirror.example.net/pkgs/skf_web-1.0.0.tar.gz"
        );
    }

    #[test]
    fn exclude_newer_values() {
        let cutoff = "2026-01-01".parse::<skua_types::ExcludeNewer>().unwrap().0;
        assert_eq!(cutoff, parse_timestamp("2026-01-01T00:00:00Z").unwrap());
        assert!(parse_timestamp("2025-12-31T23:59:59Z").unwrap() < cutoff);
        assert_eq!(
            "2026-01-01T01:00:00+01:00"
                .parse::<skua_types::ExcludeNewer>()
                .unwrap()
                .0,
            cutoff
        );
        assert!("yesterday".parse::<skua_types::ExcludeNewer>().is_err());
    }
}
