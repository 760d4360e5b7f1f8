//! Graph walks ([`ocikit_core::registry::walk`]): `GraphWalk` (copy) and `ReferrerWalk`
//! (discover), classes that hold a walk's state while the host fetches.
//!
//! ```text
//! const walk = new ReferrerWalk(subject, { depth, limits });
//! for (let batch = walk.nextBatch(); batch.length > 0; batch = walk.nextBatch()) {
//!   const listed = await Promise.all(batch.map(list));   // as concurrently as the host likes
//!   batch.forEach((digest, i) => walk.provide(digest, listed[i]));
//! }
//! const tree = walk.finish();                             // [{ descriptor, referrers: [...] }]
//! ```
//!
//! Descriptors come in as JSON text (the npm entry serializes them) and go out as plain objects
//! in the core's canonical encoding; bytes as `Uint8Array`s.

use js_sys::{Array, Object, Uint8Array};
use ocikit_core::Descriptor;
use ocikit_core::registry::walk::{
    GraphWalk, GraphWalkOptions, ReferrerTree, ReferrerWalk, WalkLimits, WalkStep,
};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::manifest::exact;
use crate::{bytes_arg, get, is_absent, options_arg, parse_json, set, string_arg, type_error};

const LIMIT_OPTIONS: &[&str] = &["maxDepth", "maxNodes", "maxBytes"];

/// `{ maxDepth?, maxNodes?, maxBytes? }`: non-negative safe integers.
pub(crate) fn limits_arg(value: &JsValue) -> Result<WalkLimits, JsValue> {
    let mut limits = WalkLimits::default();
    if is_absent(value) {
        return Ok(limits);
    }
    options_arg(value, "limits", LIMIT_OPTIONS)?;
    if let Some(depth) = count(&get(value, "maxDepth")?, "limits.maxDepth")? {
        limits.max_depth = u32::try_from(depth)
            .map_err(|_| js_sys::RangeError::new("limits.maxDepth is too large"))?;
    }
    if let Some(nodes) = count(&get(value, "maxNodes")?, "limits.maxNodes")? {
        limits.max_nodes = nodes;
    }
    if let Some(bytes) = count(&get(value, "maxBytes")?, "limits.maxBytes")? {
        limits.max_bytes = bytes;
    }
    Ok(limits)
}

/// Absent, or a non-negative safe integer (`RangeError` otherwise).
fn count(value: &JsValue, name: &str) -> Result<Option<u64>, JsValue> {
    if is_absent(value) {
        return Ok(None);
    }
    let number = value
        .as_f64()
        .ok_or_else(|| type_error(&format!("{name} must be a number")))?;
    crate::size::from_number(number).map(Some).ok_or_else(|| {
        js_sys::RangeError::new(&format!("{name} must be a non-negative safe integer")).into()
    })
}

/// Descriptors given as JSON text of an array (the npm entry serializes them).
fn descriptors_arg(value: &JsValue, name: &str) -> Result<Vec<Descriptor>, JsValue> {
    let text = string_arg(value, name)?;
    let json = ocikit_core::json::parse_strict(text.as_bytes()).map_err(thrown)?;
    let items = json
        .as_array()
        .ok_or_else(|| type_error(&format!("{name} must be an array of descriptors")))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| Descriptor::from_value(item, &format!("/{i}")).map_err(thrown))
        .collect()
}

fn digest_arg(value: &JsValue, name: &str) -> Result<ocikit_core::Digest, JsValue> {
    ocikit_core::Digest::parse(&string_arg(value, name)?).map_err(thrown)
}

fn descriptor_to_js(descriptor: &Descriptor) -> Result<JsValue, JsValue> {
    exact::descriptor(descriptor, "")?;
    parse_json(&descriptor.to_json())
}

fn descriptors_to_js(descriptors: &[Descriptor]) -> Result<Array, JsValue> {
    let list = Array::new();
    for descriptor in descriptors {
        list.push(&descriptor_to_js(descriptor)?);
    }
    Ok(list)
}

