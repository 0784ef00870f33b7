//! The parse job operations: [`ParseJobs`], and [`ParseOutput`], the documents a parse job
//! produces. A result too large to be sent inline is fetched from its presigned URL.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use batches_types::{GetParseJobParams, JobStatus, ParseJobExpand, ParseJobResult};
use bytes::Bytes;
use http::Method;
use serde_json::value::RawValue;

use crate::error::Error;
use crate::operation::{GET_PARSE_JOB, SAVE_PARSE_RESULT};
use crate::presigned;
use crate::requests::{Requests, id_segment};
use crate::response::Response;
use crate::transport::Transport;

/// A document a parse job produces, as one file: the result names of
/// `result_content_metadata`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseOutput {
    /// The whole Markdown (`markdown_full`).
    Markdown,
    /// The whole text (`text_full`).
    Text,
    /// The structured items of every page, as JSON (`items`).
    Items,
}

impl ParseOutput {
    /// Every output.
    pub const ALL: [ParseOutput; 3] =
        [ParseOutput::Markdown, ParseOutput::Text, ParseOutput::Items];

    /// The result's name: `markdown`, `text` or `items`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ParseOutput::Markdown => "markdown",
            ParseOutput::Text => "text",
            ParseOutput::Items => "items",
        }
    }

    /// The field holding the whole document inline: `markdown_full`, `text_full`, `items`.
    pub fn inline_field(&self) -> &'static str {
        match self {
            ParseOutput::Markdown => "markdown_full",
            ParseOutput::Text => "text_full",
            ParseOutput::Items => "items",
        }
    }

    fn inline_expand(&self) -> ParseJobExpand {
        match self {
            ParseOutput::Markdown => ParseJobExpand::MarkdownFull,
            ParseOutput::Text => ParseJobExpand::TextFull,
            ParseOutput::Items => ParseJobExpand::Items,
        }
    }

    fn content_metadata_expand(&self) -> ParseJobExpand {
        match self {
            ParseOutput::Markdown => ParseJobExpand::MarkdownContentMetadata,
            ParseOutput::Text => ParseJobExpand::TextContentMetadata,
            ParseOutput::Items => ParseJobExpand::ItemsContentMetadata,
        }
    }

    /// The output whose document an `expand` value asks for, and the field the document
    /// fills when the server leaves it out inline: the pages of a large result are not
    /// served, so `markdown` and `text` are given as their whole document.
    fn asked_by(expand: &ParseJobExpand) -> Option<ParseOutput> {
        match expand {
            ParseJobExpand::Markdown | ParseJobExpand::MarkdownFull => Some(ParseOutput::Markdown),
            ParseJobExpand::Text | ParseJobExpand::TextFull => Some(ParseOutput::Text),
            ParseJobExpand::Items => Some(ParseOutput::Items),
            _ => None,
        }
    }
}

impl std::fmt::Display for ParseOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What [`ParseJobs::save`] wrote.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SavedResult {
    /// The job as the server sent it, with what `expand` asked for.
    pub job: Response<ParseJobResult>,
    /// Bytes written to the file.
    pub bytes: u64,
    /// Whether the document came from its presigned URL (it was too large to be inline).
    pub presigned: bool,
}

/// The operations on parse jobs (`/api/v2/parse`), borrowed from a
/// [`Client`](crate::Client) by [`Client::parse`](crate::Client::parse). A batch's
/// `parse_v2` results name these jobs (`pjb-…`). Clones of a client share one connection
/// pool, so exporters run many of these operations at once, a clone per task.
///
/// ```no_run
/// use batches_client::{GetParseJobParams, ParseJobExpand, ParseOutput};
///
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// let params = GetParseJobParams {
///     expand: Some(vec![ParseJobExpand::Usage]),
///     ..Default::default()
/// };
/// let saved = client
///     .parse()
///     .save("pjb-123", ParseOutput::Markdown, "invoice.pdf.md", &params)
///     .await?;
/// println!("{} bytes, {:?} credits", saved.bytes, saved.job.job.usage);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ParseJobs<'a> {
    requests: Requests<'a>,
}

impl<'a> ParseJobs<'a> {
    pub(crate) fn new(transport: &'a Arc<Transport>) -> Self {
        ParseJobs {
            requests: Requests::new(transport),
        }
    }

