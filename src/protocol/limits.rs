//! Every bound on what crosses the wire or grows per user (SPEC N6, N8), in
//! one place: the frame decoder, the profile validator, the shared rules,
//! the server and `docs/protocol.md` all cite these constants.
//!
//! Client-supplied text is bounded in bytes of UTF-8 when a frame is decoded
//! (over a bound: `invalid_message`). Names that the server keeps and sends
//! in every welcome (profile ids and labels, user ids, queue ids, customer
//! names) must also be free of control characters, so their JSON encoding is
//! at most twice their length (only `"` and `\` are escaped) and the largest
//! welcome stays within [`MAX_SERVER_FRAME_BYTES`].

use super::ClientMessage;
use crate::model::call::Target;
use crate::model::state::CommandKind;
use crate::model::Channel;
use alloc::borrow::{Cow, ToOwned};
use alloc::string::String;
use crate::text::text;

/// The largest frame the server accepts from a client, in bytes.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;

/// The largest frame a client accepts from the server, in bytes. The largest
/// welcome the limits below allow (see `tests/limits.rs`) is under half of it.
pub const MAX_SERVER_FRAME_BYTES: usize = 1024 * 1024;

/// Command ids, user ids, status, secondary status and wrap-up code ids, and
/// queue ids: at most this many bytes.
pub const MAX_ID_BYTES: usize = 64;

/// Labels and colours of the profile: at most this many bytes.
pub const MAX_LABEL_BYTES: usize = 64;

/// A dialled number (outdial, or a consult, conference or transfer target).
pub const MAX_NUMBER_BYTES: usize = 32;

/// DTMF digits sent by one command.
pub const MAX_DTMF_DIGITS: usize = 32;

/// The token in hello.
pub const MAX_TOKEN_BYTES: usize = 4 * 1024;

/// Who a customer is (caller id, chat name, address), as a contact arrives.
pub const MAX_FROM_BYTES: usize = 128;

/// Client text quoted back in a refusal is cut to this many characters.
pub const MAX_ECHO_CHARS: usize = 64;

/// Entries in one interaction's case history (DTMF, recording, transfers,
/// follow-ups); past it those commands are refused with `history_full`.
pub const MAX_HISTORY_ENTRIES: usize = 32;

/// Statuses in the profile's catalogue.
pub const MAX_STATUSES: usize = 32;

/// Secondary statuses in the whole catalogue (all statuses together).
pub const MAX_SECONDARY_STATUSES: usize = 64;

/// Wrap-up codes in the profile.
pub const MAX_WRAP_UP_CODES: usize = 64;

/// Interactions and offers one agent may hold at once on one channel.
pub const MAX_CHANNEL_CAPACITY: u32 = 8;

/// Participants on one interaction, customer included (SPEC F1).
pub const MAX_CONFERENCE_LIMIT: u32 = 8;

/// Numbers chained to one campaign record (P4).
pub const MAX_CHAINED_NUMBERS: usize = 8;

/// Custom fields a campaign defines for its records.
pub const MAX_RECORD_FIELDS: usize = 16;

/// The value of one custom field of a record, in bytes.
pub const MAX_FIELD_BYTES: usize = 256;

/// Call results of one campaign (P6).
pub const MAX_CALL_RESULTS: usize = 32;

/// Agents assigned to one campaign.
pub const MAX_CAMPAIGN_AGENTS: usize = 4096;

/// A callback sound's name or URL (W6).
pub const MAX_SOUND_BYTES: usize = 256;

/// Teams of a center, and teams of one user (S6, S12).
pub const MAX_TEAMS: usize = 256;

/// Queues one user serves.
pub const MAX_USER_QUEUES: usize = 64;

/// Favourites of one user (S12).
pub const MAX_FAVOURITES: usize = 64;

/// Campaigns one center holds (SPEC N8).
pub const MAX_CAMPAIGNS: usize = 256;

/// Live contacts (waiting, offered or connected) one center holds: a new
/// one past it is refused (SPEC N8).
pub const MAX_LIVE_CONTACTS: usize = 100_000;

/// The latest callback time, in UTC milliseconds: 9999-12-31T23:59:59.999Z,
/// the last instant an RFC 3339 time (a four-digit year) can say.
pub const MAX_CALLBACK_AT_MS: u64 = 253_402_300_799_999;

