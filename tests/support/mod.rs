//! A simulated desk for scenario and property tests: one center, one replica
//! per agent fed through JSON, and a clock that jumps to the next deadline
//! instead of sleeping.
#![allow(dead_code)] // each test binary uses part of the harness

use ringside::agent::{InteractionView, Notice, Replica, View};
use ringside::center::{Center, Input, Outcome};
use ringside::codec;
use ringside::model::profile::{Preset, ProfileOverrides};
use ringside::model::state::{CommandKind, Event, Reply};
use ringside::model::{
    Actor, Channel, CommandId, ContactId, InteractionId, Millis, Profile, QueueId, Role, ServerTime, SessionId, StatusId, UserId,
};
use ringside::protocol::{ClientMessage, ServerMessage, Snapshot, PROTOCOL_VERSION};
use std::collections::BTreeMap;

/// Start of every simulated day: 2026-11-21 09:00 UTC.
pub const T0: ServerTime = ServerTime(1_795_338_000_000);

pub struct Desk {
    pub center: Center,
    pub now: ServerTime,
    pub replicas: BTreeMap<UserId, Replica>,
    sessions: BTreeMap<UserId, Vec<SessionId>>,
    next_session: u64,
    next_command: u64,
    /// The role each connected user's token names.
    roles: BTreeMap<UserId, Role>,
    /// Every event the center emitted, in order.
    pub log: Vec<Event>,
    /// Every input that changed the center, with its time, in order: what a
    /// server logs to rebuild the center by replay.
    pub inputs: Vec<(ServerTime, Input)>,
    /// Notices the replicas raised, per agent.
    pub notices: BTreeMap<UserId, Vec<Notice>>,
}

pub fn user(name: &str) -> UserId {
    UserId::from(name)
}

pub fn status(id: &str) -> StatusId {
    StatusId::from(id)
}

pub fn set_status(id: &str) -> CommandKind {
    CommandKind::SetStatus { status: status(id), secondary: None }
}

pub fn support() -> QueueId {
    QueueId::from("support")
}

/// `name` becomes available and accepts a new customer on `channel`.
pub fn on_call(desk: &mut Desk, name: &str, channel: Channel) -> InteractionId {
    desk.ready(name);
    desk.call(channel, "+46 8 555 0100");
    accept_offer(desk, name);
    desk.center.agent(&user(name)).unwrap().interactions.last().unwrap().id
}

/// `name` accepts its oldest offer.
pub fn accept_offer(desk: &mut Desk, name: &str) {
    let offer = desk.center.agent(&user(name)).unwrap().offers.first().expect("an offer").id;
    desk.send(name, CommandKind::Accept { offer }).expect("accept");
}

impl Desk {
    pub fn new(profile: Profile) -> Desk {
        Desk {
            center: Center::new(profile, [support(), QueueId::from("sales")]),
            now: T0,
            replicas: BTreeMap::new(),
            sessions: BTreeMap::new(),
            next_session: 1,
            next_command: 1,
            roles: BTreeMap::new(),
            log: Vec::new(),
            inputs: Vec::new(),
            notices: BTreeMap::new(),
        }
    }

    pub fn preset(preset: Preset) -> Desk {
        Desk::new(Profile::preset(preset))
    }

    /// The contact-center preset with overrides written as TOML.
    pub fn with_toml(text: &str) -> Desk {
        Desk::new(Profile::from_toml(text).expect("valid test profile"))
    }

    pub fn with_overrides(overrides: ProfileOverrides) -> Desk {
        Desk::new(overrides.build().expect("valid test profile"))
    }

    fn local(&self) -> Millis {
        // The replicas' monotonic clock reads the same numbers: offset 0.
        Millis(self.now.0)
    }

    /// Connects a session for `name` and syncs its replica from a snapshot.
    pub fn connect(&mut self, name: &str) -> SessionId {
        self.connect_as(name, Role::Agent)
    }

