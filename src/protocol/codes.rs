//! Every stable error code a client can meet, in one place: command and
//! frame refusals come from their error enums (`stable_codes!` keeps each
//! enum's `code()` and its `CODES` list one table), the server's own
//! conditions and the codes the browser package makes up itself are listed
//! here with when they happen. The package's `ErrorCode` type and the code
//! list of `docs/protocol.md` are checked against these lists.

/// Implements `code()` and the `CODES` list of an error enum from one table
/// of patterns and codes, so the list cannot miss a variant.
macro_rules! stable_codes {
    ($error:ty { $($pattern:pat => $code:literal),+ $(,)? }) => {
        impl $error {
            /// Every code of this error, in declaration order.
            pub const CODES: &'static [&'static str] = &[$($code),+];

            /// Stable machine-readable code.
            pub fn code(&self) -> &'static str {
                match self {
                    $($pattern => $code),+
                }
            }
        }
    };
}
pub(crate) use stable_codes;

use super::FrameError;
use crate::model::CommandError;
use alloc::vec::Vec;

/// Codes the server sends in `nack` or `error` frames for its own
/// conditions (the connection, the token, its load), with when.
pub const SERVER_CODES: &[(&str, &str)] = &[
    ("busy", "the server's input queue is full: nothing was applied, resend shortly (at hello: close 1013, reconnect later)"),
    ("unavailable", "the change could not be stored: nothing was applied, resend"),
    ("rate_limited", "too many frames: the frame was not read (close 4008 when it goes on)"),
    ("unauthorized", "the token is invalid (close 4001): the client waits for `updateToken`"),
    ("token_expired", "the token has expired (close 4003): the client waits for `updateToken`"),
    ("hello_required", "the first frame was not a hello (close 4002)"),
    ("hello_timeout", "no hello arrived in time (close 4002)"),
    ("unsupported_protocol", "the hello asked for a protocol version the server does not speak (close 4005)"),
    ("already_authenticated", "a second hello on a session"),
    ("too_many_sessions", "the user has as many sessions as allowed (close 4011)"),
];

/// Codes the browser package produces itself, never sent by a server: an
/// `Error`'s `code` (a rejected command, a throw) or an `error` event's.
pub const CLIENT_CODES: &[(&str, &str)] = &[
    ("timeout", "a command got no answer within `commandTimeoutMs`"),
    ("closed", "the client was closed before a command was answered"),
    ("busy", "the engine was handling another call: a listener called back in at a moment the engine cannot take it"),
    ("not_in_rona", "`goIdle()` or `goAvailable()` while not in RONA"),
    ("bad_argument", "a method got an argument of the wrong kind (also a server refusal)"),
    ("invalid_message", "a command is not one the engine knows, or a text in it is over its bound; or the server sent a frame that is not a message"),
    ("malformed_frame", "the server sent a frame that is not JSON, or a binary frame"),
    ("oversize_frame", "the server sent a frame over the size limit; it was dropped"),
    ("bad_url", "no WebSocket could be opened to the url; the engine retries"),
    ("send_failed", "the socket refused a frame"),
    ("not_synced", "the server sent state changes before a snapshot; the engine asks for a fresh one"),
    ("protocol_version", "the server welcomed in another protocol version; the connection ends in the terminal `incompatible` state"),
    ("wasm_load_failed", "`connect()` could not load the engine's wasm module; the next `connect()` tries again"),
    ("report_failed", "`fetchStatusReport()` or `showStatusTimeline()`: the report request failed and its answer named no code"),
    ("bad_config", "`createSimulator()` got a configuration it cannot read (an unknown field, a wrong type)"),
    ("bad_request", "the in-page simulator got a customer action it cannot read (an unknown channel or cause), as the server's `/sim/` answers 400"),
    ("encode_failed", "the in-page simulator could not write its answer as JSON"),
];

/// Every code a client may meet, each once, in alphabetical order: the
/// package's `ErrorCode` union.
pub fn all() -> Vec<&'static str> {
    let listed = SERVER_CODES.iter().chain(CLIENT_CODES).map(|(code, _)| *code);
    let mut codes: Vec<&str> = [CommandError::CODES, FrameError::CODES].concat().into_iter().chain(listed).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::SyncError;

    fn read(path: &str) -> String {
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("the file exists")
    }

    /// The codes written as literals right after each marker in a source.
    fn literals_after<'a>(source: &'a str, marker: &str, quote: char) -> Vec<&'a str> {
        source.split(marker).skip(1).filter_map(|rest| rest.split(quote).next()).collect()
    }

    #[test]
    fn codes_are_snake_case_words() {
        for code in all() {
            assert!(!code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
        }
    }

    #[test]
    fn the_replicas_codes_are_listed_with_when_they_happen() {
        let client: Vec<&str> = CLIENT_CODES.iter().map(|(code, _)| *code).collect();
        for code in SyncError::CODES {
            assert!(client.contains(code), "{code} is not in CLIENT_CODES");
        }
    }

    /// A code written as a literal where the server, the engine or the
    /// package produces an error must be in the union a page types against.
    #[test]
    fn every_code_the_server_engine_and_package_produce_is_listed() {
        let all = all();
        let sources: [(&str, &[&str], char); 8] = [
            ("server/src/ws.rs", &["fail(sink, \"", "fail(&mut sink, \"", "code: \""], '"'),
            ("server/src/owner/batch.rs", &["code: \""], '"'),
            ("server/src/auth.rs", &["AuthError::Invalid(_) => \"", "AuthError::Expired => \""], '"'),
            ("src/web/mod.rs", &["js_error(\"", "code: \""], '"'),
            ("js/index.js", &["failure('", "code: '"], '\''),
            ("js/element.js", &["code: '"], '\''),
            ("js/timeline.js", &["code: body.code ?? '"], '\''),
            ("sim/src/web.rs", &["thrown(\""], '"'),
        ];
        let mut seen = 0;
        for (path, markers, quote) in sources {
            let whole = read(path);
            // Unit tests at the end of a module may use made-up codes.
            let source = whole.split("#[cfg(test)]").next().unwrap_or_default();
            for marker in markers {
                for code in literals_after(source, marker, quote) {
                    assert!(all.contains(&code), "{path} produces `{code}`, which is not in protocol::codes");
                    seen += 1;
                }
            }
        }
        assert!(seen >= 15, "the markers no longer find the codes ({seen} found)");
    }

    #[test]
    fn docs_protocol_names_every_code() {
        let docs = read("docs/protocol.md");
        for code in all() {
            assert!(docs.contains(&format!("`{code}`")), "docs/protocol.md does not name `{code}`");
        }
    }
}
