//! Human-readable explanations of why no resolution exists, in PEP 440 terms
//! ("skf-app>=2 depends on skf-lib<2") rather than pubgrub's interval notation.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Bound;
use std::sync::Arc;

use pep440_rs::Version;
use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, ReportFormatter, Reporter, Term,
};
use skua_platform::Target;
use skua_types::PackageName;
use version_ranges::Ranges;

use crate::provider::Pkg;

type Range = Ranges<Version>;
type Tree = DerivationTree<Pkg, Range, String>;

/// The versions of each package the solver could choose from, ascending: ranges in the
/// explanation are stated against them.
pub(crate) type Available = HashMap<PackageName, Vec<Version>>;

/// An explanation longer than this keeps only its conclusion and the lines that name the
/// root requirements (uv once printed 17,665 lines for one conflict).
const MAX_LINES: usize = 25;

/// A union of more intervals than this is shown by its ends and a count.
const MAX_SEGMENTS: usize = 8;

struct Formatter;

/// A range in PEP 440 terms: `==1.0`, `>=1.0,<2`, `!=1.5`, `<1 or >=3` (empty for any).
pub(crate) fn range_text(range: &Range) -> String {
    if range == &Range::full() {
        return String::new();
    }
    if range.is_empty() {
        return " (no version)".to_string();
    }
    let segments: Vec<(&Bound<Version>, &Bound<Version>)> = range.iter().collect();
    // Everything but one version, as `<v or >v` would say it.
    if let [
        (Bound::Unbounded, Bound::Excluded(below)),
        (Bound::Excluded(above), Bound::Unbounded),
    ] = segments.as_slice()
        && below == above
    {
        return format!("!={below}");
    }
    let texts: Vec<String> = segments
        .iter()
        .map(|(lower, upper)| segment_text(lower, upper))
        .collect();
    if texts.len() > MAX_SEGMENTS {
        let head = &texts[..3];
        let tail = &texts[texts.len() - 2..];
        return format!(
            "{} or … ({} more) … or {}",
            head.join(" or "),
            texts.len() - head.len() - tail.len(),
            tail.join(" or ")
        );
    }
    texts.join(" or ")
}

fn segment_text(lower: &Bound<Version>, upper: &Bound<Version>) -> String {
    if let (Bound::Included(low), Bound::Included(high)) = (lower, upper)
        && low == high
    {
        return format!("=={low}");
    }
    let lower = match lower {
        Bound::Included(version) => Some(format!(">={version}")),
        Bound::Excluded(version) => Some(format!(">{version}")),
        Bound::Unbounded => None,
    };
    let upper = match upper {
        Bound::Included(version) => Some(format!("<={version}")),
        Bound::Excluded(version) => Some(format!("<{version}")),
        Bound::Unbounded => None,
    };
    lower.into_iter().chain(upper).collect::<Vec<_>>().join(",")
}

pub(crate) fn package_text(package: &Pkg, range: &Range) -> String {
    match package {
        Pkg::Root => "your requirements".to_string(),
        _ => {
            let spec = range_text(range);
            format!("{package}{spec}")
        }
    }
}

impl ReportFormatter<Pkg, Range, String> for Formatter {
    type Output = String;

    fn format_external(&self, external: &External<Pkg, Range, String>) -> String {
        match external {
            External::NotRoot(package, version) => {
                format!("we are solving dependencies of {package} {version}")
            }
            External::NoVersions(package, range) => {
                format!(
                    "there is no usable version of {}",
                    package_text(package, range)
                )
            }
            External::Custom(package, range, reason) => {
                format!("{} cannot be used: {reason}", package_text(package, range))
            }
            External::FromDependencyOf(package, range, dependency, dependency_range) => {
                match package {
                    Pkg::Root => {
                        format!("you require {}", package_text(dependency, dependency_range))
                    }
                    _ => format!(
                        "{} depends on {}",
                        package_text(package, range),
                        package_text(dependency, dependency_range)
                    ),
                }
            }
        }
    }

