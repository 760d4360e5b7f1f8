//! The layout server answers the registry engine: real whole operations (push, attach, pull,
//! copy between a registry and layouts and between layouts, discover, delete, tags) run
//! against layouts held in memory by a test host that only carries out the server's file
//! steps.

mod common;

use ocikit_core::layout::{
    INDEX_FILE, LayoutExchange, LayoutInput, LayoutServer, LayoutStep, OCI_LAYOUT_FILE, blob_path,
    is_layout_host, layout_host, request_layout_host,
};
use ocikit_core::registry::{
    Body, CopyArtifact, CopyOptions, Delete, Discover, DiscoverOptions, Input, ListTags, Method,
    Pull, PullOptions, Push, PushArtifactOptions, Request, ResponseBody, Session, TagsOf,
};
use ocikit_core::{Descriptor, Digest, MediaType};

use common::{Host, packed, push, reference, sessions};

const DOCS: &str = "application/vnd.example.docs.v1";
const SBOM: &str = "application/vnd.example.sbom.v1";

/// A layout with `v1` pushed and two referrers (one docs, one sbom) attached.
fn populated() -> (Host, String, Descriptor, Vec<Descriptor>) {
    let layout = layout_host(1);
    let mut host = Host::default();
    host.add(&layout);
    let root = push(
        &mut host,
        &reference(&format!("{layout}/any:v1")),
        &packed("one", None, DOCS),
    )
    .expect("push");
    let mut referrers = Vec::new();
    for (text, artifact_type) in [("signature", SBOM), ("notes", DOCS)] {
        let referrer = packed(text, Some(root.clone()), artifact_type);
        let at = reference(&format!("{layout}/any@{}", referrer.manifest.digest()));
        referrers.push(push(&mut host, &at, &referrer).expect("attach"));
    }
    (host, layout, root, referrers)
}

#[test]
fn layout_hosts_are_made_and_recognised() {
    assert_eq!(layout_host(7), "layout-7.oci-layout.invalid");
    assert!(is_layout_host("layout-7.oci-layout.invalid"));
    assert!(is_layout_host("LAYOUT-7.OCI-LAYOUT.INVALID"));
    for other in [
        "registry.example",
        "layout-.oci-layout.invalid",
        "layout-x.oci-layout.invalid",
        "oci-layout.invalid",
    ] {
        assert!(!is_layout_host(other), "{other}");
    }
    assert_eq!(
        request_layout_host("https://layout-7.oci-layout.invalid/v2/x/tags/list").as_deref(),
        Some("layout-7.oci-layout.invalid")
    );
    assert_eq!(request_layout_host("https://r.example/v2/"), None);
    // References and sessions take the pseudo host as any registry.
    let reference = reference("layout-7.oci-layout.invalid/any/name:v1");
    assert_eq!(reference.registry(), "layout-7.oci-layout.invalid");
}

#[test]
fn push_attach_and_pull_work_on_a_layout_without_a_referrers_tag() {
    let (mut host, layout, root, referrers) = populated();
    let files = host.files(&layout);
    assert_eq!(
        files[OCI_LAYOUT_FILE],
        ocikit_core::layout::OCI_LAYOUT_CONTENT
    );
    let index = host.index(&layout);
    assert_eq!(index.tags(), ["v1"]);
    assert_eq!(index.resolve("v1").map(|d| &d.digest), Some(&root.digest));
    // The referrers are untagged entries; no `sha256-…` fallback tag was written.
    assert_eq!(index.manifests().len(), 3);
    for referrer in &referrers {
        assert!(index.resolve(&referrer.digest.to_string()).is_some());
    }
    assert!(
        !host.log.iter().any(|l| l.contains("/manifests/sha256-")),
        "{:?}",
        host.log
    );

    let mut pull = Pull::new(
        &reference(&format!("{layout}/x:v1")),
        PullOptions::default(),
    );
    let outcome = host
        .drive(&mut pull, &mut sessions(&[&layout]))
        .expect("pull");
    assert_eq!(outcome.files.len(), 1);
    assert_eq!(outcome.files[0].path, "a.txt");
    let digest = &outcome.files[0].descriptor.digest;
    assert_eq!(host.spool[digest], b"one");
}

