//! Reading the JSON tree into the wire types.
//!
//! Decoding never stops early: a value that does not fit is noted in
//! [`Errors`] (the first one, with its field path) and a placeholder stands
//! in for it, and [`super::decode`] returns the error at the end. Returning
//! early from each field would make every field and variant carry code to
//! drop what was read before it; in the wasm engine that code was most of
//! the decoders.

use super::{CodecError, Decode, Json};
use alloc::{boxed::Box, collections::{BTreeMap, BTreeSet}, string::String, vec, vec::Vec};

/// The first error met while decoding one value.
#[derive(Debug, Default)]
pub struct Errors(Option<CodecError>);

impl Errors {
    /// Notes `reason`, unless an earlier error is already kept.
    #[inline(never)]
    pub fn fail(&mut self, reason: &'static str) {
        if self.0.is_none() {
            self.0 = Some(CodecError::new(reason));
        }
    }

    /// Notes that `json` is not what was expected: `reason`, or that the
    /// field is missing.
    #[inline(never)]
    pub fn expected(&mut self, json: &Json, reason: &'static str) {
        self.fail(if matches!(json, Json::Missing) { "a field is missing" } else { reason });
    }

    /// Whether an error is kept.
    pub fn failed(&self) -> bool {
        self.0.is_some()
    }

    /// The kept error, if any.
    pub fn into_error(self) -> Option<CodecError> {
        self.0
    }

    /// Names the field the kept error happened in (called from the inside
    /// out, as fields finish).
    #[inline(never)]
    fn within(&mut self, name: &'static str) {
        if let Some(error) = self.0.take() {
            self.0 = Some(error.within(name));
        }
    }
}

/// The members of an object being decoded, taken out field by field.
pub struct Object {
    members: Vec<(String, Json)>,
    /// The field taken last ("" before the first).
    last: &'static str,
    /// Whether no error was kept before the field taken last: an error
    /// kept since then happened inside it, and gets its name.
    clean: bool,
}

/// The members of an object value (none, and an error, if it is not one).
pub fn object(json: Json, errors: &mut Errors) -> Object {
    let members = match json {
        Json::Object(members) => members,
        json => {
            errors.expected(&json, "expected an object");
            Vec::new()
        }
    };
    Object {
        members,
        last: "",
        clean: false,
    }
}

impl Object {
    /// Takes the member `name` out, [`Json::Missing`] if there is none,
    /// for the field's type to decode; it is the one non-generic step of
    /// every field, so each field costs a call and its type's decoder.
    /// A field given twice is an error, as serde_json has it: the browser
    /// engine sends a command as the page wrote it, so what the codec
    /// reads must be what the server reads.
    #[inline(never)]
    pub fn take(&mut self, name: &'static str, errors: &mut Errors) -> Json {
        self.settle(errors);
        self.last = name;
        self.clean = !errors.failed();
        let Some(at) = self.members.iter().position(|(key, _)| key == name) else { return Json::Missing };
        let json = self.members.swap_remove(at).1;
        if self.members.iter().any(|(key, _)| key == name) {
            errors.fail("a field given twice");
        }
        json
    }

    /// An error met inside the field taken last gets its name.
    fn settle(&mut self, errors: &mut Errors) {
        if self.clean && errors.failed() {
            errors.within(self.last);
        }
        self.clean = false;
    }

    /// After the last field; with `deny_unknown`, members no field took
    /// are an error.
    #[inline(never)]
    pub fn finish(mut self, deny_unknown: bool, errors: &mut Errors) {
        self.settle(errors);
        if deny_unknown && !self.members.is_empty() {
            errors.fail("unknown field");
        }
    }
}

/// Reads a field with a default: `default()` if it is missing. One
/// instance per type, shared by its fields.
#[inline(never)]
pub fn decode_or<T: Decode>(json: Json, errors: &mut Errors, default: fn() -> T) -> T {
    match json {
        Json::Missing => default(),
        json => T::decode(json, errors),
    }
}

/// The items of an array of exactly `len` items (a tuple); nulls, and an
/// error, if it is not one.
pub fn array(json: Json, len: usize, errors: &mut Errors) -> Vec<Json> {
    match json {
        Json::Array(items) if items.len() == len => items,
        json => {
            errors.expected(&json, "expected an array of another length");
            vec![Json::Null; len]
        }
    }
}

/// Accepts `null` (a unit struct).
pub fn null(json: Json, errors: &mut Errors) {
    if json != Json::Null {
        errors.expected(&json, "expected null");
    }
}

