//! Building source distributions during lock and sync: the skua-build glue that installs
//! build requirements with skua's own resolver and installer.

use std::path::Path;
use std::sync::Arc;

use skua_build::{BuildContext, BuildEnvironmentInstaller};
use skua_index::{Cache, DistFile, IndexClientBuilder, IndexUrl};
use skua_install::Interpreter;
use skua_platform::Target;
use skua_resolve::{
    Manifest, PrereleaseMode, ResolverOptions, RootRequirement, SdistBuilder, SdistMetadataBuilder,
    Upgrade,
};

use crate::{SyncError, SyncRequest, sync_packages_inner};

/// Where build requirements come from: the same index settings as the lock or sync.
#[derive(Clone, Debug)]
pub struct IndexSettings {
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub offline: bool,
    pub cache: Cache,
}

/// Resolves build requirements with skua-resolve and installs them with [`sync_packages`].
#[derive(Clone, Debug)]
pub struct SyncInstaller {
    pub settings: IndexSettings,
}

impl SyncInstaller {
    fn install_inner(&self, venv: &Path, requirements: &[String]) -> Result<(), SyncError> {
        let other = |message: String| SyncError::Other(message);
        let python = skua_install::Venv::open(venv)?.python();
        let target = Target::from_interpreter(&python.to_string_lossy())?;
        let mut builder =
            IndexClientBuilder::new(self.settings.cache.clone()).offline(self.settings.offline);
        if let Some(url) = &self.settings.index_url {
            builder = builder.index_url(IndexUrl::parse(url)?);
        }
        for url in &self.settings.extra_index_urls {
            builder = builder.extra_index_url(IndexUrl::parse(url)?);
        }
        let client = builder.build()?;
        let mut roots = Vec::new();
        for line in requirements {
            let requirement = line
                .parse()
                .map_err(|error| other(format!("invalid build requirement `{line}`: {error}")))?;
            roots.push(RootRequirement {
                requirement,
                source: "build-system.requires".into(),
            });
        }
        let manifest = Manifest {
            requirements: roots,
            constraints: Vec::new(),
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
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|error| other(format!("cannot start the async runtime: {error}")))?;
        let resolution = skua_resolve::resolve(
            &manifest,
            &options,
            &client,
            runtime.handle(),
            Arc::new(|_| {}),
        );
        runtime.shutdown_background();
        let resolution = resolution.map_err(|error| other(error.to_string()))?;
        let packages = crate::locked_from_resolution(&resolution);
        let request = SyncRequest {
            venv: venv.to_path_buf(),
            inexact: true,
            compile_bytecode: false,
            index_url: self.settings.index_url.clone(),
            extra_index_urls: self.settings.extra_index_urls.clone(),
            offline: self.settings.offline,
            cache: self.settings.cache.clone(),
        };
        sync_packages_inner(&packages, &request, Arc::new(|_| {}), false)?;
        Ok(())
    }
}

impl BuildEnvironmentInstaller for SyncInstaller {
    fn install(&self, venv: &Path, requirements: &[String]) -> Result<(), String> {
        self.install_inner(venv, requirements)
            .map_err(|error| error.to_string())
    }
}

/// Builds sdist metadata for the resolver with skua-build.
#[derive(Clone, Debug)]
pub struct MetadataBuilder {
    pub context: BuildContext,
}

impl SdistMetadataBuilder for MetadataBuilder {
    fn metadata(&self, _file: &DistFile, sdist: &Path) -> Result<Vec<u8>, String> {
        skua_build::build_metadata(sdist, &self.context).map_err(|error| error.to_string())
    }
}

/// The build context for `interpreter` with requirements from `settings`' indexes.
pub fn build_context(interpreter: &Interpreter, settings: &IndexSettings) -> BuildContext {
    BuildContext {
        interpreter: interpreter.clone(),
        cache: settings.cache.clone(),
        installer: Arc::new(SyncInstaller {
            settings: settings.clone(),
        }),
    }
}

/// A resolver hook that builds dynamic sdists with `interpreter`.
pub fn sdist_builder(interpreter: &Interpreter, settings: &IndexSettings) -> SdistBuilder {
    SdistBuilder(Arc::new(MetadataBuilder {
        context: build_context(interpreter, settings),
    }))
}

/// A resolver hook that looks for the build interpreter (`python`: a version or path,
/// default `python3`) only when a dynamic sdist is met, so locks that never need a build
/// never start Python.
pub fn lazy_sdist_builder(python: Option<String>, settings: &IndexSettings) -> SdistBuilder {
    SdistBuilder(Arc::new(LazyMetadataBuilder {
        python,
        settings: settings.clone(),
        builder: std::sync::OnceLock::new(),
    }))
}

struct LazyMetadataBuilder {
    python: Option<String>,
    settings: IndexSettings,
    builder: std::sync::OnceLock<Result<MetadataBuilder, String>>,
}

impl SdistMetadataBuilder for LazyMetadataBuilder {
    fn metadata(&self, file: &DistFile, sdist: &Path) -> Result<Vec<u8>, String> {
        let builder = self.builder.get_or_init(|| {
            Interpreter::find(self.python.as_deref())
                .map(|interpreter| MetadataBuilder {
                    context: build_context(&interpreter, &self.settings),
                })
                .map_err(|error| {
                    format!(
                        "building {} needs a Python interpreter: {error}",
                        file.filename
                    )
                })
        });
        match builder {
            Ok(builder) => builder.metadata(file, sdist),
            Err(message) => Err(message.clone()),
        }
    }
}
