use std::str::FromStr;

use pep440_rs::Version;

use crate::IndexError;

/// The fields of a distribution's core metadata (`METADATA` / `PKG-INFO`) a resolver
/// needs. Names and requirement strings are as written in the file (not normalized).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreMetadata {
    pub name: String,
    pub version: Version,
    /// Raw PEP 508 requirement strings, markers and extras included.
    pub requires_dist: Vec<String>,
    pub requires_python: Option<String>,
    pub provides_extra: Vec<String>,
    /// Fields declared `Dynamic` (PEP 643), as written.
    pub dynamic: Vec<String>,
    pub metadata_version: String,
}

impl CoreMetadata {
    /// Parses the RFC 822-style header block; the body (long description) is ignored.
    pub fn parse(bytes: &[u8]) -> Result<Self, IndexError> {
        parse(bytes).map_err(|message| IndexError::Malformed {
            url: "core metadata".to_owned(),
            message,
        })
    }

    /// Whether `requires_dist` can be trusted without building the distribution.
    ///
    /// Always true for wheels. For sdists (PKG-INFO), PEP 643 only guarantees it from
    /// Metadata-Version 2.2 on, and only when `Requires-Dist` is not declared dynamic.
    pub fn static_requires_dist(&self) -> bool {
        let at_least_2_2 = {
            let mut parts = self.metadata_version.trim().split('.');
            let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            (major, minor) >= (2, 2)
        };
        at_least_2_2
            && !self
                .dynamic
                .iter()
                .any(|d| d.trim().eq_ignore_ascii_case("requires-dist"))
    }
}

fn parse(bytes: &[u8]) -> Result<CoreMetadata, String> {
    let text = String::from_utf8_lossy(bytes);
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        // `lines` already drops a trailing `\r`.
        if line.trim().is_empty() {
            break; // end of headers: what follows is the description body
        }
        if line.starts_with([' ', '\t']) {
            // A continuation line (folded header). Description lines folded this way are
            // irrelevant here; for other fields the fold is just whitespace.
            if let Some((_, value)) = headers.last_mut() {
                if !value.is_empty() {
                    value.push(' ');
                }
                value.push_str(line.trim());
            }
            continue;
        }
        // Lines without a colon are not valid headers; skipping them is what Python's
        // email parser effectively does for metadata files in the wild.
        if let Some((key, value)) = line.split_once(':') {
            headers.push((key.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let one = |key: &str| {
        headers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let all = |key: &str| -> Vec<String> {
        headers
            .iter()
            .filter(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    };
    let metadata_version = one("metadata-version").ok_or("no Metadata-Version field")?;
    let name = one("name")
        .filter(|n| !n.is_empty())
        .ok_or("no Name field")?;
    let raw_version = one("version").ok_or("no Version field")?;
    let version = Version::from_str(&raw_version)
        .map_err(|e| format!("invalid Version `{raw_version}`: {e}"))?;
    Ok(CoreMetadata {
        name,
        version,
        requires_dist: all("requires-dist"),
        requires_python: one("requires-python").filter(|v| !v.is_empty()),
        provides_extra: all("provides-extra"),
        dynamic: all("dynamic"),
        metadata_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Lines joined with CRLF, as some uploaders write them.
    const METADATA: &str = concat!(
        "Metadata-Version: 2.1\r\n",
        "Name: Skf_Web\r\n",
        "Version: 1.0.0\r\n",
        "Summary: A web thing\r\n",
        "Description: first line\r\n",
        "        |second line: with a colon\r\n",
        "        |Requires-Dist: not-a-dependency\r\n",
        "Requires-Python: >=3.8\r\n",
        "Requires-Dist: skf-simple>=1.0\r\n",
        "Requires-Dist: skf-certs>=2.0; extra == \"tls\"\r\n",
        "Requires-Dist: skf-web[socks,tls]; extra == \"all\"\r\n",
        "Requires-Dist: pywin32>=300;\r\n",
        "  sys_platform == \"win32\"\r\n",
        "Provides-Extra: tls\r\n",
        "Provides-Extra: all\r\n",
        "\r\n",
        "Body text\r\n",
        "Requires-Dist: also-not-a-dependency\r\n",
    );

    #[test]
    fn parses_headers_and_stops_at_body() {
        let m = CoreMetadata::parse(METADATA.as_bytes()).unwrap();
        assert_eq!(m.name, "Skf_Web");
        assert_eq!(m.version, Version::from_str("1.0.0").unwrap());
        assert_eq!(m.metadata_version, "2.1");
        assert_eq!(m.requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(
            m.requires_dist,
            [
                "skf-simple>=1.0",
                "skf-certs>=2.0; extra == \"tls\"",
                "skf-web[socks,tls]; extra == \"all\"",
                "pywin32>=300; sys_platform == \"win32\"",
            ]
        );
        assert_eq!(m.provides_extra, ["tls", "all"]);
        assert!(m.dynamic.is_empty());
        // 2.1 predates PEP 643: an sdist's requirements cannot be trusted.
        assert!(!m.static_requires_dist());
    }

    #[test]
    fn dynamic_and_static() {
        let base = "Metadata-Version: 2.2\nName: a\nVersion: 1\n";
        let m = CoreMetadata::parse(base.as_bytes()).unwrap();
        assert!(m.static_requires_dist());
        let m = CoreMetadata::parse(format!("{base}Dynamic: Requires-Dist\n").as_bytes()).unwrap();
        assert_eq!(m.dynamic, ["Requires-Dist"]);
        assert!(!m.static_requires_dist());
        let m = CoreMetadata::parse(b"Metadata-Version: 2.10\nName: a\nVersion: 1\n").unwrap();
        assert!(m.static_requires_dist());
    }

    #[test]
    fn missing_or_invalid_fields() {
        assert!(CoreMetadata::parse(b"Name: a\nVersion: 1\n").is_err());
        assert!(CoreMetadata::parse(b"Metadata-Version: 2.1\nVersion: 1\n").is_err());
        let e = CoreMetadata::parse(b"Metadata-Version: 2.1\nName: a\nVersion: one\n").unwrap_err();
        assert!(e.to_string().contains("invalid Version"), "{e}");
        // Nothing but a body.
        assert!(CoreMetadata::parse(b"\nMetadata-Version: 2.1\nName: a\nVersion: 1\n").is_err());
    }
}
