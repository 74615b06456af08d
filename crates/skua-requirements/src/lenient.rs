//! Lenient parsing of the requirement and specifier strings of published metadata.
//!
//! Releases uploaded years ago carry mistakes the strict grammar rejects (`>=3.6,`,
//! `>=1.3.0,<1.4.0',`, `>=7.2.0<8.0.0`, `>=1.9.*`). Files on an index never change, so
//! rejecting them would make those releases unusable for good; instead the rewrites uv
//! applies to the same mistakes ([`Fix`]) are tried one after another, each on top of the
//! previous ones, until the text parses. Only the version part is rewritten: names,
//! extras, direct URLs and markers stay as written, so a marker's quotes are never lost.

use std::fmt;
use std::str::FromStr;

use pep440_rs::{VersionSpecifiers, VersionSpecifiersParseError};

use crate::{ParseError, Requirement};

/// A value parsed after rewriting its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lenient<T> {
    pub value: T,
    /// The rewrites it took, in the order applied; empty when the text was valid as written.
    pub fixes: Vec<Fix>,
}

/// One rewrite of a common mistake in a version specifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// `>=7.2.0<8.0.0` → `>=7.2.0,<8.0.0`
    MissingComma,
    /// `!=~5.0` → `!=5.0.*`
    NotEqualTilde,
    /// `>=1.9.*` → `>=1.9`: a wildcard only means something after `==` and `!=`.
    StarAfterComparison,
    /// `!=3.0*` → `!=3.0.*`
    MissingDot,
    /// `>=3.6,` → `>=3.6`
    TrailingComma,
    /// `>dev` → `>0.0.0dev`
    GreaterThanDev,
    /// `>=9.0.0a1.0` → `>=9.0.0a1`
    TrailingZero,
    /// `>=3.6'` → `>=3.6`, `'>= 2.7'` → `>= 2.7` (outside markers only).
    StrayQuotes,
}

/// The order uv applies them in; later fixes see the result of earlier ones.
const FIXES: [Fix; 8] = [
    Fix::MissingComma,
    Fix::NotEqualTilde,
    Fix::StarAfterComparison,
    Fix::MissingDot,
    Fix::TrailingComma,
    Fix::GreaterThanDev,
    Fix::TrailingZero,
    Fix::StrayQuotes,
];

