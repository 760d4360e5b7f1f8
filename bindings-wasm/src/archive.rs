//! Directory layers (`ocikit_core::archive`): `DirectoryPacker` and `Unpacker`, stepped by the
//! npm entry's `packDirectory` and `unpackDirectory`, which read the files and keep the entries.

use js_sys::{Array, Object, Uint8Array};
use ocikit_core::archive::{
    self, DirectoryPacker, EntryData, EntryKind, Mtimes, PackOptions, TreeEntry, UnpackEvent,
    UnpackLimits, Unpacker,
};
use wasm_bindgen::prelude::*;

use crate::error::thrown;
use crate::{get, set, string_arg, type_error};

/// A whole number argument in `0..=max`. (`max` is an integer so that the message formats
/// no float: float formatting would add about 18 KB to the module.)
fn whole(value: &JsValue, name: &str, max: u32) -> Result<u32, JsValue> {
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=f64::from(max)).contains(&n) => Ok(n as u32),
        _ => Err(type_error(&format!(
            "{name} must be a whole number from 0 to {max}"
        ))),
    }
}

fn size_of(value: &JsValue, name: &str) -> Result<u64, JsValue> {
    crate::size::optional_from_js(value, name)?
        .ok_or_else(|| type_error(&format!("{name} must be a number")))
}

fn finished() -> JsValue {
    thrown(ocikit_core::Error::OperationMisuse {
        reason: "the directory packer is finished".to_owned(),
    })
}

/// A directory being packed into a reproducible tar+gzip layer.
#[wasm_bindgen(js_name = DirectoryPacker)]
#[derive(Debug)]
pub struct JsDirectoryPacker {
    inner: Option<DirectoryPacker>,
}

#[wasm_bindgen(js_class = DirectoryPacker)]
impl JsDirectoryPacker {
    /// `entries`: `{ path, kind: "file" | "directory" | "symlink", mode, mtime, size?, target? }`;
    /// `mtime`: fixed seconds, or `undefined` for each entry's own.
    #[wasm_bindgen(constructor)]
    pub fn new(
        name: &JsValue,
        entries: &JsValue,
        mtime: &JsValue,
        keep_modes: bool,
    ) -> Result<JsDirectoryPacker, JsValue> {
        let name = string_arg(name, "name")?;
        let list = crate::array_arg(entries, "entries")?;
        let mut listed = Vec::with_capacity(list.length() as usize);
        for (i, entry) in list.iter().enumerate() {
            let at = format!("entries[{i}]");
            let path = string_arg(&get(&entry, "path")?, &format!("{at}.path"))?;
            let kind = match string_arg(&get(&entry, "kind")?, &format!("{at}.kind"))?.as_str() {
                "file" => EntryKind::File {
                    size: size_of(&get(&entry, "size")?, &format!("{at}.size"))?,
                },
                "directory" => EntryKind::Directory,
                "symlink" => EntryKind::Symlink {
                    target: string_arg(&get(&entry, "target")?, &format!("{at}.target"))?,
                },
                other => {
                    return Err(type_error(&format!(
                        "{at}.kind must be \"file\", \"directory\" or \"symlink\", not {other:?}"
                    )));
                }
            };
            let mode = whole(&get(&entry, "mode")?, &format!("{at}.mode"), 4095)?;
            let time = size_of(&get(&entry, "mtime")?, &format!("{at}.mtime"))?;
            listed.push(TreeEntry {
                path,
                kind,
                mode,
                mtime: time,
            });
        }
        let mtimes = if crate::is_absent(mtime) {
            Mtimes::Real
        } else {
            Mtimes::Fixed(size_of(mtime, "mtime")?)
        };
        let options = PackOptions { mtimes, keep_modes };
        let inner = DirectoryPacker::new(&name, listed, options).map_err(thrown)?;
        Ok(Self { inner: Some(inner) })
    }

    /// The next file to give, `{ path, size }` (relative to the directory), or `null`.
    #[wasm_bindgen(js_name = nextFile)]
    pub fn next_file(&mut self) -> Result<JsValue, JsValue> {
        let packer = self.inner.as_mut().ok_or_else(finished)?;
        let Some(entry) = packer.next_file().map_err(thrown)? else {
            return Ok(JsValue::NULL);
        };
        let size = match entry.kind {
            EntryKind::File { size } => size,
            _ => 0,
        };
        let out = Object::new();
        set(&out, "path", &entry.path.into());
        set(&out, "size", &crate::size::to_js(size)?.into());
        Ok(out.into())
    }

    /// The next bytes of the current file.
    pub fn write(&mut self, data: &JsValue) -> Result<(), JsValue> {
        let bytes = crate::bytes_arg(data, "data")?.to_vec();
        let packer = self.inner.as_mut().ok_or_else(finished)?;
        packer.write(&bytes).map_err(thrown)
    }

