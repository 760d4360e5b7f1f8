//! The walk scenarios of tests/vectors/walks/ through `GraphWalk` and `ReferrerWalk`, with a
//! host that serves the scenario's documents and listings and counts what it is asked.

use std::collections::HashMap;
use std::path::PathBuf;

use ocikit_core::registry::walk::{
    GraphWalk, GraphWalkOptions, ReferrerTree, ReferrerWalk, Successors, WalkLimits, WalkStep,
    is_index_type,
};
use ocikit_core::{Descriptor, Digest, Error};
use serde_json::{Value, json};

fn vectors() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/walks");
    let mut found: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/vectors/walks")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    found.sort();
    assert!(found.len() >= 10, "the walk scenarios are there");
    found
        .into_iter()
        .map(|path| {
            let text = std::fs::read(&path).expect("read");
            let name = path
                .file_stem()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, serde_json::from_slice(&text).expect("json"))
        })
        .collect()
}

fn descriptor(value: &Value) -> Descriptor {
    Descriptor::from_json(value.to_string().as_bytes()).expect("descriptor")
}

fn limits(scenario: &Value) -> WalkLimits {
    let mut limits = WalkLimits::default();
    if let Some(given) = scenario.get("limits") {
        if let Some(depth) = given.get("max_depth").and_then(Value::as_u64) {
            limits.max_depth = u32::try_from(depth).expect("depth");
        }
        if let Some(nodes) = given.get("max_nodes").and_then(Value::as_u64) {
            limits.max_nodes = nodes;
        }
    }
    limits
}

/// A registry as the scenario describes it: documents by digest, referrers by subject, and
/// (with `invent`) a made-up referrer for every other subject.
struct Host<'a> {
    scenario: &'a Value,
    invented: HashMap<String, String>,
    fetches: u64,
    listings: u64,
}

impl<'a> Host<'a> {
    fn new(scenario: &'a Value) -> Self {
        Self {
            scenario,
            invented: HashMap::new(),
            fetches: 0,
            listings: 0,
        }
    }

    fn fetch(&mut self, digest: &Digest) -> Vec<u8> {
        self.fetches += 1;
        let key = digest.to_string();
        if let Some(text) = self.invented.get(&key) {
            return text.clone().into_bytes();
        }
        self.scenario["documents"][&key]["content"]
            .as_str()
            .unwrap_or_else(|| panic!("the scenario has no document {key}"))
            .as_bytes()
            .to_vec()
    }

    fn list(&mut self, subject: &Digest) -> Vec<Descriptor> {
        self.listings += 1;
        let key = subject.to_string();
        if let Some(listed) = self.scenario["listings"].get(&key) {
            return listed
                .as_array()
                .expect("list")
                .iter()
                .map(descriptor)
                .collect();
        }
        let Some(invent) = self.scenario.get("invent") else {
            return Vec::new();
        };
        let text = invent["template"]
            .as_str()
            .expect("template")
            .replace("{subject}", &key);
        let digest = ocikit_core::digest::sha256(text.as_bytes()).to_string();
        let made = json!({
            "mediaType": invent["mediaType"],
            "digest": digest,
            "size": text.len(),
            "artifactType": invent["artifactType"],
        });
        self.invented.insert(digest, text);
        vec![descriptor(&made)]
    }
}

fn run_graph(
    scenario: &Value,
    host: &mut Host<'_>,
) -> Result<ocikit_core::registry::CopyPlan, Error> {
    let options = GraphWalkOptions {
        referrers: scenario["referrers"].as_bool().expect("referrers"),
        limits: limits(scenario),
    };
    let mut walk = GraphWalk::new(vec![descriptor(&scenario["root"])], options);
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 1000, "the walk ends");
        let batch = walk.next_batch()?;
        if batch.is_empty() {
            break;
        }
        for step in batch {
            match step {
                WalkStep::Fetch(d) => walk.provide_document(&d.digest, host.fetch(&d.digest))?,
                WalkStep::Referrers(d) => {
                    walk.provide_referrers(&d.digest, host.list(&d.digest))?
                }
            }
        }
    }
    walk.finish()
}

