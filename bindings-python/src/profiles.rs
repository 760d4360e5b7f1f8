//! `lint_for_registry`, `RegistryLint` and `registry_profile`: wrappers of
//! `ocikit_core::profiles`.

use ocikit_core::profiles::{
    Profile, RULES, RegistryLint, Rule, Source, Support, Target, lint_for_registry as core_lint,
    lint_target,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::buffer::Document;
use crate::errors::to_py_err;
use crate::finding::PyFinding;
use crate::manifest::{PyIndex, PyManifest};
use crate::repr::call_repr;
use crate::text::Text;

/// Checks a manifest or index against what is known of a registry before anything is sent:
/// the static rules `RQ001`… of the registry profiles (zero-byte blobs, media types with
/// parameters, GitLab's media-type list, manifest size, blob limits, name depth and
/// characters, `:443`, …), each finding with a fix and the sources it rests on.
///
/// `document` is the manifest or index as bytes, str or a buffer, or a `Manifest`, `Index` or
/// `Packed`, or `None` to check the target alone (before the document exists); `target` a reference (`ghcr.io/owner/app:v1`) or a registry host (`ghcr.io`);
/// `profile` a profile name (`"harbor"`, `"zot"`, `"distribution"`, `"quay"`, `"gitlab"`, …)
/// that overrides the one the host selects.
#[pyfunction]
#[pyo3(signature = (document, target, profile = None))]
pub(crate) fn lint_for_registry(
    py: Python<'_>,
    document: &Bound<'_, PyAny>,
    target: Text,
    profile: Option<Text>,
) -> PyResult<PyRegistryLint> {
    let target = Target::parse(&target).map_err(|e| to_py_err(py, &e))?;
    if document.is_none() {
        return lint_target(&target, profile.as_deref())
            .map(PyRegistryLint)
            .map_err(|e| to_py_err(py, &e));
    }
    let result = match document_of(document)? {
        Some(bytes) => core_lint(&bytes, &target, profile.as_deref()),
        None => {
            let document = Document::new(document)?;
            core_lint(document.as_slice()?, &target, profile.as_deref())
        }
    };
    result.map(PyRegistryLint).map_err(|e| to_py_err(py, &e))
}

/// The exact bytes of a `Manifest`, an `Index`, or a `Packed` (its manifest); `None` for
/// anything else (read as a document).
fn document_of(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<u8>>> {
    if let Ok(manifest) = obj.cast::<PyManifest>() {
        return Ok(Some(manifest.get().0.bytes().to_vec()));
    }
    if let Ok(index) = obj.cast::<PyIndex>() {
        return Ok(Some(index.get().0.bytes().to_vec()));
    }
    if obj.cast::<pyo3::types::PyString>().is_err() && obj.hasattr("blobs")? {
        if let Ok(manifest) = obj.getattr("manifest")?.cast::<PyManifest>() {
            return Ok(Some(manifest.get().0.bytes().to_vec()));
        }
    }
    Ok(None)
}

/// The outcome of `lint_for_registry`: the profile used, the findings, and their sources.
#[pyclass(name = "RegistryLint", module = "ocikit", frozen, eq)]
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PyRegistryLint(RegistryLint);

#[pymethods]
impl PyRegistryLint {
    /// True iff no finding is an error (the registry is not known to refuse the push).
    #[getter]
    fn ok(&self) -> bool {
        self.0.ok()
    }

    /// The name of the profile checked against (`"ghcr"`, `"generic"`, …).
    #[getter]
    fn profile(&self) -> &'static str {
        self.0.profile.name
    }

    /// The registry host checked.
    #[getter]
    fn host(&self) -> &str {
        &self.0.host
    }

    /// Everything found, by rule code; each finding's `rule` is the rule's label with its
    /// source tags, e.g. `"RQ001 zero-byte-blob [S35,S36,S30]"`.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.0.findings.iter().cloned().map(PyFinding))
    }

    /// The sources the findings cite, as dicts `tag`, `cite`, `date`.
    #[getter]
    fn sources<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for source in self.0.sources() {
            list.append(source_dict(py, source)?)?;
        }
        Ok(list)
    }

    /// The result as a dict: `ok`, `profile`, `host`, `findings` (finding dicts), `sources` —
    /// the JSON shape of `ocikit validate --registry --format json` and of the JS API.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("ok", self.0.ok())?;
        dict.set_item("profile", self.0.profile.name)?;
        dict.set_item("host", &self.0.host)?;
        let findings = PyList::empty(py);
        for finding in &self.0.findings {
            findings.append(PyFinding(finding.clone()).to_dict(py)?)?;
        }
        dict.set_item("findings", findings)?;
        dict.set_item("sources", self.sources(py)?)?;
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        call_repr(
            "RegistryLint",
            &[
                ("ok", self.0.ok().into_pyobject(py)?.to_owned().into_any()),
                ("profile", self.0.profile.name.into_pyobject(py)?.into_any()),
                ("host", self.0.host.as_str().into_pyobject(py)?.into_any()),
                ("findings", self.findings(py)?.into_any()),
            ],
        )
    }
}

