//! `pyvenv.cfg` (PEP 405): `key = value` lines that mark a directory as a virtual
//! environment and tell the interpreter where its base installation lives.

use std::path::Path;

use crate::error::{InstallError, IoContext};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PyVenvCfg {
    entries: Vec<(String, String)>,
}

impl PyVenvCfg {
    pub fn read(path: &Path) -> Result<PyVenvCfg, InstallError> {
        let text = std::fs::read_to_string(path).at("read", path)?;
        Ok(Self::parse(&text))
    }

    /// Lenient like CPython's own reader (`site.venv`): lines without `=` are ignored and
    /// keys are matched case-insensitively.
    pub fn parse(text: &str) -> PyVenvCfg {
        let entries = text
            .lines()
            .filter_map(|line| {
                let (key, value) = line.split_once('=')?;
                Some((key.trim().to_ascii_lowercase(), value.trim().to_owned()))
            })
            .collect();
        PyVenvCfg { entries }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    pub fn push(&mut self, key: &str, value: impl Into<String>) {
        self.entries.push((key.to_owned(), value.into()));
    }

    pub fn render(&self) -> String {
        self.entries
            .iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_renders() {
        let cfg = PyVenvCfg::parse("home = /usr/bin\nInclude-System-Site-Packages=false\njunk\n");
        assert_eq!(cfg.get("home"), Some("/usr/bin"));
        assert_eq!(cfg.get("include-system-site-packages"), Some("false"));
        assert_eq!(cfg.get("missing"), None);
        let mut out = PyVenvCfg::default();
        out.push("home", "/x");
        assert_eq!(out.render(), "home = /x\n");
    }
}
