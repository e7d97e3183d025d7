//! Browser tests of the wasm engine in headless Chromium, against the real
//! server that `scripts/test` starts (its address and tokens arrive as
//! build-time environment variables).
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use ringside::agent::Replica;
use ringside::model::profile::Preset;
use ringside::model::state::{AgentState, EventKind, OfferInfo};
use ringside::model::{Channel, ContactId, Millis, OfferId, Profile, QueueId, Role, Seq, ServerTime, UserId};
use ringside::protocol::{ServerMessage, Snapshot, PROTOCOL_VERSION};
use ringside::web::Engine;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const WS: &str = env!("RINGSIDE_TEST_WS");
const SIM: &str = env!("RINGSIDE_TEST_SIM");
const ADMIN: &str = env!("RINGSIDE_TEST_TOKEN_ADMIN");
const SUPERVISOR: &str = env!("RINGSIDE_TEST_TOKEN_SUE");

/// Each test that logs in has a user of its own (web1, web2, web3), so one
/// test's agent left available never takes another test's offer.
fn token(user: &str) -> String {
    match user {
        "web1" => env!("RINGSIDE_TEST_TOKEN_WEB1"),
        "web2" => env!("RINGSIDE_TEST_TOKEN_WEB2"),
        "web3" => env!("RINGSIDE_TEST_TOKEN_WEB3"),
        _ => SUPERVISOR,
    }
    .to_owned()
}

/// Every event an engine delivered to the page, in order.
#[derive(Clone, Default)]
struct Recorder(Rc<RefCell<Vec<(String, JsValue)>>>);

impl Recorder {
    fn listener(&self) -> js_sys::Function {
        let events = self.0.clone();
        Closure::<dyn FnMut(String, String)>::new(move |kind: String, payload: String| events.borrow_mut().push((kind, parse(&payload))))
            .into_js_value()
            .unchecked_into()
    }
    fn count(&self, kind: &str) -> usize {
        self.0.borrow().iter().filter(|(k, _)| k == kind).count()
    }
    fn last(&self, kind: &str) -> Option<JsValue> {
        self.0.borrow().iter().rev().find(|(k, _)| k == kind).map(|(_, v)| v.clone())
    }
}

/// The engine hands the page JSON text, as the package's wrapper parses it.
fn parse(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("the engine writes JSON")
}

fn view_of(engine: &Engine) -> JsValue {
    parse(&engine.view().expect("not busy"))
}

fn field(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| js_sys::Reflect::get(&v, &key.into()).unwrap_or(JsValue::UNDEFINED))
}

/// Waits up to 15 s (a loaded CI machine runs the server's debug build
/// beside the browser) for `check`.
async fn until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..750 {
        if check() {
            return;
        }
        TimeoutFuture::new(20).await;
    }
    panic!("timed out waiting for {what}");
}

fn engine(user: &str, recorder: &Recorder, transport: Option<js_sys::Function>) -> Engine {
    Engine::new(WS.to_owned(), token(user), format!("{user}-{}", js_sys::Math::random()), 7, recorder.listener(), transport, None)
}

fn command(engine: &Engine, json: &str) -> Result<String, JsValue> {
    engine.command(json)
}

async fn live(engine: &Engine, recorder: &Recorder) {
    engine.connect();
    until("the welcome", || engine.connection_state() == "live" && field(&view_of(engine), "ready").as_bool() == Some(true)).await;
    let _ = recorder;
}

async fn status_of(engine: &Engine) -> String {
    field(&view_of(engine), "status.id").as_string().unwrap_or_default()
}