    fn transport(&self) -> &'a Arc<Transport> {
        self.requests.transport()
    }

    /// Gets one parse job (`GET /api/v2/parse/{job_id}`) with what `expand` asks for,
    /// exactly as the server sent it: a result too large to be inline is absent (see
    /// [`get_following`](Self::get_following)). Retried like a batch get.
    pub async fn get(
        &self,
        job_id: &str,
        params: &GetParseJobParams,
    ) -> Result<Response<ParseJobResult>, Error> {
        let segments = ["api", "v2", "parse", id_segment(job_id, "job", "pjb-…")?];
        let call = self.requests.call(
            GET_PARSE_JOB,
            Method::GET,
            &segments,
            &params.to_query_string(),
        );
        self.requests.send(call).await
    }

    /// [`get`](Self::get), with every document `expand` asks for (`markdown`,
    /// `markdown_full`, `text`, `text_full`, `items`) filled in from its presigned URL
    /// when the server left it out inline. The request also asks for the matching
    /// `*_content_metadata`, so `result_content_metadata` shows. A document fetched from
    /// its URL fills `markdown_full`, `text_full` or `items` (the pages of a large
    /// Markdown or text result are not served, only the whole document); `raw` is the
    /// server's body with those members added, every other byte as sent.
    pub async fn get_following(
        &self,
        job_id: &str,
        params: &GetParseJobParams,
    ) -> Result<Response<ParseJobResult>, Error> {
        let asked: Vec<ParseOutput> = params
            .expand
            .iter()
            .flatten()
            .filter_map(ParseOutput::asked_by)
            .collect();
        let mut params = params.clone();
        for output in &asked {
            add_expand(&mut params, output.content_metadata_expand());
        }
        let mut response = self.get(job_id, &params).await?;
        if response.job.status != JobStatus::Completed {
            return Ok(response);
        }
        let mut fetched: HashMap<ParseOutput, Bytes> = HashMap::new();
        for expand in params.expand.iter().flatten() {
            let Some(output) = ParseOutput::asked_by(expand) else {
                continue;
            };
            if fetched.contains_key(&output) || inline(&response, expand).is_some() {
                continue;
            }
            let Some(url) = presigned_url(&response, output) else {
                continue;
            };
            let document = presigned::to_memory(self.transport(), &url).await?;
            fill(&mut response, output, &document)?;
            fetched.insert(output, document);
        }
        Ok(response)
    }

    /// Writes one document of a completed job to the file at `path` (created, or
    /// truncated): the inline `markdown_full`, `text_full` or `items` when the server sends
    /// it, else the document at its presigned URL, streamed to disk chunk by chunk. `params`
    /// adds to what is asked (`usage`, `metadata` for the page count…); the job comes back
    /// in [`SavedResult::job`].
    ///
    /// Fails with [`Error::NoResult`] when the job has not COMPLETED (its status and
    /// `error_message` say why) and with [`Error::Output`] when the file cannot be written.
    pub async fn save(
        &self,
        job_id: &str,
        output: ParseOutput,
        path: impl AsRef<Path>,
        params: &GetParseJobParams,
    ) -> Result<SavedResult, Error> {
        let path = path.as_ref();
        let mut params = params.clone();
        add_expand(&mut params, output.inline_expand());
        add_expand(&mut params, output.content_metadata_expand());
        let job = self.get(job_id, &params).await?;
        let no_result = |reason: String| Error::NoResult {
            operation: SAVE_PARSE_RESULT,
            job_id: job_id.to_owned(),
            status: job.job.status.clone(),
            reason,
        };
        match &job.job.status {
            JobStatus::Completed => {}
            JobStatus::Failed => {
                return Err(no_result(format!(
                    "is FAILED: {}",
                    job.job
                        .error_message
                        .as_deref()
                        .unwrap_or("the server gave no reason")
                )));
            }
            status => {
                return Err(no_result(format!(
                    "is {status}; it has a result once it is COMPLETED"
                )));
            }
        }
        if let Some(document) = inline(&job, &output.inline_expand()) {
            tokio::fs::write(path, document.as_bytes())
                .await
                .map_err(|error| Error::Output {
                    operation: SAVE_PARSE_RESULT,
                    path: path.to_owned(),
                    message: error.to_string(),
                })?;
            let bytes = document.len() as u64;
            return Ok(SavedResult {
                job,
                bytes,
                presigned: false,
            });
        }
        let Some(url) = presigned_url(&job, output) else {
            return Err(no_result(format!(
                "is COMPLETED but the server sent neither `{}` nor a presigned URL of it",
                output.inline_field()
            )));
        };
        let bytes = presigned::to_file(self.transport(), &url, path).await?;
        Ok(SavedResult {
            job,
            bytes,
            presigned: true,
        })
    }
}

fn add_expand(params: &mut GetParseJobParams, expand: ParseJobExpand) {
    let list = params.expand.get_or_insert_with(Vec::new);
    if !list.contains(&expand) {
        list.push(expand);
    }
}

