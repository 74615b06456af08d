//! Which manifests govern each linted Python file, and what they declare (DEP004). Built
//! once per run, before the parallel pass, from the directories of the Python files; each
//! worker then only looks its file's directory up. Module lists of directories (for
//! first-party imports) and installed environments are read on first use, once.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use skua_types::PackageName;

/// Directories never taken for first-party packages (environments, caches, tooling).
const NOT_PACKAGES: &[&str] = &[
    "node_modules",
    "site-packages",
    "venv",
    "env",
    "build",
    "dist",
    "__pycache__",
];

/// What is declared for the files of one manifest directory.
#[derive(Debug)]
pub struct Scope {
    /// The manifest named in messages (a `pyproject.toml` before requirements files).
    pub manifest: PathBuf,
    pub declared: HashSet<PackageName>,
    /// Import names of the project itself (`[project] name`, `-` as `_`).
    pub own_modules: Vec<String>,
    /// A virtual environment beside the manifests (`.venv/`, `venv/`), else the active one
    /// (`VIRTUAL_ENV`), read on first use.
    environment_path: Option<PathBuf>,
    environment: OnceLock<Environment>,
}

impl Scope {
    /// The installed environment's import names, if the project has one.
    pub fn environment(&self) -> Option<&Environment> {
        let path = self.environment_path.as_ref()?;
        Some(self.environment.get_or_init(|| Environment::read(path)))
    }
}

/// What governs one directory's Python files.
#[derive(Debug)]
struct DirInfo {
    scope: Option<Arc<Scope>>,
    /// The directories from this one up to where the manifest walk stopped: their
    /// modules and packages are first-party.
    walked: Vec<PathBuf>,
    first_party: OnceLock<HashSet<String>>,
    /// The directory is inside an Ansible collection (see [`is_collection_root`]).
    ansible_collection: bool,
}

/// A linted file's view: its manifests (if any) and, on first use, its first-party
/// module names (reading directories costs, and most files never need them).
pub struct FileScope<'a> {
    pub scope: Option<&'a Scope>,
    info: &'a DirInfo,
    index: &'a ManifestIndex,
}

impl FileScope<'_> {
    /// Whether the file belongs to an Ansible collection: ansible-core runs its code, and
    /// ansible-galaxy installs the collections it depends on.
    pub fn in_ansible_collection(&self) -> bool {
        self.info.ansible_collection
    }

    pub fn first_party(&self) -> &HashSet<String> {
        self.info.first_party.get_or_init(|| {
            let mut names: HashSet<String> = self
                .info
                .walked
                .iter()
                .flat_map(|dir| {
                    let mut names = self.index.modules_in(dir).as_ref().clone();
                    names.extend(self.index.modules_in(&dir.join("src")).iter().cloned());
                    names
                })
                .collect();
            if let Some(scope) = &self.info.scope {
                names.extend(scope.own_modules.iter().cloned());
            }
            names
        })
    }
}

/// The manifest scopes of every directory holding linted Python files.
#[derive(Debug, Default)]
pub struct ManifestIndex {
    dirs: HashMap<PathBuf, DirInfo>,
    /// Importable names directly in a directory, shared by the files under it.
    modules: Mutex<HashMap<PathBuf, Arc<Vec<String>>>>,
}

/// What a directory holds, as far as the walk upward is concerned.
enum Found {
    /// Manifests we read.
    Declared(Arc<Scope>),
    /// A manifest we cannot read (`setup.py`, `Pipfile`, dynamic dependencies): nothing is
    /// known, so nothing is reported.
    Unknown,
    Nothing,
}

