//! Supervisor monitoring on the authority's side (SPEC M1-M3): starting,
//! pausing, barging in and stopping, and keeping every monitoring in step
//! with its call as agents come and go (see [`crate::model::monitoring`]
//! for the rules).

use super::{Center, InteractionRecord};
use crate::model::call::Party;
use crate::model::monitoring::{MonitorMode, Monitoring, MonitoringEnd};
use crate::model::state::{CommandKind, EndedBy, EventKind, InteractionState};
use crate::model::{CommandError, InteractionId, ServerTime, UserId};
use crate::protocol::limits::MAX_MONITORS_PER_CALL;

impl Center {
    /// Applies a monitoring command of supervisor `user`, whose own part
    /// the judge has checked; the call is judged here.
    pub(super) fn monitor_command(&mut self, now: ServerTime, user: &UserId, kind: CommandKind) -> Result<(), CommandError> {
        match kind {
            CommandKind::Monitor { interaction, agent } => self.start_monitoring(now, user, interaction, agent),
            CommandKind::PauseMonitoring { interaction } | CommandKind::ResumeMonitoring { interaction } => {
                let paused = matches!(kind, CommandKind::PauseMonitoring { .. });
                self.change_monitoring(now, user, interaction, |m| m.paused = paused);
                Ok(())
            }
            CommandKind::BargeIn { interaction } => self.barge_in(now, user, interaction),
            CommandKind::StopMonitoring { interaction } => {
                self.end_and_review(now, user, interaction, MonitoringEnd::Stopped);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A live call (not in wrap-up, M2) with `agent` on it.
    fn live_call_of(&self, interaction: InteractionId, agent: Option<&UserId>) -> Result<&InteractionRecord, CommandError> {
        let record = self.interactions.get(&interaction).ok_or(CommandError::UnknownInteraction(interaction))?;
        if record.info.call.participants.is_empty() {
            return Err(CommandError::CallInWrapUp(interaction));
        }
        let Some(agent) = agent else { return Ok(record) };
        if record.info.call.agent_participant(agent).is_some() {
            return Ok(record);
        }
        let leg = self.agent(agent).and_then(|a| a.interaction(interaction));
        match leg {
            Some(leg) if leg.state == InteractionState::WrapUp => Err(CommandError::CallInWrapUp(interaction)),
            _ => Err(CommandError::UnknownInteraction(interaction)),
        }
    }

    fn start_monitoring(&mut self, now: ServerTime, user: &UserId, interaction: InteractionId, agent: UserId) -> Result<(), CommandError> {
        let record = self.live_call_of(interaction, Some(&agent))?;
        if record.info.call.agent_participant(user).is_some() {
            return Err(CommandError::BadArgument { command: "monitor", detail: "the supervisor is an agent on this call" });
        }
        if record.monitors.contains(user) {
            self.change_monitoring(now, user, interaction, |m| {
                if !m.agents.contains(&agent) {
                    m.agents.push(agent.clone());
                }
            });
            return Ok(());
        }
        if record.monitors.len() >= MAX_MONITORS_PER_CALL {
            return Err(CommandError::MonitoringFull);
        }
        let monitoring = Monitoring {
            interaction,
            agents: vec![agent],
            channel: record.info.channel,
            from: record.info.from.clone(),
            mode: MonitorMode::Silent,
            paused: false,
            since: now,
        };
        if let Some(record) = self.interactions.get_mut(&interaction) {
            record.monitors.insert(user.clone());
        }
        self.emit(now, user, EventKind::MonitoringChanged { monitoring: Box::new(monitoring) });
        self.review_monitors(now, interaction);
        Ok(())
    }

    fn barge_in(&mut self, now: ServerTime, user: &UserId, interaction: InteractionId) -> Result<(), CommandError> {
        let record = self.live_call_of(interaction, None)?;
        if !record.info.call.has_room() {
            return Err(CommandError::ConferenceFull);
        }
        if let Some(record) = self.interactions.get_mut(&interaction) {
            record.info.call.join(Party::Supervisor(user.clone()), now);
        }
        self.change_monitoring(now, user, interaction, |m| {
            m.mode = MonitorMode::BargeIn;
            m.paused = false;
        });
        self.publish(now, interaction);
        Ok(())
    }

    /// Changes the supervisor's monitoring of `interaction` and tells it.
    fn change_monitoring(&mut self, now: ServerTime, user: &UserId, interaction: InteractionId, change: impl FnOnce(&mut Monitoring)) {
        let held = self.agent(user).and_then(|a| a.monitoring.iter().find(|m| m.interaction == interaction));
        let Some(mut monitoring) = held.cloned() else { return };
        change(&mut monitoring);
        self.emit(now, user, EventKind::MonitoringChanged { monitoring: Box::new(monitoring) });
    }

    /// Ends a supervisor's monitoring; a barged-in supervisor leaves the
    /// call. Returns whether it left a seat (the call then needs publishing).
    fn end_monitoring(&mut self, now: ServerTime, user: &UserId, interaction: InteractionId, reason: MonitoringEnd) -> bool {
        let Some(record) = self.interactions.get_mut(&interaction) else { return false };
        record.monitors.remove(user);
        let seat = record.info.call.participants.iter().find(|p| p.party == Party::Supervisor(user.clone())).map(|p| p.id);
        if let Some(seat) = seat {
            record.info.call.remove(seat, now);
        }
        self.emit(now, user, EventKind::MonitoringEnded { interaction, reason });
        seat.is_some()
    }

    /// Ends one monitoring and brings the call and the others in step.
    fn end_and_review(&mut self, now: ServerTime, user: &UserId, interaction: InteractionId, reason: MonitoringEnd) {
        if self.end_monitoring(now, user, interaction, reason) {
            self.seat_left(now, interaction);
        } else {
            self.review_monitors(now, interaction);
        }
    }

    /// After a barged-in supervisor left the call: it ends if one party is
    /// left, or no agent (F8: the customer gone, one agent alone); otherwise
    /// the others see it without the supervisor.
    fn seat_left(&mut self, now: ServerTime, interaction: InteractionId) {
        if self.interactions.get(&interaction).is_some_and(|r| r.info.call.is_over()) {
            self.finish_call(now, interaction, EndedBy::Customer);
        } else {
            self.publish(now, interaction);
        }
    }

    /// Ends every monitoring of a supervisor who logs out.
    pub(super) fn stop_all_monitoring(&mut self, now: ServerTime, user: &UserId) {
        let held: Vec<InteractionId> = self.agent(user).map(|a| a.monitoring.iter().map(|m| m.interaction).collect()).unwrap_or_default();
        for interaction in held {
            self.end_and_review(now, user, interaction, MonitoringEnd::LoggedOut);
        }
    }

    /// Brings every monitoring of `interaction` in step with its call (M2,
    /// M3): a monitoring goes on through its agents still on a live call
    /// (or, once the call is over, still in wrap-up); a barged-in one
    /// through any agent left on the call; otherwise it ends. Agents see
    /// that they are monitored where the profile says so.
    pub(super) fn review_monitors(&mut self, now: ServerTime, interaction: InteractionId) {
        let Some(record) = self.interactions.get(&interaction) else { return };
        let call = record.info.call.clone();
        let live = !call.participants.is_empty();
        let present: Vec<UserId> = if live { call.agents().cloned().collect() } else { record.agents.iter().cloned().collect() };
        let monitors: Vec<UserId> = record.monitors.iter().cloned().collect();
        let mut seat_left = false;
        for supervisor in monitors {
            let held = self.agent(&supervisor).and_then(|a| a.monitoring.iter().find(|m| m.interaction == interaction)).cloned();
            let Some(before) = held else { continue };
            let mut after = before.clone();
            after.agents.retain(|a| present.contains(a));
            let seated = call.participants.iter().any(|p| p.party == Party::Supervisor(supervisor.clone()));
            if after.mode == MonitorMode::BargeIn && live && !seated {
                seat_left |= self.end_monitoring(now, &supervisor, interaction, MonitoringEnd::Stopped);
                continue;
            }
            if after.agents.is_empty() && after.mode == MonitorMode::BargeIn && live {
                after.agents = present.clone();
            }
            if after.agents.is_empty() {
                let reason = if live { MonitoringEnd::AgentLeft } else { MonitoringEnd::CallOver };
                seat_left |= self.end_monitoring(now, &supervisor, interaction, reason);
                continue;
            }
            if after != before {
                self.emit(now, &supervisor, EventKind::MonitoringChanged { monitoring: Box::new(after) });
            }
        }
        if seat_left {
            self.seat_left(now, interaction);
        } else {
            self.show_monitored(now, interaction);
        }
    }

    /// Tells the agents of `interaction` whether it is monitored, where the
    /// profile shows it (M1).
    fn show_monitored(&mut self, now: ServerTime, interaction: InteractionId) {
        let Some(record) = self.interactions.get(&interaction) else { return };
        let monitored = self.profile.monitoring_visible && !record.monitors.is_empty();
        let stale: Vec<UserId> = record
            .agents
            .iter()
            .filter(|a| self.agent(a).and_then(|s| s.interaction(interaction)).is_some_and(|leg| leg.monitored != monitored))
            .cloned()
            .collect();
        for agent in stale {
            self.emit(now, &agent, EventKind::MonitoredChanged { interaction, monitored });
        }
    }

    /// Ends the monitorings of an interaction whose last agent is done.
    pub(super) fn interaction_closing(&mut self, now: ServerTime, interaction: InteractionId) {
        let monitors: Vec<UserId> = self.interactions.get(&interaction).map(|r| r.monitors.iter().cloned().collect()).unwrap_or_default();
        for supervisor in monitors {
            self.end_monitoring(now, &supervisor, interaction, MonitoringEnd::CallOver);
        }
    }
}
