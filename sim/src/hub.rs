//! The simulator's sans-IO core: the center, a virtual clock, the simulated
//! sockets and what each of them is sent.
//!
//! It answers as the server does (`docs/protocol.md`): a hello is welcomed
//! with a snapshot or the missed events (SPEC N2), a command with its events
//! to every session of the user (N4) and then its ack or nack (N1), a ping
//! with a pong (O7). The welcome, the answers and the state view are the
//! core's own ([`ServerMessage::welcome`], [`ServerMessage::answer`],
//! [`Center::sim_state`]), shared with the server. Time moves only through
//! [`Hub::advance_to`], which fires the center's deadlines (offer expiry,
//! RONA, the reconnect grace, auto-away) exactly when they fall due.
//!
//! The presence roster (SPEC S6, S12) is the core's [`RosterHub`], as on
//! the server: a subscriber gets its snapshot, then each change after the
//! events that made it.
//!
//! A token is the user's id: the page says who it is, there is nothing to
//! sign. Unlike the server nothing is stored, and there is no dialler.

use ringside::center::{Center, Input, Outcome, RosterHub, RosterSessions, SimState};
use ringside::model::directory::{check_id, Directory};
use ringside::model::profile::ProfileOverrides;
use ringside::model::state::Event;
use ringside::model::{Actor, ContactId, QueueId, Refusal, Role, Seq, ServerTime, SessionId, UserId};
use ringside::protocol::limits::{check_name, MAX_FROM_BYTES};
use ringside::protocol::{ClientMessage, FrameError, HelloRefusal, ServerMessage, CLOSE_TOO_BIG};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// How many recent events of each user are kept for a resume (the
/// server's default `event_log_per_agent`); an older resume point gets a
/// snapshot, as on the server.
pub const RECENT_EVENTS: usize = 256;

/// Close code: the token names no user of the simulator.
pub const CLOSE_UNAUTHORIZED: u16 = 4001;
/// Close code: the connection dropped (as a network failure shows it).
pub const CLOSE_ABNORMAL: u16 = 1006;

/// What the page gives `createSimulator`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimConfig {
    /// The profile: a preset and overrides, as the server's `[profile]`.
    #[serde(default)]
    pub profile: ProfileOverrides,
    /// The queues contacts can be placed on.
    #[serde(default = "default_queues")]
    pub queues: Vec<QueueId>,
    /// The users who may connect; their ids are their tokens.
    pub agents: Vec<SimUser>,
    /// Teams, queue memberships and favourites, as the server's
    /// `[directory]`: whom routing offers a queue's contacts to, and whose
    /// presence each user's roster follows (SPEC S6, S12).
    #[serde(default)]
    pub directory: Directory,
}

fn default_queues() -> Vec<QueueId> {
    vec![QueueId::from("support")]
}

/// A user of the simulator: an id (an agent) or an id with a role.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SimUser {
    /// An agent.
    Agent(UserId),
    /// A user with its role.
    WithRole {
        /// The id, also its token.
        id: UserId,
        /// `agent`, `supervisor` or `admin`.
        role: Role,
    },
}

impl SimUser {
    fn actor(self) -> Actor {
        match self {
            SimUser::Agent(user) => Actor { user, role: Role::Agent },
            SimUser::WithRole { id, role } => Actor { user: id, role },
        }
    }
}

/// What a customer action returns, in the server's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum CustomerReply {
    /// The new contact.
    Contact {
        /// Its id.
        contact: ContactId,
    },
    /// Done.
    Done {
        /// Always true.
        ok: bool,
    },
}

/// What a simulated socket is to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Receive this text frame.
    Text(String),
    /// Close with this code and reason; the hub has forgotten the session.
    Close(u16, String),
}

/// One delivery to one socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outgoing {
    /// The socket.
    pub session: SessionId,
    /// What it gets.
    #[serde(flatten)]
    pub delivery: Delivery,
}

impl Outgoing {
    /// `message` as a text frame to `session`.
    fn text(session: SessionId, message: &ServerMessage) -> Outgoing {
        Outgoing { session, delivery: Delivery::Text(message.encode()) }
    }
}