#[test]
fn discover_lists_the_referrers_with_and_without_a_filter() {
    let (mut host, layout, root, referrers) = populated();
    let subject = reference(&format!("{layout}/x:v1"));
    let mut discover = Discover::new(&subject, DiscoverOptions::default());
    let outcome = host
        .drive(&mut discover, &mut sessions(&[&layout]))
        .expect("discover");
    assert_eq!(outcome.subject.digest, root.digest);
    let found: Vec<&Digest> = outcome
        .tree
        .nodes
        .iter()
        .map(|n| &n.descriptor.digest)
        .collect();
    assert_eq!(found, [&referrers[0].digest, &referrers[1].digest]);

    let mut discover = Discover::new(
        &subject,
        DiscoverOptions {
            artifact_type: Some(SBOM.into()),
            ..DiscoverOptions::default()
        },
    );
    let outcome = host
        .drive(&mut discover, &mut sessions(&[&layout]))
        .expect("discover");
    assert_eq!(outcome.tree.nodes.len(), 1);
    assert_eq!(outcome.tree.nodes[0].descriptor.digest, referrers[0].digest);
    assert_eq!(
        outcome.tree.nodes[0]
            .descriptor
            .artifact_type
            .as_ref()
            .map(MediaType::as_str),
        Some(SBOM)
    );

    // The answer is the referrers API's, filtered by the server.
    let request = get(&format!(
        "https://{layout}/v2/x/referrers/{}?artifactType={}",
        root.digest, "application%2Fvnd.example.docs.v1"
    ));
    let response = host.send(&request, None).expect("answers");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("OCI-Filters-Applied"), Some("artifactType"));
    let listed = ocikit_core::Index::from_json(response.body).expect("index");
    let listed: Vec<&Digest> = listed.value().manifests.iter().map(|d| &d.digest).collect();
    assert_eq!(listed, [&referrers[1].digest]);
    // Unfiltered: no header, both.
    let request = get(&format!("https://{layout}/v2/x/referrers/{}", root.digest));
    let response = host.send(&request, None).expect("answers");
    assert_eq!(response.header("OCI-Filters-Applied"), None);
    assert_eq!(
        ocikit_core::Index::from_json(response.body)
            .expect("index")
            .value()
            .manifests
            .len(),
        2
    );
}

fn get(url: &str) -> Request {
    // A request as the engine makes them, built through a real operation's first step.
    let mut session = Session::new("unused.example", false, None);
    let reference = reference("unused.example/x:v1");
    let mut list = ListTags::new(&session, &reference, None);
    let ocikit_core::registry::Event::Send(mut request) = list
        .next(&mut session, Input::Start, 0)
        .expect("first step")
    else {
        panic!("ListTags sends first");
    };
    request.url = url.to_owned();
    request
}

#[test]
fn copies_go_between_a_registry_and_layouts_and_between_layouts() {
    let (mut host, layout, root, referrers) = populated();
    // A registry (here served by another layout server under an ordinary host name).
    let registry = "registry.example:5000";
    host.add(registry);
    let mut copy = CopyArtifact::new(
        &reference(&format!("{layout}/x:v1")),
        &reference(&format!("{registry}/team/docs:v1")),
        CopyOptions {
            referrers: true,
            ..CopyOptions::default()
        },
    )
    .expect("copy");
    let outcome = host
        .drive(&mut copy, &mut sessions(&[&layout, registry]))
        .expect("layout to registry");
    assert_eq!(outcome.descriptor.digest, root.digest);
    assert_eq!(outcome.manifests.len(), 3);
    assert!(
        outcome.referrers_tags.is_empty(),
        "{:?}",
        outcome.referrers_tags
    );

    // Registry to a second layout, then that layout to a third.
    let second = layout_host(2);
    let third = layout_host(3);
    host.add(&second);
    host.add(&third);
    for (from, to) in [
        (format!("{registry}/team/docs:v1"), second.clone()),
        (format!("{second}/any:copied"), third.clone()),
    ] {
        let source = reference(&from);
        let mut copy = CopyArtifact::new(
            &source,
            &reference(&format!("{to}/ignored:copied")),
            CopyOptions {
                referrers: true,
                ..CopyOptions::default()
            },
        )
        .expect("copy");
        let outcome = host
            .drive(&mut copy, &mut sessions(&[source.registry(), &to]))
            .unwrap_or_else(|e| panic!("{from} to {to}: {e}"));
        assert_eq!(outcome.tags, ["copied"]);
    }
    let index = host.index(&third);
    assert_eq!(index.tags(), ["copied"]);
    assert_eq!(index.manifests().len(), 3);
    for referrer in &referrers {
        let path = blob_path(&referrer.digest);
        assert_eq!(host.files(&third)[&path], host.files(&layout)[&path]);
    }
    // Every blob came along, byte for byte.
    for (path, bytes) in host.files(&layout) {
        if path.starts_with("blobs/") {
            assert_eq!(host.files(&third).get(path), Some(bytes), "{path}");
        }
    }
}

