//! The simulated agents: each one a real WebSocket that says hello with its
//! own token, logs in, and then changes status on the schedule of each phase
//! while timing every answer.

use crate::frames::{instant_at, now_us, wall_us, CommandTag, Frames};
use crate::stats::Tally;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use ringside::model::state::CommandKind;
use ringside::model::{CommandId, Role};
use ringside::protocol::{ClientMessage, ServerMessage, PROTOCOL_VERSION};
use ringside_server::auth::Keys;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{broadcast, mpsc};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;
/// The sending half of a bench socket.
pub type Sink = SplitSink<Socket, Message>;
/// The receiving half of a bench socket.
pub type Stream = SplitStream<Socket>;

/// At most this many agents are between connecting and their login's ack:
/// the server limits the sockets of one address that have not said hello.
pub const HANDSHAKES_IN_FLIGHT: usize = 32;

/// How long one agent's connect, welcome and login ack may take together.
const HANDSHAKE_LIMIT: Duration = Duration::from_secs(60);

/// How long after a phase's last deadline the fleet waits for the agents'
/// reports before counting the silent ones as lost.
const REPORT_MARGIN: Duration = Duration::from_secs(30);

/// How long before its first scheduled send a paced phase is announced, so
/// every agent has it in hand in time.
const PHASE_LEAD: Duration = Duration::from_millis(200);

/// How long one read between phases may wait before it starts again.
const IDLE_READ_LIMIT: Duration = Duration::from_secs(3600);

/// The token lifetime: longer than any run.
pub const TOKEN_TTL_SECS: u64 = 24 * 3600;

/// The user id of agent `index`: `a0000`, `a0001`...
pub fn user_of(index: usize) -> String {
    format!("a{index:04}")
}

/// What the agents do in one phase.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Open loop: commands at a steady total rate spread evenly over the
    /// agents and sent on schedule whatever the answers, pings beside them.
    Paced {
        /// First scheduled send, on [`now_us`]'s clock.
        start_us: u64,
        /// Sends are scheduled before `start_us + duration_us`.
        duration_us: u64,
        /// Total commands per second over all agents.
        command_rate: f64,
        /// Total pings per second over all agents.
        ping_rate: f64,
        /// How long after the last send answers are still awaited.
        drain_us: u64,
        /// How many agents share the rates.
        agents: usize,
    },
    /// Closed loop: every agent sends its next command as soon as the last
    /// one is answered, until it has sent its share or time is up.
    FlatOut {
        /// Commands each agent sends.
        commands_per_agent: u64,
        /// Nothing is sent or awaited after this, on [`now_us`]'s clock.
        deadline_us: u64,
    },
    /// No sending: every agent waits until each command it ever sent is
    /// answered, so that a server still working off one phase's backlog
    /// does not skew the next phase.
    Settle {
        /// Nothing is awaited after this, on [`now_us`]'s clock.
        deadline_us: u64,
    },
}

/// One phase, as announced to every agent.
#[derive(Debug)]
struct Phase {
    id: u32,
    plan: Plan,
}

/// An agent's tally of one phase.
struct Report {
    phase: u32,
    tally: Tally,
}

/// What a phase produced, merged over all agents.
#[derive(Debug, Clone)]
pub struct PhaseOutcome {
    /// What every agent counted.
    pub tally: Tally,
    /// First scheduled send.
    pub start_us: u64,
    /// End of the schedule (the deadline for closed-loop phases).
    pub end_us: u64,
    /// The offered rate in commands per second; none for closed-loop phases.
    pub offered: Option<f64>,
}

impl PhaseOutcome {
    /// Acked commands per second, over the time from the first scheduled
    /// send to the last answer (or the end of the schedule, if later): a
    /// server that falls behind stretches the window and lowers the figure.
    pub fn achieved(&self) -> f64 {
        self.per_second(self.tally.acked as f64)
    }

    /// Seconds from the first scheduled send to the last answer, or to the
    /// end of the schedule if that is later.
    pub fn window_seconds(&self) -> f64 {
        self.end_us.max(self.tally.last_answer_us).saturating_sub(self.start_us) as f64 / 1e6
    }

    /// `count` spread over [`PhaseOutcome::window_seconds`].
    pub fn per_second(&self, count: f64) -> f64 {
        let seconds = self.window_seconds();
        if seconds > 0.0 {
            count / seconds
        } else {
            0.0
        }
    }
}

