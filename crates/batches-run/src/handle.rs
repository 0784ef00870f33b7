//! The handle of a started run (or upload): its events as they happen, cancellation, and
//! its end.

use std::future::Future;
use std::ops::ControlFlow;

use tokio::sync::mpsc::{self, UnboundedReceiver};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Resume};
use crate::event::Event;
use crate::events::Events;

/// A started piece of work: [`Run`](crate::Run) or [`Upload`](crate::Upload). It runs in a
/// task of its own on the Tokio runtime it was started on; the handle reads its events and
/// waits for its end.
///
/// **Cancellation.** [`cancel`](Self::cancel) (or a [`Canceller`], or dropping the handle)
/// stops it at once: requests in flight are abandoned, nothing half-sent is counted as
/// done, and it ends with [`Error::Cancelled`], whose [`Resume`] names the directories it
/// made, so that the same work with them finishes it.
#[derive(Debug)]
pub struct Handle<T> {
    events: UnboundedReceiver<Event>,
    cancel: CancellationToken,
    task: Option<JoinHandle<Result<T, Error>>>,
}

/// Stops a started run or upload from anywhere (another task, a signal handler's thread).
#[derive(Debug, Clone)]
pub struct Canceller(CancellationToken);

impl Canceller {
    /// Stops the work (see [`Handle`]).
    pub fn cancel(&self) {
        self.0.cancel();
    }
}

impl<T: Send + 'static> Handle<T> {
    /// Starts `work` in a task, with the sending end of its events; `resume` tells, when
    /// it is cancelled, what a rerun needs.
    pub(crate) fn spawn<F>(
        work: impl FnOnce(Events) -> F,
        resume: impl FnOnce() -> Resume + Send + 'static,
    ) -> Handle<T>
    where
        F: Future<Output = Result<T, Error>> + Send + 'static,
    {
        let (sender, events) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let work = work(Events::new(sender));
        let stop = cancel.clone();
        let task = tokio::spawn(async move {
            tokio::select! {
                biased;
                () = stop.cancelled() => Err(Error::Cancelled { resume: resume() }),
                ended = work => ended,
            }
        });
        Handle {
            events,
            cancel,
            task: Some(task),
        }
    }

    /// The next event; `None` once the work has ended and every event was read.
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The next event if one is ready, without waiting.
    pub fn try_next_event(&mut self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Stops the work (see the type docs).
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A handle that stops the work from elsewhere.
    pub fn canceller(&self) -> Canceller {
        Canceller(self.cancel.clone())
    }

    /// Waits for the end, leaving the events that were not read.
    pub async fn finish(mut self) -> Result<T, Error> {
        let task = self.task.take().expect("a handle is finished once");
        match task.await {
            Ok(ended) => ended,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => panic!("the run's task was stopped from outside: {error}"),
        }
    }

    /// Calls `on_event` with every event until the end, then returns it. `on_event`
    /// returning [`ControlFlow::Break`] cancels the work (which then ends with
    /// [`Error::Cancelled`]) and is not called again.
    pub async fn drive(
        mut self,
        mut on_event: impl FnMut(&Event) -> ControlFlow<()>,
    ) -> Result<T, Error> {
        let mut listening = true;
        while let Some(event) = self.next_event().await {
            if listening && on_event(&event).is_break() {
                listening = false;
                self.cancel();
            }
        }
        self.finish().await
    }
}

impl<T> Drop for Handle<T> {
    /// Dropping the handle stops the work.
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}
