//! The context of one skua invocation: everything lock, sync, run, venv and the build glue
//! share, set up once by the CLI and passed down (never rebuilt in a library crate).
//!
//! - the [`Cache`] (`--cache-dir` / `SKUA_CACHE_DIR` / the default, as resolved by the
//!   settings layer): index pages, files, interpreter probes, environments all live there;
//! - the [`Indexes`] and one [`IndexClient`] for them, created on first use;
//! - one tokio runtime, shut down without waiting for idle blocking threads;
//! - the interpreter (`--python`), probed lazily and at most once.

use std::sync::{Arc, Mutex, OnceLock};

use skua_cache::Cache;
use skua_index::{IndexClient, IndexClientBuilder, IndexError};
use skua_install::{InstallError, Interpreter};
use skua_types::IndexUrl;

/// Where packages come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Indexes {
    /// The primary index; `None` means PyPI.
    pub index_url: Option<IndexUrl>,
    /// Consulted after the primary, in order, for projects it does not have.
    pub extra_index_urls: Vec<IndexUrl>,
    /// Only the cache: no network.
    pub offline: bool,
    /// Revalidate every cached project page.
    pub refresh: bool,
}

impl Indexes {
    /// These indexes with `index_url` and `extra_index_urls` named by an input file
    /// (`--index-url` lines in a requirements file): the configured primary index wins,
    /// the file's extras come after the configured ones.
    pub fn with_input_indexes(
        &self,
        index_url: Option<IndexUrl>,
        extra_index_urls: impl IntoIterator<Item = IndexUrl>,
    ) -> Indexes {
        let mut merged = self.clone();
        if merged.index_url.is_none() {
            merged.index_url = index_url;
        }
        for url in extra_index_urls {
            if !merged.extra_index_urls.contains(&url) {
                merged.extra_index_urls.push(url);
            }
        }
        merged
    }

    /// Every index in priority order, for keys and messages.
    pub fn urls(&self) -> impl Iterator<Item = &IndexUrl> {
        self.index_url.iter().chain(&self.extra_index_urls)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Interpreter(#[from] InstallError),
}

/// See the crate documentation. Shared as `Arc<Context>` with the build glue.
/// Limits for every index client of a context; `None` keeps the client's default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientTuning {
    pub timeout: Option<std::time::Duration>,
    pub deadline: Option<std::time::Duration>,
    pub max_page_bytes: Option<u64>,
}

pub struct Context {
    cache: Cache,
    indexes: Indexes,
    python: Option<String>,
    http: ClientTuning,
    runtime: Option<tokio::runtime::Runtime>,
    clients: Mutex<Vec<(Indexes, IndexClient)>>,
    interpreter: OnceLock<Result<Interpreter, Arc<InstallError>>>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("cache", &self.cache)
            .field("indexes", &self.indexes)
            .field("python", &self.python)
            .finish_non_exhaustive()
    }
}

