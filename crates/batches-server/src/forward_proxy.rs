//! [`ForwardProxy`]: a small HTTP proxy on loopback, for tests of clients behind a proxy.

use std::{
    io::{self, BufRead, BufReader, Read, Write},
    net::{Shutdown, SocketAddr, TcpListener, TcpStream},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    thread,
};

/// One request the proxy received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxiedRequest {
    /// `CONNECT` for a tunnel, else the method of a forwarded request.
    pub method: String,
    /// The request target as sent: `host:port` for `CONNECT`, an absolute URL otherwise.
    pub target: String,
    /// The `Proxy-Authorization` header, if any.
    pub proxy_authorization: Option<String>,
}

/// A forwarding proxy on `127.0.0.1`: it forwards plain HTTP requests (absolute-form
/// targets) and opens `CONNECT` tunnels, always to one upstream address whatever the
/// client asked for, so that a client given an address nothing listens on reaches the
/// upstream only through the proxy. It records every request that arrived (a connection
/// closed before a whole request head is none). Stops when dropped.
///
/// ```no_run
/// # fn demo(emulator: std::net::SocketAddr) -> std::io::Result<()> {
/// use batches_server::ForwardProxy;
///
/// let proxy = ForwardProxy::start(emulator, None)?;
/// // … point a client at proxy.url() …
/// assert!(proxy.requests().iter().all(|request| request.proxy_authorization.is_none()));
/// # Ok(()) }
/// ```
pub struct ForwardProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    thread: Option<thread::JoinHandle<()>>,
}

struct Shared {
    upstream: SocketAddr,
    required_authorization: Option<String>,
    requests: Mutex<Vec<ProxiedRequest>>,
    stopping: AtomicBool,
}

impl ForwardProxy {
    /// Starts the proxy on a free port. With `required_authorization` (a whole header
    /// value, e.g. `Basic dXNlcjpwdw==`), a request without exactly that
    /// `Proxy-Authorization` is answered `407`.
    pub fn start(
        upstream: SocketAddr,
        required_authorization: Option<String>,
    ) -> io::Result<ForwardProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstream,
            required_authorization,
            requests: Mutex::new(Vec::new()),
            stopping: AtomicBool::new(false),
        });
        let accepting = shared.clone();
        let thread = thread::Builder::new()
            .name("forward-proxy".into())
            .spawn(move || {
                for stream in listener.incoming() {
                    if accepting.stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let shared = accepting.clone();
                    thread::spawn(move || {
                        if let Err(error) = shared.serve(stream) {
                            tracing::debug!(%error, "proxied connection failed");
                        }
                    });
                }
            })?;
        Ok(ForwardProxy {
            addr,
            shared,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests received so far, in order: each with a whole request head.
    pub fn requests(&self) -> Vec<ProxiedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl Drop for ForwardProxy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wakes the accepting thread, which then sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Shared {
    /// Serves one connection: one forwarded request, or one tunnel.
    fn serve(&self, client: TcpStream) -> io::Result<()> {
        let mut reader = BufReader::new(client.try_clone()?);
        let mut head = Vec::new();
        loop {
            let before = head.len();
            reader.read_until(b'\n', &mut head)?;
            if head.len() == before || head.ends_with(b"\r\n\r\n") {
                break;
            }
        }
        if !head.ends_with(b"\r\n\r\n") {
            // Closed before a whole request head: no request arrived, so there is nothing
            // to record or answer. Clients do this when they drop a request they had
            // connected for (a parallel listing's spare requests at its end).
            return Ok(());
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or_default().split(' ');
        let method = request_line.next().unwrap_or_default().to_owned();
        let target = request_line.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let proxy_authorization = header("proxy-authorization");
        self.requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(ProxiedRequest {
                method: method.clone(),
                target: target.clone(),
                proxy_authorization: proxy_authorization.clone(),
            });
        let mut client = client;
        if self.required_authorization.is_some()
            && proxy_authorization != self.required_authorization
        {
            client.write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  Proxy-Authenticate: Basic realm=\"test\"\r\n\
                  Content-Length: 0\r\nConnection: close\r\n\r\n",
            )?;
            return Ok(());
        }
        if method == "CONNECT" {
            let upstream = TcpStream::connect(self.upstream)?;
            client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
            // Anything the client sent after the head is already in the reader's buffer.
            return tunnel(reader, client, upstream);
        }
        // A forwarded request: origin form, hop-by-hop headers dropped, and one request
        // per connection, which the upstream's `connection: close` tells the client.
        let Some(path) = target
            .split_once("://")
            .map(|(_, rest)| rest.find('/').map_or("/", |slash| &rest[slash..]))
        else {
            client.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")?;
            return Ok(());
        };
        let length: usize = header("content-length")
            .and_then(|value| value.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let mut forwarded = format!("{method} {path} HTTP/1.1\r\n");
        for (name, value) in &headers {
            if !matches!(
                name.as_str(),
                "proxy-authorization" | "proxy-connection" | "connection"
            ) {
                forwarded.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        forwarded.push_str("connection: close\r\n\r\n");
        let mut upstream = TcpStream::connect(self.upstream)?;
        upstream.write_all(forwarded.as_bytes())?;
        upstream.write_all(&body)?;
        io::copy(&mut upstream, &mut client)?;
        client.shutdown(Shutdown::Both)
    }
}

/// Copies bytes both ways until each side has closed its half.
fn tunnel(
    mut from_client: BufReader<TcpStream>,
    mut client: TcpStream,
    upstream: TcpStream,
) -> io::Result<()> {
    let mut to_upstream = upstream.try_clone()?;
    let upward = thread::spawn(move || {
        let _ = io::copy(&mut from_client, &mut to_upstream);
        let _ = to_upstream.shutdown(Shutdown::Write);
    });
    let mut from_upstream = upstream;
    let _ = io::copy(&mut from_upstream, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = upward.join();
    Ok(())
}
