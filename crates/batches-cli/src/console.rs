//! Everything written to stderr: errors with hints, notes, warnings and progress.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use batches_client::{Batch, BatchStatus};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::failure::Failure;
use crate::output::style;

/// stderr, with the user's choices about noise and colour.
#[derive(Debug, Clone, Copy)]
pub struct Console {
    quiet: bool,
    color: bool,
    terminal: bool,
}

impl Console {
    /// `quiet` hides notes, warnings and progress; `color` allows ANSI colours.
    pub fn new(quiet: bool, color: bool) -> Console {
        let terminal = std::io::stderr().is_terminal();
        Console {
            quiet,
            color: color && terminal,
            terminal,
        }
    }

    /// Prints a failure's message, hint and starting token; silent failures print nothing.
    pub fn failure(&self, failure: &Failure) {
        let Some(report) = failure.report() else {
            return;
        };
        self.line(&format!(
            "{}: {}",
            self.paint("error", style::RED),
            report.message
        ));
        if let Some(hint) = report.hint {
            self.line(&format!("{}: {hint}", self.paint("hint", style::CYAN)));
        }
        if let Some((token, item)) = report.starting_token {
            self.resume(&token, item);
        }
        if let Some(command) = report.resume_command {
            self.line(&format!("to resume, run: {command}"));
        }
    }

    /// Tells how to continue a listing of `item`s that stopped early.
    pub fn resume(&self, starting_token: &str, item: &str) {
        self.line(&format!(
            "to continue after the last {item} printed, repeat the listing with \
             --starting-token {starting_token}"
        ));
    }

    /// Prints a line a command's use depends on (where a receiver listens), even when
    /// quiet.
    pub fn announce(&self, text: &str) {
        self.line(text);
    }

    /// Prints a note, unless quiet.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            self.line(text);
        }
    }

    /// Prints a warning, unless quiet.
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            self.line(&format!("{}: {text}", self.paint("warning", style::YELLOW)));
        }
    }

    /// Prints an error that does not end the command (shown even when quiet).
    pub fn error(&self, text: &str) {
        self.line(&format!("{}: {text}", self.paint("error", style::RED)));
    }

    /// Prints a debug line (asked for with `--debug`, so shown even when quiet).
    pub fn debug(&self, text: &str) {
        self.line(&format!("{}: {text}", self.paint("debug", style::DIM)));
    }

    fn paint(&self, text: &str, code: &str) -> String {
        style::paint(text, code, self.color)
    }

    fn line(&self, text: &str) {
        // A closed stderr leaves nowhere to report to; the exit code still tells.
        let _ = writeln!(std::io::stderr(), "{text}");
    }

    /// Whether colours may be used on stderr.
    pub fn color(&self) -> bool {
        self.color
    }

    /// A progress line for a listing, drawn on a terminal once a second page is fetched.
    /// `rows_on_terminal` says the results themselves scroll by on the same terminal: they
    /// show the progress then, and a live line would be torn by them.
    pub fn listing_progress(&self, rows_on_terminal: bool) -> ListingProgress {
        ListingProgress {
            bar: ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
            live: self.terminal && !self.quiet && !rows_on_terminal,
            pages: 0,
        }
    }

    /// A live status line for `wait`: status, elapsed time and result counts.
    pub fn wait_progress(&self, batch_id: &str) -> ProgressBar {
        if !self.terminal || self.quiet {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {msg} · {elapsed}")
                .expect("the template is valid"),
        );
        bar.set_prefix(batch_id.to_owned());
        bar.set_message("waiting for the first status");
        // Drawn only once complete, so the first frame is not a bare spinner.
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}

impl Console {
    /// One bar for a set of uploads: files, bytes, rate and time left; nothing when stderr
    /// is not a terminal or with `--quiet`.
    pub fn upload_progress(&self, files: usize, bytes: u64) -> UploadProgress {
        let bar = if self.terminal && !self.quiet {
            let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::hidden());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} uploading {msg} {wide_bar} {binary_bytes}/{binary_total_bytes} · \
                     {binary_bytes_per_sec} · ETA {eta}",
                )
                .expect("the template is valid"),
            );
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        let progress = UploadProgress {
            bar,
            files: files as u64,
            done: AtomicU64::new(0),
            failed: AtomicU64::new(0),
        };
        progress.show();
        progress
    }

    /// Live lines, one per batch, for a run's wait; nothing when stderr is not a terminal
    /// or with `--quiet`.
    pub fn batch_lines(&self) -> BatchLines {
        BatchLines {
            lines: (self.terminal && !self.quiet)
                .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }
}

/// The progress of a set of uploads.
pub struct UploadProgress {
    bar: ProgressBar,
    files: u64,
    done: AtomicU64,
    failed: AtomicU64,
}

impl UploadProgress {
    /// Counts a file of `bytes` whose upload ended, well or not.
    pub fn uploaded(&self, bytes: u64, ok: bool) {
        self.done.fetch_add(1, Ordering::SeqCst);
        if !ok {
            self.failed.fetch_add(1, Ordering::SeqCst);
        }
        self.bar.inc(bytes);
        self.show();
    }

    fn show(&self) {
        let failed = self.failed.load(Ordering::SeqCst);
        let mut message = format!("{}/{} files", self.done.load(Ordering::SeqCst), self.files);
        if failed > 0 {
            message.push_str(&format!(" ({failed} failed)"));
        }
        self.bar.set_message(message);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Drop for UploadProgress {
    /// A run that stops on an error leaves no bar behind.
    fn drop(&mut self) {
        self.finish();
    }
}

/// One live line per batch while a run waits.
pub struct BatchLines {
    lines: Option<MultiProgress>,
}

impl BatchLines {
    /// A line for `batch_id`, updated with [`wait_status`].
    pub fn line(&self, batch_id: &str) -> ProgressBar {
        let Some(lines) = &self.lines else {
            return ProgressBar::hidden();
        };
        let bar = lines.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {msg} · {elapsed}")
                .expect("the template is valid"),
        );
        bar.set_prefix(batch_id.to_owned());
        bar.set_message("waiting for the first status");
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }
}

/// The progress of a listing: items, pages and rate, cleared at the end.
pub struct ListingProgress {
    bar: ProgressBar,
    live: bool,
    pages: u64,
}

impl ListingProgress {
    /// Counts a page of `items` batches.
    pub fn page(&mut self, items: usize) {
        self.pages += 1;
        if self.pages == 2 && self.live {
            self.bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {human_pos} batches · {msg} pages · {per_sec} · {elapsed}",
                )
                .expect("the template is valid"),
            );
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(120));
        }
        self.bar.inc(items as u64);
        self.bar.set_message(self.pages.to_string());
    }

    /// Removes the line.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The `wait` status line for a batch: status and result counts.
pub fn wait_status(batch: &Batch) -> String {
    let mut text = batch.status.to_string();
    if let Some(results) = &batch.results {
        let errors = results.iter().filter(|r| r.error_message.is_some()).count();
        text.push_str(&format!(" · {} files", results.len()));
        if errors > 0 {
            text.push_str(&format!(" ({errors} failed)"));
        }
    }
    if batch.status == BatchStatus::Throttled {
        text.push_str(" · waiting for a free slot");
    }
    text
}
