//! Tests of the browser engine. The engine does no I/O of its own: each
//! test stands in for the package's wrapper (js/engine.js and js/index.js),
//! records what the engine delivers (the page's events, the sockets and
//! timers it asks for) and hands it frames, closes and timers on a clock of
//! its own. The engine is sans-IO, so this runs natively; the wrapper's I/O
//! against a real server, through the wasm module, is tested end to end
//! (e2e/).

use ringside::model::profile::Preset;
use ringside::model::state::{AgentState, CommandKind, Event, EventKind, OfferInfo};
use ringside::model::{Channel, ContactId, Millis, OfferId, Profile, QueueId, Role, Seq, ServerTime, StatusId, UserId};
use ringside::protocol::{ClientMessage, ServerMessage, Snapshot, MAX_COMMAND_TEXT_BYTES, PROTOCOL_VERSION};
use ringside::web::{Engine, Host, Timer};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// The wrapper's side of an engine: everything delivered, in order, and
/// the clock the engine reads.
#[derive(Clone, Default)]
struct Page {
    delivered: Rc<RefCell<Vec<(String, String)>>>,
    clock: Rc<Cell<u64>>,
}

impl Host for Page {
    fn deliver(&self, kind: &str, payload: &str) {
        self.delivered.borrow_mut().push((kind.to_owned(), payload.to_owned()));
    }

    fn now(&self) -> Millis {
        Millis(self.clock.get())
    }
}

struct Desk {
    engine: Engine<Page>,
    page: Page,
}

impl Desk {
    fn new(tag: &str) -> Desk {
        let page = Page::default();
        page.clock.set(1_000);
        Desk { engine: Engine::new("token".to_owned(), tag, 7, page.clone()), page }
    }

    /// Deliveries from here on are `since(mark)`.
    fn mark(&self) -> usize {
        self.page.delivered.borrow().len()
    }

    fn since(&self, mark: usize) -> Vec<(String, String)> {
        self.page.delivered.borrow()[mark..].to_vec()
    }

    fn count(&self, kind: &str) -> usize {
        self.page.delivered.borrow().iter().filter(|(k, _)| k == kind).count()
    }

    fn count_since(&self, mark: usize, kind: &str) -> usize {
        self.since(mark).iter().filter(|(k, _)| k == kind).count()
    }

    /// The last event of that kind, parsed.
    fn last(&self, kind: &str) -> Option<Value> {
        self.page.delivered.borrow().iter().rev().find(|(k, _)| k == kind).map(|(_, p)| parse(p))
    }

    /// The frames sent since `mark`, parsed.
    fn sent_since(&self, mark: usize) -> Vec<Value> {
        self.since(mark).iter().filter(|(k, _)| k == "socket_send").map(|(_, p)| parse(p)).collect()
    }

    fn view(&self) -> Value {
        parse(&self.engine.view().expect("not busy"))
    }

    /// A text frame, as js/engine.js hands it over: copied in only when the
    /// engine takes its length in UTF-16 units.
    fn frame(&self, text: &str) {
        if self.engine.frame_fits(text.encode_utf16().count()) {
            self.engine.frame(text);
        }
    }

    /// Connects and opens the socket asked for; the hello goes out.
    fn open(&self) {
        let mark = self.mark();
        self.engine.connect();
        assert!(self.since(mark).iter().any(|(k, _)| k == "socket_open"), "a socket is asked for");
        self.engine.opened();
    }
}

/// The engine hands the page JSON text, as the package's wrapper parses it.
fn parse(json: &str) -> Value {
    serde_json::from_str(json).expect("the engine writes JSON")
}

/// The value at a dotted path; `Null` where there is none.
fn field(value: &Value, path: &str) -> Value {
    path.split('.').fold(value.clone(), |v, key| v.get(key).cloned().unwrap_or(Value::Null))
}

/// Whether the object at the dotted path's parent has its last key.
fn has(value: &Value, path: &str) -> bool {
    let (parent, key) = path.rsplit_once('.').map_or((value.clone(), path), |(p, k)| (field(value, p), k));
    parent.get(key).is_some()
}

fn text(value: &Value, path: &str) -> Option<String> {
    field(value, path).as_str().map(str::to_owned)
}

/// A welcome for ana with the contact_center preset and `state` at event 1.
fn welcome(server_time: ServerTime, state: AgentState) -> ServerMessage {
    ServerMessage::Welcome {
        protocol: PROTOCOL_VERSION,
        user: UserId::from("ana"),
        role: Role::Agent,
        server_time,
        profile: Box::new(Profile::preset(Preset::ContactCenter)),
        snapshot: Some(Snapshot { seq: Seq(1), state }),
    }
}