impl ManifestIndex {
    /// Looks up the manifests of each directory in `dirs` (absolute). `readable` tells
    /// whether a file a requirements file includes may be read (inside the project);
    /// the walk upward stops at a project root (`.git`, `pyproject.toml`) or where
    /// `stop_at` says (the root of what is being linted), whichever comes first.
    pub fn new<'p>(
        dirs: impl IntoIterator<Item = &'p Path>,
        readable: &dyn Fn(&Path) -> bool,
        stop_at: &dyn Fn(&Path) -> bool,
        active_environment: Option<&Path>,
    ) -> Self {
        let mut found: HashMap<PathBuf, (Found, bool)> = HashMap::new();
        // Per directory: is it an Ansible collection's root, and does the walk stop there.
        let mut collections: HashMap<PathBuf, (bool, bool)> = HashMap::new();
        let mut index = ManifestIndex::default();
        for dir in dirs {
            if index.dirs.contains_key(dir) {
                continue;
            }
            let mut walked = Vec::new();
            let mut scope = None;
            let mut stopped = false;
            for ancestor in dir.ancestors() {
                walked.push(ancestor.to_path_buf());
                let (what, is_root) = found.entry(ancestor.to_path_buf()).or_insert_with(|| {
                    let (what, is_root) = look_in(ancestor, readable, active_environment);
                    (what, is_root || stop_at(ancestor))
                });
                stopped = true;
                match what {
                    Found::Declared(found) => {
                        scope = Some(Arc::clone(found));
                        break;
                    }
                    Found::Unknown => break,
                    Found::Nothing if *is_root => break,
                    Found::Nothing => stopped = false,
                }
            }
            // No project around it (a loose script): only its own directory is importable,
            // never every directory up to `/`.
            if !stopped {
                walked.truncate(1);
            }
            // The collection's root may sit above the nearest manifest
            // (`tests/unit/requirements.txt`), so this walk goes on to the project root.
            let mut ansible_collection = false;
            for ancestor in dir.ancestors() {
                let (is_collection, is_root) = *collections
                    .entry(ancestor.to_path_buf())
                    .or_insert_with(|| {
                        (
                            is_collection_root(ancestor),
                            ancestor.join(".git").exists()
                                || ancestor.join("pyproject.toml").is_file()
                                || stop_at(ancestor),
                        )
                    });
                if is_collection {
                    ansible_collection = true;
                    break;
                }
                if is_root {
                    break;
                }
            }
            index.dirs.insert(
                dir.to_path_buf(),
                DirInfo {
                    scope,
                    walked,
                    first_party: OnceLock::new(),
                    ansible_collection,
                },
            );
        }
        index
    }

    /// The scope of a file in `dir`; `None` for a directory the index was not built for.
    pub fn file_scope(&self, dir: &Path) -> Option<FileScope<'_>> {
        let info = self.dirs.get(dir)?;
        Some(FileScope {
            scope: info.scope.as_deref(),
            info,
            index: self,
        })
    }

    fn modules_in(&self, dir: &Path) -> Arc<Vec<String>> {
        if let Ok(cache) = self.modules.lock()
            && let Some(names) = cache.get(dir)
        {
            return Arc::clone(names);
        }
        let names = Arc::new(importable_names(dir));
        if let Ok(mut cache) = self.modules.lock() {
            cache.insert(dir.to_path_buf(), Arc::clone(&names));
        }
        names
    }
}

/// A requirements file of development tools only (`dev-requirements.txt`,
/// `requirements-test.txt`, `requirements/lint.txt`), by its name.
fn is_development_requirements(path: &Path) -> bool {
    const WORDS: &[&str] = &[
        "dev",
        "devel",
        "develop",
        "development",
        "test",
        "tests",
        "testing",
        "lint",
        "docs",
        "doc",
        "ci",
        "tox",
        "typing",
        "bench",
    ];
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| {
            name.to_ascii_lowercase()
                .split(['-', '_', '.'])
                .any(|word| WORDS.contains(&word))
        })
}

/// An Ansible collection's root: `meta/runtime.yml` beside `galaxy.yml` (its source
/// repository) or `MANIFEST.json` (a built or installed collection).
fn is_collection_root(dir: &Path) -> bool {
    dir.join("meta").join("runtime.yml").is_file()
        && (dir.join("galaxy.yml").is_file() || dir.join("MANIFEST.json").is_file())
}

/// `x.py`, `x.pyi` and `x/` holding Python files (directly or one level down: namespace
/// packages have no `__init__.py`) in `dir`.
fn importable_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            if !NOT_PACKAGES.contains(&name.as_str()) && holds_python(&path, 1) {
                names.push(name);
            }
        } else if let Some(stem) = name
            .strip_suffix(".py")
            .or_else(|| name.strip_suffix(".pyi"))
        {
            names.push(stem.to_string());
        }
    }
    names
}

