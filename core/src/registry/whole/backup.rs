//! Backup and restore (ORAS 1.3's `oras backup` / `oras restore`): which tags they copy, and
//! whether a restore goes on.
//!
//! The copies themselves are [`Copy`](super::copy) between a registry and an OCI layout; what is
//! decided here is the selection, the same for every host:
//!
//! - the reference is `REGISTRY/REPOSITORY[:TAG[,TAG…]]`: the first tag is the reference's,
//!   the others follow commas (an empty one is `REFERENCE_INVALID`), each kept once in the
//!   order given;
//! - a backup takes tags, not a digest (the layout records each artifact under its tag:
//!   `REFERENCE_INVALID`); a restore ignores a digest and takes the tags;
//! - with no tag named, every tag listed (the registry's for a backup, the layout's for a
//!   restore), sorted, but the referrers tag schema's (`sha256-<hex>`: a subject's referrers,
//!   copied with the referrers themselves, never as an artifact of their own);
//! - nothing to copy is `MANIFEST_UNKNOWN`, naming the repository or the layout.
//!
//! A backup needs the registry's tag list only when no tag is named, so the host asks first
//! with no listing and lists only when told to:
//!
//! ```
//! use ocikit_core::registry::whole::backup::{Direction, Selection, select_tags};
//!
//! let named = select_tags(&Direction::Backup, "127.0.0.1:5000/docs:v1,v2", None).unwrap();
//! assert_eq!(named, Selection::Tags {
//!     repository: "127.0.0.1:5000/docs".into(),
//!     tags: vec!["v1".into(), "v2".into()],
//! });
//!
//! let every = select_tags(&Direction::Backup, "127.0.0.1:5000/docs", None).unwrap();
//! assert_eq!(every, Selection::ListTags { repository: "127.0.0.1:5000/docs".into() });
//! let referrers = format!("sha256-{}", "a".repeat(64));
//! let listed = ["v2".to_owned(), referrers, "v1".to_owned()];
//! let every = select_tags(&Direction::Backup, "127.0.0.1:5000/docs", Some(&listed)).unwrap();
//! assert_eq!(every, Selection::Tags {
//!     repository: "127.0.0.1:5000/docs".into(),
//!     tags: vec!["v1".into(), "v2".into()],
//! });
//! ```
//!
//! A restore also decides twice whether to go on, the same for every host: before any request,
//! [`restorable`] refuses a layout its verification ([`crate::layout::verify`]) finds damaged
//! (nothing is pushed from it, and the refusal has the damage's code); after each tag's copy,
//! [`restored`] checks that the tag, resolved at the destination, names the layout's digest:
//!
//! ```
//! use ocikit_core::digest::sha256;
//! use ocikit_core::registry::whole::backup::restored;
//!
//! let (layout, served) = (sha256(b"layout"), sha256(b"another writer's"));
//! assert!(restored("127.0.0.1:5000/docs:v1", &layout, &layout).is_ok());
//! let moved = restored("127.0.0.1:5000/docs:v1", &layout, &served).unwrap_err();
//! assert_eq!(moved.code(), "DIGEST_MISMATCH");
//! ```

use std::collections::HashSet;

use crate::artifact_type::{TagKind, classify_tag};
use crate::reference::{Reference, check_tag_text};
use crate::{Digest, Error, Report, Severity};

/// Which way the artifacts go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Direction {
    /// From a registry into a layout: the tags listed are the registry's.
    Backup,
    /// From a layout to a registry: the tags listed are the layout's.
    Restore {
        /// How the layout is named in an error (its path, or what the host calls it).
        layout: String,
    },
}

/// What the host does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Copy these tags (in this order) of `repository` (`registry/repository`).
    Tags {
        /// The repository, `registry/repository`.
        repository: String,
        /// The tags, each once.
        tags: Vec<String>,
    },
    /// No tag was named: list the repository's tags and ask again with them.
    ListTags {
        /// The repository to list, `registry/repository`.
        repository: String,
    },
}

