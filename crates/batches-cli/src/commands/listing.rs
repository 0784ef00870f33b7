//! Printing a whole listing (batches, directories, a directory's files): every page,
//! streamed, resumable to the item with `--starting-token`.

use std::borrow::Cow;
use std::io::IsTerminal;

use batches_client::{Client, Error, Page, Pages, RawValue};
use futures_util::StreamExt;
use serde::Deserialize;

use super::Context;
use crate::failure::Failure;
use crate::values::Instant;
use batches_client::resume::Resumable;
use batches_client::resume::pages::StartingToken;

/// The query parameters of a listing the commands print.
pub trait Listed: Resumable + Clone {
    /// What is listed, singular and plural: `("batch", "batches")`.
    const ITEMS: (&'static str, &'static str);
    /// The page token asked for.
    fn page_token(&mut self) -> &mut Option<String>;
    /// Every page, items as sent.
    fn pages(&self, client: &Client) -> Pages<Box<RawValue>>;
    /// The one page asked for, items as sent.
    async fn page(&self, client: &Client) -> Result<Page<Box<RawValue>>, Error>;
}

/// Where a listing starts and how much of it is printed.
pub struct Span {
    /// `--page-token`.
    pub page_token: Option<String>,
    /// `--starting-token`.
    pub starting_token: Option<String>,
    /// `--max-items`.
    pub max_items: Option<u64>,
    /// The date bounds as typed (ages are pinned by a starting token).
    pub bounds: (Option<Instant>, Option<Instant>),
}

/// Why a listing ended without a failure.
pub enum End {
    /// The last item was printed.
    Complete,
    /// `--max-items` were printed and more remain.
    MaxItems,
}

/// Prints the listing `params` describes, from where `span` says.
pub async fn print<L: Listed>(
    context: &mut Context,
    mut params: L,
    span: Span,
) -> Result<(), Failure> {
    let (item, _) = L::ITEMS;
    let resumed = match &span.starting_token {
        Some(text) => {
            let token = StartingToken::decode(text)?;
            token.resume(&mut params, span.bounds.0, span.bounds.1)?;
            Some(token)
        }
        None => {
            *params.page_token() = span.page_token.clone();
            None
        }
    };

    if context.printer.is_raw() {
        if span.max_items.is_some() || resumed.is_some() {
            return Err(Failure::usage(
                "--format raw prints one page as received; --max-items and --starting-token \
                 do not apply (use --page-size and --page-token)",
            ));
        }
        let page = context
            .interrupt
            .race(params.page(&context.client))
            .await??;
        return context.printer.single(&page.raw);
    }

    // Where a resumed listing picks up on its first page.
    let (already_printed, last_id) = resumed
        .as_ref()
        .map_or((0, None), |token| (token.printed, token.last_id.clone()));
    let first_token = params.page_token().clone();
    let mut position = StartingToken::new(&params, first_token, already_printed, last_id.clone());
    let mut pages = params.pages(&context.client);
    if let Some(max) = span.max_items {
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
            match resume_index(&page, already_printed, last_id.as_deref(), item) {
                Ok(start) => start,
                Err(failure) => break Err(failure),
            }
        } else {
            0
        };
        for (index, entry) in page.items.iter().enumerate().skip(start) {
            if context.interrupt.is_set() {
                position = position_in(&params, &page, index);
                break 'pages Err(Failure::Interrupted);
            }
            if span.max_items.is_some_and(|max| printed >= max) {
                position = position_in(&params, &page, index);
                break 'pages Ok(End::MaxItems);
            }
            if let Err(failure) = context.printer.list_item(entry.get()) {
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
        if span.max_items.is_some_and(|max| printed >= max) {
            break Ok(End::MaxItems);
        }
    };
    progress.finish();

    // Something to resume: items were printed, or the listing was itself a resumption
    // (its token still applies).
    let position = (printed > 0 || resumed.is_some()).then(|| position.encode());
    finish(context, outcome, printed, position, L::ITEMS)
}

/// Ends a listing: closes the output, and names the starting token (`position`, when
/// there is one) that continues it after `--max-items` or a failure. `printed` items
/// were printed by this run; `item` and `items` name them.
pub fn finish(
    context: &mut Context,
    outcome: Result<End, Failure>,
    printed: u64,
    position: Option<String>,
    (item, items): (&'static str, &'static str),
) -> Result<(), Failure> {
    let cause = match outcome {
        Ok(end) => {
            let wrote = context.printer.end_list()?;
            if let (End::MaxItems, Some(position)) = (end, &position) {
                context.console.note(&format!(
                    "stopped after {printed} {} (--max-items); to continue after the last \
                     {item} printed, repeat the listing with --starting-token {position}",
                    if printed == 1 { item } else { items },
                ));
            } else if !wrote && context.printer.is_table() {
                context.console.note(&format!("no {items} found"));
            }
            return Ok(());
        }
        Err(cause) => cause,
    };
    let stopped = |cause: Failure| match position {
        None => cause,
        Some(starting_token) => Failure::ListingStopped {
            cause: Box::new(cause),
            starting_token,
            item,
        },
    };
    match cause {
        Failure::BrokenPipe => Err(Failure::BrokenPipe),
        // Nothing printed yet: no partial output to close.
        cause if printed == 0 && !matches!(cause, Failure::Interrupted) => Err(stopped(cause)),
        cause => {
            // Closed on Ctrl-C too, so that stdout holds one complete document.
            context.printer.end_list()?;
            Err(stopped(cause))
        }
    }
}

/// The position before item `index` of `page`.
fn position_in(params: &impl Resumable, page: &Page<Box<RawValue>>, index: usize) -> StartingToken {
    let last_id = index
        .checked_sub(1)
        .and_then(|last| page.items.get(last))
        .and_then(|entry| item_id(entry));
    StartingToken::new(params, page.page_token.clone(), index as u64, last_id)
}

/// Where to start on the first page of a resumed listing: right after the item printed
/// last, found at its recorded place or, if items were created since, further down.
fn resume_index(
    page: &Page<Box<RawValue>>,
    printed: u64,
    last_id: Option<&str>,
    item: &str,
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
        .and_then(|entry| item_id(entry));
    if at_recorded.as_deref() == Some(last_id) {
        return Ok(recorded);
    }
    page.items
        .iter()
        .position(|entry| item_id(entry).as_deref() == Some(last_id))
        .map(|found| found + 1)
        .ok_or_else(|| Failure::Usage {
            message: format!(
                "the starting token no longer matches the listing: {item} {last_id} is not on \
                 its page any more"
            ),
            hint: Some("list again without --starting-token".to_owned()),
        })
}

/// The `id` of a listed item.
fn item_id(entry: &RawValue) -> Option<String> {
    #[derive(Deserialize)]
    struct Id<'a> {
        #[serde(borrow)]
        id: Cow<'a, str>,
    }
    serde_json::from_str::<Id<'_>>(entry.get())
        .ok()
        .map(|entry| entry.id.into_owned())
}
