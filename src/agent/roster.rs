//! The roster replica: the presence of the users this user follows and, for
//! supervisors, the queue figures, as the server's roster stream tells them
//! (SPEC S6, S12); and its render-ready form, with timer texts computed from
//! server timestamps (T6, T7).
//!
//! The stream is numbered within a server run (`epoch`). The replica keeps
//! the position of the last frame it applied, so after a reconnect it
//! subscribes again from there and the server sends only what changed.
//! Frames that arrive while the page does not follow the roster (after an
//! unsubscribe, say) change nothing.

use super::view::{each, format_duration, next_second, Earliest};
use crate::model::action::Action;
use crate::model::monitoring::{MonitorAction, MonitoringState};
use crate::model::presence::{Activity, Presence, QueueStats};
use crate::model::rules::{supervisor_logout_refusal, Judge};
use crate::model::state::InteractionState;
use crate::model::{AgentState, Channel, InteractionId, QueueId, SecondaryId, ServerTime, SortedMap, StatusId, TeamId, UserId};
use crate::protocol::{ClientMessageOf, OutgoingMessage, RosterPosition, RosterSnapshot};
use crate::codec::Encode;
use serde::Serialize;
use alloc::{string::String, vec::Vec};

/// The roster as last told by the server.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    subscribed: bool,
    position: Option<RosterPosition>,
    /// In user id order (a sorted list: smaller in the browser than a map).
    entries: Vec<Presence>,
    queues: Vec<QueueStats>,
}

impl Roster {
    /// Whether the page follows the roster.
    pub fn subscribed(&self) -> bool {
        self.subscribed
    }

    /// The position of the last frame applied, if any.
    pub fn position(&self) -> Option<RosterPosition> {
        self.position
    }

    /// One user's presence, if followed.
    pub fn entry(&self, user: &UserId) -> Option<&Presence> {
        self.entries.binary_search_by(|p| p.user.cmp(user)).ok().map(|at| &self.entries[at])
    }

    /// The followed users' presence, in id order.
    pub fn entries(&self) -> &[Presence] {
        &self.entries
    }

    /// The queue figures (supervisors and admins; empty for agents).
    pub fn queues(&self) -> &[QueueStats] {
        &self.queues
    }

    /// Whether the roster shows `interaction` only in wrap-up: its call is
    /// over for every agent on it that this user follows (M2).
    pub fn in_wrap_up(&self, interaction: InteractionId) -> bool {
        let mut seen = false;
        for work in self.entries.iter().flat_map(|p| &p.interactions) {
            if work.id == interaction {
                if work.state != InteractionState::WrapUp {
                    return false;
                }
                seen = true;
            }
        }
        seen
    }

    /// Starts following the roster (or follows it again): the frame asks
    /// for the changes after the position held, or for a snapshot.
    pub fn subscribe(&mut self) -> OutgoingMessage {
        self.subscribed = true;
        ClientMessageOf::SubscribeRoster { resume: self.position }
    }

    /// Stops following it and forgets it.
    pub fn unsubscribe(&mut self) -> OutgoingMessage {
        *self = Roster::default();
        ClientMessageOf::UnsubscribeRoster
    }

    /// After a new welcome (a new connection): the subscription to send
    /// again, from the position held, if the page follows the roster.
    pub fn resubscribe(&self) -> Option<OutgoingMessage> {
        self.subscribed.then_some(ClientMessageOf::SubscribeRoster { resume: self.position })
    }

    /// A `roster` frame: the whole roster as it is, or a later part of the
    /// one held. Returns whether it was applied.
    pub fn apply_snapshot(&mut self, snapshot: RosterSnapshot) -> bool {
        let position = Some(RosterPosition { epoch: snapshot.epoch, seq: snapshot.seq });
        if !self.subscribed || (snapshot.part > 0 && self.position != position) {
            return false;
        }
        // The first part replaces the roster held; a later one adds to it.
        if snapshot.part == 0 {
            self.position = position;
            self.entries.clear();
            self.queues = snapshot.queues;
        }
        for entry in snapshot.entries {
            self.upsert(entry);
        }
        true
    }

