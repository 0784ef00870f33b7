//! Presigned URLs: a GET that carries no credential of the client's (no API key, no custom
//! header), through the same connection pool, proxy and TLS settings as the API calls, its
//! body kept in memory or streamed to a file.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use url::Url;

use crate::error::Error;
use crate::operation::DOWNLOAD_RESULT;
use crate::sink::Target;
use crate::transport::{Call, Transport};

/// `text` as an absolute `http(s)` URL.
fn presigned_url(text: &str) -> Result<Url, Error> {
    let url = Url::parse(text.trim()).map_err(|error| {
        Error::InvalidRequest(format!(
            "the presigned URL is not a URL ({error}); expected an absolute http(s) URL"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidRequest(format!(
            "a presigned URL must be http or https, not `{}`",
            url.scheme()
        )));
    }
    Ok(url)
}

/// Streams the document at `url` into the file at `path` (created, or truncated); returns
/// its size in bytes.
pub(crate) async fn to_file(
    transport: &Arc<Transport>,
    url: &str,
    path: &Path,
) -> Result<u64, Error> {
    let call = Call::presigned(
        DOWNLOAD_RESULT,
        presigned_url(url)?,
        Target::File(path.to_owned()),
    );
    transport.execute(call).await?;
    let written = tokio::fs::metadata(path)
        .await
        .map_err(|error| Error::Output {
            operation: DOWNLOAD_RESULT,
            path: path.to_owned(),
            message: error.to_string(),
        })?;
    Ok(written.len())
}

/// The document at `url`, read whole.
pub(crate) async fn to_memory(transport: &Arc<Transport>, url: &str) -> Result<Bytes, Error> {
    let call = Call::presigned(DOWNLOAD_RESULT, presigned_url(url)?, Target::Memory);
    Ok(transport.execute(call).await?.body)
}
