//! The connection loop: accepts connections, runs the TLS handshake when serving HTTPS,
//! serves each connection through the fault layer, and drains them at shutdown.

use std::{sync::Arc, time::Duration};

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::{
    rt::TokioIo,
    server::graceful::{GracefulShutdown, Watcher},
    service::TowerToHyperService,
};
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::{TcpListener, TcpStream},
    sync::watch,
};
use tokio_rustls::TlsAcceptor;

use super::{app::App, routes::router};
use crate::faults;

/// How long requests in flight may take to finish at shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client may take to send its request headers, and to complete a TLS
/// handshake: without a limit, a client that connects and sends nothing holds the
/// connection forever.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves connections until `stop` turns true, then drains them. With `tls`, every
/// connection is HTTPS.
pub async fn serve(
    listener: TcpListener,
    app: App,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) {
    let router = router(app.clone());
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(READ_TIMEOUT)
        // A client that shuts down its sending side after the request still gets the
        // answer (a cut body gets its 400) instead of a dropped connection.
        .half_close(true);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                // The fault layer keeps a handle on the TCP socket itself, below TLS, so a
                // reset fault resets the connection over HTTPS too.
                let (stream, socket) = match faults::split_socket(stream) {
                    Ok(parts) => parts,
                    Err(error) => {
                        tracing::warn!(%error, "cannot set up a connection");
                        continue;
                    }
                };
                let serving = Serving {
                    http: http.clone(),
                    app: app.clone(),
                    router: router.clone(),
                    socket,
                    watcher: graceful.watcher(),
                };
                tokio::spawn(serving.run(stream, tls.clone()));
            }
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running at shutdown were cut off");
    }
}

/// What serving one connection takes.
struct Serving {
    http: http1::Builder,
    app: App,
    router: Router,
    socket: Arc<std::net::TcpStream>,
    watcher: Watcher,
}

impl Serving {
    /// Serves the connection, after its TLS handshake when there is one.
    async fn run(self, stream: TcpStream, tls: Option<TlsAcceptor>) {
        let Some(tls) = tls else {
            return self.http_over(stream).await;
        };
        match tokio::time::timeout(READ_TIMEOUT, tls.accept(stream)).await {
            Ok(Ok(stream)) => self.http_over(stream).await,
            // A client that does not trust the certificate ends the handshake with an
            // alert: its decision, not a server problem.
            Ok(Err(error)) => tracing::info!(%error, "TLS handshake failed"),
            Err(_) => tracing::debug!("TLS handshake timed out"),
        }
    }

    async fn http_over(self, io: impl AsyncRead + AsyncWrite + Unpin + Send + 'static) {
        let service = self.app.faults.service(self.router, self.socket);
        let connection = self
            .http
            .serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
        if let Err(error) = self.watcher.watch(connection).await {
            tracing::debug!(%error, "connection ended with an error");
        }
    }
}