/// The inline JSON text of the member `expand` fills, when the server sent it (not null).
fn inline<'r>(
    response: &'r Response<ParseJobResult>,
    expand: &ParseJobExpand,
) -> Option<Inline<'r>> {
    let value = &response.value;
    match expand {
        ParseJobExpand::MarkdownFull => value.markdown_full.as_deref().map(Inline::Text),
        ParseJobExpand::TextFull => value.text_full.as_deref().map(Inline::Text),
        ParseJobExpand::Markdown => value.markdown.as_ref().map(|_| Inline::Present),
        ParseJobExpand::Text => value.text.as_ref().map(|_| Inline::Present),
        ParseJobExpand::Items => member(&response.raw, "items").map(Inline::Json),
        _ => None,
    }
}

/// A document the server sent inline.
enum Inline<'r> {
    /// A string member's value.
    Text(&'r str),
    /// A member's JSON text, as sent.
    Json(&'r str),
    /// The pages of a document, present (not a document of their own).
    Present,
}

impl Inline<'_> {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Inline::Text(text) | Inline::Json(text) => text.as_bytes(),
            Inline::Present => &[],
        }
    }

    fn len(&self) -> usize {
        self.as_bytes().len()
    }
}

/// The presigned URL of `output`, when the server gave one.
fn presigned_url(response: &Response<ParseJobResult>, output: ParseOutput) -> Option<String> {
    response
        .result_content_metadata
        .as_ref()?
        .get(output.as_str())?
        .presigned_url
        .clone()
}

/// The JSON text of the top-level member `key` of the object `body`, unless absent or
/// null.
fn member<'b>(body: &'b [u8], key: &str) -> Option<&'b str> {
    let members: HashMap<String, &RawValue> = serde_json::from_slice(body).ok()?;
    let text = members.get(key)?.get();
    (text != "null").then_some(text)
}

/// Puts a document fetched from its URL where the inline field would have been, in the
/// typed value and in the raw body.
fn fill(
    response: &mut Response<ParseJobResult>,
    output: ParseOutput,
    document: &[u8],
) -> Result<(), Error> {
    let invalid = |what: &str| {
        Error::InvalidRequest(format!(
            "the document at the presigned URL of `{}` is not {what}",
            output.as_str()
        ))
    };
    let json = match output {
        ParseOutput::Markdown | ParseOutput::Text => {
            let text = std::str::from_utf8(document).map_err(|_| invalid("UTF-8 text"))?;
            match output {
                ParseOutput::Markdown => response.value.markdown_full = Some(text.to_owned()),
                _ => response.value.text_full = Some(text.to_owned()),
            }
            serde_json::to_string(text).expect("a string encodes")
        }
        ParseOutput::Items => {
            response.value.items =
                Some(serde_json::from_slice(document).map_err(|_| invalid("an items object"))?);
            std::str::from_utf8(document)
                .map_err(|_| invalid("UTF-8 JSON"))?
                .trim()
                .to_owned()
        }
    };
    response.raw = Bytes::from(set_member(&response.raw, output.inline_field(), &json));
    Ok(())
}

/// `body` (a JSON object) with its member `key` set to the JSON text `value`: replaced in
/// place when the body has the member (as `null`, say), else added at the end. Every
/// other byte stays as it was.
fn set_member(body: &[u8], key: &str, value: &str) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.as_ref();
    let members: HashMap<String, &RawValue> = serde_json::from_str(text).unwrap_or_default();
    if let Some(existing) = members.get(key) {
        let start = existing.get().as_ptr() as usize - text.as_ptr() as usize;
        let end = start + existing.get().len();
        return format!("{}{value}{}", &text[..start], &text[end..]);
    }
    let close = text.rfind('}').unwrap_or(text.len());
    let before = text[..close].trim_end();
    let separator = if before.ends_with('{') { "" } else { "," };
    let key = serde_json::to_string(key).expect("a string encodes");
    format!("{before}{separator}{key}:{value}{}", &text[close..])
}

#[cfg(test)]
mod tests {
    use super::set_member;

    #[test]
    fn a_member_is_added_or_replaced_and_nothing_else_changes() {
        assert_eq!(
            set_member(br#"{"job": {"id": 1.50}}"#, "markdown_full", r##""# A""##),
            r##"{"job": {"id": 1.50},"markdown_full":"# A"}"##
        );
        assert_eq!(
            set_member(
                br#"{"job":{},"items":null, "x": 1}"#,
                "items",
                r#"{"pages":[]}"#
            ),
            r#"{"job":{},"items":{"pages":[]}, "x": 1}"#
        );
        assert_eq!(
            set_member(b"{ }", "text_full", r#""a""#),
            r#"{"text_full":"a"}"#
        );
    }
}
