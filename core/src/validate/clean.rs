//! The fast path of [`validate`](super::validate): a checker that reads a manifest or an index
//! once, checking the rules as it reads, with no tree, no paths and no allocation per key, and
//! answers only "this document has no finding at all".
//!
//! Why: most documents validated are well-formed manifests, and for those the full validator's
//! work (a tree, a JSON pointer per field, a report to build) was most of the time of JS
//! `validate` against ajv (issue 12). When anything is unusual — a finding of any severity, a
//! string with an escape, a number that is not a plain non-negative integer, deep nesting, a
//! kind other than manifest or index — the checker gives up and the full validator runs, so
//! every report with a finding, and every message, comes from the one place that makes them.
//! The checker is sound, not complete: it may give up on a clean document, never accept one
//! with a finding. The tests below compare both paths on every validation vector, on each of
//! those changed byte by byte and on edge cases; the Rust, Python and JS suites check the
//! reports against the vectors.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::{Kind, annotation_problem, is_uri};
use crate::Digest;
use crate::media_type::oci;

/// Deeper documents take the full path (serde_json allows 128 levels).
const MAX_DEPTH: usize = 64;

/// What an object's `member` answers for a key no rule of that object names.
const OTHER: u32 = 0;

/// A key of at most 16 bytes as one number (its bytes little-endian, zero after them), so that
/// telling the fields a rule names apart is a few integer comparisons: at opt-level "z" (the wasm
/// build) each `str` comparison of a `match` is a call and a `memcmp`. Longer keys are none of
/// those names (`u128::MAX` is no packed name: names are ASCII). Keys hold no NUL (a control
/// character gives up), so the zeros after a key cannot make two keys equal.
const fn packed(key: &[u8]) -> u128 {
    if key.len() > 16 {
        return u128::MAX;
    }
    let mut value = 0;
    let mut i = key.len();
    while i > 0 {
        i -= 1;
        value = value << 8 | key[i] as u128;
    }
    value
}

/// [`packed`] at run time: one copy and two 64-bit loads rather than a loop of 128-bit shifts.
#[inline(always)]
fn packed_key(key: &str) -> u128 {
    let bytes = key.as_bytes();
    let mut buffer = [0; 16];
    match buffer.get_mut(..bytes.len()) {
        Some(start) => start.copy_from_slice(bytes),
        None => return u128::MAX,
    }
    u128::from_le_bytes(buffer)
}

const SCHEMA_VERSION: u128 = packed(b"schemaVersion");
const MEDIA_TYPE: u128 = packed(b"mediaType");
const ARTIFACT_TYPE: u128 = packed(b"artifactType");
const CONFIG: u128 = packed(b"config");
const LAYERS: u128 = packed(b"layers");
const MANIFESTS: u128 = packed(b"manifests");
const SUBJECT: u128 = packed(b"subject");
const ANNOTATIONS: u128 = packed(b"annotations");
const DIGEST: u128 = packed(b"digest");
const SIZE: u128 = packed(b"size");
const URLS: u128 = packed(b"urls");
const DATA: u128 = packed(b"data");
const PLATFORM: u128 = packed(b"platform");
const ARCHITECTURE: u128 = packed(b"architecture");
const OS: u128 = packed(b"os");
const OS_VERSION: u128 = packed(b"os.version");
const VARIANT: u128 = packed(b"variant");
const OS_FEATURES: u128 = packed(b"os.features");

/// The digest of `{}`, the empty descriptor's content: its `data` (`e30=`) needs no hashing.
const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/// The kind of `bytes` (as `validate` would report it) when the document is a manifest or an
/// index with no finding; `None` when that is not certain.
pub(super) fn clean_kind(bytes: &[u8], kind: Option<Kind>) -> Option<Kind> {
    if !matches!(kind, None | Some(Kind::Manifest | Kind::Index)) {
        return None;
    }
    // Strings are taken as they are between their quotes; checking the whole text once makes
    // each of them valid UTF-8 (invalid UTF-8 is an error the full path reports).
    let text = std::str::from_utf8(bytes).ok()?;
    let mut scan = Scan {
        text,
        pos: 0,
        keys: Vec::with_capacity(32),
    };
    let found = scan.top_level()?;
    scan.whitespace();
    if scan.pos != bytes.len() || kind.is_some_and(|k| k != found) {
        return None;
    }
    Some(found)
}