#[test]
fn delete_removes_a_referrer_and_tags_of_finds_the_tags() {
    let (mut host, layout, root, referrers) = populated();
    // Another tag on the root.
    let tagged = reference(&format!("{layout}/x:stable"));
    let manifest = host.files(&layout)[&blob_path(&root.digest)].clone();
    let mut push = Push::manifest(
        &tagged,
        root.media_type.as_str(),
        manifest,
        PushArtifactOptions::default(),
    )
    .expect("push");
    host.drive(&mut push, &mut sessions(&[&layout]))
        .expect("tag");
    let mut tags_of = TagsOf::new(&reference(&format!("{layout}/x")), &root.digest, 100);
    let outcome = host
        .drive(&mut tags_of, &mut sessions(&[&layout]))
        .expect("tags of");
    assert_eq!(outcome.tags, ["stable", "v1"]);

    let gone = &referrers[0];
    let mut delete = Delete::new(&reference(&format!("{layout}/x@{}", gone.digest)));
    let mut known = sessions(&[&layout]);
    known
        .get_mut(&layout)
        .expect("session")
        .set_referrers_api(true);
    let outcome = host.drive(&mut delete, &mut known).expect("delete");
    assert_eq!(outcome.subject.map(|s| s.digest), Some(root.digest.clone()));
    assert_eq!(outcome.referrers_tag, None);
    assert!(!host.files(&layout).contains_key(&blob_path(&gone.digest)));
    assert!(
        host.index(&layout)
            .resolve(&gone.digest.to_string())
            .is_none()
    );
    let mut discover = Discover::new(
        &reference(&format!("{layout}/x:v1")),
        DiscoverOptions::default(),
    );
    let outcome = host
        .drive(&mut discover, &mut sessions(&[&layout]))
        .expect("discover");
    let found: Vec<&Digest> = outcome
        .tree
        .nodes
        .iter()
        .map(|n| &n.descriptor.digest)
        .collect();
    assert_eq!(found, [&referrers[1].digest]);

    // Deleting what is not there is the registry's MANIFEST_UNKNOWN.
    let mut delete = Delete::new(&reference(&format!("{layout}/x@{}", gone.digest)));
    let err = host
        .drive(&mut delete, &mut sessions(&[&layout]))
        .expect_err("gone");
    assert_eq!(err.code(), "MANIFEST_UNKNOWN");
}

#[test]
fn tags_move_and_list_in_pages() {
    let (mut host, layout, root, _) = populated();
    let other = push(
        &mut host,
        &reference(&format!("{layout}/x:v1")),
        &packed("two", None, DOCS),
    )
    .expect("push");
    let index = host.index(&layout);
    assert_eq!(index.resolve("v1").map(|d| &d.digest), Some(&other.digest));
    assert!(
        index.resolve(&root.digest.to_string()).is_some(),
        "the old manifest stays, untagged"
    );
    for tag in ["b", "a", "c"] {
        push(
            &mut host,
            &reference(&format!("{layout}/x:{tag}")),
            &packed(tag, None, DOCS),
        )
        .expect("push");
    }
    let response = host
        .send(&get(&format!("https://{layout}/v2/x/tags/list?n=2")), None)
        .expect("page");
    let page: serde_json::Value = serde_json::from_slice(&response.body).expect("json");
    assert_eq!(page["tags"], serde_json::json!(["a", "b"]));
    assert_eq!(
        response.header("Link"),
        Some("</v2/x/tags/list?n=2&last=b>; rel=\"next\"")
    );
    let mut list = ListTags::new(
        &Session::new(&layout, false, None),
        &reference(&format!("{layout}/x")),
        Some(2),
    );
    let mut session = Session::new(&layout, false, None);
    let mut input = Input::Start;
    let tags = loop {
        match list.next(&mut session, input, 0).expect("lists") {
            ocikit_core::registry::Event::Send(request) => {
                input = Input::Response(host.send(&request, None).expect("answers"));
            }
            ocikit_core::registry::Event::Wait(_) => input = Input::Resume,
            ocikit_core::registry::Event::Done(tags) => break tags,
        }
    };
    assert_eq!(tags, ["a", "b", "c", "v1"]);
}

