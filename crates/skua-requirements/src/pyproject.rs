//! `pyproject.toml` dependency tables.

use toml_edit::{Document, Formatted, Item, Key, TableLike, Value};

use crate::Span;
use crate::offsets::OffsetMap;
use crate::requirement::{Requirement, parse_pep508};

/// A TOML syntax error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PyprojectError {
    pub message: String,
    /// Where the parser gave up, when it could tell.
    pub span: Option<Span>,
}

/// A well-formed TOML value with the wrong shape (e.g. `dependencies = "requests"`).
/// Reported instead of failing so the rest of the file is still usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub message: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pyproject {
    pub has_project_table: bool,
    pub project_name: Option<String>,
    /// `[project].version`, when not dynamic.
    pub project_version: Option<String>,
    /// `[project].requires-python`; the span is the TOML string token including quotes.
    pub requires_python: Option<(String, Span)>,
    /// `[project].dependencies`
    pub dependencies: Vec<ListedRequirement>,
    /// `[project.optional-dependencies]`, in file order.
    pub optional_dependencies: Vec<(String, Vec<ListedRequirement>)>,
    /// PEP 735 `[dependency-groups]`, in file order; `{include-group = ...}` entries are in
    /// [`Pyproject::group_includes`].
    pub dependency_groups: Vec<(String, Vec<ListedRequirement>)>,
    /// PEP 735 `{include-group = "name"}` entries: (the group holding it, the included
    /// group as written, the entry's span).
    pub group_includes: Vec<(String, String, Span)>,
    /// Present when there is a `[tool.poetry]` table.
    pub poetry: Option<Poetry>,
    /// `[project].dynamic`
    pub dynamic: Vec<String>,
    /// Values of the wrong type in the tables above.
    pub issues: Vec<Issue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Poetry {
    /// `[tool.poetry.dependencies].python`; the span is the value's.
    pub python: Option<(String, Span)>,
    /// `[tool.poetry.dependencies]` without `python`.
    pub dependencies: Vec<PoetryDependency>,
    /// Legacy `[tool.poetry.dev-dependencies]`.
    pub dev_dependencies: Vec<PoetryDependency>,
    /// `[tool.poetry.group.<name>.dependencies]`, in file order.
    pub groups: Vec<(String, Vec<PoetryDependency>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoetryDependency {
    pub name: String,
    /// The version constraint as written (`"^1.2"`, `"==1.2.3"`, `"1.2.3"`, which poetry
    /// treats as exact), or a table's `version`. `None` for git/path/url tables and for
    /// multiple-constraint arrays.
    pub constraint: Option<String>,
    /// The dependency (or any alternative of an array) is a `git`, `path` or `url` source.
    pub is_vcs_or_path: bool,
    /// The value: a string token including quotes, an inline table or array, or for a
    /// `[tool.poetry.dependencies.<name>]` section its header.
    pub span: Span,
    /// The key.
    pub name_span: Span,
}

/// A PEP 508 string in a TOML array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRequirement {
    /// The decoded string value.
    pub raw: String,
    /// The TOML string token, including its quotes.
    pub span: Span,
    /// The string's content without quotes, when it maps byte-for-byte onto the source
    /// (no escape sequences). Only then are the spans inside `parsed` exact; otherwise
    /// they all equal `span`.
    pub content_span: Option<Span>,
    pub parsed: Result<Requirement, crate::ParseError>,
}

/// Parses the dependency-related tables of a `pyproject.toml`. Fails only on TOML syntax
/// errors; values of the wrong type become [`Pyproject::issues`].
pub fn parse_pyproject(text: &str) -> Result<Pyproject, PyprojectError> {
    let map = OffsetMap::identity();
    let doc = Document::parse(text).map_err(|err| {
        let (message, span) = toml_error(&err, &map);
        PyprojectError { message, span }
    })?;
    let mut ctx = TomlCtx::new(text, &map);
    let root = doc.as_table();
    let mut pyproject = Pyproject::default();

    if let Some(item) = root.get("project") {
        match item.as_table_like() {
            Some(project) => {
                pyproject.has_project_table = true;
                pyproject.project_name = ctx
                    .string(project.get("name"), "[project].name")
                    .map(|(name, _)| name);
                pyproject.project_version = ctx
                    .string(project.get("version"), "[project].version")
                    .map(|(version, _)| version);
                pyproject.requires_python =
                    ctx.string(project.get("requires-python"), "[project].requires-python");
                if let Some(deps) = project.get("dependencies") {
                    pyproject.dependencies =
                        ctx.requirement_list(deps, "[project].dependencies", false);
                }
                if let Some(optional) = project.get("optional-dependencies") {
                    pyproject.optional_dependencies =
                        ctx.requirement_table(optional, "[project.optional-dependencies]", false);
                }
                if let Some(dynamic) = project.get("dynamic") {
                    pyproject.dynamic = ctx.string_list(dynamic, "[project].dynamic");
                }
            }
            None => ctx.issue("[project] must be a table", item.span()),
        }
    }

    if let Some(groups) = root.get("dependency-groups") {
        pyproject.dependency_groups = ctx.requirement_table(groups, "[dependency-groups]", true);
        pyproject.group_includes = ctx.group_includes(groups);
    }

    let poetry = root
        .get("tool")
        .and_then(Item::as_table_like)
        .and_then(|tool| tool.get("poetry"));
    if let Some(item) = poetry {
        match item.as_table_like() {
            Some(table) => pyproject.poetry = Some(ctx.poetry(table)),
            None => ctx.issue("[tool.poetry] must be a table", item.span()),
        }
    }

    pyproject.issues = ctx.issues;
    Ok(pyproject)
}

pub(crate) fn toml_error(err: &toml_edit::TomlError, map: &OffsetMap) -> (String, Option<Span>) {
    (
        err.message().trim_end().to_string(),
        err.span().map(|span| map.span(&span)),
    )
}

/// Walks a parsed TOML document whose text may itself be derived from another file; `map`
/// translates the document's spans into that file.
pub(crate) struct TomlCtx<'a> {
    src: &'a str,
    map: &'a OffsetMap,
    pub(crate) issues: Vec<Issue>,
}

