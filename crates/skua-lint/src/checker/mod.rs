//! The single AST pass: one visitor that keeps just enough context (imports, local
//! bindings) for the rules, and hands each node to the rules that care about it.

pub mod eval;

// Fx hashing: these maps are keyed by short identifiers and probed for every name and
// attribute of every file; SipHash showed up at 7% of lint time.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use crate::diagnostic::Diagnostic;
use crate::project::ProjectModules;
use crate::registry::Rule;
use crate::rules;
use crate::rules::cli::runner::{
    self, Forward, Helper, Params, PendingCall, RunnerSignature, Runners,
};
use crate::settings::{DEFAULT_CLOUD_CLIS, Settings};

/// Modules resolved by their plain name even when the import is not visible to us
/// (star imports, imports in another module, notebooks): a false "unknown" would hide findings.
const WELL_KNOWN_MODULES: &[&str] = &[
    "subprocess",
    "os",
    "asyncio",
    "requests",
    "httpx",
    "yaml",
    "ssl",
    "urllib3",
    "shlex",
    "shutil",
    "pexpect",
    "sh",
    "boto3",
    "warnings",
    "aiohttp",
];

/// How deep the visitor descends; deeper expressions (generated code) are left unvisited
/// rather than risking the stack.
const MAX_DEPTH: usize = 2_000;

pub struct Checker<'a> {
    pub source: &'a str,
    pub settings: &'a Settings,
    pub path: &'a Path,
    /// Local name → fully qualified name, from every import in the file.
    imports: HashMap<&'a str, String>,
    /// Innermost last: name → the expression last assigned to it in that scope.
    scopes: Vec<HashMap<&'a str, &'a Expr>>,
    diagnostics: Vec<Diagnostic>,
    depth: usize,
    /// The first expression left unvisited because of [`MAX_DEPTH`].
    truncated_at: Option<std::ops::Range<usize>>,
    /// Every expression left unvisited, in source order (disjoint: nothing under one is
    /// visited). Their string tokens still get the secret-token scan.
    truncated: Vec<std::ops::Range<usize>>,
    /// The file's tokens, for that scan.
    tokens: Option<&'a ruff_python_ast::token::Tokens>,
    /// Inside a bare string statement (a docstring): prose with examples, not configuration.
    pub in_docstring: bool,
    /// Inside an `assert` statement: its comparisons state what a test expects.
    pub in_assert: bool,
    /// `self.X = value`, `cls.X = value` and class-level `X = value` anywhere in the file,
    /// by attribute name (flow-insensitive: methods use attributes set in `__init__`).
    attributes: HashMap<&'a str, &'a Expr>,
    /// Functions, methods and properties whose return value is a `requests` session (made
    /// there, or a local name bound to one).
    session_factories: HashSet<&'a str>,
    /// Classes defined in the file, with their base class expressions.
    classes: HashMap<&'a str, &'a [Expr]>,
    /// Innermost last: the parameters of each enclosing function, which shadow modules
    /// resolved by their plain name (`def load(yaml): yaml.load(f)` is not PyYAML).
    parameters: Vec<HashSet<&'a str>>,
    /// Functions and methods of this file that run a parameter as a command, by name.
    runners: HashMap<&'a str, RunnerSignature>,
    /// Functions and methods that hand their parameters to a project import.
    forwards: HashMap<&'a str, Forward>,
    /// Functions and methods whose body runs nothing at all (no sink, no call named like one).
    plain: HashSet<&'a str>,
    /// The module-level ones among them: what other modules can import.
    exported_runners: Runners,
    /// The project's modules, to tell a call of a project helper from a library call.
    project: Option<&'a ProjectModules>,
    /// Calls of names imported from the project, resolved after every file is checked.
    pub(crate) pending: Vec<PendingCall>,
    /// Whether the file names a configured CLI somewhere (as a word): only then can one of
    /// its calls pass a CLI program to a helper of another module. Computed on first use.
    mentions_cli: std::cell::OnceCell<bool>,
}

