//! The state of one agent as both the authority and the replica hold it, the
//! events that change it, and the commands an agent sends.
//!
//! The authority changes an agent's state only by emitting an [`Event`] and
//! applying it with [`AgentState::apply`]; a replica applies the same events
//! in the same order, so the two cannot drift apart while events are delivered.

use super::call::{Call, Purpose, Target};
use super::campaign::{OutboundOutcome, OutboundWork, RecordStatus};
use super::monitoring::{Monitoring, MonitoringEnd};
use super::{
    Channel, ContactId, InteractionId, OfferId, QueueId, RecordId, RonaCause, SecondaryId, Seq, ServerTime,
    StatusId, UserId, WrapUpCode, ParticipantId,
};
use crate::codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use super::SortedMap;
use alloc::{boxed::Box, string::String, vec::Vec};
use crate::protocol::limits::MAX_EXPIRED_OFFERS;

/// Everything the agent's desk needs to know about its own agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AgentState {
    /// The agent.
    pub agent: UserId,
    /// Whether the agent is logged in.
    pub logged_in: bool,
    /// Whether at least one session of the agent is connected (N3).
    pub connected: bool,
    /// The current status (S1).
    pub status: StatusId,
    /// When the current status began (T1).
    pub status_since: ServerTime,
    /// When the current run of idle statuses began, while idle (T2).
    pub idle_run_since: Option<ServerTime>,
    /// The secondary status, if any (S6).
    pub secondary: Option<SecondaryId>,
    /// Why the agent is in rona, while it is (O3, O4).
    pub rona_cause: Option<RonaCause>,
    /// Offers waiting for accept, oldest first.
    pub offers: Vec<OfferInfo>,
    /// Accepted work not yet done, oldest first.
    pub interactions: Vec<InteractionInfo>,
    /// Campaign records at this agent, oldest first (P2-P8).
    #[serde(default)]
    pub outbound: Vec<OutboundWork>,
    /// The media types chosen for push preview at login (P1); none: no
    /// previews.
    #[serde(default)]
    pub preview_media: Vec<Channel>,
    /// No new preview until the agent asks for one ("done and stop", or a
    /// preview left unanswered; W1, P3).
    #[serde(default)]
    pub preview_paused: bool,
    /// Where the user is, and whether others may see it (S12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Supervisors: the calls being monitored (M1-M3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitoring: Vec<Monitoring>,
    /// The offers to this agent that expired lately (O3), newest last, at
    /// most [`MAX_EXPIRED_OFFERS`]: a late accept or decline of one is
    /// refused as `offer_expired`, not as an offer it never had.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expired_offers: Vec<OfferId>,
}

/// A location a user gave, shared with others or not (S12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Location {
    /// The place, as the user wrote it.
    pub text: String,
    /// Whether other users see it.
    pub shared: bool,
}

/// A contact offered to the agent, with its server deadline (O1, O7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "Offer"))]
pub struct OfferInfo {
    /// The offer.
    pub id: OfferId,
    /// The offered contact.
    pub contact: ContactId,
    /// Its channel.
    pub channel: Channel,
    /// The queue it came from; none for a request to join an outdial.
    pub queue: Option<QueueId>,
    /// Who the customer is (caller id, chat name, address).
    pub from: String,
    /// When the offer was made.
    pub offered_at: ServerTime,
    /// When it expires and the agent goes to rona (O3).
    pub deadline: ServerTime,
    /// Set when the offer asks the agent to join a running interaction
    /// (consult or conference), not to take a new contact.
    pub join: Option<JoinRequest>,
}

/// An invitation to join a running interaction (V6, C2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct JoinRequest {
    /// The interaction.
    pub interaction: InteractionId,
    /// Consult or conference.
    pub purpose: Purpose,
    /// The agent who asks.
    pub by: UserId,
}