/// Which tags a backup or restore of `reference` (`REGISTRY/REPOSITORY[:TAG[,TAG…]]`) copies,
/// given the tags `listed` (the registry's for a backup, the layout's for a restore; `None`
/// when not listed yet).
///
/// The tags named (the reference's, then those after commas, each once) win; with none named,
/// it is every listed tag but the referrers tag schema's, sorted, or [`Selection::ListTags`]
/// when `listed` is `None`.
///
/// # Errors
/// [`Error::ReferenceInvalid`] for an empty tag after a comma, a reference or tag that breaks
/// the grammar and, for a backup, a digest; [`Error::NoTagsToCopy`] (`MANIFEST_UNKNOWN`) when
/// no tag is named and none is listed.
pub fn select_tags(
    direction: &Direction,
    reference: &str,
    listed: Option<&[String]>,
) -> Result<Selection, Error> {
    let mut parts = reference.split(',');
    let first = parts.next().unwrap_or_default();
    let more: Vec<&str> = parts.collect();
    if more.iter().any(|tag| tag.is_empty()) {
        return Err(Error::ReferenceInvalid {
            value: reference.to_owned(),
            reason: "an empty tag after a comma",
        });
    }
    let parsed = Reference::parse(first)?;
    if *direction == Direction::Backup && parsed.digest().is_some() {
        return Err(Error::ReferenceInvalid {
            value: reference.to_owned(),
            reason: "a digest (a backup takes tags: the layout records each artifact under its tag)",
        });
    }
    let repository = format!("{}/{}", parsed.registry(), parsed.repository());
    let mut tags: Vec<String> = parsed.tag().map(str::to_owned).into_iter().collect();
    // Each once, in linear time however many a reference names.
    let mut seen: HashSet<&str> = parsed.tag().into_iter().collect();
    for tag in more {
        // Checked now, so that a bad one stops the copy before anything is copied.
        check_tag_text(tag)?;
        if seen.insert(tag) {
            tags.push(tag.to_owned());
        }
    }
    if !tags.is_empty() {
        return Ok(Selection::Tags { repository, tags });
    }
    let Some(listed) = listed else {
        return Ok(Selection::ListTags { repository });
    };
    // The referrers tag schema's tags travel with the referrers they list.
    let mut tags: Vec<String> = listed
        .iter()
        .filter(|tag| classify_tag(tag).kind != TagKind::Referrers)
        .cloned()
        .collect();
    tags.sort();
    if tags.is_empty() {
        return Err(match direction {
            Direction::Backup => Error::NoTagsToCopy {
                source: "repository",
                name: repository,
            },
            Direction::Restore { layout } => Error::NoTagsToCopy {
                source: "layout",
                name: layout.clone(),
            },
        });
    }
    Ok(Selection::Tags { repository, tags })
}

/// Whether a restore may push from the layout named `layout` (its path, or what the host calls
/// it), given its verification `report`: nothing is pushed from a damaged layout.
///
/// # Errors
/// [`Error::LayoutDamaged`] when the report has an error finding, with the first one's code
/// (`DIGEST_MISMATCH`, `SIZE_MISMATCH`, `BLOB_MISSING`, …) and path; warnings do not stop a
/// restore.
pub fn restorable(layout: &str, report: &Report) -> Result<(), Error> {
    // Decided by the findings themselves (a report is valid iff none is an error).
    match report
        .findings
        .iter()
        .find(|finding| finding.severity == Severity::Error)
    {
        Some(finding) => Err(Error::LayoutDamaged {
            layout: layout.to_owned(),
            finding: finding.clone(),
        }),
        None => Ok(()),
    }
}

