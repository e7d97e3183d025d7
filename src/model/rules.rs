//! The rules that decide whether a command is allowed, shared by the authority
//! (which refuses) and the replica (which validates before sending and derives
//! the enabled actions), so the two never disagree.

use super::profile::StatusCategory;
use super::state::{AgentState, CommandKind, InteractionState};
use super::{Channel, CommandError, Profile, Role, SecondaryId, ServerTime, StatusId};

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
            let info = state.interaction(*interaction).ok_or(CommandError::UnknownInteraction(*interaction))?;
            match info.state {
                InteractionState::Active => Ok(()),
                other => Err(CommandError::InvalidTransition { command: name, state: other.name() }),
            }
        }
        CommandKind::Done { interaction, code } => {
            let info = state.interaction(*interaction).ok_or(CommandError::UnknownInteraction(*interaction))?;
            if info.state != InteractionState::WrapUp {
                return Err(CommandError::InvalidTransition { command: name, state: info.state.name() });
            }
            match code {
                Some(code) if !profile.wrap_up.codes.iter().any(|c| &c.id == code) => Err(CommandError::UnknownWrapUpCode),
                None if profile.wrap_up.required => Err(CommandError::WrapUpCodeRequired),
                _ => Ok(()),
            }
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

/// A dial string: at least one digit, otherwise only `+ ( ) - * #` and spaces.
fn is_dialable(number: &str) -> bool {
    number.len() <= 64
        && number.chars().any(|c| c.is_ascii_digit())
        && number.chars().all(|c| c.is_ascii_digit() || "+()-*# ".contains(c))
}
