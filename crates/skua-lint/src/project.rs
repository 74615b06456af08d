//! The project-level step of a lint run: runners defined in one module and called from
//! another. Each file's check records its exported runners and its calls of project
//! imports (no file is parsed twice); this module resolves the calls once every file is done.

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use crate::rules::cli::runner::{CallArgs, Helper, PendingCall, Runners};

/// The dotted module names the linted Python files can be imported as (every suffix of
/// their path: `src/ops/util.py` is `util`, `ops.util` and `src.ops.util`).
#[derive(Debug, Default)]
pub struct ProjectModules {
    names: HashSet<String>,
}

impl ProjectModules {
    pub fn new<'p>(paths: impl IntoIterator<Item = &'p Path>) -> Self {
        let mut names = HashSet::new();
        for path in paths {
            let parts = module_parts(path);
            for start in 0..parts.len() {
                names.insert(parts[start..].join("."));
            }
        }
        ProjectModules { names }
    }

    pub fn contains(&self, module: &str) -> bool {
        self.names.contains(module)
    }
}

/// `a/b/c.py` → `[a, b, c]`; `a/b/__init__.py` → `[a, b]`.
fn module_parts(path: &Path) -> Vec<String> {
    let mut parts: Vec<String> = path
        .components()
        .filter_map(|component| match component {
            Component::Normal(part) => part.to_str().map(str::to_string),
            _ => None,
        })
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last
            .strip_suffix(".py")
            .or_else(|| last.strip_suffix(".pyi"))
            .unwrap_or(&last);
        if stem != "__init__" {
            parts.push(stem.to_string());
        }
    }
    parts
}

/// Every file's exported runners, and where each module lives.
pub struct RunnerTable {
    by_path: HashMap<PathBuf, Runners>,
    /// Module path parts of each file with runners.
    parts: Vec<(PathBuf, Vec<String>)>,
}

