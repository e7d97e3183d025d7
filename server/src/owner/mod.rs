//! The one owner of the [`Center`]: a thread that takes inputs from a
//! bounded queue in order, sleeps until the center's next deadline, and
//! commits in groups.
//!
//! Group commit: the owner takes every input already queued (up to
//! [`MAX_BATCH`]), applies them in order, appends the ones that changed the
//! center to the store in one commit (one sync), and only then sends their
//! events (to every session of the user, SPEC N4) and answers. Nothing a
//! client sees was not durable first.
//!
//! It is a plain thread rather than an async task because store calls block;
//! keeping them here keeps the async workers free for sockets.

mod batch;
mod campaigns;
mod commit;
mod directory;
mod history;
mod resume;
mod sessions;

use crate::metrics::Metrics;
use crate::presence_adapter::PresenceAdapter;
use crate::store::{Snapshot, Store, StoreError};
use batch::Batch;
pub use campaigns::{AdminFailure, AdminReply, AdminRequest};
pub use directory::{DirectoryAnswer, DirectoryFailure, DirectoryReply, DirectoryRequest};
pub use history::{PageRequest, ReportFailure, ReportRead, ReportScope, ScopeAnswer};
use resume::ResumeIndex;
use ringside::center::{Center, Input as CenterInput, Outcome, RosterHub, RosterSessions, SimState};
use ringside::protocol::RosterPosition;
use ringside::model::state::CommandKind;
use ringside::model::{Actor, CommandError, CommandId, ContactId, QueueId, Seq, ServerTime, SessionId};
use ringside::protocol::ServerMessage;
use serde::Serialize;
use sessions::Sessions;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, RecvTimeoutError, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc as tmpsc, oneshot};

/// How many messages may wait for one socket before the session is dropped
/// as too slow (it then resumes from its last sequence number). One commit
/// can queue thousands at once for a socket that reads promptly (a roster
/// follower's presence at a shift start on a floor of thousands, the
/// answers to a pipelined batch), so the bound is well above a floor's
/// users; the channel takes memory only for messages that wait.
pub const OUTBOX_CAPACITY: usize = 8192;

/// How often an owner whose store failed tries to reload the center.
const STALE_RETRY: Duration = Duration::from_millis(250);

/// The most inputs applied and committed as one group.
pub const MAX_BATCH: usize = 4096;

/// A snapshot is due when the log since the last one holds at least this
/// many bytes and at least [`SNAPSHOT_LOG_FACTOR`] times that snapshot.
const SNAPSHOT_MIN_LOG_BYTES: u64 = 1 << 20;

/// How many times its own size the log grows between two snapshots: the
/// snapshots then cost at most half the bytes of the records, at any size
/// of the center, and a restart replays at most about twice a snapshot.
const SNAPSHOT_LOG_FACTOR: u64 = 2;

/// Messages to one session's socket.
pub type Outbox = tmpsc::Sender<ServerMessage>;

/// A customer-simulator request (the `/sim/` endpoints).
#[derive(Debug, Clone)]
pub enum SimRequest {
    /// A change from outside the center: a contact arrives, a customer or a
    /// dialled party hangs up or answers, an offer cannot be delivered.
    Change(CenterInput),
    /// A view of queues and agents.
    State,
}

/// The answer to a simulator request.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum SimReply {
    /// The new contact.
    Contact {
        /// Its id.
        contact: ContactId,
    },
    /// Done, nothing to return.
    Done {
        /// Always true.
        ok: bool,
    },
    /// Queues and agents.
    State(Box<SimState>),
}

/// Why a simulator request failed.
#[derive(Debug, Clone)]
pub enum SimFailure {
    /// The center refused it.
    Refused(CommandError),
    /// The state could not be committed; nothing changed.
    Unavailable,
}

/// What a session asks of the presence roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RosterRequest {
    /// Follow it, from a position held or from a snapshot.
    Subscribe(Option<RosterPosition>),
    /// Stop following it.
    Unsubscribe,
}

