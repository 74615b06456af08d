//! PEP 508 environment markers: parsing and evaluation.
//!
//! `pep508_rs` builds markers into a process-wide interner guarded by a mutex; some
//! hostile markers (e.g. `python_version <= "3.18446744073709551615"`) overflow inside it,
//! which poisons the mutex and makes every later marker parse in the process panic. Index
//! metadata is untrusted input, so markers are parsed and evaluated here and never handed
//! to `pep508_rs`.

use crate::Span;
use crate::requirement::ParseError;

const VARIABLES: &[&str] = &[
    "python_version",
    "python_full_version",
    "os_name",
    "sys_platform",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform_machine",
    "platform_python_implementation",
    "implementation_name",
    "implementation_version",
    "extra",
    // PEP 751
    "extras",
    "dependency_groups",
    // legacy spellings still accepted by `packaging`
    "os.name",
    "sys.platform",
    "platform.version",
    "platform.machine",
    "platform.python_implementation",
    "python_implementation",
];

const OPERATORS: &[&str] = &["===", "==", "!=", "<=", ">=", "~=", "<", ">"];

/// Bounds recursion through parentheses independently of the caller's checks.
const MAX_DEPTH: usize = 64;

/// Checks `marker` against the PEP 508 marker grammar. Spans in the error are relative to
/// `marker`.
pub(crate) fn validate_marker(marker: &str) -> Result<(), ParseError> {
    parse_marker(marker).map(|_| ())
}

fn parse_marker(marker: &str) -> Result<Marker, ParseError> {
    let mut parser = Parser {
        s: marker,
        pos: 0,
        depth: 0,
    };
    let tree = parser.or()?;
    parser.skip_ws();
    if parser.pos < marker.len() {
        return Err(parser.error("unexpected text after marker expression"));
    }
    Ok(tree)
}

