//! A single requirement: PEP 508 strings plus pip's non-standard URL/path forms.

use std::convert::Infallible;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::marker::validate_marker;
use skua_types::PackageName;

use crate::Span;

/// One dependency, with spans into the original text of the file it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Project name as written; empty for unnamed URL/path requirements (pip resolves those
    /// by building them).
    pub name: String,
    /// `name` validated and normalized; `None` for unnamed URL/path requirements.
    pub package_name: Option<PackageName>,
    /// Extras as written (not normalized), e.g. `["Security", "socks"]`.
    pub extras: Vec<String>,
    /// Version specifiers with all whitespace and surrounding parentheses removed,
    /// e.g. `">=1.2,<2"`; `""` when there are none.
    pub specifiers: String,
    /// Direct reference: the URL of `name @ url`, or the whole URL/path of a pip bare
    /// URL/path line (without extras, without marker, with any `#egg=`/hash fragment).
    pub url: Option<String>,
    /// Environment marker as written (trimmed), without the `;`.
    pub marker: Option<String>,
    /// `algorithm:hexdigest` values from `--hash` options and from URL fragments such as
    /// `#sha256=...`.
    pub hashes: Vec<String>,
    /// The requirement itself: from the name (or URL/path) to the end of the
    /// specifier/URL/marker; per-requirement options such as `--hash` are not included.
    pub span: Span,
    /// The name as written. For unnamed requirements, an empty span at `span.start`; for
    /// `#egg=name` and wheel file names, the span of the name inside the URL.
    pub name_span: Span,
    /// The raw specifier text including any parentheses. When there are no specifiers,
    /// an empty span where they would be inserted (right after the name/extras).
    pub specifiers_span: Span,
    /// Span of `url`, when present.
    pub url_span: Option<Span>,
    /// Span of `marker`, when present.
    pub marker_span: Option<Span>,
}

/// Why a requirement or marker could not be parsed; `span` is relative to the parsed
/// string (the caller maps it into its file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

impl std::str::FromStr for Requirement {
    type Err = ParseError;

    /// Parses one PEP 508 requirement (as found in `Requires-Dist` or a dependency list).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_pep508(text.trim())
    }
}

/// The requirement in PEP 508 form (`name[extras]specifiers ; marker`, or
/// `name @ url ; marker`), without per-line options such as `--hash`.
impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if !self.extras.is_empty() {
            write!(f, "[{}]", self.extras.join(","))?;
        }
        match &self.url {
            Some(url) if self.name.is_empty() => f.write_str(url)?,
            Some(url) => write!(f, " @ {url}")?,
            None => f.write_str(&self.specifiers)?,
        }
        if let Some(marker) = &self.marker {
            write!(f, " ; {marker}")?;
        }
        Ok(())
    }
}

impl Requirement {
    /// The parsed environment marker, if the requirement has one.
    pub fn parsed_marker(&self) -> Option<Result<crate::Marker, ParseError>> {
        self.marker.as_deref().map(str::parse)
    }

    /// `true` when exactly one clause pins a single version: `==X` (no `.*` wildcard) or
    /// `===X`. Other clauses may accompany it (`==1.2,<2` counts).
    ///
    /// Direct references (`url`) are judged by [`Requirement::has_immutable_ref`] instead.
    pub fn is_pinned(&self) -> bool {
        self.specifiers
            .split(',')
            .filter(|clause| {
                let clause = clause.trim();
                clause.starts_with("===") || (clause.starts_with("==") && !clause.ends_with(".*"))
            })
            .count()
            == 1
    }

    /// `true` when `url` points at the local file system: a path (`.`, `./libs/foo`,
    /// `C:\pkgs\foo.whl`, `${DIR}/foo`) or a `file:` URL.
    pub fn is_local_path(&self) -> bool {
        self.url.as_deref().is_some_and(is_local_path_url)
    }

