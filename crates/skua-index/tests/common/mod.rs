//! Shared test helpers. Not every test binary uses every helper.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use skua_index::{Cache, DistFile, IndexClient, IndexClientBuilder, IndexUrl, Project};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A client for `index_urls` (first = primary) with a private cache, no netrc and
/// fast retries.
pub fn builder(cache: &Path, index_urls: &[String]) -> IndexClientBuilder {
    let mut builder = IndexClient::builder(Cache::new(cache))
        .netrc(None)
        .retry_backoff(Duration::from_millis(5));
    for (i, url) in index_urls.iter().enumerate() {
        let url = IndexUrl::parse(url).expect("valid index URL");
        builder = if i == 0 {
            builder.index_url(url)
        } else {
            builder.extra_index_url(url)
        };
    }
    builder
}

pub fn file<'a>(project: &'a Project, filename: &str) -> &'a DistFile {
    project
        .files
        .iter()
        .find(|f| f.filename == filename)
        .unwrap_or_else(|| panic!("{filename} not on the page of {}", project.name))
}

/// A request as the mini server saw it.
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub path: String,
    pub headers: HashMap<String, String>,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Handler = dyn Fn(&SeenRequest, usize) -> Reply + Send + Sync;

/// A tiny HTTP/1.1 server for what the fixture server cannot do (HTML-only indexes,
/// custom caching headers, Retry-After). One request per connection; the handler gets
/// the request and how many requests came before it.
pub struct MiniServer {
    pub url: String,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    task: tokio::task::JoinHandle<()>,
}

impl MiniServer {
    pub async fn start(
        handler: impl Fn(&SeenRequest, usize) -> Reply + Send + Sync + 'static,
    ) -> MiniServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound address"));
        let seen: Arc<Mutex<Vec<SeenRequest>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let task_seen = Arc::clone(&seen);
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let seen = Arc::clone(&task_seen);
                let handler = Arc::clone(&handler);
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    let mut lines = text.split("\r\n");
                    let request_line = lines.next().unwrap_or_default();
                    let path = request_line.split(' ').nth(1).unwrap_or("/").to_owned();
                    let headers = lines
                        .take_while(|l| !l.is_empty())
                        .filter_map(|l| l.split_once(':'))
                        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                        .collect();
                    let request = SeenRequest { path, headers };
                    let count = {
                        let mut seen = seen.lock().expect("request log lock");
                        seen.push(request.clone());
                        seen.len() - 1
                    };
                    let reply = handler(&request, count);
                    let mut head = format!(
                        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                        reply.status,
                        reply.body.len()
                    );
                    for (k, v) in &reply.headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(&reply.body).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        MiniServer { url, seen, task }
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.seen.lock().expect("request log lock").clone()
    }
}

impl Drop for MiniServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