fn holds_python(dir: &Path, depth: usize) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut subdirs = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|extension| extension == "py") {
            return true;
        }
        if depth > 0 && path.is_dir() {
            subdirs.push(path);
        }
    }
    subdirs.iter().any(|sub| holds_python(sub, depth - 1))
}

/// The manifests in `dir`, and whether it is a project root (the walk stops there).
fn look_in(
    dir: &Path,
    readable: &dyn Fn(&Path) -> bool,
    active_environment: Option<&Path>,
) -> (Found, bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (Found::Nothing, false);
    };
    // A name that is not UTF-8 is no manifest skua reads and no module Python imports.
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    let has = |name: &str| names.iter().any(|n| n == name);
    let is_root = has(".git") || has("pyproject.toml");
    let mut requirement_files: Vec<PathBuf> = names
        .iter()
        .filter(|name| is_requirements_name(name))
        .map(|name| dir.join(name))
        .filter(|path| path.is_file())
        .collect();
    // `requirements/base.txt`, `requirements/dev.in`, …
    if let Ok(entries) = std::fs::read_dir(dir.join("requirements")) {
        let mut nested: Vec<PathBuf> = entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.is_file()
                    && path
                        .extension()
                        .is_some_and(|extension| extension == "txt" || extension == "in")
            })
            .collect();
        nested.sort();
        requirement_files.extend(nested);
    }
    let mut scope = ScopeBuilder::default();
    let mut unknown = has("setup.py") || has("setup.cfg") || has("Pipfile");
    let mut pyproject_manifest = None;
    if has("pyproject.toml") {
        let path = dir.join("pyproject.toml");
        if let Ok(text) = skua_cache::read_user_file(&path)
            && let Ok(pyproject) = skua_requirements::parse_pyproject(&text)
        {
            let dynamic = pyproject
                .dynamic
                .iter()
                .any(|field| field == "dependencies");
            if declares_any(&pyproject) && !dynamic {
                scope.add_pyproject(&pyproject);
                pyproject_manifest = Some(path);
            } else if pyproject.has_project_table && dynamic {
                // `dynamic = ["dependencies"]`: declared elsewhere (a backend's config).
                unknown = true;
                scope.add_own_name(pyproject.project_name.as_deref());
            }
        }
    }
    // `setup.py` declares the runtime dependencies and the requirements files beside it
    // only the tools of development (`dev-requirements.txt`): what the code imports is
    // not known.
    if unknown
        && pyproject_manifest.is_none()
        && !requirement_files.is_empty()
        && requirement_files
            .iter()
            .all(|path| is_development_requirements(path))
    {
        return (Found::Unknown, is_root);
    }
    scope.add_requirements_files(&requirement_files, readable);
    let manifest = pyproject_manifest.or_else(|| {
        requirement_files
            .iter()
            .find(|path| {
                path.file_name()
                    .is_some_and(|name| name == "requirements.txt")
            })
            .or(requirement_files.first())
            .cloned()
    });
    let Some(manifest) = manifest else {
        let found = if unknown {
            Found::Unknown
        } else {
            Found::Nothing
        };
        return (found, is_root);
    };
    let environment_path = dir
        .ancestors()
        .take(4)
        .flat_map(|base| [base.join(".venv"), base.join("venv")])
        .find(|venv| venv.join("pyvenv.cfg").is_file())
        .or_else(|| active_environment.map(Path::to_path_buf));
    let scope = Scope {
        manifest,
        declared: scope.declared,
        own_modules: scope.own_modules,
        environment_path,
        environment: OnceLock::new(),
    };
    (Found::Declared(Arc::new(scope)), is_root)
}

/// Whether a `pyproject.toml` lists any dependency. One that lists none is not taken for
/// the manifest of the code around it: it packages something else (a binary built with
/// maturin, a tool's configuration), and every import would be reported against it.
fn declares_any(pyproject: &skua_requirements::Pyproject) -> bool {
    let listed = !pyproject.dependencies.is_empty()
        || pyproject
            .optional_dependencies
            .iter()
            .chain(&pyproject.dependency_groups)
            .any(|(_, listed)| !listed.is_empty());
    let poetry = pyproject.poetry.as_ref().is_some_and(|poetry| {
        poetry
            .dependencies
            .iter()
            .chain(&poetry.dev_dependencies)
            .chain(poetry.groups.iter().flat_map(|(_, deps)| deps))
            .any(|dependency| !dependency.name.eq_ignore_ascii_case("python"))
    });
    listed || poetry
}