/// The simulated center and its sockets.
#[derive(Debug)]
pub struct Hub {
    center: Center,
    now: ServerTime,
    users: BTreeMap<UserId, Role>,
    /// Open sockets: `None` until their hello was welcomed.
    sessions: BTreeMap<SessionId, Option<Actor>>,
    next_session: u64,
    /// Each user's last [`RECENT_EVENTS`] events, for resume.
    recent: BTreeMap<UserId, VecDeque<Event>>,
    outgoing: VecDeque<Outgoing>,
    roster: RosterHub,
}

/// The hub's sockets as the roster sees them: the welcomed ones, and the
/// queue of deliveries.
struct Sockets<'a> {
    sessions: &'a BTreeMap<SessionId, Option<Actor>>,
    outgoing: &'a mut VecDeque<Outgoing>,
}

impl RosterSessions for Sockets<'_> {
    fn actor(&self, session: SessionId) -> Option<&Actor> {
        self.sessions.get(&session).and_then(Option::as_ref)
    }

    fn send(&mut self, session: SessionId, message: ServerMessage) {
        self.outgoing.push_back(Outgoing::text(session, &message));
    }
}

impl Hub {
    /// A simulator from the page's configuration, its clock at `start`.
    pub fn new(config: SimConfig, start: ServerTime) -> Result<Hub, Refusal> {
        let profile = config.profile.build().map_err(|e| refusal("bad_config", format!("profile: {e}")))?;
        // The server's bounds: ids travel in every offer and event (SPEC N8).
        if config.queues.is_empty() {
            return Err(refusal("bad_config", "at least one queue is needed".into()));
        }
        let users: BTreeMap<UserId, Role> = config.agents.into_iter().map(SimUser::actor).map(|a| (a.user, a.role)).collect();
        let ids = config.queues.iter().map(|q| ("queues", q.as_str())).chain(users.keys().map(|u| ("agents", u.as_str())));
        for (field, id) in ids {
            check_id(field, id).map_err(|e| refusal("bad_config", e.to_string()))?;
        }
        let mut center = Center::new(profile, config.queues);
        center.save_directory(config.directory).map_err(|e| refusal("bad_config", format!("directory: {e}")))?;
        Ok(Hub {
            center,
            now: start,
            users,
            sessions: BTreeMap::new(),
            next_session: 1,
            recent: BTreeMap::new(),
            outgoing: VecDeque::new(),
            roster: RosterHub::new(start.0),
        })
    }

    /// The virtual time now.
    pub fn now(&self) -> ServerTime {
        self.now
    }

    /// When the center next acts by itself, if it has anything armed.
    pub fn next_deadline(&self) -> Option<ServerTime> {
        self.center.poll_timeout()
    }

    /// Moves the clock to `at` (never backwards) and fires what is due by
    /// then. To fire each deadline at its own time, step through
    /// [`Hub::next_deadline`].
    pub fn advance_to(&mut self, at: ServerTime) {
        self.now = self.now.max(at);
        if self.next_deadline().is_some_and(|due| due <= self.now) {
            self.apply(Input::Timeout);
        }
    }

    /// A socket opened; it must say hello first.
    pub fn open(&mut self) -> SessionId {
        let session = SessionId(self.next_session);
        self.next_session += 1;
        self.sessions.insert(session, None);
        session
    }

    /// The page closed a socket (or it dropped): the center starts the
    /// reconnect grace when it was the user's last (SPEC N3).
    pub fn closed(&mut self, session: SessionId) {
        if let Some(Some(_)) = self.sessions.remove(&session) {
            self.roster.unsubscribe(session);
            self.apply(Input::Disconnect { session });
        }
    }

    /// Drops every socket of `user` as a network failure would (close code
    /// 1006); the engines reconnect and resume.
    pub fn drop_connections(&mut self, user: &UserId) {
        let of_user: Vec<SessionId> =
            self.sessions.iter().filter(|(_, a)| a.as_ref().is_some_and(|a| &a.user == user)).map(|(s, _)| *s).collect();
        for session in of_user {
            self.close(session, CLOSE_ABNORMAL, "connection lost");
        }
    }

