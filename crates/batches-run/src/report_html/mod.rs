//! A run's report page: `DIR/report.html`, made from an export folder's `manifest.jsonl`
//! and `summary.json`. One self-contained file that opens from disk with no network: the
//! totals, a chart of the files by status, a table of every file (sortable, filtered by
//! status and by text) with a link to each output and a preview of its text.
//!
//! The rows are HTML in the page (so the table reads even with scripts off); the inline
//! script only sorts, filters and shows previews, setting text with `textContent`. A
//! Content-Security-Policy in the page allows its own style and script alone (by hash)
//! and no fetch of any kind.

mod escape;
mod manifest;
mod page;
mod preview;

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

pub use escape::relative_href;
pub use manifest::{MANIFEST, Manifest, ManifestLine, SUMMARY, Summary};
pub use page::{NO_JOB, render};
pub use preview::{PREVIEW_BYTES, PREVIEWS_TOTAL_BYTES, Preview, read_previews};

/// The report's file name in an export folder.
pub const REPORT: &str = "report.html";

/// Reads `DIR/manifest.jsonl`, `DIR/summary.json` (if any) and the outputs the manifest
/// names, and writes `DIR/report.html` atomically: a reader sees the old page or the new
/// one, never part of one. Returns the report's path. An error names the file it is
/// about; a folder without a manifest is [`io::ErrorKind::NotFound`].
pub fn write_report(dir: &Path) -> io::Result<PathBuf> {
    let manifest = Manifest::read(dir)?;
    let summary = Summary::read(dir)?;
    let previews = read_previews(
        dir,
        manifest.entries.iter().map(|entry| entry.output.as_deref()),
    );
    let page = render(&manifest, &previews, &summary);
    let target = dir.join(REPORT);
    write_atomically(&target, page.as_bytes())?;
    Ok(target)
}

/// Writes `bytes` to a temporary file beside `target` (`.report.html.tmp-…`), syncs it and
/// renames it over `target`; the temporary file is removed on failure.
fn write_atomically(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    let temporary = dir.join(format!(".{REPORT}.tmp-{}-{nanos}", std::process::id()));
    let written = (|| {
        let mut file = File::options()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, target)
    })();
    if let Err(error) = written {
        let _ = fs::remove_file(&temporary);
        return Err(manifest::named(target, error));
    }
    // The rename itself is durable once the folder is synced (where folders can be opened).
    if let Ok(folder) = File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}
