//! The owner's side of the status report (SPEC S6): one user's or one
//! team's history for a time range, as intervals with the status's label
//! and colour, read from the store's history.

use super::State;
use crate::store::StatusRow;
use ringside::model::{SecondaryId, ServerTime, StatusId, TeamId, UserId};
use serde::Serialize;

/// The most rows one report returns.
pub const MAX_REPORT_ROWS: usize = 50_000;

/// Whose history.
#[derive(Debug, Clone)]
pub enum ReportScope {
    /// One user.
    User(UserId),
    /// Every member of a team.
    Team(TeamId),
}

/// A report asked for.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// Whose history.
    pub scope: ReportScope,
    /// The range's start.
    pub from: ServerTime,
    /// The range's end.
    pub to: ServerTime,
}

/// One status held for a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Interval {
    /// Whose status.
    pub user: UserId,
    /// The primary status.
    pub status: StatusId,
    /// Its label in the profile.
    pub label: String,
    /// Its colour in the profile.
    pub colour: String,
    /// The secondary status.
    pub secondary: Option<SecondaryId>,
    /// Whether auto-away set it (S11).
    pub automatic: bool,
    /// When it began, or the range's start if earlier.
    pub from: ServerTime,
    /// When it ended: the next change, or the range's end (or now, for a
    /// status still held in a range that reaches the future).
    pub to: ServerTime,
}

/// Why a report was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFailure {
    /// No such team.
    UnknownTeam,
    /// More than [`MAX_REPORT_ROWS`] rows.
    TooLarge,
    /// The store could not be read.
    Unavailable,
}

/// Rows one pruning step deletes at most: the owner stays responsive.
const PRUNE_STEP: usize = 10_000;

/// How often the history is pruned while it has nothing old to delete.
const PRUNE_EVERY_MS: u64 = 3_600_000;

impl State {
    /// Deletes history older than the retention, one bounded step when due
    /// (at most hourly, or again a second later while old rows remain).
    pub(super) fn prune_history_if_due(&mut self) {
        let now = self.now();
        if self.history_retention_ms == 0 || now < self.next_prune {
            return;
        }
        let before = ServerTime(now.0.saturating_sub(self.history_retention_ms));
        let pause = match self.store.history().prune_history(before, PRUNE_STEP) {
            Ok(deleted) if deleted == PRUNE_STEP => 1_000,
            Ok(_) => PRUNE_EVERY_MS,
            Err(e) => {
                tracing::warn!(error = %e, "pruning the status history failed");
                PRUNE_EVERY_MS
            }
        };
        self.next_prune = now.plus(pause);
    }

    /// Makes a report from the stored history.
    pub(super) fn report(&mut self, request: &ReportRequest) -> Result<Vec<Interval>, ReportFailure> {
        let users = match &request.scope {
            ReportScope::User(user) => vec![user.clone()],
            ReportScope::Team(team) if self.center.directory().teams.contains_key(team) => self.center.team_members(team),
            ReportScope::Team(_) => return Err(ReportFailure::UnknownTeam),
        };
        let rows = self.store.history().status_rows(&users, request.from, request.to, MAX_REPORT_ROWS).map_err(|e| {
            tracing::error!(error = %e, "the status history cannot be read");
            ReportFailure::Unavailable
        })?;
        if rows.len() > MAX_REPORT_ROWS {
            return Err(ReportFailure::TooLarge);
        }
        let end = request.to.min(self.now());
        Ok(intervals(&rows, request.from, end, |status| {
            let def = self.center.profile().status(status);
            (def.map_or_else(|| status.to_string(), |d| d.label.clone()), def.map(|d| d.colour.clone()).unwrap_or_default())
        }))
    }
}

/// Rows (by user, then time) as intervals clipped to `[from, end]`.
fn intervals(rows: &[StatusRow], from: ServerTime, end: ServerTime, display: impl Fn(&StatusId) -> (String, String)) -> Vec<Interval> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let next = rows.get(i + 1).filter(|n| n.user == row.user).map(|n| n.at);
            let (label, colour) = display(&row.status);
            Interval {
                user: row.user.clone(),
                status: row.status.clone(),
                label,
                colour,
                secondary: row.secondary.clone(),
                automatic: row.automatic,
                from: row.at.max(from),
                to: next.unwrap_or(end).max(row.at.max(from)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(user: &str, at: u64, status: &str) -> StatusRow {
        StatusRow { user: UserId::from(user), at: ServerTime(at), status: StatusId::from(status), secondary: None, automatic: false }
    }

    // SPEC S6: the status in force at the start is clipped to it; each
    // interval ends at the user's next change, the last at the end.
    #[test]
    fn rows_become_intervals_clipped_to_the_range() {
        let rows = [row("ana", 50, "idle"), row("ana", 120, "available"), row("ben", 130, "lunch")];
        let found = intervals(&rows, ServerTime(100), ServerTime(200), |s| (s.to_string(), String::new()));
        let spans: Vec<(&str, &str, u64, u64)> = found.iter().map(|i| (i.user.as_str(), i.status.as_str(), i.from.0, i.to.0)).collect();
        assert_eq!(spans, [("ana", "idle", 100, 120), ("ana", "available", 120, 200), ("ben", "lunch", 130, 200)]);
    }
}
