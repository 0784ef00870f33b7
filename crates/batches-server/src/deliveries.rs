//! The task that delivers batch events to webhooks: it turns recorded events into
//! deliveries, starts every delivery that is due on a task of its own, so that a slow
//! receiver holds up only its own deliveries (never another receiver's, nor the API's
//! answers), and records what each attempt got. Deliveries live in the database, so with
//! `--db` those left unfinished by a stop go on at the next start.

use std::{sync::Arc, time::Duration};

use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::header::CONTENT_TYPE;
use tokio::{sync::watch, task::JoinSet};

use crate::{
    config::{ServerConfig, WebhookSettings},
    rules::webhooks::{DELIVERY_ID_HEADER, SIGNATURE_HEADER, content_type, signature},
    store::{DeliveryOutcome, DueDelivery, Expansion, Store, now_micros},
};

/// Longest sleep between two looks at the deliveries, as a guard against a missed wake-up.
const MAX_IDLE: Duration = Duration::from_secs(1);
/// Attempts under way at once, across all receivers.
const MAX_IN_FLIGHT: usize = 256;
/// How much of an answer's body is kept to be shown.
const KEPT_BODY_CHARS: usize = 500;

/// The delivery task.
pub struct Dispatcher {
    store: Arc<Store>,
    settings: WebhookSettings,
    http: reqwest::Client,
    /// Duplicates and shuffled orders, drawn from the fault seed.
    rng: StdRng,
}

impl Dispatcher {
    /// A dispatcher over this store, delivering as `config` says.
    pub fn new(store: Arc<Store>, config: &ServerConfig) -> anyhow::Result<Self> {
        let settings = config.webhooks.clone();
        let http = reqwest::Client::builder()
            // Deliveries go exactly where the checked URL says: no proxy from the
            // environment, no redirect to a host the loopback rule did not check.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.timeout)
            .user_agent(concat!("batches-server/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Dispatcher {
            store,
            settings,
            http,
            rng: StdRng::seed_from_u64(config.fault_seed),
        })
    }

    /// Runs until `stop` turns true; attempts under way are then abandoned (and made
    /// again at the next start on the same database).
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        if let Err(error) = self.store.resume_deliveries() {
            tracing::error!(%error, "cannot resume the webhook deliveries of an earlier run");
        }
        let mut attempts = JoinSet::new();
        loop {
            self.expand();
            let room = MAX_IN_FLIGHT.saturating_sub(attempts.len());
            match self.store.take_due_deliveries(room) {
                Ok(due) => {
                    for delivery in due {
                        let (http, store) = (self.http.clone(), self.store.clone());
                        let (retry_base, timeout) =
                            (self.settings.retry_base, self.settings.timeout);
                        attempts.spawn(async move {
                            let outcome = send(&http, &delivery, timeout).await;
                            if let Err(error) =
                                store.finish_delivery(delivery.row, &outcome, retry_base)
                            {
                                tracing::error!(%error, "cannot record a webhook delivery");
                            }
                        });
                    }
                }
                Err(error) => tracing::error!(%error, "cannot read the due webhook deliveries"),
            }
            while attempts.try_join_next().is_some() {}
            let idle = match self.store.next_delivery_at() {
                Ok(Some(at)) => {
                    Duration::from_micros(u64::try_from(at - now_micros()).unwrap_or(0))
                        .min(MAX_IDLE)
                }
                Ok(None) => MAX_IDLE,
                Err(error) => {
                    tracing::error!(%error, "cannot read the webhook schedule");
                    MAX_IDLE
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(idle) => {}
                _ = self.store.webhook_wake().notified() => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// Turns every recorded event into its deliveries.
    fn expand(&mut self) {
        let WebhookSettings {
            shuffle,
            duplicate_rate,
            ..
        } = self.settings;
        let rng = std::cell::RefCell::new(&mut self.rng);
        let mut duplicate = || duplicate_rate > 0.0 && rng.borrow_mut().random_bool(duplicate_rate);
        let mut draw = |bound: usize| rng.borrow_mut().random_range(0..bound);
        let mut expansion = Expansion {
            duplicate: &mut duplicate,
            shuffle: shuffle.then_some(&mut draw as &mut dyn FnMut(usize) -> usize),
        };
        loop {
            match self.store.expand_webhook_events(&mut expansion) {
                Ok(0) => return,
                Ok(_) => {}
                Err(error) => {
                    tracing::error!(%error, "cannot turn webhook events into deliveries");
                    return;
                }
            }
        }
    }
}

/// One attempt: the event's bytes, signed when the configuration has a secret, with the
/// configuration's headers.
async fn send(
    http: &reqwest::Client,
    delivery: &DueDelivery,
    timeout: Duration,
) -> DeliveryOutcome {
    let mut request = http.post(&delivery.url);
    for (name, value) in &delivery.headers {
        request = request.header(name, value);
    }
    request = request
        .header(CONTENT_TYPE, content_type(delivery.format.as_ref()))
        .header(DELIVERY_ID_HEADER, &delivery.delivery_id);
    if let Some(secret) = &delivery.secret {
        request = request.header(
            SIGNATURE_HEADER,
            signature(secret, delivery.body.as_bytes()),
        );
    }
    match request.body(delivery.body.clone()).send().await {
        Ok(response) => DeliveryOutcome {
            status_code: Some(response.status().as_u16()),
            error: None,
            body: kept_body(response).await,
        },
        Err(error) => DeliveryOutcome {
            error: Some(describe(&error, timeout)),
            ..DeliveryOutcome::default()
        },
    }
}

/// The start of an answer's body, as text.
async fn kept_body(mut response: reqwest::Response) -> Option<String> {
    let mut bytes = Vec::new();
    while bytes.len() < KEPT_BODY_CHARS * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text: String = String::from_utf8_lossy(&bytes)
        .chars()
        .take(KEPT_BODY_CHARS)
        .collect();
    (!text.is_empty()).then_some(text)
}

/// Why an attempt got no answer, with every cause (a refused or reset connection).
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("no answer within {timeout:?}");
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