/// Which of the top-level fields a manifest or index was seen with.
#[derive(Default)]
struct TopLevel {
    schema_version: bool,
    media_type: Option<Kind>,
    artifact_type: bool,
    config_is_empty_type: Option<bool>,
    layers: bool,
    manifests: bool,
}

/// A descriptor's fields that are checked against each other once all are read.
#[derive(Default)]
struct DescriptorFields<'a> {
    media_type: Option<&'a str>,
    digest: Option<&'a str>,
    size: Option<u64>,
    data: Option<&'a str>,
}

struct Scan<'a> {
    text: &'a str,
    pos: usize,
    /// The keys of the objects being read, innermost last (for duplicate keys).
    keys: Vec<&'a str>,
}

impl<'a> Scan<'a> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// RFC 8259 whitespace: space, tab, line feed, carriage return.
    #[inline(always)]
    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The next non-whitespace byte, consumed.
    #[inline(always)]
    fn token(&mut self) -> Option<u8> {
        self.whitespace();
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    #[inline(always)]
    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.token()? == byte).then_some(())
    }

    /// A string: its opening quote, its text, its closing quote. An escape or a control
    /// character gives up.
    fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut end = start;
        // Eight bytes at a time up to the word that holds the closing quote (or an escape or a
        // control character), then byte by byte.
        while let Some(word) = bytes.get(end..).and_then(<[u8]>::first_chunk::<8>) {
            if may_end_string(u64::from_le_bytes(*word)) {
                break;
            }
            end += 8;
        }
        loop {
            match *bytes.get(end)? {
                b'"' => break,
                b'\\' | 0..0x20 => return None,
                _ => end += 1,
            }
        }
        self.pos = end + 1;
        // Both ends are ASCII quotes, so the slice is on character boundaries.
        self.text.get(start..end)
    }

    /// A non-negative integer of at most 19 digits (so it fits in a u64 without overflow checks,
    /// which wasm32 does with a 128-bit multiplication); a sign, a fraction, an exponent, a
    /// leading zero or more digits gives up.
    fn integer(&mut self) -> Option<u64> {
        self.whitespace();
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut n: u64 = 0;
        while let Some(&digit @ b'0'..=b'9') = bytes.get(self.pos) {
            if self.pos - start == 19 {
                return None;
            }
            n = n * 10 + u64::from(digit - b'0');
            self.pos += 1;
        }
        let len = self.pos - start;
        if len == 0 || (len > 1 && bytes[start] == b'0') {
            return None;
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(n)
    }

    /// Reads an object, calling `member` with each key to read its value. `member` answers with
    /// the key's bit among the fields it knows (repeated, one gives up) or [`OTHER`]; other keys
    /// are kept on a stack and a repeated one gives up too.
    fn object(
        &mut self,
        depth: usize,
        mut member: impl FnMut(&mut Self, &'a str) -> Option<u32>,
    ) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.expect(b'{')?;
        let first = self.keys.len();
        let mut known = 0;
        let mut sorted = true;
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            let field = member(self, key)?;
            if field == OTHER {
                let earlier = &self.keys[first..];
                // A few keys are compared with each other (mostly their lengths); of many, keys
                // in order (as Go writes map keys) are unique while each follows the last, and
                // others are compared with every earlier one (very many out of order give up).
                if earlier.len() < 16 {
                    if earlier.contains(&key) {
                        return None;
                    }
                } else {
                    if earlier.len() == 16 {
                        sorted = earlier.windows(2).all(|pair| pair[0] < pair[1]);
                    }
                    sorted = sorted && earlier.last().is_none_or(|&last| last < key);
                    if !sorted && (earlier.len() > 64 || earlier.contains(&key)) {
                        return None;
                    }
                }
                self.keys.push(key);
            } else if known & field != 0 {
                return None;
            } else {
                known |= field;
            }
            match self.token()? {
                b',' => {}
                b'}' => break,
                _ => return None,
            }
        }
        self.keys.truncate(first);
        Some(())
    }

    /// Reads an array, calling `item` for each element.
    fn array(&mut self, depth: usize, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.expect(b'[')?;
        self.whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Some(());
        }
        loop {
            item(self)?;
            match self.token()? {
                b',' => {}
                b']' => return Some(()),
                _ => return None,
            }
        }
    }

    /// Any value in the plain subset of JSON, for fields no rule looks at.
    fn any(&mut self, depth: usize) -> Option<()> {
        self.whitespace();
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.object(depth + 1, |scan, _| scan.any(depth + 1).map(|()| OTHER)),
            b'[' => self.array(depth + 1, |scan| scan.any(depth + 1)),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'0'..=b'9' => self.integer().map(drop),
            _ => None,
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.pos + word.len();
        (self.text.as_bytes().get(self.pos..end)? == word.as_bytes()).then(|| self.pos = end)
    }

    /// A string that is a valid media type (RFC 6838 §4.2).
    fn media_type(&mut self) -> Option<&'a str> {
        let text = self.string()?;
        is_media_type(text).then_some(text)
    }

    /// The top-level object of a manifest or an index (`manifest.md`, `image-index.md`):
    /// its kind, when it has no finding.
    fn top_level(&mut self) -> Option<Kind> {
        let mut seen = TopLevel::default();
        self.object(0, |scan, key| {
            Some(match packed_key(key) {
                SCHEMA_VERSION => {
                    // "This REQUIRED property ... MUST be 2".
                    (scan.integer()? == 2).then_some(())?;
                    seen.schema_version = true;
                    1
                }
                MEDIA_TYPE => {
                    seen.media_type = Some(match scan.string()? {
                        oci::IMAGE_MANIFEST => Kind::Manifest,
                        oci::IMAGE_INDEX => Kind::Index,
                        _ => return None,
                    });
                    1 << 1
                }
                ARTIFACT_TYPE => {
                    scan.media_type()?;
                    seen.artifact_type = true;
                    1 << 2
                }
                // Checked as descriptors whichever kind the document turns out to be: a field
                // the other kind does not define is only read more strictly than it needs.
                CONFIG => {
                    let config = scan.descriptor(1)?;
                    seen.config_is_empty_type = Some(config == oci::EMPTY);
                    1 << 3
                }
                LAYERS => {
                    let mut count = 0;
                    scan.array(1, |scan| {
                        count += 1;
                        scan.descriptor(2).map(drop)
                    })?;
                    // An empty `layers` is a warning.
                    seen.layers = count > 0;
                    1 << 4
                }
                MANIFESTS => {
                    scan.array(1, |scan| scan.descriptor(2).map(drop))?;
                    seen.manifests = true;
                    1 << 5
                }
                SUBJECT => {
                    scan.descriptor(1)?;
                    1 << 6
                }
                ANNOTATIONS => {
                    scan.annotations(1)?;
                    1 << 7
                }
                _ => {
                    scan.any(1)?;
                    OTHER
                }
            })
        })?;
        if !seen.schema_version {
            return None;
        }
        match seen.media_type? {
            Kind::Manifest => {
                // `artifactType` is required with the empty config.
                let config_ok = match seen.config_is_empty_type? {
                    true => seen.artifact_type,
                    false => true,
                };
                (config_ok && seen.layers).then_some(Kind::Manifest)
            }
            _ => seen.manifests.then_some(Kind::Index),
        }
    }

    /// A descriptor (`descriptor.md`); its media type when it has no finding.
    fn descriptor(&mut self, depth: usize) -> Option<&'a str> {
        let mut fields = DescriptorFields::default();
        self.object(depth, |scan, key| {
            Some(match packed_key(key) {
                MEDIA_TYPE => {
                    fields.media_type = Some(scan.media_type()?);
                    1
                }
                DIGEST => {
                    let text = scan.string()?;
                    // An unregistered algorithm is a warning.
                    is_registered_digest(text).then_some(())?;
                    fields.digest = Some(text);
                    1 << 1
                }
                SIZE => {
                    // A non-negative int64.
                    let size = scan.integer()?;
                    i64::try_from(size).ok()?;
                    fields.size = Some(size);
                    1 << 2
                }
                URLS => {
                    scan.array(depth + 1, |scan| is_uri(scan.string()?).then_some(()))?;
                    1 << 3
                }
                ANNOTATIONS => {
                    scan.annotations(depth + 1)?;
                    1 << 4
                }
                DATA => {
                    fields.data = Some(scan.string()?);
                    1 << 5
                }
                PLATFORM => {
                    scan.platform(depth + 1)?;
                    1 << 6
                }
                ARTIFACT_TYPE => {
                    scan.media_type()?;
                    1 << 7
                }
                _ => {
                    scan.any(depth + 1)?;
                    OTHER
                }
            })
        })?;
        let (digest, size) = (fields.digest?, fields.size?);
        if let Some(data) = fields.data {
            // Padded base64 of exactly `size` bytes that hash to `digest`.
            let bytes = BASE64.decode(data).ok()?;
            if bytes.len() as u64 != size {
                return None;
            }
            if !(digest == EMPTY_DIGEST && bytes == b"{}") {
                crate::verify(&bytes, &Digest::parse(digest).ok()?, None).ok()?;
            }
        }
        fields.media_type
    }

    /// A platform (`image-index.md`): `architecture` and `os` required, all strings.
    fn platform(&mut self, depth: usize) -> Option<()> {
        let (mut architecture, mut os) = (false, false);
        self.object(depth, |scan, key| {
            Some(match packed_key(key) {
                ARCHITECTURE => {
                    scan.string()?;
                    architecture = true;
                    1
                }
                OS => {
                    scan.string()?;
                    os = true;
                    1 << 1
                }
                OS_VERSION => {
                    scan.string()?;
                    1 << 2
                }
                VARIANT => {
                    scan.string()?;
                    1 << 3
                }
                OS_FEATURES => {
                    scan.array(depth + 1, |scan| scan.string().map(drop))?;
                    1 << 4
                }
                _ => {
                    scan.any(depth + 1)?;
                    OTHER
                }
            })
        })?;
        (architecture && os).then_some(())
    }

    /// Annotations (`annotations.md`): string values that break no rule.
    fn annotations(&mut self, depth: usize) -> Option<()> {
        self.object(depth, |scan, key| {
            annotation_problem(key, scan.string()?)
                .is_none()
                .then_some(OTHER)
        })
    }
}