    fn format_terms(&self, terms: &Map<Pkg, Term<Range>>) -> String {
        let terms: Vec<_> = terms.iter().collect();
        match terms.as_slice() {
            [] => "no versions satisfy all requirements".into(),
            [(Pkg::Root, Term::Positive(_))] => "the requirements cannot be satisfied".into(),
            [(package, Term::Positive(range))] => {
                format!("{} cannot be used", package_text(package, range))
            }
            [(package, Term::Negative(range))] => {
                format!("{} is required", package_text(package, range))
            }
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))] => self.format_external(
                &External::FromDependencyOf((*p1).clone(), r1.clone(), (*p2).clone(), r2.clone()),
            ),
            [(p1, Term::Negative(r1)), (p2, Term::Positive(r2))] => self.format_external(
                &External::FromDependencyOf((*p2).clone(), r2.clone(), (*p1).clone(), r1.clone()),
            ),
            slice => {
                let parts: Vec<String> = slice
                    .iter()
                    .map(|(package, term)| match term {
                        Term::Positive(range) => package_text(package, range),
                        Term::Negative(range) => format!("not {}", package_text(package, range)),
                    })
                    .collect();
                format!("{} are incompatible", parts.join(", "))
            }
        }
    }

    fn explain_both_external(
        &self,
        external1: &External<Pkg, Range, String>,
        external2: &External<Pkg, Range, String>,
        current_terms: &Map<Pkg, Term<Range>>,
    ) -> String {
        format!(
            "Because {} and {}, {}.",
            self.format_external(external1),
            self.format_external(external2),
            self.format_terms(current_terms)
        )
    }

    fn explain_both_ref(
        &self,
        ref_id1: usize,
        derived1: &Derived<Pkg, Range, String>,
        ref_id2: usize,
        derived2: &Derived<Pkg, Range, String>,
        current_terms: &Map<Pkg, Term<Range>>,
    ) -> String {
        format!(
            "Because {} ({ref_id1}) and {} ({ref_id2}), {}.",
            self.format_terms(&derived1.terms),
            self.format_terms(&derived2.terms),
            self.format_terms(current_terms)
        )
    }

    fn explain_ref_and_external(
        &self,
        ref_id: usize,
        derived: &Derived<Pkg, Range, String>,
        external: &External<Pkg, Range, String>,
        current_terms: &Map<Pkg, Term<Range>>,
    ) -> String {
        format!(
            "Because {} ({ref_id}) and {}, {}.",
            self.format_terms(&derived.terms),
            self.format_external(external),
            self.format_terms(current_terms)
        )
    }

    fn and_explain_external(
        &self,
        external: &External<Pkg, Range, String>,
        current_terms: &Map<Pkg, Term<Range>>,
    ) -> String {
        format!(
            "And because {}, {}.",
            self.format_external(external),
            self.format_terms(current_terms)
        )
    }

    fn and_explain_ref(
        &self,
        ref_id: usize,
        derived: &Derived<Pkg, Range, String>,
        current_terms: &Map<Pkg, Term<Range>>,
    ) -> String {
        format!(
            "And because {} ({ref_id}), {}.",
            self.format_terms(&derived.terms),
            self.format_terms(current_terms)
        )
    }

    fn and_explain_prior_and_external(
        &self,
        prior_external: &External<Pkg, Range, String>,
        external: &External<Pkg, Range, String>,
        current_terms: &Map<Pkg, Term<Range>>,
    ) -> String {
        format!(
            "And because {} and {}, {}.",
            self.format_external(prior_external),
            self.format_external(external),
            self.format_terms(current_terms)
        )
    }
}

/// Every `NoVersions` leaf: the packages and ranges that had nothing to offer.
pub(crate) fn empty_ranges(
    tree: &DerivationTree<Pkg, Range, String>,
    found: &mut Vec<(Pkg, Range)>,
) {
    match tree {
        DerivationTree::External(External::NoVersions(package, range)) => {
            found.push((package.clone(), range.clone()))
        }
        DerivationTree::External(_) => {}
        DerivationTree::Derived(derived) => {
            empty_ranges(&derived.cause1, found);
            empty_ranges(&derived.cause2, found);
        }
    }
}

/// Rewrites the derivation tree into the shortest faithful story: "no versions" leaves
/// folded into their neighbours, runs of versions unusable for one reason or depending
/// on the same package stated once, and unions of versions stated as ranges.
fn simplify(tree: &mut Tree, available: &Available) {
    tree.collapse_no_versions();
    collapse_unavailable_versions(tree);
    collapse_dependency_runs(tree);
    simplify_ranges(tree, available);
}

