//! The browser replica of one agent, sans-IO.
//!
//! It applies the server's events in order (dropping repeats, asking for a
//! snapshot on a gap), validates the agent's commands with the authority's
//! own [`crate::model::rules`] before sending them, estimates the
//! server clock from ping/pong, and derives the [`View`]. The host (the wasm
//! driver, or a test) feeds [`Replica::handle_message`], sends what
//! [`Replica::poll_transmit`] returns, reacts to [`Replica::poll_notice`], and
//! sleeps until [`Replica::next_change`]. When the page follows the
//! presence roster, the replica keeps it too ([`Roster`]) and derives its
//! [`RosterView`].

mod clock;
pub mod link;
mod roster;
mod view;

pub use clock::ClockSync;
pub use roster::{QueueTile, Roster, RosterEntryView, RosterView, RosterWorkView};
pub use view::{
    format_duration, InteractionActions, InteractionView, MonitoringActions, MonitoringView, OfferView, ParticipantView, RonaChoice,
    StatusChoice, StatusView, View,
};
use crate::text::text;
use alloc::{borrow::ToOwned, string::String, vec::Vec};

use crate::model::error::Refusal;
use crate::model::profile::Profile;
use crate::model::rules::{Judge, OwnStateOnly};
use crate::model::state::{CommandKind, EventKind, OfferInfo, OfferOutcome};
use crate::model::{AgentState, CommandError, CommandId, Millis, RonaCause, Role, Seq, UserId};
use crate::protocol::codes::stable_codes;
use crate::protocol::limits::MAX_PENDING_COMMANDS;
use crate::protocol::{ClientMessageOf, CommandText, OutgoingCommand, OutgoingMessage, ServerMessage, PROTOCOL_VERSION};

/// Something the host may want to react to (render, notify, resolve a promise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The replica holds the server's state (after welcome or resync).
    Synced,
    /// The state changed; render the view again.
    Changed,
    /// A new offer arrived.
    Offer(OfferInfo),
    /// An offer ended.
    OfferEnded(crate::model::OfferId, OfferOutcome),
    /// A campaign record left this agent, and why (done, stale...).
    RecordEnded(crate::model::RecordId, crate::model::campaign::OutboundOutcome),
    /// The agent went to rona (O3, O4); raise a notification if hidden (O6).
    Rona(RonaCause),
    /// A command was applied.
    Acked(CommandId, Seq),
    /// A command was refused by the server.
    Rejected(CommandId, Refusal),
    /// The server reported a connection-level error.
    ServerError(Refusal),
    /// The roster was replaced (a snapshot) or its queue figures changed.
    Roster,
    /// One followed user's presence changed.
    Presence(UserId),
}

/// Why a server message could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SyncError {
    /// An event or resume-welcome arrived before any snapshot.
    NotSynced,
    /// The server speaks another protocol version.
    Version(u32),
}

stable_codes!(SyncError {
    SyncError::NotSynced => "not_synced",
    SyncError::Version(_) => "protocol_version",
});

impl SyncError {
    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            SyncError::NotSynced => "the server sent state changes before a snapshot".to_owned(),
            SyncError::Version(v) => text!("the server speaks protocol ", v, ", this engine ", PROTOCOL_VERSION),
        }
    }
}

crate::text::message_error!(SyncError);

/// The replica of one agent's state.
#[derive(Debug, Clone)]
pub struct Replica {
    client_tag: String,
    next_command: u64,
    user: Option<UserId>,
    role: Role,
    profile: Option<Profile>,
    state: Option<AgentState>,
    last_seq: Seq,
    clock: ClockSync,
    /// Commands sent and not yet answered, oldest first (a handful while
    /// connected, at most [`MAX_PENDING_COMMANDS`]), as the text they went as.
    pending: Vec<(CommandId, CommandText)>,
    /// Frames to send and notices for the host, oldest first: what the
    /// last inputs produced, a few at most, as the host drains both after
    /// each input (see [`take_first`]).
    outbox: Vec<OutgoingMessage>,
    notices: Vec<Notice>,
    roster: Roster,
}