/// How the agents' connections went.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// Agents connected and logged in.
    pub logged_in: usize,
    /// Agents that could not, by reason.
    pub failures: BTreeMap<String, u64>,
    /// How long connecting and logging in took, in seconds.
    pub seconds: f64,
}

/// The connected agents, driven phase by phase.
pub struct Fleet {
    control: broadcast::Sender<Arc<Phase>>,
    reports: mpsc::UnboundedReceiver<Report>,
    tasks: JoinSet<()>,
    size: usize,
    next_phase: u32,
}

/// Where an agent connects: a socket URL and the keys of its center.
#[derive(Debug, Clone)]
pub struct Door {
    /// `ws://node/ws`, with `?center=NAME` on a node serving several.
    pub url: String,
    /// Signs the agent's token (for the door's center).
    pub keys: Keys,
}

impl Fleet {
    /// Connects `agents` agents, in turn to each of the server nodes at
    /// `addrs` (agent i to node i mod n), with at most
    /// [`HANDSHAKES_IN_FLIGHT`] handshakes at once; each says hello with a
    /// token signed by `keys` and logs in. Agents that fail are counted and
    /// left out; nothing new starts after `limit`.
    pub async fn connect(addrs: &[SocketAddr], keys: &Keys, agents: usize, limit: Duration) -> (Fleet, Setup) {
        let doors: Vec<Door> = addrs.iter().map(|addr| Door { url: format!("ws://{addr}/ws"), keys: keys.clone() }).collect();
        Fleet::connect_doors(&doors, agents, limit).await
    }

    /// [`Fleet::connect`] through `doors`, agent i through door i mod n:
    /// with a door per center, the agents spread over centers.
    pub async fn connect_doors(doors: &[Door], agents: usize, limit: Duration) -> (Fleet, Setup) {
        let started = now_us();
        let deadline_us = started + limit.as_micros() as u64;
        let (control, _) = broadcast::channel(4);
        let (report_to, reports) = mpsc::unbounded_channel();
        let frames = Arc::new(Frames::new());
        let mut fleet = Fleet { control, reports, tasks: JoinSet::new(), size: 0, next_phase: 1 };
        let mut setup = Setup::default();
        let mut handshakes = futures_util::stream::iter(0..agents)
            .map(|index| {
                let door = &doors[index % doors.len()];
                let (token, url) = (door.keys.issue(&user_of(index), Role::Agent, TOKEN_TTL_SECS), door.url.as_str());
                async move {
                    let limit_us = deadline_us.min(now_us() + HANDSHAKE_LIMIT.as_micros() as u64);
                    (index, join_and_log_in(url, token, limit_us).await)
                }
            })
            .buffer_unordered(HANDSHAKES_IN_FLIGHT);
        while let Some((index, joined)) = handshakes.next().await {
            match joined {
                Ok((sink, stream)) => {
                    let inbox = Inbox { stream, answered: 0, alive: true };
                    let agent = Agent { index, sink, inbox, frames: frames.clone(), changes: 0 };
                    fleet.tasks.spawn(agent.serve(fleet.control.subscribe(), report_to.clone()));
                    fleet.size += 1;
                }
                Err(reason) => Tally::count(&mut setup.failures, &reason),
            }
        }
        setup.logged_in = fleet.size;
        setup.seconds = now_us().saturating_sub(started) as f64 / 1e6;
        (fleet, setup)
    }

    /// How many agents are connected and logged in.
    pub fn size(&self) -> usize {
        self.size
    }

    /// An open-loop phase of `duration` at `command_rate` commands and
    /// `ping_rate` pings per second in total, with answers awaited for
    /// `drain` after the last send.
    pub async fn paced(&mut self, command_rate: f64, ping_rate: f64, duration: Duration, drain: Duration) -> PhaseOutcome {
        let start_us = now_us() + PHASE_LEAD.as_micros() as u64;
        let duration_us = duration.as_micros() as u64;
        let plan = Plan::Paced { start_us, duration_us, command_rate, ping_rate, drain_us: drain.as_micros() as u64, agents: self.size };
        let tally = self.run(plan, start_us + duration_us + drain.as_micros() as u64).await;
        PhaseOutcome { tally, start_us, end_us: start_us + duration_us, offered: Some(command_rate) }
    }

