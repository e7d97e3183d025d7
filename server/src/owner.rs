//! The one owner of the [`Center`]: a thread that takes inputs from an mpsc
//! channel in order, sleeps until the center's next deadline, commits every
//! input to the store before anything is sent, and fans each event out to
//! every session of its user (SPEC N4).
//!
//! It is a plain thread rather than an async task because SQLite calls
//! block; keeping them here keeps the async workers free for sockets.

use crate::store::{Loaded, SessionChange, Store};
use ringside::center::{Center, Place};
use ringside::model::state::{CommandKind, Event};
use ringside::model::{
    Actor, Channel, CommandError, CommandId, ContactId, InteractionId, OfferId, ParticipantId, Profile, QueueId, RonaCause, Seq,
    ServerTime, SessionId,
};
use ringside::protocol::{ServerMessage, Snapshot, PROTOCOL_VERSION};
use serde::Serialize;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc as tmpsc, oneshot};

/// How many messages may wait for one socket before the session is dropped
/// as too slow (it then resumes from its last sequence number).
pub const OUTBOX_CAPACITY: usize = 1024;

/// Messages to one session's socket.
pub type Outbox = tmpsc::Sender<ServerMessage>;

/// A customer-simulator request (the `/sim/` endpoints).
#[derive(Debug, Clone)]
pub enum SimRequest {
    /// A contact arrives on a queue.
    Enqueue {
        /// The queue.
        queue: QueueId,
        /// Its channel.
        channel: Channel,
        /// Who the customer is.
        from: String,
    },
    /// The customer hangs up.
    HangUp {
        /// The contact.
        contact: ContactId,
    },
    /// The offer could not be delivered (SPEC O4).
    Undeliverable {
        /// The offer.
        offer: OfferId,
        /// Why.
        cause: RonaCause,
    },
    /// A dialled number answers, or declines, a consult or conference
    /// request (SPEC V6).
    NumberAnswers {
        /// The interaction with the pending request.
        interaction: InteractionId,
        /// Whether the number answered.
        answered: bool,
    },
    /// A participant outside the center (the customer or a dialled number)
    /// hangs up (SPEC F7, F8).
    PartyHangsUp {
        /// The interaction.
        interaction: InteractionId,
        /// The participant.
        participant: ParticipantId,
    },
    /// A view of queues and agents.
    State,
}

/// The answer to a simulator request.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum SimReply {
    /// The new contact.
    Contact {
        /// Its id.
        contact: ContactId,
    },
    /// Done, nothing to return.
    Done {
        /// Always true.
        ok: bool,
    },
    /// Queues and agents.
    State(serde_json::Value),
}

/// Why a simulator request failed.
#[derive(Debug, Clone)]
pub enum SimFailure {
    /// The center refused it.
    Refused(CommandError),
    /// The state could not be committed; nothing changed.
    Unavailable,
}

/// One input to the owner.
#[derive(Debug)]
pub enum Input {
    /// An authenticated hello: connect, then welcome the session with a
    /// snapshot or the missed events (SPEC N2), and register it for fan-out.
    Hello {
        /// Who.
        actor: Actor,
        /// The last event number the client holds.
        resume: Option<Seq>,
        /// Where the session's messages go.
        outbox: Outbox,
        /// Gets the session id once registered (or nothing on failure).
        reply: oneshot::Sender<SessionId>,
    },
    /// A command from a registered session (SPEC N1).
    Command {
        /// The session.
        session: SessionId,
        /// Its user and role.
        actor: Actor,
        /// Client id.
        id: CommandId,
        /// What to do.
        kind: CommandKind,
    },
    /// The session asks for a fresh snapshot.
    Resync {
        /// The session.
        session: SessionId,
    },
    /// The socket closed (SPEC N3: the center starts the grace).
    Disconnect {
        /// The session.
        session: SessionId,
    },
    /// A customer-simulator request.
    Sim {
        /// The request.
        request: SimRequest,
        /// Gets the answer.
        reply: oneshot::Sender<Result<SimReply, SimFailure>>,
    },
    /// Finish what came before, flush the database and stop.
    Shutdown {
        /// Told when done.
        done: oneshot::Sender<()>,
    },
}

