use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;
use skua_types::PackageName;

use crate::diagnostic::Diagnostic;
use crate::manifests::FileScope;
use crate::registry::{Rule, declare_rule};
use crate::rules::dep::{import_names, stdlib};

declare_rule! {
    /// ## What it does
    /// Checks for imports of third-party packages that no manifest declares: a PEP 723
    /// script importing a package its `# /// script` block does not list, or a module of an
    /// application importing a package missing from the requirements files or
    /// `pyproject.toml` nearest above it.
    ///
    /// Which manifests count: a PEP 723 script is judged by its own block only. Any other
    /// Python file by the nearest directory at or above it (up to the project root: a
    /// directory with `.git` or `pyproject.toml`, or else the directory being linted) that
    /// holds a `pyproject.toml` with a `[project]` table (`dependencies`,
    /// `optional-dependencies`, `[dependency-groups]`) or `[tool.poetry]` dependencies
    /// (every group), or requirements files (`*requirements*.txt`, `*requirements*.in`,
    /// everything in `requirements/`, with their `-r` includes and `-e` projects).
    /// Everything declared there counts, dev and test groups included. A file with no such
    /// manifest above it is not checked, nor one whose nearest manifest cannot be read
    /// (`setup.py`, `setup.cfg`, `Pipfile`, `dynamic = ["dependencies"]`; a `setup.py`
    /// beside requirements files of development tools only, `dev-requirements.txt`, is
    /// such a manifest too). A
    /// `pyproject.toml` that lists no dependency at all is not a manifest (it packages
    /// something else, a binary built with maturin say), but it is a project root: the walk
    /// stops there.
    ///
    /// Not reported: the standard library (every module of Python 3.8 to 3.14, private ones
    /// included), `__future__`, relative imports, first-party modules (modules and packages
    /// in the file's directory and each one up to the manifest's, their `src/` directories,
    /// the project's own name), imports inside `try:` blocks that catch `ImportError` or
    /// under `with contextlib.suppress(ImportError):` (optional dependencies, and the
    /// fallbacks in their `except ImportError:` handlers) and under
    /// `if TYPE_CHECKING:`, stub files (`.pyi`), `setup.py` (it imports build requirements),
    /// and the tool's own modules in files a tool loads and runs from its own environment
    /// (`fabric`, `invoke` and `paramiko` in `fabfile.py`, `invoke` in `tasks.py`, `nox` in
    /// `noxfile.py`, `doit` in `dodo.py`). In an Ansible collection (a directory with
    /// `meta/runtime.yml` and `galaxy.yml` or `MANIFEST.json`), `ansible` and
    /// `ansible_collections` are not reported (ansible-core runs the code, ansible-galaxy
    /// installs the collections `galaxy.yml` lists), nor `pytest` and `mock` (ansible-test
    /// brings them to unit tests).
    ///
    /// An import name maps to its distribution through a table of the packages whose names
    /// differ (`yaml` is `pyyaml`, `jwt` is `pyjwt`, `google.cloud.storage` is
    /// `google-cloud-storage`, `azure.mgmt.compute` is `azure-mgmt-compute`, `psycopg2` is
    /// `psycopg2` or `psycopg2-binary`); otherwise the import name is the distribution
    /// name, in its usual spellings (`python-X`, `pyX`, `X-python`). When the project has a
    /// virtual environment (`.venv/` or `venv/` beside the manifest or up to three
    /// directories above it, else the active `VIRTUAL_ENV`), the modules each installed
    /// distribution's `RECORD` (or `top_level.txt`) lists map import names too, so a
    /// declared distribution with an unusual import name is recognised, and a finding names
    /// the distribution that provides the import there.
    ///
    /// A package installed only as a dependency of another is not declared: importing
    /// `botocore` while declaring only `boto3`, or `urllib3` with only `requests`, is
    /// reported, since the package may stop requiring it or change the versions it accepts;
    /// the message names the declared package that usually brings it in. One exception: a
    /// declared Airflow provider (`apache-airflow-providers-*`) counts for `airflow`, since
    /// DAG folders run inside an Airflow image and list only the providers it lacks.
    ///
    /// ## Why is this bad?
    /// The code runs on the laptop it was written on, where the package happens to be
    /// installed, and fails with `ModuleNotFoundError` in the fresh CI image, the
    /// container or the `uv run` environment that installs only what is declared.
    ///
    /// ## Example
    /// ```python
    /// # requirements.txt: boto3==1.34.69
    /// import boto3
    /// import yaml
    /// ```
    ///
    /// ## Use instead
    /// Declare what the code imports:
    /// ```text
    /// boto3==1.34.69
    /// pyyaml==6.0.1
    /// ```
    pub struct UndeclaredImport => ("DEP004", "undeclared-import");
}

