//! Roster subscriptions (SPEC S6, S12), for a host of the center (the
//! server, the in-page simulator): every session that subscribed gets
//! the presence of the users it follows (its teams, its favourites, itself;
//! an admin follows everyone), then each change of one of them, after the
//! change is durable.
//!
//! The fan-out is sized: subscribers are indexed by the teams and the
//! favourites they follow, so a change goes only to the sessions that
//! follow that user. Agents get the public form of an entry (no secondary
//! status, interactions or queues); supervisors, admins and the user itself
//! get the full one.
//!
//! Changes are numbered within a server run (`epoch`); the last
//! [`ROSTER_LOG`] are remembered, so a client that reconnects with its
//! position gets the users changed since (their presence now) instead of a
//! snapshot. A directory change is a change of everyone's roster: it is
//! logged as a mark that a resume cannot cross, and every subscriber gets a
//! new snapshot.

use super::Center;
use crate::model::presence::{Presence, QueueStats};
use crate::model::{Actor, Role, ServerTime, SessionId, TeamId, UserId};
use crate::protocol::{RosterPosition, RosterSnapshot, ServerMessage};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// How many roster changes are remembered for resume (SPEC N8).
pub const ROSTER_LOG: usize = 4096;

/// The host's open sessions, as the roster needs them.
pub trait RosterSessions {
    /// Who is on `session`, if it is open and signed in.
    fn actor(&self, session: SessionId) -> Option<&Actor>;
    /// Queues `message` for `session`.
    fn send(&mut self, session: SessionId, message: ServerMessage);
}

/// One subscribed session: who it is and whom it follows.
#[derive(Debug)]
struct Viewer {
    actor: Actor,
    teams: BTreeSet<TeamId>,
    favourites: BTreeSet<UserId>,
}

impl Viewer {
    fn sees_all(&self) -> bool {
        self.actor.role == Role::Admin
    }

    fn full_view_of(&self, user: &UserId) -> bool {
        self.actor.role.supervises() || &self.actor.user == user
    }
}

/// The subscriptions, their indexes and the recent changes.
#[derive(Debug)]
pub struct RosterHub {
    epoch: u64,
    seq: u64,
    /// Recent changes: the user, or `None` for a directory change.
    log: VecDeque<(u64, Option<UserId>)>,
    /// The presence last sent of each user followed by someone.
    last: HashMap<UserId, Presence>,
    viewers: HashMap<SessionId, Viewer>,
    by_team: HashMap<TeamId, BTreeSet<SessionId>>,
    by_user: HashMap<UserId, BTreeSet<SessionId>>,
    everyone: BTreeSet<SessionId>,
    supervisors: BTreeSet<SessionId>,
    last_queues: Vec<QueueStats>,
    directory_changes: u64,
}

impl RosterHub {
    /// An empty roster for a host run that started at `epoch` (positions
    /// of another run are not resumed).
    pub fn new(epoch: u64) -> RosterHub {
        RosterHub {
            epoch,
            seq: 0,
            log: VecDeque::new(),
            last: HashMap::new(),
            viewers: HashMap::new(),
            by_team: HashMap::new(),
            by_user: HashMap::new(),
            everyone: BTreeSet::new(),
            supervisors: BTreeSet::new(),
            last_queues: Vec::new(),
            directory_changes: 0,
        }
    }

    /// How many sessions follow the roster.
    pub fn subscribers(&self) -> usize {
        self.viewers.len()
    }

    /// Subscribes (or resubscribes) a session and sends it the snapshot or
    /// what changed since its position.
    pub fn subscribe(&mut self, center: &Center, now: ServerTime, sessions: &mut dyn RosterSessions, session: SessionId, resume: Option<RosterPosition>) {
        let Some(actor) = sessions.actor(session).cloned() else { return };
        self.unsubscribe(session);
        let member = center.directory().members.get(&actor.user);
        let viewer = Viewer {
            teams: member.map(|m| m.teams.clone()).unwrap_or_default(),
            favourites: member.map(|m| m.favourites.clone()).unwrap_or_default(),
            actor,
        };
        self.index(session, &viewer);
        let replay = resume.and_then(|at| self.changes_since(at));
        match replay {
            Some(users) => {
                for user in users.into_iter().filter(|u| self.follows(&viewer, center, u)) {
                    let entry = self.current(center, now, &user);
                    let entry = if viewer.full_view_of(&user) { entry } else { entry.public() };
                    sessions.send(session, ServerMessage::Presence { seq: self.seq, entry: Box::new(entry) });
                }
                if viewer.actor.role.supervises() {
                    sessions.send(session, ServerMessage::QueueStats { queues: center.queue_stats() });
                }
            }
            None => sessions.send(session, self.snapshot(center, now, &viewer)),
        }
        self.viewers.insert(session, viewer);
    }

    /// Stops a session's subscription (also when the session ends).
    pub fn unsubscribe(&mut self, session: SessionId) {
        let Some(viewer) = self.viewers.remove(&session) else { return };
        for team in &viewer.teams {
            remove_from(&mut self.by_team, team, session);
        }
        for user in viewer.favourites.iter().chain([&viewer.actor.user]) {
            remove_from(&mut self.by_user, user, session);
        }
        self.everyone.remove(&session);
        self.supervisors.remove(&session);
    }