    /// A `presence` frame: one user's presence now. Frames of one run are
    /// numbered by the whole server's changes, so a viewer's numbers may
    /// skip; the position only moves forward. Returns whether it was applied.
    pub fn apply_presence(&mut self, seq: u64, entry: Presence) -> bool {
        if !self.subscribed {
            return false;
        }
        if let Some(position) = &mut self.position {
            position.seq = position.seq.max(seq);
        }
        self.upsert(entry);
        true
    }

    fn upsert(&mut self, entry: Presence) {
        match self.entries.binary_search_by(|p| p.user.cmp(&entry.user)) {
            Ok(at) => self.entries[at] = entry,
            Err(at) => self.entries.insert(at, entry),
        }
    }

    /// A `queue_stats` frame: every queue's figures. Returns whether it was
    /// applied.
    pub fn apply_queue_stats(&mut self, queues: Vec<QueueStats>) -> bool {
        if !self.subscribed {
            return false;
        }
        self.queues = queues;
        true
    }
}

/// The roster as a desk renders it, borrowed from the [`Roster`].
#[derive(Debug, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "Roster"))]
pub struct RosterView<'a> {
    /// One row per followed user, in id order.
    pub entries: Vec<RosterEntryView<'a>>,
    /// Supervisors and admins: one tile per queue.
    pub queues: Vec<QueueTile<'a>>,
}

/// One row of the roster (S6, S12).
#[derive(Debug, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "RosterEntry"))]
pub struct RosterEntryView<'a> {
    /// The user.
    pub user: &'a UserId,
    /// Whether it is this desk's own user.
    pub me: bool,
    /// The primary status.
    pub status: &'a StatusId,
    /// Its label.
    pub label: &'a str,
    /// Its colour.
    pub colour: &'a str,
    /// Since when the status is held.
    pub since: ServerTime,
    /// Time in the status, while logged in (T1, T6).
    pub timer: Option<String>,
    /// What the user is doing (S12).
    pub activity: Option<Activity>,
    /// Whether the user is logged in.
    pub logged_in: bool,
    /// Whether a session of the user is connected.
    pub connected: bool,
    /// The location it shares (S12).
    pub location: Option<&'a str>,
    /// Its teams.
    pub teams: &'a [TeamId],
    /// Supervisors and admins only: the secondary status (S6).
    pub secondary: Option<&'a SecondaryId>,
    /// Supervisors and admins only: its open interactions, oldest first.
    pub interactions: Vec<RosterWorkView>,
    /// Supervisors and admins only: the queues it serves, with skill levels.
    #[cfg_attr(test, ts(as = "std::collections::BTreeMap<QueueId, u8>"))]
    pub queues: &'a SortedMap<QueueId, u8>,
    /// Whether this user may ask to log it out (S9: a supervisor, for
    /// another user who is logged in, available or idle, with no open
    /// interaction; the server also counts campaign records it holds).
    pub can_log_out: bool,
}

/// One interaction on a roster row.
#[derive(Debug, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[cfg_attr(test, ts(rename = "RosterWork"))]
pub struct RosterWorkView {
    /// The interaction.
    pub id: InteractionId,
    /// Its channel.
    pub channel: Channel,
    /// Active or wrap-up.
    pub state: InteractionState,
    /// When that state began.
    pub since: ServerTime,
    /// Time in that state.
    pub timer: String,
    /// This supervisor's monitoring of it, by its M1 state
    /// (`monitoring`, `monitoring_paused`), if any.
    pub monitoring: Option<MonitoringState>,
    /// Whether this user may start monitoring it through the row's agent:
    /// the shared rules allow it (M1) and the call is not in wrap-up (M2).
    pub can_monitor: bool,
}

/// A queue tile.
#[derive(Debug, Serialize, Encode)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct QueueTile<'a> {
    /// The queue.
    pub queue: &'a QueueId,
    /// Contacts waiting.
    pub waiting: u32,
    /// When the contact waiting longest arrived.
    pub oldest_since: Option<ServerTime>,
    /// How long it has waited.
    pub longest_wait: Option<String>,
    /// Members logged in, connected and routable.
    pub available: u32,
}

