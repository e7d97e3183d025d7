//! The `engine` target: browser engines (`ringside::web::Engine`, the code
//! that runs in the page as wasm) wired to the in-page simulator's hub as
//! the package's wrapper wires them to sockets, and driven by the bytes:
//! two tabs of one agent and a supervisor's desk.
//!
//! The page's side does what js/index.js does: opens a socket when asked
//! (dropping the old one unheard), says it opened, hands over every frame
//! and close, and runs the timers the engine sets when the clock reaches
//! them. The bytes choose what happens between: the agent's commands (from
//! the center target's table, with ids drawn from what the center holds),
//! customers' actions, the clock moving, the network dropping, the page
//! closing, reconnecting, changing its token or following the roster, and
//! frames no server sends (garbage, and real frames cut or with a byte
//! changed).
//!
//! A panic is a finding (in the browser it would kill the engine), and so
//! is any of these:
//! - a frame the engine sends that the server's decoder refuses, or one
//!   sent with no socket open (SPEC N6);
//! - a page event that is not JSON, or of a kind the wrapper does not know;
//! - a timer delay that is not a whole number of milliseconds;
//! - the engine and the hub passing frames without end;
//! - once everything sent has arrived on a live connection, a view that
//!   shows another status, other offers or other interactions than the
//!   center holds for the agent (SPEC N2: never a state the server does
//!   not hold).

use crate::{build, participants, profile, Bytes, Picker, AGENTS, MAX_INPUTS, QUEUES, SUPERVISOR, T0};
use ringside::center::Input;
use ringside::model::{AgentState, Channel, ContactId, InteractionId, Millis, OfferId, ParticipantId, QueueId, Role, RonaCause, ServerTime, SessionId, UserId};
use ringside::protocol::ClientMessage;
use ringside::web::{Engine, Host, Timer};
use ringside_sim::hub::{CustomerReply, Delivery, Hub, SimConfig, SimUser};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// Deliveries between the engines and the hub after one input beyond which
/// they are taken never to settle.
const MAX_EXCHANGES: usize = 10_000;

/// The events the wrapper hands to the page (js/index.js); anything else
/// is I/O it executes.
const PAGE_EVENTS: [&str; 10] = ["view", "roster", "presence", "connection", "offer", "offer_ended", "rona", "ack", "nack", "error"];

/// Clock steps, in milliseconds: within a flash, to an offer's deadline,
/// past the ping interval, past the reconnect grace.
const STEPS_MS: [u64; 8] = [10, 500, 1_000, 4_000, 5_000, 15_000, 30_000, 120_000];

/// The pages: two tabs of agent `a0` (SPEC N4) and the supervisor's desk,
/// which follows the roster (S6, S12).
const TABS: [&str; 3] = [AGENTS[0], AGENTS[0], SUPERVISOR];

/// A wrapper's side of an engine: what it delivered and has not been
/// handled yet, and the clock it reads (the hub's, shared by every page).
#[derive(Clone)]
struct Page {
    delivered: Rc<RefCell<VecDeque<(String, String)>>>,
    clock: Rc<Cell<u64>>,
}

impl Host for Page {
    fn deliver(&self, kind: &str, payload: &str) {
        self.delivered.borrow_mut().push_back((kind.to_owned(), payload.to_owned()));
    }

    fn now(&self) -> Millis {
        Millis(self.clock.get())
    }
}

/// One page: its engine, whose it is, its socket and its timers.
struct Tab {
    engine: Engine<Page>,
    page: Page,
    user: UserId,
    /// The engine's socket: its session at the hub, while one is open.
    socket: Option<SessionId>,
    /// When each of the engine's timers runs out, if set.
    timers: [(Timer, Option<u64>); 3],
}

/// The pages and the hub they talk to.
struct Desk {
    hub: Hub,
    clock: Rc<Cell<u64>>,
    tabs: Vec<Tab>,
    /// The last frame the hub sent any page, to damage.
    last_frame: String,
    /// The contacts placed so far, live or gone.
    contacts: Vec<ContactId>,
}

/// Runs the bytes against the engines of two tabs of agent `a0` and the
/// supervisor's desk, and a hub.
///
/// The first byte picks the profile (as [`crate::center`] does); then each
/// input takes one byte for its kind (the byte modulo 16) and the page it
/// concerns (the byte divided by 16, modulo the pages: bytes below 16 are
/// the first tab), and a few for its arguments, up to [`MAX_INPUTS`] inputs
/// or the end of the bytes.
///
/// # Panics
///
/// On any of the findings in the module's documentation.
pub fn engine(data: &[u8]) {
    engine_observed(data, |_| {});
}

