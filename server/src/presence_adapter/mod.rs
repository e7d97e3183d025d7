//! Presence sync with an external system (SPEC N7): an adapter through which
//! our status changes go out and the external system's come in, with the
//! delay bounded and shown. No vendor is built in; the one adapter here is a
//! generic signed webhook ([`webhook`]).
//!
//! Out: after each commit the owner hands every status change to
//! [`PresenceAdapter::publish`], which never waits (a bounded queue; when it
//! is full the oldest change is dropped and counted). In: `POST
//! /presence/external` ([`inbound`]) asks the adapter to authenticate and
//! read the request ([`PresenceAdapter::receive`]) and applies the change to
//! the center as the user's status change. Shown: [`stats`].

pub mod inbound;
pub mod signature;
pub mod stats;
pub mod webhook;

use crate::http_api::ApiError;
use axum::http::HeaderMap;
use ringside::model::{SecondaryId, ServerTime, StatusId, UserId};
use serde::{Deserialize, Serialize};
pub use stats::AdapterStats;

/// One of our status changes, as it goes out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceChange {
    /// Whose status.
    pub user: UserId,
    /// The primary status.
    pub status: StatusId,
    /// Its secondary status.
    pub secondary: Option<SecondaryId>,
    /// Whether auto-away set it (S11).
    pub automatic: bool,
    /// When it changed (server milliseconds).
    pub at: ServerTime,
}

/// A status change the external system asks for one of our users.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalChange {
    /// Whose status.
    pub user: UserId,
    /// The primary status, from our profile's catalogue.
    pub status: StatusId,
    /// Its secondary status, where the status has them.
    #[serde(default)]
    pub secondary: Option<SecondaryId>,
}

/// Where our presence goes and the external system's comes from.
pub trait PresenceAdapter: Send + Sync + std::fmt::Debug {
    /// Hands one of our changes over to go out; never blocks the caller
    /// (the owner thread calls it after each commit).
    fn publish(&self, change: PresenceChange);

    /// Authenticates and reads a request the external system sent to
    /// `POST /presence/external`: the change, or the refusal to answer
    /// (with a stable code).
    fn receive(&self, headers: &HeaderMap, body: &[u8]) -> Result<ExternalChange, ApiError>;

    /// What the adapter did so far.
    fn stats(&self) -> &AdapterStats;

    /// Where our changes go, as shown to admins.
    fn target(&self) -> &str;

    /// The delay bound: a change not delivered this long after it happened
    /// is dropped, never sent late.
    fn delay_bound_ms(&self) -> u64;
}
