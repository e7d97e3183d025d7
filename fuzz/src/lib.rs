//! Fuzz targets of the Ringside core, as plain functions of the fuzzer's
//! bytes: a panic is a finding.
//!
//! - [`frame`]: the client frame decoder never panics on any text (SPEC N6).
//! - [`center`]: the bytes drive a small center through a bounded sequence
//!   of inputs (commands, sessions, the simulator's inputs, and the
//!   dialler's: records pushed as previews, dials answered, the campaign
//!   saved, stopped and started; SPEC P1-P8, W1-W7); after each one every
//!   invariant that [`Center::check_consistency`] knows must hold (for
//!   records too: each at one agent, as the index says, in a phase at an
//!   agent, its accept deadline armed exactly while it is previewed, P3),
//!   every agent's events are numbered without gaps (SPEC N2), and the
//!   center survives being stored and loaded (SPEC S10).
//! - [`engine`]: browser engines (two tabs of one agent, a supervisor's
//!   desk), wired to the in-page simulator as the package's wrapper wires
//!   them to sockets, through a bounded sequence of the pages', the
//!   customers' and the network's inputs: they never panic, send only
//!   frames the server reads, and show what the center holds.
//!
//! Nothing here depends on a fuzzer, so the workspace build and CI compile
//! the targets and replay the seed corpus (`tests/corpus.rs`); the crate in
//! `afl/` wraps them for AFL++ (`scripts/fuzz`).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

use ringside::center::{Applied, Center, Input, Outcome};
use ringside::model::call::Target;
use ringside::model::directory::{DefaultPhone, Directory, Member, Team};
use ringside::model::campaign::{Campaign, CallbackKind, CallingRecord, DialOutcome, PreviewOrigin, Schedule};
use ringside::model::profile::{Preset, ProfileOverrides, WrapUpSettings};
use ringside::model::state::CommandKind;
use ringside::model::{
    Actor, CampaignId, Channel, CommandId, ContactId, InteractionId, OfferId, ParticipantId, Profile, QueueId, RecordId, Role, RonaCause,
    SecondaryId, Seq, ServerTime, SessionId, SortedMap, StatusId, TeamId, UserId, WrapUpCode,
};
use ringside::protocol::{ClientMessage, FrameError};
use std::collections::{BTreeMap, BTreeSet};

mod engine;
pub use engine::{engine, engine_observed, Seen};

/// Feeds `data` to the client frame decoder as the server would (text,
/// lossily decoded so that every input reaches the parser).
///
/// Any answer is fine as long as nothing panics (SPEC N6). Two cheap
/// consistency checks ride along, because both sit on the server's path for
/// untrusted frames: an accepted frame encodes back to itself (the replica
/// encodes commands the same way), and the command id that a rate-limited
/// frame's nack would name ([`ClientMessage::peek_command_id`], SPEC N8) is
/// the frame's own id.
pub fn frame(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // The browser's codec reads the frames serde_json reads, as the same
    // values (and never panics on any). A frame the codec reads, serde_json
    // reads the same: the browser engine sends a command as the page wrote
    // it once the codec has read it. The codec refuses more in one case
    // only: a lone surrogate escape in a value serde_json skips.
    let by_codec = ringside::codec::from_str::<ClientMessage>(&text);
    let by_serde = serde_json::from_str::<ClientMessage>(&text).ok();
    match by_codec {
        Ok(read) => assert_eq!(Some(read), by_serde, "the codec reads a frame serde_json reads otherwise"),
        Err(refused) => assert!(
            by_serde.is_none() || refused.to_string().starts_with("a lone surrogate"),
            "the codec refuses a frame serde_json reads: {refused}"
        ),
    }
    let peeked = ClientMessage::peek_command_id(&text);
    match ClientMessage::decode(&text) {
        Ok(message) => {
            match ClientMessage::decode(&message.encode()) {
                Ok(again) => assert_eq!(again, message, "an accepted frame does not encode back to itself"),
                // Escaping can make the encoding longer than the frame was.
                Err(refused) if matches!(refused.error, FrameError::Oversize(_)) => {}
                Err(refused) => panic!("an accepted frame's encoding is refused: {:?}", refused.error),
            }
            if let (Some(peeked), ClientMessage::Command { id, .. }) = (peeked, &message) {
                assert_eq!(&peeked, id, "the peeked command id is not the frame's");
            }
        }
        Err(refused) => assert!(!refused.error.code().is_empty(), "a refusal without a code"),
    }
}

