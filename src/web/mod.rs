//! The browser engine (wasm32 only): the one module that touches web-sys.
//!
//! [`Engine`] executes what the sans-IO parts decide: it opens the WebSocket
//! and retries as [`Link`] says, feeds frames to the [`Replica`], sleeps until
//! the replica's next view change (never a fixed fast tick), recomputes on
//! `visibilitychange` (SPEC T7), pings for the clock offset (O7) and raises the
//! RONA notification when the page is hidden (O6). When the page follows the
//! presence roster, it gets `roster` whenever what the roster shows changes
//! (a frame, a timer's next second, its own monitorings) and `presence` for
//! each followed user's change (S6, S12). Events reach the page's
//! listener only after the engine's own state is released, so a listener may
//! call back into the engine at once.

use crate::agent::link::{Link, LinkAction, LinkState};
use crate::codec::{self, Encode};
use crate::agent::{Notice, Replica, SyncError};
use crate::model::state::CommandKind;
use crate::model::{CommandError, Millis, Refusal};
use crate::protocol::limits::{check_command, MAX_SERVER_FRAME_BYTES};
use crate::protocol::{ClientMessage, ServerMessage};
use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How often a live engine measures the clock offset.
const PING_EVERY_MS: u32 = 15_000;

/// The agent engine of one page: connection, replica, timers, notifications.
#[wasm_bindgen]
pub struct Engine {
    driver: Rc<RefCell<Driver>>,
}

struct Driver {
    me: Weak<RefCell<Driver>>,
    replica: Replica,
    link: Link,
    url: String,
    token: String,
    socket: Option<Socket>,
    wake: Option<Timeout>,
    retry: Option<Timeout>,
    pinger: Option<Interval>,
    visibility: Option<EventListener>,
    listener: js_sys::Function,
    /// Makes the socket: `(url) => WebSocket-like`; the browser's WebSocket if none.
    transport: Option<js_sys::Function>,
    /// Events for the page (kind, JSON payload), delivered once the driver
    /// is released.
    pending: Vec<(&'static str, String)>,
}

/// An open socket and its listeners; dropping it detaches and closes.
struct Socket {
    ws: web_sys::WebSocket,
    _listeners: [EventListener; 3],
}

impl Drop for Socket {
    fn drop(&mut self) {
        let _ = self.ws.close_with_code(1000);
    }
}

#[wasm_bindgen]
impl Engine {
    /// Creates an engine for `url` (a `ws:` or `wss:` address) with a token.
    /// `client_tag` must be unique per tab (it prefixes command ids); `seed`
    /// drives the reconnect jitter; `listener(type, payload)` receives every
    /// event. `transport(url)`, if given, returns an object with the
    /// WebSocket interface (`send`, `close`, `open`/`message`/`close` events)
    /// to use instead of the browser's WebSocket: an in-page simulator or a
    /// test double. `clock()`, if given, returns the time in milliseconds
    /// in place of the page's clock, for every engine of the page: the
    /// in-page simulator's virtual time. Nothing connects until
    /// [`Engine::connect`].
    #[wasm_bindgen(constructor)]
    pub fn new(
        url: String,
        token: String,
        client_tag: String,
        seed: u32,
        listener: js_sys::Function,
        transport: Option<js_sys::Function>,
        clock: Option<js_sys::Function>,
    ) -> Engine {
        if clock.is_some() {
            CLOCK.set(clock);
        }
        let driver = Rc::new_cyclic(|me| {
            RefCell::new(Driver {
                me: me.clone(),
                replica: Replica::new(&client_tag),
                link: Link::new(u64::from(seed) << 32 | u64::from(seed.rotate_left(16))),
                url,
                token,
                socket: None,
                wake: None,
                retry: None,
                pinger: None,
                visibility: None,
                listener,
                transport,
                pending: Vec::new(),
            })
        });
        Engine { driver }
    }

    /// Opens the connection (and reopens it after `close` or a refused token).
    pub fn connect(&self) {
        let _ = run(&self.driver, |d| {
            d.watch_visibility();
            let action = d.link.start();
            d.act(action);
            d.report_connection(None);
        });
    }