/// What checking one module produced.
pub struct CheckedModule {
    pub diagnostics: Vec<Diagnostic>,
    pub pending: Vec<PendingCall>,
    pub runners: Runners,
}

impl<'a> Checker<'a> {
    pub fn new(source: &'a str, settings: &'a Settings, path: &'a Path) -> Self {
        Checker {
            source,
            settings,
            path,
            imports: HashMap::default(),
            scopes: vec![HashMap::default()],
            diagnostics: Vec::new(),
            depth: 0,
            truncated_at: None,
            truncated: Vec::new(),
            tokens: None,
            in_docstring: false,
            in_assert: false,
            attributes: HashMap::default(),
            session_factories: HashSet::default(),
            classes: HashMap::default(),
            parameters: Vec::new(),
            runners: HashMap::default(),
            forwards: HashMap::default(),
            plain: HashSet::default(),
            exported_runners: Runners::new(),
            project: None,
            pending: Vec::new(),
            mentions_cli: std::cell::OnceCell::new(),
        }
    }

    /// Gives the checker the file's tokens: string literals nested deeper than the visitor
    /// goes are then still scanned for known token formats.
    pub fn with_tokens(mut self, tokens: &'a ruff_python_ast::token::Tokens) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// Knows the project's modules, so calls of their runners can be resolved later.
    pub fn with_project(mut self, project: Option<&'a ProjectModules>) -> Self {
        self.project = project;
        self
    }

    /// Whether the file names one of the configured CLIs as a word.
    pub fn mentions_cli(&self) -> bool {
        *self
            .mentions_cli
            .get_or_init(|| mentions_word(self.source, &self.settings.cloud_clis))
    }

    pub fn check_module(self, module: &'a ast::ModModule) -> Vec<Diagnostic> {
        self.check_module_full(module).diagnostics
    }

    pub fn check_module_full(mut self, module: &'a ast::ModModule) -> CheckedModule {
        self.prescan(&module.body);
        self.collect_runners(&module.body);
        self.visit_body(&module.body);
        self.scan_truncated_strings();
        if let Some(range) = self.truncated_at.take() {
            // Never report a partly checked file as clean.
            self.diagnostics.push(Diagnostic::new(
                Rule::IncompleteCheck,
                format!(
                    "expressions nested deeper than {MAX_DEPTH} levels were not checked; findings inside them may be missing"
                ),
                range.start..range.start,
            ));
        }
        CheckedModule {
            diagnostics: self.diagnostics,
            pending: self.pending,
            runners: self.exported_runners,
        }
    }

    /// A runner of this file called as `name(...)` or `self.name(...)`.
    pub fn runner(&self, name: &str) -> Option<&RunnerSignature> {
        self.runners.get(name)
    }

    /// A function of this file known to run nothing.
    pub fn is_plain(&self, name: &str) -> bool {
        self.plain.contains(name)
    }

    /// A helper of this file that forwards its parameters to a project import.
    pub fn forward(&self, name: &str) -> Option<&Forward> {
        self.forwards.get(name)
    }

    /// Whether `name` is a parameter of an enclosing function (an injected callable).
    pub fn is_parameter(&self, name: &str) -> bool {
        self.parameters.iter().any(|names| names.contains(name))
    }

    /// Whether `name` is bound by an import.
    pub fn is_imported(&self, name: &str) -> bool {
        self.imports.contains_key(name)
    }

    /// Whether a dotted callee (`ops.util.run_cmd`, `.util.run_cmd`) names a function of
    /// a module of the project being linted.
    pub fn is_project_callee(&self, qualified: &str) -> bool {
        let Some(project) = self.project else {
            return false;
        };
        if qualified.starts_with('.') {
            return true;
        }
        qualified
            .rsplit_once('.')
            .is_some_and(|(module, _)| project.contains(module))
    }

    /// Finds the runners of the file: functions whose body hands the program of a command
    /// to a process sink (or to another runner) from one of its parameters. Iterated so a
    /// helper calling a helper defined below it is found too.
    fn collect_runners(&mut self, body: &'a [Stmt]) {
        // A runner needs a process sink in the file; most files have none.
        let source = self.source;
        let Mentions { sinks, clis } = scan_mentions(source);
        let extra_clis = self
            .settings
            .cloud_clis
            .iter()
            .any(|cli| !DEFAULT_CLOUD_CLIS.contains(&cli.as_str()));
        if !extra_clis {
            let found = self
                .settings
                .cloud_clis
                .iter()
                .any(|cli| clis.contains(&cli.as_str()));
            // Known now; `mentions_cli` scans again only for programs added by the settings.
            let _ = self.mentions_cli.set(found);
        }
        let has_sink = !sinks.is_empty();
        let imports_project = self
            .imports
            .values()
            .any(|qualified| self.is_project_callee(qualified));
        if !has_sink && !imports_project {
            return;
        }
        let mut functions = Vec::new();
        collect_functions(body, true, &mut functions);
        // Only functions whose text mentions a sink or such a function can be runners, and
        // only those taking `*args` or named like a runner are taken for forwards; the
        // others are not walked (a few substring scans per file, no AST walk).
        let text_of =
            |function: &ast::StmtFunctionDef| source.get(Self::range_of(function)).unwrap_or("");
        let mentions_sink = |function: &ast::StmtFunctionDef| {
            let range = Self::range_of(function);
            let first = sinks.partition_point(|offset| *offset < range.start);
            sinks.get(first).is_some_and(|offset| *offset < range.end)
        };
        let with_sink: Vec<&str> = functions
            .iter()
            .filter(|(function, _)| mentions_sink(function))
            .map(|(function, _)| function.name.id.as_str())
            .collect();
        functions.retain(|(function, _)| {
            let name = function.name.id.as_str();
            let forwards = imports_project
                && (function.parameters.vararg.is_some()
                    || rules::cli::command::name_says_it_runs(name));
            with_sink.contains(&name)
                || forwards
                || rules::cli::command::name_says_it_runs(name)
                || (!with_sink.is_empty()
                    && with_sink
                        .iter()
                        .any(|runner| text_of(function).contains(runner)))
        });
        if functions.is_empty() {
            return;
        }
        for _ in 0..3 {
            let before = self.runners.len() + self.forwards.len();
            for (function, top_level) in &functions {
                if self.runners.contains_key(function.name.id.as_str()) {
                    continue;
                }
                let mut locals = HashMap::default();
                collect_locals(&function.body, &mut locals);
                let mut calls = CallCollector::default();
                for stmt in &function.body {
                    calls.visit_stmt(stmt);
                }
                let params = Params::of(&function.parameters);
                self.scopes.push(locals);
                self.parameters.push(
                    function
                        .parameters
                        .iter()
                        .map(|parameter| parameter.name().id.as_str())
                        .collect(),
                );
                let found = calls
                    .calls
                    .iter()
                    .find_map(|call| runner::signature_of_call(self, &params, call));
                let forward = match found {
                    None if imports_project
                        && !self.forwards.contains_key(function.name.id.as_str()) =>
                    {
                        calls
                            .calls
                            .iter()
                            .find_map(|call| runner::forward_of_call(self, &params, call))
                    }
                    _ => None,
                };
                self.parameters.pop();
                self.scopes.pop();
                let name = function.name.id.as_str();
                if let Some(signature) = found {
                    if *top_level {
                        self.exported_runners
                            .insert(name.to_string(), Helper::Runner(signature.clone()));
                    }
                    self.forwards.remove(name);
                    self.runners.insert(name, signature);
                } else if let Some(forward) = forward {
                    if *top_level {
                        self.exported_runners
                            .insert(name.to_string(), Helper::Forward(forward.clone()));
                    }
                    self.forwards.insert(name, forward);
                }
            }
            if self.runners.len() + self.forwards.len() == before {
                break;
            }
        }
        // Plain functions only matter where their name alone would make them a runner.
        for (function, top_level) in &functions {
            let name = function.name.id.as_str();
            if self.runners.contains_key(name)
                || self.forwards.contains_key(name)
                || !rules::cli::command::name_says_it_runs(name)
            {
                continue;
            }
            let mut calls = CallCollector::default();
            for stmt in &function.body {
                calls.visit_stmt(stmt);
            }
            let runs_something = calls
                .calls
                .iter()
                .any(|call| rules::cli::command::may_run_something(self, call));
            if !runs_something {
                self.plain.insert(name);
                if *top_level {
                    self.exported_runners
                        .insert(name.to_string(), Helper::Plain);
                }
            }
        }
    }

    /// A secret must not hide behind nesting: the string tokens inside expressions the
    /// visitor did not descend into are scanned flat for known token formats (SEC001).
    /// No recursion, so any depth is fine; the rules that need the tree stay covered only
    /// by the E998 diagnostic.
    fn scan_truncated_strings(&mut self) {
        use ruff_python_ast::token::TokenKind;
        let (Some(tokens), false) = (self.tokens, self.truncated.is_empty()) else {
            return;
        };
        if !self.enabled(Rule::HardcodedToken) {
            return;
        }
        let mut regions = std::mem::take(&mut self.truncated);
        regions.sort_by_key(|range| range.start);
        let mut region = 0;
        for token in tokens.iter() {
            if !matches!(
                token.kind(),
                TokenKind::String | TokenKind::FStringMiddle | TokenKind::TStringMiddle
            ) {
                continue;
            }
            let start = token.range().start().to_usize();
            let end = token.range().end().to_usize();
            while regions.get(region).is_some_and(|r| r.end <= start) {
                region += 1;
            }
            let Some(inside) = regions.get(region) else {
                break;
            };
            if start < inside.start {
                continue;
            }
            let Some(raw) = self.source.get(start..end) else {
                continue;
            };
            for found in crate::secrets::find_tokens(raw) {
                // `found.range` comes from scanning `raw`, so it is always inside it.
                let secret = raw.get(found.range.clone()).unwrap_or_default();
                self.diagnostics.push(
                    Diagnostic::new(
                        Rule::HardcodedToken,
                        format!(
                            "Hardcoded {} `{}`",
                            found.kind.description(),
                            crate::secrets::redact(secret)
                        ),
                        start..end,
                    )
                    .with_secret(start + found.range.start..start + found.range.end),
                );
            }
        }
    }

    pub fn enabled(&self, rule: Rule) -> bool {
        self.settings.rules.contains(rule)
    }

    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The dotted name an expression refers to, through imports: `sp.run` → `subprocess.run`.
    pub fn qualified_name(&self, expr: &Expr) -> Option<String> {
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                // A parameter shadows any module of that name.
                if self.parameters.iter().any(|names| names.contains(id)) {
                    return None;
                }
                if let Some(qualified) = self.imports.get(id) {
                    Some(qualified.clone())
                } else if WELL_KNOWN_MODULES.contains(&id) && self.lookup(id).is_none() {
                    Some(id.to_string())
                } else {
                    None
                }
            }
            Expr::Attribute(attribute) => {
                let base = self.qualified_name(&attribute.value)?;
                Some(format!("{base}.{}", attribute.attr.id))
            }
            _ => None,
        }
    }

    /// The value assigned to attribute `name` (`self.name = ...`) anywhere in the file.
    pub fn attribute(&self, name: &str) -> Option<&'a Expr> {
        self.attributes.get(name).copied()
    }

    /// The base classes of a class defined in this file.
    pub fn class_bases(&self, name: &str) -> Option<&'a [Expr]> {
        self.classes.get(name).copied()
    }

    /// Whether calling `name` (a function, method or property) returns a requests session.
    pub fn is_session_factory(&self, name: &str) -> bool {
        self.session_factories.contains(name)
    }

    /// Whether `expr` makes a `requests` session: `requests.Session()`.
    pub fn is_session_constructor(&self, expr: &Expr) -> bool {
        let Expr::Call(call) = expr else {
            return false;
        };
        matches!(
            self.qualified_name(&call.func).as_deref(),
            Some("requests.Session" | "requests.session" | "requests.sessions.Session")
        )
    }

    /// Imports, attribute assignments and session factories of the whole file, before the
    /// rules run: a method may use `self.session` set in an `__init__` written below it.
    fn prescan(&mut self, body: &'a [Stmt]) {
        for stmt in body {
            match stmt {
                Stmt::Import(_) | Stmt::ImportFrom(_) => self.record_import(stmt),
                Stmt::ClassDef(class) => {
                    self.classes.insert(
                        class.name.id.as_str(),
                        class
                            .arguments
                            .as_ref()
                            .map_or(&[][..], |arguments| &arguments.args),
                    );
                    for item in &class.body {
                        if let Stmt::Assign(assign) = item {
                            for target in &assign.targets {
                                if let Expr::Name(name) = target {
                                    self.attributes.insert(name.id.as_str(), &assign.value);
                                }
                            }
                        }
                    }
                    self.prescan(&class.body);
                }
                Stmt::FunctionDef(function) => {
                    if self.returns_session(&function.body) {
                        self.session_factories.insert(function.name.id.as_str());
                    }
                    self.prescan(&function.body);
                }
                Stmt::Assign(assign) => {
                    for target in &assign.targets {
                        if let Expr::Attribute(attribute) = target
                            && matches!(&*attribute.value, Expr::Name(owner) if matches!(owner.id.as_str(), "self" | "cls"))
                        {
                            self.attributes
                                .insert(attribute.attr.id.as_str(), &assign.value);
                        }
                    }
                }
                Stmt::If(branch) => {
                    self.prescan(&branch.body);
                    for clause in &branch.elif_else_clauses {
                        self.prescan(&clause.body);
                    }
                }
                Stmt::With(with) => self.prescan(&with.body),
                Stmt::Try(attempt) => {
                    self.prescan(&attempt.body);
                    for handler in &attempt.handlers {
                        let ast::ExceptHandler::ExceptHandler(handler) = handler;
                        self.prescan(&handler.body);
                    }
                    self.prescan(&attempt.orelse);
                    self.prescan(&attempt.finalbody);
                }
                Stmt::For(each) => self.prescan(&each.body),
                Stmt::While(each) => self.prescan(&each.body),
                _ => {}
            }
        }
    }

    /// Whether a function body returns a session it made (directly, or through a local
    /// name, possibly configured in between: `s = requests.Session(); s.headers...; return s`).
    fn returns_session(&self, body: &'a [Stmt]) -> bool {
        let mut sessions: HashSet<&str> = HashSet::default();
        for stmt in body {
            match stmt {
                Stmt::Assign(assign) if self.is_session_constructor(&assign.value) => {
                    for target in &assign.targets {
                        if let Expr::Name(name) = target {
                            sessions.insert(name.id.as_str());
                        }
                    }
                }
                Stmt::Return(ast::StmtReturn {
                    value: Some(value), ..
                }) => match &**value {
                    Expr::Name(name) if sessions.contains(name.id.as_str()) => return true,
                    value if self.is_session_constructor(value) => return true,
                    _ => {}
                },
                _ => {}
            }
        }
        false
    }

    /// The expression most recently bound to `name` in an enclosing scope.
    pub fn lookup(&self, name: &str) -> Option<&'a Expr> {
        self.scopes
            .iter()
            .rev()
            .find_map(|scope| scope.get(name).copied())
    }

    fn bind(&mut self, target: &'a Expr, value: &'a Expr) {
        match target {
            Expr::Name(name) => {
                if let Some(scope) = self.scopes.last_mut() {
                    scope.insert(name.id.as_str(), value);
                }
            }
            Expr::Tuple(targets) => {
                if let Expr::Tuple(values) = value {
                    for (target, value) in targets.elts.iter().zip(values.elts.iter()) {
                        self.bind(target, value);
                    }
                }
            }
            _ => {}
        }
    }

    fn record_import(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(import) => {
                for alias in &import.names {
                    let full = alias.name.id.as_str();
                    match &alias.asname {
                        Some(asname) => {
                            self.imports.insert(asname.id.as_str(), full.to_string());
                        }
                        None => {
                            // `import os.path` binds `os`.
                            let head = full.split('.').next().unwrap_or(full);
                            self.imports.insert(
                                alias.name.id.as_str().split('.').next().unwrap_or(head),
                                head.to_string(),
                            );
                        }
                    }
                }
            }
            // Relative imports keep their dots (`.util.run_cmd`): only project helpers use them.
            Stmt::ImportFrom(import) if import.level > 0 => {
                let dots = ".".repeat(import.level as usize);
                let module = import
                    .module
                    .as_ref()
                    .map_or(String::new(), |module| format!("{}.", module.id));
                for alias in &import.names {
                    if alias.name.id.as_str() == "*" {
                        continue;
                    }
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).id.as_str();
                    self.imports
                        .insert(local, format!("{dots}{module}{}", alias.name.id));
                }
            }
            Stmt::ImportFrom(import) if import.level == 0 => {
                let Some(module) = &import.module else { return };
                for alias in &import.names {
                    if alias.name.id.as_str() == "*" {
                        continue;
                    }
                    let local = alias.asname.as_ref().unwrap_or(&alias.name).id.as_str();
                    self.imports
                        .insert(local, format!("{}.{}", module.id, alias.name.id));
                }
            }
            _ => {}
        }
    }

    pub fn range_of(node: &impl Ranged) -> std::ops::Range<usize> {
        let range = node.range();
        range.start().to_usize()..range.end().to_usize()
    }

    /// The source range of `needle` inside the text of `node`, so redaction hides exactly the secret.
    pub fn locate_in(&self, node: &impl Ranged, needle: &str) -> std::ops::Range<usize> {
        let range = Self::range_of(node);
        let text = self.source.get(range.clone()).unwrap_or("");
        match (needle.is_empty(), text.find(needle)) {
            (false, Some(offset)) => range.start + offset..range.start + offset + needle.len(),
            _ => range,
        }
    }
}

