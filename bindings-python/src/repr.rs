//! `__repr__` of the model classes: `Name(field=repr(value), ...)`, leaving out fields that
//! hold their default, so that a repr reads like the constructor call that builds the object.

use pyo3::prelude::*;

/// `name(key=repr(value), ...)` with Python's own `repr` of each value.
pub(crate) fn call_repr(name: &str, fields: &[(&str, Bound<'_, PyAny>)]) -> PyResult<String> {
    let mut out = format!("{name}(");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(key);
        out.push('=');
        out.push_str(&value.repr()?.to_cow()?);
    }
    out.push(')');
    Ok(out)
}
