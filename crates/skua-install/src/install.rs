//! Installing an unpacked wheel into a venv, all or nothing.

use std::collections::{HashMap, HashSet};
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use skua_types::{PackageName, Version};

use crate::activate::quote_posix;
use crate::entry_points::{EntryPoint, parse_entry_points};
use crate::error::{InstallError, IoContext};
use crate::names::{is_project, metadata_name_version, parse_wheel_filename, split_dist_info_name};
use crate::owners::Owners;
use crate::paths::relative_record_path;
use crate::record::{
    RecordEntry, hash_file, parse_record, same_hash, sha256_record_hash, write_record,
};
use crate::venv::{FileCheck, INSTALLING_MARKER, InstalledDist, Venv};

/// Files a wheel may carry in its `.dist-info` that describe one particular install; they
/// are written anew (or, for signatures of the wheel's RECORD, dropped since the RECORD
/// they sign is replaced).
const REGENERATED: [&str; 6] = [
    "RECORD",
    "RECORD.jws",
    "RECORD.p7s",
    "INSTALLER",
    "REQUESTED",
    "direct_url.json",
];

/// Installs the wheel unpacked at `unpacked` (by [`crate::unpack_wheel`]) into `venv`.
///
/// `filename` is the wheel's filename (`name-version-tags.whl`); it selects the
/// `.dist-info` directory. Files are hard-linked from `unpacked` into the venv (copied
/// where linking fails, e.g. across filesystems; [`install_wheel_with`] can copy
/// always). The unpacked tree is therefore shared with every venv installed from it; an
/// edit through a venv is caught by [`crate::unpack_wheel`]'s manifest check before the
/// tree is used again, and deleting the tree later is harmless. The `.data` directories go to their schemes, `#!python` scripts
/// get the venv's interpreter, console and GUI entry points get launchers, and
/// `.dist-info` gains `INSTALLER` (`skua`), `direct_url.json` (if `direct_url` is
/// given, PEP 610) and a new RECORD. Another installed version of the same project is
/// an error ([`InstallError::AlreadyInstalled`]): uninstall it first.
///
/// A file that is already where the wheel puts one is refused when another installed
/// distribution's RECORD lists it ([`InstallError::FileConflict`]), before anything is
/// written: overwriting it would break that distribution, and uninstalling either one
/// later would take the file from the other. A file nobody owns (a leftover) is
/// replaced.
///
/// All or nothing: on any error, every file and directory created so far is removed
/// and any leftover file that was replaced is put back.
pub fn install_wheel(
    venv: &Venv,
    unpacked: &Path,
    filename: &str,
    direct_url: Option<&str>,
) -> Result<InstalledDist, InstallError> {
    install_wheel_with(venv, unpacked, filename, direct_url, LinkMode::default())
}

/// How files get from the unpacked tree into the environment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LinkMode {
    /// Hard links (copies where the filesystem refuses them): fast and small, but the
    /// environment shares its files with the cache, which [`crate::unpack_wheel`]
    /// re-checks before reusing a tree.
    #[default]
    Hardlink,
    /// Copies: the environment owns its files, so editing them never touches the cache.
    Copy,
}

/// [`install_wheel`] with the files placed by `link_mode`.
pub fn install_wheel_with(
    venv: &Venv,
    unpacked: &Path,
    filename: &str,
    direct_url: Option<&str>,
    link_mode: LinkMode,
) -> Result<InstalledDist, InstallError> {
    let plan = InstallPlan::new(venv, unpacked, filename)?;
    install_planned(venv, &plan, direct_url, link_mode, Occupied::Check)
}

/// Where every file of one unpacked wheel goes in one venv, worked out (and the wheel
/// checked) before anything is written: made once per wheel by a sync, which checks all
/// of them with [`check_conflicts`] and then installs each with [`install_plan`].
pub struct InstallPlan {
    plan: Plan,
    filename: String,
}

impl InstallPlan {
    /// Plans installing the wheel `filename` unpacked at `unpacked` into `venv`.
    pub fn new(venv: &Venv, unpacked: &Path, filename: &str) -> Result<Self, InstallError> {
        Ok(InstallPlan {
            plan: Plan::new(venv, unpacked, filename)?,
            filename: filename.to_owned(),
        })
    }
}

/// Whether an install must look for files already at its targets that belong to other
/// distributions.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Occupied {
    Check,
    /// [`check_conflicts`] has checked every target against every RECORD already.
    CheckedByCaller,
}

/// [`install_wheel_with`] for a plan that [`check_conflicts`] has accepted, in the venv
/// it was made for, with nothing installed in between but other plans of that check.
pub fn install_plan(
    venv: &Venv,
    plan: &InstallPlan,
    link_mode: LinkMode,
) -> Result<InstalledDist, InstallError> {
    install_planned(venv, plan, None, link_mode, Occupied::CheckedByCaller)
}