impl<'a> TomlCtx<'a> {
    pub(crate) fn new(src: &'a str, map: &'a OffsetMap) -> Self {
        Self {
            src,
            map,
            issues: Vec::new(),
        }
    }

    fn span(&self, local: Option<Span>) -> Span {
        self.map.span(&local.unwrap_or(0..0))
    }

    fn issue(&mut self, message: impl Into<String>, local: Option<Span>) {
        let span = self.span(local);
        self.issues.push(Issue {
            message: message.into(),
            span,
        });
    }

    pub(crate) fn string(&mut self, item: Option<&Item>, what: &str) -> Option<(String, Span)> {
        let item = item?;
        match item.as_str() {
            Some(value) => Some((value.to_string(), self.span(item.span()))),
            None => {
                self.issue(format!("{what} must be a string"), item.span());
                None
            }
        }
    }

    fn string_list(&mut self, item: &Item, what: &str) -> Vec<String> {
        let Some(array) = item.as_array() else {
            self.issue(format!("{what} must be an array of strings"), item.span());
            return Vec::new();
        };
        let mut strings = Vec::new();
        for value in array.iter() {
            match value.as_str() {
                Some(s) => strings.push(s.to_string()),
                None => self.issue(format!("{what} entries must be strings"), value.span()),
            }
        }
        strings
    }

    /// `allow_tables` skips inline tables, which PEP 735 uses for `{include-group = ...}`.
    pub(crate) fn requirement_list(
        &mut self,
        item: &Item,
        what: &str,
        allow_tables: bool,
    ) -> Vec<ListedRequirement> {
        let Some(array) = item.as_array() else {
            self.issue(format!("{what} must be an array of strings"), item.span());
            return Vec::new();
        };
        let mut listed = Vec::new();
        for value in array.iter() {
            match value {
                Value::String(string) => listed.push(self.listed(string)),
                Value::InlineTable(_) if allow_tables => {}
                other => self.issue(format!("{what} entries must be strings"), other.span()),
            }
        }
        listed
    }

    /// The `{include-group = "name"}` entries of `[dependency-groups]`; any other table
    /// entry is an issue (PEP 735 defines no other).
    fn group_includes(&mut self, item: &Item) -> Vec<(String, String, Span)> {
        let mut found = Vec::new();
        let Some(table) = item.as_table_like() else {
            return found;
        };
        for (group, list) in table.iter() {
            let Some(array) = list.as_array() else {
                continue;
            };
            for value in array.iter() {
                let Value::InlineTable(entry) = value else {
                    continue;
                };
                let span = self.span(value.span());
                match (entry.len(), entry.get("include-group").and_then(Value::as_str)) {
                    (1, Some(included)) => {
                        found.push((group.to_string(), included.to_string(), span));
                    }
                    _ => self.issue(
                        format!(
                            "[dependency-groups].{group}: a table entry must be {{include-group = \"name\"}}"
                        ),
                        value.span(),
                    ),
                }
            }
        }
        found
    }

    fn requirement_table(
        &mut self,
        item: &Item,
        what: &str,
        allow_tables: bool,
    ) -> Vec<(String, Vec<ListedRequirement>)> {
        let Some(table) = item.as_table_like() else {
            self.issue(format!("{what} must be a table"), item.span());
            return Vec::new();
        };
        table
            .iter()
            .map(|(name, list)| {
                let what = format!("{what}.{name}");
                (
                    name.to_string(),
                    self.requirement_list(list, &what, allow_tables),
                )
            })
            .collect()
    }

