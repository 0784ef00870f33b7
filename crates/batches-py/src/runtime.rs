//! Where the client's futures run, and how Python waits for one.
//!
//! A wait gives up the GIL, so other Python threads run meanwhile, and lasts at most
//! [`SLICE`] at a time: between slices it takes the GIL back to run Python's signal
//! handlers, so Ctrl-C (`KeyboardInterrupt`) stops a listing or a `wait` within a fraction
//! of a second. The future is dropped then, which cancels a call's request in flight; a
//! listing's fetching stops when its iterator goes, a run's work when its handle goes.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::time::Duration;

use pyo3::prelude::*;

/// The longest time a wait goes without looking at Python's signals.
const SLICE: Duration = Duration::from_millis(50);

/// The runtime every client of the process shares, made at first use. Two workers: the
/// listing's next page is fetched on one while Python works on the current one.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("llamacloud-batches")
            .enable_all()
            .build()
            .expect("the operating system refused the threads of the client's runtime")
    })
}

/// Runs `future` to its end without the GIL; fails with the exception a signal handler
/// raised (`KeyboardInterrupt` on Ctrl-C) if one did first.
pub fn wait<F>(py: Python<'_>, future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let mut future = std::pin::pin!(future);
    loop {
        match slice(py, future.as_mut()) {
            Some(output) => return Ok(output),
            None => py.check_signals()?,
        }
    }
}

/// Polls `future` without the GIL for at most one [`SLICE`]: its output, or `None` when it
/// has not finished yet (then the caller runs Python's signal handlers, or other Python
/// code, before the next slice).
pub fn slice<F>(py: Python<'_>, future: Pin<&mut F>) -> Option<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    py.detach(|| {
        // The timer is made inside the runtime, whose clock it needs.
        runtime().block_on(async { tokio::time::timeout(SLICE, future).await.ok() })
    })
}

/// Runs `future`, which ends promptly (a cancelled run's last step), without the GIL and
/// without looking at signals, so that a second Ctrl-C cannot lose its outcome.
pub fn finish<F>(py: Python<'_>, future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    py.detach(|| runtime().block_on(future))
}

/// Makes the shared runtime the current one until the guard goes, for code that starts
/// tasks on it (a run).
pub fn enter() -> tokio::runtime::EnterGuard<'static> {
    runtime().enter()
}
