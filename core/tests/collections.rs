//! Collections (ORAS 1.3's `manifest index create|update`, and the pull of an index): the
//! core's decisions over fetched children, and a real pull of a collection driven against a
//! layout server held in memory (a test host that only carries out the server's file steps,
//! as tests/layout_server.rs does).

mod common;

use ocikit_core::annotations::TITLE;
use ocikit_core::layout::layout_host;
use ocikit_core::pack::{File, Pack, Packed};
use ocikit_core::registry::whole::index::{
    IndexUpdate, ResolvedChild, child_descriptor, config_platform, create_index, platform_config,
    update_index,
};
use ocikit_core::registry::{Pull, PullOptions, Push, PushArtifactOptions, plan_collection};
use ocikit_core::{Descriptor, Digest, MediaType, Reference};

const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCS: &str = "application/vnd.example.docs.v1";
const BUNDLE: &str = "application/vnd.cnab.manifest.v1";

use common::{Host, reference, sessions};

fn artifact(name: &str, text: &str) -> Packed {
    Pack::new()
        .artifact_type(MediaType::parse(DOCS).expect("type"))
        .file(File::from_bytes(name, text.as_bytes().to_vec()))
        .build()
        .expect("packs")
}

fn child(packed: &Packed) -> ResolvedChild {
    ResolvedChild::new(MANIFEST, packed.manifest.bytes().to_vec()).expect("a manifest")
}

/// An image manifest whose config says linux/arm64/v8, and the config's bytes.
fn image() -> (Packed, Vec<u8>) {
    let config = br#"{"architecture":"arm64","os":"linux","variant":"v8","rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec();
    let packed = Pack::new()
        .config(ocikit_core::pack::Config {
            media_type: MediaType::parse("application/vnd.oci.image.config.v1+json").expect("t"),
            content: ocikit_core::pack::Content::Bytes(config.clone()),
        })
        .file(File::from_bytes("layer.tar", b"tar".to_vec()))
        .build()
        .expect("packs");
    (packed, config)
}

#[test]
fn create_lists_each_child_in_order_with_its_artifact_type_and_platform() {
    let docs = artifact("readme.md", "# docs");
    let (image, config) = image();
    // The host reads the config the core names: the image's, not the artifact's empty one.
    assert_eq!(
        platform_config(MANIFEST, docs.manifest.bytes()).expect("reads"),
        None
    );
    let named = platform_config(MANIFEST, image.manifest.bytes())
        .expect("reads")
        .expect("a config to read");
    assert_eq!(named.digest, image.manifest.value().config.digest);
    let children = [child(&docs), child(&image).with_config(config)];
    let index = create_index(
        &children,
        Some(MediaType::parse(BUNDLE).expect("type")),
        [("org.example.k".to_owned(), "v".to_owned())].into(),
    )
    .expect("creates");
    let value = index.value();
    assert_eq!(
        value.artifact_type.as_ref().map(MediaType::as_str),
        Some(BUNDLE)
    );
    assert_eq!(value.annotations["org.example.k"], "v");
    assert_eq!(value.manifests.len(), 2);
    assert_eq!(value.manifests[0].digest, *docs.manifest.digest());
    assert_eq!(value.manifests[0].size, docs.manifest.size());
    assert_eq!(
        value.manifests[0]
            .artifact_type
            .as_ref()
            .map(MediaType::as_str),
        Some(DOCS)
    );
    assert_eq!(value.manifests[0].platform, None);
    let platform = value.manifests[1].platform.as_ref().expect("a platform");
    assert_eq!(
        (platform.architecture.as_str(), platform.os.as_str()),
        ("arm64", "linux")
    );
    assert_eq!(platform.variant.as_deref(), Some("v8"));
    assert!(
        platform.extra.is_empty(),
        "only platform fields: {platform:?}"
    );
    // The entries are plain: no annotations of the children are copied.
    assert!(value.manifests[0].annotations.is_empty());
}

