//! What a command does, without its free arguments: the thing a desk
//! enables or disables. Whether an action is available now is one question
//! ([`Judge::available`](super::rules::Judge::available)); whether a command's
//! arguments (a target, a number, a wrap-up code) are valid is another, asked
//! only of a command the user actually wrote, so a view never invents them.

use super::state::CommandKind;
use super::{Channel, InteractionId, OfferId, ParticipantId};

/// A command's kind and the things it acts on, without free arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Log in.
    Login,
    /// Log out.
    Logout,
    /// Choose a status.
    SetStatus,
    /// Accept an offer.
    Accept(OfferId),
    /// Decline an offer.
    Decline(OfferId),
    /// End a call.
    End(InteractionId),
    /// Mark an interaction done.
    Done(InteractionId),
    /// Place an outbound call.
    Outdial,
    /// Supervisor: log an agent out.
    LogoutAgent,
    /// Hold a participant (the customer if none).
    Hold(InteractionId, Option<ParticipantId>),
    /// Take a participant (the customer if none) off hold.
    Resume(InteractionId, Option<ParticipantId>),
    /// Blind transfer.
    Transfer(InteractionId),
    /// Ask for a consult.
    Consult(InteractionId),
    /// Bring a party straight in.
    Conference(InteractionId),
    /// End the consult.
    EndConsult(InteractionId),
    /// Complete the transfer after a consult.
    CompleteTransfer(InteractionId),
    /// Turn the consult into a conference.
    StartConference(InteractionId),
    /// Leave the call.
    Leave(InteractionId),
    /// Send DTMF digits.
    Dtmf(InteractionId),
    /// Start recording.
    Record(InteractionId),
    /// Start a follow-up on a channel.
    FollowUp(InteractionId, Channel),
}

impl CommandKind {
    /// The action this command takes.
    pub fn action(&self) -> Action {
        match self {
            CommandKind::Login => Action::Login,
            CommandKind::Logout => Action::Logout,
            CommandKind::SetStatus { .. } => Action::SetStatus,
            CommandKind::Accept { offer } => Action::Accept(*offer),
            CommandKind::Decline { offer } => Action::Decline(*offer),
            CommandKind::End { interaction } => Action::End(*interaction),
            CommandKind::Done { interaction, .. } => Action::Done(*interaction),
            CommandKind::Outdial { .. } => Action::Outdial,
            CommandKind::LogoutAgent { .. } => Action::LogoutAgent,
            CommandKind::Hold { interaction, participant } => Action::Hold(*interaction, *participant),
            CommandKind::Resume { interaction, participant } => Action::Resume(*interaction, *participant),
            CommandKind::Transfer { interaction, .. } => Action::Transfer(*interaction),
            CommandKind::Consult { interaction, .. } => Action::Consult(*interaction),
            CommandKind::Conference { interaction, .. } => Action::Conference(*interaction),
            CommandKind::EndConsult { interaction } => Action::EndConsult(*interaction),
            CommandKind::CompleteTransfer { interaction } => Action::CompleteTransfer(*interaction),
            CommandKind::StartConference { interaction } => Action::StartConference(*interaction),
            CommandKind::Leave { interaction } => Action::Leave(*interaction),
            CommandKind::Dtmf { interaction, .. } => Action::Dtmf(*interaction),
            CommandKind::Record { interaction } => Action::Record(*interaction),
            CommandKind::FollowUp { interaction, channel } => Action::FollowUp(*interaction, *channel),
        }
    }
}

impl Action {
    /// The wire name of the command that takes this action.
    pub fn name(self) -> &'static str {
        match self {
            Action::Login => "login",
            Action::Logout => "logout",
            Action::SetStatus => "set_status",
            Action::Accept(_) => "accept",
            Action::Decline(_) => "decline",
            Action::End(_) => "end",
            Action::Done(_) => "done",
            Action::Outdial => "outdial",
            Action::LogoutAgent => "logout_agent",
            Action::Hold(..) => "hold",
            Action::Resume(..) => "resume",
            Action::Transfer(_) => "transfer",
            Action::Consult(_) => "consult",
            Action::Conference(_) => "conference",
            Action::EndConsult(_) => "end_consult",
            Action::CompleteTransfer(_) => "complete_transfer",
            Action::StartConference(_) => "start_conference",
            Action::Leave(_) => "leave",
            Action::Dtmf(_) => "dtmf",
            Action::Record(_) => "record",
            Action::FollowUp(..) => "follow_up",
        }
    }
}