fn run_referrers(scenario: &Value, host: &mut Host<'_>) -> Result<ReferrerTree, Error> {
    let root = descriptor(&scenario["root"]);
    let depth = scenario["depth"]
        .as_u64()
        .map(|d| u32::try_from(d).expect("depth"));
    let mut walk = ReferrerWalk::new(root.digest, depth, limits(scenario));
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 1000, "the walk ends");
        let batch = walk.next_batch()?;
        if batch.is_empty() {
            break;
        }
        for digest in batch {
            let listed = host.list(&digest);
            walk.provide(&digest, listed)?;
        }
    }
    walk.finish()
}

fn tree_json(tree: &ReferrerTree, parent: Option<usize>) -> Value {
    Value::Array(
        tree.children(parent)
            .map(|(at, node)| {
                json!({"digest": node.descriptor.digest.to_string(), "referrers": tree_json(tree, Some(at))})
            })
            .collect(),
    )
}

fn check_error(name: &str, expect: &Value, error: &Error) {
    assert_eq!(
        Some(error.code()),
        expect["error"].as_str(),
        "{name}: {error}"
    );
    if let Some(setting) = expect.get("setting").and_then(Value::as_str) {
        let named = error.details().into_iter().any(|(key, value)| {
            key == "setting" && value == ocikit_core::Detail::Text(setting.to_owned())
        });
        assert!(named, "{name}: {error} names {setting}");
        assert!(
            error.to_string().contains(setting),
            "{name}: the message says how to raise it"
        );
    }
}

#[test]
fn walk_scenarios() {
    for (name, scenario) in vectors() {
        let expect = &scenario["expect"];
        let mut host = Host::new(&scenario);
        match scenario["walk"].as_str().expect("walk") {
            "graph" => match run_graph(&scenario, &mut host) {
                Ok(plan) => {
                    assert!(
                        expect["error"].is_null(),
                        "{name}: expected {}",
                        expect["error"]
                    );
                    assert_eq!(
                        plan.blobs.len() as u64,
                        expect["blobs"].as_u64().expect("blobs"),
                        "{name}"
                    );
                    assert_eq!(
                        plan.manifests.len() as u64,
                        expect["waves"].as_u64().expect("waves"),
                        "{name}"
                    );
                    if let Some(order) = expect.get("order") {
                        let got: Vec<Vec<String>> = plan
                            .manifests
                            .iter()
                            .map(|wave| {
                                wave.iter()
                                    .map(|d| d.descriptor.digest.to_string())
                                    .collect()
                            })
                            .collect();
                        assert_eq!(json!(got), *order, "{name}");
                    }
                    // Every document is in the plan once, with the bytes served.
                    let mut seen = std::collections::HashSet::new();
                    for document in plan.manifests.iter().flatten() {
                        assert!(
                            seen.insert(document.descriptor.digest.clone()),
                            "{name}: once"
                        );
                        ocikit_core::verify(
                            &document.bytes,
                            &document.descriptor.digest,
                            Some(document.descriptor.size),
                        )
                        .expect("bytes kept");
                    }
                    assert_eq!(plan.roots, vec![descriptor(&scenario["root"])]);
                }
                Err(error) => check_error(&name, expect, &error),
            },
            "referrers" => match run_referrers(&scenario, &mut host) {
                Ok(tree) => {
                    assert!(
                        expect["error"].is_null(),
                        "{name}: expected {}",
                        expect["error"]
                    );
                    if let Some(nodes) = expect.get("nodes") {
                        assert_eq!(
                            tree.nodes.len() as u64,
                            nodes.as_u64().expect("nodes"),
                            "{name}"
                        );
                    }
                    if let Some(shape) = expect.get("tree") {
                        assert_eq!(tree_json(&tree, None), *shape, "{name}");
                    }
                }
                Err(error) => check_error(&name, expect, &error),
            },
            other => panic!("{name}: unknown walk {other}"),
        }
        assert_eq!(
            host.fetches,
            expect["fetches"].as_u64().unwrap_or(0),
            "{name}: fetches"
        );
        assert_eq!(
            host.listings,
            expect["listings"].as_u64().expect("listings"),
            "{name}: listings"
        );
    }
}

