//! Versioned wire messages, shared by the browser engine and the server.
//!
//! Every message is a JSON object with one key naming its kind (externally
//! tagged: it keeps the browser build small, see README). Unknown fields are
//! ignored, so newer peers can add them; an unknown kind is refused with the
//! stable code `unknown_kind`. See `docs/protocol.md` for an example exchange.
//! Every text a frame carries has a bound, in [`limits`].

#[cfg(not(all(target_arch = "wasm32", feature = "browser")))]
mod answers;
pub mod codes;
mod command_text;
pub mod limits;

use crate::model::presence::{Presence, QueueStats};
use crate::model::profile::Profile;
use crate::model::state::{CommandKind, Event};
use crate::model::{AgentState, CommandId, Role, Seq, ServerTime, UserId};
use crate::codec::{Decode, Encode};
use codes::stable_codes;
use serde::{Deserialize, Serialize};
use alloc::{boxed::Box, string::String, vec::Vec};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;

pub use command_text::{CommandText, OutgoingCommand, MAX_COMMAND_TEXT_BYTES};
pub use limits::{MAX_FRAME_BYTES, MAX_SERVER_FRAME_BYTES};

/// A message from a client to the server.
pub type ClientMessage = ClientMessageOf<CommandKind>;

/// A message as a client sends it: its command, if any, as the text it
/// was judged from.
pub type OutgoingMessage = ClientMessageOf<CommandText>;

// Generic over the command's kind: the decoded [`CommandKind`] where a
// message is read or judged ([`ClientMessage`]), or the JSON text the page
// wrote where the browser engine sends a command it has judged
// ([`OutgoingMessage`]). One definition, so both write the same frames,
// and the engine carries no writer for the command kinds.
/// A message from a client to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "ClientMessage", concrete(K = CommandKind)))]
#[serde(rename_all = "snake_case")]
pub enum ClientMessageOf<K> {
    /// The first frame: authenticate and say where to resume (N2, N5).
    Hello {
        /// A signed token naming the user and role.
        token: String,
        /// The last event number the client holds; `None` asks for a snapshot.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        resume: Option<Seq>,
        /// The protocol version the client speaks.
        #[serde(default = "current_version")]
        #[cfg_attr(test, ts(optional = nullable))]
        protocol: u32,
    },
    /// A command to apply once (N1).
    Command {
        /// Client-chosen id; a repeat gets the first answer.
        id: CommandId,
        /// What to do.
        kind: K,
    },
    /// Asks for a fresh snapshot (the client saw a gap in its stream).
    Resync,
    /// Clock probe; the server answers with [`ServerMessage::Pong`].
    Ping {
        /// The client's monotonic time when sent.
        client_time: u64,
    },
    /// Follow the presence of the user's roster (S6, S12): a
    /// [`ServerMessage::Roster`] snapshot, or the changes after `resume`,
    /// then every change.
    SubscribeRoster {
        /// Where the client's roster is; `None` asks for a snapshot.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        resume: Option<RosterPosition>,
    },
    /// Stop following the roster.
    UnsubscribeRoster,
}

/// A place in the roster stream: the server run and the change number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RosterPosition {
    /// The server run the numbers belong to; another run means a snapshot.
    pub epoch: u64,
    /// The last change held.
    pub seq: u64,
}

/// The presence of a whole roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RosterSnapshot {
    /// The server run.
    pub epoch: u64,
    /// The last change it includes.
    pub seq: u64,
    /// One entry per user the viewer follows, in id order.
    pub entries: Vec<Presence>,
    /// Supervisors and admins: the figures of every queue (empty for agents).
    pub queues: Vec<QueueStats>,
    /// Which frame of the roster this is. A roster whose entries would
    /// not fit one frame comes in several, one after the other, with the
    /// same epoch and seq: part 0 (left out) replaces the roster held, and
    /// each later part adds its entries to it.
    #[serde(default, skip_serializing_if = "is_first_part")]
    pub part: u32,
}

fn is_first_part(part: &u32) -> bool {
    *part == 0
}

