//! Committing a batch, delivering it, reloading the center from the store,
//! and scheduling snapshots.

use super::batch::{Batch, Delivery};
use super::{RosterRequest, State};
use ringside::center::RosterSessions;
use ringside::model::{SessionId, UserId};
use std::collections::BTreeSet;
use crate::metrics::Metrics;
use crate::presence_adapter::PresenceChange;
use crate::store::{Commit, EncodedSnapshot, Record, Snapshot, StatusRow, StoreError};
use ringside::center::Input as CenterInput;
use ringside::model::state::EventKind;
use std::sync::atomic::Ordering;
use std::sync::mpsc;

impl State {
    /// Commits a batch and delivers it; when it cannot be stored (or the
    /// center panicked), reloads the last committed center and answers
    /// `unavailable` for what was lost.
    pub(super) fn finish(&mut self, mut batch: Batch) {
        let stored = !batch.poisoned && self.commit(&mut batch).map_err(|e| tracing::error!(error = %e, "commit failed")).is_ok();
        if !stored {
            batch.fail();
            if let Err(e) = self.reload() {
                tracing::error!(error = %e, "cannot reload the center from the store");
                self.metrics.store_ok.store(false, Ordering::Relaxed);
                self.stale = true;
            }
        }
        self.deliver(&mut batch);
        if let Ok(mut overflow) = self.overflow.lock() {
            overflow.append(&mut batch.retry_disconnects);
        }
    }

    /// Makes the batch's records (and a finished snapshot) durable; indexes
    /// their events for resume.
    pub(super) fn commit(&mut self, batch: &mut Batch) -> Result<(), StoreError> {
        let snapshot = self.finished_snapshot();
        if batch.records.is_empty() && batch.list_writes.is_empty() && snapshot.is_none() {
            return Ok(());
        }
        let history: Vec<StatusRow> = batch.records.iter().flat_map(|r| self.status_rows(r)).collect();
        let written = self.store.commit(Commit { records: &batch.records, snapshot: snapshot.as_ref(), list_writes: &batch.list_writes, history: &history });
        let written = match written {
            Ok(written) => written,
            Err(e) => {
                self.metrics.store_ok.store(false, Ordering::Relaxed);
                return Err(e);
            }
        };
        self.metrics.store_ok.store(true, Ordering::Relaxed);
        Metrics::add(&self.metrics.commits, 1);
        Metrics::add(&self.metrics.records, batch.records.len() as u64);
        Metrics::add(&self.metrics.store_bytes, written.bytes);
        match &snapshot {
            Some(snapshot) => {
                Metrics::add(&self.metrics.snapshots, 1);
                self.snapshots.last_bytes = snapshot.body.len() as u64;
                self.snapshots.log_bytes = written.bytes - self.snapshots.last_bytes;
            }
            None => self.snapshots.log_bytes += written.bytes,
        }
        self.resume.set_first_kept(written.first_kept);
        if let Some(adapter) = &self.adapter {
            // A change the external system asked for is not sent back to it:
            // an echo could bounce between the two systems.
            for record in batch.records.iter().filter(|r| !matches!(r.input, CenterInput::ExternalStatus { .. })) {
                for row in self.status_rows(record) {
                    adapter.publish(PresenceChange { user: row.user, status: row.status, secondary: row.secondary, automatic: row.automatic, at: row.at });
                }
            }
        }
        for record in &batch.records {
            self.index_events(record);
        }
        self.start_snapshot_if_due();
        Ok(())
    }

    /// The status changes among a record's events, for the history (S6)
    /// and the presence adapter (N7); a change to the auto-away status is
    /// of the automatic kind (S11).
    fn status_rows<'a>(&'a self, record: &'a Record) -> impl Iterator<Item = StatusRow> + 'a {
        let automatic = self.center.profile().auto_away_status.as_ref();
        record.events.iter().filter_map(move |event| match &event.kind {
            EventKind::StatusChanged { status, since, secondary, .. } => Some(StatusRow {
                user: event.agent.clone(),
                at: *since,
                status: status.clone(),
                secondary: secondary.clone(),
                automatic: Some(status) == automatic,
            }),
            _ => None,
        })
    }

    fn index_events(&mut self, record: &Record) {
        let mut previous = None;
        for event in &record.events {
            if previous != Some(&event.agent) {
                self.resume.note(&event.agent, event.seq, record.pos);
                previous = Some(&event.agent);
            }
        }
    }