impl Replica {
    /// An empty replica. `client_tag` prefixes its command ids and must be
    /// unique per tab (a random string), so ids never collide across tabs.
    pub fn new(client_tag: &str) -> Replica {
        Replica {
            client_tag: client_tag.to_owned(),
            next_command: 1,
            user: None,
            role: Role::Agent,
            profile: None,
            state: None,
            last_seq: Seq(0),
            clock: ClockSync::default(),
            pending: Vec::new(),
            outbox: Vec::new(),
            notices: Vec::new(),
            roster: Roster::default(),
        }
    }

    /// The hello frame for a (re)connection: resumes from the last event held,
    /// or asks for a snapshot when nothing is held (N2).
    pub fn hello(&self, token: &str) -> OutgoingMessage {
        ClientMessageOf::Hello {
            token: token.to_owned(),
            resume: self.state.as_ref().map(|_| self.last_seq),
            protocol: PROTOCOL_VERSION,
        }
    }

    /// The agent's state as last synced, if any.
    pub fn state(&self) -> Option<&AgentState> {
        self.state.as_ref()
    }

    /// The profile from the server, once welcomed.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    /// The number of the last event applied.
    pub fn last_seq(&self) -> Seq {
        self.last_seq
    }

    /// Commands sent and not yet answered.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// The clock estimate.
    pub fn clock(&self) -> &ClockSync {
        &self.clock
    }

    /// The authenticated user, once welcomed.
    pub fn user(&self) -> Option<&UserId> {
        self.user.as_ref()
    }

    /// Applies one message from the server, received at local time `now`.
    pub fn handle_message(&mut self, now: Millis, message: ServerMessage) -> Result<(), SyncError> {
        match message {
            ServerMessage::Welcome { protocol, user, role, server_time, profile, snapshot } => {
                if protocol != PROTOCOL_VERSION {
                    return Err(SyncError::Version(protocol));
                }
                self.clock.observe_one_way(now, server_time);
                self.user = Some(user);
                self.role = role;
                self.profile = Some(*profile);
                match snapshot {
                    Some(snapshot) => {
                        let known = self.state.replace(snapshot.state);
                        self.last_seq = snapshot.seq;
                        self.told_by_snapshot(known);
                    }
                    None if self.state.is_none() => return Err(SyncError::NotSynced),
                    None => {}
                }
                // A command whose answer was lost with the old connection is
                // sent again under its own id: the server applies it once and
                // answers a repeat with its first answer (SPEC N1).
                // A roster subscription belongs to its connection: a page
                // that follows the roster follows it again from the position
                // held, so only the changes since come (S12).
                self.outbox.retain(|m| {
                    !matches!(m, ClientMessageOf::Command { .. } | ClientMessageOf::SubscribeRoster { .. } | ClientMessageOf::UnsubscribeRoster)
                });
                for (id, text) in &self.pending {
                    self.outbox.push(ClientMessageOf::Command { id: id.clone(), kind: text.clone() });
                }
                if let Some(subscription) = self.roster.resubscribe() {
                    self.outbox.push(subscription);
                }
                self.notices.push(Notice::Synced);
                self.notices.push(Notice::Changed);
            }
            ServerMessage::Event(event) => {
                let Some(state) = self.state.as_mut() else { return Err(SyncError::NotSynced) };
                if event.agent != state.agent || event.seq <= self.last_seq {
                    return Ok(()); // another agent's stream, or a repeat after resume
                }
                if event.seq.0 != self.last_seq.0 + 1 {
                    // A gap: something was missed. Never show a state the
                    // server does not hold (N2): ask for a snapshot.
                    self.outbox.push(ClientMessageOf::Resync);
                    return Ok(());
                }
                // An event's time bounds the server's clock from below: the
                // first one after the device slept shows the sleep.
                self.clock.observe_one_way(now, event.at);
                let notice = match &event.kind {
                    EventKind::OfferCreated { offer } => Some(Notice::Offer(offer.clone())),
                    EventKind::OfferEnded { offer, outcome } => Some(Notice::OfferEnded(*offer, *outcome)),
                    EventKind::OutboundEnded { record, outcome } => Some(Notice::RecordEnded(*record, *outcome)),
                    EventKind::StatusChanged { rona_cause: Some(cause), .. } => Some(Notice::Rona(*cause)),
                    _ => None,
                };
                state.apply(event.kind);
                self.last_seq = event.seq;
                self.notices.extend(notice);
                self.notices.push(Notice::Changed);
            }
            ServerMessage::Ack { id, seq } => {
                self.pending.retain(|(p, _)| *p != id);
                self.notices.push(Notice::Acked(id, seq));
            }
            ServerMessage::Nack { id, code, message } => {
                let refusal = Refusal { code, message };
                match id {
                    Some(id) => {
                        self.pending.retain(|(p, _)| *p != id);
                        self.notices.push(Notice::Rejected(id, refusal));
                    }
                    None => self.notices.push(Notice::ServerError(refusal)),
                }
            }
            ServerMessage::Pong { client_time, server_time } => {
                let before = self.clock.offset_ms();
                self.clock.observe_round_trip(Millis(client_time), now, server_time);
                // A clock corrected by a second or more (after a sleep, say)
                // moves every countdown now; a smaller shift shows at the
                // next tick, with no view of its own.
                if self.clock.offset_ms().abs_diff(before) >= 1_000 {
                    self.notices.push(Notice::Changed);
                }
            }
            ServerMessage::Error { code, message } => self.notices.push(Notice::ServerError(Refusal { code, message })),
            ServerMessage::Roster(snapshot) => {
                if self.roster.apply_snapshot(*snapshot) {
                    self.notices.push(Notice::Roster);
                }
            }
            ServerMessage::Presence { seq, entry } => {
                let user = entry.user.clone();
                if self.roster.apply_presence(seq, *entry) {
                    self.notices.push(Notice::Presence(user));
                }
            }
            ServerMessage::QueueStats { queues } => {
                if self.roster.apply_queue_stats(queues) {
                    self.notices.push(Notice::Roster);
                }
            }
        }
        Ok(())
    }

