//! `layoutTar` and `readLayoutTar`: OCI image layouts as tar archives, in memory, for a browser
//! download and back.
//!
//! The core plans the layout ([`Layout`] for `index.json` and tags, [`blob_path`] for names)
//! and verifies one ([`verify`] through a [`LayoutSource`]); this module only moves the files
//! into and out of a tar archive with the `tar` crate.

use std::collections::{BTreeMap, HashSet};
use std::io::Cursor;

use js_sys::{Array, Map, Object, Uint8Array};
use ocikit_core::layout::{
    INDEX_FILE, Layout, LayoutSource, OCI_LAYOUT_CONTENT, OCI_LAYOUT_FILE, blob_path,
    layout_reference, verify, write_layout_tar,
};
use ocikit_core::{Algorithm, Digest, Digester, Manifest};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::{get, is_absent, set};

/// The files of a layout, in the order they go into the archive, each path once.
#[derive(Debug, Default)]
struct Files {
    entries: Vec<(String, Vec<u8>)>,
    paths: HashSet<String>,
}

impl Files {
    /// Adds a blob under its content address. The same digest twice is the same content (its
    /// bytes were verified against it), so the second copy is dropped.
    fn add_blob(&mut self, digest: &Digest, bytes: Vec<u8>) {
        let path = blob_path(digest);
        if self.paths.insert(path.clone()) {
            self.entries.push((path, bytes));
        }
    }
}

/// `layoutTar(manifests, blobs)` → the bytes of a tar archive holding an OCI image layout.
///
/// Each entry of `manifests` is `{ manifest: Uint8Array, descriptor?: JSON text, tag?, blobs? }`
/// (the npm entry normalizes `pack()` results into this); each blob is
/// `{ data?: Uint8Array, digest?, size? }`. A blob without `data` is one the caller streams
/// itself and is left out; `blobs` (the second argument) must have data.
#[wasm_bindgen(js_name = layoutTar)]
pub fn layout_tar(manifests: &Array, blobs: &Array) -> Result<Uint8Array, JsValue> {
    let mut layout = Layout::new();
    let mut files = Files::default();
    for (i, entry) in manifests.iter().enumerate() {
        let name = format!("manifests[{i}]");
        let manifest = get(&entry, "manifest")?;
        let bytes = crate::bytes_arg(&manifest, &format!("{name}.manifest"))?.to_vec();
        let descriptor = get(&entry, "descriptor")?;
        let descriptor = if is_absent(&descriptor) {
            // Without a descriptor the bytes must be an image manifest; the core reads its
            // artifactType for the index entry.
            Manifest::from_json(bytes.clone())
                .map_err(thrown)?
                .descriptor()
        } else {
            let descriptor = crate::descriptor_arg(&descriptor, &format!("{name}.descriptor"), "")?;
            ocikit_core::verify(&bytes, &descriptor.digest, Some(descriptor.size))
                .map_err(thrown)?;
            descriptor
        };
        let tag = crate::optional_string_arg(&get(&entry, "tag")?, &format!("{name}.tag"))?;
        layout
            .add(descriptor.clone(), tag.as_deref())
            .map_err(thrown)?;
        files.add_blob(&descriptor.digest, bytes);
        for (j, blob) in crate::array_arg(&get(&entry, "blobs")?, &format!("{name}.blobs"))?
            .iter()
            .enumerate()
        {
            add_blob(&mut files, &blob, &format!("{name}.blobs[{j}]"), false)?;
        }
    }
    for (j, blob) in blobs.iter().enumerate() {
        add_blob(&mut files, &blob, &format!("blobs[{j}]"), true)?;
    }

    let mut archive = Vec::with_capacity(3);
    archive.push((OCI_LAYOUT_FILE.to_owned(), OCI_LAYOUT_CONTENT.to_vec()));
    archive.push((INDEX_FILE.to_owned(), layout.index_json()));
    let bytes = write_tar(archive.iter().chain(&files.entries))?;
    Ok(bytes.as_slice().into())
}

/// One blob into the layout: its bytes, checked against its digest (and size) when given,
/// else named by their sha256.
fn add_blob(files: &mut Files, blob: &JsValue, name: &str, required: bool) -> Result<(), JsValue> {
    let data = get(blob, "data")?;
    if is_absent(&data) && !required {
        return Ok(());
    }
    let bytes = crate::bytes_arg(&data, &format!("{name}.data"))?.to_vec();
    let digest = match crate::optional_string_arg(&get(blob, "digest")?, &format!("{name}.digest"))?
    {
        None => ocikit_core::digest::sha256(&bytes),
        Some(text) => {
            let digest = Digest::parse(&text).map_err(thrown)?;
            let size = crate::size::optional_from_js(&get(blob, "size")?, &format!("{name}.size"))?;
            ocikit_core::verify(&bytes, &digest, size).map_err(thrown)?;
            digest
        }
    };
    files.add_blob(&digest, bytes);
    Ok(())
}

