//! The crash regressions of the fuzz targets (`tests/vectors/fuzz/regressions.json`), replayed
//! through the targets' own bodies (`fuzz/src/targets.rs`, included here so that no libFuzzer
//! is needed): each input that once crashed a target must now pass all of its invariants.

#[allow(unreachable_pub, dead_code)]
#[path = "../../fuzz/src/targets.rs"]
mod targets;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

struct Case {
    name: String,
    target: String,
    input: Vec<u8>,
    open: bool,
}

fn cases() -> Vec<Case> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/fuzz/regressions.json"
    );
    let text = std::fs::read_to_string(path).expect("regressions.json");
    let vectors: Value = serde_json::from_str(&text).expect("JSON");
    vectors["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|case| Case {
            name: case["name"].as_str().expect("name").to_owned(),
            target: case["target"].as_str().expect("target").to_owned(),
            input: BASE64
                .decode(case["base64"].as_str().expect("base64"))
                .expect("base64 input"),
            open: !case["open"].is_null(),
        })
        .collect()
}

/// Replays `case`, returning the panic message if a target invariant broke.
fn replay(case: &Case) -> Option<String> {
    // layout_tar needs the wasm binding's tar reader: it replays in bindings-wasm's tests.
    let target = targets::target(&case.target)?;
    std::panic::catch_unwind(|| target(&case.input))
        .err()
        .map(|panic| {
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        })
}

#[test]
fn fixed_fuzz_findings_stay_fixed() {
    let mut failures = Vec::new();
    for case in cases().iter().filter(|c| !c.open) {
        assert!(
            targets::target(&case.target).is_some() || case.target == "layout_tar",
            "{}: unknown target {}",
            case.name,
            case.target
        );
        if let Some(message) = replay(case) {
            failures.push(format!("{} ({}): {message}", case.name, case.target));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Findings not fixed yet still reproduce (run with `--ignored`; each names its owner).
#[test]
#[ignore = "open fuzz findings: see tests/vectors/fuzz/regressions.json"]
fn open_fuzz_findings() {
    for case in cases().iter().filter(|c| c.open) {
        assert!(replay(case).is_some(), "{} passes now: close it", case.name);
    }
}

/// Every target runs on an empty and a tiny input (the regressions' harness itself works).
#[test]
fn every_target_takes_trivial_inputs() {
    for (name, target) in targets::TARGETS {
        for input in [&b""[..], b"\0", b"\xff\xff\xff\xff", b"{}"] {
            let outcome = std::panic::catch_unwind(|| target(input));
            assert!(outcome.is_ok(), "{name} on {input:?}");
        }
    }
}
