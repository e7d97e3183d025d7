//! Messages for people, put together without `core::fmt`: the browser
//! engine leaves the formatting machinery out (src/lib.rs says why), so
//! the messages it can write are built by `text!` from [`Piece`]s
//! instead of by `format!`. The server shows the same messages through
//! `Display`, which writes this same text.

use alloc::{borrow::Cow, string::String};

/// A piece of a message: text as it is, a number in decimal.
pub trait Piece {
    /// Appends the piece to `out`.
    fn push_to(&self, out: &mut String);
}

/// The message made of the pieces in order: `text!("offer ", id, " expired")`.
macro_rules! text {
    ($($piece:expr),+ $(,)?) => {{
        let mut out = ::alloc::string::String::new();
        $( $crate::text::Piece::push_to(&$piece, &mut out); )+
        out
    }};
}
pub(crate) use text;

/// `Display` and `Error` for error types that have a `message()`:
/// `Display` writes that message, so the server shows the very text the
/// engine builds.
macro_rules! message_error {
    ($($t:ty),+ $(,)?) => {$(
        impl core::fmt::Display for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.message())
            }
        }
        impl core::error::Error for $t {}
    )+};
}
pub(crate) use message_error;

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for Cow<'_, str> {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

/// Writes a whole number in decimal.
pub fn push_number(out: &mut String, mut n: u64) {
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
    // ASCII digits, so always UTF-8; `get` links no panic path.
    if let Some(text) = digits.get(at..).and_then(|d| core::str::from_utf8(d).ok()) {
        out.push_str(text);
    }
}

// A number reads the same in a message and in JSON: its decimal digits.
macro_rules! decimal {
    ($($t:ty),*) => {$(
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                push_number(out, *self as u64);
            }
        }
        impl crate::codec::Encode for $t {
            fn encode(&self, out: &mut String) {
                push_number(out, *self as u64);
            }
        }
    )*};
}

decimal!(u8, u16, u32, u64, usize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_written_in_order_and_numbers_in_decimal() {
        let name = String::from("lunch");
        assert_eq!(text!("status `", name, "` after ", 0u64, " and ", u64::MAX, " ms"), "status `lunch` after 0 and 18446744073709551615 ms");
        assert_eq!(text!(Cow::Borrowed("a"), 7usize, 255u8), "a7255");
    }
}