/// Inputs one run applies at most: short runs keep the fuzzer fast, and
/// every state the center has is reachable in far fewer.
pub const MAX_INPUTS: usize = 256;

/// How often the center is stored and loaded again (and at the end).
pub const PERSIST_EVERY: usize = 16;

/// The agents of the fixed world, all with the role Agent.
pub const AGENTS: [&str; 4] = ["a0", "a1", "a2", "a3"];

/// The supervisor of the fixed world: may log agents out (SPEC S9).
pub const SUPERVISOR: &str = "sup";

/// The queues of the fixed world.
pub const QUEUES: [&str; 2] = ["support", "sales"];

/// The profile of run `choice` (see [`world`]).
fn profile(choice: u8) -> ProfileOverrides {
    match choice % 4 {
        1 => ProfileOverrides {
            conference_limit: Some(3),
            available_after_outdial: Some(true),
            conferenced_parties_talk: Some(true),
            wrap_up: Some(WrapUpSettings { required: true, ..Profile::preset(Preset::ContactCenter).wrap_up }),
            ..ProfileOverrides::default()
        },
        2 => ProfileOverrides { preset: Preset::Presence, ..ProfileOverrides::default() },
        _ => ProfileOverrides::default(),
    }
}

/// Start of every run: 2026-11-21 09:00 UTC, as in the core's tests.
pub const T0: ServerTime = ServerTime(1_795_338_000_000);

/// Runs the bytes as a sequence of center inputs (see [`center_observed`]).
pub fn center(data: &[u8]) {
    center_observed(data, |_, _| {});
}

/// [`center`], calling `observe` with each input and what it answered,
/// so that a test can measure what a corpus reaches.
///
/// The first byte picks the profile; then each input takes one byte for
/// its kind and a few for its arguments, up to [`MAX_INPUTS`] inputs or the
/// end of the bytes (missing bytes read as zero). Every id an input names
/// is drawn from the live set (the actor's offers and interactions, the
/// call's participants, the open sessions, the live contacts...), and one
/// draw in sixteen names a made-up or stale id instead, as a buggy or
/// hostile client would.
///
/// # Panics
///
/// When an invariant breaks: [`Center::check_consistency`] fails after an
/// input, an agent's events skip or repeat a number, or the stored center
/// does not load back to the same state.
pub fn center_observed(data: &[u8], mut observe: impl FnMut(&Input, &Applied)) {
    let mut bytes = Bytes { data, at: 0 };
    let mut run = Run::new(world(bytes.byte()));
    let mut applied = 0;
    while !bytes.is_empty() && applied < MAX_INPUTS {
        let Some(input) = run.next_input(&mut bytes) else { continue };
        let result = run.center.apply(run.now, input.clone());
        applied += 1;
        run.after(applied, &input, &result);
        observe(&input, &result);
        if applied % PERSIST_EVERY == 0 {
            run.reload();
        }
    }
    run.reload();
}

/// The center of every run: the agents, the supervisor and the queues
/// above, under one of three profiles. Half the runs get the default
/// (contact-center) profile; the others reach rules it leaves idle: a
/// conference limit of 3 (SPEC F1), required wrap-up codes, "available
/// after outdial" (SPEC E4) and conferenced parties who talk on joining
/// (SPEC F3); or the presence preset (log in again after the grace, SPEC
/// N3).
fn world(choice: u8) -> Center {
    let profile = profile(choice).build().expect("a valid profile");
    let mut center = Center::new(profile, QUEUES.map(QueueId::from));
    center.save_campaign(T0, campaign()).expect("a valid campaign");
    center
}

/// The campaign of every run: running, every agent assigned, short limits
/// so that clock steps reach them (SPEC P3, P8).
pub const CAMPAIGN: &str = "renewals";

