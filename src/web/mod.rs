//! The browser engine: the rules and state of one page's agent, with its
//! I/O left to the page.
//!
//! [`Engine`] decides; the package's wrapper (`js/index.js`) executes. The
//! engine asks for a socket, a frame sent, a timer, through the same
//! [`Host::deliver`] that carries the page's events, and the wrapper
//! reports back what happened: [`Engine::opened`], [`Engine::frame`],
//! [`Engine::closed`], and [`Engine::fire`] for a timer that ran out. The
//! engine retries as [`Link`] says, feeds frames to the [`Replica`], sleeps
//! until the replica's next view change (never a fixed fast tick),
//! recomputes when the page is shown again (SPEC T7) and pings for the
//! clock offset (O7). When the page follows the presence roster, it gets
//! `roster` whenever what the roster shows changes (a frame, a timer's next
//! second, its own monitorings) and `presence` for each followed user's
//! change (S6, S12). Deliveries happen only after the engine's own state is
//! released, so the wrapper and the page's listeners may call back in at
//! once.
//!
//! The I/O lives in the wrapper because the browser bindings it needs
//! (web-sys, closures handed to JS, their timers and listeners) were a
//! seventh of the wasm module; the decisions stay here, in safe Rust that
//! also runs natively (tests/web.rs). `abi` is the module's only door to
//! the page on wasm32.

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
pub mod abi;

use crate::agent::link::{Link, LinkAction, LinkState};
use crate::codec::{self, Encode};
use crate::agent::{Notice, Replica, SyncError};
use crate::model::{Millis, Refusal};
use crate::protocol::limits::{check_command, MAX_SERVER_FRAME_BYTES};
use crate::protocol::{ClientMessageOf, OutgoingCommand, OutgoingMessage, ServerMessage};
use core::cell::RefCell;
use crate::text::text;
use alloc::{borrow::ToOwned, string::String, vec::Vec};

/// How often a live engine measures the clock offset, and how long a
/// socket may answer nothing (to a ping, or to a hello) before it counts as
/// dead: a pong takes a round trip, and the server answers pings before
/// commands.
const PING_EVERY_MS: u64 = 10_000;

/// The least time between two pings the page asks for (shown again, say),
/// so a page that flickers does not spend the rate limit on them.
const MIN_PING_GAP_MS: u64 = 1_000;

/// The close code and reason the engine reports for a socket it dropped
/// because nothing came back: a network gone silent without closing it, a
/// frozen server, a handshake that hangs.
const SILENT_CLOSE: (u16, &str) = (1006, "no answer from the server");

/// What the engine runs in: the page's wrapper, or a test.
pub trait Host {
    /// Receives an event for the page or an I/O request for the wrapper:
    /// `socket_open`, `socket_send` with the frame, `socket_close`, and
    /// `timer_retry`, `timer_wake`, `timer_ping` with a delay in
    /// milliseconds (empty to cancel). Called only while the engine is free,
    /// so it may call straight back in.
    fn deliver(&self, kind: &str, payload: &str);

    /// The time now: the page's monotonic clock or a simulator's virtual one.
    fn now(&self) -> Millis;
}

/// The engine's timers, each asked for by `timer_<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The reconnect backoff ran out.
    Retry,
    /// Time to measure the clock offset again.
    Ping,
    /// The view may have changed: its next change, the page shown again
    /// (SPEC T7) or a virtual clock moved.
    Wake,
}

/// The agent engine of one page: connection decisions, replica, timers.
pub struct Engine<H> {
    driver: RefCell<Driver>,
    host: H,
}

