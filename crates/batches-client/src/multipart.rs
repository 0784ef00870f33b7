//! The multipart body of an upload, streamed from disk: [`UploadBody`].
//!
//! The body is made anew for every attempt, from the file as it is then, so a retry never
//! needs the bytes of an earlier attempt and memory stays at one chunk per upload, whatever
//! the file's size.

use std::path::PathBuf;

use bytes::BytesMut;
use reqwest::multipart::{Form, Part};
use tokio::io::AsyncReadExt;

/// Bytes read from the file at a time.
const CHUNK: usize = 64 * 1024;

/// The name of the part that carries the file.
const FILE_PART: &str = "upload_file";

/// What an upload sends: the file's path, the name it is sent under, and the text fields.
#[derive(Debug, Clone)]
pub(crate) struct UploadBody {
    /// The file to send, as the caller gave it.
    pub(crate) path: PathBuf,
    /// The file name of the part (which tells the server the file's type).
    pub(crate) file_name: String,
    /// The text fields, sent before the file so a server knows them before the bytes.
    pub(crate) fields: Vec<(&'static str, String)>,
}

impl UploadBody {
    /// A form over the file as it is now: opened here, read chunk by chunk while the
    /// request is sent. Fails with the operating system's message when the file cannot be
    /// opened or is not a regular file.
    pub(crate) fn form(&self) -> Result<Form, String> {
        let file = std::fs::File::open(&self.path).map_err(|error| error.to_string())?;
        let metadata = file.metadata().map_err(|error| error.to_string())?;
        if !metadata.is_file() {
            return Err("not a regular file".to_owned());
        }
        let length = metadata.len();
        // Exactly the length announced: a file that grows while it is sent is cut there,
        // one that shrinks ends the body early and fails the attempt, which a retry sends
        // again from the file as it then is.
        let reader = tokio::fs::File::from_std(file).take(length);
        let chunks = futures_util::stream::try_unfold(reader, |mut reader| async move {
            let mut chunk = BytesMut::with_capacity(CHUNK);
            match reader.read_buf(&mut chunk).await? {
                0 => Ok::<_, std::io::Error>(None),
                _ => Ok(Some((chunk.freeze(), reader))),
            }
        });
        let part = Part::stream_with_length(reqwest::Body::wrap_stream(chunks), length)
            .file_name(self.file_name.clone());
        let form = self.fields.iter().fold(Form::new(), |form, (name, value)| {
            form.text(*name, value.clone())
        });
        Ok(form.part(FILE_PART, part))
    }
}
