//! The conversation an interaction carries, shared by every agent on it:
//! participants, who holds control, consults and conferences (SPEC V1-V8,
//! C1-C2, F1-F8). Its state is derived from its parts, so it cannot say
//! "conference" while only two parties are on it.

use super::{ContactId, OfferId, ParticipantId, QueueId, ServerTime, UserId};
use crate::codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use alloc::{string::String, vec::Vec};

/// Who a participant is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The customer the interaction is with.
    Customer,
    /// An agent of this center.
    Agent(UserId),
    /// A dialled number outside the center: no call controls (F6).
    Number(String),
    /// A supervisor who barged in (M1): takes a seat (F1), has no call controls.
    Supervisor(UserId),
}

/// One party on the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Participant {
    /// Stable within the interaction.
    pub id: ParticipantId,
    /// Who it is.
    pub party: Party,
    /// When it joined (F4: the longest-present agent takes control).
    pub joined_at: ServerTime,
    /// Since when it is on hold, if it is (V2, F3).
    pub held_since: Option<ServerTime>,
}

impl Participant {
    /// The agent, if this participant is one.
    pub fn agent(&self) -> Option<&UserId> {
        match &self.party {
            Party::Agent(agent) => Some(agent),
            _ => None,
        }
    }
}

/// Whom to bring in by consult, conference or transfer (V4, V6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A named agent.
    Agent(UserId),
    /// Whoever a queue routes to.
    Queue(QueueId),
    /// A number outside the center.
    Number(String),
}

/// Why another party is being brought in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Talk privately with the customer on hold first (V6).
    Consult,
    /// Join the conversation at once (V4 instant conference, C2).
    Conference,
}

/// A party asked to join and not yet answered (consult or conference requested).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Invitation {
    /// Consult or conference.
    pub purpose: Purpose,
    /// The agent who asked.
    pub by: UserId,
    /// Whom.
    pub target: Target,
    /// When it was asked.
    pub since: ServerTime,
    /// The offer made to a named target agent.
    pub offer: Option<OfferId>,
    /// For a queue target: the request waiting in that queue like a contact,
    /// offered in turn with its own deadline and RONA rules.
    #[serde(default)]
    pub queued: Option<ContactId>,
    /// Whether the customer comes off hold when the consult ends: it was
    /// talking when an agent not in control asked, so the conference goes on.
    #[serde(default)]
    pub resume_customer: bool,
}

/// An answered consult: the customer waits on hold while two parties talk (V6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Consult {
    /// The agent who asked for it.
    pub by: UserId,
    /// The consulted participant.
    pub party: ParticipantId,
    /// When it was answered (T3 consult timer).
    pub since: ServerTime,
    /// As [`Invitation::resume_customer`].
    #[serde(default)]
    pub resume_customer: bool,
}

/// A line of the interaction's case history (V5 DTMF digits, V7 recording).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Note {
    /// When.
    pub at: ServerTime,
    /// Who.
    pub by: UserId,
    /// What.
    pub text: String,
}

/// The state of the conversation (V1, C1, C2), derived from its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// The customer and one agent (voice: connected; digital: active).
    Connected,
    /// The customer is on hold (V2).
    OnHold,
    /// A consult was asked for and not yet answered (V6).
    ConsultRequested,
    /// The initiator talks with the consulted party; the customer waits (V6).
    Consulting,
    /// The initiator has put the consulted party on hold (V1).
    ConsultOnHold,
    /// A conference was asked for and not yet answered (C2, V4).
    ConferenceRequested,
    /// Three or more parties talk together (F2).
    Conference,
    /// The customer left; the rest go on in wrap-up assist (F7).
    CustomerLeft,
}

