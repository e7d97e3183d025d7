//! Calls with more than two parties: hold, consult, conference, transfer,
//! leaving and ending (SPEC V2-V8, C2, F1-F8). The conversation of an
//! interaction lives in its record; every change is published to each agent
//! on it as one `CallChanged` event.

use super::{Center, InteractionRecord, Place, Subject, Timer};
use crate::model::call::{Call, Consult, Invitation, Note, Party, Purpose, Target};
use crate::model::state::{CommandKind, EndedBy, EventKind, InteractionState, JoinRequest, OfferInfo, Origin};
use crate::model::{Channel, CommandError, ContactId, InteractionId, OfferId, ParticipantId, QueueId, ServerTime, UserId};

impl Center {
    /// Applies a call command that the shared rules already allowed.
    pub(super) fn call_command(&mut self, now: ServerTime, user: &UserId, kind: CommandKind) -> Result<(), CommandError> {
        match kind {
            CommandKind::Hold { interaction, participant } | CommandKind::Resume { interaction, participant } => {
                let hold = matches!(kind, CommandKind::Hold { .. });
                let call = self.call_mut(interaction);
                if let Some(target) = participant.or_else(|| call.customer().map(|c| c.id)) {
                    call.set_hold(target, hold, now);
                }
                self.publish(now, interaction);
            }
            CommandKind::Consult { interaction, target } => self.invite(now, interaction, user, target, Purpose::Consult)?,
            CommandKind::Conference { interaction, target } => self.invite(now, interaction, user, target, Purpose::Conference)?,
            CommandKind::Transfer { interaction, target } => self.blind_transfer(now, interaction, user, target)?,
            CommandKind::EndConsult { interaction } => self.end_consult(now, interaction, user),
            CommandKind::CompleteTransfer { interaction } => {
                let call = self.call_mut(interaction);
                let party = call.consult.as_ref().map(|c| c.party).expect("rules checked the consult");
                call.end_consult(now);
                if let Some(customer) = call.customer().map(|c| c.id) {
                    call.set_hold(customer, false, now);
                }
                if let Some(agent) = call.participant(party).and_then(|p| p.agent()).cloned() {
                    // The consulted agent takes the customer: control and the wrap-up code.
                    call.primary = Some(agent.clone());
                    call.owner = agent;
                }
                note(call, now, user, "transferred after consult".to_owned());
                self.agent_leaves(now, interaction, user);
            }
            CommandKind::StartConference { interaction } => {
                // SPEC F2: the customer comes off hold and everyone hears each other.
                let call = self.call_mut(interaction);
                call.end_consult(now);
                if let Some(customer) = call.customer().map(|c| c.id) {
                    call.set_hold(customer, false, now);
                }
                self.publish(now, interaction);
            }
            CommandKind::Leave { interaction } => self.agent_leaves(now, interaction, user),
            CommandKind::Dtmf { interaction, digits } => {
                // SPEC V5: the digits go into the case history.
                note(self.call_mut(interaction), now, user, format!("DTMF {digits}"));
                self.publish(now, interaction);
            }
            CommandKind::Record { interaction } => {
                let call = self.call_mut(interaction);
                call.recording = true;
                note(call, now, user, "recording started".to_owned());
                self.publish(now, interaction);
            }
            CommandKind::FollowUp { interaction, channel } => {
                let info = self.interactions[&interaction].info.clone();
                note(self.call_mut(interaction), now, user, format!("follow-up started on {}", channel.name()));
                self.publish(now, interaction);
                let id = InteractionId(self.allocate_id());
                self.start_interaction(now, id, user, None, info.contact, channel, Origin::FollowUp, info.queue, info.from);
            }
            other => return Err(CommandError::BadArgument { command: other.name(), detail: "not a call command" }),
        }
        Ok(())
    }