/// `{ referrers?, limits? }`.
fn graph_options(options: &JsValue) -> Result<GraphWalkOptions, JsValue> {
    let mut walk_options = GraphWalkOptions::default();
    if !is_absent(options) {
        options_arg(options, "options", &["referrers", "limits"])?;
        let referrers = get(options, "referrers")?;
        if !is_absent(&referrers) {
            walk_options.referrers = referrers
                .as_bool()
                .ok_or_else(|| type_error("options.referrers must be a boolean"))?;
        }
        walk_options.limits = limits_arg(&get(options, "limits")?)?;
    }
    Ok(walk_options)
}

/// `new GraphWalk(rootsJson, { referrers?, limits? })`: the walk of a copy. `nextBatch()`
/// gives `[{ kind: "fetch" | "referrers", descriptor }]` (independent steps; empty when none
/// is left); the host answers with `provideDocument(digest, bytes)` and
/// `provideReferrers(subject, descriptorsJson)`; `finish()` gives `{ roots, blobs, manifests }`
/// with `manifests` in waves of `{ descriptor, bytes, subject }`. A failed walk throws the same
/// error on every later call.
#[wasm_bindgen(js_name = GraphWalk)]
#[derive(Debug)]
pub struct JsGraphWalk(GraphWalk);

#[wasm_bindgen(js_class = GraphWalk)]
impl JsGraphWalk {
    /// A walk from the root descriptors (JSON text of an array).
    #[wasm_bindgen(constructor)]
    pub fn new(roots: &JsValue, options: &JsValue) -> Result<JsGraphWalk, JsValue> {
        let roots = descriptors_arg(roots, "roots")?;
        Ok(Self(GraphWalk::new(roots, graph_options(options)?)))
    }

    /// A walk from a root the host has already fetched (a GET by tag): `served` is its
    /// `Content-Type`, `digest` what `bytes` must hash to; the root is provided at once.
    #[wasm_bindgen(js_name = fromFetched)]
    pub fn from_fetched(
        served: &JsValue,
        digest: &JsValue,
        bytes: &JsValue,
        options: &JsValue,
    ) -> Result<JsGraphWalk, JsValue> {
        let served = string_arg(served, "served")?;
        let digest = digest_arg(digest, "digest")?;
        let bytes = bytes_arg(bytes, "bytes")?.to_vec();
        let options = graph_options(options)?;
        Ok(Self(GraphWalk::from_fetched(
            &served, digest, bytes, options,
        )))
    }

    /// The steps to perform next.
    #[wasm_bindgen(js_name = nextBatch)]
    pub fn next_batch(&mut self) -> Result<Array, JsValue> {
        let batch = self.0.next_batch().map_err(thrown)?;
        let steps = Array::new();
        for step in &batch {
            let (kind, descriptor) = match step {
                WalkStep::Fetch(d) => ("fetch", d),
                WalkStep::Referrers(d) => ("referrers", d),
            };
            let object = Object::new();
            set(&object, "kind", &kind.into());
            set(&object, "descriptor", &descriptor_to_js(descriptor)?);
            steps.push(&object);
        }
        Ok(steps)
    }

    /// The bytes of a document a `"fetch"` step asked for.
    #[wasm_bindgen(js_name = provideDocument)]
    pub fn provide_document(&mut self, digest: &JsValue, bytes: &JsValue) -> Result<(), JsValue> {
        let digest = digest_arg(digest, "digest")?;
        let bytes = bytes_arg(bytes, "bytes")?.to_vec();
        self.0.provide_document(&digest, bytes).map_err(thrown)
    }

    /// A document a `"fetch"` step asked for that the host does not have (a partial graph):
    /// left out of the plan.
    #[wasm_bindgen(js_name = provideMissing)]
    pub fn provide_missing(&mut self, digest: &JsValue) -> Result<(), JsValue> {
        let digest = digest_arg(digest, "digest")?;
        self.0.provide_missing(&digest).map_err(thrown)
    }

    /// The referrers (JSON text of an array of descriptors) a `"referrers"` step asked for.
    #[wasm_bindgen(js_name = provideReferrers)]
    pub fn provide_referrers(
        &mut self,
        subject: &JsValue,
        referrers: &JsValue,
    ) -> Result<(), JsValue> {
        let subject = digest_arg(subject, "subject")?;
        let referrers = descriptors_arg(referrers, "referrers")?;
        self.0
            .provide_referrers(&subject, referrers)
            .map_err(thrown)
    }

    /// Whether every step was provided and none is left.
    #[wasm_bindgen(getter, js_name = isDone)]
    pub fn is_done(&self) -> bool {
        self.0.is_done()
    }

