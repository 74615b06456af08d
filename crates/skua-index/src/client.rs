use std::collections::HashMap;
use std::future::Future;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::{
    ACCEPT, ACCEPT_ENCODING, CONTENT_RANGE, HeaderMap, HeaderValue, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LOCATION, RANGE, RETRY_AFTER,
};
use reqwest::{Response, StatusCode};
use sha2::Digest;
use skua_cache::{Cache, hex, read_if_exists, write_atomic};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tokio::sync::{OnceCell, Semaphore, SemaphorePermit};
use url::Url;

use crate::http_cache::{self, CachedPage, now_secs};
use crate::netrc::Netrc;
use crate::simple::parse_project_page;
use crate::zipread::{self, FileSource, MemorySource, RangeSource, ZipError};
use crate::{CoreMetadata, DistFile, DistKind, IndexError, IndexUrl, Project, WheelFilename};
use skua_types::{PackageName, Sha256, credentials_of, redact_url, strip_credentials};

const USER_AGENT: &str = concat!("skua/", env!("CARGO_PKG_VERSION"));
const PAGE_ACCEPT: &str = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";
const PYPI: &str = "https://pypi.org/simple/";
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest one request may take from sending to the last byte of its body, however
/// steadily the server trickles data (the read timeout alone never fires on an index
/// sending one byte every half second).
const DEFAULT_DEADLINE: Duration = Duration::from_secs(300);
/// Downloads of big files get more time: the deadline plus this many seconds per MiB of
/// their advertised size (a 1 GiB wheel at 1 MiB/s still completes).
const DOWNLOAD_SECS_PER_MIB: u64 = 1;
/// Largest index page, metadata file or range response read into memory. PyPI's biggest
/// project pages are a few MiB; a page past this is refused, not buffered whole.
const DEFAULT_MAX_PAGE_BYTES: u64 = 64 * 1024 * 1024;
const DEFAULT_RETRIES: u32 = 3;
const DEFAULT_CONCURRENCY: usize = 50;
const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// As many as browsers and reqwest follow by default.
const MAX_REDIRECTS: usize = 10;
/// A server asking for longer than this is treated as if it asked for this long: a
/// resolver stalled for minutes is worse than one more failed attempt.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

const PAGES_BUCKET: &str = "simple-v1";
const METADATA_BUCKET: &str = "metadata-v1";
const FILES_BUCKET: &str = "files-v1";

/// Configuration for an [`IndexClient`].
#[derive(Debug, Clone)]
pub struct IndexClientBuilder {
    index_url: Option<IndexUrl>,
    extra_index_urls: Vec<IndexUrl>,
    cache: Cache,
    offline: bool,
    refresh: bool,
    timeout: Duration,
    deadline: Duration,
    max_page_bytes: u64,
    retries: u32,
    retry_backoff: Duration,
    concurrency: usize,
    netrc: NetrcSource,
    user_agent: String,
}

#[derive(Debug, Clone)]
enum NetrcSource {
    /// `$NETRC`, else `~/.netrc`.
    Default,
    Path(PathBuf),
    Disabled,
}

impl IndexClientBuilder {
    /// Defaults: PyPI as the only index, 30 s timeout, a 300 s deadline per request,
    /// 64 MiB pages, 3 retries, 50 requests in flight, `.netrc` from `$NETRC` or
    /// `~/.netrc`. The CLI sets timeout, deadline and page limit from its settings
    /// (`SKUA_HTTP_TIMEOUT`, `SKUA_HTTP_DEADLINE`, `SKUA_HTTP_MAX_PAGE_BYTES`).
    pub fn new(cache: Cache) -> Self {
        IndexClientBuilder {
            index_url: None,
            extra_index_urls: Vec::new(),
            cache,
            offline: false,
            refresh: false,
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            max_page_bytes: DEFAULT_MAX_PAGE_BYTES,
            retries: DEFAULT_RETRIES,
            retry_backoff: DEFAULT_BACKOFF,
            concurrency: DEFAULT_CONCURRENCY,
            netrc: NetrcSource::Default,
            user_agent: USER_AGENT.to_owned(),
        }
    }

    /// The primary index (`--index-url`), replacing PyPI. Highest priority.
    pub fn index_url(mut self, url: IndexUrl) -> Self {
        self.index_url = Some(url);
        self
    }

    /// An extra index (`--extra-index-url`), consulted after the primary and after the
    /// extras added before it.
    pub fn extra_index_url(mut self, url: IndexUrl) -> Self {
        self.extra_index_urls.push(url);
        self
    }

    /// Only the cache: no network requests at all.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// Revalidate every project page even when the cache says it is still fresh.
    pub fn refresh(mut self, refresh: bool) -> Self {
        self.refresh = refresh;
        self
    }

    /// Connect timeout, and the longest a response may go without sending data.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Longest one request may take in all, body included (default 300 s). Downloads get
    /// one more second per MiB of their size.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Largest index page, metadata file or range response accepted (default 64 MiB);
    /// downloads of wheels and sdists are streamed to disk and not limited.
    pub fn max_page_bytes(mut self, limit: u64) -> Self {
        self.max_page_bytes = limit.max(1);
        self
    }

    /// Retries after the first attempt, for transient failures only.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// The first retry's delay; each further one doubles it (with ±50 % jitter).
    pub fn retry_backoff(mut self, base: Duration) -> Self {
        self.retry_backoff = base;
        self
    }

    /// Requests in flight at once (at least 1).
    pub fn concurrency(mut self, limit: usize) -> Self {
        self.concurrency = limit.max(1);
        self
    }