/// Words in a file that may name a process sink (`subprocess`, `os.system`, …).
const SINK_WORDS: [&str; 5] = [
    "subprocess",
    "system",
    "popen",
    "pexpect",
    "create_subprocess",
];

/// Sink words, then the default CLI programs: one pass over a file finds both.
static WORD_SEARCHER: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
    std::sync::LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(SINK_WORDS.iter().chain(DEFAULT_CLOUD_CLIS)).ok()
    });

/// What one scan of a file found.
struct Mentions {
    /// Offsets of sink words, ascending.
    sinks: Vec<usize>,
    /// Default CLI programs named as a whole word.
    clis: Vec<&'static str>,
}

/// Sink words and CLI names in `text`, in one pass.
fn scan_mentions(text: &str) -> Mentions {
    let Some(searcher) = &*WORD_SEARCHER else {
        // Unreachable with literal patterns; every function and CLI is the safe side.
        return Mentions {
            sinks: (0..text.len()).take(1).collect(),
            clis: DEFAULT_CLOUD_CLIS.to_vec(),
        };
    };
    let bytes = text.as_bytes();
    let is_word = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    let mut mentions = Mentions {
        sinks: Vec::new(),
        clis: Vec::new(),
    };
    for hit in searcher.find_iter(text) {
        let index = hit.pattern().as_usize();
        match index.checked_sub(SINK_WORDS.len()) {
            None => mentions.sinks.push(hit.start()),
            Some(cli) => {
                let whole = (hit.start() == 0 || !is_word(bytes[hit.start() - 1]))
                    && bytes.get(hit.end()).is_none_or(|b| !is_word(*b));
                if whole
                    && let Some(name) = DEFAULT_CLOUD_CLIS.get(cli)
                    && !mentions.clis.contains(name)
                {
                    mentions.clis.push(name);
                }
            }
        }
    }
    mentions
}

