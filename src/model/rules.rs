//! The one place a command is judged (SPEC N1, N6), for the authority
//! (which refuses) and the replica (which validates before sending and
//! derives the enabled actions), so the two never disagree.
//!
//! A judgement has two halves. [`Judge::available`] answers whether an
//! action can be taken now, from the sender's own state and the control
//! table ([`control`](super::control)); it is all a view asks. The other half
//! checks a written command's arguments (target, number, digits, code).
//! Facts beyond the sender's own state (is the target agent free, does the
//! queue exist) come from a [`World`]: the center knows them, a replica does
//! not and leaves them to the center, which judges with the same code.

use super::action::Action;
use super::call::{Call, Party, Target};
use super::campaign::{self, is_dialable, RecordAction, RecordStatus};
use super::control::{row_of, CallAction, When, Who};
use super::monitoring::{MonitorAction, MonitorMode};
use super::profile::StatusCategory;
use super::state::{AgentState, CommandKind, InteractionInfo, InteractionState};
use super::{CampaignId, Channel, CommandError, InteractionId, Profile, QueueId, RecordId, Role, SecondaryId, ServerTime, StatusId, UserId};
use crate::protocol::limits::{MAX_CALLBACK_AT_MS, MAX_CHAINED_NUMBERS, MAX_DTMF_DIGITS, MAX_HISTORY_ENTRIES, MAX_MONITORING};

/// Another user, as one side of the system sees it.
#[derive(Debug, Clone, Copy)]
pub enum Seen<'a> {
    /// The user's state.
    Agent(&'a AgentState),
    /// No such agent exists.
    NoSuchAgent,
    /// This side cannot tell: the center judges.
    Unseen,
}

/// Why an agent target cannot take a request (the code is `target_unavailable`).
const NO_SUCH_AGENT: &str = "no agent has that id";
/// See [`NO_SUCH_AGENT`].
/// Why a record's chain takes no other number.
const CHAIN_FULL: &str = "a record holds at most 8 numbers";
const NOT_FREE: &str = "that agent is not free for it (logged out, away, not available, or with no room on the channel)";
/// See [`NO_SUCH_AGENT`].
const NOT_ASSIGNED: &str = "that agent does not work this campaign";

/// What a side knows beyond the sender's own state.
pub trait World {
    /// Another user.
    fn agent(&self, user: &UserId) -> Seen<'_>;
    /// Whether a queue exists; `None` if this side cannot tell.
    fn queue_exists(&self, queue: &QueueId) -> Option<bool>;
    /// Whether an agent is assigned to a campaign; `None` if this side
    /// cannot tell.
    fn assigned(&self, campaign: &CampaignId, agent: &UserId) -> Option<bool>;
    /// Whether a record went stale lately (P8); false if this side cannot tell.
    fn went_stale(&self, record: RecordId) -> bool;
}

/// The world of a replica: only its own agent's state, so the facts about
/// others are judged by the center.
#[derive(Debug, Clone, Copy, Default)]
pub struct OwnStateOnly;

impl World for OwnStateOnly {
    fn agent(&self, _: &UserId) -> Seen<'_> {
        Seen::Unseen
    }
    fn queue_exists(&self, _: &QueueId) -> Option<bool> {
        None
    }
    fn assigned(&self, _: &CampaignId, _: &UserId) -> Option<bool> {
        None
    }
    fn went_stale(&self, _: RecordId) -> bool {
        false
    }
}

/// Everything a judgement reads.
#[derive(Clone, Copy)]
pub struct Judge<'a> {
    /// The profile in force.
    pub profile: &'a Profile,
    /// The sender's role.
    pub role: Role,
    /// The sender's own state.
    pub state: &'a AgentState,
    /// Server time.
    pub now: ServerTime,
    /// What this side knows of others.
    pub world: &'a dyn World,
}

