//! The page: one HTML document with its style and script inline, the totals, a chart of
//! the files by status, and a row per file. Every value from a manifest goes through
//! [`html`]; the only links are the outputs' relative paths.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::escape::{html, relative_href, script_json};
use super::manifest::{Manifest, ManifestLine, Summary};
use super::preview::Preview;

const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// Statuses in the order the chart shows them; others follow by name, then files with no
/// job.
const STATUS_ORDER: [&str; 5] = ["COMPLETED", "FAILED", "CANCELLED", "RUNNING", "PENDING"];
/// The status shown for a file that has no job.
pub const NO_JOB: &str = "no job";

/// The page for `manifest`'s files, with `previews` (one per entry, in order) and the
/// totals of `summary`, missing ones computed from the manifest.
pub fn render(manifest: &Manifest, previews: &[Option<Preview>], summary: &Summary) -> String {
    let entries = &manifest.entries;
    let mut page = String::with_capacity(4096 + entries.len() * 320);
    page.push_str(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n",
    );
    // Nothing is fetched and only this page's own style and script run, whatever a file
    // name or a document holds.
    let _ = writeln!(
        page,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         script-src '{}'; style-src '{}'; base-uri 'none'; form-action 'none'\">",
        csp_hash(SCRIPT),
        csp_hash(STYLE),
    );
    let _ = write!(
        page,
        "<title>Run report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>Run report</h1>\n"
    );
    totals(&mut page, &summary.completed_from(entries), entries.len());
    if !manifest.unreadable_lines.is_empty() {
        let lines: Vec<String> = manifest
            .unreadable_lines
            .iter()
            .map(usize::to_string)
            .collect();
        let _ = writeln!(
            page,
            "<p class=\"note\" id=\"unreadable\">Manifest lines that could not be read and are \
             left out: {}.</p>",
            lines.join(", ")
        );
    }
    let counts = status_counts(entries);
    chart(&mut page, &counts);
    controls(&mut page, &counts, entries.len());
    table(&mut page, entries, previews);
    page.push_str(
        "<section id=\"preview\" hidden aria-labelledby=\"preview-title\">\n\
         <h2 id=\"preview-title\">Preview: <span id=\"preview-name\"></span></h2>\n\
         <button type=\"button\" id=\"preview-close\">Close preview</button>\n\
         <p class=\"note\" id=\"preview-note\" hidden>Only the start of the document is \
         embedded; open the file for the rest.</p>\n\
         <pre id=\"preview-text\" tabindex=\"0\"></pre>\n</section>\n",
    );
    let _ = write!(
        page,
        "<script type=\"application/json\" id=\"previews\">{}</script>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        previews_json(previews)
    );
    page
}

/// `'sha256-…'` for a Content-Security-Policy source list.
fn csp_hash(text: &str) -> String {
    format!("sha256-{}", BASE64.encode(Sha256::digest(text.as_bytes())))
}

/// The status a file is shown and filtered by.
pub fn status_label(entry: &ManifestLine) -> &str {
    entry.job_status.as_deref().unwrap_or(NO_JOB)
}

/// The class that colours a status: only known statuses have their own, so no status text
/// ever reaches a class name.
fn status_class(label: &str) -> &'static str {
    match label {
        "COMPLETED" => "s-completed",
        "FAILED" => "s-failed",
        "CANCELLED" => "s-cancelled",
        "RUNNING" | "PENDING" => "s-running",
        NO_JOB => "s-nojob",
        _ => "s-other",
    }
}

/// Each status with its number of files, in the chart's order.
fn status_counts(entries: &[ManifestLine]) -> Vec<(&str, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in entries {
        *counts.entry(status_label(entry)).or_default() += 1;
    }
    let rank = |label: &str| match STATUS_ORDER.iter().position(|known| *known == label) {
        Some(position) => position,
        None if label == NO_JOB => STATUS_ORDER.len() + 1,
        None => STATUS_ORDER.len(),
    };
    let mut ordered: Vec<(&str, usize)> = counts.into_iter().collect();
    // Stable: statuses of the same rank stay in name order.
    ordered.sort_by_key(|(label, _)| rank(label));
    ordered
}

fn totals(page: &mut String, summary: &Summary, files: usize) {
    let missing = || "–".to_owned();
    let count = |value: Option<u64>| value.map_or_else(missing, |value| value.to_string());
    let figures = [
        ("Files", files.to_string()),
        ("Done", count(summary.files_done)),
        ("Failed", count(summary.files_failed)),
        ("Skipped", count(summary.files_skipped)),
        ("Pages", count(summary.pages)),
        ("Credits", summary.credits.map_or_else(missing, decimal)),
        ("Time", summary.seconds.map_or_else(missing, duration)),
    ];
    page.push_str("<dl class=\"totals\" id=\"totals\">\n");
    for (name, value) in figures {
        let _ = writeln!(page, "<div><dt>{name}</dt><dd>{}</dd></div>", html(&value));
    }
    page.push_str("</dl>\n");
}

/// A number with at most three decimals, trailing zeros dropped.
fn decimal(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// Seconds as `42.5 s`, `3 min 07 s` or `2 h 03 min`.
fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        return "–".to_owned();
    }
    if seconds < 60.0 {
        return format!("{} s", decimal((seconds * 10.0).round() / 10.0));
    }
    let whole = seconds.round() as u64;
    if whole < 3600 {
        format!("{} min {:02} s", whole / 60, whole % 60)
    } else {
        format!("{} h {:02} min", whole / 3600, whole % 3600 / 60)
    }
}