/// One input to the owner.
#[derive(Debug)]
pub enum Input {
    /// An authenticated hello: connect, then welcome the session with a
    /// snapshot or the missed events (SPEC N2), and register it for fan-out.
    Hello {
        /// Who.
        actor: Actor,
        /// The last event number the client holds.
        resume: Option<Seq>,
        /// Where the session's messages go.
        outbox: Outbox,
        /// Gets the session id once registered (or nothing on failure).
        reply: oneshot::Sender<SessionId>,
    },
    /// A command from a registered session (SPEC N1).
    Command {
        /// The session.
        session: SessionId,
        /// Its user and role.
        actor: Actor,
        /// Client id.
        id: CommandId,
        /// What to do.
        kind: CommandKind,
    },
    /// The session subscribes to the presence roster or leaves it.
    Roster {
        /// The session.
        session: SessionId,
        /// What it asks.
        request: RosterRequest,
    },
    /// The session asks for a fresh snapshot.
    Resync {
        /// The session.
        session: SessionId,
    },
    /// The socket closed (SPEC N3: the center starts the grace). Sent with
    /// [`OwnerSender::disconnect`], which never refuses it.
    Disconnect {
        /// The session.
        session: SessionId,
    },
    /// A customer-simulator request.
    Sim {
        /// The request.
        request: SimRequest,
        /// Gets the answer.
        reply: oneshot::Sender<Result<SimReply, SimFailure>>,
    },
    /// An administrator's campaign request.
    Admin {
        /// The request.
        request: AdminRequest,
        /// Gets the answer.
        reply: oneshot::Sender<Result<AdminReply, AdminFailure>>,
    },
    /// A directory or presence request of the HTTP API.
    Directory {
        /// The request.
        request: DirectoryRequest,
        /// Gets the answer.
        reply: oneshot::Sender<DirectoryAnswer>,
    },
    /// A status report's read (read only: answered at once).
    Report(ReportRead),
    /// Finish what came before, flush the database and stop.
    Shutdown {
        /// Told when done.
        done: oneshot::Sender<()>,
    },
}

/// Why an input was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The owner's queue is full: try again later (`busy`).
    Busy,
    /// The owner has stopped.
    Stopped,
}

/// A handle to send inputs to the owner.
#[derive(Debug, Clone)]
pub struct OwnerSender {
    queue: mpsc::SyncSender<Input>,
    /// Disconnects that found the queue full: they must not be lost, or the
    /// center would count a dead session as connected. At most one per
    /// session, so this is bounded by the number of sessions.
    overflow: Arc<Mutex<Vec<SessionId>>>,
    metrics: Arc<Metrics>,
}

impl OwnerSender {
    /// Queues an input; refused with [`Refused::Busy`] when the queue is
    /// full, so a flood waits at the door instead of growing the server.
    pub fn send(&self, input: Input) -> Result<(), Refused> {
        self.queue.try_send(input).map(|()| Metrics::add(&self.metrics.queued, 1)).map_err(|e| match e {
            TrySendError::Full(_) => {
                Metrics::add(&self.metrics.busy, 1);
                Refused::Busy
            }
            TrySendError::Disconnected(_) => Refused::Stopped,
        })
    }

    /// Tells the owner a session ended; never refused while the owner runs.
    /// A full queue means the owner is busy and will read the overflow soon.
    pub fn disconnect(&self, session: SessionId) {
        match self.queue.try_send(Input::Disconnect { session }) {
            Ok(()) => Metrics::add(&self.metrics.queued, 1),
            Err(TrySendError::Full(_)) => {
                if let Ok(mut overflow) = self.overflow.lock() {
                    overflow.push(session);
                }
            }
            Err(TrySendError::Disconnected(_)) => {}
        }
    }
}

