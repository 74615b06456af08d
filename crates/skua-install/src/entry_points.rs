//! `entry_points.txt` (the entry points specification): the `console_scripts` and
//! `gui_scripts` groups become launchers in the venv's `bin`.

/// One launcher to generate: `name = module:attr.attr [extras]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EntryPoint {
    pub name: String,
    pub module: String,
    /// The object path inside the module; never empty.
    pub attrs: Vec<String>,
}

/// Parses the script groups of an `entry_points.txt`; other groups (plugins) are not an
/// installer's business and are skipped without validation.
///
/// The module and attributes are pasted into Python source and the name becomes a file
/// name, so both are validated strictly: a crafted wheel must not be able to inject
/// code into the launcher or write outside `bin`.
pub(crate) fn parse_entry_points(text: &str) -> Result<Vec<EntryPoint>, String> {
    let mut out = Vec::new();
    // Console and GUI launchers are the same file on POSIX; only the group matters.
    let mut in_script_group = false;
    for (number, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            in_script_group = matches!(section.trim(), "console_scripts" | "gui_scripts");
            continue;
        }
        if !in_script_group {
            continue;
        }
        let context = |what: &str| format!("entry_points.txt line {}: {what}: {raw}", number + 1);
        let (name, value) = line
            .split_once('=')
            .ok_or_else(|| context("expected `name = module:function`"))?;
        let name = name.trim();
        check_script_name(name).map_err(context)?;
        // Extras (`[cli]`) only matter to resolvers; the launcher is the same.
        let value = value.split('[').next().unwrap_or_default().trim();
        let (module, attrs) = value
            .split_once(':')
            .ok_or_else(|| context("the object reference needs `module:function`"))?;
        let module = module.trim();
        let attrs = attrs.trim();
        if !is_dotted_identifier(module) || !is_dotted_identifier(attrs) {
            return Err(context("invalid object reference"));
        }
        out.push(EntryPoint {
            name: name.to_owned(),
            module: module.to_owned(),
            attrs: attrs.split('.').map(str::to_owned).collect(),
        });
    }
    Ok(out)
}

fn check_script_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty script name");
    }
    if name == "."
        || name == ".."
        || name.contains(['/', '\\', '\0'])
        || name.chars().any(char::is_control)
    {
        return Err("script names must be plain file names");
    }
    // These would replace the venv's own interpreter links or activation scripts.
    let reserved = matches!(name, "python" | "python3" | "pythonw" | "activate")
        || name.starts_with("activate.")
        || name
            .strip_prefix("python3.")
            .is_some_and(|minor| minor.trim_end_matches('t').parse::<u16>().is_ok());
    if reserved {
        return Err("the script name is reserved for the virtual environment itself");
    }
    Ok(())
}

/// `a.b.c` where each part is a Python identifier (letters, digits, `_`, not starting
/// with a digit; non-ASCII letters are identifiers in Python 3 too).
fn is_dotted_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|part| {
            let mut chars = part.chars();
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_script_groups() {
        let text = "\
# comment
[console_scripts]
tool = pkg.cli:main [extra]
tool2=pkg:App.run

[gui_scripts]
tool-gui = pkg:main

[some.plugins]
whatever = not valid at all!
";
        let eps = parse_entry_points(text).unwrap();
        assert_eq!(eps.len(), 3);
        assert_eq!(eps[0].name, "tool");
        assert_eq!(eps[0].module, "pkg.cli");
        assert_eq!(eps[0].attrs, ["main"]);
        assert_eq!(eps[1].attrs, ["App", "run"]);
        assert_eq!(eps[2].name, "tool-gui");
    }

    #[test]
    fn rejects_injection_and_traversal() {
        for bad in [
            "[console_scripts]\nx = os:system('rm -rf /')\n",
            "[console_scripts]\nx = pkg\n",
            "[console_scripts]\nx = pkg;import os:main\n",
            "[console_scripts]\n../evil = pkg:main\n",
            "[console_scripts]\na/b = pkg:main\n",
            "[console_scripts]\npython = pkg:main\n",
            "[console_scripts]\npython3.12 = pkg:main\n",
            "[gui_scripts]\nactivate.fish = pkg:main\n",
            "[console_scripts]\njust-a-name\n",
        ] {
            assert!(parse_entry_points(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
