//! Whole operations ([`ocikit_core::registry::Operation`]): `Push`, `Pull`, `Discover`,
//! `Delete`, `TagsOf` and `CopyArtifact`, one class each, driven alike:
//!
//! ```text
//! const op = new Pull("127.0.0.1:5000/docs:v1", { allowGit: false });
//! for (;;) {
//!   const action = op.poll(session, Date.now());   // copy between registries: pollBetween
//!   if (action.kind === "send") start(action);       // later: op.provide(action.task, input)
//!   else if (action.kind === "wait") setTimeout(() => op.provide(action.task, { type: "resume" }), action.ms);
//!   else if (action.kind === "pending") await nextAnswer();   // some provide() happened
//!   else return action.value;                                  // "done"
//! }
//! ```
//!
//! An action is `{ kind: "send", task, request, blob }` (`blob`: the descriptor whose bytes
//! the request moves — from its source for a `{ blob: { offset, length } }` body, into its
//! sink for a `{ stream }` response body — or `null`), `{ kind: "wait", task, ms }`,
//! `{ kind: "pending" }` or `{ kind: "done", value }`. An input is what the registry
//! operations take: `{ type: "response", status, headers, body?, streamed? }`,
//! `{ type: "failure", kind, message }` or `{ type: "resume" }`. Errors are sticky; a
//! caller's misuse is `OPERATION_MISUSE`.

use js_sys::{Array, Object, Uint8Array};
use ocikit_core::registry::{
    Action, BlobOutcome, CopyArtifact, CopyOptions, CopyOutcome, Delete, DeleteOutcome, Discover,
    DiscoverOptions, DiscoverOutcome, Operation, PlannedRequest, Pull, PullOptions, PullOutcome,
    Push, PushArtifactOptions, PushOutcome, Session, Sessions, TagsOf, TagsOfOutcome, TaskId,
};
use ocikit_core::{Descriptor, Digest, Reference};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::registry::{JsRegistrySession, input_arg, request_to_js};
use crate::walk::{limits_arg, tree_to_js};
use crate::{
    bytes_arg, get, is_absent, options_arg, set, string_arg, string_array_arg, type_error,
};

fn reference_arg(value: &JsValue, name: &str) -> Result<Reference, JsValue> {
    Reference::parse(&string_arg(value, name)?).map_err(thrown)
}

fn bool_option(options: &JsValue, key: &str) -> Result<bool, JsValue> {
    let value = get(options, key)?;
    if is_absent(&value) {
        return Ok(false);
    }
    value
        .as_bool()
        .ok_or_else(|| type_error(&format!("options.{key} must be a boolean")))
}

fn string_option(options: &JsValue, key: &str) -> Result<Option<String>, JsValue> {
    let value = get(options, key)?;
    if is_absent(&value) {
        return Ok(None);
    }
    string_arg(&value, &format!("options.{key}")).map(Some)
}

fn number_option(options: &JsValue, key: &str) -> Result<Option<u64>, JsValue> {
    crate::size::optional_from_js(&get(options, key)?, &format!("options.{key}"))
}

fn tags_option(options: &JsValue) -> Result<Vec<String>, JsValue> {
    string_array_arg(&get(options, "tags")?, "options.tags")
}

/// `options`, checked against `allowed` (absent: none).
fn options(value: &JsValue, allowed: &[&str]) -> Result<JsValue, JsValue> {
    if is_absent(value) {
        return Ok(Object::new().into());
    }
    options_arg(value, "options", allowed)?;
    Ok(value.clone())
}

fn now_arg(value: f64) -> Result<u64, JsValue> {
    crate::size::from_number(value).ok_or_else(|| {
        js_sys::RangeError::new("nowMs must be a non-negative safe integer (Date.now())").into()
    })
}

fn task_arg(value: f64) -> Result<TaskId, JsValue> {
    crate::size::from_number(value)
        .map(TaskId)
        .ok_or_else(|| type_error("task must be the task number of an action"))
}

