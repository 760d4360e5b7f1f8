//! The JSON tree that validation walks: strings and keys borrowed from the input where they need
//! no unescaping, objects as key-sorted vectors.
//!
//! Why not [`serde_json::Value`]: building one allocates every key and string and a `BTreeMap`
//! node per object, which was most of the time of `validate` in wasm (issue 12: JS `validate`
//! against ajv). A manifest is read here with one allocation per object or array.
//!
//! The fast reader takes only the plain subset of JSON — strings without escapes or control
//! characters, non-negative integers that fit in a `u64`, nesting up to [`MAX_DEPTH`], no
//! duplicate keys — and gives up on anything else. Then the document is read by
//! [`json::parse_strict`] (the reader every other part of ocikit uses) and converted, so that
//! what is accepted, every value and every error message are exactly what `parse_strict` gives.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Number, Value};

use crate::{Error, json};

/// Deeper documents take the `parse_strict` path (serde_json allows 128 levels).
const MAX_DEPTH: usize = 64;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Object<'a>),
}

/// A JSON object: its members sorted by key (the order a `serde_json::Map` iterates in), keys
/// unique.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Object<'a> {
    members: Vec<(Cow<'a, str>, Node<'a>)>,
}

impl<'a> Object<'a> {
    pub(super) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.members
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &self.members[i].1)
    }

    pub(super) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Members in key order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &Node<'a>)> {
        self.members.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

impl<'a> Node<'a> {
    pub(super) fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Self::Object(object) => Some(object),
            _ => None,
        }
    }

    pub(super) fn as_array(&self) -> Option<&[Node<'a>]> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(text) => Some(text),
            _ => None,
        }
    }

    pub(super) fn as_u64(&self) -> Option<u64> {
        match self {
            Self::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    pub(super) fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub(super) fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    pub(super) fn is_boolean(&self) -> bool {
        matches!(self, Self::Bool(_))
    }

    /// The member `key` of an object; `None` for anything else.
    pub(super) fn get(&self, key: &str) -> Option<&Node<'a>> {
        self.as_object()?.get(key)
    }

    /// "a string", "an object", … for messages about a value of the wrong type.
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::Array(_) => "an array",
            Self::Object(_) => "an object",
        }
    }

    /// The same value as a `serde_json::Value` (for messages that quote it).
    fn to_value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Number(n) => Value::Number(n.clone()),
            Self::String(text) => Value::String(text.as_ref().to_owned()),
            Self::Array(items) => Value::Array(items.iter().map(Self::to_value).collect()),
            Self::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_value()))
                    .collect(),
            ),
        }
    }

    fn from_value(value: Value) -> Node<'static> {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => Node::Number(n),
            Value::String(text) => Node::String(Cow::Owned(text)),
            Value::Array(items) => Node::Array(items.into_iter().map(Node::from_value).collect()),
            Value::Object(map) => Node::Object(Object::from_map(map)),
        }
    }
}

impl Object<'static> {
    fn from_map(map: Map<String, Value>) -> Self {
        // A `Map` iterates in key order, so the members come out sorted.
        Object {
            members: map
                .into_iter()
                .map(|(k, v)| (Cow::Owned(k), Node::from_value(v)))
                .collect(),
        }
    }
}

/// Compact JSON, as `serde_json::Value` prints it.
impl fmt::Display for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_value(), f)
    }
}

/// Parses `bytes` as one JSON value, rejecting duplicate keys: exactly what
/// [`json::parse_strict`] accepts, with its errors.
pub(super) fn parse(bytes: &[u8]) -> Result<Node<'_>, Error> {
    if let Some(node) = Reader::read(bytes) {
        return Ok(node);
    }
    json::parse_strict(bytes).map(Node::from_value)
}