    /// The next delivery to a socket, oldest first.
    pub fn poll_outgoing(&mut self) -> Option<Outgoing> {
        self.outgoing.pop_front()
    }

    /// A text frame from a socket.
    pub fn receive(&mut self, session: SessionId, text: &str) {
        let Some(state) = self.sessions.get(&session) else { return };
        let Some(actor) = state.clone() else { return self.hello(session, text) };
        let reply = match ClientMessage::decode(text) {
            Err(refused) if matches!(refused.error, FrameError::Oversize(_)) => {
                return self.fail(session, refused.error.code(), &refused.error.to_string(), CLOSE_TOO_BIG);
            }
            Err(refused) => ServerMessage::Nack { id: refused.id, code: refused.error.code().into(), message: refused.error.to_string() },
            Ok(ClientMessage::Hello { .. }) => {
                ServerMessage::Nack { id: None, code: "already_authenticated".into(), message: "this session has already said hello".into() }
            }
            Ok(ClientMessage::Ping { client_time }) => ServerMessage::Pong { client_time, server_time: self.now },
            Ok(ClientMessage::Resync) => ServerMessage::welcome(&self.center, &actor, self.now, true),
            Ok(ClientMessage::SubscribeRoster { resume }) => {
                let mut sockets = Sockets { sessions: &self.sessions, outgoing: &mut self.outgoing };
                return self.roster.subscribe(&self.center, self.now, &mut sockets, session, resume);
            }
            Ok(ClientMessage::UnsubscribeRoster) => return self.roster.unsubscribe(session),
            Ok(ClientMessage::Command { id, kind }) => match self.apply(Input::Command { actor, id: id.clone(), kind }) {
                Outcome::Reply(reply) => ServerMessage::answer(id, reply),
                _ => return,
            },
        };
        self.send(session, &reply);
    }

    /// A customer's action, as the server's `/sim/` endpoints take it: one
    /// of the center's inputs from outside it (a contact arrives, the
    /// customer or a dialled party hangs up, an offer is undeliverable, a
    /// dialled number answers), checked as the server checks it. Any other
    /// input is refused: agents act through their sockets, time through
    /// `advance_to`.
    pub fn customer(&mut self, input: Input) -> Result<CustomerReply, Refusal> {
        match &input {
            Input::EnqueueContact { from, .. } => {
                check_name("from", from, MAX_FROM_BYTES).map_err(|e| refusal("bad_request", e.to_string()))?;
            }
            Input::CustomerHangUp { .. }
            | Input::OfferUndeliverable { .. }
            | Input::NumberAnswers { .. }
            | Input::PartyHangsUp { .. }
            | Input::DialAnswers { .. } => {}
            _ => return Err(refusal("bad_request", "not a customer's action".into())),
        }
        match self.apply(input) {
            Outcome::Contact(result) => result.map(|contact| CustomerReply::Contact { contact }).map_err(Refusal::from),
            Outcome::Done(result) => result.map(|()| CustomerReply::Done { ok: true }).map_err(Refusal::from),
            _ => Err(refusal("unavailable", "the center gave no answer".into())),
        }
    }

    /// The simulated center, to read: where a tool that drives the hub (the
    /// engine's fuzz target) finds live ids to name.
    pub fn center(&self) -> &Center {
        &self.center
    }

    /// Queues, agents and the next deadline, as `GET /sim/state`.
    pub fn state(&self) -> SimState {
        self.center.sim_state(self.now)
    }

