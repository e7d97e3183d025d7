//! The authority, sans-IO: queues, routing, offers and RONA, sessions and the
//! reconnect grace, and the interaction lifecycle.
//!
//! The host feeds it inputs with the current server time (`command`,
//! `connect`, `disconnect`, `enqueue_contact`, ...), drains [`Center::poll_event`]
//! and sleeps until [`Center::poll_timeout`], then calls
//! [`Center::handle_timeout`]. Every input first fires the timers that are due,
//! so a late call never lets an expired offer be accepted. Agent state changes
//! only through events applied with [`AgentState::apply`], the same function
//! the replica uses.

use crate::model::error::Refusal;
use crate::model::profile::AfterGrace;
use crate::model::rules::{self, Judge, Seen, World};
use crate::model::state::{
    CommandKind, EndedBy, Event, EventKind, InteractionInfo, InteractionState, JoinRequest, LogoutReason, OfferInfo,
    OfferOutcome, Origin, Reply,
};
use crate::model::campaign::Campaign;
use crate::model::directory::Directory;
use crate::model::state::Location;
use crate::model::{
    Actor, AgentState, CampaignId, Channel, CommandError, CommandId, ContactId, InteractionId, OfferId, Profile, QueueId,
    RecordId, RonaCause, SecondaryId, Seq, ServerTime, SessionId, StatusId, UserId,
};
use crate::model::call::Call;
use crate::protocol::limits::MAX_LIVE_CONTACTS;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

mod calls;
mod directory;
mod input;
mod monitoring;
mod outbound;
mod persist;
mod presence;
mod replies;
mod roster;
mod routing;
mod sim_state;

pub use input::{Applied, Input, Outcome};
pub use outbound::{ListWrite, DIAL_TIMEOUT_MS, REMEMBERED_STALE};
pub use replies::{REMEMBERED_ACKS, REMEMBERED_ID_BYTES};
pub use roster::{RosterHub, RosterSessions, ROSTER_LOG};
pub use sim_state::{ContactPlace, SimState, WaitingContact};