/// The running owner thread.
#[derive(Debug)]
pub struct Owner {
    sender: OwnerSender,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Owner {
    /// A sender for inputs.
    pub fn sender(&self) -> OwnerSender {
        self.sender.clone()
    }

    /// Stops after every input already sent, flushes the database and joins.
    pub async fn shutdown(mut self) {
        let (done, finished) = oneshot::channel();
        let queue = self.sender.queue.clone();
        // A blocking send: shutdown waits for room rather than being refused.
        let sent = tokio::task::spawn_blocking(move || queue.send(Input::Shutdown { done }).is_ok()).await.unwrap_or(false);
        if sent {
            let _ = finished.await;
        }
        if let Some(thread) = self.thread.take() {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

/// Marks the owner stopped when its thread ends, however it ends: it runs
/// no center and holds no session any more (a node that lost its lease
/// must not count the sessions it had).
struct RunningFlag(Arc<Metrics>);

impl Drop for RunningFlag {
    fn drop(&mut self) {
        self.0.owner_running.store(false, Ordering::Relaxed);
        self.0.sessions.store(0, Ordering::Relaxed);
    }
}

/// When the next snapshot is due, and the one being encoded.
struct SnapshotPlan {
    /// Bytes of the last snapshot written.
    last_bytes: u64,
    /// Bytes of records written since.
    log_bytes: u64,
    /// A snapshot being encoded off the owner thread.
    encoding: Option<mpsc::Receiver<Result<crate::store::EncodedSnapshot, StoreError>>>,
}

struct State {
    center: Center,
    store: Box<dyn Store>,
    sessions: Sessions,
    resume: ResumeIndex,
    metrics: Arc<Metrics>,
    overflow: Arc<Mutex<Vec<SessionId>>>,
    snapshots: SnapshotPlan,
    next_session: u64,
    /// The position of the last record appended (0: none yet).
    pos: u64,
    last_now: u64,
    outbound: campaigns::Outbound,
    /// Presence roster subscriptions (S6, S12).
    roster: RosterHub,
    /// How long the status history keeps a change; 0: forever.
    history_retention_ms: u64,
    /// When the history is next pruned.
    next_prune: ServerTime,
    /// The external presence adapter (SPEC N7).
    adapter: Option<Arc<dyn PresenceAdapter>>,
    /// A commit failed and so did the reload after it: the center in
    /// memory is not what the store holds, so inputs wait for a reload.
    stale: bool,
}

/// How the owner runs.
#[derive(Clone)]
pub struct OwnerSettings {
    /// Inputs that may wait for the owner; more are refused `busy`.
    pub queue_capacity: usize,
    /// Log entries indexed per agent for resume (SPEC N2).
    pub keep_per_agent: usize,
    /// How long a simulated campaign number rings before it answers.
    pub dial_ring_ms: u64,
    /// How long the status history keeps a change; 0: forever (SPEC S6).
    pub history_retention_ms: u64,
    /// Where status changes go out to an external presence system (SPEC N7).
    pub adapter: Option<Arc<dyn PresenceAdapter>>,
}

/// Loads the stored center (or starts from `fresh`, the configured one),
/// disconnects the sessions of the previous run, fires what fell due while
/// the server was down, and starts the owner thread with an input queue of
/// `settings.queue_capacity`. Simulated campaign numbers ring `settings.dial_ring_ms` before
/// they answer.
pub fn spawn(store: Box<dyn Store>, fresh: Center, settings: OwnerSettings, metrics: Arc<Metrics>) -> Result<Owner, StoreError> {
    let overflow = Arc::new(Mutex::new(Vec::new()));
    let mut state = State {
        center: fresh.clone(),
        store,
        sessions: Sessions::default(),
        resume: ResumeIndex::new(settings.keep_per_agent),
        metrics: metrics.clone(),
        overflow: overflow.clone(),
        snapshots: SnapshotPlan { last_bytes: 0, log_bytes: 0, encoding: None },
        next_session: 1,
        pos: 0,
        last_now: 0,
        outbound: campaigns::Outbound::new(settings.dial_ring_ms),
        roster: RosterHub::new(wall_ms()),
        history_retention_ms: settings.history_retention_ms,
        next_prune: ServerTime(0),
        adapter: settings.adapter.clone(),
        stale: false,
    };
    if state.reload()? {
        if state.center.profile() != fresh.profile() {
            tracing::warn!("the stored center keeps its own profile; the configured profile differs and is not applied");
        }
        let stored: Vec<&QueueId> = state.center.queues().collect();
        let configured: Vec<&QueueId> = fresh.queues().collect();
        if stored != configured {
            tracing::warn!(?stored, ?configured, "the stored center keeps its own queues");
        }
        if state.center.directory() != fresh.directory() {
            tracing::warn!("the stored center keeps its own directory; change it with the admin API (/admin/directory)");
        }
    } else {
        let first = Snapshot::encode(0, 1, &state.center)?;
        state.store.commit(crate::store::Commit { records: &[], snapshot: Some(&first), list_writes: &[], history: &[] })?;
        state.snapshots.last_bytes = first.body.len() as u64;
        tracing::info!("created a new center");
    }
    let mut batch = Batch::default();
    state.answer_dials_missed(&mut batch);
    // The sockets of the previous run are gone: their sessions end now, so
    // the reconnect grace counts from this start (SPEC N3).
    let stale: Vec<SessionId> = state.center.sessions().collect();
    for session in stale {
        state.apply(&mut batch, CenterInput::Disconnect { session });
    }
    state.fire_due(&mut batch);
    state.commit(&mut batch)?;
    metrics.store_ok.store(true, Ordering::Relaxed);
    metrics.owner_running.store(true, Ordering::Relaxed);
    let (tx, rx) = mpsc::sync_channel(settings.queue_capacity.max(1));
    let thread = std::thread::Builder::new()
        .name("center-owner".into())
        .spawn(move || {
            let _running = RunningFlag(state.metrics.clone());
            state.run(rx);
        })
        .map_err(StoreError::Io)?;
    Ok(Owner { sender: OwnerSender { queue: tx, overflow, metrics }, thread: Some(thread) })
}

/// Server time now: wall-clock milliseconds.
fn wall_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl State {
    /// Server time now, never going backwards.
    fn now(&mut self) -> ServerTime {
        self.last_now = self.last_now.max(wall_ms());
        ServerTime(self.last_now)
    }

    fn run(mut self, rx: mpsc::Receiver<Input>) {
        loop {
            // Ends of sessions left over from the last batch are applied now,
            // not whenever the next input happens to come.
            let overflowing = self.overflow.lock().map(|o| !o.is_empty()).unwrap_or(false);
            let deadline = [self.center.poll_timeout(), self.campaign_deadline()].into_iter().flatten().min();
            let first = match deadline {
                _ if overflowing => rx.recv_timeout(Duration::ZERO),
                _ if self.stale => rx.recv_timeout(STALE_RETRY),
                Some(deadline) => rx.recv_timeout(Duration::from_millis(deadline.0.saturating_sub(wall_ms()))),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            let mut batch = Batch::default();
            if self.stale {
                self.stale = self.reload().map_err(|e| tracing::warn!(error = %e, "still cannot reload the center from the store")).is_err();
                // Until it is reloaded, the center in memory may hold what
                // was never stored: nothing is applied to it.
                batch.poisoned = self.stale;
            }
            let mut stopping = None;
            match first {
                Ok(Input::Shutdown { done }) => stopping = Some(Some(done)),
                Ok(input) => self.take_queued(&mut batch, input),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => stopping = Some(None),
            }
            while stopping.is_none() && batch.inputs < MAX_BATCH {
                match rx.try_recv() {
                    Ok(Input::Shutdown { done }) => stopping = Some(Some(done)),
                    Ok(input) => self.take_queued(&mut batch, input),
                    Err(_) => break,
                }
            }
            let overflow = self.overflow.lock().map(|mut o| std::mem::take(&mut *o)).unwrap_or_default();
            for session in overflow {
                self.take(&mut batch, Input::Disconnect { session });
            }
            self.fire_due(&mut batch);
            self.finish(batch);
            self.campaign_work();
            self.prune_history_if_due();
            if let Some(done) = stopping {
                self.stop();
                if let Some(done) = done {
                    let _ = done.send(());
                }
                return;
            }
        }
    }

    fn stop(&mut self) {
        if let Err(e) = self.store.close() {
            tracing::warn!(error = %e, "closing the store failed");
        }
        tracing::info!("center owner stopped; database flushed");
    }

    /// Applies one input to the center, logging it in the batch when it
    /// changed the center, and queues its events for fan-out. The core never
    /// panics on input by design; should a bug make it panic anyway, nothing
    /// of the batch is stored or sent (its commands get `unavailable`) and
    /// the center is rebuilt from the store.
    fn apply(&mut self, batch: &mut Batch, input: CenterInput) -> Option<Outcome> {
        let now = self.now();
        self.apply_at(batch, now, input)
    }

    /// [`State::apply`] at the time `now`, which may be past: an input that
    /// fell due while no owner ran.
    fn apply_at(&mut self, batch: &mut Batch, now: ServerTime, input: CenterInput) -> Option<Outcome> {
        let center = &mut self.center;
        let logged = input.clone();
        let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| center.apply(now, input)));
        Metrics::add(&self.metrics.inputs, 1);
        let Ok(applied) = applied else {
            tracing::error!(input = ?logged, "the center panicked; the input is dropped and the center is rebuilt from the store");
            batch.poisoned = true;
            return None;
        };
        let events: Vec<_> = std::iter::from_fn(|| self.center.poll_event()).collect();
        batch.list_writes.extend(std::iter::from_fn(|| self.center.poll_list_write()));
        if applied.changed || !events.is_empty() {
            self.pos += 1;
            batch.log(self.pos, now, logged, events);
        }
        Some(applied.outcome)
    }

    /// Fires the timers that are due, if any (an input with nothing due
    /// writes nothing).
    fn fire_due(&mut self, batch: &mut Batch) {
        if batch.poisoned {
            return;
        }
        let now = self.now();
        if self.center.poll_timeout().is_some_and(|at| at <= now) {
            self.apply(batch, CenterInput::Timeout);
        }
    }

    /// `take` for an input that came through the queue (counted there).
    fn take_queued(&mut self, batch: &mut Batch, input: Input) {
        self.metrics.queued.fetch_sub(1, Ordering::Relaxed);
        self.take(batch, input);
    }

    fn take(&mut self, batch: &mut Batch, input: Input) {
        if batch.poisoned {
            // After a panic the in-memory center is not trusted: the rest of
            // this batch is answered as unavailable and not applied.
            batch.refuse(input);
            return;
        }
        batch.inputs += 1;
        match input {
            Input::Hello { actor, resume, outbox, reply } => self.hello(batch, actor, resume, outbox, reply),
            Input::Command { session, actor, id, kind } => {
                if self.sessions.actor(session).is_none() {
                    return;
                }
                if let Some(refusal) = self.dial_blocked(&actor, &kind) {
                    batch.send(session, ServerMessage::answer(id, Err(refusal)));
                    return;
                }
                let name = kind.name();
                let outcome = self.apply(batch, CenterInput::Command { actor: actor.clone(), id: id.clone(), kind });
                let message = match outcome {
                    Some(Outcome::Reply(reply)) => {
                        match &reply {
                            Ok(seq) => tracing::debug!(%session, user = %actor.user, command = name, id = %id, seq = seq.0, "command applied"),
                            Err(refusal) => tracing::debug!(%session, user = %actor.user, command = name, id = %id, code = %refusal.code, "command refused"),
                        }
                        ServerMessage::answer(id, reply)
                    }
                    _ => batch::unavailable_nack(id),
                };
                batch.send(session, message);
            }
            Input::Roster { session, request } => batch.roster(session, request),
            Input::Resync { session } => {
                let Some(actor) = self.sessions.actor(session).cloned() else { return };
                let welcome = self.welcome(&actor, true);
                batch.send(session, welcome);
            }
            Input::Disconnect { session } => {
                batch.unregister(session);
                self.apply(batch, CenterInput::Disconnect { session });
            }
            Input::Sim { request, reply } => {
                let answer = self.sim(batch, request);
                batch.answer_sim(reply, answer);
            }
            Input::Admin { request, reply } => self.admin(batch, request, reply),
            Input::Directory { request, reply } => self.directory(batch, request, reply),
            Input::Report(read) => self.report_read(read),
            Input::Shutdown { done } => {
                let _ = done.send(());
            }
        }
    }

    fn hello(&mut self, batch: &mut Batch, actor: Actor, resume: Option<Seq>, outbox: Outbox, reply: oneshot::Sender<SessionId>) {
        let session = SessionId(self.next_session);
        self.next_session += 1;
        self.apply(batch, CenterInput::Connect { session, user: actor.user.clone() });
        // The welcome and any replay go out before the session joins the
        // fan-out, at this point of the batch: nothing lost, nothing doubled.
        let last = self.center.last_seq(&actor.user);
        let replay = match resume {
            // A replay must fit the session's outbox with the welcome;
            // a longer one is sent as a snapshot instead.
            Some(from) if from <= last && last.0 - from.0 < OUTBOX_CAPACITY as u64 - 1 => self.replay(batch, &actor, from, last),
            _ => None,
        };
        let mut messages = Vec::new();
        match replay {
            Some(events) => {
                messages.push(self.welcome(&actor, false));
                messages.extend(events.into_iter().map(ServerMessage::Event));
            }
            None => messages.push(self.welcome(&actor, true)),
        }
        batch.register(session, actor, outbox, messages, reply);
    }

    /// The events of `actor` after `from` up to `last`: the older ones from
    /// committed records, the newest from this batch; `None` when they are
    /// not all there any more.
    fn replay(&mut self, batch: &Batch, actor: &Actor, from: Seq, last: Seq) -> Option<Vec<ringside::model::state::Event>> {
        let wanted = |e: &ringside::model::state::Event| e.agent == actor.user && e.seq > from && e.seq <= last;
        let recent: Vec<_> = batch.records.iter().flat_map(|r| &r.events).filter(|e| wanted(e)).cloned().collect();
        let committed_until = recent.first().map_or(last, |e| Seq(e.seq.0 - 1));
        let positions = self.resume.positions(&actor.user, from, committed_until)?;
        let records = match self.store.records(&positions) {
            Ok(records) => records,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the log; sending a snapshot");
                return None;
            }
        };
        let mut events: Vec<_> = records.into_iter().flat_map(|r| r.events).filter(|e| wanted(e) && e.seq <= committed_until).collect();
        events.extend(recent);
        let complete = events.iter().map(|e| e.seq.0).eq(from.0 + 1..=last.0);
        complete.then_some(events)
    }

    fn welcome(&mut self, actor: &Actor, with_snapshot: bool) -> ServerMessage {
        let now = self.now();
        ServerMessage::welcome(&self.center, actor, now, with_snapshot)
    }

    fn sim(&mut self, batch: &mut Batch, request: SimRequest) -> Result<SimReply, SimFailure> {
        let input = match request {
            SimRequest::Change(input) => input,
            SimRequest::State => {
                // A read: what is due fires first, so the view is current.
                self.fire_due(batch);
                let now = self.now();
                return Ok(SimReply::State(Box::new(self.center.sim_state(now))));
            }
        };
        match self.apply(batch, input) {
            Some(Outcome::Contact(result)) => result.map(|contact| SimReply::Contact { contact }).map_err(SimFailure::Refused),
            Some(Outcome::Done(result)) => result.map(|()| SimReply::Done { ok: true }).map_err(SimFailure::Refused),
            _ => Err(SimFailure::Unavailable),
        }
    }

}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Commit, Record, Recovered, SqliteStore, Written};
    use ringside::model::profile::Preset;
    use ringside::model::Role;
    use std::sync::atomic::AtomicBool;