    /// Read credentials from this netrc file instead of `$NETRC` / `~/.netrc`; `None`
    /// disables netrc.
    pub fn netrc(mut self, path: Option<PathBuf>) -> Self {
        self.netrc = path.map_or(NetrcSource::Disabled, NetrcSource::Path);
        self
    }

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    pub fn build(self) -> Result<IndexClient, IndexError> {
        let primary = match self.index_url {
            Some(url) => url,
            None => IndexUrl::parse(PYPI)?,
        };
        let mut indexes = vec![primary];
        for extra in self.extra_index_urls {
            if !indexes.contains(&extra) {
                indexes.push(extra);
            }
        }
        let http_builder = || {
            reqwest::Client::builder()
                // Redirects are followed in `send`, which chooses the credentials for each
                // hop itself: reqwest only compares a hop with the one before it, so on
                // A -> B -> B it sends A's credentials to B again.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(&self.user_agent)
                .connect_timeout(self.timeout)
                .read_timeout(self.timeout)
        };
        // The system's CA certificates (or SSL_CERT_FILE / SSL_CERT_DIR, which replace
        // them) are loaded here. When none can be loaded, plain-http indexes and offline
        // mode still work; https requests then fail with this explanation.
        let (http, tls_error) = match http_builder().build() {
            Ok(http) => (http, None),
            Err(e) => {
                let reason = describe_error(e, self.timeout);
                let fallback = http_builder()
                    .tls_certs_only(Vec::new())
                    .build()
                    .map_err(|e| IndexError::Network {
                        url: "(client setup)".to_owned(),
                        message: describe_error(e, self.timeout),
                    })?;
                (fallback, Some(reason))
            }
        };
        let netrc = match &self.netrc {
            NetrcSource::Disabled => None,
            NetrcSource::Path(path) => read_netrc(path),
            NetrcSource::Default => std::env::var_os("NETRC")
                .map(PathBuf::from)
                .or_else(|| std::env::home_dir().map(|h| h.join(".netrc")))
                .and_then(|p| read_netrc(&p)),
        };
        Ok(IndexClient {
            inner: Arc::new(Inner {
                http,
                tls_error,
                indexes,
                cache: self.cache,
                offline: self.offline,
                refresh: self.refresh,
                timeout: self.timeout,
                deadline: self.deadline,
                max_page_bytes: self.max_page_bytes,
                retries: self.retries,
                retry_backoff: self.retry_backoff,
                permits: Semaphore::new(self.concurrency),
                netrc,
                projects: Memo::default(),
                metadata: Memo::default(),
                files: Memo::default(),
                tails_needed: Mutex::default(),
            }),
        })
    }
}

/// A missing or unreadable netrc file means "no credentials", as for curl and pip.
fn read_netrc(path: &Path) -> Option<Netrc> {
    std::fs::read_to_string(path)
        .ok()
        .map(|text| Netrc::parse(&text))
}

/// A package index client. Cheap to clone; clones share caches and limits.
#[derive(Clone)]
pub struct IndexClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for IndexClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexClient")
            .field("indexes", &self.inner.indexes)
            .field("cache", &self.inner.cache.root())
            .field("offline", &self.inner.offline)
            .finish_non_exhaustive()
    }
}

struct Inner {
    http: reqwest::Client,
    /// Why no CA certificates are available, if so.
    tls_error: Option<String>,
    indexes: Vec<IndexUrl>,
    cache: Cache,
    offline: bool,
    refresh: bool,
    timeout: Duration,
    deadline: Duration,
    max_page_bytes: u64,
    retries: u32,
    retry_backoff: Duration,
    permits: Semaphore,
    netrc: Option<Netrc>,
    projects: Memo<Project>,
    metadata: Memo<CoreMetadata>,
    files: Memo<PathBuf>,
    /// Per project, the most of a wheel's end a METADATA read has needed so far.
    tails_needed: Mutex<HashMap<PackageName, u64>>,
}

/// Shares one in-flight fetch among concurrent callers asking for the same key, and
/// remembers successes for the life of the client. Failures are handed to the callers
/// that were waiting, then forgotten, so a later call tries again.
struct Memo<T> {
    cells: Mutex<HashMap<String, Arc<MemoCell<T>>>>,
}

type MemoCell<T> = OnceCell<Result<Arc<T>, IndexError>>;

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> Memo<T> {
    async fn get_or_fetch<F, Fut>(&self, key: &str, fetch: F) -> Result<Arc<T>, IndexError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Arc<T>, IndexError>>,
    {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(cells.entry(key.to_owned()).or_default())
        };
        let result = cell.get_or_init(fetch).await.clone();
        if result.is_err() {
            let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
            if cells.get(key).is_some_and(|c| Arc::ptr_eq(c, &cell)) {
                cells.remove(key);
            }
        }
        result
    }
}

/// The outcome of one failed attempt.
enum Failure {
    /// Worth another attempt; `error` is what to report if none is left.
    Transient {
        error: IndexError,
        retry_after: Option<Duration>,
    },
    Fatal(IndexError),
}

/// A complete, small response (pages, metadata files, range reads).
struct Fetched {
    status: StatusCode,
    headers: HeaderMap,
    url: Url,
    body: Vec<u8>,
}

type Credentials = (String, Option<String>);

impl IndexClient {
    pub fn builder(cache: Cache) -> IndexClientBuilder {
        IndexClientBuilder::new(cache)
    }

    /// The indexes in priority order.
    pub fn indexes(&self) -> &[IndexUrl] {
        &self.inner.indexes
    }

    pub fn cache(&self) -> &Cache {
        &self.inner.cache
    }

    pub fn is_offline(&self) -> bool {
        self.inner.offline
    }

    /// The project's files from the first index (in priority order) that has the
    /// project; indexes answering 404 are skipped. A project found on an earlier index
    /// is never looked up on a later one (no dependency confusion).
    pub async fn project(&self, name: &PackageName) -> Result<Arc<Project>, IndexError> {
        self.inner
            .projects
            .get_or_fetch(name.as_str(), || self.fetch_project(name))
            .await
    }

    /// The core metadata of a distribution, with the cheapest method available: the
    /// PEP 658 metadata file, range requests into a wheel, or a full download. Cached
    /// on disk forever (distribution files are immutable).
    ///
    /// For sdists, check [`CoreMetadata::static_requires_dist`] before trusting the
    /// requirements.
    pub async fn metadata(&self, file: &DistFile) -> Result<Arc<CoreMetadata>, IndexError> {
        let key = artifact_key(file);
        self.inner
            .metadata
            .get_or_fetch(&key, || self.fetch_metadata(file, &key))
            .await
    }

