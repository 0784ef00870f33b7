//! `BatchIterator`: the iterator `client.batches.list(...)` returns.
//!
//! It walks the raw pages of `batches-client` (every filter repeated on every page, past
//! empty pages that carry a token, one page fetched ahead) and hands out each item as a
//! [`Batch`] over its JSON text.

use std::sync::Mutex;

use batches_client::{ListBatchesParams, Pages, RawValue};
use futures_util::StreamExt;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::errors;
use crate::model::Batch;
use crate::runtime::{runtime, wait};

/// An iterator over the batches of a listing.
#[pyclass(module = "llamacloud_batches", frozen)]
pub struct BatchIterator {
    state: Mutex<Listing>,
}

/// Where the listing is.
struct Listing {
    /// The pages still to come; `None` once the listing ended.
    pages: Option<Pages<Box<RawValue>>>,
    /// The items of the current page not yet handed out.
    items: std::vec::IntoIter<Box<RawValue>>,
    /// How many more batches may be handed out (`max_items`).
    remaining: Option<u64>,
}

impl BatchIterator {
    /// The listing of `params`, at most `max_items` batches.
    pub fn new(
        client: &batches_client::Client,
        params: ListBatchesParams,
        max_items: Option<u64>,
    ) -> Self {
        // The walk's task is spawned on the first poll, which must be inside the runtime.
        let _entered = runtime().enter();
        let mut pages = client.batches().raw_pages(params);
        if let Some(max) = max_items {
            pages = pages.max_items(max);
        }
        BatchIterator {
            state: Mutex::new(Listing {
                pages: Some(pages),
                items: Vec::new().into_iter(),
                remaining: max_items,
            }),
        }
    }
}

#[pymethods]
impl BatchIterator {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Batch>> {
        // Waiting for a page gives up the GIL, so a second thread blocking here on the lock
        // while holding the GIL would stall the first: refuse it instead.
        let mut listing = self
            .state
            .try_lock()
            .map_err(|_| PyRuntimeError::new_err("this listing is being read by another thread"))?;
        let listing = &mut *listing;
        loop {
            if listing.remaining == Some(0) {
                listing.pages = None;
                return Ok(None);
            }
            if let Some(item) = listing.items.next() {
                if let Some(remaining) = &mut listing.remaining {
                    *remaining -= 1;
                }
                return Ok(Some(Batch::from_raw(String::from(item.get()))));
            }
            let Some(pages) = listing.pages.as_mut() else {
                return Ok(None);
            };
            match wait(py, pages.next())? {
                Some(Ok(page)) => listing.items = page.items.into_iter(),
                Some(Err(error)) => {
                    listing.pages = None;
                    return Err(errors::to_py(py, error));
                }
                None => listing.pages = None,
            }
        }
    }
}
