//! Where a run's events go: a channel its handle reads.

use tokio::sync::mpsc::UnboundedSender;

use crate::event::Event;

/// The sending end of a run's events. Cheap to clone; sending never blocks, and events
/// sent after the handle is gone are dropped.
#[derive(Debug, Clone)]
pub struct Events {
    sender: UnboundedSender<Event>,
}

impl Events {
    /// Events sent through `sender`.
    pub fn new(sender: UnboundedSender<Event>) -> Events {
        Events { sender }
    }

    /// Sends `event` (unless nobody listens any more).
    pub fn send(&self, event: Event) {
        let _ = self.sender.send(event);
    }
}
