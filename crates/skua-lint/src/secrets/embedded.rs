//! Secret-named keys inside text held in a string: JSON or dict-like pairs
//! (`'{"MasterUserPassword": "…"}'` on a command line) and `key=value` words
//! (`--conf spark.hadoop.fs.s3a.secret.key=…`, `DB_PASSWORD=… psql`). The names and
//! values are judged as everywhere else (`is_secret_name`, `looks_like_secret_value`,
//! the weak-password rule for password-named keys); this module only finds the pairs.

#[allow(unused_imports)]
use super::*;

/// A secret-named key with a value that looks like a secret, inside a piece of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbeddedSecret {
    /// The key as written (`MasterUserPassword`, `spark.hadoop.fs.s3a.secret.key`).
    pub key: String,
    /// Byte range of the value inside the text.
    pub value: Range<usize>,
}

/// Pairs longer than this are not keys.
const MAX_KEY_LEN: usize = 80;

/// Every secret-named key in `text` whose literal value looks like a secret. Values that
/// are templates or references (`{password}`, `$DB_PASSWORD`, `<changeme>`,
/// `os.environ[...]`, `%(password)s`), empty, env-var names (`--password=PASSWORD`),
/// known token formats and URL passwords (reported by their own rules) are left out.
pub fn embedded_secrets(text: &str, extra: &[String]) -> Vec<EmbeddedSecret> {
    let bytes = text.as_bytes();
    if bytes.len() < 8 || !bytes.iter().any(|b| matches!(b, b'=' | b':')) {
        return Vec::new();
    }
    let mut found = Vec::new();
    let mut pairs = quoted_pairs(text);
    pairs.extend(assignment_pairs(text));
    pairs.sort_by_key(|(_, value)| value.start);
    pairs.dedup_by(|a, b| a.1 == b.1);
    for (key, value) in pairs {
        let Some(value_text) = text.get(value.clone()) else {
            continue;
        };
        let name = key.trim_start_matches('-').replace(['.', '-'], "_");
        if name.is_empty() || !is_secret_name(&name, extra) || is_template(value_text) {
            continue;
        }
        if !find_tokens(value_text).is_empty()
            || (value_text.contains("://") && url_password(value_text).is_some())
        {
            continue;
        }
        let real = looks_like_secret_value(value_text)
            || (is_password_name(&name, extra) && looks_like_password_value(value_text));
        if real {
            found.push(EmbeddedSecret {
                key: key.to_string(),
                value,
            });
        }
    }
    found
}

/// Text standing for a value rather than being one.
fn is_template(value: &str) -> bool {
    value.trim().is_empty()
        || value.contains(['{', '}', '<', '>', '`'])
        // `$DB_PASSWORD`, `${TOKEN}`, `$(cat …)`; a `$` inside a password is just a character.
        || value.starts_with('$')
        || value.contains("${")
        || value.contains("$(")
        || value.contains("%(")
        || value.contains("%s")
        || value.contains("environ")
        || value.contains("getenv")
        // A call or subscript (`get_secret("db")`, `vault["db"]`): code, not a value.
        || value
            .find(['(', '['])
            .is_some_and(|at| at > 0 && value[..at].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.'))
}

/// The end (exclusive) of a string opened by `quote` at `start - 1`, honouring `\` escapes;
/// `None` if it does not close on the same line.
fn closing_quote(bytes: &[u8], start: usize, quote: u8) -> Option<usize> {
    let mut at = start;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'\n' => return None,
            byte if byte == quote => return Some(at),
            _ => at += 1,
        }
    }
    None
}

/// `"key": "value"` and `'key': 'value'` pairs (JSON, Python dict reprs).
fn quoted_pairs(text: &str) -> Vec<(&str, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut pairs = Vec::new();
    let mut at = 0;
    while let Some(offset) = memchr::memchr2(b'"', b'\'', &bytes[at..]) {
        let open = at + offset;
        let quote = bytes[open];
        let Some(close) = closing_quote(bytes, open + 1, quote) else {
            at = open + 1;
            continue;
        };
        let key = &text[open + 1..close];
        let colon = close + 1 + run_len(bytes, close + 1, |c| c == b' ' || c == b'\t');
        if key.is_empty() || key.len() > MAX_KEY_LEN || bytes.get(colon) != Some(&b':') {
            // Not a key: a quoted word, or a whole quoted JSON argument to look inside.
            at = open + 1;
            continue;
        }
        at = close + 1;
        let value_open = colon + 1 + run_len(bytes, colon + 1, |c| c == b' ' || c == b'\t');
        let Some(&value_quote @ (b'"' | b'\'')) = bytes.get(value_open) else {
            continue;
        };
        let Some(value_close) = closing_quote(bytes, value_open + 1, value_quote) else {
            continue;
        };
        pairs.push((key, value_open + 1..value_close));
        at = value_close + 1;
    }
    pairs
}

