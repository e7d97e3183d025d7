//! Writing JSON text exactly as serde_json writes it (no whitespace, its
//! escapes), without the formatting machinery. Numbers are written by
//! `crate::text`, the same in JSON as in messages.

use super::Encode;
use alloc::{borrow::{Cow, ToOwned}, boxed::Box, collections::{BTreeMap, BTreeSet}, string::String, vec::Vec};

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

impl Encode for bool {
    fn encode(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
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

impl<T: Encode> Encode for Option<T> {
    fn encode(&self, out: &mut String) {
        match self {
            Some(value) => value.encode(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: Encode + ToOwned + ?Sized> Encode for Cow<'_, T> {
    fn encode(&self, out: &mut String) {
        (**self).encode(out);
    }
}

impl<T: Encode + ?Sized> Encode for Box<T> {
    fn encode(&self, out: &mut String) {
        (**self).encode(out);
    }
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

impl<T: Encode> Encode for BTreeSet<T> {
    fn encode(&self, out: &mut String) {
        write_items(out, self.iter());
    }
}

/// Writes a map's entries as an object (keys encode as strings).
pub fn write_entries<'a, K: Encode + 'a, V: Encode + 'a>(out: &mut String, entries: impl Iterator<Item = (&'a K, &'a V)>) {
    out.push('{');
    for (i, (key, value)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        key.encode(out);
        out.push(':');
        value.encode(out);
    }
    out.push('}');
}

impl<K: Encode, V: Encode> Encode for BTreeMap<K, V> {
    fn encode(&self, out: &mut String) {
        write_entries(out, self.iter());
    }
}