    /// The gzip bytes made so far and not taken yet.
    #[wasm_bindgen(js_name = takeOutput)]
    pub fn take_output(&mut self) -> Uint8Array {
        let out = self
            .inner
            .as_mut()
            .map(DirectoryPacker::take_output)
            .unwrap_or_default();
        Uint8Array::from(out.as_slice())
    }

    /// Ends the archive: `{ output, descriptor, contentDigest, contentSize }`.
    pub fn finish(&mut self) -> Result<Object, JsValue> {
        let packer = self.inner.take().ok_or_else(finished)?;
        let packed = packer.finish().map_err(thrown)?;
        let out = Object::new();
        set(
            &out,
            "output",
            &Uint8Array::from(packed.output.as_slice()).into(),
        );
        set(
            &out,
            "descriptor",
            &crate::manifest::descriptors_to_js(vec![packed.descriptor])?.get(0),
        );
        set(
            &out,
            "contentDigest",
            &packed.content_digest.to_string().into(),
        );
        set(
            &out,
            "contentSize",
            &crate::size::to_js(packed.content_size)?.into(),
        );
        Ok(out)
    }
}

/// A directory layer being unpacked.
#[wasm_bindgen(js_name = Unpacker)]
#[derive(Debug)]
pub struct JsUnpacker {
    inner: Unpacker,
}

fn limit(limits: &JsValue, key: &str, default: u64) -> Result<u64, JsValue> {
    if crate::is_absent(limits) {
        return Ok(default);
    }
    Ok(
        crate::size::optional_from_js(&get(limits, key)?, &format!("limits.{key}"))?
            .unwrap_or(default),
    )
}

fn events_js(events: Vec<UnpackEvent>) -> Result<Array, JsValue> {
    let out = Array::new();
    for event in events {
        let item = Object::new();
        match event {
            UnpackEvent::Entry(entry) => {
                set(&item, "path", &entry.path.into());
                set(&item, "mode", &entry.mode.into());
                match entry.data {
                    EntryData::File { size } => {
                        set(&item, "type", &"file".into());
                        set(&item, "size", &crate::size::to_js(size)?.into());
                    }
                    EntryData::Directory => set(&item, "type", &"directory".into()),
                    EntryData::Symlink { target } => {
                        set(&item, "type", &"symlink".into());
                        set(&item, "target", &target.into());
                    }
                    EntryData::HardLink { target } => {
                        set(&item, "type", &"hardlink".into());
                        set(&item, "target", &target.into());
                    }
                }
            }
            UnpackEvent::Data(data) => {
                set(&item, "type", &"data".into());
                set(&item, "bytes", &Uint8Array::from(data.as_slice()).into());
            }
            UnpackEvent::End(summary) => {
                set(&item, "type", &"end".into());
                set(
                    &item,
                    "contentDigest",
                    &summary.content_digest.to_string().into(),
                );
                set(
                    &item,
                    "contentSize",
                    &crate::size::to_js(summary.content_size)?.into(),
                );
                set(
                    &item,
                    "entries",
                    &crate::size::to_js(summary.entries)?.into(),
                );
            }
        }
        out.push(&item);
    }
    Ok(out)
}

#[wasm_bindgen(js_class = Unpacker)]
impl JsUnpacker {
    /// An unpacker for the layer `descriptor` (JSON text): its title and content digest.
    /// `limits`: `{ maxSize, maxEntries, maxRatio }`, each optional; `allow_git`: allow entries
    /// with a `.git` component (refused by default with `PATH_UNSAFE`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        descriptor: &JsValue,
        limits: &JsValue,
        allow_git: bool,
    ) -> Result<JsUnpacker, JsValue> {
        let descriptor = crate::descriptor_arg(descriptor, "descriptor", "")?;
        let default = UnpackLimits::default();
        let limits = UnpackLimits {
            max_size: limit(limits, "maxSize", default.max_size)?,
            max_entries: limit(limits, "maxEntries", default.max_entries)?,
            max_ratio: limit(limits, "maxRatio", default.max_ratio)?,
        };
        let inner = Unpacker::for_layer(&descriptor, limits)
            .map_err(thrown)?
            .allow_git_paths(allow_git);
        Ok(Self { inner })
    }

    /// Takes the next bytes of the layer; returns the events they complete.
    pub fn feed(&mut self, data: &JsValue) -> Result<Array, JsValue> {
        let bytes = crate::bytes_arg(data, "data")?.to_vec();
        events_js(self.inner.feed(&bytes).map_err(thrown)?)
    }

    /// Ends the layer: the events left, the last one `{ type: "end", … }`.
    pub fn finish(&mut self) -> Result<Array, JsValue> {
        events_js(self.inner.finish().map_err(thrown)?)
    }
}

/// Whether a pulled layer (JSON text) is a directory to unpack.
#[wasm_bindgen(js_name = shouldUnpack)]
pub fn should_unpack(descriptor: &JsValue) -> Result<bool, JsValue> {
    let descriptor = crate::descriptor_arg(descriptor, "descriptor", "")?;
    Ok(archive::should_unpack(&descriptor))
}
