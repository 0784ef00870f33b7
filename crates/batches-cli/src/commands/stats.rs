//! `batches stats`: counts by status, job type and day over the whole listing.

use std::collections::BTreeMap;

use batches_client::{Batch, BatchStatus, JobType};
use chrono::NaiveDate;
use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use super::Context;
use crate::cli::ListFilters;
use crate::failure::Failure;
use crate::output::{ChartSection, style};

/// Days without batches are shown as zero bars when the listing spans at most this many.
const MAX_FILLED_DAYS: i64 = 92;

#[derive(Default)]
struct Counts {
    total: u64,
    by_status: BTreeMap<String, u64>,
    by_job_type: BTreeMap<String, u64>,
    by_day: BTreeMap<String, u64>,
}

impl Counts {
    fn add(&mut self, batch: &Batch) {
        self.total += 1;
        *self.by_status.entry(batch.status.to_string()).or_default() += 1;
        *self
            .by_job_type
            .entry(batch.config.job.type_.to_string())
            .or_default() += 1;
        let day = batch.created_at.map_or_else(
            || "unknown".to_owned(),
            |at| at.format("%Y-%m-%d").to_string(),
        );
        *self.by_day.entry(day).or_default() += 1;
    }

    /// Known statuses first in their lifecycle order (zero counts included), then any
    /// others.
    fn statuses(&self) -> Vec<(String, u64)> {
        ordered(
            BatchStatus::KNOWN.iter().map(|s| s.as_str()),
            &self.by_status,
        )
    }

    fn job_types(&self) -> Vec<(String, u64)> {
        ordered(JobType::KNOWN.iter().map(|t| t.as_str()), &self.by_job_type)
    }

    /// Days in order, the gaps filled with zeros when the span is short.
    fn days(&self) -> Vec<(String, u64)> {
        let parse = |day: &str| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok();
        let dated: Vec<NaiveDate> = self.by_day.keys().filter_map(|day| parse(day)).collect();
        let mut days: Vec<(String, u64)> = match (dated.first(), dated.last()) {
            (Some(&first), Some(&last)) if (last - first).num_days() <= MAX_FILLED_DAYS => first
                .iter_days()
                .take_while(|day| *day <= last)
                .map(|day| {
                    let key = day.format("%Y-%m-%d").to_string();
                    let count = self.by_day.get(&key).copied().unwrap_or(0);
                    (key, count)
                })
                .collect(),
            _ => dated
                .iter()
                .map(|day| {
                    let key = day.format("%Y-%m-%d").to_string();
                    let count = self.by_day[&key];
                    (key, count)
                })
                .collect(),
        };
        if let Some(count) = self.by_day.get("unknown") {
            days.push(("unknown".to_owned(), *count));
        }
        days
    }

    fn to_json(&self) -> Value {
        let object = |entries: Vec<(String, u64)>| {
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, json!(v)))
                    .collect::<Map<_, _>>(),
            )
        };
        json!({
            "total": self.total,
            "by_status": object(self.statuses()),
            "by_job_type": object(self.job_types()),
            "by_day": object(self.days()),
        })
    }
}

fn ordered<'a>(
    known: impl Iterator<Item = &'a str>,
    counts: &BTreeMap<String, u64>,
) -> Vec<(String, u64)> {
    let mut entries: Vec<(String, u64)> = known
        .map(|name| (name.to_owned(), counts.get(name).copied().unwrap_or(0)))
        .collect();
    for (name, count) in counts {
        if !entries.iter().any(|(known, _)| known == name) {
            entries.push((name.clone(), *count));
        }
    }
    entries
}

/// Counts every batch of the listing and shows the counts.
pub async fn run(context: &mut Context, filters: ListFilters) -> Result<(), Failure> {
    if context.printer.is_raw() {
        return Err(Failure::usage(
            "stats are computed from many responses, so there is no raw response to print; \
             use table, json, jsonl or yaml",
        ));
    }
    let mut pages = context.client.batches().pages(filters.params());
    // Nothing is printed until the counts are complete.
    let mut progress = context.console.listing_progress(false);
    let mut counts = Counts::default();
    let outcome = loop {
        match context.interrupt.race(pages.next()).await {
            Err(interrupted) => break Err(interrupted),
            Ok(None) => break Ok(()),
            Ok(Some(Err(error))) => break Err(error.into()),
            Ok(Some(Ok(page))) => {
                progress.page(page.items.len());
                page.items.iter().for_each(|batch| counts.add(batch));
            }
        }
    };
    progress.finish();
    outcome?;

    if !context.printer.is_table() {
        let json = serde_json::to_vec(&counts.to_json()).expect("counts encode");
        return context.printer.single(&json);
    }
    let sections = [
        ChartSection {
            title: "by status",
            bars: counts
                .statuses()
                .into_iter()
                .map(|(status, count)| {
                    let color = style::status_color(&status.parse().expect("parsing never fails"));
                    (status, count, color)
                })
                .collect(),
        },
        ChartSection {
            title: "by job type",
            bars: counts
                .job_types()
                .into_iter()
                .map(|(t, c)| (t, c, None))
                .collect(),
        },
        ChartSection {
            title: "by day (UTC, by creation)",
            bars: counts
                .days()
                .into_iter()
                .map(|(d, c)| (d, c, None))
                .collect(),
        },
    ];
    context.printer.chart(counts.total, &sections)
}