fn campaign() -> Campaign {
    Campaign {
        id: CampaignId::from(CAMPAIGN),
        name: "Renewals".to_owned(),
        mode: Default::default(),
        media: vec![Channel::Voice],
        agents: AGENTS.map(UserId::from).to_vec(),
        accept_timeout_ms: 10_000,
        conference_limit: 3,
        stale_limit_ms: 60_000,
        results: vec!["answered".to_owned(), "no_answer".to_owned(), "callback".to_owned()],
        disposition_required: false,
        reschedule_before_dial: true,
        sounds: Default::default(),
        fields: vec!["plan".to_owned()],
        running: true,
    }
}

/// The fuzzer's bytes, read front to back; past the end every byte is zero.
struct Bytes<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let byte = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        byte
    }

    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n
    }

    /// Up to `max` bytes (as many as the next byte says, fewer at the end).
    fn take(&mut self, max: usize) -> &[u8] {
        let len = self.below(max + 1);
        let start = self.at.min(self.data.len());
        let end = (start + len).min(self.data.len());
        self.at += len;
        &self.data[start..end]
    }

    fn is_empty(&self) -> bool {
        self.at >= self.data.len()
    }

    /// One of `live`, or `bogus()` one time in sixteen (and whenever
    /// nothing is live): clients name stale and made-up ids too.
    fn pick<T: Clone>(&mut self, live: &[T], bogus: impl FnOnce(u8) -> T) -> T {
        let byte = self.byte();
        if live.is_empty() || byte < 16 {
            bogus(byte)
        } else {
            live[usize::from(byte) % live.len()].clone()
        }
    }
}

/// Every user of the world: the agents, then the supervisor.
fn users() -> impl Iterator<Item = UserId> {
    AGENTS.into_iter().chain([SUPERVISOR]).map(UserId::from)
}

/// The actor of the world's user number `n`.
fn actor(n: usize) -> Actor {
    match AGENTS.get(n) {
        Some(name) => Actor { user: UserId::from(*name), role: Role::Agent },
        None => Actor { user: UserId::from(SUPERVISOR), role: Role::Supervisor },
    }
}

/// Session ids per user: a user may have this many open at once (SPEC N4).
const SESSIONS_PER_USER: usize = 3;

/// A run in progress: the center, its clock and what the harness tracks.
struct Run {
    center: Center,
    now: ServerTime,
    commands: u64,
    /// Each user's last command id, to send it again (SPEC N1).
    last_command: BTreeMap<UserId, CommandId>,
    /// The contacts that arrived, live or gone: hang-ups name both.
    contacts: Vec<ContactId>,
    /// The last event number seen per agent (SPEC N2).
    seqs: BTreeMap<UserId, Seq>,
}

impl Run {
    fn new(center: Center) -> Run {
        Run {
            center,
            now: T0,
            commands: 0,
            last_command: BTreeMap::new(),
            contacts: Vec::new(),
            seqs: BTreeMap::new(),
        }
    }

    /// The next input the bytes describe; `None` for a clock step or an
    /// input that has nothing to act on.
    fn next_input(&mut self, b: &mut Bytes) -> Option<Input> {
        Some(match b.below(32) {
            0..=15 => self.command(b),
            16 | 17 => {
                let user = b.below(AGENTS.len() + 1);
                let session = SessionId((user * SESSIONS_PER_USER + b.below(SESSIONS_PER_USER)) as u64 + 1);
                // A host never opens a session twice; skip instead.
                if self.center.sessions().any(|s| s == session) {
                    return None;
                }
                Input::Connect { session, user: actor(user).user }
            }
            18 => {
                let open: Vec<SessionId> = self.center.sessions().collect();
                Input::Disconnect { session: b.pick(&open, |n| SessionId(1_000 + u64::from(n))) }
            }
            19..=21 => {
                let queues = QUEUES.map(QueueId::from);
                let queue = b.pick(&queues, |_| QueueId::from("nowhere"));
                let channel = Channel::ALL[b.below(Channel::ALL.len())];
                let from = ["+46 8 555 0100", "Ada", "", "ada@example.com"][b.below(4)].to_owned();
                Input::EnqueueContact { queue, channel, from }
            }
            22 => {
                // Contacts that arrived and are still live, and whatever waits
                // in a queue (a consult or conference request waits there too).
                let mut live: Vec<ContactId> =
                    self.contacts.iter().copied().filter(|c| self.center.contact_place(*c).is_some()).collect();
                live.extend(QUEUES.iter().flat_map(|q| self.center.waiting(&QueueId::from(*q))));
                let gone = self.contacts.clone();
                Input::CustomerHangUp { contact: b.pick(&live, |n| gone.get(usize::from(n)).copied().unwrap_or(ContactId(u64::from(n)))) }
            }
            23 => {
                let open: Vec<OfferId> = self.center.agents().flat_map(|a| a.offers.iter().map(|o| o.id)).collect();
                let offer = b.pick(&open, |n| OfferId(u64::from(n)));
                let cause = [RonaCause::DeviceFault, RonaCause::NetworkFault, RonaCause::WrongNumber, RonaCause::NoAnswer][b.below(4)];
                Input::OfferUndeliverable { offer, cause }
            }
            24 => {
                let interaction = b.pick(&interactions(&self.center), |n| InteractionId(u64::from(n)));
                Input::NumberAnswers { interaction, answered: b.byte() & 1 == 1 }
            }
            25 => {
                let interaction = b.pick(&interactions(&self.center), |n| InteractionId(u64::from(n)));
                let participants = participants(&self.center, None, interaction);
                Input::PartyHangsUp { interaction, participant: b.pick(&participants, |n| ParticipantId(u64::from(n))) }
            }
            26 => Input::Timeout,
            27 => self.campaign_input(b),
            31 => self.directory_input(b),
            _ => {
                self.advance(b);
                return None;
            }
        })
    }