/// The roster's render-ready form at server time `now`; `judge` speaks for
/// the desk's own user.
pub(super) fn derive<'a>(roster: &'a Roster, judge: Option<&Judge<'_>>, now: ServerTime) -> RosterView<'a> {
    let me = judge.map(|j| &j.state.agent);
    let supervises = judge.is_some_and(|j| j.role.supervises());
    let own: Option<&AgentState> = judge.map(|j| j.state);
    let entries = each(roster.entries(), |p| {
        let interactions = each(&p.interactions, |w| {
            let monitoring = own.and_then(|s| s.monitoring.iter().find(|m| m.interaction == w.id)).map(|m| m.state());
            let start = judge.is_some_and(|j| j.available(Action::Monitor(w.id, MonitorAction::Start)).is_ok());
            RosterWorkView {
                id: w.id,
                channel: w.channel,
                state: w.state,
                since: w.since,
                timer: format_duration(now.since(w.since)),
                monitoring,
                can_monitor: start && monitoring.is_none() && w.state == InteractionState::Active,
            }
        });
        let mine = me == Some(&p.user);
        RosterEntryView {
            user: &p.user,
            me: mine,
            status: &p.status,
            label: &p.label,
            colour: &p.colour,
            since: p.since,
            timer: p.logged_in.then(|| format_duration(now.since(p.since))),
            activity: p.activity,
            logged_in: p.logged_in,
            connected: p.connected,
            location: p.location.as_deref(),
            teams: &p.teams,
            secondary: p.secondary.as_ref(),
            interactions,
            queues: &p.queues,
            can_log_out: supervises
                && !mine
                && judge.is_some_and(|j| supervisor_logout_refusal(j.profile, &p.status, p.logged_in, !p.interactions.is_empty()).is_none()),
        }
    });
    let queues = each(roster.queues(), |q| QueueTile {
        queue: &q.queue,
        waiting: q.waiting,
        oldest_since: q.oldest_since,
        longest_wait: q.oldest_since.filter(|_| q.waiting > 0).map(|at| format_duration(now.since(at))),
        available: q.available,
    });
    RosterView { entries, queues }
}