    /// Validates a command (its JSON, as in docs/protocol.md) with the
    /// authority's rules and sends it; returns its id. Throws an `Error` with
    /// a `code` when the rules refuse it, or `invalid_message` when it is not
    /// a command or a text in it is over its bound (the server would refuse
    /// it the same way).
    pub fn command(&self, kind: &str) -> Result<String, JsValue> {
        let kind = command_of(kind)?;
        run(&self.driver, |d| {
            let id = d.replica.command(now(), kind).map_err(|e: CommandError| js_error(e.code(), &e.to_string()))?;
            d.flush();
            Ok(id.0)
        })
        .unwrap_or_else(|| Err(busy()))
    }

    /// Judges a command (JSON) as `command` would, without sending it:
    /// nothing if it would be sent, else the JSON of `{ code, message }`. A
    /// desk asks this about a command its user is writing (a done with the
    /// chosen code, say).
    pub fn check(&self, kind: &str) -> Result<Option<String>, JsValue> {
        let kind = command_of(kind)?;
        let driver = self.driver.try_borrow().map_err(|_| busy())?;
        Ok(driver.replica.check(now(), &kind).err().map(|e| codec::to_string(&Refusal::from(e))))
    }

    /// The render-ready view now, as JSON.
    pub fn view(&self) -> Result<String, JsValue> {
        let driver = self.driver.try_borrow().map_err(|_| busy())?;
        Ok(codec::to_string(&driver.replica.view(now())))
    }

    /// Follows the presence roster of the user's teams and favourites
    /// (S6, S12): `roster` events follow, and `presence` for each change.
    /// After a reconnect the engine follows it again from where it was.
    #[wasm_bindgen(js_name = subscribeRoster)]
    pub fn subscribe_roster(&self) {
        let _ = run(&self.driver, |d| {
            d.replica.subscribe_roster();
            d.flush();
            d.schedule_wake();
        });
    }

    /// Stops following the roster; a last `roster` event says it is empty.
    #[wasm_bindgen(js_name = unsubscribeRoster)]
    pub fn unsubscribe_roster(&self) {
        let _ = run(&self.driver, |d| {
            d.replica.unsubscribe_roster();
            d.flush();
            d.drain_notices();
        });
    }

    /// The roster now, as the JSON of `{ entries, queues }`, empty unless
    /// followed.
    pub fn roster(&self) -> Result<String, JsValue> {
        let driver = self.driver.try_borrow().map_err(|_| busy())?;
        Ok(codec::to_string(&driver.replica.roster_view(now())))
    }

    /// The connection state: `closed`, `connecting`, `live`, `waiting`, `unauthorized` or `incompatible`.
    #[wasm_bindgen(js_name = connectionState)]
    pub fn connection_state(&self) -> String {
        self.driver.try_borrow().map_or_else(|_| "busy".to_owned(), |d| name_of(d.link.state()))
    }

    /// Replaces the token; reconnects at once if the old one was refused.
    #[wasm_bindgen(js_name = updateToken)]
    pub fn update_token(&self, token: String) {
        let _ = run(&self.driver, |d| {
            d.token = token;
            if d.link.state() == LinkState::Unauthorized {
                let action = d.link.start();
                d.act(action);
                d.report_connection(None);
            }
        });
    }

    /// Recomputes the view now, as when the page becomes visible: the
    /// simulator calls it after moving its virtual clock.
    pub fn wake(&self) {
        let _ = run(&self.driver, Driver::on_wake);
    }

