//! `webhooks listen`: a receiver of webhook deliveries on 127.0.0.1. Each delivery's
//! signature is checked with the client's [`webhooks::verify`]; a verified one is printed
//! (one line) and answered 2xx, or passed on to `--forward-to` and answered with what the
//! application answered; any other is answered 401 with a line on stderr. It needs no API
//! key and sends nothing to the API.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use batches_client::WebhookEvent;
use batches_client::webhooks::{self, SIGNATURE_HEADER};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use super::context::{Interrupt, setup};
use crate::cli::{GlobalArgs, ListenArgs, secret_from_env};
use crate::console::Console;
use crate::failure::Failure;
use crate::output::Printer;

/// The largest delivery accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Time allowed to the application `--forward-to` names.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(30);
/// How much of the application's answer is printed.
const SHOWN_ANSWER_CHARS: usize = 200;
/// The emulator's delivery id header, shown with each event when present.
const DELIVERY_ID_HEADER: &str = "x-emulator-delivery-id";
/// Headers that belong to one connection and are not passed on.
const HOP_BY_HOP: [HeaderName; 7] = [
    header::CONNECTION,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::TE,
    header::TRAILER,
    header::UPGRADE,
];

/// A verified delivery, for the printer: its body and its table line.
struct Verified {
    json: String,
    table_line: String,
}

/// What every connection shares.
struct Receiver {
    secret: String,
    forward_to: Option<(reqwest::Url, reqwest::Client)>,
    console: Console,
    verified: mpsc::UnboundedSender<Verified>,
}

/// Runs `webhooks listen` until Ctrl-C (exit 130) or until stdout goes away.
pub fn run(args: ListenArgs, global: &GlobalArgs, console: &Console) -> Result<(), Failure> {
    let secret = secret_from_env(&args.secret_env, "--secret-env")?;
    let forward_to = args.forward_to.as_deref().map(forward_client).transpose()?;
    let (_, _, mut printer) = setup(global, console)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|error| Failure::usage(format!("cannot start the async runtime: {error}")))?;
    runtime.block_on(async move {
        let interrupt = Interrupt::install();
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port)))
            .await
            .map_err(|error| {
                Failure::usage(format!("cannot listen on 127.0.0.1:{}: {error}", args.port))
            })?;
        let address = listener
            .local_addr()
            .map_err(|error| Failure::usage(format!("cannot read the address: {error}")))?;
        console.announce(&format!(
            "listening on http://{address}/ (any path), checking signatures with the secret in {}",
            args.secret_env
        ));
        if let Some((url, _)) = &forward_to {
            console.note(&format!("passing verified deliveries on to {url}"));
        }
        let (verified, mut to_print) = mpsc::unbounded_channel();
        let receiver = Arc::new(Receiver {
            secret,
            forward_to,
            console: *console,
            verified,
        });
        interrupt
            .race(accept(listener, receiver, &mut to_print, &mut printer))
            .await?
    })
}

/// Serves every connection, and prints each verified event, until printing fails.
async fn accept(
    listener: TcpListener,
    receiver: Arc<Receiver>,
    to_print: &mut mpsc::UnboundedReceiver<Verified>,
    printer: &mut Printer,
) -> Result<(), Failure> {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    serve(stream, receiver.clone());
                }
            }
            Some(event) = to_print.recv() => {
                printer.stream_line(&event.json, &event.table_line)?;
            }
        }
    }
}

/// Serves one connection on a task of its own.
fn serve(stream: tokio::net::TcpStream, receiver: Arc<Receiver>) {
    let service = hyper::service::service_fn(move |request| {
        let receiver = receiver.clone();
        async move { Ok::<_, Infallible>(receive(&receiver, request).await) }
    });
    tokio::spawn(async move {
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), service)
            .await;
    });
}

