//! [`Background`]: a stream whose values are produced by a task started on its first poll
//! and cancelled when the stream is dropped. Both walks of a listing (page by page, and
//! the parallel one) run this way, so that fetching goes on while the caller works.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::future::BoxFuture;
use futures_util::{FutureExt, Stream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::error::Error;

/// Starts the producing task: given the limit set by [`Background::limit`] and the
/// sending side of the channel, the work to run.
type Start<X> =
    Box<dyn FnOnce(Option<u64>, mpsc::Sender<Result<X, Error>>) -> BoxFuture<'static, ()> + Send>;

/// A lazy stream fed by a task of its own through a channel of capacity 1: the task can
/// be at most one value ahead of the caller, plus whatever it holds itself.
pub(crate) struct Background<X> {
    state: State<X>,
}

enum State<X> {
    NotStarted {
        start: Start<X>,
        limit: Option<u64>,
    },
    Running {
        receiver: mpsc::Receiver<Result<X, Error>>,
        _task: AbortOnDrop,
    },
    Done,
}

/// Cancels the producing task when the stream goes away.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<X: Send + 'static> Background<X> {
    /// A stream whose task is `work`, started on the first poll.
    pub(crate) fn new<F, Fut>(work: F) -> Self
    where
        F: FnOnce(Option<u64>, mpsc::Sender<Result<X, Error>>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        Background {
            state: State::NotStarted {
                start: Box::new(move |limit, sender| work(limit, sender).boxed()),
                limit: None,
            },
        }
    }

    /// Hands `limit` (a number of items) to the task when it starts; returns whether the
    /// stream had not started yet, and so whether the limit applies.
    pub(crate) fn limit(&mut self, max_items: u64) -> bool {
        match &mut self.state {
            State::NotStarted { limit, .. } => {
                *limit = Some(max_items);
                true
            }
            _ => false,
        }
    }
}

impl<X> Background<X> {
    /// A name for the state, for `Debug` output.
    pub(crate) fn state_name(&self) -> &'static str {
        match self.state {
            State::NotStarted { .. } => "not started",
            State::Running { .. } => "running",
            State::Done => "done",
        }
    }
}

impl<X: Send + 'static> Stream for Background<X> {
    type Item = Result<X, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.state = match std::mem::replace(&mut self.state, State::Done) {
            State::NotStarted { start, limit } => {
                if tokio::runtime::Handle::try_current().is_err() {
                    return Poll::Ready(Some(Err(Error::Config(
                        "the listing stream must be polled inside a Tokio runtime".to_owned(),
                    ))));
                }
                let (sender, receiver) = mpsc::channel(1);
                // The task logs inside the span of whoever polls the stream first.
                let task = tokio::spawn(start(limit, sender).in_current_span());
                State::Running {
                    receiver,
                    _task: AbortOnDrop(task),
                }
            }
            started => started,
        };
        let State::Running { receiver, .. } = &mut self.state else {
            return Poll::Ready(None);
        };
        let next = ready!(receiver.poll_recv(cx));
        if next.is_none() {
            self.state = State::Done;
        }
        Poll::Ready(next)
    }
}