    fn deliver(&mut self, batch: &mut Batch) {
        let mut roster_requests = Vec::new();
        for delivery in batch.deliveries.drain(..) {
            match delivery {
                Delivery::Events(record) => {
                    for event in batch.records.get(record).map_or(&[][..], |r| &r.events) {
                        self.sessions.fan_out(event);
                    }
                }
                Delivery::Send(session, message) => self.sessions.send(session, message),
                Delivery::Register { session, actor, outbox, messages, reply } => {
                    let fits = messages.into_iter().all(|m| outbox.try_send(m).is_ok());
                    if fits && reply.send(session).is_ok() {
                        self.sessions.insert(session, actor, outbox);
                    } else {
                        // The socket went away while we worked: end it.
                        batch.retry_disconnects.push(session);
                    }
                }
                Delivery::Unregister(session) => {
                    self.sessions.remove(session);
                    self.roster.unsubscribe(session);
                }
                Delivery::Roster(session, request) => roster_requests.push((session, request)),
                Delivery::Sim(reply, answer) => {
                    let _ = reply.send(answer);
                }
                Delivery::Admin(reply, answer) => {
                    let _ = reply.send(answer);
                }
                Delivery::Directory(reply, answer) => {
                    let _ = reply.send(answer);
                }
            }
        }
        self.deliver_presence(batch, roster_requests);
        self.metrics.sessions.store(self.sessions.len() as u64, Ordering::Relaxed);
    }

    /// The roster's part of a delivered batch: the presence changes of the
    /// users its events touched, then the subscriptions asked for in it
    /// (whose snapshots hold those changes already).
    fn deliver_presence(&mut self, batch: &Batch, requests: Vec<(SessionId, RosterRequest)>) {
        let now = self.now();
        let touched: BTreeSet<UserId> = batch.records.iter().flat_map(|r| r.events.iter().map(|e| e.agent.clone())).collect();
        let sent = self.roster.after_batch(&self.center, now, &mut self.sessions, &touched, !batch.records.is_empty());
        Metrics::add(&self.metrics.presence_messages, sent as u64);
        for (session, request) in requests {
            match request {
                RosterRequest::Subscribe(resume) => self.roster.subscribe(&self.center, now, &mut self.sessions, session, resume),
                RosterRequest::Unsubscribe => self.roster.unsubscribe(session),
            }
        }
        self.metrics.roster_subscribers.store(self.roster.subscribers() as u64, Ordering::Relaxed);
    }

    /// Loads the last snapshot and replays the records after it; `false`
    /// when the store is new. Used at start and after a failed commit.
    pub(super) fn reload(&mut self) -> Result<bool, StoreError> {
        let Some(recovered) = self.store.recover()? else { return Ok(false) };
        self.center = recovered.snapshot.center;
        self.next_session = self.next_session.max(recovered.snapshot.next_session);
        self.pos = recovered.snapshot.pos;
        self.resume.clear();
        self.snapshots.last_bytes = recovered.snapshot_bytes;
        self.snapshots.log_bytes = recovered.tail_bytes;
        self.snapshots.encoding = None;
        let mut diverged = 0usize;
        for record in &recovered.tail {
            if let ringside::center::Input::Connect { session, .. } = &record.input {
                self.next_session = self.next_session.max(session.0 + 1);
            }
            self.center.apply(record.at, record.input.clone());
            let events: Vec<_> = std::iter::from_fn(|| self.center.poll_event()).collect();
            if events != record.events {
                diverged += 1;
            }
            self.pos = record.pos;
            self.index_events(record);
        }
        if diverged > 0 {
            // Replay is deterministic within one release; a difference means
            // the log was written by another release of the rules.
            tracing::warn!(records = diverged, "replayed records caused other events than they logged");
        }
        tracing::info!(snapshot = recovered.snapshot.pos, replayed = recovered.tail.len(), "restored the center from the database");
        Ok(true)
    }

    /// A snapshot is due when the log since the last one has grown to
    /// [`super::SNAPSHOT_LOG_FACTOR`] times its size (and at least
    /// [`super::SNAPSHOT_MIN_LOG_BYTES`]): it is encoded from a copy on
    /// another thread, and written with a later commit.
    fn start_snapshot_if_due(&mut self) {
        let plan = &self.snapshots;
        let due = (plan.last_bytes * super::SNAPSHOT_LOG_FACTOR).max(super::SNAPSHOT_MIN_LOG_BYTES);
        if plan.encoding.is_some() || plan.log_bytes < due {
            return;
        }
        let (tx, rx) = mpsc::channel();
        let (center, pos, next_session) = (self.center.clone(), self.pos, self.next_session);
        let spawned = std::thread::Builder::new()
            .name("snapshot".into())
            .spawn(move || {
                let _ = tx.send(Snapshot::encode(pos, next_session, &center));
            });
        match spawned {
            Ok(_) => self.snapshots.encoding = Some(rx),
            Err(e) => tracing::warn!(error = %e, "cannot start a snapshot"),
        }
    }

    fn finished_snapshot(&mut self) -> Option<EncodedSnapshot> {
        let result = self.snapshots.encoding.as_ref()?.try_recv();
        match result {
            Ok(Ok(snapshot)) => {
                self.snapshots.encoding = None;
                Some(snapshot)
            }
            Ok(Err(e)) => {
                self.snapshots.encoding = None;
                tracing::warn!(error = %e, "a snapshot could not be encoded");
                None
            }
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => {
                self.snapshots.encoding = None;
                None
            }
        }
    }
}
