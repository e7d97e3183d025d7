//! The compact JSON codec of the wire types, for the browser engine.
//!
//! The server speaks JSON through serde_json; the browser engine reads and
//! writes the same JSON with this codec, whose [`Encode`] and [`Decode`] are
//! derived (crate `ringside-codec-derive`) from the very `#[serde(...)]`
//! attributes serde_json follows, so the two cannot describe different
//! formats (tests/codec.rs compares them byte for byte). It exists for size:
//! serde's derives are generic over every format and their monomorphized
//! visitors were most of the wasm engine. Here a frame is parsed once into a
//! small [`Json`] tree (whole non-negative numbers only: the protocol has no
//! other) and each type reads its fields from it by name.

mod parse;

pub use parse::parse;
pub use ringside_codec_derive::{Decode, Encode};

use std::collections::{BTreeMap, BTreeSet};

/// A parsed JSON value, as the protocol uses JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Json {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number from 0 to `u64::MAX`.
    Number(u64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, its members in order.
    Object(Vec<(String, Json)>),
}

/// Why a value could not be decoded: a fixed reason and the field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError {
    reason: &'static str,
    path: Vec<&'static str>,
}

impl CodecError {
    /// An error with a fixed reason.
    pub fn new(reason: &'static str) -> CodecError {
        CodecError {
            reason,
            path: Vec::new(),
        }
    }

