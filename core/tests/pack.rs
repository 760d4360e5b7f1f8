//! Golden packing cases of tests/vectors/pack/, whose expected bytes the ORAS CLI wrote.

use std::path::PathBuf;

use ocikit_core::annotations::Annotations;
use ocikit_core::pack::{Config, Content, File, ImageSpec, Pack};
use ocikit_core::{Error, Manifest, MediaType};
use serde_json::Value;

fn cases() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/pack");
    let mut cases: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("tests/vectors/pack")
        .map(|entry| {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("read");
            (
                path.display().to_string(),
                serde_json::from_str(&text).expect("json"),
            )
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(cases.len() >= 10, "pack vectors missing");
    cases
}

fn media_type(value: &Value) -> MediaType {
    MediaType::parse(value.as_str().expect("string")).expect("media type")
}

fn annotations(value: &Value) -> Annotations {
    value
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("string").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn pack_case(case: &Value) -> Result<ocikit_core::pack::Packed, Error> {
    let mut pack = Pack::new()
        .spec(match case["spec"].as_str() {
            Some("v1.0") => ImageSpec::V1_0,
            _ => ImageSpec::V1_1,
        })
        .annotations(annotations(&case["annotations"]))
        .config_annotations(annotations(&case["configAnnotations"]))
        .created(case["created"].as_str().expect("created"));
    if !case["artifactType"].is_null() {
        pack = pack.artifact_type(media_type(&case["artifactType"]));
    }
    if let Some(config) = case.get("config") {
        pack = pack.config(Config {
            media_type: media_type(&config["mediaType"]),
            content: Content::Bytes(config["text"].as_str().expect("text").as_bytes().to_vec()),
        });
    }
    for file in case["files"].as_array().expect("files") {
        let mut f = File::from_bytes(
            file["name"].as_str().expect("name"),
            file["text"].as_str().expect("text").as_bytes().to_vec(),
        );
        if !file["mediaType"].is_null() {
            f = f.with_media_type(media_type(&file["mediaType"]));
        }
        f.annotations = annotations(&file["annotations"]);
        pack = pack.file(f);
    }
    pack.with_cli_defaults().build()
}

#[test]
fn pack_matches_oras_byte_for_byte() {
    for (path, case) in cases() {
        let packed = pack_case(&case).unwrap_or_else(|e| panic!("{path}: {e}"));
        let expected = case["manifest"].as_str().expect("manifest");
        assert_eq!(
            String::from_utf8_lossy(packed.manifest.bytes()),
            expected,
            "{path}"
        );
        assert_eq!(
            packed.manifest.digest().to_string(),
            case["digest"].as_str().expect("digest"),
            "{path}"
        );
        assert_eq!(packed.manifest.size(), case["size"].as_u64().expect("size"));

        // Every referenced blob is in `blobs` once, with bytes that match its descriptor.
        let manifest = packed.manifest.value();
        for descriptor in std::iter::once(&manifest.config).chain(&manifest.layers) {
            let blob = packed
                .blobs
                .iter()
                .find(|b| b.descriptor.digest == descriptor.digest)
                .expect("blob listed");
            let bytes = blob.bytes.as_deref().expect("bytes known");
            ocikit_core::verify(bytes, &descriptor.digest, Some(descriptor.size))
                .expect("blob matches");
        }
        let mut digests: Vec<_> = packed
            .blobs
            .iter()
            .map(|b| b.descriptor.digest.to_string())
            .collect();
        digests.dedup();
        assert_eq!(
            digests.len(),
            packed.blobs.len(),
            "{path}: blobs listed once"
        );

        // Reading the bytes back gives the same manifest and keeps the bytes.
        let reread = Manifest::from_json(packed.manifest.bytes().to_vec()).expect("parses");
        assert_eq!(reread.value(), manifest, "{path}");
        assert_eq!(reread.digest(), packed.manifest.digest());
        assert_eq!(
            reread.value().to_json(),
            packed.manifest.bytes(),
            "{path}: canonical round trip"
        );
    }
}

#[test]
fn pack_is_deterministic_without_created() {
    let build = || {
        Pack::new()
            .artifact_type(
                MediaType::parse("application/vnd.example.x.config.v1+json").expect("mt"),
            )
            .file(File::from_bytes("a", b"a".to_vec()))
            .build()
            .expect("packs")
    };
    let packed = build();
    assert_eq!(packed.manifest.bytes(), build().manifest.bytes());
    assert!(packed.manifest.value().annotations.is_empty());
}

#[test]
fn pack_errors_have_codes() {
    let mt = |s| MediaType::parse(s).expect("mt");
    let cases: Vec<(Pack, &str)> = vec![
        (Pack::new(), "ARTIFACT_TYPE_REQUIRED"),
        (
            Pack::new().config(Config {
                media_type: mt("application/vnd.oci.empty.v1+json"),
                content: Content::Bytes(b"{}".to_vec()),
            }),
            "ARTIFACT_TYPE_REQUIRED",
        ),
        (
            Pack::new()
                .artifact_type(mt("application/vnd.x.y.config.v1+json"))
                .created("yesterday"),
            "ANNOTATION_INVALID",
        ),
        (
            Pack::new()
                .spec(ImageSpec::V1_0)
                .subject(ocikit_core::Descriptor::empty()),
            "OPTIONS_INVALID",
        ),
        (
            Pack::new()
                .spec(ImageSpec::V1_0)
                .artifact_type(mt("application/vnd.x.y.config.v1+json"))
                .config(Config {
                    media_type: mt("application/vnd.x.y.config.v1+json"),
                    content: Content::Bytes(b"{}".to_vec()),
                }),
            "OPTIONS_INVALID",
        ),
    ];
    for (pack, code) in cases {
        assert_eq!(pack.build().expect_err(code).code(), code);
    }
    for title in [
        "/etc/passwd",
        "../up",
        "a/../../b",
        "C:\\x",
        "a:b",
        "con",
        "LPT1.txt",
        "dir/aux.md",
        "trail.",
        "x\u{1}",
        "",
        "q?.md",
    ] {
        let err = Pack::new()
            .artifact_type(mt("application/vnd.x.y.config.v1+json"))
            .file(File::from_bytes(title, Vec::new()))
            .build()
            .expect_err(title);
        assert_eq!(err.code(), "ANNOTATION_INVALID", "{title}");
    }
    for title in [
        "a.md",
        "docs/guide/intro.md",
        "./x",
        "console.md",
        "com.example",
        "dir/",
    ] {
        Pack::new()
            .artifact_type(mt("application/vnd.x.y.config.v1+json"))
            .file(File::from_bytes(title, Vec::new()))
            .build()
            .unwrap_or_else(|e| panic!("{title}: {e}"));
    }
}

#[test]
fn embeds_small_blobs_and_streams_large_ones() {
    let digest = ocikit_core::digest::sha256(&[0u8; 1000]);
    let packed = Pack::new()
        .artifact_type(MediaType::parse("application/vnd.x.y.config.v1+json").expect("mt"))
        .file(File::from_bytes("small", b"hi".to_vec()))
        .file(File::from_digest("large", digest.clone(), 1000))
        .embed_data_up_to(16)
        .build()
        .expect("packs");
    let layers = &packed.manifest.value().layers;
    assert_eq!(layers[0].data.as_deref(), Some(&b"hi"[..]));
    assert_eq!(layers[1].data, None);
    assert_eq!(layers[1].digest, digest);
    assert!(
        packed
            .blobs
            .iter()
            .any(|b| b.descriptor.digest == digest && b.bytes.is_none())
    );
    let text = String::from_utf8(packed.manifest.bytes().to_vec()).expect("utf8");
    assert!(
        text.contains(
            r#""size":2,"annotations":{"org.opencontainers.image.title":"small"},"data":"aGk=""#
        ),
        "{text}"
    );
}

#[test]
fn index_of_a_collection_in_go_field_order() {
    let mt = |s| MediaType::parse(s).expect("mt");
    let mut entry = ocikit_core::Descriptor::for_content(
        mt("application/vnd.oci.image.manifest.v1+json"),
        b"m",
    );
    entry.artifact_type = Some(mt("application/vnd.cnab.invocation.config.v1+json"));
    entry.platform = Some(ocikit_core::Platform {
        architecture: "amd64".into(),
        os: "linux".into(),
        os_version: None,
        os_features: vec![],
        variant: None,
        extra: Default::default(),
    });
    let annotations: Annotations = [("io.cnab.name".to_owned(), "hello<world>".to_owned())].into();
    let doc = ocikit_core::pack::index(
        vec![entry],
        Some(mt("application/vnd.cnab.config.v1+json")),
        annotations,
        None,
    )
    .expect("index");
    assert_eq!(
        std::str::from_utf8(doc.bytes()).expect("utf8"),
        r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"application/vnd.cnab.config.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a","size":1,"platform":{"architecture":"amd64","os":"linux"},"artifactType":"application/vnd.cnab.invocation.config.v1+json"}],"annotations":{"io.cnab.name":"hello\u003cworld\u003e"}}"#
    );
    assert!(ocikit_core::validate(doc.bytes(), None).valid);
    assert_eq!(
        ocikit_core::Index::from_json(doc.bytes().to_vec())
            .expect("reads")
            .value(),
        doc.value()
    );
    let bad: Annotations = [(
        "org.opencontainers.image.created".to_owned(),
        "today".to_owned(),
    )]
    .into();
    assert_eq!(
        ocikit_core::pack::index(vec![], None, bad, None)
            .expect_err("bad created")
            .code(),
        "ANNOTATION_INVALID"
    );
}

