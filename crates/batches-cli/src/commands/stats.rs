//! `batches stats`: counts by status, job type and period (day, week or month) over the
//! whole listing.

use std::collections::BTreeMap;

use batches_client::{Batch, BatchStatus, JobType};
use chrono::{Datelike, Days, Months, NaiveDate};
use futures_util::StreamExt;
use serde_json::{Map, Value, json};

use super::Context;
use crate::cli::{ListFilters, Period};
use crate::failure::Failure;
use crate::output::{ChartSection, style};

/// The most rows the time section gets when no `--by` is given: a month of days.
const MAX_PERIODS: usize = 31;

/// The most periods drawn as a sparkline: one line of an 80-column terminal.
const MAX_SPARKLINE: usize = 72;

#[derive(Default)]
struct Counts {
    total: u64,
    by_status: BTreeMap<String, u64>,
    by_job_type: BTreeMap<String, u64>,
    /// By UTC day of creation.
    by_day: BTreeMap<NaiveDate, u64>,
    /// Batches without a creation time.
    undated: u64,
}

impl Period {
    /// The name of the period, as `--by` takes it.
    fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// The first day of the period that holds `day`.
    fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => day,
            // Only the first week chrono can name has no Monday: it starts at its first day.
            Period::Week => day
                .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
                .unwrap_or(NaiveDate::MIN),
            Period::Month => day.with_day(1).expect("every month has a first day"),
        }
    }

    /// The first day of the next period, from the first day of one.
    fn next(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::Day => start.checked_add_days(Days::new(1)),
            Period::Week => start.checked_add_days(Days::new(7)),
            Period::Month => start.checked_add_months(Months::new(1)),
        }
    }

    /// How many periods run from the one holding `first` to the one holding `last`.
    fn count(self, first: NaiveDate, last: NaiveDate) -> i64 {
        let (first, last) = (self.start(first), self.start(last));
        match self {
            Period::Day => (last - first).num_days() + 1,
            Period::Week => (last - first).num_days() / 7 + 1,
            Period::Month => {
                let months = |day: NaiveDate| i64::from(day.year()) * 12 + i64::from(day.month0());
                months(last) - months(first) + 1
            }
        }
    }

    /// How a period is named in the output: its first day, or `2026-11` for a month.
    fn label(self, start: NaiveDate) -> String {
        match self {
            Period::Day | Period::Week => start.format("%Y-%m-%d").to_string(),
            Period::Month => start.format("%Y-%m").to_string(),
        }
    }

    /// The title of the time section of the chart.
    fn title(self) -> &'static str {
        match self {
            Period::Day => "by day (UTC, by creation)",
            Period::Week => "by week (UTC, by creation; weeks from Monday)",
            Period::Month => "by month (UTC, by creation)",
        }
    }
}

impl Counts {
    fn add(&mut self, batch: &Batch) {
        self.total += 1;
        *self.by_status.entry(batch.status.to_string()).or_default() += 1;
        *self
            .by_job_type
            .entry(batch.config.job.type_.to_string())
            .or_default() += 1;
        match batch.created_at {
            Some(at) => *self.by_day.entry(at.date_naive()).or_default() += 1,
            None => self.undated += 1,
        }
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

    /// `--by`, or the shortest period that fits the span of the creation days in
    /// [`MAX_PERIODS`] rows (months when none does).
    fn period(&self, by: Option<Period>) -> Period {
        by.unwrap_or_else(|| {
            let (Some((&first, _)), Some((&last, _))) =
                (self.by_day.first_key_value(), self.by_day.last_key_value())
            else {
                return Period::Day;
            };
            [Period::Day, Period::Week]
                .into_iter()
                .find(|period| period.count(first, last) <= MAX_PERIODS as i64)
                .unwrap_or(Period::Month)
        })
    }

    /// Every period from the first creation day's to the last's, in order, those without
    /// batches included as zeros.
    fn series(&self, period: Period) -> Vec<(NaiveDate, u64)> {
        let (Some((&first, _)), Some((&last, _))) =
            (self.by_day.first_key_value(), self.by_day.last_key_value())
        else {
            return Vec::new();
        };
        let mut series: Vec<(NaiveDate, u64)> = Vec::new();
        let mut start = Some(period.start(first));
        while let Some(at) = start.filter(|at| *at <= last) {
            series.push((at, 0));
            start = period.next(at);
        }
        for (day, count) in &self.by_day {
            let start = period.start(*day);
            match series.binary_search_by_key(&start, |(at, _)| *at) {
                Ok(slot) => series[slot].1 += count,
                // Every start is in the series; a count is kept even if one were not.
                Err(slot) => series.insert(slot, (start, *count)),
            }
        }
        series
    }

    /// The time section's rows: the periods, then the batches without a creation time.
    fn periods(&self, period: Period) -> Vec<(String, u64)> {
        let mut rows: Vec<(String, u64)> = self
            .series(period)
            .into_iter()
            .map(|(start, count)| (period.label(start), count))
            .collect();
        if self.undated > 0 {
            rows.push(("unknown".to_owned(), self.undated));
        }
        rows
    }

    fn to_json(&self, period: Period) -> Value {
        let object = |entries: Vec<(String, u64)>| {
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, json!(v)))
                    .collect::<Map<_, _>>(),
            )
        };
        let mut document = Map::new();
        document.insert("total".to_owned(), json!(self.total));
        document.insert("by_status".to_owned(), object(self.statuses()));
        document.insert("by_job_type".to_owned(), object(self.job_types()));
        document.insert(
            format!("by_{}", period.name()),
            object(self.periods(period)),
        );
        Value::Object(document)
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