    /// A closed-loop phase: `commands` in total, each agent sending its next
    /// command when the last is answered, for at most `limit`.
    pub async fn flat_out(&mut self, commands: u64, limit: Duration) -> PhaseOutcome {
        let start_us = now_us();
        let deadline_us = start_us + limit.as_micros() as u64;
        let commands_per_agent = commands.div_ceil(self.size.max(1) as u64);
        let tally = self.run(Plan::FlatOut { commands_per_agent, deadline_us }, deadline_us).await;
        let end_us = tally.last_answer_us.max(start_us);
        PhaseOutcome { tally, start_us, end_us, offered: None }
    }

    /// Waits, for `limit` at most, until every command sent so far is
    /// answered. The tally counts the late acks, and as missing the
    /// commands still unanswered.
    pub async fn settle(&mut self, limit: Duration) -> PhaseOutcome {
        let start_us = now_us();
        let deadline_us = start_us + limit.as_micros() as u64;
        let tally = self.run(Plan::Settle { deadline_us }, deadline_us).await;
        // Late answers do not mark `last_answer_us`: the phase ends when the
        // last agent reported.
        PhaseOutcome { tally, start_us, end_us: now_us(), offered: None }
    }

    /// Announces a phase and merges the agents' reports; an agent that does
    /// not report by `ends_us` plus a margin is counted under `no report`.
    async fn run(&mut self, plan: Plan, ends_us: u64) -> Tally {
        let id = self.next_phase;
        self.next_phase += 1;
        let mut merged = Tally::default();
        if self.size == 0 || self.control.send(Arc::new(Phase { id, plan })).is_err() {
            return merged;
        }
        let wait_until = instant_at(ends_us) + REPORT_MARGIN;
        let mut reported = 0;
        while reported < self.size {
            match tokio::time::timeout_at(wait_until, self.reports.recv()).await {
                Ok(Some(report)) if report.phase == id => {
                    merged.merge(report.tally);
                    reported += 1;
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        for _ in reported..self.size {
            Tally::count(&mut merged.errors, "no report");
        }
        merged
    }

    /// Drops every socket at once, without closing handshakes: used after
    /// the server was killed, or when the run is over.
    pub fn abort(mut self) {
        self.tasks.abort_all();
    }
}

/// Connects, says hello and logs in; the socket's halves once the login is
/// acked, or why not.
pub async fn join_and_log_in(url: &str, token: String, limit_us: u64) -> Result<(Sink, Stream), String> {
    // A small read buffer: the default 128 KiB is zero-filled before every
    // read, which would cost the client more than the server it measures.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4 * 1024);
    let connecting = tokio::time::timeout_at(instant_at(limit_us), tokio_tungstenite::connect_async_with_config(url, Some(config), false));
    let (socket, _) = connecting.await.map_err(|_| "connect timed out".to_owned())?.map_err(|e| format!("connect: {e}"))?;
    let (mut sink, mut stream) = socket.split();
    let hello = ClientMessage::Hello { token, resume: None, protocol: PROTOCOL_VERSION };
    send_text(&mut sink, hello.encode(), limit_us).await.map_err(|e| format!("hello: {e}"))?;
    loop {
        match next_message(&mut stream, limit_us).await? {
            ServerMessage::Welcome { .. } => break,
            ServerMessage::Error { code, .. } => return Err(format!("hello refused: {code}")),
            _ => {}
        }
    }
    let login_id = CommandId::from("login");
    let login = ClientMessage::Command { id: login_id.clone(), kind: CommandKind::Login };
    send_text(&mut sink, login.encode(), limit_us).await.map_err(|e| format!("login: {e}"))?;
    loop {
        match next_message(&mut stream, limit_us).await? {
            ServerMessage::Ack { id, .. } if id == login_id => return Ok((sink, stream)),
            ServerMessage::Nack { id: Some(id), code, .. } if id == login_id => return Err(format!("login refused: {code}")),
            ServerMessage::Error { code, .. } => return Err(format!("error before login ack: {code}")),
            _ => {}
        }
    }
}

/// The next server message of the handshake, or why there is none.
async fn next_message(stream: &mut Stream, limit_us: u64) -> Result<ServerMessage, String> {
    match next_text(stream, limit_us).await {
        Next::Text(text) => ServerMessage::decode(text.as_str()).map_err(|e| format!("undecodable message: {e}")),
        Next::TimedOut => Err("handshake timed out".to_owned()),
        Next::Closed(reason) => Err(format!("closed during handshake: {reason}")),
    }
}

async fn send_text(sink: &mut Sink, frame: String, limit_us: u64) -> Result<(), String> {
    match tokio::time::timeout_at(instant_at(limit_us), sink.send(Message::Text(frame.into()))).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("send timed out".to_owned()),
    }
}

/// What reading a socket produced.
enum Next {
    Text(Utf8Bytes),
    TimedOut,
    /// The socket is gone: its close code, or what went wrong.
    Closed(String),
}

/// The next text frame before `limit_us`; control frames are skipped
/// (tungstenite answers the server's pings by itself while reading).
async fn next_text(stream: &mut Stream, limit_us: u64) -> Next {
    loop {
        match tokio::time::timeout_at(instant_at(limit_us), stream.next()).await {
            Err(_) => return Next::TimedOut,
            Ok(Some(Ok(Message::Text(text)))) => return Next::Text(text),
            Ok(Some(Ok(Message::Close(frame)))) => {
                return Next::Closed(frame.map_or_else(|| "close".to_owned(), |f| format!("close {}", u16::from(f.code))))
            }
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => return Next::Closed(format!("socket error: {e}")),
            Ok(None) => return Next::Closed("socket ended".to_owned()),
        }
    }
}

/// One start-to-end schedule of evenly spaced sends of one agent.
#[derive(Debug, Clone, Copy)]
struct Schedule {
    first_us: f64,
    period_us: f64,
    end_us: u64,
}

impl Schedule {
    /// Agent `index` of `agents` sharing `rate` sends per second from
    /// `start_us` for `duration_us`. The agents' sends interleave evenly:
    /// agent `index` starts `shift` plus `index` agent-slots into the period,
    /// so the total rate is steady rather than bursty.
    fn spread(start_us: u64, duration_us: u64, rate: f64, agents: usize, index: usize, shift: f64) -> Schedule {
        let period_us = if rate > 0.0 { agents as f64 / rate * 1e6 } else { f64::INFINITY };
        let first_us = start_us as f64 + period_us * (index as f64 + shift) / agents as f64;
        Schedule { first_us, period_us, end_us: start_us + duration_us }
    }

    /// How many sends fall before the end.
    fn count(&self) -> u64 {
        let span = self.end_us as f64 - self.first_us;
        if span <= 0.0 || !self.period_us.is_finite() {
            return 0;
        }
        (span / self.period_us).ceil() as u64
    }

    /// When send `k` is due.
    fn at(&self, k: u64) -> u64 {
        (self.first_us + k as f64 * self.period_us) as u64
    }
}

/// One simulated agent on its own socket.
struct Agent {
    index: usize,
    sink: Sink,
    inbox: Inbox,
    frames: Arc<Frames>,
    /// Status changes sent since login: picks the next status.
    changes: u64,
}

/// The receiving half of an agent's socket, with what it counts across
/// phases.
struct Inbox {
    stream: Stream,
    /// Acks and nacks received, in any phase or between phases.
    answered: u64,
    /// False once the socket is gone: later phases count everything missing.
    alive: bool,
}

impl Inbox {
    /// Reads the next message into `tally` as one of `phase` (pongs to pings
    /// before `phase_start_us` are stale); `None` once `deadline_us` passed
    /// or the socket is gone, which is counted among the errors.
    async fn next(&mut self, phase: u32, phase_start_us: u64, deadline_us: u64, tally: &mut Tally) -> Option<Seen> {
        match next_text(&mut self.stream, deadline_us).await {
            Next::Text(text) => {
                let seen = observe(tally, phase, phase_start_us, &text);
                if let Seen::Answer(_) = seen {
                    self.answered += 1;
                }
                Some(seen)
            }
            Next::TimedOut => None,
            Next::Closed(reason) => {
                Tally::count(&mut tally.errors, &reason);
                self.alive = false;
                None
            }
        }
    }
}

impl Agent {
    /// Keeps reading the socket between phases (stale answers, the server's
    /// pings) and runs each announced phase, until the fleet goes away.
    async fn serve(mut self, mut control: broadcast::Receiver<Arc<Phase>>, reports: mpsc::UnboundedSender<Report>) {
        loop {
            let mut between = Tally::default();
            let idle_limit_us = now_us() + IDLE_READ_LIMIT.as_micros() as u64;
            tokio::select! {
                phase = control.recv() => {
                    let Ok(phase) = phase else { break };
                    let tally = self.run(&phase).await;
                    if reports.send(Report { phase: phase.id, tally }).is_err() {
                        break;
                    }
                }
                // Late answers between phases: counted so a settle knows
                // the backlog.
                _ = self.inbox.next(0, u64::MAX, idle_limit_us, &mut between), if self.inbox.alive => {}
            }
        }
    }

    async fn run(&mut self, phase: &Phase) -> Tally {
        let mut tally = Tally::default();
        match phase.plan {
            Plan::Paced { start_us, duration_us, command_rate, ping_rate, drain_us, agents } => {
                let commands = Schedule::spread(start_us, duration_us, command_rate, agents, self.index, 0.0);
                // Pings sit halfway between two agents' commands.
                let pings = Schedule::spread(start_us, duration_us, ping_rate, agents, self.index, 0.5);
                tally.scheduled = commands.count();
                tally.pings = pings.count();
                if self.inbox.alive {
                    self.paced(phase.id, commands, pings, start_us + duration_us + drain_us, &mut tally).await;
                }
            }
            Plan::FlatOut { commands_per_agent, deadline_us } => {
                if self.inbox.alive {
                    self.flat_out(phase.id, commands_per_agent, deadline_us, &mut tally).await;
                }
            }
            Plan::Settle { deadline_us } => {
                while self.inbox.alive && self.inbox.answered < self.changes {
                    if self.inbox.next(phase.id, u64::MAX, deadline_us, &mut tally).await.is_none() {
                        break;
                    }
                }
                tally.ack.record_missing(self.changes - self.inbox.answered);
            }
        }
        if !self.inbox.alive {
            Tally::count(&mut tally.errors, "socket gone");
        }
        tally.close_phase();
        tally
    }

    /// Sends on schedule while a reader beside it times the answers; both
    /// stop by `deadline_us` at the latest.
    async fn paced(&mut self, phase: u32, commands: Schedule, pings: Schedule, deadline_us: u64, tally: &mut Tally) {
        let (sink, inbox, frames, changes) = (&mut self.sink, &mut self.inbox, &*self.frames, &mut self.changes);
        let (total_commands, total_pings) = (tally.scheduled, tally.pings);
        let writer = async move {
            let (mut next_command, mut next_ping) = (0, 0);
            loop {
                let command_due = (next_command < total_commands).then(|| commands.at(next_command));
                let ping_due = (next_ping < total_pings).then(|| pings.at(next_ping));
                // The earlier of the two; a command when they tie.
                let frame = match (command_due, ping_due) {
                    (Some(command), ping) if ping.is_none_or(|ping| command <= ping) => {
                        tokio::time::sleep_until(instant_at(command)).await;
                        let tag = CommandTag { phase, index: next_command, scheduled_us: command };
                        next_command += 1;
                        *changes += 1;
                        frames.status_change(*changes - 1, &tag)
                    }
                    (_, Some(ping)) => {
                        tokio::time::sleep_until(instant_at(ping)).await;
                        next_ping += 1;
                        frames.ping(ping)
                    }
                    _ => break,
                };
                if send_text(sink, frame, deadline_us).await.is_err() {
                    break;
                }
            }
        };
        let start_us = commands.first_us.min(pings.first_us) as u64;
        let reader = async move {
            while tally.acked + tally.nacked() < total_commands || tally.pong.measured() < total_pings {
                if inbox.next(phase, start_us, deadline_us, tally).await.is_none() {
                    break;
                }
            }
        };
        tokio::join!(writer, reader);
    }

    /// Sends each command when the last is answered, timing from the send.
    async fn flat_out(&mut self, phase: u32, commands: u64, deadline_us: u64, tally: &mut Tally) {
        for index in 0..commands {
            let sent_us = now_us();
            if sent_us >= deadline_us {
                return;
            }
            tally.scheduled += 1;
            let tag = CommandTag { phase, index, scheduled_us: sent_us };
            let frame = self.frames.status_change(self.changes, &tag);
            self.changes += 1;
            if let Err(reason) = send_text(&mut self.sink, frame, deadline_us).await {
                Tally::count(&mut tally.errors, &reason);
                self.inbox.alive = false;
                return;
            }
            loop {
                match self.inbox.next(phase, sent_us, deadline_us, tally).await {
                    None => return,
                    Some(Seen::Answer(Some(answered))) if answered == index => break,
                    Some(_) => {}
                }
            }
        }
    }
}

/// What a server message was, for the loops that read them.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    /// An ack or nack of a timed command: its number when it belongs to
    /// the phase being read.
    Answer(Option<u64>),
    /// Anything else.
    Other,
}

/// Counts one server message into `tally` and times it. Answers and pongs
/// to commands and pings of an earlier phase (pings scheduled before
/// `phase_start_us`) count as stale.
fn observe(tally: &mut Tally, phase: u32, phase_start_us: u64, text: &str) -> Seen {
    let received_us = now_us();
    let Ok(message) = ServerMessage::decode(text) else {
        Tally::count(&mut tally.errors, "undecodable message");
        return Seen::Other;
    };
    let (id, code) = match message {
        ServerMessage::Ack { id, .. } => (id, None),
        ServerMessage::Nack { id: Some(id), code, .. } => (id, Some(code)),
        ServerMessage::Event(event) => {
            tally.fanout.record(wall_us().saturating_sub(event.at.0 * 1000));
            return Seen::Other;
        }
        ServerMessage::Pong { client_time, .. } => {
            if client_time >= phase_start_us {
                tally.pong.record(received_us.saturating_sub(client_time));
            } else {
                tally.stale += 1;
            }
            return Seen::Other;
        }
        ServerMessage::Nack { id: None, code, .. } => {
            // A refused frame that was no command: a ping, when rate limited.
            Tally::count(&mut tally.errors, &format!("nack {code} (no command id)"));
            return Seen::Other;
        }
        ServerMessage::Error { code, .. } => {
            Tally::count(&mut tally.errors, &code);
            return Seen::Other;
        }
        ServerMessage::Welcome { .. } | ServerMessage::Roster(_) | ServerMessage::Presence { .. } | ServerMessage::QueueStats { .. } => return Seen::Other,
    };
    let Some(tag) = CommandTag::parse(id.as_str()).filter(|tag| tag.phase == phase) else {
        tally.stale += 1;
        tally.late_acks += u64::from(code.is_none());
        return Seen::Answer(None);
    };
    tally.last_answer_us = received_us;
    match code {
        None => {
            tally.acked += 1;
            tally.ack.record(received_us.saturating_sub(tag.scheduled_us));
        }
        Some(code) => Tally::count(&mut tally.nacks, &code),
    }
    Seen::Answer(Some(tag.index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_schedules_add_up_to_the_total_rate() {
        // 1,000 agents at 1,000 commands/s for 2 s: two commands each.
        let total: u64 = (0..1000).map(|i| Schedule::spread(0, 2_000_000, 1000.0, 1000, i, 0.0).count()).sum();
        assert_eq!(total, 2000);
        // 10,000 agents at 1,000/s for 3 s: the first 3,000 agents send once.
        let total: u64 = (0..10_000).map(|i| Schedule::spread(0, 3_000_000, 1000.0, 10_000, i, 0.0).count()).sum();
        assert_eq!(total, 3000);
        assert_eq!(Schedule::spread(0, 1_000_000, 0.0, 10, 3, 0.5).count(), 0);
    }

    #[test]
    fn agents_interleave_within_one_period() {
        let first = Schedule::spread(1_000, 1_000_000, 100.0, 10, 0, 0.0);
        let second = Schedule::spread(1_000, 1_000_000, 100.0, 10, 1, 0.0);
        assert_eq!((first.at(0), second.at(0), first.at(1)), (1_000, 11_000, 101_000));
    }

    #[test]
    fn answers_of_other_phases_are_stale() {
        let mut tally = Tally::default();
        let ack = |phase: u32| ServerMessage::Ack { id: CommandId(format!("{phase}.4.10")), seq: ringside::model::Seq(9) }.encode();
        assert_eq!(observe(&mut tally, 2, 0, &ack(2)), Seen::Answer(Some(4)));
        assert_eq!(observe(&mut tally, 2, 0, &ack(1)), Seen::Answer(None));
        let pong = ServerMessage::Pong { client_time: 5, server_time: ringside::model::ServerTime(0) }.encode();
        assert_eq!(observe(&mut tally, 2, 10, &pong), Seen::Other);
        assert_eq!((tally.acked, tally.stale, tally.late_acks, tally.pong.measured()), (1, 2, 1, 0));
    }
}