fn current_version() -> u32 {
    PROTOCOL_VERSION
}

/// A message from the server to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ServerMessage {
    /// Answer to hello or resync: who you are, the profile, and either a
    /// snapshot or (when resuming) nothing, with the missed events following.
    Welcome {
        /// The protocol version the server speaks.
        protocol: u32,
        /// The authenticated user.
        user: UserId,
        /// Its role.
        role: Role,
        /// Server time when sent.
        server_time: ServerTime,
        /// The organisation's profile (boxed: it dwarfs every other message).
        profile: Box<Profile>,
        /// The agent's state, unless the missed events are replayed instead.
        snapshot: Option<Snapshot>,
    },
    /// A change to the agent's state (N2).
    Event(Event),
    /// The command was applied (or had been): `seq` is the number of the last
    /// event it caused (N1).
    Ack {
        /// The command.
        id: CommandId,
        /// Event number after applying it.
        seq: Seq,
    },
    /// The command was refused; nothing changed (N6).
    Nack {
        /// The command, when the frame named one.
        id: Option<CommandId>,
        /// Stable error code.
        #[cfg_attr(test, ts(type = "ErrorCode"))]
        code: String,
        /// A sentence for people.
        message: String,
    },
    /// Answer to ping, for the clock offset (O7).
    Pong {
        /// The client's time from the ping.
        client_time: u64,
        /// Server time when answered.
        server_time: ServerTime,
    },
    /// A connection-level error (bad hello, expired token); the server closes
    /// the socket after it.
    Error {
        /// Stable error code.
        #[cfg_attr(test, ts(type = "ErrorCode"))]
        code: String,
        /// A sentence for people.
        message: String,
    },
    /// The roster as it is (answer to a subscription, or after the directory
    /// changed).
    Roster(Box<RosterSnapshot>),
    /// One user's presence changed.
    Presence {
        /// The change's number in the roster stream.
        seq: u64,
        /// The presence now, as this viewer may see it.
        entry: Box<Presence>,
    },
    /// Supervisors and admins following the roster: queue figures changed.
    QueueStats {
        /// Every queue's figures.
        queues: Vec<QueueStats>,
    },
}

/// The agent's whole state at an event number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Snapshot {
    /// The number of the last event included.
    pub seq: Seq,
    /// The state.
    pub state: AgentState,
}

/// Why a frame was refused, with a stable code (N6).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// The frame is larger than [`MAX_FRAME_BYTES`].
    Oversize(usize),
    /// The frame is not JSON.
    Malformed(String),
    /// The frame names a message or command kind this version does not know.
    UnknownKind(String),
    /// The frame is JSON of a known kind with missing or wrong fields.
    Invalid(String),
}

stable_codes!(FrameError {
    FrameError::Oversize(_) => "oversize_frame",
    FrameError::Malformed(_) => "malformed_frame",
    FrameError::UnknownKind(_) => "unknown_kind",
    FrameError::Invalid(_) => "invalid_message",
});

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FrameError::Oversize(len) => write!(f, "frame of {len} bytes exceeds the limit of {MAX_FRAME_BYTES}"),
            FrameError::Malformed(detail) => write!(f, "frame is not valid JSON: {detail}"),
            FrameError::UnknownKind(detail) => write!(f, "unknown message or command kind: {detail}"),
            FrameError::Invalid(detail) => write!(f, "invalid message: {detail}"),
        }
    }
}

impl core::error::Error for FrameError {}

/// A refused client frame: the error, and the command id if the frame had one
/// so the nack can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedFrame {
    /// The command id found in the frame, if any.
    pub id: Option<CommandId>,
    /// Why it was refused.
    pub error: FrameError,
}