impl Context {
    /// `python` is the interpreter request (`--python`: a version or a path; `None`:
    /// `python3`), found only when something asks for [`Context::interpreter`].
    pub fn new(
        cache: Cache,
        indexes: Indexes,
        python: Option<String>,
    ) -> Result<Context, ContextError> {
        // Four workers keep the network busy while the solver blocks its own thread.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .map_err(ContextError::Runtime)?;
        Ok(Context {
            cache,
            indexes,
            python,
            http: ClientTuning::default(),
            runtime: Some(runtime),
            clients: Mutex::new(Vec::new()),
            interpreter: OnceLock::new(),
        })
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    pub fn indexes(&self) -> &Indexes {
        &self.indexes
    }

    /// The interpreter request this context was made with.
    pub fn python_request(&self) -> Option<&str> {
        self.python.as_deref()
    }

    /// The runtime every async request of this invocation runs on. Call
    /// [`tokio::runtime::Handle::block_on`] only from synchronous code.
    pub fn runtime(&self) -> &tokio::runtime::Handle {
        match &self.runtime {
            Some(runtime) => runtime.handle(),
            // Only `Drop` takes the runtime out.
            None => unreachable!("the runtime lives as long as the context"),
        }
    }

    /// The client for the configured indexes.
    pub fn client(&self) -> Result<IndexClient, IndexError> {
        self.client_for(&self.indexes)
    }

    /// The client for `indexes` (the configured ones merged with an input's, see
    /// [`Indexes::with_input_indexes`]); one client per distinct set, shared by every
    /// caller, so requests are de-duplicated across lock, builds and sync.
    pub fn client_for(&self, indexes: &Indexes) -> Result<IndexClient, IndexError> {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, client)) = clients.iter().find(|(known, _)| known == indexes) {
            return Ok(client.clone());
        }
        let mut builder = IndexClientBuilder::new(self.cache.clone())
            .offline(indexes.offline)
            .refresh(indexes.refresh);
        if let Some(timeout) = self.http.timeout {
            builder = builder.timeout(timeout);
        }
        if let Some(deadline) = self.http.deadline {
            builder = builder.deadline(deadline);
        }
        if let Some(limit) = self.http.max_page_bytes {
            builder = builder.max_page_bytes(limit);
        }
        if let Some(url) = &indexes.index_url {
            builder = builder.index_url(url.clone());
        }
        for url in &indexes.extra_index_urls {
            builder = builder.extra_index_url(url.clone());
        }
        let client = builder.build()?;
        clients.push((indexes.clone(), client.clone()));
        Ok(client)
    }

    /// Every index client of this context with these limits instead of the client's
    /// defaults (the CLI's `SKUA_HTTP_*` settings).
    pub fn with_client_tuning(mut self, tuning: ClientTuning) -> Context {
        self.http = tuning;
        self
    }

    /// The interpreter named by the request (probed through the cache), found once.
    pub fn interpreter(&self) -> Result<&Interpreter, Arc<InstallError>> {
        self.interpreter
            .get_or_init(|| {
                Interpreter::find(self.python.as_deref(), Some(&self.cache)).map_err(Arc::new)
            })
            .as_ref()
            .map_err(Arc::clone)
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        // Dropping a runtime waits for idle blocking threads (a resolver poll can hold one
        // for seconds); nothing is left to wait for when the invocation is over.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> IndexUrl {
        IndexUrl::parse(text).unwrap()
    }

    #[test]
    fn configured_indexes_win_over_an_inputs() {
        let configured = Indexes {
            index_url: Some(url("https://internal.example/simple/")),
            extra_index_urls: vec![url("https://extra.example/simple/")],
            ..Indexes::default()
        };
        let merged = configured.with_input_indexes(
            Some(url("https://file.example/simple/")),
            [
                url("https://extra.example/simple/"),
                url("https://file-extra.example/simple/"),
            ],
        );
        let shown: Vec<String> = merged.urls().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "https://internal.example/simple/",
                "https://extra.example/simple/",
                "https://file-extra.example/simple/"
            ]
        );
        let unconfigured =
            Indexes::default().with_input_indexes(Some(url("https://file.example/simple/")), []);
        assert_eq!(
            unconfigured.index_url,
            Some(url("https://file.example/simple/"))
        );
    }

    #[test]
    fn one_client_per_index_set() {
        let dir = tempfile::tempdir().unwrap();
        let context = Context::new(Cache::new(dir.path()), Indexes::default(), None).unwrap();
        let first = context.client().unwrap();
        let second = context.client().unwrap();
        assert_eq!(first.indexes(), second.indexes());
        assert_eq!(context.clients.lock().unwrap().len(), 1);
        let other = Indexes {
            offline: true,
            ..Indexes::default()
        };
        assert!(context.client_for(&other).unwrap().is_offline());
        assert_eq!(context.clients.lock().unwrap().len(), 2);
    }
}
