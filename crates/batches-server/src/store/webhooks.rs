//! The webhooks of batches: the configurations a batch delivers to (copied when it is
//! created, so a saved configuration changed or deleted later does not change them), the
//! events its status changes record, and the deliveries made of them, each with its
//! attempts and last answer.
//!
//! The deliveries of one batch to one of its configurations form a lane, sent one at a
//! time in lane order: the next waits until the one before is delivered or given up. A
//! slow receiver so holds up only its own lane.

use std::{collections::BTreeMap, fmt, time::Duration};

use batches_types::{
    Batch, DateTime, Utc, WebhookConfiguration, WebhookEvent, WebhookEventType, WebhookOutputFormat,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{
    clock::{now_micros, to_datetime},
    connection::Store,
    error::StoreError,
    webhook_configs::saved_configuration,
};
use crate::rules::{
    new_id,
    webhooks::{ends_batch, event_for, retry_delay, shuffled_order, wants},
};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Kept back until its batch ends (`--webhook-shuffle`).
    Held,
    /// Waiting for its next attempt, or for the delivery before it in its lane.
    Pending,
    /// An attempt is under way.
    Sending,
    /// A receiver answered 2xx.
    Delivered,
    /// Every attempt failed; no more will be made.
    Failed,
}

impl DeliveryStatus {
    const ALL: [DeliveryStatus; 5] = [
        DeliveryStatus::Held,
        DeliveryStatus::Pending,
        DeliveryStatus::Sending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Failed,
    ];

    /// The stored and shown name.
    pub fn as_str(&self) -> &'static str {
        match self {
            DeliveryStatus::Held => "held",
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> DeliveryStatus {
        DeliveryStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .unwrap_or(DeliveryStatus::Pending)
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One delivery of a batch event to one webhook, as the emulator shows it: where it went,
/// how many attempts it took and what the receiver last answered. Neither the signing
/// secret nor the configuration's header values are shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The `X-Emulator-Delivery-Id` header it carries, the same on every attempt (and on
    /// its duplicate).
    pub delivery_id: String,
    /// The batch whose event it is.
    pub batch_id: String,
    /// The event (`batch.pending`, …).
    pub event_type: String,
    /// Where it is sent.
    pub webhook_url: String,
    /// Whether it is the second copy of a delivery sent twice on purpose
    /// (`--webhook-duplicate-rate`).
    pub duplicate: bool,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts finished so far.
    pub attempts: u32,
    /// When the next attempt may start, while it is pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer, if the receiver answered.
    pub last_status_code: Option<u16>,
    /// Why the last attempt got no answer (a refused or reset connection, a timeout).
    pub last_error: Option<String>,
    /// The start of the last answer's body.
    pub last_body: Option<String>,
    /// When its event was turned into deliveries.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A delivery whose attempt starts now, with everything the attempt sends.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// Its row.
    pub row: i64,
    /// The delivery id header.
    pub delivery_id: String,
    /// Where to send it.
    pub url: String,
    /// The configuration's headers.
    pub headers: BTreeMap<String, String>,
    /// The configuration's output format.
    pub format: Option<WebhookOutputFormat>,
    /// The signing secret, if the configuration has one.
    pub secret: Option<String>,
    /// The body: the event, the same bytes on every attempt.
    pub body: String,
}

/// What one attempt got.
#[derive(Debug, Clone, Default)]
pub struct DeliveryOutcome {
    /// The HTTP status of the answer, if there was one.
    pub status_code: Option<u16>,
    /// Why there was no answer.
    pub error: Option<String>,
    /// The start of the answer's body.
    pub body: Option<String>,
}

impl DeliveryOutcome {
    fn delivered(&self) -> bool {
        self.status_code
            .is_some_and(|code| (200..300).contains(&code))
    }
}

/// The draws that turn events into deliveries (`--webhook-duplicate-rate`,
/// `--webhook-shuffle`).
pub struct Expansion<'a> {
    /// Whether the next delivery is sent twice.
    pub duplicate: &'a mut dyn FnMut() -> bool,
    /// Draws a number below its argument, for the order of a batch's held deliveries;
    /// `None` sends deliveries as their events happen.
    pub shuffle: Option<&'a mut dyn FnMut(usize) -> usize>,
}

/// Copies the webhook configurations of a new batch: the inline ones, then the saved ones
/// named (refused when one does not exist in the project).
pub fn attach(
    conn: &Connection,
    project_id: &str,
    batch_id: &str,
    inline: &[WebhookConfiguration],
    saved: &[String],
) -> Result<(), StoreError> {
    let mut configurations = inline.to_vec();
    for id in saved {
        configurations.push(saved_configuration(conn, project_id, id)?);
    }
    if configurations.is_empty() {
        return Ok(());
    }
    conn.prepare_cached("INSERT INTO batch_webhooks (batch_id, configurations) VALUES (?, ?)")?
        .execute(params![
            batch_id,
            serde_json::to_string(&configurations).expect("configurations always serialize")
        ])?;
    Ok(())
}

/// The project and the webhook configurations of a batch (none when it has no webhooks).
fn hooks_of(
    conn: &Connection,
    batch_id: &str,
) -> rusqlite::Result<Option<(String, Vec<WebhookConfiguration>)>> {
    conn.prepare_cached(
        "SELECT b.project_id, w.configurations FROM batch_webhooks w
         JOIN batches b ON b.id = w.batch_id WHERE w.batch_id = ?",
    )?
    .query_row([batch_id], |row| {
        let text: String = row.get(1)?;
        let hooks = serde_json::from_str(&text).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, error.into())
        })?;
        Ok((row.get(0)?, hooks))
    })
    .optional()
}

