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

mod decode;
mod encode;
mod parse;

pub use decode::{array, decode_or, entries, null, object, tag_index, variant, Errors, Object, Variant};
pub use encode::{key, open_tag, write_entries, write_str};
pub use parse::parse;
pub use ringside_codec_derive::{Decode, Encode};
use alloc::{string::String, vec::Vec};

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
    /// Any other number (negative, fractional, or past `u64::MAX`), with
    /// the reason no field can hold it. Kept, not refused, so that a field
    /// nobody reads may carry one, as serde_json lets it.
    OtherNumber(&'static str),
    /// No value: a field the object does not have. Never parsed; it is
    /// what [`Object::take`] hands a missing field's type, which reads it
    /// as serde does (`None` for an `Option`, an error for the rest).
    Missing,
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

impl CodecError {
    /// The reason, then the path to the field: `expected a string at kind.status`.
    pub fn message(&self) -> String {
        let mut out = String::from(self.reason);
        let mut separator = " at ";
        for name in self.path.iter().rev() {
            out.push_str(separator);
            out.push_str(name);
            separator = ".";
        }
        out
    }
}

crate::text::message_error!(CodecError);

/// A type read from the JSON tree. A value that does not fit is noted in
/// `errors` and read as the placeholder; [`decode`] reports the error.
pub trait Decode: Sized {
    /// Reads the value; [`Json::Missing`] is a missing field with no
    /// default: an error, except for `Option`, which is `None` (serde's
    /// rule).
    fn decode(json: Json, errors: &mut Errors) -> Self;

    /// Any value of the type: it stands in for a value that failed to read
    /// while the rest is read (the error is what is returned).
    fn placeholder() -> Self;
}

/// A type written as JSON text.
pub trait Encode {
    /// Appends the value's JSON to `out`.
    fn encode(&self, out: &mut String);
}

/// Decodes a `T` from the tree: the value, or the first error met.
pub fn decode<T: Decode>(json: Json) -> Result<T, CodecError> {
    let mut errors = Errors::default();
    let value = T::decode(json, &mut errors);
    errors.into_error().map_or(Ok(value), Err)
}

/// Parses `text` and decodes a `T` from it.
pub fn from_str<T: Decode>(text: &str) -> Result<T, CodecError> {
    decode(parse(text)?)
}

/// The JSON text of `value`, exactly as serde_json writes it.
pub fn to_string<T: Encode + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.encode(&mut out);
    out
}