/// Whether any of `words` occurs in `text` as a whole word.
fn mentions_word(text: &str, words: &[String]) -> bool {
    let bytes = text.as_bytes();
    let is_word = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    words.iter().filter(|word| !word.is_empty()).any(|word| {
        memchr::memmem::find_iter(bytes, word.as_bytes()).any(|start| {
            let end = start + word.len();
            (start == 0 || !is_word(bytes[start - 1]))
                && bytes.get(end).is_none_or(|b| !is_word(*b))
        })
    })
}

/// Every function and method in `body`, nested ones too; `true` for module-level functions.
fn collect_functions<'a>(
    body: &'a [Stmt],
    top_level: bool,
    out: &mut Vec<(&'a ast::StmtFunctionDef, bool)>,
) {
    for stmt in body {
        match stmt {
            Stmt::FunctionDef(function) => {
                out.push((function, top_level));
                collect_functions(&function.body, false, out);
            }
            Stmt::ClassDef(class) => collect_functions(&class.body, false, out),
            Stmt::If(branch) => {
                collect_functions(&branch.body, top_level, out);
                for clause in &branch.elif_else_clauses {
                    collect_functions(&clause.body, top_level, out);
                }
            }
            Stmt::Try(attempt) => {
                collect_functions(&attempt.body, top_level, out);
                for handler in &attempt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    collect_functions(&handler.body, top_level, out);
                }
                collect_functions(&attempt.orelse, top_level, out);
            }
            _ => {}
        }
    }
}

