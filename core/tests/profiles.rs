//! Registry profiles and their lint, against the shared vectors in tests/vectors/profiles/
//! (read by the Python and JS suites too).

use std::collections::BTreeSet;
use std::path::PathBuf;

use ocikit_core::Error;
use ocikit_core::profiles::{
    Profile, RULES, RegistryLint, Rule, Source, Target, lint_for_registry, lint_target,
};
use serde_json::Value;

fn vectors() -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/profiles/lint.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The case's document bytes: the named document with its top-level keys patched, compact,
/// padded with spaces to `size`.
fn document(vectors: &Value, case: &Value) -> Vec<u8> {
    if let Some(text) = case["document_text"].as_str() {
        return text.as_bytes().to_vec();
    }
    let name = case["document"].as_str().expect("document");
    let mut doc = vectors["documents"][name].clone();
    if let Some(patch) = case["patch"].as_object() {
        let object = doc.as_object_mut().expect("an object");
        for (key, value) in patch {
            if value.is_null() {
                object.remove(key);
            } else {
                object.insert(key.clone(), value.clone());
            }
        }
    }
    let mut bytes = serde_json::to_vec(&doc).expect("serializable");
    if let Some(size) = case["size"].as_u64() {
        let size = usize::try_from(size).expect("a size");
        assert!(bytes.len() <= size, "{}", case["name"]);
        bytes.resize(size, b' ');
    }
    bytes
}

/// Lints a case: its document against its target, or (a null document) the target alone.
fn lint(vectors: &Value, case: &Value) -> Result<RegistryLint, Error> {
    let target = Target::parse(case["target"].as_str().expect("target"))?;
    let profile = case["profile"].as_str();
    if case["document"].is_null() && case["document_text"].is_null() {
        lint_target(&target, profile)
    } else {
        lint_for_registry(&document(vectors, case), &target, profile)
    }
}

#[test]
fn every_lint_vector_gives_its_findings() {
    let vectors = vectors();
    for case in vectors["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let lint = lint(&vectors, case).unwrap_or_else(|e| panic!("{name}: {e}"));
        let found: Vec<(String, String, String)> = lint
            .findings
            .iter()
            .map(|f| (f.code.to_owned(), f.severity.to_string(), f.path.clone()))
            .collect();
        let expected: Vec<(String, String, String)> = case["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                let s = |i: usize| f[i].as_str().expect("a string").to_owned();
                (s(0), s(1), s(2))
            })
            .collect();
        assert_eq!(found, expected, "{name}: {:#?}", lint.findings);
        assert_eq!(
            lint.ok(),
            !expected.iter().any(|f| f.1 == "error"),
            "{name}"
        );
        for finding in &lint.findings {
            let rule = Rule::get(finding.code).expect("a rule");
            assert_eq!(finding.rule, rule.label, "{name}");
            // The message names the fix's sources, and every cited source is in the result.
            assert!(
                finding
                    .message
                    .ends_with(&format!("[{}]", rule.sources.join(", "))),
                "{name}: {}",
                finding.message
            );
            for tag in rule.sources {
                assert!(
                    lint.sources().iter().any(|s| s.tag == *tag),
                    "{name}: {tag}"
                );
            }
        }
    }
}

#[test]
fn every_static_rule_has_a_triggering_and_a_clean_case() {
    let vectors = vectors();
    let statics: BTreeSet<&str> = RULES
        .iter()
        .filter(|r| r.is_static)
        .map(|r| r.code)
        .collect();
    let listed: BTreeSet<&str> = vectors["static_rules"]
        .as_array()
        .expect("static_rules")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(statics, listed);
    for code in statics {
        let cases: Vec<&Value> = vectors["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .filter(|c| c["rule"] == code)
            .collect();
        let triggers = |c: &&Value| {
            c["findings"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f[0] == code))
        };
        assert!(cases.iter().any(triggers), "{code} has no triggering case");
        assert!(
            cases
                .iter()
                .any(|c| c["findings"].as_array().is_some_and(Vec::is_empty)),
            "{code} has no clean case"
        );
    }
}

#[test]
fn bad_inputs_raise_coded_errors() {
    let vectors = vectors();
    for case in vectors["errors"].as_array().expect("errors") {
        let name = case["name"].as_str().expect("name");
        let expected = case["error"].as_str().expect("error");
        match lint(&vectors, case) {
            Err(err) => assert_eq!(err.code(), expected, "{name}"),
            Ok(lint) => panic!("{name}: expected {expected}, got {lint:?}"),
        }
    }
}

#[test]
fn hosts_select_their_profiles() {
    let vectors = vectors();
    for case in vectors["profiles"].as_array().expect("profiles") {
        let host = case["host"].as_str().expect("host");
        let name = Profile::for_host(host)
            .unwrap_or_else(Profile::generic)
            .name;
        assert_eq!(name, case["profile"], "{host}");
    }
}

#[test]
fn profiles_and_rules_cite_known_sources_with_dates() {
    let names: BTreeSet<&str> = Profile::names().collect();
    for wanted in ["harbor", "zot", "distribution", "quay", "gitlab", "generic"] {
        assert!(names.contains(wanted), "{wanted}");
    }
    assert_eq!(names.len(), Profile::names().count(), "names are unique");
    for profile in ocikit_core::profiles::PROFILES {
        assert!(!profile.facts.is_empty(), "{}", profile.name);
        for fact in profile.facts {
            assert!(!fact.as_of.is_empty());
            for tag in fact.sources {
                let source = Source::get(tag).unwrap_or_else(|| panic!("{tag}"));
                assert!(!source.date.is_empty() && !source.cite.is_empty());
            }
        }
    }
    for (i, rule) in RULES.iter().enumerate() {
        assert_eq!(rule.code, format!("RQ{:03}", i + 1));
        assert_eq!(
            rule.label,
            format!("{} {} [{}]", rule.code, rule.name, rule.sources.join(","))
        );
    }
    let gitlab = ocikit_core::profiles::GITLAB_MEDIA_TYPES;
    assert_eq!(gitlab.len(), 103);
    assert!(
        gitlab.windows(2).all(|w| w[0] < w[1]),
        "sorted for binary search"
    );
}

#[test]
fn rq_codes_are_listed_in_error_codes() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/error-codes.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("error-codes.json"))
            .expect("json");
    let listed: BTreeSet<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    for rule in RULES {
        assert!(
            listed.contains(rule.code),
            "{} is not in error-codes.json",
            rule.code
        );
    }
}

#[test]
fn an_unknown_profile_names_every_profile() {
    let target = Target::parse("ghcr.io").expect("a host");
    let err = lint_target(&target, Some("nexus")).expect_err("no such profile");
    assert_eq!(err.code(), "OPTIONS_INVALID");
    let message = err.to_string();
    for name in Profile::names() {
        assert!(message.contains(name), "{name} is not in {message}");
    }
}
