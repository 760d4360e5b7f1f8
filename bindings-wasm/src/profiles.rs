//! `lintForRegistry`, `registryProfile` and `registryRules`: the core's registry profiles as
//! plain objects.

use js_sys::{Array, Object, Uint8Array};
use ocikit_core::profiles::{
    Profile, RULES, RegistryLint, Source, Support, Target, lint_for_registry as core_lint,
    lint_target,
};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::media_type::finding_to_js;
use crate::set;

/// `lintForRegistry(document, target, profile?)` → `{ ok, profile, host, findings, sources }`.
/// `document` is the manifest or index as text or a `Uint8Array` (the npm entry takes a packed
/// artifact's `manifest` bytes), or `null` to check the target alone; `target` a reference or a registry host; `profile` a profile
/// name that overrides the one the host selects.
#[wasm_bindgen(js_name = lintForRegistry)]
pub fn lint_for_registry(
    document: &JsValue,
    target: &JsValue,
    profile: &JsValue,
) -> Result<Object, JsValue> {
    let target = Target::parse(&crate::string_arg(target, "target")?).map_err(thrown)?;
    let profile = crate::optional_string_arg(profile, "profile")?;
    let lint = if crate::is_absent(document) {
        lint_target(&target, profile.as_deref())
    } else if let Some(text) = document.as_string() {
        core_lint(text.as_bytes(), &target, profile.as_deref())
    } else if let Some(bytes) = document.dyn_ref::<Uint8Array>() {
        core_lint(&bytes.to_vec(), &target, profile.as_deref())
    } else {
        return Err(crate::type_error(
            "document must be a string or a Uint8Array",
        ));
    };
    Ok(lint_to_js(&lint.map_err(thrown)?))
}

fn lint_to_js(lint: &RegistryLint) -> Object {
    let object = Object::new();
    set(&object, "ok", &lint.ok().into());
    set(&object, "profile", &lint.profile.name.into());
    set(&object, "host", &lint.host.as_str().into());
    let findings: Array = lint.findings.iter().map(finding_to_js).collect();
    set(&object, "findings", &findings);
    let sources: Array = lint.sources().into_iter().map(source_to_js).collect();
    set(&object, "sources", &sources);
    object
}

fn source_to_js(source: &Source) -> JsValue {
    let object = Object::new();
    set(&object, "tag", &source.tag.into());
    set(&object, "cite", &source.cite.into());
    set(&object, "date", &source.date.into());
    object.into()
}

fn sources_of(tags: &[&str]) -> Array {
    tags.iter()
        .filter_map(|t| Source::get(t))
        .map(source_to_js)
        .collect()
}

fn support(value: Support) -> JsValue {
    match value {
        Support::Yes => JsValue::TRUE,
        Support::No => JsValue::FALSE,
        Support::Unknown => JsValue::NULL,
    }
}

fn number_or_null(value: Option<u64>) -> JsValue {
    value
        .and_then(crate::size::to_number)
        .map_or(JsValue::NULL, JsValue::from_f64)
}

/// `registryProfile(nameOrHost?)`: a profile as `{ name, title, hosts, referrersApi,
/// ociSubject, manifestMax, blobMax, facts }` (each fact `{ topic, text, sources, asOf,
/// confidence }`), by profile name or registry host (an unknown host gets `generic`); without
/// an argument, the array of profile names.
#[wasm_bindgen(js_name = registryProfile)]
pub fn registry_profile(name_or_host: &JsValue) -> Result<JsValue, JsValue> {
    let Some(key) = crate::optional_string_arg(name_or_host, "nameOrHost")? else {
        let names: Array = Profile::names().map(JsValue::from_str).collect();
        return Ok(names.into());
    };
    let profile = Profile::named(&key)
        .or_else(|| Profile::for_host(&key))
        .unwrap_or_else(Profile::generic);
    let object = Object::new();
    set(&object, "name", &profile.name.into());
    set(&object, "title", &profile.title.into());
    let hosts: Array = profile.hosts.iter().map(|h| JsValue::from_str(h)).collect();
    set(&object, "hosts", &hosts);
    set(&object, "referrersApi", &support(profile.referrers_api));
    set(&object, "ociSubject", &support(profile.oci_subject));
    set(
        &object,
        "manifestMax",
        &number_or_null(profile.manifest_max),
    );
    set(
        &object,
        "blobMax",
        &number_or_null(profile.blob_max.map(|(bytes, _, _)| bytes)),
    );
    let facts: Array = profile
        .facts
        .iter()
        .map(|fact| {
            let item = Object::new();
            set(&item, "topic", &fact.topic.into());
            set(&item, "text", &fact.text.into());
            set(&item, "sources", &sources_of(fact.sources));
            set(&item, "asOf", &fact.as_of.into());
            set(&item, "confidence", &fact.confidence.as_str().into());
            JsValue::from(item)
        })
        .collect();
    set(&object, "facts", &facts);
    Ok(object.into())
}

/// `registryRules()`: every rule `RQ001`…`RQ029` as `{ code, name, static, severity, trigger,
/// sources, confidence }`.
#[wasm_bindgen(js_name = registryRules)]
pub fn registry_rules() -> Array {
    RULES
        .iter()
        .map(|rule| {
            let item = Object::new();
            set(&item, "code", &rule.code.into());
            set(&item, "name", &rule.name.into());
            set(&item, "static", &rule.is_static.into());
            set(&item, "severity", &rule.severity.as_str().into());
            set(&item, "trigger", &rule.trigger.into());
            set(&item, "sources", &sources_of(rule.sources));
            set(&item, "confidence", &rule.confidence.as_str().into());
            JsValue::from(item)
        })
        .collect()
}
