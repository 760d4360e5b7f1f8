//! The validation vectors of tests/vectors/manifests/, read by this suite, pytest and Node.

use std::path::PathBuf;

use ocikit_core::{Kind, validate};
use serde_json::Value;

fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The bytes a case stands for: `hex`, `text`, or `document` serialized compactly.
fn input(case: &Value) -> Vec<u8> {
    if let Some(hex) = case["hex"].as_str() {
        return from_hex(hex);
    }
    if let Some(text) = case["text"].as_str() {
        return text.as_bytes().to_vec();
    }
    serde_json::to_vec(&case["document"]).expect("serializes")
}

#[test]
fn validation_vectors() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/manifests");
    let mut total = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("manifests dir") {
        let path = entry.expect("entry").path();
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        for case in doc["cases"].as_array().expect("cases") {
            total += 1;
            let kind = case["kind"].as_str().map(|k| Kind::parse(k).expect("kind"));
            let report = validate(&input(case), kind);
            let mut found: Vec<[String; 3]> = report
                .findings
                .iter()
                .map(|f| {
                    [
                        f.code.to_owned(),
                        f.severity.as_str().to_owned(),
                        f.path.clone(),
                    ]
                })
                .collect();
            found.sort();
            let expected: Vec<[String; 3]> = case["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .map(|f| {
                    let f = f.as_array().expect("triple");
                    [0, 1, 2].map(|i| f[i].as_str().expect("string").to_owned())
                })
                .collect();
            let expected_kind = case["expectKind"].as_str();
            if found != expected
                || report.valid != case["valid"].as_bool().expect("valid")
                || report.kind.map(Kind::as_str) != expected_kind
            {
                failures.push(format!(
                    "{}: {}\n  expected {expected:?} kind {expected_kind:?}\n  found    {found:?} kind {:?}\n  messages {:?}",
                    path.file_name().expect("name").to_string_lossy(),
                    case["name"],
                    report.kind,
                    report.findings.iter().map(|f| &f.message).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(total >= 200, "only {total} validation vectors");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_4_mib_manifest_validates_quickly() {
    // Many layers with annotations: about 4 MiB of JSON. Timing here is only a guard against
    // accidental quadratic behaviour; the benchmarks measure speed.
    let layer = r#"{"mediaType":"application/vnd.example.docs.layer.v1+md","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"annotations":{"org.opencontainers.image.title":"file.md","com.example.note":"some text to make the layer longer"}}"#;
    let count = 4 * 1024 * 1024 / layer.len();
    let layers = vec![layer; count].join(",");
    let doc = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.docs.config.v1+json","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="}},"layers":[{layers}]}}"#
    );
    assert!(doc.len() >= 4 * 1024 * 1024 - layer.len());
    let report = validate(doc.as_bytes(), None);
    assert!(report.valid, "{:?}", report.findings.first());
    assert_eq!(report.kind, Some(Kind::Manifest));
}