    /// The simulator's dialled number answers (or not) a consult or
    /// conference request (V6: the target may decline).
    pub fn number_answers(&mut self, now: ServerTime, interaction: InteractionId, answered: bool) -> Result<(), CommandError> {
        self.handle_timeout(now);
        let call = &self.interactions.get(&interaction).ok_or(CommandError::UnknownInteraction(interaction))?.info.call;
        let Some(invitation) = call.invitation.clone().filter(|i| matches!(i.target, Target::Number(_))) else {
            return Err(CommandError::InvalidTransition { command: "number_answers", state: call.state().name() });
        };
        let call = self.call_mut(interaction);
        call.invitation = None;
        if answered {
            if let Target::Number(number) = invitation.target {
                let party = call.join(Party::Number(number), now);
                if invitation.purpose == Purpose::Consult {
                    call.consult = Some(Consult { by: invitation.by, party, since: now });
                }
            }
        }
        self.publish(now, interaction);
        self.route(now);
        Ok(())
    }

    /// A party outside the center (the customer or a dialled number) hangs
    /// up (F7, F8). Agents leave with their own commands.
    pub fn party_hangs_up(&mut self, now: ServerTime, interaction: InteractionId, participant: ParticipantId) -> Result<(), CommandError> {
        self.handle_timeout(now);
        let call = &self.interactions.get(&interaction).ok_or(CommandError::UnknownInteraction(interaction))?.info.call;
        let party = call.participant(participant).ok_or(CommandError::UnknownParticipant(participant))?;
        if party.agent().is_some() {
            return Err(CommandError::BadArgument { command: "party_hangs_up", detail: "agents leave with their own commands" });
        }
        self.party_left(now, interaction, participant);
        self.route(now);
        Ok(())
    }

    /// The authoritative conversation of an open interaction.
    fn call_mut(&mut self, interaction: InteractionId) -> &mut Call {
        &mut self.interactions.get_mut(&interaction).expect("callers pass open interactions").info.call
    }

    /// Sends the conversation as it is now to every agent on it.
    fn publish(&mut self, now: ServerTime, interaction: InteractionId) {
        let call = self.interactions[&interaction].info.call.clone();
        let agents: Vec<UserId> = call.agents().cloned().collect();
        for agent in agents {
            self.emit(now, &agent, EventKind::CallChanged { interaction, call: call.clone() });
        }
    }

    /// Asks a target to join for a consult (the customer goes on hold) or a
    /// conference (V4, V6, C2).
    fn invite(&mut self, now: ServerTime, interaction: InteractionId, by: &UserId, target: Target, purpose: Purpose) -> Result<(), CommandError> {
        let channel = self.interactions[&interaction].info.channel;
        let on_call: Vec<UserId> = self.interactions[&interaction].info.call.agents().cloned().collect();
        let invited = match &target {
            Target::Agent(agent) if on_call.contains(agent) => return Err(CommandError::TargetUnavailable),
            Target::Agent(agent) => Some(self.ready_for(agent, channel).ok_or(CommandError::TargetUnavailable)?),
            Target::Queue(queue) => Some(self.longest_ready_in(queue, channel, &on_call)?),
            Target::Number(_) => None,
        };
        let call = self.call_mut(interaction);
        if purpose == Purpose::Consult {
            if let Some(customer) = call.customer().map(|c| c.id) {
                call.set_hold(customer, true, now);
            }
        }
        call.invitation = Some(Invitation { purpose, by: by.clone(), target, since: now, offer: None });
        if let Some(agent) = invited {
            let offer = self.offer_to_join(now, interaction, &agent, purpose, by);
            if let Some(invitation) = self.call_mut(interaction).invitation.as_mut() {
                invitation.offer = Some(offer);
            }
        }
        self.publish(now, interaction);
        Ok(())
    }

    /// The agent, if it could take a new piece of work on `channel` now.
    fn ready_for(&self, agent: &UserId, channel: Channel) -> Option<UserId> {
        let record = self.agents.get(agent)?;
        self.can_take(record, channel).then(|| agent.clone())
    }

    /// The agent ready longest that could take work on `channel`, other than
    /// those already on the call.
    fn longest_ready_in(&self, queue: &QueueId, channel: Channel, exclude: &[UserId]) -> Result<UserId, CommandError> {
        if !self.queues.contains_key(queue) {
            return Err(CommandError::UnknownQueue(queue.clone()));
        }
        self.longest_ready(channel, exclude).ok_or(CommandError::TargetUnavailable)
    }