#[test]
fn a_range_get_continues_a_blob() {
    let (host, layout, _, _) = populated();
    let (path, bytes) = host
        .files(&layout)
        .iter()
        .find(|(_, b)| b.as_slice() == b"one")
        .map(|(p, b)| (p.clone(), b.clone()))
        .expect("the layer");
    let digest = Digest::parse(&path.replacen("blobs/", "", 1).replacen('/', ":", 1)).expect("d");
    let mut request = get(&format!("https://{layout}/v2/x/blobs/{digest}"));
    request.headers.push(("Range".into(), "bytes=1-".into()));
    request.response_body = ResponseBody::Stream { max: 2 };
    let mut server = LayoutServer::new();
    let mut exchange = LayoutExchange::new(&request);
    let step = exchange
        .next(&mut server, LayoutInput::Start)
        .expect("stat");
    assert_eq!(step, LayoutStep::Stat { path: path.clone() });
    let LayoutStep::Respond { response, file } = exchange
        .next(&mut server, LayoutInput::Stat(Some(bytes.len() as u64)))
        .expect("answers")
    else {
        panic!("an answer");
    };
    assert_eq!(response.status, 206);
    assert_eq!(response.header("Content-Range"), Some("bytes 1-2/3"));
    let file = file.expect("a file to stream");
    assert_eq!((file.offset, file.length), (1, 2));
    // Past the end: 416, and the engine asks for the whole blob.
    request.headers[1].1 = "bytes=3-".into();
    let mut exchange = LayoutExchange::new(&request);
    exchange
        .next(&mut server, LayoutInput::Start)
        .expect("stat");
    let LayoutStep::Respond { response, file } = exchange
        .next(&mut server, LayoutInput::Stat(Some(3)))
        .expect("answers")
    else {
        panic!("an answer");
    };
    assert_eq!((response.status, file), (416, None));
    // A step after the answer is the host's misuse.
    assert_eq!(
        exchange
            .next(&mut server, LayoutInput::Written)
            .expect_err("over")
            .code(),
        "OPERATION_MISUSE"
    );
}

#[test]
fn a_missing_bad_or_too_big_index_is_answered_or_refused_with_a_code() {
    let layout = layout_host(9);
    // Missing: no manifest, no repository.
    let mut host = Host::default();
    host.add(&layout);
    let mut pull = Pull::new(
        &reference(&format!("{layout}/x:v1")),
        PullOptions::default(),
    );
    let err = host
        .drive(&mut pull, &mut sessions(&[&layout]))
        .expect_err("nothing there");
    assert_eq!(err.code(), "MANIFEST_UNKNOWN");
    let response = host
        .send(&get(&format!("https://{layout}/v2/x/tags/list")), None)
        .expect("answers");
    assert_eq!(response.status, 404);
    assert!(String::from_utf8_lossy(&response.body).contains("NAME_UNKNOWN"));

    // Bad: the index's own validation code.
    let mut host = Host::default();
    host.add(&layout);
    let served = host.served.get_mut(&layout).expect("served");
    served
        .files
        .0
        .insert(INDEX_FILE.into(), b"{\"manifests\": 3}".to_vec());
    let mut pull = Pull::new(
        &reference(&format!("{layout}/x:v1")),
        PullOptions::default(),
    );
    let err = host
        .drive(&mut pull, &mut sessions(&[&layout]))
        .expect_err("bad index");
    assert!(
        matches!(
            err.code(),
            "JSON_INVALID" | "SCHEMA_VERSION_INVALID" | "FIELD_MISSING"
        ),
        "{err}"
    );

    // Too big: LIMIT_EXCEEDED, read no further than the limit and one byte.
    let mut server = LayoutServer::with_index_max(16);
    let mut exchange = LayoutExchange::new(&get(&format!("https://{layout}/v2/x/tags/list")));
    assert_eq!(
        exchange
            .next(&mut server, LayoutInput::Start)
            .expect("read"),
        LayoutStep::Read {
            path: INDEX_FILE.into(),
            max: 16
        }
    );
    let err = exchange
        .next(&mut server, LayoutInput::Read(Some(vec![b' '; 17])))
        .expect_err("too big");
    assert_eq!(err.code(), "LIMIT_EXCEEDED");
}