/// Installs every plan (checked together by [`check_conflicts`]) with [`install_plan`],
/// several at a time: creating a venv's directories and files is kernel work (on ext4,
/// right after a venv was deleted, each new inode is found by skipping the recently freed
/// ones), which one thread per core spreads the way uv spreads it. Plans that put a file
/// at the same path (identical bytes, which [`check_conflicts`] allows) are installed one
/// after the other, in the order given, so one never moves aside a file the other is
/// still installing. `installed` is told each plan's index once it is in place. Every
/// plan is tried; the first error in the order given is returned.
pub fn install_plans(
    venv: &Venv,
    plans: &[InstallPlan],
    link_mode: LinkMode,
    installed: &(dyn Fn(usize) + Sync),
) -> Result<(), InstallError> {
    use rayon::prelude::*;
    let groups = groups_sharing_files(venv, plans);
    let mut failures: Vec<(usize, InstallError)> = groups
        .par_iter()
        .flat_map_iter(|group| {
            let mut failures = Vec::new();
            for &index in group {
                match install_plan(venv, &plans[index], link_mode) {
                    Ok(_) => installed(index),
                    Err(error) => failures.push((index, error)),
                }
            }
            failures
        })
        .collect();
    failures.sort_by_key(|(index, _)| *index);
    match failures.into_iter().next() {
        Some((_, error)) => Err(error),
        None => Ok(()),
    }
}

