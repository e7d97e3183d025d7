//! The rules that decide whether a command is allowed, shared by the authority
//! (which refuses) and the replica (which validates before sending and derives
//! the enabled actions), so the two never disagree.

use super::call::{Party, Target};
use super::profile::StatusCategory;
use super::state::{AgentState, CommandKind, InteractionInfo, InteractionState};
use super::{Channel, CommandError, InteractionId, Profile, Role, SecondaryId, ServerTime, StatusId};
use crate::protocol::limits::{MAX_DTMF_DIGITS, MAX_HISTORY_ENTRIES, MAX_NUMBER_BYTES};

/// Whether `command`, sent by an agent whose own state is `state`, is allowed
/// at server time `now`. Commands about another agent ([`CommandKind::LogoutAgent`])
/// are checked here for the role only; see [`check_supervisor_logout`].
pub fn check(profile: &Profile, role: Role, state: &AgentState, now: ServerTime, command: &CommandKind) -> Result<(), CommandError> {
    let name = command.name();
    match command {
        CommandKind::Login => {
            return if state.logged_in { Err(CommandError::AlreadyLoggedIn) } else { Ok(()) };
        }
        CommandKind::LogoutAgent { .. } => {
            return if role.supervises() { Ok(()) } else { Err(CommandError::Forbidden { command: name, role }) };
        }
        _ if !state.logged_in => return Err(CommandError::NotLoggedIn { command: name }),
        _ => {}
    }
    match command {
        CommandKind::Login | CommandKind::LogoutAgent { .. } => Ok(()),
        CommandKind::Logout => match state.interactions.len() {
            0 => Ok(()),
            open => Err(CommandError::InteractionsInProgress(open)),
        },
        CommandKind::SetStatus { status, secondary } => check_status_choice(profile, status, secondary.as_ref()),
        CommandKind::Accept { offer } | CommandKind::Decline { offer } => {
            let info = state.offer(*offer).ok_or(CommandError::UnknownOffer(*offer))?;
            if now >= info.deadline {
                return Err(CommandError::OfferExpired(*offer));
            }
            Ok(())
        }
        CommandKind::End { interaction } => {
            // SPEC F8: ending the call (and so a conference) is the primary's.
            let info = on_call(state, *interaction, name)?;
            in_control(state, info, name)
        }
        CommandKind::Done { interaction, code } => {
            let info = state.interaction(*interaction).ok_or(CommandError::UnknownInteraction(*interaction))?;
            if info.state != InteractionState::WrapUp {
                return Err(CommandError::InvalidTransition { command: name, state: info.state.name() });
            }
            // SPEC F5: others on a conference assist with wrap-up, without the code.
            let owner = info.call.owner == state.agent;
            match code {
                Some(_) if !owner => Err(CommandError::NotWrapUpOwner),
                Some(code) if !profile.wrap_up.codes.iter().any(|c| &c.id == code) => Err(CommandError::UnknownWrapUpCode),
                None if owner && profile.wrap_up.required => Err(CommandError::WrapUpCodeRequired),
                _ => Ok(()),
            }
        }
        CommandKind::Hold { interaction, participant } | CommandKind::Resume { interaction, participant } => {
            let hold = matches!(command, CommandKind::Hold { .. });
            let info = on_call(state, *interaction, name)?;
            channel_allows(info, name, &[Channel::Voice])?;
            in_control(state, info, name)?;
            open_to_changes(info, name)?;
            let call = &info.call;
            let target = match participant {
                Some(id) => call.participant(*id).ok_or(CommandError::UnknownParticipant(*id))?,
                None => call.customer().ok_or(CommandError::InvalidTransition { command: name, state: call.state().name() })?,
            };
            // The customer waits on hold through a consult, until it ends (V6).
            let consult_holds_customer = target.party == Party::Customer && (call.consult.is_some() || call.invitation.is_some());
            if target.agent() == Some(&state.agent) || target.held_since.is_some() == hold || (!hold && consult_holds_customer) {
                return Err(CommandError::InvalidTransition { command: name, state: call.state().name() });
            }
            Ok(())
        }
        CommandKind::Consult { interaction, target } | CommandKind::Conference { interaction, target } => {
            let info = on_call(state, *interaction, name)?;
            let channels: &[Channel] = if matches!(command, CommandKind::Consult { .. }) {
                &[Channel::Voice]
            } else {
                &[Channel::Voice, Channel::Chat, Channel::Social]
            };
            channel_allows(info, name, channels)?;
            open_to_changes(info, name)?;
            if !info.call.has_room() {
                return Err(CommandError::ConferenceFull);
            }
            check_target(state, name, target)
        }
        CommandKind::Transfer { interaction, target } => {
            let info = on_call(state, *interaction, name)?;
            in_control(state, info, name)?;
            open_to_changes(info, name)?;
            // SPEC F4: during a conference, transfer becomes "exit conference".
            if info.call.agents().count() > 1 {
                return Err(CommandError::InvalidTransition { command: name, state: info.call.state().name() });
            }
            check_target(state, name, target)?;
            history_has_room(info)
        }
        CommandKind::EndConsult { interaction } => {
            let info = on_call(state, *interaction, name)?;
            let call = &info.call;
            let mine = call.invitation.as_ref().is_some_and(|i| i.by == state.agent)
                || call.consult.as_ref().is_some_and(|c| {
                    c.by == state.agent || call.participant(c.party).and_then(|p| p.agent()) == Some(&state.agent)
                });
            if mine { Ok(()) } else { Err(CommandError::InvalidTransition { command: name, state: call.state().name() }) }
        }
        CommandKind::CompleteTransfer { interaction } | CommandKind::StartConference { interaction } => {
            let info = on_call(state, *interaction, name)?;
            let initiator = info.call.consult.as_ref().is_some_and(|c| c.by == state.agent);
            if !initiator {
                return Err(CommandError::InvalidTransition { command: name, state: info.call.state().name() });
            }
            // Completing a transfer writes it into the case history.
            if matches!(command, CommandKind::CompleteTransfer { .. }) {
                history_has_room(info)?;
            }
            Ok(())
        }
        CommandKind::Leave { interaction } => {
            let info = on_call(state, *interaction, name)?;
            // Alone with the customer, an agent ends the call instead.
            if info.call.agents().count() < 2 {
                return Err(CommandError::InvalidTransition { command: name, state: info.call.state().name() });
            }
            Ok(())
        }
        CommandKind::Dtmf { interaction, digits } => {
            let info = on_call(state, *interaction, name)?;
            channel_allows(info, name, &[Channel::Voice])?;
            customer_on_line(info, name)?;
            let valid = !digits.is_empty()
                && digits.len() <= MAX_DTMF_DIGITS
                && digits.chars().all(|c| c.is_ascii_digit() || c == '*' || c == '#');
            if !valid {
                return Err(CommandError::BadArgument { command: name, detail: "digits are 1 to 32 of 0-9, * and #" });
            }
            history_has_room(info)
        }
        CommandKind::Record { interaction } => {
            let info = on_call(state, *interaction, name)?;
            channel_allows(info, name, &[Channel::Voice])?;
            customer_on_line(info, name)?;
            if !info.call.recordable {
                return Err(CommandError::NotRecordable);
            }
            if info.call.recording {
                return Err(CommandError::InvalidTransition { command: name, state: "recording" });
            }
            history_has_room(info)
        }
        CommandKind::FollowUp { interaction, channel } => {
            let info = on_call(state, *interaction, name)?;
            if *channel == info.channel {
                return Err(CommandError::BadArgument { command: name, detail: "choose another channel than the interaction's own" });
            }
            if state.load(*channel) >= profile.channel(*channel).capacity {
                return Err(CommandError::NoCapacity(*channel));
            }
            history_has_room(info)
        }
        CommandKind::Outdial { number } => {
            if !is_dialable(number) {
                return Err(CommandError::BadArgument { command: name, detail: "the number must hold digits and only + ( ) - * # or spaces" });
            }
            if state.load(Channel::Voice) >= profile.channel(Channel::Voice).capacity {
                return Err(CommandError::NoCapacity(Channel::Voice));
            }
            Ok(())
        }
    }
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
    let refuse = |reason| Err(CommandError::LogoutNotAllowed { agent: target.agent.clone(), reason });
    if !target.logged_in {
        return refuse("is not logged in");
    }
    let category = profile.status(&target.status).map(|s| s.category);
    if !matches!(category, Some(StatusCategory::Available | StatusCategory::Idle)) {
        return refuse("is neither available nor idle");
    }
    if target.engaged() {
        return refuse("has interactions in progress");
    }
    Ok(())
}