    /// `true` for `git+`, `hg+`, `svn+` and `bzr+` URLs.
    pub fn is_vcs(&self) -> bool {
        self.url.as_deref().is_some_and(is_vcs_url)
    }

    /// The revision after the last `@` of a VCS URL's path, e.g. the commit in
    /// `git+https://host/org/repo@<sha>#egg=name`.
    pub fn vcs_ref(&self) -> Option<&str> {
        let url = self.url.as_deref()?;
        if !is_vcs_url(url) {
            return None;
        }
        vcs_ref(url)
    }

    /// `true` when the requirement is a direct reference that cannot change under us: a VCS
    /// URL whose ref is a full 40- or 64-hex commit id, or any URL carrying a strong
    /// (sha256/sha384/sha512) hash, either as a URL fragment or a `--hash` option.
    pub fn has_immutable_ref(&self) -> bool {
        if self.url.is_none() {
            return false;
        }
        if self.vcs_ref().is_some_and(is_full_commit_id) {
            return true;
        }
        self.hashes.iter().any(|hash| is_strong_hash(hash))
    }

    /// The specifiers parsed as PEP 440 version specifiers.
    pub fn version_specifiers(
        &self,
    ) -> Result<pep440_rs::VersionSpecifiers, pep440_rs::VersionSpecifiersParseError> {
        pep440_rs::VersionSpecifiers::from_str(&self.specifiers)
    }

    pub(crate) fn map_spans(&mut self, f: impl Fn(&Span) -> Span) {
        self.span = f(&self.span);
        self.name_span = f(&self.name_span);
        self.specifiers_span = f(&self.specifiers_span);
        if let Some(span) = &mut self.url_span {
            *span = f(span);
        }
        if let Some(span) = &mut self.marker_span {
            *span = f(span);
        }
    }
}

/// Keeps `name @ url` URLs verbatim: `pep508_rs`'s own URL type expands environment
/// variables and resolves relative paths against the working directory, which would make
/// the result depend on the machine running the linter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct RawUrl(String);

impl fmt::Display for RawUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl pep508_rs::Pep508Url for RawUrl {
    type Err = Infallible;

    fn parse_url(url: &str, _working_dir: Option<&Path>) -> Result<Self, Self::Err> {
        Ok(Self(url.to_string()))
    }
}

/// `pep508_rs` parses parenthesized markers recursively; unbounded nesting in a hostile file
/// would overflow the stack, which aborts rather than panics.
const MAX_NESTING: usize = 64;
/// Marker algebra in `pep508_rs` is superlinear in the number of clauses; real requirements
/// are far below this.
const MAX_REQUIREMENT_LEN: usize = 16 * 1024;