impl ClientMessage {
    /// The command id of a frame written as the encoders write it
    /// (`{"command":{"id":"...`), found by a scan of at most
    /// [`limits::MAX_ID_BYTES`] bytes after that prefix, without decoding the
    /// frame; `None` for any other shape. A rate-limited frame's nack names
    /// its command this way (SPEC N8).
    pub fn peek_command_id(text: &str) -> Option<CommandId> {
        let rest = text.strip_prefix(r#"{"command":{"id":""#)?;
        let window = &rest.as_bytes()[..rest.len().min(limits::MAX_ID_BYTES + 1)];
        // A `"` byte is ASCII, so it is always a character boundary.
        let end = window.iter().position(|&b| b == b'"')?;
        let id = &rest[..end];
        (!id.contains('\\')).then(|| CommandId::from(id))
    }
}

/// Close code: a frame over the size limit (WebSocket's "message too big").
pub const CLOSE_TOO_BIG: u16 = 1009;
/// Close code: no hello in time, or another frame first.
pub const CLOSE_NO_HELLO: u16 = 4002;
/// Close code: the client speaks another protocol version.
pub const CLOSE_PROTOCOL: u16 = 4005;

/// Why a socket's first text frame opens no session: the `error` frame's
/// code and message, then the close code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelloRefusal {
    /// The stable code.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// The close code that follows.
    pub close: u16,
}

#[cfg(feature = "formats")]
impl ClientMessage {
    /// Reads a socket's first text frame as every host judges it (the
    /// server and the in-page simulator): a hello in this protocol version
    /// gives its token and resume point. A hello with wrong fields says
    /// what is wrong with it; anything else (not JSON, another kind) is
    /// simply not a hello.
    pub fn read_hello(text: &str) -> Result<(String, Option<Seq>), HelloRefusal> {
        let refuse = |code, message, close| Err(HelloRefusal { code, message, close });
        match ClientMessage::decode(text) {
            Ok(ClientMessage::Hello { protocol, .. }) if protocol != PROTOCOL_VERSION => {
                refuse("unsupported_protocol", format!("this server speaks protocol {PROTOCOL_VERSION}, not {protocol}"), CLOSE_PROTOCOL)
            }
            Ok(ClientMessage::Hello { token, resume, .. }) => Ok((token, resume)),
            Err(refused) if matches!(refused.error, FrameError::Oversize(_)) => refuse(refused.error.code(), refused.error.to_string(), CLOSE_TOO_BIG),
            Err(refused) if ClientMessage::names_hello(text) => {
                refuse(refused.error.code(), format!("the first frame must be hello: {}", refused.error), CLOSE_NO_HELLO)
            }
            _ => refuse("hello_required", "the first frame must be hello".into(), CLOSE_NO_HELLO),
        }
    }

    /// Whether `text` is a JSON object whose one key is `hello`, however
    /// wrong its fields: a refused first frame that tried to be a hello.
    pub fn names_hello(text: &str) -> bool {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(map)) => map.len() == 1 && map.contains_key("hello"),
            _ => false,
        }
    }

    /// Parses a client frame, refusing oversize, malformed and unknown input
    /// and texts over their bounds ([`limits`]) with a stable code; never
    /// panics. The refusal names the command id only when the id itself is
    /// within its bound.
    pub fn decode(text: &str) -> Result<ClientMessage, RefusedFrame> {
        if text.len() > MAX_FRAME_BYTES {
            return Err(RefusedFrame { id: None, error: FrameError::Oversize(text.len()) });
        }
        let message: ClientMessage = serde_json::from_str(text).map_err(|e| match serde_json::from_str::<serde_json::Value>(text) {
            // Why the text is no JSON value, not where the typed parse
            // stopped first: `{"command": 5 garbage` is not JSON at all.
            Err(unreadable) => match surrogates_replaced(text).and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()) {
                // JSON's grammar allows a `\uD83D` with no other half, but
                // no text can hold it: JSON with a wrong value.
                Some(json) => RefusedFrame {
                    id: json.pointer("/command/id").and_then(|id| id.as_str()).and_then(nameable),
                    error: FrameError::Invalid("a string holds a lone surrogate (\\uD800 to \\uDFFF without its other half)".into()),
                },
                None => RefusedFrame { id: None, error: classify(unreadable) },
            },
            Ok(json) => {
                let id = json.pointer("/command/id").and_then(|id| id.as_str()).and_then(nameable);
                RefusedFrame { id, error: classify_json(e, &json) }
            }
        })?;
        if let Err(e) = limits::check_message(&message) {
            let id = match &message {
                ClientMessage::Command { id, .. } => nameable(id.as_str()),
                _ => None,
            };
            return Err(RefusedFrame { id, error: FrameError::Invalid(e.to_string()) });
        }
        Ok(message)
    }

    /// The frame as JSON text.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("client messages always serialise")
    }
}

