//! `llamacloud_batches._native`: the compiled half of the Python package
//! `llamacloud_batches` (its Python half is in `python/llamacloud_batches`).
//!
//! - `emulator::Emulator`: the emulator of `batches-server` on its own thread, for tests.
//! - `client::Client`: the client of `batches-client`; every call waits without the GIL
//!   and in short slices, so other Python threads run and Ctrl-C interrupts it
//!   (`runtime::wait`).
//! - `model::Batch`: a batch kept as the JSON text the server sent, decoded only when an
//!   attribute is read.
//! - `run`: `client.batches.run` and `client.batches.results`, the run engine of
//!   `batches-run` in this process, its events handed to Python as `event::RunEvent`s.
//! - `jobs::ParseJobs`, `jobs::ExtractJobs`: `client.parse.get` and `client.extract.get`,
//!   the jobs a batch produces, as models shaped by the schema.
//! - `webhooks::verify_webhook`: a webhook delivery's signature checked, its event
//!   returned as a model.
//!
//! Failures become the exceptions of `llamacloud_batches._exceptions` (`errors`).
#![warn(missing_docs)]

mod client;
mod convert;
mod emulator;
mod errors;
mod event;
mod jobs;
mod listing;
mod model;
mod params;
mod run;
mod runtime;
mod schema;
mod webhooks;

use pyo3::prelude::*;

/// The module: its classes, and the version of the distribution.
#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add_class::<emulator::Emulator>()?;
    module.add_class::<client::Client>()?;
    module.add_class::<client::Batches>()?;
    module.add_class::<jobs::ParseJobs>()?;
    module.add_class::<jobs::ExtractJobs>()?;
    module.add_class::<listing::BatchIterator>()?;
    module.add_class::<model::Batch>()?;
    module.add_class::<model::Model>()?;
    module.add_class::<event::RunEvent>()?;
    module.add_function(wrap_pyfunction!(webhooks::verify_webhook, module)?)?;
    Ok(())
}