/// How an interaction came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Routed from a queue and accepted.
    Inbound,
    /// Placed by the agent (E4).
    Outdial,
    /// Started by the agent with the customer of another interaction (V8).
    FollowUp,
    /// The call of a campaign record (P5).
    Campaign,
}

/// Where an interaction is in its lifecycle (V3, C1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InteractionState {
    /// Connected and being worked.
    Active,
    /// Ended; the agent is choosing a wrap-up code.
    WrapUp,
}

impl InteractionState {
    /// The state's wire name.
    pub fn name(self) -> &'static str {
        match self {
            InteractionState::Active => "active",
            InteractionState::WrapUp => "wrap_up",
        }
    }
}

/// An accepted piece of work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct InteractionInfo {
    /// The interaction.
    pub id: InteractionId,
    /// The customer contact.
    pub contact: ContactId,
    /// Its channel.
    pub channel: Channel,
    /// How it came about.
    pub origin: Origin,
    /// The queue it came from, if routed.
    pub queue: Option<QueueId>,
    /// Who the customer is.
    pub from: String,
    /// Its state.
    pub state: InteractionState,
    /// When it was accepted or placed (T3 connected timer).
    pub started_at: ServerTime,
    /// When the current state began.
    pub state_since: ServerTime,
    /// The conversation, shared with every agent on it.
    pub call: Call,
    /// Whether a supervisor monitors it; set only where the profile shows
    /// monitoring to the agent (M1).
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub monitored: bool,
}

/// How an offer ended; every offer ends exactly once (O7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum OfferOutcome {
    /// The agent accepted it; an interaction starts.
    Accepted,
    /// The agent declined it; the contact goes back to its queue.
    Declined,
    /// The deadline passed; the agent goes to rona (O3).
    Expired,
    /// It could not be delivered; the agent goes to rona (O4).
    Undeliverable,
    /// The customer left, or the agent was logged out or went to rona
    /// (nothing is offered in rona, O5) before an answer.
    Withdrawn,
}

/// Who ended an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EndedBy {
    /// The agent ended it.
    Agent,
    /// The customer hung up or left.
    Customer,
}

/// Why an agent was logged out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LogoutReason {
    /// The agent logged out.
    Agent,
    /// A supervisor logged the agent out (S9).
    Supervisor,
    /// The connection stayed lost past the grace (N3).
    ConnectionLost,
}

