//! Iterating over every batch of a listing, across pages.

use std::ffi::c_char;

use ::batches_client::{Error, Page, RawValue, blocking};

use crate::batches::list_params;
use crate::boundary::{call, catch, json_string, out_param};
use crate::client::{batches_client, client_ref};
use crate::error::{batches_error, batches_status};

/// An iterator over every batch of a listing. Pages are requested lazily, with one page
/// of lookahead fetched in the background while the caller works. Created by
/// `batches_list_iter_new`, released with `batches_list_iter_free`. Use it from one
/// thread at a time.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct batches_list_iter {
    pages: blocking::Pages<Box<RawValue>>,
    /// The rest of the current page, each item the server's exact JSON text.
    items: std::vec::IntoIter<Box<RawValue>>,
}

impl batches_list_iter {
    /// The next batch; `None` once the listing is exhausted.
    fn next_item(&mut self) -> Result<Option<Box<RawValue>>, Error> {
        loop {
            if let Some(item) = self.items.next() {
                return Ok(Some(item));
            }
            // A page may be empty and still carry a token, so keep going until the
            // pages run out rather than stopping at the first empty one.
            match self.pages.next().transpose()? {
                Some(Page { items, .. }) => self.items = items.into_iter(),
                None => return Ok(None),
            }
        }
    }
}

/// Starts iterating over every batch matching `params_json` (the parameters of
/// `batches_list`; `page_size` sets the size of each page request, `page_token` where to
/// start). Sends no request: the first page is fetched by the first
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
        let params = list_params(params_json)?;
        *out = Box::into_raw(Box::new(batches_list_iter {
            pages: client.batches().raw_pages(params),
            items: Vec::new().into_iter(),
        }));
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

#[cfg(test)]
mod tests {
    use std::ptr;

    use super::*;
    use crate::client::batches_client_free;
    use crate::error::{BATCHES_INVALID_ARGUMENT, BATCHES_OK, BATCHES_TRANSPORT_ERROR};
    use crate::test_support::{Emulator, c, client_of, create_request, message, take_string};
    use batches_server::{BackgroundServer, ServerConfig};

    fn iter_new(client: *const batches_client, params: &str) -> *mut batches_list_iter {
        let params = c(params);
        let (mut it, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe { batches_list_iter_new(client, params.as_ptr(), &mut it, &mut err) };
        assert_eq!(status, BATCHES_OK);
        it
    }

    /// Every batch the iterator yields, until it is exhausted or fails.
    fn drain(
        it: *mut batches_list_iter,
    ) -> (Vec<serde_json::Value>, Option<(batches_status, String)>) {
        let mut batches = Vec::new();
        loop {
            let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
            let status = unsafe { batches_list_iter_next(it, &mut batch, &mut err) };
            if status != BATCHES_OK {
                let text = message(err);
                unsafe { crate::error::batches_error_free(err) };
                return (batches, Some((status, text)));
            }
            if batch.is_null() {
                return (batches, None);
            }
            batches.push(serde_json::from_str(&take_string(batch)).unwrap());
        }
    }

    #[test]
    fn iterates_across_pages_and_outlives_its_client() {
        let emulator = Emulator::start(23, 200);
        let it = iter_new(emulator.client, r#"{"page_size": 5}"#);
        let (batches, error) = drain(it);
        assert!(error.is_none());
        assert_eq!(batches.len(), 23);
        let ids: std::collections::HashSet<_> = batches
            .iter()
            .map(|batch| batch["id"].to_string())
            .collect();
        assert_eq!(ids.len(), 23);
        // Exhausted stays exhausted.
        assert_eq!(drain(it).0.len(), 0);
        unsafe { batches_list_iter_free(it) };

        let server = BackgroundServer::start(ServerConfig::default()).unwrap();
        let client = client_of(&server.base_url());
        let it = iter_new(client, r#"{"page_size": 2}"#);
        drop(server);
        unsafe { batches_client_free(client) };
        // The server is gone, so the first (lazy) request fails, but the iterator itself
        // stays valid after its client was freed.
        let (batches, error) = drain(it);
        assert!(batches.is_empty());
        assert_eq!(error.unwrap().0, BATCHES_TRANSPORT_ERROR);
        assert_eq!(drain(it), (Vec::new(), None));
        unsafe { batches_list_iter_free(it) };
    }

    #[test]
    fn nothing_is_requested_before_the_first_next() {
        let emulator = Emulator::start(2, 200);
        let it = iter_new(emulator.client, "{}");
        let directory = emulator.directory(1);
        // A batch created after the iterator but before its first step is listed.
        let request = c(&create_request(&directory));
        let (mut batch, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            crate::batches::batches_create(emulator.client, request.as_ptr(), &mut batch, &mut err)
        };
        assert_eq!(status, BATCHES_OK);
        take_string(batch);
        assert_eq!(drain(it).0.len(), 3);
        unsafe { batches_list_iter_free(it) };
    }

    #[test]
    fn bad_arguments_are_refused() {
        let emulator = Emulator::start(0, 200);
        let params = c(r#"{"status": "running"}"#);
        let (mut it, mut err) = (ptr::null_mut(), ptr::null_mut());
        let status =
            unsafe { batches_list_iter_new(emulator.client, params.as_ptr(), &mut it, &mut err) };
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        assert!(it.is_null());
        assert!(message(err).contains("`status` `running` is not a batch status"));
        unsafe { crate::error::batches_error_free(err) };

        let mut batch = ptr::null_mut();
        let status =
            unsafe { batches_list_iter_next(ptr::null_mut(), &mut batch, ptr::null_mut()) };
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        let it = iter_new(emulator.client, "{}");
        let mut err = ptr::null_mut();
        let status = unsafe { batches_list_iter_next(it, ptr::null_mut(), &mut err) };
        assert_eq!(status, BATCHES_INVALID_ARGUMENT);
        assert_eq!(message(err), "`batch_json` is NULL");
        unsafe {
            crate::error::batches_error_free(err);
            batches_list_iter_free(it);
            batches_list_iter_free(ptr::null_mut());
        }
    }
}