    /// The dialler's inputs (SPEC P1-P8, W1-W7): a record pushed to an
    /// agent (to one who wants it mostly, as the server does), a dialled
    /// number's answer, or the campaign changed, started or stopped.
    fn campaign_input(&mut self, b: &mut Bytes) -> Input {
        match b.below(4) {
            0 | 1 => {
                let wanted: Vec<UserId> = self.center.preview_wanted().into_iter().map(|(agent, _)| agent).collect();
                let agent = b.pick(&wanted, |n| actor(usize::from(n) % (AGENTS.len() + 1)).user);
                let id = RecordId(b.below(8) as u64 + 1);
                let origin = [PreviewOrigin::Campaign, PreviewOrigin::Callback, PreviewOrigin::PersonalCallback][b.below(3)];
                let schedule = origin.is_callback().then(|| Schedule {
                    at: ServerTime(self.now.0.saturating_sub(1_000 * u64::from(b.byte()) * 8)),
                    kind: if origin == PreviewOrigin::PersonalCallback { CallbackKind::Personal } else { CallbackKind::Campaign },
                    number: None,
                    agent: (origin == PreviewOrigin::PersonalCallback).then(|| agent.clone()),
                });
                let chain = vec!["+46 8 555 0101".to_owned(), "+46 8 555 0102".to_owned()];
                let record = CallingRecord { schedule, ..CallingRecord::new(id, CampaignId::from(CAMPAIGN), format!("Contact {id}"), chain, SortedMap::new()) };
                Input::PushPreview { agent, record: Box::new(record), origin }
            }
            2 => {
                let dialling: Vec<RecordId> = self.center.dialling().into_iter().map(|(record, _)| record).collect();
                let record = b.pick(&dialling, |n| RecordId(u64::from(n)));
                let outcome = [DialOutcome::Answered, DialOutcome::NoAnswer, DialOutcome::Busy, DialOutcome::WrongNumber][b.below(4)];
                Input::DialAnswers { record, outcome }
            }
            _ => {
                let mut campaign = campaign();
                let flags = b.byte();
                campaign.running = flags & 1 == 0;
                campaign.disposition_required = flags & 2 != 0;
                campaign.reschedule_before_dial = flags & 4 != 0;
                Input::SaveCampaign { campaign: Box::new(campaign) }
            }
        }
    }