    /// The real store, made to fail its commits on demand (a full disk).
    struct FailingStore {
        fail: Arc<AtomicBool>,
        inner: SqliteStore,
    }

    impl Store for FailingStore {
        fn recover(&mut self) -> Result<Option<Recovered>, StoreError> {
            self.inner.recover()
        }
        fn commit(&mut self, commit: Commit<'_>) -> Result<Written, StoreError> {
            if self.fail.load(Ordering::Relaxed) {
                return Err(StoreError::Corrupt("no space left on device".into()));
            }
            self.inner.commit(commit)
        }
        fn records(&mut self, positions: &[u64]) -> Result<Vec<Record>, StoreError> {
            self.inner.records(positions)
        }
        fn close(&mut self) -> Result<(), StoreError> {
            self.inner.close()
        }
        fn lists(&mut self) -> &mut dyn crate::store::CallingLists {
            self.inner.lists()
        }
        fn history(&mut self) -> &mut dyn crate::store::StatusHistory {
            self.inner.history()
        }
    }

    async fn answer(inbox: &mut tmpsc::Receiver<ServerMessage>) -> ServerMessage {
        loop {
            match tokio::time::timeout(Duration::from_secs(5), inbox.recv()).await.expect("in time").expect("open") {
                ServerMessage::Event(_) => continue,
                other => return other,
            }
        }
    }