#[cfg(feature = "formats")]
impl ServerMessage {
    /// Parses a server frame (native clients and tests); never panics.
    pub fn decode(text: &str) -> Result<ServerMessage, FrameError> {
        serde_json::from_str(text).map_err(classify)
    }

    /// The frame as JSON text.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("server messages always serialise")
    }
}

/// `text` with every surrogate escape (`\uD800` to `\uDFFF`) made `\uFFFD`,
/// if it has one: a frame that reads as JSON then had no fault but a lone
/// surrogate, which serde_json refuses as unreadable.
#[cfg(feature = "formats")]
fn surrogates_replaced(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut at, mut found) = (0, 0, false);
    while let Some(offset) = text.get(at..).and_then(|rest| rest.find("\\u")) {
        let start = at + offset;
        let surrogate = bytes.get(start + 2..start + 6).is_some_and(|hex| {
            hex.iter().all(u8::is_ascii_hexdigit) && matches!(hex[0], b'd' | b'D') && matches!(hex[1], b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F')
        });
        if surrogate {
            out.push_str(&text[copied..start]);
            out.push_str("\\uFFFD");
            copied = start + 6;
            found = true;
        }
        at = start + 2;
    }
    found.then(|| out + &text[copied..])
}

/// A command id a refusal may name: one within its bound.
#[cfg(feature = "formats")]
fn nameable(id: &str) -> Option<CommandId> {
    (id.len() <= limits::MAX_ID_BYTES).then(|| CommandId::from(id))
}

/// Why a frame that is valid JSON is not a client message: `unknown_kind`
/// when the name serde did not know is the message's kind or its command's
/// kind; any other shape (two keys, `{}`, an unknown value deeper in, a
/// wrong type) is `invalid_message`.
#[cfg(feature = "formats")]
fn classify_json(error: serde_json::Error, json: &serde_json::Value) -> FrameError {
    let kind_of = |value: &serde_json::Value| match value {
        serde_json::Value::String(name) => Some(name.clone()),
        serde_json::Value::Object(map) if map.len() == 1 => map.keys().next().cloned(),
        _ => None,
    };
    let message_kind = kind_of(json);
    let command_kind = json.pointer("/command/kind").and_then(kind_of);
    match classify(error) {
        FrameError::UnknownKind(detail) => {
            let unknown = detail.split('`').nth(1).unwrap_or_default();
            let is_a_kind = [&message_kind, &command_kind].into_iter().flatten().any(|kind| limits::echo(kind) == unknown);
            if is_a_kind { FrameError::UnknownKind(detail) } else { FrameError::Invalid(detail) }
        }
        FrameError::Malformed(_) if message_kind.is_none() => FrameError::Invalid("a client message is a JSON object with one key, its kind".into()),
        FrameError::Malformed(detail) | FrameError::Invalid(detail) => FrameError::Invalid(detail),
        other => other,
    }
}

#[cfg(feature = "formats")]
fn classify(error: serde_json::Error) -> FrameError {
    use serde_json::error::Category;
    let full = error.to_string();
    // serde_json quotes the client's text (a variant name, a string value)
    // after its own words: keep only the start of what follows the first quote.
    let detail = match full.find(['`', '"']) {
        Some(at) => format!("{}{}", &full[..=at], limits::echo(&full[at + 1..])),
        None => full,
    };
    match error.classify() {
        Category::Data if detail.starts_with("unknown variant") => FrameError::UnknownKind(detail),
        Category::Data => FrameError::Invalid(detail),
        Category::Syntax | Category::Eof | Category::Io => FrameError::Malformed(detail),
    }
}