struct Driver {
    replica: Replica,
    link: Link,
    token: String,
    /// The host's time when the current call began: one instant per call.
    now: Millis,
    /// What to deliver (type, payload), once the driver is released.
    pending: Vec<(&'static str, String)>,
    /// Since when the socket owes an answer (a ping's, or the welcome to a
    /// socket being opened) that nothing has given.
    unanswered_since: Option<Millis>,
    /// When the last ping went out.
    last_ping: Option<Millis>,
    /// When a live socket is next pinged, or its answer is next looked for:
    /// on the view's own wake when one comes within a second of it, so a
    /// ticking timer costs no extra wake-up.
    ping_due: Option<Millis>,
}

impl<H: Host> Engine<H> {
    /// Creates an engine with a token. `client_tag` must be unique per tab
    /// (it prefixes command ids); `seed` drives the reconnect jitter.
    /// Nothing connects until [`Engine::connect`].
    pub fn new(token: String, client_tag: &str, seed: u32, host: H) -> Engine<H> {
        Engine {
            driver: RefCell::new(Driver {
                replica: Replica::new(client_tag),
                link: Link::new(u64::from(seed) << 32 | u64::from(seed.rotate_left(16))),
                token,
                now: Millis(0),
                pending: Vec::new(),
                unanswered_since: None,
                last_ping: None,
                ping_due: None,
            }),
            host,
        }
    }

    /// Opens the connection (and reopens it after `close` or a refused token).
    pub fn connect(&self) {
        self.run(|d| {
            let action = d.link.start();
            d.act(action);
            d.report_connection(None);
        });
    }

    /// The socket asked for opened: the engine says hello.
    pub fn opened(&self) {
        self.run(|d| {
            let hello = d.replica.hello(&d.token);
            d.send(&hello);
        });
    }

    /// Whether a text frame of `utf16_units` may be copied in for
    /// [`Engine::frame`]. SPEC N8: frames up to MAX_SERVER_FRAME_BYTES of
    /// UTF-8 are taken, and UTF-8 needs at least one byte per UTF-16 unit,
    /// so a longer JS string is refused (`oversize_frame`) before it is
    /// copied into wasm memory.
    pub fn frame_fits(&self, utf16_units: usize) -> bool {
        let fits = utf16_units <= MAX_SERVER_FRAME_BYTES;
        if !fits {
            self.run(Driver::oversize);
        }
        fits
    }

    /// A text frame from the socket.
    pub fn frame(&self, text: &str) {
        self.run(|d| d.on_frame(text));
    }

    /// A binary frame from the socket: not part of the protocol.
    pub fn binary_frame(&self) {
        self.run(|d| d.emit("error", Report { code: "malformed_frame", message: "binary frames are not part of the protocol".into() }));
    }

    /// The socket closed (or could not be opened: 1006).
    pub fn closed(&self, code: u16, reason: String) {
        self.run(|d| d.on_closed(code, reason));
    }

    /// The timer ran out.
    pub fn fire(&self, timer: Timer) {
        self.run(|d| match timer {
            Timer::Retry => {
                let before = d.link.state();
                let action = d.link.retry_due();
                d.act(action);
                if d.link.state() != before {
                    d.report_connection(None);
                }
            }
            Timer::Ping => d.ping(),
            Timer::Wake => d.on_wake(),
        });
    }

    /// Validates a command (its JSON, as in docs/protocol.md) with the
    /// authority's rules and sends it; returns its id. Refused with the
    /// rules' code (while live: with the connection lost, the state held
    /// may be stale, and the command waits for the server's judgement), or
    /// `invalid_message` when it is not a command or a text in it is over
    /// its bound (the server would refuse it the same way).
    pub fn command(&self, kind: &str) -> Result<String, Refusal> {
        let command = command_of(kind)?;
        self.run(|d| {
            // Offline, the state held may be stale: the server judges it.
            let live = d.link.state() == LinkState::Live;
            let id = d.replica.send_command(d.now, command, live)?;
            d.flush();
            Ok(id.0)
        })
        .unwrap_or_else(|| Err(busy()))
    }

    /// The page stopped waiting for the command `id` (its timeout): it is
    /// not sent again after a reconnect, nor at all if no socket took it
    /// yet ([`Replica::forget`]).
    pub fn forget(&self, id: &str) {
        self.run(|d| d.replica.forget(id));
    }