/// A function body's local bindings, flow-insensitively (the last assignment wins).
fn collect_locals<'a>(body: &'a [Stmt], out: &mut HashMap<&'a str, &'a Expr>) {
    for stmt in body {
        match stmt {
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    if let Expr::Name(name) = target {
                        out.insert(name.id.as_str(), &assign.value);
                    }
                }
            }
            Stmt::AnnAssign(assign) => {
                if let (Expr::Name(name), Some(value)) = (&*assign.target, &assign.value) {
                    out.insert(name.id.as_str(), value);
                }
            }
            Stmt::If(branch) => {
                collect_locals(&branch.body, out);
                for clause in &branch.elif_else_clauses {
                    collect_locals(&clause.body, out);
                }
            }
            Stmt::With(with) => collect_locals(&with.body, out),
            Stmt::For(each) => collect_locals(&each.body, out),
            Stmt::While(each) => collect_locals(&each.body, out),
            Stmt::Try(attempt) => {
                collect_locals(&attempt.body, out);
                for handler in &attempt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    collect_locals(&handler.body, out);
                }
                collect_locals(&attempt.orelse, out);
                collect_locals(&attempt.finalbody, out);
            }
            _ => {}
        }
    }
}

/// The calls in a function body, nested functions and classes left out.
#[derive(Default)]
struct CallCollector<'a> {
    calls: Vec<&'a ast::ExprCall>,
    depth: usize,
}