/// An externally tagged enum value: `"tag"` or `{"tag": value}`.
pub enum Variant {
    /// A bare string: a unit variant.
    Unit(String),
    /// A one-member object: a variant with data.
    Tagged(String, Json),
}

/// Splits an externally tagged enum value (an empty tag, which no variant
/// has, and an error, if it is neither form).
pub fn variant(json: Json, errors: &mut Errors) -> Variant {
    match json {
        Json::String(tag) => Variant::Unit(tag),
        Json::Object(mut members) if members.len() == 1 => {
            let (tag, value) = members.pop().unwrap_or_default();
            Variant::Tagged(tag, value)
        }
        json => {
            errors.expected(&json, "expected a kind");
            Variant::Unit(String::new())
        }
    }
}

/// The index of `tag` among a type's `tags`; past the end, and an error,
/// if it is none of them.
#[inline(never)]
pub fn tag_index(tag: &str, tags: &[&str], errors: &mut Errors) -> usize {
    tags.iter().position(|t| *t == tag).unwrap_or_else(|| {
        errors.fail("unknown kind");
        tags.len()
    })
}

impl Decode for u64 {
    fn decode(json: Json, errors: &mut Errors) -> Self {
        match json {
            Json::Number(n) => n,
            Json::OtherNumber(reason) => {
                errors.fail(reason);
                0
            }
            json => {
                errors.expected(&json, "expected a whole number");
                0
            }
        }
    }

    fn placeholder() -> Self {
        0
    }
}

macro_rules! narrow_number {
    ($($t:ty),*) => {$(
        impl Decode for $t {
            fn decode(json: Json, errors: &mut Errors) -> Self {
                <$t>::try_from(u64::decode(json, errors)).unwrap_or_else(|_| {
                    errors.fail("a number out of range");
                    0
                })
            }

            fn placeholder() -> Self {
                0
            }
        }
    )*};
}

narrow_number!(u8, u16, u32, usize);

impl Decode for bool {
    fn decode(json: Json, errors: &mut Errors) -> Self {
        match json {
            Json::Bool(b) => b,
            json => {
                errors.expected(&json, "expected true or false");
                false
            }
        }
    }

    fn placeholder() -> Self {
        false
    }
}

impl Decode for String {
    fn decode(json: Json, errors: &mut Errors) -> Self {
        match json {
            Json::String(s) => s,
            json => {
                errors.expected(&json, "expected a string");
                String::new()
            }
        }
    }

    fn placeholder() -> Self {
        String::new()
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode(json: Json, errors: &mut Errors) -> Self {
        match json {
            Json::Null | Json::Missing => None,
            json => Some(T::decode(json, errors)),
        }
    }

    fn placeholder() -> Self {
        None
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode(json: Json, errors: &mut Errors) -> Self {
        Box::new(T::decode(json, errors))
    }

    fn placeholder() -> Self {
        Box::new(T::placeholder())
    }
}

/// Decodes each item of an array into `add`. A plain loop: collecting into
/// a B-tree sorts first, which costs more code.
fn items<T: Decode>(json: Json, errors: &mut Errors, mut add: impl FnMut(T)) {
    let items = match json {
        Json::Array(items) => items,
        json => return errors.expected(&json, "expected an array"),
    };
    for item in items {
        add(T::decode(item, errors));
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(json: Json, errors: &mut Errors) -> Self {
        let mut vec = Vec::new();
        items(json, errors, |item| vec.push(item));
        vec
    }

    fn placeholder() -> Self {
        Vec::new()
    }
}

impl<T: Decode + Ord> Decode for BTreeSet<T> {
    fn decode(json: Json, errors: &mut Errors) -> Self {
        let mut set = BTreeSet::new();
        items(json, errors, |item| {
            set.insert(item);
        });
        set
    }

    fn placeholder() -> Self {
        BTreeSet::new()
    }
}

/// Decodes each member of an object into `add`. Map keys are JSON strings:
/// a key type decodes from a string value (ids and unit variants do).
pub fn entries<K: Decode, V: Decode>(json: Json, errors: &mut Errors, mut add: impl FnMut(K, V)) {
    let members = match json {
        Json::Object(members) => members,
        json => return errors.expected(&json, "expected an object"),
    };
    for (key, value) in members {
        add(K::decode(Json::String(key), errors), V::decode(value, errors));
    }
}

impl<K: Decode + Ord, V: Decode> Decode for BTreeMap<K, V> {
    fn decode(json: Json, errors: &mut Errors) -> Self {
        let mut map = BTreeMap::new();
        entries(json, errors, |key, value| {
            map.insert(key, value);
        });
        map
    }

    fn placeholder() -> Self {
        BTreeMap::new()
    }
}
