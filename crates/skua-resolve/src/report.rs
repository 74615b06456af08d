//! Human-readable explanations of why no resolution exists, in PEP 440 terms
//! ("skf-app>=2 depends on skf-lib<2") rather than pubgrub's interval notation.

use std::fmt;

use pep440_rs::Version;
use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, ReportFormatter, Reporter, Term,
};
use skua_platform::Target;
use skua_types::PackageName;
use version_ranges::Ranges;

use crate::provider::Pkg;

type Range = Ranges<Version>;

struct Formatter;

pub(crate) fn range_text(range: &Range) -> String {
    if range == &Range::full() {
        return String::new();
    }
    if let Some(version) = range.as_singleton() {
        return format!("=={version}");
    }
    range.to_string().replace(" | ", " or ").replace(", ", ",")
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
        }
    }
}

/// Why no set of versions satisfies the requirements: pubgrub's derivation tree (with
/// the uninformative "no versions" leaves collapsed) and the hints, kept as data until
/// the CLI renders them.
pub struct NoSolution {
    tree: DerivationTree<Pkg, Range, String>,
    hints: Vec<Hint>,
}

impl NoSolution {
    pub(crate) fn new(tree: DerivationTree<Pkg, Range, String>, hints: Vec<Hint>) -> NoSolution {
        NoSolution { tree, hints }
    }

    /// The derivation as sentences in PEP 440 terms, ending with the conclusion.
    pub fn explanation(&self) -> String {
        match &self.tree {
            // A one-step failure has no "because" chain in pubgrub's reporter.
            DerivationTree::External(external) => {
                format!(
                    "Because {}, the requirements cannot be satisfied.",
                    Formatter.format_external(external)
                )
            }
            tree => DefaultStringReporter::report_with_formatter(tree, &Formatter),
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