/// Users with a directory entry: what one center's directory holds.
pub const MAX_DIRECTORY_MEMBERS: usize = 20_000;

/// A location a user shares (S12).
pub const MAX_LOCATION_BYTES: usize = 64;

/// Supervisors monitoring one interaction at once (M1).
pub const MAX_MONITORS_PER_CALL: usize = 4;

/// Interactions one supervisor monitors at once (M1).
pub const MAX_MONITORING: usize = 4;

/// Offers to an agent that expired lately and are remembered, so a late
/// accept or decline of one is refused as `offer_expired` (O3).
pub const MAX_EXPIRED_OFFERS: usize = 4;

/// Commands a replica keeps sent and unanswered at once. While the
/// connection is down they wait to be sent again on reconnect (SPEC N1),
/// so without a bound a page that keeps sending would grow the engine
/// without end (SPEC N8, on the client's side).
pub const MAX_PENDING_COMMANDS: usize = 64;

/// A text over its bound, or a name with a control character.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitError {
    /// The text is longer than its bound.
    TooLong {
        /// Which field, as the wire names it (`command.id`, `set_status.status`).
        field: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The bound in bytes.
        max: usize,
    },
    /// A list holds more items than its bound.
    TooMany {
        /// Which field.
        field: &'static str,
        /// How many items it holds.
        len: usize,
        /// The bound.
        max: usize,
    },
    /// A name holds a control character.
    ControlCharacter {
        /// Which field.
        field: &'static str,
    },
}

impl LimitError {
    /// A sentence for people naming the field and its bound.
    pub fn message(&self) -> String {
        match self {
            LimitError::TooLong { field, len, max } => text!(field, " is ", len, " bytes, over the limit of ", max),
            LimitError::TooMany { field, len, max } => text!(field, " holds ", len, " items, over the limit of ", max),
            LimitError::ControlCharacter { field } => text!(field, " holds a control character"),
        }
    }
}

crate::text::message_error!(LimitError);

/// Refuses `text` if it is longer than `max` bytes.
pub fn check_length(field: &'static str, text: &str, max: usize) -> Result<(), LimitError> {
    if text.len() > max {
        return Err(LimitError::TooLong { field, len: text.len(), max });
    }
    Ok(())
}

/// Refuses a name the server keeps and sends on: over `max` bytes, or with a
/// control character (which JSON would escape to six bytes).
pub fn check_name(field: &'static str, text: &str, max: usize) -> Result<(), LimitError> {
    check_length(field, text, max)?;
    if text.chars().any(char::is_control) {
        return Err(LimitError::ControlCharacter { field });
    }
    Ok(())
}

/// Checks every text a client frame carries against its bound.
pub fn check_message(message: &ClientMessage) -> Result<(), LimitError> {
    match message {
        ClientMessage::Hello { token, .. } => check_length("hello.token", token, MAX_TOKEN_BYTES),
        ClientMessage::Command { id, kind } => {
            check_length("command.id", id.as_str(), MAX_ID_BYTES)?;
            check_command(kind)
        }
        ClientMessage::Resync | ClientMessage::Ping { .. } | ClientMessage::SubscribeRoster { .. } | ClientMessage::UnsubscribeRoster => Ok(()),
    }
}