    /// A snapshot tells what its events would have (a reload, a new tab, a
    /// resume too old for the events): a RONA since the state the page had
    /// is a RONA; each offer it had not heard of is an offer, and each it
    /// had that is gone has ended (O7: once), as the snapshot shows it:
    /// expired, taken (its customer is in an interaction), else withdrawn.
    fn told_by_snapshot(&mut self, known: Option<AgentState>) {
        let Some(state) = &self.state else { return };
        // RONA that came while away is told as an event would tell it (O6).
        if let (Some(cause), Some(before)) = (state.rona_cause, &known) {
            // Another RONA since the one the page knew has a later start.
            if before.rona_cause.is_none() || before.status_since != state.status_since {
                self.notices.push(Notice::Rona(cause));
            }
        }
        let known = known.map(|k| k.offers).unwrap_or_default();
        for offer in &state.offers {
            if !known.iter().any(|k| k.id == offer.id) {
                self.notices.push(Notice::Offer(offer.clone()));
            }
        }
        for offer in known {
            if state.offers.iter().any(|o| o.id == offer.id) {
                continue;
            }
            let outcome = if state.expired_offers.contains(&offer.id) {
                OfferOutcome::Expired
            } else if state.interactions.iter().any(|i| i.contact == offer.contact) {
                OfferOutcome::Accepted
            } else {
                OfferOutcome::Withdrawn
            };
            self.notices.push(Notice::OfferEnded(offer.id, outcome));
        }
    }

    /// Judges a command as the authority would, with what this replica
    /// knows (its own agent); the center judges the rest the same way.
    pub fn check(&self, now: Millis, kind: &CommandKind) -> Result<(), CommandError> {
        let (Some(profile), Some(state)) = (&self.profile, &self.state) else { return Err(CommandError::NotReady) };
        let judge = Judge { profile, role: self.role, state, now: self.clock.server_time(now), world: &OwnStateOnly };
        judge.decide(kind)
    }

    /// Validates a command with the authority's rules and queues it for
    /// sending; refused commands are never sent.
    pub fn command(&mut self, now: Millis, kind: CommandKind) -> Result<CommandId, CommandError> {
        self.send_command(now, OutgoingCommand::new(kind), true)
    }