fn manifest_descriptor(content: &[u8]) -> Descriptor {
    Descriptor::for_content(
        ocikit_core::MediaType::parse("application/vnd.oci.image.manifest.v1+json").expect("mt"),
        content,
    )
}

#[test]
fn errors_are_sticky_and_misuse_is_named() {
    let root = manifest_descriptor(b"not json");
    let mut walk = GraphWalk::new(vec![root.clone()], GraphWalkOptions::default());
    // Providing what was not asked for yet.
    let early = walk
        .provide_document(&root.digest, b"not json".to_vec())
        .expect_err("not asked");
    assert_eq!(early.code(), "PROTOCOL_ERROR");
    assert!(early.to_string().contains("not asked for"), "{early}");
    let mut walk = GraphWalk::new(vec![root.clone()], GraphWalkOptions::default());
    assert_eq!(
        walk.next_batch().expect("batch"),
        vec![WalkStep::Fetch(root.clone())]
    );
    assert_eq!(
        walk.finish().expect_err("not over").code(),
        "PROTOCOL_ERROR"
    );
    let error = walk
        .provide_document(&root.digest, b"not json".to_vec())
        .expect_err("bad");
    assert_eq!(error.code(), "JSON_INVALID");
    // Every later call answers the same error.
    assert_eq!(walk.next_batch().expect_err("sticky"), error);
    assert_eq!(walk.finish().expect_err("sticky"), error);
}

#[test]
fn a_referrer_walk_with_depth_zero_asks_nothing_and_takes_its_tree_once() {
    let subject = ocikit_core::digest::sha256(b"s");
    let mut walk = ReferrerWalk::new(subject.clone(), Some(0), WalkLimits::default());
    assert!(walk.next_batch().expect("batch").is_empty());
    assert!(walk.finish().expect("tree").nodes.is_empty());
    assert_eq!(walk.finish().expect_err("taken").code(), "PROTOCOL_ERROR");
    let mut walk = ReferrerWalk::new(subject.clone(), None, WalkLimits::default());
    assert_eq!(walk.next_batch().expect("batch"), vec![subject.clone()]);
    let other = ocikit_core::digest::sha256(b"other");
    assert_eq!(
        walk.provide(&other, Vec::new())
            .expect_err("not asked")
            .code(),
        "PROTOCOL_ERROR"
    );
}

#[test]
fn successors_read_oci_and_docker_documents() {
    let docker = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;
    let read = Successors::read(
        "application/vnd.docker.distribution.manifest.v2+json",
        docker,
    )
    .expect("docker");
    assert!(!read.is_index);
    assert_eq!(read.children.len(), 1);
    // Served with a type that is not a manifest type: the document's own mediaType decides.
    let list = br#"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}"#;
    assert!(
        Successors::read("application/json", list)
            .expect("list")
            .is_index
    );
    assert!(is_index_type("application/vnd.oci.image.index.v1+json"));
    assert!(!is_index_type("application/vnd.oci.image.manifest.v1+json"));
    let missing =
        Successors::read("application/vnd.oci.image.index.v1+json", b"{}").expect_err("missing");
    assert_eq!(missing.code(), "FIELD_MISSING");
    // Deep nesting is an error, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        Successors::read("application/vnd.oci.image.index.v1+json", deep.as_bytes())
            .expect_err("deep")
            .code(),
        "JSON_INVALID"
    );
}

#[test]
fn node_and_byte_bounds_hold_for_copies() {
    // One index listing 50 distinct manifests, with max_nodes 20.
    let manifests: Vec<Descriptor> = (0..50)
        .map(|i| manifest_descriptor(format!("m{i}").as_bytes()))
        .collect();
    let index = ocikit_core::Index::new(manifests).into_document();
    let options = GraphWalkOptions {
        referrers: false,
        limits: WalkLimits {
            max_nodes: 20,
            ..WalkLimits::default()
        },
    };
    let mut walk = GraphWalk::new(vec![index.descriptor()], options);
    walk.next_batch().expect("root");
    let error = walk
        .provide_document(index.digest(), index.bytes().to_vec())
        .expect_err("over the node bound");
    assert_eq!(error.code(), "LIMIT_EXCEEDED");
    assert!(
        error.to_string().contains("WalkLimits.max_nodes"),
        "{error}"
    );
    let options = GraphWalkOptions {
        referrers: false,
        limits: WalkLimits {
            max_bytes: 10,
            ..WalkLimits::default()
        },
    };
    let mut walk = GraphWalk::new(vec![index.descriptor()], options);
    walk.next_batch().expect("root");
    let error = walk
        .provide_document(index.digest(), index.bytes().to_vec())
        .expect_err("over the byte bound");
    assert!(
        error.to_string().contains("WalkLimits.max_bytes"),
        "{error}"
    );
}