impl<'a> Visitor<'a> for CallCollector<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        if !matches!(stmt, Stmt::FunctionDef(_) | Stmt::ClassDef(_)) {
            visitor::walk_stmt(self, stmt);
        }
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth >= 200 {
            return;
        }
        if let Expr::Call(call) = expr {
            self.calls.push(call);
        }
        self.depth += 1;
        visitor::walk_expr(self, expr);
        self.depth -= 1;
    }
}

impl<'a> Visitor<'a> for Checker<'a> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(_) | Stmt::ImportFrom(_) => self.record_import(stmt),
            Stmt::Assign(assign) => {
                rules::check_assign(self, &assign.targets, &assign.value);
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    rules::check_assign(self, std::slice::from_ref(&*assign.target), value);
                }
            }
            Stmt::FunctionDef(function) => {
                rules::check_parameters(self, &function.parameters);
            }
            Stmt::IpyEscapeCommand(escape) => {
                if let Some(command) = shell_command(escape.kind, &escape.value) {
                    rules::cli::check_shell_escape(self, command, escape);
                }
            }
            _ => {}
        }

        match stmt {
            Stmt::FunctionDef(function) => {
                for decorator in &function.decorator_list {
                    self.visit_decorator(decorator);
                }
                self.visit_parameters(&function.parameters);
                self.scopes.push(HashMap::default());
                self.parameters.push(
                    function
                        .parameters
                        .iter()
                        .map(|parameter| parameter.name().id.as_str())
                        .collect(),
                );
                self.visit_body(&function.body);
                self.parameters.pop();
                self.scopes.pop();
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.scopes.push(HashMap::default());
                self.visit_body(&class.body);
                self.scopes.pop();
            }
            Stmt::Expr(expression) if expression.value.is_string_literal_expr() => {
                self.in_docstring = true;
                visitor::walk_stmt(self, stmt);
                self.in_docstring = false;
            }
            Stmt::Assert(_) => {
                let outer = self.in_assert;
                self.in_assert = true;
                visitor::walk_stmt(self, stmt);
                self.in_assert = outer;
            }
            // An Ansible module's `DOCUMENTATION`, `EXAMPLES` and `RETURN`: YAML prose with
            // option choices, Jinja variables and sample values, read like a docstring.
            Stmt::Assign(assign)
                if self.scopes.len() == 1
                    && assign.value.is_string_literal_expr()
                    && assign.targets.iter().any(|target| {
                        matches!(target, Expr::Name(name)
                            if matches!(name.id.as_str(), "DOCUMENTATION" | "EXAMPLES" | "RETURN"))
                    }) =>
            {
                self.in_docstring = true;
                visitor::walk_stmt(self, stmt);
                self.in_docstring = false;
            }
            _ => visitor::walk_stmt(self, stmt),
        }

        // Bind after visiting, so `cmd = cmd + [...]` sees the previous value.
        match stmt {
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.bind(target, &assign.value);
                }
            }
            Stmt::AnnAssign(assign) => {
                if let Some(value) = &assign.value {
                    self.bind(&assign.target, value);
                }
            }
            Stmt::With(with) => {
                for item in &with.items {
                    if let Some(target) = &item.optional_vars {
                        self.bind(target, &item.context_expr);
                    }
                }
            }
            _ => {}
        }
    }

    fn visit_with_item(&mut self, item: &'a ast::WithItem) {
        // Bind before the body runs: `with requests.Session() as s: s.get(...)`.
        if let Some(target) = &item.optional_vars {
            self.bind(target, &item.context_expr);
        }
        visitor::walk_with_item(self, item);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        if self.depth >= MAX_DEPTH {
            let range = expr.range().start().to_usize()..expr.range().end().to_usize();
            self.truncated_at.get_or_insert_with(|| range.clone());
            self.truncated.push(range);
            return;
        }
        self.depth += 1;
        match expr {
            Expr::Call(call) => rules::check_call(self, call),
            Expr::StringLiteral(string) => rules::check_string_literal(self, string),
            Expr::FString(fstring) => rules::check_fstring(self, fstring),
            Expr::Dict(dict) => rules::check_dict(self, dict),
            Expr::Compare(compare) => rules::check_compare(self, compare),
            Expr::Subscript(subscript) => rules::check_subscript(self, subscript),
            Expr::IpyEscapeCommand(escape) => {
                if let Some(command) = shell_command(escape.kind, &escape.value) {
                    rules::cli::check_shell_escape(self, command, escape);
                }
            }
            _ => {}
        }
        // Walk binary-operator chains iteratively: `1 + 1 + …` with 50,000 terms is a
        // left-leaning tree that would otherwise cost one stack frame per term.
        if let Expr::BinOp(_) = expr {
            let mut rights = Vec::new();
            let mut current = expr;
            while let Expr::BinOp(binop) = current {
                rights.push(&*binop.right);
                current = &binop.left;
            }
            self.visit_expr(current);
            for right in rights.into_iter().rev() {
                self.visit_expr(right);
            }
        } else {
            visitor::walk_expr(self, expr);
        }
        self.depth -= 1;
    }
}

/// The shell command of an IPython escape: `!cmd`, `!!cmd`, and the `%sx` / `%system`
/// magics that do the same.
fn shell_command(kind: ast::IpyEscapeKind, value: &str) -> Option<&str> {
    match kind {
        ast::IpyEscapeKind::Shell | ast::IpyEscapeKind::ShCap => Some(value),
        ast::IpyEscapeKind::Magic => {
            let (name, rest) = value.trim_start().split_once(char::is_whitespace)?;
            matches!(name, "sx" | "system").then_some(rest)
        }
        _ => None,
    }
}
