//! Backup and restore (ORAS 1.3's `oras backup` / `oras restore`): which tags they copy.
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

use std::collections::HashSet;

use crate::Error;
use crate::artifact_type::{TagKind, classify_tag};
use crate::reference::{Reference, check_tag_text};

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