impl Judge<'_> {
    /// Whether `command` is allowed: its action is available and its
    /// arguments are valid. The only place a command is judged.
    pub fn decide(&self, command: &CommandKind) -> Result<(), CommandError> {
        self.available(command.action())?;
        self.arguments(command)
    }

    /// Whether `action` can be taken now, whatever arguments come with it.
    // The view asks this for every action after every event, and in the
    // size-built wasm engine an error made eagerly by `ok_or` costs a call
    // to its drop even when nothing is refused: the errors here are lazy.
    #[allow(clippy::unnecessary_lazy_evaluations)]
    pub fn available(&self, action: Action) -> Result<(), CommandError> {
        let (state, name) = (self.state, action.name());
        match action {
            Action::Login => return if state.logged_in { Err(CommandError::AlreadyLoggedIn) } else { Ok(()) },
            Action::LogoutAgent | Action::Monitor(..) if !self.role.supervises() => {
                return Err(CommandError::Forbidden { command: name, role: self.role });
            }
            Action::LogoutAgent | Action::SetLocation | Action::SetFavourites => return Ok(()),
            _ if !state.logged_in => return Err(CommandError::NotLoggedIn { command: name }),
            _ => {}
        }
        match action {
            Action::Login | Action::LogoutAgent | Action::SetStatus | Action::SetLocation | Action::SetFavourites | Action::Present => Ok(()),
            Action::Monitor(interaction, action) => monitor_action(state, interaction, action),
            Action::Logout => match state.interactions.len() + state.owned_records() {
                0 => Ok(()),
                open => Err(CommandError::InteractionsInProgress(open)),
            },
            Action::PreviewMedia => Ok(()),
            Action::GetRecord if state.preview_paused => Ok(()),
            Action::GetRecord => Err(CommandError::InvalidTransition { command: name, state: "receiving previews" }),
            Action::Outbound(record, action) => self.record_action(record, action),
            Action::Accept(offer) | Action::Decline(offer) => {
                let Some(info) = state.offer(offer) else {
                    return Err(if state.expired_offers.contains(&offer) { CommandError::OfferExpired(offer) } else { CommandError::UnknownOffer(offer) });
                };
                if self.now >= info.deadline {
                    return Err(CommandError::OfferExpired(offer));
                }
                Ok(())
            }
            Action::Outdial => has_capacity(self.profile, state, Channel::Voice),
            Action::Done(id) => {
                let info = state.interaction(id).ok_or_else(|| CommandError::UnknownInteraction(id))?;
                // A campaign call closes with its record (P7).
                if state.outbound.iter().any(|w| w.interaction == Some(id)) {
                    return Err(CommandError::InvalidTransition { command: name, state: "a campaign record's call" });
                }
                permitted(state, info, CallAction::DoneWithoutCode, name)
            }
            Action::Hold(id, participant) | Action::Resume(id, participant) => {
                let hold = matches!(action, Action::Hold(..));
                let info = on_call(state, id, name)?;
                channel_allows(info, name, &[Channel::Voice])?;
                let call = &info.call;
                let target = match participant {
                    Some(p) => call.participant(p).ok_or_else(|| CommandError::UnknownParticipant(p))?,
                    None => call.customer().ok_or_else(|| CommandError::InvalidTransition { command: name, state: call.state().name() })?,
                };
                if target.agent() == Some(&state.agent) {
                    return Err(CommandError::InvalidTransition { command: name, state: call.state().name() });
                }
                permitted(state, info, hold_action(call, target.id, hold), name)?;
                if target.held_since.is_some() == hold {
                    return Err(CommandError::InvalidTransition { command: name, state: call.state().name() });
                }
                Ok(())
            }
            Action::Consult(id) | Action::Conference(id) => {
                let info = on_call(state, id, name)?;
                let (channels, row): (&[Channel], _) = match action {
                    Action::Consult(_) => (&[Channel::Voice], CallAction::Consult),
                    _ => (&[Channel::Voice, Channel::Chat, Channel::Social], CallAction::Conference),
                };
                channel_allows(info, name, channels)?;
                permitted(state, info, row, name)?;
                if !info.call.has_room() {
                    return Err(CommandError::ConferenceFull);
                }
                Ok(())
            }
            Action::Transfer(id) => {
                let info = on_call(state, id, name)?;
                permitted(state, info, CallAction::Transfer, name)?;
                // SPEC F4: with another agent on it, transfer becomes "exit conference".
                if info.call.agents().count() > 1 {
                    return Err(CommandError::InvalidTransition { command: name, state: info.call.state().name() });
                }
                history_has_room(info)
            }
            Action::EndConsult(id) => permitted(state, on_call(state, id, name)?, CallAction::EndConsult, name),
            Action::StartConference(id) => permitted(state, on_call(state, id, name)?, CallAction::StartConference, name),
            Action::CompleteTransfer(id) => {
                let info = on_call(state, id, name)?;
                permitted(state, info, CallAction::CompleteTransfer, name)?;
                history_has_room(info)
            }
            Action::Leave(id) => {
                let info = on_call(state, id, name)?;
                permitted(state, info, CallAction::Leave, name)?;
                // Alone with the customer, an agent ends the call instead.
                if info.call.agents().count() < 2 {
                    return Err(CommandError::InvalidTransition { command: name, state: info.call.state().name() });
                }
                Ok(())
            }
            Action::End(id) => permitted(state, on_call(state, id, name)?, CallAction::End, name),
            Action::Dtmf(id) => {
                let info = on_call(state, id, name)?;
                channel_allows(info, name, &[Channel::Voice])?;
                permitted(state, info, CallAction::Dtmf, name)?;
                history_has_room(info)
            }
            Action::Record(id) => {
                let info = on_call(state, id, name)?;
                channel_allows(info, name, &[Channel::Voice])?;
                permitted(state, info, CallAction::Record, name)?;
                if !info.call.recordable {
                    return Err(CommandError::NotRecordable);
                }
                if info.call.recording {
                    return Err(CommandError::InvalidTransition { command: name, state: "recording" });
                }
                history_has_room(info)
            }
            Action::FollowUp(id, channel) => {
                let info = on_call(state, id, name)?;
                permitted(state, info, CallAction::FollowUp, name)?;
                if channel == info.channel {
                    return Err(CommandError::BadArgument { command: name, detail: "choose another channel than the interaction's own" });
                }
                has_capacity(self.profile, state, channel)?;
                history_has_room(info)
            }
        }
    }

    /// Whether a record action is allowed now: the record is at this agent
    /// and not stale, and the phase table allows the action in its phase.
    fn record_action(&self, record: RecordId, action: RecordAction) -> Result<(), CommandError> {
        let name = action.command_name();
        let work = match self.state.outbound_work(record) {
            Some(work) => work,
            None if self.world.went_stale(record) => return Err(CommandError::RecordStale(record)),
            None => return Err(CommandError::UnknownRecord(record)),
        };
        if work.stale_at.is_some_and(|at| self.now >= at) {
            return Err(CommandError::RecordStale(record));
        }
        let status = work.record.status;
        if !action.row().phases.contains(&status) {
            return Err(CommandError::InvalidTransition { command: name, state: status.name() });
        }
        let schedule = work.record.schedule.as_ref();
        match action {
            RecordAction::Accept | RecordAction::Reject if work.deadline.is_some_and(|at| self.now >= at) => {
                Err(CommandError::PreviewExpired(record))
            }
            RecordAction::Reschedule if status == RecordStatus::Owned && !work.campaign.reschedule_before_dial => {
                Err(CommandError::RescheduleNotAllowed)
            }
            // A full chain takes no new number (the desk offers none).
            RecordAction::AddChained if work.record.chain.len() >= MAX_CHAINED_NUMBERS => {
                Err(CommandError::BadArgument { command: name, detail: CHAIN_FULL })
            }
            RecordAction::CancelReschedule if schedule.is_none() => Err(CommandError::InvalidTransition { command: name, state: "not scheduled" }),
            RecordAction::DoNotCall if work.do_not_call => Err(CommandError::InvalidTransition { command: name, state: "do_not_call" }),
            // As the server refuses any number on the list (P6).
            RecordAction::Dial if work.do_not_call => Err(CommandError::BadArgument { command: name, detail: "the record's numbers are on the do-not-call list" }),
            // Before dialling, only a rescheduled record closes with done.
            RecordAction::Done if status == RecordStatus::Owned && schedule.is_none() => {
                Err(CommandError::InvalidTransition { command: name, state: status.name() })
            }
            RecordAction::Done if schedule.is_some_and(|s| s.at <= self.now) => Err(CommandError::RescheduleInPast),
            RecordAction::Done if status == RecordStatus::AfterCall && work.campaign.disposition_required && work.record.result.is_none() => {
                Err(CommandError::CallResultRequired)
            }
            _ => Ok(()),
        }
    }

    /// Whether the arguments of a command whose action is available are valid.
    fn arguments(&self, command: &CommandKind) -> Result<(), CommandError> {
        let name = command.name();
        let work = |record: &RecordId| self.state.outbound_work(*record).ok_or(CommandError::UnknownRecord(*record));
        match command {
            CommandKind::PreviewMedia { media } => {
                let distinct = media.iter().enumerate().all(|(i, m)| !media[..i].contains(m));
                if distinct { Ok(()) } else { Err(CommandError::BadArgument { command: name, detail: "a media type is named twice" }) }
            }
            CommandKind::Reschedule { at, .. } if at.0 > MAX_CALLBACK_AT_MS => {
                Err(CommandError::BadArgument { command: name, detail: "a callback time after the year 9999" })
            }
            CommandKind::Dial { number: Some(number), .. }
            | CommandKind::AddChained { number, .. }
            | CommandKind::Reschedule { number: Some(number), .. } => {
                dialable(name, number)?;
                // A callback's number joins the chain unless it is there.
                let joins = match command {
                    CommandKind::AddChained { record, .. } => Some(work(record)?),
                    CommandKind::Reschedule { record, .. } => Some(work(record)?).filter(|w| w.record.position_of(number).is_none()),
                    _ => None,
                };
                if joins.is_some_and(|w| w.record.chain.len() >= MAX_CHAINED_NUMBERS) {
                    Err(CommandError::BadArgument { command: name, detail: CHAIN_FULL })
                } else {
                    Ok(())
                }
            }
            CommandKind::SetActive { record, index } => {
                let work = work(record)?;
                if (*index as usize) < work.record.chain.len() {
                    Ok(())
                } else {
                    Err(CommandError::BadArgument { command: name, detail: "no chained record at that position" })
                }
            }
            CommandKind::EditRecord { record, fields } => {
                let work = work(record)?;
                campaign::check_fields(&work.campaign.fields, fields)
                    .map_err(|_| CommandError::BadArgument { command: name, detail: "a field is not the campaign's, or its value is too long or holds a control character" })
            }
            CommandKind::CallResult { record, result } => {
                if work(record)?.campaign.results.contains(result) { Ok(()) } else { Err(CommandError::UnknownCallResult) }
            }
            CommandKind::TransferRecord { record, agent } => {
                let work = work(record)?;
                if *agent == self.state.agent {
                    return Err(CommandError::BadArgument { command: name, detail: "the target is this agent" });
                }
                if self.world.assigned(&work.campaign.id, agent) == Some(false) {
                    return Err(CommandError::TargetUnavailable(NOT_ASSIGNED));
                }
                // The record counts on the receiver's voice channel (E2):
                // one on a call, or with a voice offer, has no room for it.
                match self.world.agent(agent) {
                    Seen::Agent(other) if other.logged_in && other.connected && other.outbound.is_empty() && has_capacity(self.profile, other, Channel::Voice).is_ok() => Ok(()),
                    Seen::Agent(_) => Err(CommandError::TargetUnavailable(NOT_FREE)),
                    Seen::NoSuchAgent => Err(CommandError::TargetUnavailable(NO_SUCH_AGENT)),
                    Seen::Unseen => Ok(()),
                }
            }
            CommandKind::SetStatus { status, secondary } => check_status_choice(self.profile, status, secondary.as_ref()),
            CommandKind::Done { interaction, code } => {
                let info = self.state.interaction(*interaction).ok_or(CommandError::UnknownInteraction(*interaction))?;
                let owner = Who::Owner.includes(&info.call, &self.state.agent);
                match code {
                    // SPEC F5: others on a conference assist with wrap-up, without the code.
                    Some(_) if !owner => Err(CommandError::NotWrapUpOwner),
                    Some(code) if !self.profile.wrap_up.codes.iter().any(|c| &c.id == code) => Err(CommandError::UnknownWrapUpCode),
                    None if owner && self.profile.wrap_up.required => Err(CommandError::WrapUpCodeRequired),
                    _ => Ok(()),
                }
            }
            CommandKind::Outdial { number } => dialable(name, number),
            CommandKind::Monitor { agent, .. } if *agent == self.state.agent => {
                Err(CommandError::BadArgument { command: name, detail: "a supervisor does not monitor itself" })
            }
            CommandKind::SetFavourites { users } if users.contains(&self.state.agent) => {
                Err(CommandError::BadArgument { command: name, detail: "a user does not follow itself" })
            }
            CommandKind::SetFavourites { users } if users.iter().any(|u| u.as_str().is_empty()) => {
                Err(CommandError::BadArgument { command: name, detail: "a user id is empty" })
            }
            CommandKind::LogoutAgent { agent } => match self.world.agent(agent) {
                Seen::Agent(target) => check_supervisor_logout(self.profile, target),
                Seen::NoSuchAgent => Err(CommandError::UnknownAgent(agent.clone())),
                Seen::Unseen => Ok(()),
            },
            CommandKind::Transfer { interaction, target }
            | CommandKind::Consult { interaction, target }
            | CommandKind::Conference { interaction, target } => {
                let info = self.state.interaction(*interaction).ok_or(CommandError::UnknownInteraction(*interaction))?;
                self.target(info, name, target)
            }
            CommandKind::Dtmf { digits, .. } => {
                let valid = !digits.is_empty()
                    && digits.len() <= MAX_DTMF_DIGITS
                    && digits.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#');
                if valid { Ok(()) } else { Err(CommandError::BadArgument { command: name, detail: "digits are 1 to 32 of 0-9, * and #" }) }
            }
            _ => Ok(()),
        }
    }

    /// A target to bring in or transfer to: a free agent not on the call
    /// yet, an existing queue (whose request waits for an agent), or a
    /// dialable number (V4, V6).
    fn target(&self, info: &InteractionInfo, name: &'static str, target: &Target) -> Result<(), CommandError> {
        match target {
            Target::Agent(agent) if *agent == self.state.agent => Err(CommandError::BadArgument { command: name, detail: "the target is this agent" }),
            Target::Agent(agent) if info.call.agent_participant(agent).is_some() => Err(CommandError::TargetUnavailable("that agent is on this call already")),
            Target::Agent(agent) => match self.world.agent(agent) {
                // An agent still in wrap-up of this interaction cannot rejoin it.
                Seen::Agent(other) if other.interaction(info.id).is_some() => Err(CommandError::TargetUnavailable("that agent still wraps up this interaction")),
                Seen::Agent(other) if can_take(self.profile, other, info.channel) => Ok(()),
                Seen::Agent(_) => Err(CommandError::TargetUnavailable(NOT_FREE)),
                Seen::NoSuchAgent => Err(CommandError::TargetUnavailable(NO_SUCH_AGENT)),
                Seen::Unseen => Ok(()),
            },
            Target::Queue(queue) => match self.world.queue_exists(queue) {
                Some(false) => Err(CommandError::UnknownQueue(queue.clone())),
                _ => Ok(()),
            },
            Target::Number(number) => dialable(name, number),
        }
    }
}

