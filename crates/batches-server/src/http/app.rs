//! The state every handler shares.

use std::sync::Arc;

use crate::{
    config::ServerConfig, counts::Counts, faults::Faults, page_token::PageTokens,
    presign::ResultUrls, rate_limit::RateLimiter, recent::RecentRequests, scheduler::Scheduler,
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
    /// What was served, for tests.
    pub counts: Arc<Counts>,
    /// The upload rate limit.
    pub uploads: Arc<RateLimiter>,
    /// Signs and checks presigned result URLs.
    pub result_urls: ResultUrls,
    /// The latest requests, for the console.
    pub recent: Arc<RecentRequests>,
}

impl App {
    /// The application over this store, its page tokens signed with `tokens`, counting
    /// what it serves in `counts`.
    pub fn new(
        store: Arc<Store>,
        config: Arc<ServerConfig>,
        scheduler: Scheduler,
        tokens: PageTokens,
        counts: Arc<Counts>,
        result_urls: ResultUrls,
    ) -> Self {
        let recent = Arc::new(RecentRequests::default());
        let faults = Arc::new(Faults::new(&config, counts.clone(), recent.clone()));
        let uploads = Arc::new(RateLimiter::new(config.upload_rate_limit));
        App {
            store,
            config,
            scheduler,
            faults,
            tokens,
            counts,
            uploads,
            result_urls,
            recent,
        }
    }
}