impl CallState {
    /// The state's wire name.
    pub fn name(self) -> &'static str {
        match self {
            CallState::Connected => "connected",
            CallState::OnHold => "on_hold",
            CallState::ConsultRequested => "consult_requested",
            CallState::Consulting => "consulting",
            CallState::ConsultOnHold => "consult_on_hold",
            CallState::ConferenceRequested => "conference_requested",
            CallState::Conference => "conference",
            CallState::CustomerLeft => "customer_left",
        }
    }
}

/// The conversation shared by every agent on an interaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Call {
    /// Who is on it now, in joining order.
    pub participants: Vec<Participant>,
    /// The agent in control: exactly one while agents remain (F3, F4).
    pub primary: Option<UserId>,
    /// The agent whose wrap-up code closes the interaction (F5).
    pub owner: UserId,
    /// Most participants at once, customer and primary included (F1).
    pub limit: u32,
    /// A party asked to join, not yet answered.
    pub invitation: Option<Invitation>,
    /// An answered consult.
    pub consult: Option<Consult>,
    /// Whether the customer has left (F7).
    pub customer_left: bool,
    /// Whether the line can record on demand (V7: SIP lines only).
    pub recordable: bool,
    /// Whether it is recording.
    pub recording: bool,
    /// The case history: DTMF digits, recording, transfers.
    pub history: Vec<Note>,
    /// Consult time so far (T5).
    pub consult_ms: u64,
    /// Next participant id.
    pub next_participant: u64,
}

impl Call {
    /// A conversation between the customer and `agent`, joined at `now`.
    pub fn new(agent: &UserId, now: ServerTime, limit: u32, recordable: bool) -> Call {
        let mut call = Call {
            participants: Vec::new(),
            primary: Some(agent.clone()),
            owner: agent.clone(),
            limit,
            invitation: None,
            consult: None,
            customer_left: false,
            recordable,
            recording: false,
            history: Vec::new(),
            consult_ms: 0,
            next_participant: 1,
        };
        call.join(Party::Customer, now);
        call.join(Party::Agent(agent.clone()), now);
        call
    }

    /// The derived state (V1, C2, F7).
    pub fn state(&self) -> CallState {
        if self.customer_left {
            CallState::CustomerLeft
        } else if let Some(invitation) = &self.invitation {
            match invitation.purpose {
                Purpose::Consult => CallState::ConsultRequested,
                Purpose::Conference => CallState::ConferenceRequested,
            }
        } else if let Some(consult) = &self.consult {
            match self.participant(consult.party).and_then(|p| p.held_since) {
                Some(_) => CallState::ConsultOnHold,
                None => CallState::Consulting,
            }
        } else if self.customer().is_some_and(|c| c.held_since.is_some()) {
            CallState::OnHold
        } else if self.parties() >= 3 {
            CallState::Conference
        } else {
            CallState::Connected
        }
    }

    /// Adds a participant; returns its id.
    pub fn join(&mut self, party: Party, now: ServerTime) -> ParticipantId {
        let id = ParticipantId(self.next_participant);
        self.next_participant += 1;
        self.participants.push(Participant { id, party, joined_at: now, held_since: None });
        id
    }

    /// The customer, while on the call.
    pub fn customer(&self) -> Option<&Participant> {
        self.participants.iter().find(|p| p.party == Party::Customer)
    }

    /// A participant by id.
    pub fn participant(&self, id: ParticipantId) -> Option<&Participant> {
        self.participants.iter().find(|p| p.id == id)
    }

    /// The party of the answered consult, while there is one.
    pub fn consulted(&self) -> Option<&Participant> {
        self.consult.as_ref().and_then(|c| self.participant(c.party))
    }

    /// Whether `agent` holds control of the call (F3).
    pub fn controls(&self, agent: &UserId) -> bool {
        self.primary.as_ref() == Some(agent)
    }

    /// Hands control and the wrap-up code to `agent` (F4, F5: they move
    /// together, so the agent in control always owns the code), taking it
    /// off hold: only the agent in control lets a held party talk, so a
    /// held one could never leave hold.
    pub fn hand_control(&mut self, agent: &UserId, now: ServerTime) {
        self.primary = Some(agent.clone());
        self.owner = agent.clone();
        if let Some(id) = self.agent_participant(agent).map(|p| p.id) {
            self.set_hold(id, false, now);
        }
    }