    /// The plan of a walk that is over.
    pub fn finish(&mut self) -> Result<Object, JsValue> {
        let plan = self.0.finish().map_err(thrown)?;
        let result = Object::new();
        set(&result, "roots", &descriptors_to_js(&plan.roots)?.into());
        set(&result, "blobs", &descriptors_to_js(&plan.blobs)?.into());
        let waves = Array::new();
        for wave in &plan.manifests {
            let documents = Array::new();
            for document in wave {
                let object = Object::new();
                set(
                    &object,
                    "descriptor",
                    &descriptor_to_js(&document.descriptor)?,
                );
                set(&object, "bytes", &Uint8Array::from(&document.bytes[..]));
                let subject = match &document.subject {
                    Some(subject) => descriptor_to_js(subject)?,
                    None => JsValue::NULL,
                };
                set(&object, "subject", &subject);
                documents.push(&object);
            }
            waves.push(&documents);
        }
        set(&result, "manifests", &waves);
        Ok(result)
    }
}

/// `new ReferrerWalk(subject, { depth?, limits? })`: the walk of a discover. `nextBatch()`
/// gives the digests whose referrers to list; `provide(subject, descriptorsJson)` each listing;
/// `finish()` gives `[{ descriptor, referrers: [...] }]`.
#[wasm_bindgen(js_name = ReferrerWalk)]
#[derive(Debug)]
pub struct JsReferrerWalk(ReferrerWalk);

#[wasm_bindgen(js_class = ReferrerWalk)]
impl JsReferrerWalk {
    /// A walk from `subject` (a digest).
    #[wasm_bindgen(constructor)]
    pub fn new(subject: &JsValue, options: &JsValue) -> Result<JsReferrerWalk, JsValue> {
        let subject = digest_arg(subject, "subject")?;
        let mut depth = None;
        let mut limits = WalkLimits::default();
        if !is_absent(options) {
            options_arg(options, "options", &["depth", "limits"])?;
            depth = count(&get(options, "depth")?, "options.depth")?
                .map(|d| {
                    u32::try_from(d)
                        .map_err(|_| js_sys::RangeError::new("options.depth is too large"))
                })
                .transpose()?;
            limits = limits_arg(&get(options, "limits")?)?;
        }
        Ok(Self(ReferrerWalk::new(subject, depth, limits)))
    }

    /// The digests whose referrers to list next.
    #[wasm_bindgen(js_name = nextBatch)]
    pub fn next_batch(&mut self) -> Result<Array, JsValue> {
        let batch = self.0.next_batch().map_err(thrown)?;
        Ok(batch
            .iter()
            .map(|d| JsValue::from_str(&d.to_string()))
            .collect())
    }

    /// The referrers (JSON text of an array of descriptors) of a digest `nextBatch` named.
    pub fn provide(&mut self, subject: &JsValue, referrers: &JsValue) -> Result<(), JsValue> {
        let subject = digest_arg(subject, "subject")?;
        let referrers = descriptors_arg(referrers, "referrers")?;
        self.0.provide(&subject, referrers).map_err(thrown)
    }

    /// Whether every listing was provided and none is left.
    #[wasm_bindgen(getter, js_name = isDone)]
    pub fn is_done(&self) -> bool {
        self.0.is_done()
    }

    /// The tree of a walk that is over, built from the leaves up (no recursion).
    pub fn finish(&mut self) -> Result<Array, JsValue> {
        let tree = self.0.finish().map_err(thrown)?;
        tree_to_js(tree)
    }
}

pub(crate) fn tree_to_js(tree: ReferrerTree) -> Result<Array, JsValue> {
    let mut children: Vec<Array> = (0..tree.nodes.len()).map(|_| Array::new()).collect();
    let top = Array::new();
    for (at, node) in tree.nodes.iter().enumerate().rev() {
        let below = std::mem::replace(&mut children[at], Array::new());
        below.reverse();
        let object = Object::new();
        set(&object, "descriptor", &descriptor_to_js(&node.descriptor)?);
        set(&object, "referrers", &below);
        match node.parent {
            Some(parent) => children[parent].push(&object),
            None => top.push(&object),
        };
    }
    top.reverse();
    Ok(top)
}
