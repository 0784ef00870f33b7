//! Iterating over every batch of a listing, across pages.

use std::ffi::c_char;

use ::batches_client::{Error, ListBatchesParams, RawValue, blocking};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::batches::check_list_params;
use crate::boundary::{call, catch, json_string, out_param};
use crate::client::{batches_client, client_ref};
use crate::error::{batches_error, batches_status};
use crate::input::settings;

/// An iterator over every batch of a listing. Pages are requested lazily, with one page
/// of lookahead fetched in the background while the caller works (or, with `parallel`,
/// several windows of the listing at once). Created by `batches_list_iter_new`, released
/// with `batches_list_iter_free`. Use it from one thread at a time.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct batches_list_iter {
    /// Each item the server's exact JSON text.
    items: blocking::Iter<Box<RawValue>>,
}

/// The parameters of an iteration: those of a listing, and how many requests may be in
/// flight.
#[derive(Debug, Default, Deserialize, JsonSchema)]
struct IterParams {
    #[serde(flatten)]
    listing: ListBatchesParams,
    /// Requests in flight over creation-time windows, at least 2; absent or `null`, one
    /// page at a time.
    #[serde(default)]
    parallel: Option<u32>,
}

impl batches_list_iter {
    /// The next batch; `None` once the listing is exhausted.
    fn next_item(&mut self) -> Result<Option<Box<RawValue>>, Error> {
        self.items.next().transpose()
    }
}

/// Starts iterating over every batch matching `params_json`: the parameters of
/// `batches_list` (`page_size` sets the size of each page request, `page_token` where to
/// start), and `parallel`, the number of requests in flight (2 to 64) over disjoint
/// creation-time windows, for networks where each request waits. The batches come in
/// the same order either way, newest first; with `parallel`, every batch must have a
/// `created_at`. Sends no request: the first page is fetched by the first
/// `batches_list_iter_next`.
///
/// On success `*out` receives the iterator; release it with `batches_list_iter_free`. It
/// stays usable after its client is freed.
///
/// # Safety
/// `c` is a live client; `params_json` is NULL or a NUL-terminated string; `out` points
/// to writable storage for a pointer; `err` is NULL or points to writable storage for a
/// pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_list_iter_new(
    c: *const batches_client,
    params_json: *const c_char,
    out: *mut *mut batches_list_iter,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        let client = client_ref(c)?;
        let out = out_param(out, "out")?;
        let params: IterParams = settings(params_json, "params_json")?;
        let listing = check_list_params(params.listing)?;
        let batches = client.batches();
        let items = match params.parallel {
            None => batches.raw_iter(listing),
            Some(requests @ 2..=64) => batches.raw_iter_parallel(listing, requests as usize),
            Some(requests) => {
                return Err(batches_error::invalid_argument(format!(
                    "`params_json`: `parallel` must be 2 to 64 requests in flight; got \
                     {requests} (leave it out to list one page at a time)"
                )));
            }
        };
        *out = Box::into_raw(Box::new(batches_list_iter { items }));
        Ok(())
    })
}

/// Advances the iterator. On success `*batch_json` receives the next batch, exactly as
/// the server sent it (release it with `batches_string_free`), or NULL when the listing
/// is exhausted. After an error the listing is over: later calls return `BATCHES_OK` with
/// NULL.
///
/// # Safety
/// `it` is a live iterator not used by another thread during the call; `batch_json`
/// points to writable storage for a pointer; `err` is NULL or points to writable storage
/// for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_list_iter_next(
    it: *mut batches_list_iter,
    batch_json: *mut *mut c_char,
    err: *mut *mut batches_error,
) -> batches_status {
    call(err, || {
        // SAFETY: a non-NULL iterator argument is a live iterator used by this thread
        // only, as documented.
        let it = unsafe { it.as_mut() }
            .ok_or_else(|| batches_error::invalid_argument("the iterator `it` is NULL"))?;
        let out = out_param(batch_json, "batch_json")?;
        *out = match it.next_item()? {
            Some(item) => json_string(item.get())?,
            None => std::ptr::null_mut(),
        };
        Ok(())
    })
}

/// Releases an iterator; a page being fetched in the background is abandoned. NULL is a
/// no-op.
///
/// # Safety
/// `it` is NULL or an iterator returned by `batches_list_iter_new`, freed at most once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn batches_list_iter_free(it: *mut batches_list_iter) {
    catch((), || {
        if !it.is_null() {
            // SAFETY: the caller hands back ownership of an iterator the library boxed.
            drop(unsafe { Box::from_raw(it) });
        }
    })
}