    /// Connects a session for `name` with `role` (a supervisor, say).
    pub fn connect_as(&mut self, name: &str, role: Role) -> SessionId {
        let who = user(name);
        self.roles.insert(who.clone(), role);
        let session = SessionId(self.next_session);
        self.next_session += 1;
        self.feed(Input::Connect { session, user: who.clone() });
        // Events up to now are covered by the snapshot below, as on the wire.
        self.pump();
        self.sessions.entry(who.clone()).or_default().push(session);
        let welcome = ServerMessage::Welcome {
            protocol: PROTOCOL_VERSION,
            user: who.clone(),
            role,
            server_time: self.now,
            profile: Box::new(self.center.profile().clone()),
            snapshot: Some(Snapshot { seq: self.center.last_seq(&who), state: self.center.snapshot(&who, self.now) }),
        };
        let local = self.local();
        let replica = self.replicas.entry(who.clone()).or_insert_with(|| Replica::new(name));
        replica.handle_message(local, roundtrip(&welcome)).expect("welcome applies");
        self.drain_notices(&who);
        session
    }

    /// Drops every session of `name`.
    pub fn disconnect(&mut self, name: &str) {
        for session in self.sessions.remove(&user(name)).unwrap_or_default() {
            self.feed(Input::Disconnect { session });
        }
        self.pump();
    }

    /// Connects and logs in.
    pub fn sign_in(&mut self, name: &str) {
        self.connect(name);
        self.send(name, CommandKind::Login).expect("login");
    }

    /// Connects, logs in and goes available.
    pub fn ready(&mut self, name: &str) {
        self.sign_in(name);
        let available = self.center.profile().available_status.clone();
        self.send(name, CommandKind::SetStatus { status: available, secondary: None }).expect("go available");
    }

    /// Sends a command the way the browser does: validated by the replica,
    /// transmitted as JSON, answered by the center, the answer fed back.
    pub fn send(&mut self, name: &str, kind: CommandKind) -> Result<(), String> {
        let who = user(name);
        let local = self.local();
        let replica = self.replicas.get_mut(&who).expect("connected agent");
        replica.command(local, kind).map_err(|e| e.code().to_owned())?;
        let Some(ClientMessage::Command { id, kind }) = sent(replica) else {
            panic!("a command frame was expected")
        };
        let role = self.role_of(&who);
        let reply = self.command(Actor { user: who.clone(), role }, id.clone(), kind);
        self.pump();
        let answer = match &reply {
            Ok(seq) => ServerMessage::Ack { id, seq: *seq },
            Err(refusal) => ServerMessage::Nack { id: Some(id), code: refusal.code.clone(), message: refusal.message.clone() },
        };
        let local = self.local();
        self.replicas.get_mut(&who).expect("connected").handle_message(local, roundtrip(&answer)).expect("answer applies");
        self.drain_notices(&who);
        reply.map(|_| ()).map_err(|r| r.code)
    }

    /// The role `who` connected with (an agent if it never did).
    pub fn role_of(&self, who: &UserId) -> Role {
        self.roles.get(who).copied().unwrap_or(Role::Agent)
    }

    /// Sends a command straight to the center, bypassing replica validation.
    pub fn raw(&mut self, name: &str, role: Role, id: &str, kind: CommandKind) -> Reply {
        let reply = self.command(Actor { user: user(name), role }, CommandId::from(id), kind);
        self.pump();
        reply
    }

    fn command(&mut self, actor: Actor, id: CommandId, kind: CommandKind) -> Reply {
        match self.feed(Input::Command { actor, id, kind }) {
            Outcome::Reply(reply) => reply,
            other => panic!("a command is answered with a reply, not {other:?}"),
        }
    }

    /// Applies an input at the desk's time through [`Center::apply`], logging
    /// it when it changed the center. Events stay queued for [`Desk::pump`].
    pub fn feed(&mut self, input: Input) -> Outcome {
        let applied = self.center.apply(self.now, input.clone());
        if applied.changed {
            self.inputs.push((self.now, input));
        }
        applied.outcome
    }

    /// A customer contact arrives.
    pub fn call(&mut self, channel: Channel, from: &str) -> ContactId {
        let outcome = self.feed(Input::EnqueueContact { queue: support(), channel, from: from.to_owned() });
        let Outcome::Contact(Ok(id)) = outcome else { panic!("the queue exists: {outcome:?}") };
        self.pump();
        id
    }

