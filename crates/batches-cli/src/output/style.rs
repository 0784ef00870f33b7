//! ANSI colours, used only on a terminal and never with `--no-color` or `NO_COLOR`.

use batches_client::BatchStatus;

/// Red.
pub const RED: &str = "31";
/// Green.
pub const GREEN: &str = "32";
/// Yellow.
pub const YELLOW: &str = "33";
/// Blue.
pub const BLUE: &str = "34";
/// Magenta.
pub const MAGENTA: &str = "35";
/// Cyan.
pub const CYAN: &str = "36";
/// Bold.
pub const BOLD: &str = "1";
/// Dim.
pub const DIM: &str = "2";

/// `text` in the colour `code` when `enabled`.
pub fn paint(text: &str, code: &str, enabled: bool) -> String {
    if enabled {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// The colour of a status: green done, red failed, magenta cancelled, cyan running, yellow
/// waiting; none for a status this version does not know.
pub fn status_color(status: &BatchStatus) -> Option<&'static str> {
    match status {
        BatchStatus::Completed => Some(GREEN),
        BatchStatus::Failed => Some(RED),
        BatchStatus::Cancelled => Some(MAGENTA),
        BatchStatus::Running => Some(CYAN),
        BatchStatus::Pending => Some(BLUE),
        BatchStatus::Throttled => Some(YELLOW),
        _ => None,
    }
}
