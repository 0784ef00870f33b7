//! The connection loop: accepts connections, serves each through the fault layer, and
//! drains them at shutdown.

use std::time::Duration;

use hyper_util::{rt::TokioIo, server::graceful::GracefulShutdown, service::TowerToHyperService};
use tokio::{net::TcpListener, sync::watch};

use super::{app::App, routes::router};
use crate::faults;

/// How long requests in flight may take to finish at shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves connections until `stop` turns true, then drains them.
pub async fn serve(listener: TcpListener, app: App, mut stop: watch::Receiver<bool>) {
    let router = router(app.clone());
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // Without this a client that opens a connection and sends nothing holds it forever.
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30))
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
                let (stream, socket) = match faults::split_socket(stream) {
                    Ok(parts) => parts,
                    Err(error) => {
                        tracing::warn!(%error, "cannot set up a connection");
                        continue;
                    }
                };
                let service = app.faults.service(router.clone(), socket);
                let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "connection ended with an error");
                    }
                });
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