    /// Judges a command (JSON) as `command` would, without sending it: the
    /// refusal, if the rules refuse it. A desk asks this about a command its
    /// user is writing (a done with the chosen code, say).
    pub fn check(&self, kind: &str) -> Result<Option<Refusal>, Refusal> {
        let command = command_of(kind)?;
        let driver = self.driver.try_borrow().map_err(|_| busy())?;
        Ok(driver.replica.check(self.host.now(), command.kind()).err().map(Refusal::from))
    }

    /// The render-ready view now, as JSON.
    pub fn view(&self) -> Result<String, Refusal> {
        let driver = self.driver.try_borrow().map_err(|_| busy())?;
        Ok(codec::to_string(&driver.replica.view(self.host.now())))
    }

    /// Follows the presence roster of the user's teams and favourites
    /// (S6, S12): `roster` events follow, and `presence` for each change.
    /// After a reconnect the engine follows it again from where it was.
    pub fn subscribe_roster(&self) {
        self.run(|d| {
            d.replica.subscribe_roster();
            d.flush();
            d.schedule_wake();
        });
    }

    /// Stops following the roster; a last `roster` event says it is empty.
    pub fn unsubscribe_roster(&self) {
        self.run(|d| {
            d.replica.unsubscribe_roster();
            d.flush();
            d.drain_notices();
        });
    }

    /// The roster now, as the JSON of `{ entries, queues }`, empty unless
    /// followed.
    pub fn roster(&self) -> Result<String, Refusal> {
        let driver = self.driver.try_borrow().map_err(|_| busy())?;
        Ok(codec::to_string(&driver.replica.roster_view(self.host.now())))
    }

    /// The connection state: `closed`, `connecting`, `live`, `waiting`,
    /// `unauthorized` or `incompatible`.
    pub fn connection_state(&self) -> &'static str {
        self.driver.try_borrow().map_or("busy", |d| name_of(d.link.state()))
    }

    /// Replaces the token; reconnects at once if the old one was refused.
    pub fn update_token(&self, token: String) {
        self.run(|d| {
            d.token = token;
            if d.link.state() == LinkState::Unauthorized {
                let action = d.link.start();
                d.act(action);
                d.report_connection(None);
            }
        });
    }

    /// Closes the connection and stops every timer.
    pub fn close(&self) {
        self.run(|d| {
            d.link.close();
            d.io("socket_close", String::new());
            for timer in ["timer_retry", "timer_ping", "timer_wake"] {
                d.io(timer, String::new());
            }
            d.report_connection(None);
        });
    }

    /// Runs `f` on the driver at the host's time, then delivers what it
    /// queued, with the driver released: the host is never called in the
    /// middle of a transition, so the wrapper and the page may call straight
    /// back in. `None` only if the driver is already in use, which that
    /// ordering rules out; refusing beats a panic, which would kill the
    /// engine.
    fn run<T>(&self, f: impl FnOnce(&mut Driver) -> T) -> Option<T> {
        let now = self.host.now();
        let result = {
            let mut d = self.driver.try_borrow_mut().ok()?;
            d.now = now;
            f(&mut d)
        };
        self.deliver();
        Some(result)
    }

    /// Delivers what the driver queued. Out of line: `run` has one copy per
    /// engine call, and this loop need not.
    #[inline(never)]
    fn deliver(&self) {
        let Ok(mut d) = self.driver.try_borrow_mut() else { return };
        let deliveries = core::mem::take(&mut d.pending);
        drop(d);
        for (kind, payload) in deliveries {
            self.host.deliver(kind, &payload);
        }
    }
}

/// Reads a command from the page's JSON, within the wire's bounds; it is
/// sent as that JSON.
fn command_of(json: &str) -> Result<OutgoingCommand, Refusal> {
    let invalid = |message: String| Refusal { code: "invalid_message".into(), message };
    let command = OutgoingCommand::read(json).map_err(|e| invalid(text!("not a command: ", e.message())))?;
    check_command(command.kind()).map_err(|e| invalid(e.message()))?;
    Ok(command)
}