/// Whether an agent could take new work on `channel` now (S7, E2): logged
/// in, connected, in a routable status, with room on the channel.
pub fn can_take(profile: &Profile, state: &AgentState, channel: Channel) -> bool {
    state.logged_in && state.connected && profile.is_routable(&state.status) && state.load(channel) < profile.channel(channel).capacity
}

/// Which row of the control table a hold or resume of `target` is.
fn hold_action(call: &Call, target: super::ParticipantId, hold: bool) -> CallAction {
    let party = call.participant(target).map(|p| &p.party);
    let consulted = call.consult.as_ref().is_some_and(|c| c.party == target);
    match (party, consulted, hold) {
        (Some(Party::Customer), _, true) => CallAction::HoldCustomer,
        (Some(Party::Customer), _, false) => CallAction::ResumeCustomer,
        (_, true, true) => CallAction::HoldConsulted,
        (_, true, false) => CallAction::ResumeConsulted,
        (_, false, true) => CallAction::HoldParty,
        (_, false, false) => CallAction::AllowParty,
    }
}

/// Whether the control table lets this agent take `action` on `info` now.
fn permitted(state: &AgentState, info: &InteractionInfo, action: CallAction, command: &'static str) -> Result<(), CommandError> {
    let row = row_of(action);
    let call = &info.call;
    let when = match row.when {
        When::OnCall(states) => info.state == InteractionState::Active && states.contains(&call.state()),
        When::WrapUp => info.state == InteractionState::WrapUp,
    };
    // Named only when a refusal reports it: the view asks this for every
    // call action after every event.
    let state_name = || match row.when {
        When::OnCall(_) if info.state == InteractionState::Active => call.state().name(),
        _ => info.state.name(),
    };
    if !row.who.includes(call, &state.agent) {
        return Err(match row.who {
            Who::Controller => CommandError::NotInControl { command },
            Who::Owner => CommandError::NotWrapUpOwner,
            // The state allows it, for the other side of the consult.
            Who::Initiator | Who::ConsultSide if when => CommandError::InvalidTransition { command, state: "in another agent's consult" },
            _ => CommandError::InvalidTransition { command, state: state_name() },
        });
    }
    if when { Ok(()) } else { Err(CommandError::InvalidTransition { command, state: state_name() }) }
}

