//! Building source distributions during lock and sync: the skua-build glue that installs
//! build requirements with skua's own resolver and installer, on the invocation's context.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use skua_build::{BuildContext, BuildEnvironmentInstaller};
use skua_context::Context;
use skua_index::DistFile;
use skua_install::Interpreter;
use skua_requirements::Requirement;
use skua_resolve::{
    Manifest, PrereleaseMode, ResolverOptions, RootRequirement, SdistBuilder, SdistMetadataBuilder,
    Upgrade,
};

use crate::{SyncError, SyncRequest, sync_packages_inner};

/// Resolves build requirements with skua-resolve and installs them with the same context
/// (cache, indexes, runtime) as the lock or sync that needs the build.
#[derive(Clone, Debug)]
pub struct SyncInstaller {
    pub context: Arc<Context>,
}

impl SyncInstaller {
    fn install_inner(&self, venv: &Path, requirements: &[Requirement]) -> Result<(), SyncError> {
        let target = crate::target_of(
            &skua_install::Venv::open(venv, Some(self.context.cache()))?.interpreter,
        )?;
        let roots = requirements
            .iter()
            .map(|requirement| RootRequirement {
                editable: false,
                requirement: requirement.clone(),
                source: "build-system.requires".into(),
            })
            .collect();
        let manifest = Manifest {
            requirements: roots,
            constraints: Vec::new(),
            overrides: Vec::new(),
        };
        let options = ResolverOptions {
            target,
            prerelease: PrereleaseMode::IfNecessary,
            exclude_newer: None,
            preferences: Default::default(),
            upgrade: Upgrade::None,
            // Build requirements must come as wheels or static sdists: building a backend
            // with itself could recurse forever.
            sdist_builder: None,
        };
        let client = self.context.client()?;
        let resolution = skua_resolve::resolve(
            &manifest,
            &options,
            &client,
            self.context.runtime(),
            Arc::new(|_| {}),
        )?;
        let packages = crate::locked_from_resolution(&resolution);
        let request = SyncRequest {
            venv: venv.to_path_buf(),
            system: false,
            break_system_packages: false,
            link_mode: skua_install::LinkMode::default(),
            inexact: true,
            compile_bytecode: false,
            // An inexact sync of nothing removes nothing.
            allow_empty: true,
        };
        sync_packages_inner(
            &packages,
            &request,
            &self.context,
            Arc::new(|_| {}),
            false,
            None,
        )?;
        Ok(())
    }
}

impl BuildEnvironmentInstaller for SyncInstaller {
    fn install(
        &self,
        venv: &Path,
        requirements: &[Requirement],
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        self.install_inner(venv, requirements)
            .map_err(|error| Box::new(error) as _)
    }
}

/// Builds sdist metadata for the resolver with skua-build.
#[derive(Clone, Debug)]
pub struct MetadataBuilder {
    pub context: BuildContext,
}

impl SdistMetadataBuilder for MetadataBuilder {
    fn metadata(
        &self,
        _file: &DistFile,
        sdist: &Path,
    ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        skua_build::build_metadata(sdist, &self.context).map_err(|error| Box::new(error) as _)
    }

    fn tree_metadata(
        &self,
        dir: &Path,
    ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        skua_build::build_tree_metadata(dir, &self.context).map_err(|error| Box::new(error) as _)
    }
}

/// The build context for `interpreter`, installing build requirements through `context`.
pub fn build_context(interpreter: &Interpreter, context: &Arc<Context>) -> BuildContext {
    BuildContext {
        interpreter: interpreter.clone(),
        cache: context.cache().clone(),
        installer: Arc::new(SyncInstaller {
            context: Arc::clone(context),
        }),
    }
}

/// A resolver hook that builds dynamic sdists with `interpreter`.
pub fn sdist_builder(interpreter: &Interpreter, context: &Arc<Context>) -> SdistBuilder {
    SdistBuilder(Arc::new(MetadataBuilder {
        context: build_context(interpreter, context),
    }))
}

/// A resolver hook that asks the context for its interpreter only when a dynamic sdist is
/// met, so locks that never need a build never start Python.
pub fn lazy_sdist_builder(context: &Arc<Context>) -> SdistBuilder {
    SdistBuilder(Arc::new(LazyMetadataBuilder {
        context: Arc::clone(context),
        builder: OnceLock::new(),
    }))
}

struct LazyMetadataBuilder {
    context: Arc<Context>,
    builder: OnceLock<MetadataBuilder>,
}

/// Why a build could not start: no interpreter to build with.
#[derive(Debug, thiserror::Error)]
#[error("building {filename} needs a Python interpreter")]
struct NoBuildInterpreter {
    filename: String,
    #[source]
    source: Arc<skua_install::InstallError>,
}

impl SdistMetadataBuilder for LazyMetadataBuilder {
    fn metadata(
        &self,
        file: &DistFile,
        sdist: &Path,
    ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        self.builder(&file.filename)?.metadata(file, sdist)
    }

    fn tree_metadata(
        &self,
        dir: &Path,
    ) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        self.builder(&dir.display().to_string())?.tree_metadata(dir)
    }
}

impl LazyMetadataBuilder {
    fn builder(&self, what: &str) -> Result<&MetadataBuilder, NoBuildInterpreter> {
        if let Some(builder) = self.builder.get() {
            return Ok(builder);
        }
        let interpreter = self
            .context
            .interpreter()
            .map_err(|source| NoBuildInterpreter {
                filename: what.to_owned(),
                source,
            })?;
        Ok(self.builder.get_or_init(|| MetadataBuilder {
            context: build_context(interpreter, &self.context),
        }))
    }
}
