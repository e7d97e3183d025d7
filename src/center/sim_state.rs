//! What the customer simulator shows of the center (`GET /sim/state` on the
//! server, `state()` in the in-page simulator): one view, so both hosts
//! answer alike.

use super::{Center, Place};
use crate::model::{AgentState, ContactId, QueueId, ServerTime};
use serde::Serialize;
use std::collections::BTreeMap;

/// Queues with their waiting contacts, agents, and the next deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SimState {
    /// The center's time of this view.
    pub server_time: ServerTime,
    /// Each queue's contacts, first in line first.
    pub queues: BTreeMap<QueueId, Vec<WaitingContact>>,
    /// Every agent the center has seen.
    pub agents: Vec<AgentState>,
    /// When the center next acts by itself (an offer expires, a grace ends).
    pub next_deadline: Option<ServerTime>,
}

/// A contact in a queue's line and where it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WaitingContact {
    /// The contact.
    pub contact: ContactId,
    /// Where it is.
    pub place: ContactPlace,
}

/// Where a contact is, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactPlace {
    /// Waiting for an agent.
    Waiting,
    /// Offered to an agent.
    Offered,
    /// With an agent.
    Connected,
    /// Left (hung up or ended).
    Gone,
}

impl From<Option<Place>> for ContactPlace {
    fn from(place: Option<Place>) -> ContactPlace {
        match place {
            Some(Place::Waiting) => ContactPlace::Waiting,
            Some(Place::Offered(_)) => ContactPlace::Offered,
            Some(Place::Connected(_)) => ContactPlace::Connected,
            None => ContactPlace::Gone,
        }
    }
}

impl Center {
    /// The simulator's view of the center at `now`.
    pub fn sim_state(&self, now: ServerTime) -> SimState {
        let queues = self
            .queues()
            .map(|queue| {
                let line = self
                    .waiting(queue)
                    .into_iter()
                    .map(|contact| WaitingContact { contact, place: self.contact_place(contact).into() })
                    .collect();
                (queue.clone(), line)
            })
            .collect();
        SimState { server_time: now, queues, agents: self.agents().cloned().collect(), next_deadline: self.poll_timeout() }
    }
}