/// Answers one delivery.
async fn receive(receiver: &Receiver, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_owned();
    if parts.method != Method::POST {
        receiver.console.error(&format!(
            "refused a {} request to {path}: deliveries are POST requests",
            parts.method
        ));
        return answer(
            StatusCode::METHOD_NOT_ALLOWED,
            "deliveries are POST requests",
        );
    }
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            receiver.console.error(&format!(
                "refused a delivery to {path}: cannot read its body: {error}"
            ));
            return answer(StatusCode::BAD_REQUEST, "cannot read the body");
        }
    };
    let signature = parts
        .headers
        .get(SIGNATURE_HEADER)
        .map(|value| value.to_str().unwrap_or("\u{fffd}"));
    let event = match webhooks::verify(&body, signature, &receiver.secret) {
        Ok(event) => event,
        Err(error) => {
            receiver
                .console
                .error(&format!("refused a delivery to {path} (401): {error}"));
            return answer(StatusCode::UNAUTHORIZED, &error.to_string());
        }
    };
    let delivery_id = parts
        .headers
        .get(DELIVERY_ID_HEADER)
        .and_then(|value| value.to_str().ok());
    let _ = receiver.verified.send(Verified {
        json: String::from_utf8_lossy(&body).into_owned(),
        table_line: table_line(&event, delivery_id),
    });
    match &receiver.forward_to {
        None => answer(StatusCode::NO_CONTENT, ""),
        Some((url, http)) => forward(receiver, url, http, &parts.headers, body).await,
    }
}

/// `CREATED  EVENT  BATCH  STATUS  [DELIVERY]`.
fn table_line(event: &WebhookEvent, delivery_id: Option<&str>) -> String {
    // Padded to the longest known event and status, so the lines of one run line up.
    let mut line = format!(
        "{}  {:<15}  {}  {:<9}",
        event
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        event.event_type.as_str(),
        event.data.id,
        event.data.status.as_str()
    );
    match delivery_id {
        Some(id) => {
            line.push_str("  ");
            line.push_str(id);
        }
        None => line.truncate(line.trim_end().len()),
    }
    line
}

/// Passes a verified delivery on unchanged (its body, and its headers but those of the
/// connection) and answers with the application's answer; a 502 when there is none.
async fn forward(
    receiver: &Receiver,
    url: &reqwest::Url,
    http: &reqwest::Client,
    headers: &HeaderMap,
    body: Bytes,
) -> Response<Full<Bytes>> {
    let mut request = http.post(url.clone()).body(body);
    for (name, value) in headers
        .iter()
        .filter(|(name, _)| !HOP_BY_HOP.contains(name))
    {
        request = request.header(name, value);
    }
    let answered = async {
        let response = request.send().await?;
        let status = response.status();
        let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
        Ok::<_, reqwest::Error>((status, content_type, response.bytes().await?))
    }
    .await;
    match answered {
        Ok((status, content_type, body)) => {
            let shown: String = String::from_utf8_lossy(&body)
                .chars()
                .take(SHOWN_ANSWER_CHARS)
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            receiver
                .console
                .note(&format!("{url} answered {status} {}", shown.trim()));
            let mut response = Response::new(Full::new(body));
            *response.status_mut() = status;
            if let Some(content_type) = content_type {
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, content_type);
            }
            response
        }
        Err(error) => {
            let message = format!("cannot pass the delivery on to {url}: {}", cause(&error));
            receiver.console.error(&message);
            answer(StatusCode::BAD_GATEWAY, &message)
        }
    }
}

/// An error with its causes, which reqwest keeps below its own message.
fn cause(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        if !text.contains(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        source = inner.source();
    }
    text
}

/// An answer with a JSON `detail` (none for an empty message).
fn answer(status: StatusCode, detail: &str) -> Response<Full<Bytes>> {
    let body = if detail.is_empty() {
        Bytes::new()
    } else {
        Bytes::from(serde_json::json!({ "detail": detail }).to_string())
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    if !detail.is_empty() {
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    response
}

/// The URL of `--forward-to` and the client that reaches it: no proxy, no redirect
/// followed (the application's answer goes back as it is).
fn forward_client(url: &str) -> Result<(reqwest::Url, reqwest::Client), Failure> {
    let parsed = reqwest::Url::parse(url)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| {
            Failure::usage(format!(
                "--forward-to {url:?} is not an http:// or https:// URL, e.g. \
                 http://127.0.0.1:3000/webhooks"
            ))
        })?;
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(FORWARD_TIMEOUT)
        .build()
        .map_err(|error| Failure::usage(format!("cannot start the HTTP client: {error}")))?;
    Ok((parsed, http))
}
