//! `skua run SCRIPT.py`: the environment a PEP 723 script asks for, resolved once and
//! cached under a key of everything that decides its contents, then reused offline.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use pep440_rs::{Version, VersionSpecifiers};
use skua_context::Context;
use skua_index::Cache;
use skua_install::{VenvOptions, create_venv};
use skua_resolve::{Manifest, PrereleaseMode, ResolverOptions, RootRequirement, Upgrade};

use crate::{LockedPackage, SyncError, SyncProgress, SyncRequest, sync_packages};

/// Marks an environment whose installation finished; without it the environment is rebuilt.
const READY_MARKER: &str = ".skua-ready";

/// The interpreter is the context's (`--python`); the script's `requires-python` is
/// checked against it.
#[derive(Clone, Debug)]
pub struct RunRequest {
    pub script: PathBuf,
    /// Only files uploaded before this instant are installed.
    pub exclude_newer: Option<skua_types::ExcludeNewer>,
}

/// What to execute: the interpreter to run the script with.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub python: PathBuf,
    /// The cached environment, when the script declared dependencies.
    pub environment: Option<PathBuf>,
    /// Whether this call had to build the environment.
    pub created: bool,
}

fn other(message: impl Into<String>) -> SyncError {
    SyncError::Other(message.into())
}

/// Finds or builds the environment for `request.script`.
pub fn prepare(
    request: &RunRequest,
    context: &Arc<Context>,
    progress: Arc<dyn Fn(SyncProgress) + Send + Sync>,
) -> Result<Prepared, SyncError> {
    let source = skua_cache::read_user_file(&request.script)
        .map_err(|error| other(format!("cannot read {}: {error}", request.script.display())))?;
    let metadata = skua_requirements::parse_script_metadata(&source).map_err(|error| {
        other(format!(
            "invalid script metadata in {}: {error}",
            request.script.display()
        ))
    })?;
    let interpreter = context.interpreter()?;
    let Some(metadata) = metadata else {
        return Ok(Prepared {
            python: interpreter.executable.clone(),
            environment: None,
            created: false,
        });
    };
    if let Some((requires_python, _)) = &metadata.requires_python {
        let specifiers = VersionSpecifiers::from_str(requires_python).map_err(|error| {
            other(format!(
                "invalid requires-python `{requires_python}`: {error}"
            ))
        })?;
        let version = Version::from_str(&interpreter.full_version).map_err(|_| {
            other(format!(
                "cannot read the version of {}",
                interpreter.executable.display()
            ))
        })?;
        if !specifiers.contains(&version) {
            return Err(other(format!(
                "{} requires Python {requires_python}, but {} is Python {}",
                request.script.display(),
                interpreter.executable.display(),
                interpreter.full_version
            )));
        }
    }
    let mut requirements = Vec::new();
    for listed in &metadata.dependencies {
        let requirement = listed.parsed.clone().map_err(|message| {
            other(format!(
                "invalid dependency `{}` in {}: {message}",
                listed.raw,
                request.script.display()
            ))
        })?;
        requirements.push(RootRequirement {
            editable: false,
            requirement,
            source: request.script.display().to_string(),
        });
    }

    // Everything that decides the environment's contents goes into its key.
    let raw: BTreeSet<String> = metadata
        .dependencies
        .iter()
        .map(|listed| listed.raw.trim().to_string())
        .collect();
    let mut key_parts: Vec<String> = raw.into_iter().collect();
    key_parts.push(interpreter.executable.display().to_string());
    key_parts.push(interpreter.full_version.clone());
    // Credentials are part of an index's identity here, but never of anything shown.
    key_parts.extend(
        context
            .indexes()
            .urls()
            .map(|url| url.url_with_credentials().to_string()),
    );
    key_parts.extend(request.exclude_newer.iter().map(ToString::to_string));
    let key = Cache::key(&key_parts.iter().map(String::as_str).collect::<Vec<_>>());
    let root = context
        .cache()
        .bucket("environments-v1")
        .join(&key[..16.min(key.len())]);

    // Concurrent runs of the same script wait for the first one to finish the build.
    let lock_path = root.with_extension("lock");
    let lock_file = File::create(&lock_path)
        .map_err(|error| other(format!("cannot create {}: {error}", lock_path.display())))?;
    lock_file
        .lock()
        .map_err(|error| other(format!("cannot lock {}: {error}", lock_path.display())))?;
    let python = root.join("bin").join("python");
    if root.join(READY_MARKER).is_file() && python.exists() {
        return Ok(Prepared {
            python,
            environment: Some(root),
            created: false,
        });
    }

    let target = crate::target_of(interpreter)?;
    let client = context.client()?;
    let options = ResolverOptions {
        target,
        prerelease: PrereleaseMode::IfNecessary,
        exclude_newer: request.exclude_newer,
        preferences: Default::default(),
        upgrade: Upgrade::None,
        sdist_builder: Some(crate::build::sdist_builder(interpreter, context)),
    };
    let manifest = Manifest {
        requirements,
        constraints: Vec::new(),
        overrides: Vec::new(),
    };
    let resolution = skua_resolve::resolve(
        &manifest,
        &options,
        &client,
        context.runtime(),
        Arc::new(|_| {}),
    )?;

    let packages: Vec<LockedPackage> = crate::locked_from_resolution(&resolution);
    // An environment without the ready marker is a leftover of a failed or killed run.
    let options = VenvOptions {
        clear: true,
        ..VenvOptions::default()
    };
    create_venv(&root, interpreter, &options, Some(context.cache()))?;
    let sync = SyncRequest {
        venv: root.clone(),
        system: false,
        break_system_packages: false,
        link_mode: skua_install::LinkMode::default(),
        inexact: false,
        compile_bytecode: false,
        // A script without dependencies gets an empty (fresh) environment.
        allow_empty: true,
    };
    sync_packages(&packages, &sync, context, progress)?;
    std::fs::write(root.join(READY_MARKER), "").map_err(|error| {
        other(format!(
            "cannot write {}: {error}",
            root.join(READY_MARKER).display()
        ))
    })?;
    Ok(Prepared {
        python,
        environment: Some(root),
        created: true,
    })
}
