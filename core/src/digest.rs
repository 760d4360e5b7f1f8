//! Content digests (image-spec `descriptor.md`, "Digests").
//!
//! ```text
//! digest                ::= algorithm ":" encoded
//! algorithm             ::= algorithm-component (algorithm-separator algorithm-component)*
//! algorithm-component   ::= [a-z0-9]+
//! algorithm-separator   ::= [+._-]
//! encoded               ::= [a-zA-Z0-9=_-]+
//! ```
//!
//! sha256, sha512 and blake3 are registered (blake3 on the image-spec's main branch, after
//! v1.1): their encoded part MUST be lowercase hex of exactly 64, 128 and 64 characters, and
//! ocikit computes and verifies all three. Any other grammar-valid algorithm parses, as
//! [`Algorithm::Other`], but cannot be computed ([`Error::DigestUnsupported`]).

use std::fmt;
use std::str::FromStr;

use sha2::Digest as _;

use crate::Error;

/// A digest algorithm.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// SHA-256, the default and the only algorithm every registry supports.
    Sha256,
    /// SHA-512.
    Sha512,
    /// BLAKE3 with its default 256-bit output (registered on the image-spec's main branch).
    Blake3,
    /// A grammar-valid algorithm that is not registered with the image-spec.
    Other(String),
}

impl Algorithm {
    /// Parses an algorithm name by the image-spec grammar.
    pub fn parse(name: &str) -> Result<Self, Error> {
        match name {
            "sha256" => Ok(Self::Sha256),
            "sha512" => Ok(Self::Sha512),
            "blake3" => Ok(Self::Blake3),
            _ => match check_algorithm_grammar(name) {
                Ok(()) => Ok(Self::Other(name.to_owned())),
                Err(reason) => Err(Error::DigestInvalid {
                    value: name.to_owned(),
                    reason,
                }),
            },
        }
    }

    /// The algorithm's name as it appears in a digest.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sha256 => "sha256",
            Self::Sha512 => "sha512",
            Self::Blake3 => "blake3",
            Self::Other(name) => name,
        }
    }

    /// Whether ocikit can compute this algorithm.
    pub fn is_supported(&self) -> bool {
        !matches!(self, Self::Other(_))
    }

    /// The length of the hex encoding the image-spec fixes for a registered algorithm.
    fn encoded_len(&self) -> Option<usize> {
        match self {
            Self::Sha256 | Self::Blake3 => Some(64),
            Self::Sha512 => Some(128),
            Self::Other(_) => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn check_algorithm_grammar(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("algorithm is empty");
    }
    let mut component_len = 0;
    for byte in name.bytes() {
        match byte {
            b'a'..=b'z' | b'0'..=b'9' => component_len += 1,
            b'+' | b'.' | b'_' | b'-' => {
                if component_len == 0 {
                    return Err("algorithm separators must stand between [a-z0-9]+ components");
                }
                component_len = 0;
            }
            _ => return Err("algorithm may only contain [a-z0-9] and the separators [+._-]"),
        }
    }
    if component_len == 0 {
        return Err("algorithm separators must stand between [a-z0-9]+ components");
    }
    Ok(())
}

/// A parsed, grammar-valid digest such as `sha256:44136f…`.
///
/// A value of this type always satisfies the image-spec grammar, and for the registered
/// algorithms (sha256, sha512, blake3) the exact length and lowercase-hex rules; only
/// [`Algorithm::Other`] digests can be unsupported.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    encoded: String,
}

