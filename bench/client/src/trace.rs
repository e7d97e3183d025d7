//! `ringside-client-trace`: records the server frames one agent's desk
//! receives while the real [`Center`] runs a working day on repeat, as the
//! client benchmark's input.
//!
//! Usage: `ringside-client-trace EVENTS FILE`. The file holds one JSON frame
//! per line, exactly as the server sends them (docs/protocol.md): a
//! `welcome` with the profile and the agent's snapshot, then `EVENTS`
//! `event` frames numbered without gaps. The day is a fixed, seeded mix of
//! status changes, offers (accepted, declined, missed into RONA), calls with
//! hold, DTMF, recording, consults and conferences to numbers, customers
//! hanging up, outdials, chats beside calls, wrap-up and done; the same
//! arguments always give the same file.

use ringside::center::Center;
use ringside::model::call::Target;
use ringside::model::profile::{Preset, Profile};
use ringside::model::state::CommandKind;
use ringside::model::{Actor, Channel, CommandId, InteractionId, QueueId, Role, ServerTime, SessionId, StatusId, UserId, WrapUpCode};
use ringside::protocol::{ServerMessage, Snapshot, PROTOCOL_VERSION};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

/// 2026-11-21 09:00 UTC, the start of the recorded day.
const START: ServerTime = ServerTime(1_795_338_000_000);

/// A small deterministic generator (SplitMix64), so the trace is the same
/// on every machine without a dependency.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

/// The center, its clock, and the one agent whose frames are recorded.
struct Day {
    center: Center,
    now: ServerTime,
    agent: Actor,
    next_command: u64,
    dice: Dice,
    out: BufWriter<File>,
    written: u64,
    wanted: u64,
}

impl Day {
    /// Moves the clock on by a human pause (0.5 to `max_ms`), firing the
    /// deadlines on the way at their own time.
    fn pause(&mut self, max_ms: u64) -> std::io::Result<()> {
        let until = self.now.plus(500 + self.dice.below(max_ms.max(1)));
        self.advance_to(until)
    }

    /// Moves the clock to `until`, firing the deadlines on the way.
    fn advance_to(&mut self, until: ServerTime) -> std::io::Result<()> {
        while let Some(deadline) = self.center.poll_timeout().filter(|d| *d <= until) {
            self.now = deadline.max(self.now);
            self.center.handle_timeout(self.now);
            self.record()?;
        }
        self.now = until;
        self.center.handle_timeout(self.now);
        self.record()
    }

    /// The agent's command; a refusal changes nothing and is not recorded.
    fn command(&mut self, kind: CommandKind) -> std::io::Result<bool> {
        let id = CommandId(format!("c{}", self.next_command));
        self.next_command += 1;
        let done = self.center.command(self.now, &self.agent, id, kind).is_ok();
        self.record()?;
        Ok(done)
    }

    fn status(&mut self, status: &str) -> std::io::Result<bool> {
        self.command(CommandKind::SetStatus { status: StatusId::from(status), secondary: None })
    }

    fn contact(&mut self, channel: Channel) -> std::io::Result<()> {
        let from = format!("+46 8 555 {:04}", self.dice.below(10_000));
        let _ = self.center.enqueue_contact(self.now, &QueueId::from("support"), channel, &from);
        self.record()
    }

    /// Writes the agent's new events as `event` frames; other agents' events
    /// go to their own desks, not this one.
    fn record(&mut self) -> std::io::Result<()> {
        while let Some(event) = self.center.poll_event() {
            if event.agent == self.agent.user && self.written < self.wanted {
                serde_json::to_writer(&mut self.out, &ServerMessage::Event(event))?;
                self.out.write_all(b"\n")?;
                self.written += 1;
            }
        }
        Ok(())
    }

    fn full(&self) -> bool {
        self.written >= self.wanted
    }

    fn oldest_offer(&self) -> Option<ringside::model::OfferId> {
        self.center.agent(&self.agent.user)?.offers.first().map(|o| o.id)
    }

    fn interactions(&self) -> Vec<InteractionId> {
        self.center.agent(&self.agent.user).map(|a| a.interactions.iter().map(|i| i.id).collect()).unwrap_or_default()
    }

    /// One contact, from the queue to done, in one of the day's ways.
    fn one_contact(&mut self) -> std::io::Result<()> {
        self.status("available")?;
        self.pause(3_000)?;
        self.contact(Channel::Voice)?;
        let Some((offer, deadline)) = self.center.agent(&self.agent.user).and_then(|a| a.offers.first()).map(|o| (o.id, o.deadline))
        else {
            return Ok(());
        };
        self.pause(4_000)?;
        match self.dice.below(10) {
            // Missed: the deadline passes, RONA (O3), then back to work.
            0 => {
                self.advance_to(deadline)?;
                self.pause(5_000)?;
                let back = if self.dice.below(2) == 0 { "available" } else { "idle" };
                self.status(back)?;
            }
            // Declined: the contact goes back to the queue and hangs up there.
            1 => {
                self.command(CommandKind::Decline { offer })?;
                if let Some(contact) = self.center.waiting(&QueueId::from("support")).first().copied() {
                    let _ = self.center.customer_hang_up(self.now, contact);
                    self.record()?;
                }
            }
            _ => {
                self.command(CommandKind::Accept { offer })?;
                if let Some(&call) = self.interactions().last() {
                    self.on_the_call(call)?;
                }
            }
        }
        self.clean_up()
    }

