//! Strict JSON reading and canonical JSON writing.
//!
//! Reading rejects what RFC 8259 leaves to implementations and what a content-addressed
//! document cannot afford: duplicate object keys (two parsers may pick different values for
//! the same bytes, so the same digest could mean two different manifests).
//!
//! Writing produces the bytes Go's `encoding/json` produces — compact, map keys sorted, and
//! `<`, `>`, `&`, U+2028 and U+2029 escaped — so that ocikit, ORAS and other Go tools compute
//! the same digest for the same document.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::Error;

/// Parses `bytes` as one JSON value, rejecting duplicate object keys.
///
/// # Errors
/// [`Error::JsonInvalid`] with the parser's position for malformed JSON or a duplicate key.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue
        .deserialize(&mut deserializer)
        .and_then(|v| deserializer.end().map(|()| v))
        .map_err(|e| Error::JsonInvalid {
            reason: e.to_string(),
        })?;
    Ok(value)
}

/// A [`DeserializeSeed`] that builds a [`Value`] and fails on a repeated key.
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key {key:?}")));
            }
            let value = map.next_value_seed(StrictValue)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Appends `text` as a JSON string literal, escaped exactly as Go's `encoding/json` does.
pub(crate) fn write_string(out: &mut String, text: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            // HTML-safe escaping, on by default in Go's json.Marshal.
            '<' => Some("\\u003c"),
            '>' => Some("\\u003e"),
            '&' => Some("\\u0026"),
            // JSONP-safe: U+2028 and U+2029 end lines in JavaScript.
            '\u{2028}' => Some("\\u2028"),
            '\u{2029}' => Some("\\u2029"),
            c if c < ' ' => None,
            _ => continue,
        };
        out.push_str(&text[start..i]);
        match escape {
            Some(escaped) => out.push_str(escaped),
            None => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let b = c as u8;
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// Appends a JSON value in canonical form: compact, object keys sorted by their UTF-8 bytes
/// (as Go sorts map keys), strings escaped as [`write_string`] does.
pub(crate) fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Builds one JSON object field by field, in the order the caller writes them.
pub(crate) struct ObjectWriter<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> ObjectWriter<'a> {
    pub(crate) fn new(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, first: true }
    }

    /// Writes `"key":` and returns the buffer for the value.
    pub(crate) fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        write_string(self.out, key);
        self.out.push(':');
        self.out
    }

    pub(crate) fn string(&mut self, key: &str, value: &str) {
        let out = self.key(key);
        write_string(out, value);
    }

    pub(crate) fn finish(self) {
        self.out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        let mut out = String::new();
        write_string(
            &mut out,
            "a<b>&\"\\\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{2028}\u{2029}é世\u{7f}",
        );
        let expected = concat!(
            r#""a\u003cb\u003e\u0026\"\\\n\r\t\b\f\u0001\u001f\u2028\u2029é世"#,
            "\u{7f}\""
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn sorts_keys_by_bytes() {
        let value: Value =
            serde_json::from_str(r#"{"b":1,"a":{"z":[1,"x"],"Z":null},"é":true,"e":false}"#)
                .expect("json");
        let mut out = String::new();
        write_value(&mut out, &value);
        assert_eq!(
            out,
            r#"{"a":{"Z":null,"z":[1,"x"]},"b":1,"e":false,"é":true}"#
        );
    }

    #[test]
    fn rejects_duplicate_keys_at_any_depth() {
        assert!(parse_strict(br#"{"a":1,"b":{"c":1}}"#).is_ok());
        for doc in [&br#"{"a":1,"a":2}"#[..], br#"{"x":[{"k":1,"k":1}]}"#] {
            let err = parse_strict(doc).expect_err("duplicate");
            assert_eq!(err.code(), "JSON_INVALID");
            assert!(err.to_string().contains("duplicate key"), "{err}");
        }
    }

    #[test]
    fn rejects_trailing_data_and_bad_utf8() {
        for doc in [&b"{} {}"[..], b"", b"{\"a\":\"\xff\"}", b"[1,]"] {
            assert_eq!(
                parse_strict(doc).expect_err("invalid").code(),
                "JSON_INVALID"
            );
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let doc = "[".repeat(100_000);
        assert_eq!(
            parse_strict(doc.as_bytes()).expect_err("too deep").code(),
            "JSON_INVALID"
        );
    }
}