/// The fast reader of the plain subset; `None` hands the document to `parse_strict`.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn read(bytes: &'a [u8]) -> Option<Node<'a>> {
        let mut reader = Reader {
            text: std::str::from_utf8(bytes).ok()?,
            pos: 0,
        };
        let node = reader.value(0)?;
        reader.whitespace();
        (reader.pos == bytes.len()).then_some(node)
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// RFC 8259 whitespace: space, tab, line feed, carriage return.
    #[inline]
    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// The next non-whitespace byte, consumed.
    #[inline]
    fn next_token(&mut self) -> Option<u8> {
        self.whitespace();
        let byte = self.peek()?;
        self.pos += 1;
        Some(byte)
    }

    fn literal(&mut self, rest: &str, node: Node<'a>) -> Option<Node<'a>> {
        let end = self.pos + rest.len();
        (self.text.as_bytes().get(self.pos..end)? == rest.as_bytes()).then(|| {
            self.pos = end;
            node
        })
    }

    fn value(&mut self, depth: usize) -> Option<Node<'a>> {
        match self.next_token()? {
            b'"' => self.string().map(|s| Node::String(Cow::Borrowed(s))),
            b'{' if depth < MAX_DEPTH => self.object(depth + 1),
            b'[' if depth < MAX_DEPTH => self.array(depth + 1),
            b't' => self.literal("rue", Node::Bool(true)),
            b'f' => self.literal("alse", Node::Bool(false)),
            b'n' => self.literal("ull", Node::Null),
            first @ b'0'..=b'9' => self.integer(first),
            _ => None,
        }
    }

    /// A string whose opening quote has been read; escapes and control characters give up.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let rest = &self.text.as_bytes()[start..];
        let len = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[len] != b'"' {
            return None;
        }
        self.pos = start + len + 1;
        // Both ends are ASCII quotes, so the slice is on character boundaries.
        self.text.get(start..start + len)
    }

    /// A non-negative integer that fits in a u64 (`serde_json` reads it as a `u64` too); a
    /// fraction, an exponent or a sign gives up.
    fn integer(&mut self, first: u8) -> Option<Node<'a>> {
        let mut n = u64::from(first - b'0');
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            // A leading zero is invalid JSON: parse_strict reports it.
            if first == b'0' {
                return None;
            }
            n = n.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
            self.pos += 1;
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        Some(Node::Number(Number::from(n)))
    }

    fn array(&mut self, depth: usize) -> Option<Node<'a>> {
        let mut items = Vec::new();
        self.whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Some(Node::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            match self.next_token()? {
                b',' => {}
                b']' => return Some(Node::Array(items)),
                _ => return None,
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<Node<'a>> {
        let mut members = Vec::new();
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Some(Node::Object(Object { members }));
        }
        loop {
            if self.next_token()? != b'"' {
                return None;
            }
            let key = self.string()?;
            if self.next_token()? != b':' {
                return None;
            }
            members.push((Cow::Borrowed(key), self.value(depth)?));
            match self.next_token()? {
                b',' => {}
                b'}' => break,
                _ => return None,
            }
        }
        sort_by_key(&mut members);
        // A repeated key: parse_strict reports it.
        if members.windows(2).any(|pair| pair[0].0 == pair[1].0) {
            return None;
        }
        Some(Node::Object(Object { members }))
    }
}

/// Sorts members by key. Objects are small and often sorted already (Go writes map keys in
/// order): an insertion sort does those in one pass, where the standard library's unstable sort
/// (a heapsort when std is built for size) costs several times more; large objects use it.
fn sort_by_key(members: &mut [(Cow<'_, str>, Node<'_>)]) {
    if members.len() > 16 {
        members.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        return;
    }
    for i in 1..members.len() {
        let mut j = i;
        while j > 0 && members[j - 1].0 > members[j].0 {
            members.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast reader and `parse_strict` agree on every document the fast reader takes.
    #[test]
    fn fast_reader_agrees_with_parse_strict() {
        let documents: &[&str] = &[
            r#"{"b":1,"a":[true,false,null,"x",{}],"c":{"z":"","y":[]}}"#,
            " \t\r\n[ 0 , 18446744073709551615 , \"é\" ] ",
            r#"{"schemaVersion":2,"layers":[{"size":280,"annotations":{"k":"v"}}]}"#,
        ];
        for text in documents {
            let fast = Reader::read(text.as_bytes()).expect("the fast reader takes it");
            let strict = json::parse_strict(text.as_bytes()).expect("valid JSON");
            assert_eq!(fast.to_value(), strict, "{text}");
        }
    }

    /// Members come out in key order, as a `serde_json::Map` iterates, for small and large
    /// objects alike.
    #[test]
    fn members_are_in_key_order() {
        for n in [0, 1, 2, 5, 16, 17, 40] {
            let members: Vec<String> = (0..n).rev().map(|i| format!("\"k{i:02}\":{i}")).collect();
            let text = format!("{{{}}}", members.join(","));
            let fast = Reader::read(text.as_bytes()).expect("the fast reader takes it");
            let keys: Vec<&str> = fast
                .as_object()
                .expect("object")
                .iter()
                .map(|(k, _)| k)
                .collect();
            let mut sorted = keys.clone();
            sorted.sort_unstable();
            assert_eq!(keys, sorted, "{n} members");
            assert_eq!(
                fast.to_value(),
                json::parse_strict(text.as_bytes()).expect("valid")
            );
        }
    }

    /// What the fast reader leaves to `parse_strict`: then the value or error is its.
    #[test]
    fn fast_reader_gives_up_on_the_rest() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#""a\"b""#,
            "\"tab\there\"",
            "-1",
            "1.5",
            "1e3",
            "01",
            "18446744073709551616",
            "[1,]",
            "{\"a\":1,}",
            "[1] x",
            "",
            "tru",
            &"[".repeat(MAX_DEPTH + 1),
        ] {
            assert!(Reader::read(text.as_bytes()).is_none(), "{text}");
            assert_eq!(
                parse(text.as_bytes()).map(|n| n.to_value()),
                json::parse_strict(text.as_bytes()),
                "{text}"
            );
        }
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(
            parse(deep.as_bytes()).map(|n| n.to_value()),
            json::parse_strict(deep.as_bytes())
        );
    }
}