/// `requirements.txt`, `requirements-dev.txt`, `test-requirements-ci.in`; not constraints.
fn is_requirements_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(stem) = lower
        .strip_suffix(".txt")
        .or_else(|| lower.strip_suffix(".in"))
    else {
        return false;
    };
    stem.contains("requirements")
}

#[derive(Default)]
struct ScopeBuilder {
    declared: HashSet<PackageName>,
    own_modules: Vec<String>,
}

impl ScopeBuilder {
    fn add_own_name(&mut self, name: Option<&str>) {
        let Some(name) = name else { return };
        if let Ok(package) = PackageName::new(name) {
            self.own_modules.push(package.as_str().replace('-', "_"));
            self.declared.insert(package);
        }
    }

    fn add_listed(&mut self, listed: &[skua_requirements::ListedRequirement]) {
        for item in listed {
            if let Ok(requirement) = &item.parsed {
                self.declared.extend(requirement.package_name.clone());
            }
        }
    }

    fn add_pyproject(&mut self, pyproject: &skua_requirements::Pyproject) {
        self.add_own_name(pyproject.project_name.as_deref());
        self.add_listed(&pyproject.dependencies);
        for (_, listed) in pyproject
            .optional_dependencies
            .iter()
            .chain(&pyproject.dependency_groups)
        {
            self.add_listed(listed);
        }
        if let Some(poetry) = &pyproject.poetry {
            let groups = poetry.groups.iter().flat_map(|(_, deps)| deps);
            for dependency in poetry
                .dependencies
                .iter()
                .chain(&poetry.dev_dependencies)
                .chain(groups)
            {
                // An invalid name declares nothing: at worst an import of it is reported,
                // never hidden.
                self.declared
                    .extend(PackageName::new(&dependency.name).ok());
            }
        }
    }