/// `key=value` words: environment prefixes, `--option=value`, libpq-style pairs.
fn assignment_pairs(text: &str) -> Vec<(&str, Range<usize>)> {
    let bytes = text.as_bytes();
    let is_key_byte = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-');
    let mut pairs = Vec::new();
    for equals in memchr::memchr_iter(b'=', bytes) {
        // `==`, `!=`, `<=`, `>=`: comparisons.
        if matches!(bytes.get(equals + 1), Some(b'='))
            || matches!(
                bytes.get(equals.wrapping_sub(1)),
                Some(b'=' | b'!' | b'<' | b'>')
            )
            || equals == 0
        {
            continue;
        }
        let mut start = equals;
        while start > 0 && is_key_byte(bytes[start - 1]) {
            start -= 1;
        }
        let at_boundary = start == 0
            || matches!(
                bytes[start - 1],
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'?' | b',' | b'\'' | b'"' | b'(' | b'='
            );
        let key = &text[start..equals];
        if !at_boundary || key.len() > MAX_KEY_LEN || !key.bytes().any(|c| c.is_ascii_alphabetic())
        {
            continue;
        }
        let value_start = equals + 1;
        let value = match bytes.get(value_start) {
            Some(&quote @ (b'"' | b'\'')) => match closing_quote(bytes, value_start + 1, quote) {
                Some(close) => value_start + 1..close,
                None => continue,
            },
            _ => {
                let len = run_len(bytes, value_start, |c| {
                    !c.is_ascii_whitespace() && !matches!(c, b';' | b'&' | b'\'' | b'"' | b'`')
                });
                value_start..value_start + len
            }
        };
        if !value.is_empty() {
            pairs.push((key, value));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<(String, &str)> {
        embedded_secrets(text, &[])
            .into_iter()
            .map(|found| (found.key, &text[found.value]))
            .collect()
    }

    #[test]
    fn finds_secret_named_keys_in_json_and_pairs() {
        assert_eq!(
            keys(
                r#"aws rds modify-db-cluster --cli-input-json '{"MasterUserPassword": "Xq7#vL2pW9zR"}'"#
            ),
            [("MasterUserPassword".to_string(), "Xq7#vL2pW9zR")]
        );
        assert_eq!(
            keys(r#"{"db": {"host": "db.internal", "password": "Rt5$kP9wQ2xZ"}}"#),
            [("password".to_string(), "Rt5$kP9wQ2xZ")]
        );
        assert_eq!(
            keys(r#"{"db": {"host": "db.internal", "password": "Xq7#vL2pW9zR"}}"#),
            [("password".to_string(), "Xq7#vL2pW9zR")]
        );
        assert_eq!(
            keys("{'api_key': 'kT4Xq7vL2pW9zRkT4aa'}"),
            [("api_key".to_string(), "kT4Xq7vL2pW9zRkT4aa")]
        );
        assert_eq!(
            keys(
                "--conf spark.hadoop.fs.s3a.secret.key=Xq7vL2pW9zRkT4 --conf spark.executor.memory=4g"
            ),
            [(
                "spark.hadoop.fs.s3a.secret.key".to_string(),
                "Xq7vL2pW9zRkT4"
            )]
        );
        assert_eq!(
            keys("DB_PASSWORD=Xq7vL2pW9zR psql -h db -U app"),
            [("DB_PASSWORD".to_string(), "Xq7vL2pW9zR")]
        );
        assert_eq!(
            keys("user={} password=Xq7vL2pW9zR host={}"),
            [("password".to_string(), "Xq7vL2pW9zR")]
        );
        assert_eq!(
            keys(
                "{\n  \"db\": {\n    \"user\": \"etl\",\n    \"password\": \"Xq7#vL2pW9zR\"\n  }\n}"
            ),
            [("password".to_string(), "Xq7#vL2pW9zR")]
        );
        // `--from-literal=password=…` (kubectl), `--set …auth.password=…` (helm).
        assert_eq!(
            keys("kubectl create secret generic db --from-literal=password=Xq7vL2pW9zR"),
            [("password".to_string(), "Xq7vL2pW9zR")]
        );
        assert_eq!(
            keys("helm upgrade pg bitnami/postgresql --set auth.postgresPassword=Xq7vL2pW9zR"),
            [("auth.postgresPassword".to_string(), "Xq7vL2pW9zR")]
        );
        assert_eq!(keys("psql \"host=db password='Xq7 vL2pW9zR'\""), []);
        // A weak word counts for a password-named key, as everywhere else.
        assert_eq!(
            keys("PGPASSWORD=postgres pg_dump -h db"),
            [("PGPASSWORD".to_string(), "postgres")]
        );
    }

    #[test]
    fn templates_references_and_docs_are_not_secrets() {
        for text in [
            "user={} password={} host={}",
            "user={user} password={password}",
            "psql password=$DB_PASSWORD host=db",
            "password=<changeme> user=admin",
            r#"{"password": "", "user": "admin"}"#,
            "password=os.environ['DB_PASSWORD'] user=x",
            "--password=PASSWORD  the database password",
            "usage: deploy --token=TOKEN --password=PASSWORD",
            "password=%(password)s host=%(host)s",
            "password=%s host=%s",
            "token=get_token() user=x",
            r#"{"secret_name": "prod/db/password", "region": "eu-west-1"}"#,
            "if password == expected: pass",
            "password=secret user=admin",
            "--token=${GITHUB_TOKEN} --repo=x",
            r#"{"password": "{{ vault_db_password }}"}"#,
            "export API_KEY=`cat /run/secrets/api_key`",
            "ssh -o PasswordAuthentication=no -o StrictHostKeyChecking=no host",
            "--token-file=/var/run/secrets/token --api-key-file=/etc/key",
            "key=Xq7vL2pW9zRkT4 value=1",
            "api_key=demo mode=test",
            "WHERE password_hash = 'Xq7vL2pW9zR'",
            "docker login --password-stdin registry.example.com",
            "password=********",
        ] {
            assert_eq!(keys(text), [], "{text}");
        }
    }

    #[test]
    fn token_formats_and_url_passwords_are_left_to_their_rules() {
        assert_eq!(
            keys("GITHUB_TOKEN=ghp_a9U4UqGWlG6g3Ot1OGMmjxWkI9X7H6aMuFbh make"),
            []
        );
        assert_eq!(
            keys("DATABASE_SECRET=postgres://u:Xq7vL2pW9zR@db/app run"),
            []
        );
    }
}