/// A change to one agent's state, as the authority decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The agent logged in; a status change follows.
    LoggedIn,
    /// The agent was logged out; a status change precedes.
    LoggedOut {
        /// Why.
        reason: LogoutReason,
    },
    /// The status changed (S5).
    StatusChanged {
        /// The new status.
        status: StatusId,
        /// When it began.
        since: ServerTime,
        /// Its secondary status (S6).
        secondary: Option<SecondaryId>,
        /// Start of the idle run, while idle (T2).
        idle_run_since: Option<ServerTime>,
        /// Why, when the new status is rona (O3, O4).
        rona_cause: Option<RonaCause>,
    },
    /// The first session connected or the last one dropped (N3).
    ConnectionChanged {
        /// Whether any session is connected now.
        connected: bool,
    },
    /// A contact was offered to the agent.
    OfferCreated {
        /// The offer.
        offer: OfferInfo,
    },
    /// An offer ended (O7).
    OfferEnded {
        /// The offer.
        offer: OfferId,
        /// How.
        outcome: OfferOutcome,
    },
    /// An interaction started (accept or outdial).
    InteractionStarted {
        /// The interaction.
        interaction: InteractionInfo,
    },
    /// The shared conversation changed: participants, hold, consult,
    /// conference, control (V1-V8, F1-F8). Sent to every agent on it.
    CallChanged {
        /// The interaction.
        interaction: InteractionId,
        /// The conversation now.
        call: Call,
    },
    /// The agent's part in an interaction ended and entered wrap-up (V3, F4).
    InteractionWrapUp {
        /// The interaction.
        interaction: InteractionId,
        /// When wrap-up began.
        since: ServerTime,
        /// Who ended it.
        by: EndedBy,
    },
    /// An interaction was marked done and closed (V3, T5).
    InteractionDone {
        /// The interaction.
        interaction: InteractionId,
        /// The wrap-up code chosen.
        code: Option<WrapUpCode>,
        /// Total handling time from start to done, consult time included (T5).
        handling_ms: u64,
        /// The part of it spent consulting (T5).
        consult_ms: u64,
    },
    /// The media types for push preview were chosen (P1).
    PreviewMediaChosen {
        /// The media types.
        media: Vec<Channel>,
    },
    /// Pushing previews to the agent stopped or resumed (W1, P3).
    PreviewPaused {
        /// Whether it is stopped.
        paused: bool,
    },
    /// A campaign record reached the agent or changed there (P2-P8).
    OutboundChanged {
        /// The record as the agent works it now (boxed: events stay small).
        work: Box<OutboundWork>,
    },
    /// A campaign record left the agent.
    OutboundEnded {
        /// The record.
        record: RecordId,
        /// How.
        outcome: OutboundOutcome,
    },
    /// The user's location or whether it is shared changed (S12).
    LocationChanged {
        /// The location; none: not given.
        location: Option<Location>,
    },
    /// Supervisors: a monitoring started or changed (M1-M3).
    MonitoringChanged {
        /// The monitoring now (boxed: events stay small).
        monitoring: Box<Monitoring>,
    },
    /// Supervisors: a monitoring ended (M3).
    MonitoringEnded {
        /// The interaction.
        interaction: InteractionId,
        /// Why.
        reason: MonitoringEnd,
    },
    /// A supervisor started or stopped monitoring the agent's interaction
    /// (only where the profile shows it, M1).
    MonitoredChanged {
        /// The interaction.
        interaction: InteractionId,
        /// Whether it is monitored now.
        monitored: bool,
    },
}

/// A numbered, timestamped event about one agent (N2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Event {
    /// Its place in the agent's stream: 1, 2, 3... without gaps.
    pub seq: Seq,
    /// Server time when it happened.
    pub at: ServerTime,
    /// The agent it concerns.
    pub agent: UserId,
    /// What happened.
    pub kind: EventKind,
}

impl OfferInfo {
    /// When the accept action starts flashing: five seconds before the
    /// deadline, for offers whose timeout is over eight seconds (O2).
    pub fn flash_at(&self) -> Option<ServerTime> {
        (self.deadline.since(self.offered_at) > 8_000).then(|| ServerTime(self.deadline.0 - 5_000))
    }
}

impl AgentState {
    /// A logged-out, disconnected agent in the given status.
    pub fn new(agent: UserId, status: StatusId, since: ServerTime) -> AgentState {
        AgentState {
            agent,
            logged_in: false,
            connected: false,
            status,
            status_since: since,
            idle_run_since: None,
            secondary: None,
            rona_cause: None,
            offers: Vec::new(),
            interactions: Vec::new(),
            outbound: Vec::new(),
            preview_media: Vec::new(),
            preview_paused: false,
            location: None,
            monitoring: Vec::new(),
            expired_offers: Vec::new(),
        }
    }