/// Counts every batch of the listing and shows the counts, over time by `by` (or the
/// period that fits the span).
pub async fn run(
    context: &mut Context,
    filters: ListFilters,
    by: Option<Period>,
) -> Result<(), Failure> {
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

    let period = counts.period(by);
    if !context.printer.is_table() {
        let json = serde_json::to_vec(&counts.to_json(period)).expect("counts encode");
        return context.printer.single(&json);
    }
    let series: Vec<u64> = counts
        .series(period)
        .into_iter()
        .map(|(_, count)| count)
        .collect();
    // A sparkline is for a person looking at a terminal, and only when it fits a line.
    let sparkline =
        (context.printer.on_terminal() && series.len() <= MAX_SPARKLINE).then_some(series);
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
            sparkline: None,
        },
        ChartSection {
            title: "by job type",
            bars: counts
                .job_types()
                .into_iter()
                .map(|(t, c)| (t, c, None))
                .collect(),
            sparkline: None,
        },
        ChartSection {
            title: period.title(),
            bars: counts
                .periods(period)
                .into_iter()
                .map(|(d, c)| (d, c, None))
                .collect(),
            sparkline,
        },
    ];
    context.printer.chart(counts.total, &sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(days: &[(NaiveDate, u64)]) -> Counts {
        Counts {
            by_day: days.iter().copied().collect(),
            ..Counts::default()
        }
    }

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn rows(entries: &[(&str, u64)]) -> Vec<(String, u64)> {
        entries
            .iter()
            .map(|(label, count)| ((*label).to_owned(), *count))
            .collect()
    }

    #[test]
    fn the_period_is_the_shortest_that_fits_and_every_period_of_the_span_has_a_row() {
        // Friday 30 January to Monday 2 March: 32 days, 6 weeks, 3 months.
        let mut history = counts(&[
            (date("2026-01-30"), 2),
            (date("2026-02-01"), 1),
            (date("2026-03-02"), 4),
        ]);
        assert_eq!(history.period(None), Period::Week);
        assert_eq!(history.period(Some(Period::Day)), Period::Day);
        assert_eq!(history.series(Period::Day).len(), 32);
        assert_eq!(
            history.periods(Period::Week),
            rows(&[
                ("2026-01-26", 3),
                ("2026-02-02", 0),
                ("2026-02-09", 0),
                ("2026-02-16", 0),
                ("2026-02-23", 0),
                ("2026-03-02", 4),
            ])
        );
        history.undated = 5;
        assert_eq!(
            history.periods(Period::Month),
            rows(&[
                ("2026-01", 2),
                ("2026-02", 1),
                ("2026-03", 4),
                ("unknown", 5)
            ])
        );
        history.by_day.insert(date("2028-06-01"), 1);
        assert_eq!(history.period(None), Period::Month);
        assert_eq!(history.series(Period::Month).len(), 30);
        assert_eq!(counts(&[]).periods(Period::Day), rows(&[]));
    }

    #[test]
    fn the_ends_of_the_calendar_are_counted_without_a_panic() {
        let first = NaiveDate::MIN;
        let early = counts(&[
            (first, 1),
            (first + Days::new(3), 2),
            (first + Days::new(9), 4),
        ]);
        for period in [Period::Day, Period::Week, Period::Month] {
            let series = early.series(period);
            assert_eq!(series.iter().map(|(_, count)| count).sum::<u64>(), 7);
        }
        let last = NaiveDate::MAX;
        let late = counts(&[(last - Days::new(40), 1), (last, 2)]);
        for period in [Period::Day, Period::Week, Period::Month] {
            let series = late.series(period);
            assert_eq!(series.iter().map(|(_, count)| count).sum::<u64>(), 3);
        }
    }
}