/// The core's layout tar ([`write_layout_tar`]): `oci-layout`, `index.json`, then the blobs by
/// path, fixed headers — the bytes Python's `OciLayout("x.tar")` writes for the same files.
fn write_tar<'a>(files: impl Iterator<Item = &'a (String, Vec<u8>)>) -> Result<Vec<u8>, JsValue> {
    write_layout_tar(files.map(|(path, bytes)| (path.as_str(), bytes.as_slice()))).map_err(thrown)
}

/// `writeLayoutTarFiles(files)` → the bytes of the layout tar holding `files` (a `Map` of
/// path → `Uint8Array`), in the core's fixed order.
/// `layoutReference(base, text, files)` → the engine's reference for a tag or digest of the
/// layout whose files are `files` (a Map of path → bytes): the core's [`layout_reference`]
/// (`base:<tag>`, `base@<digest>`, or `base@<digest>` of the entry whose `ref.name` is `text`),
/// `index.json` read from the Map only when `text` is neither a tag nor a digest.
#[wasm_bindgen(js_name = layoutReference)]
pub fn layout_reference_js(base: &JsValue, text: &JsValue, files: &Map) -> Result<String, JsValue> {
    let base = crate::string_arg(base, "base")?;
    let text = crate::string_arg(text, "reference")?;
    layout_reference(&base, &text, || Ok(index_json(files))).map_err(thrown)
}

/// The bytes of `index.json` in a layout's files (a Map of path → bytes), if it has one.
fn index_json(files: &Map) -> Option<Vec<u8>> {
    files
        .get(&INDEX_FILE.into())
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
}

/// `layoutResolved(text, found, files)` → what resolving `text` (a tag, a digest, or an entry's
/// `ref.name`) in the layout whose files are `files` gives once its server found `found` (a
/// descriptor as JSON text): the core's [`Layout::resolved`], the `index.json` entry with its
/// tag and artifact type when it names the same digest, else `found`.
#[wasm_bindgen(js_name = layoutResolved)]
pub fn layout_resolved_js(
    text: &JsValue,
    found: &JsValue,
    files: &Map,
) -> Result<JsValue, JsValue> {
    let text = crate::string_arg(text, "reference")?;
    let found = crate::descriptor_arg(found, "found", "")?;
    let resolved = match index_json(files) {
        Some(bytes) => Layout::from_index_json(&bytes)
            .map_err(thrown)?
            .resolved(&text, found),
        None => found,
    };
    crate::manifest::exact::descriptor(&resolved, "")?;
    crate::parse_json(&resolved.to_json())
}

#[wasm_bindgen(js_name = writeLayoutTarFiles)]
pub fn write_layout_tar_files(files: &Map) -> Result<Uint8Array, JsValue> {
    let mut entries = Vec::new();
    let mut failed = None;
    files.for_each(&mut |value, key| {
        if failed.is_some() {
            return;
        }
        let Some(path) = key.as_string() else {
            failed = Some(JsValue::from(js_sys::TypeError::new(
                "a layout file's path must be a string",
            )));
            return;
        };
        match crate::bytes_arg(&value, &path) {
            Ok(bytes) => entries.push((path, bytes.to_vec())),
            Err(error) => failed = Some(error),
        }
    });
    if let Some(error) = failed {
        return Err(error);
    }
    Ok(write_tar(entries.iter())?.as_slice().into())
}

/// `readLayoutTarFiles(bytes, entriesMax)` → a `Map` of path → `Uint8Array`: the regular files
/// of an untrusted layout tar, read by the core ([`ocikit_core::layout::read_layout_tar`]: links, devices, `..` and
/// absolute names are `ARCHIVE_UNSAFE`, a corrupt archive `ARCHIVE_INVALID`, more than
/// `entriesMax` entries `LIMIT_EXCEEDED`).
#[wasm_bindgen(js_name = readLayoutTarFiles)]
pub fn read_layout_tar_files(data: &JsValue, entries_max: f64) -> Result<Map, JsValue> {
    let bytes = crate::bytes_arg(data, "bytes")?.to_vec();
    let files = ocikit_core::layout::read_layout_tar(&bytes, entries_max as u64).map_err(thrown)?;
    let map = Map::new();
    for (path, range) in files {
        map.set(&path.into(), &Uint8Array::from(&bytes[range]));
    }
    Ok(map)
}