fn check_limits(input: &str) -> Result<(), ParseError> {
    if input.len() > MAX_REQUIREMENT_LEN {
        return Err(ParseError {
            message: format!(
                "requirement is too long ({} bytes, limit {MAX_REQUIREMENT_LEN})",
                input.len()
            ),
            span: 0..input.len(),
        });
    }
    let mut depth = 0usize;
    for (i, b) in input.bytes().enumerate() {
        match b {
            b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(ParseError {
                        message: format!("parentheses nested deeper than {MAX_NESTING} levels"),
                        span: i..i + 1,
                    });
                }
            }
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn pep508_failure<T: pep508_rs::Pep508Url>(
    input: &str,
    err: &pep508_rs::Pep508Error<T>,
) -> ParseError {
    // Only the message is formatted: `Pep508Error`'s own Display asserts on its offsets.
    let start = floor_boundary(input, err.start);
    let end = floor_boundary(input, err.start.saturating_add(err.len)).max(start);
    ParseError {
        message: err.message.to_string(),
        span: start..end,
    }
}

pub(crate) fn skip_ws(s: &str, i: usize) -> usize {
    match s.get(i..) {
        Some(rest) => i + (rest.len() - rest.trim_start().len()),
        None => s.len(),
    }
}

fn trimmed_end(s: &str, end: usize) -> usize {
    s.get(..end).map_or(end, |head| head.trim_end().len())
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

/// `pep508_rs` panics (an `expect` on its own invariant) when a name or extra ends in
/// `.`, `-` or `_` and is followed by more text, so such runs are rejected up front.
fn check_name_runs(text: &str, offset: usize, what: &str) -> Result<(), ParseError> {
    let mut run_start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if is_name_char(c) {
            run_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = run_start.take() {
            let run = text.get(start..i).unwrap_or("");
            if run.ends_with(['.', '-', '_']) {
                return Err(ParseError {
                    message: format!("{what} must end with an alphanumeric character"),
                    span: offset + i - 1..offset + i,
                });
            }
        }
    }
    Ok(())
}

/// Runs `pep508_rs` without letting a panic inside it escape: the linter feeds arbitrary
/// files, and a third-party invariant failure must not take the whole process down.
fn pep508_rs_parse(input: &str) -> Result<pep508_rs::Requirement<RawUrl>, ParseError> {
    match std::panic::catch_unwind(|| pep508_rs::Requirement::<RawUrl>::from_str(input)) {
        Ok(Ok(parsed)) => Ok(parsed),
        Ok(Err(err)) => Err(pep508_failure(input, &err)),
        Err(_) => Err(ParseError {
            message: "requirement could not be parsed".to_string(),
            span: 0..input.len(),
        }),
    }
}

/// Parses a standard PEP 508 dependency specifier (as in pyproject.toml). Spans are
/// relative to `input`.
pub(crate) fn parse_pep508(input: &str) -> Result<Requirement, ParseError> {
    check_limits(input)?;
    let bytes = input.as_bytes();
    let end = trimmed_end(input, input.len());
    let name_start = skip_ws(input, 0);
    let mut i = name_start;
    while bytes.get(i).is_some_and(|&b| is_name_byte(b)) {
        i += 1;
    }
    let name_end = i;
    check_name_runs(
        input.get(name_start..name_end).unwrap_or(""),
        name_start,
        "package name",
    )?;
    let mut after_name = name_end;
    let mut extras = Vec::new();
    i = skip_ws(input, i);
    if bytes.get(i) == Some(&b'[') {
        let Some(close) = input.get(i..).and_then(|rest| rest.find(']')) else {
            return Err(ParseError {
                message: "missing closing bracket `]` for extras".to_string(),
                span: i..i + 1,
            });
        };
        let close = i + close;
        let inside = input.get(i + 1..close).unwrap_or("");
        check_name_runs(inside, i + 1, "extra name")?;
        extras = split_extras_list(inside);
        after_name = close + 1;
        i = skip_ws(input, close + 1);
    }

    // The marker is split off here and checked by `validate_marker`, never by `pep508_rs`
    // (see the `marker` module). After a URL only a `;` preceded by whitespace starts the
    // marker, since `;` is legal inside URLs.
    let is_url_form = bytes.get(i) == Some(&b'@');
    let marker_start = if is_url_form {
        input
            .char_indices()
            .skip_while(|&(pos, _)| pos <= i)
            .scan(false, |after_ws, (pos, c)| {
                let found = c == ';' && *after_ws;
                *after_ws = c.is_whitespace();
                Some((pos, found))
            })
            .find(|&(_, found)| found)
            .map(|(pos, _)| pos)
    } else {
        input.find(';')
    };
    let head_end = marker_start.unwrap_or(input.len());
    let head = input.get(..head_end).unwrap_or("");
    let parsed = pep508_rs_parse(head)?;
    let head_end = trimmed_end(input, head_end);

    let mut specifiers = String::new();
    let mut specifiers_span = after_name..after_name;
    let mut url = None;
    let mut url_span = None;
    match (bytes.get(i), &parsed.version_or_url) {
        (Some(b'@'), Some(pep508_rs::VersionOrUrl::Url(raw))) => {
            let start = skip_ws(input, i + 1);
            let url_end = (start + raw.0.len()).min(head_end);
            url = Some(raw.0.clone());
            url_span = Some(start..url_end);
        }
        (Some(b'('), _) => {
            specifiers_span = i..head_end;
            specifiers = compact_specifiers(input.get(i..head_end).unwrap_or(""));
        }
        (Some(b'<' | b'=' | b'>' | b'~' | b'!'), _) => {
            specifiers_span = i..head_end;
            specifiers = compact_specifiers(input.get(i..head_end).unwrap_or(""));
        }
        _ => {}
    }

    let (marker, marker_span) = match marker_start {
        Some(semi) => marker_after(input, semi, end, false)?,
        None => (None, None),
    };
    Ok(Requirement {
        name: input.get(name_start..name_end).unwrap_or("").to_string(),
        package_name: PackageName::new(input.get(name_start..name_end).unwrap_or("")).ok(),
        extras,
        specifiers,
        url: url.clone(),
        marker,
        hashes: url.as_deref().map(fragment_hashes).unwrap_or_default(),
        span: name_start..end.max(name_start),
        name_span: name_start..name_end,
        specifiers_span,
        url_span,
        marker_span,
    })
}

/// Validates the marker after the `;` at `semi`; `end` is the trimmed end of the input.
/// pip ignores an empty marker on its URL/path lines (`allow_empty`), PEP 508 does not.
fn marker_after(
    input: &str,
    semi: usize,
    end: usize,
    allow_empty: bool,
) -> Result<(Option<String>, Option<Span>), ParseError> {
    let start = skip_ws(input, semi + 1).min(end);
    let text = input.get(start..end).unwrap_or("");
    if text.is_empty() && allow_empty {
        return Ok((None, None));
    }
    validate_marker(text).map_err(|failure| ParseError {
        message: failure.message,
        span: start + failure.span.start..start + failure.span.end,
    })?;
    Ok((Some(text.to_string()), Some(start..end)))
}

/// Versions and operators never contain whitespace, so dropping it (and the optional
/// parentheses of the old `name (>=1)` form) leaves only what was written.
fn compact_specifiers(raw: &str) -> String {
    let raw = raw.trim();
    let raw = raw
        .strip_prefix('(')
        .and_then(|inner| inner.strip_suffix(')'))
        .unwrap_or(raw);
    raw.chars().filter(|c| !c.is_whitespace()).collect()
}

const VCS_PREFIXES: [&str; 4] = ["git+", "hg+", "svn+", "bzr+"];

fn has_prefix_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

pub(crate) fn is_vcs_url(url: &str) -> bool {
    VCS_PREFIXES
        .iter()
        .any(|prefix| has_prefix_ignore_case(url, prefix))
}

/// The scheme of `s` if it starts with one. Single letters are Windows drive letters, not
/// schemes.
fn url_scheme(s: &str) -> Option<&str> {
    let colon = s.find(':')?;
    let scheme = s.get(..colon)?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    if scheme.len() < 2
        || !first.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    Some(scheme)
}

/// What pip accepts as a URL on a requirement line: its known schemes, VCS schemes, and,
/// more leniently than pip, anything of the form `scheme://`.
pub(crate) fn is_url(s: &str) -> bool {
    if is_vcs_url(s) {
        return true;
    }
    let Some(scheme) = url_scheme(s) else {
        return false;
    };
    ["http", "https", "file", "ftp"]
        .iter()
        .any(|known| scheme.eq_ignore_ascii_case(known))
        || s.get(scheme.len()..)
            .is_some_and(|rest| rest.starts_with("://"))
}

fn is_local_path_url(url: &str) -> bool {
    if has_prefix_ignore_case(url, "file:") {
        return true;
    }
    !is_vcs_url(url) && url_scheme(url).is_none()
}

fn vcs_ref(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once('+')?;
    let rest = rest.split('#').next().unwrap_or(rest);
    let rest = rest.split('?').next().unwrap_or(rest);
    // An `@` in the netloc is a user name (`ssh://git@host/...`); only the path carries the
    // revision, as in pip's `urlsplit` + `path.rsplit("@", 1)`.
    let path = match rest.find("://") {
        Some(pos) => {
            let after = rest.get(pos + 3..)?;
            after.find('/').and_then(|slash| after.get(slash..))?
        }
        // scp-like `git+git@github.com:org/repo.git@ref`
        None => rest.split_once(':').map(|(_, path)| path)?,
    };
    let (_, revision) = path.rsplit_once('@')?;
    (!revision.is_empty()).then_some(revision)
}

fn is_full_commit_id(revision: &str) -> bool {
    matches!(revision.len(), 40 | 64) && revision.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_strong_hash(hash: &str) -> bool {
    hash.split_once(':').is_some_and(|(algorithm, digest)| {
        ["sha256", "sha384", "sha512"]
            .iter()
            .any(|strong| algorithm.eq_ignore_ascii_case(strong))
            && !digest.is_empty()
    })
}

/// pip's `Link` recognises these in the fragment (`#sha256=...`).
const FRAGMENT_HASHES: [&str; 6] = ["sha512", "sha384", "sha256", "sha224", "sha1", "md5"];

/// `(key, value, offset of value within url)` for each `key=value` of the URL fragment.
fn fragment_params(url: &str) -> Vec<(&str, &str, usize)> {
    let Some(hash) = url.find('#') else {
        return Vec::new();
    };
    let mut params = Vec::new();
    let mut offset = hash + 1;
    for part in url.get(hash + 1..).unwrap_or("").split('&') {
        if let Some((key, value)) = part.split_once('=') {
            params.push((key, value, offset + key.len() + 1));
        }
        offset += part.len() + 1;
    }
    params
}

fn fragment_hashes(url: &str) -> Vec<String> {
    fragment_params(url)
        .into_iter()
        .filter(|(key, value, _)| {
            !value.is_empty() && FRAGMENT_HASHES.iter().any(|h| key.eq_ignore_ascii_case(h))
        })
        .map(|(key, value, _)| format!("{key}:{value}"))
        .collect()
}

/// Offset and text of the distribution name in a wheel file name at the end of `url`
/// (`pkg-1.0(-build)?-py3-none-any.whl`).
fn wheel_name(url: &str) -> Option<(usize, &str)> {
    let end = url.find(['#', '?']).unwrap_or(url.len());
    let path = url.get(..end)?;
    let file_start = path.rfind(['/', '\\']).map_or(0, |slash| slash + 1);
    let file = path.get(file_start..)?;
    let stem_len = file.len().checked_sub(4)?;
    if !file.get(stem_len..)?.eq_ignore_ascii_case(".whl") {
        return None;
    }
    let stem = file.get(..stem_len)?;
    let parts = stem.split('-').count();
    let name = stem.split('-').next()?;
    if !(5..=6).contains(&parts) || name.is_empty() {
        return None;
    }
    Some((file_start, name))
}

/// `"[a, b]"` or `"a, b"` to `["a", "b"]`, as written.
fn split_extras_list(text: &str) -> Vec<String> {
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(str::trim)
        .filter(|extra| !extra.is_empty())
        .map(str::to_string)
        .collect()
}

fn looks_like_path(s: &str) -> bool {
    s.contains(['/', '\\']) || s.starts_with('.')
}

fn is_archive(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    [
        ".whl",
        ".zip",
        ".tar.gz",
        ".tgz",
        ".tar",
        ".tar.bz2",
        ".tbz",
        ".tar.xz",
        ".txz",
        ".tar.lz",
        ".tlz",
        ".tar.lzma",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// Whether a requirement-file line is one of pip's non-PEP 508 forms (bare URL, VCS URL or
/// local path). pip decides paths by asking the file system; without one, anything that
/// looks like a path before any `@`, or an archive file name, is taken as a path.
pub(crate) fn is_pip_url_or_path(args: &str) -> bool {
    if is_url(args) {
        return true;
    }
    let head = args.split(';').next().unwrap_or(args).trim();
    match head.split_once('@') {
        Some((before_at, _)) => looks_like_path(before_at.trim()),
        None => looks_like_path(head) || is_archive(head),
    }
}

/// Parses pip's bare URL / VCS URL / local path requirement forms. Spans are relative to
/// `input`.
pub(crate) fn parse_pip_url_or_path(input: &str) -> Result<Requirement, ParseError> {
    check_limits(input)?;
    let start = skip_ws(input, 0);
    let end = trimmed_end(input, input.len()).max(start);
    let body = input.get(start..end).unwrap_or("");
    let url_like = is_url(body);

    // pip only splits a URL at "; " because `;` is legal inside URLs; for paths any `;` does.
    let separator = if url_like {
        body.char_indices()
            .find(|&(i, c)| {
                c == ';'
                    && body
                        .get(i + 1..)
                        .and_then(|rest| rest.chars().next())
                        .is_none_or(char::is_whitespace)
            })
            .map(|(i, _)| i)
    } else {
        body.find(';')
    };
    let target_len = separator.map_or(body.len(), |semi| trimmed_end(body, semi));
    let target = body.get(..target_len).unwrap_or("");
    if target.is_empty() {
        return Err(ParseError {
            message: "expected a URL or path before `;`".to_string(),
            span: start..end,
        });
    }

    let (marker, marker_span) = match separator {
        Some(semi) => marker_after(input, start + semi, end, true)?,
        None => (None, None),
    };

    let mut extras = Vec::new();
    let mut url = target;
    if !url_like && let Some((path, bracketed)) = pep508_rs::split_extras(target) {
        url = path;
        extras = split_extras_list(bracketed);
    }

    let mut name = "";
    let mut name_offset = None;
    if let Some((_, egg, offset)) = fragment_params(url)
        .into_iter()
        .find(|(key, _, _)| *key == "egg")
    {
        // Old-style `#egg=name[extra]` carries extras in the fragment.
        match pep508_rs::split_extras(egg) {
            Some((egg_name, bracketed)) => {
                name = egg_name;
                extras.extend(split_extras_list(bracketed));
            }
            None => name = egg,
        }
        name_offset = Some(offset);
    } else if let Some((offset, wheel)) = wheel_name(url) {
        name = wheel;
        name_offset = Some(offset);
    }
    let name_span = match name_offset {
        Some(offset) if !name.is_empty() => start + offset..start + offset + name.len(),
        _ => start..start,
    };
    let url_span = start..start + url.len();
    Ok(Requirement {
        name: name.to_string(),
        package_name: PackageName::new(name).ok(),
        extras,
        specifiers: String::new(),
        url: Some(url.to_string()),
        marker,
        hashes: fragment_hashes(url),
        span: start..end,
        name_span,
        specifiers_span: url_span.end..url_span.end,
        url_span: Some(url_span),
        marker_span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcs_ref_ignores_user_in_netloc() {
        assert_eq!(
            vcs_ref("git+ssh://git@github.com/org/repo.git@v1.0#egg=x"),
            Some("v1.0")
        );
        assert_eq!(vcs_ref("git+ssh://git@github.com/org/repo.git"), None);
        assert_eq!(vcs_ref("git+git@github.com:org/repo.git@abc"), Some("abc"));
    }

    #[test]
    fn wheel_names() {
        assert_eq!(
            wheel_name("https://x/y/pkg_a-1.0-py3-none-any.whl#sha256=00"),
            Some((12, "pkg_a"))
        );
        assert_eq!(wheel_name("https://x/y/pkg-1.0.tar.gz"), None);
        assert_eq!(wheel_name("pkg.whl"), None);
    }

    #[test]
    fn limits_reject_deep_nesting() {
        let input = format!("a; {}", "(".repeat(10_000));
        let failure = parse_pep508(&input).unwrap_err();
        assert!(failure.message.contains("nested"), "{failure:?}");
    }
}
