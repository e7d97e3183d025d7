//! Why a command was refused. Every variant has a stable code (sent in nacks)
//! and a message naming the command and the state it met (SPEC N1, N6).
//! Ids a client sent are quoted cut to a bound (SPEC N8).

use super::{Channel, ContactId, InteractionId, OfferId, ParticipantId, QueueId, RecordId, Role, StatusId, UserId};
use crate::protocol::limits::{echo, MAX_HISTORY_ENTRIES, MAX_MONITORING, MAX_MONITORS_PER_CALL, MAX_PENDING_COMMANDS};
use crate::codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use core::fmt;
use crate::protocol::codes::stable_codes;
use crate::text::text;
use alloc::{borrow::ToOwned, string::String};

/// A refused command; nothing was changed. Codes never change once shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    /// The command needs a logged-in agent.
    NotLoggedIn {
        /// The refused command.
        command: &'static str,
    },
    /// Login while already logged in.
    AlreadyLoggedIn,
    /// The status is not in the profile's catalogue.
    UnknownStatus(StatusId),
    /// The status is set only by the system (S8).
    StatusSystemOnly(StatusId),
    /// The status needs a secondary status (S6).
    SecondaryRequired(StatusId),
    /// The secondary status is not offered with this status (S6).
    UnknownSecondary(StatusId),
    /// No such offer is open (for this agent, when an agent asks).
    UnknownOffer(OfferId),
    /// The offer's deadline has passed (O7).
    OfferExpired(OfferId),
    /// No such interaction is open (for this agent, when an agent asks).
    UnknownInteraction(InteractionId),
    /// The command does not apply in the interaction's current state.
    InvalidTransition {
        /// The refused command.
        command: &'static str,
        /// The state it met.
        state: &'static str,
    },
    /// The profile requires a wrap-up code before done (V3).
    WrapUpCodeRequired,
    /// The wrap-up code is not in the profile's list.
    UnknownWrapUpCode,
    /// Logout refused while interactions are in progress.
    InteractionsInProgress(usize),
    /// The channel has no room for another interaction (E2).
    NoCapacity(Channel),
    /// The role may not issue this command (N5).
    Forbidden {
        /// The refused command.
        command: &'static str,
        /// The sender's role.
        role: Role,
    },
    /// No such agent is known.
    UnknownAgent(UserId),
    /// A supervisor logout was refused (S9): the agent is not available or
    /// idle, or has interactions in progress.
    LogoutNotAllowed {
        /// The agent.
        agent: UserId,
        /// Why.
        reason: &'static str,
    },
    /// No such queue.
    UnknownQueue(QueueId),
    /// No such waiting or connected contact.
    UnknownContact(ContactId),
    /// The replica has no state from the server yet.
    NotReady,
    /// The replica holds as many unanswered commands as it keeps
    /// ([`crate::protocol::limits::MAX_PENDING_COMMANDS`]).
    TooManyPending,
    /// No such participant is on the interaction.
    UnknownParticipant(ParticipantId),
    /// Only the agent in control may do this (F3, F8).
    NotInControl {
        /// The refused command.
        command: &'static str,
    },
    /// The command does not exist on this channel (C1, C2).
    NotOnChannel {
        /// The refused command.
        command: &'static str,
        /// The interaction's channel.
        channel: Channel,
    },
    /// The conversation has as many participants as it may (F1), or the
    /// customer has left (F7).
    ConferenceFull,
    /// The line cannot record on demand (V7).
    NotRecordable,
    /// Only the interaction's owner applies its wrap-up code (F5).
    NotWrapUpOwner,
    /// The target agent cannot take the request now, for the reason given
    /// (no such agent, not available, not connected, no room, on the call
    /// already), or no agent of the target queue can.
    TargetUnavailable(&'static str),
    /// The interaction's case history is full (SPEC N8).
    HistoryFull,
    /// No such campaign record is open (at this agent, when an agent asks).
    UnknownRecord(RecordId),
    /// The record went stale and can no longer be processed (P8).
    RecordStale(RecordId),
    /// The preview's accept time has passed (P3).
    PreviewExpired(RecordId),
    /// The campaign requires a call result before mark done (P7).
    CallResultRequired,
    /// The call result is not in the campaign's list (P6).
    UnknownCallResult,
    /// The callback time has passed: correct or cancel it first (W4).
    RescheduleInPast,
    /// The campaign does not allow rescheduling before dialling (W2).
    RescheduleNotAllowed,
    /// No new monitoring or barge-in on a call in wrap-up (M2).
    CallInWrapUp(InteractionId),
    /// This supervisor does not monitor that interaction (M1).
    NotMonitoring(InteractionId),
    /// As many monitorings as allowed run already: of this supervisor, or on
    /// this call (SPEC N8).
    MonitoringFull,
    /// An argument is empty or malformed.
    BadArgument {
        /// The refused command.
        command: &'static str,
        /// What is wrong.
        detail: &'static str,
    },
}