    /// Downloads `file` to `dest`, verified against its sha256. `dest` appears
    /// atomically and only with verified content; a failure leaves nothing there.
    pub async fn download(&self, file: &DistFile, dest: &Path) -> Result<(), IndexError> {
        let cached = self.fetch(file).await?;
        let dest_owned = dest.to_owned();
        let copied = tokio::task::spawn_blocking(move || copy_atomic(&cached, &dest_owned)).await;
        match copied {
            Ok(result) => {
                result.map_err(|e| IndexError::io(format!("writing {}", dest.display()), e))
            }
            Err(join) => Err(IndexError::io(
                format!("writing {}", dest.display()),
                io::Error::other(join.to_string()),
            )),
        }
    }

    /// The sha256 of `file`, fetched (and cached) to compute it when no index gave one: a
    /// direct reference without `#sha256=`.
    pub async fn sha256_of(&self, file: &DistFile) -> Result<Sha256, IndexError> {
        if let Some(known) = &file.sha256 {
            return Ok(known.clone());
        }
        let path = self.fetch(file).await?;
        let bytes = std::fs::read(&path)
            .map_err(|error| IndexError::io(format!("reading {}", path.display()), error))?;
        Sha256::from_hex(&sha256_hex(&bytes)).map_err(|error| IndexError::Malformed {
            url: redact_url(&file.url),
            message: error.to_string(),
        })
    }

