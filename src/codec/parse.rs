//! The JSON parser of the codec: every JSON number is read, but only whole
//! non-negative ones as values; nesting bounded so a hostile frame cannot
//! exhaust the stack.

use super::{CodecError, Json};
use alloc::{string::String, vec::Vec};

/// How deep arrays and objects may nest; the protocol needs far less.
const MAX_DEPTH: usize = 64;

/// Parses one JSON value filling the whole of `text`.
pub fn parse(text: &str) -> Result<Json, CodecError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = parser.value(0)?;
    parser.space();
    if parser.at != parser.bytes.len() {
        return Err(CodecError::new("text after the JSON value"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

fn malformed() -> CodecError {
    CodecError::new("malformed JSON")
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Result<u8, CodecError> {
        let byte = self.peek().ok_or_else(malformed)?;
        self.at += 1;
        Ok(byte)
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn literal(&mut self, word: &[u8], value: Json) -> Result<Json, CodecError> {
        if self.bytes.get(self.at..self.at + word.len()) == Some(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(malformed())
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, CodecError> {
        if depth > MAX_DEPTH {
            return Err(CodecError::new("JSON nested too deep"));
        }
        self.space();
        match self.peek().ok_or_else(malformed)? {
            b'n' => self.literal(b"null", Json::Null),
            b't' => self.literal(b"true", Json::Bool(true)),
            b'f' => self.literal(b"false", Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'0'..=b'9' | b'-' => self.number(),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.peek() == Some(b']') {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.space();
                    match self.next()? {
                        b',' => {}
                        b']' => return Ok(Json::Array(items)),
                        _ => return Err(malformed()),
                    }
                }
            }
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                self.space();
                if self.peek() == Some(b'}') {
                    self.at += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.space();
                    if self.peek() != Some(b'"') {
                        return Err(malformed());
                    }
                    let key = self.string()?;
                    self.space();
                    if self.next()? != b':' {
                        return Err(malformed());
                    }
                    members.push((key, self.value(depth + 1)?));
                    self.space();
                    match self.next()? {
                        b',' => {}
                        b'}' => return Ok(Json::Object(members)),
                        _ => return Err(malformed()),
                    }
                }
            }
            _ => Err(malformed()),
        }
    }

    /// A number as JSON writes them: `-`, digits without a leading zero,
    /// then a fraction and an exponent, each optional.
    fn number(&mut self) -> Result<Json, CodecError> {
        let negative = self.peek() == Some(b'-');
        self.at += usize::from(negative);
        let start = self.at;
        let mut n = Some(0u64);
        while let Some(digit @ b'0'..=b'9') = self.peek() {
            n = n.and_then(|n| n.checked_mul(10)?.checked_add(u64::from(digit - b'0')));
            self.at += 1;
        }
        let digits = self.at - start;
        if digits == 0 || (digits > 1 && self.bytes[start] == b'0') {
            return Err(malformed());
        }
        let mut fractional = false;
        if self.peek() == Some(b'.') {
            self.at += 1;
            fractional = true;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            fractional = true;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
        }
        Ok(match n {
            _ if fractional => Json::OtherNumber("a fractional number"),
            _ if negative => Json::OtherNumber("a negative number"),
            Some(n) => Json::Number(n),
            None => Json::OtherNumber("a number out of range"),
        })
    }

    /// One digit or more.
    fn digits(&mut self) -> Result<(), CodecError> {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        if self.at == start {
            return Err(malformed());
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, CodecError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = char::from(self.next()?)
                .to_digit(16)
                .ok_or_else(malformed)?;
            code = code * 16 + digit;
        }
        Ok(code)
    }

    fn string(&mut self) -> Result<String, CodecError> {
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            // Copy the run of plain bytes at once: it starts and ends next to
            // ASCII bytes, so on character boundaries.
            let run = self.bytes[self.at..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .ok_or_else(malformed)?;
            out.push_str(
                self.text
                    .get(self.at..self.at + run)
                    .ok_or_else(malformed)?,
            );
            self.at += run;
            match self.next()? {
                b'"' => return Ok(out),
                b'\\' => {
                    let escaped = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(malformed()),
                    };
                    out.push(escaped);
                }
                _ => return Err(CodecError::new("a control character in a string")),
            }
        }
    }

    /// `\uXXXX`, or a surrogate pair `\uD8XX\uDCXX`. A surrogate without
    /// its other half is refused wherever it is, with its own reason:
    /// serde_json refuses it too in a string it reads, but not in a value
    /// it skips (an unknown field), which this parser reads all the same.
    fn unicode_escape(&mut self) -> Result<char, CodecError> {
        let lone = || CodecError::new("a lone surrogate");
        let high = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if self.next()? != b'\\' || self.next()? != b'u' {
                return Err(lone());
            }
            let low = self.hex4()?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(lone());
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or_else(lone)
    }
}