stable_codes!(CommandError {
    CommandError::NotLoggedIn { .. } => "not_logged_in",
    CommandError::AlreadyLoggedIn => "already_logged_in",
    CommandError::UnknownStatus(_) => "unknown_status",
    CommandError::StatusSystemOnly(_) => "status_system_only",
    CommandError::SecondaryRequired(_) => "secondary_required",
    CommandError::UnknownSecondary(_) => "unknown_secondary",
    CommandError::UnknownOffer(_) => "unknown_offer",
    CommandError::OfferExpired(_) => "offer_expired",
    CommandError::UnknownInteraction(_) => "unknown_interaction",
    CommandError::InvalidTransition { .. } => "invalid_transition",
    CommandError::WrapUpCodeRequired => "wrap_up_code_required",
    CommandError::UnknownWrapUpCode => "unknown_wrap_up_code",
    CommandError::InteractionsInProgress(_) => "interactions_in_progress",
    CommandError::NoCapacity(_) => "no_capacity",
    CommandError::Forbidden { .. } => "forbidden",
    CommandError::UnknownAgent(_) => "unknown_agent",
    CommandError::LogoutNotAllowed { .. } => "logout_not_allowed",
    CommandError::UnknownQueue(_) => "unknown_queue",
    CommandError::UnknownContact(_) => "unknown_contact",
    CommandError::NotReady => "not_ready",
    CommandError::TooManyPending => "too_many_pending",
    CommandError::UnknownParticipant(_) => "unknown_participant",
    CommandError::NotInControl { .. } => "not_in_control",
    CommandError::NotOnChannel { .. } => "not_on_this_channel",
    CommandError::ConferenceFull => "conference_full",
    CommandError::NotRecordable => "not_recordable",
    CommandError::NotWrapUpOwner => "not_wrap_up_owner",
    CommandError::TargetUnavailable(_) => "target_unavailable",
    CommandError::HistoryFull => "history_full",
    CommandError::BadArgument { .. } => "bad_argument",
    CommandError::UnknownRecord(_) => "unknown_record",
    CommandError::RecordStale(_) => "record_stale",
    CommandError::PreviewExpired(_) => "preview_expired",
    CommandError::CallResultRequired => "call_result_required",
    CommandError::UnknownCallResult => "unknown_call_result",
    CommandError::RescheduleInPast => "reschedule_in_past",
    CommandError::RescheduleNotAllowed => "reschedule_not_allowed",
    CommandError::CallInWrapUp(_) => "call_in_wrap_up",
    CommandError::NotMonitoring(_) => "not_monitoring",
    CommandError::MonitoringFull => "monitoring_full",
});

