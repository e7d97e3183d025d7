//! Who belongs where: teams, the queues each user serves with an optional
//! skill level, favourites and the default phone. Routing reads it (a queue's
//! contacts go only to its members), the roster reads it (a user sees the
//! presence of its teams and favourites, SPEC S6, S12) and the direct-call
//! policy reads the default phone (S4).
//!
//! Memberships are all-or-nothing for a center: while no user serves any
//! queue, every agent serves every queue (a center without a directory routes
//! as before); once one membership exists, a queue's contacts go only to its
//! members.

use super::campaign::is_dialable;
use super::{QueueId, SortedMap, TeamId, UserId};
use crate::protocol::limits::{
    check_name, LimitError, MAX_DIRECTORY_MEMBERS, MAX_FAVOURITES, MAX_ID_BYTES, MAX_LABEL_BYTES, MAX_NUMBER_BYTES, MAX_TEAMS, MAX_USER_QUEUES,
};
use crate::codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use alloc::{collections::{BTreeMap, BTreeSet}, string::String, vec::Vec};

/// The highest skill level; a member without one has level 0.
pub const MAX_SKILL: u8 = 100;

/// A team: users who see each other's presence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Encode, Decode)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Text shown to people.
    pub label: String,
}

/// The phone a user's direct calls reach while the user is offline (S4).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Encode, Decode)]
#[serde(rename_all = "snake_case")]
pub enum DefaultPhone {
    /// The browser (WebRTC) phone: offline, nothing rings.
    #[default]
    Webrtc,
    /// A desk or mobile phone that rings even while the user is offline.
    Number(String),
}

/// One user's entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Encode, Decode)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// The teams the user belongs to.
    #[serde(default)]
    pub teams: BTreeSet<TeamId>,
    /// The queues the user serves, each with a skill level (0: none given).
    #[serde(default)]
    pub queues: SortedMap<QueueId, u8>,
    /// Users whose presence this one follows besides its teams.
    #[serde(default)]
    pub favourites: BTreeSet<UserId>,
    /// Where direct calls go while offline (S4).
    #[serde(default)]
    pub phone: DefaultPhone,
}

/// Teams and members of a center.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, Encode, Decode)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    /// The teams by id.
    #[serde(default)]
    pub teams: BTreeMap<TeamId, Team>,
    /// The users with an entry.
    #[serde(default)]
    pub members: BTreeMap<UserId, Member>,
}

/// Why a directory or one entry of it was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryError {
    /// A text or list is over its bound (SPEC N8).
    Limit(LimitError),
    /// A member names a team that does not exist.
    UnknownTeam(TeamId),
    /// A member names a queue that does not exist.
    UnknownQueue(QueueId),
    /// A skill level over [`MAX_SKILL`].
    SkillTooHigh(QueueId),
    /// An id that is empty, which names nobody.
    EmptyId(&'static str),
    /// A default phone number that cannot be dialled.
    NotDialable,
}

impl DirectoryError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            DirectoryError::Limit(_) => "invalid_message",
            DirectoryError::UnknownTeam(_) => "unknown_team",
            DirectoryError::UnknownQueue(_) => "unknown_queue",
            DirectoryError::SkillTooHigh(_) | DirectoryError::NotDialable => "bad_argument",
            DirectoryError::EmptyId(_) => "invalid_message",
        }
    }
}

impl core::fmt::Display for DirectoryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DirectoryError::Limit(e) => write!(f, "{e}"),
            DirectoryError::UnknownTeam(t) => write!(f, "no team `{t}`"),
            DirectoryError::UnknownQueue(q) => write!(f, "no queue `{q}`"),
            DirectoryError::SkillTooHigh(q) => write!(f, "the skill level for `{q}` is over {MAX_SKILL}"),
            DirectoryError::EmptyId(field) => write!(f, "{field} must not be empty"),
            DirectoryError::NotDialable => write!(f, "member.phone: the number holds no digit or a character no phone dials"),
        }
    }
}

impl From<LimitError> for DirectoryError {
    fn from(e: LimitError) -> Self {
        DirectoryError::Limit(e)
    }
}

/// An id within its bound, without control characters, and not empty.
pub fn check_id(field: &'static str, id: &str) -> Result<(), DirectoryError> {
    check_name(field, id, MAX_ID_BYTES)?;
    if id.is_empty() {
        return Err(DirectoryError::EmptyId(field));
    }
    Ok(())
}