    /// The middle of a call: a few of hold, DTMF, recording, a consult or a
    /// conference, a chat beside it; then the agent or the customer ends it.
    fn on_the_call(&mut self, call: InteractionId) -> std::io::Result<()> {
        self.pause(20_000)?;
        if self.dice.below(3) == 0 {
            self.command(CommandKind::Hold { interaction: call, participant: None })?;
            self.pause(15_000)?;
            self.command(CommandKind::Resume { interaction: call, participant: None })?;
        }
        if self.dice.below(3) == 0 {
            self.command(CommandKind::Dtmf { interaction: call, digits: "4711#".to_owned() })?;
        }
        if self.dice.below(4) == 0 {
            self.command(CommandKind::Record { interaction: call })?;
        }
        match self.dice.below(6) {
            0 => {
                let number = Target::Number("+46 8 555 0199".to_owned());
                if self.command(CommandKind::Consult { interaction: call, target: number })? {
                    self.pause(3_000)?;
                    let _ = self.center.number_answers(self.now, call, true);
                    self.record()?;
                    self.pause(10_000)?;
                    self.command(CommandKind::EndConsult { interaction: call })?;
                }
            }
            1 => {
                let number = Target::Number("+46 8 555 0188".to_owned());
                if self.command(CommandKind::Conference { interaction: call, target: number })? {
                    self.pause(3_000)?;
                    let _ = self.center.number_answers(self.now, call, true);
                    self.record()?;
                    self.pause(10_000)?;
                }
            }
            2 => {
                self.contact(Channel::Chat)?;
                if let Some(offer) = self.oldest_offer() {
                    self.pause(3_000)?;
                    self.command(CommandKind::Accept { offer })?;
                }
            }
            _ => {}
        }
        self.pause(30_000)?;
        let contact = self.center.agent(&self.agent.user).and_then(|a| a.interactions.iter().find(|i| i.id == call).map(|i| i.contact));
        match (self.dice.below(4), contact) {
            (0, Some(contact)) => {
                let _ = self.center.customer_hang_up(self.now, contact);
                self.record()
            }
            _ => self.command(CommandKind::End { interaction: call }).map(drop),
        }
    }

    /// Ends every offer and interaction still open, with wrap-up and done,
    /// so each contact starts from a free agent.
    fn clean_up(&mut self) -> std::io::Result<()> {
        while let Some(offer) = self.oldest_offer() {
            if !self.command(CommandKind::Decline { offer })? {
                break;
            }
        }
        for contact in self.center.waiting(&QueueId::from("support")) {
            let _ = self.center.customer_hang_up(self.now, contact);
            self.record()?;
        }
        for interaction in self.interactions() {
            self.pause(5_000)?;
            self.command(CommandKind::End { interaction })?;
            self.pause(8_000)?;
            let code = ["resolved", "follow_up", "no_answer"][self.dice.below(3) as usize];
            self.command(CommandKind::Done { interaction, code: Some(WrapUpCode::from(code)) })?;
        }
        Ok(())
    }

    /// A break: an idle reason, idle to idle, sometimes an outdial first.
    fn a_break(&mut self) -> std::io::Result<()> {
        if self.dice.below(2) == 0 {
            self.status("idle")?;
            self.pause(5_000)?;
            if self.command(CommandKind::Outdial { number: "+46 8 555 0100".to_owned() })? {
                self.pause(60_000)?;
                self.clean_up()?;
            }
        }
        for reason in ["meeting", "training", "lunch"] {
            if self.dice.below(2) == 0 {
                self.status(reason)?;
                self.pause(60_000)?;
            }
        }
        Ok(())
    }
}

fn run(wanted: u64, path: &str) -> Result<(), String> {
    let io = |e: std::io::Error| format!("{path}: {e}");
    let profile = Profile::preset(Preset::ContactCenter);
    let center = Center::new(profile.clone(), [QueueId::from("support")]);
    let agent = Actor { user: UserId::from("ana"), role: Role::Agent };
    let out = BufWriter::new(File::create(path).map_err(io)?);
    let mut day = Day { center, now: START, agent, next_command: 1, dice: Dice(12), out, written: 0, wanted };
    day.center.connect(day.now, SessionId(1), &day.agent.user);
    while day.center.poll_event().is_some() {} // covered by the snapshot
    let welcome = ServerMessage::Welcome {
        protocol: PROTOCOL_VERSION,
        user: day.agent.user.clone(),
        role: Role::Agent,
        server_time: day.now,
        profile: Box::new(profile),
        snapshot: Some(Snapshot { seq: day.center.last_seq(&day.agent.user), state: day.center.snapshot(&day.agent.user, day.now) }),
    };
    serde_json::to_writer(&mut day.out, &welcome).map_err(|e| e.to_string())?;
    day.out.write_all(b"\n").map_err(io)?;
    day.command(CommandKind::Login).map_err(io)?;
    while !day.full() {
        let before = day.written;
        for _ in 0..8 {
            day.one_contact().map_err(io)?;
        }
        day.a_break().map_err(io)?;
        if day.written == before {
            return Err("the day stopped producing events".into());
        }
    }
    day.out.flush().map_err(io)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(events), Some(path), 2) = (args.first().and_then(|n| n.parse::<u64>().ok()), args.get(1), args.len()) else {
        eprintln!("usage: ringside-client-trace EVENTS FILE");
        return ExitCode::from(2);
    };
    match run(events, path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ringside-client-trace: {e}");
            ExitCode::FAILURE
        }
    }
}