/// The plans' indices grouped so that plans installing a file at the same path share a
/// group; each group in ascending order.
fn groups_sharing_files(venv: &Venv, plans: &[InstallPlan]) -> Vec<Vec<usize>> {
    fn root(parents: &mut [usize], mut index: usize) -> usize {
        while parents[index] != index {
            parents[index] = parents[parents[index]];
            index = parents[index];
        }
        index
    }
    let mut parents: Vec<usize> = (0..plans.len()).collect();
    let mut first_claim: HashMap<PathBuf, usize> = HashMap::new();
    for (index, plan) in plans.iter().enumerate() {
        for target in plan.plan.targets(venv) {
            if let Some(&other) = first_claim.get(&target) {
                let (a, b) = (root(&mut parents, other), root(&mut parents, index));
                parents[a.max(b)] = a.min(b);
            } else {
                first_claim.insert(target, index);
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of_root: HashMap<usize, usize> = HashMap::new();
    for index in 0..plans.len() {
        let group = *group_of_root
            .entry(root(&mut parents, index))
            .or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
        groups[group].push(index);
    }
    groups
}

fn install_planned(
    venv: &Venv,
    plan: &InstallPlan,
    direct_url: Option<&str>,
    link_mode: LinkMode,
    occupied: Occupied,
) -> Result<InstalledDist, InstallError> {
    let filename = plan.filename.as_str();
    let plan = &plan.plan;
    let invalid = |reason: String| InstallError::InvalidWheel {
        wheel: filename.to_owned(),
        reason,
    };
    if let Some(existing) = venv.find(&plan.project)? {
        return Err(InstallError::AlreadyInstalled {
            name: plan.project.clone(),
            dist_info: existing.dist_info,
        });
    }
    let direct_url = match direct_url {
        Some(text) => Some(check_direct_url(text).map_err(invalid)?),
        None => None,
    };
    // Only paths that exist can be overwritten; the RECORDs of the whole environment are
    // read only when there is one.
    let shebang_line = shebang(&venv.python());
    let occupied: Vec<(PathBuf, Option<String>)> = match occupied {
        Occupied::Check => plan
            .targets_with_hashes(venv, &shebang_line)
            .filter(|(target, _)| fs::symlink_metadata(target).is_ok())
            .collect(),
        Occupied::CheckedByCaller => Vec::new(),
    };
    if !occupied.is_empty() {
        let mut owners = Owners::read(venv, &[])?;
        for (target, hash) in &occupied {
            if let Some((owner, owner_hash)) = owners.owner(target)
                && !same_content(hash.as_deref(), owner_hash)
            {
                return Err(InstallError::FileConflict {
                    wheel: filename.to_owned(),
                    path: target.clone(),
                    owner: format!("{} {}", owner.name, owner.version),
                });
            }
        }
    }

    let mut tx = Transaction::new(venv, filename, plan.lib_dir.clone(), link_mode)?;
    let dist_info = plan.dist_info();
    // Before any other file: should this process die half-way (SIGKILL, power loss), the
    // marker says so and lists what to clean up, and the next sync repairs it.
    let mut planned = Vec::new();
    for target in plan.targets(venv) {
        planned.push(RecordEntry {
            path: tx.record_path(&target)?,
            hash: None,
            size: None,
        });
    }
    let marker = dist_info.join(INSTALLING_MARKER);
    tx.write_atomically(&marker, write_record(&planned).as_bytes())?;
    for file in &plan.files {
        let known = plan.known.get(&file.rel);
        if file.script {
            tx.install_script(&file.source, &file.target, &venv.python(), known)?;
        } else {
            tx.link(&file.source, &file.target, known)?;
        }
    }
    let python = venv.python();
    for entry_point in &plan.entry_points {
        let target = venv.scripts.join(&entry_point.name);
        tx.write(
            &target,
            entry_point.launcher(&shebang(&python)).as_bytes(),
            0o755,
        )?;
    }

    tx.write(&dist_info.join("INSTALLER"), b"skua\n", 0o644)?;
    if let Some(direct_url) = direct_url {
        tx.write(
            &dist_info.join("direct_url.json"),
            direct_url.as_bytes(),
            0o644,
        )?;
    }
    tx.finish_record(&dist_info.join("RECORD"))?;
    fs::remove_file(&marker).at("remove", &marker)?;
    // Read back before committing, so even this last step is covered by the rollback.
    // Every file RECORD lists was created by this transaction a moment ago.
    let installed = InstalledDist::read_with(&dist_info, FileCheck::RecordOnly)?;
    if let Some(incomplete) = &installed.incomplete {
        return Err(InstallError::InvalidDistInfo {
            path: dist_info,
            reason: format!("just installed, yet {incomplete}"),
        });
    }
    tx.commit();
    Ok(installed)
}

/// Checks, before a sync changes anything, that installing every planned wheel after
/// removing the distributions in `replaced`
/// takes no file from a distribution that stays: no path a wheel installs may be listed
/// in the RECORD of another installed distribution that is not in `replaced` (whether
/// or not the file still exists), or be installed by two of the wheels. Upgrading a
/// package over its own files is fine, since its old version is in `replaced`.
pub fn check_conflicts(
    venv: &Venv,
    plans: &[InstallPlan],
    replaced: &[InstalledDist],
) -> Result<(), InstallError> {
    let mut owners = Owners::read(venv, replaced)?;
    let mut claimed: HashMap<PathBuf, (String, String, Option<String>)> = HashMap::new();
    let shebang = shebang(&venv.python());
    for InstallPlan { plan, filename } in plans {
        for (target, hash) in plan.targets_with_hashes(venv, &shebang) {
            if let Some((owner, owner_hash)) = owners.owner(&target)
                && !same_content(hash.as_deref(), owner_hash)
            {
                return Err(InstallError::FileConflict {
                    wheel: (*filename).to_owned(),
                    path: target,
                    owner: format!("{} {}", owner.name, owner.version),
                });
            }
            let key = owners.key(&target);
            let this = (
                format!("{} {}", plan.project, plan.version),
                (*filename).to_owned(),
                hash.clone(),
            );
            if let Some((other, other_wheel, other_hash)) = claimed.insert(key, this)
                && !same_content(hash.as_deref(), other_hash.as_deref())
            {
                return Err(InstallError::FileConflict {
                    wheel: (*filename).to_owned(),
                    path: target,
                    owner: format!("{other} ({other_wheel}, installed by the same sync)"),
                });
            }
        }
    }
    Ok(())
}

/// The same bytes at the same path are no conflict, as pip and uv see it (`mlflow` and
/// `mlflow-skinny` ship identical modules and the same console script); an unknown hash
/// on either side is.
fn same_content(ours: Option<&str>, theirs: Option<&str>) -> bool {
    matches!((ours, theirs), (Some(ours), Some(theirs)) if same_hash(ours, theirs))
}

/// Where every file of an unpacked wheel goes, worked out (and the wheel checked) before
/// anything is written.
struct Plan {
    project: PackageName,
    version: Version,
    dist_info_name: String,
    /// Where the `.dist-info` goes and RECORD paths are relative to.
    lib_dir: PathBuf,
    /// The wheel's files in install order: the root, then `.data` by scheme.
    files: Vec<PlannedFile>,
    entry_points: Vec<EntryPoint>,
    /// The wheel's own RECORD, verified when it was unpacked; its hashes are reused
    /// instead of reading every file again.
    known: HashMap<String, RecordEntry>,
}

struct PlannedFile {
    /// The path in the wheel (and its RECORD).
    rel: String,
    source: PathBuf,
    target: PathBuf,
    /// A `.data/scripts` file, whose `#!python` line is rewritten.
    script: bool,
}

impl Plan {
    fn new(venv: &Venv, unpacked: &Path, filename: &str) -> Result<Plan, InstallError> {
        let invalid = |reason: String| InstallError::InvalidWheel {
            wheel: filename.to_owned(),
            reason,
        };
        let (project, version, dist_info_name) = identify(unpacked, filename)?;
        let data_name = format!("{}.data", dist_info_name.trim_end_matches(".dist-info"));
        let unpacked_dist_info = unpacked.join(&dist_info_name);
        let wheel_meta = read_text(&unpacked_dist_info.join("WHEEL"))?;
        let root_is_purelib = check_wheel_metadata(&wheel_meta).map_err(invalid)?;
        let entry_points = match read_optional_text(&unpacked_dist_info.join("entry_points.txt"))? {
            Some(text) => parse_entry_points(&text).map_err(invalid)?,
            None => Vec::new(),
        };
        let known: HashMap<String, RecordEntry> =
            parse_record(&read_text(&unpacked_dist_info.join("RECORD"))?)
                .map_err(invalid)?
                .into_iter()
                .map(|e| (e.path.clone(), e))
                .collect();
        let lib_dir = if root_is_purelib {
            venv.site_packages.clone()
        } else {
            venv.platlib.clone()
        };

        let mut files = Vec::new();
        // The root of the wheel, but not its .data directory.
        for rel in walk_files(unpacked, filename)? {
            let mut parts = rel.split('/');
            let top = parts.next().unwrap_or_default();
            if top == data_name {
                continue;
            }
            if top == dist_info_name
                && let Some(file) = parts.next()
                && parts.next().is_none()
                && REGENERATED.contains(&file)
            {
                continue;
            }
            files.push(PlannedFile {
                source: join_rel(unpacked, &rel),
                target: join_rel(&lib_dir, &rel),
                rel,
                script: false,
            });
        }
        let data_dir = unpacked.join(&data_name);
        if data_dir.is_dir() {
            plan_data(&mut files, venv, &data_dir, &data_name, &project, filename)?;
        }
        Ok(Plan {
            project,
            version,
            dist_info_name,
            lib_dir,
            files,
            entry_points,
            known,
        })
    }

    fn dist_info(&self) -> PathBuf {
        self.lib_dir.join(&self.dist_info_name)
    }

    /// Every file the install creates but the ones it generates in its own `.dist-info`.
    fn targets<'a>(&'a self, venv: &'a Venv) -> impl Iterator<Item = PathBuf> + 'a {
        self.files.iter().map(|file| file.target.clone()).chain(
            self.entry_points
                .iter()
                .map(|entry_point| venv.scripts.join(&entry_point.name)),
        )
    }

    /// Every path the wheel installs, with the RECORD hash of what it writes there when
    /// that is known before writing (not for `.data/scripts`, whose `#!python` line
    /// changes).
    fn targets_with_hashes<'a>(
        &'a self,
        venv: &'a Venv,
        shebang: &'a str,
    ) -> impl Iterator<Item = (PathBuf, Option<String>)> + 'a {
        self.files
            .iter()
            .map(|file| {
                let hash = (!file.script)
                    .then(|| {
                        self.known
                            .get(&file.rel)
                            .and_then(|entry| entry.hash.clone())
                    })
                    .flatten();
                (file.target.clone(), hash)
            })
            .chain(self.entry_points.iter().map(move |entry_point| {
                let launcher = entry_point.launcher(shebang);
                (
                    venv.scripts.join(&entry_point.name),
                    Some(sha256_record_hash(launcher.as_bytes())),
                )
            }))
    }
}

/// Checks that the wheel unpacked at `unpacked` is the distribution its filename names,
/// and, given `locked`, the one a lock pins: the `.dist-info` directory's name and
/// version, METADATA's `Name` and `Version` and the lock's pin must all agree with the
/// filename (names normalized, versions PEP 440 equal), as pip requires. Installing a
/// wheel that contradicts itself would record one distribution and ship another.
///
/// [`install_wheel`] runs the same checks (without a lock); a sync runs this for every
/// wheel before it changes the environment at all.
pub fn verify_wheel(
    unpacked: &Path,
    filename: &str,
    locked: Option<(&PackageName, &Version)>,
) -> Result<(), InstallError> {
    let (name, version, _) = identify(unpacked, filename)?;
    if let Some((locked_name, locked_version)) = locked
        && (&name != locked_name || &version != locked_version)
    {
        return Err(InstallError::WheelMismatch {
            wheel: filename.to_owned(),
            reason: format!(
                "the lock pins {locked_name}=={locked_version}, but the wheel is {name} {version}"
            ),
        });
    }
    Ok(())
}

/// The project, version and `.dist-info` directory name of an unpacked wheel, after
/// checking that the filename, the directory and METADATA agree on them.
fn identify(
    unpacked: &Path,
    filename: &str,
) -> Result<(PackageName, Version, String), InstallError> {
    let invalid = |reason: String| InstallError::InvalidWheel {
        wheel: filename.to_owned(),
        reason,
    };
    let mismatch = |reason: String| InstallError::WheelMismatch {
        wheel: filename.to_owned(),
        reason,
    };
    let (project, file_version) =
        parse_wheel_filename(filename).ok_or_else(|| invalid("not a wheel filename".to_owned()))?;
    let version = Version::from_str(&file_version).map_err(|e| {
        invalid(format!(
            "the version `{file_version}` in the filename is not a PEP 440 version: {e}"
        ))
    })?;
    let dist_info_name = find_unpacked_dist_info(unpacked, &project).map_err(invalid)?;
    let (_, dir_version) = split_dist_info_name(&dist_info_name)
        .ok_or_else(|| invalid(format!("`{dist_info_name}` is not a .dist-info name")))?;
    if Version::from_str(dir_version).ok().as_ref() != Some(&version) {
        return Err(mismatch(format!(
            "its {dist_info_name} directory is for version {dir_version}, but the filename says {version}"
        )));
    }
    let metadata = read_text(&unpacked.join(&dist_info_name).join("METADATA"))?;
    match metadata_name_version(&metadata) {
        (None, _) => Err(invalid(format!("{dist_info_name}/METADATA has no Name"))),
        (_, None) => Err(invalid(format!("{dist_info_name}/METADATA has no Version"))),
        (Some(name), _) if !is_project(name, &project) => Err(mismatch(format!(
            "{dist_info_name}/METADATA names the project `{name}`, but the filename names {project}"
        ))),
        (_, Some(meta_version))
            if Version::from_str(meta_version).ok().as_ref() != Some(&version) =>
        {
            Err(mismatch(format!(
                "{dist_info_name}/METADATA says version {meta_version}, but the filename says {version}"
            )))
        }
        _ => Ok((project, version, dist_info_name)),
    }
}

/// Plans `<name>.data/<scheme>/...` into the scheme's directory.
fn plan_data(
    files: &mut Vec<PlannedFile>,
    venv: &Venv,
    data_dir: &Path,
    data_name: &str,
    project: &PackageName,
    filename: &str,
) -> Result<(), InstallError> {
    let invalid = |reason: String| InstallError::InvalidWheel {
        wheel: filename.to_owned(),
        reason,
    };
    for rel in walk_files(data_dir, filename)? {
        let (scheme, rest) = rel.split_once('/').ok_or_else(|| {
            invalid(format!(
                "{data_name}/{rel} is not inside a scheme directory"
            ))
        })?;
        let (target, script) = match scheme {
            "scripts" => {
                if rest.contains('/') {
                    return Err(invalid(format!(
                        "{data_name}/{rel}: scripts must not be in subdirectories"
                    )));
                }
                (venv.scripts.join(rest), true)
            }
            "purelib" => (join_rel(&venv.site_packages, rest), false),
            "platlib" => (join_rel(&venv.platlib, rest), false),
            "headers" => (join_rel(&venv.headers_dir(project.as_str()), rest), false),
            "data" => (join_rel(&venv.root, rest), false),
            other => {
                return Err(invalid(format!(
                    "unknown scheme `{other}` in {data_name} (expected purelib, platlib, \
                     headers, scripts or data)"
                )));
            }
        };
        files.push(PlannedFile {
            source: join_rel(data_dir, &rel),
            target,
            rel: format!("{data_name}/{rel}"),
            script,
        });
    }
    Ok(())
}

fn find_unpacked_dist_info(
    unpacked: &Path,
    project: &skua_types::PackageName,
) -> Result<String, String> {
    let entries = fs::read_dir(unpacked)
        .map_err(|e| format!("cannot read the unpacked wheel {}: {e}", unpacked.display()))?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if let Some((dir_project, _)) = split_dist_info_name(&name)
            && is_project(dir_project, project)
        {
            found.push(name);
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(format!(
            "no {project} .dist-info directory in {}",
            unpacked.display()
        )),
        _ => Err(format!("several .dist-info directories for {project}")),
    }
}

/// Checks `Wheel-Version` (refusing a major version this installer does not know, as the
/// spec requires) and returns `Root-Is-Purelib`.
fn check_wheel_metadata(text: &str) -> Result<bool, String> {
    let mut version = None;
    let mut purelib = false;
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            // Some wheels carry the header twice; like pip, the first one counts.
            "wheel-version" if version.is_none() => version = Some(value.to_owned()),
            "root-is-purelib" => purelib = value.eq_ignore_ascii_case("true"),
            _ => {}
        }
    }
    let version = version.ok_or("WHEEL has no Wheel-Version")?;
    let major = version.split('.').next().unwrap_or_default();
    // 0.1 predates the spec's 1.0 but has the same layout; pip still installs it.
    if major != "1" && version != "0.1" {
        return Err(format!(
            "unsupported Wheel-Version {version} (expected 1.x)"
        ));
    }
    Ok(purelib)
}