    /// Closes the connection and stops every timer.
    pub fn close(&self) {
        let _ = run(&self.driver, |d| {
            d.link.close();
            d.socket = None;
            d.retry = None;
            d.pinger = None;
            d.wake = None;
            d.visibility = None;
            d.report_connection(None);
        });
    }
}

/// Runs `f` on the driver, then delivers the events it queued, with the
/// driver released: JS is never called in the middle of a transition, so a
/// listener may call straight back in. `None` only if the driver is already
/// in use, which that ordering rules out; refusing beats a panic, which
/// would kill the engine.
fn run<T>(driver: &Rc<RefCell<Driver>>, f: impl FnOnce(&mut Driver) -> T) -> Option<T> {
    let (result, events, listener) = {
        let mut d = driver.try_borrow_mut().ok()?;
        let result = f(&mut d);
        (result, std::mem::take(&mut d.pending), d.listener.clone())
    };
    for (kind, payload) in events {
        let _ = listener.call2(&JsValue::NULL, &JsValue::from_str(kind), &JsValue::from_str(&payload));
    }
    Some(result)
}

/// Reads a command from the page's JSON, within the wire's bounds.
fn command_of(json: &str) -> Result<CommandKind, JsValue> {
    let kind = codec::from_str::<CommandKind>(json).map_err(|e| js_error("invalid_message", &format!("not a command: {e}")))?;
    check_command(&kind).map_err(|e| js_error("invalid_message", &e.to_string()))?;
    Ok(kind)
}

fn busy() -> JsValue {
    js_error("busy", "the engine is handling another call")
}

fn with(me: &Weak<RefCell<Driver>>, f: impl FnOnce(&mut Driver)) {
    if let Some(driver) = me.upgrade() {
        let _ = run(&driver, f);
    }
}

impl Driver {
    fn emit(&mut self, kind: &'static str, payload: impl Encode) {
        self.pending.push((kind, codec::to_string(&payload)));
    }

    fn act(&mut self, action: LinkAction) {
        match action {
            LinkAction::Open => self.open(),
            LinkAction::RetryAt(at) => {
                let me = self.me.clone();
                let delay = at.0.saturating_sub(now().0).min(u64::from(u32::MAX)) as u32;
                self.retry = Some(Timeout::new(delay, move || {
                    with(&me, |d| {
                        let action = d.link.retry_due();
                        d.act(action);
                        d.report_connection(None);
                    })
                }));
            }
            LinkAction::Stay => {}
        }
    }

    fn open(&mut self) {
        self.socket = None;
        let made = match &self.transport {
            Some(factory) => factory
                .call1(&JsValue::NULL, &JsValue::from_str(&self.url))
                .ok()
                .filter(|socket| socket.is_object())
                .map(|socket| socket.unchecked_into::<web_sys::WebSocket>())
                .ok_or(()),
            None => web_sys::WebSocket::new(&self.url).map_err(|_| ()),
        };
        let ws = match made {
            Ok(ws) => ws,
            Err(()) => {
                self.emit("error", Report { code: "bad_url", message: format!("cannot open a WebSocket to {}", self.url) });
                let action = self.link.closed(now(), 1006);
                return self.act(action);
            }
        };
        let (me_open, me_message, me_close) = (self.me.clone(), self.me.clone(), self.me.clone());
        let on_open = EventListener::new(&ws, "open", move |_| with(&me_open, Driver::on_open));
        let on_message = EventListener::new(&ws, "message", move |event| {
            let data = event.dyn_ref::<web_sys::MessageEvent>().map(web_sys::MessageEvent::data);
            with(&me_message, |d| d.on_frame(data));
        });
        let on_close = EventListener::new(&ws, "close", move |event| {
            let (code, reason) =
                event.dyn_ref::<web_sys::CloseEvent>().map_or((1006, String::new()), |c| (c.code(), c.reason()));
            with(&me_close, |d| d.on_close(code, reason));
        });
        self.socket = Some(Socket { ws, _listeners: [on_open, on_message, on_close] });
    }

    fn on_open(&mut self) {
        let hello = self.replica.hello(&self.token);
        self.send(&hello);
    }