fn descriptor_js(descriptor: Descriptor) -> Result<JsValue, JsValue> {
    Ok(crate::manifest::descriptors_to_js(vec![descriptor])?.get(0))
}

fn descriptors_js(descriptors: Vec<Descriptor>) -> Result<JsValue, JsValue> {
    Ok(crate::manifest::descriptors_to_js(descriptors)?.into())
}

fn strings_js(list: &[String]) -> JsValue {
    list.iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

fn tag_js(tag: Option<(String, Option<Digest>)>) -> JsValue {
    match tag {
        None => JsValue::NULL,
        Some((tag, index)) => {
            let object = Object::new();
            set(&object, "tag", &tag.into());
            set(
                &object,
                "index",
                &index.map_or(JsValue::NULL, |d| d.to_string().into()),
            );
            object.into()
        }
    }
}

fn planned_js(planned: Vec<PlannedRequest>) -> JsValue {
    planned
        .into_iter()
        .map(|p| {
            let object = Object::new();
            set(&object, "method", &p.method.as_str().into());
            set(&object, "url", &p.url.into());
            set(&object, "note", &p.note.into());
            JsValue::from(object)
        })
        .collect::<Array>()
        .into()
}

fn blobs_js(blobs: Vec<BlobOutcome>) -> Result<JsValue, JsValue> {
    let list = Array::new();
    for blob in blobs {
        let object = Object::new();
        set(&object, "descriptor", &descriptor_js(blob.descriptor)?);
        set(&object, "status", &blob.status.as_str().into());
        list.push(&object);
    }
    Ok(list.into())
}

/// An action as a plain object. Not generic (the outcome is converted before), so that its
/// code exists once in the module rather than once per operation.
#[inline(never)]
fn action_js(action: Action<JsValue>) -> Result<Object, JsValue> {
    let object = Object::new();
    match action {
        Action::Send {
            task,
            request,
            blob,
            registry,
        } => {
            set(&object, "kind", &"send".into());
            set(&object, "registry", &registry.into());
            set(&object, "task", &crate::size::to_js(task.0)?.into());
            set(&object, "request", &request_to_js(request)?.into());
            let blob = match blob {
                Some(blob) => descriptor_js(blob)?,
                None => JsValue::NULL,
            };
            set(&object, "blob", &blob);
        }
        Action::Wait { task, ms } => {
            set(&object, "kind", &"wait".into());
            set(&object, "task", &crate::size::to_js(task.0)?.into());
            set(&object, "ms", &crate::size::to_js(ms)?.into());
        }
        Action::Pending => set(&object, "kind", &"pending".into()),
        Action::Done(value) => {
            set(&object, "kind", &"done".into());
            set(&object, "value", &value);
        }
    }
    Ok(object)
}

/// The sessions a poll borrows: `session`'s and `other`'s state moved out of them (a
/// stand-in with the registry's name holds each place until [`write_back`]). Moved, not
/// cloned: a clone shares the session's table of known blobs, which the step's first note of a
/// blob would then copy whole — one copy per blob of a push or pull, quadratic in its blobs.
#[inline(never)]
fn sessions_of(session: &mut JsRegistrySession, other: Option<&mut JsRegistrySession>) -> Sessions {
    let mut sessions = Sessions::from(take(session));
    // A second session of the same registry takes the first's place for the step, as before.
    if let Some(other) = other {
        sessions.insert(take(other));
    }
    sessions
}

fn take(session: &mut JsRegistrySession) -> Session {
    let stand_in = Session::new(session.0.registry(), true, None);
    std::mem::replace(&mut session.0, stand_in)
}

/// The sessions' state after a poll, moved back into the JS objects.
#[inline(never)]
fn write_back(
    sessions: &mut Sessions,
    session: &mut JsRegistrySession,
    other: Option<&mut JsRegistrySession>,
) {
    if let Some(updated) = sessions.get_mut(session.0.registry()) {
        std::mem::swap(&mut session.0, updated);
    }
    if let Some(other) = other {
        if other.0.registry() == session.0.registry() {
            // Both objects are of the one registry: both get its state, as before.
            other.0 = session.0.clone();
        } else if let Some(updated) = sessions.get_mut(other.0.registry()) {
            std::mem::swap(&mut other.0, updated);
        }
    }
}

/// One step of `op` with the sessions given (copies of their state, written back after).
fn poll<O: Operation>(
    op: &mut O,
    session: &mut JsRegistrySession,
    other: Option<&mut JsRegistrySession>,
    now_ms: f64,
    done: impl FnOnce(O::Output) -> Result<JsValue, JsValue>,
) -> Result<Object, JsValue> {
    let now = now_arg(now_ms)?;
    let mut other = other;
    let mut sessions = sessions_of(session, other.as_deref_mut());
    let action = op.poll(&mut sessions, now);
    write_back(&mut sessions, session, other);
    action_js(match action.map_err(thrown)? {
        Action::Send {
            task,
            request,
            blob,
            registry,
        } => Action::Send {
            task,
            request,
            blob,
            registry,
        },
        Action::Wait { task, ms } => Action::Wait { task, ms },
        Action::Pending => Action::Pending,
        Action::Done(value) => Action::Done(done(value)?),
    })
}

fn provide<O: Operation>(op: &mut O, task: f64, input: &JsValue) -> Result<(), JsValue> {
    let input = input_arg(input)?;
    op.provide(task_arg(task)?, input).map_err(thrown)
}

/// The `#[wasm_bindgen]` methods every operation class shares, alike but for the outcome's
/// conversion, as a second `impl` block of the class `$class` (JS name `$js`):
///
/// - `poll(session, nowMs)`: the next action (the module function [`poll`], one session), its
///   `"done"` value made by the function named after `poll =>`; its doc is "The next action."
///   unless a string literal after the function says otherwise;
/// - `provide(task, input)`: the answer for a task (the module function [`provide`]).
///
/// What differs stays written out at each class, where grep finds it: the struct and its doc,
/// and an `impl` block of its own with the constructor (each operation's arguments and options)
/// and any method only that operation has (`CopyArtifact.pollBetween`). Those are not passed
/// through this macro: wasm-bindgen reads a doc comment that macro_rules! passed on (a raw
/// string, `r"…"`) with its `r"` into the generated declarations.
macro_rules! operation_methods {
    ($class:ident as $js:ident, poll => $outcome:ident) => {
        operation_methods!($class as $js, poll => $outcome, "The next action.");
    };
    ($class:ident as $js:ident, poll => $outcome:ident, $poll_doc:tt) => {
        #[wasm_bindgen(js_class = $js)]
        impl $class {
            #[doc = $poll_doc]
            pub fn poll(
                &mut self,
                session: &mut JsRegistrySession,
                now_ms: f64,
            ) -> Result<Object, JsValue> {
                poll(&mut self.0, session, None, now_ms, $outcome)
            }

            /// The answer for `task`.
            pub fn provide(&mut self, task: f64, input: &JsValue) -> Result<(), JsValue> {
                provide(&mut self.0, task, input)
            }
        }
    };
}

fn push_outcome(o: PushOutcome) -> Result<JsValue, JsValue> {
    let object = Object::new();
    set(&object, "descriptor", &descriptor_js(o.descriptor)?);
    set(&object, "tags", &strings_js(&o.tags));
    set(&object, "blobs", &blobs_js(o.blobs)?);
    set(&object, "referrersTag", &tag_js(o.referrers_tag));
    set(&object, "planned", &planned_js(o.planned));
    Ok(object.into())
}

/// `new Push(reference, mediaType, manifest, { tags?, mountFrom?, chunkSize?, dryRun?, manifestOnly? })`:
/// push (attach, with a subject) the exact `manifest` bytes and their blobs; a title pull
/// would refuse (two layers with one title, …) throws `ANNOTATION_INVALID` here. Done with
/// `{ descriptor, tags, blobs: [{ descriptor, status }], referrersTag: { tag, index } | null,
/// planned: [{ method, url, note }] }`.
#[wasm_bindgen(js_name = Push)]
#[derive(Debug)]
pub struct JsPush(Push);

operation_methods!(JsPush as Push, poll => push_outcome);

#[wasm_bindgen(js_class = Push)]
impl JsPush {
    /// A push of `manifest` (a `Uint8Array`) of `mediaType` to `reference`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        reference: &JsValue,
        media_type: &JsValue,
        manifest: &JsValue,
        options_value: &JsValue,
    ) -> Result<JsPush, JsValue> {
        let reference = reference_arg(reference, "reference")?;
        let media_type = string_arg(media_type, "mediaType")?;
        let manifest = bytes_arg(manifest, "manifest")?.to_vec();
        let given = options(
            options_value,
            &["tags", "mountFrom", "chunkSize", "dryRun", "manifestOnly"],
        )?;
        let push_options = PushArtifactOptions {
            tags: tags_option(&given)?,
            mount_from: string_option(&given, "mountFrom")?,
            chunk_size: number_option(&given, "chunkSize")?,
            dry_run: bool_option(&given, "dryRun")?,
        };
        // `manifestOnly`: the PUT and the referrers-tag upkeep, no blob checked, no title rule
        // (pushManifest uploads a document as it is).
        let push = match bool_option(&given, "manifestOnly")? {
            true => Push::manifest(&reference, &media_type, manifest, push_options),
            false => Push::new(&reference, &media_type, manifest, push_options),
        }
        .map_err(thrown)?;
        Ok(JsPush(push))
    }
}

