//! The models Python sees: [`Batch`] and the nested [`Model`]s (its `config`, `results`, …).
//!
//! A batch keeps the exact JSON text the server sent (`.raw`) and decodes it only when an
//! attribute is first read, so listing thousands of batches costs little more than the
//! listing itself. Attributes answer as the official SDK's models do: declared properties
//! that are absent read as `None`, enums (such as `status`) are plain `str`, date-times are
//! `datetime`, nested objects are models with attributes of their own, and properties the
//! schema does not declare are still readable when the server sent them.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, FixedOffset};
use pyo3::exceptions::{PyAttributeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::convert;
use crate::schema;

/// The schema's name of a batch.
const BATCH: &str = "Batch";

/// A batch, as the server sent it.
#[pyclass(module = "llamacloud_batches", frozen)]
pub struct Batch {
    raw: String,
    fields: OnceLock<Arc<Map<String, Value>>>,
}

impl Batch {
    /// A batch from its JSON text; decoded at the first attribute read.
    pub fn from_raw(raw: String) -> Batch {
        Batch {
            raw,
            fields: OnceLock::new(),
        }
    }

    /// Attribute `name`.
    fn read(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        match self.fields.get() {
            Some(fields) => attribute(py, BATCH, fields.get(name), name),
            // Nothing needed the whole batch yet: only this property is decoded (an
            // application reading `id` and `status` of every batch never decodes the rest).
            None => attribute(py, BATCH, field(&self.raw, name)?.as_ref(), name),
        }
    }

    fn fields(&self) -> PyResult<&Arc<Map<String, Value>>> {
        if let Some(fields) = self.fields.get() {
            return Ok(fields);
        }
        let fields =
            serde_json::from_str::<Map<String, Value>>(&self.raw).map_err(not_an_object)?;
        Ok(self.fields.get_or_init(|| Arc::new(fields)))
    }
}

#[pymethods]
impl Batch {
    /// The exact JSON text of the batch, as the server sent it.
    #[getter]
    fn raw(&self) -> &str {
        &self.raw
    }

    // The declared properties are getters, found directly by Python's attribute lookup;
    // `__getattr__` only runs after a lookup failed, which costs an exception each time.

    /// `bat-…`.
    #[getter]
    fn id(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.read(py, "id")
    }

    /// `PENDING`, `RUNNING`, `THROTTLED`, `COMPLETED`, `FAILED`, `CANCELLED`, or a newer one.
    #[getter]
    fn status(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.read(py, "status")
    }

    /// The project the batch belongs to.
    #[getter]
    fn project_id(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.read(py, "project_id")
    }

    /// The directory the batch runs over.
    #[getter]
    fn source_directory_id(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.read(py, "source_directory_id")
    }

    /// The job: `config.job.type` and `config.job.configuration_id`.
    #[getter]
    fn config(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.read(py, "config")
    }

    /// When it was created (`datetime`).
    #[getter]
    fn created_at(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.read(py, "created_at")
    }

    /// When it last changed (`datetime`).
    #[getter]
    fn updated_at(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.read(py, "updated_at")
    }

    /// The per-file results, with `expand=["results"]`; `None` otherwise.
    #[getter]
    fn results(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.read(py, "results")
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        self.read(py, name)
    }

    /// The batch as a `dict`: date-times as `datetime` (`mode="python"`) or as sent
    /// (`mode="json"`).
    #[pyo3(signature = (mode = "python"))]
    fn to_dict<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, BATCH, self.fields()?, mode)
    }

    fn __repr__(&self) -> PyResult<String> {
        let fields = self.fields()?;
        let text = |name: &str| fields.get(name).map(Value::to_string).unwrap_or_default();
        Ok(format!(
            "Batch(id={}, status={})",
            text("id"),
            text("status")
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.cast::<Batch>() {
            Ok(other) => Ok(self.fields()? == other.get().fields()?),
            Err(_) => Ok(false),
        }
    }
}

/// An object inside a batch (`config`, `config.job`, an item of `results`, …).
#[pyclass(module = "llamacloud_batches", frozen)]
pub struct Model {
    /// Its schema name, e.g. `JobConfig`.
    kind: String,
    fields: Arc<Map<String, Value>>,
}

impl Model {
    /// The schema's model `kind` (`ParseJobResult`, `ExtractJob`) from the JSON object text
    /// the server sent.
    pub fn from_json(kind: &str, raw: &[u8]) -> PyResult<Model> {
        let fields = serde_json::from_slice::<Map<String, Value>>(raw).map_err(|error| {
            PyValueError::new_err(format!(
                "the server sent a {kind} that is not a JSON object: {error}"
            ))
        })?;
        Ok(Model::new(kind, fields))
    }

    /// An object of schema model `kind` with these fields.
    pub fn new(kind: &str, fields: Map<String, Value>) -> Model {
        Model {
            kind: kind.to_owned(),
            fields: Arc::new(fields),
        }
    }
}

#[pymethods]
impl Model {
    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        attribute(py, &self.kind, self.fields.get(name), name)
    }

    /// The object as a `dict` (see `Batch.to_dict`).
    #[pyo3(signature = (mode = "python"))]
    fn to_dict<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, &self.kind, &self.fields, mode)
    }

    fn __repr__(&self) -> String {
        format!("{}({})", self.kind, Value::Object((*self.fields).clone()))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<Model>() {
            Ok(other) => self.kind == other.get().kind && self.fields == other.get().fields,
            Err(_) => false,
        }
    }
}