fn has_capacity(profile: &Profile, state: &AgentState, channel: Channel) -> Result<(), CommandError> {
    if state.load(channel) >= profile.channel(channel).capacity {
        return Err(CommandError::NoCapacity(channel));
    }
    Ok(())
}

/// Whether an agent may choose `status` (with `secondary`) by hand (S6, S8).
pub fn check_status_choice(profile: &Profile, status: &StatusId, secondary: Option<&SecondaryId>) -> Result<(), CommandError> {
    let def = profile.status(status).ok_or_else(|| CommandError::UnknownStatus(status.clone()))?;
    if def.system_only {
        return Err(CommandError::StatusSystemOnly(status.clone()));
    }
    match secondary {
        Some(choice) if !def.secondary.iter().any(|s| &s.id == choice) => Err(CommandError::UnknownSecondary(status.clone())),
        None if def.secondary_required => Err(CommandError::SecondaryRequired(status.clone())),
        _ => Ok(()),
    }
}

/// Whether a supervisor may log out the agent whose state is `target` (S9):
/// it must be logged in, available or idle, with no interaction in progress.
pub fn check_supervisor_logout(profile: &Profile, target: &AgentState) -> Result<(), CommandError> {
    match supervisor_logout_refusal(profile, &target.status, target.logged_in, target.engaged()) {
        Some(reason) => Err(CommandError::LogoutNotAllowed { agent: target.agent.clone(), reason }),
        None => Ok(()),
    }
}