/// `Custom` leaves of one package with one reason, side by side, become one leaf over the
/// union of their versions (uv's `collapse_unavailable_versions`).
fn collapse_unavailable_versions(tree: &mut Tree) {
    let DerivationTree::Derived(derived) = tree else {
        return;
    };
    collapse_unavailable_versions(Arc::make_mut(&mut derived.cause1));
    collapse_unavailable_versions(Arc::make_mut(&mut derived.cause2));
    let (custom, other) = match (&*derived.cause1, &*derived.cause2) {
        (DerivationTree::External(External::Custom(p, r, m)), other)
        | (other, DerivationTree::External(External::Custom(p, r, m))) => ((p, r, m), other),
        _ => return,
    };
    let (package, versions, reason) = custom;
    let DerivationTree::Derived(inner) = other else {
        return;
    };
    let (kept, merged) = match (&*inner.cause1, &*inner.cause2) {
        (kept, DerivationTree::External(External::Custom(p, r, m)))
        | (DerivationTree::External(External::Custom(p, r, m)), kept)
            if p == package && m == reason =>
        {
            (kept, r.union(versions))
        }
        _ => return,
    };
    let mut terms = inner.terms.clone();
    if let Some(Term::Positive(range)) = terms.get_mut(package) {
        *range = merged.clone();
    }
    let replacement = DerivationTree::Derived(Derived {
        terms,
        shared_id: inner.shared_id,
        cause1: Arc::new(kept.clone()),
        cause2: Arc::new(DerivationTree::External(External::Custom(
            package.clone(),
            merged,
            reason.clone(),
        ))),
    });
    *tree = replacement;
}

/// A derived "`p` in R depends on `q` in S" reached only through dependencies along one
/// path of packages (one step per release, say, when each release pins its own `q`)
/// becomes that path, one statement per edge: "skf-a>=1.0,<3.0 depends on skf-b<1"
/// instead of a sentence per version, or "skf-a depends on skf-b<=2 and skf-b<=2 depends
/// on skf-c<=2" for a run through skf-b.
fn collapse_dependency_runs(tree: &mut Tree) {
    let DerivationTree::Derived(derived) = tree else {
        return;
    };
    if let Some(replacement) = dependency_path(derived) {
        *tree = replacement;
        return;
    }
    collapse_dependency_runs(Arc::make_mut(&mut derived.cause1));
    collapse_dependency_runs(Arc::make_mut(&mut derived.cause2));
}

/// The dependencies a derived node rests on, by edge: the union of the dependents'
/// versions and of the dependencies' versions.
#[derive(Default)]
struct Edges {
    edges: std::collections::BTreeMap<(Pkg, Pkg), (Range, Range)>,
    /// Versions found not to exist, by package.
    missing: HashMap<Pkg, Range>,
}

impl Edges {
    /// False when the subtree rests on anything but dependencies and missing versions, or
    /// involves the root.
    fn collect(&mut self, tree: &Tree) -> bool {
        match tree {
            DerivationTree::External(External::FromDependencyOf(p, r, q, s)) => {
                if *p == Pkg::Root || p == q {
                    return false;
                }
                let entry = self
                    .edges
                    .entry((p.clone(), q.clone()))
                    .or_insert_with(|| (Range::empty(), Range::empty()));
                entry.0 = entry.0.union(r);
                entry.1 = entry.1.union(s);
                true
            }
            DerivationTree::External(External::NoVersions(p, r)) => {
                let entry = self.missing.entry(p.clone()).or_insert_with(Range::empty);
                *entry = entry.union(r);
                *p != Pkg::Root
            }
            DerivationTree::External(_) => false,
            DerivationTree::Derived(derived) => {
                !derived.terms.contains_key(&Pkg::Root)
                    && self.collect(&derived.cause1)
                    && self.collect(&derived.cause2)
            }
        }
    }
}

