//! A TCP proxy on 127.0.0.1 that a test can black-hole: a network partition between a cockpit
//! and its database. Black-holed, it holds every byte in both directions (nothing is lost or
//! refused, as with packets dropped and retransmitted later); healed, the bytes flow again.
//! A hand-written stand-in for a network fault, since no real partition can be made here.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub struct Proxy {
    pub port: u16,
    holes: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    pub fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().unwrap().port();
        let holes = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (Arc::clone(&holes), Arc::clone(&stop));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else {
                    continue;
                };
                pump(&client, &server, &h, &s);
                pump(&server, &client, &h, &s);
            }
        });
        Proxy { port, holes, stop }
    }

    pub fn black_hole(&self) {
        self.holes.store(true, Ordering::SeqCst);
    }

    pub fn heal(&self) {
        self.holes.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.holes.store(false, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn pump(from: &TcpStream, to: &TcpStream, holes: &Arc<AtomicBool>, stop: &Arc<AtomicBool>) {
    let (mut from, mut to) = (from.try_clone().unwrap(), to.try_clone().unwrap());
    let (holes, stop) = (Arc::clone(holes), Arc::clone(stop));
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        loop {
            while holes.load(Ordering::SeqCst) && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            // Bytes read just as the hole opened are held until it closes.
            while holes.load(Ordering::SeqCst) && !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
            if to.write_all(&buf[..n]).is_err() || stop.load(Ordering::SeqCst) {
                break;
            }
        }
        let _ = to.shutdown(std::net::Shutdown::Both);
        let _ = from.shutdown(std::net::Shutdown::Both);
    });
}