fn pull_outcome(o: PullOutcome) -> Result<JsValue, JsValue> {
    let object = Object::new();
    set(&object, "descriptor", &descriptor_js(o.descriptor)?);
    set(
        &object,
        "manifest",
        &Uint8Array::from(o.manifest.as_slice()).into(),
    );
    let files = Array::new();
    for file in o.files {
        let entry = Object::new();
        set(&entry, "descriptor", &descriptor_js(file.descriptor)?);
        set(&entry, "path", &file.path.into());
        files.push(&entry);
    }
    set(&object, "files", &files.into());
    set(&object, "downloads", &descriptors_js(o.downloads)?);
    let children = Array::new();
    for child in o.children {
        let entry = Object::new();
        set(&entry, "descriptor", &descriptor_js(child.descriptor)?);
        set(&entry, "path", &child.path.into());
        children.push(&entry);
    }
    set(&object, "children", &children.into());
    Ok(object.into())
}

/// `new Pull(reference, { allowGit? })`: the manifest, the pull plan (every title checked), one
/// download per digest into the host's sink for it. Done with `{ descriptor, manifest, files:
/// [{ descriptor, path }], downloads }`.
#[wasm_bindgen(js_name = Pull)]
#[derive(Debug)]
pub struct JsPull(Pull);