/// What one page showed after an input: for a test to measure what a
/// corpus reaches.
#[derive(Debug)]
pub struct Seen<'a> {
    /// The engine's connection state.
    pub connection: &'static str,
    /// The engine's view.
    pub view: &'a Value,
    /// The engine's roster.
    pub roster: &'a Value,
}

/// [`engine`], calling `observe` with what each page shows after each
/// input.
///
/// # Panics
///
/// As [`engine`].
pub fn engine_observed(data: &[u8], mut observe: impl FnMut(Seen)) {
    let mut bytes = Bytes { data, at: 0 };
    let mut desk = Desk::new(bytes.byte());
    for tab in &desk.tabs {
        tab.engine.connect();
    }
    desk.settle();
    let mut applied = 0;
    while !bytes.is_empty() && applied < MAX_INPUTS {
        desk.input(&mut bytes);
        desk.settle();
        for tab in &desk.tabs {
            let (view, roster) = tab.check_view(&desk.hub);
            observe(Seen { connection: tab.engine.connection_state(), view: &view, roster: &roster });
        }
        applied += 1;
    }
}

impl Desk {
    fn new(choice: u8) -> Desk {
        let mut agents: Vec<SimUser> = AGENTS.map(|a| SimUser::Agent(UserId::from(a))).to_vec();
        agents.push(SimUser::WithRole { id: UserId::from(SUPERVISOR), role: Role::Supervisor });
        let config = SimConfig { profile: profile(choice), queues: QUEUES.map(QueueId::from).to_vec(), agents, directory: Default::default() };
        let hub = Hub::new(config, T0).expect("a valid simulator");
        let clock = Rc::new(Cell::new(T0.0));
        let tabs = TABS
            .iter()
            .enumerate()
            .map(|(n, user)| {
                let page = Page { delivered: Rc::default(), clock: clock.clone() };
                Tab {
                    engine: Engine::new((*user).to_owned(), &format!("tab{n}"), u32::from(choice) + n as u32, page.clone()),
                    page,
                    user: UserId::from(*user),
                    socket: None,
                    timers: [(Timer::Retry, None), (Timer::Ping, None), (Timer::Wake, None)],
                }
            })
            .collect();
        Desk { hub, clock, tabs, last_frame: String::new(), contacts: Vec::new() }
    }

    /// One input the bytes describe.
    fn input(&mut self, b: &mut Bytes) {
        let byte = b.byte();
        let tab = usize::from(byte / 16) % self.tabs.len();
        match byte % 16 {
            0..=5 => {
                let json = self.command(tab, b);
                if let Err(refusal) = self.tabs[tab].engine.command(&json) {
                    assert!(!refusal.code.is_empty(), "a refusal without a code");
                }
            }
            6 => {
                let json = self.command(tab, b);
                if let Ok(Some(refusal)) | Err(refusal) = self.tabs[tab].engine.check(&json) {
                    assert!(!refusal.code.is_empty(), "a refusal without a code");
                }
            }
            7 | 8 => self.customer(b),
            9 | 10 => self.advance(STEPS_MS[b.below(STEPS_MS.len())]),
            11 => {
                let user = self.tabs[tab].user.clone();
                self.hub.drop_connections(&user);
            }
            12 => {
                let text = String::from_utf8_lossy(b.take(64)).into_owned();
                self.tabs[tab].frame(&text);
            }
            13 => {
                let text = damaged(&self.last_frame, b);
                self.tabs[tab].frame(&text);
            }
            14 => self.tabs[tab].page_action(b),
            _ => {
                // What a page passes that is no command at all.
                let text = String::from_utf8_lossy(b.take(64)).into_owned();
                if let Err(refusal) = self.tabs[tab].engine.command(&text) {
                    assert!(!refusal.code.is_empty(), "a refusal without a code");
                }
                self.tabs[tab].engine.binary_frame();
            }
        }
    }

    /// A command of the page's user, as the page's JSON.
    fn command(&self, tab: usize, b: &mut Bytes) -> String {
        let kind = build(b.byte(), &mut Picker { b, center: self.hub.center(), now: self.hub.now(), actor: &self.tabs[tab].user });
        serde_json::to_string(&kind).expect("a command serialises")
    }