fn busy() -> Refusal {
    Refusal { code: "busy".into(), message: "the engine is handling another call".into() }
}

impl Driver {
    fn emit(&mut self, kind: &'static str, payload: impl Encode) {
        self.pending.push((kind, codec::to_string(&payload)));
    }

    /// Asks the wrapper for I/O: a socket opened, a frame sent, a timer set.
    fn io(&mut self, kind: &'static str, payload: String) {
        self.pending.push((kind, payload));
    }

    /// Sets the timer `kind` to run out `delay_ms` from now (the wrapper
    /// clamps it to what `setTimeout` keeps).
    fn set_timer(&mut self, kind: &'static str, delay_ms: u64) {
        self.io(kind, text!(delay_ms));
    }

    fn act(&mut self, action: LinkAction) {
        match action {
            LinkAction::Open => {
                self.io("socket_open", String::new());
                // A handshake that hangs is dropped as a silent socket is.
                self.unanswered_since = Some(self.now);
                self.set_timer("timer_ping", PING_EVERY_MS);
            }
            LinkAction::RetryAt(at) => {
                let delay = at.0.saturating_sub(self.now.0);
                self.set_timer("timer_retry", delay);
            }
            LinkAction::Stay => {}
        }
    }

    /// SPEC N8: a frame over the limit is dropped, and said so.
    fn oversize(&mut self) {
        let message = text!("a frame over ", MAX_SERVER_FRAME_BYTES, " bytes was dropped");
        self.emit("error", Report { code: "oversize_frame", message });
    }

    fn on_frame(&mut self, text: &str) {
        // Any frame shows the socket alive.
        self.unanswered_since = None;
        if text.len() > MAX_SERVER_FRAME_BYTES {
            return self.oversize();
        }
        let message = codec::parse(text)
            .map_err(|e| ("malformed_frame", text!("the server sent a frame that is not JSON: ", e.message())))
            .and_then(|json| codec::decode::<ServerMessage>(json).map_err(|e| ("invalid_message", e.message())));
        let message = match message {
            Ok(message) => message,
            Err((code, message)) => return self.emit("error", Report { code, message }),
        };
        let welcome = matches!(message, ServerMessage::Welcome { .. });
        match self.replica.handle_message(self.now, message) {
            Ok(()) => {}
            Err(SyncError::NotSynced) => self.send(&ClientMessageOf::Resync),
            Err(error @ SyncError::Version(_)) => {
                // Terminal: drop the socket and say so.
                self.emit("error", Report { code: error.code(), message: error.message() });
                self.link.incompatible();
                self.io("socket_close", String::new());
                self.io("timer_ping", String::new());
                return self.report_connection(None);
            }
        }
        if welcome && self.replica.state().is_some() {
            self.link.welcomed();
            self.report_connection(None);
            // The handshake's deadline is met; pings ride on the view's wakes.
            self.io("timer_ping", String::new());
            self.ping();
        }
        self.flush();
        self.drain_notices();
        self.schedule_wake();
    }

    fn on_closed(&mut self, code: u16, reason: String) {
        self.io("timer_ping", String::new());
        self.unanswered_since = None;
        self.ping_due = None;
        let action = self.link.closed(self.now, code);
        self.act(action);
        self.report_connection(Some((code, reason)));
    }

    fn report_connection(&mut self, close: Option<(u16, String)>) {
        let (code, reason) = close.map_or((None, None), |(c, r)| (Some(c), Some(r)));
        let state = name_of(self.link.state()).to_owned();
        let failures = self.link.failures();
        self.emit("connection", ConnectionReport { state, failures, code, reason });
    }

