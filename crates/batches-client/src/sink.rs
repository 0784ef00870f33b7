//! Where the body of a presigned URL goes: kept in memory, or streamed to a file chunk by
//! chunk, so a download's memory does not grow with its size.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncWriteExt;

/// The destination of a presigned URL's body.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// Read whole into memory, as any response body.
    Memory,
    /// Written to this file (created, or truncated by each attempt).
    File(PathBuf),
}

/// Why a body could not be written to its file.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Reading the body failed (the connection was cut, say).
    Read(reqwest::Error),
    /// No chunk arrived within the idle limit.
    Idle,
    /// The file could not be created or written (no space left, say).
    Write(std::io::Error),
}

/// Writes the body of `response` to `path`, waiting at most `idle` for each chunk. Returns
/// an empty body: what was written is in the file.
pub(crate) async fn to_file(
    mut response: reqwest::Response,
    path: &Path,
    idle: Option<Duration>,
) -> Result<Bytes, Failure> {
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(Failure::Write)?;
    loop {
        let chunk = match idle {
            Some(idle) => tokio::time::timeout(idle, response.chunk())
                .await
                .map_err(|_| Failure::Idle)?,
            None => response.chunk().await,
        };
        match chunk.map_err(Failure::Read)? {
            Some(chunk) => file.write_all(&chunk).await.map_err(Failure::Write)?,
            None => break,
        }
    }
    file.flush().await.map_err(Failure::Write)?;
    Ok(Bytes::new())
}
