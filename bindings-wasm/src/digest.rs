//! `digest`, `Digester`, `verify` and `parseDigest`.

use js_sys::{Object, Uint8Array};
use ocikit_core::{Algorithm, Digest, Digester};
use wasm_bindgen::prelude::*;

use crate::error::thrown;

/// How much of a JS buffer is copied into wasm memory at a time. Hashing a large buffer piece by
/// piece keeps each piece in L2 between the copy and the hash, and keeps the module's linear
/// memory (which never shrinks) from growing to the size of the largest input.
const PIECE: u32 = 256 * 1024;

/// Feeds the bytes of a JS `Uint8Array` to the digester without copying it whole.
fn update_from_js(digester: &mut Digester, bytes: &Uint8Array) {
    let len = bytes.length();
    // Not zeroed: every byte hashed is first written by the copy.
    let mut buffer: Vec<u8> = Vec::with_capacity(len.min(PIECE) as usize);
    let mut offset = 0;
    while offset < len {
        let end = len.min(offset.saturating_add(PIECE));
        let spare = &mut buffer.spare_capacity_mut()[..(end - offset) as usize];
        let piece = if offset == 0 && end == len {
            bytes.copy_to_uninit(spare)
        } else {
            bytes.subarray(offset, end).copy_to_uninit(spare)
        };
        digester.update(piece);
        offset = end;
    }
}

/// The algorithm argument: absent means sha256; a name must be one ocikit can compute.
fn digester_for(algorithm: &JsValue) -> Result<Digester, JsValue> {
    let algorithm = match crate::optional_string_arg(algorithm, "algorithm")? {
        None => Algorithm::Sha256,
        Some(name) => Algorithm::parse(&name).map_err(thrown)?,
    };
    Digester::new(&algorithm).map_err(thrown)
}

fn digest_arg(value: &JsValue) -> Result<Digest, JsValue> {
    Digest::parse(&crate::string_arg(value, "digest")?).map_err(thrown)
}

/// `digest(bytes, algorithm?)`: the digest string of `bytes` (sha256 unless told).
#[wasm_bindgen]
pub fn digest(data: &JsValue, algorithm: &JsValue) -> Result<String, JsValue> {
    let bytes = crate::bytes_arg(data, "data")?;
    let mut digester = digester_for(algorithm)?;
    update_from_js(&mut digester, bytes);
    Ok(digester.finalize().to_string())
}

fn check_size(expected: Option<u64>, actual: u64) -> Result<(), JsValue> {
    ocikit_core::digest::check_size(expected, actual).map_err(thrown)
}

/// `verify(bytes, digest, size?)`: throws `SIZE_MISMATCH`, `DIGEST_MISMATCH`,
/// `DIGEST_UNSUPPORTED` or `DIGEST_INVALID` unless `bytes` has that digest (and size).
#[wasm_bindgen]
pub fn verify(data: &JsValue, expected: &JsValue, size: &JsValue) -> Result<(), JsValue> {
    let bytes = crate::bytes_arg(data, "data")?;
    let expected = digest_arg(expected)?;
    let expected_size = crate::size::optional_from_js(size, "size")?;
    // `ocikit_core::verify`, fed piece by piece: size, then algorithm, then content.
    check_size(expected_size, u64::from(bytes.length()))?;
    let mut digester = Digester::new(expected.algorithm()).map_err(thrown)?;
    update_from_js(&mut digester, bytes);
    digester.verify(&expected, None).map_err(thrown)
}

/// `parseDigest(s)` → `{ algorithm, encoded, supported }`.
#[wasm_bindgen(js_name = parseDigest)]
pub fn parse_digest(text: &JsValue) -> Result<Object, JsValue> {
    let digest = digest_arg(text)?;
    let parts = Object::new();
    crate::set(&parts, "algorithm", &digest.algorithm().as_str().into());
    crate::set(&parts, "encoded", &digest.encoded().into());
    crate::set(&parts, "supported", &digest.is_supported().into());
    Ok(parts)
}

/// The name of an algorithm ocikit computes, as the core spells it, for hosts that hash some
/// algorithms with their own native code (node:crypto for sha256 and sha512):
/// `DIGEST_INVALID` or `DIGEST_UNSUPPORTED` otherwise.
#[wasm_bindgen(js_name = supportedAlgorithm)]
pub fn supported_algorithm(algorithm: &JsValue) -> Result<String, JsValue> {
    Ok(digester_for(algorithm)?.algorithm().as_str().to_owned())
}

/// The core's verification rules ([`ocikit_core::digest::check`]) applied to a digest the host
/// computed natively (node:crypto); `actual` may be `null` when `expected` uses an algorithm
/// ocikit cannot compute, which is then reported after the size, as the core orders them.
#[wasm_bindgen(js_name = verifyComputed)]
pub fn verify_computed(
    expected: &JsValue,
    expected_size: &JsValue,
    actual: &JsValue,
    actual_size: f64,
) -> Result<(), JsValue> {
    let expected = digest_arg(expected)?;
    let expected_size = crate::size::optional_from_js(expected_size, "size")?;
    let actual_size = crate::size::from_number(actual_size)
        .ok_or_else(|| js_sys::RangeError::new("the content size is not a safe integer"))?;
    let Some(actual) = crate::optional_string_arg(actual, "actual")? else {
        check_size(expected_size, actual_size)?;
        // Without a computed digest only an unsupported algorithm can be reported.
        Digester::new(expected.algorithm()).map_err(thrown)?;
        return Err(crate::type_error("actual must be the computed digest"));
    };
    let actual = Digest::parse(&actual).map_err(thrown)?;
    ocikit_core::digest::check(&expected, expected_size, &actual, actual_size).map_err(thrown)
}

/// `new Digester(algorithm?)`: an incremental digest.
#[wasm_bindgen(js_name = Digester)]
#[derive(Debug, Clone)]
pub struct JsDigester(Digester);

#[wasm_bindgen(js_class = Digester)]
impl JsDigester {
    /// A digester for `algorithm` (sha256 unless told).
    #[wasm_bindgen(constructor)]
    pub fn new(algorithm: &JsValue) -> Result<JsDigester, JsValue> {
        digester_for(algorithm).map(Self)
    }

    /// Feeds more bytes.
    pub fn update(&mut self, data: &JsValue) -> Result<(), JsValue> {
        update_from_js(&mut self.0, crate::bytes_arg(data, "data")?);
        Ok(())
    }

    /// The digest of everything fed so far; more may follow.
    pub fn finalize(&self) -> String {
        self.0.finalize().to_string()
    }

    /// The number of bytes fed so far (a `RangeError` past `Number.MAX_SAFE_INTEGER`).
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> Result<f64, JsValue> {
        crate::size::to_js(self.0.size())
    }

    /// `"sha256"`, `"sha512"` or `"blake3"`.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.0.algorithm().as_str().to_owned()
    }

    /// Throws unless the content fed so far has the `expected` digest (and size).
    pub fn verify(&self, expected: &JsValue, size: &JsValue) -> Result<(), JsValue> {
        let expected = digest_arg(expected)?;
        let size = crate::size::optional_from_js(size, "size")?;
        self.0.verify(&expected, size).map_err(thrown)
    }
}