operation_methods!(JsPull as Pull, poll => pull_outcome);

#[wasm_bindgen(js_class = Pull)]
impl JsPull {
    /// A pull of `reference`.
    #[wasm_bindgen(constructor)]
    pub fn new(reference: &JsValue, options_value: &JsValue) -> Result<JsPull, JsValue> {
        let reference = reference_arg(reference, "reference")?;
        let given = options(options_value, &["allowGit"])?;
        let allow_git = bool_option(&given, "allowGit")?;
        Ok(JsPull(Pull::new(&reference, PullOptions { allow_git })))
    }
}

fn discover_outcome(o: DiscoverOutcome) -> Result<JsValue, JsValue> {
    let object = Object::new();
    set(&object, "subject", &descriptor_js(o.subject)?);
    set(&object, "referrers", &tree_to_js(o.tree)?.into());
    Ok(object.into())
}

/// `new Discover(reference, { artifactType?, depth?, limits? })`: the tree of referrers, each
/// digest once, a level at a time. Done with `{ subject, referrers: [{ descriptor, referrers }] }`.
#[wasm_bindgen(js_name = Discover)]
#[derive(Debug)]
pub struct JsDiscover(Discover);

operation_methods!(JsDiscover as Discover, poll => discover_outcome);

#[wasm_bindgen(js_class = Discover)]
impl JsDiscover {
    /// A discover of `reference`.
    #[wasm_bindgen(constructor)]
    pub fn new(reference: &JsValue, options_value: &JsValue) -> Result<JsDiscover, JsValue> {
        let reference = reference_arg(reference, "reference")?;
        let given = options(options_value, &["artifactType", "depth", "limits"])?;
        let depth = number_option(&given, "depth")?
            .map(|d| {
                u32::try_from(d).map_err(|_| js_sys::RangeError::new("options.depth is too large"))
            })
            .transpose()?;
        Ok(JsDiscover(Discover::new(
            &reference,
            DiscoverOptions {
                artifact_type: string_option(&given, "artifactType")?,
                depth,
                limits: limits_arg(&get(&given, "limits")?)?,
            },
        )))
    }
}