    fn listed(&self, string: &Formatted<String>) -> ListedRequirement {
        let raw = string.value().clone();
        let local = string.span().unwrap_or(0..0);
        let token = self.src.get(local.clone()).unwrap_or("");
        let content = content_offsets(token, &raw)
            .map(|inner| local.start + inner.start..local.start + inner.end);
        let span = self.map.span(&local);
        let parsed = match parse_pep508(&raw) {
            Ok(mut requirement) => {
                match &content {
                    Some(content) => requirement.map_spans(|s| {
                        self.map
                            .span(&(content.start + s.start..content.start + s.end))
                    }),
                    None => requirement.map_spans(|_| span.clone()),
                }
                Ok(requirement)
            }
            Err(failure) => Err(failure),
        };
        ListedRequirement {
            raw,
            span,
            content_span: content.map(|content| self.map.span(&content)),
            parsed,
        }
    }

    fn poetry(&mut self, poetry: &dyn TableLike) -> Poetry {
        let mut result = Poetry::default();
        if let Some(item) = poetry.get("dependencies") {
            result.dependencies = self.poetry_dependencies(
                item,
                "[tool.poetry.dependencies]",
                Some(&mut result.python),
            );
        }
        if let Some(item) = poetry.get("dev-dependencies") {
            result.dev_dependencies =
                self.poetry_dependencies(item, "[tool.poetry.dev-dependencies]", None);
        }
        if let Some(groups) = poetry.get("group").and_then(Item::as_table_like) {
            for (name, group) in groups.iter() {
                let Some(deps) = group.as_table_like().and_then(|g| g.get("dependencies")) else {
                    continue;
                };
                let what = format!("[tool.poetry.group.{name}.dependencies]");
                let deps = self.poetry_dependencies(deps, &what, None);
                result.groups.push((name.to_string(), deps));
            }
        }
        result
    }

    /// `python`, when wanted, is taken out of the list into `python`.
    fn poetry_dependencies(
        &mut self,
        item: &Item,
        what: &str,
        mut python: Option<&mut Option<(String, Span)>>,
    ) -> Vec<PoetryDependency> {
        let Some(table) = item.as_table_like() else {
            self.issue(format!("{what} must be a table"), item.span());
            return Vec::new();
        };
        let mut deps = Vec::new();
        for (name, _) in table.iter() {
            let Some((key, value)) = table.get_key_value(name) else {
                continue;
            };
            if name == "python"
                && let Some(python) = python.as_deref_mut()
            {
                *python = self.string(Some(value), &format!("{what}.python"));
                continue;
            }
            if let Some(dep) = self.poetry_dependency(key, value, what) {
                deps.push(dep);
            }
        }
        deps
    }

    fn poetry_dependency(
        &mut self,
        key: &Key,
        item: &Item,
        what: &str,
    ) -> Option<PoetryDependency> {
        let name_span = self.span(key.span());
        // A `[tool.poetry.dependencies.foo]` section has no value span of its own.
        let span = item
            .span()
            .map_or_else(|| name_span.clone(), |local| self.map.span(&local));
        let is_source = |table: &dyn TableLike| {
            ["git", "path", "url"]
                .iter()
                .any(|source| table.contains_key(source))
        };
        let (constraint, is_vcs_or_path) = if let Some(constraint) = item.as_str() {
            (Some(constraint.to_string()), false)
        } else if let Some(table) = item.as_table_like() {
            let version = table
                .get("version")
                .and_then(Item::as_str)
                .map(str::to_string);
            let source = is_source(table);
            (if source { None } else { version }, source)
        } else if let Some(array) = item.as_array() {
            let source = array
                .iter()
                .filter_map(Value::as_inline_table)
                .any(|table| is_source(table));
            (None, source)
        } else if let Some(array) = item.as_array_of_tables() {
            (None, array.iter().any(|table| is_source(table)))
        } else {
            self.issue(
                format!(
                    "{what}.{} must be a version string, a table or an array of tables",
                    key.get()
                ),
                item.span(),
            );
            return None;
        };
        Some(PoetryDependency {
            name: key.get().to_string(),
            constraint,
            is_vcs_or_path,
            span,
            name_span,
        })
    }
}

/// Offsets of a string's decoded content inside its token, when the two are identical.
fn content_offsets(token: &str, decoded: &str) -> Option<Span> {
    let quotes = if token.starts_with("\"\"\"") || token.starts_with("'''") {
        3
    } else if token.starts_with('"') || token.starts_with('\'') {
        1
    } else {
        return None;
    };
    let inner = token.get(quotes..token.len().checked_sub(quotes)?)?;
    // TOML drops a newline that immediately follows the opening `"""`.
    let skip = if quotes == 3 && inner.starts_with("\r\n") {
        2
    } else if quotes == 3 && inner.starts_with('\n') {
        1
    } else {
        0
    };
    let start = quotes + skip;
    (inner.get(skip..)? == decoded).then_some(start..start + decoded.len())
}