/// Horizontal bars, one per status, as inline SVG.
fn chart(page: &mut String, counts: &[(&str, usize)]) {
    const ROW: usize = 26;
    const LABEL: usize = 130;
    const BAR: usize = 400;
    let largest = counts
        .iter()
        .map(|(_, count)| *count)
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW * counts.len().max(1);
    let _ = writeln!(
        page,
        "<h2 id=\"chart-title\">Files by status</h2>\n<svg class=\"chart\" id=\"chart\" \
         role=\"img\" aria-labelledby=\"chart-title\" width=\"{}\" height=\"{height}\" \
         viewBox=\"0 0 {} {height}\">",
        LABEL + BAR + 70,
        LABEL + BAR + 70,
    );
    if counts.is_empty() {
        page.push_str("<text x=\"0\" y=\"17\">No files</text>\n");
    }
    for (row, (label, count)) in counts.iter().enumerate() {
        let y = row * ROW;
        let width = (count * BAR).div_ceil(largest);
        let class = status_class(label);
        let label = html(label);
        let _ = writeln!(
            page,
            "<g><title>{label}: {count}</title><text x=\"0\" y=\"{}\">{label}</text>\
             <rect class=\"{}\" x=\"{LABEL}\" y=\"{}\" width=\"{width}\" height=\"{}\" rx=\"3\"/>\
             <text x=\"{}\" y=\"{}\">{count}</text></g>",
            y + 17,
            class,
            y + 4,
            ROW - 8,
            LABEL + width + 6,
            y + 17,
        );
    }
    page.push_str("</svg>\n");
}

fn controls(page: &mut String, counts: &[(&str, usize)], files: usize) {
    page.push_str(
        "<h2>Files</h2>\n<div class=\"controls\">\n<label>Status <select id=\"status-filter\">\
         <option value=\"\">All statuses</option>",
    );
    for (label, count) in counts {
        let label = html(label);
        let _ = write!(page, "<option value=\"{label}\">{label} ({count})</option>");
    }
    let _ = writeln!(
        page,
        "</select></label>\n<label>Search <input type=\"search\" id=\"text-filter\" \
         placeholder=\"path or error\" autocomplete=\"off\"></label>\n\
         <span id=\"shown\" aria-live=\"polite\">{files} of {files} files shown</span>\n</div>"
    );
}

fn table(page: &mut String, entries: &[ManifestLine], previews: &[Option<Preview>]) {
    page.push_str("<table id=\"files\">\n<thead><tr>");
    for (key, name) in [
        ("path", "File"),
        ("status", "Status"),
        ("pages", "Pages"),
        ("credits", "Credits"),
        ("output", "Output"),
        ("error", "Error"),
    ] {
        let _ = write!(
            page,
            "<th scope=\"col\" aria-sort=\"none\"><button type=\"button\" data-key=\"{key}\">\
             {name}</button></th>"
        );
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for (index, entry) in entries.iter().enumerate() {
        row(
            page,
            index,
            entry,
            previews.get(index).is_some_and(Option::is_some),
        );
    }
    page.push_str("</tbody>\n</table>\n");
}

fn row(page: &mut String, index: usize, entry: &ManifestLine, has_preview: bool) {
    let status = html(status_label(entry));
    let pages = entry
        .pages
        .map(|pages| pages.to_string())
        .unwrap_or_default();
    let credits = entry.credits.map(decimal).unwrap_or_default();
    let _ = write!(
        page,
        "<tr data-status=\"{status}\" data-pages=\"{pages}\" data-credits=\"{credits}\">\
         <td class=\"path\">{}</td><td><span class=\"status {}\">{status}</span></td>\
         <td class=\"num\">{pages}</td><td class=\"num\">{credits}</td><td class=\"output\">",
        html(&entry.path),
        status_class(status_label(entry)),
    );
    if let Some(output) = entry.output.as_deref() {
        match relative_href(output) {
            Some(href) => {
                let _ = write!(page, "<a href=\"{}\">{}</a>", html(&href), html(output));
            }
            None => {
                let _ = write!(
                    page,
                    "<span title=\"not linked: outside the report's folder\">{}</span>",
                    html(output)
                );
            }
        }
        if has_preview {
            let _ = write!(
                page,
                " <button type=\"button\" data-preview=\"{index}\">Preview</button>"
            );
        }
    }
    let _ = writeln!(
        page,
        "</td><td class=\"error\">{}</td></tr>",
        html(entry.error.as_deref().unwrap_or_default())
    );
}

/// The embedded previews: `{"<row>": {"text": …, "truncated": …}}`, escaped for a script
/// block.
fn previews_json(previews: &[Option<Preview>]) -> String {
    let object: Map<String, Value> = previews
        .iter()
        .enumerate()
        .filter_map(|(index, preview)| {
            let preview = preview.as_ref()?;
            Some((
                index.to_string(),
                json!({ "text": preview.text, "truncated": preview.truncated }),
            ))
        })
        .collect();
    script_json(&Value::Object(object).to_string())
}
