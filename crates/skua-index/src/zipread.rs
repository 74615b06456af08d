//! Reading single entries out of a zip archive (a wheel, or a `.zip` sdist) through a
//! random-access byte source, so that a remote wheel's METADATA costs a few HTTP range
//! requests instead of a download: the tail (end of central directory record), the
//! central directory, and the one entry.

use std::io::Read;

use crate::IndexError;

/// The EOCD record lives in the last 22 + 65535 (max comment) bytes; one request of this
/// size usually also covers a wheel's central directory and its `.dist-info` files,
/// which the wheel spec has writers put last.
/// The first read from the end of a remote wheel. uv guesses 16 KiB for the central
/// directory too: a wheel of a few hundred files fits, and a bigger guess costs every
/// metadata read of a small wheel (an unsatisfiable boto3 set reads ~900 of them) more
/// bytes than the extra request of a big one.
pub(crate) const TAIL_SIZE: u64 = 16 * 1024;
const EOCD_MAX_DISTANCE: u64 = 22 + 65535;
/// Upper bound for a central directory or a decompressed metadata file; real ones are
/// orders of magnitude smaller, and the bound stops a hostile archive from exhausting
/// memory.
const MAX_SIZE: u64 = 64 * 1024 * 1024;

const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CD_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;

/// Random access to an archive of known length.
pub(crate) trait RangeSource {
    fn len(&self) -> u64;
    /// How much of the end to read first, where the central directory is looked for.
    fn first_tail(&self) -> u64 {
        TAIL_SIZE
    }
    /// The bytes `start..end` (`end <= len()`).
    async fn read(&mut self, start: u64, end: u64) -> Result<Vec<u8>, IndexError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CdEntry {
    pub name: String,
    pub flags: u16,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub local_header_offset: u64,
}

/// Why an entry could not be read: the archive itself is broken, or the wanted entry
/// is not in it. Callers turn these into the right `IndexError` with a filename.
#[derive(Debug)]
pub(crate) enum ZipError {
    Invalid(String),
    Source(IndexError),
}

impl From<IndexError> for ZipError {
    fn from(e: IndexError) -> Self {
        ZipError::Source(e)
    }
}

fn invalid<T>(msg: impl Into<String>) -> Result<T, ZipError> {
    Err(ZipError::Invalid(msg.into()))
}

/// Reads the entry chosen by `pick` from the central directory.
pub(crate) async fn read_entry<S: RangeSource>(
    source: &mut S,
    pick: impl Fn(&[CdEntry]) -> Result<&CdEntry, String>,
) -> Result<Vec<u8>, ZipError> {
    read_entry_at(source, pick).await.map(|(data, _)| data)
}

/// [`read_entry`], with where the entry starts in the archive.
pub(crate) async fn read_entry_at<S: RangeSource>(
    source: &mut S,
    pick: impl Fn(&[CdEntry]) -> Result<&CdEntry, String>,
) -> Result<(Vec<u8>, u64), ZipError> {
    let total = source.len();
    let entries = central_directory(source, total).await?;
    let entry = pick(&entries).map_err(ZipError::Invalid)?;
    if entry.compressed_size > MAX_SIZE || entry.uncompressed_size > MAX_SIZE {
        return invalid(format!("{}: entry too large", entry.name));
    }
    let offset = entry.local_header_offset;
    if offset.saturating_add(30) > total {
        return invalid(format!(
            "{}: local header past the end of the archive",
            entry.name
        ));
    }
    // One request for header + data: the local name is the central one and the local
    // extra field is rarely longer than this allowance.
    let guess = 30 + entry.name.len() as u64 + 256 + entry.compressed_size;
    let first = source.read(offset, total.min(offset + guess)).await?;
    let data_start = local_data_offset(&first).map_err(ZipError::Invalid)?;
    let data_end = data_start
        .checked_add(entry.compressed_size)
        .filter(|end| offset.saturating_add(*end) <= total)
        .ok_or_else(|| {
            ZipError::Invalid(format!("{}: entry past the end of the archive", entry.name))
        })?;
    let data = if let Some(data) = first.get(data_start as usize..data_end as usize) {
        data.to_vec()
    } else {
        source.read(offset + data_start, offset + data_end).await?
    };
    decompress(entry, &data)
        .map(|data| (data, offset))
        .map_err(ZipError::Invalid)
}

async fn central_directory<S: RangeSource>(
    source: &mut S,
    total: u64,
) -> Result<Vec<CdEntry>, ZipError> {
    if total < 22 {
        return invalid("too short to be a zip archive");
    }
    let mut tail_start = total - total.min(source.first_tail());
    let mut tail = source.read(tail_start, total).await?;
    let mut eocd = find_eocd(&tail);
    if eocd.is_none() && tail_start > 0 {
        // A long archive comment pushed the record further back than the first read.
        tail_start = total - total.min(EOCD_MAX_DISTANCE);
        tail = source.read(tail_start, total).await?;
        eocd = find_eocd(&tail);
    }
    let Some(eocd) = eocd else {
        return invalid("no end of central directory record (not a zip archive?)");
    };
    let (cd_offset, cd_size) = match eocd.zip64_record {
        None => (eocd.cd_offset, eocd.cd_size),
        Some(record) => {
            if record.saturating_add(56) > total {
                return invalid("zip64 end of central directory record past the end");
            }
            let bytes = source.read(record, record + 56).await?;
            parse_zip64_eocd(&bytes).map_err(ZipError::Invalid)?
        }
    };
    if cd_size > MAX_SIZE || cd_offset.saturating_add(cd_size) > total {
        return invalid("central directory out of bounds");
    }
    let cd = if cd_offset >= tail_start {
        let from = (cd_offset - tail_start) as usize;
        match tail.get(from..from + cd_size as usize) {
            Some(cd) => cd.to_vec(),
            None => return invalid("central directory out of bounds"),
        }
    } else {
        source.read(cd_offset, cd_offset + cd_size).await?
    };
    parse_central_directory(&cd).map_err(ZipError::Invalid)
}

struct Eocd {
    cd_offset: u64,
    cd_size: u64,
    /// Where the zip64 EOCD record is, when the classic record's fields overflowed.
    zip64_record: Option<u64>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Finds the end of central directory record in `tail` (the end of the archive), scanning
/// backwards as the comment length is only known once found.
fn find_eocd(tail: &[u8]) -> Option<Eocd> {
    let last = tail.len().checked_sub(22)?;
    for pos in (0..=last).rev() {
        if u32_at(tail, pos) != Some(EOCD_SIG) {
            continue;
        }
        let comment_len = usize::from(u16_at(tail, pos + 20)?);
        // The comment must run exactly to the end; otherwise these four bytes just
        // happen to look like a signature (inside compressed data, say).
        if pos + 22 + comment_len != tail.len() {
            continue;
        }
        let cd_size = u32_at(tail, pos + 12)?;
        let cd_offset = u32_at(tail, pos + 16)?;
        let entries = u16_at(tail, pos + 10)?;
        let overflow = cd_size == u32::MAX || cd_offset == u32::MAX || entries == u16::MAX;
        // When a zip64 locator precedes the record, its values are authoritative.
        let zip64_record = pos
            .checked_sub(20)
            .filter(|&l| u32_at(tail, l) == Some(ZIP64_LOCATOR_SIG))
            .and_then(|l| u64_at(tail, l + 8));
        if overflow && zip64_record.is_none() {
            return None;
        }
        return Some(Eocd {
            cd_offset: u64::from(cd_offset),
            cd_size: u64::from(cd_size),
            zip64_record,
        });
    }
    None
}

fn parse_zip64_eocd(b: &[u8]) -> Result<(u64, u64), String> {
    if u32_at(b, 0) != Some(ZIP64_EOCD_SIG) {
        return Err("bad zip64 end of central directory signature".into());
    }
    let cd_size = u64_at(b, 40).ok_or("truncated zip64 record")?;
    let cd_offset = u64_at(b, 48).ok_or("truncated zip64 record")?;
    Ok((cd_offset, cd_size))
}

pub(crate) fn parse_central_directory(cd: &[u8]) -> Result<Vec<CdEntry>, String> {
    let mut entries = Vec::new();
    let mut pos = 0usize;
    while pos + 4 <= cd.len() {
        if u32_at(cd, pos) != Some(CD_SIG) {
            // Digital signature / zip64 records may follow the entries.
            break;
        }
        let field = |off: usize| u16_at(cd, pos + off).ok_or("truncated central directory");
        let field32 = |off: usize| u32_at(cd, pos + off).ok_or("truncated central directory");
        let flags = field(8)?;
        let method = field(10)?;
        let crc32 = field32(16)?;
        let mut compressed_size = u64::from(field32(20)?);
        let mut uncompressed_size = u64::from(field32(24)?);
        let name_len = usize::from(field(28)?);
        let extra_len = usize::from(field(30)?);
        let comment_len = usize::from(field(32)?);
        let mut local_header_offset = u64::from(field32(42)?);
        let name_start = pos + 46;
        let extra_start = name_start + name_len;
        let next = extra_start + extra_len + comment_len;
        if next > cd.len() {
            return Err("truncated central directory".into());
        }
        let name = String::from_utf8_lossy(&cd[name_start..extra_start]).into_owned();
        // Zip64 extended information: 8-byte values for exactly those fields whose
        // 4-byte slot holds 0xFFFFFFFF, in this order.
        let mut extra = &cd[extra_start..extra_start + extra_len];
        while extra.len() >= 4 {
            let id = u16_at(extra, 0).unwrap_or(0);
            let size = usize::from(u16_at(extra, 2).unwrap_or(0));
            let Some(body) = extra.get(4..4 + size) else {
                break;
            };
            if id == 0x0001 {
                let mut values = body
                    .chunks_exact(8)
                    .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
                for slot in [
                    &mut uncompressed_size,
                    &mut compressed_size,
                    &mut local_header_offset,
                ] {
                    if *slot == u64::from(u32::MAX) {
                        *slot = values.next().ok_or("truncated zip64 extra field")?;
                    }
                }
            }
            extra = &extra[4 + size..];
        }
        entries.push(CdEntry {
            name,
            flags,
            method,
            crc32,
            compressed_size,
            uncompressed_size,
            local_header_offset,
        });
        pos = next;
    }
    Ok(entries)
}

/// Distance from the start of a local file header to its data.
fn local_data_offset(header: &[u8]) -> Result<u64, String> {
    if u32_at(header, 0) != Some(LOCAL_SIG) {
        return Err("bad local file header signature".into());
    }
    let name_len = u64::from(u16_at(header, 26).ok_or("truncated local header")?);
    let extra_len = u64::from(u16_at(header, 28).ok_or("truncated local header")?);
    Ok(30 + name_len + extra_len)
}

fn decompress(entry: &CdEntry, data: &[u8]) -> Result<Vec<u8>, String> {
    if entry.flags & 1 != 0 {
        return Err(format!("{} is encrypted", entry.name));
    }
    if entry.uncompressed_size > MAX_SIZE {
        return Err(format!(
            "{} is too large ({} bytes)",
            entry.name, entry.uncompressed_size
        ));
    }
    let out = match entry.method {
        0 => data.to_vec(),
        8 => {
            let mut out = Vec::with_capacity(entry.uncompressed_size as usize);
            flate2::read::DeflateDecoder::new(data)
                .take(MAX_SIZE + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("{}: corrupt deflate data: {e}", entry.name))?;
            out
        }
        other => {
            return Err(format!(
                "{} uses compression method {other}; only stored and deflate are supported",
                entry.name
            ));
        }
    };
    if out.len() as u64 != entry.uncompressed_size {
        return Err(format!(
            "{}: expected {} bytes, got {}",
            entry.name,
            entry.uncompressed_size,
            out.len()
        ));
    }
    if crc32fast::hash(&out) != entry.crc32 {
        return Err(format!("{}: CRC-32 mismatch", entry.name));
    }
    Ok(out)
}

/// The wheel's `{name}-{version}.dist-info/METADATA`. The directory name is matched after
/// normalization because writers disagree on escaping; with several `.dist-info`
/// directories (a broken wheel, or a vendored one) the matching one wins.
pub(crate) fn pick_wheel_metadata<'a>(
    entries: &'a [CdEntry],
    name: &skua_types::PackageName,
    version: &pep440_rs::Version,
) -> Result<&'a CdEntry, String> {
    let candidates: Vec<&CdEntry> = entries
        .iter()
        .filter(|e| {
            e.name
                .split_once('/')
                .is_some_and(|(dir, file)| dir.ends_with(".dist-info") && file == "METADATA")
        })
        .collect();
    let matches_dist = |e: &&CdEntry| {
        let dir = e.name.split_once('/').map_or("", |(d, _)| d);
        let stem = dir.strip_suffix(".dist-info").unwrap_or(dir);
        stem.rsplit_once('-').is_some_and(|(n, v)| {
            skua_types::PackageName::new(n).is_ok_and(|n| &n == name)
                && v.parse::<pep440_rs::Version>().is_ok_and(|v| v == *version)
        })
    };
    match candidates.as_slice() {
        [] => Err("no .dist-info/METADATA in the wheel".into()),
        [only] => Ok(only),
        many => many
            .iter()
            .copied()
            .find(matches_dist)
            .ok_or_else(|| "several .dist-info directories, none matching the filename".into()),
    }
}

