//! Git references (`name @ git+https://host/repo.git@v1.2`, `git+ssh://`, `git+file://`):
//! the reference is resolved to a full commit and checked out into the cache once per
//! commit, after which the checkout is a project directory like any other.

use std::path::{Path, PathBuf};
use std::process::Command;

use skua_cache::Cache;

/// A `git+` URL taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitReference {
    /// What `git clone` takes: the URL without `git+`, `@ref` and fragment.
    pub repository: String,
    /// The branch, tag or commit after `@`, if any.
    pub reference: Option<String>,
    /// `#subdirectory=…`: where the project is inside the repository.
    pub subdirectory: Option<String>,
}

impl GitReference {
    /// `None` when `url` is not a `git+` URL.
    pub fn parse(url: &str) -> Option<GitReference> {
        let rest = url.strip_prefix("git+")?;
        let (rest, fragment) = match rest.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (rest, None),
        };
        let subdirectory = fragment.and_then(|fragment| {
            fragment
                .split('&')
                .find_map(|pair| pair.strip_prefix("subdirectory="))
                .map(str::to_owned)
        });
        // The ref's `@` comes after the last `/`; an earlier one is `user@host`.
        let last_slash = rest.rfind('/').unwrap_or(0);
        let (repository, reference) = match rest[last_slash..].rfind('@') {
            Some(at) => (
                rest[..last_slash + at].to_owned(),
                Some(rest[last_slash + at + 1..].to_owned()).filter(|r| !r.is_empty()),
            ),
            None => (rest.to_owned(), None),
        };
        Some(GitReference {
            repository,
            reference,
            subdirectory,
        })
    }

    /// The URL a lock writes: the same repository at `commit`.
    pub fn at_commit(&self, commit: &str) -> String {
        let mut url = format!("git+{}@{commit}", self.repository);
        if let Some(subdirectory) = &self.subdirectory {
            url.push_str("#subdirectory=");
            url.push_str(subdirectory);
        }
        url
    }
}

/// A checkout of one commit.
#[derive(Clone, Debug)]
pub struct Checkout {
    pub commit: String,
    /// The project directory: the checkout, or its `subdirectory`.
    pub project: PathBuf,
}

/// Resolves `reference` to a commit and checks that commit out under the cache's
/// `git-v1` bucket (reused when already there). Errors name the repository, without
/// its credentials.
pub fn checkout(reference: &GitReference, cache: &Cache) -> Result<Checkout, String> {
    let shown = skua_types::redact_str(&reference.repository);
    let bucket = cache.bucket("git-v1");
    let database = bucket
        .join("db")
        .join(Cache::key(&[reference.repository.as_str()]));
    if !database.join("HEAD").is_file() {
        std::fs::create_dir_all(&database)
            .map_err(|error| format!("cannot create {}: {error}", database.display()))?;
        git(&database, &["init", "--quiet", "--bare"], &shown)?;
    }
    let pinned = reference
        .reference
        .as_deref()
        .filter(|r| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()));
    let known = pinned.is_some_and(|commit| {
        git(
            &database,
            &["cat-file", "-e", &format!("{commit}^{{commit}}")],
            &shown,
        )
        .is_ok()
    });
    // Everything, tags included: a reference may be any of them. A commit already
    // fetched needs no network.
    if !known {
        git(
            &database,
            &[
                "fetch",
                "--quiet",
                "--force",
                "--tags",
                &reference.repository,
                "+refs/heads/*:refs/remotes/origin/*",
            ],
            &shown,
        )?;
    }
    let wanted = reference.reference.as_deref().unwrap_or("HEAD");
    let commit = [
        format!("refs/remotes/origin/{wanted}^{{commit}}"),
        format!("refs/tags/{wanted}^{{commit}}"),
        format!("{wanted}^{{commit}}"),
    ]
    .iter()
    .find_map(|spec| {
        git(
            &database,
            &["rev-parse", "--verify", "--quiet", spec],
            &shown,
        )
        .ok()
    })
    .or_else(|| {
        // A bare repository's HEAD names a branch it may not have under that name.
        (wanted == "HEAD")
            .then(|| {
                git(
                    &database,
                    &[
                        "rev-parse",
                        "--verify",
                        "--quiet",
                        "refs/remotes/origin/HEAD^{commit}",
                    ],
                    &shown,
                )
                .ok()
            })
            .flatten()
    })
    .map(|out| out.trim().to_owned())
    .ok_or_else(|| format!("{shown} has no branch, tag or commit `{wanted}`"))?;
    let checkout = bucket.join("checkouts").join(&commit);
    if !checkout.join(".git").exists() {
        let staging = bucket.join("checkouts").join(format!(".{commit}.tmp"));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging)
            .map_err(|error| format!("cannot create {}: {error}", staging.display()))?;
        git(&staging, &["init", "--quiet"], &shown)?;
        git(
            &staging,
            &["fetch", "--quiet", &database.to_string_lossy(), &commit],
            &shown,
        )?;
        git(
            &staging,
            &["checkout", "--quiet", "--detach", "FETCH_HEAD"],
            &shown,
        )?;
        std::fs::rename(&staging, &checkout)
            .map_err(|error| format!("cannot move {} into place: {error}", staging.display()))?;
    }
    let project = match &reference.subdirectory {
        Some(subdirectory) => {
            if Path::new(subdirectory)
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
            {
                return Err(format!(
                    "`#subdirectory={subdirectory}` leaves the repository"
                ));
            }
            checkout.join(subdirectory)
        }
        None => checkout,
    };
    Ok(Checkout { commit, project })
}

/// Runs git in `dir`; its stdout, or an error with what it said.
fn git(dir: &Path, args: &[&str], shown: &str) -> Result<String, String> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        // Never a prompt for credentials in CI: fail instead.
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|error| format!("cannot run git for {shown}: {error}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(format!(
            "git {} failed for {shown}: {}",
            args.first().copied().unwrap_or_default(),
            skua_types::redact_str(stderr.trim())
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_urls_come_apart_at_the_right_at_sign() {
        let parsed =
            GitReference::parse("git+ssh://git@github.com/org/repo.git@v1.2#subdirectory=pkg")
                .expect("a git URL");
        assert_eq!(parsed.repository, "ssh://git@github.com/org/repo.git");
        assert_eq!(parsed.reference.as_deref(), Some("v1.2"));
        assert_eq!(parsed.subdirectory.as_deref(), Some("pkg"));
        assert_eq!(
            parsed.at_commit("abc"),
            "git+ssh://git@github.com/org/repo.git@abc#subdirectory=pkg"
        );
        let plain = GitReference::parse("git+https://example.com/repo").expect("a git URL");
        assert_eq!(plain.repository, "https://example.com/repo");
        assert_eq!(plain.reference, None);
        assert_eq!(GitReference::parse("https://example.com/x.whl"), None);
    }
}
