//! A command with the JSON text it travels as.
//!
//! The browser engine reads each command the page gives it, judges it by the
//! rules and sends it as the page wrote it. It must read the command to judge
//! it; sending the text itself spares it a writer of every command kind and
//! a copy of each command kept for resending (SPEC N1). The codec reads
//! exactly what serde_json reads, as the same values (tests/codec.rs, and the
//! frame fuzz target on every input), so the server reads the text as the
//! engine judged it.

use super::limits::{MAX_FRAME_BYTES, MAX_ID_BYTES};
use crate::codec::{self, CodecError, Encode};
use crate::model::state::CommandKind;
use alloc::{borrow::ToOwned, string::String};

/// The longest command text sent: a frame holds it with its envelope
/// (`{"command":{"id":"…","kind":…}}`) and an id of up to
/// [`MAX_ID_BYTES`].
pub const MAX_COMMAND_TEXT_BYTES: usize = MAX_FRAME_BYTES - MAX_ID_BYTES - 32;

/// A command's JSON text, written into its frame as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandText(String);

impl Encode for CommandText {
    fn encode(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

/// A command a client is to send: its kind, to judge it by, and its text.
/// Made only from one or the other, so the two always agree.
#[derive(Debug)]
pub struct OutgoingCommand {
    kind: CommandKind,
    text: CommandText,
}

impl OutgoingCommand {
    /// Reads a command from its JSON text (the browser engine, from the
    /// page), which is then sent as it is; refused when the text is over
    /// [`MAX_COMMAND_TEXT_BYTES`], not JSON or not a command.
    pub fn read(text: &str) -> Result<OutgoingCommand, CodecError> {
        if text.len() > MAX_COMMAND_TEXT_BYTES {
            return Err(CodecError::new("longer than a frame holds"));
        }
        let kind = codec::from_str(text)?;
        Ok(OutgoingCommand { kind, text: CommandText(text.to_owned()) })
    }

    /// A command written by the codec (native hosts and tests).
    pub fn new(kind: CommandKind) -> OutgoingCommand {
        let text = CommandText(codec::to_string(&kind));
        OutgoingCommand { kind, text }
    }

    /// What the command asks for.
    pub fn kind(&self) -> &CommandKind {
        &self.kind
    }

    /// The text it is sent as.
    pub fn into_text(self) -> CommandText {
        self.text
    }
}
