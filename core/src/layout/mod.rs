//! OCI image layouts (image-spec `image-layout.md`): a directory (or tar archive) holding an
//! `oci-layout` file, an `index.json`, and content-addressed blobs under `blobs/<alg>/<encoded>`.
//!
//! The core plans and checks; the host reads and writes the files. [`Layout`] keeps the
//! `index.json` (tags are `org.opencontainers.image.ref.name` annotations on its entries), and
//! [`verify`] walks a layout through a [`LayoutSource`] the host implements. [`LayoutServer`]
//! answers the registry engine's requests from a layout, so every whole operation works on one
//! ([`server`]).

pub mod server;
pub mod tar;

pub use server::{
    LAYOUT_HOST_SUFFIX, LayoutExchange, LayoutInput, LayoutServer, LayoutStep, ServedFile,
    is_layout_host, layout_host, request_layout_host,
};
pub use tar::{
    LAYOUT_TAR_ENTRIES_MAX, LayoutTarEvent, LayoutTarReader, TarPiece, layout_tar_pieces,
    read_layout_tar, write_layout_tar,
};

use crate::annotations::REF_NAME;
use crate::manifest::Index;
use crate::media_type::oci;
use crate::validate::{Kind, Report};
use crate::{Descriptor, Digest, Error, Finding, Severity, validate};

/// The name of the layout marker file.
pub const OCI_LAYOUT_FILE: &str = "oci-layout";
/// The name of the layout's index.
pub const INDEX_FILE: &str = "index.json";
/// The content of the `oci-layout` file ocikit writes.
pub const OCI_LAYOUT_CONTENT: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;

/// The path of a blob inside a layout: `blobs/<algorithm>/<encoded>`.
pub fn blob_path(digest: &Digest) -> String {
    format!("blobs/{}/{}", digest.algorithm(), digest.encoded())
}

/// The engine's reference for `text`, a tag or a digest naming something of a layout, on the
/// layout's pseudo registry and repository `base` (`<host>/<repository>`):
///
/// - `base:<text>` for a tag a registry URL carries (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`);
/// - `base@<text>` for a digest;
/// - else `base@<digest>` of the `index.json` entry whose `org.opencontainers.image.ref.name` is
///   `text` (image-layout.md allows `/` and `:` in a ref.name: skopeo writes
///   `example.com/app:1.0`, which no URL carries), so that such an entry is reached by digest;
/// - else `base:<text>`, which the reference grammar refuses (REFERENCE_INVALID) before
///   anything is read or written.
///
/// `index_json` gives the layout's `index.json` (`None` when there is none); it is called only
/// for a text that is neither a tag nor a digest, so a host reads the file only then.
///
/// # Errors
/// What `index_json` returns, and what [`Layout::from_index_json`] reports for its bytes.
pub fn layout_reference<E: From<Error>>(
    base: &str,
    text: &str,
    index_json: impl FnOnce() -> Result<Option<Vec<u8>>, E>,
) -> Result<String, E> {
    if crate::reference::check_tag_text(text).is_ok() {
        return Ok(format!("{base}:{text}"));
    }
    if let Ok(digest) = Digest::parse(text) {
        return Ok(format!("{base}@{digest}"));
    }
    if let Some(bytes) = index_json()? {
        if let Some(entry) = Layout::from_index_json(&bytes)?.resolve(text) {
            return Ok(format!("{base}@{}", entry.digest));
        }
    }
    Ok(format!("{base}:{text}"))
}

/// The `index.json` of a layout, with tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    index: Index,
}

impl Default for Layout {
    fn default() -> Self {
        Self::new()
    }
}

impl Layout {
    /// An empty layout.
    pub fn new() -> Self {
        Self {
            index: Index::new(Vec::new()),
        }
    }

    /// Reads an existing `index.json`.
    ///
    /// # Errors
    /// What [`Index::from_json`] reports.
    pub fn from_index_json(bytes: &[u8]) -> Result<Self, Error> {
        let (index, _) = Index::from_json(bytes.to_vec())?.into_parts();
        Ok(Self { index })
    }