impl Digest {
    /// Parses `algorithm:encoded`.
    ///
    /// # Errors
    /// [`Error::DigestInvalid`] when the text breaks the grammar or, for a registered algorithm
    /// (sha256, sha512, blake3), is not lowercase hex of the right length.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = |reason| Error::DigestInvalid {
            value: text.to_owned(),
            reason,
        };
        let (name, encoded) = text
            .split_once(':')
            .ok_or_else(|| invalid("missing ':' between algorithm and encoded part"))?;
        let algorithm = match name {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            "blake3" => Algorithm::Blake3,
            _ => {
                check_algorithm_grammar(name).map_err(invalid)?;
                Algorithm::Other(name.to_owned())
            }
        };
        if encoded.is_empty() {
            return Err(invalid("encoded part is empty"));
        }
        match algorithm.encoded_len() {
            Some(len) => {
                if !encoded
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                {
                    return Err(invalid(
                        if encoded.bytes().any(|b| b.is_ascii_uppercase()) {
                            "encoded part of a registered algorithm must be lowercase hex"
                        } else {
                            "encoded part of a registered algorithm must be hex [a-f0-9]"
                        },
                    ));
                }
                if encoded.len() != len {
                    return Err(invalid(match algorithm {
                        Algorithm::Sha256 => "sha256 encoded part must be 64 hex characters",
                        Algorithm::Blake3 => "blake3 encoded part must be 64 hex characters",
                        _ => "sha512 encoded part must be 128 hex characters",
                    }));
                }
            }
            None => {
                if !encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-'))
                {
                    return Err(invalid("encoded part may only contain [a-zA-Z0-9=_-]"));
                }
            }
        }
        Ok(Self {
            algorithm,
            encoded: encoded.to_owned(),
        })
    }

    /// The algorithm part.
    pub fn algorithm(&self) -> &Algorithm {
        &self.algorithm
    }

    /// The encoded part (lowercase hex for the registered algorithms).
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// Whether ocikit can compute and verify this digest.
    pub fn is_supported(&self) -> bool {
        self.algorithm.is_supported()
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm, self.encoded)
    }
}

impl FromStr for Digest {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

/// The running state of one hash.
#[derive(Clone)]
enum State {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
    // Boxed: a BLAKE3 hasher keeps a stack of chaining values (about 1.9 KB).
    Blake3(Box<blake3::Hasher>),
}

/// Incremental digest computation: feed bytes with [`update`](Digester::update) as they arrive,
/// read the result with [`finalize`](Digester::finalize).
///
/// sha2 picks the CPU's SHA extensions (SHA-NI on x86-64, the ARMv8 crypto extensions) and
/// blake3 its widest SIMD (AVX-512, AVX2, SSE4.1, NEON; SIMD128 in a wasm build with simd128) at
/// run time where they exist.
#[derive(Clone)]
pub struct Digester {
    state: State,
    size: u64,
}

impl fmt::Debug for Digester {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Digester")
            .field("algorithm", &self.algorithm().as_str())
            .field("size", &self.size)
            .finish()
    }
}

impl Digester {
    /// A digester for `algorithm`.
    ///
    /// # Errors
    /// [`Error::DigestUnsupported`] for an algorithm ocikit cannot compute.
    pub fn new(algorithm: &Algorithm) -> Result<Self, Error> {
        let state = match algorithm {
            Algorithm::Sha256 => State::Sha256(sha2::Sha256::new()),
            Algorithm::Sha512 => State::Sha512(sha2::Sha512::new()),
            Algorithm::Blake3 => State::Blake3(Box::new(blake3::Hasher::new())),
            Algorithm::Other(name) => {
                return Err(Error::DigestUnsupported {
                    algorithm: name.clone(),
                });
            }
        };
        Ok(Self { state, size: 0 })
    }

    /// The algorithm this digester computes.
    pub fn algorithm(&self) -> Algorithm {
        match self.state {
            State::Sha256(_) => Algorithm::Sha256,
            State::Sha512(_) => Algorithm::Sha512,
            State::Blake3(_) => Algorithm::Blake3,
        }
    }

    /// Feeds more content.
    pub fn update(&mut self, data: &[u8]) {
        self.size += data.len() as u64;
        match &mut self.state {
            State::Sha256(h) => h.update(data),
            State::Sha512(h) => h.update(data),
            State::Blake3(h) => {
                h.update(data);
            }
        }
    }