    // SPEC N2: nothing the store did not keep is shown; SPEC N6: state is not lost.
    #[tokio::test]
    async fn a_store_that_cannot_commit_gets_unavailable_answers_and_fails_health_until_it_can() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fail = Arc::new(AtomicBool::new(false));
        let store = FailingStore { fail: fail.clone(), inner: SqliteStore::open(&dir.path().join("r.db")).expect("open") };
        let metrics = Arc::new(Metrics::default());
        let owner = spawn(Box::new(store), Center::new(ringside::model::Profile::preset(Preset::ContactCenter), [QueueId::from("support")]), OwnerSettings { queue_capacity: 64, keep_per_agent: 16, dial_ring_ms: 1_000, history_retention_ms: 0, adapter: None }, metrics.clone())
            .expect("starts");
        let sender = owner.sender();
        let (outbox, mut inbox) = tmpsc::channel(OUTBOX_CAPACITY);
        let (reply, registered) = oneshot::channel();
        let actor = Actor { user: "ana".into(), role: Role::Agent };
        sender.send(Input::Hello { actor: actor.clone(), resume: None, outbox, reply }).expect("queued");
        let session = registered.await.expect("registered");
        assert!(matches!(answer(&mut inbox).await, ServerMessage::Welcome { .. }));
        let command = |id: &str, kind: CommandKind| Input::Command { session, actor: actor.clone(), id: CommandId::from(id), kind };
        sender.send(command("c1", CommandKind::Login)).expect("queued");
        assert!(matches!(answer(&mut inbox).await, ServerMessage::Ack { .. }));
        assert_eq!(metrics.healthy(), Ok(()));