impl Fix {
    pub fn description(self) -> &'static str {
        match self {
            Fix::MissingComma => "inserted a missing comma between specifiers",
            Fix::NotEqualTilde => "replaced `!=~` with a `!=` wildcard",
            Fix::StarAfterComparison => "removed a wildcard after a comparison operator",
            Fix::MissingDot => "inserted a missing dot before a wildcard",
            Fix::TrailingComma => "removed a trailing comma",
            Fix::GreaterThanDev => "read `>dev` as `>0.0.0dev`",
            Fix::TrailingZero => "removed a trailing `.0` after a pre-release",
            Fix::StrayQuotes => "removed stray quotes",
        }
    }

    /// Rewrites `prefix` (what precedes the specifiers: name and extras) and `specifiers`;
    /// `false` when there was nothing to rewrite.
    fn apply(self, prefix: &mut String, specifiers: &mut String) -> bool {
        let fixed = match self {
            Fix::StrayQuotes => {
                let is_quote = |c: char| c == '\'' || c == '"';
                if !prefix.contains(is_quote) && !specifiers.contains(is_quote) {
                    return false;
                }
                prefix.retain(|c| !is_quote(c));
                specifiers.retain(|c| !is_quote(c));
                return true;
            }
            Fix::MissingComma => missing_comma(specifiers),
            Fix::TrailingComma => {
                let (open, inner, close) = parenthesized(specifiers);
                let trimmed = inner.trim_end_matches(|c: char| c == ',' || c.is_whitespace());
                format!("{open}{trimmed}{close}")
            }
            Fix::NotEqualTilde => map_clauses(specifiers, |clause| {
                let version = clause.strip_prefix("!=~")?.trim();
                is_release(version).then(|| format!("!={version}.*"))
            }),
            Fix::StarAfterComparison => map_clauses(specifiers, |clause| {
                let (operator, version) = split_operator(clause);
                let release = version.strip_suffix(".*")?;
                (matches!(operator, "<" | "<=" | ">" | ">=") && is_release(release))
                    .then(|| format!("{operator}{release}"))
            }),
            Fix::MissingDot => map_clauses(specifiers, |clause| {
                let head = clause.strip_suffix('*')?;
                head.ends_with(|c: char| c.is_ascii_digit())
                    .then(|| format!("{head}.*"))
            }),
            Fix::GreaterThanDev => map_clauses(specifiers, |clause| {
                (split_operator(clause) == (">", "dev")).then(|| ">0.0.0dev".to_owned())
            }),
            Fix::TrailingZero => map_clauses(specifiers, |clause| {
                let head = clause.strip_suffix(".0")?;
                let before_number = head.trim_end_matches(|c: char| c.is_ascii_digit());
                let label_ends_here = before_number.len() < head.len()
                    && ["a", "b", "rc", "post", "dev"].iter().any(|label| {
                        before_number
                            .strip_suffix(label)
                            .is_some_and(|release| release.ends_with(|c: char| c.is_ascii_digit()))
                    });
                label_ends_here.then(|| head.to_owned())
            }),
        };
        if fixed == *specifiers {
            return false;
        }
        *specifiers = fixed;
        true
    }
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// Tries `parse` on `prefix + specifiers + suffix` after each fix that changes something.
fn with_fixes<T>(
    mut prefix: String,
    mut specifiers: String,
    suffix: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<Lenient<T>> {
    let mut fixes = Vec::new();
    for fix in FIXES {
        if !fix.apply(&mut prefix, &mut specifiers) {
            continue;
        }
        fixes.push(fix);
        if let Some(value) = parse(&format!("{prefix}{specifiers}{suffix}")) {
            return Some(Lenient { value, fixes });
        }
    }
    None
}

/// Parses a PEP 508 requirement such as a `Requires-Dist` value, fixing the version
/// part when the text as written is invalid. The error is the one for the text as
/// written.
pub fn parse_requirement_lenient(text: &str) -> Result<Lenient<Requirement>, ParseError> {
    let error = match Requirement::from_str(text) {
        Ok(value) => {
            return Ok(Lenient {
                value,
                fixes: Vec::new(),
            });
        }
        Err(error) => error,
    };
    let text = text.trim();
    // A direct reference's URL may contain anything; leave it alone.
    let head_end = text.find(';').unwrap_or(text.len());
    let (head, marker) = text.split_at(head_end);
    if head.contains('@') {
        return Err(error);
    }
    let specifiers_start = head
        .find(['<', '>', '=', '!', '~', '('])
        .unwrap_or(head.len());
    let (prefix, specifiers) = head.split_at(specifiers_start);
    // A marker needs a separator only when the head no longer ends in one.
    let suffix = if marker.is_empty() {
        String::new()
    } else {
        format!(" {marker}")
    };
    with_fixes(prefix.to_owned(), specifiers.to_owned(), &suffix, |fixed| {
        Requirement::from_str(fixed).ok()
    })
    .ok_or(error)
}

/// Parses version specifiers such as a `Requires-Python` value, fixing the text when
/// it is invalid as written. The error is the one for the text as written.
pub fn parse_specifiers_lenient(text: &str) -> Result<Lenient<VersionSpecifiers>, ParseError> {
    let error = match VersionSpecifiers::from_str(text) {
        Ok(value) => {
            return Ok(Lenient {
                value,
                fixes: Vec::new(),
            });
        }
        Err(error) => error,
    };
    with_fixes(String::new(), text.trim().to_owned(), "", |fixed| {
        VersionSpecifiers::from_str(fixed).ok()
    })
    .ok_or_else(|| specifiers_failure(text, &error))
}

/// One line: `pep440_rs` displays the input again with carets under it, which the
/// caller (quoting the value itself) does not want.
fn specifiers_failure(text: &str, error: &VersionSpecifiersParseError) -> ParseError {
    let shown = error.to_string();
    let first = shown.lines().next().unwrap_or_default();
    let message = first
        .strip_prefix("Failed to parse version: ")
        .unwrap_or(first);
    ParseError {
        message: message.strip_suffix(':').unwrap_or(message).to_owned(),
        span: 0..text.len(),
    }
}

/// `(open, inner, close)`: the parentheses of the old `name (>=1.0)` form with the
/// whitespace next to them, and what they enclose.
fn parenthesized(specifiers: &str) -> (&str, &str, &str) {
    let inner_start = specifiers.len()
        - specifiers
            .trim_start_matches(|c: char| c == '(' || c.is_whitespace())
            .len();
    let inner_end = specifiers
        .trim_end_matches(|c: char| c == ')' || c.is_whitespace())
        .len()
        .max(inner_start);
    let (head, close) = specifiers.split_at(inner_end);
    let (open, inner) = head.split_at(inner_start);
    (open, inner, close)
}

/// Applies `fix` to each comma-separated clause (trimmed, without parentheses), keeping
/// everything around the clauses as it was.
fn map_clauses(specifiers: &str, fix: impl Fn(&str) -> Option<String>) -> String {
    specifiers
        .split(',')
        .map(|part| {
            let (open, clause, close) = parenthesized(part);
            match fix(clause) {
                Some(fixed) if !clause.is_empty() => format!("{open}{fixed}{close}"),
                _ => part.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// `(">=", "1.0")` for `">= 1.0"`.
fn split_operator(clause: &str) -> (&str, &str) {
    let version = clause.trim_start_matches(['<', '>', '=', '!', '~']);
    let (operator, _) = clause.split_at(clause.len() - version.len());
    (operator, version.trim())
}

/// `1`, `1.9`, `2.7.18`: digits separated by single dots.
fn is_release(version: &str) -> bool {
    !version.is_empty()
        && version
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// A comma before each operator that directly follows a version (`>=7.2.0<8` or
/// `>=7.2.0 <8`). `!` and `~` count only as the start of `!=` and `~=`, so an epoch
/// (`1!2.0`) is left alone.
fn missing_comma(specifiers: &str) -> String {
    let mut out = String::with_capacity(specifiers.len() + 2);
    let mut last = None;
    let mut chars = specifiers.chars().peekable();
    while let Some(c) = chars.next() {
        let starts_operator = match c {
            '<' | '>' | '=' => true,
            '!' | '~' => chars.peek() == Some(&'='),
            _ => false,
        };
        if starts_operator && last.is_some_and(|prev: char| prev.is_ascii_digit() || prev == '*') {
            out.push(',');
        }
        out.push(c);
        if !c.is_whitespace() {
            last = Some(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed requirement, in the canonical form, and the fixes it took.
    fn fixed(text: &str) -> (String, Vec<Fix>) {
        let lenient = parse_requirement_lenient(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        (lenient.value.to_string(), lenient.fixes)
    }

    fn fixed_specifiers(text: &str) -> (String, Vec<Fix>) {
        let lenient = parse_specifiers_lenient(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        (lenient.value.to_string(), lenient.fixes)
    }

    #[test]
    fn valid_text_is_not_rewritten() {
        assert_eq!(fixed("foo>=1.0,<2"), ("foo>=1.0,<2".into(), vec![]));
        assert_eq!(
            fixed("foo (>=1.0) ; python_version >= '3.7'"),
            ("foo>=1.0 ; python_version >= '3.7'".into(), vec![])
        );
        assert_eq!(fixed_specifiers(">=3.8"), (">=3.8".into(), vec![]));
    }

    #[test]
    fn stray_quote_and_trailing_comma() {
        // boto3 1.2.0's METADATA.
        assert_eq!(
            fixed("botocore>=1.3.0,<1.4.0',"),
            (
                "botocore>=1.3.0,<1.4.0".into(),
                vec![Fix::TrailingComma, Fix::StrayQuotes]
            )
        );
        assert_eq!(
            fixed_specifiers(">=3.6'").0,
            VersionSpecifiers::from_str(">=3.6").unwrap().to_string()
        );
        assert_eq!(fixed_specifiers(">= '2.7'").1, [Fix::StrayQuotes]);
        assert_eq!(fixed_specifiers(">=\"3.6\"").1, [Fix::StrayQuotes]);
    }

    #[test]
    fn stray_quotes_around_the_name_but_not_in_the_marker() {
        assert_eq!(
            fixed("'numpy' >=1.19\"; python_version >= \"3.7\"").0,
            "numpy>=1.19 ; python_version >= \"3.7\""
        );
    }

    #[test]
    fn trailing_commas() {
        assert_eq!(fixed("pyzmq >=3.6,").0, "pyzmq>=3.6");
        assert_eq!(fixed("pyzmq (>=3.6, )").0, "pyzmq>=3.6");
        assert_eq!(
            fixed("pyzmq >=3.6, ; python_version < '4'").0,
            "pyzmq>=3.6 ; python_version < '4'"
        );
        let celery = ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*,";
        assert_eq!(
            fixed_specifiers(celery),
            (
                VersionSpecifiers::from_str(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*")
                    .unwrap()
                    .to_string(),
                vec![Fix::TrailingComma]
            )
        );
        assert_eq!(fixed_specifiers(">=3.6, ").1, [Fix::TrailingComma]);
    }

    #[test]
    fn missing_commas() {
        assert_eq!(
            fixed("elasticsearch-dsl (>=7.2.0<8.0.0)"),
            (
                "elasticsearch-dsl>=7.2.0,<8.0.0".into(),
                vec![Fix::MissingComma]
            )
        );
        assert_eq!(fixed("foo >=7.2.0 !=7.3 <8").0, "foo>=7.2.0,!=7.3,<8");
        assert_eq!(fixed_specifiers(">=7.2.0<8.0.0").1, [Fix::MissingComma]);
        // An epoch's `!` is not an operator.
        assert_eq!(missing_comma(">=1!2.0"), ">=1!2.0");
    }

    #[test]
    fn not_equal_tilde() {
        assert_eq!(
            fixed("jupyter-core (!=~5.0,>=4.12)"),
            (
                "jupyter-core!=5.0.*,>=4.12".into(),
                vec![Fix::NotEqualTilde]
            )
        );
        assert_eq!(
            fixed("jupyter-core (!=~5,>=4.12)").0,
            "jupyter-core!=5.*,>=4.12"
        );
    }

    #[test]
    fn star_after_comparison() {
        assert_eq!(
            fixed("torch (>=1.9.*)"),
            ("torch>=1.9".into(), vec![Fix::StarAfterComparison])
        );
        assert_eq!(fixed_specifiers(">=1.*").0, ">=1");
        // wincertstore
        assert_eq!(
            fixed_specifiers(">=2.7,!=3.0.*,!=3.1.*,<3.4.*").0,
            VersionSpecifiers::from_str(">=2.7,!=3.0.*,!=3.1.*,<3.4")
                .unwrap()
                .to_string()
        );
    }

    #[test]
    fn missing_dot() {
        assert_eq!(
            fixed("pyzmq (>=2.7,!=3.0*,!=3.1*,!=3.2*)"),
            (
                "pyzmq>=2.7,!=3.0.*,!=3.1.*,!=3.2.*".into(),
                vec![Fix::MissingDot]
            )
        );
    }

    #[test]
    fn greater_than_dev_and_trailing_zero() {
        assert_eq!(
            fixed_specifiers(">dev"),
            (">0.0.0.dev0".into(), vec![Fix::GreaterThanDev])
        );
        for (text, expected) in [
            (">=9.0.0a1.0", ">=9.0.0a1"),
            (">=9.0a1.0", ">=9.0a1"),
            (">=9a1.0", ">=9a1"),
        ] {
            assert_eq!(
                fixed_specifiers(text),
                (expected.into(), vec![Fix::TrailingZero]),
                "{text}"
            );
        }
    }

    #[test]
    fn several_fixes_in_order() {
        // algoliasearch / okta
        assert_eq!(
            fixed_specifiers(">=2.7, !=3.0.*, !=3.1.*', !=3.2.*, !=3.3.*'").1,
            [Fix::StrayQuotes]
        );
        assert_eq!(
            fixed("foo>=1.0.*<2',").1,
            [
                Fix::MissingComma,
                Fix::StarAfterComparison,
                Fix::TrailingComma,
                Fix::StrayQuotes
            ]
        );
    }

    #[test]
    fn what_cannot_be_fixed_keeps_the_original_error() {
        let original = Requirement::from_str("foo>=1.0.x").unwrap_err();
        assert_eq!(
            parse_requirement_lenient("foo>=1.0.x").unwrap_err(),
            original
        );
        // Markers and URLs are never rewritten.
        assert!(parse_requirement_lenient("foo>=1.0; python_version >= '3.7' and").is_err());
        let url = parse_requirement_lenient("foo @ https://x/foo.whl'").unwrap();
        assert_eq!(url.value.url.as_deref(), Some("https://x/foo.whl'"));
        assert!(url.fixes.is_empty());
        assert!(parse_requirement_lenient("foo>=1.0' @ https://x/foo.whl").is_err());
        let error = parse_specifiers_lenient(">=3.6.x").unwrap_err();
        assert_eq!(
            error.message,
            "after parsing `3.6`, found `.x`, which is not part of a valid version"
        );
        assert!(parse_specifiers_lenient("").is_ok());
    }
}
