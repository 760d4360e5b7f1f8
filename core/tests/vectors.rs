//! The shared vectors of tests/vectors/, read by this suite, pytest and the Node tests alike.

use std::path::PathBuf;

use ocikit_core::{Algorithm, Digest, Digester, Error, MediaType, Role, Severity, digest};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn str_of<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {case}"))
}

fn input_bytes(spec: &Value) -> Vec<u8> {
    if let Some(text) = spec["text"].as_str() {
        return text.as_bytes().to_vec();
    }
    if let Some(hex) = spec["hex"].as_str() {
        return from_hex(hex);
    }
    let repeat = &spec["repeat"];
    let unit = from_hex(str_of(repeat, "hex"));
    let count = repeat["count"].as_u64().expect("count") as usize;
    unit.repeat(count)
}

fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn digest_compute_vectors() {
    let doc = load("digests.json");
    let cases = doc["compute"].as_array().expect("compute");
    assert!(cases.len() >= 15);
    for case in cases {
        let data = input_bytes(&case["input"]);
        assert_eq!(data.len() as u64, case["size"].as_u64().expect("size"));
        for (algorithm, key) in [
            (Algorithm::Sha256, "sha256"),
            (Algorithm::Sha512, "sha512"),
            (Algorithm::Blake3, "blake3"),
        ] {
            let expected = str_of(case, key);
            let whole = digest::compute(&algorithm, &data).expect("supported");
            assert_eq!(whole.to_string(), expected, "{}", case["name"]);
            // The same content fed in uneven pieces, across block boundaries.
            for piece in [1, 7, 63, 64, 65, 1000, 65536] {
                let mut digester = Digester::new(&algorithm).expect("supported");
                for chunk in data.chunks(piece) {
                    digester.update(chunk);
                }
                assert_eq!(digester.size(), data.len() as u64);
                assert_eq!(
                    digester.finalize().to_string(),
                    expected,
                    "{} in {piece}s",
                    case["name"]
                );
                digester
                    .verify(
                        &Digest::parse(expected).expect("valid"),
                        Some(data.len() as u64),
                    )
                    .expect("verifies");
            }
        }
    }
}

#[test]
fn digest_parse_vectors() {
    let doc = load("digests.json");
    for case in doc["parse"].as_array().expect("parse") {
        let input = str_of(case, "input");
        let name = &case["name"];
        match case.get("error").and_then(Value::as_str) {
            Some(code) => {
                let err = Digest::parse(input).expect_err(&format!("{name} must fail"));
                assert_eq!(err.code(), code, "{name}");
            }
            None => {
                let d = Digest::parse(input).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(d.algorithm().as_str(), str_of(case, "algorithm"), "{name}");
                assert_eq!(d.encoded(), str_of(case, "encoded"), "{name}");
                assert_eq!(
                    d.is_supported(),
                    case["supported"].as_bool().expect("supported")
                );
                assert_eq!(d.to_string(), input, "{name} round-trips");
            }
        }
    }
}

#[test]
fn digest_verify_vectors() {
    let doc = load("digests.json");
    for case in doc["verify"].as_array().expect("verify") {
        let data = input_bytes(&case["input"]);
        let expected = Digest::parse(str_of(case, "digest")).expect("vector digests parse");
        let result = ocikit_core::verify(&data, &expected, case["size"].as_u64());
        match case["error"].as_str() {
            None => result.unwrap_or_else(|e| panic!("{}: {e}", case["name"])),
            Some(code) => assert_eq!(
                result.expect_err("must fail").code(),
                code,
                "{}",
                case["name"]
            ),
        }
    }
}

#[test]
fn digest_algorithm_vectors() {
    let doc = load("digests.json");
    for case in doc["algorithms"].as_array().expect("algorithms") {
        let result = Algorithm::parse(str_of(case, "name")).and_then(|a| Digester::new(&a));
        match case.get("error").and_then(Value::as_str) {
            None => assert_eq!(
                result.expect("supported").algorithm().as_str(),
                str_of(case, "name")
            ),
            Some(code) => assert_eq!(
                result.expect_err("must fail").code(),
                code,
                "{}",
                case["name"]
            ),
        }
    }
}