    /// The same error, inside the field `name`.
    pub fn within(mut self, name: &'static str) -> CodecError {
        self.path.push(name);
        self
    }
}

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.reason)?;
        if !self.path.is_empty() {
            f.write_str(" at ")?;
            for (i, name) in self.path.iter().rev().enumerate() {
                if i > 0 {
                    f.write_str(".")?;
                }
                f.write_str(name)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for CodecError {}

/// A type read from the JSON tree.
pub trait Decode: Sized {
    /// Reads the value.
    fn decode(json: Json) -> Result<Self, CodecError>;

    /// The value of a missing field with no default: an error, except for
    /// `Option`, which is `None` (serde's rule).
    fn absent(_name: &'static str) -> Result<Self, CodecError> {
        Err(CodecError::new("a field is missing"))
    }

    /// Any value of the type: it stands in for a field that failed to read
    /// while the rest of the object is read (the error is what is returned).
    fn placeholder() -> Self;
}

/// A type written as JSON text.
pub trait Encode {
    /// Appends the value's JSON to `out`.
    fn encode(&self, out: &mut String);
}

/// Parses `text` and decodes a `T` from it.
pub fn from_str<T: Decode>(text: &str) -> Result<T, CodecError> {
    T::decode(parse(text)?)
}

/// The JSON text of `value`, exactly as serde_json writes it.
pub fn to_string<T: Encode + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.encode(&mut out);
    out
}

/// The members of an object being decoded, taken out field by field. The
/// first error is kept here and reported by [`Object::finish`].
pub struct Object {
    members: Vec<(String, Json)>,
    error: Option<CodecError>,
}

impl Object {
    /// Takes the member `name`, if present.
    fn take(&mut self, name: &str) -> Option<Json> {
        let at = self.members.iter().position(|(key, _)| key == name)?;
        Some(self.members.swap_remove(at).1)
    }

    /// Reads the field `name`; a missing one is [`Decode::absent`]. After an
    /// error, the placeholder.
    #[inline(never)]
    pub fn field<T: Decode>(&mut self, name: &'static str) -> T {
        let read = match self.take(name) {
            Some(value) => T::decode(value),
            None => T::absent(name),
        };
        self.keep(read, name)
    }

    /// Reads the field `name`, `default()` if missing.
    #[inline(never)]
    pub fn field_or<T: Decode>(&mut self, name: &'static str, default: fn() -> T) -> T {
        let read = self.take(name).map_or_else(|| Ok(default()), T::decode);
        self.keep(read, name)
    }

    /// Reads the field `name`, `fallback` if missing.
    pub fn field_else<T: Decode>(&mut self, name: &'static str, fallback: T) -> T {
        let read = self.take(name).map_or(Ok(fallback), T::decode);
        self.keep(read, name)
    }

    fn keep<T: Decode>(&mut self, read: Result<T, CodecError>, name: &'static str) -> T {
        match read {
            Ok(value) => value,
            Err(error) => {
                self.note(error, name);
                T::placeholder()
            }
        }
    }

    /// Keeps the first error (not generic: one copy for every field type).
    #[inline(never)]
    fn note(&mut self, error: CodecError, name: &'static str) {
        if self.error.is_none() {
            self.error = Some(error.within(name));
        }
    }

    /// The first error a field had; with `deny_unknown`, members no field
    /// took are one too.
    pub fn finish(&mut self, deny_unknown: bool) -> Result<(), CodecError> {
        match self.error.take() {
            Some(error) => Err(error),
            None if deny_unknown && !self.members.is_empty() => {
                Err(CodecError::new("unknown field"))
            }
            None => Ok(()),
        }
    }
}

/// The members of an object value.
pub fn object(json: Json) -> Result<Object, CodecError> {
    match json {
        Json::Object(members) => Ok(Object {
            members,
            error: None,
        }),
        _ => Err(CodecError::new("expected an object")),
    }
}

/// The items of an array of exactly `len` items (a tuple).
pub fn array(json: Json, len: usize) -> Result<Vec<Json>, CodecError> {
    match json {
        Json::Array(items) if items.len() == len => Ok(items),
        _ => Err(CodecError::new("expected an array of another length")),
    }
}

/// Accepts `null` (a unit struct).
pub fn null(json: Json) -> Result<(), CodecError> {
    match json {
        Json::Null => Ok(()),
        _ => Err(CodecError::new("expected null")),
    }
}

/// An externally tagged enum value: `"tag"` or `{"tag": value}`.
pub enum Variant {
    /// A bare string: a unit variant.
    Unit(String),
    /// A one-member object: a variant with data.
    Tagged(String, Json),
}

/// Splits an externally tagged enum value.
pub fn variant(json: Json) -> Result<Variant, CodecError> {
    match json {
        Json::String(tag) => Ok(Variant::Unit(tag)),
        Json::Object(mut members) if members.len() == 1 => {
            let (tag, value) = members.pop().unwrap_or_default();
            Ok(Variant::Tagged(tag, value))
        }
        _ => Err(CodecError::new("expected a kind")),
    }
}

/// Writes the separator and the quoted key (`"name":`) of an object member.
pub fn key(out: &mut String, first: &mut bool, quoted_key: &str) {
    if !*first {
        out.push(',');
    }
    *first = false;
    out.push_str(quoted_key);
}

/// Opens `{"tag":` of a variant with data.
pub fn open_tag(out: &mut String, tag: &str) {
    out.push('{');
    write_str(out, tag);
    out.push(':');
}

/// Writes a JSON string with serde_json's escapes.
pub fn write_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(c as u8 >> 4)]));
                out.push(char::from(HEX[usize::from(c as u8 & 15)]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes a whole number without the formatting machinery.
fn write_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

impl Decode for u64 {
    fn decode(json: Json) -> Result<Self, CodecError> {
        match json {
            Json::Number(n) => Ok(n),
            _ => Err(CodecError::new("expected a whole number")),
        }
    }

    fn placeholder() -> Self {
        0
    }
}

impl Encode for u64 {
    fn encode(&self, out: &mut String) {
        write_u64(out, *self);
    }
}

macro_rules! narrow_number {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(json: Json) -> Result<Self, CodecError> {
                <$t>::try_from(u64::decode(json)?).map_err(|_| CodecError::new("a number out of range"))
            }

            fn placeholder() -> Self {
                0
            }
        }
        impl Encode for $t {
            fn encode(&self, out: &mut String) {
                write_u64(out, *self as u64);
            }
        }
    )*};
}

