//! The one error type of ocikit, with stable codes shared by every language.

use std::fmt;

use crate::Digest;

/// Everything that can go wrong in ocikit.
///
/// Each variant has a stable SCREAMING_SNAKE [`code`](Error::code), listed in
/// `tests/vectors/error-codes.json`; the Python and JavaScript bindings raise errors that carry
/// the same code. Validation findings share this code space.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Not JSON, the wrong JSON type for a field, or a duplicate key.
    JsonInvalid {
        /// What was wrong.
        reason: String,
    },
    /// A required field is absent.
    FieldMissing {
        /// JSON pointer of the missing field.
        path: String,
    },
    /// `schemaVersion` is not the integer 2.
    SchemaVersionInvalid {
        /// The value found, as JSON text.
        found: String,
    },
    /// Not an RFC 6838 media type name.
    MediaTypeInvalid {
        /// The rejected text.
        value: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A document's `mediaType` is not the one its kind requires.
    MediaTypeMismatch {
        /// The media type the kind requires.
        expected: String,
        /// The media type found.
        found: String,
    },
    /// Digest grammar, or the wrong length or case for a registered algorithm.
    DigestInvalid {
        /// The rejected text.
        value: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A grammar-valid digest algorithm that ocikit cannot compute.
    DigestUnsupported {
        /// The algorithm name.
        algorithm: String,
    },
    /// Content does not hash to the expected digest.
    DigestMismatch {
        /// The digest that was expected.
        expected: Digest,
        /// The digest of the content.
        actual: Digest,
    },
    /// A size that is negative or not an integer.
    SizeInvalid {
        /// The rejected value, as text.
        value: String,
    },
    /// Content length differs from the expected size.
    SizeMismatch {
        /// The size that was expected.
        expected: u64,
        /// The length of the content.
        actual: u64,
    },
    /// `data` is not padded standard base64, or does not match digest and size.
    DataInvalid {
        /// What was wrong.
        reason: String,
    },
    /// A manifest uses the empty config but has no `artifactType`.
    ArtifactTypeRequired,
    /// An annotation value that breaks an annotation rule.
    AnnotationInvalid {
        /// The annotation key.
        key: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// A `urls` entry that is not an RFC 3986 URI.
    UrlInvalid {
        /// The rejected text.
        value: String,
    },
    /// An artifact type's display name that is empty, too long or has control characters.
    DisplayNameInvalid {
        /// What was wrong.
        reason: String,
    },
    /// A logo that is not a well-formed SVG document with an `<svg>` root and a `viewBox`.
    LogoInvalid {
        /// What was wrong.
        reason: String,
    },
    /// A logo with content that could run code or load something when shown in a page.
    LogoUnsafe {
        /// What was found.
        reason: String,
    },
    /// A logo over the size limit.
    LogoTooLarge {
        /// The logo's size in bytes.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// An artifact type's pull command template that is empty, longer than 256 characters,
    /// not one line, or has a placeholder other than `{reference}`, `{registry}`,
    /// `{repository}`, `{tag}` and `{digest}`.
    PullCommandInvalid {
        /// Where the template is in the definition (a JSON pointer: `/pullCommands/0`).
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// An error response from a registry. Its code is the registry's own when the
    /// distribution spec defines it (`MANIFEST_UNKNOWN`, `UNAUTHORIZED`, …).
    Registry {
        /// The HTTP status.
        status: u16,
        /// The entries of the error body (at least one).
        errors: Vec<crate::registry::RegistryError>,
    },
    /// An authentication challenge or token response ocikit cannot use, or a token realm it
    /// will not send credentials to.
    AuthInvalid {
        /// What was wrong.
        reason: String,
    },
    /// A registry (or the host driving the engine) broke the protocol: a missing `Location`,
    /// too many redirects or pages, a link to another origin.
    ProtocolState {
        /// What happened.
        reason: String,
    },
    /// Options that cannot go together, such as a subject for an image-spec v1.0 manifest.
    OptionsInvalid {
        /// Which options conflict, and what to do instead.
        reason: &'static str,
    },
    /// A backup or restore that names no tag, of a repository (a backup's) or a layout (a
    /// restore's) with no tag to copy: `MANIFEST_UNKNOWN`, as a registry says of a tag it lacks
    /// (the referrers tag schema's tags do not count: they travel with their referrers).
    NoTagsToCopy {
        /// `"repository"` (a backup) or `"layout"` (a restore): the detail's name.
        source: &'static str,
        /// The repository (`registry/repository`), or the layout as the host names it.
        name: String,
    },
    /// A layout a restore refuses before anything is pushed: its verification found it damaged
    /// (a blob missing, of the wrong size or digest, a document that is not valid). Its code is
    /// the first error finding's (`DIGEST_MISMATCH`, `SIZE_MISMATCH`, `BLOB_MISSING`, …), so a
    /// damaged layout is reported with the code its verification gives the damage.
    LayoutDamaged {
        /// The layout as the host names it (its path, or what the host calls it).
        layout: String,
        /// The first error finding of the layout's verification.
        finding: crate::Finding,
    },
    /// A tag a restore copied that, resolved at the destination right after, names another
    /// digest than the layout's (someone else moved it, or the registry does not serve what it
    /// accepted): `DIGEST_MISMATCH`.
    TagMismatch {
        /// The tag's reference at the destination, `registry/repository:tag`.
        reference: String,
        /// The layout's digest, the one copied.
        expected: Digest,
        /// The digest the tag names.
        actual: Digest,
    },
    /// A repository name, tag or reference that breaks the grammar.
    ReferenceInvalid {
        /// The rejected text.
        value: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A token realm that may not receive the registry's credentials (DESIGN.md "Security
    /// policy"): not http(s), plain HTTP for a registry that is not itself plain HTTP on the
    /// same host, or a loopback / private / link-local IP literal that is not the registry.
    AuthRealmRefused {
        /// The realm as the registry sent it.
        realm: String,
        /// The registry (`host[:port]`) that named it.
        registry: String,
        /// Which rule it breaks.
        reason: String,
    },
    /// A redirect or upload `Location` the engine will not follow: an upload Location on
    /// another origin, a redirect from HTTPS to HTTP, a Location that is not a URL.
    LocationRefused {
        /// The Location as sent (control characters escaped).
        location: String,
        /// Why it is refused.
        reason: String,
    },
    /// A registry or a layout sent more than a limit allows.
    LimitExceeded {
        /// What is limited ("tags in one listing", "bytes of one listing", …).
        limit: String,
        /// The limit.
        max: u64,
        /// The value reached (at least this much).
        value: u64,
        /// The setting that changes the limit (`Limits.list_entries_max`, …).
        setting: String,
    },
    /// A stall timeout or an operation's deadline passed.
    Timeout {
        /// The host the request was for.
        host: String,
        /// What timed out.
        reason: String,
        /// The request under way, when one was (not for an operation's deadline between
        /// requests).
        request: Option<FailedRequest>,
    },
    /// The host's transport failed: refused, reset, unreachable, bad HTTP framing.
    Network {
        /// The host the request was for.
        host: String,
        /// What failed.
        reason: String,
        /// The request that failed.
        request: Option<FailedRequest>,
    },
    /// The TLS handshake or the certificate check failed.
    Tls {
        /// The host the request was for.
        host: String,
        /// What failed.
        reason: String,
        /// The request that failed.
        request: Option<FailedRequest>,
    },
    /// A path a pull will not write or a layout read will not follow: a pulled title with a
    /// `.git` component, a link leading out of a layout, a file that is not a regular file.
    PathUnsafe {
        /// The path (a title, or a path inside a layout).
        path: String,
        /// Why it is refused.
        reason: String,
    },
    /// A directory archive entry that unpacking refuses: an absolute path, `..`, a link leading
    /// out of the directory, a device file, a FIFO, a setuid or setgid bit, an entry that
    /// appears twice or lies under a link (and, when packing, a link leading out).
    ArchiveUnsafe {
        /// The entry's path as the archive (or the host's listing) names it.
        path: String,
        /// Why it is refused.
        reason: String,
    },
    /// Not a gzip-compressed tar archive, a corrupt or cut one, or a directory listing that
    /// cannot be archived (a path with `.` or `..` components, an entry listed twice).
    ArchiveInvalid {
        /// What was wrong.
        reason: String,
    },
    /// The caller drove an operation wrongly (the host's bug, not the registry's fault):
    /// `provide` for a task that is not waiting, `poll` after `Done`, a missing session.
    /// Registry faults are the other variants (h11's `LocalProtocolError` against
    /// `RemoteProtocolError`).
    OperationMisuse {
        /// What the caller did.
        reason: String,
    },
}

/// The request a transport failure or a timeout is about, as its error's details name it
/// (`method`, `url`): the URL without its query or fragment, where a presigned storage URL
/// holds its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRequest {
    /// The request's method (`GET`, `PUT`, …).
    pub method: String,
    /// The request's URL without its query or fragment.
    pub url: String,
}

impl FailedRequest {
    /// The request `method url`, its URL cut at its query or fragment.
    pub fn new(method: impl Into<String>, url: &str) -> Self {
        Self {
            method: method.into(),
            url: url.split(['?', '#']).next().unwrap_or_default().to_owned(),
        }
    }
}

/// A structured detail of an [`Error`], for bindings that expose `details` to users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    /// A text value.
    Text(String),
    /// A byte count.
    Size(u64),
}

impl Error {
    /// The stable code of this error, e.g. `"DIGEST_MISMATCH"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::JsonInvalid { .. } => "JSON_INVALID",
            Self::FieldMissing { .. } => "FIELD_MISSING",
            Self::SchemaVersionInvalid { .. } => "SCHEMA_VERSION_INVALID",
            Self::MediaTypeInvalid { .. } => "MEDIA_TYPE_INVALID",
            Self::MediaTypeMismatch { .. } => "MEDIA_TYPE_MISMATCH",
            Self::DigestInvalid { .. } => "DIGEST_INVALID",
            Self::DigestUnsupported { .. } => "DIGEST_UNSUPPORTED",
            Self::DigestMismatch { .. } => "DIGEST_MISMATCH",
            Self::SizeInvalid { .. } => "SIZE_INVALID",
            Self::SizeMismatch { .. } => "SIZE_MISMATCH",
            Self::DataInvalid { .. } => "DATA_INVALID",
            Self::ArtifactTypeRequired => "ARTIFACT_TYPE_REQUIRED",
            Self::AnnotationInvalid { .. } => "ANNOTATION_INVALID",
            Self::UrlInvalid { .. } => "URL_INVALID",
            Self::DisplayNameInvalid { .. } => "DISPLAY_NAME_INVALID",
            Self::LogoInvalid { .. } => "LOGO_INVALID",
            Self::LogoUnsafe { .. } => "LOGO_UNSAFE",
            Self::LogoTooLarge { .. } => "LOGO_TOO_LARGE",
            Self::PullCommandInvalid { .. } => "PULL_COMMAND_INVALID",
            Self::Registry { status, errors } => registry_code(*status, errors),
            Self::AuthInvalid { .. } => "AUTH_INVALID",
            Self::ProtocolState { .. } => "PROTOCOL_ERROR",
            Self::OptionsInvalid { .. } => "OPTIONS_INVALID",
            Self::ReferenceInvalid { .. } => "REFERENCE_INVALID",
            Self::NoTagsToCopy { .. } => "MANIFEST_UNKNOWN",
            Self::LayoutDamaged { finding, .. } => finding.code,
            Self::TagMismatch { .. } => "DIGEST_MISMATCH",
            Self::AuthRealmRefused { .. } => "AUTH_REALM_REFUSED",
            Self::LocationRefused { .. } => "LOCATION_REFUSED",
            Self::LimitExceeded { .. } => "LIMIT_EXCEEDED",
            Self::Timeout { .. } => "TIMEOUT",
            Self::Network { .. } => "NETWORK_ERROR",
            Self::Tls { .. } => "TLS_ERROR",
            Self::PathUnsafe { .. } => "PATH_UNSAFE",
            Self::ArchiveUnsafe { .. } => "ARCHIVE_UNSAFE",
            Self::ArchiveInvalid { .. } => "ARCHIVE_INVALID",
            Self::OperationMisuse { .. } => "OPERATION_MISUSE",
        }
    }

    /// The error's payload as named values, in a stable order.
    pub fn details(&self) -> Vec<(&'static str, Detail)> {
        use Detail::{Size, Text};
        match self {
            Self::JsonInvalid { reason }
            | Self::DataInvalid { reason }
            | Self::DisplayNameInvalid { reason }
            | Self::LogoInvalid { reason }
            | Self::LogoUnsafe { reason }
            | Self::AuthInvalid { reason }
            | Self::ProtocolState { reason }
            | Self::OperationMisuse { reason }
            | Self::ArchiveInvalid { reason } => {
                vec![("reason", Text(reason.clone()))]
            }
            Self::FieldMissing { path } => vec![("path", Text(path.clone()))],
            Self::NoTagsToCopy { source, name } => vec![(*source, Text(name.clone()))],
            Self::LayoutDamaged { finding, .. } => vec![("path", Text(finding.path.clone()))],
            Self::PullCommandInvalid { path, reason } => vec![
                ("path", Text(path.clone())),
                ("reason", Text(reason.clone())),
            ],
            Self::SchemaVersionInvalid { found } => vec![("found", Text(found.clone()))],
            Self::MediaTypeInvalid { value, reason }
            | Self::DigestInvalid { value, reason }
            | Self::ReferenceInvalid { value, reason } => vec![
                ("value", Text(value.clone())),
                ("reason", Text((*reason).to_owned())),
            ],
            Self::MediaTypeMismatch { expected, found } => vec![
                ("expected", Text(expected.clone())),
                ("found", Text(found.clone())),
            ],
            Self::DigestUnsupported { algorithm } => {
                vec![("algorithm", Text(algorithm.clone()))]
            }
            Self::DigestMismatch { expected, actual }
            | Self::TagMismatch {
                expected, actual, ..
            } => vec![
                ("expected", Text(expected.to_string())),
                ("actual", Text(actual.to_string())),
            ],
            Self::SizeInvalid { value } | Self::UrlInvalid { value } => {
                vec![("value", Text(value.clone()))]
            }
            Self::SizeMismatch { expected, actual } => {
                vec![("expected", Size(*expected)), ("actual", Size(*actual))]
            }
            Self::LogoTooLarge { size, max } => vec![("size", Size(*size)), ("max", Size(*max))],
            Self::ArtifactTypeRequired => Vec::new(),
            Self::Registry { status, errors } => {
                let mut details = vec![("status", Size(u64::from(*status)))];
                if let Some(first) = errors.first() {
                    details.push(("registryCode", Text(first.code.clone())));
                    details.push(("message", Text(first.message.clone())));
                    if let Some(detail) = &first.detail {
                        details.push(("detail", Text(detail.clone())));
                    }
                }
                details
            }
            Self::OptionsInvalid { reason } => vec![("reason", Text((*reason).to_owned()))],
            Self::AnnotationInvalid { key, reason } => {
                vec![("key", Text(key.clone())), ("reason", Text(reason.clone()))]
            }
            Self::AuthRealmRefused {
                realm,
                registry,
                reason,
            } => vec![
                ("realm", Text(realm.clone())),
                ("registry", Text(registry.clone())),
                ("reason", Text(reason.clone())),
            ],
            Self::LocationRefused { location, reason } => vec![
                ("location", Text(location.clone())),
                ("reason", Text(reason.clone())),
            ],
            Self::LimitExceeded {
                limit,
                max,
                value,
                setting,
            } => vec![
                ("limit", Text(limit.clone())),
                ("max", Size(*max)),
                ("value", Size(*value)),
                ("setting", Text(setting.clone())),
            ],
            Self::Timeout {
                host,
                reason,
                request,
            }
            | Self::Network {
                host,
                reason,
                request,
            }
            | Self::Tls {
                host,
                reason,
                request,
            } => {
                let mut details = vec![
                    ("host", Text(host.clone())),
                    ("reason", Text(reason.clone())),
                ];
                if let Some(request) = request {
                    details.push(("method", Text(request.method.clone())));
                    details.push(("url", Text(request.url.clone())));
                }
                details
            }
            Self::PathUnsafe { path, reason } | Self::ArchiveUnsafe { path, reason } => {
                vec![
                    ("path", Text(path.clone())),
                    ("reason", Text(reason.clone())),
                ]
            }
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::JsonInvalid { reason } => write!(f, "invalid JSON: {reason}"),
            Self::FieldMissing { path } => write!(f, "required field {path} is missing"),
            Self::SchemaVersionInvalid { found } => {
                write!(f, "schemaVersion must be the integer 2, found {found}")
            }
            Self::MediaTypeInvalid { value, reason } => {
                write!(f, "invalid media type {value:?}: {reason}")
            }
            Self::MediaTypeMismatch { expected, found } => {
                write!(f, "mediaType must be {expected:?}, found {found:?}")
            }
            Self::DigestInvalid { value, reason } => {
                write!(f, "invalid digest {value:?}: {reason}")
            }
            Self::DigestUnsupported { algorithm } => write!(
                f,
                "digest algorithm {algorithm:?} is not supported (ocikit computes sha256, sha512 and blake3)"
            ),
            Self::DigestMismatch { expected, actual } => {
                write!(
                    f,
                    "content digest {actual} does not match expected {expected}"
                )
            }
            Self::SizeInvalid { value } => {
                write!(f, "invalid size {value}: must be a non-negative integer")
            }
            Self::SizeMismatch { expected, actual } => write!(
                f,
                "content is {actual} bytes but {expected} bytes were expected"
            ),
            Self::DataInvalid { reason } => write!(f, "invalid data field: {reason}"),
            Self::ArtifactTypeRequired => write!(
                f,
                "artifactType is required when config is the empty descriptor"
            ),
            Self::AnnotationInvalid { key, reason } => {
                write!(f, "invalid annotation {key:?}: {reason}")
            }
            Self::UrlInvalid { value } => write!(f, "invalid URL {value:?}: not an RFC 3986 URI"),
            Self::DisplayNameInvalid { reason } => write!(f, "invalid display name: {reason}"),
            Self::LogoInvalid { reason } => write!(f, "invalid logo: {reason}"),
            Self::LogoUnsafe { reason } => write!(f, "unsafe logo: {reason}"),
            Self::LogoTooLarge { size, max } => {
                write!(f, "logo is {size} bytes; the limit is {max}")
            }
            Self::PullCommandInvalid { path, reason } => {
                write!(f, "invalid pull command at {path}: {reason}")
            }
            Self::Registry { status, errors } => {
                write!(f, "registry answered HTTP {status}")?;
                for (i, error) in errors.iter().enumerate() {
                    let sep = if i == 0 { ": " } else { "; " };
                    write!(f, "{sep}{}", error.code)?;
                    if !error.message.is_empty() {
                        write!(f, " ({})", error.message)?;
                    }
                }
                Ok(())
            }
            Self::AuthInvalid { reason } => write!(f, "authentication failed: {reason}"),
            Self::ProtocolState { reason } => write!(f, "registry protocol error: {reason}"),
            Self::OptionsInvalid { reason } => write!(f, "conflicting options: {reason}"),
            Self::ReferenceInvalid { value, reason } => {
                write!(f, "invalid reference {value:?}: {reason}")
            }
            Self::NoTagsToCopy { source, name } => {
                let verb = if *source == "layout" {
                    "restore"
                } else {
                    "back up"
                };
                write!(f, "{name} has no tags to {verb}")
            }
            Self::LayoutDamaged { layout, finding } => write!(
                f,
                "{layout} is not an intact OCI layout: {} (at {}); nothing was restored",
                finding.message, finding.path
            ),
            Self::TagMismatch {
                reference,
                expected,
                actual,
            } => write!(
                f,
                "{reference} names {actual} after the restore, not the layout's {expected}"
            ),
            Self::AuthRealmRefused {
                realm,
                registry,
                reason,
            } => write!(
                f,
                "refusing to send the credentials of {registry} to the token realm {realm:?}: {reason}"
            ),
            Self::LocationRefused { location, reason } => {
                write!(f, "refusing the Location {location:?}: {reason}")
            }
            Self::LimitExceeded {
                limit,
                max,
                value,
                setting,
            } => write!(
                f,
                "{limit}: {value} is over the limit of {max} (raise it with {setting})"
            ),
            Self::Timeout { host, reason, .. } => write!(f, "{host} timed out: {reason}"),
            Self::Network { host, reason, .. } => {
                write!(f, "network error with {host}: {reason}")
            }
            Self::Tls { host, reason, .. } => write!(
                f,
                "TLS error with {host}: {reason} (a loopback registry may want plain HTTP; a private CA, its certificate file)"
            ),
            Self::PathUnsafe { path, reason } => write!(f, "refusing the path {path:?}: {reason}"),
            Self::ArchiveUnsafe { path, reason } => {
                write!(f, "refusing the archive entry {path:?}: it {reason}")
            }
            Self::ArchiveInvalid { reason } => write!(f, "invalid directory archive: {reason}"),
            Self::OperationMisuse { reason } => {
                write!(f, "operation misused by its caller: {reason}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// A registry error's code: the registry's when the distribution spec defines it, else the one
/// its status stands for, else `REGISTRY_ERROR`.
fn registry_code(status: u16, errors: &[crate::registry::RegistryError]) -> &'static str {
    use crate::registry::errors::{SPEC_CODES, status_code_name};
    if let Some(code) = errors
        .first()
        .and_then(|e| SPEC_CODES.iter().find(|c| **c == e.code))
    {
        return code;
    }
    match status_code_name(status) {
        "UNKNOWN" => "REGISTRY_ERROR",
        code => code,
    }
}
