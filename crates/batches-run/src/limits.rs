//! The API's limits a run plans around.

/// Most files one batch covers (the API's limit).
pub const MAX_BATCH_FILES: usize = 1000;

/// The largest file an upload may hold by default: 64 MiB, the emulator's limit (the API
/// publishes none; a larger file is refused with 413 after it was sent).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