    /// Measures the clock offset now and again in [`PING_EVERY_MS`], while
    /// live. A socket that owes an answer (a pong, or the welcome to its
    /// hello) for that long is dropped, and the engine reconnects (SPEC N2):
    /// a silent network, a frozen server or a hanging handshake would
    /// otherwise keep the page showing a state the server no longer holds.
    fn ping(&mut self) {
        let state = self.link.state();
        if !matches!(state, LinkState::Live | LinkState::Connecting) {
            return;
        }
        if let Some(since) = self.unanswered_since {
            let waited = self.now.0.saturating_sub(since.0);
            if waited >= PING_EVERY_MS {
                self.io("socket_close", String::new());
                return self.on_closed(SILENT_CLOSE.0, SILENT_CLOSE.1.into());
            }
            // An answer is still owed: look again when its time is up.
            return self.ping_at(PING_EVERY_MS - waited);
        }
        if state == LinkState::Connecting || self.last_ping.is_some_and(|at| self.now.0.saturating_sub(at.0) < MIN_PING_GAP_MS) {
            return;
        }
        self.unanswered_since = Some(self.now);
        self.last_ping = Some(self.now);
        self.replica.ping(self.now);
        self.flush();
        self.ping_at(PING_EVERY_MS);
    }

    /// Sets the next ping `delay_ms` from now: on the ping timer while the
    /// socket is opening, else with the view's wake.
    fn ping_at(&mut self, delay_ms: u64) {
        if self.link.state() != LinkState::Live {
            return self.set_timer("timer_ping", delay_ms);
        }
        self.ping_due = Some(self.now.plus(delay_ms));
        self.schedule_wake();
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

    fn send(&mut self, message: &OutgoingMessage) {
        self.io("socket_send", codec::to_string(message));
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
                Notice::RecordEnded(record, outcome) => self.emit("record_ended", RecordEndedReport { record: record.0, outcome }),
                // SPEC O6: the wrapper adds how a hidden page was told.
                Notice::Rona(cause) => self.emit("rona", RonaReport { cause }),
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
        let roster = self.replica.roster_view(self.now);
        for user in presences {
            if let Some(entry) = roster.entries.iter().find(|e| e.user == user) {
                self.pending.push(("presence", codec::to_string(entry)));
            }
        }
        self.pending.push(("roster", codec::to_string(&roster)));
    }

    fn emit_view(&mut self) {
        let view = codec::to_string(&self.replica.view(self.now));
        self.pending.push(("view", view));
    }

    /// Sleeps until the view next changes; recomputed on every wake.
    fn schedule_wake(&mut self) {
        let now = self.now;
        let ping = self.ping_due.filter(|_| self.link.state() == LinkState::Live);
        let at = match (self.replica.next_change(now), ping) {
            // The ping rides on the view's wake up to a second late.
            (Some(view), Some(ping)) if view >= ping && view.0 - ping.0 <= MIN_PING_GAP_MS => Some(view),
            (Some(view), Some(ping)) => Some(view.min(ping)),
            (view, ping) => view.or(ping),
        };
        match at {
            Some(at) => self.set_timer("timer_wake", at.0.saturating_sub(now.0).max(1)),
            None => self.io("timer_wake", String::new()),
        }
    }

    fn on_wake(&mut self) {
        if self.ping_due.is_some_and(|at| self.now >= at) {
            self.ping_due = None;
            self.ping();
        }
        self.emit_view();
        if self.replica.roster().subscribed() {
            self.emit_roster(&[]);
        }
        self.schedule_wake();
    }
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
struct RecordEndedReport {
    record: u64,
    outcome: crate::model::campaign::OutboundOutcome,
}

#[derive(Encode)]
struct RonaReport {
    cause: crate::model::RonaCause,
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

fn name_of(state: LinkState) -> &'static str {
    match state {
        LinkState::Closed => "closed",
        LinkState::Connecting => "connecting",
        LinkState::Live => "live",
        LinkState::Waiting => "waiting",
        LinkState::Unauthorized => "unauthorized",
        LinkState::Incompatible => "incompatible",
    }
}