#[test]
fn descriptors_encode_alone_in_go_field_order() {
    let mut descriptor = ocikit_core::Descriptor::empty();
    descriptor.annotations.insert("b".into(), "<2>".into());
    descriptor.annotations.insert("a".into(), "1".into());
    descriptor.artifact_type =
        Some(MediaType::parse("application/vnd.x.y.config.v1+json").expect("mt"));
    descriptor.urls = vec!["https://example.com/x".into()];
    let bytes = descriptor.to_json();
    assert_eq!(
        std::str::from_utf8(&bytes).expect("utf8"),
        r#"{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"urls":["https://example.com/x"],"annotations":{"a":"1","b":"\u003c2\u003e"},"data":"e30=","artifactType":"application/vnd.x.y.config.v1+json"}"#
    );
    assert_eq!(
        ocikit_core::Descriptor::from_json(&bytes).expect("reads"),
        descriptor
    );
    assert_eq!(
        ocikit_core::Descriptor::from_json(b"{}")
            .expect_err("missing")
            .code(),
        "FIELD_MISSING"
    );
}

#[test]
fn referrer_descriptors_carry_artifact_type_and_annotations() {
    let mt = |s| MediaType::parse(s).expect("mt");
    let subject = ocikit_core::Descriptor::for_content(
        mt("application/vnd.oci.image.manifest.v1+json"),
        b"subject",
    );
    let annotations: Annotations = [("com.example.k".to_owned(), "v".to_owned())].into();
    let packed = Pack::new()
        .artifact_type(mt("application/vnd.example.sig"))
        .annotations(annotations.clone())
        .subject(subject.clone())
        .build()
        .expect("packs");
    let referrer = packed.manifest.referrer_descriptor();
    assert_eq!(referrer.digest, *packed.manifest.digest());
    assert_eq!(
        referrer.artifact_type.as_ref().map(MediaType::as_str),
        Some("application/vnd.example.sig")
    );
    assert_eq!(referrer.annotations, annotations);
    // Without an artifactType (image-spec v1.0 style), the config's media type stands in.
    let v10 = Pack::new()
        .spec(ImageSpec::V1_0)
        .artifact_type(mt("application/vnd.example.old.config.v1+json"))
        .build()
        .expect("packs");
    assert_eq!(
        v10.manifest
            .referrer_descriptor()
            .artifact_type
            .as_ref()
            .map(MediaType::as_str),
        Some("application/vnd.example.old.config.v1+json")
    );
}

#[test]
fn disable_path_validation_writes_titles_as_given() {
    let artifact = || {
        Pack::new()
            .artifact_type(MediaType::parse("application/vnd.example.paths.v1+json").expect("mt"))
            .file(File::from_bytes("/abs/a.txt", b"a".to_vec()))
            .file(File::from_bytes("../b.txt", b"b".to_vec()))
    };
    assert!(matches!(
        artifact().build(),
        Err(Error::AnnotationInvalid { .. })
    ));
    let packed = artifact().disable_path_validation().build().expect("packs");
    let titles: Vec<&str> = packed
        .manifest
        .value()
        .layers
        .iter()
        .map(|layer| layer.annotations["org.opencontainers.image.title"].as_str())
        .collect();
    assert_eq!(titles, ["/abs/a.txt", "../b.txt"]);
}
