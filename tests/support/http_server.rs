//! A real HTTP/1.1 server on 127.0.0.1 for tests: std sockets, a thread per connection, one
//! request per connection (`Connection: close`, so a stopped server refuses the next poll instead
//! of leaving a pooled connection behind). A handler decides each answer, including misbehaving
//! ones: slow, silent, endless, or closing without a word.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Body bytes a request keeps for the test to look at.
const MAX_BODY: u64 = 64 * 1024;

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body (up to `MAX_BODY`), lossily decoded.
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// A query parameter, form-decoded (`+` is a space, `%XX` a byte).
    pub fn query(&self, key: &str) -> Option<String> {
        let query = self.target.split_once('?')?.1;
        query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k) == key).then(|| decode(v))
        })
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the server does with a request.
pub enum Reply {
    /// A complete answer with a `Content-Length`.
    Answer {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// The same, after a pause.
    After(Duration, Box<Reply>),
    /// Reads the request, then says nothing until the client leaves or the server stops.
    Hang,
    /// A 200 with a chunked body that never ends.
    Endless,
    /// Closes the connection without answering.
    Close,
}

impl Reply {
    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Answer {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }

    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Answer {
            status,
            content_type: "application/json",
            body: body.into(),
        }
    }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    requests: Mutex<Vec<Request>>,
    /// Bytes of endless bodies written so far.
    endless_bytes: AtomicU64,
    /// Endless bodies that ended because the client went away.
    endless_ended: AtomicU64,
}

pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    /// Listens on a free port of 127.0.0.1.
    pub fn start(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
        Self::start_on(0, handler)
    }

    /// Listens on `port` (0: any free one). std sets SO_REUSEADDR, so a port just released by a
    /// stopped server can be taken again.
    pub fn start_on(
        port: u16,
        handler: impl Fn(&Request) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared::default());
        let handler: Arc<Handler> = Arc::new(handler);
        let accept = {
            let shared = shared.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if shared.stop.load(Ordering::SeqCst) {
                        break; // the wake-up connection from stop(), or a late client
                    }
                    let Ok(stream) = stream else { continue };
                    let (shared, handler) = (shared.clone(), handler.clone());
                    std::thread::spawn(move || serve(stream, &shared, &*handler));
                }
                // The listener drops here: from now on connections are refused.
            })
        };
        Server {
            addr,
            shared,
            accept: Some(accept),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn endless_bytes(&self) -> u64 {
        self.shared.endless_bytes.load(Ordering::SeqCst)
    }

    pub fn endless_ended(&self) -> u64 {
        self.shared.endless_ended.load(Ordering::SeqCst)
    }

    /// Stops accepting and closes the listening socket; returns once the port refuses.
    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(accept) = self.accept.take() {
            let _ = TcpStream::connect(self.addr); // wakes the blocking accept
            let _ = accept.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(stream: TcpStream, shared: &Shared, handler: &Handler) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    // A TLS hello (record type 0x16) has no line to wait for: answer at once as plain HTTP.
    let mut first = [0u8; 1];
    let tls = matches!(stream.peek(&mut first), Ok(1) if first[0] == 0x16);
    let request = if tls { None } else { read_request(&stream) };
    let Some(request) = request else {
        // Not HTTP (a TLS hello, say): answer as a real server would, then close.
        let _ = (&stream).write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    };
    shared.requests.lock().unwrap().push(request.clone());
    reply(stream, handler(&request), shared);
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (name, value) = h.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        body: String::new(),
    };
    // The whole body is read, so the client is never blocked sending it; its head is kept.
    let length: u64 = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = Vec::new();
    let mut reader = reader.take(length);
    (&mut reader).take(MAX_BODY).read_to_end(&mut body).ok()?;
    std::io::copy(&mut reader, &mut std::io::sink()).ok()?;
    request.body = String::from_utf8_lossy(&body).into_owned();
    Some(request)
}

fn reply(mut stream: TcpStream, reply: Reply, shared: &Shared) {
    match reply {
        Reply::Answer {
            status,
            content_type,
            body,
        } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                reason(status),
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
        Reply::After(pause, then) => {
            if wait(&stream, shared, Some(pause)) {
                self::reply(stream, *then, shared);
            }
        }
        Reply::Hang => {
            wait(&stream, shared, None);
        }
        Reply::Endless => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).is_err() {
                return;
            }
            let chunk = vec![b'7'; 64 * 1024];
            let framed = [
                format!("{:x}\r\n", chunk.len()).into_bytes(),
                chunk,
                b"\r\n".to_vec(),
            ]
            .concat();
            while !shared.stop.load(Ordering::SeqCst) {
                if stream.write_all(&framed).is_err() {
                    shared.endless_ended.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                shared
                    .endless_bytes
                    .fetch_add(framed.len() as u64, Ordering::SeqCst);
            }
        }
        Reply::Close => {}
    }
}

/// Waits `pause` (or forever) while the client stays and the server runs; true if the pause
/// ran out with the client still there.
fn wait(stream: &TcpStream, shared: &Shared, pause: Option<Duration>) -> bool {
    let started = std::time::Instant::now();
    let _ = stream.set_read_timeout(Some(Duration::from_millis(20)));
    let mut buf = [0u8; 64];
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return false;
        }
        if pause.is_some_and(|p| started.elapsed() >= p) {
            return true;
        }
        match (&*stream).read(&mut buf) {
            Ok(0) => return false, // the client hung up
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return false,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}