    /// Files already downloaded and verified whose sha256 is `sha256`, without any request:
    /// a lock's hashes are enough to find them again (warm syncs need no index page).
    pub fn cached_files(&self, sha256: &Sha256) -> Vec<PathBuf> {
        let dir = self
            .inner
            .cache
            .root()
            .join(FILES_BUCKET)
            .join(sha256.hex());
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| {
                path.is_file()
                    && path
                        .file_name()
                        .is_some_and(|name| !name.to_string_lossy().starts_with('.'))
            })
            .collect()
    }

    /// The file in the cache (downloading and verifying it first if needed). The path
    /// ends with the file's name; treat the file as read-only.
    pub async fn fetch(&self, file: &DistFile) -> Result<PathBuf, IndexError> {
        let key = artifact_key(file);
        let path = self
            .inner
            .files
            .get_or_fetch(&key, || async { self.fetch_file(file).await.map(Arc::new) })
            .await?;
        Ok(PathBuf::clone(&path))
    }

    // ----- project pages -------------------------------------------------------------

    async fn fetch_project(&self, name: &PackageName) -> Result<Arc<Project>, IndexError> {
        let indexes = &self.inner.indexes;
        let not_found = || IndexError::NotFound {
            name: name.to_string(),
            indexes: indexes.iter().map(ToString::to_string).collect(),
        };
        if self.inner.offline {
            for index in indexes {
                if let Some(cached) = self.read_cached_page(index, name)
                    && let Ok(project) = parse_cached(index, name, &cached)
                {
                    return Ok(Arc::new(project));
                }
            }
            return Err(IndexError::Offline {
                name: name.to_string(),
            });
        }
        for index in indexes {
            if let Some(project) = self.fetch_page(index, name).await? {
                return Ok(Arc::new(project));
            }
        }
        Err(not_found())
    }

    fn page_cache_path(&self, index: &IndexUrl, name: &PackageName) -> PathBuf {
        self.inner
            .cache
            .bucket(PAGES_BUCKET)
            .join(Cache::key(&[index.url().as_str(), name.as_str()]))
    }

    fn read_cached_page(&self, index: &IndexUrl, name: &PackageName) -> Option<CachedPage> {
        let bytes = read_if_exists(&self.page_cache_path(index, name)).ok()??;
        CachedPage::decode(&bytes)
    }

    /// `Ok(None)` when the index does not have the project.
    async fn fetch_page(
        &self,
        index: &IndexUrl,
        name: &PackageName,
    ) -> Result<Option<Project>, IndexError> {
        let url = index.project_url(name);
        let cache_path = self.page_cache_path(index, name);
        let cached = self.read_cached_page(index, name);
        if let Some(cached) = &cached
            && !self.inner.refresh
            && cached.is_fresh(now_secs())
            && let Ok(project) = parse_cached(index, name, cached)
        {
            return Ok(Some(project));
        }
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static(PAGE_ACCEPT));
        if let Some(cached) = &cached {
            if let Some(etag) = cached.meta.etag.as_deref().and_then(header_value) {
                headers.insert(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = cached.meta.last_modified.as_deref().and_then(header_value) {
                headers.insert(IF_MODIFIED_SINCE, lm);
            }
        }
        let response = self.get(&url, &headers).await?;
        match (response.status, cached) {
            (StatusCode::NOT_MODIFIED, Some(mut cached)) => {
                cached.meta.fetched_at = now_secs();
                // A 304 may update the freshness lifetime and validators.
                cached.meta.max_age = http_cache::policy(&response.headers).max_age;
                let fresh = http_cache::meta_from_response(&cached.meta.url, &response.headers, 0);
                if fresh.etag.is_some() {
                    cached.meta.etag = fresh.etag;
                }
                if fresh.last_modified.is_some() {
                    cached.meta.last_modified = fresh.last_modified;
                }
                let project = parse_cached(index, name, &cached)?;
                // The cache is an optimisation: failing to update it must not fail the
                // lookup whose answer is already in hand.
                let _ = write_atomic(&cache_path, &cached.encode());
                Ok(Some(project))
            }
            (StatusCode::OK, _) => {
                let meta = http_cache::meta_from_response(
                    response.url.as_str(),
                    &response.headers,
                    now_secs(),
                );
                let project = parse_project_page(
                    index,
                    name,
                    &response.url,
                    meta.content_type.as_deref(),
                    &response.body,
                )?;
                if http_cache::policy(&response.headers).store {
                    let page = CachedPage {
                        meta,
                        body: response.body,
                    };
                    let _ = write_atomic(&cache_path, &page.encode());
                }
                Ok(Some(project))
            }
            (StatusCode::NOT_FOUND | StatusCode::GONE, _) => {
                let _ = std::fs::remove_file(&cache_path);
                Ok(None)
            }
            (status, _) => Err(IndexError::Http {
                url: redact_url(&url),
                status: status.as_u16(),
            }),
        }
    }

    // ----- metadata ------------------------------------------------------------------

    async fn fetch_metadata(
        &self,
        file: &DistFile,
        key: &str,
    ) -> Result<Arc<CoreMetadata>, IndexError> {
        let path = self.inner.cache.bucket(METADATA_BUCKET).join(key);
        if let Ok(Some(bytes)) = read_if_exists(&path)
            && let Ok(metadata) = check_metadata(file, &bytes)
        {
            return Ok(Arc::new(metadata));
        }
        let bytes = self.obtain_metadata(file).await?;
        let metadata = check_metadata(file, &bytes)?;
        let _ = write_atomic(&path, &bytes);
        Ok(Arc::new(metadata))
    }

    async fn obtain_metadata(&self, file: &DistFile) -> Result<Vec<u8>, IndexError> {
        // A file downloaded earlier beats any request.
        let cached_file = self.file_cache_path(file)?;
        if cached_file.is_file() {
            return self.metadata_from_archive(file, &cached_file).await;
        }
        // A local archive (a direct `file://` reference) is read whole: no requests.
        if file.url.scheme() == "file" {
            let path = self.fetch(file).await?;
            return self.metadata_from_archive(file, &path).await;
        }
        if self.inner.offline {
            return Err(IndexError::Offline {
                name: file.filename.clone(),
            });
        }
        if let Some(hash) = &file.core_metadata
            && let Some(bytes) = self.fetch_metadata_file(file, hash.as_ref()).await?
        {
            return Ok(bytes);
        }
        // Range requests whatever the wheel's size: a small wheel's tail is the whole
        // wheel in one request, but kept as metadata only, not in the file cache.
        if let DistKind::Wheel(wheel) = &file.kind
            && let Some(bytes) = self.metadata_by_range(file, wheel).await?
        {
            return Ok(bytes);
        }
        let path = self.fetch(file).await?;
        self.metadata_from_archive(file, &path).await
    }

    /// `Ok(None)` when the advertised metadata file is missing after all.
    async fn fetch_metadata_file(
        &self,
        file: &DistFile,
        expected: Option<&Sha256>,
    ) -> Result<Option<Vec<u8>>, IndexError> {
        let url = file.metadata_url();
        let response = self.get(&url, &HeaderMap::new()).await?;
        match response.status {
            StatusCode::OK => {
                if let Some(expected) = expected {
                    let actual = sha256_hex(&response.body);
                    if actual != expected.hex() {
                        return Err(IndexError::HashMismatch {
                            filename: format!("{}.metadata", file.filename),
                            expected: expected.hex().to_owned(),
                            actual,
                        });
                    }
                }
                Ok(Some(response.body))
            }
            StatusCode::NOT_FOUND | StatusCode::GONE => Ok(None),
            status => Err(IndexError::Http {
                url: redact_url(&url),
                status: status.as_u16(),
            }),
        }
    }

    /// The wheel's METADATA through range requests. `Ok(None)` when the server does not
    /// do ranges, so the caller falls back to a download.
    async fn metadata_by_range(
        &self,
        file: &DistFile,
        wheel: &WheelFilename,
    ) -> Result<Option<Vec<u8>>, IndexError> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        let first_tail = self.first_tail(&wheel.name);
        let range = format!("bytes=-{first_tail}");
        if let Some(range) = header_value(&range) {
            headers.insert(RANGE, range);
        }
        let response = self.get(&file.url, &headers).await?;
        let result = match response.status {
            StatusCode::PARTIAL_CONTENT => {
                let Some((start, total)) = content_range(&response.headers) else {
                    return Ok(None);
                };
                if start.checked_add(response.body.len() as u64) != Some(total) {
                    return Ok(None);
                }
                let mut source = RemoteSource {
                    client: self,
                    url: &file.url,
                    total,
                    chunks: vec![(start, response.body)],
                };
                zipread::read_entry_at(&mut source, |e| {
                    zipread::pick_wheel_metadata(e, &wheel.name, &wheel.version)
                })
                .await
                .map(|(metadata, offset)| {
                    // The central directory follows every entry: from METADATA on is
                    // what the first read needed.
                    self.needed_tail(&wheel.name, total - offset);
                    metadata
                })
            }
            // The server ignored the range and sent the whole file.
            StatusCode::OK => {
                verify_sha256(file, &response.body)?;
                zipread::read_entry(&mut MemorySource(&response.body), |e| {
                    zipread::pick_wheel_metadata(e, &wheel.name, &wheel.version)
                })
                .await
            }
            StatusCode::RANGE_NOT_SATISFIABLE | StatusCode::NOT_IMPLEMENTED => return Ok(None),
            status => {
                return Err(IndexError::Http {
                    url: redact_url(&file.url),
                    status: status.as_u16(),
                });
            }
        };
        result.map(Some).map_err(|e| zip_error(file, e))
    }

    /// How much of the end of a wheel of `project` to ask for first: 16 KiB (uv's guess)
    /// until one of its wheels has been read, then what its wheels needed so far and a
    /// margin. Releases of one project lay out their wheels alike; a backtracking boto3
    /// reads ~900 of them, each needing ~9 KiB.
    fn first_tail(&self, project: &PackageName) -> u64 {
        let needed = self
            .inner
            .tails_needed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(project)
            .copied();
        needed.map_or(zipread::TAIL_SIZE, |needed| {
            needed
                .saturating_add(needed / 8 + 1024)
                .min(zipread::TAIL_SIZE)
        })
    }

    fn needed_tail(&self, project: &PackageName, needed: u64) {
        let mut tails = self
            .inner
            .tails_needed
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let most = tails.entry(project.clone()).or_default();
        *most = (*most).max(needed);
    }

    async fn metadata_from_archive(
        &self,
        file: &DistFile,
        path: &Path,
    ) -> Result<Vec<u8>, IndexError> {
        let result = match &file.kind {
            DistKind::Wheel(wheel) => {
                let mut source = FileSource::open(path).await?;
                zipread::read_entry(&mut source, |e| {
                    zipread::pick_wheel_metadata(e, &wheel.name, &wheel.version)
                })
                .await
            }
            DistKind::Sdist { .. } if file.filename.to_ascii_lowercase().ends_with(".zip") => {
                let mut source = FileSource::open(path).await?;
                zipread::read_entry(&mut source, zipread::pick_sdist_pkg_info).await
            }
            DistKind::Sdist { .. } => {
                let owned = path.to_owned();
                tokio::task::spawn_blocking(move || pkg_info_from_tar_gz(&owned))
                    .await
                    .unwrap_or_else(|join| Err(join.to_string()))
                    .map_err(ZipError::Invalid)
            }
        };
        result.map_err(|e| zip_error(file, e))
    }

    // ----- files ---------------------------------------------------------------------

    fn file_cache_path(&self, file: &DistFile) -> Result<PathBuf, IndexError> {
        // The filename comes from the index; it parsed as a wheel or sdist name, which
        // cannot contain a separator, but a path is the wrong place to rely on that.
        let name = &file.filename;
        if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(IndexError::Malformed {
                url: redact_url(&file.url),
                message: format!("unsafe filename `{name}`"),
            });
        }
        Ok(self
            .inner
            .cache
            .bucket(FILES_BUCKET)
            .join(artifact_key(file))
            .join(name))
    }

    async fn fetch_file(&self, file: &DistFile) -> Result<PathBuf, IndexError> {
        let path = self.file_cache_path(file)?;
        if path.is_file() {
            return Ok(path);
        }
        let local = file.url.scheme() == "file";
        if self.inner.offline && !local {
            return Err(IndexError::Offline {
                name: file.filename.clone(),
            });
        }
        let bucket = self.inner.cache.bucket(FILES_BUCKET);
        let io_err = |e| IndexError::io(format!("writing to {}", bucket.display()), e);
        std::fs::create_dir_all(&bucket).map_err(io_err)?;
        let temp = tempfile::Builder::new()
            .prefix(".tmp-")
            .tempfile_in(&bucket)
            .map_err(io_err)?;
        let (std_file, temp_path) = temp.into_parts();
        let mut out = tokio::fs::File::from_std(std_file);

        let mut attempt = 0;
        let (digest, size) = if local {
            let source = file
                .url
                .to_file_path()
                .map_err(|()| IndexError::Malformed {
                    url: redact_url(&file.url),
                    message: "not a local path".into(),
                })?;
            let read_error = |e| IndexError::io(format!("reading {}", source.display()), e);
            // Only a regular file: a FIFO would block and a device never end.
            if !std::fs::metadata(&source).map_err(read_error)?.is_file() {
                return Err(read_error(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "not a regular file",
                )));
            }
            let bytes = std::fs::read(&source).map_err(read_error)?;
            out.write_all(&bytes).await.map_err(io_err)?;
            (sha256_hex(&bytes), bytes.len() as u64)
        } else {
            loop {
                let deadline = self.inner.deadline.saturating_add(Duration::from_secs(
                    (file.size.unwrap_or(0) / (1024 * 1024)).saturating_mul(DOWNLOAD_SECS_PER_MIB),
                ));
                let attempt_result =
                    tokio::time::timeout(deadline, self.try_download(&file.url, &mut out))
                        .await
                        .unwrap_or_else(|_| Err(past_deadline(&file.url, deadline)));
                match attempt_result {
                    Ok(done) => break done,
                    Err(Failure::Fatal(e)) => return Err(e),
                    Err(Failure::Transient { error, retry_after }) => {
                        if !self.backoff(&mut attempt, retry_after).await {
                            return Err(gave_up(error, attempt));
                        }
                    }
                }
            }
        };
        if let Some(expected) = &file.sha256 {
            if digest != expected.hex() {
                // Dropping `temp_path` deletes the bad download.
                return Err(IndexError::HashMismatch {
                    filename: file.filename.clone(),
                    expected: expected.hex().to_owned(),
                    actual: digest,
                });
            }
        } else if let Some(expected) = file.size
            && expected != size
        {
            return Err(IndexError::Malformed {
                url: redact_url(&file.url),
                message: format!("expected {expected} bytes, got {size}"),
            });
        }
        out.sync_all().await.map_err(io_err)?;
        drop(out);
        let dir = path.parent().unwrap_or(&bucket);
        std::fs::create_dir_all(dir).map_err(io_err)?;
        temp_path.persist(&path).map_err(|e| io_err(e.error))?;
        Ok(path)
    }

    /// One attempt at streaming `url` into `out`; returns the sha256 and size.
    async fn try_download(
        &self,
        url: &Url,
        out: &mut tokio::fs::File,
    ) -> Result<(String, u64), Failure> {
        let mut headers = HeaderMap::new();
        // Wheels and sdists are compressed already; identity keeps the bytes we hash
        // the bytes the server has.
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        let (mut response, _permit) = self.send(url, &headers).await?;
        let display = redact_url(url);
        let status = response.status();
        if status != StatusCode::OK {
            return Err(Failure::Fatal(IndexError::Http {
                url: display,
                status: status.as_u16(),
            }));
        }
        let io_fatal = |e: io::Error| Failure::Fatal(IndexError::io("writing a download", e));
        out.set_len(0).await.map_err(io_fatal)?;
        out.seek(io::SeekFrom::Start(0)).await.map_err(io_fatal)?;
        let mut hasher = sha2::Sha256::new();
        let mut size = 0u64;
        // Each write of a tokio file is a trip to the blocking pool: write in big pieces
        // rather than once per network chunk (~16 KiB).
        let mut out = tokio::io::BufWriter::with_capacity(512 * 1024, out);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    hasher.update(&chunk);
                    size += chunk.len() as u64;
                    out.write_all(&chunk).await.map_err(io_fatal)?;
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(Failure::Transient {
                        error: IndexError::Network {
                            url: display,
                            message: describe_error(e, self.inner.timeout),
                        },
                        retry_after: None,
                    });
                }
            }
        }
        out.flush().await.map_err(io_fatal)?;
        Ok((hex(&hasher.finalize()), size))
    }

    // ----- HTTP ----------------------------------------------------------------------

    /// GET with retries, returning the whole response. Statuses other than 5xx and 429
    /// (which are retried) are returned for the caller to interpret.
    async fn get(&self, url: &Url, headers: &HeaderMap) -> Result<Fetched, IndexError> {
        let mut attempt = 0;
        loop {
            match self.try_get(url, headers).await {
                Ok(fetched) => return Ok(fetched),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Transient { error, retry_after }) => {
                    if !self.backoff(&mut attempt, retry_after).await {
                        return Err(gave_up(error, attempt));
                    }
                }
            }
        }
    }

    /// One attempt, within the overall deadline.
    async fn try_get(&self, url: &Url, headers: &HeaderMap) -> Result<Fetched, Failure> {
        let deadline = self.inner.deadline;
        tokio::time::timeout(deadline, self.try_get_unbounded(url, headers))
            .await
            .unwrap_or_else(|_| Err(past_deadline(url, deadline)))
    }

    async fn try_get_unbounded(&self, url: &Url, headers: &HeaderMap) -> Result<Fetched, Failure> {
        let (mut response, _permit) = self.send(url, headers).await?;
        let status = response.status();
        let response_headers = response.headers().clone();
        let final_url = strip_credentials(response.url());
        let limit = self.inner.max_page_bytes;
        let too_large = || {
            Failure::Fatal(IndexError::TooLarge {
                url: redact_url(url),
                limit,
            })
        };
        // Refused up front when announced, else counted while streaming: a huge page is
        // never buffered whole (gzip is decoded before counting, so bombs count too).
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > limit {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(Failure::Transient {
                        error: IndexError::Network {
                            url: redact_url(url),
                            message: describe_error(e, self.inner.timeout),
                        },
                        retry_after: None,
                    });
                }
            }
        }
        Ok(Fetched {
            status,
            headers: response_headers,
            url: final_url,
            body,
        })
    }

    /// Sends one request (holding a concurrency permit, which the caller keeps while it
    /// reads the body) and sorts out transient failures.
    async fn send(
        &self,
        url: &Url,
        headers: &HeaderMap,
    ) -> Result<(Response, SemaphorePermit<'_>), Failure> {
        let display = redact_url(url);
        let permit = self.inner.permits.acquire().await.map_err(|_| {
            Failure::Fatal(IndexError::Network {
                url: display.clone(),
                message: "client is shutting down".to_owned(),
            })
        })?;
        if url.scheme() == "https"
            && let Some(reason) = &self.inner.tls_error
        {
            return Err(Failure::Fatal(IndexError::Network {
                url: display,
                message: format!(
                    "no CA certificates to verify the server with ({reason}); \
                     check SSL_CERT_FILE and SSL_CERT_DIR"
                ),
            }));
        }
        let mut current = strip_credentials(url);
        let mut hops = 0;
        let response = loop {
            let (wire_url, credentials) = self.hop_credentials(url, &current);
            let mut request = self.inner.http.get(wire_url).headers(headers.clone());
            if let Some((user, password)) = credentials {
                request = request.basic_auth(user, password);
            }
            let response = match request.send().await {
                Ok(response) => response,
                Err(e) => {
                    let retryable = !e.is_builder();
                    let error = IndexError::Network {
                        url: display,
                        message: describe_error(e, self.inner.timeout),
                    };
                    return Err(if retryable {
                        Failure::Transient {
                            error,
                            retry_after: None,
                        }
                    } else {
                        Failure::Fatal(error)
                    });
                }
            };
            let Some(next) = redirect_target(&response, &current) else {
                break response;
            };
            let next = next.map_err(|message| {
                Failure::Fatal(IndexError::Network {
                    url: display.clone(),
                    message,
                })
            })?;
            hops += 1;
            if hops > MAX_REDIRECTS {
                return Err(Failure::Fatal(IndexError::Network {
                    url: display,
                    message: format!("more than {MAX_REDIRECTS} redirects"),
                }));
            }
            if next.scheme() == "https"
                && let Some(reason) = &self.inner.tls_error
            {
                return Err(Failure::Fatal(IndexError::Network {
                    url: redact_url(&next),
                    message: format!(
                        "redirected from {display}, but there are no CA certificates to \
                         verify the server with ({reason}); check SSL_CERT_FILE and SSL_CERT_DIR"
                    ),
                }));
            }
            current = next;
        };
        let status = response.status();
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Err(Failure::Transient {
                error: IndexError::Http {
                    url: display,
                    status: status.as_u16(),
                },
                retry_after: retry_after(response.headers()),
            });
        }
        Ok((response, permit))
    }

    /// Sleeps before the next attempt; `false` when no attempt is left.
    async fn backoff(&self, attempt: &mut u32, retry_after: Option<Duration>) -> bool {
        if *attempt >= self.inner.retries {
            *attempt += 1;
            return false;
        }
        let exponential = self
            .inner
            .retry_backoff
            .saturating_mul(2u32.saturating_pow(*attempt))
            .min(MAX_BACKOFF);
        // Jitter spreads out clients that failed together (e.g. behind one proxy).
        let jittered = exponential.mul_f64(0.5 + fastrand::f64());
        let delay = retry_after.map_or(jittered, |d| d.min(MAX_RETRY_AFTER));
        *attempt += 1;
        tokio::time::sleep(delay).await;
        true
    }

    /// The URL to put on the wire (never with userinfo) and the basic-auth credentials
    /// for it: its own userinfo, else those of an index on the same scheme, host and
    /// port, else netrc.
    #[cfg(test)]
    fn credentials_for(&self, url: &Url) -> (Url, Option<Credentials>) {
        self.hop_credentials(url, url)
    }

    /// The URL to put on the wire and the credentials for `hop`, a URL reached from
    /// `requested` by following redirects (or `requested` itself). Credentials are chosen
    /// afresh for every hop and only ever go to the origin they belong to: `requested`'s
    /// userinfo to `requested`'s origin, an index's to the index's origin, netrc's to
    /// its machine. Userinfo in a `Location` is ignored (a server cannot choose what we
    /// send where).
    fn hop_credentials(&self, requested: &Url, hop: &Url) -> (Url, Option<Credentials>) {
        let url = strip_credentials(hop);
        if same_origin(requested, &url)
            && let Some(credentials) = credentials_of(requested)
        {
            return (url, Some(credentials));
        }
        for index in &self.inner.indexes {
            if let Some(credentials) = index.credentials()
                && same_origin(index.url_with_credentials(), &url)
            {
                return (url, Some(credentials));
            }
        }
        if let Some(netrc) = &self.inner.netrc
            && let Some(host) = url.host_str()
            && let Some(entry) = netrc.lookup(host)
        {
            let credentials = (entry.login.clone(), entry.password.clone());
            return (url, Some(credentials));
        }
        (url, None)
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Where a redirect response sends the client: `None` when it is not a redirect to
/// follow, `Some(Err)` for a `Location` that cannot be followed.
fn redirect_target(response: &Response, current: &Url) -> Option<Result<Url, String>> {
    if !matches!(
        response.status(),
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    ) {
        return None;
    }
    let location = response.headers().get(LOCATION)?;
    Some((|| {
        let location = location
            .to_str()
            .map_err(|_| "redirected to a Location that is not text".to_owned())?;
        let next = current
            .join(location)
            .map_err(|e| format!("redirected to an invalid Location: {e}"))?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(format!(
                "redirected to a `{}:` URL, which is not HTTP",
                next.scheme()
            ));
        }
        Ok(next)
    })())
}

