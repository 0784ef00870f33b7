//! JSON values to Python objects and back, for bodies, `to_dict` and request arguments.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// `value` as plain Python: `dict`, `list`, `str`, `int`, `float`, `bool` or `None`.
pub fn to_python(py: Python<'_>, value: &Value) -> PyResult<Py<PyAny>> {
    Ok(match value {
        Value::Null => py.None(),
        Value::Bool(flag) => PyBool::new(py, *flag).to_owned().into_any().unbind(),
        Value::Number(number) => number_to_python(py, number)?,
        Value::String(text) => PyString::new(py, text).into_any().unbind(),
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|item| to_python(py, item))
                .collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any().unbind()
        }
        Value::Object(map) => object_to_python(py, map)?.into_any().unbind(),
    })
}

/// An object as a `dict`, in the order of its keys.
pub fn object_to_python<'py>(
    py: Python<'py>,
    map: &Map<String, Value>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (key, value) in map {
        dict.set_item(key, to_python(py, value)?)?;
    }
    Ok(dict)
}

fn number_to_python(py: Python<'_>, number: &Number) -> PyResult<Py<PyAny>> {
    Ok(if let Some(integer) = number.as_i64() {
        integer.into_pyobject(py)?.into_any().unbind()
    } else if let Some(integer) = number.as_u64() {
        integer.into_pyobject(py)?.into_any().unbind()
    } else {
        PyFloat::new(py, number.as_f64().unwrap_or(f64::NAN))
            .into_any()
            .unbind()
    })
}

/// A Python value made of `dict` (string keys), `list`, `tuple`, `str`, `int`, `float`,
/// `bool` and `None` as JSON; `what` names it in the error about anything else.
pub fn from_python(object: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    if object.is_none() {
        return Ok(Value::Null);
    }
    // `bool` before `int`: in Python a bool is an int.
    if let Ok(flag) = object.cast::<PyBool>() {
        return Ok(Value::Bool(flag.is_true()));
    }
    if let Ok(integer) = object.cast::<PyInt>() {
        let integer: i64 = integer.extract().map_err(|_| {
            PyTypeError::new_err(format!("{what}: {integer} does not fit in 64 bits"))
        })?;
        return Ok(Value::from(integer));
    }
    if let Ok(float) = object.cast::<PyFloat>() {
        let float = float.value();
        return Number::from_f64(float)
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err(format!("{what}: {float} has no JSON form")));
    }
    if let Ok(text) = object.cast::<PyString>() {
        return Ok(Value::String(text.to_cow()?.into_owned()));
    }
    if let Ok(dict) = object.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            let key = key.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!("{what}: keys must be str, got {key:?}"))
            })?;
            let key = key.to_cow()?.into_owned();
            let value = from_python(&value, &format!("{what}[{key:?}]"))?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if object.is_instance_of::<PyList>() || object.is_instance_of::<PyTuple>() {
        return object
            .try_iter()?
            .enumerate()
            .map(|(index, item)| from_python(&item?, &format!("{what}[{index}]")))
            .collect::<PyResult<Vec<_>>>()
            .map(Value::Array);
    }
    Err(PyTypeError::new_err(format!(
        "{what}: {} is not JSON; accepted: dict, list, tuple, str, int, float, bool, None",
        object.get_type().name()?
    )))
}
