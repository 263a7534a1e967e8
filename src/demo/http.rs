//! The demo's loopback services speak HTTP through hyper's HTTP/1 server (hyper is already
//! compiled in as the client of reqwest and the AWS SDK). This module adapts it to the demo's
//! handlers, which take a whole `Request` and give a whole `Response`, and bounds what a client
//! may cost: the head's size and time, the body's size and time, and the connections at once.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::timeout;

/// hyper's read buffer, which bounds a request head (it answers 431 beyond): ours are a few
/// hundred bytes.
const MAX_HEAD: usize = 16 * 1024;
/// A body larger than this is refused (413): weights and Cost Explorer queries are tiny.
const MAX_BODY: usize = 256 * 1024;
/// A started body must arrive whole within this.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// A connection must send the next request's head within this (hyper's header timer also runs
/// while a kept-alive connection idles, so this is the idle limit too).
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections served at once per listener; more wait in the accept queue.
const MAX_CONNECTIONS: usize = 256;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target as sent: path and query.
    pub path: String,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::typed(status, "application/json", value.to_string().into_bytes())
    }

    pub fn text(status: u16, text: &str) -> Self {
        Self::typed(
            status,
            "text/plain; charset=utf-8",
            text.as_bytes().to_vec(),
        )
    }

    pub fn typed(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Self {
            status,
            content_type,
            headers: Vec::new(),
            body,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// Serves `listener` until the runtime that runs this future shuts down (which also closes the
/// listener and every connection: that is how the demo stops).
pub async fn serve<H, F>(listener: TcpListener, handler: H)
where
    H: Fn(Request) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        let Ok((stream, _)) = listener.accept().await else {
            // Out of file descriptors and the like: back off instead of spinning.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(request, handler.clone()));
            // An error here is the client's (a malformed head, a reset): hyper has answered
            // what could be answered, and the connection is gone either way.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(IDLE_TIMEOUT)
                .max_buf_size(MAX_HEAD)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(permit);
        });
    }
}

/// One request: its body read whole (bounded in size and time), handed to `handler`.
async fn answer<H, F>(
    request: hyper::Request<Incoming>,
    handler: H,
) -> Result<hyper::Response<Full<Bytes>>, Infallible>
where
    H: Fn(Request) -> F,
    F: Future<Output = Response>,
{
    let (parts, body) = request.into_parts();
    let body = match timeout(READ_TIMEOUT, Limited::new(body, MAX_BODY).collect()).await {
        Ok(Ok(collected)) => collected.to_bytes().to_vec(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return Ok(reply(Response::text(413, "body too large")));
        }
        Ok(Err(_)) | Err(_) => return Ok(reply(Response::text(400, "body not received whole"))),
    };
    let request = Request {
        method: parts.method.as_str().to_string(),
        path: parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).trim().to_string();
                (name.as_str().to_string(), value)
            })
            .collect(),
        body,
    };
    Ok(reply(handler(request).await))
}

/// The handler's answer as hyper's (hyper writes the length and keep-alive headers).
fn reply(r: Response) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder()
        .status(r.status)
        .header(hyper::header::CONTENT_TYPE, r.content_type);
    for (name, value) in r.headers {
        builder = builder.header(name, value);
    }
    builder
        .body(Full::new(Bytes::from(r.body)))
        .unwrap_or_else(|_| {
            // Only a handler's bad status or header value gets here: say so, never panic.
            let mut broken = hyper::Response::new(Full::new(Bytes::from_static(
                b"the demo built an invalid response\n",
            )));
            *broken.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            broken
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// What a client sends as raw bytes, and all it reads back until the server closes.
    async fn exchange(addr: std::net::SocketAddr, sent: &[u8]) -> String {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(sent).await.unwrap();
        let mut got = Vec::new();
        let _ = timeout(Duration::from_secs(10), stream.read_to_end(&mut got)).await;
        String::from_utf8_lossy(&got).into_owned()
    }

    #[test]
    fn requests_reach_the_handler_whole_kept_alive_and_an_oversized_head_is_refused() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(serve(listener, |r: Request| async move {
                let probe = r.header("X-Probe").unwrap_or("-").to_string();
                let said = format!("{} {} {probe} {}", r.method, r.path, r.body.len());
                Response::text(200, &said).with_header("x-seen", "yes".into())
            }));

            let two = "PUT /admin/weights?x=1 HTTP/1.1\r\nHost: t\r\nX-Probe: p\r\n\
                       Content-Length: 2\r\n\r\n{}\
                       GET /status HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
            let got = exchange(addr, two.as_bytes()).await;
            assert_eq!(got.matches("HTTP/1.1 200 OK").count(), 2, "{got}");
            assert!(got.contains("PUT /admin/weights?x=1 p 2"), "{got}");
            assert!(got.contains("GET /status - 0"), "{got}");
            assert!(got.contains("x-seen: yes"), "{got}");
            assert!(got.contains("content-type: text/plain"), "{got}");

            let huge = format!(
                "GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n",
                "a".repeat(MAX_HEAD * 2)
            );
            let got = exchange(addr, huge.as_bytes()).await;
            assert!(got.starts_with("HTTP/1.1 431"), "{got}");
        });
    }
}
