//! The demo's directory: team `north` with the demo users, agents `ana` and
//! `ben` serving the queues with skill levels, supervisor `sue` following
//! the team, created at start when the stored directory is empty
//! (`--demo-directory`), so the supervisor desk shows a roster at once.

use crate::owner::{DirectoryReply, DirectoryRequest, Input, OwnerSender};
use ringside::model::directory::{Directory, Member, Team};
use ringside::model::{QueueId, TeamId, UserId};
use std::collections::{BTreeMap, BTreeSet};
use tokio::sync::oneshot;

/// The demo directory.
pub fn directory() -> Directory {
    let north = TeamId::from("north");
    let member = |queues: &[(&str, u8)], favourites: &[&str]| Member {
        teams: BTreeSet::from([north.clone()]),
        queues: queues.iter().map(|(q, skill)| (QueueId::from(*q), *skill)).collect(),
        favourites: favourites.iter().map(|u| UserId::from(*u)).collect(),
        phone: Default::default(),
    };
    Directory {
        teams: BTreeMap::from([(north.clone(), Team { label: "North floor".into() })]),
        members: BTreeMap::from([
            (UserId::from("ana"), member(&[("support", 7), ("sales", 3)], &["ben"])),
            (UserId::from("ben"), member(&[("support", 5), ("sales", 6)], &["ana"])),
            (UserId::from("sue"), member(&[], &[])),
        ]),
    }
}

async fn ask(owner: &OwnerSender, request: DirectoryRequest) -> Option<DirectoryReply> {
    let (reply, answer) = oneshot::channel();
    owner.send(Input::Directory { request, reply }).ok()?;
    answer.await.ok()?.ok()
}

/// Saves the demo directory if the stored one is empty; says what it did.
pub async fn seed(owner: &OwnerSender) -> Result<&'static str, String> {
    match ask(owner, DirectoryRequest::Get).await {
        Some(DirectoryReply::Directory(stored)) if *stored != Directory::default() => return Ok("kept the existing directory"),
        Some(_) => {}
        None => return Err("the server did not answer".into()),
    }
    ask(owner, DirectoryRequest::Save(Box::new(directory()))).await.ok_or("the directory was not saved")?;
    Ok("created the demo team `north` (ana, ben, sue) with queue memberships")
}
