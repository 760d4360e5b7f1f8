//! Text arguments: a Python `str` that must be Unicode text to reach the core.
//!
//! A `str` may hold lone surrogates (`"\udcff"`, e.g. from `bytes.decode(errors="surrogateescape")`),
//! which are not Unicode scalar values and cannot become UTF-8. pyo3's own `&str` / `String`
//! extraction raises a bare `UnicodeEncodeError` for them; every text parameter of this module
//! takes a [`Text`] (or goes through [`str_of`]) instead, so such a value raises ocikit's
//! `ValidationError` with the code `TEXT_INVALID`, like every other bad input.

use std::collections::BTreeMap;
use std::ops::Deref;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyString, PyType};

static VALIDATION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A text argument: extracted like `str`, refusing lone surrogates with `TEXT_INVALID`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Text(pub(crate) String);

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.0
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Text {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let text = obj.cast::<PyString>()?;
        Ok(Self(str_of(&text)?.to_owned()))
    }
}

/// The UTF-8 of `text`, or `ValidationError` (`TEXT_INVALID`) when it holds a lone surrogate.
pub(crate) fn str_of<'a>(text: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    text.to_str().map_err(|_| text_invalid(text))
}

/// `ValidationError(code="TEXT_INVALID")` for a `str` that is not Unicode text, its details
/// naming the first lone surrogate (`"\\udcff"`), its index and the value with surrogates
/// escaped. (pyo3 adds a note naming the argument: "while processing 'name'".)
fn text_invalid(text: &Bound<'_, PyString>) -> PyErr {
    build(text).unwrap_or_else(|failure| failure)
}

fn build(text: &Bound<'_, PyString>) -> PyResult<PyErr> {
    let py = text.py();
    let ord = py.import("builtins")?.getattr("ord")?;
    let mut index = 0usize;
    let mut surrogate = 0u32;
    for (at, ch) in text.try_iter()?.enumerate() {
        let point: u32 = ord.call1((ch?,))?.extract()?;
        if (0xD800..=0xDFFF).contains(&point) {
            index = at;
            surrogate = point;
            break;
        }
    }
    // The value as UTF-8 with each surrogate written `\udcff`: printable, and JSON-safe.
    let escaped = text.call_method1("encode", ("utf-8", "backslashreplace"))?;
    let value = String::from_utf8_lossy(escaped.cast::<PyBytes>()?.as_bytes()).into_owned();
    let surrogate = format!("\\u{surrogate:04x}");
    let details = PyDict::new(py);
    details.set_item("value", &value)?;
    details.set_item("reason", "a lone surrogate is not Unicode text")?;
    details.set_item("surrogate", &surrogate)?;
    details.set_item("index", index)?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", "TEXT_INVALID")?;
    kwargs.set_item("details", details)?;
    let message = format!(
        "text is not valid Unicode: lone surrogate {surrogate} at index {index} of \"{value}\""
    );
    let class = VALIDATION_ERROR.import(py, "ocikit.errors", "ValidationError")?;
    Ok(PyErr::from_value(class.call((message,), Some(&kwargs))?))
}

/// A `{str: str}` argument (annotations) whose keys and values are [`Text`].
#[derive(Debug, Clone, Default)]
pub(crate) struct TextMap(pub(crate) BTreeMap<String, String>);

impl<'a, 'py> FromPyObject<'a, 'py> for TextMap {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let map: BTreeMap<Text, Text> = obj.extract()?;
        Ok(Self(map.into_iter().map(|(k, v)| (k.0, v.0)).collect()))
    }
}

/// The strings of a list of [`Text`] arguments.
pub(crate) fn into_strings(texts: Vec<Text>) -> Vec<String> {
    texts.into_iter().map(String::from).collect()
}