/// A handle to send inputs to the owner.
#[derive(Debug, Clone)]
pub struct OwnerSender(mpsc::Sender<Input>);

impl OwnerSender {
    /// Sends an input; `false` when the owner has stopped.
    pub fn send(&self, input: Input) -> bool {
        self.0.send(input).is_ok()
    }
}

/// The running owner thread.
#[derive(Debug)]
pub struct Owner {
    sender: OwnerSender,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Owner {
    /// A sender for inputs.
    pub fn sender(&self) -> OwnerSender {
        self.sender.clone()
    }

    /// Stops after every input already sent, flushes the database and joins.
    pub async fn shutdown(mut self) {
        let (done, finished) = oneshot::channel();
        if self.sender.send(Input::Shutdown { done }) {
            let _ = finished.await;
        }
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

struct SessionEntry {
    actor: Actor,
    outbox: Outbox,
}

struct State {
    center: Center,
    store: Store,
    sessions: BTreeMap<SessionId, SessionEntry>,
    next_session: u64,
    last_now: u64,
}

/// Loads the stored center (or makes a new one), fires what fell due while
/// the server was down, disconnects the sessions of the previous run and
/// starts the owner thread.
pub fn spawn(store: Store, profile: Profile, queues: Vec<QueueId>) -> Result<Owner, crate::store::StoreError> {
    let loaded = store.load()?;
    let state = match loaded {
        Some(Loaded { center, open_sessions, next_session }) => {
            if *center.profile() != profile {
                tracing::warn!("the stored center keeps its own profile; the configured profile differs and is not applied");
            }
            let stored: Vec<&QueueId> = center.queues().collect();
            if stored != queues.iter().collect::<Vec<_>>() {
                tracing::warn!(?stored, configured = ?queues, "the stored center keeps its own queues");
            }
            let mut state =
                State { center, store, sessions: BTreeMap::new(), next_session: next_session.max(1), last_now: 0 };
            let now = state.now();
            state.center.handle_timeout(now);
            let mut changes = Vec::new();
            for session in open_sessions {
                state.center.disconnect(now, session);
                changes.push(SessionChange::Closed(session));
            }
            let events: Vec<Event> = std::iter::from_fn(|| state.center.poll_event()).collect();
            state.store.commit(&state.center, &events, &changes, state.next_session)?;
            tracing::info!(events = events.len(), "restored the center from the database");
            state
        }
        None => {
            let center = Center::new(profile, queues);
            let mut state = State { center, store, sessions: BTreeMap::new(), next_session: 1, last_now: 0 };
            state.store.commit(&state.center, &[], &[], state.next_session)?;
            tracing::info!("created a new center");
            state
        }
    };
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("center-owner".into())
        .spawn(move || state.run(rx))
        .map_err(crate::store::StoreError::Io)?;
    Ok(Owner { sender: OwnerSender(tx), thread: Some(thread) })
}

/// Server time now: wall-clock milliseconds, never going backwards.
fn wall_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl State {
    fn now(&mut self) -> ServerTime {
        self.last_now = self.last_now.max(wall_ms());
        ServerTime(self.last_now)
    }

    fn run(mut self, rx: mpsc::Receiver<Input>) {
        loop {
            let next = match self.center.poll_timeout() {
                Some(deadline) => {
                    let wait = deadline.0.saturating_sub(wall_ms());
                    rx.recv_timeout(Duration::from_millis(wait))
                }
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            let input = match next {
                Ok(Input::Shutdown { done }) => {
                    self.stop();
                    let _ = done.send(());
                    return;
                }
                Ok(input) => Some(input),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => {
                    self.stop();
                    return;
                }
            };
            // The core never panics on input by design; should a bug make it
            // panic anyway, the last committed state is reloaded and the
            // server goes on.
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| match input {
                Some(input) => self.handle(input),
                None => self.tick(),
            }));
            if outcome.is_err() {
                tracing::error!("the center panicked; reloading the last committed state");
                self.recover();
            }
        }
    }

    fn stop(&mut self) {
        if let Err(e) = self.store.checkpoint() {
            tracing::warn!(error = %e, "checkpoint on shutdown failed");
        }
        tracing::info!("center owner stopped; database flushed");
    }

    /// Drops in-memory changes that were not committed.
    fn recover(&mut self) {
        match self.store.load() {
            Ok(Some(loaded)) => {
                self.center = loaded.center;
                while self.center.poll_event().is_some() {}
            }
            Ok(None) => tracing::error!("no stored state to recover from"),
            Err(e) => tracing::error!(error = %e, "cannot reload the stored state"),
        }
    }

    /// Commits the center with the events of this input, then fans the events
    /// out. On a failed commit nothing is sent and the committed state is
    /// reloaded (SPEC N2: never show a state the server does not hold).
    fn commit(&mut self, changes: &[SessionChange]) -> bool {
        let events: Vec<Event> = std::iter::from_fn(|| self.center.poll_event()).collect();
        if let Err(e) = self.store.commit(&self.center, &events, changes, self.next_session) {
            tracing::error!(error = %e, "commit failed; the input is dropped");
            self.recover();
            return false;
        }
        self.fan_out(&events);
        true
    }

    fn fan_out(&mut self, events: &[Event]) {
        // A session that missed one event gets no later ones: it must not
        // see a gap, it reconnects and resumes instead.
        let mut too_slow = std::collections::BTreeSet::new();
        for event in events {
            for (id, entry) in &self.sessions {
                if entry.actor.user == event.agent
                    && !too_slow.contains(id)
                    && entry.outbox.try_send(ServerMessage::Event(event.clone())).is_err()
                {
                    too_slow.insert(*id);
                }
            }
        }
        for id in too_slow {
            // Dropping the outbox ends the socket; it then disconnects.
            if self.sessions.remove(&id).is_some() {
                tracing::warn!(session = %id, "session dropped: its socket is too slow or gone");
            }
        }
    }

    fn send(&mut self, session: SessionId, message: ServerMessage) {
        if let Some(entry) = self.sessions.get(&session) {
            if entry.outbox.try_send(message).is_err() {
                self.sessions.remove(&session);
            }
        }
    }

    fn tick(&mut self) {
        let now = self.now();
        self.center.handle_timeout(now);
        self.commit(&[]);
    }

    fn handle(&mut self, input: Input) {
        match input {
            Input::Hello { actor, resume, outbox, reply } => self.hello(actor, resume, outbox, reply),
            Input::Command { session, actor, id, kind } => {
                if !self.sessions.contains_key(&session) {
                    return;
                }
                let now = self.now();
                let name = kind.name();
                let reply = self.center.command(now, &actor, id.clone(), kind);
                match &reply {
                    Ok(seq) => tracing::debug!(%session, user = %actor.user, command = name, id = %id, seq = seq.0, "command applied"),
                    Err(refusal) => tracing::debug!(%session, user = %actor.user, command = name, id = %id, code = %refusal.code, "command refused"),
                }
                let message = if !self.commit(&[]) {
                    ServerMessage::Nack { id: Some(id), code: "unavailable".into(), message: "the server could not store the change; try again".into() }
                } else {
                    match reply {
                        Ok(seq) => ServerMessage::Ack { id, seq },
                        Err(refusal) => ServerMessage::Nack { id: Some(id), code: refusal.code, message: refusal.message },
                    }
                };
                self.send(session, message);
            }
            Input::Resync { session } => {
                let Some(actor) = self.sessions.get(&session).map(|e| e.actor.clone()) else { return };
                let welcome = self.snapshot_welcome(&actor);
                self.send(session, welcome);
            }
            Input::Disconnect { session } => {
                self.sessions.remove(&session);
                let now = self.now();
                self.center.disconnect(now, session);
                self.commit(&[SessionChange::Closed(session)]);
            }
            Input::Sim { request, reply } => {
                let answer = self.sim(request);
                let _ = reply.send(answer);
            }
            Input::Shutdown { done } => {
                let _ = done.send(());
            }
        }
    }

    fn hello(&mut self, actor: Actor, resume: Option<Seq>, outbox: Outbox, reply: oneshot::Sender<SessionId>) {
        let session = SessionId(self.next_session);
        self.next_session += 1;
        let now = self.now();
        self.center.connect(now, session, &actor.user);
        if !self.commit(&[SessionChange::Opened(session, actor.user.clone())]) {
            let _ = outbox.try_send(ServerMessage::Error { code: "unavailable".into(), message: "the server could not store the connection".into() });
            return;
        }
        // The welcome and any replay go out before the session joins the
        // fan-out, all inside this one input: nothing lost, nothing doubled.
        let mut messages = Vec::new();
        let last = self.center.last_seq(&actor.user);
        let replay = match resume {
            // A replay must fit the session's outbox with the welcome;
            // a longer one is sent as a snapshot instead.
            Some(from) if from <= last && last.0 - from.0 < OUTBOX_CAPACITY as u64 - 1 => match self.store.events_after(&actor.user, from, last) {
                Ok(found) => found,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the event log; sending a snapshot");
                    None
                }
            },
            _ => None,
        };
        match replay {
            Some(events) => {
                messages.push(self.welcome(&actor, None));
                messages.extend(events.into_iter().map(ServerMessage::Event));
            }
            None => messages.push(self.snapshot_welcome(&actor)),
        }
        for message in messages {
            if outbox.try_send(message).is_err() {
                break;
            }
        }
        self.sessions.insert(session, SessionEntry { actor, outbox });
        if reply.send(session).is_err() {
            // The socket went away while we worked: disconnect at once.
            self.sessions.remove(&session);
            self.center.disconnect(now, session);
            self.commit(&[SessionChange::Closed(session)]);
        }
    }

    fn welcome(&mut self, actor: &Actor, snapshot: Option<Snapshot>) -> ServerMessage {
        ServerMessage::Welcome {
            protocol: PROTOCOL_VERSION,
            user: actor.user.clone(),
            role: actor.role,
            server_time: self.now(),
            profile: Box::new(self.center.profile().clone()),
            snapshot,
        }
    }

    fn snapshot_welcome(&mut self, actor: &Actor) -> ServerMessage {
        let now = self.now();
        let snapshot = Snapshot { seq: self.center.last_seq(&actor.user), state: self.center.snapshot(&actor.user, now) };
        self.welcome(actor, Some(snapshot))
    }

    fn sim(&mut self, request: SimRequest) -> Result<SimReply, SimFailure> {
        let now = self.now();
        let result = match request {
            SimRequest::Enqueue { queue, channel, from } => {
                self.center.enqueue_contact(now, &queue, channel, &from).map(|contact| SimReply::Contact { contact })
            }
            SimRequest::HangUp { contact } => self.center.customer_hang_up(now, contact).map(|()| SimReply::Done { ok: true }),
            SimRequest::Undeliverable { offer, cause } => {
                self.center.offer_undeliverable(now, offer, cause).map(|()| SimReply::Done { ok: true })
            }
            SimRequest::NumberAnswers { interaction, answered } => {
                self.center.number_answers(now, interaction, answered).map(|()| SimReply::Done { ok: true })
            }
            SimRequest::PartyHangsUp { interaction, participant } => {
                self.center.party_hangs_up(now, interaction, participant).map(|()| SimReply::Done { ok: true })
            }
            SimRequest::State => {
                self.center.handle_timeout(now);
                Ok(SimReply::State(self.state_view(now)))
            }
        };
        if !self.commit(&[]) {
            return Err(SimFailure::Unavailable);
        }
        result.map_err(SimFailure::Refused)
    }

    fn state_view(&self, now: ServerTime) -> serde_json::Value {
        let queues: BTreeMap<String, Vec<serde_json::Value>> = self
            .center
            .queues()
            .map(|q| {
                let waiting = self
                    .center
                    .waiting(q)
                    .into_iter()
                    .map(|c| serde_json::json!({ "contact": c, "place": place_name(self.center.contact_place(c)) }))
                    .collect();
                (q.to_string(), waiting)
            })
            .collect();
        let agents: Vec<&ringside::model::AgentState> = self.center.agents().collect();
        serde_json::json!({
            "server_time": now,
            "queues": queues,
            "agents": agents,
            "next_deadline": self.center.poll_timeout(),
        })
    }
}

fn place_name(place: Option<Place>) -> &'static str {
    match place {
        Some(Place::Waiting) => "waiting",
        Some(Place::Offered(_)) => "offered",
        Some(Place::Connected(_)) => "connected",
        None => "gone",
    }
}
