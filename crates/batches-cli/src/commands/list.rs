//! `batches list`: every page, streamed, resumable to the batch, sequential or with
//! `--parallel` requests over creation-time windows (the same output either way).

use std::io::IsTerminal;

use batches_client::{Chunks, ListBatchesParams, RawValue};
use futures_util::StreamExt;

use super::Context;
use super::listing::{self, End};
use crate::cli::ListArgs;
use crate::console::ListingProgress;
use crate::failure::Failure;
use batches_client::resume::batches::{StartingToken, Tie};

/// Lists batches.
pub async fn run(context: &mut Context, args: ListArgs) -> Result<(), Failure> {
    let mut params = args.filters.params();
    let resumed = args
        .starting_token
        .as_deref()
        .map(StartingToken::decode)
        .transpose()?;
    let query = match &resumed {
        Some(token) => token.resume(
            &mut params,
            args.filters.created_at_on_or_after,
            args.filters.created_at_on_or_before,
        )?,
        None => ListBatchesParams {
            page_token: args.page_token.clone(),
            ..params.clone()
        },
    };

    if context.printer.is_raw() {
        if args.max_items.is_some() || resumed.is_some() || args.parallel.is_some() {
            return Err(Failure::usage(
                "--format raw prints one page as received; --max-items, --starting-token and \
                 --parallel do not apply (use --page-size and --page-token)",
            ));
        }
        let page = context
            .interrupt
            .race(context.client.batches().list_raw(&query))
            .await??;
        return context.printer.single(&page.raw);
    }

    // The batches printed already that the resumed listing starts with.
    let skip = resumed.as_ref().map_or(0, |token| token.tie().count);
    let batches = context.client.batches();
    let mut stream = match args.parallel {
        Some(requests) => batches.raw_stream_parallel(query, usize::from(requests)),
        None => batches.raw_stream(query),
    };
    if let Some(max) = args.max_items {
        // One more than is printed tells whether any remain.
        stream = stream.max_items(skip + max + 1);
    }
    let mut listing = Listing {
        chunks: stream.chunks(),
        resumed_tie: resumed.as_ref().map(|token| token.tie().clone()),
        passed: 0,
        printed: 0,
        tie: None,
    };
    let mut progress = context
        .console
        .listing_progress(std::io::stdout().is_terminal());
    let outcome = listing.print(context, &args, &mut progress).await;
    progress.finish();
    let printed = listing.printed;
    // Where to resume: after the last batch passed, or where the resumed listing started.
    let position = match (&listing.tie, &resumed) {
        (Some(tie), _) => Some(StartingToken::new(&params, tie.clone())),
        (None, resumed) => resumed.clone(),
    };

    listing::finish(
        context,
        outcome,
        printed,
        position.map(|position| position.encode()),
        ("batch", "batches"),
    )
}

/// A listing being printed: where it is.
struct Listing {
    chunks: Chunks<Box<RawValue>>,
    /// The batches the resumed listing starts with, printed by the listing that printed
    /// the starting token: passed over, each checked.
    resumed_tie: Option<Tie>,
    /// Batches passed: printed now, or passed over.
    passed: u64,
    /// Batches printed now.
    printed: u64,
    /// The last batches passed that share one creation time: the position after them.
    tie: Option<Tie>,
}

impl Listing {
    /// Prints every batch until the end, `--max-items`, a failure or Ctrl-C.
    async fn print(
        &mut self,
        context: &mut Context,
        args: &ListArgs,
        progress: &mut ListingProgress,
    ) -> Result<End, Failure> {
        loop {
            let chunk = match context.interrupt.race(self.chunks.next()).await? {
                None => return Ok(End::Complete),
                Some(chunk) => chunk?,
            };
            progress.page(chunk.len());
            for (index, item) in chunk.iter().enumerate() {
                if let Some(resumed) = self
                    .resumed_tie
                    .as_ref()
                    .filter(|tie| self.passed < tie.count)
                {
                    resumed.check(self.passed, item)?;
                    self.passed += 1;
                    continue;
                }
                let stop = if context.interrupt.is_set() {
                    Err(Failure::Interrupted)
                } else if args.max_items.is_some_and(|max| self.printed >= max) {
                    Ok(End::MaxItems)
                } else {
                    match context.printer.list_item(item.get()) {
                        Ok(()) => {
                            self.printed += 1;
                            self.passed += 1;
                            continue;
                        }
                        Err(failure) => Err(failure),
                    }
                };
                self.pass(&chunk[..index]);
                return stop;
            }
            self.pass(&chunk);
            context.printer.end_page()?;
        }
    }

    /// Moves the position past `items`, the batches of the current chunk passed.
    fn pass(&mut self, items: &[Box<RawValue>]) {
        self.tie = Tie::after(items, self.tie.as_ref());
    }
}