/// Range reads of a remote file, reusing the bytes already fetched.
struct RemoteSource<'a> {
    client: &'a IndexClient,
    url: &'a Url,
    total: u64,
    chunks: Vec<(u64, Vec<u8>)>,
}

impl RangeSource for RemoteSource<'_> {
    fn len(&self) -> u64 {
        self.total
    }

    /// The tail already fetched, not another request for more of it.
    fn first_tail(&self) -> u64 {
        self.chunks
            .first()
            .map_or(zipread::TAIL_SIZE, |(start, _)| self.total - start)
    }

    async fn read(&mut self, start: u64, end: u64) -> Result<Vec<u8>, IndexError> {
        for (chunk_start, bytes) in &self.chunks {
            let chunk_end = chunk_start + bytes.len() as u64;
            if *chunk_start <= start && end <= chunk_end {
                let from = (start - chunk_start) as usize;
                return Ok(bytes[from..from + (end - start) as usize].to_vec());
            }
        }
        if start >= end {
            return Ok(Vec::new());
        }
        // A central directory that began before the tail: only the part in front of the
        // bytes already here is fetched.
        let covered_tail = self
            .chunks
            .iter()
            .filter(|(chunk_start, bytes)| {
                start < *chunk_start
                    && *chunk_start < end
                    && end <= chunk_start + bytes.len() as u64
            })
            .map(|(chunk_start, _)| *chunk_start)
            .min();
        if let Some(chunk_start) = covered_tail {
            let mut head = self.fetch_range(start, chunk_start).await?;
            let rest = Box::pin(self.read(chunk_start, end)).await?;
            head.extend_from_slice(&rest);
            return Ok(head);
        }
        self.fetch_range(start, end).await
    }
}