    /// Applies one event; the only way agent state changes. Takes the event
    /// whole, so what it carries moves into the state: the browser engine
    /// then has no copying code for offers, interactions, calls and records.
    pub fn apply(&mut self, kind: EventKind) {
        match kind {
            EventKind::LoggedIn => self.logged_in = true,
            EventKind::LoggedOut { .. } => self.logged_in = false,
            EventKind::StatusChanged { status, since, secondary, idle_run_since, rona_cause } => {
                self.status = status;
                self.status_since = since;
                self.secondary = secondary;
                self.idle_run_since = idle_run_since;
                self.rona_cause = rona_cause;
            }
            EventKind::ConnectionChanged { connected } => self.connected = connected,
            EventKind::OfferCreated { offer } => {
                if self.offer(offer.id).is_none() {
                    self.offers.push(offer);
                }
            }
            EventKind::OfferEnded { offer, outcome } => {
                self.offers.retain(|o| o.id != offer);
                if outcome == OfferOutcome::Expired {
                    if self.expired_offers.len() == MAX_EXPIRED_OFFERS {
                        self.expired_offers.remove(0);
                    }
                    self.expired_offers.push(offer);
                }
            }
            EventKind::InteractionStarted { interaction } => {
                if self.interaction(interaction.id).is_none() {
                    self.interactions.push(interaction);
                }
            }
            EventKind::InteractionWrapUp { interaction, since, .. } => {
                if let Some(item) = self.interactions.iter_mut().find(|i| i.id == interaction) {
                    item.state = InteractionState::WrapUp;
                    item.state_since = since;
                }
            }
            EventKind::CallChanged { interaction, call } => {
                if let Some(item) = self.interactions.iter_mut().find(|i| i.id == interaction) {
                    item.call = call;
                }
            }
            EventKind::InteractionDone { interaction, .. } => self.interactions.retain(|i| i.id != interaction),
            EventKind::PreviewMediaChosen { media } => self.preview_media = media,
            EventKind::PreviewPaused { paused } => self.preview_paused = paused,
            EventKind::OutboundChanged { work } => match self.outbound.iter_mut().find(|w| w.record.id == work.record.id) {
                Some(held) => *held = *work,
                None => self.outbound.push(*work),
            },
            EventKind::OutboundEnded { record, .. } => self.outbound.retain(|w| w.record.id != record),
            EventKind::LocationChanged { location } => self.location = location,
            EventKind::MonitoringChanged { monitoring } => match self.monitoring.iter_mut().find(|m| m.interaction == monitoring.interaction) {
                Some(held) => *held = *monitoring,
                None => self.monitoring.push(*monitoring),
            },
            EventKind::MonitoringEnded { interaction, .. } => self.monitoring.retain(|m| m.interaction != interaction),
            EventKind::MonitoredChanged { interaction, monitored } => {
                if let Some(item) = self.interactions.iter_mut().find(|i| i.id == interaction) {
                    item.monitored = monitored;
                }
            }
        }
    }

    /// A campaign record at this agent.
    pub fn outbound_work(&self, record: RecordId) -> Option<&OutboundWork> {
        self.outbound.iter().find(|w| w.record.id == record)
    }

    /// Campaign records accepted and not done: work in progress like an
    /// interaction (a preview not yet accepted is not).
    pub fn owned_records(&self) -> usize {
        self.outbound.iter().filter(|w| w.record.status != RecordStatus::Previewing).count()
    }

    /// An open offer of this agent.
    pub fn offer(&self, id: OfferId) -> Option<&OfferInfo> {
        self.offers.iter().find(|o| o.id == id)
    }

    /// An open interaction of this agent.
    pub fn interaction(&self, id: InteractionId) -> Option<&InteractionInfo> {
        self.interactions.iter().find(|i| i.id == id)
    }

    /// Whether any interaction is open: the "Engaged" overlay (E1, E3).
    pub fn engaged(&self) -> bool {
        !self.interactions.is_empty() || self.owned_records() > 0
    }

    /// Offers plus interactions on a channel: what counts against capacity (E2).
    pub fn load(&self, channel: Channel) -> u32 {
        let offers = self.offers.iter().filter(|o| o.channel == channel).count();
        let work = self.interactions.iter().filter(|i| i.channel == channel).count();
        // A record counts on voice until its call exists; then the call does.
        let records = if channel == Channel::Voice { self.outbound.iter().filter(|w| w.interaction.is_none()).count() } else { 0 };
        (offers + work + records) as u32
    }
}