#[test]
fn media_type_vectors() {
    let doc = load("media-types.json");
    let cases = doc["cases"].as_array().expect("cases");
    for case in cases {
        let input = str_of(case, "input");
        let name = &case["name"];
        if let Some(code) = case.get("error").and_then(Value::as_str) {
            let err = MediaType::parse(input).expect_err(&format!("{name} must fail"));
            assert_eq!(err.code(), code, "{name}");
            continue;
        }
        let mt = MediaType::parse(input).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(mt.as_str(), input);
        assert_eq!(mt.type_name(), str_of(case, "type"), "{name}");
        assert_eq!(mt.subtype(), str_of(case, "subtype"), "{name}");
        assert_eq!(mt.tree().facet(), str_of(case, "tree"), "{name}");
        assert_eq!(mt.suffix(), case["suffix"].as_str(), "{name}");
        let artifact = mt.artifact().map(|a| {
            serde_json::json!({
                "org": a.org, "objectType": a.object_type, "subTypes": a.sub_types,
                "role": a.role.as_str(), "version": a.version, "format": a.format,
            })
        });
        assert_eq!(artifact.unwrap_or(Value::Null), case["artifact"], "{name}");
        let role = case
            .get("role")
            .and_then(Value::as_str)
            .map(|r| Role::parse(r).expect("role"));
        let findings = mt.lint(role);
        assert!(
            findings.iter().all(|f| f.severity == Severity::Warning),
            "{name}: lint only warns"
        );
        let mut codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
        codes.sort_unstable();
        let expected: Vec<&str> = case["lint"]
            .as_array()
            .expect("lint")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(codes, expected, "{name}");
    }
}

#[test]
fn error_codes_are_listed() {
    let doc = load("error-codes.json");
    let listed: Vec<&str> = ["raised", "registry", "findings"]
        .iter()
        .flat_map(|k| doc[*k].as_array().expect("list"))
        .map(|e| str_of(e, "code"))
        .collect();
    let samples = [
        Error::JsonInvalid {
            reason: String::new(),
        },
        Error::FieldMissing {
            path: String::new(),
        },
        Error::SchemaVersionInvalid {
            found: String::new(),
        },
        Error::MediaTypeInvalid {
            value: String::new(),
            reason: "",
        },
        Error::MediaTypeMismatch {
            expected: String::new(),
            found: String::new(),
        },
        Error::DigestInvalid {
            value: String::new(),
            reason: "",
        },
        Error::DigestUnsupported {
            algorithm: String::new(),
        },
        Error::DigestMismatch {
            expected: digest::sha256(b""),
            actual: digest::sha256(b"x"),
        },
        Error::SizeInvalid {
            value: String::new(),
        },
        Error::SizeMismatch {
            expected: 0,
            actual: 1,
        },
        Error::DataInvalid {
            reason: String::new(),
        },
        Error::ArtifactTypeRequired,
        Error::AnnotationInvalid {
            key: String::new(),
            reason: String::new(),
        },
        Error::UrlInvalid {
            value: String::new(),
        },
        Error::OptionsInvalid { reason: "" },
        Error::AuthInvalid {
            reason: String::new(),
        },
        Error::ProtocolState {
            reason: String::new(),
        },
        Error::Registry {
            status: 500,
            errors: vec![],
        },
        Error::Registry {
            status: 404,
            errors: vec![],
        },
        Error::DisplayNameInvalid {
            reason: String::new(),
        },
        Error::LogoInvalid {
            reason: String::new(),
        },
        Error::LogoUnsafe {
            reason: String::new(),
        },
        Error::LogoTooLarge { size: 1, max: 0 },
        Error::PullCommandInvalid {
            path: String::new(),
            reason: String::new(),
        },
        Error::ReferenceInvalid {
            value: String::new(),
            reason: "",
        },
        Error::TagMismatch {
            reference: String::new(),
            expected: digest::sha256(b""),
            actual: digest::sha256(b"x"),
        },
    ];
    for err in &samples {
        assert!(
            listed.contains(&err.code()),
            "{} is not in error-codes.json",
            err.code()
        );
        assert!(!err.to_string().is_empty());
    }
    // Every distribution-spec code passes through and is listed.
    for code in ocikit_core::registry::errors::SPEC_CODES {
        assert!(listed.contains(code), "{code} is not in error-codes.json");
    }
    // Every lint code the media-type vectors expect is listed too.
    let media = load("media-types.json");
    for case in media["cases"].as_array().expect("cases") {
        for code in case["lint"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            assert!(listed.contains(&code), "{code} is not in error-codes.json");
        }
    }
}

#[test]
fn reference_vectors() {
    let doc = load("references.json");
    for case in doc["cases"].as_array().expect("cases") {
        let input = str_of(case, "input");
        let name = &case["name"];
        match case.get("error").and_then(Value::as_str) {
            Some(code) => {
                let err =
                    ocikit_core::Reference::parse(input).expect_err(&format!("{name} must fail"));
                assert_eq!(err.code(), code, "{name}: {err}");
            }
            None => {
                let r =
                    ocikit_core::Reference::parse(input).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(r.registry(), str_of(case, "registry"), "{name}");
                assert_eq!(r.repository(), str_of(case, "repository"), "{name}");
                assert_eq!(r.tag(), case["tag"].as_str(), "{name}");
                assert_eq!(
                    r.digest().map(ToString::to_string).as_deref(),
                    case["digest"].as_str(),
                    "{name}"
                );
                assert_eq!(r.to_string(), input, "{name} round-trips");
            }
        }
    }
}
