//! Routing (SPEC S7, E2): a waiting contact goes to the agent that has been
//! ready longest among those who can take its channel now and serve its
//! queue (ties by skill level, then user id).
//!
//! Two indexes keep the cost of a route independent of how many contacts
//! wait and how many agents exist: per channel, the agents who can take new
//! work, ordered by `(ready_since, id)`; and per channel, the waiting contacts
//! by arrival. A route looks only at the heads of these. The indexes are
//! derived from the center's state, never stored: they are rebuilt on load.

use super::{Center, Contact};
use crate::model::{Channel, ContactId, ServerTime, UserId};
use std::collections::{BTreeMap, BTreeSet};

/// Who can take work and what waits, per channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct RoutingIndex {
    /// Agents who could take new work on the channel now, ready longest
    /// first. Empty sets are removed, so the index has one form per state.
    ready: BTreeMap<Channel, BTreeSet<(ServerTime, UserId)>>,
    /// Under which `ready_since` and on which channels each agent is filed.
    filed: BTreeMap<UserId, (ServerTime, Vec<Channel>)>,
    /// Waiting contacts of every queue, by arrival, per channel.
    pub(super) waiting: BTreeMap<Channel, BTreeMap<u64, ContactId>>,
}

impl Center {
    /// Files `user` again after anything that decides whether it can take
    /// work changed: its state (every event) or its `ready_since`.
    pub(super) fn refile(&mut self, user: &UserId) {
        let wanted = self.agents.get(user).map(|record| {
            let channels: Vec<Channel> = Channel::ALL.into_iter().filter(|c| self.can_take(record, *c)).collect();
            (record.ready_since, channels)
        });
        let wanted = wanted.filter(|(_, channels)| !channels.is_empty());
        // Most events (a call change, a status that stays unroutable) leave
        // the agent where it is filed.
        if self.index.filed.get(user) == wanted.as_ref() {
            return;
        }
        if let Some((since, channels)) = self.index.filed.remove(user) {
            for channel in channels {
                if let Some(ready) = self.index.ready.get_mut(&channel) {
                    ready.remove(&(since, user.clone()));
                    if ready.is_empty() {
                        self.index.ready.remove(&channel);
                    }
                }
            }
        }
        let Some((since, channels)) = wanted else { return };
        for channel in &channels {
            self.index.ready.entry(*channel).or_default().insert((since, user.clone()));
        }
        self.index.filed.insert(user.clone(), (since, channels));
    }

    /// Puts a live contact in line in its queue, at its arrival position (O3).
    pub(super) fn file_waiting(&mut self, id: ContactId) {
        let Some(contact) = self.contacts.get(&id) else { return };
        if let Some(queue) = contact.queue.as_ref().and_then(|q| self.queues.get_mut(q)) {
            queue.waiting.insert(contact.arrival, id);
        }
        self.index.waiting.entry(contact.channel).or_default().insert(contact.arrival, id);
    }

    /// Takes a contact out of line (offered, connected or gone).
    pub(super) fn unfile_waiting(&mut self, contact: &Contact) {
        if let Some(queue) = contact.queue.as_ref().and_then(|q| self.queues.get_mut(q)) {
            queue.waiting.remove(&contact.arrival);
        }
        if let Some(waiting) = self.index.waiting.get_mut(&contact.channel) {
            waiting.remove(&contact.arrival);
            if waiting.is_empty() {
                self.index.waiting.remove(&contact.channel);
            }
        }
    }

    /// Derives both indexes from the state (after a load).
    pub(super) fn rebuild_index(&mut self) {
        self.index = RoutingIndex::default();
        let users: Vec<UserId> = self.agents.keys().cloned().collect();
        for user in &users {
            self.refile(user);
        }
        let waiting: Vec<ContactId> =
            self.contacts.iter().filter(|(_, c)| c.place == super::Place::Waiting).map(|(id, _)| *id).collect();
        for id in waiting {
            self.file_waiting(id);
        }
        self.outbound = self
            .agents
            .iter()
            .flat_map(|(user, a)| a.state.outbound.iter().map(move |w| (w.record.id, user.clone())))
            .collect();
    }

    /// Offers waiting contacts, oldest arrival first across queues and
    /// channels, each to the eligible agent ready longest (S7, E2), until no
    /// waiting contact has an eligible agent.
    pub(super) fn route(&mut self, now: ServerTime) {
        while let Some((contact, agent)) = self.next_match() {
            self.make_offer(now, contact, &agent);
        }
    }

    /// The earliest waiting contact that some ready agent may take, with that
    /// agent. Only channels with a ready agent are looked at, and in each only
    /// the contacts every ready agent declined (or directed to a busy agent)
    /// are passed over.
    fn next_match(&self) -> Option<(ContactId, UserId)> {
        let mut best: Option<(u64, ContactId, UserId)> = None;
        for (channel, ready) in &self.index.ready {
            let Some(waiting) = self.index.waiting.get(channel) else { continue };
            for (&arrival, &contact) in waiting {
                if best.as_ref().is_some_and(|(earliest, ..)| *earliest < arrival) {
                    break;
                }
                if let Some(agent) = self.eligible_agent(contact, ready) {
                    best = Some((arrival, contact, agent));
                    break;
                }
            }
        }
        best.map(|(_, contact, agent)| (contact, agent))
    }

    /// The agent ready longest among `ready` that this contact may go to.
    fn eligible_agent(&self, contact: ContactId, ready: &BTreeSet<(ServerTime, UserId)>) -> Option<UserId> {
        let contact = self.contacts.get(&contact)?;
        match &contact.directed_to {
            // After a blind transfer to an agent, only that agent (V4).
            Some(to) => {
                let (since, _) = self.index.filed.get(to)?;
                ready.contains(&(*since, to.clone())).then(|| to.clone())
            }
            // A queue's members only; among those ready equally long, the
            // highest skill, then the lowest id.
            None => {
                let mut best: Option<(ServerTime, u8, &UserId)> = None;
                for (since, agent) in ready {
                    if best.is_some_and(|(first, ..)| *since > first) {
                        break;
                    }
                    if contact.declined_by.contains(agent) {
                        continue;
                    }
                    let skill = match &contact.queue {
                        Some(queue) => match self.serves(queue, agent) {
                            Some(skill) => skill,
                            None => continue,
                        },
                        None => 0,
                    };
                    if best.is_none_or(|(_, top, _)| skill > top) {
                        best = Some((*since, skill, agent));
                    }
                }
                best.map(|(_, _, agent)| agent.clone())
            }
        }
    }
}
