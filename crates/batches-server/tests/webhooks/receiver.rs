//! A webhook receiver on 127.0.0.1 that records every request and answers from a script:
//! an HTTP status, a reset connection, or no answer at all. Plain HTTP/1.1 over a TCP
//! socket, so that a reset and a silence are exactly that.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::Notify,
};

/// What the receiver does with one request.
#[derive(Debug, Clone, Copy)]
pub enum Answer {
    /// Answers with this status.
    Status(u16),
    /// Resets the connection without answering.
    Reset,
    /// Keeps the connection open and never answers.
    Hang,
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header names in lower case, with their values, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a delivery's body is JSON")
    }

    pub fn event_type(&self) -> String {
        self.json()["event_type"].as_str().unwrap().to_owned()
    }
}

#[derive(Default)]
struct State {
    received: Mutex<Vec<Received>>,
    /// Connections held open by `Hang`.
    held: Mutex<Vec<TcpStream>>,
    arrived: Notify,
}

pub struct Receiver {
    url: String,
    state: Arc<State>,
}

impl Receiver {
    /// A receiver answering the `script` in order, then `then` to every later request.
    pub async fn start(script: Vec<Answer>, then: Answer) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/batches", listener.local_addr().unwrap());
        let state = Arc::new(State::default());
        let shared = state.clone();
        tokio::spawn(async move {
            let script = Arc::new(Mutex::new(script.into_iter()));
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (state, script) = (shared.clone(), script.clone());
                tokio::spawn(async move {
                    serve(stream, &state, || {
                        script.lock().unwrap().next().unwrap_or(then)
                    })
                    .await;
                });
            }
        });
        Receiver { url, state }
    }

    /// A receiver that answers 200 to everything.
    pub async fn ok() -> Receiver {
        Receiver::start(Vec::new(), Answer::Status(200)).await
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    /// Waits until `count` requests have arrived (at most a minute, then fails).
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let arrived = self.state.arrived.notified();
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!("{count} requests expected, {} arrived", received.len());
            }
        }
    }
}

/// Reads the requests of one connection and answers each from the script.
async fn serve(mut stream: TcpStream, state: &State, mut next: impl FnMut() -> Answer) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        state.received.lock().unwrap().push(request);
        state.arrived.notify_waiters();
        match next() {
            Answer::Status(code) => {
                let answer = format!("HTTP/1.1 {code} Scripted\r\ncontent-length: 6\r\n\r\nanswer");
                if stream.write_all(answer.as_bytes()).await.is_err() {
                    return;
                }
            }
            Answer::Reset => {
                let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
                return;
            }
            Answer::Hang => {
                state.held.lock().unwrap().push(stream);
                return;
            }
        }
    }
}

/// One request (headers and a `content-length` body), or `None` at the end of the
/// connection.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Received> {
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
        let read = stream
            .read(&mut chunk)
            .await
            .ok()
            .filter(|read| *read > 0)?;
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let read = stream
            .read(&mut chunk)
            .await
            .ok()
            .filter(|read| *read > 0)?;
        buffer.extend_from_slice(&chunk[..read]);
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    Some(Received { headers, body })
}