/// PEP 610 content must be a JSON object with a `url`; it is stored as given.
fn check_direct_url(text: &str) -> Result<&str, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("direct_url.json is not JSON: {e}"))?;
    if value.get("url").and_then(|u| u.as_str()).is_none() {
        return Err("direct_url.json needs a string `url` (PEP 610)".to_owned());
    }
    Ok(text)
}

/// The shebang line for `python`. Kernels cut the line at 127 bytes on Linux and split
/// it at whitespace, so long paths and paths with spaces go through `/bin/sh`, the same
/// polyglot pip uses: sh runs the `exec`, Python sees a string literal.
pub(crate) fn shebang(python: &Path) -> String {
    let exe = python.display().to_string();
    if exe.len() + 3 > 127 || exe.contains(|c: char| c.is_whitespace()) {
        format!(
            "#!/bin/sh\n'''exec' {} \"$0\" \"$@\"\n' '''",
            quote_posix(&exe)
        )
    } else {
        format!("#!{exe}")
    }
}

/// Rewrites a leading `#!python...` line (the wheel spec's placeholder for "this
/// environment's interpreter"); anything else is returned unchanged. The whole first line
/// is replaced, as pip does: `#!pythonw` only means "GUI" on Windows, and options after
/// the placeholder cannot survive the `/bin/sh` form anyway.
fn rewrite_python_shebang(content: Vec<u8>, python: &Path) -> Vec<u8> {
    if !content.starts_with(b"#!python") {
        return content;
    }
    let body = match content.iter().position(|&b| b == b'\n') {
        Some(end) => &content[end..],
        None => &[][..],
    };
    let line = shebang(python);
    let mut out = Vec::with_capacity(content.len() + line.len());
    out.extend_from_slice(line.as_bytes());
    if body.is_empty() {
        out.push(b'\n');
    }
    out.extend_from_slice(body);
    out
}