    /// A customer's action at the hub, as the server's `/sim/` takes it,
    /// on what the first tab's agent holds.
    fn customer(&mut self, b: &mut Bytes) {
        let center = self.hub.center();
        let agent = &self.tabs[0].user;
        let me = center.agent(agent);
        let interactions: Vec<InteractionId> = me.map(|a| a.interactions.iter().map(|i| i.id).collect()).unwrap_or_default();
        let input = match b.below(6) {
            0 | 1 => {
                let queue = QueueId::from(QUEUES[b.below(QUEUES.len())]);
                let channel = Channel::ALL[b.below(Channel::ALL.len())];
                Input::EnqueueContact { queue, channel, from: ["+46 8 555 0100", "Ada", ""][b.below(3)].to_owned() }
            }
            2 => Input::CustomerHangUp { contact: b.pick(&self.contacts, |n| ContactId(u64::from(n))) },
            3 => {
                let offers: Vec<OfferId> = me.map(|a| a.offers.iter().map(|o| o.id).collect()).unwrap_or_default();
                Input::OfferUndeliverable { offer: b.pick(&offers, |n| OfferId(u64::from(n))), cause: RonaCause::NetworkFault }
            }
            4 => Input::NumberAnswers { interaction: b.pick(&interactions, |n| InteractionId(u64::from(n))), answered: b.byte() & 1 == 1 },
            _ => {
                let interaction = b.pick(&interactions, |n| InteractionId(u64::from(n)));
                let on_call = participants(center, Some(agent), interaction);
                Input::PartyHangsUp { interaction, participant: b.pick(&on_call, |n| ParticipantId(u64::from(n))) }
            }
        };
        if let Ok(CustomerReply::Contact { contact }) = self.hub.customer(input) {
            self.contacts.push(contact);
        }
    }

    /// Moves the clock by `ms`, firing the hub's deadlines and the engines'
    /// timers in time order, each at its own time.
    fn advance(&mut self, ms: u64) {
        let end = self.clock.get() + ms;
        loop {
            let hub_due = self.hub.next_deadline().map(|t| t.0).filter(|t| *t <= end);
            let timer_due = self
                .tabs
                .iter()
                .enumerate()
                .flat_map(|(n, tab)| tab.timers.iter().filter_map(move |(timer, due)| due.filter(|d| *d <= end).map(|d| (d, n, *timer))))
                .min_by_key(|(d, _, _)| *d);
            let Some(at) = hub_due.into_iter().chain(timer_due.map(|(d, _, _)| d)).min() else { break };
            let at = at.max(self.clock.get());
            self.clock.set(at);
            self.hub.advance_to(ServerTime(at));
            if let Some((_, n, timer)) = timer_due.filter(|(d, _, _)| *d <= at) {
                self.tabs[n].set_timer(timer, None);
                self.tabs[n].engine.fire(timer);
            }
            self.settle();
        }
        self.clock.set(end);
        self.hub.advance_to(ServerTime(end));
        self.settle();
    }

    /// Passes deliveries both ways until no page and not the hub has any.
    fn settle(&mut self) {
        for _ in 0..MAX_EXCHANGES {
            let delivered = self.tabs.iter().enumerate().find_map(|(n, tab)| tab.page.delivered.borrow_mut().pop_front().map(|d| (n, d)));
            if let Some((n, (kind, payload))) = delivered {
                self.handle(n, &kind, payload);
            } else if let Some(out) = self.hub.poll_outgoing() {
                // A socket a page already dropped gets nothing.
                let Some(tab) = self.tabs.iter_mut().find(|t| t.socket == Some(out.session)) else { continue };
                match out.delivery {
                    Delivery::Text(text) => {
                        tab.frame(&text);
                        self.last_frame = text;
                    }
                    Delivery::Close(code, reason) => {
                        tab.socket = None;
                        tab.engine.closed(code, reason);
                    }
                }
            } else {
                return;
            }
        }
        panic!("the engines and the hub still pass frames after {MAX_EXCHANGES} deliveries");
    }

