//! [`Response`]: a decoded response and the metadata of its exchange; `Exchange`, a 2xx
//! response read completely, before it is decoded.

use std::ops::Deref;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// A decoded response with the metadata of the exchange.
///
/// Dereferences to the value (`response.status` is the batch's status), beside the
/// exchange's own fields, named so as not to shadow the value's: `http_status`,
/// `request_id` and [`raw`](Self::raw), the exact body, unknown fields included, for
/// front-ends that print what the server sent.
///
/// ```no_run
/// # async fn run(client: batches_client::Client) -> Result<(), batches_client::Error> {
/// let response = client.batches().get("bat-123", &Default::default()).await?;
/// println!("{} is {} (HTTP {}, request id {:?})", response.id, response.status, response.http_status, response.request_id);
/// let batch = response.into_inner();
/// # drop(batch); Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// The decoded body.
    pub value: T,
    /// The HTTP status (2xx).
    pub http_status: u16,
    /// The `x-request-id` response header.
    pub request_id: Option<String>,
    /// The exact response body.
    pub raw: Bytes,
}

impl<T> Response<T> {
    /// The decoded body, without the metadata.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// A 2xx response, read completely.
pub(crate) struct Exchange {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) body: Bytes,
}

impl Exchange {
    /// Decodes the body as `T`, keeping the exchange's metadata.
    pub(crate) fn decode<T: DeserializeOwned>(
        self,
        operation: &'static str,
    ) -> Result<Response<T>, Error> {
        match serde_json::from_slice(&self.body) {
            Ok(value) => Ok(Response {
                value,
                http_status: self.status,
                request_id: self.request_id,
                raw: self.body,
            }),
            Err(error) => Err(Error::decode(
                operation,
                self.status,
                self.request_id,
                &error,
                &self.body,
            )),
        }
    }
}