impl RemoteSource<'_> {
    /// Bytes `start..end` of the file by one range request, kept for later reads.
    async fn fetch_range(&mut self, start: u64, end: u64) -> Result<Vec<u8>, IndexError> {
        let malformed = |message: String| IndexError::Malformed {
            url: redact_url(self.url),
            message,
        };
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        if let Some(range) = header_value(&format!("bytes={start}-{}", end - 1)) {
            headers.insert(RANGE, range);
        }
        let response = self.client.get(self.url, &headers).await?;
        if response.status != StatusCode::PARTIAL_CONTENT {
            return Err(IndexError::Http {
                url: redact_url(self.url),
                status: response.status.as_u16(),
            });
        }
        let got_start = content_range(&response.headers).map(|(s, _)| s);
        if got_start != Some(start) || response.body.len() as u64 != end - start {
            return Err(malformed(format!(
                "asked for bytes {start}-{} and got something else",
                end - 1
            )));
        }
        self.chunks.push((start, response.body.clone()));
        Ok(response.body)
    }
}

/// Parses `Content-Range: bytes START-END/TOTAL` into `(START, TOTAL)`.
fn content_range(headers: &HeaderMap) -> Option<(u64, u64)> {
    let value = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()?))
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    // Only the delta-seconds form; for an HTTP date our own backoff is close enough.
    let secs: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs))
}

