//! The webhook signature, both ways: HMAC-SHA256 of `"{timestamp}.{body}"`
//! with a shared secret, sent as `X-Ringside-Timestamp: <ms>` and
//! `X-Ringside-Signature: sha256=<hex>`. The timestamp is signed too, and a
//! receiver refuses one more than [`MAX_SKEW_MS`] away from its clock, so a
//! captured request cannot be replayed later.

use ring::hmac;

/// The header carrying the timestamp (server milliseconds).
pub const TIMESTAMP_HEADER: &str = "x-ringside-timestamp";
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-ringside-signature";
/// How far a signed timestamp may be from the receiver's clock.
pub const MAX_SKEW_MS: u64 = 300_000;

/// The signature header's value for `body` sent at `timestamp`.
pub fn sign(secret: &[u8], timestamp: u64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let tag = hmac::sign(&key, &signed_material(timestamp, body));
    format!("sha256={}", tag.as_ref().iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// Whether `signature` signs `body` at `timestamp`, and the timestamp is
/// within [`MAX_SKEW_MS`] of `now` (compared in constant time).
pub fn verify(secret: &[u8], timestamp: u64, body: &[u8], signature: &str, now: u64) -> bool {
    if now.abs_diff(timestamp) > MAX_SKEW_MS {
        return false;
    }
    let Some(tag) = signature.strip_prefix("sha256=").and_then(decode_hex) else { return false };
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hmac::verify(&key, &signed_material(timestamp, body), &tag).is_ok()
}

fn signed_material(timestamp: u64, body: &[u8]) -> Vec<u8> {
    let mut material = format!("{timestamp}.").into_bytes();
    material.extend_from_slice(body);
    material
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // SPEC N7: a signature verifies only for its body, secret and a fresh timestamp.
    #[test]
    fn a_signature_verifies_only_its_body_secret_and_a_fresh_time() {
        let signature = sign(b"secret", 1_000_000, b"{\"user\":\"ana\"}");
        assert!(verify(b"secret", 1_000_000, b"{\"user\":\"ana\"}", &signature, 1_000_500));
        assert!(!verify(b"secret", 1_000_000, b"{\"user\":\"ben\"}", &signature, 1_000_500), "another body");
        assert!(!verify(b"other", 1_000_000, b"{\"user\":\"ana\"}", &signature, 1_000_500), "another secret");
        assert!(!verify(b"secret", 1_000_000, b"{\"user\":\"ana\"}", &signature, 1_000_000 + MAX_SKEW_MS + 1), "a replay later");
        assert!(!verify(b"secret", 1_000_000, b"{\"user\":\"ana\"}", "sha256=zz", 1_000_000));
    }
}