/// One imported module, with where to report it.
struct Import {
    module: String,
    range: std::ops::Range<usize>,
}

/// What the declarations of a file are.
enum Declared<'a> {
    Script(HashSet<PackageName>),
    Manifest(&'a crate::manifests::Scope),
}

/// Files a tool loads and runs in its own environment, and the modules that tool brings.
const TOOL_FILES: &[(&str, &[&str])] = &[
    ("conanfile.py", &["conan", "conans"]),
    ("dodo.py", &["doit"]),
    ("fabfile.py", &["fabric", "invoke", "paramiko"]),
    ("noxfile.py", &["nox"]),
    ("pavement.py", &["paver"]),
    ("tasks.py", &["invoke"]),
];

/// What an Ansible collection's code gets from its host: ansible-core runs it
/// (`ansible.module_utils`, `ansible.plugins`), ansible-galaxy installs the collections
/// it depends on (`ansible_collections.*`, listed in `galaxy.yml`, never in a Python
/// manifest), and ansible-test brings pytest and mock to its unit tests.
const ANSIBLE_HOST_MODULES: &[&str] = &[
    "ansible",
    "ansible_collections",
    "pytest",
    "_pytest",
    "mock",
];

/// The DEP004 findings of one module. `file_dir` is the file's absolute directory.
pub(crate) fn check(
    body: &[Stmt],
    source: &str,
    scope: Option<&FileScope<'_>>,
    file_dir: &Path,
    file_name: &str,
) -> Vec<Diagnostic> {
    // `setup.py` imports build requirements (`[build-system]`), not runtime ones; a stub
    // file's imports only ever reach a type checker.
    if file_name == "setup.py" || file_name.ends_with(".pyi") {
        return Vec::new();
    }
    let tool_modules = TOOL_FILES
        .iter()
        .find(|(name, _)| *name == file_name)
        .map_or(&[][..], |(_, modules)| *modules);
    let script = if source.contains("# /// script") {
        match skua_requirements::parse_script_metadata(source) {
            Ok(Some(metadata)) => Some(
                metadata
                    .dependencies
                    .iter()
                    .filter_map(|item| item.parsed.as_ref().ok()?.package_name.clone())
                    .collect(),
            ),
            // A broken block is reported by the DEP rules that read it; guessing here
            // would report every import.
            Err(_) => return Vec::new(),
            Ok(None) => None,
        }
    } else {
        None
    };
    let declared = match (script, scope.and_then(|scope| scope.scope)) {
        (Some(script), _) => Declared::Script(script),
        (None, Some(manifest)) => Declared::Manifest(manifest),
        (None, None) => return Vec::new(),
    };
    let host_modules = if scope.is_some_and(FileScope::in_ansible_collection) {
        ANSIBLE_HOST_MODULES
    } else {
        &[]
    };
    let empty = HashSet::new();
    // Read only for a file importing something outside the standard library.
    let mut first_party: Option<&HashSet<String>> = None;
    let mut diagnostics = Vec::new();
    for import in collect_imports(body) {
        let top = import.module.split('.').next().unwrap_or(&import.module);
        if stdlib::is_stdlib(top) || tool_modules.contains(&top) || host_modules.contains(&top) {
            continue;
        }
        let first_party =
            *first_party.get_or_insert_with(|| scope.map_or(&empty, FileScope::first_party));
        if first_party.contains(top) {
            continue;
        }
        let Some(missing) = undeclared(&import.module, &declared) else {
            continue;
        };
        let message = match &declared {
            Declared::Script(_) => format!(
                "`{}` is imported but the script's `# /// script` block does not declare its distribution `{missing}`",
                import.module
            ),
            Declared::Manifest(scope) => {
                let via = import_names::declared_dependent(&missing, &scope.declared)
                    .map(|parent| format!(", only installed as a dependency of `{parent}`"))
                    .unwrap_or_default();
                format!(
                    "`{}` is imported but no manifest declares its distribution `{missing}`{via} (nearest manifest: {})",
                    import.module,
                    relative(&scope.manifest, file_dir).display()
                )
            }
        };
        diagnostics.push(Diagnostic::new(
            Rule::UndeclaredImport,
            message,
            import.range,
        ));
    }
    diagnostics
}