fn registry_report(
    report: ocikit_core::registry::whole::doctor::RegistryReport,
) -> Result<JsValue, JsValue> {
    let opt = |value: &Option<String>| value.as_deref().map_or(JsValue::NULL, JsValue::from);
    let v2 = Object::new();
    set(&v2, "auth", &JsValue::from(report.v2.auth.as_str()));
    set(&v2, "status", &JsValue::from(report.v2.status));
    set(&v2, "challenge", &opt(&report.v2.challenge));
    set(&v2, "apiVersion", &opt(&report.v2.api_version));
    set(&v2, "error", &opt(&report.v2.error));
    let referrers = Object::new();
    let supported = report
        .referrers
        .supported
        .map_or(JsValue::NULL, JsValue::from);
    set(&referrers, "supported", &supported);
    let digest = report.referrers.digest.map(|d| d.to_string());
    set(&referrers, "digest", &opt(&digest));
    let status = report.referrers.status.map_or(JsValue::NULL, JsValue::from);
    set(&referrers, "status", &status);
    set(
        &referrers,
        "contentType",
        &opt(&report.referrers.content_type),
    );
    set(&referrers, "note", &opt(&report.referrers.note));
    let tags = match report.tag_list {
        None => JsValue::NULL,
        Some(t) => {
            let tags = Object::new();
            set(&tags, "tags", &JsValue::from(t.tags as f64));
            set(&tags, "firstPage", &JsValue::from(t.first_page as f64));
            set(&tags, "link", &JsValue::from(t.link));
            let honoured = t.n_honoured.map_or(JsValue::NULL, JsValue::from);
            set(&tags, "nHonoured", &honoured);
            set(&tags, "error", &opt(&t.error));
            set(&tags, "note", &opt(&t.note));
            tags.into()
        }
    };
    let not_probed = Object::new();
    for (topic, note) in &report.not_probed {
        set(&not_probed, topic, &JsValue::from(*note));
    }
    let object = Object::new();
    set(
        &object,
        "registry",
        &JsValue::from(report.registry.as_str()),
    );
    set(&object, "profile", &JsValue::from(report.profile.name));
    set(&object, "v2", &v2.into());
    set(&object, "referrersApi", &referrers.into());
    set(&object, "tagList", &tags);
    set(&object, "notProbed", &not_probed.into());
    Ok(object.into())
}

/// `new ProbeRegistry(registry, { reference?, profile? })`: the registry doctor (reads only:
/// `/v2/` and the credentials; with `reference`, a manifest that exists there, the referrers
/// API and the tag list's pagination), the core deciding what each answer proves. Done with
/// `{ registry, profile, v2, referrersApi, tagList, notProbed }`.
#[wasm_bindgen(js_name = ProbeRegistry)]
#[derive(Debug)]
pub struct JsProbeRegistry(ocikit_core::registry::whole::doctor::ProbeRegistry);

