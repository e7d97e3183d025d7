//! What a command does, without its free arguments: the thing a desk
//! enables or disables. Whether an action is available now is one question
//! ([`Judge::available`](super::rules::Judge::available)); whether a command's
//! arguments (a target, a number, a wrap-up code) are valid is another, asked
//! only of a command the user actually wrote, so a view never invents them.

use super::state::CommandKind;
use super::campaign::RecordAction;
use super::monitoring::MonitorAction;
use super::{Channel, InteractionId, OfferId, ParticipantId, RecordId};

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
    /// Choose the media types for push preview.
    PreviewMedia,
    /// Ask for the next preview.
    GetRecord,
    /// Act on a campaign record.
    Outbound(RecordId, RecordAction),
    /// Tell the server the user is at the page (S11).
    Present,
    /// Give or share a location (S12).
    SetLocation,
    /// Replace the favourites (S12).
    SetFavourites,
    /// Supervisor: act on the monitoring of a call (M1-M3).
    Monitor(InteractionId, MonitorAction),
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
            CommandKind::PreviewMedia { .. } => Action::PreviewMedia,
            CommandKind::GetRecord => Action::GetRecord,
            CommandKind::AcceptPreview { record } => Action::Outbound(*record, RecordAction::Accept),
            CommandKind::RejectPreview { record } => Action::Outbound(*record, RecordAction::Reject),
            CommandKind::Dial { record, .. } => Action::Outbound(*record, RecordAction::Dial),
            CommandKind::CancelRecord { record } => Action::Outbound(*record, RecordAction::Cancel),
            CommandKind::TransferRecord { record, .. } => Action::Outbound(*record, RecordAction::Transfer),
            CommandKind::EditRecord { record, .. } => Action::Outbound(*record, RecordAction::Edit),
            CommandKind::AddChained { record, .. } => Action::Outbound(*record, RecordAction::AddChained),
            CommandKind::SetActive { record, .. } => Action::Outbound(*record, RecordAction::SetActive),
            CommandKind::UpdateRecord { record } => Action::Outbound(*record, RecordAction::Update),
            CommandKind::Reschedule { record, .. } => Action::Outbound(*record, RecordAction::Reschedule),
            CommandKind::CancelReschedule { record } => Action::Outbound(*record, RecordAction::CancelReschedule),
            CommandKind::CallResult { record, .. } => Action::Outbound(*record, RecordAction::CallResult),
            CommandKind::DoNotCall { record } => Action::Outbound(*record, RecordAction::DoNotCall),
            CommandKind::MarkDone { record, .. } => Action::Outbound(*record, RecordAction::Done),
            CommandKind::Present => Action::Present,
            CommandKind::SetLocation { .. } => Action::SetLocation,
            CommandKind::SetFavourites { .. } => Action::SetFavourites,
            CommandKind::Monitor { interaction, .. } => Action::Monitor(*interaction, MonitorAction::Start),
            CommandKind::PauseMonitoring { interaction } => Action::Monitor(*interaction, MonitorAction::Pause),
            CommandKind::ResumeMonitoring { interaction } => Action::Monitor(*interaction, MonitorAction::Resume),
            CommandKind::BargeIn { interaction } => Action::Monitor(*interaction, MonitorAction::BargeIn),
            CommandKind::StopMonitoring { interaction } => Action::Monitor(*interaction, MonitorAction::Stop),
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
            Action::PreviewMedia => "preview_media",
            Action::GetRecord => "get_record",
            Action::Outbound(_, action) => action.command_name(),
            Action::Present => "present",
            Action::SetLocation => "set_location",
            Action::SetFavourites => "set_favourites",
            Action::Monitor(_, action) => action.command_name(),
        }
    }
}

impl RecordAction {
    /// The wire name of the command that takes this action.
    pub fn command_name(self) -> &'static str {
        match self {
            RecordAction::Accept => "accept_preview",
            RecordAction::Reject => "reject_preview",
            RecordAction::Dial => "dial",
            RecordAction::Cancel => "cancel_record",
            RecordAction::Transfer => "transfer_record",
            RecordAction::Edit => "edit_record",
            RecordAction::AddChained => "add_chained",
            RecordAction::SetActive => "set_active",
            RecordAction::Update => "update_record",
            RecordAction::Reschedule => "reschedule",
            RecordAction::CancelReschedule => "cancel_reschedule",
            RecordAction::CallResult => "call_result",
            RecordAction::DoNotCall => "do_not_call",
            RecordAction::Done => "mark_done",
        }
    }
}
