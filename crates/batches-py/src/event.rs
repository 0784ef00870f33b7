//! `RunEvent`: one event of a run (`batches_run::Event`) as Python reads it: `.kind`, and
//! the kind's fields as attributes, from the event's JSON form (so a kind the engine adds
//! reaches Python with no change here).

use batches_run::Event;
use pyo3::exceptions::PyAttributeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Map, Value};

use crate::convert;

/// Something that happened during `client.batches.run`, handed to its `on_event`.
#[pyclass(module = "llamacloud_batches", frozen)]
pub struct RunEvent {
    /// `file_found`, `upload_finished`, … (the engine's variant in snake case).
    kind: String,
    /// The variant's fields, as JSON.
    fields: Map<String, Value>,
}

impl RunEvent {
    /// The Python form of `event`.
    pub fn new(event: &Event) -> RunEvent {
        let mut fields = match serde_json::to_value(event) {
            Ok(Value::Object(fields)) => fields,
            // Every variant is a struct or a record: its JSON form is an object.
            other => unreachable!("an event encodes as an object, not {other:?}"),
        };
        // `shift_remove` keeps the fields in their order (the variant's declaration).
        let kind = match fields.shift_remove("kind") {
            Some(Value::String(kind)) => kind,
            other => unreachable!("an event's kind is a string, not {other:?}"),
        };
        RunEvent { kind, fields }
    }
}

#[pymethods]
impl RunEvent {
    /// The kind of event: `file_found`, `upload_finished`, `batch_created`, `run_finished`, …
    #[getter]
    fn kind(&self) -> &str {
        &self.kind
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        match self.fields.get(name) {
            Some(value) => convert::to_python(py, value),
            None => Err(PyAttributeError::new_err(format!(
                "a {} event has no field `{name}`; its fields: {}",
                self.kind,
                self.fields.keys().cloned().collect::<Vec<_>>().join(", ")
            ))),
        }
    }

    /// The event as a `dict`: `kind` and the fields, as the engine's JSON form.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("kind", &self.kind)?;
        for (name, value) in &self.fields {
            dict.set_item(name, convert::to_python(py, value)?)?;
        }
        Ok(dict)
    }

    fn __dir__(&self) -> Vec<String> {
        ["kind", "to_dict"]
            .into_iter()
            .map(str::to_owned)
            .chain(self.fields.keys().cloned())
            .collect()
    }

    fn __repr__(&self) -> String {
        let fields = self
            .fields
            .iter()
            .map(|(name, value)| format!(", {name}={value}"))
            .collect::<String>();
        format!("RunEvent(kind={:?}{fields})", self.kind)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<RunEvent>() {
            Ok(other) => self.kind == other.get().kind && self.fields == other.get().fields,
            Err(_) => false,
        }
    }
}
