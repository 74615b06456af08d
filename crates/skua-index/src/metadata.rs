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
    /// Parses the header block as Python's `email.parser` does (see [`headers`]); the
    /// body (long description) is ignored. Metadata-Version 1.0 to 2.x is accepted.
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
    let headers = headers(&text);
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
    check_metadata_version(&metadata_version)?;
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

/// Versions 1.0 to 2.x: a new minor version only adds fields, which older readers may
/// ignore, while a new major version may change what existing fields mean.
fn check_metadata_version(raw: &str) -> Result<(), String> {
    let invalid = || format!("invalid Metadata-Version `{raw}`");
    let (major, minor) = raw.trim().split_once('.').ok_or_else(invalid)?;
    let (Ok(major), Ok(_)) = (major.parse::<u32>(), minor.parse::<u32>()) else {
        return Err(invalid());
    };
    match major {
        1 | 2 => Ok(()),
        0 => Err(invalid()),
        _ => Err(format!(
            "unsupported Metadata-Version {raw}: skua reads versions 1.0 to 2.4"
        )),
    }
}

/// The header fields, names lowercased, as Python's `email.parser` (policy `compat32`)
/// reads them, which is what `packaging.metadata` and `importlib.metadata` see:
///
/// * lines end at `\r\n`, `\r` or `\n`;
/// * a line starting with a space or a tab, even one holding nothing but whitespace,
///   continues the previous field (folded values are joined with one space);
/// * the headers end at the first empty line, or at the first line that is neither a
///   field (`name:` with printable ASCII and no space in the name) nor a continuation,
///   which Python takes as the start of the body;
/// * lines Python skips without ending the headers (`From ` envelope lines, `:value`
///   with no name) also stop the previous field from being continued.
fn headers(text: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    // Whether a continuation line extends the last field.
    let mut continuable = false;
    for line in lines(text) {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if continuable && let Some((_, value)) = headers.last_mut() {
                let piece = line.trim();
                if !piece.is_empty() {
                    if !value.is_empty() {
                        value.push(' ');
                    }
                    value.push_str(piece);
                }
            }
            continue;
        }
        if line.starts_with("From ") {
            continuable = false;
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            break;
        };
        if !name.bytes().all(|b| matches!(b, 0x21..=0x7e)) {
            break;
        }
        if name.is_empty() {
            continuable = false;
            continue;
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        continuable = true;
    }
    headers
}

/// The lines of `text` without their terminators; `\r\n`, `\r` and `\n` each end a line.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(['\r', '\n']) {
            Some(end) => {
                let (line, terminator) = current.split_at(end);
                let after = terminator
                    .strip_prefix("\r\n")
                    .or_else(|| terminator.get(1..))
                    .unwrap_or("");
                rest = Some(after);
                Some(line)
            }
            None => {
                rest = None;
                (!current.is_empty()).then_some(current)
            }
        }
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

    fn requires_dist(text: &str) -> Vec<String> {
        let head = "Metadata-Version: 2.1\nName: a\nVersion: 1\n";
        CoreMetadata::parse(format!("{head}{text}").as_bytes())
            .unwrap()
            .requires_dist
    }

    // The expected values below are what `email.parser.Parser().parsestr(text)
    // .get_all("Requires-Dist")` returns for the same text (Python 3.11), with folds
    // joined by one space.

    #[test]
    fn whitespace_only_lines_continue_a_folded_license() {
        let text = concat!(
            "License: Apache License\n",
            "        Version 2.0, January 2004\n",
            "        \n",
            "\t\n",
            "   \n",
            "        TERMS AND CONDITIONS\n",
            " \t \n",
            "Requires-Dist: first\n",
            "Requires-Dist: second\n",
        );
        assert_eq!(requires_dist(text), ["first", "second"]);
        assert_eq!(
            requires_dist("Requires-Dist: folded;\n\t\n  python_version > '3'\n"),
            ["folded; python_version > '3'"]
        );
    }

    #[test]
    fn lines_end_at_crlf_cr_or_lf() {
        assert_eq!(
            requires_dist(
                "Requires-Dist: x;\r\n  python_version > '3'\r\nRequires-Dist: y\r\n\r\nRequires-Dist: body\r\n"
            ),
            ["x; python_version > '3'", "y"]
        );
        assert_eq!(
            requires_dist("Requires-Dist: x\rRequires-Dist: y\r\rRequires-Dist: body\r"),
            ["x", "y"]
        );
        // `\n\r` is two line ends: the `\r` is an empty line.
        assert_eq!(
            requires_dist("Requires-Dist: x\n\rRequires-Dist: body\n"),
            ["x"]
        );
        // Other Unicode line breaks are part of the value, as in Python's parser.
        assert_eq!(
            requires_dist("Requires-Dist: x\u{2028}y\nRequires-Dist: z"),
            ["x\u{2028}y", "z"]
        );
    }

    #[test]
    fn a_line_that_is_not_a_header_starts_the_body() {
        for line in [
            "this is not a header",
            "Requires-Dist : spaced name",
            "N\u{e4}me: not ascii",
            "\x0cRequires-Dist: form feed",
        ] {
            assert_eq!(
                requires_dist(&format!("Requires-Dist: x\n{line}\nRequires-Dist: body\n")),
                ["x"],
                "{line:?}"
            );
        }
    }

    #[test]
    fn lines_python_skips_keep_the_headers_going() {
        // A nameless field and a `From ` envelope line are dropped, and so are the
        // continuation lines right after them.
        assert_eq!(
            requires_dist("Requires-Dist: x\n:junk\n  more junk\nRequires-Dist: y\n"),
            ["x", "y"]
        );
        assert_eq!(
            requires_dist("Requires-Dist: x\nFrom somewhere\n  more\nRequires-Dist: y\n"),
            ["x", "y"]
        );
        // A continuation before any field belongs to nothing.
        let m =
            CoreMetadata::parse(b"  stray\nMetadata-Version: 2.1\nName: a\nVersion: 1\n").unwrap();
        assert_eq!(m.name, "a");
    }

    #[test]
    fn values_are_trimmed_and_empty_ones_dropped() {
        assert_eq!(
            requires_dist(
                "Requires-Dist:\nRequires-Dist:   \nRequires-Dist:y  \nRequires-Dist:\t z"
            ),
            ["y", "z"]
        );
    }

    #[test]
    fn body_after_the_blank_line_is_ignored() {
        let m = CoreMetadata::parse(
            b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: x\n\nRequires-Dist: y\nRequires-Python: >=3.99\n",
        )
        .unwrap();
        assert_eq!(m.requires_dist, ["x"]);
        assert_eq!(m.requires_python, None);
    }

    #[test]
    fn metadata_versions() {
        for version in [
            "1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", " 2.5 ",
        ] {
            let text = format!("Metadata-Version: {version}\nName: a\nVersion: 1\n");
            assert!(CoreMetadata::parse(text.as_bytes()).is_ok(), "{version}");
        }
        let e = CoreMetadata::parse(b"Metadata-Version: 3.0\nName: a\nVersion: 1\n").unwrap_err();
        assert!(
            e.to_string().contains("unsupported Metadata-Version 3.0"),
            "{e}"
        );
        for version in ["", "2", "two", "0.9", "2.x"] {
            let text = format!("Metadata-Version: {version}\nName: a\nVersion: 1\n");
            let e = CoreMetadata::parse(text.as_bytes()).unwrap_err();
            assert!(
                e.to_string().contains("invalid Metadata-Version"),
                "{version}: {e}"
            );
        }
    }
}