    fn offer_to_join(&mut self, now: ServerTime, interaction: InteractionId, agent: &UserId, purpose: Purpose, by: &UserId) -> OfferId {
        let id = OfferId(self.allocate_id());
        let info = &self.interactions[&interaction].info;
        let deadline = now.plus(self.profile.channel(info.channel).offer_timeout_ms);
        let offer = OfferInfo {
            id,
            contact: info.contact,
            channel: info.channel,
            queue: info.queue.clone(),
            from: info.from.clone(),
            offered_at: now,
            deadline,
            join: Some(JoinRequest { interaction, purpose, by: by.clone() }),
        };
        self.offers.insert(id, super::OfferRecord { agent: agent.clone(), subject: Subject::Join(interaction), deadline });
        self.timers.insert((deadline, Timer::OfferDeadline(id)));
        self.emit(now, agent, EventKind::OfferCreated { offer });
        id
    }

    /// The invited agent accepted: it joins the conversation, and for a
    /// consult talks with the initiator while the customer waits (V6).
    pub(super) fn join_accepted(&mut self, now: ServerTime, interaction: InteractionId, agent: &UserId) {
        let record = self.interactions.get_mut(&interaction).expect("join offers end when their interaction does");
        let Some(invitation) = record.info.call.invitation.take() else { return };
        let party = record.info.call.join(Party::Agent(agent.clone()), now);
        if invitation.purpose == Purpose::Consult {
            record.info.call.consult = Some(Consult { by: invitation.by, party, since: now });
        }
        record.agents.insert(agent.clone());
        let mut joined = record.info.clone();
        joined.state = InteractionState::Active;
        joined.started_at = now;
        joined.state_since = now;
        self.emit(now, agent, EventKind::InteractionStarted { interaction: joined });
        self.publish(now, interaction);
    }

    /// The invited party declined, did not answer, or the request was
    /// withdrawn; a consulting customer stays on hold (V6).
    pub(super) fn invitation_refused(&mut self, now: ServerTime, interaction: InteractionId) {
        if let Some(record) = self.interactions.get_mut(&interaction) {
            if record.info.call.invitation.take().is_some() {
                self.publish(now, interaction);
            }
        }
    }

    /// Ends a consult: withdraws an unanswered request, or takes the consulted
    /// party off the call, or lets the consulted agent go (V6).
    fn end_consult(&mut self, now: ServerTime, interaction: InteractionId, user: &UserId) {
        let call = &self.interactions[&interaction].info.call;
        if let Some(invitation) = call.invitation.clone() {
            match invitation.offer {
                Some(offer) => {
                    self.end_offer(now, offer, crate::model::state::OfferOutcome::Withdrawn);
                }
                None => self.invitation_refused(now, interaction),
            }
        } else if let Some(consult) = call.consult.clone() {
            if consult.by == *user {
                self.party_left(now, interaction, consult.party);
            } else {
                self.agent_leaves(now, interaction, user);
            }
        }
    }

    /// SPEC V4: the customer goes to the target and this agent to wrap-up.
    /// An agent or queue target gets the customer through routing.
    fn blind_transfer(&mut self, now: ServerTime, interaction: InteractionId, user: &UserId, target: Target) -> Result<(), CommandError> {
        let record = &self.interactions[&interaction];
        let channel = record.info.channel;
        let (queue, directed_to) = match &target {
            Target::Number(_) => (None, None),
            Target::Agent(agent) => {
                self.ready_for(agent, channel).ok_or(CommandError::TargetUnavailable)?;
                (record.contact.and_then(|c| self.contacts.get(&c)).map(|c| c.queue.clone()), Some(agent.clone()))
            }
            Target::Queue(queue) if !self.queues.contains_key(queue) => return Err(CommandError::UnknownQueue(queue.clone())),
            Target::Queue(queue) => (Some(queue.clone()), None),
        };
        if !matches!(target, Target::Number(_)) && record.contact.is_none() {
            return Err(CommandError::BadArgument { command: "transfer", detail: "an outdialled call can be transferred to a number only" });
        }
        note(self.call_mut(interaction), now, user, format!("transferred to {}", describe(&target)));
        if let Some(queue) = queue {
            if let Some(contact) = self.interactions.get_mut(&interaction).and_then(|r| r.contact.take()) {
                self.requeue(contact, queue, directed_to);
            }
        }
        self.finish_call(now, interaction, EndedBy::Agent);
        Ok(())
    }