/// Whether the tag `reference` (`registry/repository:tag`) a restore copied is restored: resolved
/// at the destination right after its copy, it must name `expected`, the layout's digest;
/// `served` is the digest it names.
///
/// # Errors
/// [`Error::TagMismatch`] (`DIGEST_MISMATCH`) when `served` is another digest.
pub fn restored(reference: &str, expected: &Digest, served: &Digest) -> Result<(), Error> {
    if served == expected {
        return Ok(());
    }
    Err(Error::TagMismatch {
        reference: reference.to_owned(),
        expected: expected.clone(),
        actual: served.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Detail;

    const REPO: &str = "127.0.0.1:5000/team/docs";

    fn restore() -> Direction {
        Direction::Restore {
            layout: "backup.tar".into(),
        }
    }

    fn strings(tags: &[&str]) -> Vec<String> {
        tags.iter().map(|t| (*t).to_owned()).collect()
    }

    fn tags(direction: &Direction, reference: &str, listed: Option<&[&str]>) -> Vec<String> {
        let listed = listed.map(strings);
        match select_tags(direction, reference, listed.as_deref()).expect("selected") {
            Selection::Tags { repository, tags } => {
                assert_eq!(repository, REPO);
                tags
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn named_tags_in_order_each_once_and_listing_ignored() {
        let r = format!("{REPO}:b,a,b,c");
        for direction in [Direction::Backup, restore()] {
            assert_eq!(tags(&direction, &r, None), ["b", "a", "c"]);
            assert_eq!(tags(&direction, &r, Some(&["x"])), ["b", "a", "c"]);
        }
    }

    #[test]
    fn every_listed_tag_sorted_without_the_referrers_tag_schema() {
        let referrers = format!("sha256-{}", "0".repeat(64));
        let signature = format!("sha256-{}.sig", "0".repeat(64));
        let listed = [
            "v2",
            referrers.as_str(),
            "v1",
            signature.as_str(),
            "sha256-x",
        ];
        for direction in [Direction::Backup, restore()] {
            assert_eq!(
                tags(&direction, REPO, Some(&listed)),
                [signature.as_str(), "sha256-x", "v1", "v2"]
            );
        }
    }

    #[test]
    fn many_named_tags_are_kept_once_in_linear_time() {
        let named: Vec<String> = (0..200_000).map(|i| format!("t{i}")).collect();
        let r = format!("{REPO}:t0,{},{}", named.join(","), named.join(","));
        assert_eq!(tags(&Direction::Backup, &r, None), named);
    }

    #[test]
    fn a_backup_lists_only_when_no_tag_is_named() {
        assert_eq!(
            select_tags(&Direction::Backup, REPO, None).expect("selected"),
            Selection::ListTags {
                repository: REPO.into()
            }
        );
    }

    #[test]
    fn an_empty_tag_after_a_comma_is_refused() {
        for r in [
            format!("{REPO}:v1,"),
            format!("{REPO}:v1,,v2"),
            format!("{REPO},"),
        ] {
            let err = select_tags(&Direction::Backup, &r, None).expect_err("refused");
            assert_eq!(err.code(), "REFERENCE_INVALID");
            assert_eq!(
                err.to_string(),
                format!("invalid reference {r:?}: an empty tag after a comma")
            );
            assert_eq!(
                err.details(),
                [
                    ("value", Detail::Text(r.clone())),
                    ("reason", Detail::Text("an empty tag after a comma".into()))
                ]
            );
            assert_eq!(
                select_tags(&restore(), &r, None)
                    .expect_err("refused")
                    .code(),
                "REFERENCE_INVALID"
            );
        }
    }

    #[test]
    fn a_backup_refuses_a_digest_and_a_restore_takes_the_tags() {
        let r = format!("{REPO}@sha256:{}", "a".repeat(64));
        let err = select_tags(&Direction::Backup, &r, None).expect_err("refused");
        assert_eq!(err.code(), "REFERENCE_INVALID");
        assert_eq!(
            err.details()[1],
            (
                "reason",
                Detail::Text(
                    "a digest (a backup takes tags: the layout records each artifact under its tag)"
                        .into()
                )
            )
        );
        assert_eq!(tags(&restore(), &r, Some(&["v1"])), ["v1"]);
    }

    #[test]
    fn a_reference_that_breaks_the_grammar_keeps_its_error() {
        for r in [
            "no-registry",
            "127.0.0.1:5000/Upper:v1",
            "127.0.0.1:5000/r@sha256:zz",
        ] {
            let err = select_tags(&Direction::Backup, r, None).expect_err("refused");
            assert_eq!(err, Reference::parse(r).expect_err("refused"));
        }
        assert_eq!(
            select_tags(&Direction::Backup, "r:v1,v2", None)
                .expect_err("refused")
                .code(),
            "REFERENCE_INVALID"
        );
        assert_eq!(
            select_tags(&Direction::Backup, &format!("{REPO}:v1,bad tag"), None)
                .expect_err("refused")
                .code(),
            "REFERENCE_INVALID"
        );
    }

    /// A layout (a map of its files) with one packed artifact tagged `v1`.
    struct Files(std::collections::HashMap<String, Vec<u8>>);

    impl crate::layout::LayoutSource for Files {
        fn read(&mut self, path: &str) -> Option<Vec<u8>> {
            self.0.get(path).cloned()
        }
        fn digest(&mut self, path: &str, algorithm: &crate::Algorithm) -> Option<(Digest, u64)> {
            let bytes = self.0.get(path)?;
            let mut digester = crate::Digester::new(algorithm).ok()?;
            digester.update(bytes);
            Some((digester.finalize(), digester.size()))
        }
    }

    fn packed_layout() -> (Files, crate::Document<crate::Manifest>) {
        use crate::layout::{INDEX_FILE, Layout, OCI_LAYOUT_CONTENT, OCI_LAYOUT_FILE, blob_path};
        let packed = crate::pack::Pack::new()
            .artifact_type(
                crate::MediaType::parse("application/vnd.example.docs.config.v1+json")
                    .expect("media type"),
            )
            .file(crate::pack::File::from_bytes("a.md", b"# A\n".to_vec()))
            .build()
            .expect("packs");
        let mut files = std::collections::HashMap::new();
        files.insert(OCI_LAYOUT_FILE.to_owned(), OCI_LAYOUT_CONTENT.to_vec());
        for blob in &packed.blobs {
            files.insert(
                blob_path(&blob.descriptor.digest),
                blob.bytes.clone().expect("bytes"),
            );
        }
        let manifest = packed.manifest;
        files.insert(blob_path(manifest.digest()), manifest.bytes().to_vec());
        let mut layout = Layout::new();
        layout.add(manifest.descriptor(), Some("v1")).expect("tag");
        files.insert(INDEX_FILE.to_owned(), layout.index_json());
        (Files(files), manifest)
    }

    fn finding(code: &'static str, severity: Severity, path: &str) -> crate::Finding {
        crate::Finding {
            code,
            severity,
            path: path.into(),
            message: format!("{code} here"),
            rule: "image-layout.md#blobs",
        }
    }

    fn report(findings: Vec<crate::Finding>) -> Report {
        Report {
            valid: !findings.iter().any(|f| f.severity == Severity::Error),
            kind: Some(crate::Kind::Layout),
            findings,
        }
    }

    #[test]
    fn an_intact_layout_is_restorable_warnings_and_all() {
        let (mut files, _) = packed_layout();
        let verified = crate::layout::verify(&mut files);
        assert!(verified.valid, "{:?}", verified.findings);
        assert_eq!(restorable("backup.tar", &verified), Ok(()));
        let warned = report(vec![finding(
            "ANNOTATION_KEY_RESERVED",
            Severity::Warning,
            "index.json#/annotations",
        )]);
        assert_eq!(restorable("backup.tar", &warned), Ok(()));
    }

    #[test]
    fn a_damaged_layout_is_refused_with_its_verification_s_code() {
        use crate::layout::blob_path;
        let (mut files, manifest) = packed_layout();
        let layer = blob_path(&manifest.value().layers[0].digest);
        files.0.insert(layer.clone(), b"# B\n".to_vec()); // the same size, other bytes
        let verified = crate::layout::verify(&mut files);
        let first = verified.findings[0].clone();
        assert_eq!(first.code, "DIGEST_MISMATCH");
        let err = restorable("backup.tar", &verified).expect_err("refused");
        assert_eq!(err.code(), "DIGEST_MISMATCH");
        assert_eq!(
            err.to_string(),
            format!(
                "backup.tar is not an intact OCI layout: {} (at {layer}#); nothing was restored",
                first.message
            )
        );
        assert_eq!(err.details(), [("path", Detail::Text(format!("{layer}#")))]);

        files.0.insert(layer.clone(), b"# B".to_vec()); // shorter
        let err = restorable("backup.tar", &crate::layout::verify(&mut files)).expect_err("size");
        assert_eq!(err.code(), "SIZE_MISMATCH");
        files.0.remove(&layer);
        let err = restorable("the layout", &crate::layout::verify(&mut files)).expect_err("gone");
        assert_eq!(err.code(), "BLOB_MISSING");
        assert!(
            err.to_string()
                .starts_with("the layout is not an intact OCI layout: ")
        );
        files.0.insert("index.json".into(), b"{".to_vec());
        let err = restorable("l", &crate::layout::verify(&mut files)).expect_err("index");
        assert_eq!(err.code(), "JSON_INVALID");
        assert_eq!(
            err.details(),
            [("path", Detail::Text("index.json#".into()))]
        );
    }

    #[test]
    fn the_first_error_finding_decides_past_warnings() {
        let damaged = report(vec![
            finding("ANNOTATION_KEY_RESERVED", Severity::Warning, "a#"),
            finding("SIZE_MISMATCH", Severity::Error, "b#"),
            finding("BLOB_MISSING", Severity::Error, "c#"),
        ]);
        let err = restorable("dir", &damaged).expect_err("refused");
        assert_eq!(err.code(), "SIZE_MISMATCH");
        assert_eq!(
            err.to_string(),
            "dir is not an intact OCI layout: SIZE_MISMATCH here (at b#); nothing was restored"
        );
        assert_eq!(err.details(), [("path", Detail::Text("b#".into()))]);
    }

    #[test]
    fn a_tag_is_restored_when_it_names_the_layout_s_digest() {
        let layout = crate::digest::sha256(b"layout");
        let other = crate::digest::sha256(b"other");
        let reference = format!("{REPO}:v1");
        assert_eq!(restored(&reference, &layout, &layout), Ok(()));
        let err = restored(&reference, &layout, &other).expect_err("moved");
        assert_eq!(err.code(), "DIGEST_MISMATCH");
        assert_eq!(
            err.to_string(),
            format!("{REPO}:v1 names {other} after the restore, not the layout's {layout}")
        );
        assert_eq!(
            err.details(),
            [
                ("expected", Detail::Text(layout.to_string())),
                ("actual", Detail::Text(other.to_string()))
            ]
        );
    }

    #[test]
    fn nothing_to_copy_is_manifest_unknown_naming_its_source() {
        let referrers = format!("sha256-{}", "0".repeat(64));
        let err = select_tags(
            &Direction::Backup,
            REPO,
            Some(std::slice::from_ref(&referrers)),
        )
        .expect_err("refused");
        assert_eq!(err.code(), "MANIFEST_UNKNOWN");
        assert_eq!(err.to_string(), format!("{REPO} has no tags to back up"));
        assert_eq!(err.details(), [("repository", Detail::Text(REPO.into()))]);
        let err = select_tags(&restore(), REPO, Some(&[])).expect_err("refused");
        assert_eq!(err.code(), "MANIFEST_UNKNOWN");
        assert_eq!(err.to_string(), "backup.tar has no tags to restore");
        assert_eq!(
            err.details(),
            [("layout", Detail::Text("backup.tar".into()))]
        );
    }
}