    fn hello(&mut self, session: SessionId, text: &str) {
        let (token, resume) = match ClientMessage::read_hello(text) {
            Ok(hello) => hello,
            Err(HelloRefusal { code, message, close }) => return self.fail(session, code, &message, close),
        };
        let user = UserId::from(token.as_str());
        let Some(role) = self.users.get(&user).copied() else {
            let message = format!("no user {token} in this simulator");
            return self.fail(session, "unauthorized", &message, CLOSE_UNAUTHORIZED);
        };
        let actor = Actor { user, role };
        // The other sessions of the user see what connecting changed; this
        // one starts from the welcome (and replay) after it.
        self.apply(Input::Connect { session, user: actor.user.clone() });
        let replay = resume.and_then(|from| self.replay(&actor.user, from));
        let welcome = ServerMessage::welcome(&self.center, &actor, self.now, replay.is_none());
        self.send(session, &welcome);
        for event in replay.unwrap_or_default() {
            self.send(session, &ServerMessage::Event(event));
        }
        self.sessions.insert(session, Some(actor));
    }

    /// The events of `user` after `from`, if they are all still kept.
    fn replay(&self, user: &UserId, from: Seq) -> Option<Vec<Event>> {
        let last = self.center.last_seq(user);
        if from > last {
            return None;
        }
        let events: Vec<Event> = self.recent.get(user).into_iter().flatten().filter(|e| e.seq > from).cloned().collect();
        events.iter().map(|e| e.seq.0).eq(from.0 + 1..=last.0).then_some(events)
    }

    /// Applies an input at the virtual time; its events go to every
    /// welcomed session of their user, then the presence changes they made
    /// to the roster's subscribers, before any answer to the input.
    fn apply(&mut self, input: Input) -> Outcome {
        let applied = self.center.apply(self.now, input);
        // No calling lists here: the center's writes to them are dropped.
        while self.center.poll_list_write().is_some() {}
        let mut touched = BTreeSet::new();
        while let Some(event) = self.center.poll_event() {
            touched.insert(event.agent.clone());
            let frame = ServerMessage::Event(event.clone()).encode();
            for (session, actor) in &self.sessions {
                if actor.as_ref().is_some_and(|a| a.user == event.agent) {
                    self.outgoing.push_back(Outgoing { session: *session, delivery: Delivery::Text(frame.clone()) });
                }
            }
            let recent = self.recent.entry(event.agent.clone()).or_default();
            recent.push_back(event);
            if recent.len() > RECENT_EVENTS {
                recent.pop_front();
            }
        }
        let mut sockets = Sockets { sessions: &self.sessions, outgoing: &mut self.outgoing };
        self.roster.after_batch(&self.center, self.now, &mut sockets, &touched, true);
        applied.outcome
    }

    fn send(&mut self, session: SessionId, message: &ServerMessage) {
        self.outgoing.push_back(Outgoing::text(session, message));
    }

    /// Sends an error, closes the socket and forgets the session.
    fn fail(&mut self, session: SessionId, code: &str, message: &str, close_code: u16) {
        self.send(session, &ServerMessage::Error { code: code.into(), message: message.into() });
        self.close(session, close_code, code);
    }

    fn close(&mut self, session: SessionId, code: u16, reason: &str) {
        self.outgoing.push_back(Outgoing { session, delivery: Delivery::Close(code, reason.into()) });
        self.closed(session);
    }
}

fn refusal(code: &str, message: String) -> Refusal {
    Refusal { code: code.into(), message }
}


#[cfg(test)]
mod tests {
    use super::*;
    use ringside::model::state::EventKind;
    use ringside::model::Channel;
    use ringside::protocol::PROTOCOL_VERSION;

    const START: u64 = 1_800_000_000_000;

