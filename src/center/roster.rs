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
use crate::protocol::{RosterPosition, RosterSnapshot, ServerMessage, MAX_SERVER_FRAME_BYTES};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// How many roster changes are remembered for resume (SPEC N8).
pub const ROSTER_LOG: usize = 4096;

/// A resume sends one `presence` frame per user changed since; past this
/// many users it sends a snapshot instead, which is fewer frames: a
/// session's outbox holds 1,024 messages, and one that overflows is
/// dropped as too slow.
pub const MAX_RESUMED_USERS: usize = 256;

/// The JSON of a roster frame's entries is kept under this, half the
/// largest frame a client must take: a larger roster (an admin on a floor
/// of thousands) is sent in parts.
pub const ROSTER_PART_BYTES: usize = MAX_SERVER_FRAME_BYTES / 2;

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
        let replay = resume.and_then(|at| self.changes_since(at)).filter(|users| users.len() <= MAX_RESUMED_USERS);
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
            None => {
                for part in self.snapshot(center, now, &viewer) {
                    sessions.send(session, part);
                }
            }
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
            // after a quiet spell compares against the truth. What changed
            // meanwhile is not logged user by user, so a mark stops any
            // resume from before it: that client gets a new roster.
            self.last.clear();
            let directory = center.directory_changes() != self.directory_changes;
            self.directory_changes = center.directory_changes();
            let marked = self.log.back().is_some_and(|(seq, user)| *seq == self.seq && user.is_none());
            if (directory || !touched.is_empty()) && !marked {
                self.note(None);
            }
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

    /// The viewer's roster now: its `roster` frames, each with entries of at
    /// most [`ROSTER_PART_BYTES`] of JSON (the queue figures in the first).
    fn snapshot(&self, center: &Center, now: ServerTime, viewer: &Viewer) -> Vec<ServerMessage> {
        let users: BTreeSet<UserId> = if viewer.sees_all() {
            center.agents().map(|a| a.agent.clone()).chain(center.directory().members.keys().cloned()).collect()
        } else {
            let teams = viewer.teams.iter().flat_map(|t| center.team_members(t));
            teams.chain(viewer.favourites.iter().cloned()).chain([viewer.actor.user.clone()]).collect()
        };
        let (mut parts, mut part, mut bytes) = (Vec::new(), Vec::new(), 0);
        for user in &users {
            let entry = self.current(center, now, user);
            let entry = if viewer.full_view_of(user) { entry } else { entry.public() };
            // The entry's JSON and the comma after it.
            let len = crate::codec::to_string(&entry).len() + 1;
            if bytes + len > ROSTER_PART_BYTES && !part.is_empty() {
                parts.push(std::mem::take(&mut part));
                bytes = 0;
            }
            bytes += len;
            part.push(entry);
        }
        parts.push(part);
        let mut queues = if viewer.actor.role.supervises() { center.queue_stats() } else { Vec::new() };
        (0u32..)
            .zip(parts)
            .map(|(part, entries)| {
                let queues = std::mem::take(&mut queues);
                ServerMessage::Roster(Box::new(RosterSnapshot { epoch: self.epoch, seq: self.seq, entries, queues, part }))
            })
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::Roster;
    use crate::model::directory::{Directory, Member};
    use crate::model::profile::{Preset, Profile};
    use crate::model::QueueId;

    /// One admin session; what it is sent is kept.
    struct Admin {
        actor: Actor,
        sent: Vec<ServerMessage>,
    }

    impl RosterSessions for Admin {
        fn actor(&self, _: SessionId) -> Option<&Actor> {
            Some(&self.actor)
        }
        fn send(&mut self, _: SessionId, message: ServerMessage) {
            self.sent.push(message);
        }
    }

    /// A center whose directory has `members` users, and an admin.
    fn floor(members: usize) -> (Center, Admin) {
        let mut center = Center::new(Profile::preset(Preset::ContactCenter), [QueueId::from("support")]);
        let members = (0..members).map(|n| (UserId::from(format!("agent-{n:05}").as_str()), Member::default())).collect();
        center.save_directory(Directory { members, ..Directory::default() }).expect("a valid directory");
        (center, Admin { actor: Actor { user: UserId::from("admin"), role: Role::Admin }, sent: Vec::new() })
    }

    /// SPEC S12, N8: an admin on a floor of thousands gets the roster in
    /// parts, each frame under the 1 MiB a client must take; the parts
    /// share epoch and seq, the queue figures come once, and a replica
    /// that applies them holds every user.
    #[test]
    fn a_roster_too_large_for_one_frame_comes_in_parts() {
        let (center, mut admin) = floor(8_000);
        let mut hub = RosterHub::new(3);
        hub.subscribe(&center, ServerTime(1_000), &mut admin, SessionId(1), None);
        let frames: Vec<RosterSnapshot> = admin
            .sent
            .iter()
            .map(|message| {
                assert!(crate::codec::to_string(message).len() <= MAX_SERVER_FRAME_BYTES, "a frame over the limit");
                match message {
                    ServerMessage::Roster(snapshot) => (**snapshot).clone(),
                    other => panic!("only roster frames: {other:?}"),
                }
            })
            .collect();
        assert!(frames.len() >= 2, "{} frames", frames.len());
        for (n, frame) in frames.iter().enumerate() {
            assert_eq!((frame.part, frame.epoch, frame.seq), (n as u32, 3, frames[0].seq));
            assert_eq!(frame.queues.is_empty(), n > 0, "the queue figures in the first part only");
        }
        let users: Vec<&UserId> = frames.iter().flat_map(|f| f.entries.iter().map(|e| &e.user)).collect();
        assert_eq!(users.len(), 8_000, "every member");
        assert!(users.windows(2).all(|w| w[0] < w[1]), "in id order, across parts");

        let mut roster = Roster::default();
        roster.subscribe();
        for frame in frames {
            assert!(roster.apply_snapshot(frame));
        }
        assert_eq!(roster.entries().len(), 8_000, "the replica holds every part");
    }

    /// SPEC S12: changes made while no session followed the roster are not
    /// lost to a resume from before them: that client gets a new roster
    /// (with a new position), never a silent "nothing changed".
    #[test]
    fn a_resume_across_a_spell_without_subscribers_gets_a_new_roster() {
        let (mut center, mut admin) = floor(2);
        let mut hub = RosterHub::new(3);
        hub.subscribe(&center, ServerTime(1_000), &mut admin, SessionId(1), None);
        let position = RosterPosition { epoch: 3, seq: hub.seq };
        hub.unsubscribe(SessionId(1));
        let ana = UserId::from("agent-00000");
        center.connect(ServerTime(1_500), SessionId(7), &ana);
        hub.after_batch(&center, ServerTime(1_500), &mut admin, &BTreeSet::from([ana.clone()]), true);
        // Quiet batches after the first add no more marks.
        let seq = hub.seq;
        hub.after_batch(&center, ServerTime(1_600), &mut admin, &BTreeSet::from([ana]), true);
        assert_eq!(hub.seq, seq, "one mark per spell");
        admin.sent.clear();
        hub.subscribe(&center, ServerTime(2_000), &mut admin, SessionId(1), Some(position));
        let ServerMessage::Roster(roster) = &admin.sent[0] else { panic!("a new roster: {:?}", admin.sent) };
        assert!(roster.seq > position.seq, "a new position");
        let entry = roster.entries.iter().find(|e| e.user.as_str() == "agent-00000").expect("ana");
        assert!(entry.connected, "the roster shows the change made meanwhile");
    }

    /// A resume past [`MAX_RESUMED_USERS`] changed users gets a snapshot:
    /// one presence frame each would overflow the session's outbox.
    #[test]
    fn a_resume_past_many_changed_users_gets_a_snapshot() {
        let (center, mut admin) = floor(MAX_RESUMED_USERS + 1);
        let mut hub = RosterHub::new(3);
        hub.subscribe(&center, ServerTime(1_000), &mut admin, SessionId(1), None);
        let position = RosterPosition { epoch: 3, seq: hub.seq };
        let users: Vec<UserId> = center.directory().members.keys().cloned().collect();
        for user in &users[..MAX_RESUMED_USERS] {
            hub.note(Some(user.clone()));
        }
        admin.sent.clear();
        hub.subscribe(&center, ServerTime(2_000), &mut admin, SessionId(1), Some(position));
        assert_eq!(admin.sent.iter().filter(|m| matches!(m, ServerMessage::Presence { .. })).count(), MAX_RESUMED_USERS, "a replay up to the bound");
        hub.note(Some(users[MAX_RESUMED_USERS].clone()));
        admin.sent.clear();
        hub.subscribe(&center, ServerTime(3_000), &mut admin, SessionId(1), Some(position));
        assert!(matches!(admin.sent.as_slice(), [ServerMessage::Roster(_)]), "a snapshot past it: {} frames", admin.sent.len());
    }
}