/// Why S9 forbids logging out an agent in `status`, logged in or not and
/// with work in progress or not; `None` when it allows it. The roster asks
/// this of what it sees of others, the center of their whole state.
pub fn supervisor_logout_refusal(profile: &Profile, status: &StatusId, logged_in: bool, engaged: bool) -> Option<&'static str> {
    let category = profile.status(status).map(|s| s.category);
    if !logged_in {
        Some("is not logged in")
    } else if !matches!(category, Some(StatusCategory::Available | StatusCategory::Idle)) {
        Some("is neither available nor idle")
    } else if engaged {
        Some("has interactions in progress")
    } else {
        None
    }
}

/// Whether a supervisor may take a monitoring action now, from its own
/// monitorings (M1); the call itself is judged by the center.
fn monitor_action(state: &AgentState, interaction: InteractionId, action: MonitorAction) -> Result<(), CommandError> {
    let name = action.command_name();
    let held = state.monitoring.iter().find(|m| m.interaction == interaction);
    let Some(monitoring) = held else {
        return match action {
            MonitorAction::Start if state.monitoring.len() >= MAX_MONITORING => Err(CommandError::MonitoringFull),
            MonitorAction::Start => Ok(()),
            _ => Err(CommandError::NotMonitoring(interaction)),
        };
    };
    let refuse = || Err(CommandError::InvalidTransition { command: name, state: monitoring.state_name() });
    match action {
        MonitorAction::Start | MonitorAction::Stop => Ok(()),
        MonitorAction::Pause if monitoring.paused || monitoring.mode == MonitorMode::BargeIn => refuse(),
        MonitorAction::Resume if !monitoring.paused => refuse(),
        MonitorAction::BargeIn if monitoring.mode == MonitorMode::BargeIn => refuse(),
        MonitorAction::Pause | MonitorAction::Resume | MonitorAction::BargeIn => Ok(()),
    }
}

