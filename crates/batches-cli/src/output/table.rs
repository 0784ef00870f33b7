//! Tables for people: batches, directories, directory files, a run's files and results,
//! saved webhook configurations, a batch's results, and the bar chart of `batches stats`.

use std::borrow::Cow;

use batches_client::{Batch, Directory, DirectoryFile, WebhookConfig};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::style::{self, BOLD};
use super::terminal_safe;

/// What the rows of a table show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// Batches (the default).
    Batches,
    /// Source directories.
    Directories,
    /// The files of a directory.
    DirectoryFiles,
    /// The files a run would upload (`--dry-run`).
    Planned,
    /// The per-file results of a run.
    RunResults,
    /// One parse job (`parse get`), its documents below.
    ParseJobs,
    /// One extract job (`extract get`), its fields below.
    ExtractJobs,
    /// Saved webhook configurations.
    WebhookConfigs,
}

/// One row: its cells, and the column and colour of its status cell.
type Row = (Vec<String>, Option<(usize, &'static str)>);

impl Rows {
    fn headers(self) -> &'static [&'static str] {
        match self {
            Rows::Batches => &[
                "ID",
                "STATUS",
                "JOB TYPE",
                "CONFIGURATION",
                "DIRECTORY",
                "CREATED",
                "UPDATED",
            ],
            Rows::Directories => &["ID", "NAME", "TYPE", "CREATED", "DESCRIPTION"],
            Rows::DirectoryFiles => &["ID", "DISPLAY NAME", "UNIQUE ID", "FILE ID", "CREATED"],
            Rows::Planned => &["PATH", "SIZE", "DIRECTORY"],
            Rows::RunResults => &["PATH", "STATUS", "JOB", "ERROR"],
            Rows::ParseJobs => &["ID", "STATUS", "NAME", "TIER", "PAGES", "CREDITS", "ERROR"],
            Rows::ExtractJobs => &["ID", "STATUS", "CONFIGURATION", "CREDITS", "ERROR"],
            Rows::WebhookConfigs => &["ID", "URL", "EVENTS", "FORMAT", "SECRET", "CREATED"],
        }
    }

    /// Widths the first page cannot narrow: the longest known status and job type, and
    /// the timestamps, which may all be missing on the first page.
    fn min_widths(self) -> &'static [usize] {
        match self {
            Rows::Batches => &[0, 9, 10, 0, 0, 16, 16],
            Rows::Directories | Rows::DirectoryFiles => &[0, 0, 0, 0, 16],
            Rows::WebhookConfigs => &[0, 0, 0, 0, 0, 16],
            Rows::Planned | Rows::RunResults | Rows::ParseJobs | Rows::ExtractJobs => &[],
        }
    }

    /// The singular noun of a row, for messages.
    fn item(self) -> &'static str {
        match self {
            Rows::Batches => "batch",
            Rows::Directories => "directory",
            Rows::DirectoryFiles => "directory file",
            Rows::Planned | Rows::RunResults => "file",
            Rows::ParseJobs => "parse job",
            Rows::ExtractJobs => "extract job",
            Rows::WebhookConfigs => "webhook configuration",
        }
    }

    /// The row of one item, from its JSON.
    fn row(self, json: &str) -> Result<Row, String> {
        let decoded = match self {
            Rows::Batches => serde_json::from_str(json).map(|batch: Batch| {
                let color = style::status_color(&batch.status).map(|color| (1, color));
                let cells = vec![
                    batch.id,
                    batch.status.to_string(),
                    batch.config.job.type_.to_string(),
                    batch.config.job.configuration_id,
                    batch.source_directory_id,
                    timestamp(batch.created_at),
                    timestamp(batch.updated_at),
                ];
                (cells, color)
            }),
            Rows::Directories => serde_json::from_str(json).map(|directory: Directory| {
                let cells = vec![
                    directory.id,
                    directory.name,
                    directory
                        .type_
                        .map_or_else(|| "-".to_owned(), |type_| type_.to_string()),
                    timestamp(directory.created_at),
                    directory.description.unwrap_or_default(),
                ];
                (cells, None)
            }),
            Rows::DirectoryFiles => serde_json::from_str(json).map(|file: DirectoryFile| {
                let cells = vec![
                    file.id,
                    file.display_name,
                    file.unique_id,
                    file.file_id.unwrap_or_else(|| "-".to_owned()),
                    timestamp(file.created_at),
                ];
                (cells, None)
            }),
            Rows::Planned => serde_json::from_str(json).map(|file: Value| {
                let cells = vec![
                    text(&file["path"]),
                    text(&file["size"]),
                    text(&file["directory"]),
                ];
                (cells, None)
            }),
            Rows::RunResults => serde_json::from_str(json).map(|result: Value| {
                let status = text(&result["status"]);
                let color = match status.as_str() {
                    "ok" => Some((1, style::GREEN)),
                    "error" => Some((1, style::RED)),
                    _ => Some((1, style::YELLOW)),
                };
                let cells = vec![
                    text(&result["path"]),
                    status,
                    text(&result["job_reference"]["id"]),
                    result["error"].as_str().unwrap_or_default().to_owned(),
                ];
                (cells, color)
            }),
            Rows::ParseJobs => serde_json::from_str(json).map(|result: Value| {
                let job = &result["job"];
                let status = text(&job["status"]);
                let pages = match &result["job_metadata"]["page_count"] {
                    Value::Null => result["metadata"]["pages"]
                        .as_array()
                        .map_or_else(|| "-".to_owned(), |pages| pages.len().to_string()),
                    count => text(count),
                };
                let cells = vec![
                    text(&job["id"]),
                    status.clone(),
                    text(&job["name"]),
                    text(&job["tier"]),
                    pages,
                    text(&job["usage"]["credits"]),
                    job["error_message"].as_str().unwrap_or_default().to_owned(),
                ];
                (cells, job_status_color(&status))
            }),
            Rows::ExtractJobs => serde_json::from_str(json).map(|job: Value| {
                let status = text(&job["status"]);
                let cells = vec![
                    text(&job["id"]),
                    status.clone(),
                    text(&job["configuration_id"]),
                    text(&job["usage"]["credits"]),
                    job["error_message"].as_str().unwrap_or_default().to_owned(),
                ];
                (cells, job_status_color(&status))
            }),
            Rows::WebhookConfigs => serde_json::from_str(json).map(|config: WebhookConfig| {
                let events = config.webhook_events.map_or_else(
                    || "all".to_owned(),
                    |events| {
                        let names: Vec<&str> = events.iter().map(|event| event.as_str()).collect();
                        names.join(",")
                    },
                );
                let cells = vec![
                    config.id,
                    config.webhook_url,
                    events,
                    config
                        .webhook_output_format
                        .map_or_else(|| "string".to_owned(), |format| format.to_string()),
                    (if config.has_secret { "set" } else { "-" }).to_owned(),
                    timestamp(config.created_at),
                ];
                (cells, None)
            }),
        };
        decoded
            .map(|(cells, color)| (safe(cells), color))
            .map_err(|error| {
                format!(
                    "the server sent a {} that cannot be shown as a table ({error}); use \
                     --format json",
                    self.item()
                )
            })
    }
}