fn too_many(field: &'static str, len: usize, max: usize) -> Result<(), DirectoryError> {
    if len > max {
        return Err(LimitError::TooMany { field, len, max }.into());
    }
    Ok(())
}

impl Member {
    /// Checks bounds and that every team and queue named exists.
    pub fn check(&self, teams: &BTreeMap<TeamId, Team>, queue_exists: impl Fn(&QueueId) -> bool) -> Result<(), DirectoryError> {
        too_many("member.teams", self.teams.len(), MAX_TEAMS)?;
        too_many("member.queues", self.queues.len(), MAX_USER_QUEUES)?;
        too_many("member.favourites", self.favourites.len(), MAX_FAVOURITES)?;
        // Bounds before lookups: an id no team or queue could have is
        // out of bounds, not unknown.
        for team in &self.teams {
            check_id("member.teams", team.as_str())?;
        }
        for queue in self.queues.keys() {
            check_id("member.queues", queue.as_str())?;
        }
        if let Some(team) = self.teams.iter().find(|t| !teams.contains_key(*t)) {
            return Err(DirectoryError::UnknownTeam(team.clone()));
        }
        for (queue, skill) in &self.queues {
            if !queue_exists(queue) {
                return Err(DirectoryError::UnknownQueue(queue.clone()));
            }
            if *skill > MAX_SKILL {
                return Err(DirectoryError::SkillTooHigh(queue.clone()));
            }
        }
        for user in &self.favourites {
            check_id("member.favourites", user.as_str())?;
        }
        if let DefaultPhone::Number(number) = &self.phone {
            check_name("member.phone", number, MAX_NUMBER_BYTES)?;
            if !is_dialable(number) {
                return Err(DirectoryError::NotDialable);
            }
        }
        Ok(())
    }
}

impl Directory {
    /// Checks every team and member.
    pub fn check(&self, queue_exists: impl Fn(&QueueId) -> bool) -> Result<(), DirectoryError> {
        too_many("teams", self.teams.len(), MAX_TEAMS)?;
        too_many("members", self.members.len(), MAX_DIRECTORY_MEMBERS)?;
        for (id, team) in &self.teams {
            check_id("team.id", id.as_str())?;
            check_name("team.label", &team.label, MAX_LABEL_BYTES)?;
        }
        for (user, member) in &self.members {
            check_id("member.id", user.as_str())?;
            member.check(&self.teams, &queue_exists)?;
        }
        Ok(())
    }

    /// Whether routing follows memberships: some user serves some queue.
    pub fn restricts_routing(&self) -> bool {
        self.members.values().any(|m| !m.queues.is_empty())
    }

    /// The skill with which `user` serves `queue`, if it is a member.
    pub fn skill(&self, queue: &QueueId, user: &UserId) -> Option<u8> {
        self.members.get(user)?.queues.get(queue).copied()
    }

    /// The members of a team, in id order.
    pub fn team_members(&self, team: &TeamId) -> Vec<UserId> {
        self.members.iter().filter(|(_, m)| m.teams.contains(team)).map(|(u, _)| u.clone()).collect()
    }

    /// The teams of a user (none if it has no entry).
    pub fn teams_of(&self, user: &UserId) -> impl Iterator<Item = &TeamId> {
        self.members.get(user).into_iter().flat_map(|m| m.teams.iter())
    }

    /// The default phone of a user.
    pub fn phone(&self, user: &UserId) -> &DefaultPhone {
        static WEBRTC: DefaultPhone = DefaultPhone::Webrtc;
        self.members.get(user).map_or(&WEBRTC, |m| &m.phone)
    }

    /// Whether `viewer` follows `user`'s presence: the same user, a shared
    /// team, or a favourite (S12).
    pub fn follows(&self, viewer: &UserId, user: &UserId) -> bool {
        if viewer == user {
            return true;
        }
        let Some(entry) = self.members.get(viewer) else { return false };
        entry.favourites.contains(user) || self.teams_of(user).any(|t| entry.teams.contains(t))
    }

    /// Members of each queue, for showing queue memberships.
    pub fn queues_of(&self, user: &UserId) -> Option<&SortedMap<QueueId, u8>> {
        self.members.get(user).map(|m| &m.queues)
    }
}
