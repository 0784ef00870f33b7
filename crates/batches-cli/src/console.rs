//! Everything written to stderr: errors with hints, notes, warnings and progress. Every
//! text given to it is shown through [`terminal_safe`], so a name or a server message
//! that holds control characters cannot drive the terminal; its own labels and colours
//! are added around the escaped text. The messages the command composes may list items
//! one per line, so their line breaks stay (see [`Layout`]).

use std::borrow::Cow;
use std::fmt;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use batches_client::{Batch, BatchStatus};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::{self, Writer};

use crate::failure::Failure;
use crate::output::{style, terminal_safe};

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
        self.labelled("error", style::RED, &report.message, layout(failure));
        if let Some(hint) = report.hint {
            self.labelled("hint", style::CYAN, &hint, Layout::Own);
        }
        if let Some((token, item)) = report.starting_token {
            self.resume(&token, item);
        }
        if let Some(resume) = report.resume_command {
            self.line(&format!(
                "to resume, run: {}",
                terminal_safe(&resume.command)
            ));
            if let Some(note) = resume.note {
                self.line(&format!("({})", terminal_safe(&note)));
            }
        }
    }

    /// Tells how to continue a listing of `item`s that stopped early.
    pub fn resume(&self, starting_token: &str, item: &str) {
        self.line(&format!(
            "to continue after the last {item} printed, repeat the listing with \
             --starting-token {}",
            terminal_safe(starting_token)
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
            self.line(&shown(text, Layout::Own));
        }
    }

    /// Prints a warning, unless quiet.
    pub fn warn(&self, text: &str) {
        if !self.quiet {
            self.labelled("warning", style::YELLOW, text, Layout::Own);
        }
    }

    /// Prints an error that does not end the command (shown even when quiet).
    pub fn error(&self, text: &str) {
        self.labelled("error", style::RED, text, Layout::Own);
    }

    /// Prints a debug line (asked for with `--debug`, so shown even when quiet).
    pub fn debug(&self, text: &str) {
        self.labelled("debug", style::DIM, text, Layout::Own);
    }

    /// `label: text`, the label painted, the text escaped.
    fn labelled(&self, label: &str, code: &str, text: &str, layout: Layout) {
        self.line(&format!(
            "{}: {}",
            style::paint(label, code, self.color),
            shown(text, layout)
        ));
    }

    fn line(&self, text: &str) {
        // A closed stderr leaves nowhere to report to; the exit code still tells.
        let _ = writeln!(std::io::stderr(), "{text}");
    }

    /// Shows the client's requests and responses (`--debug`), each field value escaped:
    /// a response body or a URL is outside text like any other.
    pub fn trace_requests(&self) {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(self.color)
            .with_target(false)
            .with_span_events(format::FmtSpan::NEW | format::FmtSpan::CLOSE)
            .fmt_fields(SafeFields)
            .with_env_filter(tracing_subscriber::EnvFilter::new("batches_client=trace"))
            .init();
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
        bar.set_prefix(terminal_safe(batch_id).into_owned());
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
        bar.set_prefix(terminal_safe(batch_id).into_owned());
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

/// Whose line breaks a message holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// The command composed it, with values from outside inside: its line breaks list
    /// items one per line and stay; every other control character is escaped.
    Own,
    /// Outside text as a whole (the server's message): every control character is
    /// escaped, line breaks too.
    Outside,
}

/// `text` as stderr shows it.
fn shown(text: &str, layout: Layout) -> Cow<'_, str> {
    if layout == Layout::Outside || !text.contains('\n') {
        return terminal_safe(text);
    }
    let lines: Vec<Cow<'_, str>> = text.split('\n').map(terminal_safe).collect();
    Cow::Owned(lines.join("\n"))
}

/// The layout of a failure's message: the command's own for a usage failure, which may
/// list problems one per line; outside text otherwise (the server's message, or what it
/// sent that cannot be read).
fn layout(failure: &Failure) -> Layout {
    match failure {
        Failure::ListingStopped { cause, .. } | Failure::Stopped { cause, .. } => layout(cause),
        Failure::Usage { .. } => Layout::Own,
        _ => Layout::Outside,
    }
}