const NOW: ServerTime = ServerTime(1_800_000_000_000);

fn welcome_text(status: &str) -> String {
    let mut state = AgentState::new(UserId::from("ana"), status.into(), NOW);
    state.logged_in = status != "offline";
    state.connected = state.logged_in;
    json_text(&welcome(NOW, state))
}

fn json_text(message: &ServerMessage) -> String {
    ringside::codec::to_string(message)
}

/// SPEC N1, SPEC N5, SPEC N6, SPEC O7: the engine asks for a socket, says
/// hello with its token, goes live on the welcome and pings for the clock
/// offset; a command the rules refuse throws an `Error` with its code and
/// sends nothing; an accepted one goes out once, and its ack and a nack
/// reach the page with the command's id.
#[test]
fn the_engine_says_hello_goes_live_and_commands_round_trip() {
    let desk = Desk::new("round");
    let mark = desk.mark();
    desk.open();
    let hello = desk.sent_since(mark);
    assert_eq!(hello.len(), 1, "only the hello before the welcome: {hello:?}");
    assert_eq!(text(&hello[0], "hello.token").as_deref(), Some("token"));
    assert!(has(&hello[0], "hello.resume") && field(&hello[0], "hello.resume").is_null(), "a first hello asks for a snapshot");
    assert_eq!(desk.engine.connection_state(), "connecting");

    let mark = desk.mark();
    desk.frame(&welcome_text("available"));
    assert_eq!(desk.engine.connection_state(), "live");
    assert_eq!(text(&desk.last("connection").unwrap(), "state").as_deref(), Some("live"));
    assert_eq!(field(&desk.view(), "ready").as_bool(), Some(true));
    let after = desk.since(mark);
    assert!(after.iter().any(|(k, d)| k == "timer_wake" && !d.is_empty()), "a wake for the status timer, which the next ping rides on: {after:?}");
    assert!(desk.sent_since(mark).iter().any(|f| has(f, "ping")), "a ping at once");

    let mark = desk.mark();
    let refused = desk.engine.command(r#"{"set_status":{"status":"rona"}}"#).unwrap_err();
    assert_eq!(refused.code, "status_system_only");
    assert!(desk.sent_since(mark).is_empty(), "refused before sending");
    let mark = desk.mark();
    let id = desk.engine.command(r#"{"set_status":{"status":"lunch"}}"#).expect("a status the agent may choose");
    let sent = desk.sent_since(mark);
    assert_eq!(sent.len(), 1);
    assert_eq!(text(&sent[0], "command.id"), Some(id.clone()));
    desk.frame(&format!(r#"{{"ack":{{"id":"{id}","seq":2}}}}"#));
    assert_eq!(text(&desk.last("ack").unwrap(), "id"), Some(id));

    let id = desk.engine.command(r#"{"set_status":{"status":"available"}}"#).expect("back to available");
    desk.frame(&format!(r#"{{"nack":{{"id":"{id}","code":"busy","message":"try again"}}}}"#));
    let nack = desk.last("nack").expect("a nack event");
    assert_eq!(text(&nack, "id"), Some(id));
    assert_eq!(text(&nack, "code").as_deref(), Some("busy"));

    let mark = desk.mark();
    desk.engine.close();
    assert_eq!(desk.engine.connection_state(), "closed");
    let asked: Vec<_> = desk.since(mark).into_iter().map(|(k, d)| format!("{k}={d}")).collect();
    for wanted in ["socket_close=", "timer_retry=", "timer_ping=", "timer_wake="] {
        assert!(asked.iter().any(|a| a == wanted), "close asks for {wanted}: {asked:?}");
    }
}

/// SPEC N1, SPEC N6: the engine sends a command as the page wrote it,
/// once read and judged, and sends the same text again after a reconnect
/// while it is unanswered; the server reads it as the engine judged it.
/// A command the server would read otherwise (a field given twice) or that
/// no frame holds is refused with `invalid_message` and never sent.
#[test]
fn a_command_goes_out_as_the_page_wrote_it_and_again_after_a_reconnect() {
    let desk = Desk::new("text");
    desk.open();
    desk.frame(&welcome_text("available"));
    let written = "{ \"set_status\" : {\"status\":\"lunch\", \"note\": [1, 2]} }";
    let mark = desk.mark();
    let id = desk.engine.command(written).expect("a status the agent may choose");
    let frames: Vec<String> = desk.since(mark).into_iter().filter(|(k, _)| k == "socket_send").map(|(_, f)| f).collect();
    assert_eq!(frames, [format!(r#"{{"command":{{"id":"{id}","kind":{written}}}}}"#)]);
    let read = ClientMessage::decode(&frames[0]).expect("the server reads the frame");
    let ClientMessage::Command { kind, .. } = read else { panic!("a command: {read:?}") };
    assert_eq!(kind, CommandKind::SetStatus { status: StatusId::from("lunch"), secondary: None });

    desk.engine.closed(1006, String::new());
    desk.page.clock.set(desk.page.clock.get() + 60_000);
    desk.engine.fire(Timer::Retry);
    desk.engine.opened();
    let mark = desk.mark();
    desk.frame(&welcome_text("available"));
    let again: Vec<String> = desk.since(mark).into_iter().filter(|(k, f)| k == "socket_send" && f.starts_with(r#"{"command""#)).map(|(_, f)| f).collect();
    assert_eq!(again, frames, "unanswered, so sent again as it was");

    let mark = desk.mark();
    let twice = desk.engine.command(r#"{"set_status":{"status":"lunch","status":"rona"}}"#).unwrap_err();
    assert_eq!((twice.code.as_str(), twice.message.as_str()), ("invalid_message", "not a command: a field given twice at status"));
    let long = format!(r#"{{"set_status":{{"status":"lunch"{}}}}}"#, " ".repeat(MAX_COMMAND_TEXT_BYTES));
    let refused = desk.engine.command(&long).unwrap_err();
    assert_eq!((refused.code.as_str(), refused.message.as_str()), ("invalid_message", "not a command: longer than a frame holds"));
    assert!(desk.sent_since(mark).is_empty(), "refused before sending");
}

/// SPEC N1: a command the page stopped waiting for (the wrapper's
/// `timeout`) is never sent again: neither one a socket took and nobody
/// answered, nor one still waiting for a socket; a page told `timeout` may
/// choose otherwise without the old command landing later.
#[test]
fn a_command_given_up_is_not_sent_after_a_reconnect() {
    let desk = Desk::new("forget");
    desk.open();
    desk.frame(&welcome_text("available"));
    let sent = desk.engine.command(r#"{"set_status":{"status":"lunch"}}"#).expect("sent");
    desk.engine.closed(1006, String::new());
    let unsent = desk.engine.command(r#"{"set_status":{"status":"training"}}"#).expect("queued while the socket is down");
    let kept = desk.engine.command(r#"{"set_status":{"status":"lunch"}}"#).expect("queued too");
    desk.engine.forget(&sent);
    desk.engine.forget(&unsent);
    desk.page.clock.set(desk.page.clock.get() + 60_000);
    desk.engine.fire(Timer::Retry);
    desk.engine.opened();
    let mark = desk.mark();
    desk.frame(&welcome_text("available"));
    let commands: Vec<Value> = desk.sent_since(mark).into_iter().filter(|f| has(f, "command")).collect();
    let ids: Vec<String> = commands.iter().filter_map(|f| text(f, "command.id")).collect();
    assert_eq!(ids, [kept], "only the command still waited for");
}

/// SPEC N2, SPEC N3: a dropped socket is retried after the backoff the
/// engine asks for, and the next hello resumes from the last event held,
/// so the server replays what was missed.
#[test]
fn a_dropped_socket_is_retried_and_the_hello_resumes_from_the_last_event() {
    let desk = Desk::new("drop");
    desk.open();
    desk.frame(&welcome_text("available"));
    let mark = desk.mark();
    desk.engine.closed(1006, String::new());
    assert_eq!(desk.engine.connection_state(), "waiting");
    let report = desk.last("connection").unwrap();
    assert_eq!(field(&report, "code").as_u64(), Some(1006));
    let retry = desk.since(mark).into_iter().find(|(k, _)| k == "timer_retry").expect("a retry is asked for").1;
    let delay: u64 = retry.parse().expect("a delay in ms");
    assert!(delay > 0 && delay <= 30_000, "a backoff, not a busy loop: {delay}");
    assert!(!desk.since(mark).iter().any(|(k, _)| k == "socket_open"), "no socket before the retry");

    desk.page.clock.set(desk.page.clock.get() + delay);
    let mark = desk.mark();
    desk.engine.fire(Timer::Retry);
    assert!(desk.since(mark).iter().any(|(k, _)| k == "socket_open"), "the retry opens a socket");
    desk.engine.opened();
    let hello = desk.sent_since(mark).pop().expect("a hello");
    assert_eq!(field(&hello, "hello.resume").as_u64(), Some(1), "resumes from event 1");
}

/// SPEC N8, SPEC N6: the engine takes a frame of exactly
/// MAX_SERVER_FRAME_BYTES, refuses a larger one with `oversize_frame`
/// (whether its UTF-16 or only its UTF-8 length is over) without panicking,
/// refuses a binary frame with `malformed_frame`, and refuses a command with
/// a text over its bound with `invalid_message`.
#[test]
fn frames_up_to_the_server_limit_are_taken_and_larger_ones_refused_spec_n8() {
    use ringside::protocol::limits::MAX_SERVER_FRAME_BYTES;
    let desk = Desk::new("limits");
    let too_long = desk.engine.command(&format!(r#"{{"outdial":{{"number":"{}"}}}}"#, "5".repeat(33))).unwrap_err();
    assert_eq!(too_long.code, "invalid_message");
    desk.open();

    let mut value = parse(&welcome_text("offline"));
    let unpadded = value.to_string().len();
    // Unknown fields are ignored: pad the welcome to exactly the limit.
    let pad = MAX_SERVER_FRAME_BYTES - unpadded - r#","pad":"""#.len();
    value["welcome"]["pad"] = Value::String("x".repeat(pad));
    let largest = value.to_string();
    assert_eq!(largest.len(), MAX_SERVER_FRAME_BYTES);
    desk.frame(&largest);
    assert_eq!(desk.engine.connection_state(), "live", "a frame of exactly the limit is taken");
    assert_eq!(desk.count("error"), 0);

    desk.frame(&"x".repeat(MAX_SERVER_FRAME_BYTES + 1));
    assert_eq!(text(&desk.last("error").unwrap(), "code").as_deref(), Some("oversize_frame"));
    // Half as many UTF-16 units, but over the limit once encoded as UTF-8.
    desk.frame(&"é".repeat(MAX_SERVER_FRAME_BYTES / 2 + 1));
    assert_eq!(desk.count("error"), 2);
    assert_eq!(text(&desk.last("error").unwrap(), "code").as_deref(), Some("oversize_frame"));
    desk.engine.binary_frame();
    assert_eq!(text(&desk.last("error").unwrap(), "code").as_deref(), Some("malformed_frame"));
    assert_eq!(desk.engine.connection_state(), "live", "a refused frame changes nothing");
}

/// SPEC S12, SPEC N2, SPEC N6: roster frames reach the page as `roster` and
/// `presence` events; frames with wrong fields are refused without a panic
/// and change nothing; after a reconnect the engine subscribes again from
/// the position it holds.
#[test]
fn roster_frames_reach_the_page_and_a_reconnect_resumes_from_the_position() {
    let desk = Desk::new("roster");
    desk.open();
    let welcome = welcome_text("offline");
    desk.frame(&welcome);
    let mark = desk.mark();
    desk.engine.subscribe_roster();
    let subscribe = desk.sent_since(mark).pop().expect("the subscription");
    assert!(has(&subscribe, "subscribe_roster.resume") && field(&subscribe, "subscribe_roster.resume").is_null(), "a first subscription asks for a snapshot");
    let entry = |user: &str, status: &str| {
        format!(r##"{{"user":"{user}","status":"{status}","label":"{status}","colour":"#2e7d32","since":{},"activity":null,"logged_in":true,"connected":true}}"##, NOW.0)
    };
    desk.frame(&format!(r#"{{"roster":{{"epoch":3,"seq":40,"entries":[{},{}],"queues":[]}}}}"#, entry("ana", "available"), entry("ben", "idle")));
    assert_eq!(field(&desk.last("roster").unwrap(), "entries").as_array().map(Vec::len), Some(2));
    let errors = desk.count("error");
    for bad in [r#"{"roster":{"epoch":-1}}"#, r#"{"presence":{"seq":41,"entry":null}}"#, r#"{"queue_stats":{"queues":[{"queue":7}]}}"#] {
        desk.frame(bad);
    }
    assert_eq!(desk.count("error"), errors + 3, "each bad frame is reported");
    desk.frame(&format!(r#"{{"presence":{{"seq":44,"entry":{}}}}}"#, entry("ben", "lunch")));
    let presence = desk.last("presence").expect("a presence event");
    assert_eq!(text(&presence, "status").as_deref(), Some("lunch"));
    assert_eq!(field(&parse(&desk.engine.roster().unwrap()), "entries").as_array().map(Vec::len), Some(2), "one entry replaced");

    // The socket drops; the next one resumes the roster from (3, 44).
    desk.engine.closed(1006, String::new());
    assert_eq!(desk.engine.connection_state(), "waiting");
    let mark = desk.mark();
    desk.open();
    desk.frame(&welcome);
    let frames = desk.sent_since(mark);
    let resume = frames.iter().find(|f| has(f, "subscribe_roster")).expect("subscribed again");
    assert_eq!(field(resume, "subscribe_roster.resume.epoch").as_u64(), Some(3));
    assert_eq!(field(resume, "subscribe_roster.resume.seq").as_u64(), Some(44));
}

/// SPEC N5: a protocol-version refusal is permanent. A close with 4005, or a
/// welcome in another protocol version, ends in the terminal `incompatible`
/// state with a `connection` event saying so; no retry is asked for.
#[test]
fn a_protocol_version_refusal_is_terminal() {
    let desk = Desk::new("old");
    desk.open();
    let mark = desk.mark();
    desk.engine.closed(4005, "unsupported protocol".to_owned());
    assert_eq!(desk.engine.connection_state(), "incompatible");
    let report = desk.last("connection").expect("a connection event");
    assert_eq!(text(&report, "state").as_deref(), Some("incompatible"));
    assert_eq!(field(&report, "code").as_u64(), Some(4005));
    let asked = desk.since(mark);
    assert!(!asked.iter().any(|(k, d)| (k == "timer_retry" && !d.is_empty()) || k == "socket_open"), "no retry after 4005: {asked:?}");

    let desk = Desk::new("new");
    desk.open();
    let ServerMessage::Welcome { user, role, server_time, profile, snapshot, .. } =
        welcome(NOW, AgentState::new(UserId::from("ana"), "offline".into(), NOW))
    else {
        unreachable!("a welcome")
    };
    let newer = ServerMessage::Welcome { protocol: PROTOCOL_VERSION + 1, user, role, server_time, profile, snapshot };
    let mark = desk.mark();
    desk.frame(&json_text(&newer));
    assert_eq!(desk.engine.connection_state(), "incompatible");
    assert_eq!(text(&desk.last("error").expect("an error event"), "code").as_deref(), Some("protocol_version"));
    let asked = desk.since(mark);
    assert!(asked.iter().any(|(k, _)| k == "socket_close"), "the socket is closed: {asked:?}");
    assert!(!asked.iter().any(|(k, d)| (k == "timer_retry" && !d.is_empty()) || k == "socket_open"), "no retry: {asked:?}");
    // A late close of that socket changes nothing.
    desk.engine.closed(1000, String::new());
    assert_eq!(desk.engine.connection_state(), "incompatible");
}

/// SPEC O2, SPEC T7: the engine asks to be woken at each second of an
/// offer's countdown, never on a fixed fast tick; each wake delivers a view,
/// and the flash is on from exactly deadline - 5 s on the page's clock.
#[test]
fn the_engine_wakes_at_each_countdown_second_and_flashes_from_deadline_minus_5_s() {
    let desk = Desk::new("clock");
    desk.open();
    // The page clock reads 1,000 when the server reads NOW.
    desk.frame(&welcome_text("available"));
    // A voice offer to ana at event 2, its deadline 18 s on.
    let offer = OfferInfo {
        id: OfferId(1),
        contact: ContactId(1),
        channel: Channel::Voice,
        queue: Some(QueueId::from("support")),
        from: "+1 555 0100".into(),
        offered_at: NOW,
        deadline: NOW.plus(18_000),
        join: None,
    };
    let event = ServerMessage::Event(Event { seq: Seq(2), at: NOW, agent: UserId::from("ana"), kind: EventKind::OfferCreated { offer } });
    let mut mark = desk.mark();
    desk.frame(&json_text(&event));
    assert_eq!(desk.count("offer"), 1);
    let clock = &desk.page.clock;
    let start = clock.get();
    let mut wakes = Vec::new();
    while let Some((_, delay)) = desk.since(mark).into_iter().rev().find(|(k, _)| k == "timer_wake") {
        let Ok(delay) = delay.parse::<u64>() else { break };
        clock.set(clock.get() + delay);
        if clock.get() - start > 18_000 {
            break;
        }
        mark = desk.mark();
        desk.engine.fire(Timer::Wake);
        let view = desk.last("view").expect("a view on each wake");
        let flashing = field(&view["offers"][0], "flashing").as_bool();
        wakes.push((clock.get() - start, flashing));
    }
    let flashing_from = wakes.iter().find(|(_, flashing)| *flashing == Some(true)).map(|(at, _)| *at);
    assert_eq!(flashing_from, Some(13_000), "flash from deadline - 5 s: {wakes:?}");
    assert_eq!(wakes.len(), 18, "one wake per countdown second, no fixed fast tick: {wakes:?}");
}

/// A voice offer to ana made at server time `at`, its deadline 18 s on.
fn voice_offer(id: u64, at: ServerTime) -> OfferInfo {
    OfferInfo {
        id: OfferId(id),
        contact: ContactId(id),
        channel: Channel::Voice,
        queue: Some(QueueId::from("support")),
        from: "+1 555 0100".into(),
        offered_at: at,
        deadline: at.plus(18_000),
        join: None,
    }
}

/// SPEC N2: a socket that answers nothing (a network gone silent without
/// closing it, a frozen server) is dropped ten seconds after an unanswered
/// ping and the engine reconnects; any frame keeps a socket alive. A page
/// asking for pings (shown again) neither doubles one owed nor pushes its
/// deadline out, and being shown again while live says nothing new.
#[test]
fn a_socket_that_answers_no_ping_is_dropped_and_the_engine_reconnects() {
    let desk = Desk::new("silent");
    desk.open();
    desk.frame(&welcome_text("available"));
    assert_eq!(desk.engine.connection_state(), "live");
    let clock = &desk.page.clock;
    // A ping went out with the welcome; its pong comes: all well 10 s on.
    let pong = ServerMessage::Pong { client_time: clock.get(), server_time: NOW };
    desk.frame(&json_text(&pong));
    clock.set(clock.get() + 10_000);
    let mark = desk.mark();
    desk.engine.fire(Timer::Ping);
    assert_eq!(desk.engine.connection_state(), "live", "answered: still live");
    assert_eq!(desk.sent_since(mark).len(), 1, "the next ping");
    // This ping gets nothing back. Shown again 4 s on: no second ping, no news.
    clock.set(clock.get() + 4_000);
    let mark = desk.mark();
    desk.engine.fire(Timer::Ping);
    desk.engine.fire(Timer::Retry);
    assert!(desk.sent_since(mark).is_empty() && desk.count_since(mark, "connection") == 0, "{:?}", desk.since(mark));
    // Ten seconds after the ping, the socket is dead.
    clock.set(clock.get() + 6_000);
    let mark = desk.mark();
    desk.engine.fire(Timer::Ping);
    assert_eq!(desk.engine.connection_state(), "waiting");
    let asked: Vec<String> = desk.since(mark).into_iter().map(|(kind, _)| kind).collect();
    assert!(asked.contains(&"socket_close".to_owned()) && asked.contains(&"timer_retry".to_owned()), "{asked:?}");
    let report = desk.last("connection").unwrap();
    assert_eq!((field(&report, "code").as_u64(), text(&report, "reason").as_deref()), (Some(1006), Some("no answer from the server")));
}

/// SPEC N2: a socket that opens a handshake and never welcomes (a network
/// that lets the connection start and then nothing) is dropped after ten
/// seconds and retried, instead of waiting for the browser's own limit.
#[test]
fn a_handshake_that_hangs_is_dropped_and_retried() {
    let desk = Desk::new("hang");
    let mark = desk.mark();
    desk.engine.connect();
    let timer = desk.since(mark).into_iter().find(|(k, _)| k == "timer_ping").expect("a deadline for the welcome").1;
    assert_eq!(timer, "10000");
    desk.engine.opened();
    desk.page.clock.set(desk.page.clock.get() + 10_000);
    let mark = desk.mark();
    desk.engine.fire(Timer::Ping);
    assert_eq!(desk.engine.connection_state(), "waiting");
    assert!(desk.since(mark).iter().any(|(k, _)| k == "socket_close"));
}

/// SPEC O7: after the device slept (the page's clock stood still, the
/// server's ran on), an offer made after the wake counts down from its
/// full time: its own time shows the sleep, before any pong.
#[test]
fn an_offer_after_a_sleep_counts_down_from_the_servers_time() {
    let desk = Desk::new("sleep");
    desk.open();
    desk.frame(&welcome_text("available"));
    let clock = &desk.page.clock;
    let pong = ServerMessage::Pong { client_time: clock.get(), server_time: NOW };
    desk.frame(&json_text(&pong));
    // 30 s of sleep: the page's clock moves 2 s, the server's 32 s.
    clock.set(clock.get() + 2_000);
    let at = NOW.plus(32_000);
    let event = ServerMessage::Event(Event { seq: Seq(2), at, agent: UserId::from("ana"), kind: EventKind::OfferCreated { offer: voice_offer(1, at) } });
    desk.frame(&json_text(&event));
    let view = desk.last("view").expect("a view");
    assert_eq!(text(&view["offers"][0], "remaining").as_deref(), Some("00:18"), "not 00:48");
}

/// SPEC O7: a snapshot (a reload, a new tab, a resume too old for events)
/// tells the page of each offer it had not heard of, as an `offer` event,
/// and of each it had that is gone, as `offer_ended`, exactly once.
#[test]
fn offers_in_a_snapshot_reach_the_page_as_events() {
    let desk = Desk::new("snap");
    desk.open();
    let mut state = AgentState::new(UserId::from("ana"), "available".into(), NOW);
    (state.logged_in, state.connected) = (true, true);
    state.offers = vec![voice_offer(1, NOW)];
    desk.frame(&json_text(&welcome(NOW, state.clone())));
    assert_eq!(desk.count("offer"), 1, "an offer ringing at load is an offer");
    // Reconnected with a snapshot: offer 1 expired meanwhile, offer 2 is new.
    desk.engine.closed(1006, String::new());
    desk.engine.fire(Timer::Retry);
    desk.engine.opened();
    state.offers = vec![voice_offer(2, NOW)];
    state.expired_offers = vec![OfferId(1)];
    let mark = desk.mark();
    desk.frame(&json_text(&welcome(NOW, state.clone())));
    let told: Vec<(String, Value)> = desk.since(mark).into_iter().filter(|(k, _)| k.starts_with("offer")).map(|(k, p)| (k, parse(&p))).collect();
    assert_eq!(told.len(), 2, "{told:?}");
    assert_eq!((told[0].0.as_str(), field(&told[0].1, "id").as_u64()), ("offer", Some(2)));
    assert_eq!((told[1].0.as_str(), field(&told[1].1, "offer").as_u64(), text(&told[1].1, "outcome").as_deref()), ("offer_ended", Some(1), Some("expired")));
    // The same snapshot again tells nothing new.
    let mark = desk.mark();
    desk.frame(&json_text(&welcome(NOW, state.clone())));
    assert!(!desk.since(mark).iter().any(|(k, _)| k.starts_with("offer")));
    // A RONA that came meanwhile is a RONA (O6: a hidden page is told).
    state.status = "rona".into();
    state.rona_cause = Some(ringside::model::RonaCause::NoAnswer);
    state.offers.clear();
    let mark = desk.mark();
    desk.frame(&json_text(&welcome(NOW, state.clone())));
    assert_eq!(desk.count_since(mark, "rona"), 1);
    // The same RONA again is nothing new; a second one since is.
    let mark = desk.mark();
    desk.frame(&json_text(&welcome(NOW, state.clone())));
    assert_eq!(desk.count_since(mark, "rona"), 0);
    state.status_since = NOW.plus(60_000);
    desk.frame(&json_text(&welcome(NOW, state)));
    assert_eq!(desk.count_since(mark, "rona"), 1);
}

/// SPEC O7: the estimate of server time may lag it by up to a round trip;
/// a new offer still shows its whole timeout, not a second more.
#[test]
fn a_new_offer_never_shows_more_than_its_timeout() {
    let desk = Desk::new("fresh");
    desk.open();
    desk.frame(&welcome_text("available"));
    let clock = &desk.page.clock;
    // A 40 ms round trip: the estimate may lag the server by up to 40 ms.
    let sent = clock.get();
    clock.set(sent + 40);
    desk.frame(&json_text(&ServerMessage::Pong { client_time: sent, server_time: NOW.plus(20) }));
    clock.set(clock.get() + 4_970);
    let at = NOW.plus(5_000);
    let event = ServerMessage::Event(Event { seq: Seq(2), at, agent: UserId::from("ana"), kind: EventKind::OfferCreated { offer: voice_offer(1, at) } });
    desk.frame(&json_text(&event));
    let view = desk.last("view").expect("a view");
    assert_eq!(text(&view["offers"][0], "remaining").as_deref(), Some("00:18"));
}

/// SPEC N2, N1: with the connection lost, the state held may be stale (the
/// server went on): a command waits for the server's judgement instead of
/// being refused on the old state, and goes out once the socket is back.
/// Live, the same command is refused at once.
#[test]
fn a_command_given_offline_waits_for_the_servers_judgement() {
    let desk = Desk::new("offline");
    desk.open();
    desk.frame(&welcome_text("available"));
    let accept = r#"{"accept":{"offer":7}}"#;
    assert_eq!(desk.engine.command(accept).unwrap_err().code, "unknown_offer", "live: judged here");
    desk.engine.closed(1006, String::new());
    let id = desk.engine.command(accept).expect("offline: held for the server");
    desk.page.clock.set(desk.page.clock.get() + 60_000);
    desk.engine.fire(Timer::Retry);
    desk.engine.opened();
    let mark = desk.mark();
    desk.frame(&welcome_text("available"));
    let sent = desk.sent_since(mark);
    assert!(sent.iter().any(|frame| text(frame, "command.id").as_deref() == Some(id.as_str())), "sent once back: {sent:?}");
}

/// SPEC P8: a request about a record this agent no longer holds goes to the
/// server, which can tell one that went stale (`record_stale`) from one it
/// never had; the engine cannot.
#[test]
fn a_request_about_a_record_not_held_is_judged_by_the_server() {
    let desk = Desk::new("stale");
    desk.open();
    desk.frame(&welcome_text("available"));
    let mark = desk.mark();
    let id = desk.engine.command(r#"{"accept_preview":{"record":5}}"#).expect("sent for the server to judge");
    assert!(desk.sent_since(mark).iter().any(|frame| text(frame, "command.id").as_deref() == Some(id.as_str())));
}

/// SPEC P8, P3: a campaign record that leaves this agent reaches the page
/// as `record_ended` with why (a callback gone stale, a preview not
/// accepted in time), so a desk can say it.
#[test]
fn a_record_leaving_reaches_the_page_with_its_outcome() {
    use ringside::model::campaign::OutboundOutcome;
    use ringside::model::RecordId;
    let desk = Desk::new("gone");
    desk.open();
    desk.frame(&welcome_text("available"));
    let event = ServerMessage::Event(Event { seq: Seq(2), at: NOW, agent: UserId::from("ana"), kind: EventKind::OutboundEnded { record: RecordId(9), outcome: OutboundOutcome::Stale } });
    desk.frame(&json_text(&event));
    let ended = desk.last("record_ended").expect("record_ended");
    assert_eq!((field(&ended, "record").as_u64(), text(&ended, "outcome").as_deref()), (Some(9), Some("stale")));
}

/// Wake-ups while a status timer shows stay at one a second: the 10 s ping
/// goes out on one of the view's own wakes, never on a timer of its own.
#[test]
fn pings_ride_on_the_views_wakes_while_a_timer_ticks() {
    let desk = Desk::new("ride");
    desk.open();
    desk.frame(&welcome_text("available"));
    let clock = &desk.page.clock;
    let mark = desk.mark();
    desk.frame(&json_text(&ServerMessage::Pong { client_time: clock.get(), server_time: NOW }));
    let start = clock.get();
    let mut wakes = 0;
    while clock.get() - start < 20_000 {
        let delay: u64 = desk.since(mark).into_iter().rev().find(|(k, _)| k == "timer_wake").and_then(|(_, d)| d.parse().ok()).expect("a wake");
        clock.set(clock.get() + delay);
        desk.engine.fire(Timer::Wake);
        wakes += 1;
        // Each ping is answered at once.
        if let Some(ping) = desk.sent_since(mark).into_iter().rev().find(|f| has(f, "ping")) {
            let sent = field(&ping, "ping.client_time").as_u64().unwrap();
            desk.frame(&json_text(&ServerMessage::Pong { client_time: sent, server_time: NOW }));
        }
    }
    let pings = desk.sent_since(mark).into_iter().filter(|f| has(f, "ping")).count();
    assert_eq!((wakes, pings), (20, 2), "one wake a second, a ping every 10 s on them");
    assert!(!desk.since(mark).iter().any(|(k, d)| k == "timer_ping" && !d.is_empty()), "no timer of the ping's own");
}