#[cfg(unix)]
fn is_executable(path: &Path) -> Result<bool, InstallError> {
    use std::os::unix::fs::PermissionsExt;
    Ok(fs::metadata(path).at("inspect", path)?.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_path: &Path) -> Result<bool, InstallError> {
    Ok(true)
}

fn read_text(path: &Path) -> Result<String, InstallError> {
    let bytes = fs::read(path).at("read", path)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn read_optional_text(path: &Path) -> Result<Option<String>, InstallError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).at("read", path),
    }
}

fn join_rel(base: &Path, rel: &str) -> PathBuf {
    rel.split('/').fold(base.to_path_buf(), |p, c| p.join(c))
}

/// Every regular file under `dir` as a sorted `/`-separated relative path. The unpacked
/// tree comes from [`crate::unpack_wheel`], which creates no links; anything else found
/// there means it was tampered with, and is refused rather than followed.
fn walk_files(dir: &Path, wheel: &str) -> Result<Vec<String>, InstallError> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = stack.pop() {
        for entry in fs::read_dir(&path).at("read", &path)? {
            let entry = entry.at("read", &path)?;
            let name =
                entry
                    .file_name()
                    .into_string()
                    .map_err(|name| InstallError::InvalidWheel {
                        wheel: wheel.to_owned(),
                        reason: format!("file name {name:?} is not UTF-8"),
                    })?;
            let child_rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            // skua's record of the tree, not part of the wheel.
            if child_rel == crate::unpack::MANIFEST_FILE {
                continue;
            }
            let file_type = entry.file_type().at("inspect", &entry.path())?;
            if file_type.is_dir() {
                stack.push((entry.path(), child_rel));
            } else if file_type.is_file() {
                out.push(child_rel);
            } else {
                return Err(InstallError::UnsafePath {
                    wheel: wheel.to_owned(),
                    path: child_rel,
                    reason: "not a regular file in the unpacked wheel",
                });
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Everything one installation changed, so it can be undone.
///
/// Dropping a transaction that was not committed rolls it back: created files are
/// removed, overwritten files restored from their backups, created directories removed.
struct Transaction<'a> {
    venv: &'a Venv,
    link_mode: LinkMode,
    wheel: String,
    /// The directory RECORD paths are relative to (where `.dist-info` goes).
    record_base: PathBuf,
    root_canonical: PathBuf,
    record: Vec<RecordEntry>,
    created_files: Vec<PathBuf>,
    created_set: HashSet<PathBuf>,
    created_dirs: Vec<PathBuf>,
    /// `(original path, backup path)` of files this install replaced.
    backups: Vec<(PathBuf, PathBuf)>,
    backup_dir: Option<tempfile::TempDir>,
    /// Directories already checked to resolve inside the venv.
    checked_dirs: HashSet<PathBuf>,
    committed: bool,
}

impl<'a> Transaction<'a> {
    fn new(
        venv: &'a Venv,
        wheel: &str,
        record_base: PathBuf,
        link_mode: LinkMode,
    ) -> Result<Self, InstallError> {
        Ok(Transaction {
            venv,
            link_mode,
            wheel: wheel.to_owned(),
            record_base,
            root_canonical: fs::canonicalize(&venv.root).at("resolve", &venv.root)?,
            record: Vec::new(),
            created_files: Vec::new(),
            created_set: HashSet::new(),
            created_dirs: Vec::new(),
            backups: Vec::new(),
            backup_dir: None,
            checked_dirs: HashSet::new(),
            committed: false,
        })
    }

    fn conflict(&self, reason: String) -> InstallError {
        InstallError::Conflict {
            wheel: self.wheel.clone(),
            reason,
        }
    }

    /// Makes `target` ready to be created: its directory exists and resolves inside the
    /// venv (a symlink planted in site-packages must not redirect writes elsewhere), and
    /// it is not a file of the venv itself nor one this wheel already installed. Whether
    /// something is at `target` already is left to the create, which fails on it (see
    /// [`Transaction::move_aside`]): one system call per file instead of two.
    fn prepare(&mut self, target: &Path) -> Result<(), InstallError> {
        let parent = target
            .parent()
            .ok_or_else(|| self.conflict(format!("{} has no parent", target.display())))?;
        if !self.checked_dirs.contains(parent) {
            self.create_dirs(parent)?;
        }
        if self.venv.is_own_file(target) {
            return Err(self.conflict(format!(
                "the wheel would replace {}, which belongs to the virtual environment itself",
                target.display()
            )));
        }
        if self.created_set.contains(target) {
            return Err(self.conflict(format!("the wheel installs {} twice", target.display())));
        }
        Ok(())
    }

    /// Moves what is at `target` out of the way, once creating it found it taken. A
    /// directory is refused; a file is nobody's (files other distributions own were
    /// refused before the transaction began): a leftover, replaced like pip and uv
    /// replace it. The backup keeps it restorable until this install commits.
    fn move_aside(&mut self, target: &Path) -> Result<(), InstallError> {
        match fs::symlink_metadata(target) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e).at("inspect", target),
            Ok(meta) if meta.is_dir() => Err(self.conflict(format!(
                "{} is a directory, where the wheel has a file",
                target.display()
            ))),
            Ok(_) => {
                let backup_dir = match &self.backup_dir {
                    Some(dir) => dir.path().to_path_buf(),
                    None => {
                        let dir = tempfile::Builder::new()
                            .prefix(".skua-backup-")
                            .tempdir_in(&self.venv.root)
                            .at("create a backup directory in", &self.venv.root)?;
                        let path = dir.path().to_path_buf();
                        self.backup_dir = Some(dir);
                        path
                    }
                };
                let backup = backup_dir.join(self.backups.len().to_string());
                fs::rename(target, &backup).at("move aside", target)?;
                self.backups.push((target.to_path_buf(), backup));
                Ok(())
            }
        }
    }

    /// Creates `dir` and its missing parents, checking that the deepest one that exists
    /// resolves inside the venv; directories created under it are inside by
    /// construction, so only that one is resolved.
    fn create_dirs(&mut self, dir: &Path) -> Result<(), InstallError> {
        let mut missing = Vec::new();
        let mut current = Some(dir);
        while let Some(path) = current {
            if self.checked_dirs.contains(path) {
                break;
            }
            match fs::symlink_metadata(path) {
                Ok(_) => {
                    let resolved = fs::canonicalize(path).at("resolve", path)?;
                    if !resolved.starts_with(&self.root_canonical) {
                        return Err(self.conflict(format!(
                            "{} resolves to {}, outside the virtual environment",
                            path.display(),
                            resolved.display()
                        )));
                    }
                    self.checked_dirs.insert(path.to_path_buf());
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => missing.push(path.to_path_buf()),
                Err(e) => return Err(e).at("inspect", path),
            }
            current = path.parent();
        }
        for path in missing.into_iter().rev() {
            match fs::create_dir(&path) {
                Ok(()) => {
                    self.created_dirs.push(path.clone());
                    self.checked_dirs.insert(path);
                }
                // Made by someone else meanwhile: resolved like any directory found.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    return self.create_dirs(&path).and_then(|()| self.create_dirs(dir));
                }
                Err(e) => return Err(e).at("create", &path),
            }
        }
        Ok(())
    }

    fn record_path(&self, target: &Path) -> Result<String, InstallError> {
        relative_record_path(&self.record_base, target)
            .ok_or_else(|| self.conflict(format!("{} is not a UTF-8 path", target.display())))
    }

    /// Hard-links `source` to `target`, copying when the filesystem refuses the link or
    /// copies were asked for.
    fn link(
        &mut self,
        source: &Path,
        target: &Path,
        known: Option<&RecordEntry>,
    ) -> Result<(), InstallError> {
        self.prepare(target)?;
        let linked = match self.link_mode {
            LinkMode::Hardlink => match fs::hard_link(source, target) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    self.move_aside(target)?;
                    fs::hard_link(source, target).is_ok()
                }
                result => result.is_ok(),
            },
            LinkMode::Copy => {
                // A copy would write through whatever is there.
                self.move_aside(target)?;
                false
            }
        };
        if !linked {
            match fs::copy(source, target) {
                Ok(_) => {}
                Err(e) => {
                    // A partial copy may exist; it is ours to remove.
                    self.track(target);
                    return Err(e).at("copy to", target);
                }
            }
        }
        self.track(target);
        let record_path = self.record_path(target)?;
        let (hash, size) = match known {
            Some(RecordEntry {
                hash: Some(hash),
                size: Some(size),
                ..
            }) if hash.starts_with("sha256=") => (hash.clone(), *size),
            _ => hash_file(target).at("hash", target)?,
        };
        self.record.push(RecordEntry {
            path: record_path,
            hash: Some(hash),
            size: Some(size),
        });
        Ok(())
    }

    /// Installs a `.data/scripts` file: `#!python` scripts are rewritten for the venv,
    /// other files (often large native binaries) are linked like any other file unless
    /// they lack the executable bit, which a wheel built on Windows cannot carry.
    fn install_script(
        &mut self,
        source: &Path,
        target: &Path,
        python: &Path,
        known: Option<&RecordEntry>,
    ) -> Result<(), InstallError> {
        let mut head = [0u8; 8];
        let head_len = {
            let mut file = fs::File::open(source).at("open", source)?;
            let mut filled = 0;
            while filled < head.len() {
                match file.read(&mut head[filled..]).at("read", source)? {
                    0 => break,
                    n => filled += n,
                }
            }
            filled
        };
        let placeholder = &head[..head_len] == b"#!python";
        if !placeholder && is_executable(source)? {
            return self.link(source, target, known);
        }
        let content = fs::read(source).at("read", source)?;
        let content = rewrite_python_shebang(content, python);
        self.write(target, &content, 0o755)
    }

    /// Writes a new file (never through a link into the unpacked tree) and records it.
    fn write(&mut self, target: &Path, content: &[u8], mode: u32) -> Result<(), InstallError> {
        self.write_file(target, content, mode)?;
        let path = self.record_path(target)?;
        self.record.push(RecordEntry {
            path,
            hash: Some(sha256_record_hash(content)),
            size: Some(content.len() as u64),
        });
        Ok(())
    }

    fn write_file(&mut self, target: &Path, content: &[u8], mode: u32) -> Result<(), InstallError> {
        self.prepare(target)?;
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = match options.open(target) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                self.move_aside(target)?;
                options.open(target)
            }
            result => result,
        }
        .at("create", target)?;
        self.track(target);
        file.write_all(content).at("write", target)?;
        // The umask may have cleared bits the mode asked for (scripts must be executable).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(fs::Permissions::from_mode(mode))
                .at("set permissions of", target)?;
        }
        Ok(())
    }

    /// Writes a file that is either complete or absent, whenever the process dies:
    /// written under a temporary name, then renamed. It is not recorded in RECORD.
    fn write_atomically(&mut self, target: &Path, content: &[u8]) -> Result<(), InstallError> {
        let mut temp_name = target.file_name().unwrap_or_default().to_os_string();
        temp_name.push(".tmp");
        let temp = target.with_file_name(temp_name);
        self.write_file(&temp, content, 0o644)?;
        self.prepare(target)?;
        // A rename would replace a leftover without a backup.
        self.move_aside(target)?;
        fs::rename(&temp, target).at("rename", &temp)?;
        self.track(target);
        Ok(())
    }

    fn track(&mut self, target: &Path) {
        if self.created_set.insert(target.to_path_buf()) {
            self.created_files.push(target.to_path_buf());
        }
    }

    /// Writes RECORD listing every file installed, itself included without a hash.
    fn finish_record(&mut self, record: &Path) -> Result<(), InstallError> {
        let path = self.record_path(record)?;
        let mut entries = std::mem::take(&mut self.record);
        entries.push(RecordEntry {
            path,
            hash: None,
            size: None,
        });
        self.write_file(record, write_record(&entries).as_bytes(), 0o644)?;
        self.record = entries;
        Ok(())
    }

    fn commit(mut self) {
        self.committed = true;
        // Dropping the backup directory deletes the files this install replaced.
    }

    fn rollback(&mut self) {
        for file in self.created_files.drain(..).rev() {
            let _ = fs::remove_file(&file);
        }
        for (original, backup) in self.backups.drain(..).rev() {
            let _ = fs::rename(&backup, &original);
        }
        for dir in self.created_dirs.drain(..).rev() {
            let _ = fs::remove_dir(&dir);
        }
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.committed {
            self.rollback();
        }
    }
}