fn dependency_path(derived: &Derived<Pkg, Range, String>) -> Option<Tree> {
    let (package, range, dependency, dependency_range) = dependency_shape(&derived.terms)?;
    let mut edges = Edges::default();
    if !(edges.collect(&derived.cause1) && edges.collect(&derived.cause2)) {
        return None;
    }
    // The edges must form one path from `package` to `dependency`, each used once.
    let mut path: Vec<(&Pkg, &Pkg, &Range, &Range)> = Vec::new();
    let mut at = &package;
    while at != &dependency {
        let mut outgoing = edges.edges.iter().filter(|((from, _), _)| from == at);
        let ((from, to), (from_range, to_range)) = outgoing.next()?;
        if outgoing.next().is_some() || path.len() >= edges.edges.len() {
            return None;
        }
        path.push((from, to, from_range, to_range));
        at = to;
    }
    if path.len() != edges.edges.len() {
        return None;
    }
    // Each step covers every version the previous one allows (or the rest do not exist),
    // so the statements chain into the conclusion.
    for pair in path.windows(2) {
        let (_, middle, _, reached) = pair[0];
        let (_, _, covered, _) = pair[1];
        let missing = edges
            .missing
            .get(middle)
            .cloned()
            .unwrap_or_else(Range::empty);
        if !reached.subset_of(&covered.union(&missing)) {
            return None;
        }
    }
    let (first, rest) = path.split_first()?;
    if rest.is_empty() {
        return Some(DerivationTree::External(External::FromDependencyOf(
            package,
            range,
            dependency,
            dependency_range,
        )));
    }
    let (from, to, from_range, to_range) = *first;
    let mut node = DerivationTree::External(External::FromDependencyOf(
        from.clone(),
        from_range.clone(),
        to.clone(),
        to_range.clone(),
    ));
    for (index, &(from, to, from_range, to_range)) in rest.iter().enumerate() {
        let terms = if index + 1 == rest.len() {
            derived.terms.clone()
        } else {
            let mut terms = Map::default();
            terms.insert(package.clone(), Term::Positive(range.clone()));
            terms.insert(to.clone(), Term::Negative(to_range.clone()));
            terms
        };
        node = DerivationTree::Derived(Derived {
            terms,
            shared_id: None,
            cause1: Arc::new(node),
            cause2: Arc::new(DerivationTree::External(External::FromDependencyOf(
                from.clone(),
                from_range.clone(),
                to.clone(),
                to_range.clone(),
            ))),
        });
    }
    Some(node)
}

/// Terms that say "`p` in R depends on `q` in S": `p` positive, `q` negative.
fn dependency_shape(terms: &Map<Pkg, Term<Range>>) -> Option<(Pkg, Range, Pkg, Range)> {
    let terms: Vec<(&Pkg, &Term<Range>)> = terms.iter().collect();
    match terms.as_slice() {
        [(p, Term::Positive(r)), (q, Term::Negative(s))]
        | [(q, Term::Negative(s)), (p, Term::Positive(r))]
            if **p != Pkg::Root && p != q =>
        {
            Some(((*p).clone(), r.clone(), (*q).clone(), s.clone()))
        }
        _ => None,
    }
}

/// Unions of versions stated against the versions that exist (uv's
/// `simplify_derivation_tree_ranges`): `==1.0 or ==1.1 or ==1.2` becomes `<=1.2` when
/// those are the only versions below 1.3. Single intervals are left as they were written.
fn simplify_ranges(tree: &mut Tree, available: &Available) {
    let simplified = |package: &Pkg, range: &Range| -> Option<Range> {
        let versions = available.get(package.name()?)?;
        (range.iter().count() > 1).then(|| range.simplify(versions.iter()))
    };
    match tree {
        DerivationTree::External(External::FromDependencyOf(p, r, q, s)) => {
            if let Some(range) = simplified(p, r) {
                *r = range;
            }
            if let Some(range) = simplified(q, s) {
                *s = range;
            }
        }
        DerivationTree::External(External::NoVersions(p, r) | External::Custom(p, r, _)) => {
            if let Some(range) = simplified(p, r) {
                *r = range;
            }
        }
        DerivationTree::External(External::NotRoot(..)) => {}
        DerivationTree::Derived(derived) => {
            simplify_ranges(Arc::make_mut(&mut derived.cause1), available);
            simplify_ranges(Arc::make_mut(&mut derived.cause2), available);
            for (package, term) in derived.terms.iter_mut() {
                let (Term::Positive(range) | Term::Negative(range)) = term;
                if let Some(simpler) = simplified(package, range) {
                    *range = simpler;
                }
            }
        }
    }
}