    /// Adds a manifest or index to the layout, tagged if `tag` is given. A tag names one entry:
    /// tagging moves it from any other entry, which then stays listed untagged (its blobs are
    /// still in the layout). An untagged entry is added once per digest.
    ///
    /// # Errors
    /// [`Error::ReferenceInvalid`] when `tag` breaks the `ref.name` grammar of image-layout.md.
    pub fn add(&mut self, mut descriptor: Descriptor, tag: Option<&str>) -> Result<(), Error> {
        descriptor.annotations.remove(REF_NAME);
        match tag {
            Some(tag) => {
                if !is_ref_name(tag) {
                    return Err(Error::ReferenceInvalid {
                        value: tag.to_owned(),
                        reason: "a layout tag is alphanumeric components joined by one of -._:@+ or --, separated by /",
                    });
                }
                // The tag moves: the entry it named stays in the layout, untagged, unless the
                // same content is listed elsewhere (as ORAS's OCI store keeps it).
                let manifests = &mut self.index.manifests;
                if let Some(at) = manifests
                    .iter()
                    .position(|d| d.annotations.get(REF_NAME).map(String::as_str) == Some(tag))
                {
                    let mut previous = manifests.remove(at);
                    let listed = previous.digest == descriptor.digest
                        || manifests.iter().any(|d| d.digest == previous.digest);
                    if !listed {
                        previous.annotations.remove(REF_NAME);
                        manifests.insert(at, previous);
                    }
                }
                // An untagged entry for the same content is now redundant.
                manifests.retain(|d| {
                    d.digest != descriptor.digest || d.annotations.contains_key(REF_NAME)
                });
                descriptor
                    .annotations
                    .insert(REF_NAME.to_owned(), tag.to_owned());
                self.index.manifests.push(descriptor);
            }
            None => {
                if !self
                    .index
                    .manifests
                    .iter()
                    .any(|d| d.digest == descriptor.digest)
                {
                    self.index.manifests.push(descriptor);
                }
            }
        }
        Ok(())
    }

    /// The entry a tag or a digest names.
    pub fn resolve(&self, reference: &str) -> Option<&Descriptor> {
        let manifests = &self.index.manifests;
        manifests
            .iter()
            .find(|d| d.annotations.get(REF_NAME).map(String::as_str) == Some(reference))
            .or_else(|| manifests.iter().find(|d| d.digest.to_string() == reference))
    }

    /// What resolving `reference` (a tag, a digest, or an entry's `ref.name`) in the layout
    /// gives once the layout's server has found the manifest or index it names (`found`: media
    /// type, digest and size, as a registry answers): the `index.json` entry for it when it names
    /// that digest, with its tag and artifact type, as oras-go's `oci.Store` resolves; else
    /// `found` (a digest the layout holds without an entry, such as a child of an index).
    pub fn resolved(&self, reference: &str, found: Descriptor) -> Descriptor {
        match self.resolve(reference) {
            Some(entry) if entry.digest == found.digest => entry.clone(),
            _ => found,
        }
    }

    /// The tags, in index order.
    pub fn tags(&self) -> Vec<&str> {
        self.index
            .manifests
            .iter()
            .filter_map(|d| d.annotations.get(REF_NAME).map(String::as_str))
            .collect()
    }

    /// The entries of `index.json`.
    pub fn manifests(&self) -> &[Descriptor] {
        &self.index.manifests
    }

    /// The bytes of `index.json`.
    pub fn index_json(&self) -> Vec<u8> {
        self.index.to_json()
    }
}

pub(crate) use crate::validate::is_ref_name;

/// Read access to a layout, implemented by the host (a directory, a tar archive, a map).
pub trait LayoutSource {
    /// The bytes of a small file (`oci-layout`, `index.json`, a manifest), or `None` if absent.
    fn read(&mut self, path: &str) -> Option<Vec<u8>>;

    /// The digest (in `algorithm`) and size of a blob, or `None` if absent. Hosts stream large
    /// blobs through a [`Digester`](crate::Digester) rather than reading them whole.
    fn digest(&mut self, path: &str, algorithm: &crate::Algorithm) -> Option<(Digest, u64)>;
}

/// Manifests and indexes larger than this are not read into memory (distribution's limit).
pub const MAX_DOCUMENT_BYTES: u64 = 4 * 1024 * 1024;