/// The regular files of a tar archive by path (`./` prefixes removed; a later entry for the
/// same path wins, as when extracting), borrowing the archive's bytes.
///
/// Reading stops at the first malformed header: what came before is kept, and what is missing
/// then shows in the verification report as missing files. Public for the fuzz target
/// `layout_tar` (fuzz/), which feeds it arbitrary archives natively.
pub fn read_tar(bytes: &[u8]) -> BTreeMap<String, &[u8]> {
    let mut files = BTreeMap::new();
    let mut archive = tar::Archive::new(Cursor::new(bytes));
    let Ok(entries) = archive.entries_with_seek() else {
        return files;
    };
    for entry in entries {
        let Ok(entry) = entry else { break };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let Ok(path) = String::from_utf8(entry.path_bytes().into_owned()) else {
            continue;
        };
        let start = usize::try_from(entry.raw_file_position()).unwrap_or(usize::MAX);
        let Some(data) = usize::try_from(entry.size())
            .ok()
            .and_then(|size| bytes.get(start..start.checked_add(size)?))
        else {
            break; // truncated archive
        };
        let mut path = path.as_str();
        while let Some(rest) = path.strip_prefix("./") {
            path = rest;
        }
        files.insert(path.to_owned(), data);
    }
    files
}

/// A layout read from the files of a tar archive.
#[derive(Debug)]
struct TarSource<'a>(BTreeMap<String, &'a [u8]>);

impl LayoutSource for TarSource<'_> {
    fn read(&mut self, path: &str) -> Option<Vec<u8>> {
        self.0.get(path).map(|bytes| bytes.to_vec())
    }

    fn digest(&mut self, path: &str, algorithm: &Algorithm) -> Option<(Digest, u64)> {
        let bytes = self.0.get(path)?;
        let mut digester = Digester::new(algorithm).ok()?;
        digester.update(bytes);
        Some((digester.finalize(), digester.size()))
    }
}

/// A layout read from a `Map` of path → `Uint8Array` (an `OciLayout`'s files), where it is:
/// a blob is hashed a piece at a time, never copied whole into the module.
#[derive(Debug)]
struct MapSource<'a>(&'a Map);

impl MapSource<'_> {
    fn file(&self, path: &str) -> Option<Uint8Array> {
        self.0
            .get(&JsValue::from_str(path))
            .dyn_into::<Uint8Array>()
            .ok()
    }
}

impl LayoutSource for MapSource<'_> {
    fn read(&mut self, path: &str) -> Option<Vec<u8>> {
        self.file(path).map(|bytes| bytes.to_vec())
    }

    fn digest(&mut self, path: &str, algorithm: &Algorithm) -> Option<(Digest, u64)> {
        const PIECE: u32 = 1 << 20;
        let bytes = self.file(path)?;
        let mut digester = Digester::new(algorithm).ok()?;
        let mut start = 0;
        while start < bytes.length() {
            let end = start.saturating_add(PIECE).min(bytes.length());
            digester.update(&bytes.subarray(start, end).to_vec());
            start = end;
        }
        Some((digester.finalize(), digester.size()))
    }
}

/// The core's verification report ([`verify`]) of the layout whose files are `files` (a `Map`
/// of path → `Uint8Array`): `oci-layout`, `index.json` and every blob reachable from it,
/// present, of the right size and digest, and valid. The npm package's `restore` has it checked
/// (`restorable`, in `collection.rs`) before anything is pushed.
pub(crate) fn verify_files(files: &Map) -> ocikit_core::Report {
    verify(&mut MapSource(files))
}

/// `readLayoutTar(bytes)` → `{ tags, manifests, blobs, report }`: the tags and entries of
/// `index.json`, every file under `blobs/<algorithm>/<encoded>` by the digest its name states
/// (a `Map`), and the core's verification report of the whole layout.
#[wasm_bindgen(js_name = readLayoutTar)]
pub fn read_layout_tar(data: &JsValue) -> Result<Object, JsValue> {
    let bytes = crate::bytes_arg(data, "bytes")?.to_vec();
    let mut source = TarSource(read_tar(&bytes));
    let report = verify(&mut source);
    let layout = source
        .0
        .get(INDEX_FILE)
        .and_then(|index| Layout::from_index_json(index).ok())
        .unwrap_or_default();

    let blobs = Map::new();
    for (path, data) in &source.0 {
        let named = path
            .strip_prefix("blobs/")
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(algorithm, encoded)| Digest::parse(&format!("{algorithm}:{encoded}")).ok());
        if let Some(digest) = named {
            blobs.set(&digest.to_string().into(), &Uint8Array::from(*data));
        }
    }
    let tags: Array = layout.tags().into_iter().map(JsValue::from_str).collect();

    let result = Object::new();
    set(&result, "tags", &tags);
    let manifests = crate::manifest::descriptors_to_js(layout.manifests().to_vec())?;
    set(&result, "manifests", &manifests);
    set(&result, "blobs", &blobs);
    set(&result, "report", &crate::validate::report_to_js(&report));
    Ok(result)
}