    /// Puts a connected contact back in line at its original place.
    fn requeue(&mut self, id: ContactId, queue: QueueId, directed_to: Option<UserId>) {
        if let Some(contact) = self.contacts.get_mut(&id) {
            contact.place = Place::Waiting;
            contact.queue = queue;
            contact.directed_to = directed_to;
            self.file_waiting(id);
        }
    }

    /// An agent leaves a conversation that goes on: "exit conference" for
    /// the primary, whose control passes to the agent present longest (F4),
    /// leave for the others (F5). Its part goes to wrap-up.
    fn agent_leaves(&mut self, now: ServerTime, interaction: InteractionId, agent: &UserId) {
        if let Some(party) = self.interactions[&interaction].info.call.agent_participant(agent).map(|p| p.id) {
            self.party_left(now, interaction, party);
        }
    }

    /// A participant is gone. The call ends when one participant is left or
    /// the customer and every agent are gone (F8); otherwise it goes on, in
    /// wrap-up assist if the customer left (F7).
    pub(super) fn party_left(&mut self, now: ServerTime, interaction: InteractionId, participant: ParticipantId) {
        let record = self.interactions.get_mut(&interaction).expect("callers pass open interactions");
        let Some(party) = record.info.call.participant(participant).map(|p| p.party.clone()) else { return };
        if let Party::Agent(agent) = &party {
            // The leaver keeps the call as it was when it left, history included.
            let call = record.info.call.clone();
            self.emit(now, agent, EventKind::CallChanged { interaction, call });
        }
        let record = self.interactions.get_mut(&interaction).expect("callers pass open interactions");
        record.info.call.remove(participant, now);
        let by = match &party {
            Party::Customer => {
                if let Some(contact) = record.contact.take() {
                    self.remove_contact(contact);
                }
                EndedBy::Customer
            }
            Party::Agent(agent) => {
                self.emit(now, agent, EventKind::InteractionWrapUp { interaction, since: now, by: EndedBy::Agent });
                EndedBy::Agent
            }
            Party::Number(_) => EndedBy::Customer,
        };
        if self.interactions[&interaction].info.call.is_over() {
            self.finish_call(now, interaction, by);
        } else {
            self.publish(now, interaction);
        }
    }

    /// Ends the conversation for everyone (V3, F8): an unanswered request is
    /// withdrawn and every agent on it goes to wrap-up.
    pub(super) fn finish_call(&mut self, now: ServerTime, interaction: InteractionId, by: EndedBy) {
        // Everyone on it keeps the call as it ended, history included.
        self.publish(now, interaction);
        let offer = self.interactions[&interaction].info.call.invitation.as_ref().and_then(|i| i.offer);
        if let Some(offer) = offer.filter(|o| self.offers.contains_key(o)) {
            self.end_offer(now, offer, crate::model::state::OfferOutcome::Withdrawn);
        }
        let record: &mut InteractionRecord = self.interactions.get_mut(&interaction).expect("callers pass open interactions");
        let call = &mut record.info.call;
        call.invitation = None;
        call.end_consult(now);
        let agents: Vec<UserId> = call.agents().cloned().collect();
        call.participants.clear();
        call.primary = None;
        if let Some(contact) = record.contact.take() {
            self.remove_contact(contact);
        }
        for agent in agents {
            self.emit(now, &agent, EventKind::InteractionWrapUp { interaction, since: now, by });
        }
    }
}

fn note(call: &mut Call, at: ServerTime, by: &UserId, text: String) {
    call.history.push(Note { at, by: by.clone(), text });
}

fn describe(target: &Target) -> String {
    match target {
        Target::Agent(agent) => format!("agent {agent}"),
        Target::Queue(queue) => format!("queue {queue}"),
        Target::Number(number) => number.clone(),
    }
}