/// Checks a whole layout: `oci-layout`, `index.json`, and every blob reachable from it —
/// present, of the right size and digest, and (for manifests and indexes) valid.
///
/// Finding paths are `file#json-pointer`, e.g. `index.json#/manifests/0/digest`.
pub fn verify(source: &mut dyn LayoutSource) -> Report {
    let mut findings = Vec::new();
    match source.read(OCI_LAYOUT_FILE) {
        None => findings.push(layout_finding(
            "BLOB_MISSING",
            OCI_LAYOUT_FILE,
            "the oci-layout file is missing".into(),
        )),
        Some(bytes) => prefixed(
            &mut findings,
            OCI_LAYOUT_FILE,
            validate(&bytes, Some(Kind::Layout)),
        ),
    }
    let Some(index_bytes) = source.read(INDEX_FILE) else {
        findings.push(layout_finding(
            "BLOB_MISSING",
            INDEX_FILE,
            "index.json is missing".into(),
        ));
        return report(findings);
    };
    let report_index = validate(&index_bytes, Some(Kind::Index));
    let index_valid = report_index.valid;
    prefixed(&mut findings, INDEX_FILE, report_index);
    if !index_valid {
        return report(findings);
    }
    let Ok(layout) = Layout::from_index_json(&index_bytes) else {
        return report(findings);
    };
    let mut seen = std::collections::HashSet::new();
    let mut queue: Vec<(Descriptor, String)> = layout
        .manifests()
        .iter()
        .enumerate()
        .map(|(i, d)| (d.clone(), format!("{INDEX_FILE}#/manifests/{i}")))
        .collect();
    while let Some((descriptor, referrer)) = queue.pop() {
        if !seen.insert(descriptor.digest.clone()) {
            continue;
        }
        let path = blob_path(&descriptor.digest);
        if !descriptor.digest.is_supported() {
            continue; // reported as DIGEST_UNSUPPORTED by validation
        }
        let missing = || {
            let message = format!(
                "{} (referenced by {referrer}) is missing",
                descriptor.digest
            );
            layout_finding("BLOB_MISSING", &path, message)
        };
        let is_document = matches!(
            descriptor.media_type.as_str(),
            oci::IMAGE_MANIFEST | oci::IMAGE_INDEX
        );
        if !is_document || descriptor.size > MAX_DOCUMENT_BYTES {
            let checked =
                source
                    .digest(&path, descriptor.digest.algorithm())
                    .map(|(digest, size)| {
                        crate::digest::check(
                            &descriptor.digest,
                            Some(descriptor.size),
                            &digest,
                            size,
                        )
                    });
            match checked {
                None => findings.push(missing()),
                Some(Err(err)) => findings.push(layout_finding(
                    err.code(),
                    &path,
                    format!("{err} (referenced by {referrer})"),
                )),
                Some(Ok(())) => {}
            }
            continue;
        }
        let Some(bytes) = source.read(&path) else {
            findings.push(missing());
            continue;
        };
        if let Err(err) = crate::verify(&bytes, &descriptor.digest, Some(descriptor.size)) {
            findings.push(layout_finding(
                err.code(),
                &path,
                format!("{err} (referenced by {referrer})"),
            ));
            continue;
        }
        let kind = if descriptor.media_type.as_str() == oci::IMAGE_INDEX {
            Kind::Index
        } else {
            Kind::Manifest
        };
        let document_report = validate(&bytes, Some(kind));
        let valid = document_report.valid;
        prefixed(&mut findings, &path, document_report);
        if valid {
            queue.extend(
                children(&bytes, kind)
                    .into_iter()
                    .map(|(d, pointer)| (d, format!("{path}#{pointer}"))),
            );
        }
    }
    report(findings)
}