/// Cells with their control characters escaped, before their widths are measured.
fn safe(cells: Vec<String>) -> Vec<String> {
    cells
        .into_iter()
        .map(|cell| match terminal_safe(&cell) {
            Cow::Borrowed(_) => cell,
            Cow::Owned(escaped) => escaped,
        })
        .collect()
}

/// The colour of a job's status cell (the second column).
fn job_status_color(status: &str) -> Option<(usize, &'static str)> {
    style::status_color(&batches_client::BatchStatus::from(status)).map(|color| (1, color))
}

/// A JSON scalar as a cell: strings without quotes, absent and `null` as `-`.
fn text(value: &Value) -> String {
    match value {
        Value::Null => "-".to_owned(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Rows, streamed: column widths come from the first page, later rows are cut to fit them
/// so memory stays flat however long the listing.
pub struct StreamTable {
    rows: Rows,
    widths: Option<Vec<usize>>,
    pending: Vec<Row>,
    color: bool,
}

impl StreamTable {
    /// An empty table of batches; `color` paints statuses and the header.
    pub fn new(color: bool) -> StreamTable {
        StreamTable {
            rows: Rows::Batches,
            widths: None,
            pending: Vec::new(),
            color,
        }
    }

    /// Makes the table one of `rows` (before any row is added).
    pub fn show(&mut self, rows: Rows) {
        self.rows = rows;
    }

    /// What the rows show.
    pub fn rows(&self) -> Rows {
        self.rows
    }

    /// Adds the row of `json`: written at once when the widths are known, held until
    /// [`settle`](Self::settle) otherwise.
    pub fn push(&mut self, json: &str, out: &mut Vec<u8>) -> Result<(), String> {
        let (cells, status) = self.rows.row(json)?;
        match &self.widths {
            Some(widths) => row(&cells, widths, colors(&cells, status), self.color, out),
            None => self.pending.push((cells, status)),
        }
        Ok(())
    }

    /// Fixes the widths from the rows held so far and writes the header and those rows.
    pub fn settle(&mut self, out: &mut Vec<u8>) {
        if self.widths.is_some() || self.pending.is_empty() {
            return;
        }
        let headers = self.rows.headers();
        let mut widths = widths(headers, self.pending.iter().map(|(cells, _)| cells));
        for (width, min) in widths.iter_mut().zip(self.rows.min_widths()) {
            *width = (*width).max(*min);
        }
        header(headers, &widths, self.color, out);
        for (cells, status) in std::mem::take(&mut self.pending) {
            row(&cells, &widths, colors(&cells, status), self.color, out);
        }
        self.widths = Some(widths);
    }

    /// Whether no row was added.
    pub fn is_empty(&self) -> bool {
        self.widths.is_none() && self.pending.is_empty()
    }
}

/// The colours of a row's cells: only its status cell is painted.
fn colors(cells: &[String], status: Option<(usize, &'static str)>) -> Vec<Option<&'static str>> {
    let mut colors = vec![None; cells.len()];
    if let Some((column, color)) = status {
        colors[column] = Some(color);
    }
    colors
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
            safe(vec![
                result.source_directory_file_id.clone(),
                job.map_or_else(|| "-".to_owned(), |job| job.id.clone()),
                job.map_or_else(|| "-".to_owned(), |job| job.type_.to_string()),
                result.error_message.clone().unwrap_or_default(),
            ])
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
    /// A series drawn as a sparkline between the title and the bars.
    pub sparkline: Option<Vec<u64>>,
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
        if let Some(series) = &section.sparkline {
            out.extend_from_slice(format!("  {}\n", sparkline(series)).as_bytes());
        }
        // Labels may be the server's own (an unknown status).
        let labels: Vec<Cow<'_, str>> = section
            .bars
            .iter()
            .map(|(label, ..)| terminal_safe(label))
            .collect();
        let label_width = labels
            .iter()
            .map(|label| label.chars().count())
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
        for (label, (_, count, label_color)) in labels.iter().zip(&section.bars) {
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

/// One character per count, eight heights scaled to the largest count; a zero is a
/// space and any other count at least the lowest block, as in the bars.
fn sparkline(series: &[u64]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = series.iter().copied().max().unwrap_or(0).max(1);
    series
        .iter()
        .map(|&count| match count {
            0 => ' ',
            count => LEVELS[((count * 8).div_ceil(max) - 1).min(7) as usize],
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_scales_to_the_largest_count_and_leaves_zeros_blank() {
        assert_eq!(sparkline(&[0, 1, 4, 8, 5, 0, 16]), " ▁▂▄▃ █");
        assert_eq!(sparkline(&[3, 3]), "██");
        assert_eq!(sparkline(&[1, 1_000_000]), "▁█");
        assert_eq!(sparkline(&[]), "");
    }

    #[test]
    fn chart_labels_are_escaped_and_cells_measured_after() {
        let mut out = Vec::new();
        let section = ChartSection {
            title: "by status",
            bars: vec![
                ("\x1b]0;x\x07".to_owned(), 1, None),
                ("OK".to_owned(), 2, None),
            ],
            sparkline: None,
        };
        chart(3, &[section], false, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "3 batches\n\nby status\n  \\x1b]0;x\\x07  1  ████████████████████\n  OK            2  \
             ████████████████████████████████████████\n"
        );
    }
}