fn source_dict<'py>(py: Python<'py>, source: &Source) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("tag", source.tag)?;
    dict.set_item("cite", source.cite)?;
    dict.set_item("date", source.date)?;
    Ok(dict)
}

fn support(value: Support) -> Option<bool> {
    match value {
        Support::Yes => Some(true),
        Support::No => Some(false),
        Support::Unknown => None,
    }
}

/// A registry profile as a dict: `name`, `title`, `hosts`, `referrers_api` and `oci_subject`
/// (`True`, `False`, or `None` when unknown), `manifest_max`, `blob_max`, and `facts` (each
/// `topic`, `text`, `sources` as source dicts, `as_of`, `confidence`). `name_or_host` is a
/// profile name or a registry host; a host no profile matches gets the `generic` profile.
/// `None` names the profiles instead: a list of their names.
#[pyfunction]
#[pyo3(signature = (name_or_host = None))]
pub(crate) fn registry_profile<'py>(
    py: Python<'py>,
    name_or_host: Option<Text>,
) -> PyResult<Bound<'py, PyAny>> {
    let Some(key) = name_or_host else {
        return Ok(PyList::new(py, Profile::names())?.into_any());
    };
    let profile = Profile::named(&key)
        .or_else(|| Profile::for_host(&key))
        .unwrap_or_else(Profile::generic);
    let dict = PyDict::new(py);
    dict.set_item("name", profile.name)?;
    dict.set_item("title", profile.title)?;
    dict.set_item("hosts", PyList::new(py, profile.hosts)?)?;
    dict.set_item("referrers_api", support(profile.referrers_api))?;
    dict.set_item("oci_subject", support(profile.oci_subject))?;
    dict.set_item("manifest_max", profile.manifest_max)?;
    dict.set_item("blob_max", profile.blob_max.map(|(bytes, _, _)| bytes))?;
    let facts = PyList::empty(py);
    for fact in profile.facts {
        let item = PyDict::new(py);
        item.set_item("topic", fact.topic)?;
        item.set_item("text", fact.text)?;
        let sources = PyList::empty(py);
        for source in fact.sources.iter().filter_map(|t| Source::get(t)) {
            sources.append(source_dict(py, source)?)?;
        }
        item.set_item("sources", sources)?;
        item.set_item("as_of", fact.as_of)?;
        item.set_item("confidence", fact.confidence.as_str())?;
        facts.append(item)?;
    }
    dict.set_item("facts", facts)?;
    Ok(dict.into_any())
}

/// Every registry-quirk rule as a dict: `code`, `name`, `static`, `severity` (the worst it has),
/// `trigger`, `sources` (source dicts), `confidence`.
#[pyfunction]
pub(crate) fn registry_rules(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for rule in RULES {
        list.append(rule_dict(py, rule)?)?;
    }
    Ok(list)
}

fn rule_dict<'py>(py: Python<'py>, rule: &Rule) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("code", rule.code)?;
    dict.set_item("name", rule.name)?;
    dict.set_item("static", rule.is_static)?;
    dict.set_item("severity", rule.severity.as_str())?;
    dict.set_item("trigger", rule.trigger)?;
    let sources = PyList::empty(py);
    for source in rule.sources.iter().filter_map(|t| Source::get(t)) {
        sources.append(source_dict(py, source)?)?;
    }
    dict.set_item("sources", sources)?;
    dict.set_item("confidence", rule.confidence.as_str())?;
    Ok(dict)
}

/// Registers the profile functions and class.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(lint_for_registry, m)?)?;
    m.add_function(wrap_pyfunction!(registry_profile, m)?)?;
    m.add_function(wrap_pyfunction!(registry_rules, m)?)?;
    m.add_class::<PyRegistryLint>()
}