/// The agent's interaction, while the agent is on it (not in wrap-up).
#[allow(clippy::unnecessary_lazy_evaluations)] // lazy for the view: see `Judge::available`
fn on_call<'a>(state: &'a AgentState, id: InteractionId, command: &'static str) -> Result<&'a InteractionInfo, CommandError> {
    let info = state.interaction(id).ok_or_else(|| CommandError::UnknownInteraction(id))?;
    match info.state {
        InteractionState::Active => Ok(info),
        other => Err(CommandError::InvalidTransition { command, state: other.name() }),
    }
}

fn channel_allows(info: &InteractionInfo, command: &'static str, channels: &[Channel]) -> Result<(), CommandError> {
    if channels.contains(&info.channel) { Ok(()) } else { Err(CommandError::NotOnChannel { command, channel: info.channel }) }
}

/// Commands that write into the case history stop when it is full (SPEC
/// N8), so a call_changed event, which carries the history, stays bounded.
fn history_has_room(info: &InteractionInfo) -> Result<(), CommandError> {
    if info.call.history.len() >= MAX_HISTORY_ENTRIES {
        return Err(CommandError::HistoryFull);
    }
    Ok(())
}

fn dialable(command: &'static str, number: &str) -> Result<(), CommandError> {
    if is_dialable(number) {
        Ok(())
    } else {
        Err(CommandError::BadArgument { command, detail: "the number must hold digits and only + ( ) - * # or spaces" })
    }
}