/// The agent's interaction, while the agent is on it (not in wrap-up).
fn on_call<'a>(state: &'a AgentState, id: InteractionId, command: &'static str) -> Result<&'a InteractionInfo, CommandError> {
    let info = state.interaction(id).ok_or(CommandError::UnknownInteraction(id))?;
    match info.state {
        InteractionState::Active => Ok(info),
        other => Err(CommandError::InvalidTransition { command, state: other.name() }),
    }
}

fn in_control(state: &AgentState, info: &InteractionInfo, command: &'static str) -> Result<(), CommandError> {
    if info.call.primary.as_ref() == Some(&state.agent) { Ok(()) } else { Err(CommandError::NotInControl { command }) }
}

fn channel_allows(info: &InteractionInfo, command: &'static str, channels: &[Channel]) -> Result<(), CommandError> {
    if channels.contains(&info.channel) { Ok(()) } else { Err(CommandError::NotOnChannel { command, channel: info.channel }) }
}

/// DTMF and recording are about the customer's line: gone once it left (F7).
fn customer_on_line(info: &InteractionInfo, command: &'static str) -> Result<(), CommandError> {
    if info.call.customer_left {
        return Err(CommandError::InvalidTransition { command, state: info.call.state().name() });
    }
    Ok(())
}

/// No hold, resume, consult or new participant after the customer left (F7),
/// and one consult or conference request at a time.
fn open_to_changes(info: &InteractionInfo, command: &'static str) -> Result<(), CommandError> {
    let call = &info.call;
    if call.customer_left || call.invitation.is_some() || (call.consult.is_some() && !matches!(command, "hold" | "resume")) {
        return Err(CommandError::InvalidTransition { command, state: call.state().name() });
    }
    Ok(())
}

/// Commands that write into the case history stop when it is full (SPEC
/// N8), so a call_changed event, which carries the history, stays bounded.
fn history_has_room(info: &InteractionInfo) -> Result<(), CommandError> {
    if info.call.history.len() >= MAX_HISTORY_ENTRIES {
        return Err(CommandError::HistoryFull);
    }
    Ok(())
}

fn check_target(state: &AgentState, command: &'static str, target: &Target) -> Result<(), CommandError> {
    match target {
        Target::Agent(agent) if *agent == state.agent => Err(CommandError::BadArgument { command, detail: "the target is this agent" }),
        Target::Number(number) if !is_dialable(number) => {
            Err(CommandError::BadArgument { command, detail: "the number must hold digits and only + ( ) - * # or spaces" })
        }
        _ => Ok(()),
    }
}

/// A dial string: at least one digit, otherwise only `+ ( ) - * #` and spaces.
fn is_dialable(number: &str) -> bool {
    number.len() <= MAX_NUMBER_BYTES
        && number.chars().any(|c| c.is_ascii_digit())
        && number.chars().all(|c| c.is_ascii_digit() || "+()-*# ".contains(c))
}
