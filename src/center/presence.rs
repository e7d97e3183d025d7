//! Presence on the authority's side: auto-away (SPEC S11), what others see
//! of a user (S6, S12), where a direct call goes (S3, S4), and the figures
//! of a queue for the supervisor's tiles.
//!
//! Auto-away is decided here, not in a tab: every command a user's tab
//! sends (and `present`, sent on input in the page) moves one timer per
//! user, so all tabs of the user agree. When it fires, a logged-in user in
//! an available status with no work goes to the profile's auto-away status;
//! the next input puts back the status it had.

use super::{Center, Timer};
use crate::model::presence::{direct_call, DirectCallDecision, Presence, QueueStats};
use crate::model::profile::StatusCategory;
use crate::model::rules::check_status_choice;
use crate::model::{CommandError, SecondaryId, ServerTime, StatusId, UserId};

impl Center {
    /// Input from `user` at `now` (S11): arms the auto-away timer again and,
    /// if auto-away had set the status, puts back the one before.
    pub(super) fn input_seen(&mut self, now: ServerTime, user: &UserId) {
        let after = self.profile.auto_away_ms;
        let Some(record) = self.agents.get_mut(user) else { return };
        if let Some(at) = record.auto_away_at.take() {
            self.timers.remove(&(at, Timer::AutoAway(user.clone())));
        }
        if after == 0 || !record.state.logged_in {
            record.away_from = None;
            return;
        }
        let at = now.plus(after);
        record.auto_away_at = Some(at);
        self.timers.insert((at, Timer::AutoAway(user.clone())));
        let back = record.away_from.take();
        let auto = self.profile.auto_away_status.as_ref();
        if let Some((status, secondary)) = back.filter(|_| Some(&record.state.status) == auto) {
            self.change_status(now, user, status, secondary, None);
        }
    }

    /// The auto-away timer of `user` fired (S11): away, unless the user is
    /// logged out, works, or holds a status that is not available.
    pub(super) fn auto_away_due(&mut self, now: ServerTime, user: &UserId) {
        let Some(auto) = self.profile.auto_away_status.clone() else { return };
        let Some(record) = self.agents.get_mut(user) else { return };
        record.auto_away_at = None;
        let state = &record.state;
        let available = self.profile.status(&state.status).is_some_and(|s| s.category == StatusCategory::Available);
        if !state.logged_in || !available || state.engaged() || !state.offers.is_empty() {
            return;
        }
        record.away_from = Some((state.status.clone(), state.secondary.clone()));
        self.change_status(now, user, auto, None, None);
    }

    /// An external presence system set a user's status (N7): judged like
    /// the user's own `set_status`, and only while the user is logged in.
    pub fn external_status(&mut self, now: ServerTime, user: &UserId, status: StatusId, secondary: Option<SecondaryId>) -> Result<(), CommandError> {
        self.handle_timeout(now);
        let state = self.agent(user).ok_or_else(|| CommandError::UnknownAgent(user.clone()))?;
        if !state.logged_in {
            return Err(CommandError::NotLoggedIn { command: "external_status" });
        }
        check_status_choice(&self.profile, &status, secondary.as_ref())?;
        if let Some(record) = self.agents.get_mut(user) {
            record.away_from = None;
        }
        self.change_status(now, user, status, secondary, None);
        self.route(now);
        Ok(())
    }

    /// Stops auto-away for a user who logs out.
    pub(super) fn auto_away_off(&mut self, user: &UserId) {
        let Some(record) = self.agents.get_mut(user) else { return };
        record.away_from = None;
        if let Some(at) = record.auto_away_at.take() {
            self.timers.remove(&(at, Timer::AutoAway(user.clone())));
        }
    }

    /// The full presence of a user, as supervisors see it (offline for a
    /// user the center has never seen); [`Presence::public`] is what other
    /// users see (S6, S12).
    pub fn presence(&self, user: &UserId, now: ServerTime) -> Presence {
        let teams = self.directory.teams_of(user).cloned().collect();
        let queues = self.directory.queues_of(user).cloned().unwrap_or_default();
        Presence::of(&self.profile, &self.snapshot(user, now), teams, queues)
    }

    /// Where a direct call to `user` goes now (S3, S4); a user the center
    /// has never seen is offline.
    pub fn direct_call(&self, user: &UserId, now: ServerTime) -> DirectCallDecision {
        direct_call(&self.profile, &self.snapshot(user, now), self.directory.phone(user))
    }

    /// The figures of every queue, in id order.
    pub fn queue_stats(&self) -> Vec<QueueStats> {
        self.queues
            .iter()
            .map(|(id, queue)| {
                let oldest = queue.waiting.values().next().and_then(|c| self.contacts.get(c));
                let available = self
                    .agents
                    .iter()
                    .filter(|(user, a)| {
                        let s = &a.state;
                        s.logged_in && s.connected && self.profile.is_routable(&s.status) && self.serves(id, user).is_some()
                    })
                    .count();
                QueueStats {
                    queue: id.clone(),
                    waiting: queue.waiting.len() as u32,
                    oldest_since: oldest.map(|c| c.arrived_at),
                    available: available as u32,
                }
            })
            .collect()
    }
}
