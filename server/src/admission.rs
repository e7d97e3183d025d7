//! Caps on sockets (SPEC N8): open sessions per user, and sockets per
//! address that have not said hello yet. Each admitted socket holds a
//! [`Slot`] that gives its place back when dropped, on every exit path;
//! keys whose count falls to zero are removed, so the maps hold only live
//! sockets.

use ringside::model::UserId;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// The counters the WebSocket endpoint admits sockets by.
#[derive(Debug, Clone, Default)]
pub struct Admission {
    pending: Arc<Counter<IpAddr>>,
    sessions: Arc<Counter<UserId>>,
}

impl Admission {
    /// A place for a socket from `address` that has not said hello, unless
    /// `max` such sockets are already open.
    pub fn pending(&self, address: IpAddr, max: usize) -> Option<Slot<IpAddr>> {
        Counter::acquire(&self.pending, address, max)
    }

    /// A place for a session of `user`, unless `max` are already open.
    pub fn session(&self, user: &UserId, max: usize) -> Option<Slot<UserId>> {
        Counter::acquire(&self.sessions, user.clone(), max)
    }
}

/// Open places per key.
#[derive(Debug)]
struct Counter<K> {
    counts: Mutex<HashMap<K, usize>>,
}

impl<K> Default for Counter<K> {
    fn default() -> Self {
        Counter { counts: Mutex::new(HashMap::new()) }
    }
}

impl<K: Hash + Eq + Clone> Counter<K> {
    fn acquire(counter: &Arc<Counter<K>>, key: K, max: usize) -> Option<Slot<K>> {
        // A panic elsewhere while holding the lock leaves the counts intact.
        let mut counts = counter.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(key.clone()).or_insert(0);
        if *count >= max {
            if *count == 0 {
                counts.remove(&key);
            }
            return None;
        }
        *count += 1;
        Some(Slot { counter: counter.clone(), key })
    }

    fn release(&self, key: &K) {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(key) {
            *count -= 1;
            if *count == 0 {
                counts.remove(key);
            }
        }
    }
}

/// One admitted socket's place; dropping it gives the place back.
#[derive(Debug)]
pub struct Slot<K: Hash + Eq + Clone> {
    counter: Arc<Counter<K>>,
    key: K,
}

impl<K: Hash + Eq + Clone> Drop for Slot<K> {
    fn drop(&mut self) {
        self.counter.release(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_capped_per_key_and_given_back_when_dropped() {
        let admission = Admission::default();
        let ana = UserId::from("ana");
        let first = admission.session(&ana, 2).expect("room");
        let second = admission.session(&ana, 2).expect("room");
        assert!(admission.session(&ana, 2).is_none(), "the third is over the cap");
        assert!(admission.session(&UserId::from("ben"), 2).is_some(), "another user has its own cap");
        drop(first);
        let third = admission.session(&ana, 2).expect("a place was given back");
        drop((second, third));
        assert!(admission.sessions.counts.lock().expect("lock").is_empty(), "no key is kept without a socket");
        let address = IpAddr::from([127, 0, 0, 1]);
        assert!(admission.pending(address, 0).is_none());
        assert!(admission.pending.counts.lock().expect("lock").is_empty());
    }
}
