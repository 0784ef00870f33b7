//! The state every handler shares.

use std::sync::Arc;

use crate::{
    config::ServerConfig, faults::Faults, page_token::PageTokens, scheduler::Scheduler,
    store::Store,
};

/// State shared by every handler.
#[derive(Clone)]
pub struct App {
    /// The database.
    pub store: Arc<Store>,
    /// What the emulator was told at start.
    pub config: Arc<ServerConfig>,
    /// The lifecycle task, woken when a batch is created.
    pub scheduler: Scheduler,
    /// Latency and faults around every request.
    pub faults: Arc<Faults>,
    /// Signs and checks page tokens.
    pub tokens: PageTokens,
}

impl App {
    /// The application over this store, its page tokens signed with `tokens`.
    pub fn new(
        store: Arc<Store>,
        config: Arc<ServerConfig>,
        scheduler: Scheduler,
        tokens: PageTokens,
    ) -> Self {
        let faults = Arc::new(Faults::new(&config));
        App {
            store,
            config,
            scheduler,
            faults,
            tokens,
        }
    }
}