narrow_number!(u8, u16, u32, usize);

impl Decode for bool {
    fn decode(json: Json) -> Result<Self, CodecError> {
        match json {
            Json::Bool(b) => Ok(b),
            _ => Err(CodecError::new("expected true or false")),
        }
    }

    fn placeholder() -> Self {
        false
    }
}

impl Encode for bool {
    fn encode(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl Decode for String {
    fn decode(json: Json) -> Result<Self, CodecError> {
        match json {
            Json::String(s) => Ok(s),
            _ => Err(CodecError::new("expected a string")),
        }
    }

    fn placeholder() -> Self {
        String::new()
    }
}

impl Encode for String {
    fn encode(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl Encode for str {
    fn encode(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, out: &mut String) {
        (**self).encode(out);
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(json: Json) -> Result<Self, CodecError> {
        match json {
            Json::Null => Ok(None),
            json => T::decode(json).map(Some),
        }
    }

    fn absent(_name: &'static str) -> Result<Self, CodecError> {
        Ok(None)
    }

    fn placeholder() -> Self {
        None
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut String) {
        match self {
            Some(value) => value.encode(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(json: Json) -> Result<Self, CodecError> {
        T::decode(json).map(Box::new)
    }

    fn placeholder() -> Self {
        Box::new(T::placeholder())
    }
}

impl<T: Encode + ?Sized> Encode for Box<T> {
    fn encode(&self, out: &mut String) {
        (**self).encode(out);
    }
}

/// Decodes each item of an array into `add`. A plain loop: collecting
/// `Result`s, or into a B-tree (which sorts first), costs more code.
fn items<T: Decode>(json: Json, mut add: impl FnMut(T)) -> Result<(), CodecError> {
    let Json::Array(items) = json else { return Err(CodecError::new("expected an array")) };
    for item in items {
        add(T::decode(item)?);
    }
    Ok(())
}

/// Writes `[a,b,...]`.
fn write_items<'a, T: Encode + 'a>(out: &mut String, items: impl Iterator<Item = &'a T>) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        item.encode(out);
    }
    out.push(']');
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(json: Json) -> Result<Self, CodecError> {
        let mut vec = Vec::new();
        items(json, |item| vec.push(item))?;
        Ok(vec)
    }

    fn placeholder() -> Self {
        Vec::new()
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode(&self, out: &mut String) {
        write_items(out, self.iter());
    }
}

impl<T: Encode> Encode for [T] {
    fn encode(&self, out: &mut String) {
        write_items(out, self.iter());
    }
}

impl<T: Decode + Ord> Decode for BTreeSet<T> {
    fn decode(json: Json) -> Result<Self, CodecError> {
        let mut set = BTreeSet::new();
        items(json, |item| {
            set.insert(item);
        })?;
        Ok(set)
    }

    fn placeholder() -> Self {
        BTreeSet::new()
    }
}

impl<T: Encode> Encode for BTreeSet<T> {
    fn encode(&self, out: &mut String) {
        write_items(out, self.iter());
    }
}

/// Map keys are JSON strings: a key type decodes from, and encodes to, a
/// string value (ids and unit variants do).
impl<K: Decode + Ord, V: Decode> Decode for BTreeMap<K, V> {
    fn decode(json: Json) -> Result<Self, CodecError> {
        match json {
            Json::Object(members) => {
                let mut map = BTreeMap::new();
                for (key, value) in members {
                    map.insert(K::decode(Json::String(key))?, V::decode(value)?);
                }
                Ok(map)
            }
            _ => Err(CodecError::new("expected an object")),
        }
    }

    fn placeholder() -> Self {
        BTreeMap::new()
    }
}

impl<K: Encode, V: Encode> Encode for BTreeMap<K, V> {
    fn encode(&self, out: &mut String) {
        out.push('{');
        for (i, (key, value)) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            key.encode(out);
            out.push(':');
            value.encode(out);
        }
        out.push('}');
    }
}