/// Makes sure `user` is logged in and available, whatever earlier runs left.
async fn ready(engine: &Engine) {
    let _ = command(engine, r#""login""#);
    until("login", || field(&view_of(engine), "logged_in").as_bool() == Some(true)).await;
    if status_of(engine).await != "available" {
        command(engine, r#"{"set_status":{"status":"available"}}"#).unwrap();
    }
    until("available", || field(&view_of(engine), "status.id").as_string().as_deref() == Some("available")).await;
}

async fn sim_post(path: &str, body: &str) -> JsValue {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let headers = web_sys::Headers::new().unwrap();
    headers.set("authorization", &format!("Bearer {ADMIN}")).unwrap();
    headers.set("content-type", "application/json").unwrap();
    init.set_headers(&headers);
    let request = web_sys::Request::new_with_str_and_init(&format!("{SIM}{path}"), &init).unwrap();
    let window = web_sys::window().unwrap();
    let response: web_sys::Response = wasm_bindgen_futures::JsFuture::from(window.fetch_with_request(&request)).await.unwrap().unchecked_into();
    wasm_bindgen_futures::JsFuture::from(response.json().unwrap()).await.unwrap()
}

/// The engine connects, is welcomed with a snapshot, and a command round-trips.
#[wasm_bindgen_test]
async fn the_engine_connects_and_commands_round_trip() {
    let recorder = Recorder::default();
    let desk = engine("web1", &recorder, None);
    live(&desk, &recorder).await;
    ready(&desk).await;
    assert!(recorder.count("ack") >= 1, "commands are acked");
    assert_eq!(field(&recorder.last("connection").unwrap(), "state").as_string().as_deref(), Some("live"));
    let refused = command(&desk, r#"{"set_status":{"status":"rona"}}"#).unwrap_err();
    assert_eq!(field(&refused, "code").as_string().as_deref(), Some("status_system_only"), "refused before sending, as an Error with a code");
    assert!(refused.is_instance_of::<js_sys::Error>());
    // Logged out, web1 takes no offer meant for another test's agent.
    command(&desk, r#""logout""#).unwrap();
    until("logged out", || field(&view_of(&desk), "logged_in").as_bool() == Some(false)).await;
    desk.close();
    assert_eq!(desk.connection_state(), "closed");
}

/// SPEC N2, SPEC N4: a dropped socket reconnects and resumes; the offer made while
/// it was away arrives as a replayed event, not lost in a snapshot.
#[wasm_bindgen_test]
async fn a_dropped_socket_resumes_without_losing_an_event() {
    let online = Rc::new(Cell::new(true));
    let current: Rc<RefCell<Option<web_sys::WebSocket>>> = Rc::default();
    let factory = {
        let (online, current) = (online.clone(), current.clone());
        Closure::<dyn FnMut(String) -> JsValue>::new(move |url: String| {
            // While "offline", sockets go nowhere and fail at once.
            let target = if online.get() { url } else { "ws://127.0.0.1:9/ws".to_owned() };
            let socket = web_sys::WebSocket::new(&target).expect("socket");
            *current.borrow_mut() = Some(socket.clone());
            socket.into()
        })
        .into_js_value()
        .unchecked_into::<js_sys::Function>()
    };
    let (first, second) = (Recorder::default(), Recorder::default());
    let tab = engine("web2", &first, Some(factory));
    let other_tab = engine("web2", &second, None);
    live(&tab, &first).await;
    live(&other_tab, &second).await;
    ready(&tab).await;
    until("the other tab follows", || field(&view_of(&other_tab), "status.id").as_string().as_deref() == Some("available")).await;

    online.set(false);
    current.borrow().as_ref().unwrap().close().unwrap();
    until("the drop is noticed", || tab.connection_state() != "live").await;
    let offers_before = first.count("offer");
    let contact = sim_post("/contacts", r#"{"queue":"support","channel":"chat","from":"resume test"}"#).await;
    assert!(field(&contact, "contact").as_f64().is_some(), "contact created: {contact:?}");
    until("the other tab gets the offer", || second.count("offer") > 0).await;

    online.set(true);
    until("the tab is back", || tab.connection_state() == "live").await;
    until("the missed offer is replayed", || first.count("offer") > offers_before).await;
    let offer = first.last("offer").unwrap();
    assert_eq!(field(&offer, "from").as_string().as_deref(), Some("resume test"));
    assert!(first.0.borrow().iter().any(|(k, p)| k == "connection" && field(p, "state").as_string().as_deref() == Some("waiting")));
    let id = field(&offer, "id").as_f64().unwrap();
    command(&tab, &format!(r#"{{"decline":{{"offer":{id}}}}}"#)).unwrap();
    until("the decline is acked", || first.count("ack") >= 2).await;
    tab.close();
    other_tab.close();
}

/// SPEC S12: the engine follows the real server's roster: the snapshot with
/// the user's own entry, then a `presence` event when its status changes.
#[wasm_bindgen_test]
async fn the_engine_follows_the_servers_roster_spec_s12() {
    let recorder = Recorder::default();
    let desk = engine("web3", &recorder, None);
    desk.subscribe_roster(); // before the welcome: sent once live
    live(&desk, &recorder).await;
    // The engine may show its (empty) roster before the snapshot arrives:
    // wait for the snapshot, in which a user follows itself.
    let own = || js_sys::Array::from(&field(&parse(&desk.roster().unwrap()), "entries")).iter().find(|e| field(e, "user").as_string().as_deref() == Some("web3"));
    until("a roster in which the user follows itself", || own().is_some()).await;
    let _ = command(&desk, r#""login""#);
    until("logged in", || field(&view_of(&desk), "logged_in").as_bool() == Some(true)).await;
    let wanted = if status_of(&desk).await == "lunch" { "idle" } else { "lunch" };
    command(&desk, &format!(r#"{{"set_status":{{"status":"{wanted}"}}}}"#)).unwrap();
    until("the presence event", || {
        recorder.0.borrow().iter().any(|(k, p)| k == "presence" && field(p, "status").as_string().as_deref() == Some(wanted))
    })
    .await;
    assert_eq!(own().map(|e| field(&e, "status").as_string()), Some(Some(wanted.to_owned())), "client roster follows");
    desk.unsubscribe_roster();
    assert_eq!(js_sys::Array::from(&field(&recorder.last("roster").unwrap(), "entries")).length(), 0, "a last, empty roster");
    desk.close();
}

/// SPEC N5, SPEC N6: a command the server refuses surfaces as a nack with its code.
#[wasm_bindgen_test]
async fn a_nack_reaches_the_page_with_its_code() {
    let recorder = Recorder::default();
    let supervisor = engine("sue", &recorder, None);
    live(&supervisor, &recorder).await;
    let id = command(&supervisor, r#"{"logout_agent":{"agent":"nobody-here"}}"#).expect("the supervisor may try");
    until("the nack", || recorder.count("nack") == 1).await;
    let nack = recorder.last("nack").unwrap();
    assert_eq!(field(&nack, "id").as_string(), Some(id));
    assert_eq!(field(&nack, "code").as_string().as_deref(), Some("unknown_agent"));
    supervisor.close();
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

/// SPEC O2, SPEC T7: on a simulated page clock the replica wakes at each second
/// of the countdown and at the flash start, and the flash is on from exactly
/// deadline - 5 s (the core running as wasm in the browser).
#[wasm_bindgen_test]
fn the_ticker_schedule_follows_the_simulated_page_clock() {
    let start = ServerTime(1_800_000_000_000);
    let mut state = AgentState::new(UserId::from("ana"), "available".into(), start);
    state.logged_in = true;
    state.connected = true;
    let offer = OfferInfo {
        id: OfferId(1),
        contact: ContactId(1),
        channel: Channel::Voice,
        queue: Some(QueueId::from("support")),
        from: "+1 555 0100".into(),
        offered_at: start,
        deadline: start.plus(18_000),
        join: None,
    };
    let mut replica = Replica::new("clock");
    // The page clock reads 250 when the server reads `start`: offset start - 250.
    replica.handle_message(Millis(250), welcome(start, state)).unwrap();
    replica
        .handle_message(Millis(250), ServerMessage::Event(ringside::model::state::Event { seq: Seq(2), at: start, agent: UserId::from("ana"), kind: EventKind::OfferCreated { offer } }))
        .unwrap();
    let mut page_clock = Millis(250);
    let mut wakes = Vec::new();
    while let Some(next) = replica.next_change(page_clock) {
        if next.0 > 250 + 18_000 {
            break;
        }
        page_clock = next;
        let view = replica.view(page_clock);
        wakes.push((page_clock.0 - 250, view.offers[0].flashing));
    }
    let flashing_from = wakes.iter().find(|(_, flashing)| *flashing).map(|(at, _)| *at);
    assert_eq!(flashing_from, Some(13_000), "flash from deadline - 5 s: {wakes:?}");
    assert_eq!(wakes.len(), 18, "one wake per countdown second, no fixed fast tick: {wakes:?}");
}

/// A stand-in socket made in the page: an `EventTarget` whose `send` keeps
/// the frames in `sent` and whose `close` does nothing, so a test can hand
/// the engine any frame.
fn fake_socket() -> (js_sys::Function, Rc<RefCell<JsValue>>) {
    let made: Rc<RefCell<JsValue>> = Rc::default();
    let factory = {
        let made = made.clone();
        let create = js_sys::Function::new_no_args("const t = new EventTarget(); t.sent = []; t.send = (d) => t.sent.push(d); t.close = () => {}; return t;");
        Closure::<dyn FnMut(String) -> JsValue>::new(move |_url: String| {
            let socket = create.call0(&JsValue::NULL).expect("an EventTarget");
            *made.borrow_mut() = socket.clone();
            socket
        })
        .into_js_value()
        .unchecked_into::<js_sys::Function>()
    };
    (factory, made)
}

fn deliver(socket: &JsValue, kind: &str, data: &str) {
    let dispatch = js_sys::Function::new_with_args("t, kind, data", "t.dispatchEvent(kind === 'open' ? new Event('open') : new MessageEvent(kind, { data }))");
    dispatch.call3(&JsValue::NULL, socket, &kind.into(), &data.into()).expect("dispatched");
}

/// SPEC N8, SPEC N6: the engine takes a frame of exactly
/// MAX_SERVER_FRAME_BYTES, refuses a larger one with `oversize_frame`
/// (whether its UTF-16 or only its UTF-8 length is over) without panicking,
/// and refuses a command with a text over its bound with `invalid_message`.
#[wasm_bindgen_test]
fn frames_up_to_the_server_limit_are_taken_and_larger_ones_refused_spec_n8() {
    use ringside::protocol::limits::MAX_SERVER_FRAME_BYTES;
    let recorder = Recorder::default();
    let (factory, socket) = fake_socket();
    let desk = Engine::new("ws://fake".to_owned(), "token".to_owned(), "limits".to_owned(), 7, recorder.listener(), Some(factory), None);
    let too_long = command(&desk, &format!(r#"{{"outdial":{{"number":"{}"}}}}"#, "5".repeat(33))).unwrap_err();
    assert_eq!(field(&too_long, "code").as_string().as_deref(), Some("invalid_message"));
    desk.connect();
    let socket = socket.borrow().clone();
    deliver(&socket, "open", "");

    let now = ServerTime(1_800_000_000_000);
    let welcome = welcome(now, AgentState::new(UserId::from("ana"), "offline".into(), now));
    let value = parse(&ringside::codec::to_string(&welcome));
    let text_of = |value: &JsValue| js_sys::JSON::stringify(value).expect("JSON").as_string().expect("a string");
    let unpadded = text_of(&value).len();
    // Unknown fields are ignored: pad the welcome to exactly the limit.
    let pad = MAX_SERVER_FRAME_BYTES - unpadded - r#","pad":"""#.len();
    let inner = field(&value, "welcome");
    js_sys::Reflect::set(&inner, &"pad".into(), &"x".repeat(pad).into()).expect("padded");
    let largest = text_of(&value);
    assert_eq!(largest.len(), MAX_SERVER_FRAME_BYTES);
    deliver(&socket, "message", &largest);
    assert_eq!(desk.connection_state(), "live", "a frame of exactly the limit is taken");
    assert_eq!(recorder.count("error"), 0);

    deliver(&socket, "message", &"x".repeat(MAX_SERVER_FRAME_BYTES + 1));
    assert_eq!(field(&recorder.last("error").unwrap(), "code").as_string().as_deref(), Some("oversize_frame"));
    // Half as many UTF-16 units, but over the limit once encoded as UTF-8.
    deliver(&socket, "message", &"é".repeat(MAX_SERVER_FRAME_BYTES / 2 + 1));
    assert_eq!(recorder.count("error"), 2);
    assert_eq!(field(&recorder.last("error").unwrap(), "code").as_string().as_deref(), Some("oversize_frame"));
    assert_eq!(desk.connection_state(), "live", "a refused frame changes nothing");
    desk.close();
}

/// The frames a fake socket was handed, parsed.
fn sent(socket: &JsValue) -> Vec<JsValue> {
    js_sys::Array::from(&field(socket, "sent")).iter().map(|t| js_sys::JSON::parse(&t.as_string().unwrap_or_default()).unwrap_or(JsValue::NULL)).collect()
}

/// SPEC S12, SPEC N2, SPEC N6: roster frames reach the page as `roster` and
/// `presence` events; frames with wrong fields are refused without a panic
/// and change nothing; after a reconnect the engine subscribes again from
/// the position it holds.
#[wasm_bindgen_test]
fn roster_frames_reach_the_page_and_a_reconnect_resumes_from_the_position() {
    let recorder = Recorder::default();
    let (factory, socket) = fake_socket();
    let desk = Engine::new("ws://fake".to_owned(), "token".to_owned(), "roster".to_owned(), 7, recorder.listener(), Some(factory), None);
    desk.connect();
    let first = socket.borrow().clone();
    deliver(&first, "open", "");
    let now = ServerTime(1_800_000_000_000);
    let welcome = json_text(&welcome(now, AgentState::new(UserId::from("ana"), "offline".into(), now)));
    deliver(&first, "message", &welcome);
    desk.subscribe_roster();
    let subscribe = sent(&first).pop().expect("the subscription");
    assert!(field(&subscribe, "subscribe_roster.resume").is_null(), "a first subscription asks for a snapshot");
    let entry = |user: &str, status: &str| {
        format!(r##"{{"user":"{user}","status":"{status}","label":"{status}","colour":"#2e7d32","since":{},"activity":null,"logged_in":true,"connected":true}}"##, now.0)
    };
    deliver(&first, "message", &format!(r#"{{"roster":{{"epoch":3,"seq":40,"entries":[{},{}],"queues":[]}}}}"#, entry("ana", "available"), entry("ben", "idle")));
    assert_eq!(js_sys::Array::from(&field(&recorder.last("roster").unwrap(), "entries")).length(), 2);
    let errors = recorder.count("error");
    for bad in [r#"{"roster":{"epoch":-1}}"#, r#"{"presence":{"seq":41,"entry":null}}"#, r#"{"queue_stats":{"queues":[{"queue":7}]}}"#] {
        deliver(&first, "message", bad);
    }
    assert_eq!(recorder.count("error"), errors + 3, "each bad frame is reported");
    deliver(&first, "message", &format!(r#"{{"presence":{{"seq":44,"entry":{}}}}}"#, entry("ben", "lunch")));
    let presence = recorder.last("presence").expect("a presence event");
    assert_eq!(field(&presence, "status").as_string().as_deref(), Some("lunch"));
    assert_eq!(js_sys::Array::from(&field(&parse(&desk.roster().unwrap()), "entries")).length(), 2, "one entry replaced");

    // The socket drops; the next one resumes the roster from (3, 44).
    let close = js_sys::Function::new_with_args("t", "t.dispatchEvent(new CloseEvent('close', { code: 1006 }))");
    close.call1(&JsValue::NULL, &first).unwrap();
    assert_eq!(desk.connection_state(), "waiting");
    desk.connect();
    let second = socket.borrow().clone();
    deliver(&second, "open", "");
    deliver(&second, "message", &welcome);
    let frames = sent(&second);
    let resume = frames.iter().find(|f| !field(f, "subscribe_roster").is_undefined()).expect("subscribed again");
    assert_eq!(field(resume, "subscribe_roster.resume.epoch").as_f64(), Some(3.0));
    assert_eq!(field(resume, "subscribe_roster.resume.seq").as_f64(), Some(44.0));
    desk.close();
}

fn json_text(message: &ServerMessage) -> String {
    ringside::codec::to_string(message)
}

/// SPEC N5: a protocol-version refusal is permanent. A close with 4005, or a
/// welcome in another protocol version, ends in the terminal `incompatible`
/// state with a `connection` event saying so, and no retry follows.
#[wasm_bindgen_test]
async fn a_protocol_version_refusal_is_terminal() {
    let recorder = Recorder::default();
    let (factory, socket) = fake_socket();
    let desk = Engine::new("ws://fake".to_owned(), "token".to_owned(), "old".to_owned(), 7, recorder.listener(), Some(factory), None);
    desk.connect();
    let first = socket.borrow().clone();
    deliver(&first, "open", "");
    let close = js_sys::Function::new_with_args("t", "t.dispatchEvent(new CloseEvent('close', { code: 4005, reason: 'unsupported protocol' }))");
    close.call1(&JsValue::NULL, &first).unwrap();
    assert_eq!(desk.connection_state(), "incompatible");
    let report = recorder.last("connection").expect("a connection event");
    assert_eq!(field(&report, "state").as_string().as_deref(), Some("incompatible"));
    assert_eq!(field(&report, "code").as_f64(), Some(4005.0));
    // Longer than the first retry window (500 ms): nothing reopens.
    TimeoutFuture::new(1_200).await;
    assert!(js_sys::Object::is(&socket.borrow(), &first), "no new socket after 4005");
    assert_eq!(desk.connection_state(), "incompatible");

    let recorder = Recorder::default();
    let (factory, socket) = fake_socket();
    let desk = Engine::new("ws://fake".to_owned(), "token".to_owned(), "new".to_owned(), 7, recorder.listener(), Some(factory), None);
    desk.connect();
    let first = socket.borrow().clone();
    deliver(&first, "open", "");
    let now = ServerTime(1_800_000_000_000);
    let ServerMessage::Welcome { user, role, server_time, profile, snapshot, .. } =
        welcome(now, AgentState::new(UserId::from("ana"), "offline".into(), now))
    else {
        unreachable!("a welcome")
    };
    let newer = ServerMessage::Welcome { protocol: PROTOCOL_VERSION + 1, user, role, server_time, profile, snapshot };
    deliver(&first, "message", &json_text(&newer));
    assert_eq!(desk.connection_state(), "incompatible");
    let error = recorder.last("error").expect("an error event");
    assert_eq!(field(&error, "code").as_string().as_deref(), Some("protocol_version"));
    TimeoutFuture::new(1_200).await;
    assert!(js_sys::Object::is(&socket.borrow(), &first), "no new socket after a welcome in another version");
}