    fn on_frame(&mut self, data: Option<JsValue>) {
        let Some(text) = data.filter(JsValue::is_string) else {
            return self.emit("error", Report { code: "malformed_frame", message: "binary frames are not part of the protocol".into() });
        };
        // SPEC N8: frames up to MAX_SERVER_FRAME_BYTES of UTF-8 are taken.
        // UTF-8 needs at least one byte per UTF-16 unit, so a longer JS
        // string is refused before it is copied into wasm memory.
        let units = text.unchecked_ref::<js_sys::JsString>().length() as usize;
        let text = if units > MAX_SERVER_FRAME_BYTES { None } else { text.as_string() };
        let Some(text) = text.filter(|t| t.len() <= MAX_SERVER_FRAME_BYTES) else {
            let message = format!("a frame over {MAX_SERVER_FRAME_BYTES} bytes was dropped");
            return self.emit("error", Report { code: "oversize_frame", message });
        };
        let message = codec::parse(&text)
            .map_err(|e| ("malformed_frame", format!("the server sent a frame that is not JSON: {e}")))
            .and_then(|json| codec::decode::<ServerMessage>(json).map_err(|e| ("invalid_message", e.to_string())));
        let message = match message {
            Ok(message) => message,
            Err((code, message)) => return self.emit("error", Report { code, message }),
        };
        let welcome = matches!(message, ServerMessage::Welcome { .. });
        match self.replica.handle_message(now(), message) {
            Ok(()) => {}
            Err(SyncError::NotSynced) => self.replica_resync(),
            Err(error @ SyncError::Version(_)) => {
                // Terminal: drop the socket (its listeners with it) and say so.
                self.emit("error", Report { code: error.code(), message: error.to_string() });
                self.link.incompatible();
                self.socket = None;
                self.pinger = None;
                return self.report_connection(None);
            }
        }
        if welcome && self.replica.state().is_some() {
            self.link.welcomed();
            self.report_connection(None);
            self.start_pinger();
        }
        self.flush();
        self.drain_notices();
        self.schedule_wake();
    }

    fn replica_resync(&mut self) {
        self.send(&ClientMessage::Resync);
    }

    fn on_close(&mut self, code: u16, reason: String) {
        self.socket = None;
        self.pinger = None;
        let action = self.link.closed(now(), code);
        self.act(action);
        self.report_connection(Some((code, reason)));
    }

    fn report_connection(&mut self, close: Option<(u16, String)>) {
        let (code, reason) = close.map_or((None, None), |(c, r)| (Some(c), Some(r)));
        let state = name_of(self.link.state());
        let failures = self.link.failures();
        self.emit("connection", ConnectionReport { state, failures, code, reason });
    }

    fn start_pinger(&mut self) {
        self.replica.ping(now());
        let me = self.me.clone();
        self.pinger = Some(Interval::new(PING_EVERY_MS, move || {
            with(&me, |d| {
                d.replica.ping(now());
                d.flush();
            })
        }));
    }

    /// Sends what the replica queued, once the link is live; until then
    /// commands wait in the replica and go out after the welcome.
    fn flush(&mut self) {
        if self.link.state() != LinkState::Live {
            return;
        }
        while let Some(message) = self.replica.poll_transmit() {
            self.send(&message);
        }
    }

    fn send(&mut self, message: &ClientMessage) {
        if let Some(socket) = &self.socket {
            let text = codec::to_string(message);
            if socket.ws.send_with_str(&text).is_err() {
                self.emit("error", Report { code: "send_failed", message: "the socket refused a frame".into() });
            }
        }
    }

    fn drain_notices(&mut self) {
        let mut changed = false;
        let mut roster_changed = false;
        let mut presences = Vec::new();
        while let Some(notice) = self.replica.poll_notice() {
            match notice {
                Notice::Synced => {}
                Notice::Changed => changed = true,
                Notice::Offer(offer) => self.emit("offer", offer),
                Notice::OfferEnded(offer, outcome) => self.emit("offer_ended", OfferEndedReport { offer: offer.0, outcome }),
                Notice::Rona(cause) => {
                    let notification = notify_rona();
                    self.emit("rona", RonaReport { cause, notification });
                }
                Notice::Acked(id, seq) => self.emit("ack", AckReport { id: id.0, seq: seq.0 }),
                Notice::Rejected(id, refusal) => {
                    self.emit("nack", NackReport { id: id.0, code: refusal.code, message: refusal.message })
                }
                Notice::ServerError(refusal) => self.emit("error", refusal),
                Notice::Roster => roster_changed = true,
                Notice::Presence(user) => presences.push(user),
            }
        }
        if changed {
            self.emit_view();
        }
        // The own state holds the monitorings a roster row shows.
        if roster_changed || !presences.is_empty() || (changed && self.replica.roster().subscribed()) {
            self.emit_roster(&presences);
        }
    }

