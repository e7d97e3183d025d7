//! Calls with more than two parties: hold, consult, conference, transfer,
//! leaving and ending (SPEC V1-V8, C2, F1-F8). The conversation of an
//! interaction lives in its record; every change is published to each agent
//! on it as one `CallChanged` event. Who may do what, and where control
//! goes, is the control table's (`model::control`), judged before any of
//! this runs; a case the judgement missed is refused here, never a panic.

use super::{Center, InteractionRecord, Place, Subject, Timer};
use crate::model::call::{Call, Consult, Invitation, Note, Party, Purpose, Target};
use crate::model::state::{CommandKind, EndedBy, EventKind, InteractionState, JoinRequest, OfferInfo, OfferOutcome, Origin};
use crate::model::{CommandError, ContactId, InteractionId, OfferId, ParticipantId, QueueId, ServerTime, UserId};
use std::collections::BTreeSet;

impl Center {
    /// Applies a call command that the rules allowed.
    pub(super) fn call_command(&mut self, now: ServerTime, user: &UserId, kind: CommandKind) -> Result<(), CommandError> {
        match kind {
            CommandKind::Hold { interaction, participant } | CommandKind::Resume { interaction, participant } => {
                let hold = matches!(kind, CommandKind::Hold { .. });
                let call = self.call_mut(interaction)?;
                let target = participant.or_else(|| call.customer().map(|c| c.id)).ok_or(CommandError::UnknownInteraction(interaction))?;
                call.set_hold(target, hold, now);
                self.publish(now, interaction);
            }
            CommandKind::Consult { interaction, target } => self.invite(now, interaction, user, target, Purpose::Consult)?,
            CommandKind::Conference { interaction, target } => self.invite(now, interaction, user, target, Purpose::Conference)?,
            CommandKind::Transfer { interaction, target } => self.blind_transfer(now, interaction, user, target)?,
            CommandKind::EndConsult { interaction } => self.end_consult(now, interaction, user)?,
            CommandKind::CompleteTransfer { interaction } => self.complete_transfer(now, interaction, user)?,
            CommandKind::StartConference { interaction } => {
                // SPEC F2: the customer comes off hold; the consulted party
                // enters the conference (talking or held, F3).
                let talk = self.profile.conferenced_parties_talk;
                let call = self.call_mut(interaction)?;
                let party = call.consult.as_ref().map(|c| c.party).ok_or(CommandError::UnknownInteraction(interaction))?;
                call.end_consult(now);
                call.resume_customer(now);
                call.set_hold(party, !talk, now);
                self.publish(now, interaction);
            }
            CommandKind::Leave { interaction } => self.agent_leaves(now, interaction, user),
            CommandKind::Dtmf { interaction, digits } => {
                // SPEC V5: the digits go into the case history.
                note(self.call_mut(interaction)?, now, user, format!("DTMF {digits}"));
                self.publish(now, interaction);
            }
            CommandKind::Record { interaction } => {
                let call = self.call_mut(interaction)?;
                call.recording = true;
                note(call, now, user, "recording started".to_owned());
                self.publish(now, interaction);
            }
            CommandKind::FollowUp { interaction, channel } => {
                let info = self.interactions.get(&interaction).ok_or(CommandError::UnknownInteraction(interaction))?.info.clone();
                note(self.call_mut(interaction)?, now, user, format!("follow-up started on {}", channel.name()));
                self.publish(now, interaction);
                let id = InteractionId(self.allocate_id());
                let limit = self.profile.conference_limit;
                self.start_interaction(now, id, user, None, info.contact, channel, Origin::FollowUp, info.queue, info.from, limit);
            }
            other => return Err(CommandError::BadArgument { command: other.name(), detail: "not a call command" }),
        }
        Ok(())
    }