/// The blobs a valid manifest or index references that must be in the layout. A subject need
/// not be (image-layout.md lets a layout hold referrers without their subjects).
fn children(bytes: &[u8], kind: Kind) -> Vec<(Descriptor, String)> {
    match kind {
        Kind::Index => crate::Index::from_json(bytes.to_vec())
            .map(|doc| {
                doc.value()
                    .manifests
                    .iter()
                    .enumerate()
                    .map(|(i, d)| (d.clone(), format!("/manifests/{i}")))
                    .collect()
            })
            .unwrap_or_default(),
        _ => crate::Manifest::from_json(bytes.to_vec())
            .map(|doc| {
                let manifest = doc.value();
                std::iter::once((manifest.config.clone(), "/config".to_owned()))
                    .chain(
                        manifest
                            .layers
                            .iter()
                            .enumerate()
                            .map(|(i, d)| (d.clone(), format!("/layers/{i}"))),
                    )
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A finding about a whole file of the layout (path `file#`).
fn layout_finding(code: &'static str, file: &str, message: String) -> Finding {
    Finding {
        code,
        severity: Severity::Error,
        path: format!("{file}#"),
        message,
        rule: "image-layout.md#blobs",
    }
}

fn prefixed(findings: &mut Vec<Finding>, file: &str, report: Report) {
    findings.extend(report.findings.into_iter().map(|mut f| {
        f.path = format!("{file}#{}", f.path);
        f
    }));
}

fn report(findings: Vec<Finding>) -> Report {
    Report {
        valid: !findings.iter().any(|f| f.severity == Severity::Error),
        kind: Some(Kind::Layout),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::pack::{File, Pack};
    use crate::{Algorithm, Digester, MediaType, Reference};

    #[test]
    fn resolving_gives_the_entry_for_the_digest_found_else_what_was_found() {
        let manifest = |hex: &str, size| {
            Descriptor::new(
                MediaType::parse("application/vnd.oci.image.manifest.v1+json").expect("a type"),
                Digest::parse(&format!("sha256:{}", hex.repeat(64))).expect("a digest"),
                size,
            )
        };
        let mut entry = manifest("a", 10);
        entry.artifact_type =
            Some(MediaType::parse("application/vnd.example+json").expect("a type"));
        let mut layout = Layout::new();
        layout.add(entry, Some("v1")).expect("a tag");
        let tagged = layout.resolve("v1").expect("the entry").clone();
        assert_eq!(
            tagged.annotations.get(REF_NAME).map(String::as_str),
            Some("v1")
        );
        // By tag or by digest: the entry, with its tag and artifact type.
        assert_eq!(layout.resolved("v1", manifest("a", 10)), tagged);
        assert_eq!(
            layout.resolved(&tagged.digest.to_string(), manifest("a", 10)),
            tagged
        );
        // A digest without an entry (a child of an index), or a tag the server found elsewhere
        // since: what was found.
        assert_eq!(
            layout.resolved(&manifest("b", 5).digest.to_string(), manifest("b", 5)),
            manifest("b", 5)
        );
        assert_eq!(layout.resolved("v1", manifest("c", 7)), manifest("c", 7));
    }

    #[test]
    fn a_layout_reference_is_a_tag_a_digest_or_the_digest_of_a_ref_name_no_url_carries() {
        let base = "layout-1.oci-layout.invalid/layout";
        let digest = format!("sha256:{}", "b".repeat(64));
        let descriptor = Descriptor::new(
            MediaType::parse("application/vnd.oci.image.manifest.v1+json").expect("a media type"),
            Digest::parse(&digest).expect("a digest"),
            2,
        );
        let mut layout = Layout::new();
        layout
            .add(descriptor, Some("example.com/app:1.0"))
            .expect("a ref.name image-layout.md allows");
        let index = layout.index_json();
        let read = std::cell::Cell::new(0);
        let with_index = || -> Result<Option<Vec<u8>>, Error> {
            read.set(read.get() + 1);
            Ok(Some(index.clone()))
        };
        let of = |text: &str| layout_reference(base, text, with_index).expect("a reference");
        // A tag and a digest without reading index.json.
        assert_eq!(of("v1.0"), format!("{base}:v1.0"));
        assert_eq!(of(&digest), format!("{base}@{digest}"));
        assert_eq!(read.get(), 0);
        // A skopeo-style ref.name is reached by its entry's digest.
        assert_eq!(of("example.com/app:1.0"), format!("{base}@{digest}"));
        // Neither, and no entry: the text as a tag, which the reference grammar refuses.
        assert_eq!(of("other.com/app:2"), format!("{base}:other.com/app:2"));
        assert!(Reference::parse(&of("other.com/app:2")).is_err());
        assert_eq!(read.get(), 3);
        // No index.json, and a damaged one.
        let none = layout_reference(base, "a/b:c", || Ok::<_, Error>(None));
        assert_eq!(none.expect("a reference"), format!("{base}:a/b:c"));
        let damaged = layout_reference(base, "a/b:c", || Ok::<_, Error>(Some(b"{".to_vec())));
        assert!(damaged.is_err());
    }

    struct MapSource(HashMap<String, Vec<u8>>);

    impl LayoutSource for MapSource {
        fn read(&mut self, path: &str) -> Option<Vec<u8>> {
            self.0.get(path).cloned()
        }
        fn digest(&mut self, path: &str, algorithm: &Algorithm) -> Option<(Digest, u64)> {
            let bytes = self.0.get(path)?;
            let mut digester = Digester::new(algorithm).ok()?;
            digester.update(bytes);
            Some((digester.finalize(), bytes.len() as u64))
        }
    }

    fn packed_layout() -> (MapSource, Layout) {
        let packed = Pack::new()
            .artifact_type(
                MediaType::parse("application/vnd.example.docs.config.v1+json").expect("mt"),
            )
            .file(File::from_bytes("a.md", b"# A\n".to_vec()))
            .build()
            .expect("packs");
        let mut files = HashMap::new();
        files.insert(OCI_LAYOUT_FILE.to_owned(), OCI_LAYOUT_CONTENT.to_vec());
        for blob in &packed.blobs {
            files.insert(
                blob_path(&blob.descriptor.digest),
                blob.bytes.clone().expect("bytes"),
            );
        }
        files.insert(
            blob_path(packed.manifest.digest()),
            packed.manifest.bytes().to_vec(),
        );
        let mut layout = Layout::new();
        layout
            .add(packed.manifest.descriptor(), Some("v1"))
            .expect("tag");
        files.insert(INDEX_FILE.to_owned(), layout.index_json());
        (MapSource(files), layout)
    }

    #[test]
    fn a_packed_layout_verifies() {
        let (mut source, layout) = packed_layout();
        let report = verify(&mut source);
        assert!(report.valid, "{:?}", report.findings);
        assert_eq!(layout.tags(), ["v1"]);
        assert!(layout.resolve("v1").is_some());
        let digest = layout.resolve("v1").expect("tag").digest.to_string();
        assert!(layout.resolve(&digest).is_some());
    }

    #[test]
    fn missing_and_corrupt_blobs_are_found() {
        let (mut source, layout) = packed_layout();
        let manifest = layout.resolve("v1").expect("tag").clone();
        let doc = crate::Manifest::from_json(source.0[&blob_path(&manifest.digest)].clone())
            .expect("manifest");
        let layer = doc.value().layers[0].digest.clone();
        source.0.insert(blob_path(&layer), b"# B\n".to_vec());
        let report = verify(&mut source);
        assert_eq!(
            report.findings.iter().map(|f| f.code).collect::<Vec<_>>(),
            ["DIGEST_MISMATCH"]
        );
        source.0.remove(&blob_path(&layer));
        source.0.remove(OCI_LAYOUT_FILE);
        let report = verify(&mut source);
        let mut found: Vec<(&str, String)> = report
            .findings
            .iter()
            .map(|f| (f.code, f.path.clone()))
            .collect();
        found.sort();
        let mut expected = vec![
            ("BLOB_MISSING", format!("{}#", blob_path(&layer))),
            ("BLOB_MISSING", "oci-layout#".to_owned()),
        ];
        expected.sort();
        assert_eq!(found, expected);
        assert!(!report.valid);
    }

    #[test]
    fn tags_move_and_untagged_entries_dedupe() {
        let a = Descriptor::for_content(MediaType::known(oci::IMAGE_MANIFEST), b"a");
        let b = Descriptor::for_content(MediaType::known(oci::IMAGE_MANIFEST), b"b");
        let mut layout = Layout::new();
        layout.add(a.clone(), None).expect("add");
        layout.add(a.clone(), None).expect("add");
        assert_eq!(layout.manifests().len(), 1);
        layout.add(a.clone(), Some("latest")).expect("tag");
        assert_eq!(layout.manifests().len(), 1, "the untagged entry gave way");
        layout.add(b.clone(), Some("latest")).expect("tag");
        assert_eq!(layout.resolve("latest").map(|d| &d.digest), Some(&b.digest));
        assert_eq!(layout.manifests().len(), 2, "a stays, untagged");
        assert!(layout.resolve(&a.digest.to_string()).is_some());
        layout.add(a.clone(), Some("v1")).expect("tag");
        assert_eq!(layout.tags(), ["latest", "v1"]);
        assert_eq!(
            layout.manifests().len(),
            2,
            "the untagged entry of a gave way to the tag"
        );
        for bad in ["", "-x", "a b", "a//b", "é"] {
            assert_eq!(
                layout.add(a.clone(), Some(bad)).expect_err(bad).code(),
                "REFERENCE_INVALID"
            );
        }
        let reread = Layout::from_index_json(&layout.index_json()).expect("reads");
        assert_eq!(reread, layout);
    }
}