    /// An administrator's directory change or an external presence change
    /// (SPEC S6, S12, N7): valid mostly, sometimes naming an unknown team or
    /// queue, a skill over the bound, or a status that cannot be chosen.
    fn directory_input(&mut self, b: &mut Bytes) -> Input {
        let team = TeamId::from(["floor", "nowhere"][usize::from(b.byte() < 32)]);
        let queue = QueueId::from(b.pick(&QUEUES.map(String::from), |_| "nowhere".to_owned()).as_str());
        let member = Member {
            teams: BTreeSet::from([team.clone()]),
            queues: SortedMap::from([(queue, [0, 7, 100, 101][b.below(4)])]),
            favourites: BTreeSet::from([actor(b.below(AGENTS.len() + 1)).user]),
            phone: if b.byte() & 1 == 0 { DefaultPhone::Webrtc } else { DefaultPhone::Number("+46 8 555 0199".into()) },
        };
        let user = actor(b.below(AGENTS.len() + 1)).user;
        match b.below(4) {
            0 => {
                let floor = TeamId::from("floor");
                let members = users().map(|u| (u, Member { teams: BTreeSet::from([floor.clone()]), ..member.clone() })).collect();
                let teams = BTreeMap::from([(floor, Team { label: "Floor".into() })]);
                Input::SaveDirectory { directory: Box::new(Directory { teams, members }) }
            }
            1 => Input::SaveTeam { id: team, team: (b.byte() & 1 == 0).then(|| Team { label: "Floor".into() }) },
            2 => Input::SaveMember { user, member: (b.byte() & 1 == 0).then(|| Box::new(member)) },
            _ => {
                let statuses: Vec<StatusId> = self.center.profile().statuses.iter().map(|s| s.id.clone()).collect();
                Input::ExternalStatus { user, status: b.pick(&statuses, |_| StatusId::from("unknown")), secondary: None }
            }
        }
    }

    /// Moves the clock: small steps, exactly to (or just before) the next
    /// deadline, past an offer timeout or the reconnect grace, or far.
    fn advance(&mut self, b: &mut Bytes) {
        let profile = self.center.profile();
        let next = self.center.poll_timeout().map(|at| at.since(self.now));
        let ms = match b.below(8) {
            0 => u64::from(b.byte()),
            1 => 100 * u64::from(b.byte()),
            2 => 1_000 * u64::from(b.byte()),
            3 => next.unwrap_or(0),
            4 => next.unwrap_or(1).saturating_sub(1),
            5 => profile.channel(Channel::ALL[b.below(Channel::ALL.len())]).offer_timeout_ms + 1,
            6 => profile.reconnect_grace_ms + 1,
            _ => 3_600_000,
        };
        self.now = self.now.plus(ms);
    }

    /// A command from one of the users, naming ids from the actor's own
    /// offers, interactions and calls.
    fn command(&mut self, b: &mut Bytes) -> Input {
        let actor = actor(b.below(AGENTS.len() + 1));
        let repeat = b.byte() < 16;
        let id = match self.last_command.get(&actor.user) {
            Some(last) if repeat => last.clone(),
            _ => {
                self.commands += 1;
                CommandId(format!("c{}", self.commands))
            }
        };
        self.last_command.insert(actor.user.clone(), id.clone());
        let kind = build(b.byte(), &mut Picker { b, center: &self.center, now: self.now, actor: &actor.user });
        Input::Command { actor, id, kind }
    }

    /// The checks after each input, and the bookkeeping of what it made.
    fn after(&mut self, n: usize, input: &Input, applied: &Applied) {
        if let Err(broken) = self.center.check_consistency() {
            panic!("input {n} ({input:?}) at {} broke an invariant: {broken}", self.now.0);
        }
        while let Some(event) = self.center.poll_event() {
            let last = self.seqs.entry(event.agent.clone()).or_insert(Seq(0));
            assert_eq!(event.seq.0, last.0 + 1, "input {n} ({input:?}): {}'s events skip or repeat a number (N2)", event.agent);
            *last = event.seq;
        }
        if let Outcome::Contact(Ok(contact)) = applied.outcome {
            self.contacts.push(contact);
        }
    }

    /// Stores the center and loads it back, as the server does (SPEC S10):
    /// the loaded center must store the same text and hold every invariant.
    /// The run goes on with the loaded one, so the rest of it also tests
    /// the indexes that loading derives again.
    fn reload(&mut self) {
        let stored = serde_json::to_string(&self.center).expect("a center serialises");
        let loaded: Center = serde_json::from_str(&stored).unwrap_or_else(|e| panic!("a stored center does not load: {e}"));
        let again = serde_json::to_string(&loaded).expect("a center serialises");
        assert_eq!(stored, again, "a loaded center stores other text than it was loaded from");
        if let Err(broken) = loaded.check_consistency() {
            panic!("a loaded center broke an invariant: {broken}");
        }
        self.center = loaded;
    }
}

