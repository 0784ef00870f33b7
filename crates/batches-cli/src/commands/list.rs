//! `batches list`: every page, streamed, resumable to the batch.

use std::borrow::Cow;
use std::io::IsTerminal;

use batches_client::{Page, RawValue};
use futures_util::StreamExt;
use serde::Deserialize;

use super::Context;
use crate::cli::ListArgs;
use crate::failure::Failure;
use crate::resume::StartingToken;

/// Why a listing ended without a failure.
enum End {
    /// The last page was printed.
    Complete,
    /// `--max-items` were printed and more remain.
    MaxItems,
}

/// Lists batches.
pub async fn run(context: &mut Context, args: ListArgs) -> Result<(), Failure> {
    let mut params = args.filters.params();
    let resumed = match &args.starting_token {
        Some(text) => {
            let token = StartingToken::decode(text)?;
            token.resume(
                &mut params,
                args.filters.created_at_on_or_after,
                args.filters.created_at_on_or_before,
            )?;
            Some(token)
        }
        None => {
            params.page_token = args.page_token.clone();
            None
        }
    };

    if context.printer.is_raw() {
        if args.max_items.is_some() || resumed.is_some() {
            return Err(Failure::usage(
                "--format raw prints one page as received; --max-items and --starting-token \
                 do not apply (use --page-size and --page-token)",
            ));
        }
        let page = context
            .interrupt
            .race(context.client.batches().list_raw(&params))
            .await??;
        return context.printer.single(&page.raw);
    }

    // Where a resumed listing picks up on its first page.
    let (already_printed, last_id) = resumed
        .as_ref()
        .map_or((0, None), |token| (token.printed, token.last_id.clone()));
    let mut position = StartingToken::new(
        &params,
        params.page_token.clone(),
        already_printed,
        last_id.clone(),
    );
    let mut pages = context.client.batches().raw_pages(params.clone());
    if let Some(max) = args.max_items {
        pages = pages.max_items(max + already_printed);
    }
    let mut progress = context
        .console
        .listing_progress(std::io::stdout().is_terminal());
    let mut printed: u64 = 0;
    let mut first_page = true;

    let outcome: Result<End, Failure> = 'pages: loop {
        let page = match context.interrupt.race(pages.next()).await {
            Err(interrupted) => break Err(interrupted),
            Ok(None) => break Ok(End::Complete),
            Ok(Some(Err(error))) => break Err(error.into()),
            Ok(Some(Ok(page))) => page,
        };
        progress.page(page.items.len());
        let start = if first_page {
            first_page = false;
            match resume_index(&page, already_printed, last_id.as_deref()) {
                Ok(start) => start,
                Err(failure) => break Err(failure),
            }
        } else {
            0
        };
        for (index, item) in page.items.iter().enumerate().skip(start) {
            if context.interrupt.is_set() {
                position = position_in(&params, &page, index);
                break 'pages Err(Failure::Interrupted);
            }
            if args.max_items.is_some_and(|max| printed >= max) {
                position = position_in(&params, &page, index);
                break 'pages Ok(End::MaxItems);
            }
            if let Err(failure) = context.printer.list_item(item.get()) {
                position = position_in(&params, &page, index);
                break 'pages Err(failure);
            }
            printed += 1;
        }
        if let Err(failure) = context.printer.end_page() {
            break Err(failure);
        }
        let Some(next) = page.next_token() else {
            break Ok(End::Complete);
        };
        position = StartingToken::new(&params, Some(next.to_owned()), 0, None);
        if args.max_items.is_some_and(|max| printed >= max) {
            break Ok(End::MaxItems);
        }
    };
    progress.finish();

    let cause = match outcome {
        Ok(end) => {
            let wrote = context.printer.end_list()?;
            if matches!(end, End::MaxItems) {
                context.console.note(&format!(
                    "stopped after {printed} {} (--max-items); to continue after the last \
                     batch printed, repeat the listing with --starting-token {}",
                    if printed == 1 { "batch" } else { "batches" },
                    position.encode()
                ));
            } else if !wrote && context.printer.is_table() {
                context.console.note("no batches found");
            }
            return Ok(());
        }
        Err(cause) => cause,
    };
    match cause {
        Failure::BrokenPipe => Err(Failure::BrokenPipe),
        // Nothing printed yet: no partial output to close.
        cause if printed == 0 && !matches!(cause, Failure::Interrupted) => {
            Err(resumable(cause, resumed.is_some(), &position))
        }
        cause => {
            // Closed on Ctrl-C too, so that stdout holds one complete document.
            context.printer.end_list()?;
            Err(resumable(
                cause,
                printed > 0 || resumed.is_some(),
                &position,
            ))
        }
    }
}

/// The failure, with the token to resume from when there is something to resume: batches
/// were printed, or the listing was itself a resumption (its token still applies).
fn resumable(cause: Failure, resumable: bool, position: &StartingToken) -> Failure {
    if !resumable {
        return cause;
    }
    Failure::ListingStopped {
        cause: Box::new(cause),
        starting_token: position.encode(),
    }
}

/// The position before item `index` of `page`.
fn position_in(
    params: &batches_client::ListBatchesParams,
    page: &Page<Box<RawValue>>,
    index: usize,
) -> StartingToken {
    let last_id = index
        .checked_sub(1)
        .and_then(|last| page.items.get(last))
        .and_then(|item| batch_id(item));
    StartingToken::new(params, page.page_token.clone(), index as u64, last_id)
}

/// Where to start on the first page of a resumed listing: right after the batch printed
/// last, found at its recorded place or, if batches were created since, further down.
fn resume_index(
    page: &Page<Box<RawValue>>,
    printed: u64,
    last_id: Option<&str>,
) -> Result<usize, Failure> {
    let Some(last_id) = last_id else {
        return Ok(usize::try_from(printed)
            .unwrap_or(usize::MAX)
            .min(page.items.len()));
    };
    let recorded = usize::try_from(printed).unwrap_or(usize::MAX);
    let at_recorded = recorded
        .checked_sub(1)
        .and_then(|last| page.items.get(last))
        .and_then(|item| batch_id(item));
    if at_recorded.as_deref() == Some(last_id) {
        return Ok(recorded);
    }
    page.items
        .iter()
        .position(|item| batch_id(item).as_deref() == Some(last_id))
        .map(|found| found + 1)
        .ok_or_else(|| Failure::Usage {
            message: format!(
                "the starting token no longer matches the listing: batch {last_id} is not on \
                 its page any more"
            ),
            hint: Some("list again without --starting-token".to_owned()),
        })
}

fn batch_id(item: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        id: Cow<'a, str>,
    }
    serde_json::from_str::<Id<'_>>(item.get())
        .ok()
        .map(|item| item.id.into_owned())
}