impl RunnerTable {
    pub fn new(files: impl IntoIterator<Item = (PathBuf, Runners)>) -> Self {
        let by_path: HashMap<PathBuf, Runners> = files
            .into_iter()
            .filter(|(_, runners)| !runners.is_empty())
            .map(|(path, runners)| (normalize(&path), runners))
            .collect();
        let parts = by_path
            .keys()
            .map(|path| (path.clone(), module_parts(path)))
            .collect();
        RunnerTable { by_path, parts }
    }

    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }

    /// The helper `callee` (as imported in the file at `importer`) names, and its module.
    fn resolve(&self, importer: &Path, callee: &str) -> Option<(&Path, &Helper)> {
        let level = callee.len() - callee.trim_start_matches('.').len();
        let dotted = &callee[level..];
        let (module, function) = match dotted.rsplit_once('.') {
            Some((module, function)) => (module, function),
            None => ("", dotted),
        };
        let module: Vec<&str> = module.split('.').filter(|part| !part.is_empty()).collect();
        if level > 0 {
            let mut base = normalize(importer);
            for _ in 0..level {
                base.pop();
            }
            let mut target = base;
            target.extend(&module);
            let file = target.with_extension("py");
            return [file, target.join("__init__.py")]
                .into_iter()
                .find_map(|path| self.by_path.get_key_value(&path))
                .and_then(|(path, helpers)| Some((path.as_path(), helpers.get(function)?)));
        }
        if module.is_empty() {
            return None;
        }
        // The module whose path ends with the imported name; of several, the one
        // nearest the importer.
        let importer = normalize(importer);
        let (path, _) = self
            .parts
            .iter()
            .filter(|(_, parts)| {
                parts.len() >= module.len()
                    && parts[parts.len() - module.len()..]
                        .iter()
                        .zip(&module)
                        .all(|(a, b)| a == b)
            })
            .max_by_key(|(path, _)| {
                path.components()
                    .zip(importer.components())
                    .take_while(|(a, b)| a == b)
                    .count()
            })?;
        Some((path.as_path(), self.by_path.get(path)?.get(function)?))
    }

    /// The CLI findings of one pending call.
    pub fn findings(
        &self,
        importer: &Path,
        call: &PendingCall,
        cloud_clis: &[String],
    ) -> Vec<(crate::registry::Rule, String)> {
        let mut module = importer.to_path_buf();
        let mut callee = call.callee.clone();
        let mut args: CallArgs = call.args.clone();
        // Forwards are followed a few modules deep (and never around a cycle forever).
        for _ in 0..4 {
            let Some((path, helper)) = self.resolve(&module, &callee) else {
                // Not a function the project defines (a class, a re-export, a module we
                // did not analyse): what its name suggests.
                return call.fallback.clone();
            };
            match helper {
                Helper::Runner(signature) => {
                    let commands = crate::rules::cli::command::runner_commands(signature, &args);
                    return crate::rules::cli::findings(cloud_clis, commands);
                }
                Helper::Forward(forward) => {
                    args = forward.map(&args);
                    callee = forward.callee.clone();
                    module = path.to_path_buf();
                }
                Helper::Plain => return Vec::new(),
            }
        }
        call.fallback.clone()
    }
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::cli::runner::{ArgValue, RunnerSignature};

    fn variadic() -> Helper {
        Helper::Runner(RunnerSignature {
            prefix: Vec::new(),
            index: 0,
            name: None,
            variadic: true,
        })
    }

    fn table() -> RunnerTable {
        let helpers = |name: &str, helper: Helper| Runners::from([(name.to_string(), helper)]);
        RunnerTable::new([
            (
                PathBuf::from("a/ops/util.py"),
                helpers("execute", variadic()),
            ),
            (
                PathBuf::from("b/ops/util.py"),
                helpers("execute", Helper::Plain),
            ),
            (
                PathBuf::from("a/ops/procs/__init__.py"),
                helpers("execute", variadic()),
            ),
        ])
    }

    fn call(callee: &str, words: &[&str]) -> PendingCall {
        PendingCall {
            callee: callee.to_string(),
            args: CallArgs {
                positional: words
                    .iter()
                    .map(|word| ArgValue::Text(word.to_string()))
                    .collect(),
                keywords: Vec::new(),
            },
            range: 0..0,
            fallback: Vec::new(),
        }
    }

    #[test]
    fn resolves_absolute_imports_to_the_nearest_module() {
        let clis = vec!["kubectl".to_string()];
        let pods = ["kubectl", "get", "pods"];
        let found = table().findings(
            Path::new("a/jobs/x.py"),
            &call("ops.util.execute", &pods),
            &clis,
        );
        assert_eq!(found.len(), 1);
        // In `b/` the module of that name runs nothing.
        let found = table().findings(
            Path::new("b/jobs/x.py"),
            &call("ops.util.execute", &pods),
            &clis,
        );
        assert!(found.is_empty());
    }

    #[test]
    fn resolves_relative_imports_and_packages() {
        let clis = vec!["kubectl".to_string()];
        let pods = ["kubectl", "get", "pods"];
        let table = table();
        assert_eq!(
            table
                .findings(
                    Path::new("a/ops/k8s.py"),
                    &call(".util.execute", &pods),
                    &clis
                )
                .len(),
            1
        );
        assert_eq!(
            table
                .findings(
                    Path::new("a/ops/sub/k8s.py"),
                    &call("..procs.execute", &pods),
                    &clis
                )
                .len(),
            1
        );
        assert!(
            table
                .findings(
                    Path::new("a/ops/k8s.py"),
                    &call(".missing.execute", &pods),
                    &clis
                )
                .is_empty()
        );
    }

    #[test]
    fn module_names_are_every_path_suffix() {
        let modules = ProjectModules::new([
            Path::new("src/ops/util.py"),
            Path::new("ops/k8s/__init__.py"),
        ]);
        for name in ["util", "ops.util", "src.ops.util", "k8s", "ops.k8s"] {
            assert!(modules.contains(name), "{name}");
        }
        assert!(!modules.contains("os"));
    }
}