/// A zip sdist's top-level `{name}-{version}/PKG-INFO`.
pub(crate) fn pick_sdist_pkg_info(entries: &[CdEntry]) -> Result<&CdEntry, String> {
    entries
        .iter()
        .find(|e| {
            let parts: Vec<&str> = e.name.trim_start_matches("./").split('/').collect();
            parts.len() == 2 && parts[1] == "PKG-INFO"
        })
        .ok_or_else(|| "no PKG-INFO at the top of the sdist".into())
}

/// An archive held in memory.
pub(crate) struct MemorySource<'a>(pub &'a [u8]);

impl RangeSource for MemorySource<'_> {
    fn len(&self) -> u64 {
        self.0.len() as u64
    }
    async fn read(&mut self, start: u64, end: u64) -> Result<Vec<u8>, IndexError> {
        Ok(self
            .0
            .get(start as usize..end as usize)
            .unwrap_or_default()
            .to_vec())
    }
}

/// An archive on disk.
pub(crate) struct FileSource {
    file: tokio::fs::File,
    len: u64,
    path: std::path::PathBuf,
}

impl FileSource {
    pub(crate) async fn open(path: &std::path::Path) -> Result<FileSource, IndexError> {
        let ctx = || format!("reading {}", path.display());
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| IndexError::io(ctx(), e))?;
        let len = file
            .metadata()
            .await
            .map_err(|e| IndexError::io(ctx(), e))?
            .len();
        Ok(FileSource {
            file,
            len,
            path: path.to_owned(),
        })
    }
}

