//! Tables for people: batches, a batch's results, and the bar chart of `batches stats`.

use batches_client::{Batch, BatchStatus};
use chrono::{DateTime, Utc};

use super::style::{self, BOLD};

const BATCH_HEADERS: [&str; 7] = [
    "ID",
    "STATUS",
    "JOB TYPE",
    "CONFIGURATION",
    "DIRECTORY",
    "CREATED",
    "UPDATED",
];
const STATUS_COLUMN: usize = 1;
/// Widths the first page cannot narrow: the longest known status and job type, and the
/// timestamps, which may all be missing on the first page.
const BATCH_MIN_WIDTHS: [usize; 7] = [0, 9, 10, 0, 0, 16, 16];

/// Batches as rows, streamed: column widths come from the first page, later rows are cut
/// to fit them so memory stays flat however long the listing.
pub struct BatchTable {
    widths: Option<Vec<usize>>,
    pending: Vec<(Vec<String>, BatchStatus)>,
    color: bool,
}

impl BatchTable {
    /// An empty table; `color` paints statuses and the header.
    pub fn new(color: bool) -> BatchTable {
        BatchTable {
            widths: None,
            pending: Vec::new(),
            color,
        }
    }

    /// Adds a row: written at once when the widths are known, held until
    /// [`settle`](Self::settle) otherwise.
    pub fn push(&mut self, batch: &Batch, out: &mut Vec<u8>) {
        let cells = vec![
            batch.id.clone(),
            batch.status.to_string(),
            batch.config.job.type_.to_string(),
            batch.config.job.configuration_id.clone(),
            batch.source_directory_id.clone(),
            timestamp(batch.created_at),
            timestamp(batch.updated_at),
        ];
        match &self.widths {
            Some(widths) => row(
                &cells,
                widths,
                self.status_color(&batch.status),
                self.color,
                out,
            ),
            None => self.pending.push((cells, batch.status.clone())),
        }
    }

    /// Fixes the widths from the rows held so far and writes the header and those rows.
    pub fn settle(&mut self, out: &mut Vec<u8>) {
        if self.widths.is_some() || self.pending.is_empty() {
            return;
        }
        let mut widths = widths(&BATCH_HEADERS, self.pending.iter().map(|(cells, _)| cells));
        for (width, min) in widths.iter_mut().zip(BATCH_MIN_WIDTHS) {
            *width = (*width).max(min);
        }
        header(&BATCH_HEADERS, &widths, self.color, out);
        for (cells, status) in std::mem::take(&mut self.pending) {
            row(&cells, &widths, self.status_color(&status), self.color, out);
        }
        self.widths = Some(widths);
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.widths.is_none() && self.pending.is_empty()
    }

    fn status_color(&self, status: &BatchStatus) -> Vec<Option<&'static str>> {
        let mut colors = vec![None; BATCH_HEADERS.len()];
        colors[STATUS_COLUMN] = style::status_color(status);
        colors
    }
}

/// A batch's per-file results, after the batch's own row.
pub fn results(batch: &Batch, color: bool, out: &mut Vec<u8>) {
    let Some(results) = &batch.results else {
        return;
    };
    const HEADERS: [&str; 4] = ["FILE", "JOB", "JOB TYPE", "ERROR"];
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|result| {
            let job = result.job_reference.as_ref();
            vec![
                result.source_directory_file_id.clone(),
                job.map_or_else(|| "-".to_owned(), |job| job.id.clone()),
                job.map_or_else(|| "-".to_owned(), |job| job.type_.to_string()),
                result.error_message.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let errors = results.iter().filter(|r| r.error_message.is_some()).count();
    out.extend_from_slice(
        format!("\n{} files, {errors} with an error\n", results.len()).as_bytes(),
    );
    if rows.is_empty() {
        return;
    }
    let widths = widths(&HEADERS, rows.iter());
    header(&HEADERS, &widths, color, out);
    for cells in &rows {
        let mut colors = vec![None; HEADERS.len()];
        if !cells[3].is_empty() {
            colors[3] = Some(style::RED);
        }
        row(cells, &widths, colors, color, out);
    }
}

/// A section of the bar chart: a title and labelled counts.
pub struct ChartSection {
    /// Shown above the bars.
    pub title: &'static str,
    /// Label, count and the label's colour.
    pub bars: Vec<(String, u64, Option<&'static str>)>,
}

/// Horizontal bars, scaled per section to 40 columns, drawn with eighth blocks.
pub fn chart(total: u64, sections: &[ChartSection], color: bool, out: &mut Vec<u8>) {
    const WIDTH: u64 = 40;
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    out.extend_from_slice(format!("{total} batches\n").as_bytes());
    for section in sections {
        out.extend_from_slice(
            format!("\n{}\n", style::paint(section.title, BOLD, color)).as_bytes(),
        );
        let label_width = section
            .bars
            .iter()
            .map(|(label, ..)| label.chars().count())
            .max()
            .unwrap_or(0);
        let count_width = section
            .bars
            .iter()
            .map(|(_, count, _)| count.to_string().len())
            .max()
            .unwrap_or(1);
        let max = section
            .bars
            .iter()
            .map(|(_, count, _)| *count)
            .max()
            .unwrap_or(0)
            .max(1);
        for (label, count, label_color) in &section.bars {
            let eighths = count * WIDTH * 8 / max;
            let mut bar = "█".repeat((eighths / 8) as usize);
            bar.push_str(EIGHTHS[(eighths % 8) as usize]);
            if bar.is_empty() && *count > 0 {
                bar.push_str(EIGHTHS[1]);
            }
            let padded = format!("{label:<label_width$}");
            let padded = match label_color {
                Some(code) => style::paint(&padded, code, color),
                None => padded,
            };
            out.extend_from_slice(format!("  {padded}  {count:>count_width$}  {bar}\n").as_bytes());
        }
    }
}

fn timestamp(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(
        || "-".to_owned(),
        |at| at.format("%Y-%m-%d %H:%M").to_string(),
    )
}

fn widths<'a>(headers: &[&str], rows: impl Iterator<Item = &'a Vec<String>>) -> Vec<usize> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for cells in rows {
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.chars().count());
        }
    }
    widths
}

fn header(headers: &[&str], widths: &[usize], color: bool, out: &mut Vec<u8>) {
    let cells: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    row(&cells, widths, vec![Some(BOLD); headers.len()], color, out);
}

/// One line: cells padded to their widths (cut with `…` when longer), two spaces apart,
/// the last one unpadded.
fn row(
    cells: &[String],
    widths: &[usize],
    colors: Vec<Option<&str>>,
    color: bool,
    out: &mut Vec<u8>,
) {
    let last = cells.len() - 1;
    for (i, cell) in cells.iter().enumerate() {
        let width = widths[i];
        let mut text: String = if cell.chars().count() > width {
            let mut cut: String = cell.chars().take(width.saturating_sub(1)).collect();
            cut.push('…');
            cut
        } else {
            cell.clone()
        };
        if i < last {
            let padding = width - text.chars().count();
            text.extend(std::iter::repeat_n(' ', padding));
        }
        let text = match colors[i] {
            Some(code) => style::paint(&text, code, color),
            None => text,
        };
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(if i < last { b"  " } else { b"\n" });
    }
}