impl Store {
    /// Records the event a batch's status announces, once per change, when the batch has
    /// webhooks; called in the transaction that changed the status.
    pub(super) fn record_webhook_event(
        &self,
        conn: &Connection,
        batch_id: &str,
    ) -> rusqlite::Result<()> {
        let has_hooks = conn
            .prepare_cached("SELECT 1 FROM batch_webhooks WHERE batch_id = ?")?
            .exists([batch_id])?;
        if !has_hooks {
            return Ok(());
        }
        let (body, updated_at): (String, i64) = conn
            .prepare_cached("SELECT body, updated_at FROM batches WHERE id = ?")?
            .query_row([batch_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let batch: Batch = serde_json::from_str(&body).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, error.into())
        })?;
        let Some(event) = event_for(&batch.status) else {
            return Ok(());
        };
        let last: Option<String> = conn
            .prepare_cached(
                "SELECT event_type FROM webhook_events WHERE batch_id = ? ORDER BY seq DESC LIMIT 1",
            )?
            .query_row([batch_id], |row| row.get(0))
            .optional()?;
        if last.as_deref() == Some(event.as_str()) {
            return Ok(());
        }
        let payload = WebhookEvent::new(event.clone(), to_datetime(updated_at), batch);
        conn.prepare_cached(
            "INSERT INTO webhook_events (batch_id, event_type, body) VALUES (?, ?, ?)",
        )?
        .execute(params![
            batch_id,
            event.as_str(),
            serde_json::to_string(&payload).expect("an event always serializes")
        ])?;
        // Read once the transaction has committed: the dispatcher's reads wait for the lock.
        self.webhook_wake().notify_one();
        Ok(())
    }

    /// Turns recorded events into deliveries, one per configuration that wants the event,
    /// drawing duplicates and (when shuffling) the order of a batch's deliveries as it
    /// ends. Returns how many events it took.
    pub fn expand_webhook_events(
        &self,
        expansion: &mut Expansion<'_>,
    ) -> Result<usize, StoreError> {
        self.transaction(|tx, _| {
            let events: Vec<(i64, String, String)> = tx
                .prepare_cached(
                    "SELECT seq, batch_id, event_type FROM webhook_events WHERE expanded = 0
                     ORDER BY seq LIMIT 200",
                )?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let now = now_micros();
            let status = match expansion.shuffle {
                Some(_) => DeliveryStatus::Held,
                None => DeliveryStatus::Pending,
            };
            for (seq, batch_id, event_type) in &events {
                let event = WebhookEventType::from(event_type.clone());
                let (project_id, hooks) = hooks_of(tx, batch_id)?.unwrap_or_default();
                for (hook, configuration) in hooks.iter().enumerate() {
                    if !wants(configuration.webhook_events.as_deref(), &event) {
                        continue;
                    }
                    let delivery_id = new_id("dlv");
                    let copies = if (expansion.duplicate)() { 2 } else { 1 };
                    for copy in 0..copies {
                        tx.prepare_cached(
                            "INSERT INTO webhook_deliveries (delivery_id, project_id, batch_id,
                             event_seq, event_type, hook, webhook_url, lane_seq, duplicate, status,
                             attempts, next_attempt_at, created_at, updated_at)
                             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
                        )?
                        .execute(params![
                            delivery_id,
                            project_id,
                            batch_id,
                            seq,
                            event_type,
                            hook as i64,
                            configuration.webhook_url.as_deref().unwrap_or_default(),
                            seq * 2 + copy,
                            copy == 1,
                            status.as_str(),
                            (status == DeliveryStatus::Pending).then_some(now),
                            now,
                            now
                        ])?;
                    }
                }
                if let Some(draw) = expansion.shuffle.as_deref_mut()
                    && ends_batch(&event)
                {
                    for hook in 0..hooks.len() {
                        release(tx, batch_id, hook as i64, now, draw)?;
                    }
                }
                tx.prepare_cached("UPDATE webhook_events SET expanded = 1 WHERE seq = ?")?
                    .execute([seq])?;
            }
            Ok(events.len())
        })
    }

    /// Takes up to `limit` deliveries due now, each the first unfinished one of its lane,
    /// marking them as being sent.
    pub fn take_due_deliveries(&self, limit: usize) -> Result<Vec<DueDelivery>, StoreError> {
        self.transaction(|tx, _| {
            let due: Vec<(i64, String, String, i64, String)> = tx
                .prepare_cached(&format!(
                    "SELECT d.rowid, d.delivery_id, d.batch_id, d.hook, e.body
                     FROM webhook_deliveries d JOIN webhook_events e ON e.seq = d.event_seq
                     WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND {LANE_HEAD}
                     ORDER BY d.next_attempt_at, d.rowid LIMIT ?"
                ))?
                .query_map(params![now_micros(), limit as i64], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut taken = Vec::with_capacity(due.len());
            for (row, delivery_id, batch_id, hook, body) in due {
                let hooks = hooks_of(tx, &batch_id)?
                    .map(|(_, hooks)| hooks)
                    .unwrap_or_default();
                let configuration = hooks.get(hook as usize).cloned().unwrap_or_default();
                tx.prepare_cached(
                    "UPDATE webhook_deliveries SET status = 'sending' WHERE rowid = ?",
                )?
                .execute([row])?;
                taken.push(DueDelivery {
                    row,
                    delivery_id,
                    url: configuration.webhook_url.unwrap_or_default(),
                    headers: configuration.webhook_headers.unwrap_or_default(),
                    format: configuration.webhook_output_format,
                    secret: configuration.webhook_signing_secret,
                    body,
                });
            }
            Ok(taken)
        })
    }

    /// Records an attempt's outcome: delivered on a 2xx; otherwise pending again after the
    /// backoff from `retry_base`, or failed after the last attempt.
    pub fn finish_delivery(
        &self,
        row: i64,
        outcome: &DeliveryOutcome,
        retry_base: Duration,
    ) -> Result<(), StoreError> {
        self.with_connection(|conn| {
            let attempts: u32 = conn
                .prepare_cached("SELECT attempts FROM webhook_deliveries WHERE rowid = ?")?
                .query_row([row], |row| row.get(0))?;
            let attempts = attempts + 1;
            let now = now_micros();
            let (status, next_attempt_at) = if outcome.delivered() {
                (DeliveryStatus::Delivered, None)
            } else {
                match retry_delay(attempts, retry_base) {
                    Some(delay) => (
                        DeliveryStatus::Pending,
                        Some(now.saturating_add(delay.as_micros().try_into().unwrap_or(i64::MAX))),
                    ),
                    None => (DeliveryStatus::Failed, None),
                }
            };
            conn.prepare_cached(
                "UPDATE webhook_deliveries SET attempts = ?, status = ?, next_attempt_at = ?,
                 last_status_code = ?, last_error = ?, last_body = ?, updated_at = ?
                 WHERE rowid = ?",
            )?
            .execute(params![
                attempts,
                status.as_str(),
                next_attempt_at,
                outcome.status_code,
                outcome.error,
                outcome.body,
                now,
                row
            ])?;
            Ok(())
        })?;
        self.webhook_wake().notify_one();
        Ok(())
    }

    /// When the next delivery that may start falls due, if any is waiting.
    pub fn next_delivery_at(&self) -> Result<Option<i64>, StoreError> {
        self.with_connection(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT MIN(d.next_attempt_at) FROM webhook_deliveries d
                     WHERE d.status = 'pending' AND {LANE_HEAD}"
                ))?
                .query_row([], |row| row.get(0))?)
        })
    }

    /// Makes attempts cut off by a stop (still `sending`) due again.
    pub fn resume_deliveries(&self) -> Result<(), StoreError> {
        self.with_connection(|conn| {
            conn.execute(
                "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?
                 WHERE status = 'sending'",
                [now_micros()],
            )?;
            Ok(())
        })
    }

    /// The deliveries of the project (of every project when `project_id` is `None`; of one
    /// batch when `batch_id` is given), oldest first.
    pub fn webhook_deliveries(
        &self,
        project_id: Option<&str>,
        batch_id: Option<&str>,
    ) -> Result<Vec<WebhookDelivery>, StoreError> {
        self.with_connection(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT delivery_id, batch_id, event_type, webhook_url, duplicate, status,
                     attempts, next_attempt_at, last_status_code, last_error, last_body,
                     created_at, updated_at FROM webhook_deliveries
                     WHERE (?1 IS NULL OR project_id = ?1) AND (?2 IS NULL OR batch_id = ?2)
                     ORDER BY rowid",
                )?
                .query_map(params![project_id, batch_id], |row| {
                    Ok(WebhookDelivery {
                        delivery_id: row.get(0)?,
                        batch_id: row.get(1)?,
                        event_type: row.get(2)?,
                        webhook_url: row.get(3)?,
                        duplicate: row.get(4)?,
                        status: DeliveryStatus::parse(&row.get::<_, String>(5)?),
                        attempts: row.get(6)?,
                        next_attempt_at: row.get::<_, Option<i64>>(7)?.map(to_datetime),
                        last_status_code: row.get(8)?,
                        last_error: row.get(9)?,
                        last_body: row.get(10)?,
                        created_at: to_datetime(row.get(11)?),
                        updated_at: to_datetime(row.get(12)?),
                    })
                })?
                .collect::<rusqlite::Result<_>>()?)
        })
    }
}