    fn hub() -> Hub {
        let config: SimConfig = serde_json::from_str(
            r#"{ "queues": ["support"], "agents": ["ana", { "id": "sue", "role": "supervisor" }],
                 "profile": { "preset": "contact_center", "channels": { "voice": { "offer_timeout_ms": 12000 } } } }"#,
        )
        .expect("a valid config");
        Hub::new(config, ServerTime(START)).expect("a valid profile")
    }

    /// Every message queued for `session` since the last call (other
    /// sessions' deliveries are kept for them).
    fn inbox(hub: &mut Hub, session: SessionId) -> Vec<ServerMessage> {
        let all: Vec<Outgoing> = std::iter::from_fn(|| hub.poll_outgoing()).collect();
        let (mine, others): (Vec<_>, Vec<_>) = all.into_iter().partition(|o| o.session == session);
        hub.outgoing.extend(others);
        mine.into_iter()
            .map(|o| match o.delivery {
                Delivery::Text(text) => ServerMessage::decode(&text).expect("the hub sends protocol frames"),
                Delivery::Close(code, reason) => ServerMessage::Error { code: format!("close {code}"), message: reason },
            })
            .collect()
    }

    fn say(hub: &mut Hub, session: SessionId, message: &ClientMessage) {
        hub.receive(session, &message.encode());
    }

    fn hello(hub: &mut Hub, user: &str, resume: Option<Seq>) -> (SessionId, Vec<ServerMessage>) {
        let session = hub.open();
        say(hub, session, &ClientMessage::Hello { token: user.into(), resume, protocol: PROTOCOL_VERSION });
        let welcome = inbox(hub, session);
        (session, welcome)
    }

    fn command(hub: &mut Hub, session: SessionId, id: &str, kind: &str) -> Vec<ServerMessage> {
        let text = format!(r#"{{"command":{{"id":"{id}","kind":{kind}}}}}"#);
        hub.receive(session, &text);
        inbox(hub, session)
    }

    fn kinds(messages: &[ServerMessage]) -> Vec<&EventKind> {
        messages.iter().filter_map(|m| if let ServerMessage::Event(e) = m { Some(&e.kind) } else { None }).collect()
    }

    fn place(hub: &mut Hub) -> ContactId {
        let placed = hub.customer(Input::EnqueueContact { queue: "support".into(), channel: Channel::Voice, from: "+46 8 555 0100".into() });
        match placed {
            Ok(CustomerReply::Contact { contact }) => contact,
            other => panic!("no contact: {other:?}"),
        }
    }

    // SPEC N5: only a known user is welcomed, and only after hello.
    #[test]
    fn an_unknown_token_or_a_frame_before_hello_is_refused_and_closed() {
        let mut hub = hub();
        let (stranger, answer) = hello(&mut hub, "mallory", None);
        assert!(matches!(&answer[0], ServerMessage::Error { code, .. } if code == "unauthorized"));
        assert!(matches!(&answer[1], ServerMessage::Error { code, .. } if code == "close 4001"));
        let rude = hub.open();
        say(&mut hub, rude, &ClientMessage::Ping { client_time: 1 });
        assert!(matches!(&inbox(&mut hub, rude)[..], [ServerMessage::Error { code, .. }, _] if code == "hello_required"));
        say(&mut hub, stranger, &ClientMessage::Ping { client_time: 1 });
        assert!(inbox(&mut hub, stranger).is_empty(), "a closed session is forgotten");
    }

    // As the server answers them (docs/server.md, close codes): a first frame
    // that is no JSON is not a hello; one over the frame limit is too big.
    #[test]
    fn a_first_frame_that_is_no_json_or_too_big_is_refused_as_the_server_refuses_it() {
        let mut hub = hub();
        let garbled = hub.open();
        hub.receive(garbled, "not json");
        assert!(matches!(&inbox(&mut hub, garbled)[..], [ServerMessage::Error { code, .. }, ServerMessage::Error { code: close, .. }]
            if code == "hello_required" && close == "close 4002"));
        let big = hub.open();
        hub.receive(big, &"x".repeat(ringside::protocol::MAX_FRAME_BYTES + 1));
        assert!(matches!(&inbox(&mut hub, big)[..], [ServerMessage::Error { code, .. }, ServerMessage::Error { code: close, .. }]
            if code == "oversize_frame" && close == "close 1009"));
    }

    // The server's bounds on ids (docs/server.md, SPEC N8) hold for the page's set-up too.
    #[test]
    fn ids_the_server_would_refuse_are_bad_config() {
        let config = |text: &str| serde_json::from_str::<SimConfig>(text).expect("well-formed");
        let long = "q".repeat(65);
        for text in [
            r#"{ "queues": [], "agents": ["ana"] }"#.to_owned(),
            r#"{ "queues": [""], "agents": ["ana"] }"#.to_owned(),
            format!(r#"{{ "queues": ["{long}"], "agents": ["ana"] }}"#),
            r#"{ "agents": ["an\u0007a"] }"#.to_owned(),
            r#"{ "agents": [""] }"#.to_owned(),
        ] {
            let refused = Hub::new(config(&text), ServerTime(START)).err();
            assert_eq!(refused.map(|r| r.code), Some("bad_config".into()), "{text}");
        }
    }

    // SPEC O1, O3, O7: the offer expires exactly at its deadline on the
    // virtual clock, the agent goes to rona and the contact back to its queue.
    #[test]
    fn an_offer_left_unanswered_ends_in_rona_exactly_at_its_deadline() {
        let mut hub = hub();
        let (ana, welcome) = hello(&mut hub, "ana", None);
        assert!(matches!(&welcome[..], [ServerMessage::Welcome { snapshot: Some(_), server_time, .. }] if server_time.0 == START));
        assert!(matches!(command(&mut hub, ana, "c1", r#""login""#).last(), Some(ServerMessage::Ack { .. })));
        command(&mut hub, ana, "c2", r#"{"set_status":{"status":"available","secondary":null}}"#);
        let contact = place(&mut hub);
        let offered = inbox(&mut hub, ana);
        let Some(EventKind::OfferCreated { offer }) = kinds(&offered).into_iter().next() else { panic!("no offer: {offered:?}") };
        assert_eq!(offer.deadline, ServerTime(START + 12_000));
        assert_eq!(hub.next_deadline(), Some(offer.deadline));

        hub.advance_to(ServerTime(START + 11_999));
        assert!(inbox(&mut hub, ana).is_empty(), "nothing happens before the deadline");
        hub.advance_to(ServerTime(START + 12_000));
        let expired = inbox(&mut hub, ana);
        let rona = kinds(&expired).into_iter().any(|k| matches!(k, EventKind::StatusChanged { status, .. } if status.as_str() == "rona"));
        assert!(rona, "the agent is in rona: {expired:?}");
        let state = hub.state();
        assert_eq!(state.queues[&QueueId::from("support")][0].contact, contact, "back in its queue");
    }

    // SPEC N4, N1: every session of a user gets its events; only the
    // sender gets the ack. SPEC O7: the pong carries the virtual time.
    #[test]
    fn two_tabs_of_one_user_see_the_same_events_and_the_sender_gets_the_answer() {
        let mut hub = hub();
        let (first, _) = hello(&mut hub, "ana", None);
        let (second, _) = hello(&mut hub, "ana", None);
        let answered = command(&mut hub, first, "c1", r#""login""#);
        assert!(matches!(answered.last(), Some(ServerMessage::Ack { .. })));
        let seen = inbox(&mut hub, second);
        assert!(!seen.is_empty() && seen.iter().all(|m| matches!(m, ServerMessage::Event(_))), "{seen:?}");
        let refused = command(&mut hub, second, "c2", r#""login""#);
        assert!(matches!(refused.last(), Some(ServerMessage::Nack { .. })), "a second login is refused");
        hub.advance_to(ServerTime(START + 5_000));
        say(&mut hub, second, &ClientMessage::Ping { client_time: 7 });
        assert_eq!(inbox(&mut hub, second), vec![ServerMessage::Pong { client_time: 7, server_time: ServerTime(START + 5_000) }]);
    }

    // SPEC N2, N3: a dropped engine resumes with the events it missed, not
    // a snapshot; a resume point from the future gets a snapshot.
    #[test]
    fn a_dropped_session_resumes_with_exactly_the_missed_events() {
        let mut hub = hub();
        let (ana, _) = hello(&mut hub, "ana", None);
        let held = kinds(&command(&mut hub, ana, "c1", r#""login""#)).len() as u64;
        hub.drop_connections(&UserId::from("ana"));
        assert!(matches!(&inbox(&mut hub, ana)[..], [ServerMessage::Error { code, .. }] if code == "close 1006"));
        let (_, resumed) = hello(&mut hub, "ana", Some(Seq(held)));
        assert!(matches!(&resumed[0], ServerMessage::Welcome { snapshot: None, .. }), "{resumed:?}");
        let replayed: Vec<u64> = resumed.iter().filter_map(|m| if let ServerMessage::Event(e) = m { Some(e.seq.0) } else { None }).collect();
        assert_eq!(replayed, (held + 1..=hub.center.last_seq(&UserId::from("ana")).0).collect::<Vec<_>>());
        let (_, fresh) = hello(&mut hub, "ana", Some(Seq(999)));
        assert!(matches!(&fresh[..], [ServerMessage::Welcome { snapshot: Some(_), .. }]));
    }

    // SPEC S6, S12: a supervisor follows its team's presence through the
    // core's roster, as on the server: the snapshot, then each change after
    // the events that made it, and nothing once unsubscribed.
    #[test]
    fn a_supervisor_follows_the_team_roster() {
        let config: SimConfig = serde_json::from_str(
            r#"{ "agents": ["ana", "bob", { "id": "sue", "role": "supervisor" }],
                 "directory": { "teams": { "floor": { "label": "Floor" } },
                                "members": { "ana": { "teams": ["floor"] }, "sue": { "teams": ["floor"] } } } }"#,
        )
        .expect("a valid config");
        let mut hub = Hub::new(config, ServerTime(START)).expect("a valid directory");
        let (sue, _) = hello(&mut hub, "sue", None);
        say(&mut hub, sue, &ClientMessage::SubscribeRoster { resume: None });
        let snapshot = inbox(&mut hub, sue);
        let [ServerMessage::Roster(roster)] = &snapshot[..] else { panic!("a snapshot: {snapshot:?}") };
        let users: Vec<&str> = roster.entries.iter().map(|e| e.user.as_str()).collect();
        assert_eq!(users, ["ana", "sue"], "the team, not bob");

        let (ana, _) = hello(&mut hub, "ana", None);
        command(&mut hub, ana, "c1", r#""login""#);
        let changes = inbox(&mut hub, sue);
        let last = changes.iter().rev().find_map(|m| if let ServerMessage::Presence { entry, .. } = m { Some(entry) } else { None });
        assert!(last.is_some_and(|e| e.user.as_str() == "ana" && e.logged_in), "ana's login reaches sue: {changes:?}");
        let (bob, _) = hello(&mut hub, "bob", None);
        command(&mut hub, bob, "c1", r#""login""#);
        assert!(inbox(&mut hub, sue).iter().all(|m| !matches!(m, ServerMessage::Presence { .. })), "bob is not followed");

        say(&mut hub, sue, &ClientMessage::UnsubscribeRoster);
        command(&mut hub, ana, "c2", r#""logout""#);
        assert!(inbox(&mut hub, sue).is_empty(), "nothing after unsubscribing");
    }

    // SPEC N8: the customer's texts are bounded as on the server; a refused
    // action names the center's code.
    #[test]
    fn customer_actions_are_checked_as_the_server_checks_them() {
        let mut hub = hub();
        let long = Input::EnqueueContact { queue: "support".into(), channel: Channel::Chat, from: "x".repeat(MAX_FROM_BYTES + 1) };
        assert_eq!(hub.customer(long).map_err(|r| r.code), Err("bad_request".to_owned()));
        let unknown = hub.customer(Input::CustomerHangUp { contact: ContactId(404) });
        assert!(unknown.is_err());
        let contact = place(&mut hub);
        assert_eq!(hub.customer(Input::CustomerHangUp { contact }), Ok(CustomerReply::Done { ok: true }));
        assert!(hub.state().queues[&QueueId::from("support")].is_empty());
        // Agents act through their sockets and time through advance_to.
        assert_eq!(hub.customer(Input::Timeout).map_err(|r| r.code), Err("bad_request".to_owned()));
    }
}