#[test]
fn a_corrupt_document_and_a_bad_upload_are_refused() {
    let (mut host, layout, root, _) = populated();
    let served = host.served.get_mut(&layout).expect("served");
    served
        .files
        .0
        .insert(blob_path(&root.digest), b"{\"schemaVersion\":2}".to_vec());
    served.server.reload();
    let mut pull = Pull::new(
        &reference(&format!("{layout}/x:v1")),
        PullOptions::default(),
    );
    let err = host
        .drive(&mut pull, &mut sessions(&[&layout]))
        .expect_err("corrupt");
    assert_eq!(err.code(), "DIGEST_MISMATCH");

    // A pushed manifest whose blobs the layout lacks: MANIFEST_BLOB_UNKNOWN, as a registry.
    let lonely = packed("lonely", None, DOCS);
    let mut push = Push::manifest(
        &reference(&format!("{layout}/x:lonely")),
        "application/vnd.oci.image.manifest.v1+json",
        lonely.manifest.bytes().to_vec(),
        PushArtifactOptions::default(),
    )
    .expect("push");
    let err = host
        .drive(&mut push, &mut sessions(&[&layout]))
        .expect_err("blobs missing");
    assert_eq!(err.code(), "MANIFEST_BLOB_UNKNOWN");

    // An upload whose bytes are not its digest: DIGEST_INVALID, nothing stored.
    let bytes = b"actual".to_vec();
    let claimed = Descriptor::for_content(MediaType::parse("text/plain").expect("mt"), b"claimed");
    host.spool.insert(claimed.digest.clone(), bytes);
    let mut request = get(&format!("https://{layout}/v2/x/blobs/uploads/"));
    request.method = Method::Post;
    let started = host.send(&request, None).expect("started");
    assert_eq!(started.status, 202);
    let location = started.header("Location").expect("location").to_owned();
    let mut request = get(&format!(
        "https://{layout}{location}?digest={}",
        claimed.digest
    ));
    request.method = Method::Put;
    request.body = Body::Blob {
        offset: 0,
        length: 6,
    };
    let response = host.send(&request, Some(&claimed)).expect("answered");
    assert_eq!(response.status, 400);
    assert!(String::from_utf8_lossy(&response.body).contains("DIGEST_INVALID"));
    assert!(
        !host
            .files(&layout)
            .contains_key(&blob_path(&claimed.digest))
    );
}

#[test]
fn a_reload_between_steps_loses_nothing() {
    let (mut host, layout, root, _) = populated();
    // A tag pushed while another host call made the server forget index.json.
    let manifest = host.files(&layout)[&blob_path(&root.digest)].clone();
    let mut request = get(&format!("https://{layout}/v2/x/manifests/again"));
    request.method = Method::Put;
    request.headers = vec![(
        "Content-Type".into(),
        "application/vnd.oci.image.manifest.v1+json".into(),
    )];
    request.body = Body::Bytes(manifest);
    let served = host.served.get_mut(&layout).expect("served");
    let mut exchange = LayoutExchange::new(&request);
    let mut step = exchange
        .next(&mut served.server, LayoutInput::Start)
        .expect("step");
    let mut reloaded = false;
    let response = loop {
        let input = match step {
            LayoutStep::Read { path, .. } => LayoutInput::Read(served.files.0.get(&path).cloned()),
            LayoutStep::Stat { path } => {
                LayoutInput::Stat(served.files.0.get(&path).map(|b| b.len() as u64))
            }
            LayoutStep::Write { path, bytes } => {
                if path != INDEX_FILE && !reloaded {
                    served.server.reload();
                    reloaded = true;
                }
                served.files.0.insert(path, bytes);
                LayoutInput::Written
            }
            LayoutStep::Respond { response, .. } => break response,
            other => panic!("unexpected {other:?}"),
        };
        step = exchange.next(&mut served.server, input).expect("step");
    };
    assert!(reloaded);
    assert_eq!(response.status, 201);
    let index = host.index(&layout);
    assert_eq!(index.tags(), ["v1", "again"]);
    assert_eq!(index.manifests().len(), 4, "the referrers stayed listed");
}