/// The condition that delivery `d` is the first unfinished one of its lane.
const LANE_HEAD: &str = "NOT EXISTS (SELECT 1 FROM webhook_deliveries p
    WHERE p.batch_id = d.batch_id AND p.hook = d.hook AND p.lane_seq < d.lane_seq
    AND p.status IN ('held', 'pending', 'sending'))";

/// Releases the held deliveries of one lane in a drawn order.
fn release(
    conn: &Connection,
    batch_id: &str,
    hook: i64,
    now: i64,
    draw: &mut dyn FnMut(usize) -> usize,
) -> rusqlite::Result<()> {
    let held: Vec<(i64, i64)> = conn
        .prepare_cached(
            "SELECT rowid, lane_seq FROM webhook_deliveries
             WHERE batch_id = ? AND hook = ? AND status = 'held' ORDER BY lane_seq",
        )?
        .query_map(params![batch_id, hook], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let order = shuffled_order(held.len(), draw);
    for (slot, taken) in order.into_iter().enumerate() {
        conn.prepare_cached(
            "UPDATE webhook_deliveries SET lane_seq = ?, status = 'pending', next_attempt_at = ?
             WHERE rowid = ?",
        )?
        .execute(params![held[slot].1, now, held[taken].0])?;
    }
    Ok(())
}