    /// The participant that is `agent`.
    pub fn agent_participant(&self, agent: &UserId) -> Option<&Participant> {
        self.participants.iter().find(|p| p.agent() == Some(agent))
    }

    /// The agents on the call, longest present first.
    pub fn agents(&self) -> impl Iterator<Item = &UserId> {
        self.participants.iter().filter_map(Participant::agent)
    }

    /// Whether another participant may join: under the limit (F1), counting
    /// one seat for a pending invitation, and the customer still there (F7).
    pub fn has_room(&self) -> bool {
        let seats = self.participants.len() as u32 + u32::from(self.invitation.is_some());
        !self.customer_left && seats < self.limit
    }

    /// Sets or clears a participant's hold, at `now`.
    pub fn set_hold(&mut self, id: ParticipantId, hold: bool, now: ServerTime) {
        if let Some(p) = self.participants.iter_mut().find(|p| p.id == id) {
            p.held_since = if hold { p.held_since.or(Some(now)) } else { None };
        }
    }

    /// Removes a participant. If it was the primary, control and the
    /// wrap-up code pass to the agent present longest (F4); an answered
    /// consult with it ends.
    pub fn remove(&mut self, id: ParticipantId, now: ServerTime) {
        let Some(index) = self.participants.iter().position(|p| p.id == id) else { return };
        let gone = self.participants.remove(index);
        if gone.party == Party::Customer {
            self.customer_left = true;
            // F7: the rest go on talking, and from now on there is no hold
            // control: no one may stay held, and no consult goes on (the
            // consulted party stays, as one of those talking).
            for party in &mut self.participants {
                party.held_since = None;
            }
            self.end_consult(now);
        }
        if let Some(consult) = &self.consult {
            let ended_by_initiator = gone.agent() == Some(&consult.by);
            if consult.party == id || ended_by_initiator {
                self.end_consult(now);
            }
        }
        if gone.agent().is_some() && gone.agent() == self.primary.as_ref() {
            let longest_present = self.agents().next().cloned();
            match longest_present {
                Some(longest_present) => self.hand_control(&longest_present, now),
                None => self.primary = None,
            }
        }
    }

    /// Ends an answered consult, adding its time to the total (T5); the
    /// customer comes back if the consult put a talking conference on hold.
    pub fn end_consult(&mut self, now: ServerTime) {
        if let Some(consult) = self.consult.take() {
            self.consult_ms += now.since(consult.since);
            if consult.resume_customer {
                self.resume_customer(now);
            }
        }
    }

    /// Withdraws an unanswered request, with the customer as in
    /// [`Call::end_consult`]; returns it.
    pub fn drop_invitation(&mut self, now: ServerTime) -> Option<Invitation> {
        let invitation = self.invitation.take()?;
        if invitation.resume_customer {
            self.resume_customer(now);
        }
        Some(invitation)
    }

    /// Takes the customer off hold, if it is on the call.
    pub fn resume_customer(&mut self, now: ServerTime) {
        if let Some(customer) = self.customer().map(|c| c.id) {
            self.set_hold(customer, false, now);
        }
    }

    /// Whether the conversation is over for the center (F8): one participant
    /// left, or no agent left (with the customer gone, or handed to a
    /// number that goes on outside the center).
    pub fn is_over(&self) -> bool {
        self.participants.len() <= 1 || self.agents().next().is_none()
    }

    /// The parties of the conversation: a barged-in supervisor sits at an
    /// agent's side and makes no conference of a call (M1): the agent
    /// alone with the customer may still transfer it.
    fn parties(&self) -> usize {
        self.participants.iter().filter(|p| !matches!(p.party, Party::Supervisor(_))).count()
    }
}
