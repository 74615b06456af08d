//! Turning an index page into the versions a target can use.

use std::collections::BTreeMap;
use std::str::FromStr;

use pep440_rs::Version;
use skua_index::{DistFile, DistKind, Project};
use skua_platform::{Tags, Target};
use skua_requirements::parse_specifiers_lenient;

/// One version of a project, as far as the target is concerned.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub version: Version,
    /// Files usable on the target, best first: compatible wheels by tag rank, then sdists.
    pub files: Vec<DistFile>,
    /// Every file of the version the index lists (uploaded before the cutoff), whatever
    /// the target, yanked ones included as uv does, by file name: what a lock hashes so
    /// that it also installs on other platforms and Pythons.
    pub all_files: Vec<DistFile>,
    /// Every file of the version is yanked (PEP 592).
    pub yanked: bool,
    /// The newest usable file needs a different Python.
    pub requires_python: Option<String>,
    pub python_compatible: bool,
    /// Why `requires_python` cannot be read even leniently. Such a version stays
    /// `python_compatible` so that the solver asks for it and learns why it is unusable.
    pub invalid_requires_python: Option<String>,
}

impl Candidate {
    /// The file whose metadata stands for the version: the best wheel, else an sdist.
    pub fn metadata_file(&self) -> Option<&DistFile> {
        self.files.first()
    }
}

fn wheel_rank(tags: &Tags, file: &DistFile, any_platform: bool) -> Option<usize> {
    match &file.kind {
        DistKind::Wheel(wheel) => tags
            .rank(&wheel.python_tags, &wheel.abi_tags, &wheel.platform_tags)
            // A wheel for another platform still carries the version's metadata.
            .or(any_platform.then_some(usize::MAX - 1)),
        // Sdists build anywhere (given a compiler); prefer any wheel over them.
        DistKind::Sdist { .. } => Some(usize::MAX),
    }
}

/// The versions of `project` usable on `target`, newest first. With `any_platform` (a
/// universal lock, as uv has it) a version is usable on the target's Python whatever its
/// wheels' tags: which files fit is the installer's question, not the resolver's.
pub(crate) fn candidates(
    project: &Project,
    target: &Target,
    tags: &Tags,
    exclude_newer: Option<skua_types::ExcludeNewer>,
    any_platform: bool,
) -> Vec<Candidate> {
    let python = Version::from_str(&target.python_full).ok();
    let mut by_version: BTreeMap<Version, Vec<(usize, DistFile)>> = BTreeMap::new();
    let mut all_by_version: BTreeMap<Version, Vec<DistFile>> = BTreeMap::new();
    for file in &project.files {
        let version = file.version().clone();
        if let Some(skua_types::ExcludeNewer(cutoff)) = exclude_newer {
            // A file without an upload time cannot be shown to predate the cutoff.
            // Like uv, only files uploaded strictly before the cutoff count.
            if file.upload_time.is_none_or(|uploaded| uploaded >= cutoff) {
                continue;
            }
        }
        all_by_version
            .entry(version.clone())
            .or_default()
            .push(file.clone());
        let Some(rank) = wheel_rank(tags, file, any_platform) else {
            continue;
        };
        by_version
            .entry(version)
            .or_default()
            .push((rank, file.clone()));
    }
    let mut candidates: Vec<Candidate> = by_version
        .into_iter()
        .map(|(version, mut files)| {
            files.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.filename.cmp(&b.1.filename)));
            let yanked = files.iter().all(|(_, file)| file.yanked.is_some());
            // A yanked file is only used when nothing else of the version is left.
            if !yanked {
                files.retain(|(_, file)| file.yanked.is_none());
            }
            let files: Vec<DistFile> = files.into_iter().map(|(_, file)| file).collect();
            let mut all_files = all_by_version.remove(&version).unwrap_or_default();
            all_files.sort_by(|a, b| a.filename.cmp(&b.filename));
            let requires_python = files.first().and_then(|file| file.requires_python.clone());
            let (python_compatible, invalid_requires_python) = match &requires_python {
                Some(spec) => match parse_specifiers_lenient(spec) {
                    Ok(spec) => (
                        python
                            .as_ref()
                            .is_none_or(|python| spec.value.contains(python)),
                        None,
                    ),
                    Err(error) => (true, Some(error.to_string())),
                },
                None => (true, None),
            };
            Candidate {
                version,
                files,
                all_files,
                yanked,
                requires_python,
                python_compatible,
                invalid_requires_python,
            }
        })
        .collect();
    candidates.reverse();
    candidates
}

/// The one candidate of a direct reference: whatever the index has, and whatever the
/// upload-time cutoff (a direct file has no upload time), this file is the version.
pub(crate) fn direct_candidate(file: &DistFile, tags: &Tags, any_platform: bool) -> Candidate {
    let usable = wheel_rank(tags, file, any_platform).is_some();
    Candidate {
        version: file.version().clone(),
        files: if usable {
            vec![file.clone()]
        } else {
            Vec::new()
        },
        all_files: vec![file.clone()],
        yanked: false,
        requires_python: None,
        python_compatible: true,
        invalid_requires_python: None,
    }
}