    /// The number of bytes fed so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The digest of everything fed so far. The digester is left as it was, so more content may
    /// follow (like Python's `hashlib` `hexdigest()`).
    pub fn finalize(&self) -> Digest {
        let (algorithm, encoded) = match &self.state {
            State::Sha256(h) => (Algorithm::Sha256, hex(&h.clone().finalize())),
            State::Sha512(h) => (Algorithm::Sha512, hex(&h.clone().finalize())),
            // blake3 finalizes from a shared reference: nothing to copy.
            State::Blake3(h) => (Algorithm::Blake3, hex(h.finalize().as_bytes())),
        };
        Digest { algorithm, encoded }
    }

    /// Checks that the content fed so far has the `expected` digest and, when given, the
    /// `expected_size` — the check a client makes after streaming a blob from a registry.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`], [`Error::DigestMismatch`], or [`Error::DigestUnsupported`] when
    /// `expected` uses another algorithm than this digester's and it cannot be computed.
    pub fn verify(&self, expected: &Digest, expected_size: Option<u64>) -> Result<(), Error> {
        check(expected, expected_size, &self.finalize(), self.size)
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The digest of `data` with `algorithm`.
///
/// # Errors
/// [`Error::DigestUnsupported`] for an algorithm ocikit cannot compute.
pub fn compute(algorithm: &Algorithm, data: &[u8]) -> Result<Digest, Error> {
    let mut digester = Digester::new(algorithm)?;
    digester.update(data);
    Ok(digester.finalize())
}

/// The sha256 digest of `data`.
pub fn sha256(data: &[u8]) -> Digest {
    let mut digester = Digester {
        state: State::Sha256(sha2::Sha256::new()),
        size: 0,
    };
    digester.update(data);
    digester.finalize()
}

/// Checks that `data` has the `expected` digest and, when given, the `expected_size`.
///
/// The size is checked first: it is free, and a wrong size means a wrong digest.
///
/// # Errors
/// [`Error::SizeMismatch`], [`Error::DigestMismatch`], or [`Error::DigestUnsupported`] when the
/// expected digest's algorithm cannot be computed.
pub fn verify(data: &[u8], expected: &Digest, expected_size: Option<u64>) -> Result<(), Error> {
    check_size(expected_size, data.len() as u64)?;
    let mut digester = Digester::new(expected.algorithm())?;
    digester.update(data);
    digester.verify(expected, None)
}

/// `SIZE_MISMATCH` unless `actual` is the expected size (when one is expected).
///
/// # Errors
/// [`Error::SizeMismatch`].
pub fn check_size(expected: Option<u64>, actual: u64) -> Result<(), Error> {
    match expected {
        Some(expected) if expected != actual => Err(Error::SizeMismatch { expected, actual }),
        _ => Ok(()),
    }
}

/// Checks content that was hashed elsewhere (by a host's native hash, or piece by piece)
/// against what was expected: the size first, then the algorithm, then the digest — the order
/// [`verify`] and [`Digester::verify`] use.
///
/// # Errors
/// [`Error::SizeMismatch`]; [`Error::DigestUnsupported`] when `expected` uses an algorithm
/// ocikit cannot compute; [`Error::DigestMismatch`] when `actual` differs (including when it
/// was computed with another algorithm).
pub fn check(
    expected: &Digest,
    expected_size: Option<u64>,
    actual: &Digest,
    actual_size: u64,
) -> Result<(), Error> {
    check_size(expected_size, actual_size)?;
    if let Algorithm::Other(name) = expected.algorithm() {
        return Err(Error::DigestUnsupported {
            algorithm: name.clone(),
        });
    }
    if actual != expected {
        return Err(Error::DigestMismatch {
            expected: expected.clone(),
            actual: actual.clone(),
        });
    }
    Ok(())
}