impl RangeSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }
    async fn read(&mut self, start: u64, end: u64) -> Result<Vec<u8>, IndexError> {
        use tokio::io::{AsyncReadExt, AsyncSeekExt};
        let ctx = || format!("reading {}", self.path.display());
        self.file
            .seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(|e| IndexError::io(ctx(), e))?;
        let mut buf = vec![0; end.saturating_sub(start) as usize];
        self.file
            .read_exact(&mut buf)
            .await
            .map_err(|e| IndexError::io(ctx(), e))?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::str::FromStr;

    use zip::write::SimpleFileOptions;

    fn wheel(metadata: &str, padding: usize) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let deflated =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let stored =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        w.start_file("skf_demo/__init__.py", deflated).unwrap();
        w.write_all(b"__version__ = '1.0'\n").unwrap();
        // Incompressible padding so the central directory is far from the start.
        let mut state = 0x1234_5678u32;
        let pad: Vec<u8> = (0..padding)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        w.start_file("skf_demo/blob.bin", stored).unwrap();
        w.write_all(&pad).unwrap();
        w.start_file("skf_demo-1.0.dist-info/METADATA", deflated)
            .unwrap();
        w.write_all(metadata.as_bytes()).unwrap();
        w.start_file("skf_demo-1.0.dist-info/WHEEL", stored)
            .unwrap();
        w.write_all(b"Wheel-Version: 1.0\n").unwrap();
        w.start_file("skf_demo-1.0.dist-info/RECORD", stored)
            .unwrap();
        w.write_all(b"").unwrap();
        w.finish().unwrap().into_inner()
    }

    /// Counts how many bytes were read, to check that small reads suffice.
    struct Counting<'a> {
        inner: MemorySource<'a>,
        read: u64,
        requests: usize,
    }

    impl RangeSource for Counting<'_> {
        fn len(&self) -> u64 {
            self.inner.len()
        }
        async fn read(&mut self, start: u64, end: u64) -> Result<Vec<u8>, IndexError> {
            self.read += end - start;
            self.requests += 1;
            self.inner.read(start, end).await
        }
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    const METADATA: &str = "Metadata-Version: 2.1\nName: skf-demo\nVersion: 1.0\nRequires-Dist: six\n\nlong description\n";

    #[test]
    fn reads_metadata_from_a_real_wheel() {
        let bytes = wheel(METADATA, 300 * 1024);
        let version = pep440_rs::Version::from_str("1.0").unwrap();
        let mut source = Counting {
            inner: MemorySource(&bytes),
            read: 0,
            requests: 0,
        };
        let got = block_on(read_entry(&mut source, |e| {
            pick_wheel_metadata(
                e,
                &skua_types::PackageName::new("skf-demo").unwrap(),
                &version,
            )
        }))
        .unwrap();
        assert_eq!(got, METADATA.as_bytes());
        // The tail read covers the central directory and the METADATA entry.
        assert_eq!(source.requests, 2, "tail + entry");
        assert!(source.read < 2 * TAIL_SIZE, "read {} bytes", source.read);
    }

    #[test]
    fn central_directory_entries() {
        let bytes = wheel(METADATA, 10);
        let mut source = MemorySource(&bytes);
        let entries = block_on(central_directory(&mut source, bytes.len() as u64)).unwrap();
        let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "skf_demo/__init__.py",
                "skf_demo/blob.bin",
                "skf_demo-1.0.dist-info/METADATA",
                "skf_demo-1.0.dist-info/WHEEL",
                "skf_demo-1.0.dist-info/RECORD",
            ]
        );
        assert_eq!(entries[1].method, 0);
        assert_eq!(entries[2].method, 8);
        assert_eq!(entries[1].uncompressed_size, 10);
        // Stored entries are read as they are.
        let wheel_file = block_on(read_entry(&mut source, |e| {
            e.iter()
                .find(|e| e.name.ends_with("/WHEEL"))
                .ok_or_else(|| "no WHEEL".to_owned())
        }))
        .unwrap();
        assert_eq!(wheel_file, b"Wheel-Version: 1.0\n");
    }

    #[test]
    fn archive_comment_and_garbage() {
        let mut bytes = wheel(METADATA, 10);
        // Give the archive a comment by patching the EOCD comment length.
        let eocd = bytes.len() - 22;
        let comment = b"a comment with PK\x05\x06 inside";
        bytes[eocd + 20..eocd + 22].copy_from_slice(&(comment.len() as u16).to_le_bytes());
        bytes.extend_from_slice(comment);
        let version = pep440_rs::Version::from_str("1.0").unwrap();
        let got = block_on(read_entry(&mut MemorySource(&bytes), |e| {
            pick_wheel_metadata(
                e,
                &skua_types::PackageName::new("skf_demo").unwrap(),
                &version,
            )
        }))
        .unwrap();
        assert_eq!(got, METADATA.as_bytes());

        let err = block_on(read_entry(
            &mut MemorySource(b"not a zip at all, really not"),
            pick_sdist_pkg_info,
        ))
        .unwrap_err();
        assert!(matches!(err, ZipError::Invalid(_)));
    }

    #[test]
    fn corrupt_entry_is_detected() {
        let mut bytes = wheel(METADATA, 10);
        // Flip a byte inside the stored WHEEL file's data: the CRC catches it.
        let pos = bytes
            .windows(b"Wheel-Version".len())
            .position(|w| w == b"Wheel-Version")
            .unwrap();
        bytes[pos] = b'X';
        let err = block_on(read_entry(&mut MemorySource(&bytes), |e| {
            e.iter()
                .find(|e| e.name.ends_with("/WHEEL"))
                .ok_or_else(|| "no WHEEL".to_owned())
        }))
        .unwrap_err();
        assert!(matches!(err, ZipError::Invalid(m) if m.contains("CRC")));
    }

    #[test]
    fn damaged_archives_are_errors_not_panics() {
        let bytes = wheel(METADATA, 2000);
        let version = pep440_rs::Version::from_str("1.0").unwrap();
        let pick = |e: &[CdEntry]| -> Result<usize, String> {
            let found = pick_wheel_metadata(
                e,
                &skua_types::PackageName::new("skf-demo").unwrap(),
                &version,
            )?;
            Ok(e.iter().position(|x| x == found).unwrap_or(0))
        };
        // Every truncation (a cut-off download) ...
        for cut in (0..bytes.len()).step_by(97) {
            let _ = block_on(read_entry(&mut MemorySource(&bytes[..cut]), |e| {
                pick(e).map(|i| &e[i])
            }));
        }
        // ... and bytes flipped in the structures at the end.
        for pos in bytes.len().saturating_sub(400)..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[pos] ^= 0xff;
            let _ = block_on(read_entry(&mut MemorySource(&damaged), |e| {
                pick(e).map(|i| &e[i])
            }));
        }
    }

    #[test]
    fn picks_matching_dist_info() {
        let entry = |name: &str| CdEntry {
            name: name.to_owned(),
            flags: 0,
            method: 0,
            crc32: 0,
            compressed_size: 0,
            uncompressed_size: 0,
            local_header_offset: 0,
        };
        let entries = vec![
            entry("vendored-2.0.dist-info/METADATA"),
            entry("Skf.Demo-1.0.dist-info/METADATA"),
            entry("skf_demo/data/x.dist-info/METADATA"),
        ];
        let v = pep440_rs::Version::from_str("1.0").unwrap();
        assert_eq!(
            pick_wheel_metadata(
                &entries,
                &skua_types::PackageName::new("skf-demo").unwrap(),
                &v
            )
            .unwrap()
            .name,
            "Skf.Demo-1.0.dist-info/METADATA"
        );
        assert!(
            pick_wheel_metadata(
                &entries[..1],
                &skua_types::PackageName::new("skf-demo").unwrap(),
                &v
            )
            .is_ok()
        );
        assert!(
            pick_wheel_metadata(&[], &skua_types::PackageName::new("skf-demo").unwrap(), &v)
                .is_err()
        );
        assert_eq!(
            pick_sdist_pkg_info(&[
                entry("a-1.0/src/a.egg-info/PKG-INFO"),
                entry("a-1.0/PKG-INFO")
            ])
            .unwrap()
            .name,
            "a-1.0/PKG-INFO"
        );
    }
}
