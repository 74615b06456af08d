//! Direct references at the top of a lock: `name @ https://…/pkg-1.0-py3-none-any.whl`,
//! `name @ file:///…/pkg-1.0.tar.gz` and bare archive paths (`./dist/pkg-1.0.whl`). Each
//! becomes the one candidate of its name, read like an index file (range requests, or
//! a build for an sdist), so nothing about it is looked up on an index.

use std::path::Path;
use std::str::FromStr;

use skua_index::{DistFile, DistKind};
use skua_requirements::Requirement;
use skua_types::{PackageName, SdistFilename, Sha256, Url, WheelFilename};

use crate::ResolveError;

/// A requirements-file path (`./dist/x.whl`, `../x.tar.gz`) made absolute against the
/// directory of the file it is written in, as uv reads it, and written as a `file://`
/// URL; URLs are left alone.
pub fn absolutize(reference: &str, base_dir: &Path) -> String {
    if reference.contains("://") || reference.contains('+') && reference.contains(':') {
        return reference.to_owned();
    }
    let (path, fragment) = match reference.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (reference, None),
    };
    let absolute = base_dir.join(path);
    let absolute = std::path::absolute(&absolute).unwrap_or(absolute);
    match Url::from_file_path(&absolute) {
        Ok(mut url) => {
            url.set_fragment(fragment);
            url.to_string()
        }
        Err(()) => reference.to_owned(),
    }
}

/// The archive `requirement` refers to, as the one file of its name.
pub(crate) fn direct_file(
    requirement: &Requirement,
) -> Result<(PackageName, DistFile), ResolveError> {
    let unsupported = |message: String| ResolveError::Unsupported {
        requirement: requirement.name.clone(),
        message,
    };
    let reference = requirement.url.as_deref().unwrap_or_default();
    if reference.starts_with("hg+")
        || reference.starts_with("svn+")
        || reference.starts_with("bzr+")
    {
        return Err(unsupported(
            "only git VCS references are supported (not hg, svn or bzr); build a wheel of it and refer to that"
                .into(),
        ));
    }
    let mut url = Url::parse(reference)
        .map_err(|error| unsupported(format!("`{reference}` is not a valid URL: {error}")))?;
    if !matches!(url.scheme(), "https" | "http" | "file") {
        return Err(unsupported(format!(
            "`{}` URLs are not supported",
            url.scheme()
        )));
    }
    if url.scheme() == "file"
        && let Ok(path) = url.to_file_path()
        && path.is_dir()
    {
        return Err(unsupported(format!(
            "{} is a directory: local projects (and `-e`) are not supported by `skua lock` yet; build a wheel of it and refer to that",
            path.display()
        )));
    }
    let mut sha256 = None;
    for (key, value) in url
        .fragment()
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
    {
        if key == "sha256" {
            sha256 =
                Some(Sha256::from_str(value).map_err(|_| {
                    unsupported(format!("`#sha256={value}` is not a sha256 digest"))
                })?);
        }
    }
    for hash in &requirement.hashes {
        if let Some(hex) = hash.strip_prefix("sha256:") {
            let given = Sha256::from_str(hex)
                .map_err(|_| unsupported(format!("`--hash={hash}` is not a sha256 digest")))?;
            if sha256.as_ref().is_some_and(|known| known != &given) {
                return Err(unsupported(
                    "the URL's `#sha256=` and its `--hash` disagree".into(),
                ));
            }
            sha256 = Some(given);
        }
    }
    url.set_fragment(None);
    let filename = url_filename(&url);
    let (name, kind) = if let Some(wheel) = WheelFilename::parse(&filename) {
        (wheel.name.clone(), DistKind::Wheel(wheel))
    } else if let Some(sdist) = SdistFilename::parse(&filename, requirement.package_name.as_ref()) {
        (
            sdist.name.clone(),
            DistKind::Sdist {
                name: sdist.name,
                version: sdist.version,
            },
        )
    } else {
        return Err(unsupported(format!(
            "`{filename}` is neither a wheel nor an sdist file name"
        )));
    };
    if let Some(wanted) = &requirement.package_name
        && wanted != &name
    {
        return Err(unsupported(format!(
            "the file `{filename}` is a distribution of {name}, not of {wanted}"
        )));
    }
    Ok((
        name,
        DistFile {
            filename,
            url,
            kind,
            sha256,
            requires_python: None,
            yanked: None,
            upload_time: None,
            size: None,
            core_metadata: None,
        },
    ))
}

/// The file name a URL ends in, percent-decoded (`""` when it ends in `/`).
pub fn url_filename(url: &Url) -> String {
    url.path_segments()
        .and_then(|mut segments| segments.next_back())
        .map(skua_types::percent_decode)
        .unwrap_or_default()
}
