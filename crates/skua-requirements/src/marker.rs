//! Syntax check for PEP 508 environment markers.
//!
//! `pep508_rs` builds markers into a process-wide interner guarded by a mutex; some
//! hostile markers (e.g. `python_version <= "3.18446744073709551615"`) overflow inside it,
//! which poisons the mutex and makes every later marker parse in the process panic. The
//! linter only needs to know whether a marker is well-formed, so markers are checked here
//! and never handed to `pep508_rs`.

use crate::Span;
use crate::requirement::ParseFailure;

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
pub(crate) fn validate_marker(marker: &str) -> Result<(), ParseFailure> {
    let mut parser = Parser {
        s: marker,
        pos: 0,
        depth: 0,
    };
    parser.or()?;
    parser.skip_ws();
    if parser.pos < marker.len() {
        return Err(parser.error("unexpected text after marker expression"));
    }
    Ok(())
}

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

    fn error(&self, message: &str) -> ParseFailure {
        let found = match self.rest().chars().next() {
            Some(c) => format!("`{c}`"),
            None => "end of marker".to_string(),
        };
        ParseFailure {
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

    fn or(&mut self) -> Result<(), ParseFailure> {
        self.and()?;
        loop {
            self.skip_ws();
            if !self.keyword("or") {
                return Ok(());
            }
            self.and()?;
        }
    }

    fn and(&mut self) -> Result<(), ParseFailure> {
        self.expr()?;
        loop {
            self.skip_ws();
            if !self.keyword("and") {
                return Ok(());
            }
            self.expr()?;
        }
    }

    fn expr(&mut self) -> Result<(), ParseFailure> {
        self.skip_ws();
        if self.rest().starts_with('(') {
            if self.depth >= MAX_DEPTH {
                return Err(self.error("marker parentheses nested too deeply"));
            }
            self.pos += 1;
            self.depth += 1;
            self.or()?;
            self.skip_ws();
            if !self.rest().starts_with(')') {
                return Err(self.error("expected `)`"));
            }
            self.pos += 1;
            self.depth -= 1;
            return Ok(());
        }
        self.value()?;
        self.operator()?;
        self.value()
    }

    fn value(&mut self) -> Result<(), ParseFailure> {
        self.skip_ws();
        let rest = self.rest();
        if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
            return match rest.get(1..).and_then(|body| body.find(quote)) {
                Some(close) => {
                    self.pos += close + 2;
                    Ok(())
                }
                None => Err(ParseFailure {
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
            return Err(ParseFailure {
                message: format!("unknown marker variable `{name}`"),
                span: self.pos..self.pos + len,
            });
        }
        self.pos += len;
        Ok(())
    }

    fn operator(&mut self) -> Result<(), ParseFailure> {
        self.skip_ws();
        if let Some(op) = OPERATORS.iter().find(|op| self.rest().starts_with(**op)) {
            self.pos += op.len();
            return Ok(());
        }
        if self.keyword("in") {
            return Ok(());
        }
        if self.keyword("not") {
            let before = self.pos;
            self.skip_ws();
            if self.pos > before && self.keyword("in") {
                return Ok(());
            }
            return Err(self.error("expected `in` after `not`"));
        }
        Err(self.error("expected a marker operator"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