    /// Requirements files and what they include with `-r` (constraints declare nothing:
    /// they pin what something else asks for). A worklist, not recursion: include chains
    /// can be as long as a hostile repository makes them.
    fn add_requirements_files(&mut self, files: &[PathBuf], readable: &dyn Fn(&Path) -> bool) {
        let mut seen: HashSet<PathBuf> = HashSet::new();
        let mut queue: Vec<PathBuf> = files.iter().rev().cloned().collect();
        while let Some(path) = queue.pop() {
            let path = crate::linter::normalize_lexically(&path);
            if !seen.insert(path.clone()) {
                continue;
            }
            let Ok(text) = skua_cache::read_user_file(&path) else {
                continue;
            };
            let base = path.parent().unwrap_or(Path::new(""));
            let parsed = skua_requirements::parse_requirements(&text);
            for entry in &parsed.entries {
                match &entry.kind {
                    skua_requirements::EntryKind::Requirement(requirement) => {
                        self.add_requirement(requirement, base, readable);
                    }
                    skua_requirements::EntryKind::Editable { target, .. } => {
                        let line = skua_requirements::parse_requirements(target);
                        match line.entries.first().map(|entry| &entry.kind) {
                            Some(skua_requirements::EntryKind::Requirement(requirement)) => {
                                self.add_requirement(requirement, base, readable);
                            }
                            _ => self.add_local_project(&base.join(target), readable),
                        }
                    }
                    skua_requirements::EntryKind::Include {
                        kind: skua_requirements::IncludeKind::Requirements,
                        path: target,
                        ..
                    } if !target.contains("://") => {
                        let target = base.join(target);
                        if target.is_file() && readable(&target) {
                            queue.push(target);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn add_requirement(
        &mut self,
        requirement: &skua_requirements::Requirement,
        base: &Path,
        readable: &dyn Fn(&Path) -> bool,
    ) {
        match &requirement.package_name {
            Some(name) => {
                self.declared.insert(name.clone());
            }
            // `../libs/opskit`: the local project's own name.
            None if requirement.is_local_path() => {
                if let Some(url) = &requirement.url {
                    let path = url.strip_prefix("file://").unwrap_or(url);
                    self.add_local_project(&base.join(path), readable);
                }
            }
            None => {}
        }
    }

    fn add_local_project(&mut self, dir: &Path, readable: &dyn Fn(&Path) -> bool) {
        let pyproject = dir.join("pyproject.toml");
        if !pyproject.is_file() || !readable(&pyproject) {
            return;
        }
        if let Ok(text) = skua_cache::read_user_file(&pyproject)
            && let Ok(parsed) = skua_requirements::parse_pyproject(&text)
            && let Some(name) = parsed.project_name.as_deref()
        {
            // As above: an invalid project name only declares nothing.
            self.declared.extend(PackageName::new(name).ok());
        }
    }
}

/// An installed environment's map of import names to distributions.
#[derive(Debug, Default)]
pub struct Environment {
    /// Dotted module prefix (up to three components) → the distributions installing it.
    modules: HashMap<String, Vec<PackageName>>,
}

/// How deep module prefixes are kept: `google.cloud.storage` tells namespace packages apart.
const MODULE_DEPTH: usize = 3;

impl Environment {
    /// Reads every `*.dist-info` of the environment at `root`: the modules its RECORD
    /// lists, or its `top_level.txt` when there is no RECORD. Unreadable parts are skipped.
    pub fn read(root: &Path) -> Environment {
        let mut environment = Environment::default();
        for site_packages in site_packages_dirs(root) {
            let Ok(entries) = std::fs::read_dir(&site_packages) else {
                continue;
            };
            let mut dist_infos: Vec<PathBuf> = entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "dist-info"))
                .collect();
            dist_infos.sort();
            for dist_info in dist_infos {
                environment.add_dist(&dist_info);
            }
        }
        environment
    }

    fn add_dist(&mut self, dist_info: &Path) {
        // `PyYAML-6.0.1.dist-info`: names in directory names have `-` escaped as `_`. A
        // directory named otherwise maps no import names; the built-in map still applies.
        let Some(name) = dist_info
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.split('-').next())
            .and_then(|name| PackageName::new(name).ok())
        else {
            return;
        };
        let mut prefixes: HashSet<String> = HashSet::new();
        if let Ok(record) = skua_cache::read_user_file(&dist_info.join("RECORD")) {
            for line in record.lines() {
                if let Some(module) = record_module(line) {
                    for depth in 1..=module.len().min(MODULE_DEPTH) {
                        prefixes.insert(module[..depth].join("."));
                    }
                }
            }
        } else if let Ok(top_level) = skua_cache::read_user_file(&dist_info.join("top_level.txt")) {
            prefixes.extend(
                top_level
                    .lines()
                    .map(|line| line.trim().replace('/', "."))
                    .filter(|line| !line.is_empty()),
            );
        }
        for prefix in prefixes {
            let dists = self.modules.entry(prefix).or_default();
            if !dists.contains(&name) {
                dists.push(name.clone());
            }
        }
    }

    /// The distributions installing the longest known prefix of `import`.
    pub fn distributions(&self, import: &str) -> Option<&[PackageName]> {
        let parts: Vec<&str> = import.split('.').collect();
        (1..=parts.len().min(MODULE_DEPTH))
            .rev()
            .find_map(|depth| self.modules.get(&parts[..depth].join(".")))
            .map(Vec::as_slice)
    }
}

/// `<venv>/lib/python3.X/site-packages` (POSIX) and `<venv>/Lib/site-packages` (Windows).
fn site_packages_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(entries) = std::fs::read_dir(root.join("lib")) {
        for entry in entries.flatten() {
            let site = entry.path().join("site-packages");
            if site.is_dir() {
                dirs.push(site);
            }
        }
    }
    let windows = root.join("Lib").join("site-packages");
    if windows.is_dir() {
        dirs.push(windows);
    }
    dirs.sort();
    dirs
}

/// The module a RECORD row installs: `yaml/constructor.py` → `[yaml, constructor]`,
/// `_yaml/__init__.py` → `[_yaml]`, `foo.cpython-311-x86_64-linux-gnu.so` → `[foo]`.
/// Rows outside site-packages, metadata and data files give `None`.
fn record_module(line: &str) -> Option<Vec<String>> {
    let path = match line.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => line.split(',').next()?,
    };
    if path.starts_with("..") || path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = path.split('/').collect();
    let file = parts.pop()?;
    if parts
        .iter()
        .any(|part| !is_identifier(part) || *part == "__pycache__")
    {
        return None;
    }
    let stem = if let Some(stem) = file.strip_suffix(".py") {
        Some(stem)
    } else if file.ends_with(".so") || file.ends_with(".pyd") {
        file.split('.').next()
    } else {
        None
    };
    let mut module: Vec<String> = parts.iter().map(|part| part.to_string()).collect();
    match stem {
        Some("__init__") => {}
        Some(stem) if is_identifier(stem) => module.push(stem.to_string()),
        // A data file inside a package still shows the package.
        _ if !module.is_empty() => {}
        _ => return None,
    }
    (!module.is_empty()).then_some(module)
}

fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_rows_name_modules() {
        let module = |line: &str| record_module(line).map(|parts| parts.join("."));
        assert_eq!(
            module("yaml/constructor.py,sha256=abc,100").as_deref(),
            Some("yaml.constructor")
        );
        assert_eq!(
            module("google/cloud/storage/__init__.py,sha256=x,1").as_deref(),
            Some("google.cloud.storage")
        );
        assert_eq!(
            module("_cffi_backend.cpython-311-x86_64-linux-gnu.so,sha256=x,1").as_deref(),
            Some("_cffi_backend")
        );
        assert_eq!(module("six.py,sha256=x,1").as_deref(), Some("six"));
        assert_eq!(module("PyYAML-6.0.1.dist-info/RECORD,,"), None);
        assert_eq!(module("../../../bin/yamllint,sha256=x,1"), None);
        assert_eq!(module("distutils-precedence.pth,sha256=x,1"), None);
        assert_eq!(
            module("\"weird,name/__init__.py\",sha256=x,1").as_deref(),
            None,
            "a quoted path with a comma is read whole (and is no module name)"
        );
    }