fn gave_up(error: IndexError, attempts: u32) -> IndexError {
    match error {
        IndexError::Network { url, message } if attempts > 1 => IndexError::Network {
            url,
            message: format!("{message} (gave up after {attempts} attempts)"),
        },
        other => other,
    }
}

/// A request that did not complete within its overall deadline (retried like any other
/// timeout).
fn past_deadline(url: &Url, deadline: Duration) -> Failure {
    Failure::Transient {
        error: IndexError::Network {
            url: redact_url(url),
            message: format!(
                "no complete response within the {deadline:?} deadline (the server sent too \
                 slowly or stalled; SKUA_HTTP_DEADLINE sets the deadline in seconds)"
            ),
        },
        retry_after: None,
    }
}

/// A reqwest error as text, without its URL (the caller names the redacted one), with
/// the underlying causes that make it actionable ("connection refused").
fn describe_error(error: reqwest::Error, timeout: Duration) -> String {
    let timed_out = error.is_timeout();
    let error = error.without_url();
    let mut parts = vec![error.to_string()];
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    let message = parts.join(": ");
    if timed_out {
        format!("timed out after {timeout:?}: {message}")
    } else {
        message
    }
}

fn header_value(s: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(s).ok()
}

/// Files are immutable, so a hash identifies them; without one, the URL must do.
fn artifact_key(file: &DistFile) -> String {
    match &file.sha256 {
        Some(sha256) => sha256.hex().to_owned(),
        None => Cache::key(&["url", file.url.as_str()]),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

fn verify_sha256(file: &DistFile, bytes: &[u8]) -> Result<(), IndexError> {
    if let Some(expected) = &file.sha256 {
        let actual = sha256_hex(bytes);
        if actual != expected.hex() {
            return Err(IndexError::HashMismatch {
                filename: file.filename.clone(),
                expected: expected.hex().to_owned(),
                actual,
            });
        }
    }
    Ok(())
}

fn parse_cached(
    index: &IndexUrl,
    name: &PackageName,
    cached: &CachedPage,
) -> Result<Project, IndexError> {
    let base = Url::parse(&cached.meta.url).map_err(|e| IndexError::Malformed {
        url: "(cached page)".to_owned(),
        message: e.to_string(),
    })?;
    parse_project_page(
        index,
        name,
        &base,
        cached.meta.content_type.as_deref(),
        &cached.body,
    )
}

/// Parses metadata and checks it describes the file it came from: a mismatch means a
/// broken upload or a confused index, and resolving with it would be wrong.
fn check_metadata(file: &DistFile, bytes: &[u8]) -> Result<CoreMetadata, IndexError> {
    let metadata = CoreMetadata::parse(bytes).map_err(|e| match e {
        IndexError::Malformed { message, .. } => IndexError::MetadataUnavailable {
            filename: file.filename.clone(),
            reason: message,
        },
        other => other,
    })?;
    let (name, version) = match &file.kind {
        DistKind::Wheel(w) => (&w.name, &w.version),
        DistKind::Sdist { name, version } => (name, version),
    };
    if PackageName::new(metadata.name.trim()).ok().as_ref() != Some(name)
        || metadata.version != *version
    {
        return Err(IndexError::MetadataUnavailable {
            filename: file.filename.clone(),
            reason: format!(
                "the metadata describes {} {}, not {name} {version}",
                metadata.name, metadata.version
            ),
        });
    }
    Ok(metadata)
}

fn zip_error(file: &DistFile, error: ZipError) -> IndexError {
    match error {
        ZipError::Source(e) => e,
        ZipError::Invalid(reason) => IndexError::MetadataUnavailable {
            filename: file.filename.clone(),
            reason,
        },
    }
}

/// The top-level `{name}-{version}/PKG-INFO` of a `.tar.gz` sdist.
fn pkg_info_from_tar_gz(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    const LIMIT: u64 = 16 * 1024 * 1024;
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let gz = flate2::read::GzDecoder::new(io::BufReader::new(file));
    let mut archive = tar::Archive::new(gz);
    let entries = archive
        .entries()
        .map_err(|e| format!("not a tar.gz: {e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("corrupt tar.gz: {e}"))?;
        let is_top_pkg_info = entry.path().is_ok_and(|p| {
            let parts: Vec<_> = p
                .components()
                .filter(|c| !matches!(c, std::path::Component::CurDir))
                .collect();
            parts.len() == 2 && parts[1].as_os_str() == "PKG-INFO"
        });
        if is_top_pkg_info {
            let mut bytes = Vec::new();
            entry
                .take(LIMIT)
                .read_to_end(&mut bytes)
                .map_err(|e| format!("corrupt tar.gz: {e}"))?;
            return Ok(bytes);
        }
    }
    Err("no PKG-INFO at the top of the sdist".to_owned())
}

/// Copies `src` to `dest` through a temporary file next to `dest`, so `dest` is either
/// complete or absent.
fn copy_atomic(src: &Path, dest: &Path) -> io::Result<()> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    let mut input = std::fs::File::open(src)?;
    io::copy(&mut input, temp.as_file_mut())?;
    temp.as_file_mut().flush()?;
    temp.as_file().sync_all()?;
    temp.persist(dest).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_content_range() {
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_RANGE,
            HeaderValue::from_static("bytes 100-199/1000"),
        );
        assert_eq!(content_range(&h), Some((100, 1000)));
        h.insert(CONTENT_RANGE, HeaderValue::from_static("bytes 0-9/*"));
        assert_eq!(content_range(&h), None);
    }

    #[test]
    fn futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let tmp = tempfile::tempdir().unwrap();
        let client = IndexClient::builder(Cache::new(tmp.path()))
            .build()
            .unwrap();
        let file = DistFile {
            filename: "a-1.0.tar.gz".into(),
            url: Url::parse("https://example.org/a-1.0.tar.gz").unwrap(),
            kind: DistKind::Sdist {
                name: PackageName::new("a").unwrap(),
                version: "1.0".parse().unwrap(),
            },
            sha256: None,
            requires_python: None,
            yanked: None,
            upload_time: None,
            size: None,
            core_metadata: None,
        };
        let name = PackageName::new("a").unwrap();
        assert_send(&client.project(&name));
        assert_send(&client.metadata(&file));
        assert_send(&client.download(&file, Path::new("x")));
    }

    #[test]
    fn credentials_routing() {
        let tmp = tempfile::tempdir().unwrap();
        let netrc_path = tmp.path().join("netrc");
        std::fs::write(
            &netrc_path,
            "machine files.example.net login nu password np\n",
        )
        .unwrap();
        let client = IndexClient::builder(Cache::new(tmp.path()))
            .index_url(IndexUrl::parse("https://u:p@idx.example.org/simple/").unwrap())
            .netrc(Some(netrc_path))
            .build()
            .unwrap();
        let url = |s: &str| Url::parse(s).unwrap();
        let (wire, creds) = client.credentials_for(&url("https://idx.example.org/files/a.whl"));
        assert_eq!(wire.as_str(), "https://idx.example.org/files/a.whl");
        assert_eq!(creds, Some(("u".into(), Some("p".into()))));
        // Another port is another origin.
        let (_, creds) = client.credentials_for(&url("https://idx.example.org:444/a.whl"));
        assert_eq!(creds, None);
        let (_, creds) = client.credentials_for(&url("http://idx.example.org/a.whl"));
        assert_eq!(creds, None);
        let (_, creds) = client.credentials_for(&url("https://files.example.net/a.whl"));
        assert_eq!(creds, Some(("nu".into(), Some("np".into()))));
        let (wire, creds) = client.credentials_for(&url("https://x:y@other.example/a.whl"));
        assert_eq!(wire.as_str(), "https://other.example/a.whl");
        assert_eq!(creds, Some(("x".into(), Some("y".into()))));
        // After a redirect, a URL's own userinfo stays with its origin, and a Location's
        // userinfo is not used.
        let requested = url("https://x:y@other.example/a.whl");
        let (_, creds) = client.hop_credentials(&requested, &url("https://cdn.example/a.whl"));
        assert_eq!(creds, None);
        let (_, creds) = client.hop_credentials(&requested, &url("https://other.example/b"));
        assert_eq!(creds, Some(("x".into(), Some("y".into()))));
        let (wire, creds) =
            client.hop_credentials(&requested, &url("https://q:r@cdn.example/a.whl"));
        assert_eq!((wire.as_str(), creds), ("https://cdn.example/a.whl", None));
        assert!(!format!("{client:?}").contains(":p@"));
    }
}
