//! Sizes as JS numbers, range checked: a `number` is exact only up to 2^53 − 1
//! (`Number.MAX_SAFE_INTEGER`), so larger values are an error in both directions, never a
//! silent rounding.

use ocikit_core::Error;
use wasm_bindgen::prelude::*;

/// `Number.MAX_SAFE_INTEGER`, 2^53 − 1.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The exact JS number for `size`, or `None` when a number cannot hold it exactly.
pub fn to_number(size: u64) -> Option<f64> {
    // The cast is exact: every integer up to 2^53 is representable in an f64.
    (size <= MAX_SAFE_INTEGER).then_some(size as f64)
}

/// The size a JS number stands for, or `None` unless it is a non-negative safe integer.
pub fn from_number(number: f64) -> Option<u64> {
    // NaN fails every comparison; ±Infinity fails the upper bound or the sign.
    let exact = number >= 0.0 && number <= MAX_SAFE_INTEGER as f64 && number.fract() == 0.0;
    // The cast is exact: `number` is a non-negative integer below 2^53.
    exact.then_some(number as u64)
}

/// A size handed to JS: a `RangeError` above `Number.MAX_SAFE_INTEGER`.
pub(crate) fn to_js(size: u64) -> Result<f64, JsValue> {
    to_number(size).ok_or_else(|| {
        js_sys::RangeError::new(&format!(
            "size {size} exceeds Number.MAX_SAFE_INTEGER and cannot be represented exactly"
        ))
        .into()
    })
}

/// An optional size from JS: `undefined` or `null` is absent, a non-number is a `TypeError`,
/// and a number that is not a non-negative safe integer is the core's `SIZE_INVALID`.
pub(crate) fn optional_from_js(value: &JsValue, name: &str) -> Result<Option<u64>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let number = value
        .as_f64()
        .ok_or_else(|| crate::type_error(&format!("{name} must be a number")))?;
    match from_number(number) {
        Some(size) => Ok(Some(size)),
        None => Err(crate::error::to_js(&Error::SizeInvalid {
            value: number_text(number),
        })),
    }
}

/// The number as JS prints it (`1.5`, `-1`, `NaN`, `Infinity`, `9007199254740992`).
fn number_text(number: f64) -> String {
    js_sys::Number::from(number)
        .to_string_with_radix(10)
        // Radix 10 never fails; no Rust float formatting as a fallback (about 18 KB of code).
        .map(String::from)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_up_to_max_safe_integer_convert_exactly() {
        for size in [0, 1, 1 << 32, (1 << 53) - 2, MAX_SAFE_INTEGER] {
            let number = to_number(size).expect("in range");
            assert_eq!(number as u64, size);
            assert_eq!(from_number(number), Some(size));
        }
    }

    #[test]
    fn sizes_above_max_safe_integer_are_refused() {
        // 2^53 + 1 would round to 2^53 as an f64: exactly the silent error this module prevents.
        for size in [1 << 53, (1 << 53) + 1, u64::MAX] {
            assert_eq!(to_number(size), None, "{size}");
        }
    }

    #[test]
    fn numbers_that_are_not_safe_non_negative_integers_are_refused() {
        let two_pow_53 = 9_007_199_254_740_992.0;
        for number in [
            -1.0,
            -0.5,
            0.5,
            1.5,
            two_pow_53,
            1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(from_number(number), None, "{number}");
        }
        assert_eq!(from_number(-0.0), Some(0));
    }
}