    /// [`Replica::command`] for a command that has its text already (read
    /// from the page by the browser engine): sent as that text. Without
    /// `judge_here` (the connection is lost, so the state held may be stale)
    /// only the server judges it, once it is back.
    pub fn send_command(&mut self, now: Millis, command: OutgoingCommand, judge_here: bool) -> Result<CommandId, CommandError> {
        match self.check(now, command.kind()) {
            Err(CommandError::NotReady) => return Err(CommandError::NotReady),
            // This side cannot tell a record that went stale from one it
            // never had (P8): the center can, and answers `record_stale`.
            Err(CommandError::UnknownRecord(_)) => {}
            Err(refusal) if judge_here => return Err(refusal),
            _ => {}
        }
        if self.pending.len() >= MAX_PENDING_COMMANDS {
            return Err(CommandError::TooManyPending);
        }
        let id = CommandId(text!(self.client_tag, "-", self.next_command));
        self.next_command += 1;
        let text = command.into_text();
        self.pending.push((id.clone(), text.clone()));
        self.outbox.push(ClientMessageOf::Command { id: id.clone(), kind: text });
        Ok(id)
    }

    /// Gives up on a command the page stopped waiting for (its timeout): it
    /// is never sent again, nor at all if it is still waiting for a socket
    /// (a welcome sends the pending commands, not what the outbox held),
    /// and its place among the pending commands is free. An answer that
    /// still comes is reported as any other.
    pub fn forget(&mut self, id: &str) {
        self.pending.retain(|(p, _)| p.0 != id);
    }

    /// Follows the presence roster (S6, S12): queues the subscription, from
    /// the position held if any. After a reconnect the replica subscribes
    /// again by itself.
    pub fn subscribe_roster(&mut self) {
        let message = self.roster.subscribe();
        self.outbox.push(message);
    }

    /// Stops following the roster and forgets it.
    pub fn unsubscribe_roster(&mut self) {
        let message = self.roster.unsubscribe();
        self.outbox.push(message);
        self.notices.push(Notice::Roster);
    }

    /// The roster as last told by the server.
    pub fn roster(&self) -> &Roster {
        &self.roster
    }

    /// The roster's render-ready form at local time `now`: timers, and the
    /// monitoring and logout actions this user may take on each row.
    pub fn roster_view(&self, now: Millis) -> RosterView<'_> {
        let server_now = self.clock.server_time(now);
        let judge = match (&self.profile, &self.state) {
            (Some(profile), Some(state)) => Some(Judge { profile, role: self.role, state, now: server_now, world: &OwnStateOnly }),
            _ => None,
        };
        roster::derive(&self.roster, judge.as_ref(), server_now)
    }

    /// Queues a clock probe.
    pub fn ping(&mut self, now: Millis) {
        self.outbox.push(ClientMessageOf::Ping { client_time: now.0 });
    }

    /// The next message to send, its command (if any) as text.
    pub fn poll_transmit(&mut self) -> Option<OutgoingMessage> {
        take_first(&mut self.outbox)
    }

    /// The next notice for the host.
    pub fn poll_notice(&mut self) -> Option<Notice> {
        take_first(&mut self.notices)
    }

    /// The render-ready view at local time `now`.
    pub fn view(&self, now: Millis) -> View<'_> {
        let mut view = match (&self.profile, &self.state) {
            (Some(profile), Some(state)) => view::derive(profile, self.role, state, self.clock.server_time(now)),
            _ => View::default(),
        };
        // SPEC M2: no barge-in on a call in wrap-up. The supervisor's own
        // state does not say when a monitored call ended; the roster does.
        for monitoring in &mut view.monitoring {
            monitoring.actions.barge_in &= !self.roster.in_wrap_up(monitoring.interaction);
        }
        view
    }

    /// When the view next changes (a timer's next second, a flash start, a
    /// deadline), in local time; the host sleeps until then.
    pub fn next_change(&self, now: Millis) -> Option<Millis> {
        let state = self.state.as_ref()?;
        let server_now = self.clock.server_time(now);
        let mut earliest = view::Earliest(view::next_change(state, server_now));
        earliest.note(roster::next_change(&self.roster, server_now));
        earliest.0.map(|at| self.clock.local_time(at))
    }
}

/// Takes the oldest item of a queue. Vectors, not `VecDeque`s: they hold a
/// few items at a time, so shifting the rest is cheap, and the engine's
/// wasm is 0.8 KB smaller gzipped without the `VecDeque` code.
fn take_first<T>(queue: &mut Vec<T>) -> Option<T> {
    (!queue.is_empty()).then(|| queue.remove(0))
}