/// Checks every text a command carries against its bound.
pub fn check_command(kind: &CommandKind) -> Result<(), LimitError> {
    match kind {
        CommandKind::SetStatus { status, secondary } => {
            check_length("set_status.status", status.as_str(), MAX_ID_BYTES)?;
            secondary.as_ref().map_or(Ok(()), |s| check_length("set_status.secondary", s.as_str(), MAX_ID_BYTES))
        }
        CommandKind::Done { code, .. } => code.as_ref().map_or(Ok(()), |c| check_length("done.code", c.as_str(), MAX_ID_BYTES)),
        CommandKind::Outdial { number } => check_length("outdial.number", number, MAX_NUMBER_BYTES),
        CommandKind::LogoutAgent { agent } => check_length("logout_agent.agent", agent.as_str(), MAX_ID_BYTES),
        CommandKind::Transfer { target, .. } | CommandKind::Consult { target, .. } | CommandKind::Conference { target, .. } => {
            match target {
                Target::Agent(agent) => check_length("target.agent", agent.as_str(), MAX_ID_BYTES),
                Target::Queue(queue) => check_length("target.queue", queue.as_str(), MAX_ID_BYTES),
                Target::Number(number) => check_length("target.number", number, MAX_NUMBER_BYTES),
            }
        }
        CommandKind::Dtmf { digits, .. } => check_length("dtmf.digits", digits, MAX_DTMF_DIGITS),
        CommandKind::Dial { number, .. } => number.as_ref().map_or(Ok(()), |n| check_length("dial.number", n, MAX_NUMBER_BYTES)),
        CommandKind::AddChained { number, .. } => check_length("add_chained.number", number, MAX_NUMBER_BYTES),
        CommandKind::Reschedule { number, .. } => number.as_ref().map_or(Ok(()), |n| check_length("reschedule.number", n, MAX_NUMBER_BYTES)),
        CommandKind::TransferRecord { agent, .. } => check_length("transfer_record.agent", agent.as_str(), MAX_ID_BYTES),
        CommandKind::CallResult { result, .. } => check_length("call_result.result", result, MAX_ID_BYTES),
        CommandKind::SetLocation { text, .. } => text.as_ref().map_or(Ok(()), |t| check_name("set_location.text", t, MAX_LOCATION_BYTES)),
        CommandKind::SetFavourites { users } => {
            if users.len() > MAX_FAVOURITES {
                return Err(LimitError::TooMany { field: "set_favourites.users", len: users.len(), max: MAX_FAVOURITES });
            }
            // Kept in the directory, whose ids hold no control characters.
            users.iter().try_for_each(|u| check_name("set_favourites.users", u.as_str(), MAX_ID_BYTES))
        }
        CommandKind::Monitor { agent, .. } => check_length("monitor.agent", agent.as_str(), MAX_ID_BYTES),
        CommandKind::EditRecord { fields, .. } => {
            if fields.len() > MAX_RECORD_FIELDS {
                return Err(LimitError::TooMany { field: "edit_record.fields", len: fields.len(), max: MAX_RECORD_FIELDS });
            }
            for (name, value) in fields {
                check_length("edit_record.fields", name, MAX_ID_BYTES)?;
                check_length("edit_record.fields", value, MAX_FIELD_BYTES)?;
            }
            Ok(())
        }
        CommandKind::PreviewMedia { media } => {
            if media.len() > Channel::ALL.len() {
                return Err(LimitError::TooMany { field: "preview_media.media", len: media.len(), max: Channel::ALL.len() });
            }
            Ok(())
        }
        CommandKind::Login
        | CommandKind::Logout
        | CommandKind::Present
        | CommandKind::PauseMonitoring { .. }
        | CommandKind::ResumeMonitoring { .. }
        | CommandKind::BargeIn { .. }
        | CommandKind::StopMonitoring { .. }
        | CommandKind::Accept { .. }
        | CommandKind::Decline { .. }
        | CommandKind::End { .. }
        | CommandKind::Hold { .. }
        | CommandKind::Resume { .. }
        | CommandKind::EndConsult { .. }
        | CommandKind::CompleteTransfer { .. }
        | CommandKind::StartConference { .. }
        | CommandKind::Leave { .. }
        | CommandKind::Record { .. }
        | CommandKind::FollowUp { .. }
        | CommandKind::GetRecord
        | CommandKind::AcceptPreview { .. }
        | CommandKind::RejectPreview { .. }
        | CommandKind::CancelRecord { .. }
        | CommandKind::SetActive { .. }
        | CommandKind::UpdateRecord { .. }
        | CommandKind::CancelReschedule { .. }
        | CommandKind::DoNotCall { .. }
        | CommandKind::MarkDone { .. } => Ok(()),
    }
}

/// Client text as quoted in a refusal: at most [`MAX_ECHO_CHARS`]
/// characters, cut on a character boundary and marked with `…`.
pub fn echo(text: &str) -> Cow<'_, str> {
    // A plain loop over the boundaries, and `get`, not indexing: less wasm
    // than decoding characters, and no panic path linked into the engine.
    let mut chars = 0;
    for cut in 0..text.len() {
        if text.is_char_boundary(cut) {
            if chars == MAX_ECHO_CHARS {
                let mut head = text.get(..cut).unwrap_or_default().to_owned();
                head.push('…');
                return Cow::Owned(head);
            }
            chars += 1;
        }
    }
    Cow::Borrowed(text)
}