    #[test]
    fn requirement_file_names() {
        for name in [
            "requirements.txt",
            "requirements-dev.txt",
            "requirements.in",
            "dev-requirements.txt",
            "test-requirements-ci.txt",
            "Requirements.txt",
        ] {
            assert!(is_requirements_name(name), "{name}");
        }
        for name in [
            "constraints.txt",
            "README.txt",
            "requirements.lock",
            "notes.in",
        ] {
            assert!(!is_requirements_name(name), "{name}");
        }
    }

    fn write(root: &Path, path: &str, text: &str) {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn declared(index: &ManifestIndex, dir: &Path) -> Option<Vec<String>> {
        let scope = index.file_scope(dir)?.scope?;
        let mut names: Vec<String> = scope.declared.iter().map(ToString::to_string).collect();
        names.sort();
        Some(names)
    }

    #[test]
    fn the_nearest_manifests_declare_with_their_includes() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        write(root, ".git/HEAD", "ref: refs/heads/main\n");
        write(
            root,
            "requirements.txt",
            "-r requirements/base.txt\n-c constraints.txt\n-e ./libs/opskit\nPyYAML==6.0.1\n",
        );
        write(root, "requirements/base.txt", "boto3==1.34.69\n");
        write(root, "requirements/dev.in", "pytest\n");
        write(root, "constraints.txt", "botocore==1.34.69\n");
        write(
            root,
            "libs/opskit/pyproject.toml",
            "[project]\nname = \"opskit\"\n",
        );
        write(root, "ops/aws/job.py", "import boto3\n");
        write(
            root,
            "tools/inv/pyproject.toml",
            "[tool.poetry]\nname = \"vm-inventory\"\n[tool.poetry.dependencies]\npython = \"^3.11\"\npyvmomi = \"^8\"\n[tool.poetry.group.dev.dependencies]\npytest = \"^8\"\n",
        );
        write(root, "tools/inv/inventory.py", "");
        write(
            root,
            "svc/pyproject.toml",
            "[project]\nname = \"svc\"\ndynamic = [\"dependencies\"]\n",
        );
        write(root, "svc/app.py", "");
        write(root, "legacy/setup.py", "");
        write(root, "legacy/checks.py", "");
        write(
            root,
            "loose/pyproject.toml",
            "[tool.ruff]\nline-length = 100\n",
        );
        write(root, "loose/x.py", "");
        let dirs: Vec<PathBuf> = ["ops/aws", "tools/inv", "svc", "legacy", "loose"]
            .iter()
            .map(|dir| root.join(dir))
            .collect();
        let index = ManifestIndex::new(
            dirs.iter().map(PathBuf::as_path),
            &|_| true,
            &|_| false,
            None,
        );
        assert_eq!(
            declared(&index, &root.join("ops/aws")).expect("root manifests"),
            ["boto3", "opskit", "pytest", "pyyaml"],
            "constraints declare nothing"
        );
        let scope = index
            .file_scope(&root.join("ops/aws"))
            .and_then(|file| file.scope)
            .expect("scope");
        assert_eq!(scope.manifest, root.join("requirements.txt"));
        assert_eq!(
            declared(&index, &root.join("tools/inv")).expect("poetry"),
            ["pytest", "pyvmomi"]
        );
        for unknown in ["svc", "legacy", "loose"] {
            assert_eq!(declared(&index, &root.join(unknown)), None, "{unknown}");
        }
    }

