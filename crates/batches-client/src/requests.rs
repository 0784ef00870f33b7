//! What the operations of every resource share: a call to an endpoint, sending it and
//! decoding the answer, one page of a listing, and the walk over every page.

use std::sync::Arc;

use batches_types::{ListBatchesParams, ListDirectoriesParams, ListDirectoryFilesParams};
use http::Method;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::pagination::{Page, Pages};
use crate::transport::{Call, Response, Transport};

/// The query parameters of a listing: they name the page they ask for.
pub(crate) trait Listing: Clone + Send + Sync + 'static {
    /// The page asked for (`None`: the first).
    fn page_token(&self) -> Option<String>;
    /// The same filters, asking for the page `page_token` names.
    fn at_page(&self, page_token: Option<String>) -> Self;
    /// The query string.
    fn query(&self) -> String;
}

macro_rules! listing {
    ($($params:ty),*) => {$(
        impl Listing for $params {
            fn page_token(&self) -> Option<String> {
                self.page_token.clone()
            }

            fn at_page(&self, page_token: Option<String>) -> Self {
                Self { page_token, ..self.clone() }
            }

            fn query(&self) -> String {
                self.to_query_string()
            }
        }
    )*};
}
listing!(
    ListBatchesParams,
    ListDirectoriesParams,
    ListDirectoryFilesParams
);

/// The id of a resource as one path segment, refused when empty.
pub(crate) fn id_segment<'a>(id: &'a str, what: &str, example: &str) -> Result<&'a str, Error> {
    if id.trim().is_empty() {
        return Err(Error::InvalidRequest(format!(
            "the {what} id is empty; pass an id such as {example}"
        )));
    }
    Ok(id)
}

/// Makes the requests of the operations, over one transport.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Requests<'a> {
    transport: &'a Arc<Transport>,
}

impl<'a> Requests<'a> {
    pub(crate) fn new(transport: &'a Arc<Transport>) -> Self {
        Requests { transport }
    }

    /// The transport, for operations that need more than a call and its decoded answer.
    pub(crate) fn transport(&self) -> &'a Arc<Transport> {
        self.transport
    }

    /// A call to the endpoint below the base URL at `segments`, with a query string.
    pub(crate) fn call(
        &self,
        operation: &'static str,
        method: Method,
        segments: &[&str],
        query: &str,
    ) -> Call {
        Call::new(operation, method, self.transport.endpoint(segments, query))
    }

    /// Makes a call and decodes the response as `T`.
    pub(crate) async fn send<T: DeserializeOwned>(&self, call: Call) -> Result<Response<T>, Error> {
        let operation = call.operation;
        self.transport.execute(call).await?.decode(operation)
    }

    /// The page of the listing at `segments` that `params` asks for.
    pub(crate) async fn list_page<T: DeserializeOwned, P: Listing>(
        &self,
        operation: &'static str,
        segments: &[&str],
        params: &P,
    ) -> Result<Page<T>, Error> {
        let call = self.call(operation, Method::GET, segments, &params.query());
        let exchange = self.transport.execute(call).await?;
        Page::from_exchange(exchange, operation, params.page_token())
    }

    /// The walk over every page of the listing at `segments`, each page fetched with the
    /// filters of the first.
    pub(crate) fn walk<T, P>(
        &self,
        operation: &'static str,
        segments: Vec<String>,
        params: P,
    ) -> Pages<T>
    where
        T: DeserializeOwned + Send + 'static,
        P: Listing,
    {
        // The walk runs as a task of its own, so it holds the transport rather than a borrow.
        let transport = Arc::clone(self.transport);
        Pages::new(operation, params.page_token(), move |page_token| {
            let transport = Arc::clone(&transport);
            let params = params.at_page(page_token);
            let segments = segments.clone();
            async move {
                let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
                Requests::new(&transport)
                    .list_page(operation, &segments, &params)
                    .await
            }
        })
    }
}