/// Attribute `name` of an object of model `kind`, whose property of that name holds
/// `value`.
fn attribute(py: Python<'_>, kind: &str, value: Option<&Value>, name: &str) -> PyResult<Py<PyAny>> {
    let property = schema::models().get(kind).and_then(|model| model.get(name));
    match (value, property) {
        (Some(value), property) => typed(py, value, property.cloned().unwrap_or_default()),
        (None, Some(_)) => Ok(py.None()),
        (None, None) => Err(PyAttributeError::new_err(format!(
            "{kind} has no attribute `{name}`"
        ))),
    }
}

/// The top-level property `name` of the JSON object `text`, decoded alone: the other
/// properties are skipped over without being decoded (the whole text is still checked).
fn field(text: &str, name: &str) -> PyResult<Option<Value>> {
    struct Find<'a>(&'a str);

    impl<'de> DeserializeSeed<'de> for Find<'_> {
        type Value = Option<Value>;

        fn deserialize<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for Find<'_> {
        type Value = Option<Value>;

        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            formatter.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if found.is_none() && key == self.0 {
                    found = Some(map.next_value()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }

    Find(name)
        .deserialize(&mut serde_json::Deserializer::from_str(text))
        .map_err(not_an_object)
}

/// The error for a listed item that is not a JSON object.
fn not_an_object(error: serde_json::Error) -> PyErr {
    PyValueError::new_err(format!(
        "the server sent a batch that is not a JSON object: {error}"
    ))
}

/// A value as its attribute reads: models for objects the schema describes, `datetime`
/// for date-times, plain Python otherwise.
fn typed(py: Python<'_>, value: &Value, property: schema::Property) -> PyResult<Py<PyAny>> {
    match value {
        Value::Object(fields) => match property.model {
            Some(kind) => Ok(Py::new(
                py,
                Model {
                    kind,
                    fields: Arc::new(fields.clone()),
                },
            )?
            .into_any()),
            None => Ok(convert::object_to_python(py, fields)?.into_any().unbind()),
        },
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|item| typed(py, item, property.clone()))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any().unbind())
        }
        Value::String(text) if property.datetime => {
            match DateTime::<FixedOffset>::parse_from_rfc3339(text) {
                Ok(at) => Ok(at.into_pyobject(py)?.into_any().unbind()),
                Err(_) => convert::to_python(py, value),
            }
        }
        _ => convert::to_python(py, value),
    }
}

/// An object as a `dict`, in `mode` `python` (models' date-times as `datetime`) or `json`.
fn to_dict<'py>(
    py: Python<'py>,
    kind: &str,
    fields: &Map<String, Value>,
    mode: &str,
) -> PyResult<Bound<'py, PyDict>> {
    match mode {
        "json" => convert::object_to_python(py, fields),
        "python" => {
            let dict = PyDict::new(py);
            let model = schema::models().get(kind);
            for (name, value) in fields {
                let property = model
                    .and_then(|model| model.get(name))
                    .cloned()
                    .unwrap_or_default();
                dict.set_item(name, plain(py, value, &property)?)?;
            }
            Ok(dict)
        }
        other => Err(PyValueError::new_err(format!(
            "mode `{other}` is not known; accepted values: python, json"
        ))),
    }
}

/// A value for `to_dict(mode="python")`: like [`typed`], with nested models as `dict`s.
fn plain(py: Python<'_>, value: &Value, property: &schema::Property) -> PyResult<Py<PyAny>> {
    match value {
        Value::Object(fields) => match &property.model {
            Some(kind) => Ok(to_dict(py, kind, fields, "python")?.into_any().unbind()),
            None => Ok(convert::object_to_python(py, fields)?.into_any().unbind()),
        },
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|item| plain(py, item, property))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyList::new(py, items)?.into_any().unbind())
        }
        _ => typed(py, value, property.clone()),
    }
}