    #[test]
    fn first_party_modules_and_the_environment_map() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        write(
            root,
            "pyproject.toml",
            "[project]\nname = \"ops-svc\"\ndependencies = [\"weirdname-dist\"]\n",
        );
        write(root, "src/ops_core/__init__.py", "");
        write(root, "scripts/helpers.py", "");
        write(root, "scripts/run.py", "");
        write(root, "deploy/k8s/render.py", "");
        write(root, "kubernetes/deployment.yaml", "kind: Deployment\n");
        write(root, ".venv/pyvenv.cfg", "version = 3.12.3\n");
        write(
            root,
            ".venv/lib/python3.12/site-packages/weirdname_dist-2.0.dist-info/RECORD",
            "wn/__init__.py,,\nwn/registry.py,,\nweirdname_dist-2.0.dist-info/RECORD,,\n",
        );
        write(
            root,
            ".venv/lib/python3.12/site-packages/acme_sdk-1.0.dist-info/top_level.txt",
            "acmesdk\n",
        );
        let dir = root.join("scripts");
        let index = ManifestIndex::new([dir.as_path()], &|_| true, &|_| false, None);
        let file = index.file_scope(&dir).expect("indexed");
        let first_party = file.first_party();
        for name in ["helpers", "run", "scripts", "ops_core", "deploy", "ops_svc"] {
            assert!(first_party.contains(name), "{name}: {first_party:?}");
        }
        assert!(!first_party.contains("kubernetes"), "no Python files in it");
        let environment = file
            .scope
            .and_then(Scope::environment)
            .expect("the .venv is read");
        let names = |import: &str| {
            environment
                .distributions(import)
                .map(|dists| dists.iter().map(ToString::to_string).collect::<Vec<_>>())
        };
        assert_eq!(
            names("wn.registry"),
            Some(vec!["weirdname-dist".to_string()])
        );
        assert_eq!(names("acmesdk"), Some(vec!["acme-sdk".to_string()]));
        assert_eq!(names("yaml"), None);
    }

    #[test]
    fn include_cycles_and_self_includes_end() {
        let tmp = tempfile::tempdir().expect("tmp");
        let root = tmp.path();
        write(root, ".git/HEAD", "");
        write(
            root,
            "requirements.txt",
            "-r requirements/a.txt\nboto3==1.0\n",
        );
        write(
            root,
            "requirements/a.txt",
            "-r b.txt\n-r ../requirements/a.txt\nhvac==2.1.0\n",
        );
        write(root, "requirements/b.txt", "-r a.txt\nredis==5.0.0\n");
        write(root, "job.py", "");
        let index = ManifestIndex::new([root], &|_| true, &|_| false, None);
        assert_eq!(
            declared(&index, root).expect("scope"),
            ["boto3", "hvac", "redis"]
        );
    }
}