#[test]
fn missing_documents_are_left_out_of_the_plan() {
    // An index of two manifests, of which the host has one (a layout holding part of a graph).
    let present = ocikit_core::Manifest::new(Descriptor::empty(), Vec::new()).into_document();
    let absent = manifest_descriptor(b"not here");
    let index = ocikit_core::Index::new(vec![present.descriptor(), absent.clone()]).into_document();
    let mut walk = GraphWalk::new(vec![index.descriptor()], GraphWalkOptions::default());
    walk.next_batch().expect("root");
    walk.provide_document(index.digest(), index.bytes().to_vec())
        .expect("index");
    for step in walk.next_batch().expect("children") {
        let WalkStep::Fetch(d) = step else {
            panic!("only fetches")
        };
        if d.digest == absent.digest {
            walk.provide_missing(&d.digest).expect("missing");
        } else {
            walk.provide_document(&d.digest, present.bytes().to_vec())
                .expect("present");
        }
    }
    let plan = walk.finish().expect("plan");
    let documents: Vec<_> = plan
        .manifests
        .iter()
        .map(|wave| {
            wave.iter()
                .map(|d| d.descriptor.digest.clone())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        documents,
        vec![vec![present.digest().clone()], vec![index.digest().clone()]]
    );
    assert_eq!(
        walk.provide_missing(&absent.digest)
            .expect_err("over")
            .code(),
        "PROTOCOL_ERROR"
    );
}

#[test]
fn planned_documents_give_their_referrer_descriptor() {
    let (_, scenario) = vectors()
        .into_iter()
        .find(|(name, _)| name == "copy-index-with-referrers")
        .expect("scenario");
    let mut host = Host::new(&scenario);
    let plan = run_graph(&scenario, &mut host).expect("plan");
    let signature = plan
        .manifests
        .iter()
        .flatten()
        .find(|d| d.subject.is_some())
        .expect("the signature");
    let listed = signature.referrer_descriptor().expect("an OCI manifest");
    assert_eq!(listed.digest, signature.descriptor.digest);
    assert_eq!(
        listed.artifact_type.map(|t| t.to_string()).as_deref(),
        Some("application/vnd.example.signature.v1")
    );
    let index = plan.manifests.last().expect("waves")[0].clone();
    assert!(
        index
            .referrer_descriptor()
            .expect("an index")
            .artifact_type
            .is_none()
    );
}

#[test]
fn a_root_fetched_by_tag_is_read_as_what_it_is() {
    let layer = Descriptor::for_content(
        ocikit_core::MediaType::parse("text/plain").expect("mt"),
        b"hi",
    );
    let manifest = ocikit_core::Manifest::new(Descriptor::empty(), vec![layer]).into_document();
    // Served as application/json with a parameter: the document's own mediaType decides.
    let mut walk = GraphWalk::from_fetched(
        "application/json; charset=utf-8",
        manifest.digest().clone(),
        manifest.bytes().to_vec(),
        GraphWalkOptions::default(),
    );
    assert!(walk.next_batch().expect("nothing to fetch").is_empty());
    let plan = walk.finish().expect("plan");
    assert_eq!(
        plan.roots[0].media_type.as_str(),
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(plan.blobs.len(), 2);
    // Bytes that are not the digest's fail the walk at its first call.
    let mut walk = GraphWalk::from_fetched(
        "application/vnd.oci.image.manifest.v1+json",
        manifest.digest().clone(),
        b"{}".to_vec(),
        GraphWalkOptions::default(),
    );
    assert_eq!(
        walk.next_batch().expect_err("bad root").code(),
        "DIGEST_MISMATCH"
    );
}