/// The fields of `--debug` lines as tracing writes them (`name=value`, the message bare),
/// each value through [`terminal_safe`]: tracing's own escaping covers only some
/// characters of some fields.
struct SafeFields;

impl<'writer> FormatFields<'writer> for SafeFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = SafeVisitor {
            writer,
            result: Ok(()),
            first: true,
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct SafeVisitor<'writer> {
    writer: Writer<'writer>,
    result: fmt::Result,
    first: bool,
}

impl SafeVisitor<'_> {
    fn field(&mut self, field: &Field, value: &str) {
        let separator = if std::mem::take(&mut self.first) {
            ""
        } else {
            " "
        };
        let value = terminal_safe(value);
        self.result = self.result.and_then(|()| match field.name() {
            "message" => write!(self.writer, "{separator}{value}"),
            name => write!(self.writer, "{separator}{name}={value}"),
        });
    }
}

impl Visit for SafeVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.field(field, value);
        } else {
            self.field(field, &format!("{value:?}"));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.field(field, &format!("{value:?}"));
    }
}

/// The command line's arguments that hold a control character, which clap would echo in
/// its errors as typed. Their errors are rendered without clap's styles (see
/// [`parse_error`]), so that the only control characters in them are the arguments'.
pub fn typed_controls() -> Vec<String> {
    std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .filter(|arg| arg.chars().any(char::is_control))
        .collect()
}

/// Prints an error of the command line's parsing (or `--help`, `--version`). When
/// arguments hold control characters (`typed_controls`, the error rendered without
/// styles), each such argument, and its value after `=`, is shown escaped wherever clap
/// echoes it, and any other control character left but a line break is escaped too.
pub fn parse_error(error: clap::Error, typed_controls: &[String]) {
    if typed_controls.is_empty() {
        // A closed stream leaves nowhere to report to; the exit code still tells.
        let _ = error.print();
        return;
    }
    let mut text = error.render().ansi().to_string();
    for arg in typed_controls {
        let value = arg.split_once('=').map(|(_, value)| value);
        for typed in std::iter::once(arg.as_str()).chain(value) {
            if typed.chars().any(char::is_control) {
                text = text.replace(typed, &terminal_safe(typed));
            }
        }
    }
    let safe = shown(&text, Layout::Own);
    let _ = if error.use_stderr() {
        std::io::stderr().write_all(safe.as_bytes())
    } else {
        std::io::stdout().write_all(safe.as_bytes())
    };
}

/// The `wait` status line for a batch: status and result counts.
pub fn wait_status(batch: &Batch) -> String {
    let results = batch.results.as_deref();
    let failed = results.map_or(0, |results| {
        results.iter().filter(|r| r.error_message.is_some()).count()
    });
    batch_status_line(&batch.status, results.map(<[_]>::len), failed)
}

/// A batch's live line: its status, and how many files have a result (`mapped`, when
/// known) and an error.
pub fn batch_status_line(status: &BatchStatus, mapped: Option<usize>, failed: usize) -> String {
    // A status this version does not know is shown as the server sent it.
    let mut text = terminal_safe(status.as_str()).into_owned();
    if let Some(mapped) = mapped {
        text.push_str(&format!(" · {mapped} files"));
        if failed > 0 {
            text.push_str(&format!(" ({failed} failed)"));
        }
    }
    if *status == BatchStatus::Throttled {
        text.push_str(" · waiting for a free slot");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_s_line_breaks_stay_and_outside_text_keeps_none() {
        let text = "2 paths cannot be uploaded:\n  a\rb.pdf\n  \x1b]0;x\x07.pdf";
        assert_eq!(
            shown(text, Layout::Own),
            "2 paths cannot be uploaded:\n  a\\rb.pdf\n  \\x1b]0;x\\x07.pdf"
        );
        assert_eq!(
            shown(text, Layout::Outside),
            "2 paths cannot be uploaded:\\n  a\\rb.pdf\\n  \\x1b]0;x\\x07.pdf"
        );
        let usage = Failure::usage("a\nb");
        assert_eq!(layout(&usage), Layout::Own);
        let stopped = Failure::ListingStopped {
            cause: Box::new(Failure::Unreadable("x".into())),
            starting_token: "t".into(),
            item: "batch",
        };
        assert_eq!(layout(&stopped), Layout::Outside);
    }
}