        fail.store(true, Ordering::Relaxed);
        let available = || CommandKind::SetStatus { status: "available".into(), secondary: None };
        sender.send(command("c2", available())).expect("queued");
        assert!(matches!(answer(&mut inbox).await, ServerMessage::Nack { code, .. } if code == "unavailable"));
        assert_eq!(metrics.healthy(), Err("the store cannot commit"));

        fail.store(false, Ordering::Relaxed);
        sender.send(command("c2", available())).expect("queued");
        assert!(matches!(answer(&mut inbox).await, ServerMessage::Ack { .. }), "nothing of the failed try was kept");
        assert_eq!(metrics.healthy(), Ok(()));
        owner.shutdown().await;
        assert_eq!(metrics.healthy(), Err("the center's owner has stopped"));
    }

    // SPEC N8
    #[test]
    fn a_full_queue_answers_busy_and_still_takes_every_disconnect() {
        let (queue, _rx) = mpsc::sync_channel(1);
        let metrics = Arc::new(Metrics::default());
        let sender = OwnerSender { queue, overflow: Arc::new(Mutex::new(Vec::new())), metrics: metrics.clone() };
        assert_eq!(sender.send(Input::Resync { session: SessionId(1) }), Ok(()));
        assert_eq!(sender.send(Input::Resync { session: SessionId(1) }), Err(Refused::Busy));
        sender.disconnect(SessionId(7));
        assert_eq!(*sender.overflow.lock().expect("lock"), vec![SessionId(7)]);
        assert_eq!(metrics.busy.load(Ordering::Relaxed), 1);
    }
}
