//! A small HTTP/1.1 server on tokio for the demo's loopback services. The endpoints are trivial
//! (a few JSON answers), so a hand-rolled server beats pulling in a framework; what it must be is
//! robust: every read is bounded in size and time, a bad request gets a 4xx and the connection
//! closes, and the number of open connections is capped.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::timeout;

/// A request head larger than this is refused (431): ours are a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;
/// A body larger than this is refused (413): weights and Cost Explorer queries are tiny.
const MAX_BODY: usize = 256 * 1024;
/// A started request must arrive whole within this.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// A kept-alive connection with no new request for this long is closed.
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
        let handler = handler.clone();
        tokio::spawn(async move {
            connection(stream, handler).await;
            drop(permit);
        });
    }
}

/// One connection: requests in turn (HTTP/1.1 keep-alive) until the client closes, asks to
/// close, idles too long or sends something we refuse.
async fn connection<H, F>(mut stream: TcpStream, handler: H)
where
    H: Fn(Request) -> F,
    F: Future<Output = Response>,
{
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::new();
    loop {
        let read = match timeout(IDLE_TIMEOUT, first_byte(&mut stream, &mut buf)).await {
            Ok(Ok(true)) => timeout(READ_TIMEOUT, read_request(&mut stream, &mut buf)).await,
            _ => return,
        };
        // Timed out, or an I/O error, or the client left mid-request: nothing to answer.
        let (request, keep_alive) = match read {
            Ok(Ok(Ok(Some(parsed)))) => parsed,
            Ok(Ok(Ok(None))) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(Err(refusal))) => {
                let _ = write(&mut stream, &refusal, false).await;
                return;
            }
        };
        let response = handler(request).await;
        if write(&mut stream, &response, keep_alive).await.is_err() || !keep_alive {
            return;
        }
    }
}

/// Waits (idle) until the next request has begun; false when the client closed.
async fn first_byte(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    if !buf.is_empty() {
        return Ok(true);
    }
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk).await?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n > 0)
}

/// Reads one request from `buf` and the stream; bytes after it stay in `buf` for the next.
/// `Ok(None)`: the client went away mid-request. `Err(response)`: refused, then close.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> std::io::Result<Result<Option<(Request, bool)>, Response>> {
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Ok(Err(Response::text(431, "request head too large")));
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(Ok(None));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    if head_end > MAX_HEAD {
        return Ok(Err(Response::text(431, "request head too large")));
    }
    let head = match std::str::from_utf8(&buf[..head_end]) {
        Ok(h) => h.to_string(),
        Err(_) => return Ok(Err(Response::text(400, "request head is not UTF-8"))),
    };
    let Some((method, path, version, headers)) = parse_head(&head) else {
        return Ok(Err(Response::text(400, "malformed request")));
    };
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if request.header("transfer-encoding").is_some() {
        return Ok(Err(Response::text(501, "chunked bodies are not supported")));
    }
    let length = match request.header("content-length").map(str::trim) {
        None => 0,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n <= MAX_BODY => n,
            Ok(_) => return Ok(Err(Response::text(413, "body too large"))),
            Err(_) => return Ok(Err(Response::text(400, "bad Content-Length"))),
        },
    };
    if length > 0
        && request
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
    }
    buf.drain(..head_end + 4);
    while buf.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(Ok(None));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    request.body = buf.drain(..length).collect();
    let wants_close = request
        .header("connection")
        .is_some_and(|c| c.eq_ignore_ascii_case("close"));
    let keep_alive = version == "HTTP/1.1" && !wants_close;
    Ok(Ok(Some((request, keep_alive))))
}

type Head = (String, String, String, Vec<(String, String)>);

fn parse_head(head: &str) -> Option<Head> {
    let mut lines = head.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let (method, path, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !path.starts_with('/') || !version.starts_with("HTTP/1.") {
        return None;
    }
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    Some((method.into(), path.into(), version.into(), headers))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn write(stream: &mut TcpStream, r: &Response, keep_alive: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
        r.status,
        reason(r.status),
        r.content_type,
        r.body.len()
    );
    if !keep_alive {
        head.push_str("Connection: close\r\n");
    }
    for (name, value) in &r.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&r.body).await?;
    stream.flush().await
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_parse_and_malformed_ones_do_not() {
        let (m, p, v, h) =
            parse_head("PUT /admin/weights HTTP/1.1\r\nHost: x\r\nContent-Length: 2").unwrap();
        assert_eq!(
            (m.as_str(), p.as_str(), v.as_str()),
            ("PUT", "/admin/weights", "HTTP/1.1")
        );
        assert_eq!(h[1], ("content-length".into(), "2".into()));
        for bad in [
            "GET",
            "GET /a",
            "GET a HTTP/1.1",
            "GET /a HTTP/2",
            "GET /a HTTP/1.1 extra",
            "GET /a HTTP/1.1\r\nno colon",
        ] {
            assert!(parse_head(bad).is_none(), "{bad:?}");
        }
    }
}