/// Whether [`MediaType::parse`](crate::MediaType::parse) accepts `text`, without building a `MediaType`:
/// `restricted-name "/" restricted-name` (RFC 6838 §4.2), each 1–127 characters, a letter or
/// digit, then letters, digits and `! # $ & - ^ _ . +`.
fn is_media_type(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut slash = 0;
    while slash < bytes.len() && bytes[slash] != b'/' {
        slash += 1;
    }
    slash < bytes.len()
        && is_restricted_name(&bytes[..slash])
        && is_restricted_name(&bytes[slash + 1..])
}

#[inline(always)]
fn is_restricted_name(name: &[u8]) -> bool {
    if name.is_empty() || name.len() > 127 || !name[0].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = 1;
    while i < name.len() {
        let b = name[i];
        if !(b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#' | b'$' | b'&' | b'-' | b'^' | b'_' | b'.' | b'+'
            ))
        {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether `text` is a digest [`Digest::parse`] accepts with a registered algorithm (any other
/// is an error or a warning): `sha256:`, `sha512:` or `blake3:` and the lowercase hex of its
/// length.
fn is_registered_digest(text: &str) -> bool {
    let bytes = text.as_bytes();
    let hex_len = match bytes.get(..7) {
        Some(b"sha256:" | b"blake3:") => 64,
        Some(b"sha512:") => 128,
        _ => return false,
    };
    if bytes.len() != 7 + hex_len {
        return false;
    }
    let mut i = 7;
    while i < bytes.len() {
        if !matches!(bytes[i], b'0'..=b'9' | b'a'..=b'f') {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether any byte of `word` is a quote, a backslash or a control character (below 0x20): the
/// bit tricks of "Bit Twiddling Hacks" (determine if a word has a byte equal to / less than n),
/// which never miss such a byte.
#[inline(always)]
fn may_end_string(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let quote = has_zero(word ^ (ONES * u64::from(b'"')));
    let backslash = has_zero(word ^ (ONES * u64::from(b'\\')));
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    quote | backslash | control != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MediaType;
    use crate::validate::{validate, validate_fully};
    use serde_json::Value;

    const MANIFEST: &str = include_str!("../../../bench/manifest-1.3k.json");

    #[test]
    fn a_clean_manifest_takes_the_fast_path() {
        assert_eq!(clean_kind(MANIFEST.as_bytes(), None), Some(Kind::Manifest));
        assert_eq!(
            clean_kind(MANIFEST.as_bytes(), Some(Kind::Manifest)),
            Some(Kind::Manifest)
        );
        assert_eq!(clean_kind(MANIFEST.as_bytes(), Some(Kind::Index)), None);
        assert_eq!(clean_kind(MANIFEST.as_bytes(), Some(Kind::Config)), None);
    }

    /// The word test finds every byte that can end a plain string, at every position.
    #[test]
    fn every_special_byte_is_seen_in_a_word() {
        for byte in 0..=255u8 {
            let special = byte == b'"' || byte == b'\\' || byte < 0x20;
            for at in 0..8 {
                let mut word = *b"abcdefgh";
                word[at] = byte;
                assert_eq!(
                    may_end_string(u64::from_le_bytes(word)),
                    special,
                    "{byte} at {at}"
                );
                // With bytes above 0x7f around it too.
                let mut word = [0xc3u8; 8];
                word[at] = byte;
                assert_eq!(
                    may_end_string(u64::from_le_bytes(word)),
                    special,
                    "{byte} at {at} among 0xc3"
                );
            }
        }
    }

    /// The media type check accepts only what `MediaType::parse` accepts, and all of it:
    /// every byte at the start, middle and end of either part, and the length limits.
    #[test]
    fn the_media_type_check_is_media_type_parse() {
        let mut texts = vec![
            String::new(),
            "/".into(),
            "a/".into(),
            "/b".into(),
            "a/b/c".into(),
            "a/b;x=1".into(),
            format!("{}/{}", "a".repeat(127), "b".repeat(127)),
            format!("{}/b", "a".repeat(128)),
            format!("a/{}", "b".repeat(128)),
        ];
        for byte in 0..=127u8 {
            let c = char::from(byte);
            for template in [
                "Xpp/sub", "tXp/sub", "tpX/sub", "typ/Xub", "typ/sXb", "typ/suX",
            ] {
                texts.push(template.replace('X', &c.to_string()));
            }
        }
        texts.push("té/x".into());
        for text in &texts {
            assert_eq!(
                is_media_type(text),
                MediaType::parse(text).is_ok(),
                "{text:?}"
            );
        }
    }

    /// `annotation_problem` knows every pre-defined key (by its name after the reserved prefix)
    /// and its format.
    #[test]
    fn annotation_problem_knows_every_pre_defined_key() {
        use super::super::AnnotationProblem;
        use crate::annotations::*;
        let digest = "sha256:6974b36c6e41347d3ebf1d2e617657b304652721e45b4634a2e429dd7a4d9e8f";
        for (key, good, problem) in [
            (
                CREATED,
                "2026-12-04T17:00:00Z",
                Some(AnnotationProblem::NotRfc3339),
            ),
            (AUTHORS, "x", None),
            (URL, "https://example.com", Some(AnnotationProblem::NotUrl)),
            (
                DOCUMENTATION,
                "https://example.com",
                Some(AnnotationProblem::NotUrl),
            ),
            (
                SOURCE,
                "https://example.com",
                Some(AnnotationProblem::NotUrl),
            ),
            (VERSION, "x", None),
            (REVISION, "x", None),
            (VENDOR, "x", None),
            (LICENSES, "x", None),
            (REF_NAME, "v1", Some(AnnotationProblem::NotRefName)),
            (TITLE, "x", None),
            (DESCRIPTION, "x", None),
            (
                BASE_IMAGE_DIGEST,
                digest,
                Some(AnnotationProblem::NotDigest),
            ),
            (BASE_IMAGE_NAME, "x", None),
        ] {
            assert_eq!(annotation_problem(key, good), None, "{key}");
            assert_eq!(annotation_problem(key, " bad "), problem, "{key}");
        }
        assert_eq!(
            annotation_problem("org.opencontainers.image.other", "x"),
            Some(AnnotationProblem::Reserved)
        );
        assert_eq!(
            annotation_problem("build", "x"),
            Some(AnnotationProblem::NotNamespaced)
        );
        assert_eq!(annotation_problem("org.example.build", "x"), None);
    }

    /// The digest check accepts exactly the digests `Digest::parse` accepts as supported.
    #[test]
    fn the_digest_check_is_digest_parse_of_a_registered_algorithm() {
        let hex64 = "6974b36c6e41347d3ebf1d2e617657b304652721e45b4634a2e429dd7a4d9e8f";
        let mut texts = Vec::new();
        for algorithm in [
            "sha256",
            "sha512",
            "blake3",
            "sha384",
            "SHA256",
            "sha256+b64",
            "",
        ] {
            for hex in [
                String::new(),
                hex64.into(),
                hex64.repeat(2),
                hex64[1..].into(),
            ] {
                texts.push(format!("{algorithm}:{hex}"));
                for byte in 0..=127u8 {
                    let mut changed = format!("{algorithm}:{hex}").into_bytes();
                    let at = changed.len() / 2;
                    changed[at] = byte;
                    texts.push(String::from_utf8(changed).expect("ascii"));
                }
            }
        }
        texts.push(format!("sha256{hex64}"));
        for text in &texts {
            let parsed = Digest::parse(text).is_ok_and(|d| d.is_supported());
            assert_eq!(is_registered_digest(text), parsed, "{text:?}");
        }
    }

    /// Packed keys are equal exactly when the keys are (up to 16 bytes); longer ones are none
    /// of the names.
    #[test]
    fn packed_keys_tell_names_apart() {
        let keys: Vec<&[u8]> = vec![
            b"",
            b"o",
            b"os",
            b"os.",
            b"os.version",
            b"so",
            b"mediaType",
            b"mediatype",
            b"0123456789abcdef",
            b"0123456789abcdeg",
            b"123456789abcdef",
        ];
        for a in &keys {
            let text = std::str::from_utf8(a).expect("ascii");
            assert_eq!(packed_key(text), packed(a));
            for b in &keys {
                assert_eq!(packed(a) == packed(b), a == b, "{a:?} {b:?}");
            }
            assert_ne!(packed(a), u128::MAX);
        }
        assert_eq!(packed(b"0123456789abcdefg"), u128::MAX);
        assert_eq!(packed_key("0123456789abcdefg"), u128::MAX);
        let names = [
            SCHEMA_VERSION,
            MEDIA_TYPE,
            ARTIFACT_TYPE,
            CONFIG,
            LAYERS,
            MANIFESTS,
            SUBJECT,
            ANNOTATIONS,
            DIGEST,
            SIZE,
            URLS,
            DATA,
            PLATFORM,
            ARCHITECTURE,
            OS,
            OS_VERSION,
            VARIANT,
            OS_FEATURES,
        ];
        for (i, a) in names.iter().enumerate() {
            assert!(names[i + 1..].iter().all(|b| a != b));
        }
    }

    #[test]
    fn whitespace_and_unknown_fields_are_read() {
        let text = " {\"schemaVersion\" : 2,\n\t\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\r\"manifests\":[],\"x\":{\"b\":[1,true,false,null,{}],\"a\":\"\"}} ";
        assert_eq!(clean_kind(text.as_bytes(), None), Some(Kind::Index));
    }

    #[test]
    fn duplicate_keys_give_up() {
        for text in [
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"schemaVersion":2}"#,
            r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"x":{"b":1,"a":1,"b":2}}"#,
        ] {
            assert_eq!(clean_kind(text.as_bytes(), None), None, "{text}");
        }
    }

    /// The fast path answers exactly as the full validator (whose answer it short-cuts) for
    /// `bytes`; whether it answered at all.
    fn same_as_full(bytes: &[u8], kind: Option<Kind>) -> bool {
        let full = validate_fully(bytes, kind);
        assert_eq!(
            validate(bytes, kind),
            full,
            "{}",
            String::from_utf8_lossy(bytes)
        );
        let fast = clean_kind(bytes, kind);
        if fast.is_some() {
            assert!(full.findings.is_empty() && full.kind == fast);
        }
        fast.is_some()
    }

    /// Every validation vector (tests/vectors/manifests) and every prose case of the benchmark
    /// (bench/prose-cases.json): the same report through the fast path as without it.
    #[test]
    fn the_fast_path_agrees_with_the_full_validator_on_the_vectors() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let read = |path: std::path::PathBuf| -> Value {
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json")
        };
        let mut inputs: Vec<(Vec<u8>, Option<Kind>)> = Vec::new();
        for entry in std::fs::read_dir(root.join("tests/vectors/manifests")).expect("dir") {
            for case in read(entry.expect("entry").path())["cases"]
                .as_array()
                .expect("cases")
            {
                let bytes = if let Some(hex) = case["hex"].as_str() {
                    (0..hex.len())
                        .step_by(2)
                        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                        .collect()
                } else if let Some(text) = case["text"].as_str() {
                    text.as_bytes().to_vec()
                } else {
                    serde_json::to_vec(&case["document"]).expect("serializes")
                };
                let kind = case["kind"].as_str().map(|k| Kind::parse(k).expect("kind"));
                // Each case with its own kind, and detected.
                inputs.push((bytes.clone(), kind));
                inputs.push((bytes, None));
            }
        }
        for case in read(root.join("bench/prose-cases.json"))["cases"]
            .as_array()
            .expect("cases")
        {
            let text = case["document"].as_str().expect("document");
            inputs.push((text.as_bytes().to_vec(), None));
        }
        assert!(inputs.len() >= 400, "{}", inputs.len());
        let fast: Vec<_> = inputs
            .iter()
            .filter(|(bytes, kind)| same_as_full(bytes, *kind))
            .collect();
        // The clean manifests and indexes among them take the fast path.
        assert!(fast.len() >= 10, "only {} took the fast path", fast.len());
        // Each of those (once per document) with every byte deleted or replaced by one that
        // matters to JSON.
        let mut seen = std::collections::HashSet::new();
        let replacements = [
            None,
            Some(b'"'),
            Some(b'\\'),
            Some(b'0'),
            Some(b'}'),
            Some(0xc3),
        ];
        for (original, kind) in fast.into_iter().filter(|(bytes, _)| seen.insert(bytes)) {
            for bytes in one_byte_changes(original, &replacements) {
                same_as_full(&bytes, *kind);
            }
        }
    }

    /// `original` with each byte in turn deleted (`None`) or replaced by each replacement.
    fn one_byte_changes<'a>(
        original: &'a [u8],
        replacements: &'a [Option<u8>],
    ) -> impl Iterator<Item = Vec<u8>> + 'a {
        (0..original.len()).flat_map(move |i| {
            replacements.iter().map(move |replacement| {
                let mut bytes = original.to_vec();
                match replacement {
                    Some(byte) => bytes[i] = *byte,
                    None => drop(bytes.remove(i)),
                }
                bytes
            })
        })
    }

    /// The benchmark manifest with each byte replaced by characters that matter to JSON, to a
    /// digest, a size, base64 or an annotation key, or deleted: the same report either way.
    #[test]
    fn the_fast_path_agrees_with_the_full_validator_on_every_one_byte_change() {
        let original = MANIFEST.trim_end().as_bytes();
        let replacements = [
            None,
            Some(b'"'),
            Some(b'\\'),
            Some(b'0'),
            Some(b'7'),
            Some(b'a'),
            Some(b'A'),
            Some(b'-'),
            Some(b'.'),
            Some(b'{'),
            Some(b'}'),
            Some(b'['),
            Some(b','),
            Some(b':'),
            Some(b' '),
            Some(0x01),
            Some(0xc3),
        ];
        let fast = one_byte_changes(original, &replacements)
            .filter(|bytes| same_as_full(bytes, None))
            .count();
        // Changes inside free text (a title, a description) keep the manifest clean.
        assert!(fast > 100, "only {fast} took the fast path");
    }

    /// Rules a one-byte change does not reach: limits, platforms, URLs, subjects, indexes.
    #[test]
    fn the_fast_path_agrees_with_the_full_validator_on_edge_cases() {
        const INDEX: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:6974b36c6e41347d3ebf1d2e617657b304652721e45b4634a2e429dd7a4d9e8f","size":280,"urls":["https://example.com/a"],"platform":{"architecture":"amd64","os":"linux","os.version":"1","variant":"v2","os.features":["x"],"extra":[1]}}],"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:6974b36c6e41347d3ebf1d2e617657b304652721e45b4634a2e429dd7a4d9e8f","size":1},"annotations":{"org.opencontainers.image.ref.name":"v1"}}"#;
        assert!(same_as_full(INDEX.as_bytes(), None));
        assert!(same_as_full(INDEX.as_bytes(), Some(Kind::Index)));
        assert!(!same_as_full(INDEX.as_bytes(), Some(Kind::Manifest)));
        let changed = [
            ("\"size\":280", "\"size\":9223372036854775807"),
            ("\"size\":280", "\"size\":9223372036854775808"),
            ("\"size\":280", "\"size\":18446744073709551616"),
            ("\"size\":280", "\"size\":-1"),
            ("\"size\":280", "\"size\":280,\"size\":280"),
            ("\"size\":280", "\"size\":280,\"z\":1,\"y\":1,\"z\":1"),
            ("\"os\":\"linux\"", "\"os\":\"linux\",\"os\":\"linux\""),
            ("\"size\":280", "\"size\":2.0"),
            ("\"size\":280", "\"size\":\"280\""),
            ("\"os\":\"linux\",", ""),
            ("\"architecture\":\"amd64\",", ""),
            ("\"os\":\"linux\"", "\"os\":1"),
            ("\"variant\":\"v2\"", "\"variant\":null"),
            ("[\"x\"]", "[1]"),
            ("https://example.com/a", "not a url"),
            ("[\"https://example.com/a\"]", "\"https://example.com/a\""),
            ("sha256:6974", "sha384:6974"),
            ("sha256:6974", "sha512:6974"),
            ("\"manifests\":[{", "\"manifests\":[],\"x\":[{"),
            ("ref.name\":\"v1\"", "ref.name\":\"-v1\""),
            (
                "ref.name\":\"v1\"",
                "ref.name\":\"v1\",\"b\":\"\",\"b\":\"\"",
            ),
            ("\"schemaVersion\":2,", ""),
            ("\"schemaVersion\":2", "\"schemaVersion\":2.0"),
            ("\"schemaVersion\":2", "\"schemaVersion\":02"),
            (
                "\"mediaType\":\"application/vnd.oci.image.index.v1+json\",",
                "",
            ),
            ("{\"schemaVersion", "[{\"schemaVersion"),
            ("\"extra\":[1]", "\"extra\":[1e400]"),
            ("\"extra\":[1]", "\"extra\":[tru]"),
            ("\"extra\":[1]", "\"extra\":[\"\\u0041\"]"),
        ];
        for (from, to) in changed {
            assert!(INDEX.contains(from), "{from}");
            same_as_full(INDEX.replacen(from, to, 1).as_bytes(), None);
            same_as_full(INDEX.replacen(from, to, 1).as_bytes(), Some(Kind::Index));
        }
        let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
        same_as_full(INDEX.replacen("[1]", &deep, 1).as_bytes(), None);
        // Many keys out of order, with and without a repeated one.
        let keys: Vec<String> = (0..100).rev().map(|i| format!("\"k{i:03}\":1")).collect();
        let many = format!("{{{}}}", keys.join(","));
        same_as_full(INDEX.replacen("[1]", &many, 1).as_bytes(), None);
        let repeated = format!("{{{},\"k050\":2}}", keys.join(","));
        same_as_full(INDEX.replacen("[1]", &repeated, 1).as_bytes(), None);
        // Sixteen keys out of order, then keys in order after them, one repeating the first.
        for count in [15, 16, 17, 30] {
            let mut keys: Vec<String> = vec!["\"z\":1".into()];
            keys.extend((1..count).map(|i| format!("\"a{i:02}\":1")));
            keys.push("\"z\":2".into());
            let text = INDEX.replacen("[1]", &format!("{{{}}}", keys.join(",")), 1);
            assert!(!same_as_full(text.as_bytes(), None), "{count}");
        }
        // The empty config without artifactType.
        let manifest = MANIFEST.replacen(
            "\"artifactType\":\"application/vnd.example.docs.config.v1+json\",",
            "",
            1,
        );
        assert_ne!(manifest, MANIFEST);
        assert!(!same_as_full(manifest.as_bytes(), None));
    }
}