/// The distribution to name when `module` is declared by nothing in `declared`.
fn undeclared(module: &str, declared: &Declared<'_>) -> Option<PackageName> {
    let guesses = import_names::distributions(module);
    let (names, environment) = match declared {
        Declared::Script(names) => (names, None),
        Declared::Manifest(scope) => (&scope.declared, Some(*scope)),
    };
    let declares = |dist: &PackageName| {
        names.contains(dist)
            || names
                .iter()
                .any(|name| import_names::implies_host(name.as_str(), dist.as_str()))
    };
    if guesses.iter().any(declares) {
        return None;
    }
    // Read only now: most imports are settled by the guesses.
    let installed = environment
        .and_then(|scope| scope.environment())
        .and_then(|environment| environment.distributions(module));
    if let Some(installed) = installed {
        if installed.iter().any(declares) {
            return None;
        }
        return installed.first().cloned();
    }
    guesses.into_iter().next()
}

/// `target` as seen from `dir` (`../requirements.txt`); both absolute and normalized.
fn relative(target: &Path, dir: &Path) -> PathBuf {
    let common = target
        .components()
        .zip(dir.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut path = PathBuf::new();
    for component in dir.components().skip(common) {
        if matches!(component, Component::Normal(_)) {
            path.push("..");
        }
    }
    path.extend(target.components().skip(common));
    path
}

/// Every absolute import of the module, at any depth, except those in `try:` blocks that
/// catch `ImportError` and under `if TYPE_CHECKING:`.
fn collect_imports(body: &[Stmt]) -> Vec<Import> {
    let mut imports = Vec::new();
    // An explicit stack: nesting depth is the input's.
    let mut stack: Vec<&[Stmt]> = vec![body];
    while let Some(body) = stack.pop() {
        for stmt in body {
            match stmt {
                Stmt::Import(import) => {
                    for alias in &import.names {
                        imports.push(Import {
                            module: alias.name.id.to_string(),
                            range: range_of(&alias.name),
                        });
                    }
                }
                Stmt::ImportFrom(import) if import.level == 0 => {
                    let Some(module) = &import.module else {
                        continue;
                    };
                    let module = module.id.as_str();
                    if module == "__future__" {
                        continue;
                    }
                    // `from google.cloud import storage`: in a bare namespace the names
                    // are the modules.
                    if import_names::distributions(module).is_empty() {
                        for alias in &import.names {
                            if alias.name.id.as_str() != "*" {
                                imports.push(Import {
                                    module: format!("{module}.{}", alias.name.id),
                                    range: range_of(&alias.name),
                                });
                            }
                        }
                    } else if let Some(name) = &import.module {
                        imports.push(Import {
                            module: module.to_string(),
                            range: range_of(name),
                        });
                    }
                }
                Stmt::FunctionDef(function) => stack.push(&function.body),
                Stmt::ClassDef(class) => stack.push(&class.body),
                Stmt::If(branch) => {
                    if !is_type_checking(&branch.test) {
                        stack.push(&branch.body);
                    }
                    for clause in &branch.elif_else_clauses {
                        if !clause.test.as_ref().is_some_and(is_type_checking) {
                            stack.push(&clause.body);
                        }
                    }
                }
                Stmt::For(each) => {
                    stack.push(&each.body);
                    stack.push(&each.orelse);
                }
                Stmt::While(each) => {
                    stack.push(&each.body);
                    stack.push(&each.orelse);
                }
                // `with contextlib.suppress(ImportError):` is `try`/`except ImportError`.
                Stmt::With(with) => {
                    let optional = with.items.iter().any(|item| {
                        matches!(&item.context_expr, Expr::Call(call)
                            if is_named(&call.func, "suppress")
                                && call.arguments.args.iter().any(catches_import_error))
                    });
                    if !optional {
                        stack.push(&with.body);
                    }
                }
                Stmt::Try(attempt) => {
                    let optional = attempt.handlers.iter().any(|handler| {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        handler.type_.as_deref().is_none_or(catches_import_error)
                    });
                    if !optional {
                        stack.push(&attempt.body);
                        stack.push(&attempt.orelse);
                    }
                    // The fallback of an optional import is an alternative to it
                    // (`try: from .vendor import lexicon` / `except ImportError: import
                    // lexicon`): either one is enough, so neither is required.
                    let imports_something = attempt
                        .body
                        .iter()
                        .any(|stmt| matches!(stmt, Stmt::Import(_) | Stmt::ImportFrom(_)));
                    for handler in &attempt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        let fallback = imports_something
                            && handler.type_.as_deref().is_none_or(catches_import_error);
                        if !fallback {
                            stack.push(&handler.body);
                        }
                    }
                    stack.push(&attempt.finalbody);
                }
                Stmt::Match(matched) => {
                    for case in &matched.cases {
                        stack.push(&case.body);
                    }
                }
                _ => {}
            }
        }
    }
    imports.sort_by_key(|import| import.range.start);
    imports
}

