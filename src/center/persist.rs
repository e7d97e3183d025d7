//! The center's stored form: every field that is state, none that is an
//! index. Loading goes through [`Persisted`] so the indexes are always
//! derived from what was loaded, never trusted from storage.

use super::replies::Remembered;
use super::{AgentRecord, Center, Contact, InteractionRecord, OfferRecord, Queue, Timer};
use crate::model::campaign::Campaign;
use crate::model::directory::Directory;
use crate::model::{CampaignId, ContactId, InteractionId, OfferId, Profile, QueueId, RecordId, ServerTime, SessionId, UserId};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The center as stored (see [`Center`] for the meaning of each field).
#[derive(Deserialize)]
pub(super) struct Persisted {
    profile: Profile,
    queues: BTreeMap<QueueId, Queue>,
    contacts: BTreeMap<ContactId, Contact>,
    agents: BTreeMap<UserId, AgentRecord>,
    sessions: BTreeMap<SessionId, UserId>,
    offers: BTreeMap<OfferId, OfferRecord>,
    interactions: BTreeMap<InteractionId, InteractionRecord>,
    timers: BTreeSet<(ServerTime, Timer)>,
    replies: Remembered,
    next_id: u64,
    next_arrival: u64,
    #[serde(default)]
    campaigns: BTreeMap<CampaignId, Campaign>,
    #[serde(default)]
    stale: VecDeque<RecordId>,
    #[serde(default)]
    directory: Directory,
}

impl From<Persisted> for Center {
    fn from(p: Persisted) -> Center {
        let mut connections: BTreeMap<UserId, usize> = BTreeMap::new();
        for user in p.sessions.values() {
            *connections.entry(user.clone()).or_default() += 1;
        }
        let mut center = Center {
            profile: p.profile,
            queues: p.queues,
            contacts: p.contacts,
            agents: p.agents,
            sessions: p.sessions,
            connections,
            offers: p.offers,
            interactions: p.interactions,
            timers: p.timers,
            replies: p.replies,
            next_id: p.next_id,
            next_arrival: p.next_arrival,
            campaigns: p.campaigns,
            stale: p.stale,
            membership_routing: p.directory.restricts_routing(),
            directory: p.directory,
            directory_changes: 0,
            outbound: BTreeMap::new(),
            list_writes: VecDeque::new(),
            events: VecDeque::new(),
            index: Default::default(),
        };
        center.rebuild_index();
        center
    }
}