    /// Sends `presence` for each user changed, then the whole `roster`.
    fn emit_roster(&mut self, presences: &[crate::model::UserId]) {
        let roster = self.replica.roster_view(now());
        for user in presences {
            if let Some(entry) = roster.entries.iter().find(|e| e.user == user) {
                self.pending.push(("presence", codec::to_string(entry)));
            }
        }
        self.pending.push(("roster", codec::to_string(&roster)));
    }

    fn emit_view(&mut self) {
        let view = codec::to_string(&self.replica.view(now()));
        self.pending.push(("view", view));
    }

    /// Sleeps until the view next changes; recomputed on every wake.
    fn schedule_wake(&mut self) {
        let now = now();
        self.wake = self.replica.next_change(now).map(|at| {
            let delay = at.0.saturating_sub(now.0).clamp(1, u64::from(u32::MAX)) as u32;
            let me = self.me.clone();
            Timeout::new(delay, move || with(&me, Driver::on_wake))
        });
    }

    fn on_wake(&mut self) {
        self.emit_view();
        if self.replica.roster().subscribed() {
            self.emit_roster(&[]);
        }
        self.schedule_wake();
    }

    /// A tab coming back from the background may have slept through many
    /// wakes: recompute at once (SPEC T7).
    fn watch_visibility(&mut self) {
        if self.visibility.is_some() {
            return;
        }
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let me = self.me.clone();
            self.visibility = Some(EventListener::new(&document, "visibilitychange", move |_| with(&me, Driver::on_wake)));
        }
    }
}

/// SPEC O6: when the page is not the visible, focused tab, RONA raises a
/// system notification where granted, otherwise the page shows a toast.
fn notify_rona() -> &'static str {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return "none" };
    if !document.hidden() && document.has_focus().unwrap_or(true) {
        return "none";
    }
    if web_sys::Notification::permission() == web_sys::NotificationPermission::Granted {
        let options = web_sys::NotificationOptions::new();
        options.set_body("An offer was not answered. Choose Go idle or Go available.");
        options.set_tag("ringside-rona");
        if web_sys::Notification::new_with_options("RONA", &options).is_ok() {
            return "system";
        }
    }
    "toast"
}

#[derive(Encode)]
struct Report {
    code: &'static str,
    message: String,
}

#[derive(Encode)]
struct ConnectionReport {
    state: String,
    failures: u32,
    code: Option<u16>,
    reason: Option<String>,
}

#[derive(Encode)]
struct OfferEndedReport {
    offer: u64,
    outcome: crate::model::state::OfferOutcome,
}

#[derive(Encode)]
struct RonaReport {
    cause: crate::model::RonaCause,
    notification: &'static str,
}

#[derive(Encode)]
struct AckReport {
    id: String,
    seq: u64,
}

#[derive(Encode)]
struct NackReport {
    id: String,
    code: String,
    message: String,
}

fn name_of(state: LinkState) -> String {
    match state {
        LinkState::Closed => "closed",
        LinkState::Connecting => "connecting",
        LinkState::Live => "live",
        LinkState::Waiting => "waiting",
        LinkState::Unauthorized => "unauthorized",
        LinkState::Incompatible => "incompatible",
    }
    .to_owned()
}

thread_local! {
    /// The clock given to an engine in place of the page's (a simulator's).
    static CLOCK: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// The page's monotonic clock (or the given one), in whole milliseconds.
fn now() -> Millis {
    let given = CLOCK.with_borrow(|clock| clock.as_ref().and_then(|f| f.call0(&JsValue::NULL).ok()));
    let ms = given.and_then(|t| t.as_f64()).or_else(|| web_sys::window().and_then(|w| w.performance()).map(|p| p.now()));
    Millis(ms.unwrap_or(0.0).max(0.0) as u64)
}

/// A real JS `Error` with a stable `code` property.
fn js_error(code: &str, message: &str) -> JsValue {
    let error = js_sys::Error::new(message);
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    error.into()
}