fn range_of(node: &impl Ranged) -> std::ops::Range<usize> {
    node.range().start().to_usize()..node.range().end().to_usize()
}

/// `name` or `anything.name`.
fn is_named(expr: &Expr, name: &str) -> bool {
    match expr {
        Expr::Name(named) => named.id.as_str() == name,
        Expr::Attribute(attribute) => attribute.attr.id.as_str() == name,
        _ => false,
    }
}

/// `TYPE_CHECKING`, `typing.TYPE_CHECKING`, `t.TYPE_CHECKING`.
fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => attribute.attr.id.as_str() == "TYPE_CHECKING",
        _ => false,
    }
}

/// An `except` clause type that catches a failed import.
fn catches_import_error(kind: &Expr) -> bool {
    match kind {
        Expr::Name(name) => matches!(
            name.id.as_str(),
            "ImportError" | "ModuleNotFoundError" | "Exception" | "BaseException"
        ),
        Expr::Attribute(attribute) => matches!(
            attribute.attr.id.as_str(),
            "ImportError" | "ModuleNotFoundError" | "Exception" | "BaseException"
        ),
        Expr::Tuple(tuple) => tuple.elts.iter().any(catches_import_error),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(source: &str) -> Vec<String> {
        let parsed = ruff_python_parser::parse_module(source).expect("parses");
        collect_imports(&parsed.syntax().body)
            .into_iter()
            .map(|import| import.module)
            .collect()
    }

    #[test]
    fn optional_and_type_checking_imports_are_left_out() {
        let source = "\
import yaml, boto3.session
from google.cloud import storage, bigquery
from requests.adapters import HTTPAdapter
from . import sibling
from __future__ import annotations
try:
    import ujson as json
except ImportError:
    import simplejson as json
try:
    import orjson
except (ValueError, ModuleNotFoundError):
    orjson = None
with contextlib.suppress(ImportError):
    import uvloop
with open(path) as handle:
    import toml
if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
else:
    import attr
class Client:
    def connect(self):
        import paramiko
";
        assert_eq!(
            imports(source),
            [
                "yaml",
                "boto3.session",
                "google.cloud.storage",
                "google.cloud.bigquery",
                "requests.adapters",
                "toml",
                "attr",
                "paramiko"
            ]
        );
    }

    #[test]
    fn manifests_are_shown_relative_to_the_file() {
        assert_eq!(
            relative(Path::new("/r/requirements.txt"), Path::new("/r/ops/aws")),
            PathBuf::from("../../requirements.txt")
        );
        assert_eq!(
            relative(Path::new("/r/app/pyproject.toml"), Path::new("/r/app")),
            PathBuf::from("pyproject.toml")
        );
    }
}
