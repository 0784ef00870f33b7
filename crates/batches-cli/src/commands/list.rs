//! `batches list`: every page, streamed, resumable to the batch.

use batches_client::{Client, Error, ListBatchesParams, Page, Pages, RawValue};

use super::Context;
use super::listing::{self, Listed, Span};
use crate::cli::ListArgs;
use crate::failure::Failure;

impl Listed for ListBatchesParams {
    const ITEMS: (&'static str, &'static str) = ("batch", "batches");

    fn page_token(&mut self) -> &mut Option<String> {
        &mut self.page_token
    }

    fn pages(&self, client: &Client) -> Pages<Box<RawValue>> {
        client.batches().raw_pages(self.clone())
    }

    async fn page(&self, client: &Client) -> Result<Page<Box<RawValue>>, Error> {
        client.batches().list_raw(self).await
    }
}

/// Lists batches.
pub async fn run(context: &mut Context, args: ListArgs) -> Result<(), Failure> {
    let span = Span {
        page_token: args.page_token,
        starting_token: args.starting_token,
        max_items: args.max_items,
        bounds: (
            args.filters.created_at_on_or_after,
            args.filters.created_at_on_or_before,
        ),
    };
    listing::print(context, args.filters.params(), span).await
}