impl EntryPoint {
    /// A launcher like pip's: the venv's python runs the callable and exits with its
    /// return value. The import is aliased so a callable named `sys` cannot shadow the
    /// module the launcher itself needs.
    fn launcher(&self, shebang: &str) -> String {
        let (head, rest) = self
            .attrs
            .split_first()
            .map_or(("", &[][..]), |(h, r)| (h.as_str(), r));
        let mut call = "_skua_entry_point".to_owned();
        for attr in rest {
            call.push('.');
            call.push_str(attr);
        }
        format!(
            "{shebang}\n\
             # -*- coding: utf-8 -*-\n\
             import sys\n\
             from {module} import {head} as _skua_entry_point\n\
             if __name__ == \"__main__\":\n    \
                 sys.exit({call}())\n",
            module = self.module,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_wheel_metadata() {
        assert_eq!(
            check_wheel_metadata("Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"),
            Ok(true)
        );
        assert_eq!(
            check_wheel_metadata("Wheel-Version: 1.9\nRoot-Is-Purelib: false\n"),
            Ok(false)
        );
        assert!(check_wheel_metadata("Wheel-Version: 2.0\n").is_err());
        assert!(check_wheel_metadata("Root-Is-Purelib: true\n").is_err());
    }

    #[test]
    fn shebangs_fall_back_to_sh_for_odd_paths() {
        assert_eq!(shebang(Path::new("/v/bin/python")), "#!/v/bin/python");
        let spaced = shebang(Path::new("/my venv/bin/python"));
        assert!(spaced.starts_with("#!/bin/sh\n'''exec' '/my venv/bin/python' \"$0\" \"$@\"\n"));
        let long = format!("/{}/bin/python", "x".repeat(130));
        assert!(shebang(Path::new(&long)).starts_with("#!/bin/sh\n"));
    }

    #[test]
    fn rewrites_only_the_placeholder_shebang() {
        let python = Path::new("/v/bin/python");
        assert_eq!(
            rewrite_python_shebang(b"#!python\nprint(1)\n".to_vec(), python),
            b"#!/v/bin/python\nprint(1)\n"
        );
        assert_eq!(
            rewrite_python_shebang(b"#!pythonw -u\r\nx\r\n".to_vec(), python),
            b"#!/v/bin/python\nx\r\n"
        );
        assert_eq!(
            rewrite_python_shebang(b"#!/bin/sh\necho\n".to_vec(), python),
            b"#!/bin/sh\necho\n"
        );
        assert_eq!(
            rewrite_python_shebang(b"\x7fELF".to_vec(), python),
            b"\x7fELF"
        );
    }

    #[test]
    fn checks_direct_url() {
        assert!(check_direct_url(r#"{"url": "file:///x", "dir_info": {}}"#).is_ok());
        assert!(check_direct_url("[]").is_err());
        assert!(check_direct_url("nope").is_err());
    }

    #[test]
    fn launcher_calls_dotted_attributes() {
        let ep = EntryPoint {
            name: "tool".into(),
            module: "pkg.cli".into(),
            attrs: vec!["App".into(), "run".into()],
        };
        let text = ep.launcher("#!/v/bin/python");
        assert!(text.starts_with("#!/v/bin/python\n"));
        assert!(text.contains("from pkg.cli import App as _skua_entry_point\n"));
        assert!(text.contains("sys.exit(_skua_entry_point.run())"));
    }
}