    /// The simulator's dialled number answers (or not) a consult or
    /// conference request (V6: the target may decline).
    pub fn number_answers(&mut self, now: ServerTime, interaction: InteractionId, answered: bool) -> Result<(), CommandError> {
        self.handle_timeout(now);
        let talk = self.profile.conferenced_parties_talk;
        let call = self.call_mut(interaction)?;
        let Some(Invitation { target: Target::Number(number), purpose, by, resume_customer, .. }) = call.invitation.clone() else {
            // An ended call keeps its record for wrap-up, with no parties.
            let state = if call.participants.is_empty() { "wrap_up" } else { call.state().name() };
            return Err(CommandError::InvalidTransition { command: "number_answers", state });
        };
        if answered {
            call.invitation = None;
            let party = call.join(Party::Number(number), now);
            match purpose {
                Purpose::Consult => call.consult = Some(Consult { by, party, since: now, resume_customer }),
                Purpose::Conference => call.set_hold(party, !talk, now),
            }
        } else {
            call.drop_invitation(now);
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
    fn call_mut(&mut self, interaction: InteractionId) -> Result<&mut Call, CommandError> {
        self.interactions.get_mut(&interaction).map(|r| &mut r.info.call).ok_or(CommandError::UnknownInteraction(interaction))
    }

    /// Sends the conversation as it is now to every agent on it.
    pub(super) fn publish(&mut self, now: ServerTime, interaction: InteractionId) {
        let Some(record) = self.interactions.get(&interaction) else { return };
        let call = record.info.call.clone();
        let agents: Vec<UserId> = call.agents().cloned().collect();
        for agent in agents {
            self.emit(now, &agent, EventKind::CallChanged { interaction, call: call.clone() });
        }
        self.review_monitors(now, interaction);
    }

    /// Asks a target to join for a consult (the customer goes on hold) or a
    /// conference (V4, V6, C2). A queue target waits in its queue like a
    /// contact until an agent of it is free and accepts.
    fn invite(&mut self, now: ServerTime, interaction: InteractionId, by: &UserId, target: Target, purpose: Purpose) -> Result<(), CommandError> {
        let record = self.interactions.get(&interaction).ok_or(CommandError::UnknownInteraction(interaction))?;
        let (channel, from) = (record.info.channel, record.info.from.clone());
        let call = &record.info.call;
        // Agents on the call or still in wrap-up of it: never offered the request.
        let on_call: BTreeSet<UserId> = record.agents.clone();
        // A consult asked by an agent not in control puts a talking
        // conference on hold only while it lasts.
        let customer_talking = call.customer().is_some_and(|c| c.held_since.is_none());
        let resume_customer = purpose == Purpose::Consult && customer_talking && !call.controls(by);
        let request = JoinRequest { interaction, purpose, by: by.clone() };
        let queued = match &target {
            Target::Queue(queue) => Some(self.queue_join(now, queue.clone(), channel, from, request.clone(), on_call)),
            Target::Agent(_) | Target::Number(_) => None,
        };
        let call = self.call_mut(interaction)?;
        if purpose == Purpose::Consult {
            if let Some(customer) = call.customer().map(|c| c.id) {
                call.set_hold(customer, true, now);
            }
        }
        let invited = match &target {
            Target::Agent(agent) => Some(agent.clone()),
            Target::Queue(_) | Target::Number(_) => None,
        };
        call.invitation = Some(Invitation { purpose, by: by.clone(), target, since: now, offer: None, queued, resume_customer });
        if let Some(agent) = invited {
            let offer = self.offer_to_join(now, &agent, request)?;
            if let Some(invitation) = self.call_mut(interaction)?.invitation.as_mut() {
                invitation.offer = Some(offer);
            }
        }
        self.publish(now, interaction);
        Ok(())
    }

    /// Files a request to join as a contact waiting in `queue`: routing
    /// offers it like any contact, never to an agent already on the call.
    fn queue_join(&mut self, now: ServerTime, queue: QueueId, channel: crate::model::Channel, from: String, request: JoinRequest, on_call: BTreeSet<UserId>) -> ContactId {
        let id = self.new_contact(now, Some(queue), channel, from, on_call, Some(request));
        self.file_waiting(id);
        id
    }

    fn offer_to_join(&mut self, now: ServerTime, agent: &UserId, request: JoinRequest) -> Result<OfferId, CommandError> {
        let interaction = request.interaction;
        let info = self.interactions.get(&interaction).ok_or(CommandError::UnknownInteraction(interaction))?.info.clone();
        let deadline = now.plus(self.profile.channel(info.channel).offer_timeout_ms);
        let id = OfferId(self.allocate_id());
        let offer = OfferInfo {
            id,
            contact: info.contact,
            channel: info.channel,
            queue: info.queue,
            from: info.from,
            offered_at: now,
            deadline,
            join: Some(request),
        };
        self.offers.insert(id, super::OfferRecord { agent: agent.clone(), subject: Subject::Join(interaction), deadline });
        self.timers.insert((deadline, Timer::OfferDeadline(id)));
        self.emit(now, agent, EventKind::OfferCreated { offer });
        Ok(id)
    }

    /// The invited agent accepted: it joins the conversation, and for a
    /// consult talks with the initiator while the customer waits (V6); in a
    /// conference it talks or waits on hold as the profile says (F3).
    pub(super) fn join_accepted(&mut self, now: ServerTime, interaction: InteractionId, agent: &UserId) {
        let talk = self.profile.conferenced_parties_talk;
        let Some(record) = self.interactions.get_mut(&interaction) else { return };
        let Some(invitation) = record.info.call.invitation.take() else { return };
        let party = record.info.call.join(Party::Agent(agent.clone()), now);
        match invitation.purpose {
            Purpose::Consult => {
                let resume_customer = invitation.resume_customer;
                record.info.call.consult = Some(Consult { by: invitation.by, party, since: now, resume_customer });
            }
            Purpose::Conference => record.info.call.set_hold(party, !talk, now),
        }
        record.agents.insert(agent.clone());
        let mut joined = record.info.clone();
        joined.state = InteractionState::Active;
        joined.started_at = now;
        joined.state_since = now;
        self.emit(now, agent, EventKind::InteractionStarted { interaction: joined });
        self.publish(now, interaction);
    }

    /// The invited agent declined or did not answer: a request to a named
    /// agent ends (a consulting customer stays on hold, V6); a queued one
    /// waits for the next agent of its queue.
    pub(super) fn invitation_refused(&mut self, now: ServerTime, interaction: InteractionId) {
        if let Ok(call) = self.call_mut(interaction) {
            if call.drop_invitation(now).is_some() {
                self.publish(now, interaction);
            }
        }
    }

    /// Withdraws an unanswered request: its offer, or its place in a queue.
    /// Whether there was one: the call was published then.
    fn withdraw_invitation(&mut self, now: ServerTime, interaction: InteractionId) -> bool {
        let Some(invitation) = self.interactions.get(&interaction).and_then(|r| r.info.call.invitation.clone()) else { return false };
        if let Some(offer) = invitation.offer.filter(|o| self.offers.contains_key(o)) {
            self.end_offer(now, offer, OfferOutcome::Withdrawn);
        }
        if let Some(contact) = invitation.queued {
            self.withdraw_contact(now, contact);
        }
        self.invitation_refused(now, interaction);
        true
    }

    /// Ends a consult: withdraws an unanswered request, or takes the consulted
    /// party off the call, or lets the consulted agent go (V6).
    fn end_consult(&mut self, now: ServerTime, interaction: InteractionId, user: &UserId) -> Result<(), CommandError> {
        let call = &self.interactions.get(&interaction).ok_or(CommandError::UnknownInteraction(interaction))?.info.call;
        if call.invitation.is_some() {
            self.withdraw_invitation(now, interaction);
        } else if let Some(consult) = call.consult.clone() {
            if consult.by == *user {
                self.party_left(now, interaction, consult.party);
            } else {
                self.agent_leaves(now, interaction, user);
            }
        }
        Ok(())
    }

    /// SPEC V6, F5: the initiator hands its own place to the consulted party
    /// and leaves. Control and the wrap-up code go with it only if the
    /// initiator held them; a conferenced agent's transfer leaves them where
    /// they are, and the consulted party joins the conference.
    fn complete_transfer(&mut self, now: ServerTime, interaction: InteractionId, user: &UserId) -> Result<(), CommandError> {
        let talk = self.profile.conferenced_parties_talk;
        let call = self.call_mut(interaction)?;
        let party = call.consult.as_ref().map(|c| c.party).ok_or(CommandError::InvalidTransition { command: "complete_transfer", state: call.state().name() })?;
        let controller = call.controls(user);
        call.end_consult(now);
        call.resume_customer(now);
        let consulted_agent = call.participant(party).and_then(|p| p.agent()).cloned();
        match consulted_agent {
            Some(agent) if controller => call.hand_control(&agent, now),
            // A party entering a conference waits for permission to talk (F3).
            _ => call.set_hold(party, !talk && !controller, now),
        }
        note(call, now, user, "transferred after consult".to_owned());
        self.agent_leaves(now, interaction, user);
        Ok(())
    }

    /// SPEC V4: the customer goes to the target and this agent to wrap-up.
    /// An agent or queue target gets the customer through routing, an
    /// outdialled customer too: it becomes a contact then.
    fn blind_transfer(&mut self, now: ServerTime, interaction: InteractionId, user: &UserId, target: Target) -> Result<(), CommandError> {
        let record = self.interactions.get(&interaction).ok_or(CommandError::UnknownInteraction(interaction))?;
        let (channel, from, routed) = (record.info.channel, record.info.from.clone(), record.contact);
        let original_queue = routed.and_then(|c| self.contacts.get(&c)).and_then(|c| c.queue.clone());
        let destination = match &target {
            Target::Number(_) => None,
            Target::Agent(agent) => Some((original_queue, Some(agent.clone()))),
            Target::Queue(queue) => Some((Some(queue.clone()), None)),
        };
        note(self.call_mut(interaction)?, now, user, format!("transferred to {}", describe(&target)));
        if let Some((queue, directed_to)) = destination {
            let contact = match self.interactions.get_mut(&interaction).and_then(|r| r.contact.take()) {
                Some(contact) => contact,
                // An outdialled or follow-up customer had none: it becomes one.
                None => self.new_contact(now, None, channel, from, BTreeSet::new(), None),
            };
            self.requeue(contact, queue, directed_to);
        }
        self.finish_call(now, interaction, EndedBy::Agent);
        Ok(())
    }

    /// Puts a contact in line, at its original place if it had one.
    fn requeue(&mut self, id: ContactId, queue: Option<QueueId>, directed_to: Option<UserId>) {
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
        let party = self.interactions.get(&interaction).and_then(|r| r.info.call.agent_participant(agent)).map(|p| p.id);
        if let Some(party) = party {
            self.party_left(now, interaction, party);
        }
    }

    /// A participant is gone. The call ends when one participant is left or
    /// the customer and every agent are gone (F8); otherwise it goes on, in
    /// wrap-up assist if the customer left (F7). A request the leaver asked
    /// for is withdrawn.
    pub(super) fn party_left(&mut self, now: ServerTime, interaction: InteractionId, participant: ParticipantId) {
        let Some(record) = self.interactions.get(&interaction) else { return };
        let Some(party) = record.info.call.participant(participant).map(|p| p.party.clone()) else { return };
        // A request goes with the agent who asked, and with the customer:
        // no one new joins a call the customer left (F7).
        let withdrawn = match &party {
            Party::Agent(agent) => record.info.call.invitation.as_ref().is_some_and(|i| &i.by == agent),
            Party::Customer => record.info.call.invitation.is_some(),
            Party::Number(_) | Party::Supervisor(_) => false,
        };
        if withdrawn {
            self.withdraw_invitation(now, interaction);
        }
        let Some(record) = self.interactions.get_mut(&interaction) else { return };
        record.info.call.remove(participant, now);
        let by = match &party {
            Party::Customer => {
                if let Some(contact) = record.contact.take() {
                    self.remove_contact(contact);
                }
                EndedBy::Customer
            }
            Party::Agent(agent) => {
                // The leaver keeps the call as it is after it left: its
                // history, and who controls and owns it now (F4).
                let call = record.info.call.clone();
                self.emit(now, agent, EventKind::CallChanged { interaction, call });
                self.emit(now, agent, EventKind::InteractionWrapUp { interaction, since: now, by: EndedBy::Agent });
                EndedBy::Agent
            }
            Party::Number(_) | Party::Supervisor(_) => EndedBy::Customer,
        };
        if self.interactions.get(&interaction).is_some_and(|r| r.info.call.is_over()) {
            self.finish_call(now, interaction, by);
        } else {
            self.publish(now, interaction);
        }
    }

    /// Ends the conversation for everyone (V3, F8): an unanswered request is
    /// withdrawn and every agent on it goes to wrap-up.
    pub(super) fn finish_call(&mut self, now: ServerTime, interaction: InteractionId, by: EndedBy) {
        // Everyone on it keeps the call as it ended, history included (a
        // withdrawn request published it already).
        if !self.withdraw_invitation(now, interaction) {
            self.publish(now, interaction);
        }
        let Some(record) = self.interactions.get_mut(&interaction) else { return };
        let record: &mut InteractionRecord = record;
        let call = &mut record.info.call;
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
        self.review_monitors(now, interaction);
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