/// A parsed marker expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    And(Vec<Marker>),
    Or(Vec<Marker>),
    Compare {
        left: MarkerValue,
        op: MarkerOp,
        right: MarkerValue,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkerValue {
    Variable(String),
    Literal(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerOp {
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
    Compatible,
    Arbitrary,
    In,
    NotIn,
}

/// The values markers are evaluated against (one target interpreter and platform).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MarkerEnvironment {
    pub implementation_name: String,
    pub implementation_version: String,
    pub os_name: String,
    pub platform_machine: String,
    pub platform_python_implementation: String,
    pub platform_release: String,
    pub platform_system: String,
    pub platform_version: String,
    pub python_full_version: String,
    pub python_version: String,
    pub sys_platform: String,
}

impl MarkerEnvironment {
    fn get(&self, variable: &str) -> Option<&str> {
        Some(match variable {
            "implementation_name" => &self.implementation_name,
            "implementation_version" => &self.implementation_version,
            "os_name" | "os.name" => &self.os_name,
            "platform_machine" | "platform.machine" => &self.platform_machine,
            "platform_python_implementation"
            | "platform.python_implementation"
            | "python_implementation" => &self.platform_python_implementation,
            "platform_release" => &self.platform_release,
            "platform_system" => &self.platform_system,
            "platform_version" | "platform.version" => &self.platform_version,
            "python_full_version" => &self.python_full_version,
            "python_version" => &self.python_version,
            "sys_platform" | "sys.platform" => &self.sys_platform,
            _ => return None,
        })
    }
}

impl std::str::FromStr for Marker {
    type Err = crate::ParseError;

    fn from_str(marker: &str) -> Result<Self, Self::Err> {
        parse_marker(marker)
    }
}

impl Marker {
    /// Evaluates the marker for `env` with the given extras active.
    pub fn evaluate(&self, env: &MarkerEnvironment, extras: &[skua_types::ExtraName]) -> bool {
        match self {
            Marker::And(all) => all.iter().all(|marker| marker.evaluate(env, extras)),
            Marker::Or(any) => any.iter().any(|marker| marker.evaluate(env, extras)),
            Marker::Compare { left, op, right } => compare(env, extras, left, *op, right),
        }
    }
}

const VERSION_VARIABLES: &[&str] = &[
    "python_version",
    "python_full_version",
    "implementation_version",
];

fn compare(
    env: &MarkerEnvironment,
    extras: &[skua_types::ExtraName],
    left: &MarkerValue,
    op: MarkerOp,
    right: &MarkerValue,
) -> bool {
    // `extra == "tls"` is true when that extra is requested (names compared normalized).
    let extra_side = match (left, right) {
        (MarkerValue::Variable(v), MarkerValue::Literal(l))
        | (MarkerValue::Literal(l), MarkerValue::Variable(v))
            if v == "extra" =>
        {
            Some(skua_types::ExtraName::new(l).ok())
        }
        _ => None,
    };
    if let Some(extra) = extra_side {
        let active = extra.is_some_and(|extra| extras.contains(&extra));
        return match op {
            MarkerOp::Equal | MarkerOp::Arbitrary => active,
            MarkerOp::NotEqual => !active,
            _ => false,
        };
    }
    let resolve = |value: &MarkerValue| -> Option<(String, bool)> {
        match value {
            MarkerValue::Literal(text) => Some((text.clone(), false)),
            MarkerValue::Variable(name) => env
                .get(name)
                .map(|v| (v.to_string(), VERSION_VARIABLES.contains(&name.as_str()))),
        }
    };
    let (Some((left_value, left_is_version)), Some((right_value, right_is_version))) =
        (resolve(left), resolve(right))
    else {
        return false;
    };
    match op {
        MarkerOp::In => return right_value.contains(&left_value),
        MarkerOp::NotIn => return !right_value.contains(&left_value),
        _ => {}
    }
    if (left_is_version || right_is_version)
        && let Some(result) = compare_versions(&left_value, op, &right_value)
    {
        return result;
    }
    match op {
        MarkerOp::Equal | MarkerOp::Arbitrary => left_value == right_value,
        MarkerOp::NotEqual => left_value != right_value,
        MarkerOp::Less => left_value < right_value,
        MarkerOp::LessEqual => left_value <= right_value,
        MarkerOp::Greater => left_value > right_value,
        MarkerOp::GreaterEqual => left_value >= right_value,
        MarkerOp::Compatible | MarkerOp::In | MarkerOp::NotIn => false,
    }
}

/// `left op right` with PEP 440 semantics (`python_version >= "3.8"`, also written reversed).
fn compare_versions(left: &str, op: MarkerOp, right: &str) -> Option<bool> {
    let symbol = match op {
        MarkerOp::Equal => "==",
        MarkerOp::NotEqual => "!=",
        MarkerOp::Less => "<",
        MarkerOp::LessEqual => "<=",
        MarkerOp::Greater => ">",
        MarkerOp::GreaterEqual => ">=",
        MarkerOp::Compatible => "~=",
        MarkerOp::Arbitrary => return Some(left == right),
        MarkerOp::In | MarkerOp::NotIn => return None,
    };
    let version = pep440_rs::Version::from_str(left).ok()?;
    let specifier = pep440_rs::VersionSpecifier::from_str(&format!("{symbol}{right}")).ok()?;
    Some(specifier.contains(&version))
}

use std::str::FromStr;

struct Parser<'a> {
    s: &'a str,
    pos: usize,
    depth: usize,
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn here(&self) -> Span {
        let len = self.rest().chars().next().map_or(0, char::len_utf8);
        self.pos..self.pos + len
    }

    fn error(&self, message: &str) -> ParseError {
        let found = match self.rest().chars().next() {
            Some(c) => format!("`{c}`"),
            None => "end of marker".to_string(),
        };
        ParseError {
            message: format!("{message}, found {found}"),
            span: self.here(),
        }
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// Consumes `word` when it is not the start of a longer identifier.
    fn keyword(&mut self, word: &str) -> bool {
        let rest = self.rest();
        let follows_ident = rest
            .get(word.len()..)
            .and_then(|after| after.chars().next())
            .is_some_and(is_ident_char);
        if rest.starts_with(word) && !follows_ident {
            self.pos += word.len();
            return true;
        }
        false
    }

    fn or(&mut self) -> Result<Marker, ParseError> {
        let mut any = vec![self.and()?];
        loop {
            self.skip_ws();
            if !self.keyword("or") {
                return Ok(if any.len() == 1 {
                    any.remove(0)
                } else {
                    Marker::Or(any)
                });
            }
            any.push(self.and()?);
        }
    }

    fn and(&mut self) -> Result<Marker, ParseError> {
        let mut all = vec![self.expr()?];
        loop {
            self.skip_ws();
            if !self.keyword("and") {
                return Ok(if all.len() == 1 {
                    all.remove(0)
                } else {
                    Marker::And(all)
                });
            }
            all.push(self.expr()?);
        }
    }

    fn expr(&mut self) -> Result<Marker, ParseError> {
        self.skip_ws();
        if self.rest().starts_with('(') {
            if self.depth >= MAX_DEPTH {
                return Err(self.error("marker parentheses nested too deeply"));
            }
            self.pos += 1;
            self.depth += 1;
            let inner = self.or()?;
            self.skip_ws();
            if !self.rest().starts_with(')') {
                return Err(self.error("expected `)`"));
            }
            self.pos += 1;
            self.depth -= 1;
            return Ok(inner);
        }
        let left = self.value()?;
        let op = self.operator()?;
        let right = self.value()?;
        Ok(Marker::Compare { left, op, right })
    }

    fn value(&mut self) -> Result<MarkerValue, ParseError> {
        self.skip_ws();
        let rest = self.rest();
        if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            return match rest.get(1..).and_then(|body| body.find(quote)) {
                Some(close) => {
                    let literal = rest.get(1..close + 1).unwrap_or("").to_string();
                    self.pos += close + 2;
                    Ok(MarkerValue::Literal(literal))
                }
                None => Err(ParseError {
                    message: "unterminated string in marker".to_string(),
                    span: self.here(),
                }),
            };
        }
        let len = rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len());
        let name = rest.get(..len).unwrap_or("");
        if name.is_empty() {
            return Err(self.error("expected a marker variable or a quoted string"));
        }
        if !VARIABLES.contains(&name) {
            return Err(ParseError {
                message: format!("unknown marker variable `{name}`"),
                span: self.pos..self.pos + len,
            });
        }
        let name = name.to_string();
        self.pos += len;
        Ok(MarkerValue::Variable(name))
    }

    fn operator(&mut self) -> Result<MarkerOp, ParseError> {
        self.skip_ws();
        if let Some(op) = OPERATORS.iter().find(|op| self.rest().starts_with(**op)) {
            self.pos += op.len();
            return Ok(match *op {
                "===" => MarkerOp::Arbitrary,
                "==" => MarkerOp::Equal,
                "!=" => MarkerOp::NotEqual,
                "<=" => MarkerOp::LessEqual,
                ">=" => MarkerOp::GreaterEqual,
                "~=" => MarkerOp::Compatible,
                "<" => MarkerOp::Less,
                _ => MarkerOp::Greater,
            });
        }
        if self.keyword("in") {
            return Ok(MarkerOp::In);
        }
        if self.keyword("not") {
            let before = self.pos;
            self.skip_ws();
            if self.pos > before && self.keyword("in") {
                return Ok(MarkerOp::NotIn);
            }
            return Err(self.error("expected `in` after `not`"));
        }
        Err(self.error("expected a marker operator"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux_311() -> MarkerEnvironment {
        MarkerEnvironment {
            implementation_name: "cpython".into(),
            implementation_version: "3.11.7".into(),
            os_name: "posix".into(),
            platform_machine: "x86_64".into(),
            platform_python_implementation: "CPython".into(),
            platform_system: "Linux".into(),
            python_full_version: "3.11.7".into(),
            python_version: "3.11".into(),
            sys_platform: "linux".into(),
            ..MarkerEnvironment::default()
        }
    }

    #[test]
    fn evaluates_markers() {
        let env = linux_311();
        let eval = |text: &str, extras: &[&str]| {
            let extras: Vec<skua_types::ExtraName> =
                extras.iter().map(|e| e.parse().unwrap()).collect();
            text.parse::<Marker>().unwrap().evaluate(&env, &extras)
        };
        assert!(eval("python_version >= \"3.8\"", &[]));
        assert!(!eval("python_version < \"3.9\"", &[]));
        assert!(
            eval("python_version > \"3.9\"", &[]),
            "versions compare numerically, not as strings"
        );
        assert!(eval("\"3.10\" <= python_version", &[]));
        assert!(eval(
            "sys_platform == \"linux\" and platform_machine != \"arm64\"",
            &[]
        ));
        assert!(!eval("sys_platform == \"win32\" or os_name == \"nt\"", &[]));
        assert!(eval("extra == \"tls\"", &["tls"]));
        assert!(eval("extra == \"TLS_Extra\"", &["tls-extra"]));
        assert!(!eval("extra == \"tls\"", &[]));
        assert!(eval(
            "(extra == \"a\" or extra == \"b\") and python_full_version >= \"3.11.2\"",
            &["b"]
        ));
        assert!(eval("\"linux\" in sys_platform", &[]));
        assert!(eval("platform_system not in \"Windows Darwin\"", &[]));
        assert!(eval("python_version ~= \"3.10\"", &[]));
        assert!(!eval(
            "python_version <= \"3.18446744073709551615\" and python_version == \"2.7\"",
            &[]
        ));
    }

    #[test]
    fn accepts_valid_markers() {
        for marker in [
            "python_version < \"3.11\"",
            "python_version<'3'and os_name=='nt'",
            "(sys_platform == 'linux' or sys_platform == 'darwin') and extra == 'x'",
            "'linux' in sys_platform",
            "platform_machine not in 'x86_64 aarch64'",
            "os.name == 'posix'",
            "implementation_name === 'cpython'",
        ] {
            assert!(validate_marker(marker).is_ok(), "{marker}");
        }
    }

    #[test]
    fn rejects_invalid_markers() {
        for (marker, span) in [
            ("", 0..0),
            ("python_version", 14..14),
            ("python_version < '3", 17..18),
            ("pyton_version < '3'", 0..13),
            ("python_version < '3' and", 24..24),
            ("(os_name == 'nt'", 16..16),
            ("os_name == 'nt')", 15..16),
            ("os_name notin 'x'", 8..9),
        ] {
            let err = validate_marker(marker).unwrap_err();
            assert_eq!(err.span, span, "{marker}: {}", err.message);
        }
    }
}