/// Interactions some agent of `center` holds (on the call or in wrap-up).
fn interactions(center: &Center) -> Vec<InteractionId> {
    let mut ids: Vec<InteractionId> = center.agents().flat_map(|a| a.interactions.iter().map(|i| i.id)).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The participants of `interaction` as `agent` holds its call, or as
/// the first agent holding it does.
fn participants(center: &Center, agent: Option<&UserId>, interaction: InteractionId) -> Vec<ParticipantId> {
    let holder = |a: &&ringside::model::AgentState| agent.is_none_or(|agent| a.agent == *agent);
    center
        .agents()
        .filter(holder)
        .find_map(|a| a.interaction(interaction))
        .map(|info| info.call.participants.iter().map(|p| p.id).collect())
        .unwrap_or_default()
}

/// What a command names, drawn from the live set of `center` as seen by
/// its actor.
struct Picker<'a, 'b> {
    b: &'a mut Bytes<'b>,
    center: &'a Center,
    now: ServerTime,
    actor: &'a UserId,
}

impl Picker<'_, '_> {
    fn me(&self) -> Option<&ringside::model::AgentState> {
        self.center.agent(self.actor)
    }

    fn offer(&mut self) -> OfferId {
        let mine: Vec<OfferId> = self.me().map(|a| a.offers.iter().map(|o| o.id).collect()).unwrap_or_default();
        self.b.pick(&mine, |n| OfferId(u64::from(n)))
    }

    fn interaction(&mut self) -> InteractionId {
        let mine: Vec<InteractionId> = self.me().map(|a| a.interactions.iter().map(|i| i.id).collect()).unwrap_or_default();
        self.b.pick(&mine, |n| InteractionId(u64::from(n)))
    }

    /// A participant of the actor's call, or none (the customer) a quarter
    /// of the time.
    fn participant(&mut self, interaction: InteractionId) -> Option<ParticipantId> {
        if self.b.below(4) == 0 {
            return None;
        }
        let on_call = participants(self.center, Some(self.actor), interaction);
        Some(self.b.pick(&on_call, |n| ParticipantId(u64::from(n))))
    }

    /// An interaction of any agent, mostly (what a supervisor monitors).
    fn any_interaction(&mut self) -> InteractionId {
        let all = interactions(self.center);
        self.b.pick(&all, |n| InteractionId(u64::from(n)))
    }

    fn users(&mut self) -> Vec<UserId> {
        (0..self.b.below(3)).map(|_| self.user()).collect()
    }

    fn user(&mut self) -> UserId {
        let everyone: Vec<UserId> = users().collect();
        self.b.pick(&everyone, |_| UserId::from("ghost"))
    }

    fn target(&mut self) -> Target {
        match self.b.below(3) {
            0 => Target::Agent(self.user()),
            1 => Target::Queue(self.b.pick(&QUEUES.map(QueueId::from), |_| QueueId::from("nowhere"))),
            _ => Target::Number(self.number()),
        }
    }

    /// Dialable numbers, and ones the rules refuse (empty, no digits, over
    /// the 32-byte bound).
    fn number(&mut self) -> String {
        const NUMBERS: [&str; 4] = ["+1 555 0142", "+46 (8) 555-0199", "0", " 112 "];
        self.b.pick(&NUMBERS.map(str::to_owned), |n| ["", "call me", "123456789012345678901234567890123"][usize::from(n) % 3].to_owned())
    }

    fn digits(&mut self) -> String {
        self.b.pick(&["42#".to_owned(), "0123456789*#".to_owned()], |n| ["", "12a", &"1".repeat(33)][usize::from(n) % 3].to_owned())
    }

    /// Any status of the profile, system-only ones included (SPEC S8).
    fn status(&mut self) -> StatusId {
        let statuses: Vec<StatusId> = self.center.profile().statuses.iter().map(|s| s.id.clone()).collect();
        self.b.pick(&statuses, |_| StatusId::from("unknown"))
    }

    fn secondary(&mut self) -> Option<SecondaryId> {
        if self.b.below(4) != 0 {
            return None;
        }
        let profile = self.center.profile();
        let all: Vec<SecondaryId> = profile.statuses.iter().flat_map(|s| s.secondary.iter().map(|d| d.id.clone())).collect();
        Some(self.b.pick(&all, |_| SecondaryId::from("unknown")))
    }

    /// No code a third of the time, else one of the profile's.
    fn code(&mut self) -> Option<WrapUpCode> {
        if self.b.below(3) == 0 {
            return None;
        }
        let codes: Vec<WrapUpCode> = self.center.profile().wrap_up.codes.iter().map(|c| c.id.clone()).collect();
        Some(self.b.pick(&codes, |_| WrapUpCode::from("unknown")))
    }

    fn channel(&mut self) -> Channel {
        Channel::ALL[self.b.below(Channel::ALL.len())]
    }

    /// A record at the actor, or a made-up one.
    fn record(&mut self) -> RecordId {
        let held: Vec<RecordId> = self.me().map(|a| a.outbound.iter().map(|w| w.record.id).collect()).unwrap_or_default();
        self.b.pick(&held, |n| RecordId(u64::from(n)))
    }

    /// Push-preview media: voice mostly, sometimes none or a channel twice.
    fn media(&mut self) -> Vec<Channel> {
        match self.b.below(4) {
            0 => Vec::new(),
            1 => vec![Channel::Voice, Channel::Voice],
            2 => vec![self.channel()],
            _ => vec![Channel::Voice],
        }
    }

    fn maybe_number(&mut self) -> Option<String> {
        (self.b.below(3) == 0).then(|| self.number())
    }

    /// A callback time: in the past, soon, or far ahead (SPEC W4).
    fn when(&mut self) -> ServerTime {
        let now = self.now;
        match self.b.below(3) {
            0 => ServerTime(now.0.saturating_sub(60_000)),
            1 => now.plus(1_000 * u64::from(self.b.byte())),
            _ => now.plus(86_400_000),
        }
    }

    fn fields(&mut self) -> SortedMap<String, String> {
        let name = ["plan", "unknown"][self.b.below(2)].to_owned();
        SortedMap::from([(name, "gold".to_owned())])
    }

    /// One of the campaign's call results, or one it does not list.
    fn result(&mut self) -> String {
        ["answered", "no_answer", "callback", "made-up"][self.b.below(4)].to_owned()
    }
}

/// The table of commands: one line per [`CommandKind`] variant, its pattern
/// and how to build it. It expands to [`build`], which picks an entry by
/// number, and `entry`, an exhaustive match on the variants: a variant added
/// to the core fails to compile here until it has its line.
macro_rules! command_table {
    ($p:ident => $($variant:pat => $build:expr),+ $(,)?) => {
        /// The builders, in table order.
        // Entries without arguments (login, logout) leave the picker unused.
        #[allow(unused_variables)]
        const BUILDERS: &[fn(&mut Picker) -> CommandKind] = &[$(|$p: &mut Picker| $build),+];

        /// The entry of the table that builds `kind`'s variant.
        fn entry(kind: &CommandKind) -> usize {
            const PATTERNS: &[&str] = &[$(stringify!($variant)),+];
            let position = |pattern: &str| PATTERNS.iter().position(|p| *p == pattern).unwrap_or(usize::MAX);
            match kind {
                $($variant => position(stringify!($variant)),)+
            }
        }
    };
}

use CommandKind as K;

command_table! { p =>
    K::Login => K::Login,
    K::Logout => K::Logout,
    K::SetStatus { .. } => K::SetStatus { status: p.status(), secondary: p.secondary() },
    K::Accept { .. } => K::Accept { offer: p.offer() },
    K::Decline { .. } => K::Decline { offer: p.offer() },
    K::End { .. } => K::End { interaction: p.interaction() },
    K::Done { .. } => K::Done { interaction: p.interaction(), code: p.code() },
    K::Outdial { .. } => K::Outdial { number: p.number() },
    K::LogoutAgent { .. } => K::LogoutAgent { agent: p.user() },
    K::Hold { .. } => { let interaction = p.interaction(); K::Hold { interaction, participant: p.participant(interaction) } },
    K::Resume { .. } => { let interaction = p.interaction(); K::Resume { interaction, participant: p.participant(interaction) } },
    K::Transfer { .. } => K::Transfer { interaction: p.interaction(), target: p.target() },
    K::Consult { .. } => K::Consult { interaction: p.interaction(), target: p.target() },
    K::Conference { .. } => K::Conference { interaction: p.interaction(), target: p.target() },
    K::EndConsult { .. } => K::EndConsult { interaction: p.interaction() },
    K::CompleteTransfer { .. } => K::CompleteTransfer { interaction: p.interaction() },
    K::StartConference { .. } => K::StartConference { interaction: p.interaction() },
    K::Leave { .. } => K::Leave { interaction: p.interaction() },
    K::Dtmf { .. } => K::Dtmf { interaction: p.interaction(), digits: p.digits() },
    K::Record { .. } => K::Record { interaction: p.interaction() },
    K::FollowUp { .. } => K::FollowUp { interaction: p.interaction(), channel: p.channel() },
    K::PreviewMedia { .. } => K::PreviewMedia { media: p.media() },
    K::GetRecord => K::GetRecord,
    K::AcceptPreview { .. } => K::AcceptPreview { record: p.record() },
    K::RejectPreview { .. } => K::RejectPreview { record: p.record() },
    K::Dial { .. } => K::Dial { record: p.record(), number: p.maybe_number() },
    K::CancelRecord { .. } => K::CancelRecord { record: p.record() },
    K::TransferRecord { .. } => K::TransferRecord { record: p.record(), agent: p.user() },
    K::EditRecord { .. } => K::EditRecord { record: p.record(), fields: p.fields() },
    K::AddChained { .. } => K::AddChained { record: p.record(), number: p.number() },
    K::SetActive { .. } => K::SetActive { record: p.record(), index: p.b.below(4) as u32 },
    K::UpdateRecord { .. } => K::UpdateRecord { record: p.record() },
    K::Reschedule { .. } => K::Reschedule { record: p.record(), at: p.when(), number: p.maybe_number(), personal: p.b.byte() & 1 == 1 },
    K::CancelReschedule { .. } => K::CancelReschedule { record: p.record() },
    K::CallResult { .. } => K::CallResult { record: p.record(), result: p.result() },
    K::DoNotCall { .. } => K::DoNotCall { record: p.record() },
    K::MarkDone { .. } => K::MarkDone { record: p.record(), stop: p.b.byte() & 1 == 1 },
    K::Present => K::Present,
    K::SetLocation { .. } => K::SetLocation { text: (p.b.below(3) != 0).then(|| "Floor 3".to_owned()), shared: p.b.byte() & 1 == 1 },
    K::SetFavourites { .. } => K::SetFavourites { users: p.users() },
    K::Monitor { .. } => K::Monitor { interaction: p.any_interaction(), agent: p.user() },
    K::PauseMonitoring { .. } => K::PauseMonitoring { interaction: p.any_interaction() },
    K::ResumeMonitoring { .. } => K::ResumeMonitoring { interaction: p.any_interaction() },
    K::BargeIn { .. } => K::BargeIn { interaction: p.any_interaction() },
    K::StopMonitoring { .. } => K::StopMonitoring { interaction: p.any_interaction() },
}

/// Builds the command of table entry `choice` (modulo the table's length).
fn build(choice: u8, p: &mut Picker) -> CommandKind {
    let index = usize::from(choice) % BUILDERS.len();
    let kind = BUILDERS[index](p);
    debug_assert_eq!(entry(&kind), index, "table entry {index} builds another variant: {}", kind.name());
    kind
}

/// The wire name of every command the center target sends, in table order.
pub fn command_names() -> Vec<&'static str> {
    let center = world(0);
    let actor = UserId::from(AGENTS[0]);
    (0..BUILDERS.len())
        .map(|index| {
            let mut bytes = Bytes { data: &[], at: 0 };
            let kind = BUILDERS[index](&mut Picker { b: &mut bytes, center: &center, now: T0, actor: &actor });
            assert_eq!(entry(&kind), index, "table entry {index} builds another variant: {}", kind.name());
            kind.name()
        })
        .collect()
}
