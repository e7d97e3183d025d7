//! Changes to the center's directory: the whole of it (configuration), one
//! team or one member (the admin API), or a user's own favourites. A change
//! applies to the next route at once.

use super::Center;
use crate::model::directory::{Directory, DirectoryError, Member, Team};
use crate::model::{CommandError, QueueId, TeamId, UserId};
use crate::protocol::limits::{LimitError, MAX_DIRECTORY_MEMBERS, MAX_TEAMS};

impl Center {
    /// Teams and members.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// How many times the directory changed since this center was built or
    /// loaded: a host that shows rosters compares it to know when to
    /// send them again.
    pub fn directory_changes(&self) -> u64 {
        self.directory_changes
    }

    /// The members of a team, in id order.
    pub fn team_members(&self, team: &TeamId) -> Vec<UserId> {
        self.directory.team_members(team)
    }

    /// Replaces the whole directory.
    pub fn save_directory(&mut self, directory: Directory) -> Result<(), DirectoryError> {
        directory.check(|q| self.queues.contains_key(q))?;
        self.directory = directory;
        self.directory_changed();
        Ok(())
    }

    /// Creates, changes (`Some`) or removes (`None`) a team; removing one
    /// takes it out of every member.
    pub fn save_team(&mut self, id: TeamId, team: Option<Team>) -> Result<(), DirectoryError> {
        let mut directory = self.directory.clone();
        match team {
            Some(team) => {
                directory.teams.insert(id, team);
            }
            None => {
                directory.teams.remove(&id);
                for member in directory.members.values_mut() {
                    member.teams.remove(&id);
                }
            }
        }
        if directory.teams.len() > MAX_TEAMS {
            return Err(LimitError::TooMany { field: "teams", len: directory.teams.len(), max: MAX_TEAMS }.into());
        }
        self.save_directory(directory)
    }

    /// Creates, replaces (`Some`) or removes (`None`) one user's entry.
    pub fn save_member(&mut self, user: UserId, member: Option<Member>) -> Result<(), DirectoryError> {
        match member {
            Some(member) => {
                member.check(&self.directory.teams, |q| self.queues.contains_key(q))?;
                let len = self.directory.members.len() + usize::from(!self.directory.members.contains_key(&user));
                if len > MAX_DIRECTORY_MEMBERS {
                    return Err(LimitError::TooMany { field: "members", len, max: MAX_DIRECTORY_MEMBERS }.into());
                }
                self.directory.members.insert(user, member);
            }
            None => {
                self.directory.members.remove(&user);
            }
        }
        self.directory_changed();
        Ok(())
    }

    /// A user replaces its favourites (S12); its entry is made if missing.
    pub(super) fn set_favourites(&mut self, user: &UserId, users: Vec<UserId>) -> Result<(), CommandError> {
        let len = self.directory.members.len() + usize::from(!self.directory.members.contains_key(user));
        if len > MAX_DIRECTORY_MEMBERS {
            return Err(CommandError::BadArgument { command: "set_favourites", detail: "the directory is full" });
        }
        self.directory.members.entry(user.clone()).or_default().favourites = users.into_iter().collect();
        self.directory_changed();
        Ok(())
    }

    /// Whether `user` may take `queue`'s contacts, and with which skill:
    /// everyone, with skill 0, while no membership exists.
    pub(super) fn serves(&self, queue: &QueueId, user: &UserId) -> Option<u8> {
        if self.membership_routing { self.directory.skill(queue, user) } else { Some(0) }
    }

    /// Counts a change and derives again whether memberships route.
    pub(super) fn directory_changed(&mut self) {
        self.directory_changes += 1;
        self.membership_routing = self.directory.restricts_routing();
    }
}