operation_methods!(JsProbeRegistry as ProbeRegistry, poll => registry_report);

#[wasm_bindgen(js_class = ProbeRegistry)]
impl JsProbeRegistry {
    /// A probe of `registry` (`host[:port]`).
    #[wasm_bindgen(constructor)]
    pub fn new(registry: &JsValue, options_value: &JsValue) -> Result<JsProbeRegistry, JsValue> {
        let registry = string_arg(registry, "registry")?;
        let given = options(options_value, &["reference", "profile"])?;
        let reference = get(&given, "reference")?;
        let reference = match is_absent(&reference) {
            true => None,
            false => Some(reference_arg(&reference, "options.reference")?),
        };
        let profile = string_option(&given, "profile")?;
        ocikit_core::registry::whole::doctor::ProbeRegistry::new(
            &registry,
            reference.as_ref(),
            profile.as_deref(),
        )
        .map(JsProbeRegistry)
        .map_err(thrown)
    }
}

fn delete_outcome(o: DeleteOutcome) -> Result<JsValue, JsValue> {
    let object = Object::new();
    set(&object, "descriptor", &descriptor_js(o.descriptor)?);
    let subject = match o.subject {
        Some(subject) => descriptor_js(subject)?,
        None => JsValue::NULL,
    };
    set(&object, "subject", &subject);
    set(&object, "referrersTag", &tag_js(o.referrers_tag));
    Ok(object.into())
}

/// `new Delete(reference)`: delete a manifest whole (tag → digest, DELETE by digest, a referrer
/// removed from its subject's referrers tag without the referrers API). Done with
/// `{ descriptor, subject, referrersTag }`.
#[wasm_bindgen(js_name = Delete)]
#[derive(Debug)]
pub struct JsDelete(Delete);

operation_methods!(JsDelete as Delete, poll => delete_outcome);

#[wasm_bindgen(js_class = Delete)]
impl JsDelete {
    /// A delete of `reference`.
    #[wasm_bindgen(constructor)]
    pub fn new(reference: &JsValue) -> Result<JsDelete, JsValue> {
        Ok(JsDelete(Delete::new(&reference_arg(
            reference,
            "reference",
        )?)))
    }
}

fn tags_of_outcome(o: TagsOfOutcome) -> Result<JsValue, JsValue> {
    let object = Object::new();
    set(&object, "tags", &strings_js(&o.tags));
    set(
        &object,
        "unchecked",
        &crate::size::to_js(o.unchecked)?.into(),
    );
    Ok(object.into())
}

/// `new TagsOf(reference, digest, { max? })`: the tags of the repository that point at
/// `digest` (at most `max`, default 1000, resolved). Done with `{ tags, unchecked }`.
#[wasm_bindgen(js_name = TagsOf)]
#[derive(Debug)]
pub struct JsTagsOf(TagsOf);

operation_methods!(JsTagsOf as TagsOf, poll => tags_of_outcome);

#[wasm_bindgen(js_class = TagsOf)]
impl JsTagsOf {
    /// The tags of `reference`'s repository pointing at `digest`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        reference: &JsValue,
        digest: &JsValue,
        options_value: &JsValue,
    ) -> Result<JsTagsOf, JsValue> {
        let reference = reference_arg(reference, "reference")?;
        let digest = Digest::parse(&string_arg(digest, "digest")?).map_err(thrown)?;
        let given = options(options_value, &["max"])?;
        let max = number_option(&given, "max")?.unwrap_or(1000);
        Ok(JsTagsOf(TagsOf::new(&reference, &digest, max)))
    }
}