/// The reporter's lines, made readable: each sentence once (references to a dropped
/// repeat point at the first one), no stray blank lines, and at most [`MAX_LINES`].
fn tidy(report: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut first_with_text: HashMap<String, usize> = HashMap::new();
    let mut renamed: HashMap<String, String> = HashMap::new();
    for line in report.lines() {
        if line.trim().is_empty() {
            if lines.last().is_some_and(|last| !last.is_empty()) {
                lines.push(String::new());
            }
            continue;
        }
        let (text, label) = split_label(line);
        match first_with_text.get(text) {
            Some(&index) => {
                if let Some(label) = label {
                    match split_label(&lines[index]).1 {
                        Some(kept) => {
                            renamed.insert(label.to_string(), kept.to_string());
                        }
                        // The first one gets the label: references to it come later.
                        None => lines[index] = format!("{text} ({label})"),
                    }
                }
            }
            None => {
                first_with_text.insert(text.to_string(), lines.len());
                lines.push(line.to_string());
            }
        }
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    if !renamed.is_empty() {
        for line in &mut lines {
            *line = rename_references(line, &renamed);
        }
    }
    cap(lines).join("\n")
}

/// `text (3)`: the text and the label pubgrub's reporter gave the line.
fn split_label(line: &str) -> (&str, Option<&str>) {
    if let Some(open) = line.rfind(" (")
        && let Some(label) = line[open + 2..].strip_suffix(')')
        && !label.is_empty()
        && label.bytes().all(|byte| byte.is_ascii_digit())
    {
        return (&line[..open], Some(label));
    }
    (line, None)
}

/// Rewrites each `(N)` whose label was dropped to the label of the line that stays.
fn rename_references(line: &str, renamed: &HashMap<String, String>) -> String {
    map_references(line, |label| {
        Some(renamed.get(label).map_or(label, String::as_str).to_string())
    })
}

/// `line` with each `(N)` label or reference replaced by `(f(N))`, or removed (with the
/// space before it) when `f` gives `None`.
fn map_references(line: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('(') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(')') {
            Some(close)
                if close > 0 && after[..close].bytes().all(|byte| byte.is_ascii_digit()) =>
            {
                match f(&after[..close]) {
                    Some(label) => {
                        out.push('(');
                        out.push_str(&label);
                        out.push(')');
                    }
                    None => {
                        if out.ends_with(' ') {
                            out.pop();
                        }
                    }
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('(');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a line states a root requirement (or the conclusion about them).
fn names_root(line: &str) -> bool {
    line.contains("you require") || line.contains("the requirements cannot be satisfied")
}

/// At most [`MAX_LINES`]: the conclusion and the lines naming root requirements first,
/// then the lines closest to the conclusion, in their order, with a count of the rest.
fn cap(lines: Vec<String>) -> Vec<String> {
    let sentences = lines.iter().filter(|line| !line.is_empty()).count();
    if sentences <= MAX_LINES {
        return lines;
    }
    let Some(conclusion) = lines.len().checked_sub(1) else {
        return lines;
    };
    // One line goes to the note saying what was left out.
    let budget = MAX_LINES - 1;
    let mut keep: HashSet<usize> = HashSet::from([conclusion]);
    for (index, line) in lines.iter().enumerate().rev() {
        if keep.len() >= budget {
            break;
        }
        if names_root(line) {
            keep.insert(index);
        }
    }
    for (index, line) in lines.iter().enumerate().rev() {
        if keep.len() >= budget {
            break;
        }
        if !line.is_empty() {
            keep.insert(index);
        }
    }
    let left_out = sentences - keep.len();
    // References to lines left out would point at nothing.
    let labels: HashSet<String> = keep
        .iter()
        .filter_map(|&index| split_label(&lines[index]).1.map(str::to_string))
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(MAX_LINES);
    for (index, line) in lines.into_iter().enumerate() {
        if index == conclusion {
            out.push(format!(
                "(… {left_out} more lines of the explanation left out …)"
            ));
        }
        if keep.contains(&index) {
            out.push(map_references(&line, |label| {
                labels.contains(label).then(|| label.to_string())
            }));
        }
    }
    out
}

/// Why a package had no usable version, beyond "none exists": what the CLI shows as notes
/// and turns into help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hint {
    /// No configured index has the project; `suggestion` is a similar name that exists.
    NotFound {
        name: PackageName,
        suggestion: Option<PackageName>,
    },
    /// The project has files, but none installs on the target.
    NoCompatibleFiles { name: PackageName, target: Target },
    /// Every matching version needs another Python.
    RequiresPython {
        name: PackageName,
        /// The wanted versions, in PEP 440 terms (`>=2,<3`; empty for any).
        range: String,
        requires_python: String,
        target: Target,
    },
    /// Every matching version is yanked.
    AllYanked { name: PackageName, range: String },
    /// Only pre-releases match.
    OnlyPrereleases { name: PackageName, range: String },
    /// A pinned version (`==9.9`) the index does not have at all; `nearest` are the
    /// closest versions (by version order) that the target can use, ascending.
    VersionNotFound {
        name: PackageName,
        version: Version,
        nearest: Vec<Version>,
    },
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hint::NotFound { name, suggestion } => {
                write!(f, "`{name}` was not found on any configured index")?;
                if let Some(found) = suggestion {
                    write!(f, " (did you mean `{found}`?)")?;
                }
                Ok(())
            }
            Hint::NoCompatibleFiles { name, target } => {
                write!(f, "no file of `{name}` can be installed on {target}")
            }
            Hint::RequiresPython {
                name,
                range,
                requires_python,
                target,
            } => write!(
                f,
                "{name}{range}: the versions that match require Python {requires_python}, but the target is Python {}",
                target.python_full
            ),
            Hint::AllYanked { name, range } => write!(
                f,
                "{name}{range}: every matching version is yanked; pin one exactly to use it anyway"
            ),
            Hint::OnlyPrereleases { name, range } => write!(
                f,
                "{name}{range}: only pre-releases match; pass `--prerelease allow` to use them"
            ),
            Hint::VersionNotFound {
                name,
                version,
                nearest,
            } => {
                write!(f, "{name}=={version} does not exist")?;
                if !nearest.is_empty() {
                    let nearest: Vec<String> = nearest.iter().map(ToString::to_string).collect();
                    write!(f, "; available: {}", nearest.join(", "))?;
                }
                Ok(())
            }
        }
    }
}

/// Why no set of versions satisfies the requirements: pubgrub's derivation tree (simplified
/// against the versions that exist) and the hints, kept as data until the CLI renders them.
pub struct NoSolution {
    tree: Tree,
    hints: Vec<Hint>,
    /// The environment of a universal lock the requirements fail on.
    environment: Option<String>,
}

impl NoSolution {
    pub(crate) fn new(mut tree: Tree, hints: Vec<Hint>, available: &Available) -> NoSolution {
        simplify(&mut tree, available);
        NoSolution {
            tree,
            hints,
            environment: None,
        }
    }

    /// The same failure, found while resolving a universal lock for `environment`.
    pub(crate) fn in_environment(self, environment: String) -> NoSolution {
        NoSolution {
            environment: Some(environment),
            ..self
        }
    }

    /// The environment of a universal lock the requirements fail on.
    pub fn environment(&self) -> Option<&str> {
        self.environment.as_deref()
    }

    /// The derivation as sentences in PEP 440 terms, ending with the conclusion: each
    /// sentence once, and at most 25 lines (the conclusion and the lines naming root
    /// requirements are always kept, and the rest counted).
    pub fn explanation(&self) -> String {
        match &self.tree {
            // A one-step failure has no "because" chain in pubgrub's reporter.
            DerivationTree::External(external) => {
                format!(
                    "Because {}, the requirements cannot be satisfied.",
                    Formatter.format_external(external)
                )
            }
            tree => tidy(&DefaultStringReporter::report_with_formatter(
                tree, &Formatter,
            )),
        }
    }

    pub fn hints(&self) -> &[Hint] {
        &self.hints
    }

    /// Some requirement names a project no configured index has.
    pub fn has_unknown_package(&self) -> bool {
        self.hints
            .iter()
            .any(|hint| matches!(hint, Hint::NotFound { .. }))
    }
}

impl fmt::Display for NoSolution {
    /// The explanation, then one `note:` line per hint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(environment) = &self.environment {
            writeln!(
                f,
                "For {environment} (one environment of the universal lock):"
            )?;
        }
        f.write_str(&self.explanation())?;
        for hint in &self.hints {
            write!(f, "\nnote: {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for NoSolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NoSolution")
            .field("explanation", &self.explanation())
            .field("hints", &self.hints)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn version(text: &str) -> Version {
        Version::from_str(text).expect("version")
    }

    fn singletons(versions: &[&str]) -> Range {
        versions.iter().fold(Range::empty(), |range, text| {
            range.union(&Range::singleton(version(text)))
        })
    }

    #[test]
    fn ranges_read_as_pep_440() {
        assert_eq!(range_text(&Range::full()), "");
        assert_eq!(range_text(&Range::singleton(version("1.0"))), "==1.0");
        assert_eq!(
            range_text(&Range::between(version("1.0"), version("2"))),
            ">=1.0,<2"
        );
        assert_eq!(
            range_text(&Range::singleton(version("1.5")).complement()),
            "!=1.5"
        );
        // Unions of single versions keep their `==` (they used to read `skf-a1.0 or 1.1`).
        assert_eq!(range_text(&singletons(&["1.0", "1.1"])), "==1.0 or ==1.1");
        let many: Vec<String> = (0..20).map(|minor| format!("1.{minor}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            range_text(&singletons(&many)),
            "==1.0 or ==1.1 or ==1.2 or … (15 more) … or ==1.18 or ==1.19"
        );
    }

    #[test]
    fn repeated_sentences_are_said_once_and_references_follow() {
        let report = "Because a depends on b, c is required. (1)\n\nBecause x, y.\nBecause a depends on b, c is required. (2)\nAnd because d (2) and e (1), f.";
        assert_eq!(
            tidy(report),
            "Because a depends on b, c is required. (1)\n\nBecause x, y.\nAnd because d (1) and e (1), f."
        );
        // A repeat with a label lends it to the first one, which had none.
        assert_eq!(
            tidy("Because a, b.\nBecause a, b. (3)\nAnd because c (3), d."),
            "Because a, b. (3)\nAnd because c (3), d."
        );
        // Parentheses that are no references are left alone.
        assert_eq!(
            tidy("Because a cannot be used: bad (see docs), b."),
            "Because a cannot be used: bad (see docs), b."
        );
    }

    #[test]
    fn long_explanations_keep_the_conclusion_and_the_root_requirements() {
        let mut lines: Vec<String> =
            vec!["Because you require skf-top>=2, skf-top>=2 is required.".into()];
        lines.extend(
            (0..100)
                .map(|n| format!("And because skf-mid=={n} depends on skf-low=={n}, step {n}.")),
        );
        lines.push(
            "And because you require skf-low>=500, the requirements cannot be satisfied.".into(),
        );
        let text = tidy(&lines.join("\n"));
        let kept: Vec<&str> = text.lines().collect();
        assert_eq!(kept.len(), MAX_LINES, "{text}");
        assert_eq!(kept[0], lines[0], "{text}");
        assert_eq!(kept[MAX_LINES - 1], lines[101], "{text}");
        assert_eq!(
            kept[MAX_LINES - 2],
            "(… 78 more lines of the explanation left out …)",
            "{text}"
        );
        // The closest steps to the conclusion stay, in order.
        assert_eq!(kept[MAX_LINES - 3], lines[100], "{text}");
        assert_eq!(kept[1], lines[79], "{text}");
        // A reference to a line left out is dropped; one to a kept line stays.
        let mut labelled = lines.clone();
        labelled[10] = format!("{} (1)", labelled[10]);
        labelled[99] = format!("{} (2)", labelled[99]);
        labelled[100] = "And because step 9 (1) and step 98 (2), step 99.".into();
        let text = tidy(&labelled.join("\n"));
        assert!(
            text.contains("\nAnd because step 9 and step 98 (2), step 99.\n"),
            "{text}"
        );
        // Short ones are untouched.
        assert_eq!(tidy(&lines[..20].join("\n")), lines[..20].join("\n"));
    }
}