    /// Delivers every pending center event to the connected replicas, as JSON.
    pub fn pump(&mut self) {
        let local = self.local();
        while let Some(event) = self.center.poll_event() {
            self.log.push(event.clone());
            let connected = self.sessions.get(&event.agent).is_some_and(|s| !s.is_empty());
            if let (true, Some(replica)) = (connected, self.replicas.get_mut(&event.agent)) {
                replica.handle_message(local, roundtrip(&ServerMessage::Event(event.clone()))).expect("event applies");
                // The page gets the view after each event, written by the codec.
                let view = replica.view(local);
                let expected = serde_json::to_string(&view).expect("serialises");
                assert_eq!(codec::to_string(&view), expected, "the codec writes another view than serde_json");
                let resync = replica.poll_transmit();
                assert!(resync.is_none(), "replica of {} saw a gap at {}: {resync:?}", event.agent, event.seq);
            }
            let agent = event.agent.clone();
            self.drain_notices(&agent);
        }
    }

    fn drain_notices(&mut self, who: &UserId) {
        if let Some(replica) = self.replicas.get_mut(who) {
            while let Some(notice) = replica.poll_notice() {
                self.notices.entry(who.clone()).or_default().push(notice);
            }
        }
    }

    /// Moves the clock forward by `ms`, firing every deadline on the way at
    /// its own time.
    pub fn advance(&mut self, ms: u64) {
        let until = self.now.plus(ms);
        while let Some(deadline) = self.center.poll_timeout().filter(|d| *d <= until) {
            self.now = deadline.max(self.now);
            self.feed(Input::Timeout);
            self.pump();
        }
        self.now = until;
        self.feed(Input::Timeout);
        self.pump();
    }

    /// Jumps to the next deadline of the center and fires it.
    pub fn jump_to_next_deadline(&mut self) -> ServerTime {
        let deadline = self.center.poll_timeout().expect("a deadline is armed");
        self.advance(deadline.since(self.now));
        deadline
    }

    pub fn view(&self, name: &str) -> View<'_> {
        self.replicas[&user(name)].view(self.local())
    }

    /// The card of interaction `id` on the desk of `name`.
    pub fn card(&self, name: &str, id: InteractionId) -> InteractionView<'_> {
        self.view(name).interactions.into_iter().find(|i| i.id == id).expect("the interaction is on the desk")
    }

    /// When the replica of `name` says its view next changes.
    pub fn next_change(&self, name: &str) -> Option<ServerTime> {
        self.replicas[&user(name)].next_change(self.local()).map(|m| ServerTime(m.0))
    }

    pub fn status_of(&self, name: &str) -> String {
        self.center.agent(&user(name)).expect("known agent").status.to_string()
    }

    /// The replica of `name` agrees with the center about its agent.
    pub fn assert_converged(&self, name: &str) {
        let who = user(name);
        let replica = self.replicas[&who].state().expect("synced");
        assert_eq!(replica, self.center.agent(&who).expect("known"), "replica of {name} diverged");
    }
}

/// Serialises and parses a message, as the wire does. Every message also
/// goes through the browser's codec, which must write the same bytes as
/// serde_json and read back the same value.
/// The next message `replica` sends, as the server reads it: written by the
/// codec as the browser engine writes it (a command as its text) and read
/// by the server's decoder; the codec reads it the same, and serde_json
/// writes it back byte for byte.
pub fn sent(replica: &mut Replica) -> Option<ClientMessage> {
    let frame = codec::to_string(&replica.poll_transmit()?);
    let message = ClientMessage::decode(&frame).unwrap_or_else(|e| panic!("the server refuses {frame}: {e:?}"));
    assert_eq!(serde_json::to_string(&message).expect("serialises"), frame, "the codec writes other JSON than serde_json");
    assert_eq!(codec::from_str::<ClientMessage>(&frame).as_ref(), Ok(&message), "the codec reads another message from {frame}");
    Some(message)
}

pub fn roundtrip<T>(message: &T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned + codec::Encode + codec::Decode + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(message).expect("serialises");
    assert_eq!(codec::to_string(message), text, "the codec writes other JSON than serde_json");
    let parsed: T = serde_json::from_str(&text).expect("parses");
    let decoded: T = codec::from_str(&text).unwrap_or_else(|e| panic!("the codec cannot read {text}: {e}"));
    assert_eq!(decoded, parsed, "the codec reads another value than serde_json from {text}");
    parsed
}