    /// Does what js/index.js does with a delivery of page `n`.
    fn handle(&mut self, n: usize, kind: &str, payload: String) {
        let tab = &mut self.tabs[n];
        match kind {
            "socket_open" => {
                if let Some(old) = tab.socket.take() {
                    self.hub.closed(old);
                }
                tab.socket = Some(self.hub.open());
                tab.engine.opened();
            }
            "socket_send" => {
                let Some(session) = tab.socket else { panic!("the engine sent a frame with no socket open: {payload}") };
                if let Err(refused) = ClientMessage::decode(&payload) {
                    panic!("the engine sent a frame the server refuses ({}): {payload}", refused.error.code());
                }
                self.hub.receive(session, &payload);
            }
            "socket_close" => {
                if let Some(old) = tab.socket.take() {
                    self.hub.closed(old);
                }
            }
            "timer_retry" | "timer_ping" | "timer_wake" => {
                let timer = match kind {
                    "timer_retry" => Timer::Retry,
                    "timer_ping" => Timer::Ping,
                    _ => Timer::Wake,
                };
                let due = (!payload.is_empty()).then(|| {
                    let delay: u64 = payload.parse().unwrap_or_else(|_| panic!("{kind}: the delay {payload:?} is not whole milliseconds"));
                    self.clock.get() + delay
                });
                tab.set_timer(timer, due);
            }
            _ => {
                assert!(PAGE_EVENTS.contains(&kind), "the engine delivered an event the wrapper does not know: {kind}");
                if let Err(e) = serde_json::from_str::<Value>(&payload) {
                    panic!("the {kind} event is not JSON ({e}): {payload}");
                }
            }
        }
    }
}

impl Tab {
    /// What a page does besides commands.
    fn page_action(&mut self, b: &mut Bytes) {
        match b.below(7) {
            0 => self.engine.close(),
            1 => self.engine.connect(),
            2 => self.engine.update_token(self.user.as_str().to_owned()),
            // A token the hub does not know: refused (4001) at the next hello.
            3 => self.engine.update_token("nobody".to_owned()),
            4 => self.engine.subscribe_roster(),
            5 => self.engine.unsubscribe_roster(),
            // The page shown again: the engine recomputes at once (SPEC T7).
            _ => self.engine.fire(Timer::Wake),
        }
    }

    fn set_timer(&mut self, timer: Timer, due: Option<u64>) {
        if let Some(slot) = self.timers.iter_mut().find(|(t, _)| *t == timer) {
            slot.1 = due;
        }
    }

    /// A text frame handed to the engine as js/engine.js hands it over.
    fn frame(&self, text: &str) {
        if self.engine.frame_fits(text.encode_utf16().count()) {
            self.engine.frame(text);
        }
    }

    /// The view and the roster, which must be JSON; on a live connection
    /// with nothing in flight, the view must show what the center holds
    /// (SPEC N2).
    fn check_view(&self, hub: &Hub) -> (Value, Value) {
        let view = self.engine.view().expect("the engine is free between inputs");
        let view: Value = serde_json::from_str(&view).unwrap_or_else(|e| panic!("the view is not JSON ({e}): {view}"));
        let roster = self.engine.roster().expect("the engine is free between inputs");
        let roster: Value = serde_json::from_str(&roster).unwrap_or_else(|e| panic!("the roster is not JSON ({e}): {roster}"));
        let live = self.engine.connection_state() == "live" && view["ready"] == Value::Bool(true);
        if let Some(held) = hub.center().agent(&self.user).filter(|_| live) {
            compare(&view, held);
        }
        (view, roster)
    }
}

/// SPEC N2: the view shows the status, offers and interactions `held`.
fn compare(view: &Value, held: &AgentState) {
    let ids = |list: &Value| -> Vec<u64> { list.as_array().map(|l| l.iter().filter_map(|i| i["id"].as_u64()).collect()).unwrap_or_default() };
    assert_eq!(view["status"]["id"].as_str(), Some(held.status.as_str()), "the view shows another status than the center holds");
    assert_eq!(ids(&view["offers"]), held.offers.iter().map(|o| o.id.0).collect::<Vec<_>>(), "the view shows other offers");
    assert_eq!(
        ids(&view["interactions"]),
        held.interactions.iter().map(|i| i.id.0).collect::<Vec<_>>(),
        "the view shows other interactions"
    );
}

/// `frame` cut short, or with one byte changed.
fn damaged(frame: &str, b: &mut Bytes) -> String {
    let mut bytes = frame.as_bytes().to_vec();
    if bytes.is_empty() {
        return String::new();
    }
    let at = (usize::from(b.byte()) << 8 | usize::from(b.byte())) % bytes.len();
    match b.below(2) {
        0 => bytes.truncate(at),
        _ => bytes[at] = b.byte(),
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
