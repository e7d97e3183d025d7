//! The sessions registered for events, indexed by user so that an event
//! reaches its user's sessions without a scan of every session (SPEC N4).

use super::{Outbox, OUTBOX_CAPACITY};
use ringside::center::RosterSessions;
use ringside::model::state::Event;
use ringside::model::{Actor, SessionId, UserId};
use ringside::protocol::ServerMessage;
use std::collections::{BTreeMap, HashMap};

/// A registered session.
struct Entry {
    actor: Actor,
    outbox: Outbox,
}

/// Every registered session, and each user's sessions.
#[derive(Default)]
pub(super) struct Sessions {
    by_id: HashMap<SessionId, Entry>,
    by_user: HashMap<UserId, BTreeMap<SessionId, Outbox>>,
}

impl Sessions {
    /// How many sessions are registered.
    pub(super) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Registers a session: it gets every later event of its user.
    pub(super) fn insert(&mut self, session: SessionId, actor: Actor, outbox: Outbox) {
        self.by_user.entry(actor.user.clone()).or_default().insert(session, outbox.clone());
        self.by_id.insert(session, Entry { actor, outbox });
    }

    /// Unregisters a session; dropping its outbox ends its socket.
    pub(super) fn remove(&mut self, session: SessionId) -> bool {
        let Some(entry) = self.by_id.remove(&session) else { return false };
        if let Some(of_user) = self.by_user.get_mut(&entry.actor.user) {
            of_user.remove(&session);
            if of_user.is_empty() {
                self.by_user.remove(&entry.actor.user);
            }
        }
        true
    }

    /// Sends an event to every session of its user.
    pub(super) fn fan_out(&mut self, event: &Event) {
        let Some(of_user) = self.by_user.get(&event.agent) else { return };
        let too_slow: Vec<SessionId> = of_user
            .iter()
            .filter(|(_, outbox)| outbox.try_send(ServerMessage::Event(event.clone())).is_err())
            .map(|(id, _)| *id)
            .collect();
        for session in too_slow {
            if self.remove(session) {
                tracing::warn!(%session, "session dropped: its socket is too slow or gone");
            }
        }
    }
}

impl RosterSessions for Sessions {
    /// The user and role of a registered session.
    fn actor(&self, session: SessionId) -> Option<&Actor> {
        self.by_id.get(&session).map(|e| &e.actor)
    }

    /// Sends a message to one session. A session whose outbox is full is
    /// dropped: it must not see a gap, it resumes instead. So is one asked
    /// a new roster while more than [`ROSTER_BACKLOG`] messages still wait
    /// for its socket (SPEC N8): roster frames run to half a megabyte, and
    /// the outbox's count of messages alone would let a socket that does
    /// not read hold hundreds of megabytes of them.
    fn send(&mut self, session: SessionId, message: ServerMessage) {
        let new_roster = matches!(&message, ServerMessage::Roster(roster) if roster.part == 0);
        let full = self.by_id.get(&session).is_some_and(|e| {
            let waiting = OUTBOX_CAPACITY - e.outbox.capacity();
            (new_roster && waiting > ROSTER_BACKLOG) || e.outbox.try_send(message).is_err()
        });
        if full && self.remove(session) {
            tracing::warn!(%session, "session dropped: its socket is too slow or gone");
        }
    }
}

/// How many messages may wait for a socket when a new roster is to be
/// queued behind them (a roster's parts follow one another at once).
const ROSTER_BACKLOG: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use ringside::model::{Role, ServerTime};
    use ringside::protocol::RosterSnapshot;
    use tokio::sync::mpsc;

    fn roster(part: u32) -> ServerMessage {
        ServerMessage::Roster(Box::new(RosterSnapshot { epoch: 1, seq: 1, entries: Vec::new(), queues: Vec::new(), part }))
    }

    // SPEC N8: a socket that does not read gets no new roster behind a
    // backlog; it is dropped (and resumes), so it cannot pile rosters up.
    #[test]
    fn a_new_roster_behind_a_backlog_drops_the_session() {
        let mut sessions = Sessions::default();
        let (outbox, _unread) = mpsc::channel(OUTBOX_CAPACITY);
        let ana = Actor { user: UserId::from("ana"), role: Role::Agent };
        sessions.insert(SessionId(1), ana, outbox);
        for _ in 0..ROSTER_BACKLOG {
            sessions.send(SessionId(1), ServerMessage::Pong { client_time: 0, server_time: ServerTime(0) });
        }
        sessions.send(SessionId(1), roster(0));
        sessions.send(SessionId(1), roster(1));
        assert_eq!(sessions.len(), 1, "a roster's own parts follow it");
        sessions.send(SessionId(1), roster(0));
        assert_eq!(sessions.len(), 0, "a second roster behind the first: too slow");
    }
}