impl CommandError {
    /// A sentence for people naming the command and the state it met.
    pub fn message(&self) -> String {
        match self {
            CommandError::NotLoggedIn { command } => text!(command, " needs a logged-in agent"),
            CommandError::AlreadyLoggedIn => "login: the agent is already logged in".to_owned(),
            CommandError::UnknownStatus(s) => text!("set_status: `", echo(s.as_str()), "` is not in the status catalogue"),
            CommandError::StatusSystemOnly(s) => text!("set_status: `", echo(s.as_str()), "` is set only by the system"),
            CommandError::SecondaryRequired(s) => text!("set_status: `", echo(s.as_str()), "` needs a secondary status"),
            CommandError::UnknownSecondary(s) => {
                text!("set_status: that secondary status is not offered with `", echo(s.as_str()), "`")
            }
            CommandError::UnknownOffer(o) => text!("offer ", o, " is not open"),
            CommandError::OfferExpired(o) => text!("offer ", o, " has passed its deadline"),
            CommandError::UnknownInteraction(i) => text!("interaction ", i, " is not open"),
            CommandError::InvalidTransition { command, state } => {
                text!(command, " is not allowed while the interaction is ", state)
            }
            CommandError::WrapUpCodeRequired => "done: this profile requires a wrap-up code".to_owned(),
            CommandError::UnknownWrapUpCode => "done: that wrap-up code is not in the profile's list".to_owned(),
            CommandError::InteractionsInProgress(n) => text!("logout: ", n, " interaction(s) still in progress"),
            CommandError::NoCapacity(c) => text!("no room for another ", c.name(), " interaction"),
            CommandError::Forbidden { command, role } => text!(command, " is not allowed for role ", role.name()),
            CommandError::UnknownAgent(a) => text!("agent `", echo(a.as_str()), "` is not known"),
            CommandError::LogoutNotAllowed { agent, reason } => text!("logout_agent: `", echo(agent.as_str()), "` ", reason),
            CommandError::UnknownQueue(q) => text!("queue `", echo(q.as_str()), "` does not exist"),
            CommandError::UnknownContact(c) => text!("contact ", c, " is not waiting or connected"),
            CommandError::NotReady => "the engine has no state from the server yet".to_owned(),
            CommandError::TooManyPending => {
                text!(MAX_PENDING_COMMANDS, " commands are waiting for an answer: wait for one before sending more")
            }
            CommandError::UnknownParticipant(p) => text!("participant ", p, " is not on this interaction"),
            CommandError::NotInControl { command } => text!(command, ": only the agent in control of the call may"),
            CommandError::NotOnChannel { command, channel } => text!(command, " does not exist on ", channel.name()),
            CommandError::ConferenceFull => "no one else can join: the limit is reached or the customer left".to_owned(),
            CommandError::NotRecordable => "record: this line cannot record on demand".to_owned(),
            CommandError::NotWrapUpOwner => "done: only the interaction's owner applies its wrap-up code".to_owned(),
            CommandError::TargetUnavailable(why) => text!("the target cannot take the request now: ", why),
            CommandError::HistoryFull => text!("the case history holds ", MAX_HISTORY_ENTRIES, " entries, its limit"),
            CommandError::BadArgument { command, detail } => text!(command, ": ", detail),
            CommandError::UnknownRecord(r) => text!("record ", r, " is not open"),
            CommandError::RecordStale(r) => text!("record ", r, " is stale: its callback was not processed in time, so no request on it is accepted"),
            CommandError::PreviewExpired(r) => text!("the preview of record ", r, " has passed its accept time"),
            CommandError::CallResultRequired => "mark_done: this campaign requires a call result first".to_owned(),
            CommandError::UnknownCallResult => "call_result: that result is not in the campaign's list".to_owned(),
            CommandError::RescheduleInPast => {
                "mark_done: the callback time is in the past; choose a later time or cancel the callback".to_owned()
            }
            CommandError::RescheduleNotAllowed => "reschedule: this campaign does not allow rescheduling before the call".to_owned(),
            CommandError::CallInWrapUp(i) => text!("interaction ", i, " is in wrap-up: no new monitoring or barge-in"),
            CommandError::NotMonitoring(i) => text!("interaction ", i, " is not monitored by this supervisor"),
            CommandError::MonitoringFull => text!("monitoring is full: a supervisor monitors at most ", MAX_MONITORING, " calls, a call has at most ", MAX_MONITORS_PER_CALL, " supervisors"),
        }
    }
}

crate::text::message_error!(CommandError);

/// A refusal as it travels and is remembered: the stable code and the message
/// of a [`CommandError`] (SPEC N1: a repeated command gets the same answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Refusal {
    /// The stable code, as [`CommandError::code`].
    #[cfg_attr(test, ts(type = "ErrorCode"))]
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

impl From<CommandError> for Refusal {
    fn from(error: CommandError) -> Self {
        Refusal { code: error.code().to_owned(), message: error.message() }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::SyncError;
    use crate::protocol::limits::LimitError;

    /// SPEC N6: a refusal names the command and the state it met, with the
    /// ids and bounds written in decimal, as `Display` writes them.
    #[test]
    fn messages_write_their_numbers_and_ids_in_place() {
        let cases = [
            (CommandError::OfferExpired(OfferId(7)), "offer 7 has passed its deadline"),
            (CommandError::UnknownStatus(StatusId::from("lunch")), "set_status: `lunch` is not in the status catalogue"),
            (CommandError::InteractionsInProgress(2), "logout: 2 interaction(s) still in progress"),
            (CommandError::NotOnChannel { command: "dtmf", channel: Channel::Chat }, "dtmf does not exist on chat"),
            (
                CommandError::MonitoringFull,
                "monitoring is full: a supervisor monitors at most 4 calls, a call has at most 4 supervisors",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.message(), message);
            assert_eq!(error.to_string(), message);
            assert_eq!(Refusal::from(error).message, message);
        }
        let limit = LimitError::TooLong { field: "command.id", len: 129, max: 128 };
        assert_eq!(limit.message(), "command.id is 129 bytes, over the limit of 128");
        assert_eq!(SyncError::Version(9).message(), text!("the server speaks protocol 9, this engine ", crate::protocol::PROTOCOL_VERSION));
    }
}