/// The authority over agents, queues, offers and interactions.
///
/// It serialises to its state only; loading derives the indexes again
/// (`persist.rs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "persist::Persisted")]
pub struct Center {
    profile: Profile,
    queues: BTreeMap<QueueId, Queue>,
    contacts: BTreeMap<ContactId, Contact>,
    agents: BTreeMap<UserId, AgentRecord>,
    sessions: BTreeMap<SessionId, UserId>,
    /// Open sessions per user: whether a user is connected without a scan.
    #[serde(skip)]
    connections: BTreeMap<UserId, usize>,
    offers: BTreeMap<OfferId, OfferRecord>,
    interactions: BTreeMap<InteractionId, InteractionRecord>,
    timers: BTreeSet<(ServerTime, Timer)>,
    replies: replies::Remembered,
    next_id: u64,
    next_arrival: u64,
    /// Outbound campaigns (their calling lists live with the host).
    campaigns: BTreeMap<CampaignId, Campaign>,
    /// Records that went stale lately, oldest first (P8).
    stale: VecDeque<RecordId>,
    /// Teams, queue memberships, favourites, default phones.
    directory: Directory,
    /// Directory changes since built or loaded (see `directory_changes`).
    #[serde(skip)]
    directory_changes: u64,
    /// Whether routing follows memberships (derived from the directory).
    #[serde(skip)]
    membership_routing: bool,
    /// Which agent each record at an agent is at (derived on load).
    #[serde(skip)]
    outbound: BTreeMap<RecordId, UserId>,
    /// Changes for the calling lists, not yet taken by the host.
    #[serde(skip)]
    list_writes: VecDeque<outbound::ListWrite>,
    #[serde(skip)]
    events: VecDeque<Event>,
    #[serde(skip)]
    index: routing::RoutingIndex,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Queue {
    /// Waiting contacts by arrival number: re-inserting a contact under its own
    /// number puts it back at its original position (O3).
    waiting: BTreeMap<u64, ContactId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Contact {
    /// Its queue; none for an outdialled customer transferred to an agent.
    queue: Option<QueueId>,
    channel: Channel,
    from: String,
    arrival: u64,
    place: Place,
    /// Agents who declined it; routing passes them over until an offer's
    /// time after the last decline.
    declined_by: BTreeSet<UserId>,
    /// After a blind transfer to an agent, only that agent is offered it (V4).
    #[serde(default)]
    directed_to: Option<UserId>,
    /// When it arrived: the wait timer of the queue tiles.
    #[serde(default)]
    arrived_at: ServerTime,
    /// Set when this is not a customer but a request to join a running
    /// interaction, waiting in a queue (V6 consult or V4 conference to a queue).
    #[serde(default)]
    join: Option<JoinRequest>,
}

/// Where a live contact is; exactly one place at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// Waiting in its queue.
    Waiting,
    /// Offered to an agent.
    Offered(OfferId),
    /// Connected to an agent in an active interaction.
    Connected(InteractionId),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct AgentRecord {
    state: AgentState,
    /// The last event number of this agent's stream (N2).
    seq: Seq,
    /// When the agent last became ready for work: longest-available routing.
    ready_since: ServerTime,
    /// When the grace for a lost connection ends (N3).
    grace_until: Option<ServerTime>,
    /// Log in again on the next connection (N3, after-grace policy).
    login_on_connect: bool,
    /// When auto-away is due, while its timer is armed (S11).
    #[serde(default)]
    auto_away_at: Option<ServerTime>,
    /// The status auto-away replaced, while it holds (S11).
    #[serde(default)]
    away_from: Option<(StatusId, Option<SecondaryId>)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OfferRecord {
    agent: UserId,
    subject: Subject,
    deadline: ServerTime,
}

/// What an offer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Subject {
    /// A waiting contact, routed from its queue.
    Contact(ContactId),
    /// A request to join a running interaction (consult, conference).
    Join(InteractionId),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct InteractionRecord {
    /// The interaction as a newly joining agent gets it; its `call` is the
    /// authoritative conversation.
    info: InteractionInfo,
    /// The routed contact while the customer is on; none for outdials.
    contact: Option<ContactId>,
    /// Agents whose part is not done yet: on the call or in wrap-up.
    agents: BTreeSet<UserId>,
    /// Supervisors monitoring it (M1-M3).
    #[serde(default)]
    monitors: BTreeSet<UserId>,
}

/// Timers are data: armed on entering a state, cancelled on leaving it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
enum Timer {
    OfferDeadline(OfferId),
    ReconnectGrace(UserId),
    PreviewDeadline(RecordId),
    DialTimeout(RecordId),
    RecordStale(RecordId),
    AutoAway(UserId),
    /// The agents who declined a contact may be offered it again.
    DeclinesLapse(ContactId),
}

impl Center {
    /// A center with the given profile and queues, no agents and no contacts.
    pub fn new(profile: Profile, queues: impl IntoIterator<Item = QueueId>) -> Center {
        Center {
            profile,
            queues: queues.into_iter().map(|q| (q, Queue::default())).collect(),
            contacts: BTreeMap::new(),
            agents: BTreeMap::new(),
            sessions: BTreeMap::new(),
            connections: BTreeMap::new(),
            offers: BTreeMap::new(),
            interactions: BTreeMap::new(),
            timers: BTreeSet::new(),
            replies: replies::Remembered::default(),
            next_id: 1,
            next_arrival: 1,
            campaigns: BTreeMap::new(),
            stale: VecDeque::new(),
            directory: Directory::default(),
            directory_changes: 0,
            membership_routing: false,
            outbound: BTreeMap::new(),
            list_writes: VecDeque::new(),
            events: VecDeque::new(),
            index: routing::RoutingIndex::default(),
        }
    }

    /// The profile in force.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The state of an agent the center has seen, as its replicas hold it.
    pub fn agent(&self, user: &UserId) -> Option<&AgentState> {
        self.agents.get(user).map(|a| &a.state)
    }

    /// Every agent the center has seen.
    pub fn agents(&self) -> impl Iterator<Item = &AgentState> {
        self.agents.values().map(|a| &a.state)
    }

    /// The state a replica of `user` starts from: the agent's state, or a
    /// logged-out one if the center has never seen the user.
    pub fn snapshot(&self, user: &UserId, now: ServerTime) -> AgentState {
        self.agent(user)
            .cloned()
            .unwrap_or_else(|| AgentState::new(user.clone(), self.profile.offline_status.clone(), now))
    }

    /// The number of the last event in `user`'s stream (zero before any).
    /// Each agent's events are numbered 1, 2, 3... without gaps, so a replica
    /// can tell a missed event from a repeated one (N2).
    pub fn last_seq(&self, user: &UserId) -> Seq {
        self.agents.get(user).map_or(Seq(0), |a| a.seq)
    }

    /// The queues, in id order.
    pub fn queues(&self) -> impl Iterator<Item = &QueueId> {
        self.queues.keys()
    }

    /// The contacts waiting in a queue, first in line first.
    pub fn waiting(&self, queue: &QueueId) -> Vec<ContactId> {
        self.queues.get(queue).map(|q| q.waiting.values().copied().collect()).unwrap_or_default()
    }

    /// Where a live contact is; `None` once it has left (hung up or ended).
    pub fn contact_place(&self, contact: ContactId) -> Option<Place> {
        self.contacts.get(&contact).map(|c| c.place)
    }

    /// The next event to deliver, oldest first.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The earliest armed deadline; call [`Center::handle_timeout`] then.
    pub fn poll_timeout(&self) -> Option<ServerTime> {
        self.timers.first().map(|(at, _)| *at)
    }

    /// Fires every timer due at `now`; harmless when none is.
    pub fn handle_timeout(&mut self, now: ServerTime) {
        while let Some((at, _)) = self.timers.first() {
            if *at > now {
                break;
            }
            let Some((at, timer)) = self.timers.pop_first() else { break };
            match timer {
                Timer::OfferDeadline(offer) => self.expire_offer(at, offer),
                Timer::ReconnectGrace(user) => self.grace_over(at, &user),
                Timer::PreviewDeadline(record) => self.preview_expired(at, record),
                Timer::DialTimeout(record) => self.dial_timed_out(at, record),
                Timer::RecordStale(record) => self.record_went_stale(at, record),
                Timer::AutoAway(user) => self.auto_away_due(at, &user),
                Timer::DeclinesLapse(contact) => {
                    if let Some(contact) = self.contacts.get_mut(&contact) {
                        contact.declined_by.clear();
                    }
                }
            }
        }
        self.route(now);
    }

    /// Applies a command from `actor` once (N1): a repeated `id` that was
    /// acked gets the same ack again and changes nothing. A refused command
    /// changed nothing, so its repeat is judged again (`replies.rs`).
    pub fn command(&mut self, now: ServerTime, actor: &Actor, id: CommandId, kind: CommandKind) -> Reply {
        self.command_once(now, actor, id, kind).0
    }

    /// [`Center::command`], and whether the id was a remembered repeat.
    fn command_once(&mut self, now: ServerTime, actor: &Actor, id: CommandId, kind: CommandKind) -> (Reply, bool) {
        self.handle_timeout(now);
        if let Some(seq) = self.replies.find(&actor.user, &id) {
            return (Ok(seq), true);
        }
        let executed = self.execute(now, actor, kind);
        if executed.is_ok() {
            // Any command the user sends is input at the page (S11).
            self.input_seen(now, &actor.user);
        }
        let reply = executed.map(|subject| self.last_seq(&subject)).map_err(Refusal::from);
        if let Ok(seq) = reply {
            self.replies.remember(&actor.user, id, seq);
        }
        self.route(now);
        (reply, false)
    }

    /// A session of `user` connected (a tab or device, N4); ends the grace of
    /// a lost connection (N3).
    pub fn connect(&mut self, now: ServerTime, session: SessionId, user: &UserId) {
        self.handle_timeout(now);
        self.agent_entry(now, user);
        let first = !self.is_connected(user);
        if self.sessions.insert(session, user.clone()).is_none() {
            *self.connections.entry(user.clone()).or_default() += 1;
        }
        if first {
            if let Some(until) = self.agents.get_mut(user).and_then(|a| a.grace_until.take()) {
                self.timers.remove(&(until, Timer::ReconnectGrace(user.clone())));
            }
            self.emit(now, user, EventKind::ConnectionChanged { connected: true });
            let login_again = self.agents.get_mut(user).is_some_and(|r| std::mem::take(&mut r.login_on_connect) && !r.state.logged_in);
            if login_again {
                self.log_in(now, user);
            }
        }
        self.route(now);
    }

    /// A session ended. When it was the user's last, others see the agent
    /// offline at once and the reconnect grace starts (N3).
    pub fn disconnect(&mut self, now: ServerTime, session: SessionId) {
        self.handle_timeout(now);
        let Some(user) = self.sessions.remove(&session) else { return };
        if let Some(open) = self.connections.get_mut(&user) {
            *open -= 1;
            if *open > 0 {
                return;
            }
            self.connections.remove(&user);
        }
        self.emit(now, &user, EventKind::ConnectionChanged { connected: false });
        let grace = self.profile.reconnect_grace_ms;
        let Some(record) = self.agents.get_mut(&user) else { return };
        if record.state.logged_in {
            let until = now.plus(grace);
            record.grace_until = Some(until);
            self.timers.insert((until, Timer::ReconnectGrace(user)));
        }
    }

    /// The sessions the center counts as connected.
    pub fn sessions(&self) -> impl Iterator<Item = SessionId> + '_ {
        self.sessions.keys().copied()
    }

    /// Whether any session of `user` is connected.
    pub fn is_connected(&self, user: &UserId) -> bool {
        self.connections.contains_key(user)
    }

    /// A customer contact arrives on a queue (the phone network or a chat
    /// widget; the simulator in the demo).
    pub fn enqueue_contact(&mut self, now: ServerTime, queue: &QueueId, channel: Channel, from: &str) -> Result<ContactId, CommandError> {
        self.handle_timeout(now);
        if !self.queues.contains_key(queue) {
            return Err(CommandError::UnknownQueue(queue.clone()));
        }
        if self.contacts.len() >= MAX_LIVE_CONTACTS {
            return Err(CommandError::BadArgument { command: "enqueue_contact", detail: "the center holds as many live contacts as allowed (MAX_LIVE_CONTACTS)" });
        }
        let id = self.new_contact(now, Some(queue.clone()), channel, from.to_owned(), BTreeSet::new(), None);
        self.file_waiting(id);
        self.route(now);
        Ok(id)
    }

    /// The customer hangs up or leaves: a waiting contact is abandoned, an
    /// offered one is withdrawn, a connected one puts the interaction into
    /// wrap-up.
    pub fn customer_hang_up(&mut self, now: ServerTime, contact: ContactId) -> Result<(), CommandError> {
        self.handle_timeout(now);
        let record = self.contacts.get(&contact).ok_or(CommandError::UnknownContact(contact))?;
        // A request to join waits like a contact in a queue (and shows as
        // one in the simulator's state) but is no customer.
        if record.join.is_some() {
            return Err(CommandError::BadArgument { command: "hang_up", detail: "the contact is an agent's request to join a call, not a customer" });
        }
        if let Place::Connected(interaction) = record.place {
            if let Some(customer) = self.interactions.get(&interaction).and_then(|r| r.info.call.customer()).map(|c| c.id) {
                self.party_left(now, interaction, customer);
            }
        }
        self.withdraw_contact(now, contact);
        self.route(now);
        Ok(())
    }

    /// A new live contact, next in arrival order, not yet filed in line.
    fn new_contact(&mut self, now: ServerTime, queue: Option<QueueId>, channel: Channel, from: String, declined_by: BTreeSet<UserId>, join: Option<JoinRequest>) -> ContactId {
        let id = ContactId(self.allocate_id());
        let arrival = self.next_arrival;
        self.next_arrival += 1;
        let contact = Contact { queue, channel, from, arrival, place: Place::Waiting, declined_by, directed_to: None, arrived_at: now, join };
        self.contacts.insert(id, contact);
        id
    }

    /// Takes a live contact out of the center: out of line, or its offer
    /// withdrawn first.
    fn withdraw_contact(&mut self, now: ServerTime, contact: ContactId) {
        if let Some(Place::Offered(offer)) = self.contacts.get(&contact).map(|c| c.place) {
            self.end_offer(now, offer, OfferOutcome::Withdrawn);
        }
        self.remove_contact(contact);
    }

    /// The offer could not be delivered (device or network fault, wrong
    /// number): the contact goes back to its queue and the agent to rona
    /// with the cause (O4).
    pub fn offer_undeliverable(&mut self, now: ServerTime, offer: OfferId, cause: RonaCause) -> Result<(), CommandError> {
        self.handle_timeout(now);
        if cause == RonaCause::NoAnswer {
            return Err(CommandError::BadArgument { command: "offer_undeliverable", detail: "the cause must be a delivery fault" });
        }
        let record = self.offers.get(&offer).ok_or(CommandError::UnknownOffer(offer))?;
        let agent = record.agent.clone();
        self.end_offer(now, offer, OfferOutcome::Undeliverable);
        self.enter_rona(now, &agent, cause);
        self.route(now);
        Ok(())
    }

    /// Cross-checks every index against every other; `Err` names the first
    /// broken invariant. Property tests call it after every step.
    pub fn check_consistency(&self) -> Result<(), String> {
        let mut seen = BTreeSet::new();
        for (queue_id, queue) in &self.queues {
            for (arrival, id) in &queue.waiting {
                let contact = self.contacts.get(id).ok_or(format!("queued contact {id} is not live"))?;
                if contact.place != Place::Waiting || contact.arrival != *arrival || contact.queue.as_ref() != Some(queue_id) {
                    return Err(format!("queued contact {id} disagrees with its record"));
                }
                if !seen.insert(*id) {
                    return Err(format!("contact {id} is queued twice"));
                }
            }
        }
        for (id, contact) in &self.contacts {
            let holds = match contact.place {
                Place::Waiting if contact.queue.is_none() => self.index.waiting.get(&contact.channel).is_some_and(|w| w.get(&contact.arrival) == Some(id)),
                Place::Waiting => seen.contains(id),
                Place::Offered(offer) => self.offers.get(&offer).is_some_and(|o| o.subject == Subject::Contact(*id)),
                Place::Connected(i) => self.interactions.get(&i).is_some_and(|r| r.contact == Some(*id)),
            };
            if !holds {
                return Err(format!("contact {id} is not where it says ({:?})", contact.place));
            }
        }
        for (id, offer) in &self.offers {
            if self.agent(&offer.agent).is_some_and(|a| a.status == self.profile.rona_status) {
                return Err(format!("offer {id} rings for an agent in rona (O5)"));
            }
            let in_state = self.agent(&offer.agent).is_some_and(|a| a.offer(*id).is_some());
            if !in_state || !self.timers.contains(&(offer.deadline, Timer::OfferDeadline(*id))) {
                return Err(format!("offer {id} is missing from its agent or its timer"));
            }
        }
        for (id, record) in &self.interactions {
            let call = &record.info.call;
            for agent in call.agents() {
                let leg = self.agent(agent).and_then(|a| a.interaction(*id));
                if !leg.is_some_and(|l| l.state == InteractionState::Active && l.call == *call) || !record.agents.contains(agent) {
                    return Err(format!("agent {agent} on interaction {id} does not hold its current call"));
                }
            }
            if record.agents.iter().any(|a| self.agent(a).and_then(|s| s.interaction(*id)).is_none()) {
                return Err(format!("interaction {id} is missing from one of its agents"));
            }
            if call.agents().count() > 0 && !call.primary.as_ref().is_some_and(|p| call.agents().any(|a| a == p)) {
                return Err(format!("interaction {id} has agents but none of them in control (F3)"));
            }
            if call.participants.len() as u32 > call.limit {
                return Err(format!("interaction {id} is over its participant limit (F1)"));
            }
            if call.primary.as_ref().is_some_and(|p| *p != call.owner) {
                return Err(format!("interaction {id}: the agent in control does not own the wrap-up code (F5)"));
            }
            if call.consult.as_ref().is_some_and(|c| call.participant(c.party).is_none()) {
                return Err(format!("interaction {id}: the consulted party is not on the call"));
            }
            let queued = call.invitation.as_ref().and_then(|i| i.queued);
            if queued.is_some_and(|c| self.contacts.get(&c).and_then(|c| c.join.as_ref()).map(|j| j.interaction) != Some(*id)) {
                return Err(format!("interaction {id}: its queued request is not waiting"));
            }
        }
        for (contact_id, contact) in &self.contacts {
            let Some(join) = &contact.join else { continue };
            let asked = self.interactions.get(&join.interaction).and_then(|r| r.info.call.invitation.as_ref()).and_then(|i| i.queued);
            if asked != Some(*contact_id) {
                return Err(format!("request {contact_id} waits for an interaction that does not ask for it"));
            }
        }
        for (record, agent) in &self.outbound {
            if self.agent(agent).and_then(|a| a.outbound_work(*record)).is_none() {
                return Err(format!("record {record} is not at agent {agent}, as the index says"));
            }
        }
        for agent in self.agents.values() {
            for work in &agent.state.outbound {
                if self.outbound.get(&work.record.id) != Some(&agent.state.agent) || work.record.agent.as_ref() != Some(&agent.state.agent) {
                    return Err(format!("record {} at {} is missing from the index", work.record.id, agent.state.agent));
                }
                if !work.record.status.at_agent() {
                    return Err(format!("record {} is at an agent in status {}", work.record.id, work.record.status.name()));
                }
                let previewing = work.record.status == crate::model::campaign::RecordStatus::Previewing;
                let deadline_armed = work.deadline.is_some_and(|at| self.timers.contains(&(at, Timer::PreviewDeadline(work.record.id))));
                if previewing != deadline_armed {
                    return Err(format!("record {}: a preview's deadline is armed exactly while it is previewed", work.record.id));
                }
            }
        }
        for (id, record) in &self.interactions {
            for supervisor in &record.monitors {
                if !self.agent(supervisor).is_some_and(|s| s.monitoring.iter().any(|m| m.interaction == *id)) {
                    return Err(format!("interaction {id} is monitored by {supervisor}, whose state does not say so (M1)"));
                }
            }
        }
        for agent in self.agents.values() {
            for monitoring in &agent.state.monitoring {
                let listed = self.interactions.get(&monitoring.interaction).is_some_and(|r| r.monitors.contains(&agent.state.agent));
                if !listed || monitoring.agents.is_empty() {
                    return Err(format!("{} monitors interaction {} through nobody or unknown to it (M3)", agent.state.agent, monitoring.interaction));
                }
            }
        }
        let mut reindexed = self.clone();
        reindexed.rebuild_index();
        if reindexed.index != self.index || reindexed.outbound != self.outbound {
            return Err("the routing index disagrees with the state it is derived from".into());
        }
        for agent in self.agents.values() {
            let offers_known = agent.state.offers.iter().all(|o| self.offers.contains_key(&o.id));
            let work_known = agent.state.interactions.iter().all(|i| self.interactions.contains_key(&i.id));
            if !offers_known || !work_known {
                return Err(format!("agent {} holds work the center does not", agent.state.agent));
            }
            for channel in Channel::ALL {
                if agent.state.load(channel) > self.profile.channel(channel).capacity {
                    return Err(format!("agent {} is over capacity on {}", agent.state.agent, channel.name()));
                }
            }
        }
        Ok(())
    }

    /// Applies a checked command; returns the agent whose stream it changed.
    fn execute(&mut self, now: ServerTime, actor: &Actor, kind: CommandKind) -> Result<UserId, CommandError> {
        let user = &actor.user;
        self.agent_entry(now, user);
        let own = &self.agents.get(user).ok_or_else(|| CommandError::UnknownAgent(user.clone()))?.state;
        Judge { profile: &self.profile, role: actor.role, state: own, now, world: self }.decide(&kind)?;
        match kind {
            CommandKind::Login => self.log_in(now, user),
            CommandKind::Logout => self.log_out(now, user, LogoutReason::Agent),
            CommandKind::SetStatus { status, secondary } => self.change_status(now, user, status, secondary, None),
            CommandKind::Accept { offer } => self.accept(now, offer)?,
            CommandKind::Decline { offer } => {
                if let Some(Subject::Contact(id)) = self.end_offer(now, offer, OfferOutcome::Declined) {
                    if let Some(contact) = self.contacts.get_mut(&id) {
                        contact.declined_by.insert(user.clone());
                        // Passed over while others may take it, not for good:
                        // an offer's time after the last decline, the
                        // decliners may be offered it again.
                        let lapse = now.plus(self.profile.channel(contact.channel).offer_timeout_ms);
                        self.timers.retain(|(_, timer)| *timer != Timer::DeclinesLapse(id));
                        self.timers.insert((lapse, Timer::DeclinesLapse(id)));
                    }
                }
            }
            CommandKind::End { interaction } => self.finish_call(now, interaction, EndedBy::Agent),
            CommandKind::Done { interaction, code } => self.done(now, user, interaction, code)?,
            CommandKind::Outdial { number } => self.outdial(now, user, number),
            CommandKind::LogoutAgent { agent } => {
                self.log_out(now, &agent, LogoutReason::Supervisor);
                return Ok(agent);
            }
            CommandKind::PreviewMedia { media } => self.emit(now, user, EventKind::PreviewMediaChosen { media }),
            CommandKind::Present => {}
            CommandKind::SetLocation { text, shared } => {
                let location = text.map(|text| Location { text, shared });
                self.emit(now, user, EventKind::LocationChanged { location });
            }
            CommandKind::SetFavourites { users } => self.set_favourites(user, users)?,
            monitoring @ (CommandKind::Monitor { .. }
            | CommandKind::PauseMonitoring { .. }
            | CommandKind::ResumeMonitoring { .. }
            | CommandKind::BargeIn { .. }
            | CommandKind::StopMonitoring { .. }) => self.monitor_command(now, user, monitoring)?,
            CommandKind::GetRecord => self.emit(now, user, EventKind::PreviewPaused { paused: false }),
            CommandKind::Hold { .. }
            | CommandKind::Resume { .. }
            | CommandKind::Transfer { .. }
            | CommandKind::Consult { .. }
            | CommandKind::Conference { .. }
            | CommandKind::EndConsult { .. }
            | CommandKind::CompleteTransfer { .. }
            | CommandKind::StartConference { .. }
            | CommandKind::Leave { .. }
            | CommandKind::Dtmf { .. }
            | CommandKind::Record { .. }
            | CommandKind::FollowUp { .. } => self.call_command(now, user, kind)?,
            // A record handed over is news in the receiver's stream too, but
            // the ack numbers the sender's, which the command changed.
            record_command => self.record_command(now, user, record_command)?,
        }
        Ok(user.clone())
    }

    fn allocate_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn agent_entry(&mut self, now: ServerTime, user: &UserId) {
        if self.agents.contains_key(user) {
            return;
        }
        let offline = self.profile.offline_status.clone();
        let record = AgentRecord {
            state: AgentState::new(user.clone(), offline, now),
            seq: Seq(0),
            ready_since: now,
            grace_until: None,
            login_on_connect: false,
            auto_away_at: None,
            away_from: None,
        };
        self.agents.insert(user.clone(), record);
    }

    /// Numbers, timestamps and applies an event: the only path by which an
    /// agent's state changes. Every caller names a known agent (an entry is
    /// made when a user first connects or sends); an unknown one has no
    /// stream to number the event in, so there is nothing to apply.
    fn emit(&mut self, now: ServerTime, user: &UserId, kind: EventKind) {
        let Some(record) = self.agents.get_mut(user) else { return };
        record.seq = Seq(record.seq.0 + 1);
        record.state.apply(kind.clone());
        let wrapped = match &kind {
            EventKind::InteractionWrapUp { interaction, .. } => Some(*interaction),
            _ => None,
        };
        self.events.push_back(Event { seq: record.seq, at: now, agent: user.clone(), kind });
        self.refile(user);
        if let Some(interaction) = wrapped {
            self.campaign_call_over(now, user, interaction);
        }
    }

    fn log_in(&mut self, now: ServerTime, user: &UserId) {
        self.emit(now, user, EventKind::LoggedIn);
        let Some(current) = self.agent(user).map(|a| &a.status) else { return };
        // SPEC S3: a status that survives logout (Out of Office) is kept.
        if !self.profile.status(current).is_some_and(|s| s.survives_logout) {
            let login = self.profile.login_status.clone();
            self.change_status(now, user, login, None, None);
        }
    }

    fn log_out(&mut self, now: ServerTime, user: &UserId, reason: LogoutReason) {
        self.withdraw_offers(now, user);
        self.withdraw_previews(now, user);
        self.stop_all_monitoring(now, user);
        self.auto_away_off(user);
        let Some(current) = self.agent(user).map(|a| &a.status) else { return };
        if !self.profile.status(current).is_some_and(|s| s.survives_logout) {
            let offline = self.profile.offline_status.clone();
            self.change_status(now, user, offline, None, None);
        }
        self.emit(now, user, EventKind::LoggedOut { reason });
        if let Some(until) = self.agents.get_mut(user).and_then(|r| r.grace_until.take()) {
            self.timers.remove(&(until, Timer::ReconnectGrace(user.clone())));
        }
    }

    /// Sets a status (S5: at once, interactions untouched). Choosing the
    /// status already held changes nothing, so its timer keeps running.
    fn change_status(&mut self, now: ServerTime, user: &UserId, status: StatusId, secondary: Option<SecondaryId>, rona_cause: Option<RonaCause>) {
        let Some(state) = self.agent(user) else { return };
        if state.status == status && state.secondary == secondary && state.rona_cause == rona_cause {
            return;
        }
        // SPEC T2: consecutive idle statuses share one idle run.
        let idle_run_since = match (self.profile.is_idle(&status), state.idle_run_since) {
            (false, _) => None,
            (true, Some(run)) if self.profile.is_idle(&state.status) => Some(run),
            (true, _) => Some(now),
        };
        if self.profile.is_routable(&status) {
            if let Some(record) = self.agents.get_mut(user) {
                record.ready_since = now;
            }
        }
        self.emit(now, user, EventKind::StatusChanged { status, since: now, secondary, idle_run_since, rona_cause });
    }

    fn enter_rona(&mut self, now: ServerTime, user: &UserId, cause: RonaCause) {
        let rona = self.profile.rona_status.clone();
        if self.agent(user).is_none_or(|a| a.status == rona) {
            return;
        }
        self.change_status(now, user, rona, None, Some(cause));
        // Nothing is offered in rona (O5): what else rang goes back to its
        // queue, or ends its request to join, as if declined.
        self.withdraw_offers(now, user);
    }

    /// Ends every offer still ringing for `user` as withdrawn.
    fn withdraw_offers(&mut self, now: ServerTime, user: &UserId) {
        let open: Vec<OfferId> = self.agent(user).map(|a| a.offers.iter().map(|o| o.id).collect()).unwrap_or_default();
        for offer in open {
            self.end_offer(now, offer, OfferOutcome::Withdrawn);
        }
    }

    /// Offers a waiting contact to an agent with a deadline (O1).
    fn make_offer(&mut self, now: ServerTime, contact_id: ContactId, user: &UserId) {
        let id = OfferId(self.allocate_id());
        let Some(contact) = self.contacts.get_mut(&contact_id) else { return };
        let deadline = now.plus(self.profile.channel(contact.channel).offer_timeout_ms);
        contact.place = Place::Offered(id);
        let contact = contact.clone();
        self.unfile_waiting(&contact);
        let info = OfferInfo {
            id,
            contact: contact_id,
            channel: contact.channel,
            queue: contact.queue.clone(),
            from: contact.from.clone(),
            offered_at: now,
            deadline,
            join: contact.join.clone(),
        };
        self.offers.insert(id, OfferRecord { agent: user.clone(), subject: Subject::Contact(contact_id), deadline });
        self.timers.insert((deadline, Timer::OfferDeadline(id)));
        self.emit(now, user, EventKind::OfferCreated { offer: info });
    }

    /// Ends an open offer exactly once (O7). Unless accepted, a routed
    /// contact goes back to its queue at its original position (O3), and a
    /// request to join is cancelled; a queued one waits again. Returns what
    /// the offer was for, if it was open.
    fn end_offer(&mut self, now: ServerTime, offer: OfferId, outcome: OfferOutcome) -> Option<Subject> {
        let record = self.offers.remove(&offer)?;
        self.timers.remove(&(record.deadline, Timer::OfferDeadline(offer)));
        self.emit(now, &record.agent, EventKind::OfferEnded { offer, outcome });
        if outcome != OfferOutcome::Accepted {
            match record.subject {
                Subject::Contact(id) => {
                    if let Some(contact) = self.contacts.get_mut(&id) {
                        contact.place = Place::Waiting;
                        // A customer transferred to an agent who did not
                        // take it goes back to its queue for everyone (O3),
                        // not to wait for that agent alone.
                        contact.directed_to = None;
                        self.file_waiting(id);
                    }
                }
                Subject::Join(interaction) => self.invitation_refused(now, interaction),
            }
        }
        Some(record.subject)
    }

    fn expire_offer(&mut self, now: ServerTime, offer: OfferId) {
        let Some(record) = self.offers.get(&offer) else { return };
        let agent = record.agent.clone();
        self.end_offer(now, offer, OfferOutcome::Expired);
        self.enter_rona(now, &agent, RonaCause::NoAnswer);
    }

    fn grace_over(&mut self, now: ServerTime, user: &UserId) {
        let connected = self.is_connected(user);
        let Some(record) = self.agents.get_mut(user) else { return };
        record.grace_until = None;
        // An agent with work in progress stays logged in: the work goes on.
        if connected || !record.state.logged_in || record.state.engaged() {
            return;
        }
        record.login_on_connect = self.profile.after_grace == AfterGrace::LoginAgain;
        self.log_out(now, user, LogoutReason::ConnectionLost);
    }

    fn accept(&mut self, now: ServerTime, offer: OfferId) -> Result<(), CommandError> {
        let record = self.offers.get(&offer).ok_or(CommandError::UnknownOffer(offer))?.clone();
        let info = self.agent(&record.agent).and_then(|a| a.offer(offer)).ok_or(CommandError::UnknownOffer(offer))?.clone();
        self.end_offer(now, offer, OfferOutcome::Accepted);
        let queued_join = match record.subject {
            Subject::Contact(contact) => self.contacts.get(&contact).and_then(|c| c.join.clone()).map(|join| (contact, join)),
            Subject::Join(_) => None,
        };
        match record.subject {
            Subject::Join(interaction) => self.join_accepted(now, interaction, &record.agent),
            Subject::Contact(contact) if queued_join.is_some() => {
                self.remove_contact(contact);
                if let Some((_, join)) = queued_join {
                    self.join_accepted(now, join.interaction, &record.agent);
                }
            }
            Subject::Contact(contact) => {
                let id = InteractionId(self.allocate_id());
                if let Some(contact) = self.contacts.get_mut(&contact) {
                    contact.place = Place::Connected(id);
                    contact.directed_to = None;
                }
                let limit = self.profile.conference_limit;
                self.start_interaction(now, id, &record.agent, Some(contact), contact, info.channel, Origin::Inbound, info.queue, info.from, limit);
            }
        }
        Ok(())
    }

    fn outdial(&mut self, now: ServerTime, user: &UserId, number: String) {
        let id = InteractionId(self.allocate_id());
        let contact = ContactId(self.allocate_id());
        let limit = self.profile.conference_limit;
        self.start_interaction(now, id, user, None, contact, Channel::Voice, Origin::Outdial, None, number.trim().to_owned(), limit);
    }

    /// A new interaction between a customer and one agent.
    #[allow(clippy::too_many_arguments)]
    fn start_interaction(
        &mut self,
        now: ServerTime,
        id: InteractionId,
        agent: &UserId,
        routed: Option<ContactId>,
        contact: ContactId,
        channel: Channel,
        origin: Origin,
        queue: Option<QueueId>,
        from: String,
        limit: u32,
    ) {
        let recordable = channel == Channel::Voice && self.profile.recording_on_demand;
        let info = InteractionInfo {
            id,
            contact,
            channel,
            origin,
            queue,
            from,
            state: InteractionState::Active,
            started_at: now,
            state_since: now,
            call: Call::new(agent, now, limit, recordable),
            monitored: false,
        };
        self.interactions.insert(id, InteractionRecord { info: info.clone(), contact: routed, agents: BTreeSet::from([agent.clone()]), monitors: BTreeSet::new() });
        self.emit(now, agent, EventKind::InteractionStarted { interaction: info });
    }

    fn done(&mut self, now: ServerTime, user: &UserId, interaction: InteractionId, code: Option<crate::model::WrapUpCode>) -> Result<(), CommandError> {
        let info = self.agent(user).and_then(|a| a.interaction(interaction)).ok_or(CommandError::UnknownInteraction(interaction))?.clone();
        let handling_ms = now.since(info.started_at);
        let consult_ms = info.call.consult_ms;
        self.emit(now, user, EventKind::InteractionDone { interaction, code, handling_ms, consult_ms });
        let last = self.interactions.get_mut(&interaction).is_some_and(|record| {
            record.agents.remove(user);
            record.agents.is_empty()
        });
        if last {
            self.interaction_closing(now, interaction);
            self.interactions.remove(&interaction);
        } else {
            self.review_monitors(now, interaction);
        }
        if let Some(record) = self.agents.get_mut(user) {
            record.ready_since = now;
            self.refile(user);
        }
        // SPEC E4: "available after outdial" makes the agent available even
        // if the call was placed while idle.
        if info.origin == Origin::Outdial && self.profile.available_after_outdial {
            let available = self.profile.available_status.clone();
            self.change_status(now, user, available, None, None);
        }
        Ok(())
    }

    fn remove_contact(&mut self, contact: ContactId) {
        if let Some(record) = self.contacts.remove(&contact) {
            self.unfile_waiting(&record);
        }
    }

    /// Whether an agent could take new work on `channel` now (S7, E2).
    fn can_take(&self, agent: &AgentRecord, channel: Channel) -> bool {
        rules::can_take(&self.profile, &agent.state, channel)
    }
}

/// The center knows every agent and queue: it judges what a replica cannot.
impl World for Center {
    fn agent(&self, user: &UserId) -> Seen<'_> {
        match self.agents.get(user) {
            Some(record) => Seen::Agent(&record.state),
            None => Seen::NoSuchAgent,
        }
    }
    fn queue_exists(&self, queue: &QueueId) -> Option<bool> {
        Some(self.queues.contains_key(queue))
    }
    fn assigned(&self, campaign: &CampaignId, agent: &UserId) -> Option<bool> {
        Some(self.campaigns.get(campaign).is_some_and(|c| c.agents.contains(agent)))
    }
    fn went_stale(&self, record: RecordId) -> bool {
        self.remembers_stale(record)
    }
}
