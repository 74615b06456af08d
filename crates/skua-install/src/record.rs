//! The RECORD file (PEP 376 / PEP 627 / the wheel spec): a CSV of
//! `path,algorithm=urlsafe-b64-nopad-digest,size`, one row per installed file.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256, Sha384, Sha512};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordEntry {
    pub path: String,
    /// `algorithm=digest`, as written; `None` for RECORD itself and signatures.
    pub hash: Option<String>,
    pub size: Option<u64>,
}

/// Parses RECORD text. Python's `csv` module writes it, so fields may be quoted (a path
/// with a comma) and lines may end in `\r\n`; both are handled.
pub(crate) fn parse_record(text: &str) -> Result<Vec<RecordEntry>, String> {
    let mut entries = Vec::new();
    for (number, row) in parse_csv(text)?.into_iter().enumerate() {
        let line = number + 1;
        if row.iter().all(String::is_empty) {
            continue;
        }
        let mut fields = row.into_iter();
        let path = fields.next().unwrap_or_default();
        let hash = fields.next().unwrap_or_default();
        let size = fields.next().unwrap_or_default();
        if fields.next().is_some() {
            return Err(format!("RECORD row {line} has more than three fields"));
        }
        if path.is_empty() {
            return Err(format!("RECORD row {line} has an empty path"));
        }
        let size = if size.is_empty() {
            None
        } else {
            Some(
                size.parse::<u64>()
                    .map_err(|_| format!("RECORD row {line} has an invalid size `{size}`"))?,
            )
        };
        entries.push(RecordEntry {
            path,
            hash: (!hash.is_empty()).then_some(hash),
            size,
        });
    }
    Ok(entries)
}

fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    // Whether the current row has any content yet, so a trailing newline does not
    // produce a phantom empty row.
    let mut row_started = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                in_quotes = true;
                row_started = true;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                row_started = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                if row_started || !field.is_empty() {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                row_started = false;
            }
            _ => {
                field.push(c);
                row_started = true;
            }
        }
    }
    if in_quotes {
        return Err("RECORD ends inside a quoted field".to_owned());
    }
    if row_started || !field.is_empty() {
        row.push(field);
        rows.push(row);
    }
    Ok(rows)
}

/// Serializes entries the way Python's `csv.writer` would (minimal quoting), so any tool
/// reading RECORD with the `csv` module gets the paths back exactly.
pub(crate) fn write_record(entries: &[RecordEntry]) -> String {
    let mut out = String::new();
    for entry in entries {
        push_csv_field(&mut out, &entry.path);
        out.push(',');
        push_csv_field(&mut out, entry.hash.as_deref().unwrap_or(""));
        out.push(',');
        if let Some(size) = entry.size {
            out.push_str(&size.to_string());
        }
        out.push('\n');
    }
    out
}

fn push_csv_field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// `sha256=<urlsafe base64 without padding>` of `bytes`, the form RECORD uses.
pub(crate) fn sha256_record_hash(bytes: &[u8]) -> String {
    format!("sha256={}", URL_SAFE_NO_PAD.encode(Sha256::digest(bytes)))
}

/// Streams a file through the hash of a RECORD entry.
pub(crate) enum RecordHasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl RecordHasher {
    /// The hasher for a RECORD `algorithm=digest` value. MD5 and SHA-1 are refused: the
    /// wheel spec requires sha256 or stronger, and a weak hash protects nothing.
    pub fn for_record_hash(hash: &str) -> Option<RecordHasher> {
        let (algorithm, _) = hash.split_once('=')?;
        match algorithm {
            "sha256" => Some(RecordHasher::Sha256(Sha256::new())),
            "sha384" => Some(RecordHasher::Sha384(Sha384::new())),
            "sha512" => Some(RecordHasher::Sha512(Sha512::new())),
            _ => None,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            RecordHasher::Sha256(h) => h.update(bytes),
            RecordHasher::Sha384(h) => h.update(bytes),
            RecordHasher::Sha512(h) => h.update(bytes),
        }
    }

    /// The digest in RECORD form, `algorithm=digest`.
    pub fn finish(self) -> String {
        match self {
            RecordHasher::Sha256(h) => format!("sha256={}", URL_SAFE_NO_PAD.encode(h.finalize())),
            RecordHasher::Sha384(h) => format!("sha384={}", URL_SAFE_NO_PAD.encode(h.finalize())),
            RecordHasher::Sha512(h) => format!("sha512={}", URL_SAFE_NO_PAD.encode(h.finalize())),
        }
    }
}

/// Whether two RECORD hashes are the same digest. Some writers pad the base64, which
/// the format does not allow but which is harmless.
pub(crate) fn same_hash(a: &str, b: &str) -> bool {
    a.trim_end_matches('=') == b.trim_end_matches('=')
}

/// The sha256 RECORD hash and size of a file on disk.
pub(crate) fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((
        format!("sha256={}", URL_SAFE_NO_PAD.encode(hasher.finalize())),
        size,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_quoted_and_crlf_rows() {
        let text =
            "a/b.py,sha256=abc,12\r\n\"we,ird\"\"name.py\",sha256=def,3\nx.dist-info/RECORD,,\n";
        let entries = parse_record(text).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].path, "a/b.py");
        assert_eq!(entries[0].hash.as_deref(), Some("sha256=abc"));
        assert_eq!(entries[0].size, Some(12));
        assert_eq!(entries[1].path, "we,ird\"name.py");
        assert_eq!(entries[2].hash, None);
        assert_eq!(entries[2].size, None);
    }

    #[test]
    fn round_trips_through_the_writer() {
        let entries = vec![
            RecordEntry {
                path: "pkg/a,b.py".into(),
                hash: Some("sha256=x".into()),
                size: Some(1),
            },
            RecordEntry {
                path: "pkg-1.0.dist-info/RECORD".into(),
                hash: None,
                size: None,
            },
        ];
        assert_eq!(parse_record(&write_record(&entries)).unwrap(), entries);
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_record("a,b,c,d\n").is_err());
        assert!(parse_record("a,sha256=x,big\n").is_err());
        assert!(parse_record("\"unterminated,x,1\n").is_err());
    }

    #[test]
    fn hashes_like_pip() {
        // The digest of b"" is the well-known e3b0c442...; this is its RECORD form.
        assert_eq!(
            sha256_record_hash(b""),
            "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
        );
        assert!(same_hash("sha256=ab==", "sha256=ab"));
        assert!(RecordHasher::for_record_hash("md5=abc").is_none());
    }
}