    /// After a durable batch that `changed` the center: sends each changed
    /// presence of `touched` users to the sessions that follow them, the
    /// queue figures to supervisors when they changed (a contact that only
    /// arrives or leaves touches no user), and new snapshots to everyone when
    /// the directory changed. Returns how many presence messages went out.
    pub fn after_batch(&mut self, center: &Center, now: ServerTime, sessions: &mut dyn RosterSessions, touched: &BTreeSet<UserId>, changed: bool) -> usize {
        if self.viewers.is_empty() {
            // Nobody follows: forget what was sent, so a first subscriber
            // after a quiet spell compares against the truth.
            self.last.clear();
            self.directory_changes = center.directory_changes();
            return 0;
        }
        if center.directory_changes() != self.directory_changes {
            self.directory_changes = center.directory_changes();
            // The new snapshots carry this batch's changes: from the center.
            self.last.clear();
            self.directory_changed(center, now, sessions);
            return 0;
        }
        let mut sent = 0;
        for user in touched {
            let entry = center.presence(user, now);
            if self.last.get(user) == Some(&entry) {
                continue;
            }
            self.last.insert(user.clone(), entry.clone());
            self.note(Some(user.clone()));
            let public = entry.public();
            for session in self.followers(center, user) {
                let Some(viewer) = self.viewers.get(&session) else { continue };
                let shown = if viewer.full_view_of(user) { entry.clone() } else { public.clone() };
                sessions.send(session, ServerMessage::Presence { seq: self.seq, entry: Box::new(shown) });
                sent += 1;
            }
        }
        if !self.supervisors.is_empty() && changed {
            let queues = center.queue_stats();
            if queues != self.last_queues {
                self.last_queues = queues.clone();
                for session in &self.supervisors {
                    sessions.send(*session, ServerMessage::QueueStats { queues: queues.clone() });
                }
            }
        }
        sent
    }

    /// Every subscriber's teams and favourites may have changed: index them
    /// again and send each its roster as it is now.
    fn directory_changed(&mut self, center: &Center, now: ServerTime, sessions: &mut dyn RosterSessions) {
        self.note(None);
        let subscribed: Vec<SessionId> = self.viewers.keys().copied().collect();
        for session in subscribed {
            self.subscribe(center, now, sessions, session, None);
        }
    }

    fn note(&mut self, user: Option<UserId>) {
        self.seq += 1;
        self.log.push_back((self.seq, user));
        while self.log.len() > ROSTER_LOG {
            self.log.pop_front();
        }
    }

    /// The users changed after `at`, oldest change first, if the log still
    /// covers them and no directory change came between.
    fn changes_since(&self, at: RosterPosition) -> Option<Vec<UserId>> {
        if at.epoch != self.epoch || at.seq > self.seq {
            return None;
        }
        if at.seq == self.seq {
            return Some(Vec::new());
        }
        let first = self.log.front()?.0;
        if first > at.seq + 1 {
            return None;
        }
        let mut users: Vec<UserId> = Vec::new();
        for (_, user) in self.log.iter().filter(|(seq, _)| *seq > at.seq) {
            let user = user.as_ref()?;
            if !users.contains(user) {
                users.push(user.clone());
            }
        }
        Some(users)
    }

    fn snapshot(&self, center: &Center, now: ServerTime, viewer: &Viewer) -> ServerMessage {
        let users: BTreeSet<UserId> = if viewer.sees_all() {
            center.agents().map(|a| a.agent.clone()).chain(center.directory().members.keys().cloned()).collect()
        } else {
            let teams = viewer.teams.iter().flat_map(|t| center.team_members(t));
            teams.chain(viewer.favourites.iter().cloned()).chain([viewer.actor.user.clone()]).collect()
        };
        let entries = users
            .iter()
            .map(|user| {
                let entry = self.current(center, now, user);
                if viewer.full_view_of(user) { entry } else { entry.public() }
            })
            .collect();
        let queues = if viewer.actor.role.supervises() { center.queue_stats() } else { Vec::new() };
        ServerMessage::Roster(Box::new(RosterSnapshot { epoch: self.epoch, seq: self.seq, entries, queues }))
    }

    /// A user's presence: as last sent, so a snapshot and the changes after
    /// it agree, or as the center has it.
    fn current(&self, center: &Center, now: ServerTime, user: &UserId) -> Presence {
        self.last.get(user).cloned().unwrap_or_else(|| center.presence(user, now))
    }

    /// The directory's rule (S12), and an admin follows everyone.
    fn follows(&self, viewer: &Viewer, center: &Center, user: &UserId) -> bool {
        viewer.sees_all() || center.directory().follows(&viewer.actor.user, user)
    }

    /// The sessions that follow `user`, each once.
    fn followers(&self, center: &Center, user: &UserId) -> BTreeSet<SessionId> {
        let mut sessions = self.everyone.clone();
        for team in center.directory().teams_of(user) {
            sessions.extend(self.by_team.get(team).into_iter().flatten());
        }
        sessions.extend(self.by_user.get(user).into_iter().flatten());
        sessions
    }

    fn index(&mut self, session: SessionId, viewer: &Viewer) {
        if viewer.sees_all() {
            self.everyone.insert(session);
        }
        if viewer.actor.role.supervises() {
            self.supervisors.insert(session);
        }
        for team in &viewer.teams {
            self.by_team.entry(team.clone()).or_default().insert(session);
        }
        for user in viewer.favourites.iter().chain([&viewer.actor.user]) {
            self.by_user.entry(user.clone()).or_default().insert(session);
        }
    }
}

fn remove_from<K: std::hash::Hash + Eq>(index: &mut HashMap<K, BTreeSet<SessionId>>, key: &K, session: SessionId) {
    if let Some(set) = index.get_mut(key) {
        set.remove(&session);
        if set.is_empty() {
            index.remove(key);
        }
    }
}