#[test]
fn a_config_without_a_platform_gives_none() {
    assert_eq!(config_platform(b"{}"), None);
    assert_eq!(config_platform(b"not json"), None);
    assert_eq!(config_platform(br#"{"architecture":"","os":""}"#), None);
    let only_os = config_platform(br#"{"os":"windows","os.version":"10.0"}"#).expect("os");
    assert_eq!(only_os.os, "windows");
    assert_eq!(only_os.os_version.as_deref(), Some("10.0"));
}

#[test]
fn a_child_that_is_not_a_manifest_or_index_is_refused() {
    let error =
        ResolvedChild::new("application/octet-stream", b"{}".to_vec()).expect_err("refused");
    assert_eq!(error.code(), "MEDIA_TYPE_MISMATCH");
    let error = platform_config("text/plain", b"{}").expect_err("refused");
    assert_eq!(error.code(), "MEDIA_TYPE_MISMATCH");
    let forged = ResolvedChild {
        media_type: "application/vnd.oci.image.layer.v1.tar".to_owned(),
        bytes: b"{}".to_vec(),
        config: None,
    };
    assert_eq!(
        child_descriptor(&forged).expect_err("refused").code(),
        "MEDIA_TYPE_MISMATCH"
    );
    assert_eq!(
        create_index(&[forged], None, Default::default())
            .expect_err("refused")
            .code(),
        "MEDIA_TYPE_MISMATCH"
    );
    // Bytes that are not a manifest, served as one.
    let error = ResolvedChild::new(MANIFEST, b"[1]".to_vec()).expect_err("refused");
    assert_eq!(error.code(), "JSON_INVALID");
}

#[test]
fn update_removes_by_digest_keeps_order_and_appends() {
    let [a, b, c, d] = ["a", "b", "c", "d"].map(|n| artifact(&format!("{n}.txt"), n));
    let index = create_index(&[child(&a), child(&b), child(&c)], None, Default::default())
        .expect("creates");
    let updated = update_index(
        INDEX,
        index.bytes(),
        &IndexUpdate {
            add: vec![child(&d)],
            remove: vec![b.manifest.digest().clone()],
            artifact_type: Some(Some(MediaType::parse(BUNDLE).expect("type"))),
            annotations: [("org.example.k".to_owned(), "v".to_owned())].into(),
            ..IndexUpdate::default()
        },
    )
    .expect("updates");
    let digests: Vec<&Digest> = updated
        .value()
        .manifests
        .iter()
        .map(|m| &m.digest)
        .collect();
    assert_eq!(
        digests,
        [
            a.manifest.digest(),
            c.manifest.digest(),
            d.manifest.digest()
        ]
    );
    assert_eq!(
        updated
            .value()
            .artifact_type
            .as_ref()
            .map(MediaType::as_str),
        Some(BUNDLE)
    );
    // The artifact type can go again; unknown fields and other entries' fields survive.
    let with_extra = String::from_utf8(updated.bytes().to_vec())
        .expect("utf-8")
        .replacen('{', r#"{"org.example.extra":true,"#, 1);
    let again = update_index(
        INDEX,
        with_extra.as_bytes(),
        &IndexUpdate {
            artifact_type: Some(None),
            ..IndexUpdate::default()
        },
    )
    .expect("updates");
    assert_eq!(again.value().artifact_type, None);
    assert!(again.value().extra.contains_key("org.example.extra"));
    assert_eq!(again.value().manifests, updated.value().manifests);
    assert_eq!(again.value().annotations["org.example.k"], "v");
}

#[test]
fn update_merges_the_entries_of_other_indexes_as_they_are() {
    let [a, b, c] = ["a", "b", "c"].map(|n| artifact(&format!("{n}.txt"), n));
    let base = create_index(&[child(&a)], None, Default::default()).expect("creates");
    let mut titled = c.manifest.descriptor();
    titled
        .annotations
        .insert(TITLE.to_owned(), "c-folder".to_owned());
    let other = ocikit_core::pack::index(
        vec![b.manifest.descriptor(), titled.clone()],
        None,
        Default::default(),
        None,
    )
    .expect("index");
    let merged = update_index(
        INDEX,
        base.bytes(),
        &IndexUpdate {
            merge: vec![ResolvedChild::new(INDEX, other.bytes().to_vec()).expect("an index")],
            ..IndexUpdate::default()
        },
    )
    .expect("merges");
    let manifests = &merged.value().manifests;
    assert_eq!(manifests.len(), 3);
    assert_eq!(manifests[1], b.manifest.descriptor());
    assert_eq!(
        manifests[2], titled,
        "entries are merged as they are, annotations too"
    );
    let error = update_index(
        INDEX,
        base.bytes(),
        &IndexUpdate {
            merge: vec![child(&a)],
            ..IndexUpdate::default()
        },
    )
    .expect_err("refused");
    assert_eq!(error.code(), "MEDIA_TYPE_MISMATCH");
}

#[test]
fn update_refuses_a_digest_the_index_does_not_list_and_a_manifest() {
    let [a, b] = ["a", "b"].map(|n| artifact(&format!("{n}.txt"), n));
    let index = create_index(&[child(&a)], None, Default::default()).expect("creates");
    let error = update_index(
        INDEX,
        index.bytes(),
        &IndexUpdate {
            remove: vec![b.manifest.digest().clone()],
            ..IndexUpdate::default()
        },
    )
    .expect_err("refused");
    assert_eq!(error.code(), "DIGEST_INVALID");
    let error =
        update_index(MANIFEST, a.manifest.bytes(), &IndexUpdate::default()).expect_err("refused");
    assert_eq!(error.code(), "MEDIA_TYPE_MISMATCH");
}

#[test]
fn collection_folders_are_titles_or_digests_checked_as_titles() {
    let [a, b] = ["a", "b"].map(|n| artifact(&format!("{n}.txt"), n));
    let mut titled = a.manifest.descriptor();
    titled
        .annotations
        .insert(TITLE.to_owned(), "docs".to_owned());
    let plain = b.manifest.descriptor();
    let planned =
        plan_collection(&[titled.clone(), plain.clone(), titled.clone()], false).expect("plans");
    let folders: Vec<&str> = planned.iter().map(|f| f.path.as_str()).collect();
    let hex = plain.digest.encoded().to_owned();
    assert_eq!(folders, ["docs".to_owned(), format!("sha256-{hex}")]);
    for (bad, code) in [
        ("../up", "ANNOTATION_INVALID"),
        ("/abs", "ANNOTATION_INVALID"),
        (".git", "PATH_UNSAFE"),
    ] {
        let mut entry = plain.clone();
        entry.annotations.insert(TITLE.to_owned(), bad.to_owned());
        assert_eq!(
            plan_collection(&[entry], false)
                .expect_err("refused")
                .code(),
            code,
            "{bad}"
        );
    }
    // Two children in one folder (compared as Windows and macOS compare names).
    let mut other = plain.clone();
    other
        .annotations
        .insert(TITLE.to_owned(), "DOCS".to_owned());
    assert_eq!(
        plan_collection(&[titled, other], false)
            .expect_err("refused")
            .code(),
        "ANNOTATION_INVALID"
    );
}

fn push_to(
    host: &mut Host,
    reference: &Reference,
    media_type: &str,
    bytes: Vec<u8>,
    blobs: &[ocikit_core::pack::Blob],
) -> Descriptor {
    for blob in blobs {
        host.spool.insert(
            blob.descriptor.digest.clone(),
            blob.bytes.clone().expect("bytes"),
        );
    }
    let mut push =
        Push::new(reference, media_type, bytes, PushArtifactOptions::default()).expect("push");
    let mut sessions = sessions(&[reference.registry()]);
    host.drive(&mut push, &mut sessions)
        .expect("pushes")
        .descriptor
}

#[test]
fn pull_of_a_collection_writes_each_child_in_a_folder_of_its_own() {
    let layout = layout_host(3);
    let mut host = Host::default();
    host.add(&layout);
    let at = |target: &str| reference(&format!("{layout}/bundle{target}"));
    let docs = artifact("readme.md", "# docs");
    let notes = artifact("readme.md", "# notes");
    for packed in [&docs, &notes] {
        push_to(
            &mut host,
            &at(&format!("@{}", packed.manifest.digest())),
            MANIFEST,
            packed.manifest.bytes().to_vec(),
            &packed.blobs,
        );
    }
    let index =
        create_index(&[child(&docs), child(&notes)], None, Default::default()).expect("creates");
    let (mut value, _) = index.into_parts();
    value.manifests[0]
        .annotations
        .insert(TITLE.to_owned(), "docs".to_owned());
    let index = value.into_document();
    // A collection of the collection: its children are in folders within its folder.
    let outer = ocikit_core::pack::index(vec![index.descriptor()], None, Default::default(), None)
        .expect("index");
    push_to(
        &mut host,
        &at(&format!("@{}", index.digest())),
        INDEX,
        index.bytes().to_vec(),
        &[],
    );
    push_to(&mut host, &at(":v1"), INDEX, outer.bytes().to_vec(), &[]);

    let mut pull = Pull::new(&at(":v1"), PullOptions::default());
    let outcome = host
        .drive(&mut pull, &mut sessions(&[&layout]))
        .expect("pulls");
    assert_eq!(outcome.descriptor.digest, *outer.digest());
    assert_eq!(outcome.manifest, outer.bytes());
    let inner = format!("sha256-{}", index.digest().encoded());
    let paths: Vec<&str> = outcome.files.iter().map(|f| f.path.as_str()).collect();
    let notes_folder = format!("sha256-{}", notes.manifest.digest().encoded());
    assert_eq!(
        paths,
        [
            format!("{inner}/docs/readme.md"),
            format!("{inner}/{notes_folder}/readme.md")
        ]
    );
    // The layers are as their manifests list them (titles unchanged); both were downloaded.
    assert_eq!(outcome.files[0].descriptor.annotations[TITLE], "readme.md");
    assert_eq!(outcome.downloads.len(), 2);
    assert_eq!(host.spool[&outcome.files[0].descriptor.digest], b"# docs");
    assert_eq!(host.spool[&outcome.files[1].descriptor.digest], b"# notes");
    let children: Vec<&str> = outcome.children.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        children,
        [
            inner.clone(),
            format!("{inner}/docs"),
            format!("{inner}/{notes_folder}")
        ]
    );
    // Whatever order the children answer in, the outcome lists them in the indexes' order.
    let mut pull = Pull::new(&at(":v1"), PullOptions::default());
    let reversed = host
        .drive_last_first(&mut pull, &mut sessions(&[&layout]))
        .expect("pulls");
    assert_eq!(reversed.files, outcome.files);
    assert_eq!(reversed.children, outcome.children);
    // A manifest's pull is what it was: no children.
    let mut pull = Pull::new(
        &at(&format!("@{}", docs.manifest.digest())),
        PullOptions::default(),
    );
    let outcome = host
        .drive(&mut pull, &mut sessions(&[&layout]))
        .expect("pulls");
    assert!(outcome.children.is_empty());
    assert_eq!(outcome.files[0].path, "readme.md");
}

#[test]
fn pull_of_a_collection_refuses_a_child_folder_before_any_download() {
    let layout = layout_host(4);
    let mut host = Host::default();
    host.add(&layout);
    let at = |target: &str| reference(&format!("{layout}/bundle{target}"));
    let docs = artifact("readme.md", "# docs");
    push_to(
        &mut host,
        &at(&format!("@{}", docs.manifest.digest())),
        MANIFEST,
        docs.manifest.bytes().to_vec(),
        &docs.blobs,
    );
    let mut entry = docs.manifest.descriptor();
    entry
        .annotations
        .insert(TITLE.to_owned(), "../out".to_owned());
    let index = ocikit_core::pack::index(vec![entry], None, Default::default(), None).expect("i");
    push_to(&mut host, &at(":v1"), INDEX, index.bytes().to_vec(), &[]);
    host.log.clear();
    let mut pull = Pull::new(&at(":v1"), PullOptions::default());
    let error = host
        .drive(&mut pull, &mut sessions(&[&layout]))
        .expect_err("refused");
    assert_eq!(error.code(), "ANNOTATION_INVALID");
    assert!(
        !host.log.iter().any(|l| l.contains("/blobs/")),
        "{:?}",
        host.log
    );
}

#[test]
fn pull_of_collections_nested_too_deep_is_limit_exceeded() {
    let layout = layout_host(5);
    let mut host = Host::default();
    host.add(&layout);
    let at = |target: &str| reference(&format!("{layout}/deep{target}"));
    let docs = artifact("readme.md", "# docs");
    push_to(
        &mut host,
        &at(&format!("@{}", docs.manifest.digest())),
        MANIFEST,
        docs.manifest.bytes().to_vec(),
        &docs.blobs,
    );
    // An index of an index of … of the artifact, one level more than a pull reads.
    let mut child = docs.manifest.descriptor();
    let levels = ocikit_core::registry::whole::pull::COLLECTION_DEPTH_MAX + 1;
    for level in 0..levels {
        let index =
            ocikit_core::pack::index(vec![child], None, Default::default(), None).expect("index");
        let target = if level + 1 == levels {
            ":v1".to_owned()
        } else {
            format!("@{}", index.digest())
        };
        push_to(&mut host, &at(&target), INDEX, index.bytes().to_vec(), &[]);
        child = index.descriptor();
    }
    host.log.clear();
    let mut pull = Pull::new(&at(":v1"), PullOptions::default());
    let error = host
        .drive(&mut pull, &mut sessions(&[&layout]))
        .expect_err("refused");
    assert_eq!(error.code(), "LIMIT_EXCEEDED");
    assert!(
        !host.log.iter().any(|l| l.contains("/blobs/")),
        "{:?}",
        host.log
    );
}
