//! Whole operations: push (and attach), pull (of a collection too), copy, discover, delete and
//! the tags of a digest, each a sans-IO [`Operation`](super::engine::Operation) composed of the
//! single-request operations and the walks; and the decisions of collections over fetched
//! children ([`index`]) and of what a backup or restore copies ([`backup`]). The host loop is
//! drawn in the [engine docs](super::engine).

pub mod backup;
pub mod copy;
pub mod delete;
pub mod discover;
pub mod doctor;
pub mod index;
pub mod pull;
pub mod push;

use super::walk::Successors;
use crate::media_type::oci;
use crate::{Descriptor, Error, Index, Manifest, MediaType};

/// The media type a document is written with: the served or given one when it is a manifest
/// type, else what its bytes say.
pub(crate) fn document_type(given: &str, successors: &Successors) -> MediaType {
    if super::operations::is_manifest_type(given) {
        if let Ok(media_type) = MediaType::parse(given) {
            return media_type;
        }
    }
    MediaType::known(if successors.is_index {
        oci::IMAGE_INDEX
    } else {
        oci::IMAGE_MANIFEST
    })
}

/// The descriptor of a document as a referrers list shows it (its `artifactType` — for a
/// manifest without one, its config's media type — and its annotations), for a manifest and
/// an index alike: the referrers tag of a subject lists either.
///
/// # Errors
/// What reading the document as a manifest or an index reports.
pub fn referrer_descriptor(media_type: &str, bytes: &[u8]) -> Result<Descriptor, Error> {
    let successors = Successors::read(media_type, bytes)?;
    let mut descriptor = if successors.is_index {
        Index::from_json(bytes.to_vec())?.referrer_descriptor()
    } else {
        Manifest::from_json(bytes.to_vec())?.referrer_descriptor()
    };
    descriptor.media_type = document_type(media_type, &successors);
    Ok(descriptor)
}
