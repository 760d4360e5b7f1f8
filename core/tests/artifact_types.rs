//! The shared vectors of tests/vectors/artifact-types.json (lookup, describe, the tag classifier
//! and pull commands), read by this suite, pytest and the Node tests alike.

use std::path::PathBuf;

use ocikit_core::artifact_type::{classify_tag, pull_commands};
use ocikit_core::{Catalog, Manifest, Reference};
use serde_json::Value;

fn vectors() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/artifact-types.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

fn cases<'a>(doc: &'a Value, key: &str) -> &'a [Value] {
    let cases = doc[key].as_array().unwrap_or_else(|| panic!("{key}"));
    assert!(!cases.is_empty(), "{key}");
    cases
}

#[test]
fn lookup_by_artifact_type_or_alias() {
    let doc = vectors();
    let catalog = Catalog::builtin();
    for case in cases(&doc, "lookup") {
        let found = catalog.get(case["mediaType"].as_str().expect("mediaType"));
        assert_eq!(
            found.map(|d| d.artifact_type.as_str()),
            case["artifactType"].as_str(),
            "{case}"
        );
        assert_eq!(
            found.map(|d| d.display_name.as_str()),
            case["displayName"].as_str(),
            "{case}"
        );
    }
}

#[test]
fn describe_reads_artifact_type_config_then_layers() {
    let doc = vectors();
    let catalog = Catalog::builtin();
    for case in cases(&doc, "describe") {
        let bytes = serde_json::to_vec(&case["manifest"]).expect("bytes");
        let manifest = Manifest::from_json(bytes).expect("manifest");
        let description = catalog.describe(manifest.value());
        let name = &case["name"];
        assert_eq!(
            Some(description.artifact_type),
            case["artifactType"].as_str(),
            "{name}"
        );
        assert_eq!(Some(description.source), case["source"].as_str(), "{name}");
        assert_eq!(
            description.definition.map(|d| d.display_name.as_str()),
            case["displayName"].as_str(),
            "{name}"
        );
    }
}

#[test]
fn tags_are_classified_by_name() {
    let doc = vectors();
    for case in cases(&doc, "tags") {
        let class = classify_tag(case["tag"].as_str().expect("tag"));
        assert_eq!(Some(class.kind.as_str()), case["kind"].as_str(), "{case}");
        assert_eq!(
            class.subject.map(|d| d.to_string()).as_deref(),
            case["subject"].as_str(),
            "{case}"
        );
    }
}

#[test]
fn pull_commands_fill_the_definitions_templates() {
    let doc = vectors();
    let catalog = Catalog::builtin();
    for case in cases(&doc, "pullCommands") {
        let definition = case["artifactType"].as_str().and_then(|t| catalog.get(t));
        let reference =
            Reference::parse(case["reference"].as_str().expect("reference")).expect("reference");
        let expected: Vec<&str> = case["commands"]
            .as_array()
            .expect("commands")
            .iter()
            .map(|c| c.as_str().expect("command"))
            .collect();
        assert_eq!(pull_commands(definition, &reference), expected, "{case}");
    }
}

#[test]
fn every_builtin_definition_has_a_safe_logo_and_dark_logos_are_checked() {
    let catalog = Catalog::builtin();
    assert!(catalog.definitions().len() >= 20);
    let dark = catalog
        .definitions()
        .iter()
        .filter(|d| d.dark_logo.is_some())
        .count();
    assert!(dark >= 4, "{dark}");
    let with_unsafe_dark = br#"{"artifactType":"application/x","displayName":"X","darkLogo":"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><script>1</script></svg>"}"#;
    let err = ocikit_core::ArtifactTypeDefinition::from_json(with_unsafe_dark).expect_err("unsafe");
    assert_eq!(err.code(), "LOGO_UNSAFE");
}

#[test]
fn pull_command_templates_are_checked_with_their_own_code() {
    let doc = vectors();
    for case in cases(&doc, "pullCommandTemplates") {
        let definition = serde_json::json!({
            "artifactType": "application/vnd.example.templates.v1+json",
            "displayName": "Templates",
            "pullCommands": case["pullCommands"],
        });
        let read = ocikit_core::ArtifactTypeDefinition::from_json(
            &serde_json::to_vec(&definition).expect("JSON"),
        );
        let name = &case["name"];
        match case["code"].as_str() {
            None => {
                let read = read.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(
                    serde_json::to_value(&read.pull_commands).expect("JSON"),
                    case["pullCommands"],
                    "{name}"
                );
            }
            Some(code) => {
                let err = read.expect_err(name.as_str().expect("name"));
                assert_eq!(err.code(), code, "{name}: {err}");
                let path = err
                    .details()
                    .into_iter()
                    .find_map(|(key, value)| match value {
                        ocikit_core::Detail::Text(text) if key == "path" => Some(text),
                        _ => None,
                    });
                assert_eq!(path.as_deref(), case["path"].as_str(), "{name}: {err}");
            }
        }
    }
}

#[test]
fn a_tag_page_can_start_after_a_tag() {
    use ocikit_core::registry::{Event, Input, ListTags, Session};
    let mut session = Session::new("127.0.0.1:5000", true, None);
    let reference = Reference::parse("127.0.0.1:5000/many:latest").expect("reference");
    let mut op = ListTags::after(&session, &reference, Some(1000), "t00999").expect("a tag");
    match op.next_page(&mut session, Input::Start, 0).expect("a step") {
        Event::Send(request) => assert_eq!(
            request.url,
            "http://127.0.0.1:5000/v2/many/tags/list?n=1000&last=t00999"
        ),
        other => panic!("{other:?}"),
    }
    let mut op = ListTags::after(&session, &reference, None, "v1").expect("a tag");
    match op.next(&mut session, Input::Start, 0).expect("a step") {
        Event::Send(request) => {
            assert_eq!(
                request.url,
                "http://127.0.0.1:5000/v2/many/tags/list?last=v1"
            );
        }
        other => panic!("{other:?}"),
    }
    let err = ListTags::after(&session, &reference, None, "a&b=c").expect_err("not a tag");
    assert_eq!(err.code(), "REFERENCE_INVALID");
}
