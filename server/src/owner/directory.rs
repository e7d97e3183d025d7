//! The owner's side of the directory and presence requests of the HTTP API:
//! reading and changing teams and members (logged inputs, answered after
//! their commit) and reading where a direct call goes.

use super::batch::{Batch, Delivery};
use super::State;
use ringside::center::{Input as CenterInput, Outcome};
use ringside::model::directory::{Directory, DirectoryError, Member, Team};
use ringside::model::presence::DirectCallDecision;
use ringside::model::{TeamId, UserId};
use tokio::sync::oneshot;

/// A request about the directory or a user's presence.
#[derive(Debug)]
pub enum DirectoryRequest {
    /// The whole directory.
    Get,
    /// Replace it.
    Save(Box<Directory>),
    /// Create, change (`Some`) or remove (`None`) a team.
    SaveTeam(TeamId, Option<Team>),
    /// Create, replace (`Some`) or remove (`None`) a user's entry.
    SaveMember(UserId, Option<Box<Member>>),
    /// The members of a team.
    TeamMembers(TeamId),
    /// Where a direct call to a user goes now (S3, S4).
    DirectCall(UserId),
}

/// The answer to a [`DirectoryRequest`].
#[derive(Debug)]
pub enum DirectoryReply {
    /// The directory (after a change: as it is now).
    Directory(Box<Directory>),
    /// A team's members.
    Members(Vec<UserId>),
    /// A direct-call decision.
    DirectCall(DirectCallDecision),
}

/// Why a directory request failed.
#[derive(Debug)]
pub enum DirectoryFailure {
    /// The change was refused; nothing changed.
    Refused(DirectoryError),
    /// The change could not be stored; nothing changed.
    Unavailable,
}

/// What a directory request's reply channel carries.
pub type DirectoryAnswer = Result<DirectoryReply, DirectoryFailure>;

impl State {
    /// Answers a directory request after the batch's commit.
    pub(super) fn directory(&mut self, batch: &mut Batch, request: DirectoryRequest, reply: oneshot::Sender<DirectoryAnswer>) {
        let change = match request {
            DirectoryRequest::Get => None,
            DirectoryRequest::Save(directory) => Some(CenterInput::SaveDirectory { directory }),
            DirectoryRequest::SaveTeam(id, team) => Some(CenterInput::SaveTeam { id, team }),
            DirectoryRequest::SaveMember(user, member) => Some(CenterInput::SaveMember { user, member }),
            DirectoryRequest::TeamMembers(team) => {
                let members = self.center.team_members(&team);
                batch.deliveries.push(Delivery::Directory(reply, Ok(DirectoryReply::Members(members))));
                return;
            }
            DirectoryRequest::DirectCall(user) => {
                let now = self.now();
                let decision = self.center.direct_call(&user, now);
                batch.deliveries.push(Delivery::Directory(reply, Ok(DirectoryReply::DirectCall(decision))));
                return;
            }
        };
        let answer = match change.map(|input| self.apply(batch, input)) {
            None | Some(Some(Outcome::Directory(Ok(())))) => Ok(DirectoryReply::Directory(Box::new(self.center.directory().clone()))),
            Some(Some(Outcome::Directory(Err(e)))) => Err(DirectoryFailure::Refused(e)),
            Some(_) => Err(DirectoryFailure::Unavailable),
        };
        batch.deliveries.push(Delivery::Directory(reply, answer));
    }
}