/// What an agent (or supervisor) asks the authority to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "Command"))]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    /// Log in; the status becomes the profile's login status (S2, S3).
    Login,
    /// Log out; refused while interactions are open.
    Logout,
    /// Choose a status (S5, S6, S8); also "Go idle" / "Go available" from rona (O5).
    SetStatus {
        /// The status.
        status: StatusId,
        /// Its secondary status (S6).
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        secondary: Option<SecondaryId>,
    },
    /// Accept an offer (E1).
    Accept {
        /// The offer.
        offer: OfferId,
    },
    /// Decline an offer; the contact goes back to its queue.
    Decline {
        /// The offer.
        offer: OfferId,
    },
    /// End an active interaction; it enters wrap-up (V3).
    End {
        /// The interaction.
        interaction: InteractionId,
    },
    /// Mark an interaction in wrap-up done (V3).
    Done {
        /// The interaction.
        interaction: InteractionId,
        /// The wrap-up code; required when the profile says so.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        code: Option<WrapUpCode>,
    },
    /// Place an outbound call (E4).
    Outdial {
        /// The number to dial.
        number: String,
    },
    /// Supervisor: log an agent out (S9).
    LogoutAgent {
        /// The agent.
        agent: UserId,
    },
    /// Put the customer (or, for the primary, any participant) on hold (V2, F3).
    Hold {
        /// The interaction.
        interaction: InteractionId,
        /// Whom; the customer if none.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        participant: Option<ParticipantId>,
    },
    /// Take a participant (the customer if none) off hold (V2, F3).
    Resume {
        /// The interaction.
        interaction: InteractionId,
        /// Whom; the customer if none.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        participant: Option<ParticipantId>,
    },
    /// Instant (blind) transfer: the customer goes to the target and this
    /// agent to wrap-up (V4).
    Transfer {
        /// The interaction.
        interaction: InteractionId,
        /// To whom.
        target: Target,
    },
    /// Consult a target while the customer waits on hold (V6).
    Consult {
        /// The interaction.
        interaction: InteractionId,
        /// Whom.
        target: Target,
    },
    /// Bring a target straight into the conversation (V4, C2).
    Conference {
        /// The interaction.
        interaction: InteractionId,
        /// Whom.
        target: Target,
    },
    /// End a consult, asked or answered; either side may (V6).
    EndConsult {
        /// The interaction.
        interaction: InteractionId,
    },
    /// After a consult: hand the customer to the consulted party (V6).
    CompleteTransfer {
        /// The interaction.
        interaction: InteractionId,
    },
    /// After a consult: everyone talks together, the customer off hold (F2).
    StartConference {
        /// The interaction.
        interaction: InteractionId,
    },
    /// Leave a conversation that goes on without this agent: "exit
    /// conference" for the primary (F4), leave for the others (F5).
    Leave {
        /// The interaction.
        interaction: InteractionId,
    },
    /// Send DTMF digits; they go into the case history (V5).
    Dtmf {
        /// The interaction.
        interaction: InteractionId,
        /// Digits: 0-9, * and #.
        digits: String,
    },
    /// Start recording now, where the line supports it (V7).
    Record {
        /// The interaction.
        interaction: InteractionId,
    },
    /// Start another interaction with the same customer on another channel (V8).
    FollowUp {
        /// The interaction whose customer to reach.
        interaction: InteractionId,
        /// The channel.
        channel: Channel,
    },
    /// Choose the media types for push preview; part of logging in (P1).
    PreviewMedia {
        /// The media types; none stops previews.
        media: Vec<Channel>,
    },
    /// Ask for the next preview after "done and stop" or a missed preview (W1).
    GetRecord,
    /// Accept a pushed preview: the record is this agent's (P3).
    AcceptPreview {
        /// The record.
        record: RecordId,
    },
    /// Reject a pushed preview: back to the top of the list, a callback to
    /// another agent (P3, W7).
    RejectPreview {
        /// The record.
        record: RecordId,
    },
    /// Connect: dial the active number, or `number` (an edited one, P4).
    Dial {
        /// The record.
        record: RecordId,
        /// The number to dial instead of the active one.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        number: Option<String>,
    },
    /// Before dialling: back to the list, ownership released (P4).
    CancelRecord {
        /// The record.
        record: RecordId,
    },
    /// Hand the record to another agent of the campaign (P4, P6).
    TransferRecord {
        /// The record.
        record: RecordId,
        /// The agent.
        agent: UserId,
    },
    /// Change custom fields of the record (P4, P5).
    EditRecord {
        /// The record.
        record: RecordId,
        /// Field names and their new values.
        #[cfg_attr(test, ts(as = "std::collections::BTreeMap<String, String>"))]
        fields: SortedMap<String, String>,
    },
    /// Add a chained record: another number of the contact (P4-P6).
    AddChained {
        /// The record.
        record: RecordId,
        /// The number.
        number: String,
    },
    /// Make another chained record the active one (P4, P6).
    SetActive {
        /// The record.
        record: RecordId,
        /// Its position in the chain, from 0.
        index: u32,
    },
    /// Save the record to the calling list now (P4, P5).
    UpdateRecord {
        /// The record.
        record: RecordId,
    },
    /// Set a callback (W2).
    Reschedule {
        /// The record.
        record: RecordId,
        /// When (server milliseconds, UTC).
        at: ServerTime,
        /// Another number to call then.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        number: Option<String>,
        /// A personal callback (this agent) rather than a campaign one.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        personal: bool,
    },
    /// Cancel the callback (W3).
    CancelReschedule {
        /// The record.
        record: RecordId,
    },
    /// Choose the call result (P6).
    CallResult {
        /// The record.
        record: RecordId,
        /// One of the campaign's results.
        result: String,
    },
    /// Mark the contact do-not-call in every campaign (P6).
    DoNotCall {
        /// The record.
        record: RecordId,
    },
    /// Mark done; with `stop`, no next preview until asked (P7, W1).
    MarkDone {
        /// The record.
        record: RecordId,
        /// Done and stop.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        stop: bool,
    },
    /// The user is at the page: input was seen (S11). Any command counts
    /// as input too; this one is for a user who only reads.
    Present,
    /// Give a location and choose whether others see it (S12).
    SetLocation {
        /// The place; none clears it.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        text: Option<String>,
        /// Whether other users see it.
        #[serde(default)]
        #[cfg_attr(test, ts(optional = nullable))]
        shared: bool,
    },
    /// Replace the users whose presence this one follows besides its teams (S12).
    SetFavourites {
        /// The users.
        users: Vec<UserId>,
    },
    /// Supervisor: start silent monitoring of an agent's call (M1, M2).
    Monitor {
        /// The interaction.
        interaction: InteractionId,
        /// The agent on it to monitor through.
        agent: UserId,
    },
    /// Supervisor: pause a monitoring (M1).
    PauseMonitoring {
        /// The interaction.
        interaction: InteractionId,
    },
    /// Supervisor: resume a paused monitoring (M1).
    ResumeMonitoring {
        /// The interaction.
        interaction: InteractionId,
    },
    /// Supervisor: join the monitored call and talk (M1, M2).
    BargeIn {
        /// The interaction.
        interaction: InteractionId,
    },
    /// Supervisor: stop monitoring and leave the call.
    StopMonitoring {
        /// The interaction.
        interaction: InteractionId,
    },
}

impl CommandKind {
    /// The command's wire name, used in error messages.
    pub fn name(&self) -> &'static str {
        self.action().name()
    }
}

/// The authority's answer to a command (N1): the number, in the stream of the
/// agent it acted on, of the last event it caused (or the latest one, if it
/// changed nothing), or a refusal.
pub type Reply = Result<Seq, super::error::Refusal>;
