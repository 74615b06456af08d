//! A `.netrc` reader: `machine`/`default` entries with `login`, `password` (and the
//! ignored `account` and `macdef`). The format is a whitespace-separated token stream.

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Netrc {
    machines: Vec<(String, Credentials)>,
    default: Option<Credentials>,
}

#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Credentials {
    pub login: String,
    pub password: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(****)")
    }
}

impl Netrc {
    pub(crate) fn parse(text: &str) -> Netrc {
        let mut netrc = Netrc::default();
        let mut tokens = Tokens::new(text);
        // Which entry the login/password tokens belong to.
        enum Target {
            None,
            Machine(usize),
            Default,
        }
        let mut target = Target::None;
        while let Some(token) = tokens.next() {
            match token.as_str() {
                "machine" => {
                    let Some(host) = tokens.next() else { break };
                    netrc
                        .machines
                        .push((host.to_ascii_lowercase(), Credentials::default()));
                    target = Target::Machine(netrc.machines.len() - 1);
                }
                "default" => {
                    netrc.default = Some(Credentials::default());
                    target = Target::Default;
                }
                "login" | "password" | "account" => {
                    let Some(value) = tokens.next() else { break };
                    let creds = match target {
                        Target::Machine(i) => &mut netrc.machines[i].1,
                        Target::Default => netrc.default.get_or_insert_with(Default::default),
                        Target::None => continue,
                    };
                    match token.as_str() {
                        "login" => creds.login = value,
                        "password" => creds.password = Some(value),
                        _ => {}
                    }
                }
                "macdef" => {
                    // A macro body runs to the next empty line.
                    tokens.skip_macro();
                    target = Target::None;
                }
                _ => {}
            }
        }
        netrc
    }

    /// The credentials for `host`: the first matching `machine`, else `default`.
    pub(crate) fn lookup(&self, host: &str) -> Option<&Credentials> {
        let host = host.to_ascii_lowercase();
        self.machines
            .iter()
            .find(|(m, _)| *m == host)
            .map(|(_, c)| c)
            .or(self.default.as_ref())
            .filter(|c| !c.login.is_empty() || c.password.is_some())
    }
}

struct Tokens<'a> {
    rest: &'a str,
    /// Whether only whitespace separates `rest` from the start of a line.
    line_start: bool,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str) -> Self {
        Tokens {
            rest: text,
            line_start: true,
        }
    }

    fn skip_macro(&mut self) {
        // The rest of the `macdef NAME` line, then lines up to an empty one.
        let mut lines = self.rest.split_inclusive('\n');
        let mut consumed = lines.next().map_or(0, str::len);
        for line in lines {
            consumed += line.len();
            if line.trim().is_empty() {
                break;
            }
        }
        self.rest = &self.rest[consumed..];
        self.line_start = true;
    }
}

impl Iterator for Tokens<'_> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        loop {
            let trimmed = self.rest.trim_start();
            if self.rest[..self.rest.len() - trimmed.len()].contains('\n') {
                self.line_start = true;
            }
            self.rest = trimmed;
            // Only a `#` opening a line starts a comment: passwords may contain `#`.
            if self.line_start && self.rest.starts_with('#') {
                // Comments run to the end of the line.
                let end = self.rest.find('\n').unwrap_or(self.rest.len());
                self.rest = &self.rest[end..];
                continue;
            }
            break;
        }
        if self.rest.is_empty() {
            return None;
        }
        self.line_start = false;
        if let Some(quoted) = self.rest.strip_prefix('"') {
            // Quoted tokens allow spaces; backslash escapes the next character.
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.rest = &quoted[i + 1..];
                        return Some(out);
                    }
                    '\\' => {
                        if let Some((_, next)) = chars.next() {
                            out.push(next);
                        }
                    }
                    c => out.push(c),
                }
            }
            self.rest = "";
            return Some(out);
        }
        let end = self
            .rest
            .find(char::is_whitespace)
            .unwrap_or(self.rest.len());
        let token = self.rest[..end].to_owned();
        self.rest = &self.rest[end..];
        Some(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_machines_default_macros_and_comments() {
        let netrc = Netrc::parse(
            "# comment line\n\
             machine pypi.example.org login alice password \"s3 cret\"\n\
             macdef init\n\
             cd /pub\n\
             machine fake password x\n\
             \n\
             machine Other.Example.org\n  login bob\n  password #hunter2\n\
             default login anon password guest\n",
        );
        let a = netrc.lookup("pypi.example.org").unwrap();
        assert_eq!(a.login, "alice");
        assert_eq!(a.password.as_deref(), Some("s3 cret"));
        let b = netrc.lookup("other.example.org").unwrap();
        assert_eq!(b.login, "bob");
        assert_eq!(b.password.as_deref(), Some("#hunter2"));
        // The `machine fake` inside the macro body is not an entry.
        assert_eq!(netrc.lookup("fake").unwrap().login, "anon");
        assert_eq!(netrc.lookup("unknown").unwrap().login, "anon");
        assert!(!format!("{a:?}").contains("s3"));
    }

    #[test]
    fn no_default() {
        let netrc = Netrc::parse("machine a login u password p");
        assert!(netrc.lookup("b").is_none());
        assert!(Netrc::parse("").lookup("a").is_none());
        assert!(Netrc::parse("machine").lookup("a").is_none());
    }
}