fn copy_outcome(o: CopyOutcome) -> Result<JsValue, JsValue> {
    let object = Object::new();
    set(&object, "descriptor", &descriptor_js(o.descriptor)?);
    set(&object, "tags", &strings_js(&o.tags));
    set(&object, "blobs", &blobs_js(o.blobs)?);
    set(&object, "manifests", &descriptors_js(o.manifests)?);
    let tags: Array = o
        .referrers_tags
        .into_iter()
        .map(|t| tag_js(Some(t)))
        .collect();
    set(&object, "referrersTags", &tags.into());
    set(&object, "planned", &planned_js(o.planned));
    Ok(object.into())
}

/// `new CopyArtifact(source, destination, { referrers?, limits?, tags?, chunkSize?, dryRun? })`:
/// copy `source` and what it references (with its referrers) to `destination`. Within one
/// registry `poll(session, nowMs)`; between two `pollBetween(source, destination, nowMs)`
/// (blobs go through the host's spool: a download into a blob's sink, an upload from it). Done
/// with `{ descriptor, tags, blobs, manifests, referrersTags, planned }`.
#[wasm_bindgen(js_name = CopyArtifact)]
#[derive(Debug)]
pub struct JsCopyArtifact(CopyArtifact);

operation_methods!(
    JsCopyArtifact as CopyArtifact,
    poll => copy_outcome,
    "The next action of a copy within one registry."
);

#[wasm_bindgen(js_class = CopyArtifact)]
impl JsCopyArtifact {
    /// A copy from `source` to `destination`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        source: &JsValue,
        destination: &JsValue,
        options_value: &JsValue,
    ) -> Result<JsCopyArtifact, JsValue> {
        let source = reference_arg(source, "source")?;
        let destination = reference_arg(destination, "destination")?;
        let given = options(
            options_value,
            &["referrers", "limits", "tags", "chunkSize", "dryRun"],
        )?;
        let copy_options = CopyOptions {
            referrers: bool_option(&given, "referrers")?,
            limits: limits_arg(&get(&given, "limits")?)?,
            tags: tags_option(&given)?,
            chunk_size: number_option(&given, "chunkSize")?,
            dry_run: bool_option(&given, "dryRun")?,
        };
        CopyArtifact::new(&source, &destination, copy_options)
            .map(JsCopyArtifact)
            .map_err(thrown)
    }

    /// The next action of a copy between two registries (two different sessions).
    #[wasm_bindgen(js_name = pollBetween)]
    pub fn poll_between(
        &mut self,
        source: &mut JsRegistrySession,
        destination: &mut JsRegistrySession,
        now_ms: f64,
    ) -> Result<Object, JsValue> {
        poll(&mut self.0, source, Some(destination), now_ms, copy_outcome)
    }
}

/// `planFiles(layersJson, { allowGit? })`: the pull plan's title rule (push applies it too),
/// `[{ descriptor, path }]` for the titled layers of the descriptors given as JSON text.
#[wasm_bindgen(js_name = planFiles)]
pub fn plan_files(layers: &JsValue, options_value: &JsValue) -> Result<Array, JsValue> {
    let text = string_arg(layers, "layers")?;
    let json = ocikit_core::json::parse_strict(text.as_bytes()).map_err(thrown)?;
    let items = json
        .as_array()
        .ok_or_else(|| type_error("layers must be a JSON array of descriptors"))?;
    let layers = items
        .iter()
        .enumerate()
        .map(|(i, item)| Descriptor::from_value(item, &format!("/{i}")).map_err(thrown))
        .collect::<Result<Vec<_>, _>>()?;
    let given = options(options_value, &["allowGit"])?;
    let files = ocikit_core::registry::plan_files(&layers, bool_option(&given, "allowGit")?)
        .map_err(thrown)?;
    let list = Array::new();
    for file in files {
        let entry = Object::new();
        set(&entry, "descriptor", &descriptor_js(file.descriptor)?);
        set(&entry, "path", &file.path.into());
        list.push(&entry);
    }
    Ok(list)
}