/// When a roster timer next shows another second.
pub(super) fn next_change(roster: &Roster, now: ServerTime) -> Option<ServerTime> {
    let mut earliest = Earliest::default();
    for presence in roster.entries() {
        earliest.note(Some(presence.since).filter(|_| presence.logged_in).map(|since| next_second(since, now)));
        for work in &presence.interactions {
            earliest.note(Some(next_second(work.since, now)));
        }
    }
    for queue in roster.queues() {
        earliest.note(queue.oldest_since.filter(|_| queue.waiting > 0).map(|since| next_second(since, now)));
    }
    earliest.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::presence::WorkItem;
    use crate::model::Profile;

    fn presence(user: &str, since: u64) -> Presence {
        Presence {
            user: UserId::from(user),
            status: StatusId::from("available"),
            label: "Available".into(),
            colour: "#2e7d32".into(),
            since: ServerTime(since),
            activity: None,
            logged_in: true,
            connected: true,
            location: None,
            teams: Vec::new(),
            secondary: None,
            interactions: Vec::new(),
            queues: SortedMap::new(),
        }
    }

    fn snapshot(epoch: u64, seq: u64, entries: Vec<Presence>) -> RosterSnapshot {
        RosterSnapshot { epoch, seq, entries, queues: Vec::new(), part: 0 }
    }

    /// SPEC S12: a snapshot, then one user's change, then a resubscription
    /// from the position held; frames that come while not following are
    /// dropped.
    #[test]
    fn applies_the_stream_and_resumes_from_its_position() {
        let mut roster = Roster::default();
        assert!(!roster.apply_snapshot(snapshot(5, 1, vec![presence("ana", 0)])), "not followed yet");
        assert_eq!(roster.subscribe(), ClientMessageOf::SubscribeRoster { resume: None });
        assert!(roster.apply_snapshot(snapshot(5, 3, vec![presence("ben", 0), presence("ana", 0)])));
        let users: Vec<&str> = roster.entries().iter().map(|p| p.user.as_str()).collect();
        assert_eq!(users, ["ana", "ben"], "in id order");
        let mut away = presence("ben", 9_000);
        away.status = StatusId::from("away");
        assert!(roster.apply_presence(9, away));
        assert!(roster.apply_presence(7, presence("cy", 0)), "a late frame still applies");
        assert_eq!(roster.entry(&UserId::from("ben")).map(|p| p.status.as_str()), Some("away"));
        assert_eq!(roster.position(), Some(RosterPosition { epoch: 5, seq: 9 }), "the position never goes back");
        assert_eq!(roster.resubscribe(), Some(ClientMessageOf::SubscribeRoster { resume: Some(RosterPosition { epoch: 5, seq: 9 }) }));
        assert_eq!(roster.unsubscribe(), ClientMessageOf::UnsubscribeRoster);
        assert_eq!(roster.resubscribe(), None);
        assert!(!roster.apply_presence(10, presence("ana", 0)));
        assert!(roster.entries().is_empty());
    }

    /// SPEC T6, T7: timers from server timestamps; a queue tile's longest
    /// wait only while something waits; the next wake is the next second.
    #[test]
    fn timers_count_from_the_servers_timestamps() {
        let mut roster = Roster::default();
        roster.subscribe();
        let mut ana = presence("ana", 1_000);
        ana.interactions = vec![WorkItem { id: InteractionId(4), channel: Channel::Voice, state: InteractionState::Active, since: ServerTime(30_500) }];
        let mut off = presence("ben", 0);
        off.logged_in = false;
        roster.apply_snapshot(RosterSnapshot {
            epoch: 1,
            seq: 0,
            entries: vec![ana, off],
            queues: vec![
                QueueStats { queue: QueueId::from("support"), waiting: 2, oldest_since: Some(ServerTime(60_000)), available: 1 },
                QueueStats { queue: QueueId::from("sales"), waiting: 0, oldest_since: None, available: 0 },
            ],
            part: 0,
        });
        let view = derive(&roster, None, ServerTime(62_100));
        assert_eq!(view.entries[0].timer.as_deref(), Some("01:01"));
        assert_eq!(view.entries[0].interactions[0].timer, "00:31");
        assert!(!view.entries[0].interactions[0].can_monitor, "without a judge nothing is enabled");
        assert_eq!(view.entries[1].timer, None, "no timer while logged out");
        assert_eq!(view.queues[0].longest_wait.as_deref(), Some("00:02"));
        assert_eq!(view.queues[1].longest_wait, None);
        assert_eq!(next_change(&roster, ServerTime(62_100)), Some(ServerTime(62_500)));
        assert!(!roster.in_wrap_up(InteractionId(4)), "active");
        assert!(!roster.in_wrap_up(InteractionId(5)), "not on the roster");
    }

    /// SPEC M1, M2, S9: a supervisor may monitor an active call of another
    /// agent and log that agent out; never a call in wrap-up, never itself.
    #[test]
    fn a_supervisor_gets_the_monitor_and_logout_actions() {
        use crate::model::profile::Preset;
        use crate::model::rules::OwnStateOnly;
        use crate::model::Role;
        let profile = Profile::preset(Preset::ContactCenter);
        let mut sue = AgentState::new(UserId::from("sue"), StatusId::from("available"), ServerTime(0));
        sue.logged_in = true;
        let mut roster = Roster::default();
        roster.subscribe();
        let mut ana = presence("ana", 0);
        ana.interactions = vec![
            WorkItem { id: InteractionId(1), channel: Channel::Voice, state: InteractionState::Active, since: ServerTime(0) },
            WorkItem { id: InteractionId(2), channel: Channel::Chat, state: InteractionState::WrapUp, since: ServerTime(0) },
        ];
        let mut cy = presence("cy", 0);
        cy.status = StatusId::from("rona");
        roster.apply_snapshot(snapshot(1, 0, vec![ana, presence("ben", 0), cy, presence("sue", 0)]));
        for (role, expected) in [(Role::Supervisor, true), (Role::Agent, false)] {
            let judge = Judge { profile: &profile, role, state: &sue, now: ServerTime(0), world: &OwnStateOnly };
            let view = derive(&roster, Some(&judge), ServerTime(0));
            assert!(roster.in_wrap_up(InteractionId(2)) && !roster.in_wrap_up(InteractionId(1)));
            let [ana, ben, cy, own] = &view.entries[..] else { panic!("four rows") };
            assert_eq!(ana.interactions[0].can_monitor, expected, "{role:?}");
            assert!(!ana.interactions[1].can_monitor, "not in wrap-up (M2)");
            assert!(!ana.can_log_out, "not with interactions open (S9)");
            assert_eq!(ben.can_log_out, expected, "available and free");
            assert!(!cy.can_log_out, "neither available nor idle (S9)");
            assert!(own.me && !own.can_log_out);
        }
    }
}
